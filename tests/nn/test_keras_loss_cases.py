"""The unweighted cases of Keras 3's own loss tests (keras/src/losses/losses_test.py), as our
own table: the same inputs, and Keras's expected numbers to the digits its tests state.

Cases with sample weights, reductions or label smoothing belong to those features and are
not here; neither are the per-pixel sparse labels (tests/nn/test_losses.py has them).
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
