"""The Layer base class: automatic names, building on first call, weights, name scopes;
and `KerasTensor`, the symbolic tensor (a shape, no values) between the layers of a model.

A subclass writes `build(input_shape)` (create weights with `add_weight`), `call(x)` (the
forward pass, made of engine ops; `call(x, training=False)` for a layer that behaves
differently in training, such as Dropout) and `compute_output_shape(input_shape)`.

Weights are trainable (the optimizer moves them) or not (`add_weight(..., trainable=False)`:
state such as BatchNormalization's moving statistics, which the layer itself updates with
`update_moving_average`, and which `save_weights` and `get_weights` still include). Setting
`layer.trainable = False` freezes a layer: all its weights become non-trainable, as in Keras.

Every layer takes Keras's base arguments `name`, `dtype`, `trainable` and
`activity_regularizer`, lists its penalties in `losses`, and has Keras 3's `get_config` and
`from_config`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

import autograd_lite as ag

from .. import initializers, regularizers
from ..training import is_count
from ..utils import check_flag, check_name, snake_case

Shape = tuple[int | None, ...]

_name_counts: dict[str, int] = {}


def unique_name(base: str) -> str:
    """`base`, then `base_1`, `base_2`, ... on later calls, like Keras's automatic names."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Restart automatic names (the next Dense is `dense` again), like Keras's clear_session."""
    _name_counts.clear()


class MovingAverageUpdate(NamedTuple):
    """`variable = variable * momentum + value * (1 - momentum)` for a non-trainable weight."""

    variable: ag.Tensor
    momentum: float

    def apply(self, value: np.ndarray) -> None:
        """Fold `value` (the batch's statistic) in, in the variable's dtype, as Keras does:
        `moving * momentum + value * (1 - momentum)` with both factors rounded to it."""
        dtype = self.variable.dtype
        old = self.variable.data
        momentum, rest = np.asarray(self.momentum, dtype), np.asarray(1.0 - self.momentum, dtype)
        self.variable.assign(old * momentum + np.asarray(value, dtype) * rest)


_deferred: list[tuple[MovingAverageUpdate, ag.Tensor]] | None = None


@contextlib.contextmanager
def deferred_updates() -> Iterator[list[tuple[MovingAverageUpdate, ag.Tensor]]]:
    """Inside the block, `update_moving_average` does not change its variable: it appends
    (the update, the Tensor of the batch's value) to the list yielded, for the caller to
    apply. `fit` records its step with `ag.trace` and replays only the engine ops, so an
    update done in Python in the middle of the step would happen only when recorded; the
    step returns the values instead, which every replay recomputes, and the model applies
    the updates after each step (as Keras's JAX trainer returns the new non-trainable
    variables from its pure step and assigns them)."""
    global _deferred
    outer, _deferred = _deferred, []
    try:
        yield _deferred
    finally:
        _deferred = outer


def format_shape(shape: Sequence[int | None]) -> str:
    """A shape as Keras prints it: `(None, 25)`."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


class TensorShape(tuple):
    """A shape such as (None, 400): a tuple, as Keras 3's shapes are, with tf.keras 2's
    `as_list()` (the course's practice-lab grader calls `model.input.shape.as_list()`).

    >>> TensorShape((None, 400)).as_list()
    [None, 400]
    """

    def as_list(self) -> list[int | None]:
        return list(self)


class KerasTensor:
    """The symbolic tensor of a built model, as Keras's: a shape with None for the batch
    axis, a dtype and a name, and no values. `nn.Input(shape=(400,))` is one; a built
    Sequential gives one for every arrow between its layers (`model.input`, `layer.output`).

    Calling a layer on it builds the layer and computes only the output's shape:

    >>> import nn
    >>> nn.clear_session()  # automatic names start again: dense, keras_tensor
    >>> x = KerasTensor((None, 4), name="features")
    >>> y = nn.Dense(3, name="hidden")(x)
    >>> y.shape, y.dtype, y.name
    ((None, 3), 'float32', 'keras_tensor')
    """

    def __init__(
        self, shape: Sequence[int | None], dtype: Any = "float32", name: str | None = None
    ) -> None:
        self.shape = TensorShape(shape)
        self.dtype = str(np.dtype(dtype))  # a name, as Keras: 'float32'
        self.name = name if name is not None else unique_name("keras_tensor")

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


def _built_once(build: Callable[[Layer, Shape], None]) -> Callable[[Layer, Any], None]:
    """`build` made final: the shape is checked (batch axis -> None), the weights are created
    on the first call only, then `input_shape` and `built` are set. Later calls (the layer's
    own call after a user's `build`) only check the feature count."""

    @functools.wraps(build)
    def build_once(self: Layer, input_shape: Any, *, _by_call: bool = False) -> None:
        shape = self._build_shape(input_shape)
        if not _by_call:
            self._built_explicitly = True
        if self.built:
            self.check_input_shape(shape)
            return
        build(self, shape)
        self.input_shape = shape
        self.built = True

    return build_once


class Layer:
    """A building block with weights: `layer(x)` runs `call(x)` inside `ag.name_scope`.

    The layer is built once, by its first call or by an explicit `build(input_shape)` (the
    Keras habit `build`, then `set_weights`, then call); building is final: later calls and
    builds only check that the feature count is the same.

    >>> import nn
    >>> layer = nn.Dense(3, name="hidden")
    >>> layer.built
    False
    >>> y = layer(np.ones((2, 4)))
    >>> y.shape, [w.name for w in layer.weights]
    ((2, 3), ['hidden/kernel', 'hidden/bias'])
    """

    min_rank = 2  # inputs are (batch, features, ...); weightless elementwise layers take 1
    call_takes_training = False  # whether `call` has a `training` argument (set per class)
    # Keras 3 marks the classes without weights or a build of their own built when they are
    # made, so calling one records no build_config (only an explicit build() does): a
    # model's config lists none for them
    built_at_init = False

    def __init__(
        self,
        *,
        name: str | None = None,
        dtype: Any = None,
        trainable: bool = True,
        activity_regularizer: Any = None,
        **unsupported: Any,
    ) -> None:
        """Keras's base arguments, which every layer takes: `name` (None: the class's name in
        snake case, made unique), `dtype` (a float type, or Keras's DTypePolicy record; None:
        float32), `trainable` (False: frozen) and `activity_regularizer` (a penalty on the
        layer's output, see `losses`)."""
        # Keras's snake case: Dense -> dense, Conv1D -> conv1d, MaxPooling1D -> max_pooling1d
        kind = type(self).__name__
        if unsupported:
            self._refuse_arguments(unsupported)
        snake = snake_case(kind)
        check_name(kind, name)
        self.name = name if name is not None else unique_name(snake)
        self.dtype = float_dtype(dtype, kind)
        self.built = False
        self._built_explicitly = False  # by build() or build_from_config, not by a call
        self.input_shape: Shape | None = None
        # the weights created trainable and not: `weights` keeps this order, frozen or not
        self._trainable_variables: list[ag.Tensor] = []
        self._non_trainable_variables: list[ag.Tensor] = []
        self._trainable = check_flag(kind, "trainable", trainable)
        self._regularized: list[tuple[ag.Tensor, Callable[[ag.Tensor], Any]]] = []
        self._losses: list[Any] = []  # added by the latest call (activity regularizer, add_loss)
        self.activity_regularizer = activity_regularizer
        self._node: tuple[KerasTensor, KerasTensor] | None = None  # symbolic (input, output)

    def _refuse_arguments(self, arguments: Mapping[str, Any]) -> None:
        """The error for keyword arguments the layer does not have (Keras's, for arguments
        nn does not implement, or misspelt ones), naming them and listing those it takes."""
        kind = type(self).__name__
        own = [
            p.name
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "self"
        ]
        base = ["name", "dtype", "trainable", "activity_regularizer"]
        given = ", ".join(f"{key}={value!r:.60}" for key, value in arguments.items())
        hint = ""
        if {"input_shape", "input_dim"} & arguments.keys():
            hint = "; give the model's input as Sequential([nn.Input(shape=...), ...]) instead"
        raise ValueError(
            f"{kind}: unsupported argument(s) {given}; nn's {kind} takes "
            f"{', '.join(dict.fromkeys(own + base))}{hint}"
        )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:  # as Keras wraps every build: a call of it is final
            cls.build = _built_once(cls.__dict__["build"])
        cls.call_takes_training = "training" in inspect.signature(cls.call).parameters

    # --- to be written by subclasses -------------------------------------------------------

    @_built_once  # also for layers without weights, which have no build of their own
    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of `input_shape` (batch axis first, e.g. (None, 4)).

        Called by the first `layer(x)`, or by the user. A subclass writes only the weights;
        the wrapper checks the shape, records `input_shape` and sets `built`, once.
        """

    def call(self, x: ag.Tensor) -> ag.Tensor:
        """The forward pass on a batch; a layer that trains differently writes
        `call(self, x, training=False)` and gets `training` from `layer(x, training=...)`."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    # --- the machinery ---------------------------------------------------------------------

    def add_weight(
        self,
        name: str,
        shape: tuple[int, ...],
        initializer: Any,
        trainable: bool = True,
        regularizer: Any = None,
    ) -> ag.Tensor:
        """A new weight named `{layer}/{name}`, filled by `initializer`. A trainable one is a
        parameter (it requires grad, unless the layer is frozen; the optimizer moves it); a
        non-trainable one is state the layer updates itself (BatchNormalization's moving
        mean), with no gradient. `regularizer` (a name, a Regularizer or a function of the
        weight) adds its penalty of the weight to `losses` while the weight is trainable."""
        values = initializers.get(initializer)(tuple(shape), self.dtype)
        requires_grad = bool(trainable) and self.trainable
        weight = ag.Tensor(values, requires_grad=requires_grad, name=f"{self.name}/{name}")
        (self._trainable_variables if trainable else self._non_trainable_variables).append(weight)
        regularizer = self.resolve(regularizers.get, regularizer)
        if regularizer is not None and trainable:  # Keras penalizes trainable weights only
            self._regularized.append((weight, regularizer))
        return weight

    def update_moving_average(self, variable: ag.Tensor, value: ag.Tensor, momentum: float) -> None:
        """variable = variable * momentum + value * (1 - momentum), for a non-trainable
        `variable` such as a moving mean, from `value` computed in the forward pass.

        Done at once, except inside a training step (`fit`), which must be the engine ops
        only, since `fit` records it once and replays the ops: there the update is handed to
        the model (see `deferred_updates`), which applies it after each step from the step's
        value, recorded or replayed."""
        update = MovingAverageUpdate(variable, float(momentum))
        if _deferred is None:
            update.apply(value.data)
        else:
            _deferred.append((update, value))

    def _build_shape(self, input_shape: Any) -> Shape:
        """`input_shape` checked, with the batch axis as None: (7, 4) -> (None, 4)."""
        where = f"Layer '{self.name}' ({type(self).__name__})"
        if isinstance(input_shape, (int, np.integer)) or not isinstance(input_shape, Sequence):
            raise TypeError(
                f"{where}: build expects input_shape as a tuple with the batch axis first, "
                f"such as (None, 4), got {input_shape!r}"
            )
        dims = tuple(input_shape)
        if not all(d is None or is_count(d) for d in dims[1:]):
            raise ValueError(
                f"{where}: input_shape must hold non-negative integers (None for the batch "
                f"axis), got {dims}"
            )
        if len(dims) < self.min_rank:
            if self.min_rank == 1:
                raise ValueError(f"{where} needs inputs with a batch axis, got shape {dims}")
            raise ValueError(
                f"{where} needs inputs of shape (batch, features), got {dims}; for one "
                f"example of {dims[0] if dims else 1} features use x.reshape(1, -1)"
            )
        return (None,) + tuple(int(d) if d is not None else None for d in dims[1:])

    def check_input_shape(self, shape: Sequence[int | None]) -> None:
        expected = self.input_shape
        if len(shape) != len(expected) or shape[-1] != expected[-1]:
            raise ValueError(
                f"Input of layer '{self.name}' ({type(self).__name__}) is incompatible: the layer "
                f"was built for input shape {format_shape(expected)} (expected axis -1 to have "
                f"{expected[-1]} features), but received input with shape {format_shape(shape)}"
            )

    def __call__(self, x: Any, training: bool | None = None) -> Any:
        """`call(x)` on data (a Tensor comes back), or the output's KerasTensor for a
        KerasTensor. `training` (True in fit, False in predict and evaluate) is passed on to a
        `call` that takes it, as in Keras; None keeps that call's default."""
        if training is not None and not isinstance(training, (bool, np.bool_)):
            raise TypeError(
                f"Layer '{self.name}' ({type(self).__name__}): training must be True, False "
                f"or None, got {training!r}"
            )
        if isinstance(x, KerasTensor):
            return self._call_symbolic(x)
        if not isinstance(x, ag.Tensor):
            x = ag.from_numpy(_as_array(x, self))  # inputs become float32, as in Keras
        if not self.built:
            self.build(x.shape, _by_call=True)
        elif x.shape[-1:] != self.input_shape[-1:] or x.ndim != len(self.input_shape):
            self.check_input_shape(x.shape)
        with ag.name_scope(self._scope()):
            self._losses = []  # a call replaces the losses of the one before, as in Keras
            if training is None or not self.call_takes_training:
                output = self.call(x)
            else:
                output = self.call(x, training=bool(training))
            if self.activity_regularizer is not None:
                self.add_loss(self._activity_penalty(output))
        return output

    def _scope(self) -> str:
        return f"{self.name} ({type(self).__name__})"

    def _activity_penalty(self, output: ag.Tensor) -> Any:
        """The activity regularizer's penalty of `output`, divided by the batch size (Keras
        3: so that its weight against the loss does not change with the batch size; 0 for
        an empty batch, Keras's divide_no_nan)."""
        penalty = self.activity_regularizer(output)
        batch = output.shape[0]  # outputs have a batch axis (layers refuse inputs without)
        return penalty / batch if batch else penalty * 0

    def add_loss(self, loss: Any) -> None:
        """Add a scalar loss (a Tensor) to `losses` from inside `call`, as Keras's add_loss;
        it stays there until the layer's next call."""
        if not isinstance(loss, ag.Tensor):
            raise TypeError(
                f"Layer '{self.name}' ({type(self).__name__}): add_loss expects a Tensor "
                f"computed in call(), got {loss!r:.80}"
            )
        self._losses.append(loss)

    @property
    def losses(self) -> list[ag.Tensor]:
        """The layer's penalties, as Keras 3's `layer.losses`: those of its latest call (the
        activity regularizer's, divided by the batch size, and `add_loss`'s), then each
        regularized weight's, computed from the current weights now (none while the layer is
        frozen). All are engine ops, so a backward pass through their sum trains the weights;
        `fit` adds it to the loss.

        >>> import numpy as np, nn
        >>> penalty = nn.regularizers.L1(0.5)
        >>> layer = nn.Dense(2, kernel_initializer="ones", kernel_regularizer=penalty)
        >>> layer.build((None, 3))
        >>> [float(loss) for loss in layer.losses]   # 0.5 * 6 ones
        [3.0]
        """
        return self._get_own_losses() + self._get_regularization_losses()

    def _get_own_losses(self) -> list[ag.Tensor]:
        """The losses of the latest call (Keras's name: a model lists these of all its layers
        first, then all the weight penalties)."""
        return list(self._losses)

    def _get_regularization_losses(self) -> list[ag.Tensor]:
        """The weight penalties, computed now from the current weights (Keras's name)."""
        if not (self.trainable and self._regularized):
            return []
        with ag.name_scope(self._scope()):
            return [regularizer(weight) for weight, regularizer in self._regularized]

    @property
    def activity_regularizer(self) -> Any:
        """The penalty of the layer's output added to `losses` on each call (None: none);
        assigning a name, a record or a Regularizer resolves it as the constructor does."""
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value: Any) -> None:
        self._activity_regularizer = self.resolve(regularizers.get, value)

    def resolve(self, get: Callable[[Any], Any], identifier: Any) -> Any:
        """`get(identifier)` (an activation, initializer or regularizer), with the layer named
        in the error for an unknown name or a bad record."""
        try:
            return get(identifier)
        except ValueError as error:
            raise ValueError(f"{type(self).__name__} '{self.name}': {error}") from None

    @property
    def trainable(self) -> bool:
        """Whether the optimizer trains the layer's weights (Keras's settable flag). False
        freezes the layer: every weight moves to `non_trainable_weights` and stops requiring
        gradients (`weights` keeps its order), weight penalties leave `losses`, and a frozen
        BatchNormalization normalizes with its moving statistics even in training. True
        restores the weights created trainable (moving statistics stay non-trainable)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = check_flag(type(self).__name__, "trainable", value)
        for weight in self._trainable_variables:
            weight.requires_grad_(self._trainable)

    def _call_symbolic(self, x: KerasTensor) -> KerasTensor:
        """Build for `x`'s shape and return the output as a KerasTensor, computing nothing.
        The layer keeps both as `input` and `output`; a second call on the same `x` returns
        the same output (a model rebuilt for the same input keeps its tensors and names)."""
        if self._node is None or self._node[0] is not x:
            self.build(x.shape, _by_call=True)  # checks the shape if built already
            self._node = (x, KerasTensor(self.compute_output_shape(x.shape), self.dtype))
        return self._node[1]

    @property
    def input(self) -> KerasTensor:
        """The KerasTensor this layer was called on in a built model: `.shape` (None, 400)."""
        return self._symbolic("input")[0]

    @property
    def output(self) -> KerasTensor:
        """The KerasTensor this layer gives in a built model: `layer.output.shape`."""
        return self._symbolic("output")[1]

    def _symbolic(self, which: str) -> tuple[KerasTensor, KerasTensor]:
        if self._node is None:
            raise AttributeError(  # Keras's words and type
                f"The layer {self.name} has never been called and thus has no defined {which}."
            )
        return self._node

    @property
    def weights(self) -> list[ag.Tensor]:
        """All the weight tensors, those created trainable first, as Keras (Dense: [kernel,
        bias]; BatchNormalization: [gamma, beta, moving_mean, moving_variance]), frozen or
        not."""
        return self._trainable_variables + self._non_trainable_variables

    @property
    def trainable_weights(self) -> list[ag.Tensor]:
        """The weights the optimizer trains (they require grad); none while frozen."""
        return list(self._trainable_variables) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[ag.Tensor]:
        """The weights without gradients: state the layer updates itself (moving statistics),
        and all of them while the layer is frozen."""
        return list(self._non_trainable_variables) if self.trainable else self.weights

    def count_params(self) -> int:
        """The number of values in all the weights, trainable or not (Keras's Param #)."""
        return sum(w.size for w in self.weights)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as numpy arrays, in `weights`' order (Dense: [kernel
        (in, units), bias (units,)])."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Overwrite the weights in place (same order as `get_weights`), checking every shape."""
        own = self.weights
        if not self.built:
            raise ValueError(
                f"set_weights: layer '{self.name}' is not built yet; call it on data or "
                "build(input_shape) first"
            )
        if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence):
            raise TypeError(
                f"set_weights: layer '{self.name}' expects a list of arrays "
                f"[{', '.join(w.name for w in own)}], got {type(weights).__name__}"
            )
        if len(weights) != len(own):
            raise ValueError(
                f"set_weights: layer '{self.name}' has {len(own)} weights "
                f"({', '.join(w.name for w in own) or 'none'}), "
                f"but {len(weights)} arrays were given"
            )
        arrays = [np.asarray(value) for value in weights]
        for weight, array in zip(own, arrays):
            if array.dtype.kind not in "biuf":
                raise TypeError(
                    f"set_weights: '{weight.name}' needs numbers, got an array of dtype "
                    f"{array.dtype}"
                )
            if array.shape != weight.shape:
                raise ValueError(
                    f"set_weights: '{weight.name}' has shape {weight.shape}, "
                    f"but the given array has shape {array.shape}"
                )
        for weight, array in zip(own, arrays):
            weight.assign(array)  # in place, so optimizers keep their slots for the tensor

    # --- configs ----------------------------------------------------------------------------

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild the layer, as Keras 3's `get_config` returns them (the
        same keys and values: name, trainable, dtype as a DTypePolicy record, then the
        class's own, with initializers and regularizers as records).

        >>> import nn
        >>> config = nn.Dropout(0.5, name="drop").get_config()
        >>> config["name"], config["trainable"], config["dtype"]["config"], config["rate"]
        ('drop', True, {'name': 'float32'}, 0.5)
        """
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policy_record(self.dtype),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Layer:
        """The layer a `get_config` dict (Keras's or nn's) describes, not built; an argument
        nn does not implement (a constraint, groups != 1, channels_first, ...) is an error
        naming the layer and the argument."""
        if not isinstance(config, Mapping):
            raise TypeError(f"{cls.__name__}.from_config expects a dict, got {config!r:.80}")
        try:
            return cls(**config)
        except (TypeError, ValueError) as error:
            raise type(error)(
                f"Cannot rebuild layer {config.get('name')!r} ({cls.__name__}) from its "
                f"config: {error}"
            ) from None

    def get_build_config(self) -> dict[str, Any] | None:
        """{"input_shape": the shape the layer was built for}, or None before it is built
        (what Keras stores next to the config, to build the layer again when loading)."""
        if not self.built or (self.built_at_init and not self._built_explicitly):
            return None
        return {"input_shape": self.input_shape}

    def build_from_config(self, config: Mapping[str, Any]) -> None:
        """Build for a `get_build_config` dict."""
        if config and "input_shape" in config:
            self.build(tuple(config["input_shape"]))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


class ElementwiseLayer(Layer):
    """A layer without weights whose output has its input's shape, which may be any shape
    with a batch axis, (batch,) included (the activation layers, Dropout)."""

    min_rank = 1
    built_at_init = True

    def check_input_shape(self, shape: Any) -> None:
        """Nothing to check: no weights depend on the input's shape."""


def positive_tuple(value: Any, rank: int, setting: str, kind: str) -> tuple[int, ...]:
    """An int (the same along every spatial axis) or a tuple of `rank` ints, all positive, as
    `rank` ints (Keras's standardize_tuple): pool_size=2 -> (2, 2) for a 2-D layer."""
    values = (value,) * rank if isinstance(value, (int, np.integer)) else value
    if (
        isinstance(values, (tuple, list))
        and len(values) == rank
        and all(is_count(v) and v > 0 for v in values)
    ):
        return tuple(int(v) for v in values)
    raise ValueError(
        f"{kind}: `{setting}` must be a positive integer or a tuple of {rank} positive "
        f"integers, received {value!r}"
    )


def same_padding(n: int, span: int, stride: int) -> tuple[int, int]:
    """The (before, after) padding of TensorFlow's 'same' for `n` positions, windows of
    `span` every `stride`: ceil(n / stride) windows, the odd position after (right, bottom)."""
    total = max((-(-n // stride) - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def float_dtype(dtype: Any, kind: str) -> np.dtype:
    """A layer's dtype: a floating-point numpy dtype (its weights need gradients), given as
    a name, a numpy dtype or Keras 3's DTypePolicy record (`dtype_policy_record`)."""
    name = dtype
    if isinstance(dtype, Mapping):  # Keras 3's configs (FloatDTypePolicy before Keras 3.5)
        config = dtype.get("config")
        if dtype.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and isinstance(
            config, Mapping
        ):
            name = config.get("name")
    try:
        resolved = np.dtype(name if name is not None else "float32")  # None: Keras's default
    except (TypeError, ValueError, KeyError):  # what numpy raises for what is not a dtype
        resolved = None
    if resolved is None or resolved.kind != "f":
        raise TypeError(f"{kind}: dtype must be a float type such as 'float32', got {dtype!r}")
    return resolved


def dtype_policy_record(dtype: np.dtype) -> dict[str, Any]:
    """Keras 3's record of a layer's dtype policy, as its configs hold it."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": np.dtype(dtype).name},
        "registered_name": None,
    }


def supported(kind: str, argument: str, value: Any, choices: tuple[Any, ...]) -> Any:
    """`value` if it is one of `choices`, the values of a Keras argument that nn implements
    (a Keras config holds them all: `kernel_constraint`, `groups`, `data_format`, ...), else
    an error naming the class, the argument and the value."""
    if any(value == c and isinstance(value, bool) == isinstance(c, bool) for c in choices):
        return value
    # a record from a config file is shown by its class: MaxNorm, not 80 characters of dict
    shown = value.get("class_name", value) if isinstance(value, dict) else value
    text = repr(shown)
    raise ValueError(
        f"{kind}: {argument}={text if len(text) <= 80 else text[:77] + '...'} is not "
        f"supported by nn (only {' or '.join(repr(c) for c in choices)})"
    )


def channels_last(kind: str, data_format: Any) -> str:
    """Keras's `data_format` argument: nn lays images out channels last only (None: Keras's
    default, channels_last)."""
    return supported(kind, "data_format", data_format, (None, "channels_last")) or "channels_last"


def _as_array(x: Any, layer: Layer) -> np.ndarray:
    """Data given to a layer as a float array of the layer's dtype, or a clear error."""
    array = np.asarray(x) if x is not None else None
    if array is None or array.dtype.kind not in "biuf":
        got = "None" if array is None else f"an array of dtype {array.dtype}"
        raise TypeError(
            f"Layer '{layer.name}' ({type(layer).__name__}) needs numeric inputs, got {got}"
        )
    return array.astype(layer.dtype, copy=False)
