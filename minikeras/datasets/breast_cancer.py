"""Breast Cancer Wisconsin (Diagnostic): 569 tumours, 30 features, binary labels.

Source: W. N. Street, W. H. Wolberg and O. L. Mangasarian, UCI Machine Learning
Repository, https://archive.ics.uci.edu/dataset/17/breast+cancer+wisconsin+diagnostic
(licence: CC BY 4.0). The bundled copy ``data/breast_cancer.npz`` is taken unchanged
from scikit-learn's (``sklearn.datasets.load_breast_cancer``, BSD-3-Clause).

Features are the mean, standard error and worst value of ten measurements of cell
nuclei (radius, texture, perimeter, area, smoothness, compactness, concavity, concave
points, symmetry, fractal dimension), in that order. Labels as in scikit-learn:
0 = malignant (212), 1 = benign (357). Standardize the features before training.
"""

from __future__ import annotations

import os

from ._common import Split, load_npz, split

FEATURE_NAMES = tuple(
    f"{kind} {name}" for kind in ("mean", "error", "worst")
    for name in ("radius", "texture", "perimeter", "area", "smoothness", "compactness",
                 "concavity", "concave points", "symmetry", "fractal dimension"))
CLASS_NAMES = ("malignant", "benign")


def load_data(path: str | os.PathLike[str] | None = None, test_split: float = 0.2,
              seed: int = 113) -> Split:
    """Load the data set, shuffled with ``seed`` and split as Keras's ``boston_housing``.

    Args:
        path: ``None`` for the bundled copy, or an ``.npz`` file of the same form
            (arrays ``x`` and ``y``).
        test_split: fraction of rows kept for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x float64 of shape ``(n, 30)``,
        y int64 of shape ``(n,)`` with values 0 (malignant) and 1 (benign).
    """
    x, y = load_npz("breast_cancer", path)
    return split(x, y, test_split, seed)
