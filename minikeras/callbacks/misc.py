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


class SwapEMAWeights(Callback):
    """Keras's ``SwapEMAWeights``: with an optimizer made with ``use_ema=True``, evaluate
    and predict (validation included) run on the weights' moving averages, and the
    trained weights come back afterwards.

    Args:
        swap_on_epoch: also hold the averages in the model between ``on_epoch_end`` and
            the next ``on_epoch_begin``, so that other callbacks (``ModelCheckpoint``)
            see them.
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _swap(self, to_ema: bool) -> None:
        if self._ema_weights_in_model != to_ema:
            self.model.optimizer._ema_exchange(swap=True)
            self._ema_weights_in_model = to_ema

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap(False)

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap(True)
            if epoch == self.params.get("epochs", 0) - 1:
                # fit ends by copying the averages into the weights: they are the weights
                # in the model now, so the averages must equal them (Keras does the same).
                self.model.optimizer._ema_exchange(swap=False)

    def on_test_begin(self, logs=None):
        self._swap(True)

    def on_test_end(self, logs=None):
        self._swap(False)

    def on_predict_begin(self, logs=None):
        self._swap(True)

    def on_predict_end(self, logs=None):
        # (Keras 3.15 tests the flag the wrong way round here and leaves the averages in
        # the model after predict; the trained weights come back here.)
        self._swap(False)
