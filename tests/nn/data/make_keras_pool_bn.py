"""Regenerate `keras_pool_bn.npz`: what Keras's pooling layers and BatchNormalization compute,
for tests/nn/test_keras_parity_pool_bn.py.

- Every pooling layer on fixed inputs, over pool sizes, strides and paddings: its output and
  the gradient of sum(output * weights) with respect to the input (fixed random weights).
- BatchNormalization alone (axis=1, center=False, epsilon=0.01): the training output, the
  moving statistics after that call, and the inference output after it.
- Two small models with BatchNormalization trained one epoch by Keras's own `fit`
  (batch_size=16, shuffle=False, 4 steps) from stored initial weights: the final weights,
  moving statistics included, the epoch loss, and `predict` afterwards (inference mode).

Needs TensorFlow only to regenerate (the tests never import it; TensorFlow is imported inside
`main`, so the test run can import this file as a module):

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu
    /tmp/tfvenv/bin/python tests/nn/data/make_keras_pool_bn.py

Generated with tensorflow-cpu 2.21.0 / keras 3.15.1 (the versions are stored in the file).
"""

from __future__ import annotations

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# name: layer class, arguments, input shape (stored as JSON, so the test builds the same layers)
POOLING = {
    "max1d_default": ("MaxPooling1D", {}, (3, 9, 2)),
    "max1d_k3_s2_same": (
        "MaxPooling1D",
        {"pool_size": 3, "strides": 2, "padding": "same"},
        (3, 9, 2),
    ),
    "max1d_k4_s1_same": (
        "MaxPooling1D",
        {"pool_size": 4, "strides": 1, "padding": "same"},
        (2, 7, 3),
    ),
    "max2d_default": ("MaxPooling2D", {}, (2, 7, 6, 3)),
    "max2d_k3_s2_same": (
        "MaxPooling2D",
        {"pool_size": 3, "strides": 2, "padding": "same"},
        (2, 7, 6, 3),
    ),
    "max2d_k23_s12_valid": (
        "MaxPooling2D",
        {"pool_size": (2, 3), "strides": (1, 2), "padding": "valid"},
        (2, 5, 7, 2),
    ),
    "avg1d_k2": ("AveragePooling1D", {"pool_size": 2}, (3, 9, 2)),
    "avg1d_k3_s2_same": (
        "AveragePooling1D",
        {"pool_size": 3, "strides": 2, "padding": "same"},
        (3, 9, 2),
    ),
    "avg2d_k2": ("AveragePooling2D", {"pool_size": (2, 2)}, (2, 7, 6, 3)),
    "avg2d_k3_s2_same": (
        "AveragePooling2D",
        {"pool_size": 3, "strides": 2, "padding": "same"},
        (2, 7, 6, 3),
    ),
    "avg2d_k23_s21_same": (
        "AveragePooling2D",
        {"pool_size": (2, 3), "strides": (2, 1), "padding": "same"},
        (2, 5, 7, 2),
    ),
    "gmax1d": ("GlobalMaxPooling1D", {}, (3, 9, 2)),
    "gavg1d": ("GlobalAveragePooling1D", {}, (3, 9, 2)),
    "gmax2d": ("GlobalMaxPooling2D", {}, (2, 7, 6, 3)),
    "gavg2d_keepdims": ("GlobalAveragePooling2D", {"keepdims": True}, (2, 7, 6, 3)),
}
BATCHNORM_ALONE = {"axis": 1, "center": False, "epsilon": 0.01, "momentum": 0.9}
SAMPLES, CLASSES = 64, 3
# name: input shape, the layers as (class, arguments), optimizer (class, arguments)
MODELS = {
    "dense_bn": (
        (5,),
        [
            # no bias before BN: BN removes it, so its gradient is rounding noise, which Adam
            # would scale up to steps of learning_rate
            ("Dense", {"units": 8, "use_bias": False}),
            ("BatchNormalization", {}),
            ("ReLU", {}),
            ("Dense", {"units": CLASSES}),
        ],
        ("Adam", {"learning_rate": 0.01}),
    ),
    "image_bn_pool": (
        (6, 6, 2),
        [
            ("BatchNormalization", {"momentum": 0.9}),
            ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}),
            ("Flatten", {}),
            ("Dense", {"units": CLASSES}),
        ],
        ("SGD", {"learning_rate": 0.1}),
    ),
}


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 kernels
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(10)
    settings = {
        "pooling": {name: [cls, args] for name, (cls, args, _) in POOLING.items()},
        "batchnorm_alone": BATCHNORM_ALONE,
        "models": {
            name: {"input_shape": list(shape), "layers": layers, "optimizer": list(optimizer)}
            for name, (shape, layers, optimizer) in MODELS.items()
        },
    }
    out: dict[str, np.ndarray] = {
        "versions": np.array([tf.__version__, keras.__version__]),
        "settings": np.array(json.dumps(settings)),
    }

    for name, (cls, args, shape) in POOLING.items():
        x = rng.standard_normal(shape).astype(np.float32)
        layer = getattr(keras.layers, cls)(**args)
        y = layer(x).numpy()
        weights = rng.standard_normal(y.shape).astype(np.float32)
        x_var = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x_var)
            total = tf.reduce_sum(layer(x_var) * weights)
        out[f"pool/{name}/x"], out[f"pool/{name}/y"] = x, y
        out[f"pool/{name}/weights"] = weights
        out[f"pool/{name}/dx"] = tape.gradient(total, x_var).numpy()

    x = (rng.standard_normal((4, 3, 5)) * 2 + 1).astype(np.float32)
    layer = keras.layers.BatchNormalization(**BATCHNORM_ALONE)
    out["bn/x"] = x
    out["bn/train"] = layer(x, training=True).numpy()
    out["bn/weights"] = np.stack([w.numpy() for w in layer.weights])  # gamma, means, variances
    out["bn/infer"] = layer(x, training=False).numpy()

    for name, (shape, layers, (optimizer, optimizer_args)) in MODELS.items():
        x = (rng.standard_normal((SAMPLES, *shape)) * 1.5 + 0.5).astype(np.float32)
        y = rng.integers(0, CLASSES, SAMPLES)
        model = keras.Sequential(
            [keras.Input(shape=shape)] + [getattr(keras.layers, c)(**a) for c, a in layers]
        )
        initial = [
            rng.uniform(-0.6, 0.6, w.shape).astype(np.float32)
            if "moving_variance" not in w.path and "gamma" not in w.path
            else rng.uniform(0.5, 1.5, w.shape).astype(np.float32)
            for w in model.weights
        ]
        model.set_weights(initial)
        model.compile(
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer=getattr(keras.optimizers, optimizer)(**optimizer_args),
        )
        history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
        out[f"model/{name}/x"], out[f"model/{name}/y"] = x, y
        for i, (w, before, after) in enumerate(zip(model.weights, initial, model.get_weights())):
            out[f"model/{name}/initial/{i}"] = before
            out[f"model/{name}/final/{i}"] = after
            out[f"model/{name}/names/{i}"] = np.array(w.path)
        out[f"model/{name}/loss"] = np.float32(history.history["loss"][0])
        out[f"model/{name}/predict"] = model.predict(x[:8], verbose=0)

    np.savez_compressed(os.path.join(HERE, "keras_pool_bn.npz"), **out)


if __name__ == "__main__":
    main()
