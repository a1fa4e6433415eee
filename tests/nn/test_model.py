import gc
import io
import sys
import warnings
import weakref

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import Dense, Input, Sequential
from nn.losses import BinaryCrossentropy, SparseCategoricalCrossentropy
from nn.optimizers import Adam
from tests.numerics import assert_close, tolerance


def course_model(features=400):
    return Sequential(
        [
            Input(shape=(features,)),
            Dense(25, activation="relu", name="L1"),
            Dense(15, activation="relu", name="L2"),
            Dense(10, activation="linear", name="L3"),
        ],
        name="my_model",
    )


def blobs(m=300, features=6, classes=3, seed=0):
    """Separable clusters: class k is centred at 3 * e_k."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, m)
    x = rng.normal(size=(m, features)) + 3 * np.eye(classes, features)[y]
    return x, y


SUMMARY = """\
Model: "my_model"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 L1 (Dense)                  (None, 25)                10025     
                                                                 
 L2 (Dense)                  (None, 15)                390       
                                                                 
 L3 (Dense)                  (None, 10)                160       
                                                                 
=================================================================
Total params: 10,575
Trainable params: 10,575
Non-trainable params: 0
_________________________________________________________________
"""


def test_summary_is_the_course_era_table(capsys):
    course_model().summary()
    assert capsys.readouterr().out == SUMMARY


def test_summary_before_build_says_so():
    model = Sequential([Dense(3)])
    with pytest.raises(ValueError, match="not built yet"):
        model.summary()
    model(np.ones((2, 4)))
    lines = []
    model.summary(print_fn=lines.append)  # one call per line, as Keras does
    assert any("(None, 3)" in line for line in lines) and "Total params: 15" in lines
    assert lines[0] == f'Model: "{model.name}"' and len(lines) == 11


def test_layers_get_layer_weights_and_the_graph():
    model = course_model()
    assert [layer.name for layer in model.layers] == ["L1", "L2", "L3"]
    assert model.get_layer("L2") is model.layers[1] and model.get_layer(index=0).name == "L1"
    W1, b1 = model.get_layer("L1").get_weights()
    assert W1.shape == (400, 25) and b1.shape == (25,)
    assert [w.name for w in model.trainable_weights][:2] == ["L1/kernel", "L1/bias"]
    out = model(ag.Tensor(np.ones((2, 400))))
    assert isinstance(out, ag.Tensor) and out.requires_grad and out.shape == (2, 10)
    with pytest.raises(ValueError, match=r"No such layer: 'L9'.*\['L1', 'L2', 'L3'\]"):
        model.get_layer("L9")


def test_fit_learns_separable_classes_with_history_and_metrics():
    x, y = blobs()
    model = Sequential([Dense(16, activation="relu"), Dense(3)])
    model.compile(
        loss=SparseCategoricalCrossentropy(from_logits=True),
        optimizer=Adam(learning_rate=0.01),
        metrics=["accuracy"],
    )
    history = model.fit(x, y, epochs=15, verbose=0, validation_split=0.2)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 15 for v in history.history.values()) and history.epoch == list(range(15))
    assert history.params == {"verbose": 0, "epochs": 15, "steps": 8}
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9 and history.history["val_accuracy"][-1] > 0.9
    assert model.history is history
    loss, accuracy = model.evaluate(x, y)
    by_hand = SparseCategoricalCrossentropy(from_logits=True)(y, model.predict(x))
    assert loss == pytest.approx(float(by_hand), rel=1e-5)
    predicted = model.predict(x).argmax(axis=1)
    assert accuracy == pytest.approx(np.mean(predicted == y))
    logits = model.predict(x[:5])
    probs = nn.softmax(logits)
    assert probs.shape == (5, 3) and np.allclose(probs.sum(axis=1), 1, **tolerance(probs))


def test_epoch_loss_is_the_batch_size_weighted_mean_of_batch_losses():
    x, y = blobs(m=40)
    model = Sequential([Input(shape=(6,)), Dense(3)])
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="sgd")
    start = model.get_weights()
    losses = []
    probe = Sequential([Input(shape=(6,)), Dense(3)])
    probe.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="sgd")
    probe.set_weights(start)
    for lo, hi in ((0, 32), (32, 40)):  # the same steps, by hand
        probe.reset_metrics()  # train_step returns running means, since the last reset
        losses.append(
            probe.train_step(ag.Tensor(x[lo:hi], dtype=np.float32), ag.Tensor(y[lo:hi]))["loss"]
        )
    history = model.fit(x, y, batch_size=32, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(
        (32 * losses[0] + 8 * losses[1]) / 40, rel=1e-6
    )


def test_same_seed_gives_bit_identical_weights_and_history():
    x, y = blobs(m=100)

    def run():
        nn.set_seed(42)
        model = Sequential([Dense(8, activation="relu"), Dense(3)])
        model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer=Adam())
        history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
        return model.get_weights(), history.history["loss"]

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2 and all(np.array_equal(a, b) for a, b in zip(w1, w2))


def test_labels_of_shape_m_and_m_by_1_train_identically():
    x, y = blobs(m=64)
    results = []
    for labels in (y, y.reshape(-1, 1)):
        nn.set_seed(3)
        model = Sequential([Input(shape=(6,)), Dense(3)])
        model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer=Adam(0.01))
        results.append(model.fit(x, labels, epochs=2, verbose=0).history["loss"])
    assert results[0] == results[1]


def test_binary_classification_with_a_sigmoid_unit_and_m_labels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    model = Sequential([Dense(1, activation="sigmoid")])
    model.compile(loss=BinaryCrossentropy(), optimizer=Adam(0.05), metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    assert model.predict(x).shape == (200, 1)


def test_multi_label_classification():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 4))
    y = (x[:, :3] > 0).astype(np.float32)  # three independent yes/no labels
    model = Sequential([Dense(16, activation="relu"), Dense(3, activation="sigmoid")])
    model.compile(loss=BinaryCrossentropy(), optimizer=Adam(0.02), metrics=["binary_accuracy"])
    history = model.fit(x, y, epochs=30, verbose=0)
    assert history.history["binary_accuracy"][-1] > 0.93  # binary accuracy per label
    assert np.mean((model.predict(x) > 0.5) == y) > 0.93


def test_regression_with_mse():
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, size=(256, 1))
    y = 3 * x[:, 0] - 1
    model = Sequential([Dense(1)])
    model.compile(loss="mse", optimizer=Adam(0.1))
    model.fit(x, y, epochs=40, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    assert kernel[0, 0] == pytest.approx(3, abs=0.05) and bias[0] == pytest.approx(-1, abs=0.05)


def test_inputs_become_float32_and_integer_labels_stay_integers():
    model = Sequential([Dense(3)])
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
    model.fit(np.ones((4, 2), dtype=np.int64), np.array([0, 1, 2, 0]), verbose=0)
    assert model.predict(np.ones((1, 2), dtype=np.float64)).dtype == np.float32
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_initial_epoch_and_validation_data():
    x, y = blobs(m=64)
    model = Sequential([Dense(3)])
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
    history = model.fit(
        x, y, epochs=5, initial_epoch=3, validation_data=(x[:10], y[:10]), verbose=0
    )
    assert history.epoch == [3, 4] and len(history.history["val_loss"]) == 2
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[:10], y[:10]), rel=1e-6
    )


def test_progress_bar_when_output_is_not_a_terminal(capsys):
    x, y = blobs(m=100)
    model = Sequential([Dense(3)])
    model.compile(
        loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="adam", metrics=["accuracy"]
    )
    model.fit(x, y, epochs=2, batch_size=32)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert lines[1].startswith("4/4 [==============================] - 0s ")
    assert lines[1].split()[4].endswith("/step")
    assert lines[1].split(" - ")[2].startswith("loss: ") and " - accuracy: 0." in lines[1]


def test_progress_bar_on_a_terminal_updates_in_place(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(nn.callbacks.time, "perf_counter", iter(np.arange(0, 100, 0.1)).__next__)
    x, y = blobs(m=100)
    model = Sequential([Dense(3)])
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
    model.fit(x, y, epochs=1, batch_size=32)
    frames = terminal.getvalue().split("\r")[1:]
    assert [f.split(" [")[0] for f in frames] == ["1/4", "2/4", "3/4", "4/4"]
    assert frames[0].startswith("1/4 [======>.......................] - ETA: ")
    assert frames[-1].endswith("\n") and "Epoch" not in terminal.getvalue()


def test_the_bar_is_redrawn_in_a_notebook_but_not_when_ipykernel_is_merely_imported(monkeypatch):
    class NotebookStream(io.StringIO):  # what sys.stdout is inside a Jupyter kernel
        pass

    NotebookStream.__module__ = "ipykernel.iostream"
    import ipykernel  # noqa: F401  (imported, as the notebook tests do, yet output is a file)

    for stream, redrawn in ((NotebookStream(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stdout", stream)
        x, y = blobs(m=64)
        model = Sequential([Dense(3)])
        model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
        model.fit(x, y, epochs=1, batch_size=32)
        assert ("\r" in stream.getvalue()) == redrawn


def test_verbose_2_on_a_terminal_or_in_a_notebook_prints_whole_lines(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    x, y = blobs(m=64)
    model = Sequential([Dense(3)])
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
    model.fit(x, y, epochs=2, verbose=2)
    printed = terminal.getvalue()
    assert "\r" not in printed  # Keras redraws only the verbose=1 bar
    lines = printed.splitlines()
    assert [line[:9] for line in lines] == ["Epoch 1/2", "2/2 - 0s ", "Epoch 2/2", "2/2 - 0s "]


def test_verbose_2_prints_one_line_per_epoch(capsys):
    x, y = blobs(m=64)
    model = Sequential([Dense(3)])
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
    model.fit(x, y, epochs=1, verbose=2)
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("2/2 - 0s - loss: ") and "/epoch - " in line and line.endswith("/step")


def test_predict_in_batches_matches_the_graph_forward_and_records_nothing():
    model = course_model(features=8)
    x = np.random.default_rng(0).normal(size=(70, 8)).astype(np.float32)
    out = model.predict(x, batch_size=32)
    assert_close(out, model(x))
    with ag.no_grad():
        assert not model(x).requires_grad


def test_evaluate_prints_one_line_when_asked(capsys):
    x, y = blobs(m=64)
    model = Sequential([Dense(3)])
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
    loss = model.evaluate(x, y, verbose=1)
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("2/2 [==============================] - 0s ") and line.endswith(
        f"loss: {loss:.4f}"
    )


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_a_fitted_model_is_freed_without_the_cyclic_collector(run_eagerly):
    # the model holds its traced step and its History; neither may hold the model back
    model = course_model(features=6)
    model.compile(
        loss=SparseCategoricalCrossentropy(from_logits=True),
        optimizer="adam",
        run_eagerly=run_eagerly,
    )
    x, y = blobs(m=40)
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25)
    assert model.history.model is model  # the History still reaches its live model
    alive = weakref.ref(model)
    gc.collect()
    gc.disable()
    try:
        del model
        assert alive() is None
    finally:
        gc.enable()


def test_finite_data_whose_float32_sum_overflows_is_accepted_as_it_is():
    # fit clears x with one sum (finite only if every value is); a sum of finite values can
    # overflow, and then every value is tested: 3e38 + 3e38 is inf in float32
    from nn.training import check_inputs

    x = np.full((4, 2), 3e38, dtype=np.float32)
    checked = check_inputs(x, "fit")
    assert checked is x


@pytest.mark.parametrize(
    "values, count",
    [([np.inf, -np.inf], 2), ([np.nan, 1.0], 1), ([np.inf, 1.0], 1)],
    ids=["inf and -inf", "nan", "inf"],
)
def test_nan_and_inf_are_refused_by_the_sum_and_named_without_a_warning(values, count):
    # inf + -inf is NaN with numpy's "invalid value" warning, which must not reach the user
    from nn.training import check_inputs

    x = np.ones((3, 2), dtype=np.float32)
    x[1] = values
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"fit: x contains NaN or Inf \({count} values, "):
            check_inputs(x, "fit")


def test_shuffled_batches_are_the_rows_of_one_permutation_per_epoch():
    from nn.training import batches

    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    nn.set_seed(3)
    got = [(xb.data, yb.data) for xb, yb in batches((x, y), 4, shuffle=True)]
    nn.set_seed(3)
    order = ag.random_generator().permutation(10)
    assert [len(yb) for _, yb in got] == [4, 4, 2]
    for k, (xb, yb) in enumerate(got):
        rows = order[4 * k : 4 * k + 4]
        np.testing.assert_array_equal(xb, x[rows])
        np.testing.assert_array_equal(yb, y[rows])
        assert xb.flags.c_contiguous and xb.dtype == np.float32


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["replayed", "eager"])
def test_fit_lets_each_shuffled_batch_go_before_it_gathers_the_next(monkeypatch, run_eagerly):
    # a batch gathered while the previous one is alive gets fresh memory from the system on
    # every step (about 10% of a step on 5,000 samples): nothing may hold the last batch
    from nn import training

    gathered = []
    take_rows = training._rows

    def watched(a, rows):
        if a.ndim == 2:  # x (y's batch is gathered after x's, which is then alive)
            assert all(ref() is None for ref in gathered)
        batch = take_rows(a, rows)
        if a.ndim == 2:
            gathered.append(weakref.ref(batch.data))
        return batch

    monkeypatch.setattr(training, "_rows", watched)
    x, y = blobs(m=40)
    model = Sequential([Input(shape=(6,)), Dense(3)])
    model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), run_eagerly=run_eagerly)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert len(gathered) == 10


def test_a_float64_model_gets_float64_data_as_keras_casts_to_the_layers_dtype():
    # 1 + 1e-12 survives only in float64: cast to float32 first, the product would lose it
    model = Sequential([Input(shape=(2,)), Dense(1, use_bias=False, dtype="float64")])
    model.layers[0].set_weights([np.array([[1e12], [0.0]])])
    x = np.array([[1 + 1e-12, 3.0]])
    prediction = model.predict(x)
    assert prediction.dtype == np.float64
    assert prediction[0, 0] == (1 + 1e-12) * 1e12  # 1000000000001.0001, float64's product
    model.compile(loss="mse", optimizer="sgd")
    y = np.array([[1e12]])
    error = (1 + 1e-12) * 1e12 - 1e12  # 1.00012..., 0 in float32
    # the loss is computed in float64; the running mean keeps float32, as Keras's metrics do
    # (floatx), so the reported number is float32's rounding of it
    assert model.evaluate(x, y) == float(np.float32(error**2))
    weights = np.array([0.5])
    assert model.evaluate(x, y, sample_weight=weights) == float(np.float32(0.5 * error**2))
