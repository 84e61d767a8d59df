"""``fazhi-tui new-plugin NAME``: a working plugin package to start from.

What it writes is the shape the guide (``plugins/README.md``) describes, small enough to read in
a minute: a table with a PII column, a code table and a row rule; one report figure; demo rows;
a panel that follows the period and the grid; tests on ``fazhi_tui.testing``; a README. Separate
from the CLI module because it is templates, not argument handling.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Names the host already uses for tables, modules or folders a plugin's would clash with.
_HOST_NAMES = {"grids", "people", "fazhi_tui", "fazhi_tui_plugins", "tests", "test", "plugins"}


class ScaffoldError(ValueError):
    """A name or folder that cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class Scaffold:
    name: str
    root: Path
    files: tuple[Path, ...]


def check_name(name: str) -> None:
    """Refuse a name that is not a lowercase identifier, or that is taken: a Python module that
    is importable, a plugin registered under it, or a table of the host."""
    if not _NAME_RE.match(name) or keyword.iskeyword(name) or name.endswith("_history"):
        raise ScaffoldError(f"插件名“{name}”不可用：须为小写英文标识符（字母开头，只含 a-z、0-9、_），如 petitions")
    if name in _HOST_NAMES or name.startswith("fazhi_tui"):
        raise ScaffoldError(f"插件名“{name}”已被本程序使用，请换一个")
    for ep in importlib.metadata.entry_points(group="fazhi_tui"):
        if ep.name == name:
            raise ScaffoldError(f"插件名“{name}”已被已安装的插件使用（{ep.value}），请换一个")
    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        found = None
    if found is not None:
        where = found.origin or "、".join(found.submodule_search_locations or [])
        raise ScaffoldError(f"插件名“{name}”与已有的 Python 模块重名（{where}），请换一个")


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part) + "Panel"


def write_plugin(name: str, directory: Path | None = None, *, label: str | None = None) -> Scaffold:
    """Write the plugin ``name`` into ``directory`` (default ``./name``), which must not exist or
    be empty. Returns what was written."""
    check_name(name)
    root = Path(directory) if directory is not None else Path.cwd() / name
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ScaffoldError(f"{root} 已存在且不是空目录，未写入")
    label = label or f"{name}台账"
    values = {"__NAME__": name, "__CLASS__": class_name(name), "__LABEL__": label, "__DIST__": name.replace("_", "-")}
    written = []
    for rel, template in TEMPLATES.items():
        path = root / rel.replace("__NAME__", name)
        text = template
        for key, value in values.items():
            text = text.replace(key, value)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), "utf-8")
        written.append(path)
    return Scaffold(name, root, tuple(written))


PYPROJECT = """
[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "__DIST__"
version = "0.1.0"
description = "fazhi-tui 插件：__LABEL__"
requires-python = ">=3.11"
dependencies = ["fazhi-tui"]

[project.optional-dependencies]
# fazhi-tui's test extra brings pytest and its public test helpers (fazhi_tui.testing).
test = ["fazhi-tui[test]"]

# How fazhi-tui finds the plugin once it is installed (pip install -e .).
[project.entry-points.fazhi_tui]
__NAME__ = "__NAME__"

[tool.hatch.build.targets.wheel]
packages = ["__NAME__"]

[tool.pytest.ini_options]
testpaths = ["tests"]
# The plugins the fazhi_env fixture loads into its demo store.
fazhi_plugins = ["__NAME__"]
"""

INIT = '''
"""__LABEL__: a fazhi-tui plugin. The hooks only; the table, figure and demo rows are in
``queries.py`` (no Textual), the screen in ``panel.py``. See fazhi-tui's plugins/README.md."""

from fazhi_tui.api import Figure, LazyPanel, PanelSpec, hookimpl

from . import queries

__version__ = "0.1.0"


@hookimpl
def fazhi_tables():
    return [queries.SPEC]


@hookimpl
def fazhi_panels():
    # panel.py (Textual) is imported only when the panel is first shown: start-up stays quick.
    panel = LazyPanel(f"{__name__}.panel", "__CLASS__")
    return [PanelSpec("__NAME__", "__LABEL__", panel, order=600, description="本期、本网格的记录")]


@hookimpl
def fazhi_figures():
    return [
        Figure(
            "__NAME___records",
            "__LABEL__记录",
            "条",
            queries.record_count,
            records=queries.record_rows,
            table=queries.TABLE,
        )
    ]


@hookimpl
def fazhi_demo_rows(store, today, seed):
    return {queries.TABLE: queries.demo_rows(store, today, seed)}
'''

QUERIES = '''
"""__LABEL__: the table, its figure and its demo rows. Imports nothing from Textual, so the CLI
and the report can use it without a screen."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from fazhi_tui.api import Column, Context, RowRule, Store, TableSpec, qident

TABLE = "__NAME__"
# Code tables: a column's allowed values (an office may override them in the config's [code_tables]).
KINDS = ("来访", "来信", "网上")
OPEN, CLOSED = STATUSES = ("办理中", "已办结")

SPEC = TableSpec(
    name=TABLE,
    label="__LABEL__",
    key="record_id",
    period_column="day",  # places a record in the period the dashboard shows
    grid_column="grid",  # places it in the grid picked with g
    columns=(
        Column("record_id", pa.string(), "编号", required=True),
        Column("day", pa.date32(), "日期", required=True),
        Column("kind", pa.string(), "类型", required=True, codes="__NAME___kind"),
        # Personal information: masked on screen and in exports for roles that may not see it,
        # and never part of the key.
        Column("person", pa.string(), "当事人", pii="name"),
        Column("phone", pa.string(), "联系电话", pii="phone"),
        # A grid by code, name or village (大黄村), stored as the code.
        Column("grid", pa.string(), "网格", ref="grids"),
        Column("status", pa.string(), "状态", required=True, codes="__NAME___status"),
        Column("closed_on", pa.date32(), "办结日期"),
        Column("content", pa.string(), "内容"),
    ),
    code_tables={"__NAME___kind": KINDS, "__NAME___status": STATUSES},
    # Checked on every write (import, forms, the API): true for a good row.
    rules=(
        RowRule("closed_has_date", f"status <> '{CLOSED}' OR closed_on IS NOT NULL", "closed_on", "已办结的须填写办结日期"),
        RowRule("closed_after_day", "closed_on >= day", "closed_on", "办结日期不能早于日期"),
    ),
    doc="__LABEL__，每件一条记录。",
)

LIST_COLUMNS = ("day", "kind", "person", "grid", "status", "content")
LIST_LIMIT = 1000


def records(ctx: Context) -> pa.Table:
    """The period's and grid's records for the panel, newest first, with grid names."""
    where, params = ctx.where(TABLE, alias="r")
    cols = ", ".join(f"r.{qident(c)}" for c in LIST_COLUMNS if c != "grid")
    table = ctx.query(
        f"SELECT {cols}, coalesce(g.name, '') AS grid FROM {qident(TABLE)} AS r "
        f"LEFT JOIN grids AS g ON g.code = r.grid WHERE {where} ORDER BY r.day DESC, r.record_id LIMIT ?",
        [*params, LIST_LIMIT],
    )
    return table.select(list(LIST_COLUMNS))


def record_rows(ctx: Context) -> pa.Table:
    """The rows behind ``record_count``: same period and grid, every column."""
    where, params = ctx.where(TABLE)
    return ctx.query(f"SELECT * FROM {qident(TABLE)} WHERE {where} ORDER BY day, record_id", params)


def record_count(ctx: Context) -> int | None:
    """Records in the period and grid; None when there are none (the report shows a gap, not 0)."""
    where, params = ctx.where(TABLE)
    n = ctx.query(f"SELECT count(*) FROM {qident(TABLE)} WHERE {where}", params).column(0)[0].as_py()
    return n or None


def demo_rows(store: Store, today: dt.date, seed: int) -> list[dict]:
    """About one record a week from 2022 to today, in the demo's grids; the same for the same
    ``today`` and ``seed``. Names and phones are made up."""
    rng = random.Random(seed)
    grids = [r["code"] for r in store.query("SELECT code FROM grids ORDER BY code").to_pylist()]
    rows = []
    day, n = dt.date(2022, 1, 3), 0
    while day <= today:
        n += 1
        closed = day + dt.timedelta(days=rng.randrange(1, 20))
        done = closed <= today and rng.random() < 0.8
        rows.append(
            {
                "record_id": f"{day:%Y%m%d}-{n:04d}",
                "day": day,
                "kind": rng.choice(KINDS),
                "person": rng.choice("张王李赵刘陈") + rng.choice(("伟", "芳", "军", "丽", "强", "敏")),
                "phone": f"13{rng.randrange(10**9):09d}",
                "grid": rng.choice(grids) if grids else None,
                "status": CLOSED if done else OPEN,
                "closed_on": closed if done else None,
                "content": f"示例记录 {n}",
            }
        )
        day += dt.timedelta(days=rng.randrange(3, 11))
    return rows
'''

PANEL = '''
"""__LABEL__'s screen: how many records the period and grid have, and the records."""

from __future__ import annotations

import pyarrow as pa
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from fazhi_tui.api import Context, Panel, RecordTable

from . import queries


class __CLASS__(Panel):
    DEFAULT_CSS = """
    __CLASS__ #__NAME__-summary { height: auto; margin-bottom: 1; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static("", id="__NAME__-summary")
        yield RecordTable(empty_text="本期没有记录")

    def load(self, ctx: Context) -> tuple[str, pa.Table]:
        # In a worker thread: query here, never in show().
        n = queries.record_count(ctx) or 0
        return f"{ctx.period.label} · {ctx.grid_label}：{n} 条", queries.records(ctx)

    async def show(self, data: tuple[str, pa.Table]) -> None:
        summary, table = data
        self.query_one("#__NAME__-summary", Static).update(Text(summary))  # text, never markup
        labels = {c.name: c.label for c in queries.SPEC.columns}
        await self.query_one(RecordTable).show_arrow(table, labels)
'''

TESTS = '''
"""Tests of __NAME__ on fazhi-tui's public test helpers (``fazhi_tui.testing``, a pytest plugin
fazhi-tui's test extra installs): a demo store with this plugin loaded (``fazhi_plugins`` in
pyproject.toml), contexts, and the dashboard under Textual's pilot. ``async def`` tests just run."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_tui.api import ValidationError
from fazhi_tui.testing import open_panel, run_app, set_view, text_of

from __NAME__ import queries


def test_the_demo_has_rows_and_the_plugin_loaded(fazhi_env):
    assert fazhi_env.failures == {}
    assert fazhi_env.store.count(queries.TABLE) > 0


def test_the_figure_counts_the_period_and_the_grid(fazhi_context, fazhi_store):
    def by_hand(year, grid=None):
        sql = f"SELECT count(*) AS n FROM {queries.TABLE} WHERE year(day) = ?" + (" AND grid = ?" if grid else "")
        return fazhi_store.query(sql, [year, grid] if grid else [year]).to_pylist()[0]["n"] or None

    assert queries.record_count(fazhi_context(2025)) == by_hand(2025)
    grid = fazhi_store.query(f"SELECT grid FROM {queries.TABLE} WHERE grid IS NOT NULL LIMIT 1").to_pylist()[0]["grid"]
    assert queries.record_count(fazhi_context(2025, grid=grid)) == by_hand(2025, grid)
    assert queries.record_count(fazhi_context(2019)) is None  # no data: None, not 0


def test_a_closed_record_needs_its_date(fazhi_store):
    row = {"record_id": "T1", "day": dt.date(2026, 1, 5), "kind": queries.KINDS[0], "status": queries.CLOSED}
    with pytest.raises(ValidationError, match="办结日期"):
        fazhi_store.append(queries.TABLE, [row])


async def test_the_panel_follows_the_period_and_the_grid(fazhi_env):
    async with run_app(fazhi_env, period="2025") as pilot:
        panel = await open_panel(pilot, "__NAME__")
        summary = panel.query_one("#__NAME__-summary")
        assert text_of(summary).startswith("2025年 · 全镇")
        await set_view(pilot, period="2024Q2", grid="大黄村网格")
        assert text_of(summary).startswith("2024年第二季度 · 大黄村网格")
'''

README = """
# __NAME__ — __LABEL__

A fazhi-tui plugin made with `fazhi-tui new-plugin __NAME__`. Read fazhi-tui's plugin guide
(`plugins/README.md`) beside it.

- `__NAME__/__init__.py` — the hooks: the table, the panel, a report figure, demo rows.
- `__NAME__/queries.py` — the table (`SPEC`: a PII column, code tables, row rules), the queries
  and the demo rows; no Textual.
- `__NAME__/panel.py` — the panel: a count and the records of the period and grid on screen.
- `tests/test___NAME__.py` — tests on `fazhi_tui.testing`.

Try it:

```sh
pip install -e '.[test]'        # in the environment fazhi-tui runs in
pytest                          # the plugin's tests
fazhi-tui demo --store /tmp/__NAME__-demo --force
fazhi-tui --store /tmp/__NAME__-demo    # the panel 「__LABEL__」
fazhi-tui plugins               # loaded, from where, which hooks
```
"""

TEMPLATES: dict[str, str] = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    "__NAME__/__init__.py": INIT,
    "__NAME__/queries.py": QUERIES,
    "__NAME__/panel.py": PANEL,
    "tests/test___NAME__.py": TESTS,
}
