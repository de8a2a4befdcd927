"""Activation layers with their own arguments: ReLU, LeakyReLU, ELU, PReLU, Softmax."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import activations as A
from .._registry import serialize
from .base import LAYERS, Layer
from .core import Activation


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    """A real number that is not NaN or inf (NaN slips through ``value < 0`` checks)."""
    return _is_number(value) and bool(np.isfinite(value))


@LAYERS.register()
class ReLU(Activation):
    """``relu`` with Keras's ``max_value``, ``negative_slope`` and ``threshold``."""

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any) -> None:
        if max_value is not None and (not _is_number(max_value) or not max_value >= 0.0):
            raise ValueError("max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        if not _is_finite(negative_slope) or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be a negative value. "
                             f"Received: negative_slope={negative_slope}")
        if not _is_finite(threshold) or threshold < 0:
            raise ValueError("threshold of a ReLU layer cannot be None or a negative value "
                             f"(a finite number >= 0). Received: threshold={threshold}")
        fn = A.relu if (max_value is None and not negative_slope and not threshold) else \
            A.Relu(negative_slope=negative_slope, max_value=max_value, threshold=threshold)
        super().__init__(fn, **kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def get_config(self):
        config = super().get_config()
        config.pop("activation")
        return {**config, "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


@LAYERS.register()
class LeakyReLU(Activation):
    """``x`` for ``x > 0`` else ``negative_slope * x``; the layer's default slope is 0.3."""

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        if not _is_finite(negative_slope) or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             f"negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        super().__init__(A.LeakyRelu(negative_slope), **kwargs)
        self.negative_slope = float(negative_slope)

    def get_config(self):
        config = super().get_config()
        config.pop("activation")
        return {**config, "negative_slope": self.negative_slope}


@LAYERS.register()
class ELU(Activation):
    """``x`` for ``x > 0`` else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        if not _is_finite(alpha):
            raise ValueError(f"`alpha` of an ELU layer must be a finite number. Received: "
                             f"alpha={alpha!r}")
        super().__init__(A.elu if alpha == 1.0 else A.Elu(alpha), **kwargs)
        self.alpha = float(alpha)

    def get_config(self):
        config = super().get_config()
        config.pop("activation")
        return {**config, "alpha": self.alpha}


@LAYERS.register()
class Softmax(Activation):
    """Softmax along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"`axis` of a Softmax layer must be an integer. Received: "
                             f"axis={axis!r}")
        super().__init__(A.softmax if axis == -1 else A.Softmax(axis), **kwargs)
        self.axis = axis

    def forward(self, x, training=False, mask=None):
        return super().forward(x, training)

    def get_config(self):
        config = super().get_config()
        config.pop("activation")
        return {**config, "axis": self.axis}


@LAYERS.register()
class PReLU(Layer):
    """``max(x, 0) + alpha * min(x, 0)`` with a learned ``alpha`` per feature."""

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from .. import constraints, initializers, regularizers

        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None or isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes) if shared_axes is not None else None
        else:
            self.shared_axes = [shared_axes]
        self.alpha = None

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            shape[axis - 1] = 1
        self.alpha = self.add_weight(tuple(shape), self.alpha_initializer, name="alpha",
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        super().build(input_shape)

    def forward(self, x, training=False):
        self._cache = (x, None)
        return np.maximum(x, 0) + self.alpha.value * np.minimum(x, 0)

    def backward(self, grad_y):
        x, _ = self._cache
        neg = np.minimum(x, 0)
        if self._trainable:
            g = grad_y * neg
            axes = (0,) + tuple(a for a in range(1, x.ndim) if self.alpha.shape[a - 1] == 1
                                and x.shape[a] != 1)
            self.alpha.grad[...] = g.sum(axis=axes, keepdims=True).reshape(self.alpha.shape)
        if not self.needs_input_grad:
            return None
        return grad_y * np.where(x > 0, 1.0, self.alpha.value).astype(grad_y.dtype, copy=False)

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": serialize(self.alpha_initializer),
                "alpha_regularizer": serialize(self.alpha_regularizer),
                "alpha_constraint": serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
