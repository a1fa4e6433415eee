import gc
import json
import os
import weakref

import numpy as np
import pytest

import autograd_lite as ag
from nn import optimizers
from nn.optimizers import SGD, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop
from tests.numerics import assert_close

# Keras's runs, from tests/nn/data/make_keras_optimizers.py (TensorFlow 2.21 / Keras 3.15.1):
# every optimizer alone, with each base argument and with each schedule, 40 steps of fixed
# gradients on a Dense(2) layer's kernel (3, 2) and bias (2,). Shared with
# test_optimizer_arguments.py and test_schedules.py.
REFERENCE = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_optimizers.npz"))
SETTINGS = json.loads(str(REFERENCE["settings"]))
KERAS = json.loads(str(REFERENCE["keras"]))  # serialized optimizers and variable names
CASES = list(SETTINGS["cases"])
PATHS = ["sequential/dense/kernel", "sequential/dense/bias"]  # Keras's variable paths


def keras_schedule(name):
    """The generator's schedule `name`, made by nn."""
    schedule = SETTINGS["schedules"][name]
    return getattr(optimizers.schedules, schedule["class"])(**schedule["arguments"])


def keras_case_optimizer(case):
    """The generator's optimizer for `case`, made by nn."""
    run = SETTINGS["cases"][case]
    arguments = dict(run["arguments"])
    if run["schedule"] is not None:
        arguments["learning_rate"] = keras_schedule(run["schedule"])
    return getattr(optimizers, run["optimizer"])(**arguments)


def dense_parameters():
    """The generator's kernel and bias at their initial values (float32)."""
    return [
        ag.Tensor(REFERENCE[f"initial/{i}"].copy(), requires_grad=True, name=name)
        for i, name in enumerate(["dense/kernel", "dense/bias"])
    ]


def run_keras_case(case, optimizer=None, params=None, steps=range(SETTINGS["steps"])):
    """nn's side of a generator run: (optimizer, parameters, the weights after each step,
    the learning rate read before each step)."""
    optimizer = keras_case_optimizer(case) if optimizer is None else optimizer
    params = dense_parameters() if params is None else params
    weights, rates = [[], []], []
    for t in steps:
        rates.append(optimizer.learning_rate)
        for i, p in enumerate(params):
            p.grad = REFERENCE[f"gradients/{i}"][t]
        optimizer.step(params)
        for i, p in enumerate(params):
            weights[i].append(p.data.copy())
    return optimizer, params, [np.array(w) for w in weights], np.array(rates)


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
    for name, cls in [("adamw", AdamW), ("adagrad", Adagrad), ("adamax", Adamax)]:
        assert type(optimizers.get(name)) is cls  # Keras's string names
    assert type(optimizers.get("Nadam")) is Nadam and type(optimizers.get("RMSprop")) is RMSprop
    adam = Adam()
    assert optimizers.get(adam) is adam
    assert optimizers.get(None) is None  # as keras.optimizers.get(None)
    with pytest.raises(ValueError) as info:
        optimizers.get("adadelta")
    assert str(info.value).startswith(
        "Unknown optimizer 'adadelta'. Valid names: adagrad, adam, adamax, adamw, nadam, "
        "rmsprop, sgd (or pass an instance"
    )


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


@pytest.mark.parametrize("case", CASES)
def test_forty_steps_follow_keras(case):
    """Every optimizer alone, with each of clipnorm, clipvalue, global_clipnorm and
    weight_decay, and SGD and AdamW under each schedule: the weights after each of 40 steps,
    and the learning rate read before it, are Keras's within the float32 policy. (Measured:
    bit for bit, except under CosineDecay, whose float32 cos differs from TensorFlow's by an
    ulp at some steps.)"""
    index = CASES.index(case)
    _, _, weights, rates = run_keras_case(case)
    for i, trajectory in enumerate(weights):
        assert_close(trajectory, REFERENCE[f"weights/{i}"][index], err_msg=case)
    # Keras reads back its float32 variable (0.05 -> 0.0500000007); nn the number it was given
    keras_rates = REFERENCE["learning_rates"][index]
    assert_close(rates.astype(np.float32), keras_rates.astype(np.float32))


# Keras 3.15's own cases (keras/src/optimizers/*_test.py). One step from [1, 2, 3, 4] with
# gradients [1, 6, 7, 2]; and "golden" values after a step of gradients 0.01 followed by
# steps of [0.1, 0.2, ..., 1.0]. Keras stores them to 4 digits and compares with rtol = atol
# = 1e-4 (one step) and 5e-4 (golden), hence those tolerances here.
KERAS_ONE_STEP = {
    "adam": (lambda: Adam(learning_rate=0.5), [0.5, 1.5, 2.5, 3.5]),
    "adamw": (lambda: AdamW(learning_rate=0.5), [0.4980, 1.4960, 2.494, 3.492]),
    "adagrad": (lambda: Adagrad(learning_rate=0.5), [0.5233, 1.5007, 2.5005, 3.5061]),
    "adamax": (lambda: Adamax(learning_rate=0.5), [0.5, 1.5, 2.5, 3.5]),
    "nadam": (lambda: Nadam(learning_rate=0.5), [0.4686, 1.4686, 2.4686, 3.4686]),
    "rmsprop": (lambda: RMSprop(learning_rate=0.5), [-0.5811, 0.4189, 1.4189, 2.4189]),
    "sgd": (lambda: SGD(learning_rate=0.5), [0.5, -1.0, -0.5, 3.0]),
}


@pytest.mark.parametrize("name", KERAS_ONE_STEP)
def test_keras_one_step_cases(name):
    make, expected = KERAS_ONE_STEP[name]
    w = ag.Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    w.grad = np.array([1.0, 6.0, 7.0, 2.0], dtype=np.float32)
    make().step([w])
    np.testing.assert_allclose(w.data, expected, rtol=1e-4, atol=1e-4)


# fmt: off
KERAS_GOLDEN = {
    "adam_amsgrad": (
        lambda: Adam(amsgrad=True),
        np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10)),
    ),
    "adamw": (
        lambda: AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2),
        [[0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
         [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
         [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
         [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
         [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159]],
    ),
    "adagrad": (
        lambda: Adagrad(learning_rate=0.2, initial_accumulator_value=0.3, epsilon=1e-6),
        [[0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
         [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
         [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
         [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
         [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825]],
    ),
    "adamax": (
        lambda: Adamax(learning_rate=0.2, beta_1=0.85, beta_2=0.95, epsilon=1e-6),
        [[0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
         [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
         [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
         [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
         [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126]],
    ),
    "nadam": (
        lambda: Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5),
        [[0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
         [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718,
          -0.1717],
         [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085,
          -0.7084],
         [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23,
          -1.2299],
         [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455,
          -1.7454]],
    ),
    "rmsprop_centered": (
        lambda: RMSprop(centered=True),
        np.tile([[0.9967], [0.9933], [0.9908], [0.9885], [0.9864]], (1, 10)),
    ),
    # Keras's table: 0.9999 - 0.001 i (j + 1) in row i, column j (momentum 0: plain steps)
    "sgd_nesterov": (
        lambda: SGD(nesterov=True),
        0.9999 - 0.001 * np.arange(5)[:, None] * np.arange(1, 11),
    ),
}
# fmt: on


@pytest.mark.parametrize("name", KERAS_GOLDEN)
def test_keras_golden_cases(name):
    make, golden = KERAS_GOLDEN[name]
    optimizer = make()
    x = ag.Tensor(np.ones(10, dtype=np.float32), requires_grad=True)
    x.grad = np.full(10, 0.01, dtype=np.float32)
    optimizer.step([x])
    for expected in golden:
        np.testing.assert_allclose(x.data, expected, rtol=5e-4, atol=5e-4)
        x.grad = np.arange(1, 11, dtype=np.float32) / 10
        optimizer.step([x])


# The new formulas in closed form, float64 (every digit): two steps of one parameter.


def test_adagrad_accumulates_squared_gradients_from_its_initial_value():
    w1, w2 = steps(
        Adagrad(learning_rate=0.1, initial_accumulator_value=0.2, epsilon=1e-6), [0.5, -2.0]
    )
    assert w1 == pytest.approx(1 - 0.1 * 0.5 / np.sqrt(0.2 + 0.25 + 1e-6), rel=1e-12)
    assert w2 - w1 == pytest.approx(0.1 * 2.0 / np.sqrt(0.2 + 0.25 + 4.0 + 1e-6), rel=1e-12)


def test_adamax_divides_by_the_decayed_largest_gradient():
    w1, w2 = steps(Adamax(learning_rate=0.1, beta_1=0.8, beta_2=0.5, epsilon=1e-3), [2.0, 0.5])
    # t = 1: m = 0.4, u = 2; t = 2: m = 0.8 0.4 + 0.2 0.5 = 0.42, u = max(0.5 2, 0.5) = 1
    assert w1 == pytest.approx(1 - 0.1 * 0.4 / ((1 - 0.8) * (2.0 + 1e-3)), rel=1e-12)
    assert w2 - w1 == pytest.approx(-0.1 * 0.42 / ((1 - 0.8**2) * (1.0 + 1e-3)), rel=1e-12)


def test_nadam_first_two_steps():
    beta_1, beta_2, epsilon, lr = 0.9, 0.999, 1e-7, 0.1
    w = steps(Nadam(learning_rate=lr), [1.0, -0.5])
    mu = [beta_1 * (1 - 0.5 * 0.96**t) for t in (1, 2, 3)]
    m, v, product, expected = 0.0, 0.0, 1.0, [1.0]
    for t, g in enumerate([1.0, -0.5], start=1):
        product *= mu[t - 1]
        m, v = beta_1 * m + (1 - beta_1) * g, beta_2 * v + (1 - beta_2) * g * g
        m_hat = mu[t] * m / (1 - product * mu[t]) + (1 - mu[t - 1]) * g / (1 - product)
        v_hat = v / (1 - beta_2**t)
        expected.append(expected[-1] - lr * m_hat / (np.sqrt(v_hat) + epsilon))
    assert w == pytest.approx(expected[1:], rel=1e-12)


def test_amsgrad_keeps_the_largest_second_moment():
    """A large gradient, then small ones: v decays, v_hat stays at its peak."""
    plain = steps(Adam(learning_rate=0.1), [10.0, 0.1, 0.1])
    ams = steps(Adam(learning_rate=0.1, amsgrad=True), [10.0, 0.1, 0.1])
    assert ams[0] == plain[0]
    m, v_peak = 0.9 * 0.9 * 1.0 + 0.9 * 0.01 + 0.01, 0.1  # after step 3; v after step 1
    alpha = 0.1 * np.sqrt(1 - 0.999**3) / (1 - 0.9**3)
    assert ams[2] - ams[1] == pytest.approx(-alpha * m / (np.sqrt(v_peak) + 1e-7), rel=1e-12)
    assert abs(ams[2] - ams[1]) < abs(plain[2] - plain[1])


def test_rmsprop_momentum_and_centered_two_steps():
    lr, rho, momentum, epsilon = 0.1, 0.8, 0.5, 1e-4
    w = steps(RMSprop(lr, rho=rho, momentum=momentum, epsilon=epsilon, centered=True), [2.0, 1.0])
    v1, a1 = 0.2 * 4.0, 0.2 * 2.0
    s1 = lr * 2.0 / np.sqrt(v1 - a1**2 + epsilon)
    v2, a2 = rho * v1 + 0.2 * 1.0, rho * a1 + 0.2 * 1.0
    s2 = momentum * s1 + lr * 1.0 / np.sqrt(v2 - a2**2 + epsilon)
    assert w == pytest.approx([1.0 - s1, 1.0 - s1 - s2], rel=1e-12)


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
        moments = weakref.ref(opt._slots.get(params[0])["momentum"])
        flat_moments = weakref.ref(opt._slots.layout.groups[0][2]["momentum"])
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
    "amsgrad": lambda: Adam(0.01, amsgrad=True),
    "adamw": lambda: AdamW(0.01, weight_decay=0.1),
    "adagrad": lambda: Adagrad(0.1),
    "adamax": lambda: Adamax(0.01),
    "nadam": lambda: Nadam(0.01),
    "rmsprop": lambda: RMSprop(0.01),
    "rmsprop_centered_momentum": lambda: RMSprop(0.01, momentum=0.5, centered=True),
    "clipnorm": lambda: Adam(0.01, clipnorm=0.5),  # each parameter's own norm
    "clipvalue": lambda: SGD(0.1, clipvalue=0.5),
    "schedule": lambda: SGD(optimizers.schedules.ExponentialDecay(0.1, 2, 0.5), momentum=0.5),
}
# Nadam keeps one running product for all parameters, in the first one's dtype (as Keras):
# stepped alone, a float64 parameter would have it in float64
PER_PARAMETER = [name for name in OPTIMIZERS if name != "nadam"]
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


@pytest.mark.parametrize("name", PER_PARAMETER)
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


@pytest.mark.parametrize("name", OPTIMIZERS)
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
    flat_m = layout.groups[0][2]["momentum"]
    assert flat_m.size == sum(p.data.size for p in params)
    for p in params:
        assert np.shares_memory(optimizer._slots.get(p)["momentum"], flat_m)


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
