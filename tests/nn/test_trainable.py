"""`layer.trainable`, as Keras 3's: the weight lists of a frozen and unfrozen layer against
Keras's (tests/nn/data/make_keras_configs.py), gradients, a frozen BatchNormalization in
inference mode against Keras's output, and training with frozen layers (the recorded step
is recorded again when a layer is frozen or unfrozen between fits)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import autograd_lite as ag
import nn
from tests.numerics import assert_close

with open(os.path.join(os.path.dirname(__file__), "data", "keras_configs.json")) as f:
    KERAS = json.load(f)["trainable"]


def names(weights):
    return [w.name for w in weights]


@pytest.mark.parametrize(
    "make", [lambda: nn.Dense(2, name="d"), lambda: nn.BatchNormalization(name="bn")]
)
def test_weight_lists_follow_keras_when_frozen_and_unfrozen(make):
    layer = make()
    layer.build((None, 3))
    for state in (True, False, True):
        layer.trainable = state
        keras = KERAS[layer.name][str(state)]
        assert names(layer.weights) == keras["weights"]  # the order never changes
        assert names(layer.trainable_weights) == keras["trainable_weights"]
        assert names(layer.non_trainable_weights) == keras["non_trainable_weights"]
        assert layer.get_config()["trainable"] is keras["config_trainable"]
        trainable = set(names(layer.trainable_weights))
        assert [w.requires_grad for w in layer.weights] == [
            w.name in trainable for w in layer.weights
        ]


def test_a_frozen_layer_passes_gradients_through_but_its_weights_get_none():
    layer = nn.Dense(2, activation="tanh", dtype="float64")
    x = ag.Tensor(np.random.default_rng(0).normal(size=(3, 4)), requires_grad=True)
    layer(x)
    layer.trainable = False
    layer(x).sum().backward()
    assert layer.kernel.grad is None and layer.bias.grad is None and x.grad is not None
    assert ag.gradcheck(lambda t: layer(t).sum(), [x])


def test_weights_created_while_frozen_are_frozen_until_unfrozen():
    layer = nn.BatchNormalization(trainable=False)
    layer.build((None, 2))
    assert layer.trainable_weights == [] and not any(w.requires_grad for w in layer.weights)
    layer.trainable = True
    assert names(layer.trainable_weights) == [
        "batch_normalization/gamma",
        "batch_normalization/beta",
    ]
    assert not layer.moving_mean.requires_grad and not layer.moving_variance.requires_grad


def test_a_frozen_batchnorm_normalizes_with_its_moving_statistics_in_training_as_keras():
    stored = KERAS["bn_frozen_training_call"]
    layer = nn.BatchNormalization(name="bn")
    layer.build((None, 3))
    layer.set_weights([np.array(w, dtype=np.float32) for w in stored["weights"]])
    layer.trainable = False
    out = layer(np.array(stored["x"], dtype=np.float32), training=True)
    assert_close(out, np.float32(stored["output"]))
    for moving, expected in zip(layer.get_weights()[2:], stored["moving_after"]):
        assert_close(moving, np.float32(expected), exact=True)


def model():
    nn.set_seed(3)
    return nn.Sequential(
        [
            nn.Input(shape=(4,)),
            nn.Dense(5, activation="relu", name="frozen"),
            nn.BatchNormalization(name="bn"),
            nn.Dense(2, name="out"),
        ]
    )


def test_fit_leaves_frozen_layers_alone_and_records_the_step_again_when_one_is_unfrozen():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(32, 4)), rng.integers(0, 2, 32)
    m = model()
    m.compile(loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
    m.get_layer("frozen").trainable = False
    m.get_layer("bn").trainable = False
    before = m.get_weights()
    m.fit(x, y, batch_size=8, epochs=2, verbose=0)
    after = m.get_weights()
    for k in range(6):  # the frozen Dense's kernel and bias, and all of BatchNormalization
        assert_close(after[k], before[k], exact=True)
    assert not np.array_equal(after[6], before[6])
    assert sum(w.size for w in m.trainable_weights) == 5 * 2 + 2
    assert sum(w.size for w in m.non_trainable_weights) == 4 * 5 + 5 + 4 * 5
    m.get_layer("frozen").trainable = True
    m.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert not np.array_equal(m.get_weights()[0], after[0])  # trained again
    assert_close(m.get_weights()[2], after[2], exact=True)  # gamma: still frozen


def test_trainable_must_be_a_bool():
    with pytest.raises(TypeError, match=r"^Dense: trainable must be True or False, got 'no'$"):
        nn.Dense(2, trainable="no")
    layer = nn.Dropout(0.5)
    with pytest.raises(TypeError, match=r"^Dropout: trainable must be True or False, got 0$"):
        layer.trainable = 0
