"""Graph pictures: the spec as data, the DOT text, real renders with `dot`, and the edge cases."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.viz.dot import GraphvizNotFoundError
from autograd_lite.viz.graph import CONSTANT, INTERMEDIATE, PARAMETER, ROOT, build_spec, preview

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NODE = re.compile(r"^\s*((?:t|op)\d+) \[", re.MULTILINE)
EDGE = re.compile(r"^\s*(\w+) -> (\w+)", re.MULTILINE)


def scalar_expression() -> dict[str, ag.Tensor]:
    """micrograd's L = (a*b + c) * f, every tensor named, after backward."""
    t = {
        n: ag.Tensor(v, requires_grad=True, name=n) for n, v in zip("abcf", (2.0, -3.0, 10.0, -2.0))
    }
    t["e"] = t["a"] * t["b"]
    t["d"] = t["e"] + t["c"]
    t["L"] = t["d"] * t["f"]
    for name in "edL":
        t[name].name = name
    t["L"].backward()
    return t


def course_step(batch: int = 32) -> ag.Tensor:
    """One training step of the 400-25-15-10 network, layers in name scopes as nn draws them."""
    rng = np.random.default_rng(0)
    h = ag.Tensor(rng.standard_normal((batch, 400)).astype(np.float32), name="x")
    y = rng.integers(0, 10, batch)
    for i, (n_in, n_out) in enumerate([(400, 25), (25, 15), (15, 10)], start=1):
        k = ag.Tensor(
            rng.standard_normal((n_in, n_out)).astype(np.float32) * 0.1,
            requires_grad=True,
            name=f"L{i}/kernel",
        )
        b = ag.Tensor(np.zeros(n_out, np.float32), requires_grad=True, name=f"L{i}/bias")
        with ag.name_scope(f"L{i} (Dense)"):
            h = h @ k + b
            h = h.relu() if i < 3 else h
    with ag.name_scope("SparseCategoricalCrossentropy"):
        loss = (ag.logsumexp(h, axis=-1) - h[np.arange(batch), y]).mean()
    loss.backward()
    return loss


def labels(source: str) -> dict[str, str]:
    """node id -> its label text, markup removed and entities decoded."""
    found = {}
    for line in source.splitlines():
        m = re.match(r"^\s*((?:t|op)\d+) \[label=<(.*)> ", line)
        if m:
            text = re.sub(r"<[^>]+>", " ", m.group(2))
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            found[m.group(1)] = " ".join(text.replace("&amp;", "&").split())
    return found


# --- the spec, as data ---------------------------------------------------------------------


def test_scalar_spec_has_every_tensor_op_and_edge() -> None:
    t = scalar_expression()
    spec = build_spec(t["L"])
    names = {node.name: node for node in spec.tensors}
    assert set(names) == set("abcfedL")
    assert [op.name for op in spec.ops] == ["Mul", "Add", "Mul"]
    assert {n: names[n].kind for n in "afeL"} == {
        "a": PARAMETER,
        "f": PARAMETER,
        "e": INTERMEDIATE,
        "L": ROOT,
    }
    # data and gradients as micrograd shows them: dL/da = b*f = 6, dL/de = f = -2
    assert {n: (names[n].data, names[n].grad) for n in "aeL"} == {
        "a": ("2", "6"),
        "e": ("-6", "-2"),
        "L": ("-8", "1"),
    }
    assert len(spec.input_edges) == 6 and len(spec.edges) == 9
    assert spec.omitted == 0 and spec.clusters == ()


def test_ids_follow_the_walk_and_edges_keep_argument_order() -> None:
    t = scalar_expression()
    order = ag.topological_order(t["L"])
    spec = build_spec(t["L"])
    assert [node.id for node in spec.tensors] == [f"t{i}" for i in range(len(order))]
    ids = {t_.name: f"t{i}" for i, t_ in enumerate(order)}
    mul = next(op for op in spec.ops if op.output == ids["e"])
    into_mul = [(e.tail, e.argument) for e in spec.input_edges if e.head == mul.id]
    assert into_mul == [(ids["a"], "a"), (ids["b"], "b")]


def test_repeated_input_draws_two_edges_and_marks_the_summed_gradient() -> None:
    a = ag.Tensor(3.0, requires_grad=True, name="a")
    y = a * a
    y.backward()
    spec = build_spec(y)
    assert [(e.tail, e.position, e.argument) for e in spec.input_edges] == [
        ("t0", 0, "a"),
        ("t0", 1, "b"),
    ]
    source = ag.draw_graph(y).source
    assert len(EDGE.findall(source)) == 3
    assert "grad = sum of 2 parts" in labels(source)["t0"]


def test_shared_nodes_and_repeated_subgraphs_are_drawn_once() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True, name="x")
    shared = (x * 2).tanh()
    out = (shared + shared.exp() * shared).sum()
    order = ag.topological_order(out)
    source = ag.draw_graph(out).source
    assert len(set(NODE.findall(source))) == len(NODE.findall(source))
    n_ops = sum(t.op is not None for t in order)
    assert len(NODE.findall(source)) == len(order) + n_ops
    assert len(EDGE.findall(source)) == sum(len(t.parents) for t in order) + n_ops
    tanh_id = f"t{next(i for i, t in enumerate(order) if t is shared)}"
    assert "grad = sum of 3 parts" in labels(source)[tanh_id]  # it feeds Add, Exp and Mul


def test_previews_for_scalars_small_and_large_arrays() -> None:
    assert preview(np.float32(-0.125)) == "-0.125"
    assert preview(np.array([1, 2, 3])) == "[1, 2, 3]"
    assert preview(np.array([True, False])) == "[1, 0]"
    assert preview(np.linspace(-1, 3, 50)) == "min -1  mean 1  max 3"
    assert preview(np.full((4, 4), 0.5)) == "all 0.5"
    assert preview(np.zeros((0, 3))) == "empty"


# --- the course network: DOT structure -----------------------------------------------------


def test_course_network_dot_structure() -> None:
    loss = course_step()
    order = ag.topological_order(loss)
    source = ag.draw_graph(loss).source
    n_ops = sum(t.op is not None for t in order)
    nodes = NODE.findall(source)
    assert len(nodes) == len(order) + n_ops == 21 + 13
    input_edges = [e for e in EDGE.findall(source) if e[1].startswith("op")]
    assert len(input_edges) == sum(len(t.parents) for t in order) == 21
    assert len(EDGE.findall(source)) == 21 + n_ops

    clusters = re.findall(r"subgraph (cluster_\d+) \{\n\s*.*label=<<B>([^<]*)</B>>", source)
    assert [label for _, label in clusters] == [
        "L1 (Dense)",
        "L2 (Dense)",
        "L3 (Dense)",
        "SparseCategoricalCrossentropy",
    ]
    text = labels(source)
    blocks = re.split(r"subgraph cluster_\d+", source)[1:]
    for i, block in enumerate(blocks[:3], start=1):
        inside = {
            text[n].split()[0] for n in NODE.findall(block.split("}")[0]) if n.startswith("t")
        }
        assert {f"L{i}/kernel", f"L{i}/bias"} <= inside
    assert "x (32, 400) float32" in " ".join(text.values())
    op_names = sorted(text[n].split()[0] for n in nodes if n.startswith("op"))
    assert op_names == sorted(
        ["MatMul"] * 3 + ["Add"] * 3 + ["ReLU"] * 2 + ["LogSumExp", "GetItem", "Sub", "Sum", "Div"]
    )
    assert source.count("summed over axis 0 -&gt;") == 3
    for shape in [
        "(32, 25) summed over axis 0 -&gt; (25,)",
        "(32, 15) summed over axis 0 -&gt; (15,)",
        "(32, 10) summed over axis 0 -&gt; (10,)",
    ]:
        assert shape in source


def test_gradients_of_intermediates_match_a_backward_pass() -> None:
    loss = course_step(batch=4)
    order = ag.topological_order(loss)
    i = next(i for i, t in enumerate(order) if t.op is not None and type(t.op).__name__ == "ReLU")
    (expected,) = ag.grad(loss, [order[i]])
    spec = build_spec(loss)
    assert spec.tensors[i].grad == preview(expected.data)
    k = next(i for i, t in enumerate(order) if t.name == "L1/kernel")
    assert spec.tensors[k].grad == preview(order[k].grad)


def test_no_gradients_are_shown_before_backward() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    spec = build_spec((x * 3).sum())
    assert all(node.grad is None for node in spec.tensors)
    assert not any("grad" in text for text in labels(ag.draw_graph((x * 3).sum()).source).values())


def test_dot_is_byte_identical_across_runs_and_processes() -> None:
    first = ag.draw_graph(course_step()).source
    padding = [ag.Tensor(np.ones(3)) for _ in range(100)]  # different ids the second time
    assert ag.draw_graph(course_step()).source == first
    del padding
    script = (
        "import sys; sys.path.insert(0, 'examples'); import autograd_lite as ag;"
        "from graph_course_network import training_step;"
        "sys.stdout.write(ag.draw_graph(training_step()).source)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and "cluster_3" in runs[0]


def test_show_rule_prints_the_backward_docstring() -> None:
    a = ag.Tensor(np.ones((2, 3)), requires_grad=True, name="A")
    b = ag.Tensor(np.ones((3, 4)), requires_grad=True, name="B")
    out = (a @ b).sum()
    assert ag.OPS["MatMul"]().rule == "dA = G @ B.T,  dB = A.T @ G"
    with_rules = labels(ag.draw_graph(out, show_rule=True).source)
    assert "MatMul dA = G @ B.T, dB = A.T @ G" in with_rules.values()
    assert "Sum axis=None, keepdims=False dx = g broadcast back over the summed axes" in (
        with_rules.values()
    )
    assert "dA =" not in ag.draw_graph(out).source


def test_names_are_escaped_and_render() -> None:
    nasty = 'w<b>{"x"} | a & b\\n'
    x = ag.Tensor([1.0, 2.0], requires_grad=True, name=nasty)
    with ag.name_scope('scope "<1>"'):
        out = (x * 2).sum()
    out.backward()
    source = ag.draw_graph(out).source
    assert "w&lt;b&gt;{&quot;x&quot;} | a &amp; b\\n" in source
    assert "scope &quot;&lt;1&gt;&quot;" in source
    svg = ag.draw_graph(out).pipe(format="svg").decode()
    assert "w&lt;b&gt;{&quot;x&quot;} | a &amp; b\\n" in svg


def test_max_nodes_cuts_a_deep_graph_with_a_visible_note_and_no_hang() -> None:
    x = ag.Tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    start = time.perf_counter()
    graph = ag.draw_graph(y, max_nodes=50)
    assert time.perf_counter() - start < 5
    source = graph.source
    assert len(NODE.findall(source)) <= 50
    drawn = len(NODE.findall(source))
    assert f"… {60_001 - drawn:,} more nodes not drawn (max_nodes=50)" in source
    assert re.search(r"omitted -> op\d+ \[color=\"#ef6c00\" style=dashed\]", source)
    assert graph.pipe(format="svg").startswith(b"<?xml")


def test_a_leaf_alone_is_one_node() -> None:
    source = ag.draw_graph(ag.Tensor([1.0, 2.0], name="v")).source
    assert NODE.findall(source) == ["t0"] and not EDGE.findall(source)
    assert labels(source)["t0"] == "v (2,) float32 data [1, 2]"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ag.draw_graph(np.ones(3)), "expected an autograd_lite Tensor, got ndarray"),
        (
            lambda: ag.draw_graph(ag.Tensor(1.0), rankdir="XY"),
            "draw_graph: rankdir must be None (automatic), LR, TB, RL or BT, got 'XY'",
        ),
        (lambda: ag.draw_graph(ag.Tensor(1.0), max_nodes=0), "max_nodes must be at least 1"),
        (lambda: ag.render_graph(ag.Tensor(1.0), "out/x.jpeg"), "use one of the suffixes .svg"),
    ],
)
def test_bad_arguments_say_what_is_wrong(call, message) -> None:
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        call()


# --- ops that pass no gradient: comparisons (Step) and stop_gradient ------------------------


def leaky_relu_sum() -> ag.Tensor:
    """sum(leaky_relu(x)) = sum(where(x > 0, x, 0.2 * x)), after backward."""
    x = ag.Tensor([-1.0, 0.5, 2.0], requires_grad=True, name="x")
    y = ag.leaky_relu(x).sum()
    y.name = "y"
    y.backward()
    return y


def softmax_loss() -> ag.Tensor:
    """sum(softmax(z) * w): softmax subtracts stop_gradient(max(z)), after backward."""
    z = ag.Tensor([[1.0, 2.0, 0.5]], requires_grad=True, name="z")
    loss = (ag.softmax(z) * ag.Tensor([[0.0, 1.0, -1.0]], name="w")).sum()
    loss.name = "L"
    loss.backward()
    return loss


def ids_by_op(spec) -> dict[str, str]:
    """op name -> op id (the names used once in the graph)."""
    return {op.name: op.id for op in spec.ops}


def test_a_comparison_reads_as_its_operator_and_is_drawn_without_gradient() -> None:
    y = leaky_relu_sum()
    spec = build_spec(y)
    greater = next(op for op in spec.ops if op.name == "Greater")
    assert (greater.settings, greater.differentiable) == ("x0 > x1", False)
    text = labels(ag.draw_graph(y).source)
    assert text[greater.id] == "Greater x0 > x1"
    assert "ufunc" not in ag.draw_graph(y, show_rule=True).source
    condition = next(node for node in spec.tensors if node.id == greater.output)
    assert (condition.kind, condition.grad) == (CONSTANT, None)  # a constant to backward
    into = [(e.argument, e.no_gradient) for e in spec.input_edges if e.head == greater.id]
    assert into == [("x0", True), ("x1", True)]
    x = next(node for node in spec.tensors if node.name == "x")
    assert x.uses == 2 and x.grad == "[0.2, 1, 1]"  # Where and Mul; nothing via Greater
    assert "grad = sum of 2 parts" in text[x.id]
    source = ag.draw_graph(y).source
    assert re.search(rf"^\s*{greater.id} \[.*style=\"rounded,filled,dashed\"", source, re.MULTILINE)
    dashed = re.findall(r"^\s*(\w+) -> (\w+) \[.*style=dashed", source, re.MULTILINE)
    assert sorted(dashed) == sorted(
        [(e.tail, e.head) for e in spec.edges if greater.id in (e.tail, e.head)]
    )


@pytest.mark.parametrize(
    "make, name, settings",
    [
        (lambda x: x < 1, "Less", "x0 < x1"),
        (lambda x: x >= 1, "GreaterEqual", "x0 >= x1"),
        (lambda x: x != 1, "NotEqual", "x0 != x1"),
        (lambda x: ag.logical_and(x, x), "LogicalAnd", "x0 and x1"),
        (lambda x: ag.logical_not(x), "LogicalNot", ""),
        (lambda x: ag.sign(x), "Sign", ""),
    ],
)
def test_every_step_function_has_a_readable_name(make, name, settings) -> None:
    x = ag.Tensor([-1.0, 0.5, 2.0], requires_grad=True, name="x")
    (op,) = build_spec(make(x)).ops
    assert (op.name, op.settings, op.differentiable) == (name, settings, False)


def test_stop_gradient_is_dashed_and_its_branch_carries_no_gradient() -> None:
    loss = softmax_loss()
    spec = build_spec(loss)
    ops = ids_by_op(spec)
    stop = next(op for op in spec.ops if op.name == "StopGradient")
    assert not stop.differentiable and stop.settings == ""
    z = next(node for node in spec.tensors if node.name == "z")
    assert z.uses == 1 and z.grad == "[-0.1129, 0.3216, -0.2087]"  # only through Sub
    # z -> Max -> (max) -> StopGradient -> (constant) -> Sub: no gradient comes back that way
    branch = {(e.tail, e.head) for e in spec.edges if e.no_gradient}
    max_out = next(op.output for op in spec.ops if op.name == "Max")
    assert branch == {
        (z.id, ops["Max"]),
        (ops["Max"], max_out),
        (max_out, stop.id),
        (stop.id, stop.output),
    }
    kinds = {node.id: node.kind for node in spec.tensors}
    assert (kinds[max_out], kinds[stop.output]) == (INTERMEDIATE, CONSTANT)
    source = ag.draw_graph(loss).source
    assert re.search(rf"^\s*{stop.id} \[.*style=\"rounded,filled,dashed\"", source, re.MULTILINE)
    assert len(re.findall(r"^\s*\w+ -> \w+ \[.*style=dashed", source, re.MULTILINE)) == 4


def test_frames_skip_tensors_that_never_get_a_gradient(tmp_path) -> None:
    loss = softmax_loss()
    frames = ag.backward_frames(loss)
    order = ag.topological_order(loss)
    no_frame = [
        t for t in order if t.op is not None and type(t.op).__name__ in ("Max", "StopGradient")
    ]
    assert len(no_frame) == 2 and not any(f.tensor is t for f in frames for t in no_frame)
    assert len(frames) == 7 and frames[-1].caption == "step 7/7: dL/dz filled in by Sub"
    last = build_spec(loss, grads={}, highlight=frames[-1].tensor)
    sub = ids_by_op(last)["Sub"]
    z = next(node.id for node in last.tensors if node.name == "z")
    assert [(e.tail, e.head) for e in last.edges if e.highlight] == [(z, sub)]
    waiting = [text for text in labels(frames[0].graph.source).values() if "grad ?" in text]
    assert len(waiting) == 6 and not any(
        text.startswith("(1, 1) float32 data [2]") for text in waiting
    )

    y = leaky_relu_sum()
    captions = [f.caption for f in ag.backward_frames(y)]  # y, Where output, Mul output, x
    assert len(captions) == 4 and "Greater" not in " ".join(captions)
    assert captions[-1] == "step 4/4: dy/dx filled in by Mul and Where (2 parts summed)"
    page = ag.save_backward_html(y, tmp_path / "leaky.html").read_text()
    assert page.count('<figure class="frame"') == 4 and 'max="4"' in page


def test_no_broadcast_note_where_no_gradient_is_summed() -> None:
    x = ag.Tensor([1.0, -2.0, 3.0], requires_grad=True, name="x")
    out = ag.where(x > np.zeros((2, 3)), x, 0.0).sum()  # x broadcast into both Greater and Where
    notes = [e.note for e in build_spec(out).edges if e.note]
    assert notes == ["(2, 3) summed over axis 0 -> (3,)"]  # for Where only


def test_a_root_without_gradient_is_drawn_all_dashed_and_without_gradients() -> None:
    x = ag.Tensor([1.0, -2.0], requires_grad=True, name="x")
    (x * 3).sum().backward()  # x now has a .grad
    spec = build_spec(x > 0)
    assert [op.name for op in spec.ops] == ["Greater"]
    assert all(e.no_gradient for e in spec.edges) and spec.tensors[-1].kind == ROOT
    assert [node.grad for node in spec.tensors] == ["[3, 3]", None, None]
    assert ag.draw_graph(x > 0).pipe(format="svg").startswith(b"<?xml")


# --- the spine -----------------------------------------------------------------------------


def test_the_spine_runs_from_the_root_back_through_first_inputs() -> None:
    loss = softmax_loss()
    spec = build_spec(loss)
    names = {node.id: node.name or node.kind for node in spec.tensors}
    names.update({op.id: op.name for op in spec.ops})
    assert [names[i] for i in spec.spine] == [
        "L", "Sum", INTERMEDIATE, "Mul", INTERMEDIATE, "Div",
        INTERMEDIATE, "Exp", INTERMEDIATE, "Sub", "z",
    ]  # fmt: skip
    source = ag.draw_graph(loss).source
    grouped = re.findall(r"^\s*(\w+) \[.*group=spine", source, re.MULTILINE)
    assert sorted(grouped) == sorted(spec.spine)
    # cut by max_nodes, the spine stops where the drawing does
    cut = build_spec(loss, max_nodes=6)
    drawn = {node.id for node in (*cut.tensors, *cut.ops)}
    assert cut.spine == spec.spine[: len(cut.spine)] and set(cut.spine) <= drawn
    assert len(cut.spine) == 6  # L, Sum, the Mul output, Mul, the Div output, Div
    # where(x > 0, x, 0.2 * x): the line passes over the condition, to the x it differentiates
    spec = build_spec(leaky_relu_sum())
    names = {node.id: node.name for node in spec.tensors}
    names.update({op.id: op.name for op in spec.ops})
    assert [names[i] for i in spec.spine] == ["y", "Sum", None, "Where", "x"]


# --- the course network with nn's layers and loss --------------------------------------------


def test_the_nn_course_step_ends_in_one_fused_loss_node() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        from graph_course_network import training_step
    finally:
        sys.path.remove(str(EXAMPLES))
    loss = training_step(batch=8)
    spec = build_spec(loss)
    assert [c.label for c in spec.clusters] == [
        "L1 (Dense)",
        "L2 (Dense)",
        "L3 (Dense)",
        "SparseCategoricalCrossentropy",
    ]
    # each layer is one fused Dense op (its rule is the layer's textbook backward)
    assert sorted(op.name for op in spec.ops) == ["Dense"] * 3 + ["SoftmaxCrossEntropy"]
    fused = next(op for op in spec.ops if op.name == "SoftmaxCrossEntropy")
    assert fused.settings == "mean=True" and fused.output == spec.tensors[-1].id
    into = {e.argument: e for e in spec.input_edges if e.head == fused.id}
    assert sorted(into) == ["labels", "z"]
    nodes = {node.id: node for node in spec.tensors}
    labels_node = nodes[into["labels"].tail]
    assert (labels_node.kind, labels_node.shape, labels_node.dtype) == (CONSTANT, (8,), "int64")
    assert labels_node.grad is None and labels_node.uses == 0
    assert [nodes[i].name for i in spec.spine if i in nodes][::-1][0] == "x"
    assert nodes[spec.spine[0]].name == "loss" and len(spec.spine) == 2 * 4 + 1
    assert len(ag.backward_frames(loss)) == 10  # 6 parameters, 3 layer outputs, the loss


# --- files ---------------------------------------------------------------------------------


def test_render_writes_real_svg_png_pdf_and_dot(tmp_path) -> None:
    t = scalar_expression()
    svg = ag.render_graph(t["L"], tmp_path / "out" / "step.svg").read_text()
    assert svg.startswith("<?xml") and svg.count('class="node"') == 10
    assert ">grad 6<" in svg
    png = ag.render_graph(t["L"], tmp_path / "step.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    assert ag.render_graph(t["L"], tmp_path / "step.pdf").read_bytes()[:5] == b"%PDF-"
    dot = ag.render_graph(t["L"], tmp_path / "step.dot").read_text()
    assert dot == ag.draw_graph(t["L"]).source
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out",
        "step.dot",
        "step.pdf",
        "step.png",
    ]  # no temporary files left behind


def test_missing_dot_program_gives_install_instructions(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` anywhere
    t = scalar_expression()
    graph = ag.draw_graph(t["L"])  # building the Digraph needs no program
    assert ag.render_graph(t["L"], tmp_path / "step.dot").read_text() == graph.source
    with pytest.raises(GraphvizNotFoundError) as error:
        ag.render_graph(t["L"], tmp_path / "step.png")
    assert "apt-get install graphviz" in str(error.value)
    assert "brew install graphviz" in str(error.value)
    assert not (tmp_path / "step.png").exists()


def test_import_does_not_load_graphviz() -> None:
    script = "import sys, autograd_lite; print('graphviz' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "False", result.stderr


# --- step-by-step frames -------------------------------------------------------------------


def test_backward_frames_follow_the_engine_order(monkeypatch) -> None:
    t = scalar_expression()
    frames = ag.backward_frames(t["L"])
    # the engine runs each op's rule once, from the root back; the rule hands its inputs
    # their gradients in argument order (every tensor here has one consumer, so that
    # completes them)
    ran = []
    for name in ("Add", "Mul"):
        rule = ag.OPS[name].backward
        monkeypatch.setattr(
            ag.OPS[name], "backward", lambda op, *args, rule=rule: ran.append(op) or rule(op, *args)
        )
    t["L"].backward()
    made_by = {id(u.op): u for u in ag.topological_order(t["L"]) if u.op is not None}
    engine_order = ["L"] + [p.name for op in ran for p in made_by[id(op)].parents]
    assert [f.tensor.name for f in frames] == engine_order == ["L", "d", "f", "e", "c", "a", "b"]
    described = {
        "L": "dL/dL = 1, the seed",
        "d": "dL/dd filled in by Mul",
        "e": "dL/de filled in by Add",
        "a": "dL/da filled in by Mul",
        "b": "dL/db filled in by Mul",
        "c": "dL/dc filled in by Add",
        "f": "dL/df filled in by Mul",
    }
    assert [f.caption for f in frames] == [
        f"step {k}/7: {described[name]}" for k, name in enumerate(engine_order, start=1)
    ]
    for k, frame in enumerate(frames, start=1):
        source = frame.graph.source
        assert source.count("penwidth=3") == 1  # exactly one tensor highlighted
        text = labels(source)
        assert sum("grad ?" in label for label in text.values()) == 7 - k
    assert "b data -3 grad -4" in labels(frames[-1].graph.source).values()


def test_backward_frames_go_layer_by_layer_from_the_loss() -> None:
    loss = course_step(batch=4)
    named = [f.tensor.name for f in ag.backward_frames(loss) if f.tensor.name]
    assert named == [f"L{i}/{w}" for i in (3, 2, 1) for w in ("bias", "kernel")]


def test_backward_frames_name_the_consumers_of_a_shared_tensor() -> None:
    loss = course_step(batch=4)
    frames = ag.backward_frames(loss)
    captions = [f.caption for f in frames]
    assert len(frames) == sum(t.requires_grad for t in ag.topological_order(loss)) == 19
    bodies = [c.split(": ", 1)[1] for c in captions]
    assert bodies[0] == "dL/dL = 1, the seed"
    summed = [b for b in bodies if b.endswith("(2 parts summed)")]  # the logits feed 2 ops
    assert summed in (
        ["dL/d(Add output) filled in by GetItem and LogSumExp (2 parts summed)"],
        ["dL/d(Add output) filled in by LogSumExp and GetItem (2 parts summed)"],
    )
    assert "dL/d(L1/kernel) filled in by MatMul" in bodies
    assert "dL/d(L3/bias) filled in by Add" in bodies


def test_backward_frames_needs_a_scalar_loss() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="single-element tensor that requires grad"):
        ag.backward_frames(x * 2)
