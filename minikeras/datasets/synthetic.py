"""Synthetic data sets drawn from a seed: two moons, Gaussian blobs, a noisy line.

Each generator draws from its own ``numpy.random.default_rng(seed)`` (no global
state): the same seed gives the same arrays, in any process. Arrays are float64
features ``(n_samples, n_features)`` and targets ``(n_samples,)``, as
scikit-learn's ``make_moons``/``make_blobs``/``make_regression`` return them
(the argument is ``seed`` here, their ``random_state``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["make_blobs", "make_linear_regression", "make_moons"]


def _count(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}")
    return int(value)


def _nonnegative(name: str, value: Any) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"`{name}` must be a finite number >= 0. Received: {name}={value!r}")
    return value


def make_moons(n_samples: int = 100, noise: float = 0.0, shuffle: bool = True,
               seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D: a binary problem no straight line separates.

    Class 0 is the upper half circle ``(cos t, sin t)``, class 1 the lower one
    ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in [0, pi]; Gaussian noise
    of standard deviation ``noise`` is added to each coordinate.

    Returns:
        ``(x, y)``: x float64 ``(n_samples, 2)``, y int64 ``(n_samples,)`` in {0, 1}.
    """
    n = _count("n_samples", n_samples, 2)
    noise = _nonnegative("noise", noise)
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        np.stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    if noise:
        x += rng.normal(scale=noise, size=x.shape)
    if shuffle:
        order = rng.permutation(n)
        x, y = x[order], y[order]
    return x, y


def make_blobs(n_samples: int = 100, centers: int | Any = 3, n_features: int = 2,
               cluster_std: float = 1.0, center_box: tuple[float, float] = (-10.0, 10.0),
               shuffle: bool = True, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters: a multiclass problem with one class per blob.

    Args:
        centers: the number of blobs (their centres drawn uniformly in ``center_box``)
            or an array ``(n_centers, n_features)`` of centres.
        cluster_std: standard deviation of every blob.

    Returns:
        ``(x, y)``: x float64 ``(n_samples, n_features)``, y int64 ``(n_samples,)``, the
        blob of each row (sizes differ by at most one).
    """
    n = _count("n_samples", n_samples)
    std = _nonnegative("cluster_std", cluster_std)
    rng = np.random.default_rng(seed)
    if np.ndim(centers) == 0:
        k = _count("centers", centers)
        d = _count("n_features", n_features)
        lo, hi = center_box
        means = rng.uniform(lo, hi, size=(k, d))
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2 or len(means) == 0:
            raise ValueError("`centers` must be an int or an array (n_centers, n_features); "
                             f"received shape {means.shape}.")
        k = len(means)
    y = np.arange(n, dtype=np.int64) % k
    y.sort()
    x = means[y] + rng.normal(scale=std, size=(n, means.shape[1]))
    if shuffle:
        order = rng.permutation(n)
        x, y = x[order], y[order]
    return x, y


def make_linear_regression(n_samples: int = 100, n_features: int = 1, noise: float = 0.0,
                           bias: float = 0.0, coef: Any = None, return_coef: bool = False,
                           seed: int | None = None) -> tuple[np.ndarray, ...]:
    """A linear target with Gaussian noise: ``y = x @ coef + bias + noise * N(0, 1)``.

    Features are standard normal. Unless given, ``coef`` is drawn uniformly from
    [-2, 2] per feature.

    Returns:
        ``(x, y)``: x float64 ``(n_samples, n_features)``, y float64 ``(n_samples,)``;
        ``(x, y, coef)`` with ``return_coef=True``.
    """
    n = _count("n_samples", n_samples)
    d = _count("n_features", n_features)
    noise = _nonnegative("noise", noise)
    rng = np.random.default_rng(seed)
    if coef is None:
        coef = rng.uniform(-2.0, 2.0, size=d)
    coef = np.asarray(coef, dtype=np.float64).reshape(-1)
    if coef.shape != (d,):
        raise ValueError(f"`coef` needs {d} values (one per feature); received {coef.size}.")
    x = rng.normal(size=(n, d))
    y = x @ coef + float(bias)
    if noise:
        y = y + rng.normal(scale=noise, size=n)
    return (x, y, coef) if return_coef else (x, y)
