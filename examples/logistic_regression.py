"""Logistic regression two ways: one sigmoid unit + BCE, and scikit-learn's LogisticRegression.

Run: ``python examples/logistic_regression.py``. A single ``Dense(1, sigmoid)`` trained
on binary cross-entropy *is* logistic regression. The breast-cancer data is nearly
separable, so the unpenalised problem has no finite optimum; we match scikit-learn's
default L2 penalty instead. scikit-learn minimises

    C * sum_i logloss_i + ||w||^2 / 2          (the intercept is not penalised)

which, divided by ``C * n``, is the mean log loss plus ``||w||^2 / (2 C n)``: exactly
``Dense(1, activation="sigmoid", kernel_regularizer=L2(1 / (2 * C * n)))`` with
``BinaryCrossEntropy()`` and no bias penalty. Trained full batch (one gradient step per
epoch, Nesterov momentum), the network reaches that unique optimum: coefficients agree
with scikit-learn's to 1e-3 relative and the log loss to 1e-4. Without scikit-learn
installed, only our fit is printed.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import minikeras as keras

EPOCHS = 1000


def log_loss(x: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: float) -> float:
    """Mean log loss of a linear model, in float64 from the logits (no clipping needed)."""
    z = np.asarray(x, dtype=np.float64) @ np.asarray(coef, dtype=np.float64) + intercept
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def fit_minikeras(x: np.ndarray, y: np.ndarray, C: float = 1.0, epochs: int = EPOCHS,
                  seed: int = 0) -> tuple[np.ndarray, float]:
    """One sigmoid unit with scikit-learn's penalty; returns ``(coef, intercept)``."""
    n = len(x)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(x.shape[1],)),
        keras.layers.Dense(1, activation="sigmoid",
                           kernel_regularizer=keras.regularizers.L2(1.0 / (2.0 * C * n))),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5, momentum=0.9,
                                                 nesterov=True),
                  loss=keras.losses.BinaryCrossEntropy())
    model.fit(x, y, epochs=epochs, batch_size=n, shuffle=False, verbose=0)  # full batch
    kernel, bias = model.get_weights()
    return kernel[:, 0].astype(np.float64), float(bias[0])


def fit_sklearn(x: np.ndarray, y: np.ndarray, C: float = 1.0) -> tuple[np.ndarray, float] | None:
    """scikit-learn's ``LogisticRegression(C=C)`` solved tightly; None if not installed."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return None
    # A tight tolerance, so that the comparison measures our fit, not lbfgs's stopping rule.
    clf = LogisticRegression(C=C, tol=1e-10, max_iter=10_000)
    clf.fit(np.asarray(x, dtype=np.float64), y)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def main(seed: int = 113, epochs: int = EPOCHS, C: float = 1.0) -> dict[str, Any]:
    """Fit both models on ``breast_cancer.load_data(seed=seed)``'s training rows and compare."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.breast_cancer.load_data(
        test_split=0.2, seed=seed)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    x_train = ((x_train - mean) / std).astype("float32")
    x_test = ((x_test - mean) / std).astype("float32")

    start = time.perf_counter()
    coef, intercept = fit_minikeras(x_train, y_train, C=C, epochs=epochs)
    result: dict[str, Any] = {
        "coef": coef, "intercept": intercept, "seconds": time.perf_counter() - start,
        "log_loss": log_loss(x_train, y_train, coef, intercept),
        "test_accuracy": float(np.mean(((x_test @ coef + intercept) > 0) == y_test)),
    }
    reference = fit_sklearn(x_train, y_train, C=C)
    if reference is not None:
        sk_coef, sk_intercept = reference
        sk_loss = log_loss(x_train, y_train, sk_coef, sk_intercept)
        result.update({
            "sklearn_coef": sk_coef, "sklearn_intercept": sk_intercept,
            "sklearn_log_loss": sk_loss,
            "coef_max_rel_diff": float(np.max(np.abs(coef - sk_coef) / np.abs(sk_coef))),
            "log_loss_diff": abs(result["log_loss"] - sk_loss),
        })
    return result


if __name__ == "__main__":
    r = main()
    print(f"minikeras: training log loss {r['log_loss']:.6f}, intercept {r['intercept']:.5f}, "
          f"test accuracy {r['test_accuracy']:.4f} ({r['seconds']:.2f} s)")
    if "sklearn_coef" in r:
        print(f"sklearn:   training log loss {r['sklearn_log_loss']:.6f}, "
              f"intercept {r['sklearn_intercept']:.5f}")
        print(f"largest relative coefficient difference {r['coef_max_rel_diff']:.2e}, "
              f"log loss difference {r['log_loss_diff']:.2e}")
    else:
        print("scikit-learn is not installed: install it to compare with LogisticRegression.")
