"""Ops that move elements without changing them: Reshape Transpose BroadcastTo Concatenate Cast
Pad SlidingWindows (and OverlapAdd, the adjoint of SlidingWindows).

`sum_to_shape` lives here too: the adjoint of broadcasting, which the engine applies to
every gradient whose shape differs from its input's.
"""

from __future__ import annotations

import itertools
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
        return (
            g[tuple(slice(before, before + n) for (before, _), n in zip(self.widths, x.shape))],
        )


class SlidingWindows(Op):
    """Windows of `size[i]` elements along each axis `axis[i]`, `dilation[i]` apart, one window
    every `stride[i]` positions; the window offsets become new last axes, in `axis`'s order."""

    def __init__(
        self,
        size: tuple[int, ...],
        stride: tuple[int, ...],
        axis: tuple[int, ...],
        dilation: tuple[int, ...],
    ) -> None:
        self.size, self.stride, self.axis, self.dilation = size, stride, axis, dilation

    def forward(self, x):
        return _window_view(x, self.size, self.stride, self.axis, self.dilation)

    def describe_failure(self, xs, error):
        return (
            f"sliding_windows: windows of {_one_or_all(self.size)}{_dilated(self.dilation)} "
            f"along axis {_one_or_all(self.axis)} do not fit shape {xs[0].shape}: {error}"
        )

    def backward(self, g, out, x):
        """dx = each window's gradient added back where the window came from (overlaps add up)"""
        lengths = tuple(x.shape[axis] for axis in self.axis)
        return (OverlapAdd.apply(g, **self.settings(), length=lengths),)


class OverlapAdd(Op):
    """Windows (the last len(axis) axes) added back into arrays of `length` along `axis`: the
    adjoint of SlidingWindows. A loop over the offsets in a window, not over the windows:
    offset k of every window lands at once on the strided slice k * dilation + stride * i.
    Windows that do not overlap (stride >= span, as in pooling) are one strided copy."""

    def __init__(
        self,
        size: tuple[int, ...],
        stride: tuple[int, ...],
        axis: tuple[int, ...],
        dilation: tuple[int, ...],
        length: tuple[int, ...],
    ) -> None:
        self.size, self.stride, self.axis, self.dilation = size, stride, axis, dilation
        self.length = length

    def forward(self, windows):
        shape = list(windows.shape[: -len(self.axis)])
        for axis, length in zip(self.axis, self.length):
            shape[axis] = length
        result = np.zeros(shape, dtype=windows.dtype)
        if all(
            stride >= (k - 1) * dilation + 1
            for k, stride, dilation in zip(self.size, self.stride, self.dilation)
        ):  # each position is in one window at most: the same view of the result, written
            target = _window_view(
                result, self.size, self.stride, self.axis, self.dilation, writeable=True
            )
            target[...] = windows
            return result
        target = [slice(None)] * len(shape)
        for offsets in itertools.product(*(range(k) for k in self.size)):
            for axis, k, stride, dilation in zip(self.axis, offsets, self.stride, self.dilation):
                count = windows.shape[axis]
                start = k * dilation
                target[axis] = slice(start, start + stride * (count - 1) + 1, stride)
            result[tuple(target)] += windows[(Ellipsis, *offsets)]
        return result

    def backward(self, g, out, windows):
        """dwindows = sliding_windows(g)"""
        size, stride, axis, dilation = self.size, self.stride, self.axis, self.dilation
        return (SlidingWindows.apply(g, size=size, stride=stride, axis=axis, dilation=dilation),)


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


def sliding_windows(
    x: TensorLike,
    size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    axis: int | Sequence[int] = -1,
    dilation: int | Sequence[int] = 1,
) -> Tensor:
    """Every `stride`-th window of `size` elements along `axis`, taking every `dilation`-th
    element (1: consecutive ones), the window as a new last axis: numpy's
    sliding_window_view, strided and dilated. What a convolution multiplies:

        windows[..., i, ..., k] = x[..., i * stride + k * dilation, ...]

    Several axes at once: a tuple of axes and one size (stride, dilation) per axis or one for
    all; the window offsets become new last axes, in the order of `axis` (what a 2-D
    convolution multiplies: `axis=(1, 2)` of (batch, height, width, channels) images).

    >>> import autograd_lite as ag
    >>> ag.sliding_windows(ag.arange(6), size=3, stride=2)
    Tensor([[0, 1, 2],
            [2, 3, 4]])
    >>> ag.sliding_windows(ag.arange(7), size=3, dilation=2)
    Tensor([[0, 2, 4],
            [1, 3, 5],
            [2, 4, 6]])
    >>> ag.sliding_windows(ag.arange(16).reshape(4, 4), size=2, stride=2, axis=(0, 1))[1, 0]
    Tensor([[ 8,  9],
            [12, 13]])
    """
    ndim = np.ndim(x.data if isinstance(x, Tensor) else x)
    axes = _integers("axis", axis, None)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"sliding_windows: axis {a} is out of range for {ndim} dimensions")
    axes = tuple(a % ndim for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"sliding_windows: axis {axis!r} names an axis twice")
    settings = {
        name: _integers(name, value, len(axes))
        for name, value in (("size", size), ("stride", stride), ("dilation", dilation))
    }
    return SlidingWindows.apply(x, axis=axes, **settings)


def _integers(name: str, value: Any, count: int | None) -> tuple[int, ...]:
    """`value` (an integer, or a sequence of `count` of them) as a tuple of `count` integers:
    positive ones, except for axes (count None: one or more of any sign)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values: Any = (value,) * (count or 1)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        values = tuple(value)
    else:
        values = ()
    if (
        values
        and (count is None or len(values) == count)
        and all(
            isinstance(v, (int, np.integer))
            and not isinstance(v, bool)
            and (count is None or v > 0)
            for v in values
        )
    ):
        return tuple(int(v) for v in values)
    wanted = "an integer or a tuple of integers" if count is None else "a positive integer"
    if count is not None and count > 1:
        wanted += f" or a tuple of {count} (one per axis)"
    raise ValueError(f"sliding_windows: {name} must be {wanted}, got {value!r}")


def _window_view(
    x: np.ndarray,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    axis: tuple[int, ...],
    dilation: tuple[int, ...],
    writeable: bool = False,
) -> np.ndarray:
    """SlidingWindows' view of `x` (writeable only where no two windows share a position)."""
    spans = tuple((k - 1) * d + 1 for k, d in zip(size, dilation))
    windows = np.lib.stride_tricks.sliding_window_view(x, spans, axis=axis, writeable=writeable)
    index = [slice(None)] * windows.ndim
    for i, (a, s, d) in enumerate(zip(axis, stride, dilation)):
        index[a] = slice(None, None, s)  # every s-th window
        index[x.ndim + i] = slice(None, None, d)  # every d-th element of it
    return windows[tuple(index)]


def _one_or_all(values: tuple[int, ...]) -> int | tuple[int, ...]:
    """A setting as it was most likely written: 7 for (7,)."""
    return values[0] if len(values) == 1 else values


def _dilated(dilation: tuple[int, ...]) -> str:
    return "" if set(dilation) == {1} else f" dilated by {_one_or_all(dilation)}"


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
