"""``mk.ops``: the ``keras.ops`` functions that custom losses, metrics and callbacks call."""

from __future__ import annotations

import numpy as np
import pytest

import minikeras as mk
from minikeras import ops
from tests.helpers.tolerances import assert_close


def test_reachable_as_keras_code_imports_it():
    assert mk.ops is ops
    from minikeras.ops import mean  # noqa: F401


@pytest.mark.parametrize("name", sorted(ops.__all__))
def test_every_listed_name_exists_and_is_callable(name):
    assert callable(getattr(ops, name))


def test_results_answer_numpy_and_match_numpy():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 3)).astype("float32")
    b = rng.normal(size=(4, 3)).astype("float32")
    out = ops.mean(ops.square(a - b), axis=-1)
    assert isinstance(out.numpy(), np.ndarray) and type(out.numpy()) is np.ndarray
    assert out.dtype == np.float32 and out.shape == (4,)
    assert_close(out.numpy(), np.mean((a - b) ** 2, axis=-1), "float32")
    assert_close(ops.sqrt(ops.sum(ops.abs(a), axis=0)), np.sqrt(np.abs(a).sum(0)), "float32")
    assert_close(ops.clip(a, -0.5, 0.5), np.clip(a, -0.5, 0.5), "float32")
    assert_close(ops.where(a > 0, a, 0.0), np.maximum(a, 0), "float32")
    assert_close(ops.max(a, axis=1, keepdims=True), a.max(axis=1, keepdims=True), "float32")
    assert_close(ops.softmax(a).numpy().sum(axis=-1), np.ones(4), "float32")
    assert_close(ops.norm(a, axis=-1), np.linalg.norm(a, axis=-1), "float32")


def test_keras_dtype_rules():
    ints = np.array([1, 2, 4])
    assert ops.mean(ints).dtype == np.float32  # floatx, not float64
    assert ops.ones((2,)).dtype == np.float32 and ops.zeros((2,), "int32").dtype == np.int32
    assert ops.argmax(np.array([[0.1, 0.9]]), axis=1).dtype == np.int32
    assert ops.cast(np.array([True, False]), "float32").dtype == np.float32
    assert ops.convert_to_tensor(0.5).dtype == np.float32
    one_hot = ops.one_hot(np.array([0, 2]), 3)
    assert one_hot.dtype == np.float32
    np.testing.assert_array_equal(one_hot, [[1, 0, 0], [0, 0, 1]])


def test_variables_are_accepted_like_arrays():
    metric_var = mk.Variable(np.zeros((), dtype="float32"), name="count")
    metric_var.assign_add(ops.sum(ops.cast(np.array([1, 0, 1]) == 1, "float32")))
    assert float(metric_var) == 2.0
    assert float(ops.multiply(metric_var, 3)) == 6.0
    assert ops.shape(ops.reshape(np.arange(6), (-1, 2))) == (3, 2)
    assert isinstance(ops.convert_to_numpy(metric_var), np.ndarray)


def test_where_alone_gives_the_indices_of_true_elements():
    rows, cols = ops.where(np.array([[True, False], [False, True]]))
    np.testing.assert_array_equal(rows, [0, 1])
    np.testing.assert_array_equal(cols, [0, 1])
