"""Write Keras 3 files: ``save(path, format="keras")``, ``save_weights(path, format="keras")``.

A ``.keras`` file is a zip of ``metadata.json``, ``config.json`` (each object in
Keras 3's ``module``/``class_name``/``config``/``registered_name`` form, the
compile settings Keras can read) and ``model.weights.h5`` (the layout of
:mod:`.keras_layout`); a ``.weights.h5`` file is that HDF5 file alone. Both are
written atomically (:func:`.atomic.atomic_write`). Keras 3 loads them and
predicts identically (``tests/golden/make_golden_keras_files.py`` checks it).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import warnings
import zipfile
from typing import Any

from .. import activations as activations_mod
from .. import constraints as constraints_mod
from .. import initializers as initializers_mod
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from .. import regularizers as regularizers_mod
from .._registry import CUSTOM_OBJECTS, Registry, registered_key
from ..layers.base import LAYERS, Layer
from ..models.sequential import Sequential
from ..optimizers.schedules import SCHEDULES
from . import archive
from .atomic import atomic_write, fault_point, refuse_overwrite
from .h5_reader import require_h5py, write_h5_bytes
from .keras_layout import (
    CONFIG_NAME,
    KERAS_VERSION,
    METADATA_NAME,
    WEIGHTS_H5,
    optimizer_values,
    weights_tree,
)

#: Names minikeras accepts and Keras 3's ``get`` does not (checked with Keras 3.15).
KERAS_REJECTS_METRICS = frozenset({
    "KLD", "kld", "binary_focal_crossentropy", "huber", "log_cosh", "logcosh", "rmse",
    "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
    "SpecificityAtSensitivity"})
KERAS_REJECTS_LOSSES = frozenset({
    "BinaryCrossEntropy", "CategoricalCrossEntropy", "SparseCategoricalCrossEntropy", "cce",
    "scce", "huber_loss", "kullback_leibler_divergence", "logcosh"})

# ============================================================================ configs
_BY_SUFFIX: tuple[tuple[str, Registry, str], ...] = (
    ("_initializer", initializers_mod.INITIALIZERS, "keras.initializers"),
    ("_regularizer", regularizers_mod.REGULARIZERS, "keras.regularizers"),
    ("_constraint", constraints_mod.CONSTRAINTS, "keras.constraints"),
    ("learning_rate", SCHEDULES, "keras.optimizers.schedules"),
)
_ANY_REGISTRY: tuple[tuple[Registry, str], ...] = (
    (LAYERS, "keras.layers"), (losses_mod.LOSSES, "keras.losses"),
    (metrics_mod.METRICS, "keras.metrics"), (optimizers_mod.OPTIMIZERS, "keras.optimizers"),
    (SCHEDULES, "keras.optimizers.schedules"))


def policy(dtype: Any) -> dict[str, Any]:
    """Keras 3's dtype policy object for a float dtype name."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": str(dtype)},
            "registered_name": None}


def _registered_name(cls: Any, name: str) -> str:
    return registered_key(cls) or name


def keras_object(name: str, config: dict[str, Any], registry: Registry | None,
                 module: str, cls: Any = None) -> dict[str, Any]:
    """``{"module", "class_name", "config", "registered_name"}`` as Keras 3 writes it.

    A class defined outside minikeras (a user's) keeps its own module and
    registered name; Keras resolves those through its ``custom_objects``.
    """
    if cls is None and registry is not None and name in registry:
        cls = registry.lookup(name)
    elif cls is None:
        cls = CUSTOM_OBJECTS.get(name)
    kind = cls if isinstance(cls, type) else type(cls) if cls is not None else None
    builtin = kind is None or kind.__module__.startswith("minikeras")
    return {"module": module if builtin else kind.__module__, "class_name": name,
            "config": keras_values(config),
            "registered_name": None if builtin else _registered_name(kind, name)}


def keras_values(value: Any, key: str = "") -> Any:
    """A minikeras config value with nested objects in Keras 3's form."""
    if isinstance(value, list):
        return [keras_values(v, key) for v in value]
    if isinstance(value, tuple):
        return [keras_values(v, key) for v in value]
    if not isinstance(value, dict):
        return value
    if isinstance(value.get("class_name"), str) and "config" in value and len(value) == 2:
        name = value["class_name"]
        for suffix, registry, module in _BY_SUFFIX:
            if key.endswith(suffix):
                return keras_object(name, value["config"] or {}, registry, module)
        for registry, module in _ANY_REGISTRY:
            if name in registry:
                return keras_object(name, value["config"] or {}, registry, module)
        return keras_object(name, value["config"] or {}, None, "keras")
    return {k: keras_values(v, k) for k, v in value.items()}


def _input_spec(batch_shape: Any, dtype: str, name: str) -> dict[str, Any]:
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": list(batch_shape), "dtype": dtype, "sparse": False,
                       "ragged": False, "name": name, "optional": False},
            "registered_name": None}


def _layer_to_keras(layer: Layer) -> dict[str, Any]:
    if isinstance(layer, Sequential):
        return model_to_keras(layer)
    config = dict(layer.get_config())
    config.pop("batch_input_shape", None)  # Keras 3 layers take no input shape: an InputLayer does
    act = getattr(layer, "activation", None)
    if isinstance(act, activations_mod.FunctionActivation) and "activation" in config:
        # A user's function: Keras reads it only as a function spec, by its registered name.
        config["activation"] = _function_to_keras(act.fn)
    if "dtype" in config:
        config["dtype"] = policy(config["dtype"])
    spec = keras_object(type(layer).__name__, config, LAYERS, "keras.layers", cls=type(layer))
    if layer.built and layer._build_input_shape is not None:
        spec["build_config"] = {"input_shape": list(layer._build_input_shape)}
    return spec


def model_to_keras(model: Sequential) -> dict[str, Any]:
    """A Sequential model's config as Keras 3 writes it in ``config.json``."""
    layers: list[dict[str, Any]] = []
    if model._input_layer is not None:
        layer = model._input_layer
        layers.append(_input_spec(layer.batch_shape, layer.dtype, layer.name))
    elif model._layers and model._layers[0]._batch_input_shape is not None:
        first = model._layers[0]
        layers.append(_input_spec(first._batch_input_shape, first.dtype, "input_layer"))
    layers.extend(_layer_to_keras(layer) for layer in model._layers)
    config: dict[str, Any] = {"name": model.name, "trainable": model.trainable,
                              "dtype": policy(model.dtype), "layers": layers}
    shape = model._build_input_shape
    if shape is not None:
        config["build_input_shape"] = list(shape)
    cls = type(model)
    builtin = cls is Sequential
    spec: dict[str, Any] = {"module": "keras" if builtin else cls.__module__,
                            "class_name": cls.__name__, "config": config,
                            "registered_name": None if builtin
                            else _registered_name(cls, cls.__name__)}
    if shape is not None:
        spec["build_config"] = {"input_shape": list(shape)}
    return spec


def _function_to_keras(fn: Any) -> dict[str, Any]:
    from .._registry import saved_function_name

    name = saved_function_name(fn)
    if name is None:
        raise TypeError(f"{fn!r} has no name to save it under (a lambda?)")
    if ">" in name:  # registered: Keras finds it by that name among its custom objects
        return {"module": "builtins", "class_name": "function", "config": name,
                "registered_name": "function"}
    return {"module": getattr(fn, "__module__", None) or "builtins", "class_name": "function",
            "config": name, "registered_name": name}


def _metric_to_keras(spec: Any) -> Any:
    if isinstance(spec, str):
        if spec in KERAS_REJECTS_METRICS:
            raise TypeError(f"Keras 3 does not know the metric name {spec!r}")
        return spec
    if isinstance(spec, metrics_mod.Metric):
        if type(spec) is metrics_mod.MeanMetricWrapper:
            return _function_to_keras(spec.fn)
        return keras_object(type(spec).__name__, spec.get_config(), metrics_mod.METRICS,
                            "keras.metrics")
    if isinstance(spec, type):
        return keras_object(spec.__name__, {}, metrics_mod.METRICS, "keras.metrics")
    if callable(spec):
        name = getattr(spec, "__name__", "")
        if name in metrics_mod.METRICS and getattr(spec, "__module__", "").startswith("minikeras"):
            return name
        return _function_to_keras(spec)
    raise TypeError(f"cannot save the metric {spec!r}")


def _loss_to_keras(model: Any) -> Any:
    raw = getattr(model, "_compile_config", {}).get("loss")
    if isinstance(raw, str) and raw not in KERAS_REJECTS_LOSSES:
        return raw
    loss = model._loss
    if loss is None:
        return None
    if isinstance(loss, losses_mod.LossFunctionWrapper):
        return _function_to_keras(loss.fn)
    return keras_object(type(loss).__name__, loss.get_config(), losses_mod.LOSSES,
                        "keras.losses")


def compile_to_keras(model: Any) -> dict[str, Any] | None:
    """Keras 3's ``compile_config``; what Keras cannot read is left out, with a warning."""
    if not getattr(model, "compiled", False):
        return None
    try:
        opt = model.optimizer
        optimizer = keras_object(type(opt).__name__, opt.get_config(),
                                 optimizers_mod.OPTIMIZERS, "keras.optimizers")
        loss = _loss_to_keras(model)
    except (TypeError, ValueError, AttributeError, NotImplementedError) as err:
        warnings.warn(f"The compile settings of model {model.name!r} cannot be written for "
                      f"Keras ({err}); the file holds the architecture and weights, and Keras "
                      "must compile the loaded model again.", UserWarning, stacklevel=4)
        return None
    lists = {}
    for key, specs in (("metrics", model._metric_specs),
                       ("weighted_metrics", model._weighted_specs)):
        kept = []
        for spec in specs:
            try:
                kept.append(_metric_to_keras(spec))
            except (TypeError, ValueError, AttributeError) as err:
                warnings.warn(f"The metric {spec!r} of model {model.name!r} is left out of the "
                              f"Keras file's compile settings ({err}).", UserWarning,
                              stacklevel=4)
        lists[key] = kept or None
    weight = model._loss_weight
    return {"optimizer": optimizer, "loss": loss,
            "loss_weights": None if weight == 1.0 else weight,
            "metrics": lists["metrics"], "weighted_metrics": lists["weighted_metrics"],
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


# ============================================================================ saving
def _check_model(model: Any) -> None:
    if not isinstance(model, Sequential):
        raise TypeError(f"Expected a minikeras Sequential model; received {type(model).__name__}.")


def _warn_name(path: Any, suffix: str, what: str) -> None:
    if isinstance(path, (str, os.PathLike)) and not os.fspath(path).endswith(suffix):
        warnings.warn(f"Keras 3 reads a {what} only from a file name ending in {suffix!r}; "
                      f"{os.fspath(path)!r} was written anyway.", UserWarning, stacklevel=4)


def _write(filepath: Any, overwrite: bool, data: bytes) -> None:
    from .. import distribution

    if not distribution.is_chief():
        return  # data-parallel: every rank holds the same state; rank 0 writes it
    if hasattr(filepath, "write"):
        filepath.write(data)
        return
    path = os.fspath(filepath)
    refuse_overwrite(path, overwrite)
    with atomic_write(path, "wb") as f:
        fault_point("writing", path)
        f.write(data)


def save_keras_model(model: Sequential, filepath: Any, overwrite: bool = True,
                     include_optimizer: bool = True) -> None:
    """Write a Keras 3 ``.keras`` file (config, compile settings, weights, optimizer)."""
    require_h5py()
    _check_model(model)
    _warn_name(filepath, ".keras", "model")
    spec = model_to_keras(model)
    compile_config = compile_to_keras(model)
    if compile_config is not None:
        spec["compile_config"] = compile_config
    try:
        text = json.dumps(spec).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise TypeError(f"Cannot save model {model.name!r}: its config is not JSON ({err}). A "
                        "custom layer's get_config() must return plain values.") from None
    opt_values = optimizer_values(model, build=True) if include_optimizer else None
    weights = write_h5_bytes(weights_tree(model, opt_values))
    from .. import __version__

    meta = {"keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "saved_by": f"minikeras {__version__}"}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(archive.member_info(METADATA_NAME, compress=False), json.dumps(meta))
        zf.writestr(archive.member_info(CONFIG_NAME, compress=False), text)
        zf.writestr(archive.member_info(WEIGHTS_H5, compress=False), weights)
    _write(filepath, overwrite, buf.getvalue())


def save_keras_weights(model: Sequential, filepath: Any, overwrite: bool = True) -> None:
    """Write a Keras 3 ``.weights.h5`` file (the weights and the optimizer's variables)."""
    require_h5py()
    _check_model(model)
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the "
                         "model first by calling it on some data or by using `build()`.")
    _warn_name(filepath, ".weights.h5", "weights file")
    _write(filepath, overwrite, write_h5_bytes(weights_tree(model,
                                                            optimizer_values(model, False))))
