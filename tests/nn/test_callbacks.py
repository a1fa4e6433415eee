import numpy as np
import pytest

import nn
from nn import Dense, Sequential
from nn.callbacks import Callback, EarlyStopping, TerminateOnNaN


def model_and_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3))
    y = x @ np.array([1.0, -2.0, 0.5])
    model = Sequential([Dense(1)])
    model.compile(loss="mse", optimizer=nn.optimizers.SGD(learning_rate=0.05))
    return model, x, y


class Scripted(Callback):
    """Replaces the monitored value with a scripted sequence, to test the stopping rule."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]


def test_custom_callback_sees_every_epoch_end():
    model, x, y = model_and_data()
    seen = []

    class Recorder(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, logs["loss"]))

    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[Recorder()])
    assert [e for e, _ in seen] == [0, 1, 2]
    assert [loss for _, loss in seen] == history.history["loss"]


def test_early_stopping_waits_patience_epochs_after_the_best():
    model, x, y = model_and_data()
    values = [5.0, 4.0, 4.5, 4.2, 4.1, 3.0, 9.0]
    stopper = EarlyStopping(monitor="val_loss", patience=3)
    history = model.fit(x, y, epochs=7, verbose=0, callbacks=[Scripted(values), stopper])
    assert history.epoch == [0, 1, 2, 3, 4]  # best at epoch 1, three epochs without improvement
    assert stopper.stopped_epoch == 4


def test_early_stopping_min_delta_and_max_mode():
    model, x, y = model_and_data()
    stopper = EarlyStopping(monitor="val_loss", patience=1, min_delta=0.5)
    history = model.fit(
        x, y, epochs=5, verbose=0, callbacks=[Scripted([5.0, 4.8, 4.7, 1.0, 0.0]), stopper]
    )
    assert history.epoch == [0, 1]  # 4.8 is not better than 5.0 by more than 0.5

    model, x, y = model_and_data()
    stopper = EarlyStopping(monitor="val_loss", mode="max", patience=1)
    history = model.fit(
        x, y, epochs=5, verbose=0, callbacks=[Scripted([1.0, 2.0, 1.5, 3.0, 4.0]), stopper]
    )
    assert history.epoch == [0, 1, 2]


def test_early_stopping_restores_the_best_weights():
    model, x, y = model_and_data()
    snapshots = []

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.get_weights())

    values = [3.0, 1.0, 2.0, 2.5]
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[Snapshot(), Scripted(values), stopper])
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), snapshots[1]))
    assert not np.array_equal(model.get_weights()[0], snapshots[-1][0])


def test_early_stopping_warns_about_a_missing_metric():
    model, x, y = model_and_data()  # no validation data: no val_loss
    with pytest.warns(
        UserWarning,
        match="Early stopping conditioned on metric `val_loss` which is not available. "
        "Available metrics are: loss",
    ):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping()])


def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    model, x, y = model_and_data()
    model.compile(loss="mse", optimizer=nn.optimizers.SGD(learning_rate=1e6))  # diverges
    with np.errstate(over="ignore", invalid="ignore"):
        history = model.fit(
            x * 1e3, y, epochs=50, batch_size=8, verbose=0, callbacks=[TerminateOnNaN()]
        )
    out = capsys.readouterr().out
    assert "Invalid loss, terminating training" in out
    assert len(history.epoch) < 50
    assert not np.isfinite(history.history["loss"][-1])


def test_early_stopping_baseline_and_start_from_epoch():
    model, x, y = model_and_data()
    # epochs 0 and 1 are not watched; 3.0 and 2.5 improve but never beat the baseline 2.0,
    # so the count of epochs goes on (an improvement never stops training itself): 2.6 stops
    stopper = EarlyStopping(patience=2, baseline=2.0, start_from_epoch=2)
    values = [9.0, 9.0, 3.0, 2.5, 2.6, 1.0]
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[Scripted(values), stopper])
    assert history.epoch == [0, 1, 2, 3, 4]
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch) == (2.5, 3, 4)
