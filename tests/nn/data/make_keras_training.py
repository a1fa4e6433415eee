"""Regenerate `keras_training.npz`: Keras's `fit` with regularizers, sample weights, class
weights, weighted validation data, weighted metrics and a frozen layer, for
test_keras_parity_training.py.

Each scenario trains the course's digits network (64 -> Dense(25, relu) -> Dense(15, relu)
-> Dense(10, linear), SparseCategoricalCrossentropy(from_logits=True), Adam 0.001) on the
first 600 of scikit-learn's 8x8 digits (pixels / 16), from fixed initial weights, with
`fit(batch_size=32, shuffle=False)` for EPOCHS epochs. Stored: the pixels (uint8), labels,
initial weights, sample weights and validation weights, the settings (JSON), and per
scenario every history key per epoch, the final weights, `evaluate(..., return_dict=True)`
and the sum of `model.losses` after a call on the held-out samples.

Needs TensorFlow and scikit-learn only to regenerate (the tests never import them):

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu scikit-learn
    /tmp/tfvenv/bin/python tests/nn/data/make_keras_training.py

Generated with tensorflow-cpu 2.21.0 / keras 3.15.1 (the versions are stored in the file).
"""

from __future__ import annotations

import itertools
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 kernels, no reordered sums

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES, VALIDATION, EPOCHS, BATCH_SIZE = 600, 200, 15, 32
UNITS = (64, 25, 15, 10)
L2 = ["L2", {"l2": 0.01}]
# name: per Dense layer its extra arguments ([class, arguments] for a regularizer), then the
# fit/compile options. "course_l2" is the course's habit: Dense(25, "relu",
# kernel_regularizer=L2(0.01)).
SCENARIOS = {
    "course_l2": {"layers": [{"kernel_regularizer": L2}, {"kernel_regularizer": L2}, {}]},
    "l1_bias_activity": {
        "layers": [
            {"kernel_regularizer": ["L1", {"l1": 0.001}], "bias_regularizer": L2},
            {"kernel_regularizer": ["L1L2", {"l1": 0.0005, "l2": 0.002}]},
            {"activity_regularizer": ["L2", {"l2": 0.001}]},
        ]
    },
    "sample_weight": {"layers": [{}, {}, {}], "sample_weight": True},
    "class_weight": {"layers": [{}, {}, {}], "class_weight": {"0": 2.0, "3": 0.5, "7": 3.0}},
    "weighted_validation": {
        "layers": [{"kernel_regularizer": L2}, {}, {}],
        "sample_weight": True,
        "validation": True,
        "metrics": ["accuracy"],
        "weighted_metrics": ["sparse_categorical_accuracy"],
    },
    "frozen_first_layer": {"layers": [{}, {}, {}], "frozen": [0]},
    # class weights apply to the training part only; a name in both metric lists is logged
    # twice (accuracy, weighted_accuracy)
    "class_weight_split": {
        "layers": [{}, {}, {}],
        "class_weight": {"1": 3.0, "8": 0.25},
        "validation_split": 0.25,
        "metrics": ["accuracy"],
        "weighted_metrics": ["accuracy"],
    },
}


def initial_weights(rng: np.random.Generator) -> list[np.ndarray]:
    """Glorot-uniform kernels and small random biases (so bias regularizers matter)."""
    weights = []
    for fan_in, fan_out in itertools.pairwise(UNITS):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        weights.append(rng.uniform(-0.1, 0.1, fan_out).astype(np.float32))
    return weights


def main() -> None:
    # imported here, not at the top: pytest's doctest collection imports this file
    import keras
    import tensorflow as tf
    from sklearn.datasets import load_digits

    digits = load_digits()
    total = SAMPLES + VALIDATION
    pixels = digits.images.reshape(-1, 64)[:total].astype(np.uint8)  # integers 0..16
    labels = digits.target[:total].astype(np.int64)
    x = pixels.astype(np.float32) / 16.0
    rng = np.random.default_rng(11)
    initial = initial_weights(rng)
    sample_weight = rng.uniform(0.0, 2.0, total).astype(np.float32)
    settings = {
        "samples": SAMPLES,
        "validation": VALIDATION,
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        "units": UNITS,
        "scenarios": SCENARIOS,
    }
    out: dict[str, np.ndarray] = {
        "versions": np.array([tf.__version__, keras.__version__]),
        "settings": np.array(json.dumps(settings)),
        "pixels": pixels,
        "labels": labels,
        "sample_weight": sample_weight,
    }
    for i, w in enumerate(initial):
        out[f"initial/{i}"] = w
    train = slice(0, SAMPLES)
    held_out = slice(SAMPLES, total)
    for name, scenario in SCENARIOS.items():
        dense = []
        for k, units in enumerate(UNITS[1:]):
            arguments = {
                key: getattr(keras.regularizers, cls)(**args)
                for key, (cls, args) in scenario["layers"][k].items()
            }
            activation = "relu" if k < len(UNITS) - 2 else "linear"
            dense.append(keras.layers.Dense(units, activation=activation, **arguments))
        model = keras.Sequential([keras.Input(shape=(UNITS[0],)), *dense])
        model.set_weights(initial)
        for k in scenario.get("frozen", []):
            model.layers[k].trainable = False
        model.compile(
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer=keras.optimizers.Adam(learning_rate=0.001),
            metrics=scenario.get("metrics"),
            weighted_metrics=scenario.get("weighted_metrics"),
            jit_compile=False,
        )
        weights = sample_weight[train] if scenario.get("sample_weight") else None
        class_weight = scenario.get("class_weight")
        history = model.fit(
            x[train],
            labels[train],
            batch_size=BATCH_SIZE,
            epochs=EPOCHS,
            shuffle=False,
            verbose=0,
            sample_weight=weights,
            class_weight=None
            if class_weight is None
            else {int(k): v for k, v in class_weight.items()},
            validation_data=(x[held_out], labels[held_out], sample_weight[held_out])
            if scenario.get("validation")
            else None,
            validation_split=scenario.get("validation_split", 0.0),
        )
        for key, values in history.history.items():
            out[f"{name}/history/{key}"] = np.array(values, dtype=np.float64)
        for i, w in enumerate(model.get_weights()):
            out[f"{name}/final/{i}"] = w
        evaluated = model.evaluate(
            x[held_out],
            labels[held_out],
            sample_weight=sample_weight[held_out] if scenario.get("sample_weight") else None,
            batch_size=BATCH_SIZE,
            verbose=0,
            return_dict=True,
        )
        for key, value in evaluated.items():
            out[f"{name}/evaluate/{key}"] = np.array(value, dtype=np.float64)
        model(x[held_out])  # an eager call: the activity losses of these inputs
        out[f"{name}/losses_sum"] = np.array(
            float(sum(np.asarray(loss) for loss in model.losses)) if model.losses else 0.0
        )
        print(name, sorted(history.history), history.history["loss"][-1], evaluated)
    path = os.path.join(HERE, "keras_training.npz")
    np.savez_compressed(path, **out)
    print("wrote", path)


if __name__ == "__main__":
    main()
