"""What fit, evaluate and predict share: checking the data once, then cheap batching.

Everything is checked and converted once per call (float32, contiguous), so a training step
only slices arrays and wraps them with `ag.from_numpy` (no copy).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

import autograd_lite as ag


def check_inputs(
    x: Any, caller: str, features: int | None = None, dtype: Any = np.float32
) -> np.ndarray:
    """`x` as a (samples, features...) array of `dtype` (the first layer's: float32 unless
    the model is float64), or an error that says what is wrong."""
    x = _numeric(x, "x", caller)
    if x.ndim == 0 or x.shape[0] == 0 or x.size == 0:
        raise ValueError(f"{caller}: x is empty (shape {x.shape}); it needs at least one sample")
    if x.ndim == 1:
        n = x.shape[0]
        hint = (
            f"for one example use x.reshape(1, {n})"
            if features == n or features is None
            else f"for {n} examples of one feature use x.reshape(-1, 1)"
        )
        raise ValueError(
            f"{caller}: x has shape {x.shape}, but the model expects a 2-D array "
            f"(samples, features); {hint}"
        )
    return as_finite(x, "x", caller, dtype)  # as Keras casts to the layers' dtype


def check_targets(y: Any, samples: int, caller: str, dtype: Any = np.float32) -> np.ndarray:
    """`y` as a numeric array with one row per sample of x (the loss checks the rest); float
    targets take `dtype`, as Keras casts them to the output's dtype."""
    y = _numeric(y, "y", caller)
    if y.ndim == 0 or y.shape[0] != samples:
        raise ValueError(
            f"{caller}: x and y have different numbers of samples: x has {samples}, "
            f"y has {y.shape[0] if y.ndim else 0} (y shape {y.shape})"
        )
    return as_finite(y, "y", caller, dtype) if y.dtype.kind == "f" else y


def _numeric(a: Any, what: str, caller: str) -> np.ndarray:
    try:
        array = np.asarray(a)
    except ValueError:  # numpy: "setting an array element with a sequence"
        raise ValueError(
            f"{caller}: {what} is ragged (its rows have different lengths); it must be a "
            "rectangular array of numbers"
        ) from None
    if array.dtype.kind not in "biuf":
        got = f"dtype {array.dtype}" if array.dtype != object else f"{type(a).__name__} {a!r:.60}"
        raise TypeError(f"{caller}: {what} must be numeric (an array of numbers), got {got}")
    return array


def as_finite(a: np.ndarray, what: str, caller: str, dtype: Any = np.float32) -> np.ndarray:
    """`a` cast to contiguous `dtype` (float32 or float64), refusing NaN and Inf, including
    values that only become infinite in the cast (|value| > 3.4e38 overflows float32)."""
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, naming the value
        converted = np.ascontiguousarray(a, dtype=dtype)
        # One finite sum clears the array: NaN and Inf carry through a sum, so it is finite
        # only if every value is, and it takes one pass without a temporary array (testing
        # every value costs fit more than anything else it does once). A sum of finite
        # values may overflow: then the test of every value decides.
        if np.isfinite(converted.sum()) or np.isfinite(converted).all():
            return converted
    bad = ~np.isfinite(converted)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    if np.isfinite(a[first]):
        raise ValueError(
            f"{caller}: {what} holds {a[first].item()!r} at index {first}, which overflows "
            f"{dtype} (largest {np.finfo(dtype).max:.7g}); {int(bad.sum())} values become "
            f"infinite when cast to {dtype}: rescale the data first"
        )
    raise ValueError(
        f"{caller}: {what} contains NaN or Inf ({int(bad.sum())} values, the first "
        f"{a[first]} at index {first}); clean or impute the data first"
    )


def is_count(n: Any) -> bool:
    """A non-negative integer (and not a bool)."""
    return isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0


def check_batch_size(batch_size: Any, caller: str) -> int:
    """A positive int; None means 32, as in Keras."""
    if batch_size is None:
        return 32
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"{caller}: batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def check_verbose(verbose: Any, caller: str) -> int:
    """Keras's verbose values: "auto" (= 1), 0 (silent), 1 (progress bar), 2 (one line)."""
    if verbose == "auto":
        return 1
    if not isinstance(verbose, (int, np.integer)) or verbose not in (0, 1, 2):
        raise ValueError(f"{caller}: verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


def check_epochs(epochs: Any, initial_epoch: Any) -> tuple[int, int]:
    """fit's `epochs` (the index of the last epoch, as in Keras) and `initial_epoch`."""
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if not is_count(value):
            raise ValueError(f"fit: {name} must be a non-negative integer, got {value!r}")
    if initial_epoch > epochs:
        raise ValueError(
            f"fit: initial_epoch={initial_epoch} is after epochs={epochs}; training runs "
            "epochs initial_epoch..epochs-1 (epochs is the last index, not a number to add)"
        )
    return int(epochs), int(initial_epoch)


def check_validation_data(validation_data: Any) -> tuple[Any, Any, Any]:
    """fit's `validation_data` as (x_val, y_val, sample_weight_val or None)."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        shape = getattr(validation_data, "shape", None)
        got = type(validation_data).__name__ + (f" of shape {shape}" if shape is not None else "")
        if isinstance(validation_data, (tuple, list)):
            got += f" of {len(validation_data)} items"
        raise TypeError(
            f"fit: validation_data expects a tuple (x_val, y_val) or (x_val, y_val, "
            f"sample_weight_val), got {got}"
        )
    x_val, y_val, *weights = validation_data
    return x_val, y_val, weights[0] if weights else None


def check_sample_weight(
    sample_weight: Any, samples: int, caller: str, dtype: Any = np.float32
) -> np.ndarray | None:
    """`sample_weight` as `dtype` (the output's) with one weight per sample (shape
    (samples,)), or per sample and step for sequence outputs; None stays None. Keras's
    sample weights multiply the per-sample losses (see nn.losses)."""
    if sample_weight is None:
        return None
    weights = _numeric(sample_weight, "sample_weight", caller)
    if weights.ndim == 0 or weights.shape[0] != samples:
        raise ValueError(
            f"{caller}: sample_weight needs one weight per sample, {samples} in all, got shape "
            f"{weights.shape}"
        )
    return as_finite(weights, "sample_weight", caller, dtype)


def class_weight_to_sample_weight(y: np.ndarray, class_weight: Any, caller: str) -> np.ndarray:
    """Per-sample weights from `class_weight` ({class index: weight}), as Keras: the class of
    a sample is its integer label, or the argmax of a one-hot row; classes missing from the
    dict weigh 1.

    >>> class_weight_to_sample_weight(np.array([0, 1, 1, 2]), {1: 5.0}, "fit")
    array([1., 5., 5., 1.], dtype=float32)
    """
    if not isinstance(class_weight, dict):
        raise TypeError(
            f"{caller}: class_weight must be a dict {{class index: weight}} such as "
            f"{{0: 1.0, 1: 5.0}}, got {type(class_weight).__name__}"
        )
    for label, weight in class_weight.items():
        if not is_count(label):
            raise ValueError(
                f"{caller}: class_weight keys must be class indices 0, 1, ..., got {label!r}"
            )
        if isinstance(weight, bool) or not isinstance(weight, (int, float, np.number)):
            raise TypeError(f"{caller}: class_weight[{label}] must be a number, got {weight!r}")
    labels = y
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    if labels.ndim != 1:
        raise ValueError(
            f"{caller}: class_weight needs one class per sample (labels of shape (samples,) "
            f"or one-hot (samples, classes)), got targets of shape {y.shape}"
        )
    classes = np.round(labels).astype(np.int64)
    return np.array([class_weight.get(int(c), 1.0) for c in classes], np.float32)


def split_validation(
    arrays: tuple[np.ndarray | None, ...], validation_split: float
) -> tuple[tuple[np.ndarray | None, ...], tuple[np.ndarray | None, ...]]:
    """(x, y, sample_weight) split into training and validation parts: the validation part
    is the last `validation_split` of the samples, taken before any shuffling (as Keras)."""
    if (
        isinstance(validation_split, bool)
        or not isinstance(validation_split, (int, float, np.integer, np.floating))
        or not 0 < validation_split < 1
    ):
        raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split!r}")
    samples = len(arrays[0])
    split_at = int(samples * (1 - validation_split))
    if split_at == 0 or split_at == samples:
        raise ValueError(
            f"fit: validation_split={validation_split} of {samples} samples leaves "
            f"{split_at} for training and {samples - split_at} for validation; both need some"
        )
    train = tuple(None if a is None else a[:split_at] for a in arrays)
    return train, tuple(None if a is None else a[split_at:] for a in arrays)


def batches(
    arrays: tuple[np.ndarray | None, ...], batch_size: int, shuffle: bool = False
) -> Iterator[tuple[ag.Tensor | None, ...]]:
    """Batches of (x, y, sample_weight, ...) as Tensors (None stays None): slices of the
    arrays (sharing their memory), or with shuffle the rows of one permutation per epoch from
    the library's generator (`nn.set_seed`).

    No batch is kept here between steps, and `fit` lets each one go before asking for the
    next: a batch gathered while the previous one is still alive gets freshly mapped memory
    from the allocator on every step, which the system must zero first (with 5,000 samples,
    one 8 MB batch, about 10% of the step).
    """
    n = arrays[0].shape[0]
    order = ag.random_generator().permutation(n) if shuffle else None
    for start in range(0, n, batch_size):
        end = start + batch_size
        rows = slice(start, end) if order is None else order[start:end]
        # a list first: tuple() of a generator builds a 10-slot tuple and shrinks it, which
        # leaves one more tuple in CPython's free list on every step (tests/nn/test_memory.py)
        yield tuple([None if a is None else _rows(a, rows) for a in arrays])


def _rows(a: np.ndarray, rows: slice | np.ndarray) -> ag.Tensor:
    """`a[rows]` as a Tensor: a view for a slice; for an index array the copy `a[rows]`
    makes, made by `take` (a third faster on a batch of 32)."""
    return ag.from_numpy(a[rows] if isinstance(rows, slice) else a.take(rows, axis=0))
