"""Sequential: a stack of layers with Keras's compile / fit / evaluate / predict / summary.

The model only orchestrates. One training step reads top to bottom on one screen:
`train_step` (zero the gradients, `forward_backward`, the optimizer's step, the logs) and
`forward_backward` (the layers' forward pass with training=True, the loss, `backward()`);
`fit` records `forward_backward` once with `ag.trace` and replays it. Data checks and
batching are in `training.py`, the progress bar and history in `callbacks.py`, the table in
`summary.py`, files in `saving.py`.
"""

from __future__ import annotations

import json
import math
import os
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from . import keras_files, losses, onnx_export, optimizers, saving, serialization, training
from . import layers as layers_module
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
from .utils import check_flag, check_name


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
        check_name("Sequential", name)
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
        self.metric_names: list[Any] = []  # compile's metrics and weighted_metrics, as given
        self.weighted_metric_names: list[Any] = []
        # (metric, uses sample weights, its key in the logs)
        self._metrics: list[tuple[metrics_module.Metric, bool, str]] = []
        self._metrics_shape: Shape | None = None  # the output shape they were made for
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._compile_config: dict[str, Any] | None = None
        self.stop_training = False
        self.history: History | None = None
        self._trainable = True
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

    def pop(self) -> Layer:
        """Remove the last layer and return it; the model is rebuilt for its input shape
        (Keras's `pop`)."""
        if not self.layers:
            raise ValueError(f"pop: model '{self.name}' has no layers to remove")
        layer = self.layers.pop()
        self._train_function = None  # the recorded step ran through the removed layer
        self.built = False
        if self.input_shape is not None:
            self.build(self.input_shape)
        return layer

    @property
    def trainable(self) -> bool:
        """The model's own flag, as Keras's: setting it sets every layer's (False freezes
        them all, True unfreezes them all, a layer frozen by itself included). Freezing the
        layers one by one leaves it True; a frozen model trains no weight, not even those of
        a layer added after the freezing."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = check_flag("Sequential", "trainable", value)
        for layer in self.layers:
            layer.trainable = self._trainable

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
        """The weights the optimizer trains (none while the model is frozen)."""
        if not self._trainable:
            return []
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self) -> list[ag.Tensor]:
        """The weights layers update themselves (BatchNormalization's moving statistics),
        and every weight while the model is frozen."""
        if not self._trainable:
            return self.weights
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

    def save(self, filepath: str | os.PathLike, overwrite: bool = True) -> None:
        """Save the whole model to a `.keras` file, Keras 3's archive (architecture, compile
        settings, weights, optimizer state), atomically; `keras.models.load_model` and
        `nn.load_model` open it (see `nn.keras_files`; needs the `export` extra)."""
        keras_files.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str | os.PathLike, overwrite: bool = True) -> None:
        """Save the weights atomically: `*.weights.h5` in Keras 3's layout (with a compiled
        model's optimizer state), any other name in nn's own `.npz` archive (`nn.saving`)."""
        path = ag.check_path(filepath, "save_weights")
        if path.endswith(".weights.h5"):
            keras_files.save_weights_h5(self, filepath, overwrite=overwrite)
        elif path.endswith((".keras", ".h5", ".hdf5")):  # Keras's names, not nn's archive
            raise ValueError(
                f"save_weights: {path!r} names a Keras file, and any name but "
                "'*.weights.h5' gets nn's .npz archive: use 'name.weights.h5' (Keras's weights "
                "file), model.save('name.keras') (the whole model) or 'name.npz'"
            )
        elif keras_files.confirm_overwrite(filepath, overwrite, "save_weights"):
            saving.save_weights(self, filepath)

    def load_weights(self, filepath: str | os.PathLike) -> None:
        """Load weights written by `save_weights`, or by Keras 3 (`.weights.h5`, or the
        weights inside a `.keras` file); every name and shape is checked first, so a failed
        load changes nothing."""
        self._require_built("load_weights")
        if ag.check_path(filepath, "load_weights").endswith((".weights.h5", ".keras")):
            keras_files.load_weights_h5(self, filepath)
        else:
            saving.load_weights(self, filepath)

    def export(
        self,
        filepath: str | os.PathLike,
        format: str = "tf_saved_model",
        *,
        output_activation: str | None = None,
        opset_version: int = onnx_export.DEFAULT_OPSET,
    ) -> None:
        """Write the model for inference outside nn, Keras 3's call: `format="onnx"` writes
        an ONNX file that ONNX Runtime runs (see `nn.onnx_export`; needs the `export`
        extra); `output_activation="softmax"` or `"sigmoid"` appends that head to a model
        trained from logits. Keras's default, a TensorFlow SavedModel, is not written here."""
        if format != "onnx":
            raise ValueError(
                f"export: nn writes format='onnx' only, got format={format!r}: use "
                "model.export(path, format='onnx'), or model.save('model.keras') for Keras"
            )
        onnx_export.export_onnx(
            self, filepath, output_activation=output_activation, opset=opset_version
        )

    # --- configs ---------------------------------------------------------------------------

    def get_config(self) -> dict[str, Any]:
        """Keras 3's Sequential config: the name, the InputLayer's record (once the input
        shape is known) and every layer's record, JSON-ready (see `to_json`)."""
        records = [layers_module.serialize(layer) for layer in self.layers]
        if self.input_shape is not None:
            records.insert(0, layers_module.input_layer_record(self._inputs[0]))
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": layers_module.dtype_policy_record(np.dtype("float32")),
            "layers": records,
        }
        if self.input_shape is not None:
            config["build_input_shape"] = list(self.input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        """The model a `get_config` dict describes (Keras's or ours), built when it has an
        input, with fresh weights."""
        if not isinstance(config, dict) or "name" not in config or "layers" not in config:
            raise ValueError(
                "Sequential.from_config: a Sequential config is a dict with 'name' and "
                f"'layers' keys, got {config!r:.200}"
            )
        model = cls(name=config["name"])
        # the layers' records carry their own flags (Keras's from_config drops the model's,
        # so its round trip of a frozen model comes back trainable)
        model._trainable = check_flag(
            "Sequential.from_config", "trainable", config.get("trainable", True)
        )
        for record in config["layers"]:
            model.add(layers_module.deserialize(record))
        shape = config.get("build_input_shape")
        if not model.built and isinstance(shape, (list, tuple)) and model.layers:
            model.build(tuple(shape))
        return model

    def get_build_config(self) -> dict[str, Any] | None:
        """{"input_shape": [None, ...]} once built (Keras's `build_config`)."""
        return {"input_shape": list(self.input_shape)} if self.built else None

    def get_compile_config(self) -> dict[str, Any]:
        """compile's arguments as Keras 3 stores them: names stay names, objects become
        their config records; {} when the model is not compiled."""
        if self._compile_config is None:
            return {}
        config = dict(self._compile_config)
        config["optimizer"] = (
            optimizers.serialize(self.optimizer) if self.optimizer is not None else None
        )
        config["loss"] = _name_or_record(config["loss"], losses.serialize)
        for key in ("metrics", "weighted_metrics"):
            if config[key] is not None:
                config[key] = [_name_or_record(m, metrics_module.serialize) for m in config[key]]
        return config

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """compile(...) with the arguments a `get_compile_config` dict holds."""
        if config:
            self.compile(**config)

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture (and compile settings) as Keras 3's JSON, which
        `nn.models.model_from_json` and `keras.models.model_from_json` read; `kwargs` go to
        `json.dumps` (e.g. indent=2). Weights are not included: save them with
        `save_weights`."""
        return json.dumps(serialize(self), **kwargs)

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
        loss_weights: None = None,
        metrics: Sequence[Any] | None = None,
        weighted_metrics: Sequence[Any] | None = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: bool | str = "auto",
    ) -> None:
        """Choose the optimizer, the loss and the metrics (names, instances or config records).

        `metrics` ignore sample weights, `weighted_metrics` use them, as in Keras. As Keras
        compiles `train_step` into a graph, `fit` records `forward_backward` once
        (`ag.trace`) and replays it on every batch of the same shape; `run_eagerly=True`
        runs `forward_backward` itself for every batch (the same numbers, slower: a debugger
        steps through the layers on every batch). `steps_per_execution` and `jit_compile`
        are accepted for Keras's signature and change nothing here (there is no device to
        batch steps for, and the recording is the compiled form).
        """
        if loss is None:
            raise ValueError(f"compile: model '{self.name}' needs a loss, e.g. loss='mse'")
        if loss_weights is not None:
            raise ValueError(
                f"compile: loss_weights={loss_weights!r} is for models with several outputs; "
                f"model '{self.name}' has one: leave loss_weights=None"
            )
        if not training.is_count(steps_per_execution) or steps_per_execution == 0:
            raise ValueError(
                "compile: steps_per_execution must be a positive integer, got "
                f"{steps_per_execution!r}"
            )
        # None: no training (evaluate and predict only), as Keras; fit then says so
        self.optimizer = None if optimizer is None else optimizers.get(optimizer)
        self.loss = losses.get(loss)
        if getattr(self.loss, "reduction", "sum") in (None, "none"):
            raise ValueError(
                f"compile: the loss {type(self.loss).__name__}(reduction="
                f"{self.loss.reduction!r}) gives one value per sample, and training needs one "
                "number: use reduction='sum_over_batch_size' (the default) or 'sum'"
            )
        metric_lists = {}
        for argument, given in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if given is not None and not isinstance(given, (list, tuple)):
                raise TypeError(
                    f"compile: {argument} must be a list such as ['accuracy'], got {given!r}"
                )
            metric_lists[argument] = list(given or [])
        self.metric_names = metric_lists["metrics"]
        self.weighted_metric_names = metric_lists["weighted_metrics"]
        self.run_eagerly = bool(run_eagerly)
        self._compile_config = {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": None,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": self.run_eagerly,
            "steps_per_execution": int(steps_per_execution),
            "jit_compile": jit_compile,
        }
        self._train_function = None  # recorded afresh by the next train_step
        self._make_metrics()  # fail now on an unknown name

    def _make_metrics(self) -> None:
        """Fresh metric objects for the compiled names, (metric, uses sample weights), for
        the output shape (which decides what 'accuracy' means) once the model is built."""
        self._metrics_shape = self.output_shape if self.built else None
        self._loss_tracker = metrics_module.Mean(name="loss")
        made = [
            (metrics_module.get(identifier, self.loss, self._metrics_shape), weighted)
            for names, weighted in ((self.metric_names, False), (self.weighted_metric_names, True))
            for identifier in names
        ]
        self._metrics = [(metric, weighted, key) for (metric, weighted), key in _log_keys(made)]

    @property
    def metrics(self) -> list[metrics_module.Metric]:
        """The loss's running mean, then the compiled metrics (Keras's `model.metrics`);
        callbacks with mode="auto" read their `_direction`."""
        return [self._loss_tracker, *(metric for metric, _, _ in self._metrics)]

    def reset_metrics(self) -> None:
        """Start every metric, and the loss's running mean, from nothing (Keras's name)."""
        self._loss_tracker.reset_state()
        for metric, _, _ in self._metrics:
            metric.reset_state()

    def train_step(
        self, x: ag.Tensor, y: ag.Tensor, sample_weight: ag.Tensor | None = None
    ) -> dict[str, float]:
        """One optimisation step on a batch; returns the running loss and metrics of the epoch.

        `forward_backward` runs through `ag.trace`: recorded on the first batch of each shape,
        replayed as numpy calls on later ones (with `compile(run_eagerly=True)`: run itself,
        every time, the same numbers)."""
        params = self.trainable_weights
        self.optimizer.zero_grad(params)
        if self._train_function is None:  # held weakly: the model holds the trace
            forward_backward = _weakly_bound(self.forward_backward)
            self._train_function = ag.trace(forward_backward, replay=not self.run_eagerly)
        batch = (x, y) if sample_weight is None else (x, y, sample_weight)
        # fills every parameter's .grad
        loss, y_pred, *statistics = self._train_function(*[t.data for t in batch])
        if params:  # nothing to train takes no step, as Keras's apply of no gradients
            self.optimizer.step(params)
        for update, value in zip(self._state_updates, statistics):
            update.apply(value)  # the moving statistics, from this batch's values
        return self._update_metrics(loss, y.data, y_pred, sample_weight)

    def forward_backward(
        self, x: ag.Tensor, y: ag.Tensor, sample_weight: ag.Tensor | None = None
    ) -> tuple[ag.Tensor, ...]:
        """The forward pass in training mode, the loss, and backpropagation into every
        trainable weight's `.grad`: what `fit` records once and replays on every batch.

        Returns the loss, the predictions and then the batch statistics that the layers'
        non-trainable weights follow (BatchNormalization's mean and variance), which
        `train_step` folds into those weights after the step (`self._state_updates` says
        how): the step itself changes nothing but `.grad`, so a replay of its ops is all of
        it."""
        with deferred_updates() as updates:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
            if loss.requires_grad:  # not when every weight is frozen
                loss.backward()
        self._state_updates = [update for update, _ in updates]  # the same on every call
        return (loss, y_pred, *[value for _, value in updates])

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: ag.Tensor | None = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> ag.Tensor:
        """The compiled loss of predictions `y_pred` for targets `y` (weighted by
        `sample_weight`), plus every penalty in `self.losses` (the regularizers'), a scalar
        Tensor: Keras's `compute_loss` (`x` and `training` are accepted for its signature)."""
        if self.loss is None:
            raise ValueError(
                f"compute_loss: model '{self.name}' has no loss to compute: compile(loss=...) first"
            )
        loss = self.loss.compute(y, y_pred, sample_weight)
        for penalty in self.losses:  # summed in Keras's order: the loss, then each layer's
            loss = loss + penalty
        return loss

    @property
    def losses(self) -> list[ag.Tensor]:
        """The layers' penalties as scalar Tensors, in Keras's order: every layer's losses of
        its latest call (activity regularizers), then the weight penalties, computed from the
        current weights (Keras's `model.losses`); `compute_loss` adds them to the loss."""
        own = [penalty for layer in self.layers for penalty in layer._get_own_losses()]
        return own + [p for layer in self.layers for p in layer._get_regularization_losses()]

    def test_step(
        self, x: ag.Tensor, y: ag.Tensor, sample_weight: ag.Tensor | None = None
    ) -> dict[str, float]:
        """The loss and metrics on a batch, without changing anything (running means)."""
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
        return self._update_metrics(loss.data, y.data, y_pred.data, sample_weight)

    def _update_metrics(
        self, loss: np.ndarray, y: np.ndarray, y_pred: np.ndarray, sample_weight: Any
    ) -> dict[str, float]:
        """Fold a batch into the running loss (weighted by batch size, as Keras's loss
        tracker) and metrics; return all their results."""
        weights = None if sample_weight is None else sample_weight.data
        self._loss_tracker.update_state(loss, sample_weight=y.shape[0])
        logs = {"loss": self._loss_tracker.result()}
        for metric, weighted, key in self._metrics:
            metric.update_state(y, y_pred, sample_weight=weights if weighted else None)
            logs[key] = metric.result()
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
        validation_data: tuple[Any, ...] | None = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train for epochs `initial_epoch`..`epochs - 1` over (x, y) in batches of
        `batch_size` (None: 32); returns the `History`. verbose: "auto" (= 1), 0, 1 or 2;
        callbacks: a list, or one Callback.

        `sample_weight` (one weight per sample) multiplies each sample's loss; `class_weight`
        ({class: weight}) gives every sample of a class its weight. The batch loss stays
        sum(w * loss) / batch size, as Keras computes it. `validation_data` is (x_val, y_val)
        or (x_val, y_val, sample_weight_val)."""
        batch_size = training.check_batch_size(batch_size, "fit")
        epochs, initial_epoch = training.check_epochs(epochs, initial_epoch)
        verbose = training.check_verbose(verbose, "fit")
        callbacks = callbacks_from(callbacks, "fit")
        check_flag("fit", "shuffle", shuffle)
        data = self._prepare_data(x, y, sample_weight, "fit")
        if class_weight is not None and sample_weight is not None:
            raise ValueError(
                "fit: give class_weight or sample_weight, not both (as Keras); multiply them "
                "into one sample_weight instead"
            )
        if self.optimizer is None:
            raise ValueError(
                f"fit: model '{self.name}' was compiled without an optimizer, and training "
                "needs one: compile(optimizer='adam', loss=...)"
            )
        if validation_data is not None:
            validation = self._prepare_data(
                *training.check_validation_data(validation_data), "fit (validation_data)"
            )
        elif validation_split:
            data, validation = training.split_validation(data, validation_split)
        else:
            validation = None
        if class_weight is not None:  # the training part only, as Keras (after the split)
            x_train, y_train, _ = data
            weights = training.class_weight_to_sample_weight(y_train, class_weight, "fit")
            data = (x_train, y_train, weights.astype(self._data_dtypes()[1]))
        history = History()
        progbar = [ProgbarLogger(verbose)] if verbose else []
        steps = math.ceil(len(data[0]) / batch_size)
        params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        # Keras 3's order: the bar comes last, so it shows what callbacks add to the logs
        callback_list = CallbackList([*callbacks, history, *progbar], self, params)
        self.stop_training = False
        callback_list.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            batches = training.batches(data, batch_size, shuffle)
            for step in range(steps):  # (enumerate(batches) would hold on to the last batch)
                if callback_list.batch_callbacks:
                    callback_list.on_train_batch_begin(step)
                batch = next(batches)
                logs = self.train_step(*batch)
                del batch  # freed before the next batch is gathered (see training.batches)
                if callback_list.batch_callbacks:
                    callback_list.on_train_batch_end(step, logs)
                    if self.stop_training:
                        break
            if validation is not None:
                val_logs = self._evaluate_arrays(validation, batch_size)
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
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The loss on (x, y), or [loss, metric, ...] when compiled with metrics, or
        {"loss": ..., "accuracy": ...} with `return_dict=True`; `sample_weight` weighs each
        sample's loss (and the weighted metrics), as in `fit`.

        batch_size None means 32; verbose: "auto" (= 1), 0, 1 or 2. `steps` is accepted and,
        as Keras 3 does for arrays, every batch is used. `callbacks` must be None or empty
        (evaluation calls no callbacks yet)."""
        batch_size, verbose = self._inference_settings(
            batch_size, verbose, steps, callbacks, "evaluate"
        )
        check_flag("evaluate", "return_dict", return_dict)
        data = self._prepare_data(x, y, sample_weight, "evaluate")
        progbar = _progbar(len(data[0]), batch_size, verbose)
        logs = self._evaluate_arrays(data, batch_size)
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
        features = self.input_shape[-1] if self.built else None
        x = training.check_inputs(x, "predict", features, self._data_dtypes()[0])
        self.build(x.shape)
        progbar = _progbar(len(x), batch_size, verbose)
        with ag.no_grad():
            batches = training.batches((x,), batch_size)
            outputs = [self(xb, training=False).data for (xb,) in batches]
        if progbar is not None:
            progbar.update(progbar.target, {})
        return np.concatenate(outputs)

    # --- helpers -------------------------------------------------------------------------------

    def _evaluate_arrays(
        self, data: tuple[np.ndarray | None, ...], batch_size: int
    ) -> dict[str, float]:
        """The loss and metrics over (x, y, sample_weight) in batches (metrics start afresh)."""
        self.reset_metrics()
        logs: dict[str, float] = {}
        with ag.no_grad():
            for batch in training.batches(data, batch_size):
                logs = self.test_step(*batch)
        return logs

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

    def _prepare_data(
        self, x: Any, y: Any, sample_weight: Any, caller: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Check x, y and the sample weights once, build the model, and bring y into the
        loss's form."""
        if self.loss is None:
            raise RuntimeError(
                f"{caller}: you must compile the model before training or testing: "
                "model.compile(loss=..., optimizer=...)"
            )
        features = self.input_shape[-1] if self.built else None
        input_dtype, output_dtype = self._data_dtypes()
        x = training.check_inputs(x, caller, features, input_dtype)
        y = training.check_targets(y, x.shape[0], caller, output_dtype)
        sample_weight = training.check_sample_weight(
            sample_weight, x.shape[0], caller, output_dtype
        )
        self.build(x.shape)
        y = self.loss.prepare_targets(y, self.output_shape)
        if self._metrics_shape != self.output_shape:
            self._make_metrics()
        return x, y, sample_weight

    def _data_dtypes(self) -> tuple[np.dtype, np.dtype]:
        """The dtypes data is cast to, as Keras casts it: x to the first layer's, y and the
        sample weights to the last layer's (float32 unless the model is float64)."""
        if not self.layers:
            return np.dtype(np.float32), np.dtype(np.float32)
        return self.layers[0].dtype, self.layers[-1].dtype

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


def _log_keys(
    metrics: list[tuple[metrics_module.Metric, bool]],
) -> list[tuple[tuple[metrics_module.Metric, bool], str]]:
    """Each (metric, weighted) with its key in the logs, as Keras 3 names them: the metric's
    name; a name taken already gets `_1`, `_2`, ... for a metric, and `weighted_` (then the
    numbers) for a weighted metric, so `metrics=["accuracy"], weighted_metrics=["accuracy"]`
    logs `accuracy` and `weighted_accuracy`."""
    counts: dict[str, int] = {}
    keyed = []
    for metric, weighted in metrics:
        key = metric.name
        if key in counts and weighted:
            key = f"weighted_{metric.name}"
        if key in counts:
            counts[key] += 1
            key = f"{key}_{counts[key] - 1}"
        else:
            counts[key] = 1
        keyed.append(((metric, weighted), key))
    return keyed


def _name_or_record(identifier: Any, serialize_object: Callable[[Any], dict[str, Any]]) -> Any:
    """A compile argument as Keras stores it: a name as given, an object as its record."""
    if isinstance(identifier, (str, Mapping)):  # a record read from a file stays one
        return identifier
    return serialize_object(identifier)


def serialize(model: Sequential) -> dict[str, Any]:
    """The model's Keras 3 record: {"module": "keras", "class_name": "Sequential", "config",
    "registered_name", "build_config", "compile_config"}, as `keras.saving
    .serialize_keras_object` writes it."""
    record = serialization.serialize(model, "keras")
    build_config = model.get_build_config()
    if build_config is not None:
        record["build_config"] = build_config
    record["compile_config"] = model.get_compile_config()
    return record


def deserialize(record: dict[str, Any]) -> Sequential:
    """The model a `serialize` record (or a Keras 3 one) describes, built and compiled as
    recorded, with fresh weights."""
    model = serialization.deserialize(record, {"Sequential": Sequential}, "model")
    model.compile_from_config(record.get("compile_config") or {})
    return model


def model_from_json(json_string: str) -> Sequential:
    """The model `to_json` (ours or Keras 3's) describes, with fresh weights (Keras's
    `keras.models.model_from_json`)."""
    try:
        record = json.loads(json_string)
    except (TypeError, ValueError) as error:
        raise ValueError(f"model_from_json: not a JSON model description ({error})") from None
    return deserialize(record)


def load_model(filepath: str | os.PathLike, compile: bool = True) -> Sequential:
    """The model of a `.keras` file, ours or Keras 3's, compiled as saved, with its weights
    and optimizer state, so training continues where it stopped (`keras.models.load_model`;
    see `nn.keras_files`); `compile=False` skips the compile settings and optimizer state."""
    return keras_files.load_model(filepath, compile=compile)
