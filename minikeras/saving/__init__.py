"""Saving and loading (``mk.saving``): JSON config + ``.npz`` arrays; no pickle, no code in files.

- :func:`save_model` / :func:`load_model`, :func:`save_weights` / :func:`load_weights`
  (``model.save``, ``mk.models.load_model``, ``model.save_weights``, ``model.load_weights``).
- :func:`atomic_write`: the temporary-file-then-``os.replace`` writer that every
  model, weights and checkpoint file goes through; other modules reuse it.
- :data:`LIMITS` and :class:`UnsafeFileError`: what a loader refuses.
"""

from __future__ import annotations

from typing import Any

from .._registry import register_keras_serializable, serialize
from ..utils import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
)
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

__all__ = ["LIMITS", "PHASES", "CustomObjectScope", "UnsafeFileError", "atomic_copy",
           "atomic_write", "atomic_write_bytes", "custom_object_scope",
           "deserialize_keras_object", "fsync_directory", "get_custom_objects",
           "get_registered_name", "get_registered_object", "load_model", "load_weights",
           "read_training_state", "register_keras_serializable", "save_model", "save_weights",
           "serialize_keras_object", "write_training_state"]


def serialize_keras_object(obj: Any) -> Any:
    """Keras's serialized form of ``obj``: ``{"class_name", "config"}``, a registered
    name for a built-in activation, a function's name for a function."""
    from .._registry import saved_function_name

    if callable(obj) and not hasattr(obj, "get_config") and not isinstance(obj, type):
        name = saved_function_name(obj)
        if name is None:
            raise ValueError(f"Cannot serialize {obj!r}: an anonymous function has no name "
                             "(minikeras never stores code).")
        return name
    return serialize(obj)


def deserialize_keras_object(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The object for :func:`serialize_keras_object`'s form: a registered name or a
    ``{"class_name", "config"}`` dict of any built-in or registered class. Never imports
    or runs anything a config names."""
    from .. import (
        activations,
        constraints,
        initializers,
        layers,
        losses,
        metrics,
        optimizers,
        regularizers,
    )

    if config is None or isinstance(config, (int, float, bool)):
        return config
    name = config.get("class_name") if isinstance(config, dict) else config
    if not isinstance(name, str):
        raise ValueError(f"Cannot deserialize {config!r}: no class name.")
    found = get_registered_object(name, custom_objects)
    if found is None:
        for registry in (layers.LAYERS, losses.LOSSES, metrics.METRICS,
                         optimizers.OPTIMIZERS, activations.ACTIVATIONS,
                         initializers.INITIALIZERS, regularizers.REGULARIZERS,
                         constraints.CONSTRAINTS):
            if name in registry:
                found = registry.lookup(name)
                break
    if found is None:
        raise ValueError(f"Cannot deserialize {name!r}: it is not a built-in name and not "
                         "registered (pass it in custom_objects).")
    if not isinstance(config, dict):
        return found
    cls = found if isinstance(found, type) else type(found)
    return cls.from_config(config.get("config") or {})
