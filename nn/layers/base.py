"""The Layer base class: automatic names, building on first call, weights, name scopes.

A subclass writes `build(input_shape)` (create weights with `add_weight`), `call(x)` (the
forward pass, made of engine ops) and `compute_output_shape(input_shape)`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from .. import initializers

Shape = tuple[int | None, ...]

_name_counts: dict[str, int] = {}


def unique_name(base: str) -> str:
    """`base`, then `base_1`, `base_2`, ... on later calls, like Keras's automatic names."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Restart automatic names (the next Dense is `dense` again), like Keras's clear_session."""
    _name_counts.clear()


def format_shape(shape: Sequence[int | None]) -> str:
    """A shape as Keras prints it: `(None, 25)`."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


class Layer:
    """A building block with weights: `layer(x)` runs `call(x)` inside `ag.name_scope`.

    The first call builds the weights for the input's feature count; later calls must
    have the same count.

    >>> import nn
    >>> layer = nn.Dense(3, name="hidden")
    >>> layer.built
    False
    >>> y = layer(np.ones((2, 4)))
    >>> y.shape, [w.name for w in layer.weights]
    ((2, 3), ['hidden/kernel', 'hidden/bias'])
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32") -> None:
        # Keras's snake case: Dense -> dense, Conv1D -> conv1d, MaxPooling1D -> max_pooling1d
        snake = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", type(self).__name__)
        snake = re.sub(r"([a-z])([A-Z])", r"\1_\2", snake).lower()
        self.name = name if name is not None else unique_name(snake)
        self.dtype = np.dtype(dtype)
        self.built = False
        self.input_shape: Shape | None = None
        self._weights: list[ag.Tensor] = []

    # --- to be written by subclasses -------------------------------------------------------

    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of `input_shape` (the batch axis is None)."""

    def call(self, x: ag.Tensor) -> ag.Tensor:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    # --- the machinery ---------------------------------------------------------------------

    def add_weight(self, name: str, shape: tuple[int, ...], initializer: Any) -> ag.Tensor:
        """A new parameter named `{layer}/{name}`, filled by `initializer`, that requires grad."""
        values = initializers.get(initializer)(tuple(shape), self.dtype)
        weight = ag.Tensor(values, requires_grad=True, name=f"{self.name}/{name}")
        self._weights.append(weight)
        return weight

    def build_for(self, input_shape: Sequence[int | None]) -> None:
        """Build once for `input_shape`; later shapes must match in the feature axis."""
        if len(input_shape) < 2:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs inputs of shape "
                f"(batch, features), got {tuple(input_shape)}; for one example of "
                f"{input_shape[0] if input_shape else 1} features use x.reshape(1, -1)"
            )
        input_shape = (None,) + tuple(input_shape)[1:]
        if self.built:
            self.check_input_shape(input_shape)
            return
        self.build(input_shape)
        self.input_shape = input_shape
        self.built = True

    def check_input_shape(self, shape: Sequence[int | None]) -> None:
        expected = self.input_shape
        if len(shape) != len(expected) or shape[-1] != expected[-1]:
            raise ValueError(
                f"Input of layer '{self.name}' ({type(self).__name__}) is incompatible: the layer "
                f"was built for input shape {format_shape(expected)} (expected axis -1 to have "
                f"{expected[-1]} features), but received input with shape {format_shape(shape)}"
            )

    def __call__(self, x: Any) -> ag.Tensor:
        if not isinstance(x, ag.Tensor):
            x = ag.from_numpy(np.asarray(x, dtype=self.dtype))  # inputs become float32, as in Keras
        if not self.built:
            self.build_for(x.shape)
        elif x.shape[-1] != self.input_shape[-1] or x.ndim != len(self.input_shape):
            self.check_input_shape(x.shape)
        with ag.name_scope(f"{self.name} ({type(self).__name__})"):
            return self.call(x)

    @property
    def weights(self) -> list[ag.Tensor]:
        """The parameter tensors (Dense: [kernel, bias])."""
        return list(self._weights)

    trainable_weights = weights

    def count_params(self) -> int:
        return sum(w.size for w in self._weights)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as numpy arrays (Dense: [kernel (in, units), bias (units,)])."""
        return [w.data.copy() for w in self._weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Overwrite the weights in place (same order as `get_weights`), checking every shape."""
        if len(weights) != len(self._weights):
            raise ValueError(
                f"set_weights: layer '{self.name}' has {len(self._weights)} weights "
                f"({', '.join(w.name for w in self._weights) or 'none; is it built?'}), "
                f"but {len(weights)} arrays were given"
            )
        arrays = [np.asarray(value) for value in weights]
        for weight, array in zip(self._weights, arrays):
            if array.shape != weight.shape:
                raise ValueError(
                    f"set_weights: '{weight.name}' has shape {weight.shape}, "
                    f"but the given array has shape {array.shape}"
                )
        for weight, array in zip(self._weights, arrays):
            weight.data[...] = array  # in place: optimizers key their slots by the tensor

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"
