"""Pictures in a notebook: the layout chosen for the course network, and the mime bundles
Jupyter shows (SVG at most 12 in wide, laid out by the project's `pipe`), read without Jupyter."""

from __future__ import annotations

import pickle
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import graphviz
import numpy as np
import pytest

import autograd_lite as ag
import nn
from autograd_lite.viz import backward_player
from autograd_lite.viz import dot as viz_dot
from autograd_lite.viz.dot import INLINE_WIDTH, _label, estimated_widths, pipe, to_digraph
from autograd_lite.viz.graph import build_spec

from .test_viz import EXAMPLES, scalar_expression
from .test_viz_html import neuron
from .test_viz_plot_model import course_model
from .test_viz_render import fake_dot

CAP_PT = INLINE_WIDTH * 72  # 864 pt: an SVG's width is in points, 72 to the inch
PX = 96 / 72  # pixels a point, as a browser shows an SVG
SVG = "{http://www.w3.org/2000/svg}"


def nn_course_step(batch: int = 32) -> ag.Tensor:
    """The loss of one training step of examples/graph_course_network.py, after backward."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        from graph_course_network import training_step
    finally:
        sys.path.remove(str(EXAMPLES))
    return training_step(batch=batch)


def svg_size(svg: str) -> tuple[float, float]:
    """The width and height attributes of an <svg> element, in points."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return tuple(float(root.get(name).removesuffix("pt")) for name in ("width", "height"))


def svg_texts(svg: str) -> list[str]:
    """The text of every <text> element, as the picture shows it."""
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_course_step_is_drawn_top_to_bottom_and_fits_a_notebook() -> None:
    loss = nn_course_step()
    wide = ag.draw_graph(loss, rankdir="LR")
    lr_width, lr_height = svg_size(pipe(wide, "svg").decode().split("?>", 1)[1])
    assert lr_width > 3 * lr_height  # a strip, far wider than tall

    graph = ag.draw_graph(loss)
    assert "rankdir=TB" in graph.source
    natural = svg_size(pipe(graph, "svg").decode().split("?>", 1)[1])
    assert natural[0] < lr_width / 2  # top to bottom is much narrower
    svg = graph._repr_mimebundle_()["image/svg+xml"]
    assert svg.startswith("<svg") and svg_size(svg)[0] <= CAP_PT + 1  # shown within the cap
    shown = svg_texts(svg)
    for name in ("x", "L1/kernel", "L2/bias", "L3/kernel", "SoftmaxCrossEntropy", "loss"):
        assert name in shown
    assert shown.count("activation='relu'") == 2 and shown.count("activation='linear'") == 1


def test_the_labels_of_the_loss_are_drawn_in_the_loss_box_and_x_outside() -> None:
    spec = build_spec(nn_course_step(batch=8))
    clusters = {node.id: node.cluster for node in spec.tensors}
    leaves = {node.name or str(node.shape): clusters[node.id] for node in spec.tensors}
    assert leaves["x"] is None
    assert leaves["(8,)"] == "SparseCategoricalCrossentropy"  # the int64 labels
    assert leaves["L2/kernel"] == "L2 (Dense)"


def test_explicit_directions_are_kept_and_a_too_wide_picture_is_scaled_to_the_cap() -> None:
    loss = nn_course_step()
    for rankdir in ("LR", "TB", "RL", "BT"):
        assert f"rankdir={rankdir}" in ag.draw_graph(loss, rankdir=rankdir).source
    wide = ag.draw_graph(loss, rankdir="LR")
    natural_width, natural_height = svg_size(pipe(wide, "svg").decode().split("?>", 1)[1])
    width, height = svg_size(wide._repr_mimebundle_()["image/svg+xml"])
    assert width == pytest.approx(CAP_PT, abs=1)  # scaled to the cap, proportions kept
    assert height == pytest.approx(natural_height * width / natural_width, rel=0.1)
    assert "size" not in wide.graph_attr  # the inline cap does not change the picture itself
    wide.attr(size="5,5")  # a size the user sets is kept
    assert svg_size(wide._repr_mimebundle_()["image/svg+xml"])[0] <= 5 * 72


def test_a_small_expression_stays_left_to_right_as_micrograd_draws_it() -> None:
    for root in (scalar_expression()["L"], neuron()):
        graph = ag.draw_graph(root)
        assert "rankdir=LR" in graph.source
        width, _ = svg_size(graph._repr_mimebundle_()["image/svg+xml"])
        assert width <= CAP_PT


@pytest.mark.parametrize("show_rule", [False, True])
def test_the_width_estimate_and_dot_agree_on_the_direction(show_rule: bool) -> None:
    """auto_rankdir decides from estimated widths: they must fall on the same side of the
    limit (1.5 inline widths, 18 in) as the widths dot really lays out."""
    limit = viz_dot.AUTO_LR_LIMIT * INLINE_WIDTH
    x = ag.Tensor([1.0, -2.0, 3.0], name="x")
    w = ag.Tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True, name="w")
    b = ag.Tensor(np.zeros(4), requires_grad=True, name="b")
    h = (x @ w + b).relu()
    unit = (h * h).mean()  # 6 ops of small arrays: 25 in left to right
    unit.backward()
    cases = [
        (scalar_expression()["L"], False),
        (neuron(), False),
        (unit, True),
        (nn_course_step(), True),
    ]
    for root, too_wide in cases:
        spec = build_spec(root, show_rule=show_rule)
        labels = {node.id: _label(node) for node in (*spec.tensors, *spec.ops)}
        across, _ = estimated_widths(spec, labels)
        laid_out = float(pipe(to_digraph(spec, "LR"), "plain").split()[2])
        assert (across > limit, laid_out > limit) == (too_wide, too_wide), (root.name, across)
        assert 0.6 < across / laid_out < 1.4
        assert to_digraph(spec).graph_attr["rankdir"] == ("TB" if too_wide else "LR")


def test_pictures_keep_the_whole_digraph_api() -> None:
    graph = ag.draw_graph(scalar_expression()["L"])
    assert isinstance(graph, graphviz.Digraph)
    copy = graph.copy()
    assert type(copy) is type(graph) and copy.source == graph.source
    assert copy._repr_mimebundle_() == graph._repr_mimebundle_()
    assert graph.pipe(format="svg") == pipe(graph, "svg")
    again = pickle.loads(pickle.dumps(graph))
    assert type(again) is type(graph) and again.source == graph.source


def test_the_inline_picture_is_made_by_the_projects_pipe_with_its_timeout(monkeypatch) -> None:
    calls = []

    def spy(graph, fmt, timeout=viz_dot.DOT_TIMEOUT, caller="?"):
        calls.append((fmt, timeout, caller, graph.graph_attr.get("size")))
        return pipe(graph, fmt, timeout, caller)

    monkeypatch.setattr(viz_dot, "pipe", spy)
    ag.draw_graph(scalar_expression()["L"])._repr_mimebundle_()
    nn.plot_model(course_model(), to_file=None)._repr_mimebundle_()
    ag.backward_frames(neuron())[0]._repr_mimebundle_()
    assert calls == [("svg", viz_dot.DOT_TIMEOUT, "showing the picture in Jupyter", "12,1200")] * 3


def test_a_failing_dot_in_the_notebook_says_so(tmp_path, monkeypatch) -> None:
    fake_dot(tmp_path / "bin", monkeypatch, "echo 'Error: out of memory' >&2\nexit 1")
    with pytest.raises(
        RuntimeError,
        match=r"showing the picture in Jupyter: the graphviz program `dot` failed "
        r"\(exit status 1\): Error: out of memory",
    ):
        ag.draw_graph(scalar_expression()["L"])._repr_mimebundle_()


def test_plot_model_shows_inline_as_svg() -> None:
    svg = nn.plot_model(course_model(), to_file=None)._repr_mimebundle_()["image/svg+xml"]
    width, height = svg_size(svg)
    assert width <= CAP_PT and height > width  # top to bottom, as Keras draws it
    text = " ".join(svg_texts(svg))
    for expected in ("course_net", "10,575 parameters", "L1", "(Dense)", "10,025 params"):
        assert expected in text
    with pytest.raises(ValueError, match=r"plot_model: rankdir must be LR, TB, RL or BT, got 'up'"):
        nn.plot_model(course_model(), to_file=None, rankdir="up")


def test_a_frame_shows_its_caption_over_its_picture() -> None:
    frames = ag.backward_frames(neuron())
    bundle = frames[2]._repr_mimebundle_()
    assert bundle["text/plain"] == "step 3/5: dout/dwx filled in by Add"
    assert svg_texts(bundle["image/svg+xml"]).count("grad ?") == 2  # b and w still to come
    figure = ET.fromstring(bundle["text/html"])
    assert figure.tag == "figure" and bundle["image/svg+xml"] in bundle["text/html"]
    assert "".join(figure.find("figcaption").itertext()) == bundle["text/plain"]
    assert svg_size(bundle["image/svg+xml"])[0] <= CAP_PT
    # a caption is text, never markup
    x = ag.Tensor(2.0, requires_grad=True, name='<b>"x"')
    bundle = ag.backward_frames((x * x).sum())[-1]._repr_mimebundle_()
    assert bundle["text/plain"] == 'step 3/3: dL/d(<b>"x") filled in by Mul (2 parts summed)'
    assert ET.fromstring(bundle["text/html"]).find("figcaption/b").text == bundle["text/plain"]


class Elements(HTMLParser):
    """The ids, the tags and the external references of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(found["id"])
        self.external += [v for k, v in attrs if k in ("src", "href") and v]


def test_the_backward_player_shows_inline_with_ids_of_its_own(tmp_path) -> None:
    player = backward_player(neuron())
    assert repr(player) == "BackwardPlayer(5 frames: 'step 5/5: dout/dw filled in by Mul')"
    first, second = player._repr_html_(), player._repr_html_()
    parsed = []
    for fragment in (first, second):
        elements = Elements()
        elements.feed(fragment)
        assert elements.tags[0] == "div" and "html" not in elements.tags
        assert elements.tags.count("svg") == 5 and elements.tags.count("script") == 1
        assert elements.external == [] and "@import" not in fragment
        prefix = elements.ids[0].removesuffix("player")
        assert re.fullmatch(r"ag-player-[0-9a-f]{8}-", prefix)
        assert all(
            i.startswith((prefix, "graph", "node", "edge", "clust")) for i in elements.ids
        )  # the rest are dot's own ids inside each SVG
        frames = [i.removeprefix(prefix) for i in elements.ids if "frame-" in i]
        assert frames == [f"frame-{k}" for k in range(1, 6)]
        assert re.findall(r"#([\w-]+)player ", fragment)[0] == prefix  # scoped style
        parsed.append(prefix)
    assert parsed[0] != parsed[1]  # two players in one notebook page do not share ids
    # the page of save() holds the same player, keyed to the whole page
    page = player.save(tmp_path / "player.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 5
    assert 'id="player"' in page and "document.addEventListener" in page
    assert "document.addEventListener" not in first


def test_save_backward_html_names_itself_for_a_bad_path() -> None:
    with pytest.raises(TypeError, match=r"save_backward_html: path must be a str or os.PathLike"):
        ag.save_backward_html(neuron(), 42)


def test_the_frames_share_one_direction_and_refuse_an_unknown_one() -> None:
    loss = nn_course_step(batch=8)
    assert {f.graph.graph_attr["rankdir"] for f in ag.backward_frames(loss)} == {"TB"}
    assert ag.backward_frames(loss, rankdir="LR")[0].graph.graph_attr["rankdir"] == "LR"
    with pytest.raises(
        ValueError,
        match=r"backward_frames: rankdir must be None \(automatic\), LR, TB, RL or BT, got 'XY'",
    ):
        ag.backward_frames(loss, rankdir="XY")
