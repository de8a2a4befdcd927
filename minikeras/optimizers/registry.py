"""The optimizer registry: names resolve ignoring case, as in Keras."""

from __future__ import annotations

from .._registry import Registry

OPTIMIZERS = Registry("optimizer", ignore_case=True)
