"""Stochastic gradient descent with Keras 3's momentum form."""

from __future__ import annotations

from typing import Any

from .base import Optimizer
from .registry import OPTIMIZERS


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """``w -= lr * g``; with momentum, Keras's form with the rate inside the buffer.

    ``m = momentum * m - lr * g``; ``w += m`` (or, Nesterov,
    ``w += momentum * m - lr * g``).
    """

    name = "SGD"

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        momentum = float(momentum)
        if not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. "
                             f"Received: momentum={momentum}")
        self.momentum, self.nesterov = momentum, bool(nesterov)
        self.slots = (("momentum", 0.0),) if momentum else ()

    def update(self, param, grad, lr, slots, step):
        if not self.momentum:
            grad *= lr
            param -= grad
            return
        m = slots["momentum"]
        grad *= -lr            # grad now holds -lr * g
        m *= self.momentum
        m += grad              # m = momentum * m - lr * g
        if self.nesterov:
            grad += self.momentum * m
            param += grad
        else:
            param += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
