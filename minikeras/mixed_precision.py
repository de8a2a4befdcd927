"""``keras.mixed_precision``: the dtype policies of :mod:`minikeras.dtype_policies`.

Mixed policies run in float32 here (see that module); ``LossScaleOptimizer`` is the
optimizer it wraps, since float32 gradients need no loss scaling.
"""

from __future__ import annotations

import warnings
from typing import Any

from .dtype_policies import (
    DTypePolicy,
    Policy,
    dtype_policy,
    global_policy,
    set_dtype_policy,
    set_global_policy,
)

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]


def LossScaleOptimizer(inner_optimizer: Any, initial_scale: float = 2.0 ** 15,  # noqa: N802
                       dynamic_growth_steps: int = 2000, **kwargs: Any) -> Any:
    """Keras's loss-scaling wrapper, for float16 gradients; minikeras's gradients are
    float32 (or float64), so it returns ``inner_optimizer`` itself, with a warning."""
    from .optimizers import get

    warnings.warn("LossScaleOptimizer: minikeras trains in float32, where losses need no "
                  "scaling; the inner optimizer is used as it is.", UserWarning, stacklevel=2)
    return get(inner_optimizer)
