"""ModelCheckpoint: save the model (or its weights) during training (Keras 3).

This module decides when to save and to which path; the writing itself is
``model.save`` / ``model.save_weights`` (atomic, in ``minikeras.saving``).
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from .base import implemented_by, print_msg
from .monitor import MonitorCallback


class ModelCheckpoint(MonitorCallback):
    """Save after every epoch, every ``save_freq`` batches, or only on improvement.

    Args:
        filepath: where to save; a template filled with ``epoch`` (from 1),
            ``batch`` (from 1, batch-level saves) and the log keys, e.g.
            ``"ckpt/{epoch:02d}-{val_loss:.2f}.keras"``. Any file name is
            accepted (Keras 3 insists on ``.keras``/``.h5``, or
            ``.weights.h5`` with ``save_weights_only``).
        monitor: the log key that ``save_best_only`` watches.
        verbose: 1 prints Keras's messages.
        save_best_only: save only when ``monitor`` improves.
        save_weights_only: ``model.save_weights`` instead of ``model.save``.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        save_freq: ``"epoch"``, or an integer number of batches.
        initial_value_threshold: the best value to beat at the start.
    """

    def __init__(self, filepath: Any, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: Any = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        if save_freq != "epoch" and (isinstance(save_freq, bool)
                                     or not isinstance(save_freq, (int, np.integer))):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             "'epoch' or integer values")
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0

    def _listens_to(self, hook: str) -> bool:
        # Batch-level saving is off with save_freq="epoch": skip the per-batch call
        # (unless a subclass replaced the hook for its own use).
        if hook == "on_train_batch_end" and implemented_by(self, hook, ModelCheckpoint):
            return self.save_freq != "epoch"
        return super()._listens_to(hook)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch: batches count from 0
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch: int, logs: Any, filepath: str) -> bool:
        logs = logs or {}
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=2)
            return True
        if isinstance(current, np.ndarray) and current.ndim > 0:
            warnings.warn("Can save best model only when `monitor` is a scalar value. "
                          f"Received: {current}. Falling back to `save_best_only=False`.",
                          stacklevel=2)
            return True
        if self.monitor_op is None:
            # The direction is needed only here, once the model's metrics exist.
            self._set_monitor_op()
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                          f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: Any) -> None:
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise OSError("Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory: {filepath}")
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch: int, batch: int | None, logs: Any) -> str:
        """``filepath`` with its placeholders filled (epoch and batch count from 1)."""
        logs = dict(logs or {})
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e}") from None
