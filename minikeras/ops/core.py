"""Conversion and Keras 3's dtype rules for :mod:`minikeras.ops` (see the package docstring)."""

from __future__ import annotations

import builtins
import functools
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


# ------------------------------------------------------------------ dtypes and control flow
def dtype(x: Any) -> str:
    """The standardized dtype name of ``x``, such as ``"float32"``."""
    return _arr(x).dtype.name


def saturate_cast(x: Any, dtype: Any) -> Tensor:
    """``x`` cast to ``dtype`` after clipping to that dtype's range (no wrap-around)."""
    a, target = _arr(x), np.dtype(dtype)
    if target.kind == "b":
        low, high = 0, 1
    elif target.kind in "iu":
        low, high = np.iinfo(target).min, np.iinfo(target).max
    else:
        low, high = np.finfo(target).min, np.finfo(target).max
    if a.dtype.kind in "iu":  # keep both bounds representable in the source dtype
        info = np.iinfo(a.dtype)
        low, high = builtins.max(low, info.min), builtins.min(high, info.max)
    if a.dtype.kind in "fc" or a.dtype.kind in "iu":
        a = np.clip(a, np.asarray(low).astype(a.dtype), np.asarray(high).astype(a.dtype))
    return _out(a.astype(target))


def cond(pred: Any, true_fn: Any, false_fn: Any) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()``."""
    return true_fn() if bool(_arr(pred)) else false_fn()


def switch(index: Any, branches: Any, *operands: Any) -> Any:
    """``branches[index](*operands)``, with ``index`` clamped into range."""
    i = int(np.clip(int(_arr(index)), 0, len(branches) - 1))
    return branches[i](*operands)


def while_loop(cond: Any, body: Any, loop_vars: Any, maximum_iterations: int | None = None
               ) -> Any:
    """Apply ``body`` to ``loop_vars`` while ``cond(*loop_vars)`` holds.

    A tuple or list of loop variables is unpacked into ``cond`` and ``body`` and a tuple
    comes back; a single variable is passed and returned as is.
    """
    is_tuple = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if is_tuple else (loop_vars,)
    steps = 0
    while (maximum_iterations is None or steps < maximum_iterations) and bool(
            _arr(cond(*state))):
        new = body(*state)
        state = tuple(new) if isinstance(new, (tuple, list)) else (new,)
        steps += 1
    return state if is_tuple else state[0]


def fori_loop(lower: int, upper: int, body_fun: Any, init_val: Any) -> Any:
    """``init_val`` passed through ``body_fun(i, val)`` for ``i`` in ``range(lower, upper)``."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def _flatten(tree: Any) -> list[Any]:
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _flatten(item)]
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in _flatten(tree[key])]
    return [tree]


def _unflatten(tree: Any, leaves: Any) -> Any:
    it = iter(leaves)

    def build(t: Any) -> Any:
        if isinstance(t, (list, tuple)):
            return type(t)(build(item) for item in t)
        if isinstance(t, dict):
            return {key: build(t[key]) for key in sorted(t)}
        return next(it)

    return build(tree)


def _stack_trees(items: list[Any]) -> Any:
    if not items:
        return None
    leaves = [_flatten(item) for item in items]
    stacked = [_out(np.stack([_arr(leaf[i]) for leaf in leaves])) for i in range(len(leaves[0]))]
    return _unflatten(items[0], stacked)


def scan(f: Any, init: Any, xs: Any = None, length: int | None = None, reverse: bool = False,
         unroll: int | bool = 1) -> tuple[Any, Any]:
    """``jax.lax.scan``: thread a carry through ``f(carry, x)`` over the leading axis of ``xs``.

    Returns the final carry and the per-step outputs stacked along a new first axis.
    """
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    if xs is None and length is None:
        raise ValueError("Got no `xs` to scan over and `length` not provided.")
    leaves = [] if xs is None else [_arr(leaf) for leaf in _flatten(xs)]
    n = int(length) if length is not None else leaves[0].shape[0]
    carry = init
    ys = []
    order = range(n - 1, -1, -1) if reverse else range(n)
    for i in order:
        x = None if xs is None else _unflatten(xs, [_out(leaf[i]) for leaf in leaves])
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, _stack_trees(ys)


def map(f: Any, xs: Any) -> Any:  # noqa: A001
    """``f`` applied to each slice along the leading axis of ``xs``, results stacked."""
    leaves = [_arr(leaf) for leaf in _flatten(xs)]
    n = leaves[0].shape[0]
    return _stack_trees([f(_unflatten(xs, [_out(leaf[i]) for leaf in leaves]))
                         for i in range(n)])


def vectorized_map(function: Any, elements: Any) -> Any:
    """``function`` applied to each slice of ``elements`` along axis 0, results stacked.

    A list or tuple of arrays is sliced together and passed to ``function`` as a list.
    """
    if isinstance(elements, (list, tuple)):
        arrays = [_arr(e) for e in elements]
        items = [function([a[i] for a in arrays]) for i in range(arrays[0].shape[0])]
    else:
        items = [function(_out(e)) for e in _arr(elements)]
    return _stack_trees(items)


def vectorize(pyfunc: Any, *, excluded: Any = None, signature: str | None = None) -> Any:
    """``numpy.vectorize`` of ``pyfunc``; the wrapper returns arrays."""
    vectorized = np.vectorize(pyfunc, excluded=excluded or set(), signature=signature)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = vectorized(*args, **kwargs)
        return tuple(_out(r) for r in result) if isinstance(result, tuple) else _out(result)

    return wrapper


def associative_scan(f: Any, elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    """Inclusive scan of ``elems`` along ``axis`` with the associative ``f(a, b)``.

    Computed sequentially (same results as ``jax.lax.associative_scan`` for an
    associative ``f``).
    """
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    leaves = [np.moveaxis(_arr(leaf), axis, 0) for leaf in _flatten(elems)]
    if reverse:
        leaves = [leaf[::-1] for leaf in leaves]
    n = leaves[0].shape[0]
    if builtins.any(leaf.shape[0] != n for leaf in leaves):
        raise ValueError("Array inputs to associative_scan must have the same first dimension.")
    acc = [leaf[0] for leaf in leaves]
    steps = [acc]
    for i in range(1, n):
        combined = f(_unflatten(elems, [_out(a) for a in acc]),
                     _unflatten(elems, [_out(leaf[i]) for leaf in leaves]))
        acc = [_arr(c) for c in _flatten(combined)]
        steps.append(acc)
    outs = [np.stack([step[j] for step in steps]) for j in range(len(leaves))]
    if reverse:
        outs = [o[::-1] for o in outs]
    return _unflatten(elems, [_out(np.moveaxis(o, 0, axis)) for o in outs])


class custom_gradient:  # noqa: N801
    """Decorator for ``f(*args) -> (outputs, grad_fn)``: here only the forward pass runs.

    Gradients in minikeras are numerical, so ``grad_fn`` is never called (as Keras's
    NumPy backend, which also only runs the forward pass).
    """

    def __init__(self, f: Any) -> None:
        self.f = f
        functools.update_wrapper(self, f)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        outputs, _ = self.f(*args, **kwargs)
        return outputs
