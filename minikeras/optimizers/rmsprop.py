"""RMSprop and Adagrad: Keras 3 puts epsilon inside the square root."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Optimizer
from .registry import OPTIMIZERS


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    """``v = rho v + (1 - rho) g^2``; ``w -= lr g / sqrt(v + eps)`` (centered: ``v - mg^2``)."""

    name = "rmsprop"

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 <= float(momentum) <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. "
                             f"Received: momentum={momentum}")
        if not 0 <= float(rho) < 1:
            raise ValueError(f"`rho` must be in [0, 1). Received: rho={rho}")
        self.rho, self.momentum = float(rho), float(momentum)
        self.epsilon, self.centered = float(epsilon), bool(centered)
        slots = [("velocity", 0.0)]
        if self.momentum > 0:
            slots.append(("momentum", 0.0))
        if self.centered:
            slots.append(("average_gradient", 0.0))
        self.slots = tuple(slots)

    def update(self, param, grad, lr, slots, step):
        rho = self.rho
        v = slots["velocity"]
        tmp = self.scratch(param.size)
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - rho
        v *= rho
        v += tmp
        if self.centered:
            ag = slots["average_gradient"]
            ag *= rho
            ag += (1.0 - rho) * grad
            np.multiply(ag, ag, out=tmp)
            np.subtract(v, tmp, out=tmp)
            tmp += self.epsilon
        else:
            np.add(v, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        grad *= lr
        np.divide(grad, tmp, out=tmp)  # the increment
        if self.momentum > 0:
            mom = slots["momentum"]
            mom *= self.momentum
            mom += tmp
            param -= mom
        else:
            param -= tmp

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


@OPTIMIZERS.register("adagrad")
class Adagrad(Optimizer):
    """``acc += g^2``; ``w -= lr g / sqrt(acc + eps)``; ``acc`` starts at 0.1."""

    name = "adagrad"

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        if float(initial_accumulator_value) < 0:
            raise ValueError("`initial_accumulator_value` must be >= 0. Received: "
                             f"initial_accumulator_value={initial_accumulator_value}")
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)
        self.slots = (("accumulator", self.initial_accumulator_value),)

    def update(self, param, grad, lr, slots, step):
        acc = slots["accumulator"]
        tmp = self.scratch(param.size)
        np.multiply(grad, grad, out=tmp)
        acc += tmp
        np.add(acc, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        grad *= lr
        np.divide(grad, tmp, out=tmp)
        param -= tmp

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
