"""The base of every differentiable primitive, and the helpers that turn functions into methods."""

from __future__ import annotations

import inspect
from typing import Any, Callable, TypeVar

import numpy as np

from . import engine
from .tensor import Tensor, TensorLike

OPS: dict[str, type[Op]] = {}
"""Every primitive by name (`OPS["MatMul"]`); tests check each one has a gradcheck case."""

F = TypeVar("F", bound=Callable[..., Any])


class OpError(ValueError):
    """Bad input to an op: the message names the op and the shapes or values involved."""


class Op:
    """A differentiable primitive: a numpy `forward` and a Tensor-level `backward`, side by side.

    `backward(g, out, *inputs)` gets the gradient `g` of the loss with respect to `out` and
    returns one gradient per input (None where an input is not differentiable). It is written
    with Tensor ops, so the gradients can themselves be differentiated. It need not undo
    broadcasting: the engine sums each gradient down to its input's shape. Its docstring is
    the derivative, shown by `help()` and by graph pictures (`show_rule=True`).

    An op instance holds only non-tensor settings (an axis, a slope), never its output, so
    a graph holds no reference cycles and is freed as soon as its output is dropped.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:  # a concrete primitive, not a shared base like BinaryOp
            OPS[cls.__name__] = cls

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, g: Tensor, out: Tensor, *xs: Tensor) -> tuple[Tensor | None, ...]:
        raise NotImplementedError

    def describe_failure(self, xs: tuple[np.ndarray, ...], error: Exception) -> str:
        """The message for numpy refusing the forward (override for a better one)."""
        shapes = ", ".join(str(x.shape) for x in xs)
        return f"{self.name}: cannot apply to shapes {shapes}: {error}"

    @property
    def name(self) -> str:
        """The op's name in error messages: its class name in lower case (`matmul`, `add`)."""
        return type(self).__name__.lower()

    @property
    def rule(self) -> str:
        """The local derivative, as written in `backward`'s docstring."""
        return inspect.getdoc(type(self).backward) or ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    @classmethod
    def apply(cls, *inputs: TensorLike, **settings: Any) -> Tensor:
        """Run the forward on the inputs' arrays and, when recording, link the result to them."""
        op = cls(**settings)
        xs = as_tensors(inputs)
        arrays = tuple(x.data for x in xs)
        try:
            data = op.forward(*arrays)
        except (ValueError, IndexError, TypeError) as error:
            raise OpError(op.describe_failure(arrays, error)) from None
        if type(data) is not np.ndarray:
            data = np.asarray(data)  # numpy reductions return scalars; keep everything an array
        out = Tensor._wrap(data)
        if engine._grad_enabled:
            for x in xs:
                if x.requires_grad:
                    out.requires_grad = True
                    out.op = op
                    out.parents = xs
                    break
        return out


def as_tensors(values: tuple[TensorLike, ...]) -> tuple[Tensor, ...]:
    """Make every input a Tensor. Python numbers take the dtype of a tensor beside them, so
    `x * 2` keeps a float32 `x` float32 and a float64 `x` float64 (numpy's weak-scalar rule)."""
    if all(type(v) is Tensor for v in values):
        return values  # type: ignore[return-value]
    like = next((v.data.dtype for v in values if isinstance(v, Tensor)), None)
    return tuple(v if isinstance(v, Tensor) else as_tensor(v, like) for v in values)


def as_tensor(value: TensorLike, like: np.dtype | None = None) -> Tensor:
    """`value` as a Tensor, without copying one that already is."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float)) and like is not None:
        if like.kind == "f" or (like.kind in "iu" and not isinstance(value, float)):
            return Tensor._wrap(np.asarray(value, dtype=like))
    return Tensor(value)


def tensor_method(function: F) -> F:
    """Also make `function(x, ...)` available as the method `x.function(...)`; returns it as is."""
    setattr(Tensor, function.__name__, function)
    return function

