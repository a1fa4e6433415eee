"""Random numbers as an op: the library's one seeded generator, and `random_uniform`, a draw
that is part of the graph, so that `ag.trace` replays it with fresh numbers every time.

`ag.rand` makes a leaf: its numbers are drawn once, and a recording would keep them. Noise
that must be new on every call of a traced function (a dropout mask) is drawn with
`random_uniform` instead, whose op draws again each time it runs:

    >>> import autograd_lite as ag
    >>> ag.manual_seed(0)
    >>> a = ag.random_uniform((2,))
    >>> ag.manual_seed(0)
    >>> b = ag.rand(2)
    >>> bool((a.data == b.data).all())   # the same numbers as ag.rand for the same seed
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..op import Op
from ..tensor import Tensor

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed every random draw of the library (randn, rand, random_uniform, nn's initializers,
    shuffling and dropout)."""
    global _generator
    _generator = np.random.default_rng(seed)


def random_generator() -> np.random.Generator:
    """The library's numpy Generator, for code that draws random numbers alongside it."""
    return _generator


class RandomUniform(Op):
    """Uniform samples in [0, 1) of a fixed shape and dtype, drawn anew each time the op runs
    (from `generator`, or the library's generator when None). It has no inputs."""

    differentiable = False

    def __init__(
        self, shape: tuple[int, ...], dtype: np.dtype, generator: np.random.Generator | None
    ) -> None:
        self.shape, self.dtype, self.generator = shape, dtype, generator

    def forward(self):
        generator = _generator if self.generator is None else self.generator
        return generator.random(self.shape).astype(self.dtype, copy=False)  # as ag.rand

    def backward(self, g, out):
        """no gradient: the samples depend on no input"""
        return ()


def random_uniform(
    shape: Sequence[int],
    dtype: Any = np.float32,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Uniform samples in [0, 1) of `shape`, recorded as an op (`RandomUniform`): a traced
    function draws new samples on every call. From `generator` if given, else from the
    library's generator (`ag.manual_seed`), as `ag.rand` does."""
    shape = _checked_shape(shape)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"random_uniform: dtype must be a float type, got {dtype}")
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(
            "random_uniform: generator must be a numpy Generator (np.random.default_rng(seed))"
            f" or None, got {type(generator).__name__}"
        )
    return RandomUniform.apply(shape=shape, dtype=dtype, generator=generator)


def _checked_shape(shape: Any) -> tuple[int, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise ValueError(
            f"random_uniform: shape must be a tuple of non-negative integers, got {shape!r}"
        )
    return tuple(int(n) for n in shape)
