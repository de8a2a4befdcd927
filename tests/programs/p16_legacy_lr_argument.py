"""tf.keras 2 code that Keras 3 rejects or changed: `lr=` and `metrics_names`.

In the style of pre-2021 blog posts: `Adam(lr=0.001)` and
`dict(zip(model.metrics_names, scores))` with one entry per metric. minikeras keeps
these working (API.md): `lr=` is taken as `learning_rate` with a deprecation warning,
and `metrics_names` lists each metric. Keras 3 raises on `lr=` and names the metrics
"compile_metrics", so this program is expected to fail there (run_on_keras.py says so).
"""

import warnings

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(16)
rng = np.random.default_rng(16)
x = rng.normal(size=(300, 4)).astype("float32")
y = (x[:, 0] - x[:, 1] > 0).astype("float32")

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    optimizer = keras.optimizers.Adam(lr=0.01)
messages = [str(w.message) for w in caught]
print(messages)
assert any("lr" in m and "learning_rate" in m for m in messages), messages
np.testing.assert_allclose(float(optimizer.learning_rate), 0.01, rtol=1e-6)

model = keras.models.Sequential()
model.add(keras.layers.Dense(8, input_dim=4, activation="relu"))
model.add(keras.layers.Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy", "mse"])
model.fit(x, y, epochs=10, batch_size=16, verbose=0)
scores = model.evaluate(x, y, verbose=0)
results = dict(zip(model.metrics_names, scores))
print(results)

assert model.metrics_names == ["loss", "accuracy", "mse"]
assert results["accuracy"] > 0.9
assert results["mse"] < results["loss"]
