"""Numerical extremes through whole models (issue 6, "Bad input and numerics", item 2).

API.md ("Precision and numerics") and CORRECTIONS.md ("Numerics"): values equal
Keras's wherever Keras's are finite, inf only where the true value is beyond
the dtype's range, and NaN never from finite input. The unit tests of
activations and losses check that function by function; here the same
extremes go through ``fit``, ``evaluate``, ``predict`` and ``model(x)`` in
float32 and float64, against Keras's numbers for the same models
(``golden/numerics.json``, from ``golden/make_golden_numerics.py``).

"Strict" means warnings are errors and NumPy raises on overflow, division by
zero and invalid operations. Underflow is allowed: ``exp(-1e4)`` rounding to 0
is the correctly rounded answer, not an error.

Also: ``TerminateOnNaN`` ends a diverging run at the first non-finite batch,
and the weights of the last finite epoch come back from a
``ModelCheckpoint(save_best_only=True)`` file.
"""

from __future__ import annotations

import contextlib
import json
import math
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minikeras as mk
from tests.helpers.tolerances import assert_close

GOLDEN = Path(__file__).parent / "golden" / "numerics.json"
KIND = {"float32": "float32", "float64": "keras64"}


@cache
def cases() -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(GOLDEN.read_text())["cases"]}


@contextlib.contextmanager
def strict() -> Iterator[None]:
    """Warnings are errors; overflow, 0/0, x/0 and invalid operations raise."""
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        yield


@contextlib.contextmanager
def overflow_allowed() -> Iterator[None]:
    """NumPy's overflow warnings are silenced (the true value is beyond the range)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _loss(spec: list[Any]) -> mk.losses.Loss:
    name, from_logits = spec
    if name == "mse":
        return mk.losses.MeanSquaredError()
    return mk.losses.resolve(name).__class__(from_logits=from_logits)


def _build(case: dict[str, Any], floatx: str) -> tuple[mk.Sequential, np.ndarray, np.ndarray]:
    mk.config.set_floatx(floatx)
    model = mk.Sequential([mk.Input((1,)),
                           mk.layers.Dense(case["units"], activation=case["activation"])])
    model.set_weights([np.array(case["kernel"]), np.array(case["bias"])])
    model.compile(mk.optimizers.SGD(case["lr"]), _loss(case["loss"]))
    x = np.array(case["x"], dtype=floatx)
    y = np.array(case["y"], dtype="int64" if isinstance(case["y"][0], int) else floatx)
    return model, x, y


def _assert_keras(actual: Any, expected: Any, floatx: str, what: str) -> None:
    """Equal to Keras where Keras is finite; inf (of the same sign) exactly where Keras's is."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, what
    assert not np.isnan(actual).any(), f"{what}: NaN from finite input: {actual}"
    np.testing.assert_array_equal(np.isinf(actual), np.isinf(expected), err_msg=what)
    inf = np.isinf(expected)
    np.testing.assert_array_equal(actual[inf], expected[inf], err_msg=what)
    assert_close(actual[~inf], expected[~inf], KIND[floatx], err_msg=what)


def _has_inf(result: dict[str, Any]) -> bool:
    values = [result["evaluate"], *np.ravel(result["predict"]), *result["history"]]
    return not all(math.isfinite(v) for v in values)


SATURATED = sorted(n for n, c in cases().items() if c.get("saturated"))
MATCHING = sorted(n for n, c in cases().items() if not c.get("saturated"))


@pytest.mark.parametrize("floatx", ["float32", "float64"])
@pytest.mark.parametrize("name", MATCHING)
def test_extreme_models_equal_keras_through_predict_evaluate_and_fit(name, floatx):
    """Logits of +-1e4, probabilities of exactly 0/1, inputs of +-1e4 into each activation."""
    case = cases()[name]
    keras = case["keras"][floatx]
    model, x, y = _build(case, floatx)
    # Where Keras itself reports inf, the true value is beyond the range and
    # NumPy's overflow warning is right: check the values, not the warnings.
    with overflow_allowed() if _has_inf(keras) else strict():
        predicted = model.predict(x, verbose=0)
        called = model(x).numpy()
        evaluated = model.evaluate(x, y, batch_size=len(x), verbose=0)
        history = model.fit(x, y, batch_size=len(x), epochs=case["epochs"], shuffle=False,
                            verbose=0).history.get("loss", [])
    assert predicted.dtype == np.dtype(floatx)
    _assert_keras(predicted, keras["predict"], floatx, "predict")
    _assert_keras(called, keras["predict"], floatx, "model(x)")
    _assert_keras(evaluated, keras["evaluate"], floatx, "evaluate")
    _assert_keras(history, keras["history"], floatx, "history")
    for ours, theirs in zip(model.get_weights(), keras["weights"], strict=True):
        _assert_keras(ours, theirs, floatx, "weights after fit")


def test_the_golden_cases_reach_the_extremes():
    """The recorded cases really are extreme (so the test above tests something)."""
    c = cases()
    for name in ("logits_bce_1e4", "logits_cce_1e4", "logits_sparse_cce_1e4"):
        assert np.max(np.abs(c[name]["keras"]["float32"]["predict"])) == 1e4
    for name in ("probs_exact_bce", "probs_exact_cce"):
        assert set(np.ravel(c[name]["keras"]["float64"]["predict"])) == {0.0, 1.0}
    exp32 = np.ravel(c["large_exponential_predict"]["keras"]["float32"]["predict"])
    exp64 = np.ravel(c["large_exponential_predict"]["keras"]["float64"]["predict"])
    # exp(100): beyond float32's range, inside float64's; exp(1e4): beyond both.
    assert np.isinf(exp32[-2]) and np.isfinite(exp64[-2]) and np.isinf(exp64[-1])


@pytest.mark.parametrize("floatx", ["float32", "float64"])
@pytest.mark.parametrize("name", SATURATED)
def test_saturated_outputs_keep_learning_while_the_logged_loss_stays_keras(name, floatx):
    """API.md: where outputs saturate, Keras's clip stops learning and the fused gradient does not.

    The outputs start outside [1e-7, 1 - 1e-7] on the wrong side. Keras's
    recorded fit never moves the weights (its clip passes zero gradient) and
    logs the clipped loss every epoch. Ours logs the same clipped loss for the
    same weights (the first epoch), then learns: the loss falls and the
    weights move, with no warning and nothing non-finite on the way.
    """
    case = cases()[name]
    keras = case["keras"][floatx]
    initial = [np.array(case["kernel"]), np.array(case["bias"])]
    for theirs, start in zip(keras["weights"], initial, strict=True):
        np.testing.assert_array_equal(theirs, start)  # Keras's clip: zero gradient
    assert len(set(keras["history"])) == 1
    model, x, y = _build(case, floatx)
    with strict():
        evaluated = model.evaluate(x, y, batch_size=len(x), verbose=0)
        history = model.fit(x, y, batch_size=len(x), epochs=case["epochs"], shuffle=False,
                            verbose=0).history["loss"]
        after = model.evaluate(x, y, batch_size=len(x), verbose=0)
        predicted = model.predict(x, verbose=0)
    assert_close(evaluated, keras["evaluate"], KIND[floatx])
    assert_close(history[0], keras["history"][0], KIND[floatx])
    assert all(b < a for a, b in zip(history, history[1:])), history
    assert after < 0.5 * keras["history"][-1]
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())
    assert not np.allclose(model.get_weights()[0], initial[0])
    # What we log is Keras's (clipped) loss of our current outputs.
    assert_close(after, float(_loss(case["loss"])(y, predicted)), KIND[floatx])


# ----------------------------------------------------------------------------- TerminateOnNaN
def _regression(n: int = 64, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    return x, x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * rng.normal(size=(n, 1))


def test_terminate_on_nan_stops_a_diverging_run_at_the_first_bad_batch():
    """SGD with a huge learning rate on MSE: the batch whose loss is inf/NaN is the last."""
    mk.config.set_floatx("float64")
    x, y = _regression()
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(1)])
    model.compile(mk.optimizers.SGD(50.0), "mse")
    losses: list[float] = []
    spy = mk.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append(float(logs["loss"])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the overflow is real: it diverges
        history = model.fit(x, y, batch_size=8, epochs=20, verbose=0,
                            callbacks=[spy, mk.callbacks.TerminateOnNaN()])
    first_bad = next(i for i, v in enumerate(losses) if not math.isfinite(v))
    assert first_bad > 0 and all(math.isfinite(v) for v in losses[:first_bad])
    assert len(losses) == first_bad + 1  # no batch after it ran
    steps = 64 // 8
    assert history.epoch == list(range(first_bad // steps + 1)) and len(history.epoch) < 20


def test_the_last_finite_epoch_comes_back_from_a_best_only_checkpoint(tmp_path):
    """The documented recipe: TerminateOnNaN + ModelCheckpoint(save_best_only=True).

    ``ModelCheckpoint(path, monitor="loss", save_best_only=True,
    save_weights_only=True)`` saves at each epoch whose loss improved. A NaN or
    inf loss never improves on a finite one, so the epoch cut short by
    ``TerminateOnNaN`` is not saved, and ``model.load_weights(path)`` restores
    the last finite epoch (here the loss falls until the learning rate jumps,
    so the best epoch is also the last finite one). The model then trains on.
    """
    mk.config.set_floatx("float64")
    x, y = _regression()
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(1)])
    model.compile(mk.optimizers.SGD(0.05), "mse")
    path = tmp_path / "best.weights.h5"
    snapshots: dict[int, list[np.ndarray]] = {}
    callbacks = [
        # Sane for three epochs, then far too large: the run diverges in epoch 3.
        mk.callbacks.LearningRateScheduler(lambda epoch, lr: 0.05 if epoch < 3 else 1e40),
        mk.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: snapshots.__setitem__(epoch, model.get_weights())),
        mk.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True,
                                     save_weights_only=True),
        mk.callbacks.TerminateOnNaN(),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = model.fit(x, y, batch_size=8, epochs=10, verbose=0, callbacks=callbacks)
    losses = history.history["loss"]
    assert len(losses) == 4 and not math.isfinite(losses[3])
    assert all(math.isfinite(v) for v in losses[:3]) and losses[2] < losses[1] < losses[0]
    assert not np.all(np.abs(model.get_weights()[0]) < 1e30)  # diverged: worthless now
    model.load_weights(path)
    for restored, kept in zip(model.get_weights(), snapshots[2], strict=True):
        np.testing.assert_array_equal(restored, kept)
    model.optimizer.learning_rate = 0.05
    with strict():
        more = model.fit(x, y, batch_size=8, epochs=2, verbose=0).history["loss"]
    assert all(math.isfinite(v) for v in more) and more[-1] < losses[2]


def test_a_diverging_fit_is_silent_as_in_keras():
    # Keras reports divergence through the loss (inf/NaN, TerminateOnNaN), not warnings.
    mk.config.set_floatx("float64")
    x, y = _regression()
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(1)])
    model.compile(mk.optimizers.SGD(50.0), "mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        history = model.fit(x, y, batch_size=8, epochs=20, verbose=0)
    assert not np.isfinite(history.history["loss"][-1])
    assert np.seterr()["over"] == "warn"  # the user's NumPy settings come back
