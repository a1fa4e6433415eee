"""Metrics: per-sample scores computed in numpy from the predictions (no graph, no gradient).

`metrics=["accuracy"]` picks the accuracy that fits the loss, as Keras does: binary for
BinaryCrossentropy (threshold 0.5, also per unit for multi-label), sparse categorical for
SparseCategoricalCrossentropy, categorical for CategoricalCrossentropy; for other losses,
binary when the output has one unit, else categorical. As in Keras, binary accuracy
thresholds the output at 0.5 even when it is a logit (`from_logits=True`), which counts a
logit z as positive only from z > 0.5, sigmoid(z) > 0.62: `get` warns then, and
`binary_accuracy_from_logits` (threshold 0, the same as probability 0.5) is the fix.

    >>> import numpy as np
    >>> sparse_categorical_accuracy(np.array([2, 0]), np.array([[0.1, 0.2, 0.7], [0.1, 0.8, 0.1]]))
    array([1., 0.])
"""

from __future__ import annotations

import warnings
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


def binary_accuracy_from_logits(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Binary accuracy of logits: a logit z > 0 is a probability sigmoid(z) > 0.5.

    >>> binary_accuracy_from_logits(np.array([[1.0, 0.0]]), np.array([[0.2, 0.3]]))
    array([0.5])
    """
    return binary_accuracy(y_true, y_pred, threshold=0.0)


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
    "binary_accuracy_from_logits": binary_accuracy_from_logits,
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
        metric = _accuracy_for(loss, output_units)
    else:
        names = {"accuracy": None, "acc": None, **ALL_METRICS}
        hint = "or pass a function (y_true, y_pred) -> per-sample values"
        metric = lookup("metric", identifier, names, hint)
    if metric is binary_accuracy and getattr(loss, "from_logits", False):
        warnings.warn(
            f"metrics=[{identifier!r}] with {loss!r} thresholds the model's outputs, which are "
            "logits, at 0.5: a logit counts as class 1 only above 0.5 (probability 0.62), not "
            "above 0 (probability 0.5). Fix: metrics=[nn.metrics.binary_accuracy_from_logits]",
            UserWarning,
            stacklevel=3,
        )
    return identifier, metric


def _accuracy_for(loss: losses.Loss, output_units: int) -> Metric:
    if isinstance(loss, losses.BinaryCrossentropy) or output_units == 1:
        return binary_accuracy
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return sparse_categorical_accuracy
    return categorical_accuracy
