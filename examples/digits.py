"""Handwritten-digit recognition, the course's week-2 network on scikit-learn's 8x8 digits.

The course trains Dense(25, relu) -> Dense(15, relu) -> Dense(10, linear) on 20x20 images
(400 inputs) with SparseCategoricalCrossentropy(from_logits=True) and Adam; scikit-learn's
`load_digits` has 8x8 images, so here the network has 64 inputs. The code is the course's,
with only the imports changed.

Run with `make demo`, or `python examples/digits.py [epochs]`. Writes no files.
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nn
from nn import Dense, Input, Sequential
from nn.losses import SparseCategoricalCrossentropy
from nn.optimizers import Adam


def main(epochs: int = 40, verbose: int = 1) -> dict[str, float]:
    """Train and report; returns the train and test accuracy."""
    digits = load_digits()
    X = digits.data / 16.0  # pixel intensities 0..16 -> 0..1
    y = digits.target
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    print(
        f"training on {X_train.shape[0]} images of {X_train.shape[1]} pixels, "
        f"testing on {X_test.shape[0]}"
    )

    nn.set_seed(1234)
    model = Sequential(
        [
            Input(shape=(64,)),
            Dense(25, activation="relu", name="L1"),
            Dense(15, activation="relu", name="L2"),
            Dense(10, activation="linear", name="L3"),
        ],
        name="my_model",
    )
    model.summary()

    model.compile(
        loss=SparseCategoricalCrossentropy(from_logits=True),
        optimizer=Adam(learning_rate=0.001),
        metrics=["accuracy"],
    )
    model.fit(X_train, y_train, epochs=epochs, verbose=verbose)

    # the model outputs logits; softmax turns them into probabilities, as tf.nn.softmax does
    probabilities = nn.softmax(model.predict(X_test[:5]))
    for image, p in enumerate(probabilities):
        print(
            f"test image {image}: predicted {p.argmax()} (probability {p.max():.2f}), "
            f"label {y_test[image]}"
        )

    accuracy = {
        "train": float(np.mean(model.predict(X_train).argmax(axis=1) == y_train)),
        "test": float(np.mean(model.predict(X_test).argmax(axis=1) == y_test)),
    }
    print(f"accuracy: train {accuracy['train']:.3f}, test {accuracy['test']:.3f}")
    return accuracy


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))  # optional argument: the number of epochs
