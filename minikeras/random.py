"""``keras.random``: random tensors for custom layers, losses and data code.

Keras 3's functions and seed rules: ``seed`` may be an integer (the same values on
every call, as a stateless draw), a :class:`SeedGenerator` (each call advances it),
or None (a draw from minikeras's global seed, so ``keras.utils.set_random_seed``
makes it repeatable). The values come from NumPy's ``Generator``, not Keras's
backends: the same seed gives other numbers than Keras, with the same distribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from . import config
from ._tensor import Tensor, as_array

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]


class SeedGenerator:
    """A source of seeds that advances on every draw (Keras's ``SeedGenerator``).

    Args:
        seed: an integer for a repeatable sequence; None draws one from the global seed.
        name: accepted for Keras compatibility.
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("backend", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise TypeError(f"SeedGenerator() got unexpected keyword argument(s): "
                            f"{sorted(kwargs)}")
        if seed is not None and (not isinstance(seed, (int, np.integer))
                                 or isinstance(seed, bool)):
            raise ValueError("Argument `seed` must be an integer. "
                             f"Received: seed={seed!r}")
        self._initial_seed = seed
        self.name = name or config.unique_name("seed_generator")
        self._rng = config.make_rng(None if seed is None else int(seed))

    def next(self, ordered: bool = True) -> np.random.Generator:
        """A Generator for the next draw (each call gives a different one)."""
        return np.random.default_rng(int(self._rng.integers(2**63)))

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> SeedGenerator:
        return cls(**config_)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name!r} seed={self._initial_seed}>"


def _generator(seed: Any) -> np.random.Generator:
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return config.make_rng()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise ValueError("`seed` must be an integer, a keras.random.SeedGenerator or None. "
                     f"Received: seed={seed!r}")


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _float(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype or config.floatx())
    if dtype.kind != "f":
        raise ValueError(f"`dtype` must be a float type. Received: dtype={dtype}")
    return dtype


def _out(values: Any, dtype: Any) -> Tensor:
    return np.asarray(values, dtype=dtype).view(Tensor)


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> Tensor:
    """Values from a normal distribution."""
    return _out(_generator(seed).normal(mean, stddev, _shape(shape)), _float(dtype))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> Tensor:
    """Values from a uniform distribution on ``[minval, maxval)``."""
    dtype = np.dtype(dtype or config.floatx())
    if dtype.kind in "iu":
        raise ValueError("`keras.random.uniform` requires a floating point `dtype`; use "
                         f"`keras.random.randint` for integers. Received: dtype={dtype}")
    return _out(_generator(seed).uniform(minval, maxval, _shape(shape)), dtype)


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> Tensor:
    """Integers from a uniform distribution on ``[minval, maxval)``."""
    return _out(_generator(seed).integers(minval, maxval, _shape(shape)), dtype)


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Tensor:
    """Normal values, redrawn beyond two standard deviations (Keras's rule)."""
    rng = _generator(seed)
    size = _shape(shape)
    values = rng.standard_normal(size)
    bad = np.abs(values) > 2.0
    while bad.any():
        values[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(values) > 2.0
    return _out(mean + stddev * values, _float(dtype))


def categorical(logits: Any, num_samples: int, dtype: Any = "int32",
                seed: Any = None) -> Tensor:
    """Class indices drawn from each row of unnormalized log-probabilities,
    shape ``(batch, num_samples)``."""
    logits = np.asarray(as_array(logits), dtype=np.float64)
    if logits.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, "
                         f"num_classes]. Received: logits.shape={logits.shape}")
    probs = special.softmax(logits, axis=-1)
    rng = _generator(seed)
    cumulative = np.cumsum(probs, axis=-1)
    draws = rng.random((logits.shape[0], int(num_samples)))
    picks = (draws[:, :, None] > cumulative[:, None, :-1]).sum(axis=-1)
    return _out(picks, dtype)


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Tensor:
    """``inputs`` with a fraction ``rate`` of values zeroed and the rest scaled by
    ``1 / (1 - rate)``."""
    x = as_array(inputs)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"`rate` must be in [0, 1). Received: rate={rate}")
    shape = x.shape if noise_shape is None else tuple(
        x.shape[i] if s is None else int(s) for i, s in enumerate(noise_shape))
    keep = _generator(seed).random(shape) >= rate
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(config.floatx())
    return _out(np.where(keep, x / (1.0 - rate), 0.0), dtype)


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """``x`` with its entries along ``axis`` in a random order."""
    x = as_array(x)
    order = _generator(seed).permutation(x.shape[axis])
    return np.take(x, order, axis=axis).view(Tensor)


def gamma(shape: Any, alpha: float, dtype: Any = None, seed: Any = None) -> Tensor:
    """Values from a gamma distribution of shape ``alpha`` (scale 1)."""
    return _out(_generator(seed).gamma(alpha, 1.0, _shape(shape)), _float(dtype))


def binomial(shape: Any, counts: Any, probabilities: Any, dtype: Any = None,
             seed: Any = None) -> Tensor:
    """Successes in ``counts`` trials of probability ``probabilities``."""
    values = _generator(seed).binomial(np.asarray(counts), np.asarray(probabilities),
                                       _shape(shape))
    return _out(values, _float(dtype))


def beta(shape: Any, alpha: Any, beta: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Values from a beta distribution."""
    return _out(_generator(seed).beta(np.asarray(alpha), np.asarray(beta), _shape(shape)),
                _float(dtype))

