"""Record Keras 3's numbers for the core tests (activations, losses, regularizers...).

Run by hand, with the ``bench`` extra installed, from the repository root::

    KERAS_BACKEND=torch python tests/golden/make_golden.py [--core-only]

It writes ``tests/golden/core_*.json`` (inputs next to Keras's outputs, in
float64 and float32), then runs every sibling ``tests/golden/make_golden_*.py``
that other parts of the suite keep. The tests read the JSON and never import
Keras. Python's ``json`` writes non-finite numbers as ``Infinity``/``NaN`` and
reads them back. ``--core-only`` skips the sibling scripts.

Two facts of Keras 3.15 on torch that the numbers carry (the tests allow for them):
a *reduced* loss is rounded to float32 even under ``set_floatx("float64")``
(``ops.divide_no_nan`` returns float32), a relative 6e-8, inside the float64
tolerance; and torch's truncated normal keeps the first of four draws inside
two standard deviations, so about one value in 200 000 lies outside them. The
initializer tests therefore compare our draws with Keras's formulas and Keras's
sample statistics, not its extremes. Cases Keras refuses are recorded with
``"error"``; a scalar sample weight for the sparse cross-entropy is not recorded
(torch fails on it in place; minikeras takes it like every other loss).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
DTYPES = ("float64", "float32")
REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight")


def _keras() -> Any:
    if os.environ.get("KERAS_BACKEND") != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (the backend the golden numbers come from).")
    import keras

    return keras


def _np(value: Any) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(value))


def _list(a: Any) -> Any:
    a = np.asarray(a)
    if a.dtype.kind in "iub":
        return a.tolist()
    return a.astype(np.float64).tolist()


def _write(name: str, payload: dict[str, Any]) -> None:
    path = HERE / name
    path.write_text(json.dumps(payload, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(HERE.parent.parent)} ({path.stat().st_size // 1024} KiB)")


# ------------------------------------------------------------------------------ activations
GRID = [-1e4, -100.0, -30.0, -20.0, -10.0, -6.0, -5.0, -3.5, -3.0, -2.5, -1.5, -1.0, -0.75,
        -0.5, -0.25, -0.1, -1e-3, -1e-8, 0.0, 1e-8, 1e-3, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5,
        2.5, 3.0, 3.5, 5.0, 6.0, 7.0, 10.0, 20.0, 30.0, 100.0, 1e4]

# Every activation minikeras registers, with the function arguments Keras takes.
ACTIVATION_KWARGS: dict[str, list[dict[str, Any]]] = {
    "relu": [{}, {"negative_slope": 0.1}, {"max_value": 6.0}, {"max_value": 2.5},
             {"threshold": 1.0}, {"threshold": -1.0},
             {"negative_slope": 0.1, "max_value": 4.0, "threshold": 0.5},
             {"negative_slope": 0.3, "threshold": -0.5, "max_value": 3.0}],
    "leaky_relu": [{}, {"negative_slope": 0.5}, {"negative_slope": 0.01}],
    "elu": [{}, {"alpha": 0.5}, {"alpha": 2.0}],
    "celu": [{}, {"alpha": 2.0}],
    "gelu": [{}, {"approximate": True}, {"approximate": False}],
    "softmax": [{}, {"axis": 0}],
    "log_softmax": [{}, {"axis": 0}],
    "squareplus": [{}, {"b": 2.0}],
    "soft_shrink": [{}, {"threshold": 1.0}],
    "hard_shrink": [{}, {"threshold": 1.0}],
}


def record_activations(keras: Any) -> dict[str, Any]:
    import minikeras as mk  # only for the list of names: every registered one is recorded

    rng = np.random.default_rng(20240601)
    mat = rng.normal(scale=3.0, size=(4, 5))
    cube = rng.normal(scale=2.0, size=(2, 3, 4))
    rows = np.array([[1.0, 2.0, 3.0], [-100.0, 0.0, 100.0], [1e4, -1e4, 0.0],
                     [0.0, 0.0, 0.0], [-1000.0, -1000.0, -1000.0], [30.0, 29.0, -5.0]])
    inputs = {"grid": np.array(GRID), "mat": mat, "cube": cube, "rows": rows}
    cases = []
    for name in mk.activations.ACTIVATIONS.names():
        fn = keras.activations.get(name)
        for kwargs in ACTIVATION_KWARGS.get(name, [{}]):
            for dtype in DTYPES:
                keras.config.set_floatx(dtype)
                for input_name, x in inputs.items():
                    if input_name == "cube" and name not in ("softmax", "log_softmax"):
                        continue
                    x = x.astype(dtype)
                    y = _np(fn(keras.ops.convert_to_tensor(x, dtype=dtype), **kwargs))
                    cases.append({"name": name, "kwargs": kwargs, "dtype": dtype,
                                  "input": input_name, "y": _list(y)})
            # the 3-D input along a middle axis
            if name in ("softmax", "log_softmax"):
                keras.config.set_floatx("float64")
                y = _np(fn(keras.ops.convert_to_tensor(cube), axis=1))
                cases.append({"name": name, "kwargs": {"axis": 1}, "dtype": "float64",
                              "input": "cube", "y": _list(y)})
    keras.config.set_floatx("float64")
    return {"inputs": {k: _list(v) for k, v in inputs.items()}, "cases": cases}


# ------------------------------------------------------------------------------ losses
def _loss_data(rng: np.random.Generator) -> dict[str, dict[str, Any]]:
    """Per loss class: named (y_true, y_pred) pairs, extremes included."""
    n = 5
    reg_t = rng.normal(size=(n, 3))
    reg_p = rng.normal(size=(n, 3))
    pos_t = rng.uniform(0.0, 3.0, size=(n, 3))
    pos_p = rng.uniform(0.0, 3.0, size=(n, 3))
    bin_t = rng.integers(0, 2, size=(n, 3)).astype(float)
    probs = rng.uniform(0.05, 0.95, size=(n, 3))
    logits = rng.normal(scale=2.0, size=(n, 3))
    onehot = np.eye(3)[rng.integers(0, 3, size=n)]
    soft_t = rng.dirichlet(np.ones(3), size=n)
    p_rows = rng.dirichlet(np.ones(3), size=n)
    labels = np.argmax(onehot, axis=1)
    ext_p = np.array([[0.0, 1.0, 1e-9], [1.0, 0.0, 1.0 - 1e-9], [1e-7, 1.0 - 1e-7, 0.5],
                      [1e-9, 1e-9, 1e-9], [0.3, 0.0, 0.7]])
    ext_t = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 1.0],
                      [0.0, 1.0, 0.0]])
    ext_z = np.array([[100.0, -100.0, 0.0], [-100.0, 100.0, 30.0], [1e4, -1e4, 0.5],
                      [-30.0, 20.0, -20.0], [0.0, 0.0, 0.0]])
    cce_ext_p = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1e-9, 1.0 - 1e-9, 0.0],
                          [2.0, 1.0, 1.0], [1e-9, 1e-9, 1e-9]])
    cce_ext_t = np.eye(3)[[1, 1, 0, 2, 0]]
    binary_cols = {
        "probs": (bin_t, probs), "soft_targets": (soft_t, probs), "extreme": (ext_t, ext_p),
        "col_n1": (bin_t[:, :1], probs[:, :1]), "t_n_p_n1": (bin_t[:, 0], probs[:, :1]),
        "t_n1_p_n": (bin_t[:, :1], probs[:, 0]), "t_n_p_n": (bin_t[:, 0], probs[:, 0]),
    }
    binary_logits = {"logits": (bin_t, logits), "extreme_logits": (ext_t, ext_z),
                     "col_n1_logits": (bin_t[:, :1], logits[:, :1])}
    regression = {"normal": (reg_t, reg_p), "t_n_p_n1": (reg_t[:, 0], reg_p[:, :1]),
                  "t_n1_p_n": (reg_t[:, :1], reg_p[:, 0]), "t_n_p_n": (reg_t[:, 0], reg_p[:, 0]),
                  "rank3": (rng.normal(size=(n, 2, 3)), rng.normal(size=(n, 2, 3)))}
    return {
        "MeanSquaredError": {"data": regression},
        "MeanAbsoluteError": {"data": regression},
        "MeanAbsolutePercentageError": {"data": {
            **regression, "zeros_in_true": (np.where(bin_t > 0, reg_t, 0.0), reg_p)}},
        "MeanSquaredLogarithmicError": {"data": {
            "positive": (pos_t, pos_p), "negative": (reg_t, reg_p),
            "t_n_p_n1": (pos_t[:, 0], pos_p[:, :1])}},
        "Huber": {"data": {"normal": (reg_t, 2.0 * reg_p), "t_n_p_n1": (reg_t[:, 0], reg_p[:, :1])},
                  "configs": [{}, {"delta": 0.5}, {"delta": 2.0}]},
        "LogCosh": {"data": {"normal": (reg_t, 2.0 * reg_p), "large": (reg_t, 100.0 * reg_p),
                             "t_n_p_n1": (reg_t[:, 0], reg_p[:, :1])}},
        "CosineSimilarity": {"data": {"normal": (reg_t, reg_p),
                                      "zero_row": (np.vstack([reg_t[:4], np.zeros(3)]), reg_p)},
                             "configs": [{}]},
        "Hinge": {"data": {"binary01": (bin_t, reg_p), "pm1": (2.0 * bin_t - 1.0, reg_p),
                           "t_n_p_n1": (bin_t[:, 0], reg_p[:, :1])}},
        "SquaredHinge": {"data": {"binary01": (bin_t, reg_p), "pm1": (2.0 * bin_t - 1.0, reg_p)}},
        "CategoricalHinge": {"data": {"onehot": (onehot, reg_p), "pm1": (2.0 * onehot - 1, reg_p)}},
        "KLDivergence": {"data": {"rows": (soft_t, p_rows), "zeros": (onehot, cce_ext_p / 2.0)}},
        "Poisson": {"data": {"positive": (pos_t, pos_p), "zero_pred": (pos_t, pos_p * bin_t)}},
        "BinaryCrossentropy": {
            "data": binary_cols,
            "logit_data": binary_logits,
            "configs": [{}, {"label_smoothing": 0.1}, {"label_smoothing": 1.0}],
            "logit_configs": [{"from_logits": True},
                              {"from_logits": True, "label_smoothing": 0.2}]},
        "BinaryFocalCrossentropy": {
            "data": {k: binary_cols[k] for k in ("probs", "extreme", "col_n1", "t_n_p_n1")},
            "logit_data": {k: binary_logits[k] for k in ("logits", "extreme_logits")},
            "configs": [{}, {"gamma": 0.0}, {"gamma": 3.0, "label_smoothing": 0.1},
                        {"apply_class_balancing": True, "alpha": 0.4}],
            "logit_configs": [{"from_logits": True},
                              {"from_logits": True, "apply_class_balancing": True}]},
        "CategoricalCrossentropy": {
            "data": {"onehot": (onehot, p_rows), "soft": (soft_t, p_rows),
                     "unnormalised": (onehot, 3.0 * probs), "extreme": (cce_ext_t, cce_ext_p)},
            "logit_data": {"logits": (onehot, logits), "extreme_logits": (cce_ext_t, ext_z)},
            "configs": [{}, {"label_smoothing": 0.1}, {"label_smoothing": 1.0}],
            "logit_configs": [{"from_logits": True},
                              {"from_logits": True, "label_smoothing": 0.2}]},
        "CategoricalFocalCrossentropy": {
            "data": {"onehot": (onehot, p_rows), "soft": (soft_t, p_rows),
                     "unnormalised": (onehot, 3.0 * probs), "extreme": (cce_ext_t, cce_ext_p)},
            "logit_data": {"logits": (onehot, logits), "extreme_logits": (cce_ext_t, ext_z)},
            "configs": [{}, {"gamma": 0.0}, {"alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.1}],
            "logit_configs": [{"from_logits": True},
                              {"from_logits": True, "label_smoothing": 0.2}]},
        "SparseCategoricalCrossentropy": {
            "data": {"labels_n": (labels, p_rows), "labels_n1": (labels[:, None], p_rows),
                     "unnormalised": (labels, 3.0 * probs),
                     "extreme": (np.array([1, 1, 0, 2, 0]), cce_ext_p)},
            "logit_data": {"logits": (labels, logits),
                           "extreme_logits": (np.array([1, 1, 0, 2, 0]), ext_z)},
            "configs": [{}, {"ignore_class": 2}],
            "logit_configs": [{"from_logits": True}, {"from_logits": True, "ignore_class": 0}]},
    }


def _sample_weights(n: int) -> dict[str, Any]:
    return {"none": None, "vector": np.array([1.0, 0.0, 2.0, 0.5, 3.0])[:n],
            "column": np.array([[0.5], [1.5], [0.0], [2.0], [1.0]])[:n], "scalar": 2.5}


def record_losses(keras: Any) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    spec = _loss_data(rng)
    table: dict[str, dict[str, Any]] = {}
    cases: list[dict[str, Any]] = []
    for cls_name, s in spec.items():
        groups = [(s["data"], s.get("configs", [{}]))]
        if "logit_data" in s:
            groups.append((s["logit_data"], s["logit_configs"]))
        for data, configs in groups:
            for data_name, (y_true, y_pred) in data.items():
                key = f"{cls_name}/{data_name}"
                table[key] = {"y_true": _list(y_true), "y_pred": _list(y_pred)}
                for config in configs:
                    first = data_name == next(iter(data))
                    # Every reduction and sample weight on the first data set of each
                    # config; the default reduction and a vector weight on the others.
                    reductions = REDUCTIONS if first else ("sum_over_batch_size",)
                    weights = _sample_weights(len(y_true))
                    if not first:
                        weights = {k: weights[k] for k in ("none", "vector")}
                    if cls_name == "SparseCategoricalCrossentropy":
                        # Keras's torch backend fails on a scalar weight here (an in-place
                        # broadcast); minikeras takes it as every other loss does.
                        weights.pop("scalar", None)
                    for reduction in reductions:
                        for sw_name, sw in weights.items():
                            for dtype in DTYPES:
                                cases.append(_loss_case(keras, cls_name, config, reduction,
                                                        key, y_true, y_pred, sw_name, sw, dtype))
    # reduction=None behaves as "none"
    y_true, y_pred = spec["MeanSquaredError"]["data"]["normal"]
    cases.append(_loss_case(keras, "MeanSquaredError", {}, None, "MeanSquaredError/normal",
                            y_true, y_pred, "vector", _sample_weights(5)["vector"], "float64"))
    functions = []
    for fn_name, cls_name, kwargs_list in [
        ("mean_squared_error", "MeanSquaredError", [{}]),
        ("mean_absolute_error", "MeanAbsoluteError", [{}]),
        ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", [{}]),
        ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", [{}]),
        ("huber", "Huber", [{}, {"delta": 0.5}]),
        ("log_cosh", "LogCosh", [{}]),
        ("cosine_similarity", "CosineSimilarity", [{}]),
        ("hinge", "Hinge", [{}]),
        ("squared_hinge", "SquaredHinge", [{}]),
        ("categorical_hinge", "CategoricalHinge", [{}]),
        ("kl_divergence", "KLDivergence", [{}]),
        ("poisson", "Poisson", [{}]),
        ("binary_crossentropy", "BinaryCrossentropy",
         [{}, {"label_smoothing": 0.1}, {"from_logits": True}]),
        ("binary_focal_crossentropy", "BinaryFocalCrossentropy",
         [{}, {"gamma": 1.0, "apply_class_balancing": True}, {"from_logits": True}]),
        ("categorical_crossentropy", "CategoricalCrossentropy",
         [{}, {"label_smoothing": 0.1}, {"from_logits": True}]),
        ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy",
         [{}, {"gamma": 1.0, "alpha": 0.5}, {"from_logits": True}]),
        ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
         [{}, {"from_logits": True}]),
    ]:
        s = spec[cls_name]
        for kwargs in kwargs_list:
            data = s["logit_data"] if kwargs.get("from_logits") else s["data"]
            data_name = next(iter(data))
            y_true, y_pred = data[data_name]
            for dtype in DTYPES:
                keras.config.set_floatx(dtype)
                fn = getattr(keras.losses, fn_name)
                t = keras.ops.convert_to_tensor(
                    y_true, dtype="int64" if y_true.dtype.kind in "iu" else dtype)
                value = _np(fn(t, keras.ops.convert_to_tensor(y_pred, dtype=dtype), **kwargs))
                functions.append({"fn": fn_name, "kwargs": kwargs, "dtype": dtype,
                                  "data": f"{cls_name}/{data_name}", "value": _list(value)})
    keras.config.set_floatx("float64")
    return {"data": table, "cases": cases, "functions": functions}


def _loss_case(keras: Any, cls_name: str, config: dict[str, Any], reduction: str | None,
               key: str, y_true: np.ndarray, y_pred: np.ndarray, sw_name: str, sw: Any,
               dtype: str) -> dict[str, Any]:
    """One Keras call; y_true/y_pred live in the data table under ``key`` (float64)."""
    keras.config.set_floatx(dtype)
    loss = getattr(keras.losses, cls_name)(reduction=reduction, **config)
    y_pred = y_pred.astype(dtype)
    y_true = y_true if y_true.dtype.kind in "iu" else y_true.astype(dtype)
    sw_arr = None if sw is None else np.asarray(sw, dtype=dtype)
    case = {"loss": cls_name, "config": config, "reduction": reduction, "data": key,
            "dtype": dtype, "sample_weight_kind": sw_name,
            "sample_weight": None if sw is None else _list(sw_arr)}
    try:
        case["value"] = _list(_np(loss(y_true, y_pred, sample_weight=sw_arr)))
    except Exception as e:  # Keras refuses the input: the tests check that we refuse it too
        case["error"] = f"{type(e).__name__}: {e}"
    return case


# ------------------------------------------------------------ saturation (autograd gradients)
def record_saturation(keras: Any) -> dict[str, Any]:
    """Keras's gradient w.r.t. the pre-activation z through sigmoid/softmax and the loss.

    Where the output leaves [eps, 1 - eps], Keras's clip passes no gradient.
    """
    import torch

    keras.config.set_floatx("float64")
    out = []
    z_bin = np.array([[20.0, -20.0, 0.5], [-25.0, 18.0, -0.3]])
    t_bin = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    z_cat = np.array([[20.0, 0.0, -5.0], [0.1, -0.2, 0.3], [-3.0, 25.0, 1.0]])
    t_cat = np.eye(3)[[1, 0, 0]]
    for name, z, t, act, loss in [
        ("sigmoid_bce", z_bin, t_bin, keras.activations.sigmoid,
         keras.losses.BinaryCrossentropy()),
        ("softmax_cce", z_cat, t_cat, keras.activations.softmax,
         keras.losses.CategoricalCrossentropy()),
        ("softmax_sparse_cce", z_cat, np.array([1, 0, 0]), keras.activations.softmax,
         keras.losses.SparseCategoricalCrossentropy()),
    ]:
        zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        value = loss(torch.tensor(t), act(zt))
        value.backward()
        out.append({"name": name, "z": _list(z), "y_true": _list(t),
                    "value": float(value.detach()), "grad_z": _list(zt.grad.numpy())})
    return {"cases": out}


# ------------------------------------------------------------- regularizers and constraints
def record_regularizers(keras: Any) -> dict[str, Any]:
    rng = np.random.default_rng(11)
    w = rng.normal(size=(4, 3))
    cases = []
    R = keras.regularizers
    for label, make in [
        ("L1()", lambda: R.L1()), ("L1(0.3)", lambda: R.L1(0.3)),
        ("L2()", lambda: R.L2()), ("L2(0.25)", lambda: R.L2(0.25)),
        ("L1L2()", lambda: R.L1L2()), ("L1L2(0.1, 0.2)", lambda: R.L1L2(0.1, 0.2)),
        ("l1(0.05)", lambda: R.l1(0.05)), ("l2(0.05)", lambda: R.l2(0.05)),
        ("l1_l2()", lambda: R.l1_l2()), ("l1_l2(l1=0.02, l2=0.03)", lambda: R.l1_l2(0.02, 0.03)),
        ("OrthogonalRegularizer()", lambda: R.OrthogonalRegularizer()),
        ("OrthogonalRegularizer(0.5, 'columns')", lambda: R.OrthogonalRegularizer(0.5, "columns")),
    ]:
        for dtype in DTYPES:
            keras.config.set_floatx(dtype)
            value = float(_np(make()(keras.ops.convert_to_tensor(w, dtype=dtype))))
            cases.append({"expr": label, "dtype": dtype, "config": make().get_config(),
                          "value": value})
    keras.config.set_floatx("float64")
    return {"w": _list(w), "cases": cases}


def record_constraints(keras: Any) -> dict[str, Any]:
    rng = np.random.default_rng(12)
    w = rng.normal(scale=1.5, size=(4, 3))
    w[:, 1] *= 0.1
    C = keras.constraints
    cases = []
    for cls_name, config in [("MaxNorm", {}), ("MaxNorm", {"max_value": 1.0}),
                             ("MaxNorm", {"max_value": 1.5, "axis": 1}), ("NonNeg", {}),
                             ("UnitNorm", {}), ("UnitNorm", {"axis": 1}), ("MinMaxNorm", {}),
                             ("MinMaxNorm", {"min_value": 0.5, "max_value": 2.0, "rate": 0.5}),
                             ("MinMaxNorm", {"min_value": 1.0, "max_value": 1.5, "axis": 1})]:
        for dtype in DTYPES:
            keras.config.set_floatx(dtype)
            value = _np(getattr(C, cls_name)(**config)(keras.ops.convert_to_tensor(w, dtype=dtype)))
            cases.append({"cls": cls_name, "config": config, "dtype": dtype,
                          "value": _list(value)})
    keras.config.set_floatx("float64")
    return {"w": _list(w), "cases": cases}


# ------------------------------------------------------------------------- initializers
def record_initializers(keras: Any) -> dict[str, Any]:
    """Sample statistics of large Keras draws, next to which ours are tested."""
    keras.config.set_floatx("float64")
    I = keras.initializers
    shape = (400, 250)
    cases = []
    for name, make in [
        ("GlorotUniform", lambda: I.GlorotUniform(seed=1)),
        ("GlorotNormal", lambda: I.GlorotNormal(seed=1)),
        ("HeUniform", lambda: I.HeUniform(seed=1)), ("HeNormal", lambda: I.HeNormal(seed=1)),
        ("LecunUniform", lambda: I.LecunUniform(seed=1)),
        ("LecunNormal", lambda: I.LecunNormal(seed=1)),
        ("RandomNormal", lambda: I.RandomNormal(seed=1)),
        ("RandomUniform", lambda: I.RandomUniform(seed=1)),
        ("TruncatedNormal", lambda: I.TruncatedNormal(seed=1)),
        ("RandomNormal(mean=1, stddev=2)", lambda: I.RandomNormal(1.0, 2.0, seed=1)),
        ("RandomUniform(-1, 3)", lambda: I.RandomUniform(-1.0, 3.0, seed=1)),
        ("TruncatedNormal(mean=-1, stddev=0.5)", lambda: I.TruncatedNormal(-1.0, 0.5, seed=1)),
        ("VarianceScaling(2.0, fan_out, uniform)",
         lambda: I.VarianceScaling(2.0, "fan_out", "uniform", seed=1)),
        ("VarianceScaling(0.5, fan_avg, untruncated_normal)",
         lambda: I.VarianceScaling(0.5, "fan_avg", "untruncated_normal", seed=1)),
        ("VarianceScaling(3.0, fan_in, truncated_normal)",
         lambda: I.VarianceScaling(3.0, "fan_in", "truncated_normal", seed=1)),
        ("Orthogonal", lambda: I.Orthogonal(seed=1)),
        ("Orthogonal(gain=2)", lambda: I.Orthogonal(gain=2.0, seed=1)),
    ]:
        init = make()
        v = _np(init(shape, dtype="float64"))
        cases.append({"name": name, "class": type(init).__name__, "config": init.get_config(),
                      "shape": list(shape), "mean": float(v.mean()), "var": float(v.var()),
                      "min": float(v.min()), "max": float(v.max())})
    # Keras's fan rules, and the uniform limit sqrt(3 * scale / fan) they give.
    from keras.src.initializers.random_initializers import compute_fans

    fans = []
    for shape, axes in [((7,), None), ((3, 5), None), ((3, 3, 4, 8), None), ((2, 5, 6), None),
                        ((), None), ((4, 6, 5), ([0, 1], [2])), ((4, 6, 5), ([0], [1, 2]))]:
        kwargs = {} if axes is None else {"input_axes": axes[0], "output_axes": axes[1]}
        v = _np(I.VarianceScaling(1.0, "fan_in", "uniform", seed=2, **kwargs)(
            (200,) if shape == () else shape, dtype="float64"))
        fans.append({"shape": list(shape), "axes": axes,
                     "fans": list(compute_fans(shape, **kwargs)), "absmax": float(np.abs(v).max())})
    small = {
        "Zeros": _list(_np(I.Zeros()((2, 3), dtype="float64"))),
        "Ones": _list(_np(I.Ones()((2, 3), dtype="float64"))),
        "Constant(0.7)": _list(_np(I.Constant(0.7)((2, 3), dtype="float64"))),
        "Identity": _list(_np(I.Identity()((3, 4), dtype="float64"))),
        "Identity(gain=2)": _list(_np(I.Identity(gain=2.0)((3, 3), dtype="float64"))),
    }
    configs = {name: {"class_name": type(I.get(name)).__name__, "config": I.get(name).get_config()}
               for name in ("uniform", "normal", "glorot_uniform", "he_normal", "zeros", "one",
                            "truncated_normal", "orthogonal", "identity")}
    configs["GlorotUniform"] = {"class_name": "GlorotUniform",
                                "config": I.GlorotUniform(seed=3).get_config()}
    return {"stats": cases, "fans": fans, "small": small, "get": configs}


def main() -> None:
    keras = _keras()
    sys.path.insert(0, str(HERE.parent.parent))
    keras.utils.set_random_seed(0)
    _write("core_activations.json", record_activations(keras))
    _write("core_losses.json", record_losses(keras))
    _write("core_misc.json", {"regularizers": record_regularizers(keras),
                              "constraints": record_constraints(keras),
                              "saturation": record_saturation(keras),
                              "initializers": record_initializers(keras),
                              "keras_version": keras.__version__})
    if "--core-only" in sys.argv:
        return
    for script in sorted(HERE.glob("make_golden_*.py")):
        print(f"running {script.name}")
        subprocess.run([sys.executable, str(script)], check=True, cwd=HERE.parent.parent)


if __name__ == "__main__":
    main()
