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
from collections.abc import Mapping
from dataclasses import dataclass
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

    @property
    def input_edges(self) -> tuple[Edge, ...]:
        """The tensor -> op edges: one per op input, repeats included."""
        return tuple(e for e in self.edges if e.position is not None)

    def ranks(self) -> dict[str, int]:
        """Each node's rank in a layered drawing, about as dot ranks a graph before placing it:
        the number of edges on the longest path to the node, and a node without inputs (a
        parameter, an input) one rank before its first use, not all of them in the first."""
        rank = {node.id: 0 for node in (*self.tensors, *self.ops)}
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
    return GraphSpec(
        tensors=tuple(tensors),
        ops=tuple(ops),
        edges=tuple(edges),
        clusters=tuple(Cluster(label, tuple(ids)) for label, ids in clusters.items()),
        omitted=total_nodes - len(tensors) - len(ops),
        max_nodes=max_nodes,
        truncated_inputs=tuple(truncated),
        spine=spine,
    )


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
