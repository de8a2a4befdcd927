"""Record Keras 3's metric numbers for ``tests/test_metrics.py`` (run by hand).

    KERAS_BACKEND=torch /work/venv/bin/python tests/golden/make_golden_metrics.py

Writes ``tests/golden/metrics.json``: the input batches (so the tests never
regenerate them), and for each case the result after every ``update_state``
call, the default names Keras gives, each metric's ``get_config()``, and the
accuracy class that ``"accuracy"`` resolves to for each pair of shapes.

Keras runs in float64. Keras 3.15.1's type promotion maps float64 to float32 on
the torch backend (``BIT64_TO_BIT32_DTYPE`` in ``backend/common/dtypes.py``), so
``ops.divide_no_nan`` -- every ``Mean.result()``, precision, recall and AUC rate --
returns float32 even under ``set_floatx("float64")``. This script turns that
mapping off for float64, so the golden numbers are Keras's formulas in float64,
not float32 roundings of them. Sample weights are multiples of 1/4: Keras's torch
``segment_sum`` (the evenly-spaced-threshold path of AUC and friends) adds in
float32, and such weights keep its sums exact, so the golden numbers are
Keras's float64 formulas and not float32 rounding.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
from keras.src.backend.common import dtypes as _keras_dtypes  # noqa: E402
from keras.src.trainers.compile_utils import get_metric  # noqa: E402

keras.config.set_floatx("float64")
_keras_dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics.json")
SIZES = (9, 6, 11)  # three batches of different sizes
WEIGHTS = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0])


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def make_datasets(rng: np.random.Generator) -> dict[str, list[dict[str, list]]]:
    n = sum(SIZES)
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    # Probabilities with values exactly on the AUC grid (k/199), on 0, 1, 0.5 and on
    # the explicit thresholds used below, so the bucket boundaries are exercised.
    p = rng.uniform(0.0, 1.0, n)
    special = [0.0, 1.0, 0.5, 0.3, 0.8, 3 / 199, 100 / 199, 198 / 199, 0.25, 0.75, 1 / 49]
    where = rng.choice(n, size=len(special), replace=False)
    p[where] = special
    y = (rng.uniform(size=n) < 0.3 + 0.4 * p).astype(np.float64)
    data["binary"] = (y[:, None], p[:, None])
    data["binary_1d"] = (y.copy(), rng.uniform(0.0, 1.0, n))
    # The same predictions rounded to float32: 0.3 becomes 0.30000001192..., above the
    # threshold 0.3 in float64 but equal to it in float32.
    data["binary_f32"] = (y[:, None], p[:, None].astype(np.float32).astype(np.float64))

    y_ml = (rng.uniform(size=(n, 3)) < 0.5).astype(np.float64)
    p_ml = np.clip(0.35 * y_ml + rng.uniform(0.0, 0.65, (n, 3)), 0.0, 1.0)
    p_ml[rng.choice(n, 4, replace=False), 1] = [0.5, 0.0, 1.0, 50 / 199]
    data["multilabel"] = (y_ml, p_ml)

    labels = rng.integers(0, 4, n)
    probs = _softmax(rng.normal(size=(n, 4)) * 1.5 + 1.2 * np.eye(4)[labels])
    data["categorical"] = (np.eye(4)[labels], probs)
    data["sparse"] = (labels.astype(np.float64), probs)
    data["sparse_col"] = (labels[:, None].astype(np.float64), probs)

    data["logits"] = (y[:, None], rng.normal(size=(n, 1)) * 3.0)
    data["cat_logits"] = (np.eye(4)[labels], rng.normal(size=(n, 4)) * 2.0)
    data["sparse_logits"] = (labels.astype(np.float64), rng.normal(size=(n, 4)) * 2.0)

    data["regression"] = (rng.normal(size=(n, 2)) * 2.0, rng.normal(size=(n, 2)) * 2.0)
    data["distribution"] = (_softmax(rng.normal(size=(n, 3))), _softmax(rng.normal(size=(n, 3))))
    data["values"] = (rng.normal(size=(n,)) * 3.0, np.zeros(n))  # Mean: y holds the values

    w = rng.choice(WEIGHTS, n)
    w[:2] = [1.0, 0.0]

    out: dict[str, list[dict[str, list]]] = {}
    for key, (yy, pp) in data.items():
        batches, start = [], 0
        for size in SIZES:
            sl = slice(start, start + size)
            batches.append({"y": yy[sl].tolist(), "p": pp[sl].tolist(), "w": w[sl].tolist()})
            start += size
        out[key] = batches
    return out


# ---------------------------------------------------------------- the cases
def C(cls: str, data: str, **kwargs) -> dict:
    return {"kind": "class", "name": cls, "kwargs": kwargs, "data": data}


def S(name: str, data: str) -> dict:
    return {"kind": "string", "name": name, "kwargs": {}, "data": data}


CASES: list[dict] = [
    # accuracy
    C("BinaryAccuracy", "binary"),
    C("BinaryAccuracy", "binary_1d", threshold=0.7),
    C("BinaryAccuracy", "multilabel"),
    C("CategoricalAccuracy", "categorical"),
    C("SparseCategoricalAccuracy", "sparse"),
    C("SparseCategoricalAccuracy", "sparse_col"),
    S("accuracy", "binary"), S("acc", "sparse"), S("accuracy", "sparse_col"),
    S("accuracy", "categorical"), S("binary_accuracy", "binary"),
    S("categorical_accuracy", "categorical"), S("sparse_categorical_accuracy", "sparse"),
    # confusion counts
    *[C(cls, data, **kw)
      for cls in ("TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives")
      for data, kw in (("binary", {}), ("binary", {"thresholds": [0.3, 0.5, 0.8]}),
                       ("binary", {"thresholds": [0.0, 0.5, 1.0]}),
                       ("multilabel", {"thresholds": 0.4}), ("binary_1d", {}))],
    # precision / recall
    *[C(cls, data, **kw)
      for cls in ("Precision", "Recall")
      for data, kw in (("binary", {}), ("binary_1d", {}),
                       ("binary", {"thresholds": [0.3, 0.5, 0.8]}),
                       ("binary", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}),
                       ("multilabel", {}), ("multilabel", {"top_k": 2}),
                       ("multilabel", {"class_id": 1}),
                       ("multilabel", {"top_k": 1, "class_id": 2}),
                       ("multilabel", {"thresholds": [0.2, 0.6], "class_id": 0}),
                       ("categorical", {"top_k": 1}))],
    # AUC
    C("AUC", "binary"),
    C("AUC", "binary", curve="PR"),
    C("AUC", "binary", summation_method="minoring"),
    C("AUC", "binary", summation_method="majoring"),
    C("AUC", "binary", curve="PR", summation_method="minoring"),
    C("AUC", "binary", curve="PR", summation_method="majoring"),
    C("AUC", "binary", curve="PRGAIN"),
    C("AUC", "binary", curve="prgain", summation_method="Majoring"),
    C("AUC", "multilabel", multi_label=True, curve="PRGAIN", summation_method="minoring"),
    C("AUC", "binary", num_thresholds=50),
    C("AUC", "binary", num_thresholds=3, curve="PR"),
    C("AUC", "binary", thresholds=[0.1, 0.35, 0.6, 0.9]),
    C("AUC", "binary", thresholds=[0.9, 0.1, 0.35, 0.6], curve="PR"),
    C("AUC", "binary", thresholds=[0.25, 0.5, 0.75]),
    C("AUC", "binary_1d"),
    C("AUC", "binary_1d", curve="PR"),
    C("AUC", "multilabel"),
    C("AUC", "multilabel", multi_label=True),
    C("AUC", "multilabel", multi_label=True, curve="PR"),
    C("AUC", "multilabel", multi_label=True, num_labels=3, summation_method="majoring"),
    C("AUC", "multilabel", multi_label=True, label_weights=[0.5, 1.0, 2.0]),
    C("AUC", "multilabel", multi_label=True, curve="PR", label_weights=[1.0, 0.0, 3.0]),
    C("AUC", "multilabel", label_weights=[0.5, 1.0, 2.0]),
    C("AUC", "logits", from_logits=True),
    C("AUC", "logits", from_logits=True, curve="PR"),
    # at-constraint metrics
    C("PrecisionAtRecall", "binary", recall=0.5),
    C("PrecisionAtRecall", "binary", recall=0.8, num_thresholds=20),
    C("PrecisionAtRecall", "multilabel", recall=0.6, class_id=1),
    C("RecallAtPrecision", "binary", precision=0.6),
    C("RecallAtPrecision", "binary_1d", precision=0.4, num_thresholds=1),
    C("SensitivityAtSpecificity", "binary", specificity=0.7),
    C("SensitivityAtSpecificity", "multilabel", specificity=0.5, class_id=2),
    C("SpecificityAtSensitivity", "binary", sensitivity=0.6),
    C("SpecificityAtSensitivity", "binary", sensitivity=0.9, num_thresholds=7),
    # probabilistic and regression
    C("BinaryCrossentropy", "binary"),
    C("BinaryCrossentropy", "logits", from_logits=True, label_smoothing=0.1),
    C("CategoricalCrossentropy", "categorical"),
    C("CategoricalCrossentropy", "cat_logits", from_logits=True, label_smoothing=0.2),
    C("SparseCategoricalCrossentropy", "sparse"),
    C("SparseCategoricalCrossentropy", "sparse_col"),
    C("SparseCategoricalCrossentropy", "sparse_logits", from_logits=True),
    C("MeanSquaredError", "regression"),
    C("MeanAbsoluteError", "regression"),
    C("RootMeanSquaredError", "regression"),
    C("Mean", "values"),
    # loss names as metric strings (Keras 3 rejects the last four: MeanMetricWrapper)
    S("binary_crossentropy", "binary"), S("mse", "regression"), S("mae", "regression"),
    S("categorical_crossentropy", "categorical"),
    S("sparse_categorical_crossentropy", "sparse"),
    S("huber", "regression"), S("log_cosh", "regression"), S("kld", "distribution"),
    S("binary_focal_crossentropy", "binary"),
]

# Metric strings Keras 3 rejects: the Keras loss function they name.
WRAPPED = {
    "huber": "huber",
    "log_cosh": "log_cosh",
    "kld": "kl_divergence",
    "binary_focal_crossentropy": "binary_focal_crossentropy",
}


def keras_metric(case: dict, y: np.ndarray, p: np.ndarray) -> keras.metrics.Metric:
    if case["kind"] == "class":
        return getattr(keras.metrics, case["name"])(**case["kwargs"])
    name = case["name"]
    if name in WRAPPED:
        fn = getattr(keras.losses, WRAPPED[name])
        return keras.metrics.MeanMetricWrapper(fn, name=name)
    return get_metric(name, y, p)


# Run again with floatx float32: Keras compares predictions and thresholds in the
# metric's dtype, so a prediction of 0.3 lies on the threshold 0.3 in float32
# (both round alike) but above it in float64.
FLOAT32_CASES: list[dict] = [
    C("AUC", "binary_f32"),
    C("AUC", "binary_f32", curve="PR"),
    C("Precision", "binary_f32", thresholds=[0.3, 0.8]),
    C("TruePositives", "binary_f32", thresholds=[0.3, 0.5, 0.8]),
    C("Recall", "binary_f32", thresholds=[0.0, 0.25, 0.5, 0.75, 1.0]),
    C("SensitivityAtSpecificity", "binary_f32", specificity=0.7),
]
CASES += FLOAT32_CASES  # and in float64, where the counts differ


def run_case(case: dict, batches: list[dict], weighted: bool) -> dict:
    keras.backend.clear_session()
    y0, p0 = np.asarray(batches[0]["y"]), np.asarray(batches[0]["p"])
    m = keras_metric(case, y0, p0)
    results = []
    for b in batches:
        y, p, w = np.asarray(b["y"]), np.asarray(b["p"]), np.asarray(b["w"])
        sw = w if weighted else None
        if case["name"] == "Mean":
            m.update_state(y, sample_weight=sw)
        else:
            m.update_state(y, p, sample_weight=sw)
        results.append(np.asarray(m.result()).tolist())
    return {**case, "weighted": weighted, "results": results, "keras_class": type(m).__name__,
            "log_name": m.name}


def names_sequence() -> list[list[str]]:
    """Default names in one session, then after clear_session()."""
    keras.backend.clear_session()
    first = [keras.metrics.TruePositives(), keras.metrics.TruePositives(),
             keras.metrics.FalsePositives(), keras.metrics.TrueNegatives(),
             keras.metrics.FalseNegatives(), keras.metrics.Precision(),
             keras.metrics.Precision(), keras.metrics.Recall(), keras.metrics.AUC(),
             keras.metrics.AUC(curve="PR"), keras.metrics.AUC(name="my auc"),
             keras.metrics.AUC(), keras.metrics.BinaryAccuracy(),
             keras.metrics.BinaryAccuracy(), keras.metrics.CategoricalAccuracy(),
             keras.metrics.SparseCategoricalAccuracy(), keras.metrics.MeanSquaredError(),
             keras.metrics.MeanAbsoluteError(), keras.metrics.RootMeanSquaredError(),
             keras.metrics.BinaryCrossentropy(), keras.metrics.CategoricalCrossentropy(),
             keras.metrics.SparseCategoricalCrossentropy(), keras.metrics.Mean(),
             keras.metrics.Mean(), keras.metrics.PrecisionAtRecall(0.5),
             keras.metrics.PrecisionAtRecall(0.5), keras.metrics.RecallAtPrecision(0.5),
             keras.metrics.SensitivityAtSpecificity(0.5),
             keras.metrics.SpecificityAtSensitivity(0.5)]
    keras.backend.clear_session()
    second = [keras.metrics.AUC(), keras.metrics.TruePositives(), keras.metrics.Precision()]
    return [[type(m).__name__ for m in first], [m.name for m in first],
            [type(m).__name__ for m in second], [m.name for m in second]]


def configs() -> list[dict]:
    """get_config() of the confusion metrics (dtype dropped: ours is a float64 state)."""
    specs = [("TruePositives", {}), ("FalseNegatives", {"thresholds": [0.2, 0.7]}),
             ("Precision", {"thresholds": 0.3, "top_k": 2, "class_id": 1}),
             ("Recall", {}), ("AUC", {}), ("AUC", {"curve": "PR", "num_thresholds": 20}),
             ("AUC", {"thresholds": [0.2, 0.5], "summation_method": "minoring",
                      "multi_label": True, "num_labels": 2, "from_logits": True}),
             ("PrecisionAtRecall", {"recall": 0.4}),
             ("RecallAtPrecision", {"precision": 0.3, "num_thresholds": 10, "class_id": 0}),
             ("SensitivityAtSpecificity", {"specificity": 0.5}),
             ("SpecificityAtSensitivity", {"sensitivity": 0.5})]
    out = []
    keras.backend.clear_session()
    for name, kw in specs:
        cfg = getattr(keras.metrics, name)(name="m", **kw).get_config()
        cfg.pop("dtype")
        if cfg.get("thresholds") is not None and not isinstance(cfg["thresholds"], float):
            cfg["thresholds"] = [float(t) for t in np.atleast_1d(cfg["thresholds"])]
        out.append({"class": name, "kwargs": kw, "config": cfg})
    return out


def accuracy_choices() -> list[dict]:
    """Which accuracy class ``"accuracy"`` becomes for (y_true, y_pred) shapes."""
    shapes = [((8, 1), (8, 1)), ((8,), (8, 1)), ((8,), (8, 4)), ((8, 1), (8, 4)),
              ((8, 4), (8, 4)), ((8, 3, 1), (8, 3, 5)), ((8, 3), (8, 3, 5)),
              ((8, 3, 5), (8, 3, 5)), ((8, 2), (8, 1))]
    out = []
    for ys, ps in shapes:
        m = get_metric("accuracy", np.zeros(ys), np.zeros(ps))
        out.append({"y_shape": list(ys), "p_shape": list(ps), "class": type(m).__name__})
    return out


def main() -> None:
    rng = np.random.default_rng(20240611)
    datasets = make_datasets(rng)
    cases = [run_case(case, datasets[case["data"]], weighted)
             for case in CASES for weighted in (False, True)]
    keras.config.set_floatx("float32")
    float32_cases = [run_case(case, datasets[case["data"]], weighted)
                     for case in FLOAT32_CASES for weighted in (False, True)]
    keras.config.set_floatx("float64")
    golden = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "datasets": datasets,
        "cases": cases,
        "float32_cases": float32_cases,
        "names": names_sequence(),
        "configs": configs(),
        "accuracy_choices": accuracy_choices(),
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
