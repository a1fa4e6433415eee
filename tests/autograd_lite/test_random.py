"""ag.random_uniform: ag.rand's numbers, drawn by an op (so ag.trace replays the draw)."""

import numpy as np
import pytest

import autograd_lite as ag


def test_random_uniform_draws_what_rand_draws_for_the_same_seed():
    ag.manual_seed(9)
    drawn = ag.random_uniform((2, 3), dtype=np.float64)
    ag.manual_seed(9)
    np.testing.assert_array_equal(drawn.data, ag.rand(2, 3, dtype=np.float64).data)
    np.testing.assert_array_equal(
        ag.random_uniform(4, generator=np.random.default_rng(1)).data,
        np.random.default_rng(1).random(4).astype(np.float32),
    )


def test_random_uniform_passes_no_gradient():
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    u = ag.random_uniform((2,), dtype=np.float64)
    (w * u).sum().backward()
    np.testing.assert_array_equal(w.grad, u.data)  # d/dw sum(w u) = u
    assert not u.requires_grad and u.grad is None


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"shape": (2, -1)},
            ValueError,
            r"random_uniform: shape must be a tuple of non-negative integers, got \(2, -1\)",
        ),
        (
            {"shape": (2,), "dtype": np.int32},
            TypeError,
            "random_uniform: dtype must be a float type, got int32",
        ),
        (
            {"shape": (2,), "generator": 3},
            TypeError,
            "random_uniform: generator must be a numpy Generator .* got int",
        ),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs, error, message):
    with pytest.raises(error, match=message):
        ag.random_uniform(**kwargs)
