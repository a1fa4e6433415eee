"""Habits a Keras user brings: explicit build, then set_weights; Keras's argument values."""

import numpy as np
import pytest

import nn

X = np.random.default_rng(0).normal(size=(10, 4))
Y = np.arange(10) % 3


def compiled(**compile_args):
    model = nn.Sequential([nn.Input(shape=(4,)), nn.Dense(5, name="L1"), nn.Dense(3, name="L2")])
    loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(**{"loss": loss, "optimizer": "adam", **compile_args})
    return model


def test_build_then_set_weights_then_call_uses_the_set_weights():
    layer = nn.Dense(2, activation="relu")
    layer.build((7, 3))  # Keras's build takes the full shape; the batch size is not kept
    assert layer.built and layer.input_shape == (None, 3)
    kernel = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]])
    layer.set_weights([kernel, np.array([0.5, -10.0])])
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(layer(x).data, [[5.5, 0.0]])  # relu(x @ kernel + bias)
    layer.build((None, 3))  # building is final: no new weights
    assert len(layer.weights) == 2
    np.testing.assert_array_equal(layer.get_weights()[0], kernel)
    with pytest.raises(ValueError, match=r"layer 'dense'.*built for input shape \(None, 3\)"):
        layer.build((None, 4))


def test_conv1d_build_then_set_weights():
    layer = nn.Conv1D(filters=1, kernel_size=2)
    layer.build((None, 3, 1))
    layer.set_weights([np.ones((2, 1, 1)), np.array([0.5])])
    out = layer(np.array([[[1.0], [2.0], [4.0]]])).data[..., 0]
    np.testing.assert_array_equal(out, [[3.5, 6.5]])  # neighbour sums + bias


def test_build_marks_a_layer_without_weights_built():
    layer = nn.Flatten()
    layer.build((None, 2, 3))
    assert layer.built and layer.input_shape == (None, 2, 3)


def test_set_weights_on_an_unbuilt_layer_names_the_layer():
    with pytest.raises(
        ValueError,
        match=r"set_weights: layer 'dense' is not built yet; call it on data or "
        r"build\(input_shape\) first",
    ):
        nn.Dense(2).set_weights([np.ones((3, 2)), np.ones(2)])


def test_activation_none_after_construction_is_linear():
    layer = nn.Dense(2, activation="relu", kernel_initializer="ones")
    layer.activation = None
    np.testing.assert_array_equal(layer(np.array([[-1.0, -2.0]])).data, [[-3.0, -3.0]])
    layer.activation = "relu"  # a name is resolved as in the constructor
    np.testing.assert_array_equal(layer(np.array([[-1.0, -2.0]])).data, [[0.0, 0.0]])


def test_a_single_callback_is_accepted_as_keras_3_does():
    epochs = []

    class Recorder(nn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            epochs.append(epoch)

    compiled().fit(X, Y, epochs=3, verbose=0, callbacks=Recorder())
    assert epochs == [0, 1, 2]


def test_verbose_auto_is_1(capsys):
    compiled().fit(X, Y, epochs=1, verbose="auto")
    assert capsys.readouterr().out.startswith("1/1 [==============================] - ")


def test_predict_and_evaluate_take_keras_printing_arguments(capsys):
    model = compiled()
    expected = model.predict(X)
    np.testing.assert_array_equal(model.predict(X, verbose=0, steps=None, callbacks=None), expected)
    np.testing.assert_array_equal(model.predict(X, batch_size=None), expected)  # None: 32
    loss = model.evaluate(X, Y)
    assert model.evaluate(X, Y, batch_size=None, verbose=0, steps=None, callbacks=None) == loss
    assert capsys.readouterr().out == ""
    model.predict(X, verbose="auto")
    assert capsys.readouterr().out.startswith("1/1 [==============================] - ")


def test_get_layer_out_of_range_has_keras_message():
    model = nn.Sequential([nn.Input(shape=(4,)), nn.Dense(5), nn.Dense(4), nn.Dense(3)])
    with pytest.raises(
        ValueError, match="Was asked to retrieve layer at index 99 but model only has 3 layers."
    ):
        model.get_layer(index=99)
    assert model.get_layer(index=-1) is model.layers[2]


def test_compile_without_optimizer_evaluates_but_fit_asks_for_one():
    model = compiled(optimizer=None)
    assert model.optimizer is None
    assert np.isfinite(model.evaluate(X, Y))
    with pytest.raises(
        ValueError, match="fit: model 'sequential' was compiled without an optimizer"
    ):
        model.fit(X, Y, verbose=0)


@pytest.mark.parametrize(
    "loss",
    [nn.losses.SparseCategoricalCrossentropy, nn.losses.sparse_categorical_crossentropy],
)
def test_a_loss_class_or_function_is_instantiated_as_keras_does(loss):
    model = compiled(loss=loss)
    assert isinstance(model.loss, nn.losses.SparseCategoricalCrossentropy)
    assert not model.loss.from_logits


def test_a_custom_layer_built_by_hand_keeps_its_set_weights():
    class Scale(nn.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", (input_shape[-1],), "ones")

        def call(self, x):
            return x * self.w

    class DenseWithOffset(nn.Dense):  # a build calling super().build is built once too
        def build(self, input_shape):
            super().build(input_shape)
            self.offset = self.add_weight("offset", (1,), "zeros")

    scale = Scale()
    scale.build((None, 2))
    scale.set_weights([np.array([2.0, 3.0])])
    np.testing.assert_array_equal(scale(np.ones((1, 2))).data, [[2.0, 3.0]])
    layer = DenseWithOffset(2)
    layer(np.ones((1, 3)))
    layer(np.ones((4, 3)))
    assert [w.name for w in layer.weights] == [
        "dense_with_offset/kernel",
        "dense_with_offset/bias",
        "dense_with_offset/offset",
    ]
