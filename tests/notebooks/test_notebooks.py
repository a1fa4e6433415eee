"""The course notebooks run headless from the first cell to the last, and are committed clean.

Each notebook runs in a Jupyter kernel of this very interpreter (the project's .venv), in the
fast mode the notebooks read from AUTOGRAD_LITE_FAST=1 (fewer epochs). Any error fails the
test; the notebooks' own assert cells check accuracies, finite losses and parameter counts,
and the checks here read what the notebooks printed and drew.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = [
    "01_training_details.ipynb",
    "02_relu_activation.ipynb",
    "03_softmax.ipynb",
    "04_multiclass.ipynb",
    "05_multilabel_and_adam.ipynb",
    "06_convolution_ekg.ipynb",
    "07_practice_lab_digits.ipynb",
    "08_teaching_instruments.ipynb",
]
CELL_TIMEOUT = 120  # seconds; a whole notebook takes a few in the fast mode
KERNEL_NAME = "autograd-lite-test"


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """A kernel spec that starts `sys.executable -m ipykernel_launcher`, whatever kernels the
    user has installed elsewhere."""
    kernels = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(kernels / KERNEL_NAME)
    return KernelSpecManager(kernel_dirs=[str(kernels)])


def execute(name: str, kernel_specs: KernelSpecManager) -> nbformat.NotebookNode:
    """Run notebook `name` in the fast mode, with notebooks/ as its working directory, and
    return it with its outputs. A last cell added here prints the kernel's interpreter."""
    notebook = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    kernel = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=kernel_specs)
    NotebookClient(
        notebook, km=kernel, timeout=CELL_TIMEOUT, resources={"metadata": {"path": NOTEBOOK_DIR}}
    ).execute()
    return notebook


def printed(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook's cells printed, in order."""
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "stream"
    )


def mime_types(notebook: nbformat.NotebookNode) -> list[str]:
    """The mime types of every displayed result (one entry per output and type)."""
    return [
        kind
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        for kind in output.get("data", {})
    ]


def test_the_notebook_folder_holds_the_weeks_labs():
    assert sorted(path.name for path in NOTEBOOK_DIR.glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_without_error_and_draws_its_pictures(name, kernel_specs, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAST", "1")  # the kernel inherits the environment
    notebook = execute(name, kernel_specs)
    last_line = printed(notebook).strip().splitlines()[-1]
    assert last_line == sys.executable  # the kernel is this interpreter
    kinds = mime_types(notebook)
    assert "image/png" in kinds  # the matplotlib plots, shown inline
    assert "image/svg+xml" in kinds  # the graph pictures (draw_graph, plot_model), inline
    text = printed(notebook)
    assert "Traceback" not in text  # nothing was caught and logged either
    if name == "07_practice_lab_digits.ipynb":
        for layer, shape, count in (("L1", 25, "10,?025"), ("L2", 15, "390"), ("L3", 10, "160")):
            assert re.search(rf"{layer} \(Dense\)\s+\(None, {shape}\)\s+{count}\b", text), layer
        assert "Total params: 10,575" in text
        assert "All tests passed!" in text
        assert re.search(r"Largest Prediction index: 2\b", text)
    if name == "06_convolution_ekg.ipynb":
        assert re.search(r"conv \(Conv1D\)\s+\(None, 9, 8\)\s+168\b", text)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_no_outputs(name):
    """Notebooks are committed stripped, so that their diffs show only what a person wrote."""
    notebook = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == [], f"{name}: a cell still has outputs:\n{cell.source[:200]}"
        assert cell.execution_count is None, f"{name}: a cell has an execution count"
    assert notebook.metadata.kernelspec.name == "python3"
