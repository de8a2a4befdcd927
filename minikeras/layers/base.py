"""Layer and Variable: each value kept next to its gradient.

A :class:`Variable` holds ``value`` and ``grad`` (same shape; ``grad`` is
overwritten by every backward pass). A model packs the values and gradients of
its trainable weights into two flat buffers (:class:`FlatBuffer`) and rebinds
each variable to views of them, so an optimizer step is a few whole-buffer
NumPy passes and a data-parallel step is one Allreduce.

A :class:`Layer` implements ``build(input_shape)``, ``forward(x, training)``
(caching exactly what backward reads) and ``backward(grad_y)``.
"""

from __future__ import annotations

import inspect
import math
import warnings
from typing import Any

import numpy as np

from .. import config, dtype_policies
from .. import constraints as constraints_mod
from .. import initializers as initializers_mod
from .. import regularizers as regularizers_mod
from .._errors import UnrecognizedArgumentsError
from .._registry import Registry
from .._tensor import Tensor, as_array, as_tensor

LAYERS = Registry("layer")


def _variable_value(initializer: Any, shape: Any, dtype: Any, name: str) -> np.ndarray:
    """The array a new Variable holds (Keras's constructor rules)."""
    if isinstance(initializer, str) or (callable(initializer)
                                        and not isinstance(initializer, np.ndarray)):
        if shape is None:
            raise ValueError(f"Variable {name!r}: an initializer needs a `shape`. Received: "
                             f"initializer={initializer!r}, shape=None")
        init = initializers_mod.get(initializer)
        value = np.asarray(init(tuple(shape), dtype=dtype or config.floatx()))
    elif isinstance(initializer, np.ndarray) and (dtype is None
                                                  or initializer.dtype == np.dtype(dtype)):
        value = initializer
    else:
        value = np.asarray(as_array(initializer) if initializer is not None else 0.0,
                           dtype=dtype)
        if dtype is None and value.dtype == np.float64 and not isinstance(
                initializer, np.ndarray):
            value = value.astype(config.floatx())  # Python numbers: floatx, as in Keras
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"Variable {name!r}: the initial value has shape {value.shape}, but "
                         f"shape={tuple(shape)} was given.")
    return value


class Variable(np.lib.mixins.NDArrayOperatorsMixin):
    """A weight: Keras's ``Variable`` surface over a NumPy array, plus its gradient.

    Created as Keras creates one: ``Variable(initializer, shape=None, dtype=None,
    trainable=True, name=None)``, where ``initializer`` is a value (an array, a number,
    a list) or an initializer (an object or a name such as ``"zeros"``) called with
    ``shape`` and ``dtype``. An array of the right type is held as is, not copied.
    Compares by identity, so an optimizer or a dict can key on it.
    """

    __array_priority__ = 20

    def __init__(self, initializer: Any = None, shape: Any = None, dtype: Any = None,
                 trainable: bool = True, autocast: bool = True, aggregation: str = "none",
                 synchronization: str = "auto", name: str | None = None,
                 path: str | None = None, regularizer: Any = None, constraint: Any = None) -> None:
        name = name or "variable"
        self.value = _variable_value(initializer, shape, dtype, name)
        self.grad: np.ndarray | None = None
        self.name = name
        self.path = path or name
        self.trainable = trainable
        # Keras keeps the kind a weight was created with (its layer's `_trainable_variables`):
        # it fixes the order of `layer.weights` and which weights `layer.trainable` flips,
        # and here also which weights the flat training buffer holds, so that freezing a
        # layer changes no buffer layout (its range is just left out of the step).
        self._created_trainable = bool(trainable)
        self.regularizer = regularizer
        self.constraint = constraint
        self._flat: FlatBuffer | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> str:
        return str(self.value.dtype)

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @property
    def size(self) -> int:
        return self.value.size

    def numpy(self) -> np.ndarray:
        """A copy of the values, as Keras's ``variable.numpy()``."""
        return self.value.copy()

    def assign(self, value: Any) -> Variable:
        """Overwrite the values in place (views into the model's buffer stay valid)."""
        value = as_array(value.value if isinstance(value, Variable) else value)
        if value.shape != self.value.shape and value.size != self.value.size:
            raise ValueError(
                f"Variable {self.path!r} has shape {self.value.shape}; "
                f"cannot assign a value of shape {value.shape}.")
        self.value[...] = value.reshape(self.value.shape)
        return self

    def assign_add(self, value: Any) -> Variable:
        self.value += as_array(value)
        return self

    def assign_sub(self, value: Any) -> Variable:
        self.value -= as_array(value)
        return self

    def ensure_grad(self) -> np.ndarray:
        """The gradient array, allocated on first use for a variable outside any buffer."""
        if self.grad is None:
            self.grad = np.zeros_like(self.value)
        return self.grad

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.value if dtype is None else self.value.astype(dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        inputs = tuple(i.value if isinstance(i, Variable) else i for i in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __round__(self, ndigits: int | None = None) -> Tensor:
        # Keras's docs call `round(model.optimizer.learning_rate, 5)`; Keras returns a tensor.
        return np.round(self.value, ndigits or 0).view(Tensor)

    def __getitem__(self, key: Any) -> np.ndarray:
        return self.value[key]

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"value={self.value}>")  # Keras prints the array's str, not its repr

    __hash__ = object.__hash__

    def __eq__(self, other: Any) -> Any:  # elementwise, as NumPy, but hashable by identity
        return np.equal(self.value, other.value if isinstance(other, Variable) else other)


class FlatBuffer:
    """The values and gradients of many variables as views into two flat arrays.

    Creating one copies each variable's current value in and rebinds
    ``variable.value``/``variable.grad`` to reshaped views, so layers keep
    reading and writing their own arrays while the optimizer and an Allreduce
    see one contiguous buffer each.
    """

    def __init__(self, variables: list[Variable], dtype: Any) -> None:
        self.variables = list(variables)
        self.dtype = np.dtype(dtype)
        sizes = [v.size for v in self.variables]
        self.offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
        total = int(self.offsets[-1])
        values = np.empty(total, dtype=self.dtype)
        for v, start, stop in zip(self.variables, self.offsets[:-1], self.offsets[1:]):
            values[start:stop] = np.asarray(v.value, dtype=self.dtype).ravel()
            v._flat = self
        # Three spare scalars ride at the end of the gradients (loss sum, rows,
        # weight), so a data-parallel step is one Allreduce of one buffer.
        self.rebind(values, np.zeros(total + 3, dtype=self.dtype))

    def rebind(self, values: np.ndarray, grads_all: np.ndarray) -> None:
        """Make ``values``/``grads_all`` the buffers (contents as they are) and point
        every variable's ``value``/``grad`` at its views of them.

        Data-parallel training moves the buffers into memory that the ranks of a
        node share for the length of a ``fit``, and back afterwards.
        """
        total = int(self.offsets[-1])
        if values.shape != (total,) or grads_all.shape != (total + 3,):
            raise ValueError(f"rebind needs buffers of {total} and {total + 3} elements; "
                             f"received {values.shape} and {grads_all.shape}.")
        self.values = values
        self.grads_all = grads_all
        self.grads = grads_all[:total]
        self.tail = grads_all[total:]
        for v, start, stop in zip(self.variables, self.offsets[:-1], self.offsets[1:]):
            v.value = values[start:stop].reshape(v.shape)
            v.grad = self.grads[start:stop].reshape(v.shape)

    @property
    def size(self) -> int:
        return int(self.offsets[-1])

    def segment(self, index: int) -> slice:
        return slice(int(self.offsets[index]), int(self.offsets[index + 1]))

    def owns(self, variables: list[Variable]) -> bool:
        """True while exactly these variables, in this order, still view this buffer."""
        # The view test: copy.deepcopy and pickle keep `_flat` but turn the views into
        # copies, and a copied model would then train a buffer its layers never read.
        return len(variables) == len(self.variables) and all(
            a is b and a._flat is self and a.value.base is self.values
            for a, b in zip(variables, self.variables))


class KerasTensor:
    """A symbolic value: only a shape and dtype (``layer.output``, ``mk.Input``)."""

    def __init__(self, shape: tuple[Any, ...], dtype: str | None = None, name: str | None = None,
                 layer: Layer | None = None) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype or config.floatx()
        self.name = name
        self._layer = layer

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


def _functional_error() -> ValueError:
    return ValueError(
        "minikeras builds Sequential models only: calling a layer on a symbolic keras.Input "
        "(the functional API) is not supported. Write the model as "
        "keras.Sequential([keras.Input(shape=...), keras.layers.Dense(...), ...]).")


#: Keras 1 arguments that old blog code still passes, and their Keras 3 names.
_KERAS_1_NAMES = {"init": "kernel_initializer", "W_regularizer": "kernel_regularizer",
                  "b_regularizer": "bias_regularizer", "W_constraint": "kernel_constraint",
                  "b_constraint": "bias_constraint", "output_dim": "units", "bias": "use_bias"}


def _plain_arguments(cls: type, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> dict[str, Any] | bool:
    """``cls.__init__``'s arguments by name if all are plain values, else False."""
    try:
        signature = inspect.signature(cls.__init__)
        bound = signature.bind(None, *args, **kwargs).arguments
    except (TypeError, ValueError):
        return False
    values: dict[str, Any] = {}
    for i, (name, value) in enumerate(bound.items()):
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            return False
        if kind is inspect.Parameter.VAR_KEYWORD:
            values.update(value)
        elif i:  # not self
            values[name] = value
    return values if all(_plain(v) for v in values.values()) else False


def _plain(value: Any) -> bool:
    """A value an auto-config may hold: JSON scalars, and lists/tuples/dicts of them."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return value is None or isinstance(value, (str, int, float, bool))


def _forward_through_call(self: Layer, x: np.ndarray, training: bool = False) -> np.ndarray:
    """``forward`` of a built-in layer's subclass whose ``call`` overrides the built-in
    computation: run that ``call``; inside it, ``super().call()`` runs the built-in."""
    state = self.__dict__
    if state.get("_in_call"):
        return type(self)._inner_forward(self, x, training)
    state["_in_call"] = True
    try:
        return self._run_call(x, training)
    finally:
        state["_in_call"] = False


def _accepts_training(fn: Any) -> bool:
    """Whether ``fn`` takes a ``training`` argument (Keras passes it only then)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def standardize_shape(shape: Any, what: str = "shape") -> tuple[int | None, ...]:
    """A tuple of ints (None allowed), from an int, a tuple or a list."""
    if shape is None:
        raise ValueError(f"`{what}` must be given.")
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        out = tuple(None if s is None else int(s) for s in shape)
    except (TypeError, ValueError):
        raise ValueError(f"Cannot interpret `{what}`={shape!r} as a shape.") from None
    for s in out:
        if s is not None and s < 0:
            raise ValueError(f"`{what}` entries must be >= 0. Received: {what}={shape!r}")
    return out


class Layer:
    """Base class of every layer.

    Args:
        trainable: whether the layer's weights train (settable later).
        name: the layer's name; Keras's automatic name (``dense_1``) if None.
        dtype: the float type of its weights and outputs (``floatx()`` if None).
        input_shape: tf.keras 2 style shape of one sample, on a model's first layer.
        input_dim: ``input_shape=(input_dim,)``.
    """

    #: False for layers whose forward does not depend on ``training``.
    has_training_arg = False
    #: Keras builds a weightless layer with no ``build`` of its own at construction
    #: (Dropout, the activation layers...): ``built`` is True and ``count_params()`` is 0
    #: before any call. Its input shape is still recorded on the first call.
    _built_at_init = False

    def __init__(self, trainable: bool = True, name: str | None = None, dtype: Any = None,
                 input_shape: Any = None, input_dim: int | None = None,
                 batch_input_shape: Any = None, batch_size: int | None = None,
                 **kwargs: Any) -> None:
        kwargs.pop("autocast", None)
        kwargs.pop("dynamic", None)
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        if kwargs:
            old = {k: _KERAS_1_NAMES[k] for k in kwargs if k in _KERAS_1_NAMES}
            hint = ("" if not old else " (Keras 1 names; Keras 3 spells them " + ", ".join(
                f"{k}= as {v}=" for k, v in old.items()) + ")")
            raise UnrecognizedArgumentsError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}{hint}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Argument `name` must be a string. Received: name={name!r}")
        self.name = name or config.unique_name(config.to_snake_case(type(self).__name__))
        self.dtype = dtype_policies.layer_dtype(dtype)
        self._trainable = bool(trainable)
        self.built = self._built_at_init and type(self).build is Layer.build
        self._variables: list[Variable] = []
        self._rng = config.make_rng()
        self.needs_input_grad = True
        self.activity_regularizer = regularizers_mod.get(activity_regularizer)
        self._build_input_shape: tuple[Any, ...] | None = None
        self._batch_input_shape: tuple[Any, ...] | None = None
        if input_shape is not None or input_dim is not None:
            warnings.warn("Do not pass an `input_shape`/`input_dim` argument to a layer. When "
                          "using Sequential models, prefer using an `Input(shape)` object as "
                          "the first layer in the model instead.", stacklevel=2)  # Keras's
        if batch_input_shape is not None:
            self._batch_input_shape = standardize_shape(batch_input_shape, "batch_input_shape")
        elif input_shape is not None:
            self._batch_input_shape = (batch_size, *standardize_shape(input_shape, "input_shape"))
        elif input_dim is not None:
            self._batch_input_shape = (batch_size, int(input_dim))

    # -- weights -------------------------------------------------------------------
    def add_weight(self, shape: Any = (), initializer: Any = "glorot_uniform", dtype: Any = None,
                   trainable: bool = True, regularizer: Any = None, constraint: Any = None,
                   name: str | None = None, **kwargs: Any) -> Variable:
        """Create a weight, drawn from this layer's Generator, and track it."""
        shape = standardize_shape(shape)
        if initializer is None:  # Keras: `Dense(bias_initializer=None)` means glorot_uniform
            float_kind = np.dtype(dtype or self.dtype).kind == "f"
            initializer = "glorot_uniform" if float_kind else "zeros"
        init = initializers_mod.get(initializer)
        value = init(shape, dtype=dtype or self.dtype, rng=self._rng)
        name = name or f"variable_{len(self._variables)}"
        var = Variable(value, name=name, trainable=trainable, path=f"{self.name}/{name}",
                       regularizer=regularizers_mod.get(regularizer),
                       constraint=constraints_mod.get(constraint))
        if not self.trainable:  # created inside a frozen layer: Keras marks it frozen too
            var.trainable = False
        self._variables.append(var)
        return var

    def add_loss(self, loss: Any) -> None:
        """Keras's ``add_loss`` inside ``call()``: the value joins ``layer.losses`` (and
        ``model.losses``) until the next call, and ``evaluate`` adds it to the loss.
        ``fit`` refuses a model whose layers add losses: minikeras has no automatic
        differentiation to take their gradient."""
        self.__dict__["_uses_add_loss"] = True
        self.__dict__.setdefault("_call_losses", []).append(float(np.sum(as_array(loss))))

    @property
    def dtype_policy(self) -> Any:
        """The layer's :class:`~minikeras.dtype_policies.DTypePolicy` (of its one dtype)."""
        return dtype_policies.DTypePolicy(self.dtype)

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's computations (Keras's; one dtype here, no mixed policy)."""
        return self.dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype of the layer's weights."""
        return self.dtype

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # Keras 3: the flag is also set on each weight created trainable.
        self._trainable = bool(value)
        for v in self._variables:
            if v._created_trainable:
                v.trainable = self._trainable

    @property
    def variables(self) -> list[Variable]:
        return list(self._variables)

    @property
    def weights(self) -> list[Variable]:
        """All weights: those created trainable first, then the others (Keras's order)."""
        return ([v for v in self._variables if v._created_trainable]
                + [v for v in self._variables if not v._created_trainable])

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights, in Keras's order (``[kernel, bias]`` for Dense)."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Assign all weights at once; shapes are checked first, so nothing changes on error."""
        weights = list(weights)
        variables = self.weights
        if len(weights) != len(variables):
            raise ValueError(
                f"Layer {self.name!r} expects {len(variables)} weights, but the given "
                f"list has {len(weights)}.")
        arrays = [as_array(w) for w in weights]
        for var, arr in zip(variables, arrays):
            if tuple(arr.shape) != tuple(var.shape):
                raise ValueError(
                    f"Layer {self.name!r} weight {var.name!r} has shape {var.shape}, but the "
                    f"given array has shape {arr.shape}.")
        for var, arr in zip(variables, arrays):
            var.assign(arr)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             "layer isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        return int(sum(v.size for v in self._variables))

    @property
    def losses(self) -> list[float]:
        """What ``add_loss`` added in the last call, then the activity penalty of that
        call, then the regularization penalties of the trainable weights (Keras's order;
        it counts only those weights)."""
        return [*self.__dict__.get("_call_losses", ()),
                *self.__dict__.get("_activity_losses", ()), *self._weight_penalties()]

    def _weight_penalties(self) -> list[float]:
        return [v.regularizer(v.value) for v in self.trainable_weights
                if v.regularizer is not None]

    # -- shapes --------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        self._build_input_shape = tuple(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        input_shape = tuple(input_shape)
        if type(self).call is Layer.call or type(self).forward is not Layer.forward:
            return input_shape
        # A call()-only subclass: Keras traces call() symbolically; one sample of zeros
        # shows the shape here (once per input shape).
        shapes = self.__dict__.setdefault("_call_shapes", {})
        if input_shape not in shapes:
            probe = np.zeros(tuple(1 if d is None else d for d in input_shape), dtype=self.dtype)
            self._maybe_build(probe.shape)
            try:
                with np.errstate(all="ignore"):  # zeros are not the user's data
                    out = self.forward(probe).shape
                self.__dict__.pop("_call_losses", None)  # the probe's add_loss is no loss
            except NotImplementedError:
                raise  # already says what is missing (add_loss, a forward)
            except Exception as err:
                raise ValueError(
                    f"Layer {self.name!r} ({type(self).__name__}): its output shape comes from "
                    f"running call() on zeros of shape {probe.shape}, which raised "
                    f"{type(err).__name__}: {err}. Define compute_output_shape(input_shape) "
                    "(or give Lambda an output_shape).") from err
            shapes[input_shape] = (input_shape[0], *out[1:]) if out else out
        return shapes[input_shape]

    def _maybe_build(self, input_shape: tuple[Any, ...]) -> None:
        if not self.built or (self._build_input_shape is None and not self._variables):
            shape = (None, *tuple(input_shape)[1:])
            self.build(shape)
            self._build_input_shape = shape
            self.built = True

    @property
    def input_shape(self) -> tuple[Any, ...]:
        shape = self._build_input_shape or self._batch_input_shape
        if shape is None:
            raise AttributeError(f"Layer {self.name!r} has no defined input shape yet.")
        return shape

    @property
    def output_shape(self) -> tuple[Any, ...]:
        return self.compute_output_shape(self.input_shape)

    @property
    def output(self) -> KerasTensor:
        """The symbolic output (``.shape`` with a None batch axis) once built."""
        if self._build_input_shape is None:
            raise AttributeError(f"Layer {self.name!r} has never been called and thus has no "
                                 "defined output.")
        return KerasTensor(self.compute_output_shape(self._build_input_shape), self.dtype,
                           name=self.name, layer=self)

    @property
    def input(self) -> KerasTensor:
        return KerasTensor(self.input_shape, self.dtype, name=self.name, layer=self)

    def check_input(self, x: np.ndarray) -> None:
        """Raise when ``x`` does not fit the shape this layer was built for."""
        expected = self._build_input_shape
        if expected is None:
            return
        if len(expected) != x.ndim or any(e is not None and e != s
                                          for e, s in zip(expected[1:], x.shape[1:])):
            raise ValueError(self._shape_message(expected, x.shape))

    def _shape_message(self, expected: tuple[Any, ...], got: tuple[int, ...]) -> str:
        if len(expected) == 2 and len(got) == 2:
            return (f"{type(self).__name__} layer {self.name!r} expects {expected[1]} input "
                    f"features (last axis); received shape {tuple(got)}.")
        return (f"Input of layer {self.name!r} is incompatible with the layer: expected "
                f"shape {expected}, received shape {tuple(got)}.")

    # -- computation -----------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Compute the output, caching what :meth:`backward` reads.

        A subclass written the Keras way, with ``call(inputs)`` and no ``forward``, runs
        its ``call`` here: enough for ``layer(x)``, ``predict`` and ``evaluate``.
        """
        if type(self).call is Layer.call:
            raise NotImplementedError(
                f"Layer {self.name!r} ({type(self).__name__}) computes nothing: a layer "
                "subclass implements forward(x, training) and backward(grad_y) (see "
                "docs/extending.md), or Keras's call(inputs) for inference only.")
        return self._run_call(x, training)

    def _run_call(self, x: np.ndarray, training: bool) -> np.ndarray:
        if "_call_losses" in self.__dict__:
            self._call_losses = []  # add_loss values belong to the latest call (Keras)
        call = self.call
        if _accepts_training(call):
            y = call(x, training=training)
        else:
            y = call(x)
        y = as_array(y.value if isinstance(y, Variable) else y)
        if y.dtype.kind == "f" and y.dtype != self.dtype and self.casts_input:
            y = y.astype(self.dtype)  # a Python float in call() must not upcast the model
        return y

    def call(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Tensor:
        """Keras's ``call``: this layer's output for ``inputs``. A subclass of a built-in
        layer that overrides it (Keras's MC Dropout: ``super().call(x, training=True)``)
        runs its override wherever the layer runs."""
        if type(self).forward is Layer.forward:  # a call()-only class reached the base
            raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` "
                                      "method implemented (the base Layer computes nothing).")
        x = as_array(inputs)
        self._maybe_build(x.shape)
        return as_tensor(self.forward(x, training=bool(training)))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inherited = cls.forward
        if "call" in cls.__dict__ and "forward" not in cls.__dict__ \
                and inherited is not Layer.forward and inherited is not _forward_through_call:
            # call() overrides a built-in layer's computation: Keras runs call(), so
            # forward goes through it; super().call() reaches the built-in forward.
            cls._inner_forward = inherited
            cls.forward = _forward_through_call

    def backward(self, grad_y: np.ndarray) -> np.ndarray | None:
        """Write weight gradients into ``variable.grad``; return dL/dx (None if unneeded)."""
        if not self._needs_backward():
            return None  # a call()-only first layer with nothing to train
        raise NotImplementedError(self._no_backward_message())

    def _adds_losses(self) -> bool:
        """Whether this layer's call() has called add_loss (known after a first call)."""
        return bool(self.__dict__.get("_uses_add_loss"))

    def _calls_only(self) -> bool:
        """A Keras-style subclass: ``call`` without minikeras's ``forward``/``backward``
        (or a ``call`` that overrides a built-in layer's: its backward may not fit it)."""
        cls = type(self)
        return cls.call is not Layer.call and (cls.backward is Layer.backward
                                               or cls.forward is _forward_through_call)

    def _needs_backward(self) -> bool:
        return self.needs_input_grad or (
            self.trainable and any(v.trainable for v in self._variables))

    def _no_backward_message(self) -> str:
        if type(self).forward is _forward_through_call:
            base = type(self)._inner_forward.__qualname__.split(".")[0]
            return (f"Layer {self.name!r} ({type(self).__name__}) overrides call() of the "
                    f"built-in {base}, whose backward does not know what the override "
                    "computes: minikeras has no automatic differentiation, so fit() cannot "
                    "train through it. Define forward(x, training) and backward(grad_y) "
                    "instead (see docs/extending.md); layer(x), predict() and evaluate() "
                    "run the call() override as it is.")
        return (f"Layer {self.name!r} ({type(self).__name__}) defines call() but not "
                "backward(grad_y): minikeras has no automatic differentiation, so fit() can "
                "train through a custom layer only when it implements forward(x, training) "
                "and backward(grad_y) (see docs/extending.md). call() alone serves layer(x), "
                "predict() and evaluate(), and fit() when the layer has no trainable weights "
                "and no trainable layer comes before it.")

    def __call__(self, x: Any, training: bool | None = None, **kwargs: Any) -> Tensor:
        """Run the layer on an array and return a :class:`Tensor` (``.numpy()`` works)."""
        if isinstance(x, KerasTensor):
            raise _functional_error()
        x = as_array(x.value if isinstance(x, Variable) else x)
        if x.dtype != self.dtype and self.casts_input:
            x = x.astype(self.dtype)
        if x.ndim == 0:
            raise ValueError(f"Layer {self.name!r} needs at least a 1-D input with a batch axis; "
                             "received a scalar.")
        self._maybe_build(x.shape)
        self.check_input(x)
        for v in self._variables:
            v.ensure_grad()
        y = self.forward(x, training=bool(training))
        if self.activity_regularizer is not None:
            self._record_activity(self.activity_regularizer(y) / max(y.shape[0], 1))
        return y.view(Tensor)

    def _record_activity(self, penalty: float) -> None:
        """The activity penalty of the latest call, for ``layer.losses`` (Keras adds it
        with add_loss after each call, divided by the batch size)."""
        self.__dict__["_activity_losses"] = [float(penalty)]

    #: Cast inputs to the layer's dtype (off for layers that take integer ids).
    casts_input = True

    # -- config ----------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, so that ``from_config`` is ``cls(**config)``."""
        config_ = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config_["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            from .._registry import serialize

            config_["activity_regularizer"] = serialize(self.activity_regularizer)
        auto = self.__dict__.get("_auto_config")
        if auto is not None and type(self).get_config is Layer.get_config:
            if auto is False:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} was created by passing non-serializable "
                    "argument values in `__init__()`, and therefore the layer must override "
                    "`get_config()` in order to be serializable. Please implement "
                    "`get_config()`.")
            # A user's layer without get_config(): its __init__ arguments, under the
            # layer's current state (a later `trainable = False` wins), as in Keras.
            config_ = {**auto, **config_}
        return config_

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        """Record a user's subclass's constructor arguments (Keras's auto-config)."""
        instance = super().__new__(cls)
        # None: not needed (minikeras's own classes define get_config); a dict: the plain
        # arguments (str, int, float, bool, None and lists/dicts of them), so a user's
        # layer without get_config() still saves and clones; False: an argument that
        # is not plain, so get_config() must be written (Keras raises then too).
        instance._auto_config = None
        if not cls.__module__.startswith("minikeras."):
            instance._auto_config = _plain_arguments(cls, args, kwargs)
        return instance

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> Layer:
        """The layer a ``get_config()`` dict describes (Keras's own configs too: their
        keys minikeras has no argument for are dropped where they change nothing)."""
        from ..saving.keras_config import drop_keras_only

        config_ = dict(config_)
        drop_keras_only(config_, f"{cls.__name__}.from_config")
        return cls(**config_)

    def get_build_config(self) -> dict[str, Any] | None:
        if self._build_input_shape is None:
            return None
        return {"input_shape": list(self._build_input_shape)}

    def build_from_config(self, build_config: dict[str, Any] | None) -> None:
        if build_config and not self.built:
            self._maybe_build(tuple(build_config["input_shape"]))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def num_params(shape: tuple[int, ...]) -> int:
    return int(math.prod(shape))
