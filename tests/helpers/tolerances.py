"""The tolerance pairs of ../shared/CORRECTIONS.md, in one place.

Every numeric comparison in the tests goes through :func:`assert_close`, which
always uses a relative *and* an absolute tolerance (values near zero).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: kind -> (rtol, atol)
TOLERANCES = {
    "keras64": (1e-6, 1e-9),       # float64 against Keras golden numbers
    "internal64": (1e-7, 1e-12),   # between two float64 paths of ours
    "distributed64": (1e-7, 1e-10),  # N ranks against one process, float64
    "float32": (1e-5, 1e-6),       # float32 anything
    # float32 against Keras's float16 computations (mixed precision): float16's epsilon
    # (9.8e-4) twice, relative and absolute; outside CORRECTIONS.md's pairs, which have
    # no float16 one.
    "float16": (2e-3, 2e-3),
}


def assert_close(actual: Any, expected: Any, kind: str = "keras64", err_msg: str = "") -> None:
    """``np.testing.assert_allclose`` with the named (rtol, atol) pair."""
    rtol, atol = TOLERANCES[kind]
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64),
                               rtol=rtol, atol=atol, err_msg=err_msg)
