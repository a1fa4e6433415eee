"""Activation layers, Keras's `ReLU`, `LeakyReLU`, `Softmax` and `Activation`: an activation
function as a layer of its own, with no weights, e.g. `Dense(25)` followed by `LeakyReLU()`.

Each calls the function of `nn.activations` (made of engine ops, so the engine gives the
gradient) and keeps the input's shape. Like Keras's, these layers take inputs of any
shape, on every call.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd_lite as ag

from .. import activations
from ..utils import check_number
from .base import ElementwiseLayer


class ReLU(ElementwiseLayer):
    """f(x) = max(x, 0), with Keras 3's options (see `nn.activations.relu`):

        f(x) = min(x, max_value)                 for x > threshold
        f(x) = negative_slope * (x - threshold)  for x <= threshold (0 at x = threshold)

    >>> import numpy as np
    >>> ReLU(max_value=6.0)(np.array([[-1.0, 3.0, 9.0]])).numpy()
    array([[0., 3., 6.]], dtype=float32)
    """

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and check_number("ReLU", "max_value", max_value) < 0:
            raise ValueError(  # Keras's words
                f"max_value of a ReLU layer cannot be a negative value. Received: "
                f"max_value={max_value}"
            )
        for argument, value in (("negative_slope", negative_slope), ("threshold", threshold)):
            if value is None or check_number("ReLU", argument, value) < 0:
                raise ValueError(
                    f"{argument} of a ReLU layer cannot be None or a negative value. "
                    f"Received: {argument}={value}"
                )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return activations.relu(
            x,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(ElementwiseLayer):
    """f(x) = x for x > 0, else negative_slope * x. The default slope is 0.3, as Keras 3's
    layer (the function `nn.activations.leaky_relu` and the name 'leaky_relu' use 0.2).

    `alpha=` is tf.keras 2's name for the slope: accepted with Keras 3's warning.

    >>> import numpy as np
    >>> LeakyReLU()(np.array([[-2.0, 3.0]])).numpy()
    array([[-0.6,  3. ]], dtype=float32)
    """

    def __init__(
        self, negative_slope: float = 0.3, alpha: float | None = None, **kwargs: Any
    ) -> None:
        if alpha is not None:
            negative_slope = alpha
            warnings.warn(  # Keras 3's words
                "Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2
            )
        super().__init__(**kwargs)
        if (
            negative_slope is None
            or check_number("LeakyReLU", "negative_slope", negative_slope) < 0
        ):
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative "
                f"value. Expected a float. Received: negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return activations.leaky_relu(x, negative_slope=self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class Softmax(ElementwiseLayer):
    """Probabilities along `axis`: f(x)_i = e^(x_i) / sum_j e^(x_j).

    >>> import numpy as np
    >>> Softmax()(np.array([[0.0, np.log(3.0)]])).numpy()
    array([[0.25, 0.75]], dtype=float32)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"Softmax: axis must be an integer, got {axis!r}")
        self.axis = int(axis)

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return activations.softmax(x, axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Activation(ElementwiseLayer):
    """Applies `activation`, given by name ('relu', 'sigmoid', ...) or as a function.

    >>> import numpy as np
    >>> Activation("sigmoid")(np.array([[0.0]])).numpy()
    array([[0.5]], dtype=float32)
    """

    def __init__(self, activation: str | Callable[..., Any] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = self.resolve(activations.get, activation)

    def call(self, x: ag.Tensor) -> ag.Tensor:
        return self.activation(x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
