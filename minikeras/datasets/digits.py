"""Optical recognition of handwritten digits: 1,797 images of 8x8 pixels, 10 classes.

Source: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository,
https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits
(licence: CC BY 4.0); this is the repository's test set. The bundled copy
``data/digits.npz`` is taken unchanged from scikit-learn's
(``sklearn.datasets.load_digits``, BSD-3-Clause).

Each image counts the "on" pixels of a 32x32 bitmap in 4x4 blocks, so each of the
8x8 values is an integer from 0 to 16. As with ``mnist``, the images come as
``(n, 8, 8)`` arrays: use ``x.reshape(len(x), -1) / 16.0`` (or a ``Flatten`` layer)
for a dense network.
"""

from __future__ import annotations

import os

from ._common import Split, load_npz, split


def load_data(path: str | os.PathLike[str] | None = None, test_split: float = 0.2,
              seed: int = 113) -> Split:
    """Load the data set, shuffled with ``seed`` and split as Keras's ``boston_housing``.

    Args:
        path: ``None`` for the bundled copy, or an ``.npz`` file of the same form
            (arrays ``x`` and ``y``).
        test_split: fraction of rows kept for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x uint8 of shape ``(n, 8, 8)`` with
        values 0 to 16, y int64 of shape ``(n,)`` with the digit 0 to 9.
    """
    x, y = load_npz("digits", path)
    return split(x, y, test_split, seed)
