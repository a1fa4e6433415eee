"""The base of every differentiable primitive, and the helpers that turn functions into methods."""

from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from . import engine
from .tensor import Tensor, TensorLike, refuse_tensors_in_list

OPS: dict[str, type[Op]] = {}
"""Every primitive by name (`OPS["MatMul"]`); tests check each one has a gradcheck case."""


class OpError(ValueError):
    """Bad input to an op: the message names the op and the shapes or values involved."""


class Op:
    """A differentiable primitive: a numpy `forward` and a `backward` rule, side by side.

    `backward(g, out, *inputs)` gets the gradient `g` of the loss with respect to `out` and
    returns one gradient per input (None where an input needs none: see `needs_input_grad`).
    It need not undo broadcasting: the engine sums each gradient down to its input's shape.
    Its docstring is the derivative, shown by `help()` and by graph pictures.

    A rule is written in the language numpy arrays and Tensors share: operators, the methods
    `.sum .max .reshape .transpose .T .mT .astype`, indexing, and `ag` functions (which return
    plain numpy results when given no Tensor, like HIPS autograd's `anp`). So one rule serves
    twice: an ordinary backward runs it on the arrays, at numpy speed; with
    `create_graph=True` it runs on the Tensors and is recorded, to be differentiated again.

    An op instance holds only non-tensor settings (an axis, a slope), never its output, so
    a graph holds no reference cycles and is freed as soon as its output is dropped.
    """

    needs_input_grad: tuple[bool, ...] | list[bool] = ()
    """Which inputs require grad (set when the op is recorded); rules skip the others."""

    differentiable = True
    """False for ops whose result passes no gradient back (comparisons, stop_gradient)."""

    clock = 0
    """The engine's in-place clock when the op was recorded: an input whose `version` is
    later was changed after this forward used it (see `Tensor.assign`)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:  # a concrete primitive, not a shared base like BinaryOp
            OPS[cls.__name__] = cls

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, g, out, *xs):
        raise NotImplementedError

    def describe_failure(self, xs: tuple[np.ndarray, ...], error: Exception) -> str:
        """The message for numpy refusing the forward (override for a better one)."""
        shapes = ", ".join(str(x.shape) for x in xs)
        return f"{self.name}: cannot apply to shapes {shapes}: {error}"

    @property
    def name(self) -> str:
        """The op's name in error messages: its class name in lower case (`matmul`, `add`)."""
        return type(self).__name__.lower()

    def settings(self) -> dict[str, Any]:
        """What the op was made with (`{'axis': -1}`), not what its forward keeps for backward."""
        return {
            name: getattr(self, name) for name in _setting_names(type(self)) if hasattr(self, name)
        }

    @property
    def rule(self) -> str:
        """The local derivative, as written in `backward`'s docstring."""
        return inspect.getdoc(type(self).backward) or ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    @classmethod
    def apply(cls, *inputs: TensorLike, **settings: Any) -> Tensor | np.ndarray:
        """Run the forward and, when recording, link the result to its inputs.

        Given no Tensor at all, it is a plain numpy function: arrays in, an array out.
        """
        op = cls(**settings) if settings else cls()
        xs = as_tensors(inputs, op.name)
        arrays = [_as_array(v) for v in inputs] if xs is None else [x.data for x in xs]
        try:
            data = op.forward(*arrays)
        except (ValueError, IndexError, TypeError) as error:
            shown = tuple(np.asarray(a) for a in arrays)
            raise OpError(op.describe_failure(shown, error)) from None
        if type(data) is not np.ndarray:
            data = np.asarray(data)  # numpy reductions return scalars; keep everything an array
        if xs is None:
            return data
        out = Tensor._wrap(data)
        if engine._grad_enabled:
            recorder = engine.recorder  # ag.trace keeps also the ops on data needing no grad
            record = recorder is not None
            for x in xs:
                if x.requires_grad:
                    record = True
                    out.requires_grad = op.differentiable
                    break
            if record:
                op.needs_input_grad = [x.requires_grad for x in xs]
                op.clock = engine._in_place_changes
                out.op = op
                out.parents = xs
                if recorder is not None:
                    recorder.note_op(out)
        return out


class BinaryOp(Op):
    """Shared error message for elementwise ops of two broadcast operands."""

    def describe_failure(self, xs: tuple[np.ndarray, ...], error: Exception) -> str:
        a, b = xs
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            return f"{self.name}: shapes {a.shape} and {b.shape} cannot be broadcast together"
        return f"{self.name}: cannot combine {a.dtype} {a.shape} and {b.dtype} {b.shape}: {error}"


@functools.cache
def _setting_names(op_class: type) -> tuple[str, ...]:
    """The names of the op class's constructor parameters (they are stored under those names)."""
    if op_class.__init__ is object.__init__:
        return ()
    parameters = list(inspect.signature(op_class.__init__).parameters.values())[1:]
    return tuple(p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def as_tensors(values: tuple[TensorLike, ...], caller: str = "op") -> tuple[Tensor, ...] | None:
    """Every input as a Tensor, or None when there is no Tensor among them. Python numbers take
    the dtype of a tensor beside them, so `x * 2` keeps a float32 `x` float32 and a float64 `x`
    float64 (numpy's weak-scalar rule)."""
    for value in values:
        if type(value) is not Tensor:
            break
    else:
        return values  # type: ignore[return-value]  (the common case, checked first for speed)
    for value in values:
        refuse_tensors_in_list(value, caller)
    dtypes = [v.data.dtype for v in values if isinstance(v, Tensor)]
    if not dtypes:
        return None
    # a float tensor decides, else an integer one (not a bool condition beside them)
    like = next((d for d in dtypes if d.kind == "f"), None) or next(
        (d for d in dtypes if d.kind in "iu"), dtypes[0]
    )
    try:
        return tuple(v if isinstance(v, Tensor) else as_tensor(v, like) for v in values)
    except OverflowError as error:  # a Python integer that the tensors' dtype cannot hold
        raise OverflowError(f"{caller}: {error}") from None


def as_tensor(value: TensorLike, like: np.dtype | None = None) -> Tensor:
    """`value` as a Tensor, without copying one that already is."""
    if isinstance(value, Tensor):
        return value
    if (
        isinstance(value, (bool, int, float))
        and like is not None
        and (
            like.kind == "f"
            or (like.kind in "iu" and not isinstance(value, float))
            or (like.kind == "b" and isinstance(value, bool))
        )
    ):
        return Tensor._wrap(np.asarray(value, dtype=like))
    return Tensor(value)


def _as_array(value: Any) -> Any:
    # Python numbers stay as they are: numpy treats them as "weak", so `g * 0.5` keeps g's dtype.
    return value if isinstance(value, (np.ndarray, bool, int, float)) else np.asarray(value)
