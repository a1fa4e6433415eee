"""The base of every differentiable primitive, and the helpers that turn functions into methods."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
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
        for x in inputs:  # all Tensors (the common case, checked first), or not?
            if type(x) is not Tensor:
                if _all_numpy(inputs):  # a rule running on arrays: numpy in, numpy out
                    return op.run_forward(inputs)
                xs = as_tensors(inputs, op.name)
                if xs is None:  # no Tensor at all: numpy in, numpy out
                    return op.run_forward([_as_array(v) for v in inputs])
                break
        else:
            xs = inputs
        # Speed (issue 9): this runs once per op, and a list comprehension or a method call
        # costs about as much as the numpy work of a small op, so the usual one- and
        # two-input ops get their arrays and flags directly (as their rules in `Tape.backward`).
        try:
            if len(xs) == 2:
                a, b = xs
                data = op.forward(a.data, b.data)
                needs_input_grad = (a.requires_grad, b.requires_grad)
            elif len(xs) == 1:
                (a,) = xs
                data = op.forward(a.data)
                needs_input_grad = (a.requires_grad,)
            else:
                data = op.forward(*[x.data for x in xs])
                needs_input_grad = tuple([x.requires_grad for x in xs])
        except (ValueError, IndexError, TypeError) as error:
            raise op.refusal([x.data for x in xs], error) from None
        if type(data) is not np.ndarray:
            data = np.asarray(data)  # numpy reductions return scalars; keep everything an array
        out = Tensor._wrap(data)
        recorder = engine.recorder  # ag.trace keeps also the ops on data needing no grad
        if engine._grad_enabled and (True in needs_input_grad or recorder is not None):
            out.requires_grad = op.differentiable and True in needs_input_grad
            op.needs_input_grad = needs_input_grad
            op.clock = engine._in_place_changes
            out.op = op
            out.parents = xs
            if recorder is not None:
                recorder.note_op(out)
        return out

    def run_forward(self, arrays: Sequence[Any]) -> np.ndarray:
        """`forward(*arrays)` as an array (for inputs that are no Tensors)."""
        try:
            data = self.forward(*arrays)
        except (ValueError, IndexError, TypeError) as error:
            raise self.refusal(arrays, error) from None
        return data if type(data) is np.ndarray else np.asarray(data)

    def refusal(self, arrays: Sequence[Any], error: Exception) -> OpError:
        """numpy's refusal to run the forward on `arrays`, as an error naming the op."""
        return OpError(self.describe_failure(tuple(np.asarray(a) for a in arrays), error))


class BinaryOp(Op):
    """Shared error message for elementwise ops of two broadcast operands."""

    def describe_failure(self, xs: tuple[np.ndarray, ...], error: Exception) -> str:
        a, b = xs
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            return (
                f"{self.name}: shapes {a.shape} and {b.shape} cannot be broadcast together"
                f"{_broadcast_hint(a.shape, b.shape)}"
            )
        return f"{self.name}: cannot combine {a.dtype} {a.shape} and {b.dtype} {b.shape}: {error}"


def _broadcast_hint(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    """The likely fix when a vector with one value per row meets a matrix: its own axis."""
    for name, vector, other in (("b", b, a), ("a", a, b)):
        if len(vector) == 1 and len(other) >= 2 and vector[0] == other[-2]:
            return (
                f"; for one value per row give it its own axis: {name}.reshape(-1, 1), or "
                "keepdims=True in the sum/mean/max that made it"
            )
    return ""


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


def _all_numpy(values: tuple[Any, ...]) -> bool:
    """Whether every value is a numpy array or a Python number (nothing to convert)."""
    for value in values:
        if type(value) not in _NUMPY_TYPES:
            return False
    return True


_NUMPY_TYPES = (np.ndarray, bool, int, float)


def _as_array(value: Any) -> Any:
    # Python numbers stay as they are: numpy treats them as "weak", so `g * 0.5` keeps g's dtype.
    return value if isinstance(value, _NUMPY_TYPES) else np.asarray(value)
