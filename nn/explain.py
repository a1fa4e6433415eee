"""A model explained: one forward pass layer by layer, with shapes, parameters, FLOPs and memory.

    >>> import nn
    >>> model = nn.Sequential([nn.Input(shape=(400,)), nn.Dense(25, activation="relu", name="L1"),
    ...                        nn.Dense(15, activation="relu", name="L2"), nn.Dense(10, name="L3")],
    ...                       name="my_model")
    >>> print(explain(model))  # doctest: +ELLIPSIS
    Model "my_model": one forward pass on m examples
    L1 (Dense)
      X (m, 400) @ W (400, 25) + b (25,) -> Z (m, 25) -> relu -> A (m, 25)
      params 400*25 + 25 = 10,025 | FLOPs 20,050 per example | output 100 B per example
    ...
    Total: 10,575 params, 21,140 FLOPs and 200 B of outputs per example

Counting conventions (per example, the forward pass of `predict`):

- a multiply-add is 2 FLOPs: `x @ W` with W of shape (n, k) costs 2 n k; a bias adds k;
- an activation costs 1 FLOP per element (relu, sigmoid, tanh, ...), softmax 3 (exp, sum,
  divide) and linear none;
- a convolution is the same matrix product at every output position (n = the window's
  kernel_size * input channels); max pooling compares pool_size - 1 times per output, average
  pooling adds pool_size - 1 times and divides once; a global pooling likewise over all the
  positions of each channel;
- BatchNormalization costs 4 per element ((x - mean) / sqrt(var + eps) * gamma + beta with the
  moving statistics); Flatten, Reshape and Dropout (identity outside training) cost nothing.

`output` is the memory of the layer's output for one example (its size times the bytes of
its dtype): what a training step keeps for backward at each layer, times the batch size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .layers.activation import Activation, LeakyReLU, ReLU, Softmax
from .layers.base import Layer, Shape
from .layers.convolutional import Conv
from .layers.core import Dense
from .layers.normalization import BatchNormalization
from .layers.pooling import GlobalPooling, Pooling
from .layers.regularization import Dropout
from .layers.reshaping import Flatten, Reshape

ACTIVATION_FLOPS = {"linear": 0, "softmax": 3}  # per element; every other activation: 1


@dataclass(frozen=True)
class LayerExplanation:
    """One layer of the forward pass: `trace` reads like the math, the rest are its numbers
    (`flops` and `output_bytes` per example; `flops` None for a layer this module does not
    know)."""

    name: str
    kind: str
    input_shape: Shape
    output_shape: Shape
    trace: str
    params: int
    arithmetic: str
    flops: int | None
    output_bytes: int

    def __str__(self) -> str:
        flops = "?" if self.flops is None else f"{self.flops:,}"
        return (
            f"{self.name} ({self.kind})\n  {self.trace}\n  params {self.arithmetic} | "
            f"FLOPs {flops} per example | output {_bytes(self.output_bytes)} per example"
        )


@dataclass(frozen=True)
class Explanation:
    """The forward pass of a model, layer by layer; `str()` is the text shown above."""

    model: str
    layers: tuple[LayerExplanation, ...]

    @property
    def params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def flops(self) -> int:
        """FLOPs per example, over the layers whose cost is known."""
        return sum(layer.flops or 0 for layer in self.layers)

    @property
    def output_bytes(self) -> int:
        return sum(layer.output_bytes for layer in self.layers)

    def __str__(self) -> str:
        lines = [f'Model "{self.model}": one forward pass on m examples']
        lines += [str(layer) for layer in self.layers]
        lines.append(
            f"Total: {self.params:,} params, {self.flops:,} FLOPs and "
            f"{_bytes(self.output_bytes)} of outputs per example"
        )
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython shows the text
        printer.text(str(self))


def explain(model: Any) -> Explanation:
    """The shape trace, parameter arithmetic, FLOPs and output memory of every layer of a built
    `Sequential` (see the module's docstring for how FLOPs are counted).

    >>> import nn
    >>> cnn = nn.Sequential([nn.Input(shape=(8, 8, 1)), nn.Conv2D(4, 3, activation="relu")])
    >>> layer = explain(cnn).layers[0]
    >>> layer.arithmetic, layer.flops, layer.output_bytes
    ('3*3*1*4 + 4 = 40', 2880, 576)
    """
    if not getattr(model, "built", False):
        raise ValueError(
            f"explain: model '{getattr(model, 'name', model)}' is not built yet: start it with "
            "Input(shape=(features,)), or call it on data first"
        )
    shape = model.input_shape
    layers = []
    for layer in model.layers:
        out = tuple(layer.compute_output_shape(shape))
        layers.append(explain_layer(layer, tuple(shape), out))
        shape = out
    return Explanation(model.name, tuple(layers))


def explain_layer(layer: Layer, input_shape: Shape, output_shape: Shape) -> LayerExplanation:
    """One layer's `LayerExplanation` for inputs of `input_shape` (batch axis first)."""
    trace, flops = _trace_and_flops(layer, input_shape, output_shape)
    shapes = [w.shape for w in layer.weights]
    arithmetic = " + ".join("*".join(map(str, s)) or "1" for s in shapes)
    count = layer.count_params()
    return LayerExplanation(
        name=layer.name,
        kind=type(layer).__name__,
        input_shape=input_shape,
        output_shape=output_shape,
        trace=trace,
        params=count,
        arithmetic=f"{arithmetic} = {count:,}" if shapes else "0",
        flops=flops,
        output_bytes=_size(output_shape) * np.dtype(layer.dtype).itemsize,
    )


def _trace_and_flops(layer: Layer, x: Shape, out: Shape) -> tuple[str, int | None]:
    """The trace `X (m, 400) -> ... -> A (m, 25)` and the FLOPs per example."""
    elements = _size(out)
    if isinstance(layer, (Dense, Conv)):
        kernel = layer.kernel.shape
        product = "@" if isinstance(layer, Dense) else "conv"
        steps = f"X {_shape(x)} {product} W {kernel}"
        if isinstance(layer, Conv):
            strides = layer.strides[0] if len(set(layer.strides)) == 1 else layer.strides
            steps += f" (strides {strides}, {layer.padding})"
        if layer.bias is not None:
            steps += f" + b {layer.bias.shape}"
        name = _activation_name(layer.activation)
        steps += f" -> Z {_shape(out)}"
        if name != "linear":
            steps += f" -> {name} -> A {_shape(out)}"
        window = math.prod(kernel[:-1])  # the inputs each output sums: n of the (n, k) product
        bias = elements if layer.bias is not None else 0
        return steps, 2 * window * elements + bias + elements * _per_element(name)
    if isinstance(layer, Pooling):
        window = math.prod(layer.pool_size)
        size = "x".join(map(str, layer.pool_size))
        steps = f"{layer.mode} over {size} windows, strides {layer.strides}, {layer.padding}"
        per_output = window - 1 if layer.mode == "max" else window
        return _unary(x, steps, out), elements * per_output
    if isinstance(layer, GlobalPooling):
        axes = ", ".join(str(a) for a in range(1, layer.rank + 1))
        positions = _size(x) // x[-1]
        per_channel = positions - 1 if layer.mode == "max" else positions
        return _unary(x, f"{layer.mode} over axes {axes}", out), x[-1] * per_channel
    if isinstance(layer, (Flatten, Reshape)):
        return _unary(x, type(layer).__name__.lower(), out), 0
    if isinstance(layer, Dropout):
        return _unary(x, f"drop {layer.rate:.0%} (in training only)", out), 0
    if isinstance(layer, BatchNormalization):
        steps = "(X - mean) / sqrt(var + eps) * gamma + beta"
        return _unary(x, steps, out), 4 * elements
    if isinstance(layer, (ReLU, LeakyReLU, Softmax, Activation)):
        name = (
            _activation_name(layer.activation)
            if isinstance(layer, Activation)
            else {ReLU: "relu", LeakyReLU: "leaky_relu", Softmax: "softmax"}[type(layer)]
        )
        return _unary(x, name, out), elements * _per_element(name)
    return _unary(x, type(layer).__name__, out), None


def _unary(x: Shape, steps: str, out: Shape) -> str:
    return f"X {_shape(x)} -> {steps} -> A {_shape(out)}"


def _activation_name(function: Any) -> str:
    return getattr(function, "__name__", type(function).__name__)


def _per_element(activation: str) -> int:
    return ACTIVATION_FLOPS.get(activation, 1)


def _shape(shape: Shape) -> str:
    """`(m, 400)`: the batch axis as m, the number of examples."""
    dims = ["m" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _size(shape: Shape) -> int:
    """Elements per example: the product of the axes after the batch axis."""
    return math.prod(d for d in shape[1:] if d is not None)


def _bytes(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:,} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"
