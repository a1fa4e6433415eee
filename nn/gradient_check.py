"""`check_gradients`: backprop's gradients against finite differences, per parameter tensor.

    relative error = ||analytic - numeric|| / (||analytic|| + ||numeric||)

computed in float64, the check taught in the course (about 1e-7 or less means backprop is
right; above 1e-3 something is wrong).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_lite as ag

from . import losses as losses_module


def check_gradients(
    model: Any, x: Any, y: Any, loss: Any = None, eps: float = 1e-6
) -> dict[str, float]:
    """The relative error of every parameter's gradient, keyed by name (`"L1/kernel"`).

    Uses the compiled loss unless `loss` is given, plus the regularizers' penalties
    (`model.losses`), as `fit` does. The model's weights are restored after.

    >>> import numpy as np, nn
    >>> nn.set_seed(0)
    >>> model = nn.Sequential([
    ...     nn.Input(shape=(3,)), nn.Dense(4, activation="tanh", name="L1"), nn.Dense(2, name="L2")
    ... ])
    >>> x, y = np.random.default_rng(0).normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    >>> loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> errors = nn.check_gradients(model, x, y, loss=loss)
    >>> list(errors), max(errors.values()) < 1e-7
    (['L1/kernel', 'L1/bias', 'L2/kernel', 'L2/bias'], True)
    """
    if loss is None and model.loss is None:
        raise ValueError("check_gradients: compile the model first, or pass loss=...")
    loss = losses_module.get(loss if loss is not None else model.loss)
    model.build(np.shape(x))
    targets = loss.prepare_targets(y, model.output_shape)
    if targets.dtype.kind == "f":
        targets = targets.astype(np.float64)
    x64 = ag.Tensor(np.asarray(x, dtype=np.float64))
    y_true = ag.from_numpy(targets)
    params = model.trainable_weights
    originals = [p.data for p in params]

    def total_loss(*_: ag.Tensor) -> ag.Tensor:  # what fit trains on: the penalties too
        y_pred = model(x64)
        return sum(model.losses, loss.compute(y_true, y_pred))

    try:
        for p in params:
            p.data, p.grad = p.data.astype(np.float64), None
        total_loss().backward()
        errors = {}
        with ag.no_grad():
            for i, p in enumerate(params):
                numeric = ag.numerical_jacobian(total_loss, params, i, eps).reshape(p.shape)
                analytic = p.grad if p.grad is not None else np.zeros_like(p.data)  # unused
                errors[p.name] = _relative_error(analytic, numeric)
    finally:
        for p, data in zip(params, originals):
            p.data, p.grad = data, None
    return errors


def _relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / scale) if scale > 0 else 0.0
