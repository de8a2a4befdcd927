"""Adam and AdamW, in Keras 3's form (epsilon added to the uncorrected root)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import Optimizer
from .registry import OPTIMIZERS


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam: ``m += (g - m)(1 - b1)``, ``v += (g^2 - v)(1 - b2)``,
    ``w -= alpha * m / (sqrt(v) + eps)`` with ``alpha = lr sqrt(1 - b2^t) / (1 - b1^t)``.
    """

    name = "adam"

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        for arg, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= float(value) < 1:
                raise ValueError(f"`{arg}` must be in [0, 1). Received: {arg}={value}")
        if not float(epsilon) > 0:
            raise ValueError(f"`epsilon` must be > 0. Received: epsilon={epsilon}")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon, self.amsgrad = float(epsilon), bool(amsgrad)
        self.slots = (("momentum", 0.0), ("velocity", 0.0)) + (
            (("velocity_hat", 0.0),) if amsgrad else ())

    def update(self, param, grad, lr, slots, step):
        b1, b2 = self.beta_1, self.beta_2
        alpha = lr * math.sqrt(1.0 - b2**step) / (1.0 - b1**step)
        m, v = slots["momentum"], slots["velocity"]
        tmp = self.scratch(param.size)
        # m += (g - m) * (1 - b1)
        np.subtract(grad, m, out=tmp)
        tmp *= 1.0 - b1
        m += tmp
        # v += (g^2 - v) * (1 - b2)
        np.multiply(grad, grad, out=tmp)
        tmp -= v
        tmp *= 1.0 - b2
        v += tmp
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        # w -= m * alpha / (sqrt(v) + eps)
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= alpha
        param -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


@OPTIMIZERS.register("adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay=0.004`` by default)."""

    name = "adamw"

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, **kwargs: Any) -> None:
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
