"""The sigmoid+BCE and softmax+CE shortcuts, declared once in one table.

Where the output activation and the loss cancel, the gradient with respect to
the pre-activation ``z`` is simply ``y - t`` (scaled by the loss's reduction).
That is cheaper than the chain through both, and it keeps learning where the
output saturates: there Keras's clip to ``[eps, 1 - eps]`` passes zero gradient
and ours does not (API.md, Precision and numerics). The loss *value* stays
Keras's, clipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _constants
from .activations import Activation, Sigmoid, Softmax
from .config import epsilon
from .losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Loss,
    SparseCategoricalCrossentropy,
    _apply_scale,
)

FusedGrad = Callable[[Any, np.ndarray, np.ndarray], np.ndarray]


def sigmoid_bce_grad(loss: BinaryCrossentropy, t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d/dz of mean-over-last-axis BCE(t, sigmoid(z)): ``(y - t) / k``."""
    g = y - loss.smooth(t)
    g *= 1.0 / y.shape[-1]
    return g


def softmax_cce_grad(loss: CategoricalCrossentropy, t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d/dz of CCE(t, softmax(z)): ``y * sum(t) - t`` (``y - t`` for one-hot t)."""
    t = loss.smooth(t)
    return y * t.sum(axis=-1, keepdims=True) - t


def softmax_sparse_cce_grad(loss: SparseCategoricalCrossentropy, labels: np.ndarray,
                            y: np.ndarray) -> np.ndarray:
    """d/dz of sparse CCE(labels, softmax(z)): ``y - onehot(labels)``."""
    g = y.copy()
    valid = loss._valid(labels)
    idx = labels if valid is None else np.where(valid, labels, 0)
    g2 = g.reshape(-1, g.shape[-1])
    g2[np.arange(g2.shape[0]), idx.reshape(-1)] -= 1.0
    if valid is not None:
        g *= valid[..., None]
    return g


FUSED_GRADIENTS: dict[tuple[type, type], FusedGrad] = {
    (Sigmoid, BinaryCrossentropy): sigmoid_bce_grad,
    (Softmax, CategoricalCrossentropy): softmax_cce_grad,
    (Softmax, SparseCategoricalCrossentropy): softmax_sparse_cce_grad,
}


def fused_gradient(activation: Activation, loss: Loss) -> FusedGrad | None:
    """The shortcut for this output activation and loss, or None."""
    if getattr(loss, "from_logits", False) or getattr(activation, "axis", -1) != -1 \
            or getattr(loss, "axis", -1) not in (-1, None):
        return None
    return FUSED_GRADIENTS.get((type(activation), type(loss)))


def _sparse_cce_plain(loss: SparseCategoricalCrossentropy, labels: np.ndarray,
                      y: np.ndarray) -> tuple[float, np.ndarray]:
    """Value and gradient for the common case, in a handful of NumPy calls.

    A softmax output (2-D), integer labels one per row, no sample weight, no
    ignored class, the mean over the batch: the same formula as ``prepare`` +
    ``call`` + ``reduce`` + the fused gradient (Keras's clipped value of the
    picked probability over its row sum), without their general machinery:
    about 50 -> 15 us on a 128 x 10 batch. The rows of a softmax never sum to 0,
    so that check is skipped; the labels' range is still checked.
    """
    n, k = y.shape
    loss.check_labels(labels, k)
    at = np.arange(0, n * k, k) + labels  # flat positions of the true classes
    picked = y.reshape(-1).take(at)
    picked /= y @ _constants.ones(k, y.dtype)
    eps = epsilon()
    np.maximum(picked, eps, out=picked)
    np.minimum(picked, 1.0 - eps, out=picked)
    np.log(picked, out=picked)
    value = -float(picked.sum(dtype=np.float64)) / n
    grad = y.copy()
    grad.reshape(-1)[at] -= 1.0
    grad *= 1.0 / n
    return value, grad


def fused_value_and_grad(loss: Loss, fused: FusedGrad, y_true: Any, y: np.ndarray,
                         sample_weight: Any = None) -> tuple[float, np.ndarray]:
    """Keras's loss value at ``y``, and the fused gradient with respect to ``z``."""
    if fused is softmax_sparse_cce_grad and sample_weight is None and y.ndim == 2 \
            and y.shape[0] and type(y_true) is np.ndarray and y_true.shape == y.shape[:1] \
            and y_true.dtype.kind in "iu" and type(loss) is SparseCategoricalCrossentropy \
            and loss.ignore_class is None and loss.reduction == "sum_over_batch_size" \
            and y.dtype in _constants.BLAS_FLOATS:
        return _sparse_cce_plain(loss, y_true, y)
    t, y = loss.prepare(y_true, y)
    value, scale = loss.reduce(loss.call(t, y), sample_weight, loss.mask(t))
    if type(value) is not float and np.ndim(value):
        value = float(np.mean(value)) if np.size(value) else 0.0
    return float(value), _apply_scale(fused(loss, t, y), scale)
