"""Small helpers: seeding for reproducible runs, and the name lookup behind every `get()`."""

from __future__ import annotations

import numbers
import random
import re
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


def check_in_range(owner: str, name: str, value: Any, interval: str) -> float:
    """`value` as a float if it is a real number in `interval` (written as in mathematics:
    "(0, inf)", "[0, 1)", "[0, 1]"); otherwise an error naming `owner`, `name` and the value.
    Bools and strings are refused: `True` or `"0.01"` as a learning rate is a mistake.

    >>> check_in_range("Adam", "beta_1", 0.9, "[0, 1)")
    0.9
    >>> check_in_range("Adam", "beta_1", 1.0, "[0, 1)")
    Traceback (most recent call last):
    ValueError: Adam: beta_1 must be in [0, 1), got 1.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: {name} must be a number in {interval}, "
            f"got {value!r} ({type(value).__name__})"
        )
    low, high = (float(bound) for bound in interval[1:-1].split(","))
    x = float(value)
    above = x >= low if interval[0] == "[" else x > low
    below = x <= high if interval[-1] == "]" else x < high
    if not (above and below):  # also refuses NaN
        raise ValueError(f"{owner}: {name} must be in {interval}, got {value!r}")
    return x


def check_flag(owner: str, argument: str, value: Any) -> bool:
    """`value` as a bool if it is one (numpy's included), else an error naming `owner` and
    `argument`: a flag given as "yes" or 1 is a mistake.

    >>> check_flag("SGD", "nesterov", True)
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {argument} must be True or False, got {value!r}")
    return bool(value)


def check_name(owner: str, name: Any) -> str | None:
    """`name` if it is None (the owner picks its automatic name) or a non-empty string, else
    an error naming `owner`.

    >>> check_name("Dense", "hidden")
    'hidden'
    """
    if name is not None and (not isinstance(name, str) or not name):
        raise TypeError(f"{owner}: name must be a non-empty string, got {name!r}")
    return name


def snake_case(name: str) -> str:
    """Keras's `to_snake_case`, its automatic names: MeanSquaredError -> mean_squared_error,
    Conv2D -> conv2d, RMSprop -> rm_sprop.

    >>> snake_case("MaxPooling1D"), snake_case("AdamW")
    ('max_pooling1d', 'adam_w')
    """
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


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
