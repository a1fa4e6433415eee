"""Regularizers, as Keras 3's: penalties on a layer's weights or outputs that training adds
to the loss.

    Dense(25, activation="relu", kernel_regularizer=L2(0.01))

adds 0.01 * sum(kernel^2) to the loss. A layer's `kernel_regularizer` and `bias_regularizer`
penalize its weights, `activity_regularizer` its output (divided by the batch size); the
layer lists the penalties in `layer.losses` (computed from the current weights each time it
is read) and `fit` adds their sum to the loss. Each penalty is made of engine ops on the
weight, so backpropagation through `loss + sum(model.losses)` trains the weights, and it is
computed in the weight's dtype, as Keras (the factor rounded to it).

A regularizer is given as an instance (`L2(0.01)`), a name (`"l2"`: `L2()`, with Keras's
default 0.01), a record as `get_config` writes it, or any function of a weight returning a
scalar Tensor.

    >>> import numpy as np
    >>> L2(2.0)(np.ones((5, 5)))        # 2 * 25, Keras's docstring example
    np.float64(50.0)
    >>> get("l1").get_config()          # Keras keeps l1 as float32: 0.01 rounded to it
    {'l1': 0.009999999776482582}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import autograd_lite as ag

from . import serialization
from .activations import function_record, read_record
from .utils import check_number, lookup


class Regularizer(serialization.Configurable):
    """The base class: `regularizer(x)` gives the penalty of weight (or output) `x` as a
    scalar Tensor of its dtype; subclasses write `__call__` and `get_config`.

    >>> float(Regularizer()(np.ones(3)))
    0.0
    """

    def __call__(self, x: Any) -> Any:
        """The penalty; 0 for the base class, as Keras's."""
        return ag.sum(x * 0)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")


class L1L2(Regularizer):
    """penalty = l1 * sum(|x|) + l2 * sum(x^2), each term only when its factor is not 0.

    The defaults are 0 (no penalty), as Keras 3's L1L2; the name "l1l2" gives L1L2().

    >>> L1L2(l1=0.5, l2=0.25)(np.array([1.0, -2.0]))
    np.float64(2.75)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = factor("L1L2", "l1", 0.0 if l1 is None else l1)
        self.l2 = factor("L1L2", "l2", 0.0 if l2 is None else l2)

    def __call__(self, x: Any) -> Any:
        terms = []
        if self.l1:
            terms.append(self.l1 * ag.sum(ag.abs(x)))
        if self.l2:
            terms.append(self.l2 * ag.sum(x * x))
        if not terms:
            return super().__call__(x)
        return terms[0] if len(terms) == 1 else terms[0] + terms[1]

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """penalty = l1 * sum(|x|) (the gradient at 0 is taken as 0).

    Keras 3 keeps `l1` as a float32 tensor, so its config, and the factor applied even to
    float64 weights, is `l1` rounded to float32: L1(0.1) has l1 = 0.10000000149011612.

    >>> L1(0.5)(np.array([1.0, -2.0]))
    np.float64(1.5)
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = float(np.float32(factor("L1", "l1", 0.01 if l1 is None else l1)))

    def __call__(self, x: Any) -> Any:
        return self.l1 * ag.sum(ag.abs(x))

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """penalty = l2 * sum(x^2), the course's weight decay: Dense(..., kernel_regularizer=L2(0.01)).

    >>> L2(0.5)(np.array([1.0, -2.0]))
    np.float64(2.5)
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = factor("L2", "l2", 0.01 if l2 is None else l2)

    def __call__(self, x: Any) -> Any:
        return self.l2 * ag.sum(x * x)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


def factor(kind: str, argument: str, value: Any) -> float:
    """A penalty factor: a finite non-negative number, as a float (Keras's check)."""
    number = check_number(kind, argument, value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{kind}: {argument} must be a non-negative number, got {value!r}")
    return number


CLASSES: dict[str, type[Regularizer]] = {"L1": L1, "L2": L2, "L1L2": L1L2}
# Keras 3's names: the classes' and their snake case; "l1_l2" (Keras 2's) is not one of them
ALL_REGULARIZERS: dict[str, type[Regularizer]] = {
    **CLASSES,
    "l1": L1,
    "l2": L2,
    "l1l2": L1L2,
}

RegularizerLike = Regularizer | Callable[[Any], Any]


def get(identifier: Any) -> RegularizerLike | None:
    """The regularizer for a name ("l2": L2() with l2=0.01), a record as `serialize` writes
    it, a Regularizer class (its default instance), or a callable (returned as is); None
    stays None (no penalty).

    >>> get("l2"), get(None)
    (L2(l2=0.01), None)
    """
    if identifier is None:
        return None
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if callable(identifier):
        return identifier
    return lookup(
        "regularizer",
        identifier,
        ALL_REGULARIZERS,
        "or pass a Regularizer such as L1L2(l1=0.01, l2=0.01), or a function of a weight",
    )()


def serialize(regularizer: RegularizerLike | None) -> dict[str, Any] | None:
    """Keras's record of a regularizer (None for None), as layer configs hold it.

    >>> record = serialize(L2(0.05))
    >>> record["module"], record["class_name"], record["config"]
    ('keras.regularizers', 'L2', {'l2': 0.05})
    """
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer):
        return serialization.serialize(regularizer, "keras.regularizers")
    return function_record(regularizer, "regularizer")


def deserialize(record: Mapping[str, Any]) -> Regularizer:
    """The regularizer a `serialize` record describes.

    >>> deserialize({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}})
    L1L2(l1=0.1, l2=0.2)
    """
    return read_record(record, CLASSES, "regularizer")
