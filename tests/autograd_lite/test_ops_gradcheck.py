"""Every primitive and every derived function, gradchecked (first and second order) in float64."""

import pytest

import autograd_lite as ag

from .op_cases import CASES, DERIVED

ALL = [
    (name, *case) for table in (CASES, DERIVED) for name, cases in table.items() for case in cases
]
IDS = [f"{name}: {label}" for name, label, _, _ in ALL]


def test_every_primitive_has_cases():
    missing = set(ag.OPS) - set(CASES)
    assert not missing, f"ops without gradcheck cases in op_cases.py: {sorted(missing)}"


@pytest.mark.parametrize("name, label, fn, inputs", ALL, ids=IDS)
def test_gradcheck(name, label, fn, inputs):
    assert ag.gradcheck(fn, inputs)


@pytest.mark.parametrize("name, label, fn, inputs", ALL, ids=IDS)
def test_gradgradcheck(name, label, fn, inputs):
    assert ag.gradgradcheck(fn, inputs)
