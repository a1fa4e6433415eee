"""The stability lesson, measured: cross-entropy computed three ways against the logit.

For a logit z and label y, with p = sigmoid(z) (binary) or p = softmax(z) (categorical):

- naive:            loss = -[y log p + (1 - y) log(1 - p)]   or  -log p[label]
- clipped (Keras):  the same on p clipped to [1e-7, 1 - 1e-7] (categorical: p / sum(p)
                    first), what Keras computes with `from_logits=False`
- from logits:      loss = softplus(z) - y z                  or  logsumexp(z) - z[label],
                    what `from_logits=True` computes, never forming p

In float32, sigmoid(z) rounds to exactly 1 once z > 16.6, so the naive binary loss of a
label 0 becomes log(0) = -inf and its gradient inf * 0 = nan; the clipped form stays
finite but stops at -log(1.19e-7) = 15.94 with a gradient of 0 (the example no longer
teaches the model anything); the from-logits form is exact. Softmax's probabilities last
longer (until e^-z underflows, z > 87 and then 103), with the same three outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import autograd_lite as ag

KERAS_EPSILON = 1e-7  # keras.backend.epsilon()
FORMS = ("naive", "clipped (Keras)", "from logits")
CLASSES = 3  # categorical: logits (z, 0, 0), the label one of the zeros


@dataclass(frozen=True)
class StabilityTable:
    """Loss and d loss / d z for each form over the `logits` swept, beside the exact values
    (float64 closed forms). `kind` is "binary" or "categorical"; `label` is the binary
    label, or the class (categorical logits are (z, 0, 0))."""

    kind: str
    label: int
    dtype: str
    logits: np.ndarray
    losses: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    exact_loss: np.ndarray
    exact_grad: np.ndarray

    def first_failure(self, form: str) -> float | None:
        """The smallest logit of the sweep where `form` is not finite or is off the exact loss
        by more than 1%, or None."""
        bad = ~np.isfinite(self.losses[form]) | ~np.isclose(
            self.losses[form], self.exact_loss, rtol=0.01, atol=1e-3
        )
        return float(self.logits[bad][0]) if bad.any() else None

    def table(self, at: Sequence[float] | None = None) -> str:
        """A Markdown table of loss and gradient per form at the logits `at` (by default a
        few that show where each form breaks)."""
        if at is None:
            at = (0, 10, 20, 40) if self.kind == "binary" else (0, 20, 90, 110)
        other = cross_entropy_stability(self.kind, at, self.label, self.dtype)
        header = ["logit"] + [f"loss: {f}" for f in FORMS] + ["exact loss"]
        header += [f"dloss/dz: {f}" for f in FORMS] + ["exact dloss/dz"]
        rows = ["| " + " | ".join(header) + " |", "|" + " ---: |" * len(header)]
        for k, z in enumerate(other.logits):
            cells = [f"{z:g}"] + [f"{other.losses[f][k]:.6g}" for f in FORMS]
            cells += [f"{other.exact_loss[k]:.6g}"]
            cells += [f"{other.grads[f][k]:.6g}" for f in FORMS] + [f"{other.exact_grad[k]:.6g}"]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def plot(self):
        """Loss (left) and gradient (right) against the logit, one line per form; where the
        naive form stops being finite is marked. Returns the matplotlib Figure."""
        import matplotlib.pyplot as plt  # only when drawing: the engine never imports it

        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        styles = {
            "naive": {"color": "#c62828", "lw": 2.5},
            "clipped (Keras)": {"color": "#ef6c00", "lw": 2, "ls": "--"},
            "from logits": {"color": "#1565c0", "lw": 1.5},
        }
        for ax, values, exact, what in (
            (left, self.losses, self.exact_loss, "loss"),
            (right, self.grads, self.exact_grad, "d loss / d z"),
        ):
            ax.plot(self.logits, exact, color="black", lw=4, alpha=0.15, label="exact")
            for form in FORMS:
                finite = np.isfinite(values[form])
                ax.plot(self.logits[finite], values[form][finite], label=form, **styles[form])
                if not finite.all():
                    z = self.logits[~finite][0]
                    ax.axvline(z, color="#c62828", ls=":", lw=1)
                    ax.annotate(
                        f"naive: inf/nan\nfrom z = {z:g}",
                        (z, 0.5),
                        xycoords=("data", "axes fraction"),
                        xytext=(4, 0),
                        textcoords="offset points",
                        color="#c62828",
                        fontsize=9,
                    )
            ax.set_xlabel("logit z")
            ax.set_ylabel(what)
            ax.grid(alpha=0.3)
        setting = (
            f"label {self.label}"
            if self.kind == "binary"
            else f"logits (z, 0, 0), label {self.label}"
        )
        fig.suptitle(f"{self.kind} cross-entropy in {self.dtype}, {setting}")
        left.legend()
        fig.tight_layout()
        return fig


def cross_entropy_stability(
    kind: str = "binary",
    logits: Sequence[float] | np.ndarray | None = None,
    label: int | None = None,
    dtype: str = "float32",
) -> StabilityTable:
    """Loss and gradient against the logit for the naive, the clipped (Keras) and the
    from-logits forms of binary or categorical cross-entropy, computed by the engine in
    `dtype`, beside the exact float64 values.

    Defaults: binary with label 0 over z in [-20, 60]; categorical with logits (z, 0, 0) and
    label 1 over z in [-20, 120]: in both, a large z is a confident wrong answer.

    >>> import autograd_lite as ag
    >>> t = ag.teaching.cross_entropy_stability("binary", [40.0])
    >>> [float(t.losses[f][0]) for f in ("naive", "clipped (Keras)", "from logits")]
    [inf, 15.942384719848633, 40.0]
    """
    if kind not in ("binary", "categorical"):
        raise ValueError(
            f"cross_entropy_stability: kind must be 'binary' or 'categorical', got {kind!r}"
        )
    if dtype not in ("float16", "float32", "float64"):
        raise ValueError(
            f"cross_entropy_stability: dtype must be a float dtype name, got {dtype!r}"
        )
    label = (0 if kind == "binary" else 1) if label is None else label
    valid = (0, 1) if kind == "binary" else tuple(range(CLASSES))
    if label not in valid:
        raise ValueError(f"cross_entropy_stability: label must be one of {valid}, got {label!r}")
    if logits is None:
        logits = np.linspace(-20, 60, 321) if kind == "binary" else np.linspace(-20, 120, 561)
    z64 = np.asarray(logits, dtype=np.float64).reshape(-1)
    losses, grads = {}, {}
    with np.errstate(all="ignore"):  # inf and nan are what the table is about
        for form in FORMS:
            z = ag.Tensor(z64.astype(dtype), requires_grad=True)
            loss = _LOSSES[kind](form, z, label)
            (g,) = ag.grad(loss.sum(), z)
            losses[form], grads[form] = loss.numpy(), g.numpy()
    exact_loss, exact_grad = _exact(kind, z64, label)
    return StabilityTable(kind, label, dtype, z64, losses, grads, exact_loss, exact_grad)


def _binary(form: str, z: ag.Tensor, y: int) -> ag.Tensor:
    if form == "from logits":
        return ag.softplus(z) - y * z
    p = ag.sigmoid(z)
    if form == "clipped (Keras)":
        p = ag.clip(p, KERAS_EPSILON, 1 - KERAS_EPSILON)
    return -(y * ag.log(p) + (1 - y) * ag.log(1 - p))


def _categorical(form: str, z: ag.Tensor, label: int) -> ag.Tensor:
    rows = ag.stack([z] + [z.zeros_like()] * (CLASSES - 1), axis=1)  # (z, 0, 0)
    if form == "from logits":
        labels = np.full(len(z), label)
        return ag.cross_entropy(rows, labels, reduction="none")
    p = ag.softmax(rows, axis=1)
    if form == "clipped (Keras)":
        p = ag.clip(p / p.sum(axis=1, keepdims=True), KERAS_EPSILON, 1 - KERAS_EPSILON)
    return -ag.log(p[:, label])


_LOSSES = {"binary": _binary, "categorical": _categorical}


def _exact(kind: str, z: np.ndarray, label: int) -> tuple[np.ndarray, np.ndarray]:
    """Closed forms in float64: binary softplus(z) - y z and sigmoid(z) - y; categorical
    logsumexp(z, 0, 0) - logit[label] and softmax(z, 0, 0)[0] - [label == 0]."""
    if kind == "binary":
        sigmoid = 0.5 * (1 + np.tanh(z / 2))  # without overflow
        return np.logaddexp(0, z) - label * z, sigmoid - label
    lse = np.logaddexp(z, np.log(CLASSES - 1))  # log(e^z + e^0 + e^0)
    first = np.exp(z - lse)
    return lse - (z if label == 0 else 0), first - (label == 0)
