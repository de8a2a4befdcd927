"""``model.summary()``: layer, output shape, parameter count, and the totals."""

from __future__ import annotations

from typing import Any


def _fmt_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def _shape(layer: Any, shape: Any) -> str:
    return str(tuple(shape)) if shape is not None else "?"


def summary_lines(model: Any, line_length: int = 65, expand_nested: bool = False,
                  show_trainable: bool = False) -> list[str]:
    """The lines of the summary table (tf.keras 2's layout, Keras 3's totals)."""
    widths = [int(line_length * 0.45), int(line_length * 0.30)]
    widths.append(line_length - sum(widths))
    if show_trainable:
        widths.append(11)
    total_width = sum(widths)

    def row(*cells: str) -> str:
        return "".join(f" {c}".ljust(w) for c, w in zip(cells, widths)).rstrip()

    lines = [f'Model: "{model.name}"', "_" * total_width]
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Trainable"] if show_trainable else [])
    lines += [row(*header), "=" * total_width]
    shape = model._build_input_shape if model.built else None

    def add_layers(layers: list[Any], shape: Any, prefix: str) -> Any:
        for i, layer in enumerate(layers):
            out = layer.compute_output_shape(shape) if shape is not None else None
            built = layer.built
            params = str(sum(v.size for v in layer.weights)) if built else "0 (unbuilt)"
            cells = [f"{prefix}{layer.name} ({type(layer).__name__})", _shape(layer, out), params]
            if show_trainable:
                cells.append("Y" if layer.trainable else "N")
            lines.append(row(*cells))
            if expand_nested and hasattr(layer, "_layers"):
                add_layers(layer._layers, shape, prefix + "  ")
            shape = out
            if i < len(layers) - 1 and not prefix:
                lines.append("")
        return shape

    add_layers(model._layers, shape, "")
    lines.append("=" * total_width)
    weights = model.weights
    total = sum(v.size for v in weights)
    trainable = sum(v.size for v in model.trainable_weights)
    total_bytes = sum(v.size * v.value.itemsize for v in weights)
    train_bytes = sum(v.size * v.value.itemsize for v in model.trainable_weights)
    lines.append(f"Total params: {total} ({_fmt_bytes(total_bytes)})")
    lines.append(f"Trainable params: {trainable} ({_fmt_bytes(train_bytes)})")
    lines.append(f"Non-trainable params: {total - trainable} "
                 f"({_fmt_bytes(total_bytes - train_bytes)})")
    lines.append("_" * total_width)
    return lines
