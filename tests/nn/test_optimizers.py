import gc
import weakref

import numpy as np
import pytest

import autograd_lite as ag
from nn import optimizers
from nn.optimizers import SGD, Adam, RMSprop
from tests.numerics import assert_close


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
    assert_close(w, [3.0 * 0.5**20, -2.0 * 0.5**20])


def test_parameters_without_gradient_are_left_alone():
    a, b = ag.Tensor([1.0], requires_grad=True), ag.Tensor([1.0], requires_grad=True)
    a.grad = np.array([1.0], dtype=np.float32)
    Adam().step([a, b])
    assert b.data[0] == 1.0 and a.data[0] < 1.0


def test_get_by_name_instance_or_none_and_unknown_names():
    assert isinstance(optimizers.get("adam"), Adam) and isinstance(optimizers.get("SGD"), SGD)
    adam = Adam()
    assert optimizers.get(adam) is adam
    assert optimizers.get(None) is None  # as keras.optimizers.get(None)
    with pytest.raises(
        ValueError, match="Unknown optimizer .adamw.. Valid names: adam, rmsprop, sgd"
    ):
        optimizers.get("adamw")


@pytest.mark.parametrize(
    "cls, arguments, interval, shown",
    [
        (Adam, {"learning_rate": -1}, "(0, inf)", "-1"),
        (SGD, {"learning_rate": 0}, "(0, inf)", "0"),
        (RMSprop, {"learning_rate": float("inf")}, "(0, inf)", "inf"),
        (Adam, {"learning_rate": float("nan")}, "(0, inf)", "nan"),
        (Adam, {"beta_1": 1.5}, "[0, 1)", "1.5"),
        (Adam, {"beta_1": 1.0}, "[0, 1)", "1.0"),  # was a ZeroDivisionError at the first step
        (Adam, {"beta_2": -0.1}, "[0, 1)", "-0.1"),
        (Adam, {"beta_2": 1}, "[0, 1)", "1"),
        (Adam, {"epsilon": -1e-7}, "[0, inf)", "-1e-07"),
        (RMSprop, {"rho": 1.5}, "[0, 1)", "1.5"),
        (RMSprop, {"epsilon": -1.0}, "[0, inf)", "-1.0"),
        (SGD, {"momentum": 1.5}, "[0, 1]", "1.5"),
        (SGD, {"momentum": -0.1}, "[0, 1]", "-0.1"),
    ],
)
def test_hyperparameters_out_of_range_are_refused_at_construction(cls, arguments, interval, shown):
    with pytest.raises(ValueError) as info:
        cls(**arguments)
    (name,) = arguments
    assert str(info.value) == f"{cls.__name__}: {name} must be in {interval}, got {shown}"


@pytest.mark.parametrize(
    "cls, arguments, message",
    [
        (
            SGD,
            {"learning_rate": "0.01"},
            "learning_rate must be a number in (0, inf), got '0.01' (str)",
        ),
        (
            SGD,
            {"learning_rate": True},
            "learning_rate must be a number in (0, inf), got True (bool)",
        ),
        (Adam, {"beta_1": None}, "beta_1 must be a number in [0, 1), got None (NoneType)"),
        (SGD, {"momentum": "0.9"}, "momentum must be a number in [0, 1], got '0.9' (str)"),
        (SGD, {"momentum": 0.9, "nesterov": "yes"}, "nesterov must be True or False, got 'yes'"),
    ],
)
def test_hyperparameters_of_the_wrong_type_are_refused_at_construction(cls, arguments, message):
    with pytest.raises(TypeError) as info:
        cls(**arguments)
    assert str(info.value) == f"{cls.__name__}: {message}"


def test_hyperparameters_at_the_ends_of_their_ranges_are_accepted():
    assert Adam(learning_rate=1, beta_1=0, beta_2=0.0, epsilon=0).learning_rate == 1.0
    assert SGD(momentum=1.0, nesterov=np.bool_(True)).nesterov is True
    assert RMSprop(rho=0.0, learning_rate=np.float32(0.5)).learning_rate == 0.5


# Keras 3.15 / TensorFlow 2.21, float32 variable [1, -2], gradients g * [1, 2] for the g below
# (keras.optimizers.X(...).apply_gradients one step at a time)
KERAS_GRADIENTS = [0.5, -0.25, 1.0, 0.125, 3.0]
KERAS_TRAJECTORIES = {
    "sgd": (
        lambda: SGD(learning_rate=0.1),
        [
            [0.949999988079071, -2.0999999046325684],
            [0.9749999642372131, -2.049999952316284],
            [0.8749999403953552, -2.25],
            [0.8624999523162842, -2.2750000953674316],
            [0.5624999403953552, -2.875],
        ],
    ),
    "momentum": (
        lambda: SGD(learning_rate=0.1, momentum=0.9),
        [
            [0.949999988079071, -2.0999999046325684],
            [0.9300000071525574, -2.1399998664855957],
            [0.812000036239624, -2.375999927520752],
            [0.6933000087738037, -2.6133999824523926],
            [0.2864699959754944, -3.427060127258301],
        ],
    ),
    "nesterov": (
        lambda: SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
        [
            [0.9049999713897705, -2.190000057220459],
            [0.9120000004768372, -2.1760001182556152],
            [0.7057999968528748, -2.58840012550354],
            [0.5864700078964233, -2.8270602226257324],
            [-0.07967698574066162, -4.159354209899902],
        ],
    ),
    "adam": (
        lambda: Adam(learning_rate=0.001),
        [
            [0.9990000128746033, -2.000999927520752],
            [0.9987336993217468, -2.0012662410736084],
            [0.9980756044387817, -2.0019242763519287],
            [0.9974766373634338, -2.002523183822632],
            [0.9967859983444214, -2.003213882446289],
        ],
    ),
    "adam_b": (
        lambda: Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
        [
            [0.9901961088180542, -2.0099010467529297],
            [0.9881219863891602, -2.011993646621704],
            [0.98126220703125, -2.018883228302002],
            [0.9753144383430481, -2.0248568058013916],
            [0.9675053358078003, -2.0326781272888184],
        ],
    ),
    "rmsprop": (
        lambda: RMSprop(learning_rate=0.01, rho=0.8),
        [
            [0.9776393175125122, -2.0223605632781982],
            [0.9885501861572266, -2.0114495754241943],
            [0.9682223200798035, -2.0317773818969727],
            [0.9654040932655334, -2.0345957279205322],
            [0.9439612030982971, -2.0560386180877686],
        ],
    ),
}


@pytest.mark.parametrize("name", KERAS_TRAJECTORIES)
def test_float32_steps_equal_keras_to_the_last_bit(name):
    """Every quantity in float32, operation by operation as Keras: the same float32 numbers."""
    make, expected = KERAS_TRAJECTORIES[name]
    optimizer = make()
    w = ag.Tensor([1.0, -2.0], requires_grad=True)
    for g, keras_w in zip(KERAS_GRADIENTS, expected):
        w.grad = np.array([g, 2 * g], dtype=np.float32)
        optimizer.step([w])
        np.testing.assert_array_equal(w.data, np.array(keras_w, dtype=np.float32))


def test_adam_bias_correction_is_computed_in_float32_for_float32_weights():
    """Keras: alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t) with t, the powers and alpha all
    float32. In float64 alpha differs by ~6e-6 relative, the drift over 40 epochs."""
    f32 = np.float32
    for iterations in (0, 9, 999):
        opt = Adam(learning_rate=0.01)
        opt.iterations = iterations
        alpha, one_minus_beta_1, one_minus_beta_2, epsilon = opt.step_scalars(np.dtype("float32"))
        t = f32(iterations + 1)
        expected = f32(0.01) * np.sqrt(1 - f32(0.999) ** t) / (1 - f32(0.9) ** t)
        assert alpha.dtype == np.float32 and alpha == expected
        assert (one_minus_beta_1, one_minus_beta_2, epsilon) == (f32(0.1), f32(0.001), f32(1e-7))
    in_float64 = 0.01 * np.sqrt(1 - 0.999**1000) / (1 - 0.9**1000)
    assert abs(float(alpha) / in_float64 - 1) > 1e-6  # the difference the test above pins


def test_float64_weights_get_float64_arithmetic():
    """float64 weights (gradchecks, closed forms) keep every digit; Keras on TensorFlow would
    round the hyperparameters to float32 first (its learning rate is a float32 variable)."""
    alpha = Adam(learning_rate=0.1).step_scalars(np.dtype("float64"))[0]
    assert alpha.dtype == np.float64 and alpha == 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9), Adam, RMSprop])
def test_the_step_goes_through_assign_so_a_stale_backward_is_refused(make):
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.grad = np.ones(2, dtype=np.float32)
    version = w.version
    make().step([w])
    assert w.version > version
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()  # the forward read the weights before the step


def fresh_parameter_with_the_id_of(dead_id, keep):
    """A new parameter that sits at a freed parameter's address (CPython reuses freed memory
    at once); tensors made on the way are kept alive in `keep` so they cannot take it."""
    for _ in range(1000):
        p = ag.Tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
        if id(p) == dead_id:
            return p
        keep.append(p)
    raise AssertionError("CPython gave no tensor the freed id")


@pytest.mark.parametrize("shape", [(3,), (2, 2)])
def test_a_new_parameter_at_a_dead_ones_id_starts_fresh(shape):
    opt = Adam(learning_rate=0.1)
    dead = ag.Tensor(np.ones(shape, dtype=np.float32), requires_grad=True)
    dead.grad = np.full(shape, 5.0, dtype=np.float32)
    opt.step([dead])
    dead_id = id(dead)
    del dead
    keep = []
    p = fresh_parameter_with_the_id_of(dead_id, keep)
    p.grad = np.ones(3, dtype=np.float32)
    opt.step([p])  # before: inherited m, v of the dead (3,); numpy broadcast error for (2, 2)
    # fresh slots at t = 2: m = 0.1, v = 0.001; w = -alpha m / (sqrt(v) + eps)
    f32 = np.float32
    alpha = f32(0.1) * np.sqrt(1 - f32(0.999) ** f32(2)) / (1 - f32(0.9) ** f32(2))
    m, v = f32(0.1), f32(1.0) * f32(0.001)
    np.testing.assert_array_equal(p.data, np.full(3, -(m * alpha) / (np.sqrt(v) + f32(1e-7))))


def test_slots_are_released_with_their_parameter_and_hold_no_reference_cycle():
    gc.disable()  # freed by reference counting alone: no cycle through the optimizer
    try:
        opt = Adam()
        params = [
            ag.Tensor(np.ones((4, 3), dtype=np.float32), requires_grad=True) for _ in range(3)
        ]
        for p in params:
            p.grad = np.ones((4, 3), dtype=np.float32)
        opt.step(params)
        moments = weakref.ref(opt._slots.get(params[0])["m"])
        flat_moments = weakref.ref(opt._slots.layout.groups[0][2]["m"])
        assert len(opt._slots) == 3
        del p, params[0]
        assert moments() is None and len(opt._slots) == 2
        params.clear()
        assert len(opt._slots) == 0 and opt._slots.layout is None and flat_moments() is None
        survivor = ag.Tensor([1.0], requires_grad=True)
        survivor.grad = np.ones(1, dtype=np.float32)
        opt.step([survivor])
        table = weakref.ref(opt._slots)
        del opt  # the parameter outlives its optimizer: the slot table goes with the optimizer
        assert table() is None
        del survivor  # and its callback finds no table: nothing to do, no error
    finally:
        gc.enable()


def test_a_parameter_seen_for_the_first_time_is_adopted_with_zero_slots():
    """Not Keras's refusal: a layer added to a compiled model is trained by the next fit.
    The newcomer's first momentum step is a first step (m = -lr g), at any iteration."""
    opt = SGD(learning_rate=0.1, momentum=0.9)
    old = ag.Tensor([0.0], requires_grad=True)
    for _ in range(5):
        old.grad = np.ones(1, dtype=np.float32)
        opt.step([old])
    new = ag.Tensor([0.0], requires_grad=True)
    old.grad = new.grad = np.ones(1, dtype=np.float32)
    opt.step([old, new])
    assert new.data[0] == np.float32(-0.1) and old.data[0] < -1.0


# One step over many parameters works on flat arrays (the speed trick in _FlatLayout): the same
# numbers as stepping each parameter alone, and the same state handling as per parameter.

OPTIMIZERS = {
    "sgd": lambda: SGD(0.1),
    "momentum": lambda: SGD(0.1, momentum=0.9),
    "nesterov": lambda: SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: Adam(0.01),
    "rmsprop": lambda: RMSprop(0.01),
}
SHAPES = [(4, 3), (3,), (2, 2, 2), (1,)]
DTYPES = ("float32", "float64", "float32", "float64")  # mixed: one flat group per dtype


def parameters(dtypes=("float32",) * 4):
    rng = np.random.default_rng(0)
    return [
        ag.Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
        for shape, dtype in zip(SHAPES, dtypes)
    ]


def gradients(rng, params):
    return [rng.standard_normal(p.shape).astype(p.dtype) for p in params]


def alone(make, p, gradient_by_step):
    """The parameter's values after stepping it with its own optimizer: gradient_by_step[t] is
    its gradient at step t, or None for a step it sits out (the shared count still moves)."""
    w = ag.Tensor(p.data.copy(), requires_grad=True)
    optimizer = make()
    for g in gradient_by_step:
        w.grad = g
        optimizer.step([w])
    return w.data


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_one_step_over_all_parameters_equals_each_parameter_stepped_alone(name):
    make = OPTIMIZERS[name]
    params, rng = parameters(DTYPES), np.random.default_rng(1)
    start = [ag.Tensor(p.data.copy()) for p in params]
    history = [gradients(rng, params) for _ in range(3)]
    optimizer = make()
    for step_gradients in history:
        for p, g in zip(params, step_gradients):
            p.grad = g
        optimizer.step(params)
    for i, p in enumerate(params):  # float64 ones get float64 arithmetic, float32 ones float32
        expected = alone(make, start[i], [g_t[i] for g_t in history])
        assert p.data.dtype == expected.dtype == DTYPES[i]
        np.testing.assert_array_equal(p.data, expected)
        for slot in optimizer._slots.get(p).values():
            assert slot.dtype == p.data.dtype and slot.shape == p.shape


@pytest.mark.parametrize("name", ["momentum", "adam", "rmsprop"])
def test_a_parameter_without_gradient_is_skipped_and_keeps_its_state(name):
    """A parameter without .grad (unused by the loss, or frozen) is not moved, and its
    moments wait for its next gradient; the step count is shared."""
    make = OPTIMIZERS[name]
    params, rng = parameters(), np.random.default_rng(2)
    start = [p.data.copy() for p in params]
    optimizer = make()
    sitting_out = {1: [1], 2: [1, 3]}  # step -> parameters without a gradient
    history = []
    for t in range(4):
        step_gradients = gradients(rng, params)
        for i in sitting_out.get(t, []):
            step_gradients[i] = None
        history.append(step_gradients)
        for p, g in zip(params, step_gradients):
            p.grad = g
        if t == 1:
            before = params[1].data.copy()
        optimizer.step(params)
        if t == 1:
            np.testing.assert_array_equal(params[1].data, before)
    for i, p in enumerate(params):
        expected = alone(make, ag.Tensor(start[i]), [g_t[i] for g_t in history])
        np.testing.assert_array_equal(p.data, expected)


def test_a_new_parameter_joins_and_the_others_keep_their_state():
    """A layer added after fit: the flat layout is rebuilt for the longer list, the old
    parameters' moments are carried over, the newcomer starts from zero at the shared t."""
    make = OPTIMIZERS["adam"]
    params, rng = parameters(), np.random.default_rng(3)
    start = [p.data.copy() for p in params]
    optimizer = make()
    history = []
    for t in range(4):
        step_gradients = gradients(rng, params)
        if t < 2:
            step_gradients[3] = None
        history.append(step_gradients)
        for p, g in zip(params, step_gradients):
            p.grad = g
        optimizer.step(params[:3] if t < 2 else params)
    for i, p in enumerate(params):
        expected = alone(make, ag.Tensor(start[i]), [g_t[i] for g_t in history])
        np.testing.assert_array_equal(p.data, expected)
    assert len(optimizer._slots) == 4


def test_the_same_parameters_reuse_one_flat_layout_and_their_slots_are_views_into_it():
    """The speed trick stays in place: steps over the same list rebuild nothing, and each
    parameter's slots are its slice of the flat arrays (one update for the whole model)."""
    params, optimizer = parameters(), Adam()
    for p in params:
        p.grad = np.ones(p.shape, dtype=np.float32)
    optimizer.step(params)
    layout = optimizer._slots.layout
    optimizer.step(params)
    optimizer.step(iter(params))
    assert optimizer._slots.layout is layout and len(layout.groups) == 1
    flat_m = layout.groups[0][2]["m"]
    assert flat_m.size == sum(p.data.size for p in params)
    for p in params:
        assert np.shares_memory(optimizer._slots.get(p)["m"], flat_m)


def test_a_parameter_listed_twice_is_updated_once():
    """As Keras, which tracks each variable once (before: two steps with the same gradient)."""
    w, twice = ag.Tensor([0.0], requires_grad=True), ag.Tensor([0.0], requires_grad=True)
    w.grad = twice.grad = np.array([1.0], dtype=np.float32)
    SGD(0.1).step([w])
    SGD(0.1).step([twice, twice])
    assert twice.data[0] == w.data[0] == np.float32(-0.1)


@pytest.mark.parametrize("gradient", [np.ones((2, 2), dtype=np.float32), np.ones(3) + 1j])
def test_a_gradient_that_does_not_fit_its_parameter_is_refused_by_name(gradient):
    w = ag.Tensor(np.zeros(3, dtype=np.float32), requires_grad=True, name="kernel")
    w.grad = gradient
    with pytest.raises(ValueError) as info:
        Adam().step([w])
    assert str(info.value) == (
        f"Adam.step: parameter 'kernel' of shape (3,) (float32) has a gradient of shape "
        f"{gradient.shape} ({gradient.dtype})"
    )
