"""minikeras.plot (the plot extra), drawn with the Agg backend: axes, lines, labels, files."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import minikeras as mk
from tests.helpers.tolerances import assert_close

matplotlib = pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not "
                                                      "installed")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from minikeras import plot  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _is_png(path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == PNG


def _labelled(ax) -> dict[str, object]:
    return {line.get_label(): line for line in ax.lines}


# ---------------------------------------------------------------------- plot_history
def test_plot_history_one_panel_per_quantity_with_train_and_validation(tmp_path):
    logs = {"accuracy": [0.5, 0.7, 0.8], "loss": [0.9, 0.6, 0.4],
            "val_accuracy": [0.55, 0.65, 0.75], "val_loss": [0.8, 0.7, 0.5]}
    fig = plot.plot_history(logs, to_file=tmp_path / "h.png")
    assert isinstance(fig, Figure) and _is_png(tmp_path / "h.png")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]  # loss first
    for ax, name in zip(axes, ["loss", "accuracy"]):
        lines = _labelled(ax)
        assert sorted(lines) == ["train", "validation"]
        np.testing.assert_array_equal(lines["train"].get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(lines["train"].get_ydata(), logs[name])
        np.testing.assert_array_equal(lines["validation"].get_ydata(), logs[f"val_{name}"])
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == name
        assert ax.get_legend() is not None


def test_plot_history_of_a_real_fit_uses_its_epochs():
    mk.utils.set_random_seed(0)
    x, y = mk.datasets.make_moons(64, noise=0.1, seed=0)
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(4, activation="relu"),
                           mk.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    history = model.fit(x, y, epochs=5, initial_epoch=2, verbose=0)
    fig = plot.plot_history(history)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    train = _labelled(fig.axes[0])["train"]
    assert list(_labelled(fig.axes[0])) == ["train"]  # no validation data: one line
    np.testing.assert_array_equal(train.get_xdata(), [3, 4, 5])
    np.testing.assert_array_equal(train.get_ydata(), history.history["loss"])
    assert len(plot.plot_history(model, metrics=["accuracy"]).axes) == 1  # a fitted model


def test_plot_history_rejects_what_it_cannot_draw():
    with pytest.raises(ValueError, match=r"no \['auc'\] in the history"):
        plot.plot_history({"loss": [1.0]}, metrics=["auc"])
    with pytest.raises(ValueError, match="empty"):
        plot.plot_history({})
    with pytest.raises(TypeError, match="History"):
        plot.plot_history([0.1, 0.2])


# ---------------------------------------------------------------------- plot_activation
def test_plot_activation_sigmoid_is_the_s_curve_and_its_derivative(tmp_path):
    fig = plot.plot_activation("sigmoid", to_file=tmp_path / "s.png")
    assert _is_png(tmp_path / "s.png")
    (ax,) = fig.axes
    lines = _labelled(ax)
    assert sorted(lines) == ["sigmoid'(x)", "sigmoid(x)"]
    x = lines["sigmoid(x)"].get_xdata()
    assert x[0] == -6.0 and x[-1] == 6.0
    s = 1.0 / (1.0 + np.exp(-x))
    assert_close(lines["sigmoid(x)"].get_ydata(), s, "internal64")
    assert_close(lines["sigmoid'(x)"].get_ydata(), s * (1.0 - s), "internal64")
    assert ax.get_title() == "sigmoid and its derivative" and ax.get_xlabel() == "x"


def test_plot_activation_relu_derivative_is_a_step():
    fig = plot.plot_activation("relu", x_range=(-1.0, 1.0), num=5)
    lines = _labelled(fig.axes[0])
    np.testing.assert_array_equal(lines["relu(x)"].get_ydata(), [0, 0, 0, 0.5, 1])
    np.testing.assert_array_equal(lines["relu'(x)"].get_ydata(), [0, 0, 0, 1, 1])
    one = plot.plot_activation(mk.activations.tanh, derivative=False)
    assert [line.get_label() for line in one.axes[0].lines] == ["tanh(x)"]


def test_plot_activation_refuses_softmax_and_bad_ranges():
    with pytest.raises(ValueError, match="element-wise"):
        plot.plot_activation("softmax")
    with pytest.raises(ValueError, match="low < high"):
        plot.plot_activation("tanh", x_range=(1.0, -1.0))
    with pytest.raises(ValueError, match="Unknown activation"):
        plot.plot_activation("sigmoidd")


# ---------------------------------------------------------------------- decision boundary
def _fixed_model(units: int) -> mk.Sequential:
    """A model whose boundary is known: class 1 where x[0] > 0 (or argmax of +/-x[0], x[1])."""
    activation = "sigmoid" if units == 1 else "softmax"
    model = mk.Sequential([mk.Input((2,)), mk.layers.Dense(units, activation=activation)])
    kernel = np.array([[8.0], [0.0]]) if units == 1 else np.array([[8.0, -8.0, 0.0],
                                                                   [0.0, 0.0, 8.0]])
    model.set_weights([kernel, np.zeros(units)])
    return model


def test_plot_decision_boundary_binary(tmp_path):
    x = np.array([[-1.0, -1.0], [-0.5, 1.0], [0.5, -1.0], [1.0, 1.0]])
    y = np.array([0, 0, 1, 1])
    fig = plot.plot_decision_boundary(_fixed_model(1), x, y, resolution=41,
                                      to_file=tmp_path / "b.png")
    assert _is_png(tmp_path / "b.png")
    ax = fig.axes[0]  # the second axes is the probability colour bar
    assert len(fig.axes) == 2
    assert ax.get_xlabel() == "x[0]" and ax.get_ylabel() == "x[1]"
    assert ax.get_title() == "Decision boundary"
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 1
    np.testing.assert_array_equal(scatters[0].get_offsets(), x)
    np.testing.assert_array_equal(scatters[0].get_array(), y)
    # The 0.5 contour of sigmoid(8 x0) is the line x0 = 0.
    contour = [c for c in ax.collections if not isinstance(c, PathCollection)]
    boundary = contour[-1]
    assert list(boundary.levels) == [0.5]
    vertices = np.concatenate([p.vertices for p in boundary.get_paths() if len(p.vertices)])
    np.testing.assert_allclose(vertices[:, 0], 0.0, rtol=0, atol=1e-9)
    lo, hi = ax.get_xlim()
    assert lo < -1.0 and hi > 1.0  # a margin around the data


def test_plot_decision_boundary_multiclass_with_one_hot_labels():
    x = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0]])
    y = mk.utils.to_categorical([0, 1, 2], 3)
    fig = plot.plot_decision_boundary(_fixed_model(3), x, y, resolution=30)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    filled = [c for c in ax.collections if not isinstance(c, PathCollection)][0]
    np.testing.assert_allclose(filled.levels, [-0.5, 0.5, 1.5, 2.5], rtol=0, atol=0)
    scatter = [c for c in ax.collections if isinstance(c, PathCollection)][0]
    np.testing.assert_array_equal(scatter.get_array(), [0, 1, 2])


def test_plot_decision_boundary_needs_two_features():
    with pytest.raises(ValueError, match=r"x of shape \(n, 2\); received shape \(4, 3\)"):
        plot.plot_decision_boundary(_fixed_model(1), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="x has 2 rows but y has 3"):
        plot.plot_decision_boundary(_fixed_model(1), np.zeros((2, 2)), [0, 1, 1])


# ---------------------------------------------------------------------- plot_model
def _stack() -> mk.Sequential:
    return mk.Sequential([mk.Input((30,)), mk.layers.Dense(16, activation="relu"),
                          mk.layers.Dropout(0.2), mk.layers.Dense(1, activation="sigmoid")])


def _boxes(fig):
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if (p.get_gid() or "").startswith("layer:")]
    arrows = [p for p in ax.patches if p.get_gid() == "arrow"]
    return ax, boxes, arrows


def test_plot_model_draws_the_layer_stack_with_shapes(tmp_path):
    fig = plot.plot_model(_stack(), to_file=tmp_path / "m.png", show_shapes=True,
                          show_layer_activations=True)
    assert _is_png(tmp_path / "m.png")
    ax, boxes, arrows = _boxes(fig)
    assert [b.get_gid() for b in boxes] == ["layer:input_layer", "layer:dense",
                                            "layer:dropout", "layer:dense_1"]
    assert len(arrows) == 3
    tops = [b.get_y() for b in boxes]
    assert tops == sorted(tops, reverse=True)  # "TB": the input at the top
    texts = [t.get_text() for t in ax.texts]
    for expected in ("input_layer (InputLayer)", "dense (Dense)", "dropout (Dropout)",
                     "dense_1 (Dense)", "shape: (None, 30)",
                     "input: (None, 30)   output: (None, 16)",
                     "input: (None, 16)   output: (None, 1)",
                     "activation: relu", "activation: sigmoid"):
        assert expected in texts, expected


def test_plot_model_options_change_the_text():
    fig = plot.plot_model(_stack(), show_layer_names=False, rankdir="LR", show_dtype=True,
                          show_trainable=True)
    ax, boxes, arrows = _boxes(fig)
    texts = [t.get_text() for t in ax.texts]
    assert "Dense" in texts and "dense (Dense)" not in texts
    assert not any("(None, 30)" in t for t in texts)  # no shapes unless asked
    assert texts.count("dtype: float32") == 4 and texts.count("trainable: True") == 3
    lefts = [b.get_x() for b in boxes]
    assert lefts == sorted(lefts) and len(arrows) == 3  # "LR": left to right


def test_plot_model_without_known_input_shape_draws_the_layers():
    model = mk.Sequential([mk.layers.Dense(3), mk.layers.Dense(1)])
    _, boxes, arrows = _boxes(plot.plot_model(model, show_shapes=True))
    assert [b.get_gid() for b in boxes] == ["layer:dense", "layer:dense_1"]
    assert len(arrows) == 1


def test_utils_plot_model_delegates_with_keras_signature(tmp_path):
    target = tmp_path / "model.png"
    fig = mk.utils.plot_model(_stack(), to_file=str(target), show_shapes=True, dpi=50)
    assert isinstance(fig, Figure) and _is_png(target)


def test_plot_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="rankdir"):
        plot.plot_model(_stack(), rankdir="BT")
    with pytest.raises(TypeError, match="unexpected keyword"):
        plot.plot_model(_stack(), colour="red")
    with pytest.raises(ValueError, match="no layers"):
        plot.plot_model(mk.Sequential())


def test_import_minikeras_plot_does_not_import_matplotlib():
    code = ("import sys, minikeras, minikeras.plot; "
            "print(any(m.startswith('matplotlib') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
