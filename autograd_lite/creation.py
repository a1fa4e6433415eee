"""Making tensors: from data, filled, random (from the generator in ops/random.py), ranges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .ops.random import random_generator  # the library's seeded generator
from .tensor import Tensor, TensorLike


def tensor(data: TensorLike, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Same as `Tensor(data, requires_grad, dtype)`, named like torch.tensor."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(
    *shape: int | Sequence[int], dtype: Any = np.float32, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros: `zeros(2, 3)` or `zeros((2, 3))`."""
    return Tensor(np.zeros(_shape(shape, "zeros"), dtype), requires_grad=requires_grad)


def ones(
    *shape: int | Sequence[int], dtype: Any = np.float32, requires_grad: bool = False
) -> Tensor:
    """A tensor of ones: `ones(2, 3)` or `ones((2, 3))`."""
    return Tensor(np.ones(_shape(shape, "ones"), dtype), requires_grad=requires_grad)


def randn(
    *shape: int | Sequence[int], dtype: Any = np.float32, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples from the library's generator (see `manual_seed`)."""
    data = random_generator().standard_normal(_shape(shape, "randn")).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def rand(
    *shape: int | Sequence[int], dtype: Any = np.float32, requires_grad: bool = False
) -> Tensor:
    """Uniform samples in [0, 1) from the library's generator (see `manual_seed`), drawn once:
    inside a function given to `ag.trace`, draw with `ag.random_uniform` (an op drawing anew
    on every replay)."""
    data = random_generator().random(_shape(shape, "rand")).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in [start, stop): int64 for whole numbers, else float32."""
    if step == 0:
        raise ValueError(f"arange: step must not be 0, got start={start!r}, stop={stop!r}, step=0")
    if dtype is None:
        dtype = np.float32 if any(isinstance(v, float) for v in (start, stop, step)) else np.int64
    if stop is None:  # arange(stop) and arange(stop, step=...): from 0, as numpy
        start, stop = 0, start
    for name, value in (("start", start), ("stop", stop), ("step", step)):
        if not np.isfinite(value):
            raise ValueError(f"arange: {name} must be a finite number, got {value!r}")
    data = np.arange(start, stop, step, dtype=dtype)
    return Tensor(data, requires_grad=requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = np.float32, requires_grad: bool = False
) -> Tensor:
    """The identity matrix (n x m, square by default)."""
    rows, columns = _shape((n,) if m is None else (n, m), "eye") * (2 if m is None else 1)
    return Tensor(np.eye(rows, columns, dtype=dtype), requires_grad=requires_grad)


def zeros_like(x: TensorLike, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros_like(np.asarray(x)), requires_grad=requires_grad)


def ones_like(x: TensorLike, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones_like(np.asarray(x)), requires_grad=requires_grad)


def _shape(shape: tuple, caller: str) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{caller}: sizes must be integers, got {n!r} in {shape}")
        if n < 0:
            raise ValueError(f"{caller}: sizes must not be negative, got {n} in {shape}")
    return tuple(int(n) for n in shape)
