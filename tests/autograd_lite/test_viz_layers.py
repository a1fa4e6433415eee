"""Layer-level graph pictures (a layer as one box, expandable) and heatmaps of values."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.viz.dot import cell_color, to_digraph
from autograd_lite.viz.graph import AUTO_COLLAPSE_NODES, build_spec, heatmap
from tests.autograd_lite.test_viz import course_step


def test_collapsed_layers_are_one_box_each_with_title_parameters_and_output():
    spec = build_spec(course_step(), layers="collapsed")
    titles = [layer.title for layer in spec.layers]
    loss = "SparseCategoricalCrossentropy"
    assert titles == ["L1: Dense(25)", "L2: Dense(15)", "L3: Dense(10)", loss]
    l1 = spec.layers[0]
    assert l1.parameters == (("kernel", (400, 25)), ("bias", (25,)))
    assert l1.count == 400 * 25 + 25
    assert l1.output.shape == (32, 25)
    assert l1.ops == ("MatMul", "Add", "ReLU")
    assert not spec.clusters and not spec.ops


def test_collapsing_keeps_x_and_the_root_joined_by_one_edge_per_layer():
    loss = course_step()
    spec = build_spec(loss, layers="collapsed")
    x, root = spec.tensors  # nothing else is drawn besides the layers
    assert (x.name, x.kind, root.kind) == ("x", "constant", "root")
    assert root.data == f"{loss.item():.4g}"
    chain = [x.id, *(layer.id for layer in spec.layers), root.id]
    assert [(e.tail, e.head) for e in spec.edges] == list(itertools.pairwise(chain))
    assert spec.spine == tuple(reversed(chain))
    # the loss's box shows its value; the labels it used are inside it
    assert spec.layers[-1].output.id == root.id and spec.layers[-1].parameters == ()


def test_a_list_expands_only_the_layers_named():
    spec = build_spec(course_step(), layers=["L2"])
    assert [c.label for c in spec.clusters] == ["L2 (Dense)"]
    assert [layer.title for layer in spec.layers][:2] == ["L1: Dense(25)", "L3: Dense(10)"]
    assert [op.name for op in spec.ops] == ["MatMul", "Add", "ReLU"]
    # the expanded layer's matmul takes L1's box as its input `a`
    (into_matmul,) = [e for e in spec.edges if e.head == spec.ops[0].id and e.position == 0]
    assert into_matmul.tail == spec.layers[0].id and into_matmul.argument == "a"


def test_fused_dense_layers_of_nn_are_titled_like_the_code():
    import nn

    nn.set_seed(0)
    model = nn.Sequential(
        [nn.Input(shape=(4,)), nn.Dense(3, activation="relu", name="L1"), nn.Dense(2, name="L2")]
    )
    x = ag.Tensor(np.ones((5, 4), np.float32), name="x")
    loss_function = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    loss = loss_function(np.array([0, 1, 0, 1, 1]), model(x))
    loss.backward()
    spec = build_spec(loss, layers="collapsed")
    titles = [layer.title for layer in spec.layers]
    assert titles == ["L1: Dense(3, relu)", "L2: Dense(2, linear)", "SparseCategoricalCrossentropy"]
    source = ag.draw_graph(loss, layers="collapsed").source
    assert "4*3 + 3 = 15 params" in source and "3*2 + 2 = 8 params" in source


def test_the_default_collapses_only_graphs_too_large_to_read():
    small = course_step()
    assert len(build_spec(small).tensors) + len(build_spec(small).ops) <= AUTO_COLLAPSE_NODES
    assert "cluster_0" in ag.draw_graph(small).source  # drawn op by op
    x = ag.Tensor(np.ones(3), requires_grad=True, name="x")
    h = x
    for i in range(12):
        with ag.name_scope(f"block{i} (Step)"):
            h = (h * 1.5).tanh() + 0.1
    source = ag.draw_graph(h.sum()).source
    assert "cluster_" not in source
    assert len(re.findall(r"^\s*layer\d+ \[", source, re.MULTILINE)) == 12
    assert "block11: Step" in source


def test_unknown_layer_names_and_modes_are_refused_naming_the_layers():
    loss = course_step()
    with pytest.raises(ValueError, match=r"no layer named 'L9' in this graph; its layers are 'L1'"):
        ag.draw_graph(loss, layers=["L9"])
    with pytest.raises(ValueError, match="layers must be 'collapsed', 'expanded'"):
        ag.draw_graph(loss, layers="folded")
    with pytest.raises(ValueError, match="values must be 'numbers' or 'heatmap', got 'colors'"):
        ag.draw_graph(loss, values="colors")


def test_heatmap_averages_blocks_and_keeps_the_largest_magnitude_as_scale():
    a = np.arange(48.0).reshape(48, 1) - 10
    h = heatmap(a)
    assert h.block == (2, 1) and len(h.cells) == 24
    assert h.cells[0] == (-9.5,) and h.cells[-1] == (36.5,)
    assert h.scale == 37.0
    v = heatmap(np.array([1.0, np.nan, -2.0]))
    assert v.cells[0][0] == 1.0 and np.isnan(v.cells[0][1]) and v.scale == 2.0


def test_cell_colors_run_from_blue_through_white_to_red():
    assert cell_color(0.0, 2.0) == "#ffffff"
    assert cell_color(2.0, 2.0) == "#b2182b"
    assert cell_color(-2.0, 2.0) == "#2166ac"
    assert cell_color(5.0, 2.0) == "#b2182b"  # clipped to the scale
    assert cell_color(float("nan"), 2.0) == "#9e9e9e"


def test_heatmap_values_replace_the_numbers_of_arrays_not_of_scalars():
    w = ag.Tensor([[1.0, -1.0], [0.5, 0.0]], requires_grad=True, name="w")
    loss = (w * w).sum()
    loss.backward()
    spec = build_spec(loss, values="heatmap")
    node = next(t for t in spec.tensors if t.name == "w")
    assert node.data_map.cells == ((1.0, -1.0), (0.5, 0.0))
    assert node.grad_map.cells == ((2.0, -2.0), (1.0, 0.0))  # d(sum w^2)/dw = 2w
    assert spec.tensors[-1].data_map is None  # the scalar loss keeps its number
    source = to_digraph(spec).source
    (w_label,) = re.findall(rf"^\s*{node.id} \[label=(.*)$", source, re.MULTILINE)
    colors = re.findall(r'BGCOLOR="(#\w+)"', w_label)
    # w = [[1, -1], [0.5, 0]] on the scale 1, then its gradient [[2, -2], [1, 0]] on the scale 2
    assert colors == ["#b2182b", "#2166ac", "#d88c95", "#ffffff"] * 2
    assert "data |max| 1" in w_label and "grad |max| 2" in w_label


def test_layer_boxes_and_heatmaps_render_as_svg():
    svg = ag.draw_graph(course_step(), layers=["L2"], values="heatmap").pipe(format="svg")
    text = svg.decode()
    assert "L1: Dense(25)" in text and "L2 (Dense)" in text
    fills = re.findall(r'<polygon fill="(#\w+)"', text)
    assert len(fills) > 1000  # each heatmap cell is a filled polygon
    reds = [c for c in set(fills) if int(c[1:3], 16) > int(c[5:7], 16) + 40]
    blues = [c for c in set(fills) if int(c[5:7], 16) > int(c[1:3], 16) + 40]
    assert len(reds) > 20 and len(blues) > 20
