"""compile/fit/evaluate/predict semantics (issue 4, item 4) and bad input.

The numbers themselves are checked against Keras in ``test_training_golden.py``;
here each argument's meaning is pinned down by comparing two of our own paths
that must agree (a split against the same rows passed explicitly, class
weights against the equivalent sample weights, ...).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minikeras as mk
from minikeras import layers as L
from tests.helpers.tolerances import assert_close

N = 40


def _data(n: int = N, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (x[:, 0] - 0.5 * x[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(np.float64)
    return x, y


def _model(seed: int = 0, l2: float = 0.0, metrics=("accuracy",), optimizer=None,
           weighted_metrics=None) -> mk.Sequential:
    """float64 Dense-ReLU-Dense-sigmoid with fixed initial weights."""
    mk.config.set_floatx("float64")
    reg = mk.regularizers.L2(l2) if l2 else None
    model = mk.Sequential([mk.Input((3,)), L.Dense(5, activation="relu", kernel_regularizer=reg),
                           L.Dense(1, activation="sigmoid")])
    rng = np.random.default_rng(100 + seed)
    model.set_weights([rng.normal(size=w.shape) * 0.5 for w in model.get_weights()])
    model.compile(optimizer or mk.optimizers.SGD(0.1, momentum=0.5), "binary_crossentropy",
                  metrics=list(metrics) if metrics else None, weighted_metrics=weighted_metrics)
    return model


def _fit(model: mk.Sequential, x, y, **kwargs):
    kwargs.setdefault("batch_size", 8)
    kwargs.setdefault("shuffle", False)
    kwargs.setdefault("verbose", 0)
    return model.fit(x, y, **kwargs)


def _same_weights(a: mk.Sequential, b: mk.Sequential, kind: str = "internal64") -> None:
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        assert_close(wa, wb, kind)


# ----------------------------------------------------------------------------- validation
def test_validation_split_takes_the_last_rows_before_shuffling():
    x, y = _data()
    split = _model()
    history = _fit(split, x, y, validation_split=0.25, shuffle=True, epochs=1)
    # The validation rows are the last 10, even though training shuffled.
    assert history.history["val_loss"][0] == pytest.approx(
        split.evaluate(x[30:], y[30:], verbose=0)[0], rel=1e-12)
    assert history.params["steps"] == 4  # 30 training rows in batches of 8


def test_validation_split_trains_on_the_first_rows():
    x, y = _data()
    split, explicit = _model(), _model()
    h1 = _fit(split, x, y, validation_split=0.25, epochs=3)
    h2 = _fit(explicit, x[:30], y[:30], validation_data=(x[30:], y[30:]), epochs=3)
    _same_weights(split, explicit)
    for key in h2.history:
        assert_close(h1.history[key], h2.history[key], "internal64")


def test_validation_split_too_small_is_a_clear_error():
    x, y = _data(3)
    with pytest.raises(ValueError, match="3 samples, which is not sufficient to split"):
        _fit(_model(), x, y, validation_split=0.9)  # no row left to train on


@pytest.mark.parametrize("with_weights", [False, True], ids=["2-tuple", "3-tuple"])
def test_validation_data_tuples(with_weights):
    x, y = _data()
    xv, yv = _data(12, seed=1)
    swv = np.linspace(0.2, 2.0, 12)
    model = _model(weighted_metrics=["accuracy"])
    data = (xv, yv, swv) if with_weights else (xv, yv)
    history = _fit(model, x, y, validation_data=data, epochs=1)
    expected = model.evaluate(xv, yv, sample_weight=swv if with_weights else None, verbose=0,
                              return_dict=True)
    for key, value in expected.items():
        assert history.history[f"val_{key}"][0] == pytest.approx(value, rel=1e-12)
    if with_weights:  # the weights matter: the unweighted loss differs
        assert model.evaluate(xv, yv, verbose=0)[0] != pytest.approx(expected["loss"])


def test_validation_data_of_another_form_is_refused():
    x, y = _data()
    with pytest.raises(ValueError, match="validation_data"):
        _fit(_model(), x, y, validation_data=[x])


# ----------------------------------------------------------------------------- weights
def test_class_weight_equals_the_matching_sample_weight():
    x, y = _data()
    by_class, by_sample = _model(), _model()
    h1 = _fit(by_class, x, y, class_weight={0: 1.0, 1: 3.0}, epochs=3)
    h2 = _fit(by_sample, x, y, sample_weight=np.where(y == 1, 3.0, 1.0), epochs=3)
    _same_weights(by_class, by_sample)
    assert_close(h1.history["loss"], h2.history["loss"], "internal64")
    unweighted = _model()
    _fit(unweighted, x, y, epochs=3)
    assert not np.allclose(unweighted.get_weights()[0], by_class.get_weights()[0])


def test_sample_weight_scales_the_loss_and_weighted_metrics_only():
    x, y = _data()
    sw = np.linspace(0.0, 2.0, N)
    model = _model(weighted_metrics=["accuracy"])
    plain = model.evaluate(x, y, verbose=0, return_dict=True)
    weighted = model.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)[:, 0]
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    correct = ((p > 0.5) == (y == 1)).astype(float)
    # divided by the number of rows, not by sum(sw) (Keras 3 "sum_over_batch_size")
    assert weighted["loss"] == pytest.approx(np.sum(sw * bce) / N, rel=1e-10)
    assert weighted["accuracy"] == pytest.approx(plain["accuracy"])  # `metrics` ignore weights
    assert weighted["weighted_accuracy"] == pytest.approx(np.sum(sw * correct) / np.sum(sw))
    assert plain["loss"] == pytest.approx(np.mean(bce), rel=1e-10)


def test_initial_epoch_resumes_the_epoch_count():
    x, y = _data()
    whole, resumed = _model(), _model()
    h_whole = _fit(whole, x, y, epochs=5)
    _fit(resumed, x, y, epochs=2)
    h_rest = _fit(resumed, x, y, epochs=5, initial_epoch=2)
    assert h_rest.epoch == [2, 3, 4]
    assert h_rest.params == {"verbose": 0, "epochs": 5, "steps": 5}
    assert_close(h_rest.history["loss"], h_whole.history["loss"][2:], "internal64")
    _same_weights(whole, resumed)


# ----------------------------------------------------------------------------- logs
def test_epoch_loss_is_the_batch_weighted_mean_with_regularization():
    x, y = _data(10)
    # learning rate 0: every batch sees the same weights, so the running mean over
    # batches of 4, 4 and 2 rows must equal the mean over all 10 rows, plus the penalty.
    model = _model(l2=0.05, metrics=None, optimizer=mk.optimizers.SGD(0.0))
    history = _fit(model, x, y, batch_size=4, epochs=1)
    p = model.predict(x, verbose=0)[:, 0]
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    penalty = 0.05 * np.sum(model.layers[0].kernel.numpy() ** 2)
    assert history.history["loss"][0] == pytest.approx(bce + penalty, rel=1e-12)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(bce + penalty, rel=1e-12)
    unweighted_mean = np.mean([np.mean(b) for b in np.array_split(
        -(y * np.log(p) + (1 - y) * np.log(1 - p)), [4, 8])])
    assert history.history["loss"][0] != pytest.approx(unweighted_mean + penalty, rel=1e-6)


def test_history_keys_params_and_epochs():
    x, y = _data()
    model = _model(metrics=["accuracy", "mse"])
    history = _fit(model, x, y, validation_split=0.2, epochs=3)
    assert list(history.history) == ["accuracy", "loss", "mse", "val_accuracy", "val_loss",
                                     "val_mse"]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 4}
    assert history.epoch == [0, 1, 2]
    assert model.history is history
    assert all(len(v) == 3 and all(isinstance(f, float) for f in v)
               for v in history.history.values())


def test_evaluate_return_forms():
    x, y = _data()
    bare = _model(metrics=None)
    loss = bare.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    assert bare.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss}
    with_metrics = _model(metrics=["accuracy", "mae"])
    values = with_metrics.evaluate(x, y, verbose=0)
    assert isinstance(values, list) and len(values) == 3
    assert with_metrics.metrics_names == ["loss", "accuracy", "mae"]
    as_dict = with_metrics.evaluate(x, y, verbose=0, return_dict=True)
    assert as_dict == dict(zip(with_metrics.metrics_names, values))
    assert values[0] == pytest.approx(loss)
    assert all(isinstance(v, float) for v in values)


def test_evaluate_does_not_depend_on_batch_size():
    x, y = _data()
    model = _model(metrics=["accuracy"], weighted_metrics=["mse"])
    sw = np.linspace(0.5, 1.5, N)
    ref = model.evaluate(x, y, sample_weight=sw, batch_size=N, verbose=0)
    for batch_size in (1, 7, 32):
        assert_close(model.evaluate(x, y, sample_weight=sw, batch_size=batch_size, verbose=0),
                     ref, "internal64")


# ----------------------------------------------------------------------------- input kinds
def test_lists_and_pandas_give_the_same_training():
    pd = pytest.importorskip("pandas", reason="pandas is in the dev extra")
    x, y = _data()
    ref = _model()
    h_ref = _fit(ref, x, y, epochs=2, validation_split=0.2)
    inputs = {"lists": (x.tolist(), y.tolist()),
              "pandas": (pd.DataFrame(x, columns=["a", "b", "c"]), pd.Series(y))}
    for x_in, y_in in inputs.values():
        model = _model()
        history = _fit(model, x_in, y_in, epochs=2, validation_split=0.2)
        _same_weights(model, ref)
        assert_close(history.history["val_loss"], h_ref.history["val_loss"], "internal64")
        assert_close(model.predict(x_in, verbose=0), ref.predict(x, verbose=0), "internal64")
        assert_close(model.evaluate(x_in, y_in, verbose=0), ref.evaluate(x, y, verbose=0),
                     "internal64")
    column = _model()
    _fit(column, x, pd.DataFrame({"y": y}), epochs=2, validation_split=0.2)
    _same_weights(column, ref)


def test_predict_returns_a_plain_array_whatever_the_batch_size():
    mk.config.set_floatx("float64")
    model = mk.Sequential([mk.Input((3,)), L.Dense(16, activation="tanh"),
                           L.BatchNormalization(), L.Dense(2, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(1000, 3))
    ref = model.predict(x, batch_size=1000, verbose=0)
    for batch_size in (1, 7, 32, 10000, None):
        out = model.predict(x, batch_size=batch_size, verbose=0)
        assert type(out) is np.ndarray and out.shape == (1000, 2)
        assert_close(out, ref, "internal64")
    assert_close(model(x).numpy(), ref, "internal64")
    assert type(model.predict_on_batch(x[:5])) is np.ndarray
    assert_close(model.predict_on_batch(x[:5]), ref[:5], "internal64")


def test_on_batch_methods():
    x, y = _data(16)
    model, reference = _model(), _model()
    logs = model.train_on_batch(x, y)
    _fit(reference, x, y, batch_size=16, epochs=1)
    _same_weights(model, reference)
    assert isinstance(logs, list) and len(logs) == 2
    as_dict = model.train_on_batch(x, y, return_dict=True)
    assert set(as_dict) == {"loss", "accuracy"}
    # Metrics are reset on every call (Keras 3): each result is that batch's alone.
    first = model.test_on_batch(x[:8], y[:8], return_dict=True)
    second = model.test_on_batch(x[8:], y[8:], return_dict=True)
    assert first == model.evaluate(x[:8], y[:8], verbose=0, return_dict=True)
    assert second == model.evaluate(x[8:], y[8:], verbose=0, return_dict=True)
    bare = _model(metrics=None)
    assert isinstance(bare.train_on_batch(x, y), float)
    assert isinstance(bare.test_on_batch(x, y), float)
    weighted = _model(metrics=None)
    loss_cw = weighted.test_on_batch(x, y, sample_weight=np.where(y == 1, 2.0, 1.0))
    before = weighted.get_weights()
    assert weighted.train_on_batch(x, y, class_weight={1: 2.0}) == pytest.approx(loss_cw)
    assert not np.allclose(weighted.get_weights()[0], before[0])


# ----------------------------------------------------------------------------- compile warnings
def _warnings_of(model: mk.Sequential, loss) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.compile("sgd", loss)
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def _one_layer(units: int, activation: str | None) -> mk.Sequential:
    return mk.Sequential([mk.Input((3,)), L.Dense(units, activation=activation)])


@pytest.mark.parametrize(("units", "activation", "loss", "expected"), [
    (1, None, "binary_crossentropy", "from_logits=True"),
    (1, "sigmoid", mk.losses.BinaryCrossentropy(from_logits=True), "ends in a sigmoid"),
    (3, "softmax", mk.losses.CategoricalCrossentropy(from_logits=True), "ends in a softmax"),
    (3, "softmax", mk.losses.SparseCategoricalCrossentropy(from_logits=True),
     "ends in a softmax"),
    (1, "softmax", "mse", "softmax over 1 unit"),
    (1, "sigmoid", "categorical_crossentropy", "1-unit output"),
    (1, None, "sparse_categorical_crossentropy", "1-unit output"),
], ids=["bce_linear", "logits_after_sigmoid", "logits_after_softmax",
        "sparse_logits_after_softmax", "softmax_one_unit", "cce_one_unit", "scce_one_unit"])
def test_compile_warns_when_output_and_loss_do_not_fit(units, activation, loss, expected):
    messages = _warnings_of(_one_layer(units, activation), loss)
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize(("units", "activation", "loss"), [
    (1, "sigmoid", "binary_crossentropy"),
    (1, None, mk.losses.BinaryCrossentropy(from_logits=True)),
    (3, "softmax", "categorical_crossentropy"),
    (3, None, mk.losses.SparseCategoricalCrossentropy(from_logits=True)),
    (1, None, "mse"),
    (1, "relu", "mse"),
])
def test_compile_is_quiet_when_output_and_loss_fit(units, activation, loss):
    assert _warnings_of(_one_layer(units, activation), loss) == []


def test_compile_warning_also_comes_when_the_model_builds_later():
    model = mk.Sequential([L.Dense(1)])
    assert _warnings_of(model, "binary_crossentropy") == []
    with pytest.warns(UserWarning, match="linear output"):
        model.build((None, 3))


# ----------------------------------------------------------------------------- bad input
def _assert_untouched_and_still_trains(model: mk.Sequential, before: list[np.ndarray]) -> None:
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(model.optimizer.iterations.value) == 0
    x, y = _data()
    history = _fit(model, x, y, epochs=2)
    assert len(history.history["loss"]) == 2
    assert not np.allclose(model.get_weights()[0], before[0])


def test_fit_before_compile():
    model = mk.Sequential([mk.Input((3,)), L.Dense(1, activation="sigmoid")])
    x, y = _data()
    for call in (lambda: model.fit(x, y, verbose=0), lambda: model.evaluate(x, y, verbose=0),
                 lambda: model.train_on_batch(x, y)):
        with pytest.raises(RuntimeError, match=r"compile\(\)"):
            call()
    model.compile("sgd", "binary_crossentropy")
    before = model.get_weights()
    _assert_untouched_and_still_trains(model, before)


@pytest.mark.parametrize("what", ["y", "sample_weight", "validation_data"])
def test_row_counts_that_differ(what):
    model = _model()
    before = model.get_weights()
    x, y = _data()
    kwargs = {}
    if what == "y":
        y = y[:-3]
        match = "x has 40 and y has 37"
    elif what == "sample_weight":
        kwargs["sample_weight"] = np.ones(N - 1)
        match = "one weight per row"
    else:
        kwargs["validation_data"] = (x[:5], y[:4])
        match = "x has 5 and y has 4"
    with pytest.raises(ValueError, match=match):
        _fit(model, x, y, **kwargs)
    _assert_untouched_and_still_trains(model, before)


def test_feature_count_that_differs_from_the_built_model():
    model = _model()
    before = model.get_weights()
    x, y = _data()
    wide = np.hstack([x, x[:, :1]])
    message = r"expects 3 input features \(last axis\); received shape \(40, 4\)"
    with pytest.raises(ValueError, match=message):
        _fit(model, wide, y)
    with pytest.raises(ValueError, match=message):
        model.evaluate(wide, y, verbose=0)
    with pytest.raises(ValueError, match=r"expects 3 input features"):
        model.predict(wide[:, :2], verbose=0)
    with pytest.raises(ValueError, match=r"expects 3 input features"):
        model.train_on_batch(wide, y)
    _assert_untouched_and_still_trains(model, before)


@pytest.mark.parametrize(("validation", "match"), [
    (lambda x, y: (np.hstack([x, x]), y), r"expects 3 input features.*\(40, 6\)"),
    (lambda x, y: (x[:, 0], y), "Expected 2-D input"),
    (lambda x, y: (x, y + 2.0), r"labels in \[0, 1\]"),
], ids=["features", "1-D", "labels"])
def test_bad_validation_data_is_refused_before_any_training(validation, match):
    model = _model()
    before = model.get_weights()
    x, y = _data()
    with pytest.raises(ValueError, match=match):
        _fit(model, x, y, validation_data=validation(x, y))
    _assert_untouched_and_still_trains(model, before)


def test_one_dimensional_x_where_two_are_needed():
    model = _model()
    before = model.get_weights()
    x, y = _data()
    with pytest.raises(ValueError, match=r"Expected 2-D input of shape \(n, 3\).*reshape"):
        _fit(model, x[:, 0], y)
    with pytest.raises(ValueError, match="Expected 2-D input"):
        model.predict(x[:, 0], verbose=0)
    _assert_untouched_and_still_trains(model, before)


def test_one_dimensional_x_on_an_unbuilt_model():
    mk.config.set_floatx("float64")
    model = mk.Sequential([L.Dense(2, activation="relu"), L.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    x, y = _data()
    with pytest.raises(ValueError, match=r"Expected 2-D input.*reshape"):
        model.fit(x[:, 0], y, verbose=0)
    assert not model.built
    model.fit(x, y, verbose=0)
    assert model.input_shape == (None, 3)


def test_a_size_one_last_axis_is_added_or_dropped_as_keras_does():
    """Keras's Functional._adjust_input_rank: (n, 10) into Input((10, 1)) and
    (n, 10, 1) into Input((10,)), for arrays, generators and PyDatasets alike."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 10)), rng.integers(0, 2, 16).astype(float)
    column = mk.Sequential([mk.Input((10, 1)), L.Flatten(), L.Dense(1, activation="sigmoid")])
    column.compile("adam", "binary_crossentropy")
    expected = column.predict(x[..., None], verbose=0)
    np.testing.assert_array_equal(column.predict(x, verbose=0), expected)
    np.testing.assert_array_equal(np.asarray(column(x)), expected)
    assert column.evaluate(x, y, verbose=0) == column.evaluate(x[..., None], y, verbose=0)
    column.fit(x, y, verbose=0)
    column.train_on_batch(x, y)

    def batches():
        while True:
            yield x[:8], y[:8]

    class Dataset(mk.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[8 * i:8 * i + 8], y[8 * i:8 * i + 8]

    column.fit(batches(), steps_per_epoch=2, verbose=0)
    column.fit(Dataset(), verbose=0)
    np.testing.assert_array_equal(column.predict(Dataset(), verbose=0),
                                  column.predict(x, verbose=0))

    flat = mk.Sequential([mk.Input((10,)), L.Dense(1, activation="sigmoid")])
    flat.compile("adam", "binary_crossentropy")
    np.testing.assert_array_equal(flat.predict(x[..., None], verbose=0),
                                  flat.predict(x, verbose=0))
    flat.fit(x[..., None], y, verbose=0)
    with pytest.raises(ValueError, match=r"expected shape \(None, 10\), received shape "
                                         r"\(16, 10, 2\)"):
        flat.predict(np.stack([x, x], axis=-1), verbose=0)  # only an axis of size 1


def test_one_feature_model_takes_a_vector():
    mk.config.set_floatx("float64")
    model = mk.Sequential([mk.Input((1,)), L.Dense(1)])
    model.compile(mk.optimizers.SGD(0.1), "mse")
    x = np.linspace(-1, 1, 20)
    history = model.fit(x, 2 * x + 1, epochs=30, batch_size=20, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (20, 1)


def test_loss_weights_scale_the_loss_and_its_gradient_as_keras(tmp_path):
    """Keras 3.15.1 (torch), this run: loss [0.65548, 0.60933, 0.56372], evaluate 0.53222,
    first kernel row [0.14431, -0.30017, 0.58147]; the weight penalty is not weighted."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(30, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")

    def make(weights):
        model = mk.Sequential([mk.Input((4,)),
                               L.Dense(3, activation="relu",
                                       kernel_regularizer=mk.regularizers.L2(0.01)),
                               L.Dense(1, activation="sigmoid")])
        model.set_weights([np.random.default_rng(i).normal(size=w.shape).astype("float32")
                           for i, w in enumerate(model.get_weights())])
        model.compile(optimizer=mk.optimizers.SGD(0.1), loss="binary_crossentropy",
                      loss_weights=weights, metrics=["acc"])
        return model

    model = make([0.5])
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    assert_close(history.history["loss"], [0.65548, 0.60933, 0.56372], "float32")
    assert_close(model.evaluate(x, y, verbose=0)[0], 0.53222, "float32")
    assert_close(model.get_weights()[0][0], [0.14431, -0.30017, 0.58147], "float32")
    # kept by clone_model, to_json and files (minikeras's and Keras's)
    assert mk.models.clone_model(model)._loss_weight == 0.5
    assert mk.models.model_from_json(model.to_json())._loss_weight == 0.5
    model.save(tmp_path / "m.keras")
    assert mk.models.load_model(tmp_path / "m.keras")._loss_weight == 0.5
    again = make(None)
    again.compile_from_config(model.get_compile_config())
    assert again._loss_weight == 0.5


def test_validation_steps_start_from_the_first_batch_every_epoch():
    # Keras 3's evaluate resets its cached validation iterator (torch trainer:
    # epoch_iterator.reset()), unlike steps_per_epoch in training, which continues.
    x = np.arange(40, dtype="float64").reshape(20, 2) / 40
    xv = np.arange(20, dtype="float64").reshape(10, 2) / 7
    yv = xv.sum(1, keepdims=True) * np.arange(1, 11)[:, None]
    model = mk.Sequential([mk.Input((2,)), L.Dense(1, kernel_initializer="zeros")])
    model.compile(mk.optimizers.SGD(0.0), "mse")
    h = model.fit(x, x[:, :1], epochs=3, batch_size=4, validation_data=(xv, yv),
                  validation_steps=2, validation_batch_size=2, verbose=0)
    first_four = np.mean(yv[:4, 0] ** 2)  # outputs are 0: the loss is the mean of y^2
    assert_close(h.history["val_loss"], [first_four] * 3, "float32")


def test_metric_objects_start_empty_in_fit_as_in_keras():
    # The TF imbalanced-data tutorial shares one list of metric objects between models.
    x, y = np.zeros((8, 3)), np.ones((8, 1))
    tp, acc = mk.metrics.TruePositives(name="tp"), mk.metrics.BinaryAccuracy(name="acc")
    tp.update_state([[1.0]] * 5, [[1.0]] * 5)  # state left over from earlier use
    acc.update_state([[1.0]] * 8, [[0.0]] * 8)
    model = mk.Sequential([mk.Input((3,)), L.Dense(1, activation="sigmoid",
                                                   bias_initializer="ones")])
    model.compile("sgd", "binary_crossentropy", metrics=[tp, acc])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert history.history["tp"] == [8.0, 8.0] and history.history["acc"] == [1.0, 1.0]


def test_a_loop_of_models_with_metrics_shows_each_warning_once():
    import subprocess
    import sys

    script = (
        "import numpy as np, minikeras as keras\n"
        "x, y = np.zeros((8, 3)), np.zeros((8, 1))\n"
        "keras.activations.get('sigmoid')(np.zeros(1))\n"  # scipy.special's import, first
        "for i in range(3):\n"
        "    m = keras.Sequential([keras.layers.Dense(1, activation='sigmoid',"
        " input_shape=(3,))])\n"
        "    m.compile('sgd', 'mse', metrics=['mae'])\n"
        "    m.fit(x, y, verbose=0)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert out.stderr.count("Do not pass an `input_shape`") == 1, out.stderr
