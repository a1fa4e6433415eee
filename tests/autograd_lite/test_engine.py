"""The engine's behaviour: accumulation, reuse, deep graphs, memory, grad mode, higher order."""

import gc
import weakref

import numpy as np
import pytest

import autograd_lite as ag


def test_backward_fills_leaf_grads_with_matching_shape_and_dtype():
    x = ag.Tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    w = ag.Tensor(np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 1.0]]), requires_grad=True)
    y = ((x @ w).relu() * 2 + 1).sum()
    y.backward()
    # z = x @ w = [[0, 4, -3], [3.25, 5.5, -2.5]]: relu passes where z > 0 (z = 0 passes nothing)
    mask = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    np.testing.assert_allclose(x.grad, 2 * mask @ w.data.T)
    np.testing.assert_allclose(w.grad, 2 * x.data.T @ mask)
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float64
    assert x.grad.shape == x.shape and w.grad.shape == w.shape


def test_gradients_accumulate_across_backward_calls_until_reset():
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [2 + 3, 4 + 3])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [3, 3])


def test_node_used_by_several_ops_sums_its_gradients():
    x = ag.Tensor(3.0, requires_grad=True)
    a = x * x  # used three times below
    y = a * a + a.exp() + (-a)
    y.backward()
    # dy/da = 2a + e^a - 1 with a = 9; da/dx = 2x = 6
    assert x.grad == pytest.approx((2 * 9 + np.exp(9) - 1) * 6, rel=1e-5)


def test_two_leaves_added_get_independent_grad_arrays():
    a = ag.Tensor([1.0, 2.0], requires_grad=True)
    b = ag.Tensor([1.0, 2.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 10  # an in-place edit of one gradient must not change the other
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_deep_chain_backpropagates_without_recursion():
    x = ag.Tensor(1.0, requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_dropping_the_output_frees_the_whole_graph_without_the_cycle_collector():
    gc.disable()
    try:
        w = ag.Tensor(np.ones((3, 2)), requires_grad=True)
        hidden = (ag.Tensor(np.ones((4, 3))) @ w).tanh()
        loss = (hidden * hidden).sum()
        refs = [weakref.ref(t) for t in ag.topological_order(loss) if t is not w]
        loss.backward()
        del hidden, loss
        assert all(r() is None for r in refs), "a graph node outlived its output"
        assert w.grad is not None and w.grad.shape == (3, 2)  # the leaf's gradient survives
    finally:
        gc.enable()


def test_topological_order_lists_parents_before_children_and_each_node_once():
    a = ag.Tensor(1.0, requires_grad=True)
    b = a * 2
    c = a + b
    d = c * b
    order = ag.topological_order(d)
    position = {id(t): i for i, t in enumerate(order)}
    assert len(order) == len(position)
    for t in order:
        for p in t.parents:
            assert position[id(p)] < position[id(t)]
    assert order[-1] is d


def test_no_grad_records_nothing_as_context_and_decorator():
    x = ag.Tensor([1.0], requires_grad=True)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.op is None and y.parents == ()

    @ag.no_grad()
    def predict(t):
        return t * 3

    assert not predict(x).requires_grad
    assert ag.is_grad_enabled()


def test_no_grad_decorator_restores_mode_through_recursion_and_errors():
    @ag.no_grad()
    def nested(depth):
        if depth:
            nested(depth - 1)
        raise_error = depth == 0
        if raise_error:
            raise KeyError("inner")

    with pytest.raises(KeyError):
        nested(3)
    assert ag.is_grad_enabled()
    with ag.no_grad():
        with ag.enable_grad():
            assert ag.is_grad_enabled()
        assert not ag.is_grad_enabled()


def test_name_scope_labels_tensors_created_inside():
    with ag.name_scope("L1 (Dense)"):
        w = ag.ones(2, requires_grad=True)
        y = w * 2
        with ag.name_scope("inner"):
            z = y + 1
        after_inner = y - 1
    outside = z * 1
    assert (w.scope, y.scope, z.scope, after_inner.scope) == ("L1 (Dense)",) * 2 + (
        "inner",
        "L1 (Dense)",
    )
    assert outside.scope is None and ag.current_scope() is None


def test_grad_returns_tensors_and_leaves_dot_grad_alone():
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    (dx,) = ag.grad(y, x)
    assert isinstance(dx, ag.Tensor)
    np.testing.assert_allclose(dx.data, [3.0, 12.0])
    assert x.grad is None


def test_grad_of_intermediate_tensor():
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    dh, dx = ag.grad(y, [h, x])
    np.testing.assert_allclose(dh.data, 2 * h.data)
    np.testing.assert_allclose(dx.data, 18 * x.data)


def test_second_derivative_and_hessian_vector_product():
    x = ag.Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    y = x.tanh().sum() + (x**3).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    t = np.tanh(x.data)
    np.testing.assert_allclose(g.data, 1 - t**2 + 3 * x.data**2)
    v = ag.Tensor(np.array([1.0, 0.0, 2.0]))
    (hv,) = ag.grad((g * v).sum(), x)  # Hessian is diagonal here
    np.testing.assert_allclose(hv.data, (-2 * t * (1 - t**2) + 6 * x.data) * v.data)


def test_grad_of_unused_input_is_an_error_unless_allowed():
    x = ag.Tensor([1.0], requires_grad=True)
    unused = ag.Tensor([2.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="input 1 .* was not used"):
        ag.grad(y, [x, unused])
    _, zero = ag.grad(y, [x, unused], allow_unused=True)
    np.testing.assert_array_equal(zero.data, [0.0])


def test_kink_conventions():
    x = ag.Tensor([0.0, 0.0, 0.0], requires_grad=True, dtype=np.float64)
    (x.relu() + x.abs()).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])  # relu'(0) = abs'(0) = 0

    tie = ag.Tensor([1.0, 3.0, 3.0], requires_grad=True)
    tie.max().backward()
    np.testing.assert_array_equal(tie.grad, [0.0, 0.5, 0.5])  # ties share the gradient

    a, b = ag.Tensor(2.0, requires_grad=True), ag.Tensor(2.0, requires_grad=True)
    ag.maximum(a, b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)

    c = ag.Tensor([-1.0, 1.0], requires_grad=True)
    c.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(c.grad, [1.0, 1.0])  # clip passes the gradient at its bounds


def test_softplus_derivative_at_zero_is_one_half():
    x = ag.Tensor(0.0, requires_grad=True)
    x.softplus().backward()
    assert x.grad == 0.5


def test_comparisons_are_not_differentiable():
    x = ag.Tensor([1.0, -1.0], requires_grad=True)
    for result in (x > 0, x < 0, x >= 0, x <= 0, x == 1, x != 1, x.sign(), x.argmax()):
        assert not result.requires_grad
        with pytest.raises(RuntimeError, match="does not require grad"):
            result.sum().backward()
    np.testing.assert_array_equal((x > 0).data, [True, False])


def test_backward_on_a_leaf_with_a_gradient_seed():
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([3.0, 4.0], dtype=np.float32)
    x.backward(seed)
    seed[0] = 100.0  # the user's seed array is not aliased by .grad
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_no_grad_works_as_a_bare_decorator():
    @ag.no_grad
    def double(t):
        return t * 2

    assert not double(ag.Tensor([1.0], requires_grad=True)).requires_grad
    assert ag.is_grad_enabled()


def test_scalar_leaf_grad_stays_an_array_when_accumulating():
    x = ag.Tensor(2.0, requires_grad=True)
    for _ in range(2):
        (x * x).backward()
    assert type(x.grad) is np.ndarray and x.grad == 8.0
