"""Callback and CallbackList: Keras 3's hooks, with no per-batch cost when unused.

``CallbackList`` finds, once, which callbacks override the batch hooks; the
fit loop asks ``wants_batch_logs`` and skips building per-batch logs (a
result() per metric) when nobody would read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
                "on_batch_begin", "on_batch_end")


class Callback:
    """Base class: override any hook; ``self.model`` and ``self.params`` are set before use."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}
        self.validation_data = None

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


def _overrides(cb: Callback, hook: str) -> bool:
    impl = getattr(type(cb), hook, None)
    base = getattr(Callback, hook)
    if impl is None or impl is base:
        # on_train_batch_* forward to on_batch_*: count an override of either.
        if hook.startswith("on_train_batch_"):
            alias = "on_batch_" + hook[len("on_train_batch_"):]
            return getattr(type(cb), alias, None) is not getattr(Callback, alias)
        return False
    return True


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

    def copy(self) -> dict[str, Any]:
        return dict(self._get())


class CallbackList:
    """Runs every hook on each callback in order; ``History`` and the progress bar last."""

    def __init__(self, callbacks: list[Callback] | None = None, model: Any = None,
                 add_history: bool = True, add_progbar: bool = False, verbose: int = 0,
                 **params: Any) -> None:
        from .history import History
        from .progbar import ProgbarLogger

        self.callbacks = list(callbacks or [])
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if add_history and self.history is None:
            self.history = History()
            self.callbacks.append(self.history)
        if add_progbar and verbose and not any(isinstance(cb, ProgbarLogger)
                                               for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self.params = {"verbose": verbose, **params}
        self.model = model
        for cb in self.callbacks:
            if model is not None:
                cb.set_model(model)
            cb.set_params(self.params)
        self._listeners = {hook: [cb for cb in self.callbacks if _overrides(cb, hook)]
                           for hook in _BATCH_HOOKS}

    def set_params(self, **params: Any) -> None:
        self.params.update(params)
        for cb in self.callbacks:
            cb.set_params(self.params)

    def wants(self, hook: str) -> bool:
        """True when some callback overrides this batch hook."""
        return bool(self._listeners[hook])

    def _batch(self, hook: str, batch: int, logs: Any) -> None:
        for cb in self._listeners[hook]:
            getattr(cb, hook)(batch, logs)

    def _run(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_train_begin(self, logs=None): self._run("on_train_begin", logs)
    def on_train_end(self, logs=None): self._run("on_train_end", logs)
    def on_epoch_begin(self, epoch, logs=None): self._run("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._run("on_epoch_end", epoch, logs)
    def on_test_begin(self, logs=None): self._run("on_test_begin", logs)
    def on_test_end(self, logs=None): self._run("on_test_end", logs)
    def on_predict_begin(self, logs=None): self._run("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self._run("on_predict_end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch("on_predict_batch_end", batch, logs)

    def __iter__(self):
        return iter(self.callbacks)
