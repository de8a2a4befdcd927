"""Optimizers: Keras 3's numbers (golden), the learning rate, bad input, state, speed paths.

The golden numbers come from ``tests/golden/make_golden_optimizers.py`` (Keras
3.15.1, torch backend). Each case runs three ways that must agree: Keras's
``apply_gradients`` on free variables, ``apply_flat`` on a model-style
``FlatBuffer`` (the ``fit`` path), and ``apply_gradients`` on variables that
live in such a buffer (updated in place).
"""

from __future__ import annotations

import importlib.util
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minikeras as mk
from minikeras.layers.base import FlatBuffer, Variable
from minikeras.optimizers.base import ACCUMULATOR_SLOT, EMA_SLOT
from tests.helpers.tolerances import assert_close

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "optimizers.json").read_text())
INPUTS = GOLDEN["inputs"]
CASES = {case["name"]: case for case in GOLDEN["cases"]}
CLASSES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Nadam", "Lion", "Adadelta"]
# The brief asks 1e-7 relative in float64: our float64 pair (internal64) is that
# tolerance, stricter than keras64; float32 uses the float32 pair.
KIND = {"float64": "internal64", "float32": "float32"}


# ----------------------------------------------------------------------------- helpers
def make_variables(dtype: str) -> list[Variable]:
    return [Variable(np.asarray(w, dtype=dtype).reshape(shape), name=name)
            for (name, shape), w in zip(INPUTS["variables"], INPUTS["init"])]


def grads_at(step: int, dtype: str) -> list[np.ndarray]:
    return [np.asarray(g, dtype=dtype).reshape(shape)
            for (_, shape), g in zip(INPUTS["variables"], INPUTS["grads"][step])]


def make_optimizer(case: dict[str, Any], variables: list[Variable]) -> mk.optimizers.Optimizer:
    config = dict(case["config"])
    names = config.pop("__exclude_names", None)
    indices = config.pop("__exclude_list", None)
    opt = mk.optimizers.deserialize({"class_name": case["class_name"], "config": config})
    if names or indices:
        opt.exclude_from_weight_decay(var_list=[variables[i] for i in indices or []],
                                      var_names=names)
    return opt


def flat_values(variables: list[Variable]) -> np.ndarray:
    return np.concatenate([np.asarray(v.value, dtype=np.float64).reshape(-1) for v in variables])


def run_free(case: dict[str, Any], dtype: str) -> tuple[list[np.ndarray], Any, list[Variable]]:
    """Keras's way: apply_gradients on variables that belong to no buffer."""
    variables = make_variables(dtype)
    opt = make_optimizer(case, variables)
    steps = []
    for step in range(GOLDEN["steps"]):
        opt.apply_gradients(zip(grads_at(step, dtype), variables))
        steps.append(flat_values(variables))
    return steps, opt, variables


def run_flat(case: dict[str, Any], dtype: str) -> tuple[list[np.ndarray], Any, list[Variable]]:
    """The fit path: apply_flat over a FlatBuffer's values and gradients."""
    variables = make_variables(dtype)
    buffer = FlatBuffer(variables, dtype)
    opt = make_optimizer(case, variables)
    opt.build(variables)
    steps = []
    for step in range(GOLDEN["steps"]):
        for v, g in zip(variables, grads_at(step, dtype)):
            v.grad[...] = g
        opt.apply_flat(buffer.values, buffer.grads)
        steps.append(buffer.values.astype(np.float64))
    return steps, opt, variables


def run_buffered(case: dict[str, Any], dtype: str) -> list[np.ndarray]:
    """apply_gradients on variables that view a FlatBuffer: updated in place."""
    variables = make_variables(dtype)
    buffer = FlatBuffer(variables, dtype)
    opt = make_optimizer(case, variables)
    steps = []
    for step in range(GOLDEN["steps"]):
        grads = grads_at(step, dtype)
        kept = [g.copy() for g in grads]
        opt.apply_gradients(zip(grads, variables))
        for g, k in zip(grads, kept):  # the caller's gradients are never modified
            np.testing.assert_array_equal(g, k)
        steps.append(buffer.values.astype(np.float64))
    return steps


# ------------------------------------------------------------------------------ golden
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras_golden(name: str, dtype: str) -> None:
    # Keras recorded each precision under set_floatx(dtype): the rate lives in floatx.
    mk.config.set_floatx(dtype)
    case = CASES[name]
    keras = case["keras"][dtype]
    init = flat_values(make_variables(dtype))
    free, opt, variables = run_free(case, dtype)
    flat, flat_opt, flat_vars = run_flat(case, dtype)
    buffered = run_buffered(case, dtype)
    for step, expected in enumerate(keras["steps"]):
        expected = np.asarray(expected)
        msg = f"{name} {dtype} step {step + 1}"
        assert_close(free[step], expected, KIND[dtype], err_msg=msg)
        if dtype == "float64":  # the displacement: a tight check on small updates
            assert_close(free[step] - init, expected - init, "internal64", err_msg=msg)
        assert np.all(np.isfinite(free[step])), msg
        # the three paths agree (same operations, same order)
        assert_close(flat[step], free[step], KIND[dtype], err_msg=msg + " (flat)")
        assert_close(buffered[step], free[step], KIND[dtype], err_msg=msg + " (buffered)")
    if dtype == "float64":
        expected_vars = keras["optimizer_variables"]
        ours = opt.variables
        assert len(ours) == len(expected_vars), [v.path for v in ours]
        for var, (path, values) in zip(ours, expected_vars):
            if not path.startswith("variable"):  # Keras leaves Nadam's product unnamed
                assert var.path.split("/", 1)[-1] == path
            assert_close(np.ravel(var.value), values, "internal64", err_msg=f"{name} {path}")
        assert int(np.asarray(opt.iterations)) == keras["iterations"]
    if "finalized" in keras:
        for o, vs in ((opt, variables), (flat_opt, flat_vars)):
            o.finalize_variable_values()
            assert_close(flat_values(vs), keras["finalized"], KIND[dtype], err_msg=name)


def test_golden_covers_every_optimizer_and_option() -> None:
    names = set(CASES)
    options = ["clipnorm", "clipvalue", "global_clipnorm", "weight_decay", "exclude_names",
               "exclude_list", "ema", "ema_overwrite", "accumulate", "schedule_exponential",
               "schedule_piecewise", "schedule_polynomial", "schedule_polynomial_cycle",
               "schedule_inverse_time", "schedule_cosine", "schedule_cosine_warmup",
               "schedule_cosine_restarts"]
    for cls in CLASSES:
        assert cls in names
        for option in options:
            assert f"{cls}[{option}]" in names
    for special in ["SGD[momentum=0.9]", "SGD[momentum=0.9_nesterov=True]",
                    "Adam[amsgrad=True]", "AdamW[amsgrad=True]", "RMSprop[centered=True]",
                    "RMSprop[momentum=0.9]", "RMSprop[rho=0.5]"]:
        assert special in names


@pytest.mark.parametrize("cls", CLASSES)
def test_default_config_matches_keras(cls: str) -> None:
    mk.config.set_floatx("float64")  # the configs were recorded in float64
    config = getattr(mk.optimizers, cls)().get_config()
    assert config.pop("name") == mk.config.to_snake_case(cls)
    assert config == GOLDEN["configs"][cls]


# ------------------------------------------------------------------ the learning rate
def one_variable(value: float = 1.0, dtype: str = "float64") -> Variable:
    return Variable(np.full((3,), value, dtype=dtype), name="w")


def sgd_step(opt: mk.optimizers.Optimizer, v: Variable, g: float = 1.0) -> float:
    before = v.value.copy()
    opt.apply_gradients([(np.full(v.shape, g), v)])
    return float((before - v.value)[0])


def test_float_of_learning_rate() -> None:
    # Keras keeps the rate in floatx: in float32 it reads back float32-rounded.
    opt = mk.optimizers.SGD(learning_rate=0.05)
    assert float(opt.learning_rate) == float(np.float32(0.05)) == 0.05000000074505806
    assert opt.get_config()["learning_rate"] == float(np.float32(0.05))
    assert float(np.asarray(opt.learning_rate)) == float(np.float32(0.05))
    assert opt.learning_rate.numpy() == np.float32(0.05)
    assert opt.lr is opt.learning_rate  # tf.keras 2 spelling
    mk.config.set_floatx("float64")
    assert float(mk.optimizers.SGD(learning_rate=0.05).learning_rate) == 0.05


@pytest.mark.parametrize("how", ["attribute", "assign", "lr_attribute"])
def test_changing_the_learning_rate_takes_effect_next_step(how: str) -> None:
    mk.config.set_floatx("float64")
    opt, v = mk.optimizers.SGD(learning_rate=0.1), one_variable()
    assert_close(sgd_step(opt, v), 0.1, "internal64")
    if how == "attribute":
        opt.learning_rate = 0.01
    elif how == "assign":
        opt.learning_rate.assign(0.01)
    else:
        opt.lr = 0.01
    assert float(opt.learning_rate) == 0.01
    assert_close(sgd_step(opt, v), 0.01, "internal64")


def test_learning_rate_change_reaches_the_fit_path() -> None:
    x = np.ones((4, 2), dtype="float32")
    y = np.zeros((4, 1), dtype="float32")
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1, kernel_initializer="ones",
                                                            bias_initializer="zeros")])
    model.compile(optimizer=mk.optimizers.SGD(learning_rate=0.0), loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert_close(model.get_weights()[0], np.ones((2, 1)), "float32")  # rate 0: no change
    model.optimizer.learning_rate = 0.1
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    # mse gradient for the kernel: 2 * (2 - 0) * 1 = 4 per weight; w = 1 - 0.1 * 4
    assert_close(model.get_weights()[0], np.full((2, 1), 0.6), "float32")


def tiny_regression() -> tuple[Any, np.ndarray, np.ndarray]:
    mk.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 2)).astype("float32")
    y = (x @ np.array([[1.0], [-1.0]])).astype("float32")
    return mk.Sequential([mk.Input((2,)), mk.layers.Dense(1)]), x, y


def test_a_callback_changing_the_rate_takes_effect_next_epoch() -> None:
    model, x, y = tiny_regression()
    model.compile(optimizer=mk.optimizers.SGD(0.1), loss="mse")
    seen = []
    rates = mk.callbacks.LearningRateScheduler(lambda epoch: [0.1, 0.0, 0.05][epoch])
    spy = mk.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(model.get_weights()[0].copy()))
    history = model.fit(x, y, epochs=3, batch_size=32, callbacks=[rates, spy], verbose=0)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.0, 0.05])
    assert not np.array_equal(seen[0], seen[1])          # epoch 1 trained at 0.1
    np.testing.assert_array_equal(seen[1], seen[2])      # epoch 2 at rate 0: unchanged


def test_a_schedule_and_reduce_lr_on_plateau_cannot_both_own_the_rate() -> None:
    model, x, y = tiny_regression()
    schedule = mk.optimizers.schedules.ExponentialDecay(0.1, decay_steps=5, decay_rate=0.5)
    model.compile(optimizer=mk.optimizers.SGD(learning_rate=schedule), loss="mse")
    plateau = mk.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, min_delta=1e9)
    with pytest.raises(TypeError, match="LearningRateSchedule.*not settable"):
        model.fit(x, y, epochs=2, batch_size=32, callbacks=[plateau], verbose=0)


def test_schedule_owned_rate_refuses_assignment() -> None:
    schedule = mk.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = mk.optimizers.SGD(learning_rate=schedule)
    v = one_variable()
    assert float(opt.learning_rate) == 0.1
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01
    assert_close(sgd_step(opt, v), 0.1, "internal64")
    assert_close(float(opt.learning_rate), 0.05, "internal64")  # schedule(1)
    assert_close(sgd_step(opt, v), 0.05, "internal64")
    assert opt.has_schedule
    # a schedule may replace a schedule, and a float optimizer may take a schedule
    opt.learning_rate = mk.optimizers.schedules.PiecewiseConstantDecay([10], [0.3, 0.2])
    assert_close(sgd_step(opt, v), 0.3, "internal64")
    plain = mk.optimizers.SGD(0.1)
    plain.learning_rate = schedule
    assert plain.has_schedule and "learning_rate" not in [
        x.name for x in plain.variables]


def test_callable_learning_rate() -> None:
    opt, v = mk.optimizers.SGD(learning_rate=lambda: 0.2), one_variable()
    assert_close(sgd_step(opt, v), 0.2, "internal64")
    opt2, v2 = mk.optimizers.SGD(learning_rate=lambda step: 0.1 / (step + 1)), one_variable()
    assert_close([sgd_step(opt2, v2) for _ in range(3)], [0.1, 0.05, 0.1 / 3], "internal64")
    with pytest.raises(TypeError, match="not settable"):
        opt2.learning_rate = 0.1


def test_bad_rate_from_a_schedule_or_assign_fails_before_changing_state() -> None:
    opt, v = mk.optimizers.Adam(learning_rate=lambda step: 0.1 - 0.1 * step), one_variable()
    sgd_step(opt, v)
    sgd_step(opt, v)  # 0.0 is fine
    state, before = opt.get_state(), v.value.copy()
    with pytest.raises(ValueError, match="learning rate must be a finite number >= 0"):
        sgd_step(opt, v)
    np.testing.assert_array_equal(v.value, before)
    for key, value in opt.get_state().items():
        np.testing.assert_array_equal(value, state[key])
    opt3 = mk.optimizers.SGD(0.1)
    opt3.learning_rate.assign(float("nan"))
    with pytest.raises(ValueError, match="nan"):
        sgd_step(opt3, one_variable())


def test_lr_keyword_is_deprecated_but_works() -> None:
    with pytest.warns(DeprecationWarning, match="`lr` argument is deprecated"):
        opt = mk.optimizers.Adam(lr=0.02)
    assert float(opt.learning_rate) == float(np.float32(0.02))
    with pytest.warns(DeprecationWarning):
        opt = mk.optimizers.AdamW(lr=0.03)  # through two constructors
    assert float(opt.learning_rate) == float(np.float32(0.03))


def test_decay_keyword_is_ignored_with_a_pointer_to_inverse_time_decay() -> None:
    with pytest.warns(UserWarning, match=r"schedules\.InverseTimeDecay\(0\.1, 1, 0\.01\)"):
        opt = mk.optimizers.SGD(learning_rate=0.1, decay=0.01)
    v = one_variable()
    assert_close([sgd_step(opt, v) for _ in range(3)], [0.1, 0.1, 0.1], "internal64")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mk.optimizers.SGD(decay=0.0)  # nothing ignored, nothing to say


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("lr", [-0.1, float("nan"), float("inf"), "fast", None, [0.1]])
def test_bad_learning_rate_is_a_clear_error(lr: Any) -> None:
    with pytest.raises(ValueError, match="learning_rate"):
        mk.optimizers.Adam(learning_rate=lr)


@pytest.mark.parametrize("cls", ["SGD", "RMSprop"])
@pytest.mark.parametrize("momentum", [-0.1, 1.5, float("nan")])
def test_momentum_outside_0_1_is_a_clear_error(cls: str, momentum: float) -> None:
    with pytest.raises(ValueError, match=r"`momentum` must be a finite number in \[0, 1\]"):
        getattr(mk.optimizers, cls)(momentum=momentum)


def test_momentum_bounds_are_accepted() -> None:
    assert mk.optimizers.SGD(momentum=0).momentum == 0.0
    assert mk.optimizers.SGD(momentum=1.0).momentum == 1.0


@pytest.mark.parametrize("kwargs", [
    {"clipnorm": 1.0, "clipvalue": 1.0}, {"clipnorm": 1.0, "global_clipnorm": 1.0},
    {"clipvalue": 0.5, "global_clipnorm": 1.0}])
def test_two_clipping_options_are_a_clear_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and "
                                         "`global_clipnorm` can be set"):
        mk.optimizers.SGD(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"clipnorm": -1.0}, "clipnorm"), ({"clipvalue": float("nan")}, "clipvalue"),
    ({"global_clipnorm": -2}, "global_clipnorm"), ({"weight_decay": -0.1}, "weight_decay"),
    ({"gradient_accumulation_steps": 1}, "gradient_accumulation_steps"),
    ({"gradient_accumulation_steps": 2.5}, "gradient_accumulation_steps"),
    ({"use_ema": True, "ema_momentum": 1.5}, "ema_momentum"),
    ({"use_ema": True, "ema_overwrite_frequency": -3}, "ema_overwrite_frequency"),
    ({"beta_1": 1.0}, "beta_1"), ({"beta_2": -0.1}, "beta_2"), ({"epsilon": 0.0}, "epsilon"),
    ({"epsilon": -1e-7}, "epsilon"), ({"name": 3}, "name")])
def test_bad_hyperparameters_are_clear_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        mk.optimizers.Adam(**kwargs)


@pytest.mark.parametrize("cls, kwargs, match", [
    ("RMSprop", {"rho": 1.0}, "rho"), ("Adagrad", {"initial_accumulator_value": -1},
                                       "initial_accumulator_value"),
    ("Lion", {"beta_1": 0.0}, "beta_1"), ("Adadelta", {"rho": -0.5}, "rho"),
    ("AdamW", {"weight_decay": None}, "weight_decay"), ("Nadam", {"beta_2": 1.0}, "beta_2"),
    ("Adamax", {"epsilon": float("nan")}, "epsilon")])
def test_bad_specific_hyperparameters(cls: str, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        getattr(mk.optimizers, cls)(**kwargs)


def test_unknown_keyword_suggests_the_right_one() -> None:
    with pytest.raises(ValueError, match=r"not recognized.*'momentun' -> did you mean "
                                         r"'momentum'"):
        mk.optimizers.SGD(momentun=0.9)


def test_failed_construction_does_not_use_up_a_name() -> None:
    with pytest.raises(ValueError):
        mk.optimizers.Adam(beta_1=2.0)
    assert mk.optimizers.Adam().name == "adam"


@pytest.mark.parametrize("name, cls", [("adam", "Adam"), ("Adam", "Adam"), ("ADAM", "Adam"),
                                       ("sgd", "SGD"), ("SGD", "SGD"), ("RMSprop", "RMSprop"),
                                       ("rmsprop", "RMSprop"), ("AdamW", "AdamW"),
                                       ("adagrad", "Adagrad"), ("ADAMAX", "Adamax"),
                                       ("nadam", "Nadam"), ("Lion", "Lion"),
                                       ("adadelta", "Adadelta")])
def test_names_resolve_ignoring_case(name: str, cls: str) -> None:
    opt = mk.optimizers.get(name)
    assert type(opt).__name__ == cls
    assert mk.optimizers.get(name) is not opt  # a fresh instance each time


@pytest.mark.parametrize("name, suggestion", [("adma", "adam"), ("adan", "adam"), ("Adamm", "adam"),
                                              ("rmsrop", "rmsprop"), ("SDG", "sgd")])
def test_unknown_name_did_you_mean(name: str, suggestion: str) -> None:
    with pytest.raises(ValueError, match=f"Unknown optimizer '{name}'. Did you mean "
                                         f"'{suggestion}'"):
        mk.optimizers.get(name)


def test_get_accepts_instances_classes_and_configs_and_rejects_others() -> None:
    opt = mk.optimizers.Adam(0.5)
    assert mk.optimizers.get(opt) is opt
    assert isinstance(mk.optimizers.get(mk.optimizers.SGD), mk.optimizers.SGD)
    again = mk.optimizers.get(mk.optimizers.serialize(opt))
    assert isinstance(again, mk.optimizers.Adam) and float(again.learning_rate) == 0.5
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        mk.optimizers.get(42)
    with pytest.raises(ValueError, match="optimizer is required"):
        mk.optimizers.get(None)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        mk.optimizers.get("adam_optimizer_9000")


# --------------------------------------------------------------------------------- state
def run_steps(opt: mk.optimizers.Optimizer, variables: list[Variable], start: int, n: int,
              dtype: str) -> None:
    rng = np.random.default_rng(1000)
    schedule = [[rng.normal(size=v.shape).astype(dtype) for v in variables] for _ in range(20)]
    for step in range(start, start + n):
        opt.apply_gradients(zip(schedule[step], variables))


STATE_CASES = {
    "SGD": {"momentum": 0.9, "nesterov": True}, "Adam": {"amsgrad": True},
    "AdamW": {}, "RMSprop": {"centered": True, "momentum": 0.5}, "Adagrad": {},
    "Adamax": {}, "Nadam": {}, "Lion": {}, "Adadelta": {},
    "ema_accumulate": {"use_ema": True, "gradient_accumulation_steps": 3,
                       "ema_overwrite_frequency": 2},
    "schedule": {"learning_rate": mk.optimizers.schedules.CosineDecayRestarts(0.01, 2)},
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("label", sorted(STATE_CASES))
def test_state_round_trip_resumes_bit_for_bit(label: str, dtype: str) -> None:
    cls = label if label in CLASSES else "Nadam"
    kwargs = STATE_CASES[label]

    def fresh() -> tuple[mk.optimizers.Optimizer, list[Variable]]:
        return getattr(mk.optimizers, cls)(**kwargs), make_variables(dtype)

    whole, whole_vars = fresh()
    run_steps(whole, whole_vars, 0, 10, dtype)

    first, first_vars = fresh()
    run_steps(first, first_vars, 0, 5, dtype)
    state = first.get_state()
    saved_weights = [v.numpy() for v in first_vars]
    config = first.get_config()

    resumed = type(first).from_config(config)
    resumed_vars = make_variables(dtype)
    for v, w in zip(resumed_vars, saved_weights):
        v.assign(w)
    resumed.build(resumed_vars)
    resumed.set_state(state)
    run_steps(resumed, resumed_vars, 5, 5, dtype)
    for a, b in zip(resumed_vars, whole_vars):  # bit for bit: exact equality, no tolerance
        np.testing.assert_array_equal(a.value, b.value)
    for key, value in whole.get_state().items():
        np.testing.assert_array_equal(resumed.get_state()[key], value, err_msg=key)


def test_state_is_a_copy_and_set_state_checks_before_changing() -> None:
    opt, variables = mk.optimizers.Adam(0.1), make_variables("float64")
    run_steps(opt, variables, 0, 2, "float64")
    state = opt.get_state()
    assert sorted(state) == ["iterations", "learning_rate", "slot/momentum", "slot/velocity"]
    state["slot/momentum"][...] = 123.0
    assert not np.any(opt.get_state()["slot/momentum"] == 123.0)
    broken = dict(state)
    broken["slot/velocity"] = np.zeros(3)
    before = opt.get_state()
    with pytest.raises(ValueError, match="slot 'velocity'"):
        opt.set_state(broken)
    for key, value in opt.get_state().items():
        np.testing.assert_array_equal(value, before[key])
    missing = {k: v for k, v in state.items() if k != "iterations"}
    with pytest.raises(ValueError, match="iterations"):
        opt.set_state(missing)
    with pytest.raises(ValueError, match="Build the optimizer"):
        mk.optimizers.Adam().set_state(state)


@pytest.mark.parametrize("cls", CLASSES)
def test_config_round_trip(cls: str) -> None:
    schedule = mk.optimizers.schedules.PolynomialDecay(0.1, 100, cycle=True)
    opt = getattr(mk.optimizers, cls)(learning_rate=schedule, clipnorm=2.0, use_ema=True,
                                      ema_momentum=0.5, gradient_accumulation_steps=4,
                                      name="mine")
    config = opt.get_config()
    json.dumps(config)  # plain JSON
    assert config["learning_rate"]["class_name"] == "PolynomialDecay"
    again = type(opt).from_config(config)
    assert again.get_config() == config
    assert isinstance(again._lr_owner, mk.optimizers.schedules.PolynomialDecay)
    plain = getattr(mk.optimizers, cls)(learning_rate=0.25)
    assert type(plain).from_config(plain.get_config()).get_config() == plain.get_config()
    restored = mk.optimizers.deserialize(mk.optimizers.serialize(plain))
    assert restored.get_config() == plain.get_config()


# ------------------------------------------------------------------------- flat details
def test_clipnorm_clips_each_weight_by_its_own_norm() -> None:
    a, b = Variable(np.zeros(2), name="a"), Variable(np.zeros(3), name="b")
    FlatBuffer([a, b], "float64")
    opt = mk.optimizers.SGD(learning_rate=1.0, clipnorm=1.0)
    ga, gb = np.array([3.0, 4.0]), np.array([0.1, 0.2, 0.2])  # norms 5 and 0.3
    opt.apply_gradients([(ga, a), (gb, b)])
    assert_close(a.value, -ga / 5.0, "internal64")
    assert_close(b.value, -gb, "internal64")


def test_frozen_runs_are_left_alone_by_every_part_of_a_step() -> None:
    # weights [a | frozen | c]: the fit path passes the runs that train
    a, frozen, c = (Variable(np.ones(2), name="a"), Variable(np.ones(3), name="frozen"),
                    Variable(np.ones(2), name="c"))
    buf = FlatBuffer([a, frozen, c], "float64")
    opt = mk.optimizers.Adam(0.1, weight_decay=0.5, clipnorm=0.1, use_ema=True,
                             ema_overwrite_frequency=1)
    opt.build([a, frozen, c])
    buf.grads[:] = 1.0
    runs = mk.optimizers.base.trainable_runs(buf, [True, False, True])
    assert runs == [(0, 2), (5, 7)]
    opt.apply_flat(buf.values, buf.grads, runs)
    np.testing.assert_array_equal(frozen.value, np.ones(3))
    assert np.all(a.value < 1) and np.all(c.value < 1)
    np.testing.assert_array_equal(opt.get_slot(frozen, "momentum"), np.zeros(3))
    opt.finalize_variable_values()
    np.testing.assert_array_equal(frozen.value, np.ones(3))  # its average was never taken


def test_runs_split_equals_whole_buffer() -> None:
    """A sharded step (each rank its own slice) equals the whole step, bit for bit."""
    variables = make_variables("float64")
    total = sum(v.size for v in variables)
    for cls in CLASSES:
        results = []
        for cut in (None, 5, 9):
            vs = make_variables("float64")
            buf = FlatBuffer(vs, "float64")
            opts = [getattr(mk.optimizers, cls)(weight_decay=0.01, clipvalue=0.7)
                    for _ in range(2)]
            for o in opts:
                o.build(vs)
            for step in range(4):
                g = np.concatenate([x.reshape(-1) for x in grads_at(step, "float64")])
                if cut is None:
                    buf.grads[:] = g
                    opts[0].apply_flat(buf.values, buf.grads)
                else:
                    for o, run in zip(opts, [(0, cut), (cut, total)]):
                        buf.grads[:] = g
                        o.apply_flat(buf.values, buf.grads, [run])
            results.append(buf.values.copy())
        for r in results[1:]:
            np.testing.assert_array_equal(r, results[0], err_msg=cls)


@given(st.lists(st.booleans(), min_size=4, max_size=4))
def test_apply_on_a_subset_updates_only_that_subset(which: list[bool]) -> None:
    variables = make_variables("float64")
    opt = mk.optimizers.Adam(0.1)
    opt.build(variables)
    chosen = [v for v, w in zip(variables, which) if w]
    grads = [np.ones(v.shape) for v in chosen]
    before = [v.numpy() for v in variables]
    if not chosen:
        opt.apply_gradients([])
        assert int(opt.iterations) == 0
        return
    opt.apply_gradients(zip(grads, chosen))
    for v, b, w in zip(variables, before, which):
        changed = not np.array_equal(v.value, b)
        assert changed == w
    assert int(opt.iterations) == 1


def test_none_gradients_warn_and_skip_and_all_none_is_an_error() -> None:
    variables = make_variables("float64")
    opt = mk.optimizers.SGD(0.1)
    before = variables[1].numpy()
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['bias'\]"):
        opt.apply_gradients([(np.ones(v.shape), v) if v.name != "bias" else (None, v)
                             for v in variables])
    np.testing.assert_array_equal(variables[1].value, before)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, v) for v in variables])


def test_unknown_variable_and_wrong_shape_are_clear_errors() -> None:
    variables = make_variables("float64")
    opt = mk.optimizers.SGD(0.1)
    opt.apply_gradients([(np.ones(v.shape), v) for v in variables])
    stranger = Variable(np.ones(2), name="stranger")
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(np.ones(2), stranger)])
    with pytest.raises(ValueError, match="gradient for variable 'bias' has shape"):
        opt.apply_gradients([(np.ones(7), variables[1])])
    with pytest.raises(ValueError, match="appears twice"):
        opt.apply_gradients([(np.ones(2), variables[1]), (np.ones(2), variables[1])])
    with pytest.raises(ValueError, match="must already be built"):
        mk.optimizers.SGD().apply([np.ones(2)])


def test_apply_without_variables_after_build() -> None:
    variables = make_variables("float64")
    opt = mk.optimizers.SGD(0.5)
    opt.build(variables)
    opt.apply([np.ones(v.shape) for v in variables])
    assert_close(variables[1].value, np.asarray(INPUTS["init"][1]) - 0.5, "internal64")


def test_loss_scale_factor_divides_gradients_in_apply() -> None:
    v = one_variable()
    opt = mk.optimizers.SGD(learning_rate=1.0, loss_scale_factor=4.0)
    assert opt.scale_loss(2.0) == 8.0
    opt.apply_gradients([(np.full(3, 8.0), v)])
    assert_close(v.value, np.full(3, -1.0), "internal64")


def test_constraints_apply_after_each_step() -> None:
    v = Variable(np.zeros(3), name="w", constraint=mk.constraints.NonNeg())
    opt = mk.optimizers.SGD(learning_rate=1.0)
    opt.apply_gradients([(np.array([1.0, -1.0, 2.0]), v)])
    assert_close(v.value, [0.0, 1.0, 0.0], "internal64")


def test_iterations_with_gradient_accumulation_count_updates() -> None:
    v = one_variable()
    opt = mk.optimizers.SGD(learning_rate=1.0, gradient_accumulation_steps=2)
    opt.apply_gradients([(np.full(3, 1.0), v)])
    assert int(opt.iterations) == 0
    assert_close(v.value, np.ones(3), "internal64")
    opt.apply_gradients([(np.full(3, 3.0), v)])
    assert int(opt.iterations) == 1
    assert_close(v.value, np.full(3, -1.0), "internal64")  # mean gradient 2
    assert int(opt.get_state()["iterations"]) == 2


def test_exclude_from_weight_decay_by_name_and_by_variable() -> None:
    variables = make_variables("float64")
    opt = mk.optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[variables[0]], var_names=["gam"])
    zero = [np.zeros(v.shape) for v in variables]
    before = [v.numpy() for v in variables]
    opt.apply_gradients(zip(zero, variables))
    for v, b, decays in zip(variables, before, [False, True, False, True]):
        assert_close(v.value, b * (1 - 0.05) if decays else b, "internal64", err_msg=v.name)


def test_get_slot_and_variables_surface() -> None:
    variables = make_variables("float32")
    opt = mk.optimizers.Adam(0.1)
    run_steps(opt, variables, 0, 1, "float32")
    m = opt.get_slot(variables[0], "momentum")
    assert m.shape == variables[0].shape and m.dtype == np.float32
    assert [v.name for v in opt.variables][:4] == ["iteration", "learning_rate",
                                                   "kernel_momentum", "kernel_velocity"]
    with pytest.raises(ValueError, match="Unknown slot"):
        opt.get_slot(variables[0], "nope")
    weights = [np.full(v.shape, 0.5) for v in opt.variables]
    opt.set_weights(weights)
    assert_close(opt.get_slot(variables[2], "velocity"), np.full((2, 1, 2), 0.5), "float32")
    assert int(opt.iterations) == 0  # iterations is the first optimizer variable (Keras)


def test_slots_of_ema_and_accumulation_are_in_the_state() -> None:
    opt = mk.optimizers.SGD(use_ema=True, gradient_accumulation_steps=2)
    opt.build(make_variables("float64"))
    state = opt.get_state()
    assert f"slot/{EMA_SLOT}" in state and f"slot/{ACCUMULATOR_SLOT}" in state


def test_rebuilding_with_the_same_variables_keeps_the_state() -> None:
    variables = make_variables("float64")
    opt = mk.optimizers.Adam(0.1)
    run_steps(opt, variables, 0, 2, "float64")
    m = opt.get_slot(variables[0], "momentum").copy()
    opt.build(variables)
    np.testing.assert_array_equal(opt.get_slot(variables[0], "momentum"), m)
    opt.build(variables[:2])  # other variables: a fresh start
    assert not np.any(opt.get_slot(variables[0], "momentum"))


def test_build_rejects_non_variables() -> None:
    with pytest.raises(ValueError, match="built on a list of variables"):
        mk.optimizers.Adam().build([np.zeros(3)])


def test_zero_gradients_stay_finite_in_float32() -> None:
    for cls in CLASSES:
        v = Variable(np.ones(4, dtype="float32"), name="w")
        opt = getattr(mk.optimizers, cls)()
        for _ in range(3):
            opt.apply_gradients([(np.zeros(4, dtype="float32"), v)])
        assert np.all(np.isfinite(v.value)), cls


@pytest.mark.parametrize("cls", CLASSES)
def test_fit_trains_with_each_optimizer(cls: str) -> None:
    mk.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([1.0, -1.0, 0.5]))[:, None].astype("float32")
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    lr = {"Adadelta": 1.0, "SGD": 0.05}.get(cls, 0.05)
    model.compile(optimizer=getattr(mk.optimizers, cls)(learning_rate=lr), loss="mse")
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert int(np.asarray(model.optimizer.iterations)) == 20


# ------------------------------------------------------------------------ custom example
def load_example() -> Any:
    spec = importlib.util.spec_from_file_location("custom_optimizer",
                                                  ROOT / "examples" / "custom_optimizer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_custom_optimizer_example_trains() -> None:
    example = load_example()
    # the whole subclass: two members, nothing else
    assert {k for k in vars(example.Signum) if not k.startswith("__")} == {"slots", "update"}
    history = example.main(epochs=10, verbose=0)
    assert history["accuracy"][-1] >= 0.9
    assert history["loss"][-1] < history["loss"][0]


def test_custom_optimizer_rule_config_and_registry() -> None:
    mk.config.set_floatx("float64")
    example = load_example()
    opt = example.Signum(learning_rate=0.1)
    v = Variable(np.zeros(3), name="w")
    opt.apply_gradients([(np.array([2.0, -3.0, 0.0]), v)])
    assert_close(v.value, [-0.1, 0.1, 0.0], "internal64")  # sign(0.1 g) * lr
    assert_close(opt.get_slot(v, "momentum"), [0.2, -0.3, 0.0], "internal64")
    again = mk.optimizers.get({"class_name": "Signum", "config": opt.get_config()})
    assert type(again) is example.Signum and float(again.learning_rate) == 0.1


def test_subclass_without_update_says_what_to_write() -> None:
    class Empty(mk.optimizers.Optimizer):
        pass

    with pytest.raises(NotImplementedError, match=r"update\(param, grad, lr, slots, step\)"):
        Empty().apply_gradients([(np.ones(2), Variable(np.zeros(2), name="w"))])


def test_nan_gradient_norm_gives_nan_as_keras() -> None:
    v = one_variable()
    opt = mk.optimizers.SGD(1.0, global_clipnorm=1.0)
    opt.apply_gradients([(np.array([np.inf, 1.0, 1.0]), v)])
    assert np.all(np.isnan(v.value))
    assert math.isnan(float(v.value[1]))


@pytest.mark.parametrize("cls", ["Adam", "AdamW", "Nadam"])
def test_an_overflowing_squared_gradient_gives_no_nan(cls: str) -> None:
    """A finite float32 gradient past 1.8e19 squares to inf: v must stay inf (the step
    goes to 0), not turn NaN through inf - inf on the next step."""
    w = Variable(np.ones(3, dtype=np.float32), name="w")
    opt = getattr(mk.optimizers, cls)(learning_rate=0.01)
    with np.errstate(over="ignore"):
        for _ in range(3):
            opt.apply([np.full(3, 1e30, dtype=np.float32)], [w])
    assert np.isfinite(w.numpy()).all()
