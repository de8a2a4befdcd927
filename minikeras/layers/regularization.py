"""Regularizing layers: Dropout, GaussianNoise and GaussianDropout act in training only;
ActivityRegularization adds an output penalty."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import config
from .base import LAYERS, Layer


def _check_rate(rate: Any) -> float:
    if not isinstance(rate, (int, float, np.integer, np.floating)) or isinstance(rate, bool) \
            or not 0 <= rate <= 1:
        raise ValueError("Invalid value received for argument `rate`. Expected a float value "
                         f"between 0 and 1. Received: rate={rate}")
    return float(rate)


class _NoiseLayer(Layer):
    has_training_arg = True

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        if seed is not None:
            self._rng = config.make_rng(seed)

    def backward(self, grad_y):
        scale = self._cache
        if scale is None:
            return grad_y
        grad_y *= scale
        return grad_y

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class _MaskedDropout(_NoiseLayer):
    """Dropout's arguments and mask: ``rate``, ``noise_shape`` (None axes follow the
    input), and a keep-mask drawn in training; :meth:`_apply` uses it."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self._cache: np.ndarray | None = None

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._cache = None
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            s if n is None else n for s, n in zip(x.shape, self.noise_shape))
        keep = (self._rng.random(shape, dtype=np.float64) >= self.rate).astype(x.dtype)
        return self._apply(x, keep)

    def _apply(self, x: np.ndarray, keep: np.ndarray) -> np.ndarray:
        """The training output from the keep-mask; sets ``_cache`` to d output / d x."""
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


@LAYERS.register()
class Dropout(_MaskedDropout):
    """In training, zero each value with probability ``rate``; scale the rest by ``1/(1-rate)``."""

    _built_at_init = True

    def _apply(self, x, keep):
        if self.rate == 1:
            self._cache = np.zeros((1,) * x.ndim, dtype=x.dtype)
            return np.zeros_like(x)
        keep *= 1.0 / (1.0 - self.rate)
        self._cache = keep
        return x * keep


@LAYERS.register()
class GaussianNoise(_NoiseLayer):
    """In training, add zero-mean normal noise of standard deviation ``stddev``."""

    _built_at_init = True

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        # NaN would pass `stddev < 0` and turn every training output into NaN.
        if not isinstance(stddev, (int, float, np.integer, np.floating)) \
                or isinstance(stddev, bool) or not math.isfinite(stddev) or stddev < 0:
            raise ValueError(f"Invalid value received for argument `stddev`. Expected a float "
                             f"value >= 0. Received: stddev={stddev}")
        self.stddev = float(stddev)
        self._cache = None

    def forward(self, x, training=False):
        self._cache = None
        if not training or self.stddev == 0:
            return x
        return x + (self.stddev * self._rng.standard_normal(x.shape)).astype(x.dtype)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


@LAYERS.register()
class GaussianDropout(_NoiseLayer):
    """In training, multiply by normal noise of mean 1 and variance ``rate / (1 - rate)``."""

    _built_at_init = True

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(rate)
        self._cache = None

    def forward(self, x, training=False):
        if not training or not 0 < self.rate < 1:
            self._cache = None
            return x
        std = math.sqrt(self.rate / (1.0 - self.rate))
        scale = (1.0 + std * self._rng.standard_normal(x.shape)).astype(x.dtype)
        self._cache = scale
        return x * scale

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


# SELU's constants (activations.Selu): AlphaDropout drops to SELU's negative saturation.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@LAYERS.register()
class AlphaDropout(_MaskedDropout):
    """Dropout for SELU networks (Keras's): in training, each value is set with
    probability ``rate`` to SELU's saturation value ``-alpha * scale``, then all are
    shifted and scaled back to the input's mean and variance:
    ``a * (x * keep + alpha_p * (1 - keep)) + b``."""

    _built_at_init = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)
        if self.rate == 1.0:  # a = 0 ** -0.5: Keras would output inf and NaN
            raise ValueError("AlphaDropout needs `rate` < 1 (at 1 its scale is infinite). "
                             "Received: rate=1.0")

    def _apply(self, x, keep):
        rate = self.rate
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * rate
        self._cache = keep * x.dtype.type(a)
        return x * self._cache + (a * alpha_p * (1 - keep) + b).astype(x.dtype)


@LAYERS.register()
class ActivityRegularization(Layer):
    """Identity whose output pays an L1/L2 activity penalty (divided by the batch size)."""

    _built_at_init = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        from ..regularizers import L1L2

        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def forward(self, x, training=False):
        return x

    def backward(self, grad_y):
        return grad_y

    def get_config(self):
        config_ = super().get_config()
        config_.pop("activity_regularizer", None)
        return {**config_, "l1": self.l1, "l2": self.l2}
