"""Where Keras 3 keeps each weight and optimizer variable, shared by the reader and the writer.

Keras 3 places a layer's variables at ``layers/<class name in snake case>/vars/<i>``
(the second layer of a class gets ``_1``, and so on; a nested model adds its own
``layers/``), in the layer's order (trainable kind first), and the optimizer's
at ``optimizer/vars/<i>``: iterations, the learning rate (unless a schedule),
then the slots built on ``model.trainable_weights``. minikeras builds an
optimizer on every weight of the trainable kind, a frozen layer's too (its
update is masked), so where the two lists differ a twin optimizer laid out on
Keras's list carries the state across (:func:`keras_view`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import config as config_mod
from ..layers.base import Layer, Variable
from ..models.sequential import Sequential

#: The Keras release whose files these readers and writers were checked against.
KERAS_VERSION = "3.15.1"
CONFIG_NAME = "config.json"
METADATA_NAME = "metadata.json"
WEIGHTS_H5 = "model.weights.h5"
WEIGHTS_NPZ = "model.weights.npz"


def _unique(name: str, used: dict[str, int]) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def keras_layer_paths(model: Sequential, root: str = "layers") -> list[tuple[Layer, str]]:
    """Each leaf layer with its group in Keras 3's weights file (Keras's naming)."""
    out: list[tuple[Layer, str]] = []

    def walk(seq: Sequential, prefix: str) -> None:
        used: dict[str, int] = {}
        for layer in seq._layers:
            path = f"{prefix}{root}/{_unique(config_mod.to_snake_case(type(layer).__name__), used)}"
            if isinstance(layer, Sequential):
                walk(layer, path + "/")
            else:
                out.append((layer, path))

    walk(model, "")
    return out


def weights_tree(model: Sequential, opt_values: list[np.ndarray] | None) -> dict[str, Any]:
    """The HDF5 layout of Keras 3's weights file for ``model`` (see the module docstring)."""
    def walk(seq: Sequential) -> dict[str, Any]:
        layers: dict[str, Any] = {}
        used: dict[str, int] = {}
        for layer in seq._layers:
            key = _unique(config_mod.to_snake_case(type(layer).__name__), used)
            if isinstance(layer, Sequential):
                layers[key] = walk(layer)
            else:
                layers[key] = {"vars": ({"name": layer.name},
                                        [np.asarray(v.value) for v in layer.weights])}
        node: dict[str, Any] = {"layers": layers} if layers else {}
        node["vars"] = ({"name": seq.name}, [])
        return node

    tree = walk(model)
    if opt_values is not None:
        tree["optimizer"] = {"vars": ({"name": model.optimizer.name}, opt_values)}
    return tree


def same(a: list[Any], b: list[Any]) -> bool:
    """Whether two lists hold the same objects in the same order."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def copy_state(src: Any, dst: Any, variables: list[Variable]) -> None:
    """Copy the counter, the learning rate, and the slots of ``variables`` from src to dst."""
    dst._iterations.value[...] = src._iterations.value
    if dst._lr_owner is None and src._lr_owner is None:
        dst._learning_rate.value[...] = src._learning_rate.value
    if not src.built:
        return
    for key in dst._slots:
        if key in src._slots:
            for v in variables:
                if id(v) in src._index:
                    dst.get_slot(v, key)[...] = src.get_slot(v, key)
    dst.set_extra_state(src.extra_state())


def keras_view(model: Sequential, opt: Any) -> Any | None:
    """``opt`` as Keras lays it out: built on ``model.trainable_weights`` only.

    minikeras builds an optimizer on every trainable-kind weight (a frozen layer's
    too, masked in the update); Keras on the weights that train now. When the two
    lists differ, a twin optimizer built on Keras's list carries the state. None
    (with a warning) if the optimizer cannot be rebuilt from its config.
    """
    keras_vars = list(model.trainable_weights)
    if opt.built and same(opt._layout, keras_vars):
        return opt
    try:
        view = type(opt).from_config(opt.get_config())
    except (TypeError, ValueError, NotImplementedError, AttributeError) as err:
        warnings.warn(f"The state of optimizer {opt.name!r} cannot be laid out as Keras's "
                      f"({type(opt).__name__} does not rebuild from its config: {err}); it is "
                      "left out.", UserWarning, stacklevel=4)
        return None
    view.build(keras_vars)
    copy_state(opt, view, keras_vars)
    return view


def optimizer_values(model: Sequential, build: bool) -> list[np.ndarray] | None:
    """The optimizer's variables as Keras holds them (see :func:`keras_view`).

    With ``build``, an optimizer not built yet is written built (its initial
    state): Keras builds the optimizer when it compiles a loaded model, and
    would otherwise skip the saved state with a warning.
    """
    opt = getattr(model, "optimizer", None)
    if opt is None or not getattr(model, "compiled", False):
        return None
    if opt.built:
        from .. import distribution

        dp = distribution.active()
        if dp is not None and getattr(model, "_sharded_step", False):
            # Each rank holds only its slice's slots: collect them (every rank saves).
            dp.gather_slots(opt)
    if model.built and (opt.built or build):
        model._ensure_packed()
        opt = keras_view(model, opt)
        if opt is None:
            return None
    return [np.array(v.value) for v in opt.variables]
