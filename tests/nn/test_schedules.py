"""Learning-rate schedules: Keras's values and configs (tests/nn/data/make_keras_optimizers.py),
closed forms in float64, dtypes, errors, and a schedule inside an optimizer."""

import json
import math

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import optimizers
from nn.optimizers import SGD, Adam
from nn.optimizers.schedules import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    serialize,
)
from tests.nn.test_optimizers import KERAS, REFERENCE, SETTINGS, keras_schedule
from tests.numerics import assert_close

SCHEDULES = list(SETTINGS["schedules"])


@pytest.mark.parametrize("name", SCHEDULES)
def test_values_at_sixty_steps_follow_keras(name):
    """Integer steps, float32 arithmetic, as Keras's schedules in an optimizer. (Measured: bit
    for bit but at 3 steps of CosineDecay, where numpy's float32 cos and TensorFlow's differ
    by an ulp.)"""
    schedule = keras_schedule(name)
    values = np.array([schedule(step) for step in range(SETTINGS["schedule_steps"])])
    assert values.dtype == np.float32
    assert_close(values, REFERENCE["schedule_values"][SCHEDULES.index(name)], err_msg=name)


@pytest.mark.parametrize("name", SCHEDULES)
def test_configs_equal_keras_and_read_back(name):
    schedule = keras_schedule(name)
    record = serialize(schedule)
    assert record == KERAS["schedule_configs"][name]
    assert json.loads(json.dumps(record)) == record
    again = deserialize(KERAS["schedule_configs"][name])
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()


def test_keras_schedule_defaults_and_names():
    assert ExponentialDecay(0.1, 10, 0.5).get_config() == {
        "initial_learning_rate": 0.1,
        "decay_steps": 10,
        "decay_rate": 0.5,
        "staircase": False,
        "name": "ExponentialDecay",
    }
    assert PiecewiseConstantDecay([1], [0.1, 0.01]).name == "PiecewiseConstant"
    polynomial = PolynomialDecay(0.1, 10)
    assert (polynomial.end_learning_rate, polynomial.power, polynomial.cycle) == (1e-4, 1.0, False)
    assert InverseTimeDecay(0.1, 1, 0.5).name == "InverseTimeDecay"
    cosine = CosineDecay(0.1, 10)
    assert (cosine.alpha, cosine.warmup_target, cosine.warmup_steps) == (0.0, None, 0)


# Closed forms in float64: a float64 step makes the schedule compute in float64.
F64 = np.float64


@pytest.mark.parametrize("step", [0, 3, 10, 17])
def test_exponential_decay_closed_form(step):
    assert ExponentialDecay(0.1, 10, 0.5)(F64(step)) == pytest.approx(
        0.1 * 0.5 ** (step / 10), rel=1e-15
    )
    assert ExponentialDecay(0.1, 10, 0.5, staircase=True)(F64(step)) == pytest.approx(
        0.1 * 0.5 ** (step // 10), rel=1e-15
    )


def test_piecewise_constant_steps_at_the_boundaries():
    schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    got = [float(schedule(F64(step))) for step in (0, 10, 10.5, 11, 20, 21, 1000)]
    assert got == [1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1]  # step <= boundary keeps the earlier


@pytest.mark.parametrize("step", [0, 4, 10, 25])
def test_polynomial_decay_closed_form(step):
    capped = PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0)(F64(step))
    p = min(step, 10) / 10
    assert capped == pytest.approx((0.1 - 0.01) * (1 - p) ** 2 + 0.01, rel=1e-14)
    cycled = PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0, cycle=True)(F64(step))
    period = 10 * max(1, math.ceil(step / 10))  # Keras: multiplier 1 at step 0
    expected = (0.1 - 0.01) * (1 - step / period) ** 2 + 0.01
    assert cycled == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("step", [0, 3, 7])
def test_inverse_time_decay_closed_form(step):
    assert InverseTimeDecay(0.1, 2, 0.5)(F64(step)) == pytest.approx(
        0.1 / (1 + 0.5 * step / 2), rel=1e-15
    )
    assert InverseTimeDecay(0.1, 2, 0.5, staircase=True)(F64(step)) == pytest.approx(
        0.1 / (1 + 0.5 * (step // 2)), rel=1e-15
    )


@pytest.mark.parametrize("step", [0, 5, 12, 20, 40])
def test_cosine_decay_with_and_without_warmup_closed_form(step):
    def decayed(s, start, alpha=0.1, steps=20):
        return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)) + alpha)

    assert CosineDecay(0.1, 20, alpha=0.1)(F64(step)) == pytest.approx(decayed(step, 0.1))
    warm = CosineDecay(0.0, 20, alpha=0.1, warmup_target=0.2, warmup_steps=10)(F64(step))
    expected = 0.2 * step / 10 if step < 10 else decayed(step - 10, 0.2)
    assert warm == pytest.approx(expected, rel=1e-14, abs=1e-16)


def test_integer_steps_compute_in_float32_and_float_steps_in_their_dtype():
    schedule = CosineDecay(0.1, 30, alpha=0.1)
    assert schedule(7).dtype == np.float32 and schedule(np.int64(7)).dtype == np.float32
    assert schedule(np.float32(7)) == schedule(7)
    assert schedule(F64(7)).dtype == np.float64
    assert schedule(F64(7)) != schedule(7)  # float64 keeps digits float32 rounds away


def test_an_optimizer_evaluates_its_schedule_at_iterations_in_the_weights_dtype():
    """float32 weights: Keras's float32 learning rate; float64 weights: every digit."""
    schedule = ExponentialDecay(0.1, decay_steps=3, decay_rate=0.3)
    for dtype in (np.float32, np.float64):
        w = ag.Tensor(np.zeros(1, dtype), requires_grad=True)
        opt = SGD(learning_rate=schedule)
        expected = dtype(0)
        for step in range(4):
            assert opt.learning_rate == float(schedule(step))  # read in float32, as Keras
            w.grad = np.ones(1, dtype)
            opt.step([w])
            expected = expected - schedule(dtype(step))
        assert w.data.dtype == dtype
        assert_close(w, [expected], exact=True)


def test_a_keras_style_schedule_of_ones_own_works_in_an_optimizer():
    class HalfEachStep(LearningRateSchedule):
        def __init__(self, initial):
            self.initial = initial

        def __call__(self, step):
            return self.initial / 2**step

    w = ag.Tensor([0.0], requires_grad=True)
    opt = Adam(learning_rate=HalfEachStep(0.1))
    assert opt.learning_rate == 0.1
    w.grad = np.ones(1, np.float32)
    opt.step([w])
    assert opt.learning_rate == 0.05
    with pytest.raises(NotImplementedError, match="'HalfEachStep' must override `get_config"):
        opt.get_config()
    with pytest.raises(NotImplementedError, match="'LearningRateSchedule' must override"):
        LearningRateSchedule()(0)


def test_an_optimizer_with_a_schedule_reads_back_from_its_config():
    opt = Adam(learning_rate=CosineDecay(0.0, 100, warmup_target=0.01, warmup_steps=10))
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again._learning_rate, CosineDecay)
    assert again.get_config() == opt.get_config()
    assert repr(again).startswith("Adam(learning_rate=CosineDecay(initial_learning_rate=0.0, ")


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda: ExponentialDecay(0.1, 0, 0.5),
            ValueError,
            "ExponentialDecay: decay_steps must be in (0, inf), got 0",
        ),
        (
            lambda: PolynomialDecay(0.1, -5),
            ValueError,
            "PolynomialDecay: decay_steps must be in (0, inf), got -5",
        ),
        (
            lambda: InverseTimeDecay(0.1, "10", 0.5),
            TypeError,
            "InverseTimeDecay: decay_steps must be a number in (0, inf), got '10' (str)",
        ),
        (
            lambda: CosineDecay(0.1, 10, warmup_steps=-1),
            ValueError,
            "CosineDecay: warmup_steps must be in [0, inf), got -1",
        ),
        (
            lambda: CosineDecay("0.1", 10),
            TypeError,
            "CosineDecay: initial_learning_rate must be a number, got '0.1'",
        ),
        (
            lambda: ExponentialDecay(0.1, 10, 0.5, staircase="yes"),
            TypeError,
            "ExponentialDecay: staircase must be True or False, got 'yes'",
        ),
        (
            lambda: PiecewiseConstantDecay([10, 20], [0.1, 0.01]),
            ValueError,
            (
                "PiecewiseConstantDecay: boundaries must have one entry fewer than values, got "
                "boundaries=[10, 20] of length 2 and values=[0.1, 0.01] of length 2"
            ),
        ),
        (
            lambda: PiecewiseConstantDecay([20, 10], [0.1, 0.05, 0.01]),
            ValueError,
            "PiecewiseConstantDecay: boundaries must increase strictly, got boundaries=[20, 10]",
        ),
        (
            lambda: ExponentialDecay(0.1, 10, 0.5)("3"),
            TypeError,
            "ExponentialDecay: step must be a number, got '3'",
        ),
        (
            lambda: deserialize({"class_name": "CosineDecayRestarts", "config": {}}),
            ValueError,
            (
                "Unknown learning rate schedule class 'CosineDecayRestarts' in a config; nn has "
                "CosineDecay, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, "
                "PolynomialDecay"
            ),
        ),
    ],
)
def test_bad_arguments_are_refused_by_name(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


def test_keras_fit_with_a_schedule_gives_keras_losses():
    """Keras's test_fit_lr_correctness: Adam under ExponentialDecay, 3 epochs of 4 steps;
    Keras's losses, compared there with rtol 5e-5 (here the float32 policy)."""
    model = nn.Sequential([nn.Dense(2, kernel_initializer="ones", bias_initializer="ones")])
    schedule = ExponentialDecay(initial_learning_rate=0.05, decay_steps=1, decay_rate=0.9)
    optimizer = Adam(learning_rate=schedule)
    assert [name for name, _ in optimizer.state_arrays([])] == ["iteration"]
    model.compile(optimizer=optimizer, loss="mse")
    x = y = np.arange(32).reshape((16, 2))
    history = model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    assert optimizer.iterations == 4 * 3
    keras_losses = [230.79457092285156, 128.30319213867188, 79.33648681640625]
    assert_close(np.float32(history.history["loss"]), np.float32(keras_losses))
