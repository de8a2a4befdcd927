"""Learning-rate schedules against Keras 3 at many steps, and their config round trip.

Golden values: ``tests/golden/make_golden_optimizers.py`` (Keras 3.15.1, torch).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minikeras as mk
from minikeras.optimizers import schedules
from tests.helpers.tolerances import assert_close

GOLDEN = json.loads((Path(__file__).resolve().parent / "golden" / "optimizers.json")
                    .read_text())
STEPS = GOLDEN["schedule_steps"]
CASES = GOLDEN["schedules"]
KINDS = {"float64": "internal64", "float32": "float32"}


def build(spec: dict[str, Any]) -> schedules.LearningRateSchedule:
    return getattr(schedules, spec["class_name"])(**spec["config"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_schedule_matches_keras_at_many_steps(name: str, dtype: str) -> None:
    schedule = build(CASES[name])
    ours = [float(schedule(step)) for step in STEPS]
    assert_close(ours, CASES[name]["values"][dtype], KINDS[dtype], err_msg=name)


def test_every_schedule_and_variant_is_covered() -> None:
    classes = {spec["class_name"] for spec in CASES.values()}
    assert classes == {"ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
                       "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts"}
    configs = [spec["config"] for spec in CASES.values()]
    assert any(c.get("cycle") for c in configs)
    assert any(c.get("warmup_target") is not None for c in configs)
    assert any(c.get("staircase") for c in configs)
    assert any(c.get("t_mul") == 1.0 for c in configs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras_and_round_trips(name: str) -> None:
    schedule = build(CASES[name])
    config = schedule.get_config()
    assert config == CASES[name]["keras_config"]
    again = type(schedule).from_config(config)
    for step in (0, 3, 17, 100):
        assert float(again(step)) == float(schedule(step))
    assert schedules.serialize(schedule) == CASES[name]["serialized"]
    restored = schedules.deserialize(CASES[name]["serialized"])  # Keras's own form
    assert type(restored) is type(schedule) and restored.get_config() == config


def test_schedule_is_callable_on_any_integer_step() -> None:
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    for step in (20, np.int64(20), np.asarray(20), 20.0):
        assert_close(float(s(step)), 0.025, "internal64")
    value = s(10)
    assert value.numpy() == np.float64(0.05)  # a 0-d array with .numpy(), as a tensor


@pytest.mark.parametrize("cls, kwargs, match", [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5},
     "decay_steps"),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": -1}, "decay_steps"),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 1.0},
     "decay_steps"),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 0}, "decay_steps"),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 0},
     "first_decay_steps"),
    ("PiecewiseConstantDecay", {"boundaries": [1, 2], "values": [0.1, 0.2]},
     "length of boundaries should be 1 less"),
])
def test_bad_schedule_arguments(cls: str, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        getattr(schedules, cls)(**kwargs)


def test_optimizer_reads_its_schedule_at_iterations() -> None:
    s = schedules.PiecewiseConstantDecay([0, 2], [1.0, 0.5, 0.25])
    opt = mk.optimizers.SGD(learning_rate=s)
    v = mk.layers.Variable(np.zeros(2), name="w")
    rates = []
    for _ in range(4):
        rates.append(float(opt.learning_rate))
        before = v.value.copy()
        opt.apply_gradients([(np.ones(2), v)])
        assert_close(before - v.value, [rates[-1]] * 2, "internal64")
    assert rates == [1.0, 0.5, 0.5, 0.25]


def test_custom_schedule_subclass() -> None:
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, lr: float) -> None:
            self.lr = lr

        def __call__(self, step: int) -> float:
            return self.lr / (step + 1)

        def get_config(self) -> dict[str, Any]:
            return {"lr": self.lr}

    opt = mk.optimizers.SGD(learning_rate=Halving(0.2))
    v = mk.layers.Variable(np.zeros(1), name="w")
    opt.apply_gradients([(np.ones(1), v)])
    opt.apply_gradients([(np.ones(1), v)])
    assert_close(v.value, [-0.3], "internal64")
    config = opt.get_config()
    again = mk.optimizers.SGD.from_config(config, custom_objects={"Halving": Halving})
    assert isinstance(again._lr_owner, Halving) and again._lr_owner.lr == 0.2

    class Incomplete(schedules.LearningRateSchedule):
        pass

    with pytest.raises(NotImplementedError, match="must override `__call__"):
        Incomplete()(0)
