"""Learning-rate schedules: the learning rate as a function of the step count, in Keras's
formulas, defaults and config keys (`keras.optimizers.schedules`).

A schedule given to an optimizer as its `learning_rate` is called before every update with
`step` = the optimizer's `iterations` (the updates already made: 0 for the first), as Keras
does. Called with an integer, a schedule computes in float32, as Keras's do (their dtype is
that of `initial_learning_rate`, Keras's float32); the optimizer calls it with the step as a
number of the weights' dtype, and the built-in schedules then compute in that dtype (float32
weights: Keras's numbers; float64 weights: float64 throughout, as every nn optimizer does).

    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> print(schedule(0), schedule(10), schedule(20))
    0.1 0.05 0.025
    >>> schedule(10).dtype
    dtype('float32')

A schedule of your own subclasses `LearningRateSchedule` and writes `__call__(step)` (and
`get_config` to be saved), as in Keras.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import serialization
from ..utils import check_flag, check_in_range, check_number

MODULE = "keras.optimizers.schedules"  # the module Keras's records name


class LearningRateSchedule(serialization.Configurable):
    """Base class: `schedule(step)` is the learning rate after `step` updates.

    A subclass writes `__call__(step)` and `get_config()`; `from_config(config)` rebuilds it
    from `get_config()`'s dict, as Keras's `LearningRateSchedule` does.
    """

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`"
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable"
        )

    def _step(self, step: Any) -> tuple[np.floating, Callable[[Any], np.floating]]:
        """`step` as a number of the computation's dtype, and that dtype's constructor:
        a float step's own dtype, float32 (Keras's) for an integer step."""
        check_number(type(self).__name__, "step", step)
        dtype = np.asarray(step).dtype
        real = dtype.type if dtype.kind == "f" else np.float32
        return real(step), real


def _check_decay_steps(owner: str, decay_steps: Any) -> Any:
    """Keras refuses decay_steps <= 0 (a division by it follows); the value is kept as given,
    since get_config writes it back (an int stays an int in the JSON)."""
    check_in_range(owner, "decay_steps", decay_steps, "(0, inf)")
    return decay_steps


class _DecayBySteps(LearningRateSchedule):
    """The arguments and config of ExponentialDecay and InverseTimeDecay, and their progress
    p = step / decay_steps (floored with `staircase=True`). `name` defaults to the class's
    name, as Keras's."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str | None = None,
    ) -> None:
        kind = type(self).__name__
        check_number(kind, "initial_learning_rate", initial_learning_rate)
        check_number(kind, "decay_rate", decay_rate)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _check_decay_steps(kind, decay_steps)
        self.decay_rate = decay_rate
        self.staircase = check_flag(kind, "staircase", staircase)
        self.name = kind if name is None else name

    def _progress(self, step: Any) -> tuple[np.floating, Callable[[Any], np.floating]]:
        step, real = self._step(step)
        p = step / real(self.decay_steps)
        return (np.floor(p) if self.staircase else p), real

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_DecayBySteps):
    """initial_learning_rate decay_rate^(step / decay_steps); with `staircase=True` the
    exponent is floor(step / decay_steps), so the rate drops every decay_steps steps.

    >>> print(ExponentialDecay(0.1, 10, 0.5, staircase=True)(19))
    0.05
    """

    def __call__(self, step: Any) -> np.floating:
        p, real = self._progress(step)
        return real(self.initial_learning_rate) * real(self.decay_rate) ** p


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <=
    boundaries[i], values[-1] after the last boundary.

    >>> schedule = PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01])
    >>> print(schedule(10), schedule(11), schedule(21))
    0.1 0.05 0.01
    """

    def __init__(
        self, boundaries: Sequence[float], values: Sequence[float], name: str = "PiecewiseConstant"
    ) -> None:
        kind = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                f"{kind}: boundaries must have one entry fewer than values, got "
                f"boundaries={boundaries} of length {len(boundaries)} and values={values} of "
                f"length {len(values)}"
            )
        for i, value in enumerate(values):
            check_number(kind, f"values[{i}]", value)
        for i, boundary in enumerate(boundaries):
            check_number(kind, f"boundaries[{i}]", boundary)
            if i and not boundaries[i - 1] < boundary:
                raise ValueError(
                    f"{kind}: boundaries must increase strictly, got boundaries={boundaries}"
                )
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step: Any) -> np.floating:
        step, real = self._step(step)
        return real(self.values[sum(step > boundary for boundary in self.boundaries)])

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From initial_learning_rate to end_learning_rate in decay_steps steps:

        (initial - end) (1 - min(step, decay_steps) / decay_steps)^power + end

    With `cycle=True` the decay restarts: decay_steps is multiplied by ceil(step /
    decay_steps) (by 1 at step 0) instead of step being capped.

    >>> print(PolynomialDecay(0.1, 10, end_learning_rate=0.0)(5))
    0.05
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        kind = type(self).__name__
        check_number(kind, "initial_learning_rate", initial_learning_rate)
        check_number(kind, "end_learning_rate", end_learning_rate)
        check_number(kind, "power", power)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _check_decay_steps(kind, decay_steps)
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = check_flag(kind, "cycle", cycle)
        self.name = name

    def __call__(self, step: Any) -> np.floating:
        step, real = self._step(step)
        decay_steps = real(self.decay_steps)
        if self.cycle:
            decay_steps = decay_steps * (real(1) if step == 0 else np.ceil(step / decay_steps))
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        start, end = real(self.initial_learning_rate), real(self.end_learning_rate)
        return (start - end) * (real(1) - p) ** real(self.power) + end

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(_DecayBySteps):
    """initial_learning_rate / (1 + decay_rate step / decay_steps); with `staircase=True`
    step / decay_steps is floored.

    >>> print(InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2))
    0.05
    """

    def __call__(self, step: Any) -> np.floating:
        p, real = self._progress(step)
        return real(self.initial_learning_rate) / (real(1) + real(self.decay_rate) * p)


class CosineDecay(LearningRateSchedule):
    """Cosine decay (SGDR without restarts), after an optional linear warmup.

    Without `warmup_target`, from initial_learning_rate, with s = min(step, decay_steps):

        initial_learning_rate ((1 - alpha) 0.5 (1 + cos(pi s / decay_steps)) + alpha)

    With `warmup_target`: for step < warmup_steps, the straight line from
    initial_learning_rate to warmup_target, (warmup_target - initial) step / warmup_steps +
    initial; then the decay above from warmup_target, at step - warmup_steps (capped at
    decay_steps).

    >>> print(CosineDecay(0.1, decay_steps=10)(5))  # float32's cos(pi / 2) is -4.4e-8
    0.049999997
    >>> print(CosineDecay(0.0, 10, warmup_target=0.1, warmup_steps=4)(2))
    0.05
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: float = 0,
    ) -> None:
        kind = type(self).__name__
        check_number(kind, "initial_learning_rate", initial_learning_rate)
        check_number(kind, "alpha", alpha)
        if warmup_target is not None:
            check_number(kind, "warmup_target", warmup_target)
        check_in_range(kind, "warmup_steps", warmup_steps, "[0, inf)")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _check_decay_steps(kind, decay_steps)
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decayed(self, step: np.floating, start: np.floating, real: Callable) -> np.floating:
        decay_steps = real(self.decay_steps)
        cosine = real(0.5) * (real(1) + np.cos(real(math.pi) * (step / decay_steps)))
        return start * (real(1 - self.alpha) * cosine + real(self.alpha))

    def __call__(self, step: Any) -> np.floating:
        step, real = self._step(step)
        start, decay_steps = real(self.initial_learning_rate), real(self.decay_steps)
        if self.warmup_target is None:
            return self._decayed(min(step, decay_steps), start, real)
        target, warmup_steps = real(self.warmup_target), real(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return (target - start) * (step / warmup_steps) + start
        return self._decayed(step - warmup_steps, target, real)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


ALL_SCHEDULES: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
    )
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """The schedule as Keras's record: {"module": "keras.optimizers.schedules",
    "class_name", "config", "registered_name"}.

    >>> serialize(ExponentialDecay(0.1, 10, 0.5))["class_name"]
    'ExponentialDecay'
    """
    return serialization.serialize(schedule, MODULE)


def deserialize(record: Mapping[str, Any]) -> LearningRateSchedule:
    """The schedule a `serialize` record (nn's or Keras's) describes.

    >>> schedule = deserialize(serialize(CosineDecay(0.1, 100, alpha=0.01)))
    >>> type(schedule).__name__, schedule.alpha
    ('CosineDecay', 0.01)
    """
    return serialization.deserialize(record, ALL_SCHEDULES, "learning rate schedule")
