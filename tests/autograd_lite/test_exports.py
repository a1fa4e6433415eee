"""What a Tensor can do as a method, `ag` can do as a function, and the other way round."""

from __future__ import annotations

import inspect

import numpy as np

import autograd_lite as ag
from autograd_lite import functional, ops
from autograd_lite.tensor import Tensor

# Functions of tensors that are not methods, as in numpy (np.where, np.concatenate, ...) or
# because they take more than a tensor (labels, a kernel) or make a tensor from nothing.
FUNCTIONS_ONLY = {
    *("where", "concatenate", "stack", "getitem", "cross_entropy", "dense", "random_uniform")
}
NOT_OF_A_TENSOR = {"manual_seed", "random_generator"}  # the library's random generator
# the arguments after the tensor for methods that take more than another tensor
ARGUMENTS = {
    "broadcast_to": ((3, 2, 2),),
    "sum_to_shape": ((2,),),
    "astype": (np.float64,),
    "pad": ([(1, 0), (0, 1)],),
    "sliding_windows": (2,),
    "expand_dims": (0,),
    "clip": (0.0, 1.0),
    "reshape": (4,),
}


def operation_methods() -> set[str]:
    """The public methods listed in tensor.py's operations section (not attributes or
    backward/assign/...: those are the Tensor's own)."""
    source = inspect.getsource(Tensor)
    start = source.index("# --- operations")
    end = source.index("# --- backpropagation")
    section = source[start:end]
    return {
        name
        for name, member in vars(Tensor).items()
        if not name.startswith("_") and callable(member) and f"def {name}(" in section
    }


def op_functions() -> set[str]:
    """The public functions that the ops and functional modules export to `ag`."""
    homes = ("autograd_lite.ops", "autograd_lite.functional")
    return {
        name
        for name in dir(ag)
        if not name.startswith("_")
        and inspect.isfunction(getattr(ag, name))
        and getattr(ag, name).__module__.startswith(homes)
    }


def test_every_operation_method_is_an_ag_function_of_the_same_name() -> None:
    methods = operation_methods()
    assert len(methods) > 50
    missing = sorted(name for name in methods if not hasattr(ag, name))
    assert not missing, f"methods without an ag function: {missing}"


def test_every_ag_function_of_a_tensor_is_a_method_or_known_to_be_a_function_only() -> None:
    missing = sorted(op_functions() - operation_methods() - FUNCTIONS_ONLY - NOT_OF_A_TENSOR)
    assert not missing, f"ag functions without a Tensor method: {missing}"
    assert FUNCTIONS_ONLY <= op_functions()  # the exceptions are real functions


def test_each_method_hands_over_to_the_function_it_is_named_for() -> None:
    """The method and the function agree (a method delegating to the wrong function fails)."""
    numbers = ag.Tensor([[0.5, -1.5], [2.0, 0.25]], requires_grad=True)
    truths = ag.Tensor([[True, False], [True, True]])
    for name in sorted(operation_methods()):
        x = truths if name.startswith(("logical", "bitwise")) or name == "invert" else numbers
        parameters = list(inspect.signature(getattr(Tensor, name)).parameters.values())[1:]
        needs = [p for p in parameters if p.default is inspect.Parameter.empty]
        if name in ARGUMENTS:
            arguments = ARGUMENTS[name]
        elif needs and needs[0].kind is not needs[0].VAR_POSITIONAL:
            arguments = (x.T,)  # a second tensor for the two-operand methods
        else:
            arguments = ()
        with np.errstate(invalid="ignore"):  # log and sqrt of -1.5
            method_result = getattr(x, name)(*arguments)
            function_result = getattr(ag, name)(x, *arguments)
        assert type(method_result) is type(function_result), name
        np.testing.assert_array_equal(method_result.data, function_result.data, err_msg=name)


def test_the_ops_module_and_functional_hold_what_the_methods_call() -> None:
    source = inspect.getsource(Tensor)
    missing = []
    for module, prefix in ((ops, "_ops."), (functional, "_functional.")):
        for line in source.splitlines():
            if prefix in line:
                path = line.split(prefix, 1)[1].split("(", 1)[0]
                target = module
                for part in path.split("."):
                    target = getattr(target, part, None)
                if target is None:
                    missing.append(prefix + path)
    assert not missing, f"methods call what does not exist: {missing}"
