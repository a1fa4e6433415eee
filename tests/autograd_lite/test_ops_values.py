"""Forward values against closed forms and numpy, including the numerically hard cases."""

import numpy as np
import pytest

import autograd_lite as ag
from tests.numerics import assert_close


def test_elementwise_values():
    x = ag.Tensor([-2.0, 0.0, 3.0], dtype=np.float64)
    np.testing.assert_allclose(x.exp().data, np.exp([-2.0, 0.0, 3.0]))
    np.testing.assert_allclose(x.sigmoid().data, 1 / (1 + np.exp([2.0, 0.0, -3.0])))
    np.testing.assert_allclose(x.relu().data, [0.0, 0.0, 3.0])
    np.testing.assert_allclose(ag.leaky_relu(x).data, [-0.4, 0.0, 3.0])
    np.testing.assert_allclose(ag.silu(x).data, x.data / (1 + np.exp(-x.data)))
    np.testing.assert_allclose(x.softplus().data, np.log1p(np.exp(x.data)))
    np.testing.assert_allclose(x.clip(-1, 1).data, [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(abs(x).data, [2.0, 0.0, 3.0])


def test_sigmoid_and_softplus_do_not_overflow():
    x = ag.Tensor([-1e4, 1e4], dtype=np.float32)
    with np.errstate(over="raise"):
        np.testing.assert_array_equal(x.sigmoid().data, [0.0, 1.0])
        np.testing.assert_array_equal(x.softplus().data, [0.0, 1e4])


def test_softmax_and_log_softmax_are_finite_for_huge_logits():
    z = ag.Tensor([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    p = ag.softmax(z)
    assert np.all(np.isfinite(p.data))
    assert_close(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    logp = ag.log_softmax(z)
    assert_close(logp, [[0.0, -1e4, -2e4], [-np.log(3)] * 3])
    assert_close(ag.logsumexp(z, axis=1), [1e4, -1e4 + np.log(3)])


def test_logsumexp_gradient_is_softmax():
    z = ag.Tensor([[1e4, 0.0], [1.0, 1.0]], requires_grad=True)
    ag.logsumexp(z, axis=-1).sum().backward()
    np.testing.assert_allclose(z.grad, [[1.0, 0.0], [0.5, 0.5]])


def test_reductions_match_numpy():
    a = np.arange(24.0).reshape(2, 3, 4) % 7
    x = ag.Tensor(a, dtype=np.float64)
    for axis in (None, 0, -1, (0, 2)):
        for keepdims in (False, True):
            for name in ("sum", "mean", "max", "min", "var"):
                got = getattr(x, name)(axis=axis, keepdims=keepdims).data
                np.testing.assert_allclose(got, getattr(a, name)(axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(x.argmax(axis=1).data, a.argmax(axis=1))


def test_shape_ops_match_numpy():
    a = np.arange(6.0).reshape(2, 3)
    x = ag.Tensor(a)
    np.testing.assert_array_equal(x.reshape(3, 2).data, a.reshape(3, 2))
    np.testing.assert_array_equal(x.T.data, a.T)
    np.testing.assert_array_equal(x.expand_dims(0).shape, (1, 2, 3))
    np.testing.assert_array_equal(x.expand_dims(0).squeeze().data, a)
    np.testing.assert_array_equal(x.flatten().data, a.ravel())
    np.testing.assert_array_equal(ag.stack([x, x], axis=1).data, np.stack([a, a], axis=1))
    np.testing.assert_array_equal(ag.concatenate([x, x], axis=-1).data, np.concatenate([a, a], -1))
    np.testing.assert_array_equal(x.broadcast_to((4, 2, 3)).data, np.broadcast_to(a, (4, 2, 3)))
    np.testing.assert_array_equal(x[:, [2, 2, 0]].data, a[:, [2, 2, 0]])
    np.testing.assert_array_equal(ag.where(x > 2, x, -x).data, np.where(a > 2, a, -a))


def test_repeated_fancy_index_gradient_counts_every_pick():
    x = ag.Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[np.array([0, 2, 0, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_broadcast_gradient_is_summed_back():
    bias = ag.Tensor(np.zeros(3), requires_grad=True)
    batch = ag.Tensor(np.ones((4, 3)))
    (batch + bias).sum().backward()
    np.testing.assert_array_equal(bias.grad, [4.0, 4.0, 4.0])
    column = ag.Tensor(np.zeros((4, 1)), requires_grad=True)
    (batch * column + column).sum().backward()
    np.testing.assert_array_equal(column.grad, np.full((4, 1), 6.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_keep_the_parameter_dtype(dtype):
    w = ag.Tensor(np.ones((3, 2)), requires_grad=True, dtype=dtype)
    (ag.Tensor(np.ones((4, 3)), dtype=dtype) @ w).mean().backward()
    assert w.grad.dtype == dtype
    np.testing.assert_allclose(w.grad, np.full((3, 2), 4 / 8))


def test_integer_and_python_inputs_give_float_results():
    np.testing.assert_allclose(ag.sigmoid(np.array([0, 2])), [0.5, 1 / (1 + np.exp(-2))])
    np.testing.assert_allclose(ag.softplus(np.array([0, 2])), np.log1p(np.exp([0.0, 2.0])))
    assert ag.sigmoid(0.0) == 0.5
    assert ag.Tensor(np.array([1, 2])).sigmoid().dtype.kind == "f"


def test_gradcheck_names_a_non_tensor_result():
    with pytest.raises(TypeError, match="fn must return Tensors, got float"):
        ag.gradcheck(lambda x: 1.0, [np.ones(2)])


def test_sliding_windows_and_pad_match_numpy():
    a = np.arange(24.0).reshape(2, 6, 2)
    windows = ag.sliding_windows(ag.Tensor(a), 3, stride=2, axis=1)
    expected = np.lib.stride_tricks.sliding_window_view(a, 3, axis=1)[:, ::2]
    np.testing.assert_array_equal(windows.data, expected)
    assert windows.shape == (2, 2, 2, 3)
    np.testing.assert_array_equal(
        ag.pad(ag.Tensor(a), [(0, 0), (1, 2), (0, 0)]).data, np.pad(a, [(0, 0), (1, 2), (0, 0)])
    )
    with pytest.raises(ag.OpError, match="sliding_windows: windows of 7 along axis 1 do not fit"):
        ag.sliding_windows(ag.Tensor(a), 7, axis=1)


def test_overlapping_windows_add_their_gradients():
    x = ag.Tensor(np.zeros(5), requires_grad=True)
    ag.sliding_windows(x, 3, stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 2, 3, 2, 1])  # how many windows hold each element
