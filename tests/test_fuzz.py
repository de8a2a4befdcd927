"""Hypothesis fuzzing of fit/evaluate/predict inputs (issue 6, "Bad input and numerics", item 3).

Whatever arrives (any shape from a scalar to 3-D, empty arrays, NumPy
dtypes from bool and int8 to float16 and complex, object and string arrays,
nested and ragged lists, NaN, inf and huge values, odd batch sizes, epochs,
splits and weights), each call either works or raises a clear ValueError or
TypeError: never IndexError, AttributeError, FloatingPointError,
ZeroDivisionError or anything else. A refused call changes nothing, and the
model trains afterwards either way.

Overflow warnings are allowed here: huge finite inputs (1e308) overflow
because the true values are beyond the range, which is not an error. The
strict no-warning checks are in ``test_numerics.py``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minikeras as mk
from minikeras import layers as L

ALLOWED = (ValueError, TypeError)
DTYPES = ["float64", "float32", "float16", "int64", "int8", "uint8", "bool", "complex128",
          "U3", "object"]

# A clear message says something: at least a few words, not an empty string or a bare repr.
MIN_MESSAGE = 20


def _object_elements() -> st.SearchStrategy[Any]:
    return st.one_of(st.floats(), st.integers(-5, 5), st.text(max_size=2), st.none())


def _weighted(*options: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """``one_of`` with weights, so most draws get past the first check and go deep."""
    table = [strategy for weight, strategy in options for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda i: table[i])


def _arrays(rows: st.SearchStrategy[int]) -> st.SearchStrategy[np.ndarray]:
    """Arrays of any dtype above, mostly shaped ``(rows, 3)`` as the models take them."""
    shapes = _weighted(
        (6, rows.map(lambda n: (n, 3))),
        (2, rows.flatmap(lambda n: hnp.array_shapes(min_dims=1, max_dims=3, min_side=0,
                                                    max_side=4).map(lambda s: (n, *s[1:])))),
        (1, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)))

    def arrays(dtype: str) -> st.SearchStrategy[np.ndarray]:
        if dtype == "object":
            return shapes.flatmap(lambda s: hnp.arrays(object, s, elements=_object_elements()))
        if dtype.startswith("float"):
            nice = st.floats(-3, 3, width=16 if dtype == "float16" else 32)
            # Mostly well-behaved values, else anything: NaN, inf, 1e308, -0.0, subnormals.
            return shapes.flatmap(lambda s: _weighted((2, hnp.arrays(dtype, s, elements=nice)),
                                                      (1, hnp.arrays(dtype, s))))
        return shapes.flatmap(lambda s: hnp.arrays(dtype, s))

    return _weighted((4, st.just("float64")), (2, st.just("float32")),
                     (4, st.sampled_from(DTYPES))).flatmap(arrays)


def _inputs(rows: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    """Arrays, the same as nested lists, ragged lists, scalars and None."""
    ragged = st.lists(st.lists(st.floats(-3, 3), max_size=4), max_size=5)
    return _weighted((8, _arrays(rows)), (2, _arrays(rows).map(lambda a: a.tolist())),
                     (1, ragged), (1, st.floats()), (1, st.none()))


def _targets(rows: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    labels = rows.flatmap(lambda n: st.one_of(
        hnp.arrays("float64", (n, 1), elements=st.sampled_from([0.0, 1.0])),
        hnp.arrays("int64", (n,), elements=st.integers(0, 2)),
        hnp.arrays("float32", (n,), elements=st.sampled_from([0.0, 1.0])),
        hnp.arrays("int64", (n,), elements=st.integers(0, 2)).map(lambda a: np.eye(3)[a])))
    return _weighted((3, labels), (1, _inputs(rows)))


def _weights(rows: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    good = rows.flatmap(lambda n: hnp.arrays("float64", (n,), elements=st.floats(0, 3)))
    return _weighted((3, st.none()), (2, good), (1, _inputs(rows)))


def _argument(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
    return _weighted((4, st.sampled_from(good)), (1, st.sampled_from(bad)))


ROWS = st.integers(0, 6)
BATCH_SIZES = _argument([None, 1, 2, 32, np.int64(3)], [0, -1, 2.5, "4", True])
EPOCHS = _argument([1, 2, 0], [-1, 1.5, None])
SPLITS = _argument([0.0, 0.0, 0.5], [0.99, 1.0, -0.1, float("nan"), "0.2"])
CLASS_WEIGHTS = _argument([None, None, {0: 1.0, 1: 2.0}, {}, {0.0: 2.0}],
                          [{0: -1.0}, {0.5: 1.0}, [1.0, 2.0], {2: float("inf")}, {"a": 1}])


def _model(kind: str) -> mk.Sequential:
    """A small model of each kind that has trained, so a refused call has state to lose."""
    mk.config.set_floatx("float32")
    mk.utils.set_random_seed(1)
    if kind == "unbuilt":
        model = mk.Sequential([L.Dense(2, activation="relu"), L.Dense(1, activation="sigmoid")])
        model.compile(mk.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
        return model
    units, loss, act = {"binary": (1, "binary_crossentropy", "sigmoid"),
                        "sparse": (3, "sparse_categorical_crossentropy", "softmax"),
                        "categorical": (3, "categorical_crossentropy", "softmax"),
                        "regression": (1, "mse", None)}[kind]
    model = mk.Sequential([mk.Input((3,)), L.Dense(4, activation="relu"),
                           L.Dense(units, activation=act)])
    metrics = {"binary": ["accuracy", mk.metrics.AUC()], "sparse": ["accuracy"],
               "categorical": ["accuracy", mk.metrics.Precision()],
               "regression": ["mae", mk.metrics.RootMeanSquaredError()]}[kind]
    model.compile(mk.optimizers.Adam(0.01), loss, metrics=metrics)
    x, y = _good(kind)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    return model


def _good(kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(12, 3)).astype("float32")
    if kind == "sparse":
        return x, rng.integers(0, 3, size=12)
    if kind == "categorical":
        return x, np.eye(3)[rng.integers(0, 3, size=12)]
    return x, (x[:, :1] > 0).astype("float32")


def _state(model: mk.Sequential) -> list[np.ndarray]:
    arrays = [w.copy() for w in model.get_weights()] if model.built else []
    arrays += [np.array(v, copy=True) for _, v in sorted(model.optimizer.get_state().items())]
    for metric in model.metrics:
        arrays += [np.array(a, copy=True) for a in metric.state_arrays()]
    return arrays


def _check(kind: str, call: Any) -> None:
    """The property: works, or a clear ValueError/TypeError that changed nothing."""
    model = _model(kind)
    before = _state(model)
    with warnings.catch_warnings():
        # Overflow of huge finite values and Keras's "ran out of data" are warnings, not errors.
        warnings.simplefilter("ignore")
        try:
            call(model)
        except ALLOWED as err:
            assert len(str(err)) >= MIN_MESSAGE, repr(err)
            after = _state(model)
            assert len(after) == len(before)
            for a, b in zip(after, before):
                np.testing.assert_array_equal(a, b)
            if kind == "unbuilt":
                assert not model.built
            refused = True
        else:
            refused = False
        # Usable afterwards either way: it trains and predicts on good data.
        x, y = _good("binary" if kind == "unbuilt" else kind)
        if kind == "unbuilt" and model.built:
            # Accepted input built it for its own shape (as in Keras): good data of that shape.
            x = np.random.default_rng(5).normal(size=(12, *model.input_shape[1:]))
            y = (np.random.default_rng(6).random((12, *model.output_shape[1:])) > 0.5) * 1.0
        history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
        assert model.predict(x, verbose=0).shape[0] == len(x)
    if refused:
        assert all(math.isfinite(v) for v in history.history["loss"])


KINDS = st.sampled_from(["binary", "sparse", "categorical", "regression", "unbuilt"])

@given(kind=KINDS, data=st.data())
def test_fit_works_or_refuses_clearly(kind, data):
    n = data.draw(ROWS, label="rows")
    rows = st.just(n)
    x = data.draw(_inputs(rows), label="x")
    y = data.draw(_targets(rows), label="y")
    kwargs = {"batch_size": data.draw(BATCH_SIZES, label="batch_size"),
              "epochs": data.draw(EPOCHS, label="epochs"),
              "validation_split": data.draw(SPLITS, label="validation_split"),
              "sample_weight": data.draw(_weights(rows), label="sample_weight"),
              "class_weight": data.draw(CLASS_WEIGHTS, label="class_weight"),
              "shuffle": data.draw(st.booleans(), label="shuffle")}
    if data.draw(st.booleans(), label="with validation_data"):
        kwargs["validation_data"] = (data.draw(_inputs(rows), label="x_val"),
                                     data.draw(_targets(rows), label="y_val"))
    _check(kind, lambda m: m.fit(x, y, verbose=0, **kwargs))


@given(kind=KINDS, data=st.data())
def test_evaluate_works_or_refuses_clearly(kind, data):
    rows = st.just(data.draw(ROWS, label="rows"))
    x = data.draw(_inputs(rows), label="x")
    y = data.draw(_targets(rows), label="y")
    sw = data.draw(_weights(rows), label="sample_weight")
    batch_size = data.draw(BATCH_SIZES, label="batch_size")
    _check(kind, lambda m: m.evaluate(x, y, batch_size=batch_size, sample_weight=sw,
                                      verbose=0))


@given(kind=KINDS, data=st.data())
def test_predict_and_call_work_or_refuse_clearly(kind, data):
    x = data.draw(_inputs(st.just(data.draw(ROWS, label="rows"))), label="x")
    batch_size = data.draw(BATCH_SIZES, label="batch_size")
    how = data.draw(st.sampled_from(["predict", "call", "predict_on_batch"]), label="how")

    def call(m: mk.Sequential) -> None:
        if how == "predict":
            out = m.predict(x, batch_size=batch_size, verbose=0)
        elif how == "call":
            out = m(x).numpy()
        else:
            out = m.predict_on_batch(x)
        assert isinstance(out, np.ndarray) and out.shape[0] == np.shape(x)[0]

    _check(kind, call)


@given(kind=KINDS, data=st.data())
def test_train_and_test_on_batch_work_or_refuse_clearly(kind, data):
    rows = st.just(data.draw(ROWS, label="rows"))
    x = data.draw(_inputs(rows), label="x")
    y = data.draw(_targets(rows), label="y")
    cw = data.draw(CLASS_WEIGHTS, label="class_weight")
    train = data.draw(st.booleans(), label="train")
    if train:
        _check(kind, lambda m: m.train_on_batch(x, y, class_weight=cw))
    else:
        _check(kind, lambda m: m.test_on_batch(x, y))


@pytest.mark.parametrize("kind", ["binary", "sparse", "categorical", "regression", "unbuilt"])
def test_the_fuzzed_models_take_good_input_and_refuse_nan(kind):
    """The property is not vacuous: each model kind trains, and refuses what it must."""
    x, y = _good("binary" if kind == "unbuilt" else kind)
    _check(kind, lambda m: m.fit(x, y, verbose=0))
    model = _model(kind)
    with pytest.raises(ValueError, match=r"`x` contains NaN or inf in 12 row"):
        model.fit(np.full_like(x, np.nan), y, verbose=0)
