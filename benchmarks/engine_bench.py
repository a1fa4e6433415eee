"""Engine overhead: autograd-lite against hand-written numpy forward + backward.

Run: `make bench` or `.venv/bin/python benchmarks/engine_bench.py`. Prints, for each
workload, microseconds per step and the ratio to numpy (one BLAS thread, best of repeats):
the engine building its graph anew each step (eager, as a student writes it), and the same
step recorded once with `ag.trace` and replayed.

1. a tiny graph, z = (x*y + x).sum() on (32, 25) arrays;
2. one training step of a 400-25-15-10 ReLU network with a softmax cross-entropy on a
   batch of 32: forward, loss, backward and a plain SGD update;
3. the engine's own cost per op, beyond numpy's: a chain of 100 multiplications of tiny
   arrays, recorded, then backpropagated, against the same multiplications in numpy.
"""

from __future__ import annotations

import itertools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import compare, report

import autograd_lite as ag

rng = np.random.default_rng(0)


def tiny_graph() -> dict:
    xa = rng.standard_normal((32, 25)).astype(np.float32)
    ya = rng.standard_normal((32, 25)).astype(np.float32)
    x, y = ag.Tensor(xa, requires_grad=True), ag.Tensor(ya, requires_grad=True)

    def engine():
        x.grad = y.grad = None
        z = (x * y + x).sum()
        z.backward()
        return z

    def forward_backward():
        z = (x * y + x).sum()
        z.backward()
        return z

    step = ag.trace(forward_backward)

    def traced():
        x.grad = y.grad = None
        return step()

    def numpy():
        z = (xa * ya + xa).sum()
        dx = ya + 1.0  # dz/dx
        dy = xa.copy()  # dz/dy (a fresh array, as the engine hands out)
        return z, dx, dy

    return {
        "numpy (hand-written)": numpy,
        "autograd-lite": engine,
        "autograd-lite, ag.trace": traced,
    }


def training_step(batch: int = 32, lr: float = 0.01) -> dict:
    sizes = [400, 25, 15, 10]
    X = rng.standard_normal((batch, 400)).astype(np.float32)
    labels = rng.integers(0, 10, batch)
    rows = np.arange(batch)
    weights = []
    for n_in, n_out in itertools.pairwise(sizes):
        limit = np.sqrt(6 / (n_in + n_out))
        weights += [
            rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32),
            np.zeros(n_out, np.float32),
        ]
    W1, b1, W2, b2, W3, b3 = [w.copy() for w in weights]
    params = [ag.Tensor(w, requires_grad=True) for w in weights]
    x = ag.Tensor(X)

    def loss_of(x, labels):
        w1, c1, w2, c2, w3, c3 = params
        z = ((x @ w1 + c1).relu() @ w2 + c2).relu() @ w3 + c3
        return ag.cross_entropy(z, labels)

    def sgd():
        for p in params:
            p.data -= lr * p.grad
            p.grad = None

    def engine():
        loss = loss_of(x, labels)
        loss.backward()
        sgd()
        return loss

    def forward_backward(x, labels):
        loss = loss_of(x, labels)
        loss.backward()
        return loss

    step = ag.trace(forward_backward)

    def traced():
        (loss,) = step(X, labels)  # the labels are an input: they change with the batch
        sgd()
        return loss

    def numpy():
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2 + b2
        a2 = np.maximum(z2, 0)
        z3 = a2 @ W3 + b3
        shifted = z3 - z3.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        total = exps.sum(axis=1, keepdims=True)
        loss = (np.log(total[:, 0]) - shifted[rows, labels]).mean()
        dz3 = exps / total  # d loss / d z3 = (softmax - onehot) / batch
        dz3[rows, labels] -= 1
        dz3 /= batch
        dW3, db3 = a2.T @ dz3, dz3.sum(0)
        dz2 = (dz3 @ W3.T) * (z2 > 0)
        dW2, db2 = a1.T @ dz2, dz2.sum(0)
        dz1 = (dz2 @ W2.T) * (z1 > 0)
        dW1, db1 = X.T @ dz1, dz1.sum(0)
        for w, g in zip((W1, b1, W2, b2, W3, b3), (dW1, db1, dW2, db2, dW3, db3)):
            w -= lr * g
        return loss

    # the three agree: the same loss and the same updated weights after a step from one start
    for candidate in (engine, traced, traced, traced):  # the third traced step is a replay
        loss_engine, loss_numpy = float(candidate()), numpy()
        assert abs(loss_engine - loss_numpy) < 1e-5, (loss_engine, loss_numpy)
        for p, w in zip(params, (W1, b1, W2, b2, W3, b3)):
            np.testing.assert_allclose(p.data, w, rtol=1e-4, atol=1e-6)
    assert step.replays, step.eager_reasons
    return {
        "numpy (hand-written)": numpy,
        "autograd-lite": engine,
        "autograd-lite, ag.trace": traced,
    }


def per_op_cost(n: int = 100) -> tuple[float, float, float]:
    """Microseconds per op that the engine adds to numpy's work when recording (forward) and
    when backpropagating, and numpy's own time for one op, from a chain y = y * w of `n`
    multiplications of (4,) arrays (the backward does one multiplication per op too)."""
    a, b = np.ones(4, np.float32), np.full(4, 0.5, np.float32)
    x, w = ag.Tensor(a, requires_grad=True), ag.Tensor(b)
    seed = np.ones(4, np.float32)

    def chain():
        y = x
        for _ in range(n):
            y = y * w
        return y

    def chain_backward():
        x.grad = None
        chain().backward(seed)

    def numpy_chain():
        y = a
        for _ in range(n):
            y = y * b
        return y

    times = compare({"numpy": numpy_chain, "forward": chain, "both": chain_backward}, 300)
    forward = (times["forward"] - times["numpy"]) / n
    backward = (times["both"] - times["forward"] - times["numpy"]) / n
    return forward * 1e6, backward * 1e6, times["numpy"] / n * 1e6


if __name__ == "__main__":
    results = compare(tiny_graph(), number=3000)
    report(
        "tiny graph z = (x*y + x).sum(), (32, 25), forward + backward:",
        results,
        "numpy (hand-written)",
    )
    results = compare(training_step(), number=1000)
    report(
        "training step, 400-25-15-10 ReLU + softmax cross-entropy, batch 32:",
        results,
        "numpy (hand-written)",
    )
    forward, backward, numpy_op = per_op_cost()
    print(
        f"per op: {forward:.2f} us forward (record), {backward:.2f} us backward, beyond numpy's "
        f"{numpy_op:.2f} us for the op itself (a chain of 100 multiplications of (4,) arrays)"
    )
