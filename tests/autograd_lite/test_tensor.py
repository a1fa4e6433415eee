"""Tensor construction, dtype rules, numpy interop and the creation functions."""

import numpy as np
import pytest

import autograd_lite as ag


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32),
        (3, np.float32),
        ([[1, 2], [3, 4]], np.float32),
        (np.array([1.0, 2.0], dtype=np.float64), np.float64),
        (np.array([1.0], dtype=np.float32), np.float32),
        (np.float64(2.0), np.float64),
        (np.array([1, 2]), np.int64),
        (True, np.bool_),
    ],
)
def test_dtype_rules(data, dtype):
    assert ag.Tensor(data).dtype == dtype


def test_dtype_argument_overrides_and_data_is_copied():
    source = np.array([1.0, 2.0])
    t = ag.Tensor(source, dtype=np.float32)
    assert t.dtype == np.float32
    kept = ag.Tensor(source)
    source[0] = 99.0
    assert kept.data[0] == 1.0
    shared = ag.from_numpy(source)
    assert shared.data is source


def test_attributes():
    t = ag.Tensor(np.arange(6.0).reshape(2, 3))
    assert (t.shape, t.ndim, t.size, len(t)) == ((2, 3), 2, 6, 2)
    assert t.T.shape == (3, 2)
    assert ag.Tensor(4.0).item() == 4.0
    assert np.asarray(t) is t.data and t.numpy() is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert [row.shape for row in t] == [(3,), (3,)]
    y = t * 2
    assert y.grad_fn is None  # nothing required grad, so nothing was recorded
    z = ag.Tensor([1.0], requires_grad=True) * 2
    assert repr(z.grad_fn) == "<Mul>" and z.op is z.grad_fn and len(z.parents) == 2


def test_repr_names_the_op():
    x = ag.Tensor([[1.0, 2.0]], requires_grad=True)
    w = ag.Tensor([[1.0], [2.0]], requires_grad=True)
    assert repr(x @ w) == "Tensor([[5.]], grad_fn=<MatMul>)"
    assert repr(x) == "Tensor([[1., 2.]], requires_grad=True)"
    assert repr(ag.Tensor([1.0], dtype=np.float64)) == "Tensor([1.], dtype=float64)"


def test_detach_shares_values_but_not_history():
    x = ag.Tensor([1.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.op is None and d.data[0] == 2.0


def test_numpy_arrays_on_the_left_defer_to_tensor():
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([10.0, 20.0], dtype=np.float32) - x
    assert isinstance(y, ag.Tensor) and repr(y.op) == "<Sub>"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, -1.0])


def test_python_scalars_keep_the_tensor_dtype():
    for dtype in (np.float32, np.float64):
        x = ag.Tensor([1.0], dtype=dtype)
        assert (x * 2).dtype == dtype and (2.5 / x).dtype == dtype and (x**2).dtype == dtype
    assert (ag.arange(3) + 1).dtype == np.int64


def test_creation_functions():
    assert ag.zeros(2, 3).shape == (2, 3) and ag.zeros((2, 3)).dtype == np.float32
    assert ag.ones(4).data.sum() == 4.0
    assert ag.eye(3).data.trace() == 3.0
    np.testing.assert_array_equal(ag.arange(4).data, [0, 1, 2, 3])
    assert ag.arange(0.0, 1.0, 0.25).dtype == np.float32
    assert ag.randn(3, 2, requires_grad=True).requires_grad
    r = ag.rand(1000)
    assert 0.0 <= r.data.min() and r.data.max() < 1.0
    assert ag.tensor([1.0]).dtype == np.float32


def test_manual_seed_makes_every_draw_reproducible():
    ag.manual_seed(7)
    first = (ag.randn(3).data, ag.rand(2).data, ag.random_generator().integers(100))
    ag.manual_seed(7)
    second = (ag.randn(3).data, ag.rand(2).data, ag.random_generator().integers(100))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert first[2] == second[2]


def test_functions_given_no_tensor_are_numpy_in_numpy_out():
    a = np.array([[1.0, 2.0], [3.0, -4.0]])
    for fn in (ag.exp, ag.relu, ag.softmax, ag.log_softmax, ag.mean, ag.leaky_relu, ag.flatten):
        result = fn(a)
        assert isinstance(result, (np.ndarray, np.generic)), fn.__name__  # as numpy returns
        assert type(fn(ag.Tensor(a))) is ag.Tensor, fn.__name__
    np.testing.assert_allclose(ag.softmax(a), np.exp(a) / np.exp(a).sum(-1, keepdims=True))
    assert type(ag.maximum(a, 0.0)) is np.ndarray and type(a > 0) is np.ndarray
    np.testing.assert_allclose(ag.mean([1.0, 2.0, 6.0]), 3.0)
