"""Progress output of fit: a tqdm bar on a terminal, clean lines elsewhere, rank 0 only."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import minikeras as mk
from minikeras.callbacks.base import CallbackList, print_msg
from minikeras.callbacks.progbar import ProgbarLogger, format_logs
from tests.helpers.tolerances import assert_close

# Keras's verbose=2 line: "4/4 - 0s - 2ms/step - accuracy: 0.5000 - loss: 0.6931"
LINE = re.compile(r"^(\d+)/\1 - \d+s - \d+(s|ms|us)/step( - [a-z_]+: -?\d\.\d{4}(e[-+]\d\d)?)+$")


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def model_and_data(n: int = 24):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 4))
    y = (x[:, :1] > 0).astype("float32")
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(3, activation="relu"),
                           mk.layers.Dense(1, activation="sigmoid")])
    model.compile(mk.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"])
    return model, x, y


@pytest.mark.parametrize("verbose", [1, 2, "auto"])
def test_not_a_terminal_prints_one_clean_line_per_epoch(capsys, verbose):
    model, x, y = model_and_data()
    model.fit(x[:16], y[:16], batch_size=4, epochs=3, verbose=verbose,
              validation_data=(x[16:], y[16:]))
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out and "\b" not in out
    lines = out.splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert len(lines) == 6
    for line in lines[1::2]:
        assert LINE.match(line), line
        assert line.startswith("4/4 - ")
        assert [part.split(":")[0] for part in line.split(" - ")[3:]] == [
            "accuracy", "loss", "val_accuracy", "val_loss"]


def test_one_epoch_prints_no_epoch_header(capsys):
    """Keras prints "Epoch i/N" only when there is more than one epoch."""
    model, x, y = model_and_data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and LINE.match(lines[0]) and lines[0].startswith("3/3 - ")


def test_verbose_zero_prints_nothing(capsys):
    model, x, y = model_and_data()
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25)
    assert capsys.readouterr().out == ""


def test_the_line_shows_the_epoch_logs_with_learning_rate(capsys):
    model, x, y = model_and_data()
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=2, callbacks=[
        mk.callbacks.LearningRateScheduler(lambda epoch, lr: 0.0005)])
    line = capsys.readouterr().out.splitlines()[-1]
    loss = history.history["loss"][-1]
    assert line.endswith(f" - accuracy: {history.history['accuracy'][-1]:.4f} - loss: "
                         f"{loss:.4f} - learning_rate: 5.0000e-04")


def test_a_terminal_gets_a_tqdm_bar_per_epoch(capsys):
    model, x, y = model_and_data()
    term = FakeTerminal()
    logger = ProgbarLogger(stream=term)
    logger.redraw_interval = logger.metrics_interval = 0  # draw every batch
    model.fit(x, y, batch_size=8, epochs=2, verbose=1, callbacks=[logger])
    assert capsys.readouterr().out == ""
    text = term.getvalue()
    assert "\r" in text  # tqdm redraws in place
    assert text.count("Epoch 1/2\n") == 1 and text.count("Epoch 2/2\n") == 1
    assert "3/3 [" in text and "accuracy: " in text  # the bar, with the running metrics
    # Each finished bar is erased and replaced by the epoch's full line.
    for epoch in (1, 2):
        part = text.split(f"Epoch {epoch}/2\n")[1].split("Epoch")[0]
        final = part.split("\r")[-1]
        assert final.endswith("\n") and LINE.match(final[:-1]), final
        assert final.startswith("3/3 - ") and " - loss: " in final


def test_messages_go_above_a_live_bar(capsys, monkeypatch, tmp_path):
    model, x, y = model_and_data()
    monkeypatch.setattr(model, "save", lambda path, overwrite=True: None)
    monkeypatch.chdir(tmp_path)
    term = FakeTerminal()
    es = mk.callbacks.EarlyStopping(monitor="loss", min_delta=100.0, patience=0, verbose=1)
    ckpt = mk.callbacks.ModelCheckpoint("m.keras", monitor="loss", verbose=1)
    model.fit(x, y, batch_size=8, epochs=5, verbose=1,
              callbacks=[ckpt, es, ProgbarLogger(stream=term)])
    text = term.getvalue()
    # The checkpoint speaks while the epoch's bar is live: through tqdm, on the bar's
    # stream, on lines of their own (the bar is redrawn below them).
    assert "\rEpoch 1: saving model to m.keras\n" in text  # the bar line is cleared first
    assert "\rEpoch 2: finished saving model to m.keras\n" in text
    # EarlyStopping speaks at train end, after the last bar closed: plain stdout.
    assert capsys.readouterr().out == "Epoch 2: early stopping\n"


def test_print_msg_with_a_live_bar_writes_through_tqdm(capsys):
    from tqdm import tqdm

    from minikeras.callbacks import base

    term = FakeTerminal()
    bar = tqdm(total=4, file=term)
    base._live_bar.append(bar)
    try:
        print_msg("\nEpoch 1: saving model to m.keras")
    finally:
        base._live_bar.remove(bar)
        bar.close()
    assert capsys.readouterr().out == ""
    assert "Epoch 1: saving model to m.keras\n" in term.getvalue()
    assert "\n\nEpoch 1" not in term.getvalue()


def test_only_rank_zero_prints(capsys, monkeypatch):
    monkeypatch.setattr(mk.distribution, "is_chief", lambda: False, raising=False)
    model, x, y = model_and_data()
    model.fit(x, y, batch_size=8, epochs=3, verbose=1, callbacks=[
        mk.callbacks.EarlyStopping(monitor="loss", min_delta=100.0, verbose=1),
        ProgbarLogger(stream=FakeTerminal())])
    assert capsys.readouterr().out == ""
    print_msg("hello")
    assert capsys.readouterr().out == ""


def test_progbar_listens_to_batches_only_when_drawing_a_bar():
    model, _, _ = model_and_data()
    for stream, verbose, steps, wanted in [(io.StringIO(), 1, 5, False),
                                           (io.StringIO(), 2, 5, False),
                                           (FakeTerminal(), 2, 5, False),
                                           (FakeTerminal(), 1, 5, True),
                                           (FakeTerminal(), 0, 5, False),
                                           (io.StringIO(), 1, None, True)]:
        cbs = CallbackList([ProgbarLogger(stream=stream)], model=model, verbose=verbose,
                           epochs=1, steps=steps)
        assert cbs.wants("on_train_batch_end") is wanted, (type(stream), verbose, steps)
        assert not cbs.wants("on_train_batch_begin")


def test_progbar_added_by_fit_does_not_listen_when_piped(capsys, monkeypatch):
    """The default logger of fit(verbose=1) into a pipe costs nothing per batch."""
    model, x, y = model_and_data(64)
    calls = {"n": 0}
    original = model._logs

    def counting(*args, **kwargs) -> dict:
        calls["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(model, "_logs", counting)
    model.fit(x, y, batch_size=4, epochs=2, verbose=1)
    assert calls["n"] == 2  # the two epoch ends; none of the 32 batches


def test_format_logs_follows_keras_rules():
    logs = {"loss": 0.5, "tiny": 0.0005, "zero": 0.0, "neg": -0.25, "name": "text"}
    assert format_logs(logs) == ("loss: 0.5000 - tiny: 5.0000e-04 - zero: 0.0000e+00 - "
                                 "neg: -0.2500")
    # Keras's verbose=2 line compares the signed value with 1e-3.
    assert format_logs(logs, signed=True) == ("loss: 0.5000 - tiny: 5.0000e-04 - zero: "
                                              "0.0000e+00 - neg: -2.5000e-01")


def test_unknown_steps_are_counted(capsys):
    """A generator without steps_per_epoch: the line counts the batches it saw."""
    model, x, y = model_and_data(20)

    def batches():
        for i in range(0, 20, 8):
            yield x[i:i + 8], y[i:i + 8]

    cb = ProgbarLogger()
    cb.set_params({"verbose": 2, "epochs": 1, "steps": None})
    cb.set_model(model)
    cb.on_train_begin({})
    cb.on_epoch_begin(0, {})
    for step, _ in enumerate(batches()):
        cb.on_train_batch_end(step, {"loss": 1.0})
    cb.on_epoch_end(0, {"loss": 0.5})
    line = capsys.readouterr().out.strip()
    assert LINE.match(line) and line.startswith("3/3 - ")


def test_the_bar_reads_the_running_metrics_only_when_it_shows_them(monkeypatch):
    model, x, y = model_and_data(64)
    calls = {"n": 0}
    original = model._logs

    def counting(*args, **kwargs) -> dict:
        calls["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(model, "_logs", counting)
    logger = ProgbarLogger(stream=FakeTerminal())
    logger.metrics_interval = float("inf")
    model.fit(x, y, batch_size=4, epochs=2, verbose=1, callbacks=[logger])
    assert calls["n"] == 2  # the epoch ends only, though the bar saw all 32 batches
    logger.metrics_interval = 0
    calls["n"] = 0
    model.fit(x, y, batch_size=4, epochs=1, verbose=1, callbacks=[logger])
    assert calls["n"] == 16 + 1


@pytest.mark.parametrize("verbose", [1, 2, "auto"])
def test_predict_prints_keras_closing_line_at_the_users_batch_size(capsys, verbose):
    model, x, _ = model_and_data(n=100)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""
    model.predict(x, verbose=verbose)  # predicted in one chunk, reported in batches of 32
    assert re.match(r"^4/4 - \d+s - \d+(s|ms|us)/step\n$", capsys.readouterr().out)
    model.predict(x, batch_size=10, steps=3, verbose=verbose)
    assert capsys.readouterr().out.startswith("3/3 - ")

    def batches():
        for i in range(5):
            yield x[i * 10:(i + 1) * 10]

    model.predict(batches(), verbose=verbose)
    assert capsys.readouterr().out.startswith("5/5 - ")


def test_evaluate_prints_the_closing_line_with_its_logs(capsys):
    model, x, y = model_and_data()
    model.evaluate(x, y, verbose=2)
    assert LINE.match(capsys.readouterr().out.strip())
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""


def test_steps_count_the_users_batches_in_predict_and_evaluate():
    model, x, y = model_and_data(n=100)
    out = model.predict(x, batch_size=10, steps=3, verbose=0)
    assert out.shape == (30, 1)
    assert_close(out, model.predict(x[:30], verbose=0), "float32")
    assert_close(model.evaluate(x, y, batch_size=10, steps=3, verbose=0),
                 model.evaluate(x[:30], y[:30], batch_size=10, verbose=0), "float32")
