"""The written-out chain rule: its numbers are the engine's gradients, its sums add up."""

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.teaching import chain_rule


def named(t: ag.Tensor, name: str) -> ag.Tensor:
    t.name = name
    return t


def scalar_graph():
    w = ag.Tensor(-1.0, requires_grad=True, name="w")
    x = ag.Tensor(2.0, name="x")
    z = named(w * x, "z")
    return w, named(z * z / 8, "L")


def test_scalar_derivation_reads_as_the_chain_rule_with_numbers():
    w, loss = scalar_graph()
    derivation = chain_rule(loss, w)
    assert str(derivation).splitlines() == [
        "z = w * x = -2",
        "t1 = z * z = 4",
        "L = t1 / 8 = 0.5",
        "dL/dL = 1",
        "dL/dt1 = dL/dL * ∂L/∂t1 = (1)(0.125) = 0.125",
        (
            "dL/dz = dL/dt1 * ∂t1/∂z (input 0) + dL/dt1 * ∂t1/∂z (input 1) "
            "= (0.125)(-2) + (0.125)(-2) = -0.5"
        ),
        "dL/dw = dL/dz * ∂z/∂w = (-0.5)(2) = -1",
    ]
    assert "4. `dL/dw = dL/dz * ∂z/∂w = (-0.5)(2) = -1`" in derivation.markdown()
    assert (
        "\\frac{dL}{dw} &= \\frac{dL}{dz}\\,\\frac{\\partial z}{\\partial w} = (-0.5)(2) = -1"
        in derivation.latex()
    )
    loss.backward()
    assert derivation.value == float(w.grad) == -1.0


def check_against_engine(loss, leaf, index):
    """Every step's terms add up to its value, which is the engine's gradient of that entry."""
    derivation = chain_rule(loss, leaf, index)
    grads = ag.grad(loss, [s.tensor for s in derivation.steps])
    for step, g in zip(derivation.steps, grads):
        expected = g.numpy()[step.index]
        assert step.value == pytest.approx(expected, rel=1e-6)
        if step.terms:
            assert sum(t.value for t in step.terms) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    return derivation


def test_vector_graph_sums_over_uses_and_entries():
    a = ag.Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True, name="a")
    b = ag.Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True, name="b")
    loss = named(((a * b).tanh() * a).sum() + a.sum(), "L")
    for i in range(3):
        derivation = check_against_engine(loss, a, i)
        last = derivation.steps[-1]
        assert last.name == f"dL/da[{i}]"
        # a is used three times: in a * b and in (...) * a (each an entry of 3, 2 of them
        # with local derivative 0, left out) and in a.sum()
        assert len(last.terms) == 3 and last.omitted == 4
    a_grad, b_grad = ag.grad(loss, [a, b])
    assert chain_rule(loss, a, 2).value == pytest.approx(a_grad.numpy()[2], rel=1e-12)
    assert chain_rule(loss, b, (1,)).value == pytest.approx(b_grad.numpy()[1], rel=1e-12)


def test_matrix_leaf_and_relu_kink():
    W = ag.Tensor(np.array([[1.0, -2.0], [0.5, 1.5]]), requires_grad=True, name="W")
    x = ag.Tensor(np.array([1.0, 1.0]), name="x")
    h = named((x @ W).relu(), "h")  # x @ W = [1.5, -0.5]: the second unit is off
    loss = named((h * h).sum(), "L")
    check_against_engine(loss, W, (0, 0))
    off = check_against_engine(loss, W, (1, 1))
    assert off.value == 0.0
    assert "dL/dt1[1] = dL/dh[1] * ∂h[1]/∂t1[1] = (0)(0)" in str(off)


def test_size_limit_and_bad_arguments_are_clear_errors():
    W = ag.randn(10, 10, requires_grad=True)
    loss = (ag.randn(10, 10) @ W).tanh().sum()
    with pytest.raises(ValueError, match=r"chain_rule: .* more than max_steps=10"):
        chain_rule(loss, W, (0, 0), max_steps=10)  # it needs 22: 10 + 10 + the loss and W
    with pytest.raises(ValueError, match=r"chain_rule: t\d+ has shape \(10, 10\); pass index="):
        chain_rule(loss, W)
    with pytest.raises(ValueError, match=r"index \(10, 0\) does not pick one entry"):
        chain_rule(loss, W, (10, 0))
    with pytest.raises(ValueError, match="not among the tensors"):
        chain_rule(loss, ag.ones(2, requires_grad=True))
    with pytest.raises(ValueError, match=r"single-element tensor .* shape \(10,\)"):
        chain_rule((W * 2).sum(axis=0), W, (0, 0))
