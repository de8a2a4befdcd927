"""California housing: 20,640 census block groups, 8 features, the median house value.

Read from Keras's own file ``california_housing.npz`` in the Keras cache
(``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), downloaded from Keras's URL on
first use, and split exactly as ``keras.datasets.california_housing.load_data``.
Features: MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude,
Longitude; the target is in dollars.

Source: StatLib (https://www.dcc.fc.up.pt/~ltorgo/Regression/cal_housing.html), from
the 1990 U.S. census.
"""

from __future__ import annotations

import os

from ._common import Split, check_test_split, keras_file, split
from .boston_housing import read_xy

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
#: sha256 of Keras's file (from ``keras.src.datasets.california_housing``).
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
FEATURE_NAMES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup",
                 "Latitude", "Longitude")


def load_data(version: str = "large", path: str | os.PathLike[str] | None =
              "california_housing.npz", test_split: float = 0.2, seed: int = 113) -> Split:
    """Load the California housing data as Keras does.

    Args:
        version: ``"large"`` (all 20,640 rows) or ``"small"`` (the first 600 rows,
            Keras's stand-in for ``boston_housing``).
        path: a bare file name is looked up in (and downloaded to) the Keras cache; a
            path with a folder in it is read as it is (an ``.npz`` with ``x`` and ``y``).
        test_split: fraction of rows kept for the test set, in [0, 1).
        seed: seed of the ``RandomState`` shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x of shape ``(n, 8)``, y ``(n,)``.
    """
    check_test_split(test_split)
    # Keras checks `version` only after reading the file; a bad argument should not
    # cost a download, so it is checked first here (same error).
    if version not in ("small", "large"):
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version}")
    file = keras_file("california_housing", path, "california_housing.npz", ORIGIN,
                      FILE_HASH, "the California housing data")
    x, y = read_xy(file)
    if version == "small":
        x, y = x[:600], y[:600]
    return split(x, y, test_split, seed)
