"""One training step of the course's 400-25-15-10 network, drawn layer by layer.

    python examples/graph_course_network.py [OUT_DIR]   # writes step.png, step.svg, backprop.html

The layers are written with engine ops inside `ag.name_scope`, as nn's Dense does, so the
picture groups them the same way: `L1 (Dense)`, ..., `SparseCategoricalCrossentropy`.
"""

import itertools
import sys
from pathlib import Path

import numpy as np

import autograd_lite as ag

SIZES = (400, 25, 15, 10)


def training_step(batch: int = 32, seed: int = 0) -> ag.Tensor:
    """The loss of one batch through Dense(25, relu), Dense(15, relu), Dense(10), after backward."""
    rng = np.random.default_rng(seed)
    x = ag.Tensor(rng.standard_normal((batch, SIZES[0])).astype(np.float32), name="x")
    y = rng.integers(0, SIZES[-1], batch)
    h = x
    for i, (n_in, n_out) in enumerate(itertools.pairwise(SIZES), start=1):
        scale = np.sqrt(2.0 / n_in)  # He initialisation, for the ReLUs
        kernel = ag.Tensor(
            (rng.standard_normal((n_in, n_out)) * scale).astype(np.float32),
            requires_grad=True,
            name=f"L{i}/kernel",
        )
        bias = ag.Tensor(np.zeros(n_out, np.float32), requires_grad=True, name=f"L{i}/bias")
        with ag.name_scope(f"L{i} (Dense)"):
            h = h @ kernel + bias
            if i < len(SIZES) - 1:
                h = h.relu()
    with ag.name_scope("SparseCategoricalCrossentropy"):
        loss = (ag.logsumexp(h, axis=-1) - h[np.arange(batch), y]).mean()
    loss.name = "loss"
    loss.backward()
    return loss


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    loss = training_step()
    print("wrote", ag.render_graph(loss, out / "step.png"))
    print("wrote", ag.render_graph(loss, out / "step.svg"))
    print("wrote", ag.save_backward_html(loss, out / "backprop.html"))
