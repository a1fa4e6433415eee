"""Callbacks: what `fit` does besides training (history, progress bar, early stopping).

A callback overrides any of the hooks below; `fit` calls them through a `CallbackList`,
which always contains a `History` (returned by `fit`) and, with verbose > 0, a
`ProgbarLogger`. `self.model` is the model being trained; setting
`self.model.stop_training = True` ends training after the current batch or epoch.

    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch}: loss {logs['loss']:.3f}")
"""

from __future__ import annotations

import math
import sys
import time
import warnings
import weakref
from collections.abc import Callable, Iterable
from typing import Any, TextIO

import numpy as np

from .training import is_count


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

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """After each training batch; `logs` holds the running means of the epoch so far."""


class CallbackList:
    """Calls a hook on every callback. Batch hooks go only to callbacks that define one,
    so with verbose=0 a training step costs no callback work."""

    def __init__(self, callbacks: Iterable[Callback], model: Any, params: dict[str, Any]) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self.batch_callbacks = [
            c
            for c in self.callbacks
            if type(c).on_train_batch_end is not Callback.on_train_batch_end
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

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        for callback in self.batch_callbacks:
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


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    `mode='auto'` maximises accuracy-like monitors (names with 'acc' or 'auc', as tf.keras 2
    decides) and minimises everything else (losses, errors).
    With `restore_best_weights=True` the weights of the best epoch are put back at the end.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(
                f"EarlyStopping: monitor must be a name such as 'val_loss', got {monitor!r}"
            )
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float, np.number)):
            raise TypeError(f"EarlyStopping: min_delta must be a number, got {min_delta!r}")
        if not is_count(patience):
            raise ValueError(
                f"EarlyStopping: patience must be a non-negative integer, got {patience!r}"
            )
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.restore_best_weights = restore_best_weights
        maximise_auto = "acc" in monitor or "auc" in monitor
        minimise = mode == "min" or (mode == "auto" and not maximise_auto)
        self.sign = 1.0 if minimise else -1.0  # compare sign * value: smaller is better
        self.min_delta = abs(min_delta)

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = math.inf
        self.best_epoch = 0
        self.best_weights: list[np.ndarray] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            warnings.warn(
                f"EarlyStopping: metric {self.monitor!r} is not available; available metrics "
                f"are: {', '.join(logs)}",
                stacklevel=2,
            )
            return
        current = self.sign * logs[self.monitor]
        self.wait += 1
        if current + self.min_delta < self.best:
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


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
