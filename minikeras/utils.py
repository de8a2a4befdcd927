"""Utilities (``mk.utils``): labels, seeds, custom-object registration, PyDataset."""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from typing import Any

import numpy as np

from ._registry import CUSTOM_OBJECTS, register_keras_serializable, registered_key
from ._tensor import as_array
from .config import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
    set_random_seed,
)

__all__ = ["Progbar", "PyDataset", "Sequence", "clear_session", "custom_object_scope",
           "deserialize_keras_object", "disable_interactive_logging",
           "enable_interactive_logging", "get_custom_objects", "get_file", "get_registered_object",
           "is_interactive_logging_enabled", "is_keras_tensor", "normalize",
           "pack_x_y_sample_weight", "pad_sequences",
           "register_keras_serializable", "serialize_keras_object", "set_random_seed",
           "standardize_dtype", "to_categorical", "unpack_x_y_sample_weight"]


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels (float64, as Keras); a trailing axis of 1 is dropped."""
    x = np.asarray(as_array(x))
    if x.dtype.kind in "US":  # digit strings read from a file, which Keras converts
        try:
            x = x.astype(np.int64)
        except ValueError:
            raise ValueError("to_categorical needs integer class labels; received strings "
                             "that are not integers.") from None
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
    from .config import floatx

    python = isinstance(x, (list, tuple))
    x = as_array(x)
    # Keras keeps a float array's type; Python numbers become floatx, integers float64.
    dtype = np.dtype(floatx()) if python else x.dtype if x.dtype.kind == "f" else np.float64
    x = x.astype(dtype, copy=False)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    norm[norm == 0] = 1
    return x / norm


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str = "auto", cache_dir: Any = None,
             force_download: bool = False) -> str:
    """Keras's ``get_file``: the file ``origin`` names, downloaded once into
    ``<cache_dir or ~/.keras>/<cache_subdir>/<fname>`` and reused from there (checked
    against ``file_hash`` when given); with ``extract=True`` the archive's folder.
    Without a network, a file copied there beforehand is used as it is."""
    import urllib.parse
    from pathlib import Path

    from .datasets import _common

    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = Path(os.fspath(cache_dir)).expanduser() if cache_dir is not None \
        else _common.keras_home()
    if not os.access(base if base.exists() else base.parent, os.W_OK):
        base = Path("/tmp") / ".keras"  # Keras's fallback for a folder it cannot write
    folder = base / cache_subdir
    folder.mkdir(parents=True, exist_ok=True)
    given = fname
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'."
                         "Please specify the `fname` argument.")
    if given and os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the "
                         "file's parent directory, use the `cache_dir` argument. Received: "
                         f"fname={fname}")
    target, unpack_to = folder / fname, None
    if extract or untar:  # Keras's names for the archive and its folder
        if given and "." in fname:
            unpack_to = folder / f"{fname[:fname.find('.')]}_extracted"
        else:
            target, unpack_to = folder / f"{fname}_archive", folder / fname
    algorithm = hash_algorithm if hash_algorithm != "auto" or file_hash is None \
        else _common.hash_name(file_hash)

    def matches(path: Path) -> bool:
        digest = hashlib.new(algorithm)
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest() == file_hash

    if force_download or not target.exists() or (file_hash is not None
                                                  and not matches(target)):
        _say(f"Downloading data from {origin}")
        try:
            _common._download(origin, target)
        except Exception as exc:
            raise Exception(f"URL fetch failure on {origin}: {getattr(exc, 'reason', exc)} "
                            f"(without a network, copy the file to {str(target)!r})") from exc
        if file_hash is not None and not matches(target):
            raise ValueError(f"Incomplete or corrupted file detected. The {algorithm} file "
                             f"hash does not match the provided value of {file_hash}.")
    if unpack_to is None:
        return str(target)
    _unpack(target, unpack_to, "tar" if untar else archive_format)
    return str(unpack_to)


def _say(text: str) -> None:
    from .config import say

    say(text)


def _unpack(archive: Any, folder: Any, archive_format: Any) -> None:
    """Extract a zip or tar archive (no member may land outside ``folder``)."""
    import shutil
    import tarfile
    import zipfile

    formats = ["tar", "zip"] if archive_format in ("auto", None) else \
        [archive_format] if isinstance(archive_format, str) else list(archive_format)
    if "tar" in formats and tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tar:
            # Checked by hand, member by member, whatever the Python: links are refused
            # outright (extraction filters of some Python versions can be bypassed with
            # them), and every path must stay inside the folder.
            root = os.path.realpath(folder)
            members = tar.getmembers()
            for member in members:
                where = os.path.realpath(os.path.join(root, member.name))
                inside = where == root or where.startswith(root + os.sep)
                if not inside or not (member.isfile() or member.isdir()):
                    raise ValueError(f"{archive}: member {member.name!r} is a link, a device "
                                     "or a path outside the folder; not extracted.")
            for member in members:
                if member.isdir():
                    os.makedirs(os.path.join(root, member.name), exist_ok=True)
                    continue
                target = os.path.join(root, member.name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with tar.extractfile(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
        return
    if "zip" in formats and zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            z.extractall(folder)  # zipfile drops absolute paths and '..' parts
        return
    warnings.warn("Could not extract archive.", stacklevel=3)


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
    return registered_key(obj) or getattr(obj, "__name__", type(obj).__name__)


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


# ---------------------------------------------------------------------- more of keras.utils
def clear_session(free_memory: bool = True) -> None:
    """``keras.utils.clear_session``: the same as ``keras.backend.clear_session``."""
    from .backend import clear_session as clear

    clear(free_memory)


def serialize_keras_object(obj: Any) -> Any:
    """``keras.utils.serialize_keras_object`` (see ``minikeras.saving``)."""
    from .saving import serialize_keras_object as serialize_obj

    return serialize_obj(obj)


def deserialize_keras_object(config: Any, custom_objects: dict[str, Any] | None = None,
                             **kwargs: Any) -> Any:
    """``keras.utils.deserialize_keras_object`` (see ``minikeras.saving``)."""
    from .saving import deserialize_keras_object as deserialize_obj

    return deserialize_obj(config, custom_objects)


def is_keras_tensor(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor (``keras.Input(...)``, ``layer.output``)."""
    from .layers.base import KerasTensor

    return isinstance(x, KerasTensor)


def standardize_dtype(dtype: Any) -> str:
    """A dtype's standard name (``"float32"``); None gives floatx."""
    from .config import floatx

    if dtype is None:
        return floatx()
    python = {float: "float32", int: "int64", bool: "bool"}  # Keras's PYTHON_DTYPES_MAP
    if isinstance(dtype, type) and dtype in python:
        return python[dtype]
    return np.dtype(getattr(dtype, "name", dtype)).name


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (or one x) as a 3-tuple with Nones:
    how ``fit`` reads a generator's batches."""
    from .data import _unpack

    return _unpack(data)


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The tuple ``fit`` reads: ``x`` alone (``(x,)`` when x is a tuple), ``(x, y)`` or
    ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return x, y
    return x, y, sample_weight


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Keras's ``pad_sequences``: a list of sequences as one ``(n, maxlen, ...)`` array,
    padded with ``value`` and truncated before (``"pre"``) or after (``"post"``)."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    lengths, sample_shape, found = [], (), False
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError as err:
            raise ValueError("`sequences` must be a list of iterables. Found non-iterable: "
                             f"{s}") from err
        if not found and len(s):
            sample_shape, found = np.asarray(s).shape[1:], True
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    text_dtype = np.issubdtype(np.dtype(dtype), np.str_) or np.issubdtype(np.dtype(dtype),
                                                                         np.bytes_)
    if isinstance(value, str) and dtype is not object and not text_dtype:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: "
                         f"{type(value)}\nYou should set `dtype=object` for variable length "
                         "strings.")
    for name, choice in (("padding", padding), ("truncating", truncating)):
        if choice not in ("pre", "post"):
            raise ValueError(f'{name.capitalize()} type "{choice}" not understood')
    out = np.full((len(lengths), maxlen, *sample_shape), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {i} "
                             f"is different from expected shape {sample_shape}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out


class Progbar:
    """Keras's ``Progbar`` for hand-written loops: ``update(current, values)`` or
    ``add(n, values)`` with ``values`` a list of ``(name, value)`` pairs, averaged over
    the steps seen (except ``stateful_metrics``, shown as given).

    On a terminal at ``verbose=1`` the line is redrawn in place; elsewhere, and at
    ``verbose=2``, one line is printed when the target is reached.
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Any = None,
                 unit_name: str = "step") -> None:
        import sys

        self.target, self.width, self.verbose = target, int(width), int(verbose)
        self.interval, self.unit_name = float(interval), unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._values: dict[str, Any] = {}
        self._seen_so_far = 0
        self._start = self._last_update = time.perf_counter()
        self._stream = sys.stdout
        self._dynamic = hasattr(self._stream, "isatty") and self._stream.isatty()

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Move the bar to ``current`` steps and record ``values``."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            value = float(np.mean(as_array(value)))
            if name in self.stateful_metrics:
                self._values[name] = value
                continue
            steps = max(current - self._seen_so_far, 1)
            total, count = self._values.get(name, (0.0, 0))
            self._values[name] = (total + value * steps, count + steps)
        self._seen_so_far = current
        now = time.perf_counter()
        if self.verbose == 0 or (not finalize and not (
                self.verbose == 1 and self._dynamic and now - self._last_update >= self.interval)):
            return
        self._last_update = now
        line = self._line(current, now)
        if self.verbose == 1 and self._dynamic:
            self._stream.write("\r" + line + ("\n" if finalize else ""))
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def add(self, n: int, values: Any = None) -> None:
        """Advance by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    def _line(self, current: int, now: float) -> str:
        from .callbacks.progbar import _format_time, format_logs

        if self.target:
            done = min(int(self.width * current / self.target), self.width)
            count = f"{current}/{self.target}".rjust(2 * len(str(self.target)) + 1)
            head = f"{count} {'━' * done}{' ' * (self.width - done)}"
        else:
            head = f"{current}/Unknown"
        elapsed = now - self._start
        per_unit = elapsed / current if current else 0.0
        logs = {name: v if name in self.stateful_metrics else v[0] / max(v[1], 1)
                for name, v in self._values.items()}
        text = format_logs(logs)
        line = f"{head} {elapsed:.0f}s {_format_time(per_unit, self.unit_name)}"
        return f"{line} - {text}" if text else line
