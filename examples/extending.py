"""Extending minikeras: a custom activation, layer, loss, metric and optimizer.

Each is a small subclass that keeps its value next to its gradient, registered
with ``@keras.utils.register_keras_serializable()`` so that a saved model can
name it and ``load_model`` can rebuild it (loading still runs no code from the
file: only registered or ``custom_objects`` classes are found). See
docs/extending.md for the contracts.

Run: ``python examples/extending.py``
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

import minikeras as keras


@keras.utils.register_keras_serializable(package="extending")
class Cube(keras.activations.Activation):
    """``x ** 3``; its derivative ``3 x ** 2`` sits next to it."""

    name = "cube"

    def forward(self, x):
        return x * x * x

    def backward(self, x, y, grad_y):
        return grad_y * (3.0 * x * x)


@keras.utils.register_keras_serializable(package="extending")
class Scale(keras.layers.Layer):
    """Multiply each feature by a learned factor (initialized to ``init``)."""

    def __init__(self, init: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.alpha = self.add_weight((input_shape[-1],), keras.initializers.Constant(self.init),
                                     name="alpha")
        super().build(input_shape)

    def forward(self, x, training=False):
        self._x = x                      # exactly what backward reads
        return x * self.alpha.value

    def backward(self, grad_y):
        if self.trainable:
            self.alpha.grad[...] = (grad_y * self._x).sum(axis=0)
        if not self.needs_input_grad:    # the first layer: nobody reads dL/dx
            return None
        return grad_y * self.alpha.value

    def get_config(self):
        return {**super().get_config(), "init": self.init}


@keras.utils.register_keras_serializable(package="extending")
class Quartic(keras.losses.Loss):
    """``mean((y_pred - y_true) ** 4)`` per sample; reductions come from ``Loss``."""

    name = "quartic"

    def call(self, y_true, y_pred):
        d = y_pred - y_true
        return (d * d * d * d).mean(axis=-1)

    def grad(self, y_true, y_pred):
        d = y_pred - y_true
        return 4.0 * d * d * d / y_pred.shape[-1]


@keras.utils.register_keras_serializable(package="extending")
class MaxAbsError(keras.metrics.Metric):
    """The largest ``|y_true - y_pred|`` seen since the last reset."""

    default_name = "max_abs_error"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._state = np.zeros(1)        # state lives in arrays (summable across ranks)

    def state_arrays(self):
        return [self._state]

    def update_state(self, y_true, y_pred, sample_weight=None):
        err = np.abs(np.asarray(y_true, dtype=np.float64).reshape(np.shape(y_pred))
                     - np.asarray(y_pred, dtype=np.float64))
        self._state[0] = max(self._state[0], float(err.max()) if err.size else 0.0)

    def result(self):
        return float(self._state[0])


@keras.utils.register_keras_serializable(package="extending")
class HeavyBall(keras.optimizers.Optimizer):
    """``m = beta m + g``; ``w -= lr m``: only ``slots``, ``update`` and the config."""

    slots = (("momentum", 0.0),)

    def __init__(self, learning_rate: float = 0.01, beta: float = 0.9, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta = float(beta)

    def update(self, param, grad, lr, slots, step):
        m = slots["momentum"]
        m *= self.beta
        m += grad
        np.multiply(m, lr, out=grad)     # the gradient buffer is free scratch
        param -= grad

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}


def main(epochs: int = 30, seed: int = 0) -> dict[str, Any]:
    """Train with all five, save, load, and compare; returns what it measured."""
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(256, 3)).astype("float32")
    y = (0.2 * x.sum(axis=1, keepdims=True)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), Scale(0.5),
                              keras.layers.Dense(8, activation=Cube()),
                              keras.layers.Dense(1)])
    model.compile(optimizer=HeavyBall(0.02, beta=0.9), loss=Quartic(),
                  metrics=[MaxAbsError(), "mae"])
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "custom.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
    same = bool(np.allclose(model.predict(x, verbose=0), loaded.predict(x, verbose=0)))
    result = {"loss_first": history.history["loss"][0], "loss_last": history.history["loss"][-1],
              "max_abs_error": history.history["max_abs_error"][-1], "reloaded_same": same,
              "loaded_types": [type(loaded.layers[0]).__name__,
                               type(loaded.layers[1].activation).__name__,
                               type(loaded.loss).__name__, type(loaded.optimizer).__name__]}
    # The loaded model keeps training with its custom loss, metric and optimizer.
    loaded.fit(x, y, epochs=1, verbose=0)
    return result


if __name__ == "__main__":
    out = main()
    print(f"loss {out['loss_first']:.4f} -> {out['loss_last']:.4f}; max |error| "
          f"{out['max_abs_error']:.3f}; reloaded identical: {out['reloaded_same']}; "
          f"loaded as {', '.join(out['loaded_types'])}")
