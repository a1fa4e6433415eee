"""Matrix product: MatMul, with numpy's rules for 1-D operands and batch axes."""

from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor, TensorLike


class MatMul(Op):
    def forward(self, a, b):
        return a @ b

    def describe_failure(self, xs, error):
        a, b = xs
        prefix = f"matmul: {a.shape} @ {b.shape}"
        if a.ndim == 0 or b.ndim == 0:
            return f"{prefix}: both operands need at least one dimension"
        inner_a, inner_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
        if inner_a != inner_b:
            return f"{prefix}: inner dimensions {inner_a} and {inner_b} differ{_hint(a, b)}"
        return f"{prefix}: batch dimensions {a.shape[:-2]} and {b.shape[:-2]} cannot be broadcast"

    def backward(self, g, out, a, b):
        """dA = G @ B.T,  dB = A.T @ G"""
        da_needed, db_needed = self.needs_input_grad
        if a.ndim >= 2 and b.ndim >= 2:
            return (g @ b.mT if da_needed else None, a.mT @ g if db_needed else None)
        # a 1-D operand acts as a row (on the left) or a column (on the right)
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        g2 = g.reshape(batch + (a2.shape[-2], b2.shape[-1]))
        da = db = None
        if da_needed:
            da = g2 @ b2.mT
            da = da.reshape(da.shape[:-2] + a.shape) if a.ndim == 1 else da
        if db_needed:
            db = a2.mT @ g2
            db = db.reshape(db.shape[:-2] + b.shape) if b.ndim == 1 else db
        return da, db


def _hint(a: np.ndarray, b: np.ndarray) -> str:
    """The likely fix of a matmul whose inner dimensions differ, when one transpose or
    reshape makes them agree: `W.T` for a kernel stored (out, in), `a.T`, a column vector."""
    if a.ndim == 1 and b.ndim >= 2 and b.shape[-2] == 1:
        return "; did you mean a.reshape(-1, 1) @ b (a as a column)?"
    if a.ndim >= 2 and b.ndim >= 2:
        if a.shape[-1] == b.shape[-1]:
            return f"; did you mean a @ {_transposed('b', b)}, {a.shape} @ {_swapped(b)}?"
        if a.shape[-2] == b.shape[-2]:
            return f"; did you mean {_transposed('a', a)} @ b, {_swapped(a)} @ {b.shape}?"
    if a.ndim >= 2 and b.ndim == 1 and a.shape[-2] == b.shape[0]:
        return "; did you mean a.T @ b?"
    return ""


def _transposed(name: str, x: np.ndarray) -> str:
    return f"{name}.T" if x.ndim == 2 else f"{name}.mT"  # .T reverses every axis of a stack


def _swapped(x: np.ndarray) -> tuple[int, ...]:
    return x.shape[:-2] + (x.shape[-1], x.shape[-2])


def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """Matrix product a @ b (np.matmul rules: 1-D operands, broadcast batch axes)."""
    return MatMul.apply(a, b)
