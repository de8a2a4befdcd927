"""MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels.

Too big to bundle: ``load_data`` reads Keras's own file ``mnist.npz`` from the Keras
cache (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), downloading it from Keras's
URL on first use, exactly as ``keras.datasets.mnist.load_data`` does, so a copy that
Keras already fetched is reused. Offline, the error says where to copy the file.

Source: Y. LeCun, C. Cortes and C. J. C. Burges, http://yann.lecun.com/exdb/mnist/
(a derivative of NIST's data; licence: CC BY-SA 3.0, as Keras's documentation states).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._common import Split, get_file, is_explicit_path

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
#: sha256 of Keras's file (from ``keras.src.datasets.mnist``).
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path: str | os.PathLike[str] | None = "mnist.npz") -> Split:
    """Load MNIST as Keras does.

    Args:
        path: a bare file name is looked up in (and downloaded to) the Keras cache
            folder ``<keras home>/datasets``, as in Keras. A path with a folder in it
            (``"./mnist.npz"``, ``"/data/mnist.npz"``) is read as it is, never
            downloaded; it must be an ``.npz`` with arrays ``x_train``, ``y_train``,
            ``x_test`` and ``y_test``, as Keras's file. ``None`` means ``"mnist.npz"``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 28, 28)`` with
        values 0 to 255, and uint8 labels ``(n,)`` with the digit 0 to 9.
    """
    if path is None:
        path = "mnist.npz"
    if is_explicit_path(path):
        file = Path(os.fspath(path)).expanduser()
        if not file.is_file():
            raise FileNotFoundError(f"mnist: {str(file)!r} does not exist. Pass the path of "
                                    f"Keras's mnist.npz (from {ORIGIN}).")
    else:
        file = get_file(os.fspath(path), ORIGIN, file_hash=FILE_HASH, what="MNIST")
    return read_npz(file)


def read_npz(file: str | os.PathLike[str]) -> Split:
    """The four arrays of an ``.npz`` in Keras's MNIST layout (no pickled objects)."""
    with np.load(file, allow_pickle=False) as f:
        missing = [k for k in _KEYS if k not in f.files]
        if missing:
            raise ValueError(f"{os.fspath(file)!r} is not in Keras's MNIST layout: missing "
                             f"{missing} (expected arrays {list(_KEYS)}).")
        x_train, y_train, x_test, y_test = (f[k] for k in _KEYS)
    return (x_train, y_train), (x_test, y_test)
