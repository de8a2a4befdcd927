"""Regularizers: Keras 3's penalties (golden), their gradients, names and argument checks."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minikeras as mk
from minikeras.regularizers import REGULARIZERS
from tests.helpers.gradcheck import numerical_gradient
from tests.helpers.tolerances import assert_close

R = mk.regularizers
KIND = {"float64": "keras64", "float32": "float32"}


@cache
def golden() -> dict[str, Any]:
    path = Path(__file__).parent / "golden" / "core_misc.json"
    return json.loads(path.read_text())["regularizers"]


@pytest.mark.parametrize("expr", sorted({c["expr"] for c in golden()["cases"]}))
def test_penalty_matches_keras(expr):
    w = np.array(golden()["w"])
    for case in [c for c in golden()["cases"] if c["expr"] == expr]:
        reg = eval(f"R.{expr}")
        assert_close(reg(w.astype(case["dtype"])), case["value"], KIND[case["dtype"]],
                     err_msg=f"{expr} {case['dtype']}")
        # Keras keeps some factors in float32 (0.01 -> 0.0099999998): equal to float32 precision.
        ours = reg.get_config()
        assert ours.keys() == case["config"].keys()
        for key, value in case["config"].items():
            if isinstance(value, float):
                assert_close(ours[key], value, "float32", err_msg=key)
            else:
                assert ours[key] == value


def test_golden_covers_every_registered_regularizer():
    recorded = {eval(f"R.{c['expr']}").__class__ for c in golden()["cases"]}
    assert {type(REGULARIZERS.get(n)) for n in REGULARIZERS.names()} <= recorded


CASES = [R.L1(0.3), R.L2(0.25), R.L1L2(0.1, 0.2), R.l1_l2(l1=0.02, l2=0.03),
         R.OrthogonalRegularizer(0.5), R.OrthogonalRegularizer(0.2, mode="columns")]


@pytest.mark.parametrize("reg", CASES, ids=repr)
def test_gradients(reg):
    w = np.random.default_rng(2).normal(size=(4, 3))
    w = np.where(np.abs(w) < 1e-2, 0.1, w)  # |w| has a kink at 0
    numeric = numerical_gradient(lambda: reg(w), w)
    assert_close(reg.grad(w), numeric, "float32")
    out = np.ones_like(w)
    reg.add_grad(w, out)
    assert_close(out, 1.0 + reg.grad(w), "internal64")


def test_keras3_spellings_and_defaults():
    assert R.l1 is R.L1 and R.l2 is R.L2 and R.l1_l2 is R.L1L2  # as in Keras 3
    assert R.L1().get_config() == {"l1": 0.01} and R.L2().get_config() == {"l2": 0.01}
    assert R.l1_l2().get_config() == {"l1": 0.0, "l2": 0.0}  # Keras 3's l1_l2() is L1L2()
    assert R.L2(0.5)(np.array([1.0, -2.0])) == pytest.approx(2.5)  # no factor 1/2
    assert isinstance(R.get("l2"), R.L2) and R.get("l2").l2 == 0.01
    assert isinstance(R.get("L1L2"), R.L1L2)
    both = R.get("l1_l2")
    assert both.l1 == 0.01 and both.l2 == 0.01
    assert R.get({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.0}}).l1 == 0.1
    again = R.deserialize(R.serialize(R.L1L2(0.1, 0.2)))
    assert again.get_config() == {"l1": 0.1, "l2": 0.2}


@pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf")])
def test_bad_factors(value):
    with pytest.raises(ValueError, match="l2"):
        R.L2(value)
    with pytest.raises(ValueError, match="l1"):
        R.L1L2(l1=value)


def test_bad_names_and_objects():
    with pytest.raises(ValueError, match="Unknown regularizer 'l1_l3'. Did you mean 'l1_l2'"):
        R.get("l1_l3")
    with pytest.raises(ValueError, match="orthogonal_regularizer"):
        R.get("orthogonal_regulariser")
    with pytest.raises(ValueError, match="mode"):
        R.OrthogonalRegularizer(mode="diagonal")


def test_a_keras_style_regularizer_needs_grad_for_fit_and_says_so():
    class OnlyCall(mk.regularizers.Regularizer):
        def __call__(self, w):
            return 0.01 * float(np.sum(np.square(w)))

    class WithGrad(OnlyCall):
        def grad(self, w):
            return 0.02 * w

    x = np.random.default_rng(0).normal(size=(16, 3))
    y = x.sum(axis=1)

    def model(reg):
        mk.utils.set_random_seed(1)
        m = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1, kernel_regularizer=reg)])
        m.compile(optimizer="sgd", loss="mse")
        return m

    only = model(OnlyCall())
    before = only.get_weights()
    with pytest.raises(NotImplementedError, match=r"OnlyCall defines __call__\(w\) but not grad"):
        only.fit(x, y, verbose=0)
    for a, b in zip(only.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert only.evaluate(x, y, verbose=0) > 0  # the penalty counts, no gradient needed
    mine, builtin = model(WithGrad()), model(mk.regularizers.L2(0.01))
    for m in (mine, builtin):
        m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(mine.get_weights(), builtin.get_weights()):
        assert_close(a, b, "float32")


def test_model_losses_after_a_call_hold_activity_penalties_in_keras_order():
    """Keras: add_loss and activity penalties of the latest call first (per layer), then
    weight penalties; evaluate counts each once."""

    class Penalty(mk.layers.Layer):
        def call(self, inputs):
            self.add_loss(0.5)
            return inputs

    model = mk.Sequential([
        mk.Input((3,)),
        mk.layers.Dense(2, kernel_initializer="ones", activity_regularizer=mk.regularizers.L1(0.01),
                        kernel_regularizer=mk.regularizers.L2(0.1)),
        Penalty(),
        mk.layers.Dense(1, kernel_initializer="ones", kernel_regularizer=mk.regularizers.L2(0.1))])
    x = np.ones((2, 3), "float32")
    model(x)
    # activity: 0.01 * sum(|y|) = 0.01 * (2 rows x 2 units x 3) = 0.12, / batch 2 = 0.06
    assert_close(model.losses, [0.06, 0.5, 0.6, 0.2], "float32")
    assert_close(model.layers[0].losses, [0.06, 0.6], "float32")
    model.compile(optimizer="sgd", loss="mse")
    assert_close(model.evaluate(x, np.zeros(2), verbose=0), 36.0 + 0.06 + 0.5 + 0.6 + 0.2,
                 "float32")
    layer = mk.layers.Dense(2, kernel_initializer="ones", activity_regularizer="l2")
    layer(np.ones((4, 3), "float32"))
    assert_close(layer.losses, [0.01 * 8 * 9 / 4], "float32")  # Keras's l2 default: 0.01


def test_a_regularizer_called_on_an_array_gives_a_scalar_of_its_type():
    value = mk.regularizers.l2(0.1)(np.ones((2, 2), "float32"))
    assert value.dtype == np.float32 and value.shape == () and value.numpy() == np.float32(0.4)
    assert mk.regularizers.L1(0.5)(np.ones(3)).dtype == np.float64
