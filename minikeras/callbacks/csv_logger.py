"""CSVLogger: one row per epoch in a CSV file, as Keras 3 writes it.

The file is truncated at train begin (unless ``append=True``) and every row
is flushed as soon as it is written, so a crash keeps the finished epochs.
The columns are ``epoch`` and the sorted log keys of the first epoch, plus a
``val_`` column for each when that epoch had no validation (filled with "NA").
Rows end in ``\\r\\n`` (the csv module's Excel dialect, as in Keras).
"""

from __future__ import annotations

import collections.abc
import csv
import os
from typing import Any

import numpy as np

from .base import Callback, is_rank_zero


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
            isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Stream each epoch's logs to a CSV file.

    Args:
        filename: the CSV file, e.g. ``"run/log.csv"``.
        separator: the column separator.
        append: keep an existing file and add rows (its header is not repeated).
    """

    def __init__(self, filename: Any, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: Any = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file: Any = None

    def on_train_begin(self, logs=None):
        self.writer = None
        self.keys = None
        if not is_rank_zero():  # one process writes the file
            return
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        self._close()
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")  # noqa: SIM115

    def on_epoch_end(self, epoch, logs=None):
        if self.csv_file is None or self.csv_file.closed:
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if self.writer is None:
            dialect = type("CSVLoggerDialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys],
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        self._close()
        self.writer = None

    def _close(self) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
