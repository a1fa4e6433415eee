"""Regenerate `keras_callbacks.json`: Keras 3's callbacks driven by a recorded sequence of
epoch logs, for test_callbacks_more.py.

Every scenario in SCENARIOS runs its callbacks as Keras's `fit` calls them (train begin;
per epoch: epoch begin, the batch hooks, epoch end with the epoch's logs from EPOCH_LOGS;
stop when `model.stop_training` is set; train end) on a stand-in model: a real
`keras.optimizers.SGD` (whose learning rate the callbacks read and set), `metrics` holding a
BinaryAccuracy named "accuracy" (for mode="auto"), weights that are the epoch's number (to
see which epoch EarlyStopping restores), and `save`/`save_weights` that record the path.
Stored per scenario: the learning rate and the logs after every epoch, whether training was
stopped, what was printed, the warnings, the files saved, the weights restored and the CSV
file written.

The file also holds SCENARIOS, EPOCH_LOGS and BATCH_LOSSES, from which the tests drive nn's
callbacks the same way (only the two SCHEDULES, being code, are repeated there) and compare.

Needs Keras only to regenerate (the tests never import it):

    /tmp/tfvenv/bin/python tests/nn/data/make_keras_callbacks.py

Generated with tensorflow-cpu 2.21.0 / keras 3.15.1 (the versions are stored in the file).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.dirname(os.path.abspath(__file__))

EPOCH_LOGS = {
    "loss": [1.2, 0.9, 0.85, 0.8, 0.78, 0.77, 0.74, 0.7, 0.69, 0.68, 0.66, 0.65],
    "accuracy": [0.5, 0.6, 0.62, 0.62, 0.65, 0.64, 0.66, 0.7, 0.7, 0.71, 0.72, 0.72],
    "val_loss": [1.0, 0.8, 0.79995, 0.81, 0.8, 0.9, 0.85, 0.7, 0.7, 0.71, 0.69, 0.72],
    "val_accuracy": [0.55, 0.6, 0.61, 0.6, 0.6, 0.58, 0.62, 0.66, 0.655, 0.66, 0.67, 0.65],
}
BATCH_LOSSES = [1.0, 0.9, 0.8, 0.7]  # the batch logs of every epoch (times 1 / (epoch + 1))

SCHEDULES = {
    "step_decay": lambda epoch, lr: lr if epoch < 3 else lr * 0.9,
    "inverse": lambda epoch: 0.1 / (epoch + 1),
}

# name: callbacks ([class, arguments]), the initial learning rate and options: "val" (the
# logs have val_ keys), "batches" per epoch, "runs" (fits one after the other), "extra"
# (more logs), "epochs"
SCENARIOS = {
    "reduce_lr": {
        "callbacks": [
            [
                "ReduceLROnPlateau",
                {"factor": 0.5, "patience": 2, "min_lr": 0.002, "verbose": 1, "cooldown": 1},
            ]
        ],
        "lr": 0.01,
    },
    "reduce_lr_accuracy_auto": {
        "callbacks": [
            [
                "ReduceLROnPlateau",
                {
                    "monitor": "val_accuracy",
                    "factor": 0.2,
                    "patience": 1,
                    "min_delta": 0.01,
                    "verbose": 1,
                },
            ]
        ],
        "lr": 0.1,
    },
    "reduce_lr_loss_patience_0": {
        "callbacks": [
            [
                "ReduceLROnPlateau",
                {"monitor": "loss", "mode": "min", "factor": 0.3, "patience": 0, "min_delta": 0.03},
            ]
        ],
        "lr": 0.3,
    },
    "reduce_lr_missing_monitor": {
        "callbacks": [["ReduceLROnPlateau", {"patience": 1}]],
        "lr": 0.01,
        "val": False,
        "epochs": 3,
    },
    "scheduler_step_decay": {
        "callbacks": [["LearningRateScheduler", {"schedule": "step_decay", "verbose": 1}]],
        "lr": 0.05,
    },
    "scheduler_one_argument": {
        "callbacks": [["LearningRateScheduler", {"schedule": "inverse"}]],
        "lr": 0.05,
    },
    "early_stopping": {
        "callbacks": [
            [
                "EarlyStopping",
                {
                    "patience": 2,
                    "min_delta": 0.001,
                    "baseline": 0.95,
                    "start_from_epoch": 1,
                    "restore_best_weights": True,
                    "verbose": 1,
                },
            ]
        ],
        "lr": 0.01,
    },
    "early_stopping_accuracy_auto": {
        "callbacks": [["EarlyStopping", {"monitor": "val_accuracy", "patience": 1, "verbose": 1}]],
        "lr": 0.01,
    },
    "early_stopping_baseline_never_beaten": {
        "callbacks": [["EarlyStopping", {"patience": 3, "baseline": 0.5, "verbose": 1}]],
        "lr": 0.01,
    },
    "checkpoint_best": {
        "callbacks": [
            [
                "ModelCheckpoint",
                {
                    "filepath": "ckpt/w-{epoch:02d}-{val_loss:.2f}.weights.h5",
                    "save_best_only": True,
                    "save_weights_only": True,
                    "verbose": 1,
                },
            ]
        ],
        "lr": 0.01,
    },
    "checkpoint_every_epoch": {
        "callbacks": [
            [
                "ModelCheckpoint",
                {"filepath": "m-{epoch}-{val_accuracy:.3f}.keras", "monitor": "val_accuracy"},
            ]
        ],
        "lr": 0.01,
        "epochs": 4,
    },
    "checkpoint_best_accuracy_threshold": {
        "callbacks": [
            [
                "ModelCheckpoint",
                {
                    "filepath": "best.keras",
                    "monitor": "val_accuracy",
                    "save_best_only": True,
                    "initial_value_threshold": 0.62,
                    "verbose": 1,
                },
            ]
        ],
        "lr": 0.01,
    },
    "checkpoint_min_mode_accuracy": {
        "callbacks": [
            [
                "ModelCheckpoint",
                {
                    "filepath": "worst.keras",
                    "monitor": "accuracy",
                    "mode": "min",
                    "save_best_only": True,
                    "verbose": 1,
                },
            ]
        ],
        "lr": 0.01,
        "epochs": 5,
    },
    "checkpoint_batches": {
        "callbacks": [
            [
                "ModelCheckpoint",
                {
                    "filepath": "b-{epoch:02d}-{batch:03d}-{loss:.3f}.weights.h5",
                    "save_freq": 3,
                    "save_weights_only": True,
                    "verbose": 1,
                },
            ]
        ],
        "lr": 0.01,
        "batches": 4,
        "epochs": 4,
    },
    "checkpoint_missing_monitor": {
        "callbacks": [["ModelCheckpoint", {"filepath": "x.keras", "save_best_only": True}]],
        "lr": 0.01,
        "val": False,
        "epochs": 2,
    },
    "csv": {"callbacks": [["CSVLogger", {"filename": "log.csv"}]], "lr": 0.01},
    "csv_without_validation": {
        "callbacks": [["CSVLogger", {"filename": "log.csv"}]],
        "lr": 0.01,
        "val": False,
        "epochs": 3,
    },
    "csv_append_separator_lists": {
        "callbacks": [["CSVLogger", {"filename": "log.csv", "separator": ";", "append": True}]],
        "lr": 0.01,
        "runs": 2,
        "epochs": 3,
        "extra": {"precision": [0.5, 0.25], "note": "a;b"},
    },
    "csv_after_reduce_lr": {
        "callbacks": [
            ["ReduceLROnPlateau", {"patience": 1, "factor": 0.5}],
            ["CSVLogger", {"filename": "log.csv"}],
        ],
        "lr": 0.01,
    },
    "csv_before_reduce_lr": {
        "callbacks": [
            ["CSVLogger", {"filename": "log.csv"}],
            ["ReduceLROnPlateau", {"patience": 1, "factor": 0.5}],
        ],
        "lr": 0.01,
    },
}


def epoch_logs(scenario: dict, epoch: int) -> dict:
    logs = {
        key: values[epoch]
        for key, values in EPOCH_LOGS.items()
        if scenario.get("val", True) or not key.startswith("val_")
    }
    return {**logs, **scenario.get("extra", {})}


class StandIn:
    """What the callbacks use of a model."""

    def __init__(self, optimizer, metrics):
        self.optimizer = optimizer
        self.metrics = metrics
        self.stop_training = False
        self.epoch = 0
        self.saved = []
        self.restored = []

    def get_weights(self):
        return [[float(self.epoch)]]

    def set_weights(self, weights):
        self.restored.append([[float(v) for v in w] for w in weights])

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(["weights", filepath])

    def save(self, filepath, overwrite=True):
        self.saved.append(["model", filepath])


def drive(callbacks, model, scenario: dict) -> dict:
    """Call the hooks as Keras's fit does; record what happened after every epoch."""
    record = {"lr": [], "logs": [], "stop": []}
    epochs = scenario.get("epochs", len(EPOCH_LOGS["loss"]))
    for callback in callbacks:
        callback.set_model(model)
        callback.set_params({"epochs": epochs, "steps": scenario.get("batches", 0), "verbose": 0})
    model.stop_training = False
    for callback in callbacks:
        callback.on_train_begin({})
    for epoch in range(epochs):
        model.epoch = epoch
        for callback in callbacks:
            callback.on_epoch_begin(epoch, {})
        for batch, loss in enumerate(BATCH_LOSSES[: scenario.get("batches", 0)]):
            for callback in callbacks:
                callback.on_train_batch_begin(batch, {})
            for callback in callbacks:
                callback.on_train_batch_end(batch, {"loss": loss / (epoch + 1)})
        logs = epoch_logs(scenario, epoch)
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
        record["lr"].append(float(model.optimizer.learning_rate))
        record["logs"].append(logs)
        record["stop"].append(model.stop_training)
        if model.stop_training:
            break
    for callback in callbacks:
        callback.on_train_end({})
    return record


def run(keras, scenario: dict) -> dict:
    from keras.src.trainers.compile_utils import MetricsList

    metrics = [MetricsList([keras.metrics.BinaryAccuracy(name="accuracy")])]
    model = StandIn(keras.optimizers.SGD(learning_rate=scenario["lr"]), metrics)
    callbacks = []
    for cls, arguments in scenario["callbacks"]:
        arguments = dict(arguments)
        if "schedule" in arguments:
            arguments["schedule"] = SCHEDULES[arguments["schedule"]]
        callbacks.append(getattr(keras.callbacks, cls)(**arguments))
    out, records = io.StringIO(), []
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        for _ in range(scenario.get("runs", 1)):
            records.append(drive(callbacks, model, scenario))
    result = {key: [v for r in records for v in r[key]] for key in records[0]}
    csv_text = None
    if os.path.exists("log.csv"):
        with open("log.csv", newline="") as f:
            csv_text = f.read()
    result.update(
        stdout=out.getvalue(),
        # the callbacks' own warnings (not NumPy's deprecations inside TensorFlow)
        warnings=[str(w.message) for w in caught if w.category is UserWarning],
        saved=model.saved,
        restored=model.restored,
        csv=csv_text,
        attributes={
            name: getattr(callbacks[0], name)
            for name in ("stopped_epoch", "best_epoch", "wait", "best", "cooldown_counter")
            if isinstance(getattr(callbacks[0], name, None), (int, float))
        },
    )
    return result


def main() -> None:
    # imported here, not at the top: pytest's doctest collection imports this file
    import keras
    import tensorflow as tf

    results = {}
    for name, scenario in SCENARIOS.items():
        with tempfile.TemporaryDirectory() as folder:
            cwd = os.getcwd()
            os.chdir(folder)
            try:
                results[name] = run(keras, scenario)
            finally:
                os.chdir(cwd)
        print(name, results[name]["lr"][-1], len(results[name]["stop"]), results[name]["saved"][:2])
    out = {
        "versions": [tf.__version__, keras.__version__],
        "settings": {
            "epoch_logs": EPOCH_LOGS,
            "batch_losses": BATCH_LOSSES,
            "scenarios": SCENARIOS,
        },
        "results": results,
    }
    path = os.path.join(HERE, "keras_callbacks.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
