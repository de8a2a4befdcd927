"""Callbacks: Keras 3's hooks, decisions, messages and files.

The golden cases (``tests/golden/callbacks.json``, recorded from Keras 3 by
``tests/golden/make_golden_callbacks.py``) train the same small float64
models with the same initial weights and ``shuffle=False``; minikeras must
stop and change the learning rate at the same epochs, print the same
messages word for word, raise the same warnings and write the same files.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minikeras as mk
from minikeras.callbacks.base import CallbackList, LazyLogs
from tests.helpers.tolerances import assert_close

GOLDEN = json.loads((Path(__file__).parent / "golden" / "callbacks.json").read_text())
HAS_SAVING = importlib.util.find_spec("minikeras.saving") is not None


def halve_after_2(epoch: int, lr: float) -> float:
    return lr if epoch < 2 else lr * 0.5


def by_epoch(epoch: int) -> float:
    return 0.05 / (1 + epoch)


SCHEDULES = {"halve_after_2": halve_after_2, "by_epoch": by_epoch}


def build(kind: str) -> mk.Sequential:
    """The golden script's models, float64, with its initial weights."""
    hidden, act = (6, "relu") if kind == "binary" else (5, "tanh")
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(hidden, activation=act),
                           mk.layers.Dense(1, activation="sigmoid" if kind == "binary" else None)])
    model.set_weights([np.asarray(w, dtype=np.float64)
                       for w in GOLDEN["initial_weights"][kind]])
    return model


def data(kind: str) -> tuple[np.ndarray, ...]:
    d = GOLDEN["data"]
    y = "y_bin" if kind == "binary" else "y_reg"
    return (np.asarray(d["x"]), np.asarray(d[y]), np.asarray(d["x_val"]),
            np.asarray(d[f"{y}_val"]))


def make_callbacks(spec: list[Any]) -> list[mk.callbacks.Callback]:
    out = []
    for cls, kwargs in spec:
        kwargs = dict(kwargs)
        if "schedule" in kwargs:
            kwargs["schedule"] = SCHEDULES[kwargs["schedule"]]
        out.append(getattr(mk.callbacks, cls)(**kwargs))
    return out


def compiled(kind: str, optimizer: list[Any]) -> mk.Sequential:
    mk.config.set_floatx("float64")
    model = build(kind)
    name, kwargs = optimizer
    opt = getattr(mk.optimizers, name)(**kwargs)
    if kind == "binary":
        model.compile(opt, "binary_crossentropy", metrics=["accuracy"])
    else:
        model.compile(opt, "mse", metrics=["mae"])
    return model


class SaveRecorder:
    """Stands in for model.save/save_weights: records each call and touches the file."""

    def __init__(self, model: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, str, list[np.ndarray]]] = []
        self.model = model
        monkeypatch.setattr(model, "save", self._recorder("save"), raising=False)
        monkeypatch.setattr(model, "save_weights", self._recorder("save_weights"), raising=False)

    def _recorder(self, what: str):
        def record(path: Any, overwrite: bool = True, **kwargs: Any) -> None:
            self.calls.append((what, os.fspath(path), self.model.get_weights()))
            Path(path).write_bytes(b"")
        return record


def replay(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,
           real_saving: bool = False) -> dict[str, Any]:
    """Run a golden case in minikeras; returns what the golden record holds."""
    case = GOLDEN["cases"][name]
    spec = case["spec"]
    kind = spec["kind"]
    model = compiled(kind, spec["optimizer"])
    callbacks = make_callbacks(spec["callbacks"])
    recorder = None if real_saving else SaveRecorder(model, monkeypatch)
    fit = dict(spec["fit"])
    validation = fit.pop("validation", True)
    x, y, xv, yv = data(kind)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, validation_data=(xv, yv) if validation else None,
                            shuffle=False, verbose=0, callbacks=callbacks, **fit)
    files = sorted(os.path.relpath(os.path.join(root, f), tmp_path)
                   for root, _, names in os.walk(tmp_path) for f in names)
    csv_text = None
    if (tmp_path / "log.csv").exists():
        with open(tmp_path / "log.csv", newline="") as f:
            csv_text = f.read()
    out = {"model": model, "history": history, "callbacks": callbacks, "recorder": recorder,
           "stdout": capsys.readouterr().out, "files": files, "csv": csv_text,
           "warnings": [str(w.message) for w in caught if issubclass(w.category, UserWarning)]}
    return out


CASES = sorted(GOLDEN["cases"])


@pytest.mark.parametrize("name", CASES)
def test_golden_case_matches_keras(name, tmp_path, monkeypatch, capsys):
    """Same epochs, history (keys, order, values), rates, weights, messages and files."""
    expected = GOLDEN["cases"][name]
    got = replay(name, tmp_path, monkeypatch, capsys)
    history = got["history"]
    assert len(history.epoch) == expected["epochs_run"]
    assert list(history.history) == expected["history_keys"]
    for key, values in expected["history"].items():
        # Keras keeps metric values in float32 even under float64 floatx: its rounding
        # (< 6e-8 relative) is inside the keras64 tolerance.
        assert_close(history.history[key], values, "keras64", err_msg=key)
    if "learning_rate" in expected["history"]:
        assert history.history["learning_rate"] == pytest.approx(
            expected["history"]["learning_rate"], rel=1e-15, abs=0)
    assert history.params == expected["params"]
    for actual, wanted in zip(got["model"].get_weights(), expected["final_weights"]):
        assert_close(actual, wanted, "keras64")
    assert got["stdout"] == expected["stdout"]
    assert got["warnings"] == expected["warnings"]
    assert got["files"] == expected["files"]
    for cb in got["callbacks"]:
        if isinstance(cb, mk.callbacks.EarlyStopping):
            assert cb.stopped_epoch == expected["stopped_epoch"]
            assert cb.best_epoch == expected["best_epoch"]
    if expected["csv"] is not None:
        assert_same_csv(got["csv"], expected["csv"])


def assert_same_csv(actual: str, expected: str) -> None:
    """Same bytes layout (header, separators, NA cells, \\r\\n), numbers to keras64."""
    assert actual.count("\r\n") == expected.count("\r\n")
    assert actual.endswith("\r\n")
    sep = ";" if ";" in expected.splitlines()[0] else ","
    rows_a = list(csv.reader(io.StringIO(actual, newline=""), delimiter=sep))
    rows_e = list(csv.reader(io.StringIO(expected, newline=""), delimiter=sep))
    assert rows_a[0] == rows_e[0]
    assert len(rows_a) == len(rows_e)
    for ra, re_ in zip(rows_a[1:], rows_e[1:]):
        assert ra[0] == re_[0]
        for a, e in zip(ra[1:], re_[1:]):
            if e == "NA":
                assert a == "NA"
            else:
                assert_close(float(a), float(e), "keras64")


def test_golden_cases_cover_each_decision():
    """The recorded cases do stop early, reduce rates and restore weights."""
    cases = GOLDEN["cases"]
    assert cases["es_patience"]["epochs_run"] < cases["es_patience"]["spec"]["fit"]["epochs"]
    assert "Restoring model weights" in cases["es_restore"]["stdout"]
    assert len(set(cases["rlr_val_loss"]["history"]["learning_rate"])) > 2
    assert cases["es_baseline_plateau"]["epochs_run"] == 4


@pytest.mark.skipif(not HAS_SAVING, reason="minikeras.saving is not written yet")
def test_checkpoint_best_saves_the_best_model_for_real(tmp_path, monkeypatch, capsys):
    """save_best_only writes a file that loads back as the best epoch's model."""
    got = replay("checkpoint_template_max", tmp_path, monkeypatch, capsys, real_saving=True)
    expected = GOLDEN["cases"]["checkpoint_template_max"]
    assert got["files"] == expected["files"]
    assert got["stdout"] == expected["stdout"]
    x = np.asarray(GOLDEN["data"]["x_val"])
    # The last file written is the best epoch (the last one): the final model itself.
    assert expected["files"][-1].startswith(f"ckpt/{expected['epochs_run']:02d}-")
    loaded = mk.models.load_model(tmp_path / expected["files"][-1])
    assert_close(loaded.predict(x, verbose=0), got["model"].predict(x, verbose=0), "internal64")


@pytest.mark.skipif(not HAS_SAVING, reason="minikeras.saving is not written yet")
def test_checkpoint_weights_only_for_real(tmp_path, monkeypatch, capsys):
    """Batch-level weight checkpoints hold the weights of the batch they name."""
    got = replay("checkpoint_batches", tmp_path, monkeypatch, capsys, real_saving=True)
    assert got["files"] == GOLDEN["cases"]["checkpoint_batches"]["files"]
    model = build("binary")
    model.load_weights(tmp_path / "w-03-04.weights.h5")  # the last batch of the last epoch
    for a, b in zip(model.get_weights(), got["model"].get_weights()):
        assert_close(a, b, "internal64")


def test_checkpoint_saves_weights_of_the_best_epoch(tmp_path, monkeypatch, capsys):
    """What is handed to save() is the model of the epoch that improved."""
    got = replay("checkpoint_template_max", tmp_path, monkeypatch, capsys)
    calls = got["recorder"].calls
    assert [c[1] for c in calls] == GOLDEN["cases"]["checkpoint_template_max"]["files"]
    assert all(c[0] == "save" for c in calls)
    for a, b in zip(calls[-1][2], got["model"].get_weights()):
        assert_close(a, b, "internal64")


def test_restore_best_weights_restores_that_epoch(tmp_path, monkeypatch, capsys):
    """The restored weights are the ones the model had at the end of the best epoch."""
    mk.config.set_floatx("float64")
    snapshots = []
    keep = mk.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    model = compiled("binary", GOLDEN["cases"]["es_restore"]["spec"]["optimizer"])
    es = mk.callbacks.EarlyStopping(patience=4, restore_best_weights=True)
    x, y, xv, yv = data("binary")
    model.fit(x, y, validation_data=(xv, yv), epochs=40, batch_size=8, shuffle=False,
              verbose=0, callbacks=[keep, es])
    assert es.best_epoch == GOLDEN["cases"]["es_restore"]["best_epoch"]
    for a, b in zip(model.get_weights(), snapshots[es.best_epoch]):
        np.testing.assert_array_equal(a, b)


def test_restore_best_weights_at_train_end_without_stopping():
    """Keras 3 restores at train end even when training ran all its epochs."""
    mk.config.set_floatx("float64")
    model = compiled("binary", ["SGD", {"learning_rate": 0.1}])
    x, y, xv, yv = data("binary")
    snapshots = []
    keep = mk.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    # Minimising val_accuracy (it mostly rises here) makes an early epoch the best one.
    es = mk.callbacks.EarlyStopping(monitor="val_accuracy", mode="min", patience=50,
                                    restore_best_weights=True)
    model.fit(x, y, validation_data=(xv, yv), epochs=6, batch_size=8, shuffle=False,
              verbose=0, callbacks=[keep, es])
    assert es.stopped_epoch == 0 and es.best_epoch < 5
    for a, b in zip(model.get_weights(), snapshots[es.best_epoch]):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- hooks
HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end",
         "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin",
         "on_predict_batch_end"]


class Recorder(mk.callbacks.Callback):
    """Records every hook, in order, with what it saw."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[Any, ...]] = []
        self.seen_model_at_begin = None
        self.seen_params_at_begin = None

    def on_train_begin(self, logs={}):  # noqa: B006 - the old tf.keras spelling must work
        self.seen_model_at_begin = self.model
        self.seen_params_at_begin = dict(self.params)
        self.events.append(("on_train_begin", dict(logs)))

    def on_train_end(self, logs={}):  # noqa: B006
        self.events.append(("on_train_end", sorted(logs)))

    def on_epoch_begin(self, epoch, logs={}):  # noqa: B006
        self.events.append(("on_epoch_begin", epoch, dict(logs)))

    def on_epoch_end(self, epoch, logs={}):  # noqa: B006
        self.events.append(("on_epoch_end", epoch, list(logs)))

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(("on_train_batch_begin", batch, logs))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("on_train_batch_end", batch, sorted(logs)))

    def on_test_begin(self, logs=None):
        self.events.append(("on_test_begin",))

    def on_test_end(self, logs=None):
        self.events.append(("on_test_end", sorted(logs)))

    def on_test_batch_begin(self, batch, logs=None):
        self.events.append(("on_test_batch_begin", batch))

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(("on_test_batch_end", batch))

    def on_predict_begin(self, logs=None):
        self.events.append(("on_predict_begin",))

    def on_predict_end(self, logs=None):
        self.events.append(("on_predict_end",))

    def on_predict_batch_begin(self, batch, logs=None):
        self.events.append(("on_predict_batch_begin", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.events.append(("on_predict_batch_end", batch, sorted(logs)))


def small_model(lr: float = 0.1) -> mk.Sequential:
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(3, activation="relu"),
                           mk.layers.Dense(1, activation="sigmoid")])
    model.compile(mk.optimizers.SGD(lr), "binary_crossentropy", metrics=["accuracy"])
    return model


def small_data(n: int = 20) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4))
    return x, (x[:, :1] > 0).astype("float32")


def test_callback_has_every_keras_hook():
    cb = mk.callbacks.Callback()
    for hook in HOOKS:
        assert callable(getattr(cb, hook)), hook
        if "batch" in hook:
            getattr(cb, hook)(0)
        elif "epoch" in hook:
            getattr(cb, hook)(0)
        else:
            getattr(cb, hook)()


def test_hook_order_and_logs_in_fit_evaluate_predict():
    x, y = small_data(20)
    rec = Recorder()
    model = small_model()
    model.fit(x[:12], y[:12], batch_size=5, epochs=2, validation_data=(x[12:], y[12:]),
              verbose=0, callbacks=[rec])
    ev = rec.events
    assert ev[0] == ("on_train_begin", {})
    assert rec.seen_model_at_begin is model
    assert rec.seen_params_at_begin == {"verbose": 0, "epochs": 2, "steps": 3}
    epoch0 = [("on_epoch_begin", 0, {}),
              ("on_train_batch_begin", 0, {}), ("on_train_batch_end", 0, ["accuracy", "loss"]),
              ("on_train_batch_begin", 1, {}), ("on_train_batch_end", 1, ["accuracy", "loss"]),
              ("on_train_batch_begin", 2, {}), ("on_train_batch_end", 2, ["accuracy", "loss"]),
              ("on_test_begin",), ("on_test_batch_begin", 0), ("on_test_batch_end", 0),
              ("on_test_batch_begin", 1), ("on_test_batch_end", 1),
              ("on_test_end", ["accuracy", "loss"]),
              ("on_epoch_end", 0, ["accuracy", "loss", "val_accuracy", "val_loss"])]
    assert ev[1:1 + len(epoch0)] == epoch0
    assert ev[-1] == ("on_train_end", ["accuracy", "loss", "val_accuracy", "val_loss"])
    rec.events.clear()
    model.evaluate(x, y, batch_size=10, verbose=0, callbacks=[rec])
    assert [e[0] for e in rec.events] == ["on_test_begin", "on_test_batch_begin",
                                          "on_test_batch_end", "on_test_batch_begin",
                                          "on_test_batch_end", "on_test_end"]
    rec.events.clear()
    model.predict(x, batch_size=8, verbose=0, callbacks=[rec])
    assert [e[:2] for e in rec.events] == [("on_predict_begin",), ("on_predict_batch_begin", 0),
                                           ("on_predict_batch_end", 0),
                                           ("on_predict_batch_begin", 1),
                                           ("on_predict_batch_end", 1),
                                           ("on_predict_batch_begin", 2),
                                           ("on_predict_batch_end", 2), ("on_predict_end",)]
    assert rec.events[2][2] == ["outputs"]


def test_on_batch_aliases_are_reached_through_train_batch_hooks():
    calls = []

    class OldStyle(mk.callbacks.Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, float(logs["loss"])))

    x, y = small_data(10)
    small_model().fit(x, y, batch_size=5, epochs=1, verbose=0, callbacks=[OldStyle()])
    assert [c[:2] for c in calls] == [("begin", 0), ("end", 0), ("begin", 1), ("end", 1)]
    assert all(math.isfinite(c[2]) for c in calls[1::2])


def test_hooks_written_with_mutable_default_logs_work():
    """tf.keras-era code indexes `logs` (default `{}`), and gets a dict every time."""
    seen = []

    class Old(mk.callbacks.Callback):
        def on_train_begin(self, logs={}):  # noqa: B006
            logs.get("anything")
            seen.append("begin")

        def on_epoch_begin(self, epoch, logs={}):  # noqa: B006
            seen.append(len(logs))

        def on_train_batch_begin(self, batch, logs={}):  # noqa: B006
            logs.get("x")

        def on_epoch_end(self, epoch, logs={}):  # noqa: B006
            seen.append(round(logs["loss"], 12) == round(logs.get("loss"), 12))

    x, y = small_data(10)
    small_model().fit(x, y, epochs=2, verbose=0, callbacks=[Old()])
    assert seen == ["begin", 0, True, 0, True]


def test_history_params_and_model_history():
    x, y = small_data(10)
    model = small_model()
    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0)
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
    assert set(history.params) == {"verbose", "epochs", "steps"}
    assert model.history is history
    assert history.epoch == [0, 1, 2]


def test_history_key_order_with_learning_rate_callback():
    x, y = small_data(20)
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy",
                  metrics=["mse", "accuracy", mk.metrics.AUC(name="auc")])
    history = model.fit(x[:14], y[:14], validation_data=(x[14:], y[14:]), epochs=2, verbose=0,
                        callbacks=[mk.callbacks.LearningRateScheduler(lambda e, lr: lr)])
    assert list(history.history) == ["accuracy", "auc", "loss", "mse", "val_accuracy",
                                     "val_auc", "val_loss", "val_mse", "learning_rate"]


def test_stop_training_in_a_batch_still_validates_and_ends_the_epoch():
    x, y = small_data(20)
    events = []

    class StopAfterSecondBatch(mk.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            events.append(("batch", batch))
            if batch == 1:
                self.model.stop_training = True

        def on_test_end(self, logs=None):
            events.append(("validation",))

        def on_epoch_end(self, epoch, logs=None):
            events.append(("epoch_end", epoch, "val_loss" in logs))

        def on_train_end(self, logs=None):
            events.append(("train_end",))

    history = small_model().fit(x[:16], y[:16], batch_size=4, epochs=5, verbose=0,
                                validation_data=(x[16:], y[16:]),
                                callbacks=[StopAfterSecondBatch()])
    assert events == [("batch", 0), ("batch", 1), ("validation",), ("epoch_end", 0, True),
                      ("train_end",)]
    assert history.epoch == [0]


def test_callback_reads_and_assigns_the_learning_rate():
    """A custom callback may read float(optimizer.learning_rate) and assign a new one."""
    seen = []

    class Halve(mk.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            lr = float(self.model.optimizer.learning_rate)
            seen.append(lr)
            self.model.optimizer.learning_rate = lr / 2

    x, y = small_data(10)
    model = small_model(lr=0.4)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[Halve()])
    # The rate lives in floatx (float32), as in Keras: each read is float32-rounded.
    expected = [float(np.float32(0.4))]
    for _ in range(3):
        expected.append(float(np.float32(expected[-1] / 2)))
    assert seen == expected[:3]
    assert float(model.optimizer.learning_rate) == expected[3]
    # The assigned rate is the one the next step uses: an SGD step of 0.05.
    before = model.get_weights()
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)
    after = model.get_weights()
    model2 = small_model(lr=0.05)
    model2.set_weights(before)
    model2.fit(x, y, epochs=1, batch_size=10, verbose=0)
    for a, b in zip(after, model2.get_weights()):
        assert_close(a, b, "float32")


def test_self_model_and_params_are_set_before_training():
    seen = {}

    class Peek(mk.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen["model"] = self.model
            seen["params"] = dict(self.params)

    x, y = small_data(10)
    model = small_model()
    model.fit(x, y, batch_size=5, epochs=2, verbose=2, callbacks=[Peek()])
    assert seen["model"] is model
    assert seen["params"] == {"verbose": 2, "epochs": 2, "steps": 2}


# ----------------------------------------------------------------------------- cost
def test_batch_hooks_are_skipped_when_nobody_listens():
    x, y = small_data(40)
    model = small_model()
    calls = {"logs": 0}
    original = model._logs

    def counting_logs(*args, **kwargs):
        calls["logs"] += 1
        return original(*args, **kwargs)

    model._logs = counting_logs
    callbacks = [mk.callbacks.EarlyStopping(monitor="loss", patience=5),
                 mk.callbacks.ModelCheckpoint(os.devnull + ".never", save_freq="epoch",
                                              monitor="loss", save_best_only=True),
                 mk.callbacks.ReduceLROnPlateau(monitor="loss"),
                 mk.callbacks.CSVLogger(os.devnull), mk.callbacks.History()]
    cbs = CallbackList(callbacks, add_history=True, add_progbar=True, model=model,
                       verbose=2, epochs=1, steps=10)
    for hook in ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                 "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end"):
        assert not cbs.wants(hook), hook
    model.save = lambda *a, **k: None
    model.fit(x, y, batch_size=4, epochs=2, verbose=1, callbacks=callbacks)
    # Once per epoch for the epoch logs; never per batch (10 batches per epoch).
    assert calls["logs"] == 2


def test_listeners_follow_the_options():
    model = small_model()
    every_batch = mk.callbacks.ModelCheckpoint("x.keras", save_freq=5)
    lam = mk.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: None)
    lam_kw = mk.callbacks.LambdaCallback(on_test_batch_end=lambda b, logs: None)
    nan = mk.callbacks.TerminateOnNaN()
    for cb, hook in ((every_batch, "on_train_batch_end"), (lam, "on_train_batch_end"),
                     (lam_kw, "on_test_batch_end"), (nan, "on_train_batch_end")):
        cbs = CallbackList([cb], model=model, verbose=0, epochs=1, steps=1)
        assert cbs.wants(hook), (cb, hook)
    quiet = CallbackList([mk.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: None)],
                         model=model, verbose=0, epochs=1, steps=1)
    assert not quiet.wants("on_train_batch_end")

    class Sub(mk.callbacks.ModelCheckpoint):
        def on_train_batch_end(self, batch, logs=None):
            pass

    cbs = CallbackList([Sub("x.keras")], model=model, verbose=0, epochs=1, steps=1)
    assert cbs.wants("on_train_batch_end")  # a subclass's own hook is always called


def test_lazy_logs_compute_once_on_first_read():
    calls = []
    logs = LazyLogs(lambda: calls.append(1) or {"loss": 1.5})
    assert calls == []
    assert logs["loss"] == 1.5 and logs.get("x") is None and dict(logs) == {"loss": 1.5}
    assert calls == [1]


def test_callback_list_rejects_a_class():
    with pytest.raises(TypeError, match=r"EarlyStopping\(\.\.\.\)"):
        CallbackList([mk.callbacks.EarlyStopping])


# ----------------------------------------------------------------------------- EarlyStopping
def test_early_stopping_messages_word_for_word(capsys):
    x, y = small_data(10)
    model = small_model()
    es = mk.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0, verbose=1,
                                    restore_best_weights=True)
    model.fit(x, y, epochs=5, verbose=0, callbacks=[es])
    assert capsys.readouterr().out == (
        "Epoch 2: early stopping\nRestoring model weights from the end of the best epoch: 1.\n")


def test_early_stopping_defaults_match_keras():
    es = mk.callbacks.EarlyStopping()
    assert (es.monitor, es.min_delta, es.patience, es.verbose, es.mode, es.baseline,
            es.restore_best_weights, es.start_from_epoch) == (
        "val_loss", 0, 0, 0, "auto", None, False, 0)


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="EarlyStopping mode 'maximum' is unknown, fallback "
                                         "to auto mode."):
        es = mk.callbacks.EarlyStopping(mode="maximum")
    assert es.mode == "auto"


def test_auto_mode_refuses_a_metric_without_direction():
    x, y = small_data(10)
    model = small_model()
    es = mk.callbacks.EarlyStopping(monitor="val_zzz")
    with pytest.raises(ValueError, match="monitor=val_zzz, but Keras isn't able to "
                                         "automatically determine"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[es])


@pytest.mark.parametrize("metric, direction", [
    ("accuracy", "up"), ("mae", "down"), ("mse", "down"), ("binary_crossentropy", "down")])
def test_auto_mode_reads_the_metric_direction(metric, direction):
    from minikeras.callbacks.monitor import metric_direction

    x, y = small_data(10)
    model = small_model()
    model.compile("sgd", "binary_crossentropy", metrics=[metric])
    model.fit(x, y, epochs=1, verbose=0)
    found = [m for m in model.metrics if m.name == metric]
    assert found and metric_direction(found[0]) == direction


# ----------------------------------------------------------------------------- learning rate
def test_reduce_lr_rejects_factor_one():
    with pytest.raises(ValueError, match="does not support a factor >= 1.0. Received factor=1"):
        mk.callbacks.ReduceLROnPlateau(factor=1.0)


def test_reduce_lr_says_it_ignores_unknown_arguments():
    with pytest.warns(UserWarning, match=r"ignores the argument\(s\) \['epsilon'\], as Keras 3 "
                                         r"does. Pass `min_delta` instead of `epsilon`."):
        cb = mk.callbacks.ReduceLROnPlateau(epsilon=0.01)
    assert cb.min_delta == 1e-4


def test_reduce_lr_defaults_match_keras():
    cb = mk.callbacks.ReduceLROnPlateau()
    assert (cb.monitor, cb.factor, cb.patience, cb.verbose, cb.mode, cb.min_delta, cb.cooldown,
            cb.min_lr) == ("val_loss", 0.1, 10, 0, "auto", 1e-4, 0, 0.0)


def test_scheduler_accepts_numbers_and_rejects_others():
    x, y = small_data(10)
    model = small_model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[
        mk.callbacks.LearningRateScheduler(lambda epoch: 1)])  # an int is a rate too
    assert float(model.optimizer.learning_rate) == 1.0
    model.fit(x, y, epochs=1, verbose=0, callbacks=[
        mk.callbacks.LearningRateScheduler(lambda epoch, lr: np.float32(0.25))])
    assert float(model.optimizer.learning_rate) == 0.25
    with pytest.raises(ValueError, match="The output of the `schedule` function should be a "
                                         "float. Got: fast"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            mk.callbacks.LearningRateScheduler(lambda epoch: "fast")])


def test_scheduler_sets_the_rate_each_epoch_uses():
    rates = []
    x, y = small_data(10)
    model = small_model()
    spy = mk.callbacks.LambdaCallback(
        on_train_batch_begin=lambda b, logs: rates.append(float(model.optimizer.learning_rate)))
    model.fit(x, y, epochs=3, batch_size=10, verbose=0,
              callbacks=[mk.callbacks.LearningRateScheduler(lambda e: 0.1 * (e + 1)), spy])
    assert rates == pytest.approx([0.1, 0.2, 0.30000000000000004])


# ----------------------------------------------------------------------------- checkpoint
def test_checkpoint_arguments_are_checked():
    with pytest.raises(ValueError, match="Unrecognized save_freq: 1.5. Expected save_freq are "
                                         "'epoch' or integer values"):
        mk.callbacks.ModelCheckpoint("m.keras", save_freq=1.5)
    cb = mk.callbacks.ModelCheckpoint(Path("m.keras"))
    assert cb.filepath == "m.keras"
    assert (cb.monitor, cb.verbose, cb.save_best_only, cb.save_weights_only, cb.mode,
            cb.save_freq, cb.best) == ("val_loss", 0, False, False, "auto", "epoch", None)


def test_checkpoint_template_with_an_unknown_key(tmp_path, monkeypatch):
    x, y = small_data(10)
    model = small_model()
    SaveRecorder(model, monkeypatch)
    cb = mk.callbacks.ModelCheckpoint(str(tmp_path / "{epoch}-{val_auc}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[cb])


def test_checkpoint_to_an_existing_directory(tmp_path, monkeypatch):
    x, y = small_data(10)
    model = small_model()
    SaveRecorder(model, monkeypatch)
    (tmp_path / "d").mkdir()
    cb = mk.callbacks.ModelCheckpoint(str(tmp_path / "d"))
    with pytest.raises(OSError, match="Please specify a non-directory filepath for "
                                      "ModelCheckpoint"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[cb])


def test_checkpoint_accepts_tf_keras_file_names(tmp_path, monkeypatch):
    """Old programs' names ("weights.{epoch:02d}.hdf5") work: any name is accepted."""
    x, y = small_data(10)
    model = small_model()
    rec = SaveRecorder(model, monkeypatch)
    cb = mk.callbacks.ModelCheckpoint(str(tmp_path / "weights.{epoch:02d}.hdf5"),
                                      save_weights_only=True)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[cb])
    assert [(c[0], Path(c[1]).name) for c in rec.calls] == [
        ("save_weights", "weights.01.hdf5"), ("save_weights", "weights.02.hdf5")]


def test_checkpoint_best_is_kept_across_fits(tmp_path, monkeypatch):
    """As in Keras, the best value is not reset by a new fit()."""
    x, y = small_data(10)
    model = small_model()
    rec = SaveRecorder(model, monkeypatch)
    cb = mk.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), monitor="loss",
                                      save_best_only=True)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[cb])
    assert len(rec.calls) == 1 and cb.best == model.history.history["loss"][0]
    cb.best = -1.0  # no loss beats this: a reset at train begin would save again
    model.fit(x, y, epochs=2, verbose=0, callbacks=[cb])
    assert len(rec.calls) == 1 and cb.best == -1.0


# ----------------------------------------------------------------------------- CSVLogger
def read_rows(path: Path, sep: str = ",") -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=sep))


def test_csv_logger_truncates_unless_append(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("old content\n")
    x, y = small_data(10)
    model = small_model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[mk.callbacks.CSVLogger(path)])
    rows = read_rows(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    assert rows[1][3:] == ["NA", "NA"]
    model.fit(x, y, epochs=3, initial_epoch=2, verbose=0,
              callbacks=[mk.callbacks.CSVLogger(path, append=True)])
    rows = read_rows(path)
    assert [r[0] for r in rows] == ["epoch", "0", "1", "2"]  # one header
    model.fit(x, y, epochs=1, verbose=0, callbacks=[mk.callbacks.CSVLogger(path)])
    assert [r[0] for r in read_rows(path)] == ["epoch", "0"]


def test_csv_logger_append_to_a_new_file_writes_the_header(tmp_path):
    path = tmp_path / "new.csv"
    x, y = small_data(10)
    small_model().fit(x, y, epochs=1, verbose=0,
                      callbacks=[mk.callbacks.CSVLogger(path, separator="\t", append=True)])
    assert read_rows(path, "\t")[0] == ["epoch", "accuracy", "loss", "val_accuracy",
                                        "val_loss"]


def test_csv_logger_rows_are_on_disk_after_each_epoch(tmp_path):
    """Each row is flushed: a crash keeps the finished epochs."""
    path = tmp_path / "log.csv"
    seen = []

    def look(epoch, logs):
        seen.append(len(read_rows(path)))
        if epoch == 2:
            raise RuntimeError("power cut")

    x, y = small_data(10)
    with pytest.raises(RuntimeError, match="power cut"):
        small_model().fit(x, y, epochs=5, verbose=0, callbacks=[
            mk.callbacks.CSVLogger(path), mk.callbacks.LambdaCallback(on_epoch_end=look)])
    assert seen == [2, 3, 4]
    rows = read_rows(path)
    assert [r[0] for r in rows] == ["epoch", "0", "1", "2"]
    assert all(math.isfinite(float(v)) for v in rows[3][1:3])


def test_csv_logger_writes_only_on_rank_zero(tmp_path, monkeypatch):
    monkeypatch.setattr(mk.distribution, "is_chief", lambda: False, raising=False)
    path = tmp_path / "log.csv"
    x, y = small_data(10)
    small_model().fit(x, y, epochs=2, verbose=0, callbacks=[mk.callbacks.CSVLogger(path)])
    assert not path.exists()


# ----------------------------------------------------------------------------- the rest
def test_terminate_on_nan_stops_after_the_batch(capsys):
    x = np.ones((12, 4)) * 1e3
    y = np.ones((12, 1)) * 1e6
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(1)])
    model.compile(mk.optimizers.SGD(1e3), "mse")
    batches = []
    spy = mk.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(
        float(logs["loss"])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the overflow is the point
        history = model.fit(x, y, batch_size=2, epochs=3, verbose=0,
                            callbacks=[spy, mk.callbacks.TerminateOnNaN()])
    bad = next(i for i, v in enumerate(batches) if not math.isfinite(v))
    assert len(batches) == bad + 1 < 18
    assert history.epoch == [0]
    assert capsys.readouterr().out == f"Batch {bad}: Invalid loss, terminating training\n"


def test_terminate_on_nan_can_raise():
    cb = mk.callbacks.TerminateOnNaN(raise_error=True)
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 3. Loss value: "
                                           "nan. Terminating training immediately."):
        cb.on_train_batch_end(3, {"loss": float("nan")})


def test_lambda_callback_hooks_and_kwargs():
    events = []
    cb = mk.callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch)),
        on_batch_end=lambda batch, logs: events.append(("batch_end", batch)),
        on_train_end=lambda logs: events.append("train_end"))
    x, y = small_data(10)
    small_model().fit(x, y, batch_size=5, epochs=1, verbose=0, callbacks=[cb])
    assert events == ["train_begin", ("batch_end", 0), ("batch_end", 1), ("epoch_end", 0),
                      "train_end"]


def test_tensorboard_names_csv_logger():
    with pytest.raises(NotImplementedError, match=r"CSVLogger"):
        mk.callbacks.TensorBoard(log_dir="logs", histogram_freq=1)


def test_public_names():
    for name in ("Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
                 "ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger",
                 "TerminateOnNaN", "LambdaCallback", "TensorBoard", "SwapEMAWeights"):
        assert name in mk.callbacks.__all__ and hasattr(mk.callbacks, name)


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swap_ema_weights_validates_on_the_averages_and_trains_on_the_weights(swap_on_epoch):
    """Keras 3.15.1 (torch) gives val_loss [2.3341, 1.25185, 0.56969] and loss
    [3.32296, 0.82898, 0.31184] for this run with swap_on_epoch=True."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5])).astype("float32")

    def run(callbacks):
        model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(4, activation="tanh"),
                               mk.layers.Dense(1)])
        model.set_weights([np.random.default_rng(i).normal(size=w.shape).astype("float32") * 0.5
                           for i, w in enumerate(model.get_weights())])
        model.compile(optimizer=mk.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9),
                      loss="mse")
        history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                            validation_data=(x[:10], y[:10]), callbacks=callbacks)
        return model, history.history

    swapped, h_swap = run([mk.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)])
    plain, h_plain = run([])
    assert h_swap["loss"] == h_plain["loss"]  # training sees the weights, not the averages
    assert_close(h_swap["loss"], [3.32296, 0.82898, 0.31184], "float32")
    if swap_on_epoch:
        assert_close(h_swap["val_loss"], [2.3341, 1.25185, 0.56969], "float32")
    assert h_swap["val_loss"] != h_plain["val_loss"]
    # fit ends with the averages in the model either way: the last validation was on them
    assert_close(swapped.evaluate(x[:10], y[:10], verbose=0), h_swap["val_loss"][-1], "float32")
    for a, b in zip(swapped.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="use_ema=True"):
        model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y),
                  callbacks=[mk.callbacks.SwapEMAWeights()])
    # predict runs on the averages and gives the weights back (train_on_batch does not
    # finalize them, so the two differ here)
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    model.compile(optimizer=mk.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), loss="mse")
    for _ in range(3):
        model.train_on_batch(x, y)
    weights = model.get_weights()
    on_ema = model.predict(x, verbose=0, callbacks=[mk.callbacks.SwapEMAWeights()])
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(on_ema, model.predict(x, verbose=0))
    model.optimizer.finalize_variable_values()
    assert_close(model.predict(x, verbose=0), on_ema, "float32")



def test_callback_params_as_keras_hands_them_over():
    seen = {}

    class Spy(mk.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen["fit"] = dict(self.params)

        def on_test_begin(self, logs=None):
            seen.setdefault("evaluate", dict(self.params))

        def on_predict_begin(self, logs=None):
            seen["predict"] = dict(self.params)

    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((10, 2)), np.ones((10, 1))
    history = model.fit(x, y, batch_size=4, epochs=2, callbacks=[Spy()])
    assert seen["fit"] == history.params == {"verbose": "auto", "epochs": 2, "steps": 3}
    model.evaluate(x, y, batch_size=5, verbose=0, callbacks=[Spy()])
    assert seen["evaluate"] == {"verbose": 0, "epochs": 1, "steps": 2}
    model.predict(x, batch_size=4, verbose=0, callbacks=[Spy()])
    assert seen["predict"] == {"verbose": 0, "epochs": 1, "steps": 3}  # steps: custom bars
