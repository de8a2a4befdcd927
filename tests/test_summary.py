"""model.summary(): Keras 3's cells and totals in tf.keras 2's plain-text table.

The expected texts were checked against Keras 3.15 (torch backend): the same numbers,
sizes, ``-``/``Y``/``N``, wrapping of long names and Optimizer params line; only the
table's drawing differs (Keras 3 draws boxes with ``rich``).
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import minikeras as mk
from minikeras import layers as L
from minikeras.callbacks.base import print_msg
from minikeras.models.summary import print_summary, summary_lines


def _text(model: mk.Sequential, **kwargs) -> str:
    """What ``model.summary(print_fn=...)`` hands over, as one text."""
    calls: list[str] = []
    model.summary(print_fn=calls.append, **kwargs)
    return "".join(c if c.endswith("\n") else c + "\n" for c in calls)


def _mnist_mlp() -> mk.Sequential:
    mk.utils.set_random_seed(0)
    return mk.Sequential([mk.Input((784,)), L.Dense(128, activation="relu"), L.Dropout(0.2),
                          L.BatchNormalization(), L.Dense(10, activation="softmax")])


def _nested() -> mk.Sequential:
    inner = mk.Sequential([L.Dense(4, name="d_in1"), L.Dense(3, name="d_in2")], name="inner")
    outer = mk.Sequential([mk.Input((5,)), L.Dense(8, name="first"), inner,
                           L.Dense(2, name="out")], name="outer")
    inner.layers[0].trainable = False
    return outer


MLP_SUMMARY = """\
Model: "sequential"
_________________________________________________________________
 Layer (type)                 Output Shape       Param #
=================================================================
 dense (Dense)                (None, 128)        100,480

 dropout (Dropout)            (None, 128)        0

 batch_normalization          (None, 128)        512
 (BatchNormalization)

 dense_1 (Dense)              (None, 10)         1,290
=================================================================
Total params: 102,282 (399.54 KB)
Trainable params: 102,026 (398.54 KB)
Non-trainable params: 256 (1.00 KB)
_________________________________________________________________
"""


# ----------------------------------------------------------------------------- 1. numbers
def test_whole_summary_with_thousands_separators_and_wrapped_name():
    assert _text(_mnist_mlp()) == MLP_SUMMARY


def test_sizes_use_1024_units():
    model = mk.Sequential([mk.Input((1000,)), L.Dense(1000)])
    text = _text(model)
    assert " dense (Dense)                (None, 1000)       1,001,000\n" in text
    assert "Total params: 1,001,000 (3.82 MB)\n" in text


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
    assert lines[1] == "_" * 76
    assert lines[2] == " Layer (type)                 Output Shape       Param #          Trainable"
    assert " dense (Dense)                (None, 128)        100,480          Y" in lines
    assert " dropout (Dropout)            (None, 128)        0                -" in lines
    assert " batch_normalization          (None, 128)        512              N" in lines
    assert "Trainable params: 101,770 (397.54 KB)" in lines
    assert "Non-trainable params: 512 (2.00 KB)" in lines


def test_unbuilt_layer_shows_dash_question_mark_and_unbuilt():
    model = mk.Sequential([L.Dense(3)], name="lazy")
    lines = _text(model, show_trainable=True).splitlines()
    assert " dense (Dense)                ?                  0 (unbuilt)      -" in lines


def test_partly_frozen_nested_model_expanded():
    text = _text(_nested(), show_trainable=True, expand_nested=True)
    assert text.splitlines()[4:10] == [
        " first (Dense)                (None, 8)          48               Y",
        "",
        " inner (Sequential)           (None, 3)          51               Y",
        "    └ d_in1 (Dense)           (None, 4)          36               N",
        "    └ d_in2 (Dense)           (None, 3)          15               Y",
        "",
    ]
    assert "Non-trainable params: 36 (144.00 B)\n" in text


# ----------------------------------------------------------------------------- 4. optimizer
def _fit(model: mk.Sequential, optimizer) -> mk.Sequential:
    model.compile(optimizer, "mse")
    model.fit(np.zeros((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0)
    return model


def _small() -> mk.Sequential:
    mk.utils.set_random_seed(0)
    return mk.Sequential([mk.Input((3,)), L.Dense(4), L.BatchNormalization(), L.Dense(2)])


def _totals(model: mk.Sequential) -> list[str]:
    return [line for line in _text(model).splitlines() if "params:" in line]


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
    lines = _text(model).splitlines()
    assert lines[4:6] == [" a_very_long_layer_name_ind…  (None, 2)          12",
                          " (Dense)"]
    rows = [line for line in _text(_mnist_mlp()).splitlines()[4:12] if len(line) > 30]
    assert len(rows) == 4 and all(line[29:31] == " (" and line[48:50] == " " + line[49]
                                  and line[49].isdigit() for line in rows)


def test_long_shapes_wrap_in_their_column():
    model = mk.Sequential([mk.Input((5,)), L.Dense(123456, name="d")])
    lines = _text(model, line_length=40).splitlines()
    assert lines[1] == "_" * 40
    assert lines[2:8] == [" Layer (type)      Output      Param #",
                          "                   Shape",
                          "=" * 40,
                          " d (Dense)         (None,      740,736",
                          "                   123456)",
                          "=" * 40]


# ----------------------------------------------------------------------------- 6. options
def test_line_length_and_relative_positions():
    lines = summary_lines(_nested(), line_length=50, positions=[0.4, 0.7, 1.0])
    assert lines[1] == "_" * 50
    assert lines[2] == " Layer (type)        Output Shape   Param #"
    assert lines[4] == " first (Dense)       (None, 8)      48"


def test_absolute_positions_as_tf_keras_2():
    lines = summary_lines(_nested(), positions=[20, 40, 50])
    assert lines[1] == "_" * 50
    assert lines[4] == " first (Dense)       (None, 8)           48"


def test_too_narrow_columns_are_refused_as_in_keras():
    with pytest.raises(ValueError, match="Insufficient console width"):
        summary_lines(_nested(), line_length=8)


def test_layer_range_by_regex_keeps_whole_model_totals():
    buf = io.StringIO()
    print_summary(_nested(), layer_range=["inn", "o"], print_fn=buf.write)
    lines = buf.getvalue().splitlines()
    assert lines[4:7] == [" inner (Sequential)           (None, 3)          51", "",
                          " out (Dense)                  (None, 2)          8"]
    assert lines[7] == "=" * 65
    assert "Total params: 107 (428.00 B)" in lines


@pytest.mark.parametrize("layer_range, message", [
    (["first"], "length 2"), ([1, 2], "string type only"), (["nope", "out"], "do not match")])
def test_bad_layer_range(layer_range, message):
    with pytest.raises(ValueError, match=message):
        summary_lines(_nested(), layer_range=layer_range)


def test_nested_collapsed_unless_expanded():
    text = _text(_nested())
    assert "d_in1" not in text and " inner (Sequential)           (None, 3)          51\n" in text
