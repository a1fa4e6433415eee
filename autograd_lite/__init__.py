"""autograd-lite: a numpy Tensor that records its operations, and backpropagation over them.

>>> import autograd_lite as ag
>>> x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
array([2., 4., 6.], dtype=float32)
"""

# The Tensor first: its methods hand over to the ops, which import it (tensor.py, last lines).
from .tensor import Tensor, TensorLike, from_numpy  # isort: skip

from .creation import (
    arange,
    eye,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .engine import (
    current_scope,
    enable_grad,
    grad,
    is_grad_enabled,
    name_scope,
    no_grad,
    set_grad_enabled,
    topological_order,
)
from .files import check_path, read_whole, write_atomically
from .functional import (
    expand_dims,
    flatten,
    leaky_relu,
    log_softmax,
    mean,
    silu,
    softmax,
    squeeze,
    stack,
    swish,
    var,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_jacobian
from .op import OPS, Op, OpError
from .ops import (
    abs,
    add,
    argmax,
    argmin,
    astype,
    bitwise_and,
    bitwise_or,
    broadcast_to,
    clip,
    concatenate,
    cross_entropy,
    dense,
    div,
    equal,
    exp,
    getitem,
    greater,
    greater_equal,
    invert,
    isfinite,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    logsumexp,
    manual_seed,
    matmul,
    max,
    maximum,
    min,
    minimum,
    mul,
    neg,
    not_equal,
    pad,
    pow,
    random_generator,
    random_uniform,
    relu,
    reshape,
    sigmoid,
    sign,
    sliding_windows,
    softplus,
    sqrt,
    stop_gradient,
    sub,
    sum,
    sum_to_shape,
    tanh,
    transpose,
    where,
)
from .trace import trace
from .viz import (
    BackwardPlayer,
    GraphvizNotFoundError,
    GraphvizTimeoutError,
    backward_frames,
    backward_player,
    draw_graph,
    render_graph,
    save_backward_html,
)

from . import teaching  # isort: skip  (last: the learning instruments use all of the above)
