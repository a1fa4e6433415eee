"""Graph pictures: the recorded graph drawn with graphviz, and backprop step by step.

Each picture shows inline in Jupyter as SVG (at most 12 in, 1,152 px, wide), and so does
the step-by-step player of `backward_player`.

Reads the graph through the engine's public traversal and never changes it. graphviz is
imported only when a picture is made (in `viz.dot`), so the engine works without it.
"""

from .dot import GraphvizNotFoundError, GraphvizTimeoutError, draw_graph, render_graph
from .frames import BackwardPlayer, Frame, backward_frames, backward_player, save_backward_html

__all__ = [
    "BackwardPlayer",
    "Frame",
    "GraphvizNotFoundError",
    "GraphvizTimeoutError",
    "backward_frames",
    "backward_player",
    "draw_graph",
    "render_graph",
    "save_backward_html",
]
