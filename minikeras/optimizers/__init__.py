"""Optimizers (``mk.optimizers``): Keras 3's update rules over flat buffers."""

from __future__ import annotations

from typing import Any

from . import schedules
from .adam import Adam, AdamW
from .base import Optimizer
from .others import Adadelta, Adamax, Lion, Nadam
from .registry import OPTIMIZERS
from .rmsprop import Adagrad, RMSprop
from .schedules import LearningRateSchedule
from .sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LearningRateSchedule",
           "Lion", "Nadam", "OPTIMIZERS", "Optimizer", "RMSprop", "deserialize", "get",
           "schedules", "serialize"]


def get(identifier: Any) -> Optimizer:
    """Resolve a name (any case), a class, an instance or a config dict."""
    if isinstance(identifier, Optimizer):
        return identifier
    if identifier is None:
        raise ValueError("An optimizer is required: pass a name such as 'adam' or an instance.")
    if isinstance(identifier, (str, dict, type)):
        return OPTIMIZERS.get(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict[str, Any], custom_objects: Any = None) -> Optimizer:
    return OPTIMIZERS.from_config_dict(config, custom_objects)
