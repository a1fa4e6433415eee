"""Conv1D: the same small Dense layer applied to every window of a sequence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd_lite as ag

from .base import Shape
from .core import KernelLayer

PADDINGS = ("valid", "same", "causal")


class Conv1D(KernelLayer):
    """1-D convolution over (batch, steps, channels) inputs, as Keras's Conv1D.

        output[b, i, f] = activation(sum_{t, c} x[b, i * strides + t, c] * kernel[t, c, f] + bias[f])

    kernel has shape (kernel_size, input channels, filters). padding: 'valid' (no padding:
    (steps - kernel_size) // strides + 1 outputs), 'same' (zeros on both sides: ceil(steps /
    strides) outputs) or 'causal' (zeros in front, so output i sees no input after step i).
    Built from engine ops: `sliding_windows` gathers the windows, a matmul applies the kernel.

    >>> import numpy as np, nn
    >>> layer = nn.Conv1D(filters=1, kernel_size=2, kernel_initializer="ones")
    >>> layer(np.array([[[1.0], [2.0], [4.0]]])).data[..., 0]   # sums of neighbours
    array([[3., 6.]], dtype=float32)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        strides: int = 1,
        padding: str = "valid",
        activation: str | Callable[..., Any] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        for setting, value in (
            ("filters", filters),
            ("kernel_size", kernel_size),
            ("strides", strides),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(
                    f"Conv1D: `{setting}` must be a positive integer, received {value!r}"
                )
        if padding not in PADDINGS:
            raise ValueError(f"Conv1D: padding must be one of {PADDINGS}, received {padding!r}")
        super().__init__(activation, use_bias, kernel_initializer, bias_initializer, name, dtype)
        self.filters, self.kernel_size, self.strides = int(filters), int(kernel_size), int(strides)
        self.padding = padding

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 3:
            raise ValueError(
                f"Layer '{self.name}' (Conv1D) needs inputs of shape (batch, steps, channels), "
                f"got {input_shape}"
            )
        self.add_kernel_and_bias((self.kernel_size, input_shape[-1], self.filters))

    def call(self, x: ag.Tensor) -> ag.Tensor:
        before, after = self._padding(x.shape[1])
        if before or after:
            x = x.pad([(0, 0), (before, after), (0, 0)])
        windows = ag.sliding_windows(x, self.kernel_size, self.strides, axis=1)  # (b, i, c, t)
        batch, count, channels, taps = windows.shape
        patches = windows.reshape(batch, count, channels * taps)
        kernel = self.kernel.transpose(1, 0, 2).reshape(-1, self.filters)  # (c * t, filters)
        return self.add_bias_and_activate(patches @ kernel)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        steps = input_shape[1]
        if steps is not None:
            before, after = self._padding(steps)
            steps = (steps + before + after - self.kernel_size) // self.strides + 1
        return (input_shape[0], steps, self.filters)

    def _padding(self, steps: int) -> tuple[int, int]:
        """Zeros to add before and after the sequence."""
        if self.padding == "causal":
            return self.kernel_size - 1, 0
        if self.padding == "same":
            outputs = -(-steps // self.strides)
            total = max((outputs - 1) * self.strides + self.kernel_size - steps, 0)
            return total // 2, total - total // 2
        if steps < self.kernel_size:
            raise ValueError(
                f"Layer '{self.name}' (Conv1D): {steps} steps are fewer than kernel_size="
                f"{self.kernel_size} with padding='valid'"
            )
        return 0, 0
