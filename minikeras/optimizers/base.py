"""Optimizer base: Keras 3's step order over flat buffers.

One step, as Keras 3 takes it: (gradient accumulation), clipping, decoupled
weight decay, the update rule, the moving average of the weights (``use_ema``),
constraints, ``iterations += 1``. The update rule (:meth:`Optimizer.update`)
sees one contiguous run of the flat parameter and gradient buffers and its
slots, so it is a handful of whole-array, in-place NumPy passes. Per-variable
semantics survive the flat layout as segment operations built once:
``clipnorm`` is a norm per variable segment, and ``exclude_from_weight_decay``
is the list of runs that decay.

Writing an optimizer
--------------------
Subclass :class:`Optimizer` and give it two things:

- ``slots``: ``(name, initial value)`` pairs. Each slot is one flat array, as
  large as all the weights together, in their dtype.
- ``update(param, grad, lr, slots, step)``: the rule for one contiguous run.
  ``param`` is updated in place; ``grad`` may be overwritten (use it as
  scratch); ``slots[name]`` are this run's views; ``lr`` is a Python float;
  ``step`` counts updates from 1 (Keras's ``iterations + 1``). A run may hold
  several variables, or part of one, so the rule must be elementwise.

Everything else (the learning rate and its schedule, clipping, weight decay,
EMA, gradient accumulation, constraints, state, ``apply_gradients``) is the
base class's. Optional: ``__init__`` + ``get_config`` for hyperparameters,
:meth:`Optimizer.scratch` for work arrays, :meth:`Optimizer.before_update` for
per-step scalars, :meth:`Optimizer.extra_state` for state beyond the slots::

    class SignMomentum(mk.optimizers.Optimizer):
        slots = (("momentum", 0.0),)

        def update(self, param, grad, lr, slots, step):
            m = slots["momentum"]
            m *= 0.9
            m += grad                  # m = 0.9 m + g
            np.sign(m, out=grad)       # grad is scratch now
            grad *= lr
            param -= grad

``examples/custom_optimizer.py`` trains a model with it.
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import config
from .._tensor import as_tensor
from ..layers.base import FlatBuffer, Variable
from ._runs import _intersect, _runs, _runs_of, _union, trainable_runs  # noqa: F401
from ._validation import (
    _check_learning_rate,
    _number,
    _takes_step,
    _user_stacklevel,
    check_range,
)
from .schedules import LearningRateSchedule
from .schedules import deserialize as deserialize_schedule
from .schedules import serialize as serialize_schedule

#: Slot names the base class adds (kept apart from a subclass's own names).
EMA_SLOT = "_ema"
ACCUMULATOR_SLOT = "_accumulator"

_BASE_ARGS = ("learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm",
              "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
              "gradient_accumulation_steps", "name")
# tf.keras 2 keys found in old configs; they configure nothing here.
_LEGACY_ARGS = ("jit_compile", "is_legacy_optimizer", "mesh")


class Optimizer:
    """Base class of every optimizer (see the module docstring to write one).

    Args:
        learning_rate: a float >= 0, a ``schedules.LearningRateSchedule`` (called
            with ``iterations`` before each update), or a callable (called with no
            argument, or with ``iterations`` if it takes one).
        weight_decay: decoupled decay, ``w -= w * weight_decay * lr`` before the update.
        clipnorm: clip each weight's gradient to this norm (its own norm, as Keras).
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global norm.
        use_ema: keep a moving average of the weights (Keras's EMA).
        ema_momentum: ``average = m * average + (1 - m) * weight``.
        ema_overwrite_frequency: every this many updates, copy the averages into
            the weights; None: only at :meth:`finalize_variable_values` (``fit``
            calls it at the end).
        loss_scale_factor: :meth:`apply` divides the gradients by it, as Keras
            does; a model's ``fit`` never scales its loss, so it cancels there.
        gradient_accumulation_steps: update every N calls with the mean gradient;
            ``iterations`` then counts updates, schedules count calls (Keras).
        name: the optimizer's name (Keras's automatic name if None).

    At most one of ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` may be set.
    The tf.keras 2 arguments ``lr=`` (taken as ``learning_rate`` with a
    DeprecationWarning) and ``decay=`` (ignored, as in Keras 3, with a warning
    that names ``schedules.InverseTimeDecay``) are accepted.
    """

    #: (slot name, initial value): one flat array each, the size of all weights.
    slots: tuple[tuple[str, float], ...] = ()
    #: How :attr:`variables` lists the slots: each group interleaved per weight, groups
    #: one after another (Keras's order of ``add_optimizer_variables`` calls). None: one
    #: group of all slots.
    slot_groups: tuple[tuple[str, ...], ...] | None = None

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=_user_stacklevel())
            learning_rate = kwargs.pop("lr")
        if "decay" in kwargs:
            decay = kwargs.pop("decay")
            if decay:
                warnings.warn(
                    f"Argument `decay` is no longer supported and is ignored, as in Keras 3. "
                    f"For the same effect, pass learning_rate=keras.optimizers.schedules."
                    f"InverseTimeDecay({learning_rate}, 1, {decay}).",
                    UserWarning, stacklevel=_user_stacklevel())
        for legacy in _LEGACY_ARGS:
            kwargs.pop(legacy, None)
        if kwargs:
            self._reject_kwargs(kwargs)
        set_clips = [n for n, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                    ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(set_clips) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}")
        # Keras treats 0 as "off"; negative or NaN is a mistake.
        clips = {arg: None if value is None else check_range(value, arg)
                 for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                    ("global_clipnorm", global_clipnorm))}
        if weight_decay is not None:
            weight_decay = check_range(weight_decay, "weight_decay")
        if gradient_accumulation_steps:
            if isinstance(gradient_accumulation_steps, bool) or not isinstance(
                    gradient_accumulation_steps, (int, np.integer)) \
                    or gradient_accumulation_steps < 2:
                raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                                 "Received: gradient_accumulation_steps="
                                 f"{gradient_accumulation_steps}")
            gradient_accumulation_steps = int(gradient_accumulation_steps)
        else:
            gradient_accumulation_steps = None
        if use_ema:
            momentum = _number(ema_momentum, "ema_momentum")
            if not 0 <= momentum <= 1:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (
                    not isinstance(ema_overwrite_frequency, (int, np.integer))
                    or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        if loss_scale_factor is not None:
            loss_scale_factor = check_range(loss_scale_factor, "loss_scale_factor", 0.0,
                                            low_open=True)
        lr = _check_learning_rate(learning_rate)
        if name is not None and not isinstance(name, str):
            raise ValueError(f"Argument `name` must be a string. Received: name={name!r}")

        self.name = name or config.unique_name(config.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clips["clipnorm"]
        self.clipvalue = clips["clipvalue"]
        self.global_clipnorm = clips["global_clipnorm"]
        self.use_ema = bool(use_ema)
        self.ema_momentum = _number(ema_momentum, "ema_momentum")
        self.ema_overwrite_frequency = int(ema_overwrite_frequency) \
            if ema_overwrite_frequency else None
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        # Keras keeps the rate in floatx: in float32, 0.001 reads back as 0.0010000000474974513
        # and ReduceLROnPlateau's products print (and apply) exactly as Keras's do.
        self._learning_rate = Variable(np.zeros((), dtype=config.floatx()), name="learning_rate",
                                       trainable=False, path=f"{self.name}/learning_rate")
        self._lr_owner: LearningRateSchedule | Callable | None = None
        self._lr_takes_step = False
        self._install_learning_rate(lr)
        self._iterations = Variable(np.zeros((), dtype=np.int64), name="iteration",
                                    trainable=False, path=f"{self.name}/iteration")
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern[str] | None = None
        self.built = False
        self._layout: list[Variable] = []
        self._offsets = np.zeros(1, dtype=np.int64)
        self._dtype = np.dtype(config.floatx())
        self._slots: dict[str, np.ndarray] = {}
        self._scratch: np.ndarray | None = None
        self._buffers: dict[str, np.ndarray] = {}
        self._ema_runs: list[tuple[int, int]] = []
        self._ema_last: list[tuple[int, int]] | None = None

    def _reject_kwargs(self, kwargs: dict[str, Any]) -> None:
        params = inspect.signature(type(self).__init__).parameters.values()
        known = [p.name for p in params if p.kind is not p.VAR_KEYWORD][1:] + list(_BASE_ARGS)
        hints = []
        for key in kwargs:
            close = difflib.get_close_matches(key, known, n=1)
            if close:
                hints.append(f"{key!r} -> did you mean {close[0]!r}?")
        hint = (" " + "; ".join(hints)) if hints else ""
        raise ValueError(f"Argument(s) not recognized: {kwargs}.{hint}")

    # -- learning rate -----------------------------------------------------------------
    def _install_learning_rate(self, lr: float | LearningRateSchedule | Callable) -> None:
        if isinstance(lr, float):
            self._lr_owner = None
            self._learning_rate.value[...] = lr
        else:
            self._lr_owner = lr
            self._lr_takes_step = isinstance(lr, LearningRateSchedule) or _takes_step(lr)

    @property
    def learning_rate(self) -> Any:
        """The rate the next update uses.

        A settable 0-d variable (``float()`` it, ``.assign()`` it, or assign the
        attribute) when the rate is a number; the schedule's current value when a
        schedule or callable owns it (assigning a number then raises TypeError).
        """
        if self._lr_owner is None:
            return self._learning_rate
        return as_tensor(np.asarray(self._current_lr(int(self._iterations.value))))

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        lr = _check_learning_rate(value)
        if isinstance(lr, float) and self._lr_owner is not None:
            what = ("a `LearningRateSchedule` object" if isinstance(
                self._lr_owner, LearningRateSchedule) else "a callable")
            raise TypeError(
                f"This optimizer was created with {what} as its `learning_rate` constructor "
                "argument, hence its learning rate is not settable. If you need the learning "
                "rate to be settable, you should instantiate the optimizer with a float "
                "`learning_rate` argument.")
        self._install_learning_rate(lr)

    # tf.keras 2 spelling
    lr = learning_rate

    @property
    def has_schedule(self) -> bool:
        """True when a schedule or a callable (not a settable number) owns the rate."""
        return self._lr_owner is not None

    def _current_lr(self, raw_iterations: int) -> float:
        owner = self._lr_owner
        if owner is None:
            return float(self._learning_rate.value)
        value = owner(raw_iterations) if self._lr_takes_step else owner()
        return float(np.asarray(value))

    def current_learning_rate(self) -> float:
        """The rate the next update uses, as a Python float."""
        return self._current_lr(int(self._iterations.value))

    # -- iterations --------------------------------------------------------------------
    @property
    def iterations(self) -> Any:
        """Updates taken so far (calls // gradient_accumulation_steps when accumulating)."""
        if self.gradient_accumulation_steps:
            return as_tensor(np.asarray(int(self._iterations.value)
                                        // self.gradient_accumulation_steps))
        return self._iterations

    # -- building ----------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list: Iterable[Variable] | None = None,
                                  var_names: Iterable[str] | None = None) -> None:
        """Exclude variables, or those whose name contains any of ``var_names`` (a regex
        search, as Keras), from weight decay."""
        self._exclude_ids = {id(v) for v in var_list or []}
        names = [str(n) for n in var_names or []]
        self._exclude_pattern = re.compile("|".join(sorted(set(names)))) if names else None
        if self.built:
            self._decay_runs = self._make_decay_runs()

    def _decays(self, variable: Variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern is not None
                    and self._exclude_pattern.search(variable.name) is not None)

    def _make_decay_runs(self) -> list[tuple[int, int]]:
        return _runs([self._decays(v) for v in self._layout], self._offsets)

    def build(self, variables: Iterable[Variable]) -> None:
        """Allocate the flat slots for these variables, in this order.

        Building again with the same variables keeps the state; with others,
        starts afresh (a model calls this when its weights change).
        """
        variables = list(variables)
        for v in variables:
            if not isinstance(v, Variable):
                raise ValueError("An optimizer is built on a list of variables (such as "
                                 f"`model.trainable_variables`). Received: {type(v).__name__}")
            if not np.issubdtype(v.value.dtype, np.floating):
                raise ValueError(f"Variable {v.path!r} has dtype {v.dtype}; an optimizer "
                                 "updates float variables only.")
        if self.built and len(variables) == len(self._layout) \
                and all(a is b for a, b in zip(variables, self._layout)):
            return
        self._layout = variables
        sizes = [v.size for v in variables]
        self._offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        total = int(self._offsets[-1])
        self._dtype = np.dtype(np.result_type(*[v.value.dtype for v in variables])) \
            if variables else np.dtype(config.floatx())
        # Zero slots come from calloc: pages nobody writes (another rank's slice under
        # DataParallel(shard_optimizer=True)) never become resident memory.
        self._slots = {name: (np.zeros(total, dtype=self._dtype) if init == 0
                              else np.full(total, init, dtype=self._dtype))
                       for name, init in self.slots}
        if self.gradient_accumulation_steps:
            self._slots[ACCUMULATOR_SLOT] = np.zeros(total, dtype=self._dtype)
        if self.use_ema:
            self._slots[EMA_SLOT] = np.zeros(total, dtype=self._dtype)
        self._own_slots = [(name, self._slots[name]) for name, _ in self.slots]
        self._whole = [(0, total)]
        self._whole_shape = (total,)
        self._whole_slots = dict(self._own_slots)
        self._decay_runs = self._make_decay_runs()
        self._segments = [(int(a), int(b)) for a, b in zip(self._offsets[:-1],
                                                            self._offsets[1:])]
        self._constrained = [i for i, v in enumerate(variables)
                             if getattr(v, "constraint", None) is not None]
        self._index = {id(v): i for i, v in enumerate(variables)}
        self._scratch = None
        self._buffers = {}
        self._ema_runs = []
        self._ema_last: list[tuple[int, int]] | None = None
        self._slot_variables = self._make_slot_variables()
        self.reset_extra_state()
        self.built = True

    def _rebind_slots(self, slots: dict[str, np.ndarray],
                      variables: list[Variable] | None = None
                      ) -> tuple[dict[str, np.ndarray], list[Variable]]:
        """Make ``slots`` (same names and layout, contents as they are) the slot arrays;
        returns the previous arrays and slot variables, to rebind them later.

        Data-parallel training moves the slots into memory that the ranks of a node
        share for the length of a ``fit`` (so any rank can step any slice), and back.
        """
        if set(slots) != set(self._slots) \
                or any(a.shape != self._whole_shape for a in slots.values()):
            raise ValueError(f"_rebind_slots needs arrays {sorted(self._slots)} of shape "
                             f"{self._whole_shape}.")
        previous = (self._slots, self._slot_variables)
        self._slots = dict(slots)
        self._own_slots = [(name, self._slots[name]) for name, _ in self.slots]
        self._whole_slots = dict(self._own_slots)
        self._slot_variables = variables if variables is not None \
            else self._make_slot_variables()
        return previous

    def scratch(self, n: int, k: int = 0) -> np.ndarray:
        """Preallocated work array number ``k`` (0 or 1), length ``n``: no allocation per step."""
        if self._scratch is None or self._scratch.shape[0] <= k:
            rows = max(k + 1, 0 if self._scratch is None else self._scratch.shape[0])
            self._scratch = np.empty((rows, int(self._offsets[-1])), dtype=self._dtype)
        return self._scratch[k, :n]

    def _buffer(self, key: str) -> np.ndarray:
        buf = self._buffers.get(key)
        if buf is None:
            buf = self._buffers[key] = np.zeros(int(self._offsets[-1]), dtype=self._dtype)
        return buf

    def _make_slot_variables(self) -> list[Variable]:
        """Views of the slots as Keras's optimizer variables, in Keras's order."""
        out = []
        keras_names = [(EMA_SLOT, "average"), (ACCUMULATOR_SLOT, "gradient_accumulator")]
        groups = [[(key, label)] for key, label in keras_names if key in self._slots]
        own = self.slot_groups or (tuple(name for name, _ in self.slots),)
        groups.extend([(name, name) for name in group] for group in own)
        for group in groups:
            for v, (a, b) in zip(self._layout, self._segments):
                for key, label in group:
                    view = self._slots[key][a:b].reshape(v.shape)
                    ref = v.path.replace("/", "_")
                    out.append(Variable(view, name=f"{ref}_{label}", trainable=False,
                                        path=f"{self.name}/{ref}_{label}"))
        return out

    def get_slot(self, variable: Variable, name: str) -> np.ndarray:
        """The slot ``name`` of one variable, as a view shaped like it."""
        i = self._index.get(id(variable)) if self.built else None
        if i is None:
            raise ValueError(f"Unknown variable: {variable!r}. This optimizer was not built "
                             "with it.")
        if name not in self._slots:
            raise ValueError(f"Unknown slot {name!r}; this optimizer has "
                             f"{sorted(self._slots)}.")
        a, b = self._segments[i]
        return self._slots[name][a:b].reshape(variable.shape)

    @property
    def variables(self) -> list[Variable]:
        """Keras's order: iterations, learning rate (unless scheduled), then the slots."""
        out: list[Variable] = [self._iterations]
        if self._lr_owner is None:
            out.append(self._learning_rate)
        if self.built:
            out.extend(self._slot_variables)
            out.extend(self.extra_variables())
        return out

    # -- the update rule (what a subclass writes) ----------------------------------------
    def update(self, param: np.ndarray, grad: np.ndarray, lr: float,
               slots: dict[str, np.ndarray], step: int) -> None:
        """Update one contiguous run of parameters in place.

        Args:
            param: flat weights (a view into a flat buffer), updated in place.
            grad: their gradients, already clipped; may be overwritten (scratch).
            lr: the learning rate for this update (a Python float).
            slots: this run's view of each slot named in ``slots``.
            step: the update count from 1 (Keras's ``iterations + 1``).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "`update(param, grad, lr, slots, step)`.")

    def before_update(self, lr: float, step: int) -> None:
        """Per-update scalar work done once before the runs (Nadam's running product)."""

    # -- stepping ----------------------------------------------------------------------
    def apply_flat(self, values: np.ndarray, grads: np.ndarray,
                   runs: list[tuple[int, int]] | None = None) -> None:
        """One step over flat buffers laid out as :meth:`build` was told.

        Args:
            values: all weights, flat, in build order; updated in place.
            grads: their gradients, same layout. Used as scratch: overwritten.
            runs: the ``(start, stop)`` ranges that train (frozen weights left
                out, or one rank's share); None means the whole buffer.
        """
        if not self.built:
            raise ValueError("Call `optimizer.build(variables)` before `apply_flat()`.")
        if runs is None:
            if values.shape != self._whole_shape or grads.shape != self._whole_shape:
                raise ValueError(f"apply_flat expects flat buffers of shape {self._whole_shape}"
                                 f"; received {values.shape} and {grads.shape}.")
            runs = self._whole
        raw = int(self._iterations.value)
        n_acc = self.gradient_accumulation_steps
        if n_acc and (raw + 1) % n_acc:
            acc = self._slots[ACCUMULATOR_SLOT]
            for a, b in runs:
                np.add(acc[a:b], grads[a:b], out=acc[a:b])
            self._finish(values, runs, raw)
            return
        lr = self._current_lr(raw)
        if not 0.0 <= lr < math.inf:
            raise ValueError(f"The learning rate must be a finite number >= 0; at iteration "
                             f"{raw} it is {lr!r}. The optimizer's state is unchanged.")
        if n_acc:
            acc = self._slots[ACCUMULATOR_SLOT]
            for a, b in runs:
                g = grads[a:b]
                np.add(g, acc[a:b], out=g)
                np.divide(g, n_acc, out=g)
                acc[a:b] = 0.0
            step = raw // n_acc + 1
        else:
            step = raw + 1
        self._clip(grads, runs)
        if self.weight_decay:
            keep = 1.0 - self.weight_decay * lr  # Keras's torch backend: w *= 1 - wd * lr
            for a, b in _intersect(self._decay_runs, runs):
                np.multiply(values[a:b], keep, out=values[a:b])
        self.before_update(lr, step)
        if runs is self._whole:
            self.update(values, grads, lr, self._whole_slots, step)
        else:
            for a, b in runs:
                self.update(values[a:b], grads[a:b], lr,
                            {name: arr[a:b] for name, arr in self._own_slots}, step)
        self._finish(values, runs, raw)

    def _finish(self, values: np.ndarray, runs: list[tuple[int, int]], raw: int) -> None:
        """EMA, constraints and the counter: every call, accumulating or not (Keras)."""
        if self.use_ema:
            ema = self._slots[EMA_SLOT]
            n_acc = self.gradient_accumulation_steps
            it = raw // n_acc if n_acc else raw
            momentum = self.ema_momentum if it != 0 else 0.0
            for a, b in runs:
                e, w = ema[a:b], values[a:b]
                if momentum == 0.0:
                    e[...] = w
                else:  # m * e + (1 - m) * w, as w + m * (e - w): no temporary
                    np.subtract(e, w, out=e)
                    np.multiply(e, momentum, out=e)
                    np.add(e, w, out=e)
            freq = self.ema_overwrite_frequency
            if freq and (it + 1) % freq == 0:
                for a, b in runs:
                    values[a:b] = ema[a:b]
            if runs is not self._ema_last:  # the model passes the same list every step
                self._ema_runs = _union(self._ema_runs, runs)
                self._ema_last = runs
        for i in self._constrained:
            a, b = self._segments[i]
            if any(c < b and a < d for c, d in runs):
                v = self._layout[i]
                w = values[a:b].reshape(v.shape)
                w[...] = v.constraint(w)
        self._iterations.value[...] = raw + 1

    def _clip(self, grads: np.ndarray, runs: list[tuple[int, int]]) -> None:
        if self.clipnorm:
            c = self.clipnorm
            # Segment norms: square once into scratch, one reduceat over the segments.
            live = [i for i, (a, b) in enumerate(self._segments)
                    if b > a and any(s < b and a < e for s, e in runs)]
            if not live:
                return
            sq = self._buffer("clip")
            np.square(grads, out=sq)
            starts = np.asarray([self._segments[i][0] for i in live], dtype=np.int64)
            sums = np.add.reduceat(sq, starts, dtype=np.float64) if len(live) == len(
                self._segments) else np.asarray(
                [np.add.reduce(sq[slice(*self._segments[i])], dtype=np.float64)
                 for i in live])
            for i, total in zip(live, sums):
                norm = math.sqrt(total)
                if norm > c:  # Keras: g * c / max(norm, c)
                    scale = c / norm
                    a, b = self._segments[i]
                    for s, e in runs:
                        lo, hi = max(a, s), min(b, e)
                        if lo < hi:
                            np.multiply(grads[lo:hi], scale, out=grads[lo:hi])
                elif not math.isfinite(norm):
                    a, b = self._segments[i]
                    grads[a:b] = np.nan
        elif self.global_clipnorm:
            c = self.global_clipnorm
            sq = self._buffer("clip")
            total = 0.0
            for a, b in runs:
                np.square(grads[a:b], out=sq[a:b])
                total += float(np.add.reduce(sq[a:b], dtype=np.float64))
            norm = math.sqrt(total)
            if not math.isfinite(norm):
                scale = math.nan  # Keras turns an inf/NaN norm into NaN gradients
            elif norm > c:
                scale = c * (1.0 / norm)
            else:
                return
            for a, b in runs:
                np.multiply(grads[a:b], scale, out=grads[a:b])
        elif self.clipvalue:
            v = self.clipvalue
            for a, b in runs:
                np.clip(grads[a:b], -v, v, out=grads[a:b])

    @property
    def needs_full_gradients(self) -> bool:
        """True when a step reads whole weights or whole gradients (norm clipping,
        constraints): a sharded step must then see everything, not only its slice."""
        return bool(self.clipnorm or self.global_clipnorm or getattr(self, "_constrained", ()))

    # -- the Keras entry points --------------------------------------------------------
    def apply(self, grads: Iterable[Any], trainable_variables: Iterable[Variable] | None = None
              ) -> None:
        """Keras 3's ``apply(grads, trainable_variables)``: one step.

        Builds on the first call. Later calls may pass any of the variables it
        was built with (a None gradient skips its variable, with a warning).
        The caller's gradient arrays are never modified.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first.")
            variables = list(self._layout)
        else:
            variables = list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(f"Received {len(grads)} gradients for {len(variables)} "
                             "variables; pass one gradient per variable.")
        if not self.built:
            self.build(variables)
        indices = []
        for v in variables:
            i = self._index.get(id(v))
            if i is None:
                raise ValueError(
                    f"Unknown variable: {v!r}. This optimizer can only be called for the "
                    "variables it was originally built with. When working with a new set of "
                    "variables, you should recreate a new optimizer instance.")
            indices.append(i)
        if len(set(indices)) < len(indices):
            raise ValueError("A variable appears twice in one `apply_gradients` call; pass "
                             "each variable once (sum its gradients first).")
        pairs = [(i, g) for i, g in zip(indices, grads) if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        if len(pairs) < len(grads):
            missing = [self._layout[i].path for i, g in zip(indices, grads) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing "
                          "the loss. If using `model.compile()`, did you forget to provide "
                          "a `loss` argument?", UserWarning, stacklevel=_user_stacklevel())
        gbuf = self._buffer("grads")
        for i, g in pairs:
            a, b = self._segments[i]
            g = np.asarray(g.value if isinstance(g, Variable) else g)
            if g.size != b - a:
                v = self._layout[i]
                raise ValueError(f"The gradient for variable {v.path!r} has shape {g.shape}; "
                                 f"the variable has shape {v.shape}.")
            gbuf[a:b] = g.reshape(-1)
        runs = _runs_of(sorted(i for i, _ in pairs), self._segments)
        if self.loss_scale_factor is not None:
            for a, b in runs:
                np.divide(gbuf[a:b], self.loss_scale_factor, out=gbuf[a:b])
        flat = getattr(self._layout[0], "_flat", None) if self._layout else None
        if isinstance(flat, FlatBuffer) and flat.values.dtype == self._dtype \
                and flat.owns(self._layout):
            # The variables view one model buffer in this order: update it in place.
            self.apply_flat(flat.values, gbuf, runs if runs != self._whole else None)
            return
        values = self._buffer("values")
        for a, b in runs:
            for i in range(len(self._segments)):
                s, e = self._segments[i]
                if a <= s and e <= b:
                    values[s:e] = self._layout[i].value.reshape(-1)
        self.apply_flat(values, gbuf, runs if runs != self._whole else None)
        for a, b in runs:
            for i in range(len(self._segments)):
                s, e = self._segments[i]
                if a <= s and e <= b:
                    v = self._layout[i]
                    v.value[...] = values[s:e].reshape(v.shape)

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> Any:
        """Keras's ``apply_gradients(zip(grads, vars))``; returns ``iterations``."""
        pairs = list(grads_and_vars)
        if pairs:
            self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self.iterations

    def scale_loss(self, loss: Any) -> Any:
        """``loss * loss_scale_factor`` (Keras); the loss itself when no factor is set."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def finalize_variable_values(self, var_list: Iterable[Variable] | None = None) -> None:
        """With ``use_ema``, copy the moving averages into the weights (``fit`` does at the
        end). Only weights that the average has seen are touched."""
        if not self.use_ema or not self.built:
            return
        ema = self._slots[EMA_SLOT]
        wanted = None if var_list is None else {id(v) for v in var_list}
        for v, (a, b) in zip(self._layout, self._segments):
            if wanted is not None and id(v) not in wanted:
                continue
            if any(s <= a and b <= e for s, e in self._ema_runs):
                v.value[...] = ema[a:b].reshape(v.shape)

    def _ema_exchange(self, swap: bool) -> None:
        """With ``use_ema``: swap every weight the average has seen with its average
        (``swap``), or set those averages to the weights (``SwapEMAWeights``'s hooks)."""
        if not self.use_ema:
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the "
                             f"optimizer. Received: use_ema={self.use_ema}")
        if not self.built:
            return
        ema = self._slots[EMA_SLOT]
        for v, (a, b) in zip(self._layout, self._segments):
            if any(s <= a and b <= e for s, e in self._ema_runs):
                w = v.value.reshape(-1)
                if swap:
                    held = w.copy()
                    w[...] = ema[a:b]
                    ema[a:b] = held
                else:
                    ema[a:b] = w

    # -- state -------------------------------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """Everything a resumed run needs, as arrays: ``iterations``, ``learning_rate``,
        ``slot/<name>`` (flat, in build order) and any :meth:`extra_state`."""
        state = {"iterations": self._iterations.value.copy(),
                 "learning_rate": self._learning_rate.value.copy()}
        for name, arr in self._slots.items():
            state[f"slot/{name}"] = arr.copy()
        if self.built:
            state.update({k: np.array(v) for k, v in self.extra_state().items()})
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`get_state` exactly (built with the same variables).

        Everything is checked before anything changes.
        """
        if not self.built and any(k.startswith("slot/") for k in state):
            raise ValueError("Build the optimizer (`optimizer.build(variables)`) before "
                             "restoring its slots.")
        for key in ("iterations", "learning_rate"):
            if key not in state or np.shape(state[key]) != ():
                raise ValueError(f"Optimizer state needs a scalar {key!r}.")
        for name, arr in self._slots.items():
            src = state.get(f"slot/{name}")
            if src is None or np.shape(src) != arr.shape:
                raise ValueError(f"Optimizer state has no slot {name!r} of shape {arr.shape}.")
        for name, arr in self._slots.items():
            arr[...] = state[f"slot/{name}"]
        self._iterations.value[...] = state["iterations"]
        self._learning_rate.value[...] = state["learning_rate"]
        if self.built:
            self.set_extra_state(state)

    def extra_state(self) -> dict[str, np.ndarray]:
        """Scalars beyond the slots (Nadam's running product); restored by
        :meth:`set_extra_state`, reset by :meth:`reset_extra_state` at build."""
        return {}

    def set_extra_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`extra_state` returned."""

    def reset_extra_state(self) -> None:
        """Called by :meth:`build`: start the extra state afresh."""

    def extra_variables(self) -> list[Variable]:
        """Extra state as Keras optimizer variables (after the slots)."""
        return []

    def set_weights(self, weights: list[Any]) -> None:
        """Keras's ``optimizer.set_weights``: values for :attr:`variables`, in order."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet "
                             "been built. Please call `optimizer.build(trainable_variables)` "
                             "to create the optimizer weights before calling `set_weights()`.")
        targets = self.variables
        if len(weights) != len(targets):
            raise ValueError(f"Expected {len(targets)} arrays for the optimizer variables; "
                             f"received {len(weights)}.")
        for var, w in zip(targets, weights):
            if np.shape(w) != var.shape:
                raise ValueError(f"Optimizer variable {var.path} has shape {var.shape} not "
                                 f"compatible with provided weight shape {np.shape(w)}.")
        for var, w in zip(targets, weights):
            var.assign(w)
        self.set_extra_state({})

    # -- config ------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Constructor arguments (Keras's keys), so ``from_config`` is ``cls(**config)``."""
        owner = self._lr_owner
        if owner is None:
            lr: Any = float(self._learning_rate.value)
        elif isinstance(owner, LearningRateSchedule):
            lr = serialize_schedule(owner)
        else:
            lr = owner
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Optimizer:
        """The optimizer :meth:`get_config` describes (a schedule given as a dict too)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_schedule(config["learning_rate"],
                                                           custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"
