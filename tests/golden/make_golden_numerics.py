"""Record Keras 3's numbers for the model-level numerics tests.

Writes ``numerics.json`` for ``tests/test_numerics.py``: small models whose
outputs sit at the numerical extremes (logits of +-1e4, probabilities of
exactly 0 and 1, inputs of +-1e4 into tanh/softplus/elu/selu/exponential),
each in float32 and float64. For each case Keras reports ``predict`` and
``evaluate`` before training, and the history and weights of a short
full-batch SGD fit. Run by hand (never in CI; the tests never import Keras)::

    KERAS_BACKEND=torch /work/venv/bin/python tests/golden/make_golden_numerics.py

The float64 cases keep Keras in float64 on torch (Keras maps float64 to
float32 in its type promotion on every backend but TensorFlow; the same patch
as ``make_golden_training.py``). Infinite values are stored as JSON's
``Infinity``.

The "saturated" cases start with outputs outside [1e-7, 1 - 1e-7], where
Keras's clip passes zero gradient: their recorded weights never move, which
is what ``test_numerics.py`` contrasts with minikeras's fused gradient.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).with_name("numerics.json")

_PM1 = [[1.0], [-1.0], [1.0], [-1.0]]
_GRID = [[-1e4], [-100.0], [-20.0], [0.0], [20.0], [100.0], [1e4]]
_MODERATE = [[-1e4], [-100.0], [-20.0], [0.0], [5.0], [20.0]]

#: name, units, activation, loss (name, from_logits), kernel, bias, x, y, lr, epochs
CASES: list[dict[str, Any]] = [
    # Wrong-way saturated outputs: Keras's clip stops learning, the logged loss is clipped.
    dict(name="sigmoid_bce_saturated", units=1, activation="sigmoid",
         loss=("binary_crossentropy", False), kernel=[[18.0]], bias=[0.0], x=_PM1,
         y=[[0.0], [1.0], [0.0], [1.0]], lr=4.0, epochs=4, saturated=True),
    dict(name="softmax_cce_saturated", units=2, activation="softmax",
         loss=("categorical_crossentropy", False), kernel=[[9.0, -9.0]], bias=[0.0, 0.0],
         x=_PM1, y=[[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], lr=2.0, epochs=4,
         saturated=True),
    dict(name="softmax_sparse_cce_saturated", units=2, activation="softmax",
         loss=("sparse_categorical_crossentropy", False), kernel=[[9.0, -9.0]],
         bias=[0.0, 0.0], x=_PM1, y=[1, 0, 1, 0], lr=2.0, epochs=4, saturated=True),
    # Logits of +-1e4 into the from_logits losses: no clip, Keras and we agree throughout.
    dict(name="logits_bce_1e4", units=1, activation=None, loss=("binary_crossentropy", True),
         kernel=[[1e4]], bias=[0.0], x=_PM1, y=[[0.0], [0.0], [1.0], [0.0]], lr=1.0,
         epochs=3),
    dict(name="logits_cce_1e4", units=3, activation=None,
         loss=("categorical_crossentropy", True), kernel=[[1e4, -1e4, 0.0]],
         bias=[0.0, 0.0, 0.0], x=_PM1,
         y=[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]], lr=1.0,
         epochs=3),
    dict(name="logits_sparse_cce_1e4", units=3, activation=None,
         loss=("sparse_categorical_crossentropy", True), kernel=[[1e4, -1e4, 0.0]],
         bias=[0.0, 0.0, 0.0], x=_PM1, y=[0, 0, 2, 1], lr=1.0, epochs=3),
    # Probabilities of exactly 0 and 1 (hard_sigmoid saturates exactly) into BCE and CCE.
    dict(name="probs_exact_bce", units=1, activation="hard_sigmoid",
         loss=("binary_crossentropy", False), kernel=[[1e4]], bias=[0.0], x=_PM1,
         y=[[1.0], [0.0], [0.0], [1.0]], lr=1.0, epochs=2),
    dict(name="probs_exact_cce", units=2, activation="hard_sigmoid",
         loss=("categorical_crossentropy", False), kernel=[[1e4, -1e4]], bias=[0.0, 0.0],
         x=_PM1, y=[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], lr=1.0, epochs=2),
    # Large inputs into Dense + each activation with MSE.
    *[dict(name=f"large_{act}", units=1, activation=act, loss=("mse", False),
           kernel=[[1.0]], bias=[0.0], x=_GRID, y=[[0.0]] * len(_GRID), lr=lr, epochs=2)
      for act, lr in (("tanh", 0.1), ("softplus", 1e-9), ("elu", 1e-9), ("selu", 1e-9))],
    # exponential: x = 100 is beyond float32's range (inf there), not float64's; 1e4 beyond both.
    dict(name="large_exponential_predict", units=1, activation="exponential", loss=("mse", False),
         kernel=[[1.0]], bias=[0.0], x=_GRID, y=[[0.0]] * len(_GRID), lr=0.0, epochs=0),
    dict(name="large_exponential", units=1, activation="exponential", loss=("mse", False),
         kernel=[[1.0]], bias=[0.0], x=_MODERATE, y=[[0.0]] * len(_MODERATE), lr=1e-20,
         epochs=2),
]


def keras_float64(enabled: bool) -> None:
    """Make Keras's type promotion keep float64 on torch (see the module docstring)."""
    from keras.src.backend.common import dtypes

    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64" if enabled else "float32"


def make_loss(keras: Any, spec: tuple[str, bool]) -> Any:
    """The loss object of a case (shared by the tests through the same spec)."""
    name, from_logits = spec
    classes = {"binary_crossentropy": keras.losses.BinaryCrossentropy,
               "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
               "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
               "mse": keras.losses.MeanSquaredError}
    if name == "mse":
        return classes[name]()
    return classes[name](from_logits=from_logits)


def run(keras: Any, case: dict[str, Any], floatx: str) -> dict[str, Any]:
    keras_float64(floatx == "float64")
    keras.config.set_floatx(floatx)
    keras.config.set_dtype_policy(floatx)
    model = keras.Sequential([keras.Input((1,)),
                              keras.layers.Dense(case["units"], activation=case["activation"])])
    model.set_weights([np.array(case["kernel"]), np.array(case["bias"])])
    model.compile(keras.optimizers.SGD(case["lr"]), make_loss(keras, case["loss"]))
    x = np.array(case["x"], dtype=floatx)
    y = np.array(case["y"], dtype="int64" if isinstance(case["y"][0], int) else floatx)
    predict = model.predict(x, verbose=0)
    evaluate = model.evaluate(x, y, batch_size=len(x), verbose=0)
    history = model.fit(x, y, batch_size=len(x), epochs=case["epochs"], shuffle=False,
                        verbose=0).history.get("loss", [])
    return {"predict": np.asarray(predict, dtype=np.float64).tolist(),
            "evaluate": float(evaluate), "history": [float(v) for v in history],
            "weights": [np.asarray(w, dtype=np.float64).tolist() for w in model.get_weights()]}


def main() -> None:
    if os.environ.get("KERAS_BACKEND") != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the module docstring).")
    import keras

    out = []
    for case in CASES:
        results = {floatx: run(keras, case, floatx) for floatx in ("float32", "float64")}
        out.append({**case, "loss": list(case["loss"]), "keras": results})
    OUT.write_text(json.dumps({"keras_version": keras.__version__, "cases": out}, indent=1)
                   + "\n")
    print(f"wrote {OUT} ({len(out)} cases)")


if __name__ == "__main__":
    main()
