"""Confusion-matrix metrics: TP/FP/TN/FN counts, Precision, Recall, X-at-Y.

AUC (in ``auc.py``) builds on the same counting.

Keras 3's definitions (``keras/src/metrics/confusion_metrics.py``): a prediction is
positive at threshold ``t`` when ``y_pred > t``; a label is positive when non-zero.

Every metric keeps one float64 array of weighted counts, shaped ``(4, T)`` (or
``(4, T, L)`` for a multi-label AUC): true positives, false positives, true
negatives, false negatives at each of the ``T`` thresholds. ``state_arrays()``
returns it, so a data-parallel fit can sum it across processes before
``result()``.

One update is a few NumPy calls whatever ``T`` is: each prediction gets its
*level*, the number of thresholds it is above, and one ``np.bincount`` over the
levels (offset by label column and by the true/false label) gives a histogram
whose reversed cumulative sum is the count above every threshold. Evenly spaced
thresholds (AUC's 200) get the level from Keras's own bucket formula,
``ceil(y_pred * (T - 1)) - 1``, so a prediction lying on a threshold lands where
Keras puts it; other thresholds use ``np.searchsorted`` (the exact ``>``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config
from .._tensor import Tensor, as_array, as_tensor
from ..losses import squeeze_or_expand_to_same_rank
from .base import METRICS, Metric

__all__ = [
    "FalseNegatives",
    "FalsePositives",
    "Precision",
    "PrecisionAtRecall",
    "Recall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "TrueNegatives",
    "TruePositives",
]

#: The threshold used with ``top_k``: predictions outside the top k are set to it.
NEG_INF = -1e10
TP, FP, TN, FN = range(4)


# ------------------------------------------------------------------ helpers
def _divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b``, and 0 where ``b == 0`` (Keras's ``ops.divide_no_nan``)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    return np.divide(a, b, out=np.zeros(a.shape), where=b != 0)


def _parse_thresholds(thresholds: Any, default: float) -> list[float]:
    if thresholds is None:
        return [default]
    values = list(np.ravel(np.asarray(thresholds, dtype=object)))
    invalid = [t for t in values if t is None or not 0 <= t <= 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return [float(t) for t in values]


def _evenly_spaced(thresholds: Any) -> bool:
    """Keras's test for the bucket path: ``[0, 1/(n-1), ..., 1]`` within epsilon."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(np.asarray(thresholds, dtype=np.float64), even,
                            atol=config.epsilon()))


def _filter_top_k(x: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest values of the last axis; set the others to ``NEG_INF``."""
    # A stable sort keeps the first of tied values, as torch.topk does on CPU.
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    out = np.full_like(x, NEG_INF)
    np.put_along_axis(out, idx, np.take_along_axis(x, idx, axis=-1), axis=-1)
    return out


def _line_up(y_true: Any, y_pred: Any, sample_weight: Any, dtype: np.dtype,
             top_k: int | None = None, class_id: int | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Keras's shape rules: ranks, weights, top_k, then class_id."""
    y_pred = np.asarray(as_array(y_pred), dtype=dtype)
    y_true = as_array(y_true)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    sw = None
    if sample_weight is not None:
        # The weights gain a last axis, then lose it again if that lines them up with
        # y_true: (n,) weights weigh rows of (n, k) targets (expand_rank_1=False).
        sw = np.asarray(as_array(sample_weight), dtype=np.float64)[..., None]
        if sw.ndim == y_true.ndim + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if sw is not None:
        try:
            sw = np.broadcast_to(sw, y_pred.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {np.shape(sample_weight)} does not fit y_pred of "
                f"shape {y_pred.shape}.") from None
    return y_true, y_pred, sw


class ThresholdGrid:
    """Thresholds, and for each prediction its *level*: how many thresholds it exceeds.

    Args:
        thresholds: the thresholds, in the order results report them.
        evenly: they are ``[0, 1/(T-1), ..., 1]`` (perhaps with epsilon ends): use
            Keras's bucket formula ``ceil(y_pred * (T - 1))``, so a prediction lying on
            a threshold lands where Keras puts it.
        dtype: the dtype of the comparisons (Keras compares in the metric's dtype).
    """

    def __init__(self, thresholds: Any, evenly: bool, dtype: Any) -> None:
        self.values = np.asarray(thresholds, dtype=dtype)
        self.size = self.values.shape[0]
        self.evenly = evenly
        # With epsilon ends every prediction in [0, 1] is above the first threshold.
        self.lowest_level = 1 if evenly and (self.values[0] < 0.0 or self.values[-1] > 1.0) \
            else 0
        self.inverse = None
        if not evenly:
            order = np.argsort(self.values, kind="stable")
            self.sorted = self.values[order]
            if np.any(order != np.arange(self.size)):
                self.inverse = np.empty_like(order)
                self.inverse[order] = np.arange(self.size)

    def levels(self, y_pred: np.ndarray) -> np.ndarray:
        """The number of thresholds below each prediction (an intp array)."""
        if not self.evenly:
            return np.searchsorted(self.sorted, y_pred, side="left")
        top = self.size - 1
        scaled = y_pred * y_pred.dtype.type(top)
        # Keras clips y_pred to [0, 1] first; fmax/fmin also send NaN to the bottom.
        np.fmax(scaled, self.lowest_level, out=scaled)
        np.fmin(scaled, top, out=scaled)
        return np.ceil(scaled, out=scaled).astype(np.intp)


def add_confusion_counts(counts: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray,
                         weights: np.ndarray | None, grid: ThresholdGrid,
                         multi_label: bool = False) -> None:
    """Add weighted ``[tp, fp, tn, fn]`` at each threshold into ``counts`` (in place).

    Args:
        counts: ``(4, T)``, or ``(4, T, L)`` when ``multi_label``.
        y_true, y_pred, weights: arrays of one shape (``(N, L)`` when multi-label,
            anything otherwise: flattened).
        grid: the thresholds.
        multi_label: keep the last axis as separate labels rather than flattening.
    """
    if y_true.shape != y_pred.shape:
        raise ValueError("y_true and y_pred must have the same shape. Received: "
                         f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    if multi_label:
        if y_pred.ndim != 2:
            raise ValueError(
                "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                f"{y_pred.ndim}. Full shape received for `y_pred`: {y_pred.shape}")
        n_labels = y_pred.shape[1]
    else:
        n_labels = 1
    width = grid.size + 1
    ids = grid.levels(y_pred)
    if multi_label:
        ids += width * np.arange(n_labels)
    # One histogram: [label positive / negative, label column, level].
    ids += (width * n_labels) * (y_true == 0)
    hist = np.bincount(ids.ravel(), None if weights is None else weights.ravel(),
                       minlength=2 * width * n_labels).reshape(2, n_labels, width)
    above = np.cumsum(hist[..., ::-1], axis=-1)[..., ::-1]  # count with level >= j
    exceed = above[..., 1:]  # above threshold j: level > j
    below = above[..., :1] - exceed
    if grid.inverse is not None:
        exceed, below = exceed[..., grid.inverse], below[..., grid.inverse]
    if multi_label:
        counts[:2] += exceed.transpose(0, 2, 1)
        counts[2:] += below[::-1].transpose(0, 2, 1)
    else:
        counts[:2] += exceed[:, 0]
        counts[2:] += below[::-1, 0]


class _ConfusionBase(Metric):
    """Holds the ``(4, T)`` counts and updates them with Keras's shape rules."""

    #: Keras's variables (AUC and the at-constraint metrics keep all four counts).
    variable_rows = (("true_positives", TP), ("false_positives", FP),
                     ("true_negatives", TN), ("false_negatives", FN))

    unique_default_name = True
    top_k: int | None = None
    class_id: int | None = None

    def _init_counts(self, thresholds: list[float] | np.ndarray, evenly: bool,
                     dtype: Any) -> None:
        self._compute_dtype = np.dtype(dtype or config.floatx())
        if self._compute_dtype.kind != "f":
            self._compute_dtype = np.dtype(np.float64)
        self._grid = ThresholdGrid(thresholds, evenly, self._compute_dtype)
        self._counts = np.zeros((4, self._grid.size))

    def state_arrays(self) -> list[np.ndarray]:
        return [self._counts]

    def _update_counts(self, y_true: Any, y_pred: Any, sample_weight: Any,
                       label_weights: np.ndarray | None = None,
                       multi_label: bool = False) -> None:
        y_true, y_pred, sw = _line_up(y_true, y_pred, sample_weight, self._compute_dtype,
                                      self.top_k, self.class_id)
        weights = sw
        if label_weights is not None:
            lw = np.broadcast_to(label_weights, y_pred.shape)
            weights = lw if weights is None else weights * lw
        add_confusion_counts(self._counts, y_true, y_pred, weights, self._grid, multi_label)

    @property
    def true_positives(self) -> np.ndarray:
        """The weighted true positives at each threshold (a view of the state)."""
        return self._counts[TP]

    @property
    def false_positives(self) -> np.ndarray:
        """The weighted false positives at each threshold (a view of the state)."""
        return self._counts[FP]

    @property
    def true_negatives(self) -> np.ndarray:
        """The weighted true negatives at each threshold (a view of the state)."""
        return self._counts[TN]

    @property
    def false_negatives(self) -> np.ndarray:
        """The weighted false negatives at each threshold (a view of the state)."""
        return self._counts[FN]

    def _scalar_or_vector(self, values: np.ndarray) -> Tensor:
        values = np.array(values, dtype=np.float64)
        return as_tensor(values[0] if values.shape == (1,) else values)


# ------------------------------------------------------------------ counts
class _ConditionCount(_ConfusionBase):
    """The weighted count of one confusion-matrix cell at each threshold."""

    _cell = TP

    def __init__(self, thresholds: float | list[float] | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self._init_counts(self.thresholds, _evenly_spaced(self.thresholds), dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's weighted counts (a label is positive when non-zero)."""
        self._update_counts(y_true, y_pred, sample_weight)

    def result(self) -> Tensor:
        """The count: a 0-d array for one threshold, else one value per threshold."""
        return self._scalar_or_vector(self._counts[self._cell])

    @property
    def accumulator(self) -> np.ndarray:
        """Keras's name for this metric's count at each threshold."""
        return self._counts[self._cell]

    @property
    def variable_rows(self) -> tuple[tuple[str, int], ...]:  # type: ignore[override]
        return (("accumulator", self._cell),)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


@METRICS.register()
class TruePositives(_ConditionCount):
    """Weighted count of ``y_true != 0`` and ``y_pred > threshold`` (default 0.5)."""

    default_name = "true_positives"
    _cell = TP


@METRICS.register()
class FalsePositives(_ConditionCount):
    """Weighted count of ``y_true == 0`` and ``y_pred > threshold`` (default 0.5)."""

    default_name = "false_positives"
    _cell = FP


@METRICS.register()
class TrueNegatives(_ConditionCount):
    """Weighted count of ``y_true == 0`` and ``y_pred <= threshold`` (default 0.5)."""

    default_name = "true_negatives"
    _cell = TN


@METRICS.register()
class FalseNegatives(_ConditionCount):
    """Weighted count of ``y_true != 0`` and ``y_pred <= threshold`` (default 0.5)."""

    default_name = "false_negatives"
    _cell = FN


# ------------------------------------------------------------------ precision, recall
class _PrecisionRecall(_ConfusionBase):
    def __init__(self, thresholds: float | list[float] | None = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._init_counts(self.thresholds, _evenly_spaced(self.thresholds), dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's weighted counts (after ``top_k`` and ``class_id``)."""
        self._update_counts(y_true, y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


@METRICS.register()
class Precision(_PrecisionRecall):
    """``tp / (tp + fp)``: how many predicted positives are positive (0 when none are).

    Args:
        thresholds: a float or a list in [0, 1] (default 0.5; with ``top_k``, none).
        top_k: count only the k highest predictions of each row as positive.
        class_id: look at this column only.
    """

    variable_rows = (("true_positives", TP), ("false_positives", FP))

    default_name = "precision"

    def result(self) -> Tensor:
        tp = self._counts[TP]
        return self._scalar_or_vector(_divide_no_nan(tp, tp + self._counts[FP]))


@METRICS.register()
class Recall(_PrecisionRecall):
    """``tp / (tp + fn)``: how many positives are predicted positive (0 when none are).

    Args:
        thresholds: a float or a list in [0, 1] (default 0.5; with ``top_k``, none).
        top_k: count only the k highest predictions of each row as positive.
        class_id: look at this column only.
    """

    variable_rows = (("true_positives", TP), ("false_negatives", FN))

    default_name = "recall"

    def result(self) -> Tensor:
        tp = self._counts[TP]
        return self._scalar_or_vector(_divide_no_nan(tp, tp + self._counts[FN]))


# ------------------------------------------------------------------ X at Y
class _AtConstraint(_ConfusionBase):
    """Best ``dependent`` over the thresholds where ``constrained >= value``."""

    _value_name = "value"

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._value_name}` must be in the range [0, 1]. "
                             f"Received: {self._value_name}={value}")
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        self.value = value
        setattr(self, self._value_name, value)
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            self.thresholds = [0.0] + [(i + 1) * 1.0 / (num_thresholds - 1)
                                       for i in range(num_thresholds - 2)] + [1.0]
        self._init_counts(self.thresholds, num_thresholds > 1, dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's weighted counts at every threshold."""
        self._update_counts(y_true, y_pred, sample_weight)

    def _rates(self) -> dict[str, np.ndarray]:
        tp, fp, tn, fn = self._counts
        return {"recall": _divide_no_nan(tp, tp + fn),
                "precision": _divide_no_nan(tp, tp + fp),
                "specificity": _divide_no_nan(tn, tn + fp)}

    def _best(self, constrained: np.ndarray, dependent: np.ndarray) -> Tensor:
        feasible = constrained >= self.value
        return as_tensor(np.max(np.where(feasible, dependent, 0.0), initial=0.0))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._value_name: self.value}


@METRICS.register()
class PrecisionAtRecall(_AtConstraint):
    """The best precision over the thresholds where recall ``>= recall``."""

    default_name = "precision_at_recall"
    _value_name = "recall"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self) -> Tensor:
        r = self._rates()
        return self._best(r["recall"], r["precision"])


@METRICS.register()
class RecallAtPrecision(_AtConstraint):
    """The best recall over the thresholds where precision ``>= precision``."""

    default_name = "recall_at_precision"
    _value_name = "precision"

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self) -> Tensor:
        r = self._rates()
        return self._best(r["precision"], r["recall"])


@METRICS.register()
class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) where specificity ``>= specificity``."""

    default_name = "sensitivity_at_specificity"
    _value_name = "specificity"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self) -> Tensor:
        r = self._rates()
        return self._best(r["specificity"], r["recall"])


@METRICS.register()
class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity where sensitivity (recall) ``>= sensitivity``."""

    default_name = "specificity_at_sensitivity"
    _value_name = "sensitivity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self) -> Tensor:
        r = self._rates()
        return self._best(r["recall"], r["specificity"])
