"""What fit, evaluate and predict share: checking the data once, then cheap batching.

Everything is checked and converted once per call (float32, contiguous), so a training step
only slices arrays and wraps them with `ag.from_numpy` (no copy).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

import autograd_lite as ag


def check_inputs(x: Any, caller: str, features: int | None = None) -> np.ndarray:
    """`x` as a float32 (samples, features...) array, or an error that says what is wrong."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{caller}: x must be numeric, got dtype {x.dtype}")
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
    check_finite(x, "x", caller)
    return np.ascontiguousarray(x, dtype=np.float32)  # as Keras casts to the layers' dtype


def check_targets(y: Any, samples: int, caller: str) -> np.ndarray:
    """`y` as a numeric array with one row per sample of x (the loss checks the rest)."""
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{caller}: y must be numeric, got dtype {y.dtype}")
    if y.ndim == 0 or y.shape[0] != samples:
        raise ValueError(
            f"{caller}: x and y have different numbers of samples: x has {samples}, "
            f"y has {y.shape[0] if y.ndim else 0} (y shape {y.shape})"
        )
    check_finite(y, "y", caller)
    return y


def check_finite(a: np.ndarray, what: str, caller: str) -> None:
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        bad = ~np.isfinite(a)
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{caller}: {what} contains NaN or Inf ({int(bad.sum())} values, the first "
            f"{a[first]} at index {first}); clean or impute the data first"
        )


def check_batch_size(batch_size: Any, caller: str) -> int:
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"{caller}: batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def split_validation(
    x: np.ndarray, y: np.ndarray, validation_split: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The last `validation_split` of the samples, taken before any shuffling (as Keras)."""
    if not 0 < validation_split < 1:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split!r}")
    split_at = int(len(x) * (1 - validation_split))
    if split_at == 0 or split_at == len(x):
        raise ValueError(
            f"fit: validation_split={validation_split} of {len(x)} samples leaves "
            f"{split_at} for training and {len(x) - split_at} for validation; both need some"
        )
    return x[:split_at], y[:split_at], x[split_at:], y[split_at:]


def batches(
    x: np.ndarray, y: np.ndarray | None, batch_size: int, shuffle: bool = False
) -> Iterator[tuple[ag.Tensor, ag.Tensor | None]]:
    """(x, y) batches as Tensors sharing memory with slices of the arrays.

    With shuffle, one permutation per epoch from the library's generator (`nn.set_seed`).
    """
    n = x.shape[0]
    order = ag.random_generator().permutation(n) if shuffle else None
    for start in range(0, n, batch_size):
        if order is None:
            xb, yb = (
                x[start : start + batch_size],
                None if y is None else y[start : start + batch_size],
            )
        else:
            rows = order[start : start + batch_size]
            xb, yb = x[rows], None if y is None else y[rows]
        yield ag.from_numpy(xb), None if yb is None else ag.from_numpy(yb)


class RunningMeans:
    """Means weighted by batch size, like Keras's epoch `loss` (the per-sample mean)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.count = 0

    def update(self, values: dict[str, float], batch: int) -> None:
        totals = self.totals
        for name, value in values.items():
            totals[name] = totals.get(name, 0.0) + value * batch
        self.count += batch

    def result(self) -> dict[str, float]:
        return {name: total / self.count for name, total in self.totals.items()}
