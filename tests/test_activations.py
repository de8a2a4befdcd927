"""Activations: Keras 3's values (golden), gradients, numerics and the public surface."""

from __future__ import annotations

import json
import math
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minikeras as mk
from minikeras.activations import ACTIVATIONS
from tests.helpers.gradcheck import check_activation_gradients
from tests.helpers.tolerances import assert_close

NAMES = ACTIVATIONS.names()
KIND = {"float64": "keras64", "float32": "float32"}


@cache
def golden() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "golden" / "core_activations.json").read_text())


def cases_for(name: str) -> list[dict[str, Any]]:
    return [c for c in golden()["cases"] if c["name"] == name]


# ------------------------------------------------------------------------------ golden values
@pytest.mark.parametrize("name", NAMES)
def test_matches_keras(name):
    cases = cases_for(name)
    assert cases, f"no Keras golden numbers for activation {name!r}: rerun make_golden.py"
    for case in cases:
        x = np.array(golden()["inputs"][case["input"]], dtype=case["dtype"])
        mk.config.set_floatx(case["dtype"])
        y = getattr(mk.activations, name)(x, **case["kwargs"])
        assert y.dtype == np.dtype(case["dtype"]), (name, case["kwargs"], y.dtype)
        assert_close(y, case["y"], KIND[case["dtype"]],
                     err_msg=f"{name}({case['kwargs']}) on {case['input']} {case['dtype']}")


def test_golden_covers_function_arguments():
    recorded = {(c["name"], json.dumps(c["kwargs"], sort_keys=True)) for c in golden()["cases"]}
    for name, kwargs in [("relu", {"max_value": 6.0}), ("relu", {"negative_slope": 0.1}),
                         ("relu", {"threshold": 1.0}), ("leaky_relu", {"negative_slope": 0.5}),
                         ("elu", {"alpha": 0.5}), ("gelu", {"approximate": True}),
                         ("softmax", {"axis": 0}), ("softmax", {"axis": 1})]:
        assert (name, json.dumps(kwargs, sort_keys=True)) in recorded


def test_forward_matches_registered_instance_and_resolves_by_name():
    x = np.linspace(-4, 4, 9)
    for name in NAMES:
        act = mk.activations.get(name)
        np.testing.assert_array_equal(np.asarray(act(x)), np.asarray(act.forward(x.copy())))
    assert mk.activations.get("relu") is mk.activations.relu
    assert mk.activations.get("swish") is mk.activations.silu
    assert mk.activations.get(None) is mk.activations.linear
    assert mk.layers.Dense(2, activation="relu").activation is mk.activations.relu


def test_function_arguments_by_position_as_keras():
    x = np.array([-2.0, 1.0, 8.0])
    assert_close(mk.activations.relu(x, 0.1, 6.0), [-0.2, 1.0, 6.0], "internal64")
    assert_close(mk.activations.elu(x, 2.0), [2.0 * np.expm1(-2.0), 1.0, 8.0], "internal64")
    assert_close(mk.activations.softmax(np.ones((2, 2)), 0), np.full((2, 2), 0.5), "internal64")


def test_defaults_are_keras3s():
    x = np.array([-2.0, 2.0])
    assert_close(mk.activations.leaky_relu(x), [-0.4, 2.0], "internal64")  # slope 0.2
    assert_close(mk.activations.hard_sigmoid(np.array([-3.0, 0.0, 1.5, 3.0])),
                 [0.0, 0.5, 0.75, 1.0], "internal64")  # relu6(x + 3) / 6
    erf_form = 0.5 * 1.0 * (1.0 + math.erf(1.0 / math.sqrt(2.0)))
    assert_close(mk.activations.gelu(np.array([1.0])), [erf_form], "internal64")


# ------------------------------------------------------------------------------ gradients
def _away_from_kinks(x: np.ndarray, kinks: list[float]) -> np.ndarray:
    for k in kinks:
        x = np.where(np.abs(x - k) < 2e-3, x + 7e-3, x)
    return x


KINKS = [0.0, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, 2.5, 4.0, -0.5]


@pytest.mark.parametrize("name", NAMES)
def test_gradients(name):
    x = _away_from_kinks(np.random.default_rng(3).normal(scale=2.5, size=(4, 6)), KINKS)
    configs = [{}] + [c["kwargs"] for c in cases_for(name) if c["kwargs"]]
    for kwargs in {json.dumps(k, sort_keys=True): k for k in configs}.values():
        act = mk.activations.get(name) if not kwargs else type(mk.activations.get(name))(**kwargs)
        check_activation_gradients(act, x)


def test_gradients_from_cached_output_only():
    # needs_input = False promises that backward reads y alone: give it a wrong x.
    x = _away_from_kinks(np.random.default_rng(4).normal(scale=2.0, size=(3, 5)), KINKS)
    g = np.random.default_rng(5).normal(size=x.shape)
    for name in NAMES:
        act = mk.activations.get(name)
        if act.needs_input:
            continue
        y = act.forward(x.copy())
        expected = act.backward(x.copy(), y.copy(), g.copy())
        got = act.backward(np.full_like(x, np.nan), y.copy(), g.copy())
        assert_close(got, expected, "internal64", err_msg=name)


def test_forward_inplace_equals_forward():
    x = np.random.default_rng(6).normal(scale=3.0, size=(4, 5))
    for name in NAMES:
        act = mk.activations.get(name)
        assert_close(act.forward_inplace(x.copy()), act.forward(x.copy()), "internal64",
                     err_msg=name)


# ------------------------------------------------------------------------------ numerics
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["sigmoid", "softplus"])
def test_sigmoid_softplus_never_overflow_or_warn(name, dtype):
    x = np.concatenate([np.linspace(-1e4, 1e4, 2001), [-1e4, -745.0, -89.0, 88.0, 710.0, 1e4]])
    x = x.astype(dtype)
    act = mk.activations.get(name)
    # Underflow to 0 is the right answer far left; anything else raises here.
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"), \
            warnings.catch_warnings():
        warnings.simplefilter("error")
        y = act(x)
        g = act.backward(x.copy(), np.asarray(y).copy(), np.ones_like(x))
    assert y.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(g))
    if name == "sigmoid":
        assert np.all((y >= 0) & (y <= 1))
        assert y[0] == 0.0 and y[-1] == 1.0
    else:
        assert_close(y[-1], 1e4, "float32")
        assert y[0] >= 0.0


def test_exponential_is_inf_only_beyond_the_range():
    y32 = mk.activations.exponential(np.array([100.0], dtype="float32"))
    assert y32.dtype == np.float32 and np.isinf(y32[0])
    y64 = mk.activations.exponential(np.array([100.0]))
    assert_close(y64, [math.exp(100.0)], "internal64")


# Which activations may give inf from finite x, and where (the true value is beyond the range).
def _may_be_inf(name: str, x: np.ndarray) -> np.ndarray:
    big = np.finfo(x.dtype).max
    with np.errstate(over="ignore"):
        if name == "exponential":
            return x > np.log(big)
        if name == "selu":
            return np.abs(x) > big / 1.0507009873554805
        if name == "log_softmax":
            return np.isinf(x - x.max())
    return np.zeros(x.shape, bool)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_no_nan_from_finite_input(name, data):
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    x = data.draw(hnp.arrays(dtype, st.integers(1, 6),
                             elements=st.floats(allow_nan=False, allow_infinity=False,
                                                width=32 if dtype == "float32" else 64)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = np.asarray(mk.activations.get(name)(x))
    assert not np.any(np.isnan(y)), (name, x, y)
    assert np.all(np.isfinite(y) | _may_be_inf(name, x)), (name, x, y)


@given(hnp.arrays("float64", hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                  elements=st.floats(-1e300, 1e300)))
def test_softmax_rows_sum_to_one(x):
    y = np.asarray(mk.activations.softmax(x))
    assert np.all((y >= 0) & (y <= 1))
    assert_close(y.sum(axis=-1), np.ones(x.shape[0]), "internal64")


@given(hnp.arrays("float32", st.tuples(st.integers(1, 4), st.integers(1, 5)),
                  elements=st.floats(-1e4, 1e4, width=32)))
def test_softmax_rows_sum_to_one_float32(x):
    y = np.asarray(mk.activations.softmax(x))
    assert y.dtype == np.float32
    assert_close(y.sum(axis=-1), np.ones(x.shape[0]), "float32")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("width", [1, 2, 10, 16, 17, 100])
def test_softmax_2d_fast_path_equals_the_formula(dtype, width):
    """2-D softmax (running column max, BLAS row sum) against the textbook formula in
    float64, for widths on both sides of the column-loop threshold, with extreme rows."""
    rng = np.random.default_rng(width)
    x = rng.normal(scale=5.0, size=(37, width))
    x[0] = 1e4
    x[1, 0] = -1e4
    x[2, -1] = 700.0
    x = x.astype(dtype)
    shifted = x.astype(np.float64) - x.astype(np.float64).max(axis=1, keepdims=True)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    got = mk.activations.get("softmax").forward_inplace(x.copy())
    assert got.dtype == np.dtype(dtype)
    assert_close(got, expected, "internal64" if dtype == "float64" else "float32")
    with_nan = x.copy()
    with_nan[3, 0] = np.nan
    out = mk.activations.get("softmax").forward_inplace(with_nan)
    assert np.isnan(out[3]).all() and np.isfinite(np.delete(out, 3, axis=0)).all()


@pytest.mark.parametrize("rows", [3, 2100])  # 21 kB and 2.15 MB: both sides of the zeros operand
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_relu_inplace_equals_max_with_zero(rows, dtype):
    x = np.random.default_rng(rows).normal(size=(rows, 256)).astype(dtype)
    x[0, :3] = (np.nan, -0.0, np.inf)
    expected = np.maximum(x, 0)
    got = mk.activations.get("relu").forward_inplace(x)
    assert got is x
    np.testing.assert_array_equal(got, expected)


# ------------------------------------------------------------------------------ public surface
def test_values_answer_numpy():
    y = mk.activations.relu(np.array([-1.0, 2.0]))
    assert isinstance(y.numpy(), np.ndarray) and type(y.numpy()) is np.ndarray
    assert_close(y.numpy(), [0.0, 2.0], "internal64")
    assert float(mk.activations.sigmoid(np.array(0.0))) == 0.5


def test_integer_and_list_input_become_floatx():
    assert mk.activations.relu([1, -2]).dtype == np.float32
    mk.config.set_floatx("float64")
    assert mk.activations.tanh(np.array([1, 2])).dtype == np.float64


def test_serialization_roundtrip():
    for name in NAMES:
        act = mk.activations.get(name)
        assert mk.activations.deserialize(mk.activations.serialize(act)) is act
    configured = mk.activations.Relu(max_value=6.0)
    back = mk.activations.deserialize(mk.activations.serialize(configured))
    assert_close(back(np.array([-1.0, 8.0])), [0.0, 6.0], "internal64")


def test_a_plain_callable_is_an_activation():
    act = mk.activations.get(lambda x: x * x)
    x = np.array([1.5, -2.0])
    assert_close(act(x), [2.25, 4.0], "internal64")
    assert_close(act.backward(x, act.forward(x), np.ones(2)), [3.0, -4.0], "float32")


def test_unknown_activation_suggests_a_name():
    with pytest.raises(ValueError, match=r"Unknown activation 'rleu'. Did you mean 'relu'\?"):
        mk.activations.get("rleu")
    with pytest.raises(ValueError, match="Known activations: .*sigmoid"):
        mk.activations.get("sigmoud")


# ------------------------------------------------------------------ layers as activations
def _leaky_model(activation: Any) -> mk.Sequential:
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(3, activation=activation),
                           mk.layers.Dense(1)])
    rng = np.random.default_rng(7)
    model.set_weights([rng.normal(size=w.shape) for w in model.get_weights()])
    return model


def test_an_activation_layer_as_a_layers_activation_trains_saves_and_loads(tmp_path):
    # Keras allows Dense(activation=LeakyReLU(negative_slope=0.1)) and saves the layer.
    mk.config.set_floatx("float64")
    x = np.random.default_rng(0).normal(size=(16, 2))
    y = x[:, :1] - x[:, 1:]
    model = _leaky_model(mk.layers.LeakyReLU(negative_slope=0.1))
    reference = _leaky_model(mk.activations.LeakyRelu(negative_slope=0.1))
    assert_close(model.predict(x, verbose=0), reference.predict(x, verbose=0), "internal64")
    spec = model.layers[0].get_config()["activation"]
    assert (spec["module"], spec["class_name"]) == ("keras.layers", "LeakyReLU")
    assert spec["config"]["negative_slope"] == 0.1
    for m in (model, reference):
        m.compile(mk.optimizers.SGD(0.1), "mse")
        m.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        assert_close(a, b, "internal64")  # the layer's exact derivative, not differences
    expected = model.predict(x, verbose=0)
    copies = [mk.models.clone_model(model), mk.models.model_from_json(model.to_json())]
    for fmt in (None, "keras"):
        path = tmp_path / f"leaky_{fmt}.keras"
        model.save(path, **({"format": fmt} if fmt else {}))
        copies.append(mk.models.load_model(path))
    for copy in copies[:2]:
        copy.set_weights(model.get_weights())
    for copy in copies:
        assert_close(copy.predict(x, verbose=0), expected, "internal64")
        assert copy.layers[0].get_config()["activation"]["config"]["negative_slope"] == 0.1


def test_keras_function_form_of_an_activation():
    spec = {"module": "builtins", "class_name": "function", "config": "relu",
            "registered_name": "function"}
    assert mk.activations.deserialize(spec) is mk.activations.relu
    assert mk.activations.get(spec) is mk.activations.relu


def test_from_config_custom_objects_reach_a_layers_activation():
    def custom_act(x):
        return np.tanh(x) * 2

    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(2, activation=custom_act)])
    config = model.get_config()
    with pytest.raises(ValueError, match="custom_act"):
        mk.Sequential.from_config(config)
    rebuilt = mk.Sequential.from_config(config, custom_objects={"custom_act": custom_act})
    assert rebuilt.layers[0].activation.fn is custom_act
    with pytest.raises(ValueError, match="custom_act"):  # the scope ends with the call
        mk.Sequential.from_config(config)


def test_a_softmax_layer_as_an_activation_loads_back(tmp_path):
    # "Softmax" names both a layer and an activation: the saved layer config decides.
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(4, activation=mk.layers.Softmax())])
    model.save(tmp_path / "s.keras")
    for copy in (mk.models.load_model(tmp_path / "s.keras"),
                 mk.Sequential.from_config(model.get_config())):
        assert isinstance(copy.layers[0].activation, mk.activations.LayerActivation)
    out = mk.models.load_model(tmp_path / "s.keras").predict(np.ones((2, 3)), verbose=0)
    assert_close(out.sum(axis=1), [1.0, 1.0], "float32")
