"""Sequential: a stack of layers with Keras's compile / fit / evaluate / predict / summary.

The model only orchestrates. One training step reads top to bottom on one screen:
`train_step` (zero the gradients, `forward_backward`, the optimizer's step, the logs) and
`forward_backward` (the layers' forward pass with training=True, the loss, `backward()`);
`fit` records `forward_backward` once with `ag.trace` and replays it. Data checks and
batching are in `training.py`, the progress bar and history in `callbacks.py`, the table in
`summary.py`, files in `saving.py`.
"""

from __future__ import annotations

import math
import os
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from . import losses, optimizers, saving, training
from . import metrics as metrics_module
from .callbacks import Callback, CallbackList, History, Progbar, ProgbarLogger, callbacks_from
from .layers.base import (
    KerasTensor,
    Layer,
    MovingAverageUpdate,
    Shape,
    deferred_updates,
    unique_name,
)
from .layers.core import Input
from .summary import summary_text


class Sequential:
    """Layers applied one after the other: `model(x) = layers[-1](... layers[0](x))`.

    >>> import numpy as np, nn
    >>> nn.set_seed(1234)
    >>> model = nn.Sequential([nn.Input(shape=(2,)), nn.Dense(8, activation="tanh"), nn.Dense(1)])
    >>> model.compile(loss="mse", optimizer=nn.optimizers.Adam(learning_rate=0.05))
    >>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> history = model.fit(x, np.array([0, 1, 1, 0]), epochs=300, verbose=0)
    >>> bool(history.history["loss"][-1] < 0.01)
    True
    >>> model.predict(x).round().ravel()
    array([0., 1., 1., 0.], dtype=float32)
    """

    def __init__(
        self, layers: Sequence[Layer | Input] | None = None, name: str | None = None
    ) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise TypeError(f"Sequential: name must be a non-empty string, got {name!r}")
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(
                "Sequential: layers must be a list such as [Input(shape=(4,)), Dense(1)], "
                f"got {layers!r}"
            )
        self.name = name if name is not None else unique_name("sequential")
        self.layers: list[Layer] = []
        self.input_shape: Shape | None = None
        self._inputs: list[KerasTensor] = []  # the symbolic input and output, once built
        self._outputs: list[KerasTensor] = []
        self.built = False
        self.loss: losses.Loss | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.run_eagerly = False
        self._train_function: ag.trace | None = None
        self._state_updates: list[MovingAverageUpdate] = []  # what forward_backward returns
        self.metric_names: list[Any] = []
        self._metrics: list[tuple[str, Callable[..., np.ndarray]]] = []
        self.stop_training = False
        self.history: History | None = None
        for layer in layers or ():
            self.add(layer)

    def add(self, layer: Layer | Input) -> None:
        """Append a layer (an `Input` may only come first: it builds the model at once)."""
        if isinstance(layer, Input):
            if self.layers or self.input_shape is not None:
                raise ValueError(f"Sequential '{self.name}': Input must be the first entry")
            self._inputs = [layer]
            self.build(layer.shape)
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential '{self.name}': expected a layer such as Dense(...), got {layer!r}"
            )
        if any(other.name == layer.name for other in self.layers):
            raise ValueError(
                f"Sequential '{self.name}': all layers need unique names; '{layer.name}' is "
                "already used"
            )
        self.layers.append(layer)
        self._train_function = None  # a recorded step would not know the new layer
        if self.input_shape is not None:
            self.build(self.input_shape)

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create every layer's weights for inputs of `input_shape` (batch axis first), and
        the symbolic tensors between the layers (`model.input`, `layer.output`)."""
        if not isinstance(input_shape, (tuple, list)):
            raise TypeError(
                f"Sequential '{self.name}': build expects input_shape as a tuple with the batch "
                f"axis first, such as (None, 4), got {input_shape!r}"
            )
        shape = (None,) + tuple(input_shape)[1:]
        inputs = self._inputs[0] if self._inputs and self._inputs[0].shape == shape else None
        tensor = inputs = inputs or KerasTensor(shape)
        for layer in self.layers:
            tensor = layer(tensor)  # builds the layer; only shapes are computed
        self.input_shape = shape
        self._inputs, self._outputs = [inputs], [tensor]
        self.built = bool(self.layers)

    @property
    def output_shape(self) -> Shape:
        if not self.built:
            raise ValueError(f"Sequential '{self.name}' is not built yet")
        return tuple(self._outputs[0].shape)

    @property
    def inputs(self) -> list[KerasTensor]:
        """[the input KerasTensor], e.g. `model.inputs[0].shape == (None, 400)`."""
        if not self.built:
            raise AttributeError(f"Sequential model '{self.name}' has no defined inputs yet.")
        return list(self._inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        """[the output KerasTensor], e.g. `model.outputs[0].shape == (None, 10)`."""
        if not self.built:
            raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")
        return list(self._outputs)

    @property
    def input(self) -> KerasTensor:
        """The input KerasTensor (tf.keras 2's `model.input`; see README for Keras 3)."""
        return self._symbolic("input", self._inputs)

    @property
    def output(self) -> KerasTensor:
        """The output KerasTensor, the last layer's `output`."""
        return self._symbolic("output", self._outputs)

    def _symbolic(self, which: str, tensors: list[KerasTensor]) -> KerasTensor:
        if not self.built:
            raise AttributeError(  # Keras's words and type
                f"The layer {self.name} has never been called and thus has no defined {which}."
            )
        return tensors[0]

    def __call__(self, x: Any, training: bool | None = None) -> ag.Tensor:
        """The forward pass on a batch, recorded in the graph (unless inside `ag.no_grad()`).

        `training` goes to every layer, as in Keras: True in `fit` (Dropout drops units),
        False in `predict` and `evaluate`, None leaves each layer's own default (False)."""
        if not self.built:
            self.build(np.shape(x))
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    # --- layers and weights ----------------------------------------------------------------

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by index (wins if both are given) or by name, with Keras's messages."""
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise TypeError(f"get_layer: index must be an integer, got {index!r}")
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index at `get_layer`.")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name!r}. Existing layers are: {[layer.name for layer in self.layers]}"
        )

    @property
    def weights(self) -> list[ag.Tensor]:
        """Every layer's weights, layer by layer (each layer's trainable ones first), the
        order of `get_weights` and of Keras."""
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self) -> list[ag.Tensor]:
        """The weights the optimizer trains."""
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self) -> list[ag.Tensor]:
        """The weights layers update themselves (BatchNormalization's moving statistics)."""
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def get_weights(self) -> list[np.ndarray]:
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence):
            raise TypeError(
                f"set_weights: model '{self.name}' expects a list of arrays (as get_weights "
                f"returns), got {type(weights).__name__}"
            )
        weights = list(weights)
        if len(weights) != len(self.weights):
            raise ValueError(
                f"set_weights: model '{self.name}' has {len(self.weights)} weights, "
                f"got {len(weights)} arrays"
            )
        for layer in self.layers:
            count = len(layer.weights)
            layer.set_weights(weights[:count])
            weights = weights[count:]

    def save_weights(self, path: str | os.PathLike) -> None:
        """Save the weights to a `.npz` file atomically (see `nn.saving`)."""
        saving.save_weights(self, path)

    def load_weights(self, path: str | os.PathLike) -> None:
        """Load weights saved by `save_weights`, checking every name and shape."""
        self._require_built("load_weights")
        saving.load_weights(self, path)

    def summary(self, print_fn: Callable[[str], Any] = print) -> None:
        """Print the Keras-style table of layers, output shapes and parameter counts."""
        self._require_built("summary")
        for line in summary_text(self).splitlines():  # one call per line, as Keras
            print_fn(line)

    # --- training ----------------------------------------------------------------------------

    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] | None = None,
        run_eagerly: bool = False,
    ) -> None:
        """Choose the optimizer, the loss and the metrics (names or instances).

        As Keras compiles `train_step` into a graph, `fit` records `forward_backward` once
        (`ag.trace`) and replays it on every batch of the same shape; `run_eagerly=True`
        runs `forward_backward` itself for every batch (the same numbers, slower: a debugger
        steps through the layers on every batch).
        """
        if loss is None:
            raise ValueError(f"compile: model '{self.name}' needs a loss, e.g. loss='mse'")
        # None: no training (evaluate and predict only), as Keras; fit then says so
        self.optimizer = None if optimizer is None else optimizers.get(optimizer)
        self.loss = losses.get(loss)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(
                f"compile: metrics must be a list such as ['accuracy'], got {metrics!r}"
            )
        self.metric_names = list(metrics or [])
        self.run_eagerly = bool(run_eagerly)
        self._train_function = None  # recorded afresh by the next train_step
        for metric in self.metric_names:
            metrics_module.get(metric, self.loss, 0)  # fail now on an unknown name

    def train_step(self, x: ag.Tensor, y: ag.Tensor) -> dict[str, float]:
        """One optimisation step on a batch; returns the batch's loss and metrics.

        `forward_backward` runs through `ag.trace`: recorded on the first batch of each shape,
        replayed as numpy calls on later ones (with `compile(run_eagerly=True)`: run itself,
        every time, the same numbers)."""
        params = self.trainable_weights
        self.optimizer.zero_grad(params)
        if self._train_function is None:  # held weakly: the model holds the trace
            forward_backward = _weakly_bound(self.forward_backward)
            self._train_function = ag.trace(forward_backward, replay=not self.run_eagerly)
        # fills every parameter's .grad
        loss, y_pred, *statistics = self._train_function(x.data, y.data)
        self.optimizer.step(params)
        for update, value in zip(self._state_updates, statistics):
            update.apply(value)  # the moving statistics, from this batch's values
        return self._logs(loss, y.data, y_pred)

    def forward_backward(self, x: ag.Tensor, y: ag.Tensor) -> tuple[ag.Tensor, ...]:
        """The forward pass in training mode, the loss, and backpropagation into every
        trainable weight's `.grad`: what `fit` records once and replays on every batch.

        Returns the loss, the predictions and then the batch statistics that the layers'
        non-trainable weights follow (BatchNormalization's mean and variance), which
        `train_step` folds into those weights after the step (`self._state_updates` says
        how): the step itself changes nothing but `.grad`, so a replay of its ops is all of
        it."""
        with deferred_updates() as updates:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
        self._state_updates = [update for update, _ in updates]  # the same on every call
        return (loss, y_pred, *[value for _, value in updates])

    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: ag.Tensor | None = None
    ) -> ag.Tensor:
        """The compiled loss of predictions `y_pred` for targets `y`, a scalar Tensor (Keras's
        `compute_loss`; `x` is accepted for its signature and not used)."""
        return self.loss.compute(y, y_pred)

    def test_step(self, x: ag.Tensor, y: ag.Tensor) -> dict[str, float]:
        """The loss and metrics on a batch, without changing anything."""
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        return self._logs(loss.data, y.data, y_pred.data)

    def _logs(self, loss: np.ndarray, y: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
        logs = {"loss": float(loss)}
        for name, metric in self._metrics:
            logs[name] = float(metric(y, y_pred).mean())
        return logs

    def fit(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | Callback | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
    ) -> History:
        """Train for epochs `initial_epoch`..`epochs - 1` over (x, y) in batches of
        `batch_size` (None: 32); returns the `History`. verbose: "auto" (= 1), 0, 1 or 2;
        callbacks: a list, or one Callback."""
        batch_size = training.check_batch_size(batch_size, "fit")
        epochs, initial_epoch = training.check_epochs(epochs, initial_epoch)
        verbose = training.check_verbose(verbose, "fit")
        callbacks = callbacks_from(callbacks, "fit")
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"fit: shuffle must be True or False, got {shuffle!r}")
        x, y = self._prepare_data(x, y, "fit")
        if self.optimizer is None:
            raise ValueError(
                f"fit: model '{self.name}' was compiled without an optimizer, and training "
                "needs one: compile(optimizer='adam', loss=...)"
            )
        if validation_data is not None:
            x_val, y_val = self._prepare_data(
                *training.check_validation_data(validation_data), "fit (validation_data)"
            )
        elif validation_split:
            x, y, x_val, y_val = training.split_validation(x, y, validation_split)
        else:
            x_val = y_val = None
        history = History()
        progbar = [ProgbarLogger(verbose)] if verbose else []
        steps = math.ceil(len(x) / batch_size)
        params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        callback_list = CallbackList([*progbar, *callbacks, history], self, params)
        self.stop_training = False
        callback_list.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            callback_list.on_epoch_begin(epoch)
            means = training.RunningMeans()
            batches = training.batches(x, y, batch_size, shuffle)
            for step in range(steps):  # (enumerate(batches) would hold on to the last batch)
                xb, yb = next(batches)
                means.update(self.train_step(xb, yb), xb.shape[0])
                del xb, yb  # freed before the next batch is gathered (see training.batches)
                if callback_list.batch_callbacks:
                    callback_list.on_train_batch_end(step, means.result())
                    if self.stop_training:
                        break
            logs = means.result()
            if x_val is not None:
                val_logs = self._evaluate_arrays(x_val, y_val, batch_size)
                logs.update({f"val_{name}": value for name, value in val_logs.items()})
            callback_list.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        callback_list.on_train_end()
        self.history = history
        return history

    def evaluate(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        verbose: int | str = 0,
        steps: int | None = None,
        callbacks: None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The loss on (x, y), or [loss, metric, ...] when compiled with metrics, or
        {"loss": ..., "accuracy": ...} with `return_dict=True`.

        batch_size None means 32; verbose: "auto" (= 1), 0, 1 or 2. `steps` is accepted and,
        as Keras 3 does for arrays, every batch is used. `callbacks` must be None or empty
        (evaluation calls no callbacks yet)."""
        batch_size, verbose = self._inference_settings(
            batch_size, verbose, steps, callbacks, "evaluate"
        )
        if not isinstance(return_dict, (bool, np.bool_)):
            raise TypeError(f"evaluate: return_dict must be True or False, got {return_dict!r}")
        x, y = self._prepare_data(x, y, "evaluate")
        progbar = _progbar(len(x), batch_size, verbose)
        logs = self._evaluate_arrays(x, y, batch_size)
        if progbar is not None:
            progbar.update(progbar.target, logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: int | str = 0,
        steps: int | None = None,
        callbacks: None = None,
    ) -> np.ndarray:
        """The model's outputs as a numpy array, computed in batches without recording a graph.

        verbose, steps and callbacks as in `evaluate`."""
        self._require_layers("predict")
        batch_size, verbose = self._inference_settings(
            batch_size, verbose, steps, callbacks, "predict"
        )
        x = training.check_inputs(x, "predict", self.input_shape[-1] if self.built else None)
        self.build(x.shape)
        progbar = _progbar(len(x), batch_size, verbose)
        with ag.no_grad():
            batches = training.batches(x, None, batch_size)
            outputs = [self(xb, training=False).data for xb, _ in batches]
        if progbar is not None:
            progbar.update(progbar.target, {})
        return np.concatenate(outputs)

    # --- helpers -------------------------------------------------------------------------------

    def _evaluate_arrays(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict[str, float]:
        means = training.RunningMeans()
        with ag.no_grad():
            for xb, yb in training.batches(x, y, batch_size):
                means.update(self.test_step(xb, yb), xb.shape[0])
        return means.result()

    def _inference_settings(
        self, batch_size: Any, verbose: Any, steps: Any, callbacks: Any, caller: str
    ) -> tuple[int, int]:
        """evaluate's and predict's batch size and verbose, checked; steps must be None or a
        positive integer (ignored, as Keras 3 ignores it for arrays), callbacks None or []."""
        batch_size = training.check_batch_size(batch_size, caller)
        verbose = training.check_verbose(verbose, caller)
        if steps is not None and (not training.is_count(steps) or steps == 0):
            raise ValueError(f"{caller}: steps must be None or a positive integer, got {steps!r}")
        if callbacks_from(callbacks, caller):
            raise ValueError(
                f"{caller}: callbacks are not supported here yet; leave callbacks=None"
            )
        return batch_size, verbose

    def _prepare_data(self, x: Any, y: Any, caller: str) -> tuple[np.ndarray, np.ndarray]:
        """Check x and y once, build the model, and bring y into the loss's form."""
        if self.loss is None:
            raise RuntimeError(
                f"{caller}: you must compile the model before training or testing: "
                "model.compile(loss=..., optimizer=...)"
            )
        x = training.check_inputs(x, caller, self.input_shape[-1] if self.built else None)
        y = training.check_targets(y, x.shape[0], caller)
        self.build(x.shape)
        y = self.loss.prepare_targets(y, self.output_shape)
        units = self.output_shape[-1]
        self._metrics = [metrics_module.get(m, self.loss, units) for m in self.metric_names]
        return x, y

    def _require_built(self, caller: str) -> None:
        if not self.built:
            raise ValueError(
                f"{caller}: model '{self.name}' is not built yet: start it with "
                "Input(shape=(features,)), or call it on data first (e.g. fit)"
            )

    def _require_layers(self, caller: str) -> None:
        if not self.layers:
            raise ValueError(f"{caller}: model '{self.name}' has no layers")

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={[layer.name for layer in self.layers]}>"


def _progbar(samples: int, batch_size: int, verbose: int) -> Progbar | None:
    """evaluate's and predict's one-line progress bar, shown at the end (verbose 1 or 2)."""
    return Progbar(math.ceil(samples / batch_size), verbose) if verbose else None


def _weakly_bound(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` as a function that does not keep its object alive. The model holds its traced
    step; a step holding the model back would make a cycle, freed only by the cyclic garbage
    collector (with every weight and recorded array in it)."""
    method_ref = weakref.WeakMethod(method)

    def call(*args: Any) -> Any:
        return method_ref()(*args)

    return call
