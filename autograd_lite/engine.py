"""Reverse-mode automatic differentiation: grad mode, name scopes, the graph walk and backward.

The engine knows nothing about particular ops. A tensor made by an op carries `.op` (the
op instance) and `.parents` (its inputs, in argument order); `backward` walks those links
from the output back to the leaves, asks each op for its local gradients (`op.backward`),
undoes broadcasting, and adds up the contributions of every path.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

_grad_enabled = True
_scopes: list[str] = []


# --- grad mode -----------------------------------------------------------------------------


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default); False inside `no_grad()`."""
    return _grad_enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a `with` block or a decorated function."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._previous: list[bool] = []  # a stack: a decorated function may call itself

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous.append(_grad_enabled)
        _grad_enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous.pop()


class no_grad(set_grad_enabled):
    """Record nothing: `with ag.no_grad(): ...` or `@ag.no_grad()` (inference, optimizer steps)."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record again inside an enclosing `no_grad()`."""

    def __init__(self) -> None:
        super().__init__(True)


# --- name scopes ---------------------------------------------------------------------------


@contextlib.contextmanager
def name_scope(label: str):
    """Label every tensor created inside the block (`t.scope == label`); graph pictures group by it.

    >>> import autograd_lite as ag
    >>> with ag.name_scope("L1 (Dense)"):
    ...     t = ag.ones(3) * 2
    >>> t.scope
    'L1 (Dense)'
    """
    _scopes.append(str(label))
    try:
        yield label
    finally:
        _scopes.pop()


def current_scope() -> str | None:
    """The innermost active `name_scope` label, or None."""
    return _scopes[-1] if _scopes else None


# --- the graph walk ------------------------------------------------------------------------


def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor `root` depends on, each listed after all of its parents.

    Iterative depth-first post-order (an explicit stack, so a 100,000-op chain is fine).
    Nodes are keyed by `id()`: `Tensor.__eq__` is elementwise, so tensors are no dict keys.
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node.parents:
            if id(parent) in visited:
                continue
            if parent.parents:
                stack.append((parent, False))
            else:  # a leaf depends on nothing: it can take its place at once
                visited.add(id(parent))
                order.append(parent)
    return order


# --- backward ------------------------------------------------------------------------------


def backward(
    root: Tensor,
    seed: Tensor,
    deliver: Callable[[Tensor, Any], None],
    create_graph: bool = False,
    capture: frozenset[int] = frozenset(),
) -> None:
    """Reverse-mode autodiff from `root`, whose gradient is `seed`.

    Walking from the output back, each node's gradient is complete once every node that
    uses it has been visited; its op's rule then turns it into its parents' gradients, which
    are summed when a parent is used more than once.

    `deliver(tensor, grad)` receives the finished gradient of every leaf, and of the nodes
    whose `id` is in `capture`. Ordinarily the rules run on numpy arrays (grads are arrays);
    with `create_graph=True` they run on Tensors with recording on, so the gradients are
    Tensors that can be differentiated again.
    """
    global _grad_enabled
    grads: dict[int, Any] = {id(root): seed if create_graph else seed.data}
    recording, _grad_enabled = _grad_enabled, create_graph
    try:
        for node in reversed(topological_order(root)):
            g = grads.pop(id(node), None)  # popped: each gradient is freed once used
            if g is None:
                continue
            op = node.op
            if op is None:
                deliver(node, g)
                continue
            if capture and id(node) in capture:
                deliver(node, g)
            parents = node.parents
            if create_graph:
                parent_grads = op.backward(g, node, *parents)
            else:
                parent_grads = op.backward(g, node.data, *[p.data for p in parents])
            for parent, pg in zip(parents, parent_grads):
                if pg is None or not parent.requires_grad:
                    continue
                if pg.shape != parent.data.shape:
                    pg = _unbroadcast(pg, parent, op)
                key = id(parent)
                if key in grads:
                    grads[key] = grads[key] + pg
                else:
                    grads[key] = pg
    finally:
        _grad_enabled = recording


def sum_to_shape(g: Any, shape: tuple[int, ...]) -> Any:
    """Undo numpy broadcasting: the adjoint of broadcast_to is a sum over the broadcast axes.

    Works on arrays and Tensors alike (it needs only `.sum` and `.reshape`).
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)  # axes numpy put in front
    if lead < 0:
        return g  # not a broadcast of `shape`; the caller reports the mismatch
    if g.shape[lead:] == shape:
        return g.sum(axis=tuple(range(lead)))  # the common case: a bias added to a batch
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    summed = g.sum(axis=tuple(range(lead)) + stretched)
    return summed.reshape(shape) if stretched else summed


def _unbroadcast(pg: Any, parent: Tensor, op: object) -> Any:
    """The one place broadcasting is undone: sum `pg` down to the parent's shape."""
    summed = sum_to_shape(pg, parent.shape)
    if summed.shape != parent.shape:
        raise RuntimeError(
            f"{type(op).__name__}.backward returned a gradient of shape {pg.shape} "
            f"for an input of shape {parent.shape}"
        )
    return summed


def grad(
    outputs: Tensor,
    inputs: Tensor | list[Tensor] | tuple[Tensor, ...],
    grad_outputs: Tensor | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor, ...]:
    """d outputs / d inputs as Tensors, without touching any `.grad`.

    With `create_graph=True` the returned gradients are themselves recorded, so they can be
    differentiated again (second derivatives, Hessian-vector products):

    >>> import autograd_lite as ag
    >>> x = ag.Tensor(3.0, requires_grad=True)
    >>> (dx,) = ag.grad(x ** 3, x, create_graph=True)
    >>> (dxx,) = ag.grad(dx, x)
    >>> float(dx), float(dxx)
    (27.0, 18.0)
    """
    single = not isinstance(inputs, (list, tuple))
    inputs = (inputs,) if single else tuple(inputs)
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {x.shape}) does not require grad")
    seed = outputs._seed_gradient(grad_outputs, caller="grad")
    wanted = {id(x): i for i, x in enumerate(inputs)}
    found: list[Tensor | None] = [None] * len(inputs)
    wrap = type(outputs)._wrap

    def collect(node: Tensor, g: Any) -> None:
        i = wanted.get(id(node))
        if i is not None:
            found[i] = g if create_graph else wrap(np.asarray(g))

    backward(outputs, seed, collect, create_graph, capture=frozenset(wanted))
    for i, g in enumerate(found):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {inputs[i].shape}) was not used to compute the "
                    "output; pass allow_unused=True to get a zero gradient for it"
                )
            found[i] = inputs[i].zeros_like()
    return tuple(found)
