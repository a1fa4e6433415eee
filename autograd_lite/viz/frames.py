"""Backpropagation step by step: one picture per gradient, in the order backward computes them,
and a self-contained HTML player (inline SVG, Previous/Next buttons, a slider; no network)
that shows inline in Jupyter or as a page of its own."""

from __future__ import annotations

import html
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine import topological_order
from ..files import check_path, write_atomically
from ..tensor import Tensor
from .dot import HIGHLIGHT, check_rankdir, svg_text, to_digraph
from .graph import build_spec, gradient_pass, op_name

if TYPE_CHECKING:
    import graphviz


@dataclass(frozen=True)
class Frame:
    """One step of backprop: the graph with the gradients known so far, `tensor`'s just added.
    Jupyter shows it as its caption over its picture (at most INLINE_WIDTH wide)."""

    step: int  # 1-based
    total: int
    caption: str  # "step 3/12: dL/d(L1/kernel) filled in by MatMul"
    tensor: Tensor
    graph: graphviz.Digraph

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict:
        svg = svg_text(self.graph)
        caption = f"<figcaption><b>{html.escape(self.caption)}</b></figcaption>"
        return {
            "text/html": f'<figure style="margin: 0">{caption}{svg}</figure>',
            "image/svg+xml": svg,
            "text/plain": self.caption,
        }


def backward_frames(
    root: Tensor,
    show_data: bool = True,
    show_rule: bool = False,
    rankdir: str | None = None,
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
    no `.grad` is touched. Options as for `draw_graph`; with rankdir None every frame takes
    the direction `draw_graph` chooses for the whole graph. Meant for the small graphs of a
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
    check_rankdir(rankdir, "backward_frames")
    order = topological_order(root)
    grads = gradient_pass(root, order)
    filled = _in_backward_order(root, order, grads)
    specs = [
        build_spec(
            root,
            show_data=show_data,
            show_rule=show_rule,
            max_nodes=max_nodes,
            grads={id(u): grads[id(u)] for u in filled[: k + 1]},
            pending=frozenset(id(u) for u in filled[k + 1 :]),
            highlight=t,
        )
        for k, t in enumerate(filled)
    ]
    # the last frame has every gradient: its layout is the whole graph's
    rankdir = rankdir or to_digraph(specs[-1]).graph_attr["rankdir"]
    return [
        Frame(
            k + 1,
            len(filled),
            f"step {k + 1}/{len(filled)}: {_filled_in(t, root, order, grads)}",
            t,
            to_digraph(spec, rankdir),
        )
        for k, (t, spec) in enumerate(zip(filled, specs))
    ]


@dataclass(frozen=True)
class BackwardPlayer:
    """The step-by-step player of one loss: its frames, each laid out by `dot` as SVG.

    Jupyter shows it inline (`_repr_html_`: the player without its page around it, with ids
    of its own so that several players can share a notebook); `save(path)` writes it as a
    page. The arrow keys step through the frames on the page, and in a notebook once the
    player has the focus (click it), so that they still move between cells otherwise.
    """

    frames: tuple[Frame, ...]
    svgs: tuple[str, ...]  # each frame's picture at full size, an <svg> element

    def __repr__(self) -> str:
        return f"BackwardPlayer({len(self.frames)} frames: {self.frames[-1].caption!r})"

    def html(self, prefix: str = "", keys_on_page: bool = False) -> str:
        """The player as an HTML fragment (a <div> with its own style and script); every
        element id starts with `prefix`."""
        figures = "\n".join(
            f'<figure class="frame" id="{prefix}frame-{f.step}" '
            f'data-caption="{html.escape(f.caption)}"{"" if f.step == 1 else " hidden"}>'
            f"{svg}</figure>"
            for f, svg in zip(self.frames, self.svgs)
        )
        return PLAYER.format(
            p=prefix,
            highlight=HIGHLIGHT,
            total=len(self.frames),
            caption=html.escape(self.frames[0].caption),
            figures=figures,
            keys="document" if keys_on_page else "player",
        )

    def save(
        self,
        path: str | os.PathLike,
        title: str = "Backpropagation, step by step",
        caller: str = "BackwardPlayer.save",
    ) -> Path:
        """Write the player as one self-contained HTML page, which opens from disk offline.
        `caller`, the function the user called, starts every error message."""
        path = Path(check_path(path, caller))
        page = standalone_page(title, self.html(keys_on_page=True))
        write_atomically(path, page.encode("utf-8"), caller)
        return path

    def _repr_html_(self) -> str:
        # outputs of earlier runs stay in the notebook's page: a random prefix keeps ids apart
        return self.html(prefix=f"ag-player-{uuid.uuid4().hex[:8]}-")


def backward_player(root: Tensor, **options: Any) -> BackwardPlayer:
    """The frames of `backward_frames(root, **options)` as a player that shows inline in
    Jupyter: one frame at a time, with Previous/Next buttons, a slider, the arrow keys and a
    caption naming the tensor just filled in. A large graph is shown at full size and
    scrolled to the tensor just filled in, or shrunk to the width with "Fit to width".
    Each frame is laid out by `dot` now (a few at a time), within its timeout.
    """
    return _player(root, "backward_player", options)


def save_backward_html(
    root: Tensor,
    path: str | os.PathLike,
    title: str = "Backpropagation, step by step",
    **options: Any,
) -> Path:
    """Write `backward_player(root, **options)` as one self-contained HTML page, titled
    `title`: it opens from disk in any browser, offline."""
    check_path(path, "save_backward_html")  # before the frames are laid out
    return _player(root, "save_backward_html", options).save(path, title, "save_backward_html")


def _player(root: Tensor, caller: str, options: dict[str, Any]) -> BackwardPlayer:
    frames = backward_frames(root, **options)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        svgs = pool.map(lambda f: svg_text(f.graph, width=None, caller=caller), frames)
        return BackwardPlayer(tuple(frames), tuple(svgs))


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


PLAYER = """<div class="ag-player" id="{p}player" tabindex="0">
<style>
  #{p}player {{ font-family: Helvetica, Arial, sans-serif; color: #263238; outline: none; }}
  #{p}player .intro {{ color: #607d8b; margin: 0 0 .8em; max-width: 60em; }}
  #{p}player .controls {{ display: flex; gap: .8em; align-items: center; }}
  #{p}player button {{ font-size: 1em; padding: .3em .9em; cursor: pointer; }}
  #{p}slider {{ width: 18em; }}
  #{p}caption {{ font-size: 1.15em; font-weight: bold; margin: .7em 0; }}
  #{p}player label {{ color: #607d8b; }}
  #{p}frames {{ overflow: auto; max-height: 80vh; }}
  #{p}player .frame {{ margin: 0; }}
  #{p}frames.fit .frame svg {{ max-width: 100%; height: auto; }}
</style>
<p class="intro">Backward fills in gradients from the root back to the leaves, in this order.
The red box is the tensor whose gradient was just filled in (red edges: where it came from);
<code>grad ?</code> marks the gradients still to come.</p>
<div class="controls">
  <button id="{p}prev" type="button">&#9664; Previous</button>
  <input id="{p}slider" type="range" min="1" max="{total}" value="1" aria-label="step">
  <button id="{p}next" type="button">Next &#9654;</button>
  <label><input id="{p}fit" type="checkbox"> Fit to width</label>
</div>
<p id="{p}caption">{caption}</p>
<div id="{p}frames">
{figures}
</div>
<script>
(function () {{
  var player = document.getElementById("{p}player");
  var frames = player.querySelectorAll(".frame");
  var slider = document.getElementById("{p}slider");
  var caption = document.getElementById("{p}caption");
  var prev = document.getElementById("{p}prev");
  var next = document.getElementById("{p}next");
  var fit = document.getElementById("{p}fit");
  var box = document.getElementById("{p}frames");
  var current = 0;
  // scrolls the frames' box alone, never the page or notebook around it
  function reveal(mark) {{
    var b = box.getBoundingClientRect(), m = mark.getBoundingClientRect();
    box.scrollLeft += m.left + m.width / 2 - b.left - box.clientWidth / 2;
    box.scrollTop += m.top + m.height / 2 - b.top - box.clientHeight / 2;
  }}
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k < frames.length; k++) frames[k].hidden = k !== current;
    slider.value = current + 1;
    caption.textContent = frames[current].dataset.caption;
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    var mark = frames[current].querySelector('[stroke="{highlight}"]');
    if (mark && !fit.checked) reveal(mark);
  }}
  prev.addEventListener("click", function () {{ show(current - 1); }});
  next.addEventListener("click", function () {{ show(current + 1); }});
  slider.addEventListener("input", function () {{ show(slider.valueAsNumber - 1); }});
  fit.addEventListener("change", function () {{
    box.classList.toggle("fit", fit.checked);
    show(current);
  }});
  {keys}.addEventListener("keydown", function (e) {{
    if (e.target === slider) return;  // the slider moves itself, and says so by `input`
    if (e.key === "ArrowRight") show(current + 1);
    if (e.key === "ArrowLeft") show(current - 1);
  }});
  show(0);
}})();
</script>
</div>"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.2em 2em; color: #263238; }}
  h1 {{ font-size: 1.4em; margin: 0 0 .3em; color: #263238; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""


def standalone_page(title: str, body: str) -> str:
    """One offline HTML page: `title` as its heading, then `body` (a self-contained block
    such as the player or the quiz, its styles and script inside)."""
    return PAGE.format(title=html.escape(title), body=body)
