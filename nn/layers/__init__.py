"""Layers: the `Layer` base class, `KerasTensor`, the core layers (`Input`, `Dense`), the
activation layers (`ReLU`, `LeakyReLU`, `Softmax`, `Activation`), `Conv1D`, `Flatten`,
`Dropout`."""

from .activation import Activation, LeakyReLU, ReLU, Softmax
from .base import KerasTensor, Layer, clear_session
from .convolutional import Conv1D
from .core import Dense, Input
from .regularization import Dropout
from .reshaping import Flatten

__all__ = [
    "Activation",
    "Conv1D",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "KerasTensor",
    "Layer",
    "LeakyReLU",
    "ReLU",
    "Softmax",
    "clear_session",
]
