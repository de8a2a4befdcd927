"""A save killed at any moment leaves the old file or the new one, never a torn one.

Two proofs. A seeded fault injection stops a save at each of its phases
(temporary file created, partly written, written, flushed, fsynced, just before
and just after ``os.replace``, folder fsynced) by SIGKILLing the saving process
there, and checks which complete file is on disk. Then a process that keeps
saving checkpoints is SIGKILLed at random moments: every time, the checkpoint
on disk loads and equals one of the states that were being saved.

The saving processes are forked from the test process (no second interpreter
start-up), and touch no BLAS: their training steps are elementwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import sys
import time

import numpy as np
import pytest

import minikeras as mk
from minikeras import saving
from minikeras.saving import atomic

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32",
                                reason="SIGKILL fault tests need os.fork (POSIX only)")

_BEFORE_REPLACE = {"created", "writing", "written", "flushed", "fsynced", "before_replace"}


def _model(seed: int = 0) -> mk.Sequential:
    mk.utils.set_random_seed(seed)
    model = mk.Sequential([mk.Input((60,)), mk.layers.Dense(300), mk.layers.Dropout(0.2),
                           mk.layers.Dense(40)])
    model.compile(mk.optimizers.Adam(1e-3), "mse")
    model._prepare_training()  # builds the optimizer: its state is saved too
    return model


def _step(model: mk.Sequential, k: int) -> None:
    """Move weights, optimizer slots and RNG streams to the next state (elementwise only)."""
    flat = model._flat
    flat.grads[:] = np.random.default_rng(k).standard_normal(flat.grads.size)
    model.optimizer.apply_flat(flat.values, flat.grads)
    model._rng.random(3)
    model.layers[1]._rng.random(5)


def _digest(model: mk.Sequential) -> str:
    h = hashlib.sha256()
    for w in model.get_weights():
        h.update(w.tobytes())
    for key, value in sorted(model.optimizer.get_state().items()):
        h.update(key.encode() + np.asarray(value).tobytes())
    for layer in (model, *model.layers):
        h.update(json.dumps(layer._rng.bit_generator.state, sort_keys=True).encode())
    return h.hexdigest()


def _fork(target, *args) -> int:
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 0
        try:
            target(*args)
        except BaseException:  # noqa: BLE001 - report through the exit code
            code = 3
        finally:
            os._exit(code)
    return pid


def _wait_killed(pid: int) -> None:
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status


# ----------------------------------------------------------------------------- phases
def _save_and_die_at(path: str, k: int, phase: str) -> None:
    model = _model()
    for i in range(1, k + 1):
        _step(model, i)

    def hook(at: str, target: str) -> None:
        if at == phase and os.path.basename(target) == os.path.basename(path):
            os.kill(os.getpid(), signal.SIGKILL)

    atomic.set_fault_hook(hook)
    model.save(path)
    os._exit(5)  # not reached: the hook killed us


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("phase", saving.PHASES)
def test_kill_at_each_phase_leaves_old_or_new(tmp_path, phase, seed):
    rng = np.random.default_rng(seed)
    path = str(tmp_path / "ckpt.keras")
    old_k = int(rng.integers(0, 4))
    new_k = old_k + int(rng.integers(1, 4))
    with_old = bool(rng.integers(0, 2)) or seed == 0
    expected_old = None
    if with_old:
        model = _model()
        for i in range(1, old_k + 1):
            _step(model, i)
        model.save(path)
        expected_old = _digest(model)
    reference = _model()
    for i in range(1, new_k + 1):
        _step(reference, i)
    expected_new = _digest(reference)

    _wait_killed(_fork(_save_and_die_at, path, new_k, phase))

    leftovers = [n for n in os.listdir(tmp_path) if n != "ckpt.keras"]
    if phase in _BEFORE_REPLACE:
        assert len(leftovers) == 1 and leftovers[0].endswith(".tmp")  # the crash's debris
        if expected_old is None:
            assert not os.path.exists(path)  # no file rather than a torn one
            return
        assert _digest(mk.models.load_model(path)) == expected_old
    else:
        assert leftovers == []
        assert _digest(mk.models.load_model(path)) == expected_new
    # The debris never blocks the next save, which replaces the file as usual.
    reference.save(path)
    assert _digest(mk.models.load_model(path)) == expected_new


@pytest.mark.parametrize("phase", saving.PHASES)
def test_exception_at_each_phase_cleans_up(tmp_path, phase):
    path = tmp_path / "w.weights.h5"
    model = _model()
    model.save_weights(path)
    old = path.read_bytes()
    _step(model, 1)

    def hook(at: str, target: str) -> None:
        if at == phase:
            raise RuntimeError(f"injected at {at}")

    previous = atomic.set_fault_hook(hook)
    try:
        with pytest.raises(RuntimeError, match=f"injected at {phase}"):
            model.save_weights(path)
    finally:
        atomic.set_fault_hook(previous)
    assert os.listdir(tmp_path) == ["w.weights.h5"]  # the temporary file is gone
    if phase in _BEFORE_REPLACE:
        assert path.read_bytes() == old
    else:
        fresh = _model(seed=9)
        fresh.load_weights(path)
        np.testing.assert_array_equal(fresh.get_weights()[0], model.get_weights()[0])


def test_atomic_write_keeps_permissions_and_follows_symlinks(tmp_path):
    target = tmp_path / "real.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.bin"
    os.symlink(target, link)
    saving.atomic_write_bytes(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert os.stat(target).st_mode & 0o777 == 0o640
    with pytest.raises(FileNotFoundError, match="does not exist"):
        saving.atomic_write_bytes(tmp_path / "no" / "x.bin", b"")


# ----------------------------------------------------------------------------- random kills
def _keep_saving(path: str, fd: int) -> None:
    model = _model()
    k = 0
    while True:
        k += 1
        _step(model, k)
        os.write(fd, f"start {k} {_digest(model)}\n".encode())
        model.save(path)
        os.write(fd, f"done {k}\n".encode())


def _read_lines(fd: int, buf: bytearray, timeout: float) -> list[str]:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return []
    chunk = os.read(fd, 65536)
    buf.extend(chunk)
    *lines, rest = buf.decode().split("\n")
    buf[:] = rest.encode()
    return lines


def test_random_sigkill_during_checkpoint_saves(tmp_path):
    rng = np.random.default_rng(20240607)
    path = str(tmp_path / "ckpt.keras")
    total_saves = 0
    kills = 0
    outcomes = {"older": 0, "in_flight": 0}
    while kills < 12 or total_saves < 25:
        if os.path.exists(path):
            os.remove(path)
        r, w = os.pipe()
        pid = _fork(_keep_saving, path, w)
        os.close(w)
        announced: dict[int, str] = {}
        done = 0
        want = int(rng.integers(1, 4))
        buf = bytearray()
        deadline = time.monotonic() + 60
        while done < want:
            assert time.monotonic() < deadline, "the saving process stalled"
            for line in _read_lines(r, buf, 1.0):
                kind, k, *rest = line.split()
                if kind == "start":
                    announced[int(k)] = rest[0]
                else:
                    done = int(k)
        time.sleep(float(rng.uniform(0.0, 0.05)))  # a save takes ~25 ms here
        os.kill(pid, signal.SIGKILL)
        _wait_killed(pid)
        for line in _read_lines(r, buf, 0.0):
            kind, k, *rest = line.split()
            if kind == "start":
                announced[int(k)] = rest[0]
            else:
                done = int(k)
        os.close(r)
        kills += 1
        total_saves += done
        state = _digest(mk.models.load_model(path))  # it always loads
        assert state in announced.values()
        saved_k = next(k for k, d in announced.items() if d == state)
        assert saved_k in (done, done + 1), (saved_k, done)  # the last one, or the in-flight one
        outcomes["older" if saved_k == done else "in_flight"] += 1
    assert kills >= 12 and total_saves >= 25
    print(f"\n{kills} kills over {total_saves} completed saves: {outcomes}")
