"""Compile settings (optimizer, loss, metrics) to JSON specs and back.

A spec is a registered name (``"adam"``, ``"mse"``), Keras's
``{"class_name", "config"}`` form, or ``{"function": name}`` for a user's
function. Reading resolves names through minikeras's registries,
``custom_objects`` and ``mk.utils.register_keras_serializable`` only: a file
can never make minikeras import a module or call a function it names.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

from .. import config
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from .._registry import registered_function, saved_function_name

HINT = ("Custom classes and functions load only when passed as custom_objects or registered "
        "with @mk.utils.register_keras_serializable().")


def _function_name(fn: Any) -> str:
    name = saved_function_name(fn)
    if name is None:
        raise TypeError(f"{fn!r} has no name to save it under (a lambda?)")
    return name


def _object_spec(obj: Any) -> dict[str, Any]:
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def _loss_spec(model: Any) -> Any:
    raw = getattr(model, "_compile_config", {}).get("loss")
    if isinstance(raw, str) or model._loss is None:
        return raw if isinstance(raw, str) else None
    loss = model._loss
    if isinstance(loss, losses_mod.LossFunctionWrapper):
        return {"function": _function_name(loss.fn), "reduction": loss.reduction,
                "name": loss.name, "kwargs": dict(loss.fn_kwargs)}
    return _object_spec(loss)


def _metric_spec(spec: Any) -> Any:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, metrics_mod.Metric):
        if type(spec) is metrics_mod.MeanMetricWrapper:
            return {"function": _function_name(spec.fn), "name": spec.name,
                    "kwargs": dict(spec._fn_kwargs)}
        return _object_spec(spec)
    if isinstance(spec, type):
        return {"class_name": spec.__name__, "config": {}}
    if callable(spec):
        name = _function_name(spec)
        if name in metrics_mod.METRICS and getattr(spec, "__module__", "").startswith("minikeras"):
            return name  # a built-in function: its name gives the same metric and log key
        return {"function": name}
    raise TypeError(f"cannot save the metric {spec!r}")


def serialize_compile(model: Any) -> dict[str, Any] | None:
    """The compile settings as JSON specs; None (with a warning) if some cannot be saved."""
    if not getattr(model, "compiled", False):
        return None
    try:
        spec = {"optimizer": _object_spec(model.optimizer), "loss": _loss_spec(model),
                "metrics": [_metric_spec(m) for m in model._metric_specs],
                "weighted_metrics": [_metric_spec(m) for m in model._weighted_specs]}
        if model._loss_weight != 1.0:
            spec["loss_weights"] = model._loss_weight
        json.dumps(spec)
    except (TypeError, ValueError, AttributeError) as err:
        warnings.warn(f"The compile settings of model {model.name!r} cannot be saved ({err}); "
                      "the file holds the architecture and weights, and the loaded model must "
                      "be compiled again.", UserWarning, stacklevel=4)
        return None
    return spec


def _resolve_function(name: Any, custom_objects: dict[str, Any] | None, what: str,
                      where: str) -> Callable[..., Any]:
    fn = registered_function(name, custom_objects)
    if fn is None:
        raise ValueError(
            f"{where}: the compile settings use the {what} function {name!r}, which is not "
            f"registered. Pass custom_objects={{{name!r}: {name}}} to load_model, decorate it "
            "with @mk.utils.register_keras_serializable(), or load with compile=False.")
    return fn


def deserialize_compile(spec: Any, custom_objects: dict[str, Any] | None,
                        where: str, dtype: Any = None) -> dict[str, Any]:
    """``compile()`` keyword arguments from :func:`serialize_compile`'s specs.

    ``dtype``: the loaded model's float type. The optimizer is created under it
    (its learning rate lives in floatx, as in Keras), so the file's precision
    wins over the current floatx.
    """
    try:
        if not isinstance(spec, dict):
            raise ValueError("the compile settings are malformed.")
        previous = config.floatx()
        if dtype is not None and str(dtype) in ("float16", "float32", "float64"):
            config.set_floatx(str(dtype))
        try:
            optimizer = optimizers_mod.OPTIMIZERS.from_config_dict(spec["optimizer"],
                                                                   custom_objects)
        finally:
            config.set_floatx(previous)
        loss = spec.get("loss")
        if isinstance(loss, dict) and "function" in loss:
            fn = _resolve_function(loss["function"], custom_objects, "loss", where)
            loss = losses_mod.LossFunctionWrapper(fn, reduction=loss.get("reduction"),
                                                  name=loss.get("name"),
                                                  **loss.get("kwargs", {}))
        elif isinstance(loss, dict):
            loss = losses_mod.LOSSES.from_config_dict(loss, custom_objects)
        elif isinstance(loss, str):
            # A registered function's "package>name" (Keras writes it), else a built-in
            # name: an unknown one fails here, naming the file.
            loss = registered_function(loss, custom_objects) or loss
            if isinstance(loss, str):
                losses_mod.LOSSES.lookup(loss)
        elif loss is not None:
            raise ValueError(f"the loss spec {loss!r} is malformed.")

        def metric(m: Any) -> Any:
            if isinstance(m, str) and registered_function(m, custom_objects) is not None:
                return registered_function(m, custom_objects)
            if isinstance(m, str):
                if m.lower() not in ("accuracy", "acc"):
                    metrics_mod.METRICS.lookup(m)
                return m
            if isinstance(m, dict) and "function" in m:
                fn = _resolve_function(m["function"], custom_objects, "metric", where)
                if "name" in m:
                    return metrics_mod.MeanMetricWrapper(fn, name=m["name"], **m.get("kwargs", {}))
                return fn
            if isinstance(m, dict):
                return metrics_mod.METRICS.from_config_dict(m, custom_objects)
            raise ValueError(f"the metric spec {m!r} is malformed.")

        metrics = [metric(m) for m in spec.get("metrics") or []]
        weighted = [metric(m) for m in spec.get("weighted_metrics") or []]
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
        if str(err).startswith(where):
            raise
        raise ValueError(f"Cannot restore the compile settings of {where}: {err} {HINT} "
                         "Or load with compile=False.") from None
    return {"optimizer": optimizer, "loss": loss, "metrics": metrics or None,
            "weighted_metrics": weighted or None, "loss_weights": spec.get("loss_weights")}


def compile_restored(model: Any, compile_kwargs: dict[str, Any], where: str) -> None:
    """``model.compile(**compile_kwargs)`` for a loaded file, with an error naming the file."""
    try:
        model.compile(**compile_kwargs)
    except (ValueError, TypeError) as err:
        raise ValueError(f"Cannot restore the compile settings of {where}: {err} "
                         "Load with compile=False to skip them.") from None
