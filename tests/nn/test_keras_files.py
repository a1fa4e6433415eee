"""Keras 3's `.keras` and `.weights.h5` files (nn.keras_files), checked against real Keras.

Three sources of truth:
- files Keras 3.15.1 wrote (`data/keras_files/`, from `data/make_keras_files.py`), with
  Keras's predictions and the epoch Keras trained after saving: loaded here, the model
  predicts the same and its next epoch is Keras's;
- real Keras opening our files, in one subprocess for the whole module (Keras's import takes
  seconds and sets global state): `make_keras_files.py --live` loads what the `live` fixture
  wrote, predicts, trains one more epoch and saves its own files, which come back here;
- the files' own layout, and damaged files, checked directly.

Float32 results are compared with the suite's float32 policy (`tests/numerics.py`): Keras
runs on JAX, whose kernels sum in another order than numpy's.
"""

import functools
import importlib.util
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import autograd_lite.files
import nn
from nn import keras_files
from nn.keras_files import KerasFileError, load_model, load_weights_h5, save_model, save_weights_h5
from nn.saving import WeightsFileError
from tests.numerics import assert_close

h5py = pytest.importorskip("h5py")

DATA = Path(__file__).parent / "data"
FILES = DATA / "keras_files"
REFERENCE = dict(np.load(FILES / "reference.npz"))
BATCH_SIZE = 8  # the generator's


# --- our models, one per group of layer types ------------------------------------------------


def layers_model() -> nn.Sequential:
    """Dense with a regularizer, the activation layers, Dropout, Reshape and the global
    poolings (predicted, not trained: Dropout draws)."""
    return nn.Sequential(
        [
            nn.Input(shape=(10,)),
            nn.Dense(24, activation="relu", kernel_regularizer=nn.regularizers.L2(0.01)),
            nn.LeakyReLU(negative_slope=0.2),
            nn.Dropout(0.3),
            nn.Reshape((2, 3, 4)),
            nn.GlobalAveragePooling2D(),
            nn.Dense(12, activation="tanh"),
            nn.ReLU(max_value=0.5),
            nn.Activation("sigmoid"),
            nn.Reshape((2, 3, 2)),
            nn.GlobalMaxPooling2D(),
            nn.Dense(6),
            nn.Reshape((3, 2)),
            nn.Softmax(),
            nn.GlobalAveragePooling1D(),
            nn.Dense(2),
        ]
    )


def conv1d_model() -> nn.Sequential:
    return nn.Sequential(
        [
            nn.Input(shape=(12, 3)),
            nn.Conv1D(4, 3, padding="same", activation="relu"),
            nn.MaxPooling1D(2),
            nn.Conv1D(3, 2, strides=2, activation="tanh"),
            nn.AveragePooling1D(2),
            nn.GlobalMaxPooling1D(),
            nn.Dense(3, kernel_regularizer="l2"),
        ]
    )


def conv2d_model() -> nn.Sequential:
    return nn.Sequential(
        [
            nn.Input(shape=(6, 6, 2)),
            nn.Conv2D(3, (3, 3), padding="same", activation="relu"),
            nn.BatchNormalization(),
            nn.MaxPooling2D(2),
            nn.Conv2D(4, 2, activation="relu"),
            nn.AveragePooling2D(2),
            nn.Flatten(),
            nn.Dense(1, activation="sigmoid"),
        ]
    )


def dense_model(regularized: bool = True) -> nn.Sequential:
    """The reference files' dense model, in nn."""
    regularizer = nn.regularizers.L2(0.01) if regularized else None
    return nn.Sequential(
        [
            nn.Input(shape=(4,)),
            nn.Dense(6, activation="relu", kernel_regularizer=regularizer),
            nn.Dense(3),
        ]
    )


# every activation nn has, each in a Dense layer of its own model, opened by Keras
ACTIVATION_CASES = [f"activation_{name}" for name in sorted(nn.activations.ALL_ACTIVATIONS)]


def activation_model(name: str) -> nn.Sequential:
    activation = name.removeprefix("activation_")
    return nn.Sequential([nn.Input(shape=(5,)), nn.Dense(4, activation=activation)])


def data_for(name: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
    if name.startswith("activation_"):  # from -6 to 6: both tails and the kinks
        return {"x": (3 * rng.normal(size=(16, 5))).astype(np.float32)}
    shapes = {"layers": (16, 10), "conv1d": (16, 12, 3), "conv2d": (16, 6, 6, 2)}
    x = rng.normal(size=shapes[name]).astype(np.float32)
    if name == "conv1d":
        return {"x": x, "y": (x.mean(axis=2)[:, :3] > 0).astype(np.float32)}
    if name == "conv2d":
        return {"x": x, "y": (x.mean(axis=(1, 2, 3)) > 0).astype(np.float32)[:, None]}
    return {"x": x}


def fit_epochs(model: nn.Sequential, x: np.ndarray, y: np.ndarray, epochs: int) -> float:
    history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, shuffle=False, verbose=0)
    return history.history["loss"][-1]


def optimizer_state(model: nn.Sequential) -> list[np.ndarray]:
    return [array for _, array in model.optimizer.state_arrays(model.trainable_weights)]


# --- real Keras opening our files ---------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """Our files, what Keras made of them, and what we made of the same models afterwards."""
    for package in ("keras", "jax"):  # the dev extra has them: a missing one is a failure
        assert importlib.util.find_spec(package), f"install the dev extra: {package} is missing"
    folder = tmp_path_factory.mktemp("keras_live")
    nn.clear_session()
    nn.set_seed(5)
    rng = np.random.default_rng(5)
    ours, cases, data = {}, [], {}
    training = {
        "conv1d": ("binary_crossentropy", nn.optimizers.SGD(learning_rate=0.05, momentum=0.9)),
        "conv2d": ("binary_crossentropy", nn.optimizers.Adam(learning_rate=0.01)),
    }
    makers = {"layers": layers_model, "conv1d": conv1d_model, "conv2d": conv2d_model}
    makers.update({name: functools.partial(activation_model, name) for name in ACTIVATION_CASES})
    for name, make in makers.items():
        model = make()
        arrays = data_for(name, rng)
        data.update({f"{name}/{key}": value for key, value in arrays.items()})
        case = {"name": name, "file": f"{name}.keras"}
        result = {"model": model}
        if name in training:
            loss, optimizer = training[name]
            model.compile(optimizer=optimizer, loss=loss)
            fit_epochs(model, arrays["x"], arrays["y"], epochs=2)
            case["y"] = True
        else:  # compiled, never trained: Keras builds the optimizer and expects every slot
            model.compile(optimizer=nn.optimizers.RMSprop(), loss="mse")
        save_model(model, folder / case["file"])
        result["predict"] = model.predict(arrays["x"])
        if name == "layers":  # a weights file with other weights than the .keras file's
            model.set_weights([w * 0.5 + 0.1 for w in model.get_weights()])
            save_weights_h5(model, folder / "layers.weights.h5")
            case["weights"] = "layers.weights.h5"
            result["predict"] = model.predict(arrays["x"])
        if "y" in case:
            result["state_before"] = optimizer_state(model)
            result["loss"] = fit_epochs(model, arrays["x"], arrays["y"], epochs=1)
            result["weights"] = model.get_weights()
            result["state_after"] = optimizer_state(model)
        ours[name] = result
        cases.append(case)
    (folder / "job.json").write_text(json.dumps({"cases": cases}))
    np.savez(folder / "data.npz", **data)
    # XLA's compiler at its lowest optimisation: compiling dominates Keras's run (every
    # variable's initializer and every step is compiled), and takes a quarter of the time;
    # the numbers differ from the default's in the last bit at most (float32 policy)
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "JAX_PLATFORMS": "cpu",
        "XLA_FLAGS": "--xla_backend_optimization_level=0",
    }
    done = subprocess.run(
        [sys.executable, str(DATA / "make_keras_files.py"), "--live", str(folder)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if done.returncode:
        pytest.fail(f"Keras could not open our files:\n{done.stderr[-3000:]}")
    return {
        "folder": folder,
        "ours": ours,
        "data": data,
        "keras": dict(np.load(folder / "results.npz")),
    }


@pytest.mark.parametrize("name", ["layers", "conv1d", "conv2d", *ACTIVATION_CASES])
def test_keras_loads_our_files_and_predicts_the_same(live, name):
    keras = live["keras"]
    assert json.loads(str(keras[f"{name}/warnings"])) == []  # the optimizer state too
    assert_close(keras[f"{name}/predict"], live["ours"][name]["predict"])


@pytest.mark.parametrize("name", ["conv1d", "conv2d"])
def test_keras_continues_our_training_as_we_do(live, name):
    """Keras's next epoch from our file (SGD with momentum, Adam; BatchNormalization's
    moving statistics) equals ours from the same state."""
    keras, ours = live["keras"], live["ours"][name]
    count = int(keras[f"{name}/optimizer_before/count"])
    assert count == len(ours["state_before"]) > 2
    for i, ours_array in enumerate(ours["state_before"]):
        assert_close(keras[f"{name}/optimizer_before/{i}"], ours_array, exact=True)
    assert int(keras[f"{name}/iterations_before"]) == 4  # 2 epochs of 2 batches
    assert_close(np.float32(keras[f"{name}/next_epoch/loss"]), np.float32(ours["loss"]))
    for i, weight in enumerate(ours["weights"]):
        assert_close(keras[f"{name}/next_epoch/weights/{i}"], weight)
    for i, ours_array in enumerate(ours["state_after"]):
        assert_close(keras[f"{name}/next_epoch/optimizer/{i}"], ours_array)


@pytest.mark.parametrize("name", ["conv1d", "conv2d"])
@pytest.mark.parametrize("suffix", [".keras", ".weights.h5"])
def test_files_keras_saved_after_training_load_here(live, name, suffix):
    keras = live["keras"]
    path = live["folder"] / f"keras_{name}{suffix}"
    if suffix == ".keras":
        model = load_model(path)
    else:
        model = live["ours"][name]["model"]
        load_weights_h5(model, path)
    for i, weight in enumerate(model.get_weights()):
        assert_close(weight, keras[f"{name}/next_epoch/weights/{i}"], exact=True)
    for i, array in enumerate(optimizer_state(model)):
        assert_close(array, keras[f"{name}/next_epoch/optimizer/{i}"], exact=True)
    assert model.optimizer.iterations == 6
    assert_close(model.predict(live["data"][f"{name}/x"]), keras[f"{name}/next_epoch/predict"])


# --- files Keras wrote (committed) -----------------------------------------------------------


@pytest.mark.parametrize(
    "file, name, steps", [("dense_adam.keras", "dense", 6), ("conv_bn_sgd.keras", "conv_bn", 4)]
)
def test_keras_written_model_predicts_and_trains_on_as_keras_did(file, name, steps):
    model = load_model(FILES / file)
    x, y = REFERENCE[f"{name}/x"], REFERENCE[f"{name}/y"]
    assert_close(model.predict(x), REFERENCE[f"{name}/predict"])
    assert model.optimizer.iterations == int(REFERENCE[f"{name}/iterations_before"]) == steps
    loss = fit_epochs(model, x, y, epochs=1)
    assert_close(np.float32(loss), REFERENCE[f"{name}/next_epoch/loss"].astype(np.float32))
    for i, weight in enumerate(model.get_weights()):
        assert_close(weight, REFERENCE[f"{name}/next_epoch/weights/{i}"])
    for i, array in enumerate(optimizer_state(model)):
        assert_close(array, REFERENCE[f"{name}/next_epoch/optimizer/{i}"])


def test_keras_written_weights_file_restores_weights_and_optimizer_state():
    model = dense_model()
    model.compile(
        optimizer=nn.optimizers.Adam(learning_rate=0.01),
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    load_weights_h5(model, FILES / "dense_adam.weights.h5")
    assert model.optimizer.iterations == 6
    x, y = REFERENCE["dense/x"], REFERENCE["dense/y"]
    assert_close(model.predict(x), REFERENCE["dense/predict"])
    fit_epochs(model, x, y, epochs=1)
    for i, weight in enumerate(model.get_weights()):
        assert_close(weight, REFERENCE[f"dense/next_epoch/weights/{i}"])


def test_keras_written_conv2d_weights():
    model = nn.Sequential(
        [
            nn.Input(shape=(6, 6, 2)),
            nn.Conv2D(3, (3, 3), padding="same", activation="tanh"),
            nn.AveragePooling2D(2),
            nn.Conv2D(2, 2),
            nn.GlobalMaxPooling2D(),
            nn.Dense(2),
        ]
    )
    load_weights_h5(model, FILES / "conv2d.weights.h5")
    assert_close(model.predict(REFERENCE["conv2d/x"]), REFERENCE["conv2d/predict"])


# --- the layout, and our own round trip ------------------------------------------------------


def trained_dense(
    optimizer="adam", regularized: bool = True
) -> tuple[nn.Sequential, np.ndarray, np.ndarray]:
    model = dense_model(regularized)
    model.compile(optimizer=optimizer, loss=nn.losses.SparseCategoricalCrossentropy(True))
    x, y = REFERENCE["dense/x"], REFERENCE["dense/y"]
    fit_epochs(model, x, y, epochs=1)
    return model, x, y


def test_archive_and_weights_layout_are_keras_s(tmp_path):
    model, _, _ = trained_dense()
    save_model(model, tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    assert metadata["keras_version"] == "3.15.1" and set(metadata) == {
        "keras_version",
        "date_saved",
    }
    assert config == json.loads(json.dumps(nn.models.serialize(model)))
    with h5py.File(io.BytesIO(weights), "r") as file:
        layout = {}

        def record(path, item):  # (returning anything but None would stop the visit)
            layout[path] = getattr(item, "shape", None)

        file.visititems(record)
        names = {path: file[path].attrs["name"] for path in layout if path.endswith("vars")}
    assert names == {
        "vars": model.name,
        "layers/dense/vars": model.layers[0].name,
        "layers/dense_1/vars": model.layers[1].name,
        "optimizer/vars": "adam",
    }
    slots = [(4, 6), (4, 6), (6,), (6,), (6, 3), (6, 3), (3,), (3,)]  # momentum, velocity
    assert layout == {
        "vars": None,
        "layers": None,
        "layers/dense": None,
        "layers/dense/vars": None,
        "layers/dense/vars/0": (4, 6),
        "layers/dense/vars/1": (6,),
        "layers/dense_1": None,
        "layers/dense_1/vars": None,
        "layers/dense_1/vars/0": (6, 3),
        "layers/dense_1/vars/1": (3,),
        "optimizer": None,
        "optimizer/vars": None,
        **{f"optimizer/vars/{i}": shape for i, shape in enumerate([(), (), *slots])},
    }


def test_layer_groups_follow_keras_snake_case_numbering():
    model = nn.Sequential(
        [nn.Input(shape=(4, 4, 1)), nn.Conv2D(1, 2), nn.LeakyReLU(), nn.Conv2D(1, 2), nn.Flatten()]
        + [nn.BatchNormalization(), nn.Dense(1, name="out")]
    )
    assert [group for group, _ in keras_files._layer_groups(model)] == [
        "layers/conv2d",
        "layers/leaky_re_lu",
        "layers/conv2d_1",
        "layers/flatten",
        "layers/batch_normalization",
        "layers/dense",
    ]


def test_round_trip_continues_training_exactly(tmp_path):
    # with the L2 penalty: fit's recorded step (which `model` replays) and the eager first
    # steps of a loaded model sum the kernel's gradients in the same order
    momentum = nn.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    model, x, y = trained_dense(momentum)
    save_model(model, tmp_path / "m.keras")
    save_weights_h5(model, tmp_path / "m.weights.h5")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.get_config() == model.get_config()
    assert loaded.get_compile_config() == model.get_compile_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 3
    for ours, theirs in zip(optimizer_state(loaded), optimizer_state(model)):
        assert_close(ours, theirs, exact=True)
    from_weights = dense_model()
    from_weights.compile(optimizer=nn.optimizers.SGD(0.05, momentum=0.9), loss=model.loss)
    load_weights_h5(from_weights, tmp_path / "m.weights.h5")
    losses = [fit_epochs(m, x, y, epochs=1) for m in (model, loaded, from_weights)]
    assert losses[0] == losses[1] == losses[2]
    for a, b, c in zip(model.get_weights(), loaded.get_weights(), from_weights.get_weights()):
        assert_close(a, b, exact=True)
        assert_close(a, c, exact=True)


@pytest.mark.parametrize(
    "optimizer",
    [
        nn.optimizers.SGD(0.05),
        nn.optimizers.Adam(amsgrad=True, clipnorm=1.0),
        nn.optimizers.AdamW(weight_decay=0.01),
        nn.optimizers.Adagrad(0.05),
        nn.optimizers.Adamax(),
        nn.optimizers.Nadam(),
        nn.optimizers.RMSprop(momentum=0.5, centered=True),
        nn.optimizers.Adam(nn.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)),
    ],
    ids=lambda optimizer: type(optimizer).__name__,
)
def test_every_optimizer_continues_from_a_keras_file_exactly(tmp_path, optimizer):
    model, x, y = trained_dense(optimizer)
    save_model(model, tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert type(loaded.optimizer) is type(optimizer)
    assert loaded.optimizer.get_config() == optimizer.get_config()
    assert loaded.optimizer.iterations == optimizer.iterations > 0
    assert fit_epochs(loaded, x, y, epochs=2) == fit_epochs(model, x, y, epochs=2)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        assert_close(a, b, exact=True)


@pytest.mark.parametrize(
    "loss",
    [
        "mse",
        nn.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        nn.losses.CategoricalCrossentropy(axis=-1, reduction="sum"),
        nn.losses.SparseCategoricalCrossentropy(ignore_class=2),
        nn.losses.Huber(delta=0.5),
        nn.losses.KLDivergence(),
        nn.losses.CosineSimilarity(),
    ],
    ids=str,
)
def test_every_loss_comes_back_from_a_keras_file(tmp_path, loss):
    model = dense_model()
    model.compile(optimizer="adam", loss=loss, metrics=["mae", nn.metrics.AUC()])
    save_model(model, tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.get_compile_config() == model.get_compile_config()
    assert type(loaded.loss) is type(model.loss)
    assert loaded.loss.get_config() == model.loss.get_config()


def test_load_weights_reads_a_keras_archive_too(tmp_path):
    model, x, _ = trained_dense()
    save_model(model, tmp_path / "m.keras")
    other = dense_model()
    load_weights_h5(other, tmp_path / "m.keras")
    assert_close(other.predict(x), model.predict(x), exact=True)


def test_other_optimizer_state_is_skipped_with_keras_s_warning(tmp_path):
    model, x, _ = trained_dense("adam")
    save_weights_h5(model, tmp_path / "m.weights.h5")
    other = dense_model()
    other.compile(optimizer=nn.optimizers.SGD(momentum=0.9), loss="mse")
    with pytest.warns(UserWarning, match=r"skipping the optimizer state .* SGD has 6 .* 10"):
        load_weights_h5(other, tmp_path / "m.weights.h5")
    assert_close(other.predict(x), model.predict(x), exact=True)
    assert other.optimizer.iterations == 0


# --- arguments, atomic writes, damaged files -----------------------------------------------


def test_file_names_and_unbuilt_models(tmp_path):
    model, _, _ = trained_dense()
    with pytest.raises(ValueError, match=r"save_model: the file name must end in '\.keras'"):
        save_model(model, tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"save_weights: .* end in '\.weights\.h5', got"):
        save_weights_h5(model, tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"load_model: .* end in '\.keras'"):
        load_model(tmp_path / "m.zip")
    with pytest.raises(TypeError, match="save_model: path must be a str or os.PathLike, got int"):
        save_model(model, 3)
    with pytest.raises(TypeError, match="overwrite must be True or False, got 'yes'"):
        save_model(model, tmp_path / "m.keras", overwrite="yes")
    unbuilt = nn.Sequential([nn.Dense(1)])
    with pytest.raises(ValueError, match="save_weights: model 'sequential_1' has no weights yet"):
        save_weights_h5(unbuilt, tmp_path / "u.weights.h5")
    with pytest.raises(ValueError, match="load_weights: model 'sequential_1' is not built yet"):
        load_weights_h5(unbuilt, tmp_path / "u.weights.h5")
    with pytest.raises(FileNotFoundError, match="load_model: no file"):
        load_model(tmp_path / "missing.keras")


def test_overwrite_false_asks_as_keras_does(tmp_path, monkeypatch, capsys):
    model, _, _ = trained_dense()
    path = tmp_path / "m.weights.h5"
    path.write_bytes(b"old")
    answers = iter(["maybe", "n"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    save_weights_h5(model, path, overwrite=False)
    assert path.read_bytes() == b"old"
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    save_weights_h5(model, path, overwrite=False)
    assert path.read_bytes().startswith(b"\x89HDF")
    assert "[TIP] Next time specify overwrite=True!" in capsys.readouterr().out


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model, _, _ = trained_dense()
    path = tmp_path / "m.keras"
    save_model(model, path)
    before = path.read_bytes()

    def crash(fd):  # the new file is written, not yet renamed over the old one
        raise KeyboardInterrupt

    monkeypatch.setattr(autograd_lite.files.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        save_model(model, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.keras"]


def test_missing_h5py_names_the_extra(tmp_path, monkeypatch):
    model, _, _ = trained_dense()
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"pip install 'autograd-lite\[export\]'"):
        save_model(model, tmp_path / "m.keras")


def rewritten(path: Path, target: Path, change) -> Path:
    """A copy of the archive at `path` with `change(members)` applied to its {name: bytes}."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def edited_h5(data: bytes, edit) -> bytes:
    buffer = io.BytesIO(data)
    with h5py.File(buffer, "a") as file:
        edit(file)
    return buffer.getvalue()


@pytest.fixture
def saved(tmp_path):
    model, _, _ = trained_dense()
    save_model(model, tmp_path / "m.keras")
    return tmp_path / "m.keras"


def config_edit(edit):
    def change(members):
        record = json.loads(members["config.json"])
        edit(record)
        members["config.json"] = json.dumps(record).encode()

    return change


def _rename(members, old, new):
    members[new] = members.pop(old)


DAMAGES = {
    "truncated": (
        lambda data: data[: len(data) // 2],
        r"is not a \.keras file, or it is damaged: its zip directory cannot be read",
    ),
    "empty": (lambda data: b"", "the file is empty"),
    "not a zip": (lambda data: b"\x89HDF\r\n\x1a\n" + data[8:], r"starts with b'\\x89HDF"),
    "bit flipped": (
        lambda data: data[:-3000] + bytes([data[-3000] ^ 0x10]) + data[-2999:],
        r"member 'model.weights.h5' cannot be read \(BadZipFile: Bad CRC-32",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_archives_are_named(saved, damage):
    spoil, message = DAMAGES[damage]
    saved.write_bytes(spoil(saved.read_bytes()))
    with pytest.raises(KerasFileError, match=message) as caught:
        load_model(saved)
    assert str(saved) in str(caught.value) and isinstance(caught.value, WeightsFileError)


def h5_edit(edit):
    def change(members):
        members["model.weights.h5"] = edited_h5(members["model.weights.h5"], edit)

    return change


def _drop_bias(file):
    del file["layers/dense_1/vars/1"]


def _resize_bias(file):
    del file["layers/dense_1/vars/1"]
    file["layers/dense_1/vars/1"] = np.zeros(4, np.float32)


def _add_layer(file):
    file["layers/dense_2/vars/0"] = np.ones(1, np.float32)


def _add_soft_link(file):
    file["layers/x"] = h5py.SoftLink("/layers/dense")


EDITS = {
    "missing member": (
        lambda m: _rename(m, "model.weights.h5", "weights.h5"),
        "has no member 'model.weights.h5'; it holds metadata.json, config.json, weights.h5",
    ),
    "npz weights": (
        lambda m: _rename(m, "model.weights.h5", "model.weights.npz"),
        r"model.weights.npz \(Keras's npz weights format, which nn does not read\)",
    ),
    "not json": (lambda m: m.update({"config.json": b"{not json"}), "config.json is not JSON"),
    "LSTM": (
        config_edit(lambda r: r["config"]["layers"][1].update(class_name="LSTM")),
        r"describes a model nn cannot build: .*'LSTM'",
    ),
    "wrong units": (
        config_edit(lambda r: r["config"]["layers"][2]["config"].update(units=4)),
        (
            r"load_model: .*: weight '.*/kernel' of layer .* has shape \(6, 4\) in the model "
            r"but \(6, 3\) in /layers/dense_1/vars/0"
        ),
    ),
    "missing dataset": (
        h5_edit(_drop_bias),
        (
            r"layer 'dense_\d+' \(Dense\) has 2 weights \(.*\), but the file holds 1 in "
            "layers/dense_1/vars"
        ),
    ),
    "wrong dataset shape": (
        h5_edit(_resize_bias),
        r"has shape \(3,\) in the model but \(4,\) in /layers/dense_1/vars/1",
    ),
    "extra layer": (
        h5_edit(_add_layer),
        (
            r"weights for layers that model .* does not have: layers/dense_2 \(the model's "
            r"are layers/dense, layers/dense_1\)"
        ),
    ),
    "soft link": (h5_edit(_add_soft_link), "layers/x is a SoftLink; a weights file holds none"),
    "garbage h5": (
        lambda m: m.update({"model.weights.h5": b"\x00" * 100}),
        r"it is not an HDF5 weights file, or it is damaged \(OSError",
    ),
}


@pytest.mark.parametrize("edit", EDITS)
def test_incomplete_or_inconsistent_archives_are_named(saved, tmp_path, edit):
    change, message = EDITS[edit]
    path = rewritten(saved, tmp_path / "edited.keras", change)
    with pytest.raises(KerasFileError, match=message) as caught:
        load_model(path)
    assert "edited.keras" in str(caught.value)


@pytest.mark.parametrize("edit", ["missing dataset", "wrong dataset shape", "extra layer"])
def test_failed_weights_load_changes_nothing(saved, tmp_path, edit):
    change, message = EDITS[edit]
    path = rewritten(saved, tmp_path / "edited.keras", change)
    with zipfile.ZipFile(path) as archive:
        (tmp_path / "w.weights.h5").write_bytes(archive.read("model.weights.h5"))
    model, _, _ = trained_dense()
    weights, state = model.get_weights(), optimizer_state(model)
    with pytest.raises(KerasFileError, match=message):
        load_weights_h5(model, tmp_path / "w.weights.h5")
    for a, b in zip(model.get_weights() + optimizer_state(model), weights + state):
        assert_close(a, b, exact=True)


def test_wrongly_shaped_optimizer_state_changes_nothing(saved, tmp_path):
    with zipfile.ZipFile(saved) as archive:
        data = archive.read("model.weights.h5")

    def swap(file):
        del file["optimizer/vars/2"]
        file["optimizer/vars/2"] = np.zeros((6, 4), np.float32)

    (tmp_path / "w.weights.h5").write_bytes(edited_h5(data, swap))
    model, _, _ = trained_dense()
    weights, state = model.get_weights(), optimizer_state(model)
    with pytest.raises(KerasFileError, match="its optimizer state does not fit"):
        load_weights_h5(model, tmp_path / "w.weights.h5")
    for a, b in zip(model.get_weights() + optimizer_state(model), weights + state):
        assert_close(a, b, exact=True)


def test_compile_false_loads_a_model_whose_loss_nn_lacks(saved, tmp_path):
    # Keras's load_model(compile=False): the architecture and weights, for predictions
    def keras_only_loss(record):
        record["compile_config"]["loss"] = "mean_squared_logarithmic_error"

    path = rewritten(saved, tmp_path / "edited.keras", config_edit(keras_only_loss))
    with pytest.raises(KerasFileError, match="mean_squared_logarithmic_error"):
        load_model(path)
    loaded = nn.load_model(path, compile=False)
    assert loaded.loss is None and loaded.optimizer is None
    original = load_model(saved)
    x = REFERENCE["dense/x"]
    assert_close(loaded.predict(x), original.predict(x), exact=True)
    with pytest.raises(TypeError, match="load_model: compile must be True or False"):
        nn.load_model(saved, compile="no")


def test_warnings_point_at_the_caller(saved, tmp_path):
    unbuilt = nn.Sequential([nn.Dense(2)])
    with pytest.warns(UserWarning, match="is not built yet") as caught:
        unbuilt.save(tmp_path / "unbuilt.keras")
    assert caught[0].filename == __file__
    model = dense_model()
    model.compile(optimizer=nn.optimizers.SGD(momentum=0.5), loss="mse")
    with pytest.warns(UserWarning, match="skipping the optimizer state") as caught:
        model.load_weights(saved)  # saved with Adam: other optimizer variables
    assert caught[0].filename == __file__
