"""A convolutional layer on heartbeat-like signals, as in the course's Conv1D example.

Each example is 100 samples of a made-up EKG: a spike per beat, noise on top. Regular
heartbeats (class 0) have evenly spaced beats; irregular ones (class 1) jitter. A Conv1D
with kernel_size=20 and strides=10 looks at the windows x1..x20, x11..x30, ... (9 of them),
the same small filters slid along the signal; a Dense layer reads the 9 x 8 responses.

Run with `python examples/conv_ekg.py [epochs]`. Writes no files.
"""

from __future__ import annotations

import sys

import numpy as np

import nn
from nn import Conv1D, Dense, Flatten, Sequential
from nn.losses import BinaryCrossentropy
from nn.optimizers import Adam

LENGTH = 100


def heartbeats(count: int, irregular: bool, rng: np.random.Generator) -> np.ndarray:
    """`count` signals of LENGTH samples: spikes every ~12 samples, jittered when irregular."""
    signals = rng.normal(0.0, 0.15, size=(count, LENGTH))
    for signal in signals:
        position = rng.integers(0, 12)
        while position < LENGTH:
            signal[position] += 1.0
            if position + 1 < LENGTH:
                signal[position + 1] -= 0.4  # the dip after the spike
            position += 12 + (rng.integers(-6, 7) if irregular else 0)
    return signals


def main(epochs: int = 30) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = np.concatenate([heartbeats(600, False, rng), heartbeats(600, True, rng)])[..., None]
    y = np.repeat([0.0, 1.0], 600)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]  # (1200, 100, 1): one channel per time step
    x_train, y_train, x_test, y_test = x[:1000], y[:1000], x[1000:], y[1000:]

    nn.set_seed(1234)
    model = Sequential(
        [
            nn.Input(shape=(LENGTH, 1)),
            Conv1D(8, kernel_size=20, strides=10, activation="relu", name="conv"),
            Flatten(),
            Dense(1, activation="sigmoid", name="out"),
        ],
        name="ekg",
    )
    model.summary()
    model.compile(loss=BinaryCrossentropy(), optimizer=Adam(0.01), metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, verbose=0)
    accuracy = {
        "train": float(np.mean((model.predict(x_train)[:, 0] > 0.5) == y_train)),
        "test": float(np.mean((model.predict(x_test)[:, 0] > 0.5) == y_test)),
    }
    print(
        "regular or irregular heartbeat: "
        f"train accuracy {accuracy['train']:.3f}, test {accuracy['test']:.3f}"
    )
    return accuracy


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))  # optional argument: the number of epochs
