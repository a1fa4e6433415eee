"""A small convolutional network on scikit-learn's 8x8 digits, the next step after the
course's dense network (examples/digits.py, about 0.958 test accuracy on the same split).

Each unit of a Conv2D looks at a 3 x 3 patch of the image, and the units of one filter share
their weights as the patch slides: a stroke is recognised wherever it is. MaxPooling2D keeps
the strongest response of each 2 x 2 block, so the second convolution sees a coarser
picture. The same data, split, loss, optimizer and seed as the dense example:

    Reshape((8, 8, 1))                    the 64 pixels as an 8 x 8 image, one channel
    Conv2D(16, 3, padding='same', relu)   -> (8, 8, 16)
    MaxPooling2D(2)                       -> (4, 4, 16)
    Conv2D(32, 3, relu)                   -> (2, 2, 32)
    Flatten, Dense(10, linear)            -> logits

Run with `python examples/cnn_digits.py [epochs]`. Writes no files.
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nn
from nn import Dense, Flatten, Input, Sequential
from nn.layers.convolutional import Conv2D
from nn.layers.pooling import MaxPooling2D
from nn.layers.reshaping import Reshape
from nn.losses import SparseCategoricalCrossentropy
from nn.optimizers import Adam


def digits_split() -> list[np.ndarray]:
    """scikit-learn's 8x8 digits (pixels scaled to 0..1): X_train, X_test, y_train, y_test,
    the split of examples/digits.py."""
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)  # pixel intensities 0..16 -> 0..1
    return train_test_split(X, digits.target, test_size=0.2, random_state=0)


def make_model(name: str = "cnn_digits") -> Sequential:
    """The network above, with linear outputs (logits)."""
    return Sequential(
        [
            Input(shape=(64,)),
            Reshape((8, 8, 1), name="image"),
            Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
            MaxPooling2D(2, name="pool"),
            Conv2D(32, 3, activation="relu", name="conv2"),
            Flatten(name="flatten"),
            Dense(10, activation="linear", name="logits"),
        ],
        name=name,
    )


def main(epochs: int = 20, verbose: int = 0) -> dict[str, float]:
    """Train and report; returns the train and test accuracy."""
    X_train, X_test, y_train, y_test = digits_split()
    nn.set_seed(1234)
    model = make_model()
    model.summary()
    model.compile(
        loss=SparseCategoricalCrossentropy(from_logits=True),
        optimizer=Adam(learning_rate=0.003),
        metrics=["accuracy"],
    )
    model.fit(X_train, y_train, epochs=epochs, verbose=verbose)

    accuracy = {
        "train": float(np.mean(model.predict(X_train, verbose=0).argmax(axis=1) == y_train)),
        "test": float(np.mean(model.predict(X_test, verbose=0).argmax(axis=1) == y_test)),
    }
    print(
        f"accuracy: train {accuracy['train']:.3f}, test {accuracy['test']:.3f} "
        "(the dense network of examples/digits.py: test 0.958)"
    )
    return accuracy


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]), verbose=1)  # optional argument: the epochs
