"""Keras's own files, both ways: Keras 3 ``.keras`` and ``.weights.h5``, tf.keras 2 ``.h5``.

- A Keras 3 ``.keras`` file is a zip of ``config.json`` (the model and its
  compile settings), ``metadata.json`` and ``model.weights.h5``. In the weights,
  each layer's variables sit at ``layers/<class name in snake case>/vars/<i>``
  (a second layer of a class gets ``_1``...; a nested model adds its own
  ``layers/``), the optimizer's at ``optimizer/vars/<i>`` in Keras's variable
  order. A ``.weights.h5`` file is that HDF5 file alone.
- A tf.keras 2 (or Keras 3 legacy) ``.h5`` file keeps the model config in the
  ``model_config`` attribute, the compile settings in ``training_config``, the
  weights under ``model_weights/<layer name>`` as listed by ``layer_names`` and
  ``weight_names``, and the optimizer's under ``optimizer_weights``. A tf.keras
  2 weights file has the same layout at its root.

Reading goes through the checks of :mod:`.archive` (the zip), :mod:`.h5_reader`
(the HDF5 file) and :mod:`.keras_config` (the configs): no code runs, and
every count and shape is checked before anything is assigned. Writing is
:mod:`.keras_export`.
"""

from __future__ import annotations

import json
import os
import warnings
import zipfile
from typing import Any

import numpy as np

from ..layers.base import Layer, Variable
from ..models.sequential import Sequential
from ..utils import custom_object_scope
from . import archive
from .archive import LIMITS, UnsafeFileError, describe
from .compile_spec import compile_restored, deserialize_compile
from .h5_reader import H5File, require_h5py
from .keras_config import ConfigReader, build_model
from .keras_layout import (
    CONFIG_NAME,
    WEIGHTS_H5,
    WEIGHTS_NPZ,
    copy_state,
    keras_layer_paths,
    keras_view,
    same,
)
from .state import report_mismatches


# ============================================================================ detection
def sniff(filepath: Any) -> tuple[str | None, Any]:
    """``("zip" | "hdf5" | None, source)``: whether ``filepath`` is a Keras file.

    ``source`` is what to read from afterwards: ``filepath`` itself, or a
    ``BytesIO`` holding what a non-seekable file object gave. None means
    "not Keras's": minikeras's own reader takes it (and names what it is).
    """
    if hasattr(filepath, "read"):
        source, head = archive.peek_stream(filepath)
    else:
        path = os.fspath(filepath)
        if not os.path.isfile(path):
            return None, filepath
        with open(path, "rb") as f:
            head = f.read(2048)
        source = filepath
    kind = archive.sniff(head)
    if kind == "hdf5":
        return "hdf5", source
    if kind != "zip":
        return None, source
    start = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source, "r") as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None, source  # minikeras's reader names what is wrong
    finally:
        if start is not None:
            source.seek(start)
    if CONFIG_NAME in names and names & {WEIGHTS_H5, WEIGHTS_NPZ} and "minikeras.json" not in names:
        return "zip", source
    return None, source


# ============================================================================ opening
class _KerasFile:
    """A Keras file opened and checked: its configs and its HDF5 weights."""

    def __init__(self, source: Any, kind: str) -> None:
        self.where = describe(source)
        self.config: Any = None
        self.compile_config: Any = None
        self.legacy = kind == "hdf5"
        if kind == "zip":
            self.config, raw = self._read_zip(source)
            self.compile_config = self.config.get("compile_config") \
                if isinstance(self.config, dict) else None
            self.h5 = H5File(raw, f"{self.where} (member {WEIGHTS_H5!r})")
            self.legacy = False
            self.root = "layers"
            return
        if hasattr(source, "read"):
            data = source.read(LIMITS["max_total_bytes"] + 1)
            if len(data) > LIMITS["max_total_bytes"]:
                raise UnsafeFileError(f"{self.where} is larger than "
                                      f"{LIMITS['max_total_bytes']} bytes; refused.")
            self.h5 = H5File(data, self.where)
        else:
            self.h5 = H5File(source, self.where)
        try:
            self._read_legacy_attrs()
        except BaseException:
            self.h5.close()
            raise

    def _read_zip(self, source: Any) -> tuple[Any, bytes]:
        zf = archive.open_zip(source, self.where)
        with zf:
            members = archive.check_members(zf, self.where)
            if WEIGHTS_H5 not in members:
                raise UnsafeFileError(
                    f"{self.where} keeps its weights in {WEIGHTS_NPZ!r}, which Keras writes as a "
                    "pickled dict. minikeras never unpickles (a pickle can run any code); save "
                    "the model in Keras with the default weights format (h5).")
            config = archive.read_json(zf, members[CONFIG_NAME], self.where)
            raw = archive.read_member(zf, members[WEIGHTS_H5], self.where)
        if not isinstance(config, dict):
            raise ValueError(f"{self.where} is corrupt: {CONFIG_NAME!r} is not a JSON object.")
        return config, raw

    def _json_attr(self, name: str) -> Any:
        text = self.h5.text_attr("", name)
        if text is None:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"{self.where} is corrupt: its {name!r} is not JSON ({err}).") \
                from None
        except RecursionError:
            raise UnsafeFileError(f"{self.where}: its {name!r} is nested too deeply; "
                                  "refused.") from None

    def _read_legacy_attrs(self) -> None:
        h5 = self.h5
        self.config = self._json_attr("model_config")
        if self.config is not None:
            self.compile_config = self._json_attr("training_config")
            if not h5.has_group("model_weights"):
                raise ValueError(f"{self.where} is corrupt: it has a model config but no "
                                 "'model_weights' group.")
            self.root = "model_weights"
        elif h5.text_list_attr("", "layer_names") is not None:
            self.root = ""  # tf.keras 2's save_weights("w.h5"): the layers at the root
        elif h5.has_group("layers") or h5.has_group("vars") or h5.has_group("optimizer"):
            self.legacy = False  # Keras 3's .weights.h5
            self.root = "layers"
        elif h5.has_group("_layer_checkpoint_dependencies"):
            self.legacy = False  # written by TF 2.13's Keras
            self.root = "_layer_checkpoint_dependencies"
        else:
            raise ValueError(f"{self.where} is an HDF5 file but not a Keras model or weights "
                             "file (it has no model config, layer list or layer groups).")

    def close(self) -> None:
        self.h5.close()

    def __enter__(self) -> _KerasFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# ============================================================================ weights
def _numbered(h5: H5File, group: str) -> list[str]:
    """The datasets ``0``, ``1``... of a ``vars`` group, in order (checked to be exactly those)."""
    names = h5.children(group)
    if sorted(names, key=lambda n: (len(n), n)) != [str(i) for i in range(len(names))] \
            or not all(h5.has_dataset(f"{group}/{n}") for n in names):
        raise ValueError(f"{h5.where} is corrupt: the group {group!r} should hold the datasets "
                         f"0..{len(names) - 1}; it holds {sorted(names)[:8]}.")
    return [f"{group}/{i}" for i in range(len(names))]


def _not_built_error(model: Sequential) -> ValueError:
    return ValueError(
        f"You are loading weights into model {model.name!r}, which has not yet been built. "
        "Build it first by calling it on some data, by build(input_shape), or by giving the "
        "first layer an input shape (keras.Input(shape=...)).")


def _finish_plan(model: Sequential, where: str, problems: list[str], plan: list[Any],
                 h5: H5File, skip_mismatch: bool) -> list[tuple[Variable, np.ndarray]]:
    report_mismatches(model, where, problems, skip_mismatch)
    return [(v, h5.read(path)) for v, path in plan]


def _match_layer(layer: Layer, variables: list[Variable], paths: list[str], h5: H5File,
                 held: str, plan: list[Any], problems: list[str]) -> None:
    """Plan one layer's weights from ``paths``, or record why they do not fit.

    ``held`` says where the file's count comes from, with ``{n}`` for that count.
    """
    if len(paths) != len(variables):
        problems.append(f"layer {layer.name!r} ({type(layer).__name__}) has "
                        f"{len(variables)} weights but {held.format(n=len(paths))}")
        return
    bad = [_shape_problem(layer, v, h5.shape(p), p) for v, p in zip(variables, paths)
           if h5.shape(p) != tuple(v.shape)]
    if bad:
        problems.append(bad[0])
        return
    plan.extend(zip(variables, paths))


def _shape_problem(layer: Layer, v: Variable, shape: tuple[int, ...], path: str) -> str:
    return (f"layer {layer.name!r} ({type(layer).__name__}): weight {v.name!r} has shape "
            f"{tuple(v.shape)} in the model but {shape} in the file ({path!r})")


def plan_keras3_weights(model: Sequential, kf: _KerasFile,
                        skip_mismatch: bool) -> list[tuple[Variable, np.ndarray]]:
    """Keras 3's layout: check every layer's count and shapes; return what to assign."""
    h5, where = kf.h5, kf.where
    with_vars = {g for g in h5.groups() if g.endswith("/vars") and g.startswith(kf.root + "/")
                 and h5.children(g)}
    if not model.built:
        if with_vars:
            raise _not_built_error(model)
        return []
    plan: list[tuple[Variable, str]] = []
    problems: list[str] = []
    for layer, path in keras_layer_paths(model, kf.root):
        variables = layer.weights
        group = f"{path}/vars"
        with_vars.discard(group)
        stored = _numbered(h5, group) if h5.has_group(group) else []
        _match_layer(layer, variables, stored, h5, f"the file holds {{n}} at {path!r}", plan,
                     problems)
    if with_vars:
        problems.append(f"the file holds weights at {sorted(with_vars)[:3]} for layers the "
                        "model does not have")
    return _finish_plan(model, where, problems, plan, h5, skip_mismatch)


def _legacy_weights(layer: Layer) -> list[Variable]:
    # tf.keras 2's order: trainable first, then the others (of the whole nested model).
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def plan_legacy_weights(model: Sequential, kf: _KerasFile, skip_mismatch: bool,
                        by_name: bool) -> list[tuple[Variable, np.ndarray]]:
    """tf.keras 2's layout: layers with weights matched in order (or by name)."""
    h5, where, root = kf.h5, kf.where, kf.root
    names = h5.text_list_attr(root, "layer_names") or []
    prefix = f"{root}/" if root else ""
    file_layers = []
    for name in names:
        if not h5.has_group(prefix + name):
            raise ValueError(f"{where} is corrupt: layer {name!r} is listed but has no group.")
        weight_names = h5.text_list_attr(prefix + name, "weight_names") or []
        if weight_names:
            file_layers.append((name, [f"{prefix}{name}/{w}" for w in weight_names]))
    top = f"{prefix}top_level_model_weights"
    if h5.has_group(top) and h5.text_list_attr(top, "weight_names"):
        raise ValueError(f"{where} holds top-level model weights, which a Sequential model "
                         "does not have.")
    if not model.built:
        if file_layers:
            raise _not_built_error(model)
        return []
    model_layers = [layer for layer in model.layers if _legacy_weights(layer)]
    if by_name:
        index = dict(file_layers)
        pairs = [(layer, layer.name, index[layer.name]) for layer in model_layers
                 if layer.name in index]
    else:
        if len(model_layers) != len(file_layers):
            raise ValueError(
                f"Cannot load weights from {where} into model {model.name!r}: the file holds "
                f"weights for {len(file_layers)} layers "
                f"({', '.join(n for n, _ in file_layers) or 'none'}) but the model has "
                f"{len(model_layers)} layers with weights "
                f"({', '.join(layer.name for layer in model_layers) or 'none'}). Nothing was "
                "changed.")
        pairs = [(layer, name, paths) for layer, (name, paths) in zip(model_layers, file_layers)]
    plan: list[tuple[Variable, str]] = []
    problems: list[str] = []
    for layer, name, paths in pairs:
        variables = _legacy_weights(layer)
        missing = [p for p in paths if not h5.has_dataset(p)]
        if missing:
            raise ValueError(f"{where} is corrupt: the weight {missing[0]!r} is listed but "
                             "missing.")
        _match_layer(layer, variables, paths, h5, f"the file's layer {name!r} has {{n}}", plan,
                     problems)
    return _finish_plan(model, where, problems, plan, h5, skip_mismatch)


def _optimizer_arrays(kf: _KerasFile) -> list[np.ndarray] | None:
    h5 = kf.h5
    if not kf.legacy:
        if not h5.has_group("optimizer/vars"):
            return None
        return [h5.read(p) for p in _numbered(h5, "optimizer/vars")]
    if not h5.has_group("optimizer_weights"):
        return None
    names = h5.text_list_attr("optimizer_weights", "weight_names") or []
    paths = [f"optimizer_weights/{n}" for n in names]
    missing = [p for p in paths if not h5.has_dataset(p)]
    if missing:
        raise ValueError(f"{kf.where} is corrupt: the optimizer weight {missing[0]!r} is listed "
                         "but missing.")
    return [h5.read(p) for p in paths]


def _restore_optimizer(model: Sequential, arrays: list[np.ndarray], where: str,
                       build: bool) -> None:
    """Assign Keras's optimizer variables in order, when they match ours (else warn, as Keras)."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not model.built:
        return
    model._ensure_packed()
    variables = model._flat.variables
    if not (opt.built and same(opt._layout, variables)):
        if not build:
            return  # as Keras: the state loads into an optimizer already built for this model
        opt.build(variables)
    view = keras_view(model, opt)
    if view is None:
        return
    targets = view.variables
    if len(targets) != len(arrays) or any(
            tuple(t.shape) != tuple(a.shape) for t, a in zip(targets, arrays)):
        warnings.warn(
            f"Skipping variable loading for optimizer {opt.name!r}: it has {len(targets)} "
            f"variables whereas the saved optimizer in {where} has {len(arrays)} (or their "
            "shapes differ). The optimizer starts afresh.", UserWarning, stacklevel=4)
        return
    for target, arr in zip(targets, arrays):
        target.assign(arr)
    if view is not opt:
        copy_state(view, opt, list(model.trainable_weights))


# ============================================================================ loading
def load_keras_model(source: Any, kind: str, custom_objects: dict[str, Any] | None,
                     compile: bool) -> Sequential:
    """Load a Keras 3 ``.keras`` file or a tf.keras 2 ``.h5`` model (see the module docstring)."""
    require_h5py()
    with _KerasFile(source, kind) as kf, custom_object_scope(custom_objects or {}):
        where = kf.where
        if kf.config is None:
            raise ValueError(f"{where} is a Keras weights file (no model config). Build the "
                             "model, then call model.load_weights(path).")
        reader = ConfigReader(where)
        spec = reader.model(kf.config)
        compile_spec = reader.compile(kf.compile_config, kf.legacy) if compile else None
        model = build_model(spec, custom_objects, where)
        if kf.legacy:
            plan = plan_legacy_weights(model, kf, skip_mismatch=False, by_name=False)
        else:
            plan = plan_keras3_weights(model, kf, skip_mismatch=False)
        compile_kwargs = deserialize_compile(compile_spec, custom_objects, where, model.dtype) \
            if compile_spec is not None else None
        opt_arrays = _optimizer_arrays(kf) if compile_kwargs is not None else None
        for v, arr in plan:
            v.assign(arr)
        if compile_kwargs is not None:
            compile_restored(model, compile_kwargs, where)
            if opt_arrays is not None:
                _restore_optimizer(model, opt_arrays, where, build=True)
    return model


def load_keras_weights(model: Sequential, source: Any, kind: str, skip_mismatch: bool,
                       by_name: bool) -> None:
    """Load a Keras weights file (or a ``.keras``/``.h5`` model's weights) into ``model``."""
    require_h5py()
    with _KerasFile(source, kind) as kf:
        if by_name and not kf.legacy:
            raise ValueError(f"{kf.where} is a Keras 3 weights file: by_name=True works with "
                             "tf.keras 2 `.h5` files only (as in Keras 3), which name layers.")
        if kf.legacy:
            plan = plan_legacy_weights(model, kf, skip_mismatch, by_name)
        else:
            plan = plan_keras3_weights(model, kf, skip_mismatch)
        opt = getattr(model, "optimizer", None)
        opt_arrays = _optimizer_arrays(kf) if opt is not None and opt.built \
            and not skip_mismatch and not by_name else None
        for v, arr in plan:
            v.assign(arr)
        if opt_arrays is not None:
            _restore_optimizer(model, opt_arrays, kf.where, build=False)
