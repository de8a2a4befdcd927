"""HDF5 (Keras's weights container) read defensively and written plainly, through h5py.

h5py is the optional ``keras-files`` extra and is imported only when a Keras
file is read or written; without it, :func:`require_h5py` raises an
ImportError that names the extra.

:class:`H5File` checks the whole file before any array is read. Every link is
visited once (hard links only: external links, which open other files, and
soft links, which Keras never writes, are refused, and so are hard-link cycles).
Every dataset is checked from its header: numeric dtypes only (object
references, strings and compound types are refused), no external raw storage
(which reads other files on disk), no virtual datasets, only HDF5's built-in
filters (an unknown filter id makes HDF5 load a plugin library), declared sizes
within :data:`~minikeras.saving.LIMITS` in total, and no "shape bomb" (a huge
declared shape over almost no stored bytes). Attributes are read only by name
and only as text. HDF5 itself parses the file in C; these checks bound what
reading the arrays can cost and what the file can make h5py open.
"""

from __future__ import annotations

import io
import math
import os
from typing import Any

import numpy as np

from .archive import LIMITS, UnsafeFileError

INSTALL_HINT = "pip install 'minikeras[keras-files]'"
#: Filters compiled into HDF5 or h5py; anything else would load a plugin library.
_BUILTIN_FILTERS = frozenset({"gzip", "shuffle", "fletcher32", "lzf", "scaleoffset", "szip"})
_RATIO_FLOOR = 1 << 20
_MAX_DEPTH = 64


def require_h5py() -> Any:
    """Import h5py, or raise an ImportError that says how to install it."""
    try:
        import h5py
    except ImportError as err:
        raise ImportError(
            "Reading or writing Keras files (.keras, .weights.h5, .h5) needs h5py, which is not "
            f"installed. Install minikeras's `keras-files` extra: {INSTALL_HINT}") from err
    return h5py


class H5File:
    """An HDF5 file opened read-only and checked whole (see the module docstring).

    Args:
        source: a path, or the file's bytes (a member of a ``.keras`` zip).
        where: how the file is named in messages.
    """

    def __init__(self, source: Any, where: str) -> None:
        h5py = self.h5py = require_h5py()
        self.where = where
        target = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) \
            else os.fspath(source)
        try:
            self.file = h5py.File(target, "r")
        except (OSError, ValueError) as err:
            raise ValueError(f"{where} is truncated or corrupt: it starts like an HDF5 file but "
                             f"h5py cannot open it ({err}).") from None
        try:
            self._datasets: dict[str, Any] = {}
            self._groups: dict[str, Any] = {"": self.file}
            self._scan()
        except BaseException:
            self.file.close()
            raise

    # ------------------------------------------------------------------ checks
    def _refuse(self, what: str) -> UnsafeFileError:
        return UnsafeFileError(f"{self.where}: {what}; the file is refused.")

    def _scan(self) -> None:
        h5py = self.h5py
        seen = {self.file.id}
        stack = [("", self.file, 0)]
        count, declared = 0, 0
        while stack:
            prefix, group, depth = stack.pop()
            if depth > _MAX_DEPTH:
                raise self._refuse(f"its groups nest deeper than {_MAX_DEPTH} levels")
            for name in group:
                count += 1
                if count > LIMITS["max_members"]:
                    raise self._refuse(f"it holds more than {LIMITS['max_members']} HDF5 objects "
                                       "(mk.saving.LIMITS['max_members'])")
                path = f"{prefix}{name}"
                link = group.get(name, getlink=True)
                if isinstance(link, h5py.ExternalLink):
                    raise self._refuse(f"the HDF5 object {path!r} is an external link to "
                                       f"{link.filename!r} (another file)")
                if not isinstance(link, h5py.HardLink):
                    raise self._refuse(f"the HDF5 object {path!r} is a {type(link).__name__}, "
                                       "which Keras files never hold")
                obj = group[name]
                if obj.id in seen:
                    raise self._refuse(f"the HDF5 object {path!r} links back to an object "
                                       "already seen (a cycle or a shared object)")
                seen.add(obj.id)
                if isinstance(obj, h5py.Group):
                    self._groups[path] = obj
                    stack.append((path + "/", obj, depth + 1))
                elif isinstance(obj, h5py.Dataset):
                    declared += self._check_dataset(path, obj)
                    if declared > LIMITS["max_total_bytes"]:
                        raise self._refuse(
                            f"its datasets declare more than {LIMITS['max_total_bytes']} bytes "
                            "(mk.saving.LIMITS['max_total_bytes'])")
                    self._datasets[path] = obj
                else:
                    raise self._refuse(f"the HDF5 object {path!r} is a {type(obj).__name__}, "
                                       "which Keras files never hold")

    def _check_dataset(self, path: str, ds: Any) -> int:
        if ds.is_virtual:
            raise self._refuse(f"the dataset {path!r} is virtual (its data live in other files)")
        if ds.external:
            raise self._refuse(f"the dataset {path!r} keeps its data in external files "
                               f"{[e[0] for e in ds.external]!r}")
        dt = ds.dtype
        if dt.kind not in "biuf" or dt.fields is not None or dt.subdtype is not None:
            raise self._refuse(f"the dataset {path!r} has dtype {dt} (Keras weights are numbers; "
                               "object references, strings and records are not read)")
        unknown = sorted(set(ds._filters) - _BUILTIN_FILTERS)
        if unknown:
            raise self._refuse(f"the dataset {path!r} needs the HDF5 filter(s) {unknown}, which "
                               "HDF5 would load as a plugin library")
        shape = ds.shape
        if shape is None:
            raise self._refuse(f"the dataset {path!r} has no shape (an empty dataspace)")
        nbytes = math.prod(shape) * dt.itemsize
        stored = ds.id.get_storage_size()
        if nbytes > _RATIO_FLOOR and nbytes > LIMITS["max_ratio"] * max(stored, 1):
            raise self._refuse(f"the dataset {path!r} declares shape {shape} ({nbytes} bytes) "
                               f"over {stored} stored bytes (a shape or decompression bomb)")
        return nbytes

    # ------------------------------------------------------------------ access
    def has_group(self, path: str) -> bool:
        """Whether ``path`` (``"layers/dense/vars"``, no leading slash) is a group."""
        return path.strip("/") in self._groups

    def groups(self) -> list[str]:
        """Every group's path (the root is ``""``)."""
        return list(self._groups)

    def children(self, path: str) -> list[str]:
        """The names inside group ``path``."""
        group = self._groups.get(path.strip("/"))
        if group is None:
            raise ValueError(f"{self.where} is not the Keras file it seems: the group {path!r} "
                             "is missing.")
        return list(group)

    def has_dataset(self, path: str) -> bool:
        """Whether ``path`` is a dataset."""
        return path.strip("/") in self._datasets

    def shape(self, path: str) -> tuple[int, ...]:
        """A dataset's shape, from its header."""
        return tuple(self._dataset(path).shape)

    def _dataset(self, path: str) -> Any:
        ds = self._datasets.get(path.strip("/"))
        if ds is None:
            raise ValueError(f"{self.where} is not the Keras file it seems: the dataset {path!r} "
                             "is missing.")
        return ds

    def read(self, path: str) -> np.ndarray:
        """A dataset's values as an array in native byte order (size checked at open)."""
        ds = self._dataset(path)
        try:
            value = ds[()]
        except (OSError, ValueError, TypeError) as err:
            raise ValueError(f"{self.where} is corrupt: the dataset {path!r} cannot be read "
                             f"({err}).") from None
        arr = np.asarray(value)
        return np.array(arr, dtype=arr.dtype.newbyteorder("="), order="C")

    def text_attr(self, path: str, name: str) -> str | None:
        """A text attribute of the group or dataset at ``path``; None if absent."""
        value = self._attr(path, name)
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]
        if isinstance(value, (bytes, np.bytes_)):
            return self._decode(bytes(value), path, name)
        if isinstance(value, str):
            return self._limit(value, path, name)
        raise ValueError(f"{self.where} is corrupt: the attribute {name!r} of {path or '/'!r} "
                         f"is a {type(value).__name__}, not text.")

    def text_list_attr(self, path: str, name: str) -> list[str] | None:
        """A list-of-names attribute (Keras's ``layer_names``, ``weight_names``).

        Keras splits a long list into ``name0``, ``name1``...; those are joined.
        """
        values = self._attr(path, name)
        if values is None:
            chunks = []
            while True:
                part = self._attr(path, f"{name}{len(chunks)}")
                if part is None:
                    break
                chunks.append(part)
            if not chunks:
                return None
            values = np.concatenate([np.atleast_1d(np.asarray(c)) for c in chunks])
        arr = np.atleast_1d(np.asarray(values))
        if arr.ndim != 1 or arr.dtype.kind not in "SUO":
            raise ValueError(f"{self.where} is corrupt: the attribute {name!r} of "
                             f"{path or '/'!r} is not a list of names.")
        out = []
        for item in arr.tolist():
            if isinstance(item, bytes):
                out.append(self._decode(item, path, name))
            elif isinstance(item, str):
                out.append(item)
            else:
                raise ValueError(f"{self.where} is corrupt: the attribute {name!r} of "
                                 f"{path or '/'!r} holds a {type(item).__name__}, not a name.")
        if sum(len(s) for s in out) > LIMITS["max_json_bytes"]:
            raise self._refuse(f"the attribute {name!r} is larger than "
                               f"{LIMITS['max_json_bytes']} bytes")
        return out

    def _attr(self, path: str, name: str) -> Any:
        key = path.strip("/")
        obj = self._groups.get(key)
        if obj is None:
            obj = self._dataset(key)
        if name not in obj.attrs:
            return None
        try:
            attr_id = obj.attrs.get_id(name)
            attr_type = attr_id.dtype
            if attr_id.shape is not None and 0 in attr_id.shape:
                return np.array([], dtype=object)  # Keras writes an empty list as float64
            text = attr_type.kind in "SU" or (
                attr_type.kind == "O" and self.h5py.check_dtype(vlen=attr_type) in (str, bytes))
            if not text:
                raise ValueError(f"{self.where} is corrupt: the attribute {name!r} of "
                                 f"{key or '/'!r} has dtype {attr_type}, not text.")
            return obj.attrs[name]
        except (OSError, TypeError, KeyError) as err:
            raise ValueError(f"{self.where} is corrupt: the attribute {name!r} of {key or '/'!r} "
                             f"cannot be read ({err}).") from None

    def _decode(self, raw: bytes, path: str, name: str) -> str:
        self._limit(raw, path, name)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{self.where} is corrupt: the attribute {name!r} of "
                             f"{path or '/'!r} is not UTF-8 text.") from None

    def _limit(self, value: Any, path: str, name: str) -> Any:
        if len(value) > LIMITS["max_json_bytes"]:
            raise self._refuse(f"the attribute {name!r} of {path or '/'!r} is larger than "
                               f"{LIMITS['max_json_bytes']} bytes "
                               "(mk.saving.LIMITS['max_json_bytes'])")
        return value

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> H5File:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# ----------------------------------------------------------------------------- writing
#: A tree to write: a group maps names to subtrees; a ``(attrs, arrays)`` pair is a
#: Keras ``vars`` group (text attributes, datasets ``"0"``, ``"1"``...).
Tree = dict[str, Any]


def write_h5_bytes(tree: Tree) -> bytes:
    """Write ``tree`` as an HDF5 file in memory and return its bytes."""
    h5py = require_h5py()
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        _write_group(f, tree)
    return buf.getvalue()


def _write_group(group: Any, tree: Tree) -> None:
    for name, node in tree.items():
        if isinstance(node, tuple):
            attrs, arrays = node
            vars_group = group.create_group(name)
            for key, value in attrs.items():
                vars_group.attrs[key] = value
            for i, arr in enumerate(arrays):
                arr = np.asarray(arr)
                vars_group.create_dataset(str(i), data=arr, track_times=False)
        else:
            _write_group(group.create_group(name), node)
