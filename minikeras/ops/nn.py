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


# ------------------------------------------------------------------ more activations
def _float_arr(x: Any) -> np.ndarray:
    return _floating(x)


def sparse_plus(x: Any) -> Tensor:
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``|x| < 1``, ``x`` for ``x >= 1``."""
    a = _float_arr(x)
    return _out(np.where(a <= -1, a.dtype.type(0), np.where(a < 1, (a + 1) ** 2 / 4, a))
                .astype(a.dtype))


def sparse_sigmoid(x: Any) -> Tensor:
    """0 for ``x <= -1``, ``(x + 1) / 2`` for ``|x| < 1``, 1 for ``x >= 1``."""
    a = _float_arr(x)
    return _out(np.clip((a + 1) / 2, 0, 1).astype(a.dtype))


def squareplus(x: Any, b: float = 4) -> Tensor:
    """``(x + sqrt(x**2 + b)) / 2``."""
    a = _float_arr(x)
    return _out(((a + np.sqrt(a * a + a.dtype.type(b))) / 2).astype(a.dtype))


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``."""
    a = _float_arr(x)
    zero, al = a.dtype.type(0), a.dtype.type(alpha)
    return _out((np.maximum(a, zero) + al * np.expm1(np.minimum(a, zero) / al)).astype(a.dtype))


def glu(x: Any, axis: int = -1) -> Tensor:
    """Gated linear unit: the first half of ``x`` along ``axis`` times sigmoid of the second."""
    a = _float_arr(x)
    if a.shape[axis] % 2:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={a.shape} with "
                         f"axis={axis}")
    first, second = np.split(a, 2, axis=axis)
    return _out((first / (1 + np.exp(-second))).astype(a.dtype))


def hard_tanh(x: Any) -> Tensor:
    """``x`` clipped to ``[-1, 1]``."""
    a = _float_arr(x)
    return _out(np.clip(a, a.dtype.type(-1), a.dtype.type(1)))


def hard_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """``x`` where ``|x| > threshold``, else 0."""
    a = _float_arr(x)
    return _out(np.where(np.abs(a) > threshold, a, a.dtype.type(0)))


def soft_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """``x`` moved ``threshold`` towards 0, and 0 inside ``[-threshold, threshold]``."""
    a = _float_arr(x)
    t = a.dtype.type(threshold)
    return _out(np.where(a > t, a - t, np.where(a < -t, a + t, a.dtype.type(0))))


def tanh_shrink(x: Any) -> Tensor:
    """``x - tanh(x)``."""
    a = _float_arr(x)
    return _out(a - np.tanh(a))


def threshold(x: Any, threshold: float, default_value: float) -> Tensor:
    """``x`` where ``x > threshold``, else ``default_value`` (``x``'s dtype)."""
    a = _arr(x)
    return _out(np.where(a > threshold, a, np.asarray(default_value, a.dtype)))


def sparsemax(x: Any, axis: int = -1) -> Tensor:
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis``."""
    a = _float_arr(x)
    ordered = -np.sort(-a, axis=axis)
    cumulative = np.cumsum(ordered, axis=axis)
    shape = [1] * a.ndim
    shape[axis] = -1
    rank = np.arange(1, a.shape[axis] + 1, dtype=a.dtype).reshape(shape)
    support = ordered - (cumulative - 1) / rank > 0
    k = np.sum(support, axis=axis, keepdims=True)
    tau = (np.sum(np.where(support, cumulative, 0), axis=axis, keepdims=True) - 1) / k
    return _out(np.maximum(a - tau, 0).astype(a.dtype))


# ------------------------------------------------------------------ normalization
def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False
            ) -> tuple[Tensor, Tensor]:
    """Mean and (population) variance of ``x`` over ``axes``.

    float16 is computed in float32; ``synchronized`` (a multi-device option) has no
    effect here.
    """
    a = _floating(x)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    work = a.astype(np.float32) if a.dtype == np.float16 else a
    mean = np.mean(work, axis=axes, keepdims=True)
    variance = np.mean(np.square(work), axis=axes, keepdims=True) - np.square(mean)
    if not keepdims:
        mean, variance = np.squeeze(mean, axes), np.squeeze(variance, axes)
    if a.dtype == np.float16:
        big = np.finfo(np.float16).max
        mean, variance = (np.clip(v, -big, big).astype(np.float16) for v in (mean, variance))
    return _out(mean), _out(variance)


def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None,
                        scale: Any = None, epsilon: float = 1e-3) -> Tensor:
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, the 1-D stats along ``axis``."""
    a = _arr(x)
    shape = [1] * a.ndim
    m = _arr(mean)
    shape[axis] = m.shape[0]
    inv = 1 / np.sqrt(_arr(variance).reshape(shape) + epsilon)
    if scale is not None:
        inv = inv * _arr(scale).reshape(shape)
    res = -m.reshape(shape) * inv
    if offset is not None:
        res = res + _arr(offset).reshape(shape)
    return _out(a * inv + res)


def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``, 1e-7)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    a = _floating(x)
    if a.ndim == 0:
        a = a[None]
    eps = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        with np.errstate(divide="ignore"):
            inv = 1 / np.sqrt(np.sum(np.square(a), axis=axis, keepdims=True))
        return _out((a * np.minimum(inv, a.dtype.type(1 / eps))).astype(a.dtype))
    norm = np.linalg.norm(a, ord=order, axis=axis, keepdims=True)
    return _out((a / np.maximum(norm, a.dtype.type(eps))).astype(a.dtype))


def layer_normalization(x: Any, gamma: Any = None, beta: Any = None, axis: Any = -1,
                        epsilon: float | None = None, **kwargs: Any) -> Tensor:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over ``axis`` (in ``x``'s dtype)."""
    a = _arr(x)
    work = a.astype(np.result_type(a.dtype, np.float32))
    eps = config.epsilon() if epsilon is None else epsilon
    axes = sorted([axis] if isinstance(axis, int) else list(axis))
    shape = [1] * work.ndim
    for dim in axes:
        shape[dim] = work.shape[dim]

    def fit(v: Any) -> np.ndarray | None:
        if v is None:
            return None
        v = _arr(v).astype(work.dtype)
        return v if v.ndim == work.ndim or axes == [work.ndim - 1] else v.reshape(shape)

    mean = np.mean(work, axis=tuple(axes), keepdims=True)
    var = np.mean(np.square(work), axis=tuple(axes), keepdims=True) - np.square(mean)
    inv = 1 / np.sqrt(var + eps)
    g, b = fit(gamma), fit(beta)
    if g is not None:
        inv = inv * g
    out = (work - mean) * inv
    if b is not None:
        out = out + b
    return _out(out.astype(a.dtype))


def rms_normalization(x: Any, scale: Any = None, axis: Any = -1, epsilon: float | None = None
                      ) -> Tensor:
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis`` (in ``x``'s dtype)."""
    a = _arr(x)
    work = a.astype(np.result_type(a.dtype, np.float32))
    if work.ndim == 0:
        work = work[None]
    eps = config.epsilon() if epsilon is None else epsilon
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    out = work / np.sqrt(np.mean(np.square(work), axis=axes, keepdims=True) + eps)
    if scale is not None:
        out = out * _arr(scale).astype(work.dtype)
    return _out(out.astype(a.dtype))


# ------------------------------------------------------------------ labels and metrics
def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1, dtype: Any = None,
              sparse: bool = False, **kwargs: Any) -> Tensor:
    """Multi-hot rows: 1 for each class named in a row of ``inputs`` (``floatx`` by default).

    A 1-D ``inputs`` gives one row; negative labels are ignored. ``num_tokens`` is
    accepted for ``num_classes``, as Keras.
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    if sparse:
        raise ValueError("Unsupported value `sparse=True`: arrays here are dense.")
    labels = _arr(inputs).astype(np.int64)
    hot = one_hot(labels, num_classes, axis=axis, dtype=dtype).view(np.ndarray)
    return _out(np.max(hot, axis=1 if labels.ndim > 1 else 0))


def in_top_k(targets: Any, predictions: Any, k: int) -> Tensor:
    """Whether each target's prediction is among the ``k`` largest of its row (ties count)."""
    p = _arr(predictions)
    t = _arr(targets).astype(np.int64)
    target_values = np.take_along_axis(p, t[:, None], axis=-1)
    kth = -np.sort(-p, axis=-1)[..., k - 1:k] if k > 0 else np.full_like(target_values, np.inf)
    return _out((target_values >= kth)[:, 0])


def psnr(x1: Any, x2: Any, max_val: float) -> Tensor:
    """Peak signal-to-noise ratio: ``20 log10(max_val) - 10 log10(mse(x1, x2))``."""
    a, b = _promote(x1, x2)
    if a.shape != b.shape:
        raise ValueError(f"Input shapes {a.shape} and {b.shape} must match for PSNR "
                         "calculation. ")
    if a.dtype.kind not in "fc":
        a, b = a.astype(config.floatx()), b.astype(config.floatx())
    mse = np.mean(np.square(a - b))
    return _out((20 * np.log10(np.asarray(max_val, a.dtype)) - 10 * np.log10(mse))
                .astype(a.dtype))


def polar(abs_: Any, angle: Any) -> Tensor:
    """The complex number with magnitude ``abs_`` and phase ``angle``."""
    r, t = _promote(abs_, angle)
    r, t = (r, t) if r.dtype.kind == "f" else (r.astype(config.floatx()),
                                               t.astype(config.floatx()))
    return _out(r * np.cos(t) + 1j * (r * np.sin(t)))


def depth_to_space(x: Any, block_size: int, data_format: str = "channels_last") -> Tensor:
    """Channels rearranged into ``block_size x block_size`` spatial blocks (4-D ``x``)."""
    if block_size < 2:
        raise ValueError(f"`block_size` must be at least 2. Received: block_size={block_size}")
    a, b = _arr(x), block_size
    if data_format == "channels_last":
        n, h, w, c = a.shape
        a = a.reshape(n, h, w, b, b, c // b**2).transpose(0, 1, 3, 2, 4, 5)
        return _out(a.reshape(n, h * b, w * b, c // b**2))
    n, c, h, w = a.shape
    a = a.reshape(n, c // b**2, b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    return _out(a.reshape(n, c // b**2, h * b, w * b))


def space_to_depth(x: Any, block_size: int, data_format: str = "channels_last") -> Tensor:
    """``block_size x block_size`` spatial blocks moved into channels (4-D ``x``)."""
    if block_size < 2:
        raise ValueError(f"`block_size` must be at least 2. Received: block_size={block_size}")
    a, b = _arr(x), block_size
    if data_format == "channels_last":
        n, h, w, c = a.shape
        a = a.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
        return _out(a.reshape(n, h // b, w // b, c * b**2))
    n, c, h, w = a.shape
    a = a.reshape(n, c, h // b, b, w // b, b).transpose(0, 1, 3, 5, 2, 4)
    return _out(a.reshape(n, c * b**2, h // b, w // b))
