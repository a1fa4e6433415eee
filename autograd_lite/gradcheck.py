"""Gradient checking: the engine's gradients against central finite differences, in float64.

numeric  d f_j / d x_k  ~  (f_j(x + eps e_k) - f_j(x - eps e_k)) / (2 eps)
analytic d f_j / d x_k  =  row j of the Jacobian, from one backward pass seeded with e_j
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .engine import grad
from .tensor import Tensor, TensorLike

Function = Callable[..., "Tensor | Sequence[Tensor]"]


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message says where and by how much."""


def gradcheck(
    fn: Function,
    inputs: TensorLike | Sequence[TensorLike],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if `fn`'s gradients match finite differences, else raise `GradcheckError`.

    `inputs` (one tensor, array or number, or a list of them) are copied to float64; those
    that are tensors with requires_grad=False are held constant, everything else is checked.
    `fn` may return one tensor or several.

    Each backward pass is seeded with a random weight w_j on one output element, and its
    result divided by w_j: a rule that ignores its incoming gradient (returning d out/d x
    instead of g * d out/d x) then fails even when fn ends in a sum, whose seed would be 1.

    >>> import autograd_lite as ag
    >>> ag.gradcheck(lambda x: (x * x.exp()).sum(), [ag.randn(3, 2, requires_grad=True)])
    True
    """
    xs = _float64_inputs(inputs, "gradcheck")
    _check_eps(eps, "gradcheck")
    checked = [i for i, x in enumerate(xs) if x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    outputs = _outputs(fn, xs)
    weights = _output_weights(outputs)
    for i in checked:
        analytic = _analytical_jacobian(outputs, weights, xs, i)
        numeric = numerical_jacobian(fn, xs, i, eps)
        _compare(analytic, numeric, i, xs[i].shape, outputs, atol, rtol)
    return True


def gradgradcheck(
    fn: Function,
    inputs: TensorLike | Sequence[TensorLike],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck of x -> grad(fn(x), x, v, create_graph=True).

    The output gradient `v` is a fixed random tensor, so every output element takes part.
    """
    xs = _float64_inputs(inputs, "gradgradcheck")
    _check_eps(eps, "gradgradcheck")
    shapes = [out.shape for out in _outputs(fn, xs)]
    rng = np.random.default_rng(seed)
    vs = [Tensor(rng.standard_normal(shape)) for shape in shapes]

    def first_derivatives(*xs: Tensor) -> tuple[Tensor, ...]:
        wanted = [x for x in xs if x.requires_grad]
        total = sum((out * v).sum() for out, v in zip(_outputs(fn, xs), vs))
        return grad(total, wanted, create_graph=True, allow_unused=True)

    return gradcheck(first_derivatives, xs, eps=eps, atol=atol, rtol=rtol)


def numerical_jacobian(fn: Function, xs: Sequence[Tensor], i: int, eps: float = 1e-6) -> np.ndarray:
    """d(all outputs, flattened) / d(xs[i], flattened) by central differences.

    Meant for float64 inputs (`gradcheck` and `nn.check_gradients` convert to it): on float32
    it warns, since x + eps rounds to a float32 (7 digits) and f's float32 rounding errors,
    about 1e-7 * |f|, are divided by 2 eps, about 1e-6: a difference of 10% or more.
    """
    _check_eps(eps, "numerical_jacobian")
    x = xs[i].data
    if x.dtype != np.float64:
        warnings.warn(
            f"numerical_jacobian: input {i} is {x.dtype}; central differences with eps={eps:g} "
            f"in {x.dtype} lose most of their digits to rounding (float32 keeps about 7), so "
            "they cannot check a gradient. Fix: check in float64, e.g. ag.gradcheck(fn, "
            "inputs), which copies its inputs to float64, or nn.check_gradients(model, x, y)",
            UserWarning,
            stacklevel=2,
        )
    columns = []
    for k in range(x.size):
        original = x.flat[k]
        x.flat[k] = original + eps
        plus = _flat_values(fn, xs)
        x.flat[k] = original - eps
        minus = _flat_values(fn, xs)
        x.flat[k] = original
        columns.append((plus - minus) / (2 * eps))
    return np.stack(columns, axis=1) if columns else np.zeros((_flat_values(fn, xs).size, 0))


def _output_weights(outputs: list[Tensor]) -> list[np.ndarray]:
    """A fixed random weight in [0.5, 2) for every output element (the same on every run)."""
    rng = np.random.default_rng(0)
    return [rng.uniform(0.5, 2.0, out.shape) for out in outputs]


def _analytical_jacobian(
    outputs: list[Tensor], weights: list[np.ndarray], xs: Sequence[Tensor], i: int
) -> np.ndarray:
    rows = []
    for out, weight in zip(outputs, weights):
        for j in range(out.size):
            if not out.requires_grad:
                rows.append(np.zeros(xs[i].size))
                continue
            seed = np.zeros(out.shape)
            seed.flat[j] = weight.flat[j]
            (g,) = grad(out, [xs[i]], grad_outputs=Tensor(seed), allow_unused=True)
            rows.append(g.data.reshape(-1) / weight.flat[j])
    return np.array(rows).reshape(-1, xs[i].size)


def _compare(analytic, numeric, i, shape, outputs, atol, rtol) -> None:
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    excess = np.where(np.isnan(analytic) != np.isnan(numeric), np.inf, np.nan_to_num(excess))
    if excess.size == 0 or excess.max() <= 0:
        return
    row, col = np.unravel_index(np.argmax(excess), excess.shape)
    where = f"index {tuple(int(k) for k in np.unravel_index(col, shape))}"
    if sum(out.size for out in outputs) > 1:
        where += f" (output element {int(row)})"
    raise GradcheckError(
        f"gradient mismatch for input {i} (shape {shape}) at {where}: "
        f"analytic {analytic[row, col]:.6g}, numeric {numeric[row, col]:.6g} "
        f"(worst of {excess.size} elements; atol={atol:g}, rtol={rtol:g})"
    )


def _check_eps(eps: float, caller: str) -> None:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not eps > 0:
        raise ValueError(f"{caller}: eps must be a positive number, got {eps!r}")


def _float64_inputs(inputs: TensorLike | Sequence[TensorLike], caller: str) -> list[Tensor]:
    if isinstance(inputs, (Tensor, np.ndarray, int, float, np.generic)):
        inputs = [inputs]  # one input given on its own
    if not isinstance(inputs, (list, tuple)) or len(inputs) == 0:
        raise ValueError(
            f"{caller}: inputs must be a tensor, an array, a number or a non-empty list of them, "
            f"got {inputs!r}"
        )
    xs = []
    for x in inputs:
        wants_grad = x.requires_grad if isinstance(x, Tensor) else True
        xs.append(Tensor(np.array(x, dtype=np.float64), requires_grad=wants_grad))
    return xs


def _outputs(fn: Function, xs: Sequence[Tensor]) -> list[Tensor]:
    result = fn(*xs)
    outputs = list(result) if isinstance(result, (list, tuple)) else [result]
    for out in outputs:
        if not isinstance(out, Tensor):
            raise TypeError(f"gradcheck: fn must return Tensors, got {type(out).__name__}")
        if out.dtype != np.float64:
            raise GradcheckError(
                f"gradcheck: fn returned {out.dtype}, but the check needs float64 all the way "
                "(does fn cast its input or use a float32 constant tensor?)"
            )
    return outputs


def _flat_values(fn: Function, xs: Sequence[Tensor]) -> np.ndarray:
    return np.concatenate([out.data.reshape(-1) for out in _outputs(fn, xs)])
