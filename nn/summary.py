"""The text of `model.summary()`, in the course-era tf.keras 2.9 layout:

    Model: "my_model"
    _________________________________________________________________
     Layer (type)                Output Shape              Param #
    =================================================================
     L1 (Dense)                  (None, 25)                10025
    <blank row>
     L2 (Dense)                  (None, 15)                390
    <blank row>
    =================================================================
    Total params: 10,415
    Trainable params: 10,415
    Non-trainable params: 0
    _________________________________________________________________

(rows are padded with spaces to 65 columns, as tf.keras prints them; the per-layer counts
have no separators and the totals do, as in tf.keras 2.9. A layer's Param # counts all its
weights; non-trainable ones, such as BatchNormalization's moving mean and variance, are
counted again in Non-trainable params.)
"""

from __future__ import annotations

from typing import Any

from .layers.base import format_shape

LINE_LENGTH = 65
COLUMN_ENDS = (29, 55, 65)  # tf.keras 2's positions [.45, .85, 1.] of 65 columns


def summary_text(model: Any) -> str:
    """The summary table of a built Sequential model."""
    lines = [f'Model: "{model.name}"', "_" * LINE_LENGTH]
    lines.append(_row(["Layer (type)", "Output Shape", "Param #"]))
    lines.append("=" * LINE_LENGTH)
    shape = model.input_shape
    for layer in model.layers:
        shape = layer.compute_output_shape(shape)
        name = f"{layer.name} ({type(layer).__name__})"
        lines += [_row([name, format_shape(shape), str(layer.count_params())]), " " * LINE_LENGTH]
    trainable = sum(w.size for w in model.trainable_weights)
    frozen = sum(w.size for w in model.non_trainable_weights)  # moving statistics
    lines += [
        "=" * LINE_LENGTH,
        f"Total params: {trainable + frozen:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {frozen:,}",
        "_" * LINE_LENGTH,
    ]
    return "\n".join(lines)


def _row(fields: list[str]) -> str:
    line, start = " ", 0  # tf.keras starts each row with one space
    for field, end in zip(fields, COLUMN_ENDS):
        space = 2 if end != COLUMN_ENDS[-1] else 0  # two spaces between columns
        line = (line + field[: end - start - space] + " " * space).ljust(end)
        start = end
    return line
