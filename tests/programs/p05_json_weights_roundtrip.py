"""Save the architecture as JSON and the weights separately, then rebuild and reload.

In the style of the classic "save and load your Keras deep learning models" blog post:
`to_json()` into a file, `save_weights`, `model_from_json`, `load_weights`, recompile,
evaluate; plus the whole-model `.keras` file that replaced it.
"""

import json

import numpy as np
from sklearn.datasets import load_breast_cancer

import minikeras as keras
from minikeras.layers import Dense
from minikeras.models import Sequential, model_from_json

keras.utils.set_random_seed(5)
data = load_breast_cancer()
X = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)
Y = data.target.astype("float32")

model = Sequential()
model.add(Dense(12, input_shape=(30,), activation="relu"))
model.add(Dense(8, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, Y, epochs=15, batch_size=16, verbose=0)
scores = model.evaluate(X, Y, verbose=0)
print("%s: %.2f%%" % (model.metrics_names[1], scores[1] * 100))  # noqa: UP031

# serialize model to JSON
model_json = model.to_json()
with open("model.json", "w") as json_file:
    json_file.write(model_json)
# serialize weights to HDF5-style file name
model.save_weights("model.weights.h5")
print("Saved model to disk")

with open("model.json") as json_file:
    loaded_model_json = json_file.read()
loaded_model = model_from_json(loaded_model_json)
loaded_model.load_weights("model.weights.h5")
print("Loaded model from disk")
loaded_model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
loaded_scores = loaded_model.evaluate(X, Y, verbose=0)
print("%s: %.2f%%" % (loaded_model.metrics_names[1], loaded_scores[1] * 100))  # noqa: UP031

spec = json.loads(model_json)
assert spec["class_name"] == "Sequential"
assert [layer.name for layer in loaded_model.layers] == [layer.name for layer in model.layers]
assert [layer.units for layer in loaded_model.layers] == [12, 8, 1]
np.testing.assert_allclose(loaded_scores, scores, rtol=1e-6)
np.testing.assert_allclose(loaded_model.predict(X, verbose=0), model.predict(X, verbose=0),
                           rtol=1e-6, atol=1e-7)
for a, b in zip(loaded_model.get_weights(), model.get_weights()):
    np.testing.assert_array_equal(a, b)
assert scores[1] > 0.95

# Architecture alone: the same layers with fresh weights that predict differently.
fresh = model_from_json(model_json)
assert fresh.count_params() == model.count_params() == 30 * 12 + 12 + 12 * 8 + 8 + 8 + 1
assert not np.allclose(fresh.predict(X[:20], verbose=0), model.predict(X[:20], verbose=0))

# The whole model in one file, compiled state included.
model.save("model.keras")
reloaded = keras.models.load_model("model.keras")
np.testing.assert_allclose(reloaded.evaluate(X, Y, verbose=0), scores, rtol=1e-6)
np.testing.assert_allclose(reloaded.predict(X, verbose=0), model.predict(X, verbose=0),
                           rtol=1e-6, atol=1e-7)
