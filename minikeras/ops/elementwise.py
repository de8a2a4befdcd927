"""Elementwise ops (``ops.add``, ``ops.sqrt``...): NumPy's, with Keras's dtype rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config
from .._tensor import Tensor
from .core import _arr, _floating, _out, _promote


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
