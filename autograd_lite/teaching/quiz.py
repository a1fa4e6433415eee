"""A fill-in-the-graph exercise: the learner's own graph with its values and gradients blank.

The page shows the graph, the values of its leaves, and one blank per entry of every other
tensor: first the forward values, then (once those are right or revealed) the gradients of
the loss. Each entry is checked in the browser as it is typed (green when within the
tolerance shown beside it, red when not), and a button per part reveals the answers. One
self-contained HTML file: the graph inline as SVG, the answers in the page, no network.
"""

from __future__ import annotations

import html
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import autograd_lite as ag
from autograd_lite.viz.frames import standalone_page

from ._graph import LabelledGraph, element_label, labelled_graph, number


@dataclass(frozen=True)
class Blank:
    """One entry to fill in: `z[1]`'s value or `dL/dz[1]`, with its answer and tolerance."""

    part: str  # "forward" or "backward"
    label: str  # "z[1]" or "dL/dz[1]"
    answer: float
    tolerance: float


@dataclass(frozen=True)
class Quiz:
    """The exercise for one loss. Shows inline in Jupyter; `save(path)` writes a page."""

    given: tuple[str, ...]  # "w = -1": the leaves' values
    equations: tuple[str, ...]  # "z = w * x", one per blank group of the forward part
    blanks: tuple[Blank, ...]
    groups: tuple[tuple[str, tuple[int, ...]], ...]  # (heading, indices into blanks)
    svg: str
    tolerance_text: str

    def __repr__(self) -> str:
        values = sum(b.part == "forward" for b in self.blanks)
        grads = len(self.blanks) - values
        return (
            f"Quiz({values} value{'s' * (values != 1)} and {grads} gradient{'s' * (grads != 1)} "
            f"to fill in; {self.tolerance_text})"
        )

    def html(self, prefix: str = "") -> str:
        """The exercise as an HTML fragment; every element id starts with `prefix`."""
        sections = {"forward": [], "backward": []}
        for heading, members in self.groups:
            cells = "".join(self._cell(prefix, k) for k in members)
            part = self.blanks[members[0]].part
            sections[part].append(
                f"<tr><td><code>{html.escape(heading)}</code></td><td>{cells}</td></tr>"
            )
        given = "".join(f"<li><code>{html.escape(g)}</code></li>" for g in self.given)
        return QUIZ.format(
            p=prefix,
            svg=self.svg,
            given=given,
            tolerance=html.escape(self.tolerance_text),
            forward="\n".join(sections["forward"]),
            backward="\n".join(sections["backward"]),
        )

    def _cell(self, prefix: str, k: int) -> str:
        blank = self.blanks[k]
        return (
            f'<span class="entry"><label for="{prefix}blank-{k}">{html.escape(blank.label)} = '
            f'</label><input id="{prefix}blank-{k}" class="blank" size="8" autocomplete="off" '
            f'data-answer="{blank.answer!r}" data-shown="{number(blank.answer)}" '
            f'data-tolerance="{blank.tolerance!r}"><span class="mark"></span>'
            f'<span class="tolerance">&plusmn;{blank.tolerance:.2g}</span></span>'
        )

    def save(self, path: str | os.PathLike, title: str = "Fill in the graph") -> Path:
        """Write the exercise as one self-contained HTML page that opens offline."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"Quiz.save: path must be a str or a Path, got {type(path).__name__}")
        path = Path(path)
        page = standalone_page(title, self.html())
        ag.write_atomically(path, page.encode("utf-8"), "Quiz.save")
        return path

    def _repr_html_(self) -> str:
        # outputs of earlier runs stay in the notebook's page: a random prefix keeps ids apart
        return self.html(prefix=f"ag-quiz-{uuid.uuid4().hex[:8]}-")


def fill_in_quiz(
    loss: ag.Tensor, rtol: float = 0.01, atol: float = 1e-3, max_blanks: int = 40
) -> Quiz:
    """The fill-in-the-graph exercise of `loss` (a single-element tensor that requires grad).

    Blanks: every entry of every tensor an op made (forward part), then d loss / d t for
    every tensor that gets a gradient (backward part, from the loss back; dL/dL = 1 is
    given). An entry counts as right within atol + rtol * |answer| of the engine's value.
    Tensors are labelled by their `name`, else t1, t2, ... (name them for a readable page).
    At most `max_blanks` blanks: a larger graph is refused with a ValueError.

    >>> import autograd_lite as ag
    >>> w = ag.Tensor(-1.0, requires_grad=True, name="w")
    >>> z = w * ag.Tensor(2.0, name="x")
    >>> z.name = "z"
    >>> L = z * z
    >>> L.name = "L"
    >>> quiz = ag.teaching.fill_in_quiz(L)
    >>> quiz
    Quiz(2 values and 2 gradients to fill in; right within 1% or 0.001 of the answer)
    >>> page = quiz.save("quiz.html")  # doctest: +SKIP
    """
    graph = labelled_graph(loss, "fill_in_quiz")
    for name, value in (("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"fill_in_quiz: {name} must be a number >= 0, got {value!r}")
    made = [t for t in graph.order if t.op is not None]
    wanted = [t for t in graph.order if t.requires_grad and t in graph.labels]
    grads = dict(zip(wanted, ag.grad(loss, wanted, allow_unused=True)))
    backward = [t for t in reversed(wanted) if t is not loss]
    count = sum(t.size for t in made) + sum(t.size for t in backward)
    if not isinstance(max_blanks, int) or count > max_blanks:
        raise ValueError(
            f"fill_in_quiz: the graph has {count} entries to fill in, more than "
            f"max_blanks={max_blanks!r}; build a smaller graph (scalars or short vectors) "
            "or pass a larger max_blanks"
        )
    blanks: list[Blank] = []
    groups = []
    top = graph.labels[loss]
    for part, tensors in (("forward", made), ("backward", backward)):
        for t in tensors:
            array = t.data if part == "forward" else np.asarray(grads[t].data)
            heading = graph.equation(t) if part == "forward" else _uses(graph, t)
            start = len(blanks)
            for flat, value in enumerate(array.reshape(-1).astype(np.float64)):
                index = np.unravel_index(flat, t.shape)
                name = element_label(graph.labels[t], t.shape, index)
                blank_label = name if part == "forward" else f"d{top}/d{name}"
                tolerance = float(atol + rtol * abs(value)) if np.isfinite(value) else 0.0
                blanks.append(Blank(part, blank_label, float(value), tolerance))
            groups.append((heading, tuple(range(start, len(blanks)))))
    given = [
        f"{graph.labels[t]} = {_values(t.data)}"
        for t in graph.order
        if t.op is None and t in graph.labels
    ]
    given.append(f"d{top}/d{top} = 1 (the seed)")
    return Quiz(
        tuple(given),
        tuple(graph.equation(t) for t in made),
        tuple(blanks),
        tuple(groups),
        _graph_svg(graph),
        f"right within {number(rtol * 100)}% or {number(atol)} of the answer",
    )


def _uses(graph: LabelledGraph, t: ag.Tensor) -> str:
    """The backward part's hint: the ops whose gradients add up to dL/dt."""
    users = [graph.equation(u) for u in graph.order if any(p is t for p in u.parents)]
    if not users:
        return f"{graph.labels[t]} is the loss"
    return f"{graph.labels[t]} is used in " + "; ".join(users)


def _values(array: np.ndarray) -> str:
    if array.size == 1:
        return number(array.item())
    return "[" + ", ".join(number(v) for v in array.reshape(-1)) + "]"


def _graph_svg(graph: LabelledGraph) -> str:
    """The graph as an inline <svg>: tensors as boxes with their labels and shapes (leaves with
    their values), ops as ellipses; laid out left to right by graphviz's `dot`."""
    import graphviz  # only when a page is made: the engine never imports graphviz

    dot = graphviz.Digraph(graph_attr={"rankdir": "LR", "bgcolor": "transparent"})
    dot.attr("node", fontname="Helvetica", fontsize="12")
    ids = {t: f"t{k}" for k, t in enumerate(graph.order)}
    for t in graph.order:
        if t not in graph.labels:
            continue
        text = graph.labels[t] if t.size == 1 else f"{graph.labels[t]}  {t.shape}"
        if t.op is None:
            text += f"\n= {_values(t.data)}"
            color = "#c8e6c9" if t.requires_grad else "#eceff1"
        else:
            color = "#ffe0b2" if t is graph.root else "#bbdefb"
        dot.node(ids[t], text, shape="box", style="rounded,filled", fillcolor=color)
        if t.op is not None:
            dot.node(f"op{ids[t]}", t.op.name, shape="ellipse", style="filled", fillcolor="#e1bee7")
            dot.edge(f"op{ids[t]}", ids[t])
            for p in t.parents:
                if p in graph.labels:
                    dot.edge(ids[p], f"op{ids[t]}")
                else:  # an inlined constant: a small number node of its own
                    const = f"c{len(dot.body)}"
                    dot.node(const, graph.inlined[p], shape="plaintext")
                    dot.edge(const, f"op{ids[t]}")
    svg = dot.pipe(format="svg", encoding="utf-8")
    return svg[svg.index("<svg") :]


QUIZ = """<div class="ag-quiz" id="{p}quiz">
<style>
  #{p}quiz {{ font-family: Helvetica, Arial, sans-serif; color: #263238; }}
  #{p}quiz .intro {{ color: #455a64; max-width: 60em; }}
  #{p}quiz fieldset {{ margin: 1em 0; border: 1px solid #b0bec5; }}
  #{p}quiz fieldset[disabled] {{ opacity: .5; }}
  #{p}quiz td {{ padding: .25em .8em .25em 0; vertical-align: top; }}
  #{p}quiz .entry {{ display: inline-block; margin-right: 1.2em; white-space: nowrap; }}
  #{p}quiz input.blank {{ font-size: 1em; padding: .15em .3em; border: 2px solid #90a4ae; }}
  #{p}quiz input.right {{ border-color: #2e7d32; background: #e8f5e9; }}
  #{p}quiz input.wrong {{ border-color: #c62828; background: #ffebee; }}
  #{p}quiz input.revealed {{ border-color: #ef6c00; background: #fff3e0; }}
  #{p}quiz .mark {{ display: inline-block; width: 1.2em; text-align: center; font-weight: bold; }}
  #{p}quiz .tolerance {{ color: #78909c; font-size: .85em; }}
  #{p}quiz .graph {{ overflow-x: auto; }}
  #{p}quiz .graph svg {{ max-width: 100%; height: auto; }}
  #{p}quiz .status {{ margin-left: 1em; color: #455a64; }}
  #{p}quiz button {{ font-size: 1em; padding: .3em .9em; cursor: pointer; }}
</style>
<p class="intro">Compute the graph by hand. First the forward pass: the value of every
tensor, from the given leaves. Then backpropagation: the gradient of the loss with respect to
every tensor, from the loss back. An entry is checked when you press Enter or leave it:
green is {tolerance} (shown beside each entry), red is not.</p>
<div class="graph">{svg}</div>
<p><b>Given:</b></p>
<ul>{given}</ul>
<fieldset id="{p}forward" data-part="forward">
<legend><b>1. Forward pass:</b> the value of each tensor</legend>
<table>{forward}</table>
<button id="{p}reveal-forward" type="button">Reveal the values</button>
<span class="status" id="{p}status-forward"></span>
</fieldset>
<fieldset id="{p}backward" data-part="backward" disabled>
<legend><b>2. Backward pass:</b> the gradient of the loss with respect to each tensor</legend>
<p class="intro">Opens once every value of the forward pass is right or revealed.</p>
<table>{backward}</table>
<button id="{p}reveal-backward" type="button">Reveal the gradients</button>
<span class="status" id="{p}status-backward"></span>
</fieldset>
<script>
(function () {{
  var quiz = document.getElementById("{p}quiz");
  var parts = {{
    forward: document.getElementById("{p}forward"),
    backward: document.getElementById("{p}backward")
  }};
  function parse(text) {{
    var t = text.trim().toLowerCase().replace(/\\u2212/g, "-");
    if (t === "inf" || t === "+inf") return Infinity;
    if (t === "-inf") return -Infinity;
    if (t === "nan") return NaN;
    return t === "" ? null : Number(t);
  }}
  function isRight(input) {{
    var v = parse(input.value), answer = Number(input.dataset.answer);
    if (v === null) return false;
    if (isNaN(answer)) return input.value.trim().toLowerCase() === "nan";
    if (!isFinite(answer)) return v === answer;
    return Math.abs(v - answer) <= Number(input.dataset.tolerance);
  }}
  function mark(input, state) {{
    input.classList.remove("right", "wrong", "revealed");
    if (state) input.classList.add(state);
    input.nextElementSibling.textContent =
      state === "right" ? "\\u2713" : state === "wrong" ? "\\u2717" : "";
  }}
  function update(part) {{
    var inputs = parts[part].querySelectorAll("input.blank");
    var right = 0, revealed = 0;
    for (var k = 0; k < inputs.length; k++) {{
      if (inputs[k].classList.contains("right")) right++;
      if (inputs[k].classList.contains("revealed")) revealed++;
    }}
    var text = right + " of " + inputs.length + " right";
    if (revealed) text += ", " + revealed + " revealed";
    document.getElementById("{p}status-" + part).textContent = text;
    if (part === "forward") parts.backward.disabled = right + revealed < inputs.length;
  }}
  function check(input) {{
    if (input.classList.contains("revealed")) return;
    mark(input, input.value.trim() === "" ? null : isRight(input) ? "right" : "wrong");
    update(input.closest("fieldset").dataset.part);
  }}
  quiz.querySelectorAll("input.blank").forEach(function (input) {{
    input.addEventListener("change", function () {{ check(input); }});
    input.addEventListener("keydown", function (e) {{ if (e.key === "Enter") check(input); }});
  }});
  ["forward", "backward"].forEach(function (part) {{
    document.getElementById("{p}reveal-" + part).addEventListener("click", function () {{
      parts[part].querySelectorAll("input.blank").forEach(function (input) {{
        if (input.classList.contains("right")) return;
        input.value = input.dataset.shown;
        mark(input, "revealed");
      }});
      update(part);
    }});
    update(part);
  }});
}})();
</script>
</div>"""
