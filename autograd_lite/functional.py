"""Ops built from the primitives. None of them has a backward: autodiff follows the parts.

A function moves into `ops/` (and gets a rule) only when its composition is numerically
poor or on the hot path, and the reason is written there. Like the primitives, each takes
Tensors or plain arrays: numpy in, numpy out.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence

import numpy as np

from .ops import concatenate, exp, log, sigmoid, stop_gradient, where
from .ops.reduce import Axis, normalize_axes
from .tensor import Tensor, TensorLike, refuse_tensors_in_list


def mean(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over `axis`: sum(x) / n (of integers and bools in float64, as numpy)."""
    x = _in_float(_operand(x, "mean"), np.float64)
    n = _count(x, axis, "mean")
    return x.sum(axis=axis, keepdims=keepdims) / n


def var(x: TensorLike, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance over `axis`: sum((x - mean)^2) / (n - ddof); ddof=0 as in numpy and Keras.

    With ddof >= n the divisor is 0, as in numpy: inf, or NaN where every deviation is 0."""
    x = _in_float(_operand(x, "var"), np.float64)
    n = _count(x, axis, "var")
    centered = x - x.mean(axis=axis, keepdims=True)
    # numpy's divisor: max(n - ddof, 0), so too few elements give inf or NaN, never a sign flip
    return (centered * centered).sum(axis=axis, keepdims=keepdims) / builtins.max(n - ddof, 0)


def log_softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """log(softmax(x)) = (x - m) - log(sum(e^(x - m))) with m = max(x): finite for logits of
    +-1e4."""
    shifted = _shift_by_max(_in_float(_operand(x, "log_softmax")), axis)
    return shifted - log(exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """e^x / sum(e^x) along `axis`, computed as e^(x - m) / sum(e^(x - m)) so it never overflows."""
    exps = exp(_shift_by_max(_in_float(_operand(x, "softmax")), axis))
    return exps / exps.sum(axis=axis, keepdims=True)


def _shift_by_max(x: Tensor, axis: int) -> Tensor:
    # Softmax is unchanged by subtracting a constant, so the shift needs no gradient (and the
    # backward pass no work for it). Subtracting before anything else keeps float32 precise.
    if x.ndim and x.shape[axis] == 0:
        return x  # an empty axis has no max, and nothing to shift
    return x - stop_gradient(x.max(axis=axis, keepdims=True))


def _in_float(x: Tensor | np.ndarray, dtype: type | None = None) -> Tensor | np.ndarray:
    """Integer or bool x converted to `dtype`, by default to the float type numpy's exp
    would give it (so that x - max(x) cannot wrap around); floating-point x as it is."""
    if x.dtype.kind == "f":
        return x
    return x.astype(dtype or np.result_type(x.dtype, np.float16))


def leaky_relu(x: TensorLike, negative_slope: float = 0.2) -> Tensor:
    """x where x > 0, else negative_slope * x (Keras's default slope 0.2; slope at 0)."""
    x = _operand(x, "leaky_relu")
    return where(x > 0, x, x * negative_slope)


def silu(x: TensorLike) -> Tensor:
    """x * sigmoid(x), also called swish."""
    x = _operand(x, "silu")
    return x * sigmoid(x)


def swish(x: TensorLike) -> Tensor:
    """Keras's name for silu: x * sigmoid(x)."""
    return silu(x)


def flatten(x: TensorLike, start_axis: int = 0) -> Tensor:
    """Merge the axes from `start_axis` on into one (all of them by default)."""
    x = _operand(x, "flatten")
    start_axis = normalize_axes(start_axis, x.ndim, "flatten")[0] if x.ndim else 0
    return x.reshape(x.shape[:start_axis] + (math.prod(x.shape[start_axis:]),))


def squeeze(x: TensorLike, axis: Axis = None) -> Tensor:
    """Drop size-1 axes (all of them, or the ones named, which must have size 1)."""
    x = _operand(x, "squeeze")
    axes = normalize_axes(axis, x.ndim, "squeeze") if axis is not None else None
    if axes is None:
        axes = tuple(a for a, n in enumerate(x.shape) if n == 1)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} of shape {x.shape} has size {x.shape[a]}, not 1")
    return x.reshape(tuple(n for a, n in enumerate(x.shape) if a not in axes))


def expand_dims(x: TensorLike, axis: int) -> Tensor:
    """Insert a size-1 axis at `axis`, as np.expand_dims."""
    x = _operand(x, "expand_dims")
    (axis,) = normalize_axes(axis, x.ndim + 1, "expand_dims")
    return x.reshape(x.shape[:axis] + (1,) + x.shape[axis:])


def stack(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis, as np.stack."""
    if len(tensors) == 0:
        raise ValueError("stack: needs at least one tensor")
    shapes = {_operand(t, "stack").shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    (axis,) = normalize_axes(axis, len(next(iter(shapes))) + 1, "stack")
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


def _operand(x: TensorLike, caller: str) -> Tensor | np.ndarray:
    if isinstance(x, (Tensor, np.ndarray)):
        return x
    refuse_tensors_in_list(x, caller)
    return np.asarray(x)


def _count(x: Tensor, axis: Axis, caller: str) -> int:
    return math.prod(x.shape[a] for a in normalize_axes(axis, x.ndim, caller))
