"""Layers (``mk.layers``)."""

from __future__ import annotations

from typing import Any

from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .base import LAYERS, FlatBuffer, KerasTensor, Layer, Variable
from .core import Activation, Dense, Identity, Input, InputLayer, Lambda
from .normalization import BatchNormalization, LayerNormalization
from .preprocessing import Normalization, Rescaling
from .regularization import (
    ActivityRegularization,
    AlphaDropout,
    Dropout,
    GaussianDropout,
    GaussianNoise,
)
from .reshaping import Flatten, Reshape

__all__ = ["ELU", "LAYERS", "Activation", "ActivityRegularization", "AlphaDropout",
           "BatchNormalization", "Dense", "Dropout", "FlatBuffer", "Flatten", "GaussianDropout",
           "GaussianNoise",
           "Identity", "Input", "InputLayer", "KerasTensor", "Lambda", "Layer",
           "LayerNormalization", "LeakyReLU", "Normalization", "PReLU", "ReLU", "Rescaling",
           "Reshape", "Softmax", "Variable", "deserialize", "serialize"]


def serialize(layer: Layer) -> dict[str, Any]:
    """Keras's ``{"class_name", "config"}`` form of a layer."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """Build a layer from its serialized form (only registered or given classes)."""
    return LAYERS.from_config_dict(config, custom_objects)
