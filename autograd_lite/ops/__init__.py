"""The primitive ops, one file per family; each file holds the op classes and their functions.

Importing this package registers every op in `OPS` and attaches the methods to `Tensor`.
"""

from ..op import OPS, Op
from .arithmetic import add, div, mul, neg, pow, sub
from .compare import (
    argmax,
    argmin,
    bitwise_and,
    bitwise_or,
    equal,
    greater,
    greater_equal,
    invert,
    isfinite,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    not_equal,
    sign,
    stop_gradient,
)
from .dense import dense
from .linalg import matmul
from .loss import cross_entropy
from .random import manual_seed, random_generator, random_uniform
from .reduce import logsumexp, max, min, sum
from .select import getitem, maximum, minimum, where
from .shape import (
    astype,
    broadcast_to,
    concatenate,
    pad,
    reshape,
    sliding_windows,
    sum_to_shape,
    transpose,
)
from .unary import abs, clip, exp, log, relu, sigmoid, softplus, sqrt, tanh
