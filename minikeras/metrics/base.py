"""Metric base classes: stateful ``update_state`` / ``result`` / ``reset_state``.

State lives in small float64 arrays listed by ``state_arrays()``, so a
data-parallel fit can sum them across processes before ``result()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import config
from .._registry import Registry
from .._tensor import Tensor, as_array, as_tensor
from ..losses import squeeze_or_expand_to_same_rank

METRICS = Registry("metric")


def _float(x: Any, dtype: Any = None) -> np.ndarray:
    x = as_array(x)
    if x.dtype.kind not in "f" or (dtype is not None and x.dtype != dtype):
        x = x.astype(dtype or config.floatx())
    return x


class Metric:
    """Base class: subclasses define ``update_state``, ``result`` and their state arrays.

    Args:
        name: the log key (spaces allowed); a class default otherwise.
        dtype: accepted for Keras compatibility.
    """

    #: True for metrics whose default name counts per process (``auc``, ``auc_1``...).
    unique_default_name = False
    #: The name used when ``name=None``. A class that does not set its own (a user's
    #: subclass) counts per process from its snake-cased class name (Keras's auto_name).
    default_name: str | None = None

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        if name is None:
            own = type(self).__dict__.get("default_name")
            if own is None:
                name = config.unique_name(config.to_snake_case(type(self).__name__))
            elif self.unique_default_name:
                name = config.unique_name(own)
            else:
                name = own
        self.name = name
        # Keras's metric dtype (floatx unless given); results are reported in the model's
        # float type by the fit loop, the state itself is kept in float64.
        self.dtype = str(np.dtype(dtype)) if dtype is not None else config.floatx()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("result")
        if own is not None and cls.__module__.startswith("minikeras."):
            # Keras reports a metric's result in the metric's dtype (floatx: 0.33333334,
            # not 0.3333333333333333); the state stays float64. Our own classes only: a
            # user's result() is theirs, as in Keras.
            def result(self: Metric, _own: Callable[..., Any] = own) -> Tensor:
                value = as_array(_own(self))
                if value.dtype.kind == "f" and value.dtype != self.dtype:
                    value = value.astype(self.dtype)
                return as_tensor(value)

            result.__doc__, result.__wrapped__ = own.__doc__, own  # type: ignore[attr-defined]
            cls.result = result  # type: ignore[method-assign]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError

    def result(self) -> Tensor:
        raise NotImplementedError

    def reset_state(self) -> None:
        for arr in self.state_arrays():
            arr[...] = 0

    def state_arrays(self) -> list[np.ndarray]:
        """The arrays holding this metric's state (summed across ranks when distributed)."""
        return [v.value for v in self.__dict__.get("_added_variables", [])]

    def _build_state(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        """Make a state that is made from the first batch, from these (empty) arrays.

        A data-parallel rank that got no rows calls this, so that its state arrays
        have the shapes the other ranks' have when they are summed.
        """

    def add_variable(self, shape: Any, initializer: Any, dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> Any:
        """A state variable for a user's subclass (Keras's ``Metric.add_variable``).

        Returns a ``Variable`` (``assign``, ``assign_add``, ``numpy()``); it joins
        :meth:`state_arrays`, so the default ``reset_state`` zeroes it.
        """
        from ..initializers import get as get_initializer
        from ..layers.base import Variable, standardize_shape

        added = self.__dict__.setdefault("_added_variables", [])
        name = name or f"variable_{len(added)}"
        value = get_initializer(initializer)(standardize_shape(shape),
                                             dtype=dtype or self.dtype or config.floatx())
        var = Variable(np.asarray(value), name=name, trainable=False, path=f"{self.name}/{name}")
        added.append(var)
        return var

    def add_weight(self, name: str | None = None, shape: Any = (), aggregation: str = "sum",
                   initializer: Any = "zeros", dtype: Any = None) -> Any:
        """Keras's older spelling of :meth:`add_variable`."""
        return self.add_variable(shape, initializer, dtype=dtype, aggregation=aggregation,
                                 name=name)

    #: Keras's variables as ``(name, row)`` of a one-array state (``Mean``: total, count).
    variable_rows: tuple[tuple[str, int], ...] = ()

    @property
    def variables(self) -> list[Any]:
        """The state as Keras's named variables (``.name``, ``.assign``), views of it."""
        from ..layers.base import Variable

        added = self.__dict__.get("_added_variables")
        if added:
            return list(added)
        arrays = self.state_arrays()
        if self.variable_rows and len(arrays) == 1:
            state = arrays[0]
            return [Variable(state[row:row + 1].reshape(state.shape[1:]), name=name,
                             trainable=False, path=f"{self.name}/{name}")
                    for name, row in self.variable_rows]
        return [Variable(a, name=f"variable_{i}", trainable=False, path=f"{self.name}/variable_{i}")
                for i, a in enumerate(arrays)]

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        self.update_state(y_true, y_pred, sample_weight=sample_weight)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> Metric:
        return cls(**config_)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise(values: np.ndarray, sample_weight: Any
                         ) -> tuple[np.ndarray, np.ndarray | None]:
    """Keras's rule: line weights up with values, weight them, average extra axes."""
    values = np.asarray(values, dtype=np.float64)
    sw = None
    if sample_weight is not None:
        sw = np.asarray(as_array(sample_weight), dtype=np.float64)
        values, sw = squeeze_or_expand_to_same_rank(values, sw)
        if values.ndim > sw.ndim:
            values = values.mean(axis=tuple(range(sw.ndim, values.ndim)))
        sw = np.broadcast_to(sw, values.shape)
        values = values * sw
        if sw.ndim > 1:
            sw = sw.mean(axis=tuple(range(1, sw.ndim)))
    if values.ndim > 1:
        values = values.mean(axis=tuple(range(1, values.ndim)))
    return values, sw


@METRICS.register("mean")
class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(values, sample_weight)``."""

    default_name = "mean"
    variable_rows = (("total", 0), ("count", 1))

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._state = np.zeros(2)  # total, count

    def state_arrays(self) -> list[np.ndarray]:
        return [self._state]

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        if sample_weight is None:
            # Unweighted (every training batch of a plain fit): the sum of the per-sample
            # means is the total over the sample size, without building the means.
            values = np.asarray(values)
            if values.ndim <= 1:
                self._state[0] += float(values.sum(dtype=np.float64))
                self._state[1] += values.shape[0] if values.ndim else 1
            elif values.shape[0]:
                per_sample = values.size // values.shape[0]
                self._state[0] += float(values.sum(dtype=np.float64)) / per_sample
                self._state[1] += values.shape[0]
            return
        values, sw = reduce_to_samplewise(values, sample_weight)
        self._state[0] += values.sum()
        self._state[1] += sw.sum()

    def add(self, total: float, count: float) -> None:
        """Add a precomputed sum and weight (the fit loop's loss tracker uses this)."""
        self._state[0] += total
        self._state[1] += count

    def result(self) -> Tensor:
        total, count = self._state
        return as_tensor(0.0 if count == 0 else total / count)


@METRICS.register("sum")
class Sum(Metric):
    """The (weighted) sum of the values."""

    default_name = "sum"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._state = np.zeros(1)

    def state_arrays(self) -> list[np.ndarray]:
        return [self._state]

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        values, _ = reduce_to_samplewise(values, sample_weight)
        self._state[0] += values.sum()

    def result(self) -> Tensor:
        return as_tensor(self._state[0])


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred)`` per sample: accuracies and loss-style metrics."""

    fn: Callable[..., np.ndarray] | None = None

    def __init__(self, fn: Callable[..., Any] | None = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype)  # None: "mean_metric_wrapper", as Keras
        if fn is not None:
            self.fn = fn
        self._fn_kwargs = kwargs
        # Keras: wrapping one of its own losses (an instance or a function) means lower is
        # better, so EarlyStopping(monitor="val_binary_crossentropy") needs no mode.
        fn = self.fn
        if fn is not None and (getattr(fn, "_loss_class", None) is not None
                               or type(fn).__module__ == "minikeras.losses"):
            self._direction = "down"

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        values = self.fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(as_array(values), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}
