"""GraphSpec -> graphviz.Digraph: styles, escaping, files. The one module that imports graphviz.

graphviz is imported inside the functions that need it, so `import autograd_lite` never
loads it. Every label is an HTML-like label built from escaped text, so a name such as
`<b>{"x"}` can never break the DOT source.
"""

from __future__ import annotations

import functools
import html
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import check_path, write_atomically
from ..tensor import Tensor
from .graph import (
    CONSTANT,
    INTERMEDIATE,
    NUMBERS,
    PARAMETER,
    ROOT,
    Edge,
    GraphSpec,
    Heatmap,
    LayerNode,
    OpNode,
    TensorNode,
    build_spec,
)

if TYPE_CHECKING:
    import graphviz

FONT = "Helvetica"
MONO = "Courier"
OP = "op"
LAYER = "layer"
# (fill, border) for each role; the legend in draw_graph's docstring names them.
STYLES = {
    PARAMETER: ("#d7f0d2", "#2e7d32"),
    CONSTANT: ("#eceff1", "#78909c"),
    INTERMEDIATE: ("#e3f2fd", "#1e88e5"),
    ROOT: ("#ffe08a", "#e08600"),
    OP: ("#ede7f6", "#5e35b1"),
    LAYER: ("#fafafa", "#546e7a"),
}
# A heatmap's colors: NEGATIVE at -scale, white at 0, POSITIVE at +scale (RGB); a cell without
# a finite value is NAN_COLOR. Each cell is HEATMAP_CELL points a side.
NEGATIVE, POSITIVE = (33, 102, 172), (178, 24, 43)
NAN_COLOR = "#9e9e9e"
HEATMAP_CELL = 6
GRAD_COLOR = "#c62828"
MUTED = "#607d8b"
NOTE_COLOR = "#ef6c00"
HIGHLIGHT = "#d50000"
CLUSTER_STYLE = {
    "style": "rounded,filled",
    "fillcolor": "#fafafa",
    "color": "#b0bec5",
    "labeljust": "l",  # to the left, clear of the spine running down the middle
}
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
INSTALL_HINT = (
    "the graphviz program `dot` was not found on PATH; the Python package only writes DOT "
    "text, the layout needs the program: install it with `apt-get install graphviz` "
    "(Debian/Ubuntu) or `brew install graphviz` (macOS), or write a .dot file instead"
)


# Seconds `dot` may take to lay a graph out. The course network's training step takes about a
# second; a layout still running after a minute is stuck, or a graph too large to read.
DOT_TIMEOUT = 60.0

# The widest a picture is shown inline in Jupyter, in inches: 12 in is 1,152 px at 96 dpi (an
# SVG's 864 pt), about a notebook cell. A wider picture is scaled down to it.
INLINE_WIDTH = 12.0
# The automatic layout draws left to right unless that would be more than this many inline
# widths wide: shrunk by more than a third to fit a cell, 10-pt labels are no longer legible.
AUTO_LR_LIMIT = 1.5
# For estimating a node's width from its label without running dot (in inches): a character
# of 10-pt Courier is 6 pt wide, about what the bold names and small grey lines average.
CHAR_WIDTH = 0.085
NODE_PADDING = 0.3  # the node's margin and its cells' padding, both sides
RANKSEP = 0.45  # between ranks (layers of the layout), and between nodes of one rank
NODESEP = 0.3
RANKDIRS = ("LR", "TB", "RL", "BT")


class GraphvizNotFoundError(RuntimeError):
    """Rendering needs graphviz's `dot` program, which is not installed."""


class GraphvizTimeoutError(RuntimeError):
    """graphviz's `dot` program did not finish laying a graph out within the timeout."""


def draw_graph(
    root: Tensor,
    show_data: bool = True,
    show_grad: bool = True,
    show_rule: bool = False,
    rankdir: str | None = None,
    max_nodes: int = 500,
    layers: str | Sequence[str] | None = None,
    values: str = NUMBERS,
) -> graphviz.Digraph:
    """The computation graph that produced `root`, as a graphviz Digraph.

    One box per tensor (name, shape and dtype, a value preview and, after `backward()`, a
    gradient preview) and one node per op, with edges in argument order (`a * a` draws two).
    Tensors made inside `ag.name_scope("L1 (Dense)")` are drawn in a box labelled with it,
    and so are parameters named like the scope's layer (`L1/kernel`). The Digraph shows
    inline in Jupyter as SVG at most INLINE_WIDTH (12 in, 1,152 px) wide; write it with
    `render_graph` or `.render(path, format=...)`.

    Legend (fill / border):

    - parameter (leaf with requires_grad): green / dark green
    - input or constant (a leaf without grad, or an op output without one): grey / slate
    - intermediate (made by an op): light blue / blue
    - root (the tensor drawn, usually the loss): amber / orange
    - op: lavender / purple rounded box, with its settings (`axis=-1`) in grey
    - an op that passes no gradient back (a comparison such as `Greater`, `StopGradient`):
      grey and dashed; its output is grey like a constant, which it is to backward
    - a dashed edge: backward sends no gradient back along it (it enters or leaves an op
      whose output gets none)
    - gradient previews are red; "grad = sum of N parts" marks a tensor whose gradient
      comes back along N edges (a use by a comparison or `stop_gradient` sends none)
    - an orange edge note says where backward sums a gradient to undo broadcasting:
      `(32, 25) summed over axis 0 -> (25,)`
    - a collapsed layer: a grey box with a slate border, `L1: Dense(25, relu)`, its
      parameters (`kernel (400, 25)  bias (25,)`, `10,025 params`), its output's shape and
      previews, and the ops it stands for
    - a heatmap (values="heatmap"): blue below 0, white at 0, red above, up to the largest
      |value| (written beside it); grey where there is no finite value

    Args:
        root: the tensor to draw, with everything it was computed from.
        show_data: show a preview of each tensor's values: the number for a scalar, the
            elements of a small array, min/mean/max of a large one.
        show_grad: show gradients: a leaf's `.grad`, and for the other tensors d(root)/dt,
            recomputed with one `ag.grad` pass (the engine does not keep them). Shown once
            `backward()` has run.
        show_rule: write each op's local derivative under its name: its backward's
            docstring, the text the code itself documents.
        rankdir: "LR" (left to right), "TB" (top to bottom), or None to choose: left to
            right, as micrograd draws an expression, unless that picture would be much wider
            than a notebook (see `auto_rankdir`), as a network's training step is.
        max_nodes: draw at most this many nodes (tensors and ops), keeping those nearest
            the root; a note says how many were left out.
        layers: how the tensors made inside a name scope (an nn layer, a loss) are drawn:
            "expanded" (each op, in a box labelled with the layer), "collapsed" (each layer
            as one box standing for its ops: `L1: Dense(25, relu)`), a list of the layers to
            expand (`["L2"]`, the others collapsed), or None: collapsed when the graph has
            more than AUTO_COLLAPSE_NODES (60) tensors and ops, else expanded.
        values: "numbers" (text previews) or "heatmap": every array's values and gradient
            drawn as a small grid of colored cells (at most 24 x 24, each the mean of a block
            of a larger array), a scalar still as its number.

    >>> import autograd_lite as ag
    >>> x = ag.Tensor([1.0, 2.0], requires_grad=True, name="x")
    >>> g = ag.draw_graph((x * x).sum())
    >>> g.source.count("t0 -> op1")       # x * x: two edges from x into Mul
    2
    >>> w = ag.Tensor([[1.0], [2.0]], requires_grad=True, name="L1/kernel")
    >>> with ag.name_scope("L1 (Dense)"):
    ...     h = (x.reshape(1, 2) @ w).relu()
    >>> "L1: Dense(1)" in ag.draw_graph(h.sum(), layers="collapsed").source
    True
    """
    check_rankdir(rankdir, "draw_graph")
    spec = build_spec(
        root,
        show_data=show_data,
        show_grad=show_grad,
        show_rule=show_rule,
        max_nodes=max_nodes,
        layers=layers,
        values=values,
    )
    return to_digraph(spec, rankdir)


def render_graph(
    root: Tensor,
    path: str | os.PathLike,
    dpi: int = 96,
    timeout: float | None = DOT_TIMEOUT,
    **options: Any,
) -> Path:
    """Draw `root`'s graph (options as for `draw_graph`) into `path`; the suffix picks the
    format: .svg, .png, .pdf, or .dot/.gv (DOT text, which needs no graphviz program).

    The layout program `dot` is stopped after `timeout` seconds (None: no limit), raising
    `GraphvizTimeoutError`; nothing is written then.
    """
    return save_graph(draw_graph(root, **options), path, dpi=dpi, timeout=timeout)


def check_rankdir(rankdir: object, caller: str, automatic: bool = True) -> None:
    """Refuse a layout direction dot does not know (it would ignore it without a word)."""
    if rankdir not in ((None, *RANKDIRS) if automatic else RANKDIRS):
        choices = "None (automatic), LR, TB, RL or BT" if automatic else "LR, TB, RL or BT"
        raise ValueError(f"{caller}: rankdir must be {choices}, got {rankdir!r}")


def to_digraph(spec: GraphSpec, rankdir: str | None = None) -> graphviz.Digraph:
    """Style a GraphSpec: clusters first, then the other nodes, then edges, all in walk order.
    rankdir None chooses the direction with `auto_rankdir`."""
    labels = {node.id: _label(node) for node in spec.nodes}
    graph = new_digraph("autograd_lite", rankdir or auto_rankdir(spec, labels))
    cluster_of = {member: i for i, c in enumerate(spec.clusters) for member in c.members}
    nodes = {node.id: node for node in spec.nodes}
    spine = set(spec.spine)
    for i, cluster in enumerate(spec.clusters):
        with graph.subgraph(name=f"cluster_{i}") as sub:
            sub.attr(label=f"<<B>{escape(cluster.label)}</B>>", **CLUSTER_STYLE)
            for member in cluster.members:
                _add_node(sub, nodes[member], labels[member], member in spine)
    for node_id, node in nodes.items():
        if node_id not in cluster_of:
            _add_node(graph, node, labels[node_id], node_id in spine)
    if spec.omitted:
        note = f"… {spec.omitted:,} more nodes not drawn (max_nodes={spec.max_nodes})"
        graph.node(
            "omitted",
            label=f"<{escape(note)}>",
            shape="note",
            style="filled",
            fillcolor="#fff3e0",
            color=NOTE_COLOR,
            fontcolor=NOTE_COLOR,
        )
        for op_id in spec.truncated_inputs:
            graph.edge("omitted", op_id, style="dashed", color=NOTE_COLOR)
    for edge in spec.edges:
        # An edge into another layer's box spans two ranks, so the next layer's parameters
        # fit beside it and the boxes line up in a row instead of a staircase.
        crossing = edge.main and cluster_of.get(edge.tail) != cluster_of.get(edge.head)
        _add_edge(graph, edge, minlen=2 if crossing else 1)
    return graph


def auto_rankdir(spec: GraphSpec, labels: Mapping[str, str]) -> str:
    """The direction draw_graph chooses: "LR" (left to right) unless that picture would be more
    than AUTO_LR_LIMIT notebook widths (INLINE_WIDTH) wide and "TB" narrower: then "TB".

    micrograd's `(a*b + c) * f` is 7 ranks of scalars, 12 in wide left to right: "LR". The
    course network's training step (batch 32) is 19 ranks of arrays, 77 in (7,400 px) wide
    left to right and 11 in top to bottom: "TB".
    """
    across, down = estimated_widths(spec, labels)
    return "TB" if across > AUTO_LR_LIMIT * INLINE_WIDTH and down < across else "LR"


def estimated_widths(spec: GraphSpec, labels: Mapping[str, str]) -> tuple[float, float]:
    """The picture's width in inches left to right and top to bottom, estimated from its
    structure and labels (`label_width`) without running dot: left to right it is a row of
    ranks, each as wide as its widest node; top to bottom it is as wide as its widest rank."""
    widths: dict[int, list[float]] = {}
    for node_id, rank in spec.ranks().items():
        widths.setdefault(rank, []).append(label_width(labels[node_id]))
    across = sum(max(w) + RANKSEP for w in widths.values())
    down = max(sum(w) + NODESEP * (len(w) - 1) for w in widths.values())
    return across, down


def label_width(label: str) -> float:
    """A node's width in inches, estimated from its HTML-like label: the longest line of its
    cells at CHAR_WIDTH a character (a scalar's record lays its cells side by side)."""
    cells = [_longest_line(cell) for cell in re.findall(r"<TD[^>]*>(.*?)</TD>", label)]
    text = sum(cells) if 'COLUMNS="*"' in label else max(cells, default=0)
    return text * CHAR_WIDTH + NODE_PADDING


def _longest_line(markup: str) -> int:
    """The characters shown on the longest line of a label cell's markup."""
    lines = re.split(r"<BR[^>]*>", markup)
    return max(len(html.unescape(re.sub(r"<[^>]*>", "", line))) for line in lines)


def new_digraph(name: str, rankdir: str, **graph_attr: str) -> graphviz.Digraph:
    """An empty Digraph with the shared look (fonts, spacing, edge colour), made as a `Picture`
    so that it shows inline in Jupyter through `svg_text`."""
    return picture_class()(
        name,
        graph_attr={
            "rankdir": rankdir,
            "fontname": FONT,
            "fontsize": "12",
            "nodesep": str(NODESEP),
            "ranksep": str(RANKSEP),
            "pad": "0.2",
            "bgcolor": "white",
            "ordering": "in",
            **graph_attr,
        },
        node_attr={
            "fontname": FONT,
            "fontsize": "11",
            "shape": "box",
            "style": "rounded,filled",
            "margin": "0.08,0.04",
            "penwidth": "1.2",
        },
        edge_attr={"color": MUTED, "arrowsize": "0.7", "fontname": FONT, "fontsize": "9"},
    )


@functools.cache
def picture_class() -> type[graphviz.Digraph]:
    """The class of every picture: a graphviz.Digraph subclass, defined on the first call
    because graphviz is imported only when a picture is made."""
    import graphviz

    class Picture(graphviz.Digraph):
        """A graphviz.Digraph, with all its API (`.source`, `.render`, `.pipe`, ...), that
        Jupyter shows as the SVG of `svg_text`: at most INLINE_WIDTH wide, and laid out by
        `dot` within DOT_TIMEOUT (graphviz's own display waits for `dot` forever)."""

        __qualname__ = "Picture"  # in reprs, rather than `picture_class.<locals>.Picture`

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict:
            return {"image/svg+xml": svg_text(self)}

        def __reduce__(self) -> tuple:
            # pickle cannot find a class made in a function by its name: rebuild it by ours
            return (_empty_picture, (), self.__dict__)

    return Picture


def _empty_picture() -> graphviz.Digraph:
    cls = picture_class()
    return cls.__new__(cls)


def svg_text(
    graph: graphviz.Digraph,
    width: float | None = INLINE_WIDTH,
    timeout: float | None = DOT_TIMEOUT,
    caller: str = "showing the picture in Jupyter",
) -> str:
    """`graph` laid out by `pipe` as an `<svg>` element to put in a notebook or a page (no XML
    prolog, doctype or comments), scaled down to at most `width` inches wide (graphviz's
    `size`; None, or a size the graph sets itself, keeps it as dot lays it out).

    Scaling keeps the proportions: a picture 3 times too wide is shown at a third of its size.
    """
    if width is not None and "size" not in graph.graph_attr:
        graph = graph.copy()
        graph.graph_attr["size"] = f"{width:g},{100 * width:g}"  # the height is not capped
    svg = pipe(graph, "svg", timeout, caller).decode("utf-8")
    return re.sub(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", "", svg, flags=re.DOTALL).strip()


def save_graph(
    graph: graphviz.Digraph,
    path: str | os.PathLike,
    dpi: int | None = None,
    timeout: float | None = DOT_TIMEOUT,
    caller: str = "render_graph",
) -> Path:
    """Write `graph` to `path` atomically, in the format its suffix names (see FORMATS).

    `caller`, the function the user called, starts every error message.
    """
    _check_timeout(timeout, caller)
    path = Path(check_path(path, caller))
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the picture format from {str(path)!r}: "
            f"use one of the suffixes {', '.join(FORMATS)}"
        )
    if fmt == "dot":
        data = graph.source.encode("utf-8")
    else:
        if dpi is not None and fmt == "png":
            graph = graph.copy()
            graph.graph_attr["dpi"] = str(dpi)
        data = pipe(graph, fmt, timeout, caller)
    write_atomically(path, data, caller)
    return path


def pipe(
    graph: graphviz.Digraph,
    fmt: str,
    timeout: float | None = DOT_TIMEOUT,
    caller: str = "render_graph",
) -> bytes:
    """Lay `graph` out with `dot` and return the rendered bytes (what `graph.pipe(format=fmt)`
    returns), stopping `dot` after `timeout` seconds (None: no limit).

    `dot` is run here rather than by the graphviz package, whose `pipe` and `render` wait
    for it forever. Its warnings go to stderr, as the package shows them.
    """
    try:
        done = subprocess.run(
            ["dot", f"-K{graph.engine}", f"-T{fmt}"],
            input=graph.source.encode(graph.encoding),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise GraphvizNotFoundError(f"{caller}: {INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:  # subprocess.run has killed and reaped it
        raise GraphvizTimeoutError(
            f"{caller}: the graphviz program `dot` did not finish within {timeout:g} s and was "
            "stopped. A large graph can take long to lay out: pass a larger timeout (or "
            "timeout=None to wait as long as it takes), draw fewer nodes (max_nodes=...), or "
            "write a .dot file, which needs no layout, and run `dot` on it yourself"
        ) from None
    said = done.stderr.decode(errors="replace").strip()
    if done.returncode != 0:
        raise RuntimeError(
            f"{caller}: the graphviz program `dot` failed (exit status {done.returncode}): "
            f"{said or 'it printed nothing'}"
        )
    if said:
        print(said, file=sys.stderr)
    return done.stdout


def _check_timeout(timeout: object, caller: str) -> None:
    number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
    if timeout is not None and not (number and 0 < timeout < math.inf):
        raise ValueError(
            f"{caller}: timeout must be a positive, finite number of seconds (or None to wait "
            f"as long as dot takes), got {timeout!r}"
        )


def escape(text: object) -> str:
    """`text` made safe inside an HTML-like label: markup characters escaped, lines kept."""
    lines = str(text).splitlines() or [""]
    return '<BR ALIGN="LEFT"/>'.join(html.escape(line, quote=True) for line in lines)


def font(
    text: str, size: int | None = None, color: str | None = None, face: str | None = None
) -> str:
    """Already-escaped `text` wrapped in a FONT tag."""
    attributes = "".join(
        f' {key}="{value}"'
        for key, value in (("POINT-SIZE", size), ("COLOR", color), ("FACE", face))
        if value is not None
    )
    return f"<FONT{attributes}>{text}</FONT>" if attributes else text


def table(rows: Iterable[str], columns: bool = False) -> str:
    """An HTML-like label: one cell per row (or, with columns=True, per column)."""
    cells = [f'<TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD>' for row in rows]
    body = "".join(cells) if columns else "".join(f"<TR>{cell}</TR>" for cell in cells)
    body = f"<TR>{body}</TR>" if columns else body
    rules = ' COLUMNS="*"' if columns else ""
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"{rules}>{body}</TABLE>>'
    )


def _label(node: TensorNode | OpNode | LayerNode) -> str:
    if isinstance(node, OpNode):
        return _op_label(node, STYLES[OP if node.differentiable else CONSTANT][1])
    if isinstance(node, LayerNode):
        return _layer_label(node)
    return _tensor_label(node)


def _add_node(
    graph: graphviz.Digraph, node: TensorNode | OpNode | LayerNode, label: str, on_spine: bool
) -> None:
    # dot draws the edges between nodes of one group straight: the spine reads as a line
    group = {"group": "spine"} if on_spine else {}
    if isinstance(node, LayerNode):
        fill, border = STYLES[LAYER]
        graph.node(node.id, label=label, fillcolor=fill, color=border, penwidth="1.6", **group)
        return
    if isinstance(node, OpNode):
        fill, border = STYLES[OP if node.differentiable else CONSTANT]
        style = "rounded,filled" if node.differentiable else "rounded,filled,dashed"
        graph.node(
            node.id,
            label=label,
            fillcolor=fill,
            color=border,
            style=style,
            **group,
        )
        return
    fill, border = STYLES[node.kind]
    extra = {"penwidth": "3", "color": HIGHLIGHT} if node.highlight else {}
    graph.node(
        node.id,
        label=label,
        fillcolor=fill,
        **{"color": border, "shape": "box", "style": "filled", **group, **extra},
    )


def _tensor_label(node: TensorNode) -> str:
    title = font(f"<B>{escape(node.name)}</B>", 12) if node.name else None
    shape = font(escape(f"{node.shape} {node.dtype}"), 9, MUTED)
    values = _value_rows(node)
    summed = font(f"grad = sum of {node.uses} parts", 9, GRAD_COLOR) if node.uses > 1 else None
    if not node.shape:  # a scalar: micrograd's one-line record, name | data | grad
        return table([r for r in (title, *values, summed) if r] or [shape], columns=True)
    return table(r for r in (title, shape, *values, summed) if r)


def _value_rows(node: TensorNode) -> list[str]:
    """The data and grad rows of a tensor's box: text previews, or a caption and a heatmap
    each (a label cell holds text or a table, not both)."""
    rows = []
    if node.data_map is not None:
        rows += _heatmap_rows("data", node.data_map, "black")
    elif node.data is not None:
        rows.append(font(escape(f"data {node.data}"), 10, face=MONO))
    if node.grad_map is not None:
        rows += _heatmap_rows("grad", node.grad_map, GRAD_COLOR)
    elif node.grad is not None:
        text = font(escape(f"grad {node.grad}"), 10, GRAD_COLOR, MONO)
        rows.append(f"<B>{text}</B>" if node.highlight else text)
    elif node.grad_pending:
        rows.append(font("grad ?", 10, MUTED, MONO))
    return rows


def _heatmap_rows(what: str, heat: Heatmap, color: str) -> list[str]:
    """`data |max| 0.52` (and the block each cell averages), then the grid of colored cells."""
    caption = f"{what} |max| {heat.scale:.3g}"
    if heat.block != (1, 1):
        caption += f"  (a cell: mean of {heat.block[0]}x{heat.block[1]})"
    return [font(escape(caption), 9, color, MONO), heatmap_table(heat)]


def heatmap_table(heat: Heatmap) -> str:
    """A Heatmap as a nested HTML-like table of fixed-size colored cells (no text, no image
    file: graphviz draws it in every format, offline)."""
    size = HEATMAP_CELL
    rows = "".join(
        "<TR>"
        + "".join(
            f'<TD BGCOLOR="{cell_color(v, heat.scale)}" WIDTH="{size}" HEIGHT="{size}" '
            'FIXEDSIZE="TRUE"></TD>'
            for v in row
        )
        + "</TR>"
        for row in heat.cells
    )
    # fixed to its cells' size: a table in a wider cell would be stretched, with gaps
    width, height = len(heat.cells[0]) * size + 2, len(heat.cells) * size + 2
    return (
        f'<TABLE BORDER="1" COLOR="{MUTED}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" '
        f'WIDTH="{width}" HEIGHT="{height}" FIXEDSIZE="TRUE">{rows}</TABLE>'
    )


def cell_color(value: float, scale: float) -> str:
    """The color of `value` on a diverging scale: white at 0, NEGATIVE at -scale, POSITIVE at
    +scale, linear in between.

    >>> cell_color(0.0, 1.0), cell_color(1.0, 1.0), cell_color(-0.5, 1.0)
    ('#ffffff', '#b2182b', '#90b2d6')
    """
    if math.isnan(value):
        return NAN_COLOR
    t = 0.0 if scale == 0 else max(-1.0, min(1.0, value / scale))
    end = POSITIVE if t > 0 else NEGATIVE
    channels = (round(255 + (c - 255) * abs(t)) for c in end)
    return "#" + "".join(f"{c:02x}" for c in channels)


def _layer_label(node: LayerNode) -> str:
    """A collapsed layer: title, parameters, output shape and values, the ops inside."""
    rows = [font(f"<B>{escape(node.title)}</B>", 12)]
    if node.parameters:
        shapes = "  ".join(f"{name} {shape}" for name, shape in node.parameters)
        rows.append(font(escape(shapes), 9, MUTED))
        sizes = " + ".join("*".join(map(str, shape)) or "1" for _, shape in node.parameters)
        rows.append(font(escape(f"{sizes} = {node.count:,} params"), 9, MUTED))
    out = node.output
    rows.append(font(escape(f"-> {out.shape} {out.dtype}"), 9, MUTED))
    rows += _value_rows(out)
    rows.append(font(escape("ops: " + ", ".join(node.ops)), 9, STYLES[OP][1]))
    return table(rows)


def _op_label(node: OpNode, rule_color: str) -> str:
    rows = [font(f"<B>{escape(node.name)}</B>", 12)]
    if node.settings:
        rows.append(font(escape(node.settings), 9, MUTED))
    if node.rule:
        rows.append(font(f"<I>{escape(node.rule)}</I>", 10, rule_color))
    return table(rows)


def _add_edge(graph: graphviz.Digraph, edge: Edge, minlen: int) -> None:
    parts = []
    if edge.argument:
        parts.append(font(escape(edge.argument), 9, MUTED))
    if edge.note:
        parts.append(font(escape(edge.note), 9, NOTE_COLOR))
    attributes = {"label": f"<{'<BR/>'.join(parts)}>"} if parts else {}
    if edge.note:
        attributes["color"] = NOTE_COLOR
    if edge.main:
        attributes["weight"] = "4"  # keep the chain of activations straight, layer after layer
    if minlen > 1:
        attributes["minlen"] = str(minlen)
    if edge.no_gradient:
        attributes["style"] = "dashed"
    if edge.highlight:
        attributes.update(color=HIGHLIGHT, penwidth="2.5")
    graph.edge(edge.tail, edge.head, **attributes)
