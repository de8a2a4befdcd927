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


# ------------------------------------------------------------------ more of Keras's numpy ops
def _scipy_special(name: str) -> Any:
    def fn(x: np.ndarray) -> np.ndarray:
        import scipy.special  # on first use, as _erf

        return getattr(scipy.special, name)(x)

    fn.__name__ = name
    return fn


def _float_or_64(a: np.ndarray) -> np.ndarray:
    """Keras's rule for a few ops: int64 gives float64, other ints and bools ``floatx``."""
    if a.dtype == np.int64 or a.dtype == np.uint64:
        return a.astype(np.float64)
    return a if a.dtype.kind in "fc" else a.astype(config.floatx())


def _floats(x1: Any, x2: Any) -> list[np.ndarray]:
    """Both operands promoted (Python scalars weak), then made floating (``floatx``)."""
    a, b = _promote(x1, x2)
    if a.dtype.kind not in "fc":
        a, b = a.astype(config.floatx()), b.astype(config.floatx())
    return [a, b]


tan = _unary(np.tan, "tan", floating=True)
arcsin = _unary(np.arcsin, "arcsin", floating=True)
arccos = _unary(np.arccos, "arccos", floating=True)
arctan = _unary(np.arctan, "arctan", floating=True)
sinh = _unary(np.sinh, "sinh", floating=True)
cosh = _unary(np.cosh, "cosh", floating=True)
arcsinh = _unary(np.arcsinh, "arcsinh", floating=True)
arccosh = _unary(np.arccosh, "arccosh", floating=True)
arctanh = _unary(np.arctanh, "arctanh", floating=True)
exp2 = _unary(np.exp2, "exp2", floating=True)
sinc = _unary(np.sinc, "sinc", floating=True)
angle = _unary(np.angle, "angle", floating=True)
erfc = _unary(_scipy_special("erfc"), "erfc", floating=True)
erfinv = _unary(_scipy_special("erfinv"), "erfinv", floating=True)
fabs = _unary(np.fabs, "fabs", floating=True)
signbit = _unary(np.signbit, "signbit")
isneginf = _unary(np.isneginf, "isneginf")
isposinf = _unary(np.isposinf, "isposinf")
isreal = _unary(np.isreal, "isreal")
real = _unary(np.real, "real")
imag = _unary(np.imag, "imag")
conjugate = conj = _unary(np.conjugate, "conjugate")
bitwise_invert = bitwise_not = _unary(np.invert, "bitwise_invert")


def cbrt(x: Any) -> Tensor:
    """Elementwise cube root (int64 gives float64, other integers ``floatx``)."""
    return _out(np.cbrt(_float_or_64(_arr(x))))


def deg2rad(x: Any) -> Tensor:
    """Degrees to radians (int64 gives float64, other integers ``floatx``)."""
    return _out(np.deg2rad(_float_or_64(_arr(x))))


def rad2deg(x: Any) -> Tensor:
    """Radians to degrees (int64 gives float64, other integers ``floatx``)."""
    return _out(np.rad2deg(_float_or_64(_arr(x))))


def i0(x: Any) -> Tensor:
    """The modified Bessel function of the first kind, order 0."""
    return _out(np.i0(_float_or_64(_arr(x))))


bitwise_and = _binary(np.bitwise_and, "bitwise_and")
bitwise_or = _binary(np.bitwise_or, "bitwise_or")
bitwise_xor = _binary(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = left_shift = _binary(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = right_shift = _binary(np.right_shift, "bitwise_right_shift")
fmax = _binary(np.fmax, "fmax")
fmin = _binary(np.fmin, "fmin")
gcd = _binary(np.gcd, "gcd")
lcm = _binary(np.lcm, "lcm")
inner = _binary(np.inner, "inner")
vdot = _binary(np.vdot, "vdot")
kron = _binary(np.kron, "kron")


def arctan2(x1: Any, x2: Any) -> Tensor:
    """Elementwise angle of the point ``(x2, x1)``; integers give ``floatx``."""
    return _out(np.arctan2(*_floats(x1, x2)))


def logaddexp(x1: Any, x2: Any) -> Tensor:
    """``log(exp(x1) + exp(x2))`` without overflow; integers give ``floatx``."""
    return _out(np.logaddexp(*_floats(x1, x2)))


def logaddexp2(x1: Any, x2: Any) -> Tensor:
    """``log2(2**x1 + 2**x2)`` without overflow; integers give ``floatx``."""
    return _out(np.logaddexp2(*_floats(x1, x2)))


def nextafter(x1: Any, x2: Any) -> Tensor:
    """The next representable float after ``x1`` towards ``x2``."""
    return _out(np.nextafter(*_floats(x1, x2)))


def hypot(x1: Any, x2: Any) -> Tensor:
    """``sqrt(x1**2 + x2**2)``; int64 gives float64, other integers ``floatx``."""
    a, b = _promote(x1, x2)
    return _out(np.hypot(_float_or_64(a), _float_or_64(b)))


def heaviside(x1: Any, x2: Any) -> Tensor:
    """0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``."""
    a, b = _promote(x1, x2)
    dtype = a.dtype if a.dtype.kind in "fcb" else _float_or_64(a[:0]).dtype
    return _out(np.heaviside(a, b).astype(dtype))


def fmod(x1: Any, x2: Any) -> Tensor:
    """Remainder with the sign of ``x1`` (C's ``fmod``); bools give int32."""
    a, b = _promote(x1, x2)
    if a.dtype.kind == "b":
        a, b = a.astype(np.int32), b.astype(np.int32)
    return _out(np.fmod(a, b))


def ldexp(x1: Any, x2: Any) -> Tensor:
    """``x1 * 2**x2``; ``x2`` must be integer."""
    b = _arr(x2)
    if b.dtype.kind not in "iu":
        raise TypeError(f"ldexp exponent must be an integer type. Received: x2 dtype={b.dtype}")
    a, _ = _floats(x1, x2)
    return _out(np.ldexp(a, b))


def divide_no_nan(x1: Any, x2: Any) -> Tensor:
    """``x1 / x2``, with 0 wherever ``x2`` is 0; integers give ``floatx``."""
    a, b = _floats(x1, x2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(b == 0, np.zeros((), a.dtype), np.true_divide(a, b)))


def isin(x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of ``x1`` occurs in ``x2``."""
    return _out(np.isin(_arr(x1), _arr(x2), assume_unique=assume_unique, invert=invert))


def cross(x1: Any, x2: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Tensor:
    """Cross product of 3-vectors (or 2-vectors) along the given axes."""
    return _out(np.cross(*_promote(x1, x2), axisa=axisa, axisb=axisb, axisc=axisc, axis=axis))


def correlate(x1: Any, x2: Any, mode: str = "valid") -> Tensor:
    """Cross-correlation of two 1-D arrays; integers give float32 (int64 float64)."""
    a, b = _promote(x1, x2)
    if a.dtype == np.int64:
        dtype = np.dtype(np.float64)
    elif a.dtype in (np.float16, np.float64):
        dtype = a.dtype
    else:
        dtype = np.dtype(np.float32)
    return _out(np.correlate(a.astype(dtype), b.astype(dtype), mode))
