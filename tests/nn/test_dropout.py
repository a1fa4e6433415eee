"""Dropout: Keras's inverted dropout, active only in training, built from engine ops."""

import numpy as np
import pytest

import autograd_lite as ag
import nn
from tests.numerics import assert_close


def expected_mask(seed, shape, rate):
    """The units kept: u >= rate for u drawn from default_rng(seed), as the layer draws."""
    return np.random.default_rng(seed).random(shape) >= rate


def test_training_keeps_units_with_u_at_least_rate_and_scales_them_by_1_over_1_minus_rate():
    x = np.arange(1.0, 13.0).reshape(3, 4).astype(np.float32)
    out = nn.Dropout(0.25, seed=3)(x, training=True)
    keep = expected_mask(3, (3, 4), 0.25)
    assert 0 < keep.sum() < keep.size  # some dropped, some kept
    assert_close(out.data, np.where(keep, x / np.float32(0.75), 0.0))
    assert out.dtype == np.float32


def test_outside_training_and_at_rate_0_it_is_the_identity():
    x = ag.Tensor(np.ones((2, 3)))
    for layer, training in (
        (nn.Dropout(0.5), False),
        (nn.Dropout(0.5), None),
        (nn.Dropout(0), True),
    ):
        assert layer(x, training=training) is x


def test_the_same_mask_for_every_sample_with_noise_shape():
    x = np.ones((4, 3, 5), np.float32)
    out = nn.Dropout(0.5, noise_shape=(None, 1, 5), seed=2)(x, training=True).data
    keep = expected_mask(2, (4, 1, 5), 0.5)
    assert_close(out, np.broadcast_to(np.where(keep, 2.0, 0.0), (4, 3, 5)))
    with pytest.raises(
        ValueError,
        match=r"'dropout\w*' \(Dropout\): noise_shape \(None, 2\) does not fit inputs "
        r"of shape \(4, 3\)",
    ):
        nn.Dropout(0.5, noise_shape=(None, 2))(np.ones((4, 3)), training=True)


def test_masks_are_fresh_on_every_call_and_follow_the_library_seed():
    layer = nn.Dropout(0.5)
    nn.set_seed(4)
    first, second = (layer(np.ones((2, 6)), training=True).data for _ in range(2))
    assert not np.array_equal(first, second)
    nn.set_seed(4)
    assert_close(layer(np.ones((2, 6)), training=True).data, first, exact=True)
    nn.set_seed(4)
    assert_close(first, np.where(ag.rand(2, 6).data >= 0.5, 2.0, 0.0), exact=True)


def test_dropout_gradchecks_in_float64_with_a_fixed_mask():
    x = ag.Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)

    def dropout(x):  # a new layer with the same seed: the same mask on every call
        return nn.Dropout(0.4, seed=5)(x, training=True)

    assert ag.gradcheck(dropout, [x]) and ag.gradgradcheck(dropout, [x])
    dropout(x).sum().backward()
    assert_close(x.grad, np.where(expected_mask(5, (3, 4), 0.4), 1 / 0.6, 0.0))


def test_summary_shows_dropout_with_no_parameters():
    model = nn.Sequential([nn.Input(shape=(4,)), nn.Dense(3), nn.Dropout(0.2), nn.Dense(1)])
    lines = []
    model.summary(print_fn=lines.append)
    row = next(line for line in lines if "(Dropout)" in line).split()
    assert row == ["dropout", "(Dropout)", "(None,", "3)", "0"]
    assert "Total params: 19" in lines  # 15 + 0 + 4


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"rate": 1.0},
            ValueError,
            r"Dropout: rate must be in \[0, 1\) \(the fraction of units dropped\), got 1.0",
        ),
        ({"rate": -0.1}, ValueError, r"rate must be in \[0, 1\).*got -0.1"),
        ({"rate": "0.5"}, TypeError, r"Dropout: rate must be a number in \[0, 1\), got '0.5'"),
        (
            {"rate": 0.5, "noise_shape": 3},
            ValueError,
            r"noise_shape must be None or a tuple.*got 3",
        ),
        (
            {"rate": 0.5, "seed": -1},
            ValueError,
            r"Dropout: seed must be None or a non-negative integer, got -1",
        ),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs, error, message):
    with pytest.raises(error, match=message):
        nn.Dropout(**kwargs)
