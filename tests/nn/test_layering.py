"""nn is a client of the engine's public API: `import autograd_lite as ag` and public names only.

The one exception is the picture package `autograd_lite.viz`, whose drawing helpers
`nn.plot` may reuse (STYLE.md 2.2); the engine's own modules are off limits.
"""

import ast
import pathlib
import subprocess
import sys

import autograd_lite as ag

NN = pathlib.Path(__file__).resolve().parents[2] / "nn"
VIZ = "autograd_lite.viz"


def test_nn_imports_only_the_public_engine_api():
    for path in sorted(NN.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("autograd_lite") and not module.startswith(VIZ):
                raise AssertionError(f"{path.name}: 'from {module} import ...'; use ag.<name>")
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("autograd_lite") and not alias.name.startswith(VIZ):
                        assert (alias.name, alias.asname) == ("autograd_lite", "ag"), path.name
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "ag"
            ):
                assert not node.attr.startswith("_") and hasattr(ag, node.attr), (
                    f"{path.name}: ag.{node.attr}"
                )


def test_the_engine_does_not_import_nn():
    code = "import sys, autograd_lite; print('nn' in sys.modules)"
    assert (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "False"
    )
