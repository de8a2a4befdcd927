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


# ------------------------------------------------------------------ the rest of keras.ops
# Expected values below were produced by Keras 3.15.1 (torch backend) on these inputs.
NAN, INF = float("nan"), float("inf")
KF = np.array([[0.5, -1.5, 0.0], [2.0, 3.0, -0.25]], dtype="float32")
KI = np.array([[1, 2, 0], [3, 4, -2]], dtype="int32")
KB = np.array([[True, False, True], [False, True, True]])
KU = np.array([0.1, 0.5, 0.9, 0.3], dtype="float32")
KP = np.array([1.5, 2.0, 3.0], dtype="float32")
KIP = np.array([1, 2, 3], dtype="int32")
KSQ = np.array([[4.0, 1.0], [1.0, 3.0]], dtype="float32")
KISQ = np.array([[4, 1], [1, 3]], dtype="int32")
KNANS = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]], dtype="float32")

KERAS_CASES = [  # (op, args, Keras 3.15.1's (dtype, shape, values)) -- torch backend
    (
        "tan",
        (KF,),
        ("float32", (2, 3), [0.5463025, -14.10142, 0.0, -2.1850398, -0.14254655, -0.25534192]),
    ),
    (
        "tan",
        (KI,),
        ("float32", (2, 3), [1.5574077, -2.1850398, 0.0, -0.14254655, 1.1578213, 2.1850398]),
    ),
    ("arcsin", (KU,), ("float32", (4,), [0.10016742, 0.52359879, 1.1197695, 0.30469266])),
    ("arccos", (KU,), ("float32", (4,), [1.4706289, 1.0471976, 0.45102686, 1.2661036])),
    (
        "arctan",
        (KI,),
        ("float32", (2, 3), [0.78539819, 1.1071488, 0.0, 1.2490457, 1.3258177, -1.1071488]),
    ),
    (
        "sinh",
        (KF,),
        ("float32", (2, 3), [0.52109528, -2.1292794, 0.0, 3.6268604, 10.017875, -0.25261232]),
    ),
    (
        "cosh",
        (KI,),
        ("float32", (2, 3), [1.5430806, 3.7621958, 1.0, 10.067662, 27.308231, 3.7621958]),
    ),
    (
        "arcsinh",
        (KF,),
        ("float32", (2, 3), [0.48121184, -1.1947632, 0.0, 1.4436355, 1.8184465, -0.24746647]),
    ),
    ("arccosh", (KP,), ("float32", (3,), [0.96242368, 1.316958, 1.7627472])),
    ("arctanh", (KU,), ("float32", (4,), [0.10033534, 0.54930615, 1.4722193, 0.30951962])),
    ("exp2", (KI,), ("float32", (2, 3), [2.0, 4.0, 1.0, 8.0, 16.0, 0.25])),
    (
        "sinc",
        (KF,),
        (
            "float32",
            (2, 3),
            [0.63661975, -0.21220659, 1.0, 2.7827534e-08, -2.5305382e-09, 0.9003163],
        ),
    ),
    (
        "sinc",
        (KI,),
        (
            "float32",
            (2, 3),
            [-2.7827534e-08, 2.7827534e-08, 1.0, -2.5305382e-09, 2.7827534e-08, 2.7827534e-08],
        ),
    ),
    ("angle", (KF,), ("float32", (2, 3), [0.0, 3.1415927, 0.0, 0.0, 0.0, 3.1415927])),
    (
        "erfc",
        (KF,),
        ("float32", (2, 3), [0.47950011, 1.9661051, 1.0, 0.0046777348, 2.2090497e-05, 1.2763264]),
    ),
    ("erfinv", (KU,), ("float32", (4,), [0.088855989, 0.47693628, 1.1630871, 0.27246273])),
    ("fabs", (KI,), ("float32", (2, 3), [1.0, 2.0, 0.0, 3.0, 4.0, 2.0])),
    ("signbit", (KF,), ("bool", (2, 3), [0, 1, 0, 0, 0, 1])),
    ("isneginf", (KF,), ("bool", (2, 3), [0, 0, 0, 0, 0, 0])),
    ("real", (KF,), ("float32", (2, 3), [0.5, -1.5, 0.0, 2.0, 3.0, -0.25])),
    ("conj", (KF,), ("float32", (2, 3), [0.5, -1.5, 0.0, 2.0, 3.0, -0.25])),
    ("bitwise_invert", (KI,), ("int32", (2, 3), [-2.0, -3.0, -1.0, -4.0, -5.0, 1.0])),
    ("bitwise_not", (KB,), ("bool", (2, 3), [0, 1, 0, 1, 0, 0])),
    ("cbrt", (KI,), ("float32", (2, 3), [1.0, 1.2599211, 0.0, 1.4422495, 1.587401, -1.2599211])),
    (
        "cbrt",
        (KF,),
        ("float32", (2, 3), [0.79370052, -1.1447142, 0.0, 1.2599211, 1.4422495, -0.62996054]),
    ),
    (
        "deg2rad",
        (KI,),
        ("float32", (2, 3), [0.017453292, 0.034906585, 0.0, 0.052359879, 0.06981317, -0.034906585]),
    ),
    (
        "rad2deg",
        (KF,),
        ("float32", (2, 3), [28.64789, -85.943672, 0.0, 114.59156, 171.88734, -14.323945]),
    ),
    (
        "i0",
        (KF,),
        ("float32", (2, 3), [1.0634835, 1.6467233, 0.99999994, 2.2795851, 4.8807926, 1.0156863]),
    ),
    (
        "i0",
        (KI,),
        ("float32", (2, 3), [1.266066, 2.2795851, 0.99999994, 4.8807926, 11.301921, 2.2795851]),
    ),
    ("bitwise_and", (KI, 3), ("int32", (2, 3), [1.0, 2.0, 0.0, 3.0, 0.0, 2.0])),
    ("bitwise_or", (KB, KB), ("bool", (2, 3), [1, 0, 1, 0, 1, 1])),
    ("bitwise_xor", (KI, KI), ("int32", (2, 3), [0.0, 0.0, 0.0, 0.0, 0.0, 0.0])),
    ("left_shift", (KI, 1), ("int32", (2, 3), [2.0, 4.0, 0.0, 6.0, 8.0, -4.0])),
    ("right_shift", (KI, KIP[:1]), ("int32", (2, 3), [0.0, 1.0, 0.0, 1.0, 2.0, -1.0])),
    ("fmax", (KF, 1), ("float32", (2, 3), [1.0, 1.0, 1.0, 2.0, 3.0, 1.0])),
    ("fmin", (KI, 1.5), ("float32", (2, 3), [1.0, 1.5, 0.0, 1.5, 1.5, -2.0])),
    ("gcd", (KI, 4), ("int32", (2, 3), [1.0, 2.0, 4.0, 1.0, 4.0, 2.0])),
    ("lcm", (KI, 3), ("int32", (2, 3), [3.0, 6.0, 0.0, 3.0, 12.0, 6.0])),
    ("inner", (KF, KI), ("float32", (2, 2), [-2.5, -4.5, 8.0, 18.5])),
    (
        "kron",
        (KI, KF),
        (
            "float32",
            (4, 9),
            [
                0.5,
                -1.5,
                0.0,
                1.0,
                -3.0,
                0.0,
                0.0,
                -0.0,
                0.0,
                2.0,
                3.0,
                -0.25,
                4.0,
                6.0,
                -0.5,
                0.0,
                0.0,
                -0.0,
                1.5,
                -4.5,
                0.0,
                2.0,
                -6.0,
                0.0,
                -1.0,
                3.0,
                -0.0,
                6.0,
                9.0,
                -0.75,
                8.0,
                12.0,
                -1.0,
                -4.0,
                -6.0,
                0.5,
            ],
        ),
    ),
    (
        "kron",
        (KI, KI),
        (
            "int32",
            (4, 9),
            [
                1.0,
                2.0,
                0.0,
                2.0,
                4.0,
                0.0,
                0.0,
                0.0,
                0.0,
                3.0,
                4.0,
                -2.0,
                6.0,
                8.0,
                -4.0,
                0.0,
                0.0,
                0.0,
                3.0,
                6.0,
                0.0,
                4.0,
                8.0,
                0.0,
                -2.0,
                -4.0,
                0.0,
                9.0,
                12.0,
                -6.0,
                12.0,
                16.0,
                -8.0,
                -6.0,
                -8.0,
                4.0,
            ],
        ),
    ),
    (
        "arctan2",
        (KI, KI),
        ("float32", (2, 3), [0.78539819, 0.78539819, 0.0, 0.78539819, 0.78539819, -2.3561945]),
    ),
    (
        "arctan2",
        (KF, 2),
        ("float32", (2, 3), [0.24497867, -0.6435011, 0.0, 0.78539819, 0.98279375, -0.124355]),
    ),
    (
        "logaddexp",
        (KF, KI),
        ("float32", (2, 3), [1.474077, 2.0297503, 0.69314718, 3.3132617, 4.3132615, -0.089775845]),
    ),
    (
        "logaddexp",
        (KI, 1),
        ("float32", (2, 3), [1.6931472, 2.3132617, 1.3132617, 3.1269281, 4.0485873, 1.0485873]),
    ),
    (
        "logaddexp2",
        (KF, 0.5),
        ("float32", (2, 3), [1.5, 0.82192808, 1.2715533, 2.4367518, 3.2348406, 1.1731977]),
    ),
    ("nextafter", (KF, 5.0), ("float32", (2, 3), [0.5, -1.5, 0.0, 2.0, 3.0, -0.25])),
    (
        "hypot",
        (KI, KI),
        ("float32", (2, 3), [1.4142135, 2.8284271, 0.0, 4.2426405, 5.6568542, 2.8284271]),
    ),
    ("hypot", (KF, 2), ("float32", (2, 3), [2.0615528, 2.5, 2.0, 2.8284271, 3.6055512, 2.0155644])),
    ("heaviside", (KF, 0.5), ("float32", (2, 3), [1.0, 0.0, 0.5, 1.0, 1.0, 0.0])),
    ("heaviside", (KI, KI), ("float32", (2, 3), [1.0, 1.0, 0.0, 1.0, 1.0, 0.0])),
    ("fmod", (KI, 3), ("int32", (2, 3), [1.0, 2.0, 0.0, 0.0, 1.0, -2.0])),
    ("fmod", (KF, 2.0), ("float32", (2, 3), [0.5, -1.5, 0.0, 0.0, 1.0, -0.25])),
    ("ldexp", (KF, KI), ("float32", (2, 3), [1.0, -6.0, 0.0, 16.0, 48.0, -0.0625])),
    ("divide_no_nan", (KF, KI), ("float32", (2, 3), [0.5, -0.75, 0.0, 0.66666669, 0.75, 0.125])),
    ("divide_no_nan", (KI, KI), ("float32", (2, 3), [1.0, 1.0, 0.0, 1.0, 1.0, 1.0])),
    ("divide_no_nan", (KF, 0.0), ("float32", (2, 3), [0.0, 0.0, 0.0, 0.0, 0.0, 0.0])),
    ("isin", (KI, KIP), ("bool", (2, 3), [1, 1, 0, 1, 0, 0])),
    ("cross", (KF, KI), ("float32", (2, 3), [-0.0, 0.0, 2.5, -5.0, 3.25, -1.0])),
    ("correlate", (KP, KIP, "full"), ("float32", (5,), [4.5, 9.0, 14.5, 8.0, 3.0])),
    ("quantile", (KF, 0.3), ("float32", (), [-0.125])),
    ("quantile", (KI, [0.1, 0.5], 1), ("float32", (2, 2), [0.2, -1.0, 1.0, 3.0])),
    ("percentile", (KF, 40, 0, "nearest"), ("float32", (3,), [0.5, -1.5, -0.25])),
    ("percentile", (KI, 50, None, "midpoint", True), ("float32", (1, 1), [1.5])),
    ("nanquantile", (KNANS, 0.5, 1), ("float32", (2,), [2.0, NAN])),
    ("nanpercentile", (KNANS, 20), ("float32", (), [1.4])),
    ("nansum", (KNANS,), ("float32", (), [4.0])),
    ("nansum", (KB,), ("int32", (), [4.0])),
    ("nanprod", (KNANS, 1), ("float32", (2,), [3.0, 1.0])),
    ("nancumsum", (KNANS,), ("float32", (6,), [1.0, 1.0, 4.0, 4.0, 4.0, 4.0])),
    ("nancumprod", (KNANS, 1), ("float32", (2, 3), [1.0, 1.0, 3.0, 1.0, 1.0, 1.0])),
    ("nanmean", (KNANS, 1), ("float32", (2,), [2.0, NAN])),
    ("nanmean", (KI,), ("float32", (), [1.3333334])),
    ("nanvar", (KNANS, 1), ("float32", (2,), [1.0, NAN])),
    ("nanstd", (KNANS,), ("float32", (), [1.0])),
    ("nanmedian", (KNANS, 1), ("float32", (2,), [2.0, NAN])),
    ("nanmax", (KNANS, 1), ("float32", (2,), [3.0, NAN])),
    ("nanmin", (KI, 0), ("int32", (3,), [1.0, 2.0, -2.0])),
    ("nanargmax", (KNANS, 1), ("int32", (2,), [2.0, -1.0])),
    ("nanargmin", (KNANS,), ("int32", (), [0.0])),
    ("nanargmax", (KI, 1), ("int32", (2,), [1.0, 1.0])),
    ("ptp", (KF, 1), ("float32", (2,), [2.0, 3.25])),
    ("ptp", (KI,), ("int32", (), [6.0])),
    ("trace", (KF,), ("float32", (), [3.5])),
    ("trace", (KB,), ("int32", (), [2.0])),
    ("trace", (KI, 1), ("int32", (), [0.0])),
    ("corrcoef", (KF,), ("float32", (2, 2), [1.0, -0.5531339, -0.55313396, 0.99999994])),
    ("corrcoef", (KI,), ("float32", (2, 2), [1.0, 0.93325651, 0.93325651, 1.0])),
    ("trapezoid", (KF,), ("float32", (2,), [-1.25, 3.875])),
    ("trapezoid", (KI, None, 0.5, 0), ("float32", (3,), [1.0, 1.5, -0.5])),
    ("trapezoid", (KF, KP), ("float32", (2,), [-1.0, 2.625])),
    (
        "histogram",
        (KU, 3),
        [
            ("float32", (3,), [2.0, 1.0, 1.0]),
            ("float32", (4,), [0.1, 0.36666664, 0.63333333, 0.89999998]),
        ],
    ),
    (
        "histogram",
        (KU, 4, (0.0, 1.0)),
        [("float32", (4,), [1.0, 1.0, 1.0, 1.0]), ("float32", (5,), [0.0, 0.25, 0.5, 0.75, 1.0])],
    ),
    ("bincount", (KIP,), ("int32", (4,), [0.0, 1.0, 1.0, 1.0])),
    ("bincount", (KIP, KP, 5), ("float32", (5,), [0.0, 1.5, 2.0, 3.0, 0.0])),
    ("segment_sum", (KF, np.array([0, 0], "int32")), ("float32", (1, 3), [2.5, 1.5, -0.25])),
    ("segment_max", (KP, np.array([1, 1, 0], "int32"), 3), ("float32", (3,), [3.0, 2.0, -INF])),
    ("segment_min", (KP, np.array([1, 1, 0], "int32")), ("float32", (2,), [3.0, 1.5])),
    (
        "segment_prod",
        (KI, np.array([1, 0], "int32")),
        ("int32", (2, 3), [3.0, 4.0, -2.0, 1.0, 2.0, 0.0]),
    ),
    ("cdist", (KF, KF), ("float32", (2, 2), [0.0, 4.75, 4.75, 0.0])),
    ("cdist", (KI, KI), ("float32", (2, 2), [0.0, 3.4641016, 3.4641016, 0.0])),
    ("array", ([1, 2],), ("int32", (2,), [1.0, 2.0])),
    ("array", ([1.0, 2],), ("float32", (2,), [1.0, 2.0])),
    ("array", ([1, 2], "float16"), ("float16", (2,), [1.0, 2.0])),
    ("copy", (KF,), ("float32", (2, 3), [0.5, -1.5, 0.0, 2.0, 3.0, -0.25])),
    (
        "view",
        (KF, "int32"),
        (
            "int32",
            (2, 3),
            [1056964600.0, -1077936100.0, 0.0, 1073741800.0, 1077936100.0, -1098907600.0],
        ),
    ),
    ("broadcast_to", (KIP, (2, 3)), ("int32", (2, 3), [1.0, 2.0, 3.0, 1.0, 2.0, 3.0])),
    ("diagonal", (KF,), ("float32", (2,), [0.5, 3.0])),
    (
        "diagonal",
        (np.arange(24).reshape(2, 3, 4), 1, 1, 2),
        ("int64", (2, 3), [1.0, 6.0, 11.0, 13.0, 18.0, 23.0]),
    ),
    (
        "diagflat",
        (KIP, 1),
        (
            "int32",
            (4, 4),
            [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0],
        ),
    ),
    ("diff", (KF,), ("float32", (2, 2), [-2.0, 1.5, 1.0, -3.25])),
    ("diff", (KI, 2, 0), ("int32", (0, 3), [])),
    ("roll", (KF, 1), ("float32", (2, 3), [-0.25, 0.5, -1.5, 0.0, 2.0, 3.0])),
    ("roll", (KF, -1, 1), ("float32", (2, 3), [-1.5, 0.0, 0.5, 3.0, -0.25, 2.0])),
    ("rot90", (KF,), ("float32", (3, 2), [0.0, -0.25, -1.5, 3.0, 0.5, 2.0])),
    ("rot90", (KF, 3, (1, 0)), ("float32", (3, 2), [0.0, -0.25, -1.5, 3.0, 0.5, 2.0])),
    ("fliplr", (KF,), ("float32", (2, 3), [0.0, -1.5, 0.5, -0.25, 3.0, 2.0])),
    ("flipud", (KI,), ("int32", (2, 3), [3.0, 4.0, -2.0, 1.0, 2.0, 0.0])),
    (
        "append",
        (KF, KI),
        ("float32", (12,), [0.5, -1.5, 0.0, 2.0, 3.0, -0.25, 1.0, 2.0, 0.0, 3.0, 4.0, -2.0]),
    ),
    (
        "append",
        (KI, KF, 0),
        ("float32", (4, 3), [1.0, 2.0, 0.0, 3.0, 4.0, -2.0, 0.5, -1.5, 0.0, 2.0, 3.0, -0.25]),
    ),
    (
        "dstack",
        ([KF, KI],),
        ("float32", (2, 3, 2), [0.5, 1.0, -1.5, 2.0, 0.0, 0.0, 2.0, 3.0, 3.0, 4.0, -0.25, -2.0]),
    ),
    ("searchsorted", (KP, KF), ("int32", (2, 3), [0.0, 0.0, 0.0, 1.0, 2.0, 0.0])),
    ("searchsorted", (KP, 2.0, "right"), ("int32", (), [2.0])),
    ("digitize", (KF, KP), ("int32", (2, 3), [0.0, 0.0, 0.0, 2.0, 3.0, 0.0])),
    (
        "unravel_index",
        (KIP, (2, 2)),
        [("int32", (3,), [0.0, 1.0, 1.0]), ("int32", (3,), [1.0, 0.0, 1.0])],
    ),
    ("select", ([KF > 0, KF < -1], [KF, KI]), ("float32", (2, 3), [0.5, 2.0, 0.0, 2.0, 3.0, 0.0])),
    ("select", ([KB], [KI], 7), ("int32", (2, 3), [1.0, 7.0, 0.0, 7.0, 4.0, -2.0])),
    ("vander", (KIP,), ("int32", (3, 3), [1.0, 1.0, 1.0, 4.0, 2.0, 1.0, 9.0, 3.0, 1.0])),
    ("vander", (KP, 2, True), ("float32", (3, 2), [1.0, 1.5, 1.0, 2.0, 1.0, 3.0])),
    ("geomspace", (1, 100, 3), ("float32", (3,), [1.0, 10.0, 100.0])),
    ("logspace", (0, 2, 3), ("float32", (3,), [1.0, 10.0, 100.0])),
    ("logspace", (0.0, 2, 4, False, 2), ("float32", (4,), [1.0, 1.4142135, 2.0, 2.8284271])),
    ("bartlett", (5,), ("float32", (5,), [0.0, 0.5, 1.0, 0.5, 0.0])),
    (
        "blackman",
        (5,),
        ("float32", (5,), [-1.4901161e-08, 0.34000003, 0.99999994, 0.33999997, -1.4901161e-08]),
    ),
    ("hamming", (4,), ("float32", (4,), [0.080000013, 0.77000004, 0.76999998, 0.080000013])),
    (
        "hanning",
        (6,),
        ("float32", (6,), [0.0, 0.34549153, 0.90450847, 0.90450847, 0.34549144, 0.0]),
    ),
    ("kaiser", (5, 2.0), ("float32", (5,), [0.4386763, 0.8347615, 1.0, 0.8347615, 0.4386763])),
    (
        "scatter",
        (np.array([[0, 1], [1, 0], [0, 1]]), np.array([1.0, 2.0, 3.0], "float32"), (2, 2)),
        ("float32", (2, 2), [0.0, 4.0, 2.0, 0.0]),
    ),
    (
        "scatter",
        (np.array([[1]]), np.array([[1, 2, 3]], "int32"), (2, 3)),
        ("int32", (2, 3), [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]),
    ),
    (
        "scatter_update",
        (KF, np.array([[0, 1], [1, 2]]), np.array([9.0, 8.0], "float32")),
        ("float32", (2, 3), [0.5, 9.0, 0.0, 2.0, 3.0, 8.0]),
    ),
    (
        "scatter_update",
        (KF, np.array([[1]]), np.array([[7.0, 7.0, 7.0]], "float32")),
        ("float32", (2, 3), [0.5, -1.5, 0.0, 7.0, 7.0, 7.0]),
    ),
    (
        "scatter_update",
        (KF, np.array([[0, 1], [0, 1]]), np.array([9.0, 8.0], "float32"), "add"),
        ("float32", (2, 3), [0.5, 15.5, 0.0, 2.0, 3.0, -0.25]),
    ),
    ("slice", (KF, (0, 1), (2, 2)), ("float32", (2, 2), [-1.5, 0.0, 3.0, -0.25])),
    (
        "slice_update",
        (KF, (1, 1), np.ones((1, 2), "float32")),
        ("float32", (2, 3), [0.5, -1.5, 0.0, 2.0, 1.0, 1.0]),
    ),
    (
        "extract_sequences",
        (np.arange(10, dtype="float32").reshape(1, 10), 4, 3),
        ("float32", (1, 3, 4), [0.0, 1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 6.0, 7.0, 8.0, 9.0]),
    ),
    (
        "saturate_cast",
        (np.array([-1.0, 256.0, 3.6], "float32"), "uint8"),
        ("uint8", (3,), [0.0, 255.0, 3.0]),
    ),
    ("saturate_cast", (np.array([-200, 300], "int32"), "int8"), ("int8", (2,), [-128.0, 127.0])),
    ("sparse_plus", (KF,), ("float32", (2, 3), [0.5625, 0.0, 0.25, 2.0, 3.0, 0.140625])),
    ("sparse_sigmoid", (KF,), ("float32", (2, 3), [0.75, 0.0, 0.5, 1.0, 1.0, 0.375])),
    (
        "squareplus",
        (KF,),
        ("float32", (2, 3), [1.2807764, 0.5, 1.0, 2.4142137, 3.3027756, 0.88278222]),
    ),
    (
        "squareplus",
        (KF, 1),
        ("float32", (2, 3), [0.809017, 0.15138781, 0.5, 2.1180339, 3.0811388, 0.39038819]),
    ),
    ("celu", (KF, 0.5), ("float32", (2, 3), [0.5, -0.47510648, 0.0, 2.0, 3.0, -0.19673467])),
    (
        "glu",
        (np.arange(8, dtype="float32").reshape(2, 4) / 3,),
        ("float32", (2, 2), [0.0, 0.2436862, 1.174396, 1.5193338]),
    ),
    ("hard_tanh", (KF,), ("float32", (2, 3), [0.5, -1.0, 0.0, 1.0, 1.0, -0.25])),
    ("hard_shrink", (KF,), ("float32", (2, 3), [0.0, -1.5, 0.0, 2.0, 3.0, 0.0])),
    ("soft_shrink", (KF, 0.3), ("float32", (2, 3), [0.19999999, -1.2, 0.0, 1.7, 2.7, -0.0])),
    (
        "tanh_shrink",
        (KF,),
        ("float32", (2, 3), [0.037882835, -0.59485173, 0.0, 1.0359724, 2.0049453, -0.0050813407]),
    ),
    ("threshold", (KF, 0.2, -9), ("float32", (2, 3), [0.5, -9.0, -9.0, 2.0, 3.0, -9.0])),
    ("sparsemax", (KF,), ("float32", (2, 3), [0.5, 0.0, 0.0, 0.0, 1.0, 0.0])),
    ("sparsemax", (KF, 0), ("float32", (2, 3), [0.0, 0.0, 0.625, 1.0, 1.0, 0.375])),
    (
        "moments",
        (KF, [0]),
        [("float32", (3,), [1.25, 0.75, -0.125]), ("float32", (3,), [0.5625, 5.0625, 0.015625])],
    ),
    (
        "moments",
        (KF, [0, 1], True),
        [("float32", (1, 1), [0.625]), ("float32", (1, 1), [2.203125])],
    ),
    (
        "batch_normalization",
        (KF, KP, KP, 1, KP, KP),
        ("float32", (2, 3), [0.27566326, -2.9485106, -2.1952872, 2.1121683, 3.4138603, -2.6282277]),
    ),
    (
        "batch_normalization",
        (KF, KP, KP, -1),
        (
            "float32",
            (2, 3),
            [-0.81622452, -2.4742553, -1.7317624, 0.40811226, 0.7069301, -1.8760759],
        ),
    ),
    (
        "normalize",
        (KF,),
        ("float32", (2, 3), [0.31622776, -0.94868326, 0.0, 0.55337161, 0.83005738, -0.069171451]),
    ),
    (
        "normalize",
        (KF, 0, 1),
        ("float32", (2, 3), [0.2, -0.33333334, 0.0, 0.80000001, 0.66666669, -1.0]),
    ),
    (
        "normalize",
        (KI,),
        ("float32", (2, 3), [0.44721359, 0.89442718, 0.0, 0.55708599, 0.74278134, -0.37139067]),
    ),
    ("normalize", (np.zeros((2, 2), "float32"),), ("float32", (2, 2), [0.0, 0.0, 0.0, 0.0])),
    (
        "layer_normalization",
        (KF,),
        (
            "float32",
            (2, 3),
            [0.98058051, -1.3728129, 0.39223221, 0.30656973, 1.0423369, -1.3489064],
        ),
    ),
    (
        "layer_normalization",
        (KF, KP, KP, -1, 0.001),
        ("float32", (2, 3), [2.9698536, -0.74372697, 4.1758828, 1.9597301, 4.0841098, -1.0456245]),
    ),
    (
        "rms_normalization",
        (KF,),
        ("float32", (2, 3), [0.54772252, -1.6431675, 0.0, 0.95846772, 1.4377016, -0.11980847]),
    ),
    (
        "rms_normalization",
        (KF, KP),
        ("float32", (2, 3), [0.82158375, -3.286335, 0.0, 1.4377016, 2.8754032, -0.3594254]),
    ),
    (
        "multi_hot",
        (np.array([[0, 2], [1, 1]]), 4),
        ("float32", (2, 4), [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0]),
    ),
    ("multi_hot", (np.array([1, 3]), 5), ("float32", (5,), [0.0, 1.0, 0.0, 1.0, 0.0])),
    ("multi_hot", (np.array([[0, 2]]), 3, -1, "int32"), ("int32", (1, 3), [1.0, 0.0, 1.0])),
    ("in_top_k", (np.array([0, 2]), KF, 1), ("bool", (2,), [1, 0])),
    ("in_top_k", (np.array([1, 0]), KF, 2), ("bool", (2,), [0, 1])),
    ("psnr", (KF, KF + 0.1, 1.0), ("float32", (), [20.000002])),
    (
        "depth_to_space",
        (np.arange(16, dtype="float32").reshape(1, 1, 2, 8), 2),
        (
            "float32",
            (1, 2, 4, 2),
            [0.0, 1.0, 2.0, 3.0, 8.0, 9.0, 10.0, 11.0, 4.0, 5.0, 6.0, 7.0, 12.0, 13.0, 14.0, 15.0],
        ),
    ),
    (
        "space_to_depth",
        (np.arange(16, dtype="float32").reshape(1, 4, 4, 1), 2),
        (
            "float32",
            (1, 2, 2, 4),
            [0.0, 1.0, 4.0, 5.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 12.0, 13.0, 10.0, 11.0, 14.0, 15.0],
        ),
    ),
    (
        "space_to_depth",
        (np.arange(32, dtype="float32").reshape(1, 2, 4, 4), 2, "channels_first"),
        (
            "float32",
            (1, 8, 2, 2),
            [
                0.0,
                2.0,
                8.0,
                10.0,
                1.0,
                3.0,
                9.0,
                11.0,
                4.0,
                6.0,
                12.0,
                14.0,
                5.0,
                7.0,
                13.0,
                15.0,
                16.0,
                18.0,
                24.0,
                26.0,
                17.0,
                19.0,
                25.0,
                27.0,
                20.0,
                22.0,
                28.0,
                30.0,
                21.0,
                23.0,
                29.0,
                31.0,
            ],
        ),
    ),
    ("cholesky", (KSQ,), ("float32", (2, 2), [2.0, 0.0, 0.5, 1.6583124])),
    ("cholesky", (KSQ, True), ("float32", (2, 2), [2.0, 0.5, 0.0, 1.6583124])),
    (
        "cholesky_inverse",
        (np.linalg.cholesky(KSQ),),
        ("float32", (2, 2), [0.27272728, -0.090909094, -0.090909094, 0.36363637]),
    ),
    ("det", (KSQ,), ("float32", (), [11.0])),
    (
        "eigh",
        (KSQ,),
        [
            ("float32", (2,), [2.3819661, 4.6180339]),
            ("float32", (2, 2), [0.52573115, -0.85065085, -0.85065085, -0.52573115]),
        ],
    ),
    ("inv", (KSQ,), ("float32", (2, 2), [0.27272728, -0.090909094, -0.090909094, 0.36363637])),
    ("logdet", (KSQ,), ("float32", (), [2.3978953])),
    ("slogdet", (KSQ,), [("float32", (), [1.0]), ("float32", (), [2.3978953])]),
    ("lstsq", (KF.T, KU[:3]), ("float32", (2,), [-0.19509956, 0.060643181])),
    (
        "lu_factor",
        (KSQ,),
        [("float32", (2, 2), [4.0, 1.0, 0.25, 2.75]), ("int32", (2,), [0.0, 1.0])],
    ),
    ("matrix_rank", (KF,), ("int32", (), [2.0])),
    (
        "pinv",
        (KF,),
        (
            "float32",
            (3, 2),
            [0.66309351, 0.33078107, -0.44563547, 0.11026036, -0.042879023, -0.030627871],
        ),
    ),
    (
        "qr",
        (KF.T,),
        [
            (
                "float32",
                (3, 2),
                [-0.31622779, -0.94504428, 0.94868332, -0.31501472, -0.0, 0.087504104],
            ),
            ("float32", (2, 2), [-1.5811388, 2.2135944, 0.0, -2.8570087]),
        ],
    ),
    (
        "qr",
        (KF.T, "complete"),
        [
            (
                "float32",
                (3, 3),
                [
                    -0.31622779,
                    -0.94504428,
                    0.083013684,
                    0.94868332,
                    -0.31501472,
                    0.027671227,
                    -0.0,
                    0.087504104,
                    0.99616414,
                ],
            ),
            ("float32", (3, 2), [-1.5811388, 2.2135944, 0.0, -2.8570087, 0.0, 0.0]),
        ],
    ),
    ("solve", (KSQ, KP[:2]), ("float32", (2,), [0.22727272, 0.59090912])),
    ("solve_triangular", (np.triu(KSQ), KP[:2]), ("float32", (2,), [0.20833333, 0.66666669])),
    ("solve_triangular", (np.tril(KSQ), KP[:2], True), ("float32", (2,), [0.375, 0.54166669])),
    ("norm", (KI,), ("float32", (), [5.8309517])),
]


def _check_like_keras(out, expected):
    if isinstance(expected, list):
        assert isinstance(out, (list, tuple)) and len(out) == len(expected)
        for o, e in zip(out, expected):
            _check_like_keras(o, e)
        return
    dtype, shape, values = expected
    assert hasattr(out, "numpy"), type(out)
    assert str(out.dtype) == dtype and out.shape == shape
    np.testing.assert_allclose(np.asarray(out, dtype=np.float64).ravel(), values,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("name", "args", "expected"), KERAS_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(KERAS_CASES)])
def test_added_ops_give_keras_values_dtypes_and_shapes(name, args, expected):
    _check_like_keras(getattr(ops, name)(*args), expected)


def test_keras_ops_names_added_here_are_exported():
    for name in ["divide_no_nan", "moments", "normalize", "diagonal", "trace", "broadcast_to",
                 "cond", "select", "nonzero", "bincount", "in_top_k", "multi_hot", "slice",
                 "slice_update", "unstack", "roll", "logaddexp", "quantile", "percentile",
                 "scatter", "scatter_update", "searchsorted", "digitize", "histogram", "det",
                 "inv", "solve", "cholesky", "eig", "eigh", "qr", "svd", "lstsq"]:
        assert name in ops.__all__ and callable(getattr(ops, name)), name
    assert ops.linalg.det is ops.det and ops.linalg.norm is ops.norm
    assert ops.nn.moments is ops.moments


def test_weak_python_scalars_in_added_binary_ops():
    assert ops.divide_no_nan(I32, 2).dtype == np.float32
    assert ops.divide_no_nan(F32, 0).dtype == np.float32
    np.testing.assert_array_equal(ops.divide_no_nan(F32, 0), np.zeros_like(F32))
    np.testing.assert_array_equal(ops.divide_no_nan(1.0, np.array([0.0, 4.0])), [0, 0.25])
    for fn in (ops.arctan2, ops.logaddexp, ops.logaddexp2, ops.hypot, ops.fmod, ops.fmax,
               ops.heaviside):
        assert fn(F32, 2).dtype == np.float32 and fn(F32, 2.0).dtype == np.float32, fn
    assert ops.fmax(I32, 1).dtype == np.int32 and ops.fmax(I32, 1.5).dtype == np.float32
    assert ops.bitwise_and(I32, 1).dtype == np.int32 and ops.left_shift(I32, 1).dtype == np.int32
    assert ops.logaddexp(1, 2).dtype == np.float32
    assert_close(ops.logaddexp(np.float64(1000.0), 1000.0), 1000 + np.log(2))


def test_unary_math_of_integers_is_floatx():
    for name in ["tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arctanh",
                 "exp2", "sinc", "erfc", "erfinv", "cbrt", "deg2rad", "rad2deg", "i0"]:
        assert getattr(ops, name)(np.array([0, 0], "int32")).dtype == np.float32, name
    assert ops.cbrt(np.array([8], "int64")).dtype == np.float64  # Keras: int64 -> float64
    assert ops.tan(np.float64(1.0)).dtype == np.float64


def test_results_copy_rather_than_alias_their_inputs():
    a = F32.copy()
    out = ops.scatter_update(a, [[0, 0]], [9.0])
    assert float(out[0, 0]) == 9.0 and float(a[0, 0]) == 0.5
    out = ops.slice_update(a, [0, 0], np.zeros((1, 1), "float32"))
    assert float(out[0, 0]) == 0.0 and float(a[0, 0]) == 0.5
    b = ops.broadcast_to(np.array([1.0, 2.0]), (2, 2))
    b[0, 0] = 5.0  # a real array, not NumPy's read-only broadcast view
    c = ops.copy(a)
    c[0, 0] = 1.0
    assert float(a[0, 0]) == 0.5


def test_scatter_accumulates_repeated_indices():
    out = ops.scatter([[0], [2], [0]], np.array([1.0, 2.0, 3.0], "float32"), (4,))
    np.testing.assert_array_equal(out, [4, 0, 2, 0])
    assert out.dtype == np.float32
    out = ops.scatter_update(np.ones((2, 2), "int32"), [[1, 1], [1, 1]], [2, 3], "mul")
    np.testing.assert_array_equal(out, [[1, 1], [1, 6]])


def test_nonzero_unstack_argpartition_correlate_and_empty():
    rows, cols = ops.nonzero(np.array([[0, 3], [4, 0]]))
    assert rows.dtype == np.int32
    np.testing.assert_array_equal(rows, [0, 1]) and np.testing.assert_array_equal(cols, [1, 0])
    parts = ops.unstack(KF, axis=1)
    assert len(parts) == 3 and parts[1].shape == (2,)
    np.testing.assert_array_equal(parts[1], KF[:, 1])
    with pytest.raises(ValueError):
        ops.unstack(KF, num=5)
    x = np.array([3.0, 1.0, 2.0, 0.0])
    idx = ops.argpartition(x, 1)
    assert idx.dtype == np.int32 and sorted(x[idx[:2]]) == [0.0, 1.0]
    assert ops.correlate([1, 2, 3], [1, 2, 3]).shape == (1,)  # NumPy's and JAX's "valid" shape
    assert ops.empty((2, 3)).dtype == np.float32 and ops.empty_like(I32).shape == (2, 2)
    assert ops.dtype(F32) == "float32" and ops.dtype(BOOLS) == "bool"
    assert ops.dtype([1, 2]) == "int32"


def test_histogram_counts_come_back_as_floats():
    counts, edges = ops.histogram(np.array([1, 2, 2, 5]), bins=2)
    assert counts.dtype == np.float32 and edges.dtype == np.float32  # as Keras's torch, JAX
    np.testing.assert_array_equal(counts, [3, 1])
    np.testing.assert_array_equal(edges, [1, 3, 5])
    with pytest.raises(ValueError, match="1-dimensional"):
        ops.histogram(F32)


def test_moments_and_normalizations_match_numpy():
    x = RNG.normal(size=(4, 5)).astype("float32")
    mean, var = ops.moments(x, axes=[0])
    assert mean.dtype == np.float32 and mean.shape == (5,)
    assert_close(mean, x.mean(0), "float32") and assert_close(var, x.var(0), "float32")
    mean, var = ops.moments(x, axes=[0, 1], keepdims=True)
    assert mean.shape == (1, 1) and var.shape == (1, 1)
    half_mean, _ = ops.moments(x.astype("float16"), axes=[1])
    assert half_mean.dtype == np.float16
    assert ops.moments(I32, axes=0)[0].dtype == np.float32
    n = ops.normalize(x, axis=-1)
    assert_close(np.linalg.norm(n, axis=-1), np.ones(4), "float32")
    assert_close(ops.normalize(x, axis=0, order=1), x / np.abs(x).sum(0), "float32")
    with pytest.raises(ValueError, match="order"):
        ops.normalize(x, order=0)
    ln = ops.layer_normalization(x, axis=-1, epsilon=1e-5)
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    assert_close(ln, expected, "float32")
    rms = ops.rms_normalization(x, scale=2.0, epsilon=1e-5)
    assert_close(rms, 2 * x / np.sqrt((x**2).mean(-1, keepdims=True) + 1e-5), "float32")


def test_in_top_k_multi_hot_and_bincount():
    preds = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]], dtype="float32")
    np.testing.assert_array_equal(ops.in_top_k([2, 0], preds, 1), [False, False])
    np.testing.assert_array_equal(ops.in_top_k([2, 0], preds, 2), [True, True])  # ties count
    assert ops.in_top_k([2, 0], preds, 1).dtype == np.bool_
    hot = ops.multi_hot([[0, 2, 2], [1, -1, 1]], num_classes=3)
    assert hot.dtype == np.float32
    np.testing.assert_array_equal(hot, [[1, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(ops.multi_hot([1], num_tokens=2), [0, 1])
    with pytest.raises(ValueError, match="num_classes"):
        ops.multi_hot([1])
    counts = ops.bincount(np.array([[0, 0], [3, 1]]), minlength=2)
    assert counts.dtype == np.int32 and counts.shape == (2, 4)  # one width for every row
    assert ops.bincount([0, 1], weights=np.array([0.5, 1.0])).dtype == np.float64


def test_control_flow():
    assert float(ops.cond(np.array(True), lambda: 1.0, lambda: 2.0)) == 1.0
    assert ops.cond(False, lambda: "a", lambda: "b") == "b"
    branches = [lambda x, y: x + y, lambda x, y: x - y]
    assert ops.switch(1, branches, 2.0, 0.5) == 1.5 and ops.switch(7, branches, 2, 1) == 1
    assert ops.switch(-3, branches, 2, 1) == 3
    assert ops.while_loop(lambda i: i < 10, lambda i: i + 3, 0) == 12
    out = ops.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s + i), (0, 0))
    assert out == (4, 6) and isinstance(out, tuple)
    assert ops.while_loop(lambda i: True, lambda i: i + 1, 0, maximum_iterations=5) == 5
    assert ops.fori_loop(0, 5, lambda i, v: v + i, 0) == 10
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, np.arange(1.0, 5.0))
    assert carry == 10.0
    np.testing.assert_array_equal(ys, [0, 2, 9, 24])
    carry, ys = ops.scan(lambda c, x: (c + 1, c), 0, length=3, reverse=True)
    assert carry == 3 and list(ys) == [2, 1, 0]
    np.testing.assert_array_equal(ops.map(lambda r: r.sum(), np.arange(6).reshape(3, 2)),
                                  [1, 5, 9])
    sums = ops.associative_scan(lambda a, b: a + b, np.arange(1, 6))
    np.testing.assert_array_equal(sums, [1, 3, 6, 10, 15])
    np.testing.assert_array_equal(
        ops.associative_scan(lambda a, b: a + b, np.arange(1, 4), reverse=True), [6, 5, 3])
    pair = ops.associative_scan(lambda a, b: (a[0] * b[0], a[1] + b[1]),
                                (np.array([1, 2, 3]), np.array([[1], [1], [1]])))
    np.testing.assert_array_equal(pair[0], [1, 2, 6])
    np.testing.assert_array_equal(pair[1], [[1], [2], [3]])
    np.testing.assert_array_equal(ops.vectorized_map(lambda r: r * 2, I32), I32 * 2)
    np.testing.assert_array_equal(ops.vectorized_map(lambda xs: xs[0] + xs[1], [I32, I32]),
                                  I32 * 2)
    np.testing.assert_array_equal(ops.vectorize(lambda a, b: a + b)(I32, 1), I32 + 1)


def test_custom_gradient_runs_the_forward_pass():
    @ops.custom_gradient
    def double(x):
        return x * 2, lambda upstream: upstream * 2

    assert float(double(np.float32(3.0))) == 6.0


def test_saturate_cast_clips_instead_of_wrapping():
    out = ops.saturate_cast(np.array([-1.0, 256.0, 3.6], "float32"), "uint8")
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [0, 255, 3])
    np.testing.assert_array_equal(ops.saturate_cast(np.array([-200, 300]), "int8"), [-128, 127])


def test_linalg_decompositions_reconstruct():
    a = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    values, vectors = ops.eig(a)
    assert_close(np.real(vectors @ np.diag(values) @ np.linalg.inv(vectors)), a)
    u, s, vh = ops.svd(a[:2])
    assert u.shape == (2, 2) and vh.shape == (3, 3)
    assert_close(u @ np.diag(s) @ vh[:2], a[:2])
    assert ops.svd(a, compute_uv=False).shape == (3,)
    q, r = ops.qr(a)
    assert_close(q @ r, a)
    low = ops.cholesky(a)
    assert_close(low @ low.T, a) and assert_close(ops.cholesky(a, upper=True), low.T)
    assert_close(ops.cholesky_inverse(low), np.linalg.inv(a))
    assert_close(ops.cholesky_inverse(low.T, upper=True), np.linalg.inv(a))
    assert_close(ops.solve(a, np.ones(3)), np.linalg.solve(a, np.ones(3)))
    assert_close(ops.solve_triangular(np.stack([np.tril(a)] * 2), np.ones((2, 3)), lower=True),
                 np.stack([np.linalg.solve(np.tril(a), np.ones(3))] * 2))
    assert_close(ops.pinv(a[:2]), np.linalg.pinv(a[:2]))
    assert ops.matrix_rank(a).dtype == np.int32 and int(ops.matrix_rank(a)) == 3
    assert_close(ops.logdet(a), np.log(np.linalg.det(a)))
    lu, piv = ops.lu_factor(a)
    assert piv.dtype == np.int32 and lu.shape == (3, 3)
    assert ops.inv(np.eye(2, dtype="int32")).dtype == np.float32
    with pytest.raises(ValueError, match="square"):
        ops.det(np.ones((2, 3)))
    with pytest.raises(ValueError, match="rank >= 2"):
        ops.inv(np.ones(3))
    with pytest.raises(ValueError, match="Cholesky"):
        ops.cholesky(-np.eye(2))


def test_fft_free_signal_helpers():
    frames = ops.extract_sequences(np.arange(8.0), 3, 2)
    np.testing.assert_array_equal(frames, [[0, 1, 2], [2, 3, 4], [4, 5, 6]])
    assert ops.hanning(4).dtype == np.float32
    assert_close(ops.kaiser(4, 1.5), np.kaiser(4, 1.5), "float32")
