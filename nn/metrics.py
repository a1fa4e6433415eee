"""Metrics: Keras 3's stateful metrics, computed in numpy (no graph, no gradient).

A metric accumulates over batches, as `fit` and `evaluate` use it:

    metric.reset_state()                                   # at the start of every epoch
    metric.update_state(y_true, y_pred, sample_weight)     # after every batch
    metric.result()                                        # the value over the batches so far

Its state (a total and a count, or confusion-matrix counts per threshold) is kept in the
metric's dtype, float32 unless told otherwise, as Keras's metric variables are, so results
equal Keras's to float32 rounding.

- Means of per-sample values, sum(w v) / sum(w) over every sample seen (w = 1 without sample
  weights): `Mean`, `MeanMetricWrapper(fn)`, the accuracies, `MeanSquaredError`,
  `MeanAbsoluteError`. The per-sample functions (`binary_accuracy`, ...) are here too.
- Confusion-matrix metrics, counting y_pred > threshold as a positive prediction and
  y_true != 0 as a positive label: `Precision` = TP / (TP + FP), `Recall` = TP / (TP + FN),
  and `AUC`, the area under the ROC or precision-recall curve through `num_thresholds`
  thresholds.

`metrics=["accuracy"]` picks the accuracy that fits the output, as Keras 3 does (`get`):
binary accuracy for one output unit, sparse categorical for integer labels
(SparseCategoricalCrossentropy), categorical otherwise, also for several sigmoid units with
BinaryCrossentropy, where `get` warns and names `"binary_accuracy"` as the accuracy per
label. Binary accuracy thresholds the output at 0.5 even when it is a logit
(`from_logits=True`), which counts a logit z as positive only from z > 0.5, sigmoid(z) >
0.62: `get` warns then, and `binary_accuracy_from_logits` (threshold 0, the same as
probability 0.5) is the fix.

    >>> import numpy as np
    >>> m = BinaryAccuracy()
    >>> m.update_state(np.array([[1], [0]]), np.array([[0.9], [0.7]]))
    >>> m.update_state(np.array([[1], [1]]), np.array([[0.8], [0.6]]))
    >>> m.result()
    0.75
    >>> sparse_categorical_accuracy(np.array([2, 0]), np.array([[0.1, 0.2, 0.7], [0.1, 0.8, 0.1]]))
    array([1., 0.], dtype=float32)
"""

from __future__ import annotations

import numbers
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from . import losses, serialization
from .layers.base import float_dtype, unique_name
from .losses import _check_label_range, _same_rank
from .training import is_count
from .utils import check_flag, check_name, check_number, lookup, snake_case

MetricFunction = Callable[..., Any]
"""`fn(y_true, y_pred, **kwargs)` -> one value per sample (numpy array or Tensor)."""

NEG_INF = -1e10
"""Keras's stand-in for minus infinity: Precision's and Recall's threshold with `top_k`, and
the score given to predictions outside the top k."""


# --- per-sample functions ----------------------------------------------------------------


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Per sample: mean over the last axis of [y_true == (y_pred > threshold)] (one value per
    sample already when y_pred is 1-D).

    >>> binary_accuracy(np.array([[1.0, 0.0]]), np.array([[0.9, 0.6]]))
    array([0.5], dtype=float32)
    """
    return _per_sample(_binary_matches(y_true, y_pred, threshold))


def _binary_matches(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """y_true == (y_pred > threshold) per value (Keras 3's `binary_accuracy`), which
    BinaryAccuracy averages: weights may then be given per value."""
    y_true, y_pred = _pair(y_true, y_pred, "binary_accuracy")
    return (y_true == (y_pred > threshold)).astype(np.float32)


def binary_accuracy_from_logits(y_true: Any, y_pred: Any) -> np.ndarray:
    """Binary accuracy of logits: a logit z > 0 is a probability sigmoid(z) > 0.5.

    >>> binary_accuracy_from_logits(np.array([[1.0, 0.0]]), np.array([[0.2, 0.3]]))
    array([0.5], dtype=float32)
    """
    return binary_accuracy(y_true, y_pred, threshold=0.0)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample: 1.0 where argmax(y_pred) equals argmax(y_true) (one-hot targets), else 0.0.
    Ties go to the first index.

    >>> categorical_accuracy(np.array([[0, 1], [1, 0]]), np.array([[0.2, 0.8], [0.3, 0.7]]))
    array([1., 0.], dtype=float32)
    """
    y_true = _array(y_true, "y_true", "categorical_accuracy")
    y_pred = _array(y_pred, "y_pred", "categorical_accuracy")
    return (y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample: 1.0 where argmax(y_pred) equals the integer label, else 0.0; labels of
    shape (m,) or (m, 1).

    >>> sparse_categorical_accuracy(np.array([[1], [0]]), np.array([[0.2, 0.8], [0.3, 0.7]]))
    array([1., 0.], dtype=float32)
    """
    labels = _labels(y_true, y_pred, "sparse_categorical_accuracy")
    y_pred = _array(y_pred, "y_pred", "sparse_categorical_accuracy")
    return (y_pred.argmax(axis=-1) == labels).astype(np.float32)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """Per sample: 1.0 where the class of the one-hot y_true is among the k highest scores
    (a tie with the k-th score counts as in), else 0.0.

    >>> top_k_categorical_accuracy(np.array([[0, 0, 1]]), np.array([[0.5, 0.2, 0.3]]), k=2)
    array([1.], dtype=float32)
    """
    y_true = _array(y_true, "y_true", "top_k_categorical_accuracy")
    return sparse_top_k_categorical_accuracy(y_true.argmax(axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> np.ndarray:
    """Per sample: 1.0 where the integer label is among the k highest scores (a tie with the
    k-th score counts as in), else 0.0. With `from_sorted_ids=True`, y_pred holds class ids,
    best first, and the label must be among the first k.

    >>> sparse_top_k_categorical_accuracy(np.array([2, 1]), np.array([[0.5, 0.2, 0.3]] * 2), k=2)
    array([1., 0.], dtype=float32)
    """
    caller = "sparse_top_k_categorical_accuracy"
    y_pred = _array(y_pred, "y_pred", caller)
    labels = _labels(y_true, y_pred, caller)
    scores = y_pred.reshape(-1, y_pred.shape[-1])
    flat = labels.reshape(-1)
    if from_sorted_ids:
        matches = (scores[:, :k] == flat[:, None]).any(axis=-1)
    else:
        flat = flat.astype(np.int64)
        _check_label_range(flat, scores.shape[-1], caller)
        target = np.take_along_axis(scores, flat[:, None], axis=-1)
        # rank 1 + (how many score higher) <= k; a NaN score is never in the top k
        matches = ((scores > target).sum(axis=-1) < k) & ~np.isnan(target[:, 0])
    return matches.reshape(labels.shape).astype(np.float32)


# --- metrics -------------------------------------------------------------------------------


class Metric:
    """Base class: state accumulated by `update_state`, read by `result`, zeroed by
    `reset_state`. A subclass creates its state in `__init__` with `add_variable(shape)`
    (zeros of the metric's dtype, updated in place) and writes `update_state` and `result`.

    `name` is the log key (`fit` logs `result()` under it); without one it is the class name
    in snake case, made unique (`precision`, `precision_1`, ...), as Keras names metrics.
    The class attribute `_direction` ("up" or "down", Keras's name) tells callbacks with
    mode="auto" whether larger values are better.

    >>> class Count(Metric):
    ...     def __init__(self, name="count", dtype=None):
    ...         super().__init__(name, dtype)
    ...         self.count = self.add_variable(())
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         self.count += len(y_true)
    ...     def result(self):
    ...         return float(self.count)
    >>> m = Count()
    >>> m(np.zeros(3), np.zeros(3)), m(np.zeros(2), np.zeros(2))
    (3.0, 5.0)
    """

    _direction: str | None = None

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        kind = type(self).__name__
        check_name(kind, name)
        self.name = name if name is not None else unique_name(snake_case(kind))
        self.dtype = float_dtype(dtype, kind).name  # a string, as Keras's `metric.dtype`
        self._variables: list[np.ndarray] = []

    def add_variable(self, shape: int | tuple[int, ...]) -> np.ndarray:
        """A state array of zeros in the metric's dtype, zeroed again by `reset_state`."""
        variable = np.zeros(shape, self.dtype)
        self._variables.append(variable)
        return variable

    @property
    def variables(self) -> list[np.ndarray]:
        """The state arrays."""
        return list(self._variables)

    def reset_state(self) -> None:
        """Forget every batch seen: all state back to zeros."""
        for variable in self._variables:
            variable[...] = 0

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Fold a batch into the state."""
        raise NotImplementedError

    def result(self) -> float | np.ndarray:
        """The metric over every batch since the last reset."""
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> float | np.ndarray:
        """`update_state(...)`, then `result()`."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, as Keras 3's `get_config` gives them."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The weighted mean of all values seen: sum(w v) / sum(w), 0 before any.

    Values of shape (m, ...) are first averaged per sample; one sample weight per sample
    weighs that sample's mean, one weight per value weighs each value, and a single number
    weighs the batch's mean as one sample (how Keras's loss tracker counts a batch of m as
    `update_state(loss, sample_weight=m)`).

    >>> m = Mean()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> m.result()
    2.0
    """

    def __init__(self, name: str | None = "mean", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.total = self.add_variable(())
        self.count = self.add_variable(())

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = _array(values, "values", self.name).astype(self.dtype, copy=False)
        if sample_weight is None:
            self.total += _sum_of_sample_means(values)
            self.count += values.shape[0] if values.ndim else 1
            return
        if isinstance(sample_weight, numbers.Real):
            # the general case below, made short for fit's loss (a scalar weighed by the batch
            # size) on every step: numpy's calls on scalars cost microseconds each
            weight = np.asarray(sample_weight, self.dtype)
            self.total += (values if values.ndim == 0 else values.mean()) * weight
            self.count += weight
            return
        rank = np.ndim(sample_weight)
        if values.ndim > rank:  # Keras first averages the values down to the weights' rank
            values = values.mean(axis=tuple(range(rank, values.ndim)))
        weights = losses.apply_sample_weight(np.ones_like(values), sample_weight, self.name)
        values = losses.apply_sample_weight(values, sample_weight, self.name)
        self.total += _sum_of_sample_means(values)
        self.count += _sum_of_sample_means(weights)

    def result(self) -> float:
        return float(self.total / self.count) if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The weighted mean of the per-sample values of `fn(y_true, y_pred, **kwargs)` (numpy
    arrays, or Tensors made of engine ops).

    >>> m = MeanMetricWrapper(binary_accuracy, threshold=0.7)
    >>> m(np.array([[1], [1]]), np.array([[0.8], [0.6]]))
    0.5
    """

    def __init__(
        self, fn: MetricFunction, name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        if not callable(fn):
            raise TypeError(
                f"{type(self).__name__}: fn must be a function (y_true, y_pred) -> per-sample "
                f"values, got {fn!r}"
            )
        super().__init__(name, dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if fn in losses.LOSS_FUNCTIONS:  # a loss: smaller is better, as Keras marks it
            self._direction = "down"

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fn": serialize(self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        config = dict(config)
        if isinstance(config.get("fn"), Mapping):
            config["fn"] = _function_from_record(config["fn"])
        return cls(**config)


class _FunctionMetric(MeanMetricWrapper):
    """A MeanMetricWrapper of a fixed function: its config is the function's arguments."""

    def get_config(self) -> dict[str, Any]:
        return {**Metric.get_config(self), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)


class BinaryAccuracy(_FunctionMetric):
    """How often y_pred > threshold matches the 0/1 label (`binary_accuracy`), per label for
    several outputs.

    >>> BinaryAccuracy()(np.array([[1], [1], [0], [0]]), np.array([[0.98], [1], [0], [0.6]]))
    0.75
    """

    _direction = "up"

    def __init__(
        self, name: str | None = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        threshold = check_number("BinaryAccuracy", "threshold", threshold)
        super().__init__(_binary_matches, name, dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(_FunctionMetric):
    """How often argmax(y_pred) is the class of the one-hot y_true (`categorical_accuracy`).

    >>> CategoricalAccuracy()(np.array([[0, 0, 1], [0, 1, 0]]), np.array([[0.1, 0.9, 0.8],
    ...                                                                   [0.05, 0.95, 0]]))
    0.5
    """

    _direction = "up"

    def __init__(self, name: str | None = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(_FunctionMetric):
    """How often argmax(y_pred) is the integer label (`sparse_categorical_accuracy`).

    >>> SparseCategoricalAccuracy()(np.array([2, 1]), np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    0.5
    """

    _direction = "up"

    def __init__(self, name: str | None = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name, dtype)


class TopKCategoricalAccuracy(_FunctionMetric):
    """How often the class of the one-hot y_true is among the k highest scores.

    >>> TopKCategoricalAccuracy(k=1)(np.array([[0, 0, 1], [0, 1, 0]]),
    ...                              np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    0.5
    """

    _direction = "up"

    def __init__(
        self, k: int = 5, name: str | None = "top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(top_k_categorical_accuracy, name, dtype, k=_positive(k, "k", self))
        self.k = k


class SparseTopKCategoricalAccuracy(_FunctionMetric):
    """How often the integer label is among the k highest scores (or, with
    `from_sorted_ids=True`, among the first k of y_pred's class ids, best first).

    >>> SparseTopKCategoricalAccuracy(k=1)(np.array([2, 1]),
    ...                                    np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    0.5
    """

    _direction = "up"

    def __init__(
        self,
        k: int = 5,
        name: str | None = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        check_flag("SparseTopKCategoricalAccuracy", "from_sorted_ids", from_sorted_ids)
        sorted_ids = {"from_sorted_ids": True} if from_sorted_ids else {}  # Keras's config
        super().__init__(
            sparse_top_k_categorical_accuracy,
            name,
            dtype,
            k=_positive(k, "k", self),
            **sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = bool(from_sorted_ids)


class MeanSquaredError(_FunctionMetric):
    """The mean over samples of mean_k (y_true - y_pred)^2 (`losses.mean_squared_error`).

    >>> MeanSquaredError()(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [0.0, 0.0]]))
    0.25
    """

    _direction = "down"

    def __init__(self, name: str | None = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_squared_error, name, dtype)


class MeanAbsoluteError(_FunctionMetric):
    """The mean over samples of mean_k |y_true - y_pred| (`losses.mean_absolute_error`).

    >>> MeanAbsoluteError()(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [0.0, 0.0]]))
    0.25
    """

    _direction = "down"

    def __init__(self, name: str | None = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_error, name, dtype)


class _ConfusionRatio(Metric):
    """Precision and Recall: true positives, false positives and false negatives per
    threshold, counted by `confusion_counts`."""

    _direction = "up"

    def __init__(
        self,
        thresholds: float | Sequence[float] | None = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name, dtype)
        kind = type(self).__name__
        self.init_thresholds = thresholds
        self.top_k = None if top_k is None else _positive(top_k, "top_k", self)
        if class_id is not None and not is_count(class_id):
            raise ValueError(
                f"{kind}: class_id must be a class index (0, 1, ...), got {class_id!r}"
            )
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = _thresholds(default if thresholds is None else thresholds, kind)
        if thresholds is not None and any(not 0 <= t <= 1 for t in self.thresholds):
            raise ValueError(f"{kind}: thresholds must lie in [0, 1], got {thresholds!r}")
        count = len(self.thresholds)
        self.true_positives = self.add_variable(count)
        self.false_positives = self.add_variable(count)
        self.false_negatives = self.add_variable(count)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        tp, fp, _, fn = confusion_counts(
            y_true,
            y_pred,
            sample_weight,
            self.thresholds,
            self.dtype,
            self.name,
            top_k=self.top_k,
            class_id=self.class_id,
        )
        self.true_positives += tp
        self.false_positives += fp
        self.false_negatives += fn

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_ConfusionRatio):
    """TP / (TP + FP): of the predictions y_pred > threshold (0.5), the fraction whose label
    is positive; 0 while there are none. One value per threshold when several are given.

    With `top_k`, only each sample's k highest predictions may count as positive (and the
    threshold is -1e10 unless given); with `class_id`, only that column counts.

    >>> Precision()(np.array([0, 1, 1, 1]), np.array([1, 0, 1, 1]))
    0.6666666865348816
    """

    def result(self) -> float | np.ndarray:
        return _one_or_all(
            divide_no_nan(self.true_positives, self.true_positives + self.false_positives)
        )


class Recall(_ConfusionRatio):
    """TP / (TP + FN): of the positive labels, the fraction predicted with y_pred >
    threshold (0.5); 0 while there are none. `thresholds`, `top_k`, `class_id` as Precision.

    >>> Recall()(np.array([0, 1, 1, 1]), np.array([1, 0, 1, 1]))
    0.6666666865348816
    """

    def result(self) -> float | np.ndarray:
        return _one_or_all(
            divide_no_nan(self.true_positives, self.true_positives + self.false_negatives)
        )


CURVES = ("ROC", "PR", "PRGAIN")
SUMMATION_METHODS = ("interpolation", "minoring", "majoring")


class AUC(Metric):
    """The area under the ROC curve (true positive rate against false positive rate) or the
    precision-recall curve, a Riemann sum over `num_thresholds` thresholds.

    The thresholds are 0 - 1e-7, i / (num_thresholds - 1) for i = 1 .. num_thresholds - 2,
    and 1 + 1e-7 (or the given `thresholds` between those two ends). For evenly spaced
    thresholds a prediction p (clipped to [0, 1]) falls in bucket ceil(p (n - 1)) - 1, as
    Keras counts it. Between two thresholds the curve's height is the mean of its two ends
    ("interpolation"), the smaller ("minoring") or the larger ("majoring"); the PR curve
    with "interpolation" uses Davis & Goadrich's interpolation of precision. With
    `multi_label=True` each label gets its curve, and the result is their mean (weighted by
    `label_weights`); otherwise all labels are pooled (each weighted by `label_weights`).
    `from_logits=True` applies a sigmoid to y_pred first.

    >>> AUC(num_thresholds=3)(np.array([0, 0, 1, 1]), np.array([0.0, 0.5, 0.3, 0.9]))
    0.75
    """

    _direction = "up"

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Sequence[float] | None = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Sequence[float] | None = None,
        from_logits: bool = False,
    ) -> None:
        super().__init__(name, dtype)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_thresholds(thresholds, "AUC"))
            self.num_thresholds = len(inner) + 2
            self._evenly = _evenly_spaced([0.0, *inner, 1.0])
        else:
            if not is_count(num_thresholds) or num_thresholds <= 1:
                raise ValueError(
                    f"AUC: num_thresholds must be an integer > 1, got {num_thresholds!r}"
                )
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        # ends below 0 and above 1, so that predictions of exactly 0 and 1 are counted
        self._thresholds = np.array([0.0 - losses.EPSILON, *inner, 1.0 + losses.EPSILON])
        self.curve = _choice(curve, CURVES, "curve")
        self.summation_method = _choice(summation_method, SUMMATION_METHODS, "summation_method")
        self.multi_label = check_flag("AUC", "multi_label", multi_label)
        self.from_logits = check_flag("AUC", "from_logits", from_logits)
        if num_labels is not None and not self.multi_label:
            raise ValueError("AUC: num_labels is needed only when multi_label=True")
        self.num_labels = None if num_labels is None else _positive(num_labels, "num_labels", self)
        self.label_weights = None
        if label_weights is not None:
            self.label_weights = np.asarray(_thresholds(label_weights, "AUC"), self.dtype)
        self._built = False
        if not self.multi_label or num_labels is not None:
            self._build(num_labels)

    @property
    def thresholds(self) -> list[float]:
        """Every threshold, the two ends included."""
        return self._thresholds.tolist()

    def _build(self, num_labels: int | None) -> None:
        shape = (self.num_thresholds,) if num_labels is None else (self.num_thresholds, num_labels)
        self.true_positives = self.add_variable(shape)
        self.false_positives = self.add_variable(shape)
        self.true_negatives = self.add_variable(shape)
        self.false_negatives = self.add_variable(shape)
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = _array(y_pred, "y_pred", self.name)
        if self.multi_label and y_pred.ndim != 2:
            raise ValueError(
                f"{self.name}: with multi_label=True y_pred must have shape (samples, labels), "
                f"got {y_pred.shape}"
            )
        if not self._built:
            self._build(y_pred.shape[1])
        if self.from_logits:
            y_pred = ag.sigmoid(y_pred.astype(self.dtype))
        counts = confusion_counts(
            y_true,
            y_pred,
            sample_weight,
            self._thresholds,
            self.dtype,
            self.name,
            evenly=self._evenly,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )
        for variable, count in zip(self._variables, counts, strict=True):
            variable += count

    def result(self) -> float:
        tp, fp, tn, fn = (
            self.true_positives,
            self.false_positives,
            self.true_negatives,
            self.false_negatives,
        )
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._average(self._interpolated_pr_areas())
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:
            x, y = self._gains()
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average(((x[:-1] - x[1:]) * heights).sum(axis=0))

    def _interpolated_pr_areas(self) -> np.ndarray:
        """Davis & Goadrich (2006): between two thresholds precision moves along TP as a
        linear function of P = TP + FP, which integrates in closed form with a log."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1).astype(self.dtype)
        areas = divide_no_nan(
            slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)
        )
        return areas.sum(axis=0)

    def _gains(self) -> tuple[np.ndarray, np.ndarray]:
        """Recall gain and precision gain (Flach & Kull, 2015), scaled by P / N; a threshold
        without true positives gets recall gain 0 and precision gain 1, and negative recall
        gains become 0 (Keras's choices, which overestimate a classifier worse than chance)."""
        tp, fp, tn, fn = (
            self.true_positives,
            self.false_positives,
            self.true_negatives,
            self.false_negatives,
        )
        scale = divide_no_nan(tp + fn, tn + fp)
        recall_gain = 1 - scale * divide_no_nan(fn, tp)
        precision_gain = 1 - scale * divide_no_nan(fp, tp)
        recall_gain = np.maximum(np.where(tp == 0, 0, recall_gain), 0).astype(self.dtype)
        precision_gain = np.where(tp == 0, 1, precision_gain).astype(self.dtype)
        return recall_gain, precision_gain

    def _average(self, areas: np.ndarray) -> float:
        """One label's area, or the mean of the labels' (weighted by `label_weights`)."""
        if not self.multi_label:
            return float(areas)
        if self.label_weights is None:
            return float(areas.mean())
        return float(divide_no_nan((areas * self.label_weights).sum(), self.label_weights.sum()))

    def get_config(self) -> dict[str, Any]:
        weights = self.label_weights
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if weights is None else weights.tolist(),
            "from_logits": self.from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


def confusion_counts(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    thresholds: Sequence[float],
    dtype: str,
    caller: str,
    *,
    evenly: bool = False,
    top_k: int | None = None,
    class_id: int | None = None,
    multi_label: bool = False,
    label_weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(TP, FP, TN, FN), weighted counts per threshold: a prediction is positive when
    y_pred > threshold, a label when y_true != 0. Shape (thresholds,), or (thresholds,
    labels) with `multi_label` (labels are the last axis of a 2-D y_pred); otherwise every
    value of y_pred counts alone.

    Sample weights (one per sample, or per value) and `label_weights` (one per label)
    multiply each value's count. `top_k` keeps only each sample's k highest predictions
    (ties to the first), the others scored -1e10; `class_id` keeps one column. With
    `evenly` spaced thresholds the predictions are counted in buckets, as Keras does.

    >>> counts = confusion_counts([1, 0, 1], [0.8, 0.6, 0.3], None, [0.5], "float32", "f")
    >>> [count.tolist() for count in counts]  # TP, FP, TN, FN
    [[1.0], [1.0], [0.0], [1.0]]
    """
    y_true = _array(y_true, "y_true", caller).astype(dtype, copy=False)
    y_pred = _array(y_pred, "y_pred", caller).astype(dtype, copy=False)
    y_pred, y_true = _same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{caller}: y_true of shape {y_true.shape} does not match y_pred of shape "
            f"{y_pred.shape}"
        )
    weights = np.ones(y_pred.shape, dtype)
    if sample_weight is not None:
        w = np.asarray(sample_weight)
        if 0 < w.ndim < y_pred.ndim:  # one weight per sample, for all its values
            w = w.reshape(w.shape + (1,) * (y_pred.ndim - w.ndim))
        weights = losses.apply_sample_weight(weights, w, caller).reshape(y_pred.shape)
    if top_k is not None:
        y_pred = _keep_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim < 2 or class_id >= y_pred.shape[-1]:
            raise ValueError(
                f"{caller}: class_id={class_id} needs y_pred of shape (samples, classes) with "
                f"more than {class_id} classes, got shape {y_pred.shape}"
            )
        y_true, y_pred, weights = (a[..., class_id, None] for a in (y_true, y_pred, weights))
    if label_weights is not None:
        weights = weights * label_weights
    positive = y_true != 0
    if not multi_label:  # every value is one prediction
        positive, y_pred, weights = (a.reshape(-1, 1) for a in (positive, y_pred, weights))
    true_weight = np.where(positive, weights, 0).astype(dtype)
    false_weight = np.where(positive, 0, weights).astype(dtype)
    if evenly:
        tp, fp = _bucket_counts(y_pred, true_weight, false_weight, thresholds, dtype)
    else:
        above = y_pred[None] > np.asarray(thresholds, dtype).reshape(-1, 1, 1)
        tp = np.where(above, true_weight, 0).sum(axis=1, dtype=dtype)
        fp = np.where(above, false_weight, 0).sum(axis=1, dtype=dtype)
    fn = true_weight.sum(axis=0, dtype=dtype) - tp
    tn = false_weight.sum(axis=0, dtype=dtype) - fp
    counts = (tp, fp, tn, fn)
    return counts if multi_label else tuple(c.reshape(-1) for c in counts)


def _bucket_counts(
    y_pred: np.ndarray,
    true_weight: np.ndarray,
    false_weight: np.ndarray,
    thresholds: Sequence[float],
    dtype: str,
) -> tuple[np.ndarray, np.ndarray]:
    """TP and FP for evenly spaced thresholds t_i = i / (n - 1): p > t_i for every i below
    its bucket ceil(p (n - 1)) - 1, so the counts are the reversed cumulative sums of the
    weights per bucket (a bucket of -1, p = 0, counts for no threshold unless the first
    threshold is below 0)."""
    n = len(thresholds)
    buckets = np.ceil(np.clip(y_pred, 0, 1) * np.asarray(n - 1, dtype)) - 1
    if thresholds[0] < 0:
        buckets = np.maximum(buckets, 0)
    buckets = buckets.astype(np.int64)
    valid = buckets >= 0
    columns = np.broadcast_to(np.arange(y_pred.shape[1]), y_pred.shape)[valid]
    counts = []
    for weight in (true_weight, false_weight):
        per_bucket = np.zeros((n, y_pred.shape[1]), dtype)
        np.add.at(per_bucket, (buckets[valid], columns), weight[valid])
        counts.append(np.cumsum(per_bucket[::-1], axis=0, dtype=dtype)[::-1])
    return counts[0], counts[1]


def _keep_top_k(y_pred: np.ndarray, k: int) -> np.ndarray:
    """y_pred with all but each row's k highest values (ties: the first) set to -1e10."""
    top = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(y_pred.shape, bool)
    np.put_along_axis(keep, top, True, axis=-1)
    return np.where(keep, y_pred, np.asarray(NEG_INF, y_pred.dtype))


# --- getting metrics from names --------------------------------------------------------


METRIC_CLASSES: dict[str, type[Metric]] = {
    cls.__name__: cls
    for cls in (
        Mean,
        MeanMetricWrapper,
        BinaryAccuracy,
        CategoricalAccuracy,
        SparseCategoricalAccuracy,
        TopKCategoricalAccuracy,
        SparseTopKCategoricalAccuracy,
        MeanSquaredError,
        MeanAbsoluteError,
        Precision,
        Recall,
        AUC,
    )
}
"""The metric classes, by name: what config records and `get` may name."""

ALL_METRICS: dict[str, type[Metric] | MetricFunction] = {
    **{
        snake_case(name): cls
        for name, cls in METRIC_CLASSES.items()
        if cls is not MeanMetricWrapper
    },
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "binary_accuracy_from_logits": binary_accuracy_from_logits,
}
"""The names `get` lists: Keras's snake-case class names (`"precision"`), the aliases
`"mse"` and `"mae"`, and `"binary_accuracy_from_logits"` (a function, wrapped in a
MeanMetricWrapper). `get` also takes the class names (`"Precision"`) and `"MSE"`, `"MAE"`,
as Keras does."""

_OTHER_SPELLINGS = {**METRIC_CLASSES, "MSE": MeanSquaredError, "MAE": MeanAbsoluteError}

METRIC_FUNCTIONS: dict[str, MetricFunction] = {
    fn.__name__: fn
    for fn in (
        binary_accuracy,
        binary_accuracy_from_logits,
        categorical_accuracy,
        sparse_categorical_accuracy,
        top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy,
        losses.mean_squared_error,
        losses.mean_absolute_error,
    )
}
"""The functions a MeanMetricWrapper config may name (`{"class_name": "function", "config":
"binary_accuracy", ...}`, as Keras writes a function)."""


def get(
    identifier: Any,
    loss: losses.Loss | None = None,
    output_shape: tuple[int | None, ...] | None = None,
) -> Metric:
    """The Metric compile makes of `identifier`, named by its log key, as Keras 3's
    `compile_utils.get_metric`: a name (the log key is the name as given, e.g. "mse"), a
    Metric instance (used as it is), a Metric class (instantiated), a config record (as
    `serialize` writes), or a function `(y_true, y_pred) -> per-sample values` (wrapped in a
    MeanMetricWrapper named after it).

    "accuracy" or "acc" (any case) become binary accuracy for an output of one unit, sparse
    categorical accuracy for SparseCategoricalCrossentropy's integer labels, and categorical
    accuracy otherwise (Keras 3 decides by the shapes of y_true and y_pred; before the
    model is built, `output_shape` is None and the loss decides).

    >>> get("mse").name, get("acc", losses.SparseCategoricalCrossentropy(), (None, 10))
    ('mse', <SparseCategoricalAccuracy name=acc>)
    """
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        metric = _accuracy_for(identifier, loss, output_shape)
    elif isinstance(identifier, str):
        hint = "or pass a Metric, or a function (y_true, y_pred) -> per-sample values"
        found = _OTHER_SPELLINGS.get(identifier) or lookup(
            "metric", identifier, {"accuracy": None, "acc": None, **ALL_METRICS}, hint
        )
        metric = (
            found(name=identifier)
            if isinstance(found, type)
            else MeanMetricWrapper(found, identifier)
        )
    elif isinstance(identifier, Metric):
        metric = identifier
    elif isinstance(identifier, type) and issubclass(identifier, Metric):
        metric = identifier()
    elif isinstance(identifier, Mapping):
        metric = deserialize(identifier)
    elif callable(identifier):
        metric = MeanMetricWrapper(
            identifier, snake_case(getattr(identifier, "__name__", "metric"))
        )
    else:
        raise TypeError(
            f"Could not interpret metric identifier {identifier!r}: give a name such as "
            "'accuracy', a Metric such as Precision(), or a function (y_true, y_pred) -> "
            "per-sample values"
        )
    if isinstance(identifier, str) and isinstance(metric, BinaryAccuracy):
        _warn_if_logits(identifier, loss)
    return metric


def _accuracy_for(
    name: str, loss: losses.Loss | None, output_shape: tuple[int | None, ...] | None
) -> Metric:
    units = None if output_shape is None else output_shape[-1]
    if units == 1 or (units is None and isinstance(loss, losses.BinaryCrossentropy)):
        return BinaryAccuracy(name=name)
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return SparseCategoricalAccuracy(name=name)
    if isinstance(loss, losses.BinaryCrossentropy):
        warnings.warn(
            f"metrics=[{name!r}] with {loss!r} and {units} outputs is categorical accuracy, as "
            "Keras 3 decides by the shapes: it checks only that the largest output is one of "
            "the positive labels. For the fraction of labels right (binary accuracy per "
            "label, tf.keras 2's choice) use metrics=['binary_accuracy']",
            UserWarning,
            stacklevel=_caller_outside_nn(),
        )
    return CategoricalAccuracy(name=name)


def _warn_if_logits(name: str, loss: losses.Loss | None) -> None:
    if getattr(loss, "from_logits", False):
        warnings.warn(
            f"metrics=[{name!r}] with {loss!r} thresholds the model's outputs, which are "
            "logits, at 0.5: a logit counts as class 1 only above 0.5 (probability 0.62), not "
            "above 0 (probability 0.5). Fix: metrics=[nn.metrics.binary_accuracy_from_logits] "
            "(or BinaryAccuracy(threshold=0.0))",
            UserWarning,
            stacklevel=_caller_outside_nn(),
        )


def serialize(metric: Metric | MetricFunction) -> dict[str, Any]:
    """Keras 3's record of a metric (`{"module": "keras.metrics", "class_name", "config",
    "registered_name"}`) or of a metric function (`{"module": "builtins", "class_name":
    "function", "config": its name, "registered_name": "function"}`).

    >>> serialize(binary_accuracy)["config"], serialize(Recall(name="r"))["config"]["name"]
    ('binary_accuracy', 'r')
    """
    if isinstance(metric, Metric):
        return serialization.serialize(metric, "keras.metrics")
    return {
        "module": "builtins",
        "class_name": "function",
        "config": metric.__name__,
        "registered_name": "function",
    }


def deserialize(record: Any) -> Metric:
    """The Metric a `serialize` record (ours or Keras 3's) describes; a function's record
    becomes a MeanMetricWrapper of that function."""
    if isinstance(record, Mapping) and record.get("class_name") == "function":
        fn = _function_from_record(record)
        return MeanMetricWrapper(fn, fn.__name__)
    return serialization.deserialize(record, METRIC_CLASSES, "metric")


def _function_from_record(record: Mapping[str, Any]) -> MetricFunction:
    name = record.get("config")
    if name not in METRIC_FUNCTIONS:
        raise ValueError(
            f"Unknown metric function {name!r} in a config; nn has "
            f"{', '.join(sorted(METRIC_FUNCTIONS))} (for your own function, pass it itself: "
            "MeanMetricWrapper(fn=...))"
        )
    return METRIC_FUNCTIONS[name]


# --- helpers ---------------------------------------------------------------------------


def _caller_outside_nn() -> int:
    """The `stacklevel` of the first caller outside nn, for a warning that points at the
    user's `compile` or `fit` line however deep inside nn it is raised."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("nn."):
        frame, level = frame.f_back, level + 1
    return level


def divide_no_nan(a: Any, b: Any) -> np.ndarray:
    """a / b, and 0 where b is 0 (Keras's `divide_no_nan`), in the arrays' dtype."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    out = np.zeros(a.shape, np.result_type(a, b))
    return np.divide(a, b, out=out, where=b != 0)


def _array(value: Any, what: str, caller: str) -> np.ndarray:
    array = np.asarray(value.data if isinstance(value, ag.Tensor) else value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{caller}: {what} must be numeric, got dtype {array.dtype}")
    return array


def _pair(y_true: Any, y_pred: Any, caller: str) -> tuple[np.ndarray, np.ndarray]:
    return _same_rank(_array(y_true, "y_true", caller), _array(y_pred, "y_pred", caller))


def _labels(y_true: Any, y_pred: np.ndarray, caller: str) -> np.ndarray:
    """Integer labels, with a trailing axis of 1 dropped when y_true has y_pred's rank."""
    labels = _array(y_true, "y_true", caller)
    if labels.ndim == np.ndim(y_pred) and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    return labels


def _per_sample(values: np.ndarray) -> np.ndarray:
    return values.mean(axis=-1) if values.ndim > 1 else values


def _sum_of_sample_means(values: np.ndarray) -> np.ndarray:
    return values.mean(axis=tuple(range(1, values.ndim))).sum() if values.ndim > 1 else values.sum()


def _one_or_all(values: np.ndarray) -> float | np.ndarray:
    return float(values[0]) if values.shape == (1,) else values


def _thresholds(value: Any, caller: str) -> list[float]:
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    if not items:
        raise ValueError(f"{caller}: thresholds must not be empty")
    return [check_number(caller, "thresholds", t) for t in items]


def _evenly_spaced(thresholds: Sequence[float]) -> bool:
    n = len(thresholds)
    even = np.arange(n, dtype=np.float32) / (n - 1) if n >= 3 else None
    return even is not None and np.allclose(thresholds, even, atol=losses.EPSILON)


def _positive(value: Any, argument: str, owner: Any) -> int:
    if not is_count(value) or value == 0:
        raise ValueError(
            f"{type(owner).__name__}: {argument} must be a positive integer, got {value!r}"
        )
    return int(value)


def _choice(value: Any, choices: tuple[str, ...], argument: str) -> str:
    """One of `choices`, matched without regard to case (Keras takes "roc" and "ROC")."""
    for choice in choices:
        if isinstance(value, str) and value.lower() == choice.lower():
            return choice
    raise ValueError(f"AUC: {argument} must be one of {', '.join(choices)}, got {value!r}")
