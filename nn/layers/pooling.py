"""Pooling: the largest or the mean value of each window of a sequence or an image, channel by
channel (MaxPooling1D/2D, AveragePooling1D/2D), or of the whole of it (the global poolings),
as Keras's layers, channels last. No weights.

Built from engine ops: `ag.sliding_windows` takes every window at once (a strided view, the
window offsets as new last axes), then `max` or `sum` over those axes. Backward, the
windows' gradient goes back through sliding_windows' adjoint (a loop over the window's
offsets adding strided slices). Windows side by side (strides = pool_size, the usual
pooling) and not padded are blocks of a reshape instead, reduced faster (`Pooling._blocks`).

Max pooling's gradient goes to the position of each window's maximum. At a tie the engine's
`max` shares it evenly among the tied positions (1/2 each for two equal maxima, PyTorch's
`amax` convention); TensorFlow's and PyTorch's max-pooling kernels give all of it to the first
maximum in the window instead. The two differ only where a window holds equal maxima (ReLU
zeros, or saturated inputs), and the total gradient a window passes back is the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from .base import Layer, Shape, channels_last, check_flag, positive_tuple, same_padding


class Pooling(Layer):
    """What MaxPooling and AveragePooling share (Keras's BasePooling): windows of
    `pool_size` every `strides` (default: `pool_size`, windows side by side) along the `rank`
    spatial axes of (batch, *spatial, channels) inputs.

    padding, as Keras on TensorFlow: 'valid' (only whole windows: floor((n - pool_size) /
    strides) + 1 outputs) or 'same' (ceil(n / strides) outputs; the window overhangs the
    edges by a total of max((outputs - 1) * strides + pool_size - n, 0) positions, the odd
    one at the end). Positions outside the input are ignored: they never win a max, and an
    average divides by the number of input positions in its window only.

    `data_format` is 'channels_last' (or None) only.
    """

    built_at_init = True

    rank = 0  # the number of spatial axes, set by each subclass
    mode = ""  # "max" or "average"
    axis_names: tuple[str, ...] = ()  # the spatial axes in error messages ("steps", "rows")

    def __init__(
        self,
        pool_size: int | Sequence[int] = 2,
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        kind = type(self).__name__
        self.pool_size = positive_tuple(pool_size, self.rank, "pool_size", kind)
        strides = pool_size if strides is None else strides
        self.strides = positive_tuple(strides, self.rank, "strides", kind)
        if padding not in ("valid", "same"):
            raise ValueError(f"{kind}: padding must be 'valid' or 'same', received {padding!r}")
        self.padding = padding
        self.data_format = channels_last(kind, data_format)
        super().__init__(**kwargs)

    def build(self, input_shape: Shape) -> None:
        check_rank(self, input_shape)
        self.compute_output_shape(input_shape)  # too few positions for 'valid' fail here

    def call(self, x: ag.Tensor) -> ag.Tensor:
        rank = self.rank
        spatial = tuple(range(1, rank + 1))
        window_axes = tuple(range(-rank, 0))  # sliding_windows puts the offsets last
        pads = [self._padding(n, axis) for axis, n in enumerate(x.shape[1:-1])]
        if not any(before or after for before, after in pads):
            if self.strides == self.pool_size:  # windows side by side, the usual pooling
                windows = self._blocks(x)
                if self.mode == "max":
                    return windows.max(axis=0)
                return windows.sum(axis=0) / math.prod(self.pool_size)
            windows = ag.sliding_windows(x, self.pool_size, self.strides, axis=spatial)
            if self.mode == "max":
                return windows.max(axis=window_axes)
            return windows.sum(axis=window_axes) / math.prod(self.pool_size)
        # 'same' with an overhang: pad, and mark which positions are the input's. The mark is
        # made of engine ops on a constant 0-d tensor, so that a traced fit recomputes it
        # rather than capture an array (which ag.trace refuses).
        widths = [(0, 0), *pads, (0, 0)]
        inside = ag.broadcast_to(ag.Tensor(True), (1, *x.shape[1:-1], 1)).pad(widths)
        if self.mode == "max":
            padded = ag.where(inside, x.pad(widths), -np.inf)  # -inf never wins a max
            windows = ag.sliding_windows(padded, self.pool_size, self.strides, axis=spatial)
            return windows.max(axis=window_axes)
        windows = ag.sliding_windows(x.pad(widths), self.pool_size, self.strides, axis=spatial)
        counts = ag.sliding_windows(
            inside.astype(x.dtype), self.pool_size, self.strides, axis=spatial
        ).sum(axis=window_axes)  # input positions per window, (1, *outputs, 1)
        return windows.sum(axis=window_axes) / counts

    def _blocks(self, x: ag.Tensor) -> ag.Tensor:
        """The windows of an unpadded input when they lie side by side (strides = pool_size):
        shape (window positions, batch, *outputs, channels), window[k, b, *i, c] = x[b, *(i *
        pool_size + offset k), c]. The positions past the last whole window are dropped
        ('valid'), the rest split into blocks (a reshape) and the offsets moved to the front.

        Why not sliding_windows, as for overlapping windows: a max or a sum over the window
        offsets as the last axes (or as axes between the outputs, a reshape's blocks) steps
        through memory a few elements at a time, and numpy reduces those slowly; over a
        leading axis it combines whole contiguous arrays, and the backward is a broadcast.
        The price, one copy forward and one backward, is well worth it (issue 10)."""
        sizes, (batch, *spatial, channels) = self.pool_size, x.shape
        outputs = [n // k for n, k in zip(spatial, sizes)]
        if any(o * k != n for o, k, n in zip(outputs, sizes, spatial)):
            x = x[(slice(None), *(slice(o * k) for o, k in zip(outputs, sizes)), slice(None))]
        split = [length for pair in zip(outputs, sizes) for length in pair]
        blocks = x.reshape(batch, *split, channels)  # (batch, o1, k1, o2, k2, ..., channels)
        offsets = range(2, 2 * self.rank + 1, 2)
        blocks = blocks.transpose(*offsets, 0, *(a - 1 for a in offsets), 2 * self.rank + 1)
        return blocks.reshape(math.prod(sizes), batch, *outputs, channels)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        outputs = []
        for axis, n in enumerate(input_shape[1:-1]):
            if n is not None:
                before, after = self._padding(n, axis)
                n = (n + before + after - self.pool_size[axis]) // self.strides[axis] + 1
            outputs.append(n)
        return (input_shape[0], *outputs, input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }

    def _padding(self, n: int, axis: int) -> tuple[int, int]:
        """Positions the windows overhang before and after `n` positions of spatial `axis`."""
        size, stride = self.pool_size[axis], self.strides[axis]
        if self.padding == "same":
            return same_padding(n, size, stride)
        if n < size:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): {n} {self.axis_names[axis]} are "
                f"fewer than pool_size={self.pool_size[axis]} with padding='valid'"
            )
        return 0, 0


class MaxPooling1D(Pooling):
    """The largest value of each window of steps, channel by channel, as Keras's MaxPooling1D:

        output[b, i, c] = max_{k < pool_size} x[b, i * strides + k, c]

    over (batch, steps, channels) inputs. strides None means pool_size. See `Pooling` for
    padding, and the module's docstring for the gradient at ties.

    >>> import numpy as np
    >>> MaxPooling1D(pool_size=2)(np.array([[[1.0], [3.0], [2.0], [0.0]]])).data[..., 0]
    array([[3., 2.]], dtype=float32)
    """

    rank, mode, axis_names = 1, "max", ("steps",)


class MaxPooling2D(Pooling):
    """The largest value of each window of an image, channel by channel, as Keras's
    MaxPooling2D:

        output[b, i, j, c] = max_{p < ph, q < pw} x[b, i * sh + p, j * sw + q, c]

    over (batch, height, width, channels) inputs, (ph, pw) = pool_size, (sh, sw) = strides
    (None: pool_size). See `Pooling` for padding, and the module's docstring for the
    gradient at ties.

    >>> import numpy as np
    >>> image = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> MaxPooling2D()(image).data[0, :, :, 0]   # the largest of each 2 x 2 square
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """

    rank, mode, axis_names = 2, "max", ("rows", "columns")


class AveragePooling1D(Pooling):
    """The mean of each window of steps, channel by channel, as Keras's AveragePooling1D:

        output[b, i, c] = mean_{k < pool_size} x[b, i * strides + k, c]

    over (batch, steps, channels) inputs; with padding='same' the mean is over the window's
    positions inside the input only. strides None means pool_size. pool_size defaults to 2,
    as in tf.keras 2 (Keras 3 makes it a required argument).

    >>> import numpy as np
    >>> x = np.array([[[1.0], [3.0], [2.0]]])
    >>> AveragePooling1D(2, padding="same")(x).data[..., 0]   # the last window holds 2 only
    array([[2., 2.]], dtype=float32)
    """

    rank, mode, axis_names = 1, "average", ("steps",)


class AveragePooling2D(Pooling):
    """The mean of each window of an image, channel by channel, as Keras's AveragePooling2D:

        output[b, i, j, c] = mean_{p < ph, q < pw} x[b, i * sh + p, j * sw + q, c]

    over (batch, height, width, channels) inputs; with padding='same' the mean is over the
    window's positions inside the image only. strides None means pool_size. pool_size
    defaults to (2, 2), as in tf.keras 2 (Keras 3 makes it a required argument).

    >>> import numpy as np
    >>> image = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> AveragePooling2D()(image).data[0, :, :, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    """

    rank, mode, axis_names = 2, "average", ("rows", "columns")


class GlobalPooling(Layer):
    """What the global poolings share: one max or mean over all the spatial axes of
    (batch, *spatial, channels) inputs, giving (batch, channels), or (batch, 1, ..., 1,
    channels) with keepdims=True, as Keras's (`data_format` 'channels_last' or None only)."""

    built_at_init = True

    rank = 0
    mode = ""
    axis_names: tuple[str, ...] = ()

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        kind = type(self).__name__
        self.data_format = channels_last(kind, data_format)
        self.keepdims = check_flag(kind, "keepdims", keepdims)
        super().__init__(**kwargs)

    def build(self, input_shape: Shape) -> None:
        check_rank(self, input_shape)

    def call(self, x: ag.Tensor) -> ag.Tensor:
        spatial = tuple(range(1, self.rank + 1))
        if self.mode == "max":
            return x.max(axis=spatial, keepdims=self.keepdims)
        return ag.mean(x, axis=spatial, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if self.keepdims:
            return (input_shape[0], *(1,) * self.rank, input_shape[-1])
        return (input_shape[0], input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling1D(GlobalPooling):
    """output[b, c] = max_t x[b, t, c] over (batch, steps, channels) inputs, as Keras's
    GlobalMaxPooling1D (ties share the gradient, see the module's docstring)."""

    rank, mode, axis_names = 1, "max", ("steps",)


class GlobalMaxPooling2D(GlobalPooling):
    """output[b, c] = max_{i, j} x[b, i, j, c] over (batch, height, width, channels) inputs,
    as Keras's GlobalMaxPooling2D (ties share the gradient, see the module's docstring)."""

    rank, mode, axis_names = 2, "max", ("rows", "columns")


class GlobalAveragePooling1D(GlobalPooling):
    """output[b, c] = mean_t x[b, t, c] over (batch, steps, channels) inputs, as Keras's
    GlobalAveragePooling1D.

    >>> import numpy as np
    >>> GlobalAveragePooling1D()(np.array([[[1.0, 10.0], [3.0, 20.0]]])).data
    array([[ 2., 15.]], dtype=float32)
    """

    rank, mode, axis_names = 1, "average", ("steps",)


class GlobalAveragePooling2D(GlobalPooling):
    """output[b, c] = mean_{i, j} x[b, i, j, c] over (batch, height, width, channels) inputs,
    as Keras's GlobalAveragePooling2D."""

    rank, mode, axis_names = 2, "average", ("rows", "columns")


def check_rank(layer: Pooling | GlobalPooling, input_shape: Shape) -> None:
    """Refuse inputs that are not (batch, *spatial, channels) with the layer's spatial rank."""
    if len(input_shape) != layer.rank + 2:
        axes = ", ".join(("batch", *layer.axis_names, "channels"))
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}) needs inputs of shape ({axes}), "
            f"got {input_shape}"
        )
