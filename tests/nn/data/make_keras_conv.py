"""Regenerate `keras_conv.npz`: what Keras's Conv1D and Conv2D compute and how `fit` trains
them, for tests/nn/test_keras_parity_conv.py.

For every configuration below, a Keras model (the convolution -> Flatten -> Dense(1)) starts
from fixed initial weights; the file stores the convolution's output on the data, then the
weights and the epoch loss after one epoch of `fit(batch_size=8, shuffle=False)` on 32
samples (4 steps) with mean squared error, for each optimizer. The configurations cover
strides, both paddings (and 'causal'), TensorFlow's odd 'same' split (the extra zero at the
bottom and right), dilations, several channels and kernels that are not square.

Needs TensorFlow only to regenerate (the tests never import it):

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu
    /tmp/tfvenv/bin/python tests/nn/data/make_keras_conv.py

Generated with tensorflow-cpu 2.21.0 / keras 3.15.1 (the versions are stored in the file).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 kernels, no reordered sums

import numpy as np

if TYPE_CHECKING:
    import keras

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = 32

# name: layer class, input shape (no batch axis), arguments (the same names in keras.layers
# and nn). Stored in the file as JSON, so the nn test builds its side from the same settings.
CONFIGURATIONS = {
    "conv2d_valid": ("Conv2D", (7, 6, 2), {"filters": 3, "kernel_size": (3, 2)}),
    "conv2d_relu_strided": (
        "Conv2D",
        (7, 7, 2),
        {"filters": 4, "kernel_size": 3, "strides": 2, "activation": "relu"},
    ),
    "conv2d_same_odd_split": (
        "Conv2D",
        (8, 7, 1),
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "tanh"},
    ),
    "conv2d_same_dilated": (
        "Conv2D",
        (6, 7, 3),
        {"filters": 2, "kernel_size": (3, 2), "padding": "same", "dilation_rate": (2, 3)},
    ),
    "conv2d_strides_not_square": (
        "Conv2D",
        (6, 9, 2),
        {"filters": 3, "kernel_size": (2, 3), "strides": (1, 3), "use_bias": False},
    ),
    "conv1d_same_dilated": (
        "Conv1D",
        (11, 2),
        {"filters": 3, "kernel_size": 4, "padding": "same", "dilation_rate": 2},
    ),
    "conv1d_causal_strided": (
        "Conv1D",
        (10, 3),
        {"filters": 2, "kernel_size": 4, "strides": 3, "padding": "causal", "activation": "relu"},
    ),
}
# name: optimizer class and arguments (the same names in keras.optimizers and nn.optimizers)
OPTIMIZERS = {
    "sgd": ("SGD", {"learning_rate": 0.05}),
    "adam": ("Adam", {"learning_rate": 0.01}),
}


def build(
    layer_class: str, input_shape: tuple, arguments: dict, weights: list | None
) -> keras.Model:
    import keras  # here, not above: pytest collects this file without TensorFlow installed

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            getattr(keras.layers, layer_class)(**arguments),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    if weights is not None:
        model.set_weights(weights)
    return model


def main() -> None:
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(2025)
    settings = {
        "configurations": {
            name: {"layer": cls, "input_shape": shape, "arguments": args}
            for name, (cls, shape, args) in CONFIGURATIONS.items()
        },
        "optimizers": {
            name: {"optimizer": cls, "arguments": args} for name, (cls, args) in OPTIMIZERS.items()
        },
    }
    out: dict[str, np.ndarray] = {
        "versions": np.array([tf.__version__, keras.__version__]),
        "settings": np.array(json.dumps(settings)),
    }
    for name, (layer_class, input_shape, arguments) in CONFIGURATIONS.items():
        x = rng.standard_normal((SAMPLES, *input_shape)).astype(np.float32)
        y = rng.standard_normal((SAMPLES, 1)).astype(np.float32)
        shapes = [w.shape for w in build(layer_class, input_shape, arguments, None).weights]
        initial = [rng.uniform(-0.5, 0.5, shape).astype(np.float32) for shape in shapes]
        out[f"{name}/x"], out[f"{name}/y"] = x, y
        for i, w in enumerate(initial):
            out[f"{name}/initial/{i}"] = w
        model = build(layer_class, input_shape, arguments, initial)
        out[f"{name}/conv_output"] = np.asarray(model.layers[0](x))
        for opt_name, (opt_class, opt_arguments) in OPTIMIZERS.items():
            model = build(layer_class, input_shape, arguments, initial)
            model.compile(
                loss="mean_squared_error",
                optimizer=getattr(keras.optimizers, opt_class)(**opt_arguments),
                jit_compile=False,
            )
            history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
            key = f"{name}/{opt_name}"
            out[f"{key}/loss"] = np.array(history.history["loss"][0], dtype=np.float32)
            for i, w in enumerate(model.get_weights()):
                out[f"{key}/final/{i}"] = w
            print(key, history.history["loss"][0])
    path = os.path.join(HERE, "keras_conv.npz")
    np.savez_compressed(path, **out)
    print("wrote", path)


if __name__ == "__main__":
    main()
