"""Benchmark: `Sequential.fit` against the hand-written numpy reference, per training step.

The course network (400-25-15-10, ReLU, linear output, SparseCategoricalCrossentropy
(from_logits=True), Adam) on 5,000 x 400 random data, single-threaded, for batch 32 and for
the full batch. Each runner is timed in fresh Python processes, taking turns (what one runner
leaves in the memory allocator slows the next one in the same process); it prints the best
time per step, side by side, and the ratio; also the same training written directly on the
engine (no nn), which splits fit's overhead into nn's part and the engine's. `--profile`
also prints where fit's time goes (cProfile); `--optimizer` times Adam's step alone on the
course network's parameters.

    python benchmarks/fit_bench.py [--rounds 5] [--profile] [--optimizer]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported: one thread, as the targets assume

import argparse
import cProfile
import pstats
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import compare
from numpy_reference import NumpyMLP

import autograd_lite as ag
import nn

SAMPLES, FEATURES = 5000, 400


def course_model() -> nn.Sequential:
    model = nn.Sequential(
        [
            nn.Input(shape=(FEATURES,)),
            nn.Dense(25, activation="relu", name="L1"),
            nn.Dense(15, activation="relu", name="L2"),
            nn.Dense(10, activation="linear", name="L3"),
        ]
    )
    model.compile(
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=nn.optimizers.Adam(learning_rate=0.001),
    )
    return model


def engine_loop(
    model: nn.Sequential, x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int
) -> None:
    """The same training written directly on the engine, eagerly (a new graph every step),
    without nn's layers, loss or fit."""
    (w1, b1, w2, b2, w3, b3) = params = model.trainable_weights
    optimizer = nn.optimizers.Adam(learning_rate=0.001)
    for _ in range(epochs):
        order = ag.random_generator().permutation(len(x))
        for start in range(0, len(x), batch_size):
            rows = order[start : start + batch_size]
            xb, yb = ag.from_numpy(x[rows]), y[rows]
            for p in params:
                p.grad = None
            z = ((xb @ w1 + b1).relu() @ w2 + b2).relu() @ w3 + b3
            loss = ag.cross_entropy(z, yb)
            loss.backward()
            optimizer.step(params)
            float(loss.data)


def optimizer_step_seconds(model: nn.Sequential) -> float:
    """Best seconds per `Adam.step` over the model's parameters, with fixed gradients."""
    params = model.trainable_weights
    rng = np.random.default_rng(2)
    for p in params:
        p.grad = rng.standard_normal(p.shape).astype(np.float32) * 1e-3
    optimizer = nn.optimizers.Adam(learning_rate=0.001)
    return compare({"step": lambda: optimizer.step(params)}, number=2000)["step"]


def setup() -> tuple[np.ndarray, np.ndarray, nn.Sequential, NumpyMLP]:
    """The data, the model and the numpy reference, the same in every process."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, FEATURES)).astype(np.float32)
    y = rng.integers(0, 10, SAMPLES)
    nn.set_seed(0)
    model = course_model()
    return x, y, model, NumpyMLP(model.get_weights())


def seconds_per_step(runner: str, batch_size: int, epochs: int, repeats: int) -> float:
    """Run one runner alone in this process: one warm-up run, then the best of `repeats`."""
    x, y, model, reference = setup()
    rng = np.random.default_rng(1)
    run = {
        "fit": lambda: model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0),
        "engine": lambda: engine_loop(model, x, y, batch_size, epochs),
        "numpy": lambda: reference.fit(x, y, batch_size, epochs, rng),
    }[runner]
    run()  # warm-up (fit records its step here)
    steps = epochs * -(-SAMPLES // batch_size)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def measure_apart(runner: str, batch_size: int, epochs: int, repeats: int) -> float:
    """`seconds_per_step` in a fresh Python process: what one runner allocates and leaves in
    the memory allocator measurably slows the next one in the same process."""
    command = [sys.executable, __file__, "--one", runner, *map(str, (batch_size, epochs, repeats))]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="fresh processes per runner")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--optimizer", action="store_true")
    parser.add_argument("--one", nargs=4, metavar=("RUNNER", "BATCH", "EPOCHS", "REPEATS"))
    args = parser.parse_args()
    if args.one:
        runner, batch_size, epochs, repeats = args.one
        print(seconds_per_step(runner, int(batch_size), int(epochs), int(repeats)))
        return

    x, y, model, reference = setup()
    # the same math: one epoch from the same weights, in the same sample order, agrees
    nn.set_seed(1)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    nn.set_seed(1)
    reference.fit(x, y, batch_size=32, epochs=1, rng=ag.random_generator())
    gap = max(float(np.abs(a - b).max()) for a, b in zip(model.get_weights(), reference.weights))
    print(f"max |nn - numpy| weight difference after one epoch: {gap:.2e}\n")

    print(f"{'batch':>6} {'nn fit':>12} {'engine loop':>12} {'numpy':>12} {'fit/numpy':>10}")
    runners = ("fit", "engine", "numpy")
    for batch_size, epochs, repeats in ((32, 2, 5), (SAMPLES, 20, 5)):
        best = dict.fromkeys(runners, float("inf"))
        for round_ in range(args.rounds):  # the runners take turns, in a rotating order
            for k in np.roll(np.arange(len(runners)), round_):
                seconds = measure_apart(runners[k], batch_size, epochs, repeats)
                best[runners[k]] = min(best[runners[k]], seconds)
        print(
            f"{batch_size:>6} {best['fit'] * 1e6:>9.1f} us {best['engine'] * 1e6:>9.1f} us "
            f"{best['numpy'] * 1e6:>9.1f} us {best['fit'] / best['numpy']:>10.2f}"
        )

    if args.optimizer:
        seconds = optimizer_step_seconds(course_model())
        print(f"\nAdam.step alone on the course network's parameters: {seconds * 1e6:.1f} us")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        model.fit(x, y, batch_size=32, epochs=5, verbose=0)
        profiler.disable()
        print("\nwhere fit's time goes (batch 32, 5 epochs), by own time:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
