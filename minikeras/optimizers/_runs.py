"""Ranges of a flat buffer: ``(start, stop)`` runs of variables, merged where adjacent.

A model passes the runs that train (frozen weights left out) or one rank's
share; weight-decay exclusion is the list of runs that decay.
"""

from __future__ import annotations

import numpy as np

from ..layers.base import FlatBuffer


def _runs(flags: list[bool], offsets: np.ndarray) -> list[tuple[int, int]]:
    """Merge adjacent segments whose flag is True into ``(start, stop)`` ranges."""
    segments = [(int(a), int(b)) for a, b in zip(offsets[:-1], offsets[1:])]
    return _runs_of([i for i, flag in enumerate(flags) if flag], segments)


def _runs_of(indices: list[int], segments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges covering the given segments (sorted indices), adjacent ones merged."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        a, b = segments[i]
        if a == b:
            continue
        if runs and runs[-1][1] == a:
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return runs


def _intersect(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in xs:
        for c, d in ys:
            lo, hi = max(a, c), min(b, d)
            if lo < hi:
                out.append((lo, hi))
    return out


def _union(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(list(xs) + list(ys)):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def trainable_runs(flat: FlatBuffer, trainable: list[bool]) -> list[tuple[int, int]] | None:
    """The ranges of ``flat`` that train; None when everything does (the fast case)."""
    if all(trainable):
        return None
    return _runs(trainable, flat.offsets)
