"""Input checking for fit/evaluate/predict: once, at the public boundary.

Everything a user passes is converted and checked here before any state
changes (weights, optimizer, metrics): NaN/inf with row counts, labels the
loss cannot mean anything with, targets and weights that do not line up with
the model's output, DataFrame columns, argument values. Mixed into
:class:`~minikeras.models.model.Model`.
"""

from __future__ import annotations

import contextlib
import copy
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import config
from .. import losses as losses_mod
from ..data import (
    ArraySource,
    DataSource,
    GeneratorSource,
    PyDatasetSource,
    check_numeric,
    class_weight_lookup,
    is_dataframe,
    is_generator_like,
    is_pydataset,
    is_sparse,
    to_array,
)


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2) or isinstance(verbose, bool):
        return int(verbose)
    raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")


@contextlib.contextmanager
def _naming(argument: str, enabled: bool = True) -> Iterator[None]:
    """Prefix a refusal with the argument it concerns (``x``, ``y`` alone would mislead)."""
    try:
        yield
    except (ValueError, TypeError) as err:
        if not enabled:
            raise
        raise type(err)(f"Invalid `{argument}`: {err}") from None


def _like(grad: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The loss gradient in ``y_pred``'s shape.

    A loss lines ``y_pred`` of shape ``(n, k, 1)`` up with targets ``(n, k)`` by
    dropping the size-1 axis (Keras's rank rule); backward needs it back.
    """
    return grad if grad.shape == y_pred.shape else grad.reshape(y_pred.shape)


def _check_validation_freq(value: Any) -> int | list[int]:
    """Keras's ``validation_freq``: every N epochs, or a collection of epoch numbers (from 1)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1:
        return int(value)
    if isinstance(value, (list, tuple, set, frozenset, range)) and all(
            isinstance(e, numbers.Integral) and not isinstance(e, bool) for e in value):
        return [int(e) for e in value]
    raise ValueError("`validation_freq` must be a positive integer (validate every N epochs) or "
                     f"a list of epoch numbers counted from 1. Received: validation_freq={value!r}")


def _check_callbacks(callbacks: Any) -> None:
    """Refuse anything that is not a callback before any state changes."""
    from ..callbacks.base import _flatten

    for cb in _flatten(callbacks):
        if not (hasattr(cb, "set_model") and hasattr(cb, "set_params")):
            raise TypeError("`callbacks` must be a list of keras.callbacks.Callback instances. "
                            f"Received an element {cb!r} of type {type(cb).__name__}.")


def _check_positive_int(name: str, value: Any, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


class InputChecks:
    """The conversion and validation half of ``Model`` (see the module docstring)."""

    def _model_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    def _y_dtype(self) -> Any:
        if self._loss is not None and getattr(self._loss, "sparse_targets", False):
            return None  # integer labels stay integers
        return self._model_dtype()

    def _source(self, x: Any, y: Any, sample_weight: Any, batch_size: int | None,
                shuffle: bool, class_weight: Any, what: str, needs_y: bool,
                checked: bool = False) -> DataSource:
        """Validate array input once, at the boundary, and wrap it as a data source.

        ``checked``: the arrays already went through :meth:`_standardize_arrays`
        (a validation split checks the whole data once, before splitting).
        """
        if class_weight is not None and sample_weight is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        cw = class_weight_lookup(class_weight) if class_weight is not None else None
        if isinstance(x, DataSource):
            return x
        if is_pydataset(x):
            if y is not None:
                raise ValueError("`y` must be None when `x` is a PyDataset (it yields both).")
            return PyDatasetSource(x, shuffle=shuffle, dtype=self._model_dtype(),
                                   y_dtype=self._y_dtype(), class_weight=cw,
                                   shard=self._shard())
        if is_generator_like(x):
            if y is not None:
                raise ValueError("`y` must be None when `x` is a generator (it yields both).")
            return GeneratorSource(x, dtype=self._model_dtype(), y_dtype=self._y_dtype(),
                                   class_weight=cw)
        if not checked:
            x, y, sample_weight = self._standardize_arrays(x, y, sample_weight, what, needs_y)
        return ArraySource(x, y, sample_weight, batch_size=batch_size or 32, shuffle=shuffle,
                           dtype=self._model_dtype(), y_dtype=self._y_dtype(),
                           class_weight=cw, shard=self._shard())

    def _shard(self) -> tuple[int, int] | None:
        from .. import distribution

        return distribution.current_shard()

    def _standardize_arrays(self, x: Any, y: Any, sample_weight: Any, what: str,
                            needs_y: bool, check_x: bool = True) -> tuple[Any, Any, Any]:
        if isinstance(x, (tuple, list)) and len(x) in (2, 3) and y is None and needs_y \
                and all(hasattr(a, "shape") for a in x):
            raise ValueError(f"`x` passed to {what}() is a tuple; pass x and y separately "
                             "(model.fit(x, y)).")
        if x is None:
            raise ValueError(f"{what}() needs input data `x`.")
        if is_dataframe(x):
            self._check_columns(x, what)
        x = to_array(x, "x")
        if not is_sparse(x) and x.ndim == 0:
            raise ValueError("`x` must be an array of samples (rows); received a scalar "
                             f"{x.item()!r}.")
        if check_x or is_sparse(x):
            check_numeric(x, "x")  # sparse too: its stored values
        else:
            check_numeric(x[:0], "x")  # the dtype now; the caller checks the values later
        x = self._fit_input_rank(x)
        n = x.shape[0]
        if n == 0:
            raise ValueError(f"{what}() received empty data: `x` has 0 rows.")
        if 0 in x.shape[1:]:
            raise ValueError(f"{what}() received empty samples: `x` has shape {x.shape}, so each "
                             "sample holds no values.")
        if y is None and needs_y:
            raise ValueError(f"{what}() needs targets `y` (or a generator yielding (x, y)).")
        if y is not None:
            y = to_array(y, "y")
            check_numeric(y, "y")
            if y.ndim == 0 or y.shape[0] != n:
                raise ValueError(
                    f"x and y must have the same number of rows: x has {n} and y has "
                    f"{y.shape[0] if y.ndim else 'a scalar'}. Make sure all arrays contain the "
                    "same number of samples.")
            self._check_targets(y)
        if sample_weight is not None:
            sample_weight = to_array(sample_weight, "sample_weight")
            check_numeric(sample_weight, "sample_weight")  # before float(): names the argument
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            if sample_weight.shape[:1] != (n,):
                raise ValueError(f"`sample_weight` must have one weight per row of x ({n}); "
                                 f"received shape {sample_weight.shape}.")
            if (sample_weight < 0).any():
                raise ValueError("`sample_weight` values must be >= 0; received "
                                 f"{int((sample_weight < 0).sum())} negative value(s).")
        if y is not None:
            self._check_target_shape(x, y, sample_weight)
        return x, y, sample_weight

    def _check_target_shape(self, x: Any, y: Any, sample_weight: Any) -> None:
        """Targets (and weights) the loss cannot line up with the output fail here.

        Otherwise they would fail inside the first step, after the metrics were
        reset, or after a first epoch when they are ``validation_data``. The
        loss's own ``prepare``/``reduce`` run on a one-row probe, so the rules
        and messages are the loss's.
        """
        loss = self._loss
        if loss is None or is_sparse(y):
            return
        out = self._output_shape_for(x)
        if out is None or any(s is None for s in out[1:]):
            return
        half = np.full((), 0.5, dtype=self._model_dtype())
        try:
            _, p = loss.prepare(y[:1], np.broadcast_to(half, (1, *out[1:])))
        except ValueError:
            # One row may not say enough: the full-size run (a zero-stride output) decides,
            # and its message shows the real shapes.
            try:
                _, p = loss.prepare(y, np.broadcast_to(half, (y.shape[0], *out[1:])))
            except ValueError as err:
                raise ValueError(f"`y` of shape {y.shape} does not fit the model's output of "
                                 f"shape {(None, *out[1:])}: {err}") from None
        if sample_weight is not None and not isinstance(loss, losses_mod.LossFunctionWrapper):
            # A zero-stride stand-in for the per-sample losses: the weights' shape is what counts.
            values = np.broadcast_to(np.zeros((), dtype=p.dtype), (y.shape[0], *p.shape[1:-1]))
            loss.reduce(values, sample_weight)
        self._probe_metrics(y, sample_weight, half, out)

    def _probe_metrics(self, y_all: Any, sw_all: Any, half: np.ndarray,
                       out: tuple[Any, ...]) -> None:
        """Each metric on one probe row, so a target it cannot read fails before training.

        The probe runs on copies: the metrics' states (and the accuracy variant
        chosen from the first real batch's shapes) stay as they are.
        """
        y, y_pred = y_all[:1], np.full((1, *out[1:]), half)
        sw = None if sw_all is None else sw_all[:1]
        if self._metrics is not None:
            pairs = self._metrics
        else:
            # Stand-ins built from names must not use up automatic names ("auc", "auc_1").
            counters = dict(config._name_counters)
            try:
                pairs = [(self._make_metric(spec, y.shape, y_pred.shape), weighted)
                         for weighted, specs in ((False, self._metric_specs),
                                                 (True, self._weighted_specs)) for spec in specs]
            finally:
                config._name_counters.clear()
                config._name_counters.update(counters)
        for metric, weighted in pairs:
            try:
                probe = copy.deepcopy(metric)
            except Exception:  # noqa: BLE001 - a user's metric that cannot be copied is not probed
                continue
            try:
                # A probe row's numeric warnings mean nothing. np.errstate, not
                # warnings.catch_warnings: changing the filters makes Python forget which
                # warnings it has shown, and a loop of models would repeat each one.
                with np.errstate(all="ignore"):
                    probe.update_state(y, y_pred, sw if weighted else None)
            except (ValueError, TypeError):
                # A metric may need more than one row (both classes, say): the full-size
                # run on another copy decides, and its message shows the real shapes.
                try:
                    copy.deepcopy(metric).update_state(
                        y_all, np.full((y_all.shape[0], *out[1:]), half),
                        sw_all if weighted else None)
                except (ValueError, TypeError) as err:
                    raise type(err)(f"`y` of shape {y_all.shape} does not fit the metric "
                                    f"{metric.name!r}: {err}") from None

    def _output_shape_for(self, x: Any) -> tuple[Any, ...] | None:
        """The output shape for input ``x``; None when the input does not fit (reported later)."""
        shape = (None, *x.shape[1:])
        built_for = getattr(self, "_build_input_shape", None) if self.built else None
        if built_for is not None and tuple(built_for[1:]) != shape[1:]:
            return None
        try:
            return tuple(self.compute_output_shape(shape))
        except (ValueError, TypeError):
            return None

    def _check_columns(self, frame: Any, what: str) -> None:
        """Refuse a DataFrame holding the training columns in another order.

        Keras reads a DataFrame by position and ignores its column names, so other names
        (``pd.DataFrame(scaler.transform(X))`` has none) are accepted; a training column in
        another place would silently feed that feature to another weight.
        """
        if not hasattr(frame, "columns"):  # a Series (one feature, tensorflow.org's tutorial)
            return
        names = [str(c) for c in frame.columns]
        known = self.__dict__.get("input_columns")
        if known is None:
            if what in ("fit", "train_on_batch"):
                self.input_columns = names
            return
        moved = [n for i, n in enumerate(names) if n in known and known.index(n) != i]
        if moved:
            raise ValueError(
                f"The DataFrame passed to {what}() has training columns in other places "
                f"({moved}): {names}; the model was trained on {known}. Select them with "
                "df[model.input_columns].")

    def _check_targets(self, y: np.ndarray) -> None:
        """Labels that the loss cannot mean anything with are refused up front."""
        loss = self._loss
        if loss is None or isinstance(y, np.memmap):
            return
        if isinstance(loss, losses_mod.BinaryCrossentropy) and y.size:
            lo, hi = float(y.min()), float(y.max())
            if lo < 0 or hi > 1:
                raise ValueError(
                    f"{type(loss).__name__} needs labels in [0, 1]; y holds values from {lo:g} "
                    f"to {hi:g}. For more than two classes use SparseCategoricalCrossentropy "
                    "with a softmax output.")
        if isinstance(loss, losses_mod.SparseCategoricalCrossentropy) and y.size:
            units = self._output_units()
            labels = y[..., 0] if y.ndim > 1 and y.shape[-1] == 1 else y
            if labels.ndim > 1 and units is not None and labels.shape[-1] == units:
                raise ValueError(
                    f"SparseCategoricalCrossentropy needs integer class labels, but y has shape "
                    f"{y.shape} (one-hot?). Use CategoricalCrossentropy for one-hot targets.")
            if np.issubdtype(labels.dtype, np.floating) and not np.all(np.mod(labels, 1) == 0):
                raise ValueError("SparseCategoricalCrossentropy needs integer class labels; "
                                 "y holds non-integer values.")
            if units is not None:
                loss.check_labels(labels.astype(np.int64), units)

    def _fit_input_rank(self, x: Any) -> Any:
        """Keras's rank adjustment (``Functional._adjust_input_rank``): a last axis of
        size 1 that x has and the declared input lacks is dropped, one that the input
        has and x lacks is added ((n, 28, 28) into ``Input((28, 28, 1))``). A 1-D x is
        one feature per row only when the model takes one feature."""
        if is_sparse(x):
            return x
        adjust = self._rank_adjustment(x.shape) if x.ndim >= 2 else None
        if adjust is not None:
            return adjust(x)
        if x.ndim != 1:
            return x
        shape = self._expected_input_shape()
        if shape is not None and len(shape) == 2 and shape[1] == 1:
            return x.reshape(-1, 1)
        expected = f"(n, {shape[1]})" if shape is not None and len(shape) == 2 else "(n, features)"
        raise ValueError(
            f"Expected 2-D input of shape {expected}; received a 1-D array of shape {x.shape}. "
            "Use x.reshape(-1, 1) for one feature per sample, or x.reshape(1, -1) for one "
            "sample.")

    def _rank_adjustment(self, x_shape: tuple[int, ...]) -> Any:
        """The reshape of Keras's rank adjustment for batches of ``x_shape``, or None."""
        shape = self._expected_input_shape()
        if shape is None:
            return None
        if len(x_shape) == len(shape) + 1 and x_shape[-1] == 1:
            return lambda x: x.reshape(x.shape[:-1])
        if len(x_shape) == len(shape) - 1 and shape[-1] == 1:
            return lambda x: x.reshape(*x.shape, 1)
        return None

    def _expected_input_shape(self) -> tuple[Any, ...] | None:
        raise NotImplementedError
