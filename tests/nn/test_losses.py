import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import losses
from nn.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

PROBS = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])


def test_mean_squared_error_keras_example():
    y_true, y_pred = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])
    assert float(MeanSquaredError()(y_true, y_pred)) == pytest.approx(0.5)


def test_binary_crossentropy_closed_form():
    y_true, p = np.array([[0, 1], [0, 0]]), np.array([[0.6, 0.4], [0.4, 0.6]])
    expected = -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    assert float(BinaryCrossentropy()(y_true, p)) == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(0.81492, abs=1e-5)  # Keras's documented value


def test_binary_crossentropy_from_logits_keras_example():
    y_true, z = np.array([0, 1, 0, 0]), np.array([-18.6, 0.51, 2.94, -12.8])
    expected = np.mean(np.log1p(np.exp(z)) - y_true * z)
    loss = BinaryCrossentropy(from_logits=True)(y_true, z.reshape(4, 1))
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(0.8654, abs=1e-4)


def test_probabilities_are_clipped_to_epsilon():
    # p = 0 for a positive label costs -log(1e-7) = 16.118, not infinity
    loss = BinaryCrossentropy()(np.array([1.0]), np.array([[0.0]]))
    assert float(loss) == pytest.approx(-np.log(1e-7), rel=1e-6)
    loss = SparseCategoricalCrossentropy()(np.array([0]), np.array([[0.0, 1.0]]))
    assert float(loss) == pytest.approx(-np.log(1e-7), rel=1e-6)


def test_categorical_and_sparse_keras_example():
    onehot, labels = np.array([[0, 1, 0], [0, 0, 1]]), np.array([1, 2])
    expected = -np.mean(np.log([0.95, 0.1]))
    assert float(CategoricalCrossentropy()(onehot, PROBS)) == pytest.approx(expected, rel=1e-6)
    assert float(SparseCategoricalCrossentropy()(labels, PROBS)) == pytest.approx(
        expected, rel=1e-6
    )
    assert float(SparseCategoricalCrossentropy()(labels.reshape(2, 1), PROBS)) == pytest.approx(
        expected
    )
    assert expected == pytest.approx(1.177, abs=1e-3)


def test_probabilities_are_renormalised():
    unnormalised = 2 * PROBS
    assert float(CategoricalCrossentropy()(np.eye(3)[[1, 2]], unnormalised)) == pytest.approx(
        -np.mean(np.log([0.95, 0.1])), rel=1e-6
    )


@pytest.mark.parametrize("big", [1e4, -1e4])
def test_from_logits_stays_finite_for_huge_logits(big):
    z = np.array([[big, 0.0, -big]])
    expected = np.logaddexp.reduce(z, axis=1) - z[:, 1]  # -log softmax(z)[1]
    for loss in (
        SparseCategoricalCrossentropy(from_logits=True),
        CategoricalCrossentropy(from_logits=True),
    ):
        y = (
            np.array([1])
            if isinstance(loss, SparseCategoricalCrossentropy)
            else np.array([[0, 1, 0]])
        )
        value = float(loss(y, z))
        assert np.isfinite(value) and value == pytest.approx(expected[0])
    bce = BinaryCrossentropy(from_logits=True)(np.array([[1.0]]), np.array([[big]]))
    assert float(bce) == pytest.approx(max(-big, 0.0) + np.log1p(np.exp(-abs(big))))


@pytest.mark.parametrize(
    "loss, y_true, y_pred",
    [
        (losses.mean_squared_error, np.array([[0.3, -1.0, 2.0]]), np.array([[0.5, 0.1, -0.4]])),
        (losses.binary_crossentropy, np.array([[1.0, 0.0, 1.0]]), np.array([[0.3, 0.6, 0.8]])),
        (
            lambda t, p: losses.binary_crossentropy(t, p, from_logits=True),
            np.array([[1.0, 0.0, 0.5]]),
            np.array([[-2.0, 0.6, 3.0]]),
        ),
        (losses.categorical_crossentropy, np.array([[0.0, 1.0, 0.0]]), np.array([[0.2, 0.5, 0.3]])),
        (
            lambda t, p: losses.categorical_crossentropy(t, p, from_logits=True),
            np.array([[0.0, 1.0, 0.0]]),
            np.array([[2.0, -1.0, 0.3]]),
        ),
        (losses.sparse_categorical_crossentropy, np.array([2]), np.array([[0.2, 0.5, 0.3]])),
        (
            lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=True),
            np.array([0]),
            np.array([[2.0, -1.0, 0.3]]),
        ),
    ],
)
def test_loss_gradients_through_the_engine(loss, y_true, y_pred):
    y_true = ag.Tensor(np.repeat(y_true, 2, axis=0))
    y_pred = np.repeat(y_pred, 2, axis=0) * np.array([[1.0], [0.9]])
    assert ag.gradcheck(lambda p: loss(y_true, p).sum(), [y_pred])


def test_losses_run_inside_a_name_scope_and_take_tensors():
    z = ag.Tensor([[1.0, 2.0]], requires_grad=True)
    loss = SparseCategoricalCrossentropy(from_logits=True)(ag.Tensor(np.array([1])), z)
    assert loss.scope == "SparseCategoricalCrossentropy"
    loss.backward()
    softmax = np.exp([1.0, 2.0]) / np.exp([1.0, 2.0]).sum()
    np.testing.assert_allclose(z.grad, [softmax - [0, 1]], rtol=1e-6)


def test_one_unit_targets_of_shape_m_are_not_broadcast_to_m_by_m():
    y_pred = np.array([[1.0], [2.0], [3.0]])
    assert float(MeanSquaredError()(np.array([1.0, 2.0, 4.0]), y_pred)) == pytest.approx(1 / 3)


def test_get_resolves_names_and_lists_valid_ones():
    assert isinstance(losses.get("sparse_categorical_crossentropy"), SparseCategoricalCrossentropy)
    assert isinstance(losses.get("mse"), MeanSquaredError)
    with pytest.raises(ValueError, match="Unknown loss 'crossentropy'.*binary_crossentropy"):
        losses.get("crossentropy")


def test_sparse_labels_out_of_range_or_not_integers():
    loss = SparseCategoricalCrossentropy()
    with pytest.raises(ValueError, match=r"label 3 at index 1 is out of range for 3 classes"):
        loss(np.array([0, 3]), PROBS)
    with pytest.raises(ValueError, match=r"labels must be integers 0..2, got 0.5"):
        loss(np.array([0.5, 1.0]), PROBS)


def test_one_hot_to_sparse_and_labels_to_categorical_say_which_loss_fits():
    with pytest.raises(ValueError, match="look like one-hot targets: use CategoricalCrossentropy"):
        SparseCategoricalCrossentropy()(np.eye(3)[[0, 1]], PROBS)
    with pytest.raises(ValueError, match="integer class labels: use SparseCategoricalCrossentropy"):
        CategoricalCrossentropy()(np.array([0, 1]), PROBS)


def test_binary_targets_must_be_in_0_1():
    with pytest.raises(
        ValueError, match=r"BinaryCrossentropy: targets must lie in \[0, 1\].*got 2"
    ):
        BinaryCrossentropy()(np.array([0, 2]), np.array([[0.5], [0.5]]))


def test_loss_functions_align_a_vector_of_targets_and_refuse_other_mismatches():
    y_pred = np.array([[0.9], [0.2]])
    np.testing.assert_allclose(nn.losses.mean_squared_error([1.0, 0.0], y_pred).data, [0.01, 0.04])
    np.testing.assert_allclose(
        nn.losses.binary_crossentropy([1.0, 0.0], y_pred).data, -np.log([0.9, 0.8]), rtol=1e-6
    )
    with pytest.raises(ValueError, match=r"y_true has shape \(2, 3\) but y_pred has shape \(2, 2\)"):
        nn.losses.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 2)))
    column_labels = np.array([[0], [1]])
    np.testing.assert_allclose(
        nn.losses.sparse_categorical_crossentropy(column_labels, np.array([[0.9, 0.1], [0.2, 0.8]])).data,
        -np.log([0.9, 0.8]),
        rtol=1e-6,
    )


def test_integer_predictions_are_compared_in_float():
    assert float(nn.losses.MeanSquaredError()([0.5, 2.0], np.array([[1], [2]]))) == pytest.approx(0.125)
