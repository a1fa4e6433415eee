"""The examples, run in a fast mode (fewer epochs), must still reach real accuracies; the
picture examples must write real pictures."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_digits_recogniser(capsys):
    accuracy = load("digits").main(epochs=15, verbose=0)
    assert accuracy["train"] > 0.93 and accuracy["test"] > 0.90
    out = capsys.readouterr().out
    assert 'Model: "my_model"' in out and "Total params: 2,175" in out


def test_from_logits(capsys):
    results = load("from_logits").main(epochs=5)
    assert results["softmax output accuracy"] > 0.9
    assert results["linear output + from_logits accuracy"] > 0.9
    assert results["loss from logits"] == pytest.approx(1000.0)
    assert results["loss from probabilities"] == pytest.approx(16.118, abs=1e-3)


def test_multilabel(capsys):
    results = load("multilabel").main(epochs=10)
    assert min(results.values()) > 0.9


def test_relu_vs_sigmoid(capsys):
    results = load("relu_vs_sigmoid").main(epochs=300)
    assert results["relu"] < 1e-4 and results["sigmoid"] > 1e-3


def test_adam_gets_further_than_sgd(capsys):
    final = load("adam").main(epochs=5)
    adam, sgd = final["Adam(learning_rate=0.001)"], final["SGD(learning_rate=0.01)"]
    assert adam < 0.1 and sgd > 1.5 * adam


def test_graph_course_network_writes_every_picture(tmp_path):
    written = load("graph_course_network").main(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        ["step.png", "step.svg", "step_rules.png", "model.png", "backprop.html"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    for name in ("step.png", "step_rules.png", "model.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = ET.parse(tmp_path / "step.svg").getroot()
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"L1 (Dense)", "SoftmaxCrossEntropy", "loss"} <= texts
    page = (tmp_path / "backprop.html").read_text()
    assert page.count('<figure class="frame"') == 10  # 6 parameters, 3 layer outputs, the loss


def test_conv_ekg(capsys):
    accuracy = load("conv_ekg").main(epochs=10)
    assert accuracy["test"] > 0.9
    assert "conv (Conv1D)               (None, 9, 8)" in capsys.readouterr().out


def test_cnn_digits_beats_the_dense_network(capsys):
    accuracy = load("cnn_digits").main(epochs=10)
    assert accuracy["test"] > 0.958  # examples/digits.py's dense network, same split
    out = capsys.readouterr().out
    assert "conv1 (Conv2D)              (None, 8, 8, 16)          160" in out
    assert "Total params: 6,090" in out


def test_graduate_opens_the_model_in_keras_and_onnx_runtime(tmp_path):
    # a separate process: the example imports Keras (numpy backend), which keeps global state
    script = os.path.join(EXAMPLES, "graduate.py")
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    done = subprocess.run(
        [sys.executable, script, str(tmp_path), "3"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    ours = float(re.search(r"test accuracy (\S+)", lines[0]).group(1))
    assert ours > 0.9
    assert "agree to float32 rounding on 360 examples" in lines[2]
    keras = re.search(
        r"test accuracy (\S+); largest difference from our logits (\S+) \(logits up to (\S+)\)",
        lines[3],
    )
    assert float(keras.group(1)) == ours  # the same predictions, so the same accuracy
    assert float(keras.group(2)) <= 1e-5 * float(keras.group(3)) + 1e-6  # float32 rounding
    assert "optimizer Adam at step 135" in lines[3]  # 3 epochs of 45 batches came along
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digits.keras", "digits.onnx"]
