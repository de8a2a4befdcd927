"""Exact resume: an interrupted and resumed fit equals the uninterrupted one, bit for bit.

``fit(epochs=3)``, save, load in a new process, ``fit(epochs=6, initial_epoch=3)``
gives the same weights, optimizer state and history as ``fit(epochs=6)``, with
shuffling, a validation split, dropout, Gaussian noise and batch
normalization on (the saved RNG states make the shuffles and masks repeat).
``BackupAndRestore`` does the same for a fit that crashed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import minikeras as mk
from tests.saving_helpers.models import (
    assert_same_bits,
    data,
    resume_model,
    training_state,
)
from tests.saving_helpers.resume_child import FIT

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _child(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.saving_helpers.resume_child", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def _reference(seed: int) -> tuple[dict[str, np.ndarray], dict[str, list[float]]]:
    x, y = data(seed)
    model = resume_model(seed)
    history = model.fit(x, y, epochs=6, **FIT).history
    return training_state(model), history


def _read(prefix: str) -> tuple[dict[str, np.ndarray], dict[str, list[float]]]:
    with np.load(prefix + ".npz", allow_pickle=False) as f:
        state = {k: f[k] for k in f.files}
    with open(prefix + ".json") as f:
        return state, json.load(f)


@pytest.mark.parametrize("floatx", ["float32", "float64"])
def test_resume_in_a_new_process_is_bit_exact(tmp_path, floatx):
    seed = 7
    mk.config.set_floatx(floatx)
    x, y = data(seed)
    model = resume_model(seed)
    first = model.fit(x, y, epochs=3, **FIT).history
    model.save(tmp_path / "epoch3.keras")
    done = _child("load", str(tmp_path / "epoch3.keras"), str(tmp_path / "out"), str(seed),
                  floatx)
    assert done.returncode == 0, done.stderr
    state, second = _read(str(tmp_path / "out"))

    ref_state, ref_history = _reference(seed)
    assert_same_bits(state, ref_state)
    assert {k: first[k] + second[k] for k in first} == ref_history
    assert list(ref_history) == list(second)  # same keys, same order
    # The run is not trivially repeatable: without the saved RNG streams it differs.
    fresh = resume_model(seed + 1)
    fresh.set_weights(mk.models.load_model(tmp_path / "epoch3.keras").get_weights())
    assert fresh.fit(x, y, epochs=1, **FIT).history["loss"] != second["loss"][:1]


def test_backup_and_restore_after_an_exception(tmp_path):
    seed = 3
    x, y = data(seed)
    backup = tmp_path / "backup"

    class Interrupt(mk.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 4:
                raise RuntimeError("Interrupting!")

    model = resume_model(seed)
    with pytest.raises(RuntimeError, match="Interrupting"):
        model.fit(x, y, epochs=6, callbacks=[mk.callbacks.BackupAndRestore(backup),
                                             Interrupt()], **FIT)
    assert os.listdir(backup) == ["latest.checkpoint"]
    # A fresh model of the same architecture resumes at epoch 4.
    resumed = resume_model(seed + 100)
    history = resumed.fit(x, y, epochs=6, callbacks=[mk.callbacks.BackupAndRestore(backup)],
                          **FIT)
    assert history.epoch == [4, 5]
    ref_state, ref_history = _reference(seed)
    assert_same_bits(training_state(resumed), ref_state)
    assert history.history == {k: v[4:] for k, v in ref_history.items()}
    assert not backup.exists()  # deleted after the successful end
    # The next fit starts from epoch 0 again (nothing left to restore).
    assert resumed.fit(x, y, epochs=1, callbacks=[mk.callbacks.BackupAndRestore(backup)],
                       **FIT).epoch == [0]


def test_backup_and_restore_after_sigkill(tmp_path):
    seed = 11
    backup = tmp_path / "backup"
    done = _child("crash", str(backup), str(tmp_path / "out"), str(seed), "float32")
    assert done.returncode == -9, (done.returncode, done.stderr)
    x, y = data(seed)
    resumed = resume_model(seed)
    history = resumed.fit(x, y, epochs=6, callbacks=[mk.callbacks.BackupAndRestore(backup)],
                          **FIT)
    assert history.epoch == [4, 5]
    ref_state, ref_history = _reference(seed)
    assert_same_bits(training_state(resumed), ref_state)
    assert history.history == {k: v[4:] for k, v in ref_history.items()}


def test_batch_level_backups(tmp_path):
    seed = 5
    x, y = data(seed)  # 72 training rows after the split: 5 batches of 16 per epoch
    backup = tmp_path / "b"
    saved = []

    class Watch(mk.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            path = backup / "latest.checkpoint"
            if path.exists():
                saved.append(path.stat().st_mtime_ns)
            if self.model._epoch_now == 2 and batch == 3:
                raise KeyboardInterrupt

        def on_epoch_begin(self, epoch, logs=None):
            self.model._epoch_now = epoch

    model = resume_model(seed)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=5, callbacks=[
            mk.callbacks.BackupAndRestore(backup, save_freq=2, delete_checkpoint=False),
            Watch()], **FIT)
    assert len(set(saved)) >= 4
    training = mk.saving.read_training_state(resume_model(seed), backup / "latest.checkpoint")
    assert training["epoch"] == 2  # saved inside epoch 2: that epoch is repeated
    resumed = resume_model(seed)
    history = resumed.fit(x, y, epochs=5, callbacks=[
        mk.callbacks.BackupAndRestore(backup, save_freq=2, delete_checkpoint=False)], **FIT)
    assert history.epoch == [2, 3, 4]
    assert backup.exists()  # delete_checkpoint=False


def test_double_checkpoint_falls_back(tmp_path):
    seed = 2
    x, y = data(seed)
    backup = tmp_path / "b"
    cb = mk.callbacks.BackupAndRestore(backup, double_checkpoint=True, delete_checkpoint=False)
    model = resume_model(seed)
    model.fit(x, y, epochs=3, callbacks=[cb], **FIT)
    assert sorted(os.listdir(backup)) == ["latest.checkpoint", "latest.checkpoint.bkp"]
    (backup / "latest.checkpoint").write_bytes(b"PK\x03\x04 torn")
    resumed = resume_model(seed)
    history = resumed.fit(x, y, epochs=4, callbacks=[
        mk.callbacks.BackupAndRestore(backup, double_checkpoint=True)], **FIT)
    assert history.epoch == [2, 3]  # the previous backup (after epoch 2) was used
    # Without the fallback, the torn file is a clear error naming it.
    model.fit(x, y, epochs=1, callbacks=[cb], **FIT)
    (backup / "latest.checkpoint").write_bytes(b"PK\x03\x04 torn")
    with pytest.raises(ValueError, match="latest.checkpoint"):
        resume_model(seed).fit(x, y, epochs=2, callbacks=[
            mk.callbacks.BackupAndRestore(backup)], **FIT)


def test_backup_and_restore_arguments():
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        mk.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        mk.callbacks.BackupAndRestore("b", save_freq="batch")
    model = mk.Sequential([mk.layers.Dense(1)])
    model.compile("sgd", "mse")
    cb = mk.callbacks.BackupAndRestore("never_written")
    cb.set_model(model)
    with pytest.raises(ValueError, match="must be built"):
        cb.on_train_begin()
