"""Plugins keep to the public API, and their queries stay free of Textual (the CLI and the
report run them without a screen)."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_DIRS = [
    p
    for base in (ROOT / "plugins", ROOT / "examples")
    for p in sorted(base.iterdir())
    if p.is_dir() and (p / "__init__.py").is_file()
]
SOURCES = [f for d in PLUGIN_DIRS for f in sorted(d.rglob("*.py"))]


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names if node.module == "fazhi_tui"]
    return names


def test_there_are_plugins_to_check():
    assert {"fazhi_overview", "duty_roster"} <= {d.name for d in PLUGIN_DIRS}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_only_the_public_api_from_the_host(path):
    host = [m for m in imported_modules(path) if m == "fazhi_tui" or m.startswith("fazhi_tui.")]
    assert all(m == "fazhi_tui.api" for m in host), f"{path.name} imports {host}"


@pytest.mark.parametrize("path", [f for f in SOURCES if f.name == "queries.py"], ids=lambda p: p.parent.name)
def test_queries_modules_do_not_import_textual(path):
    assert not [m for m in imported_modules(path) if m.split(".")[0] in ("textual", "textual_fastdatatable")]


def test_loading_plugins_and_their_queries_imports_no_textual():
    # In a fresh interpreter: what the CLI does (load every plugin, read the tables) and what the
    # report would do (import each queries module) must leave Textual unimported.
    code = textwrap.dedent(
        f"""
        import importlib, sys
        from fazhi_tui.plugins import PluginHost
        host = PluginHost.load(plugin_dirs=[{str(ROOT / "examples")!r}])
        host.table_specs()
        importlib.import_module("fazhi_overview.queries")
        importlib.import_module("fazhi_tui_plugins.duty_roster.queries")
        assert all(i.status == "loaded" for i in host.infos.values()), host.infos
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "textual_fastdatatable"))
        assert not loaded, loaded
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "module",
    ["fazhi_tui.access", "fazhi_tui.store.access", "fazhi_tui.ui.panel", "fazhi_tui.ui.gates", "fazhi_tui.context"],
)
def test_access_policy_imports_first_without_a_cycle(module):
    # The policy lives in the store package; importing it (or a screen that uses it) first, in a
    # fresh interpreter, must work: no module has to import the store first to break a cycle.
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)


SCREEN_LIBRARIES = ("textual", "textual_fastdatatable", "rich")


def query_modules() -> list[str]:
    """Every module of every built-in plugin but its screen (``panel.py``, ``widgets/``)."""
    out = []
    for d in PLUGIN_DIRS:
        if d.parent.name != "plugins":
            continue
        for path in sorted(d.rglob("*.py")):
            parts = list(path.relative_to(d).with_suffix("").parts)
            if parts[0] in ("panel", "widgets"):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out.append(".".join([d.name, *parts]))
    return out


def test_every_query_module_of_every_plugin_and_the_transfer_import_no_screen_library():
    # Harlequin's import-hygiene test: in a fresh interpreter, import every plugin module that is
    # not its screen, and the host's import/export, then look at what got imported with them.
    import fazhi_tui.transfer as transfer

    transfer_modules = ["fazhi_tui.transfer"] + [
        f"fazhi_tui.transfer.{p.stem}"
        for p in sorted(Path(transfer.__file__).parent.glob("*.py"))
        if p.stem != "__init__"
    ]
    modules = query_modules() + transfer_modules
    assert {"fazhi_hotline.headline", "fazhi_hotline.open_list", "fazhi_grid.queries"} <= set(modules)
    code = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {modules!r}:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {SCREEN_LIBRARIES!r})
        assert not loaded, loaded
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
