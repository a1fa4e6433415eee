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
from tests.numerics import assert_close

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
    assert_close(z.grad, [softmax - [0, 1]])


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
    assert_close(nn.losses.binary_crossentropy([1.0, 0.0], y_pred), -np.log([0.9, 0.8]))
    with pytest.raises(
        ValueError, match=r"y_true has shape \(2, 3\) but y_pred has shape \(2, 2\)"
    ):
        nn.losses.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 2)))
    column_labels = np.array([[0], [1]])
    np.testing.assert_allclose(
        nn.losses.sparse_categorical_crossentropy(
            column_labels, np.array([[0.9, 0.1], [0.2, 0.8]])
        ).data,
        -np.log([0.9, 0.8]),
    )


def test_integer_predictions_are_compared_in_float():
    assert float(nn.losses.MeanSquaredError()([0.5, 2.0], np.array([[1], [2]]))) == pytest.approx(
        0.125
    )


def per_pixel_case():
    """Per-pixel logits (2, 3, 3, 4), their softmax and labels (2, 3, 3), with a saturated
    pixel ([1e4, -1e4, 0, 0], label 1) and a probability row of exact 0s and a 1 (label 1)."""
    logits = np.sin(np.arange(72.0)).reshape(2, 3, 3, 4).astype(np.float32) * 3
    logits[1, 1, 1] = [1e4, -1e4, 0, 0]
    exps = np.exp(logits - logits.max(-1, keepdims=True))
    probs = (exps / exps.sum(-1, keepdims=True)).astype(np.float32)
    probs[0, 1, 2] = [0, 1, 0, 0]
    labels = (np.arange(18) * 7 % 4).reshape(2, 3, 3)
    labels[1, 1, 1] = labels[0, 1, 2] = 1
    return logits, probs, labels


# Reference numbers from Keras 3.15.1 on TensorFlow 2.21.0 for per_pixel_case():
# keras.losses.SparseCategoricalCrossentropy(from_logits=...)(labels, y_pred) and the
# tf.GradientTape gradients with respect to y_pred (scratch script, not part of the suite).
KERAS_PER_PIXEL_LOSS = {False: 2.7580574, True: 1113.021}
KERAS_PER_PIXEL_GRADS = {
    False: {
        (0, 0, 0): [-1.6284027, 0.055555552, 0.055555556, 0.055555563],
        (1, 1, 1): [0.0, 0.0, 0.0, 0.0],  # saturated: finite (zero), not NaN
        (0, 1, 2): [0.0, 0.0, 0.0, 0.0],  # exact 0 and 1
        (1, 2, 2): [0.05555556, 0.05555556, 0.055555556, -0.035138343],
    },
    True: {
        (0, 0, 0): [-0.05372272, 0.022880327, 0.0280435, 0.002798895],
        (1, 1, 1): [0.055555556, -0.055555556, 0.0, 0.0],
        (0, 1, 2): [0.029812647, -0.0318416, 0.001876753, 0.000152199],
        (1, 2, 2): [0.000132699, 0.001390632, 0.020001052, -0.021524386],
    },
}


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("label_shape", [(2, 3, 3), (2, 3, 3, 1)])
def test_sparse_crossentropy_per_pixel_labels_match_keras(from_logits, label_shape):
    logits, probs, labels = per_pixel_case()
    y_pred = ag.Tensor(logits if from_logits else probs, requires_grad=True)
    loss_fn = SparseCategoricalCrossentropy(from_logits=from_logits)
    loss = loss_fn(labels.reshape(label_shape), y_pred)
    loss.backward()
    assert_close(loss, np.float32(KERAS_PER_PIXEL_LOSS[from_logits]))
    assert np.isfinite(y_pred.grad).all()
    for pixel, expected in KERAS_PER_PIXEL_GRADS[from_logits].items():
        assert_close(y_pred.grad[pixel], expected)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_crossentropy_per_pixel_values_keep_the_leading_shape(from_logits):
    logits, probs, labels = per_pixel_case()
    values = losses.sparse_categorical_crossentropy(
        labels, logits if from_logits else probs, from_logits=from_logits
    ).data
    if from_logits:
        expected = (
            np.logaddexp.reduce(logits.astype(np.float64), axis=-1)
            - np.take_along_axis(logits, labels[..., None], -1)[..., 0]
        )
    else:
        picked = np.take_along_axis(probs, labels[..., None], -1)[..., 0]
        expected = -np.log(np.clip(picked, 1e-7, 1 - 1e-7))
    assert values.shape == (2, 3, 3)
    assert_close(values, expected)


def test_sparse_crossentropy_gradient_through_a_saturated_softmax_is_finite():
    # Keras 3.15.1 / TF 2.21.0 on probabilities [1, 0] (a softmax of [1e4, -1e4]) given as a
    # tensor: loss 1.1920928e-07 for label 0 and 16.118095 for label 1, gradient [0, 0]
    for label, keras_loss in ((0, 1.1920928e-07), (1, 16.118095)):
        z = ag.Tensor([[1e4, -1e4]], requires_grad=True)
        loss = SparseCategoricalCrossentropy()(np.array([label]), ag.softmax(z))
        loss.backward()
        assert_close(loss, np.float32(keras_loss))
        np.testing.assert_array_equal(z.grad, [[0.0, 0.0]])


def test_sparse_crossentropy_labels_must_fit_the_positions():
    with pytest.raises(
        ValueError,
        match=r"SparseCategoricalCrossentropy: expects integer labels of shape \(m, 3, 3\).*"
        r"got targets of shape \(2, 3\)",
    ):
        SparseCategoricalCrossentropy()(np.zeros((2, 3), int), np.full((2, 3, 3, 4), 0.25))
    with pytest.raises(ValueError, match=r"labels of shape \(2, 3\) do not fit y_pred of shape"):
        losses.sparse_categorical_crossentropy(np.zeros((2, 3), int), np.full((2, 3, 3, 4), 0.25))
