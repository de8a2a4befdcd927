"""Loss-style metrics (the mean of a loss's per-sample values) and RMSE."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import losses as L
from .._tensor import Tensor, as_array, as_tensor
from .base import METRICS, Mean, MeanMetricWrapper, Metric


class LossMetric(MeanMetricWrapper):
    """The mean of ``loss_class``'s per-sample values (times ``sign``)."""

    loss_class: type[L.Loss] = L.MeanSquaredError
    sign = 1.0

    def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(None, name=name or self.default_name, dtype=dtype)
        self._loss = self.loss_class(**kwargs)
        self._config = kwargs

    def fn(self, y_true: Any, y_pred: Any) -> np.ndarray:
        t, p = self._loss.prepare(y_true, y_pred)
        values = self._loss.call(t, p)
        return values if self.sign == 1.0 else self.sign * values

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._config}


def _loss_metric(cls_name: str, loss_cls: type[L.Loss], default_name: str, *names: str,
                 sign: float = 1.0) -> type[LossMetric]:
    cls = type(cls_name, (LossMetric,), {
        "loss_class": loss_cls, "default_name": default_name, "sign": sign,
        "__doc__": f"The mean of {loss_cls.__name__}'s per-sample values.",
        "__module__": __name__})
    METRICS.add(cls, *names)
    return cls


MeanSquaredError = _loss_metric("MeanSquaredError", L.MeanSquaredError, "mean_squared_error",
                                "mean_squared_error", "mse", "MSE")
MeanAbsoluteError = _loss_metric("MeanAbsoluteError", L.MeanAbsoluteError,
                                 "mean_absolute_error", "mean_absolute_error", "mae", "MAE")
MeanAbsolutePercentageError = _loss_metric(
    "MeanAbsolutePercentageError", L.MeanAbsolutePercentageError,
    "mean_absolute_percentage_error", "mean_absolute_percentage_error", "mape", "MAPE")
MeanSquaredLogarithmicError = _loss_metric(
    "MeanSquaredLogarithmicError", L.MeanSquaredLogarithmicError,
    "mean_squared_logarithmic_error", "mean_squared_logarithmic_error", "msle", "MSLE")
BinaryCrossentropy = _loss_metric("BinaryCrossentropy", L.BinaryCrossentropy,
                                  "binary_crossentropy", "binary_crossentropy", "bce")
CategoricalCrossentropy = _loss_metric("CategoricalCrossentropy", L.CategoricalCrossentropy,
                                       "categorical_crossentropy", "categorical_crossentropy")
SparseCategoricalCrossentropy = _loss_metric(
    "SparseCategoricalCrossentropy", L.SparseCategoricalCrossentropy,
    "sparse_categorical_crossentropy", "sparse_categorical_crossentropy")
BinaryFocalCrossentropy = _loss_metric(
    "BinaryFocalCrossentropy", L.BinaryFocalCrossentropy, "binary_focal_crossentropy",
    "binary_focal_crossentropy")
# Keras has only the function; compile(metrics=["categorical_focal_crossentropy"]) means it.
CategoricalFocalCrossentropy = _loss_metric(
    "CategoricalFocalCrossentropy", L.CategoricalFocalCrossentropy,
    "categorical_focal_crossentropy", "categorical_focal_crossentropy")
Hinge = _loss_metric("Hinge", L.Hinge, "hinge", "hinge")
SquaredHinge = _loss_metric("SquaredHinge", L.SquaredHinge, "squared_hinge", "squared_hinge")
CategoricalHinge = _loss_metric("CategoricalHinge", L.CategoricalHinge, "categorical_hinge",
                                "categorical_hinge")
KLDivergence = _loss_metric("KLDivergence", L.KLDivergence, "kl_divergence", "kl_divergence",
                            "kld", "KLD")
Poisson = _loss_metric("Poisson", L.Poisson, "poisson", "poisson")
LogCoshError = _loss_metric("LogCoshError", L.LogCosh, "logcosh", "log_cosh", "logcosh")
Huber = _loss_metric("Huber", L.Huber, "huber", "huber")
# Keras's metric is +cos; the loss of the same name is -cos.
CosineSimilarity = _loss_metric("CosineSimilarity", L.CosineSimilarity, "cosine_similarity",
                                "cosine_similarity", sign=-1.0)


@METRICS.register("root_mean_squared_error", "rmse")
class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_true - y_pred) ** 2))`` over everything seen."""

    default_name = "root_mean_squared_error"

    def __init__(self, name: str | None = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._loss = L.MeanSquaredError()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        t, p = self._loss.prepare(y_true, y_pred)
        d = t - p
        super().update_state(d * d, sample_weight)

    def result(self) -> Tensor:
        return as_tensor(math.sqrt(float(super().result())))


@METRICS.register("r2_score")
class R2Score(Metric):
    """The coefficient of determination, ``1 - SS_res / SS_tot``, over everything seen.

    Args:
        class_aggregation: over the outputs: ``"uniform_average"`` (default),
            ``"variance_weighted_average"``, or None (one score per output).
        num_regressors: > 0 gives the adjusted R^2 for that many predictors.
    """

    default_name = "r2_score"

    def __init__(self, class_aggregation: str | None = "uniform_average",
                 num_regressors: int = 0, name: str | None = "r2_score",
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self._direction = "up"
        self._samples = np.zeros(1)
        # Per output: sum of w*y, of w*y^2, of w*(y - y_pred)^2, and of w; made on first use.
        self._sums: np.ndarray | None = None

    def state_arrays(self) -> list[np.ndarray]:
        return [self._samples] + ([self._sums] if self._sums is not None else [])

    def _build_state(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        if self._sums is None:
            self.update_state(y_true[:0], y_pred[:0])

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        t = np.asarray(as_array(y_true), dtype=np.float64)
        p = np.asarray(as_array(y_pred), dtype=np.float64)
        t, p = L.squeeze_or_expand_to_same_rank(t, p)
        if t.ndim != 2 or p.ndim != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={p.shape} and "
                             f"y_true.shape={t.shape}.")
        if self._sums is None:
            self._sums = np.zeros((4, p.shape[-1]))
        w = np.ones(()) if sample_weight is None else np.asarray(as_array(sample_weight),
                                                                 dtype=np.float64)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, t.shape)
        wt = t * w
        self._sums += [wt.sum(axis=0), (t * wt).sum(axis=0),
                       ((t - p) ** 2 * w).sum(axis=0), w.sum(axis=0)]
        self._samples += t.size

    def result(self) -> Tensor:
        if self._sums is None:
            return as_tensor(0.0)
        total, squared, residual, count = self._sums
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = total / count
            spread = squared - total * mean
            raw = 1.0 - residual / spread
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (spread * raw).sum() / spread.sum()
        else:
            score = raw  # one score per output (adjusted below too, as Keras)
        n, k = float(self._samples[0]), self.num_regressors
        if k:
            if k > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif k == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - k - 1.0)
        return as_tensor(float(score) if np.ndim(score) == 0 else score)

    def reset_state(self) -> None:
        self._samples[...] = 0
        if self._sums is not None:
            self._sums[...] = 0

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


def _register_loss_names() -> None:
    """Any loss name is a metric name: the mean of that loss's per-sample values."""
    by_loss = {cls.loss_class: cls for cls in LossMetric.__subclasses__()}
    by_loss[L.CosineSimilarity] = None  # Keras's metric is +cos: only its own names
    for name in (*L.LOSSES.names(), *(loss.__name__ for loss in by_loss if loss)):
        metric = by_loss.get(L.LOSSES.lookup(name))
        if metric is not None and name not in METRICS:
            METRICS.add(metric, name, public=False)


_register_loss_names()
