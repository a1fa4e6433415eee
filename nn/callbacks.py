"""Callbacks: what `fit` does besides training (history, progress bar, early stopping,
checkpoints, learning-rate changes, CSV logs).

A callback overrides any of the hooks below; `fit` calls them through a `CallbackList`,
which always contains a `History` (returned by `fit`) and, with verbose > 0, a
`ProgbarLogger`. `self.model` is the model being trained; setting
`self.model.stop_training = True` ends training after the current batch or epoch.

    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch}: loss {logs['loss']:.3f}")

`EarlyStopping`, `ModelCheckpoint` and `ReduceLROnPlateau` watch one value of the epoch logs
(`monitor`, e.g. "val_loss") and share how they judge it (`MonitorCallback`, as Keras's):
an epoch improves on the best so far when `current - min_delta < best` (mode "min") or
`current - min_delta > best` (mode "max", min_delta then counting upwards); mode "auto"
minimises losses and asks the model's metric of that name whether larger is better.
"""

from __future__ import annotations

import csv
import inspect
import io
import math
import numbers
import os
import sys
import time
import warnings
import weakref
from collections.abc import Callable, Iterable
from typing import Any, TextIO

import numpy as np

from .training import is_count
from .utils import check_number

Logs = dict[str, Any]


class Callback:
    """Base class: every hook does nothing. `logs` maps names ('loss', 'val_loss') to floats.

    `self.model` refers to the model weakly: the model keeps its `History`, and a History
    keeping the model would make a reference cycle.
    """

    _model_ref: Callable[[], Any] | None = None

    def __init__(self) -> None:
        self.model = None
        self.params: dict[str, Any] = {}

    @property
    def model(self) -> Any:
        """The model being trained (None before `fit`, or once the model is gone)."""
        return None if self._model_ref is None else self._model_ref()

    @model.setter
    def model(self, model: Any) -> None:
        self._model_ref = None if model is None else weakref.ref(model)

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Before the first epoch."""

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        """After the last epoch."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Before each epoch (epochs count from 0)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """After each epoch; `logs` holds the epoch means and the validation results."""

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Before each training batch (batches count from 0 in every epoch)."""

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """After each training batch; `logs` holds the running means of the epoch so far."""


BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end")


def _defines(callback: Callback, hook: str) -> bool:
    """Whether `callback` does something in `hook`: its class overrides it, or the instance
    holds its own (LambdaCallback)."""
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)


class CallbackList:
    """Calls a hook on every callback. Batch hooks go only to callbacks that define one
    (`batch_callbacks`, empty when none does), so with verbose=0 a training step costs no
    callback work."""

    def __init__(self, callbacks: Iterable[Callback], model: Any, params: dict[str, Any]) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self._by_hook = {
            hook: [c for c in self.callbacks if _defines(c, hook)] for hook in BATCH_HOOKS
        }
        self.batch_callbacks = [
            c for c in self.callbacks if any(_defines(c, hook) for hook in BATCH_HOOKS)
        ]

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        for callback in self._by_hook["on_train_batch_begin"]:
            callback.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        for callback in self._by_hook["on_train_batch_end"]:
            callback.on_train_batch_end(batch, logs)


def callbacks_from(callbacks: Any, caller: str) -> list[Callback]:
    """fit's `callbacks` as a list: None, one Callback (Keras accepts one too), or a list of
    them; anything else is refused naming the caller."""
    if callbacks is None:
        return []
    items = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    wrong = [c for c in items if not isinstance(c, Callback)]
    if wrong:
        hint = "; pass an instance: add ()" if isinstance(wrong[0], type) else ""
        raise TypeError(
            f"{caller}: callbacks must be a Callback or a list of them (such as "
            f"[EarlyStopping()]), got {wrong[0]!r}{hint}"
        )
    return items


class History(Callback):
    """Records the epoch logs: `history.history['loss']` is a list with one float per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)


class Progbar:
    """The course-era (tf.keras 2) progress line for `current` of `target` steps:

        63/63 [==============================] - 0s 941us/step - loss: 0.8368

    On a terminal the line is redrawn in place (at most every 0.05 s); elsewhere only the
    finished line is printed. verbose=2 prints
    `63/63 - 0s - loss: 0.8368 - 59ms/epoch - 941us/step`.
    """

    width = 30

    def __init__(self, target: int, verbose: int = 1, stream: TextIO | None = None) -> None:
        self.target = target
        self.verbose = verbose
        self.stream = stream if stream is not None else sys.stdout
        self.dynamic = _is_interactive(self.stream)
        self.start = time.perf_counter()
        self.last_draw = 0.0
        self.drawn_width = 0

    def update(self, current: int, values: dict[str, float]) -> None:
        """Show progress after `current` steps; the line ends when current == target."""
        now = time.perf_counter()
        finished = current >= self.target
        if not finished and (not self.dynamic or self.verbose != 1 or now - self.last_draw < 0.05):
            return
        self.last_draw = now
        if self.verbose == 2:
            line = self._verbose2_line(current, values, now - self.start)
        else:
            line = self._bar(current) + self._timing(current, now - self.start) + _metrics(values)
        if self.dynamic and self.verbose == 1:  # verbose=2 prints whole lines, as Keras
            padding = " " * max(0, self.drawn_width - len(line))
            self.stream.write("\r" + line + padding)
            self.drawn_width = len(line)
        else:
            self.stream.write(line)
        if finished:
            self.stream.write("\n")
        self.stream.flush()

    def _bar(self, current: int) -> str:
        digits = len(str(self.target))
        done = int(self.width * current / self.target)
        arrow = "=" * (done - 1) + (">" if current < self.target else "=") if done > 0 else ""
        return f"{current:{digits}d}/{self.target} [{arrow}{'.' * (self.width - done)}]"

    def _timing(self, current: int, elapsed: float) -> str:
        if current < self.target:
            return f" - ETA: {_format_eta(elapsed / current * (self.target - current))}"
        return f" - {elapsed:.0f}s{_format_time(elapsed / current, 'step')}"

    def _verbose2_line(self, current: int, values: dict[str, float], elapsed: float) -> str:
        return (
            f"{current}/{self.target} - {elapsed:.0f}s{_metrics(values)} -"
            f"{_format_time(elapsed, 'epoch')} -{_format_time(elapsed / current, 'step')}"
        )


class ProgbarLogger(Callback):
    """Prints `Epoch i/N` (when N > 1) and a `Progbar` line per epoch (fit's verbose=1 or 2)."""

    def __init__(self, verbose: int = 1, stream: TextIO | None = None) -> None:
        super().__init__()
        self.verbose = verbose
        self.stream = stream
        self.progbar: Progbar | None = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        stream = self.stream if self.stream is not None else sys.stdout
        if self.params["epochs"] > 1:
            stream.write(f"Epoch {epoch + 1}/{self.params['epochs']}\n")
        self.progbar = Progbar(self.params["steps"], self.verbose, stream)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if batch + 1 < self.params["steps"]:  # the last step is shown with the validation logs
            self.progbar.update(batch + 1, logs or {})

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.progbar.update(self.params["steps"], logs or {})


class MonitorCallback(Callback):
    """Base of the callbacks that watch one value of the epoch logs, `monitor` (Keras's
    MonitorCallback): `_is_improvement(current, reference)` is
    `current - min_delta < reference` in mode "min" and `current - min_delta > reference`
    with min_delta counted upwards in mode "max" (no reference yet: an improvement).

    Mode "auto" is decided at the first comparison, when the model's metrics exist: "loss"
    and "val_loss" are minimised; another name is looked up in `model.metrics`, whose
    `_direction` ("up" or "down") says which way is better; a name that cannot be decided
    is an error asking for mode="min" or "max", as in Keras 3 (which decides at the first
    epoch's end, compared or not).
    """

    def __init__(
        self, monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0
    ) -> None:
        super().__init__()
        kind = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"{kind}: monitor must be a name such as 'val_loss', got {monitor!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{kind}: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.mode = mode
        self.best: float | None = None
        self.min_delta = abs(check_number(kind, "min_delta", min_delta))
        self.monitor_op: Callable[[Any, Any], Any] | None = None

    def _set_monitor_op(self) -> None:
        maximise = self.mode == "max" or (self.mode == "auto" and self._larger_is_better())
        self.monitor_op = np.greater if maximise else np.less
        if not maximise:
            self.min_delta = -self.min_delta

    def _larger_is_better(self) -> bool:
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return False
        for metric in getattr(self.model, "metrics", None) or []:
            direction = getattr(metric, "_direction", None)
            if getattr(metric, "name", None) == name and direction in ("up", "down"):
                return direction == "up"
        raise ValueError(
            f"{type(self).__name__}: cannot tell whether monitor={self.monitor!r} should be "
            f"maximized or minimized (the model has no metric {name!r} that says); pass "
            "mode='max' to keep the highest value, or mode='min' for the lowest"
        )

    def _is_improvement(self, current: float, reference: float | None) -> bool:
        if self.monitor_op is None:
            self._set_monitor_op()
        return reference is None or bool(self.monitor_op(current - self.min_delta, reference))

    def _monitored(self, logs: Logs | None, warning: str) -> float | None:
        """The monitored value in `logs`, or None after warning `warning` (Keras's words,
        with `{available}` standing for the names the logs hold)."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(warning.format(available=",".join(logs or {})), stacklevel=3)
        return value


class EarlyStopping(MonitorCallback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    Epochs before `start_from_epoch` are not watched. With a `baseline`, the count of epochs
    without improvement restarts only on an improvement that also beats the baseline. With
    `restore_best_weights=True` the weights of the best epoch are put back at the end.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        for name, value in (("patience", patience), ("start_from_epoch", start_from_epoch)):
            if not is_count(value):
                raise ValueError(
                    f"EarlyStopping: {name} must be a non-negative integer, got {value!r}"
                )
        self.patience = patience
        self.verbose = verbose
        self.baseline = (
            None if baseline is None else check_number("EarlyStopping", "baseline", baseline)
        )
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights: list[np.ndarray] | None = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = self._monitored(
            logs,
            f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
            "Available metrics are: {available}",
        )
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(MonitorCallback):
    """Save the model (`model.save`) or its weights (`model.save_weights`) every epoch, or
    every `save_freq` batches, to `filepath` formatted with the epoch (from 1) and the logs:
    `"w-{epoch:02d}-{val_loss:.2f}.weights.h5"` (a batch-wise save may also use `{batch}`,
    from 1). With `save_best_only=True` a file is written only when `monitor` improves on
    the best so far (or on `initial_value_threshold`). The model writes each file whole (a
    temporary file renamed over the target), so a crash never leaves half a checkpoint.

    The filepath ends in `.keras` for the whole model, or with `save_weights_only=True` in
    `.weights.h5` (Keras's weights format) or `.npz` (nn's); with verbose=1 each decision is
    printed in Keras's words.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode)
        if initial_value_threshold is not None:
            self.best = check_number(
                "ModelCheckpoint", "initial_value_threshold", initial_value_threshold
            )
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: filepath must be a path, got {filepath!r}")
        self.filepath = os.fspath(filepath)
        if save_weights_only and not self.filepath.endswith((".weights.h5", ".npz")):
            raise ValueError(
                "ModelCheckpoint: with save_weights_only=True the filepath must end in "
                "`.weights.h5` (Keras weights format) or `.npz`; received "
                f"filepath={self.filepath}"
            )
        if not save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError(
                "ModelCheckpoint: the filepath must end in `.keras` (Keras model format), or "
                "pass save_weights_only=True for a weights file (`.weights.h5` or `.npz`); "
                f"received filepath={self.filepath}"
            )
        if save_freq != "epoch" and (not is_count(save_freq) or save_freq == 0):
            raise ValueError(
                "ModelCheckpoint: save_freq must be 'epoch' or a positive number of batches, "
                f"got {save_freq!r}"
            )
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq != "epoch" and self._count_batch(batch):
            self._save_model(self._current_epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs or {})

    def _count_batch(self, batch: int) -> bool:
        """Whether `save_freq` batches have passed since the last save (across epochs)."""
        new_epoch = self._last_batch_seen is None or batch <= self._last_batch_seen
        self._batches_seen_since_last_saving += (
            batch + 1 if new_epoch else batch - self._last_batch_seen
        )
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: Logs) -> None:
        path = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {path}")

    def _should_save(self, epoch: int, logs: Logs, path: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=4)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _file_path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        numbers = {"epoch": epoch + 1}
        if batch is not None and "batch" not in logs:
            numbers["batch"] = batch + 1
        try:
            return self.filepath.format(**numbers, **logs)
        except KeyError as error:
            raise KeyError(
                f"ModelCheckpoint: cannot format the filepath {self.filepath!r}: it names "
                f"{error}, and the logs hold only {', '.join([*numbers, *logs])}"
            ) from None


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the optimizer's learning rate by `factor` when `monitor` has not improved by
    more than `min_delta` for `patience` epochs, never below `min_lr`; then wait `cooldown`
    epochs before counting again. Adds the learning rate to the epoch logs
    (`history.history["learning_rate"]`), as Keras 3 does.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.factor = _in_range("ReduceLROnPlateau", "factor", factor, 0.0, 1.0)
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if not is_count(value):
                raise ValueError(
                    f"ReduceLROnPlateau: {name} must be a non-negative integer, got {value!r}"
                )
        self.min_lr = _in_range("ReduceLROnPlateau", "min_lr", min_lr, 0.0, math.inf)
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _learning_rate(self.model.optimizer)
        current = self._monitored(
            logs,
            f"Learning rate reduction is conditioned on metric `{self.monitor}` which is "
            "not available. Available metrics are: {available}.",
        )
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter, self.wait = self.cooldown, 0

    def _reduce(self, epoch: int) -> bool:
        """Lower the learning rate unless it is at `min_lr` already (judged in float32, the
        precision Keras keeps the rate in)."""
        optimizer = self.model.optimizer
        old = _learning_rate(optimizer)
        if not np.float32(old) > np.float32(self.min_lr):
            return False
        new = max(old * self.factor, self.min_lr)
        optimizer.learning_rate = new
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
        return True


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch to `schedule(epoch, lr)`
    (epochs from 0, lr the current rate), or `schedule(epoch)` for a function of one
    argument. Adds the learning rate to the epoch logs, as Keras 3 does.

    >>> halve_after_5 = LearningRateScheduler(lambda epoch, lr: lr if epoch < 5 else lr / 2)
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "LearningRateScheduler: schedule must be a function (epoch, lr) -> new lr, "
                f"got {schedule!r}"
            )
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _accepts(schedule, 2)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = self.model.optimizer
        if self._takes_lr:
            value = self.schedule(epoch, _learning_rate(optimizer))
        else:
            value = self.schedule(epoch)
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
        ):
            raise ValueError(
                "LearningRateScheduler: the schedule must return a learning rate (a float), "
                f"got {value!r} for epoch {epoch}"
            )
        optimizer.learning_rate = float(value)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {value}.")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = _learning_rate(self.model.optimizer)


class CSVLogger(Callback):
    """Write one line per epoch to a CSV file, with Keras's layout: a header `epoch` and the
    log names sorted (plus `val_` names, "NA" until validation runs, when the first epoch has
    none), `separator` between fields, "\\r\\n" line ends (the csv module's). `append=True`
    adds to an existing file (its header is not repeated).

    Each line is written whole and flushed, so a crash leaves only complete lines.
    """

    def __init__(
        self, filename: str | os.PathLike, separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"CSVLogger: filename must be a path, got {filename!r}")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"CSVLogger: separator must be one character, got {separator!r}")
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys: list[str] | None = None
        self.csv_file: TextIO | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.append_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as existing:
                self.append_header = not existing.readline()
        if self.csv_file is not None:
            self.csv_file.close()
        # open until training ends, as Keras keeps it; every line is flushed whole
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        lines = []
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
            if self.append_header:
                lines.append(self._line(["epoch", *self.keys]))
        lines.append(self._line([epoch, *(_csv_value(logs.get(key, "NA")) for key in self.keys)]))
        self.csv_file.write("".join(lines))
        self.csv_file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.csv_file is not None:
            self.csv_file.close()
            self.csv_file = None

    def _line(self, fields: list[Any]) -> str:
        text = io.StringIO()
        csv.writer(text, delimiter=self.sep).writerow(fields)
        return text.getvalue()


class LambdaCallback(Callback):
    """A callback made of functions, for one-off needs: each given hook is called with the
    same arguments as the method it replaces, `(epoch, logs)`, `(batch, logs)` or `(logs)`.

    >>> show = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(
        self,
        on_epoch_begin: Callable[[int, Logs], Any] | None = None,
        on_epoch_end: Callable[[int, Logs], Any] | None = None,
        on_train_begin: Callable[[Logs], Any] | None = None,
        on_train_end: Callable[[Logs], Any] | None = None,
        on_train_batch_begin: Callable[[int, Logs], Any] | None = None,
        on_train_batch_end: Callable[[int, Logs], Any] | None = None,
    ) -> None:
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for hook, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback: {hook} must be a function, got {function!r}")
            setattr(self, hook, function)


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


def _learning_rate(optimizer: Any) -> float:
    return float(optimizer.learning_rate)


def _in_range(owner: str, argument: str, value: Any, low: float, high: float) -> float:
    """`value` as a float in [low, high), or an error naming `owner` and `argument`."""
    number = check_number(owner, argument, value)
    if not low <= number < high:
        raise ValueError(f"{owner}: {argument} must be in [{low:g}, {high:g}), got {value!r}")
    return number


def _accepts(function: Callable[..., Any], count: int) -> bool:
    """Whether `function` can be called with `count` positional arguments."""
    try:
        inspect.signature(function).bind(*range(count))
    except TypeError:
        return False
    except ValueError:  # no signature to read (some builtins): Keras's first try is two
        return count == 2
    return True


def _csv_value(value: Any) -> Any:
    """A log value as Keras's CSVLogger writes it: a list or array as "[a, b]" in quotes."""
    if isinstance(value, str) or not isinstance(value, Iterable) or np.ndim(value) == 0:
        return value
    return f'"[{", ".join(map(str, value))}]"'


def _is_interactive(stream: TextIO) -> bool:
    """A terminal, or a Jupyter notebook's output (ipykernel's stream), where `\r` redraws the
    line. (Keras asks whether ipykernel is imported at all; that is also true in a test run
    that imports it, whose output is a file.)"""
    in_notebook = type(stream).__module__.startswith("ipykernel")
    return in_notebook or (hasattr(stream, "isatty") and stream.isatty())


def _metrics(values: dict[str, float]) -> str:
    return "".join(
        f" - {name}: {value:.4f}" if abs(value) > 1e-3 else f" - {name}: {value:.4e}"
        for name, value in values.items()
    )


def _format_time(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


def _format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds) // 3600}:{(int(seconds) % 3600) // 60:02d}:{int(seconds) % 60:02d}"
    if seconds > 60:
        return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"
    return f"{int(seconds)}s"
