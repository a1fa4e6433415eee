"""Activation functions: `Dense(25, activation="relu")`, or called directly on data.

Each is a composition of engine ops, so its gradient comes from the engine. Called on a
Tensor they return a Tensor (inside the graph). Called on a numpy array or a list they
return an `EagerArray`: a numpy array that also has `.numpy()`, so the course's
`tf.nn.softmax(logits).numpy()` runs unchanged:

    >>> import numpy as np
    >>> from nn.activations import relu, softmax
    >>> relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    >>> p = softmax([[1.0, 1.0]])
    >>> p.numpy(), f"{p.max():.2f}"
    (array([[0.5, 0.5]], dtype=float32), '0.50')
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd_lite as ag

from .utils import check_number, lookup


class EagerArray(np.ndarray):
    """A numpy array with `.numpy()`, what the activations return for numpy or list input.

    Keras returns a backend tensor there, and the course calls `.numpy()` on it. A numpy
    subclass keeps everything else numpy, as the examples and notebooks use it (np functions,
    slicing, printing, f-strings, `p.max()` a numpy scalar), where an `ag.Tensor` would
    not: `p.max()` would be a Tensor, `np.round(p, 3)` an error. Arrays computed from it
    stay EagerArrays, as TensorFlow's tensors stay tensors; single elements and full
    reductions are numpy scalars, as in numpy (they have no `.numpy()`).

    >>> p = EagerArray.wrap(np.array([0.25, 0.75]))
    >>> p.numpy(), (2 * p[1:]).numpy(), p.max()
    (array([0.25, 0.75]), array([1.5]), np.float64(0.75))
    """

    @staticmethod
    def wrap(array: np.ndarray) -> EagerArray:
        """`array` seen as an EagerArray (no copy)."""
        return array.view(EagerArray)

    def numpy(self) -> np.ndarray:
        """The values as a plain numpy array (a view, no copy), as `tf.Tensor.numpy()`."""
        return self.view(np.ndarray)

    def __array_wrap__(
        self, array: np.ndarray, context: Any = None, return_scalar: bool = False
    ) -> Any:
        # numpy >= 2 asks for a scalar after a full reduction (p.max()): give numpy's scalar
        if return_scalar:
            return array[()]
        return super().__array_wrap__(array, context, return_scalar)

    def __repr__(self) -> str:
        return repr(self.numpy())  # shown as numpy shows it: array([...], dtype=float32)


def _tensor_or_numpy(function: Callable[..., ag.Tensor]) -> Callable[..., Any]:
    """Let `function` (written for Tensors) also take arrays and lists, returning an
    EagerArray."""

    @functools.wraps(function)
    def wrapper(x: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(x, ag.Tensor):
            return function(x, *args, **kwargs)
        array = np.asarray(x) if x is not None else None
        if array is None or array.dtype.kind not in "biuf":
            got = "None" if array is None else f"dtype {array.dtype}"
            raise TypeError(f"{function.__name__}: x must be numeric, got {got}")
        if array.dtype.kind != "f" or not isinstance(x, np.ndarray):
            array = array.astype(np.float32)  # lists and integers become float32, as in Keras
        with ag.no_grad():
            return EagerArray.wrap(function(ag.from_numpy(array), *args, **kwargs).data)

    return wrapper


@_tensor_or_numpy
def linear(x: ag.Tensor) -> ag.Tensor:
    """The identity: f(x) = x (the output of a regression, or logits for `from_logits=True`).

    >>> linear([1.0, -2.0])
    array([ 1., -2.], dtype=float32)
    """
    return x


@_tensor_or_numpy
def relu(
    x: ag.Tensor,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> ag.Tensor:
    """Rectified linear unit: f(x) = max(x, 0); f'(0) is taken as 0.

    With Keras 3's options, in Keras's own order of steps (`keras.activations.relu`):
    y = x where x > threshold, else 0; then y = clip(y, 0, max_value); then
    y -= negative_slope * max(threshold - x, 0). So x = threshold gives 0 (not threshold),
    and for threshold >= 0 the values in (threshold, max_value] pass unchanged.

    >>> relu([-3.0, 0.5])
    array([0. , 0.5], dtype=float32)
    >>> relu([-3.0, 1.0, 2.0, 7.0], negative_slope=0.1, max_value=6.0, threshold=1.0)
    array([-0.4,  0. ,  2. ,  6. ], dtype=float32)
    """
    for name, value in (("negative_slope", negative_slope), ("threshold", threshold)):
        check_number("relu", name, value)
    if max_value is not None:
        check_number("relu", "max_value", max_value)
    y = ag.relu(x) if threshold == 0 else ag.where(x > threshold, x, 0.0)
    if max_value is not None:
        y = ag.clip(y, 0.0, max_value)
    if negative_slope != 0:
        y = y - negative_slope * ag.relu(threshold - x)
    return y


@_tensor_or_numpy
def sigmoid(x: ag.Tensor) -> ag.Tensor:
    """Logistic function: f(x) = 1 / (1 + e^-x), computed without overflow.

    >>> sigmoid([0.0, 1e4, -1e4])
    array([0.5, 1. , 0. ], dtype=float32)
    """
    return ag.sigmoid(x)


@_tensor_or_numpy
def tanh(x: ag.Tensor) -> ag.Tensor:
    """Hyperbolic tangent: f(x) = (e^x - e^-x) / (e^x + e^-x).

    >>> tanh([0.0])
    array([0.], dtype=float32)
    """
    return ag.tanh(x)


@_tensor_or_numpy
def softmax(x: ag.Tensor, axis: int = -1) -> ag.Tensor:
    """Probabilities along `axis`: f(x)_i = e^(x_i) / sum_j e^(x_j), finite for logits of +-1e4.

    >>> softmax([[0.0, 0.0, 0.0, 0.0], [1e4, 0.0, 0.0, 0.0]])
    array([[0.25, 0.25, 0.25, 0.25],
           [1.  , 0.  , 0.  , 0.  ]], dtype=float32)
    """
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"softmax: axis must be an integer, got {axis!r}")
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"softmax: axis {axis} is out of range for an input of shape {x.shape}")
    return ag.softmax(x, axis=axis)


@_tensor_or_numpy
def leaky_relu(x: ag.Tensor, negative_slope: float = 0.2) -> ag.Tensor:
    """f(x) = x for x > 0, else negative_slope * x (Keras's string 'leaky_relu' uses 0.2).

    >>> leaky_relu([-1.0, 2.0])
    array([-0.2,  2. ], dtype=float32)
    """
    return ag.leaky_relu(x, negative_slope=negative_slope)


@_tensor_or_numpy
def silu(x: ag.Tensor) -> ag.Tensor:
    """Sigmoid-weighted linear unit, also called swish: f(x) = x * sigmoid(x).

    >>> silu([0.0, 1.0]).round(4)
    array([0.    , 0.7311], dtype=float32)
    """
    return ag.silu(x)


swish = silu

ALL_ACTIVATIONS: dict[str, Callable[..., Any]] = {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "leaky_relu": leaky_relu,
    "silu": silu,
    "swish": silu,  # Keras's alias
}


def get(identifier: str | Callable[..., Any] | None) -> Callable[..., Any]:
    """The activation for a name, a callable (returned as is) or None (linear).

    >>> get("swish") is silu
    True
    """
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    return lookup("activation", identifier, ALL_ACTIVATIONS, "or pass a function of a Tensor")
