"""Preprocessing layers that live in the model: Rescaling and Normalization."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, as_array, as_tensor
from ..data import check_numeric
from .base import LAYERS, Layer


def _check_finite(value: Any, arg: str, layer: str) -> np.ndarray:
    """``value`` as a float array, or a ValueError naming ``arg`` (NaN or inf would spread)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or not np.isfinite(arr).all():
        raise ValueError(f"{layer}'s `{arg}` must be a finite number or an array of them. "
                         f"Received: {arg}={value!r}")
    return arr


@LAYERS.register()
class Rescaling(Layer):
    """``x * scale + offset``."""

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for arg, value in (("scale", scale), ("offset", offset)):
            _check_finite(value, arg, "Rescaling")
        self.scale = scale
        self.offset = offset

    def forward(self, x, training=False):
        return x * np.asarray(self.scale, dtype=x.dtype) + np.asarray(self.offset, dtype=x.dtype)

    def backward(self, grad_y):
        grad_y *= np.asarray(self.scale, dtype=grad_y.dtype)
        return grad_y

    def get_config(self):
        scale = self.scale.tolist() if isinstance(self.scale, np.ndarray) else self.scale
        offset = self.offset.tolist() if isinstance(self.offset, np.ndarray) else self.offset
        return {**super().get_config(), "scale": scale, "offset": offset}


@LAYERS.register()
class Normalization(Layer):
    """``(x - mean) / max(sqrt(variance), 1e-7)`` per feature; ``adapt(data)`` learns them.

    Keras 3: the population variance; weights ``[mean, variance, count]`` when
    adapted; with ``mean=``/``variance=`` given there are no weights.
    ``invert=True`` maps normalized values back.
    """

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            _check_finite(mean, "mean", "Normalization")
            # sqrt of a negative variance is NaN for every input.
            if (_check_finite(variance, "variance", "Normalization") < 0).any():
                raise ValueError("Normalization's `variance` must be >= 0. Received: "
                                 f"variance={variance!r}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.mean_var = None
        self.variance_var = None
        self.count = None
        self._cache = None

    def check_input(self, x: np.ndarray) -> None:
        if not self.axis:  # axis=None: one mean and variance, for inputs of any shape (Keras)
            return
        super().check_input(x)

    def _keep_axes(self, ndim: int) -> tuple[int, ...]:
        return tuple(sorted(a % ndim for a in self.axis))

    def _stat_shape(self, input_shape: tuple[Any, ...]) -> tuple[int, ...]:
        keep = self._keep_axes(len(input_shape))
        for a in keep:
            if a == 0 or input_shape[a] is None:
                raise ValueError(f"Normalization layer {self.name!r}: axis {a} must be a known, "
                                 f"non-batch axis; input shape {tuple(input_shape)}.")
        return tuple(input_shape[a] for a in keep)

    def build(self, input_shape):
        if self.input_mean is None:
            shape = self._stat_shape(input_shape)
            self.mean_var = self.add_weight(shape, "zeros", name="mean", trainable=False)
            self.variance_var = self.add_weight(shape, "ones", name="variance", trainable=False)
            self.count = self.add_weight((), "zeros", name="count", trainable=False,
                                         dtype="int32")  # Keras: "int", int32 off TensorFlow
        super().build(input_shape)

    def adapt(self, data: Any, batch_size: Any = None, steps: Any = None) -> None:
        """Compute the mean and (population) variance of ``data`` per kept axis."""
        x = as_array(data)
        if hasattr(data, "values") and not isinstance(data, np.ndarray):
            x = np.asarray(data.values)
        check_numeric(x, "data")  # NaN here would make every later output NaN
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        if not self.built:
            self._maybe_build(x.shape)
        if self.input_mean is not None:
            raise ValueError("Normalization was given `mean` and `variance`; it cannot adapt.")
        keep = self._keep_axes(x.ndim)
        reduce = tuple(a for a in range(x.ndim) if a not in keep)
        self.mean_var.assign(x.mean(axis=reduce).reshape(self.mean_var.shape))
        self.variance_var.assign(x.var(axis=reduce).reshape(self.variance_var.shape))
        # `count` stays 0: Keras 3 keeps it only for old saved models and never
        # updates it, so get_weights() after adapt equals Keras's.

    def _stats(self, ndim: int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
        keep = self._keep_axes(ndim)
        shape = [1] * ndim
        if self.input_mean is not None:
            mean = np.asarray(self.input_mean, dtype=dtype)
            var = np.asarray(self.input_variance, dtype=dtype)
            target = [1] * ndim
            for a in keep:
                target[a] = -1 if mean.size > 1 else 1
            if mean.size > 1:
                return mean.reshape(target), var.reshape(target)
            return mean.reshape([1] * ndim), var.reshape([1] * ndim)
        for a, s in zip(keep, self.mean_var.shape):
            shape[a] = s
        return (self.mean_var.value.astype(dtype).reshape(shape),
                self.variance_var.value.astype(dtype).reshape(shape))

    @property
    def mean(self) -> Tensor | None:
        """Keras's ``layer.mean``: the mean broadcast to the input's rank, once built."""
        return self._public_stat(0)

    @property
    def variance(self) -> Tensor | None:
        """Keras's ``layer.variance``: broadcast like :attr:`mean`, once built."""
        return self._public_stat(1)

    def _public_stat(self, which: int) -> Tensor | None:
        # Tutorials print `normalizer.mean.numpy()` after adapt; Keras's shape is (1, n).
        if self._build_input_shape is None:
            return None
        return as_tensor(self._stats(len(self._build_input_shape), self.dtype)[which])

    def forward(self, x, training=False):
        mean, var = self._stats(x.ndim, x.dtype)
        denom = np.maximum(np.sqrt(var), np.asarray(1e-7, dtype=x.dtype))
        self._cache = denom
        if self.invert:
            return mean + x * denom
        return (x - mean) / denom

    def backward(self, grad_y):
        if self.invert:
            return grad_y * self._cache
        return grad_y / self._cache

    def get_config(self):
        config = super().get_config()
        mean, var = self.input_mean, self.input_variance
        if isinstance(mean, np.ndarray):
            mean, var = mean.tolist(), np.asarray(var).tolist()
        axis = self.axis[0] if len(self.axis) == 1 else list(self.axis)
        return {**config, "axis": axis, "mean": mean, "variance": var, "invert": self.invert}
