"""No module of the host or a built-in plugin grows past ~400 lines without saying why at its top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 420  # "about 400"
MODULES = sorted([*ROOT.joinpath("fazhi_tui").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_long_module_says_why_at_its_top(path):
    lines = path.read_text("utf-8").count("\n")
    if lines <= LIMIT:
        return
    doc = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
    head = "\n".join(doc.split("\n\n")[:2])
    assert "lines" in head, f"{path.name} has {lines} lines: split it, or say at its top why it is one module"
