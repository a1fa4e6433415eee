"""Regularizers and `layer.losses`: penalties and records against Keras 3.15's (stored by
tests/nn/data/make_keras_configs.py), the losses of two small models before and after
freezing a layer, closed-form gradients, float64 finite differences, and a recorded step
that recomputes the penalties from the weights on every replay."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import regularizers
from nn.regularizers import L1, L1L2, L2
from tests.numerics import assert_close

with open(os.path.join(os.path.dirname(__file__), "data", "keras_configs.json")) as f:
    KERAS = json.load(f)
PENALTIES = KERAS["regularizer_penalties"]
rng = np.random.default_rng(5)


def assert_weight_gradients(fn, weights, eps=1e-6):
    """The gradients a backward pass of `fn()` leaves in each float64 weight's `.grad` equal
    central differences of `fn()` in that weight (perturbed in place, as
    `nn.check_gradients` does; `ag.gradcheck` would perturb copies the layer never reads)."""
    for w in weights:
        assert w.dtype == np.float64
        w.grad = None
    fn().backward()
    for i, w in enumerate(weights):
        numeric = ag.numerical_jacobian(lambda *_: fn(), weights, i, eps).reshape(w.shape)
        np.testing.assert_allclose(w.grad, numeric, rtol=1e-6, atol=1e-8, err_msg=w.name)


@pytest.mark.parametrize(
    "case", PENALTIES["cases"], ids=lambda case: json.dumps(case["identifier"])
)
def test_penalties_and_records_equal_keras_in_float32_and_float64(case):
    regularizer = regularizers.get(case["identifier"])
    assert json.loads(json.dumps(regularizers.serialize(regularizer))) == case["record"]
    w32 = ag.Tensor(np.array(PENALTIES["weights32"], dtype=np.float32))
    w64 = ag.Tensor(np.array(PENALTIES["weights64"]))
    p32, p64 = regularizer(w32), regularizer(w64)
    assert p32.dtype == np.float32 and p64.dtype == np.float64  # in the weight's dtype
    assert_close(p32, np.float32(case["float32"]))
    assert_close(p64, case["float64"])


def test_penalty_formulas():
    w = np.array([[0.5, -2.0], [0.0, 3.0]])
    assert_close(L1(0.5)(w), 0.5 * 5.5)
    assert_close(L2(0.25)(w), 0.25 * 13.25)
    assert_close(L1L2(l1=0.5, l2=0.25)(w), 0.5 * 5.5 + 0.25 * 13.25)
    assert_close(L1L2()(w), 0.0)  # Keras 3's L1L2 defaults are 0; the name "l1l2" too
    assert regularizers.get("l1l2").get_config() == {"l1": 0.0, "l2": 0.0}
    assert L1L2(l1=None, l2=0.5).get_config() == {"l1": 0.0, "l2": 0.5}  # None: 0, as Keras


def test_l1_is_kept_in_float32_as_keras_does():
    assert L1(0.1).l1 == float(np.float32(0.1)) and L2(0.1).l2 == 0.1
    w = ag.Tensor(np.array([1.0, -1.0]))  # float64 weights: the factor is still rounded
    assert float(L1(0.1)(w)) == 2 * float(np.float32(0.1))


@pytest.mark.parametrize("regularizer", [L1(0.3), L2(0.7), L1L2(0.2, 0.4)])
def test_penalty_gradients_match_finite_differences(regularizer):
    w = ag.Tensor(rng.normal(size=(3, 4)), requires_grad=True)  # no entry near |w| = 0
    assert ag.gradcheck(lambda t: regularizer(t), [w])


def test_get_accepts_names_classes_records_instances_and_functions():
    def penalty(w):
        return ag.sum(w)

    l2 = L2(0.5)
    assert regularizers.get(None) is None
    assert regularizers.get(l2) is l2 and regularizers.get(penalty) is penalty
    assert regularizers.get(L1).get_config() == {"l1": float(np.float32(0.01))}
    assert regularizers.get({"class_name": "L2", "config": {"l2": 0.5}}).l2 == 0.5
    assert regularizers.deserialize(regularizers.serialize(L1L2(0.1, 0.2))).get_config() == {
        "l1": 0.1,
        "l2": 0.2,
    }


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: L2(-0.1), ValueError, r"^L2: l2 must be a non-negative number, got -0.1$"),
        (lambda: L1(float("inf")), ValueError, r"^L1: l1 must be a non-negative number, got inf"),
        (lambda: L1L2(l2=float("nan")), ValueError, r"^L1L2: l2 must be a non-negative number"),
        (lambda: L2("0.1"), TypeError, r"^L2: l2 must be a number, got '0.1'$"),
        (lambda: L1(True), TypeError, r"^L1: l1 must be a number, got True$"),
        (
            lambda: regularizers.get("l1_l2"),
            ValueError,
            r"^Unknown regularizer 'l1_l2'. Valid names: L1, L1L2, L2, l1, l1l2, l2 \(or pass",
        ),
        (lambda: regularizers.get(3), ValueError, r"^Unknown regularizer 3"),
        (
            lambda: regularizers.get({"class_name": "OrthogonalRegularizer", "config": {}}),
            ValueError,
            r"^Unknown regularizer class 'OrthogonalRegularizer' in a config; nn has L1, L1L2, L2",
        ),
        (
            lambda: regularizers.get({"class_name": "function", "config": "my_penalty"}),
            ValueError,
            r"^Cannot read the regularizer function 'my_penalty' from a config",
        ),
        (
            lambda: nn.Dense(2, kernel_regularizer="l3"),
            ValueError,
            r"^Dense 'dense': Unknown regularizer 'l3'",
        ),
        (
            lambda: nn.Conv1D(2, 3, activity_regularizer={"class_name": "L2", "config": {"l": 1}}),
            TypeError,
            r"unexpected keyword argument 'l'",
        ),
    ],
)
def test_bad_regularizers_get_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def model_from(case: str) -> tuple[nn.Sequential, dict]:
    """A stored model of `model_losses`, with Keras's weights."""
    nn.clear_session()
    stored = KERAS["model_losses"][case]
    layers = [getattr(nn, cls)(**arguments) for cls, arguments in stored["layers"]]
    model = nn.Sequential([nn.Input(shape=tuple(stored["input_shape"])), *layers])
    model.set_weights([np.array(w, dtype=np.float32) for w in stored["weights"]])
    return model, stored


@pytest.mark.parametrize("case", sorted(KERAS["model_losses"]))
def test_layer_losses_equal_keras_per_layer_before_and_after_freezing(case):
    model, stored = model_from(case)
    for state in ("trainable", "frozen"):
        if state == "frozen":
            model.get_layer(stored["frozen_layer"]).trainable = False
        for k, x in enumerate(stored["x"]):  # two batch sizes: activity terms / batch
            model(np.array(x, dtype=np.float32), training=False)
            for layer in model.layers:
                expected = stored[f"{state}/{k}/layers"][layer.name]
                found = [loss.data for loss in layer.losses]
                assert all(loss.dtype == np.float32 for loss in found)
                assert_close(np.array(found, dtype=np.float32), np.float32(expected))
            total = sum(float(loss.data) for loss in model.losses)
            assert_close(np.float32(total), np.float32(sum(stored[f"{state}/{k}/model"])))


def test_activity_penalty_is_divided_by_the_batch_and_replaced_by_the_next_call():
    layer = nn.Dense(2, kernel_initializer="ones", activity_regularizer=L2(0.5))
    x = np.arange(8.0).reshape(4, 2)
    out = layer(x).data
    (penalty,) = layer.losses
    assert_close(penalty, np.float32(0.5 * (out**2).sum() / 4))
    layer(x[:1])
    assert len(layer.losses) == 1 and float(layer.losses[0].data) == 0.5 * 2 * 1.0**2
    layer(nn.KerasTensor((None, 2)))  # a symbolic call computes nothing
    assert len(layer.losses) == 1
    layer(np.zeros((0, 2)))  # Keras's divide_no_nan: 0 for an empty batch
    assert float(layer.losses[0].data) == 0.0


def test_weight_penalties_follow_the_current_weights_on_every_read():
    layer = nn.Dense(2, kernel_initializer="ones", kernel_regularizer=L1(0.5))
    layer.build((None, 3))
    assert float(layer.losses[0].data) == 3.0
    layer.set_weights([np.full((3, 2), -2.0), np.zeros(2)])
    assert float(layer.losses[0].data) == 6.0
    assert nn.Dense(2).losses == []  # nothing to penalize


def test_a_backward_pass_through_the_penalties_gives_their_closed_form_gradients():
    layer = nn.Dense(3, kernel_regularizer=L1L2(l1=0.1, l2=0.2), bias_regularizer=L2(0.3))
    layer.build((None, 4))
    layer.set_weights([rng.normal(size=(4, 3)), rng.normal(size=3)])
    sum(layer.losses).backward()
    kernel, bias = layer.get_weights()
    assert_close(layer.kernel.grad, np.float32(0.1 * np.sign(kernel) + 0.4 * kernel))
    assert_close(layer.bias.grad, np.float32(0.6 * bias))


def test_losses_of_a_regularized_model_match_finite_differences_in_float64():
    """All the penalties at once (kernel, bias, gamma, beta, activity) plus a loss on the
    output, with respect to every trainable weight, and to the input."""
    dtype = "float64"
    model = nn.Sequential(
        [
            nn.Input(shape=(6, 2), dtype=dtype),
            nn.Conv1D(
                3,
                3,
                activation="tanh",
                kernel_regularizer=L1L2(0.01, 0.02),
                bias_regularizer=L1(0.05),
                activity_regularizer=L2(0.03),
                dtype=dtype,
            ),
            nn.BatchNormalization(gamma_regularizer=L2(0.1), beta_regularizer=L1(0.2), dtype=dtype),
            nn.Flatten(dtype=dtype),
            nn.Dense(2, kernel_regularizer="l2", activity_regularizer="l1", dtype=dtype),
        ]
    )
    model.set_weights([w + rng.uniform(0.2, 0.5, w.shape) for w in model.get_weights()])
    x = rng.normal(size=(5, 6, 2))
    target = rng.normal(size=(5, 2))

    def total(t=x):
        out = model(t, training=False)
        return ((out - target) ** 2).sum() + sum(model.losses)

    assert total().shape == () and len(model.losses) == 3 + 2 + 2  # 2 activity, 5 weights
    assert_weight_gradients(total, model.trainable_weights)
    assert ag.gradcheck(lambda t: total(t), [ag.Tensor(x, requires_grad=True)])


def test_a_recorded_step_recomputes_the_penalties_from_the_weights_on_every_replay():
    layer = nn.Dense(2, kernel_regularizer=L2(0.5), activity_regularizer=L1(0.1))
    x = np.ones((3, 4), dtype=np.float32)
    layer.build((None, 4))

    def step(batch):
        loss = (layer(batch) ** 2).mean() + sum(layer.losses)
        loss.backward()
        return loss

    traced = ag.trace(step)
    for _ in range(3):  # recorded, checked, replayed
        layer.kernel.grad = None
        traced(x)
    assert not traced.eager_reasons
    layer.kernel.assign(np.full((4, 2), 0.5, dtype=np.float32))
    layer.kernel.grad = None
    (replayed,) = traced(x)
    replayed_grad = layer.kernel.grad.copy()
    layer.kernel.grad = None
    eager = step(ag.Tensor(x))
    assert_close(replayed, eager.data, exact=True)
    assert_close(replayed_grad, layer.kernel.grad, exact=True)


def test_fit_adds_the_penalties_to_the_loss_and_trains_them():
    """With zero inputs and targets the data loss and its gradient are 0: only L2 acts, and
    one SGD step scales the kernel by 1 - lr * 2 * l2 = 0.9; the logged loss is the penalty."""
    model = nn.Sequential(
        [
            nn.Input(shape=(2,)),
            nn.Dense(1, use_bias=False, kernel_initializer="ones", kernel_regularizer=L2(0.5)),
        ]
    )
    model.compile(loss="mse", optimizer=nn.optimizers.SGD(learning_rate=0.1))
    history = model.fit(np.zeros((4, 2)), np.zeros(4), batch_size=4, epochs=2, verbose=0)
    assert_close(np.float32(history.history["loss"]), np.float32([0.5 * 2, 0.5 * 2 * 0.81]))
    assert_close(model.get_weights()[0], np.full((2, 1), 0.81, dtype=np.float32))


def test_add_loss_in_a_custom_layer_and_its_errors():
    class Penalized(nn.Layer):
        min_rank = 1

        def call(self, x):
            self.add_loss(ag.sum(x * x))
            return x

    layer = Penalized()
    layer(np.array([1.0, 2.0]))
    assert [float(loss.data) for loss in layer.losses] == [5.0]
    with pytest.raises(TypeError, match=r"Layer 'penalized' \(Penalized\): add_loss expects a"):
        layer.add_loss(3.0)
