"""Adamax, Nadam, Lion, Adadelta: Keras 3's update rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layers.base import Variable
from ._validation import EPSILON_WHY, check_range
from .base import Optimizer
from .registry import OPTIMIZERS


@OPTIMIZERS.register("adamax")
class Adamax(Optimizer):
    """Adamax: ``m += (g - m)(1 - b1)``; ``u = max(b2 u, |g|)``;
    ``w -= lr m / ((1 - b1^t)(u + eps))``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.001).
        beta_1, beta_2: in [0, 1).
        epsilon: > 0.
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        beta_1 = check_range(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        beta_2 = check_range(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        epsilon = check_range(epsilon, "epsilon", 0.0, low_open=True, why=EPSILON_WHY)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.slots = (("momentum", 0.0), ("norm", 0.0))

    def update(self, param, grad, lr, slots, step):
        m, u = slots["momentum"], slots["norm"]
        np.subtract(m, grad, out=m)
        np.multiply(m, self.beta_1, out=m)
        np.add(m, grad, out=m)                    # m = b1 m + (1 - b1) g
        np.multiply(u, self.beta_2, out=u)
        np.abs(grad, out=grad)
        np.maximum(u, grad, out=u)                # u = max(b2 u, |g|)
        np.add(u, self.epsilon, out=grad)
        np.divide(m, grad, out=grad)
        np.multiply(grad, lr / (1.0 - self.beta_1**step), out=grad)
        np.subtract(param, grad, out=param)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


@OPTIMIZERS.register("nadam")
class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras's momentum schedule.

    ``u_t = b1 (1 - 0.5 * 0.96^t)``; the running product ``prod_t`` of the
    ``u``; ``m_hat = u_{t+1} m / (1 - prod_{t+1}) + (1 - u_t) g / (1 - prod_t)``;
    ``w -= lr m_hat / (sqrt(v / (1 - b2^t)) + eps)``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.001).
        beta_1, beta_2: in [0, 1).
        epsilon: > 0.
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        beta_1 = check_range(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        beta_2 = check_range(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        epsilon = check_range(epsilon, "epsilon", 0.0, low_open=True, why=EPSILON_WHY)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.slots = (("momentum", 0.0), ("velocity", 0.0))
        self._u_product = Variable(np.ones((), dtype=np.float64), name="u_product",
                                   trainable=False, path=f"{self.name}/u_product")

    def before_update(self, lr, step):
        # Keras updates the running product once per step, before the variables.
        self._u_product.value[...] = float(self._u_product.value) * self.beta_1 * (
            1.0 - 0.5 * 0.96**step)

    def update(self, param, grad, lr, slots, step):
        b1, b2 = self.beta_1, self.beta_2
        u_t = b1 * (1.0 - 0.5 * 0.96**step)
        u_t_1 = b1 * (1.0 - 0.5 * 0.96 ** (step + 1))
        u_product_t = float(self._u_product.value)
        u_product_t_1 = u_product_t * u_t_1
        m, v = slots["momentum"], slots["velocity"]
        tmp = self.scratch(param.size)
        np.subtract(m, grad, out=m)
        np.multiply(m, b1, out=m)
        np.add(m, grad, out=m)                    # m = b1 m + (1 - b1) g
        np.multiply(v, b2, out=v)
        np.square(grad, out=tmp)
        np.multiply(tmp, 1.0 - b2, out=tmp)
        np.add(v, tmp, out=v)                     # v = b2 v + (1 - b2) g^2 (as Adam)
        np.multiply(grad, (1.0 - u_t) / (1.0 - u_product_t), out=grad)
        np.multiply(m, u_t_1 / (1.0 - u_product_t_1), out=tmp)
        np.add(grad, tmp, out=grad)               # m_hat
        np.divide(v, 1.0 - b2**step, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.add(tmp, self.epsilon, out=tmp)
        np.divide(grad, tmp, out=grad)
        np.multiply(grad, lr, out=grad)
        np.subtract(param, grad, out=param)

    def extra_state(self) -> dict[str, np.ndarray]:
        return {"u_product": self._u_product.value.copy()}

    def set_extra_state(self, state: dict[str, Any]) -> None:
        if "u_product" in state:
            self._u_product.value[...] = state["u_product"]

    def reset_extra_state(self) -> None:
        self._u_product.value[...] = 1.0

    def extra_variables(self) -> list[Variable]:
        return [self._u_product]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


@OPTIMIZERS.register("lion")
class Lion(Optimizer):
    """Lion: ``w -= lr sign(b1 m + (1 - b1) g)``; then ``m = b2 m + (1 - b2) g``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.001).
        beta_1: in (0, 1]; beta_2: in [0, 1].
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 **kwargs: Any) -> None:
        beta_1 = check_range(beta_1, "beta_1", 0.0, 1.0, low_open=True)
        beta_2 = check_range(beta_2, "beta_2", 0.0, 1.0)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2 = beta_1, beta_2
        self.slots = (("momentum", 0.0),)

    def update(self, param, grad, lr, slots, step):
        # Keras's exact products: sign() of a sum near 0 must not flip by rounding.
        m = slots["momentum"]
        c = self.scratch(param.size)
        t = self.scratch(param.size, 1)
        np.multiply(m, self.beta_1, out=c)
        np.multiply(grad, 1.0 - self.beta_1, out=t)
        np.add(c, t, out=c)
        np.sign(c, out=t)  # not in place: NumPy's in-place sign is about 8x slower
        np.multiply(t, lr, out=t)
        np.subtract(param, t, out=param)
        np.multiply(m, self.beta_2, out=m)
        np.multiply(grad, 1.0 - self.beta_2, out=grad)
        np.add(m, grad, out=m)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


@OPTIMIZERS.register("adadelta")
class Adadelta(Optimizer):
    """Adadelta: ``acc_g = rho acc_g + (1 - rho) g^2``;
    ``d = sqrt(acc_d + eps) g / sqrt(acc_g + eps)``; ``acc_d = rho acc_d + (1 - rho) d^2``;
    ``w -= lr d``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.001, as Keras 3).
        rho: in [0, 1).
        epsilon: > 0.
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        rho = check_range(rho, "rho", 0.0, 1.0, high_open=True)
        epsilon = check_range(epsilon, "epsilon", 0.0, low_open=True, why=EPSILON_WHY)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon
        self.slots = (("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0))

    def update(self, param, grad, lr, slots, step):
        rho, c, eps = self.rho, 1.0 - self.rho, self.epsilon
        acc_g, acc_d = slots["accumulated_grad"], slots["accumulated_delta_var"]
        tmp = self.scratch(param.size)
        np.square(grad, out=tmp)
        np.multiply(tmp, c, out=tmp)
        np.multiply(acc_g, rho, out=acc_g)
        np.add(acc_g, tmp, out=acc_g)
        np.add(acc_d, eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.multiply(tmp, grad, out=grad)          # rms(acc_d) * g
        np.add(acc_g, eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.divide(grad, tmp, out=grad)            # d (Keras's -delta)
        np.square(grad, out=tmp)
        np.multiply(tmp, c, out=tmp)
        np.multiply(acc_d, rho, out=acc_d)
        np.add(acc_d, tmp, out=acc_d)
        np.multiply(grad, lr, out=grad)
        np.subtract(param, grad, out=param)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
