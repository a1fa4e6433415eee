"""nn.plot_model against a stand-in model with the Keras-2 interface nn will provide."""

from __future__ import annotations

import re

import pytest

from nn.plot import plot_model


class Dense:
    def __init__(self, name: str, n_in: int, n_out: int) -> None:
        self.name = name
        self.input_shape = (None, n_in)
        self.output_shape = (None, n_out)
        self.params = n_in * n_out + n_out

    def count_params(self) -> int:
        return self.params


class Flatten:
    name = "flatten"
    input_shape = (None, 20, 20)
    output_shape = (None, 400)

    def count_params(self) -> int:
        return 0


class Unbuilt(Flatten):
    name = "unbuilt"

    @property
    def output_shape(self):
        raise AttributeError("The layer has never been called and thus has no defined output shape")


class Computed:
    """Like nn's layers today: no `output_shape` attribute, but `compute_output_shape`."""

    name = "computed"
    input_shape = (None, 20, 20)

    def count_params(self) -> int:
        return 0

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1] * input_shape[2])


class Model:
    name = "course_net"

    def __init__(self, layers) -> None:
        self.layers = layers


def course_model() -> Model:
    return Model([Flatten(), Dense("L1", 400, 25), Dense("L2", 25, 15), Dense("L3", 15, 10)])


def text_of(source: str) -> list[str]:
    """Each layer node's label as plain text, in order."""
    rows = re.findall(r"^\s*layer\d+ \[label=<(.*)> ", source, re.MULTILINE)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_one_node_per_layer_with_shapes_and_parameter_counts(tmp_path) -> None:
    graph = plot_model(course_model(), to_file=tmp_path / "model.png")
    source = graph.source
    assert text_of(source) == [
        "flatten (Flatten) input: (None, 20, 20) output: (None, 400) 0 params",
        "L1 (Dense) input: (None, 400) output: (None, 25) 10,025 params",
        "L2 (Dense) input: (None, 25) output: (None, 15) 390 params",
        "L3 (Dense) input: (None, 15) output: (None, 10) 160 params",
    ]
    assert re.findall(r"^\s*(layer\d+) -> (layer\d+)", source, re.MULTILINE) == [
        ("layer0", "layer1"),
        ("layer1", "layer2"),
        ("layer2", "layer3"),
    ]
    assert "<B>course_net</B>" in source and "10,575 parameters" in source
    assert "rankdir=TB" in source
    png = (tmp_path / "model.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000


def test_options_hide_names_and_shapes_and_write_other_formats(tmp_path) -> None:
    graph = plot_model(
        course_model(),
        to_file=tmp_path / "model.svg",
        show_shapes=False,
        show_layer_names=False,
        rankdir="LR",
    )
    assert text_of(graph.source)[1] == "Dense 10,025 params"
    assert "rankdir=LR" in graph.source
    svg = (tmp_path / "model.svg").read_text()
    assert svg.count('class="node"') == 4 and ">10,025 params<" in svg
    assert (
        plot_model(course_model(), to_file=None).source
        == plot_model(course_model(), to_file=tmp_path / "model.dot").source
        == (tmp_path / "model.dot").read_text()
    )


def test_an_unbuilt_layer_shows_a_question_mark() -> None:
    graph = plot_model(Model([Unbuilt()]), to_file=None)
    assert text_of(graph.source) == ["unbuilt (Unbuilt) input: (None, 20, 20) output: ? 0 params"]


def test_output_shape_is_computed_when_the_layer_has_no_attribute() -> None:
    graph = plot_model(Model([Computed()]), to_file=None)
    assert text_of(graph.source) == [
        "computed (Computed) input: (None, 20, 20) output: (None, 400) 0 params"
    ]


def test_a_bad_suffix_is_refused_before_anything_is_written(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"use one of the suffixes \.svg, \.png"):
        plot_model(course_model(), to_file=tmp_path / "model.jpg")
    assert list(tmp_path.iterdir()) == []
