"""Transfer learning: train a base, freeze it, add a head, recompile, fine-tune.

In the style of keras.io's "Transfer learning & fine-tuning": the trainable-weights
examples first, then the workflow on digits (pretrain on digits 0-4, reuse for 5-9).
"""

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(10)

layer = keras.layers.Dense(3)
layer.build((None, 4))
assert (len(layer.weights), len(layer.trainable_weights), len(layer.non_trainable_weights)) \
    == (2, 2, 0)
layer = keras.layers.BatchNormalization()
layer.build((None, 4))
assert (len(layer.weights), len(layer.trainable_weights), len(layer.non_trainable_weights)) \
    == (4, 2, 2)
layer = keras.layers.Dense(3)
layer.build((None, 4))
layer.trainable = False
assert (len(layer.weights), len(layer.trainable_weights), len(layer.non_trainable_weights)) \
    == (2, 0, 2)

inner_model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(3, activation="relu"),
                                keras.layers.Dense(3, activation="relu")])
model = keras.Sequential([keras.Input(shape=(3,)), inner_model,
                          keras.layers.Dense(3, activation="sigmoid")])
model.trainable = False
assert inner_model.trainable is False and inner_model.layers[0].trainable is False
assert len(model.trainable_weights) == 0 and len(model.non_trainable_weights) == 6

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(test_split=0.25, seed=3)
x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
low, high = y_train < 5, y_train >= 5

base_model = keras.Sequential([
    keras.Input(shape=(64,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(32, activation="relu"),
], name="base")
pretrain = keras.Sequential([base_model, keras.layers.Dense(5, activation="softmax")])
pretrain.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
pretrain.fit(x_train[low], y_train[low], epochs=10, batch_size=32, verbose=0)

base_model.trainable = False
model = keras.Sequential([base_model, keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
frozen = [w.copy() for w in base_model.get_weights()]
head_before = [w.copy() for w in model.layers[-1].get_weights()]
assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4
model.fit(x_train[high], y_train[high] - 5, epochs=20, batch_size=32, verbose=0)
for a, b in zip(frozen, base_model.get_weights()):
    np.testing.assert_array_equal(a, b)
assert not np.allclose(head_before[0], model.layers[-1].get_weights()[0])
_, frozen_accuracy = model.evaluate(x_test[y_test >= 5], y_test[y_test >= 5] - 5, verbose=0)
print(f"frozen base, new head: {frozen_accuracy:.3f}")

# Fine-tuning: unfreeze, recompile with a small learning rate, train a little more.
base_model.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
assert len(model.trainable_weights) == 6
history = model.fit(x_train[high], y_train[high] - 5, epochs=5, batch_size=32, verbose=0)
assert not np.allclose(frozen[0], base_model.get_weights()[0])
_, tuned_accuracy = model.evaluate(x_test[y_test >= 5], y_test[y_test >= 5] - 5, verbose=0)
print(f"after fine-tuning: {tuned_accuracy:.3f}")
assert frozen_accuracy > 0.75 and tuned_accuracy > 0.85, (frozen_accuracy, tuned_accuracy)
assert len(history.history["loss"]) == 5
