"""Shapes, indexing and array creation (``ops.reshape``, ``ops.take``, ``ops.ones``...)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from .core import _arr, _dtype, _out, _promote


def shape(x: Any) -> tuple[int, ...]:
    """The shape as a tuple of ints."""
    return tuple(np.shape(_arr(x)))


def size(x: Any) -> int:
    """The number of elements."""
    return int(np.size(_arr(x)))


def ndim(x: Any) -> int:
    """The number of axes."""
    return int(np.ndim(_arr(x)))


def reshape(x: Any, newshape: Any) -> Tensor:
    """``x`` with shape ``newshape`` (one entry may be -1)."""
    return _out(np.reshape(_arr(x), newshape))


def ravel(x: Any) -> Tensor:
    """``x`` flattened to one axis."""
    return _out(np.ravel(_arr(x)))


def expand_dims(x: Any, axis: Any) -> Tensor:
    """``x`` with a new axis of length 1 at ``axis``."""
    return _out(np.expand_dims(_arr(x), axis))


def squeeze(x: Any, axis: Any = None) -> Tensor:
    """``x`` without its length-1 axes (or only ``axis``)."""
    return _out(np.squeeze(_arr(x), axis=axis))


def transpose(x: Any, axes: Any = None) -> Tensor:
    """``x`` with its axes permuted (reversed when None)."""
    return _out(np.transpose(_arr(x), axes))


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """``x`` with two axes interchanged."""
    return _out(np.swapaxes(_arr(x), axis1, axis2))


def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    """``x`` with axes ``source`` moved to ``destination``."""
    return _out(np.moveaxis(_arr(x), source, destination))


def flip(x: Any, axis: Any = None) -> Tensor:
    """``x`` reversed along ``axis`` (every axis when None)."""
    return _out(np.flip(_arr(x), axis=axis))


def stack(x: Any, axis: int = 0) -> Tensor:
    """Join a sequence of arrays along a new axis."""
    return _out(np.stack(_promote(*x), axis=axis))


def concatenate(xs: Any, axis: int = 0) -> Tensor:
    """Join a sequence of arrays along an existing axis."""
    return _out(np.concatenate(_promote(*xs), axis=axis))


def vstack(xs: Any) -> Tensor:
    """Join arrays along the first axis (1-D arrays become rows)."""
    return _out(np.vstack(_promote(*xs)))


def hstack(xs: Any) -> Tensor:
    """Join arrays along the second axis (the first for 1-D arrays)."""
    return _out(np.hstack(_promote(*xs)))


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """``x`` cut into equal sections, or at the given indices, along ``axis``."""
    return [_out(p) for p in np.split(_arr(x), indices_or_sections, axis=axis)]


def tile(x: Any, repeats: Any) -> Tensor:
    """``x`` repeated ``repeats`` times along each axis."""
    return _out(np.tile(_arr(x), repeats))


def repeat(x: Any, repeats: Any, axis: Any = None) -> Tensor:
    """Each element of ``x`` repeated ``repeats`` times (``x`` flattened when ``axis`` is None)."""
    return _out(np.repeat(_arr(x), repeats, axis=axis))


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None
        ) -> Tensor:
    """``x`` padded by ``pad_width`` (``numpy.pad``'s forms); constant padding is 0 unless given."""
    if constant_values is not None and mode != "constant":
        raise ValueError("pad: `constant_values` can only be given when mode='constant'. "
                         f"Received: mode={mode!r}")
    kwargs = {} if constant_values is None else {"constant_values": constant_values}
    return _out(np.pad(_arr(x), pad_width, mode=mode, **kwargs))


def take(x: Any, indices: Any, axis: Any = None) -> Tensor:
    """Elements of ``x`` at ``indices`` along ``axis``."""
    return _out(np.take(_arr(x), _arr(indices), axis=axis))


def take_along_axis(x: Any, indices: Any, axis: Any = None) -> Tensor:
    """Elements of ``x`` picked by an index array shaped like ``x`` along ``axis``."""
    return _out(np.take_along_axis(_arr(x), _arr(indices), axis=axis))


def sort(x: Any, axis: int = -1) -> Tensor:
    """``x`` sorted along ``axis``."""
    return _out(np.sort(_arr(x), axis=axis))


def argsort(x: Any, axis: int = -1) -> Tensor:
    """Indices that sort ``x`` along ``axis`` (int32, as Keras)."""
    return _out(np.argsort(_arr(x), axis=axis).astype(np.int32))


def unique(x: Any, sorted: bool = True, return_index: bool = False,  # noqa: A002
           return_inverse: bool = False, return_counts: bool = False, axis: Any = None,
           size: int | None = None, fill_value: Any = None) -> Any:
    """The sorted unique values of ``x``, and optionally Keras's index/inverse/count arrays.

    With ``size``, the values (and indices, counts) are cut or padded to that length
    (values with ``fill_value``, default 0), as ``jax.numpy.unique``.
    """
    found = np.unique(_arr(x), return_index=return_index, return_inverse=return_inverse,
                      return_counts=return_counts, axis=axis)
    parts = list(found) if isinstance(found, tuple) else [found]
    if size is not None:
        dim = 0 if axis is None else axis
        for i, part in enumerate(parts):
            is_inverse = return_inverse and i == 1 + int(return_index)
            if is_inverse:
                continue
            fill = (0 if fill_value is None else fill_value) if i == 0 else 0
            n = part.shape[dim if i == 0 else 0]
            if n >= size:
                parts[i] = np.take(part, np.arange(size), axis=dim if i == 0 else 0)
            else:
                widths = [(0, 0)] * part.ndim
                widths[dim if i == 0 else 0] = (0, size - n)
                parts[i] = np.pad(part, widths, constant_values=fill)
    outs = [_out(p) for p in parts]
    return outs[0] if len(outs) == 1 else tuple(outs)


def diag(x: Any, k: int = 0) -> Tensor:
    """The ``k``-th diagonal of a matrix, or a matrix with the vector ``x`` on it."""
    return _out(np.diag(_arr(x), k=k))


def tril(x: Any, k: int = 0) -> Tensor:
    """``x`` with the elements above the ``k``-th diagonal zeroed."""
    return _out(np.tril(_arr(x), k=k))


def triu(x: Any, k: int = 0) -> Tensor:
    """``x`` with the elements below the ``k``-th diagonal zeroed."""
    return _out(np.triu(_arr(x), k=k))


def meshgrid(*x: Any, indexing: str = "xy") -> list[Tensor]:
    """Coordinate grids from 1-D coordinate arrays (``"xy"`` or ``"ij"`` indexing)."""
    return [_out(g) for g in np.meshgrid(*(_arr(a) for a in x), indexing=indexing)]


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Tensor:
    """Sum of products over the given axes (``numpy.tensordot``)."""
    return _out(np.tensordot(*_promote(x1, x2), axes=axes))


def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> Tensor:
    """``numpy.einsum``."""
    return _out(np.einsum(subscripts, *_promote(*operands), **kwargs))


# ------------------------------------------------------------------ creation
def ones(shape: Any, dtype: Any = None) -> Tensor:
    """An array of ones (``floatx`` by default)."""
    return _out(np.ones(shape, dtype=_dtype(dtype)))


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    """An array of zeros (``floatx`` by default)."""
    return _out(np.zeros(shape, dtype=_dtype(dtype)))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """An array filled with ``fill_value`` (``floatx`` by default)."""
    return _out(np.full(shape, fill_value, dtype=_dtype(dtype)))


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``x``."""
    return _out(np.ones_like(_arr(x), dtype=dtype))


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``x``."""
    return _out(np.zeros_like(_arr(x), dtype=dtype))


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """``fill_value`` with the shape (and dtype, unless given) of ``x``."""
    return _out(np.full_like(_arr(x), fill_value, dtype=dtype))


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """An ``N x M`` array with ones on the ``k``-th diagonal (``floatx`` by default)."""
    return _out(np.eye(N, M, k=k, dtype=_dtype(dtype)))


def identity(n: int, dtype: Any = None) -> Tensor:
    """The ``n x n`` identity matrix (``floatx`` by default)."""
    return _out(np.identity(n, dtype=_dtype(dtype)))


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """Ones at and below the ``k``-th diagonal of an ``N x M`` array (``floatx`` by default)."""
    return _out(np.tri(N, M, k=k, dtype=_dtype(dtype)))


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``: int32 for ints, ``floatx`` for floats."""
    args = [a for a in (start, stop, step) if a is not None]
    if dtype is None:
        dtype = _promote(*args)[0].dtype
    return _out(np.arange(*args, dtype=dtype))


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0) -> Any:
    """``num`` evenly spaced values from ``start`` to ``stop`` (``floatx`` by default).

    With ``retstep``, the pair ``(values, step)``.
    """
    if dtype is None:
        dtype = _promote(start, stop, 0.0)[0].dtype
    values = np.linspace(_arr(start), _arr(stop), num=num, endpoint=endpoint,
                         retstep=retstep, dtype=dtype, axis=axis)
    return (_out(values[0]), values[1]) if retstep else _out(values)


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> Tensor:
    """One-hot rows of the integer labels ``x`` (``floatx`` by default)."""
    labels = _arr(x).astype(np.int64)
    out = (labels[..., None] == np.arange(num_classes)).astype(_dtype(dtype))
    return _out(np.moveaxis(out, -1, axis) if axis != -1 else out)
