"""fit replays its recorded step (compile's default); run_eagerly=True must give the same
numbers."""

import numpy as np
import pytest

import nn
from nn.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)
from tests.numerics import assert_close

rng = np.random.default_rng(3)
X = rng.standard_normal((40, 5)).astype(np.float32)
LABELS = rng.integers(0, 3, 40)

CONFIGS = {
    "sparse, logits": (SparseCategoricalCrossentropy(from_logits=True), "linear", 3, LABELS),
    "sparse, softmax": (SparseCategoricalCrossentropy(), "softmax", 3, LABELS),
    "categorical, logits": (
        CategoricalCrossentropy(from_logits=True),
        "linear",
        3,
        np.eye(3)[LABELS],
    ),
    "categorical, softmax": (CategoricalCrossentropy(), "softmax", 3, np.eye(3)[LABELS]),
    "binary, logits": (BinaryCrossentropy(from_logits=True), "linear", 1, LABELS % 2),
    "binary, sigmoid": (BinaryCrossentropy(), "sigmoid", 1, LABELS % 2),
    "multi-label": (BinaryCrossentropy(), "sigmoid", 3, np.eye(3)[LABELS]),
    "mse": (MeanSquaredError(), "linear", 1, LABELS.astype(np.float32)),
}


def train(config, hidden_activation, run_eagerly):
    loss, output_activation, units, y = CONFIGS[config]
    nn.set_seed(7)
    model = nn.Sequential(
        [
            nn.Input(shape=(5,)),
            nn.Dense(4, activation=hidden_activation),
            nn.Dense(units, activation=output_activation),
        ]
    )
    model.compile(loss=loss, optimizer=nn.optimizers.Adam(0.01), run_eagerly=run_eagerly)
    history = model.fit(X, y, batch_size=16, epochs=3, verbose=0)  # 16, 16, then a batch of 8
    return model, history.history["loss"]


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("hidden", ["relu", "tanh", "leaky_relu", "swish"])
def test_replayed_fit_equals_eager_fit(config, hidden):
    traced, traced_losses = train(config, hidden, run_eagerly=False)
    eager, eager_losses = train(config, hidden, run_eagerly=True)
    assert_close(traced_losses, np.float32(eager_losses))
    for a, b in zip(traced.get_weights(), eager.get_weights()):
        assert_close(a, b)
    function = traced._train_function
    if config == "sparse, softmax":  # picks probabilities with the labels as an index
        assert not function.replays and "GetItem holds an array" in str(function.eager_reasons)
    else:
        assert len(function.replays) == 2 and not function.eager_reasons  # batches of 16 and 8


def test_a_layer_added_after_fit_is_trained():
    nn.set_seed(0)
    model = nn.Sequential([nn.Input(shape=(5,)), nn.Dense(4, activation="relu")])
    model.compile(loss="mse", optimizer=nn.optimizers.SGD(0.1))
    y = X[:, :1] * 2
    model.add(nn.Dense(1))
    model.fit(X, y, epochs=1, verbose=0)  # records the two-layer step
    model.add(nn.Dense(1, name="head"))
    before = model.get_layer("head").get_weights()[0].copy()
    model.fit(X, y, epochs=3, verbose=0)
    assert not np.array_equal(model.get_layer("head").get_weights()[0], before)


# --- Dropout, the course network, and what runs when ---------------------------------------


def fit_weights(layers, y, run_eagerly, loss, epochs=3):
    """The weights and losses after fitting Sequential(layers()) from seed 7."""
    nn.set_seed(7)
    model = nn.Sequential(layers())
    model.compile(loss=loss, optimizer=nn.optimizers.Adam(0.01), run_eagerly=run_eagerly)
    history = model.fit(X, y, batch_size=16, epochs=epochs, verbose=0)
    return model, history.history["loss"]


def course_network_with_dropout(seed=None):
    return [
        nn.Input(shape=(5,)),
        nn.Dense(25, activation="relu"),
        nn.Dropout(0.3, seed=seed),
        nn.Dense(15, activation="relu"),
        nn.Dropout(0.5, noise_shape=(None, 15), seed=None if seed is None else seed + 1),
        nn.Dense(3),
    ]


def course_network():
    return [nn.Input(shape=(5,)), nn.Dense(25, "relu"), nn.Dense(15, "relu"), nn.Dense(3)]


def conv_network_with_dropout():
    return [
        nn.Input(shape=(5, 1)),
        nn.Conv1D(4, 2, activation="relu"),
        nn.Dropout(0.25, noise_shape=(None, 1, 4)),  # the same filters dropped at every step
        nn.Flatten(),
        nn.Dense(3),
    ]


@pytest.mark.parametrize(
    "layers, data",
    [
        (course_network, X),
        (course_network_with_dropout, X),
        (lambda: course_network_with_dropout(seed=11), X),
        (conv_network_with_dropout, X[..., None]),
    ],
    ids=["course network", "dropout", "dropout with seeds", "conv1d and dropout"],
)
def test_a_model_with_dropout_replays_its_step_and_equals_eager_fit(layers, data):
    loss = SparseCategoricalCrossentropy(from_logits=True)
    runs = []
    for run_eagerly in (False, True):
        nn.set_seed(7)
        model = nn.Sequential(layers())
        model.compile(loss=loss, optimizer=nn.optimizers.Adam(0.01), run_eagerly=run_eagerly)
        history = model.fit(data, LABELS, batch_size=16, epochs=3, verbose=0)
        runs.append((model, history.history["loss"]))
    (traced, traced_losses), (eager, eager_losses) = runs
    function = traced._train_function
    assert len(function.replays) == 2 and not function.eager_reasons  # batches of 16 and 8
    assert all(replay.checked for replay in function.replays.values())
    assert_close(traced_losses, eager_losses)
    for a, b in zip(traced.get_weights(), eager.get_weights()):
        assert_close(a, b)
    # and the generator is where the eager run left it: the next draws are the same
    nn.set_seed(0)
    assert_close(traced.predict(data[:4]), eager.predict(data[:4]))


def test_dropout_changes_training_but_not_predict_or_evaluate():
    loss = SparseCategoricalCrossentropy(from_logits=True)
    nn.set_seed(7)
    with_dropout = nn.Sequential(course_network_with_dropout())
    nn.set_seed(7)
    without = nn.Sequential(course_network())
    without.set_weights(with_dropout.get_weights())
    for model in (with_dropout, without):
        model.compile(loss=loss, optimizer=nn.optimizers.SGD(0.1))
    assert_close(with_dropout.predict(X), without.predict(X))  # identity outside training
    assert_close(with_dropout.evaluate(X, LABELS), without.evaluate(X, LABELS))
    with_dropout.fit(X, LABELS, epochs=1, verbose=0, shuffle=False)
    without.fit(X, LABELS, epochs=1, verbose=0, shuffle=False)
    assert not np.allclose(with_dropout.get_weights()[0], without.get_weights()[0])


class CountingLayer(nn.Layer):
    """The identity, counting the calls of its Python code and the `training` each got."""

    min_rank = 1

    def __init__(self):
        super().__init__()
        self.calls = []

    def call(self, x, training=False):
        self.calls.append(training)
        return x


def test_fit_runs_the_layers_python_code_for_recording_only_unless_run_eagerly():
    for run_eagerly, expected in ((False, [True] * 4), (True, [True] * 9)):
        nn.set_seed(0)
        counter = CountingLayer()
        model = nn.Sequential([nn.Input(shape=(5,)), counter, nn.Dense(1)])
        model.compile(loss="mse", optimizer="sgd", run_eagerly=run_eagerly)
        model.fit(X, LABELS.astype(np.float32), batch_size=16, epochs=3, verbose=0)
        # traced: record and check for each batch size (16 and 8); eager: all 3 x 3 batches
        assert counter.calls == expected
        counter.calls.clear()
        model.predict(X[:3])
        model.evaluate(X[:3], LABELS[:3].astype(np.float32))
        model(X[:3])
        assert counter.calls == [False, False, False]  # predict, evaluate, the call's default


def test_training_reaches_only_layers_whose_call_takes_it():
    nn.set_seed(0)
    counter = CountingLayer()
    model = nn.Sequential([nn.Input(shape=(2,)), nn.Dense(2, kernel_initializer="ones"), counter])
    out = model(np.array([[1.0, 2.0]]), training=True)  # Dense.call(x) has no `training`
    np.testing.assert_array_equal(out.data, [[3.0, 3.0]])
    assert counter.calls == [True]
    assert (nn.Dense.call_takes_training, CountingLayer.call_takes_training) == (False, True)
    with pytest.raises(TypeError, match="training must be True, False or None, got 'yes'"):
        counter(np.ones((1, 2)), training="yes")


@pytest.mark.parametrize(
    "regularizers",
    [
        {"kernel_regularizer": nn.regularizers.L2(0.01)},
        {"kernel_regularizer": nn.regularizers.L1(0.01), "bias_regularizer": "l2"},
        {"kernel_regularizer": nn.regularizers.L1L2(0.01, 0.02)},
        {"activity_regularizer": nn.regularizers.L2(0.001)},
    ],
    ids=["l2", "l1 + bias l2", "l1l2", "activity"],
)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample weights"])
def test_penalties_and_sample_weights_replay_bit_for_bit(regularizers, weighted):
    # a penalty adds paths from the loss to the kernel; the replay must add the gradients of
    # all paths in the eager backward's order (it once walked them in the order the ops
    # ran: with three paths or more, one float32 ulp apart)
    weights = np.random.default_rng(1).uniform(0, 2, len(X)) if weighted else None
    runs = []
    for run_eagerly in (False, True):
        nn.set_seed(7)
        model = nn.Sequential(
            [nn.Input(shape=(5,)), nn.Dense(8, activation="relu", **regularizers), nn.Dense(3)]
        )
        model.compile(
            loss=SparseCategoricalCrossentropy(from_logits=True),
            optimizer="adam",
            run_eagerly=run_eagerly,
        )
        history = model.fit(
            X, LABELS, epochs=4, batch_size=8, shuffle=False, verbose=0, sample_weight=weights
        )
        assert not model._train_function.eager_reasons  # recorded, not an eager fallback
        runs.append((model.get_weights(), history.history["loss"]))
    (replayed, replayed_losses), (eager, eager_losses) = runs
    assert replayed_losses == eager_losses
    for a, b in zip(replayed, eager):
        assert_close(a, b, exact=True)
