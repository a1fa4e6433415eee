"""Optimizers: move the parameters along their gradients, in Keras's formulas, defaults and dtypes.

The base class owns the loop: the step count `iterations`, the per-parameter state ("slots",
numpy arrays such as Adam's moments), `zero_grad` and `step`. A subclass writes only
`step_scalars(dtype)` (its hyperparameters for this step, in the parameters' dtype) and
`update_step(g, slots, scalars, work, out)`: Keras's formulas, which update the slots and
write the change of the weights into `out`. `step` then does `w.assign_sub(out)` for every
parameter, as Keras's optimizers change a variable: each change moves the tensor's `version`
on, so a backward through a forward that read the old values is refused instead of being
wrong. Nothing is differentiated here: gradients come from `loss.backward()`.

The formulas are elementwise, so `step` applies them once to all parameters laid end to end
in flat arrays (`_FlatLayout`, a speed trick explained there) instead of once per parameter;
the numbers are the same.

Every quantity is computed in the parameter's dtype, as Keras does: for float32 weights, the
learning rate, Adam's `beta^t` and its bias correction are float32 numbers. (Computed in
Python's float64 instead, Adam's step size differs by about 6e-6 relative: a steady offset of
the epoch losses from Keras's that tests/nn/test_keras_parity_epochs.py detects.)
float64 weights get float64 arithmetic throughout, where Keras on TensorFlow would first
round the hyperparameters to float32.

A hand-written training loop:

    >>> import numpy as np, autograd_lite as ag
    >>> w = ag.Tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD(learning_rate=0.1)
    >>> loss = (w * w).sum()
    >>> loss.backward()
    >>> opt.step([w])
    >>> opt.zero_grad([w])
    >>> w.data
    array([ 0.8, -1.6], dtype=float32)
"""

from __future__ import annotations

import numbers
import weakref
from collections.abc import Iterable
from typing import Any

import numpy as np

import autograd_lite as ag

from .utils import lookup

Slots = dict[str, np.ndarray]  # a parameter's state between steps, by name
Work = tuple[np.ndarray, ...]  # scratch arrays, shaped like the gradient
Scalars = tuple[Any, ...]  # one step's hyperparameters, in the parameters' dtype


def check_in_range(owner: str, name: str, value: Any, interval: str) -> float:
    """`value` as a float if it is a real number in `interval` (written as in mathematics:
    "(0, inf)", "[0, 1)", "[0, 1]"); otherwise an error naming `owner`, `name` and the value.
    Bools and strings are refused: `True` or `"0.01"` as a learning rate is a mistake.

    >>> check_in_range("Adam", "beta_1", 0.9, "[0, 1)")
    0.9
    >>> check_in_range("Adam", "beta_1", 1.0, "[0, 1)")
    Traceback (most recent call last):
    ValueError: Adam: beta_1 must be in [0, 1), got 1.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: {name} must be a number in {interval}, "
            f"got {value!r} ({type(value).__name__})"
        )
    low, high = (float(bound) for bound in interval[1:-1].split(","))
    x = float(value)
    above = x >= low if interval[0] == "[" else x > low
    below = x <= high if interval[-1] == "]" else x < high
    if not (above and below):  # also refuses NaN
        raise ValueError(f"{owner}: {name} must be in {interval}, got {value!r}")
    return x


class _SlotTable:
    """Per-parameter state that lives exactly as long as its parameter, and the flat layout
    of the last step (`layout`), which is dropped when any of these parameters dies.

    Keyed by `id(param)` with a weak reference beside it: a lookup checks that the reference
    still points at the same tensor (a new tensor may reuse a dead one's id), and the
    reference's callback drops the entry when the tensor is collected. (A WeakKeyDictionary
    would compare keys with `==`, which is elementwise on Tensors.)
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, Slots]] = {}
        self.layout: _FlatLayout | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, param: ag.Tensor) -> Slots | None:
        """The state stored for this very tensor, or None."""
        entry = self._entries.get(id(param))
        if entry is None or entry[0]() is not param:
            return None
        return entry[1]

    def put(self, param: ag.Tensor, slots: Slots) -> None:
        key, table = id(param), weakref.ref(self)  # the callback must not keep us alive

        def forget(ref: weakref.ref) -> None:
            owner = table()
            if owner is not None and owner._entries.get(key, (None,))[0] is ref:
                del owner._entries[key]
                # the layout keys on ids, and this id may now be reused by a new tensor
                owner.layout = None

        self._entries[key] = (weakref.ref(param, forget), slots)


class _FlatLayout:
    """The parameters of a `step`, laid end to end in flat arrays, one set of arrays per dtype.

    Why: the update is elementwise, and at batch 32 the course network's step is dominated by
    Python calls, not arithmetic: Adam per parameter is ~10 numpy calls for each of the 6
    tensors, ~20 us of call overhead per step. On flat arrays it is ~10 calls for the whole
    model, plus one copy in and one `assign_sub` out per parameter. The numbers are the same,
    element by element.

    Each parameter's slots are views into the flat slot arrays (the `_SlotTable` holds them),
    so its state survives a change of layout: a new layout (another list of parameters, e.g.
    a parameter without a gradient this step, or a layer added after `fit`) copies existing
    slots in and starts newcomers at zero. The layout holds no reference to a parameter; the
    old flat arrays are freed once no slot view into them is left (a dead parameter's share
    therefore lives until the next step rebuilds the layout).
    """

    def __init__(self, params: list[ag.Tensor], optimizer: Optimizer) -> None:
        self.key = tuple(map(id, params))  # valid while none of them died (see _SlotTable)
        self.groups: list[tuple[np.dtype, np.ndarray, Slots, Work, np.ndarray]] = []
        by_dtype: dict[np.dtype, list[ag.Tensor]] = {}
        for p in params:
            by_dtype.setdefault(p.data.dtype, []).append(p)
        views: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id -> its gradient, its step
        for dtype, members in by_dtype.items():
            size = sum(p.data.size for p in members)
            g, out = np.empty(size, dtype), np.empty(size, dtype)
            slots = {name: np.zeros(size, dtype) for name in optimizer.slot_names}
            work = tuple(np.empty(size, dtype) for _ in range(optimizer.work_arrays))
            self.groups.append((dtype, g, slots, work, out))
            start = 0
            for p in members:
                part, start = slice(start, start + p.data.size), start + p.data.size
                views[id(p)] = (g[part].reshape(p.shape), out[part].reshape(p.shape))
                own = {name: flat[part].reshape(p.shape) for name, flat in slots.items()}
                old = optimizer._slots.get(p)
                if old is not None:  # carried over from the previous layout
                    for name, slot in own.items():
                        np.copyto(slot, old[name])
                optimizer._slots.put(p, own)
        self.gradients = [views[id(p)][0] for p in params]  # in the order of `params`
        self.steps = [views[id(p)][1] for p in params]

    def gather(self, params: list[ag.Tensor], caller: str) -> None:
        """Copy each parameter's `.grad` into the flat gradient arrays."""
        for p, g in zip(params, self.gradients):
            try:
                np.copyto(g, p.grad)
            except (TypeError, ValueError):
                shown = np.asarray(p.grad)
                raise ValueError(
                    f"{caller}: parameter {p.name!r} of shape {p.shape} ({p.dtype}) has a "
                    f"gradient of shape {shown.shape} ({shown.dtype})"
                ) from None


class Optimizer:
    """Base class: `step(params)` applies `update_step` to every parameter with a gradient.

    State ("slots", e.g. Adam's moments) is kept per parameter tensor, created on the first
    step that parameter takes part in, and released when the tensor is garbage collected.
    A parameter the optimizer has not seen before is adopted with fresh, zero slots (Keras
    refuses it instead; here a layer added to a compiled model is simply trained), and it
    shares the optimizer's step count `iterations`, as Keras's variables do.
    """

    slot_names: tuple[str, ...] = ()  # the state kept between steps (Keras's optimizer variables)
    work_arrays = 0  # scratch arrays: the update allocates nothing

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_in_range(
            type(self).__name__, "learning_rate", learning_rate, "(0, inf)"
        )
        self.iterations = 0
        self._slots = _SlotTable()

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        """This step's hyperparameters as numbers of `dtype` (Keras's `ops.cast`)."""
        raise NotImplementedError

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        """Update `slots` for the gradient `g` and write the change of the weights into `out`
        (`step` then does w -= out). All arrays have g's shape; `work` is scratch."""
        raise NotImplementedError

    def step(self, params: Iterable[ag.Tensor]) -> None:
        """One update of every parameter that has a `.grad` (a parameter listed twice is
        updated once); then `iterations` += 1."""
        with_grad = {id(p): p for p in params if p.grad is not None}
        trained = list(with_grad.values())
        layout = self._slots.layout
        if layout is None or layout.key != tuple(with_grad):
            layout = self._slots.layout = _FlatLayout(trained, self)
        layout.gather(trained, f"{type(self).__name__}.step")
        for dtype, g, slots, work, out in layout.groups:
            self.update_step(g, slots, self.step_scalars(dtype), work, out)
        for p, change in zip(trained, layout.steps):
            p.assign_sub(change)
        self.iterations += 1

    def zero_grad(self, params: Iterable[ag.Tensor]) -> None:
        """Forget the gradients (`.grad = None`), so the next backward starts from zero."""
        for p in params:
            p.grad = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate:g})"


class SGD(Optimizer):
    """Gradient descent, with optional momentum (Keras's form, not PyTorch's).

    plain:     w -= g lr
    momentum:  m = m momentum - g lr;  w += m
    nesterov:  m = m momentum - g lr;  w += m momentum - g lr
    """

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = check_in_range("SGD", "momentum", momentum, "[0, 1]")
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        self.nesterov = bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum else ()
        self.work_arrays = 1 if self.momentum else 0

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        return dtype.type(self.learning_rate), dtype.type(self.momentum)

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        lr, momentum = scalars
        if not self.momentum:
            np.multiply(g, lr, out=out)  # w -= g lr
            return
        (g_lr,) = work
        np.multiply(g, lr, out=g_lr)
        m = slots["momentum"]
        m *= momentum  # m = m momentum - g lr
        m -= g_lr
        # Keras adds x to w; `out` is -x, the same floats: negation is exact and rounding to
        # nearest is symmetric about 0, so g lr - m momentum rounds to -(m momentum - g lr)
        if self.nesterov:
            np.multiply(m, momentum, out=out)  # w += m momentum - g lr
            np.subtract(g_lr, out, out=out)
        else:
            np.negative(m, out=out)  # w += m


class Adam(Optimizer):
    """Adam with bias correction, in Keras's "epsilon hat" form (t = iterations + 1):

        m += (g - m)(1 - beta_1);   v += (g^2 - v)(1 - beta_2)
        alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t);   w -= m alpha / (sqrt(v) + epsilon)

    (PyTorch writes w -= lr m_hat / (sqrt(v_hat) + eps): the same up to where eps sits.)
    As in Keras, t, beta^t and alpha are computed in the weights' dtype; `1 - beta` is
    computed in Python and then rounded to it.

    >>> import autograd_lite as ag
    >>> w = ag.Tensor([0.0], requires_grad=True)
    >>> w.grad = np.array([0.1], dtype=np.float32)
    >>> Adam().step([w])
    >>> float(w.data[0])  # Keras's float32 number (float64: -9.99968e-4; the paper: -9.99999e-4)
    -0.0009999617468565702
    """

    slot_names = ("m", "v")
    work_arrays = 1

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1 = check_in_range("Adam", "beta_1", beta_1, "[0, 1)")
        self.beta_2 = check_in_range("Adam", "beta_2", beta_2, "[0, 1)")
        self.epsilon = check_in_range("Adam", "epsilon", epsilon, "[0, inf)")

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        real = dtype.type
        t = real(self.iterations + 1)
        beta_1_power, beta_2_power = real(self.beta_1) ** t, real(self.beta_2) ** t
        alpha = real(self.learning_rate) * np.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        return alpha, real(1 - self.beta_1), real(1 - self.beta_2), real(self.epsilon)

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        alpha, one_minus_beta_1, one_minus_beta_2, epsilon = scalars
        m, v = slots["m"], slots["v"]
        (a,) = work  # Keras's operations one by one, in place (each rounds as Keras's does)
        np.subtract(g, m, out=a)  # m += (g - m)(1 - beta_1)
        a *= one_minus_beta_1
        m += a
        np.square(g, out=a)  # v += (g^2 - v)(1 - beta_2)
        a -= v
        a *= one_minus_beta_2
        v += a
        np.sqrt(v, out=a)  # w -= m alpha / (sqrt(v) + epsilon)
        a += epsilon
        np.multiply(m, alpha, out=out)
        out /= a


class RMSprop(Optimizer):
    """RMSprop as in Keras, with epsilon inside the square root:

    v = rho v + (1 - rho) g^2;   w -= lr g / sqrt(v + epsilon)
    """

    slot_names = ("velocity",)
    work_arrays = 1

    def __init__(
        self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7
    ) -> None:
        super().__init__(learning_rate)
        # rho = 1 would never update v: every step would be lr g / sqrt(epsilon)
        self.rho = check_in_range("RMSprop", "rho", rho, "[0, 1)")
        self.epsilon = check_in_range("RMSprop", "epsilon", epsilon, "[0, inf)")

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        real = dtype.type
        return real(self.learning_rate), real(self.rho), real(1 - self.rho), real(self.epsilon)

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        lr, rho, one_minus_rho, epsilon = scalars
        v = slots["velocity"]
        (a,) = work
        v *= rho  # v = rho v + (1 - rho) g^2
        np.square(g, out=a)
        a *= one_minus_rho
        v += a
        np.add(v, epsilon, out=a)  # w -= (lr g) / sqrt(v + epsilon)
        np.sqrt(a, out=a)
        np.multiply(g, lr, out=out)
        out /= a


ALL_OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier: str | Optimizer | None) -> Optimizer | None:
    """An Optimizer for a name (`"adam"`, `"sgd"`, `"rmsprop"`, with defaults) or an instance;
    None for None, as Keras.

    >>> get("adam")
    Adam(learning_rate=0.001)
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    name = identifier.lower() if isinstance(identifier, str) else identifier
    hint = "or pass an instance such as Adam(learning_rate=0.001)"
    return lookup("optimizer", name, ALL_OPTIMIZERS, hint)()
