"""Elementwise arithmetic: Add Sub Mul Div Neg Pow, and the Python operators wired to them.

Every rule here is plain calculus on the broadcast shapes; the engine sums each gradient
back down to its input's shape afterwards, so no rule has to think about broadcasting.
"""

from __future__ import annotations

import numpy as np

from ..op import BinaryOp, Op
from ..tensor import Tensor, TensorLike
from .select import where
from .unary import log


class Add(BinaryOp):
    def forward(self, a, b):
        return a + b

    def backward(self, g, out, a, b):
        """da = g,  db = g"""
        return g, g


class Sub(BinaryOp):
    def forward(self, a, b):
        return a - b

    def backward(self, g, out, a, b):
        """da = g,  db = -g"""
        return g, -g


class Mul(BinaryOp):
    def forward(self, a, b):
        return a * b

    def backward(self, g, out, a, b):
        """da = g * b,  db = g * a"""
        da_needed, db_needed = self.needs_input_grad
        return (g * b if da_needed else None, g * a if db_needed else None)


class Div(BinaryOp):
    def forward(self, a, b):
        return a / b

    def backward(self, g, out, a, b):
        """da = g / b,  db = -g * a / b^2 = -g * out / b"""
        da_needed, db_needed = self.needs_input_grad
        da = g / b if da_needed else None
        db = -g * out / b if db_needed else None
        return da, db


class Pow(BinaryOp):
    # Limits as in PyTorch: d/da a^0 = 0 even at a = 0 (not 0 * 0^-1 = NaN), and
    # d/db 0^b = 0 for b >= 0 (not 0 * log 0 = NaN); 0^b for b < 0 keeps -inf.
    def forward(self, a, b):
        return a**b

    def backward(self, g, out, a, b):
        """da = g * b * a^(b-1)  (0 where b = 0),  db = g * out * log(a)  (0 where a = 0, b >= 0)"""
        da_needed, db_needed = self.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):  # the masked-out entries may warn
            da = g * where(b == 0, 0.0, b * a ** (b - 1)) if da_needed else None
            db = g * where((a == 0) & (b >= 0), 0.0, out * log(a)) if db_needed else None
        return da, db


class Neg(Op):
    def forward(self, x):
        return -x

    def backward(self, g, out, x):
        """dx = -g"""
        return (-g,)


def add(a: TensorLike, b: TensorLike) -> Tensor:
    """a + b, elementwise with numpy broadcasting."""
    return Add.apply(a, b)


def sub(a: TensorLike, b: TensorLike) -> Tensor:
    """a - b, elementwise with numpy broadcasting."""
    return Sub.apply(a, b)


def mul(a: TensorLike, b: TensorLike) -> Tensor:
    """a * b, elementwise with numpy broadcasting."""
    return Mul.apply(a, b)


def div(a: TensorLike, b: TensorLike) -> Tensor:
    """a / b, elementwise with numpy broadcasting."""
    return Div.apply(a, b)


def pow(a: TensorLike, b: TensorLike) -> Tensor:
    """a ** b, elementwise with numpy broadcasting."""
    return Pow.apply(a, b)


def neg(x: TensorLike) -> Tensor:
    """-x."""
    return Neg.apply(x)


# The Python operators. The reflected forms (`2 - x` calls `x.__rsub__(2)`) swap the operands.
