"""Drafting the annual report: the year's text from the store with live figures, plus any plugin's
own sections, as Markdown (and, through ``docx``, as a .docx).

No Textual here: ``fazhi-tui report`` runs this without a screen. Figures and sections are built
with the context the dashboard would give their plugin (the report's year, the whole town, the
user's role), so the store's views mask personal information exactly as they do on screen.

A figure without data and a section that raises cost only themselves: each is a visible gap
(【缺：…】) in its place, listed in ``Report.gaps``, and ``Report.complete`` turns false so the
CLI exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..context import Context
from ..contrib import REPORT_PARTS, ReportSection
from ..period import Period
from ..plugins import Contribution, PluginHost, describe_exception
from ..store import Store
from .document import STATUTORY_PARTS, Document, load_document
from .figures import FigureBook
from .template import GAP_CLOSE, GAP_OPEN, Gap, RenderedBlock, RenderedDocument, Span, render_blocks

# The seed report's own headings for its four parts (seed-report-2023.txt); the statutory fifth
# (《法治政府建设与责任落实督察工作规定》) is written only when a section belongs to it.
PART_TITLES = {
    "一": "落实党政负责人履行推进法治建设第一责任人情况",
    "二": "主要举措及成效",
    "三": "存在的不足、原因和问题整改情况",
    "四": "下一步计划",
    "五": REPORT_PARTS["五"],
}
DIGITS = "〇一二三四五六七八九"

# Years a report may be drafted for: those a Period handles, and none after the current one.
MIN_YEAR = 1900
GAP = "【缺】"
DEFAULT_COUNTY = "宝丰县"


class ReportYearError(ValueError):
    """A year the report cannot be drafted for; the message is for people."""


def default_year(today: dt.date) -> int:
    """The year just ended: annual reports cover the previous year and are published by 1 April
    of the next (DOMAIN.md §2)."""
    return today.year - 1


def parse_year(text: str | None, today: dt.date) -> int:
    """The report's year from ``--year`` (None: the default), checked against ``today``."""
    if text is None:
        return default_year(today)
    value = text.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise ReportYearError(f"--year 应为四位数的年份（如 {default_year(today)}），实为 “{text}”")
    year = int(value)
    if year > today.year:
        raise ReportYearError(f"{year}年尚未开始（今日为 {today}），无法起草该年度的报告")
    if year < MIN_YEAR:
        raise ReportYearError(f"年份 {year} 超出范围（{MIN_YEAR}—{today.year}）")
    return year


@dataclass(frozen=True)
class BuiltSection:
    plugin: str
    section: ReportSection
    paragraphs: tuple[str, ...] = ()
    error: str | None = None  # in Chinese, when ``build`` raised or returned something unusable


@dataclass
class Report:
    """A year's report: the stored text (or its copy, or the default) with every figure filled,
    and the plugins' own sections placed at the end of their parts."""

    town: str
    year: int
    today: dt.date
    document: Document
    rendered: RenderedDocument
    sections: list[BuiltSection] = field(default_factory=list)
    # Failures not tied to one section: a plugin that failed to load, or whose hook raised or
    # returned records the host refused. Their sections, if any, are missing.
    plugin_problems: list[str] = field(default_factory=list)

    @property
    def figure_gaps(self) -> list[Gap]:
        return self.rendered.gaps

    @property
    def gaps(self) -> list[str]:
        """Every gap and failure, one line each, for the terminal."""
        out = [f"缺指标 {g.line()}" for g in self.rendered.gaps]
        out += [f"缺报告部分“{p}、{STATUTORY_PARTS[p]}”" for p in self.document.missing_parts()]
        out += self.problems
        out += [
            f"章节“{b.section.title}”（插件 {b.plugin}，{b.section.name}）生成失败：{b.error}"
            for b in self.sections
            if b.error
        ]
        return out

    @property
    def problems(self) -> list[str]:
        """Plugins that failed to load or to give their figures or sections, each once."""
        return list(dict.fromkeys([*self.rendered.notes, *self.plugin_problems]))

    @property
    def complete(self) -> bool:
        return not self.gaps

    @property
    def title(self) -> str:
        return "".join(self.rendered.title_lines[-1:]) or f"关于{self.year}年法治政府建设情况的报告"

    def blocks(self) -> list[RenderedBlock]:
        """The document's blocks with each plugin section after the last block of its part
        (numbered on from the part's own （一）（二）…); a part no block has is added at the end."""
        out = list(self.rendered.blocks)
        for part, items in self._sections_by_part().items():
            ends = [i for i, b in enumerate(out) if b.part == part]
            if not ends:
                out.append(RenderedBlock("heading1", part, "", (Span(f"{part}、{PART_TITLES[part]}"),)))
                ends = [len(out) - 1]
            at = ends[-1] + 1
            n = sum(1 for b in out if b.part == part and (b.kind == "heading2" or b.lead))
            extra: list[RenderedBlock] = []
            for built in items:
                n += 1
                extra.append(
                    RenderedBlock("heading2", part, "", (Span(f"（{chinese_number(n)}）{built.section.title}"),))
                )
                if built.error is not None:
                    gap = Span(
                        f"{GAP_OPEN}章节“{built.section.title}”（插件 {built.plugin}）{GAP_CLOSE}", gap=built.error
                    )
                    extra.append(RenderedBlock("paragraph", part, "", (gap,)))
                for paragraph in built.paragraphs:
                    extra.append(RenderedBlock("paragraph", part, "", (Span(paragraph),)))
            out[at:at] = extra
        return out

    def _sections_by_part(self) -> dict[str, list[BuiltSection]]:
        by_part: dict[str, list[BuiltSection]] = {}
        for built in sorted(self.sections, key=lambda b: b.section.order):  # stable: load order
            if built.paragraphs or built.error is not None:
                by_part.setdefault(built.section.part, []).append(built)
        return by_part

    def markdown(self) -> str:
        lines: list[str] = []
        for block in self.blocks():
            text = block.text
            if block.kind == "title":
                lines += [f"# {text}", ""]
                continue
            if block.kind == "heading1":
                lines += [f"## {text}", ""]
            elif block.kind == "heading2":
                lines += [f"### {text}", ""]
            else:
                lines += [(f"**{block.lead}**" if block.lead else "") + text, ""]
        notes = [f"> {GAP_OPEN}插件{GAP_CLOSE}{p}" for p in self.problems]
        if self.year >= self.today.year:
            notes.insert(0, f"> 草稿：{self.year}年尚未结束，数字截至 {self.today}。")
        at = _after_title(lines)
        for note in reversed(notes):
            lines[at:at] = [note, ""]
        return "\n".join(lines).rstrip("\n") + "\n"


def _after_title(lines: list[str]) -> int:
    i = 0
    while i < len(lines) and (lines[i].startswith("# ") or lines[i] == ""):
        i += 1
    return i


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三: how （一）-style headings count (below 100)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def one_line(text: str) -> str:
    """An error message on one line, so it stays inside its Markdown quote (DuckDB's span several)."""
    return " ".join(text.split())


def issuer(town: str) -> str:
    """Who issues the report: a 乡/镇's 人民政府, a 街道's 办事处."""
    if town.endswith("人民政府") or town.endswith("办事处"):
        return town
    return f"{town}办事处" if town.endswith("街道") else f"{town}人民政府"


def report_context(store: Store, cfg: Config, plugin: str, year: int, today: dt.date) -> Context:
    """The context a plugin's section is built in: as the dashboard makes one for that plugin,
    for the report's year and the whole town."""
    return Context(
        store=store,
        period=Period.year(year),
        today=today,
        grid=None,
        user=store.user,
        role=store.access.role_label,
        town=cfg.town,
        settings=cfg.plugin_settings(plugin),
    )


def _paragraphs(value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(p, str) for p in value):
        raise TypeError(f"build 应返回字符串列表，实为 {value!r:.120}")
    return tuple(p.strip() for p in value if p.strip())


def build_sections(
    host: PluginHost, sections: Iterable[Contribution], store: Store, cfg: Config, year: int, today: dt.date
) -> list[BuiltSection]:
    """Each section built once, in load order; a section that raises becomes an error."""
    out = []
    for contrib in sections:
        section: ReportSection = contrib.value
        ctx = report_context(store, cfg, contrib.plugin, year, today)
        try:
            out.append(BuiltSection(contrib.plugin, section, _paragraphs(section.build(ctx))))
        except Exception as exc:  # noqa: BLE001  (one plugin's failure must not stop the report)
            message = one_line(describe_exception(exc))
            host.record_error(contrib.plugin, f"报告章节 {section.name} 出错：{message}")
            out.append(BuiltSection(contrib.plugin, section, error=message))
    return out


def collect_sections(host: PluginHost) -> tuple[list[Contribution], list[str]]:
    """Every plugin's report sections, and the failures that may have cost the report some:
    plugins that did not load, and what the host recorded while calling the hook (it raised,
    returned something else than sections, or a name already taken)."""
    before = {name: len(info.errors) for name, info in host.infos.items()}
    sections = host.contributions("fazhi_report_sections")
    problems = []
    for name, info in host.infos.items():
        if info.status == "failed":
            reason = "；".join(info.errors) or "未知原因"
            problems.append(one_line(f"插件 {name} 未能加载，其报告章节（如有）未包含在内：{reason}"))
            continue
        for error in info.errors[before.get(name, 0) :]:
            problems.append(one_line(f"插件 {name} 的报告章节未能全部加载：{error}"))
    return sections, problems


def assemble(
    host: PluginHost, store: Store, cfg: Config, year: int, today: dt.date, book: FigureBook | None = None
) -> Report:
    """The report for ``year``: the year's text with its figures filled, and every plugin's
    sections built and placed by part (see ``Report.blocks``)."""
    book = book or FigureBook.load(host, store, cfg, year, today)
    document = load_document(store, year)
    rendered = render_blocks(document.blocks, book, county_of(cfg))
    sections, problems = collect_sections(host)
    built = build_sections(host, sections, store, cfg, year, today)
    return Report(cfg.town, year, today, document, rendered, built, problems)


def county_of(cfg: Config) -> str:
    return getattr(cfg, "county", None) or DEFAULT_COUNTY


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, flushed and then
    renamed over it, so a failure leaves the old file (or none), never half a report."""
    path = Path(path)
    if path.is_dir():  # before a temporary file lands beside it, in the parent folder
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 lets the umask decide the mode, as for every file the program writes.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_error(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be written, in Chinese for the usual causes."""
    reasons = {
        errno.ENOENT: f"目录 {Path(path).parent} 不存在",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EISDIR: "这是一个目录",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "文件系统只读",
    }
    reason = reasons.get(exc.errno) if exc.errno is not None else None
    return f"无法写入 {path}：{reason or exc.strerror or str(exc)}"


__all__ = [
    "BuiltSection",
    "PART_TITLES",
    "Report",
    "ReportYearError",
    "assemble",
    "default_year",
    "parse_year",
    "report_context",
    "write_atomic",
    "write_error",
]
