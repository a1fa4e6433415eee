import numpy as np
import pytest

import autograd_lite as ag
from nn import activations
from tests.numerics import assert_close

X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])


@pytest.mark.parametrize(
    "name, expected",
    [
        ("linear", X),
        ("relu", np.maximum(X, 0)),
        ("sigmoid", 1 / (1 + np.exp(-X))),
        ("tanh", np.tanh(X)),
        ("softmax", np.exp(X) / np.exp(X).sum()),
        ("leaky_relu", np.where(X > 0, X, 0.2 * X)),
        ("swish", X / (1 + np.exp(-X))),
        ("silu", X / (1 + np.exp(-X))),
    ],
)
def test_values_match_the_closed_forms(name, expected):
    f = activations.get(name)
    assert_close(f(X), expected)
    assert_close(f(ag.Tensor(X)), expected)


@pytest.mark.parametrize("name", sorted(activations.ALL_ACTIVATIONS))
def test_gradients_through_the_engine(name):
    x = np.array([[-1.7, -0.3, 0.4, 1.1], [2.2, -2.5, 0.9, -0.05]])
    f = activations.get(name)
    assert ag.gradcheck(lambda t: (f(t) * ag.Tensor(np.arange(1.0, 9.0).reshape(2, 4))).sum(), [x])


def test_tensors_stay_in_the_graph_and_numpy_comes_back_as_numpy():
    t = ag.Tensor([[1.0, 2.0]], requires_grad=True)
    out = activations.softmax(t)
    assert isinstance(out, ag.Tensor) and out.requires_grad
    assert isinstance(activations.softmax(np.array([[1.0, 2.0]])), np.ndarray)
    assert activations.relu([[1, -1]]).dtype == np.float32  # lists and ints become float32


def test_softmax_is_finite_for_huge_logits():
    p = activations.softmax(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]]))
    assert_close(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_leaky_relu_slope_and_none_means_linear():
    np.testing.assert_allclose(activations.leaky_relu(np.array([-2.0]), negative_slope=0.3), [-0.6])
    assert activations.get(None) is activations.linear


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown activation 'rellu'.*leaky_relu, linear, relu"):
        activations.get("rellu")
