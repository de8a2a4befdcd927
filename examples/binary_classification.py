"""Binary classification: breast cancer, a ReLU hidden layer, sigmoid + BinaryCrossEntropy.

Run: ``python examples/binary_classification.py`` (the same program ships in the
package as ``python -m minikeras``). Prints the test accuracy; the quality test
requires >= 0.95 on five different splits.
"""

from __future__ import annotations

import time

import numpy as np

import minikeras as keras

EPOCHS = 60


def standardize(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale each feature to mean 0, std 1 using the training rows' statistics only."""
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    return ((x_train - mean) / std).astype("float32"), ((x_test - mean) / std).astype("float32")


def main(seed: int = 113, epochs: int = EPOCHS, batch_size: int = 32,
         verbose: int = 0) -> dict[str, float]:
    """Train on ``breast_cancer.load_data(seed=seed)``; return test accuracy and loss."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.breast_cancer.load_data(
        test_split=0.2, seed=seed)
    x_train, x_test = standardize(x_train, x_test)

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(x_train.shape[1],)),
        # A light L2 penalty keeps the 16 hidden units from memorising 455 rows.
        keras.layers.Dense(16, activation="relu",
                           kernel_regularizer=keras.regularizers.L2(0.01)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=keras.losses.BinaryCrossEntropy(), metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        verbose=verbose)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {"accuracy": float(accuracy), "loss": float(loss),
            "train_accuracy": float(history.history["accuracy"][-1]), "seconds": seconds}


if __name__ == "__main__":
    result = main(verbose=2)
    print(f"breast cancer: test accuracy {result['accuracy']:.4f}, "
          f"test loss {result['loss']:.4f} ({result['seconds']:.2f} s)")
