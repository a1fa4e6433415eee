"""Layers: the `Layer` base class, `KerasTensor`, the core layers (`Input`, `Dense`), the
activation layers (`ReLU`, `LeakyReLU`, `Softmax`, `Activation`), `Conv1D`, `Conv2D`, the
pooling layers, `BatchNormalization`, `Flatten`, `Reshape`, `Dropout`."""

from .activation import Activation, LeakyReLU, ReLU, Softmax
from .base import KerasTensor, Layer, clear_session
from .convolutional import Conv1D, Conv2D
from .core import Dense, Input
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
]
