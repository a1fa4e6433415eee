"""The chain rule written out, with the numbers of one graph filled in.

For a loss L and a leaf w, backpropagation computes

    dL/dw = sum over every use of w by an op making v:  dL/dv * ∂v/∂w

(dL/dv the total derivative, through everything v feeds; ∂v/∂w the local one, of one op)

and each dL/dv the same way, from the loss back (dL/dL = 1). `chain_rule(loss, w)` writes
that derivation down line by line, in the order backward computes it, with the values of
this graph: the upstream gradients are the engine's, the local derivatives come from each
op's own backward rule, and the sums over uses are shown term by term.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

import autograd_lite as ag

from ._graph import LabelledGraph, element_label, labelled_graph, number

ALL_ZERO_SHOWN = 4  # an all-zero sum with more terms than this is summarised, not listed


@dataclass(frozen=True)
class Term:
    """One product of a sum over uses: `dL/dv * ∂v/∂w`, with both numbers. The gradient
    dL/dv is a total derivative (through everything after v); ∂v/∂w is the local one, of
    the op that made v from w, its other inputs held fixed."""

    upstream: str  # "dL/dz"
    upstream_value: float
    local: str  # "∂z/∂w"
    local_value: float

    @property
    def value(self) -> float:
        return self.upstream_value * self.local_value


@dataclass(frozen=True)
class Step:
    """One line of the derivation: the gradient of one entry of one tensor.

    `value` is the engine's gradient; `terms` add up to it, except for `omitted` terms whose
    local derivative is 0 (an entry of a sum that this entry does not feed)."""

    tensor: ag.Tensor
    index: tuple[int, ...]
    name: str  # "dL/dw[1]"
    terms: tuple[Term, ...]
    omitted: int
    value: float


@dataclass(frozen=True)
class Derivation:
    """The written-out chain rule for one leaf entry: the forward equations with their values,
    then one `Step` per gradient, the loss's first and the leaf's last. Shows as Markdown in
    Jupyter; `markdown()` and `latex()` give the text."""

    forward: tuple[str, ...]  # "z = w * x = -1"
    steps: tuple[Step, ...]

    @property
    def value(self) -> float:
        """The derived gradient: the last step's."""
        return self.steps[-1].value

    def markdown(self) -> str:
        lines = ["**Forward**", ""]
        lines += [f"- `{equation}`" for equation in self.forward]
        lines += ["", "**Backward** (the chain rule, from the loss back)", ""]
        lines += [f"{k}. `{_step_text(step)}`" for k, step in enumerate(self.steps, 1)]
        return "\n".join(lines)

    def latex(self) -> str:
        """The backward steps as a LaTeX `aligned` block (for `$$...$$` or `\\[...\\]`)."""
        rows = [_step_latex(step) for step in self.steps]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def __str__(self) -> str:
        return "\n".join([*self.forward, *(_step_text(step) for step in self.steps)])

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_html_(self) -> str:  # JupyterLab prefers HTML: a preformatted copy of str()
        return f"<pre>{html.escape(str(self))}</pre>"


def chain_rule(
    loss: ag.Tensor,
    leaf: ag.Tensor,
    index: int | tuple[int, ...] | None = None,
    max_steps: int = 30,
) -> Derivation:
    """The derivation of d loss / d leaf[index], written out with this graph's numbers.

    `loss` is a single-element tensor that requires grad, `leaf` a tensor that requires grad
    and was used to compute it; `index` picks the entry of a leaf with more than one (an int
    for a vector). Entries of tensors are separate unknowns: for z = w * x with vectors,
    dL/dw[1] sums over the entries of z, and terms whose local derivative is 0 are left out
    (`Step.omitted` counts them). Meant for small graphs: a derivation of more than
    `max_steps` gradients is refused with a ValueError.

    Nothing is changed: the gradients come from one `ag.grad` pass (no `.grad` is touched),
    the local derivatives from each op's backward rule run on the recorded arrays.

    >>> import autograd_lite as ag
    >>> w = ag.Tensor(-1.0, requires_grad=True, name="w")
    >>> x = ag.Tensor(2.0, name="x")
    >>> z = w * x
    >>> z.name = "z"
    >>> L = z * z / 8
    >>> L.name = "L"
    >>> print(ag.teaching.chain_rule(L, w))
    z = w * x = -2
    t1 = z * z = 4
    L = t1 / 8 = 0.5
    dL/dL = 1
    dL/dt1 = dL/dL * ∂L/∂t1 = (1)(0.125) = 0.125
    dL/dz = dL/dt1 * ∂t1/∂z (input 0) + dL/dt1 * ∂t1/∂z (input 1) = (0.125)(-2) + (0.125)(-2) = -0.5
    dL/dw = dL/dz * ∂z/∂w = (-0.5)(2) = -1
    """
    graph = labelled_graph(loss, "chain_rule")
    index = _leaf_index(graph, leaf, index)
    if not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"chain_rule: max_steps must be a positive integer, got {max_steps!r}")
    path = _on_a_path(graph, leaf)
    grads = dict(zip(path, ag.grad(loss, path, allow_unused=True)))
    on_path = set(path)
    locals_ = {t: _local_jacobians(t, on_path) for t in path if t.op is not None}
    needed = _needed_entries(graph, leaf, index, locals_, max_steps)
    steps = [_step(graph, t, i, grads, locals_) for t, i in needed]
    forward = [
        f"{graph.equation(t)} = {_values(t.data)}"
        for t in graph.order
        if t.op is not None and t in on_path
    ]
    return Derivation(tuple(forward), tuple(steps))


def _leaf_index(graph: LabelledGraph, leaf: ag.Tensor, index) -> tuple[int, ...]:
    if not isinstance(leaf, ag.Tensor) or leaf not in graph.labels:
        raise ValueError("chain_rule: the leaf is not among the tensors the loss was computed from")
    name = graph.labels[leaf]
    if not leaf.requires_grad:
        raise ValueError(f"chain_rule: {name} does not require grad, so it has no gradient")
    if index is None:
        if leaf.size != 1:
            raise ValueError(
                f"chain_rule: {name} has shape {leaf.shape}; pass index= to pick the entry "
                "whose gradient to derive"
            )
        return (0,) * leaf.ndim
    index = (index,) if isinstance(index, (int, np.integer)) else tuple(index)
    try:
        np.zeros(leaf.shape)[index]
        if len(index) != leaf.ndim:
            raise IndexError
    except (IndexError, TypeError):
        raise ValueError(
            f"chain_rule: index {index} does not pick one entry of {name}, of shape {leaf.shape}"
        ) from None
    return tuple(int(i) % n for i, n in zip(index, leaf.shape))


def _on_a_path(graph: LabelledGraph, leaf: ag.Tensor) -> list[ag.Tensor]:
    """The leaf and every tensor computed from it that passes a gradient back to it."""
    path = [leaf]
    reached = {leaf}
    for t in graph.order:
        if t.requires_grad and any(p in reached for p in t.parents):
            path.append(t)
            reached.add(t)
    return path


def _local_jacobians(t: ag.Tensor, on_path: set[ag.Tensor]) -> dict[int, np.ndarray]:
    """d t / d parent for each parent position on the path, as (t.size, parent.size) matrices:
    row j is the op's backward rule seeded with the j-th unit vector."""
    positions = [k for k, p in enumerate(t.parents) if p in on_path]
    rows: dict[int, list[np.ndarray]] = {k: [] for k in positions}
    arrays = [p.data for p in t.parents]
    for j in range(t.size):
        seed = np.zeros_like(t.data)
        seed.flat[j] = 1
        shares = t.op.backward(seed, t.data, *arrays)
        for k in positions:
            share = ag.sum_to_shape(np.asarray(shares[k]), t.parents[k].shape)
            rows[k].append(np.asarray(share, dtype=np.float64).reshape(-1))
    return {k: np.array(r) for k, r in rows.items()}


def _uses(graph: LabelledGraph, u: ag.Tensor, locals_) -> list[tuple[ag.Tensor, int]]:
    """Every (op output, input position) through which `u` is used on the path."""
    return [(t, k) for t in graph.order if t in locals_ for k, p in enumerate(t.parents) if p is u]


def _kept_terms(graph, u, flat, locals_) -> tuple[list[tuple[ag.Tensor, int, int]], int]:
    """The (user, position, user entry) terms of dL/du[flat] to write, and how many zeros
    were left out: terms whose local derivative is 0 are dropped, unless all are."""
    terms = [(t, k, j) for t, k in _uses(graph, u, locals_) for j in range(t.size)]
    kept = [(t, k, j) for t, k, j in terms if locals_[t][k][j, flat] != 0]
    if not kept:  # all zero: show the entry in the same place (relu'(z) = 0), else a few
        kept = [(t, k, j) for t, k, j in terms if t.shape == u.shape and j == flat]
        if not kept and len(terms) <= ALL_ZERO_SHOWN:
            kept = terms
    return kept, len(terms) - len(kept)


def _needed_entries(graph, leaf, index, locals_, max_steps) -> list[tuple[ag.Tensor, int]]:
    """The (tensor, flat entry) gradients the leaf entry's derivation uses, in backward order."""
    position = {t: n for n, t in enumerate(graph.order)}
    start = (leaf, int(np.ravel_multi_index(index, leaf.shape)))
    needed = {start}
    todo = [start]
    while todo:
        u, flat = todo.pop()
        for t, _, j in _kept_terms(graph, u, flat, locals_)[0]:
            if (t, j) not in needed:
                needed.add((t, j))
                todo.append((t, j))
        if len(needed) > max_steps:
            raise ValueError(
                f"chain_rule: the derivation of d{graph.labels[graph.root]}/"
                f"d{graph.labels[leaf]} needs more than max_steps={max_steps} gradients; "
                "write it out for a smaller graph (scalars, or vectors of a few entries), "
                "or pass a larger max_steps"
            )
    return sorted(needed, key=lambda e: (-position[e[0]], e[1]))


def _step(graph, u, flat, grads, locals_) -> Step:
    top = graph.labels[graph.root]
    index = tuple(int(i) for i in np.unravel_index(flat, u.shape))
    name = f"d{top}/d{element_label(graph.labels[u], u.shape, index)}"
    value = float(np.asarray(grads[u].data).reshape(-1)[flat])
    if u is graph.root:
        return Step(u, index, name, (), 0, value)
    kept, omitted = _kept_terms(graph, u, flat, locals_)
    repeated = {(t, k) for t, k in _uses(graph, u, locals_) if sum(p is u for p in t.parents) > 1}
    terms = []
    for t, k, j in kept:
        out = element_label(graph.labels[t], t.shape, np.unravel_index(j, t.shape))
        local = f"∂{out}/∂{element_label(graph.labels[u], u.shape, index)}"
        if (t, k) in repeated:
            local += f" (input {k})"
        upstream = float(np.asarray(grads[t].data).reshape(-1)[j])
        terms.append(Term(f"d{top}/d{out}", upstream, local, float(locals_[t][k][j, flat])))
    return Step(u, index, name, tuple(terms), omitted, value)


def _step_text(step: Step) -> str:
    if not step.terms:
        note = "the seed" if step.omitted == 0 else f"all {step.omitted} local derivatives are 0"
        return f"{step.name} = {number(step.value)}" + ("" if note == "the seed" else f" ({note})")
    symbols = " + ".join(f"{t.upstream} * {t.local}" for t in step.terms)
    numbers = " + ".join(
        f"({number(t.upstream_value)})({number(t.local_value)})" for t in step.terms
    )
    zeros = f" (+ {step.omitted} terms that are 0)" if step.omitted else ""
    return f"{step.name} = {symbols} = {numbers}{zeros} = {number(step.value)}"


def _step_latex(step: Step) -> str:
    name = _tex_fraction(step.name)
    if not step.terms:
        return f"{name} &= {_tex_number(step.value)}"
    symbols = " + ".join(
        f"{_tex_fraction(t.upstream)}\\,{_tex_fraction(t.local)}" for t in step.terms
    )
    numbers = " + ".join(
        f"({_tex_number(t.upstream_value)})({_tex_number(t.local_value)})" for t in step.terms
    )
    zeros = f" + \\underbrace{{0 + \\dots}}_{{{step.omitted}}}" if step.omitted else ""
    return f"{name} &= {symbols} = {numbers}{zeros} = {_tex_number(step.value)}"


def _tex_fraction(text: str) -> str:
    """`dL/dz[1]` -> \\frac{dL}{dz_{1}}; `∂z/∂w (input 0)` -> \\frac{\\partial z}{\\partial w}
    with the note below it as text."""
    text, _, note = text.partition(" (")
    top, bottom = text.split("/", 1)
    d = "\\partial " if top[0] == "∂" else "d"
    fraction = f"\\frac{{{d}{_tex_symbol(top[1:])}}}{{{d}{_tex_symbol(bottom[1:])}}}"
    return fraction + (f"_{{\\text{{{note.rstrip(')')}}}}}" if note else "")


def _tex_symbol(label: str) -> str:
    base, _, index = label.partition("[")
    base = base.replace("\\", "\\backslash ").replace("_", "\\_").replace("#", "\\#")
    base = base if len(base) == 1 else f"\\mathrm{{{base}}}"
    return base + (f"_{{{index.rstrip(']')}}}" if index else "")


def _tex_number(value: float) -> str:
    text = number(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def _values(array: np.ndarray) -> str:
    if array.size == 1:
        return number(array.item())
    return "[" + ", ".join(number(v) for v in array.reshape(-1)) + "]"
