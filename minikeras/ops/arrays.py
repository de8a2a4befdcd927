"""Shapes, indexing and array creation (``ops.reshape``, ``ops.take``, ``ops.ones``...)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import config
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


# ------------------------------------------------------------------ more of Keras's array ops
def array(x: Any, dtype: Any = None) -> Tensor:
    """An array of ``x`` (as :func:`~minikeras.ops.convert_to_tensor`)."""
    a = _arr(x)
    return _out(a if dtype is None else a.astype(np.dtype(dtype), copy=False))


def copy(x: Any) -> Tensor:
    """A copy of ``x``."""
    return _out(np.array(_arr(x), copy=True))


def view(x: Any, dtype: Any = None) -> Tensor:
    """The bytes of ``x`` reinterpreted as ``dtype`` (no conversion)."""
    a = _arr(x)
    return _out(a if dtype is None else a.view(np.dtype(dtype)))


def empty(shape: Any, dtype: Any = None) -> Tensor:
    """An uninitialised array (``floatx`` by default)."""
    return _out(np.empty(shape, dtype=_dtype(dtype)))


def empty_like(x: Any, dtype: Any = None) -> Tensor:
    """An uninitialised array with the shape (and dtype, unless given) of ``x``."""
    return _out(np.empty_like(_arr(x), dtype=dtype))


def broadcast_to(x: Any, shape: Any) -> Tensor:
    """``x`` broadcast to ``shape`` (a new array, not a read-only view)."""
    return _out(np.array(np.broadcast_to(_arr(x), shape)))


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The ``offset``-th diagonal of the (``axis1``, ``axis2``) planes, as the last axis."""
    return _out(np.array(np.diagonal(_arr(x), offset=offset, axis1=axis1, axis2=axis2)))


def diagflat(x: Any, k: int = 0) -> Tensor:
    """A 2-D array with the flattened ``x`` on its ``k``-th diagonal."""
    return _out(np.diagflat(_arr(x), k=k))


def diff(a: Any, n: int = 1, axis: int = -1) -> Tensor:
    """The ``n``-th discrete difference along ``axis``."""
    return _out(np.diff(_arr(a), n=n, axis=axis))


def roll(x: Any, shift: Any, axis: Any = None) -> Tensor:
    """``x`` rolled by ``shift`` along ``axis`` (the flattened array when None)."""
    return _out(np.roll(_arr(x), shift, axis=axis))


def rot90(array: Any, k: int = 1, axes: Any = (0, 1)) -> Tensor:
    """``array`` rotated by ``k`` quarter turns in the plane of ``axes``."""
    return _out(np.rot90(_arr(array), k=k, axes=tuple(axes)))


def fliplr(x: Any) -> Tensor:
    """``x`` reversed along its second axis."""
    return _out(np.fliplr(_arr(x)))


def flipud(x: Any) -> Tensor:
    """``x`` reversed along its first axis."""
    return _out(np.flipud(_arr(x)))


def append(x1: Any, x2: Any, axis: Any = None) -> Tensor:
    """``x2`` joined after ``x1`` along ``axis`` (both flattened when None)."""
    return _out(np.append(*_promote(x1, x2), axis=axis))


def dstack(xs: Any) -> Tensor:
    """Join arrays along the third axis."""
    return _out(np.dstack(_promote(*xs)))


def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """``x`` cut into ``indices_or_sections`` near-equal parts (the first ones longer)."""
    return [_out(p) for p in np.array_split(_arr(x), indices_or_sections, axis=axis)]


def hsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """:func:`split` along the second axis (the first for 1-D arrays)."""
    return [_out(p) for p in np.hsplit(_arr(x), indices_or_sections)]


def vsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """:func:`split` along the first axis."""
    return [_out(p) for p in np.vsplit(_arr(x), indices_or_sections)]


def dsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """:func:`split` along the third axis."""
    return [_out(p) for p in np.dsplit(_arr(x), indices_or_sections)]


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[Tensor]:
    """The slices of ``x`` along ``axis``, as a list."""
    a = np.moveaxis(_arr(x), axis, 0)
    if num is not None and num != a.shape[0]:
        raise ValueError(f"unstack: num={num} does not match the axis length {a.shape[0]}.")
    return [_out(a[i]) for i in range(a.shape[0])]


def nonzero(x: Any) -> tuple[Tensor, ...]:
    """The int32 indices of the non-zero elements, one array per axis."""
    return tuple(_out(i.astype(np.int32)) for i in np.nonzero(_arr(x)))


def argpartition(x: Any, kth: Any, axis: int = -1) -> Tensor:
    """Indices that partition ``x`` around its ``kth`` element along ``axis`` (int32)."""
    return _out(np.argpartition(_arr(x), kth, axis=axis).astype(np.int32))


def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> Tensor:
    """Where ``values`` would be inserted into the 1-D ``sorted_sequence`` (int32)."""
    seq = _arr(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError("`searchsorted` only supports 1-D sorted sequences. "
                         f"Received: sorted_sequence.shape={seq.shape}")
    return _out(np.searchsorted(seq, _arr(values), side=side).astype(np.int32))


def digitize(x: Any, bins: Any) -> Tensor:
    """The index of the bin (between ``bins`` edges) that holds each element (int32)."""
    return _out(np.digitize(_arr(x), _arr(bins)).astype(np.int32))


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """Flat ``indices`` as a tuple of coordinate arrays in ``shape`` (the indices' dtype)."""
    idx = _arr(indices)
    return tuple(_out(c.astype(idx.dtype)) for c in np.unravel_index(idx, tuple(shape)))


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Tensor:
    """Per element, the ``choicelist`` entry of the first true condition, else ``default``."""
    conds = [_arr(c) for c in condlist]
    choices = _promote(*choicelist)
    return _out(np.select(conds, choices, default=np.asarray(default, choices[0].dtype)))


def get_item(x: Any, key: Any) -> Tensor:
    """``x[key]``."""
    return _out(_arr(x)[key])


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of the 1-D ``x`` (in ``x``'s dtype)."""
    a = _arr(x)
    return _out(np.vander(a, N=N, increasing=increasing).astype(a.dtype))


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Tensor:
    """``num`` values spaced evenly on a log scale from ``start`` to ``stop`` (``floatx``)."""
    return _out(np.geomspace(start, stop, num=num, endpoint=endpoint, dtype=_dtype(dtype),
                             axis=axis))


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: float = 10,
             dtype: Any = None, axis: int = 0) -> Tensor:
    """``base ** linspace(start, stop, num)`` (``floatx`` unless an operand is float64)."""
    if dtype is None:
        dtype = _promote(start, stop, 0.0)[0].dtype
    return _out(np.logspace(start, stop, num=num, endpoint=endpoint, base=base, dtype=dtype,
                            axis=axis))


def _window(fn: Any, x: Any, *args: Any) -> Tensor:
    return _out(fn(int(np.asarray(_arr(x))), *args).astype(config.floatx()))


def bartlett(x: Any) -> Tensor:
    """The Bartlett (triangular) window of ``x`` points (``floatx``)."""
    return _window(np.bartlett, x)


def blackman(x: Any) -> Tensor:
    """The Blackman window of ``x`` points (``floatx``)."""
    return _window(np.blackman, x)


def hamming(x: Any) -> Tensor:
    """The Hamming window of ``x`` points (``floatx``)."""
    return _window(np.hamming, x)


def hanning(x: Any) -> Tensor:
    """The Hann window of ``x`` points (``floatx``)."""
    return _window(np.hanning, x)


def kaiser(x: Any, beta: float) -> Tensor:
    """The Kaiser window of ``x`` points with shape parameter ``beta`` (``floatx``)."""
    return _window(np.kaiser, x, beta)


# ------------------------------------------------------------------ scatter and slices
def scatter(indices: Any, values: Any, shape: Any) -> Tensor:
    """A zero array of ``shape`` with ``values`` added at ``indices`` (repeats accumulate).

    ``indices`` is ``(..., k)``: each row names the first ``k`` coordinates of a slot.
    """
    idx, vals = _arr(indices), _arr(values)
    shape = tuple(int(s) for s in shape)
    k = idx.shape[-1]
    out = np.zeros(shape, dtype=vals.dtype)
    np.add.at(out, tuple(idx.reshape(-1, k).T), vals.reshape((-1,) + shape[k:]))
    return _out(out)


def scatter_update(inputs: Any, indices: Any, updates: Any, reduction: str | None = None
                   ) -> Tensor:
    """A copy of ``inputs`` with ``updates`` written (or reduced) at the rows of ``indices``.

    ``reduction`` is None (overwrite), ``"add"``, ``"max"``, ``"min"`` or ``"mul"``.
    """
    out = np.array(_arr(inputs), copy=True)
    idx = tuple(np.asarray(_arr(indices)).T)
    upd = _arr(updates).astype(out.dtype, copy=False)
    ufuncs = {"add": np.add, "max": np.maximum, "min": np.minimum, "mul": np.multiply}
    if reduction is None:
        out[idx] = upd
    elif reduction in ufuncs:
        ufuncs[reduction].at(out, idx, upd)
    else:
        raise ValueError(f"Unsupported reduction: {reduction}")
    return _out(out)


def _box(start_indices: Any, shape: Any) -> tuple[slice, ...]:
    starts = [int(s) for s in np.asarray(_arr(start_indices)).reshape(-1)]
    sizes = [int(s) for s in shape]
    if len(starts) != len(sizes):
        raise ValueError("Length of `start_indices` must match length of `shape`. "
                         f"Received: start_indices={starts}, shape={sizes}")
    return tuple(builtins.slice(s, s + n) for s, n in zip(starts, sizes))


def slice(inputs: Any, start_indices: Any, shape: Any) -> Tensor:  # noqa: A001
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``."""
    return _out(np.array(_arr(inputs)[_box(start_indices, shape)]))


def slice_update(inputs: Any, start_indices: Any, updates: Any) -> Tensor:
    """A copy of ``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    out = np.array(_arr(inputs), copy=True)
    upd = _arr(updates)
    out[_box(start_indices, upd.shape)] = upd
    return _out(out)


def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> Tensor:
    """Frames of ``sequence_length`` along the last axis, every ``sequence_stride`` steps."""
    a = _arr(x)
    frames = (a.shape[-1] - sequence_length) // sequence_stride + 1
    starts = np.arange(frames)[:, None] * sequence_stride + np.arange(sequence_length)
    return _out(a[..., starts])
