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


# ------------------------------------------------------------------ Keras's dtype rules
F32 = np.array([[0.5, -1.5], [2.0, 3.0]], dtype="float32")
I32 = np.array([[1, 2], [3, 4]], dtype="int32")
BOOLS = np.array([True, False, True])


@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "divide", "true_divide",
                                "power", "maximum", "minimum", "mod", "floor_divide"])
@pytest.mark.parametrize("scalar", [2, 2.0])
def test_a_python_scalar_never_upcasts_a_float32_array(op, scalar):
    fn = getattr(ops, op)
    out = fn(F32, scalar)
    assert out.dtype == np.float32 and fn(scalar, F32).dtype == np.float32
    assert_close(out, getattr(np, op)(F32.astype("float64"), scalar), "float32")


def test_python_scalars_are_weak_with_integer_and_bool_arrays():
    assert ops.add(I32, 1).dtype == np.int32
    assert ops.add(I32, 1.5).dtype == np.float32
    assert_close(ops.add(I32, 1.5), I32 + 1.5, "float32")
    assert ops.add(BOOLS, 1).dtype == np.int32 and ops.add(BOOLS, 1.0).dtype == np.float32
    assert ops.add(1, 2).dtype == np.int32 and ops.add(1.0, 2).dtype == np.float32
    assert ops.where(BOOLS, 1, 0).dtype == np.int32
    assert ops.where(BOOLS, 1.0, 0).dtype == np.float32
    assert ops.clip(I32, 0, 1.5).dtype == np.float32
    assert ops.clip(BOOLS, 0, 1).dtype == np.int32
    assert ops.add(I32, 2**40).dtype == np.int64  # widens rather than wrapping
    assert int(ops.add(I32, 2**40)[0, 0]) == 2**40 + 1


def test_arrays_mix_as_keras_does():
    assert ops.add(I32, F32).dtype == np.float32  # NumPy would give float64
    assert ops.matmul(I32, F32).dtype == np.float32
    assert ops.divide(I32, I32).dtype == np.float32
    assert_close(ops.divide(I32, 2), I32 / 2, "float32")
    assert ops.add(F32, np.ones(2)).dtype == np.float64  # a float64 array is not weak


def test_python_data_takes_floatx_and_int32():
    assert ops.convert_to_tensor([1.5, 2.0]).dtype == np.float32
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.convert_to_tensor([1, 2.5]).dtype == np.float32
    assert ops.convert_to_tensor([1, 2], dtype="float64").dtype == np.float64
    assert ops.convert_to_tensor(np.ones(2)).dtype == np.float64  # NumPy arrays keep theirs
    assert ops.arange(5).dtype == np.int32 and ops.arange(0.0, 5).dtype == np.float32
    assert ops.arange(0, 5, 0.5).dtype == np.float32
    assert ops.linspace(0, 10, 5).dtype == np.float32
    try:
        mk.config.set_floatx("float64")
        assert ops.convert_to_tensor([1.5]).dtype == np.float64
        assert ops.add(I32, 0.5).dtype == np.float64
    finally:
        mk.config.set_floatx("float32")


def test_reduction_dtypes_follow_keras():
    assert ops.sum(BOOLS).dtype == np.int32 and int(ops.sum(BOOLS)) == 2
    assert ops.sum(I32, axis=0).dtype == np.int32
    assert ops.prod(BOOLS).dtype == np.int32 and ops.cumsum(BOOLS).dtype == np.int32
    assert ops.cumsum(I32).dtype == np.int32 and ops.cumprod(I32).dtype == np.int32
    assert ops.count_nonzero(BOOLS).dtype == np.int32 and int(ops.count_nonzero(BOOLS)) == 2
    for fn in (ops.mean, ops.var, ops.std, ops.median, ops.average, ops.norm, ops.logsumexp):
        assert fn(I32).dtype == np.float32, fn.__name__
    for fn in (ops.sqrt, ops.exp, ops.erf, ops.rsqrt, ops.floor, ops.ceil, ops.expm1):
        assert fn(I32).dtype == np.float32, fn.__name__
    assert ops.round(I32).dtype == np.int32 and ops.relu(I32).dtype == np.int32
    assert ops.square(BOOLS).dtype == np.int32
    assert ops.argsort(F32).dtype == np.int32 and ops.top_k(F32, 1)[1].dtype == np.int32


# ------------------------------------------------------------------ added functions
RNG = np.random.default_rng(1)
X = RNG.normal(size=(3, 4)).astype("float32")


def _erf(x):
    from scipy.special import erf

    return erf(x)


ELEMENTWISE = {  # op -> NumPy/SciPy reference in float64
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "log_sigmoid": lambda x: -np.log1p(np.exp(-x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "erf": _erf,
    "expm1": np.expm1,
    "sin": np.sin,
    "cos": np.cos,
    "trunc": np.trunc,
    "log_softmax": lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_like_ops_match_their_formula_and_keep_float32(name):
    x = X * 3
    out = getattr(ops, name)(x)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert isinstance(out.numpy(), np.ndarray)
    assert_close(out, ELEMENTWISE[name](x.astype("float64")), "float32")


def test_activation_arguments_and_defaults_are_keras_ops():
    x = X.astype("float64")
    assert_close(ops.leaky_relu(x, negative_slope=0.1), np.where(x > 0, x, 0.1 * x))
    assert_close(ops.elu(x, alpha=0.5), np.where(x > 0, x, 0.5 * np.expm1(x)))
    assert_close(ops.gelu(x, approximate=False), 0.5 * x * (1 + _erf(x / np.sqrt(2))))
    assert_close(ops.log_softmax(x, axis=0),
                 x - np.log(np.exp(x).sum(0, keepdims=True)))
    assert_close(ops.rsqrt(np.abs(x) + 1), 1 / np.sqrt(np.abs(x) + 1))


def test_logsumexp_is_stable_and_takes_axis():
    big = np.array([[1000.0, 1000.0], [0.0, 0.0]], dtype="float32")
    assert_close(ops.logsumexp(big, axis=1), [1000 + np.log(2), np.log(2)], "float32")
    assert ops.logsumexp(big, axis=1, keepdims=True).shape == (2, 1)
    assert_close(ops.logsumexp(X), np.log(np.exp(X.astype("float64")).sum()), "float32")


def test_creation_functions():
    assert_close(ops.linspace(0, 1, 5), np.linspace(0, 1, 5))
    assert ops.linspace(0, 1).shape == (50,)
    values, step = ops.linspace(0.0, 1.0, 4, endpoint=False, retstep=True)
    assert_close(values, [0, 0.25, 0.5, 0.75]) and step == 0.25
    for made, expected in [(ops.eye(3), np.eye(3)), (ops.eye(2, 3, k=1), np.eye(2, 3, k=1)),
                           (ops.identity(2), np.eye(2)), (ops.tri(3, 2), np.tri(3, 2))]:
        assert made.dtype == np.float32
        np.testing.assert_array_equal(made, expected)
    assert ops.eye(2, dtype="int32").dtype == np.int32


def test_shape_functions_match_numpy():
    a = np.arange(12, dtype="float32").reshape(3, 4)
    cases = [
        (ops.tile(a, (2, 1)), np.tile(a, (2, 1))),
        (ops.repeat(a, 2), np.repeat(a, 2)),
        (ops.repeat(a, 2, axis=1), np.repeat(a, 2, axis=1)),
        (ops.vstack([a, a]), np.vstack([a, a])),
        (ops.hstack([a, a]), np.hstack([a, a])),
        (ops.pad(a, ((1, 0), (0, 2))), np.pad(a, ((1, 0), (0, 2)))),
        (ops.pad(a, 1, constant_values=7), np.pad(a, 1, constant_values=7)),
        (ops.pad(a, 1, mode="reflect"), np.pad(a, 1, mode="reflect")),
        (ops.flip(a), a[::-1, ::-1]),
        (ops.flip(a, axis=1), a[:, ::-1]),
        (ops.swapaxes(a[None], 0, 2), np.swapaxes(a[None], 0, 2)),
        (ops.moveaxis(a[None], 0, -1), a[..., None]),
        (ops.diag(a), np.diag(a)),
        (ops.diag(np.arange(3), k=1), np.diag(np.arange(3), k=1)),
        (ops.tril(a), np.tril(a)),
        (ops.triu(a, k=1), np.triu(a, k=1)),
        (ops.outer(a[0], a[1]), np.outer(a[0], a[1])),
        (ops.ravel(a), a.ravel()),
        (ops.tensordot(a, a.T, axes=1), a @ a.T),
        (ops.take_along_axis(a, np.array([[3], [0], [1]]), axis=1), [[3], [4], [9]]),
        (ops.nan_to_num(np.array([np.nan, np.inf, 1.0])), np.nan_to_num([np.nan, np.inf, 1.0])),
    ]
    for out, expected in cases:
        assert isinstance(out, np.ndarray) and hasattr(out, "numpy")
        np.testing.assert_array_equal(out, expected)
    assert ops.tile(a, (2, 1)).dtype == np.float32
    with pytest.raises(ValueError, match="constant_values"):
        ops.pad(a, 1, mode="reflect", constant_values=1)


def test_split_meshgrid_and_sizes():
    a = np.arange(12).reshape(3, 4)
    parts = ops.split(a, 2, axis=1)
    assert len(parts) == 2 and all(hasattr(p, "numpy") for p in parts)
    np.testing.assert_array_equal(parts[1], a[:, 2:])
    np.testing.assert_array_equal(ops.split(a, [1], axis=0)[1], a[1:])
    gx, gy = ops.meshgrid(np.arange(3), np.arange(2))
    assert gx.shape == (2, 3)
    assert ops.meshgrid(np.arange(3), np.arange(2), indexing="ij")[0].shape == (3, 2)
    assert ops.size(a) == 12 and ops.ndim(a) == 2 and ops.shape(a) == (3, 4)
    assert isinstance(ops.shape(a), tuple)


def test_statistics_and_comparisons():
    x = X.astype("float64")
    assert_close(ops.median(x, axis=1), np.median(x, axis=1))
    assert_close(ops.average(x, axis=1), x.mean(axis=1))
    w = np.arange(1.0, 5.0)
    assert_close(ops.average(x, axis=1, weights=w), (x * w).sum(1) / w.sum())
    assert_close(ops.cumprod(x, axis=1), np.cumprod(x, axis=1))
    np.testing.assert_array_equal(ops.isclose(x, x + 1e-9), np.ones_like(x, dtype=bool))
    assert bool(ops.allclose(x, x + 1e-9)) and not bool(ops.allclose(x, x + 1))
    np.testing.assert_array_equal(ops.isinf(np.array([np.inf, 1.0])), [True, False])
    np.testing.assert_array_equal(ops.logical_xor(BOOLS, [True, True, False]), [False, True, True])


def test_top_k_values_indices_largest_first_ties_to_the_lower_index():
    values, indices = ops.top_k(np.array([[1.0, 3.0, 3.0, 2.0], [4.0, 0.0, 5.0, 1.0]]), 2)
    np.testing.assert_array_equal(values, [[3, 3], [5, 4]])
    np.testing.assert_array_equal(indices, [[1, 2], [2, 0]])


def test_unique():
    np.testing.assert_array_equal(ops.unique(np.array([3, 1, 1, 2])), [1, 2, 3])
    values, counts = ops.unique(np.array([3, 1, 1, 2]), return_counts=True)
    np.testing.assert_array_equal(counts, [2, 1, 1])
    np.testing.assert_array_equal(ops.unique(np.array([3, 1, 1]), size=4, fill_value=-1),
                                  [1, 3, -1, -1])


def test_tensor_helpers():
    assert ops.is_tensor(ops.ones(2)) and not ops.is_tensor([1.0])
    np.testing.assert_array_equal(ops.stop_gradient(X), X)


def test_crossentropy_ops_are_per_element_or_per_sample():
    t = np.array([[1.0, 0.0], [0.0, 1.0]], dtype="float32")
    p = np.array([[0.8, 0.3], [0.4, 0.6]], dtype="float32")
    t64, p64 = t.astype("float64"), p.astype("float64")
    bce = ops.binary_crossentropy(t, p)
    assert bce.dtype == np.float32 and bce.shape == (2, 2)  # no mean: ops.nn's version
    assert_close(bce, -(t64 * np.log(p64) + (1 - t64) * np.log(1 - p64)), "float32")
    z = np.array([[2.0, -1.0], [0.5, 3.0]])
    assert_close(ops.binary_crossentropy(t64, z, from_logits=True),
                 ops.binary_crossentropy(t64, 1 / (1 + np.exp(-z))))
    cce = ops.categorical_crossentropy(t, p)
    assert cce.shape == (2,)
    assert_close(cce, -(t64 * np.log(p64 / p64.sum(-1, keepdims=True))).sum(-1), "float32")
    log_softmax = z - np.log(np.exp(z).sum(-1, keepdims=True))
    assert_close(ops.categorical_crossentropy(t64, z, from_logits=True),
                 -(t64 * log_softmax).sum(-1))
    assert_close(ops.categorical_crossentropy(t64.T, z.T, from_logits=True, axis=0),
                 -(t64 * log_softmax).sum(-1))
    labels = np.array([0, 1])
    assert_close(ops.sparse_categorical_crossentropy(labels, p), cce, "float32")
    assert_close(ops.sparse_categorical_crossentropy(labels, z, from_logits=True),
                 -(t64 * log_softmax).sum(-1))
