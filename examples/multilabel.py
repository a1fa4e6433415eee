"""Multi-label classification: k sigmoid outputs, each its own yes/no question.

The course's example: from a picture, is there a car? a bus? a pedestrian? Here the inputs
are random feature vectors and each label asks whether a (hidden) linear score is positive.
One Dense(3, activation='sigmoid') output with BinaryCrossentropy on a (m, 3) 0/1 target.

Run with `python examples/multilabel.py [epochs]`. Writes no files.
"""

from __future__ import annotations

import sys

import numpy as np

import nn
from nn import Dense, Sequential
from nn.losses import BinaryCrossentropy
from nn.optimizers import Adam

QUESTIONS = ("car", "bus", "pedestrian")


def main(epochs: int = 30) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1500, 8))
    hidden = rng.normal(size=(8, 3))
    y = (x @ hidden > 0).astype(np.float32)  # (m, 3): several labels may be 1 at once
    x_train, y_train, x_test, y_test = x[:1200], y[:1200], x[1200:], y[1200:]

    nn.set_seed(1234)
    model = Sequential(
        [nn.Input(shape=(8,)), Dense(16, activation="relu"), Dense(3, activation="sigmoid")]
    )
    model.compile(loss=BinaryCrossentropy(), optimizer=Adam(0.01), metrics=["binary_accuracy"])
    model.fit(x_train, y_train, epochs=epochs, verbose=0)

    predicted = model.predict(x_test) > 0.5
    results = {q: float(np.mean(predicted[:, k] == y_test[:, k])) for k, q in enumerate(QUESTIONS)}
    for question, accuracy in results.items():
        print(f"is there a {question}? test accuracy {accuracy:.3f}")
    print("probabilities for the first test example:", np.round(model.predict(x_test[:1])[0], 3))
    return results


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))  # optional argument: the number of epochs
