"""Running graphviz's `dot`: the same pictures as the graphviz package, a timeout, its errors."""

from __future__ import annotations

import os
import struct
import time

import pytest

import autograd_lite as ag
from autograd_lite.viz.dot import GraphvizTimeoutError, pipe

from .test_viz import scalar_expression


def fake_dot(folder, monkeypatch, script: str) -> None:
    """Put a `dot` running the shell `script` first on PATH."""
    folder.mkdir()
    program = folder / "dot"
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])  # width and height in the IHDR chunk


def test_the_pictures_are_the_ones_the_graphviz_package_makes(tmp_path) -> None:
    graph = ag.draw_graph(scalar_expression()["L"])
    for fmt in ("svg", "png"):
        assert pipe(graph, fmt) == graph.pipe(format=fmt)
    small = ag.render_graph(scalar_expression()["L"], tmp_path / "small.png", dpi=48)
    large = ag.render_graph(scalar_expression()["L"], tmp_path / "large.png", dpi=192)
    (w_small, h_small), (w_large, h_large) = (
        png_size(small.read_bytes()),
        png_size(large.read_bytes()),
    )
    assert abs(w_large - 4 * w_small) <= 4 and abs(h_large - 4 * h_small) <= 4


def test_a_hanging_dot_is_stopped_after_the_timeout(tmp_path, monkeypatch) -> None:
    pid_file = tmp_path / "pid"
    fake_dot(tmp_path / "bin", monkeypatch, f"echo $$ > {pid_file}\nexec sleep 30")
    start = time.perf_counter()
    with pytest.raises(GraphvizTimeoutError) as error:
        ag.render_graph(scalar_expression()["L"], tmp_path / "step.svg", timeout=0.3)
    assert time.perf_counter() - start < 3
    assert str(error.value).startswith(
        "render_graph: the graphviz program `dot` did not finish within 0.3 s and was stopped"
    )
    assert "pass a larger timeout" in str(error.value)
    assert "write a .dot file" in str(error.value)
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left sleeping
        os.kill(int(pid_file.read_text()), 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "pid"]  # nothing written


def test_a_failing_dot_says_what_it_printed(tmp_path, monkeypatch) -> None:
    fake_dot(tmp_path / "bin", monkeypatch, "echo 'Error: syntax error in line 3' >&2\nexit 1")
    with pytest.raises(
        RuntimeError,
        match=r"render_graph: the graphviz program `dot` failed \(exit status 1\): "
        r"Error: syntax error in line 3",
    ):
        ag.render_graph(scalar_expression()["L"], tmp_path / "step.png")
    assert not (tmp_path / "step.png").exists()


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "5", True])
def test_the_timeout_must_be_a_positive_number_of_seconds(tmp_path, timeout) -> None:
    with pytest.raises(
        ValueError,
        match=r"render_graph: timeout must be a positive, finite number of seconds "
        rf"\(or None to wait as long as dot takes\), got {timeout!r}",
    ):
        ag.render_graph(scalar_expression()["L"], tmp_path / "step.svg", timeout=timeout)


def test_no_timeout_waits_for_dot(tmp_path) -> None:
    svg = ag.render_graph(scalar_expression()["L"], tmp_path / "step.svg", timeout=None)
    assert svg.read_text().startswith("<?xml")
