"""What the instruments share: the graph of a loss as labelled tensors and written equations.

Every tensor gets a label a learner can read: its own `name`, else `t1`, `t2`, ... in the
order the graph was computed (the root, unnamed, is `L`). Small unnamed constants that need
no gradient (the `2` of `x * 2`) are written as their number inside the equations instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import autograd_lite as ag

OPERATORS = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Pow": "**", "MatMul": "@"}


@dataclass(frozen=True)
class LabelledGraph:
    """The tensors behind `root` in computation order, each with its label."""

    root: ag.Tensor
    order: list[ag.Tensor]
    labels: dict[ag.Tensor, str]  # every tensor shown on its own (inlined constants are not)
    inlined: dict[ag.Tensor, str]  # the constants written as numbers

    def label(self, t: ag.Tensor) -> str:
        return self.labels.get(t) or self.inlined[t]

    def equation(self, t: ag.Tensor) -> str:
        """`z = w * x`, `s = sum(z, axis=0)`: how `t` was computed from its inputs."""
        args = [self.label(p) for p in t.parents]
        name = type(t.op).__name__
        if name in OPERATORS and len(args) == 2:
            expression = f"{args[0]} {OPERATORS[name]} {args[1]}"
        elif name == "Neg":
            expression = f"-{args[0]}"
        else:
            # None and False are the "not set" values of the ops' settings (axis, keepdims)
            settings = [
                f"{key}={value!r}"
                for key, value in t.op.settings().items()
                if value is not None and value is not False
            ]
            expression = f"{t.op.name}({', '.join(args + settings)})"
        return f"{self.labels[t]} = {expression}"


def labelled_graph(root: ag.Tensor, caller: str) -> LabelledGraph:
    """The graph of `root`, a single-element tensor that requires grad (a loss)."""
    if not isinstance(root, ag.Tensor):
        raise TypeError(f"{caller}: expected the loss as a Tensor, got {type(root).__name__}")
    if not root.requires_grad or root.size != 1:
        raise ValueError(
            f"{caller}: the loss must be a single-element tensor that requires grad; got shape "
            f"{root.shape}, requires_grad={root.requires_grad}"
        )
    order = ag.topological_order(root)
    labels: dict[ag.Tensor, str] = {}
    inlined: dict[ag.Tensor, str] = {}
    taken: set[str] = set()
    unnamed = 0
    for t in order:
        if t.name is None and t.op is None and not t.requires_grad and t.size == 1:
            inlined[t] = number(t.data.item())
            continue
        if t.name is not None:
            label = t.name
        elif t is root:
            label = "L"
        else:
            unnamed += 1
            label = f"t{unnamed}"
        while label in taken:  # two tensors of one name: keep the labels apart
            label += "'"
        taken.add(label)
        labels[t] = label
    return LabelledGraph(root, order, labels, inlined)


def element_label(label: str, shape: tuple[int, ...], index: tuple[int, ...]) -> str:
    """`w` for a single-element tensor, `w[1]` or `w[0,2]` for one entry of a larger one."""
    if int(np.prod(shape)) == 1:
        return label
    return f"{label}[{','.join(str(i) for i in index)}]"


def number(value: float) -> str:
    """A value as a learner writes it: 4 significant digits, no trailing zeros (`-0.5`, `2`)."""
    value = float(value)
    if value == 0:
        return "0"  # -0.0 too
    return f"{value:.4g}"


def as_leaf(x: ag.TensorLike) -> ag.Tensor:
    """A fresh leaf that requires grad holding a copy of x: numpy arrays keep a float dtype,
    Python numbers and lists become float32 (as the Tensor makes them)."""
    if isinstance(x, ag.Tensor):
        x = x.data
    array = np.array(x) if isinstance(x, (np.ndarray, np.generic)) else ag.Tensor(x).data
    if array.dtype.kind != "f":
        array = array.astype(np.float32)
    return ag.Tensor(array.copy(), requires_grad=True)
