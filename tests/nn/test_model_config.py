"""Whole-model configs against Keras 3.15's own: `to_json`, `model_from_json`, `pop`/`add`,
model-level `trainable`, and `ModelCheckpoint`'s `.keras` files.

tests/nn/data/make_keras_model_configs.py built each model of the stored file in Keras
(names given, or automatic names from a fresh session, as `nn.clear_session()` gives here),
compiled it with the stored optimizer, loss and metrics, and stored its `to_json()`, what
`keras.models.model_from_json` of that JSON compiles and builds, and what `summary()` counts.

One key of Keras's JSON is left out of the comparison, `compile_config["jit_compile"]` when
compile was given its default "auto": Keras writes what "auto" resolved to on the machine
(`Trainer._resolve_auto_jit_compile`: False for TensorFlow on a CPU-only machine, True for
JAX or numpy when every layer supports XLA), nn writes "auto" (it has no XLA to resolve
to). Given explicitly (the "frozen_layer" case), both write the value given.
"""

from __future__ import annotations

import copy
import json
import os
import re

import numpy as np
import pytest

import nn
from nn.utils import snake_case
from tests.nn.data.make_keras_model_configs import build_model
from tests.numerics import assert_close

with open(os.path.join(os.path.dirname(__file__), "data", "keras_model_configs.json")) as f:
    KERAS = json.load(f)
MODELS = KERAS["models"]
BUILT_AT_INIT = KERAS["built_at_init"]  # layers that Keras marks built when made


def build(case: dict) -> nn.Sequential:
    """The stored case's model, made as the generator made it in Keras."""
    return build_model(nn, case, nn.clear_session)


def comparable(record: dict, spec: dict | None) -> dict:
    """The JSON without compile's jit_compile when compile left it at "auto" (see the
    module's docstring)."""
    record = copy.deepcopy(record)
    if spec and "jit_compile" not in spec:
        record["compile_config"].pop("jit_compile")
    return record


def known_aside(record: dict, spec: dict | None = None) -> dict:
    """`comparable(record, spec)` without what KNOWN names: the build_config of layers Keras
    builds at init and the model-level trainable flag."""
    record = comparable(record, spec)
    record["config"].pop("trainable")
    for layer in record["config"]["layers"]:
        if layer["class_name"] in BUILT_AT_INIT:
            layer.pop("build_config", None)
    return record


def summary_lines(model: nn.Sequential) -> list[str]:
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    return lines


def summary_rows(model: nn.Sequential) -> list[list[str]]:
    """The table's rows as [name (Class), output shape, params], between its two "=" rules."""
    lines = summary_lines(model)
    first, last = [i for i, line in enumerate(lines) if line.startswith("=")]
    return [re.split(r"\s{2,}", line.strip()) for line in lines[first + 1 : last] if line.strip()]


def summary_counts(model: nn.Sequential) -> dict[str, int]:
    lines = summary_lines(model)
    counts = {}
    for key, label in (("total", "Total"), ("trainable", "Trainable"), ("non_trainable", "Non-")):
        (line,) = [line for line in lines if line.startswith(label)]
        counts[key] = int(line.split(":")[1].replace(",", ""))
    return counts


def assert_rows_are_keras_s(model: nn.Sequential, stored: dict) -> None:
    """Each summary row shows Keras's layer name and class (cut at the column's width, as
    tf.keras 2 cuts them), output shape and parameter count."""
    rows = summary_rows(model)
    assert len(rows) == len(stored["rows"])
    for (label, shape, count), (name, cls, keras_shape, keras_count) in zip(rows, stored["rows"]):
        full = f"{name} ({cls})"
        assert label == full or (len(label) >= 25 and full.startswith(label))
        assert (shape, count) == (keras_shape, str(keras_count))


# --- 1. to_json equals Keras's ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
def test_to_json_equals_keras_key_by_key_and_in_order(name):
    spec = MODELS[name]["spec"].get("compile")
    ours = comparable(json.loads(build(MODELS[name]["spec"]).to_json()), spec)
    keras = comparable(MODELS[name]["json"], spec)
    assert ours == keras
    assert json.dumps(ours) == json.dumps(keras)  # Keras's key order too


@pytest.mark.parametrize("name", sorted(MODELS))
def test_to_json_equals_keras_apart_from_the_known_differences(name):
    """What KNOWN leaves to compare: every case equals Keras once the build_configs of
    layers built at init and the model-level trainable flag are set aside."""
    spec = MODELS[name]["spec"].get("compile")
    ours = json.loads(build(MODELS[name]["spec"]).to_json())
    assert known_aside(ours, spec) == known_aside(MODELS[name]["json"], spec)


def test_auto_jit_compile_is_written_as_given_and_keras_resolves_it():
    for name, stored in MODELS.items():
        spec = stored["spec"].get("compile")
        if not spec:
            assert stored["json"]["compile_config"] == {}
            assert json.loads(build(stored["spec"]).to_json())["compile_config"] == {}
            continue
        ours = json.loads(build(stored["spec"]).to_json())["compile_config"]["jit_compile"]
        keras = stored["json"]["compile_config"]["jit_compile"]
        assert ours == spec.get("jit_compile", "auto"), name
        # Keras's backend here is numpy: "auto" is True there, a given value stays
        assert keras is spec.get("jit_compile", KERAS["backend"] in ("numpy", "jax")), name


def test_serialize_and_get_config_are_the_json_s_parts():
    stored = MODELS["dense_course"]
    model = build(stored["spec"])
    record = json.loads(json.dumps(nn.models.serialize(model)))
    assert record == json.loads(model.to_json())
    assert json.loads(json.dumps(model.get_config())) == stored["json"]["config"]
    assert model.get_build_config() == {"input_shape": [None, 400]}
    assert json.loads(json.dumps(model.get_build_config())) == stored["json"]["build_config"]
    compile_config = comparable(stored["json"], stored["spec"]["compile"])["compile_config"]
    ours = json.loads(json.dumps(model.get_compile_config()))
    assert {k: v for k, v in ours.items() if k != "jit_compile"} == compile_config
    assert json.loads(model.to_json(indent=2)) == json.loads(model.to_json())
    assert "\n  " in model.to_json(indent=2)


def test_an_uncompiled_unbuilt_model_has_an_empty_compile_config_and_no_build_config():
    model = nn.Sequential([nn.Dense(2)], name="bare")
    record = json.loads(model.to_json())
    assert record["compile_config"] == {} and "build_config" not in record
    assert "build_input_shape" not in record["config"] and model.get_build_config() is None
    assert [layer["class_name"] for layer in record["config"]["layers"]] == ["Dense"]


# --- 2. model_from_json of Keras's JSON ---------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
def test_model_from_keras_json_writes_the_same_json(name):
    assert nn.model_from_json is nn.models.model_from_json
    model = nn.model_from_json(json.dumps(MODELS[name]["json"]))
    assert json.loads(model.to_json()) == MODELS[name]["json"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_from_keras_json_is_built_and_compiled_as_keras_s(name):
    stored = MODELS[name]
    model = nn.models.model_from_json(json.dumps(stored["json"]))
    assert model.name == stored["json"]["config"]["name"]
    assert [list(w.shape) for w in model.weights] == stored["loaded_weight_shapes"]
    assert model.built == bool(stored["loaded_weight_shapes"])
    assert [layer.trainable for layer in model.layers] == stored["layers_trainable"]
    assert known_aside(json.loads(model.to_json())) == known_aside(stored["json"])
    if "compiled" not in stored:
        assert model.optimizer is None and model.loss is None
        return
    keras = stored["compiled"]
    assert type(model.optimizer).__name__ == keras["optimizer"]
    # Keras keeps a loss given by name as its function, whose name is our class's snake case
    assert keras["loss"] in (type(model.loss).__name__, snake_case(type(model.loss).__name__))
    x, y = np.array(keras["x"], dtype=np.float32), np.array(keras["y"])
    logs = model.evaluate(x, y, return_dict=True)  # builds the metrics for the output
    assert list(logs) == keras["evaluate_keys"]
    metrics = [[type(m).__name__, m.name] for m in model.metrics[1:]]
    assert metrics == keras["metrics"] + keras["weighted_metrics"]
    assert model.metrics[0].name == "loss"


def test_deserialize_builds_compiles_and_a_fresh_model_fits():
    stored = MODELS["dense_course"]
    model = nn.models.deserialize(stored["json"])
    schedule = model.optimizer.get_config()["learning_rate"]
    assert schedule["class_name"] == "ExponentialDecay"
    assert model.loss.from_logits is True
    x = np.array(stored["compiled"]["x"], dtype=np.float32)
    history = model.fit(x, np.array(stored["compiled"]["y"]), epochs=2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "weighted_acc"}
    assert model.optimizer.iterations == 2


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("{not json", ValueError, r"model_from_json: not a JSON model description"),
        ('{"class_name": "Functional", "config": {}}', ValueError, r"'Functional'"),
        ('{"class_name": "Sequential"}', ValueError, r"'class_name' and\s+'config'"),
        (
            '{"class_name": "Sequential", "config": {"layers": []}}',
            ValueError,
            r"Sequential.from_config: .*'name' and 'layers'",
        ),
    ],
)
def test_bad_json_is_named(text, error, message):
    with pytest.raises(error, match=message):
        nn.model_from_json(text)


# --- 3. pop and add ---------------------------------------------------------------------------


def test_pop_and_add_follow_keras_shapes_summary_and_json():
    stored = KERAS["pop"]
    case = MODELS[stored["model"]]["spec"]
    model = build(case)
    before = [list(w.shape) for w in model.weights]
    popped = model.pop()
    assert (popped.name, type(popped).__name__) == ("dense", "Dense")
    assert model.built and list(model.output_shape) == stored["popped"]["output_shape"]
    assert_rows_are_keras_s(model, stored["popped"])
    assert summary_counts(model) == stored["popped"]["counts"]
    assert [list(w.shape) for w in model.weights] == before[:-2]  # the popped layer's left
    ours = json.loads(model.to_json())
    assert known_aside(ours, case["compile"]) == known_aside(
        stored["popped"]["json"], case["compile"]
    )

    cls, arguments = stored["new_layer"]
    model.add(getattr(nn, cls)(**arguments))
    assert list(model.output_shape) == stored["added"]["output_shape"]
    assert_rows_are_keras_s(model, stored["added"])
    assert summary_counts(model) == stored["added"]["counts"]
    ours = json.loads(model.to_json())
    assert known_aside(ours, case["compile"]) == known_aside(
        stored["added"]["json"], case["compile"]
    )


def test_a_compiled_model_trains_on_through_its_new_head_after_pop_and_add():
    model = build(MODELS["conv"]["spec"])
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 8, 8, 1)).astype(np.float32)
    model.fit(x, rng.integers(0, 2, (6, 1)).astype(np.float32), epochs=1, verbose=0)
    model.pop()
    model.add(nn.Dense(3, name="head"))
    model.compile(optimizer="sgd", loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    head = model.get_layer("head").get_weights()[0].copy()
    history = model.fit(x, rng.integers(0, 3, 6), epochs=1, verbose=0)
    assert model.predict(x).shape == (6, 3) and np.isfinite(history.history["loss"][0])
    assert not np.array_equal(model.get_layer("head").get_weights()[0], head)


def test_pop_empties_the_model_then_errors_naming_it():
    model = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(2, name="a")], name="tiny")
    assert model.pop().name == "a"
    assert model.layers == [] and not model.built
    with pytest.raises(ValueError, match=r"pop: model 'tiny' has no layers to remove"):
        model.pop()
    with pytest.raises(ValueError, match=r"pop: model 'empty' has no layers to remove"):
        nn.Sequential(name="empty").pop()
    model.add(nn.Dense(4, name="b"))  # the input shape stays: built again at once
    assert model.built and model.output_shape == (None, 4)


def test_from_config_names_an_unknown_layer_class():
    config = copy.deepcopy(MODELS["conv"]["json"]["config"])
    config["layers"][2]["class_name"] = "MaxPooling3D"
    with pytest.raises(ValueError, match=r"Unknown layer class 'MaxPooling3D'.*nn has .*Conv2D"):
        nn.Sequential.from_config(config)
    with pytest.raises(ValueError, match=r"Sequential.from_config: .*'name' and 'layers'"):
        nn.Sequential.from_config(["not", "a", "config"])


# --- 4. ModelCheckpoint's .keras files ----------------------------------------------------------


def test_model_checkpoint_keeps_the_best_epoch_in_a_keras_file_written_atomically(
    tmp_path, monkeypatch
):
    # training fits y = x w; validation wants y = 0.5 x w, which the weights pass on the way
    # from zero to w, so the best validation epoch is in the middle
    rng = np.random.default_rng(11)
    w = np.array([[1.0], [2.0], [-1.0]], dtype=np.float32)
    x, x_val = rng.normal(size=(32, 3)).astype(np.float32), rng.normal(size=(16, 3))
    x_val = x_val.astype(np.float32)
    model = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.1), loss="mse")
    path = tmp_path / "ckpt.keras"
    recorded = []
    renames = []
    replace = os.replace

    def recording_replace(source, target):
        renames.append((os.fspath(source), os.fspath(target)))
        replace(source, target)

    monkeypatch.setattr(os, "replace", recording_replace)
    history = model.fit(
        x,
        x @ w,
        epochs=12,
        batch_size=32,
        validation_data=(x_val, 0.5 * x_val @ w),
        verbose=0,
        callbacks=[
            nn.ModelCheckpoint(path, save_best_only=True, monitor="val_loss"),
            nn.LambdaCallback(
                on_epoch_end=lambda epoch, logs: recorded.append(model.get_weights())
            ),
        ],
    )
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert 0 < best < len(val_loss) - 1  # neither the first nor the last epoch
    improvements = sum(v < min(val_loss[:k], default=np.inf) for k, v in enumerate(val_loss))
    assert improvements == best + 1  # val_loss fell on every epoch up to the best

    loaded = nn.load_model(path)
    for ours, theirs in zip(loaded.get_weights(), recorded[best], strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert loaded.optimizer.iterations == best + 1  # one step per epoch
    assert_close(loaded.evaluate(x_val, 0.5 * x_val @ w), val_loss[best])

    # one write per improvement, each a temporary file in the folder renamed onto the target
    assert [target for _, target in renames] == [str(path)] * improvements
    assert all(os.path.dirname(source) == str(tmp_path) for source, _ in renames)
    assert os.listdir(tmp_path) == ["ckpt.keras"]  # nothing temporary left


# --- 5. model-level trainable -----------------------------------------------------------------


def test_a_frozen_model_counts_and_records_as_keras_and_unfreezes_whole():
    stored = MODELS["frozen_model"]
    model = build(stored["spec"])
    assert model.trainable is False and model.trainable_weights == []
    assert [layer.trainable for layer in model.layers] == stored["layers_trainable"]
    assert summary_counts(model) == stored["counts"]
    config = json.loads(model.to_json())["config"]
    assert config["trainable"] is False is stored["json"]["config"]["trainable"]
    assert [layer["config"]["trainable"] for layer in config["layers"][1:]] == [False] * 3

    model.trainable = True  # unfreezes every layer again, as Keras's setter does
    assert [layer.trainable for layer in model.layers] == stored["unfrozen"]["layers_trainable"]
    assert summary_counts(model) == stored["unfrozen"]["counts"]
    assert json.loads(model.to_json())["config"]["trainable"] is True


def test_fitting_a_frozen_model_changes_nothing_as_in_keras():
    """Keras 3.15.1 (on JAX; its numpy backend cannot fit) trains such a model without a
    word: no weight moves, BatchNormalization's moving statistics included (a frozen
    BatchNormalization normalizes with them, as in inference), the loss stays the same and
    the optimizer takes no step (`apply` of no gradients is a no-op)."""
    model = build(MODELS["frozen_model"]["spec"])
    before = model.get_weights()
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 5)).astype(np.float32)
    history = model.fit(x, rng.normal(size=(8, 1)), epochs=2, batch_size=4, verbose=0)
    for after, weight in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(after, weight)
    first, second = history.history["loss"]  # the same batches, summed in another order
    assert_close(np.float32(second), np.float32(first))
    assert model.optimizer.iterations == 0


@pytest.mark.parametrize("name", sorted(MODELS))
def test_freezing_and_unfreezing_the_model_sets_every_layer_as_keras(name):
    """model.trainable = False, then True: every layer is trainable again, one frozen by
    itself before included, and the counts are Keras's."""
    stored = MODELS[name]
    model = build(stored["spec"])
    model.trainable = False
    assert model.trainable_weights == [] and not any(layer.trainable for layer in model.layers)
    model.trainable = True
    assert [layer.trainable for layer in model.layers] == stored["unfrozen"]["layers_trainable"]
    assert sum(w.size for w in model.trainable_weights) == stored["unfrozen"]["counts"]["trainable"]
    if model.built:
        assert summary_counts(model) == stored["unfrozen"]["counts"]


@pytest.mark.parametrize("name", ["every_layer_frozen", "frozen_then_added"])
def test_model_trainable_is_the_model_s_own_flag_as_in_keras(name):
    stored = MODELS[name]
    model = build(stored["spec"])
    assert model.trainable is stored["model_trainable"]
    assert summary_counts(model) == stored["counts"]
    assert [layer.trainable for layer in model.layers] == stored["layers_trainable"]


def test_model_trainable_must_be_a_bool():
    model = build(MODELS["frozen_layer"]["spec"])
    with pytest.raises(TypeError, match=r"trainable must be True or False, got 'no'"):
        model.trainable = "no"
