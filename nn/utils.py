"""Small helpers: seeding for reproducible runs, and the name lookup behind every `get()`."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

import autograd_lite as ag

T = TypeVar("T")


def set_seed(seed: int) -> None:
    """Seed everything nn draws from: initial weights and shuffling (the engine's generator),
    plus Python's `random` and numpy's global generator, as `keras.utils.set_random_seed`.

    >>> import nn
    >>> nn.set_seed(1); a = nn.Dense(2)(np.ones((1, 3))).data
    >>> nn.set_seed(1); b = nn.Dense(2)(np.ones((1, 3))).data
    >>> bool((a == b).all())
    True
    """
    ag.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)


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
