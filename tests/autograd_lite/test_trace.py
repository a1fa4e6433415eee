"""ag.trace: a replayed step gives exactly what running the function eagerly gives."""

import itertools

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


def forward_backward(params, x, y):
    """The eager step a trace records: it calls backward() itself."""
    loss, z = network(params, x, y)
    loss.backward()
    return loss, z


def eager_step(params, x, y):
    loss, z = forward_backward(params, ag.Tensor(x), y)
    return loss.data, z.data


def with_backward(fn):
    """fn, followed by backward() from its (first) output, as a traced function does it."""

    def step(*args):
        out = fn(*args)
        out.backward()
        return out

    return step


def test_replay_matches_eager_on_new_data_and_moving_parameters():
    traced_params, eager_params = make_params(), make_params()
    for p, q in zip(eager_params, traced_params):
        q.data[...] = p.data
    step = ag.trace(lambda x, y: forward_backward(traced_params, x, y))
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
    step = ag.trace(lambda x, y: forward_backward(params, x, y))
    for batch in (4, 4, 2, 2, 4):
        step(rng.standard_normal((batch, 6)), rng.integers(0, 3, batch))
    assert len(step.replays) == 2


def test_gradients_accumulate_like_backward():
    w = ag.Tensor(np.array([1.0, -1.0]), requires_grad=True)
    step = ag.trace(with_backward(lambda x: (x * w).sum()))
    for _ in range(3):
        step(np.array([2.0, 3.0]))
    np.testing.assert_array_equal(w.grad, [6.0, 9.0])


@pytest.mark.parametrize(
    "fn, reason",
    [
        (lambda x: (x * x.detach()).sum(), "an array of shape (3,) that is not an input"),
        (
            lambda x: ag.where(ag.isfinite(x.sum()), x, 0.0).sum(),
            "read a tensor's value into Python (isfinite())",
        ),
        (lambda x: x[np.argsort(x.data)].sum(), "GetItem holds an array (index)"),
    ],
)
def test_data_dependent_functions_run_eagerly_and_say_why(fn, reason):
    w = ag.Tensor(np.ones(3), requires_grad=True)
    step = ag.trace(with_backward(lambda x: fn(x * w)))
    for x in (np.array([1.0, -2.0, 3.0]), np.array([-1.0, 2.0, -3.0])):
        (value,) = step(x)
        np.testing.assert_allclose(value, fn(ag.Tensor(x)).data)
    assert not step.replays
    assert reason in next(iter(step.eager_reasons.values()))


def test_replay_false_always_runs_eagerly():
    w = ag.Tensor(np.ones(2), requires_grad=True)
    step = ag.trace(with_backward(lambda x: (x * w).sum()), replay=False)
    step(np.ones(2))
    step(np.ones(2))
    assert not step.replays and not step.eager_reasons
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


def test_comparisons_are_recomputed_by_a_replay():
    w = ag.Tensor(np.ones(3), requires_grad=True)
    step = ag.trace(with_backward(lambda x: ag.leaky_relu(x * w).sum() + ag.softmax(x * w)[0]))
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

    step = ag.trace(with_backward(centred))
    for x in (np.array([1.0, 2.0, 3.0]), np.array([10.0, 0.0, 5.0]), np.array([1.0, 1.0, 7.0])):
        (value,) = step(x)
        np.testing.assert_allclose(value, ((x - x.mean()) ** 2).sum())
    assert not step.replays
    assert "read a tensor's value into Python (float())" in next(iter(step.eager_reasons.values()))


def test_a_replay_that_disagrees_with_the_function_is_dropped():
    w = ag.Tensor(np.ones(3), requires_grad=True)
    step = ag.trace(with_backward(lambda x: (x * w / np.abs(x.data).max()).sum()))  # .data: unseen
    for x in (np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 8.0]), np.array([3.0, 0.0, 1.0])):
        (value,) = step(x)
        np.testing.assert_allclose(value, x.sum() / np.abs(x).max())
    assert not step.replays
    assert "a replay computed something else" in next(iter(step.eager_reasons.values()))


def test_freezing_a_parameter_after_recording_is_respected():
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ag.Tensor(np.array(0.5), requires_grad=True)
    step = ag.trace(with_backward(lambda x: (x * w).sum() + b))
    for _ in range(3):
        step(np.ones(2))
    w.grad = b.grad = None
    b.requires_grad_(False)
    step(np.ones(2))
    assert b.grad is None and w.grad is not None


def test_a_trace_inside_a_traced_function_keeps_the_outer_value_reads():
    w = ag.Tensor(np.array([1.0, -1.0]), requires_grad=True)
    inner = ag.trace(with_backward(lambda x: (x * w).sum()))

    def outer(x):
        h = (x * w).sum()
        loss = h if float(x.sum()) > 0 else h * 3
        inner(x.data)
        return loss

    step = ag.trace(with_backward(outer))
    for x in (np.array([2.0, 1.0]), np.array([3.0, 1.0]), np.array([-1.0, -3.0])):
        (value,) = step(x)
        expected = (x * w.data).sum() * (1 if x.sum() > 0 else 3)
        np.testing.assert_allclose(value, expected)
    assert "float()" in next(iter(step.eager_reasons.values()))


def test_editing_a_gradient_in_place_does_not_change_later_replays():
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ag.Tensor(np.array(0.0), requires_grad=True)  # Add passes the seed itself to b
    step = ag.trace(with_backward(lambda x: (x * w).sum() + b))
    for _ in range(4):
        w.grad = b.grad = None
        step(np.array([3.0, 4.0]))
        b.grad *= 0.5  # e.g. clipping in a hand-written loop
        np.testing.assert_array_equal(w.grad, [3.0, 4.0])


# --- what the trace learns from the function: the backward root, random draws -------------


def test_the_replay_backpropagates_from_the_tensor_backward_was_called_on():
    w = ag.Tensor(np.array([1.0, -2.0]), requires_grad=True)

    def predictions_then_loss(x):  # the loss is the second output, and not the last op
        z = x * w
        loss = (z * z).sum()
        loss.backward()
        return z, loss, z.sum()

    step = ag.trace(predictions_then_loss)
    for x in ([1.0, 2.0], [3.0, -1.0], [0.5, 0.5]):
        w.grad = None
        z, loss, total = step(np.array(x))
        x = np.array(x)
        np.testing.assert_allclose(w.grad, 2 * x * x * w.data)  # d/dw sum((x w)^2)
        np.testing.assert_allclose(z, x * w.data)
        np.testing.assert_allclose(loss, ((x * w.data) ** 2).sum())
        np.testing.assert_allclose(total, (x * w.data).sum())  # computed after backward()
    assert next(iter(step.replays.values())).checked and not step.eager_reasons


def test_a_function_that_never_calls_backward_is_traced_forward_only():
    w = ag.Tensor(np.array([2.0, 3.0]), requires_grad=True)
    step = ag.trace(lambda x: ag.tanh(x * w).sum())
    for x in ([1.0, 2.0], [0.1, -0.2], [-1.0, 0.0]):
        (value,) = step(np.array(x))
        np.testing.assert_allclose(value, np.tanh(np.array(x) * [2.0, 3.0]).sum())
    assert w.grad is None
    assert next(iter(step.replays.values())).checked and not step.eager_reasons


@pytest.mark.parametrize(
    "fn, reason",
    [
        (lambda x: [x.sum().backward(), x.sum().backward()] and x, "called backward() 2 times"),
        (lambda x: x.backward(np.ones(2)) or x, "backward() was given a gradient"),
        (lambda x: x * ag.rand(2), "ag.random_uniform"),
    ],
)
def test_what_a_replay_cannot_redo_runs_eagerly_and_says_why(fn, reason):
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    step = ag.trace(lambda x: fn(x * w))
    for _ in range(3):
        step(np.ones(2))
    assert not step.replays and reason in next(iter(step.eager_reasons.values()))


@pytest.mark.parametrize(
    "changed, reason",
    [
        ("reads", "read a tensor's value into Python (float())"),
        ("no backward", "called backward() 0 times, and 1 times when recorded"),
    ],
)
def test_a_function_that_changes_after_recording_is_caught_by_the_second_call(changed, reason):
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    calls = []

    def step(x):
        calls.append(x)
        loss = (x * w).sum()
        if len(calls) == 1 or changed == "reads":
            loss.backward()
        if len(calls) > 1 and changed == "reads":
            float(loss)
        return loss

    traced = ag.trace(step)
    for _ in range(3):
        (value,) = traced(np.array([1.0, 1.0]))
        assert value == 3.0
    assert len(calls) == 3 and not traced.replays  # the third call ran the function too
    assert next(iter(traced.eager_reasons.values())) == f"the function {reason}"


def noisy(w):
    """A step with two random draws, the second one the second input of its op: a plain
    topological order of the graph would draw it first."""

    def step(x):
        h = (x * w) * ag.random_uniform(x.shape, dtype=np.float64)
        loss = (h * ag.random_uniform((), dtype=np.float64)).sum()
        loss.backward()
        return loss, h

    return step


def test_random_draws_are_fresh_on_every_replay_and_equal_the_eager_ones_for_the_same_seed():
    w = ag.Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    x = np.array([1.0, -1.0, 2.0])
    runs = {}
    for replay in (True, False):
        ag.manual_seed(5)
        step = ag.trace(noisy(w), replay=replay)
        runs[replay] = []
        for _ in range(4):
            w.grad = None
            loss, h = step(x)
            runs[replay].append((loss, h, w.grad))
        runs[replay].append(ag.rand(1).data)  # both leave the generator at the same place
        assert step.replays if replay else not step.replays
        assert not step.eager_reasons
    ag.manual_seed(5)
    u1, u2 = ag.rand(3, dtype=np.float64).data, ag.rand(dtype=np.float64).data
    np.testing.assert_allclose(runs[True][0][1], x * w.data * u1)  # the draws of ag.rand
    np.testing.assert_allclose(runs[True][0][2], x * u1 * u2)
    for traced, eager in zip(runs[True], runs[False]):
        for a, b in zip(traced, eager):
            np.testing.assert_array_equal(a, b)  # the same arithmetic on the same draws
    masks = [h for _, h, _ in runs[True][:4]]
    assert all(not np.allclose(a, b) for a, b in itertools.pairwise(masks))  # fresh every call


def test_a_random_draw_that_leads_nowhere_makes_the_replay_disagree():
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)

    def step(x):
        ag.random_uniform((3,))  # drawn by the function, but never by a replay of the loss
        loss = (x * w).sum()
        loss.backward()
        return loss

    ag.manual_seed(1)
    traced = ag.trace(step)
    for _ in range(3):
        traced(np.ones(2))
    after = ag.rand(1).data
    ag.manual_seed(1)
    for _ in range(3):
        ag.rand(3)
    np.testing.assert_array_equal(ag.rand(1).data, after)  # the function's draws, no more
    assert "drew other random numbers" in next(iter(traced.eager_reasons.values()))


def test_a_seeded_generator_of_the_function_is_replayed_too():
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    generator = np.random.default_rng(3)

    def step(x):
        loss = (x * w * ag.random_uniform((2,), np.float64, generator)).sum()
        loss.backward()
        return loss

    traced = ag.trace(step)
    losses = [traced(np.ones(2))[0] for _ in range(4)]
    expected = np.random.default_rng(3).random((4, 2)) @ w.data
    np.testing.assert_allclose(losses, expected)
    assert next(iter(traced.replays.values())).checked


# --- the recorder --------------------------------------------------------------------------


def test_the_recorder_is_gone_after_a_call_even_when_the_function_raises():
    from autograd_lite import engine

    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    seen = []

    def step(x):
        seen.append(engine.recorder)
        loss = (x * w).sum()
        float(loss)
        loss.backward()
        if x.shape == (3,):
            raise ValueError("no")
        return loss

    traced = ag.trace(step)
    traced(np.ones(2))
    with pytest.raises(ValueError, match="no"):
        traced(np.ones(3))
    assert engine.recorder is None
    assert len(seen) == 2 and all(r is not None for r in seen)
    for recorder in seen:  # emptied: it keeps no tensor alive
        assert recorder.ops == [] and recorder.backward_calls == [] and recorder.values_read == []


def test_a_leaf_reached_along_many_paths_gets_the_eager_sum_bit_for_bit():
    # the shares of w arrive along four paths; float32 addition is not associative, so the
    # replay must add them in the eager backward's order, not in the order the ops ran
    values = np.random.default_rng(5).standard_normal((4, 3)).astype(np.float32)
    w = ag.Tensor(values, requires_grad=True)

    def step(x):
        penalty = (w * w).sum() * 0.01 + w.abs().sum() * 0.003  # made first, used last
        loss = ((x @ w).tanh() ** 2).mean() + (w.sigmoid() * x.sum()).mean() + penalty
        loss.backward()
        return loss

    traced = ag.trace(step)
    batches = [
        np.random.default_rng(k).standard_normal((8, 4)).astype(np.float32) for k in range(4)
    ]
    for x in batches:
        w.grad = None
        traced(x)
        replayed = w.grad
        w.grad = None
        step(ag.from_numpy(x))
        np.testing.assert_array_equal(replayed, w.grad)
    assert traced.replays and not traced.eager_reasons
