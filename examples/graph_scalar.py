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
    e = a * b
    e.name = "e"
    d = e + c
    d.name = "d"
    L = d * f
    L.name = "L"
    L.backward()
    return L


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    L = expression()
    print("wrote", ag.render_graph(L, out / "scalar.png"))
    print("wrote", ag.render_graph(L, out / "scalar_rules.png", show_rule=True))
