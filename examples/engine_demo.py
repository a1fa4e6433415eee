"""A first look at the engine: build an expression, backpropagate, check against calculus.

Run with `make demo` (or `python examples/engine_demo.py` inside the virtual environment).
"""

import numpy as np

import autograd_lite as ag


def scalar_chain() -> None:
    """micrograd's classic: L = (a*b + c) * f, by hand and by backward()."""
    a, b = ag.Tensor(2.0, requires_grad=True), ag.Tensor(-3.0, requires_grad=True)
    c, f = ag.Tensor(10.0, requires_grad=True), ag.Tensor(-2.0, requires_grad=True)
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    print(f"L = (a*b + c) * f = {L.item():g}")
    print(f"  dL/da = {a.grad.item():g}   (by hand: b*f = {(-3.0) * (-2.0):g})")
    print(f"  dL/db = {b.grad.item():g}   (by hand: a*f = {2.0 * (-2.0):g})")
    print(f"  dL/dc = {c.grad.item():g}   (by hand: f = -2)")
    print(f"  dL/df = {f.grad.item():g}   (by hand: a*b + c = 4)")


def tiny_layer() -> None:
    """A ReLU layer and a softmax cross-entropy, gradients checked against finite differences."""
    ag.manual_seed(0)
    x = ag.randn(4, 3, dtype=np.float64)
    w = ag.randn(3, 5, dtype=np.float64, requires_grad=True)
    labels = np.array([0, 2, 4, 1])

    def loss_fn(w):
        logits = (x @ w).relu()
        return -(ag.log_softmax(logits)[np.arange(4), labels]).mean()

    loss = loss_fn(w)
    loss.backward()
    print(f"\ncross-entropy of a 3->5 ReLU layer on 4 examples: {loss.item():.6f}")
    print("dloss/dw =")
    print(np.array2string(w.grad, precision=4, suppress_small=True))
    print("gradcheck against central differences:", ag.gradcheck(loss_fn, [w]))


def second_derivative() -> None:
    """Gradients are Tensor code, so they can be differentiated again."""
    x = ag.Tensor(0.5, requires_grad=True, dtype=np.float64)
    (dx,) = ag.grad(x.tanh(), x, create_graph=True)
    (dxx,) = ag.grad(dx, x)
    t = np.tanh(0.5)
    print(f"\nd/dx tanh at 0.5 = {dx.item():.6f}   (1 - tanh^2 = {1 - t * t:.6f})")
    print(
        f"d2/dx2 tanh at 0.5 = {dxx.item():.6f}   "
        f"(-2 tanh (1 - tanh^2) = {-2 * t * (1 - t * t):.6f})"
    )


if __name__ == "__main__":
    scalar_chain()
    tiny_layer()
    second_derivative()
