"""plot_model: a model's architecture as a picture, one box per layer (like Keras's plot_model)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from autograd_lite.viz.dot import (
    CONSTANT,
    INTERMEDIATE,
    MONO,
    MUTED,
    PARAMETER,
    STYLES,
    check_rankdir,
    escape,
    font,
    new_digraph,
    save_graph,
    table,
)

from .layers.base import format_shape

if TYPE_CHECKING:
    import graphviz

    from .models import Sequential


def plot_model(
    model: Sequential,
    to_file: str | os.PathLike | None = "model.png",
    show_shapes: bool = True,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    dpi: int = 96,
) -> graphviz.Digraph:
    """Draw `model`'s input and layers in order, each layer with its type, shapes and
    parameter count.

    Layers that hold parameters are green, the others blue, the input grey (the colours of
    parameters, computed tensors and inputs in `autograd_lite.draw_graph`). The picture is
    written to `to_file` (.png, .svg, .pdf or .dot by its suffix; None writes nothing) and
    returned as a graphviz Digraph, which shows inline in Jupyter as SVG at most 12 in
    (1,152 px) wide. As in Keras, the model must be built: start it with
    `Input(shape=...)`, or call it on data first.

    Args:
        model: a built `Sequential`.
        to_file: where to write the picture, or None.
        show_shapes: show each layer's input and output shape (batch axis None).
        show_layer_names: show each layer's name before its type.
        rankdir: "TB" (top to bottom) or "LR" (left to right); "BT" and "RL" reverse them.
        dpi: resolution of a PNG.

    >>> import nn
    >>> model = nn.Sequential([nn.Input(shape=(4,)), nn.Dense(3, name="out")], name="tiny")
    >>> "15 params" in nn.plot_model(model, to_file=None).source
    True
    """
    check_rankdir(rankdir, "plot_model", automatic=False)
    model._require_built("plot_model")
    graph = new_digraph(str(model.name), rankdir, labelloc="t")
    counts = [layer.count_params() for layer in model.layers]
    title = font(f"<B>{escape(model.name)}</B>", 13)
    total = font(escape(f"{sum(counts):,} parameters"), 10, MUTED)
    graph.attr(label=f"<{title}<BR/>{total}>")
    rows = [font("<B>Input</B>", 12)]
    if show_shapes:
        rows.append(font(escape(f"shape: {format_shape(model.input_shape)}"), 10, face=MONO))
    fill, border = STYLES[CONSTANT]
    graph.node("input", label=table(rows), fillcolor=fill, color=border)
    previous = "input"
    for i, (layer, count) in enumerate(zip(model.layers, counts)):
        kind = escape(type(layer).__name__)
        rows = [
            f"{font(f'<B>{escape(layer.name)}</B>', 12)} {font(f'({kind})', 11, MUTED)}"
            if show_layer_names
            else font(f"<B>{kind}</B>", 12)
        ]
        if show_shapes:
            output_shape = layer.compute_output_shape(layer.input_shape)
            rows.append(font(escape(f"input:  {format_shape(layer.input_shape)}"), 10, face=MONO))
            rows.append(font(escape(f"output: {format_shape(output_shape)}"), 10, face=MONO))
        rows.append(font(escape(f"{count:,} params"), 10, MUTED))
        fill, border = STYLES[PARAMETER if count else INTERMEDIATE]
        graph.node(f"layer{i}", label=table(rows), fillcolor=fill, color=border)
        graph.edge(previous, f"layer{i}")
        previous = f"layer{i}"
    if to_file is not None:
        save_graph(graph, to_file, dpi=dpi, caller="plot_model")
    return graph
