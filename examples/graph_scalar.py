"""micrograd's classic expression, drawn: values and gradients of every node at a glance.

python examples/graph_scalar.py [OUT_DIR]      # writes OUT_DIR/scalar.png (default: out/)
"""

import sys
from pathlib import Path

import autograd_lite as ag


def expression() -> ag.Tensor:
    """L = (a*b + c) * f with micrograd's numbers; every tensor named so the picture reads."""
    a = ag.Tensor(2.0, requires_grad=True, name="a")
    b = ag.Tensor(-3.0, requires_grad=True, name="b")
    c = ag.Tensor(10.0, requires_grad=True, name="c")
    f = ag.Tensor(-2.0, requires_grad=True, name="f")
    e = named(a * b, "e")
    d = named(e + c, "d")
    L = named(d * f, "L")
    L.backward()
    return L


def named(t: ag.Tensor, name: str) -> ag.Tensor:
    """`t`, labelled for the picture (an op's output has no name until given one)."""
    t.name = name
    return t


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    for file, show_rule in [("scalar.png", False), ("scalar_rules.png", True)]:
        print("wrote", ag.render_graph(expression(), out / file, show_rule=show_rule))
