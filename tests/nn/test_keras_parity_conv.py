"""nn's Conv1D and Conv2D against Keras's: the same outputs from the same weights, and the
same weights after one epoch of `fit` (4 steps, shuffle=False).

The reference numbers come from tests/nn/data/make_keras_conv.py (TensorFlow 2.21 / Keras
3.15, run once; the tests never import TensorFlow). Tolerance: the float32 policy of
tests/numerics.py (rtol 1e-5, atol 1e-6): both sides compute in float32, summing in
different orders.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import nn
from nn.layers.convolutional import Conv1D, Conv2D
from tests.numerics import assert_close

REFERENCE = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_conv.npz"))
SETTINGS = json.loads(str(REFERENCE["settings"]))  # the configurations the generator ran
CONFIGURATIONS, OPTIMIZERS = SETTINGS["configurations"], SETTINGS["optimizers"]
LAYERS = {"Conv1D": Conv1D, "Conv2D": Conv2D}


def model_like_keras(name: str) -> nn.Sequential:
    configuration = CONFIGURATIONS[name]
    model = nn.Sequential(
        [
            nn.Input(shape=tuple(configuration["input_shape"])),
            LAYERS[configuration["layer"]](**configuration["arguments"]),
            nn.Flatten(),
            nn.Dense(1),
        ]
    )
    initial = [REFERENCE[f"{name}/initial/{i}"] for i in range(len(model.weights))]
    model.set_weights(initial)
    return model


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_the_convolution_computes_what_keras_computes(name: str) -> None:
    conv = model_like_keras(name).layers[0]
    expected = REFERENCE[f"{name}/conv_output"]
    out = conv(REFERENCE[f"{name}/x"])
    assert out.shape == expected.shape
    assert conv.compute_output_shape((None, *REFERENCE[f"{name}/x"].shape[1:])) == (
        None,
        *expected.shape[1:],
    )
    assert_close(out, expected)


@pytest.mark.parametrize("optimizer_name", OPTIMIZERS)
@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_one_epoch_ends_at_the_weights_keras_ends_at(name: str, optimizer_name: str) -> None:
    model = model_like_keras(name)
    optimizer = OPTIMIZERS[optimizer_name]
    model.compile(
        loss="mean_squared_error",
        optimizer=getattr(nn.optimizers, optimizer["optimizer"])(**optimizer["arguments"]),
    )
    history = model.fit(
        REFERENCE[f"{name}/x"], REFERENCE[f"{name}/y"], batch_size=8, shuffle=False, verbose=0
    )
    key = f"{name}/{optimizer_name}"
    initial = [REFERENCE[f"{name}/initial/{i}"] for i in range(len(model.weights))]
    expected = [REFERENCE[f"{key}/final/{i}"] for i in range(len(model.weights))]
    assert max(float(np.abs(e - i).max()) for e, i in zip(expected, initial)) > 1e-3  # it moved
    for ours, theirs in zip(model.get_weights(), expected):
        assert_close(ours, theirs)
    assert_close(np.float32(history.history["loss"][0]), REFERENCE[f"{key}/loss"])
