"""Write a Keras 3 file whose model uses registered custom *functions*, for
``tests/test_keras_files.py`` (run by hand with the ``bench`` extra; CI never runs it)::

    KERAS_BACKEND=torch /work/venv/bin/python tests/golden/make_golden_custom_functions.py

The model: ``Dense(2, activation=cube)`` and ``Dense(1)``, compiled with a registered
loss function and a registered metric function (package ``golden_custom``), fitted
one epoch, saved as ``keras_files/custom_functions.keras`` and as a legacy
``keras_files/custom_functions.h5``; ``keras_files/custom_functions.json`` holds the
inputs and Keras's predictions.

It also writes ``keras_files/mixed_float16.keras``: a model trained under Keras's
``mixed_float16`` policy (float32 weights, float16 computations, a float32 output
layer), with its inputs and Keras's predictions in ``mixed_float16.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).with_name("keras_files")


@keras.saving.register_keras_serializable(package="golden_custom")
def cube(x):
    return x * x * x


@keras.saving.register_keras_serializable(package="golden_custom")
def max_err(y_true, y_pred):
    return keras.ops.max(keras.ops.abs(y_true - y_pred), axis=-1)


@keras.saving.register_keras_serializable(package="golden_custom")
def half_mse(y_true, y_pred):
    return 0.5 * keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)


def main() -> None:
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation=cube),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss=half_mse, metrics=[max_err])
    x = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
    y = np.linspace(0, 1, 8, dtype="float32")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(OUT / "custom_functions.keras")
    keras.saving.save_model(model, OUT / "custom_functions.h5")
    pred = keras.ops.convert_to_numpy(model.predict(x, verbose=0))
    (OUT / "custom_functions.json").write_text(json.dumps(
        {"x": x.tolist(), "y": y.tolist(), "predictions": pred.tolist(),
         "evaluate": model.evaluate(x, y, verbose=0, return_dict=True)}, indent=1))
    print("wrote", OUT / "custom_functions.keras")


def mixed() -> None:
    keras.utils.set_random_seed(4)
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.BatchNormalization(),
                                  keras.layers.Dense(1, activation="sigmoid", dtype="float32")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
        model.fit(x, (x[:, 0] > 0).astype("float32"), epochs=2, verbose=0)
        model.save(OUT / "mixed_float16.keras")
        pred = keras.ops.convert_to_numpy(model.predict(x, verbose=0)).astype("float32")
    finally:
        keras.config.set_dtype_policy("float32")
    (OUT / "mixed_float16.json").write_text(json.dumps(
        {"x": x.tolist(), "predictions": pred.tolist()}, indent=1))
    print("wrote", OUT / "mixed_float16.keras")


if __name__ == "__main__":
    main()
    mixed()
