"""Layers: the `Layer` base class and the core layers (`Input`, `Dense`)."""

from .base import Layer, clear_session
from .core import Dense, Input

__all__ = ["Dense", "Input", "Layer", "clear_session"]
