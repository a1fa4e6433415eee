"""Graph pictures: the recorded graph drawn with graphviz, and backprop step by step.

Reads the graph through the engine's public traversal and never changes it. graphviz is
imported only when a picture is made (in `viz.dot`), so the engine works without it.
"""

from .dot import GraphvizNotFoundError, GraphvizTimeoutError, draw_graph, render_graph
from .frames import Frame, backward_frames, save_backward_html

__all__ = [
    "Frame",
    "GraphvizNotFoundError",
    "GraphvizTimeoutError",
    "backward_frames",
    "draw_graph",
    "render_graph",
    "save_backward_html",
]
