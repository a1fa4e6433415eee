"""A fully connected layer's computation, activation(x @ kernel + bias), fused into one primitive.

Composed from parts it is a matmul, an add (whose broadcast the engine undoes with a sum)
and an activation: three ops to record and three rules to run, each with its Python
overhead, in every training step. Fused, it is one op whose rule is the textbook backward of
a dense layer, the lines a hand-written numpy training step has:
dz = g * act'(z), dx = dz @ W.T, dW = x.T @ dz, db = dz summed over the rows.
"""

from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor, TensorLike
from .unary import sigmoid

DERIVATIVES = {
    "linear": "dz = g",
    "relu": "dz = g * (out > 0)        (relu'(0) = 0)",
    "sigmoid": "dz = g * out * (1 - out)",
    "tanh": "dz = g * (1 - out^2)",
}
"""The first line of the rule for each activation `dense` fuses: act'(z) written with the
output out = act(z), which is why exactly these are fused (see `Dense.dz`)."""

ACTIVATIONS = tuple(DERIVATIVES)


class Dense(Op):
    """activation(x @ kernel + bias) for x (..., n), kernel (n, k) and bias (k,) or none."""

    def __init__(self, activation: str) -> None:
        self.activation = activation

    # The forward keeps nothing for the backward: each fused activation's derivative is a
    # function of its output (relu's mask z > 0 is out > 0), and the engine hands the rule
    # the output anyway, so there is nothing to recompute. A hand-written numpy step keeps z
    # for relu's mask; here z is overwritten by the output, one array less. (The fused loss
    # keeps its softmax because computing it again would cost the exps a second time.)
    def forward(self, x, kernel, bias=None):
        if x.ndim != 2:  # every position along the leading axes is a row (see `rows`)
            return self.forward(rows(x), kernel, bias).reshape(*x.shape[:-1], kernel.shape[1])
        z = x @ kernel  # a new array: adding the bias and relu can overwrite it
        if bias is not None:
            # in place when the dtypes agree (the usual case); else numpy's promotion decides,
            # as in x @ kernel + bias (a float64 bias makes a float32 product float64)
            z = np.add(z, bias, out=z) if z.dtype == bias.dtype else z + bias
        if self.activation == "relu":
            return np.maximum(z, 0, out=z)
        if self.activation == "sigmoid":
            return sigmoid(z)
        if self.activation == "tanh":
            return np.tanh(z)
        return z

    def backward(self, g, out, x, kernel, bias=None):
        """dz = g * act'(z), from the output out = act(z): relu g * (out > 0), ...
        dx = dz @ kernel.T,  dkernel = x.T @ dz,  dbias = dz.sum(axis=0)"""
        if x.ndim != 2:  # the same rule on the matrix of rows, dx back in x's shape
            dx, *dparams = self.backward(rows(g), rows(out), rows(x), kernel, bias)
            return (None if dx is None else dx.reshape(x.shape), *dparams)
        needed = self.needs_input_grad
        dz = self.dz(g, out)
        dx = dz @ kernel.T if needed[0] else None
        dkernel = x.T @ dz if needed[1] else None
        if bias is None:
            return dx, dkernel
        return dx, dkernel, dz.sum(axis=0) if needed[2] else None

    @property
    def rule(self) -> str:
        """The rule with this op's activation written out, as pictures show it."""
        return f"{DERIVATIVES[self.activation]}\n{super().rule.splitlines()[-1]}"

    def dz(self, g, out):
        """The gradient of the activation's input z, from the output's gradient `g`."""
        if self.activation == "relu":
            return g * (out > 0)
        if self.activation == "sigmoid":
            return g * out * (1 - out)
        if self.activation == "tanh":
            return g * (1 - out * out)
        return g


def rows(a):
    """`a` (..., n) as a matrix of rows (positions, n), for x, the output and their gradients.

    Every position along the leading axes (batch axes, or none for a vector) is a row of the
    products: numpy's matmul of an N-d array by a matrix loops over the leading axes, one
    small product each, several times slower than one product of the 2-D matrix."""
    return a if a.ndim == 2 else a.reshape(-1, a.shape[-1])


def dense(
    x: TensorLike, kernel: TensorLike, bias: TensorLike | None = None, activation: str = "linear"
) -> Tensor:
    """activation(x @ kernel + bias) as one op, for x (..., n), kernel (n, k), bias (k,) or None,
    and activation 'linear', 'relu', 'sigmoid' or 'tanh'. The same numbers as the composition
    `ag.relu(x @ kernel + bias)`, with one op to record and one rule to run.

    >>> import autograd_lite as ag
    >>> x = ag.Tensor([[1.0, -2.0]])
    >>> kernel = ag.Tensor([[1.0, 1.0], [1.0, -1.0]], requires_grad=True)
    >>> y = ag.dense(x, kernel, ag.Tensor([0.5, 0.5]), activation="relu")
    >>> y.data
    array([[0. , 3.5]], dtype=float32)
    >>> y.sum().backward()
    >>> kernel.grad          # x.T @ (out > 0): only the second unit is on
    array([[ 0.,  1.],
           [ 0., -2.]], dtype=float32)
    """
    if activation not in ACTIVATIONS:
        names = ", ".join(repr(name) for name in ACTIVATIONS)
        raise ValueError(f"dense: activation must be one of {names}, got {activation!r}")
    x_shape, kernel_shape = _shape(x), _shape(kernel)
    if len(kernel_shape) != 2:
        raise ValueError(f"dense: kernel must be 2-D (inputs, units), got shape {kernel_shape}")
    if not x_shape or x_shape[-1] != kernel_shape[0]:
        raise ValueError(
            f"dense: x of shape {x_shape} does not fit a kernel of shape {kernel_shape}: "
            f"x's last axis must be {kernel_shape[0]}"
        )
    if bias is None:
        return Dense.apply(x, kernel, activation=activation)
    if _shape(bias) != kernel_shape[1:]:
        raise ValueError(
            f"dense: bias must have shape {kernel_shape[1:]} for a kernel of shape "
            f"{kernel_shape}, got {_shape(bias)}"
        )
    return Dense.apply(x, kernel, bias, activation=activation)


def _shape(value: TensorLike) -> tuple[int, ...]:
    return value.shape if isinstance(value, (Tensor, np.ndarray)) else np.shape(value)
