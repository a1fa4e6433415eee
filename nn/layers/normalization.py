"""BatchNormalization, as Keras 3's: each feature normalized by the batch's statistics in
training and by moving averages of them in inference, then scaled and shifted."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_lite as ag

from .. import initializers, regularizers
from .base import Layer, Shape, check_flag, format_shape, supported


class BatchNormalization(Layer):
    """Normalize each feature (the `axis` entries, channels by default), as Keras 3's
    BatchNormalization:

        output = gamma * (x - mean) / sqrt(variance + epsilon) + beta

    computed as TensorFlow does, `x * inv + (beta - mean * inv)` with
    `inv = gamma / sqrt(variance + epsilon)`.

    With `training=True` (in `fit`), mean and variance are the batch's, over every axis but
    `axis` (the biased variance, dividing by the count), and gradients flow through them;
    the moving statistics then follow the batch's:

        moving_mean     = moving_mean * momentum + mean * (1 - momentum)
        moving_variance = moving_variance * momentum + variance * (1 - momentum)

    with the same biased variance (Keras 3; tf.keras 2's fused kernel folded in the unbiased
    one, n / (n - 1) times larger). Otherwise (predict, evaluate, a plain call) mean and
    variance are the moving statistics.

    Weights, in Keras's order: gamma (ones; only with scale=True) and beta (zeros; only with
    center=True) are trained; moving_mean (zeros) and moving_variance (ones) are
    non-trainable: `summary()` counts them as Non-trainable params and the optimizer never
    sees them, but `get_weights` and `save_weights` include them.

    A frozen layer (`trainable = False`) normalizes with the moving statistics even with
    training=True, and leaves them unchanged, as Keras 3 (fine-tuning keeps the statistics
    learnt before). `gamma_regularizer` and `beta_regularizer` add penalties to `losses`;
    Keras's constraints (None), renorm (False) and synchronized (False: Keras allows it on
    TensorFlow only) are accepted with those values only.

    >>> import numpy as np
    >>> layer = BatchNormalization(epsilon=0.0)
    >>> x = np.array([[1.0], [3.0]])
    >>> layer(x, training=True).data[:, 0]            # (x - 2) / 1
    array([-1.,  1.], dtype=float32)
    >>> [w.name.split("/")[1] for w in layer.weights]
    ['gamma', 'beta', 'moving_mean', 'moving_variance']
    >>> layer.moving_mean.data, layer.moving_variance.data   # 0.99 * 0 + 0.01 * 2, and 1
    (array([0.02], dtype=float32), array([1.], dtype=float32))
    >>> layer(x).data[:, 0]                           # inference: the moving statistics
    array([0.98, 2.98], dtype=float32)
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        renorm: bool = False,
        renorm_clipping: Any = None,
        renorm_momentum: float = 0.99,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        kind = "BatchNormalization"
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{kind}: axis must be an integer (-1: the last axis), got {axis!r}")
        if not _is_real(momentum) or not 0 <= momentum <= 1:
            raise ValueError(f"{kind}: momentum must be a number in [0, 1], got {momentum!r}")
        if not _is_real(epsilon) or not epsilon >= 0:
            raise ValueError(f"{kind}: epsilon must be a non-negative number, got {epsilon!r}")
        if not _is_real(renorm_momentum):
            raise ValueError(f"{kind}: renorm_momentum must be a number, got {renorm_momentum!r}")
        for argument, value, choices in (
            ("beta_constraint", beta_constraint, (None,)),
            ("gamma_constraint", gamma_constraint, (None,)),
            ("renorm", renorm, (False,)),
            ("renorm_clipping", renorm_clipping, (None,)),
            ("synchronized", synchronized, (False,)),
        ):
            supported(kind, argument, value, choices)
        self.center = check_flag(kind, "center", center)
        self.scale = check_flag(kind, "scale", scale)
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.renorm_momentum = renorm_momentum
        self.beta_initializer = self.resolve(initializers.get, beta_initializer)
        self.gamma_initializer = self.resolve(initializers.get, gamma_initializer)
        self.moving_mean_initializer = self.resolve(initializers.get, moving_mean_initializer)
        self.moving_variance_initializer = self.resolve(
            initializers.get, moving_variance_initializer
        )
        self.beta_regularizer = self.resolve(regularizers.get, beta_regularizer)
        self.gamma_regularizer = self.resolve(regularizers.get, gamma_regularizer)
        self.feature_axis = self.axis  # axis as a non-negative index, once built
        self.gamma: ag.Tensor | None = None
        self.beta: ag.Tensor | None = None

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(
                f"Layer '{self.name}' (BatchNormalization): axis={self.axis} is not a feature "
                f"axis of inputs of shape {format_shape(input_shape)} (axis 0 is the batch)"
            )
        self.feature_axis = self.axis % ndim
        shape = (input_shape[self.feature_axis],)
        if self.scale:
            self.gamma = self.add_weight(
                "gamma", shape, self.gamma_initializer, regularizer=self.gamma_regularizer
            )
        if self.center:
            self.beta = self.add_weight(
                "beta", shape, self.beta_initializer, regularizer=self.beta_regularizer
            )
        self.moving_mean = self.add_weight(
            "moving_mean", shape, self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            "moving_variance", shape, self.moving_variance_initializer, trainable=False
        )

    def check_input_shape(self, shape: Any) -> None:
        """The same number of axes, and of features along `axis`, as the layer was built for."""
        expected, axis = self.input_shape, self.feature_axis
        if len(shape) != len(expected) or shape[axis] != expected[axis]:
            raise ValueError(
                f"Input of layer '{self.name}' (BatchNormalization) is incompatible: the layer "
                f"was built for input shape {format_shape(expected)} (axis {axis} with "
                f"{expected[axis]} features), but received input with shape "
                f"{format_shape(shape)}"
            )

    def call(self, x: ag.Tensor, training: bool = False) -> ag.Tensor:
        axis = self.feature_axis
        if x.ndim != len(self.input_shape) or x.shape[axis] != self.moving_mean.shape[0]:
            self.check_input_shape(x.shape)
        reduced = tuple(a for a in range(x.ndim) if a != axis)
        features = tuple(n if a == axis else 1 for a, n in enumerate(x.shape))
        if training and self.trainable:  # a frozen layer runs in inference mode (Keras 3)
            mean = ag.mean(x, axis=reduced, keepdims=True)
            centered = x - mean
            variance = ag.mean(centered * centered, axis=reduced, keepdims=True)  # biased
            self.update_moving_average(self.moving_mean, mean.reshape(-1), self.momentum)
            self.update_moving_average(self.moving_variance, variance.reshape(-1), self.momentum)
        else:
            mean = self.moving_mean.reshape(features)
            variance = self.moving_variance.reshape(features)
        inv = 1 / ag.sqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * self.gamma.reshape(features)
        shift = -mean * inv if self.beta is None else self.beta.reshape(features) - mean * inv
        return x * inv + shift

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": None,
            "gamma_constraint": None,
            "synchronized": False,
            "renorm": False,
            "renorm_clipping": None,
            "renorm_momentum": self.renorm_momentum,
        }


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
