"""Sequential: structure, building, nesting, summary, weights, seeds, JSON, clones."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import minikeras as mk
from minikeras import layers as L
from tests.golden.make_golden_training import LAYERS_OUT, SUMMARY_MODEL, build_model, load
from tests.helpers.tolerances import assert_close

ROOT = Path(__file__).resolve().parents[1]


def _summary(model: mk.Sequential, **kwargs) -> str:
    lines: list[str] = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


# ----------------------------------------------------------------------------- structure
def test_add_pop_and_layers():
    model = mk.Sequential()
    assert model.layers == [] and not model.built
    model.add(mk.Input((4,)))
    model.add(L.Dense(3, activation="relu"))
    model.add(L.Dense(2))
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    assert model.built and model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.name == "dense_1"
    assert [layer.name for layer in model.layers] == ["dense"]
    assert model.output_shape == (None, 3)
    assert model.predict(np.ones((2, 4)), verbose=0).shape == (2, 3)
    model.add(L.Dense(1, activation="sigmoid"))
    model.compile("sgd", "binary_crossentropy")
    model.fit(np.ones((4, 4)), np.ones(4), verbose=0)
    assert model.predict(np.ones((2, 4)), verbose=0).shape == (2, 1)


def test_add_rejects_what_is_not_a_layer_and_duplicate_names():
    model = mk.Sequential([mk.Input((3,)), L.Dense(2, name="a")])
    with pytest.raises(TypeError, match="instance of class Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique names"):
        model.add(L.Dense(2, name="a"))
    with pytest.raises(ValueError, match="first layer"):
        model.add(L.InputLayer(shape=(3,)))
    with pytest.raises(TypeError, match="no layers"):
        mk.Sequential().pop()
    assert len(model.layers) == 1


def test_get_layer_by_name_and_index():
    model = mk.Sequential([mk.Input((3,)), L.Dense(4, name="hidden"), L.Dropout(0.1),
                           L.Dense(1, name="out")])
    assert model.get_layer("hidden") is model.layers[0]
    assert model.get_layer(name="out") is model.layers[2]
    assert model.get_layer(index=1) is model.layers[1]
    assert model.get_layer(index=-1) is model.layers[2]
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="index 3"):
        model.get_layer(index=3)
    with pytest.raises(ValueError, match="only a layer name or a layer index"):
        model.get_layer(name="out", index=0)


def test_build_with_an_input_shape():
    model = mk.Sequential([L.Dense(4, activation="relu"), L.Dense(2)])
    assert not model.built and model.weights == []
    model.build((None, 5))
    assert model.built and model.input_shape == (None, 5)
    assert [w.shape for w in model.get_weights()] == [(5, 4), (4,), (4, 2), (2,)]
    assert model.count_params() == 5 * 4 + 4 + 4 * 2 + 2


def test_lazy_build_on_first_data():
    model = mk.Sequential([L.Dense(4), L.Dense(1)])
    with pytest.raises(ValueError, match="isn't built"):
        model.count_params()
    model.compile("sgd", "mse")
    model.fit(np.ones((8, 3)), np.ones(8), verbose=0)
    assert model.built and model.input_shape == (None, 3)
    assert model.count_params() == 3 * 4 + 4 + 4 + 1


# ----------------------------------------------------------------------------- nesting
def _nested() -> tuple[mk.Sequential, mk.Sequential]:
    inner = mk.Sequential([L.Dense(4, activation="relu"), L.Dense(3, activation="tanh")],
                          name="inner")
    outer = mk.Sequential([mk.Input((5,)), inner, L.BatchNormalization(),
                           L.Dense(1, activation="sigmoid")])
    return outer, inner


def test_nested_sequential_weights_and_paths_match_keras_layout():
    outer, inner = _nested()
    assert [w.path for w in outer.weights] == [
        "sequential/inner/dense/kernel", "sequential/inner/dense/bias",
        "sequential/inner/dense_1/kernel", "sequential/inner/dense_1/bias",
        "sequential/batch_normalization/gamma", "sequential/batch_normalization/beta",
        "sequential/batch_normalization/moving_mean",
        "sequential/batch_normalization/moving_variance",
        "sequential/dense_2/kernel", "sequential/dense_2/bias"]
    assert outer.count_params() == (5 * 4 + 4) + (4 * 3 + 3) + 4 * 3 + (3 + 1)
    assert inner.count_params() == 39
    assert outer.layers[0] is inner


def test_nested_sequential_trains_and_equals_the_flat_model():
    mk.config.set_floatx("float64")
    outer, inner = _nested()
    flat = mk.Sequential([mk.Input((5,)), L.Dense(4, activation="relu"),
                          L.Dense(3, activation="tanh"), L.BatchNormalization(),
                          L.Dense(1, activation="sigmoid")])
    flat.set_weights(outer.get_weights())
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 5))
    y = (x[:, 0] + x[:, 1] > 0).astype(float)
    before = inner.get_weights()
    histories = []
    for model in (outer, flat):
        model.compile(mk.optimizers.SGD(0.1, momentum=0.5), "binary_crossentropy",
                      metrics=["accuracy"])
        histories.append(model.fit(x, y, epochs=3, batch_size=16, shuffle=False,
                                   verbose=0).history)
    assert not np.allclose(inner.get_weights()[0], before[0])
    for key in histories[1]:
        assert_close(histories[0][key], histories[1][key], "internal64")
    for a, b in zip(outer.get_weights(), flat.get_weights()):
        assert_close(a, b, "internal64")


def test_nested_sequential_summary():
    outer, _ = _nested()
    text = _summary(outer)
    assert "inner (Sequential)" in text and "(None, 3)" in text and " 39" in text
    assert "dense (Dense)" not in text  # collapsed unless expand_nested
    expanded = _summary(outer, expand_nested=True)
    assert "dense (Dense)" in expanded and "dense_1 (Dense)" in expanded
    assert "Total params: 55 " in text


# ----------------------------------------------------------------------------- summary
def test_summary_and_count_params_match_keras():
    facts = load(LAYERS_OUT)["summary"]
    model = build_model(mk, SUMMARY_MODEL)
    assert [[layer.name, list(layer.output.shape), layer.count_params()]
            for layer in model.layers] == facts["layers"]
    assert model.count_params() == facts["total"]
    assert sum(int(np.prod(v.shape)) for v in model.trainable_weights) == facts["trainable"]
    assert sum(int(np.prod(v.shape)) for v in model.non_trainable_weights) \
        == facts["non_trainable"]
    assert [v.path for v in model.weights] == facts["weight_paths"]
    text = _summary(model)
    assert text.startswith('Model: "sequential"')
    for name, shape, params in facts["layers"]:
        row = next(line for line in text.splitlines() if line.startswith(f"│ {name} "))
        cells = [cell.strip() for cell in row.split("│")[1:-1]]
        assert cells[1:] == [str(tuple(shape)), f"{params:,}"]
    assert f"Total params: {facts['total']} " in text
    assert f"Trainable params: {facts['trainable']} " in text
    assert f"Non-trainable params: {facts['non_trainable']} " in text
    # float32 weights: 4 bytes each, printed as Keras does
    assert f"({facts['total'] * 4 / 1024:.2f} KB)" in text


def test_summary_prints_by_default(capsys):
    model = mk.Sequential([mk.Input((2,)), L.Dense(3)])
    model.summary()
    out = capsys.readouterr().out
    assert "dense (Dense)" in out and "Total params: 9" in out


def test_summary_of_an_unbuilt_model_says_so():
    model = mk.Sequential([L.Dense(3)])
    assert "unbuilt" in _summary(model)


# ----------------------------------------------------------------------------- weights
def test_get_and_set_weights_use_keras_layout():
    model = mk.Sequential([mk.Input((3,)), L.Dense(4), L.BatchNormalization(), L.Dense(2)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 4), (4,), (4,), (4,), (4,), (4,), (4, 2), (2,)]
    rng = np.random.default_rng(0)
    new = [rng.normal(size=s).astype("float32") for s in shapes]
    new[5] = np.abs(new[5]) + 0.5  # a variance
    model.set_weights(new)
    for a, b in zip(model.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), new[0])
    np.testing.assert_array_equal(model.layers[1].moving_variance.numpy(), new[5])
    x = rng.normal(size=(5, 3)).astype("float32")
    h = x @ new[0] + new[1]
    h = (h - new[4]) / np.sqrt(new[5] + 1e-3) * new[2] + new[3]
    assert_close(model.predict(x, verbose=0), h @ new[6] + new[7], "float32")


def test_set_weights_checks_everything_before_changing_anything():
    model = mk.Sequential([mk.Input((3,)), L.Dense(4), L.Dense(2)])
    before = model.get_weights()
    bad = [w + 1 for w in before]
    bad[2] = np.zeros((5, 2))
    with pytest.raises(ValueError, match=r"shape \(4, 2\)"):
        model.set_weights(bad)
    with pytest.raises(ValueError, match="length 3"):
        model.set_weights(before[:3])
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_weights_are_views_the_optimizer_updates():
    model = mk.Sequential([mk.Input((2,)), L.Dense(1)])
    model.compile(mk.optimizers.SGD(0.1), "mse")
    kernel = model.layers[0].kernel
    before = kernel.numpy()
    model.fit(np.ones((4, 2)), np.full(4, 3.0), epochs=1, verbose=0)
    assert not np.allclose(kernel.numpy(), before)
    assert kernel.trainable and kernel.dtype == "float32" and kernel.shape == (2, 1)
    kernel.assign(np.zeros((2, 1)))
    np.testing.assert_array_equal(model.get_weights()[0], np.zeros((2, 1)))


# ----------------------------------------------------------------------------- seeds
_SEEDED_RUN = textwrap.dedent("""
    import json, sys
    import numpy as np
    sys.path.insert(0, {root!r})
    import minikeras as mk

    def run():
        mk.utils.set_random_seed(1234)
        rng = np.random.default_rng(0)
        x = rng.normal(size=(60, 4)).astype("float32")
        y = (x[:, 0] - x[:, 2] > 0).astype("float32")
        model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(8, activation="relu"),
                               mk.layers.Dropout(0.3), mk.layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        initial = [w.tolist() for w in model.get_weights()]
        history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
        return {{"initial": initial, "history": history.history,
                 "final": [w.tolist() for w in model.get_weights()]}}
    """)


def _seeded_run() -> dict:
    namespace: dict = {}
    exec(_SEEDED_RUN.format(root=str(ROOT)), namespace)  # noqa: S102 - our own fixed text
    return json.loads(json.dumps(namespace["run"]()))


def test_set_random_seed_repeats_a_run_in_one_process():
    first, second = _seeded_run(), _seeded_run()
    assert first == second  # bit for bit: weights, shuffles, dropout masks, history


def test_set_random_seed_repeats_a_run_in_another_process():
    here = _seeded_run()
    code = _SEEDED_RUN.format(root=str(ROOT)) + "\nprint(json.dumps(run()))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here


def test_different_seeds_give_different_weights():
    mk.utils.set_random_seed(1)
    a = mk.Sequential([mk.Input((4,)), L.Dense(3)]).get_weights()[0]
    mk.utils.set_random_seed(2)
    b = mk.Sequential([mk.Input((4,)), L.Dense(3)]).get_weights()[0]
    assert not np.allclose(a, b)


# ----------------------------------------------------------------------------- JSON, clones
def _model_for_json() -> mk.Sequential:
    return mk.Sequential([
        mk.Input((6,)),
        L.Dense(5, activation="relu", kernel_regularizer=mk.regularizers.L2(0.01)),
        L.BatchNormalization(momentum=0.9), L.Dropout(0.25),
        mk.Sequential([L.Dense(4, activation="tanh"), L.LeakyReLU(0.2)], name="block"),
        L.Dense(3, activation="softmax"),
    ], name="classifier")


def test_to_json_and_model_from_json():
    model = _model_for_json()
    text = model.to_json()
    spec = json.loads(text)
    assert spec["class_name"] == "Sequential"
    rebuilt = mk.models.model_from_json(text)
    assert rebuilt.name == "classifier"
    assert [type(layer).__name__ for layer in rebuilt.layers] == \
        [type(layer).__name__ for layer in model.layers]
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    assert [w.shape for w in rebuilt.get_weights()] == [w.shape for w in model.get_weights()]
    assert rebuilt.get_config() == model.get_config()
    assert rebuilt.layers[0].kernel_regularizer.l2 == pytest.approx(0.01)
    assert rebuilt.layers[1].momentum == pytest.approx(0.9)
    rebuilt.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    assert_close(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0), "float32")
    assert "block (Sequential)" in _summary(rebuilt)


def test_model_from_json_rejects_other_text():
    with pytest.raises(ValueError, match="not valid JSON"):
        mk.models.model_from_json("{nope")
    with pytest.raises(ValueError, match="Sequential"):
        mk.models.model_from_json(json.dumps({"class_name": "Functional", "config": {}}))


def test_clone_model_has_the_architecture_and_new_weights():
    mk.utils.set_random_seed(0)
    model = _model_for_json()
    clone = mk.models.clone_model(model)
    assert clone is not model
    assert [type(layer).__name__ for layer in clone.layers] == \
        [type(layer).__name__ for layer in model.layers]
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    assert not np.allclose(clone.get_weights()[0], model.get_weights()[0])
    assert not any(a is b for a, b in zip(clone.weights, model.weights))
    clone.compile("adam", "sparse_categorical_crossentropy")
    before = model.get_weights()
    clone.fit(np.ones((8, 6)), np.zeros(8, dtype=int), verbose=0)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- not supported
def test_functional_model_names_sequential():
    inputs = mk.Input((3,))
    with pytest.raises(ValueError, match="Sequential"):
        mk.Model(inputs, inputs)
    with pytest.raises(ValueError, match="Sequential"):
        mk.Model(inputs=inputs, outputs=inputs)


def test_subclassed_model_names_sequential():
    class MyModel(mk.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(1)

        def call(self, x):
            return self.dense(x)

    with pytest.raises(ValueError, match=r"subclassed model \(MyModel.*Sequential"):
        MyModel()


def test_clone_model_compiles_the_clone_and_takes_a_clone_function():
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    src = mk.Sequential([mk.Input((3,)), mk.layers.Dense(2, name="dd")])
    src.compile("adam", "mse", metrics=["mae", mk.metrics.RootMeanSquaredError()])
    src.fit(x, y, verbose=0)
    clone = mk.models.clone_model(src)
    assert clone.compiled and clone.optimizer is not src.optimizer
    assert int(clone.optimizer.iterations) == 0  # a fresh optimizer, as Keras's
    assert clone._metric_specs[1] is not src._metric_specs[1]  # no shared metric state
    assert list(clone.fit(x, y, verbose=0).history) == ["loss", "mae", "root_mean_squared_error"]
    renamed = mk.models.clone_model(src, clone_function=lambda layer: layer.__class__.from_config(
        {**layer.get_config(), "name": layer.name + "_c"}))
    assert [layer.name for layer in renamed.layers] == ["dd_c"]
    assert renamed.input_shape == (None, 3)
    shared = mk.models.clone_model(src, clone_function=lambda layer: layer)
    assert shared.layers[0] is src.layers[0]
    with pytest.raises(ValueError, match="clone_function"):
        mk.models.clone_model(src, clone_function=3)
    assert not mk.models.clone_model(mk.Sequential([mk.layers.Dense(1)])).compiled


def test_compile_takes_keras_per_output_forms_for_the_one_output():
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1, name="out")])
    model.compile("sgd", loss=["mse"], metrics={"out": "mae"})
    assert isinstance(model._loss, mk.losses.MeanSquaredError) and model.loss == ["mse"]
    assert list(model.fit(x, y, verbose=0).history) == ["loss", "mae"]
    model.compile("sgd", loss={"out": "mae"}, metrics={"out": ["mse"]})
    assert list(model.fit(x, y, verbose=0).history) == ["loss", "mse"]


def test_get_compile_config_and_compile_from_config():
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    assert model.get_compile_config() is None
    model.compile(mk.optimizers.Adam(0.01), "mse", metrics=["mae", mk.metrics.AUC(name="a")])
    config = model.get_compile_config()
    json.dumps(config)
    other = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    other.compile_from_config(config)
    assert type(other.optimizer) is mk.optimizers.Adam and other.optimizer is not model.optimizer
    assert float(other.optimizer.learning_rate) == pytest.approx(0.01)
    x, y = np.ones((4, 3), "float32"), np.ones((4, 1), "float32")
    assert list(other.fit(x, y, verbose=0).history) == ["a", "loss", "mae"]


def test_model_loss_is_what_compile_was_given_as_in_keras(tmp_path):
    def my_loss(y_true, y_pred):
        return mk.ops.mean(mk.ops.square(y_true - y_pred), axis=-1)

    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    assert model.loss is None
    model.compile("sgd", loss="mse")
    assert model.loss == "mse"
    model.compile("sgd", loss=my_loss)
    assert model.loss is my_loss
    huber = mk.losses.Huber(delta=2.0)
    model.compile("sgd", loss=huber)
    assert model.loss is huber
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = mk.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.loss, mk.losses.Huber) and loaded.loss.delta == 2.0


def test_compile_from_config_refuses_what_is_not_a_config():
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    with pytest.raises(ValueError, match="get_compile_config"):
        model.compile_from_config(None)
    assert not model.compiled


@pytest.mark.parametrize("hook", ["train_step", "test_step", "predict_step", "call",
                                  "compute_loss"])
def test_a_sequential_subclass_overriding_a_keras_hook_is_refused(hook):
    # Keras's fit would call the override; training without it would be silently different.
    cls = type("Custom", (mk.Sequential,), {hook: lambda self, *a, **k: None})
    with pytest.raises(ValueError, match=f"Custom overrides {hook}, which Keras's fit"):
        cls([mk.Input((2,)), mk.layers.Dense(1)])
    plain = type("Named", (mk.Sequential,), {"describe": lambda self: "ok"})
    assert plain([mk.Input((2,)), mk.layers.Dense(1)]).describe() == "ok"


def test_inputs_carry_the_input_layers_name():
    named = mk.Sequential([mk.Input((8,), name="feats"), L.Dense(1)])
    assert named.inputs[0].name == named.input.name == "feats"
    assert named.inputs[0].shape == (None, 8)
    layer = mk.Sequential([L.InputLayer((3,), name="in3"), L.Dense(1)])
    assert layer.inputs[0].name == "in3"
