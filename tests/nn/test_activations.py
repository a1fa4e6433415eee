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


# Keras 3.15's keras.activations.relu on [-3, -1, 0, 0.5, 1, 2, 5, 7] (float64 in and out)
RELU_X = np.array([-3.0, -1.0, 0.0, 0.5, 1.0, 2.0, 5.0, 7.0])


@pytest.mark.parametrize(
    "kwargs, keras",
    [
        ({"max_value": 6.0}, [0.0, 0.0, 0.0, 0.5, 1.0, 2.0, 5.0, 6.0]),
        (
            {"negative_slope": 0.1, "max_value": 6.0, "threshold": 1.0},
            [-0.4, -0.2, -0.1, -0.05, 0.0, 2.0, 5.0, 6.0],
        ),
        # the function, unlike the layer, takes a negative threshold: (-2, 0) stays negative
        ({"negative_slope": 0.1, "threshold": -2.0}, [-0.1, -1.0, 0.0, 0.5, 1.0, 2.0, 5.0, 7.0]),
    ],
)
def test_relu_options_equal_keras_3(kwargs, keras):
    out = activations.relu(RELU_X, **kwargs)
    assert out.dtype == np.float64
    assert_close(out.numpy(), keras)
    assert_close(activations.relu(ag.Tensor(RELU_X), **kwargs), keras)


def test_relu_with_options_gradchecks():
    x = np.array([[-1.7, -0.3, 0.45, 1.1], [2.2, -2.5, 0.9, -0.05]])  # no kink within eps
    weights = ag.Tensor(np.arange(1.0, 9.0).reshape(2, 4))
    options = {"negative_slope": 0.2, "max_value": 1.0, "threshold": 0.4}
    assert ag.gradcheck(lambda t: (activations.relu(t, **options) * weights).sum(), [x])
    # slopes: 0.2 below the threshold, 1 between it and max_value, 0 above
    t = ag.Tensor(x, requires_grad=True)
    activations.relu(t, **options).sum().backward()
    assert_close(t.grad, np.where(x <= 0.4, 0.2, np.where(x > 1.0, 0.0, 1.0)))


def test_relu_options_must_be_numbers():
    with pytest.raises(TypeError, match=r"^relu: threshold must be a number, got '1'$"):
        activations.relu(RELU_X, threshold="1")


def test_numpy_input_gives_an_eager_array_with_numpy():
    p = activations.softmax(np.array([[1.0, 2.0], [0.0, 0.0]]))
    assert isinstance(p, activations.EagerArray) and isinstance(p, np.ndarray)
    assert type(p.numpy()) is np.ndarray
    assert_close(p.numpy(), [[1 / (1 + np.e), np.e / (1 + np.e)], [0.5, 0.5]])
    assert np.shares_memory(p, p.numpy())  # a view, like TensorFlow's .numpy() on CPU
    assert type(p.sum()) is np.float64 and type(np.argmax(p, axis=1)) is activations.EagerArray
    assert repr(activations.relu([1.0])) == "array([1.], dtype=float32)"
