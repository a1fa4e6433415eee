"""Reductions over axes: Sum Max Min LogSumExp (mean and var are built from these).

`axis` is None (all axes), an int or a tuple, and `keepdims` keeps reduced axes as size 1,
as in numpy. A 0-d tensor takes axis 0 or -1 as "no axis" (numpy does so for sum, max and
min, PyTorch for every reduction). Ties of max and min share the gradient evenly among the
tied elements (PyTorch's amax/amin convention).
"""

from __future__ import annotations

import numpy as np

from ..op import Op, OpError
from ..tensor import Axis, Tensor, TensorLike
from .shape import broadcast_to
from .unary import as_float, exp


class Reduction(Op):
    """Shared by the reductions: the axis settings and putting reduced axes back for backward."""

    def __init__(self, axis: Axis, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def describe_failure(self, xs, error):
        return f"{self.name}: cannot reduce shape {xs[0].shape} over axis={self.axis}: {error}"

    def with_reduced_axes(self, t: Tensor, ndim: int) -> Tensor:
        """`t` (shaped like the output) with each reduced axis back as size 1, to broadcast."""
        axes = self.axis  # a sorted tuple: `_reduce` normalized it
        if self.keepdims or axes is None:
            return t  # already kept, or broadcasting adds the leading axes by itself
        if axes == tuple(range(len(axes))):
            return t  # leading axes only: broadcasting adds them too
        shape = list(t.shape)
        for a in sorted(axes):
            shape.insert(a, 1)
        return t.reshape(tuple(shape))


class Sum(Reduction):
    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, out, x):
        """dx = g broadcast back over the summed axes"""
        return (broadcast_to(self.with_reduced_axes(g, x.ndim), x.shape),)


class Extreme(Reduction):
    """What Max and Min share: the gradient goes to the element(s) that were picked."""

    def backward(self, g, out, x):
        """dx = [x = out] * g / (number of elements equal to out)"""
        picked = (x == self.with_reduced_axes(out, x.ndim)).astype(g.dtype)
        ties = picked.sum(axis=self.axis, keepdims=True)
        # divided while output-sized, before the broadcast: one pass over x's size fewer than
        # g * (picked / ties) (the float mask sums faster than numpy sums a bool one)
        return (picked * (self.with_reduced_axes(g, x.ndim) / ties),)


class Max(Extreme):
    def forward(self, x):
        return x.max(axis=self.axis, keepdims=self.keepdims)


class Min(Extreme):
    def forward(self, x):
        return x.min(axis=self.axis, keepdims=self.keepdims)


class LogSumExp(Reduction):
    def forward(self, x):
        x = as_float(x)  # x - max of an unsigned integer would wrap around
        # shift by the max so exp never overflows; an all -inf or empty slice keeps shift 0
        # (result -inf)
        shift = x.max(axis=self.axis, keepdims=True, initial=-np.inf)
        shift = np.where(np.isfinite(shift), shift, 0)
        total = np.exp(x - shift).sum(axis=self.axis, keepdims=True)
        result = np.log(total) + shift
        return result if self.keepdims else result.squeeze(axis=self.axis)

    def backward(self, g, out, x):
        """dx = g * exp(x - out) = g * softmax(x)"""
        return (self.with_reduced_axes(g, x.ndim) * exp(x - self.with_reduced_axes(out, x.ndim)),)


def sum(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Sum over `axis` (all axes by default)."""
    return _reduce(Sum, x, axis, keepdims, "sum")


def max(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Largest element over `axis` (all axes by default); ties share the gradient."""
    return _reduce(Max, x, axis, keepdims, "max")


def min(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Smallest element over `axis` (all axes by default); ties share the gradient."""
    return _reduce(Min, x, axis, keepdims, "min")


def logsumexp(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over `axis`, shifted by the max so it stays finite for large |x|."""
    return _reduce(LogSumExp, x, axis, keepdims, "logsumexp")


def _reduce(op: type[Reduction], x: TensorLike, axis: Axis, keepdims: bool, caller: str):
    if axis is not None:  # checked here, so forward and backward agree on one tuple of axes
        axis = normalize_axes(axis, np.ndim(x.data if isinstance(x, Tensor) else x), caller)
    return op.apply(x, axis=axis, keepdims=keepdims)


def normalize_axes(axis: Axis, ndim: int, caller: str = "reduce") -> tuple[int, ...]:
    """`axis` as a sorted tuple of distinct non-negative axes (None means all). On a 0-d
    tensor, axis 0 or -1 means no axis, as numpy's sum and PyTorch's reductions take it."""
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, first
        return (axis % ndim,)
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if ndim == 0 and all(isinstance(a, (int, np.integer)) and a in (0, -1) for a in axes):
        return ()
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{caller}: axis must be an integer or a tuple of them, got {axis!r}")
        if not -ndim <= a < ndim:
            raise OpError(f"{caller}: axis {a} is out of range for a tensor with {ndim} dimensions")
    normalized = tuple(sorted(int(a) % ndim for a in axes))
    if len(set(normalized)) != len(normalized):
        raise OpError(f"{caller}: axis {axis!r} names an axis twice")
    return normalized
