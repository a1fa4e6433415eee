"""Small helpers: seeding for reproducible runs, and the name lookup behind every `get()`."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

import autograd_lite as ag

T = TypeVar("T")


def set_random_seed(seed: int) -> None:
    """Seed everything nn draws from: initial weights and shuffling (the engine's generator),
    plus Python's `random` and numpy's global generator, as `keras.utils.set_random_seed`
    (and the course's `tf.random.set_seed`) do. `nn.set_seed` is the same function.

    >>> import nn
    >>> nn.utils.set_random_seed(1); a = nn.Dense(2)(np.ones((1, 3))).data
    >>> nn.set_seed(1); b = nn.Dense(2)(np.ones((1, 3))).data
    >>> bool((a == b).all())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(
            "set_random_seed: seed must be an integer in [0, 2**32 - 1] (numpy's range), "
            f"got {seed!r}"
        )
    ag.manual_seed(int(seed))
    random.seed(int(seed))
    np.random.seed(int(seed))


set_seed = set_random_seed


def check_number(caller: str, argument: str, value: Any) -> float:
    """`value` as a float, or a TypeError naming the caller and the argument (a bool or a
    string is not a number here).

    >>> check_number("ReLU", "max_value", 6)
    6.0
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{caller}: {argument} must be a number, got {value!r}")
    return float(value)


def lookup(kind: str, identifier: Any, table: Mapping[str, T], alternative: str) -> T:
    """`table[identifier]`, or an error naming the valid names and the `alternative`.

    >>> lookup("loss", "mse", {"mse": 1}, "or pass a Loss")
    1
    """
    if isinstance(identifier, str) and identifier in table:
        return table[identifier]
    raise ValueError(
        f"Unknown {kind} {identifier!r}. Valid names: {', '.join(sorted(table))} ({alternative})"
    )
