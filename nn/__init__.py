"""nn: a Keras-style library (layers, losses, optimizers, Sequential) built on autograd_lite.

Every gradient comes from the engine: layers and losses are compositions of engine ops.

    >>> import numpy as np, nn
    >>> nn.set_seed(1234)
    >>> model = nn.Sequential([
    ...     nn.Input(shape=(4,)),
    ...     nn.Dense(8, activation="relu", name="L1"),
    ...     nn.Dense(3, activation="linear", name="L2"),
    ... ])
    >>> model.compile(loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
    ...               optimizer=nn.optimizers.Adam(learning_rate=0.01))
    >>> x = np.random.default_rng(0).normal(size=(60, 4))
    >>> y = x[:, :3].argmax(axis=1)
    >>> history = model.fit(x, y, epochs=50, verbose=0)
    >>> bool(history.history["loss"][-1] < history.history["loss"][0] / 3)
    True
    >>> nn.softmax(model.predict(x[:2])).numpy().sum(axis=1).round(5)
    array([1., 1.], dtype=float32)
"""

from . import (
    activations,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
    utils,
)
from .activations import softmax
from .callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from .diagnostics import TrainingDiagnostics, plot_diagnostics
from .explain import explain
from .gradient_check import check_gradients
from .keras_files import KerasFileError
from .layers import (
    Activation,
    AveragePooling1D,
    AveragePooling2D,
    BatchNormalization,
    Conv1D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    Input,
    KerasTensor,
    Layer,
    LeakyReLU,
    MaxPooling1D,
    MaxPooling2D,
    ReLU,
    Reshape,
    Softmax,
    clear_session,
)
from .models import Sequential, load_model, model_from_json
from .onnx_export import compare_with_onnx
from .plot import plot_model
from .receptive_fields import plot_receptive_fields, receptive_fields
from .saving import WeightsFileError
from .utils import set_random_seed, set_seed

__all__ = [
    "Activation",
    "AveragePooling1D",
    "AveragePooling2D",
    "BatchNormalization",
    "CSVLogger",
    "Callback",
    "Conv1D",
    "Conv2D",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "History",
    "Input",
    "KerasFileError",
    "KerasTensor",
    "LambdaCallback",
    "Layer",
    "LeakyReLU",
    "LearningRateScheduler",
    "MaxPooling1D",
    "MaxPooling2D",
    "ModelCheckpoint",
    "ReLU",
    "ReduceLROnPlateau",
    "Reshape",
    "Sequential",
    "Softmax",
    "TerminateOnNaN",
    "TrainingDiagnostics",
    "WeightsFileError",
    "activations",
    "callbacks",
    "check_gradients",
    "clear_session",
    "compare_with_onnx",
    "explain",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "model_from_json",
    "optimizers",
    "plot_diagnostics",
    "plot_model",
    "plot_receptive_fields",
    "receptive_fields",
    "regularizers",
    "set_random_seed",
    "set_seed",
    "softmax",
    "utils",
]
