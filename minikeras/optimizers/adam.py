"""Adam and AdamW, in Keras 3's form (epsilon added to the uncorrected root).

Speed (issue 5): one Adam update is 12 in-place NumPy passes over four flat
arrays (weights, gradient, two slots) and allocates nothing: the gradient
buffer, which the next backward pass overwrites anyway, is the only scratch.
``benchmarks/optimizer_step.py`` times it on the 784-256-128-10 network
(235,146 float32 weights) against ``torch.optim.Adam``. Measured and dropped
(medians on the 2-core test machine, under load):

- a separate scratch array (the textbook form, same 12 passes): about 13%
  slower, since a fifth 1 MB array pushes the working set further past the
  2 MB L2 cache;
- ``scipy.linalg.blas.sscal``/``saxpy`` for the ``a*x + y`` steps (9 passes):
  about 15% faster with OpenBLAS held to one thread, but OpenBLAS threads every
  axpy over 10,000 elements, and on a busy machine those threads turned the
  median step into 57 ms; calling it on chunks under that threshold costs more
  in call overhead than the passes it saves;
- cache blocking (all 12 passes on one 64K-element chunk, then the next):
  about 15% slower, the per-call overhead outweighs the cache gain.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validation import EPSILON_WHY, check_range
from .base import Optimizer
from .registry import OPTIMIZERS


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam, as Keras 3 computes it.

    ``m += (g - m)(1 - b1)``, ``v = b2 v + (1 - b2) g^2`` (with ``amsgrad``,
    ``v_hat = max(v_hat, v)`` replaces ``v`` below), then
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with
    ``alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.001).
        beta_1, beta_2: decay rates of the moment estimates, in [0, 1).
        epsilon: added to the root, > 0.
        amsgrad: keep the maximum of the second moments.
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        beta_1 = check_range(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        beta_2 = check_range(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        epsilon = check_range(epsilon, "epsilon", 0.0, low_open=True, why=EPSILON_WHY)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.amsgrad = bool(amsgrad)
        self.slots = (("momentum", 0.0), ("velocity", 0.0)) + (
            (("velocity_hat", 0.0),) if self.amsgrad else ())
        self.slot_groups = (("momentum", "velocity"),) + (
            (("velocity_hat",),) if self.amsgrad else ())

    def update(self, param, grad, lr, slots, step):
        b1, b2 = self.beta_1, self.beta_2
        alpha = lr * math.sqrt(1.0 - b2**step) / (1.0 - b1**step)
        m, v = slots["momentum"], slots["velocity"]
        # m += (g - m)(1 - b1), as m = b1 (m - g) + g: the same value, no temporary
        np.subtract(m, grad, out=m)
        np.multiply(m, b1, out=m)
        np.add(m, grad, out=m)
        # v = b2 v + (1 - b2) g^2, in the gradient's buffer: Keras-torch's order. Keras's
        # generic v += (g^2 - v)(1 - b2) turns an overflowed g^2 (a finite g past 1.8e19
        # in float32) into inf - inf = NaN on the next step; this stays inf, and the
        # step it divides goes to 0.
        np.multiply(v, b2, out=v)
        np.square(grad, out=grad)
        np.multiply(grad, 1.0 - b2, out=grad)
        np.add(v, grad, out=v)
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        # w -= alpha * m / (sqrt(v) + eps)
        np.sqrt(v, out=grad)
        np.add(grad, self.epsilon, out=grad)
        np.divide(m, grad, out=grad)
        np.multiply(grad, alpha, out=grad)
        np.subtract(param, grad, out=param)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


@OPTIMIZERS.register("adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay: ``w -= w * weight_decay * lr`` first.

    Args:
        weight_decay: default 0.004 (Keras); required (None is an error).
        The rest: as :class:`Adam`.
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, **kwargs: Any) -> None:
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
