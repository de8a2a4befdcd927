"""``model.summary()``: layer, output shape, parameter count, and the totals.

Keras 3 draws the table with ``rich`` (a heavy-headed box, a rule between rows); this
draws the same characters with plain string operations, no dependency: the default
width is ``min(88, terminal columns - 4)`` (76 where there is no terminal), the columns
end at ``positions`` of it, each cell has one space of padding on either side, and the
columns then give back, in turn, the width their padding and the borders take (rich's
``ratio_reduce``), or share out what is left over (``ratio_distribute``). Lines wider than
the terminal are cut there, as rich crops them. Inside the cells: thousands separators,
``0 (unbuilt)``, ``?`` for an unknown shape, ``-`` in the Trainable column for a layer
without weights, nested layers as ``└ name``, long names wrapped at spaces (a word too
long for its column ends in ``…``), ``layer_range`` as regexes; below the table, the
totals with their sizes and an ``Optimizer params`` line once the optimizer is built.
As in Keras 3, ``print_fn`` is called once, with the whole text.
``tests/golden/summary.json`` holds Keras's own texts for the cases the tests compare.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable, Sequence
from typing import Any

from .. import config

#: Keras 3's width for a sequential model, capped by the terminal's width minus 4.
DEFAULT_LINE_LENGTH = 88
#: Where each column ends, as fractions of the line (Keras 3's for sequential models).
DEFAULT_POSITIONS = (0.45, 0.80, 1.0)
#: The Trainable column: the line grows by this much and the other columns shrink to 90%.
TRAINABLE_EXTRA = 12
#: rich's HEAVY_HEAD box: (left, horizontal, between columns, right) for each rule.
_TOP, _HEAD_RULE, _ROW_RULE, _BOTTOM = "┏━┳┓", "┡━╇┩", "├─┼┤", "└─┴┘"
_ASCII_BOX = str.maketrans("┏┳┓┡╇┩├┼┤└┴┘━─┃│…", "++++++++++++=-||~")


def _fmt_bytes(n: float) -> str:
    """Keras's ``readable_memory_size``: 1024-based units, two decimals."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _count(variables: Sequence[Any]) -> int:
    return int(sum(v.size for v in variables))


def _nbytes(variables: Sequence[Any], float_size: int | None = None) -> int:
    """Bytes held, each variable once. An integer variable (the optimizer's ``iteration``)
    counts 4 bytes per element: Keras 3 makes it int32 (jax, torch, numpy backends).
    ``float_size`` overrides the size of float elements."""
    unique = {id(v): v for v in variables}.values()
    total = 0
    for v in unique:
        dtype = v.value.dtype
        if dtype.kind in "iu":
            total += v.size * min(dtype.itemsize, 4)
        else:
            total += v.size * (float_size or dtype.itemsize)
    return total


def _terminal_columns() -> int:
    return shutil.get_terminal_size((80, 24)).columns


def _column_widths(line_length: int, positions: Sequence[float] | None,
                   show_trainable: bool = False) -> list[int]:
    """Each column's width before padding; ``positions`` are fractions of the line (last
    <= 1) or, as in tf.keras 2, the character at which each column ends."""
    positions = list(positions) if positions is not None else list(DEFAULT_POSITIONS)
    if len(positions) < 3:
        raise ValueError("positions must give the end of each of the 3 columns (Layer (type), "
                         f"Output Shape, Param #). Received: positions={positions}")
    positions = positions[:3]
    if positions[-1] > 1:
        positions = [p / line_length for p in positions]
    if show_trainable:
        positions = [p * 0.90 for p in positions] + [1.0]
    widths, current = [], 0
    for p in positions:
        width = int(p * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    return widths


def _fit_columns(widths: list[int], room: int) -> list[int]:
    """Padded column widths (each + 2) brought to ``room`` characters in all, as rich lays
    out a table of fixed-width columns: each column in turn gives up (or takes) its share
    of what is still over (or left), rounded to nearest (up when sharing out)."""
    padded = [w + 2 for w in widths]
    over = sum(padded) - room
    out = []
    share_total = len(padded) if over > 0 else sum(padded)
    remaining = abs(over)
    for w in padded:
        if over > 0:
            part = min(w, round(remaining / share_total))
            out.append(w - part)
            share_total -= 1
        else:
            part = math.ceil(w * remaining / share_total) if share_total > 0 else remaining
            out.append(w + part)
            share_total -= w
        remaining -= part
    return out


def _rule(chars: str, widths: Sequence[int]) -> str:
    left, line, cross, right = chars
    return left + cross.join(line * w for w in widths) + right


def _justify(text: str, width: int, how: str) -> str:
    if how == "right":
        return text.rjust(width)
    if how == "center":
        left = (width - len(text)) // 2
        return " " * left + text + " " * (width - len(text) - left)
    return text.ljust(width)


def _wrap(text: str, width: int) -> list[str]:
    """Break ``text`` at spaces into lines of at most ``width`` characters, as Keras's
    table does: a word longer than the line is cut to fit and ends in ``…``. Leading
    spaces (a nested layer's indent) stay on the first line."""
    lines: list[str] = []
    for match in re.finditer(r"\s*\S+", text):
        word = match.group() if not lines else match.group().lstrip()
        if len(word) > width:
            word = word[:width - 1] + "…"
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def get_layer_index_bound_by_layer_name(layers: Sequence[Any],
                                        layer_range: Sequence[str] | None = None) -> list[int]:
    """``[first, last + 1]``: the first layer whose name matches ``layer_range[0]`` to the
    last matching ``layer_range[1]`` (``re.match``), as Keras 3 picks them."""
    if layer_range is None:
        return [0, len(layers)]
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError("Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if min(lower) > max(upper):
        return [min(upper), max(lower) + 1]
    return [min(lower), max(upper) + 1]


def _optimizer_params(model: Any) -> tuple[int, int] | None:
    """Count and bytes of the optimizer's variables once it is built (Keras: iteration,
    learning rate unless scheduled, the slots); None before, when Keras prints no line.

    Keras builds its optimizer on ``model.trainable_variables``, so a weight frozen before
    training has no slots there. Ours lays slots out for every weight that can train (the
    flat buffer), so the slots of weights the model does not train now are left out.
    """
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "compiled", False) or optimizer is None \
            or not getattr(optimizer, "built", False):
        return None
    # Keras's extra float state (Nadam's u_product) has the weights' dtype, as the slots do
    layout = list(getattr(optimizer, "_layout", []))
    slots = list(getattr(optimizer, "_slot_variables", []))
    float_size = slots[0].value.dtype.itemsize if slots else None
    variables = list(optimizer.variables)
    count, nbytes = _count(variables), _nbytes(variables, float_size)
    if layout and slots and len(slots) % len(layout) == 0:
        trains = {id(v) for v in model.trainable_weights}
        frozen = _count([v for v in layout if id(v) not in trains]) * (len(slots) // len(layout))
        count -= frozen
        nbytes -= frozen * slots[0].value.dtype.itemsize
    return count, nbytes


def summary_lines(model: Any, line_length: int | None = None, expand_nested: bool = False,
                  show_trainable: bool = False, positions: Sequence[float] | None = None,
                  layer_range: Sequence[str] | None = None) -> list[str]:
    """The lines of the summary: Keras 3's table and totals."""
    columns = _terminal_columns()
    default = DEFAULT_LINE_LENGTH + (TRAINABLE_EXTRA if show_trainable else 0)
    line_length = line_length or min(default, columns - 4)
    widths = _fit_columns(_column_widths(line_length, positions, show_trainable),
                          line_length - (len(DEFAULT_POSITIONS) + show_trainable + 1))
    room = [w - 2 for w in widths]
    align = ["left", "left", "right"] + (["center"] if show_trainable else [])

    def add_row(cells: Sequence[str], bar: str, bottom: bool = False) -> None:
        wrapped = [_wrap(c, r) for c, r in zip(cells, room)]
        height = max(len(w) for w in wrapped)
        # rich puts header cells at the bottom of their row, body cells at the top
        wrapped = [[""] * (height - len(w)) * bottom + w + [""] * (height - len(w)) * (not bottom)
                   for w in wrapped]
        for i in range(height):
            parts = [_justify(w[i], r, how) for w, r, how in zip(wrapped, room, align)]
            table.append(bar + bar.join(f" {p} " for p in parts) + bar)

    table = [_rule(_TOP, widths)]
    add_row(["Layer (type)", "Output Shape", "Param #"]
            + (["Trainable"] if show_trainable else []), "┃", bottom=True)
    table.append(_rule(_HEAD_RULE, widths))
    body_start = len(table)

    def fields(layer: Any, out: Any, level: int) -> list[str]:
        prefix = "   " * level + "└ " if level else ""
        params = f"{_count(layer.weights):,}" if layer.built else "0 (unbuilt)"
        cells = [f"{prefix}{layer.name} ({type(layer).__name__})",
                 str(tuple(out)) if out is not None else "?", params]
        if show_trainable:
            cells.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return cells

    def add_layer(layer: Any, shape: Any, level: int) -> Any:
        out = layer.compute_output_shape(shape) if shape is not None else None
        if len(table) > body_start:
            table.append(_rule(_ROW_RULE, widths))
        add_row(fields(layer, out, level), "│")
        if expand_nested and getattr(layer, "_layers", None):
            inner = shape
            for child in layer._layers:
                inner = add_layer(child, inner, level + 1)
        return out

    layers = list(model._layers)
    first, stop = get_layer_index_bound_by_layer_name(layers, layer_range)
    shape = model._build_input_shape if model.built else None
    for i, layer in enumerate(layers[:stop]):
        if i < first:
            shape = layer.compute_output_shape(shape) if shape is not None else None
            continue
        shape = add_layer(layer, shape, 0)
    table.append(_rule(_BOTTOM, widths))

    lines = [f'Model: "{model.name}"'] + [line[:columns] for line in table]
    groups = [(label, _count(vs), _nbytes(vs)) for label, vs in
              [("Trainable params", model.trainable_weights),
               ("Non-trainable params", model.non_trainable_weights)]]
    optimizer_params = _optimizer_params(model)
    if optimizer_params is not None:
        groups.append(("Optimizer params", *optimizer_params))
    total = sum(count for _, count, _ in groups)
    total_bytes = sum(nbytes for _, _, nbytes in groups)
    lines.append(f" Total params: {total:,} ({_fmt_bytes(total_bytes)})")
    for label, count, nbytes in groups:
        lines.append(f" {label}: {count:,} ({_fmt_bytes(nbytes)})")
    return lines


def print_summary(model: Any, line_length: int | None = None,
                  positions: Sequence[float] | None = None,
                  print_fn: Callable[..., Any] | None = None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range: Sequence[str] | None = None) -> None:
    """Print the summary, or pass it to ``print_fn`` once, as one string ending in a
    newline (Keras 3; ``print_fn=buf.write`` and ``print_fn=lines.append`` both work)."""
    text = "\n".join(summary_lines(model, line_length=line_length, expand_nested=expand_nested,
                                   show_trainable=show_trainable, positions=positions,
                                   layer_range=layer_range)) + "\n"
    if print_fn is None and not config.is_interactive_logging_enabled():
        config.say(text.rstrip("\n"))  # Keras hands the text to print_msg, i.e. logging
        return
    if print_fn is None:
        try:
            print(text, end="")
        except UnicodeEncodeError:  # a console that cannot show box drawing (rich falls
            print(text.translate(_ASCII_BOX), end="")  # back to ASCII boxes there too)
        return
    from ..callbacks.base import print_msg

    if print_fn is print_msg:
        print_fn(text, line_break=False)
    else:
        print_fn(text)
