"""Maintainer script: rebuild ``data/*.npz`` from scikit-learn's bundled copies.

Run ``python -m minikeras.datasets._make_data`` with scikit-learn installed. Users
never need it: the ``.npz`` files it writes ship inside the package. Each file holds
``x`` and ``y`` only (no pickled objects), written deterministically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).with_name("data")


def build() -> dict[str, Path]:
    """Write ``breast_cancer.npz``, ``diabetes.npz`` and ``digits.npz``; return their paths."""
    from sklearn import datasets as skd

    bc = skd.load_breast_cancer()
    # Raw (unscaled) diabetes values: age, sex, bmi, bp, s1..s6, as the source publishes them.
    diabetes = skd.load_diabetes(scaled=False)
    digits = skd.load_digits()
    arrays = {
        "breast_cancer": (bc.data.astype(np.float64), bc.target.astype(np.int64)),
        "diabetes": (diabetes.data.astype(np.float64), diabetes.target.astype(np.float64)),
        "digits": (digits.images.astype(np.uint8), digits.target.astype(np.int64)),
    }
    DATA_DIR.mkdir(exist_ok=True)
    written = {}
    for name, (x, y) in arrays.items():
        path = DATA_DIR / f"{name}.npz"
        np.savez_compressed(path, x=x, y=y)
        written[name] = path
    return written


if __name__ == "__main__":
    for name, path in build().items():
        print(f"{name}: {path} ({path.stat().st_size} bytes)")
