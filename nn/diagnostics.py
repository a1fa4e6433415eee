"""Training diagnostics: per-layer figures after every epoch, in `History` and on screen.

`TrainingDiagnostics` is a callback. For each layer with trainable weights it records, per
epoch (the figures of the epoch's batches averaged, except the activation ones):

    grad_norm      ||g||: the gradient of all the layer's trainable weights, one vector
    update_ratio   ||w_after - w_before|| / ||w_before||: how far one step moves the weights
                   (about 1e-3 is the usual rule of thumb; 1e-1 is wild, 1e-6 is stalled)
    step           mean |w_after - w_before|: the step the optimizer took, per parameter
    gd_step        learning_rate * mean |g|: the step plain gradient descent would take
                   (with SGD they are equal; Adam's step is about learning_rate whatever |g|)

and, when it is given a batch `x` to look at, once per epoch on that batch (run with
`ag.no_grad()` and training=False):

    dead_relu      the fraction of a ReLU layer's units that output 0 for every example
    saturated      the fraction of a sigmoid layer's outputs below 0.01 or above 0.99, where
                   sigmoid' = s (1 - s) < 0.0099 and almost no gradient gets through

The keys in `history.history` are `"{layer}/{figure}"`, e.g. `"L1/grad_norm"`.

    >>> import numpy as np, nn
    >>> nn.set_seed(0)
    >>> model = nn.Sequential([nn.Input(shape=(2,)), nn.Dense(4, activation="relu", name="L1"),
    ...                        nn.Dense(1, name="L2")])
    >>> model.compile(loss="mse", optimizer=nn.optimizers.SGD(learning_rate=0.1))
    >>> x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]); y = np.array([1.0, 1.0, 2.0])
    >>> history = model.fit(x, y, epochs=2, verbose=0, callbacks=[TrainingDiagnostics(x)])
    >>> sorted(k for k in history.history if k.startswith("L1/"))
    ['L1/dead_relu', 'L1/gd_step', 'L1/grad_norm', 'L1/step', 'L1/update_ratio']

How it reads the step: `fit`'s `train_step` zeroes the gradients, runs the recorded forward
and backward (which fills every weight's `.grad`), then the optimizer's step; the batch hook
runs after that, so it finds this batch's `.grad` and the updated weights, and keeps a copy
of the weights for the next batch's "before".
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

import numpy as np

import autograd_lite as ag

from . import activations
from .callbacks import Callback
from .layers.activation import Activation, ReLU
from .layers.core import KernelLayer

SATURATION = 0.01  # a sigmoid output within this of 0 or 1 counts as saturated
STEP_FIGURES = ("grad_norm", "update_ratio", "step", "gd_step")


class TrainingDiagnostics(Callback):
    """Per-layer gradient norm, update-to-weight ratio, optimizer step against plain gradient
    descent's, dead ReLU and saturated sigmoid fractions (see the module's docstring).

    Args:
        x: a batch of inputs (e.g. `X[:256]`) for the dead-ReLU and saturation figures; None
            records only the figures of the steps.
        verbose: print the figures under each epoch's progress line (when fit prints one).
        stream: where to print (default: standard output).
    """

    def __init__(self, x: Any = None, verbose: bool = True, stream: TextIO | None = None) -> None:
        super().__init__()
        self.x = None if x is None else np.asarray(x, dtype=np.float32)
        self.verbose = bool(verbose)
        self.stream = stream
        self._pending = ""  # the last epoch's lines, until the progress bar has printed its own

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.layers = [layer for layer in self.model.layers if layer.trainable_weights]
        self.before = [_weights(layer) for layer in self.layers]

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self._print_pending()
        self.sums = {layer.name: dict.fromkeys(STEP_FIGURES, 0.0) for layer in self.layers}
        self.batches = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        rate = float(getattr(self.model.optimizer, "learning_rate", np.nan))
        for i, layer in enumerate(self.layers):
            figures = step_figures(layer, self.before[i], rate)
            for name, value in figures.items():
                self.sums[layer.name][name] += value
            self.before[i] = _weights(layer)
        self.batches += 1

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        figures = {
            f"{name}/{figure}": total / max(self.batches, 1)
            for name, sums in self.sums.items()
            for figure, total in sums.items()
        }
        if self.x is not None:
            figures.update(activation_figures(self.model, self.x))
        if logs is not None:
            logs.update(figures)  # History, which runs after this callback, records them
        if self.verbose and self.params.get("verbose"):
            # printed when the next epoch or the training starts: the progress bar, the last
            # callback (as in Keras), writes the epoch's line after this
            self._pending = progress_lines(figures)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        self._print_pending()
        self.before = []  # the copies of the weights are not needed any more

    def _print_pending(self) -> None:
        if self._pending:
            stream = self.stream if self.stream is not None else sys.stdout
            stream.write(self._pending)
            self._pending = ""


def step_figures(layer: Any, before: list[np.ndarray], learning_rate: float) -> dict[str, float]:
    """grad_norm, update_ratio, step and gd_step of one layer's last step (see the module),
    from its weights before the step and its weights and `.grad` now."""
    weights = layer.trainable_weights
    grads = [w.grad if w.grad is not None else np.zeros_like(w.data) for w in weights]
    change = np.concatenate([(w.data - b).ravel() for w, b in zip(weights, before)])
    g = np.concatenate([np.asarray(gw, np.float64).ravel() for gw in grads])
    old = np.linalg.norm(np.concatenate([b.ravel() for b in before]))
    return {
        "grad_norm": float(np.linalg.norm(g)),
        "update_ratio": float(np.linalg.norm(change) / old) if old > 0 else float("nan"),
        "step": float(np.abs(change).mean()),
        "gd_step": float(learning_rate * np.abs(g).mean()),
    }


def activation_figures(model: Any, x: np.ndarray) -> dict[str, float]:
    """`{layer}/dead_relu` and `{layer}/saturated` for the ReLU and sigmoid layers, from one
    forward pass on `x` without recording a graph (training=False: no dropout)."""
    figures = {}
    with ag.no_grad():
        h = ag.from_numpy(x)
        for layer in model.layers:
            h = layer(h, training=False)
            kind = _activation_kind(layer)
            out = h.data.reshape(-1, h.shape[-1])
            if kind == "relu":
                figures[f"{layer.name}/dead_relu"] = float(np.all(out <= 0, axis=0).mean())
            elif kind == "sigmoid":
                saturated = (out < SATURATION) | (out > 1 - SATURATION)
                figures[f"{layer.name}/saturated"] = float(saturated.mean())
    return figures


def progress_lines(figures: dict[str, float]) -> str:
    """One line per layer under the progress line:
    `  L1: grad_norm 0.1234 - update_ratio 1.2e-03 - ...`."""
    by_layer: dict[str, list[str]] = {}
    for key, value in figures.items():
        layer, figure = key.rsplit("/", 1)
        by_layer.setdefault(layer, []).append(f"{figure} {value:.4g}")
    return "".join(f"  {layer}: {' - '.join(parts)}\n" for layer, parts in by_layer.items())


def plot_diagnostics(history: Any, layers: list[str] | None = None) -> Any:
    """The figures over the epochs, one panel each (matplotlib, imported here): gradient norm
    and update ratio on log scales (with the 1e-3 rule of thumb), the optimizer's step beside
    plain gradient descent's (dashed), dead ReLU and saturated sigmoid fractions.

    `history` is fit's History (or its `.history` dict); `layers` picks layer names (default:
    every layer with figures). Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", history)
    names = layers or list(dict.fromkeys(k.rsplit("/", 1)[0] for k in logs if "/" in k))
    if not names:
        raise ValueError(
            "plot_diagnostics: the history has no diagnostics; train with "
            "fit(..., callbacks=[nn.TrainingDiagnostics(x)])"
        )
    panels = [
        ("grad_norm", "gradient norm ||g||", "log"),
        ("update_ratio", "update / weight", "log"),
        ("step", "mean |step| (dashed: plain GD)", "log"),
        ("dead_relu", "dead ReLU units", "linear"),
        ("saturated", "saturated sigmoid outputs", "linear"),
    ]
    panels = [p for p in panels if any(f"{n}/{p[0]}" in logs for n in names)]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3), squeeze=False)
    for ax, (figure, title, scale) in zip(axes[0], panels):
        for i, name in enumerate(names):
            values = logs.get(f"{name}/{figure}")
            if values is None:
                continue
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, color=f"C{i}", label=name)
            if figure == "step" and f"{name}/gd_step" in logs:
                ax.plot(epochs, logs[f"{name}/gd_step"], color=f"C{i}", linestyle="--")
        if figure == "update_ratio":
            ax.axhline(1e-3, color="grey", linewidth=0.8, linestyle=":")
        ax.set_yscale(scale)
        if scale == "linear":  # a fraction: from 0, and 0 everywhere still reads as 0
            ax.set_ylim(0, max(0.05, 1.1 * ax.get_ylim()[1]))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("epoch")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def _weights(layer: Any) -> list[np.ndarray]:
    """Copies of the layer's trainable weights (the optimizer updates them in place)."""
    return [np.array(w.data, dtype=np.float64) for w in layer.trainable_weights]


def _activation_kind(layer: Any) -> str | None:
    """'relu' or 'sigmoid' for a layer whose output is that activation's, else None."""
    if isinstance(layer, ReLU):
        plain = layer.max_value is None and not layer.negative_slope and not layer.threshold
        return "relu" if plain else None
    function = getattr(layer, "activation", None)
    if isinstance(layer, (KernelLayer, Activation)):
        if function is activations.relu:
            return "relu"
        if function is activations.sigmoid:
            return "sigmoid"
    return None
