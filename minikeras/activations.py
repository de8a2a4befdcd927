"""Activation functions: forward and derivative side by side, one small class each.

The registered instance *is* the public function (``mk.activations.relu(x)``),
so ``Dense(activation="relu").activation is mk.activations.relu`` as in Keras.
``backward(x, y, grad_y)`` returns dL/dx from dL/dy; where the derivative can be
read from the output alone (``needs_input = False``), a layer may compute the
activation in place and keep only ``y``. Formulas and defaults are Keras 3's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _constants
from ._registry import Registry
from ._tensor import Tensor, as_array

ACTIVATIONS = Registry("activation")

_special: Any = None


def _sp() -> Any:
    """scipy.special, imported on first use so that ``import minikeras`` stays light."""
    global _special
    if _special is None:
        import scipy.special

        _special = scipy.special
    return _special


def _float_array(x: Any) -> np.ndarray:
    x = as_array(x)
    if x.dtype.kind != "f":
        from .config import floatx

        x = x.astype(floatx())
    return x


class Activation:
    """Base class: ``forward(x)`` and ``backward(x, y, grad_y)``.

    Subclass it and register it to add an activation (see docs/extending.md).
    ``backward`` may overwrite ``grad_y``; callers pass a buffer they own.
    """

    name = "activation"
    #: False when ``backward`` reads only ``y``: the forward may then run in place.
    needs_input = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, x: np.ndarray, y: np.ndarray, grad_y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward_inplace(self, x: np.ndarray) -> np.ndarray:
        """Forward that may overwrite ``x`` (it is the caller's scratch array)."""
        return self.forward(x)

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Tensor:
        """``f(x)``, or Keras's ``f(x, *args, **kwargs)`` with the function's arguments."""
        fn = self if not (args or kwargs) else type(self)(*args, **kwargs)
        return fn.forward(_float_array(x)).view(Tensor)

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Activation:
        if not config and cls.name in ACTIVATIONS \
                and type(ACTIVATIONS.lookup(cls.name)) is cls:
            return ACTIVATIONS.lookup(cls.name)  # the shared instance, so `is` holds
        return cls(**config)

    @property
    def serialized_name(self) -> str | None:
        # A default-configured activation serializes to its name when that name is
        # registered for this very class; a user's class goes by its class name.
        if self.get_config() or self.name not in ACTIVATIONS:
            return None
        return self.name if type(ACTIVATIONS.lookup(self.name)) is type(self) else None

    def __repr__(self) -> str:
        return f"<activation {self.name}>"

    @property
    def __name__(self) -> str:  # Keras code reads activation.__name__
        return self.name


_ZERO_OPERAND_BYTES = 2 << 20


def _register(cls: type[Activation]) -> Activation:
    instance = cls()
    ACTIVATIONS.add(instance, cls.name)
    return instance


class Linear(Activation):
    name = "linear"
    needs_input = False

    def forward(self, x):
        return x

    def backward(self, x, y, grad_y):
        return grad_y


class Relu(Activation):
    """``max(x, 0)``; with Keras's ``negative_slope``, ``max_value``, ``threshold``."""

    name = "relu"
    needs_input = False

    def __init__(self, negative_slope: float = 0.0, max_value: float | None = None,
                 threshold: float = 0.0) -> None:
        self.negative_slope = float(negative_slope)
        self.max_value = None if max_value is None else float(max_value)
        self.threshold = float(threshold)
        self._plain = self.negative_slope == 0.0 and self.max_value is None and threshold == 0
        if not self._plain:
            self.needs_input = True

    def forward(self, x):
        if self._plain:
            return np.maximum(x, 0)
        y = np.where(x > self.threshold, x, 0).astype(x.dtype, copy=False)
        if self.max_value is not None:
            y = np.clip(y, 0, self.max_value)
        if self.negative_slope:
            y = y - self.negative_slope * np.maximum(self.threshold - x, 0)
        return y.astype(x.dtype, copy=False)

    def forward_inplace(self, x):
        if self._plain:
            if x.nbytes <= _ZERO_OPERAND_BYTES and x.dtype in _constants.BLAS_FLOATS:
                # NumPy's maximum against an array of zeros runs 2-3x faster than against
                # the scalar 0 while both fit in cache (a training batch); beyond that the
                # extra stream of zeros costs more than it saves.
                return np.maximum(x, _constants.zeros(x.size, x.dtype).reshape(x.shape), out=x)
            return np.maximum(x, 0, out=x)
        return self.forward(x)

    def backward(self, x, y, grad_y):
        if self._plain:
            grad_y *= y > 0
            return grad_y
        slope = (x > self.threshold)
        if self.max_value is not None:
            # The clip to [0, max_value] also cuts what a negative threshold lets through.
            slope = slope & (x > 0) & (x < self.max_value)
        d = slope.astype(x.dtype)
        if self.negative_slope:
            d = d + self.negative_slope * (x < self.threshold)
        return grad_y * d

    def get_config(self):
        if self._plain:
            return {}
        return {"negative_slope": self.negative_slope, "max_value": self.max_value,
                "threshold": self.threshold}


class LeakyRelu(Activation):
    """``x`` for ``x > 0``, else ``negative_slope * x`` (the function's default is 0.2)."""

    name = "leaky_relu"
    needs_input = False

    def __init__(self, negative_slope: float = 0.2) -> None:
        self.negative_slope = float(negative_slope)
        # With a negative slope the sign of y no longer tells the branch.
        self.needs_input = self.negative_slope < 0

    def forward(self, x):
        return np.where(x > 0, x, x * self.negative_slope).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        positive = (x > 0) if self.needs_input else (y > 0)
        return grad_y * np.where(positive, 1.0, self.negative_slope).astype(grad_y.dtype)

    def get_config(self):
        return {} if self.negative_slope == 0.2 else {"negative_slope": self.negative_slope}


class Relu6(Activation):
    name = "relu6"
    needs_input = False

    def forward(self, x):
        return np.clip(x, 0, 6)

    def backward(self, x, y, grad_y):
        grad_y *= (y > 0) & (y < 6)
        return grad_y


class Sigmoid(Activation):
    """``1 / (1 + exp(-x))``, computed without overflow for any finite x."""

    name = "sigmoid"
    needs_input = False

    def forward(self, x):
        return _sp().expit(x)

    def forward_inplace(self, x):
        return _sp().expit(x, out=x)

    def backward(self, x, y, grad_y):
        grad_y *= y * (1.0 - y)
        return grad_y


class Tanh(Activation):
    name = "tanh"
    needs_input = False

    def forward(self, x):
        return np.tanh(x)

    def forward_inplace(self, x):
        return np.tanh(x, out=x)

    def backward(self, x, y, grad_y):
        grad_y *= 1.0 - y * y  # from the output: no second tanh
        return grad_y


class Softmax(Activation):
    """``exp(x) / sum(exp(x))`` along ``axis``, with the max subtracted first."""

    name = "softmax"
    needs_input = False

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x):
        return self.forward_inplace(np.array(x, copy=True))

    def forward_inplace(self, x):
        if x.ndim == 2 and self.axis in (-1, 1) and x.shape[1] \
                and x.dtype in _constants.BLAS_FLOATS:
            return _softmax_rows(x)
        with np.errstate(over="ignore"):  # x - max beyond the range is -inf: exp gives 0
            x -= x.max(axis=self.axis, keepdims=True)
        np.exp(x, out=x)
        x /= x.sum(axis=self.axis, keepdims=True)
        return x

    def backward(self, x, y, grad_y):
        # Jacobian-vector product: y * (g - <g, y>).
        dot = (grad_y * y).sum(axis=self.axis, keepdims=True)
        grad_y -= dot
        grad_y *= y
        return grad_y

    def get_config(self):
        return {} if self.axis == -1 else {"axis": self.axis}


def _softmax_rows(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of a 2-D float32/float64 array, in place.

    The same formula as the general path, with its two reductions over a short
    last axis done faster (NumPy reduces a row of 10 classes element by element,
    about 100 ns per row): the row maximum as a running ``np.maximum`` over the
    columns when there are few (16x faster on 5,000 x 10), the row sum as a
    product with ones in BLAS (7x faster). Same values up to the order of the
    sum's additions.
    """
    k = x.shape[1]
    if k <= 16:
        top = x[:, 0].copy()
        for j in range(1, k):
            np.maximum(top, x[:, j], out=top)
    else:
        top = x.max(axis=1)
    with np.errstate(over="ignore"):  # x - max beyond the range is -inf: exp gives 0
        x -= top[:, None]
    np.exp(x, out=x)
    x /= (x @ _constants.ones(k, x.dtype))[:, None]
    return x


class LogSoftmax(Activation):
    name = "log_softmax"
    needs_input = False

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x):
        with np.errstate(over="ignore"):  # -inf only where the true value is below the range
            shifted = x - x.max(axis=self.axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))

    def backward(self, x, y, grad_y):
        return grad_y - np.exp(y) * grad_y.sum(axis=self.axis, keepdims=True)

    def get_config(self):
        return {} if self.axis == -1 else {"axis": self.axis}


class Elu(Activation):
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)
        self.needs_input = self.alpha <= 0

    def forward(self, x):
        with np.errstate(over="ignore"):
            neg = self.alpha * np.expm1(np.minimum(x, 0))
        return np.where(x > 0, x, neg).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        positive = (x > 0) if self.needs_input else (y > 0)
        if self.needs_input:
            d = np.where(positive, 1.0, self.alpha * np.exp(np.minimum(x, 0)))
        else:
            d = np.where(positive, 1.0, y + self.alpha)
        return grad_y * d.astype(grad_y.dtype, copy=False)

    def get_config(self):
        return {} if self.alpha == 1.0 else {"alpha": self.alpha}


class Selu(Activation):
    """``scale * elu(x, alpha)`` with Keras's fixed constants."""

    name = "selu"
    needs_input = False
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946

    def forward(self, x):
        neg = (self.scale * self.alpha) * np.expm1(np.minimum(x, 0))
        return np.where(x > 0, self.scale * x, neg).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        d = np.where(y > 0, self.scale, y + self.scale * self.alpha)
        return grad_y * d.astype(grad_y.dtype, copy=False)


class Celu(Activation):
    """``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``."""

    name = "celu"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)

    def forward(self, x):
        neg = self.alpha * np.expm1(np.minimum(x, 0) / self.alpha)
        return np.where(x > 0, x, neg).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        d = np.where(x > 0, 1.0, np.exp(np.minimum(x, 0) / self.alpha))
        return grad_y * d.astype(grad_y.dtype, copy=False)

    def get_config(self):
        return {} if self.alpha == 1.0 else {"alpha": self.alpha}


class Softplus(Activation):
    """``log(exp(x) + 1)``, as ``logaddexp(0, x)`` so that it never overflows."""

    name = "softplus"
    needs_input = False

    def forward(self, x):
        return np.logaddexp(0, x).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        # sigmoid(x) = 1 - exp(-softplus(x)), read from the output.
        grad_y *= -np.expm1(-y)
        return grad_y


class Softsign(Activation):
    name = "softsign"
    needs_input = False

    def forward(self, x):
        return x / (np.abs(x) + 1)

    def backward(self, x, y, grad_y):
        one_minus = 1.0 - np.abs(y)  # 1 / (1 + |x|)
        grad_y *= one_minus * one_minus
        return grad_y


class Squareplus(Activation):
    """``(x + sqrt(x**2 + b)) / 2``; where ``x**2`` overflows, a form that does not."""

    name = "squareplus"

    def __init__(self, b: float = 4.0) -> None:
        self.b = float(b)

    def forward(self, x):
        with np.errstate(over="ignore"):
            root = np.sqrt(x * x + self.b)
            y = np.asarray((x + root) / 2, dtype=x.dtype)
        huge = np.isinf(root)
        if huge.any():
            # Keras's formula gives inf there; the true value is about x (x > 0) or b / 4|x|.
            xh = x[huge]
            h = np.hypot(xh, np.asarray(math.sqrt(self.b), dtype=x.dtype))
            y[huge] = np.where(xh > 0, 0.5 * xh + 0.5 * h, self.b / (2.0 * (h - xh)))
        return y

    def backward(self, x, y, grad_y):
        h = np.hypot(x, np.asarray(math.sqrt(self.b), dtype=x.dtype))
        return grad_y * (0.5 * (1.0 + x / h)).astype(grad_y.dtype, copy=False)

    def get_config(self):
        return {} if self.b == 4.0 else {"b": self.b}


class Silu(Activation):
    """``x * sigmoid(x)`` (alias ``swish``)."""

    name = "silu"

    def forward(self, x):
        return x * _sp().expit(x)

    def backward(self, x, y, grad_y):
        s = _sp().expit(x)
        return grad_y * (s * (1.0 + x * (1.0 - s)))


class Gelu(Activation):
    """Exact ``0.5 x (1 + erf(x / sqrt 2))`` by default; tanh form when ``approximate``."""

    name = "gelu"
    _C = math.sqrt(2.0 / math.pi)

    def __init__(self, approximate: bool = False) -> None:
        self.approximate = bool(approximate)

    def forward(self, x):
        if self.approximate:
            with np.errstate(over="ignore", invalid="ignore"):  # x**3 -> inf: tanh is +-1
                inner = self._C * (x + 0.044715 * x**3)
            return 0.5 * x * (1.0 + np.tanh(inner))
        return 0.5 * x * (1.0 + _sp().erf(x / math.sqrt(2.0)))

    def backward(self, x, y, grad_y):
        if self.approximate:
            with np.errstate(over="ignore", invalid="ignore"):
                t = np.tanh(self._C * (x + 0.044715 * x**3))
            d = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * self._C * (1.0 + 3 * 0.044715 * x * x)
        else:
            cdf = 0.5 * (1.0 + _sp().erf(x / math.sqrt(2.0)))
            d = cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        return grad_y * d

    def get_config(self):
        return {"approximate": True} if self.approximate else {}


class Mish(Activation):
    """``x * tanh(softplus(x))``."""

    name = "mish"

    def forward(self, x):
        return x * np.tanh(np.logaddexp(0, x)).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        t = np.tanh(np.logaddexp(0, x))
        return grad_y * (t + x * (1.0 - t * t) * _sp().expit(x)).astype(grad_y.dtype, copy=False)


class Exponential(Activation):
    """``exp(x)``: inf only where the true value exceeds the dtype's range."""

    name = "exponential"
    needs_input = False

    def forward(self, x):
        with np.errstate(over="ignore"):
            return np.exp(x)

    def backward(self, x, y, grad_y):
        with np.errstate(over="ignore", invalid="ignore"):
            grad_y *= y
        return grad_y


class HardSigmoid(Activation):
    """Keras 3's ``relu6(x + 3) / 6``."""

    name = "hard_sigmoid"
    needs_input = False

    def forward(self, x):
        return np.clip(x + 3.0, 0.0, 6.0) / 6.0

    def backward(self, x, y, grad_y):
        grad_y *= ((y > 0) & (y < 1)) * (1.0 / 6.0)
        return grad_y


class HardSilu(Activation):
    """``x * relu6(x + 3) / 6`` (alias ``hard_swish``)."""

    name = "hard_silu"

    def forward(self, x):
        return x * (np.clip(x + 3.0, 0.0, 6.0) / 6.0)

    def backward(self, x, y, grad_y):
        d = np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (2.0 * x + 3.0) / 6.0))
        return grad_y * d.astype(grad_y.dtype, copy=False)


class HardTanh(Activation):
    name = "hard_tanh"
    needs_input = False

    def forward(self, x):
        return np.clip(x, -1.0, 1.0)

    def backward(self, x, y, grad_y):
        grad_y *= (y > -1) & (y < 1)
        return grad_y


class LogSigmoid(Activation):
    """``log(sigmoid(x)) = -softplus(-x)``."""

    name = "log_sigmoid"

    def forward(self, x):
        return -np.logaddexp(0, -x).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        return grad_y * _sp().expit(-x)


class TanhShrink(Activation):
    name = "tanh_shrink"

    def forward(self, x):
        return x - np.tanh(x)

    def backward(self, x, y, grad_y):
        t = np.tanh(x)
        return grad_y * (t * t)


class SoftShrink(Activation):
    name = "soft_shrink"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = float(threshold)

    def forward(self, x):
        t = self.threshold
        return np.where(x > t, x - t, np.where(x < -t, x + t, 0.0)).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        return grad_y * (np.abs(x) > self.threshold)

    def get_config(self):
        return {} if self.threshold == 0.5 else {"threshold": self.threshold}


class HardShrink(Activation):
    name = "hard_shrink"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = float(threshold)

    def forward(self, x):
        return np.where(np.abs(x) > self.threshold, x, 0.0).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        return grad_y * (np.abs(x) > self.threshold)

    def get_config(self):
        return {} if self.threshold == 0.5 else {"threshold": self.threshold}


class SparsePlus(Activation):
    name = "sparse_plus"

    def forward(self, x):
        mid = 0.25 * (x + 1.0) ** 2
        return np.where(x <= -1, 0.0, np.where(x < 1, mid, x)).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        d = np.where(x <= -1, 0.0, np.where(x < 1, 0.5 * (x + 1.0), 1.0))
        return grad_y * d.astype(grad_y.dtype, copy=False)


class SparseSigmoid(Activation):
    name = "sparse_sigmoid"

    def forward(self, x):
        return np.clip(0.5 * (x + 1.0), 0.0, 1.0).astype(x.dtype, copy=False)

    def backward(self, x, y, grad_y):
        return grad_y * (((x > -1) & (x < 1)) * 0.5)


class FunctionActivation(Activation):
    """A user's plain callable used as an activation.

    Its derivative is taken by central differences in float64, elementwise;
    subclass :class:`Activation` with an exact ``backward`` for speed.
    """

    name = "function"

    def __init__(self, fn: Callable[[np.ndarray], Any]) -> None:
        self.fn = fn
        self.name = getattr(fn, "__name__", "function")

    def forward(self, x):
        return np.asarray(as_array(self.fn(x)), dtype=x.dtype)

    def backward(self, x, y, grad_y):
        x64 = x.astype(np.float64)
        h = 1e-6 * np.maximum(1.0, np.abs(x64))
        up = np.asarray(as_array(self.fn(x64 + h)), dtype=np.float64)
        down = np.asarray(as_array(self.fn(x64 - h)), dtype=np.float64)
        return (grad_y * ((up - down) / (2 * h))).astype(grad_y.dtype, copy=False)

    @property
    def serialized_name(self) -> str:
        from ._registry import saved_function_name

        return saved_function_name(self.fn) or self.name


class LayerActivation(Activation):
    """An activation layer (``LeakyReLU(negative_slope=0.1)``, ``ReLU(max_value=6)``...)
    given as another layer's ``activation``, as Keras allows: it computes with the layer's
    own function (an exact derivative) and saves as the layer, in Keras's form."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self._fn: Activation = layer.activation
        self.name = layer.name
        self.needs_input = self._fn.needs_input

    def forward(self, x):
        return self._fn.forward(x)

    def forward_inplace(self, x):
        return self._fn.forward_inplace(x)

    def backward(self, x, y, grad_y):
        return self._fn.backward(x, y, grad_y)

    @property
    def serialized_name(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"<activation {type(self.layer).__name__} {self.name}>"


def _activation_layer(obj: Any) -> bool:
    """A weightless layer that applies an :class:`Activation` (ReLU, LeakyReLU, ELU,
    Softmax, Activation): one that can stand in for a function."""
    from .layers.base import Layer

    return isinstance(obj, Layer) and isinstance(getattr(obj, "activation", None), Activation) \
        and not obj.weights


def _from_layer_spec(spec: dict[str, Any]) -> Activation | None:
    """A layer's config (Keras writes ``activation=LeakyReLU(...)`` so) as its activation."""
    from .layers import LAYERS

    name = spec.get("class_name")
    # The module decides first: Softmax is both a layer and an activation's name.
    config = spec.get("config")
    layer_module = str(spec.get("module", "")).startswith("keras.layers") or (
        isinstance(config, dict) and ("trainable" in config or "name" in config))
    if not isinstance(name, str) or name == "function" \
            or not (layer_module or (name in LAYERS and name not in ACTIVATIONS)):
        return None
    layer = LAYERS.from_config_dict(spec)
    return LayerActivation(layer) if _activation_layer(layer) else None


linear = _register(Linear)
relu = _register(Relu)
leaky_relu = _register(LeakyRelu)
relu6 = _register(Relu6)
sigmoid = _register(Sigmoid)
tanh = _register(Tanh)
softmax = _register(Softmax)
log_softmax = _register(LogSoftmax)
elu = _register(Elu)
selu = _register(Selu)
celu = _register(Celu)
softplus = _register(Softplus)
softsign = _register(Softsign)
squareplus = _register(Squareplus)
silu = _register(Silu)
swish = silu
gelu = _register(Gelu)
mish = _register(Mish)
exponential = _register(Exponential)
hard_sigmoid = _register(HardSigmoid)
hard_silu = _register(HardSilu)
hard_swish = hard_silu
hard_tanh = _register(HardTanh)
log_sigmoid = _register(LogSigmoid)
tanh_shrink = _register(TanhShrink)
soft_shrink = _register(SoftShrink)
hard_shrink = _register(HardShrink)
sparse_plus = _register(SparsePlus)
sparse_sigmoid = _register(SparseSigmoid)
ACTIVATIONS.alias("swish", "silu")
ACTIVATIONS.alias("hard_swish", "hard_silu")


def get(identifier: Any) -> Activation:
    """Resolve None (linear), a name, an :class:`Activation`, a config, or any callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, dict):
        if identifier.get("class_name") == "function" and isinstance(identifier.get("config"),
                                                                      str):
            return get(identifier["config"])  # Keras's form of a function, by its name
        from_layer = _from_layer_spec(identifier)
        if from_layer is not None:
            return from_layer
    if _activation_layer(identifier):
        return LayerActivation(identifier)
    if isinstance(identifier, (str, dict)) or isinstance(identifier, type):
        resolved = ACTIVATIONS.get(identifier)
        # A name found among custom objects (custom_objects, registered) is a plain function.
        return resolved if isinstance(resolved, Activation) else FunctionActivation(resolved)
    if callable(identifier):
        # Keras's own functions, when passed from a Keras import, resolve by name.
        name = getattr(identifier, "__name__", None)
        if name in ACTIVATIONS and getattr(identifier, "__module__", "").startswith("keras"):
            return ACTIVATIONS.get(name)
        return FunctionActivation(identifier)
    raise ValueError(f"Could not interpret activation identifier: {identifier!r}")


def serialize(activation: Activation) -> Any:
    """The activation's name, or ``{"class_name", "config"}`` when configured."""
    if isinstance(activation, LayerActivation):
        from .saving import serialize_keras_object

        return serialize_keras_object(activation.layer)
    name = activation.serialized_name
    if name is not None:
        return name
    return {"class_name": type(activation).__name__, "config": activation.get_config()}


def deserialize(config: Any) -> Activation:
    """Inverse of :func:`serialize`."""
    return get(config)
