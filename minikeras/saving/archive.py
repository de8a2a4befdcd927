"""The file format's container: a zip of JSON and ``.npz`` arrays, read defensively.

Reading trusts nothing in the file. Before any member is decompressed, the
member list is checked: its size, every name (no absolute paths, no ``..``,
no backslashes: path traversal is refused even though nothing is extracted),
no duplicates, no encryption, only stored or deflated data, and the declared
sizes against :data:`LIMITS` (member count, total bytes, compression ratio),
which refuses zip bombs. Arrays are parsed from their ``.npy`` header by hand:
only numeric dtypes, the data length must match the header exactly, and
object arrays (pickles) are refused before a byte of them is read; nothing is
ever unpickled. What is not a minikeras file (a Keras ``.keras`` zip, an HDF5
file, a pickle, a bare ``.npz``) is named in the error.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import zipfile
import zlib
from typing import IO, Any

import numpy as np

#: Refusal thresholds for any archive read (the outer zip and each ``.npz`` alone).
#: Raise them (``mk.saving.LIMITS["max_total_bytes"] = ...``) for huge models.
LIMITS: dict[str, int] = {
    "max_members": 10_000,          # members per zip
    "max_total_bytes": 16 << 30,    # declared uncompressed bytes per zip
    "max_json_bytes": 64 << 20,     # the metadata member
    "max_ratio": 100,               # uncompressed / compressed, for members over 1 MiB
}
_RATIO_FLOOR = 1 << 20
_MAX_NPY_HEADER = 10_000  # numpy's own default cap on an .npy header
_NAME_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same state gives the same bytes


class UnsafeFileError(ValueError):
    """A file was refused because loading it could harm the machine or run code.

    Raised for zip bombs, path traversal names, pickled objects, and configs
    that name modules or classes outside minikeras's registries. Subclasses
    ``ValueError``, so ``except ValueError`` still catches it.
    """


def describe(path: Any) -> str:
    """How a file is named in messages."""
    if isinstance(path, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(os.fspath(path)))
    return f"<{type(path).__name__} object>"


# ----------------------------------------------------------------------------- sniffing
def peek_stream(stream: Any) -> tuple[Any, bytes]:
    """``(source, head)`` of a file object: its first 2048 bytes, read without moving it.

    A stream that cannot seek is read whole (up to ``LIMITS["max_total_bytes"] + 1``)
    into a ``BytesIO``, which is then the source to read from.
    """
    source = stream
    if not (hasattr(stream, "seekable") and stream.seekable()):
        source = io.BytesIO(stream.read(LIMITS["max_total_bytes"] + 1))
    start = source.tell()
    head = source.read(2048)
    source.seek(start)
    return source, head


def sniff(head: bytes) -> str:
    """Guess what a file is from its first bytes (at least 2048 when available).

    Returns ``"zip"``, ``"hdf5"``, ``"pickle"``, ``"json"``, ``"npy"``, ``"empty"``
    or ``"unknown"``.
    """
    if not head:
        return "empty"
    if head.startswith(_ZIP_MAGICS):
        return "zip"
    # HDF5 allows a user block of 512, 1024, 2048... bytes before the signature.
    if any(head[at:at + 8] == _HDF5_MAGIC for at in (0, 512, 1024)):
        return "hdf5"
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5:
        return "pickle"
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    return "unknown"


def not_minikeras_message(path: Any, kind: str, names: list[str] | None = None) -> str:
    """The error for a file that is something else; says what it is."""
    where = describe(path)
    later = ("mk.models.load_model and model.load_weights read Keras files (with the "
             "keras-files extra); a training checkpoint must be a minikeras file.")
    if kind == "hdf5":
        return (f"{where} is an HDF5 file (Keras's `.h5` model or `.weights.h5` weights "
                f"format), not a minikeras file. {later}")
    if kind == "keras":
        return (f"{where} is a Keras 3 `.keras` archive (config.json, model.weights.h5), not a "
                f"minikeras file. {later}")
    if kind == "pickle":
        return (f"{where} looks like a Python pickle, not a minikeras file. minikeras never "
                "unpickles: pickles can run arbitrary code.")
    if kind == "npz":
        return (f"{where} is a bare NumPy `.npz` archive, not a minikeras file. Load it with "
                "np.load(path, allow_pickle=False) and model.set_weights(...).")
    if kind == "npy":
        return f"{where} is a NumPy `.npy` array, not a minikeras file."
    if kind == "json":
        return (f"{where} is a JSON text, not a minikeras file. An architecture from "
                "model.to_json() loads with mk.models.model_from_json(text).")
    if kind == "empty":
        return f"{where} is empty (0 bytes): it is not a minikeras file."
    if kind == "zip":
        listed = ", ".join(repr(n) for n in (names or [])[:5])
        return (f"{where} is a zip archive but not a minikeras file (it has no "
                f"'minikeras.json'; members: {listed or 'none'}).")
    return f"{where} is not a minikeras file (its first bytes match no known format)."


# ----------------------------------------------------------------------------- member checks
def check_member_name(name: str, where: str) -> None:
    """Refuse names that would escape a folder if extracted, or that no writer makes."""
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or "\x00" in name
            or ":" in name or any(p in ("", ".", "..") for p in parts)):
        raise UnsafeFileError(
            f"{where} holds a member named {name!r}, a path that leaves the archive's folder "
            "(path traversal) or is malformed; the file is refused.")
    if not all(_NAME_PART.match(p) for p in parts):
        raise UnsafeFileError(f"{where} holds a member named {name!r} with characters no "
                              "minikeras file uses; the file is refused.")


def check_members(zf: zipfile.ZipFile, where: str) -> dict[str, zipfile.ZipInfo]:
    """Validate a zip's member list against :data:`LIMITS`; return the members by name."""
    infos = zf.infolist()
    if len(infos) > LIMITS["max_members"]:
        raise UnsafeFileError(
            f"{where} holds {len(infos)} members, more than the limit of "
            f"{LIMITS['max_members']} (mk.saving.LIMITS['max_members']); refused as a possible "
            "zip bomb.")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        check_member_name(info.filename, where)
        if info.filename in members:
            raise UnsafeFileError(f"{where} holds two members named {info.filename!r}; refused.")
        if info.flag_bits & 0x1:
            raise UnsafeFileError(f"{where}: member {info.filename!r} is encrypted; refused.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeFileError(f"{where}: member {info.filename!r} uses compression method "
                                  f"{info.compress_type}; minikeras files are stored or deflated.")
        total += info.file_size
        if total > LIMITS["max_total_bytes"]:
            raise UnsafeFileError(
                f"{where} declares more than {LIMITS['max_total_bytes']} uncompressed bytes "
                f"(mk.saving.LIMITS['max_total_bytes']); refused as a possible zip bomb.")
        if info.file_size > _RATIO_FLOOR and \
                info.file_size > LIMITS["max_ratio"] * max(info.compress_size, 1):
            raise UnsafeFileError(
                f"{where}: member {info.filename!r} expands {info.compress_size} bytes to "
                f"{info.file_size} (more than {LIMITS['max_ratio']}x); refused as a zip bomb.")
        members[info.filename] = info
    return members


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str,
                limit: int | None = None) -> bytes:
    """Read one member, never more than its declared size (or ``limit``)."""
    cap = info.file_size if limit is None else min(info.file_size, limit)
    if limit is not None and info.file_size > limit:
        raise UnsafeFileError(f"{where}: member {info.filename!r} is {info.file_size} bytes, "
                              f"over the limit of {limit}; refused.")
    chunks = []
    got = 0
    try:
        with zf.open(info) as f:
            while got <= cap:
                block = f.read(min(1 << 20, cap + 1 - got))
                if not block:
                    break
                chunks.append(block)
                got += len(block)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as err:
        raise ValueError(f"{where} is corrupt: member {info.filename!r} cannot be read "
                         f"({err}).") from None
    if got != info.file_size:
        raise ValueError(f"{where} is corrupt: member {info.filename!r} holds {got} bytes, "
                         f"its header says {info.file_size}.")
    return b"".join(chunks)


def open_zip(source: Any, where: str) -> zipfile.ZipFile:
    """Open a zip for reading, turning zipfile's errors into ones that name the file."""
    try:
        return zipfile.ZipFile(source, "r")
    except zipfile.BadZipFile as err:
        raise ValueError(f"{where} is truncated or corrupt: it starts like a zip archive but "
                         f"cannot be read as one ({err}).") from None
    except (EOFError, OSError, ValueError, OverflowError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise ValueError(f"{where} is truncated or corrupt ({type(err).__name__}: "
                         f"{err}).") from None


def read_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Any:
    """Parse a JSON member (size-limited; deep nesting refused)."""
    raw = read_member(zf, info, where, limit=LIMITS["max_json_bytes"])
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where} is corrupt: {info.filename!r} is not valid JSON "
                         f"({err}).") from None
    except RecursionError:
        raise UnsafeFileError(f"{where}: {info.filename!r} is nested too deeply; "
                              "refused.") from None


# ----------------------------------------------------------------------------- arrays
def _decode_npy(raw: bytes, name: str, where: str) -> np.ndarray:
    fp = io.BytesIO(raw)
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fp)
    except ValueError:
        raise ValueError(f"{where}: array {name!r} is not a NumPy .npy array (bad magic "
                         "bytes).") from None
    try:
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fp, max_header_size=_MAX_NPY_HEADER)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(fp, max_header_size=_MAX_NPY_HEADER)
        else:
            raise ValueError(f"format version {version} is not one minikeras writes")
    except (ValueError, SyntaxError, TypeError) as err:
        raise ValueError(f"{where}: array {name!r} has a malformed header ({err}).") from None
    if dtype.hasobject:
        raise UnsafeFileError(
            f"{where}: array {name!r} holds Python objects (dtype {dtype}), which only a pickle "
            "can restore. minikeras never unpickles (a pickle can run any code); the file is "
            "refused.")
    if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        raise UnsafeFileError(f"{where}: array {name!r} has dtype {dtype}; minikeras files hold "
                              "booleans, integers and floats only. The file is refused.")
    count = math.prod(shape)
    start = fp.tell()
    if len(raw) - start != count * dtype.itemsize:
        raise ValueError(f"{where} is corrupt: array {name!r} of shape {shape} and dtype {dtype} "
                         f"needs {count * dtype.itemsize} bytes but holds {len(raw) - start}.")
    arr = np.frombuffer(raw, dtype=dtype, count=count, offset=start)
    arr = arr.reshape(shape, order="F" if fortran else "C")
    return np.array(arr, dtype=dtype.newbyteorder("="), order="C")  # own, writable memory


def decode_npz(raw: bytes, where: str) -> dict[str, np.ndarray]:
    """Read an ``.npz`` held in memory, under the same limits as the outer zip."""
    inner = open_zip(io.BytesIO(raw), where)
    with inner:
        members = check_members(inner, where)
        out: dict[str, np.ndarray] = {}
        for name, info in members.items():
            if not name.endswith(".npy"):
                raise UnsafeFileError(f"{where}: member {name!r} is not a .npy array; refused.")
            out[name[:-4]] = _decode_npy(read_member(inner, info, where), name, where)
    return out


def write_npz(stream: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an uncompressed ``.npz`` (no pickles: numeric dtypes only)."""
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, arr in arrays.items():
            arr = np.asarray(arr)
            if arr.dtype.kind not in "biuf":
                raise TypeError(f"Cannot save array {key!r} of dtype {arr.dtype}: minikeras "
                                "files hold booleans, integers and floats only.")
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_DATE)
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w", force_zip64=arr.nbytes > (1 << 30)) as f:
                # not np.ascontiguousarray: it turns a 0-d array into 1-d
                np.lib.format.write_array(f, np.asarray(arr, order="C"), allow_pickle=False)


def member_info(name: str, compress: bool) -> zipfile.ZipInfo:
    """A ZipInfo with a fixed timestamp, stored or deflated."""
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info
