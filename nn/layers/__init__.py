"""Layers: the `Layer` base class, the core layers (`Input`, `Dense`), `Conv1D`, `Flatten`."""

from .base import Layer, clear_session
from .convolutional import Conv1D
from .core import Dense, Input
from .reshaping import Flatten

__all__ = ["Conv1D", "Dense", "Flatten", "Input", "Layer", "clear_session"]
