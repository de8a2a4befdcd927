"""mk.config and mk.backend: floatx, epsilon, seeds and automatic names."""

from __future__ import annotations

import numpy as np
import pytest

import minikeras as mk


def test_floatx_defaults_to_float32_and_switches():
    assert mk.config.floatx() == "float32"
    mk.config.set_floatx("float64")
    assert mk.config.floatx() == "float64"
    assert mk.layers.Dense(2)(np.ones((1, 3))).dtype == np.float64
    assert mk.losses.MeanSquaredError()([[1]], [[2]]).dtype == np.float64
    assert mk.initializers.GlorotUniform()((2, 2)).dtype == np.float64
    mk.config.set_floatx(np.float32)  # a dtype is accepted too
    assert mk.config.floatx() == "float32"


@pytest.mark.parametrize("bad", ["float128", "int32", "double precision", "bfloat16"])
def test_set_floatx_rejects_other_types(bad):
    with pytest.raises((ValueError, TypeError), match="floatx|data type"):
        mk.config.set_floatx(bad)
    assert mk.config.floatx() == "float32"


def test_set_floatx_message_names_the_choices():
    with pytest.raises(ValueError, match=r"Unknown `floatx` value: 'int32'. Expected one of "
                                         r"float16, float32, float64"):
        mk.config.set_floatx("int32")


def test_epsilon():
    assert mk.config.epsilon() == 1e-7
    mk.config.set_epsilon(1e-5)
    try:
        assert mk.backend.epsilon() == 1e-5
    finally:
        mk.config.set_epsilon(1e-7)


def test_backend_names():
    for name in ("floatx", "set_floatx", "epsilon", "clear_session"):
        assert callable(getattr(mk.backend, name))
    assert mk.backend.floatx is mk.config.floatx
    assert mk.backend.set_floatx is mk.config.set_floatx
    assert mk.backend.epsilon is mk.config.epsilon


def test_clear_session_resets_automatic_names():
    first = mk.layers.Dense(1)
    second = mk.layers.Dense(1)
    assert (first.name, second.name) == ("dense", "dense_1")
    mk.backend.clear_session()
    assert mk.layers.Dense(1).name == "dense"
    assert mk.config.unique_name("thing") == "thing"
    assert mk.config.unique_name("thing") == "thing_1"


def test_random_seed():
    mk.config.set_random_seed(5)
    assert mk.config.global_seed() == 5
    a = mk.config.make_rng().normal(size=3)
    b = mk.config.make_rng().normal(size=3)
    mk.config.set_random_seed(5)
    np.testing.assert_array_equal(a, mk.config.make_rng().normal(size=3))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(mk.config.make_rng(3).normal(size=2),
                                  np.random.default_rng(3).normal(size=2))
    with pytest.raises(ValueError, match="seed"):
        mk.config.set_random_seed(1.5)


def test_before_any_seed_pythons_random_seeds_models_as_in_keras(monkeypatch):
    """Keras draws an unseeded object's seed from Python's `random`: `random.seed(n)`
    alone repeats a program's weights and shuffling (a fresh process has no seed set)."""
    import random

    monkeypatch.setattr(mk.config, "_global_seed", None)
    monkeypatch.setattr(mk.config, "_seed_sequence", None)
    x = np.random.default_rng(0).normal(size=(64, 3))
    y = (x[:, 0] > 0).astype("float32")

    def run():
        model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(4, activation="relu"),
                               mk.layers.Dense(1, activation="sigmoid")])
        first = model.get_weights()
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)  # shuffled batches
        return first, model.get_weights()

    random.seed(11)
    a_init, a_end = run()
    random.seed(11)
    b_init, b_end = run()
    for p, q in zip(a_init + a_end, b_init + b_end):
        np.testing.assert_array_equal(p, q)
    c_init, _ = run()  # the stream has moved on: other weights
    assert not np.array_equal(a_init[0], c_init[0])


def test_snake_case():
    assert mk.config.to_snake_case("BatchNormalization") == "batch_normalization"
    assert mk.config.to_snake_case("Dense") == "dense"


def test_keras_3_backend_questions_have_answers():
    assert mk.backend.backend() == mk.config.backend() == "numpy"
    assert mk.backend.image_data_format() == mk.config.image_data_format() == "channels_last"
    assert mk.version() == mk.__version__
    assert mk.Loss is mk.losses.Loss and mk.Metric is mk.metrics.Metric
    assert mk.Optimizer is mk.optimizers.Optimizer


def test_enable_unsafe_deserialization_exists_and_loading_stays_safe(tmp_path):
    mk.config.enable_unsafe_deserialization()  # keras.io examples call it before loading
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1)])
    model.save(tmp_path / "m.keras")
    assert mk.models.load_model(tmp_path / "m.keras").count_params() == 3


# ----------------------------------------------------------------------------- Keras 3 switches
def _tiny_model() -> mk.Sequential:
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_disabled_interactive_logging_sends_progress_to_logging(capsys, caplog):
    x, y = np.ones((8, 2)), np.ones((8, 1))
    mk.utils.disable_interactive_logging()
    assert not mk.config.is_interactive_logging_enabled()
    model = _tiny_model()
    with caplog.at_level("INFO", logger="minikeras"):
        model.fit(x, y, epochs=2, verbose=2)
        model.evaluate(x, y, verbose=1)
        model.summary()
        mk.callbacks.base.print_msg("a message")
    assert capsys.readouterr().out == ""
    logged = [r.getMessage() for r in caplog.records if r.name == "minikeras"]
    assert logged[0] == "Epoch 1/2" and logged[2] == "Epoch 2/2"
    assert any(m.startswith('Model: "sequential') for m in logged) and "a message" in logged
    mk.config.enable_interactive_logging()
    model.fit(x, y, epochs=1, verbose=2)
    assert "1/1" in capsys.readouterr().out


def test_max_epochs_and_steps_cap_fit_with_keras_warnings():
    x, y = np.ones((64, 2)), np.ones((64, 1))
    mk.config.set_max_epochs(2)
    mk.config.set_max_steps_per_epoch(3)
    assert (mk.config.max_epochs(), mk.config.max_steps_per_epoch()) == (2, 3)
    model = _tiny_model()
    with pytest.warns(UserWarning) as caught:
        history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert {str(w.message) for w in caught} == {"Limiting epochs to 2",
                                                 "Limiting steps_per_epoch to 3"}
    assert history.epoch == [0, 1] and history.params["steps"] == 3
    assert model.optimizer.iterations.numpy() == 6
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
        assert model.predict(x, batch_size=8, verbose=0).shape == (24, 1)  # as Keras does


def test_image_data_format_traceback_filtering_and_backend_helpers():
    mk.config.set_image_data_format("channels_first")
    assert mk.config.image_data_format() == mk.backend.image_data_format() == "channels_first"
    assert mk.layers.Flatten().data_format == "channels_first"
    with pytest.raises(ValueError, match="data_format"):
        mk.config.set_image_data_format("NHWC")
    mk.config.disable_traceback_filtering()
    assert not mk.config.is_traceback_filtering_enabled()
    mk.config.enable_traceback_filtering()
    assert mk.config.is_traceback_filtering_enabled()
    assert [mk.backend.get_uid("t"), mk.backend.get_uid("t"), mk.backend.get_uid("u")] == [1, 2, 1]
    mk.backend.clear_session()
    assert mk.backend.get_uid("t") == 1
    assert mk.backend.result_type("int64", "float16") == "float16"
    assert mk.backend.result_type("int8", "uint8") == "int16"
    assert mk.backend.result_type(int, "int8") == "int8"
    assert mk.backend.result_type(float, "int8") == "float32"
    assert mk.backend.is_float_dtype("float64") and not mk.backend.is_float_dtype("int32")
    assert mk.backend.is_int_dtype("uint8") and not mk.backend.is_int_dtype(float)
    assert mk.backend.standardize_dtype(np.float64) == "float64"
    assert mk.backend.is_keras_tensor(mk.Input((2,)))


def test_dtype_policies_as_keras_names_them():
    assert mk.config.dtype_policy() == mk.DTypePolicy("float32")
    mk.mixed_precision.set_global_policy("float64")
    assert mk.layers.Dense(2).dtype == "float64"
    assert mk.mixed_precision.global_policy().name == "float64"
    mk.config.set_dtype_policy(None)
    assert mk.layers.Dense(2).dtype == "float32"
    with pytest.warns(UserWarning, match="computes in float32"):
        mk.mixed_precision.set_global_policy("mixed_float16")
        model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(4),
                               mk.layers.Activation("linear", dtype="float32")])
    policy = mk.mixed_precision.global_policy()
    assert repr(policy) == '<DTypePolicy "mixed_float16">'
    assert policy.variable_dtype == policy.compute_dtype == "float32"
    assert [layer.dtype for layer in model.layers] == ["float32", "float32"]
    assert model.predict(np.ones((2, 3)), verbose=0).dtype == np.float32
    assert mk.layers.Dense(2, dtype=mk.DTypePolicy("float64")).dtype_policy.name == "float64"
    with pytest.raises(ValueError, match="Cannot convert 'float_7'"):
        mk.DTypePolicy("float_7")
    assert mk.DTypePolicy("int32").variable_dtype == "int32"  # integer inputs, as Keras
    inputs = mk.Sequential([mk.Input((4,), dtype="int32"), mk.layers.Dense(2)])
    assert inputs.predict(np.ones((2, 4), "int32"), verbose=0).shape == (2, 2)
    with pytest.warns(UserWarning, match="need no scaling"):
        assert isinstance(mk.mixed_precision.LossScaleOptimizer(mk.optimizers.Adam()),
                          mk.optimizers.Adam)
