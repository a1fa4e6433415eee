"""Jacobians and Hessians against closed forms, and their heatmap."""

import matplotlib
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.teaching import hessian, jacobian, plot_matrix

matplotlib.use("Agg")


def test_softmax_jacobian_is_diag_s_minus_s_s_transpose():
    z = np.array([1.0, 2.0, 0.5, -1.0, 3.0])
    s = np.exp(z) / np.exp(z).sum()
    J = jacobian(ag.softmax, z)
    np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(J.sum(axis=1), 0, atol=1e-15)


def test_jacobian_layout_is_output_shape_then_input_shape():
    W = np.arange(6.0).reshape(2, 3)
    J = jacobian(lambda x: x @ ag.Tensor(W), np.ones((4, 2)))
    assert J.shape == (4, 3, 4, 2)
    # d (x W)[i, j] / d x[k, l] = [i == k] W[l, j]
    expected = np.einsum("ik,lj->ijkl", np.eye(4), W)
    np.testing.assert_array_equal(J, expected)


def test_hessian_of_a_quadratic_and_a_cubic():
    A = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, -1.0], [4.0, 0.0, 1.0]])
    b = np.array([1.0, -2.0, 0.5])
    x = np.array([0.3, -0.7, 1.1])
    H = hessian(lambda x: x @ (ag.Tensor(A) @ x) + x @ ag.Tensor(b), x)
    np.testing.assert_allclose(H, A + A.T, rtol=1e-12)
    np.testing.assert_allclose(hessian(lambda x: (x**3).sum(), x), np.diag(6 * x), rtol=1e-12)


def test_size_limits_and_errors():
    with pytest.raises(ValueError, match=r"jacobian: f maps shape \(200,\) to \(200,\), .* 40000"):
        jacobian(lambda x: x * 2, np.ones(200))
    with pytest.raises(ValueError, match=r"hessian: f must return a single-element Tensor"):
        hessian(lambda x: x * 2, np.ones(3))


def test_heatmap_draws_the_matrix_with_a_symmetric_scale():
    J = jacobian(ag.softmax, np.array([1.0, 2.0, 3.0]))
    figure = plot_matrix(J, "softmax", ["s0", "s1", "s2"], ["z0", "z1", "z2"])
    ax = figure.axes[0]
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), J)
    low, high = image.get_clim()
    assert low == -high == -np.abs(J).max()
    assert [t.get_text() for t in ax.texts] == [f"{v:.2g}" for v in J.reshape(-1)]
    assert ax.get_title() == "softmax"
