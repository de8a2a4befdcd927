"""F-scores (Keras's ``FBetaScore`` and ``F1Score``): precision and recall per class,
accumulated over batches, combined as ``(1 + b^2) p r / (b^2 p + r)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config
from .._tensor import Tensor, as_array, as_tensor
from .base import METRICS, Metric


@METRICS.register("fbeta_score")
class FBetaScore(Metric):
    """The F-beta score of one-hot (or multi-label) targets against the outputs.

    Args:
        average: None (one score per class), ``"micro"`` (counts pooled over classes),
            ``"macro"`` (the mean of the class scores) or ``"weighted"`` (weighted by
            each class's share of the targets).
        beta: a float > 0; recall weighs beta times as much as precision.
        threshold: an output above it is a positive; None marks the largest output of
            each row (Keras's rule, also for a one-column output).
    """

    default_name = "fbeta_score"

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str | None = "fbeta_score",
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None and (not isinstance(threshold, float)
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError("Invalid `threshold` argument value. It should be a Python float "
                             f"with 0 < threshold <= 1. Received: threshold={threshold!r}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self._direction = "up"
        # Rows: true positives, false positives, false negatives, target sums (per class).
        self._counts: np.ndarray | None = None

    def state_arrays(self) -> list[np.ndarray]:
        return [self._counts] if self._counts is not None else []

    def _build_state(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        if self._counts is None:
            self.update_state(y_true[:0], y_pred[:0])

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        t = np.asarray(as_array(y_true), dtype=np.float64)
        p = np.asarray(as_array(y_pred), dtype=np.float64)
        if t.ndim != 2 or p.ndim != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={p.shape} and "
                             f"y_true.shape={t.shape}.")
        if self._counts is None:
            self._counts = np.zeros((4, p.shape[-1]) if self.average != "micro" else (4,))
        if self.threshold is None:
            positive = (p >= p.max(axis=-1, keepdims=True)) & (np.abs(p) > 1e-9)
        else:
            positive = p > self.threshold
        pred = positive.astype(np.float64)
        w = None if sample_weight is None else np.asarray(as_array(sample_weight),
                                                          dtype=np.float64).reshape(-1, 1)
        axis = 0 if self.average != "micro" else None
        for row, values in enumerate((pred * t, pred * (1 - t), (1 - pred) * t, t)):
            self._counts[row] += (values if w is None else values * w).sum(axis=axis)

    def result(self) -> Tensor:
        if self._counts is None:
            return as_tensor(0.0)
        eps = config.epsilon()
        tp, fp, fn, support = self._counts
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        b2 = self.beta ** 2
        score = precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            return as_tensor(float((score * support / (support.sum() + eps)).sum()))
        if self.average is not None:
            return as_tensor(float(np.mean(score)))
        return as_tensor(score)

    def reset_state(self) -> None:
        if self._counts is not None:
            self._counts[...] = 0

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


@METRICS.register("f1_score")
class F1Score(FBetaScore):
    """:class:`FBetaScore` with beta = 1, the harmonic mean of precision and recall."""

    default_name = "f1_score"

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str | None = "f1_score", dtype: Any = None) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config_ = super().get_config()
        del config_["beta"]
        return config_
