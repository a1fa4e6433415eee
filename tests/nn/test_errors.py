"""Bad input gets a clear error naming the layer or loss, the shapes and the offending value."""

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import Conv1D, Dense, EarlyStopping, Flatten, Input, Sequential, activations, losses
from nn.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

X = np.random.default_rng(0).normal(size=(10, 4))
Y = np.arange(10) % 3


def compiled(loss=None, metrics=None):
    model = Sequential([Input(shape=(4,)), Dense(5, name="L1"), Dense(3, name="L2")])
    loss = loss or SparseCategoricalCrossentropy(from_logits=True)
    model.compile(loss=loss, optimizer="adam", metrics=metrics)
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
    message = (
        r"layer 'L1' \(Dense\).*built for input shape \(None, 4\)"
        r".*received input with shape \(None, 7\)"
    )
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
        ValueError,
        match="Unknown metric .acuracy.. Valid names: acc, accuracy, auc, binary_accuracy",
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


def _built_dense():
    layer = Dense(3, name="D")
    layer.build((None, 2))
    return layer


# (what a new user writes, the error type, the message: function or layer, argument, value)
BAD_INPUTS = [
    # layers
    (
        lambda: Dense("3"),
        ValueError,
        r"Dense: `units` must be a positive integer, received units='3'",
    ),
    (
        lambda: Dense(3, use_bias="no"),
        TypeError,
        r"Dense: use_bias must be True or False, got 'no'",
    ),
    (lambda: Dense(3, name=5), TypeError, r"Dense: name must be a non-empty string, got 5"),
    (lambda: Dense(3, dtype="floaty"), TypeError, r"Dense: dtype must be a float type .*'floaty'"),
    (lambda: Dense(3, dtype="int32"), TypeError, r"Dense: dtype must be a float type .*'int32'"),
    (lambda: Dense(3, activation=5), ValueError, r"Dense 'dense': Unknown activation 5"),
    (lambda: Dense(3, kernel_initializer="glorot"), ValueError, r"Dense 'dense': Unknown init"),
    (lambda: Dense(3)("abc"), TypeError, r"Layer 'dense' \(Dense\) needs numeric inputs, got an"),
    (lambda: Dense(3)(None), TypeError, r"Layer 'dense' \(Dense\) needs numeric inputs, got None"),
    (lambda: Dense(3).build(4), TypeError, r"'dense' \(Dense\): build expects input_shape as a"),
    (lambda: Dense(3).build((None, "4")), ValueError, r"'dense' .*non-negative integers.*'4'"),
    (lambda: _built_dense().set_weights(None), TypeError, r"layer 'D' expects a list of arrays"),
    (
        lambda: _built_dense().set_weights([np.full((2, 3), "a"), np.ones(3)]),
        TypeError,
        r"set_weights: 'D/kernel' needs numbers, got an array of dtype <U1",
    ),
    (lambda: Conv1D("2", 3), ValueError, r"Conv1D: `filters` must be a positive integer, .*'2'"),
    (lambda: Conv1D(2, 3, use_bias=1), TypeError, r"Conv1D: use_bias must be True or False"),
    (lambda: Flatten()("abc"), TypeError, r"Layer 'flatten' \(Flatten\) needs numeric inputs"),
    (
        lambda: Input(shape=None),
        TypeError,
        r"Input: shape must be a tuple such as \(400,\), got No",
    ),
    (
        lambda: Input(shape="4"),
        TypeError,
        r"Input: shape must be a tuple such as \(400,\), got '4'",
    ),
    # Sequential and compile
    (lambda: Sequential(Dense(3)), TypeError, r"Sequential: layers must be a list such as"),
    (lambda: Sequential("dense"), TypeError, r"Sequential: layers must be a list .*got 'dense'"),
    (lambda: Sequential(name=3), TypeError, r"Sequential: name must be a non-empty string, got 3"),
    (lambda: Sequential([Dense(2)]).build(4), TypeError, r"'sequential': build expects input_sh"),
    (lambda: compiled().set_weights(None), TypeError, r"'sequential' expects a list of ar"),
    (lambda: compiled(metrics="accuracy"), TypeError, r"compile: metrics must be a list"),
    # fit, evaluate, predict
    (lambda: compiled().fit(None, Y), TypeError, r"fit: x must be numeric .*got NoneType"),
    (lambda: compiled().fit(X, ["a"] * 10), TypeError, r"fit: y must be numeric .*<U1"),
    (lambda: compiled().fit([[1, 2], [3]], Y[:2]), ValueError, r"fit: x is ragged"),
    (lambda: compiled().fit(X, Y, epochs="3"), ValueError, r"fit: epochs must be a non-ne"),
    (lambda: compiled().fit(X, Y, epochs=-1), ValueError, r"fit: epochs .*, got -1"),
    (lambda: compiled().fit(X, Y, epochs=True), ValueError, r"fit: epochs .*, got True"),
    (
        lambda: compiled().fit(X, Y, initial_epoch="1"),
        ValueError,
        r"fit: initial_epoch must be a non-negative integer, got '1'",
    ),
    (
        lambda: compiled().fit(X, Y, epochs=2, initial_epoch=3),
        ValueError,
        r"fit: initial_epoch=3 is after epochs=2",
    ),
    (lambda: compiled().fit(X, Y, verbose=3), ValueError, r"fit: verbose must be 'auto'"),
    (lambda: compiled().fit(X, Y, shuffle="no"), TypeError, r"fit: shuffle must be True"),
    (
        lambda: compiled().fit(X, Y, callbacks="early"),
        TypeError,
        r"fit: callbacks must be a Callback or a list of them .*got 'early'",
    ),
    (
        lambda: compiled().fit(X, Y, callbacks=[EarlyStopping]),
        TypeError,
        r"fit: callbacks .*EarlyStopping'>; pass an instance: add \(\)",
    ),
    (
        lambda: compiled().fit(X, Y, validation_data=X),
        TypeError,
        (
            r"fit: validation_data expects a tuple \(x_val, y_val\) or \(x_val, y_val, "
            r"sample_weight_val\), got ndarray of shape \(10, 4\)"
        ),
    ),
    (
        lambda: compiled().fit(X, Y, validation_data=(X, Y, np.ones(9))),
        ValueError,
        (
            r"fit \(validation_data\): sample_weight needs one weight per sample, 10 in all, got "
            r"shape \(9,\)"
        ),
    ),
    (
        lambda: compiled().fit(X, Y, validation_data=(X, Y, X, Y)),
        TypeError,
        r"fit: validation_data expects .* got tuple of 4 items",
    ),
    (
        lambda: compiled().fit(X, Y, sample_weight=np.ones((10, 1)), class_weight={0: 2.0}),
        ValueError,
        r"fit: give class_weight or sample_weight, not both",
    ),
    (
        lambda: compiled().fit(X, Y, class_weight=[1.0, 2.0]),
        TypeError,
        r"fit: class_weight must be a dict \{class index: weight\}.*got list",
    ),
    (
        lambda: compiled().fit(X, Y, class_weight={-1: 2.0}),
        ValueError,
        r"fit: class_weight keys must be class indices 0, 1, ..., got -1",
    ),
    (
        lambda: compiled().fit(X, Y, class_weight={0: "2"}),
        TypeError,
        r"fit: class_weight\[0\] must be a number, got '2'",
    ),
    (
        lambda: compiled().fit(X, Y, sample_weight=[1.0] * 9),
        ValueError,
        r"fit: sample_weight needs one weight per sample, 10 in all, got shape \(9,\)",
    ),
    (
        lambda: compiled().evaluate(X, Y, sample_weight=np.full(10, np.nan)),
        ValueError,
        r"evaluate: sample_weight contains NaN or Inf",
    ),
    (
        lambda: compiled().compile(loss=nn.losses.Huber(reduction=None)),
        ValueError,
        (
            r"compile: the loss Huber\(reduction=None\) gives one value per sample, and training "
            r"needs one number"
        ),
    ),
    (
        lambda: Sequential([Dense(2)]).compute_loss(y=Y, y_pred=ag.Tensor(np.ones((10, 2)))),
        ValueError,
        r"compute_loss: model 'sequential.*' has no loss to compute: compile\(loss=...\) first",
    ),
    (
        lambda: compiled().save_weights("weights.h5"),
        ValueError,
        r"save_weights: 'weights.h5' names a Keras file.*use 'name.weights.h5'",
    ),
    (
        lambda: compiled().compile(loss="mse", loss_weights=[1.0]),
        ValueError,
        r"compile: loss_weights=\[1.0\] is for models with several outputs",
    ),
    (
        lambda: compiled().pop() and Sequential().pop(),
        ValueError,
        r"pop: model 'sequential.*' has no layers to remove",
    ),
    (
        lambda: compiled().fit(X, Y, validation_split="0.2"),
        ValueError,
        r"fit: validation_split must be in \[0, 1\), got '0.2'",
    ),
    (
        lambda: compiled().evaluate(X, Y, steps=0),
        ValueError,
        r"evaluate: steps must be None or a positive integer, got 0",
    ),
    (lambda: compiled().predict(X, verbose=7), ValueError, r"predict: verbose must be 'a"),
    (
        lambda: compiled().predict(X, callbacks=[EarlyStopping()]),
        ValueError,
        r"predict: callbacks are not supported here yet",
    ),
    (lambda: compiled().get_layer(index="1"), TypeError, r"get_layer: index must be an i"),
    (lambda: compiled().get_layer(), ValueError, r"Provide either a layer name or layer"),
    # losses
    (lambda: BinaryCrossentropy(from_logits="no"), TypeError, r"BinaryCrossentropy: from_logits"),
    (lambda: MeanSquaredError()([1.0], ["a"]), TypeError, r"MeanSquaredError: y_pred must be nu"),
    (
        lambda: SparseCategoricalCrossentropy()(np.array([0]), np.array([0.5, 0.5])),
        ValueError,
        r"SparseCategoricalCrossentropy: y_pred needs a batch axis and a class axis, .*\(2,\)",
    ),
    (
        lambda: losses.sparse_categorical_crossentropy([5], np.array([[0.5, 0.5]])),
        ValueError,
        r"sparse_categorical_crossentropy: label 5 at index 0 is out of range for 2 classes",
    ),
    (
        lambda: losses.sparse_categorical_crossentropy([0.5], np.array([[0.5, 0.5]])),
        ValueError,
        r"sparse_categorical_crossentropy: labels must be integer class indices, got dtype float",
    ),
    # activations and callbacks
    (lambda: activations.relu("abc"), TypeError, r"relu: x must be numeric, got dtype <U3"),
    (lambda: activations.sigmoid(None), TypeError, r"sigmoid: x must be numeric, got None"),
    (lambda: activations.softmax([[1.0]], axis="1"), TypeError, r"softmax: axis must be an int"),
    (lambda: activations.softmax([[1.0]], axis=5), ValueError, r"softmax: axis 5 is out of range"),
    (lambda: EarlyStopping(patience="2"), ValueError, r"EarlyStopping: patience must be a non-"),
    (lambda: EarlyStopping(monitor=3), TypeError, r"EarlyStopping: monitor must be a name such"),
    (lambda: EarlyStopping(min_delta="0.1"), TypeError, r"EarlyStopping: min_delta must be a nu"),
]


@pytest.mark.parametrize(
    "call, error, message", BAD_INPUTS, ids=[case[2][:40] for case in BAD_INPUTS]
)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("what", ["x", "y"])
def test_values_that_overflow_float32_are_refused_after_the_cast(what):
    # 1e39 is finite in float64 but infinite in float32: fit would train into NaN
    x, y = X.copy(), np.zeros((10, 3))
    (x if what == "x" else y)[2, 1] = 1e39
    with pytest.raises(
        ValueError,
        match=rf"fit: {what} holds 1e\+39 at index \(2, 1\), which overflows float32 "
        r"\(largest 3.402823e\+38\); 1 values become infinite",
    ):
        compiled(loss="mse").fit(x, y, verbose=0)
