"""Layers: gradients, Keras's outputs, names, weights, configs and freezing.

Gradient checks are parametrised over the layer registry, so a newly
registered layer fails here until it is given a gradient case. Outputs,
weight names and automatic names are compared with Keras 3's, recorded by
``tests/golden/make_golden_training.py`` in ``tests/golden/layers.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

import minikeras as mk
from minikeras import layers as L
from tests.golden.make_golden_training import LAYERS_OUT, load, run_layer_case
from tests.helpers.gradcheck import check_layer_gradients
from tests.helpers.tolerances import assert_close

GOLDEN = load(LAYERS_OUT)

# ----------------------------------------------------------------------------- Keras's outputs


@pytest.mark.parametrize("case", sorted(GOLDEN["cases"]))
def test_layer_matches_keras(case):
    golden = GOLDEN["cases"][case]
    _, ours = run_layer_case(mk, golden["spec"], golden["x"], golden["weights"])
    assert ours["name"] == golden["name"], "Keras's automatic name"
    assert ours["weights_before_build"] == golden["weights_before_build"] == 0
    for key in ("weight_names", "weight_paths", "weight_shapes", "trainable_weight_names",
                "non_trainable_weight_names", "output_shape"):
        assert ours[key] == golden[key], key
    assert_close(ours["inference"], golden["inference"], "keras64", err_msg="inference output")
    assert ours["inference"].shape == golden["inference"].shape
    assert ("training" in ours) == ("training" in golden)
    if "training" in golden:
        assert_close(ours["training"], golden["training"], "keras64", err_msg="training output")
        for a, e in zip(ours["weights_after_training_call"],
                        golden["weights_after_training_call"], strict=True):
            assert_close(a, e, "keras64", err_msg="weights after a training call")
    if "adapted" in golden:
        for a, e in zip(ours["adapted"], golden["adapted"], strict=True):
            assert_close(a, e, "keras64", err_msg="adapted statistics")


def test_golden_layers_cover_the_brief():
    classes = {g["spec"][0] for g in GOLDEN["cases"].values()}
    assert {"Dense", "BatchNormalization", "LayerNormalization", "PReLU", "Normalization",
            "Rescaling", "Flatten", "Reshape", "Activation", "Dropout"} <= classes


# ----------------------------------------------------------------------------- gradients
def _dense_3d() -> L.Layer:
    return L.Dense(3, activation="tanh")


def _adapted_normalization() -> L.Layer:
    layer = L.Normalization()
    layer.adapt(np.random.default_rng(3).normal(size=(50, 4)) * [1.0, 3.0, 0.5, 2.0] + 1.0)
    return layer


def _frozen_batchnorm() -> L.Layer:
    return L.BatchNormalization(trainable=False)


def _nested_sequential() -> L.Layer:
    return mk.Sequential([mk.Input((4,)), L.Dense(5, activation="tanh"),
                          L.BatchNormalization(), L.LayerNormalization(), L.Dense(3)])


_ACTIVATIONS = ("tanh", "sigmoid", "softmax", "gelu", "selu", "elu", "softplus", "swish",
                "softsign", "exponential", "linear", "relu", "leaky_relu", "hard_sigmoid",
                "mish", "log_softmax")

#: registered name -> [(case id, factory, input shape)]

@mk.saving.register_keras_serializable(package="tests")
def _scaled_tanh(x, scale=1.0):
    return np.tanh(x) * scale


GRADIENT_CASES: dict[str, list[tuple[str, Callable[[], L.Layer], tuple[int, ...]]]] = {
    "Dense": [("2d", lambda: L.Dense(3, activation="sigmoid"), (5, 4)),
              ("3d", _dense_3d, (2, 3, 4)),
              ("no_bias_relu", lambda: L.Dense(3, activation="relu", use_bias=False), (5, 4)),
              ("softmax", lambda: L.Dense(3, activation="softmax"), (5, 4)),
              # 16+ units: the bias gradient through BLAS; 20 classes: the 2-D softmax
              # path with its max over all columns at once
              ("wide_relu", lambda: L.Dense(18, activation="relu"), (5, 4)),
              ("wide_softmax", lambda: L.Dense(20, activation="softmax"), (5, 4))],
    "Activation": [(name, lambda name=name: L.Activation(name), (4, 5)) for name in _ACTIVATIONS],
    "ActivityRegularization": [("l1_l2", lambda: L.ActivityRegularization(0.01, 0.02), (4, 3))],
    "BatchNormalization": [("2d", L.BatchNormalization, (6, 4)),
                           ("3d", lambda: L.BatchNormalization(momentum=0.9), (3, 2, 4)),
                           ("axis1", lambda: L.BatchNormalization(axis=1), (3, 2, 4)),
                           ("no_scale", lambda: L.BatchNormalization(scale=False), (6, 3)),
                           ("frozen", _frozen_batchnorm, (6, 4))],
    "AlphaDropout": [("0.3", lambda: L.AlphaDropout(0.3, seed=1), (6, 5)),
                     ("noise_shape", lambda: L.AlphaDropout(0.5, noise_shape=(None, 1, 4)),
                      (3, 2, 4))],
    "Dropout": [("0.4", lambda: L.Dropout(0.4, seed=1), (6, 5)),
                ("noise_shape", lambda: L.Dropout(0.5, noise_shape=(None, 1, 4)), (3, 2, 4))],
    "ELU": [("0.7", lambda: L.ELU(0.7), (4, 5))],
    "Flatten": [("3d", L.Flatten, (2, 3, 4)),
                ("channels_first", lambda: L.Flatten(data_format="channels_first"), (2, 3, 4))],
    "GaussianDropout": [("0.3", lambda: L.GaussianDropout(0.3), (4, 5))],
    "GaussianNoise": [("0.5", lambda: L.GaussianNoise(0.5), (4, 5))],
    "Identity": [("2d", L.Identity, (4, 3))],
    "Lambda": [("tanh", lambda: L.Lambda(_scaled_tanh, arguments={"scale": 2.0}), (4, 3))],
    "InputLayer": [("2d", lambda: L.InputLayer(shape=(3,)), (4, 3))],
    "LayerNormalization": [("2d", L.LayerNormalization, (5, 4)),
                           ("3d_two_axes", lambda: L.LayerNormalization(axis=[1, 2]), (2, 3, 4)),
                           ("no_center", lambda: L.LayerNormalization(center=False), (5, 4))],
    "LeakyReLU": [("default", L.LeakyReLU, (4, 5))],
    "Normalization": [("adapted", _adapted_normalization, (5, 4)),
                      ("given", lambda: L.Normalization(mean=[1.0, 2.0, 3.0, 4.0],
                                                        variance=[1.0, 4.0, 0.25, 9.0]), (5, 4)),
                      ("invert", lambda: L.Normalization(mean=[1.0, -2.0, 0.0, 4.0],
                                                         variance=[2.0, 4.0, 0.25, 1.0],
                                                         invert=True), (5, 4))],
    "PReLU": [("2d", L.PReLU, (5, 4)), ("shared_axes", lambda: L.PReLU(shared_axes=[1]),
                                        (2, 3, 4))],
    "ReLU": [("default", L.ReLU, (4, 5)),
             ("options", lambda: L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2),
              (4, 5))],
    "Rescaling": [("scale_offset", lambda: L.Rescaling(0.5, offset=-1.0), (4, 3))],
    "Reshape": [("to_2x6", lambda: L.Reshape((2, -1)), (2, 3, 4))],
    "Sequential": [("nested", _nested_sequential, (6, 4))],
    "Softmax": [("last_axis", L.Softmax, (4, 5)), ("axis1", lambda: L.Softmax(axis=1), (2, 3, 4))],
}


def _gradient_params() -> list:
    params = []
    for name in L.LAYERS.names():
        cases = GRADIENT_CASES.get(name) or [(None, None, None)]
        for case_id, factory, shape in cases:
            for training in (False, True):
                mode = "training" if training else "inference"
                params.append(pytest.param(name, factory, shape, training,
                                           id=f"{name}-{case_id}-{mode}"))
    return params


def _randomize(layer: L.Layer, rng: np.random.Generator) -> None:
    """Non-trivial weights (positive variances), so every term of backward matters."""
    for v in layer.weights:
        name = v.name
        if name in ("moving_variance", "variance"):
            v.assign(rng.uniform(0.5, 2.0, size=v.shape))
        elif name == "count":
            continue
        elif name == "gamma":
            v.assign(1.0 + 0.3 * rng.normal(size=v.shape))
        elif name != "mean" or not isinstance(layer, L.Normalization):
            v.assign(rng.normal(size=v.shape) * 0.7)


def _away_from_kinks(x: np.ndarray) -> np.ndarray:
    """Keep inputs off the kinks of relu-like functions (0, 0.2, 1, +-3)."""
    for kink in (0.0, 0.2, 1.0, 3.0, -3.0):
        near = np.abs(x - kink) < 1e-3
        x[near] += 0.01
    return x


@pytest.mark.parametrize(("name", "factory", "shape", "training"), _gradient_params())
def test_layer_gradients(name, factory, shape, training):
    assert factory is not None, (f"layer {name!r} is registered but has no gradient case: add "
                                 "one to GRADIENT_CASES")
    mk.config.set_floatx("float64")
    layer = factory()
    rng = np.random.default_rng(5)
    x = _away_from_kinks(rng.normal(size=shape) * 1.3)
    layer(x)  # builds
    _randomize(layer, rng)
    if isinstance(layer, L.Normalization) and layer.invert:
        x = rng.normal(size=shape)
    if isinstance(layer, L.Lambda):  # call() only, by design: no backward to check
        with pytest.raises(NotImplementedError, match="no automatic differentiation"):
            check_layer_gradients(layer, x, training=training)
        return
    check_layer_gradients(layer, x, training=training)


def test_dropout_training_gradient_uses_the_forward_mask():
    mk.config.set_floatx("float64")
    layer = L.Dropout(0.5, seed=0)
    x = np.ones((50, 4))
    y = np.asarray(layer(x, training=True))
    grad = layer.backward(np.ones_like(x))
    assert set(np.unique(y)) == {0.0, 2.0}
    np.testing.assert_array_equal(grad, y)  # dy/dx is the mask itself
    assert np.array_equal(np.asarray(layer(x, training=False)), x)


def test_frozen_batchnorm_uses_moving_statistics_in_training_mode():
    mk.config.set_floatx("float64")
    layer = L.BatchNormalization(trainable=False)
    x = np.random.default_rng(0).normal(size=(8, 3)) * 2 + 1
    layer(x)
    layer.moving_mean.assign([0.5, -0.5, 1.0])
    layer.moving_variance.assign([2.0, 1.0, 0.5])
    before = layer.get_weights()
    y = np.asarray(layer(x, training=True))
    expected = (x - [0.5, -0.5, 1.0]) / np.sqrt(np.array([2.0, 1.0, 0.5]) + 1e-3)
    assert_close(y, expected, "internal64")
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- building
def test_lazy_build_and_weights_before_and_after():
    layer = L.Dense(3)
    assert not layer.built
    assert layer.weights == [] and layer.trainable_weights == []
    assert layer.non_trainable_weights == []
    out = layer(np.ones((2, 4), dtype="float32"))
    assert layer.built and out.shape == (2, 3)
    assert [v.name for v in layer.weights] == ["kernel", "bias"]
    assert layer.kernel.shape == (4, 3) and layer.bias.shape == (3,)
    assert [v.path for v in layer.weights] == ["dense/kernel", "dense/bias"]
    assert layer.output.shape == (None, 3)


def test_batchnorm_weight_order_and_trainability():
    layer = L.BatchNormalization()
    layer.build((None, 5))
    assert [v.name for v in layer.weights] == ["gamma", "beta", "moving_mean",
                                               "moving_variance"]
    assert [v.name for v in layer.trainable_weights] == ["gamma", "beta"]
    assert [v.name for v in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert all(v.shape == (5,) for v in layer.weights)


def test_normalization_weights_are_mean_variance_count():
    layer = L.Normalization()
    data = np.arange(12.0).reshape(6, 2) ** 1.5
    layer.adapt(data)
    mean, var, count = layer.get_weights()
    assert_close(mean, data.mean(axis=0), "float32")
    assert_close(var, data.var(axis=0), "float32")  # population variance, as Keras
    assert count.shape == ()
    assert layer.trainable_weights == []


def test_layer_and_model_calls_return_arrays_with_numpy():
    x = np.ones((3, 4), dtype="float32")
    layer = L.Dense(2)
    y = layer(x)
    assert isinstance(y, np.ndarray) and isinstance(y.numpy(), np.ndarray)
    assert type(y.numpy()) is np.ndarray
    model = mk.Sequential([mk.Input((4,)), L.Dense(2)])
    out = model(x)
    assert isinstance(out, np.ndarray) and type(out.numpy()) is np.ndarray
    assert out.numpy().shape == (3, 2) and out.dtype == np.float32


def test_output_shape_has_none_batch_axis():
    model = mk.Sequential([mk.Input((6,)), L.Dense(4), L.Reshape((2, 2)), L.Flatten()])
    assert [layer.output.shape for layer in model.layers] == [(None, 4), (None, 2, 2),
                                                               (None, 4)]
    with pytest.raises(AttributeError, match="never been called"):
        _ = L.Dense(2).output


def test_activation_is_the_public_function():
    assert L.Dense(2, activation="relu").activation is mk.activations.relu
    assert L.Dense(2, activation=mk.activations.tanh).activation is mk.activations.tanh
    assert L.Activation("sigmoid").activation is mk.activations.sigmoid
    assert L.Dense(2).activation is mk.activations.linear


@pytest.mark.parametrize("shape", [(4,), [4]], ids=["tuple", "list"])
@pytest.mark.parametrize("first", [
    lambda s: L.Dense(3, input_shape=s), lambda s: L.BatchNormalization(input_shape=s),
    lambda s: L.Dropout(0.2, input_shape=s), lambda s: L.Activation("relu", input_shape=s),
    lambda s: L.Normalization(input_shape=s), lambda s: L.LayerNormalization(input_shape=s),
    lambda s: L.Rescaling(2.0, input_shape=s), lambda s: L.PReLU(input_shape=s),
    lambda s: L.Flatten(input_shape=s), lambda s: L.LeakyReLU(input_shape=s),
], ids=["Dense", "BatchNormalization", "Dropout", "Activation", "Normalization",
        "LayerNormalization", "Rescaling", "PReLU", "Flatten", "LeakyReLU"])
def test_input_shape_on_any_first_layer(first, shape):
    with pytest.warns(UserWarning, match=r"Do not pass an `input_shape`/`input_dim` argument"):
        layer = first(shape)  # Keras 3's warning, which points at Input(shape)
    model = mk.Sequential([layer, L.Dense(1)])
    assert model.built
    assert model.input_shape == (None, 4)
    assert model.output_shape == (None, 1)
    assert model.predict(np.ones((2, 4)), verbose=0).shape == (2, 1)


def test_input_dim_on_first_layer():
    with pytest.warns(UserWarning, match=r"`input_shape`/`input_dim`"):
        model = mk.Sequential([L.Dense(2, input_dim=3)])
    assert model.built and model.input_shape == (None, 3)


def test_input_layer_in_a_layer_list_and_keras_input():
    for first in (L.InputLayer(shape=(4,)), mk.Input(shape=(4,)), mk.layers.Input((4,))):
        model = mk.Sequential([first, L.Dense(2)])
        assert model.built
        assert len(model.layers) == 1  # the InputLayer is not listed (Keras 3)
        assert model.input_shape == (None, 4)
    assert mk.Input((3, 2)).shape == (None, 3, 2)


def test_calling_a_layer_on_a_symbolic_input_names_sequential():
    with pytest.raises(ValueError, match="Sequential"):
        L.Dense(2)(mk.Input((3,)))


# ----------------------------------------------------------------------------- names
def test_automatic_names_count_per_process():
    m1 = mk.Sequential([mk.Input((3,)), L.Dense(2), L.Dense(1)])
    assert [layer.name for layer in m1.layers] == ["dense", "dense_1"]
    m2 = mk.Sequential([mk.Input((3,)), L.Dense(2), L.BatchNormalization(),
                        L.BatchNormalization()])
    assert [layer.name for layer in m2.layers] == ["dense_2", "batch_normalization",
                                                   "batch_normalization_1"]
    assert (m1.name, m2.name) == ("sequential", "sequential_1")
    mk.backend.clear_session()
    assert L.Dense(1).name == "dense"
    assert mk.Sequential().name == "sequential"
    assert L.Dense(1, name="output").name == "output"


def test_class_names_become_keras_snake_case():
    assert L.LeakyReLU().name == "leaky_re_lu"
    assert L.PReLU().name == "p_re_lu"
    assert L.ReLU().name == "re_lu"
    assert L.LayerNormalization().name == "layer_normalization"
    assert L.GaussianNoise(0.1).name == "gaussian_noise"


# ----------------------------------------------------------------------------- configs
#: registered name -> a configured instance (non-default arguments where there are any)
CONFIG_CASES: dict[str, Callable[[], L.Layer]] = {
    "Activation": lambda: L.Activation("tanh"),
    "ActivityRegularization": lambda: L.ActivityRegularization(l1=0.1, l2=0.2),
    "BatchNormalization": lambda: L.BatchNormalization(momentum=0.9, epsilon=0.01, center=False,
                                                       gamma_regularizer="l2"),
    "Dense": lambda: L.Dense(3, activation="relu", use_bias=False,
                             kernel_initializer="he_normal",
                             kernel_regularizer=mk.regularizers.L2(0.1),
                             activity_regularizer=mk.regularizers.L1(0.01),
                             kernel_constraint=mk.constraints.MaxNorm(2.0)),
    "AlphaDropout": lambda: L.AlphaDropout(0.2, noise_shape=(None, 1), seed=3),
    "Dropout": lambda: L.Dropout(0.3, noise_shape=(None, 1), seed=4),
    "ELU": lambda: L.ELU(alpha=0.5),
    "Flatten": L.Flatten,
    "GaussianDropout": lambda: L.GaussianDropout(0.2, seed=1),
    "GaussianNoise": lambda: L.GaussianNoise(0.4, seed=2),
    "Identity": L.Identity,
    "Lambda": lambda: L.Lambda(_scaled_tanh, output_shape=(4,), arguments={"scale": 2.0}),
    "InputLayer": lambda: L.InputLayer(shape=(4,)),
    "LayerNormalization": lambda: L.LayerNormalization(epsilon=0.01, scale=False),
    "LeakyReLU": lambda: L.LeakyReLU(negative_slope=0.1),
    "Normalization": lambda: L.Normalization(mean=[1.0, 2.0, 3.0, 4.0],
                                             variance=[1.0, 2.0, 3.0, 4.0], invert=True),
    "PReLU": lambda: L.PReLU(alpha_initializer="ones", shared_axes=None),
    "ReLU": lambda: L.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5),
    "Rescaling": lambda: L.Rescaling(1 / 255, offset=-0.5),
    "Reshape": lambda: L.Reshape((2, 2)),
    "Sequential": lambda: mk.Sequential([mk.Input((4,)), L.Dense(3, activation="tanh"),
                                         L.Dropout(0.1), L.Dense(2)], name="inner"),
    "Softmax": lambda: L.Softmax(axis=-1),
}


@pytest.mark.parametrize("name", L.LAYERS.names())
def test_get_config_from_config_round_trip(name):
    assert name in CONFIG_CASES, f"layer {name!r} has no config round-trip case"
    layer = CONFIG_CASES[name]()
    config = layer.get_config()
    json.dumps(config)  # plain JSON: no arrays or objects inside
    clone = type(layer).from_config(config)
    assert type(clone) is type(layer)
    assert clone.get_config() == config
    assert clone.name == layer.name
    served = L.deserialize(L.serialize(layer))
    assert served.get_config() == config
    if isinstance(layer, L.InputLayer):
        return
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    y = layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    assert_close(clone(x), y, "float32")


# ----------------------------------------------------------------------------- freezing
def _binary_model(**dense_kwargs) -> mk.Sequential:
    return mk.Sequential([mk.Input((3,)), L.Dense(4, activation="relu", **dense_kwargs),
                          L.BatchNormalization(), L.Dense(1, activation="sigmoid")])


def _binary_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


def test_frozen_layer_does_not_train_and_others_do():
    mk.utils.set_random_seed(1)
    model = _binary_model(trainable=False)
    x, y = _binary_data()
    model.compile("adam", "binary_crossentropy")
    frozen, last = model.layers[0], model.layers[2]
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2
    before_frozen, before_last = frozen.get_weights(), last.get_weights()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for a, b in zip(frozen.get_weights(), before_frozen):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(last.get_weights()[0], before_last[0])


def test_freezing_after_construction_and_unfreezing():
    mk.utils.set_random_seed(2)
    model = _binary_model()
    x, y = _binary_data()
    model.layers[0].trainable = False
    model.compile("sgd", "binary_crossentropy")
    before = model.layers[0].get_weights()
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], before[0])
    n_trainable = len(model.trainable_weights)
    model.layers[0].trainable = True
    assert len(model.trainable_weights) == n_trainable + 2
    model.compile("sgd", "binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.allclose(model.layers[0].get_weights()[0], before[0])


def test_frozen_batchnorm_keeps_its_statistics_during_fit():
    mk.utils.set_random_seed(3)
    model = _binary_model()
    bn = model.layers[1]
    bn.trainable = False
    x, y = _binary_data()
    model.compile("adam", "binary_crossentropy")
    before = bn.get_weights()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for a, b in zip(bn.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    unfrozen = _binary_model()
    unfrozen.compile("adam", "binary_crossentropy")
    stats = unfrozen.layers[1].moving_mean.numpy()
    unfrozen.fit(x, y, epochs=1, verbose=0)
    assert not np.allclose(unfrozen.layers[1].moving_mean.numpy(), stats)


def test_frozen_model_has_no_trainable_weights():
    model = _binary_model()
    model.trainable = False
    assert model.trainable_weights == []
    assert len(model.non_trainable_weights) == len(model.weights) == 8
    assert all(not layer.trainable for layer in model.layers)


def test_freezing_flips_each_weight_created_trainable_as_keras_does():
    model = _binary_model()  # Dense, BatchNormalization, Dense
    paths = [v.path for v in model.weights]
    bn = model.layers[1]
    kinds = [v.trainable for v in model.weights]
    assert kinds.count(False) == 2  # the moving statistics
    model.trainable = False
    assert not any(v.trainable for v in model.weights)
    assert [v.path for v in model.weights] == paths  # the order stays
    model.layers[0].trainable = True  # a layer thawed alone
    assert [v.trainable for v in model.layers[0].weights] == [True, True]
    assert model.trainable_weights == []  # the model is still frozen
    model.trainable = True
    assert [v.trainable for v in model.weights] == kinds
    assert not bn.moving_mean.trainable and not bn.moving_variance.trainable
    assert [v.path for v in model.trainable_weights] == [
        v.path for v, kind in zip(model.weights, kinds) if kind]


def test_a_weight_frozen_by_hand_stays_out_of_training():
    mk.utils.set_random_seed(4)
    model = _binary_model()
    x, y = _binary_data()
    kernel = model.layers[0].kernel
    kernel.trainable = False
    assert all(v is not kernel for v in model.trainable_weights)
    assert any(v is kernel for v in model.non_trainable_weights)
    model.compile("adam", "binary_crossentropy")
    before, bias = kernel.numpy().copy(), model.layers[0].bias.numpy().copy()
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(kernel.numpy(), before)
    assert not np.allclose(model.layers[0].bias.numpy(), bias)


def test_a_variable_prints_as_keras_prints_it():
    layer = mk.layers.Dense(2, bias_initializer="ones")
    layer.build((None, 3))
    assert repr(layer.bias) == (f"<Variable path={layer.bias.path}, shape=(2,), "
                                "dtype=float32, value=[1. 1.]>")


def test_normalization_count_is_int32_as_in_keras():
    layer = mk.layers.Normalization()
    layer.adapt(np.arange(12, dtype="float32").reshape(6, 2))
    mean, variance, count = layer.get_weights()
    assert count.dtype == np.int32 and int(count) == 0  # Keras never updates it either


def test_lambda_runs_first_in_fit_and_is_refused_where_fit_must_backpropagate(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(20, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("float32")
    model = mk.Sequential([mk.Input((4,)), L.Lambda(lambda t: t / 2.0),
                           L.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    kernel = model.layers[1].kernel.numpy()
    model.fit(x, y, epochs=2, verbose=0)  # preprocessing first: nothing to backpropagate into
    assert not np.array_equal(kernel, model.layers[1].kernel.numpy())
    dense = model.layers[1]
    assert_close(model.predict(x, verbose=0),
                 1 / (1 + np.exp(-((x / 2) @ dense.kernel.numpy() + dense.bias.numpy()))),
                 "float32")
    with pytest.raises(ValueError, match="anonymous function"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()
    head = mk.Sequential([mk.Input((4,)), L.Dense(3), L.Lambda(lambda t: t[:, :2],
                                                                 output_shape=(2,))])
    assert head.output_shape == (None, 2)
    head.compile("sgd", "mse")
    with pytest.raises(NotImplementedError, match=r"'lambda(_\d+)?' \(Lambda\)"):
        head.fit(x, np.zeros((20, 2)), verbose=0)
    with pytest.raises(ValueError, match="callable"):
        L.Lambda(3)
    with pytest.raises(ValueError, match="is unknown"):
        L.Lambda.from_config({"function": "no_such_function", "name": "l"})


def test_dtype_properties_keras_layers_read():
    layer = mk.layers.Dense(2, dtype="float64")
    assert layer.compute_dtype == layer.variable_dtype == "float64"
    assert mk.layers.Dense(2).compute_dtype == mk.config.floatx()
    model = mk.Sequential([mk.Input((2,)), layer])
    model.compile("sgd", "mse", run_eagerly=True, jit_compile=False)
    assert model.run_eagerly is True and model.jit_compile is False
    assert model.steps_per_execution == 1


def test_a_lambda_config_holding_code_is_refused_without_running_it():
    with pytest.raises(ValueError, match="never runs code.*refused"):
        L.Lambda.from_config({"name": "l", "function": {"class_name": "__lambda__",
                                                         "config": {"code": "boom"}}})



def test_from_config_reads_keras_3_configs_and_refuses_what_it_cannot_compute():
    import json
    import pathlib

    golden = pathlib.Path(__file__).parent / "golden" / "keras3_layer_configs.json"
    configs = json.loads(golden.read_text())  # Keras 3.15.1's own get_config() output
    dense = L.Dense.from_config(configs["Dense"])
    assert (dense.units, dense.activation.name, dense.name) == (3, "relu", "dense")
    bn = L.BatchNormalization.from_config(configs["BatchNormalization"])
    assert (bn.momentum, bn.epsilon) == (0.99, 0.001)
    quantized = {**configs["Dense"], "quantization_config": {"mode": "int8"}}
    with pytest.raises(ValueError, match=r"Dense.from_config sets quantization_config="):
        L.Dense.from_config(quantized)
    renorm = {**configs["BatchNormalization"], "renorm": True}
    with pytest.raises(ValueError, match=r"renorm=True, which minikeras does not implement"):
        L.BatchNormalization.from_config(renorm)


def test_alpha_dropout_keeps_selu_activations_standardized():
    """Keras's AlphaDropout: mean 0, variance 1 in, about mean 0, variance 1 out."""
    x = np.random.default_rng(0).standard_normal((2000, 50))
    layer = L.AlphaDropout(0.2, seed=0)
    y = np.asarray(layer(x, training=True))
    assert abs(float(y.mean())) < 0.02 and abs(float(y.std()) - 1.0) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p**2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p - a * alpha_p * 0.2)  # a * alpha_p + b
    assert abs(float(dropped.mean()) - 0.2) < 0.01
    assert_close(y[~dropped], a * x[~dropped] - a * alpha_p * 0.2, "float32")  # float32 layer
    assert_close(np.asarray(layer(x)), x, "float32")  # inference: the identity
    with pytest.raises(ValueError, match="rate"):
        L.AlphaDropout(1.0)


def test_flatten_channels_first_moves_channels_last_before_flattening():
    """Keras: (n, c, h, w) is transposed to (n, h, w, c) first, so the features keep the
    order a channels-last model would see."""
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    first = np.asarray(L.Flatten(data_format="channels_first")(x))
    np.testing.assert_array_equal(first, np.moveaxis(x, 1, -1).reshape(2, -1))
    np.testing.assert_array_equal(np.asarray(L.Flatten()(x)), x.reshape(2, -1))
    assert L.Flatten().get_config()["data_format"] == "channels_last"  # Keras's default
    with pytest.raises(ValueError, match="data_format"):
        L.Flatten(data_format="nchw")



def test_normalization_without_an_axis_takes_inputs_of_any_shape():
    """Keras: axis=None keeps one mean and variance, and the layer maps (50,) to (50,)."""
    x = np.linspace(0.0, 1.0, 50)
    layer = L.Normalization(axis=None)
    layer.adapt(x)
    y = np.asarray(layer(x))
    assert y.shape == (50,)
    assert_close([y.mean(), y.std()], [0.0, 1.0], "float32")
    assert np.asarray(layer(np.ones((4, 3)))).shape == (4, 3)
    with pytest.raises(ValueError, match="expects 3 input features"):  # an axis keeps its check
        adapted = L.Normalization()
        adapted.adapt(np.ones((5, 3)))
        adapted(np.ones((5, 4)))


@pytest.mark.parametrize("make", [lambda: L.Dropout(0.5), lambda: L.ReLU(), lambda: L.Softmax(),
                                  lambda: L.Activation("tanh"), lambda: L.GaussianNoise(0.1),
                                  lambda: L.ActivityRegularization(l1=0.1), lambda: L.Identity()])
def test_weightless_layers_are_built_at_construction_as_in_keras(make):
    layer = make()
    assert layer.built and layer.count_params() == 0
    model = mk.Sequential([mk.Input((3,)), layer, L.Dense(2)])
    assert layer.output.shape == (None, 3) and layer.get_build_config() == {
        "input_shape": [None, 3]}
    assert model.count_params() == 8


def test_layers_with_weights_or_their_own_build_wait_for_a_shape():
    for layer in (L.Dense(2), L.BatchNormalization(), L.Flatten(), L.PReLU()):
        assert not layer.built


def test_variable_is_created_with_keras_constructor():
    v = mk.Variable(initializer=mk.initializers.Ones(), shape=(2, 2), dtype="float32")
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 2), np.float32))
    assert v.dtype == "float32" and v.trainable and v.name == "variable"
    assert mk.Variable(np.array([1, 2]), dtype="float32").dtype == "float32"
    scalar = mk.Variable(3.5, name="s", trainable=False)
    assert scalar.dtype == "float32" and float(np.asarray(scalar)) == 3.5 and not scalar.trainable
    assert mk.Variable("zeros", shape=(3,)).numpy().tolist() == [0.0, 0.0, 0.0]
    held = np.zeros(4)
    assert mk.Variable(held).value is held  # an array of its type is held, not copied
    with pytest.raises(ValueError, match="needs a `shape`"):
        mk.Variable(mk.initializers.Ones())
    with pytest.raises(ValueError, match="shape=\\(3,\\) was given"):
        mk.Variable(np.zeros(2), shape=(3,))


def test_batchnorm_config_has_keras_315_renorm_keys():
    config = L.BatchNormalization().get_config()
    assert (config["renorm"], config["renorm_clipping"], config["renorm_momentum"]) == (
        False, None, 0.99)
    assert L.BatchNormalization.from_config(config).get_config() == config


def test_weights_built_inside_a_frozen_layer_are_frozen_as_in_keras():
    layer = L.Dense(8)
    layer.trainable = False
    layer.build((None, 3))
    assert [v.trainable for v in layer.weights] == [False, False]
    layer.trainable = True
    assert [v.trainable for v in layer.weights] == [True, True]
