"""The architecture's import rules, checked."""

import ast
import pathlib
import subprocess
import sys

ENGINE = pathlib.Path(__file__).resolve().parents[2] / "autograd_lite"

# Each engine module may import only modules to its left (viz may import anything).
ORDER = [
    "files",
    "engine",
    "tensor",
    "op",
    "ops",
    "functional",
    "creation",
    "gradcheck",
    "trace",
    "viz",
    "teaching",
]
# The one exception: Tensor's methods hand over to the ops and functions of the same name, so
# tensor.py imports those two at its end, once Tensor exists (they use nothing else of it).
DELEGATION = {("tensor.py", "ops"), ("tensor.py", "functional")}


def test_importing_the_engine_imports_neither_nn_nor_graphviz():
    code = (
        "import sys, autograd_lite; "
        "print(sorted(m for m in ('nn', 'graphviz') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _layer(module_path: pathlib.Path) -> int:
    parts = module_path.relative_to(ENGINE).with_suffix("").parts
    return ORDER.index(parts[0]) if parts[0] in ORDER else -1


def test_engine_modules_only_import_to_their_left():
    for path in ENGINE.rglob("*.py"):
        if path.name == "__init__.py" and path.parent == ENGINE:
            continue  # the package's front door re-exports everything
        here = _layer(path)
        tree = ast.parse(path.read_text())
        typing_only = {
            id(inner)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
            for inner in ast.walk(block)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue  # annotations only, never executed
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                names = [node.module] if node.module else [a.name for a in node.names]
                for name in names:
                    target = name.split(".")[0]
                    if target in ORDER and (path.name, target) not in DELEGATION:
                        assert ORDER.index(target) <= here, f"{path.name} imports {target}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert not (module or "").startswith("nn"), f"{path} imports nn"
