"""Instruments for learning backpropagation, for any graph a learner builds (issue 11).

A client of the engine's public API, like `viz`: the engine never imports it, and it imports
matplotlib and graphviz only inside the functions that draw.

- `chain_rule(loss, w)`: the derivation of dL/dw written out with the numbers filled in.
- `fill_in_quiz(loss)`: an offline HTML page where the learner types the forward values and
  then the gradients of their own graph, each checked in the browser.
- `nudge(loss_fn, w, index)`: (L(w + eps) - L(w)) / eps beside the autograd gradient;
  `compare_derivatives(f, x)`: reverse mode, forward mode (`jvp`) and central differences
  over a sweep of eps in float32 and float64 (the truncation vs round-off U-curve).
- `jacobian(f, x)`, `hessian(f, x)`, `plot_matrix(m)`: derivative matrices as heatmaps.
- `cross_entropy_stability(kind)`: naive, clipped and from-logits cross-entropy against the
  logit, as a table and a plot.
- `CheckedOp`: the base class for a learner's own op, gradchecked on first use.
"""

from .chain_rule import Derivation, Step, Term, chain_rule
from .custom_op import LEARNER_OPS, CheckedOp, OpRuleError, check_op
from .jacobian import hessian, jacobian, plot_matrix
from .nudge import DerivativeComparison, Nudge, compare_derivatives, jvp, nudge
from .quiz import Blank, Quiz, fill_in_quiz
from .stability import StabilityTable, cross_entropy_stability

__all__ = [
    "LEARNER_OPS",
    "Blank",
    "CheckedOp",
    "Derivation",
    "DerivativeComparison",
    "Nudge",
    "OpRuleError",
    "Quiz",
    "StabilityTable",
    "Step",
    "Term",
    "chain_rule",
    "check_op",
    "compare_derivatives",
    "cross_entropy_stability",
    "fill_in_quiz",
    "hessian",
    "jacobian",
    "jvp",
    "nudge",
    "plot_matrix",
]
