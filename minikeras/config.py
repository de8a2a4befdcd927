"""Global settings: the only module-level state in minikeras.

Owns the default float type, the fuzz factor epsilon, the one global seed from
which every model and layer derives its own ``numpy.random.Generator``, and the
per-process counters behind Keras's automatic names (``dense``, ``dense_1``...).
"""

from __future__ import annotations

import random as _pyrandom
import re
from collections import defaultdict
from typing import Any

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_VALID_FLOATX = ("float16", "float32", "float64")

# The seed tree: each object that needs randomness asks for a child, so two
# models never share a stream, and the same seed gives the same children in the
# same creation order, in one process or two. None until a seed is set (or a
# data-parallel job shares rank 0's entropy): objects then draw their seeds from
# Python's `random` instead (see make_rng).
_seed_sequence: np.random.SeedSequence | None = None
_global_seed: int | None = None
_name_counters: dict[str, int] = defaultdict(int)


def floatx() -> str:
    """Return the default float type as a string: ``"float32"`` unless changed."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the float type that new layers, losses and metrics use.

    Args:
        value: ``"float16"``, ``"float32"`` or ``"float64"``.
    """
    global _FLOATX
    value = str(np.dtype(value)) if not isinstance(value, str) else value
    if value not in _VALID_FLOATX:
        raise ValueError(
            f"Unknown `floatx` value: {value!r}. Expected one of {', '.join(_VALID_FLOATX)}."
        )
    _FLOATX = value


def epsilon() -> float:
    """Return the fuzz factor used in numeric expressions (1e-7 by default)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def backend() -> str:
    """The backend's name: ``"numpy"`` (Keras 3 has a NumPy backend by that name too)."""
    return "numpy"


_IMAGE_DATA_FORMAT = "channels_last"
_INTERACTIVE_LOGGING = True
_TRACEBACK_FILTERING = True
_MAX_EPOCHS: int | None = None
_MAX_STEPS_PER_EPOCH: int | None = None


def image_data_format() -> str:
    """``"channels_last"`` (Keras's default) unless :func:`set_image_data_format` changed it;
    ``Flatten`` and ``Reshape``-free MLPs do not depend on it."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Keras's setting, kept for the layers that read it (``Flatten``'s default)."""
    global _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _IMAGE_DATA_FORMAT = value


def is_interactive_logging_enabled() -> bool:
    """Whether progress bars and messages go to stdout (True, Keras's default) or to
    Python's ``logging`` (logger ``"minikeras"``, level INFO), as Keras sends them to absl."""
    return _INTERACTIVE_LOGGING


def enable_interactive_logging() -> None:
    """Print progress and messages to stdout again."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = True


def disable_interactive_logging() -> None:
    """Send progress and messages to ``logging`` instead of stdout (no progress bars)."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = False


def is_traceback_filtering_enabled() -> bool:
    """Keras's switch for shortening tracebacks; minikeras raises its errors from short,
    plain Python stacks, so the switch changes nothing but is kept for Keras programs."""
    return _TRACEBACK_FILTERING


def enable_traceback_filtering() -> None:
    """See :func:`is_traceback_filtering_enabled`."""
    global _TRACEBACK_FILTERING
    _TRACEBACK_FILTERING = True


def disable_traceback_filtering() -> None:
    """See :func:`is_traceback_filtering_enabled`."""
    global _TRACEBACK_FILTERING
    _TRACEBACK_FILTERING = False


def max_epochs() -> int | None:
    """The cap on ``fit``'s epochs (None: no cap), as Keras's ``config.max_epochs``."""
    return _MAX_EPOCHS


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap every later ``fit`` at this many epochs (a quick test run of a long program)."""
    global _MAX_EPOCHS
    _MAX_EPOCHS = max_epochs


def max_steps_per_epoch() -> int | None:
    """The cap on each epoch's training steps (None: no cap)."""
    return _MAX_STEPS_PER_EPOCH


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap each later epoch's training steps (with Keras's warning when it applies)."""
    global _MAX_STEPS_PER_EPOCH
    _MAX_STEPS_PER_EPOCH = max_steps_per_epoch


def dtype_policy() -> Any:
    """The global :class:`~minikeras.dtype_policies.DTypePolicy` (``floatx()``'s unless set)."""
    from .dtype_policies import dtype_policy as current

    return current()


def set_dtype_policy(policy: Any) -> None:
    """Set the dtype policy of every layer created afterwards (Keras's ``set_dtype_policy``)."""
    from .dtype_policies import set_dtype_policy as set_policy

    set_policy(policy)


def say(text: str, end: str = "\n") -> None:
    """Print ``text`` to stdout, or log it when interactive logging is disabled."""
    import sys

    if _INTERACTIVE_LOGGING:
        sys.stdout.write(text + end)
        sys.stdout.flush()
    else:
        import logging

        logging.getLogger("minikeras").info(text)


def set_random_seed(seed: int) -> None:
    """Seed minikeras's global seed, and Python's and NumPy's global generators.

    Every model, layer and initializer created afterwards derives its own
    Generator from this seed, in creation order. As Keras does, Python's
    ``random`` and NumPy's legacy global generator are seeded too, for the
    user's own data code; minikeras itself never draws from them.
    """
    global _seed_sequence, _global_seed
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"Expected `seed` to be an integer. Received: seed={seed!r}")
    seed = int(seed)
    _global_seed = seed
    _seed_sequence = np.random.SeedSequence(seed)
    _pyrandom.seed(seed)
    np.random.seed(seed % (2**32))


def global_seed() -> int | None:
    """Return the seed last given to :func:`set_random_seed`, or None."""
    return _global_seed


def make_rng(seed: int | None = None) -> np.random.Generator:
    """Return a new Generator: from ``seed`` when given, else a child of the global seed.

    Before any :func:`set_random_seed`, the Generator's seed is drawn from
    Python's ``random``, as Keras draws an unseeded object's seed
    (``keras.random.make_default_seed``): ``random.seed(n)`` alone then makes a
    program's weights and shuffling repeat, there and here.
    """
    if seed is not None:
        return np.random.default_rng(seed)
    if _seed_sequence is None:
        return np.random.default_rng(_pyrandom.getrandbits(128))
    (child,) = _seed_sequence.spawn(1)
    return np.random.default_rng(child)


def enable_unsafe_deserialization() -> None:
    """Keras's switch that lets ``load_model`` run the code a file holds (a ``Lambda``'s
    bytecode). minikeras never runs code from a file, so there is nothing to switch: a
    ``Lambda`` saves its registered function's name, and bytecode is refused either way.
    Kept so that programs calling it before loading work unchanged."""


def to_snake_case(name: str) -> str:
    """``"BatchNormalization"`` -> ``"batch_normalization"``, as Keras names objects."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """Keras's automatic names: ``prefix`` first, then ``prefix_1``, ``prefix_2``..."""
    count = _name_counters[prefix]
    _name_counters[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names() -> None:
    """Reset the automatic-name counters (``backend.clear_session`` calls this)."""
    _name_counters.clear()
