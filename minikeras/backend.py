"""Keras's ``backend`` namespace: the settings of :mod:`minikeras.config` plus ``clear_session``."""

from __future__ import annotations

from .config import backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx

__all__ = ["backend", "clear_session", "epsilon", "floatx", "image_data_format", "set_epsilon",
           "set_floatx"]


def clear_session(free_memory: bool = True) -> None:
    """Reset the automatic-name counters, so the next Dense is ``dense`` again."""
    from . import config

    config.reset_names()
