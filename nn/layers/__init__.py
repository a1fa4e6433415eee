"""Layers: the `Layer` base class, `KerasTensor`, the core layers (`Input`, `Dense`), the
activation layers (`ReLU`, `LeakyReLU`, `Softmax`, `Activation`), `Conv1D`, `Conv2D`, the
pooling layers, `BatchNormalization`, `Flatten`, `Reshape`, `Dropout`; and Keras 3's records
of layers (`serialize`, `deserialize`), as `.keras` files and model configs hold them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import serialization
from .activation import Activation, LeakyReLU, ReLU, Softmax
from .base import KerasTensor, Layer, clear_session, dtype_policy_record
from .convolutional import Conv1D, Conv2D
from .core import Dense, Input, input_layer_record
from .normalization import BatchNormalization
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from .regularization import Dropout
from .reshaping import Flatten, Reshape

LAYER_CLASSES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        Activation,
        AveragePooling1D,
        AveragePooling2D,
        BatchNormalization,
        Conv1D,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        GlobalAveragePooling1D,
        GlobalAveragePooling2D,
        GlobalMaxPooling1D,
        GlobalMaxPooling2D,
        LeakyReLU,
        MaxPooling1D,
        MaxPooling2D,
        ReLU,
        Reshape,
        Softmax,
    )
}


def serialize(layer: Layer | Input) -> dict[str, Any]:
    """Keras 3's record of a layer, as a model's config lists it: module, class name,
    `get_config()`, and `build_config` ({"input_shape": ...}) once the layer is built; for an
    `Input`, the record of Keras's InputLayer (`input_layer_record`).

    >>> import nn
    >>> layer = nn.Dense(3, name="out")
    >>> layer.build((None, 4))
    >>> record = serialize(layer)
    >>> record["class_name"], record["config"]["units"], record["build_config"]
    ('Dense', 3, {'input_shape': (None, 4)})
    """
    if isinstance(layer, Input):
        return input_layer_record(layer)
    record = serialization.serialize(layer, "keras.layers")
    build_config = layer.get_build_config()
    if build_config is not None:
        record["build_config"] = build_config
    return record


def deserialize(record: Mapping[str, Any]) -> Layer | Input:
    """The layer a `serialize` record (nn's or Keras's) describes, built if the record has a
    `build_config`; an InputLayer record gives an `Input`. A class nn does not have is an
    error naming it, as is an argument nn does not implement.

    >>> import nn
    >>> layer = deserialize(serialize(nn.Dense(3, activation="relu", name="hidden")))
    >>> layer.name, layer.units, layer.activation is nn.activations.relu, layer.built
    ('hidden', 3, True, False)
    """
    if isinstance(record, Mapping) and record.get("class_name") == "InputLayer":
        return Input.from_config(record.get("config", {}))
    layer = serialization.deserialize(record, LAYER_CLASSES, "layer")
    build_config = record.get("build_config")
    if build_config:
        layer.build_from_config(build_config)
    return layer


__all__ = [
    "Activation",
    "AveragePooling1D",
    "AveragePooling2D",
    "BatchNormalization",
    "Conv1D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Input",
    "KerasTensor",
    "Layer",
    "LeakyReLU",
    "MaxPooling1D",
    "MaxPooling2D",
    "ReLU",
    "Reshape",
    "Softmax",
    "clear_session",
    "deserialize",
    "dtype_policy_record",
    "input_layer_record",
    "serialize",
]
