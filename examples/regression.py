"""Regression: diabetes progression, a linear output + MeanSquaredError, scored by R^2.

Run: ``python examples/regression.py``. One ``Dense(1)`` with no activation is linear
regression; trained by Adam it reaches the least-squares solution, so the script
also prints the closed-form (NumPy ``lstsq``) R^2 for comparison. Features and target
are standardized with the training set's statistics; predictions are mapped back to
the target's units before scoring.

R^2 on 88 test patients depends on the split: even exact least squares scores from
0.34 to 0.60 over the first 30 seeds. The quality test requires >= 0.4 on five splits.
"""

from __future__ import annotations

import time

import numpy as np

import minikeras as keras

EPOCHS = 100


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination: ``1 - SS_res / SS_tot``."""
    y_true = np.asarray(y_true, dtype=np.float64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    return float(1.0 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))


def main(seed: int = 113, epochs: int = EPOCHS, batch_size: int = 32,
         verbose: int = 0) -> dict[str, float]:
    """Train on ``diabetes.load_data(seed=seed)``; return test R^2, MSE and the lstsq R^2."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.diabetes.load_data(
        test_split=0.2, seed=seed)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    x_train = ((x_train - mean) / std).astype("float32")
    x_test = ((x_test - mean) / std).astype("float32")
    y_mean, y_std = y_train.mean(), y_train.std()

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(x_train.shape[1],)),
        keras.layers.Dense(1),  # linear output: regression
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                  loss=keras.losses.MeanSquaredError())
    start = time.perf_counter()
    model.fit(x_train, ((y_train - y_mean) / y_std).astype("float32"), epochs=epochs,
              batch_size=batch_size, verbose=verbose)
    seconds = time.perf_counter() - start
    y_pred = model.predict(x_test, verbose=0)[:, 0] * y_std + y_mean

    # The exact least-squares fit on the same features, for reference.
    design = np.column_stack([x_train.astype(np.float64), np.ones(len(x_train))])
    coef, *_ = np.linalg.lstsq(design, y_train, rcond=None)
    y_lstsq = np.column_stack([x_test.astype(np.float64), np.ones(len(x_test))]) @ coef
    return {"r2": r2_score(y_test, y_pred), "mse": float(np.mean((y_test - y_pred) ** 2)),
            "lstsq_r2": r2_score(y_test, y_lstsq), "seconds": seconds}


if __name__ == "__main__":
    result = main()
    print(f"diabetes: test R^2 {result['r2']:.4f} (least squares {result['lstsq_r2']:.4f}), "
          f"test MSE {result['mse']:.1f} ({result['seconds']:.2f} s)")
