"""Adamax, Nadam, Lion, Adadelta: Keras 3's update rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Optimizer
from .registry import OPTIMIZERS


@OPTIMIZERS.register("adamax")
class Adamax(Optimizer):
    """``m += (g - m)(1 - b1)``; ``u = max(b2 u, |g|)``; ``w -= lr m / ((1 - b1^t)(u + eps))``."""

    name = "adamax"

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.slots = (("m", 0.0), ("norm", 0.0))

    def update(self, param, grad, lr, slots, step):
        m, u = slots["m"], slots["norm"]
        tmp = self.scratch(param.size)
        np.subtract(grad, m, out=tmp)
        tmp *= 1.0 - self.beta_1
        m += tmp
        u *= self.beta_2
        np.maximum(u, np.abs(grad, out=tmp), out=u)
        np.add(u, self.epsilon, out=tmp)
        tmp *= 1.0 - self.beta_1**step
        np.divide(m, tmp, out=tmp)
        tmp *= lr
        param -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


@OPTIMIZERS.register("nadam")
class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras's momentum schedule ``b1 (1 - 0.5 * 0.96^t)``."""

    name = "nadam"

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.slots = (("momentum", 0.0), ("velocity", 0.0))
        self._u_product = 1.0
        self._u_product_prev = 1.0

    def before_update(self, lr, step):
        # Keras updates the running product once per step, before the variables.
        self._u_product_prev = self._u_product
        self._u_product = self._u_product * self.beta_1 * (1.0 - 0.5 * 0.96**step)

    def update(self, param, grad, lr, slots, step):
        b1, b2 = self.beta_1, self.beta_2
        u_t = b1 * (1.0 - 0.5 * 0.96**step)
        u_t_1 = b1 * (1.0 - 0.5 * 0.96 ** (step + 1))
        u_product_t = self._u_product
        u_product_t_1 = u_product_t * u_t_1
        m, v = slots["momentum"], slots["velocity"]
        tmp = self.scratch(param.size)
        tmp2 = self.scratch(param.size, 1)
        np.subtract(grad, m, out=tmp)
        tmp *= 1.0 - b1
        m += tmp
        np.multiply(grad, grad, out=tmp)
        tmp -= v
        tmp *= 1.0 - b2
        v += tmp
        # m_hat = u_{t+1} m / (1 - prod_{t+1}) + (1 - u_t) g / (1 - prod_t)
        np.multiply(m, u_t_1 / (1.0 - u_product_t_1), out=tmp)
        np.multiply(grad, (1.0 - u_t) / (1.0 - u_product_t), out=tmp2)
        tmp += tmp2
        # v_hat = v / (1 - b2^t)
        np.multiply(v, 1.0 / (1.0 - b2**step), out=tmp2)
        np.sqrt(tmp2, out=tmp2)
        tmp2 += self.epsilon
        tmp *= lr
        tmp /= tmp2
        param -= tmp

    def extra_state(self):
        return {"u_product": np.asarray(self._u_product)}

    def set_extra_state(self, state):
        if "u_product" in state:
            self._u_product = float(state["u_product"])

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


@OPTIMIZERS.register("lion")
class Lion(Optimizer):
    """``w -= lr sign(b1 m + (1 - b1) g)``; then ``m = b2 m + (1 - b2) g``."""

    name = "lion"

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 < float(beta_1) <= 1:
            raise ValueError(f"Argument for `beta_1` must be in range (0, 1]. "
                             f"Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.slots = (("momentum", 0.0),)

    def update(self, param, grad, lr, slots, step):
        m = slots["momentum"]
        tmp = self.scratch(param.size)
        np.multiply(m, self.beta_1, out=tmp)
        tmp += (1.0 - self.beta_1) * grad
        np.sign(tmp, out=tmp)
        tmp *= lr
        param -= tmp
        m *= self.beta_2
        grad *= 1.0 - self.beta_2
        m += grad

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


@OPTIMIZERS.register("adadelta")
class Adadelta(Optimizer):
    """``acc_g = rho acc_g + (1 - rho) g^2``; ``d = sqrt(acc_d + eps) / sqrt(acc_g + eps) g``."""

    name = "adadelta"

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)
        self.slots = (("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0))

    def update(self, param, grad, lr, slots, step):
        rho, eps = self.rho, self.epsilon
        acc_g, acc_d = slots["accumulated_grad"], slots["accumulated_delta_var"]
        acc_g *= rho
        acc_g += (1.0 - rho) * grad * grad
        delta = np.sqrt(acc_d + eps) / np.sqrt(acc_g + eps) * grad
        acc_d *= rho
        acc_d += (1.0 - rho) * delta * delta
        delta *= lr
        param -= delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
