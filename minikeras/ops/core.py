"""Conversion and Keras 3's dtype rules for :mod:`minikeras.ops` (see the package docstring)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import config
from .._tensor import Tensor, as_array


def _out(value: Any) -> Tensor:
    return np.asarray(value).view(Tensor)


def _is_weak(x: Any) -> bool:
    """A Python int or float (not bool, not a NumPy scalar): it adapts to the other operand."""
    return isinstance(x, (int, float)) and not isinstance(x, (bool, np.generic))


def _arr(x: Any) -> np.ndarray:
    """``x`` as a plain array; Python data takes Keras's defaults (floatx, int32)."""
    if isinstance(x, (np.ndarray, np.generic)) or not isinstance(x, (bool, int, float, list,
                                                                       tuple)):
        return as_array(x)
    a = np.asarray(x)
    if a.dtype == np.float64:
        return a.astype(config.floatx())
    if a.dtype == np.int64 and (a.size == 0 or (a.min() >= -2**31 and a.max() < 2**31)):
        return a.astype(np.int32)
    return a


def _floating(x: Any) -> np.ndarray:
    a = _arr(x)
    return a if a.dtype.kind in "fc" else a.astype(config.floatx())


def _dtype(dtype: Any) -> Any:
    return config.floatx() if dtype is None else np.dtype(dtype)


def _promote(*xs: Any) -> list[np.ndarray]:
    """The operands as arrays of one dtype, chosen by Keras's rules (module docstring)."""
    weak = [x for x in xs if _is_weak(x)]
    arrays = [None if _is_weak(x) else _arr(x) for x in xs]
    dtypes = [a.dtype for a in arrays if a is not None]
    floats = [d for d in dtypes if d.kind in "fc"]
    dtype = np.result_type(*(floats or dtypes)) if dtypes else None
    if builtins.any(isinstance(w, float) for w in weak) and (dtype is None
                                                             or dtype.kind in "biu"):
        dtype = np.dtype(config.floatx())
    elif weak and (dtype is None or dtype.kind == "b"):
        dtype = np.dtype(np.int32)
    if dtype.kind in "iu":  # a Python int that does not fit widens, rather than wrapping
        info = np.iinfo(dtype)
        for w in weak:
            if not info.min <= w <= info.max:
                dtype = np.result_type(dtype, np.asarray(w))
    return [np.asarray(x, dtype) if a is None else a.astype(dtype, copy=False)
            for x, a in zip(xs, arrays)]


def _accumulator(a: np.ndarray) -> np.dtype:
    """Keras's (JAX's) sum dtype: bools and small ints add up in 32 bits."""
    if a.dtype.kind == "b" or a.dtype in (np.int8, np.int16):
        return np.dtype(np.int32)
    if a.dtype in (np.uint8, np.uint16):
        return np.dtype(np.uint32)
    return a.dtype


def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (a name such as ``"float32"`` or a NumPy dtype)."""
    return _out(_arr(x).astype(np.dtype(dtype), copy=False))


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None, ragged: Any = None
                      ) -> Tensor:
    """An array of ``x``: Python floats become ``floatx``, Python ints int32."""
    a = _arr(x)
    return _out(a if dtype is None else a.astype(np.dtype(dtype), copy=False))


def convert_to_numpy(x: Any) -> np.ndarray:
    """A plain ``numpy.ndarray`` of ``x``."""
    return np.asarray(as_array(x)).view(np.ndarray)


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is an array (every tensor is a NumPy array here)."""
    return isinstance(x, np.ndarray)


def stop_gradient(variable: Any) -> Tensor:
    """``variable`` unchanged (gradients here are numerical, so there is nothing to stop)."""
    return _out(_arr(variable))
