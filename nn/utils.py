"""Small helpers for reproducible runs."""

from __future__ import annotations

import random

import numpy as np

import autograd_lite as ag


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
