"""An OpInfo-style table: for every primitive in `ag.OPS`, sample calls to gradcheck.

Each case is (label, function, inputs). Inputs are float64 tensors; a tensor created with
requires_grad=False is held constant by gradcheck. Shapes cover broadcasting on each side,
axis/keepdims variants, repeated fancy indices and a node used several times. Values stay
away from kinks (relu and abs at 0, max ties) where the derivative is a convention.
"""

from __future__ import annotations

import numpy as np

import autograd_lite as ag
from autograd_lite.ops.dense import ACTIVATIONS, dense

rng = np.random.default_rng(0)


def r(*shape: int) -> ag.Tensor:
    """Standard normal values."""
    return ag.Tensor(rng.standard_normal(shape), requires_grad=True)


def positive(*shape: int) -> ag.Tensor:
    """Values in [0.5, 2): the domain of log, sqrt and a divisor."""
    return ag.Tensor(rng.uniform(0.5, 2.0, shape), requires_grad=True)


def gap(*shape: int) -> ag.Tensor:
    """Values at least 0.2 from zero, either sign: clear of the kinks of relu and abs."""
    return ag.Tensor(rng.choice([-1, 1], shape) * rng.uniform(0.2, 1.5, shape), requires_grad=True)


def distinct(*shape: int) -> ag.Tensor:
    """A shuffled grid with gaps of 0.1, so there are no max ties."""
    values = rng.permutation(np.prod(shape, dtype=int)) * 0.1 - 1.0
    return ag.Tensor(values.reshape(shape), requires_grad=True)


# constants used inside the functions below (drawn once, so each function is deterministic)
C1 = r(2, 3, 4).detach()
C2 = r(2, 12).detach()
C3 = r(2, 3, 2).detach()

C_MATRIX = ag.Tensor(rng.standard_normal((4, 2)))
C_PAD = ag.Tensor(rng.standard_normal((5, 4)))
C_WIN = ag.Tensor(rng.standard_normal((2, 3, 3)))
C_ARRAY = rng.standard_normal((3, 4))


def const(array) -> ag.Tensor:
    return ag.Tensor(np.asarray(array))


def binary(op):
    """Cases shared by elementwise binary ops: equal shapes, broadcasting each way, scalars."""
    return [
        ("same shape", op, [r(3, 4), r(3, 4)]),
        ("broadcast right", op, [r(3, 4), r(4)]),
        ("broadcast left", op, [r(4), r(2, 3, 4)]),
        ("both sides", op, [r(3, 1), r(1, 4)]),
        ("scalar tensors", op, [r(), r(2, 2)]),
        ("python scalar right", lambda a: op(a, 1.5), [r(2, 3)]),
        ("python scalar left", lambda b: op(1.5, b), [r(2, 3)]),
        ("numpy array left", lambda b: op(np.full(3, 0.7), b), [r(2, 3)]),
        ("same node twice", lambda a: op(a, a), [r(3)]),
    ]


def positive_binary(op):
    """Like `binary`, but the second operand stays positive (a divisor, a power's base)."""
    return [
        ("same shape", op, [r(3, 4), positive(3, 4)]),
        ("broadcast right", op, [r(3, 4), positive(4)]),
        ("broadcast left", op, [r(4), positive(2, 3, 4)]),
        ("python scalar right", lambda a: op(a, 1.5), [r(2, 3)]),
        ("python scalar left", lambda b: op(1.5, b), [positive(2, 3)]),
    ]


def reduction(method, make=r):
    return [
        ("all axes", lambda x: method(x), [make(3, 4)]),
        ("axis 0", lambda x: method(x, axis=0), [make(3, 4)]),
        ("axis -1 keepdims", lambda x: method(x, axis=-1, keepdims=True), [make(3, 4)]),
        ("middle axis", lambda x: method(x, axis=1), [make(2, 3, 4)]),
        ("axis tuple", lambda x: method(x, axis=(0, 2)), [make(2, 3, 4)]),
        ("tuple keepdims", lambda x: method(x, axis=(0, 2), keepdims=True), [make(2, 3, 4)]),
        ("vector", lambda x: method(x), [make(5)]),
    ]


def unary(method, make=r):
    return [
        ("matrix", method, [make(3, 4)]),
        ("scalar", method, [make()]),
        ("reused", lambda x: method(x) * x + method(x), [make(5)]),
    ]


def dense_cases():
    """Each fused activation with and without a bias, then batch axes, a single vector, a
    constant x (as in a first layer) and two layers in a row (the second one's x is an op)."""

    def fused(activation):
        return lambda *xs: dense(*xs, activation=activation)

    cases = []
    for activation in ACTIVATIONS:
        cases.append((f"{activation}, bias", fused(activation), [r(4, 3), r(3, 2), r(2)]))
        cases.append((f"{activation}, no bias", fused(activation), [r(4, 3), r(3, 2)]))
    constant_x = r(4, 3).detach()
    return cases + [
        ("batch axes", fused("relu"), [r(2, 4, 3), r(3, 2), r(2)]),
        ("a vector x", fused("tanh"), [r(3), r(3, 2), r(2)]),
        ("constant x", lambda k, b: dense(constant_x, k, b, "sigmoid"), [r(3, 2), r(2)]),
        (
            "two layers",
            lambda x, k1, k2: dense(dense(x, k1, activation="relu"), k2, activation="tanh"),
            [r(4, 3), r(3, 5), r(5, 2)],
        ),
    ]


CASES = {
    "Add": binary(lambda a, b: a + b),
    "Sub": binary(lambda a, b: a - b),
    "Mul": binary(lambda a, b: a * b),
    "Div": positive_binary(lambda a, b: a / b),
    "Pow": [
        ("tensor exponent", lambda a, b: a**b, [positive(3, 4), r(3, 4)]),
        ("broadcast exponent", lambda a, b: a**b, [positive(3, 4), r(4)]),
        ("square", lambda a: a**2, [r(3, 4)]),
        ("integer power of negatives", lambda a: a**3, [r(5)]),
        ("python base", lambda b: 2.0**b, [r(3)]),
        ("zero exponent", lambda a: a**0.0, [r(3)]),
    ],
    "Neg": unary(lambda x: -x),
    "Exp": unary(ag.exp),
    "Log": unary(ag.log, positive),
    "Sqrt": unary(ag.sqrt, positive),
    "Abs": unary(ag.abs, gap),
    "Tanh": unary(ag.tanh),
    "Sigmoid": unary(ag.sigmoid)
    + [
        (
            "large logits",
            ag.sigmoid,
            [ag.Tensor([-30.0, 30.0], requires_grad=True, dtype=np.float64)],
        )
    ],
    "ReLU": unary(ag.relu, gap),
    "Softplus": unary(ag.softplus)
    + [("at zero", ag.softplus, [ag.Tensor(np.zeros(3), requires_grad=True)])],
    "Clip": [
        (
            "both bounds",
            lambda x: x.clip(-0.5, 0.5),
            [ag.Tensor([-1.0, -0.2, 0.1, 0.3, 2.0], requires_grad=True)],
        ),
        ("lower bound only", lambda x: x.clip(lo=0.0), [gap(3, 4)]),
        ("upper bound only", lambda x: x.clip(hi=0.0), [gap(3, 4)]),
    ],
    "Maximum": [
        ("same shape", ag.maximum, [distinct(3, 4), distinct(3, 4) + 0.05]),
        (
            "broadcast",
            ag.maximum,
            [distinct(3, 4), ag.Tensor([0.05, -0.55, 0.25, 0.95], requires_grad=True)],
        ),
        ("with zero", lambda x: ag.maximum(x, 0.0), [gap(3, 4)]),
    ],
    "Minimum": [
        ("same shape", ag.minimum, [distinct(3, 4), distinct(3, 4) + 0.05]),
        (
            "broadcast",
            ag.minimum,
            [distinct(3, 4), ag.Tensor([0.05, -0.55, 0.25, 0.95], requires_grad=True)],
        ),
        ("with zero", lambda x: ag.minimum(x, 0.0), [gap(3, 4)]),
    ],
    "Where": [
        (
            "elementwise",
            lambda a, b: ag.where(const([[True, False, True]] * 2), a, b),
            [r(2, 3), r(2, 3)],
        ),
        ("broadcast a", lambda a, b: ag.where(const([True, False, True]), a, b), [r(3), r(2, 3)]),
        ("scalar b", lambda a: ag.where(a > 0, a, 0.0), [gap(4)]),
    ],
    "GetItem": [
        ("integer", lambda x: x[1], [r(3, 4)]),
        ("slice", lambda x: x[:, 1:3], [r(3, 4)]),
        ("negative step", lambda x: x[::-2], [r(5)]),
        ("fancy", lambda x: x[np.array([2, 0])], [r(3, 4)]),
        ("repeated fancy", lambda x: x[np.array([1, 1, 0, 1])], [r(3, 2)]),
        ("pairs with repeats", lambda x: x[np.array([0, 1, 0]), np.array([2, 0, 2])], [r(2, 3)]),
        ("mixed slice and array", lambda x: x[:, [0, 0, 2]], [r(2, 3)]),
        ("boolean mask", lambda x: x[x.data > 0], [r(3, 4)]),
        ("ellipsis and None", lambda x: x[..., None, 1], [r(2, 3)]),
    ],
    "IndexAdd": [
        (
            "through getitem's rule",
            lambda x: ag.grad((x[np.array([0, 0, 2])] ** 2).sum(), x, create_graph=True)[0],
            [r(3)],
        ),
    ],
    "Sum": reduction(ag.sum),
    "Max": reduction(ag.max, distinct)
    + [("reused", lambda x: x.max(axis=0) * x.max(), [distinct(3, 2)])],
    "Min": reduction(ag.min, distinct)
    + [("reused", lambda x: x.min(axis=0) * x.min(), [distinct(3, 2)])],
    "LogSumExp": reduction(ag.logsumexp)
    + [("large values", lambda x: ag.logsumexp(x * 1000, axis=-1), [r(2, 3)])],
    "Reshape": [
        ("flat", lambda x: x.reshape(-1), [r(3, 4)]),
        ("tuple", lambda x: x.reshape((2, 6)) * ag.arange(6.0, dtype=np.float64), [r(3, 4)]),
    ],
    "Transpose": [
        ("T", lambda x: x.T * ag.arange(3.0, dtype=np.float64), [r(3, 4)]),
        ("permutation", lambda x: x.transpose(2, 0, 1), [r(2, 3, 4)]),
        ("negative axes", lambda x: x.transpose(-1, 0, 1) * C1.transpose(2, 0, 1), [r(2, 3, 4)]),
        ("mT", lambda x: x.mT, [r(2, 3, 4)]),
    ],
    "BroadcastTo": [
        ("new axis", lambda x: x.broadcast_to((3, 4)), [r(4)]),
        ("stretch", lambda x: x.broadcast_to((2, 3, 4)) * C1, [r(3, 1)]),
    ],
    "Concatenate": [
        ("axis 0", lambda a, b: ag.concatenate([a, b]), [r(2, 3), r(1, 3)]),
        ("axis -1", lambda a, b: ag.concatenate([a, b, a], axis=-1), [r(2, 3), r(2, 1)]),
    ],
    "Pad": [
        ("both sides", lambda x: x.pad([(1, 2), (0, 1)]) * C_PAD, [r(2, 3)]),
    ],
    "SlidingWindows": [
        ("stride 1", lambda x: ag.sliding_windows(x, 3) * C_WIN, [r(2, 5)]),
        (
            "overlapping, strided, middle axis",
            lambda x: ag.sliding_windows(x, 3, stride=2, axis=1),
            [r(2, 7, 2)],
        ),
        ("gaps between windows", lambda x: ag.sliding_windows(x, 2, stride=3, axis=0), [r(8, 2)]),
        (
            "two axes, dilated",
            lambda x: ag.sliding_windows(x, (2, 3), stride=(2, 1), axis=(1, 2), dilation=(1, 2)),
            [r(2, 6, 7, 2)],
        ),
    ],
    "OverlapAdd": [
        (
            "through sliding_windows' rule",
            lambda x: ag.grad((ag.sliding_windows(x, 3, 2) ** 2).sum(), x, create_graph=True)[0],
            [r(7)],
        ),
        (
            "non-overlapping, dilated",
            lambda x: ag.grad(
                (ag.sliding_windows(x, 2, 3, dilation=2) ** 2).sum(), x, create_graph=True
            )[0],
            [r(8)],
        ),
    ],
    "Cast": [
        (
            "to longdouble and back",
            lambda x: (x.astype(np.longdouble) * 2).astype(np.float64),
            [r(3)],
        )
    ],
    "SoftmaxCrossEntropy": [
        ("per row", lambda z: ag.cross_entropy(z, [2, 0, 2, 1], reduction="none"), [r(4, 3)]),
        ("mean", lambda z: ag.cross_entropy(z, np.array([1, 1])), [r(2, 5)]),
        ("large logits", lambda z: ag.cross_entropy(z * 100, [0, 1], reduction="sum"), [r(2, 3)]),
    ],
    "PiecewiseConstant": [
        ("comparison inside where", lambda x: ag.where(x > 0, x, x * 0.1), [gap(3, 4)]),
        ("logic and sign", lambda x: x * ((x > 0.5) | (x < -0.5)) + x * x.sign(), [gap(5)]),
    ],
    "StopGradient": [("softmax's shift", lambda x: ag.softmax(x * 3), [r(2, 4)])],
    "RandomUniform": [  # a generator seeded anew on every call: the same draws each time
        (
            "scale",
            lambda x: x * ag.random_uniform(x.shape, np.float64, np.random.default_rng(0)),
            [r(3, 4)],
        ),
        (
            "mask",
            lambda x: x * (ag.random_uniform((4,), np.float64, np.random.default_rng(1)) < 0.5),
            [r(3, 4)],
        ),
    ],
    "MatMul": [
        ("matrix", lambda a, b: a @ b, [r(3, 4), r(4, 2)]),
        ("batch and broadcast", lambda a, b: a @ b, [r(2, 3, 4), r(4, 5)]),
        ("batch both", lambda a, b: a @ b, [r(2, 3, 4), r(2, 4, 2)]),
        ("vector left", lambda a, b: a @ b, [r(4), r(4, 3)]),
        ("vector right", lambda a, b: a @ b, [r(3, 4), r(4)]),
        ("dot", lambda a, b: a @ b, [r(4), r(4)]),
        ("vector and batch", lambda a, b: a @ b, [r(4), r(2, 4, 3)]),
        ("constant right", lambda a: a @ C_MATRIX, [r(3, 4)]),
        ("numpy left", lambda b: C_ARRAY @ b, [r(4, 2)]),
    ],
    "Dense": dense_cases(),
}

# Derived functions (no rule of their own) get the same treatment, through their parts.
DERIVED = {
    "mean": reduction(ag.mean),
    "var": reduction(ag.var) + [("ddof 1", lambda x: x.var(axis=0, ddof=1), [r(4, 3)])],
    "min": reduction(ag.min, distinct),
    "minimum": [
        (
            "broadcast",
            ag.minimum,
            [distinct(3, 4), ag.Tensor([0.05, -0.55, 0.25, 0.95], requires_grad=True)],
        )
    ],
    "softmax": [
        ("last axis", ag.softmax, [r(3, 4)]),
        ("axis 0", lambda x: ag.softmax(x, axis=0), [r(3, 4)]),
    ],
    "log_softmax": [
        ("last axis", ag.log_softmax, [r(3, 4)]),
        ("big logits", lambda x: ag.log_softmax(x * 1e4), [r(2, 3)]),
    ],
    "leaky_relu": unary(ag.leaky_relu, gap)
    + [("slope 0.01", lambda x: ag.leaky_relu(x, 0.01), [gap(4)])],
    "silu": unary(ag.silu),
    "flatten": [("from axis 1", lambda x: x.flatten(1) * C2, [r(2, 3, 4)])],
    "squeeze": [
        ("all", lambda x: x.squeeze(), [r(1, 3, 1)]),
        ("one axis", lambda x: x.squeeze(0), [r(1, 3, 1)]),
    ],
    "expand_dims": [("middle", lambda x: x.expand_dims(1) * C3, [r(2, 2)])],
    "stack": [("axis 1", lambda a, b: ag.stack([a, b, a], axis=1), [r(2, 3), r(2, 3)])],
}
