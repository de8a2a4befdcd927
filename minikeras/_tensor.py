"""The arrays a user sees: NumPy arrays that also answer ``.numpy()``.

TensorFlow's eager tensors have ``.numpy()``, and tf.keras code calls it on the
result of ``model(x)`` or ``loss(y, p)``. Internal paths use plain arrays; only
the public call boundary wraps, with a zero-copy ``view``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Tensor(np.ndarray):
    """A ``numpy.ndarray`` with ``.numpy()``, as returned by ``model(x)`` and ``layer(x)``."""

    def numpy(self) -> np.ndarray:
        """Return the values as a plain ``numpy.ndarray`` (no copy)."""
        return self.view(np.ndarray)

    def __float__(self) -> float:
        return float(self.view(np.ndarray))


def as_tensor(value: Any) -> Tensor:
    """Wrap ``value`` as a :class:`Tensor` without copying."""
    return np.asarray(value).view(Tensor)


def as_array(value: Any) -> np.ndarray:
    """Unwrap a :class:`Tensor` (or anything array-like) to a plain ndarray."""
    if isinstance(value, np.ndarray):
        return value.view(np.ndarray) if type(value) is not np.ndarray else value
    return np.asarray(value)
