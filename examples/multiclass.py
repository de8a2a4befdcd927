"""Multiclass classification: 8x8 handwritten digits, softmax over 10 classes.

Run: ``python examples/multiclass.py``. Pixels (0 to 16) are scaled to [0, 1] and
flattened to 64 features; labels stay integers, so the loss is
``SparseCategoricalCrossentropy``. The quality test requires >= 0.93 test accuracy on
five different splits.
"""

from __future__ import annotations

import time

import numpy as np

import minikeras as keras

EPOCHS = 20


def main(seed: int = 113, epochs: int = EPOCHS, batch_size: int = 32,
         verbose: int = 0) -> dict[str, float]:
    """Train on ``digits.load_data(seed=seed)``; return test accuracy and loss."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(
        test_split=0.2, seed=seed)
    x_train = (x_train.reshape(len(x_train), -1) / 16.0).astype("float32")
    x_test = (x_test.reshape(len(x_test), -1) / 16.0).astype("float32")

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=verbose)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (y_test, predicted), 1)
    return {"accuracy": float(accuracy), "loss": float(loss), "seconds": seconds,
            "confusion": confusion}


if __name__ == "__main__":
    result = main(verbose=2)
    print(f"digits: test accuracy {result['accuracy']:.4f}, test loss {result['loss']:.4f} "
          f"({result['seconds']:.2f} s)")
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(result["confusion"])
