"""Keras 3's base-optimizer arguments (clipping, weight decay, name, the ones nn refuses),
`learning_rate` as a property, configs, and the state as Keras's `optimizer.variables`.

The Keras numbers are those of tests/nn/data/make_keras_optimizers.py (loaded in
test_optimizers.py); the rest are closed forms and Keras 3.15's own test cases.
"""

import json
import pickle

import numpy as np
import pytest

import autograd_lite as ag
from nn import optimizers
from nn.optimizers import SGD, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop
from nn.optimizers.schedules import ExponentialDecay
from tests.nn.test_optimizers import (
    CASES,
    KERAS,
    PATHS,
    REFERENCE,
    SETTINGS,
    dense_parameters,
    keras_case_optimizer,
    run_keras_case,
)
from tests.numerics import assert_close

ALL = [SGD, Adam, AdamW, Adagrad, Adamax, Nadam, RMSprop]


def one_sgd_step(gradients, **arguments):
    """The gradients as SGD(learning_rate=1) applies them (after clipping): -(w1 - w0)."""
    params = [ag.Tensor(np.zeros(np.shape(g), np.float32), requires_grad=True) for g in gradients]
    for p, g in zip(params, gradients):
        p.grad = np.asarray(g, np.float32)
    SGD(learning_rate=1.0, **arguments).step(params)
    return [-p.data for p in params]


# --- clipping ------------------------------------------------------------------------------


def test_clipnorm_scales_each_gradient_to_the_norm_as_keras():
    (g,) = one_sgd_step([[100.0, 100.0]], clipnorm=1.0)
    assert_close(g, np.full(2, 2**0.5 / 2, np.float32))  # Keras's test_clip_norm
    small, large = one_sgd_step([[0.3, 0.4], [30.0, 40.0]], clipnorm=1.0)
    assert_close(small, np.float32([0.3, 0.4]))  # each parameter's own norm: 0.5 stays
    assert_close(large, np.float32([0.6, 0.8]))


def test_clipvalue_clips_each_element():
    (g,) = one_sgd_step([[100.0, -100.0, 0.25]], clipvalue=1.0)
    assert_close(g, np.float32([1.0, -1.0, 0.25]), exact=True)  # Keras's test_clip_value


def test_global_clipnorm_scales_all_gradients_together():
    (g,) = one_sgd_step([[50.0, 100.0]], global_clipnorm=1.0)
    assert_close(g, np.float32([50.0, 100.0]) / np.float32(np.hypot(50, 100)))
    a, b = one_sgd_step([[3.0], [4.0]], global_clipnorm=1.0)  # global norm 5
    assert_close(a, np.float32([0.6])) and assert_close(b, np.float32([0.8]))
    a, b = one_sgd_step([[0.3], [0.4]], global_clipnorm=1.0)  # within: unchanged
    assert_close(a, np.float32([0.3])) and assert_close(b, np.float32([0.4]))


def test_zero_and_non_finite_gradients_under_clipping_behave_as_keras():
    with np.errstate(all="raise"):  # no warning either
        for arguments in ({"clipnorm": 1.0}, {"global_clipnorm": 1.0}):
            (g,) = one_sgd_step([[0.0, 0.0]], **arguments)
            assert_close(g, np.zeros(2, np.float32), exact=True)
    # Keras: a NaN or infinite global norm makes every gradient NaN (the step is then visible)
    with np.errstate(invalid="ignore", over="ignore"):
        a, b = one_sgd_step([[np.inf], [1.0]], global_clipnorm=1.0)
    assert np.isnan(a).all() and np.isnan(b).all()


def test_clipping_comes_before_weight_decay_and_update():
    """w1 = (w0 - w0 wd lr) - lr clip(g), the order of Keras's apply."""
    w = ag.Tensor([2.0], requires_grad=True)
    w.grad = np.array([5.0], dtype=np.float32)
    SGD(learning_rate=0.1, weight_decay=0.5, clipvalue=1.0).step([w])
    f32 = np.float32
    decayed = f32(2.0) - f32(2.0) * f32(0.5) * f32(0.1)
    assert_close(w, [decayed - f32(0.1) * f32(1.0)], exact=True)


@pytest.mark.parametrize(
    "arguments",
    [
        {"clipnorm": 1.0, "clipvalue": 0.5},
        {"clipnorm": 1.0, "global_clipnorm": 2.0},
        {"clipvalue": 0.5, "global_clipnorm": 2.0},
    ],
)
def test_only_one_kind_of_clipping(arguments):
    with pytest.raises(ValueError) as info:
        Adam(**arguments)
    shown = ", ".join(
        f"{name}={arguments.get(name)!r}" for name in ("clipnorm", "clipvalue", "global_clipnorm")
    )
    assert str(info.value) == (
        f"Adam: only one of clipnorm, clipvalue and global_clipnorm can be set, got {shown}"
    )


@pytest.mark.parametrize(
    "argument, value, error, message",
    [
        ("clipnorm", 0.0, ValueError, "clipnorm must be in (0, inf), got 0.0"),
        ("clipvalue", -1.0, ValueError, "clipvalue must be in (0, inf), got -1.0"),
        ("global_clipnorm", np.inf, ValueError, "global_clipnorm must be in (0, inf), got inf"),
        ("clipnorm", "1", TypeError, "clipnorm must be a number in (0, inf), got '1' (str)"),
        ("weight_decay", -0.1, ValueError, "weight_decay must be in [0, inf), got -0.1"),
        (
            "weight_decay",
            True,
            TypeError,
            "weight_decay must be a number in [0, inf), got True (bool)",
        ),
    ],
)
def test_base_arguments_out_of_range_are_refused(argument, value, error, message):
    for cls in (SGD, Nadam):
        with pytest.raises(error) as info:
            cls(**{argument: value})
        assert str(info.value) == f"{cls.__name__}: {message}"


# --- weight decay --------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL)
def test_weight_decay_as_keras_test_weight_decay(cls):
    """Keras's test: zero gradients, learning rate 1, weight decay 0.004: var1 is decayed by
    three optimizers, var2 and var3 are excluded by name and by identity."""
    var1, var2, var3 = (ag.Tensor([2.0], requires_grad=True, name=n) for n in ["a", "exclude", "c"])
    for p in (var1, var2, var3):
        p.grad = np.zeros(1, np.float32)
    cls(learning_rate=1.0, weight_decay=0.004).step([var1])
    second = cls(learning_rate=1.0, weight_decay=0.004)
    second.exclude_from_weight_decay(var_names=["exclude"])
    second.step([var1, var2])
    third = cls(learning_rate=1.0, weight_decay=0.004)
    third.exclude_from_weight_decay(var_list=[var3])
    third.step([var1, var3])
    np.testing.assert_allclose(var1.data, [1.9760959], rtol=0, atol=1e-6)  # Keras: 6 decimals
    assert var2.data[0] == var3.data[0] == 2.0


def test_weight_decay_uses_the_learning_rate_of_the_step_and_skips_parameters_without_gradient():
    schedule = ExponentialDecay(0.5, decay_steps=1, decay_rate=0.5)
    w, idle = ag.Tensor([1.0], requires_grad=True), ag.Tensor([1.0], requires_grad=True)
    opt = SGD(learning_rate=schedule, weight_decay=0.1)
    for _ in range(2):
        w.grad = np.zeros(1, np.float32)
        opt.step([w, idle])
    f32 = np.float32
    expected = f32(1.0)
    for rate in (f32(0.5), f32(0.25)):  # the schedule at iterations 0 and 1
        expected = expected - expected * f32(0.1) * rate
    assert_close(w, [expected], exact=True)
    assert idle.data[0] == 1.0  # as Keras, which drops variables without gradients first


def test_exclude_from_weight_decay_by_regular_expression_on_the_tensor_name():
    kernel = ag.Tensor([1.0], requires_grad=True, name="dense/kernel")
    bias = ag.Tensor([1.0], requires_grad=True, name="dense/bias")
    unnamed = ag.Tensor([1.0], requires_grad=True)
    opt = AdamW(learning_rate=0.5, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_names=["bias$", "^gamma"])
    for p in (kernel, bias, unnamed):
        p.grad = np.zeros(1, np.float32)
    opt.step([kernel, bias, unnamed])
    assert kernel.data[0] < 1.0 and unnamed.data[0] < 1.0 and bias.data[0] == 1.0
    opt.exclude_from_weight_decay()  # each call replaces the exclusions, as in Keras
    opt.step([bias])
    assert bias.data[0] < 1.0


def test_adamw_requires_its_weight_decay():
    assert AdamW().weight_decay == 0.004 and Adam().weight_decay is None
    with pytest.raises(TypeError) as info:
        AdamW(weight_decay=None)
    assert str(info.value) == (
        "AdamW: weight_decay must be a number in [0, inf), got None (NoneType)"
    )


# --- Keras's other arguments: accepted at their defaults only ------------------------------


@pytest.mark.parametrize(
    "argument, value, default",
    [
        ("use_ema", True, "False"),
        ("ema_momentum", 0.9, "0.99"),
        ("ema_overwrite_frequency", 10, "None"),
        ("loss_scale_factor", 128.0, "None"),
        ("gradient_accumulation_steps", 4, "None"),
    ],
)
def test_arguments_nn_does_not_implement_are_refused_unless_at_keras_default(
    argument, value, default
):
    with pytest.raises(NotImplementedError) as info:
        RMSprop(**{argument: value})
    assert str(info.value) == (
        f"RMSprop: {argument}={value!r} is not implemented in nn; leave it at Keras's "
        f"default, {default}"
    )
    keras_default = optimizers.BASE_ARGUMENTS[argument]
    assert RMSprop(**{argument: keras_default}).get_config()[argument] == keras_default


def test_unknown_arguments_and_tf_keras_2_decay_are_refused_by_name():
    with pytest.raises(TypeError) as info:
        Adam(beta1=0.9, lr=0.1)
    assert str(info.value) == "Adam: unexpected argument(s) beta1, lr"
    with pytest.raises(TypeError, match=r"^SGD: decay \(tf.keras 2's learning-rate decay\)"):
        SGD(0.1, decay=1e-6)


def test_names_are_keras_automatic_names_or_given():
    made = [Adam(), Adam(), SGD(), AdamW(), RMSprop(), Adagrad(), Adamax(), Nadam()]
    assert [opt.name for opt in made] == [
        "adam", "adam_1", "sgd", "adam_w", "rm_sprop", "adagrad", "adamax", "nadam",
    ]  # fmt: skip
    assert Adam(name="my_adam").name == "my_adam"
    with pytest.raises(TypeError, match=r"^Adam: name must be a non-empty string, got ''$"):
        Adam(name="")


# --- learning_rate -------------------------------------------------------------------------


def test_learning_rate_reads_and_writes_a_float_used_by_the_next_step():
    opt = SGD(learning_rate=0.1)
    w = ag.Tensor([1.0], requires_grad=True)
    w.grad = np.ones(1, np.float32)
    opt.step([w])
    opt.learning_rate = 0.25
    assert opt.learning_rate == 0.25 and isinstance(opt.learning_rate, float)
    opt.step([w])
    f32 = np.float32
    assert_close(w, [f32(1.0) - f32(0.1) - f32(0.25)], exact=True)
    assert opt.get_config()["learning_rate"] == float(f32(0.25))
    with pytest.raises(ValueError, match=r"^SGD: learning_rate must be in \(0, inf\), got -1$"):
        opt.learning_rate = -1
    assert opt.learning_rate == 0.25  # a refused value changes nothing


def test_learning_rate_of_a_schedule_reads_its_value_and_refuses_a_float():
    opt = Adam(learning_rate=ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5))
    assert opt.learning_rate == float(np.float32(0.1))
    opt.iterations = 3
    assert opt.learning_rate == float(np.float32(0.1) * np.float32(0.125))
    with pytest.raises(TypeError) as info:
        opt.learning_rate = 0.01
    assert str(info.value).startswith(
        "Adam: this optimizer was created with a `LearningRateSchedule` object as its "
        "`learning_rate` constructor argument, hence its learning rate is not settable."
    )
    opt.learning_rate = ExponentialDecay(0.2, 1, 0.5)  # a schedule for a schedule: fine
    assert opt.learning_rate == float(np.float32(0.2) * np.float32(0.125))


def test_a_float_learning_rate_can_become_a_schedule_and_leaves_the_state_as_keras():
    """Keras then untracks its learning_rate variable: `variables` loses that entry."""
    opt = Adam(learning_rate=0.001)
    assert [name for name, _ in opt.state_arrays([])] == ["iteration", "learning_rate"]
    opt.learning_rate = ExponentialDecay(0.001, 4, 0.5)
    assert [name for name, _ in opt.state_arrays([])] == ["iteration"]


def test_a_callable_learning_rate_is_refused():
    with pytest.raises(TypeError, match=r"^SGD: learning_rate must be a number or a "):
        SGD(learning_rate=lambda: 0.1)


# --- configs -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_serialize_equals_keras_and_reads_back(case):
    optimizer = keras_case_optimizer(case)
    record = optimizers.serialize(optimizer)
    assert record == KERAS["configs"][case]
    assert json.loads(json.dumps(record)) == record
    again = optimizers.deserialize(KERAS["configs"][case])  # Keras's own record
    assert type(again) is type(optimizer) and optimizers.serialize(again) == record
    assert type(optimizer).from_config(optimizer.get_config()).get_config() == record["config"]


@pytest.mark.parametrize("cls", ALL)
def test_a_fresh_optimizer_pickles_with_its_config(cls):
    """Keras's test_pickleable_optimizers."""
    optimizer = cls()
    assert pickle.loads(pickle.dumps(optimizer)).get_config() == optimizer.get_config()


def test_get_reads_records_with_keras_class_names_in_any_case():
    opt = optimizers.get({"class_name": "rmsprop", "config": {"momentum": 0.5}})
    assert type(opt) is RMSprop and opt.momentum == 0.5
    with pytest.raises(ValueError, match=r"^Unknown optimizer class 'Lion' in a config"):
        optimizers.get({"class_name": "Lion", "config": {}})


# --- the state as Keras's optimizer.variables ----------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_state_arrays_are_keras_variables_in_order_names_and_values(case):
    optimizer, params, *_ = run_keras_case(case)
    state = optimizer.state_arrays(params, paths=PATHS)
    assert [name for name, _ in state] == KERAS["variable_names"][case]
    values = np.concatenate([np.ravel(value).astype(np.float64) for _, value in state])
    assert_close(values.astype(np.float32), REFERENCE[f"variables/{case}"].astype(np.float32))
    assert state[0][1].dtype == np.int64 and state[0][1].shape == ()


@pytest.mark.parametrize("case", [c for c in CASES if "+" not in c])
def test_a_run_continued_from_loaded_state_follows_keras(case):
    """20 steps, the state written and read into a fresh optimizer (what a .keras file does),
    20 more steps: Keras's weights after each of them."""
    first, params, *_ = run_keras_case(case, steps=range(20))
    state = first.state_arrays(params, paths=PATHS)
    nn_optimizer = keras_case_optimizer(case)
    continued = dense_parameters()
    for p, trained in zip(continued, params):
        p.assign(trained)
    nn_optimizer.load_state_arrays(continued, [value for _, value in state])
    assert nn_optimizer.iterations == 20
    _, _, weights, _ = run_keras_case(case, nn_optimizer, continued, range(20, 40))
    index = CASES.index(case)
    for i, trajectory in enumerate(weights):
        assert_close(trajectory, REFERENCE[f"weights/{i}"][index][20:], err_msg=case)


def test_loading_keras_state_gives_it_back():
    case = "nadam"
    keras_values = REFERENCE[f"variables/{case}"]
    params, optimizer = dense_parameters(), Nadam(learning_rate=0.05)
    shapes = [(), (), (3, 2), (3, 2), (2,), (2,), ()]  # iteration, learning_rate, ..., variable
    arrays, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        arrays.append(keras_values[start : start + size].reshape(shape))
        start += size
    optimizer.load_state_arrays(params, arrays)
    back = optimizer.state_arrays(params)
    for (_, value), given in zip(back, arrays):
        assert_close(value.astype(np.float64), given, exact=True)
    assert optimizer._u_product.dtype == np.float32


@pytest.mark.parametrize(
    "make, names, values",
    [
        (lambda: SGD(), ["iteration", "learning_rate"], []),
        (lambda: Adagrad(initial_accumulator_value=0.25), ["kernel_accumulator"], [0.25]),
        (
            lambda: Nadam(),
            ["kernel_momentum", "kernel_velocity", "variable"],
            [0.0, 0.0, 1.0],
        ),
        (
            lambda: RMSprop(momentum=0.5, centered=True),
            ["kernel_velocity", "kernel_momentum", "kernel_average_gradient"],
            [0.0, 0.0, 0.0],
        ),
    ],
)
def test_state_before_any_step_is_keras_fresh_state(make, names, values):
    kernel = ag.Tensor(np.ones(2, np.float32), requires_grad=True, name="kernel")
    state = make().state_arrays([kernel])
    assert [name for name, _ in state][-len(names) :] == names
    for (_, array), value in zip(state[2:], values):
        assert_close(array, np.full(array.shape, value, np.float32), exact=True)


def test_loaded_slots_of_parameters_that_never_stepped_are_used_by_the_next_step():
    w = ag.Tensor([0.0], requires_grad=True)
    opt = SGD(learning_rate=0.1, momentum=0.5)
    opt.load_state_arrays([w], [7, 0.1, [-1.0]])
    w.grad = np.zeros(1, np.float32)
    opt.step([w])
    assert_close(w, np.float32([-0.5]), exact=True)  # m = 0.5 (-1) - 0; w += m
    assert opt.iterations == 8


FAILED_LOADS = {
    "count": (
        [3, 0.1],
        ValueError,
        (
            "expected 4 arrays for 1 parameters (iteration, learning_rate, kernel_momentum, "
            "kernel_velocity), got 2"
        ),
    ),
    "shape": (
        [3, 0.1, [1.0], [1.0, 2.0]],
        ValueError,
        "array 3 (kernel_velocity) must have shape (1,), got (2,)",
    ),
    "strings": (
        [3, 0.1, [1.0], ["x"]],
        TypeError,
        "array 3 (kernel_velocity) must hold numbers, got array(['x'], dtype='<U1')",
    ),
    "iteration": ([-1, 0.1, [1.0], [1.0]], ValueError, "iteration must be >= 0, got -1"),
    "rate": ([3, 0.0, [1.0], [1.0]], ValueError, "learning_rate must be in (0, inf), got 0.0"),
}


@pytest.mark.parametrize("problem", FAILED_LOADS)
def test_a_failed_load_names_the_problem_and_changes_nothing(problem):
    arrays, error, message = FAILED_LOADS[problem]
    w = ag.Tensor([1.0], requires_grad=True, name="kernel")
    opt = Adam(learning_rate=0.01)
    w.grad = np.ones(1, np.float32)
    opt.step([w])
    before = opt.state_arrays([w])
    with pytest.raises(error) as info:
        opt.load_state_arrays([w], arrays)
    assert str(info.value) == f"Adam.load_state_arrays: {message}"
    for (name, old), (_, now) in zip(before, opt.state_arrays([w])):
        assert_close(now, old, exact=True, err_msg=name)
    assert opt.learning_rate == 0.01


def test_state_arrays_paths_must_match_the_parameters():
    with pytest.raises(ValueError, match=r"^Adam.state_arrays: 1 paths for 2 parameters$"):
        Adam().state_arrays(dense_parameters(), paths=["a/b"])


def test_the_reference_file_covers_every_optimizer_and_argument():
    """A guard: every nn optimizer and every base argument nn implements has Keras runs."""
    runs = SETTINGS["cases"].values()
    assert {run["optimizer"] for run in runs} == {cls.__name__ for cls in ALL}
    used = {argument for run in runs for argument in run["arguments"]}
    assert {"clipnorm", "clipvalue", "global_clipnorm", "weight_decay", "amsgrad"} <= used
    assert {"momentum", "nesterov", "centered", "initial_accumulator_value"} <= used
