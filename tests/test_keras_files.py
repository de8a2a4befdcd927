"""Keras's own files, both ways (the ``keras-files`` extra: h5py).

Reading: files written by Keras 3.15.1 (``tests/golden/make_golden_keras_files.py``:
``.keras``, ``.weights.h5``, Keras 3's legacy ``.h5``, and a tf.keras 2 layout
``.h5``) load and predict like Keras, with their compile settings and optimizer
state (the next training step equals Keras's). Writing: ``save(format="keras")``
and ``save_weights(format="keras")`` produce Keras 3's layout, checked here
member by member against the configs Keras itself wrote (the golden script
checks that Keras loads them). Hostile files (a Lambda with marshalled code, an
unknown class, a module path, HDF5 external links and the like) run nothing
and are refused with an error that names the problem.
"""

from __future__ import annotations

import base64
import io
import json
import marshal
import os
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import minikeras as mk
from minikeras.saving import LIMITS, UnsafeFileError
from minikeras.saving.atomic import set_fault_hook
from tests.helpers.tolerances import assert_close

GOLDEN_DIR = Path(__file__).parent / "golden" / "keras_files"
GOLDEN = json.loads((GOLDEN_DIR / "golden.json").read_text())["models"]


@pytest.fixture
def h5py():
    return pytest.importorskip("h5py", reason="Keras files need the keras-files extra (h5py)")


def _kind(name: str) -> str:
    return "keras64" if GOLDEN[name]["dtype"] == "float64" else "float32"


def _x(name: str, key: str = "x", record: dict | None = None) -> np.ndarray:
    return np.asarray((record or GOLDEN[name])[key], dtype=GOLDEN[name]["dtype"])


# ============================================================================ reading
LOADABLE = [("mlp.keras", "mlp"), ("mlp.h5", "mlp"), ("mlp_tf2.h5", "mlp"),
            ("norm.keras", "norm"), ("norm.h5", "norm"), ("layers64.keras", "layers64")]


@pytest.mark.parametrize("fname, name", LOADABLE)
def test_golden_files_predict_like_keras(h5py, fname, name):
    record = GOLDEN[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = mk.models.load_model(GOLDEN_DIR / fname)
    assert all(layer.dtype == record["dtype"] for layer in model._leaf_layers())
    assert_close(model.predict(_x(name), verbose=0), record["predictions"], _kind(name))
    for ours, theirs in zip(model.get_weights(), record["weights"], strict=True):
        assert_close(ours, theirs, _kind(name))
    assert model.compiled
    opt = record["optimizer"]
    assert type(model.optimizer).__name__ == opt["class_name"]
    assert_close(float(model.optimizer.learning_rate), opt["learning_rate"], "float32")
    messages = [str(w.message) for w in caught]
    if fname == "mlp_tf2.h5":
        # tf.keras 2's Adam keeps no learning-rate variable and orders m, v otherwise: as
        # Keras 3 does, the state is skipped with a warning and the optimizer starts afresh.
        assert any("Skipping variable loading for optimizer" in m for m in messages)
        assert int(model.optimizer.iterations) == 0
    else:
        assert messages == []
        assert int(model.optimizer.iterations) == opt["iterations"]


@pytest.mark.parametrize("fname, name", [("mlp.keras", "mlp"), ("mlp.h5", "mlp"),
                                         ("layers64.keras", "layers64")])
def test_next_training_step_equals_keras(h5py, fname, name):
    """The optimizer state carried over: one more step from the file lands where Keras's did."""
    step = GOLDEN[name]["step"]
    model = mk.models.load_model(GOLDEN_DIR / fname)
    loss = model.train_on_batch(_x(name, "x", step), _x(name, "y", step), return_dict=True)["loss"]
    assert_close(loss, step["loss"], _kind(name))
    for ours, theirs in zip(model.get_weights(), step["weights_after"], strict=True):
        assert_close(ours, theirs, _kind(name))


def test_compile_settings_restored(h5py):
    model = mk.models.load_model(GOLDEN_DIR / "layers64.keras")
    assert model._loss.name == "binary_crossentropy"
    assert model.loss == "binary_crossentropy"  # as the file names it
    assert [type(m).__name__ for m in model._metric_specs] == ["AUC"]
    opt = model.optimizer
    assert (opt.rho, opt.momentum, opt.centered) == (0.9, 0.5, True)
    assert not mk.models.load_model(GOLDEN_DIR / "norm.keras", compile=False).compiled


def test_tf_keras2_metrics_and_optimizer_spelling(h5py):
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        model = mk.models.load_model(GOLDEN_DIR / "mlp_tf2.h5")
    assert model._metric_specs == ["accuracy"]  # MeanMetricWrapper(fn=categorical_accuracy)
    assert type(model.optimizer).__name__ == "Adam"  # "Custom>Adam" in tf.keras 2.11+
    model.fit(_x("mlp"), np.eye(3)[[0, 1, 2, 0, 1, 2]], epochs=1, verbose=0)


def _mlp_by_hand() -> mk.Sequential:
    return mk.Sequential([mk.Input((4,)), mk.layers.Dense(8, activation="relu"),
                          mk.layers.Dense(6, activation="tanh", trainable=False),
                          mk.layers.Dense(3, activation="softmax")])


def test_load_weights_from_keras_weights_file(h5py):
    model = _mlp_by_hand()  # other layer names: Keras 3 files place weights by class and order
    model.compile(mk.optimizers.Adam(0.01), "categorical_crossentropy")
    model.train_on_batch(np.zeros((2, 4), "float32"), np.eye(3)[[0, 1]])  # builds the optimizer
    model.load_weights(GOLDEN_DIR / "mlp.weights.h5")
    for ours, theirs in zip(model.get_weights(), GOLDEN["mlp"]["weights"], strict=True):
        assert_close(ours, theirs, "float32")
    assert_close(model.predict(_x("mlp"), verbose=0), GOLDEN["mlp"]["predictions"], "float32")
    assert int(model.optimizer.iterations) == GOLDEN["mlp"]["optimizer"]["iterations"]


@pytest.mark.parametrize("fname, name", [("layers64.keras", "layers64"), ("norm.h5", "norm"),
                                         ("mlp.h5", "mlp"), ("mlp_tf2.h5", "mlp")])
def test_load_weights_from_model_files(h5py, fname, name):
    model = mk.models.load_model(GOLDEN_DIR / f"{name}.keras", compile=False)
    for v in model.weights:
        v.assign(np.zeros(v.shape))
    model.load_weights(GOLDEN_DIR / fname)
    assert_close(model.predict(_x(name), verbose=0), GOLDEN[name]["predictions"], _kind(name))


def test_load_weights_checks_everything_first(h5py):
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(8), mk.layers.Dense(5),
                           mk.layers.Dense(3)])
    before = model.get_weights()
    with pytest.raises(ValueError, match="Nothing was changed") as info:
        model.load_weights(GOLDEN_DIR / "mlp.weights.h5")
    assert "mlp.weights.h5" in str(info.value) and "(8, 5) in the model but (8, 6)" in str(
        info.value)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="Skipped 2 layer"):
        model.load_weights(GOLDEN_DIR / "mlp.weights.h5", skip_mismatch=True)
    assert_close(model.get_weights()[0], GOLDEN["mlp"]["weights"][0], "float32")
    with pytest.raises(ValueError, match="by_name=True works with tf.keras 2"):
        model.load_weights(GOLDEN_DIR / "mlp.weights.h5", by_name=True)
    short = mk.Sequential([mk.Input((4,)), mk.layers.Dense(8)])
    with pytest.raises(ValueError, match="for layers the model does not have"):
        short.load_weights(GOLDEN_DIR / "mlp.weights.h5")
    with pytest.raises(ValueError, match="Keras weights file"):
        mk.models.load_model(GOLDEN_DIR / "mlp.weights.h5")


def test_legacy_by_name(h5py):
    model = mk.models.load_model(GOLDEN_DIR / "mlp.keras", compile=False)
    for v in model.weights:
        v.assign(np.zeros(v.shape))
    model.load_weights(GOLDEN_DIR / "mlp.h5", by_name=True)
    assert_close(model.predict(_x("mlp"), verbose=0), GOLDEN["mlp"]["predictions"], "float32")


def test_file_objects(h5py):
    data = (GOLDEN_DIR / "mlp.keras").read_bytes()
    model = mk.models.load_model(io.BytesIO(data))
    assert_close(model.predict(_x("mlp"), verbose=0), GOLDEN["mlp"]["predictions"], "float32")
    model = mk.models.load_model(io.BytesIO((GOLDEN_DIR / "norm.h5").read_bytes()))
    assert_close(model.predict(_x("norm"), verbose=0), GOLDEN["norm"]["predictions"], "float32")


def test_without_h5py_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "h5py", None)  # `import h5py` now raises ImportError
    for fname in ("mlp.keras", "norm.h5"):
        with pytest.raises(ImportError, match=r"minikeras\[keras-files\]"):
            mk.models.load_model(GOLDEN_DIR / fname)
    model = _mlp_by_hand()
    with pytest.raises(ImportError, match="keras-files"):
        model.load_weights(GOLDEN_DIR / "mlp.weights.h5")
    with pytest.raises(ImportError, match="keras-files"):
        model.save(tmp_path / "m.keras", format="keras")
    assert not os.listdir(tmp_path)
    model.save(tmp_path / "own.keras")  # minikeras's own format needs no h5py
    mk.models.load_model(tmp_path / "own.keras")


# ============================================================================ writing
def _keras_configs() -> dict[str, set[str]]:
    """The config keys Keras 3 wrote for each layer class in the golden ``.keras`` files."""
    keys: dict[str, set[str]] = {}

    def walk(spec):
        keys.setdefault(spec["class_name"], set()).update(spec["config"])
        for layer in spec["config"].get("layers", []):
            walk(layer)

    for name in ("mlp", "norm", "layers64"):
        with zipfile.ZipFile(GOLDEN_DIR / f"{name}.keras") as zf:
            walk(json.loads(zf.read("config.json")))
    return keys


def _every_layer_model(dtype: str = "float32", seed: int = 3):
    mk.config.set_floatx(dtype)
    mk.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 2, 3)).astype(dtype)
    y = np.eye(3, dtype=dtype)[rng.integers(0, 3, 16)]
    L = mk.layers
    norm = L.Normalization()
    norm.adapt(x.reshape(16, 6))
    model = mk.Sequential([
        mk.Input((2, 3)), L.Reshape((6,)), norm,
        L.Normalization(mean=[0.5] * 6, variance=[2.0] * 6), L.Rescaling(0.5, offset=0.1),
        L.Dense(8, activation="gelu", kernel_regularizer=mk.regularizers.L2(0.01),
                activity_regularizer=mk.regularizers.L1(0.001),
                kernel_constraint=mk.constraints.MaxNorm(3.0)),
        L.BatchNormalization(), L.LayerNormalization(), L.ReLU(max_value=4.0), L.LeakyReLU(),
        L.PReLU(), L.ELU(), L.Activation("tanh"), L.Dropout(0.2), L.GaussianNoise(0.1),
        L.GaussianDropout(0.1), L.ActivityRegularization(l2=0.001),
        mk.Sequential([L.Dense(5, activation="softplus"), L.Identity(), L.Flatten()],
                      name="inner"),
        L.Dense(3), L.Softmax()])
    model.compile(mk.optimizers.Adam(0.01), "categorical_crossentropy",
                  metrics=["accuracy", mk.metrics.AUC(name="auc")])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    return model, x, y


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_written_keras_file_has_keras_layout(h5py, tmp_path):
    model, x, _ = _every_layer_model()
    path = tmp_path / "m.keras"
    model.save(path, format="keras")
    members = _members(path)
    assert sorted(members) == ["config.json", "metadata.json", "model.weights.h5"]
    assert json.loads(members["metadata.json"])["keras_version"].startswith("3.")
    spec = json.loads(members["config.json"])
    assert (spec["module"], spec["class_name"]) == ("keras", "Sequential")
    assert spec["build_config"] == {"input_shape": [None, 2, 3]}
    layers = spec["config"]["layers"]
    assert layers[0]["class_name"] == "InputLayer"
    assert layers[0]["config"]["batch_shape"] == [None, 2, 3]
    keras_keys = _keras_configs()
    for layer_spec, layer in zip(layers[1:], model.layers, strict=True):
        cls = type(layer).__name__
        assert layer_spec["class_name"] == cls
        assert set(layer_spec) <= {"module", "class_name", "config", "registered_name",
                                   "build_config", "compile_config"}
        assert layer_spec["module"] == ("keras" if cls == "Sequential" else "keras.layers")
        assert layer_spec["config"]["name"] == layer.name
        extra = set(layer_spec["config"]) - keras_keys[cls] - {"activity_regularizer"}
        assert not extra, f"{cls} config keys Keras does not write: {extra}"
        if cls != "Sequential":
            assert layer_spec["config"]["dtype"] == {
                "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                "registered_name": None}
    dense = layers[5]["config"]
    assert dense["name"] == model.layers[4].name
    assert dense["kernel_regularizer"] == {"module": "keras.regularizers", "class_name": "L2",
                                           "config": {"l2": 0.01}, "registered_name": None}
    assert dense["kernel_constraint"]["module"] == "keras.constraints"
    assert dense["kernel_initializer"]["module"] == "keras.initializers"
    compile_config = spec["compile_config"]
    assert compile_config["optimizer"]["class_name"] == "Adam"
    assert compile_config["optimizer"]["module"] == "keras.optimizers"
    assert compile_config["loss"] == "categorical_crossentropy"
    assert compile_config["metrics"][0] == "accuracy"
    assert compile_config["metrics"][1]["class_name"] == "AUC"

    with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as f:
        assert sorted(f) == ["layers", "optimizer", "vars"]
        assert f["vars"].attrs["name"] == model.name
        dense_vars = f["layers/dense/vars"]
        assert dense_vars.attrs["name"] == model.layers[4].name
        np.testing.assert_array_equal(dense_vars["0"][()], model.layers[4].kernel.numpy())
        bn = f["layers/batch_normalization/vars"]
        assert [bn[str(i)].shape for i in range(4)] == [(8,)] * 4
        assert len(f["layers/normalization/vars"]) == 3
        assert len(f["layers/normalization_1/vars"]) == 0
        inner = f["layers/sequential/layers/dense/vars"]
        np.testing.assert_array_equal(inner["0"][()], model.layers[16].layers[0].kernel.numpy())
        assert f["layers/dense_1/vars/0"].shape == (5, 3)
        opt_vars = f["optimizer/vars"]
        assert len(opt_vars) == len(model.optimizer.variables)
        for i, v in enumerate(model.optimizer.variables):
            np.testing.assert_array_equal(opt_vars[str(i)][()], v.numpy())


def test_written_file_round_trips_and_resumes(h5py, tmp_path):
    model, x, y = _every_layer_model()
    model.save(tmp_path / "m.keras", format="keras")
    loaded = mk.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert [type(m).__name__ if not isinstance(m, str) else m
            for m in loaded._metric_specs] == ["accuracy", "AUC"]


def test_float64_model_and_deterministic_resume(h5py, tmp_path):
    mk.config.set_floatx("float64")
    mk.utils.set_random_seed(1)
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(4, activation="tanh"),
                           mk.layers.BatchNormalization(), mk.layers.Dense(1)])
    model.compile(mk.optimizers.RMSprop(0.01, momentum=0.9, centered=True), "mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras", format="keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf, \
            h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
        assert f["layers/dense/vars/0"].dtype == np.float64
        spec = json.loads(zf.read("config.json"))
    assert spec["config"]["layers"][1]["config"]["dtype"]["config"]["name"] == "float64"
    mk.config.set_floatx("float32")  # the file's dtype wins over floatx
    loaded = mk.models.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].kernel.dtype == "float64"
    for m in (model, loaded):
        m.train_on_batch(x, y)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_save_weights_format_keras(h5py, tmp_path):
    model, x, _ = _every_layer_model()
    path = tmp_path / "m.weights.h5"
    model.save_weights(path, format="keras")
    with h5py.File(path, "r") as f:
        assert sorted(f) == ["layers", "optimizer", "vars"]
        assert len(f["optimizer/vars"]) == len(model.optimizer.variables)
    other, _, _ = _every_layer_model(seed=9)
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    assert int(other.optimizer.iterations) == int(model.optimizer.iterations)


def test_unbuilt_optimizer(h5py, tmp_path):
    """``save`` gives Keras a fully built optimizer state; ``save_weights`` writes it as is."""
    model = _mlp_by_hand()
    model.compile("adam", "categorical_crossentropy")
    model.save(tmp_path / "m.keras", format="keras")
    model.save_weights(tmp_path / "m.weights.h5", format="keras")
    assert not model.optimizer.built
    with zipfile.ZipFile(tmp_path / "m.keras") as zf, \
            h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
        # iteration, learning rate, m and v of the weights that train (Keras's list)
        assert len(f["optimizer/vars"]) == 2 + 2 * len(model.trainable_weights) == 10
        assert f["optimizer/vars/2"][()].shape == (4, 8)
    with h5py.File(tmp_path / "m.weights.h5", "r") as f:
        assert len(f["optimizer/vars"]) == 2
    loaded = mk.models.load_model(tmp_path / "m.keras")
    assert loaded.optimizer.built and int(loaded.optimizer.iterations) == 0


def test_custom_layer_needs_custom_objects(h5py, tmp_path):
    class TimesFactor(mk.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def forward(self, x, training=False):
            return x * self.factor

        def backward(self, grad_y):
            return grad_y * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = mk.Sequential([mk.Input((2,)), TimesFactor(3.0), mk.layers.Dense(1)])
    model.save(tmp_path / "c.keras", format="keras")
    spec = json.loads(_members(tmp_path / "c.keras")["config.json"])
    assert spec["config"]["layers"][1]["module"] == __name__
    with pytest.raises(UnsafeFileError, match="module 'tests.test_keras_files'") as info:
        mk.models.load_model(tmp_path / "c.keras")
    assert "'TimesFactor'" in str(info.value) and "custom_objects" in str(info.value)
    loaded = mk.models.load_model(tmp_path / "c.keras",
                                  custom_objects={"TimesFactor": TimesFactor})
    x = np.ones((2, 2), "float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_write_is_atomic_and_checked(h5py, tmp_path):
    model, _, _ = _every_layer_model()
    path = tmp_path / "m.keras"
    path.write_bytes(b"old")

    def fail(phase, target):
        if phase == "written":
            raise OSError("disk full")

    previous = set_fault_hook(fail)
    try:
        with pytest.raises(OSError, match="disk full"):
            model.save(path, format="keras")
    finally:
        set_fault_hook(previous)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["m.keras"]
    with pytest.raises(FileExistsError):
        model.save(path, format="keras", overwrite=False)
    with pytest.warns(UserWarning, match="ending in '.keras'"):
        model.save(tmp_path / "m.h5", format="keras")
    with pytest.warns(UserWarning, match="ending in '.weights.h5'"):
        model.save_weights(tmp_path / "w.h5", format="keras")
    buf = io.BytesIO()
    model.save(buf, format="keras")
    buf.seek(0)
    assert mk.models.load_model(buf).count_params() == model.count_params()


# ============================================================================ hostile files
# (`calls`, the fixture that blocks code-running calls, is in conftest.py)
@pytest.fixture
def good(h5py, tmp_path):
    """A small valid Keras file written by Keras (the golden ``mlp``), and its members."""
    mk.models.load_model(GOLDEN_DIR / "mlp.keras")  # warm up: modules a load needs are imported
    return _members(GOLDEN_DIR / "mlp.keras")


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _with_config(tmp_path, members, change, name="hostile.keras"):
    spec = json.loads(members["config.json"])
    change(spec)
    return _zip(tmp_path / name, {**members, "config.json": json.dumps(spec)})


def _refused(path, calls, match, kind=UnsafeFileError, load=None, marker=None):
    before = set(sys.modules)
    with pytest.raises(kind, match=match) as info:
        (load or mk.models.load_model)(path)
    assert os.path.basename(str(path)) in str(info.value)
    assert calls == []
    assert set(sys.modules) == before, "loading imported a module"
    if marker is not None:
        assert not os.path.exists(marker)
    return str(info.value)


def _lambda_payload(marker) -> dict:
    code = compile(f"open({str(marker)!r}, 'w').write('pwned')", "<payload>", "exec")
    return {"class_name": "__lambda__",
            "config": {"value": [base64.b64encode(marshal.dumps(code)).decode(), None, None]}}


def test_lambda_layer_with_marshalled_code_runs_nothing(good, calls, tmp_path):
    marker = tmp_path / "pwned"

    def add_lambda(spec):
        spec["config"]["layers"].insert(2, {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "sneaky", "function": _lambda_payload(marker),
                       "output_shape": None, "arguments": {}}})

    path = _with_config(tmp_path, good, add_lambda)
    message = _refused(path, calls, "Lambda", marker=marker)
    assert "'sneaky'" in message and "never runs code" in message
    _refused(path, calls, "Lambda", marker=marker,
             load=lambda p: mk.models.load_model(p, safe_mode=False))


@pytest.mark.parametrize("attack, match", [
    ("lambda_activation", "Lambda"),
    ("module_initializer", "module 'os'"),
    ("module_model", "module 'subprocess'"),
    ("module_function", "module 'posix'"),
    ("dotted_class", "'os.system'"),
    ("registered_name", "'evil>Payload'"),
    ("module_loss", "module 'builtins'"),
    ("nested_deep", "nested too deeply"),
    ("array_object", "not numeric"),
    ("keras_tensor", "__keras_tensor__"),
])
def test_config_attacks_are_refused(good, calls, tmp_path, attack, match):
    marker = tmp_path / "pwned"

    def change(spec):
        layers = spec["config"]["layers"]
        dense = layers[1]["config"]
        if attack == "lambda_activation":
            dense["activation"] = _lambda_payload(marker)
        elif attack == "module_initializer":
            dense["kernel_initializer"] = {"module": "os", "class_name": "system",
                                           "config": {"command": f"touch {marker}"},
                                           "registered_name": None}
        elif attack == "module_model":
            spec["module"] = "subprocess"
        elif attack == "module_function":
            dense["activation"] = {"module": "posix", "class_name": "function",
                                   "config": "system", "registered_name": "function"}
        elif attack == "dotted_class":
            layers[1]["class_name"] = "os.system"
            layers[1]["module"] = None
        elif attack == "registered_name":
            layers[1]["registered_name"] = "evil>Payload"
        elif attack == "module_loss":
            spec["compile_config"]["loss"] = {"module": "builtins", "class_name": "eval",
                                              "config": {}, "registered_name": None}
        elif attack == "nested_deep":
            deep: dict = {}
            for _ in range(150):
                deep = {"x": [deep]}
            dense["kernel_initializer"] = {"class_name": "GlorotUniform", "config": deep}
        elif attack == "array_object":
            layers[1]["config"]["bias_initializer"] = {
                "class_name": "Constant", "config": {"value": {
                    "class_name": "__numpy__", "config": {"value": [1], "dtype": "object"}}}}
        elif attack == "keras_tensor":
            dense["units"] = {"class_name": "__keras_tensor__", "config": {}}

    message = _refused(_with_config(tmp_path, good, change), calls, match, marker=marker)
    assert "refused" in message


def test_unknown_classes_are_named(good, calls, tmp_path):
    def conv(spec):
        spec["config"]["layers"][1]["class_name"] = "Conv2D"

    message = _refused(_with_config(tmp_path, good, conv), calls, "no 'Conv2D' layer", ValueError)
    assert "custom_objects" in message and "Dense" in message

    def functional(spec):
        spec["class_name"] = "Functional"

    _refused(_with_config(tmp_path, good, functional, "f.keras"), calls,
             "Sequential models only", ValueError)

    def quantized(spec):
        spec["config"]["layers"][1]["config"]["quantization_config"] = {"mode": "int8"}

    _refused(_with_config(tmp_path, good, quantized, "q.keras"), calls, "quantization_config",
             ValueError)

    def rms(spec):
        for layer in spec["config"]["layers"]:
            if layer["class_name"] == "LayerNormalization":
                layer["config"]["rms_scaling"] = True

    norm = _members(GOLDEN_DIR / "norm.keras")
    message = _refused(_with_config(tmp_path, norm, rms, "rms.keras"), calls,
                       "rms_scaling=True", ValueError)
    assert "'layer_normalization" in message

    def bad_optimizer(spec):
        spec["compile_config"]["optimizer"]["class_name"] = "Shampoo"

    _refused(_with_config(tmp_path, good, bad_optimizer, "o.keras"), calls, "Shampoo",
             ValueError)
    mk.models.load_model(tmp_path / "o.keras", compile=False)


def _h5_bytes(h5py, change) -> bytes:
    """A Keras 3 weights file for the golden ``mlp`` with one thing changed."""
    buf = io.BytesIO()
    weights = GOLDEN["mlp"]["weights"]
    with h5py.File(buf, "w") as f:
        for i, key in enumerate(("dense", "dense_1", "dense_2")):
            g = f.create_group(f"layers/{key}/vars")
            g.attrs["name"] = key
            g["0"] = np.asarray(weights[2 * i], "float32")
            g["1"] = np.asarray(weights[2 * i + 1], "float32")
        f.create_group("vars").attrs["name"] = "mlp"
        change(f)
    return buf.getvalue()


@pytest.mark.parametrize("attack, match", [
    ("external_link", "external link"),
    ("soft_link", "SoftLink"),
    ("external_storage", "external files"),
    ("reference", "object references"),
    ("plugin_filter", "plugin library"),
    ("shape_bomb", "shape or decompression bomb"),
    ("cycle", "links back"),
])
def test_hdf5_attacks_are_refused(good, calls, h5py, tmp_path, attack, match):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(6, dtype="float32").tobytes())

    def change(f):
        if attack == "external_link":
            del f["layers/dense/vars/0"]
            f["layers/dense/vars/0"] = h5py.ExternalLink(str(secret), "/data")
        elif attack == "soft_link":
            f["layers/dense/vars/2"] = h5py.SoftLink("/layers/dense/vars/0")
        elif attack == "external_storage":
            del f["layers/dense/vars/0"]
            f["layers/dense/vars"].create_dataset("0", shape=(4, 8), dtype="float32",
                                                  external=[(str(secret), 0, 128)])
        elif attack == "reference":
            f["layers/dense/vars"].create_dataset(
                "2", data=np.array([f["vars"].ref], dtype=h5py.ref_dtype))
        elif attack == "plugin_filter":
            f["layers/dense/vars"].create_dataset("2", shape=(4,), dtype="float32", chunks=(4,),
                                                  compression=32004, allow_unknown_filter=True)
        elif attack == "shape_bomb":
            del f["layers/dense/vars/0"]
            f["layers/dense/vars"].create_dataset("0", shape=(1 << 20, 1 << 10), dtype="float64",
                                                  chunks=(1 << 10, 1 << 4), compression="gzip")
        elif attack == "cycle":
            f["layers/dense/loop"] = f["layers"]

    raw = _h5_bytes(h5py, change)
    path = _zip(tmp_path / "h.keras", {**good, "model.weights.h5": raw})
    _refused(path, calls, match)
    weights_file = tmp_path / "h.weights.h5"
    weights_file.write_bytes(raw)
    model = _mlp_by_hand()
    before = model.get_weights()
    _refused(weights_file, calls, match, load=model.load_weights)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_limits_apply_to_keras_files(good, calls, h5py, tmp_path, monkeypatch):
    _refused(_zip(tmp_path / "trav.keras", {**good, "../evil.json": b"{}"}), calls,
             "path traversal")
    _refused(_zip(tmp_path / "npz.keras", {k: v for k, v in good.items()
                                           if k != "model.weights.h5"}
                  | {"model.weights.npz": b"PK"}), calls, "pickled dict")
    monkeypatch.setitem(LIMITS, "max_total_bytes", 500)
    _refused(GOLDEN_DIR / "mlp.weights.h5", calls, "datasets declare more than 500 bytes",
             load=_mlp_by_hand().load_weights)
    monkeypatch.setitem(LIMITS, "max_total_bytes", 16 << 30)
    monkeypatch.setitem(LIMITS, "max_members", 5)
    _refused(GOLDEN_DIR / "norm.h5", calls, "more than 5 HDF5 objects")


def test_legacy_h5_with_lambda_is_refused(calls, h5py, tmp_path):
    marker = tmp_path / "pwned"
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 2]}},
        {"class_name": "Lambda", "config": {"name": "lam", "function": [
            base64.b64encode(marshal.dumps(compile("1", "<p>", "eval"))).decode(), None, None],
            "function_type": "lambda"}}]}}
    path = tmp_path / "lam.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode()
        f.create_group("model_weights").attrs["layer_names"] = np.array([b"lam"])
    _refused(path, calls, "Lambda", marker=marker)


def test_frozen_layer_optimizer_state_round_trips(h5py, tmp_path):
    """minikeras's optimizer covers a frozen layer (masked); Keras's leaves it out."""
    mk.utils.set_random_seed(2)
    frozen = mk.layers.Dense(4, activation="tanh")
    frozen.trainable = False
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(5, activation="relu"), frozen,
                           mk.layers.Dense(2)])
    model.compile(mk.optimizers.Nadam(0.01), "mse")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 2)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    model.save(tmp_path / "f.keras", format="keras")
    with zipfile.ZipFile(tmp_path / "f.keras") as zf, \
            h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
        stored = [f[f"optimizer/vars/{i}"][()] for i in range(len(f["optimizer/vars"]))]
    assert len(stored) == 2 + 2 * 4 + 1  # iteration, rate, m and v of 4 weights, u_product
    last = model.layers[2]
    np.testing.assert_array_equal(stored[-3], model.optimizer.get_slot(last.bias, "momentum"))
    loaded = mk.models.load_model(tmp_path / "f.keras")
    assert not loaded.layers[1].trainable
    for m in (model, loaded):
        m.train_on_batch(x, y)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ registered functions
@mk.saving.register_keras_serializable(package="golden_custom")
def cube(x):
    return x * x * x


@mk.saving.register_keras_serializable(package="golden_custom")
def max_err(y_true, y_pred):
    return mk.ops.max(mk.ops.abs(y_true - y_pred), axis=-1)


@mk.saving.register_keras_serializable(package="golden_custom")
def half_mse(y_true, y_pred):
    return 0.5 * mk.ops.mean(mk.ops.square(y_true - y_pred), axis=-1)


@pytest.mark.parametrize("name", ["custom_functions.keras", "custom_functions.h5"])
def test_keras_files_with_registered_functions_load(h5py, name):
    """Keras writes a registered function as "golden_custom>cube" (the activation, the
    loss and a metric; tests/golden/make_golden_custom_functions.py made the files)."""
    golden = json.loads((GOLDEN_DIR / "custom_functions.json").read_text())
    model = mk.models.load_model(GOLDEN_DIR / name)
    x, y = np.asarray(golden["x"], "float32"), np.asarray(golden["y"], "float32")
    assert_close(model.predict(x, verbose=0), golden["predictions"], "float32")
    assert model.layers[0].activation.fn is cube
    scores = model.evaluate(x, y, verbose=0, return_dict=True)
    assert_close([scores["loss"], scores["max_err"]],
                 [golden["evaluate"]["loss"], golden["evaluate"]["max_err"]], "float32")


def test_registered_functions_are_written_by_their_registered_name_for_keras(h5py, tmp_path):
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(2, activation=cube),
                           mk.layers.Dense(1)])
    model.compile(optimizer="adam", loss=half_mse, metrics=[max_err])
    model.save(tmp_path / "m.keras", format="keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        config = json.loads(zf.read("config.json"))
    function = {"module": "builtins", "class_name": "function",
                "registered_name": "function"}  # Keras's form: found by that name
    assert config["config"]["layers"][1]["config"]["activation"] == {
        **function, "config": "golden_custom>cube"}
    assert config["compile_config"]["loss"] == {**function, "config": "golden_custom>half_mse"}
    assert config["compile_config"]["metrics"] == [{**function, "config": "golden_custom>max_err"}]
    again = mk.models.load_model(tmp_path / "m.keras")
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(4, 3)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert json.loads(model.to_json())["config"]["layers"][1]["config"]["activation"][
        "config"] == "golden_custom>cube"


def test_a_mixed_precision_keras_model_runs_in_float32_with_a_warning(h5py):
    """Keras's mixed_float16 keeps float32 weights; minikeras computes in float32, so the
    outputs differ from Keras's float16 computations by float16 rounding only."""
    golden = json.loads((GOLDEN_DIR / "mixed_float16.json").read_text())
    with pytest.warns(UserWarning, match="mixed-precision policy 'mixed_float16'"):
        model = mk.models.load_model(GOLDEN_DIR / "mixed_float16.keras", compile=False)
    assert {layer.dtype for layer in model.layers} == {"float32"}
    pred = model.predict(np.asarray(golden["x"], "float32"), verbose=0)
    assert_close(pred, golden["predictions"], "float16")


def test_a_loss_weight_crosses_in_keras_files(h5py, tmp_path):
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", loss_weights=0.5)
    model.save(tmp_path / "m.keras", format="keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert json.loads(zf.read("config.json"))["compile_config"]["loss_weights"] == 0.5
    assert mk.models.load_model(tmp_path / "m.keras")._loss_weight == 0.5
