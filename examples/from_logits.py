"""Why the course prefers a linear output with `from_logits=True` over a softmax output.

Two models, the same data: (a) Dense(..., activation='softmax') with the plain loss, and
(b) Dense(..., activation='linear') with SparseCategoricalCrossentropy(from_logits=True),
whose loss is computed as logsumexp(z) - z[y] instead of -log(softmax(z)[y]). Both train;
the second is exact even for huge logits, where the first has to clip probabilities at 1e-7.

Run with `python examples/from_logits.py [epochs]`. Writes no files.
"""

from __future__ import annotations

import sys

import numpy as np

import nn
from nn import Dense, Sequential
from nn.losses import SparseCategoricalCrossentropy
from nn.optimizers import Adam


def blobs(m: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four classes of points around (+-2, +-2), as in the course's softmax lab."""
    rng = np.random.default_rng(seed)
    centres = np.array([[-2.0, 2.0], [2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])
    y = rng.integers(0, 4, m)
    return centres[y] + rng.normal(scale=1.0, size=(m, 2)), y


def train(
    output_activation: str, loss: nn.losses.Loss, x: np.ndarray, y: np.ndarray, epochs: int
) -> nn.Sequential:
    nn.set_seed(1234)
    model = Sequential(
        [
            Dense(25, activation="relu"),
            Dense(15, activation="relu"),
            Dense(4, activation=output_activation),
        ]
    )
    model.compile(loss=loss, optimizer=Adam(0.001), metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, verbose=0)
    return model


def main(epochs: int = 20) -> dict[str, float]:
    x, y = blobs()
    softmax_model = train("softmax", SparseCategoricalCrossentropy(), x, y, epochs)
    logits_model = train("linear", SparseCategoricalCrossentropy(from_logits=True), x, y, epochs)
    results = {
        "softmax output accuracy": float(np.mean(softmax_model.predict(x).argmax(1) == y)),
        "linear output + from_logits accuracy": float(
            np.mean(logits_model.predict(x).argmax(1) == y)
        ),
    }
    for name, value in results.items():
        print(f"{name}: {value:.3f}")
    print("the linear model's outputs are logits; nn.softmax turns them into probabilities:")
    print(np.round(nn.softmax(logits_model.predict(x[:2])), 3))

    # The numerics: the loss of a confident, wrong prediction (logit 1000 on class 0, label 1).
    z = np.array([[1000.0, 0.0, 0.0, 0.0]])
    exact = SparseCategoricalCrossentropy(from_logits=True)(np.array([1]), z)
    clipped = SparseCategoricalCrossentropy()(np.array([1]), nn.softmax(z))
    print(
        f"loss of logit 1000 on the wrong class: from logits {float(exact):.1f} (exact), "
        f"from probabilities {float(clipped):.2f} (softmax underflows to 0, clipped at 1e-7)"
    )
    results["loss from logits"] = float(exact)
    results["loss from probabilities"] = float(clipped)
    return results


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))  # optional argument: the number of epochs
