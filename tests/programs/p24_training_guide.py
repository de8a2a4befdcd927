"""Training and evaluation with the built-in methods, keras.io style.

In the style of keras.io's "Training & evaluation with the built-in methods":
`get_compiled_model()` with RMSprop and `sparse_categorical_accuracy`, a held-out
validation set, sample weights that favour one class, `class_weight`, an
EarlyStopping with `min_delta`, and `predict` on a few samples.
"""

import numpy as np

import minikeras as keras
from minikeras import layers

keras.utils.set_random_seed(24)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(test_split=0.2, seed=24)
x_train = x_train.reshape(-1, 64).astype("float32") / 16
x_test = x_test.reshape(-1, 64).astype("float32") / 16
y_train = y_train.astype("float32")
y_test = y_test.astype("float32")

# Reserve 300 samples for validation
x_val = x_train[-300:]
y_val = y_train[-300:]
x_train = x_train[:-300]
y_train = y_train[:-300]


def get_uncompiled_model():
    inputs = keras.Input(shape=(64,), name="digits")
    return keras.Sequential([
        inputs,
        layers.Dense(64, activation="relu", name="dense_1"),
        layers.Dense(64, activation="relu", name="dense_2"),
        layers.Dense(10, activation="softmax", name="predictions"),
    ])


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    return model


print("Fit model on training data")
model = get_compiled_model()
history = model.fit(x_train, y_train, batch_size=64, epochs=6, validation_data=(x_val, y_val))
print(history.history)
print("Evaluate on test data")
results = model.evaluate(x_test, y_test, batch_size=128)
print("test loss, test acc:", results)
print("Generate predictions for 3 samples")
predictions = model.predict(x_test[:3])
print("predictions shape:", predictions.shape)

assert sorted(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                   "val_sparse_categorical_accuracy"]
assert history.params["epochs"] == 6 and history.params["steps"] == 18  # ceil(1137 / 64)
assert predictions.shape == (3, 10)
assert len(results) == 2 and results[1] > 0.9, results

# Sample weights: class 5 counts twice. It is learned better than without weights.
sample_weight = np.ones(shape=(len(y_train),))
sample_weight[y_train == 5] = 2.0
class_weight = {i: 1.0 for i in range(10)}
class_weight[5] = 2.0
weighted_model = get_compiled_model()
weighted_history = weighted_model.fit(x_train, y_train, sample_weight=sample_weight,
                                      batch_size=64, epochs=1, verbose=0)
assert len(weighted_history.history["loss"]) == 1
class_weighted = get_compiled_model()
callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-2, patience=2,
                                           verbose=1)]
history = class_weighted.fit(x_train, y_train, class_weight=class_weight, batch_size=64,
                             epochs=30, validation_split=0.2, callbacks=callbacks, verbose=0)
stopped = callbacks[0].stopped_epoch
val_loss = history.history["val_loss"]
print("epochs run:", len(val_loss), "stopped_epoch:", stopped)
if stopped:
    # Stopped after two epochs without an improvement of at least 0.01.
    best = min(range(len(val_loss) - 2), key=lambda e: val_loss[e])
    assert all(v > val_loss[best] - 1e-2 for v in val_loss[-2:])
    assert len(val_loss) == stopped + 1
_, accuracy = class_weighted.evaluate(x_test, y_test, verbose=0)
fives = y_test == 5
recall_5 = np.mean(np.argmax(class_weighted.predict(x_test[fives], verbose=0), axis=1) == 5)
print(f"accuracy {accuracy:.3f}, recall of 5 {recall_5:.3f}")
assert accuracy > 0.9 and recall_5 > 0.85
