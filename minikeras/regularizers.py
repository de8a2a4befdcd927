"""Weight regularizers: Keras's L1, L2 and L1L2 penalties, with their gradients.

``penalty(w)`` is added to the loss; ``grad(w)`` is added to the weight's
gradient. ``L2(l2)`` is ``l2 * sum(w ** 2)`` (no factor 1/2), as in Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import Registry
from ._tensor import Tensor

REGULARIZERS = Registry("regularizer")


class Regularizer:
    """Base class: ``__call__(w)`` is the penalty; ``grad(w)`` its gradient."""

    def __call__(self, x: Any) -> Any:
        """The penalty of ``x``: a 0-d array of ``x``'s float type, as Keras returns a
        scalar tensor (``float(r)`` and ``r.numpy()`` both work)."""
        value = self.penalty(x)
        dtype = getattr(x, "dtype", None)
        if dtype is None or np.dtype(dtype).kind != "f":
            return value
        return np.asarray(value, dtype=dtype).view(Tensor)

    def penalty(self, x: np.ndarray) -> float:
        raise NotImplementedError

    def grad(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(self._no_grad_message())

    def _no_grad_message(self) -> str:
        return (f"The regularizer {type(self).__name__} defines __call__(w) but not grad(w): "
                "minikeras has no automatic differentiation, so fit() needs the penalty's "
                "gradient with respect to w (an array shaped like w; see "
                "docs/extending.md). evaluate() and predict() work without it.")

    def add_grad(self, x: np.ndarray, out: np.ndarray) -> None:
        """``out += grad(x)``, without temporaries where possible."""
        out += self.grad(x)

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)


def _check(name: str, value: Any) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"Value for argument `{name}` must be a non-negative finite number. "
                         f"Received: {name}={value}")
    return value


@REGULARIZERS.register("l1_l2")
class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w ** 2)``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check("l1", l1)
        self.l2 = _check("l2", l2)

    def penalty(self, x):
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.abs(x).sum())
        if self.l2:
            total += self.l2 * float(np.vdot(x, x))
        return total

    def grad(self, x):
        g = np.zeros_like(x)
        self.add_grad(x, g)
        return g

    def add_grad(self, x, out):
        if self.l2:
            out += (2.0 * self.l2) * x
        if self.l1:
            out += self.l1 * np.sign(x)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@REGULARIZERS.register("l1")
class L1(L1L2):
    """``l1 * sum(|w|)``; ``l1=0.01`` by default."""

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


@REGULARIZERS.register("l2")
class L2(L1L2):
    """``l2 * sum(w ** 2)``; ``l2=0.01`` by default."""

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


@REGULARIZERS.register("orthogonal_regularizer")
class OrthogonalRegularizer(Regularizer):
    """``factor * mean |off-diagonal of normalized W W^T|`` (rows), as in Keras."""

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _check("factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError(f"Invalid value for argument `mode`. Expected one of "
                             f"{{'rows', 'columns'}}. Received: mode={mode}")
        self.mode = mode

    def _parts(self, x):
        m = x.T if self.mode == "columns" else x
        norms = np.sqrt(np.maximum((m * m).sum(axis=1, keepdims=True), 1e-12))
        n = m / norms
        prod = n @ n.T
        size = prod.shape[0]
        off = prod - np.eye(size)
        return m, norms, n, off, size

    def penalty(self, x):
        _, _, _, off, size = self._parts(x)
        return self.factor * float(np.abs(off).sum()) / (size * (size - 1))

    def grad(self, x):
        m, norms, n, off, size = self._parts(x)
        s = np.sign(off)
        np.fill_diagonal(s, 0.0)
        dn = self.factor / (size * (size - 1)) * (s + s.T) @ n
        dm = (dn - n * (dn * n).sum(axis=1, keepdims=True)) / norms
        return dm.T if self.mode == "columns" else dm

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


# Keras 3's lower-case spellings are the classes themselves (``l1_l2()`` is
# ``L1L2()``: no penalty unless given, unlike tf.keras 2's 0.01 each).
l1, l2, l1_l2 = L1, L2, L1L2
orthogonal_regularizer = OrthogonalRegularizer


def get(identifier: Any) -> Regularizer | None:
    """Resolve None, a name (``"l2"``), a class, an instance or a config dict.

    ``"l1"`` and ``"l2"`` are 0.01 penalties, as in Keras; ``"l1_l2"`` (which Keras 3
    does not accept) is both at 0.01, while ``"L1L2"`` is Keras's ``L1L2()``.
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str) and identifier == "l1_l2":
        return L1L2(l1=0.01, l2=0.01)
    if isinstance(identifier, (str, dict, type)):
        return REGULARIZERS.get(identifier)
    if callable(identifier):
        raise ValueError(
            "A plain function cannot be a regularizer: its gradient is needed. Subclass "
            "mk.regularizers.Regularizer with penalty() and grad().")
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")


def serialize(regularizer: Regularizer) -> dict[str, Any]:
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    from .saving import serialize_keras_object

    return serialize_keras_object(regularizer)


def deserialize(config: Any) -> Regularizer | None:
    return get(config)
