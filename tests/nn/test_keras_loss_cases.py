"""The cases of Keras 3's own loss tests (keras/src/losses/losses_test.py) for the losses nn
has, as our own tables: the same inputs, and Keras's expected numbers to the digits its tests
state (or, where Keras's test computes its expectation with numpy, the same closed form).
`CASES` are the unweighted ones; `WEIGHTED` those with sample weights, reductions, label
smoothing, ignore_class and segmentation labels. Per-pixel sparse labels with gradients are
in tests/nn/test_losses.py; every argument against stored Keras numbers in
tests/nn/test_loss_arguments.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nn import losses

ONE_HOT = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
PROBS = np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]], dtype="float32")
LOGITS = np.array([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]])

# (loss, y_true, y_pred, Keras's value, the absolute tolerance of Keras's check: its
# assertAlmostEqual(decimal=3) allows 1.5e-3, its assertAllClose 1e-6 + 1e-6 |value|)
ALMOST, ALL_CLOSE = 1.5e-3, 1.2e-6
CASES = {
    "mse": (
        losses.MeanSquaredError(),
        [[1, 9, 2], [-5, -2, 6]],
        np.array([[4, 8, 12], [8, 1, 3]], "float32"),
        49.5,
        ALMOST,
    ),
    "mse all correct": (
        losses.MeanSquaredError(),
        [[4, 8, 12], [8, 1, 3]],
        np.array([[4, 8, 12], [8, 1, 3]], "float32"),
        0.0,
        ALMOST,
    ),
    "bce": (
        losses.BinaryCrossentropy(),
        ONE_HOT.astype("float32"),
        np.array([[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]], "float32"),
        0.20046903,
        ALL_CLOSE,
    ),
    "bce at 0 and 1": (
        losses.BinaryCrossentropy(),
        [[1, 0], [1, 0]],
        np.array([[1, 1], [1, 0]], "float32"),
        3.98559,
        ALMOST,
    ),
    "bce all correct": (
        losses.BinaryCrossentropy(),
        ONE_HOT.astype("float32"),
        ONE_HOT.astype("float32"),
        0.0,
        ALMOST,
    ),
    "bce logits": (
        losses.BinaryCrossentropy(from_logits=True),
        [[1, 0, 1], [0, 1, 1]],
        np.array([[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]]),
        3.3333,
        ALMOST,
    ),
    "bce logits all correct": (
        losses.BinaryCrossentropy(from_logits=True),
        ONE_HOT,
        20.0 * ONE_HOT - 10.0,
        0.0,
        ALMOST,
    ),
    "cce": (losses.CategoricalCrossentropy(), ONE_HOT, PROBS, 0.3239, ALMOST),
    "cce logits": (
        losses.CategoricalCrossentropy(from_logits=True),
        ONE_HOT,
        LOGITS,
        0.0573,
        ALMOST,
    ),
    "cce all correct": (
        losses.CategoricalCrossentropy(),
        ONE_HOT,
        ONE_HOT.astype("float32"),
        0.0,
        ALMOST,
    ),
    "cce logits all correct": (
        losses.CategoricalCrossentropy(from_logits=True),
        ONE_HOT,
        10.0 * ONE_HOT,
        0.0,
        ALMOST,
    ),
    "scce": (losses.SparseCategoricalCrossentropy(), [0, 1, 2], PROBS, 0.3239, ALMOST),
    "scce logits": (
        losses.SparseCategoricalCrossentropy(from_logits=True),
        [0, 1, 2],
        LOGITS,
        0.0573,
        ALMOST,
    ),
    "scce column labels, all correct": (
        losses.SparseCategoricalCrossentropy(),
        [[0], [1], [2]],
        ONE_HOT.astype("float32"),
        0.0,
        ALMOST,
    ),
    "scce logits, all correct": (
        losses.SparseCategoricalCrossentropy(from_logits=True),
        [[0], [1], [2]],
        10.0 * ONE_HOT,
        0.0,
        ALMOST,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_keras_loss_case(name: str) -> None:
    loss, y_true, y_pred, expected, tolerance = CASES[name]
    assert float(loss(np.array(y_true), y_pred)) == pytest.approx(expected, abs=tolerance)


def test_keras_per_sample_values_of_the_categorical_losses_from_logits() -> None:
    """Keras's `reduction=None` case: the per-sample values (0.001822, 0.000459, 0.169846)."""
    expected = [0.001822, 0.000459, 0.169846]
    values = losses.categorical_crossentropy(ONE_HOT, LOGITS.astype("float32"), from_logits=True)
    np.testing.assert_allclose(values.data, expected, atol=5e-7)
    values = losses.sparse_categorical_crossentropy(
        np.array([0, 1, 2]), LOGITS.astype("float32"), from_logits=True
    )
    np.testing.assert_allclose(values.data, expected, atol=5e-7)


def test_keras_mean_squared_error_function_aligns_a_vector_of_targets() -> None:
    """Keras: mean_squared_error([4, 8, 12], [[3], [0], [1]]) has shape (3,)."""
    values = losses.mean_squared_error(np.array([4, 8, 12]), np.array([[3], [0], [1]]))
    np.testing.assert_array_equal(values.data, [1, 64, 121])


@pytest.mark.parametrize("loss", [losses.BinaryCrossentropy(), losses.CategoricalCrossentropy()])
def test_keras_shape_mismatch_is_an_error(loss) -> None:
    """Keras refuses y_true (3, 1) against y_pred (3, 3) for the binary and categorical losses."""
    with pytest.raises(
        ValueError, match=r"shape \(3, 1\) do not match the model output shape \(3, 3\)"
    ):
        loss(
            np.array([[0], [1], [2]]),
            np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]]),
        )


# Keras's regression inputs, its time-step weights and its hinge inputs
TRUE, PRED = np.array([[1, 9, 2], [-5, -2, 6]]), np.array([[4, 8, 12], [8, 1, 3]], "float32")
STEPS = np.array([3, 6, 5, 0, 4, 2]).reshape(2, 3)
HINGE_TRUE, HINGE_PRED = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]])
PER_SAMPLE = np.array([[1.2], [3.4]])
BCE_TRUE, BCE_PRED = np.array([1, 0, 1, 0]).reshape(2, 2), np.array([[1, 1], [1, 0]], "float32")
BCE_LOGITS_TRUE = np.array([[1, 0, 1], [0, 1, 1]])
BCE_LOGITS = np.array([[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]])
CLASS_WEIGHTS = np.array([[1.2], [3.4], [5.6]])
HUBER_TRUE = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
HUBER_PRED = np.array([[0.9, 0.2, 0.2], [0.8, 0.4, 0.6]])
KL_TRUE = np.array([0.5, 0.8, 0.12, 0.7, 0.43, 0.8], "float32").reshape(2, 3)
KL_PRED = np.array([0.4, 0.9, 0.12, 0.36, 0.3, 0.4], "float32").reshape(2, 3)
POISSON_TRUE = np.array([4, 8, 12, 8, 1, 3], "float32").reshape(2, 3)
POISSON_PRED = np.array([1, 9, 2, 5, 2, 6], "float32").reshape(2, 3)


def huber_closed_form(y_true, y_pred, delta=1.0):
    """Keras's test's form: 0.5 min(|x|, delta)^2 + delta (|x| - min(|x|, delta))."""
    size = np.abs(y_pred - y_true)
    quadratic = np.minimum(size, delta)
    return 0.5 * quadratic * quadratic + delta * (size - quadratic)


def log_cosh_closed_form(y_true, y_pred):
    error = y_pred - y_true
    return np.log((np.exp(error) + np.exp(-error)) / 2)


def cosine_closed_form(y_true, y_pred, axis):
    """-sum(unit(t) unit(p)) with Keras's test's epsilon 1e-12 on the squared norm."""

    def unit(x):
        return x / np.sqrt(np.maximum((x * x).sum(axis=axis, keepdims=True), 1e-12))

    return -(unit(y_true) * unit(y_pred)).sum(axis=axis)


def segmentation(second: bool, classes: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Keras's binary (2 classes) and multi-class (3) segmentation: 4 x 4 pixel labels, the
    one-hot predictions (loss 0), or ones with a few pixels off (loss sum(-log p) / 16)."""
    labels = np.array([[0, 1, 1, 0], [1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]])
    if classes == 3:
        labels[0, 2] = 2
    probs = np.eye(classes)[labels]
    if not second:
        return labels, probs, 0.0
    if classes == 2:
        probs[0, 3], probs[3, 3] = [0.2, 0.8], [0.6, 0.4]
        return labels, probs, -(np.log(0.2) + np.log(0.4)) / 16
    probs[0, 3], probs[1, 0], probs[3, 2] = [0.2, 0.0, 0.8], [0.7, 0.3, 0.0], [0.5, 0.5, 0.0]
    return labels, probs, -(np.log(0.2) + np.log(0.3) + np.log(0.5)) / 16


MSE, MAE = losses.MeanSquaredError, losses.MeanAbsoluteError
BCE, CCE = losses.BinaryCrossentropy, losses.CategoricalCrossentropy
SCCE = losses.SparseCategoricalCrossentropy
# (loss, y_true, y_pred, sample_weight, Keras's value, the tolerance of Keras's check)
WEIGHTED = {
    "mse number": (MSE(), TRUE, PRED, 2.3, 113.85, ALMOST),
    "mse per sample": (MSE(), TRUE, PRED, PER_SAMPLE, 767.8 / 6, ALMOST),
    "mse per step": (MSE(), TRUE.reshape(2, 3, 1), PRED.reshape(2, 3, 1), STEPS, 97.833336, ALMOST),
    "mse zero": (MSE(), TRUE, PRED, 0, 0.0, ALMOST),
    "mse none": (MSE(reduction=None), TRUE, PRED, 2.3, [84.3333, 143.3666], ALMOST),
    "mse sum": (MSE(reduction="sum"), TRUE, PRED, 2.3, 227.69998, ALMOST),
    "mse mean_with_sample_weight": (
        MSE(reduction="mean_with_sample_weight"),
        TRUE,
        PRED,
        PER_SAMPLE,
        (110 / 3 * 1.2 + 187 / 3 * 3.4) / (1.2 + 3.4),
        ALMOST,
    ),
    "mae number": (MAE(), TRUE, PRED, 2.3, 12.65, ALMOST),
    "mae per sample": (MAE(), TRUE, PRED, PER_SAMPLE, 81.4 / 6, ALMOST),
    "mae per step": (MAE(), TRUE.reshape(2, 3, 1), PRED.reshape(2, 3, 1), STEPS, 13.833333, ALMOST),
    "mae zero": (MAE(), TRUE, PRED, 0, 0.0, ALMOST),
    "mae none": (MAE(reduction=None), TRUE, PRED, 2.3, [10.7333, 14.5666], ALMOST),
    "mae sum": (MAE(reduction="sum"), TRUE, PRED, 2.3, 25.29999, ALMOST),
    "mae mean_with_sample_weight": (
        MAE(reduction="mean_with_sample_weight"),
        TRUE,
        PRED,
        PER_SAMPLE,
        (14 / 3 * 1.2 + 19 / 3 * 3.4) / (1.2 + 3.4),
        ALMOST,
    ),
    "hinge": (losses.Hinge(), HINGE_TRUE, HINGE_PRED, None, 1.3, ALMOST),
    "hinge sum": (losses.Hinge(reduction="sum"), HINGE_TRUE, HINGE_PRED, None, 2.6, ALMOST),
    "hinge none": (
        losses.Hinge(reduction=None),
        HINGE_TRUE,
        HINGE_PRED,
        None,
        [1.1, 1.5],
        ALL_CLOSE,
    ),
    "hinge weighted": (losses.Hinge(), HINGE_TRUE, HINGE_PRED, [1, 0], 0.55, ALMOST),
    "hinge weighted sum": (
        losses.Hinge(reduction="sum"),
        HINGE_TRUE,
        HINGE_PRED,
        [1, 0],
        1.1,
        ALMOST,
    ),
    "hinge weighted none": (
        losses.Hinge(reduction=None),
        HINGE_TRUE,
        HINGE_PRED,
        [1, 0],
        [1.1, 0.0],
        ALMOST,
    ),
    "hinge zero": (losses.Hinge(), HINGE_TRUE, HINGE_PRED, 0.0, 0.0, 0.0),
    "squared hinge": (losses.SquaredHinge(), HINGE_TRUE, HINGE_PRED, None, 1.86, ALMOST),
    "squared hinge sum": (
        losses.SquaredHinge(reduction="sum"),
        HINGE_TRUE,
        HINGE_PRED,
        None,
        3.72,
        ALMOST,
    ),
    "squared hinge none": (
        losses.SquaredHinge(reduction=None),
        HINGE_TRUE,
        HINGE_PRED,
        None,
        [1.46, 2.26],
        ALL_CLOSE,
    ),
    "squared hinge weighted": (losses.SquaredHinge(), HINGE_TRUE, HINGE_PRED, [1, 0], 0.73, ALMOST),
    "squared hinge weighted sum": (
        losses.SquaredHinge(reduction="sum"),
        HINGE_TRUE,
        HINGE_PRED,
        [1, 0],
        1.46,
        ALMOST,
    ),
    "squared hinge weighted none": (
        losses.SquaredHinge(reduction=None),
        HINGE_TRUE,
        HINGE_PRED,
        [1, 0],
        [1.46, 0.0],
        ALMOST,
    ),
    "squared hinge zero": (losses.SquaredHinge(), HINGE_TRUE, HINGE_PRED, 0.0, 0.0, 0.0),
    "cosine number": (
        losses.CosineSimilarity(),
        TRUE.astype("float32"),
        PRED,
        2.3,
        np.mean(cosine_closed_form(TRUE, PRED, 1) * 2.3),
        ALMOST,
    ),
    "cosine per sample": (
        losses.CosineSimilarity(),
        TRUE.astype("float32"),
        PRED,
        [1.2, 3.4],
        np.mean(cosine_closed_form(TRUE, PRED, 1) * [1.2, 3.4]),
        ALMOST,
    ),
    "cosine per step": (
        losses.CosineSimilarity(),
        TRUE.reshape(2, 3, 1).astype("float32"),
        PRED.reshape(2, 3, 1),
        STEPS,
        np.mean(cosine_closed_form(TRUE.reshape(2, 3, 1), PRED.reshape(2, 3, 1), 2) * STEPS),
        ALMOST,
    ),
    "cosine zero": (losses.CosineSimilarity(), TRUE.astype("float32"), PRED, 0, 0.0, ALMOST),
    "cosine axis 1": (
        losses.CosineSimilarity(axis=1),
        TRUE.astype("float32"),
        PRED,
        None,
        np.mean(cosine_closed_form(TRUE, PRED, 1)),
        ALMOST,
    ),
    "huber all correct": (losses.Huber(), HUBER_TRUE, HUBER_TRUE, None, 0.0, ALMOST),
    "huber": (
        losses.Huber(),
        HUBER_TRUE,
        HUBER_PRED,
        None,
        huber_closed_form(HUBER_TRUE, HUBER_PRED).sum() / 6,
        ALMOST,
    ),
    "huber number": (
        losses.Huber(),
        HUBER_TRUE,
        HUBER_PRED,
        2.3,
        2.3 * huber_closed_form(HUBER_TRUE, HUBER_PRED).sum() / 6,
        ALMOST,
    ),
    "huber per sample": (
        losses.Huber(),
        HUBER_TRUE,
        HUBER_PRED,
        PER_SAMPLE,
        (huber_closed_form(HUBER_TRUE, HUBER_PRED) * PER_SAMPLE).sum() / 6,
        ALMOST,
    ),
    "huber per step": (
        losses.Huber(),
        HUBER_TRUE.reshape(2, 3, 1),
        HUBER_PRED.reshape(2, 3, 1),
        STEPS.reshape(2, 3, 1),
        (huber_closed_form(HUBER_TRUE, HUBER_PRED) * STEPS).sum() / 6,
        ALMOST,
    ),
    "huber zero": (losses.Huber(), HUBER_TRUE, HUBER_PRED, 0, 0.0, ALMOST),
    "huber delta 0.8": (
        losses.Huber(delta=0.8),
        HUBER_TRUE,
        HUBER_PRED,
        2.3,
        2.3 * huber_closed_form(HUBER_TRUE, HUBER_PRED, 0.8).sum() / 6,
        ALMOST,
    ),
    "log cosh": (
        losses.LogCosh(),
        TRUE.astype("float32"),
        PRED,
        None,
        log_cosh_closed_form(TRUE, PRED).sum() / 6,
        ALMOST,
    ),
    "log cosh number": (
        losses.LogCosh(),
        TRUE.astype("float32"),
        PRED,
        2.3,
        2.3 * log_cosh_closed_form(TRUE, PRED).sum() / 6,
        ALMOST,
    ),
    "log cosh per sample": (
        losses.LogCosh(),
        TRUE.astype("float32"),
        PRED,
        [1.2, 3.4],
        (log_cosh_closed_form(TRUE, PRED) * PER_SAMPLE).sum() / 6,
        ALMOST,
    ),
    "log cosh per step": (
        losses.LogCosh(),
        TRUE.reshape(2, 3, 1),
        PRED.reshape(2, 3, 1),
        STEPS.reshape(2, 3, 1),
        (log_cosh_closed_form(TRUE, PRED) * STEPS).sum() / 6,
        ALMOST,
    ),
    "log cosh zero": (losses.LogCosh(), TRUE.astype("float32"), PRED, 0, 0.0, ALMOST),
    "kld": (
        losses.KLDivergence(),
        KL_TRUE,
        KL_PRED,
        None,
        (KL_TRUE * np.log(KL_TRUE / KL_PRED)).sum() / 2,
        ALMOST,
    ),
    "kld number": (
        losses.KLDivergence(),
        KL_TRUE,
        KL_PRED,
        2.3,
        2.3 * (KL_TRUE * np.log(KL_TRUE / KL_PRED)).sum() / 2,
        ALMOST,
    ),
    "kld per sample": (
        losses.KLDivergence(),
        KL_TRUE,
        KL_PRED,
        PER_SAMPLE,
        (KL_TRUE * np.log(KL_TRUE / KL_PRED) * PER_SAMPLE).sum() / 2,
        ALMOST,
    ),
    "kld per step": (
        losses.KLDivergence(),
        KL_TRUE.reshape(2, 3, 1),
        KL_PRED.reshape(2, 3, 1),
        STEPS,
        (KL_TRUE * np.log(KL_TRUE / KL_PRED) * STEPS).sum() / 6,
        ALMOST,
    ),
    "kld zero": (losses.KLDivergence(), KL_TRUE, KL_PRED, 0, 0.0, ALMOST),
    "poisson": (
        losses.Poisson(),
        POISSON_TRUE,
        POISSON_PRED,
        None,
        (POISSON_PRED - POISSON_TRUE * np.log(POISSON_PRED)).sum() / 6,
        ALMOST,
    ),
    "poisson number": (
        losses.Poisson(),
        POISSON_TRUE,
        POISSON_PRED,
        2.3,
        2.3 * (POISSON_PRED - POISSON_TRUE * np.log(POISSON_PRED)).sum() / 6,
        ALMOST,
    ),
    "poisson per sample": (
        losses.Poisson(),
        POISSON_TRUE,
        POISSON_PRED,
        PER_SAMPLE,
        ((POISSON_PRED - POISSON_TRUE * np.log(POISSON_PRED)) * PER_SAMPLE).sum() / 6,
        ALMOST,
    ),
    "poisson per step": (
        losses.Poisson(),
        POISSON_TRUE.reshape(2, 3, 1),
        POISSON_PRED.reshape(2, 3, 1),
        STEPS,
        ((POISSON_PRED - POISSON_TRUE * np.log(POISSON_PRED)) * STEPS).sum() / 6,
        ALMOST,
    ),
    "poisson zero": (losses.Poisson(), POISSON_TRUE, POISSON_PRED, 0, 0.0, ALMOST),
    "bce number": (BCE(), BCE_TRUE, BCE_PRED, 2.3, 9.1668, ALMOST),
    "bce logits number": (BCE(from_logits=True), BCE_LOGITS_TRUE, BCE_LOGITS, 2.3, 7.666, ALMOST),
    "bce per sample": (BCE(), BCE_TRUE, BCE_PRED, PER_SAMPLE, 4.7827, ALMOST),
    "bce logits per sample": (
        BCE(from_logits=True),
        BCE_LOGITS_TRUE,
        BCE_LOGITS,
        [4, 3],
        10.0,
        ALMOST,
    ),
    "bce logits none": (
        BCE(from_logits=True, reduction=None),
        BCE_LOGITS_TRUE,
        BCE_LOGITS,
        None,
        [0.0, 6.666],
        1e-3,
    ),
    "bce label smoothing": (
        BCE(from_logits=True, label_smoothing=0.1),
        [[1, 0, 1]],
        np.array([[10.0, -10.0, -10.0]]),
        None,
        (10.0 + 5.0 * 0.1) / 3.0,
        ALMOST,
    ),
    "cce number": (CCE(), ONE_HOT, PROBS, 2.3, 0.7449, ALMOST),
    "cce logits number": (CCE(from_logits=True), ONE_HOT, LOGITS, 2.3, 0.1317, ALMOST),
    "cce per sample": (CCE(), ONE_HOT, PROBS, CLASS_WEIGHTS, 1.0696, ALMOST),
    "cce logits per sample": (
        CCE(from_logits=True),
        ONE_HOT,
        LOGITS,
        CLASS_WEIGHTS,
        0.31829,
        ALMOST,
    ),
    "cce label smoothing": (
        CCE(from_logits=True, label_smoothing=0.1),
        [[1, 0, 0]],
        np.array([[100.0, -100.0, -100.0]]),
        None,
        400.0 * 0.1 / 3.0,
        ALMOST,
    ),
    "scce number": (SCCE(), [[0], [1], [2]], PROBS, 2.3, 0.7449, ALMOST),
    "scce logits number": (SCCE(from_logits=True), [[0], [1], [2]], LOGITS, 2.3, 0.1317, ALMOST),
    "scce per sample": (SCCE(), [[0], [1], [2]], PROBS, CLASS_WEIGHTS, 1.0696, ALMOST),
    "scce logits per sample": (
        SCCE(from_logits=True),
        [[0], [1], [2]],
        LOGITS,
        CLASS_WEIGHTS,
        0.31829,
        ALMOST,
    ),
    "scce logits none": (
        SCCE(from_logits=True, reduction=None),
        [[0], [1], [2]],
        LOGITS,
        None,
        [0.001822, 0.000459, 0.169846],
        ALL_CLOSE,
    ),
    "scce ignore_class": (
        SCCE(from_logits=True, ignore_class=-1, reduction=None),
        [[-1, 2]],
        np.array([[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]]),
        None,
        [[0.0, 1.480129]],
        ALL_CLOSE,
    ),
    "scce ignore_class, labels with an axis of 1": (
        SCCE(from_logits=True, ignore_class=-1, reduction=None),
        [[[-1], [2]]],
        np.array([[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]]),
        None,
        [[0.0, 1.480129]],
        ALL_CLOSE,
    ),
    **{
        f"scce segmentation, {classes} classes{', off' if off else ''}": (
            SCCE(),
            *segmentation(off, classes)[:2],
            None,
            segmentation(off, classes)[2],
            ALL_CLOSE,
        )
        for classes in (2, 3)
        for off in (False, True)
    },
}


@pytest.mark.parametrize("name", WEIGHTED)
def test_keras_weighted_loss_case(name: str) -> None:
    loss, y_true, y_pred, sample_weight, expected, tolerance = WEIGHTED[name]
    value = loss(np.array(y_true), y_pred, sample_weight=sample_weight)
    assert value.shape == np.shape(expected)
    np.testing.assert_allclose(value.data, expected, rtol=1e-6, atol=tolerance)
