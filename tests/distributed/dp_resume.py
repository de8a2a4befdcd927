"""A resumable job: ``mpiexec -n N python dp_resume.py '<json>'``.

Trains 4 epochs with BackupAndRestore(backup_dir); with ``kill`` set to
[epoch, batch, rank], that rank SIGKILLs itself there (a dead rank mid-epoch).
Rank 0 writes the final weights and history to ``out``.
"""

import json
import os
import signal
import sys

import numpy as np

import minikeras as mk
from minikeras import distribution as D

opts = json.loads(sys.argv[1])
mk.config.set_floatx("float64")
mk.utils.set_random_seed(11)
if opts.get("parallel", True):
    D.set_distribution(D.DataParallel(shard_optimizer=opts.get("shard_optimizer", False)))
rank = D.distribution().rank if D.distribution() is not None else 0

rng = np.random.default_rng(1)
x = rng.normal(size=(240, 5))
y = (x[:, 0] - x[:, 2] > 0).astype(np.float64)
model = mk.Sequential([mk.Input((5,)), mk.layers.Dense(8, activation="tanh"),
                       mk.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=mk.optimizers.Adam(0.02), loss="binary_crossentropy",
              metrics=["accuracy"])


class Killer(mk.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        kill = opts.get("kill")
        if kill and [self.epoch, batch, rank] == kill:
            os.kill(os.getpid(), signal.SIGKILL)


callbacks = [Killer()]
if opts.get("backup_dir"):
    callbacks.insert(0, mk.callbacks.BackupAndRestore(opts["backup_dir"]))
history = model.fit(x, y, epochs=4, batch_size=24, callbacks=callbacks, verbose=0)
if D.is_chief() and opts.get("out"):
    with open(opts["out"], "w") as f:
        json.dump({"history": history.history,
                   "weights": [w.tolist() for w in model.get_weights()]}, f)
