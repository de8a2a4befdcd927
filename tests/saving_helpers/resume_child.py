"""Subprocess target of tests/test_resume.py: resume a saved fit in a fresh interpreter.

    python -m tests.saving_helpers.resume_child MODE MODEL_OR_DIR OUT_PREFIX SEED FLOATX

MODE ``load``: ``load_model(MODEL)``, then ``fit(epochs=6, initial_epoch=3)``.
MODE ``crash``: build the seeded model and ``fit(epochs=6)`` with
``BackupAndRestore(DIR)``; SIGKILL this process at the start of epoch 4.
Writes OUT_PREFIX.npz (weights and optimizer state) and OUT_PREFIX.json (history).
"""

from __future__ import annotations

import json
import os
import signal
import sys

import numpy as np

import minikeras as mk
from tests.saving_helpers.models import data, resume_model, training_state

FIT = {"batch_size": 16, "shuffle": True, "validation_split": 0.25, "verbose": 0}


class _KillAt(mk.callbacks.Callback):
    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    mode, where, out, seed, floatx = sys.argv[1:6]
    mk.config.set_floatx(floatx)
    x, y = data(int(seed))
    if mode == "load":
        model = mk.models.load_model(where)
        history = model.fit(x, y, epochs=6, initial_epoch=3, **FIT).history
    else:
        model = resume_model(int(seed))
        history = model.fit(x, y, epochs=6, callbacks=[
            mk.callbacks.BackupAndRestore(where), _KillAt(4)], **FIT).history
    np.savez(out + ".npz", **training_state(model))
    with open(out + ".json", "w") as f:
        json.dump(history, f)


if __name__ == "__main__":
    main()
