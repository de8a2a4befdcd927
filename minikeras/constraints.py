"""Weight constraints, applied after each optimizer step (Keras's ``kernel_constraint``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import Registry
from .config import epsilon

CONSTRAINTS = Registry("constraint")


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weights."""

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)


def _norms(w: np.ndarray, axis: Any) -> np.ndarray:
    return np.sqrt((w * w).sum(axis=axis, keepdims=True))


@CONSTRAINTS.register("max_norm")
class MaxNorm(Constraint):
    """Rescale each slice along ``axis`` to norm at most ``max_value``."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return w * (desired / (epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@CONSTRAINTS.register("non_neg")
class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w):
        return w * (w >= 0.0)


@CONSTRAINTS.register("unit_norm")
class UnitNorm(Constraint):
    """Rescale each slice along ``axis`` to unit norm."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w):
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@CONSTRAINTS.register("min_max_norm")
class MinMaxNorm(Constraint):
    """Move each slice's norm towards ``[min_value, max_value]`` at speed ``rate``."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) \
            + (1 - self.rate) * norms
        return w * (desired / (epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


def get(identifier: Any) -> Constraint | None:
    """Resolve None, a name, a class, an instance, a config dict or a callable."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, (str, dict, type)):
        return CONSTRAINTS.get(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")


def serialize(constraint: Constraint) -> dict[str, Any]:
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    from .saving import serialize_keras_object

    return serialize_keras_object(constraint)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Constraint | None:
    """Inverse of :func:`serialize` (Keras's form, or ``{"class_name", "config"}``)."""
    if custom_objects and isinstance(config, dict) and config.get("class_name") in custom_objects:
        return CONSTRAINTS.from_config_dict(config, custom_objects)
    return get(config)
