"""Keras 3's loss arguments: reductions, sample weights, label smoothing, axis, ignore_class,
from_logits, Huber's delta, dtype; configs and names. Keras's numbers come from
tests/nn/data/keras_losses.json (written by make_keras_losses.py with Keras 3.15.1 on JAX,
float32), the gradients of the new losses from gradcheck in float64."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import autograd_lite as ag
from nn import losses
from nn.losses import apply_sample_weight
from tests.numerics import assert_close

with open(os.path.join(os.path.dirname(__file__), "data", "keras_losses.json")) as file:
    DATA = json.load(file)


def array(spec: dict) -> np.ndarray:
    return np.array(spec["values"], dtype=spec["dtype"]).reshape(spec["shape"])


def inputs(key: str) -> tuple[np.ndarray, np.ndarray]:
    pair = DATA["inputs"][key]
    return array(pair["y_true"]), array(pair["y_pred"])


def weights(key: str | None) -> np.ndarray | None:
    return None if key is None else array(DATA["weights"][key])


def test_the_reference_file_is_keras_3_15_1() -> None:
    assert DATA["versions"]["keras"] == "3.15.1" and DATA["versions"]["backend"] == "jax"


@pytest.mark.parametrize("name", sorted(DATA["cases"]))
def test_loss_matches_keras(name: str) -> None:
    """The value (every reduction, shape included) and its gradient with respect to y_pred,
    float32 against Keras's float32 within the suite's policy."""
    case = DATA["cases"][name]
    y_true, y_pred = inputs(case["inputs"])
    loss = getattr(losses, case["loss"])(**case["arguments"])
    prediction = ag.Tensor(y_pred, requires_grad=True)
    value = loss(y_true, prediction, sample_weight=weights(case["sample_weight"]))
    expected = array(case["value"])
    assert value.dtype == np.float32 and value.shape == expected.shape
    assert_close(value, expected)
    if "gradient" in case:
        value.backward()
        assert_close(prediction.grad, array(case["gradient"]))


@pytest.mark.parametrize("name", sorted(DATA["functions"]))
def test_loss_function_matches_keras(name: str) -> None:
    call = DATA["functions"][name]
    y_true, y_pred = inputs(call["inputs"])
    values = getattr(losses, call["function"])(y_true, y_pred, **call["arguments"])
    assert_close(values, array(call["value"]))


# What Keras's get_config leaves out and nn writes when it is not the default (Keras's own
# round trip resets Huber's delta to 1.0 and CosineSimilarity's axis to -1).
KEPT_BEYOND_KERAS = {"Huber/arguments": {"delta": 2.0}, "CosineSimilarity/arguments": {"axis": 1}}


@pytest.mark.parametrize("name", sorted(DATA["configs"]))
def test_config_and_record_are_keras(name: str) -> None:
    entry = DATA["configs"][name]
    loss = getattr(losses, entry["loss"])(**entry["arguments"])
    expected = {**entry["config"], **KEPT_BEYOND_KERAS.get(name, {})}
    assert loss.get_config() == expected
    assert losses.serialize(loss) == {**entry["record"], "config": expected}
    assert json.loads(json.dumps(loss.get_config())) == expected
    rebuilt = type(loss).from_config(loss.get_config())
    assert rebuilt.get_config() == expected and repr(rebuilt) == repr(loss)
    from_keras = losses.deserialize(entry["record"])  # Keras's own record reads back
    assert type(from_keras) is type(loss) and from_keras.get_config() == entry["config"]
    assert losses.get(entry["record"]).get_config() == entry["config"]


@pytest.mark.parametrize("function", sorted(DATA["function_records"]))
def test_keras_records_of_loss_functions_give_their_class(function: str) -> None:
    record = DATA["function_records"][function]
    assert losses.serialize(getattr(losses, function)) == record
    assert losses.serialize(record) == record  # a record stays as it is, as in Keras
    loss = losses.deserialize(record)
    assert type(loss) is losses.LOSS_FUNCTIONS[getattr(losses, function)]


def test_names_are_keras_names() -> None:
    """Exactly the names keras.losses.get resolves to these losses ('logcosh' is not one)."""
    assert set(losses.ALL_LOSSES) == set(DATA["names"])
    for name, target in DATA["names"].items():
        loss = losses.get(name)
        function = getattr(losses, target, None)
        expected = losses.LOSS_FUNCTIONS.get(function, function)
        assert type(loss) is expected, name
    with pytest.raises(ValueError, match="Unknown loss 'logcosh'"):
        losses.get("logcosh")


def test_default_names_and_the_base_class_name() -> None:
    assert losses.Huber().name == "huber_loss" and losses.KLDivergence().name == "kl_divergence"

    class MyLoss(losses.Loss):
        def call(self, y_true, y_pred):
            return (y_pred - y_true).abs().sum(axis=-1)

    assert MyLoss().name == "my_loss" and MyLoss().name == "my_loss_1"  # Keras's auto names
    assert MyLoss().get_config() == {"name": "my_loss_2", "reduction": "sum_over_batch_size"}
    with pytest.raises(NotImplementedError, match="Loss: a Loss subclass defines call"):
        losses.Loss()(np.zeros(2), np.zeros((2, 1)))


def test_repr_shows_from_logits_and_what_differs_from_the_defaults() -> None:
    assert repr(losses.MeanSquaredError()) == "MeanSquaredError()"
    assert repr(losses.Huber(delta=2.0, reduction=None)) == "Huber(delta=2.0, reduction=None)"
    assert (
        repr(losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1))
        == "SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)"
    )


# ------------------------------------------------------------------ apply_sample_weight


def test_apply_sample_weight_on_numpy_returns_numpy_in_the_values_dtype() -> None:
    values = np.array([1.0, 2.0, 3.0], np.float32)
    out = apply_sample_weight(values, np.array([1, 0, 2]), "Precision")
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    assert_close(out, [1.0, 0.0, 6.0], exact=True)
    column = apply_sample_weight(values, np.array([[1.0], [0.0], [2.0]]), "Precision")
    assert column.shape == (3, 1)  # Keras: (m,) values against (m, 1) weights give (m, 1)
    assert apply_sample_weight(np.array([True, False]), 2.0, "Precision").dtype == np.float32
    assert apply_sample_weight(values, None, "Precision") is values
    per_element = apply_sample_weight(np.ones((2, 3, 1)), np.arange(6.0).reshape(2, 3), "Mean")
    assert_close(per_element, np.arange(6.0).reshape(2, 3), exact=True)  # the 1 is dropped


@pytest.mark.parametrize(
    "values_shape, weights_shape, fit",
    [
        ((3,), (3, 3), r"\(3,\) or \(3, 1\)"),  # Keras broadcasts these into (3, 3)
        ((2, 4, 5), (2,), r"\(2, 1, 1\)"),
        ((2, 4), (3,), r"\(2, 1\)"),
        ((3,), (3, 1, 1), r"\(3,\) or \(3, 1\)"),
    ],
)
def test_apply_sample_weight_refuses_weights_that_do_not_fit(
    values_shape, weights_shape, fit
) -> None:
    message = (
        rf"Precision: sample_weight of shape {re_shape(weights_shape)} does not fit "
        rf"per-sample values of shape .*; give one weight per sample, shape {fit}"
    )
    with pytest.raises(ValueError, match=message):
        apply_sample_weight(np.ones(values_shape), np.ones(weights_shape), "Precision")


def re_shape(shape: tuple[int, ...]) -> str:
    return str(shape).replace("(", r"\(").replace(")", r"\)")


def test_apply_sample_weight_on_tensors_is_differentiable_through_the_values() -> None:
    weights = ag.Tensor(np.array([0.5, 2.0]))
    assert ag.gradcheck(lambda v: apply_sample_weight(v, weights, "Mean").sum(), [np.ones(2)])
    with pytest.raises(TypeError, match="Mean: sample_weight must be numeric, got dtype <U1"):
        apply_sample_weight(ag.Tensor([1.0]), np.array(["a"]), "Mean")


def test_a_loss_names_itself_when_the_weights_do_not_fit() -> None:
    y, pixels = np.zeros((2, 4, 5), int), np.full((2, 4, 5, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"SparseCategoricalCrossentropy: sample_weight of shape"):
        losses.SparseCategoricalCrossentropy()(y, pixels, sample_weight=np.ones(2))
    per_image = losses.SparseCategoricalCrossentropy()(y, pixels, np.array([[[1.0]], [[3.0]]]))
    assert_close(per_image, np.float32(2 * np.log(3)))


# ------------------------------------------------------------------ reductions by hand


def test_reductions_divide_by_the_number_of_values_or_the_sum_of_the_weights() -> None:
    y_true, y_pred = np.zeros((4, 1)), np.array([[1.0], [2.0], [3.0], [4.0]])  # squares 1..16
    w = np.array([1.0, 0.0, 0.5, 2.0])
    weighted = np.array([1.0, 0.0, 4.5, 32.0])
    expected = {
        "sum_over_batch_size": weighted.sum() / 4,
        "mean": weighted.sum() / 4,
        "sum": weighted.sum(),
        "mean_with_sample_weight": weighted.sum() / w.sum(),
        "none": weighted,
        None: weighted,
    }
    for reduction, value in expected.items():
        loss = losses.MeanSquaredError(reduction=reduction)
        assert_close(loss(y_true, y_pred, w), value, err_msg=str(reduction))
    zero_weights = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    assert float(zero_weights(y_true, y_pred, np.zeros(4))) == 0.0  # 0 / 0 gives 0


def test_ignore_class_leaves_those_positions_out_of_the_divisor() -> None:
    labels = np.array([[1, -1, 0], [-1, -1, 2]])  # 3 valid positions of 6
    probs = np.array([0.25, 0.5, 0.25])
    z = np.log(np.broadcast_to(probs, (2, 3, 3))).astype(np.float32)
    per_position = np.where(labels == -1, 0.0, -np.log(probs[np.maximum(labels, 0)]))

    def loss(reduction, w=None):
        scce = losses.SparseCategoricalCrossentropy(True, ignore_class=-1, reduction=reduction)
        return scce(labels, z, w)

    assert_close(loss("sum_over_batch_size"), np.float32(per_position.sum() / 3))
    assert_close(loss("sum"), np.float32(per_position.sum()))
    assert_close(loss(None), per_position.astype(np.float32))
    w = np.array([[1.0], [4.0]])  # per image; the valid weights sum to 1 + 1 + 4
    assert_close(loss("sum_over_batch_size", w), np.float32((per_position * w).sum() / 3))
    assert_close(loss("mean_with_sample_weight", w), np.float32((per_position * w).sum() / 6))


# ------------------------------------------------------------------ gradients in float64

RNG = np.random.default_rng(7)
X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(3, 4))
W = np.array([0.5, 2.0, 1.5])


@pytest.mark.parametrize(
    "make, y_true, y_pred",
    [
        (lambda: losses.MeanAbsoluteError(), Y, X),
        (lambda: losses.Huber(), Y, X),
        (lambda: losses.Huber(delta=0.3), Y, X),
        (lambda: losses.LogCosh(), Y, 3 * X),
        (lambda: losses.Hinge(), (Y > 0) * 1.0, X),
        (lambda: losses.SquaredHinge(), np.sign(Y), X),
        (lambda: losses.KLDivergence(), np.abs(Y) / 4, np.abs(X) / 4 + 0.01),
        (lambda: losses.Poisson(), np.round(np.abs(Y) * 3), np.abs(X) + 0.1),
        (lambda: losses.CosineSimilarity(), Y, X),
        (lambda: losses.CosineSimilarity(axis=0), Y, X),
        (lambda: losses.MeanSquaredError(reduction="mean_with_sample_weight"), Y, X),
        (
            lambda: losses.BinaryCrossentropy(label_smoothing=0.2),
            (Y > 0) * 1.0,
            1 / (1 + np.exp(X)),
        ),
        (lambda: losses.BinaryCrossentropy(from_logits=True, axis=0), (Y > 0) * 1.0, X),
        (lambda: losses.CategoricalCrossentropy(True, 0.1), np.eye(4)[[0, 3, 1]], X),
        (
            lambda: losses.CategoricalCrossentropy(label_smoothing=0.3, axis=0),
            np.eye(4)[:3],
            np.exp(X),
        ),
        (lambda: losses.SparseCategoricalCrossentropy(True, 1), np.array([1, 3, 0]), X),
        (
            lambda: losses.SparseCategoricalCrossentropy(reduction="sum"),
            np.array([1, 3, 0]),
            np.exp(X),
        ),
    ],
)
def test_gradients_of_every_loss_with_sample_weights(make, y_true, y_pred) -> None:
    """Away from the kinks: no Huber error at +-delta, no hinge margin at 0, KL and Poisson
    predictions inside their clipping ranges."""
    loss = make()
    axis_0 = getattr(loss, "axis", -1) == 0
    weight = None if axis_0 else W
    assert ag.gradcheck(lambda p: loss(y_true, p, sample_weight=weight), [y_pred])


def test_the_hinge_losses_convert_0_1_targets_batch_by_batch() -> None:
    pred = np.array([[0.3, -0.2]])
    assert_close(losses.hinge([[0.0, 1.0]], pred), [(1.3 + 1.2) / 2])  # targets -1, 1
    assert_close(losses.hinge([[-1.0, 0.0]], pred), [(1.3 + 1.0) / 2])  # not all 0/1: kept


# ------------------------------------------------------------------ compute, trace, dtype


def course_like(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return rng.normal(size=(8, 4)).astype(np.float32), rng.integers(0, 4, 8), rng.uniform(size=8)


@pytest.mark.parametrize(
    "loss",
    [
        losses.SparseCategoricalCrossentropy(from_logits=True),
        losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2),
        losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        losses.Huber(reduction="mean_with_sample_weight"),
        losses.Hinge(),
    ],
)
def test_compute_with_sample_weights_is_recorded_once_and_replayed(loss) -> None:
    """As fit runs it: `compute(y, y_pred, sample_weight)` inside `ag.trace`, the weights an
    input of the step; each replay equals an eager call on that batch."""
    rng = np.random.default_rng(3)
    w = ag.Tensor(np.ones((4, 4), np.float32) * 0.1, requires_grad=True)

    def targets(labels: np.ndarray) -> np.ndarray:
        if isinstance(loss, losses.SparseCategoricalCrossentropy):
            return labels
        if isinstance(loss, losses.Hinge):
            return (np.eye(4)[labels] > 0).astype(np.float32)  # 0/1, converted to -1/1
        return np.eye(4, dtype=np.float32)[labels]

    def forward_backward(x, y, sample_weight):
        value = loss.compute(y, x @ w, sample_weight)
        value.backward()
        return value

    step = ag.trace(forward_backward)
    for _ in range(4):
        x, labels, sample_weight = course_like(rng)
        w.grad = None
        (value,) = step(x, targets(labels), sample_weight.astype(np.float32))
        replayed = w.grad
        w.grad = None
        eager = loss(targets(labels), ag.Tensor(x) @ w, sample_weight)
        eager.backward()
        assert_close(value, eager.data)
        assert_close(replayed, w.grad)
    assert not step.eager_reasons, step.eager_reasons


def test_the_course_loss_stays_one_fused_node_without_weights() -> None:
    z = ag.Tensor(np.zeros((3, 4), np.float32), requires_grad=True)
    fused = losses.SparseCategoricalCrossentropy(from_logits=True).compute(np.array([0, 1, 2]), z)
    assert type(fused.op).__name__ == "SoftmaxCrossEntropy"
    weighted = losses.SparseCategoricalCrossentropy(from_logits=True).compute(
        np.array([0, 1, 2]), z, ag.Tensor(np.ones(3, np.float32))
    )
    assert_close(weighted, fused.data)


def test_dtype_argument_casts_and_none_keeps_the_predictions_dtype() -> None:
    y, p = np.array([[1.0, 0.0]]), np.array([[0.25, 0.5]], np.float32)
    assert losses.MeanSquaredError()(y, p).dtype == np.float32
    assert losses.MeanSquaredError()(y, p.astype(np.float64)).dtype == np.float64
    as_64 = losses.MeanSquaredError(dtype="float64")(y, p)
    assert as_64.dtype == np.float64 and float(as_64) == (0.75**2 + 0.5**2) / 2
    assert losses.MeanSquaredError(dtype="float16").dtype == "float16"


# ------------------------------------------------------------------ bad arguments


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: losses.Hinge(reduction="abc"), ValueError, r"Hinge: reduction must be one of"),
        (lambda: losses.Hinge(reduction=1), ValueError, r"Hinge: reduction .* got 1"),
        (
            lambda: losses.MeanSquaredError(name=3),
            TypeError,
            r"name must be a non-empty string, got 3",
        ),
        (lambda: losses.Poisson(dtype="int32"), TypeError, r"Poisson: dtype must be a float"),
        (lambda: losses.Huber(delta=0), ValueError, r"Huber: delta must be in \(0, inf\), got 0"),
        (lambda: losses.Huber(delta="1"), TypeError, r"Huber: delta must be a number"),
        (
            lambda: losses.BinaryCrossentropy(label_smoothing=1.5),
            ValueError,
            r"BinaryCrossentropy: label_smoothing must be in \[0, 1\], got 1.5",
        ),
        (
            lambda: losses.CategoricalCrossentropy(from_logits="yes"),
            TypeError,
            r"CategoricalCrossentropy: from_logits must be True or False, got 'yes'",
        ),
        (
            lambda: losses.CategoricalCrossentropy(axis=True),
            TypeError,
            r"CategoricalCrossentropy: axis must be an integer, got True",
        ),
        (
            lambda: losses.CosineSimilarity(axis=1.0),
            TypeError,
            r"CosineSimilarity: axis must be an integer, got 1.0",
        ),
        (
            lambda: losses.SparseCategoricalCrossentropy(ignore_class=0.5),
            TypeError,
            r"SparseCategoricalCrossentropy: ignore_class must be an integer, got 0.5",
        ),
    ],
)
def test_bad_arguments_are_named(make, error, message) -> None:
    with pytest.raises(error, match=message):
        make()


def test_bad_calls_are_named() -> None:
    with pytest.raises(ValueError, match=r"binary_crossentropy: axis 2 is out of range"):
        losses.binary_crossentropy(np.zeros((2, 3)), np.full((2, 3), 0.5), axis=2)
    with pytest.raises(ValueError, match=r"classes must be on the last axis.*got axis=0"):
        losses.SparseCategoricalCrossentropy(axis=0)(np.zeros(2, int), np.full((2, 3), 1 / 3))
    with pytest.raises(
        ValueError, match=r"Hinge: targets must be -1 or 1 .*got 2.0 at index \(1, 0\)"
    ):
        losses.Hinge()(np.array([1, 2]), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"SquaredHinge: targets must be -1 or 1 .*got 0.0"):
        losses.SquaredHinge()(np.array([1, 0, -1]), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"label 3 .* out of range .*0..2, or ignore_class -1"):
        losses.SparseCategoricalCrossentropy(ignore_class=-1)([-1, 3], np.full((2, 3), 1 / 3))
    with pytest.warns(UserWarning, match=r"categorical_crossentropy: y_pred of shape \(2, 1\) has"):
        losses.CategoricalCrossentropy()(np.ones((2, 1)), np.full((2, 1), 0.5))
    with pytest.raises(ValueError, match=r"Cannot read a loss from 'mse'"):
        losses.deserialize("mse")
    with pytest.raises(ValueError, match=r"Unknown loss class 'Focal'"):
        losses.get({"class_name": "Focal", "config": {}})
    with pytest.raises(TypeError, match=r"serialize: expected a Loss .*got 'mse'"):
        losses.serialize("mse")
    with pytest.raises(TypeError, match=r"serialize: expected a Loss .*got <built-in"):
        losses.serialize(abs)
