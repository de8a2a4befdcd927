"""Initializers: Keras's formulas on large draws, fan rules, seeds, names and the callable."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minikeras as mk
from minikeras.initializers import INITIALIZERS, compute_fans
from tests.helpers.tolerances import assert_close

I = mk.initializers
SHAPE = (400, 250)
FAN_IN, FAN_OUT = SHAPE
TRUNC = 0.87962566103423978**2  # variance of a unit normal truncated at +-2


@cache
def golden() -> dict[str, Any]:
    path = Path(__file__).parent / "golden" / "core_misc.json"
    return json.loads(path.read_text())["initializers"]


def _vs(scale: float, fan: float, dist: str) -> tuple[float, float]:
    """(variance, bound) that VarianceScaling promises: Keras's formula."""
    s = scale / max(1.0, fan)
    if dist == "uniform":
        return s, math.sqrt(3.0 * s)
    if dist == "untruncated_normal":
        return s, math.inf
    return s, 2.0 * math.sqrt(s) / 0.87962566103423978


AVG = (FAN_IN + FAN_OUT) / 2
# golden name -> (our initializer, mean, variance, bound on |x - mean|) from Keras's formulas
CASES: dict[str, tuple[Any, float, float, float]] = {
    "GlorotUniform": (I.GlorotUniform(seed=1), 0.0, *_vs(1.0, AVG, "uniform")),
    "GlorotNormal": (I.GlorotNormal(seed=1), 0.0, *_vs(1.0, AVG, "truncated_normal")),
    "HeUniform": (I.HeUniform(seed=1), 0.0, *_vs(2.0, FAN_IN, "uniform")),
    "HeNormal": (I.HeNormal(seed=1), 0.0, *_vs(2.0, FAN_IN, "truncated_normal")),
    "LecunUniform": (I.LecunUniform(seed=1), 0.0, *_vs(1.0, FAN_IN, "uniform")),
    "LecunNormal": (I.LecunNormal(seed=1), 0.0, *_vs(1.0, FAN_IN, "truncated_normal")),
    "RandomNormal": (I.RandomNormal(seed=1), 0.0, 0.05**2, math.inf),
    "RandomUniform": (I.RandomUniform(seed=1), 0.0, 0.1**2 / 12, 0.05),
    "TruncatedNormal": (I.TruncatedNormal(seed=1), 0.0, 0.05**2 * TRUNC, 0.1),
    "RandomNormal(mean=1, stddev=2)": (I.RandomNormal(1.0, 2.0, seed=1), 1.0, 4.0, math.inf),
    "RandomUniform(-1, 3)": (I.RandomUniform(-1.0, 3.0, seed=1), 1.0, 16 / 12, 2.0),
    "TruncatedNormal(mean=-1, stddev=0.5)": (I.TruncatedNormal(-1.0, 0.5, seed=1), -1.0,
                                             0.25 * TRUNC, 1.0),
    "VarianceScaling(2.0, fan_out, uniform)": (
        I.VarianceScaling(2.0, "fan_out", "uniform", seed=1), 0.0, *_vs(2.0, FAN_OUT, "uniform")),
    "VarianceScaling(0.5, fan_avg, untruncated_normal)": (
        I.VarianceScaling(0.5, "fan_avg", "untruncated_normal", seed=1), 0.0,
        *_vs(0.5, AVG, "untruncated_normal")),
    "VarianceScaling(3.0, fan_in, truncated_normal)": (
        I.VarianceScaling(3.0, "fan_in", "truncated_normal", seed=1), 0.0,
        *_vs(3.0, FAN_IN, "truncated_normal")),
    "Orthogonal": (I.Orthogonal(seed=1), 0.0, 1.0 / FAN_IN, 1.0),
    "Orthogonal(gain=2)": (I.Orthogonal(gain=2.0, seed=1), 0.0, 4.0 / FAN_IN, 2.0),
}


def test_every_golden_case_is_tested():
    assert {c["name"] for c in golden()["stats"]} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_statistics_match_keras_formulas_and_draws(name):
    init, mean, var, bound = CASES[name]
    keras = next(c for c in golden()["stats"] if c["name"] == name)
    assert type(init).__name__ == keras["class"]
    v = init(SHAPE, dtype="float64")
    assert v.shape == SHAPE and v.dtype == np.float64
    n = v.size
    # Sampling error: the mean within 5 standard errors, the variance within 5% (100k draws).
    assert abs(v.mean() - mean) < 5 * math.sqrt(var / n) + 1e-12
    assert abs(v.var() - var) < 0.05 * var
    assert abs(keras["var"] - var) < 0.05 * var  # Keras's own draw agrees with the formula
    assert abs(v.var() - keras["var"]) < 0.05 * var
    assert abs(keras["mean"] - v.mean()) < 10 * math.sqrt(var / n) + 1e-12
    if math.isfinite(bound):
        assert np.all(np.abs(v - mean) <= bound * (1 + 1e-12))
        if "Orthogonal" not in name:  # the draws reach close to the bounds, as Keras's do
            assert v.max() - mean > 0.95 * bound and mean - v.min() > 0.95 * bound
            if "Uniform" in name or "uniform" in name:  # Keras's draw reaches the same limits
                assert abs(keras["max"] - v.max()) < 0.01 * bound
                assert abs(keras["min"] - v.min()) < 0.01 * bound


@pytest.mark.parametrize("shape", [(120, 80), (80, 120), (3, 3, 8, 16)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal_is_orthogonal(shape, gain):
    q = I.Orthogonal(gain=gain, seed=5)(shape, dtype="float64").reshape(-1, shape[-1])
    small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    assert_close(small, gain**2 * np.eye(small.shape[0]), "internal64")


def test_fan_rules_are_keras():
    for case in golden()["fans"]:
        shape = tuple(case["shape"])
        axes = case["axes"] or (None, None)
        assert compute_fans(shape, *axes) == tuple(case["fans"]), shape
    for case in golden()["fans"]:
        shape, axes = tuple(case["shape"]), case["axes"] or (None, None)
        if not shape:
            continue
        fan_in = compute_fans(shape, *axes)[0]
        init = I.VarianceScaling(1.0, "fan_in", "uniform", seed=2, input_axes=axes[0],
                                 output_axes=axes[1])
        limit = math.sqrt(3.0 / fan_in)
        v = init(shape, dtype="float64")
        assert np.abs(v).max() <= limit and case["absmax"] <= limit


@pytest.mark.parametrize("name", ["Zeros", "Ones", "Constant(0.7)", "Identity", "Identity(gain=2)"])
def test_deterministic_initializers_match_keras(name):
    expected = np.array(golden()["small"][name])
    init = eval(f"I.{name}" if "(" in name else f"I.{name}()")
    assert_close(init(expected.shape, dtype="float64"), expected, "keras64")


def test_constant_broadcasts_an_array_value():
    v = I.Constant(np.array([1.0, 2.0, 3.0]))((2, 3))
    assert_close(v, [[1, 2, 3], [1, 2, 3]], "internal64")


# ------------------------------------------------------------------------------ seeds
ALL_RANDOM = [I.GlorotUniform, I.GlorotNormal, I.HeUniform, I.HeNormal, I.LecunUniform,
              I.LecunNormal, I.RandomNormal, I.RandomUniform, I.TruncatedNormal,
              I.VarianceScaling, I.Orthogonal]


@pytest.mark.parametrize("cls", ALL_RANDOM, ids=lambda c: c.__name__)
def test_same_seed_same_values(cls):
    a = cls(seed=7)((30, 20))
    np.testing.assert_array_equal(a, cls(seed=7)((30, 20)))
    init = cls(seed=7)
    np.testing.assert_array_equal(init((30, 20)), init((30, 20)))  # Keras 3: every call
    assert not np.array_equal(a, cls(seed=8)((30, 20)))


def test_unseeded_follows_the_global_seed():
    mk.utils.set_random_seed(123)
    first = [I.GlorotUniform()((5, 4)), I.GlorotUniform()((5, 4))]
    mk.utils.set_random_seed(123)
    again = [I.GlorotUniform()((5, 4)), I.GlorotUniform()((5, 4))]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])  # two objects, two streams
    init = I.GlorotUniform()
    np.testing.assert_array_equal(init((5, 4)), init((5, 4)))  # one object: same values (Keras)


def test_a_passed_generator_is_used_when_unseeded():
    init = I.HeNormal()
    a = init((6, 3), rng=np.random.default_rng(9))
    np.testing.assert_array_equal(a, init((6, 3), rng=np.random.default_rng(9)))
    seeded = I.HeNormal(seed=4)
    np.testing.assert_array_equal(seeded((6, 3), rng=np.random.default_rng(9)),
                                  I.HeNormal(seed=4)((6, 3)))


# ------------------------------------------------------------------------------ surface
def test_keras_callable_signature():
    v = I.GlorotUniform(seed=None)((3, 2), dtype=None)
    assert v.shape == (3, 2) and v.dtype == np.float32
    assert I.GlorotUniform()((3, 2), dtype="float64").dtype == np.float64
    assert I.GlorotUniform()(5).shape == (5,)
    mk.config.set_floatx("float64")
    assert I.Zeros()((2,)).dtype == np.float64


def test_names_resolve_as_keras():
    for name, spec in golden()["get"].items():
        if name == "GlorotUniform":
            continue
        init = I.get(name)
        assert type(init).__name__ == spec["class_name"], name
        ours = {k: v for k, v in init.get_config().items()}
        assert ours == {**spec["config"], **({"gain": 1.0} if name == "identity" else {})}, name
    assert isinstance(I.get("uniform"), I.RandomUniform)
    assert isinstance(I.get("normal"), I.RandomNormal)
    assert "uniform" in INITIALIZERS.names() and "normal" in INITIALIZERS.names()


def test_keras_config_dicts_load():
    spec = golden()["get"]["GlorotUniform"]
    init = I.get(spec)
    assert isinstance(init, I.GlorotUniform) and init.seed == 3
    assert init.get_config() == spec["config"]
    again = I.deserialize(I.serialize(I.VarianceScaling(2.0, "fan_out", "uniform", seed=1)))
    assert again.get_config()["mode"] == "fan_out"


def test_array_and_function_identifiers():
    values = np.arange(6.0).reshape(2, 3)
    assert_close(I.get(values)((2, 3)), values, "internal64")
    with pytest.raises(ValueError, match="shape must match"):
        I.get(values)((3, 2))
    ones = I.get(lambda shape, dtype=None: np.ones(shape, dtype=dtype))
    assert_close(ones((2, 2)), np.ones((2, 2)), "internal64")


def test_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        I.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        I.VarianceScaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="distribution"):
        I.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="at least two-dimensional"):
        I.Orthogonal()((5,))
    with pytest.raises(ValueError, match="2D matrices"):
        I.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="seed"):
        I.GlorotUniform(seed="abc")
    with pytest.raises(ValueError, match="Unknown initializer 'glorot_unifrom'. Did you mean "
                                         "'glorot_uniform'"):
        I.get("glorot_unifrom")
