"""The records plugins contribute through the hooks, one type per kind of contribution.

Each has a ``name`` unique within its kind (lowercase English, like table names); the host
refuses a second record with a name already taken and tells ``fazhi-tui plugins`` why. The
callables in them receive a ``Context`` and run off the UI thread, so they may query the store.
Nothing here imports Textual: the CLI and the report use these records without a screen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import Context

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# The parts of the annual report (《法治政府建设与责任落实督察工作规定》; the seed uses the first four).
REPORT_PARTS = {
    "一": "第一责任人履职情况",
    "二": "主要举措及成效",
    "三": "存在的不足、原因和问题整改情况",
    "四": "下一步计划",
    "五": "其他需要报告的情况",
}


@dataclass(frozen=True)
class LazyPanel:
    """A panel class named by its module, imported when the panel is first shown: a
    ``PanelSpec.factory`` that keeps the panel's module (and the Textual widgets it imports) out
    of start-up. Every built-in plugin's panel is given so: importing them all when the dashboard
    starts cost about 0.4 s before the first panel could show, for panels the user may never
    open. ``LazyPanel("my_plugin.panel", "DutyPanel")``; ``load()`` returns the class."""

    module: str
    attr: str

    def load(self) -> type:
        import importlib

        return getattr(importlib.import_module(self.module), self.attr)

    def __call__(self) -> Any:
        return self.load()()


@dataclass(frozen=True)
class PanelSpec:
    """A panel of the dashboard. ``factory()`` returns a new ``Panel`` (the class itself, or a
    ``LazyPanel`` naming it, which imports it only then); it is called when the panel is first
    shown. Panels are numbered 1, 2, … in ``order``; ``key`` may add one letter of its own."""

    name: str
    title: str  # 面板标题, short: it is listed in a 16-column sidebar
    factory: Callable[[], Any]
    order: int = 100
    key: str | None = None
    description: str = ""
    # A count shown beside the title in the panel list (the review's open items): ``badge(ctx)``
    # runs off the UI thread when the context changes and when a write lands; None shows nothing.
    badge: Callable[[Context], int | None] | None = None
    # Tables whose records this panel can show (``Panel.show_record``); the shell sends "open
    # record" requests for them here. Without any, a table's owning plugin's first panel is tried.
    record_tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSection:
    """A section of the annual report. ``build(ctx)`` returns its paragraphs for ``ctx.period``
    (the report's year), each a string; the report plugin places it in ``part`` by ``order``."""

    name: str
    part: str  # one of REPORT_PARTS: "一" … "五"
    title: str
    build: Callable[[Context], list[str]]
    order: int = 100


@dataclass(frozen=True)
class ReviewItem:
    """One thing that needs attention today (an overdue ticket, a missing duty roster…)."""

    title: str
    detail: str = ""
    due: dt.date | None = None
    grid: str | None = None  # grid code
    table: str | None = None  # where the record lives, with ``record_id``, so a panel can open it
    record_id: str | None = None
    overdue: bool = False


@dataclass(frozen=True)
class ReviewCheck:
    """A check for the daily review. ``find(ctx)`` returns the items that need attention on
    ``ctx.today`` in ``ctx.grid`` (the whole town when None)."""

    name: str
    title: str
    find: Callable[[Context], list[ReviewItem]]
    order: int = 100


@dataclass(frozen=True)
class PluginCheck:
    """A review check as the host hands it to the daily review (``ctx.review_checks``): the
    plugin that contributed it and that plugin's ``[plugin.<name>]`` settings, which its ``find``
    expects in ``ctx.settings``."""

    plugin: str
    check: ReviewCheck
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Command:
    """A command for the palette (and the CLI). ``run(ctx)`` does the work off the UI thread and
    returns a message to show, or None."""

    name: str
    title: str
    run: Callable[[Context], str | None]
    description: str = ""


@dataclass(frozen=True)
class GridFigure:
    """A figure per grid, for the map. ``compute(ctx)`` returns ``{grid code: value}`` for
    ``ctx.period`` over all grids (``ctx.grid`` is ignored).

    ``missing``: what a grid left out of that mapping shows — ``"none"`` (无数据, the default:
    the figure says nothing of it) or ``"zero"`` (a count that found nothing there). ``per_1000``:
    also offer the figure per 1,000 residents (每千人), for counts where a grid's size matters
    (tickets received), not for those where it makes no sense (overdue items)."""

    name: str
    label: str
    compute: Callable[[Context], Mapping[str, float]]
    unit: str = ""
    missing: str = "none"
    per_1000: bool = False


@dataclass(frozen=True)
class Figure:
    """A number the report (and anyone else) can quote, traceable to the records that make it.

    ``compute(ctx)`` returns the value for ``ctx.period`` and ``ctx.grid`` (the whole town when
    None): an ``int`` or ``float``, or ``None`` when there is no data to say anything (the report
    then shows a gap rather than a 0). ``records(ctx)`` returns the rows behind that value as a
    pyarrow Table, with the same filter, so a reader can check every number. ``table`` names the
    store table those rows come from (a panel that owns it can open a record). ``approx`` is the
    phrasing the report uses by default: exact, or two significant digits floored plus 余
    (DOMAIN.md §1); a report template may ask for either."""

    name: str
    label: str  # Chinese, as a picker lists it: "整治乱摆乱卖次数"
    unit: str  # 次, 件, 名, 个 …
    compute: Callable[[Context], float | int | None]
    records: Callable[[Context], Any] | None = None  # -> pyarrow.Table
    table: str | None = None
    approx: bool = False
    description: str = ""


GRID_MISSING = ("none", "zero")  # GridFigure.missing: a grid left out is 无数据, or 0


def check_record(record: Any) -> str | None:
    """What is wrong with a contributed record, in Chinese, or None."""
    if not NAME_RE.match(getattr(record, "name", "") or ""):
        return f"名称 {getattr(record, 'name', None)!r} 须为小写英文标识符（如 hotline_overdue）"
    if isinstance(record, ReportSection) and record.part not in REPORT_PARTS:
        return f"报告部分 {record.part!r} 未知（可选：{'、'.join(REPORT_PARTS)}）"
    if isinstance(record, PanelSpec):
        if record.key is not None and not (len(record.key) == 1 and record.key.isascii() and record.key.isalpha()):
            return f"面板 {record.name} 的按键 {record.key!r} 须为一个英文字母"
        if not callable(record.factory):
            return f"面板 {record.name} 的 factory 不可调用"
        if record.badge is not None and not callable(record.badge):
            return f"面板 {record.name} 的 badge 不可调用"
    if isinstance(record, GridFigure) and record.missing not in GRID_MISSING:
        return f"网格指标 {record.name} 的 missing 须为 {' 或 '.join(map(repr, GRID_MISSING))}，实为 {record.missing!r}"
    if isinstance(record, Figure):
        if not record.label or not isinstance(record.unit, str):
            return f"指标 {record.name} 须有中文名称（label）与单位（unit）"
        if record.records is not None and not callable(record.records):
            return f"{record.name} 的 records 不可调用"
    for attr in ("build", "find", "run", "compute"):
        if hasattr(record, attr) and not callable(getattr(record, attr)):
            return f"{record.name} 的 {attr} 不可调用"
    return None
