"""Conv1D and Conv2D: the same small Dense layer applied to every window of a sequence or an
image (channels last, as Keras's default)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from .. import regularizers
from .base import Shape, channels_last, positive_tuple, same_padding, supported
from .core import KernelLayer


class Conv(KernelLayer):
    """What Conv1D and Conv2D share (Keras's BaseConv): a kernel of shape
    kernel_size + (input channels, filters) applied to every window of the `rank` spatial
    axes of (batch, *spatial, channels) inputs:

        output[b, i, f] = activation(sum_{k, c} x[b, i * strides + k * dilation_rate, c]
                                     * kernel[k, c, f] + bias[f])

    with i and k multi-indices over the spatial axes (i * strides elementwise).

    The computation is im2col from engine ops: `ag.sliding_windows` takes every window at
    once (a strided view), a transpose and reshape lay each window out as one row in the
    kernel's order (*kernel_size, channels), and one `ag.dense` (matmul, bias and
    activation) multiplies all the rows by the kernel seen as a (kh * kw * channels,
    filters) matrix. Backward, the windows' gradient goes back through sliding_windows'
    adjoint, which adds it where each window came from with a loop over the kernel's
    offsets, each step adding one strided slice (no loop over output positions, no
    np.add.at).

    Padding, as Keras on TensorFlow: 'valid' (none: floor((n - span) / strides) + 1 outputs,
    with span = (kernel_size - 1) * dilation_rate + 1), 'same' (ceil(n / strides) outputs;
    the zeros needed are split with the extra one after, at the right and bottom) and, for
    Conv1D only, 'causal' (span - 1 zeros in front: output i sees no input after step i).

    Keras's other arguments: kernel and bias regularizers and `activity_regularizer` (see
    `nn.regularizers`); `data_format` 'channels_last' (or None) and `groups=1` only, and the
    constraints None only.
    """

    rank = 0  # the number of spatial axes, set by each subclass
    paddings: tuple[str, ...] = ("valid", "same")
    axis_names: tuple[str, ...] = ()  # the spatial axes in error messages ("steps", "rows")

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        groups: int = 1,
        activation: str | Callable[..., Any] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        kind = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters < 1:
            raise ValueError(f"{kind}: `filters` must be a positive integer, received {filters!r}")
        self.filters = int(filters)
        self.kernel_size = positive_tuple(kernel_size, self.rank, "kernel_size", kind)
        self.strides = positive_tuple(strides, self.rank, "strides", kind)
        self.dilation_rate = positive_tuple(dilation_rate, self.rank, "dilation_rate", kind)
        if padding not in self.paddings:
            raise ValueError(
                f"{kind}: padding must be one of {self.paddings}, received {padding!r}"
            )
        self.padding = padding
        self.data_format = channels_last(kind, data_format)
        self.groups = supported(kind, "groups", groups, (1,))
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(  # as Keras, whose TensorFlow kernels cannot do both at once
                f"{kind}: `strides > 1` is not supported together with `dilation_rate > 1`, "
                f"received strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        super().__init__(
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            kernel_constraint,
            bias_constraint,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != self.rank + 2:
            axes = ", ".join(("batch", *self.axis_names, "channels"))
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs inputs of shape ({axes}), "
                f"got {input_shape}"
            )
        self.add_kernel_and_bias(self.kernel_size + (input_shape[-1], self.filters))

    def call(self, x: ag.Tensor) -> ag.Tensor:
        rank = self.rank
        pads = [self._padding(n, axis) for axis, n in enumerate(x.shape[1:-1])]
        if any(before or after for before, after in pads):
            x = x.pad([(0, 0), *pads, (0, 0)])
        spatial = tuple(range(1, rank + 1))
        windows = ag.sliding_windows(  # (batch, *outputs, channels, *kernel_size)
            x, self.kernel_size, self.strides, axis=spatial, dilation=self.dilation_rate
        )
        # each window as one row in the kernel's order (*kernel_size, channels): the copy
        # reads channels, which are contiguous in x, innermost
        rows = windows.transpose(0, *spatial, *range(rank + 2, 2 * rank + 2), rank + 1)
        positions = rows.shape[: rank + 1]  # (batch, *outputs)
        # a 2-D matrix of rows: numpy's matmul of a stacked (batch, *outputs, n) array loops
        # over the leading axes, several times slower than one matrix product
        rows = rows.reshape(math.prod(positions), math.prod(rows.shape[rank + 1 :]))
        out = self.apply_kernel(rows, self.kernel.reshape(-1, self.filters))
        return out.reshape(*positions, self.filters)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        outputs = []
        for axis, n in enumerate(input_shape[1:-1]):
            if n is not None:
                before, after = self._padding(n, axis)
                n = (n + before + after - self._span(axis)) // self.strides[axis] + 1
            outputs.append(n)
        return (input_shape[0], *outputs, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            **self.kernel_config(),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": None,
            "bias_constraint": None,
        }

    def _span(self, axis: int) -> int:
        """How many input positions one window covers along spatial `axis`."""
        return (self.kernel_size[axis] - 1) * self.dilation_rate[axis] + 1

    def _padding(self, n: int, axis: int) -> tuple[int, int]:
        """Zeros to add before and after `n` positions of spatial `axis`."""
        span, stride = self._span(axis), self.strides[axis]
        if self.padding == "causal":
            return span - 1, 0
        if self.padding == "same":
            return same_padding(n, span, stride)
        if n < span:
            kernel = f"kernel_size={self.kernel_size[axis]}"
            if self.dilation_rate[axis] > 1:
                kernel = f"the {span} a {kernel} spans at dilation_rate={self.dilation_rate[axis]}"
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): {n} {self.axis_names[axis]} are "
                f"fewer than {kernel} with padding='valid'"
            )
        return 0, 0


class Conv1D(Conv):
    """1-D convolution over (batch, steps, channels) inputs, as Keras's Conv1D.

        output[b, i, f] = activation(sum_{t, c} x[b, i * strides + t * dilation_rate, c]
                                     * kernel[t, c, f] + bias[f])

    kernel has shape (kernel_size, input channels, filters). padding: 'valid' (no padding:
    (steps - span) // strides + 1 outputs, span = (kernel_size - 1) * dilation_rate + 1),
    'same' (ceil(steps / strides) outputs) or 'causal' (zeros in front, so output i sees no
    input after step i). See `Conv` for how it is computed.

    >>> import numpy as np, nn
    >>> layer = nn.Conv1D(filters=1, kernel_size=2, kernel_initializer="ones")
    >>> layer(np.array([[[1.0], [2.0], [4.0]]])).data[..., 0]   # sums of neighbours
    array([[3., 6.]], dtype=float32)
    """

    rank = 1
    paddings = ("valid", "same", "causal")
    axis_names = ("steps",)


class Conv2D(Conv):
    """2-D convolution over (batch, height, width, channels) images, as Keras's Conv2D.

        output[b, i, j, f] = activation(sum_{p, q, c} x[b, i * sh + p * dh, j * sw + q * dw, c]
                                        * kernel[p, q, c, f] + bias[f])

    with (sh, sw) = strides and (dh, dw) = dilation_rate. kernel has shape
    (kh, kw, input channels, filters); kernel_size, strides and dilation_rate are an int
    (the same along both axes) or a pair. padding: 'valid' (none) or 'same' (ceil(n / stride)
    outputs per axis, zeros split with the odd one at the bottom and right, as TensorFlow).
    See `Conv` for how it is computed.

    >>> import numpy as np
    >>> layer = Conv2D(filters=1, kernel_size=2, kernel_initializer="ones")
    >>> image = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> layer(image).data[0, :, :, 0]   # sums of 2 x 2 squares
    array([[ 8., 12.],
           [20., 24.]], dtype=float32)
    """

    rank = 2
    axis_names = ("rows", "columns")
