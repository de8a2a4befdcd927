"""Cached read-only vectors of ones and zeros, for row sums and probes through BLAS.

NumPy's reductions over a short last axis (``x.sum(axis=-1)`` on 10 classes)
and along the batch axis (a bias gradient) walk the array element by element
with per-row overhead; the same sums as a matrix-vector product run in BLAS,
3 to 7 times faster on the sizes of a training step (benchmarks/README.md).
Multiplying by zeros also probes rows for NaN or inf: ``0 * inf`` and
``0 * nan`` are NaN, every finite value gives 0. The vectors grow to the
largest size asked for and are shared; callers take views and never write.
"""

from __future__ import annotations

import numpy as np

#: The dtypes NumPy hands to BLAS (the shortcuts above apply to these only).
BLAS_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))

_cache: dict[tuple[str, np.dtype], np.ndarray] = {}


def _vector(kind: str, n: int, dtype: np.dtype) -> np.ndarray:
    key = (kind, np.dtype(dtype))
    vec = _cache.get(key)
    if vec is None or vec.shape[0] < n:
        size = max(n, 2 * vec.shape[0] if vec is not None else 0)
        vec = np.ones(size, dtype) if kind == "ones" else np.zeros(size, dtype)
        vec.flags.writeable = False
        _cache[key] = vec
    return vec[:n]


def ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of ``n`` ones."""
    return _vector("ones", n, dtype)


def zeros(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of ``n`` zeros."""
    return _vector("zeros", n, dtype)
