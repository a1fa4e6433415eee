"""gradcheck itself: it passes on right gradients and fails, saying where, on wrong ones."""

import numpy as np
import pytest

import autograd_lite as ag


def test_gradcheck_passes_and_works_in_float64_whatever_the_input_dtype():
    x = ag.Tensor([[0.3, -1.2], [2.0, 0.7]], requires_grad=True)  # float32: checked as float64
    assert ag.gradcheck(lambda x: (x.tanh() * x).sum(axis=0), [x])


def test_gradcheck_reports_the_wrong_element():
    x = ag.Tensor(np.array([1.0, 2.0, 3.0, -4.0]), requires_grad=True)

    def wrong(x):  # the detached factor hides half of d(x^2)/dx from the engine
        return (x * x.detach()).sum()

    with pytest.raises(ag.GradcheckError) as info:
        ag.gradcheck(wrong, [x])
    message = str(info.value)
    assert "gradient mismatch for input 0 (shape (4,)) at index (3,)" in message
    assert "analytic -4, numeric -8" in message and "worst of 4 elements" in message


def test_gradcheck_names_the_input_and_output_element():
    a = ag.Tensor(np.ones(2), requires_grad=True)
    b = ag.Tensor(np.array([1.0, 5.0]), requires_grad=True)
    with pytest.raises(
        ag.GradcheckError, match=r"input 1 \(shape \(2,\)\) at index \(1,\) \(output element 1\)"
    ):
        ag.gradcheck(lambda a, b: a * b * b.detach(), [a, b])


def test_constant_inputs_are_not_checked():
    w = ag.Tensor(np.ones(3), requires_grad=True)
    data = ag.Tensor(np.arange(3.0))  # requires_grad=False: held constant
    assert ag.gradcheck(lambda w, data: (w * data).sum(), [w, data])
    with pytest.raises(ValueError, match="no input requires grad"):
        ag.gradcheck(lambda d: d.sum(), [data])


def test_gradcheck_refuses_a_float32_output():
    with pytest.raises(ag.GradcheckError, match="returned float32"):
        ag.gradcheck(lambda x: x.astype(np.float32).sum(), [np.ones(2)])


def test_gradgradcheck_checks_second_derivatives():
    assert ag.gradgradcheck(lambda x: (x.sigmoid() * x).sum(), [np.array([0.3, -1.0])])
    assert ag.gradgradcheck(lambda a, b: a @ b, [np.ones((2, 3)), np.full((3, 2), 0.5)])


def test_numerical_jacobian_of_a_linear_map_is_the_matrix():
    m = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x = ag.Tensor(np.ones(2), requires_grad=True)
    np.testing.assert_allclose(
        ag.numerical_jacobian(lambda x: ag.Tensor(m) @ x, [x], 0), m, atol=1e-8
    )
