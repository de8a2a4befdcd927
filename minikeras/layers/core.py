"""Core layers: InputLayer / Input, Dense, Activation, Identity."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _constants
from .. import activations as activations_mod
from .._registry import serialize
from .base import LAYERS, KerasTensor, Layer, standardize_shape


@LAYERS.register()
class InputLayer(Layer):
    """The input of a Sequential model: declares the shape of one sample.

    Args:
        shape: shape of one sample, without the batch axis.
        batch_size: optional fixed batch size.
        batch_shape: the full shape, batch axis included (instead of ``shape``).
    """

    def __init__(self, shape: Any = None, batch_size: int | None = None, dtype: Any = None,
                 sparse: bool | None = None, batch_shape: Any = None, input_tensor: Any = None,
                 optional: bool = False, name: str | None = None, **kwargs: Any) -> None:
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        kwargs.pop("ragged", None)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if batch_shape is None:
            batch_shape = batch_input_shape
        if shape is None:
            shape = input_shape
        if batch_shape is not None:
            self._batch_input_shape = standardize_shape(batch_shape, "batch_shape")
        elif shape is not None:
            self._batch_input_shape = (batch_size, *standardize_shape(shape, "shape"))
        else:
            raise ValueError("You must pass a `shape` argument to InputLayer "
                             "(the shape of one sample, e.g. shape=(8,)).")
        self.built = True
        self._build_input_shape = self._batch_input_shape

    @property
    def batch_shape(self) -> tuple[Any, ...]:
        return self._batch_input_shape

    def forward(self, x, training=False):
        return x

    def backward(self, grad_y):
        return grad_y

    def get_config(self):
        return {"batch_shape": list(self._batch_input_shape), "dtype": self.dtype,
                "name": self.name}


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None,
          sparse: bool | None = None, batch_shape: Any = None, name: str | None = None,
          tensor: Any = None, optional: bool = False) -> KerasTensor:
    """Keras's ``Input``: a symbolic input to put first in a ``Sequential`` layer list."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape,
                       name=name)
    return KerasTensor(layer.batch_shape, layer.dtype, name=layer.name, layer=layer)


class _ActivationLayerMixin:
    """Layers whose last step is an activation expose it for the fused loss gradients."""

    activation: activations_mod.Activation


@LAYERS.register()
class Dense(Layer):
    """``activation(x @ kernel + bias)``; kernel of shape ``(input_dim, units)``.

    Args:
        units: output width, a positive integer.
        activation: name, function or None (linear).
        use_bias: whether to add a bias.
        kernel_initializer, bias_initializer: initializers (Keras's defaults).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections after each step.
    """

    # Set by predict on a model's first layer: record whether z's first column is finite.
    _watch_z = False
    _z_finite = True

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, lora_rank: int | None = None,
                 **kwargs: Any) -> None:
        if isinstance(units, float) and units.is_integer():
            units = int(units)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self.activation = activations_mod.get(activation)
        self.use_bias = bool(use_bias)
        from .. import constraints, initializers, regularizers

        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None
        self._cache: tuple[Any, Any, Any] | None = None

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense layer {self.name!r} needs a known last input axis; "
                             f"received input_shape={tuple(input_shape)}.")
        self.kernel = self.add_weight((in_dim, self.units), self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.units)

    def forward(self, x, training=False):
        z = x @ self.kernel.value
        if self.bias is not None:
            z += self.bias.value
        if self._watch_z:
            # A row of x with NaN or inf makes its whole row of z non-finite (see
            # data.matmul_propagates), so one column tells predict which chunks to check.
            self._z_finite = bool(np.isfinite(z[..., 0]).all())
        act = self.activation
        if act.needs_input:
            y = act.forward(z)
            self._cache = (x, z, y)
        else:
            # The derivative reads y alone: run the activation in z's own memory.
            y = act.forward_inplace(z)
            self._cache = (x, None, y)
        return y

    def backward(self, grad_y):
        _, z, y = self._cache
        return self.backward_from_z(self.activation.backward(z, y, grad_y))

    def backward_from_z(self, grad_z: np.ndarray) -> np.ndarray | None:
        """Gradients from dL/dz (the fused losses enter here)."""
        x = self._cache[0]
        if self._trainable:
            if x.ndim == 2:
                np.matmul(x.T, grad_z, out=self.kernel.grad)
            else:
                x2 = x.reshape(-1, x.shape[-1])
                np.matmul(x2.T, grad_z.reshape(-1, self.units), out=self.kernel.grad)
            if self.bias is not None:
                if grad_z.ndim == 2 and grad_z.shape[1] >= 16 \
                        and grad_z.dtype in _constants.BLAS_FLOATS:
                    # The column sums as ones @ grad_z: BLAS reads the rows once, 2x faster
                    # than NumPy's strided reduction on a 128 x 256 batch (no gain below 16
                    # units).
                    np.matmul(_constants.ones(grad_z.shape[0], grad_z.dtype), grad_z,
                              out=self.bias.grad)
                elif grad_z.ndim == 2:  # the ufunc itself: no Python wrapper per batch
                    np.add.reduce(grad_z, axis=0, out=self.bias.grad)
                else:
                    grad_z.sum(axis=tuple(range(grad_z.ndim - 1)), out=self.bias.grad)
        if not self.needs_input_grad:
            return None  # the first layer: nobody reads it
        return grad_z @ self.kernel.value.T

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations_mod.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize(self.kernel_initializer),
                "bias_initializer": serialize(self.bias_initializer),
                "kernel_regularizer": serialize(self.kernel_regularizer),
                "bias_regularizer": serialize(self.bias_regularizer),
                "kernel_constraint": serialize(self.kernel_constraint),
                "bias_constraint": serialize(self.bias_constraint)}


@LAYERS.register()
class Activation(Layer):
    """Apply an activation function (a name, a function, or an Activation)."""

    _built_at_init = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations_mod.get(activation)
        self._cache: tuple[Any, Any] | None = None

    def forward(self, x, training=False):
        # Never in place: x may be the cached output of the layer before.
        y = self.activation.forward(x)
        self._cache = (x if self.activation.needs_input else None, y)
        return y

    def backward(self, grad_y):
        x, y = self._cache
        return self.activation.backward(x, y, grad_y)

    def backward_from_z(self, grad_z):
        return grad_z

    def get_config(self):
        return {**super().get_config(), "activation": activations_mod.serialize(self.activation)}


@LAYERS.register()
class Identity(Layer):
    """Return the input unchanged."""

    _built_at_init = True

    def forward(self, x, training=False):
        return x

    def backward(self, grad_y):
        return grad_y


@LAYERS.register()
class Lambda(Layer):
    """Wrap a function of the input as a layer (Keras's ``Lambda``), for inference.

    ``function(inputs, **arguments)`` (also given ``training``/``mask`` if it takes them)
    runs in ``layer(x)``, ``predict`` and ``evaluate``, and in ``fit`` as a first layer
    with nothing trainable before it: minikeras has no automatic differentiation, so
    ``fit`` refuses to backpropagate through it (write a layer with ``forward`` and
    ``backward`` instead, docs/extending.md).

    Saved by the function's name, never its code: loading needs the function registered
    (``mk.utils.register_keras_serializable``) or passed in ``custom_objects``; a
    ``lambda`` cannot be saved (Keras stores its bytecode, which loads only with
    ``safe_mode=False``).

    Args:
        function: the function.
        output_shape: the output shape without the batch axis, or a function of the
            input shape; found by running ``function`` on one sample of zeros if None.
        mask: accepted for Keras compatibility (minikeras has no masking).
        arguments: keyword arguments for ``function``.
    """

    def __init__(self, function: Any, output_shape: Any = None, mask: Any = None,
                 arguments: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda needs a callable `function`. Received: {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask

    def call(self, inputs: Any, training: Any = None) -> Any:
        from .base import _accepts_training

        kwargs = dict(self.arguments)
        if training is not None and _accepts_training(self.function):
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        spec = self._output_shape
        if spec is None:
            return super().compute_output_shape(input_shape)
        if callable(spec):
            return tuple(spec(tuple(input_shape)))
        return (tuple(input_shape)[0], *standardize_shape(spec, "output_shape"))

    def get_config(self) -> dict[str, Any]:
        from .._registry import saved_function_name

        name = saved_function_name(self.function)
        if name is None:
            raise ValueError(
                f"Lambda layer {self.name!r} wraps an anonymous function, which minikeras "
                "cannot save (it never stores code). Use a named function registered with "
                "@keras.saving.register_keras_serializable(), or a custom layer.")
        config_ = {**super().get_config(), "function": name, "arguments": self.arguments}
        if self._output_shape is not None and not callable(self._output_shape):
            config_["output_shape"] = list(standardize_shape(self._output_shape))
        return config_

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> Lambda:
        from .._registry import registered_function

        config_ = dict(config_)
        for key in ("function_type", "module", "output_shape_type", "output_shape_module"):
            config_.pop(key, None)  # tf.keras 2's notes on how it stored the function
        name = config_.pop("function", None)
        if not isinstance(name, str):  # e.g. Keras's {"class_name": "__lambda__"} bytecode
            raise ValueError(
                f"The Lambda layer {config_.get('name')!r} holds code ({type(name).__name__}), "
                "not a function's name; minikeras never runs code from a config, so it is "
                "refused. Register the function and save the model again.")
        function = registered_function(name)
        if function is None:
            raise ValueError(
                f"Cannot rebuild the Lambda layer {config_.get('name')!r}: its function "
                f"{name!r} is unknown. Pass it in custom_objects or register it with "
                "@keras.saving.register_keras_serializable().")
        return cls(function, **config_)
