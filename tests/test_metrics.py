"""Metrics: Keras's numbers, names, configs, accuracy resolution and summable state.

Golden numbers come from ``tests/golden/make_golden_metrics.py`` (Keras 3, float64):
each case feeds three batches, with and without sample weights, and records the
result after every ``update_state``.
"""

from __future__ import annotations

import json
import timeit
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minikeras as mk
from minikeras import losses as L
from minikeras.metrics import confusion
from tests.helpers.tolerances import assert_close

GOLDEN = json.loads((Path(__file__).parent / "golden" / "metrics.json").read_text())
DATA = GOLDEN["datasets"]


def _case_id(case: dict) -> str:
    kw = ",".join(f"{k}={v}" for k, v in case["kwargs"].items())
    return f"{case['name']}({kw})-{case['data']}-{'w' if case['weighted'] else 'nw'}"


def _batches(data: str):
    for b in DATA[data]:
        yield np.asarray(b["y"]), np.asarray(b["p"]), np.asarray(b["w"])


def _build(case: dict) -> mk.metrics.Metric:
    if case["kind"] == "class":
        return getattr(mk.metrics, case["name"])(**case["kwargs"])
    if case["name"] in ("accuracy", "acc"):
        y, p, _ = next(_batches(case["data"]))
        return mk.metrics.resolve_accuracy(case["name"], y.shape, p.shape)
    return mk.metrics.get(case["name"])


def _feed(metric: mk.metrics.Metric, case: dict) -> list[np.ndarray]:
    results = []
    for y, p, w in _batches(case["data"]):
        sw = w if case["weighted"] else None
        if case["name"] == "Mean":
            metric.update_state(y, sample_weight=sw)
        else:
            metric.update_state(y, p, sample_weight=sw)
        results.append(np.asarray(metric.result()))
    return results


# ------------------------------------------------------------------ golden numbers
@pytest.mark.parametrize("case", GOLDEN["cases"], ids=_case_id)
def test_matches_keras_golden(case: dict) -> None:
    mk.config.set_floatx("float64")
    metric = _build(case)
    assert type(metric).__name__ == case["keras_class"] or case["name"] in {
        "huber", "log_cosh", "kld", "binary_focal_crossentropy"}
    assert metric.name == case["log_name"]
    for step, (got, want) in enumerate(zip(_feed(metric, case), case["results"])):
        assert_close(got, want, "keras64", err_msg=f"after batch {step}")


@pytest.mark.parametrize("case", GOLDEN["float32_cases"], ids=_case_id)
def test_float32_compares_in_float32_as_keras(case: dict) -> None:
    """Under floatx float32 a prediction of 0.3 is not above the threshold 0.3."""
    metric = _build(case)
    for got, want in zip(_feed(metric, case), case["results"]):
        assert_close(got, want, "float32")


def test_float32_and_float64_counts_differ_on_a_threshold() -> None:
    """The float32 cases are not vacuous: their data sit on thresholds in float32."""
    case32 = next(c for c in GOLDEN["float32_cases"] if c["name"] == "TruePositives")
    case64 = next(c for c in GOLDEN["cases"] if (c["name"], c["kwargs"], c["data"],
                  c["weighted"]) == (case32["name"], case32["kwargs"], case32["data"],
                                     case32["weighted"]))
    assert case32["results"][-1] != case64["results"][-1]
    y, p = np.array([[1.0], [0.0]]), np.array([[0.3], [0.3]], dtype=np.float32)
    mk.config.set_floatx("float32")
    m32 = mk.metrics.TruePositives(thresholds=0.3)
    m32.update_state(y, p)
    mk.config.set_floatx("float64")
    m64 = mk.metrics.TruePositives(thresholds=0.3)
    m64.update_state(y, p)
    assert float(m32.result()) == 0.0
    assert float(m64.result()) == 1.0


# ------------------------------------------------------------------ names
def test_default_names_count_per_process_as_keras() -> None:
    classes, names, classes2, names2 = GOLDEN["names"]
    values = {"PrecisionAtRecall": 0.5, "RecallAtPrecision": 0.5,
              "SensitivityAtSpecificity": 0.5, "SpecificityAtSensitivity": 0.5}
    got = []
    for cls, want in zip(classes, names):
        kwargs = {"name": want} if " " in want else {}
        args = (values[cls],) if cls in values else ()
        got.append(getattr(mk.metrics, cls)(*args, **kwargs).name)
    assert got == names
    mk.backend.clear_session()
    assert [getattr(mk.metrics, c)().name for c in classes2] == names2


@pytest.mark.parametrize("spec", ["mse", "MSE", "binary_crossentropy", "Precision", "AUC",
                                  "huber", "log_cosh", "kld", "binary_focal_crossentropy",
                                  "binary_accuracy", "rmse"])
def test_string_is_logged_as_written(spec: str) -> None:
    assert mk.metrics.get(spec).name == spec


def test_name_argument_is_the_log_key() -> None:
    assert mk.metrics.AUC(name="area under roc").name == "area under roc"
    assert mk.metrics.Precision(name="prec @ 0.5").name == "prec @ 0.5"
    assert mk.metrics.BinaryAccuracy(name="acc train").name == "acc train"
    assert mk.metrics.RootMeanSquaredError(name="rmse 1").name == "rmse 1"


def test_user_subclass_and_wrapper_names_as_keras() -> None:
    class F1Score(mk.metrics.Metric):
        pass

    assert [F1Score().name, F1Score().name] == ["f1_score", "f1_score_1"]
    assert mk.metrics.MeanMetricWrapper(L.mean_squared_error).name == "mean_metric_wrapper"
    assert mk.metrics.get(L.mean_squared_error).name == "mean_squared_error"


def test_unknown_name_says_did_you_mean() -> None:
    with pytest.raises(ValueError, match="Did you mean 'binary_accuracy'"):
        mk.metrics.get("binary_acuracy")
    with pytest.raises(ValueError, match="Unknown metric 'precison'"):
        mk.metrics.get("precison")


def test_get_resolves_every_form() -> None:
    assert mk.metrics.get(None) is None
    m = mk.metrics.AUC()
    assert mk.metrics.get(m) is m
    assert isinstance(mk.metrics.get(mk.metrics.Recall), mk.metrics.Recall)
    from_dict = mk.metrics.get({"class_name": "AUC", "config": {"curve": "PR"}})
    assert isinstance(from_dict, mk.metrics.AUC) and from_dict.curve == "PR"


@pytest.mark.parametrize("name", L.LOSSES.names())
def test_every_loss_name_is_a_metric_name(name: str) -> None:
    """The metric is the mean of the loss's per-sample values (cosine: Keras's +cos)."""
    mk.config.set_floatx("float64")
    rng = np.random.default_rng(3)
    loss = L.resolve(name)
    if loss.sparse_targets:
        y = rng.integers(0, 3, 12).astype(np.float64)
    else:
        y = (rng.uniform(size=(12, 3)) < 0.5).astype(np.float64)
    p = rng.uniform(0.05, 0.95, (12, 3))
    if isinstance(loss, L.CategoricalCrossentropy | L.SparseCategoricalCrossentropy):
        p /= p.sum(axis=1, keepdims=True)
    metric = mk.metrics.get(name)
    assert metric.name == name
    metric.update_state(y[:5], p[:5])
    metric.update_state(y[5:], p[5:])
    sign = -1.0 if isinstance(loss, L.CosineSimilarity) else 1.0
    assert_close(metric.result(), sign * float(loss(y, p)), "internal64")


# ------------------------------------------------------------------ configs
@pytest.mark.parametrize("spec", GOLDEN["configs"], ids=lambda s: s["class"])
def test_get_config_matches_keras_and_round_trips(spec: dict) -> None:
    mk.config.set_floatx("float64")
    metric = getattr(mk.metrics, spec["class"])(name="m", **spec["kwargs"])
    config = metric.get_config()
    assert config.pop("dtype") == mk.config.floatx()  # Keras: the floatx of its creation
    assert config == spec["config"]
    clone = type(metric).from_config(json.loads(json.dumps(metric.get_config())))
    assert clone.get_config() == metric.get_config()
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    p = np.array([[0.9, 0.2], [0.4, 0.6], [0.7, 0.1], [0.3, 0.8]])
    for m in (metric, clone):
        m.update_state(y, p)
    np.testing.assert_array_equal(np.asarray(clone.result()), np.asarray(metric.result()))


def test_metrics_serialize_and_deserialize() -> None:
    auc = mk.metrics.AUC(curve="PR", thresholds=[0.2, 0.4], name="pr auc")
    again = mk.metrics.deserialize(mk.metrics.serialize(auc))
    assert type(again) is mk.metrics.AUC and again.get_config() == auc.get_config()


# ------------------------------------------------------------------ accuracy resolution
@pytest.mark.parametrize("choice", GOLDEN["accuracy_choices"],
                         ids=lambda c: f"{c['y_shape']}-{c['p_shape']}")
def test_accuracy_resolves_from_shapes_as_keras(choice: dict) -> None:
    for name in ("accuracy", "acc"):
        metric = mk.metrics.resolve_accuracy(name, tuple(choice["y_shape"]),
                                             tuple(choice["p_shape"]))
        assert type(metric).__name__ == choice["class"]
        assert metric.name == name


def test_accuracy_in_compile_resolves_from_shapes() -> None:
    """Through a model: sparse labels with a softmax output give sparse accuracy."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)), rng.integers(0, 4, 16)
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(4, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.evaluate(x, y, verbose=0)
    (metric,) = model.metrics[1:]
    assert type(metric) is mk.metrics.SparseCategoricalAccuracy
    assert metric.name == "accuracy"


# ------------------------------------------------------------------ result type
SCALAR_METRICS = [
    lambda: mk.metrics.BinaryAccuracy(), lambda: mk.metrics.Precision(),
    lambda: mk.metrics.Recall(), lambda: mk.metrics.AUC(), lambda: mk.metrics.AUC(curve="PR"),
    lambda: mk.metrics.TruePositives(), lambda: mk.metrics.FalseNegatives(),
    lambda: mk.metrics.MeanSquaredError(), lambda: mk.metrics.RootMeanSquaredError(),
    lambda: mk.metrics.BinaryCrossentropy(), lambda: mk.metrics.PrecisionAtRecall(0.5),
    lambda: mk.metrics.get("huber"),
]


@pytest.mark.parametrize("make", SCALAR_METRICS)
def test_result_is_a_0d_array_with_numpy(make) -> None:
    metric = make()
    metric.update_state(np.array([[1.0], [0.0], [1.0]]), np.array([[0.8], [0.3], [0.4]]))
    result = metric.result()
    assert result.shape == ()
    assert isinstance(result.numpy(), np.ndarray) and result.numpy().shape == ()
    assert isinstance(float(result), float)


def test_several_thresholds_give_one_value_each() -> None:
    m = mk.metrics.Precision(thresholds=[0.2, 0.5, 0.9])
    m.update_state([1, 0, 1, 1], [0.3, 0.6, 0.95, 0.1])
    assert_close(m.result().numpy(), [2 / 3, 1 / 2, 1.0], "internal64")


# ------------------------------------------------------------------ state
def _state_factories() -> list[tuple[str, Any, str]]:
    return [
        ("BinaryAccuracy", lambda: mk.metrics.BinaryAccuracy(), "binary"),
        ("CategoricalAccuracy", lambda: mk.metrics.CategoricalAccuracy(), "categorical"),
        ("SparseCategoricalAccuracy", lambda: mk.metrics.SparseCategoricalAccuracy(),
         "sparse"),
        ("Precision", lambda: mk.metrics.Precision(thresholds=[0.3, 0.5]), "binary"),
        ("Recall", lambda: mk.metrics.Recall(top_k=2), "multilabel"),
        ("AUC", lambda: mk.metrics.AUC(), "binary"),
        ("AUC-PR", lambda: mk.metrics.AUC(curve="PR"), "binary"),
        ("AUC-multilabel", lambda: mk.metrics.AUC(multi_label=True, num_labels=3),
         "multilabel"),
        ("TruePositives", lambda: mk.metrics.TruePositives(), "binary"),
        ("FalsePositives", lambda: mk.metrics.FalsePositives(), "binary"),
        ("TrueNegatives", lambda: mk.metrics.TrueNegatives(), "binary"),
        ("FalseNegatives", lambda: mk.metrics.FalseNegatives(), "binary"),
        ("RecallAtPrecision", lambda: mk.metrics.RecallAtPrecision(0.6), "binary"),
        ("BinaryCrossentropy", lambda: mk.metrics.BinaryCrossentropy(), "binary"),
        ("CategoricalCrossentropy", lambda: mk.metrics.CategoricalCrossentropy(),
         "categorical"),
        ("SparseCategoricalCrossentropy",
         lambda: mk.metrics.SparseCategoricalCrossentropy(), "sparse"),
        ("MeanSquaredError", lambda: mk.metrics.MeanSquaredError(), "regression"),
        ("MeanAbsoluteError", lambda: mk.metrics.MeanAbsoluteError(), "regression"),
        ("RootMeanSquaredError", lambda: mk.metrics.RootMeanSquaredError(), "regression"),
        ("huber", lambda: mk.metrics.get("huber"), "regression"),
        ("Mean", lambda: mk.metrics.Mean(), "values"),
    ]


def _update(metric: mk.metrics.Metric, y: np.ndarray, p: np.ndarray, w: Any) -> None:
    if isinstance(metric, mk.metrics.Mean) and type(metric) is mk.metrics.Mean:
        metric.update_state(y, sample_weight=w)
    else:
        metric.update_state(y, p, sample_weight=w)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("label,make,data", _state_factories(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_summed_states_of_two_halves_equal_one_metric(label, make, data, weighted) -> None:
    """A data-parallel fit sums state_arrays() across ranks before result()."""
    mk.config.set_floatx("float64")
    y = np.concatenate([np.asarray(b["y"]) for b in DATA[data]])
    p = np.concatenate([np.asarray(b["p"]) for b in DATA[data]])
    w = np.concatenate([np.asarray(b["w"]) for b in DATA[data]]) if weighted else None
    whole, rank0, rank1 = make(), make(), make()
    half = len(y) // 2 + 1
    _update(whole, y, p, w)
    _update(rank0, y[:half], p[:half], None if w is None else w[:half])
    _update(rank1, y[half:], p[half:], None if w is None else w[half:])
    states0, states1 = rank0.state_arrays(), rank1.state_arrays()
    assert states0 and len(states0) == len(states1)
    for a0, a1 in zip(states0, states1):
        assert type(a0) is np.ndarray and a0.dtype == np.float64 and a0.size <= 4 * 200 * 3
        a0 += a1  # what an Allreduce(SUM) does in place
    assert_close(rank0.result(), whole.result(), "internal64")


def test_reset_state_starts_over() -> None:
    y, p, w = next(_batches("binary"))
    for make in (lambda: mk.metrics.AUC(), lambda: mk.metrics.Precision(),
                 lambda: mk.metrics.BinaryAccuracy(), lambda: mk.metrics.AUC(multi_label=True)):
        used, fresh = make(), make()
        used.update_state(y, p, sample_weight=w)
        used.update_state(1 - y, p)
        used.reset_state()
        assert all(not a.any() for a in used.state_arrays())
        used.update_state(y, p)
        fresh.update_state(y, p)
        assert_close(used.result(), fresh.result(), "internal64")


def test_result_does_not_alias_the_state() -> None:
    m = mk.metrics.TruePositives(thresholds=[0.2, 0.8])
    m.update_state([1, 1], [0.5, 0.9])
    first = m.result().numpy().copy()
    m.update_state([1], [0.9])
    np.testing.assert_array_equal(m.result().numpy() - first, [1.0, 1.0])
    assert not np.shares_memory(m.result().numpy(), m.state_arrays()[0])


# ------------------------------------------------------------------ counting, by brute force
def _brute_counts(y, p, w, thresholds):
    pos = (y != 0)[None]
    above = p[None] > thresholds.reshape(-1, *([1] * p.ndim))
    w = np.ones_like(p) if w is None else w
    cells = [pos & above, ~pos & above, ~pos & ~above, pos & ~above]
    return np.stack([(c * w).reshape(len(thresholds), -1).sum(axis=1) for c in cells])


@given(st.integers(1, 40), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
       st.integers(0, 2**31 - 1), st.booleans())
def test_counts_equal_brute_force_comparison(n: int, thresholds: list[float], seed: int,
                                             weighted: bool) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.uniform(size=(n, 2)) < 0.4).astype(np.float64)
    p = rng.uniform(size=(n, 2))
    p[rng.uniform(size=(n, 2)) < 0.2] = rng.choice(thresholds)  # ties with thresholds
    w = rng.choice([0.0, 0.5, 1.0, 2.5], size=(n, 2)) if weighted else None
    thr = np.asarray(thresholds)
    grid = confusion.ThresholdGrid(thr, evenly=False, dtype=np.float64)
    counts = np.zeros((4, len(thr)))
    confusion.add_confusion_counts(counts, y, p, w, grid)
    assert_close(counts, _brute_counts(y, p, w, thr), "internal64")


def test_evenly_spaced_grid_equals_comparison_off_the_grid() -> None:
    """AUC's bucket formula is the plain ``>`` for predictions between thresholds."""
    rng = np.random.default_rng(7)
    y = (rng.uniform(size=(500, 3)) < 0.5).astype(np.float64)
    p = rng.uniform(size=(500, 3))
    auc = mk.metrics.AUC(multi_label=True, dtype="float64")
    auc.update_state(y, p)
    thr = np.asarray(auc.thresholds)
    want = np.stack([_brute_counts(y[:, j], p[:, j], None, thr) for j in range(3)], axis=-1)
    assert_close(auc.state_arrays()[0], want, "internal64")


def test_update_is_vectorized() -> None:
    """A training batch costs a few NumPy calls, not a loop over thresholds."""
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=(32, 1)) < 0.5).astype(np.float32)
    p = rng.uniform(size=(32, 1)).astype(np.float32)
    for metric in (mk.metrics.AUC(), mk.metrics.AUC(num_thresholds=1000),
                   mk.metrics.Precision(), mk.metrics.PrecisionAtRecall(0.5)):
        per_call = min(timeit.repeat(lambda m=metric: m.update_state(y, p), number=50,
                                     repeat=5)) / 50
        assert per_call < 5e-4, f"{metric.name}: {per_call * 1e6:.0f} us per update"
    big = mk.metrics.AUC()
    yb = (rng.uniform(size=(200_000, 1)) < 0.5).astype(np.float32)
    pb = rng.uniform(size=(200_000, 1)).astype(np.float32)
    assert min(timeit.repeat(lambda: big.update_state(yb, pb), number=1, repeat=3)) < 0.5


# ------------------------------------------------------------------ errors (Keras's words)
@pytest.mark.parametrize("make,message", [
    (lambda: mk.metrics.AUC(curve="ROCK"),
     'Invalid AUC curve value: "ROCK". Expected values are ["PR", "ROC", "PRGAIN"]'),
    (lambda: mk.metrics.AUC(summation_method="trapezoid"),
     'Invalid AUC summation method value: "trapezoid".'),
    (lambda: mk.metrics.AUC(num_thresholds=1),
     "Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=1"),
    (lambda: mk.metrics.AUC(num_labels=3),
     "`num_labels` is needed only when `multi_label` is True."),
    (lambda: mk.metrics.Precision(thresholds=[0.5, 1.5]),
     "Threshold values must be in [0, 1]. Received: [1.5]"),
    (lambda: mk.metrics.PrecisionAtRecall(1.2),
     "Argument `recall` must be in the range [0, 1]. Received: recall=1.2"),
    (lambda: mk.metrics.SpecificityAtSensitivity(0.5, num_thresholds=0),
     "Argument `num_thresholds` must be an integer > 0. Received: num_thresholds=0"),
])
def test_bad_arguments_raise_keras_messages(make, message: str) -> None:
    with pytest.raises(ValueError) as err:
        make()
    assert message in str(err.value)


def test_bad_shapes_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="must have rank 2 when `multi_label=True`"):
        mk.metrics.AUC(multi_label=True).update_state(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="AUC was built for 3 labels"):
        mk.metrics.AUC(multi_label=True, num_labels=3).update_state(np.zeros((2, 2)),
                                                                    np.zeros((2, 2)))
    with pytest.raises(ValueError, match="When class_id is provided, y_pred must be a 2D"):
        mk.metrics.Precision(class_id=1).update_state([1, 0], [0.3, 0.8])
    with pytest.raises(ValueError, match="same shape"):
        mk.metrics.Recall().update_state(np.zeros((4, 3)), np.zeros((4, 2)))


def test_auc_from_logits_equals_auc_of_sigmoid() -> None:
    rng = np.random.default_rng(1)
    y = (rng.uniform(size=(64, 1)) < 0.5).astype(np.float64)
    z = rng.normal(size=(64, 1)) * 2
    a, b = mk.metrics.AUC(from_logits=True), mk.metrics.AUC()
    a.update_state(y, z)
    b.update_state(y, 1 / (1 + np.exp(-z)))
    assert_close(a.result(), b.result(), "internal64")


def test_metrics_in_fit_logs() -> None:
    """Names are the history keys; the counts are Keras's on a model's output."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = (x[:, :1] + 0.5 * rng.normal(size=(40, 1)) > 0).astype(np.float64)
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy",
                  metrics=[mk.metrics.AUC(name="roc auc"), mk.metrics.TruePositives(),
                           "binary_crossentropy", "mse", "accuracy"])
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert set(history.history) == {"loss", "roc auc", "true_positives",
                                    "binary_crossentropy", "mse", "accuracy"}
    pred = model.predict(x, verbose=0)
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert logs["true_positives"] == float(((pred > 0.5) & (y == 1)).sum())
    auc = mk.metrics.AUC()
    auc.update_state(y, pred)
    assert_close(logs["roc auc"], auc.result(), "internal64")


def test_sparse_accuracy_counting_path_equals_the_mean_path():
    """Unweighted array batches are counted; the result equals the general path's mean."""
    rng = np.random.default_rng(5)
    fast, general = (mk.metrics.SparseCategoricalAccuracy() for _ in range(2))
    for rows in (7, 1, 30):
        p = rng.random((rows, 4))
        for labels in (rng.integers(0, 4, rows), rng.integers(0, 4, rows).astype(float)):
            fast.update_state(labels, p)
            general.update_state(labels.reshape(-1, 1), p)  # (n, 1): the general path
    assert fast._state[1] == general._state[1] == 76
    assert float(fast.result()) == float(general.result())
    fast.update_state(np.array([1, 2]), np.array([[0.1, 0.9, 0.0], [1.0, 0.0, 0.0]]),
                      sample_weight=np.array([1.0, 3.0]))  # weighted: the general path
    assert fast._state[1] == 80


def test_batch_valued_metrics_are_averaged_over_the_users_batches():
    # Keras averages a metric function that returns one value per batch, and a Loss object
    # used as a metric, over batches: evaluate and validation must not merge batches then.
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(36, 3)), rng.normal(size=(36, 1))

    def batch_mean_abs(y_true, y_pred):
        return mk.ops.mean(mk.ops.abs(y_true - y_pred))

    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1, kernel_initializer="ones")])
    model.compile(loss="mse", metrics=[batch_mean_abs, mk.losses.MeanSquaredError(name="mse_obj"),
                                       "mae"])
    got = model.evaluate(x, y, batch_size=32, return_dict=True, verbose=0)
    err = model.predict(x, verbose=0) - y
    batches = (slice(0, 32), slice(32, 36))
    assert_close(got["batch_mean_abs"], np.mean([np.abs(err[b]).mean() for b in batches]))
    assert_close(got["mse_obj"], np.mean([(err[b] ** 2).mean() for b in batches]))
    assert_close(got["mae"], np.abs(err).mean())  # per sample: any batching gives the same
    assert_close(got["loss"], (err ** 2).mean())
    history = model.fit(x[:8], y[:8], epochs=1, verbose=0, validation_data=(x, y),
                        validation_batch_size=32)
    err = model.predict(x, verbose=0) - y
    assert_close(history.history["val_batch_mean_abs"][0],
                 np.mean([np.abs(err[b]).mean() for b in batches]))


def test_snake_case_class_names_are_metric_names_as_in_keras():
    for name, cls in (("auc", mk.metrics.AUC), ("precision", mk.metrics.Precision),
                      ("recall", mk.metrics.Recall), ("true_positives", mk.metrics.TruePositives),
                      ("false_negatives", mk.metrics.FalseNegatives),
                      ("root_mean_squared_error", mk.metrics.RootMeanSquaredError)):
        metric = mk.metrics.get(name)
        assert type(metric) is cls and metric.name == name
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    y = (x[:, 0] > 0).astype("float32")
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["auc", "precision", "recall"])
    assert list(model.fit(x, y, verbose=0).history) == ["auc", "loss", "precision", "recall"]


def test_r2_score_accumulates_as_keras_and_matches_the_formula():
    rng = np.random.default_rng(0)
    t = rng.normal(size=(20, 3))
    p = t + rng.normal(size=(20, 3)) * 0.5
    per_output = 1 - ((t - p) ** 2).sum(0) / ((t - t.mean(0)) ** 2).sum(0)
    metric = mk.metrics.R2Score(class_aggregation=None)
    metric.update_state(t[:7], p[:7])
    metric.update_state(t[7:], p[7:])
    assert_close(np.asarray(metric.result()), per_output)
    uniform = mk.metrics.get("r2_score")
    uniform.update_state(t, p)
    assert_close(float(uniform.result()), per_output.mean())
    spread = ((t - t.mean(0)) ** 2).sum(0)
    weighted = mk.metrics.R2Score(class_aggregation="variance_weighted_average")
    weighted.update_state(t, p)
    assert_close(float(weighted.result()), (spread * per_output).sum() / spread.sum())
    adjusted = mk.metrics.R2Score(num_regressors=2)
    adjusted.update_state(t, p)
    n = t.size
    assert_close(float(adjusted.result()), 1 - (1 - per_output.mean()) * (n - 1) / (n - 3))
    # sample weights: the weighted sums of squares
    w = rng.uniform(size=20)
    sw = mk.metrics.R2Score(class_aggregation=None)
    sw.update_state(t, p, sample_weight=w)
    mean = (w[:, None] * t).sum(0) / w.sum()
    expected = 1 - (w[:, None] * (t - p) ** 2).sum(0) / (w[:, None] * (t - mean) ** 2).sum(0)
    assert_close(np.asarray(sw.result()), expected)
    with pytest.raises(ValueError, match="class_aggregation"):
        mk.metrics.R2Score(class_aggregation="median")
    with pytest.raises(ValueError, match="2D inputs"):
        mk.metrics.R2Score().update_state(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


def test_f1_and_fbeta_scores_match_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics", reason="scikit-learn (dev extra) is the reference")
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 40)
    t = np.eye(3)[labels]
    p = rng.uniform(size=(40, 3))
    chosen = p.argmax(axis=1)
    for average in (None, "micro", "macro", "weighted"):
        metric = mk.metrics.get("f1_score") if average is None else mk.metrics.F1Score(average)
        metric.update_state(t[:15], p[:15])
        metric.update_state(t[15:], p[15:])
        expected = sk.f1_score(labels, chosen, average=average)
        assert_close(np.asarray(metric.result()), expected, "float32")
    fbeta = mk.metrics.FBetaScore(beta=2.0, average="macro", threshold=0.5)
    fbeta.update_state(t, p)
    assert_close(float(fbeta.result()),
                 sk.fbeta_score(t, (p > 0.5).astype(int), beta=2.0, average="macro"), "float32")
    weights = rng.uniform(size=40)
    weighted = mk.metrics.F1Score(average="macro")
    weighted.update_state(t, p, sample_weight=weights)
    assert_close(float(weighted.result()),
                 sk.f1_score(labels, chosen, average="macro", sample_weight=weights), "float32")
    config = mk.metrics.F1Score(average="micro", threshold=0.3).get_config()
    assert mk.metrics.F1Score.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="beta"):
        mk.metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="2D inputs"):
        mk.metrics.F1Score().update_state(np.ones(3), np.ones(3))


def test_a_per_class_result_is_an_array_in_the_logs_and_history(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 60)]
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy",
                  metrics=[mk.metrics.F1Score(), mk.metrics.F1Score(average="macro", name="f1m")])
    history = model.fit(x, y, epochs=2, verbose=2, validation_split=0.2, callbacks=[
        mk.callbacks.CSVLogger(str(tmp_path / "log.csv")),
        mk.callbacks.EarlyStopping(monitor="val_f1m", mode="max")])
    per_class = np.asarray(history.history["f1_score"])
    assert per_class.shape == (2, 3)
    assert_close(per_class.mean(axis=1), history.history["f1m"])
    line = capsys.readouterr().out.splitlines()[1]
    assert f"f1_score: {per_class[0].mean():.4f}" in line  # the bar shows the mean, as Keras
    loss, f1, f1m = model.evaluate(x, y, verbose=0)
    assert np.asarray(f1).shape == (3,) and isinstance(f1m, float)
    assert (tmp_path / "log.csv").read_text().count("\n") == 3


def test_r2_score_adjusts_each_output_and_warns_where_it_cannot():
    rng = np.random.default_rng(1)
    t = rng.normal(size=(10, 2))
    p = t + rng.normal(size=(10, 2)) * 0.3
    raw = 1 - ((t - p) ** 2).sum(0) / ((t - t.mean(0)) ** 2).sum(0)
    per_output = mk.metrics.R2Score(class_aggregation=None, num_regressors=3)
    per_output.update_state(t, p)
    n = t.size
    assert_close(np.asarray(per_output.result()), 1 - (1 - raw) * (n - 1) / (n - 4))
    for k, message in ((n, "More independent predictors"), (n - 1, "Division by zero")):
        metric = mk.metrics.R2Score(num_regressors=k)
        metric.update_state(t, p)
        with pytest.warns(UserWarning, match=message):
            assert_close(float(metric.result()), raw.mean())
    metric.reset_state()
    metric.update_state(t[:5], p[:5])  # after a reset only the new rows count
    raw5 = 1 - ((t[:5] - p[:5]) ** 2).sum(0) / ((t[:5] - t[:5].mean(0)) ** 2).sum(0)
    with pytest.warns(UserWarning):
        assert_close(float(metric.result()), raw5.mean())


def test_results_are_reported_in_the_models_float_type_as_keras():
    x = np.ones((40, 1), "float32")
    y = (np.arange(40) < 21).astype("float32")  # a constant output gets 21 of 40 right
    model = mk.Sequential([mk.Input((1,)), mk.layers.Dense(1, activation="sigmoid",
                                                           kernel_initializer="ones",
                                                           bias_initializer="zeros")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    _, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy == float(np.float32(0.525)) == 0.5249999761581421  # Keras prints this
    mk.config.set_floatx("float64")
    try:
        wide = mk.Sequential([mk.Input((1,)), mk.layers.Dense(1, activation="sigmoid",
                                                              kernel_initializer="ones")])
        wide.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
        assert wide.evaluate(x, y, verbose=0)[1] == 0.525
    finally:
        mk.config.set_floatx("float32")


def test_metric_variables_are_named_variables_over_the_state():
    accuracy = mk.metrics.BinaryAccuracy()
    accuracy.update_state([1.0, 0.0], [0.9, 0.8])
    total, count = accuracy.variables
    assert (total.name, count.name) == ("total", "count")  # Keras's names for a mean
    assert float(total.numpy()) == 1.0 and float(count.numpy()) == 2.0
    for v in accuracy.variables:  # a reset written the Keras way changes the state itself
        v.assign(np.zeros(v.shape))
    assert float(accuracy.result()) == 0.0

    class Counter(mk.metrics.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = self.add_variable(shape=(), initializer="zeros", name="seen")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.seen.assign_add(len(y_true))

        def result(self):
            return self.seen.numpy()

    counter = Counter()
    counter.update_state([1, 2, 3], [1, 2, 3])
    assert [v.name for v in counter.variables] == ["seen"] and counter.result() == 3
    assert [v.name for v in mk.metrics.AUC().variables] == [
        "true_positives", "false_positives", "true_negatives", "false_negatives"]
    assert [v.name for v in mk.metrics.Precision().variables] == ["true_positives",
                                                                   "false_positives"]
    assert [v.name for v in mk.metrics.Recall().variables] == ["true_positives",
                                                                "false_negatives"]
    positives = mk.metrics.TruePositives()
    positives.update_state([1.0, 1.0], [0.9, 0.9])
    (accumulator,) = positives.variables
    assert accumulator.name == "accumulator" and float(positives.result()) == 2.0
    accumulator.assign([0.0])
    assert float(positives.result()) == 0.0


def test_a_one_element_per_class_result_stays_an_array_as_in_keras():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(30, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy",
                  metrics=[mk.metrics.F1Score(threshold=0.5, name="f1b")])
    history = model.fit(x, y, epochs=1, verbose=0)
    assert np.asarray(history.history["f1b"][0]).shape == (1,)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert np.asarray(logs["f1b"]).shape == (1,)
    assert np.asarray(model.test_on_batch(x, y, return_dict=True)["f1b"]).shape == (1,)


def test_results_are_in_the_metrics_dtype_as_keras_reports_them():
    """Keras: BinaryAccuracy over [1, 0, 0] of 3 is 0.33333334 (float32), not 1/3."""
    m = mk.metrics.BinaryAccuracy()
    m.update_state([1, 1, 0], [0.9, 0.2, 0.7])
    assert m.result().dtype == np.float32 and float(m.result()) == float(np.float32(1 / 3))
    for fn in (mk.metrics.binary_accuracy, mk.metrics.categorical_accuracy):
        assert np.asarray(fn([[0, 1]], [[0.3, 0.7]])).dtype == np.float32
    r2 = mk.metrics.R2Score(dtype="float64")  # a metric's own dtype
    r2.update_state([[1.0], [2.0], [4.0]], [[1.5], [2.0], [3.0]])
    assert r2.result().dtype == np.float64
    f1 = mk.metrics.F1Score()  # per-class arrays too
    f1.update_state([[0, 1], [1, 0]], [[0.2, 0.8], [0.6, 0.4]])
    assert f1.result().dtype == np.float32 and f1.result().shape == (2,)

    class Mine(mk.metrics.Metric):  # a user's result() is left as it is
        def update_state(self, y_true, y_pred, sample_weight=None):
            pass

        def result(self):
            return np.float64(0.1)

    assert np.asarray(Mine().result()).dtype == np.float64


def test_get_metrics_result_and_no_metrics_before_compile():
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1, activation="sigmoid")])
    assert model.metrics == []  # Keras: no trackers before compile
    with pytest.raises(ValueError, match="compile"):
        model.get_metrics_result()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    history = model.fit(x, y, epochs=2, verbose=0)
    assert model.get_metrics_result() == {k: v[-1] for k, v in history.history.items()}
    scores = model.evaluate(x, y, verbose=0, return_dict=True)
    assert model.get_metrics_result() == scores
    assert [m.name for m in model.metrics] == ["loss", "accuracy"]
