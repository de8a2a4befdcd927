"""Exceptions that are also what Keras raises, so both ``except`` clauses catch them.

Keras 3 raises ValueError where Python's own type is the clearer one (a missing file is a
FileNotFoundError, text data a TypeError): these are both, so code written for Keras
(``except ValueError``) and code written for Python keep working.
"""

from __future__ import annotations


class NotCompiledError(ValueError, RuntimeError):
    """fit/evaluate/train_on_batch before compile() (Keras: ValueError)."""


class ModelFileNotFoundError(FileNotFoundError, ValueError):
    """load_model/load_weights on a path that does not exist (Keras: ValueError)."""


class NotNumbersError(TypeError, ValueError):
    """Strings or objects where numbers are needed (Keras: ValueError, "Invalid dtype")."""


class UnrecognizedArgumentsError(TypeError, ValueError):
    """Unknown keyword arguments (Keras: ValueError; Python's own habit: TypeError)."""


class NotALayerError(TypeError, ValueError):
    """Something other than a layer added to a Sequential (Keras: ValueError)."""


class FolderNotModelError(IsADirectoryError, ValueError):
    """load_model on a folder, e.g. a TensorFlow SavedModel (Keras: ValueError,
    "File format not supported")."""
