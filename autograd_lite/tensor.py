"""The Tensor: a numpy array that remembers which op made it, so gradients can flow back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Union

import numpy as np

from . import engine

TensorLike = Union["Tensor", np.ndarray, np.generic, float, int, bool, Sequence]
Axis = int | tuple[int, ...] | None


class Tensor:
    """A numpy array plus what reverse-mode autodiff needs: `grad`, `requires_grad`, `op`,
    `parents`.

    Python numbers and lists become float32 (the deep-learning default); numpy arrays keep
    their dtype; `dtype=` overrides both. Only floating-point tensors can require grad.

    >>> import autograd_lite as ag
    >>> x = ag.Tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([[ 2., -4.],
           [ 6.,  1.]], dtype=float32)
    """

    __slots__ = (
        "__weakref__",
        "data",
        "grad",
        "grad_version",  # the version the tensor had when `.grad` was last filled (engine.py)
        "name",
        "op",
        "parents",
        "requires_grad",
        "scope",
        "version",
    )
    __array_ufunc__ = None  # numpy defers `ndarray + Tensor` to Tensor.__radd__
    __hash__ = object.__hash__  # `==` is elementwise, so hash by identity like PyTorch

    def __init__(
        self,
        data: TensorLike,
        requires_grad: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        self.data = _to_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad = False
        self.op = None
        self.parents: tuple[Tensor, ...] = ()
        self.name = name
        self.scope = engine.current_scope()
        self.version = 0
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Tensor: requires_grad must be True or False, got {requires_grad!r}")
        if requires_grad:
            self.requires_grad_()

    @classmethod
    def _wrap(cls, data: np.ndarray) -> Tensor:
        """A graph-free tensor around an array that is already right (the fast path for ops)."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t.requires_grad = False
        t.op = None
        t.parents = ()
        t.name = None
        t.scope = engine.current_scope()
        t.version = 0
        return t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark this leaf as a parameter whose gradient `backward` should fill in."""
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(
                f"requires_grad_: requires_grad must be True or False, got {requires_grad!r}"
            )
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating-point tensors can require grad, got dtype {self.data.dtype}"
                " (pass dtype=np.float32 or float64)"
            )
        self.requires_grad = bool(requires_grad)
        return self

    # --- numpy-like attributes -------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def grad_fn(self):
        """The op that made this tensor (None for leaves); same as `.op`."""
        return self.op

    @property
    def is_leaf(self) -> bool:
        return self.op is None

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def item(self) -> float | int | bool:
        note_value_read("item()")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        note_value_read("numpy()")
        return self.data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        note_value_read("np.asarray()")
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __float__(self) -> float:
        note_value_read("float()")
        return float(self.data)

    def __int__(self) -> int:
        note_value_read("int()")
        return int(self.data)

    def __bool__(self) -> bool:
        note_value_read("bool() (an `if` on a tensor)")
        return bool(self.data)

    def detach(self) -> Tensor:
        """The same values, cut from the graph (shares the array)."""
        return Tensor._wrap(self.data)

    def zeros_like(self) -> Tensor:
        return Tensor._wrap(np.zeros_like(self.data))

    # --- changing values in place (Keras's Variable.assign) --------------------------------

    def assign(self, value: TensorLike) -> Tensor:
        """Overwrite the values in place with `value` (broadcast to this shape, cast to this
        dtype); nothing is recorded. Also `assign_add(delta)` and `assign_sub(delta)`.

        Each change moves `version` on, so a backward through a graph whose forward read the
        old values refuses to run instead of returning wrong gradients (as PyTorch does).
        Editing `.data` directly is not tracked (PyTorch's `.data` is not either).

        >>> import autograd_lite as ag
        >>> w = ag.Tensor([1.0, 2.0], requires_grad=True)
        >>> w.assign_sub([0.5, 0.5]).data
        array([0.5, 1.5], dtype=float32)
        """
        return self._change_in_place(np.copyto, value, "assign")

    def assign_add(self, delta: TensorLike) -> Tensor:
        """self += delta, in place (see `assign`)."""
        return self._change_in_place(np.add, delta, "assign_add")

    def assign_sub(self, delta: TensorLike) -> Tensor:
        """self -= delta, in place (see `assign`)."""
        return self._change_in_place(np.subtract, delta, "assign_sub")

    def _change_in_place(self, how: Any, value: TensorLike, caller: str) -> Tensor:
        array = value.data if isinstance(value, Tensor) else value
        try:
            if how is np.copyto:
                np.copyto(self.data, array, casting="same_kind")
            else:
                how(self.data, array, out=self.data, casting="same_kind")
        except (TypeError, ValueError) as error:
            shown = np.asarray(array)
            raise ValueError(
                f"{caller}: cannot write {shown.dtype} values of shape {shown.shape} into a "
                f"{self.dtype} tensor of shape {self.shape}: {error}"
            ) from None
        self.version = engine.next_version()
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError(
            "Tensor does not support item assignment (it would rewrite recorded history); "
            "build a new tensor with ag.where, or edit .data of a leaf inside ag.no_grad()"
        )

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extras = []
        if self.data.dtype not in (np.float32, np.bool_, np.int64):
            extras.append(f"dtype={self.data.dtype}")
        if self.op is not None:
            extras.append(f"grad_fn={self.op!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        return f"Tensor({', '.join([body, *extras])})"

    # --- operations ------------------------------------------------------------------------
    # What a Tensor can do, listed where a reader and an editor see it. Each method is one
    # line handing over to its op's `apply` (the operators, the hot path) or to the function
    # of the same name in `ag` (ops/ and functional.py), where the work and the rule live.
    # tests/autograd_lite/test_exports.py checks that methods and `ag` functions match.

    def __add__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Add.apply(self, other)

    def __radd__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Add.apply(other, self)

    def __sub__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Sub.apply(self, other)

    def __rsub__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Sub.apply(other, self)

    def __mul__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Mul.apply(self, other)

    def __rmul__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Mul.apply(other, self)

    def __truediv__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Div.apply(self, other)

    def __rtruediv__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Div.apply(other, self)

    def __pow__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Pow.apply(self, other)

    def __rpow__(self, other: TensorLike) -> Tensor:
        return _ops.arithmetic.Pow.apply(other, self)

    def __matmul__(self, other: TensorLike) -> Tensor:
        return _ops.linalg.MatMul.apply(self, other)

    def __rmatmul__(self, other: TensorLike) -> Tensor:
        return _ops.linalg.MatMul.apply(other, self)

    def __neg__(self) -> Tensor:
        return _ops.arithmetic.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    def __lt__(self, other: TensorLike) -> Tensor:
        return _ops.less(self, other)

    def __le__(self, other: TensorLike) -> Tensor:
        return _ops.less_equal(self, other)

    def __gt__(self, other: TensorLike) -> Tensor:
        return _ops.greater(self, other)

    def __ge__(self, other: TensorLike) -> Tensor:
        return _ops.greater_equal(self, other)

    def __eq__(self, other: TensorLike) -> Tensor:  # type: ignore[override]  (elementwise)
        return _ops.equal(self, other)

    def __ne__(self, other: TensorLike) -> Tensor:  # type: ignore[override]  (elementwise)
        return _ops.not_equal(self, other)

    def __and__(self, other: TensorLike) -> Tensor:
        return _ops.bitwise_and(self, other)

    def __rand__(self, other: TensorLike) -> Tensor:
        return _ops.bitwise_and(other, self)

    def __or__(self, other: TensorLike) -> Tensor:
        return _ops.bitwise_or(self, other)

    def __ror__(self, other: TensorLike) -> Tensor:
        return _ops.bitwise_or(other, self)

    def __invert__(self) -> Tensor:
        return _ops.invert(self)

    @property
    def T(self) -> Tensor:
        """All axes reversed, as ndarray.T."""
        return _ops.transpose(self)

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of matrices transposed), as ndarray.mT."""
        return _ops.transpose(self, (*range(self.ndim - 2), self.ndim - 1, self.ndim - 2))

    # arithmetic (ops/arithmetic.py, ops/linalg.py, ops/select.py)
    def add(self, other: TensorLike) -> Tensor:
        return _ops.add(self, other)

    def sub(self, other: TensorLike) -> Tensor:
        return _ops.sub(self, other)

    def mul(self, other: TensorLike) -> Tensor:
        return _ops.mul(self, other)

    def div(self, other: TensorLike) -> Tensor:
        return _ops.div(self, other)

    def pow(self, other: TensorLike) -> Tensor:
        return _ops.pow(self, other)

    def neg(self) -> Tensor:
        return _ops.neg(self)

    def matmul(self, other: TensorLike) -> Tensor:
        return _ops.matmul(self, other)

    def maximum(self, other: TensorLike) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other: TensorLike) -> Tensor:
        return _ops.minimum(self, other)

    # elementwise functions (ops/unary.py, functional.py)
    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def abs(self) -> Tensor:
        return _ops.abs(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def softplus(self) -> Tensor:
        return _ops.softplus(self)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        return _ops.clip(self, lo, hi)

    def leaky_relu(self, negative_slope: float = 0.2) -> Tensor:
        return _functional.leaky_relu(self, negative_slope)

    def silu(self) -> Tensor:
        return _functional.silu(self)

    def swish(self) -> Tensor:
        return _functional.swish(self)

    def softmax(self, axis: int = -1) -> Tensor:
        return _functional.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return _functional.log_softmax(self, axis)

    # reductions (ops/reduce.py, functional.py)
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _ops.sum(self, axis, keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _ops.max(self, axis, keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _ops.min(self, axis, keepdims)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _ops.logsumexp(self, axis, keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _functional.mean(self, axis, keepdims)

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        return _functional.var(self, axis, keepdims, ddof)

    # shapes (ops/shape.py, functional.py)
    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        return _ops.reshape(self, *shape)

    def transpose(self, *axes: int | Sequence[int]) -> Tensor:
        return _ops.transpose(self, *axes)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return _ops.broadcast_to(self, shape)

    def sum_to_shape(self, shape: Sequence[int]) -> Tensor:
        return _ops.sum_to_shape(self, shape)

    def astype(self, dtype: Any) -> Tensor:
        return _ops.astype(self, dtype)

    def pad(self, widths: Sequence[tuple[int, int]]) -> Tensor:
        return _ops.pad(self, widths)

    def sliding_windows(
        self,
        size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        axis: int | Sequence[int] = -1,
        dilation: int | Sequence[int] = 1,
    ) -> Tensor:
        return _ops.sliding_windows(self, size, stride, axis, dilation)

    def flatten(self, start_axis: int = 0) -> Tensor:
        return _functional.flatten(self, start_axis)

    def squeeze(self, axis: Axis = None) -> Tensor:
        return _functional.squeeze(self, axis)

    def expand_dims(self, axis: int) -> Tensor:
        return _functional.expand_dims(self, axis)

    # comparisons, logic and indices: no gradient (ops/compare.py)
    def less(self, other: TensorLike) -> Tensor:
        return _ops.less(self, other)

    def less_equal(self, other: TensorLike) -> Tensor:
        return _ops.less_equal(self, other)

    def greater(self, other: TensorLike) -> Tensor:
        return _ops.greater(self, other)

    def greater_equal(self, other: TensorLike) -> Tensor:
        return _ops.greater_equal(self, other)

    def equal(self, other: TensorLike) -> Tensor:
        return _ops.equal(self, other)

    def not_equal(self, other: TensorLike) -> Tensor:
        return _ops.not_equal(self, other)

    def logical_and(self, other: TensorLike) -> Tensor:
        return _ops.logical_and(self, other)

    def logical_or(self, other: TensorLike) -> Tensor:
        return _ops.logical_or(self, other)

    def logical_not(self) -> Tensor:
        return _ops.logical_not(self)

    def bitwise_and(self, other: TensorLike) -> Tensor:
        return _ops.bitwise_and(self, other)

    def bitwise_or(self, other: TensorLike) -> Tensor:
        return _ops.bitwise_or(self, other)

    def invert(self) -> Tensor:
        return _ops.invert(self)

    def sign(self) -> Tensor:
        return _ops.sign(self)

    def isfinite(self) -> Tensor:
        return _ops.isfinite(self)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return _ops.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return _ops.argmin(self, axis=axis, keepdims=keepdims)

    def stop_gradient(self) -> Tensor:
        return _ops.stop_gradient(self)

    # --- backpropagation -------------------------------------------------------------------

    def backward(self, grad: TensorLike | None = None) -> None:
        """Add d(self)/d(leaf) into the `.grad` of every leaf that requires grad.

        `grad` is d(loss)/d(self); it may be omitted when self has one element (it is then 1).
        Gradients accumulate across calls: reset them with `x.grad = None`. The work is
        `engine.backward`'s: it walks the graph behind self as a `Tape`.
        """
        engine.backward(self, grad)


def note_value_read(how: str) -> None:
    """The Tensor's one hook for `ag.trace`: while it records, a value read into Python (`how`,
    e.g. "float()") may steer what the function does, so the recording cannot be replayed."""
    recorder = engine.recorder
    if recorder is not None:
        recorder.note_value_read(how)


def refuse_tensors_in_list(value: Any, caller: str) -> None:
    """A list or tuple holding tensors that require grad cannot become one array: the array
    would keep their values and drop them from the graph (their gradients would be lost)."""
    if isinstance(value, (list, tuple)) and _holds_graph(value):
        raise TypeError(
            f"{caller}: got a {type(value).__name__} holding Tensors that require grad; turning "
            "it into an array would cut them from the graph. Combine them first with "
            "ag.stack([...]) or ag.concatenate([...])"
        )


def _holds_graph(value: Any) -> bool:
    if isinstance(value, Tensor):
        return value.requires_grad
    return isinstance(value, (list, tuple)) and any(_holds_graph(v) for v in value)


def _to_array(data: TensorLike, dtype: Any) -> np.ndarray:
    """Copy `data` into a fresh numeric array following the dtype rules in `Tensor`'s docstring."""
    if isinstance(data, Tensor):
        data = data.data
    refuse_tensors_in_list(data, "Tensor")
    python_data = not isinstance(data, (np.ndarray, np.generic))
    try:
        array = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as error:
        raise TypeError(f"Tensor: cannot make a numeric array from {type(data).__name__}: {error}")
    huge_ints = array.dtype == object and all(type(v) is int for v in array.flat)
    if python_data and dtype is None and huge_ints:  # beyond int64 (2**70): as the floats
        array = array.astype(np.float64)  # that Python numbers become anyway
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor: data must be numeric (bool, int or float), got dtype {array.dtype}"
            f" from {type(data).__name__}"
        )
    if python_data and dtype is None and array.dtype.kind in "iuf":
        array = array.astype(np.float32)
    return array


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares `array`'s memory (no copy, dtype kept), like torch.from_numpy."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: array must be numeric, got dtype {array.dtype}")
    return Tensor._wrap(array)


# The ops and functions the methods hand over to import this module (for Tensor), so they are
# imported here, once Tensor exists; the package imports this module before any op.
from . import functional as _functional
from . import ops as _ops
