"""nn's fit against Keras's fit with regularizers, sample and class weights, weighted
validation data and metrics, and a frozen layer: every history value of every epoch, the
final weights, `evaluate` and `model.losses`.

The course's digits network (64 -> 25 relu -> 15 relu -> 10 logits, Adam 0.001) on 600 of
scikit-learn's digits, from the same initial weights, `fit(batch_size=32, shuffle=False)`
for 15 epochs; the Keras numbers come from tests/nn/data/make_keras_training.py
(TensorFlow 2.21 / Keras 3.15, run once; the tests never import TensorFlow).

Tolerances as in test_keras_parity_epochs.py: both sides compute in float32 and sum in
different orders, so every epoch's loss agrees to RTOL_EPOCH and the final weights to the
float32 policy (but for the few weights that an L1 penalty holds at 0: see
`outside_the_l1_kink`). Accuracies are counts over 600 or 200 samples: an argmax flipped by the
last bit would move one by 1/600, and none does.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import nn
from tests.numerics import assert_close

REFERENCE = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_training.npz"))
SETTINGS = json.loads(str(REFERENCE["settings"]))
RTOL_EPOCH = 3e-6


def regularizer(spec: list) -> nn.regularizers.Regularizer:
    name, arguments = spec
    return getattr(nn.regularizers, name)(**arguments)


def run(name: str) -> tuple[nn.Sequential, nn.History, dict[str, float]]:
    """Our side of the generator's scenario `name`: the trained model, its history and
    evaluate's dict on the held-out samples."""
    scenario = SETTINGS["scenarios"][name]
    units = SETTINGS["units"]
    dense = []
    for k, arguments in enumerate(scenario["layers"]):
        activation = "relu" if k < len(units) - 2 else "linear"
        extra = {key: regularizer(spec) for key, spec in arguments.items()}
        dense.append(nn.Dense(units[k + 1], activation=activation, **extra))
    model = nn.Sequential([nn.Input(shape=(units[0],)), *dense])
    model.set_weights([REFERENCE[f"initial/{i}"] for i in range(2 * len(dense))])
    for k in scenario.get("frozen", []):
        model.layers[k].trainable = False
    model.compile(
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=nn.optimizers.Adam(learning_rate=0.001),
        metrics=scenario.get("metrics"),
        weighted_metrics=scenario.get("weighted_metrics"),
    )
    x = REFERENCE["pixels"].astype(np.float32) / 16.0
    y, weights = REFERENCE["labels"], REFERENCE["sample_weight"]
    train, held_out = slice(0, SETTINGS["samples"]), slice(SETTINGS["samples"], None)
    class_weight = scenario.get("class_weight")
    history = model.fit(
        x[train],
        y[train],
        batch_size=SETTINGS["batch_size"],
        epochs=SETTINGS["epochs"],
        shuffle=False,
        verbose=0,
        sample_weight=weights[train] if scenario.get("sample_weight") else None,
        class_weight=None if class_weight is None else {int(k): v for k, v in class_weight.items()},
        validation_data=(x[held_out], y[held_out], weights[held_out])
        if scenario.get("validation")
        else None,
        validation_split=scenario.get("validation_split", 0.0),
    )
    evaluated = model.evaluate(
        x[held_out],
        y[held_out],
        sample_weight=weights[held_out] if scenario.get("sample_weight") else None,
        batch_size=SETTINGS["batch_size"],
        return_dict=True,
    )
    model(x[held_out])  # as the generator does: the activity losses of these inputs
    return model, history, evaluated


def outside_the_l1_kink(weight: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, ...]:
    """The entries of an L1-penalized kernel away from 0, after checking the rest.

    L1's gradient is l1 * sign(w): a weight that the penalty holds at 0 jumps across it by
    about one Adam step (the learning rate) on every step, and the last bit of float32
    rounding decides the side. Such entries (|w| below the learning rate) may differ by one
    step, and there are few of them (measured: 1 of 1,600)."""
    step = 0.001
    at_kink = np.abs(expected) < step
    differ = ~np.isclose(weight, expected, rtol=1e-5, atol=1e-6)
    assert np.all(np.abs(weight - expected)[differ & at_kink] <= step)
    assert (differ & at_kink).sum() <= 0.005 * weight.size
    return weight[~at_kink], expected[~at_kink]


@pytest.mark.parametrize("name", list(SETTINGS["scenarios"]))
def test_fit_matches_keras_epoch_by_epoch(name):
    model, history, evaluated = run(name)
    keys = sorted(k.split("/")[2] for k in REFERENCE.files if k.startswith(f"{name}/history/"))
    assert sorted(history.history) == keys
    for key in keys:
        expected = REFERENCE[f"{name}/history/{key}"]
        np.testing.assert_allclose(history.history[key], expected, rtol=RTOL_EPOCH, err_msg=key)
    for i, weight in enumerate(model.get_weights()):
        expected = REFERENCE[f"{name}/final/{i}"]
        if name == "l1_bias_activity" and i == 0:
            weight, expected = outside_the_l1_kink(weight, expected)
        assert_close(weight, expected, err_msg=f"weight {i}")
    for key, value in evaluated.items():
        np.testing.assert_allclose(value, REFERENCE[f"{name}/evaluate/{key}"], rtol=RTOL_EPOCH)
    penalty = sum(float(loss.data) for loss in model.losses)
    np.testing.assert_allclose(penalty, REFERENCE[f"{name}/losses_sum"], rtol=RTOL_EPOCH)


def test_a_frozen_layer_keeps_its_weights_and_counts_as_non_trainable():
    model, _, _ = run("frozen_first_layer")
    assert_close(model.get_weights()[0], REFERENCE["initial/0"], exact=True)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Trainable params: 550" in lines[-3]  # 25*15+15 + 15*10+10
    assert "Non-trainable params: 1,625" in lines[-2]  # 64*25+25
