"""Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28x28, 10 classes.

Too big to bundle: ``load_data`` reads the four gzipped IDX files that
``keras.datasets.fashion_mnist.load_data`` uses, from the same cache folder
(``$KERAS_HOME/datasets/fashion-mnist`` or ``~/.keras/datasets/fashion-mnist``),
downloading them from Keras's URLs on first use. Offline, the error says where to copy
them. Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.

Source: H. Xiao, K. Rasul and R. Vollgraf (Zalando SE),
https://github.com/zalandoresearch/fashion-mnist (licence: MIT).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from ._common import Split, get_file

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


def load_data(path: str | os.PathLike[str] | None = None) -> Split:
    """Load Fashion-MNIST as Keras does.

    Args:
        path: ``None`` (Keras's behaviour) uses the Keras cache and downloads what is
            missing; a folder holding the four files (``train-labels-idx1-ubyte.gz``,
            ``train-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``,
            ``t10k-images-idx3-ubyte.gz``) is read as it is, never downloaded.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 28, 28)`` and
        uint8 labels ``(n,)``.
    """
    if path is None:
        paths = [get_file(name, BASE_URL + name, cache_subdir=CACHE_SUBDIR,
                          what=f"Fashion-MNIST's {name}") for name in FILES]
    else:
        folder = Path(os.fspath(path)).expanduser()
        paths = [folder / name for name in FILES]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"fashion_mnist: {str(folder)!r} lacks {missing}; it needs "
                                    f"the four files {list(FILES)} from {BASE_URL}.")
    y_train = read_idx(paths[0], offset=8)
    x_train = read_idx(paths[1], offset=16, rows=len(y_train))
    y_test = read_idx(paths[2], offset=8)
    x_test = read_idx(paths[3], offset=16, rows=len(y_test))
    return (x_train, y_train), (x_test, y_test)


def read_idx(file: Path, offset: int, rows: int | None = None) -> np.ndarray:
    """A gzipped IDX file as uint8 (Keras skips the header: 8 bytes for labels, 16 images)."""
    with gzip.open(file, "rb") as f:
        data = np.frombuffer(f.read(), np.uint8, offset=offset)
    if rows is None:
        return data
    if data.size != rows * 28 * 28:
        raise ValueError(f"{str(file)!r} holds {data.size} pixels, which is not {rows} images "
                         "of 28x28 (one per label).")
    return data.reshape(rows, 28, 28)
