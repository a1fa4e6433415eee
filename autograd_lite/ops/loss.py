"""The softmax cross-entropy of integer labels, fused into one primitive.

Composed from parts it would be logsumexp(z) - z[label], then a mean; fused, it is one op
whose rule is the most famous derivative in deep learning, softmax(z) - onehot(label), and
it costs about what the same lines of a hand-written numpy training step cost.
"""

from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor, TensorLike
from .unary import exp


class SoftmaxCrossEntropy(Op):
    """-log softmax(z)[label] for each row of logits z (m, k) and its integer label (m,);
    with mean=True, their mean over the m rows. The labels are an input without a gradient."""

    def __init__(self, mean: bool) -> None:
        self.mean = mean

    def forward(self, z, labels):
        shifted = z - z.max(axis=1, keepdims=True)  # so exp never overflows
        exps = np.exp(shifted)
        totals = exps.sum(axis=1, keepdims=True)
        losses = np.log(totals[:, 0]) - shifted[np.arange(len(labels)), labels]
        exps /= totals
        self.softmax = exps  # kept for an ordinary backward, as hand-written code would
        return losses.sum() / len(losses) if self.mean else losses

    def describe_failure(self, xs, error):
        return f"cross_entropy: labels do not fit logits of shape {xs[0].shape}: {error}"

    def backward(self, g, out, z, labels):
        """dz = g * (softmax(z) - onehot(label))        (divided by m for the mean)"""
        rows, labels = np.arange(len(z)), np.asarray(labels)
        scale = g / len(z) if self.mean else g.reshape(-1, 1)
        if isinstance(z, np.ndarray) and self.softmax is not None:
            # the first ordinary backward: the lines a numpy step would have, on the forward's
            # softmax, in place (a second backward through this graph computes it again)
            dz, self.softmax = self.softmax, None
            dz *= scale
            dz[rows, labels] -= scale if self.mean else scale[:, 0]
            return dz, None
        exps = exp(z - z.max(axis=1, keepdims=True))
        onehot = np.zeros(z.shape, dtype=z.dtype)
        onehot[rows, labels] = 1
        return scale * (exps / exps.sum(axis=1, keepdims=True) - onehot), None


def cross_entropy(logits: TensorLike, labels: TensorLike, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits (m, k) against integer class labels (m,), computed stably.

    reduction: 'mean' (the default, as in PyTorch and Keras), 'sum' or 'none' (one per row).

    >>> import autograd_lite as ag
    >>> z = ag.Tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = ag.cross_entropy(z, [0, 2])
    >>> round(loss.item(), 4)      # (-log(e^2 / (e^2 + 2)) - log(1/3)) / 2
    0.6691
    """
    if not isinstance(labels, Tensor):
        labels = np.asarray(labels)
    shape = np.shape(logits.data if isinstance(logits, Tensor) else logits)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: labels must be integers (class indices), got {labels.dtype}"
        )
    if len(shape) != 2 or labels.shape != shape[:1]:
        raise ValueError(
            f"cross_entropy: expected logits (m, k) and labels (m,), got {shape} and {labels.shape}"
        )
    lowest = np.min(labels.data if isinstance(labels, Tensor) else labels, initial=0)
    if lowest < 0:
        raise ValueError(f"cross_entropy: labels must be in [0, {shape[1]}), got {lowest}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
        )
    losses = SoftmaxCrossEntropy.apply(logits, labels, mean=reduction == "mean")
    return losses.sum() if reduction == "sum" else losses
