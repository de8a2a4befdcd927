"""The models whose ``summary()`` text is compared with Keras 3's, written once for both.

``cases(keras)`` takes the ``keras`` module (Keras itself in ``make_golden_summary.py``,
minikeras in ``tests/test_summary.py``) and returns ``{name: (model, summary kwargs)}``.
Each model is built after ``clear_session()``, so automatic names start again at
``dense``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Case = tuple[Any, dict[str, Any]]


def _mnist_mlp(k: Any) -> Any:
    L = k.layers
    return k.Sequential([k.Input((784,)), L.Dense(128, activation="relu"), L.Dropout(0.2),
                         L.BatchNormalization(), L.Dense(10, activation="softmax")])


def _nested(k: Any) -> Any:
    L = k.layers
    inner = k.Sequential([L.Dense(4, name="d_in1"), L.Dense(3, name="d_in2")], name="inner")
    outer = k.Sequential([k.Input((5,)), L.Dense(8, name="first"), inner,
                          L.Dense(2, name="out")], name="outer")
    inner.layers[0].trainable = False
    return outer


def _trained(k: Any) -> Any:
    model = _mnist_mlp(k)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(8, 784)).astype("float32"), rng.integers(0, 10, 8),
              epochs=1, verbose=0)
    return model


def _long_names(k: Any) -> Any:
    L = k.layers
    return k.Sequential([k.Input((3,)),
                         L.Dense(2, name="a_rather_long_layer_name_for_its_column"),
                         L.Dense(1, name="x" * 45)], name="long")


def _unbuilt(k: Any) -> Any:
    L = k.layers
    return k.Sequential([L.Dense(4), L.Dense(1)])


def _wide(k: Any) -> Any:
    L = k.layers
    return k.Sequential([k.Input((1000,)), L.Dense(1000)], name="wide")


def _huge_output(k: Any) -> Any:
    return k.Sequential([k.Input((5,)), k.layers.Dense(123456, name="d")], name="huge")


BUILDERS: dict[str, tuple[Callable[[Any], Any], dict[str, Any]]] = {
    "mlp": (_mnist_mlp, {}),
    "mlp_trainable": (_mnist_mlp, {"show_trainable": True}),
    "mlp_line_100": (_mnist_mlp, {"line_length": 100}),
    "mlp_positions": (_mnist_mlp, {"line_length": 90, "positions": [0.3, 0.6, 0.75]}),
    "trained": (_trained, {}),
    "nested": (_nested, {}),
    "nested_expanded": (_nested, {"expand_nested": True, "show_trainable": True}),
    "nested_range": (_nested, {"layer_range": ["inn", "out"]}),
    "long_names": (_long_names, {}),
    "unbuilt": (_unbuilt, {}),
    "wide": (_wide, {}),
    "unbuilt_trainable": (_unbuilt, {"show_trainable": True}),
    "narrow_header_wraps": (_huge_output, {"line_length": 40}),
    "nested_narrow": (_nested, {"line_length": 50, "positions": [0.4, 0.8, 1.0]}),
}


def cases(k: Any) -> dict[str, Case]:
    """Each case's model (freshly built) and ``summary()`` arguments."""
    out = {}
    for name, (build, kwargs) in BUILDERS.items():
        k.backend.clear_session()
        k.utils.set_random_seed(0)
        out[name] = (build(k), kwargs)
    return out
