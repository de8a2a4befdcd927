"""Guards on the training hot path (issue 7), checked by allocation and dtype, not by timing.

- A fit step allocates nothing in proportion to the data set: the traced peak
  during an epoch stays far below the size of ``x`` (tracemalloc sees NumPy's
  allocations), whether batches are shuffled or not and whatever ``x``'s dtype.
- Shuffled batches are gathered row by row into a reused buffer, never by copying
  the data set each epoch, and hold exactly the rows of ``x`` (each once an epoch).
- A float32 model stays float32 everywhere: weights, gradients, every layer's
  activations and backward signals, optimizer slots, predictions; float64 ``x``,
  ``y``, sample or class weights do not upcast it.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import minikeras as mk
from minikeras.data import ArraySource

# Big enough that a copy of x (or of a quarter of it) dwarfs what a step legitimately
# allocates: one batch of activations, and one int64 permutation of the rows per epoch.
ROWS, FEATURES, BATCH = 40_000, 64, 256


class _EpochPeak(mk.callbacks.Callback):
    """The traced allocation peak of each epoch, above what was live when it began.

    Only epoch hooks: a callback with batch hooks would change the path measured.
    """

    def __init__(self) -> None:
        super().__init__()
        self.peaks: list[int] = []
        self._start = 0

    def on_epoch_begin(self, epoch, logs=None):
        tracemalloc.reset_peak()
        self._start = tracemalloc.get_traced_memory()[0]

    def on_epoch_end(self, epoch, logs=None):
        self.peaks.append(tracemalloc.get_traced_memory()[1] - self._start)


def _model(out_units: int, out_activation: str, loss: str, features: int = FEATURES,
           optimizer: object = "adam") -> mk.Sequential:
    model = mk.Sequential([mk.Input((features,)), mk.layers.Dense(32, activation="relu"),
                           mk.layers.Dense(16, activation="tanh"),
                           mk.layers.Dense(out_units, activation=out_activation)])
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def _data(x_dtype: str, sparse_labels: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((ROWS, FEATURES)).astype(x_dtype)
    if sparse_labels:
        return x, rng.integers(0, 10, ROWS)
    return x, (x[:, 0] > 0).astype(np.float64)


@pytest.fixture
def traced():
    tracemalloc.start()
    yield
    tracemalloc.stop()


# ----------------------------------------------------------------------------- allocation
@pytest.mark.parametrize("x_dtype", ["float32", "float64"])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("sparse_labels", [False, True], ids=["sigmoid_bce", "softmax_scce"])
def test_fit_epoch_allocates_nothing_proportional_to_the_data(traced, x_dtype, shuffle,
                                                              sparse_labels):
    x, y = _data(x_dtype, sparse_labels)
    model = _model(10, "softmax", "sparse_categorical_crossentropy") if sparse_labels \
        else _model(1, "sigmoid", "binary_crossentropy")
    # One-off costs first (scipy.special is imported on first use, ~8 MB of modules).
    model.fit(x[:2 * BATCH], y[:2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
    probe = _EpochPeak()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=shuffle, verbose=0, callbacks=[probe])
    assert len(probe.peaks) == 2
    # Allowed: a batch or two of activations and the epoch's permutation (8 bytes a row,
    # under 1/8 of float32 x here). A copy of x, even converted to float32, is far above.
    limit = x.nbytes // 8
    assert max(probe.peaks) < limit, (
        f"an epoch of fit allocated {max(probe.peaks) / 1e6:.2f} MB at its peak; x is "
        f"{x.nbytes / 1e6:.1f} MB (limit {limit / 1e6:.2f} MB)")


def test_fit_allocates_no_copy_of_x(traced):
    # The whole call, set-up and validation included: never a whole copy of x. (A float64
    # x converted to float32 up front would be half its size, plus any validation mask.)
    x, y = _data("float64", sparse_labels=False)
    model = _model(1, "sigmoid", "binary_crossentropy")
    model.fit(x[:2 * BATCH], y[:2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    peak = tracemalloc.get_traced_memory()[1] - before
    assert peak < x.nbytes // 2, (
        f"fit allocated {peak / 1e6:.2f} MB at its peak for a {x.nbytes / 1e6:.1f} MB x")


# ----------------------------------------------------------------------------- gathering
@pytest.mark.parametrize("x_dtype", ["float32", "float64"])
def test_shuffled_batches_gather_each_row_once_without_copying_x(traced, x_dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((ROWS, FEATURES)).astype(x_dtype)
    x[:, 0] = np.arange(ROWS)  # each row carries its own index
    y = np.arange(ROWS, dtype=np.int64)
    source = ArraySource(x, y, batch_size=BATCH, shuffle=True, dtype=np.float32)
    gen = np.random.default_rng(2)
    orders = []
    for _ in range(2):
        seen = []
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for xb, yb, sw in source.batches(gen):
            assert xb.dtype == np.float32 and sw is None
            assert not np.shares_memory(xb, x)
            ids = yb.copy()
            np.testing.assert_array_equal(xb, x[ids].astype(np.float32))
            seen.append(ids)
        peak = tracemalloc.get_traced_memory()[1] - before
        order = np.concatenate(seen)
        np.testing.assert_array_equal(np.sort(order), np.arange(ROWS))
        orders.append(order)
        # The ids and the row copies made above for checking are small; a per-epoch
        # copy (or shuffled copy) of x would not be.
        assert peak < x.nbytes // 8, f"one shuffled pass allocated {peak / 1e6:.2f} MB"
    assert not np.array_equal(orders[0], orders[1]), "each epoch must draw a new order"


def test_unshuffled_batches_are_views_of_x():
    x = np.arange(1000 * 4, dtype=np.float32).reshape(1000, 4)
    source = ArraySource(x, None, batch_size=64, shuffle=False, dtype=np.float32)
    batches = [xb for xb, _, _ in source.batches(None)]
    assert all(np.shares_memory(xb, x) for xb in batches)
    np.testing.assert_array_equal(np.concatenate(batches), x)


# ----------------------------------------------------------------------------- float32
class _DtypeRecorder:
    """Wrap each layer's forward/backward (on the instance) and record array dtypes."""

    def __init__(self, model: mk.Sequential) -> None:
        self.seen: dict[str, set[str]] = {}
        for layer in model._leaf_layers():
            for name in ("forward", "backward", "backward_from_z"):
                if hasattr(layer, name):
                    setattr(layer, name, self._wrap(layer, name, getattr(layer, name)))
        opt = model.optimizer
        opt.apply_flat = self._wrap(opt, "apply_flat", opt.apply_flat)

    def _wrap(self, owner, name, fn):
        def recorded(*args, **kwargs):
            out = fn(*args, **kwargs)
            for i, a in enumerate([*args, out]):
                if isinstance(a, np.ndarray):
                    key = f"{getattr(owner, 'name', type(owner).__name__)}.{name}[{i}]"
                    self.seen.setdefault(key, set()).add(str(a.dtype))
            return out
        return recorded

    def not_float32(self) -> dict[str, set[str]]:
        return {k: v for k, v in self.seen.items() if v != {"float32"}}


LOSS_CASES = {
    "sigmoid_bce_float64_y": (1, "sigmoid", "binary_crossentropy",
                              lambda x, r: (x[:, 0] > 0).astype(np.float64)),
    "softmax_scce_int_y": (3, "softmax", "sparse_categorical_crossentropy",
                           lambda x, r: r.integers(0, 3, len(x))),
    "softmax_cce_float64_onehot": (3, "softmax", "categorical_crossentropy",
                                   lambda x, r: np.eye(3)[r.integers(0, 3, len(x))]),
    "linear_mse_float64_y": (2, "linear", "mse",
                             lambda x, r: r.standard_normal((len(x), 2))),
}


# class_weight needs class labels, so the regression case goes without it.
WEIGHT_CASES = [(case, w) for case in sorted(LOSS_CASES)
                for w in ("none", "sample_weight", "class_weight")
                if not (w == "class_weight" and LOSS_CASES[case][2] == "mse")]


@pytest.mark.parametrize("case,weights", WEIGHT_CASES)
def test_float32_model_stays_float32_with_float64_inputs(case, weights):
    units, act, loss, make_y = LOSS_CASES[case]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((300, 6))  # float64
    y = make_y(x, rng)
    kwargs = {}
    if weights == "sample_weight":
        kwargs["sample_weight"] = rng.uniform(0.5, 2.0, len(x))  # float64
    elif weights == "class_weight":
        kwargs["class_weight"] = {0: 1.0, 1: 2.5, 2: 0.5}
    model = _model(units, act, loss, features=6)
    recorder = _DtypeRecorder(model)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0, validation_split=0.2, **kwargs)

    assert recorder.seen, "the recorder saw no array: the hot path was not exercised"
    assert recorder.not_float32() == {}, f"float64 crept in: {recorder.not_float32()}"
    _assert_model_float32(model)
    assert model.predict(x, verbose=0).dtype == np.float32
    assert model.predict_on_batch(x[:5]).dtype == np.float32
    assert np.asarray(model(x[:5])).dtype == np.float32
    model.train_on_batch(x[:32], y[:32])
    _assert_model_float32(model)


@pytest.mark.parametrize("optimizer", [
    mk.optimizers.Adam, lambda: mk.optimizers.Adam(amsgrad=True), mk.optimizers.AdamW,
    lambda: mk.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    lambda: mk.optimizers.RMSprop(momentum=0.5, centered=True), mk.optimizers.Nadam,
    mk.optimizers.Adamax, mk.optimizers.Adagrad, mk.optimizers.Adadelta, mk.optimizers.Lion,
    lambda: mk.optimizers.Adam(clipnorm=1.0), lambda: mk.optimizers.Adam(use_ema=True),
], ids=["adam", "adam_amsgrad", "adamw", "sgd_nesterov", "rmsprop_centered", "nadam",
        "adamax", "adagrad", "adadelta", "lion", "adam_clipnorm", "adam_ema"])
def test_optimizer_slots_and_steps_stay_float32(optimizer):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((128, 6))
    y = (x[:, 0] > 0).astype(np.float64)
    model = _model(1, "sigmoid", "binary_crossentropy", features=6, optimizer=optimizer())
    recorder = _DtypeRecorder(model)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0, sample_weight=np.full(128, 1.5))
    assert recorder.not_float32() == {}, f"float64 crept in: {recorder.not_float32()}"
    _assert_model_float32(model)


def _assert_model_float32(model: mk.Sequential) -> None:
    for v in model.weights:
        assert v.value.dtype == np.float32, f"{v.path} value is {v.value.dtype}"
        if v.grad is not None:
            assert v.grad.dtype == np.float32, f"{v.path} grad is {v.grad.dtype}"
    flat = model._flat
    assert flat.values.dtype == np.float32 and flat.grads.dtype == np.float32
    slots = model.optimizer._slots
    assert slots, "the optimizer was never built"
    bad = {name: str(a.dtype) for name, a in slots.items() if a.dtype != np.float32}
    assert not bad, f"optimizer slots not float32: {bad}"
    for layer in model._leaf_layers():
        cache = getattr(layer, "_cache", None) or ()
        for a in cache:
            if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                assert a.dtype == np.float32, f"{layer.name} caches a {a.dtype} activation"
