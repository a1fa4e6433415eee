"""Reverse-mode automatic differentiation: grad mode, name scopes, the graph walk and backward.

The engine knows nothing about particular ops. A tensor made by an op carries `.op` (the
op instance) and `.parents` (its inputs, in argument order); `backward` walks those links
from the output back to the leaves, asks each op for its local gradients (`op.backward`),
undoes broadcasting, and adds up the contributions of every path.
"""

from __future__ import annotations

import contextlib
import warnings
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
    Tensors are kept in a set: they hash by identity (`Tensor.__hash__`), and two live
    objects never share a hash, so the elementwise `==` is never called.
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for parent in node.parents:
            if parent in visited:
                continue
            if parent.parents:
                stack.append((parent, False))
            else:  # a leaf depends on nothing: it can take its place at once
                visited.add(parent)
                order.append(parent)
    return order


# --- backward ------------------------------------------------------------------------------


class Tape:
    """The graph behind `root` as a straight-line program: `tensors`, each listed after its
    inputs (by default `topological_order(root)`; `ag.trace` passes the order the ops ran in,
    which may go on after `root`). Each tensor an op made is an instruction: the op computed
    it from its parents.

    `backward` walks the instructions back from the root: a tensor's gradient is complete
    once every op that used it has passed it a share; its own op's rule then splits it among
    its inputs. The values are the tensors' own (`.data`), so `ag.trace` runs the same tape
    again on new arrays by storing those in the tensors (see `Replay`).
    """

    def __init__(self, root: Tensor, order: list[Tensor] | None = None) -> None:
        self.root = root
        self.tensors = topological_order(root) if order is None else order
        # what `backward` walks: the instructions, last first (a replay walks them each
        # call), always in `topological_order(root)`'s order, whatever `order` is: a leaf
        # reached along three paths or more gets its shares summed in the same order, so a
        # replay's gradients equal the eager backward's to the last bit
        backward_order = self.tensors if order is None else topological_order(root)
        self.instructions = [t for t in reversed(backward_order) if t.op is not None]
        if _in_place_changes:
            for t in self.tensors:
                if t.op is not None and t.op.clock < _in_place_changes:
                    _check_unchanged_since_forward(t)

    def backward(
        self, seed: Any, keep: frozenset[Tensor] = frozenset(), create_graph: bool = False
    ) -> dict[Tensor, Any]:
        """Gradients of the root (`seed` is its own) by tensor: those of the leaves that
        require grad and of the tensors in `keep`; the others are freed once passed on.

        The rules run on the arrays (`.data`), at numpy speed, or, with `create_graph=True`,
        on the Tensors themselves, so they are recorded and their results can be
        differentiated again. Tensors are the dict's keys: they hash by identity, and two
        live objects never share a hash, so the elementwise `==` is never called.
        """
        global _grad_enabled
        grads: dict[Tensor, Any] = {self.root: seed}
        # set by hand rather than `with set_grad_enabled(...)`: this runs on every backward
        recording, _grad_enabled = _grad_enabled, create_graph
        try:
            for t in self.instructions:
                g = grads.get(t) if t in keep else grads.pop(t, None)
                if g is None:
                    continue
                op, xs = t.op, t.parents
                # Speed (issue 9): this line runs once per op and backward, and a list
                # comprehension costs more than the numpy work of a small op, so the usual
                # rules of one to three inputs (Dense's x, kernel, bias) get their arrays
                # directly.
                if create_graph:
                    input_grads = op.backward(g, t, *xs)
                elif len(xs) == 2:
                    input_grads = op.backward(g, t.data, xs[0].data, xs[1].data)
                elif len(xs) == 1:
                    input_grads = op.backward(g, t.data, xs[0].data)
                elif len(xs) == 3:
                    input_grads = op.backward(g, t.data, xs[0].data, xs[1].data, xs[2].data)
                else:
                    input_grads = op.backward(g, t.data, *[x.data for x in xs])
                for x, gx in zip(xs, input_grads):
                    if gx is None or not x.requires_grad:
                        continue
                    if gx.shape != x.data.shape:
                        gx = _unbroadcast(gx, x.data.shape, op)
                    grads[x] = grads[x] + gx if x in grads else gx
        finally:
            _grad_enabled = recording
        return grads


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
    accumulate_grads(Tape(root).backward(_seed(root, grad, "backward")))


def accumulate_grads(grads: dict[Tensor, Any]) -> None:
    """Add the gradient of each leaf among `grads` into its `.grad` (in the leaf's dtype),
    keeping every `.grad` its own array: two leaves (or a leaf and the caller) never share
    memory."""
    handed_out: set[int] = set()
    for leaf, g in grads.items():
        if leaf.op is not None:
            continue
        if leaf.grad is not None:
            if getattr(leaf, "grad_version", leaf.version) != leaf.version:
                _warn_stale_gradient(leaf)
            leaf.grad = np.asarray(leaf.grad + g.astype(leaf.data.dtype, copy=False))
        elif type(g) is np.ndarray and g.base is None and id(g) not in handed_out:
            leaf.grad = g.astype(leaf.data.dtype, copy=False)
        else:  # a view, a numpy scalar or an array another leaf holds
            leaf.grad = np.array(g, dtype=leaf.data.dtype)
        handed_out.add(id(leaf.grad))
        leaf.grad_version = leaf.version


def _warn_stale_gradient(leaf: Tensor) -> None:
    """A gradient added to one from before the tensor changed: a training loop that steps
    without zeroing (adding up gradients on purpose changes the weights only at the end)."""
    who = f"'{leaf.name}'" if leaf.name else f"a tensor of shape {leaf.shape}"
    warnings.warn(
        f"backward: adding to the .grad of {who}, which still holds the gradient of an earlier "
        "backward although the tensor has changed since (an optimizer step?): gradients add "
        "up until zeroed, so this update would use the sum of every step's gradient. Fix: "
        "zero them before each backward (optimizer.zero_grad(params), or p.grad = None)",
        UserWarning,
        stacklevel=5,  # the caller of Tensor.backward
    )


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
        seed = np.empty_like(root.data)
        seed[...] = 1  # np.ones_like costs three times as much, on every backward
        return seed
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
    if create_graph:  # the rules run on the Tensors, so they are recorded
        given = isinstance(grad_outputs, type(outputs))
        seed = grad_outputs if given else type(outputs)(seed)
    grads = Tape(outputs).backward(seed, frozenset(inputs), create_graph)
    found: list[Any] = []
    for x in inputs:
        g = grads.get(x)
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
