"""MonitorCallback: the "did the monitored value improve?" rule shared by
EarlyStopping, ReduceLROnPlateau and ModelCheckpoint (Keras 3's base class).

An improvement is ``current - min_delta > best`` when maximising and
``current + min_delta < best`` when minimising; ``mode="auto"`` minimises
``loss``/``val_loss`` and otherwise asks the model's metric of that name
which way it improves.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

from .base import Callback


def _metric_classes(*names: str) -> tuple[type, ...]:
    from .. import metrics

    found = (getattr(metrics, name, None) for name in names)
    return tuple(cls for cls in found if isinstance(cls, type))


def metric_direction(metric: Any) -> str | None:
    """``"up"``, ``"down"`` or None (unknown) for a metric object, as Keras's ``_direction``.

    A metric's own ``_direction`` wins; otherwise a type table gives Keras 3's
    answer: accuracies, precision, recall, AUC, cosine similarity and R² go up,
    loss-style metrics and RMSE go down; confusion counts have no direction.
    """
    direction = getattr(metric, "_direction", None)
    if direction in ("up", "down"):
        return direction
    up = _metric_classes(
        "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
        "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Precision", "Recall",
        "AUC", "CosineSimilarity", "R2Score", "F1Score", "FBetaScore", "PrecisionAtRecall",
        "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity")
    if up and isinstance(metric, up):
        return "up"
    down = _metric_classes("LossMetric", "RootMeanSquaredError")
    if down and isinstance(metric, down):
        return "down"
    return None


class MonitorCallback(Callback):
    """Base class of the callbacks that watch one logged value.

    Args:
        monitor: the log key to watch.
        mode: ``"auto"``, ``"min"`` or ``"max"`` (an unknown mode warns and
            falls back to ``"auto"``).
        baseline: the initial best value (None: the first value seen).
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline: Any = None,
                 min_delta: float = 0) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Any = None

    def _set_monitor_op(self) -> None:
        """Pick ``<`` or ``>`` once the model's metrics exist (the first epoch end)."""
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = operator.lt
            for metric in getattr(self.model, "metrics", None) or []:
                if getattr(metric, "name", None) == name:
                    direction = metric_direction(metric)
                    if direction == "up":
                        self.monitor_op = operator.gt
                    elif direction == "down":
                        self.monitor_op = operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should "
                    "be maximized or minimized. Pass `mode='max'` in order to monitor based "
                    "on the highest metric value, or pass `mode='min'` in order to use the "
                    "lowest value.")
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value: Any, reference_value: Any) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
