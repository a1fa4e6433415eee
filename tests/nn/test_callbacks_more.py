"""ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler, CSVLogger, LambdaCallback and
EarlyStopping against Keras 3.15.1's, driven by the same epoch logs (recorded by
data/make_keras_callbacks.py), plus their errors and their use in `fit`."""

import json
import os
import re
import warnings

import numpy as np
import pytest

import nn
from nn import Dense, Sequential
from nn.callbacks import (
    CallbackList,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)
from tests.numerics import assert_close

with open(os.path.join(os.path.dirname(__file__), "data", "keras_callbacks.json")) as f:
    REFERENCE = json.load(f)
SETTINGS = REFERENCE["settings"]

SCHEDULES = {  # as in the generator
    "step_decay": lambda epoch, lr: lr if epoch < 3 else lr * 0.9,
    "inverse": lambda epoch: 0.1 / (epoch + 1),
}


class StandIn:
    """What the callbacks use of a model (the generator's stand-in, with nn's parts)."""

    def __init__(self, learning_rate):
        self.optimizer = nn.optimizers.SGD(learning_rate=learning_rate)
        self.metrics = [nn.metrics.BinaryAccuracy(name="accuracy")]
        self.stop_training = False
        self.epoch = 0
        self.saved, self.restored = [], []

    def get_weights(self):
        return [[float(self.epoch)]]

    def set_weights(self, weights):
        self.restored.append(weights)

    def save_weights(self, path):
        self.saved.append(["weights", path])

    def save(self, path):
        self.saved.append(["model", path])


def epoch_logs(scenario, epoch):
    logs = {
        key: values[epoch]
        for key, values in SETTINGS["epoch_logs"].items()
        if scenario.get("val", True) or not key.startswith("val_")
    }
    return {**logs, **scenario.get("extra", {})}


def drive(callbacks, model, scenario):
    """The hooks in the order fit calls them, through nn's CallbackList."""
    record = {"lr": [], "logs": [], "stop": []}
    epochs = scenario.get("epochs", len(SETTINGS["epoch_logs"]["loss"]))
    batches = SETTINGS["batch_losses"][: scenario.get("batches", 0)]
    hooks = CallbackList(callbacks, model, {"epochs": epochs, "steps": len(batches), "verbose": 0})
    model.stop_training = False
    hooks.on_train_begin({})
    for epoch in range(epochs):
        model.epoch = epoch
        hooks.on_epoch_begin(epoch, {})
        for batch, loss in enumerate(batches):
            hooks.on_train_batch_begin(batch, {})
            hooks.on_train_batch_end(batch, {"loss": loss / (epoch + 1)})
        logs = epoch_logs(scenario, epoch)
        hooks.on_epoch_end(epoch, logs)
        record["lr"].append(float(model.optimizer.learning_rate))
        record["logs"].append(logs)
        record["stop"].append(model.stop_training)
        if model.stop_training:
            break
    hooks.on_train_end({})
    return record


NUMBER = re.compile(r"\d+\.\d+(?:e-?\d+)?")


def assert_same_text(ours, theirs, what):
    """The same text, but for the decimal numbers in it, which agree to float32's
    precision: Keras keeps the learning rate in a float32 variable and prints what it reads
    back (0.004999999888241291 where nn may print 0.005), and a rate multiplied by a factor
    several times then differs by a few float32 roundings."""
    assert NUMBER.split(ours) == NUMBER.split(theirs), what
    found = [np.float32([float(n) for n in NUMBER.findall(t)]) for t in (ours, theirs)]
    assert_close(found[0], found[1], err_msg=what)


@pytest.fixture
def run_scenario(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def run(name):
        scenario = SETTINGS["scenarios"][name]
        model = StandIn(scenario["lr"])
        callbacks = []
        for cls, arguments in scenario["callbacks"]:
            arguments = dict(arguments)
            if "schedule" in arguments:
                arguments["schedule"] = SCHEDULES[arguments["schedule"]]
            callbacks.append(getattr(nn.callbacks, cls)(**arguments))
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            records = [drive(callbacks, model, scenario) for _ in range(scenario.get("runs", 1))]
        result = {key: [v for r in records for v in r[key]] for key in records[0]}
        result["warnings"] = [str(w.message) for w in seen]
        result["stdout"] = capsys.readouterr().out
        result["saved"], result["restored"] = model.saved, model.restored
        csv_file = tmp_path / "log.csv"
        result["csv"] = csv_file.read_bytes().decode() if csv_file.exists() else None
        result["callback"] = callbacks[0]
        return result

    return run


@pytest.mark.parametrize("name", sorted(SETTINGS["scenarios"]))
def test_learning_rates_logs_and_stops_equal_keras(name, run_scenario):
    ours, keras = run_scenario(name), REFERENCE["results"][name]
    assert ours["stop"] == keras["stop"]
    assert_close(np.float32(ours["lr"]), np.float32(keras["lr"]), err_msg=name)
    for epoch, (mine, theirs) in enumerate(zip(ours["logs"], keras["logs"], strict=True)):
        assert list(mine) == list(theirs), f"{name}: the keys of epoch {epoch}'s logs"
        for key, value in theirs.items():
            if key == "learning_rate":
                assert_close(np.float32(mine[key]), np.float32(value), err_msg=f"{name} {epoch}")
            else:
                assert mine[key] == value
    for attribute, value in keras["attributes"].items():
        assert getattr(ours["callback"], attribute) == pytest.approx(value), attribute


@pytest.mark.parametrize("name", sorted(SETTINGS["scenarios"]))
def test_messages_files_and_csv_equal_keras(name, run_scenario):
    ours, keras = run_scenario(name), REFERENCE["results"][name]
    assert_same_text(ours["stdout"], keras["stdout"], f"{name}: what was printed")
    assert ours["warnings"] == keras["warnings"]
    assert ours["saved"] == keras["saved"]
    assert ours["restored"] == keras["restored"]
    assert (ours["csv"] is None) == (keras["csv"] is None)
    if keras["csv"] is not None:
        assert_same_text(ours["csv"], keras["csv"], f"{name}: the CSV file")


def small_model(learning_rate=0.05):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = (x @ np.float32([1.0, -2.0, 0.5]) > 0).astype(np.float32)
    model = Sequential([nn.Input(shape=(3,)), Dense(1, activation="sigmoid", name="out")])
    model.compile(loss="binary_crossentropy", optimizer=nn.optimizers.SGD(learning_rate))
    return model, x, y


def test_fit_with_checkpoints_writes_the_best_weights(tmp_path):
    model, x, y = small_model()
    path = tmp_path / "ckpt" / "w-{epoch:02d}-{val_loss:.3f}.npz"
    checkpoint = ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[checkpoint])
    names = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    losses = history.history["val_loss"]  # falling: every epoch is the best so far
    assert names == [f"w-{e + 1:02d}-{loss:.3f}.npz" for e, loss in enumerate(losses)]
    restored, _, _ = small_model()
    restored.load_weights(tmp_path / "ckpt" / names[-1])
    for a, b in zip(restored.get_weights(), model.get_weights(), strict=True):
        assert_close(a, b, exact=True)


def test_fit_with_reduce_lr_logs_the_learning_rate_and_lowers_it():
    model, x, y = small_model(learning_rate=0.05)
    # monitor the training loss in max mode: it never rises, so every later epoch is a plateau
    reduce = ReduceLROnPlateau(monitor="loss", mode="max", patience=0, factor=0.5)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[reduce])
    # each epoch logs the rate it trained with, then the rate is lowered for the next
    assert_close(np.float32(history.history["learning_rate"]), np.float32([0.05, 0.05, 0.025]))
    assert_close(np.float32(model.optimizer.learning_rate), np.float32(0.0125))


def test_fit_with_a_scheduler_trains_each_epoch_at_its_rate():
    rates = []
    model, x, y = small_model()
    scheduler = LearningRateScheduler(lambda epoch: 0.1 * 0.5**epoch)
    watch = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: rates.append(model.optimizer.learning_rate)
    )
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[scheduler, watch])
    assert_close(np.float32(rates), np.float32([0.1, 0.05, 0.025]))
    assert_close(np.float32(history.history["learning_rate"]), np.float32(rates))


def test_lambda_callback_hooks_are_called_in_fits_order():
    calls = []

    def recorder(name):  # records the hook's name and its arguments but the logs
        return lambda *args: calls.append((name, *args[:-1]))

    hooks = {
        name: recorder(name)
        for name in (
            "on_train_begin",
            "on_epoch_begin",
            "on_train_batch_begin",
            "on_train_batch_end",
            "on_epoch_end",
            "on_train_end",
        )
    }
    callback = LambdaCallback(**hooks)
    callbacks = CallbackList([callback], None, {"epochs": 1, "steps": 2})
    assert callbacks.batch_callbacks == [callback]  # hooks on the instance count too
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    for batch in range(2):
        callbacks.on_train_batch_begin(batch)
        callbacks.on_train_batch_end(batch, {"loss": 1.0})
    callbacks.on_epoch_end(0, {"loss": 1.0})
    callbacks.on_train_end()
    assert calls == [
        ("on_train_begin",),
        ("on_epoch_begin", 0),
        ("on_train_batch_begin", 0),
        ("on_train_batch_end", 0),
        ("on_train_batch_begin", 1),
        ("on_train_batch_end", 1),
        ("on_epoch_end", 0),
        ("on_train_end",),
    ]
    assert CallbackList([LambdaCallback(on_epoch_end=print)], None, {}).batch_callbacks == []


def test_a_csv_log_holds_every_finished_epoch_while_training_runs(tmp_path):
    logger = CSVLogger(tmp_path / "log.csv")
    callbacks = CallbackList([logger], None, {})
    callbacks.on_train_begin()
    callbacks.on_epoch_end(0, {"loss": 0.5})
    callbacks.on_epoch_end(1, {"loss": 0.25})
    # not ended (as after a crash): every line is already whole in the file
    text = (tmp_path / "log.csv").read_bytes().decode()
    assert text == "epoch,loss,val_loss\r\n0,0.5,NA\r\n1,0.25,NA\r\n"
    callbacks.on_train_end()
    assert logger.csv_file is None


def test_auto_mode_asks_the_models_metrics_and_refuses_to_guess():
    model = StandIn(0.1)
    callbacks = CallbackList([EarlyStopping(monitor="val_mae")], model, {})
    callbacks.on_train_begin()
    with pytest.raises(ValueError, match=r"EarlyStopping: cannot tell whether monitor='val_mae'"):
        callbacks.on_epoch_end(0, {"val_mae": 0.5})
    model.metrics.append(nn.metrics.MeanAbsoluteError(name="mae"))
    stopper = EarlyStopping(monitor="val_mae")
    callbacks = CallbackList([stopper], model, {})
    callbacks.on_train_begin()
    callbacks.on_epoch_end(0, {"val_mae": 0.5})
    assert stopper.monitor_op is np.less


@pytest.mark.parametrize(
    "make_bad, error, message",
    [
        (
            lambda: ModelCheckpoint("w.h5", save_weights_only=True),
            ValueError,
            r"save_weights_only=True the filepath must end in `.weights.h5` .* filepath=w.h5",
        ),
        (
            lambda: ModelCheckpoint("model.h5"),
            ValueError,
            r"ModelCheckpoint: the filepath must end in `.keras` .*received filepath=model.h5",
        ),
        (lambda: ModelCheckpoint(3), TypeError, r"ModelCheckpoint: filepath must be a path, got 3"),
        (
            lambda: ModelCheckpoint("m.keras", save_freq="batch"),
            ValueError,
            r"ModelCheckpoint: save_freq must be 'epoch' or a positive number of batches, got 'b",
        ),
        (
            lambda: ModelCheckpoint("m.keras", save_freq=0),
            ValueError,
            r"save_freq must be 'epoch' or a positive number of batches, got 0",
        ),
        (
            lambda: ModelCheckpoint("m.keras", mode="best"),
            ValueError,
            r"ModelCheckpoint: mode must be 'auto', 'min' or 'max', got 'best'",
        ),
        (
            lambda: ModelCheckpoint("m.keras", initial_value_threshold="0.5"),
            TypeError,
            r"ModelCheckpoint: initial_value_threshold must be a number, got '0.5'",
        ),
        (
            lambda: ReduceLROnPlateau(factor=1.0),
            ValueError,
            r"ReduceLROnPlateau: factor must be in \[0, 1\), got 1.0",
        ),
        (
            lambda: ReduceLROnPlateau(min_lr=-1e-3),
            ValueError,
            r"ReduceLROnPlateau: min_lr must be in \[0, inf\), got -0.001",
        ),
        (
            lambda: ReduceLROnPlateau(cooldown=-1),
            ValueError,
            r"ReduceLROnPlateau: cooldown must be a non-negative integer, got -1",
        ),
        (
            lambda: ReduceLROnPlateau(monitor=None),
            TypeError,
            r"ReduceLROnPlateau: monitor must be a name such as 'val_loss', got None",
        ),
        (
            lambda: EarlyStopping(start_from_epoch=1.5),
            ValueError,
            r"EarlyStopping: start_from_epoch must be a non-negative integer, got 1.5",
        ),
        (
            lambda: LearningRateScheduler(0.01),
            TypeError,
            r"LearningRateScheduler: schedule must be a function \(epoch, lr\) -> new lr, got 0.01",
        ),
        (
            lambda: CSVLogger("log.csv", separator=", "),
            ValueError,
            r"CSVLogger: separator must be one character, got ', '",
        ),
        (lambda: CSVLogger(None), TypeError, r"CSVLogger: filename must be a path, got None"),
        (
            lambda: LambdaCallback(on_epoch_end="print"),
            TypeError,
            r"LambdaCallback: on_epoch_end must be a function, got 'print'",
        ),
    ],
)
def test_bad_arguments_get_a_clear_error(make_bad, error, message):
    with pytest.raises(error, match=message):
        make_bad()


def test_bad_values_met_in_training_get_a_clear_error(tmp_path):
    model = StandIn(0.1)  # callbacks hold their model weakly
    scheduler = LearningRateScheduler(lambda epoch, lr: "fast")
    callbacks = CallbackList([scheduler], model, {})
    with pytest.raises(ValueError, match=r"the schedule must return a learning rate \(a float\), "):
        callbacks.on_epoch_begin(2)
    checkpoint = ModelCheckpoint(tmp_path / "w-{val_auc:.2f}.npz", save_weights_only=True)
    callbacks = CallbackList([checkpoint], model, {})
    with pytest.raises(
        KeyError, match=r"cannot format the filepath .*it names 'val_auc', and the "
    ):
        callbacks.on_epoch_end(0, {"loss": 0.5})
