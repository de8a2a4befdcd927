"""Data from anywhere: sparse matrices, generators, PyDataset, DataFrames, memmaps.

Memory for sparse and generator input stays bounded by the batch (tracemalloc),
and every source gives the same training as the equivalent arrays.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

import minikeras as mk
from tests.helpers.tolerances import assert_close


def _model(features: int, seed: int = 0, units: int = 1) -> mk.Sequential:
    mk.utils.set_random_seed(seed)
    model = mk.Sequential([mk.Input((features,)), mk.layers.Dense(4, activation="relu"),
                           mk.layers.Dense(units, activation="sigmoid")])
    model.compile(optimizer=mk.optimizers.SGD(0.1), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(rows: int = 96, features: int = 5):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, features)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    return x, y


def test_sparse_input_trains_like_dense():
    x, y = _data()
    x[np.abs(x) < 0.8] = 0.0
    dense = _model(5)
    h_dense = dense.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    sparse = _model(5)
    h_sparse = sparse.fit(sp.csr_matrix(x), y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    assert_close(h_sparse.history["loss"], h_dense.history["loss"], "float32")
    assert_close(sparse.predict(sp.csr_matrix(x), verbose=0), dense.predict(x, verbose=0),
                 "float32")
    assert_close(sparse.evaluate(sp.coo_matrix(x), y, verbose=0),
                 dense.evaluate(x, y, verbose=0), "float32")


def test_sparse_fit_memory_stays_below_one_dense_copy():
    rows, features = 200_000, 200
    matrix = sp.random(rows, features, density=0.01, format="csr", dtype=np.float32,
                       random_state=np.random.default_rng(1))
    y = (np.asarray(matrix.sum(axis=1)).ravel() > 1.0).astype("float32")
    model = _model(features)
    dense_bytes = rows * features * 4
    tracemalloc.start()
    try:
        model.fit(matrix, y, epochs=1, batch_size=256, verbose=0)
        model.predict(matrix, verbose=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < dense_bytes / 4, f"peak {peak / 2**20:.1f} MiB vs dense {dense_bytes / 2**20} MiB"


def _batches(x, y, batch_size):
    for start in range(0, len(x), batch_size):
        yield x[start:start + batch_size], y[start:start + batch_size]


def test_generator_trains_like_arrays_and_keeps_its_first_batch():
    x, y = _data()
    arrays = _model(5)
    h_arrays = arrays.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    gen_model = _model(5)
    # The model is unbuilt: it builds from the generator's first batch, which must
    # still be trained on.
    gen_model_unbuilt = mk.Sequential([mk.layers.Dense(4, activation="relu"),
                                       mk.layers.Dense(1, activation="sigmoid")])
    assert not gen_model_unbuilt.built
    h_gen = gen_model.fit(_batches(x, y, 16), epochs=1, steps_per_epoch=6, verbose=0)
    assert_close(h_gen.history["loss"], h_arrays.history["loss"], "float32")
    assert_close(gen_model.get_weights()[0], arrays.get_weights()[0], "float32")

    mk.utils.set_random_seed(0)
    gen_model_unbuilt.compile(optimizer=mk.optimizers.SGD(0.1), loss="binary_crossentropy")
    seen = []

    def counting():
        for xb, yb in _batches(x, y, 16):
            seen.append(len(xb))
            yield xb, yb

    gen_model_unbuilt.fit(counting(), epochs=1, verbose=0)
    assert gen_model_unbuilt.built and sum(seen) == len(x)


def test_generator_with_sample_weights_and_memory_bounded():
    rows, features = 50_000, 100
    model = _model(features)

    def gen():
        rng = np.random.default_rng(2)
        for _ in range(rows // 500):
            xb = rng.normal(size=(500, features)).astype("float32")
            yield xb, (xb[:, 0] > 0).astype("float32"), np.ones(500)

    tracemalloc.start()
    try:
        model.fit(gen(), epochs=1, verbose=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < rows * features * 4 / 4


class Batches(mk.utils.PyDataset):
    def __init__(self, x, y, batch_size):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        s = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[s], self.y[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_pydataset_trains_like_arrays_and_calls_on_epoch_end():
    x, y = _data()
    arrays = _model(5)
    h_arrays = arrays.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    data = Batches(x, y, 16)
    model = _model(5)
    h = model.fit(data, epochs=2, shuffle=False, verbose=0)
    assert h.params["steps"] == 6
    assert data.epochs_ended == 2
    assert_close(h.history["loss"], h_arrays.history["loss"], "float32")
    assert_close(model.predict(Batches(x, y, 7), verbose=0), arrays.predict(x, verbose=0),
                 "float32")
    with pytest.raises(ValueError, match="`y` must be None"):
        model.fit(data, y)


def test_dataframe_columns_are_checked_against_training():
    pd = pytest.importorskip("pandas", reason="pandas (dev extra) is needed for this test")
    x, y = _data()
    frame = pd.DataFrame(x, columns=list("abcde"))
    model = _model(5)
    model.fit(frame, pd.Series(y), epochs=1, verbose=0)
    assert model.input_columns == list("abcde")
    assert_close(model.predict(frame, verbose=0), model.predict(x, verbose=0), "float32")
    with pytest.raises(ValueError, match=r"in other places \(\['b', 'a'\]\)"):
        model.predict(frame[list("bacde")], verbose=0)
    partly = frame[list("bacde")].rename(columns={"c": "z"})  # moved and renamed at once
    with pytest.raises(ValueError, match="in other places"):
        model.predict(partly, verbose=0)
    # Keras reads by position: other names, or none, are the user's business
    expected = model.evaluate(x, y, verbose=0)
    assert_close(model.evaluate(frame.rename(columns={"e": "z"}), y, verbose=0), expected,
                 "float32")
    assert_close(model.evaluate(pd.DataFrame(x), y, verbose=0), expected, "float32")
    model.fit(frame, y, epochs=1, verbose=0)  # still usable


def test_lists_and_memmaps_are_accepted(tmp_path):
    x, y = _data()
    model = _model(5)
    h_list = model.fit(x.tolist(), y.tolist(), epochs=1, shuffle=False, verbose=0)
    path = tmp_path / "x.dat"
    mm = np.memmap(path, dtype=np.float32, mode="w+", shape=x.shape)
    mm[:] = x
    mm.flush()
    model2 = _model(5)
    h_mm = model2.fit(np.memmap(path, dtype=np.float32, mode="r", shape=x.shape), y,
                      epochs=1, shuffle=False, verbose=0)
    assert_close(h_mm.history["loss"], h_list.history["loss"], "float32")


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", ">f4"])
@pytest.mark.parametrize("width", [3, 40])
def test_check_numeric_counts_bad_rows_across_blocks(monkeypatch, dtype, width):
    """The zero-probe (BLAS) and the isfinite paths find the same rows, in every block."""
    from minikeras import data as data_mod

    monkeypatch.setattr(data_mod, "_CHECK_ELEMENTS", 7 * width)  # blocks of 7 rows
    # This BLAS makes 0 * inf NaN, so the float32/float64 rows of 40 take the probe path.
    assert data_mod._zero_probe_works(np.dtype(np.float32))
    x = np.random.default_rng(0).normal(size=(50, width)).astype(dtype)
    data_mod.check_numeric(x, "x")  # all finite: silent
    x[4, 1], x[4, 2] = np.nan, np.inf  # two in one row count once
    x[20, -1] = -np.inf
    x[49, 0] = np.nan
    with pytest.raises(ValueError, match=r"`x` contains NaN or inf in 3 row\(s\) "
                                         r"\(first at row 4\)"):
        data_mod.check_numeric(x, "x")
    big = np.full((2, width), np.finfo(x.dtype).max, dtype=dtype)  # huge but finite
    data_mod.check_numeric(big, "x")


def test_check_numeric_falls_back_when_blas_skips_zeros(monkeypatch):
    from minikeras import data as data_mod

    monkeypatch.setattr(data_mod, "_zero_probe_works", lambda dtype: False)
    x = np.ones((10, 32), np.float32)
    x[3, 5] = np.nan
    with pytest.raises(ValueError, match=r"in 1 row\(s\) \(first at row 3\)"):
        data_mod.check_numeric(x, "x")


def test_steps_per_epoch_over_arrays_stops_an_epoch_at_the_end_of_the_pass():
    # Keras's EpochIterator: 37 rows in batches of 8 are 5 batches; with 2 steps per epoch
    # the epochs take batches [0, 1], [2, 3], [4] (ran out: warned) and then a new pass [0, 1].
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(37, 3)), rng.normal(size=(37, 1))

    def model():
        m = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1, kernel_initializer="ones")])
        m.compile(mk.optimizers.SGD(0.05), "mse")
        return m

    counts = []
    counter = mk.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: counts.append(0),
        on_train_batch_end=lambda batch, logs: counts.__setitem__(-1, counts[-1] + 1))
    fitted = model()
    with pytest.warns(UserWarning, match="ran out of data"):
        fitted.fit(x, y, batch_size=8, epochs=4, steps_per_epoch=2, shuffle=False, verbose=0,
                   callbacks=[counter])
    assert counts == [2, 2, 1, 2]
    replay = model()
    for b in (0, 1, 2, 3, 4, 0, 1):
        replay.train_on_batch(x[8 * b:8 * b + 8], y[8 * b:8 * b + 8])
    for a, b in zip(fitted.get_weights(), replay.get_weights()):
        assert_close(a, b, "float32")


def test_dataframe_with_dummy_columns_trains():
    # pd.get_dummies gives bool columns: beside float columns to_numpy() is an object array
    pd = pytest.importorskip("pandas", reason="pandas (dev extra) is needed for this test")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40).astype("float32"),
                          "cat": rng.choice(["x", "y", "z"], size=40)})
    frame = pd.get_dummies(frame, columns=["cat"])
    assert sum(dtype.kind == "b" for dtype in frame.dtypes) == 3
    y = (frame["a"] > 0).to_numpy(dtype=np.float32)
    model = _model(5)
    history = model.fit(frame, y, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    as_floats = frame.to_numpy(dtype=np.float64)
    assert_close(model.predict(frame, verbose=0), model.predict(as_floats, verbose=0),
                 "float32")


def test_pandas_nullable_number_columns_are_numbers_and_their_na_is_nan():
    pd = pytest.importorskip("pandas", reason="pandas (dev extra) is needed for this test")
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"n": pd.array(rng.integers(0, 5, 40), dtype="Int64"),
                          "flag": pd.array(rng.random(40) > 0.5, dtype="boolean"),
                          "f": pd.array(rng.normal(size=40), dtype="Float64"),
                          "x": rng.normal(size=40)})
    y = pd.Series(rng.integers(0, 2, 40), dtype="Int64")
    model = _model(4)
    assert np.isfinite(model.fit(frame, y, epochs=1, verbose=0).history["loss"][0])
    assert_close(model.predict(frame, verbose=0),
                 model.predict(frame.astype("float64").to_numpy(), verbose=0), "float32")
    frame.loc[7, "n"] = pd.NA
    with pytest.raises(ValueError, match=r"NaN or inf in 1 row\(s\) \(first at row 7\)"):
        model.predict(frame, verbose=0)


def test_a_tuple_or_list_holding_the_one_input_is_that_input():
    x, y = _data()
    model = _model(5)
    expected = model.predict(x, verbose=0)
    assert_close(model.predict((x,), verbose=0), expected, "float32")
    assert_close(model.predict([x], verbose=0), expected, "float32")
    assert model.predict(x[:1].tolist(), verbose=0).shape == (1, 1)  # a list of rows stays rows
    model.fit((x,), y, epochs=1, verbose=0)


def test_a_pydataset_hears_on_epoch_end_after_every_epoch_with_steps_per_epoch():
    class Five(mk.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.ends, self.read = 0, []

        def __len__(self):
            return 5

        def __getitem__(self, i):
            self.read.append(i)
            return np.full((4, 2), i, "float32"), np.zeros((4, 1), "float32")

        def on_epoch_end(self):
            self.ends += 1

    data = Five()
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.warns(UserWarning, match="ran out of data"):
        model.fit(data, epochs=4, steps_per_epoch=2, shuffle=False, verbose=0)
    assert data.ends == 4  # a PyDataset that reshuffles in on_epoch_end does so every epoch
    assert data.read[-7:] == [0, 1, 2, 3, 4, 0, 1]  # epochs [0, 1], [2, 3], [4], [0, 1]


def test_a_spent_generator_ends_training_with_a_warning_not_epochs_of_zeros():
    x, y = _data(22)

    def once():
        for i in range(0, 22, 5):
            yield x[i:i + 5], y[i:i + 5]

    model = _model(5)
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(once(), epochs=3, verbose=0)
    assert history.epoch == [0] and len(history.history["loss"]) == 1
    assert history.history["loss"][0] > 0


def test_pydataset_num_batches_and_epoch_hooks_as_keras_3():
    calls = []

    class ByProperty(mk.utils.PyDataset):  # Keras 3's protocol: num_batches, no __len__
        @property
        def num_batches(self):
            return 3

        def __getitem__(self, i):
            return np.full((4, 5), i, "float32"), np.zeros((4,), "float32")

        def on_epoch_begin(self):
            calls.append("begin")

        def on_epoch_end(self):
            calls.append("end")

    model = _model(5)
    history = model.fit(ByProperty(), epochs=2, verbose=0)
    assert history.params["steps"] == 3
    assert calls == ["begin", "end", "begin", "end"]
    with pytest.raises(NotImplementedError, match="__len__ or the num_batches property"):
        len(mk.utils.PyDataset())

    class Weighted(ByProperty):
        def __getitem__(self, i):
            return np.ones((4, 5), "float32"), np.zeros((4,), "float32"), np.ones(4)

    with pytest.raises(ValueError, match="`class_weight` and `sample_weight`"):
        model.fit(Weighted(), class_weight={0: 1.0, 1: 2.0}, verbose=0)


def test_a_generator_or_dataset_yielding_x_alone_names_the_missing_targets():
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    model.compile("adam", "mse")

    def xs():
        while True:
            yield np.ones((4, 3))

    class OnlyX(mk.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return (np.ones((4, 3)),)

    for call in (lambda: model.fit(xs(), steps_per_epoch=2, verbose=0),
                 lambda: model.evaluate(xs(), steps=2, verbose=0),
                 lambda: model.fit(OnlyX(), verbose=0)):
        with pytest.raises(ValueError, match=r"needs targets y.*yielded x alone"):
            call()
    assert model.predict(xs(), steps=2, verbose=0).shape == (8, 1)  # needs none
    assert np.isfinite(model.fit(np.ones((4, 3)), np.ones(4), verbose=0).history["loss"][0])


def test_keras_warns_that_shuffle_does_not_apply_to_a_generator():
    import warnings

    x, y = _data()
    model = _model(5)

    def batches():
        while True:
            yield x[:8], y[:8]

    with pytest.warns(UserWarning, match=r"`shuffle=True` was passed, but will be ignored"):
        model.fit(batches(), steps_per_epoch=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(batches(), steps_per_epoch=1, shuffle=False, verbose=0)
        model.fit(x, y, verbose=0)  # arrays are shuffled: no warning
