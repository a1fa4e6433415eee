"""Conv1D and Flatten: values against a plain loop, gradients against finite differences."""

import numpy as np
import pytest

import autograd_lite as ag
import nn
from tests.numerics import assert_close

rng = np.random.default_rng(5)


def convolve_by_hand(x, kernel, bias, strides, before, after):
    """The definition, one output at a time."""
    x = np.pad(x, [(0, 0), (before, after), (0, 0)])
    size, _, filters = kernel.shape
    steps = (x.shape[1] - size) // strides + 1
    out = np.zeros((x.shape[0], steps, filters))
    for b in range(x.shape[0]):
        for i in range(steps):
            window = x[b, i * strides : i * strides + size]  # (size, channels)
            out[b, i] = np.einsum("tc,tcf->f", window, kernel) + bias
    return out


@pytest.mark.parametrize(
    "padding, strides, padded",
    [("valid", 1, (0, 0)), ("valid", 3, (0, 0)), ("same", 2, (1, 2)), ("causal", 2, (3, 0))],
)
def test_conv1d_matches_the_definition(padding, strides, padded):
    layer = nn.Conv1D(5, kernel_size=4, strides=strides, padding=padding, dtype="float64")
    x = rng.standard_normal((2, 9, 3))
    layer(x)  # builds the weights
    layer.bias.data[...] = rng.standard_normal(5)
    out = layer(x)
    kernel, bias = layer.get_weights()
    expected = convolve_by_hand(x, kernel, bias, strides, *padded)
    assert_close(out, expected)
    assert layer.compute_output_shape((None, 9, 3)) == (None,) + expected.shape[1:]


def test_the_course_ekg_shape():
    layer = nn.Conv1D(4, kernel_size=20, strides=10)
    assert layer(np.ones((1, 100, 1))).shape == (1, 9, 4)  # (100 - 20) // 10 + 1 windows


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_conv_model_gradients_match_finite_differences(padding):
    nn.set_seed(2)
    model = nn.Sequential(
        [
            nn.Input(shape=(8, 2)),
            nn.Conv1D(3, kernel_size=3, strides=2, padding=padding, activation="tanh"),
            nn.Flatten(),
            nn.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer="sgd")
    errors = nn.check_gradients(model, rng.standard_normal((4, 8, 2)), rng.standard_normal((4, 1)))
    assert set(errors) == {w.name for w in model.weights}
    assert max(errors.values()) < 1e-7


def test_conv_fit_replays_its_step_and_equals_eager():
    x = rng.standard_normal((24, 10, 1)).astype(np.float32)
    y = (x[:, :, 0].sum(axis=1) > 0).astype(np.float32)
    weights = []
    for run_eagerly in (False, True):
        nn.set_seed(4)
        model = nn.Sequential(
            [
                nn.Input(shape=(10, 1)),
                nn.Conv1D(2, 4, strides=2, padding="same", activation="relu"),
                nn.Flatten(),
                nn.Dense(1, activation="sigmoid"),
            ]
        )
        optimizer = nn.optimizers.Adam(0.01)
        model.compile(loss="binary_crossentropy", optimizer=optimizer, run_eagerly=run_eagerly)
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        weights.append(model.get_weights())
        if not run_eagerly:
            assert model._train_function.replays and not model._train_function.eager_reasons
    for traced, eager in zip(*weights):
        assert_close(traced, eager)


def test_conv1d_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="padding must be one of"):
        nn.Conv1D(2, 3, padding="full")
    with pytest.raises(
        ValueError, match="`kernel_size` must be a positive integer or a tuple of 1 positive"
    ):
        nn.Conv1D(2, 0)
    with pytest.raises(ValueError, match=r"needs inputs of shape \(batch, steps, channels\)"):
        nn.Conv1D(2, 3)(np.ones((4, 5)))
    with pytest.raises(ValueError, match="2 steps are fewer than kernel_size=3"):
        nn.Conv1D(2, 3)(np.ones((1, 2, 1)))


def test_flatten():
    x = ag.Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    out = nn.Flatten()(x)
    np.testing.assert_array_equal(out.data, x.data.reshape(2, 12))
    assert nn.Flatten().compute_output_shape((None, 3, 4)) == (None, 12)


def test_keras_names_and_empty_batches():
    nn.clear_session()
    assert (nn.Conv1D(2, 3).name, nn.Flatten().name) == ("conv1d", "flatten")
    assert nn.Flatten()(np.ones((0, 3, 4))).shape == (0, 12)
    assert nn.Conv1D(2, 3)(np.ones((0, 5, 1))).shape == (0, 3, 2)


def test_the_ekg_receptive_fields_overlap_by_one_or_two(tmp_path):
    """The lecture's picture: 9 units of 20 samples every 10 on 100 samples; inside the
    overlaps 2 units send gradient back to an input, at the two ends 1."""
    import matplotlib

    matplotlib.use("Agg")
    from nn.receptive_fields import plot_receptive_fields, receptive_fields

    layer = nn.Conv1D(8, kernel_size=20, strides=10)
    fields = receptive_fields(layer, input_shape=(100, 1))
    assert fields.output_shape == (9,)
    for unit in range(9):  # unit u reads x[10u] .. x[10u + 19]
        np.testing.assert_array_equal(
            np.flatnonzero(fields.unit(unit)), range(10 * unit, 10 * unit + 20)
        )
    np.testing.assert_array_equal(fields.counts, [1] * 10 + [2] * 80 + [1] * 10)
    # the same counts as backprop's: the gradient of every output unit's sum, per input
    x = ag.Tensor(np.ones((1, 100, 1)), requires_grad=True)
    nn.Conv1D(1, 20, strides=10, kernel_initializer="ones")(x).sum().backward()
    np.testing.assert_array_equal(x.grad[0, :, 0], fields.counts)

    figure = plot_receptive_fields(layer, input_shape=(100, 1), to_file=tmp_path / "ekg.png")
    bars, counts = figure.axes
    assert len(bars.collections) == 9  # one bar per unit
    assert [p.get_height() for p in counts.patches] == fields.counts.tolist()
    assert (tmp_path / "ekg.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    matplotlib.pyplot.close(figure)


@pytest.mark.parametrize(
    "settings, counts",
    [
        ({"kernel_size": 3, "dilation_rate": 2}, [1, 1, 2, 1, 2, 1, 1]),  # x, x+2, x+4
        ({"kernel_size": 3, "padding": "causal"}, [3, 3, 3, 3, 3, 2, 1]),
        ({"kernel_size": 2, "strides": 3}, [1, 1, 0, 1, 1, 0, 0]),  # gaps: no gradient
    ],
)
def test_conv1d_receptive_field_counts(settings, counts):
    from nn.receptive_fields import receptive_fields

    fields = receptive_fields(nn.Conv1D(2, **settings), input_shape=(7, 1))
    np.testing.assert_array_equal(fields.counts, counts)
