"""What every data set shares: the Keras split rule, bundled files, the Keras cache.

``split`` is ``keras.datasets.boston_housing``'s rule: shuffle the row indices with
``numpy.random.RandomState(seed)``, then the first ``int(n * (1 - test_split))`` rows
train and the rest test. ``get_file`` mirrors ``keras.utils.get_file`` for the files
Keras itself downloads (same cache folder, same names, sha256 check), and says where
to put the file by hand when there is no network.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
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


def is_explicit_path(path: str | os.PathLike[str]) -> bool:
    """A path with a folder in it names a file to read; a bare name is a cache entry (Keras)."""
    text = os.fspath(path)
    return os.sep in text or (os.altsep is not None and os.altsep in text) \
        or Path(text).expanduser().is_absolute()


def get_file(fname: str, origin: str, cache_subdir: str = "datasets",
             file_hash: str | None = None, what: str | None = None) -> Path:
    """The cached file ``<keras cache>/<cache_subdir>/<fname>``, downloaded when missing.

    As ``keras.utils.get_file``: a cached file whose sha256 differs from ``file_hash``
    is fetched again. Without a network the error says where to put the file.
    """
    folder = cache_dir(cache_subdir)
    target = folder / fname
    what = what or fname
    stale = False
    if target.is_file():
        if file_hash is None or sha256(target) == file_hash:
            return target
        stale = True
    try:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Downloading data from {origin}", flush=True)
        _download(origin, target)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        state = (f"The cached file {str(target)!r} does not match the expected sha256 "
                 f"{file_hash}, and fetching a fresh copy failed" if stale
                 else "It is not in the Keras cache, and downloading it failed")
        raise OSError(
            f"Could not load {what}. {state}: {origin} ({reason}). Without a network, "
            f"download {origin} on another machine and copy it to {str(target)!r} (set "
            "KERAS_HOME to use another cache folder), or pass its location as `path=`.") \
            from exc
    if file_hash is not None and sha256(target) != file_hash:
        target.unlink()
        raise ValueError(f"Incomplete or corrupted file detected: {origin} does not match "
                         f"the expected sha256 {file_hash}.")
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
