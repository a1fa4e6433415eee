"""Misuse warnings in plain words, each naming the fix."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn.losses import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy

X = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)


def model_ending_in(activation: str, units: int) -> nn.Sequential:
    nn.set_seed(0)
    return nn.Sequential([nn.Input(shape=(3,)), nn.Dense(units, activation=activation, name="out")])


@pytest.mark.parametrize(
    ("activation", "units", "loss", "y"),
    [
        ("sigmoid", 1, BinaryCrossentropy(from_logits=True), np.array([0, 1, 1, 0, 1, 0])),
        ("softmax", 3, SparseCategoricalCrossentropy(from_logits=True), np.arange(6) % 3),
        ("softmax", 3, CategoricalCrossentropy(from_logits=True), np.eye(3)[np.arange(6) % 3]),
    ],
)
def test_from_logits_on_an_activated_output_warns_with_the_fix(activation, units, loss, y):
    model = model_ending_in(activation, units)
    model.compile(loss=loss, optimizer="sgd")
    message = (
        rf"{type(loss).__name__}\(from_logits=True\) received the output of a {activation} "
        rf"\(layer 'out'\).*applies {activation} again.*Fix: make the last layer linear"
    )
    with pytest.warns(UserWarning, match=message):
        model.fit(X, y, epochs=1, verbose=0)


def test_a_softmax_layer_after_a_linear_dense_is_noticed_too():
    model = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(3), nn.Softmax(name="probs")])
    loss = SparseCategoricalCrossentropy(from_logits=True)
    with pytest.warns(UserWarning, match=r"output of a softmax \(layer 'probs'\)"):
        loss(np.arange(6) % 3, model(X))


def test_logits_and_probabilities_used_as_meant_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        linear = model_ending_in("linear", 3)
        SparseCategoricalCrossentropy(from_logits=True)(np.arange(6) % 3, linear(X))
        softmax = model_ending_in("softmax", 3)
        SparseCategoricalCrossentropy()(np.arange(6) % 3, softmax(X))
        z = ag.Tensor(np.ones((2, 3)), requires_grad=True)
        SparseCategoricalCrossentropy(from_logits=True)([0, 1], z / z.sum())  # not a softmax


def test_accuracy_on_logits_warns_about_the_half_threshold():
    model = model_ending_in("linear", 1)
    message = (
        r"metrics=\['accuracy'\] with BinaryCrossentropy\(from_logits=True\) thresholds the "
        r"model's outputs, which are logits, at 0.5.*"
        r"Fix: metrics=\[nn.metrics.binary_accuracy_from_logits\]"
    )
    with pytest.warns(UserWarning, match=message):
        model.compile(loss=BinaryCrossentropy(from_logits=True), metrics=["accuracy"])


def test_the_fix_counts_logits_above_zero_and_does_not_warn():
    model = model_ending_in("linear", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.compile(
            loss=BinaryCrossentropy(from_logits=True),
            optimizer="sgd",
            metrics=[nn.metrics.binary_accuracy_from_logits],
        )
        model.compile(loss=BinaryCrossentropy(), metrics=["accuracy"])  # probabilities: fine
    y_true, logits = np.array([[1.0], [0.0], [1.0]]), np.array([[0.3], [-0.2], [0.7]])
    np.testing.assert_array_equal(nn.metrics.binary_accuracy_from_logits(y_true, logits), [1, 1, 1])
    np.testing.assert_array_equal(nn.metrics.binary_accuracy(y_true, logits), [0, 1, 1])


def test_a_float32_finite_difference_check_warns():
    x = ag.Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)

    def square_sum(t: ag.Tensor) -> ag.Tensor:  # computed in float64, as a check needs
        t = t.astype(np.float64)
        return (t * t).sum()

    message = r"numerical_jacobian: input 0 is float32;.*Fix: check in float64, e.g. ag.gradcheck"
    with pytest.warns(UserWarning, match=message):
        numeric = ag.numerical_jacobian(square_sum, [x], 0)
    # what it warns about: x + eps rounded to float32 is off by 5%, not the derivative [2, 4]
    assert np.abs(numeric - [[2.0, 4.0]]).max() > 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.gradcheck(square_sum, [x])  # copies its inputs to float64: no warning
        x64 = ag.Tensor(x.data.astype(np.float64), requires_grad=True)
        np.testing.assert_allclose(ag.numerical_jacobian(square_sum, [x64], 0), [[2.0, 4.0]])


@pytest.mark.parametrize(
    ("a", "b", "hint"),
    [
        ((32, 400), (25, 400), r"did you mean a @ b.T, \(32, 400\) @ \(400, 25\)\?"),
        ((400, 32), (400, 25), r"did you mean a.T @ b, \(32, 400\) @ \(400, 25\)\?"),
        ((2, 3, 4), (2, 5, 4), r"did you mean a @ b.mT, \(2, 3, 4\) @ \(2, 4, 5\)\?"),
        ((5,), (1, 3), r"did you mean a.reshape\(-1, 1\) @ b \(a as a column\)\?"),
        ((3, 5), (3,), r"did you mean a.T @ b\?"),
    ],
)
def test_matmul_shape_errors_suggest_the_likely_fix(a, b, hint):
    with pytest.raises(ag.OpError, match=r"inner dimensions \d+ and \d+ differ; " + hint):
        ag.Tensor(np.ones(a)) @ ag.Tensor(np.ones(b))


def test_matmul_errors_without_a_likely_fix_say_only_what_differs():
    with pytest.raises(ag.OpError) as info:
        ag.Tensor(np.ones((32, 400))) @ ag.Tensor(np.ones((64, 25)))
    assert str(info.value) == "matmul: (32, 400) @ (64, 25): inner dimensions 400 and 64 differ"
