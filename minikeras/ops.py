"""Array operations (``mk.ops``): the part of ``keras.ops`` that custom code calls.

Keras 3 programs write custom losses, metrics and callbacks with ``keras.ops``
(``ops.mean(ops.square(y_true - y_pred), axis=-1)``), so those functions must
exist for such programs to run unchanged. Here every value is a NumPy array, so
each op is its NumPy namesake with Keras's argument names; results are
:class:`~minikeras._tensor.Tensor` views (``.numpy()`` works, as in Keras).
Arrays created from nothing (``ones``, ``zeros``, ``convert_to_tensor`` of Python
floats) take ``mk.config.floatx()``, and means of integers are floats, as in Keras.
A custom loss written with these ops is differentiated numerically (see
``losses.LossFunctionWrapper``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import activations as _activations
from . import config
from ._tensor import Tensor, as_array

__all__ = [
    "abs", "absolute", "add", "all", "amax", "amin", "any", "arange", "argmax", "argmin",
    "argsort", "cast", "ceil", "clip", "concatenate", "convert_to_numpy", "convert_to_tensor",
    "count_nonzero", "cumsum", "divide", "dot", "einsum", "equal", "exp", "expand_dims",
    "floor", "floor_divide", "full", "full_like", "greater", "greater_equal", "isfinite",
    "isnan", "less", "less_equal", "log", "log1p", "log2", "log10", "logical_and",
    "logical_not", "logical_or", "matmul", "max", "maximum", "mean", "min", "minimum", "mod",
    "multiply", "negative", "norm", "not_equal", "one_hot", "ones", "ones_like", "power",
    "prod", "relu", "reshape", "round", "shape", "sigmoid", "sign", "softmax", "sort", "sqrt",
    "square", "squeeze", "stack", "std", "subtract", "sum", "take", "tanh", "transpose",
    "true_divide", "var", "where", "zeros", "zeros_like",
]


def _out(value: Any) -> Tensor:
    return np.asarray(value).view(Tensor)


def _arr(x: Any) -> np.ndarray:
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        return np.asarray(x, dtype=config.floatx() if isinstance(x, float) else None)
    return as_array(x)


def _floating(x: Any) -> np.ndarray:
    a = _arr(x)
    return a if a.dtype.kind in "fc" else a.astype(config.floatx())


def _dtype(dtype: Any) -> Any:
    return config.floatx() if dtype is None else np.dtype(dtype)


def _unary(fn: Any, name: str, floating: bool = False) -> Any:
    def op(x: Any) -> Tensor:
        return _out(fn(_floating(x) if floating else _arr(x)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``numpy.{fn.__name__}`` (Keras's ``ops.{name}``)."
    return op


def _binary(fn: Any, name: str) -> Any:
    def op(x1: Any, x2: Any) -> Tensor:
        return _out(fn(_arr(x1), _arr(x2)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``numpy.{fn.__name__}`` with broadcasting (``ops.{name}``)."
    return op


abs = absolute = _unary(np.abs, "abs")
negative = _unary(np.negative, "negative")
sign = _unary(np.sign, "sign")
square = _unary(np.square, "square")
sqrt = _unary(np.sqrt, "sqrt", floating=True)
exp = _unary(np.exp, "exp", floating=True)
log = _unary(np.log, "log", floating=True)
log1p = _unary(np.log1p, "log1p", floating=True)
log2 = _unary(np.log2, "log2", floating=True)
log10 = _unary(np.log10, "log10", floating=True)
tanh = _unary(np.tanh, "tanh", floating=True)
floor = _unary(np.floor, "floor")
ceil = _unary(np.ceil, "ceil")
isnan = _unary(np.isnan, "isnan")
isfinite = _unary(np.isfinite, "isfinite")
logical_not = _unary(np.logical_not, "logical_not")

add = _binary(np.add, "add")
subtract = _binary(np.subtract, "subtract")
multiply = _binary(np.multiply, "multiply")
divide = true_divide = _binary(np.true_divide, "divide")
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
matmul = _binary(np.matmul, "matmul")
dot = _binary(np.dot, "dot")


# ------------------------------------------------------------------ reductions
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (all axes when None); integers give floats."""
    return _out(np.mean(_floating(x), axis=axis, keepdims=keepdims))


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis``."""
    return _out(np.sum(_arr(x), axis=axis, keepdims=keepdims))


def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    """Product over ``axis``."""
    return _out(np.prod(_arr(x), axis=axis, keepdims=keepdims, dtype=dtype))


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
    """Number of non-zero elements over ``axis``."""
    return _out(np.count_nonzero(_arr(x), axis=axis))


def cumsum(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``axis`` (flattened when None)."""
    return _out(np.cumsum(_arr(x), axis=axis, dtype=dtype))


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """Vector or matrix norm (``numpy.linalg.norm``)."""
    return _out(np.linalg.norm(_floating(x), ord=ord, axis=axis, keepdims=keepdims))


# ------------------------------------------------------------------ shapes and types
def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (a name such as ``"float32"`` or a NumPy dtype)."""
    return _out(_arr(x).astype(np.dtype(dtype), copy=False))


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None, ragged: Any = None
                      ) -> Tensor:
    """An array of ``x`` (Python floats become ``floatx``)."""
    a = _arr(x)
    return _out(a if dtype is None else a.astype(np.dtype(dtype), copy=False))


def convert_to_numpy(x: Any) -> np.ndarray:
    """A plain ``numpy.ndarray`` of ``x``."""
    return np.asarray(as_array(x)).view(np.ndarray)


def shape(x: Any) -> tuple[int, ...]:
    """The shape as a tuple of ints."""
    return tuple(np.shape(_arr(x)))


def reshape(x: Any, newshape: Any) -> Tensor:
    """``x`` with shape ``newshape`` (one entry may be -1)."""
    return _out(np.reshape(_arr(x), newshape))


def expand_dims(x: Any, axis: Any) -> Tensor:
    """``x`` with a new axis of length 1 at ``axis``."""
    return _out(np.expand_dims(_arr(x), axis))


def squeeze(x: Any, axis: Any = None) -> Tensor:
    """``x`` without its length-1 axes (or only ``axis``)."""
    return _out(np.squeeze(_arr(x), axis=axis))


def transpose(x: Any, axes: Any = None) -> Tensor:
    """``x`` with its axes permuted (reversed when None)."""
    return _out(np.transpose(_arr(x), axes))


def stack(x: Any, axis: int = 0) -> Tensor:
    """Join a sequence of arrays along a new axis."""
    return _out(np.stack([_arr(a) for a in x], axis=axis))


def concatenate(xs: Any, axis: int = 0) -> Tensor:
    """Join a sequence of arrays along an existing axis."""
    return _out(np.concatenate([_arr(a) for a in xs], axis=axis))


def take(x: Any, indices: Any, axis: Any = None) -> Tensor:
    """Elements of ``x`` at ``indices`` along ``axis``."""
    return _out(np.take(_arr(x), _arr(indices), axis=axis))


def sort(x: Any, axis: int = -1) -> Tensor:
    """``x`` sorted along ``axis``."""
    return _out(np.sort(_arr(x), axis=axis))


def argsort(x: Any, axis: int = -1) -> Tensor:
    """Indices that sort ``x`` along ``axis`` (int32, as Keras)."""
    return _out(np.argsort(_arr(x), axis=axis).astype(np.int32))


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` holds, else ``x2``; alone, a tuple of index arrays."""
    if x1 is None and x2 is None:
        return tuple(_out(i) for i in np.nonzero(_arr(condition)))
    return _out(np.where(_arr(condition), _arr(x1), _arr(x2)))


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    """``x`` limited to ``[x_min, x_max]``."""
    return _out(np.clip(_arr(x), x_min, x_max))


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """``x`` rounded half to even to ``decimals``."""
    return _out(np.round(_arr(x), decimals))


def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> Tensor:
    """``numpy.einsum``."""
    return _out(np.einsum(subscripts, *(_arr(a) for a in operands), **kwargs))


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


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``."""
    args = [a for a in (start, stop, step) if a is not None]
    return _out(np.arange(*args, dtype=dtype))


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> Tensor:
    """One-hot rows of the integer labels ``x`` (``floatx`` by default)."""
    labels = _arr(x).astype(np.int64)
    out = (labels[..., None] == np.arange(num_classes)).astype(_dtype(dtype))
    return _out(np.moveaxis(out, -1, axis) if axis != -1 else out)


# ------------------------------------------------------------------ neural-network ops
def relu(x: Any) -> Tensor:
    """``max(x, 0)``."""
    return _activations.relu(x)


def sigmoid(x: Any) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return _activations.sigmoid(x)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """Softmax along ``axis``."""
    return _activations.softmax(x, axis=axis)

