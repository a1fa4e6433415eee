"""Benchmark: one training step of a small CNN in nn against a hand-written numpy im2col step.

The network, on a (64, 28, 28, 1) batch of random images and 10 classes:
Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten
-> Dense(10), SparseCategoricalCrossentropy(from_logits=True), Adam(0.001).

The numpy step does the same math the way one writes it by hand: each convolution as a
sliding-window view copied into rows (im2col) and one matrix product, its input gradient
added back with a loop over the 3 x 3 kernel offsets (col2im), max pooling as a reshape
into 2 x 2 blocks with a mask of the maxima, the softmax cross-entropy's gradient
(softmax - onehot) / batch, and Keras's Adam in place. nn's step is `model.train_step`,
what `fit` runs per batch (the step recorded once by ag.trace, then replayed).

Both run side by side in one process, interleaved, with one BLAS thread; the best time per
step of each and their ratio are printed, then each layer's forward and backward time on
both sides, so a reader sees where the time goes.

    python benchmarks/cnn_bench.py [--repeats 7]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported: one thread, as the target assumes

import argparse
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import compare, report

import autograd_lite as ag
import nn
from nn.layers.convolutional import Conv2D
from nn.layers.pooling import MaxPooling2D

BATCH, SIDE, CLASSES = 64, 28, 10
SLIDING = np.lib.stride_tricks.sliding_window_view


def cnn_model() -> nn.Sequential:
    model = nn.Sequential(
        [
            nn.Input(shape=(SIDE, SIDE, 1)),
            Conv2D(32, 3, activation="relu"),
            MaxPooling2D(2),
            Conv2D(64, 3, activation="relu"),
            MaxPooling2D(2),
            nn.Flatten(),
            nn.Dense(CLASSES),
        ]
    )
    model.compile(
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=nn.optimizers.Adam(learning_rate=0.001),
    )
    return model


class NumpyConv2D:
    """relu(im2col(x) @ kernel + bias), 'valid', stride 1; backward by hand."""

    def __init__(self, kernel: np.ndarray, bias: np.ndarray, input_gradient: bool) -> None:
        self.weights = [kernel, bias]
        self.input_gradient = input_gradient  # the first layer's input (the images) needs none

    def forward(self, x: np.ndarray) -> np.ndarray:
        kernel, bias = self.weights
        kh, kw, channels, filters = kernel.shape
        self.x_shape = x.shape
        windows = SLIDING(x, (kh, kw), axis=(1, 2))  # (batch, rows, columns, channels, kh, kw)
        self.positions = windows.shape[:3]
        self.rows = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * channels)
        z = self.rows @ kernel.reshape(-1, filters)
        z += bias
        self.out = np.maximum(z, 0, out=z)
        return self.out.reshape(*self.positions, filters)

    def backward(self, g: np.ndarray) -> np.ndarray | None:
        kernel, _ = self.weights
        kh, kw, channels, filters = kernel.shape
        dz = g.reshape(-1, filters) * (self.out > 0)
        self.grads = [(self.rows.T @ dz).reshape(kernel.shape), dz.sum(axis=0)]
        if not self.input_gradient:
            return None
        drows = (dz @ kernel.reshape(-1, filters).T).reshape(*self.positions, kh, kw, channels)
        dx = np.zeros(self.x_shape, dtype=g.dtype)
        _, rows, columns = self.positions
        for p in range(kh):  # col2im: offset (p, q) of every window at once
            for q in range(kw):
                dx[:, p : p + rows, q : q + columns] += drows[:, :, :, p, q]
        return dx


class NumpyMaxPooling2D:
    """The maximum of each 2 x 2 block ('valid': an odd last row or column is dropped); the
    gradient goes to the maxima (ties all get it: after relu they are zeros, whose relu
    gradient is zero anyway)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        batch, rows, columns, channels = self.x_shape = x.shape
        blocks = x[:, : rows // 2 * 2, : columns // 2 * 2].reshape(
            batch, rows // 2, 2, columns // 2, 2, channels
        )
        out = blocks.max(axis=(2, 4))
        self.mask = blocks == out[:, :, None, :, None]
        return out

    def backward(self, g: np.ndarray) -> np.ndarray:
        batch, rows, columns, channels = self.x_shape
        dx = np.zeros(self.x_shape, dtype=g.dtype)
        blocks = self.mask * g[:, :, None, :, None]
        dx[:, : rows // 2 * 2, : columns // 2 * 2] = blocks.reshape(
            batch, rows // 2 * 2, columns // 2 * 2, channels
        )
        return dx


class NumpyFlatten:
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g.reshape(self.x_shape)


class NumpyDense:
    """x @ kernel + bias (linear: the logits)."""

    def __init__(self, kernel: np.ndarray, bias: np.ndarray) -> None:
        self.weights = [kernel, bias]

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.weights[0] + self.weights[1]

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.grads = [self.x.T @ g, g.sum(axis=0)]
        return g @ self.weights[0].T


class NumpyCNN:
    """The benchmark's network as numpy layers, trained with Keras's Adam."""

    def __init__(self, weights: list[np.ndarray], learning_rate: float = 0.001) -> None:
        w = [np.array(v, dtype=np.float32) for v in weights]
        self.layers = [
            NumpyConv2D(w[0], w[1], input_gradient=False),
            NumpyMaxPooling2D(),
            NumpyConv2D(w[2], w[3], input_gradient=True),
            NumpyMaxPooling2D(),
            NumpyFlatten(),
            NumpyDense(w[4], w[5]),
        ]
        self.trained = [layer for layer in self.layers if hasattr(layer, "weights")]
        self.learning_rate = learning_rate
        self.m = [np.zeros_like(v) for v in w]
        self.v = [np.zeros_like(v) for v in w]
        self.iterations = 0

    @property
    def weights(self) -> list[np.ndarray]:
        return [v for layer in self.trained for v in layer.weights]

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One Adam step on a batch; returns the batch's mean cross-entropy."""
        a = x
        for layer in self.layers:
            a = layer.forward(a)
        rows = np.arange(len(x))
        shift = a.max(axis=1, keepdims=True)
        e = np.exp(a - shift)
        total = e.sum(axis=1, keepdims=True)
        loss = float((np.log(total[:, 0]) + shift[:, 0] - a[rows, y]).mean())
        g = e / total  # d loss / d logits = (softmax - onehot) / batch
        g[rows, y] -= 1
        g /= len(x)
        for layer in reversed(self.layers):
            g = layer.backward(g)
        self.adam([v for layer in self.trained for v in layer.grads])
        return loss

    def adam(self, grads: list[np.ndarray]) -> None:
        """Keras's Adam (epsilon-hat form, step numbers in float32), in place."""
        f32 = np.float32
        t = f32(self.iterations + 1)
        alpha = f32(self.learning_rate) * np.sqrt(1 - f32(0.999) ** t) / (1 - f32(0.9) ** t)
        for w, g, m, v in zip(self.weights, grads, self.m, self.v):
            m += (g - m) * f32(0.1)
            v += (g * g - v) * f32(0.001)
            w -= m * alpha / (np.sqrt(v) + f32(1e-7))
        self.iterations += 1


def per_layer_seconds(
    model: nn.Sequential, reference: NumpyCNN, x: np.ndarray, number: int
) -> list[tuple[str, float, float, float, float]]:
    """(layer, nn forward, nn backward, numpy forward, numpy backward) seconds per call.

    nn's layers run eagerly, each on its own input (requiring grad, as in the step, except
    the images), backward from a fixed random output gradient."""
    rng = np.random.default_rng(3)
    rows = []
    a, b = ag.from_numpy(x), x
    for layer, np_layer in zip(model.layers, reference.layers):
        out, np_out = layer(a), np_layer.forward(b)
        g = rng.standard_normal(out.shape).astype(np.float32)
        leaves = [a, *layer.trainable_weights]

        def nn_backward(out=out, g=g, leaves=leaves) -> None:
            for leaf in leaves:
                leaf.grad = None
            out.backward(g)

        times = compare(
            {
                "nn forward": lambda layer=layer, a=a: layer(a),
                "nn backward": nn_backward,
                "numpy forward": lambda np_layer=np_layer, b=b: np_layer.forward(b),
                "numpy backward": lambda np_layer=np_layer, g=g: np_layer.backward(g),
            },
            number=number,
            repeats=5,
        )
        np_layer.forward(b)  # the layer's saved values, for the next layer's turn
        rows.append((f"{layer.name} ({type(layer).__name__})", *times.values()))
        a = ag.Tensor(out.data, requires_grad=True)
        b = np_out
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved timing runs")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.random((BATCH, SIDE, SIDE, 1), dtype=np.float32)
    y = rng.integers(0, CLASSES, BATCH)
    nn.set_seed(0)
    model = cnn_model()
    reference = NumpyCNN(model.get_weights())
    xt, yt = ag.from_numpy(x), ag.from_numpy(y)

    # the same math: three steps from the same weights on the same batch agree
    for _ in range(3):
        model.reset_metrics()  # train_step's loss is a running mean since the last reset
        loss = model.train_step(xt, yt)["loss"]
        reference_loss = reference.train_step(x, y)
    gap = max(float(np.abs(a - b).max()) for a, b in zip(model.get_weights(), reference.weights))
    print(
        f"after 3 steps: loss nn {loss:.6f}, numpy {reference_loss:.6f}; "
        f"max |nn - numpy| weight difference {gap:.1e}\n"
    )

    times = compare(
        {
            "nn train_step": lambda: model.train_step(xt, yt),
            "numpy im2col step": lambda: reference.train_step(x, y),
        },
        number=5,
        repeats=args.repeats,
    )
    report(
        f"one training step, batch {x.shape}, 1 BLAS thread (best of {args.repeats}):",
        times,
        "numpy im2col step",
    )

    print("\nper layer, ms (nn eager, each layer alone; numpy the step's own code):")
    print(f"  {'layer':<28} {'nn fwd':>8} {'nn bwd':>8} {'np fwd':>8} {'np bwd':>8}")
    for name, *seconds in per_layer_seconds(model, reference, x, number=5):
        print(f"  {name:<28} " + " ".join(f"{s * 1e3:8.2f}" for s in seconds))


if __name__ == "__main__":
    main()
