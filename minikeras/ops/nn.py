"""Neural-network ops (``ops.relu``, ``ops.softmax``, the cross-entropies)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations as _activations
from .. import config
from .._tensor import Tensor
from .arrays import one_hot
from .core import _arr, _floating, _out, _promote
from .reductions import logsumexp


# The activations module owns the formulas; these are Keras's ``ops`` spellings of them.
def relu(x: Any) -> Tensor:
    """``max(x, 0)`` (integers stay integers, as in Keras)."""
    a = _arr(x)
    return _out(np.maximum(a, a.dtype.type(0))) if a.dtype.kind in "iu" else _activations.relu(a)


def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return _activations.relu6(x)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x``."""
    return _activations.leaky_relu(x, negative_slope=negative_slope)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _activations.elu(x, alpha=alpha)


def selu(x: Any) -> Tensor:
    """Scaled ELU with Klambauer et al.'s constants."""
    return _activations.selu(x)


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """Gaussian error linear unit; the tanh approximation by default, as ``keras.ops``."""
    return _activations.gelu(x, approximate=approximate)


def sigmoid(x: Any) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return _activations.sigmoid(x)


def hard_sigmoid(x: Any) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return _activations.hard_sigmoid(x)


def log_sigmoid(x: Any) -> Tensor:
    """``log(sigmoid(x))``, computed without overflow."""
    return _activations.log_sigmoid(x)


def silu(x: Any) -> Tensor:
    """``x * sigmoid(x)``."""
    return _activations.silu(x)


swish = silu


def hard_silu(x: Any) -> Tensor:
    """``x * hard_sigmoid(x)``."""
    return _activations.hard_silu(x)


hard_swish = hard_silu


def softplus(x: Any) -> Tensor:
    """``log(1 + exp(x))``."""
    return _activations.softplus(x)


def softsign(x: Any) -> Tensor:
    """``x / (1 + |x|)``."""
    return _activations.softsign(x)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """Softmax along ``axis``."""
    return _activations.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``."""
    a = _floating(x)
    return _out(a - logsumexp(a, axis=axis, keepdims=True).view(np.ndarray))


def _target_output(target: Any, output: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = _promote(target, output)
    return (t, p) if p.dtype.kind == "f" else (t.astype(config.floatx()), p.astype(config.floatx()))


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """Elementwise binary cross-entropy (no mean: ``ops.nn``'s version, not the loss's).

    Probabilities are clipped to ``[eps, 1 - eps]``, as the loss does.
    """
    from ..losses import bce_logit_values, bce_values

    t, p = _target_output(target, output)
    return _out(bce_logit_values(t, p) if from_logits else bce_values(t, p))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> Tensor:
    """Per-sample ``-sum(target * log(output / sum(output)))`` over ``axis``.

    Probabilities are clipped to ``[eps, 1 - eps]``, as the loss does.
    """
    from ..losses import CategoricalCrossentropy

    t, p = _target_output(target, output)
    if t.shape != p.shape:
        raise ValueError("categorical_crossentropy expects target and output of the same "
                         f"shape. Received: target.shape={t.shape}, output.shape={p.shape}.")
    t, p = np.moveaxis(t, axis, -1), np.moveaxis(p, axis, -1)
    loss = CategoricalCrossentropy(from_logits=from_logits, reduction="none")
    return _out(loss.call(t, p))


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    """:func:`categorical_crossentropy` with integer class indices as the target."""
    p = _floating(output)
    labels = _arr(target)
    if labels.ndim == p.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis=axis)
    return categorical_crossentropy(one_hot(labels, p.shape[axis], axis=axis, dtype=p.dtype),
                                    p, from_logits=from_logits, axis=axis)
