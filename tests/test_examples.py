"""The examples run, print their result and meet their quality bars (CORRECTIONS.md).

Each bar holds for 5 split seeds with the epoch count the example itself uses.
"""

from __future__ import annotations

import importlib.util
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minikeras.__main__ import binary_classification
from tests.helpers.tolerances import assert_close

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEEDS = [0, 1, 2, 3, 4]


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", SEEDS)
def test_breast_cancer_accuracy_bar(seed):
    example = load_example("binary_classification")
    result = example.main(seed=seed, epochs=example.EPOCHS)
    assert result["accuracy"] >= 0.95, result


@pytest.mark.parametrize("seed", SEEDS)
def test_digits_accuracy_bar(seed):
    example = load_example("multiclass")
    result = example.main(seed=seed, epochs=example.EPOCHS)
    assert result["accuracy"] >= 0.93, result
    assert result["confusion"].sum() == 360  # every test image counted once


@pytest.mark.parametrize("seed", SEEDS)
def test_diabetes_r2_bar(seed):
    example = load_example("regression")
    result = example.main(seed=seed, epochs=example.EPOCHS)
    assert result["r2"] >= 0.4, result
    # A linear output trained on MSE is linear regression: close to the exact fit.
    assert abs(result["r2"] - result["lstsq_r2"]) < 0.05, result


def test_r2_score_formula():
    example = load_example("regression")
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert_close(example.r2_score(y, y), 1.0, "internal64")
    assert_close(example.r2_score(y, np.full(4, 2.5)), 0.0, "internal64")
    assert_close(example.r2_score(y, y + 1.0), 1.0 - 4.0 / 5.0, "internal64")


def test_logistic_regression_equals_scikit_learn():
    pytest.importorskip("sklearn", reason="scikit-learn is not installed: no reference to "
                                          "compare the logistic regression with")
    example = load_example("logistic_regression")
    result = example.main(seed=113, epochs=example.EPOCHS)
    # CORRECTIONS.md: coefficients to 1e-3 relative, log loss to 1e-4.
    np.testing.assert_allclose(result["coef"], result["sklearn_coef"], rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(result["intercept"], result["sklearn_intercept"], rtol=1e-3,
                               atol=1e-6)
    np.testing.assert_allclose(result["log_loss"], result["sklearn_log_loss"], rtol=0,
                               atol=1e-4)
    assert result["test_accuracy"] >= 0.95


def test_logistic_regression_without_scikit_learn(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn.linear_model", None)  # import fails
    monkeypatch.setattr(sys, "argv", ["logistic_regression.py"])
    example = load_example("logistic_regression")
    result = example.main(epochs=3)
    assert "sklearn_coef" not in result and np.isfinite(result["log_loss"])
    assert example.fit_sklearn(np.zeros((2, 1)), np.array([0, 1])) is None


def test_log_loss_helper_matches_the_definition():
    example = load_example("logistic_regression")
    x = np.array([[1.0], [-2.0], [0.5]])
    y = np.array([1, 0, 1])
    p = 1.0 / (1.0 + np.exp(-(x[:, 0] * 0.7 + 0.1)))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert_close(example.log_loss(x, y, np.array([0.7]), 0.1), expected, "internal64")


def test_binary_example_mirrors_the_packaged_one():
    """examples/binary_classification.py and `python -m minikeras` train the same model."""
    example = load_example("binary_classification")
    ours = example.main(seed=7, epochs=4)
    packaged = binary_classification(seed=7, epochs=4)
    for key in ("accuracy", "loss", "train_accuracy"):
        assert_close(ours[key], packaged[key], "internal64", err_msg=key)


def test_packaged_epochs_equal_the_example():
    from minikeras import __main__ as packaged

    assert packaged.EPOCHS == load_example("binary_classification").EPOCHS


@pytest.mark.parametrize("name, expected", [
    ("binary_classification", "test accuracy"),
    ("regression", "test R^2"),
    ("multiclass", "confusion matrix"),
    ("logistic_regression", "training log loss"),
])
def test_example_scripts_print_their_result(name, expected, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [f"{name}.py"])
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert expected in out, out


def test_plots_example_writes_its_pngs(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    monkeypatch.setattr(sys, "argv", ["plots.py", str(tmp_path / "out")])
    runpy.run_path(str(EXAMPLES / "plots.py"), run_name="__main__")
    names = ["decision_boundary.png", "history.png", "model.png", "sigmoid.png"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names
    for name in names:
        data = (tmp_path / "out" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name
    assert capsys.readouterr().out.count("wrote") == 4


def test_python_dash_m_minikeras_runs_outside_the_checkout(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "minikeras", "--epochs", "3", "--seed", "1"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "test accuracy" in proc.stdout
    assert "breast cancer" in proc.stdout
