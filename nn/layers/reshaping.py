"""Flatten and Reshape: the same values per example in another shape (Flatten between
convolutions and Dense layers; Reshape, e.g., flat images back to (height, width, channels))."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from .base import Layer, Shape, channels_last, format_shape


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...), as Keras's Flatten.

    `data_format` is 'channels_last' (or None) only.

    >>> import numpy as np, nn
    >>> nn.Flatten()(np.ones((2, 3, 4))).shape
    (2, 12)
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = channels_last("Flatten", data_format)

    def build(self, input_shape: Shape) -> None:
        pass  # no weights

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))  # explicit: a batch may be empty

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        features = input_shape[1:]
        return (input_shape[0], None if None in features else math.prod(features))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """(batch, *input features) -> (batch, *target_shape), as Keras's Reshape: the target
    excludes the batch axis, and one of its entries may be -1, meaning whatever makes the
    number of values per example unchanged.

    >>> import numpy as np, nn
    >>> Reshape((8, 8, 1))(np.ones((5, 64))).shape   # flat 8 x 8 images -> for a Conv2D
    (5, 8, 8, 1)
    >>> Reshape((-1, 2)).compute_output_shape((None, 3, 4))
    (None, 6, 2)
    """

    built_at_init = True

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        if (
            not isinstance(target_shape, (tuple, list))
            or not all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool) and (n > 0 or n == -1)
                for n in target_shape
            )
            or list(target_shape).count(-1) > 1
        ):
            raise ValueError(
                "Reshape: target_shape must be a tuple of positive integers, at most one of "
                f"them -1 (the batch axis not included), received {target_shape!r}"
            )
        super().__init__(**kwargs)
        self.target_shape = tuple(int(n) for n in target_shape)

    def build(self, input_shape: Shape) -> None:
        self._resolve(input_shape)  # refuses a shape that does not fit, before any call

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return x.reshape(self._resolve(x.shape))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self._resolve(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}

    def _resolve(self, input_shape: Sequence[int | None]) -> Shape:
        """The output shape for `input_shape`, the -1 worked out (None if it cannot be)."""
        features = input_shape[1:]
        known = math.prod(n for n in self.target_shape if n != -1)
        if None in features:
            target = tuple(None if n == -1 else n for n in self.target_shape)
            return (input_shape[0], *target)
        total = math.prod(features)
        if -1 in self.target_shape and total % known == 0:
            target = tuple(total // known if n == -1 else n for n in self.target_shape)
            return (input_shape[0], *target)
        if known != total or -1 in self.target_shape:
            raise ValueError(
                f"Layer '{self.name}' (Reshape): inputs of shape {format_shape(input_shape)} "
                f"have {total} values per example, which target_shape={self.target_shape} "
                "cannot hold"
            )
        return (input_shape[0], *self.target_shape)
