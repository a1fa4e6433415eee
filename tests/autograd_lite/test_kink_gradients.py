"""Gradients at kinks and limits: the values PyTorch gives, as the README promises.

Each row is (case, function of float64 Tensors, input values, expected gradient of
`function(*inputs).sum()` for each input). The expected numbers were obtained from
torch 2.13.0+cpu (float64, `out.sum().backward()`; softplus with its default threshold), for
example `torch.pow(torch.tensor([0.0], requires_grad=True), 0.0)` -> grad 0. Torch is not
needed to run these tests.

Inputs that are NaN are left out where PyTorch's answer is an accident of its kernels rather
than a convention (relu'(NaN) = 1, abs'(NaN) = 0, maximum(NaN, 1) giving 1 to both).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_lite as ag

inf, nan = math.inf, math.nan
LN2 = math.log(2.0)
W = ag.Tensor(np.array([1.0, 2.0, 3.0]))  # output weights, so softmax's gradient is not zero


def clip_0_1(x):
    return ag.clip(x, 0.0, 1.0)


CASES = [
    # kinks: relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = its slope
    ("relu", ag.relu, [[-1.0, -0.0, 0.0, 1.0, inf, -inf]], [[0.0, 0.0, 0.0, 1.0, 1.0, 0.0]]),
    ("abs", ag.abs, [[-1.0, -0.0, 0.0, 1.0, inf, -inf]], [[-1.0, 0.0, 0.0, 1.0, 1.0, -1.0]]),
    (
        "leaky_relu",
        lambda x: ag.leaky_relu(x, 0.2),
        [[-1.0, -0.0, 0.0, 1.0]],
        [[0.2, 0.2, 0.2, 1.0]],
    ),
    # ties share the gradient evenly (torch.amax/amin, torch.maximum/minimum)
    ("max-ties", ag.max, [[1.0, 3.0, 3.0]], [[0.0, 0.5, 0.5]]),
    ("max-inf-ties", ag.max, [[inf, 1.0, inf]], [[0.5, 0.0, 0.5]]),
    ("max-all-neg-inf", ag.max, [[-inf, -inf]], [[0.5, 0.5]]),
    ("max-nan", ag.max, [[1.0, nan, 3.0]], [[nan, nan, nan]]),
    (
        "max-axis-ties",
        lambda x: ag.max(x, axis=1),
        [[[2.0, 2.0, 1.0], [0.0, 5.0, 5.0]]],
        [[[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]],
    ),
    ("min-ties", ag.min, [[1.0, 1.0, 3.0]], [[0.5, 0.5, 0.0]]),
    (
        "maximum-ties",
        ag.maximum,
        [[1.0, 2.0, 3.0, 0.0, -0.0], [3.0, 2.0, 1.0, -0.0, 0.0]],
        [[0.0, 0.5, 1.0, 0.5, 0.5], [1.0, 0.5, 0.0, 0.5, 0.5]],
    ),
    (
        "minimum-ties",
        ag.minimum,
        [[1.0, 2.0, 3.0, 0.0], [3.0, 2.0, 1.0, -0.0]],
        [[1.0, 0.5, 0.0, 0.5], [0.0, 0.5, 1.0, 0.5]],
    ),
    # clip passes the gradient at its bounds, not beyond them
    (
        "clip",
        clip_0_1,
        [[-1.0, 0.0, 0.5, 1.0, 2.0, inf, -inf]],
        [[0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]],
    ),
    ("clip-lo-only", lambda x: ag.clip(x, lo=0.0), [[-1.0, 0.0, 2.0]], [[0.0, 1.0, 1.0]]),
    # limits that are infinite stay infinite
    ("sqrt", ag.sqrt, [[0.0, -0.0, 4.0, inf, -1.0]], [[inf, -inf, 0.25, 0.0, nan]]),
    ("log", ag.log, [[0.0, -0.0, 2.0, inf, -1.0]], [[inf, -inf, 0.5, 0.0, -1.0]]),
    ("exp", ag.exp, [[-inf, 0.0, inf, 800.0]], [[0.0, 1.0, inf, inf]]),
    # pow: d/dx x**0 = 0 everywhere; d/dy 0**y = 0 for y >= 0; -inf for y < 0
    ("x**0", lambda x: x**0.0, [[0.0, -0.0, 2.0, -3.0, inf, nan]], [[0.0] * 6]),
    ("x**1", lambda x: x**1.0, [[0.0, 2.0, -3.0]], [[1.0, 1.0, 1.0]]),
    ("x**2", lambda x: x**2.0, [[0.0, -0.0, -3.0]], [[0.0, 0.0, -6.0]]),
    ("x**3", lambda x: x**3.0, [[0.0, -2.0]], [[0.0, 12.0]]),
    ("x**0.5", lambda x: x**0.5, [[0.0, 4.0, -1.0]], [[inf, 0.25, nan]]),
    ("x**-1", lambda x: x**-1.0, [[0.0, -0.0, 2.0]], [[-inf, -inf, -0.25]]),
    ("x**-0.5", lambda x: x**-0.5, [[0.0, 4.0]], [[-inf, -0.0625]]),
    (
        "0**y",
        lambda y: 0.0**y,
        [[2.0, 0.5, 0.0, -0.0, -1.0, -0.5]],
        [[0.0, 0.0, 0.0, 0.0, -inf, -inf]],
    ),
    ("2**y", lambda y: 2.0**y, [[0.0, -inf, 3.0]], [[LN2, 0.0, 8 * LN2]]),
    ("(-2)**y", lambda y: (-2.0) ** y, [[2.0, 3.0, 0.5]], [[nan, nan, nan]]),
    (
        "x**y",
        ag.pow,
        [[0.0, 0.0, 0.0, 0.0, -2.0, 2.0, -0.0], [2.0, 0.0, -1.0, 0.5, 2.0, 0.0, 3.0]],
        [[0.0, 0.0, -inf, inf, -4.0, 0.0, 0.0], [0.0, 0.0, -inf, 0.0, nan, LN2, 0.0]],
    ),
    ("x**y-negative-base", ag.pow, [[-2.0, -8.0], [3.0, 1 / 3]], [[12.0, nan], [nan, nan]]),
    (
        "div-by-zero",
        ag.div,
        [[1.0, 0.0, -1.0], [0.0, 0.0, -0.0]],
        [[inf, inf, -inf], [-inf, nan, inf]],
    ),
    # saturation: the gradient goes to 0 (or 1), never NaN
    (
        "sigmoid",
        ag.sigmoid,
        [[-1e4, -800.0, -100.0, 0.0, 100.0, 800.0, 1e4, inf, -inf]],
        [[0.0, 0.0, 3.7200759760208356e-44, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0]],
    ),
    (
        "tanh",
        ag.tanh,
        [[-1e4, -100.0, 0.0, 100.0, 1e4, inf, -inf]],
        [[0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]],
    ),
    (
        "softplus",
        ag.softplus,
        [[-1e4, -800.0, 0.0, 800.0, 1e4, -inf]],
        [[0.0, 0.0, 0.5, 1.0, 1.0, 0.0]],
    ),
    ("silu", ag.silu, [[-1e4, -800.0, 0.0, 800.0, 1e4]], [[0.0, 0.0, 0.5, 1.0, 1.0]]),
    # log-sum-exp and softmax with infinite and huge logits
    ("logsumexp-neg-inf", ag.logsumexp, [[-inf, 0.0, 0.0]], [[0.0, 0.5, 0.5]]),
    ("logsumexp-all-neg-inf", ag.logsumexp, [[-inf, -inf]], [[nan, nan]]),
    ("logsumexp-pos-inf", ag.logsumexp, [[inf, 0.0]], [[nan, 0.0]]),
    ("logsumexp-huge", ag.logsumexp, [[1e4, 0.0, -1e4]], [[1.0, 0.0, 0.0]]),
    ("log_softmax-neg-inf", ag.log_softmax, [[-inf, 0.0, 0.0]], [[1.0, -0.5, -0.5]]),
    ("log_softmax-huge", lambda x: ag.log_softmax(x) * W, [[1e4, 0.0, -1e4]], [[-5.0, 2.0, 3.0]]),
    ("softmax-neg-inf", lambda x: ag.softmax(x) * W, [[-inf, 0.0, 0.0]], [[0.0, -0.25, 0.25]]),
    ("softmax-huge", lambda x: ag.softmax(x) * W, [[1e4, 0.0, -1e4]], [[0.0, 0.0, 0.0]]),
    (
        "cross_entropy-saturated",
        lambda z: ag.cross_entropy(z, np.array([1, 0])),
        [[[1e4, -1e4], [0.0, 0.0]]],
        [[[0.5, -0.5], [-0.25, 0.25]]],
    ),
    # where: the branch not taken gets 0, but a NaN rule behind it still gives NaN (0 * NaN)
    (
        "where-nan-branch",
        lambda x, y: ag.where(np.array([True, False]), x, y),
        [[1.0, 2.0], [nan, 3.0]],
        [[1.0, 0.0], [0.0, 1.0]],
    ),
    (
        "where-sqrt",
        lambda x: ag.where(x > 0, ag.sqrt(x), 0.0),
        [[-1.0, 4.0, 0.0]],
        [[nan, 0.25, nan]],
    ),
    ("var-constant", ag.var, [[2.0, 2.0, 2.0]], [[0.0, 0.0, 0.0]]),
    # a 0-d tensor reduced over axis 0 or -1 (torch: dim=0 / dim=-1)
    ("sum-0d-axis0", lambda x: ag.sum(x, axis=0), [3.0], [1.0]),
    ("sum-0d-axis-1-keepdims", lambda x: ag.sum(x, axis=-1, keepdims=True), [3.0], [1.0]),
    ("max-0d-axis-1", lambda x: ag.max(x, axis=-1), [3.0], [1.0]),
    ("min-0d-axis0", lambda x: ag.min(x, axis=0), [3.0], [1.0]),
    ("logsumexp-0d-axis0", lambda x: ag.logsumexp(x, axis=0), [3.0], [1.0]),
    ("mean-0d-axis0", lambda x: ag.mean(x, axis=0), [3.0], [1.0]),
    ("var-0d-axis-1", lambda x: ag.var(x, axis=-1), [3.0], [0.0]),
]


@pytest.mark.parametrize(
    "function, inputs, expected",
    [
        pytest.param(function, inputs, expected, id=case)
        for case, function, inputs, expected in CASES
    ],
)
def test_gradient_at_kinks_and_limits_is_pytorchs(function, inputs, expected):
    xs = [ag.Tensor(np.array(values, dtype=np.float64), requires_grad=True) for values in inputs]
    with np.errstate(all="ignore"):
        function(*xs).sum().backward()
    for x, want in zip(xs, expected):
        want = np.array(want, dtype=np.float64)
        assert x.grad is not None and x.grad.dtype == np.float64 and x.grad.shape == want.shape
        np.testing.assert_allclose(x.grad, want, rtol=1e-12, atol=0, equal_nan=True)
