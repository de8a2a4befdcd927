"""BatchNormalization and LayerNormalization."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._registry import serialize
from .base import LAYERS, Layer


def _positive_finite(value: Any, allow_zero: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    return bool(np.isfinite(value)) and (value >= 0 if allow_zero else value > 0)


class _NormBase(Layer):
    def __init__(self, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from .. import constraints, initializers, regularizers

        self.axis = axis if isinstance(axis, int) else list(axis)
        # 0 divides a constant feature by sqrt(0): NaN from finite input.
        if not _positive_finite(epsilon):
            raise ValueError(f"Argument `epsilon` must be a finite number > 0. Received: "
                             f"epsilon={epsilon!r}")
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None
        self._cache = None

    def _feature_axes(self, ndim: int) -> tuple[int, ...]:
        axes = [self.axis] if isinstance(self.axis, int) else self.axis
        return tuple(sorted(a % ndim for a in axes))

    def _param_shape(self, input_shape):
        return tuple(input_shape[a] for a in self._feature_axes(len(input_shape)))

    def _add_affine(self, input_shape):
        shape = self._param_shape(input_shape)
        if any(s is None for s in shape):
            raise ValueError(f"{type(self).__name__} layer {self.name!r}: axis {self.axis} of "
                             f"input shape {tuple(input_shape)} must be known.")
        if self.scale:
            self.gamma = self.add_weight(shape, self.gamma_initializer, name="gamma",
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape, self.beta_initializer, name="beta",
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)

    def _broadcast(self, v: np.ndarray, ndim: int) -> np.ndarray:
        shape = [1] * ndim
        for a, s in zip(self._feature_axes(ndim), v.shape):
            shape[a] = s
        return v.reshape(shape)

    def _affine(self, x_hat: np.ndarray) -> np.ndarray:
        y = x_hat * self._broadcast(self.gamma.value, x_hat.ndim) if self.gamma is not None \
            else x_hat.copy()
        if self.beta is not None:
            y += self._broadcast(self.beta.value, x_hat.ndim)
        return y

    def _affine_grads(self, grad_y: np.ndarray, x_hat: np.ndarray, reduce_axes) -> None:
        if not self._trainable:
            return
        if self.gamma is not None:
            self.gamma.grad[...] = (grad_y * x_hat).sum(axis=reduce_axes).reshape(self.gamma.shape)
        if self.beta is not None:
            self.beta.grad[...] = grad_y.sum(axis=reduce_axes).reshape(self.beta.shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": serialize(self.beta_initializer),
                "gamma_initializer": serialize(self.gamma_initializer),
                "beta_regularizer": serialize(self.beta_regularizer),
                "gamma_regularizer": serialize(self.gamma_regularizer),
                "beta_constraint": serialize(self.beta_constraint),
                "gamma_constraint": serialize(self.gamma_constraint)}


@LAYERS.register()
class BatchNormalization(_NormBase):
    """Normalize with the batch's statistics in training, the moving ones in inference.

    Keras 3 defaults: momentum 0.99, epsilon 1e-3; the batch (population)
    variance; weights ``[gamma, beta, moving_mean, moving_variance]``. A frozen
    layer (``trainable=False``) runs in inference mode even during ``fit``.
    """

    has_training_arg = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, synchronized: bool = False,
                 **kwargs: Any) -> None:
        if kwargs.pop("renorm", False):
            raise ValueError("BatchNormalization(renorm=True) (batch renormalization) is not "
                             "implemented in minikeras.")
        renorm_clipping = kwargs.pop("renorm_clipping", None)
        renorm_momentum = kwargs.pop("renorm_momentum", 0.99)
        kwargs.pop("fused", None)
        super().__init__(axis=axis, epsilon=epsilon, center=center, scale=scale,
                         beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                         beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                         beta_constraint=beta_constraint, gamma_constraint=gamma_constraint,
                         **kwargs)
        from .. import initializers

        if not _positive_finite(momentum, allow_zero=True) or momentum > 1:
            raise ValueError(f"Argument `momentum` must be a number in [0, 1]. Received: "
                             f"momentum={momentum!r}")
        self.momentum = float(momentum)
        self.synchronized = synchronized
        # Keras 3.15 writes these in its config; renorm itself stays refused above
        self.renorm_clipping, self.renorm_momentum = renorm_clipping, renorm_momentum
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.moving_mean = None
        self.moving_variance = None
        #: Set by a data-parallel fit: sums partial statistics across ranks.
        self._stat_reducer = None

    def build(self, input_shape):
        self._add_affine(input_shape)
        shape = self._param_shape(input_shape)
        self.moving_mean = self.add_weight(shape, self.moving_mean_initializer,
                                           name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight(shape, self.moving_variance_initializer,
                                               name="moving_variance", trainable=False)
        super().build(input_shape)

    def _reduce_axes(self, ndim):
        keep = self._feature_axes(ndim)
        return tuple(a for a in range(ndim) if a not in keep)

    def _batch_moments(self, x, axes):
        if self._stat_reducer is not None:
            return self._stat_reducer(x, axes)
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        return mean, var, x.size // mean.size

    def forward(self, x, training=False):
        axes = self._reduce_axes(x.ndim)
        if training and self._trainable:
            mean, var, n = self._batch_moments(x, axes)
            m = self.momentum
            self.moving_mean.value[...] = self.moving_mean.value * m + mean * (1.0 - m)
            self.moving_variance.value[...] = self.moving_variance.value * m + var * (1.0 - m)
            inv_std = 1.0 / np.sqrt(var + self.epsilon)
            x_hat = (x - self._broadcast(mean, x.ndim)) * self._broadcast(inv_std, x.ndim)
            self._cache = (True, x_hat, inv_std, axes, n)
        else:
            inv_std = 1.0 / np.sqrt(self.moving_variance.value + self.epsilon)
            x_hat = (x - self._broadcast(self.moving_mean.value, x.ndim)) \
                * self._broadcast(inv_std, x.ndim)
            self._cache = (False, x_hat, inv_std, axes, None)
        return self._affine(x_hat.astype(x.dtype, copy=False))

    def backward(self, grad_y):
        batch_stats, x_hat, inv_std, axes, n = self._cache
        self._affine_grads(grad_y, x_hat, axes)
        if not self.needs_input_grad:
            return None
        nd = grad_y.ndim
        g = grad_y * self._broadcast(self.gamma.value, nd) if self.gamma is not None else grad_y
        if not batch_stats:
            return g * self._broadcast(inv_std, nd)
        sum_g = g.sum(axis=axes)
        sum_gx = (g * x_hat).sum(axis=axes)
        if self._stat_reducer is not None:
            sum_g, sum_gx = self._stat_reducer.reduce_sums(sum_g, sum_gx)
        mean_g = self._broadcast(sum_g / n, nd)
        mean_gx = self._broadcast(sum_gx / n, nd)
        return (g - mean_g - x_hat * mean_gx) * self._broadcast(inv_std, nd)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum,
                "moving_mean_initializer": serialize(self.moving_mean_initializer),
                "moving_variance_initializer": serialize(self.moving_variance_initializer),
                "synchronized": self.synchronized, "renorm": False,
                "renorm_clipping": self.renorm_clipping, "renorm_momentum": self.renorm_momentum}


@LAYERS.register()
class LayerNormalization(_NormBase):
    """Normalize each sample over ``axis`` (the last by default), then scale and shift."""

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, rms_scaling: bool = False, **kwargs: Any) -> None:
        super().__init__(axis=axis, epsilon=epsilon, center=center, scale=scale, **kwargs)
        self.rms_scaling = bool(rms_scaling)

    def build(self, input_shape):
        self._add_affine(input_shape)
        super().build(input_shape)

    def forward(self, x, training=False):
        axes = self._feature_axes(x.ndim)
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        x_hat = (x - mean) * inv_std
        self._cache = (x_hat, inv_std, axes)
        return self._affine(x_hat)

    def backward(self, grad_y):
        x_hat, inv_std, axes = self._cache
        batch_axes = tuple(a for a in range(grad_y.ndim) if a not in axes)
        self._affine_grads(grad_y, x_hat, batch_axes)
        if not self.needs_input_grad:
            return None
        g = grad_y * self._broadcast(self.gamma.value, grad_y.ndim) if self.gamma is not None \
            else grad_y
        mean_g = g.mean(axis=axes, keepdims=True)
        mean_gx = (g * x_hat).mean(axis=axes, keepdims=True)
        return (g - mean_g - x_hat * mean_gx) * inv_std

    def get_config(self):
        return {**super().get_config(), "rms_scaling": self.rms_scaling}
