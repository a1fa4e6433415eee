"""Ops that pick values: Maximum Minimum Where GetItem, and IndexAdd (GetItem's adjoint).

Convention: where maximum's or minimum's operands tie, each gets half of the gradient (as in
PyTorch).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..op import BinaryOp, Op
from ..tensor import Tensor, TensorLike


class PickOfTwo(BinaryOp):
    """What Maximum and Minimum share: the gradient goes to the operand that was picked."""

    @staticmethod
    def beats(a, b):
        raise NotImplementedError

    def backward(self, g, out, a, b):
        """da = g * [a picked] + g/2 * [a = b],  db = g * [b picked] + g/2 * [a = b]"""
        da_needed, db_needed = self.needs_input_grad
        shared = g * 0.5 * (a == b)
        da = g * self.beats(a, b) + shared if da_needed else None
        db = g * self.beats(b, a) + shared if db_needed else None
        return da, db


class Maximum(PickOfTwo):
    def forward(self, a, b):
        return np.maximum(a, b)

    @staticmethod
    def beats(a, b):
        return a > b


class Minimum(PickOfTwo):
    def forward(self, a, b):
        return np.minimum(a, b)

    @staticmethod
    def beats(a, b):
        return a < b


class Where(Op):
    def forward(self, condition, a, b):
        return np.where(condition, a, b)

    def describe_failure(self, xs, error):
        shapes = " and ".join(str(x.shape) for x in xs)
        return f"where: condition, a and b have shapes {shapes}, which cannot be broadcast together"

    def backward(self, g, out, condition, a, b):
        """da = where(condition, g, 0),  db = where(condition, 0, g)"""
        return None, where(condition, g, 0.0), where(condition, 0.0, g)


class GetItem(Op):
    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x):
        return x[self.index]

    def describe_failure(self, xs, error):
        return f"getitem: index {_show(self.index)} does not fit shape {xs[0].shape}: {error}"

    def backward(self, g, out, x):
        """dx = zeros like x, with g added at [index] (repeated indices add up)"""
        return (IndexAdd.apply(g, index=_integer_index(self.index), shape=x.shape),)


class IndexAdd(Op):
    """zeros(shape) with the input added at [index]: the adjoint of x[index]."""

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index, self.shape = index, shape

    def forward(self, g):
        result = np.zeros(self.shape, dtype=g.dtype)
        if _is_basic(self.index):
            result[self.index] = g  # slices and integers never pick an element twice
        else:
            np.add.at(result, self.index, g)  # `result[index] += g` would drop repeats
        return result

    def backward(self, g, out, x):
        """dx = g[index]"""
        return (g[self.index],)


def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    """The larger of a and b, elementwise with broadcasting (np.maximum)."""
    return Maximum.apply(a, b)


def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    """The smaller of a and b, elementwise with broadcasting (np.minimum)."""
    return Minimum.apply(a, b)


def where(condition: TensorLike, a: TensorLike, b: TensorLike) -> Tensor:
    """a where condition is true, else b, elementwise with broadcasting (np.where)."""
    if isinstance(condition, Tensor) and condition.dtype != np.bool_:
        condition = condition.astype(bool)  # as np.where reads it; and so that the
        # condition's dtype does not decide the dtype of a Python number among a and b
    return Where.apply(condition, a, b)


def getitem(x: TensorLike, index: Any) -> Tensor:
    """x[index]: basic slicing and integer-array (fancy) indexing, as in numpy."""
    return GetItem.apply(x, index=_plain_index(index))


def _plain_index(index: Any) -> Any:
    """Tensors and lists inside an index become numpy arrays (numpy checks them in forward)."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        array = np.asarray(index)
        return array.astype(np.intp) if array.size == 0 else array  # x[[]], as numpy
    return index


def _integer_index(index: Any) -> Any:
    """Boolean masks as the integer arrays they select (np.add.at takes only those)."""
    if isinstance(index, tuple):
        parts = [_integer_index(i) for i in index]
        return tuple(p for part in parts for p in (part if isinstance(part, tuple) else (part,)))
    if isinstance(index, np.ndarray) and index.dtype == bool:
        return np.nonzero(index) if index.ndim > 1 else np.nonzero(index)[0]
    return index


def _is_basic(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(i, (np.ndarray, tuple)) for i in parts)


def _show(index: Any) -> str:
    text = repr(index)
    return text if len(text) < 80 else text[:77] + "..."
