"""``python -m minikeras``: train a small classifier on the bundled breast-cancer data.

A complete Keras-style program that needs nothing but the installed package (the
``examples/`` folder is not shipped; ``examples/binary_classification.py`` runs this
code). It standardizes the features with the training set's statistics, trains
``Dense(16, relu, L2) -> Dense(1, sigmoid)`` with ``BinaryCrossEntropy()``, and prints the
test accuracy.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

import minikeras as keras

#: The epoch count the example (and its quality test) uses.
EPOCHS = 60


def standardize(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale each feature to mean 0, std 1 using the training rows' statistics only."""
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0  # a constant feature stays 0 instead of dividing by zero
    return ((x_train - mean) / std).astype("float32"), ((x_test - mean) / std).astype("float32")


def binary_classification(seed: int = 113, epochs: int = EPOCHS, batch_size: int = 32,
                          verbose: int = 0) -> dict[str, float]:
    """Train on ``breast_cancer.load_data(seed=seed)`` and return the test metrics.

    Returns:
        ``{"accuracy", "loss", "train_accuracy", "seconds"}``: test accuracy and
        binary cross-entropy, the last epoch's training accuracy, and training time.
    """
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


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    """Command line: ``python -m minikeras [--seed S] [--epochs E] [--verbose V]``."""
    parser = argparse.ArgumentParser(
        prog="python -m minikeras",
        description="Train a small network on the bundled breast-cancer data set.")
    parser.add_argument("--seed", type=int, default=113, help="split and weight seed")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--verbose", type=int, default=0, choices=(0, 1, 2))
    args = parser.parse_args(argv)
    print(f"minikeras {keras.__version__}: breast cancer (569 x 30), "
          "Dense(16, relu) -> Dense(1, sigmoid), BinaryCrossEntropy")
    result = binary_classification(seed=args.seed, epochs=args.epochs, verbose=args.verbose)
    print(f"test accuracy {result['accuracy']:.4f}, test loss {result['loss']:.4f} "
          f"({args.epochs} epochs in {result['seconds']:.2f} s)")
    return result


if __name__ == "__main__":
    main()
