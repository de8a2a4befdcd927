"""Diabetes (Efron, Hastie, Johnstone and Tibshirani): 442 patients, 10 features, regression.

Source: B. Efron, T. Hastie, I. Johnstone and R. Tibshirani (2004), "Least Angle
Regression", Annals of Statistics 32(2), 407-499; data published by the authors at
https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html (no licence stated there).
The bundled copy ``data/diabetes.npz`` is scikit-learn's raw, unscaled copy
(``sklearn.datasets.load_diabetes(scaled=False)``, distributed under BSD-3-Clause).

Features, in order: age (years), sex (1 or 2), body mass index, average blood pressure,
and six blood serum measurements s1 to s6 (tc, ldl, hdl, tch, ltg, glu). The target is
a quantitative measure of disease progression one year after baseline (25 to 346).
The values are as published, not scaled: standardize the features before training.
"""

from __future__ import annotations

import os

from ._common import Split, load_npz, split

FEATURE_NAMES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


def load_data(path: str | os.PathLike[str] | None = None, test_split: float = 0.2,
              seed: int = 113) -> Split:
    """Load the data set, shuffled with ``seed`` and split as Keras's ``boston_housing``.

    Args:
        path: ``None`` for the bundled copy, or an ``.npz`` file of the same form
            (arrays ``x`` and ``y``).
        test_split: fraction of rows kept for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x float64 of shape ``(n, 10)``,
        y float64 of shape ``(n,)``.
    """
    x, y = load_npz("diabetes", path)
    return split(x, y, test_split, seed)
