"""Linear algebra (``ops.linalg``; also at ``ops`` top level, as in Keras): ``numpy.linalg``.

Integer and bool inputs are computed in ``floatx``; float inputs keep their dtype.
Matrices are the last two axes, so stacks of matrices work wherever NumPy allows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from .core import _floating, _out, _promote
from .reductions import norm

__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "logdet", "lstsq",
           "lu_factor", "matrix_rank", "norm", "pinv", "qr", "slogdet", "solve",
           "solve_triangular", "svd"]


def _matrix(x: Any, square: bool = True) -> np.ndarray:
    a = _floating(x)
    if a.ndim < 2:
        raise ValueError(f"Expected input to have rank >= 2. Received input with shape {a.shape}.")
    if square and a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Expected a square matrix. Received non-square input with shape "
                         f"{a.shape}")
    return a


def _pair(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = _promote(a, b)
    if x.dtype.kind not in "fc":
        x, y = _floating(x), _floating(y)
    return _matrix(x), y


def cholesky(x: Any, upper: bool = False) -> Tensor:
    """The Cholesky factor of a symmetric positive-definite matrix (lower, or upper)."""
    a = _matrix(x)
    try:
        low = np.linalg.cholesky(a)
    except np.linalg.LinAlgError as e:
        raise ValueError(f"Cholesky decomposition failed: {e}") from e
    return _out(np.conj(np.swapaxes(low, -1, -2)) if upper else low)


def cholesky_inverse(x: Any, upper: bool = False) -> Tensor:
    """The inverse of ``A`` from its Cholesky factor ``x`` (``A = L L^T`` or ``U^T U``)."""
    factor = _matrix(x)
    inv_factor = np.linalg.inv(factor)
    t = np.swapaxes(inv_factor, -1, -2)
    return _out(inv_factor @ t if upper else t @ inv_factor)


def det(x: Any) -> Tensor:
    """The determinant of a square matrix (or of each in a stack)."""
    return _out(np.linalg.det(_matrix(x)))


def slogdet(x: Any) -> tuple[Tensor, Tensor]:
    """The sign and the log of the absolute value of the determinant."""
    sign, logabs = np.linalg.slogdet(_matrix(x))
    return _out(sign), _out(logabs)


def logdet(x: Any) -> Tensor:
    """The log-determinant of a Hermitian positive-definite matrix."""
    return slogdet(x)[1]


def eig(x: Any) -> tuple[Tensor, Tensor]:
    """Eigenvalues and right eigenvectors (columns) of a square matrix (complex if need be)."""
    values, vectors = np.linalg.eig(_matrix(x))
    return _out(values), _out(vectors)


def eigh(x: Any) -> tuple[Tensor, Tensor]:
    """Ascending eigenvalues and eigenvectors (columns) of a symmetric matrix."""
    values, vectors = np.linalg.eigh(_matrix(x))
    return _out(values), _out(vectors)


def inv(x: Any) -> Tensor:
    """The inverse of a square matrix."""
    return _out(np.linalg.inv(_matrix(x)))


def lu_factor(x: Any) -> tuple[Tensor, Tensor]:
    """SciPy's packed LU factorization and the int32 pivot indices (``scipy.linalg.lu_factor``)."""
    import scipy.linalg

    a = _matrix(x, square=False)
    if a.ndim == 2:
        lu, piv = scipy.linalg.lu_factor(a)
    else:
        m, n = a.shape[-2:]
        sig = "(m,n)->(m,n),(" + ("m" if m <= n else "n") + ")"
        lu, piv = np.vectorize(scipy.linalg.lu_factor, signature=sig)(a)
    return _out(lu), _out(np.asarray(piv).astype(np.int32))


def qr(x: Any, mode: str = "reduced") -> tuple[Tensor, Tensor]:
    """``Q`` and ``R`` with ``x = Q @ R`` (``mode`` ``"reduced"`` or ``"complete"``)."""
    if mode not in {"reduced", "complete"}:
        raise ValueError("`mode` argument value not supported. Expected one of "
                         f"{{'reduced', 'complete'}}. Received: mode={mode}")
    q, r = np.linalg.qr(_matrix(x, square=False), mode=mode)
    return _out(q), _out(r)


def solve(a: Any, b: Any) -> Tensor:
    """``x`` with ``a @ x = b``."""
    m, rhs = _pair(a, b)
    return _out(np.linalg.solve(m, rhs))


def solve_triangular(a: Any, b: Any, lower: bool = False) -> Tensor:
    """``x`` with ``a @ x = b`` for a triangular ``a`` (upper unless ``lower``)."""
    import scipy.linalg

    m, rhs = _pair(a, b)
    if m.ndim == 2:
        return _out(scipy.linalg.solve_triangular(m, rhs, lower=lower))
    one = np.vectorize(lambda p, q: scipy.linalg.solve_triangular(p, q, lower=lower),
                       signature="(n,n),(n,k)->(n,k)")
    if rhs.ndim == m.ndim - 1:
        return _out(one(m, rhs[..., None])[..., 0])
    return _out(one(m, rhs))


def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """``(u, s, vh)`` with ``x = u @ diag(s) @ vh``; only ``s`` when not ``compute_uv``."""
    a = _matrix(x, square=False)
    if not compute_uv:
        return _out(np.linalg.svd(a, compute_uv=False))
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return _out(u), _out(s), _out(vh)


def lstsq(a: Any, b: Any, rcond: float | None = None) -> Tensor:
    """The least-squares solution ``x`` of ``a @ x = b``."""
    x, y = _promote(a, b)
    x, y = _floating(x), _floating(y)
    if x.ndim != 2:
        raise TypeError(f"{x.ndim}-dimensional array given. Array must be two-dimensional")
    return _out(np.linalg.lstsq(x, y, rcond=rcond)[0])


def matrix_rank(x: Any, tol: float | None = None) -> Tensor:
    """The rank (int32) of a matrix, by counting singular values above ``tol``."""
    return _out(np.asarray(np.linalg.matrix_rank(_matrix(x, square=False), tol=tol))
                .astype(np.int32))


def pinv(x: Any, rcond: float | None = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse."""
    a = _matrix(x, square=False)
    kwargs = {} if rcond is None else {"rcond": rcond}
    return _out(np.linalg.pinv(a, **kwargs))
