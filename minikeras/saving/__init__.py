"""Saving and loading (``mk.saving``): JSON config + ``.npz`` arrays; no pickle, no code in files.

- :func:`save_model` / :func:`load_model`, :func:`save_weights` / :func:`load_weights`
  (``model.save``, ``mk.models.load_model``, ``model.save_weights``, ``model.load_weights``).
- :func:`atomic_write`: the temporary-file-then-``os.replace`` writer that every
  model, weights and checkpoint file goes through; other modules reuse it.
- :data:`LIMITS` and :class:`UnsafeFileError`: what a loader refuses.
"""

from __future__ import annotations

from typing import Any

from .._registry import register_keras_serializable, registered_key, serialize
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


def _kinds() -> list[tuple[str, Any, type]]:
    """(Keras's public module, our registry, base class) of each kind of object,
    the most specific first (schedules before optimizers)."""
    from .. import activations, constraints, initializers, layers, losses, metrics, regularizers
    from ..optimizers import OPTIMIZERS, Optimizer, schedules

    return [("keras.layers", layers.LAYERS, layers.Layer),
            ("keras.losses", losses.LOSSES, losses.Loss),
            ("keras.metrics", metrics.METRICS, metrics.Metric),
            ("keras.optimizers.schedules", schedules.SCHEDULES, schedules.LearningRateSchedule),
            ("keras.optimizers", OPTIMIZERS, Optimizer),
            ("keras.initializers", initializers.INITIALIZERS, initializers.Initializer),
            ("keras.regularizers", regularizers.REGULARIZERS, regularizers.Regularizer),
            ("keras.constraints", constraints.CONSTRAINTS, constraints.Constraint),
            ("keras.activations", activations.ACTIVATIONS, activations.Activation)]


def _function_spec(name: str) -> dict[str, Any]:
    return {"module": "builtins", "class_name": "function", "config": name,
            "registered_name": "function"}


def serialize_keras_object(obj: Any) -> Any:
    """Keras 3's serialized form of ``obj``: ``{"module", "class_name", "config",
    "registered_name"}`` (a model adds ``build_config`` and ``compile_config``); a
    function (or a built-in activation) as Keras writes one, by its name."""
    from .._registry import saved_function_name
    from ..models import Sequential

    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if callable(obj) and not hasattr(obj, "get_config") and not isinstance(obj, type):
        name = registered_key(obj) or saved_function_name(obj)
        if name is None:
            raise ValueError(f"Cannot serialize {obj!r}: an anonymous function has no name "
                             "(minikeras never stores code).")
        return _function_spec(name)
    spec = serialize(obj)
    if isinstance(spec, str):  # a built-in activation, which Keras keeps as a function
        return _function_spec(spec)
    cls = type(obj)
    registered = registered_key(cls)
    if registered is not None:  # the user's registered class: Keras names its own module
        module, registered_name = cls.__module__, registered
    elif isinstance(obj, Sequential):
        module, registered_name = "keras", None
    else:
        module = next((m for m, _, base in _kinds() if isinstance(obj, base)), cls.__module__)
        registered_name = None
    out = {"module": module, "class_name": spec["class_name"], "config": spec["config"],
           "registered_name": registered_name}
    if isinstance(obj, Sequential):
        out["build_config"] = obj.get_build_config()
        out["compile_config"] = obj.get_compile_config() if obj.compiled else None
    return out


def _deserialize_function(name: Any, custom_objects: dict[str, Any] | None) -> Any:
    """A function spec's function: the user's registered one, else a built-in activation,
    loss or metric function of that name (Keras's ``get`` of each, in that order)."""
    from .. import activations, losses, metrics

    if not isinstance(name, str):
        raise ValueError(f"Cannot deserialize the function {name!r}: no name.")
    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    if name in activations.ACTIVATIONS:
        return activations.get(name)
    for module in (losses, metrics):  # their functions (mse, binary_accuracy...)
        fn = getattr(module, name, None)
        if callable(fn) and not isinstance(fn, type):
            return fn
    raise ValueError(f"Cannot deserialize the function {name!r}: it is not a built-in name "
                     "and not registered (pass it in custom_objects).")


def deserialize_keras_object(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The object for :func:`serialize_keras_object`'s form (Keras 3's own too): a name,
    a function spec, or a class spec looked up by its ``registered_name`` among custom
    objects, else in the registry its ``module`` names (``keras.metrics`` and
    ``keras.losses`` both have a ``MeanSquaredError``), else in every registry. Never
    imports or runs anything a config names."""
    if config is None or isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, dict) and config.get("class_name") == "function":
        return _deserialize_function(config.get("config"), custom_objects)
    name = config.get("class_name") if isinstance(config, dict) else config
    if not isinstance(name, str):
        raise ValueError(f"Cannot deserialize {config!r}: no class name.")
    module = config.get("module") if isinstance(config, dict) else None
    registered = config.get("registered_name") if isinstance(config, dict) else None
    found = None
    if isinstance(registered, str) and ">" in registered:
        found = get_registered_object(registered, custom_objects)
    if found is None:
        found = get_registered_object(name, custom_objects)
    kinds = _kinds()
    if found is None and isinstance(module, str) and module.split(".")[0] in ("keras",
                                                                             "tf_keras"):
        public = module.replace(".src", "")
        for prefix, registry, _ in kinds:
            if (public.startswith(prefix) or prefix.split(".")[-1] in public.split(".")) \
                    and name in registry:
                found = registry.lookup(name)
                break
        if found is None and name == "Sequential":
            from ..models import Sequential

            found = Sequential
    if found is None:
        for _, registry, _ in kinds:
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
