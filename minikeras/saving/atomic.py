"""Atomic file writes: a crash at any moment leaves the old file or the new one.

Every model, weights and checkpoint file minikeras writes goes through
:func:`atomic_write`: the bytes go to a temporary file in the target's own
folder (so ``os.replace`` never crosses file systems), which is flushed and
fsynced, then renamed over the target in one step, and the folder is fsynced
so that the rename itself survives a power cut. Readers never see a torn file.

A save passes through the phases in :data:`PHASES`. Tests install a hook with
:func:`set_fault_hook` to stop a save at any one of them (the fault injection
of issue 6); the hook costs one ``is None`` check per phase otherwise.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from typing import IO, Any

#: The moments of a save, in order: the temporary file exists (empty); part of
#: the data is written; all of it is written (not yet flushed); flushed to the
#: OS; fsynced to disk; closed, just before ``os.replace``; just after it; the
#: folder fsynced.
PHASES = ("created", "writing", "written", "flushed", "fsynced", "before_replace",
          "after_replace", "done")

_fault_hook: Callable[[str, str], None] | None = None


def set_fault_hook(hook: Callable[[str, str], None] | None) -> Callable[[str, str], None] | None:
    """Install ``hook(phase, target_path)``, called at each phase of every save (tests only).

    Returns the previous hook, so a test can restore it.
    """
    global _fault_hook
    previous, _fault_hook = _fault_hook, hook
    return previous


def fault_point(phase: str, path: str) -> None:
    """Report reaching ``phase`` of the save of ``path`` to the fault hook, if any."""
    if _fault_hook is not None:
        _fault_hook(phase, path)


def fsync_directory(directory: str) -> None:
    """fsync a folder, so that a rename inside it is durable (a no-op where unsupported)."""
    if os.name == "nt":  # Windows cannot open a folder as a file; NTFS journals renames
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (and /proc-like mounts) refuse; the rename still happened
    finally:
        os.close(fd)


def _target(path: Any) -> str:
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise ValueError("Cannot save to an empty file path.")
    # Write through a symlink to its target, as an in-place write would.
    return os.path.realpath(path) if os.path.islink(path) else path


@contextlib.contextmanager
def atomic_write(path: Any, mode: str = "wb", encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file to write ``path``'s new contents; replace ``path`` on success.

    Use as ``with atomic_write(path) as f: f.write(data)``. If the body raises,
    the temporary file is removed and ``path`` is untouched. A kill at any
    moment leaves ``path`` whole: its old contents, or the new ones.

    Args:
        path: the file to (re)write; its folder must exist.
        mode: ``"wb"`` (binary) or ``"w"`` (text).
        encoding: the text encoding in ``"w"`` mode.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write supports mode 'wb' or 'w'. Received: mode={mode!r}")
    target = _target(path)
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Cannot write {target!r}: the folder {directory!r} does not "
                                "exist. Create it first (os.makedirs).")
    if os.path.isdir(target):
        raise IsADirectoryError(f"Cannot write {target!r}: it is a folder.")
    tmp = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}."
                                  f"{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)  # the umask applies, as for any new file
    replaced = False
    try:
        try:
            f = os.fdopen(fd, mode,
                          **({"encoding": encoding, "newline": ""} if mode == "w" else {}))
        except BaseException:
            os.close(fd)
            raise
        with contextlib.suppress(OSError):
            # Keep the permissions of the file being replaced.
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        with f:
            fault_point("created", target)
            yield f
            fault_point("written", target)
            f.flush()
            fault_point("flushed", target)
            os.fsync(f.fileno())
            fault_point("fsynced", target)
        fault_point("before_replace", target)
        os.replace(tmp, target)
        replaced = True
        fault_point("after_replace", target)
        fsync_directory(directory)
        fault_point("done", target)
    except BaseException:
        if not replaced:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def refuse_overwrite(path: str, overwrite: bool) -> None:
    """Raise before anything is written when ``path`` exists and ``overwrite`` is False."""
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} already exists and overwrite=False; nothing was "
                              "written.")


def atomic_write_bytes(path: Any, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as f:
        f.write(data)


def atomic_copy(src: Any, dst: Any, chunk: int = 1 << 20) -> None:
    """Copy ``src`` to ``dst`` atomically (``dst`` is never seen half-copied)."""
    with open(src, "rb") as fin, atomic_write(dst, "wb") as fout:
        while True:
            block = fin.read(chunk)
            if not block:
                break
            fout.write(block)
