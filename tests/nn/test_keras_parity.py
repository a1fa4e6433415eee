"""nn's fit against Keras's fit: same data, same initial weights, one epoch, shuffle=False.

The reference numbers come from tests/nn/data/make_keras_reference.py (TensorFlow 2.21 /
Keras 3.15, run once; the tests never import TensorFlow). Tolerance: the float32 policy of
tests/numerics.py (rtol 1e-5, atol 1e-6). Both sides compute in float32 with sums in
different orders, so single-step results agree to a few float32 ulps (~1e-7 relative);
four steps of an optimizer carry that to ~1e-6, and weights that pass close to zero need
the small atol.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import nn
from tests.numerics import assert_close

REFERENCE = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_reference.npz"))

SETTINGS = json.loads(str(REFERENCE["settings"]))  # the configurations the generator ran
LOSSES, OPTIMIZERS = SETTINGS["losses"], SETTINGS["optimizers"]


def fit_like_keras(loss_name: str, optimizer_name: str) -> tuple[list[np.ndarray], float]:
    loss_name = loss_name.removesuffix("_tfquirk")
    loss, optimizer = LOSSES[loss_name], OPTIMIZERS[optimizer_name]
    initial = [REFERENCE[f"{loss_name}/initial/{i}"] for i in range(4)]
    model = nn.Sequential(
        [
            nn.Input(shape=(initial[0].shape[0],)),
            nn.Dense(initial[0].shape[1], activation="relu"),
            nn.Dense(initial[2].shape[1], activation=loss["activation"]),
        ]
    )
    model.set_weights(initial)
    model.compile(
        loss=getattr(nn.losses, loss["loss"])(**loss["arguments"]),
        optimizer=getattr(nn.optimizers, optimizer["optimizer"])(**optimizer["arguments"]),
    )
    history = model.fit(
        REFERENCE[f"{loss_name}/x"],
        REFERENCE[f"{loss_name}/y"],
        batch_size=16,
        epochs=1,
        shuffle=False,
        verbose=0,
    )
    return model.get_weights(), history.history["loss"][0]


@pytest.mark.parametrize("optimizer_name", OPTIMIZERS)
@pytest.mark.parametrize(
    "loss_name", [*LOSSES, "bce_probs_tfquirk", "scce_probs_tfquirk", "cce_probs_tfquirk"]
)
def test_one_epoch_ends_at_the_weights_keras_ends_at(loss_name: str, optimizer_name: str) -> None:
    """`*_tfquirk`: Keras on TensorFlow reads the logits behind a sigmoid/softmax output;
    we clip the probabilities as documented. Here the two agree to float32 rounding too."""
    weights, loss = fit_like_keras(loss_name, optimizer_name)
    key = f"{loss_name}/{optimizer_name}"
    expected = [REFERENCE[f"{key}/final/{i}"] for i in range(4)]
    initial = [REFERENCE[f"{loss_name.removesuffix('_tfquirk')}/initial/{i}"] for i in range(4)]
    assert max(float(np.abs(e - i).max()) for e, i in zip(expected, initial)) > 1e-3  # it moved
    for ours, theirs in zip(weights, expected):
        assert_close(ours, theirs)
    assert_close(np.float32(loss), REFERENCE[f"{key}/loss"])
