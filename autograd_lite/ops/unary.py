"""Elementwise functions of one tensor: Exp Log Sqrt Abs Tanh Sigmoid ReLU Softplus Clip.

Rules reuse the forward's output where that is the textbook form (d/dx e^x = e^x).
Kink conventions: relu'(0) = 0 and abs'(0) = 0, as in PyTorch; clip passes the gradient
at its bounds.
"""

from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor, TensorLike
from .compare import sign


class Exp(Op):
    def forward(self, x):
        return np.exp(x)

    def backward(self, g, out, x):
        """dx = g * exp(x) = g * out"""
        return (g * out,)


class Log(Op):
    def forward(self, x):
        return np.log(x)

    def backward(self, g, out, x):
        """dx = g / x"""
        return (g / x,)


class Sqrt(Op):
    def forward(self, x):
        return np.sqrt(x)

    def backward(self, g, out, x):
        """dx = g / (2 * sqrt(x)) = g / (2 * out)"""
        return (g / (2 * out),)


class Abs(Op):
    def forward(self, x):
        return np.abs(x)

    def backward(self, g, out, x):
        """dx = g * sign(x)        (0 at x = 0)"""
        return (g * sign(x),)


class Tanh(Op):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, g, out, x):
        """dx = g * (1 - out^2)        since d/dx tanh(x) = 1 - tanh(x)^2"""
        return (g * (1 - out * out),)


class Sigmoid(Op):
    def forward(self, x):
        x = as_float(x)  # -|x| of an unsigned integer would wrap around
        # exp of -|x| never overflows; the two branches are the same function
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, g, out, x):
        """dx = g * out * (1 - out)        since s'(x) = s(x) (1 - s(x))"""
        return (g * out * (1 - out),)


class ReLU(Op):
    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, g, out, x):
        """dx = g * (x > 0)        (0 at x = 0)"""
        return (g * (x > 0),)


class Softplus(Op):
    # A primitive rather than relu(x) + log(1 + exp(-|x|)): that composition is stable but
    # its kinks would give softplus'(0) = 0 instead of 1/2.
    def forward(self, x):
        return np.logaddexp(0, x)

    def backward(self, g, out, x):
        """dx = g * sigmoid(x)        since d/dx log(1 + e^x) = 1 / (1 + e^-x)"""
        return (g * sigmoid(x),)


class Clip(Op):
    def __init__(self, lo: float | None, hi: float | None) -> None:
        self.lo, self.hi = lo, hi  # None: no bound (np.clip keeps the dtype then)

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def backward(self, g, out, x):
        """dx = g * (lo <= x <= hi)"""
        lo = -np.inf if self.lo is None else self.lo
        hi = np.inf if self.hi is None else self.hi
        return (g * ((x >= lo) & (x <= hi)),)


def as_float(x: np.ndarray) -> np.ndarray:
    """x in the floating-point type numpy's exp would give it (float16 for bool and uint8,
    float64 for int32 and int64); floating-point x as it is."""
    dtype = np.result_type(x)
    return x if dtype.kind == "f" else np.asarray(x).astype(np.result_type(dtype, np.float16))


def exp(x: TensorLike) -> Tensor:
    """e^x, elementwise."""
    return Exp.apply(x)


def log(x: TensorLike) -> Tensor:
    """Natural logarithm, elementwise."""
    return Log.apply(x)


def sqrt(x: TensorLike) -> Tensor:
    """Square root, elementwise."""
    return Sqrt.apply(x)


def abs(x: TensorLike) -> Tensor:
    """|x|, elementwise."""
    return Abs.apply(x)


def tanh(x: TensorLike) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return Tanh.apply(x)


def sigmoid(x: TensorLike) -> Tensor:
    """1 / (1 + e^-x), elementwise, computed without overflow."""
    return Sigmoid.apply(x)


def relu(x: TensorLike) -> Tensor:
    """max(x, 0), elementwise."""
    return ReLU.apply(x)


def softplus(x: TensorLike) -> Tensor:
    """log(1 + e^x), elementwise, computed without overflow."""
    return Softplus.apply(x)


def clip(x: TensorLike, lo: float | None = None, hi: float | None = None) -> Tensor:
    """x limited to [lo, hi] (either bound may be None), like np.clip."""
    if lo is None and hi is None:
        raise ValueError("clip: give at least one of lo and hi")
    return Clip.apply(x, lo=lo, hi=hi)
