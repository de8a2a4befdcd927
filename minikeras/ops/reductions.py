"""Reductions (``ops.sum``, ``ops.mean``, ``ops.argmax``, ``ops.top_k``...)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from .core import _accumulator, _arr, _floating, _out, _promote


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (bools and small ints in int32, as Keras)."""
    a = _arr(x)
    return _out(np.sum(a, axis=axis, keepdims=keepdims, dtype=_accumulator(a)))


def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    """Product over ``axis``."""
    a = _arr(x)
    return _out(np.prod(a, axis=axis, keepdims=keepdims, dtype=dtype or _accumulator(a)))


def cumsum(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``axis`` (flattened when None)."""
    a = _arr(x)
    return _out(np.cumsum(a, axis=axis, dtype=dtype or _accumulator(a)))


def cumprod(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    """Cumulative product along ``axis`` (flattened when None)."""
    a = _arr(x)
    return _out(np.cumprod(a, axis=axis, dtype=dtype or _accumulator(a)))


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (all axes when None); integers give floats."""
    return _out(np.mean(_floating(x), axis=axis, keepdims=keepdims))


def median(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Median over ``axis``; integers give floats."""
    return _out(np.median(_floating(x), axis=axis, keepdims=keepdims))


def average(x: Any, axis: Any = None, weights: Any = None) -> Tensor:
    """Mean over ``axis``, weighted by ``weights`` (broadcast along ``axis``) when given."""
    if weights is None:
        return mean(x, axis=axis)
    a, w = _promote(_floating(x), weights)
    return _out(np.average(a, axis=axis, weights=w))


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population standard deviation over ``axis``."""
    return _out(np.std(_floating(x), axis=axis, keepdims=keepdims))


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population variance over ``axis``."""
    return _out(np.var(_floating(x), axis=axis, keepdims=keepdims))


def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """Largest value over ``axis``."""
    kwargs = {} if initial is None else {"initial": initial}
    return _out(np.max(_arr(x), axis=axis, keepdims=keepdims, **kwargs))


def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """Smallest value over ``axis``."""
    kwargs = {} if initial is None else {"initial": initial}
    return _out(np.min(_arr(x), axis=axis, keepdims=keepdims, **kwargs))


def amax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Same as :func:`max`."""
    return max(x, axis=axis, keepdims=keepdims)


def amin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Same as :func:`min`."""
    return min(x, axis=axis, keepdims=keepdims)


def argmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Index of the largest value over ``axis`` (int32, as Keras)."""
    return _out(np.argmax(_arr(x), axis=axis, keepdims=keepdims).astype(np.int32))


def argmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Index of the smallest value over ``axis`` (int32, as Keras)."""
    return _out(np.argmin(_arr(x), axis=axis, keepdims=keepdims).astype(np.int32))


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether any element over ``axis`` is true."""
    return _out(np.any(_arr(x), axis=axis, keepdims=keepdims))


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether every element over ``axis`` is true."""
    return _out(np.all(_arr(x), axis=axis, keepdims=keepdims))


def count_nonzero(x: Any, axis: Any = None) -> Tensor:
    """Number of non-zero elements over ``axis`` (int32, as Keras)."""
    return _out(np.asarray(np.count_nonzero(_arr(x), axis=axis), dtype=np.int32))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, computed without overflow."""
    from scipy.special import logsumexp as scipy_logsumexp

    a = _floating(x)
    return _out(scipy_logsumexp(a, axis=axis, keepdims=keepdims).astype(a.dtype, copy=False))


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """Vector or matrix norm (``numpy.linalg.norm``)."""
    a = _floating(x)
    return _out(np.linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims)
                .astype(a.dtype, copy=False))


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:  # noqa: A002
    """The ``k`` largest values along the last axis and their int32 indices, largest first.

    Ties go to the lower index (as ``jax.lax.top_k``); ``sorted`` is accepted and the
    result is always sorted.
    """
    a = _arr(x)
    n = a.shape[-1]
    # A stable ascending sort of the reversed row, read backwards: descending, ties by index.
    order = np.argsort(np.flip(a, axis=-1), axis=-1, kind="stable")[..., ::-1][..., :k]
    indices = (n - 1 - order).astype(np.int32)
    return _out(np.take_along_axis(a, indices, axis=-1)), _out(indices)
