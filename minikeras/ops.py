"""Array operations (``mk.ops``): the part of ``keras.ops`` that custom code calls.

Keras 3 programs write custom losses, metrics and callbacks with ``keras.ops``
(``ops.mean(ops.square(y_true - y_pred), axis=-1)``), so those functions must
exist for such programs to run unchanged. Here every value is a NumPy array, so
each op is its NumPy namesake with Keras's argument names and defaults; results
are :class:`~minikeras._tensor.Tensor` views (``.numpy()`` works, as in Keras).

Result dtypes follow Keras 3, not NumPy:

- Python ``int``/``float`` arguments are *weak*: ``ops.add(float32_array, 1)`` and
  ``ops.power(x, 2)`` keep float32; a Python float only makes an integer or bool
  operand float (``floatx``), a Python int makes a bool operand int32. This is
  decided here, not left to NumPy, so NumPy 1.26 (value-based casting) and
  NumPy 2 (weak scalars) give the same dtypes.
- Python data (``convert_to_tensor([1.5, 2.])``, ``ones``, ``arange(0.5, 3)``)
  becomes ``mk.config.floatx()``; Python ints become int32.
- int and float arrays together give the float operand's dtype (int32 + float32 is
  float32, not NumPy's float64); ``divide`` and means of integers give ``floatx``;
  sums of bools and small ints give int32; indices (``argmax``, ``top_k``) are int32.

A custom loss written with these ops is differentiated numerically (see
``losses.LossFunctionWrapper``), so ``stop_gradient`` is the identity.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import activations as _activations
from . import config
from ._tensor import Tensor, as_array

__all__ = [
    "abs", "absolute", "add", "all", "allclose", "amax", "amin", "any", "arange", "argmax",
    "argmin", "argsort", "average", "binary_crossentropy", "cast", "categorical_crossentropy",
    "ceil", "clip", "concatenate", "convert_to_numpy", "convert_to_tensor", "cos",
    "count_nonzero", "cumprod", "cumsum", "diag", "divide", "dot", "einsum", "elu", "equal",
    "erf", "exp", "expand_dims", "expm1", "eye", "flip", "floor", "floor_divide", "full",
    "full_like", "gelu", "greater", "greater_equal", "hard_sigmoid", "hard_silu",
    "hard_swish", "hstack", "identity", "is_tensor", "isclose", "isfinite", "isinf", "isnan",
    "leaky_relu", "less", "less_equal", "linspace", "log", "log1p", "log2", "log10",
    "log_sigmoid", "log_softmax", "logical_and", "logical_not", "logical_or", "logical_xor",
    "logsumexp", "matmul", "max", "maximum", "mean", "median", "meshgrid", "min", "minimum",
    "mod", "moveaxis", "multiply", "nan_to_num", "ndim", "negative", "norm", "not_equal",
    "one_hot", "ones", "ones_like", "outer", "pad", "power", "prod", "ravel", "reciprocal",
    "relu", "relu6", "repeat", "reshape", "round", "rsqrt", "selu", "shape", "sigmoid",
    "sign", "silu", "sin", "size", "softmax", "softplus", "softsign", "sort",
    "sparse_categorical_crossentropy", "split", "sqrt", "square", "squeeze", "stack", "std",
    "stop_gradient", "subtract", "sum", "swapaxes", "swish", "take", "take_along_axis",
    "tanh", "tensordot", "tile", "top_k", "transpose", "tri", "tril", "triu", "true_divide",
    "trunc", "unique", "var", "vstack", "where", "zeros", "zeros_like",
]


# ------------------------------------------------------------------ conversion and dtypes
def _out(value: Any) -> Tensor:
    return np.asarray(value).view(Tensor)


def _is_weak(x: Any) -> bool:
    """A Python int or float (not bool, not a NumPy scalar): it adapts to the other operand."""
    return isinstance(x, (int, float)) and not isinstance(x, (bool, np.generic))


def _arr(x: Any) -> np.ndarray:
    """``x`` as a plain array; Python data takes Keras's defaults (floatx, int32)."""
    if isinstance(x, (np.ndarray, np.generic)) or not isinstance(x, (bool, int, float, list,
                                                                       tuple)):
        return as_array(x)
    a = np.asarray(x)
    if a.dtype == np.float64:
        return a.astype(config.floatx())
    if a.dtype == np.int64 and (a.size == 0 or (a.min() >= -2**31 and a.max() < 2**31)):
        return a.astype(np.int32)
    return a


def _floating(x: Any) -> np.ndarray:
    a = _arr(x)
    return a if a.dtype.kind in "fc" else a.astype(config.floatx())


def _dtype(dtype: Any) -> Any:
    return config.floatx() if dtype is None else np.dtype(dtype)


def _promote(*xs: Any) -> list[np.ndarray]:
    """The operands as arrays of one dtype, chosen by Keras's rules (module docstring)."""
    weak = [x for x in xs if _is_weak(x)]
    arrays = [None if _is_weak(x) else _arr(x) for x in xs]
    dtypes = [a.dtype for a in arrays if a is not None]
    floats = [d for d in dtypes if d.kind in "fc"]
    dtype = np.result_type(*(floats or dtypes)) if dtypes else None
    if builtins.any(isinstance(w, float) for w in weak) and (dtype is None
                                                             or dtype.kind in "biu"):
        dtype = np.dtype(config.floatx())
    elif weak and (dtype is None or dtype.kind == "b"):
        dtype = np.dtype(np.int32)
    if dtype.kind in "iu":  # a Python int that does not fit widens, rather than wrapping
        info = np.iinfo(dtype)
        for w in weak:
            if not info.min <= w <= info.max:
                dtype = np.result_type(dtype, np.asarray(w))
    return [np.asarray(x, dtype) if a is None else a.astype(dtype, copy=False)
            for x, a in zip(xs, arrays)]


def _accumulator(a: np.ndarray) -> np.dtype:
    """Keras's (JAX's) sum dtype: bools and small ints add up in 32 bits."""
    if a.dtype.kind == "b" or a.dtype in (np.int8, np.int16):
        return np.dtype(np.int32)
    if a.dtype in (np.uint8, np.uint16):
        return np.dtype(np.uint32)
    return a.dtype


def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (a name such as ``"float32"`` or a NumPy dtype)."""
    return _out(_arr(x).astype(np.dtype(dtype), copy=False))


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None, ragged: Any = None
                      ) -> Tensor:
    """An array of ``x``: Python floats become ``floatx``, Python ints int32."""
    a = _arr(x)
    return _out(a if dtype is None else a.astype(np.dtype(dtype), copy=False))


def convert_to_numpy(x: Any) -> np.ndarray:
    """A plain ``numpy.ndarray`` of ``x``."""
    return np.asarray(as_array(x)).view(np.ndarray)


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is an array (every tensor is a NumPy array here)."""
    return isinstance(x, np.ndarray)


def stop_gradient(variable: Any) -> Tensor:
    """``variable`` unchanged (gradients here are numerical, so there is nothing to stop)."""
    return _out(_arr(variable))


# ------------------------------------------------------------------ elementwise
def _unary(fn: Any, name: str, floating: bool = False) -> Any:
    def op(x: Any) -> Tensor:
        return _out(fn(_floating(x) if floating else _arr(x)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{fn.__name__}`` (Keras's ``ops.{name}``)."
    return op


def _binary(fn: Any, name: str) -> Any:
    def op(x1: Any, x2: Any) -> Tensor:
        return _out(fn(*_promote(x1, x2)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``numpy.{fn.__name__}`` with broadcasting (``ops.{name}``)."
    return op


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf as scipy_erf  # on first use: `import minikeras` stays light

    return scipy_erf(x)


def _rsqrt(x: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(x)


abs = absolute = _unary(np.abs, "abs")  # noqa: A001
negative = _unary(np.negative, "negative")
sign = _unary(np.sign, "sign")
sqrt = _unary(np.sqrt, "sqrt", floating=True)
rsqrt = _unary(_rsqrt, "rsqrt", floating=True)
reciprocal = _unary(np.reciprocal, "reciprocal", floating=True)
exp = _unary(np.exp, "exp", floating=True)
expm1 = _unary(np.expm1, "expm1", floating=True)
log = _unary(np.log, "log", floating=True)
log1p = _unary(np.log1p, "log1p", floating=True)
log2 = _unary(np.log2, "log2", floating=True)
log10 = _unary(np.log10, "log10", floating=True)
erf = _unary(_erf, "erf", floating=True)
sin = _unary(np.sin, "sin", floating=True)
cos = _unary(np.cos, "cos", floating=True)
tanh = _unary(np.tanh, "tanh", floating=True)
floor = _unary(np.floor, "floor", floating=True)
ceil = _unary(np.ceil, "ceil", floating=True)
trunc = _unary(np.trunc, "trunc")
isnan = _unary(np.isnan, "isnan")
isinf = _unary(np.isinf, "isinf")
isfinite = _unary(np.isfinite, "isfinite")
logical_not = _unary(np.logical_not, "logical_not")


def square(x: Any) -> Tensor:
    """``x * x`` (bools give int32, as Keras)."""
    a = _arr(x)
    return _out(np.square(a.astype(np.int32) if a.dtype.kind == "b" else a))


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """``x`` rounded half to even to ``decimals``."""
    return _out(np.round(_arr(x), decimals))


def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """``x`` with NaN and infinities replaced by finite numbers."""
    return _out(np.nan_to_num(_arr(x), nan=nan, posinf=posinf, neginf=neginf))


add = _binary(np.add, "add")
subtract = _binary(np.subtract, "subtract")
multiply = _binary(np.multiply, "multiply")
floor_divide = _binary(np.floor_divide, "floor_divide")
mod = _binary(np.mod, "mod")
power = _binary(np.power, "power")
maximum = _binary(np.maximum, "maximum")
minimum = _binary(np.minimum, "minimum")
equal = _binary(np.equal, "equal")
not_equal = _binary(np.not_equal, "not_equal")
greater = _binary(np.greater, "greater")
greater_equal = _binary(np.greater_equal, "greater_equal")
less = _binary(np.less, "less")
less_equal = _binary(np.less_equal, "less_equal")
logical_and = _binary(np.logical_and, "logical_and")
logical_or = _binary(np.logical_or, "logical_or")
logical_xor = _binary(np.logical_xor, "logical_xor")
matmul = _binary(np.matmul, "matmul")
dot = _binary(np.dot, "dot")
outer = _binary(np.outer, "outer")


def divide(x1: Any, x2: Any) -> Tensor:
    """``x1 / x2`` with broadcasting; integers divide to ``floatx``, as in Keras."""
    a, b = _promote(x1, x2)
    if a.dtype.kind in "biu":
        a, b = a.astype(config.floatx()), b.astype(config.floatx())
    return _out(np.true_divide(a, b))


true_divide = divide


def isclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> Tensor:
    """Elementwise ``|x1 - x2| <= atol + rtol * |x2|``."""
    return _out(np.isclose(*_promote(x1, x2), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> Tensor:
    """Whether :func:`isclose` holds everywhere (a 0-d bool)."""
    return _out(np.allclose(*_promote(x1, x2), rtol=rtol, atol=atol, equal_nan=equal_nan))


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    """``x`` limited to ``[x_min, x_max]`` (bools give int32, as Keras)."""
    return _out(np.clip(*_promote(x, x_min, x_max)))


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` holds, else ``x2``; alone, a tuple of index arrays."""
    if x1 is None and x2 is None:
        return tuple(_out(i) for i in np.nonzero(_arr(condition)))
    return _out(np.where(_arr(condition), *_promote(x1, x2)))


# ------------------------------------------------------------------ reductions
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


# ------------------------------------------------------------------ shapes and indexing
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


# ------------------------------------------------------------------ neural-network ops
# The activations module owns the formulas; these are Keras's ``ops`` spellings of them.
def relu(x: Any) -> Tensor:
    """``max(x, 0)`` (integers stay integers, as in Keras)."""
    a = _arr(x)
    return _out(np.maximum(a, a.dtype.type(0))) if a.dtype.kind in "iu" else _activations.relu(a)


def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return _activations.relu6(x)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x``."""
    return _activations.leaky_relu(x, negative_slope=negative_slope)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _activations.elu(x, alpha=alpha)


def selu(x: Any) -> Tensor:
    """Scaled ELU with Klambauer et al.'s constants."""
    return _activations.selu(x)


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """Gaussian error linear unit; the tanh approximation by default, as ``keras.ops``."""
    return _activations.gelu(x, approximate=approximate)


def sigmoid(x: Any) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return _activations.sigmoid(x)


def hard_sigmoid(x: Any) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return _activations.hard_sigmoid(x)


def log_sigmoid(x: Any) -> Tensor:
    """``log(sigmoid(x))``, computed without overflow."""
    return _activations.log_sigmoid(x)


def silu(x: Any) -> Tensor:
    """``x * sigmoid(x)``."""
    return _activations.silu(x)


swish = silu


def hard_silu(x: Any) -> Tensor:
    """``x * hard_sigmoid(x)``."""
    return _activations.hard_silu(x)


hard_swish = hard_silu


def softplus(x: Any) -> Tensor:
    """``log(1 + exp(x))``."""
    return _activations.softplus(x)


def softsign(x: Any) -> Tensor:
    """``x / (1 + |x|)``."""
    return _activations.softsign(x)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """Softmax along ``axis``."""
    return _activations.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``."""
    a = _floating(x)
    return _out(a - logsumexp(a, axis=axis, keepdims=True).view(np.ndarray))


def _target_output(target: Any, output: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = _promote(target, output)
    return (t, p) if p.dtype.kind == "f" else (t.astype(config.floatx()), p.astype(config.floatx()))


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """Elementwise binary cross-entropy (no mean: ``ops.nn``'s version, not the loss's).

    Probabilities are clipped to ``[eps, 1 - eps]``, as the loss does.
    """
    from .losses import bce_logit_values, bce_values

    t, p = _target_output(target, output)
    return _out(bce_logit_values(t, p) if from_logits else bce_values(t, p))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> Tensor:
    """Per-sample ``-sum(target * log(output / sum(output)))`` over ``axis``.

    Probabilities are clipped to ``[eps, 1 - eps]``, as the loss does.
    """
    from .losses import CategoricalCrossentropy

    t, p = _target_output(target, output)
    if t.shape != p.shape:
        raise ValueError("categorical_crossentropy expects target and output of the same "
                         f"shape. Received: target.shape={t.shape}, output.shape={p.shape}.")
    t, p = np.moveaxis(t, axis, -1), np.moveaxis(p, axis, -1)
    loss = CategoricalCrossentropy(from_logits=from_logits, reduction="none")
    return _out(loss.call(t, p))


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    """:func:`categorical_crossentropy` with integer class indices as the target."""
    p = _floating(output)
    labels = _arr(target)
    if labels.ndim == p.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis=axis)
    return categorical_crossentropy(one_hot(labels, p.shape[axis], axis=axis, dtype=p.dtype),
                                    p, from_logits=from_logits, axis=axis)
