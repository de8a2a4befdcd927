"""Optimizer base: Keras 3's step order over flat buffers.

One step, as Keras does it: (accumulate), clip, decoupled weight decay, the
update rule, moving average, ``iterations += 1``, constraints. The update rule
(:meth:`Optimizer.update`) sees one contiguous run of the flat parameter and
gradient buffers and its slots, so it is a handful of whole-array NumPy passes;
per-variable semantics (``clipnorm``, weight-decay exclusion) are segment
operations over the same buffers, built once.

Subclassing needs only ``slots`` and ``update`` (see docs/extending.md).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..layers.base import FlatBuffer, Variable
from .schedules import LearningRateSchedule


def _as_value(x: Any) -> Any:
    return x.value if isinstance(x, Variable) else x


def _check_lr(learning_rate: Any) -> Any:
    if isinstance(learning_rate, LearningRateSchedule) or (
            callable(learning_rate) and not isinstance(learning_rate, (int, float, Variable))):
        return learning_rate
    try:
        value = float(_as_value(learning_rate))
    except (TypeError, ValueError):
        raise ValueError("Argument `learning_rate` should be float, or an instance of "
                         "LearningRateSchedule, or a callable (that takes in the current "
                         f"iteration value and returns the corresponding learning rate value). "
                         f"Received instead: learning_rate={learning_rate!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError("Argument `learning_rate` must be a finite number >= 0. "
                         f"Received: learning_rate={learning_rate!r}")
    return value


class Optimizer:
    """Base class of every optimizer.

    Args:
        learning_rate: a float, a ``schedules.LearningRateSchedule``, or a callable.
        weight_decay: decoupled decay: ``w -= w * weight_decay * lr`` before the update.
        clipnorm: clip each weight's gradient to this norm (its own norm, as Keras).
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global norm.
        use_ema, ema_momentum, ema_overwrite_frequency: Keras's moving average of weights.
        loss_scale_factor: accepted for Keras compatibility (it cancels out in float math).
        gradient_accumulation_steps: update every N steps with the mean gradient.
        name: the optimizer's name.

    Subclasses set ``slots`` (name, initial value) and implement ``update``.
    """

    #: (slot name, initial value): one flat array each, the size of all weights.
    slots: tuple[tuple[str, float], ...] = ()
    name = "optimizer"

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        if "decay" in kwargs:
            decay = kwargs.pop("decay")
            if decay:
                warnings.warn(
                    f"The `decay` argument is ignored, as in Keras 3. For the same effect, use "
                    f"learning_rate=keras.optimizers.schedules.InverseTimeDecay("
                    f"{learning_rate}, 1, {decay}).", UserWarning, stacklevel=3)
        for legacy in ("jit_compile", "is_legacy_optimizer", "mesh"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        set_clips = [n for n, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                    ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(set_clips) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}")
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm),
                           ("weight_decay", weight_decay)):
            if value is not None and (not math.isfinite(float(value)) or float(value) < 0):
                raise ValueError(f"Argument `{arg}` must be a finite number >= 0. "
                                 f"Received: {arg}={value}")
        if gradient_accumulation_steps is not None:
            if not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 2:
                raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                                 f"Received: gradient_accumulation_steps="
                                 f"{gradient_accumulation_steps}")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                             f"Received: ema_momentum={ema_momentum}")
        self.name = name or type(self).name
        self.weight_decay = None if weight_decay is None else float(weight_decay)
        self.clipnorm = None if clipnorm is None else float(clipnorm)
        self.clipvalue = None if clipvalue is None else float(clipvalue)
        self.global_clipnorm = None if global_clipnorm is None else float(global_clipnorm)
        self.use_ema = bool(use_ema)
        self.ema_momentum = float(ema_momentum)
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        lr = _check_lr(learning_rate)
        self._lr_owner: LearningRateSchedule | Any = lr if not isinstance(lr, float) else None
        self._learning_rate = Variable(np.asarray(lr if isinstance(lr, float) else 0.0,
                                                  dtype=np.float64),
                                       name="learning_rate", trainable=False)
        self.iterations = Variable(np.zeros((), dtype=np.int64), name="iteration",
                                   trainable=False)
        self._exclude_vars: set[int] = set()
        self._exclude_pattern: re.Pattern[str] | None = None
        self.built = False
        self._layout: list[Variable] = []
        self._offsets = np.zeros(1, dtype=np.int64)
        self._slots: dict[str, np.ndarray] = {}
        self._scratch: np.ndarray | None = None

    # -- learning rate -----------------------------------------------------------------
    @property
    def learning_rate(self) -> Any:
        """The current rate: a settable 0-d variable, or the schedule's value now."""
        if self._lr_owner is None:
            return self._learning_rate
        from .._tensor import as_tensor

        return as_tensor(np.asarray(self.current_learning_rate()))

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self._set_learning_rate(value)

    # tf.keras 2 spelling
    lr = learning_rate

    def _set_learning_rate(self, value: Any) -> None:
        if self._lr_owner is not None and not isinstance(value, LearningRateSchedule) \
                and not callable(value):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument.")
        lr = _check_lr(value)
        if isinstance(lr, float):
            self._learning_rate.value[...] = lr
        else:
            self._lr_owner = lr

    def current_learning_rate(self) -> float:
        """The rate the next step uses, as a Python float."""
        owner = self._lr_owner
        if owner is None:
            return float(self._learning_rate.value)
        if isinstance(owner, LearningRateSchedule):
            return float(owner(int(self.iterations.value)))
        try:
            return float(owner(int(self.iterations.value)))
        except TypeError:
            return float(owner())

    @property
    def has_schedule(self) -> bool:
        return self._lr_owner is not None

    # -- building ----------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list: Iterable[Variable] | None = None,
                                  var_names: Iterable[str] | None = None) -> None:
        """Exclude variables (or names matching any of ``var_names``) from weight decay."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._exclude_vars = {id(v) for v in var_list or []}
        names = list(var_names or [])
        self._exclude_pattern = re.compile("|".join(set(names))) if names else None

    def _decays(self, variable: Variable) -> bool:
        if id(variable) in self._exclude_vars:
            return False
        if self._exclude_pattern is not None and self._exclude_pattern.search(variable.name):
            return False
        return True

    def build(self, variables: list[Variable]) -> None:
        """Allocate the flat slots for these variables (in this order)."""
        self._layout = list(variables)
        sizes = [v.size for v in self._layout]
        self._offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
        total = int(self._offsets[-1])
        dtype = np.result_type(*[v.value.dtype for v in self._layout]) if self._layout \
            else np.float32
        self._dtype = dtype
        self._slots = {name: np.full(total, init, dtype=dtype) for name, init in self.slots}
        if self.gradient_accumulation_steps:
            self._slots["_accumulator"] = np.zeros(total, dtype=dtype)
        if self.use_ema:
            self._slots["_ema"] = np.zeros(total, dtype=dtype)
        self._decay_runs = _runs([self._decays(v) for v in self._layout], self._offsets)
        self._constrained = [(i, v) for i, v in enumerate(self._layout) if v.constraint]
        self._scratch = None
        self.built = True

    def scratch(self, n: int, k: int = 0) -> np.ndarray:
        """Preallocated work array ``k`` (0 or 1) of length ``n``, so steps allocate nothing."""
        if self._scratch is None or self._scratch.shape[1] < n:
            self._scratch = np.empty((2, int(self._offsets[-1])), dtype=self._dtype)
        return self._scratch[k, :n]

    def get_slot(self, variable: Variable, name: str) -> np.ndarray:
        """The slot ``name`` of one variable, as a view shaped like it."""
        i = next(i for i, v in enumerate(self._layout) if v is variable)
        a, b = int(self._offsets[i]), int(self._offsets[i + 1])
        return self._slots[name][a:b].reshape(variable.shape)

    @property
    def variables(self) -> list[Any]:
        """Keras's order: iterations, learning rate, then each variable's slots."""
        out: list[Any] = [self.iterations]
        if self._lr_owner is None:
            out.append(self._learning_rate)
        for v in self._layout:
            for name, _ in self.slots:
                out.append(self.get_slot(v, name))
        return out

    # -- stepping ----------------------------------------------------------------------
    def update(self, param: np.ndarray, grad: np.ndarray, lr: float,
               slots: dict[str, np.ndarray], step: int) -> None:
        """Update one contiguous run of parameters in place.

        Args:
            param: flat weights (a view into the model's buffer), updated in place.
            grad: their gradients, already clipped; may be overwritten.
            lr: the learning rate for this step (a Python float).
            slots: this run's view of each slot.
            step: ``iterations + 1`` (Keras's ``local_step``).
        """
        raise NotImplementedError

    def before_update(self, lr: float, step: int) -> None:
        """Per-step work done once, before the runs are updated (Nadam's product)."""

    def apply_flat(self, values: np.ndarray, grads: np.ndarray,
                   runs: list[tuple[int, int]] | None = None) -> None:
        """One step over flat buffers laid out as :meth:`build` was told.

        ``runs`` are the ``(start, stop)`` ranges that train (frozen weights
        excluded); None means the whole buffer.
        """
        if runs is None:
            runs = [(0, values.size)]
        step = int(self.iterations.value) + 1
        if self.gradient_accumulation_steps:
            acc = self._slots["_accumulator"]
            n = self.gradient_accumulation_steps
            if step % n != 0:
                for a, b in runs:
                    acc[a:b] += grads[a:b]
                self._finish(values, runs, step, updated=False)
                return
            for a, b in runs:
                grads[a:b] += acc[a:b]
                grads[a:b] *= 1.0 / n
                acc[a:b] = 0.0
        self._clip(grads, runs)
        lr = self.current_learning_rate()
        if self.weight_decay:
            wd_lr = self.weight_decay * lr
            for a, b in _intersect(self._decay_runs, runs):
                w = values[a:b]
                w -= w * wd_lr
        self.before_update(lr, step)
        for a, b in runs:
            self.update(values[a:b], grads[a:b], lr,
                        {name: self._slots[name][a:b] for name, _ in self.slots}, step)
        self._finish(values, runs, step, updated=True)

    def _finish(self, values: np.ndarray, runs: list[tuple[int, int]], step: int,
                updated: bool) -> None:
        if self.use_ema:
            ema = self._slots["_ema"]
            momentum = self.ema_momentum if step > 1 else 0.0
            for a, b in runs:
                ema[a:b] = momentum * ema[a:b] + (1.0 - momentum) * values[a:b]
            freq = self.ema_overwrite_frequency
            if freq and step % freq == 0:
                for a, b in runs:
                    values[a:b] = ema[a:b]
        self.iterations.value[...] = step
        if updated:
            for _, v in self._constrained:
                v.assign(v.constraint(v.value))

    def _clip(self, grads: np.ndarray, runs: list[tuple[int, int]]) -> None:
        if self.clipnorm:
            c = self.clipnorm
            for i in range(len(self._layout)):
                a, b = int(self._offsets[i]), int(self._offsets[i + 1])
                if not _inside(a, b, runs):
                    continue
                g = grads[a:b]
                sq = float(np.vdot(g, g))
                norm = math.sqrt(sq) if sq > 0 else sq
                # Keras: g * clipnorm / max(norm, clipnorm)
                g *= c / max(norm, c)
        elif self.global_clipnorm:
            c = self.global_clipnorm
            sq = sum(float(np.vdot(grads[a:b], grads[a:b])) for a, b in runs)
            norm = math.sqrt(sq)
            scale = c * min(1.0 / norm, 1.0 / c) if norm > 0 else 1.0
            if not math.isfinite(norm):
                scale = float("nan")
            if scale != 1.0:
                for a, b in runs:
                    grads[a:b] *= scale
        elif self.clipvalue:
            v = self.clipvalue
            for a, b in runs:
                np.clip(grads[a:b], -v, v, out=grads[a:b])

    def apply(self, grads: list[Any], trainable_variables: list[Variable] | None = None) -> None:
        """Keras 3's ``apply(grads, variables)``: one step for any list of variables."""
        variables = list(trainable_variables if trainable_variables is not None else self._layout)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not pairs:
            return
        grads, variables = [p[0] for p in pairs], [p[1] for p in pairs]
        if not self.built:
            self.build(variables)
        elif not all(a is b for a, b in zip(variables, self._layout)) \
                or len(variables) != len(self._layout):
            raise ValueError("This optimizer was built for a different list of variables; "
                             "create a new optimizer for these.")
        flat = variables[0]._flat
        if flat is not None and flat.owns(variables):
            # The model's own buffer: update in place, copying only foreign gradients.
            for g, v in zip(grads, variables):
                if _as_value(g) is not v.grad:
                    v.grad[...] = _as_value(g)
            self.apply_flat(flat.values, flat.grads)
            return
        dtype = self._dtype
        values = np.concatenate([np.asarray(v.value, dtype=dtype).ravel() for v in variables])
        gflat = np.concatenate([np.asarray(_as_value(g), dtype=dtype).ravel() for g in grads])
        self.apply_flat(values, gflat)
        for v, a, b in zip(variables, self._offsets[:-1], self._offsets[1:]):
            v.value[...] = values[a:b].reshape(v.shape)

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> Any:
        """Keras's ``apply_gradients(zip(grads, vars))``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self.iterations

    def finalize_variable_values(self, variables: list[Variable] | None = None) -> None:
        """With ``use_ema``, overwrite the weights with their moving averages (end of fit)."""
        if not self.use_ema or not self.built:
            return
        for v, a, b in zip(self._layout, self._offsets[:-1], self._offsets[1:]):
            v.value[...] = self._slots["_ema"][a:b].reshape(v.shape)

    # -- state -------------------------------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """Everything a resumed run needs, as arrays (slots are flat, in build order)."""
        state = {"iterations": self.iterations.value.copy(),
                 "learning_rate": self._learning_rate.value.copy()}
        for name, arr in self._slots.items():
            state[f"slot/{name}"] = arr.copy()
        state.update(self.extra_state())
        return state

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore :meth:`get_state` exactly (after :meth:`build` with the same layout)."""
        for name, arr in self._slots.items():
            src = state.get(f"slot/{name}")
            if src is None or src.shape != arr.shape:
                raise ValueError(f"Optimizer state has no slot {name!r} of shape {arr.shape}.")
        for name, arr in self._slots.items():
            arr[...] = state[f"slot/{name}"]
        self.iterations.value[...] = state["iterations"]
        self._learning_rate.value[...] = state["learning_rate"]
        self.set_extra_state(state)

    def extra_state(self) -> dict[str, np.ndarray]:
        """Scalars beyond the slots (Nadam's running product); override with set_extra_state."""
        return {}

    def set_extra_state(self, state: dict[str, np.ndarray]) -> None:
        pass

    def get_config(self) -> dict[str, Any]:
        from .._registry import serialize

        lr = self._lr_owner if self._lr_owner is not None else float(self._learning_rate.value)
        return {"name": self.name,
                "learning_rate": serialize(lr) if isinstance(lr, LearningRateSchedule) else lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Optimizer:
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            from .schedules import SCHEDULES

            config["learning_rate"] = SCHEDULES.from_config_dict(lr, custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _runs(flags: list[bool], offsets: np.ndarray) -> list[tuple[int, int]]:
    """Merge adjacent segments whose flag is True into ``(start, stop)`` ranges."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if not flag:
            continue
        a, b = int(offsets[i]), int(offsets[i + 1])
        if runs and runs[-1][1] == a:
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return runs


def _intersect(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in xs:
        for c, d in ys:
            lo, hi = max(a, c), min(b, d)
            if lo < hi:
                out.append((lo, hi))
    return out


def _inside(a: int, b: int, runs: list[tuple[int, int]]) -> bool:
    return any(c <= a and b <= d for c, d in runs)


def trainable_runs(flat: FlatBuffer, trainable: list[bool]) -> list[tuple[int, int]] | None:
    """The ranges of ``flat`` that train; None when everything does (the fast case)."""
    if all(trainable):
        return None
    return _runs(trainable, flat.offsets)
