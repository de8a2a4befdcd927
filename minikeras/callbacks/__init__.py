"""Callbacks (``mk.callbacks``): Keras 3's names, hooks and messages."""

from __future__ import annotations

from pathlib import Path

from .base import Callback, CallbackList
from .checkpoint import ModelCheckpoint
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .misc import LambdaCallback, SwapEMAWeights, TensorBoard, TerminateOnNaN
from .progbar import ProgbarLogger

__all__ = ["CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
           "ReduceLROnPlateau", "SwapEMAWeights", "TensorBoard", "TerminateOnNaN"]

# BackupAndRestore lives in backup.py, which the persistence work writes concurrently:
# import it once that file exists (an error inside it is not hidden).
if Path(__file__).with_name("backup.py").exists():
    from .backup import BackupAndRestore

    __all__ += ["BackupAndRestore"]
