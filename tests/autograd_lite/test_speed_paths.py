"""The engine's fast paths (issue 9) give what the general ones give: `Op.apply` for one, two,
three and no inputs, rules run on plain arrays, the backward walk keyed by tensors, and the
replay storing its arrays in the recorded tensors."""

import numpy as np
import pytest

import autograd_lite as ag

rng = np.random.default_rng(0)


def test_the_tiny_graph_gives_the_hand_written_gradients_bit_for_bit():
    xa = rng.standard_normal((32, 25)).astype(np.float32)
    ya = rng.standard_normal((32, 25)).astype(np.float32)
    x, y = ag.Tensor(xa, requires_grad=True), ag.Tensor(ya, requires_grad=True)
    z = (x * y + x).sum()
    z.backward()
    assert z.data == (xa * ya + xa).sum()
    np.testing.assert_array_equal(x.grad, ya + 1)  # the broadcast ones + ones * y
    np.testing.assert_array_equal(y.grad, xa)
    assert x.grad.dtype == y.grad.dtype == np.float32
    assert not np.shares_memory(x.grad, y.grad)


def test_a_tensor_used_by_several_ops_and_twice_by_one_gets_every_share():
    x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    ((x * x) * x + x).sum().backward()  # d/dx (x^3 + x) = 3 x^2 + 1
    np.testing.assert_array_equal(x.grad, [4.0, 13.0, 28.0])


@pytest.mark.parametrize("n_inputs", [0, 1, 2, 3])
def test_apply_records_the_flags_of_every_input(n_inputs):
    x = ag.Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = ag.Tensor(rng.standard_normal((3, 2)))
    b = ag.Tensor(rng.standard_normal(2), requires_grad=True)
    if n_inputs == 0:  # no input: recorded only while ag.trace records
        out = ag.random_uniform((2,))
        assert (out.op, out.parents, out.requires_grad) == (None, (), False)
        return
    out = {1: lambda: x.exp(), 2: lambda: x @ w, 3: lambda: ag.dense(x, w, b)}[n_inputs]()
    expected = (True, False, True)[:n_inputs]
    assert tuple(out.op.needs_input_grad) == expected
    assert out.parents == (x, w, b)[:n_inputs] and out.requires_grad


def test_apply_on_arrays_alone_is_numpy_in_numpy_out():
    a = np.array([[1.0, 2.0]], dtype=np.float32)
    result = ag.broadcast_to(a, (3, 2))
    assert type(result) is np.ndarray and result.dtype == np.float32
    np.testing.assert_array_equal(result, np.broadcast_to(a, (3, 2)))
    assert type(ag.exp([0.0, 1.0])) is np.ndarray  # a list goes the general way


def test_apply_keeps_naming_the_op_in_errors_on_each_path():
    a, b = ag.Tensor(np.ones((2, 3))), ag.Tensor(np.ones((4, 5)))
    with pytest.raises(ag.OpError, match=r"add: shapes \(2, 3\) and \(4, 5\)"):
        a + b
    with pytest.raises(ag.OpError, match=r"add: shapes \(2, 3\) and \(4, 5\)"):
        ag.add(np.ones((2, 3)), np.ones((4, 5)))  # arrays only
    with pytest.raises(ag.OpError, match=r"add: shapes \(2, 3\) and \(4, 5\)"):
        a + np.ones((4, 5))  # a Tensor and an array


def test_grad_keeps_the_gradient_of_an_intermediate_tensor():
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    loss = (h * 3.0).sum()
    dh, dx = ag.grad(loss, [h, x])
    np.testing.assert_array_equal(dh.data, [3.0, 3.0])
    np.testing.assert_array_equal(dx.data, [6.0, 12.0])


def test_a_replay_leaves_the_tensors_made_before_the_call_as_they_are():
    # a replay stores its new arrays in the tensors the call made, not in those made before
    # it (the function uses them as they are: the replay computes them not again)
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    scaled = w * 2.0
    before = scaled.data

    def fn(x):
        loss = (x * scaled).sum()
        loss.backward()
        return loss

    step = ag.trace(fn)
    for k in range(4):
        w.grad = None
        (loss,) = step(np.array([1.0, k], dtype=np.float32))
        assert float(loss) == 2.0 + 4.0 * k
        np.testing.assert_array_equal(w.grad, [2.0, 2.0 * k])
    assert step.eager_reasons == {} and len(step.replays) == 1
    assert scaled.data is before


def test_a_replay_returns_new_arrays_and_leaves_earlier_outputs_alone():
    w = ag.Tensor([1.0, 2.0], requires_grad=True)

    def fn(x):
        return x * w

    step = ag.trace(fn)
    first = [step(np.array([k, k], dtype=np.float32))[0] for k in (1.0, 2.0, 3.0, 4.0)]
    np.testing.assert_array_equal(first, [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]])


def test_ops_of_one_to_four_inputs_replay_and_backpropagate_as_eagerly():
    # the replay's forward and the backward pass the arrays of ops with two or three inputs
    # directly and build a list for the others: each way gives the eager numbers, bit for bit
    # (relu: one input; * and @: two; where and dense: three; concatenate of four: a list)
    kernel = ag.Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    bias = ag.Tensor(rng.standard_normal(2), requires_grad=True)
    scale = ag.Tensor(rng.standard_normal(2), requires_grad=True)

    def fn(x):
        h = ag.dense(x, kernel, bias, activation="tanh")
        h = ag.where(h > 0, h * scale, h.relu())
        loss = (ag.concatenate([h, h * h, x @ kernel, h], axis=1) ** 2).sum()
        loss.backward()
        return loss

    step = ag.trace(fn)
    params = (kernel, bias, scale)
    for k in range(4):
        x = rng.standard_normal((5, 3)).astype(np.float32)
        for p in params:
            p.grad = None
        (loss,) = step(x)
        replayed = [p.grad for p in params]
        for p in params:
            p.grad = None
        expected = fn(ag.from_numpy(x))
        assert loss == expected.data
        for got, p in zip(replayed, params):
            np.testing.assert_array_equal(got, p.grad)
    assert step.eager_reasons == {} and all(r.checked for r in step.replays.values())
