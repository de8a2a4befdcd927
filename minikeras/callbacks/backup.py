"""BackupAndRestore: resume an interrupted ``fit`` where it stopped (Keras 3 semantics).

At each epoch end (or every ``save_freq`` batches) the callback writes one
checkpoint file into ``backup_dir``: the weights, the optimizer state, every
random generator's state and the epoch count, in one atomic write (Keras
writes the weights and the epoch number as two files, which a crash between
the two leaves out of step). When ``fit`` starts and a checkpoint exists, the
model is restored from it and training continues at the saved epoch; with
epoch checkpoints the resumed run equals the uninterrupted one bit for bit.
A successful ``fit`` deletes the folder (``delete_checkpoint=True``).
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from .base import Callback, implemented_by


class BackupAndRestore(Callback):
    """Back up the training state in ``backup_dir``; restore it when ``fit`` restarts.

    Args:
        backup_dir: a folder used only by this callback (it is deleted at the
            end of a successful fit when ``delete_checkpoint`` is True).
        save_freq: ``"epoch"`` (at each epoch end) or an integer (every that
            many batches; a resumed run then repeats the interrupted epoch from
            its first batch, with the weights of the last backup, as Keras does).
        double_checkpoint: keep the previous checkpoint too, and fall back to it
            if the latest cannot be read.
        delete_checkpoint: delete ``backup_dir`` when fit ends normally.
    """

    def __init__(self, backup_dir: Any, save_freq: Any = "epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq <= 0):
            raise ValueError("Invalid value for argument `save_freq`. "
                             f"Received: save_freq={save_freq}. "
                             "Expected either 'epoch' or an integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._path = os.path.join(self.backup_dir, "latest.checkpoint")
        self._prev_path = self._path + ".bkp"
        self._current_epoch = 0
        self._batches_since_save = 0
        self._last_batch_seen = 0

    def on_train_begin(self, logs: Any = None) -> None:
        from ..saving import read_training_state

        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, you model must be built "
                             f"before you call `fit()`. Model {self.model} is unbuilt. You can "
                             "build it beforehand by calling it on a batch of data.")
        self._batches_since_save = 0
        self._last_batch_seen = 0
        if not os.path.exists(self._path):
            return
        try:
            training = read_training_state(self.model, self._path)
        except (OSError, ValueError):
            if not (self.double_checkpoint and os.path.exists(self._prev_path)):
                raise
            training = read_training_state(self.model, self._prev_path)
        epoch = int(training.get("epoch", 0))
        self._current_epoch = epoch
        self.model._initial_epoch = epoch  # the fit loop starts there (Keras 3's hook)

    def _listens_to(self, hook: str) -> bool:
        # Epoch backups need no per-batch call (unless a subclass replaced the hook).
        if hook == "on_train_batch_end" and implemented_by(self, hook, BackupAndRestore):
            return self.save_freq != "epoch"
        return super()._listens_to(hook)

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if self.save_freq == "epoch":
            return
        # Count batches across epochs, as Keras does (batch indexes restart each epoch).
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_since_save += added
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(batch)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save(0)

    def on_train_end(self, logs: Any = None) -> None:
        from .. import distribution

        # Data-parallel: only rank 0 touches the files, or another rank could delete
        # the folder while rank 0 writes the last backup.
        if self.delete_checkpoint and distribution.is_chief() \
                and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)

    def _save(self, batch: int) -> None:
        from .. import distribution
        from ..saving import atomic_copy, write_training_state

        # Every rank enters the save (a sharded optimizer gathers its slots there);
        # only rank 0 touches the files.
        if distribution.is_chief():
            os.makedirs(self.backup_dir, exist_ok=True)
            if self.double_checkpoint and os.path.exists(self._path):
                atomic_copy(self._path, self._prev_path)
        write_training_state(self.model, self._path,
                             {"epoch": self._current_epoch, "batch": batch})
