"""The extending guide's example: custom activation, layer, loss, metric, optimizer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from tests.helpers.gradcheck import (
    check_activation_gradients,
    check_layer_gradients,
    check_loss_gradients,
)
from tests.helpers.tolerances import assert_close

EXAMPLE = Path(__file__).parent.parent / "examples" / "extending.py"


def _load():
    spec = importlib.util.spec_from_file_location("extending_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_custom_pieces_have_correct_gradients():
    ext = _load()
    rng = np.random.default_rng(0)
    check_activation_gradients(ext.Cube(), rng.normal(size=(4, 3)))
    check_layer_gradients(ext.Scale(0.7), rng.normal(size=(5, 3)))
    check_loss_gradients(ext.Quartic(), rng.normal(size=(5, 2)), rng.normal(size=(5, 2)),
                         sample_weight=rng.uniform(0.5, 2, size=5))


def test_example_trains_saves_and_loads_custom_objects():
    ext = _load()
    out = ext.main(epochs=30)
    assert out["loss_last"] < 0.5 * out["loss_first"]
    assert out["reloaded_same"]
    assert out["loaded_types"] == ["Scale", "Cube", "Quartic", "HeavyBall"]
    assert out["max_abs_error"] > 0


def test_custom_metric_and_optimizer_contracts():
    ext = _load()
    metric = ext.MaxAbsError()
    metric.update_state(np.array([[1.0], [2.0]]), np.array([[1.5], [0.0]]))
    assert float(metric.result()) == 2.0
    metric.reset_state()
    assert float(metric.result()) == 0.0
    opt = ext.HeavyBall(0.1, beta=0.5)
    import minikeras as mk

    var = mk.Variable(np.array([1.0, -1.0]))
    for _ in range(2):
        opt.apply_gradients([(np.array([1.0, 2.0]), var)])
    # m1 = g, w1 = w0 - 0.1 g; m2 = 0.5 g + g, w2 = w1 - 0.1 * 1.5 g
    assert_close(var.numpy(), [1.0 - 0.25, -1.0 - 0.5], "internal64")
    assert type(opt).from_config(opt.get_config()).beta == 0.5
