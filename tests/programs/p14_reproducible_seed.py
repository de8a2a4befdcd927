"""Reproducible training: `keras.utils.set_random_seed` before building each model.

In the style of the "how to get reproducible results with Keras" posts: seed, build,
train, record; clear the session, seed again, and get the same weights and history.
"""

import numpy as np

import minikeras as keras

rng = np.random.default_rng(21)
x = rng.normal(size=(400, 6)).astype("float32")
y = (np.sin(x[:, 0]) + x[:, 1] * x[:, 2] > 0).astype("float32")


def train(seed):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=5, batch_size=32, validation_split=0.2, shuffle=True,
                        verbose=0)
    return model, history


model_a, history_a = train(1234)
model_b, history_b = train(1234)
model_c, history_c = train(99)

print(history_a.history["loss"])
print(history_c.history["loss"])

# clear_session restarts the automatic layer names.
assert [layer.name for layer in model_a.layers] == ["dense", "dropout", "dense_1"]
assert [layer.name for layer in model_b.layers] == ["dense", "dropout", "dense_1"]
assert model_a.name == model_b.name == "sequential"

# Same seed: same initial weights, dropout masks and shuffles, hence the same history.
for wa, wb in zip(model_a.get_weights(), model_b.get_weights()):
    np.testing.assert_array_equal(wa, wb)
assert history_a.history == history_b.history
np.testing.assert_array_equal(model_a.predict(x, verbose=0), model_b.predict(x, verbose=0))

# Another seed: another run.
assert not np.allclose(model_a.get_weights()[0], model_c.get_weights()[0])
assert history_a.history["loss"] != history_c.history["loss"]

# Without clear_session the names keep counting, as in Keras.
extra = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(1)])
assert extra.layers[0].name == "dense_2", extra.layers[0].name
