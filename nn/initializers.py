"""Weight initializers: functions `(shape, dtype) -> numpy array`, named as in Keras.

The random ones draw from `ag.random_generator()`, so `nn.set_seed(s)` (or
`ag.manual_seed(s)`) makes every model's initial weights reproducible.

    >>> import nn
    >>> nn.set_seed(0)
    >>> w = glorot_uniform((400, 25))
    >>> w.dtype, bool(abs(w).max() <= (6 / 425) ** 0.5)
    (dtype('float32'), True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd_lite as ag

from .utils import lookup

Shape = tuple[int, ...]
Initializer = Callable[[Shape, Any], np.ndarray]


def zeros(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """All zeros (Keras's default for biases).

    >>> zeros((2,))
    array([0., 0.], dtype=float32)
    """
    return np.zeros(shape, dtype=dtype)


def ones(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """All ones.

    >>> ones((2,))
    array([1., 1.], dtype=float32)
    """
    return np.ones(shape, dtype=dtype)


def glorot_uniform(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """Uniform in [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out)) (Keras's default).

    >>> glorot_uniform((3, 5)).shape
    (3, 5)
    """
    fan_in, fan_out = _fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return ag.random_generator().uniform(-limit, limit, size=shape).astype(dtype)


def he_uniform(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """Uniform in [-limit, limit] with limit = sqrt(6 / fan_in) (suits ReLU layers).

    >>> he_uniform((4, 2)).shape
    (4, 2)
    """
    fan_in, _ = _fans(shape)
    limit = math.sqrt(6.0 / fan_in)
    return ag.random_generator().uniform(-limit, limit, size=shape).astype(dtype)


def random_normal(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """Normal with mean 0 and standard deviation 0.05 (Keras's RandomNormal defaults).

    >>> random_normal((2, 2)).shape
    (2, 2)
    """
    return (0.05 * ag.random_generator().standard_normal(shape)).astype(dtype)


def _fans(shape: Shape) -> tuple[int, int]:
    """(fan_in, fan_out) as Keras computes them: a kernel (in, out) gives (in, out)."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


ALL_INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "ones": ones,
    "glorot_uniform": glorot_uniform,
    "he_uniform": he_uniform,
    "random_normal": random_normal,
}


def get(identifier: str | Initializer) -> Initializer:
    """The initializer for a name, or a callable `(shape, dtype) -> array` returned as is.

    >>> get("zeros") is zeros
    True
    """
    if callable(identifier):
        return identifier
    return lookup(
        "initializer", identifier, ALL_INITIALIZERS, "or pass a function (shape, dtype) -> array"
    )
