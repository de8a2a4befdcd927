"""Inspect a trained model: get_layer, weights, kernels as arrays, summary, count_params.

In the style of the course labs that open up a trained network: look layers up by name
and index, read `layer.weights` and `kernel.numpy()`, recompute a prediction by hand,
then set weights by hand and check the model uses them.
"""

import io
from contextlib import redirect_stdout

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(8)
rng = np.random.default_rng(3)
x = rng.normal(size=(200, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("float32")

model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(3, activation="relu", name="hidden"),
        keras.layers.Dense(1, activation="sigmoid", name="output"),
    ],
    name="tiny",
)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=5, batch_size=20, verbose=0)

buffer = io.StringIO()
with redirect_stdout(buffer):
    model.summary()
summary = buffer.getvalue()
print(summary)

hidden = model.get_layer("hidden")
assert hidden is model.layers[0] is model.get_layer(index=0)
assert model.get_layer(name="output") is model.layers[-1]
assert [w.name for w in hidden.weights] == ["kernel", "bias"]
assert hidden.kernel.shape == (4, 3) and hidden.bias.shape == (3,)
assert hidden.activation is keras.activations.relu
assert tuple(hidden.output.shape) == (None, 3)
assert len(model.weights) == 4 and len(model.trainable_weights) == 4
assert model.count_params() == 4 * 3 + 3 + 3 * 1 + 1 == 19
assert "tiny" in summary and "hidden" in summary and "19" in summary

kernel, bias = hidden.get_weights()
np.testing.assert_array_equal(kernel, hidden.kernel.numpy())
np.testing.assert_array_equal(bias, hidden.weights[1].numpy())
w_out, b_out = model.get_layer("output").get_weights()

# The forward pass by hand equals predict.
h = np.maximum(x @ kernel + bias, 0.0)
manual = 1.0 / (1.0 + np.exp(-(h @ w_out + b_out)))
np.testing.assert_allclose(model.predict(x, verbose=0), manual, rtol=1e-5, atol=1e-6)

# Weights set by hand are the ones the model uses.
hidden.set_weights([np.eye(4, 3, dtype="float32"), np.zeros(3, dtype="float32")])
model.get_layer("output").set_weights([np.ones((3, 1), "float32"), np.array([-1.0], "float32")])
expected = 1.0 / (1.0 + np.exp(-(np.maximum(x[:, :3], 0).sum(axis=1, keepdims=True) - 1.0)))
np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
hidden.kernel.assign(2 * np.eye(4, 3))
np.testing.assert_array_equal(hidden.get_weights()[0], 2 * np.eye(4, 3))
all_weights = model.get_weights()
assert [w.shape for w in all_weights] == [(4, 3), (3,), (3, 1), (1,)]
