"""Optimizers (``mk.optimizers``): Keras 3's update rules over flat buffers."""

from __future__ import annotations

from typing import Any

from . import schedules
from .adam import Adam, AdamW
from .base import Optimizer
from .others import Adadelta, Adamax, Lion, Nadam
from .registry import OPTIMIZERS
from .rmsprop import Adagrad, Ftrl, RMSprop
from .schedules import LearningRateSchedule
from .sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "LearningRateSchedule",
           "Lion", "Nadam", "OPTIMIZERS", "Optimizer", "RMSprop", "deserialize", "get",
           "schedules", "serialize"]


def get(identifier: Any) -> Optimizer:
    """Resolve a name (any case: ``"adam"``, ``"Adam"``, ``"ADAM"``), a class, an
    instance (returned as is) or a config dict to an optimizer."""
    if isinstance(identifier, Optimizer):
        return identifier
    if identifier is None:
        raise ValueError("An optimizer is required: pass a name such as 'adam' or an instance.")
    if isinstance(identifier, (str, dict)) or (
            isinstance(identifier, type) and issubclass(identifier, Optimizer)):
        return OPTIMIZERS.get(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Keras's serialized form: ``{"module", "class_name", "config", "registered_name"}``."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any], custom_objects: Any = None) -> Optimizer:
    """The optimizer that :func:`serialize` (or Keras) described."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("An optimizer config dict needs a 'class_name' key. "
                         f"Received: {config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or OPTIMIZERS.lookup(name)
    return cls.from_config(dict(config.get("config") or {}), custom_objects)
