"""Round trips of model.save / load_model and save_weights / load_weights, and clear errors.

Predictions, weights, optimizer state and continued training must be equal
bit for bit after a round trip (nothing is recomputed: the same bytes go back).
"""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import minikeras as mk
from minikeras import saving
from tests.helpers.tolerances import assert_close
from tests.saving_helpers.models import (
    LAYER_CASES,
    STRUCTURAL,
    assert_same_bits,
    compiled_every_layer_model,
    data,
    resume_model,
    training_state,
)

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "saving")


def _tiny(seed: int = 0, compile: bool = True) -> mk.Sequential:
    mk.utils.set_random_seed(seed)
    model = mk.Sequential([mk.Input((6,)), mk.layers.Dense(4, activation="relu"),
                           mk.layers.Dense(3, activation="softmax")])
    if compile:
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# ----------------------------------------------------------------------------- round trips
def test_every_layer_model_round_trip(tmp_path):
    model, x, y = compiled_every_layer_model()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "every.keras"
    model.save(path)
    loaded = mk.models.load_model(path)

    assert loaded.get_config() == model.get_config()
    assert [type(a) for a in loaded._leaf_layers()] == [type(a) for a in model._leaf_layers()]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert_same_bits(training_state(loaded), training_state(model))
    # Compile settings came back: same optimizer config (schedule included), loss, metrics.
    assert loaded.compiled
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert type(loaded.loss) is type(model.loss)
    assert loaded.metrics_names == model.metrics_names
    # fit continues exactly as the original does (RNG streams included: dropout, noise).
    h_orig = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    h_load = loaded.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    assert h_load == h_orig
    assert_same_bits(training_state(loaded), training_state(model))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_summary_of_loaded_model(tmp_path, capsys):
    model, x, y = compiled_every_layer_model()
    model.save(tmp_path / "m.keras")
    model.summary()
    expected = capsys.readouterr().out
    mk.models.load_model(tmp_path / "m.keras").summary()
    assert capsys.readouterr().out == expected
    assert "inner (Sequential)" in expected


def test_registry_cases_cover_every_layer():
    registered = {v.__name__ for v in mk.layers.LAYERS._entries.values()}
    missing = registered - set(LAYER_CASES) - STRUCTURAL
    assert not missing, (f"Layers without a save/load case: {sorted(missing)}. Add them to "
                         "tests/saving_helpers/models.py:LAYER_CASES.")


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_each_registered_layer_round_trips(tmp_path, name):
    kwargs, sample_shape = LAYER_CASES[name]
    cls = mk.layers.LAYERS.lookup(name)
    mk.utils.set_random_seed(1)
    layer = cls(**kwargs)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, *sample_shape))
    if name == "Normalization":
        layer.adapt(x)
    model = mk.Sequential([mk.Input(sample_shape), layer, mk.layers.Flatten(),
                           mk.layers.Dense(2)])
    model.compile(mk.optimizers.SGD(0.05, momentum=0.9), "mse")
    y = rng.normal(size=(16, 2))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = mk.models.load_model(tmp_path / "m.keras")
    assert type(loaded.layers[0]) is cls
    assert loaded.layers[0].get_config() == layer.get_config()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    h1 = model.fit(x, y, epochs=1, batch_size=8, verbose=0).history
    h2 = loaded.fit(x, y, epochs=1, batch_size=8, verbose=0).history
    assert h1 == h2
    assert_same_bits(training_state(loaded), training_state(model))


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "m.weights.h5", "model", "m.npz",
                                  "dir with space/m.keras"])
def test_any_file_name(tmp_path, name):
    model = _tiny()
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    model.save(path)
    x, _ = data()
    np.testing.assert_array_equal(mk.models.load_model(str(path)).predict(x, verbose=0),
                                  model.predict(x, verbose=0))
    other = _tiny(seed=5)
    other.save_weights(path)
    model.load_weights(path)
    assert_same_bits({str(i): w for i, w in enumerate(model.get_weights())},
                     {str(i): w for i, w in enumerate(other.get_weights())})


def test_float64_model_and_file_objects():
    mk.config.set_floatx("float64")
    model = _tiny()
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0)
    buf = io.BytesIO()
    mk.saving.save_model(model, buf)
    buf.seek(0)
    loaded = mk.models.load_model(buf)
    assert loaded.get_weights()[0].dtype == np.float64
    assert_same_bits(training_state(loaded), training_state(model))


def test_unbuilt_model_round_trip(tmp_path):
    model = mk.Sequential([mk.layers.Dense(3), mk.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.save(tmp_path / "u.keras")
    loaded = mk.models.load_model(tmp_path / "u.keras")
    assert not loaded.built and loaded.compiled
    x = np.ones((4, 5))
    assert loaded.predict(x, verbose=0).shape == (4, 1)


def test_compile_false_and_include_optimizer_false(tmp_path):
    model = _tiny()
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "a.keras", include_optimizer=False)
    loaded = mk.models.load_model(tmp_path / "a.keras")
    assert loaded.compiled and not loaded.optimizer.built
    assert not mk.models.load_model(tmp_path / "a.keras", compile=False).compiled


def test_custom_objects_passed(tmp_path):
    class Scale(mk.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def forward(self, x, training=False):
            return x * self.factor

        def backward(self, grad_y):
            return grad_y * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    def my_loss(y_true, y_pred):
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    def my_metric(y_true, y_pred):
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    def my_act(x):
        return np.tanh(x) * 2.0

    mk.utils.set_random_seed(0)
    model = mk.Sequential([mk.Input((3,)), Scale(3.0), mk.layers.Dense(2, activation=my_act)])
    model.compile("sgd", my_loss, metrics=[my_metric])
    x = np.random.default_rng(0).normal(size=(8, 3))
    model.fit(x, x[:, :2], epochs=1, verbose=0)
    model.save(tmp_path / "c.keras")

    with pytest.raises(ValueError, match="Unknown layer 'Scale'") as info:
        mk.models.load_model(tmp_path / "c.keras")
    assert "c.keras" in str(info.value) and "custom_objects" in str(info.value)
    with pytest.raises(ValueError, match="Unknown activation 'my_act'"):
        mk.models.load_model(tmp_path / "c.keras", custom_objects={"Scale": Scale})
    with pytest.raises(ValueError, match="my_loss"):
        mk.models.load_model(tmp_path / "c.keras",
                             custom_objects={"Scale": Scale, "my_act": my_act})

    objs = {"Scale": Scale, "my_loss": my_loss, "my_metric": my_metric, "my_act": my_act}
    loaded = mk.models.load_model(tmp_path / "c.keras", custom_objects=objs)
    assert loaded.layers[0].factor == 3.0
    assert loaded.metrics_names == model.metrics_names
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    h1 = model.fit(x, x[:, :2], epochs=1, verbose=0).history
    assert loaded.fit(x, x[:, :2], epochs=1, verbose=0).history == h1
    # The names were in scope during loading only.
    assert "Scale" not in mk.utils.get_custom_objects()
    with mk.utils.custom_object_scope(objs):
        assert mk.models.load_model(tmp_path / "c.keras").compiled
    assert "Scale" not in mk.utils.get_custom_objects()


def test_registered_custom_layer(tmp_path):
    @mk.utils.register_keras_serializable(package="SavingTests")
    class SavingTestsShift(mk.layers.Layer):
        def __init__(self, shift=1.0, **kwargs):
            super().__init__(**kwargs)
            self.shift = shift

        def forward(self, x, training=False):
            return x + self.shift

        def backward(self, grad_y):
            return grad_y

        def get_config(self):
            return {**super().get_config(), "shift": self.shift}

    try:
        model = mk.Sequential([mk.Input((2,)), SavingTestsShift(0.5), mk.layers.Dense(1)])
        model.save(tmp_path / "r.keras")
        loaded = mk.models.load_model(tmp_path / "r.keras")
        assert isinstance(loaded.layers[0], SavingTestsShift) and loaded.layers[0].shift == 0.5
    finally:
        for key in ("SavingTestsShift", "SavingTests>SavingTestsShift"):
            mk.utils.get_custom_objects().pop(key, None)
    with pytest.raises(ValueError, match="Unknown layer 'SavingTestsShift'"):
        mk.models.load_model(tmp_path / "r.keras")


def test_lambda_loss_saves_without_compile_settings(tmp_path):
    model = _tiny(compile=False)
    model.compile("sgd", lambda t, p: np.mean((t - p) ** 2, axis=-1))
    with pytest.warns(UserWarning, match="compile settings"):
        model.save(tmp_path / "l.keras")
    assert not mk.models.load_model(tmp_path / "l.keras").compiled


def test_unknown_save_format(tmp_path):
    model = _tiny()  # format="keras" is tested in test_keras_files.py
    with pytest.raises(ValueError, match="Unknown save format"):
        model.save(tmp_path / "k.keras", format="hdf5")
    assert not os.listdir(tmp_path)


def test_overwrite_false_keeps_the_file(tmp_path):
    path = tmp_path / "m.keras"
    _tiny(seed=1).save(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        _tiny(seed=2).save(path, overwrite=False)
    assert path.read_bytes() == before


def test_same_state_gives_same_bytes_and_no_temp_files_left(tmp_path):
    model = _tiny()
    model.save_weights(tmp_path / "a.weights.h5")
    model.save_weights(tmp_path / "b.weights.h5")
    assert (tmp_path / "a.weights.h5").read_bytes() == (tmp_path / "b.weights.h5").read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["a.weights.h5", "b.weights.h5"]


# ----------------------------------------------------------------------------- load_weights
def test_load_weights_restores_optimizer_state_when_built(tmp_path):
    x, y = data()
    model = resume_model(0)
    model.fit(x, y, epochs=2, verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    other = resume_model(1)
    other.fit(x, y, epochs=1, verbose=0)  # builds its optimizer for these weights
    other.load_weights(tmp_path / "w.weights.h5")
    assert_same_bits(training_state(other), training_state(model))


def test_load_weights_shape_mismatch_changes_nothing(tmp_path):
    _tiny().save_weights(tmp_path / "w.h5")
    mk.utils.set_random_seed(3)
    wider = mk.Sequential([mk.Input((6,)), mk.layers.Dense(4, activation="relu"),
                           mk.layers.Dense(5, name="head")])
    before = wider.get_weights()
    with pytest.raises(ValueError) as info:
        wider.load_weights(tmp_path / "w.h5")
    msg = str(info.value)
    assert "'head'" in msg and "(4, 5)" in msg and "(4, 3)" in msg and "w.h5" in msg
    assert "Nothing was changed" in msg
    for a, b in zip(wider.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_load_weights_layer_count_mismatch(tmp_path):
    _tiny().save_weights(tmp_path / "w.h5")
    mk.utils.set_random_seed(3)
    deeper = mk.Sequential([mk.Input((6,)), mk.layers.Dense(4), mk.layers.Dense(4),
                            mk.layers.Dense(3)])
    before = deeper.get_weights()
    with pytest.raises(ValueError, match="holds weights for 2 layers .* has 3 layers"):
        deeper.load_weights(tmp_path / "w.h5")
    for a, b in zip(deeper.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_load_weights_skip_mismatch_and_by_name(tmp_path):
    source = _tiny()
    source.save_weights(tmp_path / "w.h5")
    mk.utils.set_random_seed(3)
    target = mk.Sequential([mk.Input((6,)), mk.layers.Dense(4, activation="relu"),
                            mk.layers.Dense(5)])
    head_before = target.layers[1].get_weights()
    with pytest.warns(UserWarning, match="Skipped 1 layer"):
        target.load_weights(tmp_path / "w.h5", skip_mismatch=True)
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(), source.layers[0].kernel.numpy())
    np.testing.assert_array_equal(target.layers[1].kernel.numpy(), head_before[0])

    mk.utils.set_random_seed(4)
    named = mk.Sequential([mk.Input((6,)), mk.layers.Dense(4, name=source.layers[0].name),
                           mk.layers.Dense(2, name="other")])
    named.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(named.layers[0].kernel.numpy(), source.layers[0].kernel.numpy())


def test_load_weights_into_unbuilt_model(tmp_path):
    _tiny().save_weights(tmp_path / "w.h5")
    model = mk.Sequential([mk.layers.Dense(4), mk.layers.Dense(3)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.load_weights(tmp_path / "w.h5")


def test_load_model_on_weights_file(tmp_path):
    _tiny().save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="weights only"):
        mk.models.load_model(tmp_path / "w.h5")


# ----------------------------------------------------------------------------- bad files
def test_missing_file():
    with pytest.raises(FileNotFoundError, match="nope.keras"):
        mk.models.load_model("nope.keras")


def test_a_folder_is_refused_as_keras_refuses_it(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"")  # a TensorFlow SavedModel folder
    for expected in (IsADirectoryError, ValueError):  # Keras: ValueError
        with pytest.raises(expected, match="is a folder.*SavedModel"):
            mk.models.load_model(tmp_path)


@pytest.mark.parametrize("fname", ["tiny.keras", "tiny.weights.h5", "tiny_legacy.h5"])
def test_real_keras_files_load_or_are_named(fname):
    pytest.importorskip("h5py", reason="Keras files need the keras-files extra (h5py)")
    path = os.path.join(GOLDEN, fname)  # Keras interop itself: test_keras_files.py
    if fname == "tiny.weights.h5":
        with pytest.raises(ValueError, match="Keras weights file") as info:
            mk.models.load_model(path)
        assert fname in str(info.value)
    else:
        assert mk.models.load_model(path).count_params() == 11
    with pytest.raises(ValueError, match="Nothing was changed") as info:  # other shapes
        _tiny().load_weights(path)
    assert fname in str(info.value)


@pytest.mark.parametrize("content, what", [
    (b"", "is empty"),
    (b"hello world, not a model", "not a minikeras file"),
    (b'{"class_name": "Sequential"}', "model_from_json"),
    (b"\x80\x04\x95\x00\x00", "pickle"),
    (b"\x93NUMPY\x01\x00", ".npy"),
])
def test_other_kinds_of_file(tmp_path, content, what):
    path = tmp_path / "f.keras"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=what) as info:
        mk.models.load_model(path)
    assert "f.keras" in str(info.value)


def test_bare_npz_and_foreign_zip(tmp_path):
    np.savez(tmp_path / "a.npz", w=np.ones(3))
    with pytest.raises(ValueError, match="bare NumPy `.npz`"):
        mk.models.load_model(tmp_path / "a.npz")
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(ValueError, match="zip archive but not a minikeras file"):
        mk.models.load_model(tmp_path / "b.zip")


def test_truncated_files_give_clear_errors(tmp_path):
    model = _tiny()
    path = tmp_path / "m.keras"
    model.save(path)
    whole = path.read_bytes()
    rng = np.random.default_rng(0)
    cuts = sorted({1, 3, 4, 30, 100, len(whole) // 2, len(whole) - 22, len(whole) - 1,
                   *rng.integers(5, len(whole) - 1, size=12).tolist()})
    for cut in cuts:
        bad = tmp_path / f"cut{cut}.keras"
        bad.write_bytes(whole[:cut])
        with pytest.raises(ValueError) as info:
            mk.models.load_model(bad)
        assert f"cut{cut}.keras" in str(info.value), (cut, str(info.value))


def test_flipped_bytes_give_clear_errors(tmp_path):
    model = _tiny()
    path = tmp_path / "m.keras"
    model.save(path)
    whole = bytearray(path.read_bytes())
    rng = np.random.default_rng(1)
    x, _ = data()
    expected = model.predict(x, verbose=0)
    for trial, at in enumerate(rng.integers(0, len(whole), size=40)):
        bad = bytearray(whole)
        bad[at] ^= 0xFF
        target = tmp_path / f"flip{trial}.keras"
        target.write_bytes(bytes(bad))
        try:
            loaded = mk.models.load_model(target)
        except ValueError as err:  # corrupt: a clear error naming the file
            assert f"flip{trial}.keras" in str(err), str(err)
        else:  # a byte nobody reads (zip padding, an unused header field): the same model
            np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)


def test_newer_format_version_is_refused(tmp_path):
    _tiny().save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["minikeras.json"] = members["minikeras.json"].replace(
        b'"format_version": 1', b'"format_version": 99')
    with zipfile.ZipFile(tmp_path / "new.keras", "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    with pytest.raises(ValueError, match="newer minikeras"):
        mk.models.load_model(tmp_path / "new.keras")


def test_limits_are_public_and_warning_free(tmp_path):
    assert set(saving.LIMITS) == {"max_members", "max_total_bytes", "max_json_bytes",
                                  "max_ratio"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = _tiny()
        model.save(tmp_path / "m.keras")
        mk.models.load_model(tmp_path / "m.keras")


def test_model_from_json_reads_the_text_keras_3_writes():
    # Written by Keras 3.15.1 (torch backend): `model.to_json()` of Input(3) -> Dense(4, relu,
    # l2) -> BatchNormalization -> Dropout(0.2) -> Dense(1, sigmoid)
    text = (Path(__file__).parent / "golden" / "keras3_to_json.json").read_text()
    assert '"quantization_config"' in text and '"module": "keras' in text
    model = mk.models.model_from_json(text)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "BatchNormalization", "Dropout", "Dense"]
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)
    assert isinstance(model.layers[0].kernel_regularizer, mk.regularizers.L2)
    assert model.layers[2].rate == 0.2


def test_keras_serialization_helpers(tmp_path):
    @mk.saving.register_keras_serializable(package="tests_ser")
    class Twice(mk.layers.Layer):
        def call(self, inputs):
            return inputs * 2

    def squash(x):
        return x / (1 + abs(x))

    assert mk.saving.get_registered_name(Twice) == "tests_ser>Twice"
    assert mk.saving.get_registered_name(squash) == "squash"
    assert mk.saving.get_registered_object("tests_ser>Twice") is Twice
    spec = mk.saving.serialize_keras_object(mk.regularizers.L2(0.01))
    again = mk.saving.deserialize_keras_object(spec)
    assert isinstance(again, mk.regularizers.L2) and again.get_config() == spec["config"]
    dense = mk.saving.deserialize_keras_object(mk.saving.serialize_keras_object(
        mk.layers.Dense(3, activation="relu")))
    assert isinstance(dense, mk.layers.Dense) and dense.units == 3
    assert type(mk.saving.deserialize_keras_object({"class_name": "Twice", "config": {}},
                                                   custom_objects={"Twice": Twice})) is Twice
    assert mk.saving.serialize_keras_object(squash) == {
        "module": "builtins", "class_name": "function", "config": "squash",
        "registered_name": "function"}  # Keras 3's form of a function
    with pytest.raises(ValueError, match="anonymous"):
        mk.saving.serialize_keras_object(lambda x: x)
    with pytest.raises(ValueError, match="not a built-in name and not registered"):
        mk.saving.deserialize_keras_object({"class_name": "os.system", "config": {}})
    assert mk.utils.CustomObjectScope is mk.utils.custom_object_scope
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1)])
    mk.models.save_model(model, tmp_path / "m.keras")
    assert mk.models.load_model(tmp_path / "m.keras").count_params() == 3


def test_keras_serialization_names_the_module_and_reads_keras_specs():
    """The module tells a metric from a loss of the same name (Keras 3's dispatch)."""
    ser, de = mk.saving.serialize_keras_object, mk.saving.deserialize_keras_object
    for obj, module in [(mk.metrics.MeanSquaredError(), "keras.metrics"),
                        (mk.losses.MeanSquaredError(), "keras.losses"),
                        (mk.metrics.Hinge(), "keras.metrics"), (mk.losses.Hinge(), "keras.losses"),
                        (mk.initializers.Identity(gain=2.0), "keras.initializers"),
                        (mk.layers.Identity(), "keras.layers"),
                        (mk.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
                         "keras.optimizers.schedules"),
                        (mk.optimizers.Adam(0.01), "keras.optimizers"),
                        (mk.constraints.MaxNorm(2.0), "keras.constraints")]:
        spec = ser(obj)
        assert (spec["module"], spec["class_name"], spec["registered_name"]) == (
            module, type(obj).__name__, None)
        again = de(spec)
        assert type(again) is type(obj) and again.get_config() == obj.get_config()
    # Keras 3's own specs (keras.saving.serialize_keras_object output)
    keras_metric = {"module": "keras.metrics", "class_name": "MeanSquaredError",
                    "config": {"name": "mean_squared_error", "dtype": "float32"},
                    "registered_name": None}
    assert isinstance(de(keras_metric), mk.metrics.MeanSquaredError)
    assert de({"module": "builtins", "class_name": "function", "config": "mean_squared_error",
               "registered_name": "function"}) is mk.losses.mean_squared_error
    assert de(ser(mk.metrics.binary_accuracy)) is mk.metrics.binary_accuracy
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    spec = ser(model)
    assert spec["module"] == "keras" and spec["build_config"] == {"input_shape": [None, 2]}
    assert spec["compile_config"]["loss"] == "mse"
    assert de(spec).count_params() == 3


def test_add_loss_counts_in_layer_losses_and_evaluate_and_fit_refuses_it():
    """The keras.io layer guide's add_loss: Keras adds it to layer.losses, model.losses
    and evaluate's loss (per batch); minikeras cannot differentiate it, so fit refuses."""

    class Penalized(mk.layers.Layer):
        def __init__(self, rate=0.1, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * mk.ops.mean(inputs))
            return inputs

    layer = Penalized(0.5)
    layer(np.full((2, 3), 2.0, "float32"))
    assert layer.losses == [1.0]
    layer(np.ones((2, 3), "float32"))
    assert layer.losses == [0.5]  # the latest call's, not a running list
    model = mk.Sequential([mk.Input((3,)), Penalized(0.5),
                           mk.layers.Dense(1, kernel_initializer="ones",
                                           kernel_regularizer=mk.regularizers.L2(0.01))])
    assert model.losses == [0.03]  # the shape probe on zeros adds nothing; the L2 term
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 3), "float32"), np.zeros(4, "float32")
    assert_close(model.evaluate(x, y, verbose=0), 9.0 + 0.5 + 0.03, "float32")  # Keras: 9.53
    assert_close(model.losses, [0.5, 0.03], "float32")
    # Per batch, as Keras adds it: batches of mean 1 and 3 give penalties 0.5 and 1.5.
    x2 = np.concatenate([np.ones((2, 3)), np.full((2, 3), 3.0)]).astype("float32")
    mse = np.mean((x2.sum(axis=1) - 0) ** 2)
    assert_close(model.evaluate(x2, y, batch_size=2, verbose=0), mse + 1.0 + 0.03, "float32")
    before = model.get_weights()
    with pytest.raises(NotImplementedError, match=r"calls add_loss\(\).*activity_regularizer"):
        model.fit(x, y, verbose=0)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert model.predict(x, verbose=0).shape == (4, 1)


def test_model_from_json_restores_the_compile_settings_as_keras_does():
    # Keras 3.15.1's to_json() of a model compiled with adam, binary_crossentropy, accuracy
    text = (Path(__file__).parent / "golden" / "keras3_to_json_compiled.json").read_text()
    model = mk.models.model_from_json(text)
    assert model.compiled and model.loss == "binary_crossentropy"
    assert isinstance(model.optimizer, mk.optimizers.Adam) and model._metric_specs == ["accuracy"]
    ours = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    assert not mk.models.model_from_json(ours.to_json()).compiled
    ours.compile(mk.optimizers.SGD(0.1), "mse", metrics=["mae"])
    again = mk.models.model_from_json(ours.to_json())
    assert again.compiled and again.loss == "mse" and again.optimizer is not ours.optimizer
    assert float(again.optimizer.learning_rate) == pytest.approx(0.1)
    spec = json.loads(ours.to_json())
    # Keras 3's form, which Keras's own model_from_json needs (`module` on every object)
    assert (spec["module"], spec["class_name"], spec["registered_name"]) == (
        "keras", "Sequential", None)
    assert spec["compile_config"]["optimizer"]["module"] == "keras.optimizers"
    assert [layer["module"] for layer in spec["config"]["layers"]] == ["keras.layers"] * 2
    spec["compile_config"]["loss"] = {"class_name": "os.system", "config": {}}
    with pytest.raises(ValueError, match="never imports or runs what a file names"):
        mk.models.model_from_json(json.dumps(spec))
