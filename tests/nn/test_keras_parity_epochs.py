"""nn's fit against Keras's fit over 40 epochs, epoch by epoch, for every optimizer.

The course's digits network (64 -> 25 relu -> 15 relu -> 10 logits) on 1,000 of
scikit-learn's digits, from the same initial weights, `fit(batch_size=32, shuffle=False)`;
the Keras numbers come from tests/nn/data/make_keras_epochs.py (TensorFlow 2.21 / Keras
3.15, run once; the tests never import TensorFlow or scikit-learn).

Tolerances. Both sides compute in float32 and sum in different orders, so each of the 1,280
steps differs in the last bits; training carries that along without growing it much: every
epoch's loss agrees to RTOL_EPOCH = 3e-6 (measured at most 1.4e-6, with four OpenBLAS
kernels), and the mean over the epochs of the relative difference, which a steady bias
would raise, to RTOL_MEAN = 5e-7 (measured at most 2.5e-7); the final weights to the
float32 policy, rtol 1e-5 and atol 1e-6. Adam's bias correction computed in float64 instead
of float32, a relative difference of 6e-6 in every step, fails both loss checks (learning
rate 0.001: up to 7.3e-6, mean 5.5e-6; 0.01: up to 4.2e-6, mean 2.6e-6).

Adam with learning_rate 0.01 is chaotic on this problem after its ninth epoch: a change of
1e-7 in the initial weights, or another OpenBLAS kernel, moves its later losses by up to
200%, in Keras as here. Its first 8 epochs are compared.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import nn
from tests.numerics import assert_close

REFERENCE = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_epochs.npz"))
SETTINGS = json.loads(str(REFERENCE["settings"]))
RTOL_EPOCH, RTOL_MEAN = 3e-6, 5e-7
EPOCHS_COMPARED = {"adam_0.01": 8}  # the rest: all of them


def fit_like_keras(name: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """Our side of the generator's run: the epoch losses and the final weights."""
    optimizer = SETTINGS["optimizers"][name]
    *hidden, classes = SETTINGS["units"][1:]
    model = nn.Sequential(
        [nn.Input(shape=(SETTINGS["units"][0],))]
        + [nn.Dense(units, activation="relu") for units in hidden]
        + [nn.Dense(classes, activation="linear")]
    )
    model.set_weights([REFERENCE[f"initial/{i}"] for i in range(2 * len(SETTINGS["units"]) - 2)])
    model.compile(
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=getattr(nn.optimizers, optimizer["optimizer"])(**optimizer["arguments"]),
    )
    history = model.fit(
        REFERENCE["pixels"].astype(np.float32) / 16.0,
        REFERENCE["labels"],
        batch_size=SETTINGS["batch_size"],
        epochs=EPOCHS_COMPARED.get(name, SETTINGS["epochs"]),
        shuffle=False,
        verbose=0,
    )
    return np.array(history.history["loss"]), model.get_weights()


@pytest.mark.parametrize("name", SETTINGS["optimizers"])
def test_every_epoch_loss_follows_keras(name: str) -> None:
    losses, weights = fit_like_keras(name)
    keras_losses = REFERENCE[f"{name}/losses"][: len(losses)]
    assert keras_losses[-1] < 0.5 * keras_losses[0]  # it learned
    relative = np.abs(losses - keras_losses) / keras_losses
    worst = int(relative.argmax())
    assert relative[worst] <= RTOL_EPOCH, (
        f"epoch {worst + 1}: loss {losses[worst]!r}, Keras {keras_losses[worst]!r} "
        f"(relative difference {relative[worst]:.1e}; per epoch: {np.array2string(relative)})"
    )
    assert relative.mean() <= RTOL_MEAN, f"mean relative difference {relative.mean():.1e}"
    if len(losses) == SETTINGS["epochs"]:
        for i, ours in enumerate(weights):
            assert_close(ours, REFERENCE[f"{name}/final/{i}"])
