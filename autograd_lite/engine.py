"""Reverse-mode automatic differentiation: grad mode, name scopes, the graph walk and backward.

The engine knows nothing about particular ops. A tensor made by an op carries `.op` (the
op instance) and `.parents` (its inputs, in argument order); `backward` walks those links
from the output back to the leaves, asks each op for its local gradients (`op.backward`),
undoes broadcasting, and adds up the contributions of every path.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Callable

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
            if id(parent) not in visited:
                stack.append((parent, False))
    return order


# --- backward ------------------------------------------------------------------------------


def backward(
    root: Tensor,
    seed: Tensor,
    deliver: Callable[[Tensor, Tensor], None],
    create_graph: bool = False,
) -> None:
    """Reverse-mode autodiff from `root`, whose gradient is `seed`.

    `deliver(tensor, grad)` receives the finished gradient of every tensor on the way
    (`Tensor.backward` keeps the leaves', `grad()` the requested inputs'). The rules are
    Tensor code: run with recording off they cost plain numpy; with `create_graph=True`
    they are recorded, so the gradients can be differentiated again.
    """
    grads: dict[int, Tensor] = {id(root): seed}
    with set_grad_enabled(create_graph):
        for node in reversed(topological_order(root)):
            g = grads.pop(id(node), None)  # popped: each gradient is freed once used
            if g is None:
                continue
            deliver(node, g)
            op = node.op
            if op is None:
                continue
            for parent, pg in zip(node.parents, op.backward(g, node, *node.parents)):
                if pg is None or not parent.requires_grad:
                    continue
                if pg.shape != parent.shape:
                    pg = _unbroadcast(pg, parent, op)
                previous = grads.get(id(parent))
                grads[id(parent)] = pg if previous is None else previous + pg


def _unbroadcast(pg: Tensor, parent: Tensor, op: object) -> Tensor:
    """The one place broadcasting is undone: sum `pg` down to the parent's shape."""
    summed = pg.sum_to_shape(parent.shape)
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

    def collect(node: Tensor, g: Tensor) -> None:
        i = wanted.get(id(node))
        if i is not None:
            found[i] = g

    backward(outputs, seed, collect, create_graph=create_graph)
    for i, g in enumerate(found):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {inputs[i].shape}) was not used to compute the "
                    "output; pass allow_unused=True to get a zero gradient for it"
                )
            found[i] = inputs[i].zeros_like()
    return tuple(found)
