"""The suite's one tolerance policy for comparing floating-point results.

Two float32 computations of the same quantity agree only to a few units in the last place
when they are not the same sequence of operations: another BLAS kernel (OpenBLAS picks one
per processor, and `OPENBLAS_CORETYPE` overrides it), another batch split, another order of
a sum. So every float32 comparison uses `FLOAT32` (about 80 ulps relative, with an absolute
floor for values near zero); float64 uses `FLOAT64`. A comparison is exact only where both
sides are the very same arithmetic: say so with `exact=True`.

    >>> import numpy as np
    >>> assert_close(np.float32(1.0) + np.float32(3e-7), np.float32(1.0))
    >>> tolerance(np.zeros(2, np.float32), np.zeros(2))
    {'rtol': 1e-05, 'atol': 1e-06}
"""

from __future__ import annotations

from typing import Any

import numpy as np

FLOAT32 = {"rtol": 1e-5, "atol": 1e-6}
FLOAT64 = {"rtol": 1e-12, "atol": 1e-12}


def tolerance(*values: Any) -> dict[str, float]:
    """The policy for comparing `values`: float32's when any of them is float32 (or
    narrower), float64's otherwise."""
    for value in values:
        dtype = np.asarray(value).dtype
        if dtype.kind == "f" and dtype.itemsize <= 4:
            return FLOAT32
    return FLOAT64


def assert_close(actual: Any, expected: Any, *, exact: bool = False, err_msg: str = "") -> None:
    """`actual` equals `expected` within the policy for their dtypes (NaN equals NaN), or
    exactly with `exact=True`."""
    actual = getattr(actual, "data", actual)  # a Tensor compares by its array
    if exact:
        np.testing.assert_array_equal(actual, expected, err_msg=err_msg)
    else:
        np.testing.assert_allclose(actual, expected, err_msg=err_msg, **tolerance(actual, expected))
