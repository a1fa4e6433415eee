"""Receptive fields: which input positions each unit of a convolution (or a stack of them)
reads, and how many units send gradient back to each input position.

The course's EKG layer, Conv1D(kernel_size=20, strides=10) on 100 samples, has 9 units: unit
1 reads x1..x20, unit 2 x11..x30, ..., unit 9 x81..x100. Every input inside the overlaps is
read by 2 units, so in backprop it receives gradient from both; x1..x10 and x91..x100 from one:

>>> import nn
>>> from nn.layers.convolutional import Conv1D
>>> fields = receptive_fields(Conv1D(8, kernel_size=20, strides=10), input_shape=(100, 1))
>>> fields.output_shape, fields.counts[[0, 9, 10, 89, 90, 99]]
((9,), array([1, 1, 2, 2, 1, 1]))
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd_lite as ag

from .layers.base import Layer


@dataclass(frozen=True)
class ReceptiveFields:
    """What the units of a convolution read, as positions of the input (channels aside).

    reads[u, p] is True when output unit u (its spatial positions flattened, row by row)
    depends on input position p (flattened the same way). Padding is not an input position:
    a window that hangs over the edge reads fewer positions.
    """

    input_shape: tuple[int, ...]  # the input's spatial shape: (steps,) or (rows, columns)
    output_shape: tuple[int, ...]  # the units' spatial shape
    reads: np.ndarray  # bool, (units, input positions)

    @property
    def counts(self) -> np.ndarray:
        """How many units read each input position (input_shape): how many units send
        gradient back to it in backprop."""
        return self.reads.sum(axis=0).reshape(self.input_shape)

    def unit(self, *index: int) -> np.ndarray:
        """The input positions (a bool array of input_shape) that unit `index` reads."""
        flat = np.ravel_multi_index(index, self.output_shape)
        return self.reads[flat].reshape(self.input_shape)


def receptive_fields(
    layer_or_model: Any, input_shape: tuple[int, ...] | None = None
) -> ReceptiveFields:
    """The receptive fields of a Conv1D/Conv2D or pooling layer, or of the convolutions and
    poolings a Sequential model starts with (composed: a unit reads the union of what the
    units below it read; layers that keep the shape, such as activations, pass positions
    through). `input_shape` (no batch axis, channels last) is needed when the layer or model
    is not built.

    The windows are the engine's own `sliding_windows` of the layer's settings, applied to the
    input positions' numbers, so the picture is exactly what the layer computes.
    """
    layers, shape = _window_layers(layer_or_model, input_shape)
    spatial = tuple(shape[1:-1])
    reads = np.eye(math.prod(spatial), dtype=bool)  # the input reads itself
    for layer in layers:
        if not _has_windows(layer):
            if not _keeps_positions(layer, shape):
                break  # Flatten, GlobalPooling, ...: the fields end here
            shape = layer.compute_output_shape(shape)
            continue
        connections = _connections(layer, tuple(shape[1:-1]))
        reads = (connections.astype(np.int64) @ reads) > 0
        shape = layer.compute_output_shape(shape)
    return ReceptiveFields(spatial, tuple(shape[1:-1]), reads)


def plot_receptive_fields(
    layer_or_model: Any,
    input_shape: tuple[int, ...] | None = None,
    units: list[tuple[int, ...]] | None = None,
    to_file: str | os.PathLike | None = None,
) -> Any:
    """Draw which input positions each output unit reads, and how many units send gradient
    back to each input position (`receptive_fields` gives the numbers).

    1-D (Conv1D): one bar per unit over the input positions it reads (x1 is the first), and
    under it the count per input position. 2-D (Conv2D): the input grid with the windows of
    some units (`units`, default the corners and the centre) and a map of the counts.
    Returns the matplotlib Figure; writes it to `to_file` if given (.png, .svg, .pdf).
    """
    fields = receptive_fields(layer_or_model, input_shape)
    plt = _pyplot()
    title = _title(layer_or_model)
    if len(fields.input_shape) == 1:
        figure = _plot_1d(plt, fields, title)
    elif len(fields.input_shape) == 2:
        figure = _plot_2d(plt, fields, title, units)
    else:
        raise ValueError(
            f"plot_receptive_fields: draws 1-D and 2-D inputs, got spatial shape "
            f"{fields.input_shape}"
        )
    if to_file is not None:
        figure.savefig(to_file, dpi=110, bbox_inches="tight")
    return figure


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "plot_receptive_fields needs matplotlib: pip install 'autograd-lite[examples]'"
        ) from None
    return plt


def _has_windows(layer: Layer) -> bool:
    return hasattr(layer, "strides") and (
        hasattr(layer, "kernel_size") or hasattr(layer, "pool_size")
    )


def _window_layers(layer_or_model: Any, input_shape: Any) -> tuple[list[Layer], tuple]:
    """The layers to follow and the input shape (batch axis None)."""
    if isinstance(layer_or_model, Layer):
        layers = [layer_or_model]
        if not _has_windows(layer_or_model):
            raise ValueError(
                f"receptive_fields: layer '{layer_or_model.name}' "
                f"({type(layer_or_model).__name__}) has no windows; give a convolution or "
                "a pooling layer, or a model that starts with one"
            )
    elif hasattr(layer_or_model, "layers"):
        layers = list(layer_or_model.layers)
        if not layers or not _has_windows(layers[0]):
            raise ValueError(
                f"receptive_fields: model '{layer_or_model.name}' does not start with a "
                "convolution or a pooling layer"
            )
    else:
        raise TypeError(
            f"receptive_fields: expects a layer or a Sequential model, got {layer_or_model!r}"
        )
    if input_shape is not None:
        shape = (None, *input_shape)
    elif layers[0].built:
        shape = tuple(layers[0].input_shape)
    else:
        raise ValueError(
            f"receptive_fields: '{layers[0].name}' is not built; pass input_shape=... "
            "(no batch axis, channels last), e.g. (100, 1)"
        )
    rank = len(getattr(layers[0], "kernel_size", getattr(layers[0], "pool_size", ())))
    if len(shape) != rank + 2 or None in shape[1:]:
        raise ValueError(
            f"receptive_fields: '{layers[0].name}' ({type(layers[0]).__name__}) needs an "
            f"input shape of {rank} spatial axes and channels, got {shape[1:]}"
        )
    return layers, shape


def _keeps_positions(layer: Layer, shape: tuple) -> bool:
    """Whether a layer without windows keeps every position where it is (activations,
    dropout, normalisation, a Dense on the channels): its output has the same positions."""
    try:
        return tuple(layer.compute_output_shape(shape))[:-1] == tuple(shape)[:-1]
    except (ValueError, TypeError, AttributeError):
        return False


def _connections(layer: Layer, spatial: tuple[int, ...]) -> np.ndarray:
    """bool (output positions, input positions): which inputs each output of `layer` reads."""
    rank = len(spatial)
    size = getattr(layer, "kernel_size", None) or layer.pool_size
    dilation = getattr(layer, "dilation_rate", (1,) * rank)
    pads = [layer._padding(n, axis) for axis, n in enumerate(spatial)]
    numbers = np.pad(np.arange(math.prod(spatial)).reshape(spatial), pads, constant_values=-1)
    windows = ag.sliding_windows(  # numpy in, numpy out: the input numbers each unit reads
        numbers, size, layer.strides, axis=tuple(range(rank)), dilation=dilation
    )
    out_spatial = windows.shape[:rank]
    taps = windows.reshape(math.prod(out_spatial), -1)
    connections = np.zeros((len(taps), math.prod(spatial)), dtype=bool)
    unit, tap = np.nonzero(taps >= 0)  # padding (-1) is not an input position
    connections[unit, taps[unit, tap]] = True
    return connections


def _title(layer_or_model: Any) -> str:
    if isinstance(layer_or_model, Layer):
        layer = layer_or_model
        window = "kernel_size" if hasattr(layer, "kernel_size") else "pool_size"
        settings = [f"{window}={_short(getattr(layer, window))}"]
        settings.append(f"strides={_short(layer.strides)}")
        if max(getattr(layer, "dilation_rate", (1,))) > 1:
            settings.append(f"dilation_rate={_short(layer.dilation_rate)}")
        settings.append(f"padding='{layer.padding}'")
        return f"{type(layer).__name__}({', '.join(settings)})"
    return f"model '{layer_or_model.name}'"


def _short(values: tuple[int, ...]) -> str:
    """A setting as one writes it: 20 for (20,), (3, 3) for (3, 3)."""
    return str(values[0]) if len(values) == 1 else str(values)


def _plot_1d(plt: Any, fields: ReceptiveFields, title: str) -> Any:
    (length,) = fields.input_shape
    (count,) = fields.output_shape
    figure, (top, bottom) = plt.subplots(
        2, 1, sharex=True, figsize=(9, 2 + 0.3 * count), height_ratios=[max(count, 3), 3]
    )
    colours = plt.get_cmap("tab10")
    for unit in range(count):
        positions = np.flatnonzero(fields.reads[unit]) + 1  # x1 is the first input
        top.broken_barh(
            [(p - 0.5, 1) for p in positions], (unit + 0.6, 0.8), color=colours(unit % 10)
        )
        if len(positions):
            top.text(
                positions[-1] + 1,
                unit + 1,
                f"x{positions[0]}..x{positions[-1]}",
                va="center",
                fontsize=8,
            )
    top.set_ylim(count + 0.6, 0.4)
    top.set_yticks(range(1, count + 1))
    top.set_ylabel("output unit")
    top.set_title(f"{title}: {count} units on {length} inputs")
    counts = fields.counts
    bottom.bar(
        np.arange(1, length + 1),
        counts,
        width=1.0,
        color="#4c72b0",
        edgecolor="white",
        linewidth=0.3,
    )
    bottom.set_yticks(range(int(counts.max()) + 1))
    bottom.set_ylabel("units")
    bottom.set_xlabel(f"input position (x1 ... x{length})")
    bottom.set_title("how many units send gradient back to each input position", fontsize=10)
    bottom.set_xlim(0.5, length + 0.5)
    figure.tight_layout()
    return figure


def _plot_2d(plt: Any, fields: ReceptiveFields, title: str, units: Any) -> Any:
    rows, columns = fields.input_shape
    out_rows, out_columns = fields.output_shape
    if units is None:  # the corners and the centre
        units = sorted(
            {
                (0, 0),
                (0, out_columns - 1),
                (out_rows - 1, 0),
                (out_rows - 1, out_columns - 1),
                (out_rows // 2, out_columns // 2),
            }
        )
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 5))
    colours = plt.get_cmap("tab10")
    left.imshow(np.zeros((rows, columns)), cmap="Greys", vmin=0, vmax=1)
    for k, unit in enumerate(units):
        read = fields.unit(*unit)
        colour = colours(k % 10)
        layer_rgba = np.zeros((rows, columns, 4))
        layer_rgba[read] = (*colour[:3], 0.45)
        left.imshow(layer_rgba, interpolation="nearest")
        where = np.argwhere(read)
        (top, lft), (bottom, rgt) = where.min(axis=0), where.max(axis=0)
        left.add_patch(
            plt.Rectangle(
                (lft - 0.5, top - 0.5),
                rgt - lft + 1,
                bottom - top + 1,
                fill=False,
                edgecolor=colour,
                linewidth=2,
                label=f"unit {unit}",
            )
        )
    left.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    left.set_title(f"{title}\nwhat some of the {out_rows} x {out_columns} units read", fontsize=10)
    counts = fields.counts
    image = right.imshow(counts, cmap="viridis")
    if rows * columns <= 400:
        for (r, c), n in np.ndenumerate(counts):
            right.text(
                c,
                r,
                str(n),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if n < counts.max() * 0.6 else "black",
            )
    figure.colorbar(image, ax=right, fraction=0.046, pad=0.04)
    right.set_title("how many units send gradient back\nto each input position", fontsize=10)
    for ax in (left, right):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    figure.tight_layout()
    return figure
