"""Losses: a function per loss giving per-sample values, and a class adding the batch mean.

    loss = mean over the batch of per_sample(y_true, y_pred)      (Keras's "sum_over_batch_size")

The functions are made of engine ops, so their gradients come from the engine. The classes
also check the targets (shape, label range, one-hot vs integer labels) and bring them into
the function's form: `y` of shape (m,) becomes (m, 1) for a one-unit output, and a trailing
axis of 1 is dropped from sparse labels.

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
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd_lite as ag

from .layers.base import format_shape
from .utils import lookup

EPSILON = 1e-7
"""Keras's `backend.epsilon()`: probabilities are clipped to [EPSILON, 1 - EPSILON]."""


def _as_tensor(value: Any) -> ag.Tensor:
    return value if isinstance(value, ag.Tensor) else ag.from_numpy(np.asarray(value))


def _matching(y_true: Any, y_pred: Any, loss: str) -> tuple[ag.Tensor, ag.Tensor]:
    """Both as Tensors of one shape: (m,) targets for a (m, 1) output gain their axis (as in
    Keras); any other difference is an error, never a silent broadcast."""
    y_true, y_pred = _as_tensor(y_true), _as_tensor(y_pred)
    if y_true.shape != y_pred.shape and y_true.shape + (1,) == y_pred.shape:
        y_true = y_true.reshape(y_pred.shape)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{loss}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
            "they must match (one target per output)"
        )
    return y_true, y_pred


def mean_squared_error(y_true: Any, y_pred: Any) -> ag.Tensor:
    """Per sample: mean over the last axis of (y_true - y_pred)^2.

    >>> mean_squared_error(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]])).data
    array([0.5])
    """
    y_true, y_pred = _matching(y_true, y_pred, "mean_squared_error")
    error = y_pred - y_true
    return (error * error).mean(axis=-1)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> ag.Tensor:
    """Per sample: mean over the last axis of -[t log p + (1 - t) log(1 - p)].

    From logits z (p = sigmoid(z)) this equals softplus(z) - t z, finite for any z.

    >>> binary_crossentropy(np.array([[1.0]]), np.array([[1e4]]), from_logits=True).data
    array([0.])
    """
    y_true, y_pred = _matching(y_true, y_pred, "binary_crossentropy")
    if from_logits:
        values = ag.softplus(y_pred) - y_true * y_pred
    else:
        p = y_pred.clip(EPSILON, 1.0 - EPSILON)
        values = -(y_true * p.log() + (1.0 - y_true) * (1.0 - p).log())
    return values.mean(axis=-1)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> ag.Tensor:
    """Per sample: -sum_k t_k log p_k over the last (class) axis; `y_true` is one-hot.

    Probabilities are first renormalised to sum to 1, then clipped (as Keras does); from
    logits, log p = log_softmax(z) = z - logsumexp(z), finite for any z.

    >>> categorical_crossentropy(np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]])).data.round(4)
    array([0.6931])
    """
    y_true, y_pred = _matching(y_true, y_pred, "categorical_crossentropy")
    if from_logits:
        log_p = ag.log_softmax(y_pred, axis=-1)
    else:
        p = y_pred / y_pred.sum(axis=-1, keepdims=True)
        log_p = p.clip(EPSILON, 1.0 - EPSILON).log()
    return -(y_true * log_p).sum(axis=-1)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False
) -> ag.Tensor:
    """Per position: -log p[y] for integer labels y of shape y_pred.shape[:-1] (or with a
    trailing axis of 1): (m,) for (m, k) outputs, (m, h, w) for per-pixel (m, h, w, k).

    From logits z: logsumexp(z) - z[y], the stable form of -log softmax(z)[y], computed by the
    engine's fused `ag.cross_entropy` (its rule: softmax(z) - onehot(y)) on the rows of
    y_pred seen as (positions, k).

    >>> z = np.array([[0.0, 1e4]])
    >>> sparse_categorical_crossentropy(np.array([1]), z, from_logits=True).data
    array([0.])
    """
    y_pred = _as_tensor(y_pred)
    labels = _labels_for(y_true, y_pred.shape)
    flat, rows = _as_rows(y_pred, labels)
    if from_logits:
        values = ag.cross_entropy(flat, rows, reduction="none")
    else:
        rows = rows.data if isinstance(rows, ag.Tensor) else rows
        p = flat / flat.sum(axis=-1, keepdims=True)
        values = -p[np.arange(rows.size), rows].clip(EPSILON, 1.0 - EPSILON).log()
    return values.reshape(labels.shape)


def _labels_for(y_true: Any, pred_shape: tuple[int, ...]) -> ag.Tensor | np.ndarray:
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
    _check_label_range(array, pred_shape[-1], "sparse_categorical_crossentropy")
    return labels


def _as_rows(y_pred: ag.Tensor, labels: Any) -> tuple[ag.Tensor, Any]:
    """(positions, classes) predictions and (positions,) labels, as `ag.cross_entropy` takes
    them: per-pixel (m, h, w, k) becomes (m * h * w, k); (m, k) stays as it is."""
    if labels.ndim == 1:
        return y_pred, labels
    rows = labels.reshape(-1)
    return y_pred.reshape(rows.size, y_pred.shape[-1]), rows  # sizes explicit: rows may be 0


class Loss:
    """Base class: `loss(y_true, y_pred)` = mean over the batch of the per-sample values."""

    min_pred_ndim, pred_form = 1, "a batch axis, shape (m, ...)"

    def __init__(self, from_logits: bool = False) -> None:
        self.name = type(self).__name__
        if not isinstance(from_logits, (bool, np.bool_)):
            raise TypeError(f"{self.name}: from_logits must be True or False, got {from_logits!r}")
        self.from_logits = bool(from_logits)

    def call(self, y_true: ag.Tensor, y_pred: ag.Tensor) -> ag.Tensor:
        """Per-sample values (the loss function); subclasses name theirs."""
        raise NotImplementedError

    def prepare_targets(self, y_true: Any, output_shape: tuple[int | None, ...]) -> np.ndarray:
        """`y_true` checked against the model's output shape and put in the form `call` needs."""
        y = np.asarray(y_true)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{self.name}: targets must be numeric, got dtype {y.dtype}")
        if y.ndim == len(output_shape) - 1 and output_shape[-1] == 1:
            y = y.reshape(y.shape + (1,))  # (m,) labels for a one-unit output
        if y.shape[1:] != tuple(output_shape[1:]):
            raise ValueError(
                f"{self.name}: targets of shape {y.shape} do not match the model output "
                f"shape {format_shape(output_shape)}{self._shape_hint(y, output_shape)}"
            )
        return y.astype(np.float32) if y.dtype != np.float64 else y

    def _shape_hint(self, y: np.ndarray, output_shape: tuple[int | None, ...]) -> str:
        if y.ndim == len(output_shape) - 1 and _integer_valued(y):
            return "; these look like integer class labels: use SparseCategoricalCrossentropy"
        return ""

    def compute(self, y_true: Any, y_pred: ag.Tensor) -> ag.Tensor:
        """The batch mean of `call`, for targets already prepared (fit checks them once)."""
        if self.from_logits:
            warn_if_activated(y_pred, self)
        with ag.name_scope(self.name):
            return self.call(y_true, y_pred).mean()

    def __call__(self, y_true: Any, y_pred: Any) -> ag.Tensor:
        if not isinstance(y_pred, ag.Tensor):
            y_pred = np.asarray(y_pred)
            if y_pred.dtype.kind not in "biuf":
                raise TypeError(f"{self.name}: y_pred must be numeric, got dtype {y_pred.dtype}")
        y_pred = _as_tensor(y_pred)
        if y_pred.ndim < self.min_pred_ndim:
            raise ValueError(
                f"{self.name}: y_pred needs {self.pred_form}, got shape {y_pred.shape}"
            )
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(np.float32)  # integer predictions: compute in float, as Keras
        y = self.prepare_targets(
            y_true.data if isinstance(y_true, ag.Tensor) else y_true, y_pred.shape
        )
        if y.shape[0] != y_pred.shape[0]:
            raise ValueError(
                f"{self.name}: y_true has {y.shape[0]} samples but y_pred has {y_pred.shape[0]}"
            )
        if y.dtype.kind == "f" and y.dtype != y_pred.dtype:
            y = y.astype(y_pred.dtype)
        return self.compute(ag.from_numpy(y), y_pred)

    def __repr__(self) -> str:
        return f"{self.name}(from_logits={self.from_logits})"


class MeanSquaredError(Loss):
    """mean over the batch of mean_k (y_true - y_pred)^2.

    >>> float(MeanSquaredError()(np.array([1.0, 3.0]), np.array([[0.0], [1.0]])))
    2.5
    """

    def __init__(self) -> None:
        super().__init__()

    def call(self, y_true: ag.Tensor, y_pred: ag.Tensor) -> ag.Tensor:
        return mean_squared_error(y_true, y_pred)

    def __repr__(self) -> str:
        return "MeanSquaredError()"


class BinaryCrossentropy(Loss):
    """mean over the batch of -[t log p + (1 - t) log(1 - p)] (averaged over the k outputs).

    Targets are 0/1 (or in between); one sigmoid unit, or k of them for multi-label.

    >>> loss = BinaryCrossentropy()
    >>> round(float(loss(np.array([1, 0]), np.array([[0.9], [0.2]]))), 6)
    0.164252
    """

    def call(self, y_true: ag.Tensor, y_pred: ag.Tensor) -> ag.Tensor:
        return binary_crossentropy(y_true, y_pred, self.from_logits)

    def prepare_targets(self, y_true: Any, output_shape: tuple[int | None, ...]) -> np.ndarray:
        y = super().prepare_targets(y_true, output_shape)
        outside = (y < 0) | (y > 1)
        if outside.any():
            raise ValueError(
                f"{self.name}: targets must lie in [0, 1] (0/1 labels), "
                f"got {y[outside].flat[0].item()}"
                f" at index {_first_index(outside)}; for integer class labels use "
                "SparseCategoricalCrossentropy"
            )
        return y


class CategoricalCrossentropy(Loss):
    """mean over the batch of -sum_k t_k log p_k, for one-hot targets t of shape (m, classes).

    >>> loss = CategoricalCrossentropy(from_logits=True)
    >>> round(float(loss(np.array([[0, 1]]), np.array([[0.0, 0.0]]))), 6)
    0.693147
    """

    def call(self, y_true: ag.Tensor, y_pred: ag.Tensor) -> ag.Tensor:
        return categorical_crossentropy(y_true, y_pred, self.from_logits)


class SparseCategoricalCrossentropy(Loss):
    """mean of -log p[y] over every labelled position, for integer labels y in [0, classes):
    shape (m,) or (m, 1) for (m, classes) outputs, and y_pred.shape[:-1] (or with a trailing
    axis of 1) for more axes, e.g. per-pixel labels (m, h, w) for (m, h, w, classes).

    >>> loss = SparseCategoricalCrossentropy()
    >>> round(float(loss(np.array([[1]]), np.array([[0.5, 0.5]]))), 6)
    0.693147
    """

    min_pred_ndim, pred_form = 2, "a batch axis and a class axis, shape (m, classes)"

    def call(self, y_true: ag.Tensor, y_pred: ag.Tensor) -> ag.Tensor:
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def compute(self, y_true: Any, y_pred: ag.Tensor) -> ag.Tensor:
        if not self.from_logits:
            return super().compute(y_true, y_pred)
        warn_if_activated(y_pred, self)
        with ag.name_scope(self.name):  # the fused op takes the mean itself: one node
            return ag.cross_entropy(*_as_rows(y_pred, _labels_for(y_true, y_pred.shape)))

    def prepare_targets(self, y_true: Any, output_shape: tuple[int | None, ...]) -> np.ndarray:
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
                f"{self.name}: expects integer labels of shape {expected} (or with a trailing "
                f"axis of 1) for an output of shape {format_shape(output_shape)}, got targets "
                f"of shape {y.shape}{hint}"
            )
        if y.dtype.kind not in "biuf" or not _integer_valued(y):
            bad = y[y != np.round(y)].flat[0].item() if y.dtype.kind == "f" else y.dtype
            raise ValueError(f"{self.name}: labels must be integers 0..{classes - 1}, got {bad}")
        y = y.astype(np.int64)
        _check_label_range(y, classes, self.name)
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
        f"{loss.name}(from_logits=True) received the output of a {activation}{where}: those "
        f"values are probabilities already, and from_logits=True applies {activation} again, "
        "so the loss and its gradient are wrong. Fix: make the last layer linear "
        "(activation='linear', the stable form; apply the "
        f"{activation} to model.predict's output when you need probabilities), or keep the "
        f"{activation} and use from_logits=False",
        UserWarning,
        stacklevel=3,
    )


def _check_label_range(labels: np.ndarray, classes: int, caller: str) -> None:
    outside = (labels < 0) | (labels >= classes)
    if outside.any():
        raise ValueError(
            f"{caller}: label {labels[outside].flat[0]} at index {_first_index(outside)} is "
            f"out of range for {classes} classes (labels must be 0..{classes - 1})"
        )


def _integer_valued(y: np.ndarray) -> bool:
    if y.dtype.kind in "biu":
        return True
    return bool(np.all(np.isfinite(y)) and np.all(y == np.round(y)))


def _first_index(mask: np.ndarray) -> tuple[int, ...] | int:
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    return index[0] if len(index) == 1 else index


ALL_LOSSES: dict[str, type[Loss]] = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


LOSS_FUNCTIONS: dict[Any, type[Loss]] = {
    mean_squared_error: MeanSquaredError,
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
}


def get(identifier: str | Loss | type[Loss] | Any) -> Loss:
    """A Loss instance for a name (`"mse"`, `"binary_crossentropy"`, ...), an instance, a Loss
    class or one of this module's loss functions (both instantiated, as Keras does).

    >>> get("mse"), get(MeanSquaredError), get(sparse_categorical_crossentropy)
    (MeanSquaredError(), MeanSquaredError(), SparseCategoricalCrossentropy(from_logits=False))
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier) and identifier in LOSS_FUNCTIONS:
        return LOSS_FUNCTIONS[identifier]()
    hint = "or pass a Loss instance such as SparseCategoricalCrossentropy(from_logits=True)"
    return lookup("loss", identifier, ALL_LOSSES, hint)()
