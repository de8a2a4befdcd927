"""Models and data shared by the persistence tests (and their subprocess targets).

Everything here is deterministic given a seed, so a test and a child process
build the same model, data and training run independently.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import minikeras as mk


@mk.saving.register_keras_serializable(package="tests")
def scaled_tanh(x: Any, scale: float = 1.0) -> Any:
    """A named function for the Lambda case: files store its name, never its code."""
    return np.tanh(x) * scale


#: Constructor arguments and input shape (one sample) for every registered layer,
#: so that each one is saved and loaded inside a model (see test_saving.py).
LAYER_CASES: dict[str, tuple[dict[str, Any], tuple[int, ...]]] = {
    "Activation": ({"activation": "swish"}, (5,)),
    "ActivityRegularization": ({"l1": 1e-3, "l2": 1e-4}, (5,)),
    "BatchNormalization": ({"momentum": 0.9, "epsilon": 1e-2}, (5,)),
    "Dense": ({"units": 3, "activation": "tanh", "kernel_regularizer": "l1_l2",
               "bias_regularizer": {"class_name": "L2", "config": {"l2": 0.01}},
               "activity_regularizer": "l1", "kernel_constraint": "max_norm",
               "bias_constraint": "non_neg", "kernel_initializer": "he_normal",
               "bias_initializer": {"class_name": "Constant", "config": {"value": 0.1}}},
              (5,)),
    "AlphaDropout": ({"rate": 0.2, "noise_shape": [None, 1], "seed": 3}, (5,)),
    "Dropout": ({"rate": 0.3, "seed": 4}, (5,)),
    "ELU": ({"alpha": 0.7}, (5,)),
    "Flatten": ({}, (2, 3)),
    "GaussianDropout": ({"rate": 0.2}, (5,)),
    "GaussianNoise": ({"stddev": 0.1}, (5,)),
    "Identity": ({}, (5,)),
    "Lambda": ({"function": scaled_tanh, "arguments": {"scale": 2.0}}, (5,)),
    "LayerNormalization": ({"epsilon": 1e-2}, (5,)),
    "LeakyReLU": ({"negative_slope": 0.2}, (5,)),
    "Normalization": ({"axis": -1}, (5,)),
    "PReLU": ({"alpha_initializer": {"class_name": "Constant", "config": {"value": 0.25}}},
              (5,)),
    "ReLU": ({"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.05}, (5,)),
    "Rescaling": ({"scale": 0.5, "offset": 0.25}, (5,)),
    "Reshape": ({"target_shape": (3, 2)}, (6,)),
    "Softmax": ({"axis": -1}, (5,)),
}
#: Registered classes tested otherwise: InputLayer is every model's first entry,
#: Sequential is the model itself and is nested in :func:`every_layer_model`.
STRUCTURAL = {"InputLayer", "Sequential"}


def data(seed: int = 0, n: int = 96, features: int = 6, classes: int = 3
         ) -> tuple[np.ndarray, np.ndarray]:
    """Float inputs and integer class labels that a small model can learn a little."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    w = rng.normal(size=(features, classes))
    y = np.argmax(x @ w + 0.5 * rng.normal(size=(n, classes)), axis=1)
    return x, y


def every_layer_model(x_adapt: np.ndarray | None = None) -> mk.Sequential:
    """One model holding every layer type, regularizers, constraints and a nested model."""
    norm = mk.layers.Normalization()
    if x_adapt is not None:
        norm.adapt(x_adapt)
    model = mk.Sequential([
        mk.Input((6,)),
        norm,
        mk.layers.Rescaling(0.5, offset=0.1),
        mk.layers.Reshape((2, 3)),
        mk.layers.Flatten(),
        mk.layers.Dense(8, activation="tanh", kernel_regularizer=mk.regularizers.L1L2(1e-4, 1e-3),
                        bias_regularizer="l2", activity_regularizer=mk.regularizers.L1(1e-4),
                        kernel_constraint=mk.constraints.MaxNorm(2.0),
                        bias_constraint=mk.constraints.NonNeg()),
        mk.layers.BatchNormalization(momentum=0.8),
        mk.layers.LayerNormalization(),
        mk.layers.PReLU(),
        mk.layers.LeakyReLU(0.2),
        mk.layers.ELU(),
        mk.layers.ReLU(max_value=6.0),
        mk.layers.Activation("swish"),
        mk.layers.Identity(),
        mk.layers.Dropout(0.25),
        mk.layers.GaussianNoise(0.05),
        mk.layers.GaussianDropout(0.1),
        mk.layers.ActivityRegularization(l2=1e-4),
        mk.Sequential([mk.layers.Dense(6, activation="relu"),
                       mk.layers.Normalization(mean=0.5, variance=2.0),
                       mk.layers.Dense(5)], name="inner"),
        mk.layers.Softmax(),
        mk.layers.Dense(3, activation="softmax"),
    ])
    return model


def compiled_every_layer_model(seed: int = 0) -> tuple[mk.Sequential, np.ndarray, np.ndarray]:
    """The every-layer model, seeded, adapted and compiled with Adam, metrics and a schedule."""
    mk.utils.set_random_seed(seed)
    x, y = data(seed)
    model = every_layer_model(x)
    schedule = mk.optimizers.schedules.ExponentialDecay(0.01, decay_steps=5, decay_rate=0.9)
    model.compile(mk.optimizers.Adam(schedule), "sparse_categorical_crossentropy",
                  metrics=["accuracy", mk.metrics.SparseCategoricalCrossentropy(name="xent")],
                  weighted_metrics=["sparse_categorical_accuracy"])
    return model, x, y


def resume_model(seed: int) -> mk.Sequential:
    """A small model with dropout and batch norm, for the exact-resume tests."""
    mk.utils.set_random_seed(seed)
    model = mk.Sequential([
        mk.Input((6,)),
        mk.layers.Dense(16, activation="relu"),
        mk.layers.Dropout(0.3),
        mk.layers.BatchNormalization(),
        mk.layers.GaussianNoise(0.1),
        mk.layers.Dense(3, activation="softmax"),
    ])
    model.compile(mk.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def training_state(model: mk.Sequential) -> dict[str, np.ndarray]:
    """Weights and optimizer state as named arrays (for exact comparisons)."""
    out = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    for key, value in model.optimizer.get_state().items():
        out[f"opt/{key}"] = np.asarray(value)
    return out


def assert_same_bits(actual: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    """Every array equal bit for bit (same keys, dtypes, shapes and bytes)."""
    assert sorted(actual) == sorted(expected)
    for key in expected:
        a, e = np.asarray(actual[key]), np.asarray(expected[key])
        assert a.dtype == e.dtype and a.shape == e.shape, key
        assert a.tobytes() == e.tobytes(), f"{key} differs"
