"""minikeras: a Keras-compatible neural network API on NumPy and SciPy alone.

``import minikeras as keras`` and write Keras code: ``keras.Sequential``,
``keras.layers.Dense``, ``model.compile/fit/evaluate/predict``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    distribution,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from .dtype_policies import DTypePolicy, FloatDTypePolicy
from .initializers import Initializer
from .layers import Input, InputLayer, KerasTensor, Layer, Variable
from .losses import Loss
from .metrics import Metric
from .models import Model, Sequential
from .optimizers import Optimizer
from .regularizers import Regularizer


def version() -> str:
    """minikeras's version (``keras.version()``)."""
    return __version__


__all__ = ["DTypePolicy", "FloatDTypePolicy", "Initializer", "Input", "InputLayer",
           "KerasTensor", "Layer", "Loss", "Metric", "Model", "Optimizer", "Regularizer",
           "Sequential", "Variable", "__version__", "version",
           "activations", "backend", "callbacks", "config", "constraints", "datasets",
           "distribution", "dtype_policies", "initializers", "layers", "losses", "metrics",
           "mixed_precision", "models", "optimizers", "random", "regularizers", "utils"]


def __getattr__(name: str):
    # Modules with optional or heavier parts load on first use.
    if name in ("datasets", "wrappers", "plot", "saving", "ops", "random", "mixed_precision",
                "dtype_policies"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'minikeras' has no attribute {name!r}")
