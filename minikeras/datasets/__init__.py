"""Data sets (``mk.datasets``), Keras style: ``mk.datasets.<name>.load_data()``.

Bundled in the package (about 130 kB, no download): ``breast_cancer`` (569 x 30,
binary), ``diabetes`` (442 x 10, regression) and ``digits`` (1,797 images 8 x 8,
10 classes), each ``load_data(path=None, test_split=0.2, seed=113)`` split as
``keras.datasets.boston_housing``. Fetched into the Keras cache as Keras does:
``mnist``, ``fashion_mnist``, ``boston_housing``, ``california_housing``, ``imdb`` and
``reuters`` (the last two as ragged word-index sequences). Drawn from a seed:
``make_moons``, ``make_blobs``, ``make_linear_regression``. Sources and licences: each
module's docstring and ``data/README.md``. Nothing is read from disk until ``load_data``
is called.
"""

from . import (
    boston_housing,
    breast_cancer,
    california_housing,
    diabetes,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from .synthetic import make_blobs, make_linear_regression, make_moons

__all__ = ["boston_housing", "breast_cancer", "california_housing", "diabetes", "digits",
           "fashion_mnist", "imdb", "make_blobs", "make_linear_regression", "make_moons",
           "mnist", "reuters"]
