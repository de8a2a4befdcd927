"""IMDB movie reviews: 25,000 training and 25,000 test reviews, labelled 0 (negative) or
1 (positive), each a list of word indices (1 = the most frequent word).

Read from Keras's own files (``imdb.npz``, ``imdb_word_index.json``) in the Keras
cache (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), downloaded from Keras's URLs
on first use, and prepared exactly as ``keras.datasets.imdb``. The reviews are ragged,
so the file stores them as pickled object arrays: they are read with an unpickler that
can only rebuild NumPy arrays (``_common.read_npz_restricted``), never ``allow_pickle``.

Source: A. L. Maas et al., "Learning Word Vectors for Sentiment Analysis" (ACL 2011),
https://ai.stanford.edu/~amaas/data/sentiment/.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._common import Split, keras_file, read_npz_restricted

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
ORIGIN = BASE_URL + "imdb.npz"
#: sha256 of Keras's file (from ``keras.src.datasets.imdb``).
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = BASE_URL + "imdb_word_index.json"
#: md5 of Keras's word index (Keras gives this one as md5).
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path: str | os.PathLike[str] | None = "imdb.npz", num_words: int | None = None,
              skip_top: int = 0, maxlen: int | None = None, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              **kwargs: Any) -> Split:
    """Load the IMDB reviews as Keras does.

    Each split is shuffled with one ``RandomState(seed)`` (train first); every word
    index is raised by ``index_from`` and ``start_char`` (if not None) put in front;
    with ``maxlen``, only sequences shorter than ``maxlen`` are kept; then indices
    outside ``[skip_top, num_words)`` become ``oov_char`` (or are dropped when it is
    None). ``num_words=None`` means the largest index present, which Keras (so this
    too) then also treats as out of range.

    Args:
        path: a bare name is a Keras cache entry (downloaded when missing); a path with
            a folder in it is read as it is (arrays ``x_train``, ``y_train``,
            ``x_test``, ``y_test``).
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as Keras.
        **kwargs: accepted and ignored, as Keras does (with a warning here).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x object arrays of lists of ints (as
        Keras: 2-D if every kept sequence has the same length), y the file's labels.
    """
    if kwargs:
        warnings.warn(f"imdb.load_data ignores the unknown arguments {sorted(kwargs)}, as "
                      "Keras does.", stacklevel=2)
    file = keras_file("imdb", path, "imdb.npz", ORIGIN, FILE_HASH, "the IMDB reviews")
    f = read_npz_arrays(file, ("x_train", "y_train", "x_test", "y_test"))
    rng = np.random.RandomState(seed)  # one generator: the test order follows the train's
    x_train, y_train = shuffled(rng, f["x_train"], f["y_train"])
    x_test, y_test = shuffled(rng, f["x_test"], f["y_test"])
    x_train = shift(x_train, start_char, index_from)
    x_test = shift(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = drop_long(maxlen, x_train, y_train)
        x_test, y_test = drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    cut = len(x_train)
    return ((np.array(xs[:cut], dtype=object), labels[:cut]),
            (np.array(xs[cut:], dtype=object), labels[cut:]))


def get_word_index(path: str | os.PathLike[str] = "imdb_word_index.json") -> dict[str, int]:
    """Keras's ``{word: index}`` of the IMDB reviews (index 1 is the most frequent word;
    in ``load_data``'s sequences a word appears as ``index + index_from``)."""
    return read_word_index("imdb", path, "imdb_word_index.json", WORD_INDEX_ORIGIN,
                           WORD_INDEX_HASH, "the IMDB word index")


# ----------------------------------------------- Keras's sequence rules (also Reuters)
def read_word_index(name: str, path: str | os.PathLike[str] | None, default: str, origin: str,
                    file_hash: str, what: str) -> dict[str, int]:
    """A ``{word: index}`` JSON file from the Keras cache (or ``path``)."""
    file = keras_file(name, path, default, origin, file_hash, what)
    with open(file, encoding="utf-8") as f:
        return json.load(f)


def read_npz_arrays(file: str | os.PathLike[str], keys: Sequence[str]) -> dict[str, Any]:
    """The named arrays of an ``.npz`` read with ``read_npz_restricted``."""
    arrays = read_npz_restricted(file)
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"{os.fspath(file)!r} is not in Keras's layout: missing arrays "
                         f"{missing} (expected {list(keys)}).")
    return arrays


def shuffled(rng: np.random.RandomState, x: np.ndarray,
             y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` in the order of one ``rng.shuffle`` of their row indices."""
    order = np.arange(len(x))
    rng.shuffle(order)
    return x[order], y[order]


def shift(xs: Any, start_char: int | None, index_from: int) -> list[list[Any]]:
    """Every index raised by ``index_from``, ``start_char`` first when it is not None."""
    head = [] if start_char is None else [start_char]
    return [head + [w + index_from for w in x] for x in xs]


def drop_long(maxlen: int, xs: list[list[Any]], ys: Any) -> tuple[list[list[Any]], list[Any]]:
    """Keep the sequences strictly shorter than ``maxlen`` (Keras's ``remove_long_seq``)."""
    kept = [(x, y) for x, y in zip(xs, ys) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs: list[list[Any]], num_words: int | None, skip_top: int,
                     oov_char: int | None) -> list[list[Any]]:
    """Indices outside ``[skip_top, num_words)`` become ``oov_char``, or go when it is None."""
    if not num_words:
        # Keras's default, the largest index, is itself then out of range. Empty
        # sequences (start_char=None) are skipped here where Keras would fail.
        num_words = max((max(x) for x in xs if len(x)), default=0)
    if oov_char is None:
        return [[w for w in x if skip_top <= w < num_words] for x in xs]
    return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
