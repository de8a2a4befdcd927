"""A training job for the distributed tests: ``mpiexec -n N python dp_train.py '<json>'``.

Options (JSON): floatx, seed, model ("plain" | "bn"), shard_optimizer,
epochs, batch_size, validation_split, sample_weight, reduction, verbose, hidden
(units of the hidden layer, 8 by default),
memmap (path of a float64 memmap to train on), out (result JSON, rank 0),
parallel (false: a one-process run to compare with), shift_bounds (sharded: the
ranks' slices move every step, to arbitrary bounds, instead of being balanced),
optimizer ("adamw-ema-acc": AdamW with an EMA and gradient accumulation),
balance_min (balance the slices of models this small too), lazy_metrics (add
the metrics whose state is made from the first batch: F1Score, R2Score,
AUC(multi_label); y becomes a column), eval_rows (also evaluate a fresh clone on
the first N rows: with fewer rows than ranks, some ranks get none), loss_weight
(compile's loss_weights).
"""

import json
import sys

import numpy as np

import minikeras as mk
from minikeras import distribution as D

opts = json.loads(sys.argv[1])
mk.config.set_floatx(opts.get("floatx", "float64"))
if opts.get("seed", 7) is not None:  # null: no seed (ranks must still shuffle alike)
    mk.utils.set_random_seed(opts.get("seed", 7))
if opts.get("parallel", True):
    D.set_distribution(D.DataParallel(shard_optimizer=opts.get("shard_optimizer", False),
                                      shared_memory=opts.get("shared_memory", True)))

if opts.get("shift_bounds"):
    def shifted(self):
        # Every rank draws the same bounds (same seed, same step count), extremes included.
        self.shifts = getattr(self, "shifts", 0) + 1
        total = self.flat.size
        cuts = np.random.default_rng(self.shifts).integers(0, total + 1, self.dp.size - 1)
        self.bounds = [0, *sorted(int(c) for c in cuts), total]
        seen["bounds"].add(tuple(self.bounds))

    D._NodeBuffers._rebalance = shifted
    D._NodeBuffers.BALANCE_MIN, D._NodeBuffers.BALANCE_EVERY = 0, 1
elif opts.get("balance_min") is not None:  # balance this small test model too
    D._NodeBuffers.BALANCE_MIN = opts["balance_min"]

rng = np.random.default_rng(0)
rows = opts.get("rows", 203)
if opts.get("memmap"):
    x = np.memmap(opts["memmap"], dtype=np.float64, mode="r").reshape(-1, 6)
    rows = x.shape[0]
    y = (np.arange(rows) % 3 == 0).astype(np.float64)
else:
    x = rng.normal(size=(rows, 6))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float64)
sw = rng.uniform(0.5, 2.0, size=rows) if opts.get("sample_weight") else None
if opts.get("lazy_metrics"):
    y = y.reshape(-1, 1)

layers = [mk.Input((6,)), mk.layers.Dense(opts.get("hidden", 8), activation="relu")]
if opts.get("model") == "bn":
    layers.append(mk.layers.BatchNormalization())
layers.append(mk.layers.Dense(1, activation="sigmoid", kernel_regularizer="l2"))
model = mk.Sequential(layers)
loss = mk.losses.BinaryCrossentropy(reduction=opts.get("reduction", "sum_over_batch_size"))
if opts.get("optimizer") == "adamw-ema-acc":
    # Decay, an EMA slot and an accumulator slot: every slot kind a sharded step touches.
    optimizer = mk.optimizers.AdamW(0.01, weight_decay=0.05, use_ema=True,
                                    ema_overwrite_frequency=3, gradient_accumulation_steps=2)
else:
    optimizer = mk.optimizers.Adam(0.01)
metrics = ["accuracy", mk.metrics.AUC(name="auc")]
if opts.get("lazy_metrics"):
    metrics += [mk.metrics.F1Score(average="micro", threshold=0.5), mk.metrics.R2Score(),
                mk.metrics.AUC(multi_label=True, name="auc_labels")]
model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
              loss_weights=opts.get("loss_weight"))
seen = {"shared": [], "shares_weights": [], "bounds": set(), "epoch_bounds": []}


class Watch(mk.callbacks.Callback):
    """Which exchange each epoch ran on, and a failure on request (``fail_rank``)."""

    def on_epoch_end(self, epoch, logs=None):
        dp = D.distribution()
        seen["shared"].append(dp is not None and dp._shared is not None)
        if dp is not None and dp._shared is not None:
            seen["epoch_bounds"].append(list(dp._shared.bounds))
        seen["shares_weights"].append(dp is not None and dp.shares_weights(model))

    def on_train_batch_end(self, batch, logs=None):
        dp = D.distribution()
        if dp is not None and dp.rank == opts.get("fail_rank") and batch == 2:
            raise RuntimeError(f"boom in fit on rank {dp.rank}")


fit_args = dict(sample_weight=sw, batch_size=opts.get("batch_size", 32),
                validation_split=opts.get("validation_split", 0.2),
                verbose=opts.get("verbose", 0), callbacks=[Watch()])
if opts.get("split_fit"):
    # Two fits with a train_on_batch between: the buffers go into shared memory and
    # back twice, and the weights and optimizer state carry over each time.
    first = model.fit(x, y, epochs=1, **fit_args)
    model.train_on_batch(x[:16], y[:16])
    history = model.fit(x, y, epochs=opts.get("epochs", 3), initial_epoch=1, **fit_args)
    history.history = {k: first.history[k] + v for k, v in history.history.items()}
else:
    history = model.fit(x, y, epochs=opts.get("epochs", 3), **fit_args)
dp = D.distribution()
seen["private_after_fit"] = dp is None or dp._shared is None
seen["bounds"] = len(seen["bounds"])
if dp is not None:
    # After fit every rank holds every slice of the optimizer's slots, up to date.
    slots = np.concatenate([a for a in model.optimizer._slots.values()])
    # The same shuffles: every rank's model draws the same next permutation.
    draw = model._rng.integers(2**62)
    seen["shuffles_equal_on_ranks"] = len(set(dp.comm.allgather(draw))) == 1
    seen["slots_equal_on_ranks"] = all(np.array_equal(slots, other)
                                       for other in dp.comm.allgather(slots))
scores = model.evaluate(x, y, verbose=0, return_dict=True)  # collective: every rank calls it
if opts.get("eval_rows"):
    fresh = mk.models.clone_model(model)  # compiled, its metrics never updated
    fresh.set_weights(model.get_weights())
    k = opts["eval_rows"]
    few = fresh.evaluate(x[:k], y[:k], verbose=0, return_dict=True)
    scores.update({f"few_{name}": value for name, value in few.items()})
if D.is_chief() and opts.get("out"):
    with open(opts["out"], "w") as f:
        json.dump({"history": history.history,
                   "weights": [w.tolist() for w in model.get_weights()],
                   "evaluate": scores, **seen}, f)
