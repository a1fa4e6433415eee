"""Regenerate `keras_epochs.npz`: 40 epochs of Keras's `fit`, for test_keras_parity_epochs.py.

The course's digits network (64 -> Dense(25, relu) -> Dense(15, relu) -> Dense(10, linear),
SparseCategoricalCrossentropy(from_logits=True)) on the first 1,000 of scikit-learn's 8x8
digits (pixels / 16), from fixed initial weights, trains 40 epochs with
`fit(batch_size=32, shuffle=False)` once per optimizer below. Stored: the pixels (uint8, so
the test needs neither scikit-learn nor TensorFlow), the labels, the initial weights, the
settings, and per optimizer the 40 epoch losses and the final weights.

Many epochs show what one hides: a relative difference of 6e-6 in every Adam step (its bias
correction computed in float64 instead of float32) is within float32 rounding after one
epoch, and a steady offset of about 5e-6 in every later epoch's loss.

Needs TensorFlow and scikit-learn only to regenerate (the tests never import them):

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu scikit-learn
    /tmp/tfvenv/bin/python tests/nn/data/make_keras_epochs.py

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
SAMPLES, EPOCHS, BATCH_SIZE = 1000, 40, 32
UNITS = (64, 25, 15, 10)
# name: optimizer class and arguments (the same names in keras.optimizers and nn.optimizers)
OPTIMIZERS = {
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.005, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.005, "momentum": 0.9, "nesterov": True}),
    "adam": ("Adam", {"learning_rate": 0.001}),
    "adam_0.01": ("Adam", {"learning_rate": 0.01}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.001}),
}


def initial_weights(rng: np.random.Generator) -> list[np.ndarray]:
    """Glorot-uniform kernels and zero biases, Keras's Dense defaults."""
    weights = []
    for fan_in, fan_out in itertools.pairwise(UNITS):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        weights.append(np.zeros(fan_out, dtype=np.float32))
    return weights


def main() -> None:
    # imported here, not at the top: pytest's doctest collection imports this file
    import keras
    import tensorflow as tf
    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels = digits.images.reshape(-1, 64)[:SAMPLES].astype(np.uint8)  # integers 0..16
    labels = digits.target[:SAMPLES].astype(np.int64)
    x = pixels.astype(np.float32) / 16.0
    initial = initial_weights(np.random.default_rng(7))
    settings = {
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        "units": UNITS,
        "optimizers": {
            name: {"optimizer": cls, "arguments": args} for name, (cls, args) in OPTIMIZERS.items()
        },
    }
    out: dict[str, np.ndarray] = {
        "versions": np.array([tf.__version__, keras.__version__]),
        "settings": np.array(json.dumps(settings)),
        "pixels": pixels,
        "labels": labels,
    }
    for i, w in enumerate(initial):
        out[f"initial/{i}"] = w
    for name, (cls, arguments) in OPTIMIZERS.items():
        model = keras.Sequential(
            [keras.Input(shape=(UNITS[0],))]
            + [keras.layers.Dense(units, activation="relu") for units in UNITS[1:-1]]
            + [keras.layers.Dense(UNITS[-1], activation="linear")]
        )
        model.set_weights(initial)
        model.compile(
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer=getattr(keras.optimizers, cls)(**arguments),
            jit_compile=False,
        )
        history = model.fit(
            x, labels, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False, verbose=0
        )
        out[f"{name}/losses"] = np.array(history.history["loss"], dtype=np.float64)
        for i, w in enumerate(model.get_weights()):
            out[f"{name}/final/{i}"] = w
        print(name, history.history["loss"][0], history.history["loss"][-1])
    path = os.path.join(HERE, "keras_epochs.npz")
    np.savez_compressed(path, **out)
    print("wrote", path)


if __name__ == "__main__":
    main()
