"""The Sequential model guide: layers called in turn, add/pop, weights created lazily.

In the style of keras.io's "The Sequential model": a model equals its layers called in
turn, `model.pop()`, no weights before the input shape is known, `summary()` once
built, and `keras.Input` / `input_shape=` giving the shape up front.
"""

import io
from contextlib import redirect_stdout

import numpy as np

import minikeras as keras
from minikeras import layers, ops

keras.utils.set_random_seed(23)

model = keras.Sequential(
    [
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ]
)
x = ops.ones((3, 3))
y = model(x)
assert tuple(y.shape) == (3, 4)
# The same computation with the layers called one after another.
layer1, layer2, layer3 = model.layers
same = layer3(layer2(layer1(x)))
np.testing.assert_allclose(ops.convert_to_numpy(same), ops.convert_to_numpy(y), rtol=1e-6)

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
model.pop()
print(len(model.layers))
assert len(model.layers) == 2

model = keras.Sequential(name="my_sequential")
model.add(layers.Dense(2, activation="relu", name="layer1"))
assert model.name == "my_sequential"

layer = layers.Dense(3)
assert layer.weights == []
y = layer(ops.ones((1, 4)))
assert [tuple(w.shape) for w in layer.weights] == [(4, 3), (3,)]

model = keras.Sequential([layers.Dense(2, activation="relu"), layers.Dense(3, activation="relu"),
                          layers.Dense(4)])
assert len(model.weights) == 0  # no input shape yet, so no weights
y = model(ops.ones((1, 4)))
print("Number of weights after calling the model:", len(model.weights))
assert len(model.weights) == 6
buffer = io.StringIO()
with redirect_stdout(buffer):
    model.summary()
assert "Total params: 35" in buffer.getvalue(), buffer.getvalue()

model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))
assert len(model.layers) == 1  # the Input is not a layer of the model
assert len(model.weights) == 2
model.summary()

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu", input_shape=(4,)))
assert len(model.weights) == 2 and model.count_params() == 10

# The usual incremental build: add layers, summarize, and train.
model = keras.Sequential()
model.add(keras.Input(shape=(8,)))
model.add(layers.Dense(16, activation="relu"))
model.add(layers.Dense(16, activation="relu"))
model.summary()
model.add(layers.Dense(1))
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
rng = np.random.default_rng(0)
data = rng.normal(size=(256, 8)).astype("float32")
target = data[:, :1] * 2.0 - data[:, 1:2]
history = model.fit(data, target, epochs=20, batch_size=32, verbose=0)
assert history.history["loss"][-1] < 0.1 * history.history["loss"][0], history.history["loss"]
assert model.output_shape == (None, 1) and model.input_shape == (None, 8)
