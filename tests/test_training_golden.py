"""Training against Keras 3: the same cases, the same numbers.

``tests/golden/make_golden_training.py`` ran each case in Keras 3 (torch backend,
float64 unless the case says float32) and stored the data, the initial weights
and the results in ``tests/golden/training.json``. Here the same runner drives
minikeras, and every per-epoch loss and metric, the final weights, ``evaluate``
and ``predict`` must agree to the ``keras64`` (or ``float32``) tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest

import minikeras as mk
from tests.golden.make_golden_training import load, run_case
from tests.helpers.tolerances import assert_close

GOLDEN = load()
CASES = GOLDEN["cases"]


def _kind(case: dict) -> str:
    return "float32" if case.get("floatx") == "float32" else "keras64"


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    """Run every case once in minikeras (shared by the tests below)."""
    out = {}
    for name, golden in CASES.items():
        case = golden["case"]
        out[name] = run_case(mk, case, GOLDEN["data"][case["data"]], golden["initial_weights"])
    mk.config.set_floatx("float32")
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_history_matches_keras(results, name):
    golden, ours = CASES[name], results[name]
    kind = _kind(golden["case"])
    assert ours["history_keys"] == golden["history_keys"], "history keys or their order"
    for key in golden["history_keys"]:
        assert_close(ours["history"][key], golden["history"][key], kind,
                     err_msg=f"{name}: history[{key!r}]")
    assert ours["epoch"] == golden["epoch"]
    assert ours["params"] == golden["params"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_final_weights_match_keras(results, name):
    golden, ours = CASES[name], results[name]
    assert ours["weight_shapes"] == golden["weight_shapes"]
    # Keras's Normalization count is int32 on torch; ours may be any integer type.
    assert [d[:3] for d in ours["weight_dtypes"]] == [d[:3] for d in golden["weight_dtypes"]]
    floats = {d for d in golden["weight_dtypes"] if d.startswith("float")}
    assert {d for d in ours["weight_dtypes"] if d.startswith("float")} == floats
    for i, (a, e) in enumerate(zip(ours["final_weights"], golden["final_weights"])):
        assert_close(a, e, _kind(golden["case"]), err_msg=f"{name}: weight {i}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_evaluate_and_predict_match_keras(results, name):
    golden, ours = CASES[name], results[name]
    kind = _kind(golden["case"])
    for which in ("evaluate", "evaluate_sample_weight"):
        assert list(ours[which]) == list(golden[which]), f"{which} keys"
        for key, value in golden[which].items():
            assert_close(ours[which][key], value, kind, err_msg=f"{name}: {which}[{key!r}]")
    # evaluate() without return_dict: one value per log key in metrics_names order.
    # Keras 3 repeats a value when a weighted metric shares a name (we do not,
    # API.md), so the expected list comes from Keras's dict in our key order.
    names = ours["metrics_names"]
    assert names[0] == "loss" and sorted(names) == sorted(golden["evaluate"])
    plain = golden["evaluate_plain"]
    if isinstance(plain, float):
        assert isinstance(ours["evaluate_plain"], float) and names == ["loss"]
        assert_close(ours["evaluate_plain"], plain, kind, err_msg=f"{name}: evaluate()")
    else:
        assert isinstance(ours["evaluate_plain"], list)
        expected = [golden["evaluate"][n] for n in names]
        assert_close(ours["evaluate_plain"], expected, kind, err_msg=f"{name}: evaluate()")
        if len(plain) == len(names):  # no repeated values: Keras's list itself
            assert_close(ours["evaluate_plain"], plain, kind, err_msg=f"{name}: evaluate()")
    assert_close(ours["predict"], golden["predict"], kind, err_msg=f"{name}: predict")


def test_adapted_normalization_matches_keras(results):
    golden, ours = CASES["normalization_adapted"], results["normalization_adapted"]
    assert len(golden["adapted"]) == 1
    (ours_w,), (keras_w,) = ours["adapted"], golden["adapted"]
    assert [np.shape(w) for w in ours_w] == [np.shape(w) for w in keras_w]
    for a, e in zip(ours_w, keras_w):
        assert_close(a, e, "keras64")


def test_golden_covers_the_acceptance_cases():
    """The recorded cases keep covering what issue 4's acceptance names."""
    cases = [g["case"] for g in CASES.values()]

    def some(pred) -> bool:
        return any(pred(c) for c in cases)

    opt = lambda c: c["optimizer"][0] if isinstance(c["optimizer"], list) else c["optimizer"]  # noqa: E731
    assert some(lambda c: opt(c) == "SGD" and not c["optimizer"][1].get("momentum"))
    assert some(lambda c: opt(c) == "SGD" and c["optimizer"][1].get("momentum"))
    assert some(lambda c: opt(c) == "Adam")
    assert some(lambda c: c.get("validation_split")) and some(lambda c: c.get("validation_data"))
    assert some(lambda c: c.get("sample_weight")) and some(lambda c: c.get("class_weight"))
    losses = {c["loss"] if isinstance(c["loss"], str) else c["loss"][0] for c in cases}
    assert {"BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
            "MeanSquaredError"} <= losses
    layers = {spec[0] for c in cases for spec in c["layers"]}
    assert {"BatchNormalization", "Normalization"} <= layers
    assert some(lambda c: any(s[1].get("trainable") is False for s in c["layers"]))
    assert some(lambda c: any("activity_regularizer" in s[1] for s in c["layers"]))
    assert some(lambda c: c.get("floatx") == "float32")
    assert GOLDEN["keras_version"].startswith("3.")
