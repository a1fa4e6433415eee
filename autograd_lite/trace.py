"""Record a computation once, then run it again on new arrays: forward and backward, with no
Tensors and no graph to build. The idea behind tf.function, torch.compile and tinygrad's JIT.

    step = ag.trace(lambda x, y: ag.cross_entropy(model(x), y))
    loss, = step(x_batch, y_batch)      # same as: loss = fn(...); loss.backward(); loss.data

A recording is one straight-line program (`engine.Tape`), so it is only valid for a function
that does the same ops on every call: no Python decisions on values. The recording checks
what it can, and a function that fails a check is run eagerly instead, every time, with the
reason kept in `step.eager_reasons`:
- the function read a value into Python (`float(t)`, `t.item()`, `if t: ...`, `argmax`);
- an op holds an array setting (an index taken from the data), or an array that is neither
  an input nor a parameter takes part (made during the call by a `detach`, or captured);
- on the second call, the replay's outputs differ from running the function again (this
  catches some of what the checks cannot see, such as arithmetic on `t.data`).
What no check sees: the second call is the only comparison, Python numbers the function
captures are frozen at their value then, and side effects inside the function (an in-place
edit of `.data`) are not replayed. Code that does any of this belongs outside the traced
function, or in `ag.trace(fn, replay=False)` (`compile(run_eagerly=True)` in nn). A leaf
frozen or unfrozen (`requires_grad`) after recording makes the next call record again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import engine
from .engine import Tape
from .tensor import Tensor, accumulate_grads, from_numpy

Signature = tuple[tuple[tuple[int, ...], str], ...]


class trace:
    """`ag.trace(fn)`: `step(*arrays)` does `outputs = fn(*tensors); outputs[0].backward()` and
    returns the outputs as numpy arrays, recording `fn` on the first call for each input
    signature (shapes and dtypes) and replaying the recording on later calls.

    >>> import numpy as np, autograd_lite as ag
    >>> w = ag.Tensor([1.0, 2.0], requires_grad=True)
    >>> step = ag.trace(lambda x: ((x @ w) ** 2).sum())
    >>> for batch in ([[1.0, 0.0]], [[0.0, 1.0]]):
    ...     (loss,) = step(np.array(batch, dtype=np.float32))
    >>> float(loss), w.grad          # gradients accumulate, as with backward()
    (4.0, array([2., 4.], dtype=float32))
    """

    def __init__(self, fn: Callable[..., Tensor | Sequence[Tensor]], replay: bool = True) -> None:
        self.fn = fn
        self.replay = replay  # False: always run fn eagerly (the same results, for debugging)
        self.replays: dict[Signature, Replay] = {}
        self.eager_reasons: dict[Signature, str] = {}

    def __call__(self, *arrays: Any) -> list[np.ndarray]:
        arrays = tuple([np.asarray(a) for a in arrays])
        signature = tuple([(a.shape, a.dtype.str) for a in arrays])
        replay = self.replays.get(signature)
        if replay is not None and not replay.still_fits():
            del self.replays[signature]  # a leaf was frozen or unfrozen: record again
            replay = None
        if replay is not None and replay.checked:
            return replay(arrays)
        inputs = [from_numpy(a) for a in arrays]
        if self.replay and signature not in self.eager_reasons:
            result, values_read = _record_every_op(self.fn, inputs)
        else:
            result, values_read = self.fn(*inputs), []
        outputs = [result] if isinstance(result, Tensor) else list(result)
        outputs[0].backward()
        found = [out.data for out in outputs]
        if replay is not None:  # the second call: does the replay compute what fn computes?
            if not values_read and replay.agrees(arrays, found):
                replay.checked = True
            else:
                del self.replays[signature]
                self.eager_reasons[signature] = (
                    "a replay computed something else than the function itself (does it "
                    "compute with the arrays in .data, or decide on values?)"
                )
        elif self.replay and signature not in self.eager_reasons:
            recorded = Replay.record(inputs, outputs, values_read)
            if isinstance(recorded, str):
                self.eager_reasons[signature] = recorded
            else:
                self.replays[signature] = recorded
        return found


class Replay:
    """A recorded `Tape` with the positions of the inputs, outputs and parameters."""

    def __init__(self, tape: Tape, inputs: list[tuple[int, int]], outputs: list[int]) -> None:
        self.tape, self.inputs, self.outputs = tape, inputs, outputs
        self.leaves = tape.leaves()
        self.keep = set(self.leaves)
        self.parameters = [tape.tensors[i] for i in self.leaves]
        self.seed = np.ones_like(tape.tensors[-1].data)  # d loss / d loss
        self.checked = False  # set once a replay agreed with running the function itself
        self.leaf_tensors = [t for t in tape.tensors if t.op is None]
        self.leaf_flags = [t.requires_grad for t in self.leaf_tensors]

    def still_fits(self) -> bool:
        """Whether every leaf still requires grad as when recorded (rules skip the others)."""
        return [t.requires_grad for t in self.leaf_tensors] == self.leaf_flags

    @classmethod
    def record(cls, inputs: list[Tensor], outputs: list[Tensor], values_read: list[str]) -> Replay | str:
        """The replay of the graph behind `outputs[0]`, or why it cannot be replayed."""
        if values_read:
            return f"the function read a tensor's value into Python ({values_read[0]})"
        tape = Tape(outputs[0])
        position = {id(t): i for i, t in enumerate(tape.tensors)}
        input_positions = [position.get(id(x)) for x in inputs]
        output_positions = [position.get(id(out)) for out in outputs]
        if None in output_positions:
            return "an output is not computed on the way to the first one (the loss)"
        for _, op, _ in tape.steps:
            for name, value in op.settings().items():
                if _holds_array(value):
                    return f"{type(op).__name__} holds an array ({name}), which may come from the data"
        for i, t in enumerate(tape.tensors):
            if t.op is None and not t.requires_grad and t.data.ndim > 0 and i not in input_positions:
                return (
                    f"an array of shape {t.shape} that is not an input and needs no gradient "
                    "(made during the call, such as by detach(), or captured, such as a frozen "
                    "weight) may differ from call to call"
                )
        used = [(i, j) for i, j in enumerate(input_positions) if j is not None]
        return cls(tape, used, output_positions)

    def __call__(self, arrays: tuple[np.ndarray, ...]) -> list[np.ndarray]:
        """Forward and backward on new input arrays; gradients go into the parameters' .grad."""
        values = self.forward(arrays)
        grads = self.tape.backward(values, self.seed.copy(), self.keep)  # .grad may keep it
        accumulate_grads(self.parameters, [grads[i] for i in self.leaves])
        return [np.asarray(values[i]) for i in self.outputs]

    def forward(self, arrays: tuple[np.ndarray, ...]) -> list:
        values = [t.data for t in self.tape.tensors]  # the parameters: their current values
        for k, i in self.inputs:
            values[i] = arrays[k]
        self.tape.forward(values)
        return values

    def agrees(self, arrays: tuple[np.ndarray, ...], outputs: list[np.ndarray]) -> bool:
        """Whether a forward replay on `arrays` gives `outputs` (computed by the function)."""
        values = self.forward(arrays)
        return all(
            np.allclose(values[i], out, rtol=1e-6, atol=0, equal_nan=True)
            for i, out in zip(self.outputs, outputs)
        )


def _record_every_op(fn: Callable[..., Any], inputs: list[Tensor]) -> tuple[Any, list[str]]:
    """fn(*inputs), keeping in the graph also the ops on data that needs no gradient (such as
    `1 - y_true`), so that a replay computes them again from the new data; and what fn read
    out of its tensors into Python meanwhile."""
    outer_reads, engine._trace_reads = engine._trace_reads, []  # a trace may run inside another
    reads = engine._trace_reads
    try:
        return fn(*inputs), reads
    finally:
        if outer_reads is not None:
            outer_reads.extend(reads)
        engine._trace_reads = outer_reads


def _holds_array(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return True
    return isinstance(value, (tuple, list)) and any(_holds_array(v) for v in value)
