"""Saving and loading (``mk.saving``): JSON config + ``.npz`` arrays; no pickle, no code in files.

- :func:`save_model` / :func:`load_model`, :func:`save_weights` / :func:`load_weights`
  (``model.save``, ``mk.models.load_model``, ``model.save_weights``, ``model.load_weights``).
- :func:`atomic_write`: the temporary-file-then-``os.replace`` writer that every
  model, weights and checkpoint file goes through; other modules reuse it.
- :data:`LIMITS` and :class:`UnsafeFileError`: what a loader refuses.
"""

from __future__ import annotations

from .._registry import register_keras_serializable
from ..utils import custom_object_scope, get_custom_objects
from .archive import LIMITS, UnsafeFileError
from .atomic import PHASES, atomic_copy, atomic_write, atomic_write_bytes, fsync_directory
from .model_io import (
    load_model,
    load_weights,
    read_training_state,
    save_model,
    save_weights,
    write_training_state,
)

__all__ = ["LIMITS", "PHASES", "UnsafeFileError", "atomic_copy", "atomic_write",
           "atomic_write_bytes", "custom_object_scope", "fsync_directory",
           "get_custom_objects", "load_model", "load_weights", "read_training_state",
           "register_keras_serializable", "save_model", "save_weights", "write_training_state"]
