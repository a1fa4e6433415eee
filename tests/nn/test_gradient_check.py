import numpy as np
import pytest

import nn
from nn import Dense, Input, Sequential

RNG = np.random.default_rng(0)
X = RNG.normal(size=(6, 4))


@pytest.mark.parametrize(
    "activation, loss, y",
    [
        ("tanh", nn.losses.SparseCategoricalCrossentropy(from_logits=True), RNG.integers(0, 3, 6)),
        ("sigmoid", nn.losses.CategoricalCrossentropy(), np.eye(3)[RNG.integers(0, 3, 6)]),
        ("swish", nn.losses.BinaryCrossentropy(from_logits=True), RNG.integers(0, 2, (6, 3))),
        ("relu", nn.losses.MeanSquaredError(), RNG.normal(size=(6, 3))),
    ],
)
def test_backprop_matches_finite_differences_for_a_whole_model(activation, loss, y):
    last = "softmax" if isinstance(loss, nn.losses.CategoricalCrossentropy) else "linear"
    model = Sequential(
        [Input(shape=(4,)), Dense(5, activation=activation), Dense(3, activation=last)]
    )
    before = model.get_weights()
    errors = nn.check_gradients(model, X, y, loss=loss)
    assert list(errors) == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    assert max(errors.values()) < 1e-7
    assert all(
        np.array_equal(a, b) and a.dtype == np.float32 for a, b in zip(model.get_weights(), before)
    )
    assert all(w.grad is None for w in model.weights)


def test_a_wrong_gradient_is_reported():
    def square_with_wrong_gradient(x):
        return x * x.detach()  # value x^2, but backprop sees only one factor: x instead of 2x

    model = Sequential(
        [Input(shape=(4,)), Dense(3, activation=square_with_wrong_gradient), Dense(1)]
    )
    model.compile(loss="mse", optimizer="sgd")
    errors = nn.check_gradients(model, X, RNG.normal(size=6))
    assert errors["dense/kernel"] > 0.1 and errors["dense/bias"] > 0.1
    assert errors["dense_1/kernel"] < 1e-7  # the layer after the bug is still right


def test_needs_a_loss():
    model = Sequential([Input(shape=(4,)), Dense(1)])
    with pytest.raises(ValueError, match="compile the model first, or pass loss="):
        nn.check_gradients(model, X, np.zeros(6))
