"""The extending guide's example: custom activation, layer, loss, metric, optimizer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import minikeras as mk
from tests.helpers.gradcheck import (
    check_activation_gradients,
    check_layer_gradients,
    check_loss_gradients,
)
from tests.helpers.tolerances import assert_close

EXAMPLE = Path(__file__).parent.parent / "examples" / "extending.py"


def _load():
    spec = importlib.util.spec_from_file_location("extending_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_custom_pieces_have_correct_gradients():
    ext = _load()
    rng = np.random.default_rng(0)
    check_activation_gradients(ext.Cube(), rng.normal(size=(4, 3)))
    check_layer_gradients(ext.Scale(0.7), rng.normal(size=(5, 3)))
    check_loss_gradients(ext.Quartic(), rng.normal(size=(5, 2)), rng.normal(size=(5, 2)),
                         sample_weight=rng.uniform(0.5, 2, size=5))


def test_example_trains_saves_and_loads_custom_objects():
    ext = _load()
    out = ext.main(epochs=30)
    assert out["loss_last"] < 0.5 * out["loss_first"]
    assert out["reloaded_same"]
    assert out["loaded_types"] == ["Scale", "Cube", "Quartic", "HeavyBall"]
    assert out["max_abs_error"] > 0


def test_custom_metric_and_optimizer_contracts():
    ext = _load()
    metric = ext.MaxAbsError()
    metric.update_state(np.array([[1.0], [2.0]]), np.array([[1.5], [0.0]]))
    assert float(metric.result()) == 2.0
    metric.reset_state()
    assert float(metric.result()) == 0.0
    opt = ext.HeavyBall(0.1, beta=0.5)
    import minikeras as mk

    var = mk.Variable(np.array([1.0, -1.0]))
    for _ in range(2):
        opt.apply_gradients([(np.array([1.0, 2.0]), var)])
    # m1 = g, w1 = w0 - 0.1 g; m2 = 0.5 g + g, w2 = w1 - 0.1 * 1.5 g
    assert_close(var.numpy(), [1.0 - 0.25, -1.0 - 0.5], "internal64")
    assert type(opt).from_config(opt.get_config()).beta == 0.5


# -- a layer written the Keras way: call() and no backward() ----------------------------
def _keras_style_layers():
    import minikeras as mk

    class Scale(mk.layers.Layer):  # keras.io's subclassing guide, minus the autodiff
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, inputs):
            return inputs * self.w

    class MeanPool(mk.layers.Layer):
        def call(self, inputs, training=None):
            self.saw_training = training
            return mk.ops.mean(inputs, axis=-1, keepdims=True) * 2.0  # a Python float

    return mk, Scale, MeanPool


def test_a_call_only_layer_runs_in_layer_call_predict_and_evaluate():
    mk, Scale, MeanPool = _keras_style_layers()
    x = np.arange(12, dtype="float32").reshape(3, 4)
    assert_close(np.asarray(Scale()(x)), x)
    model = mk.Sequential([mk.Input((4,)), MeanPool(), mk.layers.Dense(2), Scale()])
    assert model.output_shape == (None, 2)  # from call() on one sample of zeros
    assert model.layers[0].output.shape == (None, 1)
    out = model.predict(x, verbose=0)
    assert out.dtype == np.float32 and out.shape == (3, 2)
    dense = model.layers[1]
    expected = (x.mean(axis=1, keepdims=True) * 2) @ dense.kernel.numpy() + dense.bias.numpy()
    assert_close(out, expected)
    model(x, training=True)
    assert model.layers[0].saw_training is True
    model.compile("sgd", "mse")
    assert_close(model.evaluate(x, np.zeros((3, 2)), verbose=0), float(np.mean(out ** 2)),
                 "float32")


def test_fit_through_a_call_only_layer_is_refused_up_front_and_changes_nothing():
    mk, Scale, MeanPool = _keras_style_layers()
    x = np.ones((4, 3), "float32")
    for model in (mk.Sequential([mk.Input((3,)), mk.layers.Dense(2), Scale()]),
                  mk.Sequential([mk.Input((3,)), mk.layers.Dense(2), MeanPool()])):
        model.compile("adam", "mse")
        before = model.get_weights()
        with np.testing.assert_raises_regex(NotImplementedError, r"defines call\(\) but not "
                                            r"backward.*docs/extending\.md"):
            model.fit(x, np.zeros((4, model.output_shape[-1])), verbose=0)
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)
        assert int(model.optimizer.iterations) == 0
    # first, with nothing to train: no backward is needed, so fit trains the rest
    model = mk.Sequential([mk.Input((3,)), MeanPool(), mk.layers.Dense(2)])
    model.compile("sgd", "mse")
    kernel = model.layers[1].kernel.numpy()
    model.fit(x, np.zeros((4, 2)), epochs=2, verbose=0)
    assert not np.array_equal(kernel, model.layers[1].kernel.numpy())


def test_a_layer_with_neither_forward_nor_call_says_what_to_write():
    import minikeras as mk

    class Nothing(mk.layers.Layer):
        pass

    with np.testing.assert_raises_regex(
            NotImplementedError, r"'nothing(_\d+)?' \(Nothing\).*forward\(x, training\).*call"):
        Nothing()(np.ones((2, 2), "float32"))


def test_a_layer_without_get_config_saves_its_plain_constructor_arguments(tmp_path):
    import minikeras as mk

    class Scaled(mk.layers.Layer):  # no get_config(): Keras's auto-config fills it in
        def __init__(self, factor, offsets=(0.0,), note=None, **kw):
            super().__init__(**kw)
            self.factor, self.offsets, self.note = factor, offsets, note

        def call(self, inputs):
            return inputs * self.factor + self.offsets[0]

    layer = Scaled(3.0, offsets=[1.0], name="sc")
    config = layer.get_config()
    assert config["factor"] == 3.0 and config["offsets"] == [1.0] and config["name"] == "sc"
    again = Scaled.from_config(config)
    assert (again.factor, again.offsets, again.name) == (3.0, [1.0], "sc")
    model = mk.Sequential([mk.Input((2,)), Scaled(2.0, offsets=(0.5,))])
    clone = mk.models.clone_model(model)  # Keras clones layer by layer from their configs
    x = np.ones((1, 2), "float32")
    assert_close(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    model.save(tmp_path / "m.keras")
    loaded = mk.models.load_model(tmp_path / "m.keras", custom_objects={"Scaled": Scaled})
    assert_close(loaded.predict(x, verbose=0), np.full((1, 2), 2.5, "float32"))

    class Opaque(mk.layers.Layer):  # an object argument: no auto-config, as in Keras
        def __init__(self, fn, **kw):
            super().__init__(**kw)
            self.fn = fn

    with pytest.raises(NotImplementedError, match="non-serializable.*get_config"):
        Opaque(len).get_config()  # Keras refuses too: a silent default would change the layer
    numpy_value = Scaled(np.float32(3.0))  # not a Python float: Keras refuses it as well
    with pytest.raises(NotImplementedError, match=r"Please implement `get_config\(\)`"):
        mk.models.clone_model(mk.Sequential([mk.Input((2,)), numpy_value]))
    frozen = Scaled(2.0, trainable=True)
    frozen.trainable = False
    assert frozen.get_config()["trainable"] is False  # the layer's state wins


def test_the_shape_probe_of_a_call_only_layer_is_quiet_and_explains_a_failure():
    import warnings

    import minikeras as mk

    class Share(mk.layers.Layer):  # zeros give 0 / 0: the probe must not warn about it
        def call(self, inputs):
            return inputs / mk.ops.sum(inputs, axis=-1, keepdims=True)

    class NeedsPositive(mk.layers.Layer):
        def call(self, inputs):
            if not (inputs > 0).all():
                raise ValueError("inputs must be positive")
            return inputs

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = mk.Sequential([mk.Input((3,)), Share()])
    assert model.output_shape == (None, 3)
    with pytest.raises(ValueError, match="running call\\(\\) on zeros.*compute_output_shape"):
        mk.Sequential([mk.Input((3,)), NeedsPositive()])


def test_a_call_override_of_a_builtin_layer_runs_as_keras_runs_it():
    """Geron's MC Dropout (a Dropout whose call() forces training=True) and a Dense whose
    call() scales super().call(): Keras runs the override in layer(x) and predict."""

    class MCDropout(mk.layers.Dropout):
        def call(self, inputs, training=None):
            return super().call(inputs, training=True)

    class ScaledDense(mk.layers.Dense):
        def call(self, inputs):
            return super().call(inputs) * 2.0

    class Twice(ScaledDense):  # a subclass of the subclass keeps the override
        pass

    x = np.ones((200, 6), dtype=np.float32)
    dropped = np.asarray(MCDropout(0.5)(x))
    assert set(np.unique(dropped)) == {0.0, 2.0}
    model = mk.Sequential([mk.Input((6,)), mk.layers.Dense(3), MCDropout(0.5),
                           mk.layers.Dense(1)])
    draws = np.stack([model.predict(x[:4], verbose=0) for _ in range(8)])
    assert draws.std(axis=0).max() > 0  # each predict drops other units
    for cls in (ScaledDense, Twice):
        np.testing.assert_array_equal(np.asarray(cls(2, kernel_initializer="ones")(x[:1])),
                                      [[12.0, 12.0]])
    scaled = mk.Sequential([mk.Input((6,)), ScaledDense(1, kernel_initializer="ones")])
    scaled.compile(optimizer="sgd", loss="mse")
    np.testing.assert_array_equal(scaled.predict(x[:2], verbose=0), [[12.0], [12.0]])
    assert scaled.evaluate(x[:2], np.ones(2), verbose=0) == 121.0
    np.testing.assert_array_equal(  # a built-in's own call(), as Keras code calls it
        np.asarray(mk.layers.Dense(2, kernel_initializer="ones").call(x[:1])), [[6.0, 6.0]])
    trained = mk.Sequential([mk.Input((6,)), mk.layers.Dense(4), ScaledDense(1)])
    trained.compile(optimizer="sgd", loss="mse")
    with pytest.raises(NotImplementedError, match=r"overrides call\(\) of the built-in Dense"):
        trained.fit(x[:8], np.ones(8), verbose=0)

    class Both(mk.layers.Dense):  # call() and forward(): forward is the computation
        def call(self, inputs):
            return super().call(inputs) * 10.0

        def forward(self, x, training=False):
            return super().forward(x, training)

    np.testing.assert_array_equal(
        mk.Sequential([mk.Input((6,)), Both(1, kernel_initializer="ones")]).predict(
            x[:1], verbose=0), [[6.0]])


def test_super_call_from_a_call_only_layer_says_the_base_computes_nothing():
    class Doubling(mk.layers.Layer):
        def call(self, inputs):
            return super().call(inputs) * 2  # Keras's base raises too

    with pytest.raises(NotImplementedError, match="does not have a `call\\(\\)` method"):
        Doubling()(np.ones((2, 2), "float32"))
