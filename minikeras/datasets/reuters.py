"""Reuters newswires: 11,228 news stories over 46 topics, each a list of word indices.

Read from Keras's own files (``reuters.npz``, ``reuters_word_index.json``) in the Keras
cache (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), downloaded from Keras's URLs
on first use, and prepared exactly as ``keras.datasets.reuters``. The ragged sequences
are pickled object arrays, read with ``_common.read_npz_restricted`` (only NumPy arrays
can be rebuilt), never with ``allow_pickle``.

Source: the Reuters-21578 collection (http://www.daviddlewis.com/resources/testcollections/
reuters21578/), as preprocessed by Keras.
"""

from __future__ import annotations

import os

import numpy as np

from ._common import Split, keras_file
from .imdb import (
    drop_long,
    limit_vocabulary,
    read_npz_arrays,
    read_word_index,
    shift,
    shuffled,
)

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
ORIGIN = BASE_URL + "reuters.npz"
#: sha256 of Keras's file (from ``keras.src.datasets.reuters``).
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = BASE_URL + "reuters_word_index.json"
#: md5 of Keras's word index (Keras gives this one as md5).
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
    "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
    "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
    "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path: str | os.PathLike[str] | None = "reuters.npz",
              num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              test_split: float = 0.2, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3) -> Split:
    """Load the Reuters newswires as Keras does.

    The stories are shuffled with ``RandomState(seed)``, shifted and filtered by
    ``maxlen``, ``num_words`` and ``skip_top`` under the same rules as
    ``imdb.load_data``, then the first ``int(n * (1 - test_split))`` are the training set.

    Args:
        path: a bare name is a Keras cache entry (downloaded when missing); a path with
            a folder in it is read as it is (arrays ``x`` and ``y``).
        test_split: fraction of the stories kept for the test set, in [0, 1].
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as Keras.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x object arrays of lists of ints (as
        Keras: 2-D if every kept sequence has the same length), y topic indices into
        ``get_label_names()``.
    """
    # Keras checks nothing here; 1.0 (all test) works there, so only values outside
    # [0, 1], whose slices are meaningless, are refused.
    if not 0 <= test_split <= 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. "
                         "It must be between 0 and 1.")
    file = keras_file("reuters", path, "reuters.npz", ORIGIN, FILE_HASH,
                      "the Reuters newswires")
    f = read_npz_arrays(file, ("x", "y"))
    xs, labels = shuffled(np.random.RandomState(seed), f["x"], f["y"])
    xs = shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = drop_long(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return ((np.array(xs[:cut], dtype=object), np.array(labels[:cut])),
            (np.array(xs[cut:], dtype=object), np.array(labels[cut:])))


def get_word_index(path: str | os.PathLike[str] = "reuters_word_index.json") -> dict[str, int]:
    """Keras's ``{word: index}`` of the newswires (index 1 is the most frequent word;
    in ``load_data``'s sequences a word appears as ``index + index_from``)."""
    return read_word_index("reuters", path, "reuters_word_index.json", WORD_INDEX_ORIGIN,
                           WORD_INDEX_HASH, "the Reuters word index")


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed as the labels ``load_data`` returns."""
    return LABEL_NAMES
