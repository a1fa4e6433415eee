"""Timing helpers shared by the benchmark scripts: single-threaded BLAS, interleaved repeats."""

from __future__ import annotations

import time
from collections.abc import Callable

from threadpoolctl import threadpool_limits


def time_per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of `fn`, over `number` calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(
    candidates: dict[str, Callable[[], object]], number: int, repeats: int = 15
) -> dict[str, float]:
    """Best (minimum) seconds per call of each candidate over `repeats` runs, one BLAS thread.

    Runs are interleaved, and the minimum is kept because on a shared machine noise only
    ever adds time (timeit's advice); the ratio of minimums is what the README quotes."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    with threadpool_limits(1):
        for fn in candidates.values():
            time_per_call(fn, max(1, number // 10))  # warm up caches and allocators
        for _ in range(repeats):
            for name, fn in candidates.items():
                samples[name].append(time_per_call(fn, number))
    return {name: min(times) for name, times in samples.items()}


def report(title: str, results: dict[str, float], reference: str) -> None:
    """Print each candidate's time per call and its ratio to the reference, side by side."""
    print(title)
    for name, seconds in results.items():
        ratio = seconds / results[reference]
        print(f"  {name:<28} {seconds * 1e6:9.1f} us   {ratio:5.2f}x {reference}")
