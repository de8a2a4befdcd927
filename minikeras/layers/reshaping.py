"""Layers that only move values: Flatten and Reshape."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import config
from .base import LAYERS, Layer, standardize_shape


@LAYERS.register()
class Flatten(Layer):
    """Flatten each sample to one axis: ``(n, a, b)`` -> ``(n, a * b)``."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError("The `data_format` argument must be one of {'channels_first', "
                             f"'channels_last'}}. Received: data_format={data_format}")
        self.data_format = data_format or config.image_data_format()
        self._in_shape: tuple[int, ...] | None = None

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(s is None for s in rest) else math.prod(rest)
        return (input_shape[0], size)

    def _channels_first(self, ndim: int) -> bool:
        return self.data_format == "channels_first" and ndim > 2

    def forward(self, x, training=False):
        if self._channels_first(x.ndim):  # to channels-last order first, as Keras does
            x = np.moveaxis(x, 1, -1)
        self._in_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_y):
        grad = grad_y.reshape(self._in_shape)
        return np.moveaxis(grad, -1, 1) if self._channels_first(grad.ndim) else grad

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


@LAYERS.register()
class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            self.target_shape = tuple(int(s) for s in target_shape)
        except (TypeError, ValueError):
            raise ValueError("`target_shape` must be a tuple of integers (one may be -1). "
                             f"Received: target_shape={target_shape!r}") from None
        if sum(s == -1 for s in self.target_shape) > 1:
            raise ValueError(f"There can only be one unknown dimension (-1) in `target_shape`. "
                             f"Received: target_shape={target_shape}")
        standardize_shape([s for s in self.target_shape if s != -1], "target_shape")
        self._in_shape: tuple[int, ...] | None = None

    def _resolve(self, sample_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        if -1 not in self.target_shape:
            return self.target_shape
        if any(s is None for s in sample_shape):
            return tuple(None if s == -1 else s for s in self.target_shape)
        known = math.prod(s for s in self.target_shape if s != -1)
        total = math.prod(sample_shape)
        return tuple(total // known if s == -1 else s for s in self.target_shape)

    def build(self, input_shape):
        sample = tuple(input_shape[1:])
        if all(s is not None for s in sample):
            target = self._resolve(sample)
            if math.prod(sample) != math.prod(target):
                raise ValueError(
                    f"Reshape layer {self.name!r}: cannot reshape samples of shape {sample} "
                    f"({math.prod(sample)} values) to target_shape={self.target_shape}.")
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._resolve(tuple(input_shape[1:])))

    def forward(self, x, training=False):
        self._in_shape = x.shape
        return x.reshape((x.shape[0], *self.target_shape))

    def backward(self, grad_y):
        return grad_y.reshape(self._in_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}
