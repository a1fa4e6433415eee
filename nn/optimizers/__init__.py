"""Optimizers: move the parameters along their gradients, in Keras's formulas, defaults and dtypes.

SGD, Adam, AdamW, Adagrad, Adamax, Nadam and RMSprop, with Keras 3's arguments, and
`schedules` (learning rates that change with the step count).

The base class owns the loop: the step count `iterations`, the per-parameter state ("slots",
numpy arrays such as Adam's moments), `zero_grad` and `step`. A subclass writes only
`step_scalars(dtype)` (its hyperparameters for this step, in the parameters' dtype) and
`update_step(g, slots, scalars, work, out)`: Keras's formulas, which update the slots and
write the change of the weights into `out`. `step` then does `w.assign_sub(out)` for every
parameter, as Keras's optimizers change a variable: each change moves the tensor's `version`
on, so a backward through a forward that read the old values is refused instead of being
wrong. Nothing is differentiated here: gradients come from `loss.backward()`.

One step, in Keras's order (`BaseOptimizer.apply`):

1. the gradients are clipped, by at most one of `clipnorm` (each parameter's gradient
   scaled to norm <= clipnorm: g clipnorm / max(|g|, clipnorm)), `global_clipnorm` (all of
   them scaled together: g clipnorm min(1 / |all g|, 1 / clipnorm)) or `clipvalue` (each
   element clipped to [-clipvalue, clipvalue]);
2. with `weight_decay` (decoupled, AdamW's): each weight w -= w weight_decay learning_rate,
   before the update and apart from it (`exclude_from_weight_decay` keeps it off some);
3. the optimizer's update, with the learning rate of this step (a number, or a schedule
   evaluated at `iterations`); then `iterations` += 1.

Keras's other base arguments, `use_ema`, `ema_momentum`, `ema_overwrite_frequency`,
`loss_scale_factor` and `gradient_accumulation_steps`, appear in `get_config` with Keras's
defaults; nn does not implement them, and another value is refused with an error naming it.

The formulas are elementwise, so `step` applies them once to all parameters laid end to end
in flat arrays (`_FlatLayout`, a speed trick explained there) instead of once per parameter;
the numbers are the same.

Every quantity is computed in the parameter's dtype, as Keras does: for float32 weights, the
learning rate, Adam's `beta^t` and its bias correction are float32 numbers. (Computed in
Python's float64 instead, Adam's step size differs by about 6e-6 relative: a steady offset of
the epoch losses from Keras's that tests/nn/test_keras_parity_epochs.py detects.)
float64 weights get float64 arithmetic throughout, where Keras on TensorFlow would first
round the hyperparameters to float32.

A hand-written training loop:

    >>> import numpy as np, autograd_lite as ag
    >>> w = ag.Tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD(learning_rate=0.1)
    >>> loss = (w * w).sum()
    >>> loss.backward()
    >>> opt.step([w])
    >>> opt.zero_grad([w])
    >>> w.data
    array([ 0.8, -1.6], dtype=float32)
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from .. import serialization
from ..layers.base import unique_name
from ..utils import check_flag, check_in_range, check_name, lookup, snake_case
from . import schedules
from .schedules import LearningRateSchedule

Slots = dict[str, np.ndarray]  # a parameter's state between steps, by name
Work = tuple[np.ndarray, ...]  # scratch arrays, shaped like the gradient
Scalars = tuple[Any, ...]  # one step's hyperparameters, in the parameters' dtype
StateArrays = list[tuple[str, np.ndarray]]  # (Keras's variable name, value), in Keras's order

MODULE = "keras.optimizers"  # the module Keras's records name

# Keras's base-optimizer arguments and their defaults, in the order its get_config writes them
BASE_ARGUMENTS: dict[str, Any] = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}
NOT_IMPLEMENTED = (
    "use_ema",
    "ema_momentum",
    "ema_overwrite_frequency",
    "loss_scale_factor",
    "gradient_accumulation_steps",
)
CLIPPING = ("clipnorm", "clipvalue", "global_clipnorm")  # Keras's order in its error


class _SlotTable:
    """Per-parameter state that lives exactly as long as its parameter, and the flat layout
    of the last step (`layout`), which is dropped when any of these parameters dies.

    Keyed by `id(param)` with a weak reference beside it: a lookup checks that the reference
    still points at the same tensor (a new tensor may reuse a dead one's id), and the
    reference's callback drops the entry when the tensor is collected. (A WeakKeyDictionary
    would compare keys with `==`, which is elementwise on Tensors.)
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, Slots]] = {}
        self.layout: _FlatLayout | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, param: ag.Tensor) -> Slots | None:
        """The state stored for this very tensor, or None."""
        entry = self._entries.get(id(param))
        if entry is None or entry[0]() is not param:
            return None
        return entry[1]

    def put(self, param: ag.Tensor, slots: Slots) -> None:
        key, table = id(param), weakref.ref(self)  # the callback must not keep us alive

        def forget(ref: weakref.ref) -> None:
            owner = table()
            if owner is not None and owner._entries.get(key, (None,))[0] is ref:
                del owner._entries[key]
                # the layout keys on ids, and this id may now be reused by a new tensor
                owner.layout = None

        self._entries[key] = (weakref.ref(param, forget), slots)


class _FlatLayout:
    """The parameters of a `step`, laid end to end in flat arrays, one set of arrays per dtype.

    Why: the update is elementwise, and at batch 32 the course network's step is dominated by
    Python calls, not arithmetic: Adam per parameter is ~10 numpy calls for each of the 6
    tensors, ~20 us of call overhead per step. On flat arrays it is ~10 calls for the whole
    model, plus one copy in and one `assign_sub` out per parameter. The numbers are the same,
    element by element.

    Each parameter's slots are views into the flat slot arrays (the `_SlotTable` holds them),
    so its state survives a change of layout: a new layout (another list of parameters, e.g.
    a parameter without a gradient this step, or a layer added after `fit`) copies existing
    slots in and starts newcomers at their initial value (zero, or Adagrad's
    initial_accumulator_value). The layout holds no reference to a parameter; the old flat
    arrays are freed once no slot view into them is left (a dead parameter's share therefore
    lives until the next step rebuilds the layout).
    """

    def __init__(self, params: list[ag.Tensor], optimizer: Optimizer) -> None:
        self.key = tuple(map(id, params))  # valid while none of them died (see _SlotTable)
        self.groups: list[tuple[np.dtype, np.ndarray, Slots, Work, np.ndarray]] = []
        by_dtype: dict[np.dtype, list[ag.Tensor]] = {}
        for p in params:
            by_dtype.setdefault(p.data.dtype, []).append(p)
        views: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id -> its gradient, its step
        for dtype, members in by_dtype.items():
            size = sum(p.data.size for p in members)
            g, out = np.empty(size, dtype), np.empty(size, dtype)
            slots = {
                name: np.full(size, optimizer.slot_initial_value(name), dtype)
                for name in optimizer.slot_names
            }
            work = tuple(np.empty(size, dtype) for _ in range(optimizer.work_arrays))
            self.groups.append((dtype, g, slots, work, out))
            start = 0
            for p in members:
                part, start = slice(start, start + p.data.size), start + p.data.size
                views[id(p)] = (g[part].reshape(p.shape), out[part].reshape(p.shape))
                own = {name: flat[part].reshape(p.shape) for name, flat in slots.items()}
                old = optimizer._slots.get(p)
                if old is not None:  # carried over from the previous layout, or loaded
                    for name, slot in own.items():
                        np.copyto(slot, old[name])
                optimizer._slots.put(p, own)
        self.gradients = [views[id(p)][0] for p in params]  # in the order of `params`
        self.steps = [views[id(p)][1] for p in params]

    def gather(self, params: list[ag.Tensor], caller: str) -> None:
        """Copy each parameter's `.grad` into the flat gradient arrays."""
        for p, g in zip(params, self.gradients):
            try:
                np.copyto(g, p.grad)
            except (TypeError, ValueError):
                shown = np.asarray(p.grad)
                raise ValueError(
                    f"{caller}: parameter {p.name!r} of shape {p.shape} ({p.dtype}) has a "
                    f"gradient of shape {shown.shape} ({shown.dtype})"
                ) from None


def clip_by_norm(g: np.ndarray, clipnorm: float) -> None:
    """Scale `g` in place to norm at most `clipnorm`, as Keras (and tf.clip_by_norm) does:
    g clipnorm / max(|g|, clipnorm), also when |g| <= clipnorm (so g may move by an ulp).

    >>> g = np.array([3.0, 4.0]); clip_by_norm(g, 1.0); g
    array([0.6, 0.8])
    """
    real = g.dtype.type
    squares = np.sum(np.square(g))
    norm = np.sqrt(squares) if squares > 0 else squares  # Keras's where(): 0 (or NaN) stays
    limit = real(clipnorm)
    g *= limit
    g /= np.maximum(norm, limit)


def global_norm_scale(gradients: Sequence[np.ndarray], clipnorm: float) -> np.floating:
    """The factor that scales all `gradients` together to a global norm of at most
    `clipnorm`, Keras's clip_by_global_norm: with n = sqrt(sum of every |g|^2),
    clipnorm min(1 / n, 1 / clipnorm), and NaN when n is not finite. The per-parameter sums
    are added in the widest of their dtypes.

    >>> float(global_norm_scale([np.array([3.0]), np.array([4.0])], 1.0))
    0.2
    """
    total = np.sum([np.sum(np.square(g)) for g in gradients])
    norm = np.sqrt(total)
    real = norm.dtype.type
    with np.errstate(divide="ignore", invalid="ignore"):  # norm 0 or inf, as Keras allows
        scale = real(clipnorm) * np.minimum(real(1) / norm, real(1.0 / clipnorm))
        return scale + (norm - norm)  # NaN for an infinite or NaN norm


class Optimizer:
    """Base class: `step(params)` applies `update_step` to every parameter with a gradient.

    State ("slots", e.g. Adam's moments) is kept per parameter tensor, created on the first
    step that parameter takes part in, and released when the tensor is garbage collected.
    A parameter the optimizer has not seen before is adopted with fresh slots (Keras refuses
    it instead; here a layer added to a compiled model is simply trained), and it shares the
    optimizer's step count `iterations`, as Keras's variables do.

    Arguments of every optimizer (Keras's base arguments, by keyword): `weight_decay`,
    `clipnorm`, `clipvalue`, `global_clipnorm` (at most one of the three), `name` (default:
    the class in snake case, made unique: "adam", "adam_1", "rm_sprop"), and, at their
    defaults only, `use_ema`, `ema_momentum`, `ema_overwrite_frequency`, `loss_scale_factor`,
    `gradient_accumulation_steps`. Keras ignores a clipnorm or clipvalue <= 0; nn refuses it.

    `learning_rate` reads as the learning rate of the next step (a float: the number given,
    or the schedule at `iterations`, computed in float32 as Keras's schedules are) and can
    be set to a number or a schedule between steps (callbacks do); setting a number when the
    optimizer was made with a schedule is refused, as in Keras.

    >>> opt = Adam(learning_rate=0.01, clipnorm=1.0, name="tuned")
    >>> opt.learning_rate = 0.005
    >>> opt.learning_rate, opt.name
    (0.005, 'tuned')
    """

    slot_groups: tuple[tuple[str, ...], ...] = ()  # the state, grouped as Keras's variables
    work_arrays = 0  # scratch arrays: the update allocates nothing

    def __init__(self, learning_rate: float | LearningRateSchedule, **arguments: Any) -> None:
        kind = type(self).__name__
        self._learning_rate = self._checked_learning_rate(learning_rate)
        name = arguments.pop("name", None)
        if check_name(kind, name) is None:
            name = unique_name(snake_case(kind))  # Keras's auto_name
        self.name = name
        if "decay" in arguments:
            raise TypeError(
                f"{kind}: decay (tf.keras 2's learning-rate decay) is not an argument in Keras "
                "3; pass a schedule as learning_rate, e.g. "
                "nn.optimizers.schedules.InverseTimeDecay(0.01, decay_steps=1, decay_rate=1e-4)"
            )
        unknown = sorted(set(arguments) - set(BASE_ARGUMENTS))
        if unknown:
            raise TypeError(f"{kind}: unexpected argument(s) {', '.join(unknown)}")
        settings = {**BASE_ARGUMENTS, **arguments}
        for argument in NOT_IMPLEMENTED:
            if settings[argument] != BASE_ARGUMENTS[argument]:
                raise NotImplementedError(
                    f"{kind}: {argument}={settings[argument]!r} is not implemented in nn; "
                    f"leave it at Keras's default, {BASE_ARGUMENTS[argument]!r}"
                )
        if sum(settings[argument] is not None for argument in CLIPPING) > 1:
            given = ", ".join(f"{argument}={settings[argument]!r}" for argument in CLIPPING)
            raise ValueError(
                f"{kind}: only one of clipnorm, clipvalue and global_clipnorm can be set, "
                f"got {given}"
            )
        intervals = {"weight_decay": "[0, inf)", **dict.fromkeys(CLIPPING, "(0, inf)")}
        for argument, interval in intervals.items():
            if settings[argument] is not None:
                settings[argument] = check_in_range(kind, argument, settings[argument], interval)
        for argument, value in settings.items():  # read back by get_config
            setattr(self, argument, value)
        self.iterations = 0
        self._slots = _SlotTable()
        self._no_decay: dict[int, weakref.ref] = {}  # exclude_from_weight_decay's var_list
        self._no_decay_pattern: re.Pattern | None = None

    # --- the learning rate -----------------------------------------------------------------

    def _checked_learning_rate(self, value: Any) -> float | LearningRateSchedule:
        if isinstance(value, LearningRateSchedule):
            return value
        if callable(value):
            raise TypeError(
                f"{type(self).__name__}: learning_rate must be a number or a "
                f"LearningRateSchedule (nn.optimizers.schedules), got {value!r}; Keras's "
                "zero-argument callables are not supported"
            )
        return check_in_range(type(self).__name__, "learning_rate", value, "(0, inf)")

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step: the number given, or the schedule at
        `iterations` (in float32, as Keras computes its schedules)."""
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            return float(rate(self.iterations))
        return rate

    @learning_rate.setter
    def learning_rate(self, value: float | LearningRateSchedule) -> None:
        if isinstance(self._learning_rate, LearningRateSchedule) and not isinstance(
            value, LearningRateSchedule
        ):
            raise TypeError(
                f"{type(self).__name__}: this optimizer was created with a "
                "`LearningRateSchedule` object as its `learning_rate` constructor argument, "
                "hence its learning rate is not settable. If you need the learning rate to be "
                "settable, you should instantiate the optimizer with a float `learning_rate` "
                "argument."
            )
        self._learning_rate = self._checked_learning_rate(value)

    def learning_rate_as(self, dtype: np.dtype) -> np.floating:
        """This step's learning rate as a number of `dtype`: the number given, or the schedule
        called with `iterations` as a number of `dtype` (so it computes in that dtype)."""
        real = dtype.type
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            return real(rate(real(self.iterations)))
        return real(rate)

    # --- what a subclass writes ------------------------------------------------------------

    @property
    def slot_names(self) -> tuple[str, ...]:
        """The names of each parameter's slots (Keras's optimizer variables)."""
        return tuple(name for group in self.slot_groups for name in group)

    def slot_initial_value(self, name: str) -> float:
        """The value a new slot starts at (Keras's initializer for that variable)."""
        return 0.0

    def begin_step(self, dtype: np.dtype) -> None:
        """Once per step, before the updates: state shared by all parameters (Nadam's running
        product), in `dtype`, the first parameter's."""

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        """This step's hyperparameters as numbers of `dtype` (Keras's `ops.cast`)."""
        raise NotImplementedError

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        """Update `slots` for the gradient `g` and write the change of the weights into `out`
        (`step` then does w -= out). All arrays have g's shape; `work` is scratch."""
        raise NotImplementedError

    # --- a step ----------------------------------------------------------------------------

    def step(self, params: Iterable[ag.Tensor]) -> None:
        """One update of every parameter that has a `.grad` (a parameter listed twice is
        updated once): clip the gradients, decay the weights, update; then `iterations` += 1.
        The gradients themselves (`.grad`) are left as they were."""
        with_grad = {id(p): p for p in params if p.grad is not None}
        trained = list(with_grad.values())
        layout = self._slots.layout
        if layout is None or layout.key != tuple(with_grad):
            layout = self._slots.layout = _FlatLayout(trained, self)
        layout.gather(trained, f"{type(self).__name__}.step")
        self._clip_gradients(layout)
        self._apply_weight_decay(trained)
        # Keras's dtype for shared state: the first variable's, floatx for none at all
        self.begin_step(trained[0].dtype if trained else np.dtype(np.float32))
        for dtype, g, slots, work, out in layout.groups:
            self.update_step(g, slots, self.step_scalars(dtype), work, out)
        for p, change in zip(trained, layout.steps):
            p.assign_sub(change)
        self.iterations += 1

    def _clip_gradients(self, layout: _FlatLayout) -> None:
        if self.clipnorm is not None:
            for g in layout.gradients:  # each parameter's own norm
                clip_by_norm(g, self.clipnorm)
        elif self.global_clipnorm is not None:
            scale = global_norm_scale(layout.gradients, self.global_clipnorm)
            for dtype, g, *_ in layout.groups:
                g *= dtype.type(scale)
        elif self.clipvalue is not None:
            for dtype, g, *_ in layout.groups:
                limit = dtype.type(self.clipvalue)
                np.clip(g, -limit, limit, out=g)

    def _apply_weight_decay(self, params: list[ag.Tensor]) -> None:
        """w -= (w weight_decay) learning_rate, in the weights' dtype, as Keras's
        `_apply_weight_decay`."""
        if self.weight_decay is None:
            return
        for p in params:
            if self._decays(p):
                decay = p.data * p.dtype.type(self.weight_decay)
                decay *= self.learning_rate_as(p.dtype)
                p.assign_sub(decay)

    def exclude_from_weight_decay(
        self, var_list: Iterable[ag.Tensor] | None = None, var_names: Iterable[str] | None = None
    ) -> None:
        """Keep weight decay off the parameters in `var_list`, and off every parameter whose
        name contains a match of one of the regular expressions in `var_names` (Keras's
        method; each call replaces the previous exclusions). Keras matches a variable's own
        name ("bias"), nn the tensor's ("dense/bias"): `var_names=["bias"]` works in both.

        >>> opt = AdamW()
        >>> opt.exclude_from_weight_decay(var_names=["bias"])
        >>> b = ag.Tensor([1.0], requires_grad=True, name="dense/bias")
        >>> b.grad = np.zeros(1, dtype=np.float32)
        >>> opt.step([b]); b.data
        array([1.], dtype=float32)
        """
        self._no_decay = {id(p): weakref.ref(p) for p in var_list or ()}
        names = set(var_names or ())
        self._no_decay_pattern = re.compile("|".join(names)) if names else None

    def _decays(self, p: ag.Tensor) -> bool:
        ref = self._no_decay.get(id(p))
        if ref is not None and ref() is p:
            return False
        pattern = self._no_decay_pattern
        return pattern is None or p.name is None or pattern.search(p.name) is None

    def zero_grad(self, params: Iterable[ag.Tensor]) -> None:
        """Forget the gradients (`.grad = None`), so the next backward starts from zero."""
        for p in params:
            p.grad = None

    # --- saving: the state as Keras's `optimizer.variables` --------------------------------

    def shared_state(self, params: list[ag.Tensor]) -> StateArrays:
        """State kept once for all parameters, after the slots in Keras's order (Nadam's)."""
        return []

    def set_shared_state(self, arrays: list[np.ndarray]) -> None:
        """Load what `shared_state` gives (arrays already checked and cast)."""

    def state_arrays(
        self, params: Iterable[ag.Tensor], paths: Sequence[str] | None = None
    ) -> StateArrays:
        """The optimizer's state for `params` as Keras 3's `optimizer.variables` lists it for
        the same trainable variables: (name, array) pairs, copies, in this order:

        - `iteration`: `iterations`, int64, shape ();
        - `learning_rate`: float32, shape () (Keras's variable); absent when the learning
          rate is a schedule, as in Keras;
        - the slots: for each group in `slot_groups`, for each parameter in order, that
          group's slots, named f"{path with '/' as '_'}_{slot}" (Keras's names; a path is
          Keras's `variable.path`, e.g. "sequential/dense/kernel": pass `paths`, else the
          tensors' names are used). A group of several slots is interleaved per parameter:
          Adam's is (momentum, velocity), giving kernel_momentum, kernel_velocity,
          bias_momentum, bias_velocity, then (amsgrad) every velocity_hat;
        - shared state: Nadam's running product of its momentum factors, `variable`, shape ().

        Per optimizer: SGD: momentum (when momentum > 0). Adam, AdamW: (momentum, velocity),
        then velocity_hat (amsgrad). Adagrad: accumulator. Adamax: (momentum, norm). Nadam:
        (momentum, velocity), then `variable`. RMSprop: velocity, then momentum (momentum >
        0), then average_gradient (centered). A parameter that has taken no step yet gets
        its slots' initial values, those of Keras's freshly built optimizer.

        >>> w = ag.Tensor([0.0, 0.0], requires_grad=True, name="dense/bias")
        >>> for name, value in Adam().state_arrays([w], paths=["sequential/dense/bias"]):
        ...     print(name, value.shape, value.dtype)
        iteration () int64
        learning_rate () float32
        sequential_dense_bias_momentum (2,) float32
        sequential_dense_bias_velocity (2,) float32
        """
        params = list(params)
        if paths is None:
            paths = [p.name or "variable" for p in params]
        elif len(paths) != len(params):
            raise ValueError(
                f"{type(self).__name__}.state_arrays: {len(paths)} paths for "
                f"{len(params)} parameters"
            )
        arrays = [("iteration", np.array(self.iterations, dtype=np.int64))]
        if not isinstance(self._learning_rate, LearningRateSchedule):
            arrays.append(("learning_rate", np.array(self._learning_rate, dtype=np.float32)))
        for group in self.slot_groups:
            for p, path in zip(params, paths):
                slots = self._slots.get(p)
                for slot in group:
                    value = (
                        np.array(slots[slot])
                        if slots is not None
                        else np.full(p.shape, self.slot_initial_value(slot), p.dtype)
                    )
                    arrays.append((f"{path.replace('/', '_')}_{slot}", value))
        return arrays + self.shared_state(params)

    def load_state_arrays(self, params: Iterable[ag.Tensor], arrays: Sequence[Any]) -> None:
        """Set the state for `params` from `arrays`, in `state_arrays`'s order (Keras's
        `optimizer.variables`, e.g. read from a .keras file). All of them are checked first
        (their count, shapes, that they hold numbers, iteration >= 0 and a learning rate in
        (0, inf)) and then assigned, each cast to its slot's dtype: a failed load changes
        nothing.

        >>> w = ag.Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = SGD(momentum=0.9)
        >>> opt.load_state_arrays([w], [5, 0.1, [0.5, -0.5]])
        >>> opt.iterations, opt.learning_rate, opt.state_arrays([w])[2][1]
        (5, 0.10000000149011612, array([ 0.5, -0.5], dtype=float32))
        """
        params = list(params)
        caller = f"{type(self).__name__}.load_state_arrays"
        expected = self.state_arrays(params)
        arrays = list(arrays)
        if len(arrays) != len(expected):
            shown = ", ".join(name for name, _ in expected[:4])
            raise ValueError(
                f"{caller}: expected {len(expected)} arrays for {len(params)} parameters "
                f"({shown}{', ...' if len(expected) > 4 else ''}), got {len(arrays)}"
            )
        values = []
        for i, ((name, now), given) in enumerate(zip(expected, arrays)):
            value = np.asarray(given)
            if value.dtype.kind not in "biuf":
                raise TypeError(f"{caller}: array {i} ({name}) must hold numbers, got {value!r}")
            if value.shape != now.shape:
                raise ValueError(
                    f"{caller}: array {i} ({name}) must have shape {now.shape}, got {value.shape}"
                )
            values.append(value.astype(now.dtype))
        iteration = int(values[0])
        if iteration < 0:
            raise ValueError(f"{caller}: iteration must be >= 0, got {iteration}")
        has_rate = not isinstance(self._learning_rate, LearningRateSchedule)
        if has_rate:
            rate = check_in_range(caller, "learning_rate", float(values[1]), "(0, inf)")
        # everything is checked: from here on nothing fails
        self.iterations = iteration
        if has_rate:
            self._learning_rate = rate
        position = 1 + has_rate
        for p in params:
            if self._slots.get(p) is None:
                self._slots.put(p, {name: np.empty(p.shape, p.dtype) for name in self.slot_names})
        for group in self.slot_groups:
            for p in params:
                slots = self._slots.get(p)
                for slot in group:
                    np.copyto(slots[slot], values[position])
                    position += 1
        self.set_shared_state(values[position:])

    # --- configs ---------------------------------------------------------------------------

    def get_config(self) -> dict[str, Any]:
        """Keras 3's config: name, learning_rate (a schedule as its record), the base
        arguments, then the optimizer's own."""
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            learning_rate = schedules.serialize(rate)
        else:  # Keras reads back its float32 variable: 0.001 is written 0.0010000000474974513
            learning_rate = float(np.float32(rate))
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            **{argument: getattr(self, argument) for argument in BASE_ARGUMENTS},
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        """The optimizer `get_config()` (nn's or Keras's) describes, with fresh state."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), Mapping):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        rate = self._learning_rate
        shown = repr(rate) if isinstance(rate, LearningRateSchedule) else f"{rate:g}"
        return f"{type(self).__name__}(learning_rate={shown})"


class SGD(Optimizer):
    """Gradient descent, with optional momentum (Keras's form, not PyTorch's).

    plain:     w -= g lr
    momentum:  m = m momentum - g lr;  w += m
    nesterov:  m = m momentum - g lr;  w += m momentum - g lr
    """

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **arguments: Any,
    ) -> None:
        super().__init__(learning_rate, **arguments)
        kind = type(self).__name__
        self.momentum = check_in_range(kind, "momentum", momentum, "[0, 1]")
        self.nesterov = check_flag(kind, "nesterov", nesterov)
        self.slot_groups = (("momentum",),) if self.momentum else ()
        self.work_arrays = 1 if self.momentum else 0

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        return self.learning_rate_as(dtype), dtype.type(self.momentum)

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        lr, momentum = scalars
        if not self.momentum:
            np.multiply(g, lr, out=out)  # w -= g lr
            return
        (g_lr,) = work
        np.multiply(g, lr, out=g_lr)
        m = slots["momentum"]
        m *= momentum  # m = m momentum - g lr
        m -= g_lr
        # Keras adds x to w; `out` is -x, the same floats: negation is exact and rounding to
        # nearest is symmetric about 0, so g lr - m momentum rounds to -(m momentum - g lr)
        if self.nesterov:
            np.multiply(m, momentum, out=out)  # w += m momentum - g lr
            np.subtract(g_lr, out, out=out)
        else:
            np.negative(m, out=out)  # w += m

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class _Moments(Optimizer):
    """What Adam, AdamW, Adamax and Nadam share: the decay rates of their first and second
    moment estimates, `beta_1` and `beta_2`, and `epsilon`, with Keras's defaults."""

    beta_2_interval = "[0, 1)"

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **arguments: Any,
    ) -> None:
        super().__init__(learning_rate, **arguments)
        kind = type(self).__name__
        self.beta_1 = check_in_range(kind, "beta_1", beta_1, "[0, 1)")
        self.beta_2 = check_in_range(kind, "beta_2", beta_2, self.beta_2_interval)
        self.epsilon = check_in_range(kind, "epsilon", epsilon, "[0, inf)")

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


class Adam(_Moments):
    """Adam with bias correction, in Keras's "epsilon hat" form (t = iterations + 1):

        m += (g - m)(1 - beta_1);   v += (g^2 - v)(1 - beta_2)
        alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t);   w -= m alpha / (sqrt(v) + epsilon)

    With `amsgrad=True` the denominator uses the largest v so far: v_hat = max(v_hat, v),
    w -= m alpha / (sqrt(v_hat) + epsilon).
    (PyTorch writes w -= lr m_hat / (sqrt(v_hat) + eps): the same up to where eps sits.)
    As in Keras, t, beta^t and alpha are computed in the weights' dtype; `1 - beta` is
    computed in Python and then rounded to it.

    >>> import autograd_lite as ag
    >>> w = ag.Tensor([0.0], requires_grad=True)
    >>> w.grad = np.array([0.1], dtype=np.float32)
    >>> Adam().step([w])
    >>> float(w.data[0])  # Keras's float32 number (float64: -9.99968e-4; the paper: -9.99999e-4)
    -0.0009999617468565702
    """

    work_arrays = 1

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **arguments: Any,
    ) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **arguments)
        self.amsgrad = check_flag(type(self).__name__, "amsgrad", amsgrad)
        self.slot_groups = (("momentum", "velocity"),) + ((("velocity_hat",),) if amsgrad else ())

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        real = dtype.type
        t = real(self.iterations + 1)
        beta_1_power, beta_2_power = real(self.beta_1) ** t, real(self.beta_2) ** t
        alpha = self.learning_rate_as(dtype) * np.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        return alpha, real(1 - self.beta_1), real(1 - self.beta_2), real(self.epsilon)

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        alpha, one_minus_beta_1, one_minus_beta_2, epsilon = scalars
        m, v = slots["momentum"], slots["velocity"]
        (a,) = work  # Keras's operations one by one, in place (each rounds as Keras's does)
        np.subtract(g, m, out=a)  # m += (g - m)(1 - beta_1)
        a *= one_minus_beta_1
        m += a
        np.square(g, out=a)  # v += (g^2 - v)(1 - beta_2)
        a -= v
        a *= one_minus_beta_2
        v += a
        if self.amsgrad:
            v = np.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
        np.sqrt(v, out=a)  # w -= m alpha / (sqrt(v) + epsilon)
        a += epsilon
        np.multiply(m, alpha, out=out)
        out /= a

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): before each Adam update,
    w -= w weight_decay learning_rate. Keras's defaults: weight_decay 0.004, required.

    >>> w = ag.Tensor([2.0], requires_grad=True)
    >>> w.grad = np.zeros(1, dtype=np.float32)
    >>> AdamW(learning_rate=1.0).step([w]); float(w.data[0])  # 2 - 2 0.004 1, then Adam's 0
    1.9919999837875366
    """

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **arguments: Any,
    ) -> None:
        # None would turn the decay off, as in Adam: Keras refuses it here
        check_in_range(type(self).__name__, "weight_decay", weight_decay, "[0, inf)")
        super().__init__(
            learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **arguments
        )


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients so far.

        accumulator += g^2;   w -= lr g / sqrt(accumulator + epsilon)

    The accumulator starts at `initial_accumulator_value` (Keras's 0.1), not 0.

    >>> w = ag.Tensor([1.0], requires_grad=True)
    >>> w.grad = np.array([0.3], dtype=np.float32)
    >>> Adagrad(learning_rate=0.1).step([w]); float(w.data[0])  # 1 - 0.1 0.3 / sqrt(0.19)
    0.9311752915382385
    """

    slot_groups = (("accumulator",),)
    work_arrays = 1

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **arguments: Any,
    ) -> None:
        super().__init__(learning_rate, **arguments)
        kind = type(self).__name__
        self.initial_accumulator_value = check_in_range(
            kind, "initial_accumulator_value", initial_accumulator_value, "[0, inf)"
        )
        self.epsilon = check_in_range(kind, "epsilon", epsilon, "[0, inf)")

    def slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        return self.learning_rate_as(dtype), dtype.type(self.epsilon)

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        lr, epsilon = scalars
        accumulator = slots["accumulator"]
        (a,) = work
        np.square(g, out=a)  # accumulator += g^2
        accumulator += a
        np.add(accumulator, epsilon, out=a)  # w -= (lr g) / sqrt(accumulator + epsilon)
        np.sqrt(a, out=a)
        np.multiply(g, lr, out=out)
        out /= a

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class Adamax(_Moments):
    """Adamax, Adam with the infinity norm (Kingma and Ba, section 7.1; t = iterations + 1):

        m += (g - m)(1 - beta_1);   u = max(beta_2 u, |g|)
        w -= lr m / ((1 - beta_1^t)(u + epsilon))

    >>> w = ag.Tensor([1.0], requires_grad=True)
    >>> w.grad = np.array([-0.5], dtype=np.float32)
    >>> Adamax(learning_rate=0.1).step([w]); float(w.data[0])  # first step: w += lr
    1.0999999046325684
    """

    slot_groups = (("momentum", "norm"),)
    work_arrays = 1
    beta_2_interval = "[0, 1]"  # 1: u is the largest |g| so far, still a valid step

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        real = dtype.type
        beta_1_power = real(self.beta_1) ** real(self.iterations + 1)
        return (
            self.learning_rate_as(dtype),
            real(1 - self.beta_1),
            real(self.beta_2),
            real(1) - beta_1_power,
            real(self.epsilon),
        )

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        lr, one_minus_beta_1, beta_2, one_minus_beta_1_power, epsilon = scalars
        m, u = slots["momentum"], slots["norm"]
        (a,) = work
        np.subtract(g, m, out=a)  # m += (g - m)(1 - beta_1)
        a *= one_minus_beta_1
        m += a
        u *= beta_2  # u = max(beta_2 u, |g|)
        np.abs(g, out=a)
        np.maximum(u, a, out=u)
        np.add(u, epsilon, out=a)  # w -= (lr m) / ((1 - beta_1^t)(u + epsilon))
        a *= one_minus_beta_1_power
        np.multiply(m, lr, out=out)
        out /= a


class Nadam(_Moments):
    """Nadam, Adam with Nesterov momentum (Dozat 2015), as Keras writes it (t = iterations +
    1; every quantity in the weights' dtype):

        mu_t = beta_1 (1 - 0.5 0.96^t);   mu_{t+1} likewise;   P_t = mu_1 mu_2 ... mu_t
        m += (g - m)(1 - beta_1);   v += (g^2 - v)(1 - beta_2)
        m_hat = mu_{t+1} m / (1 - P_t mu_{t+1}) + (1 - mu_t) g / (1 - P_t)
        v_hat = v / (1 - beta_2^t);   w -= m_hat lr / (sqrt(v_hat) + epsilon)

    P_t is state (Keras's variable `u_product`), multiplied by mu_t at every step in the dtype
    of the first parameter, as Keras does.

    >>> w = ag.Tensor([1.0], requires_grad=True)
    >>> w.grad = np.array([1.0], dtype=np.float32)
    >>> Nadam(learning_rate=0.5).step([w]); float(w.data[0])  # Keras's test: 0.4686
    0.468606173992157
    """

    slot_groups = (("momentum", "velocity"),)
    work_arrays = 2
    _u_product: np.floating | None = None  # P_t, set by the first step (or a load)

    def _momentum_factor(self, real: type, t: np.floating) -> np.floating:
        """mu_t = beta_1 (1 - 0.5 0.96^t)"""
        return real(self.beta_1) * (real(1) - real(0.5) * real(0.96) ** t)

    def begin_step(self, dtype: np.dtype) -> None:
        if self._u_product is None:
            self._u_product = dtype.type(1)
        real = type(self._u_product)
        # Keras's grouping, (P beta_1)(1 - 0.5 0.96^t), not P mu_t: they round differently
        decay = real(1) - real(0.5) * real(0.96) ** real(self.iterations + 1)
        self._u_product = self._u_product * real(self.beta_1) * decay

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        real = dtype.type
        t = real(self.iterations + 1)
        u_t, u_t_1 = self._momentum_factor(real, t), self._momentum_factor(real, t + real(1))
        u_product_t = real(self._u_product)
        one = real(1)
        return (
            self.learning_rate_as(dtype),
            one - real(self.beta_1),
            one - real(self.beta_2),
            u_t_1,
            one - u_product_t * u_t_1,
            one - u_t,
            one - u_product_t,
            one - real(self.beta_2) ** t,
            real(self.epsilon),
        )

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        (
            lr,
            one_minus_beta_1,
            one_minus_beta_2,
            u_t_1,
            one_minus_u_product_t_1,
            one_minus_u_t,
            one_minus_u_product_t,
            one_minus_beta_2_power,
            epsilon,
        ) = scalars
        m, v = slots["momentum"], slots["velocity"]
        a, b = work
        np.subtract(g, m, out=a)  # m += (g - m)(1 - beta_1)
        a *= one_minus_beta_1
        m += a
        np.square(g, out=a)  # v += (g^2 - v)(1 - beta_2)
        a -= v
        a *= one_minus_beta_2
        v += a
        np.multiply(m, u_t_1, out=a)  # m_hat = (mu_{t+1} m) / (1 - P_t mu_{t+1})
        a /= one_minus_u_product_t_1
        np.multiply(g, one_minus_u_t, out=b)  #       + ((1 - mu_t) g) / (1 - P_t)
        b /= one_minus_u_product_t
        a += b
        np.divide(v, one_minus_beta_2_power, out=b)  # w -= (m_hat lr) / (sqrt(v_hat) + eps)
        np.sqrt(b, out=b)
        b += epsilon
        np.multiply(a, lr, out=out)
        out /= b

    def shared_state(self, params: list[ag.Tensor]) -> StateArrays:
        dtype = params[0].dtype if params else np.dtype(np.float32)
        product = dtype.type(1) if self._u_product is None else self._u_product
        return [("variable", np.array(product))]  # Keras made it unnamed: "variable"

    def set_shared_state(self, arrays: list[np.ndarray]) -> None:
        (product,) = arrays
        self._u_product = product[()]


class RMSprop(Optimizer):
    """RMSprop as in Keras, with epsilon inside the square root:

        v = rho v + (1 - rho) g^2;   increment = lr g / sqrt(v + epsilon)
        w -= increment, or with momentum: s = momentum s + increment;  w -= s

    `centered=True` divides by an estimate of the gradient's variance instead: with
    a = rho a + (1 - rho) g, the denominator is sqrt(v - a^2 + epsilon).
    """

    work_arrays = 1

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **arguments: Any,
    ) -> None:
        super().__init__(learning_rate, **arguments)
        kind = type(self).__name__
        # rho = 1 would never update v: every step would be lr g / sqrt(epsilon)
        self.rho = check_in_range(kind, "rho", rho, "[0, 1)")
        self.momentum = check_in_range(kind, "momentum", momentum, "[0, 1]")
        self.epsilon = check_in_range(kind, "epsilon", epsilon, "[0, inf)")
        self.centered = check_flag(kind, "centered", centered)
        self.slot_groups = (
            (("velocity",),)
            + ((("momentum",),) if self.momentum > 0 else ())
            + ((("average_gradient",),) if self.centered else ())
        )

    def step_scalars(self, dtype: np.dtype) -> Scalars:
        real = dtype.type
        return (
            self.learning_rate_as(dtype),
            real(self.rho),
            real(1 - self.rho),
            real(self.momentum),
            real(self.epsilon),
        )

    def update_step(
        self, g: np.ndarray, slots: Slots, scalars: Scalars, work: Work, out: np.ndarray
    ) -> None:
        lr, rho, one_minus_rho, momentum, epsilon = scalars
        v = slots["velocity"]
        (a,) = work
        v *= rho  # v = rho v + (1 - rho) g^2
        np.square(g, out=a)
        a *= one_minus_rho
        v += a
        if self.centered:
            average = slots["average_gradient"]
            average *= rho  # a = rho a + (1 - rho) g
            np.multiply(g, one_minus_rho, out=a)
            average += a
            np.square(average, out=a)  # denominator: sqrt((v - a^2) + epsilon)
            np.subtract(v, a, out=a)
            a += epsilon
        else:
            np.add(v, epsilon, out=a)  # denominator: sqrt(v + epsilon)
        np.sqrt(a, out=a)
        np.multiply(g, lr, out=out)  # increment = (lr g) / denominator
        out /= a
        if self.momentum > 0:
            s = slots["momentum"]
            s *= momentum  # s = momentum s + increment; w -= s
            s += out
            np.copyto(out, s)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


ALL_OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, Adagrad, Adamax, Nadam, RMSprop)
}


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """The optimizer as Keras's record: {"module": "keras.optimizers", "class_name",
    "config", "registered_name"}.

    >>> serialize(SGD(name="sgd"))["config"]["learning_rate"]  # float32's 0.01, as Keras
    0.009999999776482582
    """
    return serialization.serialize(optimizer, MODULE)


def deserialize(record: Mapping[str, Any]) -> Optimizer:
    """The optimizer a `serialize` record (nn's or Keras's) describes; the class name is
    matched without regard to case, as Keras does ("adam" is Adam).

    >>> deserialize({"class_name": "adamw", "config": {"learning_rate": 0.01}})
    AdamW(learning_rate=0.01)
    """
    name = record.get("class_name") if isinstance(record, Mapping) else None
    if isinstance(name, str) and name.lower() in ALL_OPTIMIZERS:
        record = {**record, "class_name": ALL_OPTIMIZERS[name.lower()].__name__}
    classes = {cls.__name__: cls for cls in ALL_OPTIMIZERS.values()}
    return serialization.deserialize(record, classes, "optimizer")


def get(identifier: str | Mapping[str, Any] | Optimizer | None) -> Optimizer | None:
    """An Optimizer for a name (Keras's: "adam", "adamw", "sgd", "rmsprop", "adagrad",
    "adamax", "nadam"; any case; with defaults), a `serialize` record, or an instance;
    None for None, as Keras.

    >>> get("adam")
    Adam(learning_rate=0.001)
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    name = identifier.lower() if isinstance(identifier, str) else identifier
    hint = "or pass an instance such as Adam(learning_rate=0.001), or a serialize() record"
    return lookup("optimizer", name, ALL_OPTIMIZERS, hint)()
