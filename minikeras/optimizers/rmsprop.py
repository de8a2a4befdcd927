"""RMSprop and Adagrad: Keras 3 puts epsilon inside the square root."""

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
