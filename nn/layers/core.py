"""The core layers: `Input` (the model's input, a KerasTensor) and `Dense` (fully connected)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from .. import activations, initializers, regularizers
from ..utils import check_name
from .base import KerasTensor, Layer, Shape, check_flag, float_dtype, supported, unique_name


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
        check_name("Input", name)
        super().__init__((None,) + tuple(int(n) for n in shape), float_dtype(dtype, "Input"), name)
        # the name of Keras's InputLayer behind the tensor: `name`, else input_layer, ...
        self.layer_name = name if name is not None else unique_name("input_layer")

    def get_config(self) -> dict[str, Any]:
        """The config of Keras's InputLayer for this input, as Sequential's config lists it
        first (see `input_layer_record`)."""
        return input_layer_config(self.shape, self.dtype, self.layer_name)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Input:
        """The Input an InputLayer config describes (Keras 3's `batch_shape`, or Keras 2's
        `batch_input_shape`); a fixed batch size, sparse, ragged or optional inputs are errors
        naming the input.

        >>> Input.from_config({"batch_shape": [None, 8, 8, 1], "name": "image"}).shape
        (None, 8, 8, 1)
        """
        config = dict(config)
        name = config.pop("name", None)
        where = f"InputLayer {name!r}"
        try:
            batch_shape = config.pop("batch_shape", config.pop("batch_input_shape", None))
            dtype = config.pop("dtype", None)
            for flag in ("sparse", "ragged", "optional"):
                supported(where, flag, config.pop(flag, False), (False, None))
            if config:
                raise ValueError(f"unsupported argument(s) {', '.join(config)}")
            if not isinstance(batch_shape, (list, tuple)) or len(batch_shape) < 2:
                raise ValueError(
                    f"batch_shape must be a list such as [None, 4], got {batch_shape!r}"
                )
            if batch_shape[0] is not None:
                raise ValueError(
                    f"batch_shape {list(batch_shape)} fixes the batch size to "
                    f"{batch_shape[0]}, which nn does not support (None: any batch size)"
                )
            return cls(shape=tuple(batch_shape[1:]), dtype=dtype, name=name)
        except (TypeError, ValueError) as error:
            message = str(error)
            raise type(error)(
                message if message.startswith(where) else f"{where}: {message}"
            ) from None


def input_layer_config(batch_shape: Sequence[int | None], dtype: Any, name: str) -> dict[str, Any]:
    """Keras 3's InputLayer config for inputs of `batch_shape` (the batch axis written None)."""
    return {
        "batch_shape": (None, *batch_shape[1:]),
        "dtype": np.dtype(dtype).name,
        "sparse": False,
        "ragged": False,
        "name": name,
        "optional": False,
    }


def input_layer_record(
    inputs: KerasTensor | Sequence[int | None], name: str | None = None
) -> dict[str, Any]:
    """The record of Keras's InputLayer that Sequential's config lists before its layers,
    for an `Input` (its name and dtype), another KerasTensor or a batch shape such as
    (None, 4) (float32); `name` overrides the name (default: the Input's, else
    'input_layer').

    >>> record = input_layer_record(Input(shape=(4,), name="features"))
    >>> record["class_name"], record["config"]["batch_shape"], record["config"]["name"]
    ('InputLayer', (None, 4), 'features')
    """
    if isinstance(inputs, Input):
        config = inputs.get_config()
    elif isinstance(inputs, KerasTensor):
        config = input_layer_config(inputs.shape, inputs.dtype, "input_layer")
    else:
        config = input_layer_config(tuple(inputs), "float32", "input_layer")
    if name is not None:
        config["name"] = name
    return {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": config,
        "registered_name": None,
    }


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
    last axis being the outputs (units, filters), with Keras's arguments for the kernel and
    the bias (constraints: None only)."""

    def __init__(
        self,
        activation: str | Callable[..., Any] | None,
        use_bias: bool,
        kernel_initializer: Any,
        bias_initializer: Any,
        kernel_regularizer: Any,
        bias_regularizer: Any,
        kernel_constraint: Any,
        bias_constraint: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.activation = activation
        self.use_bias = check_flag(kind, "use_bias", use_bias)
        self.kernel_initializer = self.resolve(initializers.get, kernel_initializer)
        self.bias_initializer = self.resolve(initializers.get, bias_initializer)
        self.kernel_regularizer = self.resolve(regularizers.get, kernel_regularizer)
        self.bias_regularizer = self.resolve(regularizers.get, bias_regularizer)
        supported(kind, "kernel_constraint", kernel_constraint, (None,))
        supported(kind, "bias_constraint", bias_constraint, (None,))

    @property
    def activation(self) -> Callable[..., Any]:
        """The activation function; assigning a name, a function or None (linear) resolves it
        as the constructor does, so `layer.activation = None` makes the layer linear."""
        return self._activation

    @activation.setter
    def activation(self, value: str | Callable[..., Any] | None) -> None:
        self._activation = self.resolve(activations.get, value)

    def add_kernel_and_bias(self, kernel_shape: tuple[int, ...]) -> None:
        self.kernel = self.add_weight(
            "kernel", kernel_shape, self.kernel_initializer, regularizer=self.kernel_regularizer
        )
        self.bias = (
            self.add_weight(
                "bias", kernel_shape[-1:], self.bias_initializer, regularizer=self.bias_regularizer
            )
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

    def kernel_config(self) -> dict[str, Any]:
        """The config entries of the activation, the kernel and the bias, in Keras's order
        (the constraints, None, follow them)."""
        return {
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


class Dense(KernelLayer):
    """A fully connected layer: output = activation(x @ kernel + bias).

    kernel has shape (input features, units), bias (units,). With a linear, relu, sigmoid or
    tanh activation the layer is one `ag.dense` op, whose rule is the textbook backward
    (dz = g * act'(z), dx = dz @ kernel.T, dkernel = x.T @ dz, dbias = dz summed over rows);
    with any other activation it is a matmul, an add and the activation's ops.

    `kernel_regularizer`, `bias_regularizer` (see `nn.regularizers`) and Layer's
    `activity_regularizer` add penalties to `losses`. Keras's `kernel_constraint`,
    `bias_constraint` and `quantization_config` are accepted as None only.

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
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"Dense: `units` must be a positive integer, received units={units!r}")
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
        self.units = int(units)
        supported("Dense", "quantization_config", quantization_config, (None,))

    def build(self, input_shape: Shape) -> None:
        self.add_kernel_and_bias((input_shape[-1], self.units))

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return self.apply_kernel(x, self.kernel)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            **self.kernel_config(),
            "kernel_constraint": None,
            "bias_constraint": None,
            "quantization_config": None,
        }
