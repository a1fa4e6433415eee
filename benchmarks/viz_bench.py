"""How long a picture of one training step of the course's 400-25-15-10 network takes: the
real `nn.Sequential` of examples/graph_course_network.py, a batch of 32, after backward.

    .venv/bin/python benchmarks/viz_bench.py [REPEATS]

Prints the median and best time of: the graph walk into a GraphSpec, styling it into a
graphviz Digraph, laying it out with `dot -Tsvg`, and all of it together (as the example
draws it, top to bottom); then `nn.plot_model` and the step-by-step HTML player. The target
is well under a second for draw + render.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from graph_course_network import course_model, training_step

import autograd_lite as ag
import nn
from autograd_lite.viz.dot import pipe, to_digraph
from autograd_lite.viz.graph import build_spec


def timed(function, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> None:
    median, best = statistics.median(times), min(times)
    print(f"{label:<40} median {median * 1e3:8.1f} ms   best {best * 1e3:8.1f} ms")


def main(repeats: int) -> None:
    model = course_model()
    loss = training_step(model)
    spec = build_spec(loss)
    graph = to_digraph(spec, "TB")
    print(
        f"graph: {len(spec.tensors)} tensors, {len(spec.ops)} ops, {len(spec.edges)} edges, "
        f"{len(spec.clusters)} clusters; {repeats} repeats"
    )
    report("walk -> GraphSpec (incl. grad pass)", timed(lambda: build_spec(loss), repeats))
    report("GraphSpec -> Digraph", timed(lambda: to_digraph(spec, "TB"), repeats))
    report("dot -Tsvg", timed(lambda: pipe(graph, "svg"), repeats))
    report(
        "draw_graph + dot -Tsvg (the target)",
        timed(lambda: pipe(ag.draw_graph(loss, rankdir="TB"), "svg"), repeats),
    )
    report(
        "plot_model + dot -Tsvg", timed(lambda: pipe(nn.plot_model(model, None), "svg"), repeats)
    )
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "backprop.html"
        times = timed(lambda: ag.save_backward_html(loss, html, rankdir="TB"), max(1, repeats // 5))
        frames = len(ag.backward_frames(loss))
        report(f"save_backward_html ({frames} frames)", times)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
