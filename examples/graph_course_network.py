"""One training step of the course's 400-25-15-10 network, drawn layer by layer.

    python examples/graph_course_network.py [OUT_DIR]   # default out/

writes step.png and step.svg (the recorded graph of the step, after backward),
step_rules.png (each op with its backward rule), model.png (the layers, `nn.plot_model`)
and backprop.html (backward step by step). The model is a real `nn.Sequential`: each layer
records its ops inside `ag.name_scope`, so the picture groups them the same way:
`L1 (Dense)`, ..., `SparseCategoricalCrossentropy`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import autograd_lite as ag
import nn
from nn.losses import SparseCategoricalCrossentropy


def course_model() -> nn.Sequential:
    """Dense(25, relu) -> Dense(15, relu) -> Dense(10) logits on 400 pixels, seeded."""
    nn.set_seed(1234)
    return nn.Sequential(
        [
            nn.Input(shape=(400,)),
            nn.Dense(25, activation="relu", name="L1"),
            nn.Dense(15, activation="relu", name="L2"),
            nn.Dense(10, name="L3"),
        ],
        name="my_model",
    )


def training_step(model: nn.Sequential | None = None, batch: int = 32, seed: int = 0) -> ag.Tensor:
    """The loss of one batch of random images and labels, after `loss.backward()`."""
    model = course_model() if model is None else model
    rng = np.random.default_rng(seed)
    x = ag.Tensor(rng.standard_normal((batch, 400)).astype(np.float32), name="x")
    y = rng.integers(0, 10, batch)
    loss = SparseCategoricalCrossentropy(from_logits=True)(y, model(x))
    loss.name = "loss"
    loss.backward()
    return loss


def main(out: Path) -> list[Path]:
    """Write the pictures of one step into `out`; returns their paths."""
    model = course_model()
    loss = training_step(model)
    nn.plot_model(model, to_file=out / "model.png")
    return [
        ag.render_graph(loss, out / "step.png", rankdir="TB"),
        ag.render_graph(loss, out / "step.svg", rankdir="TB"),
        ag.render_graph(loss, out / "step_rules.png", rankdir="TB", show_rule=True),
        out / "model.png",
        ag.save_backward_html(loss, out / "backprop.html", rankdir="TB"),
    ]


if __name__ == "__main__":
    for path in main(Path(sys.argv[1] if len(sys.argv) > 1 else "out")):
        print("wrote", path)
