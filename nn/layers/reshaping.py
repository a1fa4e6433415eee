"""Flatten: one feature axis per example, e.g. between convolutions and Dense layers."""

from __future__ import annotations

import math

import autograd_lite as ag

from .base import Layer, Shape


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...), as Keras's Flatten.

    >>> import numpy as np, nn
    >>> nn.Flatten()(np.ones((2, 3, 4))).shape
    (2, 12)
    """

    def build(self, input_shape: Shape) -> None:
        pass  # no weights

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))  # explicit: a batch may be empty

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        features = input_shape[1:]
        return (input_shape[0], None if None in features else math.prod(features))
