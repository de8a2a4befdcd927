"""Write small real Keras files that minikeras's loaders must recognise and refuse clearly.

Run by hand (Keras is not a test dependency):

    KERAS_BACKEND=torch /work/venv/bin/python tests/saving_helpers/make_keras_files.py

It writes, under tests/golden/saving/: ``tiny.keras`` (a Keras 3 zip),
``tiny.weights.h5`` (Keras 3 weights, HDF5) and ``tiny_legacy.h5`` (a whole
model in the legacy HDF5 format).
"""

from __future__ import annotations

import os

import keras
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "golden", "saving")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, verbose=0)
    model.save(os.path.join(OUT, "tiny.keras"))
    model.save_weights(os.path.join(OUT, "tiny.weights.h5"))
    model.save(os.path.join(OUT, "tiny_legacy.h5"))


if __name__ == "__main__":
    main()
