"""Loss-style metrics (the mean of a loss's per-sample values) and RMSE."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import losses as L
from .._tensor import Tensor, as_tensor
from .base import METRICS, Mean, MeanMetricWrapper


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


def _register_loss_names() -> None:
    """Any loss name is a metric name: the mean of that loss's per-sample values."""
    by_loss = {cls.loss_class: cls for cls in LossMetric.__subclasses__()}
    by_loss[L.CosineSimilarity] = None  # Keras's metric is +cos: only its own names
    for name in (*L.LOSSES.names(), *(loss.__name__ for loss in by_loss if loss)):
        metric = by_loss.get(L.LOSSES.lookup(name))
        if metric is not None and name not in METRICS:
            METRICS.add(metric, name, public=False)


_register_loss_names()
