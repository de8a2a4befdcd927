"""Fused output gradients (STYLE.md section 4): sigmoid+BCE, softmax+CCE, softmax+sparse CCE.

Away from the clip the shortcut equals the unfused chain and central differences;
where the output saturates Keras's clip passes zero gradient and ours does not,
while the loss value stays Keras's.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minikeras as mk
from minikeras._fused import FUSED_GRADIENTS, fused_gradient, fused_value_and_grad
from tests.helpers.gradcheck import numerical_gradient
from tests.helpers.tolerances import assert_close

RNG = np.random.default_rng(42)
N, K = 5, 4
Z = RNG.normal(scale=1.5, size=(N, K))  # outputs well inside [1e-7, 1 - 1e-7]
ONEHOT = np.eye(K)[RNG.integers(0, K, size=N)]
SOFT = RNG.dirichlet(np.ones(K), size=N)
LABELS = ONEHOT.argmax(axis=1)
BITS = RNG.integers(0, 2, size=(N, K)).astype(float)
WEIGHTS = [None, np.array([1.0, 0.0, 2.0, 0.5, 3.0]), np.array([[0.5], [1.5], [0.0], [2.0], [1.0]]),
           2.5]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight"]


def pairs() -> list[tuple[str, Any, Any, np.ndarray]]:
    """(id, activation, loss, y_true): every shortcut, with smoothing and target forms."""
    L, A = mk.losses, mk.activations
    return [
        ("sigmoid-bce", A.sigmoid, L.BinaryCrossentropy(), BITS),
        ("sigmoid-bce-smoothing", A.sigmoid, L.BinaryCrossentropy(label_smoothing=0.1), BITS),
        ("sigmoid-bce-soft", A.sigmoid, L.BinaryCrossentropy(), SOFT),
        ("sigmoid-bce-column", A.sigmoid, L.BinaryCrossentropy(), BITS[:, :1]),
        ("softmax-cce", A.softmax, L.CategoricalCrossentropy(), ONEHOT),
        ("softmax-cce-smoothing", A.softmax, L.CategoricalCrossentropy(label_smoothing=0.2),
         ONEHOT),
        ("softmax-cce-soft", A.softmax, L.CategoricalCrossentropy(), SOFT),
        ("softmax-sparse", A.softmax, L.SparseCategoricalCrossentropy(), LABELS),
        ("softmax-sparse-column", A.softmax, L.SparseCategoricalCrossentropy(), LABELS[:, None]),
        ("softmax-sparse-ignore", A.softmax, L.SparseCategoricalCrossentropy(ignore_class=1),
         LABELS),
    ]


def _z_for(y_true: np.ndarray) -> np.ndarray:
    return Z[:, :1].copy() if y_true.ndim == 2 and y_true.shape[1] == 1 and \
        y_true.dtype.kind == "f" else Z.copy()


@pytest.mark.parametrize("case", pairs(), ids=[p[0] for p in pairs()])
def test_fused_equals_unfused_equals_central_differences(case):
    _, act, loss0, y_true = case
    z = _z_for(y_true)
    fused = fused_gradient(act, loss0)
    assert fused is FUSED_GRADIENTS[(type(act), type(loss0))]
    for reduction in REDUCTIONS:
        loss = type(loss0)(**{**loss0.get_config(), "reduction": reduction})
        for sw in WEIGHTS:
            y = act.forward(z.copy())
            value, g_fused = fused_value_and_grad(loss, fused, y_true, y.copy(), sw)
            value_u, g_y = loss.value_and_grad(y_true, y.copy(), sw)
            g_unfused = act.backward(z.copy(), y.copy(), g_y)
            assert_close(value, float(loss(y_true, y, sample_weight=sw)), "internal64")
            assert_close(value, value_u, "internal64")
            assert_close(g_fused, g_unfused, "internal64", err_msg=f"{reduction} {sw}")
            zz = z.copy()
            numeric = numerical_gradient(
                lambda zz=zz, sw=sw, loss=loss: float(loss(y_true, act.forward(zz.copy()),
                                                           sample_weight=sw)), zz)
            np.testing.assert_allclose(g_fused, numeric, rtol=1e-5, atol=1e-8,
                                       err_msg=f"{reduction} {sw}")


@pytest.mark.parametrize("case", pairs(), ids=[p[0] for p in pairs()])
def test_fused_float32_keeps_dtype(case):
    _, act, loss, y_true = case
    z = _z_for(y_true).astype("float32")
    y = act.forward(z.copy())
    value, g = fused_value_and_grad(loss, fused_gradient(act, loss), y_true, y)
    assert g.dtype == np.float32
    _, g_y = loss.value_and_grad(y_true, y.copy())
    assert_close(g, act.backward(z, y, g_y), "float32")


# ------------------------------------------------------------------------ the saturated case
@cache
def saturation() -> list[dict[str, Any]]:
    path = Path(__file__).parent / "golden" / "core_misc.json"
    return json.loads(path.read_text())["saturation"]["cases"]


SATURATED = {"sigmoid_bce": (mk.activations.sigmoid, mk.losses.BinaryCrossentropy,
                             mk.losses.BinaryCrossentropy(from_logits=True)),
             "softmax_cce": (mk.activations.softmax, mk.losses.CategoricalCrossentropy,
                             mk.losses.CategoricalCrossentropy(from_logits=True)),
             "softmax_sparse_cce": (mk.activations.softmax,
                                    mk.losses.SparseCategoricalCrossentropy,
                                    mk.losses.SparseCategoricalCrossentropy(from_logits=True))}


@pytest.mark.parametrize("name", sorted(SATURATED))
def test_saturated_output_keras_gradient_is_zero_ours_is_not(name):
    case = next(c for c in saturation() if c["name"] == name)
    act, loss_cls, logits_loss = SATURATED[name]
    loss = loss_cls()
    z = np.array(case["z"])
    y_true = np.array(case["y_true"])
    y = np.asarray(act.forward(z.copy()))
    eps = mk.config.epsilon()
    assert np.any((y < eps) | (y > 1 - eps))
    keras_grad = np.array(case["grad_z"])
    # Keras (torch autograd through its clip) passes no gradient where the output saturates.
    stopped = keras_grad == 0
    assert stopped.any() and (~stopped).any()
    # The unfused chain is Keras's, zeros included, and so is its value.
    value_u, g_y = loss.value_and_grad(y_true, y.copy())
    assert_close(act.backward(z.copy(), y.copy(), g_y), keras_grad, "keras64")
    assert_close(value_u, case["value"], "keras64")
    # The shortcut keeps learning there; the loss value it reports is still Keras's (clipped).
    value, g = fused_value_and_grad(loss, fused_gradient(act, loss), y_true, y.copy())
    assert_close(value, case["value"], "keras64")
    assert np.all(g[stopped] != 0) and np.any(np.abs(g[stopped]) > 0.1)
    assert_close(g[~stopped], keras_grad[~stopped], "keras64")
    # It is the exact gradient of the unclipped loss (the logits form has no clip).
    _, g_exact = logits_loss.value_and_grad(y_true, z.copy())
    assert_close(g, g_exact, "internal64")


# ------------------------------------------------------------------------ when there is none
def test_no_shortcut_for_logits_other_pairs_or_axes():
    A, L = mk.activations, mk.losses
    assert fused_gradient(A.sigmoid, L.BinaryCrossentropy(from_logits=True)) is None
    assert fused_gradient(A.softmax, L.CategoricalCrossentropy(from_logits=True)) is None
    assert fused_gradient(A.softmax, L.BinaryCrossentropy()) is None
    assert fused_gradient(A.sigmoid, L.MeanSquaredError()) is None
    assert fused_gradient(A.relu, L.CategoricalCrossentropy()) is None
    assert fused_gradient(A.sigmoid, L.BinaryFocalCrossentropy()) is None  # not plain BCE
    assert fused_gradient(A.Softmax(axis=0), L.CategoricalCrossentropy()) is None
    assert len(FUSED_GRADIENTS) == 3


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sparse_cce_plain_path_equals_the_general_one(dtype):
    """Integer labels, no weight, mean: the lean path gives the general path's value and
    gradient, clipping included (rows with a probability of 1 and of almost 0)."""
    from minikeras import _fused

    rng = np.random.default_rng(3)
    z = rng.normal(scale=3.0, size=(33, 12))
    z[0, 4] = 60.0  # picked probability 1: clipped to 1 - eps
    z[1, 2] = -60.0  # picked probability ~0: clipped to eps
    y = np.exp(z - z.max(axis=1, keepdims=True))
    y = (y / y.sum(axis=1, keepdims=True)).astype(dtype)
    labels = rng.integers(0, 12, size=33)
    labels[0], labels[1] = 4, 2
    loss = mk.losses.SparseCategoricalCrossentropy()
    lean_value, lean_grad = _fused._sparse_cce_plain(loss, labels, y)
    fused = _fused.softmax_sparse_cce_grad
    for wrapped in (labels.reshape(-1, 1), labels.astype(np.float64), list(labels)):
        value, grad = fused_value_and_grad(loss, fused, wrapped, y)  # the general path
        kind = "internal64" if dtype == "float64" else "float32"
        assert_close(lean_value, value, kind)
        assert_close(lean_grad, grad, kind)
        assert grad.dtype == lean_grad.dtype == np.dtype(dtype)
    with pytest.raises(ValueError, match="received a label 12"):
        fused_value_and_grad(loss, fused, np.full(33, 12), y)
