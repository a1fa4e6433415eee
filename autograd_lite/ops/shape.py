"""Ops that move elements without changing them: Reshape Transpose BroadcastTo Concatenate Cast
Pad SlidingWindows (and OverlapAdd, the adjoint of SlidingWindows).

`sum_to_shape` lives here too: the adjoint of broadcasting, which the engine applies to
every gradient whose shape differs from its input's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import engine
from ..op import Op
from ..tensor import Tensor, TensorLike, note_value_read


class Reshape(Op):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def describe_failure(self, xs, error):
        return f"reshape: cannot reshape {xs[0].shape} ({xs[0].size} elements) to {self.shape}"

    def backward(self, g, out, x):
        """dx = g reshaped back to x.shape"""
        return (g.reshape(x.shape),)


class Transpose(Op):
    def __init__(self, axes: tuple[int, ...] | None) -> None:
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def describe_failure(self, xs, error):
        return f"transpose: axes {self.axes} do not fit shape {xs[0].shape}: {error}"

    def backward(self, g, out, x):
        """dx = g with the permutation undone"""
        inverse = None if self.axes is None else tuple(np.argsort(self.axes))
        return (g.transpose(inverse),)


class BroadcastTo(Op):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        # a filled copy rather than np.broadcast_to's read-only view: as fast for the small
        # arrays of a training step (np.broadcast_to costs microseconds of argument checks)
        result = np.empty(self.shape, dtype=x.dtype)
        result[...] = x
        return result

    def describe_failure(self, xs, error):
        return f"broadcast_to: cannot broadcast shape {xs[0].shape} to {self.shape}"

    def backward(self, g, out, x):
        """dx = g summed over the broadcast axes (sum_to_shape)"""
        return (engine.sum_to_shape(g, x.shape),)


class Concatenate(Op):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.axis)

    def describe_failure(self, xs, error):
        shapes = ", ".join(str(x.shape) for x in xs)
        return f"concatenate: shapes {shapes} do not line up outside axis {self.axis}: {error}"

    def backward(self, g, out, *xs):
        """dx_i = the slice of g that x_i filled"""
        axis = self.axis % g.ndim
        ends = np.cumsum([x.shape[axis] for x in xs])
        lead = (slice(None),) * axis
        return tuple(g[lead + (slice(end - x.shape[axis], end),)] for x, end in zip(xs, ends))


class Pad(Op):
    def __init__(self, widths: tuple[tuple[int, int], ...]) -> None:
        self.widths = widths

    def forward(self, x):
        return np.pad(x, self.widths)

    def describe_failure(self, xs, error):
        return f"pad: widths {self.widths} do not fit shape {xs[0].shape}: {error}"

    def backward(self, g, out, x):
        """dx = g without the padding"""
        return (g[tuple(slice(before, before + n) for (before, _), n in zip(self.widths, x.shape))],)


class SlidingWindows(Op):
    def __init__(self, size: int, stride: int, axis: int) -> None:
        self.size, self.stride, self.axis = size, stride, axis

    def forward(self, x):
        windows = np.lib.stride_tricks.sliding_window_view(x, self.size, axis=self.axis)
        return windows[(slice(None),) * self.axis + (slice(None, None, self.stride),)]

    def describe_failure(self, xs, error):
        return (
            f"sliding_windows: windows of {self.size} along axis {self.axis} do not fit "
            f"shape {xs[0].shape}: {error}"
        )

    def backward(self, g, out, x):
        """dx = each window's gradient added back where the window came from (overlaps add up)"""
        length = x.shape[self.axis]
        return (OverlapAdd.apply(g, size=self.size, stride=self.stride, axis=self.axis, length=length),)


class OverlapAdd(Op):
    """Windows (the last axis) added back into a sequence of `length` along `axis`: the
    adjoint of SlidingWindows."""

    def __init__(self, size: int, stride: int, axis: int, length: int) -> None:
        self.size, self.stride, self.axis, self.length = size, stride, axis, length

    def forward(self, windows):
        by_window = np.moveaxis(windows, self.axis, -2)  # (..., windows, size)
        count = by_window.shape[-2]
        result = np.zeros(by_window.shape[:-2] + (self.length,), dtype=windows.dtype)
        for k in range(self.size):  # element k of window i lands at i * stride + k
            result[..., k : k + self.stride * (count - 1) + 1 : self.stride] += by_window[..., k]
        return np.moveaxis(result, -1, self.axis)

    def backward(self, g, out, windows):
        """dwindows = sliding_windows(g)"""
        return (SlidingWindows.apply(g, size=self.size, stride=self.stride, axis=self.axis),)


class Cast(Op):
    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, g, out, x):
        """dx = g cast back to x.dtype"""
        return (g.astype(x.dtype),)


def reshape(x: TensorLike, *shape: int | Sequence[int]) -> Tensor:
    """The same elements in a new shape; `x.reshape(2, 3)` and `x.reshape((2, 3))` both work."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    return Reshape.apply(x, shape=tuple(int(n) for n in shape))


def transpose(x: TensorLike, *axes: int | Sequence[int]) -> Tensor:
    """Permute the axes (reverse them when none are given), like np.transpose."""
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        axes = axes[0]
    if axes:
        ndim = np.ndim(x.data if isinstance(x, Tensor) else x)
        axes = tuple(a % ndim if -ndim <= a < ndim else a for a in axes)  # backward inverts these
    return Transpose.apply(x, axes=tuple(axes) if axes else None)


def broadcast_to(x: TensorLike, shape: Sequence[int]) -> Tensor:
    """x repeated along new or size-1 axes to `shape`, as np.broadcast_to."""
    return BroadcastTo.apply(x, shape=tuple(shape))


def astype(x: TensorLike, dtype: Any) -> Tensor:
    """x converted to `dtype`; only a floating-point result stays in the graph."""
    dtype = np.dtype(dtype)
    if not isinstance(x, Tensor):
        return np.asarray(x).astype(dtype)  # numpy in, numpy out
    if dtype.kind != "f":
        note_value_read(f"astype({dtype})")  # not recorded: a replay could not redo it
        return Tensor._wrap(x.data.astype(dtype))
    return Cast.apply(x, dtype=dtype)


def pad(x: TensorLike, widths: Sequence[tuple[int, int]]) -> Tensor:
    """x with zeros added before and after each axis: widths[i] = (before, after), as np.pad."""
    ndim = np.ndim(x.data if isinstance(x, Tensor) else x)
    pairs = np.asarray(widths)
    if pairs.shape != (ndim, 2) or pairs.dtype.kind not in "iu" or (pairs < 0).any():
        raise ValueError(
            f"pad: widths must give (before, after) counts for each of the {ndim} axes, "
            f"got {widths!r}"
        )
    return Pad.apply(x, widths=tuple((int(before), int(after)) for before, after in pairs))


def sliding_windows(x: TensorLike, size: int, stride: int = 1, axis: int = -1) -> Tensor:
    """Every `stride`-th window of `size` consecutive elements along `axis`, the window as a new
    last axis: numpy's sliding_window_view, strided. What a 1-D convolution multiplies.

    >>> import autograd_lite as ag
    >>> ag.sliding_windows(ag.arange(6), size=3, stride=2)
    Tensor([[0, 1, 2],
            [2, 3, 4]])
    """
    ndim = np.ndim(x.data if isinstance(x, Tensor) else x)
    for setting, value in (("size", size), ("stride", stride)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"sliding_windows: {setting} must be a positive integer, got {value!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"sliding_windows: axis {axis} is out of range for {ndim} dimensions")
    return SlidingWindows.apply(x, size=int(size), stride=int(stride), axis=axis % ndim)


def concatenate(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis, as np.concatenate."""
    if len(tensors) == 0:
        raise ValueError("concatenate: needs at least one tensor")
    return Concatenate.apply(*tensors, axis=axis)


def sum_to_shape(x: TensorLike, shape: Sequence[int]) -> Tensor:
    """x summed down to `shape`, of which x's shape must be a broadcast: the adjoint of
    broadcast_to, which the engine applies to every gradient (numpy's broadcasting undone)."""
    shape = tuple(shape)
    x_shape = np.shape(x.data if isinstance(x, Tensor) else x)
    try:
        fits = np.broadcast_shapes(shape, x_shape) == x_shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"sum_to_shape: shape {x_shape} is not a broadcast of {shape}")
    return engine.sum_to_shape(x, shape)
