"""Reductions over axes: Sum Max LogSumExp (mean, var, min are built from these).

`axis` is None (all axes), an int or a tuple, and `keepdims` keeps reduced axes as size 1,
as in numpy. Max's ties share the gradient evenly among the tied elements.
"""

from __future__ import annotations

import numpy as np

from ..op import Op, tensor_method
from ..tensor import Tensor, TensorLike
from .shape import broadcast_to
from .unary import exp

Axis = int | tuple[int, ...] | None


class Reduction(Op):
    """Shared by the reductions: the axis settings and putting reduced axes back for backward."""

    def __init__(self, axis: Axis, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def describe_failure(self, xs, error):
        return f"{self.name}: cannot reduce shape {xs[0].shape} over axis={self.axis}: {error}"

    def with_reduced_axes(self, t: Tensor, ndim: int) -> Tensor:
        """`t` (shaped like the output) with each reduced axis back as size 1, ready to broadcast."""
        if self.keepdims or self.axis is None:
            return t  # already kept, or broadcasting adds the leading axes by itself
        axes = normalize_axes(self.axis, ndim)
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


class Max(Reduction):
    def forward(self, x):
        return x.max(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, out, x):
        """dx = g * [x = max] / (number of elements equal to the max)"""
        is_max = (x == self.with_reduced_axes(out, x.ndim)).astype(g.dtype)
        share = is_max / is_max.sum(axis=self.axis, keepdims=True)
        return (self.with_reduced_axes(g, x.ndim) * share,)


class LogSumExp(Reduction):
    def forward(self, x):
        # shift by the max so exp never overflows; an all -inf slice keeps shift 0 (result -inf)
        shift = x.max(axis=self.axis, keepdims=True)
        shift = np.where(np.isfinite(shift), shift, 0)
        total = np.exp(x - shift).sum(axis=self.axis, keepdims=True)
        result = np.log(total) + shift
        return result if self.keepdims else result.squeeze(axis=self.axis)

    def backward(self, g, out, x):
        """dx = g * exp(x - out) = g * softmax(x)"""
        return (self.with_reduced_axes(g, x.ndim) * exp(x - self.with_reduced_axes(out, x.ndim)),)


@tensor_method
def sum(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Sum over `axis` (all axes by default)."""
    return Sum.apply(x, axis=axis, keepdims=keepdims)


@tensor_method
def max(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Largest element over `axis` (all axes by default); ties share the gradient."""
    return Max.apply(x, axis=axis, keepdims=keepdims)


@tensor_method
def logsumexp(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over `axis`, shifted by the max so it stays finite for large |x|."""
    return LogSumExp.apply(x, axis=axis, keepdims=keepdims)


def normalize_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """`axis` as a sorted tuple of non-negative axes (None means all)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
    return tuple(sorted(a % ndim for a in axes))
