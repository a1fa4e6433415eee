"""Optimizers: move the parameters along their gradients, in Keras's formulas, defaults and dtypes.

The base class owns the loop: the step count `iterations`, the per-parameter state ("slots",
numpy arrays such as Adam's moments), `zero_grad` and `step`. A subclass writes only
`step_scalars(dtype)` (its hyperparameters for this step, in the parameters' dtype) and
`update_step(w, g, slots, work, scalars)`, which changes `w` through `w.assign_sub` /
`w.assign_add` as Keras's optimizers do: each change moves the tensor's `version` on, so a
backward through a forward that read the old values is refused instead of being wrong.
Nothing is differentiated here: gradients come from `loss.backward()`.

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
Work = tuple[np.ndarray, ...]  # its scratch arrays, shaped like it
Scalars = tuple[Any, ...]  # one step's hyperparameters, in the parameter's dtype


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
    """Per-parameter state that lives exactly as long as its parameter.

    Keyed by `id(param)` with a weak reference beside it: a lookup checks that the reference
    still points at the same tensor (a new tensor may reuse a dead one's id), and the
    reference's callback drops the entry when the tensor is collected. (A WeakKeyDictionary
    would compare keys with `==`, which is elementwise on Tensors.)
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, tuple[Slots, Work]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, param: ag.Tensor) -> tuple[Slots, Work] | None:
        """The state stored for this very tensor, or None."""
        entry = self._entries.get(id(param))
        if entry is None or entry[0]() is not param:
            return None
        return entry[1]

    def put(self, param: ag.Tensor, state: tuple[Slots, Work]) -> None:
        key, table = id(param), weakref.ref(self)  # the callback must not keep us alive

        def forget(ref: weakref.ref) -> None:
            owner = table()
            if owner is not None and owner._entries.get(key, (None,))[0] is ref:
                del owner._entries[key]

        self._entries[key] = (weakref.ref(param, forget), state)


class Optimizer:
    """Base class: `step(params)` applies `update_step` to every parameter with a gradient.

    State ("slots", e.g. Adam's moments) is kept per parameter tensor, created on the first
    step that parameter takes part in, and released when the tensor is garbage collected.
    A parameter the optimizer has not seen before is adopted with fresh, zero slots (Keras
    refuses it instead; here a layer added to a compiled model is simply trained), and it
    shares the optimizer's step count `iterations`, as Keras's variables do.
    """

    slot_names: tuple[str, ...] = ()  # the state kept between steps (Keras's optimizer variables)
    work_arrays = 0  # scratch arrays per parameter: the update allocates nothing

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
        self, w: ag.Tensor, g: np.ndarray, slots: Slots, work: Work, scalars: Scalars
    ) -> None:
        """Change `w` (with `w.assign_sub`/`assign_add`) and `slots` for the gradient `g`."""
        raise NotImplementedError

    def step(self, params: Iterable[ag.Tensor]) -> None:
        """One update of every parameter that has a `.grad`; then `iterations` += 1."""
        scalars: dict[np.dtype, Scalars] = {}  # computed once per dtype per step
        for p in params:
            if p.grad is None:
                continue
            state = self._slots.get(p)
            if state is None:
                state = self._adopt(p)
            dtype = p.data.dtype
            if dtype not in scalars:
                scalars[dtype] = self.step_scalars(dtype)
            self.update_step(p, p.grad, *state, scalars[dtype])
        self.iterations += 1

    def _adopt(self, p: ag.Tensor) -> tuple[Slots, Work]:
        slots = {name: np.zeros_like(p.data) for name in self.slot_names}
        work = tuple(np.empty_like(p.data) for _ in range(self.work_arrays))
        self._slots.put(p, (slots, work))
        return slots, work

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
        self.work_arrays = 2 if self.nesterov and self.momentum else 1

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        return dtype.type(self.learning_rate), dtype.type(self.momentum)

    def update_step(
        self, w: ag.Tensor, g: np.ndarray, slots: Slots, work: Work, scalars: Scalars
    ) -> None:
        lr, momentum = scalars
        g_lr = work[0]
        np.multiply(g, lr, out=g_lr)
        if not self.momentum:
            w.assign_sub(g_lr)
            return
        m = slots["momentum"]
        m *= momentum
        m -= g_lr
        if self.nesterov:
            a = work[1]
            np.multiply(m, momentum, out=a)
            a -= g_lr
            w.assign_add(a)
        else:
            w.assign_add(m)


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
    work_arrays = 2

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
        self, w: ag.Tensor, g: np.ndarray, slots: Slots, work: Work, scalars: Scalars
    ) -> None:
        alpha, one_minus_beta_1, one_minus_beta_2, epsilon = scalars
        m, v = slots["m"], slots["v"]
        a, b = work  # Keras's operations one by one, into work arrays (the hot loop of fit)
        np.subtract(g, m, out=a)  # m += (g - m)(1 - beta_1)
        a *= one_minus_beta_1
        m += a
        np.multiply(g, g, out=a)  # v += (g^2 - v)(1 - beta_2)
        a -= v
        a *= one_minus_beta_2
        v += a
        np.sqrt(v, out=a)  # w -= m alpha / (sqrt(v) + epsilon)
        a += epsilon
        np.multiply(m, alpha, out=b)
        b /= a
        w.assign_sub(b)


class RMSprop(Optimizer):
    """RMSprop as in Keras, with epsilon inside the square root:

    v = rho v + (1 - rho) g^2;   w -= lr g / sqrt(v + epsilon)
    """

    slot_names = ("velocity",)
    work_arrays = 2

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
        self, w: ag.Tensor, g: np.ndarray, slots: Slots, work: Work, scalars: Scalars
    ) -> None:
        lr, rho, one_minus_rho, epsilon = scalars
        v = slots["velocity"]
        a, b = work
        v *= rho  # v = rho v + (1 - rho) g^2
        np.multiply(g, g, out=a)
        a *= one_minus_rho
        v += a
        np.add(v, epsilon, out=a)  # w -= (lr g) / sqrt(v + epsilon)
        np.sqrt(a, out=a)
        np.multiply(g, lr, out=b)
        b /= a
        w.assign_sub(b)


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
