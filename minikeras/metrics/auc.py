"""AUC: the area under the ROC or precision-recall curve, from confusion counts.

Keras 3's definition (``keras/src/metrics/confusion_metrics.py``): counts at
``num_thresholds`` thresholds (``-eps, 1/(n-1), ..., 1+eps``), then a Riemann sum
over the curve they trace, or for PR with interpolation, Davis & Goadrich's
interpolation of the counts. The counts (``(4, T)``, or ``(4, T, L)`` with
``multi_label``) are the state that ``state_arrays()`` returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config
from .._tensor import Tensor, as_array, as_tensor
from ..activations import sigmoid
from .base import METRICS
from .confusion import _ConfusionBase, _divide_no_nan, _evenly_spaced

__all__ = ["AUC"]

# The spellings Keras accepts.
_CURVES = {"ROC": "ROC", "roc": "ROC", "PR": "PR", "pr": "PR", "PRGAIN": "PRGAIN",
           "prgain": "PRGAIN"}
_SUMMATIONS = {s: s.lower() for s in ("interpolation", "Interpolation", "majoring",
                                      "Majoring", "minoring", "Minoring")}


@METRICS.register()
class AUC(_ConfusionBase):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds.

    Args:
        num_thresholds: thresholds ``-eps, 1/(n-1), ..., (n-2)/(n-1), 1+eps`` (200).
        curve: ``"ROC"`` (recall over false-positive rate) or ``"PR"`` (precision over
            recall); ``"PRGAIN"`` as Keras.
        summation_method: ``"interpolation"`` (trapezoids; for PR, Davis & Goadrich's
            interpolation of the counts), ``"minoring"`` or ``"majoring"``.
        thresholds: explicit thresholds in (0, 1) instead of ``num_thresholds``.
        multi_label: one curve per column of ``y_pred``, their AUCs averaged
            (weighted by ``label_weights``); otherwise all values form one curve.
        num_labels: the number of columns, to build before the first update.
        label_weights: a weight per column.
        from_logits: apply a sigmoid to ``y_pred`` first.
    """

    default_name = "auc"

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: list[float] | None = None,
                 multi_label: bool = False, num_labels: int | None = None,
                 label_weights: Any = None, from_logits: bool = False) -> None:
        curve_value = _CURVES.get(str(getattr(curve, "value", curve)))
        if curve_value is None:
            raise ValueError(f'Invalid AUC curve value: "{curve}". '
                             'Expected values are ["PR", "ROC", "PRGAIN"]')
        summation = _SUMMATIONS.get(str(getattr(summation_method, "value", summation_method)))
        if summation is None:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
            evenly = _evenly_spaced([0.0] + inner + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            evenly = True
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        super().__init__(name=name, dtype=dtype)
        self.curve = curve_value
        self.summation_method = summation
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            np.asarray(label_weights, dtype=np.float64)
        self._from_logits = bool(from_logits)
        # Endpoints just outside [0, 1] catch predictions of exactly 0 and 1.
        eps = config.epsilon()
        self._thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self._init_counts(self._thresholds, evenly, dtype)
        self._built = not self.multi_label or bool(num_labels)
        if self.multi_label:
            self._counts = np.zeros((4, self.num_thresholds, num_labels or 0))

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, endpoints included."""
        return list(self._thresholds)

    @property
    def from_logits(self) -> bool:
        """Whether a sigmoid is applied to ``y_pred`` first."""
        return self._from_logits

    def state_arrays(self) -> list[np.ndarray]:
        return [self._counts] if self._built else []

    def _build_state(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        if not self._built:
            self.update_state(y_true[:0], y_pred[:0])

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's weighted counts at every threshold."""
        y_pred = np.asarray(as_array(y_pred), dtype=self._compute_dtype)
        if not self._built:
            if y_pred.ndim != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                    f"{y_pred.ndim}. Full shape received for `y_pred`: {y_pred.shape}")
            self._counts = np.zeros((4, self.num_thresholds, y_pred.shape[1]))
            self._built = True
        if self.multi_label and y_pred.shape[-1:] != self._counts.shape[2:]:
            raise ValueError(f"AUC was built for {self._counts.shape[2]} labels; received "
                             f"y_pred of shape {y_pred.shape}.")
        if self._from_logits:
            y_pred = sigmoid.forward(y_pred)
        # With multi_label, label_weights only weigh the per-label AUCs in result().
        self._update_counts(y_true, y_pred, sample_weight,
                            None if self.multi_label else self.label_weights,
                            multi_label=self.multi_label)

    def reset_state(self) -> None:
        self._counts[...] = 0.0

    def _average(self, per_threshold: np.ndarray) -> float:
        if not self.multi_label:
            return float(per_threshold.sum())
        by_label = per_threshold.sum(axis=0)
        if self.label_weights is None:
            return float(by_label.mean())
        return float(_divide_no_nan((by_label * self.label_weights).sum(),
                                    self.label_weights.sum()))

    def interpolate_pr_auc(self) -> Tensor:
        """PR AUC by interpolating the counts between thresholds (Davis & Goadrich, 2006).

        Between two thresholds, precision is ``(tp) / (p)`` with tp linear in the number
        of predicted positives p; its integral over recall is
        ``slope * (dtp + intercept * log(p_i / p_{i+1})) / (tp + fn)``.
        """
        tp, fp, _, fn = self._counts
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0.0)), 1.0)
        increments = _divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                                    np.maximum(tp[1:] + fn[1:], 0.0))
        return as_tensor(self._average(increments))

    def result(self) -> Tensor:
        """The area under the curve (for multi-label, the average over the labels)."""
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp, tn, fn = self._counts
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:  # PRGAIN, with Keras's fixes for no true positives and negative gains
            scale = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * _divide_no_nan(fn, tp))
            precision_gain = np.where(tp == 0, 1.0, 1.0 - scale * _divide_no_nan(fp, tp))
            x, y = np.maximum(recall_gain, 0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return as_tensor(self._average((x[:-1] - x[1:]) * heights))

    def get_config(self) -> dict[str, Any]:
        config_ = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None
            else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config_["thresholds"] = self.thresholds[1:-1]
        return config_
