"""fit replays its recorded step (compile's default); run_eagerly=True must give the same numbers."""

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
    "categorical, logits": (CategoricalCrossentropy(from_logits=True), "linear", 3, np.eye(3)[LABELS]),
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
        [nn.Input(shape=(5,)), nn.Dense(4, activation=hidden_activation), nn.Dense(units, activation=output_activation)]
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
