"""Backpropagation step by step: one picture per gradient, in the order backward computes them,
and a self-contained HTML player (inline SVG, Previous/Next buttons, a slider; no network)."""

from __future__ import annotations

import html
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine import topological_order
from ..files import write_atomically
from ..tensor import Tensor
from .dot import HIGHLIGHT, pipe, to_digraph
from .graph import build_spec, gradient_pass, op_name

if TYPE_CHECKING:
    import graphviz


@dataclass(frozen=True)
class Frame:
    """One step of backprop: the graph with the gradients known so far, `tensor`'s just added."""

    step: int  # 1-based
    total: int
    caption: str  # "step 3/12: dL/d(L1/kernel) filled in by MatMul"
    tensor: Tensor
    graph: graphviz.Digraph


def backward_frames(
    root: Tensor,
    show_data: bool = True,
    show_rule: bool = False,
    rankdir: str = "LR",
    max_nodes: int = 500,
) -> list[Frame]:
    """The graphs of `root` in the order backward fills in gradients, one frame per tensor.

    A gradient is filled in when the last share of it arrives: backward walks the ops from
    the root back, each op handing its inputs their shares in argument order, and an op
    runs after every op that uses its output. So MatMul's frame for `L3/kernel` comes right
    after the one for its other input, long before `L1/kernel`'s.

    Frame k shows the gradients of the first k tensors (the root's seed first), highlights
    the k-th with a red border, and draws the edges its gradient came back through in red;
    tensors still waiting show `grad ?`. The gradients come from one `ag.grad` pass, so
    no `.grad` is touched. Options as for `draw_graph`. Meant for the small graphs of a
    lesson: there is one picture per tensor that gets a gradient, and none for a tensor
    that never does (an input, the result of a comparison or of `stop_gradient`).

    >>> import autograd_lite as ag
    >>> a = ag.Tensor(2.0, requires_grad=True, name="a")
    >>> frames = ag.backward_frames((a * a).sum())
    >>> for frame in frames:
    ...     print(frame.caption)
    step 1/3: dL/dL = 1, the seed
    step 2/3: dL/d(Mul output) filled in by Sum
    step 3/3: dL/da filled in by Mul (2 parts summed)
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"backward_frames: expected a Tensor, got {type(root).__name__}")
    if not root.requires_grad or root.size != 1:
        raise ValueError(
            "backward_frames: the root must be a single-element tensor that requires grad "
            f"(a loss); got shape {root.shape}, requires_grad={root.requires_grad}"
        )
    order = topological_order(root)
    grads = gradient_pass(root, order)
    filled = _in_backward_order(root, order, grads)
    frames = []
    for k, t in enumerate(filled):
        spec = build_spec(
            root,
            show_data=show_data,
            show_rule=show_rule,
            max_nodes=max_nodes,
            grads={id(u): grads[id(u)] for u in filled[: k + 1]},
            pending=frozenset(id(u) for u in filled[k + 1 :]),
            highlight=t,
        )
        caption = f"step {k + 1}/{len(filled)}: {_filled_in(t, root, order, grads)}"
        frames.append(Frame(k + 1, len(filled), caption, t, to_digraph(spec, rankdir)))
    return frames


def save_backward_html(
    root: Tensor,
    path: str | os.PathLike,
    title: str = "Backpropagation, step by step",
    **options: Any,
) -> Path:
    """Write the frames of `backward_frames(root, **options)` as one self-contained HTML file.

    Each frame is laid out by `dot` now and inlined as SVG; plain JavaScript shows one at a
    time, with Previous/Next buttons, a slider, the arrow keys and a caption naming the
    tensor just filled in. A large graph is shown at full size and scrolled to the tensor
    just filled in, or shrunk to the window's width with "Fit to width". It opens from
    disk in any browser, offline.
    """
    frames = backward_frames(root, **options)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        svgs = list(pool.map(lambda f: _inline_svg(pipe(f.graph, "svg", caller="save_backward_html")), frames))
    figures = "\n".join(
        f'<figure class="frame" id="frame-{f.step}" data-caption="{html.escape(f.caption)}"'
        f"{'' if f.step == 1 else ' hidden'}>{svg}</figure>"
        for f, svg in zip(frames, svgs)
    )
    page = PAGE.format(
        title=html.escape(title),
        highlight=HIGHLIGHT,
        total=len(frames),
        caption=html.escape(frames[0].caption),
        figures=figures,
    )
    path = Path(path)
    write_atomically(path, page.encode("utf-8"), caller="save_backward_html")
    return path


def _in_backward_order(root: Tensor, order: list[Tensor], grads: dict[int, Any]) -> list[Tensor]:
    """The tensors that get a gradient, each at the op whose share completes it: the op that
    uses it earliest in the walk, as backward runs the ops in reverse walk order."""
    completed_by: dict[int, tuple[int, int]] = {id(root): (len(order), 0)}
    for i, u in enumerate(order):
        if id(u) in grads:
            for k, p in enumerate(u.parents):
                if id(p) in grads:
                    completed_by.setdefault(id(p), (i, k))
    filled = [t for t in order if id(t) in grads]
    return sorted(filled, key=lambda t: (-completed_by[id(t)][0], completed_by[id(t)][1]))


def _filled_in(t: Tensor, root: Tensor, order: list[Tensor], grads: dict[int, Any]) -> str:
    """`dL/d(L1/kernel) filled in by MatMul`: which gradient, from which ops (those that
    got a gradient themselves: a comparison using `t` sends it nothing)."""
    top = root.name or "L"
    if t is root:
        return f"d{top}/d{top} = 1, the seed"
    consumers = [op_name(u.op) for u in order if id(u) in grads for p in u.parents if p is t]
    names = list(dict.fromkeys(consumers))
    by = " and ".join(names)
    summed = f" ({len(consumers)} parts summed)" if len(consumers) > 1 else ""
    return f"d{top}/d{_describe(t)} filled in by {by}{summed}"


def _describe(t: Tensor) -> str:
    if t.name:
        return t.name if t.name.isidentifier() else f"({t.name})"
    if t.op is not None:
        return f"({op_name(t.op)} output)"
    return f"(input {t.shape})"


def _inline_svg(svg: bytes) -> str:
    """dot's SVG without the XML prolog, doctype and comments, ready to sit inside HTML."""
    text = svg.decode("utf-8")
    text = re.sub(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", "", text, flags=re.DOTALL)
    return text.strip()


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.2em 2em; color: #263238; }}
  h1 {{ font-size: 1.4em; margin: 0 0 .3em; }}
  .intro {{ color: #607d8b; margin: 0 0 .8em; max-width: 60em; }}
  .controls {{ display: flex; gap: .8em; align-items: center; }}
  button {{ font-size: 1em; padding: .3em .9em; cursor: pointer; }}
  #slider {{ width: 18em; }}
  #caption {{ font-size: 1.15em; font-weight: bold; margin: .7em 0; }}
  label {{ color: #607d8b; }}
  #frames {{ overflow: auto; max-height: 80vh; }}
  .frame {{ margin: 0; }}
  #frames.fit .frame svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="intro">Backward fills in gradients from the root back to the leaves, in this order.
The red box is the tensor whose gradient was just filled in (red edges: where it came from);
<code>grad ?</code> marks the gradients still to come.</p>
<div class="controls">
  <button id="prev" type="button">&#9664; Previous</button>
  <input id="slider" type="range" min="1" max="{total}" value="1" aria-label="step">
  <button id="next" type="button">Next &#9654;</button>
  <label><input id="fit" type="checkbox"> Fit to width</label>
</div>
<p id="caption">{caption}</p>
<div id="frames">
{figures}
</div>
<script>
(function () {{
  var frames = document.querySelectorAll(".frame");
  var slider = document.getElementById("slider");
  var caption = document.getElementById("caption");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var fit = document.getElementById("fit");
  var box = document.getElementById("frames");
  var current = 0;
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k < frames.length; k++) frames[k].hidden = k !== current;
    slider.value = current + 1;
    caption.textContent = frames[current].dataset.caption;
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    var mark = frames[current].querySelector('[stroke="{highlight}"]');
    if (mark && !fit.checked) mark.scrollIntoView({{block: "nearest", inline: "center"}});
  }}
  prev.addEventListener("click", function () {{ show(current - 1); }});
  next.addEventListener("click", function () {{ show(current + 1); }});
  slider.addEventListener("input", function () {{ show(slider.valueAsNumber - 1); }});
  fit.addEventListener("change", function () {{
    box.classList.toggle("fit", fit.checked);
    show(current);
  }});
  document.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowRight") show(current + 1);
    if (e.key === "ArrowLeft") show(current - 1);
  }});
  show(0);
}})();
</script>
</body>
</html>
"""
