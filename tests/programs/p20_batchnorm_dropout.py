"""A deeper MLP with BatchNormalization, Dropout and initializers picked by name.

In the style of the "improve your neural network" course labs: Dense + BatchNorm +
ReLU blocks with Dropout, `he_normal`/`normal` initializers, early stopping on
`val_accuracy` in max mode, and the training/inference difference made visible.
"""

import numpy as np

import minikeras as keras
from minikeras import layers, ops

keras.utils.set_random_seed(20)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(test_split=0.2, seed=20)
x_train = x_train.reshape(-1, 64).astype("float32")
x_test = x_test.reshape(-1, 64).astype("float32")

model = keras.Sequential([
    layers.Rescaling(1.0 / 16, input_shape=(64,)),
    layers.Dense(64, use_bias=False, kernel_initializer="he_normal"),
    layers.BatchNormalization(),
    layers.ReLU(),
    layers.Dropout(0.3),
    layers.Dense(32, kernel_initializer=keras.initializers.HeUniform()),
    layers.BatchNormalization(),
    layers.Activation("relu"),
    layers.Dropout(0.3),
    layers.Dense(10, activation="softmax", kernel_initializer="normal"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()
bn = model.layers[2]
assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
assert len(model.trainable_weights) == 1 + 2 + 2 + 2 + 2
assert len(model.non_trainable_weights) == 4
moving_mean_before = bn.moving_mean.numpy().copy()

stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=4,
                                     restore_best_weights=True)
history = model.fit(x_train, y_train, validation_split=0.15, epochs=40, batch_size=32,
                    callbacks=[stop], verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {accuracy:.3f}, epochs run {len(history.epoch)}")

# Batch statistics moved the moving mean; inference is deterministic, training is not.
assert not np.allclose(bn.moving_mean.numpy(), moving_mean_before)
batch = x_test[:16]
inference = [ops.convert_to_numpy(model(batch, training=False)) for _ in range(2)]
np.testing.assert_array_equal(inference[0], inference[1])
np.testing.assert_allclose(inference[0], model.predict(batch, verbose=0), rtol=1e-5, atol=1e-6)
# A call in training mode drops units at random and, as in Keras, updates the moving
# statistics of BatchNormalization.
moving_mean = bn.moving_mean.numpy().copy()
training = [ops.convert_to_numpy(model(batch, training=True)) for _ in range(2)]
assert not np.allclose(training[0], training[1])
assert not np.allclose(bn.moving_mean.numpy(), moving_mean)
assert accuracy >= 0.93, accuracy
if len(history.epoch) < 40:
    best = int(np.argmax(history.history["val_accuracy"]))
    assert len(history.epoch) == best + 1 + 4
