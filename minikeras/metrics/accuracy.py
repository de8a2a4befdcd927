"""Accuracy metrics: binary, categorical, sparse categorical, top-k."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, as_array
from ..config import floatx
from ..losses import squeeze_or_expand_to_same_rank
from .base import METRICS, MeanMetricWrapper


def _arr(x: Any) -> np.ndarray:
    return as_array(x)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """1.0 where ``(y_pred > threshold) == y_true``, elementwise."""
    t, p = squeeze_or_expand_to_same_rank(_arr(y_true), _arr(y_pred))
    return (t == (p > threshold)).astype(floatx()).view(Tensor)


def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where the argmax of y_pred equals the argmax of the one-hot y_true."""
    t, p = _arr(y_true), _arr(y_pred)
    return (t.argmax(axis=-1) == p.argmax(axis=-1)).astype(floatx()).view(Tensor)


def _sparse_labels(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    if t.ndim == p.ndim and t.shape[-1:] == (1,):
        t = t[..., 0]
    return t


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where the argmax of y_pred equals the integer label."""
    p = _arr(y_pred)
    t = _sparse_labels(_arr(y_true), p)
    return (t == p.argmax(axis=-1)).astype(floatx()).view(Tensor)


def _in_top_k(scores: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    target = np.take_along_axis(scores, labels[..., None].astype(np.int64), axis=-1)
    # In the top k when fewer than k scores are strictly higher: a tie with the k-th
    # score counts as in, as Keras's ``in_top_k`` (``target >= k-th largest``) does.
    return (scores > target).sum(axis=-1) < k


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Tensor:
    p = _arr(y_pred)
    return _in_top_k(p, _arr(y_true).argmax(axis=-1), k).astype(floatx()).view(Tensor)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Tensor:
    p = _arr(y_pred)
    t = _sparse_labels(_arr(y_true), p)
    return _in_top_k(p, t, k).astype(floatx()).view(Tensor)


@METRICS.register("binary_accuracy")
class BinaryAccuracy(MeanMetricWrapper):
    """How often ``(y_pred > threshold)`` matches the binary label."""

    default_name = "binary_accuracy"

    def __init__(self, name: str | None = "binary_accuracy", dtype: Any = None,
                 threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


@METRICS.register("categorical_accuracy")
class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class matches the one-hot label."""

    default_name = "categorical_accuracy"

    def __init__(self, name: str | None = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


@METRICS.register("sparse_categorical_accuracy")
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class matches the integer label."""

    default_name = "sparse_categorical_accuracy"

    def __init__(self, name: str | None = "sparse_categorical_accuracy",
                 dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        # Every unweighted training batch: count the hits (the same sum as the mean's
        # 0/1 values, exactly) without building, viewing and re-reducing a float array.
        if sample_weight is None and type(y_true) is np.ndarray and type(y_pred) is np.ndarray \
                and y_pred.ndim == 2 and y_true.shape == y_pred.shape[:1]:
            self._state[0] += np.count_nonzero(y_true == y_pred.argmax(axis=-1))
            self._state[1] += y_true.shape[0]
            return
        super().update_state(y_true, y_pred, sample_weight)


@METRICS.register("top_k_categorical_accuracy")
class TopKCategoricalAccuracy(MeanMetricWrapper):
    default_name = "top_k_categorical_accuracy"

    def __init__(self, k: int = 5, name: str | None = "top_k_categorical_accuracy",
                 dtype: Any = None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


@METRICS.register("sparse_top_k_categorical_accuracy")
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    default_name = "sparse_top_k_categorical_accuracy"

    def __init__(self, k: int = 5, name: str | None = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


@METRICS.register("accuracy")
class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly (Keras's ``Accuracy`` class)."""

    default_name = "accuracy"

    def __init__(self, name: str | None = "accuracy", dtype: Any = None) -> None:
        super().__init__(_equal, name=name, dtype=dtype)


def _equal(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = squeeze_or_expand_to_same_rank(_arr(y_true), _arr(y_pred))
    return (t == p).astype(np.float64)


def resolve_accuracy(name: str, y_true_shape: tuple[int, ...],
                     y_pred_shape: tuple[int, ...]) -> MeanMetricWrapper:
    """Keras 3's ``"accuracy"``: binary, sparse or categorical from the shapes.

    Output width 1: binary. Targets of lower rank, or of width 1: sparse. Otherwise
    categorical. A rank-1 output counts as binary (Keras would take one argmax over
    the whole batch; a model's output always has a batch axis and a width).
    """
    if y_pred_shape[-1:] == (1,) or len(y_pred_shape) == 1:
        metric = BinaryAccuracy(name=name)
    elif len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1:] == (1,):
        metric = SparseCategoricalAccuracy(name=name)
    else:
        metric = CategoricalAccuracy(name=name)
    return metric
