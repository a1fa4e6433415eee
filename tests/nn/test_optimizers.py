import numpy as np
import pytest

import autograd_lite as ag
from nn import optimizers
from nn.optimizers import SGD, Adam, RMSprop


def steps(optimizer, gradients, w0=1.0):
    """Apply the optimizer to one float64 parameter for the given gradients; the trajectory."""
    w = ag.Tensor(np.array([w0]), requires_grad=True)
    trajectory = []
    for g in gradients:
        w.grad = np.array([g])
        optimizer.step([w])
        trajectory.append(float(w.data[0]))
    return trajectory


def test_sgd_defaults_and_steps():
    opt = SGD()
    assert (opt.learning_rate, opt.momentum, opt.nesterov) == (0.01, 0.0, False)
    assert steps(SGD(learning_rate=0.1), [0.5, 0.5]) == pytest.approx([0.95, 0.90])


def test_sgd_momentum_keras_form():
    # m = 0.9 m - 0.1 g; w += m:  m1 = -0.05, m2 = -0.095
    assert steps(SGD(0.1, momentum=0.9), [0.5, 0.5]) == pytest.approx([0.95, 0.855])


def test_sgd_nesterov_keras_form():
    # after m: w += 0.9 m - 0.1 g:  -0.095, then -0.1355
    assert steps(SGD(0.1, momentum=0.9, nesterov=True), [0.5, 0.5]) == pytest.approx(
        [0.905, 0.7695]
    )


def test_adam_first_step_is_keras_epsilon_hat_value():
    opt = Adam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    (w,) = steps(opt, [0.1], w0=0.0)
    assert w == pytest.approx(-9.99968e-4, rel=1e-6)  # the paper's form gives -9.99999e-4
    assert opt.iterations == 1


def test_adam_second_step_uses_bias_correction_for_t_2():
    w1, w2 = steps(Adam(learning_rate=0.1), [1.0, -1.0], w0=0.0)
    # t = 1: m = 0.1, v = 0.001, alpha = 0.1 sqrt(0.001) / 0.1
    assert w1 == pytest.approx(-np.sqrt(0.001) * 0.1 / (np.sqrt(0.001) + 1e-7), rel=1e-12)
    # t = 2: m = 0.9 * 0.1 - 0.1 = -0.01, v = 0.999 * 0.001 + 0.001
    m, v = -0.01, 0.001999
    alpha = 0.1 * np.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    assert w2 - w1 == pytest.approx(-alpha * m / (np.sqrt(v) + 1e-7), rel=1e-9)


def test_rmsprop_epsilon_inside_the_root():
    (w,) = steps(RMSprop(), [0.5])
    assert w == pytest.approx(1.0 - 0.001 * 0.5 / np.sqrt(0.1 * 0.25 + 1e-7), rel=1e-12)


def test_hand_written_loop_with_step_and_zero_grad():
    w = ag.Tensor([3.0, -2.0], requires_grad=True)
    opt = SGD(learning_rate=0.25)
    for _ in range(20):
        loss = (w * w).sum()  # gradient 2w: each step halves w
        loss.backward()
        opt.step([w])
        opt.zero_grad([w])
    assert w.grad is None
    np.testing.assert_allclose(w.data, [3.0 * 0.5**20, -2.0 * 0.5**20], rtol=1e-5)


def test_parameters_without_gradient_are_left_alone():
    a, b = ag.Tensor([1.0], requires_grad=True), ag.Tensor([1.0], requires_grad=True)
    a.grad = np.array([1.0], dtype=np.float32)
    Adam().step([a, b])
    assert b.data[0] == 1.0 and a.data[0] < 1.0


def test_get_and_errors():
    assert isinstance(optimizers.get("adam"), Adam) and isinstance(optimizers.get("SGD"), SGD)
    with pytest.raises(
        ValueError, match="Unknown optimizer .adamw.. Valid names: adam, rmsprop, sgd"
    ):
        optimizers.get("adamw")
    with pytest.raises(ValueError, match="momentum must be in"):
        SGD(momentum=1.5)
    with pytest.raises(ValueError, match="Adam: learning_rate must be positive, got -1"):
        Adam(learning_rate=-1)
