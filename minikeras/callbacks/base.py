"""Callback and CallbackList: Keras 3's hooks, with no per-batch cost when unused.

``CallbackList`` finds, once, which callbacks listen to each batch hook
(``wants``); the fit loop skips a batch hook, and the per-batch logs (a
``result()`` per metric), when nobody would read them. A callback can
refine that decision for itself with ``_listens_to(hook)``: the progress
logger listens to batches only while it draws a bar on a terminal.

Messages go through :func:`print_msg`, which prints on rank 0 only and
keeps a live progress bar intact.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import config

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
                "on_batch_begin", "on_batch_end")

#: The tqdm bar being drawn now (set by ProgbarLogger), so that messages printed
#: meanwhile go above it instead of through it.
_live_bar: list[Any] = []


def is_rank_zero() -> bool:
    """True in a single process, and on rank 0 of a data-parallel run.

    Only rank 0 prints progress and messages and writes logs. The answer
    comes from ``minikeras.distribution``: its ``is_chief()`` when it
    defines one, else the rank of ``current_shard()``.
    """
    from .. import distribution

    ask = getattr(distribution, "is_chief", None)
    if callable(ask):
        return bool(ask())
    shard = distribution.current_shard()
    return shard is None or shard[0] == 0


def print_msg(message: str, line_break: bool = True) -> None:
    """Print a callback's message to stdout as Keras's ``io_utils.print_msg`` does.

    Prints nothing on ranks other than 0. While a progress bar is drawn, the
    message is written above the bar (its leading newline, which in Keras ends
    the half-drawn bar line, is then not needed).
    """
    if not is_rank_zero():
        return
    message = str(message)
    if not config.is_interactive_logging_enabled():
        config.say(message)  # to logging, as Keras sends it to absl
        return
    if _live_bar:
        bar = _live_bar[-1]
        bar.write(message.lstrip("\n"), file=bar.fp, end="\n" if line_break else "")
        return
    out = sys.stdout
    out.write(message + "\n" if line_break else message)
    out.flush()


class Callback:
    """Base class: override any hook; ``self.model`` and ``self.params`` are set before use.

    Every hook takes ``logs`` (a dict; ``{}`` when there is nothing to report).
    ``on_batch_begin``/``on_batch_end`` are the tf.keras names of
    ``on_train_batch_begin``/``on_train_batch_end``: the fit loop calls the
    latter, whose default implementation forwards to the former.
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}
        self.validation_data = None

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs=None):
        """Called once at the start of ``fit``."""

    def on_train_end(self, logs=None):
        """Called once at the end of ``fit`` with the last epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (``epoch`` counts from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called after each epoch's training and validation, with its logs."""

    def on_test_begin(self, logs=None):
        """Called at the start of ``evaluate`` and of each validation run."""

    def on_test_end(self, logs=None):
        """Called at the end of ``evaluate`` and of each validation run."""

    def on_predict_begin(self, logs=None):
        """Called at the start of ``predict``."""

    def on_predict_end(self, logs=None):
        """Called at the end of ``predict``."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch; forwards to ``on_batch_begin``."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch with the running logs; forwards to
        ``on_batch_end``."""
        self.on_batch_end(batch, logs=logs)

    def on_batch_begin(self, batch, logs=None):
        """tf.keras name of ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """tf.keras name of ``on_train_batch_end``."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each ``evaluate`` or validation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each ``evaluate`` or validation batch."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each ``predict`` batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each ``predict`` batch."""

    def _listens_to(self, hook: str) -> bool:
        """Whether the batch hook ``hook`` must be called on this callback.

        By default: when the callback overrides it. Built-in callbacks that
        override a batch hook for an optional feature say no when the feature
        is off.
        """
        return overrides(self, hook)


def _own_override(cb: Any, hook: str) -> bool:
    if hook in getattr(cb, "__dict__", {}):  # LambdaCallback assigns functions per instance
        return True
    impl = getattr(type(cb), hook, None)
    return impl is not None and impl is not getattr(Callback, hook)


def overrides(cb: Any, hook: str) -> bool:
    """True when ``cb`` replaces ``Callback``'s no-op ``hook`` (or, for the
    train batch hooks, their ``on_batch_*`` aliases)."""
    if _own_override(cb, hook):
        return True
    if hook.startswith("on_train_batch_"):
        return _own_override(cb, "on_batch_" + hook[len("on_train_batch_"):])
    return False


def implemented_by(cb: Any, hook: str, cls: type) -> bool:
    """True when ``cb``'s ``hook`` is ``cls``'s own (no subclass or instance replaced it)."""
    if hook in getattr(cb, "__dict__", {}):
        return False
    return getattr(type(cb), hook, None) is cls.__dict__.get(hook)


def _listens(cb: Any, hook: str) -> bool:
    ask = getattr(cb, "_listens_to", None)
    return bool(ask(hook)) if callable(ask) else overrides(cb, hook)


class LazyLogs(Mapping):
    """A logs dict computed on first access: batch hooks that never read it cost nothing."""

    def __init__(self, compute: Callable[[], dict[str, Any]]) -> None:
        self._compute = compute
        self._data: dict[str, Any] | None = None

    def _get(self) -> dict[str, Any]:
        if self._data is None:
            self._data = self._compute()
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __setitem__(self, key: str, value: Any) -> None:
        self._get()[key] = value

    def __repr__(self) -> str:
        return repr(self._get())

    def copy(self) -> dict[str, Any]:
        return dict(self._get())


def _flatten(callbacks: Any) -> list[Any]:
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        out: list[Any] = []
        for cb in callbacks:
            out.extend(_flatten(cb))
        return out
    if isinstance(callbacks, type):
        raise TypeError(f"`callbacks` must hold callback instances; received the class "
                        f"{callbacks.__name__}. Write {callbacks.__name__}(...) instead.")
    return [callbacks]


class CallbackList(Callback):
    """Runs every hook on each callback in order; ``History`` and the progress logger last.

    Args:
        callbacks: callback instances (a list, possibly nested, or one).
        add_history: append a ``History`` unless one is given.
        add_progbar: append a ``ProgbarLogger`` unless one is given.
        model: the model, set on every callback (and ``model.history``).
        **params: ``verbose``, ``epochs``, ``steps``: given to every callback.
    """

    def __init__(self, callbacks: Any = None, add_history: bool = False,
                 add_progbar: bool = False, model: Any = None, **params: Any) -> None:
        from .history import History
        from .progbar import ProgbarLogger

        super().__init__()
        self.callbacks = _flatten(callbacks)
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if add_history and self.history is None:
            self.history = History()
            self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self.params = dict(params)
        self.set_model(model)
        for cb in self.callbacks:
            cb.set_params(self.params)
        self._find_listeners()

    def _find_listeners(self) -> None:
        self._listeners = {hook: [cb for cb in self.callbacks if _listens(cb, hook)]
                           for hook in _BATCH_HOOKS}

    def append(self, callback: Any) -> None:
        """Add one callback at the end (it gets the model and the params)."""
        if self.model is not None:
            callback.set_model(self.model)
        callback.set_params(self.params)
        self.callbacks.append(callback)
        self._find_listeners()

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        self.model = model
        if self.history is not None:
            model.history = self.history
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict[str, Any] | None = None, **more: Any) -> None:
        """Give ``params`` (a dict, or keywords) to every callback; listeners are found again."""
        if params is not None:
            self.params = dict(params)
        self.params.update(more)
        for cb in self.callbacks:
            cb.set_params(self.params)
        self._find_listeners()

    def wants(self, hook: str) -> bool:
        """True when some callback listens to this batch hook."""
        return bool(self._listeners[hook])

    def _listens_to(self, hook: str) -> bool:
        return self.wants(hook)

    def _batch(self, hook: str, batch: int, logs: Any) -> None:
        listeners = self._listeners[hook]
        if listeners:
            logs = {} if logs is None else logs
            for cb in listeners:
                getattr(cb, hook)(batch, logs)

    def _run(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    # Keras hands every hook a dict ({} when there is nothing), so user hooks may
    # index `logs` without a None check.
    def on_train_begin(self, logs=None):
        self._run("on_train_begin", {} if logs is None else logs)

    def on_train_end(self, logs=None):
        self._run("on_train_end", {} if logs is None else logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._run("on_epoch_begin", epoch, {} if logs is None else logs)

    def on_epoch_end(self, epoch, logs=None):
        self._run("on_epoch_end", epoch, {} if logs is None else logs)

    def on_test_begin(self, logs=None):
        self._run("on_test_begin", {} if logs is None else logs)

    def on_test_end(self, logs=None):
        self._run("on_test_end", {} if logs is None else logs)

    def on_predict_begin(self, logs=None):
        self._run("on_predict_begin", {} if logs is None else logs)

    def on_predict_end(self, logs=None):
        self._run("on_predict_end", {} if logs is None else logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._batch("on_train_batch_end", batch, logs)

    def on_batch_begin(self, batch, logs=None):
        self._batch("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._batch("on_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch("on_predict_batch_end", batch, logs)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)
