"""Nudge, forward mode and central differences agree with backprop, and the U-curve is real."""

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.teaching import compare_derivatives, jacobian, jvp, nudge


def test_nudge_is_the_forward_difference_beside_the_gradient():
    w = ag.Tensor(np.array([[3.0, -1.0], [0.5, 2.0]]), requires_grad=True, name="w")
    x = ag.Tensor(np.array([1.0, 2.0]))
    before = w.data.copy()
    result = nudge(lambda: ((x @ w) ** 2).sum(), w, index=(1, 0), eps=1e-6)
    # L = (3 + 2 * 0.5)^2 + (-1 + 2 * 2)^2 = 25; dL/dw[1, 0] = 2 (x @ w)[0] x[1] = 16
    assert result.loss == 25.0 and result.gradient == 16.0
    assert result.slope == pytest.approx(16.0, rel=1e-5)
    # the forward difference's error is eps * d2L/dw2 / 2 = eps * 2 x[1]^2 / 2 = 4 eps
    assert result.slope - 16.0 == pytest.approx(4e-6, rel=1e-3)
    assert result.name == "w[1, 0]"
    np.testing.assert_array_equal(w.data, before)  # put back exactly
    assert w.grad is None
    assert str(result).endswith("autograd's dL/dw[1, 0] = 16")


def test_nudge_rejects_bad_arguments():
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"nudge: the tensor has shape \(2,\); pass index="):
        nudge(lambda: w.sum(), w)
    with pytest.raises(ValueError, match="nudge: eps must be a positive number, got 0"):
        nudge(lambda: w.sum(), w, 0, eps=0)
    with pytest.raises(ValueError, match=r"nudge: the function must return a single-element"):
        nudge(lambda: w * 2, w, 0)


def test_jvp_is_the_jacobian_times_the_direction():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 4))
    x = rng.standard_normal(4)
    v = rng.standard_normal(4)

    def f(x):
        return (ag.Tensor(W) @ x).tanh() * x[:3]

    np.testing.assert_allclose(jvp(f, x, v), jacobian(f, x) @ v, rtol=1e-12, atol=1e-14)
    # a scalar loss: the directional derivative <grad, v>
    x_leaf = ag.Tensor(x, requires_grad=True)
    (g,) = ag.grad(f(x_leaf).sum(), x_leaf)
    assert float(jvp(lambda t: f(t).sum(), x, v)) == pytest.approx(g.numpy() @ v, rel=1e-12)
    assert jvp(lambda t: t * 0 + 1, x, v).tolist() == [0.0] * 4  # a constant: J v = 0
    with pytest.raises(ValueError, match=r"jvp: v has shape \(3,\) but x has shape \(4,\)"):
        jvp(f, x, v[:3])


def test_central_differences_trace_the_u_curve_in_both_dtypes():
    comparison = compare_derivatives(lambda x: (x**3).sum(), np.array([2.0, 1.0]), index=0)
    assert comparison.reverse == comparison.forward == 12.0
    eps = comparison.eps
    # f''' = 6, so the central difference's truncation error is exactly eps^2
    big = eps == pytest.approx(0.1)
    assert comparison.errors["float64"][big] == pytest.approx(0.01, rel=1e-6)
    # float64: best near 1e-5, about 1e-10 off; smaller eps lose digits to round-off
    best64 = comparison.best_eps("float64")
    assert 1e-7 <= best64 <= 1e-4
    assert comparison.errors["float64"].min() < 1e-9
    assert comparison.errors["float64"][eps == eps.min()][0] > 1e-4
    # float32: best near 1e-2, at best about 1e-4 off; below 1e-8, x + eps == x
    assert comparison.best_eps("float32") >= 1e-3
    assert 1e-6 < comparison.errors["float32"].min() < 1e-3
    assert (comparison.central["float32"][eps < 1e-8] == 0).all()
    assert comparison.table().splitlines()[0] == "backprop (reverse mode): 12; JVP (forward): 12"
