"""Stochastic gradient descent with Keras 3's momentum form."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_range
from .base import Optimizer
from .registry import OPTIMIZERS


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """Gradient descent, with Keras's momentum (the rate inside the buffer).

    ``w -= lr * g``; with momentum ``m = momentum * m - lr * g``, then
    ``w += m``, or with Nesterov ``w += momentum * m - lr * g``.

    Args:
        learning_rate: see :class:`Optimizer` (default 0.01).
        momentum: in [0, 1].
        nesterov: use Nesterov momentum.
        **kwargs: the common arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        momentum = check_range(momentum, "momentum", 0.0, 1.0)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum, self.nesterov = momentum, bool(nesterov)
        self.slots = (("momentum", 0.0),) if momentum else ()

    def update(self, param, grad, lr, slots, step):
        np.multiply(grad, lr, out=grad)           # grad now holds lr * g
        if not self.momentum:
            np.subtract(param, grad, out=param)
            return
        m = slots["momentum"]
        np.multiply(m, self.momentum, out=m)
        np.subtract(m, grad, out=m)               # m = momentum * m - lr * g
        if self.nesterov:
            np.subtract(param, grad, out=param)
            np.multiply(m, self.momentum, out=grad)
            np.add(param, grad, out=param)        # w += momentum * m - lr * g
        else:
            np.add(param, m, out=param)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
