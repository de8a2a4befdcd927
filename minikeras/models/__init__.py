"""Models (``mk.models``): Sequential, and loading and cloning."""

from __future__ import annotations

import json
from typing import Any

from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json"]


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Sequential:
    """Rebuild a model's architecture from ``model.to_json()`` (no weights)."""
    try:
        spec = json.loads(json_string)
    except json.JSONDecodeError as err:
        raise ValueError(f"model_from_json: the text is not valid JSON ({err}).") from None
    if not isinstance(spec, dict) or spec.get("class_name") != "Sequential":
        what = spec.get("class_name") if isinstance(spec, dict) else spec
        raise ValueError("model_from_json: minikeras reads Sequential architectures; the JSON "
                         f"describes {what!r}.")
    return Sequential.from_config(spec.get("config", {}), custom_objects=custom_objects)


def clone_model(model: Sequential, input_tensors: Any = None, clone_function: Any = None,
                **kwargs: Any) -> Sequential:
    """A new model with the same architecture and freshly initialized weights (Keras)."""
    if not isinstance(model, Sequential):
        raise ValueError("clone_model expects a Sequential model.")
    clone = Sequential.from_config(model.get_config())
    return clone


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
               compile: bool = True, safe_mode: bool = True) -> Sequential:
    """Load a model saved with ``model.save(path)``."""
    from ..saving import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
