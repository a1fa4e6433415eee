"""A recorded graph as plain data: tensor nodes, op nodes, edges and layer clusters.

`build_spec(root)` walks the graph with the engine's own `topological_order` and returns a
`GraphSpec` of strings, tuples and numbers only (no arrays, no graphviz), so the structure
of a picture can be tested as data and `dot.py` only has to style it.

Ids come from the walk, not from `id()`: the tensor at position i of the topological order
is `t{i}` and the op that made it is `op{i}`, so the same code gives the same spec every run.
"""

from __future__ import annotations

import functools
import inspect
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..engine import grad, topological_order
from ..op import Op
from ..ops.compare import PiecewiseConstant
from ..tensor import Tensor

PARAMETER = "parameter"  # a leaf that requires grad: what training changes
CONSTANT = "constant"  # a leaf that does not: inputs, labels, numbers like the 2 in x * 2
INTERMEDIATE = "intermediate"  # made by an op
ROOT = "root"  # the tensor the picture was asked for (usually the loss)

PREVIEW_ELEMENTS = 6  # arrays up to this size show their elements, larger ones min/mean/max

# How layers are drawn: "expanded" (every op in its layer's box), "collapsed" (each layer as one
# box), or a list of the layer names to expand. draw_graph's default (None) collapses a graph of
# more than AUTO_COLLAPSE_NODES tensors and ops: past that a picture of single ops no longer fits
# a notebook cell legibly (the course network's fused training step is 16 nodes, a small CNN's
# 32; the same network with a softmax output layer written as ops is 60 or so).
EXPANDED, COLLAPSED = "expanded", "collapsed"
AUTO_COLLAPSE_NODES = 60

# How values and gradients are shown: as text ("numbers") or as small colored grids ("heatmap")
NUMBERS, HEATMAP = "numbers", "heatmap"
HEATMAP_CELLS = 24  # at most this many cells a side; larger arrays are averaged over blocks

# the comparisons and logic a PiecewiseConstant op records, written as the operators they are
STEP_OPERATORS = {
    "less": "<",
    "less_equal": "<=",
    "greater": ">",
    "greater_equal": ">=",
    "equal": "==",
    "not_equal": "!=",
    "logical_and": "and",
    "logical_or": "or",
}


@dataclass(frozen=True)
class TensorNode:
    """One box per tensor. `data`/`grad` are short previews, None when not shown or unknown."""

    id: str
    kind: str
    name: str | None
    shape: tuple[int, ...]
    dtype: str
    data: str | None
    grad: str | None
    grad_pending: bool  # will receive a gradient, not yet (step-by-step frames)
    uses: int  # how many gradients backward adds up for it (one per op input it feeds)
    cluster: str | None
    highlight: bool = False
    data_map: Heatmap | None = None  # with values="heatmap": the values as colored cells
    grad_map: Heatmap | None = None


@dataclass(frozen=True)
class Heatmap:
    """An array as a grid of at most HEATMAP_CELLS x HEATMAP_CELLS colored cells.

    The array is seen as a matrix (a vector as one row, more axes folded into the rows), and
    each cell holds the mean of a `block` (rows, columns) of it; NaN marks a cell with no finite
    value. `scale` is the largest |value| of the array: the colors run from -scale (blue)
    through 0 (white) to +scale (red)."""

    cells: tuple[tuple[float, ...], ...]
    scale: float
    block: tuple[int, int]


@dataclass(frozen=True)
class LayerNode:
    """A layer (a name scope) drawn as one box, standing for its ops and tensors.

    `title` reads like the code that made it (`L1: Dense(25, relu)`), `parameters` are the
    (short name, shape) of its parameters, `output` the tensor it hands on, whose shape and
    previews it shows, and `ops` the names of the ops drawn inside it when it is expanded."""

    id: str
    label: str
    title: str
    parameters: tuple[tuple[str, tuple[int, ...]], ...]
    output: TensorNode
    ops: tuple[str, ...]

    @property
    def count(self) -> int:
        """The number of parameter values: `400*25 + 25 = 10,025` for `Dense(25)` on 400."""
        return sum(math.prod(shape) for _, shape in self.parameters)


@dataclass(frozen=True)
class OpNode:
    """One node per op: its name, its settings (`axis=-1`) and, if asked, its rule.
    `differentiable` is False for an op that passes no gradient back (PiecewiseConstant,
    StopGradient)."""

    id: str
    name: str
    settings: str
    rule: str | None
    output: str
    cluster: str | None
    differentiable: bool


@dataclass(frozen=True)
class Edge:
    """tensor -> op (an input, `position` in argument order) or op -> tensor (`position` None)."""

    tail: str
    head: str
    position: int | None = None
    argument: str | None = None  # the name backward gives this input (`a`, `b`, `x`)
    note: str | None = None  # e.g. "(32, 25) summed over axis 0 -> (25,)"
    highlight: bool = False
    main: bool = False  # on the chain of computed values (not a parameter or constant edge)
    no_gradient: bool = False  # the op's output gets no gradient, so none comes back this way


@dataclass(frozen=True)
class Cluster:
    """A name scope (`L1 (Dense)`) and the ids of the nodes drawn inside it."""

    label: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class GraphSpec:
    """Everything a picture shows, as plain data. `omitted` counts nodes cut by max_nodes.

    `spine` holds the ids along the chain from the root back through each op's first input
    (loss <- logits <- ... <- x): the activations, drawn in one straight line.
    """

    tensors: tuple[TensorNode, ...]
    ops: tuple[OpNode, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]
    omitted: int
    max_nodes: int
    truncated_inputs: tuple[str, ...]  # ids of ops that have inputs which were not drawn
    spine: tuple[str, ...]
    layers: tuple[LayerNode, ...] = ()  # collapsed layers, each standing for its cluster

    @property
    def nodes(self) -> tuple[TensorNode | OpNode | LayerNode, ...]:
        """Every node drawn: tensors, ops and collapsed layers."""
        return (*self.tensors, *self.ops, *self.layers)

    @property
    def input_edges(self) -> tuple[Edge, ...]:
        """The tensor -> op edges: one per op input, repeats included."""
        return tuple(e for e in self.edges if e.position is not None)

    def ranks(self) -> dict[str, int]:
        """Each node's rank in a layered drawing, about as dot ranks a graph before placing it:
        the number of edges on the longest path to the node, and a node without inputs (a
        parameter, an input) one rank before its first use, not all of them in the first."""
        rank = {node.id: 0 for node in self.nodes}
        for edge in self.edges:  # in walk order, so each tail's rank is final when it is read
            rank[edge.head] = max(rank[edge.head], rank[edge.tail] + 1)
        sources = set(rank) - {edge.head for edge in self.edges}
        first_use: dict[str, int] = {}
        for edge in self.edges:
            if edge.tail in sources:
                used = rank[edge.head]
                first_use[edge.tail] = min(first_use.get(edge.tail, used), used)
        return {node: first_use.get(node, r + 1) - 1 for node, r in rank.items()}


def build_spec(
    root: Tensor,
    *,
    show_data: bool = True,
    show_grad: bool = True,
    show_rule: bool = False,
    max_nodes: int = 500,
    grads: Mapping[int, np.ndarray] | None = None,
    pending: frozenset[int] = frozenset(),
    highlight: Tensor | None = None,
    layers: str | Sequence[str] | None = EXPANDED,
    values: str = NUMBERS,
) -> GraphSpec:
    """Describe the graph that produced `root` (see `draw_graph` for the options).

    `grads` maps `id(tensor)` to the gradient to show (default: `gradients(root)`);
    `pending` holds the ids of tensors whose gradient is still to come, and `highlight`
    the tensor just filled in: both are for the step-by-step frames.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"draw_graph: expected an autograd_lite Tensor, got {type(root).__name__}")
    if max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes}")
    if values not in (NUMBERS, HEATMAP):
        raise ValueError(f"draw_graph: values must be 'numbers' or 'heatmap', got {values!r}")
    maps = values == HEATMAP
    order = topological_order(root)
    position = {id(t): i for i, t in enumerate(order)}
    kept = _nearest_to_root(order, max_nodes)
    total_nodes = len(order) + sum(t.op is not None for t in order)
    drawn = [t for t in order if id(t) in kept]
    if show_grad and grads is None:
        grads = gradients(root, order)

    reached = _reached_by_gradient(root, order)
    uses: dict[int, int] = {}
    for t in drawn:
        for p in t.parents:
            if _passes_gradient(p, t, reached):
                uses[id(p)] = uses.get(id(p), 0) + 1
    layer_scopes = {label.split(" (")[0]: label for t in drawn if (label := t.scope)}
    spine = _spine(root, position, kept)
    on_spine = set(spine)
    used_in: dict[int, set[str | None]] = {}  # the scopes of the ops each tensor feeds
    for t in drawn:
        for p in t.parents:
            used_in.setdefault(id(p), set()).add(t.scope)

    tensors, ops, edges, truncated = [], [], [], []
    for t in drawn:
        tid = f"t{position[id(t)]}"
        cluster = _cluster_of(
            t, layer_scopes, set() if tid in on_spine else used_in.get(id(t), set())
        )
        g = grads.get(id(t)) if show_grad and grads is not None else None
        tensors.append(
            TensorNode(
                id=tid,
                kind=_kind(t, root),
                name=t.name,
                shape=t.shape,
                dtype=str(t.dtype),
                data=preview(t.data) if show_data else None,
                grad=None if g is None else preview(g),
                grad_pending=id(t) in pending,
                uses=uses.get(id(t), 0),
                cluster=cluster,
                highlight=highlight is t,
                data_map=heatmap(t.data) if maps and show_data and t.size > 1 else None,
                grad_map=None if g is None or not maps or g.size <= 1 else heatmap(g),
            )
        )
        if t.op is None:
            continue
        oid = f"op{position[id(t)]}"
        ops.append(
            OpNode(
                id=oid,
                name=op_name(t.op),
                settings=_settings(t.op),
                rule=t.op.rule if show_rule else None,
                output=tid,
                cluster=cluster,
                differentiable=t.op.differentiable,
            )
        )
        arguments = _argument_names(type(t.op), len(t.parents))
        for i, p in enumerate(t.parents):
            if id(p) not in kept:
                if oid not in truncated:
                    truncated.append(oid)
                continue
            edges.append(
                Edge(
                    tail=f"t{position[id(p)]}",
                    head=oid,
                    position=i,
                    argument=arguments[i] if len(t.parents) > 1 else None,
                    note=broadcast_note(p, t),
                    highlight=highlight is p and _passes_gradient(p, t, reached),
                    main=_carries_data(p),
                    no_gradient=id(t) not in reached,
                )
            )
        edges.append(Edge(tail=oid, head=tid, main=True, no_gradient=id(t) not in reached))

    # clusters in the order their first op runs (layer after layer), then their members
    clusters: dict[str, list[str]] = {op.cluster: [] for op in ops if op.cluster is not None}
    for node in tensors:
        if node.cluster is not None:
            clusters.setdefault(node.cluster, []).append(node.id)
    for op in ops:
        if op.cluster is not None:
            clusters[op.cluster].append(op.id)
    spec = GraphSpec(
        tensors=tuple(tensors),
        ops=tuple(ops),
        edges=tuple(edges),
        clusters=tuple(Cluster(label, tuple(ids)) for label, ids in clusters.items()),
        omitted=total_nodes - len(tensors) - len(ops),
        max_nodes=max_nodes,
        truncated_inputs=tuple(truncated),
        spine=spine,
    )
    return collapse_layers(spec, _layers_to_expand(spec, layers))


def layer_name(label: str) -> str:
    """The layer's name in its scope label: `L1` in `L1 (Dense)` (a loss's scope is its name)."""
    return label.split(" (")[0]


def _layers_to_expand(spec: GraphSpec, layers: str | Sequence[str] | None) -> set[str]:
    """The scope labels to draw op by op, for draw_graph's `layers` option (see there)."""
    every = {c.label for c in spec.clusters}
    if layers is None:
        return every if len(spec.tensors) + len(spec.ops) <= AUTO_COLLAPSE_NODES else set()
    if layers == EXPANDED:
        return every
    if layers == COLLAPSED:
        return set()
    if isinstance(layers, str) or not isinstance(layers, Sequence):
        raise ValueError(  # noqa: TRY004 (a wrong mode name too: one message for both)
            "draw_graph: layers must be 'collapsed', 'expanded', None (collapsed beyond "
            f"{AUTO_COLLAPSE_NODES} nodes) or a list of layer names to expand, got {layers!r}"
        )
    by_name = {layer_name(label): label for label in every} | {label: label for label in every}
    unknown = [name for name in layers if name not in by_name]
    if unknown:
        known = ", ".join(repr(layer_name(c.label)) for c in spec.clusters) or "none"
        raise ValueError(
            f"draw_graph: no layer named {unknown[0]!r} in this graph; its layers are {known}"
        )
    return {by_name[name] for name in layers}


def collapse_layers(spec: GraphSpec, expand: set[str]) -> GraphSpec:
    """`spec` with every cluster not in `expand` (scope labels) drawn as one `LayerNode`.

    The layer's tensors and ops are taken out; an edge into or out of them now enters or
    leaves the layer's box (once per pair of nodes), and edges inside it disappear. The root
    stays a box of its own, so the loss value is still read off the picture.
    """
    nodes = {node.id: node for node in (*spec.tensors, *spec.ops)}
    owner: dict[str, str] = {}
    layers = []
    for i, cluster in enumerate(spec.clusters):
        if cluster.label in expand:
            continue
        members = [m for m in cluster.members if getattr(nodes[m], "kind", None) != ROOT]
        layer = _layer_node(f"layer{i}", cluster.label, members, nodes, spec.edges)
        if layer is None:
            continue  # only leaves (labels fed to the root's op): nothing to stand for
        layers.append(layer)
        owner.update((m, layer.id) for m in members)
    if not layers:
        return spec

    def drawn(node_id: str) -> str:
        return owner.get(node_id, node_id)

    edges, joined = [], set()
    for edge in spec.edges:
        tail, head = drawn(edge.tail), drawn(edge.head)
        if tail == head:
            continue  # inside one layer
        if (tail, head) == (edge.tail, edge.head):
            edges.append(edge)
        elif (tail, head) not in joined:  # several edges between a layer and a node: one
            joined.add((tail, head))
            into_op = head == edge.head  # still an op's argument, with its name and note
            edges.append(
                replace(
                    edge,
                    tail=tail,
                    head=head,
                    argument=edge.argument if into_op else None,
                    note=edge.note if into_op else None,
                    highlight=False,
                )
            )
    spine = [drawn(node_id) for node_id in spec.spine]
    return replace(
        spec,
        tensors=tuple(t for t in spec.tensors if t.id not in owner),
        ops=tuple(op for op in spec.ops if op.id not in owner),
        edges=tuple(edges),
        clusters=tuple(c for c in spec.clusters if c.label in expand),
        truncated_inputs=tuple(dict.fromkeys(drawn(op) for op in spec.truncated_inputs)),
        spine=tuple(n for i, n in enumerate(spine) if i == 0 or n != spine[i - 1]),
        layers=tuple(layers),
    )


def _layer_node(
    layer_id: str,
    label: str,
    members: list[str],
    nodes: Mapping[str, TensorNode | OpNode],
    edges: tuple[Edge, ...],
) -> LayerNode | None:
    """The box for the scope `label`: its title, parameters and output (see LayerNode). The
    output is the last tensor used outside the layer (or the root its last op makes)."""
    ops = [nodes[m] for m in members if isinstance(nodes[m], OpNode)]
    if not ops:
        return None
    inside = set(members)
    outputs = {op.output for op in ops}
    leaving = [e.tail for e in edges if e.tail in outputs and e.head not in inside]
    output = nodes[leaving[-1] if leaving else ops[-1].output]
    name = layer_name(label)
    used = dict.fromkeys(e.tail for e in edges if e.head in inside)  # in argument order
    parameters = tuple(
        (t.name.removeprefix(f"{name}/") if t.name else t.id, t.shape)
        for t in (nodes[m] for m in used if m in inside)
        if isinstance(t, TensorNode) and t.kind == PARAMETER
    )
    title = name
    if label != name:  # `L1 (Dense)`: the layer's kind, units and activation as code writes them
        kind = label[len(name) + 2 : -1]
        activation = [op.settings for op in ops if op.settings.startswith("activation=")]
        arguments = [str(output.shape[-1])] if parameters and output.shape else []
        arguments += [activation[-1].split("=", 1)[1].strip("'")] if activation else []
        title = f"{name}: {kind}({', '.join(arguments)})" if arguments else f"{name}: {kind}"
    return LayerNode(
        id=layer_id,
        label=label,
        title=title,
        parameters=parameters,
        output=output,
        ops=tuple(dict.fromkeys(op.name for op in ops)),
    )


def heatmap(array: np.ndarray) -> Heatmap:
    """`array` as a Heatmap: a vector as one row, more axes folded into the rows
    ((m, h, w, c) as (m * h * w, c)), each cell the mean of a block of at most
    ceil(n / HEATMAP_CELLS) elements a side.

    >>> import numpy as np
    >>> h = heatmap(np.arange(6.0).reshape(2, 3))
    >>> h.cells, h.scale, h.block
    (((0.0, 1.0, 2.0), (3.0, 4.0, 5.0)), 5.0, (1, 1))
    >>> heatmap(np.ones((400, 25))).block      # 24 rows of 17 x 2 blocks: 24 x 13 cells
    (17, 2)
    """
    a = np.asarray(array, dtype=np.float64)
    a = a.reshape(1, -1) if a.ndim <= 1 else a.reshape(-1, a.shape[-1])
    a = np.where(np.isfinite(a), a, np.nan)
    rows, columns = a.shape
    block = (math.ceil(rows / HEATMAP_CELLS) or 1, math.ceil(columns / HEATMAP_CELLS) or 1)
    grid = (math.ceil(rows / block[0]), math.ceil(columns / block[1]))
    padded = np.full((grid[0] * block[0], grid[1] * block[1]), np.nan)
    padded[:rows, :columns] = a
    with warnings.catch_warnings():  # a block of NaN only: its cell is NaN, said by the color
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(padded.reshape(grid[0], block[0], grid[1], block[1]), axis=(1, 3))
        scale = float(np.nanmax(np.abs(a))) if a.size and not np.isnan(a).all() else 0.0
    cells = tuple(tuple(float(v) for v in row) for row in means)
    return Heatmap(cells=cells, scale=scale, block=block)


def gradients(root: Tensor, order: list[Tensor] | None = None) -> dict[int, np.ndarray]:
    """d(root)/d(t) for every tensor t of the graph, by `id(t)`, once `backward()` has run.

    Leaves show their `.grad` (what training uses, accumulated as the engine keeps it). The
    engine frees intermediate gradients as it goes, so those are computed again with one
    `ag.grad` pass from `root` (seed 1). Before any `backward()` (no leaf has a `.grad` yet)
    and for a root with more than one element, only the leaves' `.grad` are shown.
    """
    order = topological_order(root) if order is None else order
    shown = {id(t): t.grad for t in order if t.op is None and t.grad is not None}
    if shown and root.size == 1 and root.op is not None and root.requires_grad:
        computed = gradient_pass(root, order)
        shown.update({key: g for key, g in computed.items() if key not in shown})
    return shown


def gradient_pass(root: Tensor, order: list[Tensor]) -> dict[int, np.ndarray]:
    """The gradient of one backward pass from `root` (seed 1) at every tensor that gets one."""
    wanted = [t for t in order if t.requires_grad]
    found = grad(root, wanted, allow_unused=True)
    reached = _reached_by_gradient(root, order)
    return {id(t): g.data for t, g in zip(wanted, found) if id(t) in reached}


def _reached_by_gradient(root: Tensor, order: list[Tensor]) -> set[int]:
    """Ids of the tensors backward delivers a gradient to (not the zeros allow_unused adds).

    Only a tensor that requires grad gets one, so the output of an op that passes none
    (a comparison, stop_gradient) stops the walk: `x` in `stop_gradient(x.max())` gets
    nothing through the max.
    """
    reached = {id(root)} if root.requires_grad else set()
    for t in reversed(order):
        if id(t) in reached:
            reached.update(id(p) for p in t.parents if p.requires_grad)
    return reached


def _passes_gradient(parent: Tensor, out: Tensor, reached: set[int]) -> bool:
    """True when backward sends `out`'s op's gradient on to `parent` (one part of its sum)."""
    return parent.requires_grad and id(out) in reached


def preview(array: np.ndarray) -> str:
    """A short text for a value: the number for a scalar, the elements of a small array,
    else min/mean/max (or the one value all elements share).

    >>> import numpy as np
    >>> preview(np.float32(2.5))
    '2.5'
    >>> preview(np.array([1.0, -0.25, 3e-5]))
    '[1, -0.25, 3e-05]'
    >>> preview(np.arange(100.0))
    'min 0  mean 49.5  max 99'
    >>> preview(np.zeros((32, 25)))
    'all 0'
    """
    a = np.asarray(array)
    if a.size == 0:
        return "empty"
    if a.dtype == bool:
        a = a.astype(np.int8)
    if a.ndim == 0:
        return _number(a)
    if a.size <= PREVIEW_ELEMENTS:
        return "[" + ", ".join(_number(v) for v in a.ravel().tolist()) + "]"
    low, high = a.min(), a.max()
    if low == high:
        return f"all {_number(low)}"
    mean = a.mean(dtype=np.float64)
    return f"min {_number(low, 3)}  mean {_number(mean, 3)}  max {_number(high, 3)}"


def broadcast_note(parent: Tensor, out: Tensor) -> str | None:
    """How backward sums the gradient of `parent` to undo broadcasting, if it does.

    An op whose inputs broadcast together to its output's shape (Add, Mul, Where, ...)
    hands each input a gradient shaped like the output; the engine then sums it down to the
    input's shape (`sum_to_shape`). Derived here from the shapes alone.
    """
    if not (parent.requires_grad and out.requires_grad) or parent.shape == out.shape:
        return None
    try:
        broadcast = np.broadcast_shapes(*(p.shape for p in out.parents))
    except ValueError:
        return None
    if broadcast != out.shape:
        return None  # not an elementwise op (MatMul, Concatenate, a reduction, ...)
    lead = out.ndim - parent.ndim
    axes = list(range(lead))
    axes += [lead + i for i, n in enumerate(parent.shape) if n == 1 and out.shape[lead + i] != 1]
    if not axes:
        return None
    which = "axis" if len(axes) == 1 else "axes"
    listed = ", ".join(str(a) for a in axes)
    return f"{out.shape} summed over {which} {listed} -> {parent.shape}"


def _nearest_to_root(order: list[Tensor], max_nodes: int) -> set[int]:
    """Ids of the tensors to draw: those fewest steps from the root, within max_nodes nodes
    (a tensor costs one node, two with the op that made it). Never cuts below the root."""
    depth = {id(order[-1]): 0}
    for t in reversed(order):
        d = depth[id(t)] + 1
        for p in t.parents:
            if depth.get(id(p), d + 1) > d:
                depth[id(p)] = d
    ranked = sorted(range(len(order)), key=lambda i: (depth[id(order[i])], -i))
    kept: set[int] = set()
    budget = max_nodes
    for i in ranked:
        cost = 1 if order[i].op is None else 2
        if kept and cost > budget:
            break
        kept.add(id(order[i]))
        budget -= cost
    return kept


def _spine(root: Tensor, position: dict[int, int], kept: set[int]) -> tuple[str, ...]:
    """The ids from the root back through each op's first input, as far as it is drawn.
    An input made by an op without gradient (the `x > 0` of a `where`) is passed over: the
    line follows the values backward differentiates."""
    ids = []
    t: Tensor | None = root
    while t is not None and id(t) in kept:
        ids.append(f"t{position[id(t)]}")
        if t.op is None:
            break
        ids.append(f"op{position[id(t)]}")
        t = next((p for p in t.parents if p.op is None or p.requires_grad), None)
    return tuple(ids)


def _carries_data(t: Tensor) -> bool:
    """True for the activations flowing through the model: op outputs and input arrays such
    as a batch `x`; False for parameters and for numbers like the 2 in `x * 2`."""
    if t.op is not None:
        return True
    return not t.requires_grad and t.ndim > 0 and t.scope is None


def _kind(t: Tensor, root: Tensor) -> str:
    """The tensor's role; an op output without grad (`x > 0`) is a constant to backward."""
    if t is root:
        return ROOT
    if t.op is not None and t.requires_grad:
        return INTERMEDIATE
    return PARAMETER if t.requires_grad else CONSTANT


def _cluster_of(t: Tensor, layer_scopes: dict[str, str], used_in: set[str | None]) -> str | None:
    """The name scope t is drawn in. A parameter created outside its layer's scope (named
    `L1/kernel`) joins the scope of its layer (`L1 (Dense)`), so each layer reads as one box.
    So does a leaf used only inside one scope, such as a loss's labels: `used_in` holds the
    scopes of the ops using t (left empty for the input x that starts the spine)."""
    if t.scope is not None:
        return t.scope
    if t.op is None and t.requires_grad and t.name and "/" in t.name:
        return layer_scopes.get(t.name.rsplit("/", 1)[0])
    if t.op is None and len(used_in) == 1:
        return next(iter(used_in))
    return None


def op_name(op: Op) -> str:
    """The op's name in a picture: its class name, but a PiecewiseConstant is named for the numpy
    function
    it applies (`Greater`, `LogicalNot`, `Sign`), since that is what the code wrote."""
    if isinstance(op, PiecewiseConstant):
        return op.function.__name__.title().replace("_", "")
    return type(op).__name__


def _settings(op: Op) -> str:
    """An op's settings, short: `axis=-1, keepdims=False`; a comparison as its operator on the
    argument names the edges show (`x0 > x1`)."""
    if isinstance(op, PiecewiseConstant):
        operator = STEP_OPERATORS.get(op.function.__name__)
        return f"x0 {operator} x1" if operator else ""
    return ", ".join(f"{key}={_short(value)}" for key, value in op.settings().items())


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype}{list(value.shape)}"
    if isinstance(value, tuple):
        inner = ", ".join(_short(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, np.dtype):
        return str(value)
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


@functools.cache
def _argument_names(op_class: type, count: int) -> tuple[str, ...]:
    """The names `backward(g, out, a, b)` gives the inputs: ('a', 'b'); `*xs` gives x0, x1..."""
    parameters = list(inspect.signature(op_class.backward).parameters.values())[3:]
    names = [p.name for p in parameters if p.kind is not p.VAR_POSITIONAL]
    if len(names) < count:
        star = next((p.name for p in parameters if p.kind is p.VAR_POSITIONAL), "x")
        names += [f"{star.rstrip('s')}{i}" for i in range(count - len(names))]
    return tuple(names[:count])


def _number(value: Any, digits: int = 4) -> str:
    value = np.asarray(value).item()
    return f"{value:.{digits}g}" if isinstance(value, float) else str(value)
