"""Property tests: gradients stay right for any broadcast shapes and any reduction axes."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "maximum": lambda a, b: ag.maximum(a, b + 0.05),
}


@settings(max_examples=40, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    op=st.sampled_from(sorted(BINARY)),
    seed=st.integers(0, 2**16),
)
def test_binary_ops_under_any_broadcast(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a, b = (ag.Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes.input_shapes)
    out = BINARY[op](a, b)
    assert out.shape == shapes.result_shape
    assert ag.gradcheck(BINARY[op], [a, b])


@settings(max_examples=40, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
    data=st.data(),
    keepdims=st.booleans(),
    name=st.sampled_from(["sum", "mean", "logsumexp", "var"]),
)
def test_reductions_over_any_axes(shape, data, keepdims, name):
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, max_size=len(shape)))
    axis = tuple(axes) if axes else None
    x = ag.Tensor(np.random.default_rng(len(shape)).standard_normal(shape), requires_grad=True)
    result = getattr(x, name)(axis=axis, keepdims=keepdims)
    expected = {"sum": np.sum, "mean": np.mean, "var": np.var}.get(name)
    if expected is not None:
        np.testing.assert_allclose(result.data, expected(x.data, axis=axis, keepdims=keepdims))
    assert ag.gradcheck(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims), [x])
