"""Record a computation once, then run it again on new arrays: forward and backward, with no
Tensors and no graph to build. The idea behind tf.function, torch.compile and tinygrad's JIT.

    def forward_backward(x, y):          # an ordinary eager step
        loss = ag.cross_entropy(model(x), y)
        loss.backward()
        return loss

    step = ag.trace(forward_backward)
    loss, = step(x_batch, y_batch)       # same as forward_backward(...), as numpy arrays

While the function runs for the first time, a `Recorder` watches it (the engine's one hook,
`engine.recorder`): it keeps every op in the order it ran, learns which tensor `backward()`
is called on (a function that never calls it is traced forward only) and notes every value
read into Python. The recording is one straight-line program (`engine.Tape`), so it is only
valid for a function that does the same ops on every call: no Python decisions on values.
The recording checks what it can, and a function that fails a check is run eagerly instead,
every time, with the reason kept in `step.eager_reasons`:
- the function read a value into Python (`float(t)`, `t.item()`, `if t: ...`, `argmax`);
- it called `backward()` more than once, or with a gradient argument;
- an op holds an array setting (an index taken from the data), or an array that is neither
  an input nor a parameter takes part (made during the call by a `detach` or `ag.rand`, or
  captured);
- on the second call, the replay's outputs, or the random numbers it draws, differ from
  running the function again (this catches some of what the checks cannot see, such as
  arithmetic on `t.data`).
Random numbers drawn with `ag.random_uniform` are ops: a replay draws them afresh, in the
order the function drew them, from the same generator, so it gives what the function gives.
What no check sees: the second call is the only comparison, Python numbers the function
captures are frozen at their value then, and side effects inside the function (an in-place
edit of `.data`) are not replayed. Code that does any of this belongs outside the traced
function, or in `ag.trace(fn, replay=False)` (`compile(run_eagerly=True)` in nn), which
runs the function itself on every call. A leaf frozen or unfrozen (`requires_grad`) after
recording makes the next call record again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import engine
from .engine import Tape, accumulate_grads, topological_order
from .ops.random import RandomUniform, random_generator
from .tensor import Tensor, from_numpy

Signature = tuple[tuple[tuple[int, ...], np.dtype], ...]


class trace:
    """`ag.trace(fn)`: `step(*arrays)` runs `fn(*tensors)` and returns its outputs (a Tensor
    or a sequence of them) as numpy arrays, recording `fn` on the first call for each input
    signature (shapes and dtypes) and replaying the recording on later calls: the forward
    pass and, if `fn` called `backward()`, the backward pass into the parameters' `.grad`.

    >>> import numpy as np, autograd_lite as ag
    >>> w = ag.Tensor([1.0, 2.0], requires_grad=True)
    >>> def forward_backward(x):
    ...     loss = ((x @ w) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> step = ag.trace(forward_backward)
    >>> for batch in ([[1.0, 0.0]], [[0.0, 1.0]], [[1.0, 1.0]]):
    ...     (loss,) = step(np.array(batch, dtype=np.float32))
    >>> float(loss), w.grad          # gradients accumulate, as with backward()
    (9.0, array([ 8., 10.], dtype=float32))
    """

    def __init__(self, fn: Callable[..., Tensor | Sequence[Tensor]], replay: bool = True) -> None:
        self.fn = fn
        self.replay = replay  # False: always run fn eagerly (the same results, for debugging)
        self.replays: dict[Signature, Replay] = {}
        self.eager_reasons: dict[Signature, str] = {}

    def __call__(self, *arrays: Any) -> list[np.ndarray]:
        arrays = tuple([np.asarray(a) for a in arrays])
        signature = tuple([(a.shape, a.dtype) for a in arrays])
        replay = self.replays.get(signature)
        if replay is not None and not replay.still_fits():
            del self.replays[signature]  # a leaf was frozen or unfrozen: record again
            replay = None
        if replay is not None and replay.checked:
            return replay(arrays)
        inputs = [from_numpy(a) for a in arrays]
        if not self.replay or signature in self.eager_reasons:
            return _arrays(self.fn(*inputs))
        if replay is None:
            return self._record(signature, inputs)
        return self._check(signature, replay, inputs, arrays)

    def _record(self, signature: Signature, inputs: list[Tensor]) -> list[np.ndarray]:
        """The first call: run fn under a Recorder and keep its replay, or why there is none."""
        with recording() as recorder:
            outputs = _outputs(self.fn(*inputs))
            recorded = Replay.record(recorder, inputs, outputs)
        found = [out.data for out in outputs]
        if isinstance(recorded, str):
            self.eager_reasons[signature] = recorded
        else:
            self.replays[signature] = recorded
            recorded.release()
        return found

    def _check(
        self, signature: Signature, replay: Replay, inputs: list[Tensor], arrays: tuple
    ) -> list[np.ndarray]:
        """The second call: run fn, then the replay from the same generator states; keep the
        replay only if fn did what it did when recorded, and the replay computes the same
        outputs with the same random draws."""
        generators = replay.generators()
        before = [g.bit_generator.state for g in generators]
        with recording() as recorder:
            outputs = _outputs(self.fn(*inputs))
            values_read, backward_calls = recorder.values_read, len(recorder.backward_calls)
        found = [out.data for out in outputs]
        after = [g.bit_generator.state for g in generators]
        try:
            _set_states(generators, before)  # the replay must draw what fn drew
            same_outputs = replay.agrees(arrays, found)
            same_draws = [g.bit_generator.state for g in generators] == after
        finally:
            _set_states(generators, after)  # leave the generators where fn left them
        if values_read:
            reason = f"the function read a tensor's value into Python ({values_read[0]})"
        elif backward_calls != replay.backward_calls:
            reason = (
                f"the function called backward() {backward_calls} times, and "
                f"{replay.backward_calls} times when recorded"
            )
        elif not same_outputs:
            reason = (
                "a replay computed something else than the function itself (does it compute "
                "with the arrays in .data, or decide on values?)"
            )
        elif not same_draws:
            reason = (
                "a replay drew other random numbers than the function (a random draw that "
                "does not lead to the outputs?)"
            )
        else:
            replay.checked = True
            return found
        del self.replays[signature]
        self.eager_reasons[signature] = reason
        return found


class Recorder:
    """What `ag.trace` learns while the function runs: the engine tells it of every op
    (`note_op`, so the ops on data that needs no gradient, such as `1 - y_true`, are kept in
    the graph too, and their order is known), of every `backward()` (`note_backward`), and the
    Tensor of every value read into Python (`note_value_read`)."""

    def __init__(self) -> None:
        self.ops: list[Tensor] = []  # every tensor an op made, in the order the ops ran
        self.backward_calls: list[tuple[Tensor, Any]] = []  # (root, grad argument)
        self.values_read: list[str] = []  # how: "float()", "item()", ...

    def note_op(self, out: Tensor) -> None:
        self.ops.append(out)

    def note_backward(self, root: Tensor, grad: Any) -> None:
        self.backward_calls.append((root, grad))

    def note_value_read(self, how: str) -> None:
        self.values_read.append(how)

    def clear(self) -> None:
        self.ops, self.backward_calls, self.values_read = [], [], []


@contextlib.contextmanager
def recording() -> Iterator[Recorder]:
    """A fresh Recorder as the engine's `recorder` inside the block; afterwards the one before
    it again (a trace may run inside a traced function: its value reads count for the outer
    one too), and the fresh one emptied, even when the block raises."""
    outer = engine.recorder
    engine.recorder = recorder = Recorder()
    try:
        yield recorder
    finally:
        engine.recorder = outer
        if outer is not None:
            outer.values_read.extend(recorder.values_read)
        recorder.clear()


class Replay:
    """A recorded `Tape` run again on new input arrays: the input tensors take the new arrays,
    each op that ran during the call computes its tensor's array again, in the order it ran,
    and, if the function called `backward()`, the tape backpropagates from the tensor it was
    called on (the tape's root) into the parameters' `.grad`. Tensors made before the call
    keep their values, as they would in the function itself."""

    def __init__(
        self,
        tape: Tape,
        inputs: list[tuple[int, Tensor]],
        outputs: list[Tensor],
        ran: set[Tensor],
        backward_calls: int,
    ) -> None:
        self.tape, self.inputs, self.outputs = tape, inputs, outputs
        # Speed (issue 9): each instruction with what its forward needs looked up once, not
        # on every replay: the tensor to fill, the bound forward method and the input tensors.
        self.program = [(t, t.op.forward, t.parents) for t in tape.tensors if t in ran]
        self.backward_calls = backward_calls  # 0 (forward only) or 1
        self.seed = np.ones_like(tape.root.data)  # d loss / d loss
        self.checked = False  # set once a replay agreed with running the function itself
        self.leaf_tensors = [t for t in tape.tensors if t.op is None]
        self.leaf_flags = [t.requires_grad for t in self.leaf_tensors]

    def still_fits(self) -> bool:
        """Whether every leaf still requires grad as when recorded (rules skip the others)."""
        return [t.requires_grad for t in self.leaf_tensors] == self.leaf_flags

    @classmethod
    def record(
        cls, recorder: Recorder, inputs: list[Tensor], outputs: list[Tensor]
    ) -> Replay | str:
        """The replay of what `recorder` saw, or why it cannot be replayed."""
        if recorder.values_read:
            return f"the function read a tensor's value into Python ({recorder.values_read[0]})"
        calls = recorder.backward_calls
        if len(calls) > 1:
            return f"the function called backward() {len(calls)} times; a replay calls it once"
        if calls and calls[0][1] is not None:
            return "backward() was given a gradient, which a replay could not compute again"
        root = calls[0][0] if calls else outputs[0]  # no backward(): traced forward only
        needed: dict[Tensor, None] = {}  # what the root and the outputs are computed from
        for tensor in (root, *outputs):
            needed.update(dict.fromkeys(topological_order(tensor)))
        ran = {t: i for i, t in enumerate(recorder.ops)}
        # in the order the ops ran in, so random draws come in the same order (tensors made
        # before the call, leaves among them, first: nothing made during it is their input)
        tape = Tape(root, sorted(needed, key=lambda t: ran.get(t, -1)))
        for t in tape.tensors:
            if t.op is None:
                continue
            for name, value in t.op.settings().items():
                if _holds_array(value):
                    return (
                        f"{type(t.op).__name__} holds an array ({name}), which may come from "
                        "the data"
                    )
        used = frozenset(inputs)
        for t in tape.tensors:
            if t.op is None and not t.requires_grad and t.data.ndim > 0 and t not in used:
                return (
                    f"an array of shape {t.shape} that is not an input and needs no gradient "
                    "(made during the call, such as by detach() or ag.rand(); random numbers "
                    "come from ag.random_uniform; or captured, such as a frozen weight) may "
                    "differ from call to call"
                )
        taken = [(k, x) for k, x in enumerate(inputs) if x in needed]
        return cls(tape, taken, outputs, set(ran), len(calls))

    def __call__(self, arrays: tuple[np.ndarray, ...]) -> list[np.ndarray]:
        """Forward (and backward, as recorded) on new input arrays; gradients go into the
        parameters' .grad."""
        self.forward(arrays)
        if self.backward_calls:
            seed = self.seed.copy()  # a .grad may keep the seed itself
            accumulate_grads(self.tape.backward(seed))
        outputs = [t.data for t in self.outputs]
        self.release()
        return outputs

    def release(self) -> None:
        """Let go of the arrays of the last call (the replay has its own tensors: the inputs
        and what the ops made), so the next call allocates where they were freed, in memory
        still in the cache. Held until overwritten, they slow every replay by 1 to 2%, and
        an input held while the next one is made (a batch of rows gathered from the data)
        gets freshly mapped memory, which the system must zero first."""
        for t, _, _ in self.program:
            t.data = _RELEASED
        for _, x in self.inputs:
            x.data = _RELEASED

    def forward(self, arrays: tuple[np.ndarray, ...]) -> None:
        """Every op of the call again, in order, on `arrays` (the parameters' current values
        are their tensors' own)."""
        for k, x in self.inputs:
            x.data = arrays[k]
        for t, forward, xs in self.program:
            # Speed (issue 9): as in `Tape.backward`, the usual arities without a list
            if len(xs) == 2:
                t.data = forward(xs[0].data, xs[1].data)
            elif len(xs) == 1:
                t.data = forward(xs[0].data)
            elif len(xs) == 3:
                t.data = forward(xs[0].data, xs[1].data, xs[2].data)
            else:
                t.data = forward(*[x.data for x in xs])

    def agrees(self, arrays: tuple[np.ndarray, ...], outputs: list[np.ndarray]) -> bool:
        """Whether a forward replay on `arrays` gives `outputs` (computed by the function)."""
        self.forward(arrays)
        agree = all(
            np.allclose(t.data, out, rtol=1e-6, atol=0, equal_nan=True)
            for t, out in zip(self.outputs, outputs)
        )
        self.release()
        return agree

    def generators(self) -> list[np.random.Generator]:
        """The library's generator (looked up now: `ag.manual_seed` replaces it), which the
        function may draw from even where the replay does not, and those of the replay's
        random draws."""
        found = [random_generator()]
        for t, _, _ in self.program:
            if isinstance(t.op, RandomUniform):
                generator = random_generator() if t.op.generator is None else t.op.generator
                if all(generator is not other for other in found):
                    found.append(generator)
        return found


_RELEASED = np.empty(0)  # what a replay's tensors hold between calls


def _outputs(result: Tensor | Sequence[Tensor]) -> list[Tensor]:
    return [result] if isinstance(result, Tensor) else list(result)


def _arrays(result: Tensor | Sequence[Tensor]) -> list[np.ndarray]:
    return [out.data for out in _outputs(result)]


def _set_states(generators: list[np.random.Generator], states: list[dict]) -> None:
    for generator, state in zip(generators, states):
        generator.bit_generator.state = state


def _holds_array(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return True
    return isinstance(value, (tuple, list)) and any(_holds_array(v) for v in value)
