"""Losses: Keras 3's formulas and reductions, each with its gradient.

A loss computes per-sample values (``call``), reduces them with a sample
weight (``reduction``), and gives the gradient of the reduced value with
respect to ``y_pred`` (``value_and_grad``), which is how ``fit`` uses it.
The sigmoid/softmax shortcuts live in :mod:`minikeras._fused`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._registry import Registry
from ._tensor import Tensor, as_array
from .config import epsilon, floatx, to_snake_case, unique_name

LOSSES = Registry("loss")

REDUCTIONS = ("sum_over_batch_size", "mean", "mean_with_sample_weight", "sum", "none")


def _standardize_reduction(reduction: str | None) -> str:
    if reduction is None:
        return "none"
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. "
            f"Received: reduction={reduction!r}")
    return reduction


def squeeze_or_expand_to_same_rank(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras's rule: when ranks differ by one and the longer ends in 1, line them up.

    A rank-1 array is expanded rather than the other squeezed, so ``(n,)``
    targets against ``(n, 1)`` outputs never broadcast to ``(n, n)``.
    """
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        if b.ndim == 1:
            b = b[:, None]
        else:
            a = a[..., 0]
    elif b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        if a.ndim == 1:
            a = a[:, None]
        else:
            b = b[..., 0]
    return a, b


def _to_float(x: Any, dtype: Any = None) -> np.ndarray:
    if dtype is None and isinstance(x, (list, tuple, float, int)):
        dtype = floatx()  # Python numbers convert to floatx, as Keras converts them
    x = as_array(x)
    if x.dtype.kind not in "fc" or (dtype is not None and x.dtype != dtype):
        x = x.astype(dtype or floatx())
    return x


def _divide_no_nan(a: float, b: float) -> float:
    return 0.0 if b == 0 else a / b


def _sum_to_shape(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting: sum ``g`` down to ``shape`` (the chain rule of ``v * w``)."""
    lead = g.ndim - len(shape)
    if lead > 0:
        g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _apply_scale(grad: np.ndarray, scale: Any) -> np.ndarray:
    """``grad * scale``, the per-sample ``scale`` broadcast over the reduced last axis."""
    if type(scale) is not float and np.ndim(scale):
        grad *= scale.reshape(scale.shape + (1,) * (grad.ndim - scale.ndim))
    else:
        grad *= scale
    return grad


class Loss:
    """Base class: per-sample ``call``, ``grad`` and Keras's reductions.

    Subclasses implement ``call(y_true, y_pred)`` (per-sample values, the last
    axis reduced) and ``grad(y_true, y_pred)`` (d values / d y_pred, summed
    per sample), on arrays already lined up by :meth:`prepare`.

    Args:
        name: the loss's name (logs, configs).
        reduction: ``"sum_over_batch_size"`` (default: the weighted sum over
            the number of elements), ``"mean_with_sample_weight"`` (over the sum
            of the weights), ``"mean"`` (= sum_over_batch_size), ``"sum"``, ``"none"``.
        dtype: accepted for Keras compatibility; values keep ``y_pred``'s dtype.
    """

    name = "loss"
    #: True when y_true holds class indices rather than values shaped like y_pred.
    sparse_targets = False

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        if not name and type(self).name == Loss.name and type(self) is not Loss:
            # A user's subclass: Keras names it after its class ("my_loss", "my_loss_1").
            name = unique_name(to_snake_case(type(self).__name__))
        self.name = name or type(self).name
        self.reduction = _standardize_reduction(reduction)
        self.dtype = dtype

    # -- to implement -----------------------------------------------------------------
    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        # A user's subclass that defines only `call` (keras.io's CustomMSE) still trains:
        # central differences of its per-sample values, as for a loss function.
        return LossFunctionWrapper(self.call).grad(y_true, y_pred)

    # -- shared machinery -------------------------------------------------------------
    def prepare(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        """Convert, line up ranks (Keras's rule) and check that the shapes agree."""
        if type(y_pred) is not np.ndarray or y_pred.dtype.kind != "f":
            y_pred = _to_float(y_pred)
        if type(y_true) is not np.ndarray or y_true.dtype != y_pred.dtype:
            y_true = as_array(y_true)
            if not self.sparse_targets:
                y_true = _to_float(y_true, y_pred.dtype)
        if y_true.ndim != y_pred.ndim:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if y_true.shape != y_pred.shape:
            self.check_shapes(y_true, y_pred)
        moved = self._moved_axis(y_pred.ndim)
        if moved is not None:
            if not self.sparse_targets:
                y_true = np.moveaxis(y_true, moved, -1)
            y_pred = np.moveaxis(y_pred, moved, -1)
        return y_true, y_pred

    def check_shapes(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        if y_true.shape != y_pred.shape:
            hint = ""
            if y_true.ndim + 1 == y_pred.ndim or (y_true.shape[-1:] == (1,) and y_pred.ndim > 1):
                hint = (" Integer class labels need SparseCategoricalCrossentropy, or "
                        "one-hot targets from mk.utils.to_categorical.")
            raise ValueError(
                f"{type(self).__name__}: y_true and y_pred must have the same shape. "
                f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}.{hint}")

    def _moved_axis(self, ndim: int) -> int | None:
        """The ``axis`` a loss reduces over (Keras's ``axis=`` argument) when it is not the
        last one: ``prepare`` moves it to the end, where ``call`` and ``grad`` reduce, and
        ``value_and_grad`` moves the gradient back."""
        axis = getattr(self, "axis", -1)
        if axis is None or axis == -1 or ndim == 0:
            return None
        if not -ndim <= axis < ndim:
            raise ValueError(f"{type(self).__name__}: axis={axis} is out of range for y_pred "
                             f"of rank {ndim}.")
        axis %= ndim
        return None if axis == ndim - 1 else axis

    def mask(self, y_true: np.ndarray) -> np.ndarray | None:
        """Which per-sample values count (Keras's loss mask), or None for all of them.

        Only losses that ignore some targets (``ignore_class``) return a mask.
        """
        return None

    def reduce(self, values: np.ndarray, sample_weight: Any = None,
               mask: np.ndarray | None = None) -> tuple[Any, Any]:
        """Return ``(loss, scale)``: the reduced loss, and d loss / d values.

        Keras 3's ``reduce_weighted_values``: a mask becomes part of the sample
        weight (rescaled by ``size / valid`` for the mean reductions), the weight
        is lined up with the values by Keras's rank rule and broadcast, and
        ``"mean_with_sample_weight"`` divides by the sum of the weight *as given*
        (a scalar weight divides by itself). ``scale`` is a scalar or an array
        shaped like ``values``. With ``"none"`` the loss is the weighted array and
        ``scale`` the gradient of its mean (what ``value_and_grad`` reports).
        """
        values = np.asarray(values)
        r = self.reduction
        sw = None if sample_weight is None else _to_float(sample_weight, values.dtype)
        if mask is not None:
            if r in ("mean", "sum_over_batch_size"):
                valid = int(np.count_nonzero(mask))
                fm = np.where(mask, mask.size / valid if valid else 0.0, 0.0)
            else:
                fm = mask.astype(np.float64)
            fm = fm.astype(values.dtype, copy=False)
            if sw is not None:
                fm, sw = squeeze_or_expand_to_same_rank(fm, sw)
                sw = sw * fm
            else:
                sw = fm
        if sw is not None:
            v, sw = squeeze_or_expand_to_same_rank(values, sw)
            try:
                weighted = v * sw
            except ValueError:
                raise ValueError(
                    f"{type(self).__name__}: sample_weight of shape {sw.shape} does not fit the "
                    f"per-sample losses of shape {v.shape} (y_pred's shape without its last "
                    "axis). Pass one weight per sample, shaped (batch,) or (batch, 1).") from None
        else:
            v, weighted = values, values
        if r == "none" or weighted.shape in ((), (0,)):
            divisor = float(max(weighted.size, 1))
            loss: Any = weighted
        else:
            if weighted.dtype == np.float64:
                with np.errstate(over="ignore"):
                    total = float(weighted.sum(dtype=np.float64))
            else:  # a float64 sum of float32 values cannot overflow
                total = float(weighted.sum(dtype=np.float64))
            if r == "sum":
                divisor = 1.0
            elif r == "mean_with_sample_weight" and sw is not None:
                divisor = float(sw.sum(dtype=np.float64))
            else:
                divisor = float(weighted.size)
            loss = _divide_no_nan(total, divisor)
            if math.isinf(loss) and divisor > 1.0 and np.isfinite(weighted).all():
                # The sum overflowed, the mean need not: divide first (rare, near the range).
                with np.errstate(over="ignore"):
                    loss = float((weighted / divisor).sum(dtype=np.float64))
        inv = _divide_no_nan(1.0, divisor)
        if sw is None:
            return loss, inv
        scale = _sum_to_shape(np.broadcast_to(sw, weighted.shape) * inv, v.shape)
        return loss, scale.reshape(values.shape)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The reduced loss (a 0-d array with ``.numpy()``), as Keras returns it."""
        y_true, y_pred = self.prepare(y_true, y_pred)
        values = self.call(y_true, y_pred)
        loss, _ = self.reduce(values, sample_weight, self.mask(y_true))
        return np.asarray(loss, dtype=y_pred.dtype).view(Tensor)

    def value_and_grad(self, y_true: Any, y_pred: Any, sample_weight: Any = None
                       ) -> tuple[float, np.ndarray]:
        """The reduced loss as a float, and its gradient with respect to ``y_pred``.

        With ``reduction="none"`` the float is the mean of the weighted values
        and the gradient is that mean's.
        """
        y_true, y_pred = self.prepare(y_true, y_pred)
        values = self.call(y_true, y_pred)
        loss, scale = self.reduce(values, sample_weight, self.mask(y_true))
        if np.ndim(loss):
            loss = float(np.mean(loss)) if np.size(loss) else 0.0
        grad = _apply_scale(self.grad(y_true, y_pred), scale)
        moved = self._moved_axis(y_pred.ndim)
        return float(loss), grad if moved is None else np.moveaxis(grad, -1, moved)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _mean_last(a: np.ndarray) -> np.ndarray:
    if a.shape[-1:] == (1,):
        return a[..., 0]  # the mean of one value is that value: no reduction to pay for
    with np.errstate(over="ignore"):
        m = a.mean(axis=-1)
    if np.isinf(m).any():
        # The sum overflowed although the mean may not: divide first (rare, near the range).
        with np.errstate(over="ignore"):
            m = (a / a.shape[-1]).sum(axis=-1)
    return m


def _per_last(y_pred: np.ndarray) -> float:
    return 1.0 / y_pred.shape[-1] if y_pred.ndim else 1.0


# ---------------------------------------------------------------------------- regression
@LOSSES.register("mean_squared_error", "mse", "MSE")
class MeanSquaredError(Loss):
    """``mean((y_true - y_pred) ** 2, axis=-1)``."""

    name = "mean_squared_error"

    def call(self, y_true, y_pred):
        d = y_true - y_pred
        return _mean_last(d * d)

    def grad(self, y_true, y_pred):
        g = y_pred - y_true
        g *= 2.0 * _per_last(y_pred)
        return g


@LOSSES.register("mean_absolute_error", "mae", "MAE")
class MeanAbsoluteError(Loss):
    """``mean(|y_true - y_pred|, axis=-1)``."""

    name = "mean_absolute_error"

    def call(self, y_true, y_pred):
        return _mean_last(np.abs(y_true - y_pred))

    def grad(self, y_true, y_pred):
        return np.sign(y_pred - y_true) * _per_last(y_pred)


@LOSSES.register("mean_absolute_percentage_error", "mape", "MAPE")
class MeanAbsolutePercentageError(Loss):
    """``100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1)``."""

    name = "mean_absolute_percentage_error"

    def call(self, y_true, y_pred):
        return 100.0 * _mean_last(np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), epsilon())))

    def grad(self, y_true, y_pred):
        denom = np.maximum(np.abs(y_true), epsilon())
        return (100.0 * _per_last(y_pred)) * np.sign(y_pred - y_true) / denom


@LOSSES.register("mean_squared_logarithmic_error", "msle", "MSLE")
class MeanSquaredLogarithmicError(Loss):
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2, axis=-1)``."""

    name = "mean_squared_logarithmic_error"

    def call(self, y_true, y_pred):
        eps = epsilon()
        d = np.log(np.maximum(y_pred, eps) + 1.0) - np.log(np.maximum(y_true, eps) + 1.0)
        return _mean_last(d * d)

    def grad(self, y_true, y_pred):
        p = np.maximum(y_pred, epsilon())
        d = np.log(p + 1.0) - np.log(np.maximum(y_true, epsilon()) + 1.0)
        return (2.0 * _per_last(y_pred)) * d / (p + 1.0) * (y_pred >= epsilon())


@LOSSES.register("huber", "huber_loss")
class Huber(Loss):
    """``0.5 e**2`` where ``|e| <= delta``, else ``delta |e| - 0.5 delta**2``; mean over the last
    axis."""

    name = "huber_loss"

    def __init__(self, delta: float = 1.0, reduction: str | None = "sum_over_batch_size",
                 name: str | None = "huber_loss", dtype: Any = None) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.delta = float(delta)

    def call(self, y_true, y_pred):
        e = y_pred - y_true
        a = np.abs(e)
        d = self.delta
        return _mean_last(np.where(a <= d, 0.5 * e * e, d * a - 0.5 * d * d))

    def grad(self, y_true, y_pred):
        e = y_pred - y_true
        return np.where(np.abs(e) <= self.delta, e, self.delta * np.sign(e)) * _per_last(y_pred)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


@LOSSES.register("log_cosh", "logcosh")
class LogCosh(Loss):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, as ``x + softplus(-2x) - log 2``."""

    name = "log_cosh"

    def call(self, y_true, y_pred):
        x = y_pred - y_true
        return _mean_last(x + np.logaddexp(0, -2.0 * x) - math.log(2.0))

    def grad(self, y_true, y_pred):
        return np.tanh(y_pred - y_true) * _per_last(y_pred)


@LOSSES.register("cosine_similarity")
class CosineSimilarity(Loss):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis=-1)``."""

    name = "cosine_similarity"

    def __init__(self, axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str | None = "cosine_similarity", dtype: Any = None) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.axis = axis

    @staticmethod
    def _norm(x):
        return np.sqrt(np.maximum((x * x).sum(axis=-1, keepdims=True), 1e-12))

    def call(self, y_true, y_pred):
        return -((y_true / self._norm(y_true)) * (y_pred / self._norm(y_pred))).sum(axis=-1)

    def grad(self, y_true, y_pred):
        t_hat = y_true / self._norm(y_true)
        n = self._norm(y_pred)
        p_hat = y_pred / n
        dot = (t_hat * p_hat).sum(axis=-1, keepdims=True)
        return -(t_hat - dot * p_hat) / n

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


# ---------------------------------------------------------------------------- hinge
def _hinge_labels(y_true: np.ndarray) -> np.ndarray:
    # Keras: {0, 1} labels become {-1, 1}; other labels are used as they are.
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


@LOSSES.register("hinge")
class Hinge(Loss):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``, {0, 1} labels mapped to {-1, 1}."""

    name = "hinge"

    def call(self, y_true, y_pred):
        return _mean_last(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0))

    def grad(self, y_true, y_pred):
        t = _hinge_labels(y_true)
        return -t * (1.0 - t * y_pred > 0) * _per_last(y_pred)


@LOSSES.register("squared_hinge")
class SquaredHinge(Loss):
    """``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)``."""

    name = "squared_hinge"

    def call(self, y_true, y_pred):
        m = np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)
        return _mean_last(m * m)

    def grad(self, y_true, y_pred):
        t = _hinge_labels(y_true)
        return -2.0 * t * np.maximum(1.0 - t * y_pred, 0.0) * _per_last(y_pred)


@LOSSES.register("categorical_hinge")
class CategoricalHinge(Loss):
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""

    name = "categorical_hinge"

    def call(self, y_true, y_pred):
        pos = (y_true * y_pred).sum(axis=-1)
        neg = ((1.0 - y_true) * y_pred).max(axis=-1)
        return np.maximum(neg - pos + 1.0, 0.0)

    def grad(self, y_true, y_pred):
        masked = (1.0 - y_true) * y_pred
        idx = masked.argmax(axis=-1)[..., None]
        active = (self.call(y_true, y_pred) > 0)[..., None]
        g = -y_true.copy()
        np.put_along_axis(g, idx, np.take_along_axis(g, idx, -1)
                          + np.take_along_axis(1.0 - y_true, idx, -1), axis=-1)
        return g * active


# ---------------------------------------------------------------------------- probabilistic
@LOSSES.register("kl_divergence", "kld", "KLD", "kullback_leibler_divergence")
class KLDivergence(Loss):
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[eps, 1]``."""

    name = "kl_divergence"

    def call(self, y_true, y_pred):
        t = np.clip(y_true, epsilon(), 1.0)
        p = np.clip(y_pred, epsilon(), 1.0)
        return (t * np.log(t / p)).sum(axis=-1)

    def grad(self, y_true, y_pred):
        t = np.clip(y_true, epsilon(), 1.0)
        inside = (y_pred >= epsilon()) & (y_pred <= 1.0)
        return -t / np.clip(y_pred, epsilon(), 1.0) * inside


@LOSSES.register("poisson")
class Poisson(Loss):
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""

    name = "poisson"

    def call(self, y_true, y_pred):
        return _mean_last(y_pred - y_true * np.log(y_pred + epsilon()))

    def grad(self, y_true, y_pred):
        return (1.0 - y_true / (y_pred + epsilon())) * _per_last(y_pred)


def _clip_probs(p: np.ndarray) -> np.ndarray:
    eps = epsilon()
    return np.clip(p, eps, 1.0 - eps)


def bce_values(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Elementwise binary cross-entropy of probabilities, clipped as Keras does."""
    pc = _clip_probs(p)
    return -(t * np.log(pc) + (1.0 - t) * np.log1p(-pc))


def bce_logit_values(t: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Elementwise binary cross-entropy of logits, stable for any finite z."""
    return np.maximum(z, 0) - z * t + np.logaddexp(0, -np.abs(z))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    from .activations import sigmoid

    return sigmoid.forward(z)


@LOSSES.register("binary_crossentropy", "bce", "BCE")
class BinaryCrossentropy(Loss):
    """Binary cross-entropy, mean over the last axis.

    Probabilities are clipped to ``[eps, 1 - eps]``; with ``from_logits=True``
    the stable logit form is used. ``label_smoothing`` moves targets towards 0.5.
    """

    name = "binary_crossentropy"

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size",
                 name: str | None = "binary_crossentropy", dtype: Any = None) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _check_smoothing(label_smoothing)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def smooth(self, y_true: np.ndarray) -> np.ndarray:
        if self.label_smoothing:
            return y_true * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        return y_true

    def call(self, y_true, y_pred):
        t = self.smooth(y_true)
        if self.from_logits:
            return _mean_last(bce_logit_values(t, y_pred))
        return _mean_last(bce_values(t, y_pred))

    def grad(self, y_true, y_pred):
        t = self.smooth(y_true)
        k = _per_last(y_pred)
        if self.from_logits:
            return (_sigmoid(y_pred) - t) * k
        eps = epsilon()
        pc = _clip_probs(y_pred)
        inside = (y_pred >= eps) & (y_pred <= 1.0 - eps)  # Keras's clip passes no gradient
        return (pc - t) / (pc * (1.0 - pc)) * inside * k

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


def _check_smoothing(label_smoothing: float) -> None:
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(
            f"`label_smoothing` must be in [0, 1]. Received: label_smoothing={label_smoothing}")


@LOSSES.register("binary_focal_crossentropy")
class BinaryFocalCrossentropy(BinaryCrossentropy):
    """``(1 - p_t) ** gamma * bce``, optionally weighted by ``alpha`` (class balancing)."""

    name = "binary_focal_crossentropy"

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str | None = "binary_focal_crossentropy", dtype: Any = None) -> None:
        super().__init__(from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
                         reduction=reduction, name=name, dtype=dtype)
        self.apply_class_balancing = bool(apply_class_balancing)
        self.alpha = float(alpha)
        self.gamma = float(gamma)

    def _parts(self, y_true, y_pred):
        t = self.smooth(y_true)
        p = _sigmoid(y_pred) if self.from_logits else y_pred
        p_t = t * p + (1.0 - t) * (1.0 - p)
        weight = t * self.alpha + (1.0 - t) * (1.0 - self.alpha) if self.apply_class_balancing \
            else 1.0
        return t, p, p_t, weight

    def call(self, y_true, y_pred):
        t, p, p_t, weight = self._parts(y_true, y_pred)
        return _mean_last(weight * (1.0 - p_t) ** self.gamma * bce_values(t, p))

    def grad(self, y_true, y_pred):
        t, p, p_t, weight = self._parts(y_true, y_pred)
        eps = epsilon()
        pc = _clip_probs(p)
        bce = bce_values(t, p)
        d_bce = (pc - t) / (pc * (1.0 - pc)) * ((p >= eps) & (p <= 1.0 - eps))
        one_minus = 1.0 - p_t
        # d p_t / d p = 2t - 1
        d_focal = -self.gamma * one_minus ** (self.gamma - 1.0) * (2.0 * t - 1.0) \
            if self.gamma else 0.0
        g = weight * (d_focal * bce + one_minus ** self.gamma * d_bce)
        if self.from_logits:
            g = g * p * (1.0 - p)
        return g * _per_last(y_pred)

    def get_config(self):
        return {**super().get_config(), "apply_class_balancing": self.apply_class_balancing,
                "alpha": self.alpha, "gamma": self.gamma}


def _check_prob_rows(s: np.ndarray) -> None:
    """A probability row summing to 0 has no meaning: Keras returns NaN, we name the row."""
    if not np.all(s):
        row = int(np.flatnonzero(np.asarray(s).ravel() == 0)[0])
        raise ValueError(
            f"y_pred row {row} sums to 0, so it is not a probability distribution "
            "(categorical cross-entropy divides each row by its sum). Use a softmax output, "
            "or pass from_logits=True for raw scores.")


def cce_grad_probs(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """d/dp of ``-sum(t * log(clip(p / sum p)))``: the unfused categorical gradient."""
    eps = epsilon()
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    inside = (q >= eps) & (q <= 1.0 - eps)
    g = -t / np.clip(q, eps, 1.0 - eps) * inside
    return (g - (g * q).sum(axis=-1, keepdims=True)) / s


def _logit_terms_far_apart(t: np.ndarray, z: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """``t * log_softmax(z)`` where ``z - max(z)`` overflowed but the product need not.

    ``t * (z - m - lse)`` as ``t*z - t*m - t*lse``: each part is in the range (rare path).
    """
    m = z.max(axis=-1, keepdims=True)
    with np.errstate(over="ignore"):
        lse = np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
        exact = t * z - t * m - t * lse
    return np.where(np.isinf(terms), exact, terms).astype(terms.dtype, copy=False)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # -inf only where the true value is below the range
        shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@LOSSES.register("categorical_crossentropy", "cce")
class CategoricalCrossentropy(Loss):
    """``-sum(y_true * log(y_pred / sum(y_pred)), axis=-1)``, probabilities clipped to
    ``[eps, 1 - eps]``."""

    name = "categorical_crossentropy"

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size",
                 name: str | None = "categorical_crossentropy", dtype: Any = None) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _check_smoothing(label_smoothing)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def smooth(self, y_true: np.ndarray) -> np.ndarray:
        if self.label_smoothing:
            k = y_true.shape[-1]
            return y_true * (1.0 - self.label_smoothing) + self.label_smoothing / k
        return y_true

    def log_probs(self, y_pred: np.ndarray) -> np.ndarray:
        if self.from_logits:
            return _log_softmax(y_pred)
        s = y_pred.sum(axis=-1, keepdims=True)
        _check_prob_rows(s)
        return np.log(_clip_probs(y_pred / s))

    def call(self, y_true, y_pred):
        t = self.smooth(y_true)
        logp = self.log_probs(y_pred)
        with np.errstate(invalid="ignore"):
            terms = t * logp
        # A zero target times a log-probability of -inf (logits that far apart) is 0, not NaN.
        terms = np.where(t == 0, 0.0, terms).astype(terms.dtype, copy=False)
        if self.from_logits and np.isinf(terms).any():
            terms = _logit_terms_far_apart(t, y_pred, terms)
        with np.errstate(over="ignore"):  # inf only where the true sum is beyond the range
            return -terms.sum(axis=-1)

    def grad(self, y_true, y_pred):
        t = self.smooth(y_true)
        if self.from_logits:
            return np.exp(_log_softmax(y_pred)) * t.sum(axis=-1, keepdims=True) - t
        return cce_grad_probs(t, y_pred)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


@LOSSES.register("categorical_focal_crossentropy")
class CategoricalFocalCrossentropy(CategoricalCrossentropy):
    """``sum(alpha * (1 - o) ** gamma * -y_true * log(o), axis=-1)`` with ``o`` the
    probabilities (softmax of logits) over their row sum, clipped to ``[eps, 1 - eps]``:
    confident predictions count less, as Keras computes it."""

    name = "categorical_focal_crossentropy"

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size",
                 name: str | None = "categorical_focal_crossentropy", dtype: Any = None) -> None:
        super().__init__(from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
                         reduction=reduction, name=name, dtype=dtype)
        self.alpha = float(alpha)
        self.gamma = float(gamma)

    def _probs(self, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The row-normalized probabilities ``q`` and their clipped values ``o``."""
        if self.from_logits:
            q = np.exp(_log_softmax(y_pred))
        else:
            s = y_pred.sum(axis=-1, keepdims=True)
            _check_prob_rows(s)
            q = y_pred / s
        return q, _clip_probs(q)

    def call(self, y_true, y_pred):
        t = self.smooth(y_true)
        _, o = self._probs(y_pred)
        return (self.alpha * (1.0 - o) ** self.gamma * (-t * np.log(o))).sum(axis=-1)

    def grad(self, y_true, y_pred):
        t = self.smooth(y_true)
        q, o = self._probs(y_pred)
        eps = epsilon()
        # d/do of alpha t (1 - o)^gamma (-log o); zero where the clip holds o still
        d_o = self.alpha * t * (self.gamma * (1.0 - o) ** (self.gamma - 1.0) * np.log(o)
                                - (1.0 - o) ** self.gamma / o) if self.gamma \
            else -self.alpha * t / o
        d_o = d_o * ((q >= eps) & (q <= 1.0 - eps))
        centred = d_o - (d_o * q).sum(axis=-1, keepdims=True)
        if self.from_logits:
            return q * centred  # through the softmax
        return centred / y_pred.sum(axis=-1, keepdims=True)  # through q = p / sum(p)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma}


@LOSSES.register("sparse_categorical_crossentropy", "scce")
class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer class indices as targets."""

    name = "sparse_categorical_crossentropy"
    sparse_targets = True

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = "sum_over_batch_size", axis: int = -1,
                 name: str | None = "sparse_categorical_crossentropy", dtype: Any = None) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = bool(from_logits)
        self.ignore_class = ignore_class
        self.axis = axis

    def prepare(self, y_true, y_pred):
        y_pred = _to_float(y_pred)
        y_true = as_array(y_true)
        if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
            y_true = y_true[..., 0]
        if y_true.shape != y_pred.shape[:-1]:
            raise ValueError(
                f"{type(self).__name__}: y_true must hold one class index per row of y_pred. "
                f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}."
                + (" For one-hot targets use CategoricalCrossentropy."
                   if y_true.shape == y_pred.shape else ""))
        if y_true.dtype.kind not in "iu":
            labels = y_true.astype(np.int64)
            if y_true.dtype.kind == "f" and not np.array_equal(labels, y_true):
                raise ValueError(
                    f"{type(self).__name__}: y_true must hold integer class indices. "
                    f"Received non-integer values such as {y_true[labels != y_true].flat[0]}.")
            y_true = labels
        self.check_labels(y_true, y_pred.shape[-1])
        return y_true, y_pred

    def check_labels(self, labels: np.ndarray, num_classes: int) -> None:
        """Raise when a class index falls outside ``[0, num_classes)``."""
        if labels.size == 0:
            return
        lo, hi = int(labels.min()), int(labels.max())
        ignore = self.ignore_class
        if lo < 0 and not (ignore is not None and ignore < 0):
            raise ValueError(f"{type(self).__name__}: class indices must be >= 0. "
                             f"Received a label {lo}.")
        if hi >= num_classes and hi != ignore:
            raise ValueError(
                f"{type(self).__name__}: received a label {hi}, but the output has "
                f"{num_classes} units (classes 0..{num_classes - 1}). Make the last Dense layer "
                f"at least {hi + 1} units wide.")

    def _valid(self, labels: np.ndarray) -> np.ndarray | None:
        return None if self.ignore_class is None else labels != self.ignore_class

    def mask(self, y_true: np.ndarray) -> np.ndarray | None:
        """Targets equal to ``ignore_class`` do not count, as in Keras (mean over the rest)."""
        return self._valid(y_true)

    def _masked(self, y_true: np.ndarray, y_pred: np.ndarray
                ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        valid = self._valid(y_true)
        if valid is None:
            return None, y_true, y_pred
        # Ignored rows may hold anything (a zero row is fine): give them a neutral one.
        return valid, np.where(valid, y_true, 0), np.where(valid[..., None], y_pred, 1.0)

    def call(self, y_true, y_pred):
        valid, labels, y_pred = self._masked(y_true, y_pred)
        if self.from_logits:
            logp = _log_softmax(y_pred)
            out = -np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]
        else:
            s = y_pred.sum(axis=-1)
            _check_prob_rows(s)
            picked = np.take_along_axis(y_pred, labels[..., None], axis=-1)[..., 0]
            out = -np.log(_clip_probs(picked / s))
        return out if valid is None else np.where(valid, out, 0.0).astype(out.dtype, copy=False)

    def grad(self, y_true, y_pred):
        valid, labels, y_pred = self._masked(y_true, y_pred)
        onehot = np.zeros_like(y_pred)
        np.put_along_axis(onehot, labels[..., None], 1.0, axis=-1)
        if self.from_logits:
            g = np.exp(_log_softmax(y_pred)) - onehot
        else:
            g = cce_grad_probs(onehot, y_pred)
        if valid is None:
            return g
        return np.where(valid[..., None], g, 0.0).astype(g.dtype, copy=False)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


class LossFunctionWrapper(Loss):
    """A user's function ``fn(y_true, y_pred) -> per-sample losses`` used as a Loss.

    Its gradient is taken by central differences in float64: one column of
    ``y_pred`` at a time when ``fn`` returns one value per sample (rows are
    independent), else one element at a time. Subclass :class:`Loss` with an
    exact ``grad`` for speed.
    """

    def __init__(self, fn: Callable[..., Any], reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "loss"), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self.fn_kwargs = kwargs

    def _eval(self, y_true, y_pred):
        return np.asarray(as_array(self.fn(y_true, y_pred, **self.fn_kwargs)))

    def call(self, y_true, y_pred):
        out = self._eval(y_true, y_pred)
        return out.astype(y_pred.dtype, copy=False)

    def grad(self, y_true, y_pred):
        p = np.array(y_pred, dtype=np.float64)  # a copy we may nudge in place
        t = y_true.astype(np.float64) if y_true.dtype.kind == "f" else y_true
        row_wise = p.ndim >= 2 and self._eval(t, p).shape == p.shape[:-1]
        g = np.zeros_like(p)
        # Row-wise: nudging column j of every row at once moves each row's own value only.
        cells = [(Ellipsis, j) for j in range(p.shape[-1])] if row_wise \
            else list(np.ndindex(p.shape))
        for cell in cells:
            h = 1e-6 * max(1.0, float(np.max(np.abs(p[cell]))))
            p[cell] += h
            up = self._eval(t, p)
            p[cell] -= 2 * h
            down = self._eval(t, p)
            p[cell] += h
            diff = (up - down) if row_wise else (up.sum() - down.sum())
            g[cell] = diff / (2 * h)
        return g.astype(y_pred.dtype)

    def get_config(self):
        return {**super().get_config(), "fn": getattr(self.fn, "__name__", "fn"), **self.fn_kwargs}


# ---------------------------------------------------------------- Keras's spellings
BinaryCrossEntropy = BinaryCrossentropy
CategoricalCrossEntropy = CategoricalCrossentropy
SparseCategoricalCrossEntropy = SparseCategoricalCrossentropy
LOSSES.alias("BinaryCrossEntropy", "BinaryCrossentropy")
LOSSES.alias("CategoricalCrossEntropy", "CategoricalCrossentropy")
LOSSES.alias("SparseCategoricalCrossEntropy", "SparseCategoricalCrossentropy")


# ----------------------------------------------------------- per-sample functions (Keras)
def _function(cls: type[Loss], fn_name: str, **defaults: Any) -> Callable[..., Tensor]:
    def fn(y_true: Any, y_pred: Any, **kwargs: Any) -> Tensor:
        loss = cls(**{**defaults, **kwargs})
        t, p = loss.prepare(y_true, y_pred)
        return loss.call(t, p).view(Tensor)

    fn.__name__ = fn.__qualname__ = fn_name
    fn.__doc__ = f"Per-sample values of :class:`{cls.__name__}` (no reduction)."
    fn._loss_class = cls  # type: ignore[attr-defined]
    return fn


mean_squared_error = _function(MeanSquaredError, "mean_squared_error")
mean_absolute_error = _function(MeanAbsoluteError, "mean_absolute_error")
mean_absolute_percentage_error = _function(MeanAbsolutePercentageError,
                                           "mean_absolute_percentage_error")
mean_squared_logarithmic_error = _function(MeanSquaredLogarithmicError,
                                           "mean_squared_logarithmic_error")
huber = _function(Huber, "huber")
log_cosh = _function(LogCosh, "log_cosh")
cosine_similarity = _function(CosineSimilarity, "cosine_similarity")
hinge = _function(Hinge, "hinge")
squared_hinge = _function(SquaredHinge, "squared_hinge")
categorical_hinge = _function(CategoricalHinge, "categorical_hinge")
kl_divergence = _function(KLDivergence, "kl_divergence")
poisson = _function(Poisson, "poisson")
binary_crossentropy = _function(BinaryCrossentropy, "binary_crossentropy")
binary_focal_crossentropy = _function(BinaryFocalCrossentropy, "binary_focal_crossentropy")
categorical_crossentropy = _function(CategoricalCrossentropy, "categorical_crossentropy")
categorical_focal_crossentropy = _function(CategoricalFocalCrossentropy,
                                           "categorical_focal_crossentropy")
sparse_categorical_crossentropy = _function(SparseCategoricalCrossentropy,
                                            "sparse_categorical_crossentropy")
kld = KLD = kullback_leibler_divergence = kl_divergence
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
logcosh = log_cosh


MSE = mse = mean_squared_error  # tf.keras 2's per-sample functions (Keras 3 dropped them)
MAE = mae = mean_absolute_error

#: The per-sample function of each loss class that has one.
_FUNCTIONS: dict[type, Callable[..., Tensor]] = {
    fn._loss_class: fn for fn in (  # type: ignore[attr-defined]
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, huber, log_cosh, cosine_similarity, hinge,
        squared_hinge, categorical_hinge, kl_divergence, poisson, binary_crossentropy,
        binary_focal_crossentropy, categorical_crossentropy, categorical_focal_crossentropy,
        sparse_categorical_crossentropy)}


def resolve(identifier: Any) -> Loss | None:
    """The :class:`Loss` object for a name, class, instance, config dict or function
    (what ``compile`` trains with)."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, (str, dict, type)):
        return LOSSES.get(identifier)
    if callable(identifier):
        cls = getattr(identifier, "_loss_class", None)
        if cls is None and getattr(identifier, "__module__", "").startswith("keras"):
            name = getattr(identifier, "__name__", "")
            if name in LOSSES:
                return LOSSES.get(name)
        return cls() if cls is not None else LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def get(identifier: Any) -> Loss | Callable[..., Any] | None:
    """Keras's ``losses.get``: a function name gives the per-sample function
    (``get("mse")(y_true, y_pred)`` has one value per sample), a class name or a config
    dict an instance, a function or a Loss itself."""
    if isinstance(identifier, str) and (identifier[:1].islower() or identifier.isupper()):
        loss = LOSSES.get(identifier)  # raises for an unknown name, suggesting one
        return _FUNCTIONS.get(type(loss), loss)
    if isinstance(identifier, (str, dict, type)) or identifier is None \
            or isinstance(identifier, Loss):
        return resolve(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def serialize(loss: Loss) -> dict[str, Any]:
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    from .saving import serialize_keras_object

    return serialize_keras_object(loss)


def deserialize(config: Any) -> Loss | None:
    return resolve(config)
