"""Jacobians and Hessians of small functions, and a heatmap to look at them.

    jacobian(f, x)[i..., j...] = d f(x)[i...] / d x[j...]      (reverse mode: one row per
                                                                backward pass, seeded e_i)
    hessian(f, x) = jacobian(grad f, x)                         (the gradient recorded with
                                                                create_graph=True)

For softmax s = softmax(z), the picture shows diag(s) - s s^T: positive on the diagonal
(raising z_i raises s_i), negative elsewhere (it takes probability from the others), and
every row sums to 0 (the probabilities always sum to 1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd_lite as ag

from ._graph import as_leaf

MAX_ENTRIES = 10_000  # a Jacobian larger than this is no longer something to look at


def jacobian(
    f: Callable[[ag.Tensor], ag.Tensor], x: ag.TensorLike, max_entries: int = MAX_ENTRIES
) -> np.ndarray:
    """d f(x) / d x as an array of shape f(x).shape + x.shape (PyTorch's layout), in x's
        dtype (Python numbers and lists are float32; pass a float64 array for float64).

        >>> import autograd_lite as ag

    from ._graph import as_leaf
        >>> ag.teaching.jacobian(lambda x: x * x, [1.0, 3.0])
        array([[2., 0.],
               [0., 6.]], dtype=float32)
    """
    xt = as_leaf(x)
    y = f(xt)
    if not isinstance(y, ag.Tensor):
        raise TypeError(f"jacobian: f must return a Tensor, got {type(y).__name__}")
    if y.size * xt.size > max_entries:
        raise ValueError(
            f"jacobian: f maps shape {xt.shape} to {y.shape}, a Jacobian of "
            f"{y.size * xt.size} entries, more than max_entries={max_entries}"
        )
    rows = np.zeros((y.size, xt.size), dtype=xt.dtype)
    if y.requires_grad:
        for i in range(y.size):
            seed = np.zeros(y.shape, y.dtype)
            seed.flat[i] = 1
            (row,) = ag.grad(y, xt, grad_outputs=seed, allow_unused=True)
            rows[i] = row.numpy().reshape(-1)
    return rows.reshape(y.shape + xt.shape)


def hessian(
    f: Callable[[ag.Tensor], ag.Tensor], x: ag.TensorLike, max_entries: int = MAX_ENTRIES
) -> np.ndarray:
    """d^2 f / dx dx of a scalar f, of shape x.shape + x.shape: the Jacobian of its gradient.

    >>> import numpy as np, autograd_lite as ag
    >>> A = np.array([[2.0, 1.0], [0.0, 3.0]])
    >>> ag.teaching.hessian(lambda x: x @ (A @ x), np.array([1.0, -1.0]))  # A + A^T
    array([[4., 1.],
           [1., 6.]])
    """

    def gradient(xt: ag.Tensor) -> ag.Tensor:
        y = f(xt)
        if not isinstance(y, ag.Tensor) or y.size != 1:
            what = y.shape if isinstance(y, ag.Tensor) else type(y).__name__
            raise ValueError(f"hessian: f must return a single-element Tensor, got {what}")
        if not y.requires_grad:
            return xt.zeros_like()
        (g,) = ag.grad(y, xt, create_graph=True, allow_unused=True)
        return g

    return jacobian(gradient, x, max_entries)


def plot_matrix(
    matrix: np.ndarray,
    title: str = "",
    row_labels: list[str] | None = None,
    column_labels: list[str] | None = None,
    annotate: bool | None = None,
    ax=None,
):
    """A Jacobian or Hessian as a heatmap: red positive, blue negative, white 0 (the colour
    scale is symmetric about 0). A Jacobian of more than two axes is drawn as its
    (outputs, inputs) matrix. Values are written in the cells of matrices up to 12 x 12
    (`annotate` forces it on or off). Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt  # only when drawing: the engine never imports it

    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        if m.ndim % 2 or m.ndim == 0:
            raise ValueError(f"plot_matrix: expected a matrix, got shape {m.shape}")
        half = m.ndim // 2
        m = m.reshape(int(np.prod(m.shape[:half])), -1)
    if ax is None:
        size = min(8.0, 2.0 + 0.45 * max(m.shape))
        _, ax = plt.subplots(figsize=(size + 1.2, size))
    limit = float(np.nanmax(np.abs(m))) if m.size and np.isfinite(m).any() else 1.0
    image = ax.imshow(m, cmap="RdBu_r", vmin=-limit or -1, vmax=limit or 1)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    if annotate is None:
        annotate = max(m.shape) <= 12
    if annotate:
        for (i, j), value in np.ndenumerate(m):
            strong = abs(value) > 0.6 * limit
            ax.text(
                j,
                i,
                f"{value:.2g}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if strong else "black",
            )
    for labels, axis in ((row_labels, ax.yaxis), (column_labels, ax.xaxis)):
        if labels is not None:
            axis.set_ticks(range(len(labels)), labels)
    ax.set_xlabel("input entry j")
    ax.set_ylabel("output entry i")
    ax.set_title(title)
    return ax.figure
