"""The pooling layers and BatchNormalization against Keras: outputs, input gradients, and the
weights and moving statistics after Keras's own `fit`.

The reference numbers come from tests/nn/data/make_keras_pool_bn.py (TensorFlow 2.21 /
Keras 3.15, run once; the tests never import TensorFlow). Tolerance: the float32 policy of
tests/numerics.py.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import autograd_lite as ag
import nn
from tests.numerics import assert_close

REFERENCE = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_pool_bn.npz"))
SETTINGS = json.loads(str(REFERENCE["settings"]))


@pytest.mark.parametrize("name", SETTINGS["pooling"])
def test_pooling_output_and_input_gradient_equal_keras(name: str) -> None:
    cls, arguments = SETTINGS["pooling"][name]
    layer = getattr(nn, cls)(**arguments)
    x = ag.Tensor(REFERENCE[f"pool/{name}/x"], requires_grad=True)
    y = layer(x)
    assert_close(y, REFERENCE[f"pool/{name}/y"])
    assert layer.compute_output_shape((None, *x.shape[1:]))[1:] == y.shape[1:]
    (y * REFERENCE[f"pool/{name}/weights"]).sum().backward()
    assert_close(x.grad, REFERENCE[f"pool/{name}/dx"])  # random inputs: no ties


def test_batchnormalization_alone_equals_keras() -> None:
    """axis=1, center=False: training output, moving statistics, then inference output."""
    layer = nn.BatchNormalization(**SETTINGS["batchnorm_alone"])
    x = REFERENCE["bn/x"]
    assert_close(layer(x, training=True), REFERENCE["bn/train"])
    assert_close(np.stack(layer.get_weights()), REFERENCE["bn/weights"])
    assert_close(layer(x, training=False), REFERENCE["bn/infer"])


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["traced", "eager"])
@pytest.mark.parametrize("name", SETTINGS["models"])
def test_one_epoch_with_batchnormalization_ends_where_keras_ends(name: str, run_eagerly) -> None:
    settings = SETTINGS["models"][name]
    prefix = f"model/{name}"
    model = nn.Sequential(
        [nn.Input(shape=tuple(settings["input_shape"]))]
        + [getattr(nn, cls)(**arguments) for cls, arguments in settings["layers"]]
    )
    count = len(model.weights)
    # the same weights in the same order as Keras's (names differ only by the layer's suffix)
    keras_names = [str(REFERENCE[f"{prefix}/names/{i}"]).split("/")[-1] for i in range(count)]
    assert [w.name.split("/")[-1] for w in model.weights] == keras_names
    model.set_weights([REFERENCE[f"{prefix}/initial/{i}"] for i in range(count)])
    optimizer, arguments = settings["optimizer"]
    model.compile(
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=getattr(nn.optimizers, optimizer)(**arguments),
        run_eagerly=run_eagerly,
    )
    x, y = REFERENCE[f"{prefix}/x"], REFERENCE[f"{prefix}/y"]
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for i, ours in enumerate(model.get_weights()):
        expected = REFERENCE[f"{prefix}/final/{i}"]
        assert np.abs(expected - REFERENCE[f"{prefix}/initial/{i}"]).max() > 1e-3  # it moved
        assert_close(ours, expected, err_msg=model.weights[i].name)
    assert_close(np.float32(history.history["loss"][0]), REFERENCE[f"{prefix}/loss"])
    assert_close(model.predict(x[:8]), REFERENCE[f"{prefix}/predict"])
    if not run_eagerly:
        function = model._train_function
        assert len(function.replays) == 1 and not function.eager_reasons
