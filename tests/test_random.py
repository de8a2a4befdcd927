"""keras.random: Keras 3's seed rules, the distributions, and a custom layer's noise."""

from __future__ import annotations

import numpy as np
import pytest

import minikeras as mk
from minikeras import random as R


def test_an_integer_seed_repeats_a_generator_advances_none_follows_the_global_seed():
    np.testing.assert_array_equal(R.normal((3, 2), seed=4), R.normal((3, 2), seed=4))
    assert not np.array_equal(R.normal((3,), seed=4), R.normal((3,), seed=5))
    gen = R.SeedGenerator(1337)
    first, second = R.uniform((4,), seed=gen), R.uniform((4,), seed=gen)
    assert not np.array_equal(first, second)
    again = R.SeedGenerator(1337)
    np.testing.assert_array_equal(R.uniform((4,), seed=again), first)
    assert R.SeedGenerator.from_config(gen.get_config()).get_config() == {"seed": 1337}
    mk.utils.set_random_seed(9)
    a = R.normal((5,))
    mk.utils.set_random_seed(9)
    np.testing.assert_array_equal(R.normal((5,)), a)
    for bad in (1.5, "x", True):
        with pytest.raises(ValueError, match="seed"):
            R.normal((2,), seed=bad)


def test_distributions_and_dtypes():
    n = 200_000
    x = R.normal((n,), mean=2.0, stddev=3.0, seed=0)
    assert x.dtype == np.float32
    assert abs(float(x.mean()) - 2.0) < 0.05 and abs(float(x.std()) - 3.0) < 0.05
    u = R.uniform((n,), minval=-1.0, maxval=3.0, dtype="float64", seed=1)
    assert u.dtype == np.float64 and u.min() >= -1.0 and u.max() < 3.0
    assert abs(float(u.mean()) - 1.0) < 0.02
    k = R.randint((n,), 3, 7, seed=2)
    assert k.dtype == np.int32 and set(np.unique(k)) == {3, 4, 5, 6}
    t = R.truncated_normal((n,), mean=1.0, stddev=0.5, seed=3)
    assert float(np.abs(t - 1.0).max()) <= 1.0 + 1e-6  # two standard deviations
    g = R.gamma((n,), alpha=3.0, seed=4)
    assert abs(float(g.mean()) - 3.0) < 0.05
    b = R.binomial((n,), counts=10, probabilities=0.3, seed=5)
    assert abs(float(b.mean()) - 3.0) < 0.05
    be = R.beta((n,), alpha=2.0, beta=6.0, seed=6)
    assert abs(float(be.mean()) - 0.25) < 0.01
    with pytest.raises(ValueError, match="float"):
        R.normal((2,), dtype="int32")
    with pytest.raises(ValueError, match="randint"):
        R.uniform((2,), dtype="int32")


def test_categorical_draws_each_row_from_its_softmax():
    logits = np.log([[0.2, 0.8, 1e-9], [0.5, 0.25, 0.25]])
    draws = R.categorical(logits, 40_000, seed=7)
    assert draws.shape == (2, 40_000) and draws.dtype == np.int32
    for row, probs in zip(draws, np.exp(logits)):
        freq = np.bincount(row, minlength=3) / row.size
        np.testing.assert_allclose(freq, probs, atol=0.01)
    with pytest.raises(ValueError, match="2-D"):
        R.categorical(np.zeros(3), 2)


def test_dropout_and_shuffle():
    x = np.ones((400, 50), dtype=np.float32)
    y = R.dropout(x, 0.3, seed=8)
    assert y.dtype == np.float32
    dropped = float((y == 0).mean())
    assert abs(dropped - 0.3) < 0.02
    np.testing.assert_allclose(y[y != 0], 1 / 0.7, rtol=1e-6)
    rows = R.dropout(x, 0.5, noise_shape=(400, 1), seed=9)  # whole rows kept or dropped
    assert all(len(set(r.tolist())) == 1 for r in np.asarray(rows))
    with pytest.raises(ValueError, match="rate"):
        R.dropout(x, 1.0)
    a = np.arange(20).reshape(10, 2)
    s = R.shuffle(a, seed=10)
    assert sorted(map(tuple, np.asarray(s))) == sorted(map(tuple, a))
    assert not np.array_equal(s, a)
    s1 = R.shuffle(a, axis=1, seed=10)
    assert {tuple(sorted(r)) for r in np.asarray(s1)} == {tuple(r) for r in a}


def test_a_custom_noise_layer_written_the_keras_io_way():
    class Noise(mk.layers.Layer):
        def __init__(self, stddev, **kwargs):
            super().__init__(**kwargs)
            self.stddev = stddev
            self.seed_generator = mk.random.SeedGenerator(1337)

        def call(self, x, training=False):
            if training:
                noise = mk.random.normal(mk.ops.shape(x), stddev=self.stddev,
                                         seed=self.seed_generator)
                return x + noise
            return x

    layer = Noise(0.5)
    x = np.zeros((1000, 3), dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)  # inference: unchanged
    noisy = np.asarray(layer(x, training=True))
    assert abs(float(noisy.std()) - 0.5) < 0.05
    assert not np.array_equal(noisy, np.asarray(layer(x, training=True)))
    model = mk.Sequential([mk.Input((3,)), Noise(0.1), mk.layers.Dense(1)])
    assert model.predict(x[:4], verbose=0).shape == (4, 1)
