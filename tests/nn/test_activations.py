import functools
import json
import os

import numpy as np
import pytest

import autograd_lite as ag
import nn
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
    with pytest.raises(
        ValueError, match=r"Unknown activation 'rellu'.*leaky_relu, linear, log_sigmoid, .*, relu, "
    ):
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


with open(os.path.join(os.path.dirname(__file__), "data", "keras_configs.json")) as f:
    KERAS = json.load(f)["activations"]


@pytest.mark.parametrize("name", sorted(KERAS["values"]))
def test_more_activations_equal_keras_3_in_float32(name):
    """Keras 3.15's values (its numpy backend, float32) on inputs from -6 to 7, zero and
    values near it included (elu's e^x - 1 keeps their digits, as numpy's expm1)."""
    x = np.array(KERAS["x"], dtype=np.float32)
    out = activations.get(name)(x)
    assert out.dtype == np.float32
    assert_close(out.numpy(), np.float32(KERAS["values"][name]))


@pytest.mark.parametrize("name", sorted(KERAS["serialized"]))
def test_serialize_writes_keras_s_names_and_get_reads_them(name):
    function = activations.get(name)
    assert activations.serialize(function) == KERAS["serialized"][name]
    assert activations.get(activations.serialize(function)) is function
    record = {"module": "keras.activations", "class_name": "function", "config": name}
    assert activations.get(record) is function  # serialize_keras_object's form


def test_elu_celu_squareplus_options_and_their_gradients():
    x = np.array([[-3.0, -0.5, -1e-6, 1e-6, 0.7, 2.0]])
    assert_close(activations.elu(x, alpha=0.5).numpy(), np.where(x >= 0, x, 0.5 * np.expm1(x)))
    assert_close(
        activations.celu(x, alpha=2.0).numpy(),
        np.maximum(x, 0) + 2 * np.expm1(np.minimum(x, 0) / 2),
    )
    assert_close(activations.squareplus(x, b=1).numpy(), (x + np.sqrt(x * x + 1)) / 2)
    weights = ag.Tensor(np.arange(1.0, 7.0).reshape(1, 6))
    for f in (
        lambda t: activations.elu(t, alpha=0.5) * weights,
        lambda t: activations.celu(t, alpha=2.0) * weights,
        lambda t: activations.squareplus(t, b=1) * weights,
    ):
        assert ag.gradcheck(f, [x])


def test_elu_is_finite_with_a_zero_gradient_on_the_saturated_side():
    t = ag.Tensor([[-1e4, 1e4]], requires_grad=True)
    out = activations.elu(t)
    out.sum().backward()
    assert_close(out, [[-1.0, 1e4]])
    assert_close(t.grad, [[0.0, 1.0]])


def test_log_softmax_is_the_log_of_softmax_and_finite_for_huge_logits():
    x = np.array([[1e4, -1e4, 0.0], [0.5, 1.5, -2.0]])
    out = activations.log_softmax(x)
    assert_close(out[1], np.log(activations.softmax(x[1:]).numpy()[0]))
    assert_close(out[0], [0.0, -2e4, -1e4])
    layer = nn.Dense(3, activation="log_softmax")
    assert layer.get_config()["activation"] == "log_softmax"


def test_custom_functions_serialize_as_keras_does_and_cannot_be_read_back():
    def doubled(x):
        return 2 * x

    record = activations.serialize(doubled)
    assert record == {
        "module": "builtins",
        "class_name": "function",
        "config": "doubled",
        "registered_name": "function",
    }
    with pytest.raises(ValueError, match=r"^Cannot read the activation function 'doubled' from"):
        activations.get(record)
    with pytest.raises(TypeError, match=r"^The activation functools.partial\(.*cannot be written"):
        activations.serialize(functools.partial(activations.relu, max_value=6.0))
    with pytest.raises(ValueError, match=r"^Cannot read an activation from \{'class_name': 'ReLU'"):
        activations.get({"class_name": "ReLU", "config": {}})


def test_bad_activation_options_get_clear_errors():
    with pytest.raises(TypeError, match=r"^elu: alpha must be a number, got '1'$"):
        activations.elu(X, alpha="1")
    with pytest.raises(ValueError, match=r"^squareplus: b must be non-negative, got -1$"):
        activations.squareplus(X, b=-1)
    with pytest.raises(ValueError, match=r"^log_softmax: axis 2 is out of range for an input"):
        activations.log_softmax(X, axis=2)
