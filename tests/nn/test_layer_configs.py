"""Layer configs and records against Keras 3.15's own: every layer class over several argument
settings (tests/nn/data/make_keras_configs.py stored what Keras's `get_config` and
`serialize_keras_object` return), the InputLayer record, initializer records, rebuilding
with `from_config`/`deserialize`, and the errors for what nn does not implement."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import nn
from nn import initializers, layers

with open(os.path.join(os.path.dirname(__file__), "data", "keras_configs.json")) as f:
    KERAS = json.load(f)
LAYERS = KERAS["layers"]


def as_json(value):
    """`value` as JSON reads it back: tuples become lists, as in the stored file."""
    return json.loads(json.dumps(value))


def make(case: str) -> nn.Layer:
    """Our layer for a stored case, made in a fresh session (automatic names from `dense`)."""
    nn.clear_session()
    return getattr(nn, LAYERS[case]["class_name"])(**LAYERS[case]["arguments"])


@pytest.mark.parametrize("case", sorted(LAYERS))
def test_get_config_equals_keras_key_by_key_and_in_order(case):
    config = as_json(make(case).get_config())
    keras = LAYERS[case]["config"]
    assert config == keras
    assert json.dumps(config) == json.dumps(keras)  # the same keys in Keras's order


@pytest.mark.parametrize("case", sorted(LAYERS))
def test_from_config_rebuilds_the_layer_from_ours_and_from_keras(case):
    ours = make(case)
    for config in (ours.get_config(), LAYERS[case]["config"]):
        rebuilt = type(ours).from_config(config)
        assert type(rebuilt) is type(ours) and not rebuilt.built
        assert as_json(rebuilt.get_config()) == LAYERS[case]["config"]


@pytest.mark.parametrize("case", sorted(LAYERS))
def test_built_layer_record_equals_keras_and_deserializes_built(case):
    layer = make(case)
    layer.build(tuple(LAYERS[case]["input_shape"]))
    assert as_json(layers.serialize(layer)) == LAYERS[case]["record"]
    rebuilt = layers.deserialize(LAYERS[case]["record"])
    assert rebuilt.built and rebuilt.input_shape == layer.input_shape
    assert [w.shape for w in rebuilt.weights] == [w.shape for w in layer.weights]
    assert [w.dtype for w in rebuilt.weights] == [w.dtype for w in layer.weights]
    assert as_json(layers.serialize(rebuilt)) == LAYERS[case]["record"]


def test_a_rebuilt_layer_computes_what_the_original_computes():
    layer = nn.Conv2D(3, (2, 3), padding="same", activation="elu", name="c")
    x = np.random.default_rng(0).normal(size=(2, 5, 6, 2)).astype(np.float32)
    expected = layer(x).data
    rebuilt = layers.deserialize(layers.serialize(layer))
    rebuilt.set_weights(layer.get_weights())
    np.testing.assert_array_equal(rebuilt(x).data, expected)


def test_an_unbuilt_layer_has_no_build_config():
    record = layers.serialize(nn.Dense(2))
    assert "build_config" not in record and nn.Dense(2).get_build_config() is None


def test_freezing_and_dtype_show_in_the_config():
    layer = nn.Dense(2, dtype="float64")
    layer.trainable = False
    config = layer.get_config()
    assert config["trainable"] is False and config["dtype"]["config"] == {"name": "float64"}
    rebuilt = nn.Dense.from_config(config)
    assert not rebuilt.trainable and rebuilt.dtype == np.float64
    # a plain dtype name, as tf.keras 2's configs and Keras 3.0's FloatDTypePolicy records have
    assert nn.Dense.from_config({**config, "dtype": "float64"}).dtype == np.float64
    policy = {"class_name": "FloatDTypePolicy", "config": {"name": "float64"}}
    assert nn.Dense.from_config({**config, "dtype": policy}).dtype == np.float64


@pytest.mark.parametrize("case", sorted(KERAS["inputs"]))
def test_input_layer_record_equals_keras(case):
    nn.clear_session()
    stored = KERAS["inputs"][case]
    arguments = {**stored["arguments"], "shape": tuple(stored["arguments"]["shape"])}
    inputs = nn.Input(**arguments)
    assert as_json(layers.input_layer_record(inputs)) == stored["record"]
    assert as_json(layers.serialize(inputs)) == stored["record"]
    rebuilt = layers.deserialize(stored["record"])
    assert isinstance(rebuilt, nn.Input) and rebuilt.shape == inputs.shape
    assert (
        rebuilt.dtype == inputs.dtype and rebuilt.layer_name == stored["record"]["config"]["name"]
    )


def test_input_layer_record_for_a_shape_or_a_symbolic_tensor():
    record = layers.input_layer_record((7, 8, 8, 1))
    assert record["config"]["batch_shape"] == (None, 8, 8, 1)
    assert record["config"]["name"] == "input_layer" and record["config"]["dtype"] == "float32"
    tensor = nn.KerasTensor((None, 3), dtype="float64")
    record = layers.input_layer_record(tensor, name="features")
    assert record["config"]["name"] == "features" and record["config"]["dtype"] == "float64"


def test_automatic_input_layer_names_count_as_keras():
    nn.clear_session()
    assert [nn.Input(shape=(2,)).layer_name for _ in range(2)] == ["input_layer", "input_layer_1"]


@pytest.mark.parametrize(
    "case", range(len(KERAS["initializers"])), ids=lambda i: str(KERAS["initializers"][i])
)
def test_initializer_records_equal_keras(case):
    stored = KERAS["initializers"][case]
    initializer = initializers.get(stored["identifier"])
    assert as_json(initializers.serialize(initializer)) == stored["record"]
    again = initializers.deserialize(stored["record"])
    assert type(again) is type(initializer) and again.get_config() == initializer.get_config()


def test_custom_functions_are_recorded_as_keras_does():
    def doubled(x):
        return x * 2

    def constant_half(shape, dtype=None):
        return np.full(shape, 0.5, dtype=dtype)

    def sum_of_squares(weight):
        return (weight * weight).sum()

    config = nn.Dense(
        2, activation=doubled, kernel_initializer=constant_half, kernel_regularizer=sum_of_squares
    ).get_config()
    for key, record in KERAS["custom_functions"].items():
        assert config[key] == record
    with pytest.raises(ValueError, match=r"Cannot rebuild layer 'dense' \(Dense\) .*'doubled'"):
        nn.Dense.from_config(config)


# what a Keras config can hold and nn does not implement: (class, config changes, message)
UNSUPPORTED = [
    (
        "Dense",
        {"kernel_constraint": {"class_name": "MaxNorm", "config": {"max_value": 2}}},
        r"Dense: kernel_constraint='MaxNorm' is not supported by nn \(only None\)",
    ),
    ("Dense", {"quantization_config": {"mode": "int8"}}, r"Dense: quantization_config="),
    ("Dense", {"lora_rank": 4}, r"Dense: unsupported argument\(s\) lora_rank=4; nn's Dense takes"),
    ("Conv2D", {"groups": 2}, r"Conv2D: groups=2 is not supported by nn \(only 1\)"),
    ("Conv1D", {"data_format": "channels_first"}, r"Conv1D: data_format='channels_first' is not"),
    ("MaxPooling2D", {"data_format": "channels_first"}, r"MaxPooling2D: data_format="),
    ("GlobalAveragePooling1D", {"data_format": "channels_first"}, r"GlobalAveragePooling1D: d"),
    ("Flatten", {"data_format": "channels_first"}, r"Flatten: data_format='channels_first'"),
    ("BatchNormalization", {"renorm": True}, r"BatchNormalization: renorm=True is not supported"),
    ("BatchNormalization", {"synchronized": True}, r"BatchNormalization: synchronized=True"),
    ("BatchNormalization", {"gamma_constraint": "non_neg"}, r"gamma_constraint='non_neg'"),
    (
        "Dense",
        {"dtype": {"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}},
        r"Dense: dtype must be a float type such as 'float32', got .*mixed_float16",
    ),
    ("Dense", {"dtype": {"class_name": "DTypePolicyMap"}}, r"Dense: dtype must be a float type"),
    ("Dense", {"kernel_initializer": {"class_name": "Orthogonal", "config": {}}}, r"Orthogonal"),
    ("Dense", {"kernel_regularizer": "l1_l2"}, r"Unknown regularizer 'l1_l2'. Valid names: L1"),
    ("Dense", {"activation": "gelu"}, r"Unknown activation 'gelu'"),
]


@pytest.mark.parametrize("cls, changes, message", UNSUPPORTED)
def test_unsupported_arguments_in_a_config_name_the_layer_and_the_argument(cls, changes, message):
    required = {"Dense": {"units": 2}, "Conv1D": {"filters": 2, "kernel_size": 3}}
    required["Conv2D"] = required["Conv1D"]
    config = getattr(nn, cls)(**required.get(cls, {})).get_config()
    config = {**config, **changes, "name": "from_file"}
    with pytest.raises((ValueError, TypeError), match=message) as info:
        getattr(nn, cls).from_config(config)
    assert f"Cannot rebuild layer 'from_file' ({cls}) from its config" in str(info.value)


def test_misspelt_and_keras_2_arguments_are_named_with_what_the_layer_takes():
    with pytest.raises(ValueError, match=r"^Dense: unsupported argument\(s\) kernel_initialiser="):
        nn.Dense(2, kernel_initialiser="ones")
    with pytest.raises(ValueError, match=r"input_shape=\(4,\); .*Sequential\(\[nn.Input\(shape="):
        nn.Dense(2, input_shape=(4,))
    with pytest.raises(ValueError, match=r"Dropout takes rate, noise_shape, seed, name, dtype, t"):
        nn.Dropout(0.5, noise=1)


def test_unknown_layer_class_is_named():
    record = {"module": "keras.layers", "class_name": "LSTM", "config": {"units": 4}}
    with pytest.raises(ValueError, match=r"Unknown layer class 'LSTM' in a config; nn has Act"):
        layers.deserialize(record)
    with pytest.raises(ValueError, match=r"expected a dict with 'class_name' and 'config'"):
        layers.deserialize({"config": {}})


@pytest.mark.parametrize(
    "config, message",
    [
        ({"batch_shape": [32, 4], "name": "x"}, r"InputLayer 'x': batch_shape \[32, 4\] fixes"),
        ({"batch_shape": [None, 4], "sparse": True, "name": "x"}, r"InputLayer 'x': sparse=True"),
        ({"batch_shape": [None, 4], "ragged": True}, r"InputLayer None: ragged=True is not"),
        ({"batch_shape": [None, None], "name": "x"}, r"InputLayer 'x': Input: shape must be a t"),
        ({"batch_shape": [None, 4], "dtype": "int32"}, r"Input: dtype must be a float type"),
        ({"batch_shape": [None, 4], "shape": [4]}, r"unsupported argument\(s\) shape"),
        ({"name": "x"}, r"InputLayer 'x': batch_shape must be a list such as \[None, 4\]"),
    ],
)
def test_input_layer_records_nn_cannot_read_are_named(config, message):
    with pytest.raises((ValueError, TypeError), match=message):
        layers.deserialize({"class_name": "InputLayer", "config": config})


def test_keras_2_input_layer_config_reads_too():
    inputs = nn.Input.from_config({"batch_input_shape": [None, 20], "name": "old"})
    assert inputs.shape == (None, 20) and inputs.layer_name == "old"
