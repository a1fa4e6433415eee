"""ONNX export: every layer and activation run by ONNX Runtime agrees with predict (float32
policy), the graph passes onnx's full check and has the documented names, and the errors,
the atomic write and the message for a missing onnx."""

import functools
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime
import pytest

import nn
from nn import activations
from nn.onnx_export import compare_with_onnx, export_onnx
from tests.numerics import assert_close

rng = np.random.default_rng(3)


def data(shape, batch=7, scale=2.0):
    return (rng.standard_normal((batch, *shape)) * scale).astype(np.float32)


def settings_id(settings):
    return "-".join(f"{key}={value}" for key, value in settings.items())


def exported(model, path, **settings):
    """Export `model`, check the file with onnx's full check, and return (proto, session)."""
    export_onnx(model, path, **settings)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return proto, session


def check_export(model, tmp_path, scale=2.0, head=None):
    """The model exported: ONNX Runtime agrees with predict (and `head` applied to it) at batch
    sizes 1 and 7; the input, output, batch axis, node and initializer names are as
    documented."""
    kwargs = {} if head is None else {"output_activation": head}
    proto, session = exported(model, tmp_path / "model.onnx", **kwargs)
    (given,), (result,) = proto.graph.input, proto.graph.output
    assert (given.name, result.name) == (model.input.name, "output")
    for value, shape in ((given, model.input_shape), (result, model.output_shape)):
        dims = value.type.tensor_type.shape.dim
        assert dims[0].dim_param == "batch" and not dims[0].HasField("dim_value")
        assert [d.dim_value for d in dims[1:]] == list(shape[1:])
        assert value.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    scopes = [layer.name for layer in model.layers] + ["output_activation"] * (head is not None)
    owners = [node.name.split("/")[0] for node in proto.graph.node]
    assert set(owners) == set(scopes)  # every node is a layer's, every layer has nodes
    assert owners == sorted(owners, key=scopes.index)  # in the layers' order
    initializers = {i.name: i for i in proto.graph.initializer}
    assert {w.name for w in model.weights} <= set(initializers)
    kinds = {i.data_type for i in initializers.values()}
    assert kinds <= {onnx.TensorProto.FLOAT, onnx.TensorProto.INT64}  # int64: shapes, axes
    for batch in (1, 7):
        x = data(model.input_shape[1:], batch, scale)
        expected = model.predict(x)
        if head is not None:
            expected = np.asarray(activations.get(head)(expected))
        (actual,) = session.run(None, {model.input.name: x})
        assert actual.dtype == np.float32
        assert_close(actual, expected)
    return proto


def dense_model(*layers, features=5):
    return nn.Sequential([nn.Input(shape=(features,)), nn.Dense(6, name="first"), *layers])


# --- activations --------------------------------------------------------------------------


def test_every_activation_and_layer_of_nn_has_an_onnx_form():
    from nn.onnx_export import _ACTIVATIONS, _LAYERS

    assert set(activations.ALL_ACTIVATIONS) <= set(_ACTIVATIONS)
    public = (getattr(nn.layers, name) for name in nn.layers.__all__)
    layer_classes = {c for c in public if isinstance(c, type) and issubclass(c, nn.Layer)}
    assert layer_classes - {nn.Layer} == set(_LAYERS)


@pytest.mark.parametrize("name", sorted(activations.ALL_ACTIVATIONS))
def test_each_activation_as_a_dense_activation_and_as_a_layer(name, tmp_path):
    model = dense_model(
        nn.Dense(4, activation=name, name="hidden"), nn.Activation(name, name="act")
    )
    check_export(model, tmp_path)
    # on inputs from about -18 to 18 (3 standard deviations), the tails included
    check_export(nn.Sequential([nn.Input(shape=(40,)), nn.Activation(name)]), tmp_path, scale=6.0)


@pytest.mark.parametrize(
    "function, options",
    [
        (activations.relu, {"max_value": 0.5, "threshold": 0.1}),
        (activations.leaky_relu, {"negative_slope": 0.05}),
        (activations.softmax, {"axis": 1}),
        (activations.log_softmax, {"axis": 1}),
        (activations.elu, {"alpha": 0.5}),
        (activations.celu, {"alpha": 2.0}),
        (activations.squareplus, {"b": 1.0}),
    ],
    ids=lambda value: getattr(value, "__name__", None) or settings_id(value),
)
def test_activations_with_options_as_partials(function, options, tmp_path):
    activation = functools.partial(function, **options)
    model = nn.Sequential(
        [nn.Input(shape=(3, 4)), nn.Dense(5, activation=activation), nn.Activation(activation)]
    )
    check_export(model, tmp_path, scale=3.0)


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"max_value": 1.0},
        {"threshold": 0.5},
        {"negative_slope": 0.1},
        {"negative_slope": 0.1, "max_value": 1.5},
        {"negative_slope": 0.1, "threshold": 0.5},
        {"negative_slope": 0.25, "max_value": 1.5, "threshold": 0.5},
    ],
)
def test_relu_layer_with_every_option(settings, tmp_path):
    proto = check_export(dense_model(nn.ReLU(**settings, name="relu")), tmp_path, scale=3.0)
    ops = {node.op_type for node in proto.graph.node}
    assert ("Clip" in ops) == ("max_value" in settings)
    assert ("Where" in ops) == ("threshold" in settings)


def test_activation_layers(tmp_path):
    for layer in (nn.LeakyReLU(), nn.LeakyReLU(negative_slope=0.05), nn.Softmax()):
        check_export(dense_model(layer), tmp_path)


def test_softmax_along_another_axis_and_reshape(tmp_path):
    model = nn.Sequential(
        [nn.Input(shape=(12,)), nn.Reshape((3, -1)), nn.Softmax(axis=1), nn.Flatten()]
    )
    check_export(model, tmp_path)


@pytest.mark.parametrize("head, units", [("softmax", 3), ("sigmoid", 1)])
def test_a_model_trained_from_logits_gets_its_head(head, units, tmp_path):
    model = dense_model(nn.Dense(units, name="logits"))
    proto = check_export(model, tmp_path, head=head)
    assert proto.graph.node[-1].name == f"output_activation/{head.capitalize()}"
    assert {p.key: p.value for p in proto.metadata_props} == {"output_activation": head}


def test_a_float64_model_is_written_in_float32(tmp_path):
    model = nn.Sequential(
        [
            nn.Input(shape=(5,), dtype="float64"),
            nn.Dense(4, activation="tanh", dtype="float64"),
            nn.BatchNormalization(dtype="float64"),
        ]
    )
    check_export(model, tmp_path)  # every initializer float32, outputs as predict's


def test_the_documented_graph_of_a_small_model(tmp_path):
    model = nn.Sequential(
        [
            nn.Input(shape=(4,), name="features"),
            nn.Dense(8, activation="relu", name="hidden"),
            nn.Dense(3, name="logits"),
        ]
    )
    proto, _ = exported(model, tmp_path / "m.onnx", output_activation="softmax")
    assert [(n.name, n.op_type, list(n.input)) for n in proto.graph.node] == [
        ("hidden/MatMul", "MatMul", ["features", "hidden/kernel"]),
        ("hidden/BiasAdd", "Add", ["hidden/MatMul", "hidden/bias"]),
        ("hidden/Relu", "Relu", ["hidden/BiasAdd"]),
        ("logits/MatMul", "MatMul", ["hidden/Relu", "logits/kernel"]),
        ("logits/BiasAdd", "Add", ["logits/MatMul", "logits/bias"]),
        ("output_activation/Softmax", "Softmax", ["logits/BiasAdd"]),
    ]
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    assert list(weights) == ["hidden/kernel", "hidden/bias", "logits/kernel", "logits/bias"]
    for weight in model.weights:
        assert_close(weights[weight.name], weight.data, exact=True)
    assert proto.opset_import[0].version == 21 and proto.ir_version == 10
    assert proto.producer_name == "autograd-lite"


# --- convolutions, pooling, reshaping --------------------------------------------------------


CONV1D = [
    {"filters": 3, "kernel_size": 3, "padding": "valid", "activation": "relu"},
    {"filters": 3, "kernel_size": 3, "padding": "same", "strides": 2},
    {"filters": 2, "kernel_size": 4, "padding": "same"},  # even kernel: the odd zero after
    {"filters": 3, "kernel_size": 2, "padding": "causal", "dilation_rate": 2},
    {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "use_bias": False},
]
POOL1D = [
    (nn.MaxPooling1D, {"pool_size": 2}),
    (nn.MaxPooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}),
    (nn.AveragePooling1D, {"pool_size": 2, "padding": "same"}),  # the last window: one step
    (nn.AveragePooling1D, {"pool_size": 3, "strides": 1}),
]


@pytest.mark.parametrize("conv", CONV1D, ids=settings_id)
@pytest.mark.parametrize("pool", POOL1D, ids=lambda p: p[0].__name__ + "-" + settings_id(p[1]))
def test_conv1d_stacks(conv, pool, tmp_path):
    pooling, settings = pool
    model = nn.Sequential(
        [nn.Input(shape=(9, 2)), nn.Conv1D(**conv), pooling(**settings), nn.Flatten(), nn.Dense(2)]
    )
    check_export(model, tmp_path)


CONV2D = [
    {"filters": 3, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"filters": 2, "kernel_size": (2, 3), "strides": (2, 1), "padding": "same"},
    {"filters": 3, "kernel_size": (3, 2), "dilation_rate": (2, 1), "activation": "silu"},
    {"filters": 2, "kernel_size": 2, "strides": 2, "activation": "softmax"},
]
POOL2D = [
    (nn.MaxPooling2D, {}),
    (nn.MaxPooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}),
    (nn.AveragePooling2D, {"pool_size": (2, 3), "padding": "same"}),
    (nn.AveragePooling2D, {"pool_size": 2, "strides": 1}),
]


@pytest.mark.parametrize("conv", CONV2D, ids=settings_id)
@pytest.mark.parametrize("pool", POOL2D, ids=lambda p: p[0].__name__ + "-" + settings_id(p[1]))
def test_conv2d_stacks(conv, pool, tmp_path):
    pooling, settings = pool
    layer = nn.Conv2D(**conv)
    model = nn.Sequential(
        [nn.Input(shape=(7, 6, 2)), layer, pooling(**settings), nn.Flatten(), nn.Dense(3)]
    )
    proto = check_export(model, tmp_path)
    kernels = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    # ONNX's layout (filters, channels, rows, columns), the same numbers
    assert_close(kernels[layer.kernel.name], layer.kernel.data.transpose(3, 2, 0, 1), exact=True)


@pytest.mark.parametrize("keepdims", [False, True])
def test_global_poolings(keepdims, tmp_path):
    for rank, pools in (
        (1, (nn.GlobalMaxPooling1D, nn.GlobalAveragePooling1D)),
        (2, (nn.GlobalMaxPooling2D, nn.GlobalAveragePooling2D)),
    ):
        for pool in pools:
            conv = nn.Conv1D(3, 2) if rank == 1 else nn.Conv2D(3, 2)
            model = nn.Sequential(
                [nn.Input(shape=(5,) * rank + (2,)), conv, pool(keepdims=keepdims), nn.Dense(2)]
            )
            check_export(model, tmp_path)


def test_reshape_dropout_and_linear_layers_appear_as_nodes(tmp_path):
    model = nn.Sequential(
        [
            nn.Input(shape=(12,), name="pixels"),
            nn.Dropout(0.5, name="drop"),
            nn.Reshape((2, -1, 1), name="image"),
            nn.Conv2D(2, 2, padding="same", name="conv"),
            nn.Activation("linear", name="nothing"),
            nn.Flatten(name="flat"),
        ]
    )
    proto = check_export(model, tmp_path)
    ops = {node.name: node.op_type for node in proto.graph.node}
    assert ops["drop/Identity"] == ops["nothing/Identity"] == "Identity"
    assert ops["image/Reshape"] == "Reshape" and ops["flat/Flatten"] == "Flatten"


# --- batch normalization ---------------------------------------------------------------------


def fitted(model, x):
    """`model` after a few steps of fit, so its moving statistics are not the initial ones."""
    model.compile(loss="mse", optimizer=nn.optimizers.SGD(learning_rate=0.01))
    y = np.zeros((len(x), *model.output_shape[1:]), np.float32)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    for layer in model.layers:
        if isinstance(layer, nn.BatchNormalization):
            assert not np.allclose(layer.moving_mean.data, 0)
            assert not np.allclose(layer.moving_variance.data, 1)
    return model


@pytest.mark.parametrize(
    "settings",
    [{}, {"center": False}, {"scale": False}, {"center": False, "scale": False, "epsilon": 0.1}],
)
def test_batch_normalization_after_fitting(settings, tmp_path):
    model = dense_model(
        nn.BatchNormalization(momentum=0.5, **settings, name="bn"), nn.ReLU(), nn.Dense(2)
    )
    check_export(fitted(model, data((5,), 32) + 1.5), tmp_path)


def test_batch_normalization_in_a_conv2d_stack_and_along_another_axis(tmp_path):
    conv = nn.Sequential(
        [
            nn.Input(shape=(6, 6, 2)),
            nn.Conv2D(3, 3, padding="same"),
            nn.BatchNormalization(momentum=0.5),
            nn.ReLU(),
            nn.GlobalAveragePooling2D(),
        ]
    )
    check_export(fitted(conv, data((6, 6, 2), 16) + 1), tmp_path)
    rows = nn.Sequential(
        [nn.Input(shape=(3, 4)), nn.BatchNormalization(axis=1, momentum=0.5), nn.Flatten()]
    )
    check_export(fitted(rows, data((3, 4), 16) + 1), tmp_path)


# --- compare_with_onnx ------------------------------------------------------------------------


def test_compare_with_onnx_prints_and_returns_the_largest_difference(tmp_path):
    model = dense_model(nn.Dense(3, activation="tanh"))
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    x = data((5,))
    lines = []
    largest = compare_with_onnx(model, path, x, print_fn=lines.append)
    (actual,) = onnxruntime.InferenceSession(str(path)).run(None, {model.input.name: x})
    assert largest == np.abs(actual.astype(np.float64) - model.predict(x)).max() < 1e-6
    (line,) = lines
    assert line.startswith(
        "compare_with_onnx: ONNX Runtime and predict agree to float32 rounding on 7 examples "
        f"(largest absolute difference {largest:.2g}, largest relative difference "
    )
    # another model's weights in the same shapes: a real difference, said so
    other = dense_model(nn.Dense(3, activation="tanh"))
    assert compare_with_onnx(other, path, x, print_fn=lines.append) > 0.01
    assert "differ by more than float32 rounding" in lines[-1]


def test_compare_with_onnx_applies_the_head_of_the_file(tmp_path):
    model = dense_model(nn.Dense(3))
    path = tmp_path / "model.onnx"
    export_onnx(model, path, output_activation="softmax")
    assert compare_with_onnx(model, path, data((5,)), print_fn=lambda line: None) < 1e-6


def test_compare_with_onnx_errors(tmp_path):
    model = dense_model()
    with pytest.raises(FileNotFoundError, match="compare_with_onnx: no file .*missing.onnx"):
        compare_with_onnx(model, tmp_path / "missing.onnx", data((5,)))
    (tmp_path / "notes.onnx").write_text("not a model")
    with pytest.raises(ValueError, match=r"compare_with_onnx: ONNX Runtime cannot load .*notes"):
        compare_with_onnx(model, tmp_path / "notes.onnx", data((5,)))
    export_onnx(dense_model(features=4), tmp_path / "four.onnx")
    with pytest.raises(ValueError, match=r"cannot run .*four.onnx' on x of shape \(7, 5\)"):
        compare_with_onnx(model, tmp_path / "four.onnx", data((5,)))
    with pytest.raises(ValueError, match="compare_with_onnx: x is empty"):
        compare_with_onnx(model, tmp_path / "four.onnx", np.zeros((0, 5)))


# --- errors, the file, the optional packages --------------------------------------------------


def my_activation(x):
    return x * 2


class Double(nn.Layer):
    def call(self, x):
        return x * 2


class MyDense(nn.Dense):
    pass


def test_unsupported_activations_and_layers_are_named(tmp_path):
    path = tmp_path / "m.onnx"
    model = dense_model(nn.Dense(2, activation=my_activation, name="out"))
    with pytest.raises(
        ValueError,
        match=r"export_onnx: layer 'out' \(Dense\) uses the activation my_activation, which "
        r"has no ONNX form here; nn.activations' functions have one \(given by name such as "
        r"'relu', or as functools.partial\(relu, max_value=6\)\)$",
    ):
        export_onnx(model, path)
    with pytest.raises(
        ValueError, match=r"layer 'act' \(Activation\) uses the activation <lambda>"
    ):
        export_onnx(dense_model(nn.Activation(lambda x: x, name="act")), path)
    for layer in (Double(name="twice"), MyDense(2, name="mine")):
        with pytest.raises(
            ValueError,
            match=rf"layer '{layer.name}' \({type(layer).__name__}\) has no ONNX form here; "
            r"the layers that have one: Activation, AveragePooling1D, ",
        ):
            export_onnx(dense_model(layer), path)
    assert os.listdir(tmp_path) == []


def test_bad_arguments(tmp_path):
    path = tmp_path / "m.onnx"
    with pytest.raises(TypeError, match="export_onnx: model must be a Sequential, got Dense"):
        export_onnx(nn.Dense(2), path)
    with pytest.raises(TypeError, match="compare_with_onnx: model must be a Sequential, got str"):
        compare_with_onnx("model.onnx", path, data((5,)))
    with pytest.raises(ValueError, match="export_onnx: model 'sequential' is not built yet"):
        export_onnx(nn.Sequential([nn.Dense(2)]), path)
    # compare_with_onnx would otherwise build it with fresh random weights and compare those
    with pytest.raises(ValueError, match="compare_with_onnx: model 'sequential_1' is not built"):
        compare_with_onnx(nn.Sequential([nn.Dense(2)]), path, data((5, 3)))
    model = dense_model()
    with pytest.raises(
        ValueError, match="output_activation must be None, 'softmax' or 'sigmoid', got 'relu'"
    ):
        export_onnx(model, path, output_activation="relu")
    for opset in (17, 1000, "21", True, 21.0):
        with pytest.raises(
            ValueError, match=rf"opset must be an integer from 18 to \d+ .*got {opset!r}"
        ):
            export_onnx(model, path, opset=opset)
    with pytest.raises(
        ValueError, match=r"layer 'probabilities' \(Dense\) ends in softmax already"
    ):
        export_onnx(
            dense_model(nn.Dense(2, activation="softmax", name="probabilities")),
            path,
            output_activation="softmax",
        )
    with pytest.raises(ValueError, match=r"layer 'softmax' \(Softmax\) ends in softmax already"):
        export_onnx(dense_model(nn.Softmax()), path, output_activation="sigmoid")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("opset", [18, 25])
def test_other_opsets(opset, tmp_path):
    model = dense_model(nn.Dense(2, activation="silu"))
    proto, session = exported(model, tmp_path / "m.onnx", opset=opset)
    assert proto.opset_import[0].version == opset
    x = data((5,))
    assert_close(session.run(None, {model.input.name: x})[0], model.predict(x))


def test_bad_paths_are_named(tmp_path):
    model = dense_model()
    (tmp_path / "file").write_text("")
    with pytest.raises(
        NotADirectoryError, match=r"export_onnx: cannot make the folder .*/file' is a file"
    ):
        export_onnx(model, tmp_path / "file" / "m.onnx")
    with pytest.raises(IsADirectoryError, match="export_onnx: .* is a folder"):
        export_onnx(model, tmp_path)
    with pytest.raises(
        TypeError, match="export_onnx: path must be a str or os.PathLike, got int 3"
    ):
        export_onnx(model, 3)
    export_onnx(model, tmp_path / "new" / "folder" / "m.onnx")  # missing folders are made
    assert (tmp_path / "new" / "folder" / "m.onnx").stat().st_size > 0


def test_a_failed_export_leaves_the_existing_file_untouched(tmp_path, monkeypatch):
    path = tmp_path / "model.onnx"
    export_onnx(dense_model(), path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="has no ONNX form"):
        export_onnx(dense_model(Double()), path)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", crash)  # while the new file is being written
    with pytest.raises(KeyboardInterrupt):
        export_onnx(dense_model(nn.Dense(3)), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.onnx"]


def test_missing_packages_say_how_to_install_them(monkeypatch, tmp_path):
    model = dense_model()
    export_onnx(model, tmp_path / "m.onnx")
    monkeypatch.setitem(sys.modules, "onnx", None)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    install = r"pip install 'autograd-lite\[export\]'"
    with pytest.raises(ImportError, match=rf"export_onnx needs the package 'onnx', .*: {install}"):
        export_onnx(model, tmp_path / "other.onnx")
    with pytest.raises(
        ImportError, match=rf"compare_with_onnx needs the package 'onnxruntime', .*: {install}"
    ):
        compare_with_onnx(model, tmp_path / "m.onnx", data((5,)))


def test_nn_imports_without_the_export_packages():
    code = (
        "import sys; sys.modules['onnx'] = sys.modules['onnxruntime'] = None; "
        "import nn, nn.onnx_export; print('ok')"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "ok"
