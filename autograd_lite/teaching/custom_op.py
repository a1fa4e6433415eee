"""Your own op, checked: a learner's differentiable primitive, gradchecked on first use.

Write it as the engine's own ops are written, subclassing `CheckedOp` instead of `ag.Op`:
`forward` on numpy arrays, `backward(g, out, *inputs)` returning one gradient per input
(g times the local derivative; the engine undoes broadcasting), the rule in its docstring.

    import numpy as np
    from autograd_lite.teaching import CheckedOp

    class Cube(CheckedOp):
        def forward(self, x):
            return x**3

        def backward(self, g, out, x):
            '''dx = g * 3 x^2'''
            return (g * 3 * x * x,)

    y = Cube.apply(x)          # the first call checks the rule, then records as any op

The first `apply` of each class runs `ag.gradcheck` in float64 on random inputs of a few
random shapes (`check_shapes` overrides them, `check_range` the interval the values are
drawn from: (0.5, 2) for a log, say), one input at a time, so a wrong rule is reported
with the input it is wrong for: `OpRuleError: Cube.backward is wrong for input 0 ('x'): ...`.
Once a class passes it is not checked again.

The classes stay out of `ag.OPS` (the engine's own primitives, each of which has test
cases), and are listed in `LEARNER_OPS` instead.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

import autograd_lite as ag

LEARNER_OPS: dict[str, type[CheckedOp]] = {}
"""Every CheckedOp subclass by name (the latest definition of a name wins)."""


class OpRuleError(ag.GradcheckError):
    """A learner's backward rule disagrees with finite differences of its forward."""


class CheckedOp(ag.Op):
    """An `ag.Op` whose backward rule is gradchecked on its first `apply` (see the module
    docstring for an example).

    Class attributes a subclass may set:
    - `check_shapes`: the input shapes to check at, one tuple of shapes per check (default:
      three random shapes of up to 2 axes, the same for every input).
    - `check_range`: (low, high) of the uniform random values (default (-2, 2)).
    """

    check_shapes: ClassVar[Sequence[Sequence[tuple[int, ...]]] | None] = None
    check_range: ClassVar[tuple[float, float]] = (-2.0, 2.0)
    _checked: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # ag.Op registers every class with a forward in ag.OPS, by name: keep the engine's
        # entry (a learner's `Exp` must not replace the real one) and list this one here
        previous = ag.OPS.get(cls.__name__)
        super().__init_subclass__(**kwargs)
        if previous is not None:
            ag.OPS[cls.__name__] = previous
        else:
            ag.OPS.pop(cls.__name__, None)
        cls._checked = False
        if "forward" in cls.__dict__:
            LEARNER_OPS[cls.__name__] = cls

    @classmethod
    def apply(cls, *inputs: ag.TensorLike, **settings: Any) -> ag.Tensor | np.ndarray:
        """Check the rule once (on the first call), then run the op as `ag.Op.apply` does."""
        if not cls._checked:
            check_op(cls, len(inputs), **settings)
        return super().apply(*inputs, **settings)


def check_op(op: type[CheckedOp], arity: int | None = None, seed: int = 0, **settings: Any) -> bool:
    """Gradcheck `op`'s backward rule in float64, one input at a time, at the shapes of
    `op.check_shapes` or at three random ones; True, or `OpRuleError` naming the input.

    `arity` is the number of inputs (default: the number of parameters of `forward`);
    `settings` are passed to the op (`axis=0`, ...). On success the op is marked checked.
    """
    names = _input_names(op)
    arity = len(names) if arity is None else arity
    if arity < 1:
        raise ValueError(f"check_op: {op.__name__}.forward takes no inputs to check")
    rng = np.random.default_rng(seed)
    shape_sets = op.check_shapes or [(shape,) * arity for shape in _random_shapes(rng)]
    low, high = op.check_range
    op._checked = True  # the gradcheck below calls apply: do not check from inside the check
    try:
        for shapes in shape_sets:
            if len(shapes) != arity:
                raise ValueError(
                    f"check_op: {op.__name__}.check_shapes has an entry of {len(shapes)} shapes "
                    f"for an op of {arity} inputs"
                )
            arrays = [rng.uniform(low, high, shape) for shape in shapes]
            for i in range(arity):
                _check_input(op, arrays, i, names, settings)
    except BaseException:
        op._checked = False
        raise
    return True


def _check_input(op, arrays, i, names, settings) -> None:
    inputs = [ag.Tensor(a, requires_grad=(k == i)) for k, a in enumerate(arrays)]
    try:
        ag.gradcheck(lambda *xs: op.apply(*xs, **settings), inputs)
    except ag.GradcheckError as error:
        name = f" ('{names[i]}')" if i < len(names) else ""
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise OpRuleError(
            f"{op.__name__}.backward is wrong for input {i}{name}, checked at input shapes "
            f"{shapes} in float64: {error}"
        ) from None
    except ag.OpError as error:
        raise ValueError(
            f"check_op: {op.__name__}.forward refused the random input shapes "
            f"{[a.shape for a in arrays]}: {error}; set {op.__name__}.check_shapes to shapes "
            "it accepts"
        ) from None


def _input_names(op: type[CheckedOp]) -> list[str]:
    """The names of forward's parameters (after self): the inputs, named in error messages."""
    parameters = list(inspect.signature(op.forward).parameters.values())[1:]
    return [p.name for p in parameters if p.kind == p.POSITIONAL_OR_KEYWORD]


def _random_shapes(rng: np.random.Generator) -> list[tuple[int, ...]]:
    """A scalar, a vector and a matrix, of random sizes from 1 to 4."""
    return [(), (int(rng.integers(1, 5)),), tuple(int(n) for n in rng.integers(1, 5, 2))]
