"""Checkpoints named from templates, a CSV log and a LambdaCallback.

In the style of the "checkpoint your deep learning models" posts:
`ModelCheckpoint("weights-{epoch:02d}-{val_accuracy:.2f}.weights.h5",
save_weights_only=True, monitor="val_accuracy", mode="max", save_best_only=True)`,
`CSVLogger("training.log")` read back with pandas, and a LambdaCallback that
records the epoch losses; then the best file is loaded into a fresh model.
"""

import glob
import os

import numpy as np
import pandas as pd

import minikeras as keras

keras.utils.set_random_seed(18)
(x_train, y_train), (x_test, y_test) = keras.datasets.breast_cancer.load_data(seed=18)
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std


def create_model():
    model = keras.Sequential([
        keras.Input(shape=(30,)),
        keras.layers.Dense(8, activation="relu", kernel_initializer="he_uniform"),
        keras.layers.Dense(1, activation="sigmoid", kernel_initializer="uniform"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


os.makedirs("checkpoints", exist_ok=True)
filepath = "checkpoints/weights-{epoch:02d}-{val_accuracy:.2f}.weights.h5"
checkpoint = keras.callbacks.ModelCheckpoint(filepath, monitor="val_accuracy", verbose=1,
                                             save_best_only=True, save_weights_only=True,
                                             mode="max")
csv_logger = keras.callbacks.CSVLogger("training.log")
epoch_losses = []
record = keras.callbacks.LambdaCallback(
    on_epoch_end=lambda epoch, logs: epoch_losses.append((epoch, logs["loss"])))
model = create_model()
history = model.fit(x_train, y_train, validation_split=0.25, epochs=12, batch_size=16,
                    callbacks=[checkpoint, csv_logger, record], verbose=0)

files = sorted(glob.glob("checkpoints/weights-*.weights.h5"))
print(files)
val_accuracy = history.history["val_accuracy"]
# One file per improvement of val_accuracy, each named from its epoch and value.
improved = [e for e in range(12) if val_accuracy[e] > max(val_accuracy[:e], default=-1)]
expected = [f"checkpoints/weights-{e + 1:02d}-{val_accuracy[e]:.2f}.weights.h5"
            for e in improved]
assert files == sorted(expected), (files, expected)

log = pd.read_csv("training.log")
print(log.tail(3))
assert list(log.columns) == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
assert log["epoch"].tolist() == list(range(12))
np.testing.assert_allclose(log["loss"], history.history["loss"], rtol=1e-6)
assert [e for e, _ in epoch_losses] == list(range(12))
np.testing.assert_allclose([v for _, v in epoch_losses], history.history["loss"], rtol=1e-12)

# The last file written is the best epoch: a fresh model loading it scores that accuracy.
best_epoch = improved[-1]
fresh = create_model()
fresh.load_weights(expected[-1])
n_val = len(x_train) - int(len(x_train) * 0.75)
_, best_accuracy = fresh.evaluate(x_train[-n_val:], y_train[-n_val:], verbose=0)
np.testing.assert_allclose(best_accuracy, val_accuracy[best_epoch], rtol=1e-6)
assert max(val_accuracy) > 0.9

# An integer save_freq saves every that many batches, whatever the epoch.
every_ten = keras.callbacks.ModelCheckpoint("checkpoints/batch.keras", save_freq=10)
model.fit(x_train, y_train, epochs=1, batch_size=16, callbacks=[every_ten], verbose=0)
assert os.path.exists("checkpoints/batch.keras")
