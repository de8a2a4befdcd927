"""Keras's ``backend`` namespace: the settings of :mod:`minikeras.config` plus ``clear_session``."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from .utils import is_keras_tensor, standardize_dtype

__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
           "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon",
           "set_floatx", "set_image_data_format", "standardize_dtype"]

_uids: dict[str, itertools.count] = {}


def get_uid(prefix: str = "") -> int:
    """1, 2, 3... per prefix, as Keras's ``backend.get_uid`` (reset by ``clear_session``)."""
    return next(_uids.setdefault(prefix, itertools.count(1)))


def is_float_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` (a name, a NumPy dtype or type) is a floating-point type."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer type."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def result_type(*dtypes: Any) -> str:
    """The type an operation on these types gives: as Keras 3, a float type among them
    wins over every integer type (``int64`` with ``float16`` is ``float16``)."""
    # Python's int and float are weak, as in Keras: they do not widen a typed operand.
    strong = [standardize_dtype(d) for d in dtypes if d not in (int, float)]
    if not strong:
        return floatx() if float in dtypes or not dtypes else "int32"
    floats = [n for n in strong if is_float_dtype(n)]
    if float in dtypes and not floats:
        return floatx()
    return np.result_type(*(floats or strong)).name


def clear_session(free_memory: bool = True) -> None:
    """Reset the automatic-name counters, so the next Dense is ``dense`` again."""
    from . import config

    config.reset_names()
    _uids.clear()
