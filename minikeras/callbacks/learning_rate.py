"""Callbacks that change the optimizer's learning rate between epochs (Keras 3).

Both log the rate in use as ``logs["learning_rate"]`` at each epoch end, so
``History`` records it after the sorted metric keys.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .base import Callback, print_msg
from .monitor import MonitorCallback


def _current_lr(optimizer: Any) -> float:
    return float(np.asarray(optimizer.learning_rate))


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    Args:
        monitor: the log key to watch.
        factor: ``new_lr = lr * factor`` (must be < 1).
        patience: epochs without improvement before reducing.
        verbose: 1 prints each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        min_delta: a change smaller than this is no improvement.
        cooldown: epochs after a reduction during which nothing is counted.
        min_lr: the rate never goes below this.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs: Any) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor}")
        if kwargs:
            # Keras 3 swallows unknown arguments silently (tf.keras 2 read `epsilon` as
            # `min_delta`); we ignore them too, so results stay Keras 3's, but say so.
            hint = " Pass `min_delta` instead of `epsilon`." if "epsilon" in kwargs else ""
            warnings.warn(f"ReduceLROnPlateau ignores the argument(s) {sorted(kwargs)}, as "
                          f"Keras 3 does.{hint}", stacklevel=2)
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        """True while epochs are not being counted after a reduction."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def _reduce_lr(self, epoch: int) -> bool:
        optimizer = self.model.optimizer
        old_lr = _current_lr(optimizer)
        # Keras compares against min_lr rounded to float32: at min_lr exactly, a
        # float64 rate still "reduces" (to min_lr) and prints the message again.
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                          f"{new_lr}.")
            return True
        return False

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = {} if logs is None else logs
        logs["learning_rate"] = _current_lr(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          "which is not available. Available metrics are: "
                          f"{','.join(list(logs.keys()))}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce_lr(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Real):
        return True
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that is not array-like is not a rate
        return False
    return arr.ndim == 0 and arr.dtype.kind in "fiu"


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch start to ``schedule(epoch, lr)``.

    Args:
        schedule: ``schedule(epoch, lr) -> new_lr`` (``epoch`` counts from 0);
            the older ``schedule(epoch)`` form works too.
        verbose: 1 prints the rate set at each epoch.
    """

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update_lr(self, epoch: int) -> Any:
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, _current_lr(optimizer))
        except TypeError:  # the one-argument form (Keras does the same)
            learning_rate = self.schedule(epoch)
        # Keras accepts only float types; any real scalar (an int, a 0-d array,
        # a value with .numpy()) is a rate just as well.
        if hasattr(learning_rate, "numpy") and not isinstance(learning_rate, np.ndarray):
            learning_rate = learning_rate.numpy()
        if not _is_number(learning_rate):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {learning_rate}")
        optimizer.learning_rate = float(learning_rate)
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        learning_rate = self._update_lr(epoch)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                      f"{learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_lr(self.model.optimizer)
