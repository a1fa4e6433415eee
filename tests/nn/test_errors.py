"""Bad input gets a clear error naming the layer or loss, the shapes and the offending value."""

import numpy as np
import pytest

from nn import Dense, Input, Sequential
from nn.losses import CategoricalCrossentropy, SparseCategoricalCrossentropy

X = np.random.default_rng(0).normal(size=(10, 4))
Y = np.arange(10) % 3


def compiled(loss=None):
    model = Sequential([Input(shape=(4,)), Dense(5, name="L1"), Dense(3, name="L2")])
    model.compile(loss=loss or SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
    return model


def test_fit_before_compile():
    with pytest.raises(RuntimeError, match="fit: you must compile the model before training"):
        Sequential([Dense(2)]).fit(X, Y)


def test_compile_without_loss():
    with pytest.raises(ValueError, match="needs a loss"):
        Sequential([Dense(2)]).compile(optimizer="adam")


def test_x_and_y_of_different_lengths():
    with pytest.raises(
        ValueError, match="x and y have different numbers of samples: x has 10, y has 9"
    ):
        compiled().fit(X, Y[:9])


def test_feature_count_different_from_the_built_layer():
    message = r"layer 'L1' \(Dense\).*built for input shape \(None, 4\).*received input with shape \(None, 7\)"
    with pytest.raises(ValueError, match=message):
        compiled().fit(np.ones((10, 7)), Y)
    with pytest.raises(ValueError, match=r"layer 'L1'.*\(None, 4\).*\(2, 7\)"):
        compiled()(np.ones((2, 7)))


def test_single_example_for_predict_says_how_to_reshape():
    with pytest.raises(ValueError, match=r"x has shape \(4,\).*use x.reshape\(1, 4\)"):
        compiled().predict(X[0])


def test_sparse_labels_out_of_range_or_non_integer():
    with pytest.raises(ValueError, match="label 7 at index 2 is out of range for 3 classes"):
        compiled().fit(X, np.array([0, 1, 7, 0, 1, 2, 0, 1, 2, 0]))
    with pytest.raises(ValueError, match="labels must be integers 0..2, got 0.5"):
        compiled().fit(X, Y + 0.5)


def test_one_hot_to_sparse_and_sparse_to_categorical_name_the_right_loss():
    with pytest.raises(ValueError, match="use CategoricalCrossentropy"):
        compiled().fit(X, np.eye(3)[Y])
    with pytest.raises(ValueError, match="use SparseCategoricalCrossentropy"):
        compiled(CategoricalCrossentropy(from_logits=True)).fit(X, Y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_the_data(bad):
    x = X.copy()
    x[3, 2] = bad
    with pytest.raises(
        ValueError,
        match=rf"fit: x contains NaN or Inf \(1 values, the first {bad} at index \(3, 2\)\)",
    ):
        compiled().fit(x, Y)
    y = np.ones(10)
    y[4] = bad
    with pytest.raises(ValueError, match=r"fit: y contains NaN or Inf .* index \(4,\)"):
        compiled(loss="mse").fit(X, y)


@pytest.mark.parametrize("batch_size", [0, -3, 2.5])
def test_batch_size_must_be_positive(batch_size):
    with pytest.raises(
        ValueError, match=f"fit: batch_size must be a positive integer, got {batch_size}"
    ):
        compiled().fit(X, Y, batch_size=batch_size)


def test_empty_data():
    with pytest.raises(ValueError, match=r"fit: x is empty \(shape \(0, 4\)\)"):
        compiled().fit(np.zeros((0, 4)), np.zeros(0))


def test_unknown_activation_loss_optimizer_and_metric_list_valid_names():
    with pytest.raises(ValueError, match="Unknown activation 'rellu'. Valid names: .*relu"):
        Dense(3, activation="rellu")
    with pytest.raises(
        ValueError,
        match="Unknown loss 'categorical'. Valid names: .*sparse_categorical_crossentropy",
    ):
        Sequential([Dense(2)]).compile(loss="categorical")
    with pytest.raises(
        ValueError, match="Unknown metric .acuracy.. Valid names: acc, accuracy, binary_accuracy"
    ):
        Sequential([Dense(2)]).compile(loss="mse", metrics=["acuracy"])


def test_validation_split_must_leave_samples_on_both_sides():
    with pytest.raises(
        ValueError, match="validation_split=0.95 of 10 samples leaves 0 for training and 10"
    ):
        compiled().fit(X, Y, validation_split=0.95)


def test_duplicate_layer_names_and_misplaced_input():
    with pytest.raises(ValueError, match="'L1' is already used"):
        Sequential([Dense(2, name="L1"), Dense(2, name="L1")])
    with pytest.raises(ValueError, match="Input must be the first entry"):
        Sequential([Dense(2), Input(shape=(3,))])
    with pytest.raises(ValueError, match=r"Input: shape must be a tuple of positive integers"):
        Input(shape=(0,))
    with pytest.raises(TypeError, match="expected a layer"):
        Sequential(["relu"])
