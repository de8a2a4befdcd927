"""Save and load models, weights and training state in minikeras's format.

A file is one zip (see :mod:`.archive`) holding:

- ``minikeras.json``: the format and versions; the architecture
  (``model.get_config()``); the compile settings (optimizer config, loss and
  metric specs); a table of every layer's weights (names, shapes, dtypes);
  the optimizer's layout; the state of every random generator (the model's
  shuffle stream and each layer's dropout stream), so a resumed fit repeats
  the uninterrupted one bit for bit.
- ``weights.npz``: the weights, one array per variable.
- ``optimizer.npz``: ``optimizer.get_state()`` (slots, iterations, learning rate).

Loading validates everything (names, shapes, dtypes, counts) before it changes
anything, and builds objects only from minikeras's registries, from
``custom_objects`` and from classes registered with
``mk.utils.register_keras_serializable``: a file cannot name a module or
a function to import or call. Writing is atomic (:mod:`.atomic`).
"""

from __future__ import annotations

import json
import os
import platform
import zipfile
from typing import Any

import numpy as np

from .._errors import FolderNotModelError, ModelFileNotFoundError
from ..layers.base import LAYERS
from ..models.sequential import Sequential
from ..utils import custom_object_scope
from . import archive
from .archive import UnsafeFileError, describe
from .atomic import atomic_write, fault_point, refuse_overwrite
from .compile_spec import HINT, compile_restored, deserialize_compile, serialize_compile
from .keras_format import sniff as sniff_keras
from .state import (
    optimizer_payload,
    plan_optimizer,
    plan_rngs,
    plan_weights,
    rng_states,
    weights_table,
)

FORMAT = "minikeras"
FORMAT_VERSION = 1
META_NAME = "minikeras.json"
WEIGHTS_NAME = "weights.npz"
OPTIMIZER_NAME = "optimizer.npz"
_KERAS_MEMBERS = {"config.json", "metadata.json", "model.weights.h5", "model.weights.npz"}
_LEGACY_SAVE_KWARGS = ("signatures", "options", "save_traces", "save_format")


# ============================================================================ saving
def save_model(model: Sequential, filepath: Any, overwrite: bool = True, zipped: Any = None,
               include_optimizer: bool = True, format: str | None = None,
               **kwargs: Any) -> None:
    """Write architecture, weights, compile settings, optimizer and RNG state atomically.

    Args:
        model: the model.
        filepath: any file name (``.keras`` included) or a writable binary file object.
        overwrite: if False and the file exists, raise ``FileExistsError`` (Keras 3
            asks on the terminal instead, which a script cannot answer).
        zipped: accepted for Keras 3 compatibility; the file is always one zip.
        include_optimizer: store the optimizer's state (tf.keras 2's argument).
        format: None or ``"minikeras"``; ``"keras"`` writes a Keras 3 ``.keras`` file
            (needs h5py, the ``keras-files`` extra).
    """
    _check_format(format)
    _pop_legacy(kwargs, "save")
    if format == "keras":
        from .keras_export import save_keras_model

        save_keras_model(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer)
        return
    meta, weights = _model_payload(model, "model")
    meta["model"] = _architecture(model)
    meta["compile"] = serialize_compile(model)
    opt_meta, opt_arrays = optimizer_payload(model) if include_optimizer else (None, {})
    meta["optimizer"] = opt_meta
    _write(filepath, overwrite, meta, weights, opt_arrays)


def save_weights(model: Sequential, filepath: Any, overwrite: bool = True,
                 max_shard_size: Any = None, format: str | None = None, **kwargs: Any) -> None:
    """Write the weights (plus the optimizer state once built, as Keras 3) atomically.

    Any file name is accepted (``.weights.h5`` included); the file is
    minikeras's format unless ``format="keras"`` asks for a Keras 3
    ``.weights.h5`` (HDF5) file.
    """
    if max_shard_size is not None:
        raise NotImplementedError("save_weights(max_shard_size=...) is not supported: "
                                  "minikeras writes one file.")
    _check_format(format)
    _pop_legacy(kwargs, "save_weights")
    if format == "keras":
        from .keras_export import save_keras_weights

        save_keras_weights(model, filepath, overwrite=overwrite)
        return
    meta, weights = _model_payload(model, "weights")
    opt_meta, opt_arrays = optimizer_payload(model)
    meta["optimizer"] = opt_meta
    _write(filepath, overwrite, meta, weights, opt_arrays)


def write_training_state(model: Sequential, filepath: Any, training: dict[str, Any]) -> None:
    """A checkpoint for an exact resume: weights, optimizer, RNG and ``training`` (epoch...)."""
    meta, weights = _model_payload(model, "weights")
    opt_meta, opt_arrays = optimizer_payload(model)
    meta["optimizer"] = opt_meta
    meta["training"] = dict(training)
    _write(filepath, True, meta, weights, opt_arrays)


def _check_format(format: Any) -> None:
    if format in (None, "minikeras", "keras"):
        return
    raise ValueError(f"Unknown save format {format!r}. Use format=None (minikeras's format) "
                     "or 'keras'.")


def _pop_legacy(kwargs: dict[str, Any], what: str) -> None:
    for name in _LEGACY_SAVE_KWARGS:
        kwargs.pop(name, None)  # tf.keras 2 arguments: the file is minikeras's format anyway
    if kwargs:
        raise TypeError(f"{what}() got unexpected keyword argument(s): {sorted(kwargs)}")


def _model_payload(model: Any, kind: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not isinstance(model, Sequential):
        raise TypeError(f"Expected a minikeras Sequential model; received {type(model).__name__}.")
    from .. import __version__

    layers, weights = weights_table(model)
    # No timestamp: the same state always gives the same bytes (files compare and dedupe).
    meta = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
        "versions": {"minikeras": __version__, "numpy": np.__version__,
                     "python": platform.python_version()},
        "model_name": model.name,
        "build_input_shape": None if model._build_input_shape is None
        else list(model._build_input_shape),
        "layers": layers,
        "rng": rng_states(model),
    }
    return meta, weights


def _architecture(model: Sequential) -> dict[str, Any]:
    spec = {"class_name": type(model).__name__, "config": model.get_config()}
    try:
        json.dumps(spec)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Cannot save model {model.name!r}: its config is not JSON ({err}). A "
                        "custom layer's get_config() must return plain values.") from None
    return spec


def _write(filepath: Any, overwrite: bool, meta: dict[str, Any],
           weights: dict[str, np.ndarray], opt_arrays: dict[str, np.ndarray]) -> None:
    from .. import distribution

    if not distribution.is_chief():
        return  # data-parallel: every rank holds the same state; rank 0 writes it
    text = json.dumps(meta, indent=1).encode("utf-8")
    if hasattr(filepath, "write"):
        _write_zip(filepath, text, weights, opt_arrays, describe(filepath))
        return
    path = os.fspath(filepath)
    refuse_overwrite(path, overwrite)
    with atomic_write(path, "wb") as f:
        _write_zip(f, text, weights, opt_arrays, os.path.realpath(path)
                   if os.path.islink(path) else path)


def _write_zip(stream: Any, text: bytes, weights: dict[str, np.ndarray],
               opt_arrays: dict[str, np.ndarray], target: str) -> None:
    with zipfile.ZipFile(stream, "w", allowZip64=True) as zf:
        zf.writestr(archive.member_info(META_NAME, compress=True), text)
        fault_point("writing", target)
        for name, arrays in ((WEIGHTS_NAME, weights), (OPTIMIZER_NAME, opt_arrays)):
            if name == OPTIMIZER_NAME and not arrays:
                continue
            big = sum(np.asarray(a).nbytes for a in arrays.values()) > (1 << 30)
            with zf.open(archive.member_info(name, compress=False), "w", force_zip64=big) as f:
                archive.write_npz(f, arrays)


# ============================================================================ loading
class _Reader:
    """An open, validated minikeras file: its metadata, and its arrays on demand."""

    def __init__(self, filepath: Any) -> None:
        self.where = describe(filepath)
        source: Any
        if hasattr(filepath, "read"):
            source, head = archive.peek_stream(filepath)
        else:
            path = os.fspath(filepath)
            if not os.path.exists(path):
                raise ModelFileNotFoundError(f"File not found: filepath={path}. Please ensure the "
                                        "file is an accessible minikeras file.")
            if os.path.isdir(path):
                raise FolderNotModelError(f"{self.where} is a folder, not a minikeras file "
                                          "(a TensorFlow SavedModel folder cannot be loaded).")
            with open(path, "rb") as f:
                head = f.read(2048)
            source = path
        kind = archive.sniff(head)
        if kind != "zip":
            raise ValueError(archive.not_minikeras_message(filepath, kind))
        self.zf = archive.open_zip(source, self.where)
        try:
            self.members = archive.check_members(self.zf, self.where)
            if META_NAME not in self.members:
                names = list(self.members)
                if "config.json" in names and _KERAS_MEMBERS & (set(names) - {"config.json"}):
                    kind = "keras"
                elif names and all(n.endswith(".npy") for n in names):
                    kind = "npz"
                raise ValueError(archive.not_minikeras_message(filepath, kind, names))
            self.meta = archive.read_json(self.zf, self.members[META_NAME], self.where)
            _check_meta(self.meta, self.where)
        except BaseException:
            self.zf.close()
            raise

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        info = self.members.get(name)
        if info is None:
            raise ValueError(f"{self.where} is corrupt: its member {name!r} is missing.")
        raw = archive.read_member(self.zf, info, self.where)
        return archive.decode_npz(raw, f"{self.where} ({name})")

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.zf.close()


def _is_shape(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in value)


def _check_meta(meta: Any, where: str) -> None:
    """Refuse metadata of the wrong form before anything reads it."""
    def bad(what: str) -> ValueError:
        return ValueError(f"{where} is corrupt: {what} in 'minikeras.json'.")

    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise bad("the format marker is missing")
    version = meta.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise bad("the format version is missing")
    if version > FORMAT_VERSION:
        raise ValueError(f"{where} was written by a newer minikeras (file format {version}; "
                         f"this version reads up to {FORMAT_VERSION}). Upgrade minikeras.")
    if meta.get("kind") not in ("model", "weights"):
        raise bad(f"the kind {meta.get('kind')!r} is unknown")
    layers = meta.get("layers")
    if not isinstance(layers, list):
        raise bad("the layer table is missing")
    for entry in layers:
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str)
                and isinstance(entry.get("weights"), list)):
            raise bad("a layer entry is malformed")
        for w in entry["weights"]:
            if not (isinstance(w, dict) and isinstance(w.get("key"), str)
                    and isinstance(w.get("name"), str) and _is_shape(w.get("shape"))):
                raise bad(f"a weight entry of layer {entry['name']!r} is malformed")
    opt = meta.get("optimizer")
    if opt is not None and not (isinstance(opt, dict) and isinstance(opt.get("class_name"), str)
                                and _is_shape(opt.get("sizes"))
                                and isinstance(opt.get("keys"), list)):
        raise bad("the optimizer entry is malformed")
    shape = meta.get("build_input_shape")
    if shape is not None and not (isinstance(shape, list) and all(
            s is None or (isinstance(s, int) and s >= 0) for s in shape)):
        raise bad("the input shape is malformed")


def _scan_config(value: Any, where: str, depth: int = 0) -> None:
    """Refuse any module path or dotted class name in a config before building it."""
    if depth > 100:
        raise UnsafeFileError(f"{where}: the config is nested too deeply; refused.")
    if isinstance(value, dict):
        module = value.get("module")
        if module is not None and not (isinstance(module, str)
                                       and module.split(".")[0] in ("keras", "minikeras")):
            raise UnsafeFileError(
                f"{where}: the config names the module {module!r} (class "
                f"{value.get('class_name')!r}). minikeras never imports or calls what a file "
                f"names; the file is refused. {HINT}")
        name = value.get("class_name")
        if isinstance(name, str) and ("." in name or "/" in name or ":" in name):
            raise UnsafeFileError(
                f"{where}: the config names {name!r}, which is not a minikeras class. "
                f"minikeras never imports or calls what a file names; the file is refused. "
                f"{HINT}")
        for v in value.values():
            _scan_config(v, where, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _scan_config(v, where, depth + 1)


def _deserialization_error(where: str, err: BaseException) -> ValueError:
    if isinstance(err, MemoryError):
        return ValueError(f"Cannot load {where}: its config asks for more memory than there is "
                          "(a layer of absurd size?).")
    return ValueError(f"Cannot load {where}: {err}\n{HINT}")


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
               compile: bool = True, safe_mode: bool = True) -> Sequential:
    """Load a model saved with ``model.save(path)``: architecture, weights and training state.

    Args:
        filepath: the file (any name) or a readable binary file object.
        custom_objects: ``{name: class_or_function}`` for custom layers, losses,
            metrics, activations... named in the file.
        compile: restore the compile settings and the optimizer state.
        safe_mode: accepted for Keras compatibility; loading is always safe (a
            file can never make minikeras run code), whatever its value.
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError("`custom_objects` must be a dict of {name: class or function}.")
    keras_kind, filepath = sniff_keras(filepath)
    if keras_kind is not None:  # a Keras 3 `.keras` file or a tf.keras 2 `.h5` model
        from .keras_format import load_keras_model

        return load_keras_model(filepath, keras_kind, custom_objects, compile)
    with _Reader(filepath) as reader:
        meta, where = reader.meta, reader.where
        if meta["kind"] != "model":
            raise ValueError(f"{where} holds weights only (saved with save_weights or a "
                             "checkpoint with save_weights_only=True). Build the model, then "
                             "call model.load_weights(path).")
        spec = meta.get("model")
        if not (isinstance(spec, dict) and isinstance(spec.get("class_name"), str)
                and isinstance(spec.get("config"), dict)):
            raise ValueError(f"{where} is corrupt: the architecture is missing.")
        _scan_config(spec, where)
        compile_spec = meta.get("compile") if compile else None
        if compile_spec is not None:
            _scan_config(compile_spec, where)
        with custom_object_scope(custom_objects or {}):
            model = _build_model(spec, meta.get("build_input_shape"), custom_objects, where)
            compile_kwargs = deserialize_compile(compile_spec, custom_objects, where, model.dtype) \
                if compile_spec is not None else None
            plan = plan_weights(model, meta["layers"], reader.arrays(WEIGHTS_NAME), where,
                                skip_mismatch=False, by_name=False)
            rng_actions = plan_rngs(model, meta.get("rng", []), where)
            for v, arr in plan:
                v.assign(arr)
            if compile_kwargs is not None:
                compile_restored(model, compile_kwargs, where)
                if meta.get("optimizer") is not None:
                    restore = plan_optimizer(model, meta["optimizer"],
                                             reader.arrays(OPTIMIZER_NAME), where, build=True)
                    if restore is not None:
                        restore()
            for action in rng_actions:
                action()
    return model


def _build_model(spec: dict[str, Any], build_shape: Any, custom_objects: dict[str, Any] | None,
                 where: str) -> Sequential:
    try:
        cls = (custom_objects or {}).get(spec["class_name"]) or LAYERS.lookup(spec["class_name"])
        if not (isinstance(cls, type) and issubclass(cls, Sequential)):
            raise ValueError(f"the architecture is a {spec['class_name']!r}, not a Sequential "
                             "model.")
        model = cls.from_config(spec["config"], custom_objects=custom_objects)
        if not model.built and build_shape:
            model.build(tuple(build_shape))
        return model
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, MemoryError,
            RecursionError, OverflowError) as err:
        raise _deserialization_error(where, err) from None


def load_weights(model: Sequential, filepath: Any, skip_mismatch: bool = False,
                 by_name: bool = False, **kwargs: Any) -> None:
    """Load weights saved by ``save_weights`` or ``save`` into a built model.

    Every layer count and shape is checked before anything is assigned: on a
    mismatch the model is unchanged and the error names the layer and both
    shapes. The optimizer state in the file is restored too when the model's
    optimizer is already built for these weights (Keras 3).

    Args:
        skip_mismatch: skip (with a warning) layers whose weights do not match.
        by_name: match layers by name instead of by order (tf.keras 2).
    """
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"load_weights() got unexpected keyword argument(s): {sorted(kwargs)}")
    keras_kind, filepath = sniff_keras(filepath)
    if keras_kind is not None:  # Keras 3 `.weights.h5`/`.keras`, or tf.keras 2 `.h5`
        from .keras_format import load_keras_weights

        load_keras_weights(model, filepath, keras_kind, skip_mismatch, by_name)
        return
    with _Reader(filepath) as reader:
        plan = plan_weights(model, reader.meta["layers"], reader.arrays(WEIGHTS_NAME),
                            reader.where, skip_mismatch=skip_mismatch, by_name=by_name)
        opt_action = None
        opt_meta = reader.meta.get("optimizer")
        if opt_meta is not None and getattr(model, "optimizer", None) is not None \
                and model.optimizer.built and not skip_mismatch and not by_name:
            opt_action = plan_optimizer(model, opt_meta, reader.arrays(OPTIMIZER_NAME),
                                        reader.where, build=False)
        for v, arr in plan:
            v.assign(arr)
        if opt_action is not None:
            opt_action()


def read_training_state(model: Sequential, filepath: Any) -> dict[str, Any]:
    """Restore a :func:`write_training_state` checkpoint (weights, optimizer, RNG).

    The optimizer is built for the model's weights if it is not yet. Returns
    the checkpoint's ``training`` dict. Nothing changes if any check fails.
    """
    with _Reader(filepath) as reader:
        meta, where = reader.meta, reader.where
        plan = plan_weights(model, meta["layers"], reader.arrays(WEIGHTS_NAME), where,
                            skip_mismatch=False, by_name=False)
        rng_actions = plan_rngs(model, meta.get("rng", []), where)
        opt_action = None
        if meta.get("optimizer") is not None and getattr(model, "optimizer", None) is not None:
            opt_action = plan_optimizer(model, meta["optimizer"],
                                        reader.arrays(OPTIMIZER_NAME), where, build=True)
        training = meta.get("training")
        if not isinstance(training, dict):
            raise ValueError(f"{where} is not a training checkpoint (no 'training' entry).")
        for v, arr in plan:
            v.assign(arr)
        if opt_action is not None:
            opt_action()
        for action in rng_actions:
            action()
    return training
