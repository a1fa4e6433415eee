"""The plots of the course notebooks, shared by all of them (matplotlib only).

Each function draws one figure and shows it: inline in Jupyter, or left open for
`plt.savefig` when run as a script (matplotlib's Agg backend when there is no display).
Values may be numpy arrays or autograd_lite Tensors (anything `np.asarray` takes).
The notebooks also read `FAST` here: the test suite sets AUTOGRAD_LITE_FAST=1 to run
them with fewer epochs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.ticker

if "ipykernel" not in sys.modules and not os.environ.get("DISPLAY"):
    matplotlib.use("Agg")  # headless script: draw into memory, never open a window

import matplotlib.pyplot as plt  # after matplotlib.use: the backend is chosen first
import numpy as np

FAST = os.environ.get("AUTOGRAD_LITE_FAST") == "1"

CLASS_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:red", "tab:brown")

plt.rcParams.update(
    {
        "figure.dpi": 96,
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.fontsize": 10,
    }
)


def _show(fig: plt.Figure) -> None:
    """Lay out and show `fig` (closed after showing, so a cell shows it once)."""
    fig.tight_layout()
    if "inline" in matplotlib.get_backend() or plt.isinteractive():
        plt.show()


def _array(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


# --- activations and units ---------------------------------------------------------------------


def activation_curves(
    functions: Mapping[str, Callable[[np.ndarray], Any]], lo: float = -5.0, hi: float = 5.0
) -> None:
    """One panel per activation g(z), for z in [lo, hi]; g gets z as a column (a batch of
    201 examples of one feature), so an activation layer such as LeakyReLU works too."""
    z = np.linspace(lo, hi, 201, dtype=np.float32).reshape(-1, 1)
    fig, axes = plt.subplots(1, len(functions), figsize=(3.4 * len(functions), 3.2))
    for ax, (name, g) in zip(np.atleast_1d(axes), functions.items()):
        ax.plot(z.ravel(), _array(g(z)).ravel(), lw=2)
        ax.axhline(0, color="k", lw=0.6)
        ax.axvline(0, color="k", lw=0.6)
        ax.set(title=name, xlabel="z", ylabel="g(z)")
    _show(fig)


def piecewise_fit(
    x: np.ndarray, target: np.ndarray, units: np.ndarray, output: np.ndarray, title: str
) -> None:
    """Left: each hidden unit's contribution w2_j * a_j(x) to the output. Right: their sum
    plus the bias (the model's output) against the target."""
    x, units = _array(x).ravel(), _array(units)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    for j in range(units.shape[1]):
        left.plot(x, units[:, j], lw=2, label=f"unit {j}")
    left.set(title="each unit's contribution w2_j * a_j(x)", xlabel="x", ylabel="contribution")
    left.legend()
    right.plot(x, _array(target).ravel(), "k", lw=4, alpha=0.3, label="target")
    right.plot(x, _array(output).ravel(), "tab:red", lw=2, label="model output")
    right.set(title=title, xlabel="x", ylabel="y")
    right.legend()
    _show(fig)


# --- softmax ---------------------------------------------------------------------------------


def softmax_bars(z: Sequence[float], a: Sequence[float]) -> None:
    """The logits z next to softmax(z): any real numbers in, probabilities summing to 1 out."""
    z, a = _array(z).ravel(), _array(a).ravel()
    labels = [str(k) for k in range(len(z))]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.bar(labels, z, color="tab:gray")
    left.set(title="logits z", xlabel="class j", ylabel="z_j")
    right.bar(labels, a, color=CLASS_COLOURS[: len(a)])
    right.set(title=f"softmax(z): sum = {a.sum():.3f}", xlabel="class j", ylabel="a_j", ylim=(0, 1))
    for k, value in enumerate(a):
        right.annotate(f"{value:.3f}", (k, value), ha="center", va="bottom")
    _show(fig)


def output_ranges(outputs: Mapping[str, np.ndarray]) -> None:
    """A histogram of all the values of each model output, with its smallest and largest."""
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.2 * len(outputs), 3.3))
    for ax, (name, values) in zip(np.atleast_1d(axes), outputs.items()):
        values = _array(values).ravel()
        ax.hist(values, bins=40, color="tab:blue")
        ax.set(
            title=f"{name}\nmin {values.min():.3g}, max {values.max():.3g}",
            xlabel="output value",
            ylabel="count",
        )
    _show(fig)


# --- classification in the plane --------------------------------------------------------------


def _scatter_classes(ax: plt.Axes, X: np.ndarray, y: np.ndarray, size: int = 18) -> None:
    y = np.asarray(y).ravel().astype(int)
    for c in np.unique(y):
        ax.scatter(
            *X[y == c].T,
            s=size,
            color=CLASS_COLOURS[c],
            edgecolor="k",
            linewidth=0.3,
            label=f"class {c}",
        )


def _grid(X: np.ndarray, steps: int = 200, margin: float = 0.5):
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    u, v = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    return u, v, np.column_stack([u.ravel(), v.ravel()])


def classes(X: np.ndarray, y: np.ndarray, title: str = "training data") -> None:
    """The points of each class in their own colour."""
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    _scatter_classes(ax, _array(X), y)
    ax.set(title=title, xlabel="x0", ylabel="x1")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    _show(fig)


def decision_regions(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    title: str = "decision regions",
) -> None:
    """The class `predict` picks (argmax of its outputs) at every point of the plane."""
    X = _array(X)
    u, v, points = _grid(X)
    choice = np.asarray(predict(points)).argmax(axis=1).reshape(u.shape)
    n = int(max(choice.max(), np.max(y)) + 1)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    cmap = matplotlib.colors.ListedColormap(CLASS_COLOURS[:n])
    ax.contourf(u, v, choice, levels=np.arange(n + 1) - 0.5, cmap=cmap, alpha=0.25)
    _scatter_classes(ax, X, y)
    ax.set(title=title, xlabel="x0", ylabel="x1")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    _show(fig)


def relu_units(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray, layer: str = "L1"
) -> None:
    """One panel per ReLU unit j: its output a_j = max(0, x . w_j + b_j) over the input plane
    (white where it is off), with the data on top."""
    X, W, b = _array(X), _array(W), _array(b)
    u, v, points = _grid(X)
    fig, axes = plt.subplots(1, W.shape[1], figsize=(5.2 * W.shape[1], 4.2))
    for j, ax in enumerate(np.atleast_1d(axes)):
        a = np.maximum(0.0, points @ W[:, j] + b[j]).reshape(u.shape)
        shade = ax.contourf(u, v, np.ma.masked_equal(a, 0.0), levels=20, cmap="Greens")
        ax.contour(
            u,
            v,
            points.dot(W[:, j]).reshape(u.shape) + b[j],
            levels=[0.0],
            colors="k",
            linewidths=1.5,
        )
        _scatter_classes(ax, X, y, size=12)
        fig.colorbar(shade, ax=ax, label=f"a_{j}")
        ax.set(title=f"{layer} unit {j}: off (0) in the white half-plane", xlabel="x0", ylabel="x1")
    np.atleast_1d(axes)[0].legend(loc="lower left", fontsize=8)
    _show(fig)


def output_units(
    A: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray, layer: str = "L2"
) -> None:
    """One panel per linear output unit k: its logit z_k = a . w_k + b_k over the plane of the
    previous layer's activations a, with the examples placed where that layer sends them."""
    A, W, b = _array(A), _array(W), _array(b)
    lo, hi = np.full(2, -0.25), A.max(axis=0) + 0.5
    u, v = np.meshgrid(np.linspace(lo[0], hi[0], 150), np.linspace(lo[1], hi[1], 150))
    points = np.column_stack([u.ravel(), v.ravel()])
    n = W.shape[1]
    cols = min(n, 2)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5.6 * cols, 4.3 * rows), squeeze=False)
    for k, ax in enumerate(axes.flat[:n]):
        z = (points @ W[:, k] + b[k]).reshape(u.shape)
        shade = ax.contourf(u, v, z, levels=20, cmap="RdBu_r")
        fig.colorbar(shade, ax=ax, label=f"z_{k}")
        _scatter_classes(ax, A, y, size=30)
        ax.set(title=f"{layer} unit {k} (class {k}): z_{k}", xlabel="a_0", ylabel="a_1")
    axes.flat[0].legend(loc="upper right", fontsize=9)
    _show(fig)


# --- training curves -------------------------------------------------------------------------


def loss_curves(curves: Any, title: str = "loss", ylabel: str = "loss", log: bool = False) -> None:
    """Loss per epoch: a Keras-style `History` (its "loss" and "val_loss"), or a mapping of
    label -> list of values."""
    if hasattr(curves, "history"):
        curves = {name: values for name, values in curves.history.items() if "loss" in name}
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    # several curves: a wide pale line, then dashes and dots, so coinciding curves stay visible
    styles = [{"lw": 4, "alpha": 0.5}, {"lw": 2, "ls": "--"}, {"lw": 2, "ls": ":"}]
    if len(curves) == 1:
        styles = [{"lw": 2}]
    for k, (label, values) in enumerate(curves.items()):
        values = _array(values)
        ax.plot(np.arange(1, len(values) + 1), values, label=label, **styles[k % len(styles)])
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set(title=title, xlabel="epoch", ylabel=ylabel)
    if log:
        ax.set_yscale("log")
    ax.legend()
    _show(fig)


def paths(
    trajectories: Mapping[str, np.ndarray], f: Callable[[np.ndarray, np.ndarray], Any], title: str
) -> None:
    """Parameter trajectories (w0, w1) over the contour lines of the cost f(w0, w1)."""
    stacked = np.concatenate([_array(t) for t in trajectories.values()])
    lo, hi = stacked.min(axis=0) - 0.5, stacked.max(axis=0) + 0.5
    u, v = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    fig, ax = plt.subplots(figsize=(9.5, 4.5))
    ax.contour(u, v, _array(f(u, v)), levels=15, cmap="Greys", linewidths=0.8)
    for label, t in trajectories.items():
        t = _array(t)
        ax.plot(t[:, 0], t[:, 1], "o-", ms=3, lw=1.5, label=f"{label} ({len(t) - 1} steps)")
    ax.plot(0, 0, "k*", ms=12, label="minimum")
    ax.set(title=title, xlabel="w0", ylabel="w1")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    _show(fig)


# --- signals ---------------------------------------------------------------------------------


def signals(x: np.ndarray, y: np.ndarray, names: Sequence[str], count: int = 2) -> None:
    """The first `count` signals of each class, one row per class."""
    x, y = _array(x)[..., 0] if np.ndim(x) == 3 else _array(x), np.asarray(y).ravel()
    fig, axes = plt.subplots(len(names), 1, figsize=(10, 2.3 * len(names)), sharex=True)
    for c, (ax, name) in enumerate(zip(axes, names)):
        for signal in x[y == c][:count]:
            ax.plot(signal, lw=1)
        ax.set(title=f"class {c}: {name}", ylabel="signal")
    axes[-1].set_xlabel("time step")
    _show(fig)


def conv_windows(signal: np.ndarray, kernel_size: int, strides: int) -> None:
    """Which samples of `signal` each output position of a Conv1D(kernel_size, strides) reads."""
    signal = _array(signal).ravel()
    starts = range(0, len(signal) - kernel_size + 1, strides)
    fig, ax = plt.subplots(figsize=(10, 3.6))
    ax.plot(signal, "k", lw=1)
    top = signal.max()
    for k, start in enumerate(starts):
        level = top + 0.25 + 0.2 * (k % 2)
        ax.plot(
            [start, start + kernel_size - 1],
            [level, level],
            lw=4,
            color=CLASS_COLOURS[k % len(CLASS_COLOURS)],
        )
        ax.annotate(f"{k}", (start + kernel_size / 2, level), ha="center", va="bottom", fontsize=9)
    ax.set(
        title=f"Conv1D(kernel_size={kernel_size}, strides={strides}): "
        f"the window of each of the {len(starts)} output positions",
        xlabel="time step",
        ylabel="signal",
    )
    _show(fig)


def filters(kernel: np.ndarray, title: str = "learned filters") -> None:
    """The weights of each filter of a Conv1D kernel (kernel_size, 1, filters)."""
    kernel = _array(kernel)[:, 0, :]
    n = kernel.shape[1]
    cols = min(n, 4)
    fig, axes = plt.subplots(
        (n + cols - 1) // cols,
        cols,
        figsize=(3.0 * cols, 2.2 * n / cols),
        sharex=True,
        squeeze=False,
    )
    for j, ax in enumerate(axes.flat):
        ax.bar(np.arange(kernel.shape[0]), kernel[:, j], color="tab:blue")
        ax.set_title(f"filter {j}", fontsize=10)
    fig.suptitle(title)
    _show(fig)


# --- digits ----------------------------------------------------------------------------------


def _image(x: np.ndarray) -> np.ndarray:
    """One stored digit (400 values, column by column as the course's data) as 20x20 rows."""
    return np.asarray(x).reshape((20, 20)).T


def digit(x: np.ndarray, title: str = "") -> None:
    fig, ax = plt.subplots(figsize=(2.2, 2.4))
    ax.imshow(_image(x), cmap="gray")
    ax.set_title(title)
    ax.set_axis_off()
    _show(fig)


def digit_grid(
    X: np.ndarray, labels: np.ndarray, predicted: np.ndarray, title: str = "label, prediction"
) -> None:
    """An 8x8 grid of digits titled "label,prediction"; wrong predictions in red."""
    labels, predicted = np.asarray(labels).ravel(), np.asarray(predicted).ravel()
    fig, axes = plt.subplots(8, 8, figsize=(6.5, 7.2))
    for ax, x, label, guess in zip(axes.flat, X, labels, predicted):
        ax.imshow(_image(x), cmap="gray")
        ax.set_title(f"{label},{guess}", fontsize=10, color="k" if label == guess else "red")
        ax.set_axis_off()
    fig.suptitle(title, fontsize=13)
    _show(fig)


def misclassified(
    X: np.ndarray, labels: np.ndarray, predicted: np.ndarray, limit: int = 24
) -> None:
    """The first `limit` digits whose prediction differs from their label, 8 to a row."""
    labels, predicted = np.asarray(labels).ravel(), np.asarray(predicted).ravel()
    wrong = np.flatnonzero(labels != predicted)
    if len(wrong) == 0:
        print("no misclassified digits")
        return
    shown = wrong[:limit]
    rows = (len(shown) + 7) // 8
    fig, axes = plt.subplots(rows, 8, figsize=(6.5, 0.95 * rows + 0.5), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, i in zip(axes.flat, shown):
        ax.imshow(_image(X[i]), cmap="gray")
        ax.set_title(f"{labels[i]},{predicted[i]}", fontsize=10, color="red")
    fig.suptitle(f"misclassified (label, prediction): {len(shown)} of {len(wrong)}", fontsize=12)
    _show(fig)
