"""ag.trace's hooks stay few, and the engine and the Tensor use each other's public API only."""

import ast
import pathlib

ENGINE = pathlib.Path(__file__).resolve().parents[2] / "autograd_lite"


def private_uses(module: str, of: str) -> list[str]:
    """The private names (`_x`, not `__x__`) that `module` reads from `of` (a module name such
    as `engine`, or `*` for any object other than `self` and `cls`)."""
    tree = ast.parse((ENGINE / f"{module}.py").read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == of:
            found += [a.name for a in node.names if a.name.startswith("_")]
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.endswith("__")
        ):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if (owner == of) or (of == "*" and owner not in ("self", "cls")):
                found.append(node.attr)
    return found


def test_the_engine_and_the_tensor_use_each_other_s_public_names_only():
    assert private_uses("tensor", "engine") == []
    assert private_uses("engine", "*") == []  # no Tensor._wrap, no _seed_gradient


def test_only_the_trace_sets_the_engine_s_recorder_and_three_modules_read_it():
    texts = {str(path.relative_to(ENGINE)): path.read_text() for path in ENGINE.rglob("*.py")}
    # engine.py: the hook itself and backward(); op.py: Op.apply; tensor.py: note_value_read
    assert sorted(name for name, text in texts.items() if "recorder" in text) == [
        "engine.py",
        "op.py",
        "tensor.py",
        "trace.py",
    ]
    assert [name for name, text in texts.items() if "engine.recorder = " in text] == ["trace.py"]
