"""Differential tests: every public engine function against numpy, over dtypes, extremes and shapes.

Each table row is an engine call and the numpy call it must agree with. The engine gets
Tensors made with `ag.from_numpy` (so every dtype is kept, as the README says numpy arrays
are); numpy gets the same arrays. The two must agree in value (NaN equal to NaN, the sign of
zero included), dtype and shape, and where numpy refuses an input the engine must refuse it too,
with a ValueError/TypeError/IndexError (or `ag.OpError`) whose message names the function.
The engine must never change its inputs.

Inputs run over bool, uint8, int32, int64, float32 and float64, each dtype's extremes (integer
min and max, +-inf, NaN, -0.0, the smallest subnormal, the largest finite), 0-d arrays and empty
arrays of shape (0,) and (2, 0). Where a function has no numpy counterpart (sigmoid, softmax,
logsumexp, ...) the reference is written here with numpy, in the dtype numpy's own `np.exp` would
give for the input (float16 for bool and uint8, float64 for int32 and int64), and compared at a
tolerance (`approx`): float32 at rtol=1e-5, atol=1e-6.

Conventions the README documents, where the engine deliberately differs from numpy, are
followed and cited where they are used: Python numbers and lists become float32 (`Tensor`), a
Python number beside a tensor takes the tensor's dtype where it fits (else float32), a 0-d
tensor reduces over axis 0 or -1 as over no axis, a list holding tensors is refused,
`zeros`/`ones`/`eye` default to float32, `arange` gives int64 for whole numbers and float32
otherwise, `pad` takes one (before, after) pair per axis.

Some cases follow published op tests (tinygrad's test/test_ops.py, HIPS autograd's
tests/test_numpy.py and tests/test_systematic.py): reductions over every axis combination with
keepdims, negative and repeated fancy indices, mixed-dtype promotion, empty and 0-d operands.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_lite as ag

DTYPES = (np.bool_, np.uint8, np.int32, np.int64, np.float32, np.float64)
FLOATS = (np.float32, np.float64)
TOLERANCE = {  # (rtol, atol) for results computed differently from the numpy reference
    np.dtype(np.float16): (2e-3, 1e-3),
    np.dtype(np.float32): (1e-5, 1e-6),
    np.dtype(np.float64): (1e-12, 1e-300),
}
ACCEPTED_ERRORS = (ValueError, TypeError, IndexError, OverflowError)  # ag.OpError is a ValueError


# --- inputs --------------------------------------------------------------------------------


def short(dtype: Any) -> str:
    return np.dtype(dtype).name


def extremes(dtype: Any) -> np.ndarray:
    """Where ops go wrong for `dtype`: its limits, zero, and for floats -0.0, inf and NaN."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return np.array([False, True, True, False])
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        signed = [-2, -1] if dtype.kind == "i" else []
        return np.array(
            [info.min, info.min + 1, *signed, 0, 1, 2, 7, info.max - 1, info.max], dtype
        )
    info = np.finfo(dtype)
    values = [
        -np.inf,
        info.min,
        -3.5,
        -1.0,
        -0.0,
        0.0,
        info.smallest_subnormal,
        0.5,
        1.0,
        2.0,
        1e4,
        info.max,
        np.inf,
        np.nan,
    ]
    return np.array(values, dtype)


def finite(dtype: Any, shape: tuple[int, ...] = (2, 3, 4)) -> np.ndarray:
    """Small distinct-ish values (with ties) of `dtype` in `shape`: ordinary data, no overflow."""
    values = (np.arange(math.prod(shape)) * 7) % 11 - (0 if np.dtype(dtype).kind in "bu" else 5)
    return values.reshape(shape).astype(dtype)


def shapes_of(dtype: Any) -> dict[str, np.ndarray]:
    """The extremes and the degenerate shapes: 1-D, 2-D, 0-d, (0,) and (2, 0)."""
    values = extremes(dtype)
    return {
        "extremes": values,
        "grid": np.resize(values, (2, 3)),
        "0d": np.asarray(values[1]),
        "empty": values[:0],
        "empty2d": np.zeros((2, 0), dtype),
    }


def float_dtype(dtype: Any) -> np.dtype:
    """The dtype numpy's exp gives for `dtype`: float16 for bool and uint8, float64 for ints."""
    return np.exp(np.zeros((), dtype)).dtype


# --- running and comparing -----------------------------------------------------------------


def run(function: Callable[..., Any], *args: Any) -> tuple[Any, BaseException | None]:
    """(result, None), or (None, the error), numpy's warnings silenced (inf, NaN, empty means:
    the values are what is compared)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return function(*args), None
        except Exception as error:  # noqa: BLE001 (any error is compared with numpy's)
            return None, error


def as_engine(value: Any) -> Any:
    """Arrays become Tensors of the same dtype (a copy, so numpy's input stays untouched)."""
    if isinstance(value, np.ndarray):
        return ag.from_numpy(value.copy())
    if isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
        return [as_engine(v) for v in value]
    return value


def assert_same_array(got: np.ndarray, expected: Any, approx: bool = False) -> None:
    """Same dtype, shape and values (NaN == NaN; -0.0 != 0.0 unless approx)."""
    expected = np.asarray(expected)
    assert got.dtype == expected.dtype, f"dtype {got.dtype}, numpy gives {expected.dtype}"
    assert got.shape == expected.shape, f"shape {got.shape}, numpy gives {expected.shape}"
    if approx and expected.dtype.kind == "f":
        rtol, atol = TOLERANCE[expected.dtype]
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
        return
    np.testing.assert_array_equal(got, expected, strict=True)
    if expected.dtype.kind == "f":
        zeros = expected == 0
        np.testing.assert_array_equal(
            np.signbit(got[zeros]),
            np.signbit(expected[zeros]),
            err_msg="the sign of a zero differs",
        )


def assert_matches_numpy(
    name: str,
    engine: Callable[..., Any],
    reference: Callable[..., Any],
    *args: Any,
    approx: bool = False,
) -> None:
    """engine(*Tensors) agrees with reference(*arrays): value, dtype and shape, or both refuse."""
    expected, numpy_error = run(reference, *args)
    engine_args = [as_engine(a) for a in args]
    got, error = run(engine, *engine_args)
    for before, after in zip(args, engine_args):
        if isinstance(before, np.ndarray):
            np.testing.assert_array_equal(
                after.data, before, err_msg="the engine changed its input"
            )
    if numpy_error is not None:
        refusal = f"{type(numpy_error).__name__}: {numpy_error}"
        assert error is not None, f"numpy refuses ({refusal}) but {name} returns {got!r}"
        assert isinstance(error, ACCEPTED_ERRORS), f"{name} raises {type(error).__name__}: {error}"
        assert name in str(error), f"the message does not name {name!r}: {error}"
        return
    assert error is None, f"{name} raises {type(error).__name__}: {error}; numpy gives {expected!r}"
    assert isinstance(got, ag.Tensor), f"{name} of Tensors returns {type(got).__name__}"
    assert_same_array(got.data, expected, approx)


# --- references for functions numpy does not have -------------------------------------------


def number_beside(value: Any, dtype: np.dtype) -> np.ndarray:
    """A Python number as the README's rule makes it beside a tensor of `dtype`: the tensor's
    dtype where that holds it (a float beside a float tensor, an int beside an int tensor, a
    bool beside a bool tensor), else float32 ("Python numbers become float32")."""
    kind = np.dtype(dtype).kind
    if (
        kind == "f"
        or (kind in "iu" and not isinstance(value, float))
        or (kind == "b" and isinstance(value, bool))
    ):
        return np.asarray(value, dtype)  # OverflowError when it does not fit, as numpy
    return np.asarray(value, np.float32)


def in_float64(x: np.ndarray) -> tuple[np.ndarray, np.dtype]:
    """x in float64 for the reference, and the dtype the result is given in (`float_dtype`)."""
    x = np.asarray(x)
    return x.astype(np.float64), float_dtype(x.dtype)


def np_sigmoid(x):
    x64, dtype = in_float64(x)
    return (1 / (1 + np.exp(-x64))).astype(dtype)


def shift_by_max(x64, axis):
    """x - max(x) along axis (a max of -inf, inf or NaN, or an empty axis, shifts by 0)."""
    m = np.max(x64, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    return x64 - m, m


def np_logsumexp(x, axis=None, keepdims=False):
    x64, dtype = in_float64(x)
    if x64.ndim == 0 and axis in (0, -1):
        axis = None  # README: a 0-d tensor reduces over axis 0 or -1 as over no axis
    shifted, m = shift_by_max(x64, axis)
    result = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)) + m
    return (result if keepdims else np.squeeze(result, axis=axis)).astype(dtype)


def np_log_softmax(x, axis=-1):
    x64, dtype = in_float64(x)
    shifted, _ = shift_by_max(x64, axis)
    return (shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))).astype(dtype)


def np_softmax(x, axis=-1):
    x64, dtype = in_float64(x)
    exps = np.exp(shift_by_max(x64, axis)[0])
    return (exps / np.sum(exps, axis=axis, keepdims=True)).astype(dtype)


def np_leaky_relu(x, slope=0.2):
    return np.where(x > 0, x, x * number_beside(slope, x.dtype))


def np_mean(x, axis=None, keepdims=False):
    # numpy's own: integers are summed in float64 (so int64 extremes round as they do there)
    return np.mean(x, axis=axis, keepdims=keepdims)


def refused(*args: Any) -> None:
    """The reference for an input the engine refuses by a documented rule."""
    raise ValueError("refused by a documented rule")


def np_sum_to_shape(g, shape):
    """The sum of g over the axes broadcasting added or stretched, refusing any other shape."""
    np.broadcast_to(np.zeros(shape), g.shape)  # raises unless g is a broadcast of shape
    lead = g.ndim - len(shape)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    return g.sum(axis=tuple(range(lead)) + stretched, keepdims=False).reshape(shape)


# --- elementwise functions of one tensor --------------------------------------------------

UNARY = [  # (name, engine, numpy reference, approx)
    ("neg", ag.neg, np.negative, False),
    ("abs", ag.abs, np.abs, False),
    ("exp", ag.exp, np.exp, False),
    ("log", ag.log, np.log, False),
    ("sqrt", ag.sqrt, np.sqrt, False),
    ("tanh", ag.tanh, np.tanh, False),
    ("sigmoid", ag.sigmoid, np_sigmoid, True),
    ("relu", ag.relu, lambda x: np.maximum(x, 0), False),
    ("softplus", ag.softplus, lambda x: np.logaddexp(0, x), False),
    ("leaky_relu", ag.leaky_relu, np_leaky_relu, True),
    ("silu", ag.silu, lambda x: x * np_sigmoid(x), True),
    ("swish", ag.swish, lambda x: x * np_sigmoid(x), True),
    ("clip", lambda x: ag.clip(x, -1, 2), lambda x: np.clip(x, -1, 2), False),
    ("clip", lambda x: ag.clip(x, lo=0), lambda x: np.clip(x, 0, None), False),
    ("clip", lambda x: ag.clip(x, hi=1), lambda x: np.clip(x, None, 1), False),
    ("sign", ag.sign, np.sign, False),
    ("isfinite", ag.isfinite, np.isfinite, False),
    ("logical_not", ag.logical_not, np.logical_not, False),
    ("stop_gradient", ag.stop_gradient, lambda x: x.copy(), False),
    ("invert", lambda x: ~x, np.invert, False),  # the operator means what it means on ndarrays
]


@pytest.mark.parametrize(
    "name, engine, reference, approx, x",
    [
        pytest.param(name, engine, reference, approx, x, id=f"{name}{i}-{short(dtype)}-{case}")
        for i, (name, engine, reference, approx) in enumerate(UNARY)
        for dtype in DTYPES
        for case, x in shapes_of(dtype).items()
    ],
)
def test_elementwise_unary(name, engine, reference, approx, x):
    assert_matches_numpy(name, engine, reference, x, approx=approx)


# --- elementwise functions of two tensors --------------------------------------------------

BINARY = [  # (name, engine, numpy reference); all exact
    ("add", ag.add, np.add),
    ("sub", ag.sub, np.subtract),
    ("mul", ag.mul, np.multiply),
    ("div", ag.div, np.true_divide),
    ("pow", ag.pow, np.power),
    ("maximum", ag.maximum, np.maximum),
    ("minimum", ag.minimum, np.minimum),
    ("less", ag.less, np.less),
    ("less_equal", ag.less_equal, np.less_equal),
    ("greater", ag.greater, np.greater),
    ("greater_equal", ag.greater_equal, np.greater_equal),
    ("equal", ag.equal, np.equal),
    ("not_equal", ag.not_equal, np.not_equal),
    ("logical_and", ag.logical_and, np.logical_and),
    ("logical_or", ag.logical_or, np.logical_or),
    # the Python operators on Tensors mean what they mean on ndarrays
    ("and", lambda a, b: a & b, lambda a, b: a & b),
    ("or", lambda a, b: a | b, lambda a, b: a | b),
]


def binary_inputs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Every pair of extremes (an outer broadcast), mixed dtypes, and the degenerate shapes."""
    pairs = []
    for dtype in DTYPES:
        x = extremes(dtype)
        pairs.append((f"{short(dtype)}-outer", x[:, None], x[None, :]))
        pairs.append(
            (f"{short(dtype)}-small-powers", finite(dtype, (4,)), np.arange(4).astype(dtype))
        )
    for a, b in [
        (np.uint8, np.int32),
        (np.bool_, np.float32),
        (np.int64, np.float32),
        (np.int32, np.float64),
        (np.float32, np.float64),
        (np.uint8, np.bool_),
    ]:
        pairs.append((f"{short(a)}-{short(b)}", finite(a, (2, 3)), finite(b, (3,))))
    f = finite(np.float32, (2, 3))
    pairs += [
        ("0d-with-2d", np.asarray(np.float32(2.5)), f),
        ("0d-with-0d", np.asarray(np.float32(-1.5)), np.asarray(np.float32(0.0))),
        ("empty-with-empty2d", np.zeros(0, np.float32), np.zeros((2, 0), np.float32)),
        ("empty-with-1", np.zeros(0, np.float32), np.ones(1, np.float32)),
        ("mismatch-3-4", np.ones(3, np.float32), np.ones(4, np.float32)),
        ("mismatch-empty-3", np.zeros(0, np.float32), np.ones(3, np.float32)),
    ]
    return pairs


@pytest.mark.parametrize(
    "name, engine, reference, a, b",
    [
        pytest.param(name, engine, reference, a, b, id=f"{name}-{case}")
        for name, engine, reference in BINARY
        for case, a, b in binary_inputs()
    ],
)
def test_elementwise_binary(name, engine, reference, a, b):
    assert_matches_numpy(name, engine, reference, a, b)


SCALAR_EXPRESSIONS = [  # (name in errors, expression of a tensor or array x and a number n, n)
    ("add", lambda x, n: x + n, 2),
    ("add", lambda x, n: n + x, 2),
    ("add", lambda x, n: x + n, True),
    ("add", lambda x, n: x + n, 300),
    ("sub", lambda x, n: x - n, 1),
    ("sub", lambda x, n: n - x, 1),
    ("mul", lambda x, n: x * n, 2.5),
    ("mul", lambda x, n: n * x, 2.5),
    ("mul", lambda x, n: x * n, -1),
    ("div", lambda x, n: x / n, 3),
    ("div", lambda x, n: n / x, 3),
    ("pow", lambda x, n: x**n, 2),
    ("pow", lambda x, n: x**n, 0.5),
    ("pow", lambda x, n: n**x, 2),
    ("pow", lambda x, n: x**n, -1),
    ("greater", lambda x, n: x > n, 1.5),
    ("equal", lambda x, n: x == n, 0),
    ("maximum", lambda x, n: lib(x).maximum(x, n), 0),
    ("minimum", lambda x, n: lib(x).minimum(x, n), 1.5),
    ("where", lambda x, n: lib(x).where(x > 0, x, n), 0),
    ("where", lambda x, n: lib(x).where(x > 0, n, x), 2.5),
    ("where", lambda x, n: lib(x).where(x.astype(np.float64), x, n), 2),
]


def lib(x: Any) -> Any:
    """The module whose maximum/minimum/where take x: ag for a Tensor, numpy for an array."""
    return ag if isinstance(x, ag.Tensor) else np


@pytest.mark.parametrize(
    "name, expression, number, x",
    [
        pytest.param(
            name, expression, number, finite(dtype, (4,)), id=f"{name}{i}-{short(dtype)}-{number}"
        )
        for i, (name, expression, number) in enumerate(SCALAR_EXPRESSIONS)
        for dtype in DTYPES
    ],
)
def test_python_number_operands(name, expression, number, x):
    # README: "a Python number beside a tensor takes the tensor's dtype" (numpy's weak-scalar
    # rule) and otherwise becomes float32; the value operands decide, never where's condition.
    assert_matches_numpy(
        name,
        lambda t: expression(t, number),
        lambda a: expression(a, number_beside(number, a.dtype)),
        x,
    )


# --- matmul ------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((2, 3), (3, 4)),
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((2, 2, 3), (3, 4)),
    ((2, 1, 2, 3), (3, 3, 2)),
    ((2, 0), (0, 3)),
    ((0, 3), (3, 2)),
    ((2, 3), (2, 3)),
    ((), (3,)),
]


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param(finite(da, sa), finite(db, sb), id=f"{short(da)}{sa}@{short(db)}{sb}")
        for da, db in [
            (np.float32, np.float32),
            (np.float64, np.float64),
            (np.int32, np.int32),
            (np.uint8, np.uint8),
            (np.bool_, np.bool_),
            (np.int64, np.float32),
            (np.float32, np.float64),
        ]
        for sa, sb in MATMUL_SHAPES
    ]
    + [
        pytest.param(
            np.resize(extremes(np.float64), (3, 4)),
            np.resize(extremes(np.float64), (4, 2)),
            id="float64-extremes",
        )
    ],
)
def test_matmul(a, b):
    assert_matches_numpy("matmul", ag.matmul, np.matmul, a, b)
    assert_matches_numpy("matmul", lambda x, y: x @ y, np.matmul, a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param(np.ones(2, np.float32), np.ones((2, 3), np.float32), id="array@tensor"),
        pytest.param(np.eye(3), np.arange(3.0), id="float64-array@tensor"),
    ],
)
def test_matmul_with_an_ndarray_on_the_left(a, b):
    got = a @ ag.from_numpy(b)
    assert isinstance(got, ag.Tensor)
    assert_same_array(got.data, a @ b)


# --- where -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition, a, b",
    [
        pytest.param(c, extremes(dt), extremes(dt)[::-1], id=f"{short(dt)}-{cname}")
        for dt in DTYPES
        for cname, c in [
            ("bool", np.arange(len(extremes(dt))) % 3 == 0),
            ("float-condition", (np.arange(len(extremes(dt))) % 2).astype(np.float32)),
        ]
    ]
    + [
        pytest.param(
            np.array([True, False]),
            np.ones((3, 1), np.float32),
            np.zeros(2, np.int32),
            id="broadcast-mixed-dtypes",
        ),
        pytest.param(
            np.array(True),
            np.asarray(np.float64(1.0)),
            np.zeros(0, np.float64),
            id="0d-condition-empty-branch",
        ),
        pytest.param(np.array([True, False, True]), np.ones(2), np.ones(3), id="mismatch"),
    ],
)
def test_where(condition, a, b):
    assert_matches_numpy("where", ag.where, np.where, condition, a, b)


# --- reductions -------------------------------------------------------------------------

REDUCTIONS = [  # (name, engine, numpy reference, approx)
    ("sum", ag.sum, np.sum, False),
    ("max", ag.max, np.max, False),
    ("min", ag.min, np.min, False),
    ("mean", ag.mean, np_mean, True),
    ("var", ag.var, np.var, True),
    ("logsumexp", ag.logsumexp, np_logsumexp, True),
]


def reduction_inputs(dtype) -> list[tuple[str, np.ndarray, Any]]:
    cases = [("3d", finite(dtype), axis) for axis in (None, 0, -1, 1, (0, 2), (), (-1, 0))]
    cases += [("3d", finite(dtype), axis) for axis in (3, (0, 0))]  # refused by numpy
    cases += [("extremes", extremes(dtype), axis) for axis in (None, 0)]
    if np.dtype(dtype).kind in "iu":  # a sum beyond the dtype's range
        cases += [
            ("overflow", np.full((2, 2), np.iinfo(dtype).max, dtype), axis) for axis in (None, 0)
        ]
    cases += [("0d", np.asarray(extremes(dtype)[1]), axis) for axis in (None, 0, -1, ())]
    cases += [
        ("empty", extremes(dtype)[:0], None),
        ("empty2d", np.zeros((2, 0), dtype), 0),
        ("empty2d", np.zeros((2, 0), dtype), 1),
        ("empty2d", np.zeros((2, 0), dtype), None),
    ]
    return cases


@pytest.mark.parametrize(
    "name, engine, reference, approx, x, axis, keepdims",
    [
        pytest.param(
            name,
            engine,
            reference,
            approx,
            x,
            axis,
            keepdims,
            id=f"{name}-{short(dtype)}-{case}-axis={axis}-keepdims={keepdims}",
        )
        for name, engine, reference, approx in REDUCTIONS
        for dtype in DTYPES
        for case, x, axis in reduction_inputs(dtype)
        for keepdims in (False, True)
    ],
)
def test_reduction(name, engine, reference, approx, x, axis, keepdims):
    # README: a 0-d tensor reduces over axis 0 or -1 as over no axis, in every reduction
    numpy_axis = None if x.ndim == 0 and axis in (0, -1) else axis
    assert_matches_numpy(
        name,
        lambda t: engine(t, axis=axis, keepdims=keepdims),
        lambda a: reference(a, axis=numpy_axis, keepdims=keepdims),
        x,
        approx=approx,
    )


@pytest.mark.parametrize(
    "name, engine, reference, x, axis",
    [
        pytest.param(
            name, engine, reference, x, axis, id=f"{name}-{short(dtype)}-{case}-axis={axis}"
        )
        for name, engine, reference in [
            ("argmax", ag.argmax, np.argmax),
            ("argmin", ag.argmin, np.argmin),
        ]
        for dtype in DTYPES
        for case, x, axis in [
            ("extremes", extremes(dtype), None),
            ("3d", finite(dtype), 1),
            ("3d", finite(dtype), -1),
            ("0d", np.asarray(extremes(dtype)[1]), None),
            ("empty", extremes(dtype)[:0], None),
        ]
    ],
)
def test_argmax_argmin(name, engine, reference, x, axis):
    assert_matches_numpy(name, lambda t: engine(t, axis=axis), lambda a: reference(a, axis=axis), x)


@pytest.mark.parametrize(
    "x, axis, ddof",
    [
        pytest.param(x, axis, ddof, id=f"{short(dtype)}-{case}-axis={axis}-ddof={ddof}")
        for dtype in (np.int32, np.float32, np.float64)
        for case, x in [("varying", finite(dtype, (2, 3))), ("constant", np.full((2, 3), 4, dtype))]
        for axis in (None, 0, 1)
        for ddof in (0, 1, 2, 3, 6, 7)
    ],
)
def test_var_ddof(x, axis, ddof):
    # numpy (and PyTorch) give inf or NaN once ddof >= the count, never a negative variance
    assert_matches_numpy(
        "var",
        lambda t: ag.var(t, axis=axis, ddof=ddof),
        lambda a: np.var(a, axis=axis, ddof=ddof),
        x,
        approx=True,
    )


# --- softmax family ---------------------------------------------------------------------

SOFTMAX_INPUTS = {
    "row": lambda dt: finite(dt, (5,)),
    "batch": lambda dt: finite(dt, (3, 4)),
    "empty-batch": lambda dt: finite(dt, (0, 4)),
    "0d": lambda dt: np.asarray(finite(dt, (1,))[0]),
}


def softmax_float_inputs(dtype) -> dict[str, np.ndarray]:
    return {
        "huge": np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]], dtype),
        "neg-inf": np.array([[-np.inf, 0.0, 0.0], [-np.inf, -np.inf, 1.0]], dtype),
        "all-neg-inf": np.array([-np.inf, -np.inf], dtype),
        "nan": np.array([np.nan, 0.0, 1.0], dtype),
        "largest": np.array([np.finfo(dtype).max, np.finfo(dtype).max, 0.0], dtype),
    }


@pytest.mark.parametrize(
    "name, engine, reference, x, axis",
    [
        pytest.param(
            name, engine, reference, x, axis, id=f"{name}-{short(dtype)}-{case}-axis={axis}"
        )
        for name, engine, reference in [
            ("softmax", ag.softmax, np_softmax),
            ("log_softmax", ag.log_softmax, np_log_softmax),
            ("logsumexp", ag.logsumexp, np_logsumexp),
        ]
        for dtype in DTYPES
        for case, x in [
            *((c, make(dtype)) for c, make in SOFTMAX_INPUTS.items()),
            *(softmax_float_inputs(dtype).items() if dtype in FLOATS else ()),
        ]
        for axis in (-1, 0)
    ],
)
def test_softmax_family(name, engine, reference, x, axis):
    assert_matches_numpy(
        name, lambda t: engine(t, axis=axis), lambda a: reference(a, axis=axis), x, approx=True
    )


def np_cross_entropy(z, labels, reduction="mean"):
    losses = -np.take_along_axis(np_log_softmax(z), labels.astype(np.int64)[:, None], axis=1)[:, 0]
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction].astype(z.dtype)


CROSS_ENTROPY_CASES = {  # (logits, labels, reduction)
    "ordinary": (finite(np.float64, (3, 4)), np.array([0, 3, 1]), "mean"),
    "sum": (finite(np.float64, (3, 4)), np.array([0, 3, 1]), "sum"),
    "none": (finite(np.float64, (3, 4)), np.array([0, 3, 1]), "none"),
    "huge-logits": (np.array([[1e4, -1e4], [0.0, 1e4]]), np.array([1, 0]), "none"),
    "empty-batch-none": (np.zeros((0, 4)), np.zeros(0, np.int64), "none"),
    "empty-batch-sum": (np.zeros((0, 4)), np.zeros(0, np.int64), "sum"),
    "label-too-large": (finite(np.float64, (2, 3)), np.array([0, 3]), "mean"),
    "negative-label": (finite(np.float64, (2, 3)), np.array([0, -1]), "mean"),
    "float-labels": (finite(np.float64, (2, 3)), np.array([0.0, 1.0]), "mean"),
    "labels-wrong-length": (finite(np.float64, (2, 3)), np.array([0, 1, 2]), "mean"),
    "1d-logits": (finite(np.float64, (3,)), np.array([0]), "mean"),
}


@pytest.mark.parametrize(
    "logits, labels, reduction",
    [
        pytest.param(
            z.astype(zt),
            y.astype(yt) if y.dtype.kind != "f" else y,
            reduction,
            id=f"{case}-{short(zt)}-labels-{short(yt)}",
        )
        for case, (z, y, reduction) in CROSS_ENTROPY_CASES.items()
        for zt in FLOATS
        for yt in (np.int64, np.int32, np.uint8)
    ],
)
def test_cross_entropy(logits, labels, reduction):
    def reference(z, y):
        if y.dtype.kind not in "iu" or z.ndim != 2 or y.shape != z.shape[:1]:
            raise ValueError("refused")
        if len(y) and (y.min() < 0 or y.max() >= z.shape[1]):
            raise IndexError("refused")
        return np_cross_entropy(z, y, reduction)

    assert_matches_numpy(
        "cross_entropy",
        lambda z, y: ag.cross_entropy(z, y, reduction),
        reference,
        logits,
        labels,
        approx=True,
    )


# --- shapes -----------------------------------------------------------------------------

SHAPE_OPS = [  # (name, engine, numpy reference, input shape)
    ("reshape", lambda t: t.reshape(-1), lambda a: a.reshape(-1), (2, 3)),
    ("reshape", lambda t: t.reshape(3, 2), lambda a: a.reshape(3, 2), (2, 3)),
    ("reshape", lambda t: ag.reshape(t, (1, -1, 1)), lambda a: a.reshape(1, -1, 1), (2, 3)),
    ("reshape", lambda t: t.reshape(()), lambda a: a.reshape(()), (1,)),
    ("reshape", lambda t: t.reshape(1), lambda a: a.reshape(1), ()),
    ("reshape", lambda t: t.reshape(0, 5), lambda a: a.reshape(0, 5), (2, 0)),
    ("reshape", lambda t: t.reshape(4), lambda a: a.reshape(4), (2, 3)),
    ("transpose", lambda t: t.transpose(), lambda a: a.transpose(), (2, 3, 4)),
    ("transpose", lambda t: t.transpose(1, 0, 2), lambda a: a.transpose(1, 0, 2), (2, 3, 4)),
    (
        "transpose",
        lambda t: ag.transpose(t, (-1, 0, 1)),
        lambda a: a.transpose(-1, 0, 1),
        (2, 3, 4),
    ),
    ("transpose", lambda t: t.transpose(0, 0, 1), lambda a: a.transpose(0, 0, 1), (2, 3, 4)),
    ("transpose", lambda t: t.transpose(0, 1), lambda a: a.transpose(0, 1), (2, 3, 4)),
    ("transpose", lambda t: t.transpose(), lambda a: a.transpose(), ()),
    ("transpose", lambda t: t.T, lambda a: a.T, (2, 3, 4)),
    ("transpose", lambda t: t.T, lambda a: a.T, ()),
    ("transpose", lambda t: t.mT, lambda a: a.mT, (2, 3, 4)),
    ("transpose", lambda t: t.mT, lambda a: a.mT, (2, 0)),
    ("transpose", lambda t: t.mT, lambda a: a.mT, (3,)),
    ("broadcast_to", lambda t: t.broadcast_to((2, 3)), lambda a: np.broadcast_to(a, (2, 3)), (3,)),
    ("broadcast_to", lambda t: t.broadcast_to((2, 3)), lambda a: np.broadcast_to(a, (2, 3)), ()),
    ("broadcast_to", lambda t: t.broadcast_to((0, 3)), lambda a: np.broadcast_to(a, (0, 3)), (3,)),
    ("broadcast_to", lambda t: t.broadcast_to((2, 4)), lambda a: np.broadcast_to(a, (2, 4)), (3,)),
    ("broadcast_to", lambda t: t.broadcast_to((3,)), lambda a: np.broadcast_to(a, (3,)), (2, 3)),
    ("expand_dims", lambda t: t.expand_dims(0), lambda a: np.expand_dims(a, 0), (2, 3)),
    ("expand_dims", lambda t: t.expand_dims(-1), lambda a: np.expand_dims(a, -1), (2, 3)),
    ("expand_dims", lambda t: t.expand_dims(2), lambda a: np.expand_dims(a, 2), (2, 3)),
    ("expand_dims", lambda t: t.expand_dims(0), lambda a: np.expand_dims(a, 0), ()),
    ("expand_dims", lambda t: t.expand_dims(3), lambda a: np.expand_dims(a, 3), (2, 3)),
    ("squeeze", lambda t: t.squeeze(), lambda a: a.squeeze(), (1, 3, 1)),
    ("squeeze", lambda t: t.squeeze(0), lambda a: a.squeeze(0), (1, 3, 1)),
    ("squeeze", lambda t: t.squeeze(-1), lambda a: a.squeeze(-1), (1, 3, 1)),
    ("squeeze", lambda t: t.squeeze((0, 2)), lambda a: a.squeeze((0, 2)), (1, 3, 1)),
    ("squeeze", lambda t: t.squeeze(1), lambda a: a.squeeze(1), (1, 3, 1)),
    ("squeeze", lambda t: t.squeeze(), lambda a: a.squeeze(), ()),
    ("squeeze", lambda t: t.squeeze(), lambda a: a.squeeze(), (1, 0)),
    ("flatten", lambda t: t.flatten(), lambda a: a.ravel(), (2, 3, 4)),
    ("flatten", lambda t: t.flatten(), lambda a: a.ravel(), ()),
    ("flatten", lambda t: t.flatten(1), lambda a: a.reshape(2, 12), (2, 3, 4)),
    ("flatten", lambda t: t.flatten(-1), lambda a: a.reshape(2, 3, 4), (2, 3, 4)),
    ("flatten", lambda t: t.flatten(1), lambda a: a.reshape(0, 12), (0, 3, 4)),
    ("flatten", lambda t: t.flatten(3), lambda a: a.reshape(2, 3, 4, 0, 9), (2, 3, 4)),
    ("pad", lambda t: t.pad(((1, 2), (0, 1))), lambda a: np.pad(a, ((1, 2), (0, 1))), (2, 3)),
    ("pad", lambda t: t.pad(((0, 0), (2, 0))), lambda a: np.pad(a, ((0, 0), (2, 0))), (2, 0)),
    # pad's docstring: one (before, after) pair per axis; numpy's shorthand ((1, 1),) is refused
    ("pad", lambda t: t.pad(((1, 1),)), refused, (2, 3)),
    ("pad", lambda t: t.pad(((-1, 1), (0, 0))), lambda a: np.pad(a, ((-1, 1), (0, 0))), (2, 3)),
    (
        "sliding_windows",
        lambda t: t.sliding_windows(2),
        lambda a: np.lib.stride_tricks.sliding_window_view(a, 2, axis=-1),
        (2, 5),
    ),
    (
        "sliding_windows",
        lambda t: t.sliding_windows(2, stride=2, axis=0),
        lambda a: np.lib.stride_tricks.sliding_window_view(a, 2, axis=0)[::2],
        (5, 3),
    ),
    (
        "sliding_windows",
        lambda t: t.sliding_windows(3, stride=3),
        lambda a: np.lib.stride_tricks.sliding_window_view(a, 3, axis=-1)[:, ::3],
        (2, 7),
    ),
    (
        "sliding_windows",
        lambda t: t.sliding_windows(6),
        lambda a: np.lib.stride_tricks.sliding_window_view(a, 6, axis=-1),
        (2, 5),
    ),
    (
        "sliding_windows",
        lambda t: t.sliding_windows(2, stride=0),
        lambda a: np.lib.stride_tricks.sliding_window_view(a, 2, axis=-1)[..., ::0, :],
        (2, 5),
    ),
    ("sum_to_shape", lambda t: t.sum_to_shape((3,)), lambda a: np_sum_to_shape(a, (3,)), (2, 3)),
    (
        "sum_to_shape",
        lambda t: t.sum_to_shape((2, 1)),
        lambda a: np_sum_to_shape(a, (2, 1)),
        (2, 3),
    ),
    ("sum_to_shape", lambda t: t.sum_to_shape(()), lambda a: np_sum_to_shape(a, ()), (2, 3)),
    (
        "sum_to_shape",
        lambda t: t.sum_to_shape((1, 1)),
        lambda a: np_sum_to_shape(a, (1, 1)),
        (2, 3),
    ),
    ("sum_to_shape", lambda t: t.sum_to_shape((2,)), lambda a: np_sum_to_shape(a, (2,)), (2, 3)),
    (
        "sum_to_shape",
        lambda t: t.sum_to_shape((4, 2, 3)),
        lambda a: np_sum_to_shape(a, (4, 2, 3)),
        (2, 3),
    ),
]


@pytest.mark.parametrize(
    "name, engine, reference, x",
    [
        pytest.param(
            name,
            engine,
            reference,
            np.resize(extremes(dtype), shape),
            id=f"{name}{i}-{short(dtype)}-{shape}",
        )
        for i, (name, engine, reference, shape) in enumerate(SHAPE_OPS)
        for dtype in DTYPES
    ],
)
def test_shape_op(name, engine, reference, x):
    assert_matches_numpy(name, engine, lambda a: np.array(reference(a)), x)


JOINS = [  # (name, engine, numpy reference, shapes)
    (
        "concatenate",
        lambda ts: ag.concatenate(ts, axis=0),
        lambda a: np.concatenate(a, 0),
        [(2, 3), (1, 3)],
    ),
    (
        "concatenate",
        lambda ts: ag.concatenate(ts, axis=-1),
        lambda a: np.concatenate(a, -1),
        [(2, 3), (2, 1)],
    ),
    ("concatenate", lambda ts: ag.concatenate(ts), lambda a: np.concatenate(a), [(2, 3)]),
    ("concatenate", lambda ts: ag.concatenate(ts), lambda a: np.concatenate(a), [(0, 3), (2, 3)]),
    ("concatenate", lambda ts: ag.concatenate(ts), lambda a: np.concatenate(a), [(), ()]),
    ("concatenate", lambda ts: ag.concatenate(ts), lambda a: np.concatenate(a), [(2, 3), (2, 4)]),
    (
        "concatenate",
        lambda ts: ag.concatenate(ts, axis=2),
        lambda a: np.concatenate(a, 2),
        [(2, 3)] * 2,
    ),
    ("stack", lambda ts: ag.stack(ts), lambda a: np.stack(a), [(2, 3), (2, 3)]),
    ("stack", lambda ts: ag.stack(ts, axis=-1), lambda a: np.stack(a, -1), [(2, 3), (2, 3)]),
    ("stack", lambda ts: ag.stack(ts, axis=1), lambda a: np.stack(a, 1), [(3,)] * 3),
    ("stack", lambda ts: ag.stack(ts), lambda a: np.stack(a), [(), ()]),
    ("stack", lambda ts: ag.stack(ts), lambda a: np.stack(a), [(2, 0)]),
    ("stack", lambda ts: ag.stack(ts), lambda a: np.stack(a), [(2, 3), (3, 2)]),
    ("stack", lambda ts: ag.stack(ts, axis=3), lambda a: np.stack(a, 3), [(2, 3)] * 2),
]


@pytest.mark.parametrize(
    "name, engine, reference, arrays",
    [
        pytest.param(
            name,
            engine,
            reference,
            [np.resize(extremes(dt), s) for dt, s in zip(dtypes, shapes)],
            id=f"{name}{i}-{'-'.join(short(d) for d in dtypes[: len(shapes)])}",
        )
        for i, (name, engine, reference, shapes) in enumerate(JOINS)
        for dtypes in [(d,) * 3 for d in DTYPES]
        + [(np.uint8, np.int32, np.float32), (np.bool_, np.float64, np.int64)]
    ],
)
def test_join(name, engine, reference, arrays):
    assert_matches_numpy(name, engine, reference, arrays)


@pytest.mark.parametrize(
    "x, dtype",
    [
        pytest.param(x, to, id=f"{short(src)}-to-{short(to)}-{case}")
        for src in DTYPES
        for to in DTYPES + (np.float16, np.int8)
        for case, x in [
            ("extremes", extremes(src)),
            ("0d", np.asarray(extremes(src)[1])),
            ("empty2d", np.zeros((2, 0), src)),
        ]
    ],
)
def test_astype(x, dtype):
    assert_matches_numpy("astype", lambda t: t.astype(dtype), lambda a: a.astype(dtype), x)


# --- indexing ---------------------------------------------------------------------------

MASK_0 = np.array([True, False])  # over the first axis (size 2) of the (2, 3, 4) array
INDICES = {
    "int": 0,
    "negative-int": -1,
    "int-out-of-range": 2,
    "pair": (1, 2),
    "int-slice-int": (0, slice(None), 1),
    "reversed": (slice(None), slice(None, None, -1)),
    "ellipsis": (Ellipsis, 0),
    "newaxis": None,
    "newaxis-inside": (0, None, 1),
    "strided": (slice(None, None, 2), slice(1, None), slice(-1, None)),
    "scalar-element": (1, 2, 3),
    "empty-tuple": (),
    "float": 1.0,
    "fancy-list": [0, 1, 1],
    "fancy-negative": [-1, -2],
    "fancy-2d": (np.array([[0], [1]]), np.array([0, 2])),
    "fancy-inner-axis": (slice(None), [2, 0, 2]),
    "fancy-out-of-range": [5],
    "fancy-empty-list": [],
    "fancy-empty-int-array": np.array([], dtype=np.int64),
    "fancy-tensor": ag.Tensor(np.array([1, 0])),
    "mask-list": [True, False],
    "mask-array": MASK_0,
    "mask-tensor": ag.Tensor(MASK_0),
    "mask-all-false": np.array([False, False]),
    "mask-with-int": (MASK_0, 1),
    "mask-on-axis-1": (slice(None), np.array([True, False, True])),
    "mask-2d": np.array([[True, False, True], [False, False, True]]),
    "mask-2d-with-int": (np.array([[True, False, True], [False, False, True]]), 0),
    "mask-3d": np.arange(24).reshape(2, 3, 4) % 5 == 0,
    "mask-0d-true": np.array(True),
    "mask-0d-false": np.array(False),
    "mask-too-short": [True],
    "mask-too-long": [True, False, True],
    "mask-too-long-on-axis-1": (slice(None), np.array([True, False, True, True])),
    "mask-2d-wrong-shape": np.ones((3, 2), bool),
}


@pytest.mark.parametrize(
    "x, index",
    [
        pytest.param(np.resize(extremes(dtype), (2, 3, 4)), index, id=f"{short(dtype)}-{case}")
        for dtype in DTYPES
        for case, index in INDICES.items()
    ]
    + [
        pytest.param(np.asarray(np.float32(3.0)), index, id=f"0d-{case}")
        for case, index in [
            ("empty-tuple", ()),
            ("ellipsis", Ellipsis),
            ("newaxis", None),
            ("int", 0),
            ("mask-0d-true", np.array(True)),
        ]
    ]
    + [
        pytest.param(np.zeros((2, 0), np.float32), index, id=f"empty2d-{case}")
        for case, index in [
            ("int", 0),
            ("fancy", [1, 1]),
            ("mask", np.array([True, False])),
            ("slice", (slice(None), slice(1, None))),
        ]
    ],
)
def test_getitem(x, index):
    numpy_index = index.data if isinstance(index, ag.Tensor) else index
    if isinstance(numpy_index, tuple):
        numpy_index = tuple(i.data if isinstance(i, ag.Tensor) else i for i in numpy_index)
    assert_matches_numpy("getitem", lambda t: t[index], lambda a: np.array(a[numpy_index]), x)


# --- making tensors ----------------------------------------------------------------------
# Documented conventions (README "The engine" and the signatures in creation.py): zeros, ones,
# eye, rand and randn default to float32; arange gives int64 for whole numbers, else float32.

CREATION = [  # (name, engine thunk, numpy thunk)
    ("zeros", lambda: ag.zeros(2, 3), lambda: np.zeros((2, 3), np.float32)),
    ("zeros", lambda: ag.zeros((2, 3)), lambda: np.zeros((2, 3), np.float32)),
    ("zeros", lambda: ag.zeros([2, 3]), lambda: np.zeros((2, 3), np.float32)),
    ("zeros", lambda: ag.zeros(()), lambda: np.zeros((), np.float32)),
    ("zeros", lambda: ag.zeros(2, 0), lambda: np.zeros((2, 0), np.float32)),
    ("zeros", lambda: ag.zeros(3, dtype=np.int32), lambda: np.zeros(3, np.int32)),
    ("zeros", lambda: ag.zeros(3, dtype=bool), lambda: np.zeros(3, bool)),
    ("zeros", lambda: ag.zeros(-1), lambda: np.zeros(-1, np.float32)),
    ("zeros", lambda: ag.zeros(2.5), lambda: np.zeros(2.5, np.float32)),
    ("zeros", lambda: ag.zeros("3"), lambda: np.zeros("3", np.float32)),
    ("ones", lambda: ag.ones(2, 3), lambda: np.ones((2, 3), np.float32)),
    ("ones", lambda: ag.ones(0), lambda: np.ones(0, np.float32)),
    ("ones", lambda: ag.ones(2, dtype=np.uint8), lambda: np.ones(2, np.uint8)),
    ("ones", lambda: ag.ones(-2, 3), lambda: np.ones((-2, 3), np.float32)),
    ("eye", lambda: ag.eye(3), lambda: np.eye(3, dtype=np.float32)),
    ("eye", lambda: ag.eye(2, 3), lambda: np.eye(2, 3, dtype=np.float32)),
    ("eye", lambda: ag.eye(0), lambda: np.eye(0, dtype=np.float32)),
    ("eye", lambda: ag.eye(3, dtype=np.int64), lambda: np.eye(3, dtype=np.int64)),
    ("eye", lambda: ag.eye(-1), lambda: np.eye(-1, dtype=np.float32)),
    ("eye", lambda: ag.eye(2.5), lambda: np.eye(2.5, dtype=np.float32)),
    ("arange", lambda: ag.arange(5), lambda: np.arange(5, dtype=np.int64)),
    ("arange", lambda: ag.arange(2, 10, 3), lambda: np.arange(2, 10, 3, dtype=np.int64)),
    ("arange", lambda: ag.arange(5, 0, -1), lambda: np.arange(5, 0, -1, dtype=np.int64)),
    ("arange", lambda: ag.arange(0), lambda: np.arange(0, dtype=np.int64)),
    ("arange", lambda: ag.arange(5, 2), lambda: np.arange(5, 2, dtype=np.int64)),
    ("arange", lambda: ag.arange(-3), lambda: np.arange(-3, dtype=np.int64)),
    ("arange", lambda: ag.arange(0.0, 1.0, 0.25), lambda: np.arange(0, 1, 0.25, dtype=np.float32)),
    ("arange", lambda: ag.arange(2.5), lambda: np.arange(2.5, dtype=np.float32)),
    ("arange", lambda: ag.arange(10, step=2), lambda: np.arange(10, step=2, dtype=np.int64)),
    ("arange", lambda: ag.arange(3, dtype=np.float64), lambda: np.arange(3, dtype=np.float64)),
    ("arange", lambda: ag.arange(0, 5, 0), lambda: np.arange(0, 5, 0, dtype=np.int64)),
    ("arange", lambda: ag.arange(0.0, 1.0, 0.0), lambda: np.arange(0, 1, 0.0, dtype=np.float32)),
    ("arange", lambda: ag.arange(np.inf), lambda: np.arange(np.inf, dtype=np.float32)),
    ("arange", lambda: ag.arange(np.nan), lambda: np.arange(np.nan, dtype=np.float32)),
    (
        "zeros_like",
        lambda: ag.zeros_like(ag.from_numpy(extremes(np.int32))),
        lambda: np.zeros_like(extremes(np.int32)),
    ),
    (
        "ones_like",
        lambda: ag.ones_like(ag.from_numpy(np.zeros((2, 0), np.float64))),
        lambda: np.ones((2, 0), np.float64),
    ),
    (
        "ones_like",
        lambda: ag.ones_like(ag.from_numpy(np.asarray(np.uint8(3)))),
        lambda: np.ones((), np.uint8),
    ),
]


@pytest.mark.parametrize(
    "name, engine, reference",
    [pytest.param(*row, id=f"{row[0]}{i}") for i, row in enumerate(CREATION)],
)
def test_creation(name, engine, reference):
    assert_matches_numpy(name, engine, reference)


CONSTRUCTION = [  # (case, data, keyword arguments, numpy thunk for the expected array)
    # README: "lists and floats -> float32", "numpy arrays keep their dtype"
    ("int-list", [1, 2], {}, lambda: np.array([1, 2], np.float32)),
    ("float", 2.5, {}, lambda: np.array(2.5, np.float32)),
    ("int", 3, {}, lambda: np.array(3, np.float32)),
    ("empty-list", [], {}, lambda: np.array([], np.float32)),
    ("bool-list", [True, False], {}, lambda: np.array([True, False])),
    ("int32-array", np.array([1, 2], np.int32), {}, lambda: np.array([1, 2], np.int32)),
    ("uint8-array", extremes(np.uint8), {}, lambda: extremes(np.uint8)),
    ("float64-scalar", np.float64(2.5), {}, lambda: np.array(2.5)),
    ("tensor", ag.from_numpy(extremes(np.int64)), {}, lambda: extremes(np.int64)),
    ("dtype-override", [1, 2], {"dtype": np.int64}, lambda: np.array([1, 2], np.int64)),
    ("nested", [[1.5, 2], [3, 4]], {}, lambda: np.array([[1.5, 2], [3, 4]], np.float32)),
    ("ragged", [[1, 2], [3]], {}, lambda: np.array([[1, 2], [3]], np.float32)),
    ("string", "abc", {}, lambda: np.array("abc", np.float32)),
    ("none", None, {}, refused),  # numpy makes NaN of it; "Tensor: data must be numeric"
    ("complex", 1 + 2j, {}, lambda: np.array(1 + 2j, np.float32)),
    ("huge-int", 2**70, {}, lambda: np.array(2**70, np.float32)),
    ("requires-grad-on-ints", np.array([1, 2]), {"requires_grad": True}, None),
    ("requires-grad-string", [1.0], {"requires_grad": "no"}, None),
]


@pytest.mark.parametrize(
    "data, kwargs, reference",
    [
        pytest.param(data, kwargs, reference, id=case)
        for case, data, kwargs, reference in CONSTRUCTION
    ],
)
def test_tensor_construction(data, kwargs, reference):
    if reference is None:  # refused whatever numpy does: the README's rules for requires_grad
        with pytest.raises(TypeError, match="Tensor"):
            ag.Tensor(data, **kwargs)
        return
    assert_matches_numpy("Tensor", lambda: ag.Tensor(data, **kwargs), reference)
    assert_matches_numpy("Tensor", lambda: ag.tensor(data, **kwargs), reference)


# --- numpy in, numpy out; Tensors in lists ---------------------------------------------------

NUMPY_IN_NUMPY_OUT = [  # functions given arrays only, README: "plain numpy functions"
    ("exp", lambda a: ag.exp(a)),
    ("sum", lambda a: ag.sum(a, axis=0)),
    ("mean", lambda a: ag.mean(a)),
    ("var", lambda a: ag.var(a, axis=1)),
    ("min", lambda a: ag.min(a, axis=0)),
    ("max", lambda a: ag.max(a)),
    ("minimum", lambda a: ag.minimum(a, 0.5)),
    ("maximum", lambda a: ag.maximum(a, a.T[0][:, None])),
    ("softmax", lambda a: ag.softmax(a)),
    ("log_softmax", lambda a: ag.log_softmax(a, axis=0)),
    ("logsumexp", lambda a: ag.logsumexp(a, axis=1)),
    ("sigmoid", lambda a: ag.sigmoid(a)),
    ("leaky_relu", lambda a: ag.leaky_relu(a)),
    ("silu", lambda a: ag.silu(a)),
    ("where", lambda a: ag.where(a > 0, a, 0.0)),
    ("clip", lambda a: ag.clip(a, 0, 1)),
    ("matmul", lambda a: ag.matmul(a, a.T)),
    ("getitem", lambda a: ag.getitem(a, (slice(None), [0, 0]))),
    ("reshape", lambda a: ag.reshape(a, -1)),
    ("transpose", lambda a: ag.transpose(a)),
    ("squeeze", lambda a: ag.squeeze(a[:1])),
    ("expand_dims", lambda a: ag.expand_dims(a, 1)),
    ("flatten", lambda a: ag.flatten(a)),
    ("stack", lambda a: ag.stack([a, a])),
    ("concatenate", lambda a: ag.concatenate([a, a], axis=1)),
    ("pad", lambda a: ag.pad(a, ((1, 0), (0, 1)))),
    ("sliding_windows", lambda a: ag.sliding_windows(a, 2)),
    ("astype", lambda a: ag.astype(a, np.float64)),
    ("sign", lambda a: ag.sign(a)),
    ("cross_entropy", lambda a: ag.cross_entropy(a, np.array([0, 2]))),
]


@pytest.mark.parametrize(
    "name, function",
    [pytest.param(name, function, id=name) for name, function in NUMPY_IN_NUMPY_OUT],
)
def test_numpy_in_numpy_out(name, function):
    x = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]], np.float32)
    expected = function(ag.from_numpy(x)).data
    got = function(x)
    assert isinstance(got, (np.ndarray, np.generic)), f"{name} returns {type(got).__name__}"
    assert_same_array(np.asarray(got), expected)


@pytest.mark.parametrize(
    "name, function",
    [
        pytest.param(name, function, id=name)
        for name, function in [
            ("mean", ag.mean),
            ("sum", ag.sum),
            ("max", ag.max),
            ("exp", ag.exp),
            ("var", ag.var),
            ("softmax", ag.softmax),
            ("add", lambda ts: ag.add(ts, 1.0)),
        ]
    ],
)
def test_a_list_of_tensors_is_refused(name, function):
    # README: "A list holding tensors that require grad is refused rather than silently cut
    # from the graph: ag.stack it first." (issue 7: ag.mean([x, x + 2]))
    x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises((TypeError, ValueError), match=name):
        function([x, x + 2])
