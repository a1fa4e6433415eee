"""ag.trace: a replayed step gives exactly what running the function eagerly gives."""

import numpy as np
import pytest

import autograd_lite as ag
from tests.numerics import assert_close

rng = np.random.default_rng(0)


def make_params():
    shapes = [(6, 5), (5,), (5, 3), (3,)]
    return [ag.Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]


def network(params, x, y):
    w1, b1, w2, b2 = params
    z = (x @ w1 + b1).tanh() @ w2 + b2
    return ag.cross_entropy(z, y), z


def eager_step(params, x, y):
    loss, z = network(params, ag.Tensor(x), y)
    loss.backward()
    return loss.data, z.data


def test_replay_matches_eager_on_new_data_and_moving_parameters():
    traced_params, eager_params = make_params(), make_params()
    for p, q in zip(eager_params, traced_params):
        q.data[...] = p.data
    step = ag.trace(lambda x, y: network(traced_params, x, y))
    for _ in range(4):
        x, y = rng.standard_normal((4, 6)), rng.integers(0, 3, 4)
        loss, z = step(x, y)
        expected_loss, expected_z = eager_step(eager_params, x, y)
        assert_close(loss, expected_loss)
        assert_close(z, expected_z)
        for p, q in zip(eager_params, traced_params):
            assert_close(q.grad, p.grad)
            p.data -= 0.1 * p.grad  # parameters change in place between steps, as in training
            q.data -= 0.1 * q.grad
            p.grad = q.grad = None
    assert len(step.replays) == 1 and not step.eager_reasons


def test_each_input_signature_gets_its_own_recording():
    params = make_params()
    step = ag.trace(lambda x, y: network(params, x, y))
    for batch in (4, 4, 2, 2, 4):
        step(rng.standard_normal((batch, 6)), rng.integers(0, 3, batch))
    assert len(step.replays) == 2


def test_gradients_accumulate_like_backward():
    w = ag.Tensor(np.array([1.0, -1.0]), requires_grad=True)
    step = ag.trace(lambda x: (x * w).sum())
    for _ in range(3):
        step(np.array([2.0, 3.0]))
    np.testing.assert_array_equal(w.grad, [6.0, 9.0])


@pytest.mark.parametrize(
    "fn, reason",
    [
        (lambda x: (x * x.detach()).sum(), "an array of shape (3,) that is not an input"),
        (lambda x: ag.where(ag.isfinite(x.sum()), x, 0.0).sum(), "read a tensor's value into Python (isfinite())"),
        (lambda x: x[np.argsort(x.data)].sum(), "GetItem holds an array (index)"),
    ],
)
def test_data_dependent_functions_run_eagerly_and_say_why(fn, reason):
    w = ag.Tensor(np.ones(3), requires_grad=True)
    step = ag.trace(lambda x: fn(x * w))
    for x in (np.array([1.0, -2.0, 3.0]), np.array([-1.0, 2.0, -3.0])):
        (value,) = step(x)
        np.testing.assert_allclose(value, fn(ag.Tensor(x)).data)
    assert not step.replays
    assert reason in next(iter(step.eager_reasons.values()))


def test_replay_false_always_runs_eagerly():
    w = ag.Tensor(np.ones(2), requires_grad=True)
    step = ag.trace(lambda x: (x * w).sum(), replay=False)
    step(np.ones(2))
    step(np.ones(2))
    assert not step.replays and not step.eager_reasons
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


def test_comparisons_are_recomputed_by_a_replay():
    w = ag.Tensor(np.ones(3), requires_grad=True)
    step = ag.trace(lambda x: ag.leaky_relu(x * w).sum() + ag.softmax(x * w)[0])
    for x in (np.array([1.0, -2.0, 3.0]), np.array([-1.0, 2.0, -3.0])):
        w.grad = None
        (value,) = step(x)
        w_eager = ag.Tensor(np.ones(3), requires_grad=True)
        expected = ag.leaky_relu(x * w_eager).sum() + ag.softmax(x * w_eager)[0]
        expected.backward()
        np.testing.assert_allclose(value, expected.data)
        np.testing.assert_allclose(w.grad, w_eager.grad)
    assert len(step.replays) == 1


def test_reading_a_value_into_python_makes_the_function_run_eagerly():
    w = ag.Tensor(np.ones(3), requires_grad=True)

    def centred(x):  # float() reads this batch's mean: a replay would keep the first one
        h = x * w
        return ((h - float(h.mean())) ** 2).sum()

    step = ag.trace(centred)
    for x in (np.array([1.0, 2.0, 3.0]), np.array([10.0, 0.0, 5.0]), np.array([1.0, 1.0, 7.0])):
        (value,) = step(x)
        np.testing.assert_allclose(value, ((x - x.mean()) ** 2).sum())
    assert not step.replays
    assert "read a tensor's value into Python (float())" in next(iter(step.eager_reasons.values()))


def test_a_replay_that_disagrees_with_the_function_is_dropped():
    w = ag.Tensor(np.ones(3), requires_grad=True)
    step = ag.trace(lambda x: (x * w / np.abs(x.data).max()).sum())  # .data is invisible to checks
    for x in (np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 8.0]), np.array([3.0, 0.0, 1.0])):
        (value,) = step(x)
        np.testing.assert_allclose(value, x.sum() / np.abs(x).max())
    assert not step.replays
    assert "a replay computed something else" in next(iter(step.eager_reasons.values()))


def test_freezing_a_parameter_after_recording_is_respected():
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ag.Tensor(np.array(0.5), requires_grad=True)
    step = ag.trace(lambda x: (x * w).sum() + b)
    for _ in range(3):
        step(np.ones(2))
    w.grad = b.grad = None
    b.requires_grad_(False)
    step(np.ones(2))
    assert b.grad is None and w.grad is not None


def test_a_trace_inside_a_traced_function_keeps_the_outer_value_reads():
    w = ag.Tensor(np.array([1.0, -1.0]), requires_grad=True)
    inner = ag.trace(lambda x: (x * w).sum())

    def outer(x):
        h = (x * w).sum()
        loss = h if float(x.sum()) > 0 else h * 3
        inner(x.data)
        return loss

    step = ag.trace(outer)
    for x in (np.array([2.0, 1.0]), np.array([3.0, 1.0]), np.array([-1.0, -3.0])):
        (value,) = step(x)
        expected = (x * w.data).sum() * (1 if x.sum() > 0 else 3)
        np.testing.assert_allclose(value, expected)
    assert "float()" in next(iter(step.eager_reasons.values()))


def test_editing_a_gradient_in_place_does_not_change_later_replays():
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ag.Tensor(np.array(0.0), requires_grad=True)  # Add passes the seed itself to b
    step = ag.trace(lambda x: (x * w).sum() + b)
    for _ in range(4):
        w.grad = b.grad = None
        step(np.array([3.0, 4.0]))
        b.grad *= 0.5  # e.g. clipping in a hand-written loop
        np.testing.assert_array_equal(w.grad, [3.0, 4.0])
