"""Bad input gets a clear error naming the op and the shapes or values involved."""

import numpy as np
import pytest

import autograd_lite as ag


def test_non_broadcastable_shapes_name_the_op_and_shapes():
    a, b = ag.ones(3), ag.ones(4)
    with pytest.raises(
        ag.OpError, match=r"add: shapes \(3,\) and \(4,\) cannot be broadcast together"
    ):
        a + b
    with pytest.raises(ag.OpError, match=r"mul: shapes \(2, 3\) and \(2,\) cannot be broadcast"):
        ag.ones(2, 3) * ag.ones(2)


def test_matmul_inner_dimension_mismatch():
    with pytest.raises(ag.OpError) as info:
        ag.ones(32, 400) @ ag.ones(64, 25)
    assert str(info.value) == "matmul: (32, 400) @ (64, 25): inner dimensions 400 and 64 differ"
    with pytest.raises(ag.OpError, match="both operands need at least one dimension"):
        ag.ones(3) @ ag.Tensor(2.0)


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (ag.ones(2) * 2).sum().backward()


def test_backward_on_non_scalar_needs_a_gradient():
    y = ag.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match=r"output has shape \(2, 3\).*pass a gradient of shape \(2, 3\)"
    ):
        y.backward()


def test_backward_with_a_gradient_of_the_wrong_shape():
    y = ag.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(
        ValueError, match=r"gradient has shape \(3, 2\) but the output has shape \(2, 3\)"
    ):
        y.backward(np.ones((3, 2)))


def test_non_numeric_and_ragged_data():
    with pytest.raises(TypeError, match="must be numeric.*<U1"):
        ag.Tensor(["a", "b"])
    with pytest.raises(TypeError, match="cannot make a numeric array from list"):
        ag.Tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="must be numeric.*object"):
        ag.Tensor({"a": 1})


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(
        TypeError, match="only floating-point tensors can require grad, got dtype int64"
    ):
        ag.Tensor(np.array([1, 2]), requires_grad=True)


def test_shape_op_errors():
    with pytest.raises(
        ag.OpError, match=r"reshape: cannot reshape \(2, 3\) \(6 elements\) to \(4,\)"
    ):
        ag.ones(2, 3).reshape(4)
    with pytest.raises(
        ag.OpError, match=r"broadcast_to: cannot broadcast shape \(3,\) to \(2, 4\)"
    ):
        ag.ones(3).broadcast_to((2, 4))
    with pytest.raises(ag.OpError, match=r"getitem: index 5 does not fit shape \(3,\)"):
        ag.ones(3)[5]
    with pytest.raises(ValueError, match=r"squeeze: axis 0 of shape \(2, 1\) has size 2"):
        ag.ones(2, 1).squeeze(0)
    with pytest.raises(
        ag.OpError, match="sum: axis 2 is out of range for a tensor with 2 dimensions"
    ):
        ag.ones(2, 3).sum(axis=2)
    with pytest.raises(
        ag.OpError, match="mean: axis 2 is out of range for a tensor with 2 dimensions"
    ):
        ag.ones(2, 3).mean(axis=2)
    with pytest.raises(ag.OpError, match=r"concatenate: shapes \(2, 3\), \(2, 4\) do not line up"):
        ag.concatenate([ag.ones(2, 3), ag.ones(2, 4)])


def test_item_assignment_is_refused_with_advice():
    with pytest.raises(TypeError, match="does not support item assignment.*ag.where"):
        ag.ones(3)[0] = 1.0


def test_numpy_ufuncs_on_tensors_are_refused_rather_than_silently_untracked():
    with pytest.raises(TypeError):
        np.exp(ag.ones(2, requires_grad=True))


def test_pad_needs_a_pair_for_every_axis():
    with pytest.raises(
        ValueError, match=r"pad: widths must give \(before, after\) counts for each of the 3 axes"
    ):
        ag.pad(ag.ones(2, 3, 4), [(1, 1)])
    with pytest.raises(ValueError, match="for each of the 1 axes, got"):
        ag.pad(ag.ones(3), (1, 2))
