"""Write real Keras files for ``tests/test_keras_files.py``, and check that Keras reads ours.

Run by hand with the ``bench`` extra (never in CI; the tests read the files and
the JSON and never import Keras)::

    KERAS_BACKEND=torch /work/venv/bin/python tests/golden/make_golden_keras_files.py

Part 1 writes, under ``tests/golden/keras_files/``, three small Keras 3.15.1
models, each saved by Keras itself as ``.keras``, and some also as
``.weights.h5`` and as a legacy whole-model ``.h5`` (Keras 3 still writes that
format through ``model.save("x.h5")``):

- ``mlp`` (float32): Dense layers with activations, initializers, regularizers
  (kernel and activity), constraints, one of them frozen; compiled with Adam,
  categorical cross-entropy and accuracy, fitted, so the files hold Adam's
  state (for the weights that train: Keras leaves the frozen layer out).
- ``norm`` (float32): Normalization (adapted, and with mean/variance),
  Rescaling, Dense, BatchNormalization, Activation, Dropout, GaussianNoise,
  GaussianDropout, LayerNormalization; SGD with Nesterov momentum, MSE, MAE.
- ``layers64`` (float64): Flatten, Reshape, ReLU, LeakyReLU, PReLU, ELU,
  BatchNormalization, a nested Sequential (Dense, LayerNormalization, Softmax),
  ActivityRegularization, Identity; centered RMSprop with momentum, binary
  cross-entropy and AUC.

plus ``mlp_tf2.h5``, the ``mlp`` model written by hand in the layout tf.keras
2.15 gives a whole model (``model_config`` and ``training_config`` attributes
in tf.keras 2's spelling, ``model_weights`` with ``layer_names`` and
``name:0`` weight names, ``optimizer_weights`` of tf.keras 2's Adam), since
Keras 3 can no longer write one. ``golden.json`` holds, per model, fixed
inputs and Keras's predictions, and for the deterministic models one more
``train_on_batch`` from the saved state (the weights after it), which shows
that the optimizer's state carried over.

Part 2 goes the other way: minikeras loads each golden file, writes it with
``save(format="keras")`` and ``save_weights(format="keras")``, and Keras
loads those and must predict identically, hold the same optimizer variables
and take the same next training step; likewise for a model built in
minikeras alone with every layer type, and for one with a frozen layer (Keras
builds its optimizer without that layer's weights; minikeras with them,
masked). It prints one line per check and exits non-zero on any failure.

Keras 3 on torch computes float64 matmuls in float32 (its type promotion maps
float64 to float32 off TensorFlow); the float64 model runs with that table
entry set to float64, as ``make_golden_training.py`` does.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).with_name("keras_files")
ROOT = Path(__file__).resolve().parents[2]
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-6, 1e-9)}


def keras_float64(enabled: bool) -> None:
    """Make Keras's type promotion keep float64 on torch (see the module docstring)."""
    from keras.src.backend.common import dtypes

    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64" if enabled else "float32"


def use_dtype(keras: Any, dtype: str) -> None:
    keras_float64(dtype == "float64")
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)


# ----------------------------------------------------------------------------- models
def build_mlp(keras: Any) -> Any:
    L = keras.layers
    return keras.Sequential([
        keras.Input((4,)),
        L.Dense(8, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01),
                activity_regularizer=keras.regularizers.L1(0.001),
                kernel_constraint=keras.constraints.MaxNorm(2.0),
                bias_initializer=keras.initializers.Constant(0.1)),
        L.Dense(6, activation="tanh", kernel_initializer="he_normal",
                bias_regularizer=keras.regularizers.L1L2(l1=0.001, l2=0.001),
                bias_constraint=keras.constraints.NonNeg(), trainable=False),
        L.Dense(3, activation="softmax", name="probabilities"),
    ], name="mlp")


def build_norm(keras: Any, x: np.ndarray) -> Any:
    L = keras.layers
    adapted = L.Normalization()
    adapted.adapt(x)
    return keras.Sequential([
        keras.Input((4,)), adapted,
        L.Normalization(mean=[0.1, -0.2, 0.3, 0.0], variance=[1.0, 2.0, 0.5, 4.0]),
        L.Rescaling(0.5, offset=0.1), L.Dense(6), L.BatchNormalization(momentum=0.9),
        L.Activation("tanh"), L.Dropout(0.3, seed=1), L.GaussianNoise(0.1, seed=2),
        L.GaussianDropout(0.1, seed=3), L.LayerNormalization(epsilon=1e-4), L.Dense(2),
    ], name="norm")


def build_layers64(keras: Any) -> Any:
    L = keras.layers
    inner = keras.Sequential([L.Dense(4, activation="selu"), L.LayerNormalization(),
                              L.Softmax()], name="inner")
    return keras.Sequential([
        keras.Input((2, 3)), L.Flatten(), L.Dense(6), L.ReLU(max_value=1.5, negative_slope=0.1),
        L.LeakyReLU(negative_slope=0.2), L.PReLU(alpha_initializer=keras.initializers.Constant(
            0.25)), L.ELU(alpha=0.5), L.BatchNormalization(), L.Reshape((3, 2)), L.Flatten(),
        inner, L.ActivityRegularization(l1=0.01), L.Identity(), L.Dense(1, activation="sigmoid"),
    ], name="layers64")


def data(rng: np.random.Generator, name: str, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "mlp":
        x = rng.normal(size=(32, 4))
        y = np.eye(3)[rng.integers(0, 3, 32)]
    elif name == "norm":
        x = rng.normal(loc=[1.0, -2.0, 0.5, 3.0], scale=[1.0, 2.0, 0.5, 3.0], size=(32, 4))
        y = rng.normal(size=(32, 2))
    else:
        x = rng.normal(size=(32, 2, 3))
        y = (rng.random((32, 1)) > 0.5).astype(float)
    return x.astype(dtype), y.astype(dtype)


MODELS = {
    "mlp": dict(dtype="float32", files=(".keras", ".weights.h5", ".h5"), step=True,
                compile=lambda k: dict(optimizer=k.optimizers.Adam(0.01),
                                       loss="categorical_crossentropy",
                                       metrics=["accuracy"])),
    "norm": dict(dtype="float32", files=(".keras", ".h5"), step=False,
                 compile=lambda k: dict(optimizer=k.optimizers.SGD(0.05, momentum=0.9,
                                                                   nesterov=True),
                                        loss="mse", metrics=["mae"])),
    "layers64": dict(dtype="float64", files=(".keras",), step=True,
                     compile=lambda k: dict(optimizer=k.optimizers.RMSprop(
                         0.01, momentum=0.5, centered=True), loss="binary_crossentropy",
                         metrics=[k.metrics.AUC()])),
}


def make(keras: Any, name: str, rng: np.random.Generator) -> tuple[Any, dict[str, Any]]:
    spec = MODELS[name]
    use_dtype(keras, spec["dtype"])
    keras.utils.set_random_seed(11)
    x, y = data(rng, name, spec["dtype"])
    model = {"mlp": lambda: build_mlp(keras), "norm": lambda: build_norm(keras, x),
             "layers64": lambda: build_layers64(keras)}[name]()
    model.compile(**spec["compile"](keras))
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    xs = x[:6]
    record: dict[str, Any] = {"dtype": spec["dtype"], "files": list(spec["files"]),
                              "x": xs.tolist(),
                              "predictions": model.predict(xs, verbose=0).tolist(),
                              "optimizer": {"class_name": type(model.optimizer).__name__,
                                            "iterations": int(model.optimizer.iterations),
                                            "n_variables": len(model.optimizer.variables),
                                            "learning_rate":
                                                float(model.optimizer.learning_rate)},
                              "loss": model.loss if isinstance(model.loss, str) else None,
                              "weights": [np.asarray(w).tolist() for w in model.get_weights()]}
    for suffix in spec["files"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras calls `.h5` legacy
            if suffix == ".weights.h5":
                model.save_weights(OUT / f"{name}{suffix}")
            else:
                model.save(OUT / f"{name}{suffix}")
    if spec["step"]:
        xb, yb = x[:8], y[:8]
        loss = model.train_on_batch(xb, yb, return_dict=True)["loss"]
        record["step"] = {"x": xb.tolist(), "y": yb.tolist(), "loss": float(loss),
                          "weights_after": [np.asarray(w).tolist() for w in model.get_weights()]}
    return model, record


# ----------------------------------------------------------------------------- tf.keras 2
def _initializer(obj: Any) -> dict[str, Any]:
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def _legacy(obj: Any) -> Any:
    if obj is None:
        return None
    config = obj.get_config()
    return {"class_name": type(obj).__name__, "config": config}


def write_tf2_h5(keras: Any, model: Any, path: Path) -> None:
    """``model`` (the ``mlp``) in the layout tf.keras 2.15's ``model.save("x.h5")`` writes."""
    import h5py

    layers = [{"class_name": "InputLayer",
               "config": {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False,
                          "ragged": False, "name": "dense_input"}}]
    for layer in model.layers:
        layers.append({"class_name": "Dense", "config": {
            "name": layer.name, "trainable": layer.trainable, "dtype": "float32",
            "units": layer.units,
            "activation": keras.activations.serialize(layer.activation),
            "use_bias": layer.use_bias,
            "kernel_initializer": _initializer(layer.kernel_initializer),
            "bias_initializer": _initializer(layer.bias_initializer),
            "kernel_regularizer": _legacy(layer.kernel_regularizer),
            "bias_regularizer": _legacy(layer.bias_regularizer),
            "activity_regularizer": _legacy(layer.activity_regularizer),
            "kernel_constraint": _legacy(layer.kernel_constraint),
            "bias_constraint": _legacy(layer.bias_constraint)}})
    model_config = {"class_name": "Sequential",
                    "config": {"name": "sequential", "layers": layers}}
    opt = model.optimizer
    training_config = {
        "loss": "categorical_crossentropy",
        "metrics": [[{"class_name": "MeanMetricWrapper",
                      "config": {"name": "accuracy", "dtype": "float32",
                                 "fn": "categorical_accuracy"}}]],
        "weighted_metrics": None, "loss_weights": None,
        "optimizer_config": {"class_name": "Custom>Adam", "config": {
            "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
            "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
            "ema_overwrite_frequency": None, "jit_compile": False, "is_legacy_optimizer": False,
            "learning_rate": float(opt.learning_rate), "beta_1": 0.9, "beta_2": 0.999,
            "epsilon": 1e-07, "amsgrad": False}}}
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([layer.name.encode() for layer in model.layers])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = b"2.15.0"
        for layer in model.layers:
            lg = g.create_group(layer.name)
            names = [f"{layer.name}/{w.name}:0" for w in layer.weights]
            lg.attrs["weight_names"] = np.array([n.encode() for n in names])
            for n, w in zip(names, layer.weights):
                lg.create_dataset(n, data=np.asarray(w))
        # tf.keras 2's Adam: iter, then m of every weight, then v of every weight.
        og = f.create_group("optimizer_weights")
        names = ["Adam/iter:0"]
        values = [np.asarray(int(opt.iterations), dtype=np.int64)]
        for slot, slots in (("m", opt._momentums), ("v", opt._velocities)):
            for layer in model.layers:
                for w in layer.trainable_weights:
                    names.append(f"Adam/{layer.name}/{w.name}/{slot}:0")
                    values.append(np.asarray(slots[opt._get_variable_index(w)]))
        og.attrs["weight_names"] = np.array([n.encode() for n in names])
        for n, v in zip(names, values):
            og.create_dataset(n, data=v)


# ----------------------------------------------------------------------------- part 2
FAILURES: list[str] = []


def check(label: str, actual: Any, expected: Any, dtype: str) -> None:
    rtol, atol = TOL[dtype]
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    ok = a.shape == e.shape and np.allclose(a, e, rtol=rtol, atol=atol)
    diff = float(np.max(np.abs(a - e))) if a.shape == e.shape and a.size else 0.0
    print(f"  {'ok  ' if ok else 'FAIL'} {label} (max |diff| {diff:.2e})")
    if not ok:
        FAILURES.append(label)


def keras_reads_ours(keras: Any, mk: Any, name: str, record: dict[str, Any],
                     tmp: Path) -> None:
    dtype = record["dtype"]
    use_dtype(keras, dtype)
    mk.config.set_floatx("float32")
    ours = mk.models.load_model(OUT / f"{name}.keras")
    x = np.asarray(record["x"], dtype=dtype)
    check(f"{name}: minikeras predicts like Keras from Keras's .keras", ours.predict(x, verbose=0),
          record["predictions"], dtype)
    ours.save(tmp / f"{name}.keras", format="keras")
    ours.save_weights(tmp / f"{name}.weights.h5", format="keras")
    theirs = keras.models.load_model(tmp / f"{name}.keras")
    check(f"{name}: Keras predicts from our .keras", theirs.predict(x, verbose=0),
          record["predictions"], dtype)
    original = keras.models.load_model(OUT / f"{name}.keras")
    ok = type(theirs.optimizer).__name__ == record["optimizer"]["class_name"] \
        and len(theirs.optimizer.variables) == record["optimizer"]["n_variables"]
    print(f"  {'ok  ' if ok else 'FAIL'} {name}: Keras compiles our file with "
          f"{type(theirs.optimizer).__name__}, {len(theirs.optimizer.variables)} variables")
    if not ok:
        FAILURES.append(f"{name}: optimizer")
    for i, (a, b) in enumerate(zip(theirs.optimizer.variables, original.optimizer.variables)):
        check(f"{name}: optimizer variable {i} ({a.path}) as in Keras's own file", np.asarray(a),
              np.asarray(b), dtype)
    if "step" in record:
        xb, yb = (np.asarray(record["step"][k], dtype=dtype) for k in ("x", "y"))
        theirs.train_on_batch(xb, yb)
        for i, (a, b) in enumerate(zip(theirs.get_weights(), record["step"]["weights_after"])):
            check(f"{name}: Keras's next step from our file, weight {i}", a, b, dtype)
    fresh = keras.models.load_model(OUT / f"{name}.keras")
    for w in fresh.weights:
        w.assign(np.zeros(w.shape))
    fresh.load_weights(tmp / f"{name}.weights.h5")
    check(f"{name}: Keras predicts from our .weights.h5", fresh.predict(x, verbose=0),
          record["predictions"], dtype)


def minikeras_only_model(keras: Any, mk: Any, tmp: Path) -> None:
    """A model built and trained in minikeras alone, with every layer type, read by Keras."""
    use_dtype(keras, "float32")
    mk.config.set_floatx("float32")
    mk.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(32, 2, 3)).astype("float32")
    y = np.eye(3)[rng.integers(0, 3, 32)].astype("float32")
    L = mk.layers
    norm = L.Normalization()
    norm.adapt(x.reshape(32, 6))
    model = mk.Sequential([
        mk.Input((2, 3)), L.Reshape((6,)), norm,
        L.Normalization(mean=[0.0] * 6, variance=[2.0] * 6), L.Rescaling(2.0, offset=-0.5),
        L.Dense(8, activation="gelu", kernel_regularizer="l2", bias_constraint="non_neg",
                kernel_initializer="lecun_normal"),
        L.BatchNormalization(), L.LayerNormalization(), L.ReLU(max_value=3.0),
        L.LeakyReLU(), L.PReLU(), L.ELU(), L.Activation("swish"), L.Dropout(0.1),
        L.GaussianNoise(0.05), L.GaussianDropout(0.05), L.ActivityRegularization(l2=0.001),
        mk.Sequential([L.Dense(5, activation="softplus"), L.Identity()], name="inner"),
        L.Flatten(), L.Dense(3), L.Softmax()], name="built_in_minikeras")
    model.compile(mk.optimizers.Adam(0.01, amsgrad=True), "categorical_crossentropy",
                  metrics=["accuracy", mk.metrics.AUC()])
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    model.save(tmp / "ours.keras", format="keras")
    theirs = keras.models.load_model(tmp / "ours.keras")
    check("minikeras-only model: Keras predicts like minikeras", theirs.predict(x, verbose=0),
          model.predict(x, verbose=0), "float32")
    for i, (a, b) in enumerate(zip(theirs.optimizer.variables, model.optimizer.variables)):
        check(f"minikeras-only model: optimizer variable {i} ({a.path})", np.asarray(a),
              b.numpy(), "float32")

    # A frozen layer: minikeras's optimizer covers it (masked), Keras's leaves it out.
    mk.utils.set_random_seed(6)
    frozen = L.Dense(5, activation="tanh")
    frozen.trainable = False
    model = mk.Sequential([mk.Input((2, 3)), L.Flatten(), L.Dense(6, activation="relu"), frozen,
                           L.BatchNormalization(), L.Dense(3, activation="softmax")])
    model.compile(mk.optimizers.Nadam(0.01), "categorical_crossentropy")
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    model.save(tmp / "frozen.keras", format="keras")
    theirs = keras.models.load_model(tmp / "frozen.keras")
    print(f"  {'ok  ' if len(theirs.optimizer.variables) == 2 + 2 * 6 + 1 else 'FAIL'} frozen "
          f"layer: Keras's Nadam holds {len(theirs.optimizer.variables)} variables")
    for m in (model, theirs):
        m.train_on_batch(x[:8], y[:8])
    for i, (a, b) in enumerate(zip(theirs.get_weights(), model.get_weights())):
        check(f"frozen layer: the next step in Keras and in minikeras, weight {i}", a, b,
              "float32")


def main() -> None:
    if os.environ.get("KERAS_BACKEND") != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the module docstring).")
    import keras

    sys.path.insert(0, str(ROOT))
    import minikeras as mk

    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    rng = np.random.default_rng(20240611)
    records, models = {}, {}
    for name in MODELS:
        models[name], records[name] = make(keras, name, rng)
        print(f"{name}: wrote {', '.join(name + s for s in MODELS[name]['files'])}")
    use_dtype(keras, "float32")
    write_tf2_h5(keras, keras.models.load_model(OUT / "mlp.keras"), OUT / "mlp_tf2.h5")
    payload = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
               "models": records}
    (OUT / "golden.json").write_text(json.dumps(payload))
    sizes = {p.name: p.stat().st_size for p in sorted(OUT.iterdir())}
    print("sizes:", ", ".join(f"{k} {v // 1024} KiB" for k, v in sizes.items()),
          f"(total {sum(sizes.values()) // 1024} KiB)")

    print("Part 2: Keras reads files written by minikeras (format='keras')")
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, record in records.items():
            keras_reads_ours(keras, mk, name, record, Path(tmp))
        minikeras_only_model(keras, mk, Path(tmp))
    use_dtype(keras, "float32")
    if FAILURES:
        sys.exit(f"{len(FAILURES)} check(s) failed: {FAILURES}")
    print("all checks passed")


if __name__ == "__main__":
    main()
