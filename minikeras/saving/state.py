"""The state a file carries besides the architecture, captured and restored safely.

Weights (one array per variable, listed layer by layer), the optimizer's flat
state (``optimizer.get_state()``), and every random generator's state (the
model's shuffle stream and each layer's dropout or noise stream): together
they make a resumed ``fit`` repeat the uninterrupted one bit for bit.

Restoring is two-phase: each ``plan_*`` function checks the file against the
model (counts, shapes, kinds) and returns what to assign, changing nothing;
callers assign only after every plan succeeded, so a mismatch anywhere leaves
the model as it was.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..layers.base import Layer, Variable
from ..models.sequential import Sequential
from .archive import UnsafeFileError

#: NumPy's bit generators, by name: the only generators a file can ask for.
_BIT_GENERATORS = {cls.__name__: cls for cls in (np.random.PCG64, np.random.PCG64DXSM,
                                                 np.random.MT19937, np.random.Philox,
                                                 np.random.SFC64)}


# ----------------------------------------------------------------------------- weights
def weights_table(model: Sequential) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Every leaf layer's weights: a JSON table (names, shapes, keys) and the arrays by key."""
    layers: list[dict[str, Any]] = []
    arrays: dict[str, np.ndarray] = {}
    for i, layer in enumerate(model._leaf_layers()):
        entries = []
        for j, v in enumerate(layer.weights):
            key = f"layers/{i:04d}/{j}"
            arrays[key] = np.asarray(v.value)
            entries.append({"name": v.name, "shape": list(v.shape), "dtype": str(v.value.dtype),
                            "key": key})
        layers.append({"name": layer.name, "class_name": type(layer).__name__,
                       "weights": entries})
    return layers, arrays


def optimizer_payload(model: Any) -> tuple[dict[str, Any] | None, dict[str, np.ndarray]]:
    """The built optimizer's ``get_state()`` arrays and its layout; ``(None, {})`` if unbuilt."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not opt.built:
        return None, {}
    from .. import distribution

    dp = distribution.active()
    if dp is not None and getattr(model, "_sharded_step", False):
        # Each rank holds only its slice's slots: collect them (every rank saves).
        dp.gather_slots(opt)
    state = opt.get_state()
    meta = {"class_name": type(opt).__name__, "sizes": [int(v.size) for v in opt._layout],
            "keys": sorted(state)}
    return meta, state


# ----------------------------------------------------------------------------- RNG
def _rng_owners(model: Sequential) -> list[tuple[str, Layer]]:
    """The model and every layer inside it, keyed by position (``"0"``, ``"2/1"``...)."""
    out: list[tuple[str, Layer]] = [("", model)]

    def walk(seq: Sequential, prefix: str) -> None:
        for i, layer in enumerate(seq._layers):
            path = f"{prefix}{i}"
            out.append((path, layer))
            if isinstance(layer, Sequential):
                walk(layer, path + "/")

    walk(model, "")
    return out


def _encode_state(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _encode_state(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": str(value.dtype), "data": value.tolist()}
    if isinstance(value, np.integer):
        return int(value)
    return value


def _decode_state(value: Any) -> Any:
    if isinstance(value, dict):
        if "__ndarray__" in value:
            if value["__ndarray__"] not in ("uint32", "uint64"):
                raise ValueError(f"unexpected array dtype {value['__ndarray__']!r}")
            return np.asarray(value["data"], dtype=value["__ndarray__"])
        return {k: _decode_state(v) for k, v in value.items()}
    return value


def rng_states(model: Sequential) -> list[dict[str, Any]]:
    """The bit-generator state of the model's and each layer's ``_rng``, as JSON."""
    out = []
    for path, layer in _rng_owners(model):
        rng = getattr(layer, "_rng", None)
        if isinstance(rng, np.random.Generator) and type(rng.bit_generator).__name__ \
                in _BIT_GENERATORS:
            out.append({"path": path, "layer": layer.name,
                        "state": _encode_state(rng.bit_generator.state)})
    return out


def plan_rngs(model: Sequential, specs: Any, where: str) -> list[Callable[[], None]]:
    """Validate the saved generator states; return the actions that restore them."""
    if not isinstance(specs, list):
        raise ValueError(f"{where} is corrupt: 'rng' is not a list.")
    owners = dict(_rng_owners(model))
    actions = []
    for spec in specs:
        if not isinstance(spec, dict) or spec.get("path") not in owners:
            continue
        layer = owners[spec["path"]]
        try:
            state = _decode_state(spec["state"])
            cls = _BIT_GENERATORS.get(state.get("bit_generator"))
            if cls is None:
                raise UnsafeFileError(
                    f"{where}: the random generator {state.get('bit_generator')!r} of "
                    f"{layer.name!r} is not one of NumPy's ({', '.join(_BIT_GENERATORS)}).")
            fresh = cls()
            fresh.state = state
        except UnsafeFileError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as err:
            raise ValueError(f"{where} is corrupt: the random state of {layer.name!r} is "
                             f"malformed ({err}).") from None
        actions.append(_rng_setter(layer, fresh))
    return actions


def _rng_setter(layer: Layer, fresh: Any) -> Callable[[], None]:
    def apply() -> None:
        current = getattr(layer, "_rng", None)
        if isinstance(current, np.random.Generator) \
                and type(current.bit_generator) is type(fresh):
            current.bit_generator.state = fresh.state  # others may hold this Generator
        else:
            layer._rng = np.random.Generator(fresh)

    return apply


# ----------------------------------------------------------------------------- restoring
def plan_weights(model: Sequential, layers_meta: list[dict[str, Any]],
                 arrays: dict[str, np.ndarray], where: str, skip_mismatch: bool,
                 by_name: bool) -> list[tuple[Variable, np.ndarray]]:
    """Check every count and shape first; return the (variable, array) pairs to assign."""
    for entry in layers_meta:
        for w in entry["weights"]:
            arr = arrays.get(w["key"])
            if arr is None:
                raise ValueError(f"{where} is corrupt: the array of weight {w['name']!r} of "
                                 f"layer {entry['name']!r} is missing.")
            if list(arr.shape) != list(w["shape"]):
                raise ValueError(f"{where} is corrupt: weight {w['name']!r} of layer "
                                 f"{entry['name']!r} is listed with shape {tuple(w['shape'])} "
                                 f"but stored with shape {arr.shape}.")
    file_layers = [entry for entry in layers_meta if entry["weights"]]
    if not model.built:
        if not file_layers:
            return []
        raise ValueError(
            f"You are loading weights into model {model.name!r}, which has not yet been built. "
            "Build it first by calling it on some data, by build(input_shape), or by giving "
            "the first layer an input shape (keras.Input(shape=...)).")
    model_layers = [layer for layer in model._leaf_layers() if layer.weights]
    if by_name:
        index = {entry["name"]: entry for entry in file_layers}
        pairs = [(layer, index[layer.name]) for layer in model_layers if layer.name in index]
    else:
        if len(model_layers) != len(file_layers):
            raise ValueError(
                f"Cannot load weights from {where} into model {model.name!r}: the file holds "
                f"weights for {len(file_layers)} layers "
                f"({', '.join(e['name'] for e in file_layers) or 'none'}) but the model has "
                f"{len(model_layers)} layers with weights "
                f"({', '.join(layer.name for layer in model_layers) or 'none'}). Nothing was "
                "changed.")
        pairs = list(zip(model_layers, file_layers))
    plan: list[tuple[Variable, np.ndarray]] = []
    problems: list[str] = []
    for layer, entry in pairs:
        variables = layer.weights
        label = f"layer {layer.name!r} ({type(layer).__name__})"
        if len(variables) != len(entry["weights"]):
            problems.append(f"{label} has {len(variables)} weights but the file's layer "
                            f"{entry['name']!r} has {len(entry['weights'])}")
            continue
        mismatch = None
        for v, w in zip(variables, entry["weights"]):
            arr = arrays[w["key"]]
            if tuple(arr.shape) != tuple(v.shape):
                mismatch = (f"{label}: weight {v.name!r} has shape {tuple(v.shape)} in the model "
                            f"but {tuple(arr.shape)} in the file (layer {entry['name']!r})")
                break
        if mismatch:
            problems.append(mismatch)
            continue
        plan.extend((v, arrays[w["key"]]) for v, w in zip(variables, entry["weights"]))
    report_mismatches(model, where, problems, skip_mismatch)
    return plan


def report_mismatches(model: Any, where: str, problems: list[str], skip_mismatch: bool) -> None:
    """Refuse a weights file whose layers do not match (nothing assigned yet), or warn
    and go on with the layers that match when ``skip_mismatch``."""
    if not problems:
        return
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    if not skip_mismatch:
        raise ValueError(f"Cannot load weights from {where} into model {model.name!r}: "
                         f"{problems[0]}{more}. Nothing was changed. Pass "
                         "skip_mismatch=True to load the layers that match.")
    warnings.warn(f"Skipped {len(problems)} layer(s) whose weights do not match {where}: "
                  + "; ".join(problems), UserWarning, stacklevel=5)


def plan_optimizer(model: Any, meta: dict[str, Any], arrays: dict[str, np.ndarray],
                   where: str, build: bool) -> Callable[[], None] | None:
    """Check a saved optimizer state against the model's optimizer; return its restorer."""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None
    if type(opt).__name__ != meta["class_name"]:
        warnings.warn(f"{where} holds the state of a {meta['class_name']} optimizer but the model "
                      f"uses {type(opt).__name__}; the optimizer state was not restored.",
                      UserWarning, stacklevel=4)
        return None
    model._ensure_packed()
    variables = model._flat.variables
    layout_ok = opt.built and len(opt._layout) == len(variables) and all(
        a is b for a, b in zip(opt._layout, variables))
    if not layout_ok and not build:
        return None  # as Keras: state loads into an optimizer already built for this model
    if [int(v.size) for v in variables] != meta["sizes"]:
        warnings.warn(f"{where} holds optimizer state for variables of sizes {meta['sizes']}, "
                      "which do not match the model's; the optimizer state was not restored.",
                      UserWarning, stacklevel=4)
        return None
    total = sum(meta["sizes"])
    for name, _ in opt.slots:
        arr = arrays.get(f"slot/{name}")
        if arr is None or arr.shape != (total,):
            raise ValueError(f"{where} is corrupt: the optimizer slot {name!r} is missing or "
                             "has the wrong shape.")
    for key in ("iterations", "learning_rate"):
        if key not in arrays or arrays[key].shape != ():
            raise ValueError(f"{where} is corrupt: the optimizer's {key!r} is missing.")

    def apply() -> None:
        if not layout_ok:
            opt.build(variables)
        state = dict(arrays)
        for name in list(opt._slots):  # slots this optimizer adds (EMA, accumulation)
            state.setdefault(f"slot/{name}", opt._slots[name])
        opt.set_state(state)

    return apply
