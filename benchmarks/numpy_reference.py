"""A hand-written numpy training step for the course network, the yardstick for `fit`.

The same math as `nn` does for Dense(relu) layers, SparseCategoricalCrossentropy(from_logits=True)
and Adam: forward, the stable softmax cross-entropy (log-sum-exp form) averaged over the
batch, backward written out by hand, and Keras's Adam update (epsilon-hat form), all in
float32 and in place where numpy allows. Batching is the same as `fit`'s: one permutation of
the samples per epoch, then slices.
"""

from __future__ import annotations

import numpy as np


class NumpyMLP:
    """Dense layers with ReLU between them and a linear output, trained with Adam."""

    def __init__(
        self,
        weights: list[np.ndarray],
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ) -> None:
        self.weights = [w.astype(np.float32) for w in weights]  # [W1, b1, W2, b2, ...]
        self.m = [np.zeros_like(w) for w in self.weights]
        self.v = [np.zeros_like(w) for w in self.weights]
        self.work = [(np.empty_like(w), np.empty_like(w)) for w in self.weights]
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = (
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
        )
        self.iterations = 0

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One Adam step on a batch; returns the batch's mean cross-entropy."""
        kernels, biases = self.weights[0::2], self.weights[1::2]
        # forward, keeping each layer's input and pre-activation
        inputs, pre = [], []
        a = x
        for i, (w, b) in enumerate(zip(kernels, biases)):
            inputs.append(a)
            z = a @ w + b
            pre.append(z)
            a = np.maximum(z, 0) if i < len(kernels) - 1 else z
        # loss: logsumexp(z) - z[y], mean over the batch
        m = x.shape[0]
        rows = np.arange(m)
        shift = a.max(axis=1, keepdims=True)
        e = np.exp(a - shift)
        total = e.sum(axis=1, keepdims=True)
        loss = float((np.log(total[:, 0]) + shift[:, 0] - a[rows, y]).mean())
        # backward: d loss / d logits = (softmax - onehot) / m
        dz = e / total
        dz[rows, y] -= 1
        dz /= m
        grads = [None] * len(self.weights)
        for i in range(len(kernels) - 1, -1, -1):
            grads[2 * i] = inputs[i].T @ dz
            grads[2 * i + 1] = dz.sum(axis=0)
            if i > 0:
                dz = (dz @ kernels[i].T) * (pre[i - 1] > 0)
        # Adam, Keras's arrangement, in place; its step numbers in float32, as Keras's
        f32 = np.float32
        t = f32(self.iterations + 1)
        beta_1_power, beta_2_power = f32(self.beta_1) ** t, f32(self.beta_2) ** t
        alpha = f32(self.learning_rate) * np.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        one_minus_beta_1, one_minus_beta_2 = f32(1 - self.beta_1), f32(1 - self.beta_2)
        for w, g, m_, v, (a, b) in zip(self.weights, grads, self.m, self.v, self.work):
            np.subtract(g, m_, out=a)  # m += (g - m)(1 - beta_1)
            a *= one_minus_beta_1
            m_ += a
            np.multiply(g, g, out=a)  # v += (g^2 - v)(1 - beta_2)
            a -= v
            a *= one_minus_beta_2
            v += a
            np.sqrt(v, out=a)  # w -= m alpha / (sqrt(v) + epsilon)
            a += f32(self.epsilon)
            np.multiply(m_, alpha, out=b)
            b /= a
            w -= b
        self.iterations += 1
        return loss

    def fit(
        self, x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int, rng: np.random.Generator
    ) -> list[float]:
        """Epochs of shuffled mini-batches, as `Sequential.fit`; returns the epoch mean losses."""
        history = []
        n = x.shape[0]
        for _ in range(epochs):
            order = rng.permutation(n)
            total = 0.0
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                total += self.train_step(x[rows], y[rows]) * len(rows)
            history.append(total / n)
        return history
