"""Keras model configs read into minikeras (Keras 3 ``config.json``, tf.keras 2 ``model_config``).

:class:`ConfigReader` checks a whole config before anything is built and
never imports or calls what it names. Every serialized object must come
from Keras itself (a ``module`` under ``keras``; Keras writes its own functions
as module ``builtins``) and resolve in minikeras's registries, or be one of the
user's ``custom_objects`` (or registered with ``register_keras_serializable``),
found by its ``registered_name`` or class name. Lambda layers and ``__lambda__``
functions (marshalled Python bytecode) are refused whatever ``safe_mode`` says,
and so is any other module path, dotted or unknown class name. Keras-only keys
are dropped where their value changes nothing (``quantization_config=None``)
and refused otherwise, naming the layer and the key. :func:`build_model` then
builds the translated config layer by layer, naming any layer that fails.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import optimizers as optimizers_mod
from .._registry import CUSTOM_OBJECTS
from ..layers.base import LAYERS, Layer
from ..models.sequential import Sequential
from .archive import UnsafeFileError
from .compile_spec import HINT

_ROOTS = ("keras", "tf_keras")  # Keras 3, and Keras 2 as a package of its own
_POLICIES = ("DTypePolicy", "FloatDTypePolicy", "Policy")
_DTYPES = ("float16", "float32", "float64")
_LAMBDAS = ("Lambda", "__lambda__", "TFOpLambda", "SlicingOpLambda")
_NOT_READ = ("__bytes__", "__slice__", "__ellipsis__", "__keras_tensor__", "__typespec__")
_NUMERIC = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float16", "float32", "float64")
_ANY = object()
#: Keras layer keys minikeras has no argument for: dropped when the value is one of
#: these (it changes nothing), refused otherwise.
_KERAS_ONLY: dict[str, Any] = {
    "quantization_config": (None,), "lora_rank": (None,), "lora_alpha": (None,),
    "renorm": (False,), "renorm_clipping": _ANY, "renorm_momentum": _ANY,
    "virtual_batch_size": (None,), "adjustment": (None,), "fused": _ANY, "autocast": _ANY,
}
#: Arguments minikeras's layers take but compute only at these values (any other
#: value would load and then predict differently from Keras, so it is refused).
_ONLY_VALUES: dict[tuple[str, str], tuple[Any, ...]] = {
    ("LayerNormalization", "rms_scaling"): (False,),
}
_MAX_DEPTH = 100


def drop_keras_only(config: dict[str, Any], label: str) -> None:
    """Remove the Keras layer keys minikeras has no argument for, where their value
    changes nothing; refuse the others (``label`` names the layer in the message)."""
    for key, inert in _KERAS_ONLY.items():
        if key in config:
            value = config.pop(key)
            if inert is not _ANY and not any(value is v or value == v for v in inert):
                raise ValueError(f"{label} sets {key}={value!r}, which minikeras does not "
                                 f"implement (it reads this layer with {key}={inert[0]!r} "
                                 "only).")


def _is_keras_module(module: Any) -> bool:
    return isinstance(module, str) and module.split(".")[0] in _ROOTS


# ============================================================================ reading
class ConfigReader:
    """Checks and translates one file's configs; ``where`` names the file in messages.

    Call inside ``custom_object_scope(custom_objects)``: custom objects are looked
    up in the registry that scope fills.
    """

    def __init__(self, where: str) -> None:
        self.where = where

    # -- messages --------------------------------------------------------------------
    def _unsafe(self, what: str) -> UnsafeFileError:
        return UnsafeFileError(f"{self.where}: {what}. minikeras never imports or runs what a "
                               f"file names; the file is refused. {HINT}")

    def _corrupt(self, what: str) -> ValueError:
        return ValueError(f"{self.where} is not a Keras model file minikeras can read: {what}.")

    def _lambda(self, label: str) -> UnsafeFileError:
        return UnsafeFileError(
            f"{self.where}: {label} is a Keras Lambda (Python bytecode stored in the file). "
            "minikeras never runs code from a file, whatever safe_mode says; the file is "
            "refused. Rewrite the lambda as a layer class and pass it in custom_objects.")

    # -- objects ---------------------------------------------------------------------
    def _custom_key(self, spec: dict[str, Any]) -> str | None:
        for key in (spec.get("registered_name"), spec.get("class_name")):
            if isinstance(key, str) and key in CUSTOM_OBJECTS:
                return key
        return None

    def check_origin(self, spec: dict[str, Any], label: str) -> str | None:
        """Refuse foreign modules and unknown registered names; return a custom object's key."""
        name = spec["class_name"]
        if name in _LAMBDAS:
            raise self._lambda(label)
        key = self._custom_key(spec)
        if key is not None:
            return key  # the user's own object: its module is never imported
        module, registered = spec.get("module"), spec.get("registered_name")
        if module is not None and not _is_keras_module(module):
            raise self._unsafe(f"{label} names the module {module!r} (class {name!r}), which "
                               "is not Keras's and was not passed in custom_objects")
        if registered is not None and registered != name:
            raise self._unsafe(f"{label} is the custom object {registered!r} (class {name!r}), "
                               "which was not passed in custom_objects")
        if not name.isidentifier():
            raise self._unsafe(f"{label} names the class {name!r}, which is not a Keras class "
                               "name")
        return None

    def value(self, value: Any, label: str, depth: int = 0) -> Any:
        """A config value with every serialized object checked and put in minikeras's form."""
        if depth > _MAX_DEPTH:
            raise self._unsafe("the config is nested too deeply")
        if isinstance(value, list):
            return [self.value(v, label, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        if "class_name" not in value:
            return {k: self.value(v, label, depth + 1) for k, v in value.items()
                    if k != "shared_object_id"}
        return self.object(value, label, depth)

    def object(self, spec: dict[str, Any], label: str, depth: int = 0) -> Any:
        """One serialized object: ``{"class_name", "config"}`` for minikeras's registries."""
        name = spec.get("class_name")
        if not isinstance(name, str) or not name:
            raise self._corrupt(f"{label} holds an object without a class name")
        if name in _POLICIES:
            return self.dtype(spec, label)
        if name in ("__numpy__", "__tensor__"):
            return self._array(spec, label)
        if name in _NOT_READ:
            raise self._unsafe(f"{label} holds a serialized {name!r}, which no minikeras layer "
                               "takes")
        if name == "function":
            return self.function(spec, label)
        key = self.check_origin(spec, f"{label}, its {name!r}")
        config = spec.get("config")
        if config is None:
            config = {}
        if not isinstance(config, dict):
            raise self._corrupt(f"the config of {name!r} in {label} is not a dict")
        return {"class_name": key or name, "config": self.value(config, label, depth + 1)}

    def function(self, spec: dict[str, Any], label: str) -> str:
        """A serialized function: its name, resolved later by a registry (never imported)."""
        fn = spec.get("config")
        if isinstance(fn, dict) and fn.get("class_name") == "__lambda__" \
                or spec.get("registered_name") == "__lambda__":
            raise self._lambda(label)
        for key in (spec.get("registered_name"), fn):  # a registered "package>name" too
            if isinstance(key, str) and key in CUSTOM_OBJECTS:
                return key
        if not isinstance(fn, str) or not fn.isidentifier():
            raise self._unsafe(f"{label} names the function {fn!r}, which is not a plain name")
        module = spec.get("module")
        if module is not None and module != "builtins" and not _is_keras_module(module):
            raise self._unsafe(f"{label} names the function {fn!r} of module {module!r}, which "
                               "is not Keras's and was not passed in custom_objects")
        return fn

    def dtype(self, spec: Any, label: str) -> str | None:
        """A dtype policy (or plain dtype name) as a float dtype name; None means floatx."""
        name = spec
        if isinstance(spec, dict):
            config = spec.get("config")
            name = config.get("name") if isinstance(config, dict) else None
        if name is None:
            return None
        if name in ("mixed_float16", "mixed_bfloat16"):
            # Mixed precision keeps float32 weights: a model trained on a GPU that way runs
            # here in float32 (its outputs differ from Keras's by float16 rounding only).
            if not self.__dict__.get("_mixed_warned"):
                self._mixed_warned = True
                warnings.warn(f"{self.where}: {label} uses the mixed-precision policy {name!r}; "
                              "minikeras computes in float32, the policy's weight dtype.",
                              UserWarning, stacklevel=2)
            return "float32"
        if name not in _DTYPES:
            raise ValueError(f"{self.where}: {label} uses the dtype policy {name!r}; minikeras "
                             f"computes in {', '.join(_DTYPES)}.")
        return name

    def _array(self, spec: dict[str, Any], label: str) -> Any:
        config = spec.get("config")
        if not isinstance(config, dict) or config.get("dtype") not in _NUMERIC:
            raise self._unsafe(f"{label} holds an array that is not numeric")

        def check(v: Any, depth: int) -> None:
            if depth > 32:
                raise self._unsafe(f"{label} holds an array nested too deeply")
            if isinstance(v, list):
                for x in v:
                    check(x, depth + 1)
            elif not isinstance(v, (bool, int, float)):
                raise self._unsafe(f"{label} holds an array with a non-number {v!r}")

        check(config.get("value"), 0)
        return config.get("value")

    # -- layers and models -----------------------------------------------------------
    def model(self, spec: Any) -> dict[str, Any]:
        """The top-level model spec, translated: ``{"class_name", "config"}``."""
        if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
            raise self._corrupt("the model config has no class name")
        name = spec["class_name"]
        if name in ("Functional", "Model"):
            raise ValueError(
                f"{self.where} holds a Keras {name} model (the functional API or a subclassed "
                "model); minikeras builds Sequential models only. Rebuild it as a "
                "keras.Sequential in Keras and save again.")
        if name != "Sequential" or spec.get("registered_name") not in (None, "Sequential"):
            key = self.check_origin(spec, f"the model class {name!r}")
            cls = CUSTOM_OBJECTS.get(key) if key else None
            if not (isinstance(cls, type) and issubclass(cls, Sequential)):
                raise ValueError(f"{self.where}: the model is a {name!r}, not a Sequential "
                                 "model; minikeras builds Sequential models only.")
            return {"class_name": key, "config": self._sequential_config(spec, 0)}
        self.check_origin(spec, "the model")
        return {"class_name": "Sequential", "config": self._sequential_config(spec, 0)}

    def _sequential_config(self, spec: dict[str, Any], depth: int) -> dict[str, Any]:
        if depth > _MAX_DEPTH:
            raise self._unsafe("the models are nested too deeply")
        config = spec.get("config")
        if isinstance(config, list):  # Keras < 2.2.3 wrote the layer list alone
            config = {"layers": config}
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise self._corrupt("a Sequential config has no layer list")
        label = f"model {config.get('name', '?')!r}"
        out: dict[str, Any] = {
            "name": config.get("name"), "trainable": bool(config.get("trainable", True)),
            "dtype": self.dtype(config.get("dtype"), label),
            "layers": [self.layer(layer, depth + 1) for layer in config["layers"]]}
        shape = config.get("build_input_shape")
        if shape is None:
            shape = (spec.get("build_config") or {}).get("input_shape")
        if shape is not None:
            if not (isinstance(shape, list) and shape and all(
                    s is None or (isinstance(s, int) and not isinstance(s, bool) and s >= 0)
                    for s in shape)):
                raise self._corrupt(f"the input shape {shape!r} of {label} is not a shape")
            out["build_input_shape"] = shape
        return out

    def layer(self, spec: Any, depth: int) -> dict[str, Any]:
        """One layer spec, translated and checked (Keras-only keys handled)."""
        if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
            raise self._corrupt("a layer entry has no class name")
        name = spec["class_name"]
        raw = spec.get("config") if isinstance(spec.get("config"), dict) else {}
        label = f"layer {raw.get('name', '?')!r} ({name})"
        if name in _LAMBDAS:
            raise self._lambda(label)
        if name in ("Functional", "Model"):
            raise ValueError(f"{self.where}: {label} is a functional or subclassed Keras model; "
                             "minikeras builds Sequential models only.")
        key = self.check_origin(spec, label)
        if key is None and name == "Sequential":
            return {"class_name": "Sequential", "config": self._sequential_config(spec, depth)}
        if key is None and name not in LAYERS:
            raise ValueError(
                f"{self.where}: {label}: minikeras has no {name!r} layer, so the model cannot "
                f"be built. Layers minikeras reads: {', '.join(_layer_names())}. A custom "
                "layer loads when its class is passed in custom_objects.")
        config = self.value(spec.get("config") or {}, label, depth + 1)
        if not isinstance(config, dict):
            raise self._corrupt(f"the config of {label} is not a dict")
        if "dtype" in config:
            config["dtype"] = self.dtype(config["dtype"], label)
        if key is None:
            self._drop_keras_only(config, label)
            for (cls, arg), values in _ONLY_VALUES.items():
                if cls == name and arg in config and config[arg] not in values:
                    raise ValueError(f"{self.where}: {label} sets {arg}={config[arg]!r}, which "
                                     "minikeras does not compute (it reads this layer with "
                                     f"{arg}={values[-1]!r} only).")
            if name == "LeakyReLU" and "alpha" in config and "negative_slope" not in config:
                config["negative_slope"] = config.pop("alpha")  # tf.keras 2's spelling
        return {"class_name": key or name, "config": config}

    def _drop_keras_only(self, config: dict[str, Any], label: str) -> None:
        drop_keras_only(config, f"{self.where}: {label}")

    # -- compile settings ------------------------------------------------------------
    def compile(self, config: Any, legacy: bool) -> dict[str, Any] | None:
        """Keras's compile settings as :func:`.compile_spec.deserialize_compile`'s spec."""
        if not isinstance(config, dict) or not config:
            return None
        opt = config.get("optimizer_config" if legacy else "optimizer")
        if opt is None:
            return None
        if isinstance(opt, str):
            opt_spec: Any = {"class_name": opt, "config": {}}
        elif isinstance(opt, dict):
            name = opt.get("class_name")
            if isinstance(name, str) and name.startswith("Custom>") \
                    and name[7:] in optimizers_mod.OPTIMIZERS and "registered_name" not in opt:
                opt = {**opt, "class_name": name[7:]}  # tf.keras 2.11+'s built-in optimizers
            opt_spec = self.object(opt, "the optimizer")
        else:
            raise self._corrupt("the optimizer of the compile settings is malformed")
        weights = config.get("loss_weights")
        if isinstance(weights, dict):
            weights = list(weights.values())
        if isinstance(weights, list) and len(weights) == 1:
            weights = weights[0]
        if weights is not None and (not isinstance(weights, (int, float))
                                    or isinstance(weights, bool)):
            raise ValueError(f"{self.where}: the compile settings use loss_weights={weights!r}; "
                             "minikeras models have one output, so one weight. Load with "
                             "compile=False and compile again.")
        return {"loss_weights": weights,
                "optimizer": opt_spec, "loss": self._loss(config.get("loss")),
                "metrics": self._metrics(config.get("metrics"), "metrics"),
                "weighted_metrics": self._metrics(config.get("weighted_metrics"),
                                                  "weighted_metrics")}

    def _function_spec(self, spec: dict[str, Any], label: str) -> Any:
        name = self.function(spec, label)
        return {"function": name} if name in CUSTOM_OBJECTS else name

    def _loss(self, loss: Any) -> Any:
        if loss is None or isinstance(loss, str):
            return loss
        if isinstance(loss, dict) and loss.get("class_name") == "function":
            return self._function_spec(loss, "the loss")
        if isinstance(loss, dict) and "class_name" in loss:
            return self.object(loss, "the loss")
        raise ValueError(f"{self.where}: the compile settings hold a list or dict of losses "
                         "(a multi-output model); minikeras models have one output.")

    def _metrics(self, metrics: Any, what: str) -> list[Any]:
        if metrics is None:
            return []
        if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
            metrics = metrics[0]  # tf.keras 2: one list per output
        if not isinstance(metrics, list):
            raise ValueError(f"{self.where}: the compile settings hold `{what}` per output (a "
                             "multi-output model); minikeras models have one output.")
        out = []
        for m in metrics:
            if isinstance(m, str):
                out.append(m)
            elif isinstance(m, dict) and m.get("class_name") == "function":
                out.append(self._function_spec(m, f"the metric {m.get('config')!r}"))
            elif isinstance(m, dict) and m.get("class_name") == "MeanMetricWrapper" \
                    and isinstance((m.get("config") or {}).get("fn"), str):
                cfg = m["config"]  # tf.keras 2: a metric given by name
                name = cfg.get("name")
                out.append(name if name in ("accuracy", "acc") else cfg["fn"])
            elif isinstance(m, dict) and "class_name" in m:
                out.append(self.object(m, f"the metric {m['class_name']!r}"))
            else:
                raise ValueError(f"{self.where}: the compile settings hold the metric {m!r}, "
                                 "which minikeras cannot read.")
        return out


def _layer_names() -> list[str]:
    return sorted({name for name in LAYERS.names() if name[:1].isupper()}
                  | {"Sequential"})


def build_model(spec: dict[str, Any], custom_objects: dict[str, Any] | None,
                where: str) -> Sequential:
    """Build a translated model spec (from :meth:`ConfigReader.model`), layer by layer."""
    cls = LAYERS.lookup(spec["class_name"]) if spec["class_name"] != "Sequential" else Sequential
    return _build(cls, spec["config"], custom_objects, where)


def _build(cls: type, config: dict[str, Any], custom_objects: dict[str, Any] | None,
           where: str) -> Sequential:
    try:
        model = cls(name=config.get("name"), trainable=config.get("trainable", True),
                    dtype=config.get("dtype"))
    except (TypeError, ValueError) as err:
        raise ValueError(f"Cannot load {where}: the model {config.get('name')!r}: {err}") from None
    for spec in config["layers"]:
        label = f"layer {spec['config'].get('name', '?')!r} ({spec['class_name']})"
        try:
            if spec["class_name"] == "Sequential":
                layer: Layer = _build(Sequential, spec["config"], custom_objects, where)
            else:
                layer = LAYERS.from_config_dict(spec, custom_objects)
            model.add(layer, rebuild=False)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError,
                MemoryError) as err:
            if isinstance(err, ValueError) and str(err).startswith(("Cannot load", where)):
                raise
            raise ValueError(f"Cannot load {where}: {label} cannot be built in minikeras: "
                             f"{err}") from None
    shape = config.get("build_input_shape")
    try:
        if shape is not None:
            model.build(tuple(shape))
        else:
            model._try_build()
    except (TypeError, ValueError, MemoryError, OverflowError) as err:
        raise ValueError(f"Cannot load {where}: the model {config.get('name')!r} cannot be "
                         f"built for input shape {shape}: {err}") from None
    return model
