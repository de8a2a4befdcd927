"""History: the per-epoch logs of ``fit``, returned to the user."""

from __future__ import annotations

from typing import Any

from .base import Callback


class History(Callback):
    """Records ``logs`` at each epoch end in ``history[key]``; ``epoch`` lists the epochs."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self
