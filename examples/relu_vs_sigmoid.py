"""ReLU vs sigmoid hidden units on a piecewise-linear target (the course's ReLU lab).

A ReLU unit is "off" (0) on one side of its kink and linear on the other, so a few of them
add up to a piecewise-linear function. The target here is flat, then rises, then rises
faster: three ReLU units can fit it almost exactly, sigmoid units only approximately.

Run with `python examples/relu_vs_sigmoid.py [epochs]`. Writes no files.
"""

from __future__ import annotations

import sys

import numpy as np

import nn
from nn import Dense, Input, Sequential
from nn.optimizers import Adam


def target(x: np.ndarray) -> np.ndarray:
    """0 up to 1, slope 2 from 1 to 2, slope 4 after 2."""
    return 2 * np.maximum(x - 1, 0) + 2 * np.maximum(x - 2, 0)


def train(activation: str, x: np.ndarray, y: np.ndarray, epochs: int) -> float:
    nn.set_seed(1)
    model = Sequential([Input(shape=(1,)), Dense(3, activation=activation), Dense(1)])
    model.compile(loss="mse", optimizer=Adam(learning_rate=0.03))
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return history.history["loss"][-1]


def main(epochs: int = 300) -> dict[str, float]:
    x = np.linspace(0, 3, 200).reshape(-1, 1)
    y = target(x)
    results = {activation: train(activation, x, y, epochs) for activation in ("relu", "sigmoid")}
    for activation, mse in results.items():
        print(f"3 {activation} units: final mean squared error {mse:.2e}")
    return results


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))  # optional argument: the number of epochs
