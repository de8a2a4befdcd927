"""Boston housing prices: 506 rows of 13 attributes, the median home value in k$.

Read from Keras's own file ``boston_housing.npz`` in the Keras cache
(``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), downloaded from Keras's URL on
first use, and split exactly as ``keras.datasets.boston_housing.load_data``.

Source: StatLib, Carnegie Mellon University (http://lib.stat.cmu.edu/datasets/boston).
Keras warns that the attribute "B" raises an ethical problem; prefer
``california_housing`` (``version="small"``) except to discuss that problem.
"""

from __future__ import annotations

import os

import numpy as np

from ._common import Split, check_test_split, keras_file, split

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
#: sha256 of Keras's file (from ``keras.src.datasets.boston_housing``).
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str | os.PathLike[str] | None = "boston_housing.npz",
              test_split: float = 0.2, seed: int = 113) -> Split:
    """Load the Boston housing data as Keras does.

    Args:
        path: a bare file name is looked up in (and downloaded to) the Keras cache; a
            path with a folder in it is read as it is. The file is an ``.npz`` with
            arrays ``x`` and ``y``, as Keras's.
        test_split: fraction of rows kept for the test set, in [0, 1).
        seed: seed of the ``RandomState`` shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x of shape ``(n, 13)``, y ``(n,)``.
    """
    check_test_split(test_split)  # before any download, as Keras
    file = keras_file("boston_housing", path, "boston_housing.npz", ORIGIN, FILE_HASH,
                      "the Boston housing data")
    return split(*read_xy(file), test_split, seed)


def read_xy(file: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Arrays ``x`` and ``y`` of an ``.npz`` in Keras's layout (no pickled objects)."""
    with np.load(file, allow_pickle=False) as f:
        missing = [k for k in ("x", "y") if k not in f.files]
        if missing:
            raise ValueError(f"{os.fspath(file)!r} is not in Keras's layout: missing arrays "
                             f"{missing} (expected 'x' and 'y').")
        return f["x"], f["y"]
