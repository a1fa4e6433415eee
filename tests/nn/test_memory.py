"""Training does not accumulate memory: 10,000 steps of fit hold what 1,000 steps hold."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import nn


class MemoryAt(nn.Callback):
    """Python's traced memory after the given batches."""

    def __init__(self, batches: tuple[int, ...]) -> None:
        super().__init__()
        self.batches, self.bytes = batches, {}

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if batch in self.batches:
            self.bytes[batch] = tracemalloc.get_traced_memory()[0]


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["traced", "eager"])
def test_memory_stays_flat_over_10000_steps(run_eagerly: bool) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10_000, 8)).astype(np.float32)
    y = rng.integers(0, 3, 10_000)
    model = nn.Sequential([nn.Input(shape=(8,)), nn.Dense(16, activation="relu"), nn.Dense(3)])
    model.compile(
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=nn.optimizers.Adam(),
        run_eagerly=run_eagerly,
    )
    probe = MemoryAt((999, 9_999))
    tracemalloc.start()
    try:
        model.fit(x, y, batch_size=1, epochs=1, shuffle=False, verbose=0, callbacks=[probe])
    finally:
        tracemalloc.stop()
    growth = probe.bytes[9_999] - probe.bytes[999]
    assert growth < 20_000, f"{growth} bytes more after 10,000 steps than after 1,000"
