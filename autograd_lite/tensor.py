"""The Tensor: a numpy array that remembers which op made it, so gradients can flow back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Union

import numpy as np

from . import engine

TensorLike = Union["Tensor", np.ndarray, np.generic, float, int, bool, Sequence]


class Tensor:
    """A numpy array plus what reverse-mode autodiff needs: `grad`, `requires_grad`, `op`, `parents`.

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
        "__weakref__", "data", "grad", "name", "op", "parents", "requires_grad", "scope", "version"
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
