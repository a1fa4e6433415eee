"""plot_model: a model's architecture as a picture, one box per layer (like Keras's plot_model)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from autograd_lite.viz.dot import (
    INTERMEDIATE,
    MONO,
    MUTED,
    PARAMETER,
    STYLES,
    escape,
    font,
    new_digraph,
    save_graph,
    table,
)

if TYPE_CHECKING:
    import graphviz


def plot_model(
    model: Any,
    to_file: str | os.PathLike | None = "model.png",
    show_shapes: bool = True,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    dpi: int = 96,
) -> graphviz.Digraph:
    """Draw `model`'s layers in order, each with its type, shapes and parameter count.

    Layers that hold parameters are green, the others blue (the colours of parameters and
    computed tensors in `autograd_lite.draw_graph`). The picture is written to `to_file`
    (.png, .svg, .pdf or .dot by its suffix; None writes nothing) and returned as a
    graphviz Digraph, which shows inline in Jupyter.

    Args:
        model: anything with `name` and `layers`; each layer has `name`, `count_params()`,
            `input_shape` and `output_shape` (tuples with None for the batch; without
            `output_shape`, `compute_output_shape(input_shape)` is used).
        to_file: where to write the picture, or None.
        show_shapes: show each layer's input and output shape.
        show_layer_names: show each layer's name above its type.
        rankdir: "TB" (top to bottom) or "LR" (left to right).
        dpi: resolution of a PNG.
    """
    graph = new_digraph(str(model.name), rankdir, labelloc="t")
    counts = [int(layer.count_params()) for layer in model.layers]
    title = font(f"<B>{escape(model.name)}</B>", 13)
    total = font(escape(f"{sum(counts):,} parameters"), 10, MUTED)
    graph.attr(label=f"<{title}<BR/>{total}>")
    for i, (layer, count) in enumerate(zip(model.layers, counts)):
        kind = escape(type(layer).__name__)
        rows = [
            f"{font(f'<B>{escape(layer.name)}</B>', 12)} {font(f'({kind})', 11, MUTED)}"
            if show_layer_names
            else font(f"<B>{kind}</B>", 12)
        ]
        if show_shapes:
            rows.append(font(escape(f"input:  {_shape(layer, 'input_shape')}"), 10, face=MONO))
            rows.append(font(escape(f"output: {_shape(layer, 'output_shape')}"), 10, face=MONO))
        rows.append(font(escape(f"{count:,} params"), 10, MUTED))
        fill, border = STYLES[PARAMETER if count else INTERMEDIATE]
        graph.node(f"layer{i}", label=table(rows), fillcolor=fill, color=border)
        if i:
            graph.edge(f"layer{i - 1}", f"layer{i}")
    if to_file is not None:
        save_graph(graph, to_file, dpi=dpi)
    return graph


def _shape(layer: Any, attribute: str) -> str:
    """`(None, 400)`, or `?` for a layer that is not built yet (Keras raises then)."""
    try:
        return str(_read_shape(layer, attribute))
    except (AttributeError, RuntimeError, TypeError, ValueError):
        return "?"


def _read_shape(layer: Any, attribute: str) -> Any:
    """The attribute; a layer without `output_shape` computes it, as Keras's layers can."""
    try:
        return getattr(layer, attribute)
    except AttributeError:
        if attribute == "output_shape" and hasattr(layer, "compute_output_shape"):
            return layer.compute_output_shape(layer.input_shape)
        raise
