"""Small real stores and apps for the shell and plugin tests (hand-made rows, so the screens do
not change when the demo does). Waiting on workers, running ``async def`` tests and reading a
widget's text come from the public ``fazhi_tui.testing``, as a plugin's tests get them."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable
from pathlib import Path

from fazhi_tui.config import Config
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
USER = "测试员"

GRIDS = [
    {"code": "41042110820101", "name": "赵庄村网格", "kind": "综合", "village": "赵庄村"},
    {"code": "41042110820201", "name": "大黄村网格", "kind": "综合", "village": "大黄村"},
    {"code": "41042110820301", "name": "周营村网格", "kind": "综合", "village": "周营村"},
]


def shift(day: str, n: int = 1, grid: str | None = None, kind: str = "工作日值班", person: str = "张三") -> dict:
    return {"shift_id": f"{day}-{n}", "day": dt.date.fromisoformat(day), "kind": kind, "person": person, "grid": grid}


# Four shifts in 2026 (two in 周营村), two in 2025, one in 2024.
SHIFTS = [
    shift("2026-11-26", person="李四"),
    shift("2026-11-28", kind="周末值班"),
    shift("2026-11-28", 2, grid="41042110820301", kind="周末值班"),
    shift("2026-03-02", grid="41042110820301"),
    shift("2025-06-01", kind="周末值班"),
    shift("2025-12-31"),
    shift("2024-05-05", kind="周末值班"),
]


def write_plugin(folder: Path, name: str, source: str, files: dict[str, str] | None = None) -> Path:
    """A folder plugin: ``name.py``, or a package ``name/`` when ``files`` are given."""
    folder.mkdir(parents=True, exist_ok=True)
    if files is None:
        (folder / f"{name}.py").write_text(textwrap.dedent(source), "utf-8")
    else:
        package = folder / name
        package.mkdir()
        (package / "__init__.py").write_text(textwrap.dedent(source), "utf-8")
        for file, text in files.items():
            (package / file).write_text(textwrap.dedent(text), "utf-8")
    return folder


def open_store(
    root: Path,
    *,
    plugin_dirs: Iterable[Path] = (EXAMPLES,),
    only: Iterable[str] | None = None,
    shifts: list[dict] | None = None,
    config: Config | None = None,
) -> tuple[PluginHost, Store]:
    plugin_dirs = list(plugin_dirs)
    if only is None:
        # Of the built-in plugins only the overview, so these screens do not change as more
        # built-in panels land; every plugin in the given folders.
        only = ["fazhi_overview"] + [p.stem for d in plugin_dirs if d.is_dir() for p in d.iterdir()]
    host = PluginHost.load(only=only, plugin_dirs=plugin_dirs)
    store = Store.open(root, table_specs(host, config or Config()), create=True, user=USER)
    store.append("grids", GRIDS)
    if "duty_shifts" in store.specs:
        store.append("duty_shifts", SHIFTS if shifts is None else shifts)
    return host, store


def make_app(tmp_path: Path, *, config: Config | None = None, **kwargs):
    from fazhi_tui.ui.app import FazhiApp

    config = config or Config()
    host, store = open_store(tmp_path / "store", config=config, **kwargs)
    return FazhiApp(config, host, store)


# Kept for branches written before the public helpers: new tests import from fazhi_tui.testing
# (whose pytest plugin runs ``async def`` tests without a decorator).
from fazhi_tui.testing import settle, text_of  # noqa: E402,F401


def async_test(test):
    """Run an ``async def`` test with asyncio (no longer needed: fazhi_tui.testing runs them)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run
