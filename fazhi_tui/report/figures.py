"""Every plugin's figures, computed for a year: what ``fazhi-tui figures`` lists and the report quotes.

No Textual here. A figure is computed in the context its plugin would get on screen (the year,
the whole town or a grid, the user's role and the plugin's own settings), at most once per
``FigureBook``: a report quoting a figure twice, or the preview asking again, costs nothing more.
A figure whose ``compute`` raises costs only itself: its value is None and its ``error`` says why,
and the plugin's failure is recorded for ``fazhi-tui plugins``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..context import Context, Grid
from ..contrib import Figure
from ..period import Period
from ..plugins import PluginHost, describe_exception
from ..store import Store
from .phrasing import approx, exact

HOOK = "fazhi_figures"


def one_line(text: str) -> str:
    """An error message on one line (DuckDB's span several)."""
    return " ".join(text.split())


@dataclass(frozen=True)
class FigureValue:
    """One figure's value for a year (and grid): None with ``error`` None means no data."""

    name: str
    label: str
    unit: str
    plugin: str
    value: int | float | None
    error: str | None = None
    approx: bool = False
    table: str | None = None

    @property
    def missing(self) -> bool:
        return self.value is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "unit": self.unit,
            "plugin": self.plugin,
            "value": self.value,
            "approx": self.approx,
            "table": self.table,
            "error": self.error,
        }


def number_text(value: int | float) -> str:
    """A value as the report writes it: integers plainly, other numbers to one decimal (87.5)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(int(value))


def phrase_value(value: int | float, unit: str, *, approximate: bool) -> str:
    """``phrase_value(104, "件", approximate=True) == "100余件"``: DOMAIN.md §1 for counts; a
    non-integer value is always written as it is (an average score is not floored)."""
    if approximate and float(value).is_integer() and value >= 0:
        return approx(int(value), unit)
    if float(value).is_integer():
        return exact(int(value), unit)
    return f"{number_text(value)}{unit}"


@dataclass
class FigureBook:
    """The figures the plugins contribute, and their values for one year, computed on demand."""

    host: PluginHost
    store: Store
    cfg: Config
    year: int
    today: dt.date
    grid: Grid | None = None
    figures: dict[str, tuple[str, Figure]] = field(default_factory=dict)  # name -> (plugin, figure)
    problems: list[str] = field(default_factory=list)  # plugins that failed to give their figures
    failed_plugins: set[str] = field(default_factory=set)
    _values: dict[str, FigureValue] = field(default_factory=dict)

    @classmethod
    def load(
        cls, host: PluginHost, store: Store, cfg: Config, year: int, today: dt.date, grid: Grid | None = None
    ) -> FigureBook:
        book = cls(host, store, cfg, year, today, grid)
        book.figures, book.problems, book.failed_plugins = collect_figures(host)
        return book

    def for_year(self, year: int) -> FigureBook:
        """The same figures for another year (the preview shows the previous year's beside each)."""
        return FigureBook(
            self.host,
            self.store,
            self.cfg,
            year,
            self.today,
            self.grid,
            self.figures,
            self.problems,
            self.failed_plugins,
        )

    def context(self, plugin: str) -> Context:
        return Context(
            store=self.store,
            period=Period.year(self.year),
            today=self.today,
            grid=self.grid,
            user=self.store.user,
            role=self.store.access.role_label,
            town=self.cfg.town,
            settings=self.cfg.plugin_settings(plugin),
        )

    def names(self) -> list[str]:
        return list(self.figures)

    def known(self, name: str) -> bool:
        return name in self.figures

    def value(self, name: str) -> FigureValue | None:
        """The figure's value for the year; None for a name no loaded plugin contributes."""
        if name in self._values:
            return self._values[name]
        if name not in self.figures:
            return None
        plugin, fig = self.figures[name]
        error = None
        value: int | float | None = None
        try:
            raw = fig.compute(self.context(plugin))
            value = _checked(raw)
        except Exception as exc:  # noqa: BLE001  (one plugin's figure must not stop the report)
            error = one_line(describe_exception(exc))
            self.host.record_error(plugin, f"指标 {name} 出错：{error}")
        out = FigureValue(name, fig.label, fig.unit, plugin, value, error, fig.approx, fig.table)
        self._values[name] = out
        return out

    def values(self, names: Iterable[str] | None = None) -> list[FigureValue]:
        out = []
        for name in self.names() if names is None else names:
            v = self.value(name)
            if v is not None:
                out.append(v)
        return out

    def records(self, name: str) -> Any:
        """The rows behind a figure (a pyarrow Table), or None when its plugin gives none."""
        plugin, fig = self.figures[name]
        if fig.records is None:
            return None
        return fig.records(self.context(plugin))

    def label_of(self, name: str) -> str:
        return self.figures[name][1].label if name in self.figures else name


def _checked(raw: object) -> int | float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        # Decimals and numpy numbers are numbers too; anything else is the plugin's mistake.
        try:
            as_float = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise TypeError(f"compute 应返回数字或 None，实为 {raw!r:.80}") from None
        raw = int(as_float) if as_float.is_integer() else as_float
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    return raw


def collect_figures(host: PluginHost) -> tuple[dict[str, tuple[str, Figure]], list[str], set[str]]:
    """Every figure by name with its plugin; what went wrong collecting them (a plugin that did
    not load, a hook that raised, a record refused); and the plugins concerned."""
    before = {name: len(info.errors) for name, info in host.infos.items()}
    found = {c.value.name: (c.plugin, c.value) for c in host.contributions(HOOK)}
    problems: list[str] = []
    failed: set[str] = set()
    for name, info in host.infos.items():
        if info.status == "failed":
            reason = "；".join(info.errors) or "未知原因"
            problems.append(one_line(f"插件 {name} 未能加载，其指标（如有）无法计算：{reason}"))
            failed.add(name)
            continue
        new = [e for e in info.errors[before.get(name, 0) :] if HOOK in e]
        if new:
            failed.add(name)
            problems += [one_line(f"插件 {name} 的指标未能全部加载：{e}") for e in new]
    return found, problems, failed


__all__ = ["FigureBook", "FigureValue", "collect_figures", "number_text", "phrase_value"]
