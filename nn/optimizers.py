"""Optimizers: move the parameters along their gradients, in Keras's formulas and defaults.

The base class owns the loop: the step count `iterations`, per-parameter state ("slots":
numpy arrays keyed by the parameter tensor's id), `zero_grad` and `step`. A subclass writes
only `update_step(w, g, slots)`, in numpy, updating `w` in place. Nothing is differentiated
here: gradients come from `loss.backward()`.

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

import math
from collections.abc import Iterable

import numpy as np

import autograd_lite as ag

from .utils import lookup


class Optimizer:
    """Base class: `step(params)` applies `update_step` to every parameter with a gradient."""

    slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float) -> None:
        if not learning_rate > 0:
            raise ValueError(
                f"{type(self).__name__}: learning_rate must be positive, got {learning_rate!r}"
            )
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        self._slots: dict[int, dict[str, np.ndarray]] = {}

    def update_step(self, w: np.ndarray, g: np.ndarray, slots: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def step(self, params: Iterable[ag.Tensor]) -> None:
        """One update of every parameter that has a `.grad`; then `iterations` += 1."""
        for p in params:
            if p.grad is None:
                continue
            slots = self._slots.get(id(p))
            if slots is None:
                slots = self._slots[id(p)] = {n: np.zeros_like(p.data) for n in self.slot_names}
            self.update_step(p.data, p.grad, slots)
        self.iterations += 1

    def zero_grad(self, params: Iterable[ag.Tensor]) -> None:
        """Forget the gradients (`.grad = None`), so the next backward starts from zero."""
        for p in params:
            p.grad = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate:g})"


class SGD(Optimizer):
    """Gradient descent, with optional momentum (Keras's form, not PyTorch's).

    plain:     w -= lr * g
    momentum:  m = momentum * m - lr * g;  w += m
    nesterov:  m = momentum * m - lr * g;  w += momentum * m - lr * g
    """

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD: momentum must be in [0, 1], got {momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum else ()

    def update_step(self, w: np.ndarray, g: np.ndarray, slots: dict[str, np.ndarray]) -> None:
        lr = self.learning_rate
        if not self.momentum:
            w -= lr * g
            return
        m = slots["momentum"]
        m *= self.momentum
        m -= lr * g
        if self.nesterov:
            w += self.momentum * m - lr * g
        else:
            w += m


class Adam(Optimizer):
    """Adam with bias correction, in Keras's "epsilon hat" form (t = iterations + 1):

        m += (g - m)(1 - beta_1);   v += (g^2 - v)(1 - beta_2)
        alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t);   w -= alpha m / (sqrt(v) + epsilon)

    (PyTorch writes w -= lr m_hat / (sqrt(v_hat) + eps): the same up to where eps sits.)

    >>> import autograd_lite as ag
    >>> w = ag.Tensor([0.0], requires_grad=True)
    >>> w.grad = np.array([0.1], dtype=np.float32)
    >>> Adam().step([w])
    >>> round(float(w.data[0]), 8)  # Keras: -9.99968e-4 (the paper's form: -9.99999e-4)
    -0.00099997
    """

    slot_names = ("m", "v", "work", "work_2")  # work arrays: the update allocates nothing

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def update_step(self, w: np.ndarray, g: np.ndarray, slots: dict[str, np.ndarray]) -> None:
        m, v, a, b = slots["m"], slots["v"], slots["work"], slots["work_2"]
        t = self.iterations + 1
        alpha = self.learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        # Keras's formulas, operation by operation, written into work arrays (this is the
        # hot loop of fit; numpy temporaries would cost a third of the update's time)
        np.subtract(g, m, out=a)  # m += (g - m) * (1 - beta_1)
        a *= 1 - self.beta_1
        m += a
        np.multiply(g, g, out=a)  # v += (g^2 - v) * (1 - beta_2)
        a -= v
        a *= 1 - self.beta_2
        v += a
        np.sqrt(v, out=a)  # w -= m * alpha / (sqrt(v) + epsilon)
        a += self.epsilon
        np.multiply(m, alpha, out=b)
        b /= a
        w -= b


class RMSprop(Optimizer):
    """RMSprop as in Keras, with epsilon inside the square root:

    v = rho v + (1 - rho) g^2;   w -= lr g / sqrt(v + epsilon)
    """

    slot_names = ("velocity",)

    def __init__(
        self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7
    ) -> None:
        super().__init__(learning_rate)
        self.rho, self.epsilon = rho, epsilon

    def update_step(self, w: np.ndarray, g: np.ndarray, slots: dict[str, np.ndarray]) -> None:
        v = slots["velocity"]
        v *= self.rho
        v += (1 - self.rho) * (g * g)
        w -= self.learning_rate * g / np.sqrt(v + self.epsilon)


ALL_OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier: str | Optimizer) -> Optimizer:
    """An Optimizer for a name (`"adam"`, `"sgd"`, `"rmsprop"`, with defaults) or an instance.

    >>> get("adam")
    Adam(learning_rate=0.001)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    name = identifier.lower() if isinstance(identifier, str) else identifier
    hint = "or pass an instance such as Adam(learning_rate=0.001)"
    return lookup("optimizer", name, ALL_OPTIMIZERS, hint)()
