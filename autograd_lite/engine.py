"""Reverse-mode automatic differentiation: grad mode, name scopes, the graph walk and backward.

The engine knows nothing about particular ops. A tensor made by an op carries `.op` (the
op instance) and `.parents` (its inputs, in argument order); `backward` walks those links
from the output back to the leaves, asks each op for its local gradients (`op.backward`),
undoes broadcasting, and adds up the contributions of every path.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor, TensorLike
    from .trace import Recorder

_grad_enabled = True
_scopes: list[str] = []
# How many in-place changes (`Tensor.assign`, ...) the process has made: a clock that moves
# only when a tensor is overwritten. A tensor's `version` is the clock at its last change,
# and a recorded op keeps the clock at its forward (`op.clock`), so "changed after the
# forward used it" is one comparison.
_in_place_changes = 0

recorder: Recorder | None = None
"""The engine's one hook for `ag.trace` (trace.py): while it records a function, its
`Recorder`, which `Op.apply` tells of every op, `backward` of the tensor backpropagated from,
and the Tensor of every value read into Python. None otherwise."""


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
    """Record nothing: `with ag.no_grad(): ...`, `@ag.no_grad()` or `@ag.no_grad`."""

    def __new__(cls, function: Any = None) -> Any:
        if callable(function):  # used as a bare decorator: wrap the function at once
            return cls()(function)
        return super().__new__(cls)

    def __init__(self, function: Any = None) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record again inside an enclosing `no_grad()`."""

    def __init__(self) -> None:
        super().__init__(True)


def next_version() -> int:
    """Advance the in-place clock; the new value is the changed tensor's `version`."""
    global _in_place_changes
    _in_place_changes += 1
    return _in_place_changes


# --- name scopes ---------------------------------------------------------------------------


class name_scope:
    """Label every tensor created inside the block (`t.scope == label`); graph pictures group by it.

    >>> import autograd_lite as ag
    >>> with ag.name_scope("L1 (Dense)"):
    ...     t = ag.ones(3) * 2
    >>> t.scope
    'L1 (Dense)'
    """

    def __init__(self, label: str) -> None:
        self.label = str(label)

    def __enter__(self) -> str:
        _scopes.append(self.label)
        return self.label

    def __exit__(self, *exc_info: object) -> None:
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


class Tape:
    """The graph behind `root` as a straight-line program: its tensors in an order where each
    comes after its inputs (by default `topological_order(root)`; `ag.trace` passes the order
    the ops ran in, which may go on after `root`), and one instruction per op: (its position,
    the op, its inputs' positions).

    `backward` walks the instructions back from the root: a tensor's gradient is complete
    once every op that used it has passed it a share; its own op's rule then splits it among
    its inputs. Positions in lists stand in for tensors, so the same tape can also be run
    again on new arrays (`forward`, as `ag.trace` does).
    """

    def __init__(self, root: Tensor, order: list[Tensor] | None = None) -> None:
        self.tensors = tensors = topological_order(root) if order is None else order
        if _in_place_changes:
            for t in tensors:
                if t.op is not None and t.op.clock < _in_place_changes:
                    _check_unchanged_since_forward(t)
        position: dict[int, int] = {}
        self.instructions: list[tuple[int, Any, list[int]]] = []
        self.parameters: list[int] = []  # the leaves that require grad
        for i, t in enumerate(tensors):
            position[id(t)] = i
            if t.op is not None:
                self.instructions.append((i, t.op, [position[id(p)] for p in t.parents]))
            elif t.requires_grad:
                self.parameters.append(i)
        self.grad_shapes = [t.data.shape if t.requires_grad else None for t in tensors]
        self.root = position[id(root)]

    def forward(self, values: list) -> None:
        """Run every op again, in order, on the arrays in `values` (the leaves' are filled in)."""
        for i, op, inputs in self.instructions:
            values[i] = op.forward(*[values[j] for j in inputs])

    def backward(self, values: list, seed: Any, keep: set[int], create_graph: bool = False) -> list:
        """Gradients of the root (`seed` is its own) with respect to every position.

        `values` holds each position's value: numpy arrays, so the rules run at numpy speed,
        or, with `create_graph=True`, the Tensors themselves, so the rules are recorded and
        their results can be differentiated again. Gradients of positions not in `keep` are
        freed once passed on.
        """
        global _grad_enabled
        grad_shapes = self.grad_shapes
        grads: list = [None] * len(values)
        grads[self.root] = seed
        # set by hand rather than `with set_grad_enabled(...)`: this runs on every backward
        recording, _grad_enabled = _grad_enabled, create_graph
        try:
            for i, op, inputs in reversed(self.instructions):
                g = grads[i]
                if g is None:
                    continue
                if i not in keep:
                    grads[i] = None
                input_grads = op.backward(g, values[i], *[values[j] for j in inputs])
                for j, gj in zip(inputs, input_grads):
                    shape = grad_shapes[j]
                    if gj is None or shape is None:
                        continue
                    if gj.shape != shape:
                        gj = _unbroadcast(gj, shape, op)
                    grads[j] = gj if grads[j] is None else grads[j] + gj
        finally:
            _grad_enabled = recording
        return grads

    def backward_into_parameters(self, values: list, seed: np.ndarray, keep: set[int]) -> None:
        """Backpropagate `seed` and add each parameter's gradient into its `.grad`; `keep`
        holds (at least) the parameters' positions."""
        grads = self.backward(values, seed, keep)
        accumulate_grads(
            [self.tensors[i] for i in self.parameters], [grads[i] for i in self.parameters]
        )


def backward(root: Tensor, grad: TensorLike | None = None) -> None:
    """`root.backward(grad)`: add d(root)/d(leaf) into the `.grad` of every leaf that requires
    grad, `grad` being d(loss)/d(root) (1 when omitted, for a single-element root)."""
    if recorder is not None:
        recorder.note_backward(root, grad)  # ag.trace learns what to backpropagate from
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad: none of the tensors it was "
            "computed from has requires_grad=True, or it was computed inside ag.no_grad()"
        )
    seed = _seed(root, grad, "backward")
    tape = Tape(root)
    tape.backward_into_parameters([t.data for t in tape.tensors], seed, set(tape.parameters))


def accumulate_grads(leaves: list[Tensor], grads: list[Any]) -> None:
    """Add each gradient into its leaf's `.grad` (in the leaf's dtype), keeping every `.grad`
    its own array: two leaves (or a leaf and the caller) never share memory."""
    handed_out: set[int] = set()
    for leaf, g in zip(leaves, grads):
        if g is None:
            continue
        if leaf.grad is not None:
            leaf.grad = np.asarray(leaf.grad + g.astype(leaf.data.dtype, copy=False))
        elif type(g) is np.ndarray and g.base is None and id(g) not in handed_out:
            leaf.grad = g.astype(leaf.data.dtype, copy=False)
        else:  # a view, a numpy scalar or an array another leaf holds
            leaf.grad = np.array(g, dtype=leaf.data.dtype)
        handed_out.add(id(leaf.grad))


def _seed(root: Tensor, grad: Any, caller: str) -> np.ndarray:
    """d(root)/d(root), the gradient a backward pass starts from, as a fresh array: ones for
    a single-element root, else `grad` checked against the root's shape."""
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{caller}: the output has shape {root.shape}; without a gradient argument "
                "it must have a single element: reduce it (e.g. .sum()) or pass a gradient "
                f"of shape {root.shape}"
            )
        return np.ones_like(root.data)
    given = grad.data if isinstance(grad, type(root)) else grad
    try:
        seed = np.array(given, dtype=root.data.dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{caller}: the gradient must be numeric, got {type(grad).__name__}: {error}"
        ) from None
    if seed.shape != root.shape:
        raise ValueError(
            f"{caller}: gradient has shape {seed.shape} but the output has shape {root.shape}"
        )
    return seed


def _check_unchanged_since_forward(t: Tensor) -> None:
    """Refuse a backward through an op whose input or output was overwritten in place after
    its forward ran: its rule would read the new values and give a wrong gradient."""
    op = t.op
    for role, x in [("the output", t), *((f"input {i}", p) for i, p in enumerate(t.parents))]:
        if x.version > op.clock:
            what = f"'{x.name}'" if x.name else "a tensor"
            raise RuntimeError(
                f"backward: {what} of shape {x.shape}, {role} of {op.name}, was changed in place "
                "(assign, or an optimizer step) after the forward pass used it, so its gradient "
                "would be wrong. Run the forward pass again after changing it (the usual order "
                "is: forward, backward, optimizer step)."
            )


def sum_to_shape(g: Any, shape: tuple[int, ...]) -> Any:
    """Undo numpy broadcasting: the adjoint of broadcast_to is a sum over the broadcast axes.

    Works on arrays and Tensors alike (it needs only `.sum` and `.reshape`).
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)  # axes numpy put in front
    if lead < 0:
        return g  # not a broadcast of `shape`; the caller reports the mismatch
    if g.shape[lead:] == shape:  # the common case: a bias added to a batch
        return g.sum(axis=0) if lead == 1 else g.sum(axis=tuple(range(lead)))
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    summed = g.sum(axis=tuple(range(lead)) + stretched)
    return summed.reshape(shape) if stretched else summed


def _unbroadcast(g: Any, shape: tuple[int, ...], op: object) -> Any:
    """The one place broadcasting is undone: sum `g` down to its input's shape."""
    summed = sum_to_shape(g, shape)
    if summed.shape != shape:
        raise RuntimeError(
            f"{type(op).__name__}.backward returned a gradient of shape {g.shape} "
            f"for an input of shape {shape}"
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
    seed = _seed(outputs, grad_outputs, "grad")
    tape = Tape(outputs)
    position = {id(t): i for i, t in enumerate(tape.tensors)}
    wanted = [position.get(id(x)) for x in inputs]
    if create_graph:  # the rules run on the Tensors, so they are recorded
        given = isinstance(grad_outputs, type(outputs))
        values, seed = tape.tensors, grad_outputs if given else type(outputs)(seed)
    else:
        values = [t.data for t in tape.tensors]
    grads = tape.backward(values, seed, set(wanted), create_graph)
    found: list[Any] = []
    for i, x in zip(wanted, inputs):
        g = None if i is None else grads[i]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {len(found)} (shape {x.shape}) was not used to compute the "
                    "output; pass allow_unused=True to get a zero gradient for it"
                )
            g = x.zeros_like()
        elif not create_graph:
            g = type(outputs)(np.asarray(g))
        found.append(g)
    return tuple(found)
