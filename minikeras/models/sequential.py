"""Sequential: a stack of layers, its flat weight buffer, forward and backward.

Nested ``Sequential`` models are flattened into one list of leaf layers for
training, so one flat buffer holds every trainable weight of the whole stack
(one optimizer pass, one Allreduce).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .. import _constants
from .._errors import NotALayerError
from .._registry import serialize
from .._tensor import Tensor, as_array
from ..data import ArraySource, DataSource, matmul_propagates
from ..layers.base import LAYERS, FlatBuffer, KerasTensor, Layer, Variable, _functional_error
from ..layers.core import Dense, InputLayer
from .model import Model


@LAYERS.register()
class Sequential(Model):
    """A linear stack of layers (Keras's ``Sequential``).

    Args:
        layers: the layers, optionally starting with ``keras.Input(shape)`` or an
            ``InputLayer``; the first layer may instead carry ``input_shape=``.
        trainable: whether the model's weights train.
        name: the model's name (``sequential``, ``sequential_1``... by default).
    """

    def __init__(self, layers: list[Any] | None = None, trainable: bool = True,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self._flat: FlatBuffer | None = None
        self._leaves: list[Layer] = []
        self._act_reg: list[int] = []
        self._act_outputs: dict[int, np.ndarray] = {}
        if layers is not None and (isinstance(layers, (Layer, str, KerasTensor))
                                   or not hasattr(layers, "__iter__")):
            raise TypeError("`layers` must be a list of layers, e.g. Sequential([Dense(8), "
                            f"Dense(1)]). Received: layers={layers!r}")
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._try_build()

    # ------------------------------------------------------------------ structure
    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or ``keras.Input(...)`` first)."""
        if isinstance(layer, KerasTensor) and isinstance(layer._layer, InputLayer):
            layer = layer._layer
        if isinstance(layer, KerasTensor):
            raise _functional_error()
        if not isinstance(layer, Layer):
            raise NotALayerError("The added layer must be an instance of class Layer. "
                                 f"Received: layer={layer!r} of type {type(layer)}.")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An InputLayer (keras.Input) can only be the first layer of a "
                                 "Sequential model.")
            self._input_layer = layer
        else:
            if any(existing.name == layer.name for existing in self._layers):
                raise ValueError(
                    "All layers added to a Sequential model should have unique names. Name "
                    f"{layer.name!r} is already the name of a layer in this model. Update the "
                    "`name` argument to pass a unique name.")
            self._layers.append(layer)
        self._invalidate()
        if rebuild:
            self._try_build()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self._invalidate()
        if rebuild:
            self._try_build()
        return layer

    def _invalidate(self) -> None:
        self.built = False
        self._flat = None
        self._train_ready = None
        self._metrics = None if not self.compiled else self._metrics

    @property
    def layers(self) -> list[Layer]:
        """The layers added, without the InputLayer (as Keras 3)."""
        return list(self._layers)

    def _all_layers(self) -> list[Layer]:
        return self._leaf_layers()

    def _leaf_layers(self) -> list[Layer]:
        out: list[Layer] = []
        for layer in self._layers:
            if isinstance(layer, Sequential):
                out.extend(layer._leaf_layers())
            else:
                out.append(layer)
        return out

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index (Keras)."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if not -len(self._layers) <= index < len(self._layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self._layers)} layers.")
            return self._layers[index]
        if name is not None:
            for layer in self._layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in self._layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # ------------------------------------------------------------------ building
    def _declared_input_shape(self) -> tuple[Any, ...] | None:
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._layers:
            first = self._layers[0]
            if first._batch_input_shape is not None:
                return first._batch_input_shape
            if isinstance(first, Sequential):
                return first._declared_input_shape()
        if self._build_input_shape is not None:
            return self._build_input_shape
        return None

    def _expected_input_shape(self) -> tuple[Any, ...] | None:
        return self._declared_input_shape()

    def _try_build(self) -> None:
        shape = self._declared_input_shape()
        if shape is not None and self._layers:
            self.build(shape)

    def build(self, input_shape: Any = None) -> None:
        """Build every layer for ``input_shape`` (batch axis included) and pack the weights."""
        if input_shape is None:
            input_shape = self._declared_input_shape()
            if input_shape is None:
                raise ValueError("You must provide an `input_shape` argument.")
        shape = tuple(None if s is None else int(s) for s in input_shape)
        if len(shape) < 2 and self._declared_input_shape() is None:
            shape = (None, *shape)
        self._build_input_shape = (None, *shape[1:])
        current = self._build_input_shape
        for layer in self._layers:
            was_built = layer.built
            if isinstance(layer, Sequential):
                if not layer.built or layer._build_input_shape != current:
                    layer.build(current)
            else:
                layer._maybe_build(current)
                built_for = layer._build_input_shape
                if built_for is not None and tuple(built_for[1:]) != tuple(current[1:]) \
                        and layer._variables:
                    raise ValueError(layer._shape_message(built_for, (None, *current[1:])))
            if not was_built:
                # Keras creates these weights in the model's name scope:
                # "sequential/dense/kernel" (a layer built alone keeps "dense/kernel").
                prefix = f"{self.name}/"
                for v in layer.weights:
                    if not v.path.startswith(prefix):
                        v.path = prefix + v.path
            current = layer.compute_output_shape(current)
        self.built = True
        self._pack()
        if self.compiled:
            self._on_compiled_and_built()

    def _pack(self) -> None:
        leaves = self._leaf_layers()
        self._leaves = leaves
        variables = [v for layer in leaves for v in layer._variables if v._created_trainable]
        self._var_owner = {id(v): layer for layer in leaves for v in layer._variables}
        dtype = variables[0].value.dtype if variables else np.dtype(self.dtype)
        self._flat = FlatBuffer(variables, dtype)
        self._act_reg = [i for i, layer in enumerate(leaves)
                         if layer.activity_regularizer is not None]
        self._train_ready = None

    def _ensure_packed(self) -> None:
        if not self.built:
            raise ValueError("The model is not built yet: call it on data or call build().")
        variables = [v for layer in self._leaf_layers() for v in layer._variables
                     if v._created_trainable]
        if self._flat is None or not self._flat.owns(variables) \
                or self._leaves != self._leaf_layers():
            self._pack()

    def _input_dense(self, source: ArraySource) -> Any:
        first = self._leaves[0] if self._leaves else None
        if type(first).forward is not Dense.forward or first.kernel is None:
            return None  # a subclass may compute z its own way
        dtype = first.kernel.value.dtype
        if source.dtype != dtype or dtype not in _constants.BLAS_FLOATS \
                or not matmul_propagates(dtype):
            return None
        return first

    def _build_for_source(self, source: DataSource) -> None:
        if self.built:
            if not isinstance(source, ArraySource):  # arrays: done in _standardize_arrays
                source.adjust_x = self._rank_adjustment((None, *source.sample_shape()))
            self._check_source_shape(source)
            self._ensure_packed()
            return
        shape = (None, *source.sample_shape())
        if not self._layers:
            raise ValueError("The model has no layers: add layers before training or "
                             "predicting.")
        self.build(shape)

    def _check_source_shape(self, source: DataSource) -> None:
        expected = self._build_input_shape
        rows = source.num_samples if isinstance(source, ArraySource) else None
        got = (rows, *source.sample_shape())
        if source.adjust_x is not None:
            got = source.adjust_x(np.empty((0, *got[1:]))).shape
        if expected is not None and (len(expected) != len(got) or any(
                e is not None and e != g for e, g in zip(expected[1:], got[1:]))):
            first = self._leaf_layers()[0] if self._leaf_layers() else self
            raise ValueError(first._shape_message(expected, got))

    # ------------------------------------------------------------------ weights
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # Keras: a model's flag is pushed down to every layer inside it.
        self._trainable = bool(value)
        for layer in getattr(self, "_layers", []):
            layer.trainable = value

    def _variable_trains(self, variable: Variable) -> bool:
        owner = self._var_owner.get(id(variable))
        return variable.trainable and owner is not None and owner.trainable and self.trainable

    @property
    def weights(self) -> list[Variable]:
        out = []
        for layer in self._layers:
            out.extend(layer.weights)
        return out

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        out = []
        for layer in self._layers:
            out.extend(layer.trainable_weights)
        return out

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        out = []
        for layer in self._layers:
            out.extend(layer.non_trainable_weights)
        return out

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def variables(self) -> list[Variable]:
        return self.weights

    @property
    def _variables(self) -> list[Variable]:  # type: ignore[override]
        return self.weights

    @_variables.setter
    def _variables(self, value: list[Variable]) -> None:
        pass  # a model's weights are its layers'

    def get_weights(self) -> list[np.ndarray]:
        """Copies of all weights, layer by layer (Keras's order)."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Assign all weights; every count and shape is checked before anything changes."""
        variables = self.weights
        weights = list(weights)
        if len(weights) != len(variables):
            raise ValueError(f"You called `set_weights(weights)` on model {self.name!r} with a "
                             f"weight list of length {len(weights)}, but the model expects "
                             f"{len(variables)} weights.")
        arrays = [as_array(w) for w in weights]
        for v, a in zip(variables, arrays):
            if tuple(a.shape) != tuple(v.shape):
                raise ValueError(f"Weight {v.path!r} has shape {v.shape}; the given array has "
                                 f"shape {a.shape}. Nothing was changed.")
        for v, a in zip(variables, arrays):
            v.assign(a)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError("You tried to call `count_params` on a model that isn't built. "
                             "Call `build(input_shape)` or call the model on data first.")
        return int(sum(v.size for v in self.weights))

    @property
    def losses(self) -> list[float]:
        """Keras's order: every layer's losses of the latest call (add_loss, activity
        penalties), then every weight penalty."""
        leaves = self._leaf_layers()
        out: list[float] = []
        for layer in leaves:
            out.extend(layer.__dict__.get("_call_losses", ()))
            out.extend(layer.__dict__.get("_activity_losses", ()))
        for layer in leaves:
            out.extend(layer._weight_penalties())
        return out

    # ------------------------------------------------------------------ computation
    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        leaves = self._leaves
        if self._act_reg:
            return self._forward_with_activity(x, training)
        for layer in leaves:
            x = layer.forward(x, training=training)
        return x

    def _forward_with_activity(self, x: np.ndarray, training: bool) -> np.ndarray:
        penalty = 0.0
        self._act_outputs.clear()
        for i, layer in enumerate(self._leaves):
            x = layer.forward(x, training=training)
            if layer.activity_regularizer is not None:
                self._act_outputs[i] = x
                value = layer.activity_regularizer(x) / (self._act_divisor or max(x.shape[0], 1))
                layer._record_activity(value)
                penalty += value
        self._activity_penalty = penalty
        return x

    def _backward(self, grad: np.ndarray, from_z: bool = False) -> None:
        leaves = self._leaves
        last = len(leaves) - 1
        act = self._act_outputs if self._act_reg else None
        for i in range(last, -1, -1):
            layer = leaves[i]
            if act is not None and i in act:
                y = act[i]
                grad = grad + layer.activity_regularizer.grad(y) / (self._act_divisor
                                                                    or max(y.shape[0], 1))
            if from_z and i == last:
                grad = layer.backward_from_z(grad)
            else:
                grad = layer.backward(grad)
            if grad is None:
                return

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not self._leaves:
            self._leaves = self._leaf_layers()
        return self._forward(x, training)

    def backward(self, grad_y: np.ndarray) -> np.ndarray | None:
        for layer in reversed(self._leaves):
            grad_y = layer.backward(grad_y)
            if grad_y is None:
                return None
        return grad_y

    def __call__(self, x: Any, training: bool | None = None, **kwargs: Any) -> Tensor:
        """Run the model on an array; returns a Tensor (``.numpy()`` works)."""
        if isinstance(x, KerasTensor):
            raise _functional_error()
        if kwargs.pop("mask", None) is not None:
            raise ValueError("minikeras models take no `mask`; pass only the inputs (and "
                             "`training`).")
        if kwargs:
            raise TypeError(f"{self.name}() got unexpected keyword argument(s): "
                            f"{sorted(kwargs)}. A model call takes x and `training`.")
        xs, _, _ = self._standardize_arrays(x, None, None, "__call__", needs_y=False)
        source = ArraySource(xs, batch_size=max(1, xs.shape[0]), dtype=self._model_dtype())
        self._build_for_source(source)
        for v in self.weights:
            v.ensure_grad()
        xb = source.batch_at(slice(0, source.num_samples))[0]
        return np.array(self._forward(xb, training=bool(training)), copy=True).view(Tensor)

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def _mark_input_grads(self) -> None:
        seen_trainable = False
        for layer in self._leaves:
            # Only a layer with something trainable below it needs dL/dx.
            layer.needs_input_grad = seen_trainable
            if any(self._variable_trains(v) for v in layer._variables):
                seen_trainable = True

    def _release_caches(self) -> None:
        for layer in self._leaves:
            if hasattr(layer, "_cache"):
                layer._cache = None

    # ------------------------------------------------------------------ facts for training
    def _output_layer(self) -> Layer | None:
        leaves = self._leaves or self._leaf_layers()
        return leaves[-1] if leaves else None

    def _output_activation(self) -> Any:
        layer = self._output_layer()
        if layer is None or not hasattr(layer, "backward_from_z"):
            return None
        return getattr(layer, "activation", None)

    def _output_units(self) -> int | None:
        if not self.built:
            layer = self._output_layer()
            return getattr(layer, "units", None)
        return self.output_shape[-1]

    def _max_width(self) -> int:
        widths = [1]
        shape = self._build_input_shape
        if shape is None:
            return 1
        for layer in self._leaf_layers():
            shape = layer.compute_output_shape(shape)
            size = 1
            for s in shape[1:]:
                size *= s or 1
            widths.append(size)
        first = 1
        for s in self._build_input_shape[1:]:
            first *= s or 1
        return max(max(widths), first)

    def _last_has_activity_reg(self) -> bool:
        layer = self._output_layer()
        return layer is not None and layer.activity_regularizer is not None

    # ------------------------------------------------------------------ shapes
    @property
    def input_shape(self) -> tuple[Any, ...]:
        shape = self._build_input_shape or self._declared_input_shape()
        if shape is None:
            raise AttributeError("The model has no defined input shape yet.")
        return shape

    @property
    def output_shape(self) -> tuple[Any, ...]:
        return self.compute_output_shape(self.input_shape)

    @property
    def inputs(self) -> list[KerasTensor]:
        name = self._input_layer.name if self._input_layer is not None else "input_layer"
        return [KerasTensor(self.input_shape, self.dtype, name=name)]

    @property
    def outputs(self) -> list[KerasTensor]:
        return [self.output]

    @property
    def input(self) -> KerasTensor:
        return self.inputs[0]

    # ------------------------------------------------------------------ summary
    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Any = None, expand_nested: bool = False, show_trainable: bool = False,
                layer_range: Any = None) -> None:
        """Print a table of layers, output shapes and parameter counts, then the totals."""
        from .summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        layers = []
        if self._input_layer is not None:
            layers.append(serialize(self._input_layer))
        layers.extend(serialize(layer) for layer in self._layers)
        cfg = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype,
               "layers": layers}
        if self._build_input_shape is not None:
            cfg["build_input_shape"] = list(self._build_input_shape)
        return cfg

    @classmethod
    def from_config(cls, config_: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Sequential:
        if custom_objects:  # they reach nested lookups too (an activation's name), as in Keras
            from ..utils import custom_object_scope

            with custom_object_scope(custom_objects):
                return cls.from_config(config_)
        config_ = dict(config_)
        layer_specs = config_.pop("layers", [])
        build_shape = config_.pop("build_input_shape", None)
        model = cls(name=config_.get("name"), trainable=config_.get("trainable", True),
                    dtype=config_.get("dtype"))
        for spec in layer_specs:
            model.add(LAYERS.from_config_dict(spec, custom_objects), rebuild=False)
        if build_shape is not None:
            model.build(tuple(build_shape))
        else:
            model._try_build()
        return model

    def to_json(self, **kwargs: Any) -> str:
        """The architecture as Keras 3's JSON: Keras's ``model_from_json`` reads it, and so
        does minikeras's. As Keras's, it carries the compile settings (what Keras cannot
        read is left out, with a warning), so ``model_from_json`` gives a compiled model."""
        from ..saving.keras_export import compile_to_keras, model_to_keras

        spec = model_to_keras(self)
        spec["compile_config"] = compile_to_keras(self)
        return json.dumps(spec, **kwargs)

    def __repr__(self) -> str:
        return f"<Sequential name={self.name}, built={self.built}>"

