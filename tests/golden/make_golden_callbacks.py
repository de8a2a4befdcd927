"""Record what Keras 3's callbacks do, for ``tests/test_callbacks.py`` to replay.

Run by hand, with the ``bench`` extra installed, from the repository root::

    KERAS_BACKEND=torch python tests/golden/make_golden_callbacks.py

Small models are trained in float64 with fixed initial weights (``set_weights``)
and ``shuffle=False`` under EarlyStopping, ReduceLROnPlateau,
LearningRateScheduler, ModelCheckpoint and CSVLogger. Each case records the
epochs that ran, the history (keys in Keras's order), the final weights, what
the callbacks printed (``verbose=1``), the warnings they raised, the files a
checkpoint wrote and the CSV text. The data and initial weights are stored
too, so the tests rebuild exactly the same problem without Keras.

As in ``make_golden_training.py``: Keras 3.15 on torch computes float64
matmuls and reductions in float32 (its ``BIT64_TO_BIT32_DTYPE`` promotion
table), so this script maps float64 to float64 there, and Keras computes in
float64 throughout (what it does on TensorFlow). Batch sizes are powers of
two, and the sigmoid outputs are checked to stay inside [1e-7, 1 - 1e-7].
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def _keras() -> Any:
    if os.environ.get("KERAS_BACKEND") != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (the backend the golden numbers come from).")
    import keras
    from keras.src.backend.common import dtypes

    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"
    keras.config.set_floatx("float64")
    return keras


def make_data() -> dict[str, Any]:
    """A noisy binary problem and a regression, with validation sets that overfit."""
    rng = np.random.default_rng(20240611)
    x = rng.normal(size=(48, 4))
    w = np.array([1.0, -2.0, 0.5, 0.0])
    logits = x @ w + 0.8 * rng.normal(size=48)
    yb = (logits > 0).astype(np.float64).reshape(-1, 1)
    yr = (np.sin(x[:, :1] * 1.5) + 0.3 * x[:, 1:2] + 0.2 * rng.normal(size=(48, 1)))
    return {"x": x[:32].tolist(), "x_val": x[32:].tolist(),
            "y_bin": yb[:32].tolist(), "y_bin_val": yb[32:].tolist(),
            "y_reg": yr[:32].tolist(), "y_reg_val": yr[32:].tolist()}


def initial_weights(kind: str) -> list[list[Any]]:
    rng = np.random.default_rng(7 if kind == "binary" else 11)
    hidden = 6 if kind == "binary" else 5
    return [(rng.normal(size=(4, hidden)) * 0.6).tolist(), (rng.normal(size=hidden) * 0.1).tolist(),
            (rng.normal(size=(hidden, 1)) * 0.6).tolist(), [0.05]]


# name -> (model kind, optimizer, fit arguments, callbacks). Callback specs are
# (class name, kwargs); "schedule" names a function in SCHEDULES.
CASES: dict[str, dict[str, Any]] = {
    "es_patience": {"kind": "binary", "optimizer": ("Adam", {"learning_rate": 0.02}),
                    "fit": {"epochs": 40, "batch_size": 8},
                    "callbacks": [("EarlyStopping", {"monitor": "val_loss", "patience": 2,
                                                     "verbose": 1})]},
    "es_restore": {"kind": "binary", "optimizer": ("Adam", {"learning_rate": 0.02}),
                   "fit": {"epochs": 40, "batch_size": 8},
                   "callbacks": [("EarlyStopping", {"monitor": "val_loss", "patience": 4,
                                                    "restore_best_weights": True,
                                                    "verbose": 1})]},
    "es_min_delta": {"kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.1}),
                     "fit": {"epochs": 40, "batch_size": 16},
                     "callbacks": [("EarlyStopping", {"monitor": "loss", "min_delta": 0.01,
                                                      "patience": 1, "verbose": 1})]},
    "es_baseline": {"kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.1}),
                    "fit": {"epochs": 40, "batch_size": 8},
                    "callbacks": [("EarlyStopping", {"monitor": "val_loss", "baseline": 0.2,
                                                     "patience": 3,
                                                     "restore_best_weights": True,
                                                     "verbose": 1})]},
    "es_baseline_plateau": {"kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.1}),
                            "fit": {"epochs": 40, "batch_size": 8},
                            "callbacks": [("EarlyStopping", {"monitor": "val_accuracy",
                                                             "baseline": 0.9, "patience": 4,
                                                             "restore_best_weights": True,
                                                             "verbose": 1})]},
    "es_start_from_epoch": {"kind": "binary", "optimizer": ("Adam", {"learning_rate": 0.02}),
                            "fit": {"epochs": 40, "batch_size": 8},
                            "callbacks": [("EarlyStopping", {"monitor": "val_accuracy",
                                                             "start_from_epoch": 5,
                                                             "patience": 1, "verbose": 1})]},
    "es_max_mode": {"kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.05,
                                                             "momentum": 0.9}),
                    "fit": {"epochs": 40, "batch_size": 8},
                    "callbacks": [("EarlyStopping", {"monitor": "val_accuracy", "mode": "max",
                                                     "min_delta": 0.05, "patience": 3,
                                                     "restore_best_weights": True,
                                                     "verbose": 1})]},
    "es_regression_mae": {"kind": "regression", "optimizer": ("Adam", {"learning_rate": 0.05}),
                          "fit": {"epochs": 60, "batch_size": 8},
                          "callbacks": [("EarlyStopping", {"monitor": "val_mae",
                                                           "patience": 3, "verbose": 1})]},
    "rlr_val_loss": {"kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.2}),
                     "fit": {"epochs": 25, "batch_size": 8},
                     "callbacks": [("ReduceLROnPlateau", {"monitor": "val_loss", "factor": 0.5,
                                                          "patience": 1, "cooldown": 1,
                                                          "min_delta": 0.01,
                                                          "min_lr": 0.02, "verbose": 1})]},
    "rlr_loss_min_lr": {"kind": "regression", "optimizer": ("Adam", {"learning_rate": 0.05}),
                        "fit": {"epochs": 30, "batch_size": 16},
                        "callbacks": [("ReduceLROnPlateau", {"monitor": "loss", "factor": 0.2,
                                                             "patience": 2, "min_delta": 0.01,
                                                             "min_lr": 0.001, "verbose": 1})]},
    "rlr_max_accuracy": {"kind": "binary", "optimizer": ("Adam", {"learning_rate": 0.05}),
                         "fit": {"epochs": 20, "batch_size": 8},
                         "callbacks": [("ReduceLROnPlateau", {"monitor": "val_accuracy",
                                                              "factor": 0.3, "patience": 2,
                                                              "cooldown": 2, "verbose": 1})]},
    "lr_scheduler": {"kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.2}),
                     "fit": {"epochs": 6, "batch_size": 8},
                     "callbacks": [("LearningRateScheduler", {"schedule": "halve_after_2",
                                                              "verbose": 1})]},
    "lr_scheduler_one_arg": {"kind": "regression", "optimizer": ("SGD", {"learning_rate": 0.05}),
                             "fit": {"epochs": 5, "batch_size": 16},
                             "callbacks": [("LearningRateScheduler", {"schedule": "by_epoch",
                                                                      "verbose": 1})]},
    "es_and_rlr": {"kind": "binary", "optimizer": ("Adam", {"learning_rate": 0.02}),
                   "fit": {"epochs": 40, "batch_size": 8},
                   "callbacks": [("ReduceLROnPlateau", {"monitor": "val_loss", "factor": 0.5,
                                                        "patience": 1, "verbose": 1}),
                                 ("EarlyStopping", {"monitor": "val_loss", "patience": 4,
                                                    "restore_best_weights": True,
                                                    "verbose": 1})]},
    "checkpoint_best": {"kind": "binary", "optimizer": ("Adam", {"learning_rate": 0.02}),
                        "fit": {"epochs": 8, "batch_size": 8},
                        "callbacks": [("ModelCheckpoint", {"filepath": "best.keras",
                                                           "save_best_only": True,
                                                           "verbose": 1})]},
    "checkpoint_template_max": {
        "kind": "binary", "optimizer": ("Adam", {"learning_rate": 0.02}),
        "fit": {"epochs": 6, "batch_size": 8},
        "callbacks": [("ModelCheckpoint", {"filepath": "ckpt/{epoch:02d}-{val_accuracy:.2f}.keras",
                                           "monitor": "val_accuracy", "mode": "max",
                                           "save_best_only": True, "verbose": 1})]},
    "checkpoint_every_epoch": {
        "kind": "regression", "optimizer": ("SGD", {"learning_rate": 0.05}),
        "fit": {"epochs": 3, "batch_size": 16},
        "callbacks": [("ModelCheckpoint", {"filepath": "m-{epoch:04d}-{val_loss:.3f}.keras",
                                           "verbose": 1})]},
    "checkpoint_batches": {
        "kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.1}),
        "fit": {"epochs": 3, "batch_size": 8},
        "callbacks": [("ModelCheckpoint", {"filepath": "w-{epoch:02d}-{batch:02d}.weights.h5",
                                           "save_weights_only": True, "save_freq": 3,
                                           "monitor": "loss", "verbose": 1})]},
    "checkpoint_threshold": {
        "kind": "binary", "optimizer": ("Adam", {"learning_rate": 0.02}),
        "fit": {"epochs": 6, "batch_size": 8},
        "callbacks": [("ModelCheckpoint", {"filepath": "t.keras", "save_best_only": True,
                                           "initial_value_threshold": 0.5, "verbose": 1})]},
    "csv_with_validation": {"kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.1}),
                            "fit": {"epochs": 3, "batch_size": 8},
                            "callbacks": [("ReduceLROnPlateau", {"patience": 1}),
                                          ("CSVLogger", {"filename": "log.csv"})]},
    "csv_no_validation": {"kind": "regression", "optimizer": ("SGD", {"learning_rate": 0.05}),
                          "fit": {"epochs": 3, "batch_size": 16, "validation": False},
                          "callbacks": [("CSVLogger", {"filename": "log.csv",
                                                       "separator": ";"})]},
    "missing_monitor": {"kind": "binary", "optimizer": ("SGD", {"learning_rate": 0.1}),
                        "fit": {"epochs": 2, "batch_size": 16, "validation": False},
                        "callbacks": [("EarlyStopping", {}), ("ReduceLROnPlateau", {}),
                                      ("ModelCheckpoint", {"filepath": "b.keras",
                                                           "save_best_only": True,
                                                           "verbose": 1})]},
}


def halve_after_2(epoch: int, lr: float) -> float:
    """LearningRateScheduler's two-argument form."""
    return lr if epoch < 2 else lr * 0.5


def by_epoch(epoch: int) -> float:
    """LearningRateScheduler's one-argument form."""
    return 0.05 / (1 + epoch)


SCHEDULES = {"halve_after_2": halve_after_2, "by_epoch": by_epoch}


def run_case(keras: Any, name: str, case: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    kind = case["kind"]
    hidden, act = (6, "relu") if kind == "binary" else (5, "tanh")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(hidden, activation=act),
                              keras.layers.Dense(1, activation="sigmoid" if kind == "binary"
                                                 else None)])
    model.set_weights([np.asarray(w, dtype=np.float64) for w in initial_weights(kind)])
    opt_name, opt_kwargs = case["optimizer"]
    if kind == "binary":
        model.compile(getattr(keras.optimizers, opt_name)(**opt_kwargs), "binary_crossentropy",
                      metrics=["accuracy"])
        y, y_val = data["y_bin"], data["y_bin_val"]
    else:
        model.compile(getattr(keras.optimizers, opt_name)(**opt_kwargs), "mse", metrics=["mae"])
        y, y_val = data["y_reg"], data["y_reg_val"]
    callbacks = []
    for cls, kwargs in case["callbacks"]:
        kwargs = dict(kwargs)
        if "schedule" in kwargs:
            kwargs["schedule"] = SCHEDULES[kwargs["schedule"]]
        callbacks.append(getattr(keras.callbacks, cls)(**kwargs))
    fit = dict(case["fit"])
    validation = fit.pop("validation", True)
    x = np.asarray(data["x"])
    x_all = np.concatenate([x, np.asarray(data["x_val"])])
    ranges: list[tuple[float, float]] = []

    def watch(epoch: int, logs: Any) -> None:
        p = model.predict(x_all, verbose=0)
        ranges.append((float(p.min()), float(p.max())))

    # Checks saturation after every epoch (CORRECTIONS "Saturation"); last, so it
    # changes nothing the recorded callbacks see.
    callbacks_run = [*callbacks, keras.callbacks.LambdaCallback(on_epoch_end=watch)]
    val = (np.asarray(data["x_val"]), np.asarray(y_val)) if validation else None
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(out), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            history = model.fit(x, np.asarray(y), validation_data=val, shuffle=False, verbose=0,
                                callbacks=callbacks_run, **fit)
            files = sorted(os.path.relpath(os.path.join(root, f), tmp)
                           for root, _, names in os.walk(tmp) for f in names)
            csv_text = None
            if os.path.exists("log.csv"):
                with open("log.csv", newline="") as f:
                    csv_text = f.read()
        finally:
            os.chdir(cwd)
    if kind == "binary":
        lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
        assert 1e-7 < lo and hi < 1 - 1e-7, f"{name}: outputs saturate ({lo}, {1 - hi})"
    record = {
        "epochs_run": len(history.epoch),
        "history_keys": list(history.history),
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        "params": history.params,
        "final_weights": [np.asarray(w).tolist() for w in model.get_weights()],
        "stdout": out.getvalue(),
        "warnings": [str(w.message) for w in caught if issubclass(w.category, UserWarning)],
        "files": files,
        "csv": csv_text,
    }
    for cb in callbacks:
        if isinstance(cb, keras.callbacks.EarlyStopping):
            record["stopped_epoch"] = cb.stopped_epoch
            record["best_epoch"] = cb.best_epoch
    print(f"{name}: {record['epochs_run']} epochs, files={files}", file=sys.stderr)
    print(out.getvalue(), file=sys.stderr)
    return record


def main() -> None:
    keras = _keras()
    data = make_data()
    cases = {}
    for name, case in CASES.items():
        cases[name] = {"spec": case, **run_case(keras, name, case, data)}
    payload = {"keras_version": keras.__version__, "data": data,
               "initial_weights": {k: initial_weights(k) for k in ("binary", "regression")},
               "cases": cases}
    path = HERE / "callbacks.json"
    path.write_text(json.dumps(payload, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
