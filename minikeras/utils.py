"""Utilities (``mk.utils``): labels, seeds, custom-object registration, PyDataset."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import CUSTOM_OBJECTS, register_keras_serializable
from ._tensor import as_array
from .config import set_random_seed

__all__ = ["PyDataset", "Sequence", "custom_object_scope", "get_custom_objects",
           "get_registered_object", "normalize", "register_keras_serializable",
           "set_random_seed", "to_categorical"]


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels (float64, as Keras); a trailing axis of 1 is dropped."""
    x = np.asarray(as_array(x))
    if x.dtype.kind == "f":
        if not np.all(np.mod(x, 1) == 0):
            raise ValueError("to_categorical needs integer class labels; received non-integer "
                             "values.")
    if x.dtype.kind not in "iufb":
        raise ValueError(f"to_categorical needs integer class labels; received dtype {x.dtype}.")
    labels = x.astype(np.int64)
    shape = labels.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: class labels must be >= 0; received {labels.min()}.")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(f"to_categorical: label {labels.max()} is out of range for "
                         f"num_classes={num_classes}.")
    out = np.zeros((labels.shape[0], num_classes), dtype=np.float64)
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out.reshape(*shape, num_classes)


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(as_array(x), dtype=np.float64)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    norm[norm == 0] = 1
    return x / norm


def get_custom_objects() -> dict[str, Any]:
    """The global dict of registered custom objects (Keras)."""
    return CUSTOM_OBJECTS


def get_registered_object(name: str, custom_objects: dict[str, Any] | None = None,
                          module_objects: dict[str, Any] | None = None) -> Any:
    for table in (custom_objects or {}, CUSTOM_OBJECTS, module_objects or {}):
        if name in table:
            return table[name]
    return None


class custom_object_scope:  # noqa: N801 - Keras's spelling
    """``with custom_object_scope({"MyLayer": MyLayer}):`` makes names resolvable inside."""

    def __init__(self, custom_objects: dict[str, Any]) -> None:
        self.custom_objects = dict(custom_objects)
        self._backup: dict[str, Any] = {}

    def __enter__(self) -> custom_object_scope:
        self._backup = dict(CUSTOM_OBJECTS)
        CUSTOM_OBJECTS.update(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        CUSTOM_OBJECTS.clear()
        CUSTOM_OBJECTS.update(self._backup)


CustomObjectScope = custom_object_scope  # Keras's other spelling


def get_registered_name(obj: Any) -> str:
    """The name ``obj`` is registered under (``"Custom>MyLayer"``), else its own name."""
    for key, value in CUSTOM_OBJECTS.items():
        if value is obj and ">" in key:
            return key
    return getattr(obj, "__name__", type(obj).__name__)


class PyDataset:
    """Keras's ``PyDataset``: subclass with ``__len__`` and ``__getitem__(index)``.

    ``__getitem__`` returns one batch, ``(x, y)`` or ``(x, y, sample_weight)``;
    ``num_batches`` (Keras 3) or ``__len__`` gives their number; ``on_epoch_begin`` and
    ``on_epoch_end`` run around each epoch. ``workers``/``use_multiprocessing``
    are accepted and ignored: batches are read in the training process.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__ or the "
                                  "num_batches property (Keras 3's name).")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), "
                                  "returning one batch.")

    def on_epoch_begin(self) -> None:
        """Called before every epoch (and before evaluate and predict)."""

    def on_epoch_end(self) -> None:
        """Called after every epoch."""

    @property
    def num_batches(self) -> int:
        """The number of batches: ``len(self)`` unless a subclass defines this (Keras 3)."""
        return len(self)


Sequence = PyDataset


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200, show_layer_activations: bool = False,
               show_trainable: bool = False, **kwargs: Any) -> Any:
    """Draw the layer stack with matplotlib (the ``plot`` extra) and save it to ``to_file``."""
    from .plot import plot_model as _plot_model

    return _plot_model(model, to_file=to_file, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, **kwargs)


_ = set_random_seed, register_keras_serializable
