"""Progress output: a tqdm bar on a terminal, one clean line per epoch elsewhere.

verbose=1 on a terminal shows a bar per epoch with the running metrics;
verbose=1 into a pipe or file, and verbose=2, print one line per epoch
without control characters; verbose=0 prints nothing.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from .base import Callback


def format_logs(logs: dict[str, Any]) -> str:
    """Keras's ``name: value`` list: 4 decimals, or scientific below 1e-3."""
    parts = []
    for k, v in logs.items():
        try:
            v = float(v)
        except (TypeError, ValueError):
            continue
        parts.append(f"{k}: {v:.4f}" if abs(v) > 1e-3 or v == 0 else f"{k}: {v:.4e}")
    return " - ".join(parts)


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{int(round(seconds))}s"
    return f"{int(round(seconds * 1000))}ms"


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgbarLogger(Callback):
    """Prints training progress as API.md describes (Keras's ``ProgbarLogger``)."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__()
        self.stream = stream
        self._bar = None
        self._start = 0.0
        self._seen = 0

    @property
    def _out(self) -> Any:
        return self.stream or sys.stdout

    def _verbose(self) -> int:
        return int(self.params.get("verbose", 0) or 0)

    def _interactive(self) -> bool:
        return self._verbose() == 1 and is_terminal(self._out)

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs", 1)

    def on_epoch_begin(self, epoch, logs=None):
        if not self._verbose():
            return
        print(f"Epoch {epoch + 1}/{self._epochs}", file=self._out, flush=True)
        self._start = time.perf_counter()
        self._seen = 0
        if self._interactive():
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.params.get("steps"), file=self._out, leave=True,
                             unit="step", dynamic_ncols=True, mininterval=0.1)

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        bar = self._bar
        if bar is not None:
            bar.update(1)
            now = time.perf_counter()
            if logs is not None and now - getattr(self, "_last_postfix", 0.0) > 0.25:
                self._last_postfix = now
                bar.set_postfix_str(format_logs(dict(logs)), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if not self._verbose():
            return
        elapsed = time.perf_counter() - self._start
        steps = self._seen or self.params.get("steps") or 1
        text = format_logs(dict(logs or {}))
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=True)
            self._bar.close()
            self._bar = None
            return
        per_step = _duration(elapsed / max(steps, 1))
        print(f"{steps}/{steps} - {_duration(elapsed)} - {per_step}/step - {text}",
              file=self._out, flush=True)

    def wants_batch_logs(self) -> bool:
        return self._interactive()
