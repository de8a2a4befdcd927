"""Reductions (``ops.sum``, ``ops.mean``, ``ops.argmax``, ``ops.top_k``...)."""

from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np

from .. import config
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


# ------------------------------------------------------------------ statistics
def _quantile_dtype(a: np.ndarray) -> np.dtype:
    return a.dtype if a.dtype.kind in "fc" else np.dtype(config.floatx())


def quantile(x: Any, q: Any, axis: Any = None, method: str = "linear",
             keepdims: bool = False) -> Tensor:
    """The ``q``-th quantiles (``q`` in ``[0, 1]``) over ``axis``; integers give ``floatx``."""
    a = _arr(x)
    return _out(np.quantile(a, _arr(q), axis=axis, method=method, keepdims=keepdims)
                .astype(_quantile_dtype(a)))


def percentile(x: Any, q: Any, axis: Any = None, method: str = "linear",
               keepdims: bool = False) -> Tensor:
    """The ``q``-th percentiles (``q`` in ``[0, 100]``) over ``axis``."""
    a = _arr(x)
    return _out(np.percentile(a, _arr(q), axis=axis, method=method, keepdims=keepdims)
                .astype(_quantile_dtype(a)))


def _nan_quantiles(fn: Any, x: Any, q: Any, axis: Any, method: str, keepdims: bool) -> Tensor:
    a = _arr(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, quietly
        return _out(fn(a, _arr(q), axis=axis, method=method, keepdims=keepdims)
                    .astype(_quantile_dtype(a)))


def nanquantile(x: Any, q: Any, axis: Any = None, method: str = "linear",
                keepdims: bool = False) -> Tensor:
    """:func:`quantile` ignoring NaNs."""
    return _nan_quantiles(np.nanquantile, x, q, axis, method, keepdims)


def nanpercentile(x: Any, q: Any, axis: Any = None, method: str = "linear",
                  keepdims: bool = False) -> Tensor:
    """:func:`percentile` ignoring NaNs."""
    return _nan_quantiles(np.nanpercentile, x, q, axis, method, keepdims)


def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`sum` treating NaNs as 0."""
    a = _arr(x)
    return _out(np.nansum(a, axis=axis, keepdims=keepdims).astype(_accumulator(a)))


def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`prod` treating NaNs as 1."""
    a = _arr(x)
    return _out(np.nanprod(a, axis=axis, keepdims=keepdims).astype(_accumulator(a)))


def nancumsum(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    """:func:`cumsum` treating NaNs as 0."""
    a = _arr(x)
    return _out(np.nancumsum(a, axis=axis, dtype=dtype or _accumulator(a)))


def nancumprod(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    """:func:`cumprod` treating NaNs as 1."""
    a = _arr(x)
    return _out(np.nancumprod(a, axis=axis, dtype=dtype or _accumulator(a)))


def _nan_stat(fn: Any, x: Any, axis: Any, keepdims: bool) -> Tensor:
    a = _floating(x)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, quietly
        return _out(np.asarray(fn(a, axis=axis, keepdims=keepdims)).astype(a.dtype))


def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`mean` of the non-NaN elements."""
    return _nan_stat(np.nanmean, x, axis, keepdims)


def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`var` of the non-NaN elements."""
    return _nan_stat(np.nanvar, x, axis, keepdims)


def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`std` of the non-NaN elements."""
    return _nan_stat(np.nanstd, x, axis, keepdims)


def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`median` of the non-NaN elements."""
    return _nan_stat(np.nanmedian, x, axis, keepdims)


def _nan_extreme(fn: Any, x: Any, axis: Any, keepdims: bool) -> Tensor:
    a = _arr(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _out(fn(a, axis=axis, keepdims=keepdims))


def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`max` ignoring NaNs (NaN where every element is NaN)."""
    return _nan_extreme(np.nanmax, x, axis, keepdims)


def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`min` ignoring NaNs (NaN where every element is NaN)."""
    return _nan_extreme(np.nanmin, x, axis, keepdims)


def _nan_arg(fn: Any, fill: float, x: Any, axis: Any, keepdims: bool) -> Tensor:
    a = _arr(x)
    if a.dtype.kind not in "fc":
        return _out(fn(a, axis=axis, keepdims=keepdims).astype(np.int32))
    nan = np.isnan(a)
    found = fn(np.where(nan, fill, a), axis=axis, keepdims=keepdims).astype(np.int32)
    return _out(np.where(np.all(nan, axis=axis, keepdims=keepdims), np.int32(-1), found))


def nanargmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`argmax` ignoring NaNs; -1 where every element is NaN (int32)."""
    return _nan_arg(np.argmax, -np.inf, x, axis, keepdims)


def nanargmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`argmin` ignoring NaNs; -1 where every element is NaN (int32)."""
    return _nan_arg(np.argmin, np.inf, x, axis, keepdims)


def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``max - min`` over ``axis``."""
    return _out(np.ptp(_arr(x), axis=axis, keepdims=keepdims))


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """Sum along a diagonal (bools and small ints in int32, as :func:`sum`)."""
    a = _arr(x)
    return _out(np.trace(a, offset=offset, axis1=axis1, axis2=axis2, dtype=_accumulator(a)))


def corrcoef(x: Any) -> Tensor:
    """Pearson correlation coefficients of the rows of ``x``."""
    a = _arr(x)
    dtype = a.dtype if a.dtype in (np.float16, np.float64) else (
        np.float64 if a.dtype == np.int64 else np.dtype(config.floatx()))
    return _out(np.corrcoef(a).astype(dtype))


def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Tensor:
    """Integral of ``y`` along ``axis`` by the trapezoidal rule; integers give ``floatx``."""
    a = _arr(y)
    ys = a.astype(np.float64)
    xs = None if x is None else _arr(x).astype(np.float64)
    value = np.trapezoid(ys, xs, dx=dx, axis=axis) if hasattr(np, "trapezoid") else \
        np.trapz(ys, xs, dx=dx, axis=axis)
    return _out(np.asarray(value).astype(_quantile_dtype(a)))


def histogram(x: Any, bins: int = 10, range: Any = None) -> tuple[Tensor, Tensor]:  # noqa: A002
    """Counts of ``x`` in ``bins`` equal bins over ``range`` and the ``bins + 1`` edges.

    Both come back in ``x``'s float dtype (``floatx`` for integers), counts included,
    as the JAX and torch backends give them.
    """
    a = _floating(x)
    if a.ndim != 1:
        raise ValueError(f"Input tensor must be 1-dimensional. Received: input.shape={a.shape}")
    counts, edges = np.histogram(a, bins=bins, range=range)
    return _out(counts.astype(a.dtype)), _out(edges.astype(a.dtype))


def bincount(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> Tensor:
    """Occurrences (or summed ``weights``) of each non-negative int; 2-D ``x`` counts by row.

    Without weights the counts are int32; with them, the weights' (promoted) dtype.
    """
    if sparse:
        raise ValueError("Unsupported value `sparse=True`: arrays here are dense.")
    a = _arr(x)
    w = None if weights is None else _arr(weights)
    dtype = np.dtype(np.int32) if w is None else _promote(a, w)[1].dtype
    if a.ndim == 2:
        size = builtins.max(int(a.max(initial=-1)) + 1, minlength)
        rows = [np.bincount(r, None if w is None else wr, minlength=size)
                for r, wr in zip(a, a if w is None else w)]
        return _out(np.stack(rows).astype(dtype))
    return _out(np.bincount(a, w, minlength).astype(dtype))


def cdist(x: Any, y: Any) -> Tensor:
    """Euclidean distances between the rows (last axis) of ``x`` and of ``y``."""
    a, b = _promote(x, y)
    a, b = (a, b) if a.dtype.kind in "fc" else (a.astype(config.floatx()),
                                                b.astype(config.floatx()))
    diff = a[..., :, None, :] - b[..., None, :, :]
    return _out(np.sqrt(np.sum(np.square(diff), axis=-1)))


# ------------------------------------------------------------------ segment reductions
def _segment(ufunc: Any, fill: Any, data: Any, segment_ids: Any, num_segments: Any) -> Tensor:
    values, ids = _arr(data), _arr(segment_ids)
    if num_segments is None:
        num_segments = int(ids.max()) + 1
    keep = ids >= 0
    values, ids = values[keep], ids[keep]
    if fill is None:
        out = np.zeros((num_segments,) + values.shape[1:], dtype=values.dtype)
    else:
        out = np.full((num_segments,) + values.shape[1:], fill, dtype=values.dtype)
    ufunc.at(out, ids, values)
    return _out(out)


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind in "fc" else np.iinfo(dtype).min if dtype.kind in "iu" else 0


def _highest(dtype: np.dtype) -> Any:
    return np.inf if dtype.kind in "fc" else np.iinfo(dtype).max if dtype.kind in "iu" else 1


def segment_sum(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:  # noqa: A002
    """Sum of the rows of ``data`` that share a segment id (negative ids are dropped)."""
    return _segment(np.add, None, data, segment_ids, num_segments)


def segment_prod(data: Any, segment_ids: Any, num_segments: int | None = None,
                 sorted: bool = False) -> Tensor:  # noqa: A002
    """Product of the rows of ``data`` that share a segment id (1 for an empty segment)."""
    return _segment(np.multiply, 1, data, segment_ids, num_segments)


def segment_max(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:  # noqa: A002
    """Largest row of each segment (the dtype's lowest value, -inf, for an empty one)."""
    dtype = _arr(data).dtype
    return _segment(np.maximum, _lowest(dtype), data, segment_ids, num_segments)


def segment_min(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:  # noqa: A002
    """Smallest row of each segment (the dtype's highest value, inf, for an empty one)."""
    dtype = _arr(data).dtype
    return _segment(np.minimum, _highest(dtype), data, segment_ids, num_segments)
