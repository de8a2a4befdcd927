"""Initializers: Keras's callables ``Init(seed=None)(shape, dtype=None)``.

Fan rules and scales are Keras 3's (``VarianceScaling``). Each initializer draws
from a ``numpy.random.Generator``: its own (from ``seed``, or a child of the
global seed), or the one a model passes in through ``rng=``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._registry import Registry
from .config import floatx, make_rng

INITIALIZERS = Registry("initializer")


def compute_fans(shape: tuple[int, ...], input_axes: Any = None,
                 output_axes: Any = None) -> tuple[int, int]:
    """Keras's ``(fan_in, fan_out)``: receptive field times the last two axes.

    With both ``input_axes`` and ``output_axes`` given, each fan is the product
    of the sizes along those axes (Keras 3.15's ``VarianceScaling`` arguments).
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_normal(rng: np.random.Generator, shape: tuple[int, ...], mean: float,
                      stddev: float) -> np.ndarray:
    """Normal values redrawn until within two standard deviations (Keras's truncation)."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return mean + stddev * out


class Initializer:
    """Base class: ``__call__(shape, dtype=None, rng=None)`` returns an array.

    As in Keras 3, one initializer object gives the same values on every call:
    from ``seed`` when given, else from a seed drawn (from the global seed) on
    its first call. A model passes its own Generator as ``rng``, which an
    unseeded initializer draws from instead, so two layers differ.
    """

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (not isinstance(seed, (int, np.integer))
                                 or isinstance(seed, bool)):
            raise ValueError("`seed` argument should be an integer or None. "
                             f"Received: seed={seed!r}")
        self.seed = seed
        self._auto_seed: int | None = None

    def _generator(self, rng: np.random.Generator | None) -> np.random.Generator:
        if rng is not None and self.seed is None:
            return rng
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        if self._auto_seed is None:
            self._auto_seed = int(make_rng().integers(2**63))
        return np.random.default_rng(self._auto_seed)

    def __call__(self, shape: Any, dtype: Any = None,
                 rng: np.random.Generator | None = None) -> np.ndarray:
        shape = (int(shape),) if np.isscalar(shape) else tuple(int(s) for s in shape)
        values = self.draw(shape, self._generator(rng))
        return np.asarray(values, dtype=dtype or floatx())

    def draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


@INITIALIZERS.register("zeros", "zero")
class Zeros(Initializer):
    def __init__(self) -> None:
        super().__init__(None)

    def draw(self, shape, rng):
        return np.zeros(shape)

    def get_config(self):
        return {}


@INITIALIZERS.register("ones", "one")
class Ones(Zeros):
    def draw(self, shape, rng):
        return np.ones(shape)


@INITIALIZERS.register("constant")
class Constant(Initializer):
    def __init__(self, value: float = 0.0) -> None:
        super().__init__(None)
        self.value = value

    def draw(self, shape, rng):
        return np.broadcast_to(np.asarray(self.value, dtype=np.float64), shape).copy()

    def get_config(self):
        value = self.value.tolist() if isinstance(self.value, np.ndarray) else self.value
        return {"value": value}


@INITIALIZERS.register("random_normal", "normal")
class RandomNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def draw(self, shape, rng):
        return rng.normal(self.mean, self.stddev, shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@INITIALIZERS.register("random_uniform", "uniform")
class RandomUniform(Initializer):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05,
                 seed: int | None = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def draw(self, shape, rng):
        return rng.uniform(self.minval, self.maxval, shape)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


@INITIALIZERS.register("truncated_normal")
class TruncatedNormal(Initializer):
    """Normal values beyond two standard deviations are redrawn."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def draw(self, shape, rng):
        return _truncated_normal(rng, shape, self.mean, self.stddev)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@INITIALIZERS.register("variance_scaling")
class VarianceScaling(Initializer):
    """``scale / fan`` variance; uniform, truncated normal or untruncated normal.

    The truncated normal's stddev is ``sqrt(scale) / 0.87962566103423978`` so
    that the variance after truncation at 2 stddev is ``scale`` (Keras).
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform", "normal")

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 input_axes: Any = None, output_axes: Any = None) -> None:
        super().__init__(seed)
        self.input_axes, self.output_axes = input_axes, output_axes
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in self._MODES:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Expected one of {self._MODES}.")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. "
                             f"Expected one of {self._DISTRIBUTIONS}.")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def draw(self, shape, rng):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            return _truncated_normal(rng, shape, 0.0, math.sqrt(scale) / 0.87962566103423978)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(scale), shape)
        limit = math.sqrt(3.0 * scale)
        return rng.uniform(-limit, limit, shape)

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _variance_scaling(name: str, scale: float, mode: str, distribution: str) -> type:
    def __init__(self, seed: int | None = None, input_axes: Any = None,
                 output_axes: Any = None) -> None:
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}

    doc = f"VarianceScaling(scale={scale}, mode={mode!r}, distribution={distribution!r})."
    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "__doc__": doc})
    cls.__module__ = __name__
    return cls


GlorotUniform = _variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _variance_scaling("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _variance_scaling("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal")
for _cls, _name in [(GlorotUniform, "glorot_uniform"), (GlorotNormal, "glorot_normal"),
                    (HeUniform, "he_uniform"), (HeNormal, "he_normal"),
                    (LecunUniform, "lecun_uniform"), (LecunNormal, "lecun_normal")]:
    INITIALIZERS.add(_cls, _name)


@INITIALIZERS.register("orthogonal")
class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal draw, times ``gain``."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = float(gain)

    def draw(self, shape, rng):
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


@INITIALIZERS.register("identity")
class Identity(Initializer):
    def __init__(self, gain: float = 1.0) -> None:
        super().__init__(None)
        self.gain = float(gain)

    def draw(self, shape, rng):
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return self.gain * np.eye(*shape)

    def get_config(self):
        return {"gain": self.gain}


class _FunctionInitializer(Initializer):
    """A user's callable ``fn(shape, dtype=None)`` used as an initializer."""

    def __init__(self, fn: Any) -> None:
        super().__init__(None)
        self.fn = fn

    def __call__(self, shape, dtype=None, rng=None):
        return np.asarray(self.fn(tuple(shape), dtype=dtype or floatx()), dtype=dtype or floatx())


class _ArrayInitializer(Initializer):
    """Keras's ``initializers.get(array)``: those values, for that shape only."""

    def __init__(self, value: np.ndarray) -> None:
        super().__init__(None)
        self.value = np.array(value)

    def __call__(self, shape, dtype=None, rng=None):
        shape = (int(shape),) if np.isscalar(shape) else tuple(int(s) for s in shape)
        if shape != self.value.shape:
            raise ValueError(
                "When providing a tensor or array as an initializer, its shape must match the "
                f"shape of the variable. Received: initializer shape={self.value.shape}, "
                f"variable shape={shape}")
        return np.array(self.value, dtype=dtype or floatx())


def get(identifier: Any) -> Initializer | None:
    """Resolve a name, class, instance, config dict, array, or a callable ``fn(shape, dtype)``."""
    if isinstance(identifier, Initializer) or identifier is None:
        return identifier
    if isinstance(identifier, (str, dict, type)):
        return INITIALIZERS.get(identifier)
    if isinstance(identifier, (np.ndarray, np.generic)):
        return _ArrayInitializer(identifier)
    if callable(identifier):
        return _FunctionInitializer(identifier)
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")


def serialize(initializer: Initializer) -> dict[str, Any]:
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    from .saving import serialize_keras_object

    return serialize_keras_object(initializer)


def deserialize(config: Any) -> Initializer | None:
    return get(config)


# Keras's lower-case function-style aliases.
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal
orthogonal, identity, variance_scaling = Orthogonal, Identity, VarianceScaling
