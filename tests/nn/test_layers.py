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


# Keras 3's initializers: (name, |w| bound, mean, std) of 200 x 100 draws; the truncated
# normals' std after truncation is sqrt(scale / n), as Keras scales them for
TRUNCATED_STD = 0.87962566103423978  # the std of a standard normal cut at +-2


@pytest.mark.parametrize(
    "identifier, bound, mean, std",
    [
        ("glorot_normal", 2 * np.sqrt(2 / 300) / TRUNCATED_STD, 0.0, np.sqrt(2 / 300)),
        ("he_normal", 2 * np.sqrt(2 / 200) / TRUNCATED_STD, 0.0, np.sqrt(2 / 200)),
        ("lecun_uniform", np.sqrt(3 / 200), 0.0, np.sqrt(1 / 200)),
        ("lecun_normal", 2 * np.sqrt(1 / 200) / TRUNCATED_STD, 0.0, np.sqrt(1 / 200)),
        ("random_uniform", 0.05, 0.0, 0.1 / np.sqrt(12)),
        ("truncated_normal", 0.1, 0.0, 0.05 * TRUNCATED_STD),
        (initializers.RandomNormal(mean=1.0, stddev=0.5), np.inf, 1.0, 0.5),
        (initializers.RandomUniform(minval=2.0, maxval=4.0), 4.0, 3.0, 2 / np.sqrt(12)),
        (initializers.Constant(-0.25), 0.25, -0.25, 0.0),
        (
            initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal"),
            np.inf,
            0.0,
            np.sqrt(2 / 100),
        ),
        (
            initializers.VarianceScaling(3.0, "fan_avg", "uniform"),
            np.sqrt(9 / 150),
            0.0,
            np.sqrt(3 / 150),
        ),
    ],
)
def test_more_initializer_statistics(identifier, bound, mean, std):
    w = initializers.get(identifier)((200, 100), np.float64)
    assert w.shape == (200, 100) and w.dtype == np.float64
    assert np.abs(w).max() <= bound + 1e-12
    assert abs(w.mean() - mean) < 0.01 and abs(w.std() - std) <= 0.02 * max(std, 0.05)


def test_fans_of_convolution_kernels_and_given_axes():
    assert initializers.fans((5, 3, 8)) == (15, 40)  # Conv1D: kernel_size, in, filters
    assert initializers.fans((3, 2, 4, 6)) == (24, 36)
    assert initializers.fans((4,)) == (4, 4) and initializers.fans(()) == (1, 1)
    init = initializers.HeUniform(input_axes=[0], output_axes=[1, 2])
    assert initializers.fans((6, 2, 3), init.input_axes, init.output_axes) == (6, 6)


def test_unseeded_initializers_follow_set_seed_and_the_functions_equal_the_classes():
    for function, cls in [
        (initializers.glorot_uniform, initializers.GlorotUniform),
        (initializers.he_uniform, initializers.HeUniform),
        (initializers.random_normal, initializers.RandomNormal),
    ]:
        nn.set_seed(4)
        a = function((5, 3))
        nn.set_seed(4)
        np.testing.assert_array_equal(a, cls()((5, 3)))
        assert not np.array_equal(cls()((5, 3)), cls()((5, 3)))  # the generator moves on
        assert type(initializers.get(function)) is cls  # as a layer's config records it


def test_glorot_uniform_draws_are_the_ones_before_the_classes():
    """The same generator calls as the function this project had: the seeded initial weights
    of every model are unchanged."""
    nn.set_seed(9)
    w = initializers.GlorotUniform()((7, 3), np.float32)
    nn.set_seed(9)
    limit = np.sqrt(6.0 / 10)
    expected = ag.random_generator().uniform(-limit, limit, size=(7, 3)).astype(np.float32)
    np.testing.assert_array_equal(w, expected)


def test_a_seeded_initializer_gives_the_same_values_on_every_call():
    for cls in (initializers.GlorotNormal, initializers.RandomUniform, initializers.HeNormal):
        init = cls(seed=5)
        a = init((4, 3))
        nn.set_seed(123)  # the library's generator plays no part
        np.testing.assert_array_equal(a, init((4, 3)))
        assert not np.array_equal(a, cls(seed=6)((4, 3)))
    layer_a = nn.Dense(3, kernel_initializer=initializers.GlorotUniform(seed=1))
    layer_b = nn.Dense(3, kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": 1}})
    layer_a.build((None, 2))
    layer_b.build((None, 2))
    np.testing.assert_array_equal(layer_a.get_weights()[0], layer_b.get_weights()[0])


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: initializers.RandomNormal(seed=-1), ValueError, r"^RandomNormal: seed must be "),
        (lambda: initializers.GlorotUniform(seed=1.5), ValueError, r"^GlorotUniform: seed must"),
        (lambda: initializers.Constant("a"), TypeError, r"^Constant: value must be a number"),
        (lambda: initializers.RandomUniform(maxval=None), TypeError, r"^RandomUniform: maxval"),
        (
            lambda: initializers.VarianceScaling(scale=0),
            ValueError,
            r"^VarianceScaling: scale must be positive, got 0$",
        ),
        (
            lambda: initializers.VarianceScaling(mode="fan"),
            ValueError,
            r"^VarianceScaling: mode must be one of \('fan_in', 'fan_out', 'fan_avg'\), got 'fan'",
        ),
        (
            lambda: initializers.VarianceScaling(distribution="gaussian"),
            ValueError,
            r"^VarianceScaling: distribution must be one of .*got 'gaussian'",
        ),
        (lambda: initializers.HeNormal(input_axes=0), ValueError, r"HeNormal: input_axes must"),
        (
            lambda: initializers.get({"class_name": "Orthogonal", "config": {}}),
            ValueError,
            r"^Unknown initializer class 'Orthogonal' in a config; nn has Constant, GlorotNormal",
        ),
        (
            lambda: initializers.get({"class_name": "function", "config": "my_init"}),
            ValueError,
            r"^Cannot read the initializer function 'my_init' from a config",
        ),
    ],
)
def test_bad_initializer_arguments_get_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_keras_initializer_names_and_aliases():
    assert type(initializers.get("normal")) is initializers.RandomNormal
    assert type(initializers.get("one")) is initializers.Ones
    assert type(initializers.get("VarianceScaling")) is initializers.VarianceScaling
    assert initializers.get("constant").get_config() == {"value": 0.0}
    normal = initializers.VarianceScaling(distribution="normal")
    assert normal.distribution == "truncated_normal"  # Keras's alias
