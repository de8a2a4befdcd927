"""Central-difference gradient checks in float64 for activations, losses and layers.

Each check compares the analytic gradient with central differences of a
scalar: a random projection of the output (sklearn's ``test_gradient`` idea,
made a helper), so every output element contributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .tolerances import TOLERANCES

EPS = 1e-6


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """d f / d x by central differences, nudging ``x`` in place and restoring it."""
    if not x.flags.c_contiguous:  # reshape(-1) would copy, and the nudges would miss x
        raise ValueError("numerical_gradient needs a C-contiguous x")
    grad = np.zeros_like(x, dtype=np.float64)
    flat_x = x.reshape(-1)
    flat_g = grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        h = eps * max(1.0, abs(float(old)))
        flat_x[i] = old + h
        up = f()
        flat_x[i] = old - h
        down = f()
        flat_x[i] = old
        flat_g[i] = (up - down) / (2 * h)
    return grad


def _close(analytic: np.ndarray, numeric: np.ndarray, what: str, rtol: float = 1e-5,
           atol: float = 1e-7) -> None:
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol,
                               err_msg=f"gradient mismatch: {what}")


def check_activation_gradients(activation: Any, x: np.ndarray, seed: int = 0) -> None:
    """``activation.backward`` against central differences of ``sum(r * f(x))``."""
    x = np.array(x, dtype=np.float64)
    r = np.random.default_rng(seed).normal(size=x.shape)
    y = activation.forward(x.copy())
    analytic = activation.backward(x.copy(), np.array(y, copy=True), r.copy())
    numeric = numerical_gradient(lambda: float(np.sum(r * activation.forward(x.copy()))), x)
    _close(analytic, numeric, f"activation {getattr(activation, 'name', activation)}")


def check_loss_gradients(loss: Any, y_true: Any, y_pred: np.ndarray,
                         sample_weight: Any = None) -> None:
    """``loss.value_and_grad`` against central differences of the reduced loss."""
    y_pred = np.array(y_pred, dtype=np.float64, order="C")
    y_true = np.asarray(y_true)
    if y_true.dtype.kind == "f":
        y_true = y_true.astype(np.float64)
    value, analytic = loss.value_and_grad(y_true, y_pred.copy(), sample_weight)

    def f() -> float:
        return float(loss(y_true, y_pred, sample_weight=sample_weight))

    assert abs(value - f()) <= 1e-12 + 1e-9 * abs(value), "value_and_grad value != __call__"
    numeric = numerical_gradient(f, y_pred)
    _close(analytic.reshape(numeric.shape), numeric, f"loss {type(loss).__name__}")


def check_layer_gradients(layer: Any, x: np.ndarray, training: bool = False, seed: int = 0,
                          rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """Input and weight gradients of ``layer`` (float64) against central differences.

    Randomness in ``training`` mode (dropout masks, noise) is frozen by
    restoring the layer's Generator state before every forward pass.
    """
    x = np.array(x, dtype=np.float64)
    if not layer.built:
        layer._maybe_build(x.shape)
    for v in layer._variables:
        v.value = np.asarray(v.value, dtype=np.float64)
        v.grad = np.zeros_like(v.value)
    layer.dtype = "float64"
    state = layer._rng.bit_generator.state
    saved = [np.array(v.value, copy=True) for v in layer._variables if not v.trainable]

    def forward() -> np.ndarray:
        layer._rng.bit_generator.state = state
        # Forward passes may update state (batch-norm moving statistics): undo it.
        for v, s in zip([v for v in layer._variables if not v.trainable], saved):
            v.value[...] = s
        return layer.forward(x.copy(), training=training)

    y = np.asarray(forward())
    r = np.random.default_rng(seed).normal(size=y.shape)
    forward()
    layer.needs_input_grad = True
    grad_x = layer.backward(r.copy())

    def loss() -> float:
        return float(np.sum(r * np.asarray(forward())))

    numeric_x = numerical_gradient(loss, x)
    _close(np.asarray(grad_x).reshape(x.shape), numeric_x, f"{layer.name}: input", rtol, atol)
    analytic_w = {id(v): np.array(v.grad, copy=True) for v in layer._variables if v.trainable}
    for v in layer._variables:
        if not v.trainable or not layer.trainable:
            continue
        numeric_w = numerical_gradient(loss, v.value)
        _close(analytic_w[id(v)], numeric_w, f"{layer.name}: weight {v.name}", rtol, atol)


__all__ = ["TOLERANCES", "check_activation_gradients", "check_layer_gradients",
           "check_loss_gradients", "numerical_gradient"]
