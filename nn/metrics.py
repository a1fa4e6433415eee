"""Metrics: per-sample scores computed in numpy from the predictions (no graph, no gradient).

`metrics=["accuracy"]` picks the accuracy that fits the loss, as Keras does: binary for
BinaryCrossentropy (threshold 0.5, also per unit for multi-label), sparse categorical for
SparseCategoricalCrossentropy, categorical for CategoricalCrossentropy; for other losses,
binary when the output has one unit, else categorical. As in Keras, binary accuracy
thresholds the output at 0.5 even when it is a logit (`from_logits=True`).

    >>> import numpy as np
    >>> sparse_categorical_accuracy(np.array([2, 0]), np.array([[0.1, 0.2, 0.7], [0.1, 0.8, 0.1]]))
    array([1., 0.])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import losses
from .utils import lookup

Metric = Callable[[np.ndarray, np.ndarray], np.ndarray]


def binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Per sample: mean over the last axis of [y_true == (y_pred > threshold)].

    >>> binary_accuracy(np.array([[1.0, 0.0]]), np.array([[0.9, 0.6]]))
    array([0.5])
    """
    return (y_true == (y_pred > threshold)).mean(axis=-1)


def sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Per sample: 1.0 where argmax(y_pred) equals the integer label, else 0.0."""
    return (y_pred.argmax(axis=-1) == y_true).astype(np.float64)


def categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Per sample: 1.0 where argmax(y_pred) equals argmax(y_true) (one-hot targets), else 0.0.

    >>> categorical_accuracy(np.array([[0, 1], [1, 0]]), np.array([[0.2, 0.8], [0.3, 0.7]]))
    array([1., 0.])
    """
    return (y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)).astype(np.float64)


ALL_METRICS: dict[str, Metric] = {
    "binary_accuracy": binary_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
}


def get(identifier: str | Metric, loss: losses.Loss, output_units: int) -> tuple[str, Metric]:
    """(log name, metric function) for a name or a function `(y_true, y_pred) -> per-sample`.

    >>> get("accuracy", losses.BinaryCrossentropy(), 3)[1] is binary_accuracy
    True
    """
    if callable(identifier):
        return identifier.__name__, identifier
    if identifier in ("accuracy", "acc"):
        return identifier, _accuracy_for(loss, output_units)
    names = {"accuracy": None, "acc": None, **ALL_METRICS}
    hint = "or pass a function (y_true, y_pred) -> per-sample values"
    return identifier, lookup("metric", identifier, names, hint)


def _accuracy_for(loss: losses.Loss, output_units: int) -> Metric:
    if isinstance(loss, losses.BinaryCrossentropy) or output_units == 1:
        return binary_accuracy
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return sparse_categorical_accuracy
    return categorical_accuracy
