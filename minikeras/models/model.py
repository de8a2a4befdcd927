"""Model: compile, fit, evaluate, predict and the per-batch steps.

``Model`` owns training; :class:`~minikeras.models.Sequential` owns the layer
stack (``forward``/``backward``, building, the flat weight buffer). One step
is: forward, loss value and gradient (fused with the output activation where
they cancel), backward into the flat gradient buffer, regularization,
one optimizer pass over the flat buffers, then the loss tracker and metrics.
Nothing in a step is allocated in proportion to the data set.

Input conversion and checking live in :mod:`.inputs` (``InputChecks``), the
data-parallel steps in :mod:`.parallel` (``ParallelSteps``); both are mixed in.
"""

from __future__ import annotations

import numbers
import time
import types
import warnings
from typing import Any

import numpy as np

from .. import config, distribution
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from .. import regularizers as regularizers_mod
from .._errors import NotCompiledError
from .._fused import fused_gradient, fused_value_and_grad
from ..callbacks.base import CallbackList, LazyLogs
from ..data import (
    ArraySource,
    DataSource,
    EpochIterator,
    check_numeric,
    is_generator_like,
    is_pydataset,
    is_sparse,
    ran_out_warning,
    split_validation,
)
from ..layers.base import Layer
from ..optimizers.base import trainable_runs
from .inputs import (
    InputChecks,
    _check_callbacks,
    _check_positive_int,
    _check_validation_freq,
    _like,
    _naming,
    _resolve_verbose,
)
from .parallel import ParallelSteps

#: Rows per forward pass in predict/evaluate when no callback watches batches:
#: results do not depend on it, and big chunks keep the GEMMs efficient. 1.5M
#: elements of the widest layer: W2's 784-wide input gives 1,913-row chunks whose
#: first activations (1.9 MB) stay in a 2 MB L2 for the bias add and ReLU after the
#: product. W3 against its products alone, 4M elements (before) -> 1.5M, medians of 9
#: interleaved runs, twice: 1.10-1.14x -> 1.03-1.04x at 1 thread, 1.18-1.29x ->
#: 1.08-1.12x at 2 (benchmarks/README.md).
_CHUNK_ELEMENTS = 1_500_000


#: Model methods Keras's fit/evaluate/predict call, which a subclass may override.
_KERAS_HOOKS = ("train_step", "test_step", "predict_step", "call", "compute_loss",
                "compute_metrics", "make_train_function", "make_test_function",
                "make_predict_function")


def _not_supported_error(what: str) -> ValueError:
    return ValueError(
        f"minikeras supports Sequential models only; {what} is not supported. Build the model "
        "as keras.Sequential([keras.Input(shape=...), keras.layers.Dense(...), ...]).")


class Model(InputChecks, ParallelSteps, Layer):
    """The training API shared by every model (Keras's ``Trainer``).

    ``keras.Model(inputs, outputs)`` (functional) and subclassed models with a
    ``call()`` are not supported: a clear error names ``Sequential``.
    """

    #: Keras's compile() settings, read back by some programs (set by compile()).
    run_eagerly = False
    jit_compile: Any = "auto"
    steps_per_execution = 1

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        from .sequential import Sequential

        if not issubclass(cls, Sequential):
            if cls is Model:
                raise _not_supported_error("the functional API (keras.Model(inputs, outputs))")
            raise _not_supported_error(f"a subclassed model ({cls.__name__} with call())")
        overridden = [name for name in _KERAS_HOOKS
                      if any(name in vars(k) for k in cls.__mro__[:cls.__mro__.index(Sequential)])]
        if overridden:
            # Keras would call these; silently training without them would be worse.
            raise ValueError(
                f"{cls.__name__} overrides {', '.join(overridden)}, which Keras's fit, "
                "evaluate and predict call; minikeras's loop does not (it has no automatic "
                "differentiation to run a custom train_step), so the subclass is refused "
                "rather than trained without them. Use keras.Sequential with a custom loss, "
                "metric or callback instead.")
        return super().__new__(cls)

    def __init__(self, trainable: bool = True, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.compiled = False
        self.optimizer: optimizers_mod.Optimizer | None = None
        self.loss: Any = None
        self._loss: losses_mod.Loss | None = None
        self.stop_training = False
        self.history = None
        self._loss_tracker = metrics_mod.Mean(name="loss")
        self._metric_specs: list[Any] = []
        self._weighted_specs: list[Any] = []
        self._metrics: list[tuple[metrics_mod.Metric, bool]] | None = None
        self._fused = None
        self._loss_weight = 1.0  # compile(loss_weights=...) for the one output
        self._train_ready: tuple[Any, ...] | None = None

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True, **kwargs: Any) -> None:
        """Choose the optimizer, loss and metrics (names, classes, instances or callables)."""
        kwargs.pop("sample_weight_mode", None)
        if kwargs:
            raise TypeError(f"compile() got unexpected keyword argument(s): {sorted(kwargs)}")
        given_loss = loss
        loss = _one_output(loss, "losses")
        metrics = _one_output(metrics, "metrics", lists=False)
        weighted_metrics = _one_output(weighted_metrics, "metrics", lists=False)
        loss_weight = _one_loss_weight(loss_weights)
        resolved_optimizer = optimizers_mod.get(optimizer)
        resolved_loss = losses_mod.resolve(loss)
        specs = self._check_metric_specs(metrics, "metrics")
        weighted = self._check_metric_specs(weighted_metrics, "weighted_metrics")
        self.optimizer = resolved_optimizer
        self.loss = given_loss  # what the user passed, as Keras keeps it ("mse", a function)
        self._loss = resolved_loss  # what training computes with
        self._loss_weight = loss_weight
        self._metric_specs, self._weighted_specs = specs, weighted
        self._metrics = None
        self._train_ready = None
        self.compiled = True
        # Kept for code that reads them back; minikeras always runs eagerly, a step per call.
        self.run_eagerly, self.jit_compile = bool(run_eagerly), jit_compile
        self.steps_per_execution = steps_per_execution
        self._compile_config = {"loss_weights": loss_weights,
                                "optimizer": optimizer if isinstance(optimizer, str) else None,
                                "loss": loss if isinstance(loss, str) else None,
                                "metrics": metrics, "weighted_metrics": weighted_metrics}
        if self.built:
            self._on_compiled_and_built()

    @staticmethod
    def _check_metric_specs(specs: Any, what: str) -> list[Any]:
        if specs is None:
            return []
        if isinstance(specs, (str, metrics_mod.Metric)) or callable(specs) and not isinstance(
                specs, (list, tuple)):
            specs = [specs]
        out = list(specs)
        for spec in out:
            if isinstance(spec, (list, tuple)):
                raise _not_supported_error(f"nested `{what}` lists (multi-output models)")
            if isinstance(spec, str) and spec.lower() not in ("accuracy", "acc") \
                    and spec not in metrics_mod.METRICS:
                raise ValueError(metrics_mod.METRICS.unknown_message(spec))
        return out

    def get_compile_config(self) -> dict[str, Any] | None:
        """The compile settings as JSON-ready specs (None before compile), as saved in files.

        minikeras's own spec (what its files hold), not Keras's serialized dict: it round
        trips through :meth:`compile_from_config`.
        """
        from ..saving.compile_spec import serialize_compile

        return serialize_compile(self)

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compile with settings from :meth:`get_compile_config`, fresh objects each time."""
        from ..saving.compile_spec import deserialize_compile

        if not isinstance(config, dict):
            raise ValueError("compile_from_config() needs the dict get_compile_config() returns "
                             f"for a compiled model; received {config!r}.")
        self.compile(**deserialize_compile(config, None, "compile_from_config()", self.dtype))

    def _require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise NotCompiledError(f"You must call `compile()` before calling `{method}()`.")

    def _on_compiled_and_built(self) -> None:
        """Pick the fused gradient once, and warn when output and loss do not fit."""
        act = self._output_activation()
        self._fused = None
        if self._loss is not None and act is not None and not self._last_has_activity_reg():
            self._fused = fused_gradient(act, self._loss)
        self._warn_output_loss_mismatch(act)

    def _warn_output_loss_mismatch(self, act: Any) -> None:
        loss = self._loss
        if loss is None:
            return
        name = getattr(act, "name", None)
        units = self._output_units()
        from_logits = getattr(loss, "from_logits", False)
        if isinstance(loss, losses_mod.BinaryCrossentropy) and not from_logits and name == "linear":
            warnings.warn(
                "BinaryCrossentropy expects probabilities but the model ends in a linear "
                "output. End the model with activation='sigmoid', or pass "
                "BinaryCrossentropy(from_logits=True).", UserWarning, stacklevel=3)
        if from_logits and name in ("sigmoid", "softmax"):
            warnings.warn(
                f"{type(loss).__name__}(from_logits=True) expects raw scores, but the model "
                f"ends in a {name}. Remove the {name} or pass from_logits=False.",
                UserWarning, stacklevel=3)
        if name == "softmax" and units == 1:
            warnings.warn(
                "A softmax over 1 unit always outputs 1.0. For binary classification use "
                "Dense(1, activation='sigmoid') with binary cross-entropy.",
                UserWarning, stacklevel=3)
        if isinstance(loss, (losses_mod.CategoricalCrossentropy,
                             losses_mod.SparseCategoricalCrossentropy)) and units == 1:
            warnings.warn(
                f"{type(loss).__name__} on a 1-unit output has nothing to choose between. "
                "Use Dense(num_classes, activation='softmax'), or Dense(1, "
                "activation='sigmoid') with binary cross-entropy.", UserWarning, stacklevel=3)

    # ------------------------------------------------------------------ metrics
    def _resolve_metrics(self, y: Any, y_pred_shape: tuple[int, ...]) -> None:
        """Build the metric objects once the target and output shapes are known."""
        if self._metrics is not None:
            return
        y_shape = tuple(np.shape(y)) if y is not None else y_pred_shape
        out: list[tuple[metrics_mod.Metric, bool]] = []
        names: set[str] = set()
        for weighted, specs in ((False, self._metric_specs), (True, self._weighted_specs)):
            for spec in specs:
                metric = self._make_metric(spec, y_shape, y_pred_shape)
                # A metric object the user made (or shared with another model) starts
                # empty, as Keras's fit and evaluate reset every metric before they begin.
                metric.reset_state()
                if weighted and metric.name in names:
                    metric.name = f"weighted_{metric.name}"
                names.add(metric.name)
                out.append((metric, weighted))
        self._metrics = out

    def _make_metric(self, spec: Any, y_shape: tuple[int, ...],
                     y_pred_shape: tuple[int, ...]) -> metrics_mod.Metric:
        if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
            return metrics_mod.resolve_accuracy(spec, y_shape, y_pred_shape)
        if isinstance(spec, metrics_mod.Metric):
            return spec
        return metrics_mod.get(spec)

    @property
    def metrics(self) -> list[metrics_mod.Metric]:
        """The loss tracker, then the compiled metrics (once resolved); none before
        compile, as in Keras."""
        if not self.compiled:
            return []
        return [self._loss_tracker] + [m for m, _ in (self._metrics or [])]

    def get_metrics_result(self) -> dict[str, Any]:
        """Keras's ``get_metrics_result``: the current value of the loss and of each
        metric, by name, as Python floats (arrays for per-class results)."""
        self._require_compiled("get_metrics_result")
        return self._logs(reduce=False)

    @property
    def metrics_names(self) -> list[str]:
        """``["loss", <each metric's name>]``, in ``evaluate``'s order (tf.keras 2)."""
        if self._metrics is not None:
            return ["loss"] + [m.name for m, _ in self._metrics]
        names = ["loss"]
        seen: set[str] = set()
        for weighted, specs in ((False, self._metric_specs), (True, self._weighted_specs)):
            for spec in specs:
                name = spec if isinstance(spec, str) else getattr(spec, "name", None) \
                    or getattr(spec, "__name__", "metric")
                if weighted and name in seen:
                    name = f"weighted_{name}"
                seen.add(name)
                names.append(name)
        return names

    def reset_metrics(self) -> None:
        self._loss_tracker.reset_state()
        for m, _ in self._metrics or []:
            m.reset_state()

    def _logs(self, reduce: bool = True) -> dict[str, float]:
        """The running results, keys sorted as Keras's ``pythonify_logs``.

        Data-parallel: metric states (and, in evaluation, the loss tracker) are
        summed over ranks first; every rank must call this together.
        """
        dp = self._dp
        if dp is not None and reduce:
            return self._reduced_logs(dp)
        # Keras keeps its trackers in the model's float type and reports them as Python
        # floats: a float32 model reports 0.5249999761581421 for 21/40, and so do we.
        dtype = np.float32 if self._model_dtype() == np.float32 else np.float64
        logs: dict[str, Any] = {"loss": float(dtype(self._loss_tracker.result()))}
        for m, _ in self._metrics or []:
            value = np.asarray(m.result())
            # A per-class result (F1Score(average=None)) stays an array, as in Keras's logs.
            logs[m.name] = float(dtype(value)) if value.ndim == 0 else value.astype(dtype)
        return dict(sorted(logs.items()))

    def _batch_logs(self) -> dict[str, float]:
        # Batch hooks may run on one rank only: never a collective here.
        return self._logs(reduce=False)

    # ------------------------------------------------------------------ preparation
    def _prepare_training(self) -> None:
        """Once per fit/train_on_batch call: pack weights, build the optimizer, find runs."""
        if self._loss is None:  # before the optimizer is built: a refused call changes nothing
            raise ValueError("The model was compiled without a loss; pass `loss=` to compile() "
                             "to train or evaluate it.")
        self._ensure_packed()
        self._mark_input_grads()
        layers = self._all_layers()
        for layer in layers:
            if layer._adds_losses():
                raise NotImplementedError(_added_loss_message(layer))
            if layer._calls_only() and layer._needs_backward():
                raise NotImplementedError(layer._no_backward_message())
        # Layers whose call() may still turn out to add a loss (checked after forward).
        self._call_layers = [layer for layer in layers if layer._calls_only()]
        flat = self._flat
        trainable = [self._variable_trains(v) for v in flat.variables]
        for v, t in zip(flat.variables, trainable):  # before anything changes
            if t and v.regularizer is not None \
                    and type(v.regularizer).grad is regularizers_mod.Regularizer.grad:
                raise NotImplementedError(v.regularizer._no_grad_message())
        layout_ok = self.optimizer.built and len(self.optimizer._layout) == len(flat.variables) \
            and all(a is b for a, b in zip(self.optimizer._layout, flat.variables))
        if not layout_ok:
            self.optimizer.build(flat.variables)
        runs = trainable_runs(flat, trainable)
        regularized = [v for v, t in zip(flat.variables, trainable) if t and v.regularizer]
        self._dp = distribution.active()
        self._set_parallel_hooks(self._dp)
        if self._dp is not None:
            self._dp.broadcast_model(self)
        self._train_ready = (runs, regularized, any(trainable))

    _call_layers: list[Any] = []

    def _refuse_added_losses(self) -> None:
        """Before any gradient: a call() that just called add_loss cannot be trained."""
        for layer in self._call_layers:
            if layer.__dict__.get("_call_losses"):
                raise NotImplementedError(_added_loss_message(layer))

    def _regularization(self, regularized: list[Any], add_grads: bool) -> float:
        total = 0.0
        for v in regularized:
            total += v.regularizer(v.value)
            if add_grads:
                v.regularizer.add_grad(v.value, v.grad)
        return total

    def _penalties(self) -> float:
        """Weight penalties of the layers that train (Keras counts only those), and what
        add_loss added; activity penalties are counted by the forward pass itself."""
        total = 0.0
        for layer in self._all_layers():
            total += sum(layer.__dict__.get("_call_losses", ())) + sum(layer._weight_penalties())
        return total

    # ------------------------------------------------------------------ steps
    def _train_step(self, x: np.ndarray, y: Any, sw: Any) -> None:
        if y is None:
            raise _no_targets_error("fit")
        runs, regularized, any_trainable = self._train_ready
        dp = self._dp
        n = x.shape[0]
        if dp is not None:
            return self._train_step_parallel(dp, x, y, sw)
        y_pred = self._forward(x, training=True)
        if self._call_layers:
            self._refuse_added_losses()
        fused = self._fused is not None
        if fused:
            loss, grad = fused_value_and_grad(self._loss, self._fused, y, y_pred, sw)
        else:
            loss, grad = self._loss.value_and_grad(y, y_pred, sw)
        if self._loss_weight != 1.0:
            loss, grad = loss * self._loss_weight, grad * self._loss_weight
        self._backward(_like(grad, y_pred), from_z=fused)
        loss += self._activity_penalty
        if regularized:
            loss += self._regularization(regularized, add_grads=True)
        if any_trainable:
            self.optimizer.apply_flat(self._flat.values, self._flat.grads, runs)
        self._loss_tracker.add(loss * n, n)
        self._update_metrics(y, y_pred, sw)

    def _test_step(self, x: np.ndarray, y: Any, sw: Any) -> None:
        if y is None:
            raise _no_targets_error("evaluate")
        dp = self._dp
        n = x.shape[0]
        if dp is not None and self._loss.reduction in ("sum", "mean_with_sample_weight"):
            return self._test_step_parallel(dp, x, y, sw)
        if n == 0:  # a rank without rows in this batch (inference runs no collectives)
            if dp is not None:
                self._build_metric_states(y, self._forward(x, training=False))
            return
        y_pred = self._forward(x, training=False)
        loss = self._batch_loss(y, y_pred, sw)
        loss = loss + self._activity_penalty + self._penalties()
        self._loss_tracker.add(loss * n, n)
        self._update_metrics(y, y_pred, sw)

    def _batch_loss(self, y: Any, y_pred: np.ndarray, sw: Any) -> float:
        t, p = self._loss.prepare(y, y_pred)
        loss, _ = self._loss.reduce(self._loss.call(t, p), sw, self._loss.mask(t))
        if np.ndim(loss):
            loss = float(np.mean(loss)) if np.size(loss) else 0.0
        return float(loss) * self._loss_weight

    def _update_metrics(self, y: Any, y_pred: np.ndarray, sw: Any) -> None:
        if self._metrics is None:
            self._resolve_metrics(y, y_pred.shape)
        for metric, weighted in self._metrics:
            metric.update_state(y, y_pred, sw if weighted else None)

    # ------------------------------------------------------------------ fit
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list[Any] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            class_weight: dict[int, float] | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: Any = 1, **kwargs: Any) -> Any:
        """Train for ``epochs`` epochs (Keras's arguments and semantics); returns a History."""
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s): {sorted(kwargs)}")
        self._require_compiled("fit")
        batch_size = _check_positive_int("batch_size", batch_size)
        steps_per_epoch = _capped_steps(_check_positive_int("steps_per_epoch", steps_per_epoch))
        validation_batch_size = _check_positive_int("validation_batch_size",
                                                    validation_batch_size)
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
            raise ValueError(f"`epochs` must be an integer >= 0. Received: epochs={epochs!r}")
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, numbers.Integral) \
                or initial_epoch < 0:
            raise ValueError(f"`initial_epoch` must be an integer >= 0. "
                             f"Received: initial_epoch={initial_epoch!r}")
        if not isinstance(validation_split, numbers.Real) or not 0 <= validation_split < 1:
            raise ValueError("`validation_split` must be a float in [0, 1). "
                             f"Received: validation_split={validation_split!r}")
        verbose_arg, verbose = verbose, _resolve_verbose(verbose)  # callbacks see it as given
        cap = config.max_epochs()
        if cap and cap < epochs:
            warnings.warn(f"Limiting epochs to {cap}", stacklevel=2)
            epochs = cap
        validation_steps = _check_positive_int("validation_steps", validation_steps)
        if validation_data is not None or validation_split:  # warn once without validation
            validation_steps = _capped_steps(validation_steps)
        validation_freq = _check_validation_freq(validation_freq)
        _check_callbacks(callbacks)

        val_data = None
        if validation_data is not None:
            val_data = self._unpack_validation(validation_data)
        split = bool(validation_split) and val_data is None
        if split:
            if is_generator_like(x) or is_pydataset(x):
                raise ValueError("`validation_split` is only supported for array inputs; "
                                 "pass `validation_data` instead.")
            xa, ya, swa = self._standardize_arrays(x, y, sample_weight, "fit", needs_y=True)
            (x, y, sample_weight), val_data = split_validation(xa, ya, swa, validation_split)
        if shuffle and isinstance(x, types.GeneratorType):  # Keras's warning, word for word
            warnings.warn("`shuffle=True` was passed, but will be ignored since the data `x` "
                          "was provided as a generator. The generator is expected to yield "
                          "already-shuffled data.", stacklevel=2)
        source = self._source(x, y, sample_weight, batch_size, shuffle, class_weight, "fit",
                              needs_y=True, checked=split)
        val_source = None
        if val_data is not None:
            vx, vy, vsw = val_data
            with _naming("validation_data", validation_data is not None):
                val_source = self._source(vx, vy, vsw, validation_batch_size or batch_size,
                                          False, None, "fit", needs_y=True, checked=split)
        if isinstance(source, ArraySource) and isinstance(val_source, ArraySource) \
                and not self.built and source.sample_shape() != val_source.sample_shape():
            # Before x builds the model: a refused call leaves it unbuilt.
            raise ValueError(
                f"Invalid `validation_data`: its x has samples of shape "
                f"{val_source.sample_shape()}, but the training x has samples of shape "
                f"{source.sample_shape()}.")
        self._build_for_source(source)
        if val_source is not None:
            # Check the validation features now, not after a first epoch of training.
            with _naming("validation_data", validation_data is not None):
                self._build_for_source(val_source)
        self._prepare_training()
        iterator = EpochIterator(source, steps_per_epoch, rng=self._rng)
        cbs = CallbackList(callbacks, model=self, add_history=True,
                           add_progbar=verbose != 0 and distribution.is_chief(),
                           verbose=verbose_arg, epochs=epochs, steps=iterator.num_steps)
        cbs.params = {"verbose": verbose_arg, "epochs": epochs, "steps": iterator.num_steps}
        for cb in cbs:
            cb.set_params(cbs.params)
        self.stop_training = False
        batch_begin = cbs.wants("on_train_batch_begin")
        batch_end = cbs.wants("on_train_batch_end")
        logs: dict[str, Any] = {}
        cbs.on_train_begin()
        # BackupAndRestore sets this in on_train_begin to resume (Keras 3's hook).
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        dp = self._dp
        if dp is not None and self._train_ready[2]:
            dp.attach(self, sharded=dp.shard_optimizer
                      and not self.optimizer.needs_full_gradients)
        try:
            # A diverging fit overflows to inf and NaN (TerminateOnNaN's cue) silently, as
            # in Keras: no NumPy RuntimeWarning per pass.
            with np.errstate(over="ignore", invalid="ignore"):
                for epoch in range(initial_epoch, epochs):
                    self.reset_metrics()
                    cbs.on_epoch_begin(epoch)
                    steps_run = 0
                    for step, (xb, yb, swb) in iterator.epoch():
                        if batch_begin:
                            cbs.on_train_batch_begin(step)
                        self._train_step(xb, yb, swb)
                        steps_run += 1
                        if batch_end:
                            cbs.on_train_batch_end(step, LazyLogs(self._batch_logs))
                        if self.stop_training:
                            break
                    if steps_run == 0 and epoch > initial_epoch:
                        # A generator spent by the epochs before: no epoch of zeros in the
                        # history, but Keras's warning, and the training ends here.
                        ran_out_warning(stacklevel=2)
                        break
                    epoch_logs = self._logs()
                    if val_source is not None and self._should_validate(epoch, validation_freq):
                        val_logs = self._run_evaluation(val_source, validation_steps, cbs,
                                                        verbose=0)
                        epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                        epoch_logs = dict(sorted(epoch_logs.items()))
                    cbs.on_epoch_end(epoch, epoch_logs)
                    logs = epoch_logs
                    if self.stop_training:
                        break
        except BaseException:
            if dp is not None:
                dp.detach(failed=True)
            raise
        if dp is not None:
            dp.detach()
        if self.optimizer.use_ema:
            self.optimizer.finalize_variable_values()
        cbs.on_train_end(logs)
        self.history = cbs.history
        return cbs.history

    @staticmethod
    def _should_validate(epoch: int, validation_freq: Any) -> bool:
        if isinstance(validation_freq, int):
            return (epoch + 1) % validation_freq == 0
        return (epoch + 1) in validation_freq

    @staticmethod
    def _unpack_validation(data: Any) -> tuple[Any, Any, Any]:
        if is_generator_like(data) or is_pydataset(data):
            return data, None, None
        if isinstance(data, (tuple, list)) and len(data) in (2, 3):
            return (data[0], data[1], data[2] if len(data) == 3 else None)
        raise ValueError("`validation_data` must be a tuple (x_val, y_val) or "
                         "(x_val, y_val, val_sample_weight), a generator or a PyDataset. "
                         f"Received: {type(data).__name__}")

    # ------------------------------------------------------------------ evaluate
    def _run_evaluation(self, source: DataSource, steps: int | None, cbs: CallbackList | None,
                        verbose: int) -> dict[str, float]:
        self._prepare_eval()
        self.reset_metrics()
        self._tracker_is_local = True
        # Evaluation normalizes activity penalties per rank; the tracker sums them exactly.
        train_divisor, self._act_divisor = self._act_divisor, None
        listen = cbs is not None and (cbs.wants("on_test_batch_begin")
                                      or cbs.wants("on_test_batch_end"))
        if steps is None:  # `steps` counts the user's batches
            source = self._maybe_chunk(source, listen, for_loss=True)
        iterator = EpochIterator(source, steps, rng=None)
        if cbs is not None:
            cbs.on_test_begin()
        for step, (xb, yb, swb) in iterator.epoch():
            if listen:
                cbs.on_test_batch_begin(step)
            self._test_step(xb, yb, swb)
            if listen:
                cbs.on_test_batch_end(step, LazyLogs(self._batch_logs))
        logs = self._logs()
        self._tracker_is_local = False
        self._act_divisor = train_divisor
        if cbs is not None:
            cbs.on_test_end(logs)
        return logs

    def _maybe_chunk(self, source: DataSource, listen: bool, for_loss: bool) -> DataSource:
        """Use big batches when nobody watches batches and results cannot depend on them."""
        if listen or not isinstance(source, ArraySource) or source.shuffle:
            return source
        if for_loss and self._loss is not None and self._loss.reduction not in (
                "sum_over_batch_size", "mean"):
            return source
        if for_loss and not all(_per_sample_metric(spec) for spec in
                                (*self._metric_specs, *self._weighted_specs)):
            return source
        if for_loss and any(layer._adds_losses() for layer in self._all_layers()):
            return source  # an add_loss value belongs to each batch (Keras adds it per batch)
        width = max(self._max_width(), 1)
        rows = max(source.batch_size, _CHUNK_ELEMENTS // width)
        if rows == source.batch_size:
            return source
        return ArraySource(source.x, source.y, source.sw, batch_size=rows, shuffle=False,
                           dtype=source.dtype, y_dtype=source.y_dtype,
                           class_weight=source.class_weight, shard=source.shard)

    def _prepare_eval(self, broadcast: bool = False) -> None:
        self._dp = distribution.active()
        if broadcast and self._dp is not None and self._flat is not None:
            self._dp.broadcast_model(self)
        if self._loss is None:
            raise ValueError("The model was compiled without a loss; pass `loss=` to compile() "
                             "to evaluate it.")

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: list[Any] | None = None, return_dict: bool = False,
                 **kwargs: Any) -> Any:
        """The loss (a float) without metrics, ``[loss, metric, ...]`` with, or a dict."""
        kwargs.pop("max_queue_size", None)
        kwargs.pop("workers", None)
        kwargs.pop("use_multiprocessing", None)
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword argument(s): {sorted(kwargs)}")
        self._require_compiled("evaluate")
        batch_size = _check_positive_int("batch_size", batch_size)
        steps = _capped_steps(_check_positive_int("steps", steps))
        verbose_arg, verbose = verbose, _resolve_verbose(verbose)
        _check_callbacks(callbacks)
        source = self._source(x, y, sample_weight, batch_size, False, None, "evaluate",
                              needs_y=True)
        self._build_for_source(source)
        self._prepare_eval(broadcast=True)
        cbs = CallbackList(callbacks, model=self, add_history=False, verbose=verbose_arg,
                           epochs=1, steps=steps or source.num_batches)
        start = time.perf_counter()
        logs = self._run_evaluation(source, steps, cbs, verbose)
        if verbose:
            _print_closing_line(source.num_batches or 0, time.perf_counter() - start, logs,
                                verbose)
        return self._format_results(logs, return_dict)

    def _format_results(self, logs: dict[str, float], return_dict: bool) -> Any:
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------ predict
    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: list[Any] | None = None,
                **kwargs: Any) -> np.ndarray:
        """Outputs for ``x`` as one NumPy array (computed in large chunks)."""
        for legacy in ("max_queue_size", "workers", "use_multiprocessing"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"predict() got unexpected keyword argument(s): {sorted(kwargs)}")
        batch_size = _check_positive_int("batch_size", batch_size)
        steps = _capped_steps(_check_positive_int("steps", steps))
        verbose_arg, verbose = verbose, _resolve_verbose(verbose)
        _check_callbacks(callbacks)
        start = time.perf_counter()
        # A built model checks dense x for NaN/inf chunk by chunk below (see
        # _predict_loop); with `steps`, or before the model is built (a refused call must
        # leave it unbuilt), x is checked whole first.
        check_later = self.built and steps is None
        if is_generator_like(x) or is_pydataset(x):
            source = self._source(x, None, None, batch_size, False, None, "predict", False)
        else:
            xs, _, _ = self._standardize_arrays(x, None, None, "predict", needs_y=False,
                                                check_x=not check_later)
            source = ArraySource(xs, batch_size=batch_size or 32, dtype=self._model_dtype())
        self._build_for_source(source)
        user_steps = source.num_batches  # at the user's batch size, before chunking
        cbs = CallbackList(callbacks, model=self, add_history=False, verbose=verbose_arg,
                           epochs=1, steps=steps or user_steps)  # Keras's three params
        listen = cbs.wants("on_predict_batch_begin") or cbs.wants("on_predict_batch_end")
        if steps is None:  # `steps` counts the user's batches
            source = self._maybe_chunk(source, listen, for_loss=False)
        iterator = EpochIterator(source, steps, rng=None)
        cbs.on_predict_begin()
        known = isinstance(source, ArraySource) and steps is None
        check_rows = check_later and known and not is_sparse(source.x)  # sparse: checked whole
        # A first Dense layer reports whether a chunk's z is finite; only a chunk where it
        # is not gets x's own check (a pass over x that costs ~10% of predict).
        watch = self._input_dense(source) if check_rows else None
        if watch is not None:
            watch._watch_z = True
        try:
            out, parts, seen = self._predict_loop(cbs, iterator, source, listen, known,
                                                  check_rows, watch)
        finally:
            if watch is not None:
                watch._watch_z = False
        cbs.on_predict_end()
        self._release_caches()
        if verbose:
            n = seen if user_steps is None or steps is not None else user_steps
            _print_closing_line(n, time.perf_counter() - start, None, verbose)
        if out is not None:
            return out
        if not parts:
            raise ValueError("predict() received no data.")
        return np.concatenate(parts, axis=0)

    def _predict_loop(self, cbs: CallbackList, iterator: EpochIterator, source: DataSource,
                      listen: bool, known: bool, check_rows: bool,
                      watch: Any) -> tuple[np.ndarray | None, list[np.ndarray], int]:
        """The outputs (one array when the rows are known, else the parts) and the number
        of batches read."""
        out: np.ndarray | None = None
        parts: list[np.ndarray] = []
        row = seen = 0
        for step, (xb, _, _) in iterator.epoch():
            seen = step + 1
            if listen:
                cbs.on_predict_batch_begin(step)
            if watch is None:
                if check_rows:
                    _check_rows(source.x, row, xb.shape[0])
                yb = self._forward(xb, training=False)
            else:
                # Bad rows run through the layers before the check below raises for them:
                # no "invalid value" warnings from their inf * 0 on the way.
                with np.errstate(invalid="ignore"):
                    yb = self._forward(xb, training=False)
                if not watch._z_finite:
                    # Raises if x is bad; if not, finite x overflowed and the outputs stand.
                    _check_rows(source.x, row, xb.shape[0])
            if known:
                if out is None:
                    out = np.empty((source.num_samples, *yb.shape[1:]), dtype=yb.dtype)
                out[row:row + yb.shape[0]] = yb
                row += yb.shape[0]
            else:
                parts.append(np.array(yb, copy=True))
            if listen:
                cbs.on_predict_batch_end(step, {"outputs": yb})
        return out, parts, seen

    def _input_dense(self, source: ArraySource) -> Any:
        """The Dense layer that reads x first, when its z can stand in for x's check."""
        return None

    # ------------------------------------------------------------------ on batch
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: dict[int, float] | None = None,
                       return_dict: bool = False) -> Any:
        """One optimizer step on one batch; the metrics are reset first (Keras 3)."""
        self._require_compiled("train_on_batch")
        source = self._source(x, y, sample_weight, None, False, class_weight, "train_on_batch",
                              needs_y=True)
        self._build_for_source(source)
        self._prepare_training()
        self.reset_metrics()
        whole = source.batch_at(slice(0, source.num_samples))
        self._train_step(*whole)
        return self._format_results(self._logs(), return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        """Loss and metrics on one batch; the metrics are reset first (Keras 3)."""
        self._require_compiled("test_on_batch")
        source = self._source(x, y, sample_weight, None, False, None, "test_on_batch", True)
        self._build_for_source(source)
        self._prepare_eval(broadcast=True)
        self.reset_metrics()
        self._test_step(*source.batch_at(slice(0, source.num_samples)))
        return self._format_results(self._logs(), return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """Outputs for one batch as a NumPy array."""
        xs, _, _ = self._standardize_arrays(x, None, None, "predict_on_batch", needs_y=False)
        source = ArraySource(xs, batch_size=max(1, xs.shape[0]), dtype=self._model_dtype())
        self._build_for_source(source)
        xb = source.batch_at(slice(0, source.num_samples))[0]
        return np.array(self._forward(xb, training=False), copy=True)

    # ------------------------------------------------------------------ persistence
    def save(self, filepath: Any, overwrite: bool = True, zipped: Any = None,
             **kwargs: Any) -> None:
        """Save architecture, weights, compile settings and optimizer state atomically.

        Any file name works (``.keras`` included); the file is minikeras's safe
        format unless ``format="keras"`` asks for a Keras 3 file.
        """
        from ..saving import save_model

        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
        """Save the weights alone (atomically)."""
        from ..saving import save_weights

        save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Load weights saved by ``save_weights`` (or ``save``); shapes are checked first."""
        from ..saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    # ------------------------------------------------------------------ hooks for subclasses
    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        raise NotImplementedError

    def _backward(self, grad: np.ndarray, from_z: bool = False) -> None:
        raise NotImplementedError

    def _build_for_source(self, source: DataSource) -> None:
        raise NotImplementedError

    def _ensure_packed(self) -> None:
        raise NotImplementedError

    def _output_activation(self) -> Any:
        raise NotImplementedError

    def _output_units(self) -> int | None:
        raise NotImplementedError

    def _max_width(self) -> int:
        raise NotImplementedError

    def _all_layers(self) -> list[Layer]:
        raise NotImplementedError

    def _variable_trains(self, variable: Any) -> bool:
        raise NotImplementedError

    def _mark_input_grads(self) -> None:
        raise NotImplementedError

    def _last_has_activity_reg(self) -> bool:
        raise NotImplementedError

    def _release_caches(self) -> None:
        pass

    _activity_penalty = 0.0
    _act_divisor: float | None = None
    _dp: Any = None
    _tracker_is_local = False
    _sharded_step = False


def _added_loss_message(layer: Any) -> str:
    return (f"Layer {layer.name!r} ({type(layer).__name__}) calls add_loss() in call(): "
            "minikeras has no automatic differentiation, so fit() cannot train on a loss "
            "computed there (evaluate() and layer.losses include it). For a penalty on "
            "activations use activity_regularizer= or layers.ActivityRegularization; on "
            "weights, kernel_regularizer= / bias_regularizer=.")


def _one_loss_weight(loss_weights: Any) -> float:
    """The one output's loss weight: a number, or a list or dict holding one (Keras)."""
    if loss_weights is None:
        return 1.0
    weights = list(loss_weights.values()) if isinstance(loss_weights, dict) else (
        list(loss_weights) if isinstance(loss_weights, (list, tuple)) else [loss_weights])
    if len(weights) != 1 or not isinstance(weights[0], numbers.Real) \
            or isinstance(weights[0], bool) or not np.isfinite(weights[0]):
        raise ValueError("`loss_weights` must be one finite number for the model's one output "
                         "(a float, or a list or dict holding one); minikeras models have one "
                         f"output. Received: loss_weights={loss_weights!r}")
    return float(weights[0])


def _no_targets_error(method: str) -> ValueError:
    # Arrays are checked up front (_standardize_arrays); a generator or PyDataset shows
    # its batches only as they come.
    return ValueError(f"{method}() needs targets y: the generator or PyDataset yielded x "
                      "alone. Yield (x, y) or (x, y, sample_weight) batches.")


def _one_output(value: Any, what: str, lists: bool = True) -> Any:
    """The one output's entry of a list (losses) or dict that Keras accepts per output."""
    if isinstance(value, dict) or lists and isinstance(value, (list, tuple)):
        if len(value) != 1:
            kind = "dict" if isinstance(value, dict) else "list"
            raise _not_supported_error(f"a {kind} of {what} for several outputs "
                                       "(multi-output models)")
        return next(iter(value.values())) if isinstance(value, dict) else value[0]
    return value


def _per_sample_metric(spec: Any) -> bool:
    """Whether a compiled metric's result is the same at any batch size.

    A metric function that returns one value per batch, or a Loss object used as a metric,
    is averaged over batches (Keras's MeanMetricWrapper), so its result depends on the batch
    size; so may a user's own Metric class. Built-in names, classes and per-sample
    functions do not.
    """
    if isinstance(spec, str):
        return True
    if isinstance(spec, losses_mod.Loss):
        return False
    fn = getattr(spec, "fn", None) if isinstance(spec, metrics_mod.Metric) else spec
    if isinstance(spec, metrics_mod.Metric) and fn is None:
        return type(spec).__module__.startswith("minikeras.")
    if isinstance(spec, type):
        return spec.__module__.startswith("minikeras.")
    return not isinstance(fn, losses_mod.Loss) and \
        getattr(fn, "__module__", "").startswith("minikeras.")


def _capped_steps(steps: int | None) -> int | None:
    """``steps`` under ``config.max_steps_per_epoch()``, with Keras's warning when it cuts."""
    cap = config.max_steps_per_epoch()
    if cap and (steps is None or cap < steps):
        warnings.warn(f"Limiting steps_per_epoch to {cap}", stacklevel=3)
        return cap
    return steps


def _print_closing_line(steps: int, elapsed: float, logs: dict[str, float] | None,
                        verbose: int) -> None:
    """Keras's line after evaluate/predict: "12/12 - 0s - 3ms/step - accuracy: 0.9389 ..."."""
    if not distribution.is_chief():
        return
    from ..callbacks.progbar import _format_time, format_logs

    per_step = _format_time(elapsed / steps if steps else 0.0)
    text = format_logs(logs, signed=verbose == 2) if logs else ""
    line = f"{steps}/{steps} - {elapsed:.0f}s - {per_step}"
    config.say(f"{line} - {text}" if text else line)


def _check_rows(x: np.ndarray, start: int, n: int) -> None:
    """NaN/inf check of ``x[start:start + n]``; a finding is reported for the whole ``x``."""
    try:
        check_numeric(x[start:start + n], "x")
    except ValueError:
        check_numeric(x, "x")  # the message counts every bad row and names the first
        raise
