"""Data-parallel training (``mk.distribution``): Keras 3's names over MPI.

Until a distribution is set, minikeras runs in one process and never
imports mpi4py.
"""

from __future__ import annotations

from typing import Any

_distribution: Any = None


def set_distribution(value: Any) -> None:
    """Make ``value`` (a :class:`DataParallel`, or None) the global distribution."""
    global _distribution
    _distribution = value


def distribution() -> Any:
    """The global distribution, or None."""
    return _distribution


def current_shard() -> tuple[int, int] | None:
    """``(rank, size)`` when a data-parallel distribution with several ranks is set."""
    if _distribution is None:
        return None
    shard = getattr(_distribution, "shard", None)
    return shard() if callable(shard) else None


def initialize(job_addresses: Any = None, num_processes: Any = None,
               process_id: Any = None) -> None:
    """Accepted for Keras multi-process code; MPI's launcher already set everything up."""
