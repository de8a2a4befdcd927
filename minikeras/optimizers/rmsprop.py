"""RMSprop, Adagrad (Keras 3 puts epsilon inside the square root) and Ftrl."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import EPSILON_WHY, check_range
from .base import Optimizer
from .registry import OPTIMIZERS


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    """RMSprop, as Keras 3 computes it.

    ``v = rho v + (1 - rho) g^2``; ``w -= lr g / sqrt(v + eps)``. Centered:
    ``a = rho a + (1 - rho) g`` and ``sqrt(v - a^2 + eps)``. With momentum, the
    increment feeds ``mom = momentum * mom + increment`` and ``w -= mom``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.001).
        rho: discount of the squared-gradient average, in [0, 1).
        momentum: in [0, 1].
        epsilon: > 0.
        centered: normalise by the gradient's estimated variance.
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        rho = check_range(rho, "rho", 0.0, 1.0, high_open=True)
        momentum = check_range(momentum, "momentum", 0.0, 1.0)
        epsilon = check_range(epsilon, "epsilon", 0.0, low_open=True, why=EPSILON_WHY)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon = rho, momentum, epsilon
        self.centered = bool(centered)
        slots = [("velocity", 0.0)]
        if self.momentum > 0:
            slots.append(("momentum", 0.0))
        if self.centered:
            slots.append(("average_gradient", 0.0))
        self.slots = tuple(slots)
        self.slot_groups = tuple((name,) for name, _ in slots)

    def update(self, param, grad, lr, slots, step):
        rho, c = self.rho, 1.0 - self.rho
        v = slots["velocity"]
        tmp = self.scratch(param.size)
        np.square(grad, out=tmp)
        np.multiply(tmp, c, out=tmp)
        np.multiply(v, rho, out=v)
        np.add(v, tmp, out=v)                     # v = rho v + (1 - rho) g^2
        if self.centered:
            avg = slots["average_gradient"]
            np.multiply(grad, c, out=tmp)
            np.multiply(avg, rho, out=avg)
            np.add(avg, tmp, out=avg)             # a = rho a + (1 - rho) g
            np.square(avg, out=tmp)
            np.subtract(v, tmp, out=tmp)
            np.add(tmp, self.epsilon, out=tmp)    # v - a^2 + eps
        else:
            np.add(v, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.multiply(grad, lr, out=grad)
        np.divide(grad, tmp, out=grad)            # the increment lr g / sqrt(...)
        if self.momentum > 0:
            mom = slots["momentum"]
            np.multiply(mom, self.momentum, out=mom)
            np.add(mom, grad, out=mom)
            np.subtract(param, mom, out=param)
        else:
            np.subtract(param, grad, out=param)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


@OPTIMIZERS.register("adagrad")
class Adagrad(Optimizer):
    """Adagrad: ``acc += g^2``; ``w -= lr g / sqrt(acc + eps)``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.001).
        initial_accumulator_value: where ``acc`` starts (0.1), >= 0.
        epsilon: > 0.
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        initial = check_range(initial_accumulator_value, "initial_accumulator_value")
        epsilon = check_range(epsilon, "epsilon", 0.0, low_open=True, why=EPSILON_WHY)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial, epsilon
        self.slots = (("accumulator", initial),)

    def update(self, param, grad, lr, slots, step):
        acc = slots["accumulator"]
        tmp = self.scratch(param.size)
        np.square(grad, out=tmp)
        np.add(acc, tmp, out=acc)
        np.add(acc, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.multiply(grad, lr, out=grad)
        np.divide(grad, tmp, out=grad)
        np.subtract(param, grad, out=param)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@OPTIMIZERS.register("ftrl")
class Ftrl(Optimizer):
    """FTRL-Proximal, as Keras 3 computes it. With ``q = -learning_rate_power``:
    ``n' = n + g^2``; ``z += g + 2 s w - (n'^q - n^q) / lr * w``;
    ``w = (clip(z, -l1, l1) - z) / (n'^q / lr + 2 (l2 + beta / (2 lr)))``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.001).
        learning_rate_power: <= 0 (-0.5: the square root of the accumulator).
        initial_accumulator_value: where ``n`` starts (0.1), >= 0.
        l1_regularization_strength, l2_regularization_strength: >= 0.
        l2_shrinkage_regularization_strength: ``s`` above, >= 0 (a magnitude penalty).
        beta: >= 0, added to the L2 strength as ``beta / (2 lr)``.
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
                 **kwargs: Any) -> None:
        # Keras's own checks and words
        for name, value in (("initial_accumulator_value", initial_accumulator_value),
                            ("l1_regularization_strength", l1_regularization_strength),
                            ("l2_regularization_strength", l2_regularization_strength),
                            ("l2_shrinkage_regularization_strength",
                             l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{name}` needs to be positive or zero. Received: "
                                 f"{name}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta
        self.slots = (("accumulator", float(initial_accumulator_value)), ("linear", 0.0))
        self.slot_groups = (("accumulator", "linear"),)

    def _power(self, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        q = -self.learning_rate_power
        if q == 0.5:
            return np.sqrt(a, out=out)
        return np.power(a, q, out=out)

    def update(self, param, grad, lr, slots, step):
        acc, linear = slots["accumulator"], slots["linear"]
        old, new = self.scratch(param.size, 0), self.scratch(param.size, 1)
        self._power(acc, out=old)
        np.square(grad, out=new)
        np.add(acc, new, out=acc)                  # the new accumulator
        self._power(acc, out=new)
        np.subtract(new, old, out=old)
        np.divide(old, lr, out=old)
        np.multiply(old, param, out=old)           # (n'^q - n^q) / lr * w
        if self.l2_shrinkage_regularization_strength:
            np.add(grad, param * (2 * self.l2_shrinkage_regularization_strength), out=grad)
        np.subtract(grad, old, out=grad)
        np.add(linear, grad, out=linear)
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        np.divide(new, lr, out=new)
        np.add(new, 2 * l2, out=new)               # the quadratic term
        l1 = self.l1_regularization_strength
        np.clip(linear, -l1, l1, out=param)
        np.subtract(param, linear, out=param)
        np.divide(param, new, out=param)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
