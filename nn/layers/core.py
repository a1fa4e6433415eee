"""The core layers: `Input` (the model's input, a KerasTensor) and `Dense` (fully connected)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd_lite as ag

from .. import activations, initializers
from .base import KerasTensor, Layer, Shape, float_dtype


class Input(KerasTensor):
    """The input of a model, given first to `Sequential` so it builds at once: a KerasTensor
    of shape (None,) + `shape`, as `keras.Input` returns.

    >>> import nn
    >>> inputs = nn.Input(shape=(400,))
    >>> inputs.shape, inputs.dtype
    ((None, 400), 'float32')
    >>> model = nn.Sequential([inputs, nn.Dense(25)])
    >>> model.input is inputs, model.layers[0].get_weights()[0].shape
    (True, (400, 25))
    """

    def __init__(self, shape: tuple[int, ...], dtype: Any = None, name: str | None = None) -> None:
        if isinstance(shape, (int, np.integer)):
            raise TypeError(
                f"Input: shape must be a tuple such as ({shape},), got the number {shape}"
            )
        if not isinstance(shape, (tuple, list)):
            raise TypeError(f"Input: shape must be a tuple such as (400,), got {shape!r}")
        shape = tuple(shape)
        if not shape or not all(isinstance(n, (int, np.integer)) and n > 0 for n in shape):
            raise ValueError(
                f"Input: shape must be a tuple of positive integers such as (400,), got {shape}"
            )
        if name is not None and (not isinstance(name, str) or not name):
            raise TypeError(f"Input: name must be a non-empty string, got {name!r}")
        super().__init__((None,) + tuple(int(n) for n in shape), float_dtype(dtype, "Input"), name)


# The activations `ag.dense` computes inside its one op, keyed by identity (any callable can be
# an activation, hashable or not): a function of your own, or relu with options, takes the
# general path of separate ops.
FUSED_ACTIVATIONS: dict[int, str] = {
    id(activations.linear): "linear",
    id(activations.relu): "relu",
    id(activations.sigmoid): "sigmoid",
    id(activations.tanh): "tanh",
}


class KernelLayer(Layer):
    """What Dense and Conv1D share: output = activation(inputs · kernel + bias), the kernel's
    last axis being the outputs (units, filters)."""

    def __init__(
        self,
        activation: str | Callable[..., Any] | None,
        use_bias: bool,
        kernel_initializer: Any,
        bias_initializer: Any,
        name: str | None,
        dtype: Any,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if not isinstance(use_bias, (bool, np.bool_)):
            raise TypeError(
                f"{type(self).__name__}: use_bias must be True or False, got {use_bias!r}"
            )
        self.activation = activation
        self.use_bias = bool(use_bias)
        self.kernel_initializer = self._resolve(initializers.get, kernel_initializer)
        self.bias_initializer = self._resolve(initializers.get, bias_initializer)

    @property
    def activation(self) -> Callable[..., Any]:
        """The activation function; assigning a name, a function or None (linear) resolves it
        as the constructor does, so `layer.activation = None` makes the layer linear."""
        return self._activation

    @activation.setter
    def activation(self, value: str | Callable[..., Any] | None) -> None:
        self._activation = self._resolve(activations.get, value)

    def _resolve(self, get: Callable[[Any], Any], identifier: Any) -> Any:
        """`get(identifier)`, with the layer named in the error for an unknown name."""
        try:
            return get(identifier)
        except ValueError as error:
            raise ValueError(f"{type(self).__name__} '{self.name}': {error}") from None

    def add_kernel_and_bias(self, kernel_shape: tuple[int, ...]) -> None:
        self.kernel = self.add_weight("kernel", kernel_shape, self.kernel_initializer)
        self.bias = (
            self.add_weight("bias", kernel_shape[-1:], self.bias_initializer)
            if self.use_bias
            else None
        )

    def apply_kernel(self, x: ag.Tensor, kernel: ag.Tensor) -> ag.Tensor:
        """activation(x @ kernel + bias): one `ag.dense` op for the activations it fuses, whose
        rule is the textbook backward; else a matmul, an add and the activation's ops."""
        fused = FUSED_ACTIVATIONS.get(id(self.activation))
        if fused is None:
            return self.add_bias_and_activate(x @ kernel)
        return ag.dense(x, kernel, self.bias, activation=fused)

    def add_bias_and_activate(self, y: ag.Tensor) -> ag.Tensor:
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)


class Dense(KernelLayer):
    """A fully connected layer: output = activation(x @ kernel + bias).

    kernel has shape (input features, units), bias (units,). With a linear, relu, sigmoid or
    tanh activation the layer is one `ag.dense` op, whose rule is the textbook backward
    (dz = g * act'(z), dx = dz @ kernel.T, dkernel = x.T @ dz, dbias = dz summed over rows);
    with any other activation it is a matmul, an add and the activation's ops.

    >>> import nn
    >>> layer = nn.Dense(2, activation="relu", kernel_initializer="ones")
    >>> layer(np.array([[1.0, -3.0]])).data
    array([[0., 0.]], dtype=float32)
    >>> layer(np.array([[1.0, 2.0]])).data
    array([[3., 3.]], dtype=float32)
    """

    def __init__(
        self,
        units: int,
        activation: str | Callable[..., Any] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"Dense: `units` must be a positive integer, received units={units!r}")
        super().__init__(activation, use_bias, kernel_initializer, bias_initializer, name, dtype)
        self.units = int(units)

    def build(self, input_shape: Shape) -> None:
        self.add_kernel_and_bias((input_shape[-1], self.units))

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return self.apply_kernel(x, self.kernel)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape[:-1]) + (self.units,)
