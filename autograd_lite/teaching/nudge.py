"""Derivatives three ways: nudge a parameter, differentiate forward, differentiate backward.

- `nudge(loss_fn, w, index)`: move one entry of w by eps and see the loss change,
  (L(w + eps) - L(w)) / eps, beside the gradient autograd computes (the course's
  "Derivatives" lab, for any parameter of any model).
- `jvp(f, x, v)`: forward mode, the Jacobian-vector product J v, computed by the engine with
  the double-backward trick: u -> J^T u is linear in u, so d/du of <J^T u, v> is J v.
- `compare_derivatives(f, x)`: reverse mode, forward mode and central differences over a
  sweep of eps in float32 and float64. The error of a central difference is about
  eps^2 |f'''| / 6 (truncation, falls as eps shrinks) plus about machine-eps |f| / eps
  (round-off, grows as eps shrinks): a U-curve whose bottom sits near eps ~ 1e-5 in float64
  and 1e-2 in float32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import autograd_lite as ag

from ._graph import as_leaf, number


@dataclass(frozen=True)
class Nudge:
    """One parameter entry nudged: the loss before and after, their slope, and the gradient."""

    name: str  # "w[0, 1]"
    eps: float
    loss: float
    nudged_loss: float
    slope: float  # (nudged_loss - loss) / eps
    gradient: float  # autograd's dL/dw at that entry

    def __str__(self) -> str:
        return (
            f"nudge {self.name} by eps={self.eps:g}: L goes from {self.loss:.8g} to "
            f"{self.nudged_loss:.8g}\n(L(w + eps) - L(w)) / eps = {self.slope:.6g}; "
            f"autograd's dL/d{self.name} = {self.gradient:.6g}"
        )


def nudge(
    loss_fn: Callable[[], ag.Tensor],
    param: ag.Tensor,
    index: int | tuple[int, ...] | None = None,
    eps: float = 1e-3,
) -> Nudge:
    """(L(w + eps) - L(w)) / eps for one entry of `param`, beside autograd's dL/dw there.

    `loss_fn()` computes the loss from the current values of the parameters (a closure over
    the model or the tensors). The entry is changed in the parameter's own array and put
    back afterwards; nothing else changes (no `.grad` is touched). The forward difference's
    error is about eps * d2L/dw2 / 2: shrink eps and the two numbers meet, until round-off
    takes over, early in float32 (see `compare_derivatives`).

    >>> import autograd_lite as ag
    >>> import numpy as np
    >>> w = ag.Tensor(np.array([3.0, 1.0]), requires_grad=True)  # float64
    >>> print(ag.teaching.nudge(lambda: (w**2).sum(), w, index=0, eps=1e-3))
    nudge w[0] by eps=0.001: L goes from 10 to 10.006001
    (L(w + eps) - L(w)) / eps = 6.001; autograd's dL/dw[0] = 6
    """
    if not isinstance(param, ag.Tensor) or not param.requires_grad:
        raise ValueError("nudge: param must be a Tensor with requires_grad=True")
    _check_eps(eps, "nudge")
    index = _entry(param, index, "nudge")
    loss = _scalar_loss(loss_fn(), "nudge")
    (gradient,) = ag.grad(loss, param, allow_unused=True)
    original = param.data[index].copy()
    try:
        param.data[index] = original + eps
        with ag.no_grad():
            nudged = float(_scalar_loss(loss_fn(), "nudge").item())
    finally:
        param.data[index] = original
    base = float(loss.item())
    name = (param.name or "w") + (f"[{', '.join(map(str, index))}]" if index else "")
    return Nudge(name, eps, base, nudged, (nudged - base) / eps, float(gradient.data[index]))


def jvp(f: Callable[[ag.Tensor], ag.Tensor], x: ag.TensorLike, v: ag.TensorLike) -> np.ndarray:
    """Forward mode: J v, the derivative of f at x in the direction v, as an array of f's
    output shape (for a scalar loss: <grad f(x), v>, the directional derivative).

    Computed by reverse mode twice (no dual numbers needed): with a dummy output gradient u,
    g(u) = J^T u is recorded (`create_graph=True`), and d<g(u), v>/du = J v.

    >>> import autograd_lite as ag
    >>> ag.teaching.jvp(lambda x: x**3, [1.0, 2.0], [1.0, 0.5])
    array([3., 6.], dtype=float32)
    """
    xt = as_leaf(x)
    direction = np.asarray(v.data if isinstance(v, ag.Tensor) else v, dtype=xt.dtype)
    if direction.shape != xt.shape:
        raise ValueError(f"jvp: v has shape {direction.shape} but x has shape {xt.shape}")
    y = f(xt)
    if not isinstance(y, ag.Tensor):
        raise TypeError(f"jvp: f must return a Tensor, got {type(y).__name__}")
    if not y.requires_grad:  # f does not depend on x
        return np.zeros(y.shape, y.dtype)
    u = ag.Tensor(np.zeros(y.shape, y.dtype), requires_grad=True)
    (vjp,) = ag.grad(y, xt, grad_outputs=u, create_graph=True, allow_unused=True)
    if not vjp.requires_grad:  # f is constant in x near here: J = 0
        return np.zeros(y.shape, y.dtype)
    (jv,) = ag.grad((vjp * direction).sum(), u, allow_unused=True)
    return jv.numpy()


@dataclass(frozen=True)
class DerivativeComparison:
    """df/dx[index] by reverse mode, forward mode and central differences over `eps`.

    `central[dtype]` holds (f(x + eps e) - f(x - eps e)) / (2 eps) computed in that dtype for
    each eps; `errors[dtype]` its distance from the float64 reverse-mode value."""

    name: str
    reverse: float
    forward: float
    eps: np.ndarray
    central: dict[str, np.ndarray]
    errors: dict[str, np.ndarray]

    def best_eps(self, dtype: str) -> float:
        """The eps whose central difference came closest, in `dtype` ("float32", "float64")."""
        return float(self.eps[np.argmin(self.errors[dtype])])

    def table(self) -> str:
        """A Markdown table: eps, then the central difference and its error per dtype."""
        rows = [
            f"backprop (reverse mode): {self.reverse:.15g}; JVP (forward): {self.forward:.15g}",
            "",
            "| eps | central, float32 | error | central, float64 | error |",
            "| ---: | ---: | ---: | ---: | ---: |",
        ]
        for k, h in enumerate(self.eps):
            cells = [f"{h:.0e}"]
            for dtype in ("float32", "float64"):
                cells += [f"{self.central[dtype][k]:.10g}", f"{self.errors[dtype][k]:.1e}"]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def plot(self, ax=None):
        """The U-curves: error of the central difference against eps, log-log, per dtype."""
        import matplotlib.pyplot as plt  # only when drawing: the engine never imports it

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.2))
        floor = 1e-17  # an error of exactly 0 cannot be drawn on a log scale
        for dtype, color in (("float32", "#c62828"), ("float64", "#1565c0")):
            errors = np.maximum(self.errors[dtype], floor)
            best = int(np.argmin(errors))
            label = f"{dtype} (best eps {self.eps[best]:.0e})"
            ax.loglog(self.eps, errors, "o-", color=color, markersize=3.5, label=label)
            ax.loglog(self.eps[best], errors[best], "*", color=color, markersize=13)
        ax.set_xlabel("eps")
        ax.set_ylabel(f"|central difference - backprop|  (d f / d {self.name})")
        ax.set_title(
            f"Central differences: truncation (right) vs round-off (left)\n"
            f"backprop {number(self.reverse)}, forward mode {number(self.forward)}, "
            f"|difference| {abs(self.forward - self.reverse):.1e}",
            fontsize=10,
        )
        ax.grid(True, which="major", alpha=0.3)
        ax.legend()
        return ax.figure


def compare_derivatives(
    f: Callable[[ag.Tensor], ag.Tensor],
    x: ag.TensorLike,
    index: int | tuple[int, ...] | None = None,
    eps: np.ndarray | None = None,
) -> DerivativeComparison:
    """d f / d x[index] of a scalar function f, by reverse mode, forward mode (`jvp`) and
    central differences over `eps` (default 1e-15 ... 1e-1, 29 steps) in float32 and float64.

    `f` must work in both dtypes (write it with ag ops and Python numbers). The reference is
    the float64 reverse-mode value.

    >>> import autograd_lite as ag
    >>> c = ag.teaching.compare_derivatives(lambda x: (x**3).sum(), [2.0])
    >>> c.reverse, c.forward, c.best_eps("float64") < 1e-3 < c.best_eps("float32")
    (12.0, 12.0, True)
    """
    eps = np.logspace(-15, -1, 29) if eps is None else np.asarray(eps, dtype=np.float64)
    for h in eps.reshape(-1):
        _check_eps(float(h), "compare_derivatives")
    x64 = np.array(x.data if isinstance(x, ag.Tensor) else x, dtype=np.float64)
    index = _entry(ag.Tensor(x64), index, "compare_derivatives")
    xt = ag.Tensor(x64, requires_grad=True)
    (gradient,) = ag.grad(_scalar_loss(f(xt), "compare_derivatives"), xt, allow_unused=True)
    reverse = float(gradient.data[index])
    direction = np.zeros_like(x64)
    direction[index] = 1
    forward = float(jvp(f, x64, direction))
    central, errors = {}, {}
    with ag.no_grad():
        for dtype in ("float32", "float64"):
            base = x64.astype(dtype)
            values = []
            for h in eps:
                plus, minus = base.copy(), base.copy()
                plus[index] += h  # rounded to dtype, as a real step would be
                minus[index] -= h
                up, down = (float(f(ag.Tensor(a)).item()) for a in (plus, minus))
                values.append((up - down) / (2 * h))
            central[dtype] = np.array(values)
            errors[dtype] = np.abs(central[dtype] - reverse)
    name = "x" + (f"[{', '.join(map(str, index))}]" if index else "")
    return DerivativeComparison(name, reverse, forward, eps, central, errors)


def _entry(t: ag.Tensor, index, caller: str) -> tuple[int, ...]:
    """`index` as a full tuple picking one entry of t (None for a single-element t)."""
    if index is None:
        if t.size != 1:
            raise ValueError(
                f"{caller}: the tensor has shape {t.shape}; pass index= to pick one entry"
            )
        return (0,) * t.ndim
    index = (index,) if isinstance(index, (int, np.integer)) else tuple(index)
    if len(index) != t.ndim or any(
        not isinstance(i, (int, np.integer)) or not -n <= i < n for i, n in zip(index, t.shape)
    ):
        raise ValueError(f"{caller}: index {index} does not pick one entry of shape {t.shape}")
    return tuple(int(i) % n for i, n in zip(index, t.shape))


def _scalar_loss(loss: object, caller: str) -> ag.Tensor:
    if not isinstance(loss, ag.Tensor) or loss.size != 1:
        what = loss.shape if isinstance(loss, ag.Tensor) else type(loss).__name__
        raise ValueError(f"{caller}: the function must return a single-element Tensor, got {what}")
    return loss


def _check_eps(eps: float, caller: str) -> None:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise ValueError(f"{caller}: eps must be a positive number, got {eps!r}")
