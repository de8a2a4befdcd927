"""Small callbacks: TerminateOnNaN, LambdaCallback, and TensorBoard's clear refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import Callback, print_msg


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite.

    Args:
        raise_error: raise a RuntimeError at once instead of stopping after
            the batch (then ``on_train_end`` does not run).
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or not (np.isnan(loss) or np.isinf(loss)):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                               f"{loss}. Terminating training immediately.")
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of functions, one per hook.

    ``on_epoch_begin``/``on_epoch_end`` take ``(epoch, logs)``,
    ``on_train_begin``/``on_train_end`` take ``(logs)``, the batch hooks
    ``(batch, logs)``. Any other hook can be given by name in ``kwargs``.
    """

    def __init__(self, on_epoch_begin: Callable[..., Any] | None = None,
                 on_epoch_end: Callable[..., Any] | None = None,
                 on_train_begin: Callable[..., Any] | None = None,
                 on_train_end: Callable[..., Any] | None = None,
                 on_train_batch_begin: Callable[..., Any] | None = None,
                 on_train_batch_end: Callable[..., Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        given = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for hook, fn in given.items():
            if fn is not None:
                setattr(self, hook, fn)


class TensorBoard(Callback):
    """Not available: minikeras writes no TensorBoard event files.

    Raises:
        NotImplementedError: always, naming ``CSVLogger`` and ``History`` instead.
    """

    def __init__(self, log_dir: Any = "logs", *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "minikeras has no TensorBoard callback: TensorBoard's event files need "
            "TensorFlow. Log each epoch's metrics with "
            "keras.callbacks.CSVLogger('training.csv') instead (and plot the file, or "
            "the History that fit() returns, with matplotlib).")
