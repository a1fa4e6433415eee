"""Edge cases that the engine once got wrong: integer extremes, limits of derivatives, 0-d
reductions, masks, lists of tensors, in-place changes, and gradcheck's own blind spots.

Expected values come from numpy (values, dtypes) and PyTorch 2.13 (gradients at limits).
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.ops.unary import Exp
from tests.numerics import assert_close

INT32 = np.iinfo(np.int32)


@pytest.mark.parametrize(
    "values",
    [
        np.array([-5, 0, INT32.max, INT32.min], np.int32),
        np.array([0, 128, 255, 64], np.uint8),
        np.array([True, False, True]),
        np.array([3, -(2**63), 2**63 - 1], np.int64),
        np.array([1.5, -np.inf, np.nan], np.float32),
    ],
    ids=["int32", "uint8", "bool", "int64", "float32 with nan"],
)
def test_min_and_minimum_equal_numpy_for_every_dtype(values: np.ndarray) -> None:
    got = ag.min(ag.from_numpy(values))
    assert got.dtype == values.dtype
    np.testing.assert_array_equal(got.data, values.min())
    reversed_values = values[::-1].copy()
    got = ag.minimum(ag.from_numpy(values), ag.from_numpy(reversed_values))
    assert got.dtype == values.dtype
    np.testing.assert_array_equal(got.data, np.minimum(values, reversed_values))


def test_min_sends_the_gradient_to_the_smallest_elements_sharing_ties() -> None:
    x = ag.Tensor([[3.0, 1.0, 1.0], [2.0, 5.0, 4.0]], requires_grad=True)
    (x.min(axis=1) * ag.Tensor([10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 5, 5], [100, 0, 0]])


def test_minimum_splits_the_gradient_at_ties_as_pytorch() -> None:
    a = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.Tensor([2.0, 2.0, 0.0], requires_grad=True)
    ag.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 0.5, 1.0])


# (base, exponent, d/d base, d/d exponent) of base ** exponent, from torch.pow in float64
POW_LIMITS = [
    (0.0, 0.0, 0.0, 0.0),  # d/dx x^0 = 0 even at 0; 0^0 = 1 and d/dy at x = 0 is masked
    (0.0, 2.0, 0.0, 0.0),  # d/dy 0^y = 0 for y > 0 (not 0 * log 0 = NaN)
    (0.0, 0.5, np.inf, 0.0),
    (0.0, -1.0, -np.inf, -np.inf),  # 0^-1 = inf: the limit stays -inf, as in PyTorch
    (2.0, 0.0, 0.0, np.log(2.0)),
    (-2.0, 2.0, -4.0, np.nan),  # log of a negative base: NaN, as in PyTorch
]


@pytest.mark.parametrize("base, exponent, d_base, d_exponent", POW_LIMITS)
def test_pow_gradients_at_the_limits_follow_pytorch(base, exponent, d_base, d_exponent) -> None:
    x = ag.Tensor([base], requires_grad=True, dtype=np.float64)
    y = ag.Tensor([exponent], requires_grad=True, dtype=np.float64)
    with np.errstate(all="ignore"):
        (x**y).sum().backward()
    np.testing.assert_array_equal(x.grad, [d_base])
    np.testing.assert_array_equal(y.grad, [d_exponent])


def test_var_with_too_few_elements_for_ddof_equals_numpy() -> None:
    data = np.array([[1.0, 2.0], [3.0, 3.0]])
    with np.errstate(all="ignore"):
        for ddof in (2, 3):
            got = ag.var(ag.from_numpy(data), axis=1, ddof=ddof).data
            with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
                expected = np.var(data, axis=1, ddof=ddof)  # [inf, nan]
            np.testing.assert_array_equal(got, expected)
        assert np.isnan(ag.var(ag.Tensor([4.0]), ddof=1).item())


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [0, -1, (0,), (-1,)])
@pytest.mark.parametrize("name", ["sum", "max", "min", "logsumexp", "mean", "var"])
def test_a_0d_tensor_reduces_over_axis_0_or_minus_1_forward_and_backward(name, axis, keepdims):
    x = ag.Tensor(3.0, requires_grad=True, dtype=np.float64)
    y = getattr(x, name)(axis=axis, keepdims=keepdims)
    assert y.shape == ()
    y.backward()
    expected_value, expected_grad = {"var": (0.0, 0.0)}.get(name, (3.0, 1.0))
    assert y.item() == expected_value and x.grad.item() == expected_grad


def test_reduction_axes_are_checked_with_the_function_name() -> None:
    with pytest.raises(ag.OpError, match=r"max: axis \(0, -2\) names an axis twice"):
        ag.ones(2, 3).max(axis=(0, -2))
    with pytest.raises(TypeError, match="sum: axis must be an integer"):
        ag.ones(2, 3).sum(axis=1.0)


def test_a_boolean_mask_of_the_wrong_length_is_refused_as_numpy_refuses_it() -> None:
    with pytest.raises(
        ag.OpError, match=r"getitem: .*size of axis is 10 but size of corresponding boolean"
    ):
        ag.ones(10, 3)[[True, False]]
    with pytest.raises(IndexError):
        np.ones((10, 3))[np.array([True, False])]


def test_a_boolean_mask_mixed_with_slices_and_arrays_backpropagates() -> None:
    x = ag.Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, dtype=np.float64)
    rows = np.array([True, False, True])
    x[rows, 1:3].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 1, 0], [0, 0, 0, 0], [0, 1, 1, 0]])
    assert ag.gradcheck(lambda t: (t[rows, np.array([0, 0])] ** 2).sum(), [x])


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: ag.mean([x, x + 2]), "mean"),
        (lambda x: ag.exp([x, x]), "exp"),
        (lambda x: x + [x, x], "add"),
        (lambda x: ag.Tensor([x, x]), "Tensor"),
    ],
)
def test_a_list_holding_tensors_that_require_grad_is_refused_not_cut_from_the_graph(call, name):
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=rf"{name}: got a list holding Tensors .* ag.stack"):
        call(x)


def test_a_list_of_constant_tensors_is_still_read_as_its_values() -> None:
    assert ag.mean([ag.Tensor(1.0), ag.Tensor(3.0)]) == 2.0


@pytest.mark.parametrize("flag", ["no", 1, None, np.array([True])])
def test_requires_grad_must_be_a_bool(flag) -> None:
    with pytest.raises(TypeError, match="requires_grad must be True or False"):
        ag.Tensor([1.0], requires_grad=flag)
    with pytest.raises(TypeError, match="requires_grad must be True or False"):
        ag.Tensor([1.0]).requires_grad_(flag)


def test_arange_with_step_zero_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="arange: step must not be 0"):
        ag.arange(0, 5, 0)


# --- in-place changes ----------------------------------------------------------------------


def test_assign_methods_change_values_in_place_and_move_the_version_on() -> None:
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    data = w.data
    versions = [w.version]
    for method, value, expected in [
        ("assign", [5.0, 6.0], [5.0, 6.0]),
        ("assign_add", 1.0, [6.0, 7.0]),
        ("assign_sub", np.array([0.5, 1.0]), [5.5, 6.0]),
    ]:
        assert getattr(w, method)(value) is w
        np.testing.assert_array_equal(w.data, expected)
        versions.append(w.version)
    assert w.data is data and w.dtype == np.float32
    assert versions == sorted(set(versions))


@pytest.mark.parametrize(
    "value, message",
    [
        (np.array(["a", "b"]), r"assign: cannot write <U1 values of shape \(2,\) into a float32"),
        (
            np.ones(3),
            (
                r"assign: cannot write float64 values of shape \(3,\) "
                r"into a float32 tensor of shape \(2,\)"
            ),
        ),
    ],
)
def test_assign_refuses_what_does_not_fit(value, message) -> None:
    w = ag.Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=message):
        w.assign(value)
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


def test_backward_after_an_input_was_changed_in_place_is_refused_naming_op_and_tensor() -> None:
    w = ag.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="dense/kernel")
    x = ag.Tensor([[1.0, 1.0]])
    loss = (x @ w).relu().sum()
    w.assign_sub(0.1 * np.ones((2, 2)))  # an optimizer step between forward and backward
    with pytest.raises(
        RuntimeError,
        match=r"'dense/kernel' of shape \(2, 2\), input 1 of matmul, was changed in place",
    ):
        loss.backward()
    with pytest.raises(RuntimeError, match="changed in place"):
        ag.grad(loss, w)
    loss = (x @ w).relu().sum()  # a fresh forward reads the new values
    loss.backward()
    np.testing.assert_array_equal(w.grad, [[1, 1], [1, 1]])


def test_an_output_changed_in_place_after_its_forward_is_refused() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp's rule reads its output
    z = (y * 2).sum()
    y.assign([0.0, 0.0])
    with pytest.raises(RuntimeError, match="the output of exp, was changed in place"):
        z.backward()


def test_changes_before_the_forward_do_not_count() -> None:
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    w.assign_add(1.0)
    other = ag.Tensor([0.0], requires_grad=True)
    other.assign([5.0])  # unrelated to this graph
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [4.0, 6.0])


# --- gradcheck's own checks ----------------------------------------------------------------


class _RuleIgnoringItsGradient(Exp):
    def backward(self, g, out, x):
        """dx = out (wrong: should be g * out)"""
        return (out,)


def test_gradcheck_catches_a_rule_that_ignores_its_incoming_gradient_behind_a_sum() -> None:
    x = ag.randn(4, requires_grad=True)
    with pytest.raises(ag.GradcheckError, match="gradient mismatch for input 0"):
        ag.gradcheck(lambda t: _RuleIgnoringItsGradient.apply(t).sum(), [x])
    assert ag.gradcheck(lambda t: t.exp().sum(), [x])


def test_gradcheck_takes_a_single_tensor_or_number() -> None:
    assert ag.gradcheck(lambda t: (t * t).sum(), ag.Tensor([1.0, 2.0], requires_grad=True))
    assert ag.gradcheck(lambda t: t * t, 3.0)
    assert ag.gradgradcheck(lambda t: t * t * t, 2.0)


@pytest.mark.parametrize("eps", [0, -1e-6, float("nan"), "1e-6"])
def test_gradcheck_refuses_a_non_positive_eps(eps) -> None:
    with pytest.raises(ValueError, match="gradcheck: eps must be a positive number"):
        ag.gradcheck(lambda t: t * t, 3.0, eps=eps)


@pytest.mark.parametrize("inputs", [[], ()])
def test_gradcheck_refuses_empty_inputs(inputs) -> None:
    with pytest.raises(ValueError, match="gradcheck: inputs must be .* a non-empty list"):
        ag.gradcheck(lambda t: t * t, inputs)


# --- misuse named with its fix -------------------------------------------------------------


def test_a_loop_that_steps_without_zeroing_the_gradients_is_warned() -> None:
    w = ag.Tensor([1.0, 2.0], requires_grad=True, name="w")
    (w * w).sum().backward()
    w.assign_sub(0.1 * w.grad)  # an optimizer step, .grad left as it is
    with pytest.warns(
        UserWarning, match=r"\.grad of 'w', which still holds .*optimizer\.zero_grad"
    ):
        (w * w).sum().backward()
    assert_close(w.grad, [2.0 + 1.6, 4.0 + 3.2])  # the sum of both steps, as warned


def test_zeroing_or_adding_up_on_purpose_is_not_warned(recwarn) -> None:
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    for _ in range(2):
        (w * w).sum().backward()  # two micro-batches added up, then one step
    w.assign_sub(0.1 * w.grad)
    w.grad = None
    (w * w).sum().backward()
    assert not [r for r in recwarn if "still holds" in str(r.message)]


def test_a_broadcast_error_suggests_the_axis_a_row_vector_needs() -> None:
    x = ag.ones(4, 3)
    with pytest.raises(ag.OpError, match=r"sub: .*b\.reshape\(-1, 1\), or keepdims=True"):
        x - x.sum(axis=1)
    with pytest.raises(ag.OpError, match=r"cannot be broadcast together$"):
        ag.ones(4, 3) + ag.ones(5)  # no single fix: no hint
