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
import types
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import autograd_lite as ag

from . import serialization
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
    return ag.softmax(x, axis=_check_axis("softmax", axis, x))


def _check_axis(caller: str, axis: Any, x: ag.Tensor) -> int:
    """`axis` if it is an integer naming an axis of `x`, else an error naming `caller`."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{caller}: axis must be an integer, got {axis!r}")
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"{caller}: axis {axis} is out of range for an input of shape {x.shape}")
    return int(axis)


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


def _expm1(x: ag.Tensor) -> ag.Tensor:
    """e^x - 1 for x <= 0, accurate near 0 as numpy's expm1 (which Keras uses) is:
    e^x - 1 = 2t / (1 - t) with t = tanh(x / 2), where e^x - 1 itself would lose the
    digits of a small x to the rounding of e^x near 1."""
    t = ag.tanh(x / 2)
    return 2 * t / (1 - t)


@_tensor_or_numpy
def elu(x: ag.Tensor, alpha: float = 1.0) -> ag.Tensor:
    """Exponential linear unit: f(x) = x for x >= 0, alpha * (e^x - 1) for x < 0.

    >>> elu([-1.0, 2.0]).round(4)
    array([-0.6321,  2.    ], dtype=float32)
    """
    alpha = check_number("elu", "alpha", alpha)
    # e^x of the negative part only: e^x of a large positive x would overflow, and its
    # infinite derivative times the 0 that `where` sends there is NaN
    return ag.where(x >= 0, x, alpha * _expm1(ag.minimum(x, 0.0)))


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@_tensor_or_numpy
def selu(x: ag.Tensor) -> ag.Tensor:
    """Scaled exponential linear unit: f(x) = scale * elu(x, alpha), with Keras's constants
    alpha = 1.67326324... and scale = 1.05070098...

    >>> selu([-1.0, 1.0]).round(4)
    array([-1.1113,  1.0507], dtype=float32)
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


@_tensor_or_numpy
def celu(x: ag.Tensor, alpha: float = 1.0) -> ag.Tensor:
    """Continuously differentiable ELU: f(x) = max(x, 0) + alpha * (e^(min(x, 0) / alpha) - 1).

    >>> celu([-1.0, 2.0], alpha=2.0).round(4)
    array([-0.7869,  2.    ], dtype=float32)
    """
    alpha = check_number("celu", "alpha", alpha)
    return ag.maximum(x, 0.0) + alpha * _expm1(ag.minimum(x, 0.0) / alpha)


@_tensor_or_numpy
def softplus(x: ag.Tensor) -> ag.Tensor:
    """f(x) = log(e^x + 1), computed without overflow.

    >>> softplus([0.0, 100.0]).round(4)
    array([  0.6931, 100.    ], dtype=float32)
    """
    return ag.softplus(x)


@_tensor_or_numpy
def softsign(x: ag.Tensor) -> ag.Tensor:
    """f(x) = x / (|x| + 1).

    >>> softsign([-3.0, 1.0])
    array([-0.75,  0.5 ], dtype=float32)
    """
    return x / (ag.abs(x) + 1)


@_tensor_or_numpy
def exponential(x: ag.Tensor) -> ag.Tensor:
    """f(x) = e^x.

    >>> exponential([0.0])
    array([1.], dtype=float32)
    """
    return ag.exp(x)


@_tensor_or_numpy
def relu6(x: ag.Tensor) -> ag.Tensor:
    """f(x) = min(max(x, 0), 6): relu with max_value=6.

    >>> relu6([-1.0, 3.0, 8.0])
    array([0., 3., 6.], dtype=float32)
    """
    return relu(x, max_value=6.0)


@_tensor_or_numpy
def hard_sigmoid(x: ag.Tensor) -> ag.Tensor:
    """Piecewise linear sigmoid: f(x) = clip(x / 6 + 0.5, 0, 1) (0 for x <= -3, 1 for x >= 3).

    >>> hard_sigmoid([-4.0, 0.0, 1.5])
    array([0.  , 0.5 , 0.75], dtype=float32)
    """
    return ag.clip(x / 6 + 0.5, 0.0, 1.0)


@_tensor_or_numpy
def hard_silu(x: ag.Tensor) -> ag.Tensor:
    """f(x) = x * hard_sigmoid(x), also called hard_swish.

    >>> hard_silu([-4.0, 1.5])
    array([-0.   ,  1.125], dtype=float32)
    """
    return x * hard_sigmoid(x)


@_tensor_or_numpy
def hard_tanh(x: ag.Tensor) -> ag.Tensor:
    """f(x) = clip(x, -1, 1).

    >>> hard_tanh([-2.0, 0.5, 3.0])
    array([-1. ,  0.5,  1. ], dtype=float32)
    """
    return ag.clip(x, -1.0, 1.0)


@_tensor_or_numpy
def log_sigmoid(x: ag.Tensor) -> ag.Tensor:
    """f(x) = log(sigmoid(x)) = -softplus(-x), finite for large |x|.

    >>> log_sigmoid([0.0, -100.0]).round(4)
    array([  -0.6931, -100.    ], dtype=float32)
    """
    return -ag.softplus(-x)


@_tensor_or_numpy
def log_softmax(x: ag.Tensor, axis: int = -1) -> ag.Tensor:
    """Log-probabilities along `axis`: f(x)_i = x_i - m - log(sum_j e^(x_j - m)), m = max(x),
    finite for logits of +-1e4.

    >>> log_softmax([[0.0, np.log(3.0)]]).round(4)
    array([[-1.3863, -0.2877]], dtype=float32)
    """
    return ag.log_softmax(x, axis=_check_axis("log_softmax", axis, x))


@_tensor_or_numpy
def mish(x: ag.Tensor) -> ag.Tensor:
    """f(x) = x * tanh(softplus(x)).

    >>> mish([1.0]).round(4)
    array([0.8651], dtype=float32)
    """
    return x * ag.tanh(ag.softplus(x))


@_tensor_or_numpy
def tanh_shrink(x: ag.Tensor) -> ag.Tensor:
    """f(x) = x - tanh(x).

    >>> tanh_shrink([0.0])
    array([0.], dtype=float32)
    """
    return x - ag.tanh(x)


@_tensor_or_numpy
def squareplus(x: ag.Tensor, b: float = 4) -> ag.Tensor:
    """f(x) = (x + sqrt(x^2 + b)) / 2, a smooth relu (b >= 0).

    >>> squareplus([0.0, 1.5])
    array([1., 2.], dtype=float32)
    """
    if check_number("squareplus", "b", b) < 0:
        raise ValueError(f"squareplus: b must be non-negative, got {b!r}")
    return (x + ag.sqrt(x * x + b)) / 2


ALL_ACTIVATIONS: dict[str, Callable[..., Any]] = {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "leaky_relu": leaky_relu,
    "silu": silu,
    "swish": silu,  # Keras's alias
    "elu": elu,
    "selu": selu,
    "celu": celu,
    "softplus": softplus,
    "softsign": softsign,
    "exponential": exponential,
    "relu6": relu6,
    "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu,
    "hard_swish": hard_silu,  # Keras's alias
    "hard_tanh": hard_tanh,
    "log_sigmoid": log_sigmoid,
    "log_softmax": log_softmax,
    "mish": mish,
    "tanh_shrink": tanh_shrink,
    "squareplus": squareplus,
}


def get(identifier: str | Mapping[str, Any] | Callable[..., Any] | None) -> Callable[..., Any]:
    """The activation for a name, a record as `serialize` writes it, a callable (returned as
    is) or None (linear).

    >>> get("swish") is silu, get({"class_name": "function", "config": "elu"}) is elu
    (True, True)
    """
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, Mapping):
        if identifier.get("class_name") != "function":
            raise ValueError(
                f"Cannot read an activation from {identifier!r:.160}: nn reads activation "
                "functions by name only, not objects such as layers"
            )
        identifier = identifier.get("config")
        if identifier not in ALL_ACTIVATIONS:
            refuse_function_record(identifier, "activation")
    return lookup("activation", identifier, ALL_ACTIVATIONS, "or pass a function of a Tensor")


def serialize(activation: Callable[..., Any]) -> str | dict[str, Any]:
    """What Keras writes for an activation in a config: the name of one of Keras's functions
    (silu for swish), else the record of a function of your own (`function_record`).

    >>> serialize(swish), serialize(get(None))
    ('silu', 'linear')
    """
    name = getattr(activation, "__name__", None)
    if ALL_ACTIVATIONS.get(name) is activation:
        return name
    return function_record(activation, "activation")


def function_record(function: Callable[..., Any], kind: str) -> dict[str, Any]:
    """Keras 3's record of a function of your own given as an activation, initializer or
    regularizer (`serialize_keras_object` of a plain function):

        {"module": "builtins", "class_name": "function", "config": <its name>,
         "registered_name": "function"}

    Keras can read it back only if the function is registered with it, nn not at all
    (`get` says so). Other callables (objects, functools.partial) are an error naming `kind`.

    >>> def doubled(x): return 2 * x
    >>> function_record(doubled, "activation")["config"]
    'doubled'
    """
    if not isinstance(function, types.FunctionType):
        raise TypeError(
            f"The {kind} {function!r:.80} cannot be written to a config: Keras's configs hold "
            "names of functions or records of objects with get_config()"
        )
    return {
        "module": "builtins",
        "class_name": "function",
        "config": function.__name__,
        "registered_name": "function",
    }


def refuse_function_record(name: Any, kind: str) -> None:
    """The error for a config naming a function of your own as a `kind`: nn reads only its
    own functions and classes from configs."""
    raise ValueError(
        f"Cannot read the {kind} function {name!r} from a config: it is not one of nn's (a "
        f"function of your own is written by name only): build the model in code with the "
        "function and read the weights with model.load_weights(path), which takes a .keras "
        "file too"
    )


def read_record(record: Any, classes: Mapping[str, type], kind: str) -> Any:
    """`serialization.deserialize(record, classes, kind)`, with the error of
    `refuse_function_record` for the record of a function of your own."""
    if isinstance(record, Mapping) and record.get("class_name") == "function":
        refuse_function_record(record.get("config"), kind)
    return serialization.deserialize(record, classes, kind)
