"""Keras's dtype policies (``keras.DTypePolicy``, ``keras.mixed_precision``), for NumPy.

A policy names the dtype of a layer's weights and of its computations. minikeras
computes in one float type per layer, so the plain policies (``"float16"``,
``"float32"``, ``"float64"``) are exactly Keras's, and the mixed ones
(``"mixed_float16"``, ``"mixed_bfloat16"``: float32 weights, half-precision
computations, a GPU speed-up) run in float32, their weights' type, with one warning:
the results differ from Keras's by half-precision rounding only. ``set_global_policy``
sets the policy of every layer created afterwards, as in Keras.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

_MIXED = ("mixed_float16", "mixed_bfloat16")

_global: DTypePolicy | None = None
_warned_mixed = False


class DTypePolicy:
    """A layer's dtype policy: ``name``, ``compute_dtype`` and ``variable_dtype``.

    Args:
        name: a NumPy number type (``"float32"``, ``"int32"``...), ``"mixed_float16"``
            or ``"mixed_bfloat16"``; None means ``keras.config.floatx()``.
    """

    def __init__(self, name: str | None = None) -> None:
        from .config import floatx

        if name is None:
            name = floatx()
        if isinstance(name, DTypePolicy):
            name = name.name
        if name not in _MIXED:
            try:  # any NumPy number type is a plain policy (int32 inputs too, as in Keras)
                plain = np.dtype(name)
            except TypeError:
                plain = None
            if plain is None or plain.kind not in "biuf":
                raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. "
                                 "Valid policies include 'mixed_float16', 'mixed_bfloat16', "
                                 "and the name of a NumPy number type.")
            name = plain.name
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def variable_dtype(self) -> str:
        """The weights' dtype: float32 under a mixed policy."""
        return "float32" if self._name in _MIXED else self._name

    @property
    def compute_dtype(self) -> str:
        """The computations' dtype here: the weights' (Keras computes mixed policies in
        half precision; minikeras in float32)."""
        return self.variable_dtype

    @property
    def quantization_mode(self) -> None:
        return None

    def get_config(self) -> dict[str, Any]:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DTypePolicy:
        return cls(**config)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy
Policy = DTypePolicy  # tf.keras 2's name, still used by mixed-precision guides


def get(identifier: Any) -> DTypePolicy:
    """A policy from a name, a dtype, a policy or Keras's config dict."""
    if isinstance(identifier, dict):
        config = identifier.get("config", identifier)
        return DTypePolicy(config.get("name"))
    return DTypePolicy(identifier)


def layer_dtype(dtype: Any) -> str:
    """The weights' dtype name a layer takes from its ``dtype=`` argument (a dtype, a
    policy, a policy name or config dict, or None for the global policy)."""
    policy = dtype_policy() if dtype is None else get(dtype)
    if policy.name in _MIXED:
        _warn_mixed(policy.name)
    return policy.variable_dtype


def _warn_mixed(name: str) -> None:
    global _warned_mixed
    if not _warned_mixed:
        _warned_mixed = True
        warnings.warn(f"The dtype policy {name!r} computes in half precision in Keras; "
                      "minikeras computes in float32, the policy's weight dtype (results differ "
                      "by half-precision rounding only).", UserWarning, stacklevel=4)


def dtype_policy() -> DTypePolicy:
    """The global policy: the last one set, else ``floatx()``'s."""
    return _global if _global is not None else DTypePolicy()


def set_dtype_policy(policy: Any) -> None:
    """Set the policy of every layer created afterwards (None: back to ``floatx()``)."""
    global _global, _warned_mixed
    _global = None if policy is None else get(policy)
    _warned_mixed = False  # a mixed policy set again is said again


global_policy = dtype_policy
set_global_policy = set_dtype_policy
