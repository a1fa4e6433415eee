"""Dropout: in training, each unit is dropped (set to 0) with probability `rate`, as Keras's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from .base import ElementwiseLayer


class Dropout(ElementwiseLayer):
    """Inverted dropout, as Keras's: with `training=True` (in `fit`),

        output = x * keep / (1 - rate),   keep = (u >= rate),  u ~ Uniform[0, 1)

    so each unit is kept with probability 1 - rate and the expected output is x; with
    `training=False` (predict, evaluate, a plain call) the output is x itself. The draw `u`
    is an engine op (`ag.random_uniform`), so a traced `fit` draws a new mask on every batch.

    `noise_shape` gives the mask's shape, broadcast over the input (None entries take the
    input's size): (None, 1, features) drops the same features at every time step. `seed`
    gives the layer its own generator; without it, masks come from the library's generator
    (`nn.set_seed`).

    >>> import numpy as np, nn
    >>> layer = nn.Dropout(0.5, seed=0)
    >>> layer(np.ones((1, 4)), training=True).numpy()   # kept units scaled by 1 / (1 - 0.5)
    array([[2., 0., 0., 0.]], dtype=float32)
    >>> layer(np.ones((1, 4))).numpy()                  # not training: the identity
    array([[1., 1., 1., 1.]], dtype=float32)
    """

    def __init__(
        self,
        rate: float,
        noise_shape: Sequence[int | None] | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
            raise TypeError(f"Dropout: rate must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(
                f"Dropout: rate must be in [0, 1) (the fraction of units dropped), got {rate!r}"
            )
        if noise_shape is not None and (
            not isinstance(noise_shape, (tuple, list))
            or not all(n is None or _is_size(n) for n in noise_shape)
        ):
            raise ValueError(
                "Dropout: noise_shape must be None or a tuple of positive integers and None, "
                f"such as (None, 1, 8), got {noise_shape!r}"
            )
        if seed is not None and not (_is_size(seed) or seed == 0):
            raise ValueError(f"Dropout: seed must be None or a non-negative integer, got {seed!r}")
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.generator = None if seed is None else np.random.default_rng(seed)

    def call(self, x: ag.Tensor, training: bool = False) -> ag.Tensor:
        if not training or self.rate == 0:
            return x
        u = ag.random_uniform(self._mask_shape(x.shape), x.dtype, self.generator)
        keep = u >= self.rate
        return x * keep / (1 - self.rate)

    def get_config(self) -> dict[str, Any]:
        config = {"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}
        return {**super().get_config(), **config}

    def _mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """`noise_shape` with its None entries filled in from `shape`, checked against it."""
        if self.noise_shape is None:
            return shape
        mask = tuple(n if n is not None else d for n, d in zip(self.noise_shape, shape))
        fits = len(mask) == len(shape) and all(m in (1, d) for m, d in zip(mask, shape))
        if not fits:
            raise ValueError(
                f"Layer '{self.name}' (Dropout): noise_shape {self.noise_shape} does not fit "
                f"inputs of shape {shape}: it needs one entry per axis, each None, 1 or the "
                "input's size"
            )
        return mask


def _is_size(n: Any) -> bool:
    return isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
