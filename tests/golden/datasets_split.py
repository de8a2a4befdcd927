"""Record Keras's train/test split rule (``keras.datasets.boston_housing``) as JSON.

Run by hand: ``KERAS_BACKEND=torch python tests/golden/datasets_split.py``. Keras's
loader is fed ``x = arange(n)`` from a local file (its download is bypassed), so the
rows it returns are the shuffled indices; ``tests/test_datasets.py`` checks that
``mk.datasets.<name>.load_data`` makes the same split.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
from keras.src.datasets import boston_housing

CASES = [(569, 0.2, 113), (442, 0.2, 113), (1797, 0.2, 113), (569, 0.25, 7), (442, 0.0, 3),
         (1797, 0.5, 12345)]


def main() -> None:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, test_split, seed in CASES:
            file = os.path.join(tmp, f"rows{n}.npz")
            np.savez(file, x=np.arange(n), y=np.arange(n) * 10)
            boston_housing.get_file = lambda *a, _f=file, **k: _f  # no download
            (xtr, ytr), (xte, yte) = boston_housing.load_data(test_split=test_split, seed=seed)
            assert (ytr == xtr * 10).all() and (yte == xte * 10).all()
            out.append({"n": n, "test_split": test_split, "seed": seed,
                        "train": xtr.tolist(), "test": xte.tolist()})
    path = Path(__file__).with_name("datasets_split.json")
    path.write_text(json.dumps({"keras_version": __import__("keras").__version__,
                                "cases": out}, separators=(",", ":")) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
