"""Losses, as Keras 3 has them: a function per loss giving one value per sample, and a class
that weights those values and reduces them to the loss.

    loss = reduce(sample_weight * per_sample(y_true, y_pred))

The functions are made of engine ops, so their gradients come from the engine. Each class
takes Keras's arguments (`reduction`, `name`, `dtype`, and its function's own, such as
`from_logits`), checks the targets (shape, label range, one-hot vs integer labels) and brings
them into the function's form: `y` of shape (m,) becomes (m, 1) for a one-unit output, and a
trailing axis of 1 is dropped from sparse labels.

Reductions (`reduction=`, parsed in one place, `standardize_reduction`):

    "sum_over_batch_size" (the default), "mean":  sum(weighted values) / number of values
    "mean_with_sample_weight":                   sum(weighted values) / sum(sample weights)
    "sum":                                        sum(weighted values)
    "none" or None:                               the weighted values themselves

so sample weights do not change the default's divisor: weights [1, 0] halve a batch of two
equal values (Keras's rule). A division by 0 gives 0.

Sample weights (applied in one place, `apply_sample_weight`, which the metrics use too):
weights of shape (m,) or (m, 1) weigh samples, weights of the values' shape (per time step,
per pixel) weigh each value, and a number weighs all; when ranks differ by one and the longer
ends in an axis of 1 (Keras's `squeeze_or_expand_to_same_rank`), that axis is dropped or the
shorter gains it. Weights that do not broadcast to the values' shape are an error.

`SparseCategoricalCrossentropy(ignore_class=c)` gives positions labelled c the value 0 and
leaves them out of the divisor: the default reduction divides by the number of other
positions (Keras gives them the weight total / valid, so dividing by the total divides by
the valid ones); "sum" and "mean_with_sample_weight" weigh them 0.

dtype: `dtype=None` computes in the predictions' floating dtype, float32 for a float32 model
(Keras's floatx; float64 predictions stay float64 here, so gradient checks run in float64);
a given dtype casts y_true and y_pred to it first, as Keras does.

With `from_logits=False` probabilities are clipped to [1e-7, 1 - 1e-7] before the log, as
Keras's formulas do. (Keras on TensorFlow quietly reads the logits behind a sigmoid/softmax
output instead; we follow the documented formula, as Keras's numpy and JAX backends do. The
two agree unless a probability falls below 1e-7.) With `from_logits=True` the sigmoid or
softmax is fused into a stable form (softplus, log-sum-exp) that stays finite for +-1e4.

    >>> import numpy as np
    >>> from nn.losses import SparseCategoricalCrossentropy
    >>> loss = SparseCategoricalCrossentropy(from_logits=True)
    >>> round(float(loss(np.array([0, 1]), np.array([[2.0, 0.0], [0.0, 0.0]]))), 4)
    0.41
    >>> round(float(loss(np.array([0, 1]), np.array([[2.0, 0.0], [0.0, 0.0]]), [1, 0])), 4)
    0.0635
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import autograd_lite as ag

from . import serialization
from .layers.base import float_dtype, format_shape, unique_name
from .utils import check_flag, check_in_range, check_name, lookup, snake_case

EPSILON = 1e-7
"""Keras's `backend.epsilon()`: probabilities are clipped to [EPSILON, 1 - EPSILON]."""

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
"""Keras 3's reductions: "sum_over_batch_size" and "mean" divide the sum by the number of
values, "mean_with_sample_weight" by the sum of the sample weights, "sum" does not divide,
and "none" or None keep one value per sample."""


def standardize_reduction(reduction: str | None, caller: str) -> str | None:
    """`reduction` checked against Keras 3's names (the one place reductions are parsed).

    >>> standardize_reduction("sum", "MeanSquaredError")
    'sum'
    """
    if not (reduction is None or isinstance(reduction, str)) or reduction not in REDUCTIONS:
        names = ", ".join(repr(r) for r in REDUCTIONS)
        raise ValueError(f"{caller}: reduction must be one of {names}, got {reduction!r}")
    return reduction


def apply_sample_weight(values: Any, sample_weight: Any, caller: str) -> Any:
    """`values * sample_weight` after Keras's rank matching, for `ag.Tensor` values (engine
    ops, differentiable through the values) and for numpy arrays (numpy in, numpy out).

    This is the one place sample weights are applied (losses, masks and metrics call it).
    As Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the
    longer has a last axis of 1, weights (m, 1) against values (m,) give both the shape
    (m, 1), and otherwise that axis is dropped. The weights must then broadcast to the
    values' shape: per sample (m,) or (m, 1), per element (the values' shape), or one
    number. Anything else is an error naming `caller` and both shapes (Keras would broadcast
    weights (m, k) against values (m,) into (m, k) when k == m, silently wrong). The weights
    take the values' floating dtype; values that are not floating become float32.

    >>> apply_sample_weight(np.array([1.0, 2.0], np.float32), [3, 0.5], "Mean")
    array([3., 1.], dtype=float32)
    >>> apply_sample_weight(np.ones(2), np.ones((2, 1)), "Mean").shape
    (2, 1)
    """
    if sample_weight is None:
        return values
    if values.dtype.kind != "f":
        values = values.astype(np.float32)
    if isinstance(sample_weight, ag.Tensor):
        weights = sample_weight
    else:
        weights = np.asarray(sample_weight)
    if weights.dtype.kind not in "biuf":
        raise TypeError(f"{caller}: sample_weight must be numeric, got dtype {weights.dtype}")
    if weights.dtype != values.dtype:
        weights = weights.astype(values.dtype)
    given = weights.shape
    values, weights = _same_rank(values, weights)
    try:
        fits = np.broadcast_shapes(values.shape, weights.shape) == values.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{caller}: sample_weight of shape {given} does not fit per-sample values of shape "
            f"{values.shape}; give one weight per sample, shape {_per_sample(values.shape)}, or "
            f"one per value, shape {values.shape}"
        )
    return values * weights


def _same_rank(x1: Any, x2: Any) -> tuple[Any, Any]:
    """Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the longer
    ends in an axis of 1, that axis is dropped, or (if the shorter has rank 1) the shorter
    gains one, so (m,) against (m, 1) gives (m, 1) twice."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        return (x1, x2.reshape(x2.shape + (1,))) if x2.ndim == 1 else (_squeeze(x1), x2)
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        return (x1.reshape(x1.shape + (1,)), x2) if x1.ndim == 1 else (x1, _squeeze(x2))
    return x1, x2


def _per_sample(shape: tuple[int, ...]) -> str:
    if len(shape) <= 1:
        return f"{shape[:1]} or {shape[:1] + (1,)}"
    return str(shape[:1] + (1,) * (len(shape) - 1))


def _squeeze(x: Any) -> Any:
    return x.reshape(x.shape[:-1])


def reduce_values(values: Any, reduction: str | None, sample_weight: Any = None) -> Any:
    """Weighted per-sample values reduced as Keras's `reduce_values` does: the sum, divided
    by the number of values ("sum_over_batch_size", "mean") or by the sum of the weights
    ("mean_with_sample_weight" given weights), with 0 for a division by 0; unreduced for
    "none", None, a scalar or an empty vector.

    >>> float(reduce_values(np.array([1.0, 2.0, 6.0]), "sum_over_batch_size"))
    3.0
    """
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = sample_weight.sum().astype(values.dtype)
        zero = divisor == 0
        return ag.where(zero, 0.0, total / ag.where(zero, 1.0, divisor))
    return total / values.size if values.size else total * 0.0


# ---------------------------------------------------------------- the per-sample functions


def _as_tensor(value: Any) -> ag.Tensor:
    return value if isinstance(value, ag.Tensor) else ag.from_numpy(np.asarray(value))


def _floating(y_pred: Any) -> ag.Tensor:
    """Predictions as a floating Tensor: integers are compared in float32, as Keras does."""
    y_pred = _as_tensor(y_pred)
    return y_pred if y_pred.dtype.kind == "f" else y_pred.astype(np.float32)


def _matching(y_true: Any, y_pred: Any, loss: str) -> tuple[ag.Tensor, ag.Tensor]:
    """Both as Tensors of one shape and y_pred's floating dtype. Ranks one apart line up as
    in Keras ((m,) targets for a (m, 1) output gain their axis); any other difference is an
    error, never a silent broadcast."""
    y_pred = _floating(y_pred)
    y_true = _as_tensor(y_true)
    if y_true.dtype != y_pred.dtype:
        y_true = y_true.astype(y_pred.dtype)
    y_true, y_pred = _same_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{loss}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
            "they must match (one target per output)"
        )
    return y_true, y_pred


def _integer(value: Any, argument: str, caller: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{caller}: {argument} must be an integer, got {value!r}")
    return int(value)


ARGUMENT_CHECKS: dict[str, Callable[[Any, str, str], Any]] = {
    "from_logits": lambda value, argument, caller: check_flag(caller, argument, value),
    "label_smoothing": lambda value, argument, caller: check_in_range(
        caller, argument, value, "[0, 1]"
    ),
    "delta": lambda value, argument, caller: check_in_range(caller, argument, value, "(0, inf)"),
    "axis": _integer,
    "ignore_class": lambda value, argument, caller: (
        None if value is None else _integer(value, argument, caller)
    ),
}
"""The one check of each argument the loss functions take: (value, argument, caller) ->
the value, or an error naming the caller, the argument and the value."""


def _checked(argument: str, value: Any, caller: str) -> Any:
    return ARGUMENT_CHECKS[argument](value, argument, caller)


def _checked_axis(axis: Any, ndim: int, caller: str) -> int:
    """`axis` as an int within the rank `ndim` of y_pred."""
    axis = _integer(axis, "axis", caller)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{caller}: axis {axis} is out of range for y_pred of rank {ndim}")
    return axis


def mean_squared_error(y_true: Any, y_pred: Any) -> ag.Tensor:
    """Per sample: mean over the last axis of (y_true - y_pred)^2.

    >>> mean_squared_error(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]])).data
    array([0.5])
    """
    y_true, y_pred = _matching(y_true, y_pred, "mean_squared_error")
    error = y_pred - y_true
    return (error * error).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> ag.Tensor:
    """Per sample: mean over the last axis of |y_true - y_pred|.

    >>> mean_absolute_error(np.array([[1.0, 0.3, 1.0]]), np.array([[1.9, 0.3, 1.8]])).data
    array([0.56666667])
    """
    y_true, y_pred = _matching(y_true, y_pred, "mean_absolute_error")
    return (y_true - y_pred).abs().mean(axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> ag.Tensor:
    """Per sample: mean over the last axis of, for x = y_pred - y_true,

        huber = 0.5 x^2                   if |x| <= delta
                delta |x| - 0.5 delta^2   otherwise

    quadratic near 0 and linear beyond delta, so an outlier pulls with at most delta.

    >>> huber(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]])).data
    array([0.18, 0.13])
    """
    delta = _checked("delta", delta, "huber")
    y_true, y_pred = _matching(y_true, y_pred, "huber")
    error = y_pred - y_true
    size = error.abs()
    quadratic, linear = 0.5 * error * error, delta * size - 0.5 * delta * delta
    return ag.where(size <= delta, quadratic, linear).mean(axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> ag.Tensor:
    """Per sample: mean over the last axis of log(cosh(x)), x = y_pred - y_true, computed
    as x + softplus(-2x) - log(2) (finite for any x): about x^2 / 2 near 0 and |x| - log(2)
    far from it.

    >>> log_cosh([[0.0, 1.0], [0.0, 0.0]], np.array([[1.0, 1.0], [0.0, 0.0]])).data.round(6)
    array([0.21689, 0.     ])
    """
    y_true, y_pred = _matching(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    return (x + ag.softplus(-2.0 * x) - float(np.log(2.0))).mean(axis=-1)


def _hinge_targets(y_true: ag.Tensor) -> ag.Tensor:
    """-1/1 targets: 0/1 ones become 2 y - 1 when every target of the batch is 0 or 1 (as in
    Keras), decided by engine ops so that a recorded step decides again on each batch."""
    binary = ag.logical_or(ag.equal(y_true, 0.0), ag.equal(y_true, 1.0))
    others = ag.logical_not(binary).astype(y_true.dtype).sum()
    return ag.where(others == 0, 2.0 * y_true - 1.0, y_true)


def hinge(y_true: Any, y_pred: Any) -> ag.Tensor:
    """Per sample: mean over the last axis of max(1 - t y_pred, 0), for targets t of -1 or 1
    (0/1 targets are converted to -1/1).

    >>> hinge(np.array([[0.0, 1.0]]), np.array([[-0.5, 0.3]])).data
    array([0.6])
    """
    y_true, y_pred = _matching(y_true, y_pred, "hinge")
    return (1.0 - _hinge_targets(y_true) * y_pred).relu().mean(axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> ag.Tensor:
    """Per sample: mean over the last axis of max(1 - t y_pred, 0)^2, for targets t of -1
    or 1 (0/1 targets are converted to -1/1).

    >>> squared_hinge(np.array([[0.0, 1.0]]), np.array([[-0.5, 0.3]])).data
    array([0.37])
    """
    y_true, y_pred = _matching(y_true, y_pred, "squared_hinge")
    margin = (1.0 - _hinge_targets(y_true) * y_pred).relu()
    return (margin * margin).mean(axis=-1)


def kl_divergence(y_true: Any, y_pred: Any) -> ag.Tensor:
    """Per sample: sum over the last axis of t log(t / p), with t and p (distributions)
    clipped to [1e-7, 1].

    >>> kl_divergence(np.array([[0.5, 0.5]]), np.array([[0.25, 0.75]])).data.round(6)
    array([0.143841])
    """
    y_true, y_pred = _matching(y_true, y_pred, "kl_divergence")
    t, p = y_true.clip(EPSILON, 1.0), y_pred.clip(EPSILON, 1.0)
    return (t * (t / p).log()).sum(axis=-1)


def poisson(y_true: Any, y_pred: Any) -> ag.Tensor:
    """Per sample: mean over the last axis of y_pred - y_true log(y_pred + 1e-7), the
    negative log-likelihood of counts y_true under rates y_pred (without log(y_true!)).

    >>> poisson(np.array([[1.0, 0.0]]), np.array([[1.0, 2.0]])).data.round(6)
    array([1.5])
    """
    y_true, y_pred = _matching(y_true, y_pred, "poisson")
    return (y_pred - y_true * (y_pred + EPSILON).log()).mean(axis=-1)


def _l2_normalized(x: ag.Tensor, axis: int) -> ag.Tensor:
    """x / max(||x||, 1e-7) along `axis` (Keras's `normalize`): a zero vector stays 0."""
    squares = (x * x).sum(axis=axis, keepdims=True)
    return x / ag.maximum(squares, EPSILON * EPSILON).sqrt()


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> ag.Tensor:
    """Per sample: -sum over `axis` of (t / ||t||) (p / ||p||), minus the cosine of the angle
    between target and prediction: -1 when they point the same way, 0 when orthogonal or
    when either is 0 (norms below 1e-7 count as 1e-7).

    >>> cosine_similarity([[0.0, 1.0], [1.0, 1.0]], np.array([[1.0, 0.0], [2.0, 2.0]])).data
    array([-0., -1.])
    """
    y_true, y_pred = _matching(y_true, y_pred, "cosine_similarity")
    axis = _checked_axis(axis, y_pred.ndim, "cosine_similarity")
    return -(_l2_normalized(y_true, axis) * _l2_normalized(y_pred, axis)).sum(axis=axis)


def _smoothable(
    y_true: Any, y_pred: Any, label_smoothing: Any, axis: Any, caller: str
) -> tuple[ag.Tensor, ag.Tensor, float, int]:
    """The inputs of binary and categorical cross-entropy, checked."""
    smoothing = _checked("label_smoothing", label_smoothing, caller)
    y_true, y_pred = _matching(y_true, y_pred, caller)
    return y_true, y_pred, smoothing, _checked_axis(axis, y_pred.ndim, caller)


def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> ag.Tensor:
    """Per sample: mean over `axis` of -[t log p + (1 - t) log(1 - p)].

    From logits z (p = sigmoid(z)) this equals softplus(z) - t z, finite for any z. Label
    smoothing ls moves the targets towards 0.5: t (1 - ls) + 0.5 ls.

    >>> binary_crossentropy(np.array([[1.0]]), np.array([[1e4]]), from_logits=True).data
    array([0.])
    >>> binary_crossentropy([[1.0]], [[0.0]], from_logits=True, label_smoothing=0.2).data
    array([0.69314718])
    """
    y_true, y_pred, smoothing, axis = _smoothable(
        y_true, y_pred, label_smoothing, axis, "binary_crossentropy"
    )
    if smoothing:
        y_true = y_true * (1.0 - smoothing) + 0.5 * smoothing
    if from_logits:
        values = ag.softplus(y_pred) - y_true * y_pred
    else:
        p = y_pred.clip(EPSILON, 1.0 - EPSILON)
        values = -(y_true * p.log() + (1.0 - y_true) * (1.0 - p).log())
    return values.mean(axis=axis)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> ag.Tensor:
    """Per sample: -sum_k t_k log p_k over the class `axis`; `y_true` is one-hot.

    Probabilities are first renormalised to sum to 1, then clipped (as Keras does); from
    logits, log p = log_softmax(z) = z - logsumexp(z), finite for any z. Label smoothing ls
    mixes the targets with the uniform distribution: t (1 - ls) + ls / k, with k the size of
    the last axis (Keras's choice, whatever `axis` is). One class (k = 1) warns: its loss is
    always 0.

    >>> categorical_crossentropy(np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]])).data.round(4)
    array([0.6931])
    """
    y_true, y_pred, smoothing, axis = _smoothable(
        y_true, y_pred, label_smoothing, axis, "categorical_crossentropy"
    )
    if y_pred.shape[-1] == 1:
        warnings.warn(
            f"categorical_crossentropy: y_pred of shape {y_pred.shape} has one class, whose "
            "loss is always 0; give one output per class (for two classes, one sigmoid unit "
            "with binary_crossentropy also works)",
            UserWarning,
            stacklevel=2,
        )
    if smoothing:
        y_true = y_true * (1.0 - smoothing) + smoothing / y_true.shape[-1]
    if from_logits:
        log_p = ag.log_softmax(y_pred, axis=axis)
    else:
        p = y_pred / y_pred.sum(axis=axis, keepdims=True)
        log_p = p.clip(EPSILON, 1.0 - EPSILON).log()
    return -(y_true * log_p).sum(axis=axis)


def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> ag.Tensor:
    """Per position: -log p[y] for integer labels y of shape y_pred.shape[:-1] (or with a
    trailing axis of 1): (m,) for (m, k) outputs, (m, h, w) for per-pixel (m, h, w, k). The
    classes are on the last axis (`axis=-1`, the only one Keras's TensorFlow and JAX
    backends take). Positions labelled `ignore_class` get 0.

    From logits z: logsumexp(z) - z[y], the stable form of -log softmax(z)[y], computed by the
    engine's fused `ag.cross_entropy` (its rule: softmax(z) - onehot(y)) on the rows of
    y_pred seen as (positions, k).

    >>> z = np.array([[0.0, 1e4]])
    >>> sparse_categorical_crossentropy(np.array([1]), z, from_logits=True).data
    array([0.])
    >>> sparse_categorical_crossentropy([-1, 1], [[0.5, 0.5], [0.5, 0.5]], ignore_class=-1).data
    array([0.        , 0.69314718])
    """
    return _sparse_values(y_true, y_pred, from_logits, ignore_class, axis)[0]


def _sparse_values(
    y_true: Any, y_pred: Any, from_logits: bool, ignore_class: int | None, axis: int
) -> tuple[ag.Tensor, Any]:
    """The per-position values and the positions that count (None: all of them)."""
    y_pred = _floating(y_pred)
    last = y_pred.ndim - 1
    if _checked_axis(axis, y_pred.ndim, "sparse_categorical_crossentropy") not in (-1, last):
        raise ValueError(
            "sparse_categorical_crossentropy: the classes must be on the last axis (axis=-1, "
            f"as Keras on TensorFlow and JAX), got axis={axis} for y_pred of shape "
            f"{y_pred.shape}; move the class axis last"
        )
    _checked("ignore_class", ignore_class, "sparse_categorical_crossentropy")
    labels = _labels_for(y_true, y_pred.shape, ignore_class)
    valid = None if ignore_class is None else labels != ignore_class
    if valid is not None:
        labels = ag.where(valid, labels, 0)  # any class: its value is replaced by 0 below
    flat, rows = _as_rows(y_pred, labels)
    if from_logits:
        values = ag.cross_entropy(flat, rows, reduction="none")
    else:
        rows = rows.data if isinstance(rows, ag.Tensor) else rows
        p = flat / flat.sum(axis=-1, keepdims=True)
        values = -p[np.arange(rows.size), rows].clip(EPSILON, 1.0 - EPSILON).log()
    values = values.reshape(labels.shape)
    return (values, None) if valid is None else (ag.where(valid, values, 0.0), valid)


def _labels_for(
    y_true: Any, pred_shape: tuple[int, ...], ignore_class: int | None = None
) -> ag.Tensor | np.ndarray:
    """Integer labels of shape pred_shape[:-1] (a trailing axis of 1 dropped, as in Keras).

    A Tensor stays a Tensor, so that a traced training step takes the labels as its input."""
    labels = y_true if isinstance(y_true, ag.Tensor) else np.asarray(y_true)
    if labels.shape == pred_shape[:-1] + (1,):
        labels = labels.reshape(pred_shape[:-1])
    if labels.shape != pred_shape[:-1]:
        raise ValueError(
            f"sparse_categorical_crossentropy: labels of shape {labels.shape} do not fit "
            f"y_pred of shape {pred_shape}; expected one integer label per position, shape "
            f"{pred_shape[:-1]}"
        )
    array = labels.data if isinstance(labels, ag.Tensor) else labels
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind not in "bf" or not _integer_valued(array):
            raise ValueError(
                "sparse_categorical_crossentropy: labels must be integer class indices, got "
                f"dtype {labels.dtype}"
            )
        labels = array = array.astype(np.int64)
    _check_label_range(array, pred_shape[-1], "sparse_categorical_crossentropy", ignore_class)
    return labels


def _as_rows(y_pred: ag.Tensor, labels: Any) -> tuple[ag.Tensor, Any]:
    """(positions, classes) predictions and (positions,) labels, as `ag.cross_entropy` takes
    them: per-pixel (m, h, w, k) becomes (m * h * w, k); (m, k) stays as it is."""
    if labels.ndim == 1:
        return y_pred, labels
    rows = labels.reshape(-1)
    return y_pred.reshape(rows.size, y_pred.shape[-1]), rows  # sizes explicit: rows may be 0


# ---------------------------------------------------------------- the classes


class Loss:
    """Base class: `loss(y_true, y_pred, sample_weight=None)` = the reduction of the
    weighted per-sample values of `call` (see the module's docstring).

    Every loss takes Keras's `reduction` (see REDUCTIONS), `name` (None: Keras's default,
    the function's name, e.g. "mean_squared_error", "huber_loss" for Huber; a subclass of
    Loss gets its snake-case class name, made unique) and `dtype` (None: the predictions'
    floating dtype; else y_true and y_pred are cast to it).

    A subclass defines `call(y_true, y_pred)` returning per-sample values, as in Keras;
    nn's own losses name their function (`function`) and its keyword arguments
    (`arguments`, kept as attributes), and `call` passes them on.

    >>> class Cube(Loss):
    ...     def call(self, y_true, y_pred):
    ...         return ((y_pred - y_true) ** 3).mean(axis=-1)
    >>> float(Cube(reduction="sum")(np.array([0.0, 1.0]), np.array([[2.0], [3.0]])))
    16.0
    """

    function: Callable[..., ag.Tensor] | None = None
    arguments: tuple[str, ...] = ()  # the function's keyword arguments
    config_arguments: tuple[str, ...] = ()  # those Keras's get_config always writes
    from_logits = False
    min_pred_ndim, pred_form = 1, "a batch axis, shape (m, ...)"

    def __init__(
        self,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: Any = None,
    ) -> None:
        kind = type(self).__name__
        if check_name(kind, name) is None:  # Keras's: the function's, or a unique snake case
            name = self.function.__name__ if self.function else unique_name(snake_case(kind))
        self.name = name
        self.reduction = standardize_reduction(reduction, kind)
        self.dtype = None if dtype is None else float_dtype(dtype, kind).name

    def _keep(self, **arguments: Any) -> None:
        """The function's arguments, checked (ARGUMENT_CHECKS) and kept as attributes."""
        for key, value in arguments.items():
            setattr(self, key, _checked(key, value, type(self).__name__))

    def call(self, y_true: ag.Tensor, y_pred: ag.Tensor) -> ag.Tensor:
        """Per-sample values: this loss's function with its arguments."""
        if self.function is None:
            raise NotImplementedError(
                f"{type(self).__name__}: a Loss subclass defines call(y_true, y_pred), "
                "returning one value per sample"
            )
        return self.function(y_true, y_pred, **{key: getattr(self, key) for key in self.arguments})

    def _values(self, y_true: Any, y_pred: ag.Tensor) -> tuple[ag.Tensor, Any]:
        """The per-sample values and the positions that count (bool; None for all, Keras's
        mask on the values)."""
        return self.call(y_true, y_pred), None

    def prepare_targets(self, y_true: Any, output_shape: tuple[int | None, ...]) -> np.ndarray:
        """`y_true` checked against the model's output shape and put in the form `call` needs."""
        kind = type(self).__name__
        y = np.asarray(y_true)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{kind}: targets must be numeric, got dtype {y.dtype}")
        if y.ndim == len(output_shape) - 1 and output_shape[-1] == 1:
            y = y.reshape(y.shape + (1,))  # (m,) labels for a one-unit output
        if y.shape[1:] != tuple(output_shape[1:]):
            raise ValueError(
                f"{kind}: targets of shape {y.shape} do not match the model output "
                f"shape {format_shape(output_shape)}{self._shape_hint(y, output_shape)}"
            )
        return y.astype(np.float32) if y.dtype != np.float64 else y

    def _shape_hint(self, y: np.ndarray, output_shape: tuple[int | None, ...]) -> str:
        if y.ndim == len(output_shape) - 1 and _integer_valued(y):
            return "; these look like integer class labels: use SparseCategoricalCrossentropy"
        return ""

    def compute(self, y_true: Any, y_pred: ag.Tensor, sample_weight: Any = None) -> ag.Tensor:
        """The loss of predictions `y_pred` for targets already prepared (fit checks them
        once with `prepare_targets`), made of engine ops only: `sample_weight` (None, or one
        weight per sample, shape (m,)) multiplies the per-sample values, then the reduction."""
        if self.from_logits:
            warn_if_activated(y_pred, self)
        if self.dtype is not None and y_pred.dtype != self.dtype:
            y_pred = y_pred.astype(self.dtype)
        if self.dtype is not None and y_true.dtype.kind == "f" and y_true.dtype != self.dtype:
            y_true = y_true.astype(self.dtype)
        with ag.name_scope(type(self).__name__):  # what graph pictures title the loss
            return self._reduce(*self._values(y_true, y_pred), sample_weight)

    def _reduce(self, values: ag.Tensor, mask: Any, sample_weight: Any) -> ag.Tensor:
        """Keras's `reduce_weighted_values`: the mask merged into the sample weights, the
        weights applied, the reduction."""
        if mask is not None:
            mask = mask.astype(values.dtype)
            if self.reduction in ("sum_over_batch_size", "mean"):
                # valid positions weigh total / valid, so dividing by the number of values
                # divides by the number of valid ones (0 / 0 gives 0)
                mask = mask * (mask.size / ag.maximum(mask.sum(), 1.0))
            if sample_weight is not None:
                mask = apply_sample_weight(mask, sample_weight, type(self).__name__)
            sample_weight = mask
        values = apply_sample_weight(values, sample_weight, type(self).__name__)
        return reduce_values(values, self.reduction, sample_weight)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> ag.Tensor:
        kind = type(self).__name__
        if not isinstance(y_pred, ag.Tensor):
            y_pred = np.asarray(y_pred)
            if y_pred.dtype.kind not in "biuf":
                raise TypeError(f"{kind}: y_pred must be numeric, got dtype {y_pred.dtype}")
        y_pred = _floating(y_pred)
        if y_pred.ndim < self.min_pred_ndim:
            raise ValueError(f"{kind}: y_pred needs {self.pred_form}, got shape {y_pred.shape}")
        y = self.prepare_targets(
            y_true.data if isinstance(y_true, ag.Tensor) else y_true, y_pred.shape
        )
        if y.shape[0] != y_pred.shape[0]:
            raise ValueError(
                f"{kind}: y_true has {y.shape[0]} samples but y_pred has {y_pred.shape[0]}"
            )
        if y.dtype.kind == "f" and y.dtype != y_pred.dtype:
            y = y.astype(y_pred.dtype)
        return self.compute(ag.from_numpy(y), y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        """Keras 3's config: name, reduction and the arguments its get_config writes. Keras
        leaves out Huber's delta and CosineSimilarity's axis, so its own round trip resets
        them; they are written here when not at their defaults (Keras's from_config takes
        them)."""
        config: dict[str, Any] = {"name": self.name, "reduction": self.reduction}
        defaults = _defaults(self)
        for key in self.arguments:
            value = getattr(self, key)
            if key in self.config_arguments or value != defaults.get(key):
                config[key] = value
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Loss:
        """The loss a `get_config` dict describes."""
        return cls(**config)

    def __repr__(self) -> str:
        """The class with its arguments: from_logits always, the others when not default."""
        defaults = _defaults(self)
        shown = [
            f"{key}={getattr(self, key)!r}"
            for key in (*self.arguments, "reduction", "name", "dtype")
            if key == "from_logits" or getattr(self, key) != defaults.get(key)
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


def _defaults(loss: Loss) -> dict[str, Any]:
    """The defaults of `loss`'s arguments, its name included."""
    parameters = inspect.signature(type(loss).__init__).parameters.values()
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty}
    if defaults.get("name") is None and loss.function is not None:
        defaults["name"] = loss.function.__name__
    return defaults


class _FunctionLoss(Loss):
    """A loss whose only arguments are Keras's, in the order of Keras's subclasses."""

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)


class MeanSquaredError(_FunctionLoss):
    """The mean of mean_squared_error: (y_true - y_pred)^2 averaged over the last axis.

    >>> float(MeanSquaredError()(np.array([1.0, 3.0]), np.array([[0.0], [1.0]])))
    2.5
    """

    function = staticmethod(mean_squared_error)


class MeanAbsoluteError(_FunctionLoss):
    """The mean of mean_absolute_error: |y_true - y_pred| averaged over the last axis.

    >>> round(float(MeanAbsoluteError()([[1.0, 0.3, 1.0]], np.array([[1.9, 0.3, 1.8]]))), 6)
    0.566667
    """

    function = staticmethod(mean_absolute_error)


class Huber(Loss):
    """The mean of huber: 0.5 x^2 if |x| <= delta else delta (|x| - 0.5 delta), for the
    errors x = y_pred - y_true, averaged over the last axis.

    >>> float(Huber()([[0.0, 1.0], [0.0, 0.0]], np.array([[0.6, 0.4], [0.4, 0.6]])))
    0.155
    >>> Huber(delta=2.0).get_config()
    {'name': 'huber_loss', 'reduction': 'sum_over_batch_size', 'delta': 2.0}
    """

    function, arguments = staticmethod(huber), ("delta",)

    def __init__(
        self,
        delta: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "huber_loss",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._keep(delta=delta)


class LogCosh(_FunctionLoss):
    """The mean of log_cosh: log(cosh(y_pred - y_true)) averaged over the last axis.

    >>> round(float(LogCosh()([[0.0, 1.0], [0.0, 0.0]], np.array([[1.0, 1.0], [0.0, 0.0]]))), 6)
    0.108445
    """

    function = staticmethod(log_cosh)


class _HingeLoss(_FunctionLoss):
    """The hinge losses' targets: all -1/1, or all 0/1 (which become -1/1)."""

    def prepare_targets(self, y_true: Any, output_shape: tuple[int | None, ...]) -> np.ndarray:
        y = super().prepare_targets(y_true, output_shape)
        allowed = (0, 1) if np.isin(y, (0, 1)).all() else (-1, 1)
        outside = ~np.isin(y, allowed)
        if outside.any():
            raise ValueError(
                f"{type(self).__name__}: targets must be -1 or 1 (or all 0/1, which become "
                f"-1/1), got {y[outside].flat[0].item()} at index {_first_index(outside)}"
            )
        return y


class Hinge(_HingeLoss):
    """The mean of hinge: max(1 - t y_pred, 0) averaged over the last axis, for targets t of
    -1 or 1 (0/1 targets become -1/1).

    >>> round(float(Hinge()(np.array([[0.0, 1.0]]), np.array([[-0.5, 0.3]]))), 6)
    0.6
    """

    function = staticmethod(hinge)


class SquaredHinge(_HingeLoss):
    """The mean of squared_hinge: max(1 - t y_pred, 0)^2 averaged over the last axis, for
    targets t of -1 or 1 (0/1 targets become -1/1).

    >>> round(float(SquaredHinge()(np.array([[0.0, 1.0]]), np.array([[-0.5, 0.3]]))), 6)
    0.37
    """

    function = staticmethod(squared_hinge)


class KLDivergence(_FunctionLoss):
    """The mean of kl_divergence: sum_k t_k log(t_k / p_k) with t and p clipped to [1e-7, 1].

    >>> round(float(KLDivergence()(np.array([[0.5, 0.5]]), np.array([[0.25, 0.75]]))), 6)
    0.143841
    """

    function = staticmethod(kl_divergence)


class Poisson(_FunctionLoss):
    """The mean of poisson: y_pred - y_true log(y_pred + 1e-7) averaged over the last axis.

    >>> round(float(Poisson()(np.array([[1.0, 0.0]]), np.array([[1.0, 2.0]]))), 6)
    1.5
    """

    function = staticmethod(poisson)


class CosineSimilarity(Loss):
    """The mean of cosine_similarity: -sum over `axis` of (t / ||t||) (p / ||p||), from -1
    (same direction) to 1 (opposite).

    >>> y_true, y_pred = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [2.0, 2.0]])
    >>> round(float(CosineSimilarity()(y_true, y_pred)), 6)
    -0.5
    """

    function, arguments = staticmethod(cosine_similarity), ("axis",)

    def __init__(
        self,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._keep(axis=axis)


class _SmoothedCrossentropy(Loss):
    """The arguments binary and categorical cross-entropy share."""

    arguments = config_arguments = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._keep(from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class BinaryCrossentropy(_SmoothedCrossentropy):
    """The mean of binary_crossentropy: -[t log p + (1 - t) log(1 - p)] averaged over the k
    outputs (`axis`); from logits z, softplus(z) - t z. Targets are 0/1 (or in between);
    one sigmoid unit, or k of them for multi-label. `label_smoothing` ls uses the targets
    t (1 - ls) + 0.5 ls.

    >>> loss = BinaryCrossentropy()
    >>> round(float(loss(np.array([1, 0]), np.array([[0.9], [0.2]]))), 6)
    0.164252
    >>> logits = np.array([[-18.6, 0.51], [2.94, -12.8]])
    >>> round(float(BinaryCrossentropy(from_logits=True)([[0, 1], [0, 0]], logits, [0.8, 0.2])), 4)
    0.2436
    """

    function = staticmethod(binary_crossentropy)

    def prepare_targets(self, y_true: Any, output_shape: tuple[int | None, ...]) -> np.ndarray:
        y = super().prepare_targets(y_true, output_shape)
        outside = (y < 0) | (y > 1)
        if outside.any():
            raise ValueError(
                f"{type(self).__name__}: targets must lie in [0, 1] (0/1 labels), "
                f"got {y[outside].flat[0].item()}"
                f" at index {_first_index(outside)}; for integer class labels use "
                "SparseCategoricalCrossentropy"
            )
        return y


class CategoricalCrossentropy(_SmoothedCrossentropy):
    """The mean of categorical_crossentropy: -sum_k t_k log p_k, for one-hot targets t of
    shape (m, classes); `label_smoothing` ls uses t (1 - ls) + ls / classes.

    >>> loss = CategoricalCrossentropy(from_logits=True)
    >>> round(float(loss(np.array([[0, 1]]), np.array([[0.0, 0.0]]))), 6)
    0.693147
    """

    function = staticmethod(categorical_crossentropy)


class SparseCategoricalCrossentropy(Loss):
    """The mean of sparse_categorical_crossentropy, -log p[y] over every labelled position,
    for integer labels y in [0, classes): shape (m,) or (m, 1) for (m, classes) outputs,
    and y_pred.shape[:-1] (or with a trailing axis of 1) for more axes, e.g. per-pixel
    labels (m, h, w) for (m, h, w, classes). Positions labelled `ignore_class` count for
    nothing, in the values and in the divisor.

    >>> loss = SparseCategoricalCrossentropy()
    >>> round(float(loss(np.array([[1]]), np.array([[0.5, 0.5]]))), 6)
    0.693147
    >>> loss = SparseCategoricalCrossentropy(ignore_class=-1)
    >>> round(float(loss(np.array([1, -1, -1]), np.array([[0.5, 0.5]] * 3))), 6)
    0.693147
    """

    function = staticmethod(sparse_categorical_crossentropy)
    arguments = ("from_logits", "ignore_class", "axis")
    config_arguments = ("from_logits", "ignore_class")
    min_pred_ndim, pred_form = 2, "a batch axis and a class axis, shape (m, classes)"

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        axis: int = -1,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._keep(from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def _values(self, y_true: Any, y_pred: ag.Tensor) -> tuple[ag.Tensor, Any]:
        return _sparse_values(y_true, y_pred, self.from_logits, self.ignore_class, self.axis)

    def compute(self, y_true: Any, y_pred: ag.Tensor, sample_weight: Any = None) -> ag.Tensor:
        fused = (
            self.from_logits
            and sample_weight is None
            and self.ignore_class is None
            and self.reduction in ("sum_over_batch_size", "mean")
            and self.dtype in (None, y_pred.dtype)
            and self.axis in (-1, y_pred.ndim - 1)
        )
        if not fused:
            return super().compute(y_true, y_pred, sample_weight)
        warn_if_activated(y_pred, self)
        with ag.name_scope(type(self).__name__):  # the fused op takes the mean: one node
            return ag.cross_entropy(*_as_rows(y_pred, _labels_for(y_true, y_pred.shape)))

    def prepare_targets(self, y_true: Any, output_shape: tuple[int | None, ...]) -> np.ndarray:
        kind = type(self).__name__
        y = np.asarray(y_true)
        classes = output_shape[-1]
        if y.ndim == len(output_shape) and y.shape[-1] == 1:
            y = y.reshape(y.shape[:-1])  # (m, 1) labels
        if y.shape[1:] != tuple(output_shape[1:-1]):
            hint = (
                "; these look like one-hot targets: use CategoricalCrossentropy"
                if y.shape[1:] == tuple(output_shape[1:])
                else ""
            )
            expected = format_shape(("m",) + tuple(output_shape[1:-1]))
            raise ValueError(
                f"{kind}: expects integer labels of shape {expected} (or with a trailing "
                f"axis of 1) for an output of shape {format_shape(output_shape)}, got targets "
                f"of shape {y.shape}{hint}"
            )
        if y.dtype.kind not in "biuf" or not _integer_valued(y):
            bad = y[y != np.round(y)].flat[0].item() if y.dtype.kind == "f" else y.dtype
            raise ValueError(f"{kind}: labels must be integers 0..{classes - 1}, got {bad}")
        y = y.astype(np.int64)
        _check_label_range(y, classes, kind, self.ignore_class)
        return y


def output_activation(y_pred: ag.Tensor) -> str | None:
    """'sigmoid' or 'softmax' when the op that made `y_pred` is that activation, read from the
    recorded graph (not guessed from the values): a Dense layer's fused sigmoid, `sigmoid`,
    or softmax's exp(z) / sum(exp(z)). None otherwise, and for a tensor made without a graph
    (inside `ag.no_grad()`)."""
    op = y_pred.op if isinstance(y_pred, ag.Tensor) else None
    kind = type(op).__name__
    if kind == "Sigmoid" or (kind == "Dense" and op.settings().get("activation") == "sigmoid"):
        return "sigmoid"
    if kind == "Div":
        numerator, denominator = y_pred.parents
        made_of = type(denominator.op).__name__ == "Sum" and denominator.parents[0] is numerator
        if type(numerator.op).__name__ == "Exp" and made_of:
            return "softmax"
    return None


def warn_if_activated(y_pred: ag.Tensor, loss: Loss) -> None:
    """Warn, naming the fix, when a loss with from_logits=True is given the output of a
    sigmoid or softmax: the loss would apply it a second time (Keras warns too). The check
    runs where the graph is recorded (the first batch of `fit`, or an eager call)."""
    activation = output_activation(y_pred)
    if activation is None:
        return
    where = f" (layer '{y_pred.scope.split(' (')[0]}')" if y_pred.scope else ""
    warnings.warn(
        f"{type(loss).__name__}(from_logits=True) received the output of a {activation}{where}: "
        f"those values are probabilities already, and from_logits=True applies {activation} "
        "again, so the loss and its gradient are wrong. Fix: make the last layer linear "
        "(activation='linear', the stable form; apply the "
        f"{activation} to model.predict's output when you need probabilities), or keep the "
        f"{activation} and use from_logits=False",
        UserWarning,
        stacklevel=3,
    )


def _check_label_range(
    labels: np.ndarray, classes: int, caller: str, ignore_class: int | None = None
) -> None:
    outside = (labels < 0) | (labels >= classes)
    if ignore_class is not None:
        outside &= labels != ignore_class
    if outside.any():
        ignored = "" if ignore_class is None else f", or ignore_class {ignore_class}"
        raise ValueError(
            f"{caller}: label {labels[outside].flat[0]} at index {_first_index(outside)} is "
            f"out of range for {classes} classes (labels must be 0..{classes - 1}{ignored})"
        )


def _integer_valued(y: np.ndarray) -> bool:
    if y.dtype.kind in "biu":
        return True
    return bool(np.all(np.isfinite(y)) and np.all(y == np.round(y)))


def _first_index(mask: np.ndarray) -> tuple[int, ...] | int:
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    return index[0] if len(index) == 1 else index


# ---------------------------------------------------------------- names, get, serialization

LOSS_CLASSES: tuple[type[Loss], ...] = (
    MeanSquaredError,
    MeanAbsoluteError,
    Huber,
    LogCosh,
    Hinge,
    SquaredHinge,
    KLDivergence,
    Poisson,
    CosineSimilarity,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)

LOSS_FUNCTIONS: dict[Any, type[Loss]] = {cls.function: cls for cls in LOSS_CLASSES}

ALIASES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "kld": KLDivergence,
    "bce": BinaryCrossentropy,
}
"""Keras 3's short names (keras.losses.ALL_OBJECTS_DICT), each also in capitals ("MSE")."""

ALL_LOSSES: dict[str, type[Loss]] = {
    **{cls.__name__: cls for cls in LOSS_CLASSES},
    **{function.__name__: cls for function, cls in LOSS_FUNCTIONS.items()},
    **{name: cls for alias, cls in ALIASES.items() for name in (alias, alias.upper())},
}
"""The names `get` takes, Keras 3's: class names, function names and mse/mae/kld/bce."""


def get(identifier: str | Loss | type[Loss] | Mapping[str, Any] | Any) -> Loss:
    """A Loss instance for a name (`"mse"`, `"binary_crossentropy"`, `"Huber"`, ...), an
    instance, a Loss class, one of this module's loss functions (both instantiated, as Keras
    does) or a `serialize` record (`{"class_name": ..., "config": ...}`).

    >>> get("mse"), get(Huber), get(sparse_categorical_crossentropy)
    (MeanSquaredError(), Huber(), SparseCategoricalCrossentropy(from_logits=False))
    >>> get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    CategoricalCrossentropy(from_logits=True)
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if callable(identifier) and identifier in LOSS_FUNCTIONS:
        return LOSS_FUNCTIONS[identifier]()
    hint = "or pass a Loss instance such as SparseCategoricalCrossentropy(from_logits=True)"
    return lookup("loss", identifier, ALL_LOSSES, hint)()


def serialize(loss: Loss | Callable[..., ag.Tensor] | Mapping[str, Any]) -> dict[str, Any]:
    """Keras 3's record of a loss (`keras.losses.serialize`): an instance as {"module":
    "keras.losses", "class_name", "config", "registered_name": None}, one of this module's
    loss functions as Keras writes a function (its name as the config), a record as it is.

    >>> serialize(MeanSquaredError())["config"]
    {'name': 'mean_squared_error', 'reduction': 'sum_over_batch_size'}
    >>> serialize(huber)["config"]
    'huber'
    """
    if isinstance(loss, Loss):
        return serialization.serialize(loss, "keras.losses")
    if isinstance(loss, Mapping):
        return dict(loss)
    if callable(loss) and loss in LOSS_FUNCTIONS:
        name = loss.__name__
        return {
            "module": "builtins",
            "class_name": "function",
            "config": name,
            "registered_name": "function",
        }
    raise TypeError(
        f"serialize: expected a Loss such as MeanSquaredError() or a loss function, got {loss!r}"
    )


def deserialize(record: Mapping[str, Any]) -> Loss:
    """The Loss a `serialize` record describes; Keras's record of a loss function
    (`"class_name": "function"`, its name as the config) gives that loss's class.

    >>> deserialize(serialize(Huber(delta=2.0))).delta
    2.0
    """
    if isinstance(record, Mapping) and record.get("class_name") == "function":
        return get(record.get("config"))
    classes = {cls.__name__: cls for cls in LOSS_CLASSES}
    return serialization.deserialize(record, classes, "loss")
