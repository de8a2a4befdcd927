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
