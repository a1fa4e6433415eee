"""The fused Dense op, activation(x @ kernel + bias): the same numbers as the ops it replaces,
its errors, and nn's Dense layer on it. (Its gradchecks, first and second order in float64,
are the "Dense" cases of op_cases.py.)"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
import nn
from autograd_lite.ops.dense import ACTIVATIONS, dense

from ..numerics import assert_close

rng = np.random.default_rng(7)

COMPOSED = {
    "linear": lambda z: z,
    "relu": ag.relu,
    "sigmoid": ag.sigmoid,
    "tanh": ag.tanh,
}


def parameters(n: int, k: int, bias: bool, dtype=np.float32) -> list[ag.Tensor]:
    made = [rng.standard_normal((n, k)), rng.standard_normal(k)][: 2 if bias else 1]
    return [ag.Tensor(a.astype(dtype), requires_grad=True) for a in made]


def value_and_grads(fn, x: ag.Tensor, params: list[ag.Tensor], seed: np.ndarray):
    """fn's output and the gradients of sum(output * seed) for x and the parameters."""
    for t in (x, *params):
        t.grad = None
    out = fn(x, *params)
    (out * seed).sum().backward()
    return out.data, [t.grad for t in (x, *params)]


def fused(activation):
    return lambda x, *params: dense(x, *params, activation=activation)


def composed(activation):
    def fn(x, kernel, bias=None):
        z = x @ kernel
        return COMPOSED[activation](z if bias is None else z + bias)

    return fn


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no bias"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_values_and_gradients_equal_the_composed_ops_exactly(activation, bias):
    # a batch of rows: the same numpy calls as matmul, add, the activation and the sum that
    # undoes the bias's broadcast, so the same bits
    x = ag.Tensor(rng.standard_normal((6, 5)).astype(np.float32), requires_grad=True)
    params = parameters(5, 3, bias)
    seed = rng.standard_normal((6, 3)).astype(np.float32)
    out, grads = value_and_grads(fused(activation), x, params, seed)
    want_out, want_grads = value_and_grads(composed(activation), x, params, seed)
    assert out.dtype == np.float32
    assert_close(out, want_out, exact=True)
    assert len(grads) == len(want_grads) == 2 + bias
    for got, want in zip(grads, want_grads):
        assert got.dtype == np.float32
        assert_close(got, want, exact=True)


@pytest.mark.parametrize(
    "x_shape", [(2, 4, 5), (5,), (2, 1, 3, 5)], ids=["batch axes", "a vector", "rank 4"]
)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_batch_axes_and_a_single_vector_match_the_composed_ops(x_shape, activation):
    # every position along the leading axes is a row: one product for the kernel's gradient
    x = ag.Tensor(rng.standard_normal(x_shape).astype(np.float32), requires_grad=True)
    params = parameters(5, 3, bias=True)
    seed = rng.standard_normal(x_shape[:-1] + (3,)).astype(np.float32)
    out, grads = value_and_grads(fused(activation), x, params, seed)
    want_out, want_grads = value_and_grads(composed(activation), x, params, seed)
    assert out.shape == x_shape[:-1] + (3,)
    assert_close(out, want_out, exact=True)
    for got, want in zip(grads, want_grads):
        assert got.shape == want.shape
        assert_close(got, want)


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_batch_axes_give_the_bits_of_the_same_rows_as_one_matrix(activation):
    # the op lays every position out as a row of one 2-D product (numpy's matmul of an N-d
    # array loops over its leading axes): the numbers of the (8, 5) matrix of rows, exactly
    x = rng.standard_normal((2, 4, 5)).astype(np.float32)
    params = parameters(5, 3, bias=True)
    seed = rng.standard_normal((2, 4, 3)).astype(np.float32)
    batch = ag.Tensor(x, requires_grad=True)
    out, grads = value_and_grads(fused(activation), batch, params, seed)
    matrix = ag.Tensor(x.reshape(8, 5), requires_grad=True)
    want_out, want_grads = value_and_grads(fused(activation), matrix, params, seed.reshape(8, 3))
    assert_close(out, want_out.reshape(2, 4, 3), exact=True)
    assert_close(grads[0], want_grads[0].reshape(2, 4, 5), exact=True)
    for got, want in zip(grads[1:], want_grads[1:]):
        assert_close(got, want, exact=True)


def test_the_dtype_follows_numpy_when_the_bias_is_wider():
    # float32 x and kernel with a float64 bias give float64, as x @ kernel + bias does: the
    # bias is then not added in place into the float32 product
    x = ag.Tensor(np.float32([[1.0, 2.0]]))
    kernel = ag.Tensor(np.float32([[0.1], [0.2]]))
    bias = ag.Tensor(np.float64([1e-9]))
    out = dense(x, kernel, bias)
    assert out.dtype == np.float64
    assert_close(out, (x @ kernel + bias).data, exact=True)


def test_relu_zeroes_the_gradient_where_the_unit_is_off_with_relu_prime_of_zero_zero():
    x = ag.Tensor([[1.0, 1.0], [2.0, -1.0]], requires_grad=True)
    kernel = ag.Tensor([[1.0, -1.0], [-1.0, 1.0]], requires_grad=True)
    y = dense(x, kernel, activation="relu")  # z = [[0, 0], [3, -3]]
    y.sum().backward()
    assert_close(y, np.float32([[0.0, 0.0], [3.0, 0.0]]), exact=True)
    # only z[1, 0] is on: dz = [[0, 0], [1, 0]]
    assert_close(x.grad, np.float32([[0.0, 0.0], [1.0, -1.0]]), exact=True)
    assert_close(kernel.grad, np.float32([[2.0, 0.0], [-1.0, 0.0]]), exact=True)


def test_the_forward_keeps_nothing_and_overwrites_no_input():
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((4, 3), (3, 2), (2,))]
    x, kernel, bias = (ag.Tensor(a.copy(), requires_grad=True) for a in arrays)
    y = dense(x, kernel, bias, activation="relu")
    assert set(vars(y.op)) == {"activation", "needs_input_grad", "clock"}
    y.sum().backward()
    for tensor, array in zip((x, kernel, bias), arrays):
        assert_close(tensor, array, exact=True)


def test_the_rule_computes_only_the_gradients_asked_for():
    x = ag.Tensor(rng.standard_normal((4, 3)))  # data, as in a first layer: no gradient
    kernel, bias = parameters(3, 2, bias=True)
    y = dense(x, kernel, bias, activation="sigmoid")
    g = np.ones((4, 2), np.float32)
    dx, dkernel, dbias = y.op.backward(g, y.data, x.data, kernel.data, bias.data)
    assert dx is None and dkernel.shape == (3, 2) and dbias.shape == (2,)


def test_the_rule_shown_in_pictures_is_the_textbook_dense_backward_for_its_activation():
    products = "dx = dz @ kernel.T,  dkernel = x.T @ dz,  dbias = dz.sum(axis=0)"
    assert ag.OPS["Dense"]("relu").rule == f"dz = g * (out > 0)        (relu'(0) = 0)\n{products}"
    assert ag.OPS["Dense"]("sigmoid").rule == f"dz = g * out * (1 - out)\n{products}"
    y = dense(ag.ones(2, 3), ag.ones(3, 4, requires_grad=True), activation="tanh")
    assert y.op.rule == f"dz = g * (1 - out^2)\n{products}"


def test_second_derivative_of_a_sigmoid_unit_has_its_closed_form():
    # y = sigmoid(w x); d2y/dx2 = w^2 s (1 - s) (1 - 2 s) with s = y
    x = ag.Tensor([[0.3]], requires_grad=True, dtype=np.float64)
    w = ag.Tensor([[1.7]], dtype=np.float64)
    y = dense(x, w, activation="sigmoid")
    (dx,) = ag.grad(y.sum(), x, create_graph=True)
    (dxx,) = ag.grad(dx.sum(), x)
    s = 1 / (1 + np.exp(-0.51))
    assert_close(dx, [[1.7 * s * (1 - s)]])
    assert_close(dxx, [[1.7**2 * s * (1 - s) * (1 - 2 * s)]])


def test_a_traced_step_replays_what_the_eager_step_computes():
    params = kernel1, bias1, kernel2 = [*parameters(5, 4, bias=True), *parameters(4, 3, False)]

    def step(x):  # an eager training step: forward and backward
        loss = dense(dense(x, kernel1, bias1, "relu"), kernel2, activation="tanh").sum()
        loss.backward()
        return loss

    traced = ag.trace(step)
    for _ in range(3):  # record, check, replay
        x = rng.standard_normal((6, 5)).astype(np.float32)
        for p in params:
            p.grad = None
        (traced_loss,) = traced(x)
        traced_grads = [p.grad for p in params]
        for p in params:
            p.grad = None
        eager_loss = step(ag.from_numpy(x))
        assert_close(traced_loss, eager_loss.data, exact=True)
        for got, p in zip(traced_grads, params):
            assert_close(got, p.grad, exact=True)
    assert not traced.eager_reasons  # it was replayed, not run eagerly


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: dense(np.ones((2, 3)), np.ones((3, 4)), activation="softmax"),
            "dense: activation must be one of 'linear', 'relu', 'sigmoid', 'tanh', got 'softmax'",
        ),
        (
            lambda: dense(np.ones((2, 3)), np.ones(3)),
            "dense: kernel must be 2-D (inputs, units), got shape (3,)",
        ),
        (
            lambda: dense(ag.ones(2, 3), ag.ones(4, 5)),
            (
                "dense: x of shape (2, 3) does not fit a kernel of shape (4, 5): "
                "x's last axis must be 4"
            ),
        ),
        (
            lambda: dense(2.0, np.ones((1, 5))),
            "dense: x of shape () does not fit a kernel of shape (1, 5): x's last axis must be 1",
        ),
        (
            lambda: dense(ag.ones(2, 3), ag.ones(3, 4), ag.ones(1, 4)),
            "dense: bias must have shape (4,) for a kernel of shape (3, 4), got (1, 4)",
        ),
    ],
)
def test_bad_input_is_refused_with_the_shapes_received(call, message):
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value) == message


# --- nn's Dense layer on the fused op --------------------------------------------------------


def unfused(activation):
    """The same activation function, but not the one `nn.Dense` recognises: the general path."""
    function = nn.activations.get(activation)
    return lambda t: function(t)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_nn_dense_is_one_fused_op_for_the_activations_it_fuses(activation):
    layer = nn.Dense(3, activation=activation)
    y = layer(np.ones((2, 4)))
    assert type(y.op).__name__ == "Dense" and y.op.activation == activation
    assert {type(p.op) for p in y.parents} == {type(None)}  # x, kernel, bias: no other op


@pytest.mark.parametrize("activation", ["softmax", "leaky_relu", unfused("relu")])
def test_nn_dense_takes_the_general_path_for_other_activations(activation):
    y = nn.Dense(3, activation=activation)(np.ones((2, 4)))
    names = {type(t.op).__name__ for t in ag.topological_order(y) if t.op is not None}
    assert "Dense" not in names and {"MatMul", "Add"} <= names


def course_like_model(activations: list) -> nn.Sequential:
    nn.set_seed(3)
    return nn.Sequential(
        [nn.Input(shape=(6,))]
        + [nn.Dense(5, activation=a, name=f"L{i}") for i, a in enumerate(activations)]
        + [nn.Dense(3, name="out")]
    )


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["traced", "eager"])
def test_nn_fit_on_the_fused_op_gives_the_weights_of_the_general_path(run_eagerly):
    x = rng.standard_normal((40, 6)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    hidden = ["relu", "sigmoid", "tanh", "linear"]
    weights, ops = [], []
    for activations in (hidden, [unfused(a) for a in hidden]):
        model = course_like_model(activations)
        ops.append(type(model.layers[0](x[:2]).op).__name__)
        model.compile(
            loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer=nn.optimizers.Adam(learning_rate=0.01),
            run_eagerly=run_eagerly,
        )
        nn.set_seed(4)
        model.fit(x, y, batch_size=8, epochs=3, verbose=0)
        weights.append(model.get_weights())
    assert ops == ["Dense", "ReLU"]  # the fused op, then the general path
    fused_weights, general_weights = weights
    assert len(fused_weights) == 10
    for got, want in zip(fused_weights, general_weights):
        assert_close(got, want, exact=True)
