"""Record Keras 3's numbers for the training and layer tests.

Writes ``training.json`` (``tests/test_training_golden.py``: whole fits) and
``layers.json`` (``tests/test_layers.py`` and ``tests/test_sequential.py``:
one layer at a time, and the facts behind ``summary()``). Run by hand (never
in CI; tests read the JSON and never import Keras)::

    KERAS_BACKEND=torch /work/venv/bin/python tests/golden/make_golden_training.py

Every case builds the same model in Keras and in minikeras through
:func:`run_case`, which only touches the public API both libraries share, so
the test drives minikeras with exactly the code that produced the golden
numbers. The data and the initial weights are stored in the JSON too (chosen
here with a seeded NumPy Generator), so the tests need neither Keras nor the
same NumPy random streams.

Notes on Keras 3.15.1 with the torch backend that shaped the cases:

- Keras's type promotion (``keras.src.backend.common.dtypes``) maps float64
  to float32 on every backend but TensorFlow (``BIT64_TO_BIT32_DTYPE``, to
  match JAX without x64). So with ``set_floatx("float64")`` and torch,
  ``ops.matmul`` of two float64 tensors (every Dense layer) and
  ``ops.divide_no_nan`` (every loss reduction and metric result) compute in
  float32: the "float64" numbers carry float32 rounding (about 1e-7
  relative), which the ``keras64`` tolerance cannot absorb where values
  cancel (a prediction near 0) and which turns a gradient that is exactly
  zero (a bias before BatchNormalization) into noise that Adam amplifies.
  For the float64 cases this script therefore sets that table entry to
  float64, the value the TensorFlow backend uses (:func:`keras_float64`):
  Keras then runs its own formulas, all in float64. The float32 cases run
  Keras unpatched.
- Keras fixes its global dtype policy on first use, so ``set_floatx`` alone
  does not switch later layers between float64 and float32; each case also
  sets the policy.
- Batch sizes are powers of two (40 rows, batches of 16, 16, 8), so
  ``1 / batch_size`` is exact in any precision.
- The outputs of sigmoid and softmax models stay well inside
  [1e-7, 1 - 1e-7] (checked below), where Keras's clip does not act
  (CORRECTIONS "Saturation").
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).with_name("training.json")
N_TRAIN, N_VAL = 40, 16  # 40 rows, batch 16 -> batches of 16, 16, 8 (powers of two)


# ----------------------------------------------------------------------------- data
def make_data(seed: int = 20240611) -> dict[str, dict[str, np.ndarray]]:
    """Small data sets: binary, 3-class, and regression (1 and 2 targets)."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_VAL

    def sw(m: int) -> np.ndarray:
        return rng.uniform(0.5, 1.5, size=m)

    x = rng.normal(size=(n, 4)) * 0.8
    logits = 1.5 * x[:, 0] - x[:, 1] + 0.5 * x[:, 2] * x[:, 3]
    yb = (logits + 0.7 * rng.normal(size=n) > 0).astype(np.float64)
    binary = {"x": x[:N_TRAIN], "y": yb[:N_TRAIN], "x_val": x[N_TRAIN:], "y_val": yb[N_TRAIN:],
              "sw": sw(N_TRAIN), "sw_val": sw(N_VAL)}

    x = rng.normal(size=(n, 4)) * 0.8
    scores = x @ rng.normal(size=(4, 3)) + 0.5 * rng.normal(size=(n, 3))
    labels = scores.argmax(axis=1).astype(np.int64)
    multi = {"x": x[:N_TRAIN], "y": labels[:N_TRAIN], "x_val": x[N_TRAIN:],
             "y_val": labels[N_TRAIN:], "sw": sw(N_TRAIN), "sw_val": sw(N_VAL)}

    x = rng.normal(size=(n, 3))
    yr = x @ np.array([[1.5, -0.5], [-2.0, 1.0], [0.5, 0.25]]) + np.array([0.3, -1.0]) \
        + 0.1 * rng.normal(size=(n, 2))
    regression = {"x": x[:N_TRAIN], "y": yr[:N_TRAIN], "x_val": x[N_TRAIN:],
                  "y_val": yr[N_TRAIN:], "sw": sw(N_TRAIN), "sw_val": sw(N_VAL)}
    # Normalization needs features far from mean 0 / variance 1 to mean anything.
    x = rng.normal(size=(n, 3)) * np.array([5.0, 0.2, 30.0]) + np.array([10.0, -3.0, 100.0])
    z = (x - np.array([10.0, -3.0, 100.0])) / np.array([5.0, 0.2, 30.0])
    yn = z @ np.array([[1.0], [-0.5], [0.7]]) + 0.1 * rng.normal(size=(n, 1))
    scaled = {"x": x[:N_TRAIN], "y": yn[:N_TRAIN], "x_val": x[N_TRAIN:], "y_val": yn[N_TRAIN:],
              "sw": sw(N_TRAIN), "sw_val": sw(N_VAL)}
    return {"binary": binary, "multiclass": multi, "regression": regression, "scaled": scaled}


def targets(data: dict[str, np.ndarray], case: dict[str, Any], split: str) -> np.ndarray:
    """The targets a case trains on: labels, one-hot rows, a column, or some columns."""
    y = data["y" if split == "train" else "y_val"]
    kind = case.get("targets", "as_is")
    if kind == "onehot":
        return np.eye(3)[y]
    if kind == "column":
        return y.reshape(-1, 1)
    if kind == "first_column":
        return y[:, :1]
    return y


# ----------------------------------------------------------------------------- cases
def _dense(units: int, activation: str | None = None, **kw: Any) -> list[Any]:
    return ["Dense", {"units": units, "activation": activation, **kw}]


BINARY = [["Input", {"shape": [4]}], _dense(6, "relu"), _dense(1, "sigmoid")]
SOFTMAX = [["Input", {"shape": [4]}], _dense(8, "relu"), _dense(3, "softmax")]
LINEAR = [["Input", {"shape": [3]}], _dense(1)]
REGULARIZED = [["Input", {"shape": [4]}],
               _dense(6, "tanh", kernel_regularizer=["L2", {"l2": 0.02}],
                      activity_regularizer=["L1L2", {"l1": 0.01, "l2": 0.05}]),
               _dense(1, "sigmoid", kernel_regularizer=["L2", {"l2": 0.01}],
                      bias_regularizer=["L1", {"l1": 0.005}])]
BATCHNORM = [["Input", {"shape": [4]}], _dense(6), ["BatchNormalization", {}],
             ["Activation", {"activation": "relu"}], _dense(1, "sigmoid")]
# A frozen layer's weight penalty is not counted (Keras sums the trainable
# weights' penalties); its activity penalty is.
FROZEN = [["Input", {"shape": [4]}],
          _dense(6, "relu", trainable=False, kernel_regularizer=["L2", {"l2": 0.1}],
                 activity_regularizer=["L2", {"l2": 0.02}]),
          ["BatchNormalization", {"trainable": False}], _dense(1, "sigmoid")]
# An activity penalty on the output layer: no fused sigmoid + BCE gradient.
OUTPUT_ACTIVITY = [["Input", {"shape": [4]}], _dense(6, "relu"),
                   _dense(1, "sigmoid", activity_regularizer=["L2", {"l2": 0.05}])]
# Activation layers in training, and the softmax as a separate layer.
MIXED = [["Input", {"shape": [4]}], _dense(6), ["LayerNormalization", {}], ["PReLU", {}],
         _dense(5), ["LeakyReLU", {}], _dense(4), ["ELU", {"alpha": 0.5}], _dense(3),
         ["Activation", {"activation": "softmax"}]]
RESHAPING = [["Input", {"shape": [4]}], ["Reshape", {"target_shape": [2, 2]}],
             ["Rescaling", {"scale": 0.5, "offset": 0.1}], ["Dense", {"units": 3}],
             ["Flatten", {}], _dense(1, "sigmoid")]
LOGITS = [["Input", {"shape": [4]}], _dense(6, "tanh"), _dense(1)]
NORMALIZED = [["Input", {"shape": [3]}], ["Normalization", {"adapt": True}], _dense(4, "tanh"),
              _dense(1)]

SGD = ["SGD", {"learning_rate": 0.1}]
MOMENTUM = ["SGD", {"learning_rate": 0.05, "momentum": 0.9}]
NESTEROV = ["SGD", {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True}]
ADAM = ["Adam", {"learning_rate": 0.02}]

CASES: list[dict[str, Any]] = [
    # (a) Dense-ReLU-Dense-sigmoid with binary cross-entropy
    {"name": "binary_sgd", "data": "binary", "layers": BINARY, "optimizer": SGD,
     "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy", "mse"], "epochs": 5},
    {"name": "binary_momentum_valsplit", "data": "binary", "layers": BINARY,
     "optimizer": MOMENTUM, "loss": ["BinaryCrossentropy", {}],
     "metrics": ["accuracy", "mae"], "epochs": 5, "validation_split": 0.2},
    {"name": "binary_adam_valdata_column", "data": "binary", "layers": BINARY,
     "optimizer": ADAM, "loss": "binary_crossentropy", "metrics": ["accuracy"], "epochs": 5,
     "targets": "column", "validation_data": 2},
    {"name": "binary_nesterov_sample_weight", "data": "binary", "layers": BINARY,
     "optimizer": NESTEROV, "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"],
     "weighted_metrics": ["accuracy", "mse"], "epochs": 4, "sample_weight": True,
     "validation_data": 3},
    {"name": "binary_adam_class_weight", "data": "binary", "layers": BINARY,
     "optimizer": ADAM, "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"],
     "weighted_metrics": ["binary_accuracy"], "epochs": 4,
     "class_weight": {"0": 1.0, "1": 2.5}, "validation_split": 0.2},
    {"name": "binary_sgd_initial_epoch", "data": "binary", "layers": BINARY, "optimizer": SGD,
     "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"], "epochs": 5,
     "initial_epoch": 2, "batch_size": 8},
    # (b) softmax with categorical and sparse categorical cross-entropy
    {"name": "softmax_cce_sgd", "data": "multiclass", "layers": SOFTMAX, "optimizer": SGD,
     "loss": ["CategoricalCrossentropy", {}], "metrics": ["accuracy"], "epochs": 5,
     "targets": "onehot", "validation_split": 0.2},
    {"name": "softmax_cce_adam_class_weight", "data": "multiclass", "layers": SOFTMAX,
     "optimizer": ADAM, "loss": "categorical_crossentropy",
     "metrics": ["categorical_accuracy"], "epochs": 4, "targets": "onehot",
     "class_weight": {"0": 1.0, "1": 0.5, "2": 2.0}, "validation_data": 2},
    {"name": "softmax_scce_momentum_sample_weight", "data": "multiclass", "layers": SOFTMAX,
     "optimizer": MOMENTUM, "loss": ["SparseCategoricalCrossentropy", {}],
     "metrics": ["accuracy"], "weighted_metrics": ["sparse_categorical_accuracy"],
     "epochs": 5, "sample_weight": True, "validation_split": 0.2},
    {"name": "softmax_scce_adam", "data": "multiclass", "layers": SOFTMAX, "optimizer": ADAM,
     "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "epochs": 5,
     "validation_data": 3},
    # (c) linear regression with MSE
    {"name": "linear_sgd", "data": "regression", "layers": LINEAR, "optimizer": SGD,
     "loss": ["MeanSquaredError", {}], "metrics": ["mae"], "epochs": 5,
     "targets": "first_column", "validation_split": 0.2},
    {"name": "linear2_adam_sample_weight", "data": "regression",
     "layers": [["Input", {"shape": [3]}], _dense(2)], "optimizer": ADAM, "loss": "mse",
     "metrics": ["mae", "mse"], "epochs": 5, "sample_weight": True, "validation_data": 3},
    # (d) L2 kernel regularizers, a bias regularizer and an activity regularizer
    {"name": "regularized_sgd", "data": "binary", "layers": REGULARIZED, "optimizer": SGD,
     "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"], "epochs": 5,
     "validation_split": 0.2},
    {"name": "regularized_adam_sample_weight", "data": "binary", "layers": REGULARIZED,
     "optimizer": ADAM, "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"],
     "epochs": 4, "sample_weight": True, "validation_data": 2},
    # (e) BatchNormalization, and frozen layers (a frozen BN runs in inference mode)
    {"name": "batchnorm_momentum", "data": "binary", "layers": BATCHNORM, "optimizer": MOMENTUM,
     "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"], "epochs": 5,
     "validation_split": 0.2},
    {"name": "batchnorm_adam", "data": "binary", "layers": BATCHNORM, "optimizer": ADAM,
     "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"], "epochs": 4,
     "validation_data": 2},
    {"name": "frozen_dense_and_batchnorm", "data": "binary", "layers": FROZEN,
     "optimizer": ADAM, "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"],
     "epochs": 4, "validation_split": 0.2},
    {"name": "regularized_output_activity", "data": "binary", "layers": OUTPUT_ACTIVITY,
     "optimizer": MOMENTUM, "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"],
     "epochs": 4, "validation_data": 2},
    # more layers in training: activation layers, LayerNormalization, reshaping
    {"name": "mixed_layers_scce_adam", "data": "multiclass", "layers": MIXED,
     "optimizer": ADAM, "loss": ["SparseCategoricalCrossentropy", {}],
     "metrics": ["accuracy"], "epochs": 4, "validation_split": 0.2},
    {"name": "reshaping_sgd", "data": "binary", "layers": RESHAPING, "optimizer": SGD,
     "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"], "epochs": 4,
     "validation_split": 0.2},
    # from_logits=True on a linear output (the unfused path of the same losses)
    {"name": "binary_logits_momentum", "data": "binary", "layers": LOGITS,
     "optimizer": MOMENTUM, "loss": ["BinaryCrossentropy", {"from_logits": True}],
     "metrics": ["mse"], "epochs": 4, "sample_weight": True, "validation_split": 0.2},
    {"name": "softmax_logits_cce_adam", "data": "multiclass",
     "layers": [["Input", {"shape": [4]}], _dense(8, "relu"), _dense(3)], "optimizer": ADAM,
     "loss": ["CategoricalCrossentropy", {"from_logits": True}], "epochs": 4,
     "targets": "onehot", "validation_data": 3},
    # (f) Normalization adapted on the training data
    {"name": "normalization_adapted", "data": "scaled", "layers": NORMALIZED,
     "optimizer": MOMENTUM, "loss": ["MeanSquaredError", {}], "metrics": ["mae"],
     "epochs": 5, "validation_split": 0.2},
    # float32: the same code paths at the float32 tolerance
    # Adam turns float32 rounding in near-zero gradients into steps of size lr:
    # Keras's float32 weights drift from the exact ones by ~1e-6 within 4 epochs
    # (ours by ~1e-7), so the float32 Adam case stays short.
    {"name": "f32_binary_adam", "data": "binary", "layers": BINARY, "optimizer": ADAM,
     "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"], "epochs": 2,
     "validation_split": 0.2, "floatx": "float32"},
    {"name": "f32_softmax_scce_momentum", "data": "multiclass", "layers": SOFTMAX,
     "optimizer": MOMENTUM, "loss": ["SparseCategoricalCrossentropy", {}],
     "metrics": ["accuracy"], "epochs": 4, "sample_weight": True, "floatx": "float32"},
    {"name": "f32_batchnorm_sgd", "data": "binary", "layers": BATCHNORM, "optimizer": SGD,
     "loss": ["BinaryCrossentropy", {}], "metrics": ["accuracy"], "epochs": 3,
     "validation_data": 2, "floatx": "float32"},
]


# ----------------------------------------------------------------------------- runner
def _resolve(lib: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``["L2", {...}]`` under a ``*_regularizer`` key becomes ``lib.regularizers.L2(...)``."""
    out = {}
    for key, value in kwargs.items():
        if key.endswith("_regularizer") and isinstance(value, list):
            out[key] = getattr(lib.regularizers, value[0])(**value[1])
        else:
            out[key] = value
    return out


def build_model(lib: Any, spec: list[list[Any]]) -> Any:
    """A Sequential from ``[[class_name, kwargs], ...]`` (``Input`` first)."""
    items = []
    for cls, kwargs in spec:
        kwargs = {k: v for k, v in kwargs.items() if k != "adapt"}
        if cls == "Input":
            items.append(lib.Input(shape=tuple(kwargs["shape"])))
        else:
            items.append(getattr(lib.layers, cls)(**_resolve(lib, kwargs)))
    return lib.Sequential(items)


def _obj(lib_module: Any, spec: Any) -> Any:
    if isinstance(spec, str):
        return spec
    return getattr(lib_module, spec[0])(**spec[1])


def fit_kwargs(case: dict[str, Any], data: dict[str, np.ndarray]) -> dict[str, Any]:
    """The arguments of ``fit`` for a case (always ``shuffle=False``, ``verbose=0``)."""
    kw: dict[str, Any] = {"batch_size": case.get("batch_size", 16), "epochs": case["epochs"],
                          "shuffle": False, "verbose": 0}
    if case.get("validation_split"):
        kw["validation_split"] = case["validation_split"]
    if case.get("validation_data") == 2:
        kw["validation_data"] = (data["x_val"], targets(data, case, "val"))
    elif case.get("validation_data") == 3:
        kw["validation_data"] = (data["x_val"], targets(data, case, "val"), data["sw_val"])
    if case.get("sample_weight"):
        kw["sample_weight"] = data["sw"]
    if case.get("class_weight"):
        kw["class_weight"] = {int(k): v for k, v in case["class_weight"].items()}
    if case.get("initial_epoch"):
        kw["initial_epoch"] = case["initial_epoch"]
    return kw


def prepare_model(lib: Any, case: dict[str, Any], data: dict[str, np.ndarray],
                  initial_weights: list[np.ndarray] | None) -> tuple[Any, list[Any]]:
    """Build, adapt any Normalization, set the weights and compile.

    Returns the model and the weights each adapted layer held right after
    ``adapt`` (before ``set_weights``), so that ``adapt`` itself is compared.
    """
    lib.backend.clear_session()
    lib.config.set_floatx(case.get("floatx", "float64"))
    model = build_model(lib, case["layers"])
    adapted = []
    specs = [s for s in case["layers"] if s[0] != "Input"]
    for layer, (_, kwargs) in zip(model.layers, specs):
        if kwargs.get("adapt"):
            layer.adapt(data["x"])
            adapted.append([np.asarray(w) for w in layer.get_weights()])
    if initial_weights is not None:
        model.set_weights(initial_weights)
    model.compile(optimizer=_obj(lib.optimizers, case["optimizer"]),
                  loss=_obj(lib.losses, case["loss"]), metrics=case.get("metrics"),
                  weighted_metrics=case.get("weighted_metrics"))
    return model, adapted


def run_case(lib: Any, case: dict[str, Any], data: dict[str, np.ndarray],
             initial_weights: list[np.ndarray]) -> dict[str, Any]:
    """Train one case and collect everything compared against Keras."""
    model, adapted = prepare_model(lib, case, data, initial_weights)
    y = targets(data, case, "train")
    history = model.fit(data["x"], y, **fit_kwargs(case, data))
    x_all = np.concatenate([data["x"], data["x_val"]])
    y_all = np.concatenate([y, targets(data, case, "val")])
    sw_all = np.concatenate([data["sw"], data["sw_val"]])
    evaluate = model.evaluate(x_all, y_all, batch_size=16, verbose=0, return_dict=True)
    evaluate_sw = model.evaluate(x_all, y_all, batch_size=16, verbose=0, return_dict=True,
                                 sample_weight=sw_all)
    evaluate_plain = model.evaluate(x_all, y_all, batch_size=32, verbose=0)
    predict = model.predict(x_all, batch_size=16, verbose=0)
    return {
        "history_keys": list(history.history),
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        "epoch": [int(e) for e in history.epoch],
        "params": dict(history.params),
        "adapted": [[np.asarray(w, dtype=np.float64) for w in ws] for ws in adapted],
        "final_weights": [np.asarray(w, dtype=np.float64) for w in model.get_weights()],
        "weight_dtypes": [str(np.asarray(w).dtype) for w in model.get_weights()],
        "metrics_names": list(model.metrics_names),
        "weight_shapes": [list(np.shape(w)) for w in model.get_weights()],
        "evaluate": {k: float(v) for k, v in evaluate.items()},
        "evaluate_sample_weight": {k: float(v) for k, v in evaluate_sw.items()},
        "evaluate_plain": ([float(v) for v in evaluate_plain]
                           if isinstance(evaluate_plain, list) else float(evaluate_plain)),
        "predict": np.asarray(predict, dtype=np.float64),
    }


# ----------------------------------------------------------------------------- weights
def initial_weights_for(model: Any, rng: np.random.Generator) -> list[np.ndarray]:
    """Weights small enough that sigmoid/softmax outputs stay far from 0 and 1."""
    out = []
    for var in model.weights:
        name = var.path.split("/")[-1]
        value = np.asarray(var.numpy(), dtype=np.float64)
        shape = value.shape
        if name == "kernel":
            out.append(rng.normal(size=shape) * 0.7 / math.sqrt(shape[0]))
        elif name == "bias":
            out.append(rng.normal(size=shape) * 0.1)
        elif name == "gamma":
            out.append(1.0 + 0.1 * rng.normal(size=shape))
        elif name == "beta":
            out.append(0.1 * rng.normal(size=shape))
        elif name == "moving_mean":
            out.append(0.2 * rng.normal(size=shape))
        elif name == "alpha":  # PReLU
            out.append(0.25 + 0.05 * rng.normal(size=shape))
        elif name == "moving_variance":
            out.append(rng.uniform(0.8, 1.5, size=shape))
        else:  # adapted statistics (Normalization): keep what adapt() found
            out.append(value)
    return out


# ----------------------------------------------------------------------------- layers
LAYERS_OUT = Path(__file__).with_name("layers.json")

#: (case name, [class name, kwargs], input shape): one layer alone, float64.
LAYER_CASES: list[tuple[str, list[Any], list[int]]] = [
    ("dense", ["Dense", {"units": 3, "activation": "tanh"}], [5, 4]),
    ("dense_3d", ["Dense", {"units": 2}], [2, 3, 4]),
    ("dense_no_bias_relu", ["Dense", {"units": 3, "use_bias": False, "activation": "relu"}],
     [5, 4]),
    ("batch_normalization", ["BatchNormalization", {}], [6, 4]),
    ("batch_normalization_3d", ["BatchNormalization", {"momentum": 0.9, "epsilon": 0.01}],
     [3, 2, 4]),
    ("batch_normalization_axis1", ["BatchNormalization", {"axis": 1}], [3, 2, 4]),
    ("layer_normalization", ["LayerNormalization", {}], [5, 4]),
    ("layer_normalization_3d", ["LayerNormalization", {"epsilon": 0.01}], [2, 3, 4]),
    ("prelu", ["PReLU", {}], [5, 4]),
    ("prelu_shared", ["PReLU", {"shared_axes": [1]}], [2, 3, 4]),
    ("leaky_relu", ["LeakyReLU", {}], [5, 4]),
    ("leaky_relu_02", ["LeakyReLU", {"negative_slope": 0.2}], [5, 4]),
    ("relu_options", ["ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}],
     [5, 4]),
    ("elu", ["ELU", {"alpha": 0.5}], [5, 4]),
    ("softmax", ["Softmax", {}], [5, 4]),
    ("activation_gelu", ["Activation", {"activation": "gelu"}], [5, 4]),
    ("activation_selu", ["Activation", {"activation": "selu"}], [5, 4]),
    ("activation_hard_sigmoid", ["Activation", {"activation": "hard_sigmoid"}], [5, 4]),
    ("activation_swish", ["Activation", {"activation": "swish"}], [5, 4]),
    ("normalization_given", ["Normalization", {"mean": [1.0, 2.0, -3.0, 0.5],
                                               "variance": [1.0, 4.0, 9.0, 0.25]}], [5, 4]),
    ("normalization_invert", ["Normalization", {"mean": [1.0, 2.0, -3.0, 0.5],
                                                "variance": [1.0, 4.0, 9.0, 0.25],
                                                "invert": True}], [5, 4]),
    ("normalization_adapt", ["Normalization", {"adapt": True}], [5, 4]),
    ("rescaling", ["Rescaling", {"scale": 0.5, "offset": -0.25}], [5, 4]),
    ("flatten", ["Flatten", {}], [2, 3, 4]),
    ("reshape", ["Reshape", {"target_shape": [2, -1]}], [2, 3, 4]),
    ("dropout", ["Dropout", {"rate": 0.5}], [5, 4]),
    ("gaussian_noise", ["GaussianNoise", {"stddev": 0.3}], [5, 4]),
    ("activity_regularization", ["ActivityRegularization", {"l1": 0.01}], [5, 4]),
    ("identity", ["Identity", {}], [5, 4]),
]

#: Layers whose training-mode output is random (a mask or noise): not recorded.
RANDOM_IN_TRAINING = ("Dropout", "GaussianNoise", "GaussianDropout")


def layer_weights_for(layer: Any, rng: np.random.Generator) -> list[np.ndarray]:
    """Random values for every weight (variances and scales positive)."""
    out = []
    for var in layer.weights:
        name = var.path.split("/")[-1]
        shape = tuple(var.shape)
        if name in ("moving_variance", "variance"):
            out.append(rng.uniform(0.5, 2.0, size=shape))
        elif name == "gamma":
            out.append(1.0 + 0.3 * rng.normal(size=shape))
        elif name == "count":
            out.append(np.asarray(var.numpy()))
        else:
            out.append(rng.normal(size=shape))
    return out


def _numpy(value: Any) -> np.ndarray:
    """A float64 NumPy copy of a layer's output (a torch tensor in Keras)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.array(value, dtype=np.float64)


def run_layer_case(lib: Any, spec: list[Any], x: np.ndarray,
                   weights: list[np.ndarray] | None) -> tuple[Any, dict[str, Any]]:
    """One layer alone: name, weights, output shape and outputs in both modes."""
    lib.backend.clear_session()
    lib.config.set_floatx("float64")
    cls, kwargs = spec
    layer = getattr(lib.layers, cls)(**{k: v for k, v in kwargs.items() if k != "adapt"})
    out: dict[str, Any] = {"name": layer.name, "weights_before_build": len(layer.weights)}
    if kwargs.get("adapt"):
        layer.adapt(x)
        out["adapted"] = [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]
    else:
        layer.build((None, *x.shape[1:]))
    if weights is not None:
        layer.set_weights(weights)
    out["weight_names"] = [v.path.split("/")[-1] for v in layer.weights]
    out["weight_paths"] = [v.path for v in layer.weights]
    out["weight_shapes"] = [list(v.shape) for v in layer.weights]
    out["trainable_weight_names"] = [v.path.split("/")[-1] for v in layer.trainable_weights]
    out["non_trainable_weight_names"] = [v.path.split("/")[-1]
                                         for v in layer.non_trainable_weights]
    out["output_shape"] = list(layer.compute_output_shape((None, *x.shape[1:])))
    out["inference"] = _numpy(layer(x, training=False))
    if cls not in RANDOM_IN_TRAINING:
        out["training"] = _numpy(layer(x, training=True))
        out["weights_after_training_call"] = [np.asarray(w, dtype=np.float64)
                                              for w in layer.get_weights()]
    return layer, out


#: A model for summary() and count_params (Keras's numbers).
SUMMARY_MODEL = [["Input", {"shape": [8]}], _dense(16, "relu"), ["BatchNormalization", {}],
                 ["Dropout", {"rate": 0.2}], _dense(4, "relu", trainable=False),
                 _dense(1, "sigmoid")]


def summary_facts(lib: Any) -> dict[str, Any]:
    """Per-layer names, output shapes and parameter counts, and the totals."""
    lib.backend.clear_session()
    lib.config.set_floatx("float32")
    model = build_model(lib, SUMMARY_MODEL)
    return {
        "layers": [[layer.name, list(layer.output.shape), layer.count_params()]
                   for layer in model.layers],
        "total": model.count_params(),
        "trainable": int(sum(np.prod(v.shape) for v in model.trainable_weights)),
        "non_trainable": int(sum(np.prod(v.shape) for v in model.non_trainable_weights)),
        "weight_paths": [v.path for v in model.weights],
    }


def record_layers(keras: Any) -> dict[str, Any]:
    """Keras's facts and outputs for each case of :data:`LAYER_CASES`."""
    rng = np.random.default_rng(11)
    keras_float64(True)
    keras.config.set_dtype_policy("float64")
    cases = {}
    for name, spec, shape in LAYER_CASES:
        x = rng.normal(size=shape) * 1.5
        if spec[0] == "ReLU":
            x = np.round(x, 1) + 0.05  # away from the kinks at 0, 0.2 and 1.0
        layer, _ = run_layer_case(keras, spec, x, None)
        weights = layer_weights_for(layer, rng) if layer.weights else None
        if spec[1].get("adapt"):
            weights = None  # keep what adapt() found
        _, result = run_layer_case(keras, spec, x, weights)
        cases[name] = {"spec": spec, "x": x, "weights": weights, **result}
        print(f"layer {name}: {result['name']} {result['weight_names']}")
    keras.config.set_dtype_policy("float32")
    keras_float64(False)
    return {"keras_version": keras.__version__, "cases": cases,
            "summary": summary_facts(keras)}


# ----------------------------------------------------------------------------- JSON
def to_json(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def from_json(value: Any) -> Any:
    """Inverse of :func:`to_json` (arrays come back as NumPy arrays)."""
    if isinstance(value, dict):
        if "__array__" in value:
            return np.asarray(value["__array__"], dtype=value["dtype"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def load(path: Path = OUT) -> dict[str, Any]:
    """The recorded golden file, with arrays decoded."""
    return from_json(json.loads(path.read_text()))


def _check_not_saturated(case: dict[str, Any], result: dict[str, Any]) -> None:
    act = case["layers"][-1][1].get("activation")
    if act in ("sigmoid", "softmax"):
        p = result["predict"]
        if p.min() < 1e-3 or p.max() > 1 - 1e-3:
            raise SystemExit(f"{case['name']}: outputs near saturation ({p.min()}, {p.max()})")


def keras_float64(enabled: bool) -> None:
    """Make Keras's type promotion keep float64 on torch (see the module docstring)."""
    from keras.src.backend.common import dtypes

    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64" if enabled else "float32"


def main() -> None:
    if os.environ.get("KERAS_BACKEND") != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the module docstring).")
    import keras

    data = make_data()
    rng = np.random.default_rng(7)
    results = {}
    for case in CASES:
        ds = data[case["data"]]
        floatx = case.get("floatx", "float64")
        keras_float64(floatx == "float64")
        # Keras fixes its global dtype policy at first use; set_floatx alone
        # would leave the float32 cases computing in float64.
        keras.config.set_dtype_policy(floatx)
        model, _ = prepare_model(keras, case, ds, None)
        init = initial_weights_for(model, rng)
        result = run_case(keras, case, ds, init)
        _check_not_saturated(case, result)
        results[case["name"]] = {"case": case, "initial_weights": init, **result}
        print(f"{case['name']}: loss {result['history']['loss']}")
    LAYERS_OUT.write_text(json.dumps(to_json(record_layers(keras))))
    print(f"wrote {LAYERS_OUT} ({LAYERS_OUT.stat().st_size // 1024} KiB)")
    payload = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
               "numpy_version": np.__version__, "data": data, "cases": results}
    OUT.write_text(json.dumps(to_json(payload)))
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
