"""BatchNormalization and non-trainable weights: values against the formula, gradients against
finite differences, the moving statistics in eager and traced fit, weights, summary, saving."""

import numpy as np
import pytest

import autograd_lite as ag
import nn
from tests.numerics import assert_close

rng = np.random.default_rng(11)


def normalize_by_hand(x, mean, variance, gamma, beta, epsilon):
    """The formula, feature by feature (the last axis)."""
    out = np.empty_like(x)
    for c in range(x.shape[-1]):
        out[..., c] = gamma[c] * (x[..., c] - mean[c]) / np.sqrt(variance[c] + epsilon) + beta[c]
    return out


def built_layer(shape, dtype="float64", **settings):
    """A BatchNormalization built for `shape`, with random gamma, beta and moving statistics."""
    layer = nn.BatchNormalization(dtype=dtype, **settings)
    layer.build((None, *shape[1:]))
    features = layer.moving_mean.shape
    values = {
        "gamma": rng.uniform(0.5, 2.0, features),
        "beta": rng.standard_normal(features),
        "moving_mean": rng.standard_normal(features),
        "moving_variance": rng.uniform(0.5, 2.0, features),
    }
    layer.set_weights([values[w.name.split("/")[1]] for w in layer.weights])
    return layer


@pytest.mark.parametrize("shape", [(6, 3), (4, 5, 2), (3, 4, 5, 2)])
def test_training_uses_the_batch_statistics_and_updates_the_moving_ones(shape):
    layer = built_layer(shape, momentum=0.9, epsilon=1e-3)
    gamma, beta, moving_mean, moving_variance = layer.get_weights()
    x = rng.standard_normal(shape) * 3 + 2
    axes = tuple(range(x.ndim - 1))
    mean, variance = x.mean(axis=axes), x.var(axis=axes)  # biased, as Keras 3
    out = layer(x, training=True)
    assert_close(out, normalize_by_hand(x, mean, variance, gamma, beta, 1e-3))
    assert_close(layer.moving_mean, moving_mean * 0.9 + mean * 0.1)
    assert_close(layer.moving_variance, moving_variance * 0.9 + variance * 0.1)
    assert_close(layer.gamma, gamma, exact=True)  # trained by an optimizer only


@pytest.mark.parametrize("shape", [(6, 3), (3, 4, 5, 2)])
def test_inference_uses_the_moving_statistics_and_changes_nothing(shape):
    layer = built_layer(shape, epsilon=0.01)
    before = layer.get_weights()
    x = rng.standard_normal(shape)
    out = layer(x)  # training=False by default, as in Keras
    assert_close(out, normalize_by_hand(x, before[2], before[3], before[0], before[1], 0.01))
    for after, was in zip(layer.get_weights(), before):
        assert_close(after, was, exact=True)


def test_other_axis_without_center_or_scale():
    """axis=1 of (batch, features, steps); center=False: no beta; scale=False: no gamma."""
    layer = nn.BatchNormalization(axis=1, center=False, scale=False, dtype="float64")
    x = rng.standard_normal((4, 3, 5))
    out = layer(x, training=True)
    mean = x.mean(axis=(0, 2), keepdims=True)
    variance = x.var(axis=(0, 2), keepdims=True)
    assert_close(out, (x - mean) / np.sqrt(variance + 1e-3))
    assert [w.name.split("/")[1] for w in layer.weights] == ["moving_mean", "moving_variance"]
    assert layer.trainable_weights == [] and layer.count_params() == 6


@pytest.mark.parametrize(
    "shape, settings",
    [
        ((5, 3), {}),
        ((4, 3, 2), {"momentum": 0.5}),
        ((2, 3, 3, 2), {"epsilon": 0.1}),
        ((4, 3, 5), {"axis": 1, "center": False}),
        ((6, 2), {"scale": False}),
    ],
)
def test_training_gradients_match_finite_differences(shape, settings):
    """Through the batch mean and variance too, with respect to x, gamma and beta."""
    layer = built_layer(shape, **settings)
    x = ag.Tensor(rng.standard_normal(shape), requires_grad=True)
    weights = rng.standard_normal(shape)  # a sum of BN outputs alone has no gradient in x
    assert ag.gradcheck(
        with_weights(layer, lambda t: (layer(t, training=True) * weights).sum()),
        [x, *layer.trainable_weights],
    )


def test_inference_gradients_match_finite_differences():
    layer = built_layer((4, 3))
    x = ag.Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert ag.gradcheck(
        with_weights(layer, lambda t: layer(t).tanh()), [x, *layer.trainable_weights]
    )


def with_weights(layer, forward):
    """`forward(x)` as a function of x and the layer's trainable weights, which it puts in
    the layer for the call: gradcheck passes float64 copies and perturbs those, so the layer
    must compute with them for their gradients to be checked."""

    def call(x, *trainable):
        names = [w.name.split("/")[1] for w in layer.trainable_weights]
        originals = {name: getattr(layer, name) for name in names}
        for name, weight in zip(names, trainable):
            setattr(layer, name, weight)
        try:
            return forward(x)
        finally:
            for name, weight in originals.items():
                setattr(layer, name, weight)

    return call


def test_weights_in_keras_order_and_trainable_flags():
    layer = nn.BatchNormalization(name="bn")
    layer(np.ones((2, 4)))
    assert [w.name for w in layer.weights] == [
        "bn/gamma",
        "bn/beta",
        "bn/moving_mean",
        "bn/moving_variance",
    ]
    assert [w.name for w in layer.trainable_weights] == ["bn/gamma", "bn/beta"]
    assert [w.name for w in layer.non_trainable_weights] == ["bn/moving_mean", "bn/moving_variance"]
    assert [w.requires_grad for w in layer.weights] == [True, True, False, False]
    assert [list(w) for w in layer.get_weights()] == [[1] * 4, [0] * 4, [0] * 4, [1] * 4]
    assert layer.count_params() == 16


def course_model_with_batchnorm():
    return nn.Sequential(
        [
            nn.Input(shape=(5,)),
            nn.Dense(8, name="L1"),
            nn.BatchNormalization(name="bn"),
            nn.ReLU(),
            nn.Dense(3, name="L2"),
        ]
    )


def test_model_weights_summary_counts_moving_statistics_as_non_trainable():
    model = course_model_with_batchnorm()
    names = [w.name for w in model.weights]
    assert names == [
        "L1/kernel",
        "L1/bias",
        "bn/gamma",
        "bn/beta",
        "bn/moving_mean",
        "bn/moving_variance",
        "L2/kernel",
        "L2/bias",
    ]
    assert [w.name for w in model.non_trainable_weights] == ["bn/moving_mean", "bn/moving_variance"]
    assert [w.name for w in model.trainable_weights] == [n for n in names if "moving" not in n]
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[6].split() == ["bn", "(BatchNormalization)", "(None,", "8)", "32"]  # 4 x 8
    # 48 + 32 + 27 in all, of which the 16 moving statistics are non-trainable (as Keras)
    assert lines[-4:-1] == [
        "Total params: 107",
        "Trainable params: 91",
        "Non-trainable params: 16",
    ]
    assert model.count_params() == 107


X = rng.standard_normal((40, 5)).astype(np.float32) * 2 + 1
LABELS = rng.integers(0, 3, 40)


def fit(run_eagerly, optimizer=None, epochs=3):
    nn.set_seed(5)
    model = course_model_with_batchnorm()
    model.compile(
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=optimizer or nn.optimizers.Adam(0.01),
        run_eagerly=run_eagerly,
    )
    history = model.fit(X, LABELS, batch_size=16, epochs=epochs, verbose=0)
    return model, history.history["loss"]


def test_traced_fit_updates_the_moving_statistics_as_eager_fit_does():
    traced, traced_losses = fit(run_eagerly=False)
    eager, eager_losses = fit(run_eagerly=True)
    function = traced._train_function
    assert len(function.replays) == 2 and not function.eager_reasons  # batches of 16 and 8
    assert all(replay.checked for replay in function.replays.values())
    assert_close(traced_losses, eager_losses)
    for w, a, b in zip(traced.weights, traced.get_weights(), eager.get_weights()):
        assert_close(a, b, err_msg=w.name)
    # 9 steps of momentum 0.99 from (0, 1): the statistics moved, by about 9% of the way
    moving_mean = traced.get_layer("bn").moving_mean.data
    assert 0.01 < np.abs(moving_mean).max() < 1


def test_fit_folds_each_batch_into_the_moving_statistics_and_never_trains_them():
    """One step: the moving statistics are 0.99 * initial + 0.01 * the batch's, whatever the
    optimizer did; they get no gradient."""
    nn.set_seed(5)
    model = course_model_with_batchnorm()
    model.compile(loss="mse", optimizer=nn.optimizers.SGD(1.0))
    x = X[:16]
    with ag.no_grad():
        hidden = model.get_layer("L1")(x).data  # what the BN layer sees in the step
    model.fit(x, np.zeros((16, 3), np.float32), batch_size=16, epochs=1, verbose=0)
    layer = model.get_layer("bn")
    assert_close(layer.moving_mean, np.float32(0.01) * hidden.mean(axis=0))
    assert_close(layer.moving_variance, 0.99 + np.float32(0.01) * hidden.var(axis=0))
    assert layer.moving_mean.grad is None and layer.moving_variance.grad is None
    assert layer.gamma.grad is not None


def test_predict_and_evaluate_leave_the_moving_statistics_alone():
    model, _ = fit(run_eagerly=False, epochs=1)
    before = [w.copy() for w in model.get_weights()]
    model.predict(X)
    model.evaluate(X, LABELS)
    for after, was in zip(model.get_weights(), before):
        assert_close(after, was, exact=True)


def test_save_and_load_weights_include_the_moving_statistics(tmp_path):
    model, _ = fit(run_eagerly=False, epochs=1)
    path = tmp_path / "bn.weights.npz"
    model.save_weights(path)
    assert set(np.load(path)) >= {"bn/moving_mean", "bn/moving_variance"}
    nn.set_seed(99)
    fresh = course_model_with_batchnorm()
    fresh.load_weights(path)
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        assert_close(a, b, exact=True)
    assert_close(fresh.predict(X), model.predict(X), exact=True)


def test_set_weights_takes_all_four_arrays_in_keras_order():
    model = course_model_with_batchnorm()
    weights = [rng.standard_normal(w.shape).astype(np.float32) for w in model.weights]
    model.set_weights(weights)
    layer = model.get_layer("bn")
    assert_close(layer.moving_variance, weights[5], exact=True)
    with pytest.raises(ValueError, match=r"layer 'bn' has 4 weights \(bn/gamma, bn/beta, bn/mo"):
        layer.set_weights(weights[2:4])


def test_an_eager_training_call_updates_at_once():
    """Outside fit, `layer(x, training=True)` updates the moving statistics, as Keras's."""
    layer = nn.BatchNormalization(momentum=0.5)
    layer(np.array([[2.0], [4.0]]), training=True)
    assert_close(layer.moving_mean, [1.5], exact=True)  # 0.5 * 0 + 0.5 * 3
    assert_close(layer.moving_variance, [1.0], exact=True)  # 0.5 * 1 + 0.5 * 1


@pytest.mark.parametrize(
    "make_layer, error, message",
    [
        (lambda: nn.BatchNormalization(momentum=1.5), ValueError, r"momentum must be a number "),
        (lambda: nn.BatchNormalization(epsilon=-1), ValueError, r"epsilon must be a non-negat"),
        (lambda: nn.BatchNormalization(axis=1.0), TypeError, r"axis must be an integer"),
        (lambda: nn.BatchNormalization(center="yes"), TypeError, r"center must be True or Fal"),
    ],
)
def test_bad_settings_are_refused_by_name(make_layer, error, message):
    with pytest.raises(error, match="BatchNormalization: " + message):
        make_layer()


def test_bad_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match=r"axis=0 is not a feature axis of inputs of shape \(N"):
        nn.BatchNormalization(axis=0)(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"axis=3 is not a feature axis"):
        nn.BatchNormalization(axis=3)(np.ones((2, 3, 4)))
    layer = nn.BatchNormalization(axis=1, name="bn")
    layer(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"'bn' \(BatchNormalization\) is incompatible: .*axis 1 "):
        layer(np.ones((2, 5, 4)))
