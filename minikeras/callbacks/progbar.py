"""Progress output of ``fit``: a tqdm bar on a terminal, one clean line per epoch elsewhere.

- verbose=1 on a terminal: "Epoch i/N", then a tqdm bar while the epoch
  runs, with the running loss and metrics (fitted to the terminal's width);
  at the epoch end the bar gives way to the epoch's line (below), which
  holds every log, validation included, however wide.
- verbose=1 into a pipe, a file or CI, and verbose=2: "Epoch i/N", then one
  line per epoch, as Keras's verbose=2 line ("32/32 - 0s - 2ms/step - loss:
  0.6931 - ..."), with no carriage returns or escape codes.
- verbose=0: nothing.

Keras prints "Epoch i/N" only when ``epochs > 1``; so do we. Only rank 0
prints. The logger listens to batches only while it draws a bar (or must
count steps it was not told), so a non-terminal fit pays nothing per batch.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

from .. import config
from . import base
from .base import Callback, implemented_by, is_rank_zero


def _format_value(value: float, signed: bool) -> str:
    # Keras's verbose=1 bar uses abs(); its verbose=2 line does not.
    big = value > 1e-3 if signed else abs(value) > 1e-3
    return f"{value:.4f}" if big else f"{value:.4e}"


def format_logs(logs: Any, signed: bool = False) -> str:
    """Keras's ``name: value`` list: 4 decimals, or scientific at or below 1e-3.

    Args:
        logs: a mapping of log keys to numbers (other values are left out).
        signed: Keras's verbose=2 rule (negative values in scientific notation).
    """
    parts = []
    for key, value in dict(logs or {}).items():
        try:
            # A per-class result (an array) shows its mean, as Keras's progress bar does.
            value = float(np.mean(value)) if isinstance(value, np.ndarray) else float(value)
        except (TypeError, ValueError):
            continue
        parts.append(f"{key}: {_format_value(value, signed)}")
    return " - ".join(parts)


def _format_time(seconds: float, unit: str = "step") -> str:
    """Keras's per-unit duration: ``2s/step``, ``15ms/step`` or ``80us/step``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def is_terminal(stream: Any) -> bool:
    """True when ``stream`` is an interactive terminal."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgbarLogger(Callback):
    """Prints training progress as the module docstring describes (Keras's ``ProgbarLogger``).

    Args:
        stream: where to print (``sys.stdout`` at the time of printing by default).
    """

    #: Seconds between redraws of the bar, and between updates of its metrics
    #: (each update costs a result() per metric).
    redraw_interval = 0.1
    metrics_interval = 0.25

    def __init__(self, stream: Any = None) -> None:
        super().__init__()
        self.stream = stream
        self.verbose = 1
        self.epochs = 1
        self.target: int | None = None
        self.seen = 0
        self._bar: Any = None
        self._start = 0.0
        self._last_postfix = 0.0

    @property
    def _out(self) -> Any:
        return self.stream if self.stream is not None else sys.stdout

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose or 0)
        self.epochs = params.get("epochs") or 1
        self.target = params.get("steps")

    def _draws_bar(self) -> bool:
        return self.verbose == 1 and is_terminal(self._out) and is_rank_zero() \
            and (self.stream is not None or config.is_interactive_logging_enabled())

    def _say(self, text: str) -> None:
        if self.stream is None:
            config.say(text)  # stdout, or logging when interactive logging is off
        else:
            print(text, file=self.stream, flush=True)

    def _listens_to(self, hook: str) -> bool:
        if hook == "on_train_batch_end" and implemented_by(self, hook, ProgbarLogger):
            return bool(self.verbose) and (self.target is None or self._draws_bar())
        return super()._listens_to(hook)

    def on_train_begin(self, logs=None):
        # A fit that raised mid-epoch left its bar open: retire it.
        while base._live_bar:
            base._live_bar.pop().close()

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self._start = time.perf_counter()
        if not self.verbose or not is_rank_zero():
            return
        out = self._out
        if self.epochs > 1:
            self._say(f"Epoch {epoch + 1}/{self.epochs}")
        if self._draws_bar():
            from tqdm import tqdm

            # leave=False: the finished bar is erased and the epoch line replaces it,
            # so a long line of logs is never cut to the width or redrawn wrapped.
            self._bar = tqdm(total=self.target, file=out, leave=False, unit="step",
                             dynamic_ncols=True, mininterval=self.redraw_interval)
            self._last_postfix = 0.0
            base._live_bar.append(self._bar)

    def on_train_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        bar = self._bar
        if bar is None:
            return
        bar.update(self.seen - bar.n)
        now = time.perf_counter()
        # Time first: reading the lazy logs costs a result() per metric.
        if now - self._last_postfix >= self.metrics_interval and logs is not None:
            self._last_postfix = now
            bar.set_postfix_str(format_logs(logs), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if not self.verbose or not is_rank_zero():
            return
        if self._bar is not None:
            self._close_bar()
        elapsed = time.perf_counter() - self._start
        steps = self.target if self.target is not None else self.seen
        per_step = elapsed / steps if steps else 0.0
        line = f"{steps}/{steps} - {elapsed:.0f}s - {_format_time(per_step)}"
        text = format_logs(logs, signed=self.verbose == 2)
        self._say(f"{line} - {text}" if text else line)

    def on_train_end(self, logs=None):
        if self._bar is not None:  # on_epoch_end did not run (a custom loop)
            self._close_bar()

    def _close_bar(self) -> None:
        bar = self._bar
        self._bar = None
        if bar in base._live_bar:
            base._live_bar.remove(bar)
        bar.close()
