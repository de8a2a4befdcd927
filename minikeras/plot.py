"""Plots with matplotlib (the ``plot`` extra): training curves, activations, models.

``plot_history``, ``plot_activation``, ``plot_decision_boundary`` and ``plot_model``
each return the matplotlib ``Figure`` and save it when given a file name. Figures
are made with ``matplotlib.pyplot``, so ``plt.show()`` shows them in a script and a
notebook displays them; call ``plt.close(fig)`` when making many. matplotlib is
imported inside the functions: ``import minikeras`` never needs it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["plot_activation", "plot_decision_boundary", "plot_history", "plot_model"]

PathLike = str | os.PathLike[str]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("minikeras.plot needs matplotlib: pip install 'minikeras[plot]' "
                          "(or pip install matplotlib).") from exc
    return plt


def _save(fig: Any, to_file: PathLike | None, dpi: Any = "figure") -> None:
    if to_file is not None:
        fig.savefig(os.fspath(to_file), dpi=dpi, bbox_inches="tight")


# ---------------------------------------------------------------------- history
def _history_dict(history: Any) -> tuple[dict[str, list[float]], list[int] | None]:
    """The logs and epoch indices of a History, a model after fit, or a plain dict."""
    epochs = None
    if isinstance(history, dict):
        logs = history
    elif isinstance(getattr(history, "history", None), dict):
        logs, epochs = history.history, getattr(history, "epoch", None)
    elif isinstance(getattr(getattr(history, "history", None), "history", None), dict):
        return _history_dict(history.history)  # a model: its last History
    else:
        raise TypeError("plot_history expects the History that fit() returns (or its "
                        f".history dict); received {type(history).__name__}.")
    if not logs:
        raise ValueError("plot_history: the history is empty (fit() ran no epochs).")
    return {k: [float(v) for v in vals] for k, vals in logs.items()}, epochs


def plot_history(history: Any, metrics: Sequence[str] | None = None,
                 to_file: PathLike | None = None, ncols: int = 3,
                 figsize: tuple[float, float] | None = None) -> Any:
    """Training curves: one panel per quantity (loss first), train and validation lines.

    Args:
        history: the ``History`` that ``fit`` returns, its ``.history`` dict, or a
            model that has been fitted.
        metrics: the quantities to draw (``"loss"``, ``"accuracy"``...); all by default.
            ``val_<name>`` is drawn in the same panel as ``<name>``.
        to_file: save the figure there (the extension picks the format).
        ncols: panels per row.

    Returns:
        The ``Figure``; each panel's lines are labelled ``"train"`` and ``"validation"``.
    """
    plt = _pyplot()
    logs, epochs = _history_dict(history)
    names: list[str] = []
    for key in logs:
        base = key[4:] if key.startswith("val_") else key
        if base not in names:
            names.append(base)
    names.sort(key=lambda k: k != "loss")  # loss first, the rest in fit's order
    if metrics is not None:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ValueError(f"plot_history: no {unknown} in the history; it has {names}.")
        names = list(metrics)
    cols = max(1, min(ncols, len(names)))
    rows = -(-len(names) // cols)
    fig = plt.figure(figsize=figsize or (4.5 * cols, 3.4 * rows))
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, i + 1)
        for key, label, style in ((name, "train", "-"), (f"val_{name}", "validation", "--")):
            if key not in logs:
                continue
            values = logs[key]
            x = [e + 1 for e in epochs] if epochs and len(epochs) == len(values) \
                else list(range(1, len(values) + 1))
            ax.plot(x, values, style, marker="o" if len(values) < 30 else None,
                    markersize=3, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    _save(fig, to_file)
    return fig


# ---------------------------------------------------------------------- activations
_NOT_ELEMENTWISE = ("softmax", "log_softmax")


def plot_activation(activation: Any = "sigmoid", x_range: tuple[float, float] = (-6.0, 6.0),
                    num: int = 401, derivative: bool = True,
                    to_file: PathLike | None = None) -> Any:
    """An activation's curve and its derivative, from minikeras's own forward/backward.

    The derivative is the activation's ``backward`` with an upstream gradient of ones,
    the very code that training runs, so the plot shows what the network uses.

    Args:
        activation: a name (``"sigmoid"``, ``"relu"``, ``"tanh"``...) or an activation.
        x_range: the interval of inputs drawn.
        num: the number of points.
        derivative: also draw the derivative (dashed).
        to_file: save the figure there.

    Returns:
        The ``Figure``: one axes with the line ``"<name>(x)"`` and, with
        ``derivative``, ``"<name>'(x)"``.
    """
    from . import activations

    plt = _pyplot()
    act = activations.get(activation)
    name = getattr(act, "name", None) or getattr(activation, "__name__", "activation")
    if name in _NOT_ELEMENTWISE:
        raise ValueError(f"plot_activation draws element-wise activations; {name} normalizes "
                         "over a whole row, so it has no single curve.")
    lo, hi = (float(v) for v in x_range)
    if not lo < hi:
        raise ValueError(f"`x_range` must be (low, high) with low < high; received {x_range}.")
    x = np.linspace(lo, hi, int(num))
    y = np.asarray(act.forward(x.copy()), dtype=np.float64)
    fig = plt.figure(figsize=(6.0, 4.0))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(x, y, "-", linewidth=2, label=f"{name}(x)")
    if derivative:
        dy = np.asarray(act.backward(x.copy(), y.copy(), np.ones_like(x)), dtype=np.float64)
        ax.plot(x, dy, "--", linewidth=2, label=f"{name}'(x)")
    ax.set_title(f"{name} and its derivative" if derivative else name)
    ax.set_xlabel("x")
    ax.set_ylabel("value")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    _save(fig, to_file)
    return fig


# ---------------------------------------------------------------------- decision boundary
def plot_decision_boundary(model: Any, x: Any, y: Any = None, resolution: int = 200,
                           margin: float = 0.1, to_file: PathLike | None = None,
                           feature_names: Sequence[str] = ("x[0]", "x[1]"),
                           title: str = "Decision boundary") -> Any:
    """The classes a model predicts over the plane, with the data points on top.

    A single output unit is read as the probability of class 1 (shaded, with its 0.5
    contour drawn); several units as class scores (the arg-max class is shaded).

    Args:
        model: a trained model taking 2 features (``model.predict`` is called).
        x: the points, shape ``(n, 2)``.
        y: their labels (integers or one-hot), used to colour the points.
        resolution: grid points per axis.
        margin: the plotted area extends this fraction of the data range on each side.
        to_file: save the figure there.

    Returns:
        The ``Figure``: one axes with the filled contours and one scatter of the points.
    """
    plt = _pyplot()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError("plot_decision_boundary needs 2-D inputs, x of shape (n, 2); "
                         f"received shape {x.shape}.")
    labels = None
    if y is not None:
        labels = np.asarray(y)
        if labels.ndim == 2 and labels.shape[1] > 1:
            labels = labels.argmax(axis=1)
        labels = labels.reshape(-1)
        if labels.shape[0] != x.shape[0]:
            raise ValueError(f"x has {x.shape[0]} rows but y has {labels.shape[0]}.")
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = np.where(hi > lo, (hi - lo) * margin, 1.0)
    g0 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], int(resolution))
    g1 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], int(resolution))
    xx, yy = np.meshgrid(g0, g1)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    out = np.asarray(model.predict(grid, verbose=0), dtype=np.float64)
    out = out.reshape(len(grid), -1)

    fig = plt.figure(figsize=(6.0, 5.0))
    ax = fig.add_subplot(1, 1, 1)
    if out.shape[1] == 1:
        prob = out[:, 0].reshape(xx.shape)
        filled = ax.contourf(xx, yy, prob, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu_r",
                             alpha=0.4, extend="both")
        fig.colorbar(filled, ax=ax, label="P(class 1)")
        if prob.min() < 0.5 < prob.max():
            ax.contour(xx, yy, prob, levels=[0.5], colors="k", linewidths=1.5)
    else:
        k = out.shape[1]
        classes = out.argmax(axis=1).reshape(xx.shape)
        ax.contourf(xx, yy, classes, levels=np.arange(k + 1) - 0.5, cmap="tab10",
                    vmin=-0.5, vmax=9.5, alpha=0.35)
    if labels is not None:
        cmap, vmax = ("RdBu_r", 1) if out.shape[1] == 1 else ("tab10", 9)
        ax.scatter(x[:, 0], x[:, 1], c=labels, cmap=cmap, vmin=0, vmax=vmax,
                   edgecolors="white", linewidths=0.6, s=20)
    else:
        ax.scatter(x[:, 0], x[:, 1], c="k", s=12)
    ax.set_xlim(g0[0], g0[-1])
    ax.set_ylim(g1[0], g1[-1])
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    ax.set_title(title)
    fig.tight_layout()
    _save(fig, to_file)
    return fig


# ---------------------------------------------------------------------- model
def _layer_rows(model: Any, expand_nested: bool) -> list[tuple[Any, Any, Any]]:
    """``(layer, input_shape, output_shape)`` per box; the input layer (``None``) first."""
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):
        shape = None
    rows: list[tuple[Any, Any, Any]] = []
    if shape is not None:
        rows.append((None, shape, shape))  # None stands for the input layer

    def walk(layers: list[Any], shape: Any) -> Any:
        for layer in layers:
            if expand_nested and hasattr(layer, "_layers"):
                shape = walk(list(layer._layers), shape)
                continue
            out = None
            if shape is not None:
                try:
                    out = tuple(layer.compute_output_shape(tuple(shape)))
                except Exception:  # a layer that cannot tell: draw it without shapes
                    out = None
            rows.append((layer, shape, out))
            shape = out
        return shape

    walk(list(getattr(model, "layers", [])), shape)
    return rows


def _input_name(model: Any) -> str:
    return getattr(getattr(model, "_input_layer", None), "name", None) or "input_layer"


def _fmt_shape(shape: Any) -> str:
    return "?" if shape is None else str(tuple(shape))


def _box_lines(model: Any, layer: Any, in_shape: Any, out_shape: Any, show_shapes: bool,
               show_dtype: bool, show_layer_names: bool, show_layer_activations: bool,
               show_trainable: bool) -> tuple[str, list[str]]:
    cls = "InputLayer" if layer is None else type(layer).__name__
    name = _input_name(model) if layer is None else layer.name
    title = f"{name} ({cls})" if show_layer_names else cls
    lines = []
    if show_shapes:
        if layer is None:
            lines.append(f"shape: {_fmt_shape(out_shape)}")
        else:
            lines.append(f"input: {_fmt_shape(in_shape)}   output: {_fmt_shape(out_shape)}")
    if show_dtype:
        owner = model if layer is None else layer
        lines.append(f"dtype: {getattr(owner, 'dtype', None) or 'float32'}")
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"activation: {getattr(activation, 'name', activation)}")
    if show_trainable and layer is not None:
        lines.append(f"trainable: {layer.trainable}")
    return title, lines


def plot_model(model: Any, to_file: PathLike | None = None, show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200, show_layer_activations: bool = False,
               show_trainable: bool = False, **kwargs: Any) -> Any:
    """Draw a Sequential model's layer stack as boxes joined by arrows.

    Keras's arguments (``keras.utils.plot_model``), drawn with matplotlib instead of
    graphviz. ``mk.utils.plot_model`` is the same function with Keras's default
    ``to_file="model.png"``; here nothing is written unless ``to_file`` is given.

    Args:
        show_shapes: write each layer's input and output shape.
        show_dtype: write each layer's dtype.
        show_layer_names: ``"name (Class)"`` rather than ``"Class"``.
        rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        expand_nested: draw the layers of nested Sequential models.
        dpi: resolution of the saved image.
        show_layer_activations: write the activation of layers that have one.
        show_trainable: write whether each layer trains.

    Returns:
        The ``Figure``: one axes with one rectangle per layer (the input layer first),
        ``gid="layer:<name>"``, and one arrow (``gid="arrow"``) between neighbours.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    plt = _pyplot()
    kwargs.pop("show_layer_range", None)
    kwargs.pop("layer_range", None)
    if kwargs:
        raise TypeError(f"plot_model() got unexpected keyword argument(s): {sorted(kwargs)}")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"`rankdir` must be 'TB' or 'LR'. Received: rankdir={rankdir!r}")
    rows = _layer_rows(model, expand_nested)
    if not rows:
        raise ValueError("plot_model: the model has no layers to draw.")
    boxes = [_box_lines(model, layer, i, o, show_shapes, show_dtype, show_layer_names,
                        show_layer_activations, show_trainable) for layer, i, o in rows]
    n = len(boxes)
    text_lines = max(1 + len(lines) for _, lines in boxes)
    chars = max(max(len(t), *(len(s) for s in lines)) if lines else len(t)
                for t, lines in boxes)
    box_w = max(2.2, 0.085 * chars + 0.4)  # inches
    box_h = 0.2 * text_lines + 0.3
    gap = 0.4
    if rankdir == "TB":
        fig = plt.figure(figsize=(box_w + 0.6, n * (box_h + gap) + 0.2))
        centers = [(0.5 * (box_w + 0.6), (n - i - 0.5) * (box_h + gap) + 0.1) for i in range(n)]
        width_total, height_total = box_w + 0.6, n * (box_h + gap) + 0.2
    else:
        fig = plt.figure(figsize=(n * (box_w + gap) + 0.2, box_h + 0.6))
        centers = [((i + 0.5) * (box_w + gap) + 0.1, 0.5 * (box_h + 0.6)) for i in range(n)]
        width_total, height_total = n * (box_w + gap) + 0.2, box_h + 0.6
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width_total)
    ax.set_ylim(0, height_total)
    ax.set_axis_off()
    for (layer, _, _), (title, lines), (cx, cy) in zip(rows, boxes, centers):
        name = _input_name(model) if layer is None else layer.name
        box = FancyBboxPatch((cx - box_w / 2, cy - box_h / 2), box_w, box_h,
                             boxstyle="round,pad=0.02,rounding_size=0.08",
                             facecolor="#dbe9f6" if layer is not None else "#eeeeee",
                             edgecolor="#333333", linewidth=1.0)
        box.set_gid(f"layer:{name}")
        ax.add_patch(box)
        ax.text(cx, cy + 0.1 * len(lines), title, ha="center", va="center", fontsize=9,
                fontweight="bold")
        for j, line in enumerate(lines):
            ax.text(cx, cy + 0.1 * len(lines) - 0.2 * (j + 1), line, ha="center",
                    va="center", fontsize=8, family="monospace")
    for (x0, y0), (x1, y1) in zip(centers, centers[1:]):
        if rankdir == "TB":
            start, end = (x0, y0 - box_h / 2), (x1, y1 + box_h / 2)
        else:
            start, end = (x0 + box_w / 2, y0), (x1 - box_w / 2, y1)
        arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12,
                                color="#333333", linewidth=1.0)
        arrow.set_gid("arrow")
        ax.add_patch(arrow)
    _save(fig, to_file, dpi=dpi)
    return fig
