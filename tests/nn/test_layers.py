import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import initializers


def test_dense_builds_on_first_call_with_keras_shapes_and_names():
    layer = nn.Dense(25)
    assert not layer.built and layer.weights == []
    y = layer(np.ones((7, 400)))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (400, 25) and bias.shape == (25,)
    assert y.shape == (7, 25) and y.dtype == np.float32
    assert [w.name for w in layer.weights] == ["dense/kernel", "dense/bias"]
    assert nn.Dense(3).name == "dense_1" and nn.Dense(3, name="L1").name == "L1"
    np.testing.assert_array_equal(bias, np.zeros(25))
    assert np.abs(kernel).max() <= np.sqrt(6 / 425)
    assert layer.count_params() == 400 * 25 + 25


def test_dense_computes_activation_of_x_kernel_plus_bias():
    layer = nn.Dense(2, activation="relu")
    layer.build((None, 3))
    kernel = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]])
    layer.set_weights([kernel, np.array([0.5, -10.0])])
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(layer(x).data, np.maximum(x @ kernel + [0.5, -10.0], 0))


def test_dense_without_bias_and_on_rank_3_inputs():
    layer = nn.Dense(4, use_bias=False, kernel_initializer="ones")
    y = layer(np.ones((2, 5, 3)))
    assert len(layer.weights) == 1 and y.shape == (2, 5, 4)
    np.testing.assert_allclose(y.data, 3.0)


def test_layer_call_runs_inside_a_name_scope():
    y = nn.Dense(2, name="L1")(np.ones((1, 3)))
    assert y.scope == "L1 (Dense)"


@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_gradients_with_respect_to_input_and_weights(use_bias):
    layer = nn.Dense(3, activation="tanh", use_bias=use_bias, dtype="float64")
    x = np.random.default_rng(1).normal(size=(4, 5))
    layer(x)

    def forward(x, *weights):  # the layer's call, with gradcheck's float64 copies as weights
        layer.kernel, layer.bias = weights if use_bias else (weights[0], None)
        return layer(x) * ag.Tensor(np.arange(1.0, 13.0).reshape(4, 3))

    original = layer.kernel, layer.bias
    assert ag.gradcheck(forward, [x, *layer.get_weights()])
    layer.kernel, layer.bias = original
    model = nn.Sequential([nn.Input(shape=(5,)), layer])
    errors = nn.check_gradients(model, x, np.random.default_rng(2).normal(size=(4, 3)), loss="mse")
    assert max(errors.values()) < 1e-8


def test_set_weights_checks_count_and_shapes():
    layer = nn.Dense(2, name="L1")
    layer(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"'L1/kernel' has shape \(3, 2\), but .* \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match="layer 'L1' has 2 weights .* but 1 arrays"):
        layer.set_weights([np.zeros((3, 2))])


def test_get_weights_returns_copies():
    layer = nn.Dense(2)
    layer(np.ones((1, 3)))
    layer.get_weights()[0][...] = 99
    assert not (layer.kernel.data == 99).any()


def test_invalid_units():
    with pytest.raises(ValueError, match="units=0"):
        nn.Dense(0)


def test_seed_gives_bit_identical_initial_weights():
    nn.set_seed(7)
    a = nn.Sequential([nn.Input(shape=(10,)), nn.Dense(5), nn.Dense(2)]).get_weights()
    nn.set_seed(7)
    b = nn.Sequential([nn.Input(shape=(10,)), nn.Dense(5), nn.Dense(2)]).get_weights()
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.mark.parametrize(
    "name, limit, mean, std",
    [
        ("glorot_uniform", np.sqrt(6 / 300), 0.0, np.sqrt(6 / 300) / np.sqrt(3)),
        ("he_uniform", np.sqrt(6 / 200), 0.0, np.sqrt(6 / 200) / np.sqrt(3)),
        ("random_normal", np.inf, 0.0, 0.05),
        ("zeros", 0.0, 0.0, 0.0),
        ("ones", 1.0, 1.0, 0.0),
    ],
)
def test_initializer_statistics(name, limit, mean, std):
    w = initializers.get(name)((200, 100), np.float32)
    assert w.shape == (200, 100) and w.dtype == np.float32
    assert np.abs(w).max() <= limit
    assert abs(w.mean() - mean) < 0.01 and abs(w.std() - std) < 0.02 * max(std, 0.05)


def test_unknown_initializer_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown initializer 'glorot'.*glorot_uniform"):
        nn.Dense(3, kernel_initializer="glorot")
