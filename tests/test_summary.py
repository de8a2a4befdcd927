"""model.summary(): Keras 3's table, cells and totals.

``tests/golden/summary.json`` holds Keras 3.15's own texts (torch backend, 80 terminal
columns) for the models in ``tests/golden/summary_cases.py``; the first test compares
every one of them character for character. The rest pins what the cases do not show.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import minikeras as mk
from minikeras import layers as L
from minikeras.callbacks.base import print_msg
from minikeras.models.summary import print_summary, summary_lines

GOLDEN = Path(__file__).parent / "golden"
sys.path.insert(0, str(GOLDEN))
from summary_cases import cases  # noqa: E402

KERAS_TEXTS = json.loads((GOLDEN / "summary.json").read_text(encoding="utf-8"))["texts"]


@pytest.fixture(autouse=True)
def _terminal_80_columns(monkeypatch):
    """The width Keras's texts were made with (shutil reads COLUMNS first)."""
    monkeypatch.setenv("COLUMNS", "80")


def _text(model: mk.Sequential, **kwargs) -> str:
    """What ``model.summary(print_fn=...)`` hands over, as one text."""
    calls: list[str] = []
    model.summary(print_fn=calls.append, **kwargs)
    return "".join(c if c.endswith("\n") else c + "\n" for c in calls)


def _mnist_mlp() -> mk.Sequential:
    mk.backend.clear_session()
    mk.utils.set_random_seed(0)
    return mk.Sequential([mk.Input((784,)), L.Dense(128, activation="relu"), L.Dropout(0.2),
                          L.BatchNormalization(), L.Dense(10, activation="softmax")])


def _nested() -> mk.Sequential:
    inner = mk.Sequential([L.Dense(4, name="d_in1"), L.Dense(3, name="d_in2")], name="inner")
    outer = mk.Sequential([mk.Input((5,)), L.Dense(8, name="first"), inner,
                           L.Dense(2, name="out")], name="outer")
    inner.layers[0].trainable = False
    return outer


MLP_SUMMARY = KERAS_TEXTS["mlp"]


def _rows(text: str) -> list[str]:
    """The table's body lines, without the borders' rules."""
    return [line for line in text.splitlines() if line.startswith("│")]


# ----------------------------------------------------------------------------- 0. Keras
@pytest.mark.parametrize("name", sorted(KERAS_TEXTS))
def test_the_same_text_as_keras(name):
    model, kwargs = cases(mk)[name]
    assert _text(model, **kwargs) == KERAS_TEXTS[name]


def test_width_follows_the_terminal_and_cuts_wider_lines(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    lines = _text(_mnist_mlp()).splitlines()
    assert len(lines[1]) == 88  # Keras's default, under a wide terminal
    monkeypatch.setenv("COLUMNS", "60")
    lines = _text(_mnist_mlp()).splitlines()
    assert len(lines[1]) == 56  # the terminal minus 4
    lines = _text(_mnist_mlp(), line_length=70).splitlines()
    assert len(lines[1]) == 60 and lines[1].endswith("━")  # cut at the terminal, as rich does


# ----------------------------------------------------------------------------- 1. numbers
def test_sizes_use_1024_units():
    model = mk.Sequential([mk.Input((1000,)), L.Dense(1000)])
    text = _text(model)
    assert "│ (None, 1000)           │     1,001,000 │\n" in text
    assert " Total params: 1,001,000 (3.82 MB)\n" in text


# ----------------------------------------------------------------------------- 2. print_fn
def test_print_fn_is_called_once_with_the_whole_text():
    model = _mnist_mlp()
    calls: list[str] = []
    print_summary(model, print_fn=lambda s: calls.append(s))
    assert calls == [MLP_SUMMARY]
    buf = io.StringIO()
    print_summary(model, print_fn=buf.write)
    assert buf.getvalue() == MLP_SUMMARY


def test_default_print_and_print_msg_give_the_same_text(capsys):
    model = _mnist_mlp()
    model.summary()
    assert capsys.readouterr().out == MLP_SUMMARY
    print_summary(model)
    assert capsys.readouterr().out == MLP_SUMMARY
    print_summary(model, print_fn=print_msg)  # Keras passes line_break=False to its own
    assert capsys.readouterr().out == MLP_SUMMARY


def test_summary_lines_is_the_text_split():
    model = _mnist_mlp()
    assert "\n".join(summary_lines(model)) + "\n" == MLP_SUMMARY


# ----------------------------------------------------------------------------- 3. trainable
def test_show_trainable_dash_for_no_weights_and_n_for_frozen():
    model = _mnist_mlp()
    model.layers[2].trainable = False
    lines = _text(model, show_trainable=True).splitlines()
    assert lines[2] == ("┃ Layer (type)                ┃ Output Shape          ┃    Param # "
                        "┃ Trai… ┃")
    rows = _rows("\n".join(lines))
    assert [row[-9:] for row in rows if row[-9:] != "│       │"] == [
        "│   Y   │", "│   -   │", "│   N   │", "│   Y   │"]
    assert " Trainable params: 101,770 (397.54 KB)" in lines
    assert " Non-trainable params: 512 (2.00 KB)" in lines


def test_partly_frozen_nested_model_expanded():
    text = _text(_nested(), show_trainable=True, expand_nested=True)
    assert [row.split("│")[1].rstrip() for row in _rows(text)] == [
        " first (Dense)", " inner (Sequential)", "    └ d_in1 (Dense)", "    └ d_in2 (Dense)",
        " out (Dense)"]
    assert " Non-trainable params: 36 (144.00 B)\n" in text


# ----------------------------------------------------------------------------- 4. optimizer
def _fit(model: mk.Sequential, optimizer) -> mk.Sequential:
    model.compile(optimizer, "mse")
    model.fit(np.zeros((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0)
    return model


def _small() -> mk.Sequential:
    mk.utils.set_random_seed(0)
    return mk.Sequential([mk.Input((3,)), L.Dense(4), L.BatchNormalization(), L.Dense(2)])


def _totals(model: mk.Sequential) -> list[str]:
    """The lines under the table, without Keras's one leading space."""
    return [line[1:] for line in _text(model).splitlines() if "params:" in line]


def test_no_optimizer_line_before_the_optimizer_is_built():
    model = _small()
    model.compile("adam", "mse")
    assert not any(line.startswith("Optimizer") for line in _totals(model))


@pytest.mark.parametrize("make, total, optimizer", [
    # iteration (4 bytes, int32 in Keras) + learning rate + slots per trainable weight
    (lambda: mk.optimizers.SGD(), "Total params: 44 (176.00 B)", "Optimizer params: 2 (8.00 B)"),
    (lambda: mk.optimizers.SGD(momentum=0.9), "Total params: 78 (312.00 B)",
     "Optimizer params: 36 (144.00 B)"),
    (lambda: mk.optimizers.Adam(amsgrad=True), "Total params: 146 (584.00 B)",
     "Optimizer params: 104 (416.00 B)"),
    # a schedule is no variable
    (lambda: mk.optimizers.Adam(mk.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)),
     "Total params: 111 (444.00 B)", "Optimizer params: 69 (276.00 B)"),
    # Nadam's u_product has the weights' dtype
    (lambda: mk.optimizers.Nadam(), "Total params: 113 (452.00 B)",
     "Optimizer params: 71 (284.00 B)"),
])
def test_optimizer_params_match_keras(make, total, optimizer):
    lines = _totals(_fit(_small(), make()))
    assert lines == [total, "Trainable params: 34 (136.00 B)",
                     "Non-trainable params: 8 (32.00 B)", optimizer]


def test_frozen_weights_have_no_optimizer_slots_as_in_keras():
    model = _small()
    model.layers[0].trainable = False
    assert _totals(_fit(model, mk.optimizers.Adam(amsgrad=True))) == [
        "Total params: 98 (392.00 B)", "Trainable params: 18 (72.00 B)",
        "Non-trainable params: 24 (96.00 B)", "Optimizer params: 56 (224.00 B)"]


def test_loaded_trained_model_counts_its_optimizer(tmp_path):
    model = _fit(_small(), mk.optimizers.Adam(amsgrad=True))
    model.save(tmp_path / "m.keras")
    loaded = mk.models.load_model(tmp_path / "m.keras")
    assert _totals(loaded)[-1] == "Optimizer params: 104 (416.00 B)"
    assert _text(loaded) == _text(model)


# ----------------------------------------------------------------------------- 5. long names
def test_long_names_wrap_at_spaces_and_keep_columns_aligned():
    model = mk.Sequential([mk.Input((5,)), L.Dense(2, name="a_very_long_layer_name_indeed")])
    assert _rows(_text(model)) == [
        "│ a_very_long_layer_name_indeed   │ (None, 2)              │            12 │",
        "│ (Dense)                         │                        │               │"]
    lines = _text(_mnist_mlp()).splitlines()
    table = lines[1:lines.index(next(x for x in lines if x.startswith(" Total")))]
    assert {len(line) for line in table} == {76}
    assert {tuple(i for i, c in enumerate(line) if c in "│┃┼╇┳┴┡┩├┤") for line in table[1:-1]} \
        == {(0, 34, 59, 75)}


# ----------------------------------------------------------------------------- 6. options
def test_absolute_positions_as_tf_keras_2():
    # tf.keras 2 took the character at which each column ends; Keras 3 reads fractions
    absolute = summary_lines(_nested(), line_length=50, positions=[20, 40, 50])
    relative = summary_lines(_nested(), line_length=50, positions=[0.4, 0.8, 1.0])
    assert absolute == relative and len(absolute[1]) == 50


def test_too_narrow_columns_are_refused_as_in_keras():
    with pytest.raises(ValueError, match="Insufficient console width"):
        summary_lines(_nested(), line_length=8)


def test_layer_range_by_regex_keeps_whole_model_totals():
    buf = io.StringIO()
    print_summary(_nested(), layer_range=["inn", "o"], print_fn=buf.write)
    assert buf.getvalue() == KERAS_TEXTS["nested_range"]


@pytest.mark.parametrize("layer_range, message", [
    (["first"], "length 2"), ([1, 2], "string type only"), (["nope", "out"], "do not match")])
def test_bad_layer_range(layer_range, message):
    with pytest.raises(ValueError, match=message):
        summary_lines(_nested(), layer_range=layer_range)


def test_nested_collapsed_unless_expanded():
    text = _text(_nested())
    assert "d_in1" not in text and "│ inner (Sequential)              │ (None, 3)  " in text


def test_a_console_without_box_characters_gets_ascii(monkeypatch):
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", out)
    _mnist_mlp().summary()
    out.flush()
    text = out.buffer.getvalue().decode("ascii")
    assert text.splitlines()[1] == "+" + "=" * 33 + "+" + "=" * 24 + "+" + "=" * 15 + "+"
    assert "| dense (Dense)                   | (None, 128)            |       100,480 |" in text
