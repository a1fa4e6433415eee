"""Comparisons, logic, sign and argmax: results that carry no gradient, so no Op is needed.

Each returns a plain tensor outside the graph (`requires_grad=False`), even when its
inputs require grad: a step function's derivative is zero wherever it exists.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..op import tensor_method
from ..tensor import Tensor, TensorLike


def _array(x: TensorLike) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _constant(numpy_function: Callable[..., Any], name: str, doc: str) -> Callable[..., Tensor]:
    """A tensor function that applies `numpy_function` to the arrays and records nothing."""

    def function(*args: TensorLike, **kwargs: Any) -> Tensor:
        try:
            result = numpy_function(*(_array(a) for a in args), **kwargs)
            if not any(isinstance(a, Tensor) for a in args):
                return result  # numpy in, numpy out, like every ag function
        except (ValueError, TypeError) as error:
            shapes = ", ".join(str(np.shape(_array(a))) for a in args)
            raise ValueError(f"{name}: cannot apply to shapes {shapes}: {error}") from None
        return Tensor._wrap(np.asarray(result))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return tensor_method(function)


less = _constant(np.less, "less", "a < b elementwise (bool, no gradient).")
less_equal = _constant(np.less_equal, "less_equal", "a <= b elementwise (bool, no gradient).")
greater = _constant(np.greater, "greater", "a > b elementwise (bool, no gradient).")
greater_equal = _constant(
    np.greater_equal, "greater_equal", "a >= b elementwise (bool, no gradient)."
)
equal = _constant(np.equal, "equal", "a == b elementwise (bool, no gradient).")
not_equal = _constant(np.not_equal, "not_equal", "a != b elementwise (bool, no gradient).")
logical_and = _constant(np.logical_and, "logical_and", "a and b elementwise (bool).")
logical_or = _constant(np.logical_or, "logical_or", "a or b elementwise (bool).")
logical_not = _constant(np.logical_not, "logical_not", "not x elementwise (bool).")
sign = _constant(np.sign, "sign", "-1, 0 or 1 by the sign of each element (no gradient).")
isfinite = _constant(np.isfinite, "isfinite", "True where the element is neither inf nor NaN.")
argmax = _constant(np.argmax, "argmax", "Index of the largest element along `axis` (np.argmax).")
argmin = _constant(np.argmin, "argmin", "Index of the smallest element along `axis` (np.argmin).")

Tensor.__lt__ = less
Tensor.__le__ = less_equal
Tensor.__gt__ = greater
Tensor.__ge__ = greater_equal
Tensor.__eq__ = equal
Tensor.__ne__ = not_equal
Tensor.__and__ = Tensor.__rand__ = logical_and
Tensor.__or__ = Tensor.__ror__ = logical_or
Tensor.__invert__ = logical_not
