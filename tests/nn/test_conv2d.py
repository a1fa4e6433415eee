"""Conv2D, Conv1D's dilation, Reshape and the sliding windows under them: values against
plain loops, gradients against finite differences (float64), errors that name the cause."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn.layers.convolutional import Conv1D, Conv2D
from nn.layers.reshaping import Reshape
from tests.numerics import assert_close

rng = np.random.default_rng(10)


def convolve_by_hand(x, kernel, bias, strides, dilation, pads):
    """The definition, one output position at a time, for any number of spatial axes:
    out[b, i, f] = sum_{k, c} xpad[b, i * strides + k * dilation, c] * kernel[k, c, f] + bias[f]
    """
    x = np.pad(x, [(0, 0), *pads, (0, 0)])
    sizes = kernel.shape[:-2]
    spans = [(k - 1) * d + 1 for k, d in zip(sizes, dilation)]
    counts = [(n - span) // s + 1 for n, span, s in zip(x.shape[1:-1], spans, strides)]
    out = np.zeros((x.shape[0], *counts, kernel.shape[-1]))
    for b in range(x.shape[0]):
        for i in itertools.product(*(range(c) for c in counts)):
            for k in itertools.product(*(range(n) for n in sizes)):
                position = tuple(a * s + o * d for a, s, o, d in zip(i, strides, k, dilation))
                out[(b, *i)] += x[(b, *position)] @ kernel[k]
            out[(b, *i)] += bias
    return out


def float64_layer(layer_class, x, **arguments):
    """A float64 layer built on `x` with a random bias (the default one is zeros)."""
    layer = layer_class(dtype="float64", **arguments)
    layer(x)
    if layer.bias is not None:
        layer.bias.data[...] = rng.standard_normal(layer.bias.shape)
    return layer


# (kernel_size, strides, padding, dilation_rate, input (batch, rows, columns, channels),
#  the zeros (before, after) along rows and along columns, worked out by hand from
#  TensorFlow's rule: total = (ceil(n / s) - 1) * s + span - n, the odd one after)
CONV2D_CASES = [
    (3, 1, "valid", 1, (2, 5, 6, 1), [(0, 0), (0, 0)]),
    ((2, 3), (2, 1), "valid", 1, (1, 7, 6, 3), [(0, 0), (0, 0)]),
    (3, 2, "valid", 1, (3, 7, 8, 2), [(0, 0), (0, 0)]),
    (3, 1, "same", 1, (2, 5, 4, 2), [(1, 1), (1, 1)]),
    (3, 2, "same", 1, (2, 8, 7, 1), [(0, 1), (1, 1)]),  # 8 rows: one zero, at the bottom
    ((4, 2), (3, 2), "same", 1, (1, 7, 5, 3), [(1, 2), (0, 1)]),
    (3, 1, "valid", 2, (2, 7, 6, 2), [(0, 0), (0, 0)]),
    ((3, 2), 1, "same", (2, 3), (2, 6, 7, 1), [(2, 2), (1, 2)]),
    (1, 1, "valid", 1, (4, 3, 3, 5), [(0, 0), (0, 0)]),
]


@pytest.mark.parametrize("kernel_size, strides, padding, dilation, shape, pads", CONV2D_CASES)
def test_conv2d_matches_the_definition(kernel_size, strides, padding, dilation, shape, pads):
    x = rng.standard_normal(shape)
    layer = float64_layer(
        Conv2D,
        x,
        filters=3,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
    )
    kernel, bias = layer.get_weights()
    expected = convolve_by_hand(x, kernel, bias, layer.strides, layer.dilation_rate, pads)
    assert_close(layer(x), expected)
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *expected.shape[1:])


@pytest.mark.parametrize(
    "kernel_size, strides, padding, dilation, pads",
    [
        (3, 1, "valid", 2, (0, 0)),
        (4, 1, "same", 3, (4, 5)),  # span 10 over 9 steps: 9 zeros, 4 before
        (3, 1, "causal", 2, (4, 0)),
        (2, 3, "causal", 1, (1, 0)),
    ],
)
def test_conv1d_with_dilation_matches_the_definition(kernel_size, strides, padding, dilation, pads):
    x = rng.standard_normal((2, 9, 3))
    layer = float64_layer(
        Conv1D,
        x,
        filters=2,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
    )
    kernel, bias = layer.get_weights()
    expected = convolve_by_hand(x, kernel, bias, (strides,), (dilation,), [pads])
    assert_close(layer(x), expected)
    assert layer.compute_output_shape((None, 9, 3)) == (None, *expected.shape[1:])


def gradcheck_layer(layer, x):
    """Finite differences against backprop for d(output)/d(x, kernel, bias), through the
    layer's own call with its weights swapped for the checked tensors."""
    weights = [layer.kernel] + ([layer.bias] if layer.bias is not None else [])

    def run(x, kernel, bias=None):
        layer.kernel, layer.bias = kernel, bias
        return layer.call(x)

    try:
        assert ag.gradcheck(run, [x, *(w.data for w in weights)], atol=1e-7, rtol=1e-6)
    finally:
        layer.kernel, layer.bias = weights[0], weights[1] if len(weights) > 1 else None


@pytest.mark.parametrize(
    "kernel_size, strides, padding, dilation, shape, activation, use_bias",
    [
        (3, 1, "valid", 1, (1, 4, 5, 1), "linear", True),
        ((2, 3), (2, 1), "valid", 1, (2, 5, 5, 2), "tanh", True),
        (3, 2, "same", 1, (3, 6, 5, 2), "sigmoid", False),
        ((3, 2), 1, "same", (2, 1), (2, 5, 4, 3), "tanh", True),
        (2, 1, "valid", 2, (1, 5, 6, 2), "swish", True),  # unfused: matmul, add, swish
    ],
)
def test_conv2d_gradients_match_finite_differences(
    kernel_size, strides, padding, dilation, shape, activation, use_bias
):
    x = rng.standard_normal(shape)
    layer = float64_layer(
        Conv2D,
        x,
        filters=2,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
        activation=activation,
        use_bias=use_bias,
    )
    gradcheck_layer(layer, x)


@pytest.mark.parametrize(
    "strides, padding, dilation, shape",
    [(1, "same", 2, (2, 8, 2)), (1, "causal", 3, (1, 9, 1)), (2, "valid", 1, (3, 7, 3))],
)
def test_conv1d_gradients_match_finite_differences(strides, padding, dilation, shape):
    x = rng.standard_normal(shape)
    layer = float64_layer(
        Conv1D,
        x,
        filters=3,
        kernel_size=3,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
        activation="tanh",
    )
    gradcheck_layer(layer, x)


def test_sliding_windows_over_two_axes_with_dilation():
    """windows[b, i, j, c, p, q] = x[b, i * s0 + p * d0, j * s1 + q * d1, c]."""
    x = rng.standard_normal((2, 9, 8, 3))
    windows = ag.sliding_windows(ag.Tensor(x), (2, 3), stride=(3, 1), axis=(1, 2), dilation=(4, 2))
    assert windows.shape == (2, 2, 4, 3, 2, 3)  # rows 0..4 and 3..7: a window spans 5
    for i, j, p, q in itertools.product(range(2), range(4), range(2), range(3)):
        np.testing.assert_array_equal(
            windows.data[:, i, j, :, p, q], x[:, i * 3 + p * 4, j + q * 2, :]
        )
    # the adjoint: each element's gradient counts the windows that read it
    counts = ag.Tensor(np.zeros((1, 5)), requires_grad=True)
    ag.sliding_windows(counts, 2, axis=1, dilation=2).sum().backward()
    np.testing.assert_array_equal(counts.grad, [[1, 1, 2, 1, 1]])  # windows (0,2) (1,3) (2,4)


@pytest.mark.parametrize(
    "size, stride, axis, dilation, shape",
    [
        ((2, 3), (2, 1), (1, 2), (1, 2), (2, 6, 7, 2)),
        (3, 2, (2, 0), 1, (5, 2, 6)),  # windows' axes in the order of `axis`
        (2, 1, -1, 3, (3, 7)),
        # windows that do not overlap (the adjoint is one strided copy): tiles with a row
        # left over, gaps between windows, gaps inside them
        ((2, 2), (2, 3), (1, 2), 1, (2, 5, 7, 2)),
        (2, 3, -1, 2, (3, 8)),
    ],
)
def test_sliding_windows_gradients_and_second_derivatives(size, stride, axis, dilation, shape):
    weights = rng.standard_normal(
        ag.sliding_windows(np.zeros(shape), size, stride, axis, dilation).shape
    )

    def windows(x):
        return (ag.sliding_windows(x, size, stride, axis, dilation) ** 2) * weights

    assert ag.gradcheck(windows, [rng.standard_normal(shape)])
    assert ag.gradgradcheck(windows, [rng.standard_normal(shape)])


def test_sliding_windows_errors():
    x = ag.Tensor(np.zeros((2, 6, 5)))
    with pytest.raises(ValueError, match=r"dilation must be a positive integer or a tuple of 2"):
        ag.sliding_windows(x, 2, axis=(1, 2), dilation=(1, 0))
    with pytest.raises(ValueError, match=r"axis \(1, -2\) names an axis twice"):
        ag.sliding_windows(x, 2, axis=(1, -2))
    with pytest.raises(ValueError, match="size must be a positive integer or a tuple of 2"):
        ag.sliding_windows(x, (2, 2, 2), axis=(1, 2))
    with pytest.raises(ag.OpError, match="windows of 3 dilated by 3 along axis 1 do not fit"):
        ag.sliding_windows(x, 3, axis=1, dilation=3)  # spans 7 of the 6


def test_conv2d_weights_and_names_are_keras():
    nn.clear_session()
    layer = Conv2D(8, 3, activation="relu")
    assert (layer.kernel_size, layer.strides, layer.dilation_rate) == ((3, 3), (1, 1), (1, 1))
    out = layer(np.ones((2, 28, 28, 1)))
    assert layer.name == "conv2d" and out.shape == (2, 26, 26, 8)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 1, 8) and bias.shape == (8,) and kernel.dtype == np.float32
    # glorot_uniform with Keras's fans for a kernel: receptive field x channels in and out
    limit = np.sqrt(6 / (9 * 1 + 9 * 8))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit
    assert Conv2D(2, (1, 3))(np.ones((0, 4, 4, 1))).shape == (0, 4, 2, 2)  # an empty batch
    assert Conv2D(4, 3, padding="same", strides=2).compute_output_shape((None, 28, 28, 1)) == (
        None,
        14,
        14,
        4,
    )


def test_conv2d_model_fits_traced_as_eager():
    x = rng.standard_normal((16, 6, 6, 1)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0).astype(np.float32)
    weights = []
    for run_eagerly in (False, True):
        nn.set_seed(3)
        model = nn.Sequential(
            [
                nn.Input(shape=(36,)),
                Reshape((6, 6, 1)),
                Conv2D(3, 3, strides=2, padding="same", activation="relu"),
                Conv2D(2, 2, dilation_rate=2, activation="tanh"),
                nn.Flatten(),
                nn.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(
            loss="binary_crossentropy", optimizer=nn.optimizers.Adam(0.01), run_eagerly=run_eagerly
        )
        model.fit(x.reshape(16, 36), y, batch_size=8, epochs=2, verbose=0)
        weights.append(model.get_weights())
        if not run_eagerly:
            assert model._train_function.replays and not model._train_function.eager_reasons
    for traced, eager in zip(*weights):
        assert_close(traced, eager)


def test_conv2d_model_gradients_match_finite_differences():
    nn.set_seed(6)
    model = nn.Sequential(
        [
            nn.Input(shape=(5, 6, 2)),
            Conv2D(3, (2, 3), strides=(1, 2), padding="same", activation="tanh"),
            Conv2D(2, 2, dilation_rate=(1, 2)),
            nn.Flatten(),
            nn.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer="sgd")
    errors = nn.check_gradients(
        model, rng.standard_normal((3, 5, 6, 2)), rng.standard_normal((3, 1))
    )
    assert set(errors) == {w.name for w in model.weights}
    assert max(errors.values()) < 1e-7


def test_conv_errors_say_what_is_wrong():
    with pytest.raises(
        ValueError,
        match=r"Conv2D: `kernel_size` must be a positive integer or "
        r"a tuple of 2 positive integers, received \(3, 0\)",
    ):
        Conv2D(2, (3, 0))
    with pytest.raises(ValueError, match=r"Conv2D: `strides` .* received \(1, 2, 3\)"):
        Conv2D(2, 3, strides=(1, 2, 3))
    with pytest.raises(ValueError, match="Conv2D: `filters` must be a positive integer"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"Conv2D: padding must be one of \('valid', 'same'\)"):
        Conv2D(2, 3, padding="causal")
    with pytest.raises(
        ValueError,
        match=r"`strides > 1` is not supported together with "
        r"`dilation_rate > 1`, received strides=\(2,\) and dilation_rate=\(2,\)",
    ):
        Conv1D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(
        ValueError,
        match=r"needs inputs of shape \(batch, rows, columns, "
        r"channels\), got \(None, 5, 5\)",
    ):
        Conv2D(2, 3)(np.ones((1, 5, 5)))
    with pytest.raises(ValueError, match="2 columns are fewer than kernel_size=3"):
        Conv2D(2, 3)(np.ones((1, 5, 2, 1)))
    with pytest.raises(
        ValueError, match="4 steps are fewer than the 5 a kernel_size=3 spans at dilation_rate=2"
    ):
        Conv1D(2, 3, dilation_rate=2)(np.ones((1, 4, 1)))


def test_reshape_keeps_the_values_and_works_out_minus_one():
    x = ag.Tensor(rng.standard_normal((3, 12)), requires_grad=True)
    out = Reshape((2, -1, 3))(x)
    np.testing.assert_array_equal(out.data, x.data.reshape(3, 2, 2, 3))
    (out * np.arange(12.0).reshape(2, 2, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.tile(np.arange(12.0), (3, 1)))
    assert Reshape((4, 3)).compute_output_shape((None, 12)) == (None, 4, 3)
    assert Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == (None, 6, 2)
    assert Reshape((-1, 2)).compute_output_shape((None, None)) == (None, None, 2)
    assert Reshape((2, 2))(np.ones((0, 4))).shape == (0, 2, 2)
    nn.clear_session()
    assert Reshape((2, 2)).name == "reshape"


def test_reshape_errors_say_what_is_wrong():
    for target in ((0, 3), (-1, -1), 12, (2.0, 6)):
        with pytest.raises(ValueError, match="Reshape: target_shape must be a tuple of positive"):
            Reshape(target)
    with pytest.raises(
        ValueError,
        match=r"inputs of shape \(None, 12\) have 12 values per "
        r"example, which target_shape=\(5, 2\) cannot hold",
    ):
        Reshape((5, 2))(np.ones((1, 12)))
    with pytest.raises(ValueError, match=r"target_shape=\(-1, 5\) cannot hold"):
        nn.Sequential([nn.Input(shape=(12,)), Reshape((-1, 5), name="r")])


def units_reading_each_input(shape, kernel_size, strides, pads):
    """By hand: for every output unit, mark the window it reads (padding left out)."""
    counts = np.zeros(shape, dtype=int)
    (top, _), (left, _) = pads
    out_rows = (shape[0] + sum(pads[0]) - kernel_size) // strides + 1
    out_columns = (shape[1] + sum(pads[1]) - kernel_size) // strides + 1
    for i, j in itertools.product(range(out_rows), range(out_columns)):
        rows = slice(max(i * strides - top, 0), i * strides - top + kernel_size)
        columns = slice(max(j * strides - left, 0), j * strides - left + kernel_size)
        counts[rows, columns] += 1
    return counts


@pytest.mark.parametrize(
    "shape, kernel_size, strides, padding, pads",
    [
        ((9, 9), 3, 2, "same", [(1, 1), (1, 1)]),
        ((8, 7), 3, 2, "same", [(0, 1), (1, 1)]),
        ((6, 7), 2, 1, "valid", [(0, 0), (0, 0)]),
    ],
)
def test_conv2d_receptive_field_counts(tmp_path, shape, kernel_size, strides, padding, pads):
    import matplotlib

    matplotlib.use("Agg")
    from nn.receptive_fields import plot_receptive_fields, receptive_fields

    layer = Conv2D(2, kernel_size, strides=strides, padding=padding)
    fields = receptive_fields(layer, input_shape=(*shape, 1))
    expected = units_reading_each_input(shape, kernel_size, strides, pads)
    np.testing.assert_array_equal(fields.counts, expected)
    assert fields.output_shape == layer.compute_output_shape((None, *shape, 1))[1:-1]
    figure = plot_receptive_fields(layer, input_shape=(*shape, 1), to_file=tmp_path / "f.png")
    np.testing.assert_array_equal(figure.axes[1].images[0].get_array(), expected)  # drawn
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    matplotlib.pyplot.close(figure)


def test_receptive_fields_of_a_model_compose_the_layers():
    """Conv 3 -> Conv 3 (dilation 2) -> Flatten: a last unit reads 3 + 2 * 2 = 7 inputs
    per axis; the Flatten and Dense after the convolutions end the fields."""
    from nn.receptive_fields import receptive_fields

    model = nn.Sequential(
        [
            nn.Input(shape=(9, 10, 2)),
            Conv2D(2, 3, activation="relu"),
            nn.ReLU(),
            Conv2D(2, 3, dilation_rate=2),
            nn.Flatten(),
            nn.Dense(1),
        ]
    )
    fields = receptive_fields(model)
    assert fields.input_shape == (9, 10) and fields.output_shape == (3, 4)
    expected = np.zeros((9, 10), dtype=bool)
    expected[1:8, 2:9] = True  # unit (1, 2) starts at row 1, column 2
    np.testing.assert_array_equal(fields.unit(1, 2), expected)
    # every input the gradient of the output reaches is an input some unit reads
    x = ag.Tensor(rng.random((1, 9, 10, 2)) + 1, requires_grad=True)
    first, relu, second = model.layers[:3]
    for layer in (first, second):
        layer.set_weights([np.abs(w) + 0.1 for w in layer.get_weights()])  # nothing cancels
    out = second(relu(first(x)))
    out[0, 1, 2].sum().backward()
    np.testing.assert_array_equal(x.grad[0, :, :, 0] != 0, expected)


def test_receptive_fields_errors():
    from nn.receptive_fields import receptive_fields

    with pytest.raises(ValueError, match="pass input_shape=..."):
        receptive_fields(Conv2D(2, 3))
    with pytest.raises(ValueError, match=r"layer 'd' \(Dense\) has no windows"):
        receptive_fields(nn.Dense(2, name="d"), input_shape=(4,))
    with pytest.raises(ValueError, match="does not start with a convolution"):
        receptive_fields(nn.Sequential([nn.Input(shape=(4,)), nn.Dense(2)], name="m"))
    with pytest.raises(
        ValueError,
        match=r"needs an input shape of 2 spatial axes and "
        r"channels, got \(5, 1\)",
    ):
        receptive_fields(Conv2D(2, 3), input_shape=(5, 1))


def test_plot_receptive_fields_without_matplotlib_says_how_to_install(monkeypatch):
    import sys

    from nn.receptive_fields import plot_receptive_fields

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    with pytest.raises(ImportError, match=r"pip install 'autograd-lite\[examples\]'"):
        plot_receptive_fields(Conv1D(2, 3), input_shape=(8, 1))
