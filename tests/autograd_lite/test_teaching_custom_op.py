"""A learner's op is gradchecked on first use and named when its rule is wrong, and it stays
out of the engine's op registry (each of whose ops has gradcheck cases)."""

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.teaching import LEARNER_OPS, CheckedOp, OpRuleError, check_op


def test_right_rule_passes_once_and_the_op_works():
    class Cube(CheckedOp):
        def forward(self, x):
            return x**3

        def backward(self, g, out, x):
            """dx = g * 3 x^2"""
            return (g * 3 * x * x,)

    assert not Cube._checked
    x = ag.Tensor([1.0, -2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    assert Cube._checked
    np.testing.assert_array_equal(x.grad, [3.0, 12.0])
    assert LEARNER_OPS["Cube"] is Cube and "Cube" not in ag.OPS


def test_wrong_rule_names_the_input():
    class Hypot2(CheckedOp):
        """a^2 + a b: the rule for b is wrong (it should be g * a)."""

        def forward(self, a, b):
            return a * a + a * b

        def backward(self, g, out, a, b):
            return g * (2 * a + b), g * b

    with pytest.raises(OpRuleError, match=r"Hypot2.backward is wrong for input 1 \('b'\)"):
        Hypot2.apply(ag.Tensor([1.0, 2.0], requires_grad=True), ag.Tensor([3.0, 4.0]))
    assert not Hypot2._checked  # checked again on the next call, and refused again
    with pytest.raises(OpRuleError, match=r"input 1 \('b'\), checked at input shapes \(\), \(\)"):
        check_op(Hypot2)


def test_a_rule_that_ignores_g_fails_and_check_shapes_and_range_are_used():
    class Log(CheckedOp):  # the engine's name: its own Log stays registered
        check_range = (0.5, 2.0)
        check_shapes = (((2, 3),),)

        def forward(self, x):
            return np.log(x)

        def backward(self, g, out, x):
            return (1 / x,)  # forgot g

    assert ag.OPS["Log"] is not Log and ag.OPS["Log"].__module__ == "autograd_lite.ops.unary"
    with pytest.raises(
        OpRuleError,
        match=r"Log.backward is wrong for input 0 \('x'\), checked "
        r"at input shapes \(2, 3\)",
    ):
        check_op(Log)


def test_refused_random_shapes_ask_for_check_shapes():
    class Inner(CheckedOp):
        def forward(self, a, b):
            return a @ b

        def backward(self, g, out, a, b):
            return g @ b.T, a.T @ g

    with pytest.raises(ValueError, match="set Inner.check_shapes to shapes it accepts"):
        check_op(Inner)
    Inner.check_shapes = (((2, 3), (3, 4)), ((1, 2), (2, 2)))
    assert check_op(Inner)


def test_the_registry_holds_only_the_engines_ops():
    assert not set(ag.OPS) & (set(LEARNER_OPS) - {"Log"})
    assert all(op.__module__.startswith("autograd_lite.ops") for op in ag.OPS.values())
