"""Argument checks shared by the optimizers: clear errors before any state exists."""

from __future__ import annotations

import inspect
import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from ..layers.base import Variable
from .schedules import LearningRateSchedule


def _user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside minikeras."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("minikeras"):
        frame, level = frame.f_back, level + 1
    return level


def _number(value: Any, arg: str) -> float:
    """``value`` as a Python float, or a ValueError naming ``arg``."""
    if isinstance(value, Variable):
        value = value.value
    if isinstance(value, (bool, np.bool_)) or isinstance(value, str):
        raise ValueError(f"Argument `{arg}` must be a number. Received: {arg}={value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Argument `{arg}` must be a number. Received: {arg}={value!r}") \
            from None


def check_range(value: Any, arg: str, low: float = 0.0, high: float = math.inf,
                low_open: bool = False, high_open: bool = False, why: str = "") -> float:
    """Validate a hyperparameter: a finite number in the given interval, else a ValueError.

    Used by the optimizers' constructors, so every bad value fails before any
    state exists, with Keras's "Received: arg=value" wording.
    """
    x = _number(value, arg)
    inside = math.isfinite(x) and (low < x if low_open else low <= x) and \
        (x < high if high_open else x <= high)
    if not inside:
        lo = "(" if low_open else "["
        hi = ")" if high_open or high == math.inf else "]"
        high_text = "inf" if high == math.inf else f"{high:g}"
        raise ValueError(f"Argument `{arg}` must be a finite number in {lo}{low:g}, "
                         f"{high_text}{hi}{why}. Received: {arg}={value!r}")
    return x


EPSILON_WHY = " (0 would make a weight whose gradient is always 0 NaN: 0 / 0)"


def _check_learning_rate(learning_rate: Any) -> float | LearningRateSchedule | Callable:
    """A float, a schedule or a callable; a clear error for anything else."""
    if isinstance(learning_rate, LearningRateSchedule):
        return learning_rate
    if callable(learning_rate) and not isinstance(learning_rate, (Variable, np.ndarray)):
        return learning_rate
    try:
        value = _number(learning_rate, "learning_rate")
    except ValueError:
        raise ValueError(
            "Argument `learning_rate` should be float, or an instance of "
            "LearningRateSchedule, or a callable (that takes in the current iteration value "
            "and returns the corresponding learning rate value). Received instead: "
            f"learning_rate={learning_rate!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise ValueError("Argument `learning_rate` must be a finite number >= 0. "
                         f"Received: learning_rate={learning_rate!r}")
    return value


def _takes_step(fn: Callable) -> bool:
    """True if ``fn`` needs a positional argument (the step); Keras calls ``fn()``."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               for p in params)
