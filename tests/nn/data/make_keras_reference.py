"""Regenerate `keras_reference.npz`: what Keras's own `fit` does, for tests/nn/test_keras_parity.py.

For every loss configuration and optimizer below, a small Keras model (5 -> 4 relu -> k)
starts from fixed initial weights, trains one epoch with `fit(batch_size=16, shuffle=False)`
on 64 samples, and the final weights and the epoch loss are stored, together with the data
and the initial weights. The nn test loads the same initial weights, runs the same fit and
compares.

The probability configurations (`*_probs`) wrap the output activation in `tf.identity`:
otherwise Keras's TensorFlow backend quietly computes the cross-entropy from the logits behind
a sigmoid/softmax (see nn/losses.py). The `*_probs_tfquirk` entries keep that behaviour, to
measure how far the documented formula is from it.

Needs TensorFlow only to regenerate (the tests never import it):

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu
    /tmp/tfvenv/bin/python tests/nn/data/make_keras_reference.py

Generated with tensorflow-cpu 2.21.0 / keras 3.15.1 (the versions are stored in the file).
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 kernels, no reordered sums

import keras
import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES, FEATURES, HIDDEN, CLASSES = 64, 5, 4, 3

# Stored in the file as JSON, so the nn test builds its side from the same settings.
# name: output units, output activation, loss class and arguments, target kind
LOSSES = {
    "bce_probs": (1, "sigmoid", "BinaryCrossentropy", {}, "binary"),
    "bce_logits": (1, "linear", "BinaryCrossentropy", {"from_logits": True}, "binary"),
    "bce_multilabel": (CLASSES, "sigmoid", "BinaryCrossentropy", {}, "multilabel"),
    "mse": (1, "linear", "MeanSquaredError", {}, "real"),
    "scce_probs": (CLASSES, "softmax", "SparseCategoricalCrossentropy", {}, "sparse"),
    "scce_logits": (
        CLASSES,
        "linear",
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        "sparse",
    ),
    "cce_probs": (CLASSES, "softmax", "CategoricalCrossentropy", {}, "onehot"),
    "cce_logits": (CLASSES, "linear", "CategoricalCrossentropy", {"from_logits": True}, "onehot"),
}
# name: optimizer class and arguments (the same names in keras.optimizers and nn.optimizers)
OPTIMIZERS = {
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    "adam": ("Adam", {"learning_rate": 0.01}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
}


def targets(kind: str, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    score = x[:, :CLASSES] + 0.5 * rng.standard_normal((len(x), CLASSES))
    if kind == "binary":
        return (score[:, 0] > 0).astype(np.int64)  # (m,) labels for a one-unit output
    if kind == "multilabel":
        return (score > 0).astype(np.float32)
    if kind == "real":
        return (x @ np.arange(1.0, FEATURES + 1) / 4).astype(np.float32)
    labels = score.argmax(axis=1)
    return labels if kind == "sparse" else np.eye(CLASSES, dtype=np.float32)[labels]


def build(units: int, activation: str, quirk: bool, weights: list[np.ndarray]) -> keras.Model:
    output = keras.activations.get(activation)
    if activation != "linear" and not quirk:
        output = lambda z, f=output: tf.identity(f(z))
    model = keras.Sequential(
        [
            keras.Input(shape=(FEATURES,)),
            keras.layers.Dense(HIDDEN, activation="relu"),
            keras.layers.Dense(units, activation=output),
        ]
    )
    model.set_weights(weights)
    return model


def main() -> None:
    rng = np.random.default_rng(2024)
    settings = {
        "losses": {
            name: {"activation": a, "loss": cls, "arguments": args}
            for name, (_, a, cls, args, _) in LOSSES.items()
        },
        "optimizers": {
            name: {"optimizer": cls, "arguments": args} for name, (cls, args) in OPTIMIZERS.items()
        },
    }
    out: dict[str, np.ndarray] = {
        "versions": np.array([tf.__version__, keras.__version__]),
        "settings": np.array(json.dumps(settings)),
    }
    for loss_name, (units, activation, loss_class, loss_arguments, kind) in LOSSES.items():
        x = rng.standard_normal((SAMPLES, FEATURES)).astype(np.float32)
        y = targets(kind, x, rng)
        initial = [
            rng.uniform(-0.8, 0.8, (FEATURES, HIDDEN)).astype(np.float32),
            rng.uniform(-0.1, 0.1, (HIDDEN,)).astype(np.float32),
            rng.uniform(-0.8, 0.8, (HIDDEN, units)).astype(np.float32),
            rng.uniform(-0.1, 0.1, (units,)).astype(np.float32),
        ]
        out[f"{loss_name}/x"], out[f"{loss_name}/y"] = x, y
        for i, w in enumerate(initial):
            out[f"{loss_name}/initial/{i}"] = w
        variants = [(loss_name, False)]
        if loss_name.endswith("_probs"):
            variants.append((f"{loss_name}_tfquirk", True))
        for name, quirk in variants:
            for opt_name, (opt_class, opt_arguments) in OPTIMIZERS.items():
                model = build(units, activation, quirk, initial)
                model.compile(
                    loss=getattr(keras.losses, loss_class)(**loss_arguments),
                    optimizer=getattr(keras.optimizers, opt_class)(**opt_arguments),
                    jit_compile=False,
                )
                history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
                key = f"{name}/{opt_name}"
                out[f"{key}/loss"] = np.array(history.history["loss"][0])
                for i, w in enumerate(model.get_weights()):
                    out[f"{key}/final/{i}"] = w
                print(key, history.history["loss"][0])
    path = os.path.join(HERE, "keras_reference.npz")
    np.savez_compressed(path, **out)
    print("wrote", path)


if __name__ == "__main__":
    main()
