"""Adam against plain gradient descent, on the course's multiclass example.

Four blobs of points (scikit-learn's `make_blobs`, as in the course lab) classified by a
2-25-15-4 ReLU network with a linear output and SparseCategoricalCrossentropy(from_logits=True).
The same network, from the same initial weights, is trained twice: with SGD at a learning
rate of 0.01 and with Adam at 0.001. Adam adapts a step size per parameter (from running
averages of each gradient and its square), so it gets much further in the same epochs.

Run with `python examples/adam.py [epochs]`. Writes no files.
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.datasets import make_blobs

import nn
from nn import Dense, Sequential
from nn.losses import SparseCategoricalCrossentropy
from nn.optimizers import SGD, Adam


def train(
    optimizer: nn.optimizers.Optimizer, x: np.ndarray, y: np.ndarray, epochs: int
) -> list[float]:
    nn.set_seed(1234)  # the same initial weights for both optimizers
    model = Sequential(
        [
            nn.Input(shape=(2,)),
            Dense(25, activation="relu", name="L1"),
            Dense(15, activation="relu", name="L2"),
            Dense(4, activation="linear", name="L3"),
        ]
    )
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer=optimizer)
    return model.fit(x, y, epochs=epochs, verbose=0).history["loss"]


def main(epochs: int = 20) -> dict[str, float]:
    centers = [[-5, 2], [-2, -2], [1, 2], [5, -2]]
    x, y = make_blobs(n_samples=2000, centers=centers, cluster_std=1.0, random_state=30)
    losses = {
        "SGD(learning_rate=0.01)": train(SGD(learning_rate=0.01), x, y, epochs),
        "Adam(learning_rate=0.001)": train(Adam(learning_rate=0.001), x, y, epochs),
    }
    print(f"{'epoch':>5}  " + "  ".join(f"{name:>26}" for name in losses))
    for epoch in sorted({0, 1, 2, 4, epochs // 2, epochs - 1}):
        print(
            f"{epoch + 1:>5}  " + "  ".join(f"{curve[epoch]:>26.4f}" for curve in losses.values())
        )
    return {name: curve[-1] for name, curve in losses.items()}


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))  # optional argument: the number of epochs
