"""A custom optimizer in a few lines: subclass ``Optimizer``, give ``slots`` and ``update``.

Signum (signSGD with momentum, Bernstein et al., 2018): ``m = beta m + (1 - beta) g``,
``w -= lr * sign(m)``. The base class brings everything else: the learning rate
(a float or a schedule), clipping, weight decay, EMA, gradient accumulation,
``get_config``/``from_config``, ``get_state``/``set_state``, and ``model.fit``.
Registering it lets a saved model name it.

Run: ``python examples/custom_optimizer.py``
"""

from __future__ import annotations

import numpy as np

import minikeras as mk


@mk.utils.register_keras_serializable(package="examples")
class Signum(mk.optimizers.Optimizer):
    """signSGD with momentum: ``m = 0.9 m + 0.1 g``; ``w -= lr sign(m)``."""

    slots = (("momentum", 0.0),)

    def update(self, param, grad, lr, slots, step):
        m = slots["momentum"]
        m -= grad
        m *= 0.9
        m += grad                      # m = 0.9 m + 0.1 g, in place
        np.sign(m, out=grad)           # the gradient buffer is free scratch
        grad *= lr
        param -= grad


def make_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two noisy Gaussian blobs in 4 dimensions."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(512, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 1.5]) + 0.3 * rng.normal(size=512) > 0).astype("float32")
    return x, y


def main(epochs: int = 15, verbose: int = 2) -> dict[str, list[float]]:
    """Train a small classifier with Signum; returns the history."""
    mk.utils.set_random_seed(1)
    x, y = make_data()
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(16, activation="relu"),
                           mk.layers.Dense(1, activation="sigmoid")])
    optimizer = Signum(learning_rate=mk.optimizers.schedules.ExponentialDecay(
        0.01, decay_steps=100, decay_rate=0.5))
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=verbose)
    return history.history


if __name__ == "__main__":
    logs = main()
    print(f"final accuracy {logs['accuracy'][-1]:.3f}")
