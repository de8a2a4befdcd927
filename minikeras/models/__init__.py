"""Models (``mk.models``): Sequential, and loading and cloning."""

from __future__ import annotations

import copy
import json
from typing import Any

from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Sequential:
    """Rebuild a model from ``model.to_json()``: its architecture, and its compile
    settings when the model was compiled (no weights), as Keras does."""
    try:
        spec = json.loads(json_string)
    except json.JSONDecodeError as err:
        raise ValueError(f"model_from_json: the text is not valid JSON ({err}).") from None
    if not isinstance(spec, dict) or spec.get("class_name") != "Sequential":
        what = spec.get("class_name") if isinstance(spec, dict) else spec
        raise ValueError("model_from_json: minikeras reads Sequential architectures; the JSON "
                         f"describes {what!r}.")
    from ..saving.compile_spec import compile_restored, deserialize_compile
    from ..utils import custom_object_scope

    with custom_object_scope(custom_objects or {}):
        if "module" in spec:  # Keras 3's to_json(): its own keys, translated as for .keras
            from ..saving.keras_config import ConfigReader, build_model

            where = "the JSON text from Keras"
            reader = ConfigReader(where)
            model = build_model(reader.model(spec), custom_objects, where)
            compile_spec = reader.compile(spec.get("compile_config"), legacy=False)
        else:
            where = "the JSON text"
            model = Sequential.from_config(spec.get("config", {}), custom_objects=custom_objects)
            compile_spec = spec.get("compile_config")
        if compile_spec is not None:  # Keras's text carries the compile settings: ours too
            compile_restored(model, deserialize_compile(compile_spec, custom_objects, where,
                                                        model.dtype), where)
    return model


def clone_model(model: Sequential, input_tensors: Any = None, clone_function: Any = None,
                **kwargs: Any) -> Sequential:
    """A new model with the same architecture and freshly initialized weights (Keras).

    ``clone_function(layer)`` makes each layer's copy (default: the layer's class from its
    config; ``lambda layer: layer`` shares the layers). A compiled model's clone is
    compiled alike, with a fresh optimizer and fresh metric objects, as in Keras.
    """
    if not isinstance(model, Sequential):
        raise ValueError("clone_model expects a Sequential model.")
    if input_tensors is not None or kwargs.get("call_function") is not None:
        raise ValueError("clone_model: `input_tensors` and `call_function` belong to the "
                         "functional API, which minikeras does not support.")
    if clone_function is None:
        def clone_function(layer: Any) -> Any:  # Keras's default: a new layer from its config
            return layer.__class__.from_config(layer.get_config())
    if not callable(clone_function):
        raise ValueError("Expected `clone_function` argument to be a callable. "
                         f"Received: clone_function={clone_function!r}")
    layers = [clone_function(layer) for layer in model.layers]
    clone = Sequential(name=model.name, trainable=model.trainable)
    if model._input_layer is not None:
        from ..layers import Input

        clone.add(Input(batch_shape=model._input_layer.batch_shape))
    for layer in layers:
        clone.add(layer)
    if model.compiled:
        clone.compile(**_fresh_compile_arguments(model))
    return clone


def _fresh_compile_arguments(model: Sequential) -> dict[str, Any]:
    """compile() arguments equal to the model's, with nothing stateful shared."""
    from ..metrics import Metric

    def fresh(spec: Any) -> Any:
        if not isinstance(spec, Metric):
            return spec  # a name or a function: nothing to share
        metric = copy.deepcopy(spec)  # keeps what a config may not (a wrapped function)
        metric.reset_state()
        return metric

    optimizer = model.optimizer
    return {"optimizer": type(optimizer).from_config(optimizer.get_config()),
            "loss": model.loss,  # what compile() was given (a Loss object is stateless)
            "metrics": [fresh(m) for m in model._metric_specs] or None,
            "weighted_metrics": [fresh(m) for m in model._weighted_specs] or None,
            "loss_weights": model._loss_weight}


def save_model(model: Sequential, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
    """``model.save(filepath)`` (Keras's ``keras.models.save_model``)."""
    model.save(filepath, overwrite=overwrite, **kwargs)


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
               compile: bool = True, safe_mode: bool = True) -> Sequential:
    """Load a model saved with ``model.save(path)``."""
    from ..saving import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
