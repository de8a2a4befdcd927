"""Callbacks (``mk.callbacks``)."""

from __future__ import annotations

from .base import Callback, CallbackList
from .history import History
from .progbar import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]

try:  # the training-control callbacks, written in their own modules
    from .standard import *  # noqa: F401,F403
    from .standard import __all__ as _standard_all

    __all__ += list(_standard_all)
except ImportError:  # pragma: no cover - while being written
    pass
