"""The course's week-2 calls with only the imports changed: activation layers, `.numpy()` on
softmax, the symbolic `model.input` / `layer.output`, Keras's printing arguments, seeding.

Reference numbers marked "Keras" were printed by Keras 3.15 on TensorFlow 2.21 (float32
input unless said otherwise); the closed forms beside them are the formulas of Keras's code.
"""

import random
import warnings

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import Sequential
from nn.activations import linear, relu
from nn.layers import Activation, Dense, Input, LeakyReLU, ReLU, Softmax
from tests.numerics import assert_close

X = np.array([[-3.0, -1.0, 0.0, 0.5, 1.0, 2.0, 5.0, 7.0]], dtype=np.float32)


def keras_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """keras/src/activations/activations.py ReLU.static_call, in numpy."""
    y = x * (x > threshold)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    return y - negative_slope * np.maximum(threshold - x, 0.0)


# --- the activation layers ---------------------------------------------------------------


def test_the_layers_are_importable_from_nn_and_nn_layers():
    assert (nn.ReLU, nn.LeakyReLU, nn.Softmax, nn.Activation) == (
        ReLU,
        LeakyReLU,
        Softmax,
        Activation,
    )


@pytest.mark.parametrize(
    "kwargs, keras",
    [
        ({}, [0.0, 0.0, 0.0, 0.5, 1.0, 2.0, 5.0, 7.0]),
        ({"max_value": 6.0}, [0.0, 0.0, 0.0, 0.5, 1.0, 2.0, 5.0, 6.0]),
        ({"negative_slope": 0.1}, [-0.3, -0.1, 0.0, 0.5, 1.0, 2.0, 5.0, 7.0]),
        ({"threshold": 1.0}, [0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 5.0, 7.0]),
        (
            {"max_value": 6.0, "negative_slope": 0.1, "threshold": 1.0},
            [-0.4, -0.2, -0.1, -0.05, 0.0, 2.0, 5.0, 6.0],
        ),
        (
            {"max_value": 0.5, "negative_slope": 0.25, "threshold": 2.0},
            [-1.25, -0.75, -0.5, -0.375, -0.25, 0.0, 0.5, 0.5],
        ),
    ],
)
def test_relu_layer_equals_keras(kwargs, keras):
    out = ReLU(**kwargs)(X)
    assert isinstance(out, ag.Tensor) and out.dtype == np.float32
    assert_close(out.numpy(), np.float32([keras]))
    assert_close(out.numpy(), keras_relu(X, **kwargs))


def test_leaky_relu_layer_default_slope_is_keras_3s_0_3():
    assert LeakyReLU().negative_slope == 0.3
    assert_close(LeakyReLU()(X).numpy(), np.float32([[-0.9, -0.3, 0.0, 0.5, 1.0, 2.0, 5.0, 7.0]]))
    assert_close(
        LeakyReLU(negative_slope=0.05)(X).numpy(),
        np.float32([[-0.15, -0.05, 0.0, 0.5, 1.0, 2.0, 5.0, 7.0]]),
    )


def test_leaky_relu_alpha_is_the_deprecated_name_with_keras_warning():
    with pytest.warns(UserWarning, match=r"Argument `alpha` is deprecated\. Use `negative_slope`"):
        layer = LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    assert_close(layer(np.array([[-2.0, 4.0]])).numpy(), np.float32([[-0.2, 4.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LeakyReLU(negative_slope=0.1)  # no warning without alpha


def test_softmax_layer_along_an_axis_equals_keras():
    z = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, -1.0]], dtype=np.float32)
    keras_axis0 = [[0.11419519, 0.04731416], [0.8437947, 0.95033026], [0.04201007, 0.00235563]]
    keras_last = [[0.26894143, 0.73105854], [0.11920291, 0.880797], [0.73105854, 0.26894143]]
    assert_close(Softmax(axis=0)(z).numpy(), np.float32(keras_axis0))
    assert_close(Softmax()(z).numpy(), np.float32(keras_last))
    assert_close(Softmax(axis=0)(z).numpy(), np.exp(z) / np.exp(z).sum(axis=0))


def test_activation_layer_by_name_and_by_function():
    keras_tanh = [-0.9950547, -0.7615942, 0.0, 0.46211714, 0.7615942, 0.9640276, 0.99990916, 1.0]
    assert_close(Activation("tanh")(X).numpy(), np.float32([keras_tanh]))
    keras_swish = [
        -0.1422776,
        -0.2689414,
        0.0,
        0.31122968,
        0.73105854,
        1.7615942,
        4.966536,
        6.993623,
    ]
    assert_close(Activation("swish")(X).numpy(), np.float32([keras_swish]))
    assert_close(Activation(relu)(X).numpy(), np.maximum(X, 0))
    assert Activation(None).activation is linear


NEGATIVE = "cannot be None or a negative value. Received: "
BAD_ARGUMENTS = [
    (
        lambda: ReLU(max_value=-1),
        ValueError,
        "max_value of a ReLU layer cannot be a negative value. Received: max_value=-1",
    ),
    (
        lambda: ReLU(negative_slope=-1),
        ValueError,
        f"negative_slope of a ReLU layer {NEGATIVE}negative_slope=-1",
    ),
    (
        lambda: ReLU(threshold=None),
        ValueError,
        f"threshold of a ReLU layer {NEGATIVE}threshold=None",
    ),
    (lambda: ReLU(max_value="6"), TypeError, "ReLU: max_value must be a number, got '6'"),
    (
        lambda: LeakyReLU(negative_slope=-0.1),
        ValueError,
        "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
        + "Expected a float. Received: negative_slope=-0.1",
    ),
    (lambda: LeakyReLU(True), TypeError, "LeakyReLU: negative_slope must be a number, got True"),
    (lambda: Softmax(axis=1.0), TypeError, "Softmax: axis must be an integer, got 1.0"),
    (
        lambda: Activation("rellu"),
        ValueError,
        (
            "Activation 'activation': Unknown activation 'rellu'. Valid names: celu, elu, "
            "exponential, hard_sigmoid, hard_silu, hard_swish, hard_tanh, leaky_relu, linear, "
            "log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus, "
            "softsign, squareplus, swish, tanh, tanh_shrink (or pass a function of a Tensor)"
        ),
    ),
    (
        lambda: Softmax(axis=2)(np.ones((2, 3))),
        ValueError,
        "softmax: axis 2 is out of range for an input of shape (2, 3)",
    ),
    (
        lambda: ReLU()(np.float32(1.0)),
        ValueError,
        "Layer 're_lu' (ReLU) needs inputs with a batch axis, got shape ()",
    ),
]


@pytest.mark.parametrize("make, error, message", BAD_ARGUMENTS)
def test_bad_arguments_get_keras_messages(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(
    "layer",
    [
        ReLU(),
        ReLU(max_value=1.5, negative_slope=0.2, threshold=0.3),
        LeakyReLU(),
        Softmax(axis=0),
        Softmax(),
        Activation("sigmoid"),
    ],
    ids=["relu", "relu-options", "leaky", "softmax-0", "softmax", "sigmoid"],
)
def test_layers_gradcheck_in_float64(layer):
    # values away from the kinks (0, threshold 0.3 and the clip at 1.5) by more than eps
    x = np.array([[-1.7, -0.3, 0.4, 1.1], [2.2, -2.5, 0.9, -0.05], [0.2, 1.8, -0.7, 0.6]])
    weights = ag.Tensor(np.arange(1.0, 13.0).reshape(3, 4))
    assert ag.gradcheck(lambda t: (layer(t) * weights).sum(), [x])
    assert layer(ag.Tensor(x)).dtype == np.float64  # a float64 Tensor stays float64


def test_layers_take_any_shape_on_every_call():
    layer = LeakyReLU()
    assert layer(np.array([-1.0, 2.0])).shape == (2,)
    assert_close(layer(np.full((2, 3, 4), -1.0)).numpy(), np.full((2, 3, 4), -0.3, np.float32))
    assert layer.weights == [] and layer.count_params() == 0


def model_with_activation_layers():
    return Sequential(
        [
            Input(shape=(3,)),
            Dense(4, name="L1"),
            LeakyReLU(),
            Dense(5, name="L2"),
            ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5),
            Activation("tanh"),
            Dense(2, name="L3"),
            Softmax(),
        ]
    )


def test_summary_shows_activation_layers_with_0_params_and_their_shapes():
    lines = []
    model_with_activation_layers().summary(print_fn=lines.append)
    rows = [line.split() for line in lines[4:-5] if line.strip()]
    assert rows == [
        ["L1", "(Dense)", "(None,", "4)", "16"],
        ["leaky_re_lu", "(LeakyReLU)", "(None,", "4)", "0"],
        ["L2", "(Dense)", "(None,", "5)", "25"],
        ["re_lu", "(ReLU)", "(None,", "5)", "0"],
        ["activation", "(Activation)", "(None,", "5)", "0"],
        ["L3", "(Dense)", "(None,", "2)", "12"],
        ["softmax", "(Softmax)", "(None,", "2)", "0"],
    ]
    assert "Total params: 53" in lines


def test_a_model_with_activation_layers_backprops_and_trains_traced_as_eagerly():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(24, 3)), rng.integers(0, 2, 24)
    loss = nn.losses.SparseCategoricalCrossentropy()
    nn.set_seed(5)
    errors = nn.check_gradients(model_with_activation_layers(), x, y, loss=loss)
    assert max(errors.values()) < 1e-7

    def train(run_eagerly):
        nn.clear_session()
        nn.set_seed(5)
        model = model_with_activation_layers()
        model.compile(loss=loss, optimizer="adam", run_eagerly=run_eagerly)
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return model.get_weights()

    for traced, eager in zip(train(False), train(True)):
        assert_close(traced, eager)


# --- softmax(...).numpy() ----------------------------------------------------------------


def test_softmax_of_numpy_has_numpy_method_as_tf_nn_softmax():
    p = nn.softmax(np.array([1.0, 2.0, 3.0, 4.0]))  # float64, as the course's z
    keras = [0.03205860328008499, 0.08714431874203257, 0.23688281808991013, 0.6439142598879724]
    assert type(p.numpy()) is np.ndarray and p.numpy().dtype == np.float64
    assert_close(p.numpy(), keras)
    # everything numpy does still works: the course's and the examples' uses
    assert np.argmax(p) == 3 and f"{np.sum(p):0.3f}" == "1.000" and f"{p.max():.2f}" == "0.64"
    assert type(p.max()) is np.float64 and repr(p) == repr(p.numpy())
    assert_close((p[2:] * 2).numpy(), np.array(keras[2:]) * 2)
    assert str(p) == str(np.asarray(p))


def test_activations_on_lists_give_numpy_method_and_tensors_stay_tensors():
    assert_close(nn.activations.relu([[-1, 2]]).numpy(), np.float32([[0, 2]]))
    assert_close(nn.activations.sigmoid([0.0]).numpy(), np.float32([0.5]))
    t = ag.Tensor([[1.0, 2.0]], requires_grad=True)
    out = nn.activations.softmax(t)
    assert isinstance(out, ag.Tensor) and out.requires_grad


# --- model.input / layer.output ----------------------------------------------------------


def course_model():
    return Sequential(
        [
            Input(shape=(400,)),
            Dense(25, activation="relu", name="L1"),
            Dense(15, activation="relu", name="L2"),
            Dense(10, activation="linear", name="L3"),
        ],
        name="my_model",
    )


def test_model_inputs_and_outputs_have_keras_shapes():
    model = course_model()
    assert model.inputs[0].shape == (None, 400) and model.input.shape == (None, 400)
    assert model.input is model.inputs[0] is model.layers[0].input
    assert model.input.dtype == "float32" and model.input.name == "keras_tensor"
    assert [layer.output.shape for layer in model.layers] == [(None, 25), (None, 15), (None, 10)]
    assert model.layers[1].input is model.layers[0].output
    assert model.output is model.outputs[0] is model.layers[-1].output
    assert [layer.output.name for layer in model.layers] == [
        "keras_tensor_1",
        "keras_tensor_2",
        "keras_tensor_3",
    ]
    assert (
        repr(model.output) == "<KerasTensor shape=(None, 10), dtype=float32, name=keras_tensor_3>"
    )


def test_the_course_grader_runs_unchanged():
    """The practice lab's `test_model` (public_tests.py), with only its imports changed."""

    def test_model(target, classes, input_size):
        target.build(input_shape=(None, input_size))
        assert len(target.layers) == 3
        assert target.input.shape.as_list() == [None, input_size]
        expected = [
            [Dense, [None, 25], relu],
            [Dense, [None, 15], relu],
            [Dense, [None, classes], linear],
        ]
        for i, layer in enumerate(target.layers):
            assert type(layer) == expected[i][0]  # the grader's own comparison
            assert layer.output.shape.as_list() == expected[i][1]
            assert layer.activation == expected[i][2]

    test_model(course_model(), 10, 400)


def test_symbolic_tensors_after_build_or_fit_without_input_and_stable_names():
    model = Sequential([Dense(3), Dense(2)])
    model.build((None, 4))
    first = model.input
    assert first.shape == (None, 4) and model.output.shape == (None, 2)
    model.compile(loss="mse", optimizer="sgd")
    model.fit(np.ones((5, 4)), np.ones((5, 2)), verbose=0)
    model.predict(np.ones((2, 4)))
    assert model.input is first and model.layers[1].output.name == "keras_tensor_2"
    model.add(Dense(7))
    assert model.input is first and model.output.shape == (None, 7)

    fitted = Sequential([Dense(3)])
    fitted.compile(loss="mse", optimizer="sgd")
    fitted.fit(np.ones((5, 6)), np.ones((5, 3)), verbose=0)
    assert fitted.inputs[0].shape == (None, 6) and fitted.layers[0].output.shape == (None, 3)


def test_unbuilt_model_and_layer_raise_keras_attribute_errors():
    model = Sequential([Dense(3)])
    cases = [
        ("inputs", "Sequential model 'sequential' has no defined inputs yet."),
        ("outputs", "Sequential model 'sequential' has no defined outputs yet."),
        ("input", "The layer sequential has never been called and thus has no defined input."),
        ("output", "The layer sequential has never been called and thus has no defined output."),
    ]
    for attribute, message in cases:
        with pytest.raises(AttributeError) as info:
            getattr(model, attribute)
        assert str(info.value) == message
    layer = model.layers[0]
    layer(np.ones((2, 4)))  # an eager call defines no symbolic output, as in Keras
    with pytest.raises(
        AttributeError,
        match=r"^The layer dense has never been called and thus "
        r"has no defined output\.$",
    ):
        _ = layer.output


def test_input_is_a_keras_tensor():
    inputs = Input(shape=(400,), name="pixels")
    assert isinstance(inputs, nn.KerasTensor)
    assert (inputs.shape, inputs.dtype, inputs.name, inputs.ndim) == (
        (None, 400),
        "float32",
        "pixels",
        2,
    )
    assert Input(shape=(3,), dtype="float64").dtype == "float64"
    with pytest.raises(
        TypeError,
        match=r"Input: dtype must be a float type such as 'float32', "
        r"got 'int32'",
    ):
        Input(shape=(3,), dtype="int32")


def test_a_layer_called_on_a_keras_tensor_gives_its_output_shape():
    out = nn.Flatten()(Dense(4)(nn.KerasTensor((None, 2, 3))))
    assert out.shape == (None, 8)
    with pytest.raises(ValueError, match=r"built for input shape \(None, 3\)"):
        layer = Dense(2)
        layer(np.ones((1, 3)))
        layer(nn.KerasTensor((None, 5)))


# --- predict / evaluate / fit: Keras's arguments -----------------------------------------


def compiled():
    nn.set_seed(3)
    model = Sequential([Input(shape=(4,)), Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


XS = np.random.default_rng(2).normal(size=(70, 4))
YS = np.arange(70) % 3


def test_predict_and_evaluate_accept_steps_and_use_every_batch_as_keras_3():
    model = compiled()
    full = model.predict(XS)
    assert_close(model.predict(XS, steps=1, verbose=0), full, exact=True)
    assert model.predict(XS, steps=1).shape == (70, 3)  # Keras 3 gives all 70 rows too
    assert model.evaluate(XS, YS, steps=1) == model.evaluate(XS, YS)
    with pytest.raises(
        ValueError,
        match=r"predict: steps must be None or a positive integer, "
        r"got 0",
    ):
        model.predict(XS, steps=0)


def test_evaluate_return_dict():
    model = compiled()
    loss, accuracy = model.evaluate(XS, YS)
    assert model.evaluate(XS, YS, return_dict=True) == {"loss": loss, "accuracy": accuracy}
    probabilities = model.predict(XS)
    expected = -np.mean(np.log(probabilities[np.arange(70), YS]))
    assert_close(np.float32(loss), np.float32(expected))
    with pytest.raises(TypeError, match=r"evaluate: return_dict must be True or False, got 1"):
        model.evaluate(XS, YS, return_dict=1)


def test_fit_defaults_are_kerass_batch_size_none_and_verbose_auto(capsys):
    default = compiled()
    default.fit(XS, YS, epochs=2)
    printed = capsys.readouterr().out
    assert printed.startswith("Epoch 1/2\n3/3 [==============================] - ")
    explicit = compiled()
    explicit.fit(XS, YS, batch_size=32, epochs=2, verbose=1)
    for a, b in zip(default.get_weights(), explicit.get_weights()):
        assert_close(a, b, exact=True)


# --- seeding -----------------------------------------------------------------------------


def test_set_random_seed_seeds_weights_python_and_numpy():
    assert nn.utils.set_random_seed is nn.set_seed is nn.set_random_seed
    nn.utils.set_random_seed(1234)
    first = (Dense(3)(np.ones((1, 2))).numpy(), random.random(), np.random.rand())
    nn.utils.set_random_seed(1234)
    second = (Dense(3)(np.ones((1, 2))).numpy(), random.random(), np.random.rand())
    assert_close(first[0], second[0], exact=True)
    assert first[1:] == second[1:]
    for bad in (-1, 2**32, 1.5, "1", True):
        with pytest.raises(
            ValueError,
            match=r"set_random_seed: seed must be an integer in "
            r"\[0, 2\*\*32 - 1\]",
        ):
            nn.utils.set_random_seed(bad)
