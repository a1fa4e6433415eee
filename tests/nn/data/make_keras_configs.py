"""Regenerate `keras_configs.json`: what Keras 3 writes and computes for layer configs,
initializers, regularizers, trainable flags and activations, for test_layer_configs.py,
test_regularizers.py, test_trainable.py and test_activations.py.

- Every layer class nn has, over several argument settings: `get_config()` and the record
  `keras.saving.serialize_keras_object` writes once the layer is built (with `build_config`).
- The `InputLayer` record of `keras.Input` as Sequential's config lists it.
- The records of initializers and regularizers given by name or by class.
- Regularizer penalties on fixed weights in float32 and float64, and `layer.losses` of two
  small models (weight penalties, activity penalties divided by the batch size) on fixed
  weights and inputs, before and after freezing a layer.
- Weight lists and BatchNormalization's output after `trainable = False`.
- Activation values on fixed inputs (float32), by name, and what Keras writes for
  functions of one's own given as an activation, initializer or regularizer.

Every argument is a JSON value (initializers and regularizers as names or `{"class_name",
"config"}` records, which Keras's `get` reads as nn's does), so the tests build the same
layers from the file. Needs only Keras with its numpy backend to regenerate (the tests never
import Keras; it is imported inside `main`):

    python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install keras jax scipy h5py
    KERAS_BACKEND=numpy /tmp/kvenv/bin/python tests/nn/data/make_keras_configs.py

Generated with keras 3.15.1 on numpy (the versions are stored in the file).
"""

from __future__ import annotations

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _l(cls: str, **config: object) -> dict:
    """A regularizer or initializer record as an argument: {"class_name", "config"}."""
    return {"class_name": cls, "config": config}


# name: layer class, arguments, the input shape it is built for (batch axis None)
LAYERS = {
    "dense_default": ("Dense", {"units": 3}, [None, 4]),
    "dense_frozen_relu_he": (
        "Dense",
        {
            "units": 4,
            "activation": "relu",
            "use_bias": False,
            "kernel_initializer": "he_uniform",
            "trainable": False,
            "name": "hidden",
        },
        [None, 5],
    ),
    "dense_regularized_float64": (
        "Dense",
        {
            "units": 2,
            "activation": "softmax",
            "kernel_initializer": _l("RandomNormal", mean=0.5, stddev=0.1, seed=3),
            "bias_initializer": "ones",
            "kernel_regularizer": "l2",
            "bias_regularizer": _l("L1", l1=0.1),
            "activity_regularizer": _l("L1L2", l1=0.01, l2=0.02),
            "dtype": "float64",
            "name": "out",
        },
        [None, 3, 4],
    ),
    "dense_swish_glorot_seed": (
        "Dense",
        {
            "units": 5,
            "activation": "swish",
            "kernel_initializer": _l("GlorotUniform", seed=7),
            "bias_initializer": _l("Constant", value=0.25),
            "name": "d_swish",
        },
        [None, 2],
    ),
    "dense_log_softmax": (
        "Dense",
        {"units": 3, "activation": "log_softmax", "name": "d_logsm"},
        [None, 2],
    ),
    "dense_variance_scaling": (
        "Dense",
        {
            "units": 3,
            "activation": "elu",
            "kernel_initializer": _l(
                "VarianceScaling", scale=2.0, mode="fan_out", distribution="untruncated_normal"
            ),
            "bias_initializer": _l("RandomUniform", minval=-0.1, maxval=0.2, seed=1),
            "kernel_regularizer": "l1l2",
            "name": "d_vs",
        },
        [None, 2],
    ),
    "conv1d_default": ("Conv1D", {"filters": 2, "kernel_size": 3}, [None, 10, 3]),
    "conv1d_options": (
        "Conv1D",
        {
            "filters": 4,
            "kernel_size": 5,
            "strides": 2,
            "padding": "causal",
            "data_format": "channels_last",
            "activation": "tanh",
            "use_bias": False,
            "kernel_initializer": "lecun_normal",
            "kernel_regularizer": _l("L2", l2=0.001),
            "activity_regularizer": "l1",
            "name": "c1",
        },
        [None, 12, 2],
    ),
    "conv1d_dilated_same": (
        "Conv1D",
        {
            "filters": 3,
            "kernel_size": [2],
            "padding": "same",
            "dilation_rate": 2,
            "activation": "selu",
            "kernel_initializer": "glorot_normal",
            "bias_initializer": "zeros",
            "name": "c1d",
        },
        [None, 9, 1],
    ),
    "conv2d_default": ("Conv2D", {"filters": 2, "kernel_size": 3}, [None, 8, 8, 1]),
    "conv2d_options": (
        "Conv2D",
        {
            "filters": 6,
            "kernel_size": [3, 2],
            "strides": [2, 1],
            "padding": "same",
            "activation": "relu",
            "kernel_initializer": "he_normal",
            "bias_initializer": _l("TruncatedNormal", mean=0.0, stddev=0.02, seed=5),
            "kernel_regularizer": _l("L1L2", l1=0.001, l2=0.01),
            "bias_regularizer": "l2",
            "trainable": False,
            "dtype": "float64",
            "name": "c2",
        },
        [None, 7, 6, 3],
    ),
    "conv2d_dilated": (
        "Conv2D",
        {"filters": 1, "kernel_size": 2, "dilation_rate": [2, 1], "name": "c2d"},
        [None, 6, 5, 2],
    ),
    "maxpool1d_default": ("MaxPooling1D", {}, [None, 9, 2]),
    "maxpool1d_options": (
        "MaxPooling1D",
        {"pool_size": 3, "strides": 1, "padding": "same", "name": "mp1"},
        [None, 9, 2],
    ),
    "maxpool2d_default": ("MaxPooling2D", {}, [None, 6, 6, 3]),
    "maxpool2d_options": (
        "MaxPooling2D",
        {"pool_size": [2, 3], "strides": [1, 2], "data_format": "channels_last", "name": "mp2"},
        [None, 5, 7, 2],
    ),
    "avgpool1d": ("AveragePooling1D", {"pool_size": 2}, [None, 8, 2]),
    "avgpool1d_options": (
        "AveragePooling1D",
        {"pool_size": 3, "strides": 2, "padding": "same", "name": "ap1"},
        [None, 9, 2],
    ),
    "avgpool2d": ("AveragePooling2D", {"pool_size": [2, 2]}, [None, 6, 6, 3]),
    "avgpool2d_options": (
        "AveragePooling2D",
        {"pool_size": 3, "strides": 2, "padding": "same", "name": "ap2"},
        [None, 7, 6, 3],
    ),
    "gmaxpool1d": ("GlobalMaxPooling1D", {}, [None, 9, 2]),
    "gavgpool1d_keepdims": (
        "GlobalAveragePooling1D",
        {"keepdims": True, "name": "gap1"},
        [None, 9, 2],
    ),
    "gmaxpool2d": ("GlobalMaxPooling2D", {"data_format": "channels_last"}, [None, 5, 5, 3]),
    "gavgpool2d": ("GlobalAveragePooling2D", {}, [None, 5, 5, 3]),
    "flatten": ("Flatten", {}, [None, 3, 4]),
    "flatten_frozen": ("Flatten", {"trainable": False, "name": "flat"}, [None, 2, 2, 2]),
    "reshape": ("Reshape", {"target_shape": [2, 6]}, [None, 12]),
    "reshape_minus_one": ("Reshape", {"target_shape": [-1, 3], "name": "rs"}, [None, 4, 3]),
    "dropout": ("Dropout", {"rate": 0.5}, [None, 4]),
    "dropout_options": (
        "Dropout",
        {"rate": 0.25, "noise_shape": [None, 1, 4], "seed": 7, "name": "drop"},
        [None, 3, 4],
    ),
    "batchnorm_default": ("BatchNormalization", {}, [None, 4]),
    "batchnorm_options": (
        "BatchNormalization",
        {
            "axis": 1,
            "momentum": 0.9,
            "epsilon": 1e-5,
            "center": False,
            "gamma_initializer": _l("RandomUniform", minval=0.9, maxval=1.1),
            "moving_variance_initializer": _l("Constant", value=2.0),
            "gamma_regularizer": _l("L2", l2=0.1),
            "beta_regularizer": "l1",
            "name": "bn",
        },
        [None, 3, 5],
    ),
    "relu_default": ("ReLU", {}, [None, 4]),
    "relu_options": (
        "ReLU",
        {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5, "name": "r"},
        [None, 4],
    ),
    "leaky_relu_default": ("LeakyReLU", {}, [None, 4]),
    "leaky_relu_slope": ("LeakyReLU", {"negative_slope": 0.05, "name": "lr"}, [None, 4]),
    "softmax_default": ("Softmax", {}, [None, 4]),
    "softmax_axis": ("Softmax", {"axis": 1, "name": "sm"}, [None, 3, 4]),
    "activation_tanh": ("Activation", {"activation": "tanh"}, [None, 4]),
    "activation_log_softmax": (
        "Activation",
        {"activation": "log_softmax", "name": "act_lsm"},
        [None, 4],
    ),
    "activation_none": ("Activation", {"activation": None, "name": "act_none"}, [None, 4]),
    "activation_regularized": (
        "Activation",
        {"activation": "softplus", "activity_regularizer": "l2", "name": "act_reg"},
        [None, 4],
    ),
}

# name: keras.Input arguments (shape as a list)
INPUTS = {
    "default": {"shape": [4]},
    "named_image": {"shape": [8, 8, 1], "name": "image"},
    "float64": {"shape": [3], "dtype": "float64", "name": "x64"},
}

# identifiers given to keras.initializers.get / keras.regularizers.get
INITIALIZERS = [
    "zeros",
    "ones",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "variance_scaling",
    "Zeros",
    "GlorotUniform",
    "uniform",
    "normal",
    "zero",
    "one",
    _l("GlorotUniform", seed=42),
    _l("RandomNormal", mean=1.0, stddev=2.0, seed=3),
    _l("RandomUniform", minval=-1.0, maxval=0.5),
    _l("TruncatedNormal", stddev=0.5, seed=9),
    _l("Constant", value=-1.5),
    _l("VarianceScaling", scale=0.5, mode="fan_avg", distribution="uniform", seed=2),
    _l("VarianceScaling", scale=1.0, mode="fan_in", distribution="normal"),
    _l("HeNormal", seed=11, input_axes=[0], output_axes=[1]),
]
REGULARIZERS = [
    "l1",
    "l2",
    "l1l2",
    "L1",
    "L2",
    "L1L2",
    _l("L1", l1=0.1),
    _l("L2", l2=0.05),
    _l("L1L2", l1=0.01, l2=0.02),
    _l("L1L2", l1=0.3),
    _l("L1L2"),
]

# the models whose `losses` are stored: input shape, the layers as (class, arguments)
MODELS = {
    "dense": (
        [4],
        [
            (
                "Dense",
                {
                    "units": 3,
                    "activation": "tanh",
                    "kernel_regularizer": _l("L2", l2=0.05),
                    "bias_regularizer": _l("L1", l1=0.1),
                    "activity_regularizer": _l("L1L2", l1=0.01, l2=0.02),
                    "name": "d1",
                },
            ),
            ("Dense", {"units": 2, "kernel_regularizer": "l1l2", "name": "d2"}),
            ("Dense", {"units": 2, "kernel_regularizer": "l1", "name": "d3"}),
        ],
    ),
    "conv": (
        [6, 5, 2],
        [
            (
                "Conv2D",
                {
                    "filters": 2,
                    "kernel_size": 2,
                    "kernel_regularizer": "l2",
                    "bias_regularizer": _l("L2", l2=0.5),
                    "activity_regularizer": _l("L1", l1=0.01),
                    "name": "c2",
                },
            ),
            ("Reshape", {"target_shape": [20, 2], "name": "rs"}),
            (
                "Conv1D",
                {
                    "filters": 3,
                    "kernel_size": 3,
                    "activation": "relu",
                    "kernel_regularizer": _l("L1L2", l1=0.002, l2=0.003),
                    "name": "c1",
                },
            ),
            (
                "BatchNormalization",
                {
                    "gamma_regularizer": _l("L2", l2=0.1),
                    "beta_regularizer": _l("L1", l1=0.2),
                    "name": "bn",
                },
            ),
            ("Flatten", {"name": "flat"}),
            ("Activation", {"activation": "sigmoid", "activity_regularizer": "l2", "name": "a"}),
        ],
    ),
}
MODEL_BATCHES = (5, 2)  # `losses` after a call on each batch size: activity terms / batch
FROZEN = {"dense": "d1", "conv": "c2"}  # the layer frozen for the second set of losses

ACTIVATIONS = [
    "elu",
    "selu",
    "celu",
    "softplus",
    "softsign",
    "exponential",
    "relu6",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "tanh_shrink",
    "squareplus",
    "softmax",
]
ACTIVATION_X = [[-6.0, -3.5, -1.2, -0.3, -1e-3, 0.0, 2e-3, 0.4, 1.0, 2.9, 3.5, 7.0]]


def doubled(x: object) -> object:
    """A function of one's own given as an activation: Keras writes its name only."""
    return x * 2


def constant_half(shape: tuple, dtype: object = None) -> np.ndarray:
    """A function of one's own given as an initializer."""
    return np.full(shape, 0.5, dtype=dtype)


def sum_of_squares(weight: object) -> object:
    """A function of one's own given as a regularizer."""
    return (weight * weight).sum()


def _json(value: object) -> object:
    """`value` as JSON reads it back (tuples become lists, numpy scalars floats)."""
    return json.loads(json.dumps(value, default=lambda v: v.item()))


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import keras

    rng = np.random.default_rng(20261202)
    out: dict[str, object] = {"versions": {"keras": keras.__version__, "numpy": np.__version__}}

    layers = {}
    for case, (cls, arguments, shape) in LAYERS.items():
        keras.backend.clear_session()  # automatic names from `dense` again
        layer = getattr(keras.layers, cls)(**arguments)
        config = layer.get_config()
        layer.build(tuple(shape))
        record = keras.saving.serialize_keras_object(layer)
        layers[case] = {
            "class_name": cls,
            "arguments": arguments,
            "input_shape": shape,
            "config": _json(config),
            "record": _json(record),
        }
    out["layers"] = layers

    inputs = {}
    for case, arguments in INPUTS.items():
        keras.backend.clear_session()
        model = keras.Sequential([keras.Input(**arguments), keras.layers.Dense(1)])
        inputs[case] = {"arguments": arguments, "record": _json(model.get_config()["layers"][0])}
    out["inputs"] = inputs

    out["initializers"] = [
        {"identifier": i, "record": _json(keras.initializers.serialize(keras.initializers.get(i)))}
        for i in INITIALIZERS
    ]

    weights32 = rng.normal(size=(3, 4)).astype(np.float32)
    weights64 = rng.normal(size=(3, 4))
    regularizers = []
    for identifier in REGULARIZERS:
        regularizer = keras.regularizers.get(identifier)
        regularizers.append(
            {
                "identifier": identifier,
                "record": _json(keras.regularizers.serialize(regularizer)),
                # as variables, as a layer's weights are (Keras's numpy backend squares a
                # float64 array that is not one in float32)
                "float32": float(regularizer(keras.Variable(weights32, dtype="float32"))),
                "float64": float(regularizer(keras.Variable(weights64, dtype="float64"))),
            }
        )
    out["regularizer_penalties"] = {
        "weights32": weights32.tolist(),
        "weights64": weights64.tolist(),
        "cases": regularizers,
    }

    models = {}
    for case, (shape, specs) in MODELS.items():
        keras.backend.clear_session()
        model = keras.Sequential(
            [keras.Input(shape=tuple(shape))]
            + [getattr(keras.layers, cls)(**arguments) for cls, arguments in specs]
        )
        weights = [rng.normal(size=w.shape).astype(np.float32) for w in model.weights]
        # moving variances must stay positive
        weights = [
            np.abs(w) + 0.5 if "moving_variance" in v.path else w
            for w, v in zip(weights, model.weights)
        ]
        model.set_weights(weights)
        xs = [rng.normal(size=(n, *shape)).astype(np.float32) for n in MODEL_BATCHES]
        stored: dict[str, object] = {
            "input_shape": shape,
            "layers": [[cls, arguments] for cls, arguments in specs],
            "weights": [w.tolist() for w in weights],
            "x": [x.tolist() for x in xs],
        }
        for state in ("trainable", "frozen"):
            if state == "frozen":
                model.get_layer(FROZEN[case]).trainable = False
            for k, x in enumerate(xs):
                model(x, training=False)
                stored[f"{state}/{k}/model"] = [float(v) for v in model.losses]
                stored[f"{state}/{k}/layers"] = {
                    layer.name: [float(v) for v in layer.losses] for layer in model.layers
                }
        stored["frozen_layer"] = FROZEN[case]
        models[case] = stored
    out["model_losses"] = models

    keras.backend.clear_session()
    dense = keras.layers.Dense(2, name="d")
    dense.build((None, 3))
    bn = keras.layers.BatchNormalization(name="bn")
    bn.build((None, 3))
    trainable = {}
    for layer in (dense, bn):
        listing = {}
        for state in (True, False, True):
            layer.trainable = state
            listing[str(state)] = {
                "weights": [w.path for w in layer.weights],
                "trainable_weights": [w.path for w in layer.trainable_weights],
                "non_trainable_weights": [w.path for w in layer.non_trainable_weights],
                "config_trainable": layer.get_config()["trainable"],
            }
        trainable[layer.name] = listing
    x = rng.normal(size=(6, 3)).astype(np.float32)
    bn_weights = [[1.5, 0.5, 2.0], [0.1, -0.2, 0.3], [0.5, -1.0, 0.0], [2.0, 0.5, 1.0]]
    bn.set_weights([np.array(w, dtype=np.float32) for w in bn_weights])
    bn.trainable = False
    frozen_output = np.asarray(bn(x, training=True))
    trainable["bn_frozen_training_call"] = {
        "weights": [w.tolist() for w in bn.get_weights()],
        "x": x.tolist(),
        "output": frozen_output.tolist(),
        "moving_after": [np.asarray(w).tolist() for w in bn.get_weights()[2:]],
    }
    out["trainable"] = trainable

    keras.backend.clear_session()
    custom = keras.layers.Dense(
        2,
        activation=doubled,
        kernel_initializer=constant_half,
        kernel_regularizer=sum_of_squares,
        name="custom",
    ).get_config()
    out["custom_functions"] = {
        key: _json(custom[key])
        for key in ("activation", "kernel_initializer", "kernel_regularizer")
    }

    x = np.array(ACTIVATION_X, dtype=np.float32)
    out["activations"] = {
        "x": ACTIVATION_X,
        "values": {
            name: np.asarray(keras.activations.get(name)(x)).astype(np.float64).tolist()
            for name in ACTIVATIONS
        },
        "serialized": {
            name: keras.activations.serialize(keras.activations.get(name))
            for name in [*ACTIVATIONS, "relu", "linear", "swish", "silu", "leaky_relu", "tanh"]
        },
    }

    path = os.path.join(HERE, "keras_configs.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
