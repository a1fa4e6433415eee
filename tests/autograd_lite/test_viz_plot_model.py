"""nn.plot_model on real nn models: the DOT structure, the files, and the unbuilt-model error."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nn


def course_model(with_input: bool = True) -> nn.Sequential:
    layers = [
        nn.Dense(25, activation="relu", name="L1"),
        nn.Dense(15, activation="relu", name="L2"),
        nn.Dense(10, name="L3"),
    ]
    start = [nn.Input(shape=(400,))] if with_input else []
    return nn.Sequential(start + layers, name="course_net")


def text_of(source: str) -> list[str]:
    """Each node's label as plain text, in order (the input first, then the layers)."""
    rows = re.findall(r"^\s*(?:input|layer\d+) \[label=<(.*)> ", source, re.MULTILINE)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_one_node_per_layer_with_shapes_and_parameter_counts(tmp_path) -> None:
    graph = nn.plot_model(course_model(), to_file=tmp_path / "model.png")
    source = graph.source
    assert text_of(source) == [
        "Input shape: (None, 400)",
        "L1 (Dense) input: (None, 400) output: (None, 25) 10,025 params",
        "L2 (Dense) input: (None, 25) output: (None, 15) 390 params",
        "L3 (Dense) input: (None, 15) output: (None, 10) 160 params",
    ]
    assert re.findall(r"^\s*(\w+) -> (\w+)", source, re.MULTILINE) == [
        ("input", "layer0"),
        ("layer0", "layer1"),
        ("layer1", "layer2"),
    ]
    assert "<B>course_net</B>" in source and "10,575 parameters" in source
    assert "rankdir=TB" in source
    png = (tmp_path / "model.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000


def test_svg_is_valid_xml_with_every_layer(tmp_path) -> None:
    nn.plot_model(course_model(), to_file=tmp_path / "model.svg")
    root = ET.parse(tmp_path / "model.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert [t for t in texts if t in ("L1", "L2", "L3", "Input")] == ["Input", "L1", "L2", "L3"]
    assert "10,025 params" in texts and "output: (None, 10)" in texts
    assert sum(g.get("class") == "node" for g in root.iter("{http://www.w3.org/2000/svg}g")) == 4


def test_options_hide_names_and_shapes_and_write_other_formats(tmp_path) -> None:
    graph = nn.plot_model(
        course_model(),
        to_file=tmp_path / "model.svg",
        show_shapes=False,
        show_layer_names=False,
        rankdir="LR",
    )
    assert text_of(graph.source) == [
        "Input",
        "Dense 10,025 params",
        "Dense 390 params",
        "Dense 160 params",
    ]
    assert "rankdir=LR" in graph.source
    assert (
        nn.plot_model(course_model(), to_file=None).source
        == nn.plot_model(course_model(), to_file=tmp_path / "model.dot").source
        == (tmp_path / "model.dot").read_text()
    )


def test_a_model_built_by_calling_it_on_data_is_drawn_like_one_built_by_input() -> None:
    model = course_model(with_input=False)
    model(np.zeros((2, 400)))
    assert text_of(nn.plot_model(model, to_file=None).source) == text_of(
        nn.plot_model(course_model(), to_file=None).source
    )


def test_an_unbuilt_model_is_refused_as_keras_refuses_it(tmp_path) -> None:
    # Keras: "This model has not yet been built. Build the model first by calling `build()`
    # or by calling the model on a batch of data."
    with pytest.raises(
        ValueError, match=r"plot_model: model 'course_net' is not built yet: start it"
    ):
        nn.plot_model(course_model(with_input=False), to_file=tmp_path / "model.png")
    with pytest.raises(ValueError, match="is not built yet"):
        nn.plot_model(nn.Sequential(name="empty"), to_file=None)
    assert list(tmp_path.iterdir()) == []


def test_a_bad_suffix_is_refused_before_anything_is_written(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"use one of the suffixes \.svg, \.png"):
        nn.plot_model(course_model(), to_file=tmp_path / "model.jpg")
    assert list(tmp_path.iterdir()) == []
