"""What every data set shares: the Keras split rule, bundled files, the Keras cache.

``split`` is ``keras.datasets.boston_housing``'s rule: shuffle the row indices with
``numpy.random.RandomState(seed)``, then the first ``int(n * (1 - test_split))`` rows
train and the rest test. ``get_file`` mirrors ``keras.utils.get_file`` for the files
Keras itself downloads (same cache folder, same names, sha256 or md5 check), and says where
to put the file by hand when there is no network. ``read_npz_restricted`` reads
Keras's ``.npz`` files of ragged sequences (IMDB, Reuters) without ``allow_pickle``.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(__file__).with_name("data")

#: Seconds to wait for a download server before giving up with the offline message.
DOWNLOAD_TIMEOUT = 30.0

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def check_test_split(test_split: Any) -> float:
    """Keras's check and message for ``test_split``."""
    if not (0 <= test_split < 1):
        raise ValueError(f"Invalid `test_split` argument: {test_split}. "
                         "It must be between 0 and 1 (exclusive of 1).")
    return float(test_split)


def split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int) -> Split:
    """Shuffle rows with ``RandomState(seed)`` and cut off the last ``test_split`` fraction.

    The same seed gives the same split as ``keras.datasets.boston_housing.load_data``.
    """
    test_split = check_test_split(test_split)
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def load_npz(name: str, path: str | os.PathLike[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` from the bundled ``data/<name>.npz``, or from ``path`` when given.

    A file passed as ``path`` must have the same form: an ``.npz`` with arrays ``x``
    and ``y`` (``numpy.savez(path, x=x, y=y)``). Pickled objects are refused.
    """
    file = DATA_DIR / f"{name}.npz" if path is None else Path(os.fspath(path)).expanduser()
    if not file.is_file():
        where = "the bundled copy" if path is None else "`path`"
        raise FileNotFoundError(f"{name}: {where} {str(file)!r} does not exist.")
    with np.load(file, allow_pickle=False) as f:
        missing = {"x", "y"} - set(f.files)
        if missing:
            raise ValueError(f"{name}: {str(file)!r} must hold arrays 'x' and 'y'; "
                             f"missing {sorted(missing)}.")
        x, y = f["x"], f["y"]
    if len(x) != len(y):
        raise ValueError(f"{name}: {str(file)!r} has {len(x)} rows of x but {len(y)} of y.")
    return x, y


def keras_home() -> Path:
    """Keras's base folder: ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras`` if unwritable).

    Read on every call, so setting ``KERAS_HOME`` after import works too.
    """
    if "KERAS_HOME" in os.environ:
        return Path(os.environ["KERAS_HOME"]).expanduser()
    home = Path("~").expanduser()
    if not os.access(home, os.W_OK):
        home = Path("/tmp")
    return home / ".keras"


def cache_dir(cache_subdir: str = "datasets") -> Path:
    """The folder Keras caches downloads in (``<keras_home>/<cache_subdir>``)."""
    base = keras_home()
    if base.exists() and not os.access(base, os.W_OK):
        base = Path(tempfile.gettempdir()) / ".keras"  # Keras's fallback
    return base / cache_subdir


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_name(file_hash: str) -> str:
    """Keras's ``hash_algorithm="auto"``: 64 hex digits are sha256, anything else md5."""
    return "sha256" if len(file_hash) == 64 else "md5"


def file_digest(path: Path, file_hash: str) -> str:
    """The digest of ``path`` in the algorithm that ``file_hash`` is written in."""
    if hash_name(file_hash) == "sha256":
        return sha256(path)
    digest = hashlib.md5(usedforsecurity=False)  # only Keras's word-index files use md5
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_explicit_path(path: str | os.PathLike[str]) -> bool:
    """A path with a folder in it names a file to read; a bare name is a cache entry (Keras)."""
    text = os.fspath(path)
    return os.sep in text or (os.altsep is not None and os.altsep in text) \
        or Path(text).expanduser().is_absolute()


def get_file(fname: str, origin: str, cache_subdir: str = "datasets",
             file_hash: str | None = None, what: str | None = None) -> Path:
    """The cached file ``<keras cache>/<cache_subdir>/<fname>``, downloaded when missing.

    As ``keras.utils.get_file``: a cached file whose digest differs from ``file_hash``
    is fetched again. Without a network the error says where to put the file.
    """
    folder = cache_dir(cache_subdir)
    target = folder / fname
    what = what or fname
    stale = False
    if target.is_file():
        if file_hash is None or file_digest(target, file_hash) == file_hash:
            return target
        stale = True
    try:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Downloading data from {origin}", flush=True)
        _download(origin, target)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        state = (f"The cached file {str(target)!r} does not match the expected "
                 f"{hash_name(file_hash)} "
                 f"{file_hash}, and fetching a fresh copy failed" if stale
                 else "It is not in the Keras cache, and downloading it failed")
        raise OSError(
            f"Could not load {what}. {state}: {origin} ({reason}). Without a network, "
            f"download {origin} on another machine and copy it to {str(target)!r} (set "
            "KERAS_HOME to use another cache folder), or pass its location as `path=`.") \
            from exc
    if file_hash is not None and file_digest(target, file_hash) != file_hash:
        target.unlink()
        raise ValueError(f"Incomplete or corrupted file detected: {origin} does not match "
                         f"the expected {hash_name(file_hash)} {file_hash}.")
    return target


def _download(origin: str, target: Path) -> None:
    """Fetch ``origin`` into ``target`` through a temporary file (no half-written cache)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(origin, timeout=DOWNLOAD_TIMEOUT) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def keras_file(name: str, path: str | os.PathLike[str] | None, default: str, origin: str,
               file_hash: str | None, what: str) -> Path:
    """``path`` as the Keras loaders take it: a bare name is a cache entry (downloaded
    when missing, as Keras does), a path with a folder in it is read as it is."""
    path = default if path is None else path
    if not is_explicit_path(path):
        return get_file(os.fspath(path), origin, file_hash=file_hash, what=what)
    file = Path(os.fspath(path)).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f"{name}: {str(file)!r} does not exist. Pass the path of "
                                f"Keras's {default} (from {origin}).")
    return file


# What rebuilding a NumPy object array from its pickle needs, and nothing more (the
# same set as Keras's own reader). The spellings of numpy < 2 (``numpy.core``) and
# numpy >= 2 (``numpy._core``) are both accepted; each maps to the live object, so old
# files load without touching the deprecated ``numpy.core`` module.
_RECONSTRUCT = np.ndarray(0).__reduce__()[0]
_PICKLE_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can build NumPy arrays of plain Python objects, and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _PICKLE_ALLOWED[(module, name)]
        except KeyError:
            raise ValueError(f"Refusing to load `{module}.{name}` from a pickled array: only "
                             "NumPy arrays of plain Python objects are allowed. The file may "
                             "be corrupted or malicious.") from None

    def persistent_load(self, pid: Any) -> Any:
        raise ValueError("Refusing a pickle with persistent ids in a data file.")


def _read_npy(data: bytes, where: str) -> np.ndarray:
    """One ``.npy`` member: plain arrays with pickling off, object arrays through
    ``_ArrayOnlyUnpickler`` (ragged sequences can only be stored as a pickle)."""
    fp = io.BytesIO(data)
    major, _ = np.lib.format.read_magic(fp)
    # Formats 2.0 and 3.0 share the header layout (3.0 only allows UTF-8 field names).
    read_header = {1: np.lib.format.read_array_header_1_0,
                   2: np.lib.format.read_array_header_2_0,
                   3: np.lib.format.read_array_header_2_0}.get(major)
    if read_header is None:
        raise ValueError(f"{where}: unsupported .npy format version {major}.")
    shape, _, dtype = read_header(fp)
    if not dtype.hasobject:
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    try:
        array = _ArrayOnlyUnpickler(fp).load()
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    except Exception as exc:  # a truncated or garbled stream: report it, never half-load
        raise ValueError(f"{where}: unreadable pickled array ({exc!r}).") from None
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise ValueError(f"{where}: the pickle does not hold the array of shape {shape} "
                         "that its header announces.")
    return array


def read_npz_restricted(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` (as ``numpy.load`` names them), never running pickled code.

    Object arrays (Keras's IMDB and Reuters sequences) are unpickled with only NumPy's
    array-building functions allowed; any other class in the pickle raises ValueError.
    """
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy"):
                    arrays[member[:-4]] = _read_npy(archive.read(member),
                                                    f"{os.fspath(path)!r} ({member})")
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{os.fspath(path)!r} is not an .npz file ({exc}).") from None
    return arrays
