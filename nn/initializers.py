"""Weight initializers, as Keras 3's classes: `initializer(shape, dtype) -> numpy array`, with
`get_config`/`from_config`, given to layers as instances or by Keras's names.

    Dense(25, kernel_initializer=GlorotUniform(seed=1), bias_initializer="zeros")

The random ones draw from `ag.random_generator()`, so `nn.set_seed(s)` (or
`ag.manual_seed(s)`) makes every model's initial weights reproducible; given a `seed`, an
initializer draws from its own generator seeded with it, and so gives the same values on
every call (as Keras's seeded initializers; the values themselves are numpy's, not those of
Keras's backends).

The functions `zeros`, `ones`, `glorot_uniform`, `he_uniform` and `random_normal` are the
unseeded classes called once.

    >>> import nn
    >>> nn.set_seed(0)
    >>> w = glorot_uniform((400, 25))
    >>> w.dtype, bool(abs(w).max() <= (6 / 425) ** 0.5)
    (dtype('float32'), True)
    >>> get("he_normal")
    HeNormal(seed=None, input_axes=None, output_axes=None)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

import autograd_lite as ag

from . import serialization
from .activations import function_record, read_record
from .utils import check_number, lookup

Shape = tuple[int, ...]
InitializerFunction = Callable[[Shape, Any], np.ndarray]  # any (shape, dtype) -> array


class Initializer(serialization.Configurable):
    """The base class: `initializer(shape, dtype)` returns a new array; `get_config()` the
    arguments that rebuild it (none here)."""

    def __call__(self, shape: Shape, dtype: Any = np.float32) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement __call__")

    def get_config(self) -> dict[str, Any]:
        return {}


class Zeros(Initializer):
    """All zeros (Keras's default for biases).

    >>> Zeros()((2,))
    array([0., 0.], dtype=float32)
    """

    def __call__(self, shape: Shape, dtype: Any = np.float32) -> np.ndarray:
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    """All ones.

    >>> Ones()((2,))
    array([1., 1.], dtype=float32)
    """

    def __call__(self, shape: Shape, dtype: Any = np.float32) -> np.ndarray:
        return np.ones(shape, dtype=dtype)


class Constant(Initializer):
    """Every value `value` (a number).

    >>> Constant(0.5)((2,))
    array([0.5, 0.5], dtype=float32)
    """

    def __init__(self, value: float = 0.0) -> None:
        check_number("Constant", "value", value)
        self.value = value

    def __call__(self, shape: Shape, dtype: Any = np.float32) -> np.ndarray:
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomInitializer(Initializer):
    """What the random initializers share: `seed` (None: the library's generator, which
    `nn.set_seed` seeds; an integer: a generator of its own, the same values on every call)."""

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise ValueError(
                f"{type(self).__name__}: seed must be None or a non-negative integer, got {seed!r}"
            )
        self.seed = None if seed is None else int(seed)

    def generator(self) -> np.random.Generator:
        """Where this call draws from."""
        return ag.random_generator() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """Normal with mean `mean` and standard deviation `stddev`: mean + stddev * z.

    >>> RandomNormal(mean=1.0, stddev=0.0)((2,))
    array([1., 1.], dtype=float32)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean = check_number("RandomNormal", "mean", mean)
        self.stddev = check_number("RandomNormal", "stddev", stddev)
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = np.float32) -> np.ndarray:
        z = self.generator().standard_normal(shape)
        return (self.mean + self.stddev * z).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform in [minval, maxval).

    >>> w = RandomUniform(minval=2.0, maxval=3.0)((100,))
    >>> bool(w.min() >= 2.0 and w.max() < 3.0)
    True
    """

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        self.minval = check_number("RandomUniform", "minval", minval)
        self.maxval = check_number("RandomUniform", "maxval", maxval)
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = np.float32) -> np.ndarray:
        return self.generator().uniform(self.minval, self.maxval, size=shape).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def truncated_normal(generator: np.random.Generator, shape: Shape) -> np.ndarray:
    """Standard normal values, each one beyond 2 (in absolute value) drawn again, as Keras's
    truncated normal."""
    z = generator.standard_normal(shape)
    outside = np.abs(z) > 2
    while outside.any():
        z[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2
    return z


class TruncatedNormal(RandomInitializer):
    """Normal with mean `mean` and standard deviation `stddev` before truncation, values
    more than 2 stddev from the mean drawn again.

    >>> w = TruncatedNormal(stddev=1.0)((1000,))
    >>> bool(abs(w).max() <= 2.0)
    True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean = check_number("TruncatedNormal", "mean", mean)
        self.stddev = check_number("TruncatedNormal", "stddev", stddev)
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = np.float32) -> np.ndarray:
        z = truncated_normal(self.generator(), shape)
        return (self.mean + self.stddev * z).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(RandomInitializer):
    """Values of variance scale / n, with n = fan_in, fan_out or their mean (`mode`):

        uniform              uniform in [-limit, limit], limit = sqrt(3 * scale / n)
        untruncated_normal   normal, stddev = sqrt(scale / n)
        truncated_normal     truncated normal (see TruncatedNormal), stddev before truncation
                             sqrt(scale / n) / 0.87962566103423978 (so sqrt(scale / n) after)

    n is at least 1. The fans of a kernel (..., inputs, outputs) are inputs and outputs times
    the product of the leading axes (the receptive field); `input_axes` and `output_axes`
    name the axes to multiply instead. "normal" means "truncated_normal", as in Keras.

    >>> w = VarianceScaling(scale=2.0, distribution="uniform")((50, 10))  # He uniform
    >>> bool(abs(w).max() <= (6 / 50) ** 0.5)
    True
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        kind = type(self).__name__
        if check_number(kind, "scale", scale) <= 0:
            raise ValueError(f"{kind}: scale must be positive, got {scale!r}")
        if mode not in MODES:
            raise ValueError(f"{kind}: mode must be one of {MODES}, got {mode!r}")
        if isinstance(distribution, str) and distribution.lower() == "normal":
            distribution = "truncated_normal"
        if not isinstance(distribution, str) or distribution.lower() not in DISTRIBUTIONS:
            raise ValueError(
                f"{kind}: distribution must be one of {DISTRIBUTIONS}, got {distribution!r}"
            )
        for argument, axes in (("input_axes", input_axes), ("output_axes", output_axes)):
            if axes is not None and not (
                isinstance(axes, (list, tuple))
                and all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes)
            ):
                raise ValueError(f"{kind}: {argument} must be None or a list of axes, got {axes!r}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution.lower()
        self.input_axes = None if input_axes is None else [int(a) for a in input_axes]
        self.output_axes = None if output_axes is None else [int(a) for a in output_axes]
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = np.float32) -> np.ndarray:
        fan_in, fan_out = fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        n = max(1.0, n)
        generator = self.generator()
        if self.distribution == "uniform":
            # 3 * scale / n in one division: for Glorot, sqrt(6 / (fan_in + fan_out)) exactly
            limit = math.sqrt(3.0 * self.scale / n)
            values = generator.uniform(-limit, limit, size=shape)
        elif self.distribution == "untruncated_normal":
            values = math.sqrt(self.scale / n) * generator.standard_normal(shape)
        else:
            stddev = math.sqrt(self.scale / n) / 0.87962566103423978  # N(0, 1) cut at 2: its std
            values = stddev * truncated_normal(generator, shape)
        return values.astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling with fixed scale, mode and distribution (Glorot, He, LeCun): its
    arguments are the seed and the axes only."""

    settings: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(
        self,
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        scale, mode, distribution = self.settings
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)) (Keras's default for
    kernels).

    >>> GlorotUniform(seed=1)((3, 5)).shape
    (3, 5)
    """

    settings = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out)) after truncation."""

    settings = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """Uniform in [-limit, limit], limit = sqrt(6 / fan_in) (suits ReLU layers)."""

    settings = (2.0, "fan_in", "uniform")


class HeNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(2 / fan_in) after truncation."""

    settings = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """Uniform in [-limit, limit], limit = sqrt(3 / fan_in)."""

    settings = (1.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(1 / fan_in) after truncation (for selu)."""

    settings = (1.0, "fan_in", "truncated_normal")


def fans(
    shape: Shape, input_axes: Sequence[int] | None = None, output_axes: Sequence[int] | None = None
) -> tuple[int, int]:
    """(fan_in, fan_out) as Keras computes them: a kernel (in, out) gives (in, out); one of
    shape (*receptive field, in, out) multiplies both by the receptive field's size.

    >>> fans((3, 3, 8, 16))
    (72, 144)
    """
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


CLASSES: dict[str, type[Initializer]] = {
    cls.__name__: cls
    for cls in (
        Zeros,
        Ones,
        Constant,
        RandomNormal,
        RandomUniform,
        TruncatedNormal,
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeUniform,
        HeNormal,
        LecunUniform,
        LecunNormal,
    )
}
# Keras 3's names: the classes', their snake case and its aliases
ALL_INITIALIZERS: dict[str, type[Initializer]] = {
    **CLASSES,
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "zero": Zeros,
    "one": Ones,
    "normal": RandomNormal,
    "uniform": RandomUniform,
}


def zeros(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """All zeros: Zeros()(shape, dtype).

    >>> zeros((2,))
    array([0., 0.], dtype=float32)
    """
    return Zeros()(shape, dtype)


def ones(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """All ones: Ones()(shape, dtype)."""
    return Ones()(shape, dtype)


def glorot_uniform(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """GlorotUniform()(shape, dtype): uniform in +-sqrt(6 / (fan_in + fan_out)).

    >>> glorot_uniform((3, 5)).shape
    (3, 5)
    """
    return GlorotUniform()(shape, dtype)


def he_uniform(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """HeUniform()(shape, dtype): uniform in +-sqrt(6 / fan_in)."""
    return HeUniform()(shape, dtype)


def random_normal(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """RandomNormal()(shape, dtype): mean 0, standard deviation 0.05 (Keras's defaults)."""
    return RandomNormal()(shape, dtype)


# the functions above given as initializers stand for their classes (in Keras 3 these names
# are the classes), so that a layer's config records the class
_FUNCTIONS: dict[int, type[Initializer]] = {
    id(zeros): Zeros,
    id(ones): Ones,
    id(glorot_uniform): GlorotUniform,
    id(he_uniform): HeUniform,
    id(random_normal): RandomNormal,
}


def get(identifier: Any) -> Initializer | InitializerFunction:
    """The initializer for a name (an instance of Keras's class of that name), a record as
    `serialize` writes it, an Initializer class, or a callable `(shape, dtype) -> array`
    (returned as is).

    >>> get("zeros"), get({"class_name": "Constant", "config": {"value": 2.0}})
    (Zeros(), Constant(value=2.0))
    """
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        cls = _FUNCTIONS.get(id(identifier))
        return identifier if cls is None else cls()
    return lookup(
        "initializer",
        identifier,
        ALL_INITIALIZERS,
        "or pass an Initializer, or a function (shape, dtype) -> array",
    )()


def serialize(initializer: Initializer | InitializerFunction) -> dict[str, Any]:
    """Keras's record of an initializer, as layer configs hold it.

    >>> serialize(get("glorot_uniform"))["config"]
    {'seed': None, 'input_axes': None, 'output_axes': None}
    """
    if isinstance(initializer, Initializer):
        return serialization.serialize(initializer, "keras.initializers")
    return function_record(initializer, "initializer")


def deserialize(record: Mapping[str, Any]) -> Initializer:
    """The initializer a `serialize` record describes."""
    return read_record(record, CLASSES, "initializer")
