"""Comparisons, logic, sign, argmax and stop_gradient: results that carry no gradient.

A step function's derivative is zero wherever it exists, so these pass no gradient back and
their results never require grad. Comparisons, logic and sign are still recorded (as
`PiecewiseConstant` ops) when an input requires grad: a replay (`ag.trace`) recomputes them
from the new data, and graph pictures show them. argmax, argmin and isfinite are plain
numpy, outside the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..op import Op
from ..tensor import Tensor, TensorLike, note_value_read


class PiecewiseConstant(Op):
    """An elementwise function that is constant between jumps (a comparison, logic, sign),
    recorded without a gradient."""

    differentiable = False

    def __init__(self, function: np.ufunc) -> None:
        self.function = function

    @property
    def name(self) -> str:
        """The function's name in error messages (`less`), not the op's."""
        return self.function.__name__

    def forward(self, *xs):
        return self.function(*xs)

    def backward(self, g, out, *xs):
        """no gradient: a step function is flat wherever it is differentiable"""
        return (None,) * len(xs)


class StopGradient(Op):
    """The identity that passes no gradient back: its input is treated as a constant."""

    differentiable = False

    def forward(self, x):
        return x

    def backward(self, g, out, x):
        """no gradient: the input is treated as a constant"""
        return (None,)


def _public(function: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
    """`function` named and documented as the `ag` function `name`."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


def _step(ufunc: np.ufunc, name: str, doc: str) -> Callable[..., Tensor]:
    return _public(lambda *args: PiecewiseConstant.apply(*args, function=ufunc), name, doc)


less = _step(np.less, "less", "a < b elementwise (bool, no gradient).")
less_equal = _step(np.less_equal, "less_equal", "a <= b elementwise (bool, no gradient).")
greater = _step(np.greater, "greater", "a > b elementwise (bool, no gradient).")
greater_equal = _step(np.greater_equal, "greater_equal", "a >= b elementwise (bool, no gradient).")
equal = _step(np.equal, "equal", "a == b elementwise (bool, no gradient).")
not_equal = _step(np.not_equal, "not_equal", "a != b elementwise (bool, no gradient).")
logical_and = _step(np.logical_and, "logical_and", "a and b elementwise (bool).")
logical_or = _step(np.logical_or, "logical_or", "a or b elementwise (bool).")
logical_not = _step(np.logical_not, "logical_not", "not x elementwise (bool).")
# The operators & | ~ mean what they mean on ndarrays: logical on bools, bitwise on integers.
bitwise_and = _step(np.bitwise_and, "bitwise_and", "a & b elementwise (bool or integer).")
bitwise_or = _step(np.bitwise_or, "bitwise_or", "a | b elementwise (bool or integer).")
invert = _step(np.invert, "invert", "~x elementwise: not for bools, bitwise for integers.")
sign = _step(np.sign, "sign", "-1, 0 or 1 by the sign of each element (no gradient).")


def stop_gradient(x: TensorLike) -> Tensor:
    """x itself, as a constant for backprop: no gradient flows through it
    (jax.lax.stop_gradient)."""
    return StopGradient.apply(x)


def _unrecorded(numpy_function: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
    def function(x: TensorLike, **kwargs: Any) -> Any:
        if not isinstance(x, Tensor):
            return numpy_function(x, **kwargs)
        note_value_read(f"{name}()")  # its result is not recorded: a replay could not redo it
        return Tensor._wrap(np.asarray(numpy_function(x.data, **kwargs)))

    return _public(function, name, doc)


isfinite = _unrecorded(np.isfinite, "isfinite", "True where the element is neither inf nor NaN.")
argmax = _unrecorded(np.argmax, "argmax", "Index of the largest element along `axis` (np.argmax).")
argmin = _unrecorded(np.argmin, "argmin", "Index of the smallest element along `axis` (np.argmin).")
