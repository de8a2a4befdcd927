"""Bad input is refused at the public boundary, and refusing it changes nothing (issue 6).

"Bad input and numerics", item 1: fit, evaluate, predict, ``model(x)``, the
on-batch methods, compile, and the layer and optimizer constructors check
their arguments once, before any state changes, and the error (ValueError or
TypeError) names the argument, what was expected and what was received.

Every refused call below runs on a model that has trained already (so it has
optimizer slots and metric values to lose). Afterwards its weights, optimizer
state and metric states are exactly what they were, and it still trains.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.sparse

import minikeras as mk
from minikeras import layers as L

N = 20


def _data(kind: str = "binary", n: int = N, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    labels = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1).astype(np.int64)
    if kind == "binary":
        return x, (x[:, :1] > 0).astype(np.float64)
    if kind == "sparse":
        return x, labels
    return x, np.eye(3)[labels]


def _model(kind: str = "binary") -> mk.Sequential:
    """A float64 model that has trained one epoch (optimizer slots, metric values)."""
    mk.config.set_floatx("float64")
    mk.utils.set_random_seed(0)
    units, loss = {"binary": (1, "binary_crossentropy"),
                   "sparse": (3, "sparse_categorical_crossentropy"),
                   "categorical": (3, "categorical_crossentropy")}[kind]
    model = mk.Sequential([mk.Input((3,)), L.Dense(4, activation="relu"),
                           L.Dense(units, activation="sigmoid" if units == 1 else "softmax")])
    # mse cannot read class indices (Keras refuses it too): see the metric test below.
    metrics = ["accuracy"] if kind == "sparse" else ["accuracy", "mse"]
    model.compile(mk.optimizers.Adam(0.05), loss, metrics=metrics)
    x, y = _data(kind)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    return model


def _snapshot(model: mk.Sequential) -> dict[str, Any]:
    """Everything a refused call must leave alone."""
    return {
        "built": model.built,
        "weights": [w.copy() for w in model.get_weights()] if model.built else None,
        "optimizer": model.optimizer,
        "optimizer_state": {k: np.array(v, copy=True)
                            for k, v in model.optimizer.get_state().items()},
        "loss": model.loss,
        "metrics": [(m.name, [np.array(a, copy=True) for a in m.state_arrays()])
                    for m in model.metrics],
    }


def _assert_unchanged(model: mk.Sequential, before: dict[str, Any]) -> None:
    after = _snapshot(model)
    assert after["built"] == before["built"]
    if before["weights"] is not None:
        for a, b in zip(after["weights"], before["weights"], strict=True):
            np.testing.assert_array_equal(a, b)
    assert after["optimizer"] is before["optimizer"] and after["loss"] is before["loss"]
    assert after["optimizer_state"].keys() == before["optimizer_state"].keys()
    for key, value in before["optimizer_state"].items():
        np.testing.assert_array_equal(after["optimizer_state"][key], value, err_msg=key)
    assert [n for n, _ in after["metrics"]] == [n for n, _ in before["metrics"]]
    for (name, a_states), (_, b_states) in zip(after["metrics"], before["metrics"], strict=True):
        for a, b in zip(a_states, b_states, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)


def _assert_still_trains(model: mk.Sequential, kind: str) -> None:
    x, y = _data(kind)
    before = [w.copy() for w in model.get_weights()] if model.built else None
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert all(math.isfinite(v) for values in history.history.values() for v in values)
    if before is not None:
        assert not np.allclose(model.get_weights()[0], before[0])
    assert np.all(np.isfinite(model.predict(x, verbose=0)))


# ----------------------------------------------------------------------------- the table
X, Y = _data("binary")
XS, YS = _data("sparse")
XC, YC = _data("categorical")


def _with_nan(a: np.ndarray, rows: tuple[int, ...] = (3, 7), value: float = np.nan) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a[list(rows), 0] = value
    return a


def _set(a: np.ndarray, row: int, value: Any) -> np.ndarray:
    a = np.array(a, dtype=np.result_type(a, type(value)))
    a[row] = value
    return a


Call = Callable[[mk.Sequential], Any]


def case(kind: str, call: Call, exc: type[Exception], match: str, id: str) -> Any:
    return pytest.param(kind, call, exc, match, id=id)


BAD_CALLS = [
    # --- NaN and inf, with the number of rows
    case("binary", lambda m: m.fit(_with_nan(X), Y, verbose=0), ValueError,
         r"`x` contains NaN or inf in 2 row\(s\) \(first at row 3\)", "fit-x-nan"),
    case("binary", lambda m: m.fit(_with_nan(X, (5,), np.inf), Y, verbose=0), ValueError,
         r"`x` contains NaN or inf in 1 row\(s\) \(first at row 5\)", "fit-x-inf"),
    case("binary", lambda m: m.fit(X, _with_nan(Y, (0, 1, 2), -np.inf), verbose=0), ValueError,
         r"`y` contains NaN or inf in 3 row\(s\)", "fit-y-inf"),
    case("binary", lambda m: m.fit(scipy.sparse.csr_matrix(_with_nan(X)), Y, verbose=0),
         ValueError, r"`x` contains NaN or inf in 2 row\(s\) \(first at row 3\)",
         "fit-sparse-x-nan"),
    case("binary", lambda m: m.fit(X, Y, sample_weight=_set(np.ones(N), 4, np.nan), verbose=0),
         ValueError, r"`sample_weight` contains NaN or inf in 1 row", "fit-sample-weight-nan"),
    # --- labels the loss cannot mean anything with
    case("binary", lambda m: m.fit(X, Y * 2, verbose=0), ValueError,
         r"labels in \[0, 1\]; y holds values from 0 to 2", "fit-bce-label-2"),
    case("binary", lambda m: m.fit(X, Y - 1, verbose=0), ValueError,
         r"labels in \[0, 1\]; y holds values from -1 to 0", "fit-bce-label-negative"),
    case("sparse", lambda m: m.fit(XS, _set(YS, 2, 3), verbose=0), ValueError,
         r"received a label 3, but the output has 3 units", "fit-sparse-label-too-big"),
    case("sparse", lambda m: m.fit(XS, _set(YS, 2, -1), verbose=0), ValueError,
         r"class indices must be >= 0. Received a label -1", "fit-sparse-label-negative"),
    case("sparse", lambda m: m.fit(XS, _set(YS, 2, 1.5), verbose=0), ValueError,
         r"integer class labels; y holds non-integer", "fit-sparse-label-fraction"),
    case("sparse", lambda m: m.fit(XS, np.eye(3)[YS], verbose=0), ValueError,
         r"y has shape \(20, 3\) \(one-hot\?\)", "fit-sparse-one-hot"),
    case("categorical", lambda m: m.fit(XC, YS, verbose=0), ValueError,
         r"`y` of shape \(20,\) does not fit the model's output of shape \(None, 3\).*"
         r"SparseCategoricalCrossentropy", "fit-categorical-integer-labels"),
    # --- dimensionality and shapes
    case("binary", lambda m: m.fit(X[:, 0], Y, verbose=0), ValueError,
         r"Expected 2-D input of shape \(n, 3\); received a 1-D array of shape \(20,\)",
         "fit-x-1d"),
    # (n, 3, 1) would be squeezed, as Keras does; an extra axis of size 2 is refused
    case("binary", lambda m: m.fit(np.stack([X, X], axis=-1), Y, verbose=0), ValueError,
         r"expected shape \(None, 3\), received shape \(.*, 3, 2\)", "fit-x-3d"),
    case("binary", lambda m: m.fit(np.hstack([X, X[:, :2]]), Y, verbose=0), ValueError,
         r"expects 3 input features \(last axis\); received shape \(.*5\)", "fit-x-features"),
    case("binary", lambda m: m.fit(3.0, Y, verbose=0), ValueError,
         r"`x` must be an array of samples \(rows\); received a scalar 3.0", "fit-x-scalar"),
    case("binary", lambda m: m.fit(X, np.hstack([Y, Y]), verbose=0), ValueError,
         r"`y` of shape \(20, 2\) does not fit the model's output of shape \(None, 1\)",
         "fit-y-width"),
    case("binary", lambda m: m.fit(X, Y[:-1], verbose=0), ValueError,
         r"x has 20 and y has 19", "fit-y-rows"),
    case("binary", lambda m: m.fit(X, Y[:, :, None, None], verbose=0), ValueError,
         r"`y` of shape \(20, 1, 1, 1\) does not fit", "fit-y-4d"),
    # --- not numbers
    case("binary", lambda m: m.fit(X.astype(object), Y, verbose=0), TypeError,
         r"`x` must hold numbers; received an array of dtype object", "fit-x-object"),
    case("binary", lambda m: m.fit(X.astype(str), Y, verbose=0), TypeError,
         r"`x` must hold numbers; received an array of dtype <U", "fit-x-strings"),
    case("binary", lambda m: m.fit([[1, 2, "a"]] * N, Y, verbose=0), TypeError,
         r"`x` must hold numbers", "fit-x-mixed-list"),
    case("binary", lambda m: m.fit(X.astype(complex), Y, verbose=0), TypeError,
         r"dtype complex128", "fit-x-complex"),
    case("binary", lambda m: m.fit(np.zeros((N, 3), "datetime64[s]"), Y, verbose=0), TypeError,
         r"dtype datetime64", "fit-x-datetime"),
    case("binary", lambda m: m.fit(X, np.array(["yes"] * N), verbose=0), TypeError,
         r"`y` must hold numbers", "fit-y-strings"),
    case("binary", lambda m: m.fit([[1.0, 2.0, 3.0], [1.0, 2.0]], [0, 1], verbose=0),
         ValueError, r"Cannot convert `x` to an array", "fit-x-ragged"),
    case("binary", lambda m: m.fit({"a": X}, Y, verbose=0), TypeError,
         r"`x` as a dict of named inputs", "fit-x-dict"),
    case("binary", lambda m: m.fit(None, Y, verbose=0), ValueError,
         r"fit\(\) needs input data `x`", "fit-x-none"),
    case("binary", lambda m: m.fit(X, None, verbose=0), ValueError,
         r"fit\(\) needs targets `y`", "fit-y-none"),
    # --- empty data
    case("binary", lambda m: m.fit(np.zeros((0, 3)), np.zeros((0, 1)), verbose=0), ValueError,
         r"fit\(\) received empty data: `x` has 0 rows", "fit-empty"),
    case("binary", lambda m: m.fit([], [], verbose=0), ValueError,
         r"received a 1-D array of shape \(0,\)", "fit-empty-lists"),
    # --- fit's own arguments
    *[case("binary", lambda m, v=v: m.fit(X, Y, batch_size=v, verbose=0), ValueError,
           rf"`batch_size` must be a positive integer. Received: batch_size={v!r}",
           f"fit-batch-size-{v!r}") for v in (0, -1, 2.5, "32", True)],
    *[case("binary", lambda m, v=v: m.fit(X, Y, epochs=v, verbose=0), ValueError,
           rf"`epochs` must be an integer >= 0. Received: epochs={v!r}", f"fit-epochs-{v!r}")
      for v in (-1, 1.5, "2")],
    case("binary", lambda m: m.fit(X, Y, initial_epoch=-1, verbose=0), ValueError,
         r"Received: initial_epoch=-1", "fit-initial-epoch"),
    *[case("binary", lambda m, v=v: m.fit(X, Y, validation_split=v, verbose=0), ValueError,
           r"`validation_split` must be a float in \[0, 1\). Received: validation_split=",
           f"fit-validation-split-{v!r}") for v in (1.0, -0.1, float("nan"), "0.2", None)],
    case("binary", lambda m: m.fit(X, Y, validation_split=0.99, verbose=0), ValueError,
         r"Training data contains 20 samples, which is not sufficient to split",
         "fit-validation-split-leaves-no-training-rows"),
    case("binary", lambda m: m.fit(X[:1], Y[:1], validation_split=0.5, verbose=0), ValueError,
         r"Training data contains 1 samples", "fit-validation-split-one-row"),
    case("binary", lambda m: m.fit(X, Y, steps_per_epoch=0, verbose=0), ValueError,
         r"Received: steps_per_epoch=0", "fit-steps-per-epoch"),
    case("binary", lambda m: m.fit(X, Y, validation_split=0.2, validation_steps=0, verbose=0),
         ValueError, r"Received: validation_steps=0", "fit-validation-steps"),
    case("binary", lambda m: m.fit(X, Y, validation_batch_size=-2, verbose=0), ValueError,
         r"Received: validation_batch_size=-2", "fit-validation-batch-size"),
    *[case("binary", lambda m, v=v: m.fit(X, Y, validation_split=0.2, validation_freq=v,
                                          verbose=0), ValueError,
           r"`validation_freq` must be a positive integer.*Received: validation_freq=",
           f"fit-validation-freq-{v!r}") for v in (0, "a", [1.5])],
    case("binary", lambda m: m.fit(X, Y, verbose=5), ValueError,
         r"`verbose` must be 'auto', 0, 1 or 2. Received: verbose=5", "fit-verbose"),
    case("binary", lambda m: m.fit(X, Y, epoch=3, verbose=0), TypeError,
         r"fit\(\) got unexpected keyword argument\(s\): \['epoch'\]", "fit-unknown-keyword"),
    case("binary", lambda m: m.fit(X, Y, callbacks=[3], verbose=0), TypeError,
         r"`callbacks` must be a list of keras.callbacks.Callback instances. Received an "
         r"element 3 of type int", "fit-callbacks-int"),
    case("binary", lambda m: m.fit(X, Y, callbacks=mk.callbacks.History, verbose=0), TypeError,
         r"received the class History", "fit-callbacks-class"),
    # --- sample_weight and class_weight
    case("binary", lambda m: m.fit(X, Y, sample_weight=np.ones(N), class_weight={0: 1, 1: 2},
                                   verbose=0), ValueError,
         r"You cannot `class_weight` and `sample_weight` at the same time\.", "fit-both-weights"),
    case("binary", lambda m: m.fit(X, Y, sample_weight=np.ones(5), verbose=0), ValueError,
         r"`sample_weight` must have one weight per row of x \(20\); received shape \(5,\)",
         "fit-sample-weight-length"),
    case("binary", lambda m: m.fit(X, Y, sample_weight=np.ones((N, 2)), verbose=0), ValueError,
         r"sample_weight of shape \(20, 2\) does not fit the per-sample losses of shape \(20,\)",
         "fit-sample-weight-width"),
    case("binary", lambda m: m.fit(X, Y, sample_weight=_set(np.ones(N), 0, -1.0), verbose=0),
         ValueError, r"`sample_weight` values must be >= 0; received 1 negative",
         "fit-sample-weight-negative"),
    case("binary", lambda m: m.fit(X, Y, sample_weight=np.array(["1"] * N), verbose=0),
         TypeError, r"`sample_weight` must hold numbers", "fit-sample-weight-strings"),
    case("binary", lambda m: m.fit(X, Y, class_weight=[1.0, 2.0], verbose=0), ValueError,
         r"`class_weight` must be a dict.*Received: class_weight=\[1.0, 2.0\] of type list",
         "fit-class-weight-list"),
    case("binary", lambda m: m.fit(X, Y, class_weight=np.ones(2), verbose=0), ValueError,
         r"`class_weight` must be a dict", "fit-class-weight-array"),
    case("binary", lambda m: m.fit(X, Y, class_weight={0: 1.0, 1: -2.0}, verbose=0),
         ValueError, r"`class_weight` values must be finite numbers >= 0. Received "
         r"class_weight\[1\]=-2.0", "fit-class-weight-negative"),
    case("binary", lambda m: m.fit(X, Y, class_weight={0: float("nan")}, verbose=0),
         ValueError, r"class_weight\[0\]=nan", "fit-class-weight-nan"),
    case("binary", lambda m: m.fit(X, Y, class_weight={0: "high"}, verbose=0), ValueError,
         r"class_weight\[0\]='high'", "fit-class-weight-string"),
    *[case("binary", lambda m, k=k: m.fit(X, Y, class_weight={k: 1.0}, verbose=0), ValueError,
           rf"`class_weight` keys must be class indices \(integers >= 0\). Received the key "
           rf"{k!r}", f"fit-class-weight-key-{k!r}") for k in (-1, 0.5, "a")],
    # --- validation_data
    *[case("binary", lambda m, v=v: m.fit(X, Y, validation_data=v, verbose=0), ValueError,
           r"`validation_data` must be a tuple \(x_val, y_val\)", f"fit-validation-data-{i}")
      for i, v in enumerate([(X,), (X, Y, None, None), X, "data"])],
    case("binary", lambda m: m.fit(X, Y, validation_data=(X[:, :2], Y), verbose=0), ValueError,
         r"Invalid `validation_data`: .*expects 3 input features", "fit-validation-features"),
    case("binary", lambda m: m.fit(X, Y, validation_data=(X, np.hstack([Y, Y])), verbose=0),
         ValueError, r"Invalid `validation_data`: `y` of shape \(20, 2\) does not fit",
         "fit-validation-y-width"),
    case("binary", lambda m: m.fit(X, Y, validation_data=(X, Y[:5]), verbose=0), ValueError,
         r"Invalid `validation_data`: x and y must have the same number of rows: x has 20 and "
         r"y has 5", "fit-validation-rows"),
    case("binary", lambda m: m.fit(X, Y, validation_data=(_with_nan(X), Y), verbose=0),
         ValueError, r"Invalid `validation_data`: `x` contains NaN or inf in 2 row",
         "fit-validation-nan"),
    case("binary", lambda m: m.fit(X, Y, validation_data=(X, Y + 1), verbose=0), ValueError,
         r"Invalid `validation_data`: .*labels in \[0, 1\]", "fit-validation-labels"),
    case("binary", lambda m: m.fit(X, Y, validation_data=(X, Y, -np.ones(N)), verbose=0),
         ValueError, r"Invalid `validation_data`: `sample_weight` values must be >= 0",
         "fit-validation-sample-weight"),
    case("binary", lambda m: m.fit(X, Y, validation_data=(X, Y, np.ones((N, 3))), verbose=0),
         ValueError, r"Invalid `validation_data`: .*sample_weight of shape \(20, 3\)",
         "fit-validation-sample-weight-width"),
    # --- evaluate
    case("binary", lambda m: m.evaluate(_with_nan(X), Y, verbose=0), ValueError,
         r"`x` contains NaN or inf in 2 row", "evaluate-x-nan"),
    case("binary", lambda m: m.evaluate(X, Y + 3, verbose=0), ValueError,
         r"labels in \[0, 1\]; y holds values from 3 to 4", "evaluate-labels"),
    case("sparse", lambda m: m.evaluate(XS, YS + 1, verbose=0), ValueError,
         r"received a label 3", "evaluate-sparse-labels"),
    case("binary", lambda m: m.evaluate(X, np.hstack([Y, Y]), verbose=0), ValueError,
         r"`y` of shape \(20, 2\) does not fit", "evaluate-y-width"),
    case("binary", lambda m: m.evaluate(X, Y, sample_weight=-np.ones(N), verbose=0),
         ValueError, r"`sample_weight` values must be >= 0", "evaluate-sample-weight"),
    case("binary", lambda m: m.evaluate(X, Y, batch_size=0, verbose=0), ValueError,
         r"Received: batch_size=0", "evaluate-batch-size"),
    case("binary", lambda m: m.evaluate(X, Y, steps=0, verbose=0), ValueError,
         r"Received: steps=0", "evaluate-steps"),
    case("binary", lambda m: m.evaluate(np.zeros((0, 3)), np.zeros((0, 1)), verbose=0),
         ValueError, r"evaluate\(\) received empty data", "evaluate-empty"),
    case("binary", lambda m: m.evaluate(X, Y, foo=1, verbose=0), TypeError,
         r"evaluate\(\) got unexpected keyword argument\(s\): \['foo'\]", "evaluate-keyword"),
    case("binary", lambda m: m.evaluate(X, Y, callbacks=["cb"], verbose=0), TypeError,
         r"`callbacks` must be a list", "evaluate-callbacks"),
    # --- predict, model(x), the on-batch methods
    case("binary", lambda m: m.predict(_with_nan(X), verbose=0), ValueError,
         r"`x` contains NaN or inf in 2 row", "predict-x-nan"),
    case("binary", lambda m: m.predict(np.zeros((0, 3)), verbose=0), ValueError,
         r"predict\(\) received empty data: `x` has 0 rows", "predict-empty"),
    case("binary", lambda m: m.predict(X.astype(str), verbose=0), TypeError,
         r"`x` must hold numbers", "predict-strings"),
    case("binary", lambda m: m.predict(np.stack([X, X], axis=-1), verbose=0), ValueError,
         r"expected shape \(None, 3\), received shape \(.*, 3, 2\)", "predict-3d"),
    case("binary", lambda m: m.predict(X[:, :2], verbose=0), ValueError,
         r"expects 3 input features", "predict-features"),
    case("binary", lambda m: m.predict(X, batch_size=0, verbose=0), ValueError,
         r"Received: batch_size=0", "predict-batch-size"),
    case("binary", lambda m: m.predict(X, foo=1), TypeError,
         r"predict\(\) got unexpected keyword argument\(s\): \['foo'\]", "predict-keyword"),
    case("binary", lambda m: m(_with_nan(X)), ValueError,
         r"`x` contains NaN or inf in 2 row", "call-x-nan"),
    case("binary", lambda m: m(X.astype(object)), TypeError, r"`x` must hold numbers",
         "call-object"),
    case("binary", lambda m: m(np.zeros((0, 3))), ValueError, r"received empty data",
         "call-empty"),
    case("binary", lambda m: m(X[:, :2]), ValueError, r"expects 3 input features",
         "call-features"),
    case("binary", lambda m: m(X, foo=1), TypeError,
         r"got unexpected keyword argument\(s\): \['foo'\]", "call-keyword"),
    case("binary", lambda m: m(X, mask=np.ones(N, bool)), ValueError, r"take no `mask`",
         "call-mask"),
    case("binary", lambda m: m.train_on_batch(_with_nan(X), Y), ValueError,
         r"`x` contains NaN or inf", "train-on-batch-nan"),
    case("binary", lambda m: m.train_on_batch(X, Y * 3), ValueError, r"labels in \[0, 1\]",
         "train-on-batch-labels"),
    case("binary", lambda m: m.train_on_batch(X, Y, class_weight=[1, 2]), ValueError,
         r"`class_weight` must be a dict", "train-on-batch-class-weight"),
    case("binary", lambda m: m.test_on_batch(X, _with_nan(Y)), ValueError,
         r"`y` contains NaN or inf", "test-on-batch-nan"),
    case("binary", lambda m: m.predict_on_batch(_with_nan(X)), ValueError,
         r"`x` contains NaN or inf", "predict-on-batch-nan"),
    # --- compile (the old settings stay)
    case("binary", lambda m: m.compile("adom", "binary_crossentropy"), ValueError,
         r"Unknown optimizer 'adom'. Did you mean 'adam'\?", "compile-optimizer"),
    case("binary", lambda m: m.compile("adam", "binary_crossentropi"), ValueError,
         r"Unknown loss 'binary_crossentropi'", "compile-loss"),
    case("binary", lambda m: m.compile("adam", "mse", metrics=["acuracy"]), ValueError,
         r"Unknown metric 'acuracy'. Did you mean 'accuracy'\?", "compile-metric"),
    case("binary", lambda m: m.compile("adam", "mse", foo=1), TypeError,
         r"compile\(\) got unexpected keyword argument\(s\): \['foo'\]", "compile-keyword"),
    case("binary", lambda m: m.compile(3, "mse"), ValueError,
         r"Could not interpret optimizer identifier: 3", "compile-optimizer-int"),
    case("binary", lambda m: m.compile("adam", ["mse", "mae"]), ValueError,
         r"a list of losses for several outputs", "compile-loss-list"),
    case("binary", lambda m: m.compile("adam", "mse", metrics={"a": "mae", "b": "mse"}),
         ValueError, r"a dict of metrics for several outputs", "compile-metric-dict"),
]


@pytest.mark.parametrize(("kind", "call", "exc", "match"), BAD_CALLS)
def test_bad_input_is_refused_and_changes_nothing(kind, call, exc, match):
    model = _model(kind)
    before = _snapshot(model)
    with pytest.raises(exc, match=match):
        call(model)
    _assert_unchanged(model, before)
    _assert_still_trains(model, kind)


@pytest.mark.parametrize("call", [
    lambda m: m.fit(_with_nan(X), Y, verbose=0),
    lambda m: m.fit(X, Y * 2, verbose=0),
    lambda m: m.fit(X, np.hstack([Y, Y]), verbose=0),
    lambda m: m.fit(X, Y, batch_size=0, verbose=0),
    lambda m: m.fit(X, Y, validation_data=(X, Y + 1), verbose=0),
    lambda m: m.fit(X, Y, callbacks=[3], verbose=0),
    lambda m: m.evaluate(X, Y, sample_weight=np.ones((N, 2)), verbose=0),
    lambda m: m.predict(X.astype(str), verbose=0),
    lambda m: m(X[:, 0]),
], ids=["nan", "labels", "y-width", "batch-size", "validation-labels", "callbacks",
        "sample-weight", "strings", "1-d"])
def test_a_refused_call_leaves_an_unbuilt_model_unbuilt(call):
    """The checks come before building, so the next call builds for its own data."""
    mk.config.set_floatx("float64")
    model = mk.Sequential([L.Dense(4, activation="relu"), L.Dense(1, activation="sigmoid")])
    model.compile(mk.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
    with pytest.raises((ValueError, TypeError)):
        call(model)
    assert not model.built and not model.optimizer.built
    _assert_still_trains(model, "binary")


def test_targets_a_metric_cannot_read_are_refused_before_the_first_step():
    """Class indices into ``mse``: refused before any update, not after the first one."""
    mk.config.set_floatx("float64")
    model = mk.Sequential([mk.Input((3,)), L.Dense(3, activation="softmax")])
    model.compile(mk.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy", "mse"], weighted_metrics=[mk.metrics.Mean()])
    before = _snapshot(model)
    with pytest.raises(ValueError, match=r"`y` of shape \(20,\) does not fit the metric 'mse'"
                                         r".*y_true.shape=\(20,\), y_pred.shape=\(20, 3\)"):
        model.fit(XS, YS, verbose=0)
    _assert_unchanged(model, before)
    assert not model.optimizer.built


def test_a_metric_that_needs_more_than_one_row_is_not_refused():
    """The one-row probe is only a first look: the full targets decide (no false refusal)."""
    def both_classes(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if np.unique(y_true).size < 2:
            raise ValueError("needs both classes in a batch")
        return np.abs(y_true - y_pred).mean(axis=-1)

    mk.config.set_floatx("float64")
    model = mk.Sequential([mk.Input((3,)), L.Dense(1, activation="sigmoid")])
    model.compile(mk.optimizers.Adam(0.05), "binary_crossentropy", metrics=[both_classes])
    history = model.fit(X, Y, batch_size=N, epochs=2, verbose=0).history
    assert len(history["both_classes"]) == 2
    with pytest.raises(ValueError, match=r"does not fit the metric 'both_classes': needs both"):
        model.fit(X, np.zeros_like(Y), batch_size=N, verbose=0)


def test_the_metric_probe_leaves_metric_names_and_states_alone():
    """Probing runs on copies and stand-ins: no automatic name or state is used up."""
    mk.config.set_floatx("float64")
    auc = mk.metrics.AUC()
    model = mk.Sequential([mk.Input((3,)), L.Dense(1, activation="sigmoid")])
    model.compile(mk.optimizers.Adam(0.05), "binary_crossentropy",
                  metrics=[auc, mk.metrics.Precision, "accuracy"])
    model.fit(X, Y, batch_size=N, epochs=1, shuffle=False, verbose=0)
    assert [m.name for m in model.metrics] == ["loss", "auc", "precision", "accuracy"]
    assert model.metrics[1] is auc
    model.evaluate(X, Y, verbose=0)  # probes again, on the resolved metrics
    alone = mk.metrics.AUC()
    alone.update_state(Y, model.predict(X, verbose=0))
    assert float(auc.result()) == float(alone.result())
    assert alone.name == "auc_1" and mk.metrics.Precision().name == "precision_1"


def test_a_model_compiled_without_a_loss_is_refused_before_the_optimizer_builds():
    mk.config.set_floatx("float64")
    model = mk.Sequential([mk.Input((3,)), L.Dense(1, activation="sigmoid")])
    model.compile("adam")
    with pytest.raises(ValueError, match="compiled without a loss"):
        model.fit(X, Y, verbose=0)
    assert not model.optimizer.built
    model.compile(mk.optimizers.Adam(0.05), "binary_crossentropy")
    _assert_still_trains(model, "binary")


def test_float_class_weight_keys_and_empty_dicts_are_accepted():
    """``dict(zip(np.unique(y), w))`` on float labels gives float keys: whole ones are classes."""
    model = _model("binary")
    weighted = model.fit(X, Y, class_weight={0.0: 1.0, np.float64(1.0): 3.0}, epochs=1,
                         batch_size=N, shuffle=False, verbose=0).history["loss"]
    model = _model("binary")
    same = model.fit(X, Y, sample_weight=np.where(Y[:, 0] == 1, 3.0, 1.0), epochs=1,
                     batch_size=N, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(weighted, same, rtol=1e-12, atol=0)
    _model("binary").fit(X, Y, class_weight={}, verbose=0)


# ----------------------------------------------------------------------------- constructors
BAD_CONSTRUCTORS = [
    (lambda: L.Dense(0), ValueError, r"`units`.*Received: units=0"),
    (lambda: L.Dense(-1), ValueError, r"Received: units=-1"),
    (lambda: L.Dense(2.5), ValueError, r"Received: units=2.5"),
    (lambda: L.Dense("8"), ValueError, r"Received: units=8"),
    (lambda: L.Dense(None), ValueError, r"Received: units=None"),
    (lambda: L.Dense(3, activation="rleu"), ValueError,
     r"Unknown activation 'rleu'. Did you mean 'relu'\?"),
    (lambda: L.Dense(3, activation=3), ValueError, r"activation identifier: 3"),
    (lambda: L.Dense(3, foo=1), ValueError,
     r"^Unrecognized keyword arguments passed to Dense: \{'foo': 1\}$"),
    (lambda: L.Dense(12, input_dim=8, init="uniform"), TypeError,
     r"Unrecognized keyword arguments passed to Dense: \{'init': 'uniform'\} \(Keras 1 names; "
     r"Keras 3 spells them init= as kernel_initializer=\)"),
    (lambda: L.Dense(3, kernel_initializer="glorot"), ValueError, r"Unknown initializer"),
    (lambda: L.Dense(3, kernel_regularizer="l3"), ValueError, r"Unknown regularizer 'l3'"),
    (lambda: L.Dense(3, input_shape=(-1,)), ValueError,
     r"`input_shape` entries must be >= 0. Received: input_shape=\(-1,\)"),
    (lambda: L.Dense(3, name=5), TypeError, r"`name` must be a string. Received: name=5"),
    (lambda: L.Dropout(1.5), ValueError, r"`rate`.*Received: rate=1.5"),
    (lambda: L.Dropout(float("nan")), ValueError, r"Received: rate=nan"),
    (lambda: L.Dropout(True), ValueError, r"Received: rate=True"),
    (lambda: L.GaussianNoise(-1.0), ValueError, r"`stddev`.*Received: stddev=-1.0"),
    (lambda: L.GaussianNoise(float("nan")), ValueError, r"Received: stddev=nan"),
    (lambda: L.LeakyReLU(float("nan")), ValueError, r"Received: negative_slope=nan"),
    (lambda: L.LeakyReLU("a"), ValueError, r"Received: negative_slope=a"),
    (lambda: L.ReLU(max_value=-1.0), ValueError, r"Received: max_value=-1.0"),
    (lambda: L.ReLU(max_value=float("nan")), ValueError, r"Received: max_value=nan"),
    (lambda: L.ReLU(negative_slope=float("nan")), ValueError, r"Received: negative_slope=nan"),
    (lambda: L.ReLU(threshold=float("inf")), ValueError, r"Received: threshold=inf"),
    (lambda: L.ELU("a"), ValueError, r"`alpha`.*Received: alpha='a'"),
    (lambda: L.ELU(float("nan")), ValueError, r"Received: alpha=nan"),
    (lambda: L.Softmax(axis="last"), ValueError, r"`axis`.*Received: axis='last'"),
    (lambda: L.Rescaling(float("nan")), ValueError, r"`scale`.*Received: scale=nan"),
    (lambda: L.Rescaling("half"), ValueError, r"Received: scale='half'"),
    (lambda: L.Rescaling(1.0, offset=float("inf")), ValueError, r"Received: offset=inf"),
    (lambda: L.Normalization(mean=0.0, variance=-1.0), ValueError,
     r"`variance` must be >= 0. Received: variance=-1.0"),
    (lambda: L.Normalization(mean=float("nan"), variance=1.0), ValueError, r"Received: mean=nan"),
    (lambda: L.Normalization(mean=0.0), ValueError, r"both `mean` and `variance` must be set"),
    (lambda: L.BatchNormalization(momentum=2.0), ValueError,
     r"`momentum` must be a number in \[0, 1\]. Received: momentum=2.0"),
    (lambda: L.BatchNormalization(epsilon=0.0), ValueError, r"Received: epsilon=0.0"),
    (lambda: L.BatchNormalization(renorm=True), ValueError, r"renorm=True.*not implemented"),
    (lambda: L.ReLU(threshold=-1.0), ValueError, r"cannot be None or a negative value.*"
                                                  r"Received: threshold=-1.0"),
    (lambda: L.BatchNormalization(epsilon=-1e-3), ValueError, r"Received: epsilon=-0.001"),
    (lambda: L.LayerNormalization(epsilon=float("nan")), ValueError, r"Received: epsilon=nan"),
    (lambda: L.Reshape("ab"), ValueError, r"`target_shape`.*Received: target_shape='ab'"),
    (lambda: L.Reshape((-1, -1)), ValueError, r"only be one unknown dimension"),
    (lambda: mk.Input((-3,)), ValueError, r"Received: shape=\(-3,\)"),
    (lambda: mk.Input("a"), ValueError, r"Cannot interpret `shape`='a' as a shape"),
    (lambda: mk.Sequential(3), TypeError, r"`layers` must be a list of layers.*Received: "
                                          r"layers=3"),
    (lambda: mk.Sequential(L.Dense(3)), TypeError, r"`layers` must be a list of layers"),
    (lambda: mk.Sequential([3]), TypeError, r"must be an instance of class Layer. Received: "
                                            r"layer=3"),
    # Keras raises ValueError: `except ValueError` written for Keras catches it too
    (lambda: mk.Sequential([L.Dense(2), "relu"]), ValueError, r"instance of class Layer"),
    (lambda: mk.Sequential().add(L.Dense), ValueError, r"instance of class Layer"),
    (lambda: mk.optimizers.SGD(-1.0), ValueError, r"Received: learning_rate=-1.0"),
    (lambda: mk.optimizers.SGD(float("nan")), ValueError, r"Received: learning_rate=nan"),
    (lambda: mk.optimizers.SGD("fast"), ValueError, r"learning_rate='fast'"),
    (lambda: mk.optimizers.SGD(momentum=2.0), ValueError, r"Received: momentum=2.0"),
    (lambda: mk.optimizers.SGD(foo=1), ValueError, r"not recognized: \{'foo': 1\}"),
    (lambda: mk.optimizers.Adam(beta_1=1.0), ValueError, r"Received: beta_1=1.0"),
    (lambda: mk.optimizers.Adam(beta_2=1.5), ValueError, r"Received: beta_2=1.5"),
    (lambda: mk.optimizers.Adam(epsilon=0.0), ValueError, r"Received: epsilon=0.0"),
    (lambda: mk.optimizers.Adam(clipnorm=-1.0), ValueError, r"Received: clipnorm=-1.0"),
    (lambda: mk.optimizers.Adam(clipnorm=1.0, global_clipnorm=1.0), ValueError,
     r"Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"),
    (lambda: mk.optimizers.RMSprop(rho=1.5), ValueError, r"Received: rho=1.5"),
    (lambda: mk.optimizers.Adagrad(initial_accumulator_value=-1.0), ValueError,
     r"Received: initial_accumulator_value=-1.0"),
    (lambda: mk.optimizers.AdamW(weight_decay=float("nan")), ValueError,
     r"Received: weight_decay=nan"),
    (lambda: mk.optimizers.schedules.ExponentialDecay(0.1, 0, 0.5), ValueError,
     r"Received: decay_steps=0"),
]


@pytest.mark.parametrize(("make", "exc", "match"), BAD_CONSTRUCTORS,
                         ids=[f"constructor-{i}" for i in range(len(BAD_CONSTRUCTORS))])
def test_bad_constructor_arguments_are_refused_by_name(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_normalization_adapt_refuses_nan():
    layer = L.Normalization()
    with pytest.raises(ValueError, match=r"`data` contains NaN or inf in 2 row"):
        layer.adapt(_with_nan(X))
    layer.adapt(X)
    assert np.all(np.isfinite(layer(X).numpy()))


def test_loss_weights_for_more_than_one_output_are_refused_clearly():
    """minikeras models have one output: one weight (a number, or a list or dict of one)."""
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    for bad in ([0.5, 0.5], {"a": 1.0, "b": 2.0}, "half", float("nan"), True):
        with pytest.raises(ValueError, match="loss_weights.*one output"):
            model.compile(optimizer="sgd", loss="mse", loss_weights=bad)
    assert not model.compiled
    for good in ([1.0], 0.5, {"dense": 2.0}, None):
        model.compile(optimizer="sgd", loss="mse", loss_weights=good)
        assert model.compiled


@pytest.mark.parametrize("watch", [True, False], ids=["first-dense-z", "x-check"])
@pytest.mark.parametrize("bad_rows", [[3], [95, 10], [0, 50, 99]])
def test_predict_checks_every_chunk_and_reports_the_whole_x(monkeypatch, bad_rows, watch):
    """A built model checks x chunk by chunk inside predict: a NaN/inf in any chunk is
    found, and the message counts the bad rows of all of x and names the first. With a
    first Dense layer on a BLAS that propagates NaN through zero weights, the chunk's z
    stands in for x's check; otherwise x itself is checked."""
    from minikeras.models import model as model_mod
    from minikeras.models import sequential as seq_mod

    monkeypatch.setattr(model_mod, "_CHUNK_ELEMENTS", 40)  # chunks of 32 rows (the batch)
    if not watch:
        monkeypatch.setattr(seq_mod, "matmul_propagates", lambda dtype: False)
    model = mk.Sequential([mk.Input((4,)), L.Dense(3), L.Dense(1)])
    model.predict(np.zeros((1, 4), "float32"), verbose=0)  # built: the chunked checks
    assert (model._input_dense(model_mod.ArraySource(np.zeros((1, 4), "float32"),
                                                     dtype="float32")) is not None) == watch
    x = np.random.default_rng(0).normal(size=(100, 4)).astype("float32")
    expected = model.predict(x, verbose=0)
    for i, r in enumerate(bad_rows):
        x[r, i % 4] = np.nan if i % 2 == 0 else -np.inf
    with pytest.raises(ValueError, match=rf"`x` contains NaN or inf in {len(bad_rows)} row\(s\) "
                                         rf"\(first at row {min(bad_rows)}\)"):
        model.predict(x, verbose=0)
    x[bad_rows] = 0.0
    out = model.predict(x, verbose=0)
    keep = np.setdiff1d(np.arange(100), bad_rows)
    np.testing.assert_array_equal(out[keep], expected[keep])


def test_predict_first_dense_check_sees_through_zero_weights_and_allows_overflow():
    """z's first column is non-finite in every row where x is, even when that column's
    weights are zero; finite x whose products overflow is not an input error (the
    outputs stand, as in Keras); the watch is switched off after predict, even one that
    raised."""
    from minikeras import data as data_mod

    assert data_mod.matmul_propagates(np.dtype("float32"))
    assert data_mod.matmul_propagates(np.dtype("float64"))
    model = mk.Sequential([mk.Input((6,)), L.Dense(4, activation="relu"), L.Dense(2)])
    x = np.random.default_rng(1).normal(size=(50, 6)).astype("float32")
    model.predict(x, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    kernel[:, 0] = 0.0
    model.layers[0].set_weights([kernel, bias])
    x[7, 2], x[31, 5] = np.nan, -np.inf
    with pytest.raises(ValueError, match=r"`x` contains NaN or inf in 2 row\(s\) "
                                         r"\(first at row 7\)"):
        model.predict(x, verbose=0)
    assert model.layers[0]._watch_z is False
    x[7, 2] = x[31, 5] = 0.0
    x[3] = 3e38  # finite, but x @ kernel overflows float32
    with np.errstate(over="ignore", invalid="ignore"):
        out = model.predict(x, verbose=0)
    assert out.shape == (50, 2) and np.isfinite(np.delete(out, 3, axis=0)).all()
    assert model.layers[0]._watch_z is False


def test_predict_with_a_dense_subclass_first_checks_x_itself():
    """A Dense subclass may compute z its own way: predict checks x, not z."""
    class Doubled(L.Dense):
        def forward(self, x, training=False):
            return super().forward(2.0 * x, training)

    model = mk.Sequential([mk.Input((3,)), Doubled(2)])
    x = np.ones((10, 3), "float32")
    model.predict(x, verbose=0)
    assert model._input_dense(model_mod_source(x)) is None
    x[4, 0] = np.inf
    with pytest.raises(ValueError, match=r"`x` contains NaN or inf in 1 row\(s\) "
                                         r"\(first at row 4\)"):
        model.predict(x, verbose=0)


def model_mod_source(x):
    from minikeras.data import ArraySource

    return ArraySource(x, dtype=x.dtype)


def test_errors_are_also_the_valueerror_keras_raises(tmp_path):
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1)])
    x = np.ones((3, 2), "float32")
    with pytest.raises(ValueError, match=r"compile\(\)"):
        model.fit(x, x[:, :1], verbose=0)
    with pytest.raises(RuntimeError, match=r"compile\(\)"):
        model.fit(x, x[:, :1], verbose=0)
    for exc in (ValueError, FileNotFoundError):
        with pytest.raises(exc, match="File not found"):
            mk.models.load_model(tmp_path / "nope.keras")
    model.compile("sgd", "mse")
    for exc in (ValueError, TypeError):
        with pytest.raises(exc, match="must hold numbers"):
            model.fit(np.array([["a", "b"]] * 3), x[:, :1], verbose=0)
