"""Losses: Keras 3's values (golden), gradients, reductions, numerics and bad input."""

from __future__ import annotations

import json
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
from minikeras.losses import LOSSES, REDUCTIONS, Loss
from tests.helpers.gradcheck import check_loss_gradients, numerical_gradient
from tests.helpers.tolerances import assert_close

KIND = {"float64": "keras64", "float32": "float32"}
#: Every loss class a name resolves to, so nothing registered skips a test.
LOSS_CLASSES = sorted({type(LOSSES.get(n)) for n in LOSSES.names()}, key=lambda c: c.__name__)
CLASS_IDS = [c.__name__ for c in LOSS_CLASSES]


@cache
def golden() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "golden" / "core_losses.json").read_text())


def golden_inputs(key: str, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    data = golden()["data"][key]
    y_true = np.array(data["y_true"])
    if y_true.dtype.kind == "f":
        y_true = y_true.astype(dtype)
    return y_true, np.array(data["y_pred"], dtype=dtype)


# ------------------------------------------------------------------------------ golden values
@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=CLASS_IDS)
def test_matches_keras(cls):
    cases = [c for c in golden()["cases"] if c["loss"] == cls.__name__ and "value" in c]
    assert cases, f"no Keras golden numbers for {cls.__name__}: rerun make_golden.py"
    for c in cases:
        mk.config.set_floatx(c["dtype"])
        y_true, y_pred = golden_inputs(c["data"], c["dtype"])
        sw = c["sample_weight"]
        sw = None if sw is None else np.array(sw, dtype=c["dtype"])
        loss = cls(reduction=c["reduction"], **c["config"])
        value = loss(y_true, y_pred, sample_weight=sw)
        assert value.dtype == np.dtype(c["dtype"])
        assert value.shape == np.shape(c["value"]), (c["data"], c["reduction"], value.shape)
        assert_close(value, c["value"], KIND[c["dtype"]],
                     err_msg=f"{cls.__name__}({c['config']}) {c['reduction']} {c['data']} "
                             f"sw={c['sample_weight_kind']} {c['dtype']}")


def test_golden_covers_what_issue_3_names():
    cases = golden()["cases"]
    seen = {(c["loss"], json.dumps(c["config"], sort_keys=True)) for c in cases}
    for loss, config in [("BinaryCrossentropy", {"from_logits": True}),
                         ("BinaryCrossentropy", {"label_smoothing": 0.1}),
                         ("CategoricalCrossentropy", {"from_logits": True}),
                         ("CategoricalCrossentropy", {"label_smoothing": 0.1}),
                         ("SparseCategoricalCrossentropy", {"from_logits": True})]:
        assert (loss, json.dumps(config, sort_keys=True)) in seen
    assert {c["reduction"] for c in cases} == set(REDUCTIONS) | {None}
    assert {c["sample_weight_kind"] for c in cases} == {"none", "vector", "column", "scalar"}
    assert {c["dtype"] for c in cases} == {"float32", "float64"}
    data = golden()["data"]
    assert 0.0 in np.ravel(data["BinaryCrossentropy/extreme"]["y_pred"])
    assert 1e-9 in np.ravel(data["BinaryCrossentropy/extreme"]["y_pred"])
    assert 100.0 in np.ravel(data["BinaryCrossentropy/extreme_logits"]["y_pred"])
    assert -100.0 in np.ravel(data["CategoricalCrossentropy/extreme_logits"]["y_pred"])
    assert np.shape(data["BinaryCrossentropy/t_n_p_n1"]["y_true"]) == (5,)
    assert np.shape(data["BinaryCrossentropy/t_n_p_n1"]["y_pred"]) == (5, 1)


def test_inputs_keras_refuses_are_refused():
    refused = [c for c in golden()["cases"] if "error" in c]
    assert refused
    for c in refused:
        y_true, y_pred = golden_inputs(c["data"], c["dtype"])
        loss = getattr(mk.losses, c["loss"])(reduction=c["reduction"], **c["config"])
        with pytest.raises(ValueError, match="sample_weight of shape"):
            loss(y_true, y_pred, sample_weight=np.array(c["sample_weight"]))


@pytest.mark.parametrize("fn_name", sorted({c["fn"] for c in golden()["functions"]}))
def test_functions_match_keras(fn_name):
    for c in [c for c in golden()["functions"] if c["fn"] == fn_name]:
        mk.config.set_floatx(c["dtype"])
        y_true, y_pred = golden_inputs(c["data"], c["dtype"])
        values = getattr(mk.losses, fn_name)(y_true, y_pred, **c["kwargs"])
        assert values.shape == np.shape(c["value"])
        assert_close(values, c["value"], KIND[c["dtype"]], err_msg=f"{fn_name}({c['kwargs']})")
        assert isinstance(values.numpy(), np.ndarray)


def test_every_loss_class_has_a_function():
    fns = {getattr(getattr(mk.losses, n), "_loss_class", None) for n in dir(mk.losses)}
    assert set(LOSS_CLASSES) <= fns


# ------------------------------------------------------------------------------ gradients
def _nudge(x: np.ndarray, kinks: np.ndarray | float, gap: float = 5e-3) -> np.ndarray:
    """Move values off the points where a loss is not differentiable."""
    return np.where(np.abs(x - kinks) < gap, x + 3 * gap, x)


def gradient_cases(cls: type[Loss]) -> list[tuple[dict[str, Any], np.ndarray, np.ndarray]]:
    """(config, y_true, y_pred) away from every kink and clip, per loss class."""
    rng = np.random.default_rng(sum(map(ord, cls.__name__)))
    n, k = 5, 3
    t = rng.normal(size=(n, k))
    p = rng.normal(size=(n, k))
    probs = rng.uniform(0.05, 0.95, size=(n, k))
    bits = rng.integers(0, 2, size=(n, k)).astype(float)
    rows = rng.dirichlet(np.ones(k), size=n) * 0.9 + 0.1 / k
    onehot = np.eye(k)[rng.integers(0, k, size=n)]
    labels = onehot.argmax(axis=1)
    name = cls.__name__
    if name in ("MeanSquaredError", "LogCosh", "CosineSimilarity"):
        return [({}, t, p), ({}, t[:, 0], p[:, :1])]
    if name == "MeanAbsoluteError":
        return [({}, t, _nudge(p, t))]
    if name == "MeanAbsolutePercentageError":
        t = np.where(np.abs(t) < 0.2, 0.5, t)
        return [({}, t, _nudge(p, t))]
    if name == "MeanSquaredLogarithmicError":
        return [({}, np.abs(t), np.abs(p) + 0.1)]
    if name == "Huber":
        p = _nudge(_nudge(p, t + 1.0), t - 1.0)
        return [({}, t, p), ({"delta": 0.5}, t, _nudge(_nudge(p, t + 0.5), t - 0.5))]
    if name in ("Hinge", "SquaredHinge"):
        s = 2 * bits - 1
        return [({}, bits, _nudge(p, 1 / s)), ({}, s, _nudge(p, 1 / s))]
    if name == "CategoricalHinge":
        p = p + 3 * onehot * rng.choice([-1.0, 1.0], size=(n, 1))  # active and inactive rows
        return [({}, onehot, p)]
    if name == "KLDivergence":
        return [({}, rng.dirichlet(np.ones(k), size=n), rows)]
    if name == "Poisson":
        return [({}, np.abs(t), np.abs(p) + 0.1)]
    if name == "BinaryCrossentropy":
        return [({}, bits, probs), ({"label_smoothing": 0.1}, probs[::-1], probs),
                ({"from_logits": True}, bits, 2 * p), ({}, bits[:, 0], probs[:, :1]),
                ({"from_logits": True, "label_smoothing": 0.3}, bits, p)]
    if name == "BinaryFocalCrossentropy":
        return [({}, bits, probs), ({"gamma": 0.0}, bits, probs),
                ({"gamma": 3.0, "label_smoothing": 0.1}, bits, probs),
                ({"apply_class_balancing": True, "alpha": 0.4}, bits, probs),
                ({"from_logits": True}, bits, 2 * p),
                ({"from_logits": True, "apply_class_balancing": True}, bits, p)]
    if name == "CategoricalCrossentropy":
        return [({}, onehot, rows), ({}, rng.dirichlet(np.ones(k), size=n), 2.0 * rows),
                ({"label_smoothing": 0.1}, onehot, rows), ({"from_logits": True}, onehot, 2 * p),
                ({"from_logits": True, "label_smoothing": 0.2}, onehot, p)]
    if name == "CategoricalFocalCrossentropy":
        return [({}, onehot, rows), ({"gamma": 0.0}, rng.dirichlet(np.ones(k), size=n), 2 * rows),
                ({"alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.1}, onehot, rows),
                ({"from_logits": True}, onehot, 2 * p),
                ({"from_logits": True, "label_smoothing": 0.2, "gamma": 1.5}, onehot, p)]
    if name == "SparseCategoricalCrossentropy":
        return [({}, labels, rows), ({}, labels[:, None], 3.0 * rows),
                ({"from_logits": True}, labels, 2 * p), ({"ignore_class": 1}, labels, rows),
                ({"from_logits": True, "ignore_class": 0}, labels, p)]
    raise AssertionError(f"add gradient inputs for {name}")


SAMPLE_WEIGHTS = {"none": None, "vector": np.array([1.0, 0.0, 2.0, 0.5, 3.0]),
                  "column": np.array([[0.5], [1.5], [0.0], [2.0], [1.0]]), "scalar": 2.5}


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=CLASS_IDS)
def test_gradients(cls):
    for i, (config, y_true, y_pred) in enumerate(gradient_cases(cls)):
        # Every reduction and weight on the first input; the default and a weight vector after.
        reductions = [r for r in REDUCTIONS if r != "none"] if i == 0 else ["sum_over_batch_size"]
        weights = SAMPLE_WEIGHTS if i == 0 else {k: SAMPLE_WEIGHTS[k] for k in ("none", "vector")}
        for reduction in reductions:
            for sw in weights.values():
                check_loss_gradients(cls(reduction=reduction, **config), y_true, y_pred, sw)


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=CLASS_IDS)
def test_gradient_with_reduction_none_is_the_means(cls):
    config, y_true, y_pred = gradient_cases(cls)[0]
    loss = cls(reduction="none", **config)
    for sw in SAMPLE_WEIGHTS.values():
        value, grad = loss.value_and_grad(y_true, y_pred.copy(), sw)
        per_sample = np.asarray(loss(y_true, y_pred, sample_weight=sw))
        assert per_sample.ndim >= 1
        assert_close(value, per_sample.mean(), "internal64")
        y = y_pred.copy()
        numeric = numerical_gradient(
            lambda y=y, sw=sw: float(np.mean(loss(y_true, y, sample_weight=sw))), y)
        assert_close(grad, numeric, "float32")


def test_mean_is_sum_over_batch_size_and_weights_divide_by_count():
    config, y_true, y_pred = gradient_cases(mk.losses.MeanSquaredError)[0]
    sw = SAMPLE_WEIGHTS["vector"]
    per_sample = np.asarray(mk.losses.MeanSquaredError(reduction="none")(y_true, y_pred))
    mean = mk.losses.MeanSquaredError(reduction="mean")(y_true, y_pred, sample_weight=sw)
    sobs = mk.losses.MeanSquaredError()(y_true, y_pred, sample_weight=sw)
    mws = mk.losses.MeanSquaredError(reduction="mean_with_sample_weight")(y_true, y_pred, sw)
    assert_close(mean, sobs, "internal64")
    assert_close(sobs, (per_sample * sw).sum() / 5, "internal64")
    assert_close(mws, (per_sample * sw).sum() / sw.sum(), "internal64")


def test_ignore_class_averages_over_the_rest():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.0, 0.0, 0.0]])
    labels = np.array([0, 1, 2])  # the ignored row may even sum to 0
    value = mk.losses.SparseCategoricalCrossentropy(ignore_class=2)(labels, probs)
    assert_close(value, -(np.log(0.7) + np.log(0.8)) / 2, "internal64")


# ------------------------------------------------------------------------------ properties
probabilities = st.floats(0.0, 1.0)
any_logit = st.floats(allow_nan=False, allow_infinity=False)


def _pair(elements_true, elements_pred, dtype="float64"):
    shape = st.tuples(st.integers(1, 5), st.integers(1, 4))
    return shape.flatmap(lambda s: st.tuples(hnp.arrays(dtype, s, elements=elements_true),
                                             hnp.arrays(dtype, s, elements=elements_pred)))


@given(_pair(probabilities, probabilities), st.floats(0.0, 1.0))
def test_bce_is_finite_and_nonnegative_on_probabilities(pair, smoothing):
    y_true, y_pred = pair
    for loss in (mk.losses.BinaryCrossentropy(label_smoothing=smoothing),
                 mk.losses.BinaryFocalCrossentropy(label_smoothing=smoothing)):
        values = np.asarray(loss.__class__(reduction="none", label_smoothing=smoothing)(
            y_true, y_pred))
        assert np.all(np.isfinite(values)) and np.all(values >= 0)
        assert np.isfinite(float(loss(y_true, y_pred)))


@given(_pair(probabilities, any_logit))
def test_bce_is_finite_and_nonnegative_on_any_logits(pair):
    y_true, z = pair
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = np.asarray(mk.losses.BinaryCrossentropy(from_logits=True, reduction="none")(
            y_true, z))
        value = float(mk.losses.BinaryCrossentropy(from_logits=True)(y_true, z))
    # Each term is at most |z|, so every mean is within the range: never inf.
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    assert np.isfinite(value) and value >= 0


@given(_pair(probabilities, probabilities))
def test_cce_is_finite_and_nonnegative_on_probabilities(pair):
    y_true, y_pred = pair
    loss = mk.losses.CategoricalCrossentropy(reduction="none")
    zero_rows = np.flatnonzero(y_pred.sum(axis=-1) == 0)
    if zero_rows.size:
        with pytest.raises(ValueError, match=f"row {zero_rows[0]} sums to 0"):
            loss(y_true, y_pred)
        return
    values = np.asarray(loss(y_true, y_pred))
    assert np.all(np.isfinite(values)) and np.all(values >= 0)


def _cce_in_long_double(t: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The true categorical cross-entropy of logits, in a wider float (x86: 1e4932 range)."""
    z = z.astype(np.longdouble)
    shifted = z - z.max(axis=-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return -(t.astype(np.longdouble) * logp).sum(axis=-1)


@given(_pair(probabilities, any_logit))
def test_cce_and_sparse_cce_are_finite_and_nonnegative_on_any_logits(pair):
    y_true, z = pair
    values = np.asarray(mk.losses.CategoricalCrossentropy(from_logits=True, reduction="none")(
        y_true, z))
    labels = np.argmax(y_true, axis=-1)
    sparse = np.asarray(mk.losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction="none")(labels, z))
    for v, t in ((values, y_true), (sparse, np.eye(z.shape[-1])[labels])):
        assert not np.any(np.isnan(v)) and np.all(v >= 0)
        true = _cce_in_long_double(t, z)
        top = np.finfo(np.float64).max
        beyond = true > top  # there, and only there, inf is right
        clear = np.abs(true - top) > 1e-12 * top  # rounding decides right at the edge
        assert np.all((np.isinf(v) == beyond)[clear]), (t, z, v)
        if np.finfo(np.longdouble).max > top:
            ok = ~beyond & clear
            assert_close(v[ok], true[ok].astype(np.float64), "keras64")


@given(_pair(probabilities, st.floats(-1e4, 1e4, width=32), dtype="float32"))
def test_float32_logits_stay_finite(pair):
    y_true, z = pair
    for loss in (mk.losses.BinaryCrossentropy(from_logits=True),
                 mk.losses.CategoricalCrossentropy(from_logits=True)):
        value = loss(y_true, z)
        assert value.dtype == np.float32 and np.isfinite(float(value)) and float(value) >= 0


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=CLASS_IDS)
@given(order=st.permutations(range(5)))
def test_invariant_to_batch_order(cls, order):
    order = np.array(order)
    config, y_true, y_pred = gradient_cases(cls)[0]
    sw = SAMPLE_WEIGHTS["vector"]
    for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight"):
        loss = cls(reduction=reduction, **config)
        assert_close(loss(y_true[order], y_pred[order], sample_weight=sw[order]),
                     loss(y_true, y_pred, sample_weight=sw), "internal64")
    per_sample = cls(reduction="none", **config)
    assert_close(per_sample(y_true[order], y_pred[order]),
                 np.asarray(per_sample(y_true, y_pred))[order], "internal64")


def test_probability_row_summing_to_zero_names_the_row():
    y_true = np.eye(3)
    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.0, 0.0, 0.0]])
    for loss, t in ((mk.losses.CategoricalCrossentropy(), y_true),
                    (mk.losses.SparseCategoricalCrossentropy(), np.arange(3))):
        with pytest.raises(ValueError, match="row 2 sums to 0"):
            loss(t, y_pred)


def test_saturated_probabilities_give_keras_clipped_values():
    eps = 1e-7
    value = mk.losses.BinaryCrossentropy(reduction="none")(np.array([[1.0], [0.0]]),
                                                           np.array([[0.0], [1.0]]))
    assert_close(value, [-np.log(eps), -np.log(eps)], "internal64")


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("cls", [c for c in LOSS_CLASSES if not c.sparse_targets],
                         ids=[c.__name__ for c in LOSS_CLASSES if not c.sparse_targets])
def test_mismatched_shapes_name_both(cls):
    with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 2\)"):
        cls()(np.zeros((4, 3)), np.full((4, 2), 0.5))


def test_sparse_mismatches_name_both_shapes():
    loss = mk.losses.SparseCategoricalCrossentropy()
    with pytest.raises(ValueError, match=r"y_true.shape=\(4,\), y_pred.shape=\(5, 3\)"):
        loss(np.zeros(4, int), np.full((5, 3), 1 / 3))
    with pytest.raises(ValueError, match="received a label 3, but the output has 3 units"):
        loss(np.array([0, 3]), np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="integer class indices"):
        loss(np.array([0.5, 1.0]), np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="CategoricalCrossentropy"):
        loss(np.eye(3), np.full((3, 3), 1 / 3))


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=CLASS_IDS)
def test_invalid_reduction(cls):
    with pytest.raises(ValueError, match=r"reduction.*Received: reduction='average'"):
        cls(reduction="average")


@pytest.mark.parametrize("cls", [mk.losses.BinaryCrossentropy, mk.losses.CategoricalCrossentropy,
                                 mk.losses.BinaryFocalCrossentropy])
@pytest.mark.parametrize("smoothing", [-0.1, 1.5])
def test_label_smoothing_outside_unit_interval(cls, smoothing):
    with pytest.raises(ValueError, match=f"label_smoothing={smoothing}"):
        cls(label_smoothing=smoothing)


def test_unknown_loss_suggests_a_name():
    with pytest.raises(ValueError, match="Unknown loss 'binary_crossentropi'. Did you mean "
                                         "'binary_crossentropy'"):
        mk.losses.get("binary_crossentropi")
    with pytest.raises(ValueError, match="Known losses: .*mean_squared_error"):
        mk.losses.get("mean_sqaured_eror")


# ------------------------------------------------------------------------------ public surface
def test_names_and_spellings():
    expected = {"binary_crossentropy": "BinaryCrossentropy",
                "categorical_crossentropy": "CategoricalCrossentropy",
                "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
                "mse": "MeanSquaredError", "mean_squared_error": "MeanSquaredError",
                "mae": "MeanAbsoluteError", "mean_absolute_error": "MeanAbsoluteError",
                "mape": "MeanAbsolutePercentageError", "huber": "Huber", "log_cosh": "LogCosh",
                "hinge": "Hinge", "squared_hinge": "SquaredHinge",
                "msle": "MeanSquaredLogarithmicError",
                "binary_focal_crossentropy": "BinaryFocalCrossentropy", "kld": "KLDivergence",
                "poisson": "Poisson"}
    for name, cls_name in expected.items():
        assert type(mk.losses.resolve(name)).__name__ == cls_name, name
        # Keras's get(): a function name gives the per-sample function
        fn = mk.losses.get(name)
        assert not isinstance(fn, mk.losses.Loss) and fn._loss_class.__name__ == cls_name, name
        assert type(mk.losses.get(cls_name)).__name__ == cls_name, name
    assert mk.losses.BinaryCrossEntropy is mk.losses.BinaryCrossentropy
    assert mk.losses.CategoricalCrossEntropy is mk.losses.CategoricalCrossentropy
    assert mk.losses.SparseCategoricalCrossEntropy is mk.losses.SparseCategoricalCrossentropy
    assert type(mk.losses.get("BinaryCrossEntropy")) is mk.losses.BinaryCrossentropy
    assert mk.losses.get("MSE") is mk.losses.mse is mk.losses.mean_squared_error
    assert isinstance(mk.losses.resolve(mk.losses.binary_crossentropy),
                      mk.losses.BinaryCrossentropy)


def test_get_answers_as_keras_does():
    y_true = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y_pred = np.array([[0.1, 0.8], [0.6, 0.3], [0.9, 0.7]])
    per_sample = ((y_true - y_pred) ** 2).mean(axis=-1)
    for name in ("mse", "mean_squared_error", "MSE"):
        fn = mk.losses.get(name)
        assert fn.__name__ == "mean_squared_error"
        assert_close(np.asarray(fn(y_true, y_pred)), per_sample)
    assert_close(np.asarray(mk.losses.mse(y_true, y_pred)), per_sample)  # tf.keras 2 habit
    assert_close(float(mk.losses.get("MeanSquaredError")(y_true, y_pred)), per_sample.mean())
    assert mk.losses.get("categorical_crossentropy").__name__ == "categorical_crossentropy"

    def mine(t, p):
        return (t - p) ** 2

    loss = mk.losses.Huber()
    assert mk.losses.get(mine) is mine and mk.losses.get(loss) is loss
    assert mk.losses.get(None) is None
    got = mk.losses.get({"class_name": "CategoricalCrossentropy",
                         "config": {"from_logits": True}})
    assert type(got) is mk.losses.CategoricalCrossentropy and got.from_logits
    with pytest.raises(ValueError, match="Unknown loss 'msee'"):
        mk.losses.get("msee")


def test_values_answer_numpy():
    value = mk.losses.MeanSquaredError()(np.array([[1.0, 2.0]]), np.array([[1.0, 4.0]]))
    assert type(value.numpy()) is np.ndarray and value.numpy().shape == ()
    assert float(value) == pytest.approx(2.0)
    # Values keep y_pred's float type (Keras casts to floatx; equal for model outputs).
    assert value.dtype == np.float64
    ints = mk.losses.MeanSquaredError()(np.array([[1, 2]]), np.array([[1, 4]]))
    assert ints.dtype == np.float32  # integers become floatx


def test_config_roundtrip():
    for cls in LOSS_CLASSES:
        loss = cls(reduction="sum")
        again = mk.losses.deserialize(mk.losses.serialize(loss))
        assert type(again) is cls and again.get_config() == loss.get_config()


def test_a_plain_function_is_a_loss_with_numeric_gradient():
    def squares(y_true, y_pred):
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    assert mk.losses.get(squares) is squares  # Keras: a function is its own loss
    loss = mk.losses.resolve(squares)
    _, y_true, y_pred = gradient_cases(mk.losses.MeanSquaredError)[0]
    exact = mk.losses.MeanSquaredError()
    assert_close(loss(y_true, y_pred), exact(y_true, y_pred), "float32")
    assert_close(loss.value_and_grad(y_true, y_pred.copy())[1],
                 exact.value_and_grad(y_true, y_pred.copy())[1], "float32")


def test_a_users_loss_subclass_is_named_after_its_class_as_in_keras():
    class MyLoss(mk.losses.Loss):
        def call(self, y_true, y_pred):
            return (y_true - y_pred) ** 2

    first, second = MyLoss(), MyLoss()
    assert first.name.startswith("my_loss") and second.name != first.name
    assert MyLoss(name="mine").name == "mine"
    assert mk.losses.MeanSquaredError().name == "mean_squared_error"


# ----------------------------------------------------------------------------- axis=
@pytest.mark.parametrize("make", [
    lambda axis: mk.losses.CategoricalCrossentropy(axis=axis),
    lambda axis: mk.losses.CategoricalCrossentropy(axis=axis, label_smoothing=0.1),
    lambda axis: mk.losses.BinaryCrossentropy(axis=axis),
    lambda axis: mk.losses.BinaryFocalCrossentropy(axis=axis),
    lambda axis: mk.losses.CosineSimilarity(axis=axis)])
def test_axis_is_the_axis_reduced_as_in_keras(make):
    # Keras passes `axis` to the reduction: the class axis of a channels-first output.
    rng = np.random.default_rng(3)
    y_true = np.eye(3)[rng.integers(0, 3, (4, 5))].transpose(0, 2, 1)  # (4, 3, 5), classes on 1
    y_pred = rng.dirichlet(np.ones(3), (4, 5)).transpose(0, 2, 1)
    sw = rng.uniform(0.5, 2.0, (4, 5))
    moved = make(1)
    last = make(-1)
    t_last, p_last = np.moveaxis(y_true, 1, -1), np.moveaxis(y_pred, 1, -1)
    assert_close(moved(y_true, y_pred, sample_weight=sw), last(t_last, p_last, sample_weight=sw),
                 "internal64")
    value, grad = moved.value_and_grad(y_true, y_pred, sw)
    value_last, grad_last = last.value_and_grad(t_last, p_last, sw)
    assert_close(value, value_last, "internal64")
    assert grad.shape == y_pred.shape
    assert_close(grad, np.moveaxis(grad_last, -1, 1), "internal64")
    check_loss_gradients(moved, y_true, y_pred)
    function = getattr(mk.losses, moved.name)  # the per-sample function of the same name
    smoothing = moved.get_config().get("label_smoothing", 0.0)
    kwargs = {"label_smoothing": smoothing} if smoothing else {}
    per_sample = function(y_true, y_pred, axis=1, **kwargs)
    assert per_sample.shape == (4, 5)  # Keras's shape: the class axis reduced
    assert_close(per_sample, function(t_last, p_last, **kwargs), "internal64")


def test_axis_reaches_the_metric_of_the_same_name():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    metric = mk.metrics.CosineSimilarity(axis=0)
    metric.update_state(a, b)
    expected = np.mean(np.sum(a * b, axis=0)
                       / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0)))
    assert_close(float(metric.result()), expected, "float32")
    assert mk.losses.cosine_similarity(a, b, axis=0).shape == (3,)


def test_python_numbers_become_floatx_as_in_keras():
    assert mk.losses.mean_squared_error([1.0, 2.0], [1.5, 2.5]).dtype == np.float32
    assert mk.losses.MeanSquaredError()([1.0, 2.0], [1.5, 2.5]).dtype == np.float32
    assert mk.losses.MeanSquaredError()(np.ones(2), np.zeros(2)).dtype == np.float64


def test_keras_metrics_module_has_the_loss_functions_it_exports():
    for name in ("log_cosh", "huber", "categorical_hinge", "binary_focal_crossentropy",
                 "categorical_focal_crossentropy"):
        assert getattr(mk.metrics, name) is getattr(mk.losses, name)
