"""ONNX export: a trained Sequential as an `.onnx` file, and a check that the file computes
what `predict` computes.

ONNX (Open Neural Network Exchange) is a file format for trained models: a graph of
standard operators (MatMul, Conv, Relu, ...) with the weights stored inside the file as
*initializers*. ONNX Runtime, and runtimes for C++, C#, Java, phones and browsers, run such a
file without Python, numpy or this library. Operators are versioned together in *opsets*; a
file names the opset it uses (21 by default here, the newest that onnx 1.16 and onnxruntime
1.18, the oldest versions the `export` extra allows, both know; any from 18 on can be asked
for).

The graph is the model in inference, what `predict` computes: Dropout passes its input on,
BatchNormalization uses its moving statistics. Its input is named after the model's input
(`model.input.name`) with a symbolic batch size "batch", so the file takes any number of
examples; its output is named "output". Each node is named after its layer and operator
("hidden/MatMul", "hidden/Relu"), each weight after the weight ("hidden/kernel"). Everything
is float32 (a float64 model is rounded to float32).

How each layer becomes ONNX operators (data stays channels last between layers, as in nn):

| nn                                | ONNX                                                       |
|-----------------------------------|------------------------------------------------------------|
| Dense                             | MatMul, Add (the bias, "BiasAdd"), then the activation     |
| Conv1D, Conv2D                    | Transpose to channels first, Conv, Transpose back, then    |
|                                   | the activation; the kernel is stored in ONNX's layout      |
|                                   | (filters, channels, *kernel_size), pads as nn computes     |
|                                   | them ('valid', 'same', 'causal'), strides, dilations       |
| MaxPooling1D/2D                   | Transpose, MaxPool (padding never wins a max), Transpose   |
| AveragePooling1D/2D               | Transpose, AveragePool with count_include_pad=0 ('same'    |
|                                   | averages the positions inside the input only, as Keras),   |
|                                   | Transpose                                                  |
| GlobalMax/AveragePooling1D/2D     | ReduceMax / ReduceMean over the spatial axes               |
| Flatten                           | Flatten (channels-last order, as nn flattens)              |
| Reshape                           | Reshape (0 keeps the batch size)                           |
| Dropout, Activation("linear")     | Identity                                                   |
| BatchNormalization                | nn's own arithmetic on the moving statistics:              |
|                                   | inv = gamma / sqrt(moving_variance + epsilon), shift =     |
|                                   | beta - moving_mean * inv (Add, Sqrt, Reciprocal, Mul,      |
|                                   | Sub); output = x * inv + shift (Mul, Add)                  |
| relu / ReLU, relu6                | Relu; threshold: Greater, Where; max_value (relu6: 6):     |
|                                   | Clip; negative_slope: Sub, Mul, Relu, Sub (nn's steps),    |
|                                   | or LeakyRelu when it is the only option                    |
| leaky_relu / LeakyReLU            | LeakyRelu                                                  |
| sigmoid, tanh, exponential        | Sigmoid, Tanh, Exp                                         |
| softmax / Softmax, log_softmax    | Softmax, LogSoftmax (axis)                                 |
| silu (swish)                      | Neg, Exp, Add, Div: x / (1 + e^-x)                         |
| elu, selu, celu                   | Elu, Selu, Celu (alpha; selu with Keras's constants)       |
| softplus, softsign, mish          | Softplus, Softsign, Mish                                   |
| log_sigmoid                       | Neg, Softplus, Neg: -softplus(-x)                          |
| tanh_shrink                       | Tanh, Sub: x - tanh(x)                                     |
| hard_sigmoid, hard_silu           | HardSigmoid (x / 6 + 1 / 2, clipped to [0, 1]), HardSwish, |
| (hard_swish), hard_tanh           | Clip (to [-1, 1])                                          |
| squareplus                        | Mul, Add, Sqrt, Add, Div: (x + sqrt(x^2 + b)) / 2          |
| linear                            | nothing                                                    |

ONNX's Conv and pooling operators read channels-first data (batch, channels, height,
width), hence the Transposes around them; ONNX Runtime's optimizer removes the pairs that
cancel between consecutive layers. Any other layer, a layer class of your own (even a
subclass), or an activation function of your own is an error naming it.

A model trained from logits (`Dense(10)` with `from_logits=True` in the loss) can get its
probabilities in the file: `output_activation="softmax"` (or "sigmoid") appends that
operator, named "output_activation/Softmax"; the file records it, and `compare_with_onnx`
applies it to `predict`'s outputs too.

    >>> import os, tempfile
    >>> import numpy as np, nn
    >>> from nn.onnx_export import compare_with_onnx, export_onnx
    >>> model = nn.Sequential([nn.Input(shape=(4,), name="features"),
    ...                        nn.Dense(8, activation="relu", name="hidden"),
    ...                        nn.Dense(3, name="logits")])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.onnx")
    >>> export_onnx(model, path, output_activation="softmax")
    >>> x = np.random.default_rng(0).normal(size=(5, 4))
    >>> difference = compare_with_onnx(model, path, x)  # doctest: +ELLIPSIS
    compare_with_onnx: ONNX Runtime and predict agree to float32 rounding on 5 examples ...
    >>> difference < 1e-6
    True

The file runs in ONNX Runtime alone:

    >>> import onnxruntime
    >>> session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    >>> [(i.name, i.shape) for i in session.get_inputs()]
    [('features', ['batch', 4])]
    >>> probabilities = session.run(None, {"features": x.astype(np.float32)})[0]
    >>> probabilities.shape, probabilities.sum(axis=1).round(5)
    ((5, 3), array([1., 1., 1., 1., 1.], dtype=float32))

onnx and onnxruntime come with the `export` extra: `pip install 'autograd-lite[export]'`;
nn itself does not need them.
"""

from __future__ import annotations

import functools
import importlib
import math
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd_lite as ag

from . import activations, layers, training

if TYPE_CHECKING:
    from .models import Sequential

# 21: the newest opset that onnx 1.16 and onnxruntime 1.18 (the `export` extra's oldest) know;
# 18: the first where ReduceMax and ReduceMean take their axes as an input, as written here.
DEFAULT_OPSET = 21
MIN_OPSET = 18
OUTPUT_ACTIVATIONS = ("softmax", "sigmoid")
OUTPUT = "output"
BATCH = "batch"
# float32 rounding, the test suite's policy (tests/numerics.py): |onnx - predict| must stay
# within ATOL + RTOL * |predict| everywhere
RTOL, ATOL = 1e-5, 1e-6


def export_onnx(
    model: Sequential,
    filepath: str | os.PathLike,
    *,
    output_activation: str | None = None,
    opset: int = DEFAULT_OPSET,
) -> None:
    """Write the built `model` to `filepath` as an ONNX file, atomically (an existing file is
    replaced only by a whole new one; a failed export leaves it as it was).

    output_activation: None, "softmax" or "sigmoid", appended after the last layer for a
    model whose last layer gives logits. opset: the ONNX opset, from 18 to the newest the
    installed onnx knows. See the module's docstring for the graph and its names.
    """
    onnx = _require("onnx", "export_onnx")
    _check_model(model, "export_onnx")
    model._require_built("export_onnx")
    if output_activation is not None:
        _check_output_activation(model, output_activation)
    newest = onnx.defs.onnx_opset_version()
    if (
        isinstance(opset, bool)
        or not isinstance(opset, (int, np.integer))
        or not MIN_OPSET <= opset <= newest
    ):
        raise ValueError(
            f"export_onnx: opset must be an integer from {MIN_OPSET} to {newest} (the opsets "
            f"onnx {onnx.__version__} knows), got {opset!r}"
        )
    proto = _model_proto(onnx, model, output_activation, int(opset))
    onnx.checker.check_model(proto, full_check=True)
    ag.write_atomically(filepath, proto.SerializeToString(), caller="export_onnx")


def compare_with_onnx(
    model: Sequential,
    path: str | os.PathLike,
    x: Any,
    print_fn: Callable[[str], Any] = print,
) -> float:
    """Run the ONNX file at `path` in ONNX Runtime (CPU) and `model.predict` on `x`, print one
    line saying how far apart they are, and return the largest absolute difference.

    The line gives the largest absolute difference, max |onnx - predict|, the largest
    relative difference, that divided by max |predict|, and whether they agree to float32
    rounding: |onnx - predict| <= 1e-6 + 1e-5 |predict| everywhere. A file exported with
    `output_activation` is compared with that activation applied to `predict`'s outputs.
    """
    ort = _require("onnxruntime", "compare_with_onnx")
    _check_model(model, "compare_with_onnx")
    model._require_built("compare_with_onnx")  # an unbuilt model has no trained weights
    x = training.check_inputs(
        x, "compare_with_onnx", model.input_shape[-1] if model.built else None
    )
    data = ag.read_whole(path, caller="compare_with_onnx")
    where = repr(os.fspath(path))
    try:
        session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own types for a bad file
        raise ValueError(
            f"compare_with_onnx: ONNX Runtime cannot load {where} ({type(error).__name__}: {error})"
        ) from error
    expected = model.predict(x)
    head = session.get_modelmeta().custom_metadata_map.get("output_activation")
    if head is not None:
        expected = np.asarray(activations.get(head)(expected))
    try:
        actual = session.run(None, {session.get_inputs()[0].name: x})[0]
    except Exception as error:
        raise ValueError(
            f"compare_with_onnx: ONNX Runtime cannot run {where} on x of shape {x.shape} "
            f"({type(error).__name__}: {error})"
        ) from error
    if actual.shape != expected.shape:
        raise ValueError(
            f"compare_with_onnx: {where} gives outputs of shape {actual.shape}, predict "
            f"{expected.shape}: the file holds another model"
        )
    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))  # inf, nan alike
    difference = np.where(same, 0.0, np.abs(actual.astype(np.float64) - expected))
    largest = float(difference.max())
    scale = float(np.max(np.abs(expected), where=np.isfinite(expected), initial=0.0))
    relative = largest / scale if scale else (math.inf if largest else 0.0)
    agree = bool(np.all(difference <= ATOL + RTOL * np.abs(expected)))
    verdict = "agree to" if agree else "differ by more than"
    print_fn(
        f"compare_with_onnx: ONNX Runtime and predict {verdict} float32 rounding on "
        f"{len(x)} examples (largest absolute difference {largest:.2g}, largest relative "
        f"difference {relative:.2g})"
    )
    return largest


# --- the graph ---------------------------------------------------------------------------------


class _Graph:
    """The nodes and initializers of the graph being written. Every value is named once:
    a node's output is named as the node ("hidden/MatMul", then "hidden/MatMul_1")."""

    def __init__(self, onnx: Any) -> None:
        self.onnx = onnx
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.names: set[str] = set()
        self._constants: dict[tuple[Any, ...], str] = {}

    def unique(self, name: str) -> str:
        candidate, count = name, 0
        while candidate in self.names:
            count += 1
            candidate = f"{name}_{count}"
        self.names.add(candidate)
        return candidate

    def constant(self, name: str, values: Any, dtype: Any = np.float32) -> str:
        """An initializer holding `values` as `dtype`; the same name and values give the same
        initializer."""
        array = np.asarray(values, dtype)
        key = (name, array.dtype.str, array.shape, array.tobytes())
        if key not in self._constants:
            unique = self.unique(name)
            self.initializers.append(self.onnx.numpy_helper.from_array(array, unique))
            self._constants[key] = unique
        return self._constants[key]

    def weight(self, weight: ag.Tensor, values: np.ndarray | None = None) -> str:
        """The initializer of a layer's weight, named as the weight (values: another layout)."""
        return self.constant(weight.name, weight.data if values is None else values)

    def node(
        self,
        scope: str,
        op_type: str,
        inputs: Sequence[str],
        label: str | None = None,
        **attrs: Any,
    ) -> str:
        """Append an `op_type` node named `{scope}/{label or op_type}`; its output's name."""
        name = self.unique(f"{scope}/{label or op_type}")
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, [name], name=name, **attrs))
        return name


def _model_proto(onnx: Any, model: Sequential, output_activation: str | None, opset: int) -> Any:
    helper = onnx.helper
    graph = _Graph(onnx)
    x = y = graph.unique(model.input.name)
    for layer in model.layers:
        convert = _LAYERS.get(type(layer))
        if convert is None:
            raise ValueError(
                f"export_onnx: layer '{layer.name}' ({type(layer).__name__}) has no ONNX form "
                f"here; the layers that have one: {', '.join(sorted(c.__name__ for c in _LAYERS))}"
            )
        out = convert(graph, layer, y)
        # every layer shows in the graph, even one that passes its input on
        y = out if out != y else graph.node(layer.name, "Identity", [y])
    if output_activation is not None:
        y = _ACTIVATIONS[output_activation](graph, "output_activation", y)
    graph.nodes[-1].output[0] = output = graph.unique(OUTPUT)  # the last node gives y
    float32 = onnx.TensorProto.FLOAT
    proto = helper.make_model(
        helper.make_graph(
            graph.nodes,
            model.name,
            [helper.make_tensor_value_info(x, float32, [BATCH, *model.input_shape[1:]])],
            [helper.make_tensor_value_info(output, float32, [BATCH, *model.output_shape[1:]])],
            graph.initializers,
        ),
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="autograd-lite",
        doc_string=f"Sequential '{model.name}', exported by nn.onnx_export.export_onnx",
    )
    # the oldest IR version that holds this opset, so older runtimes read the file too
    proto.ir_version = helper.find_min_ir_version_for(list(proto.opset_import))
    if output_activation is not None:
        helper.set_model_props(proto, {"output_activation": output_activation})
    return proto


def _check_model(model: Any, caller: str) -> None:
    from .models import Sequential  # here: models may import this module

    if not isinstance(model, Sequential):
        raise TypeError(f"{caller}: model must be a Sequential, got {type(model).__name__}")


def _check_output_activation(model: Sequential, output_activation: Any) -> None:
    """One of OUTPUT_ACTIVATIONS, and not a second softmax or sigmoid on a model whose last
    layer has one already."""
    if output_activation not in OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"export_onnx: output_activation must be None, 'softmax' or 'sigmoid', got "
            f"{output_activation!r}"
        )
    last = model.layers[-1]
    function = (
        activations.softmax
        if isinstance(last, layers.Softmax)
        else getattr(last, "activation", None)
    )
    if function in (activations.softmax, activations.sigmoid):
        raise ValueError(
            f"export_onnx: output_activation={output_activation!r} is for a model whose last "
            f"layer gives logits, but layer '{last.name}' ({type(last).__name__}) ends in "
            f"{function.__name__} already"
        )


# --- activations --------------------------------------------------------------------------------


def _relu(
    graph: _Graph,
    scope: str,
    x: str,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> str:
    """nn's steps (`nn.activations.relu`): y = x where x > threshold else 0; clip(y, 0,
    max_value); y - negative_slope * relu(threshold - x)."""
    if threshold == 0 and max_value is None and negative_slope != 0:
        return _leaky_relu(graph, scope, x, negative_slope)  # the same values, one operator
    if threshold == 0:
        y = graph.node(scope, "Relu", [x])
    else:
        above = graph.node(scope, "Greater", [x, graph.constant(f"{scope}/threshold", threshold)])
        y = graph.node(scope, "Where", [above, x, graph.constant(f"{scope}/zero", 0.0)])
    if max_value is not None:
        limits = [graph.constant(f"{scope}/zero", 0.0), graph.constant(f"{scope}/max", max_value)]
        y = graph.node(scope, "Clip", [y, *limits])
    if negative_slope != 0:
        below = graph.node(scope, "Sub", [graph.constant(f"{scope}/threshold", threshold), x])
        slope = graph.constant(f"{scope}/negative_slope", negative_slope)
        leak = graph.node(scope, "Mul", [slope, graph.node(scope, "Relu", [below])])
        y = graph.node(scope, "Sub", [y, leak])
    return y


def _leaky_relu(graph: _Graph, scope: str, x: str, negative_slope: float = 0.2) -> str:
    return graph.node(scope, "LeakyRelu", [x], alpha=float(negative_slope))


def _softmax(graph: _Graph, scope: str, x: str, axis: int = -1) -> str:
    return graph.node(scope, "Softmax", [x], axis=int(axis))


def _log_softmax(graph: _Graph, scope: str, x: str, axis: int = -1) -> str:
    return graph.node(scope, "LogSoftmax", [x], axis=int(axis))


def _elu(graph: _Graph, scope: str, x: str, alpha: float = 1.0) -> str:
    return graph.node(scope, "Elu", [x], alpha=float(alpha))


def _celu(graph: _Graph, scope: str, x: str, alpha: float = 1.0) -> str:
    return graph.node(scope, "Celu", [x], alpha=float(alpha))


def _silu(graph: _Graph, scope: str, x: str) -> str:
    """x / (1 + e^-x), accurate to a few float32 roundings of the value everywhere. x * Sigmoid(x)
    would not be: ONNX Runtime's Sigmoid is accurate to 1.5e-7 only in absolute terms, which
    the product multiplies by |x| (up to 3e-6 for silu(-16) = -1.8e-6)."""
    exp = graph.node(scope, "Exp", [graph.node(scope, "Neg", [x])])
    denominator = graph.node(scope, "Add", [exp, graph.constant(f"{scope}/one", 1.0)])
    return graph.node(scope, "Div", [x, denominator], label="silu")


def _hard_tanh(graph: _Graph, scope: str, x: str) -> str:
    limits = [graph.constant(f"{scope}/min", -1.0), graph.constant(f"{scope}/max", 1.0)]
    return graph.node(scope, "Clip", [x, *limits])


def _log_sigmoid(graph: _Graph, scope: str, x: str) -> str:
    """-softplus(-x), as nn computes it: finite where log(sigmoid(x)) would be log(0)."""
    softplus = graph.node(scope, "Softplus", [graph.node(scope, "Neg", [x])])
    return graph.node(scope, "Neg", [softplus], label="log_sigmoid")


def _tanh_shrink(graph: _Graph, scope: str, x: str) -> str:
    return graph.node(scope, "Sub", [x, graph.node(scope, "Tanh", [x])], label="tanh_shrink")


def _squareplus(graph: _Graph, scope: str, x: str, b: float = 4) -> str:
    square = graph.node(scope, "Mul", [x, x], label="square")
    root = graph.node(
        scope, "Sqrt", [graph.node(scope, "Add", [square, graph.constant(f"{scope}/b", b)])]
    )
    total = graph.node(scope, "Add", [x, root])
    return graph.node(
        scope, "Div", [total, graph.constant(f"{scope}/two", 2.0)], label="squareplus"
    )


def _elementwise(op_type: str, **attributes: Any) -> Callable[[_Graph, str, str], str]:
    """The converter of an activation that is one ONNX operator without options of its own."""

    def convert(graph: _Graph, scope: str, x: str) -> str:
        return graph.node(scope, op_type, [x], **attributes)

    return convert


# By the names of `nn.activations.ALL_ACTIVATIONS`; each takes the activation's own options.
# ONNX's Elu, Selu and Celu compute e^x - 1 as written, losing the digits of e^x - 1 near 0 that
# nn keeps (up to 2e-8 of absolute difference, well within float32 agreement).
_ACTIVATIONS: dict[str, Callable[..., str]] = {
    "linear": lambda graph, scope, x: x,
    "relu": _relu,
    "relu6": functools.partial(_relu, max_value=6.0),
    "leaky_relu": _leaky_relu,
    "sigmoid": _elementwise("Sigmoid"),
    "tanh": _elementwise("Tanh"),
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "silu": _silu,
    "swish": _silu,
    "elu": _elu,
    "selu": _elementwise("Selu", alpha=activations.SELU_ALPHA, gamma=activations.SELU_SCALE),
    "celu": _celu,
    "softplus": _elementwise("Softplus"),
    "softsign": _elementwise("Softsign"),
    "exponential": _elementwise("Exp"),
    "hard_sigmoid": _elementwise("HardSigmoid", alpha=1 / 6, beta=0.5),  # x / 6 + 1 / 2
    "hard_silu": _elementwise("HardSwish"),
    "hard_swish": _elementwise("HardSwish"),
    "hard_tanh": _hard_tanh,
    "log_sigmoid": _log_sigmoid,
    "mish": _elementwise("Mish"),
    "tanh_shrink": _tanh_shrink,
    "squareplus": _squareplus,
}


def _activation(graph: _Graph, layer: layers.Layer, function: Callable[..., Any], x: str) -> str:
    """`function`, one of nn.activations' (or a functools.partial of one with keyword
    options, such as relu with max_value=6), applied to `x` inside `layer`."""
    options: dict[str, Any] = {}
    if isinstance(function, functools.partial) and not function.args:
        function, options = function.func, dict(function.keywords)
    names = [name for name, known in activations.ALL_ACTIVATIONS.items() if known is function]
    if not names or names[0] not in _ACTIVATIONS:
        described = getattr(function, "__name__", repr(function))
        raise ValueError(
            f"export_onnx: layer '{layer.name}' ({type(layer).__name__}) uses the activation "
            f"{described}, which has no ONNX form here; nn.activations' functions have one "
            "(given by name such as 'relu', or as functools.partial(relu, max_value=6))"
        )
    return _ACTIVATIONS[names[0]](graph, layer.name, x, **options)


# --- layers -------------------------------------------------------------------------------------


def _dense(graph: _Graph, layer: layers.Dense, x: str) -> str:
    y = graph.node(layer.name, "MatMul", [x, graph.weight(layer.kernel)])
    if layer.bias is not None:
        y = graph.node(layer.name, "Add", [y, graph.weight(layer.bias)], label="BiasAdd")
    return _activation(graph, layer, layer.activation, y)


def _conv(graph: _Graph, layer: layers.Conv1D | layers.Conv2D, x: str) -> str:
    rank = layer.rank
    # nn's kernel is (*kernel_size, channels, filters), ONNX's (filters, channels, *kernel_size)
    kernel = graph.weight(layer.kernel, layer.kernel.data.transpose(rank + 1, rank, *range(rank)))
    inputs = [_channels_first(graph, layer, x), kernel]
    if layer.bias is not None:
        inputs.append(graph.weight(layer.bias))
    y = graph.node(
        layer.name,
        "Conv",
        inputs,
        kernel_shape=list(layer.kernel_size),
        strides=list(layer.strides),
        dilations=list(layer.dilation_rate),
        pads=_pads(layer),
    )
    return _activation(graph, layer, layer.activation, _channels_last(graph, layer, y))


def _pooling(graph: _Graph, layer: Any, x: str) -> str:
    maximum = layer.mode == "max"
    y = graph.node(
        layer.name,
        "MaxPool" if maximum else "AveragePool",
        [_channels_first(graph, layer, x)],
        kernel_shape=list(layer.pool_size),
        strides=list(layer.strides),
        pads=_pads(layer),
        **({} if maximum else {"count_include_pad": 0}),
    )
    return _channels_last(graph, layer, y)


def _pads(layer: Any) -> list[int]:
    """ONNX's pads (all the befores, then all the afters), from the layer's own padding."""
    pairs = [layer._padding(n, axis) for axis, n in enumerate(layer.input_shape[1:-1])]
    return [before for before, _ in pairs] + [after for _, after in pairs]


def _channels_first(graph: _Graph, layer: Any, x: str) -> str:
    perm = [0, layer.rank + 1, *range(1, layer.rank + 1)]
    return graph.node(layer.name, "Transpose", [x], label="to_channels_first", perm=perm)


def _channels_last(graph: _Graph, layer: Any, x: str) -> str:
    perm = [0, *range(2, layer.rank + 2), 1]
    return graph.node(layer.name, "Transpose", [x], label="to_channels_last", perm=perm)


def _global_pooling(graph: _Graph, layer: Any, x: str) -> str:
    axes = graph.constant(f"{layer.name}/axes", range(1, layer.rank + 1), np.int64)
    op_type = "ReduceMax" if layer.mode == "max" else "ReduceMean"
    return graph.node(layer.name, op_type, [x, axes], keepdims=int(layer.keepdims))


def _reshape(graph: _Graph, layer: layers.Reshape, x: str) -> str:
    target = layer.compute_output_shape(layer.input_shape)[1:]
    shape = graph.constant(f"{layer.name}/shape", [0, *target], np.int64)  # 0: the batch size
    return graph.node(layer.name, "Reshape", [x, shape])


def _batch_normalization(graph: _Graph, layer: layers.BatchNormalization, x: str) -> str:
    """nn's inference arithmetic, step for step (see BatchNormalization.call)."""
    scope = layer.name
    epsilon = graph.constant(f"{scope}/epsilon", layer.epsilon)
    variance = graph.node(scope, "Add", [graph.weight(layer.moving_variance), epsilon])
    inv = graph.node(scope, "Reciprocal", [graph.node(scope, "Sqrt", [variance])], label="inv")
    if layer.gamma is not None:
        inv = graph.node(scope, "Mul", [inv, graph.weight(layer.gamma)], label="inv_gamma")
    mean_inv = graph.node(scope, "Mul", [graph.weight(layer.moving_mean), inv], label="mean_inv")
    if layer.beta is None:
        shift = graph.node(scope, "Neg", [mean_inv], label="shift")
    else:
        shift = graph.node(scope, "Sub", [graph.weight(layer.beta), mean_inv], label="shift")
    axis, shape = layer.feature_axis, layer.input_shape
    if axis != len(shape) - 1:  # (features,) broadcasts along the last axis only
        features = [n if a == axis else 1 for a, n in enumerate(shape)]
        along = graph.constant(f"{scope}/features_shape", features, np.int64)
        inv = graph.node(scope, "Reshape", [inv, along])
        shift = graph.node(scope, "Reshape", [shift, along])
    return graph.node(scope, "Add", [graph.node(scope, "Mul", [x, inv]), shift])


_LAYERS: dict[type, Callable[[_Graph, Any, str], str]] = {
    layers.Dense: _dense,
    layers.Conv1D: _conv,
    layers.Conv2D: _conv,
    layers.MaxPooling1D: _pooling,
    layers.MaxPooling2D: _pooling,
    layers.AveragePooling1D: _pooling,
    layers.AveragePooling2D: _pooling,
    layers.GlobalMaxPooling1D: _global_pooling,
    layers.GlobalMaxPooling2D: _global_pooling,
    layers.GlobalAveragePooling1D: _global_pooling,
    layers.GlobalAveragePooling2D: _global_pooling,
    layers.Flatten: lambda graph, layer, x: graph.node(layer.name, "Flatten", [x], axis=1),
    layers.Reshape: _reshape,
    layers.Dropout: lambda graph, layer, x: x,  # the identity in inference
    layers.BatchNormalization: _batch_normalization,
    layers.ReLU: lambda graph, layer, x: _relu(
        graph, layer.name, x, layer.negative_slope, layer.max_value, layer.threshold
    ),
    layers.LeakyReLU: lambda graph, layer, x: _leaky_relu(
        graph, layer.name, x, layer.negative_slope
    ),
    layers.Softmax: lambda graph, layer, x: _softmax(graph, layer.name, x, layer.axis),
    layers.Activation: lambda graph, layer, x: _activation(graph, layer, layer.activation, x),
}


def _require(package: str, caller: str) -> Any:
    """`import package`, or an ImportError saying how to install it."""
    try:
        return importlib.import_module(package)
    except ImportError as error:
        raise ImportError(
            f"{caller} needs the package '{package}', which is not installed: "
            "pip install 'autograd-lite[export]'",
            name=package,
        ) from error
