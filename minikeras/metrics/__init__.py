"""Metrics (``mk.metrics``): stateful objects with Keras's names."""

from __future__ import annotations

import re
from typing import Any

from .. import config as _config
from ..losses import (  # Keras exports the per-sample functions here too
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from .accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    resolve_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from .auc import AUC
from .base import METRICS, Mean, MeanMetricWrapper, Metric, Sum
from .confusion import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from .f_score import F1Score, FBetaScore
from .regression import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCoshError,
    LossMetric,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    R2Score,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
METRICS.add_snake_case_names()


def get(identifier: Any) -> Metric | None:
    """Resolve a name (logged as written), a class, an instance, a config or a function.

    Unknown names raise a ValueError with the closest known name. ``None`` gives None.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        entry = METRICS.lookup(identifier)
        metric = METRICS.get(identifier)
        if isinstance(entry, type):
            metric.name = identifier
        return metric
    if isinstance(identifier, (dict, type)):
        return METRICS.get(identifier)
    if callable(identifier):
        # Keras's get_object_name: a loss object's `name`, a function's snake-cased name.
        name = getattr(identifier, "name", None)
        if not isinstance(name, str):
            name = _config.to_snake_case(re.sub(r"\W+", "", getattr(identifier, "__name__", None)
                                                or type(identifier).__name__))
        return MeanMetricWrapper(identifier, name=name)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def serialize(metric: Metric) -> dict[str, Any]:
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    from ..saving import serialize_keras_object

    return serialize_keras_object(metric)


def deserialize(config: dict[str, Any]) -> Metric:
    """The metric that :func:`serialize` described."""
    return METRICS.from_config_dict(config)
