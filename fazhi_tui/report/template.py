"""The report's text: placeholders for figures, and the document of a year as blocks.

A paragraph is text with figure placeholders: ``{name}`` writes the figure exactly ("23个"),
``{name~}`` approximately ("100余件", DOMAIN.md §1), ``{name|条}`` with another unit than the
figure's (the seed's own word), ``{name:cn}`` in Chinese numerals ("两名"). Builtin words come from
the report's year and the config: ``{year}``, ``{next_year}``, ``{town}``, ``{county}``, ``{issuer}``.
A placeholder whose figure has no data, whose plugin failed or is not installed is a visible gap
``【缺：label】`` in every output; a name nobody knows is refused when the text is saved.

No Textual and no store here: ``document`` keeps the blocks in the store; ``render`` turns blocks
and a ``FigureBook`` into text with spans the Markdown, the .docx and the preview all use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .figures import FigureBook, phrase_value

PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_]*)(~)?(?::(cn))?(?:\|([^{}|]*))?\}")
BUILTINS = ("year", "next_year", "town", "county", "issuer")
GAP_OPEN, GAP_CLOSE = "【缺：", "】"

# Figures the default template quotes whose plugins may not be installed (the ledgers), with the
# label a gap shows until they are: the names agreed in TEAM.md's table. A template may use them
# without being refused; they are gaps until a plugin contributes them.
EXPECTED_FIGURES: dict[str, str] = {
    "training_led_study": "书记、镇长带头领学次数",
    "training_seminars": "专题研讨次数",
    "training_lectures": "普法宣讲次数",
    "training_sessions": "法治培训次数",
    "training_legal_services": "法律服务进企业、进校园、进村活动次数",
    "training_exams": "学法考试次数",
    "enforcement_stall_actions": "整治乱摆乱卖次数",
    "enforcement_dissuaded": "劝阻违法行为宗数",
    "ledger_surveys": "法治建设调研次数",
    "ledger_special_meetings": "法治建设专题会议次数",
    "ledger_party_meetings": "党委会次数",
    "ledger_party_matters": "党委会讨论大事项数",
    "ledger_publicity_systems": "普法用法制度机制数",
    "ledger_inspections": "普法专项督查次数",
    "ledger_issues_closed": "整改销号问题数",
    "ledger_publicity_items": "宣传牌、横幅标语条数",
    "ledger_volunteer_visits": "“平安来敲门”志愿者服务次数",
    "ledger_counsel_decisions": "法律顾问参与重大行政决策讨论次数",
    "ledger_counsel_contracts": "法律顾问参与重要合同讨论、谈判次数",
    "ledger_counsel_litigation": "法律顾问提供意见的民事应诉案件数",
    "ledger_livelihood_topics": "发布热点民生话题条数",
    "ledger_disclosure_times": "公开政务信息次数",
    "ledger_disclosure_items": "公开政务信息条数",
    "ledger_integrity_education": "廉政警示教育活动次数",
    "ledger_problems_found": "排查出的突出问题条数",
    "ledger_work_systems": "完善的工作制度项数",
    "ledger_demands_resolved": "收集化解群众诉求条数",
    "ledger_model_villages_county": "县级民主法治示范村数",
    "ledger_model_villages_national": "国家级民主法治示范村数",
    "ledger_model_villages_provincial": "省级民主法治示范村数",
    "ledger_model_villages_city": "市级民主法治示范村数",
}

CN_DIGITS = "零一二三四五六七八九"


def chinese_count(n: int) -> str:
    """How a count reads in words: 2 → 两 (两名), 12 → 十二, 23 → 二十三; 100 and over in digits."""
    if n == 2:
        return "两"
    if not 0 <= n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    head = "十" if tens == 1 else CN_DIGITS[tens] + "十"
    return head + (CN_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class Placeholder:
    name: str
    approx: bool = False
    words: bool = False  # {name:cn}
    unit: str | None = None  # {name|条}; None: the figure's own
    start: int = 0
    end: int = 0

    @property
    def source(self) -> str:
        return (
            "{"
            + self.name
            + ("~" if self.approx else "")
            + (":cn" if self.words else "")
            + (f"|{self.unit}" if self.unit is not None else "")
            + "}"
        )


def placeholders(text: str) -> list[Placeholder]:
    """Every figure placeholder of ``text`` in order (builtins such as ``{year}`` included)."""
    return [
        Placeholder(m.group(1), bool(m.group(2)), bool(m.group(3)), m.group(4), m.start(), m.end())
        for m in PLACEHOLDER_RE.finditer(text)
    ]


def figure_names(text: str) -> list[str]:
    return [p.name for p in placeholders(text) if p.name not in BUILTINS]


class UnknownFigureError(ValueError):
    """A paragraph names a figure nobody contributes; the message offers the known ones."""

    def __init__(self, unknown: list[str], known: Mapping[str, str]):
        self.unknown = unknown
        self.known = dict(known)
        offered = "、".join(f"{label}（{name}）" for name, label in list(known.items())[:60])
        super().__init__(f"未知的指标：{'、'.join(unknown)}。可用的指标：{offered}")


def known_figures(book: FigureBook) -> dict[str, str]:
    """Every name a paragraph may use, with its Chinese label: the loaded plugins' figures, then
    the figures the default template expects from plugins that are not installed yet."""
    out = {name: fig.label for name, (_plugin, fig) in book.figures.items()}
    for name, label in EXPECTED_FIGURES.items():
        out.setdefault(name, label)
    return out


def check_text(text: str, book: FigureBook) -> None:
    """Refuse a text that names an unknown figure (``UnknownFigureError``) or has a brace that is
    not a placeholder (a typo such as ``{grid_count`` would otherwise print as it is)."""
    known = known_figures(book)
    unknown = [n for n in figure_names(text) if n not in known]
    if unknown:
        raise UnknownFigureError(list(dict.fromkeys(unknown)), known)
    rest = PLACEHOLDER_RE.sub("", text)
    if "{" in rest or "}" in rest:
        raise ValueError("文中有不成对的花括号；指标请写作 {指标名}、{指标名~}（约数）或 {指标名|单位}")


# -- rendering --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    """A piece of rendered text: plain, or a figure (``figure`` set), or a gap (``gap`` set)."""

    text: str
    figure: str | None = None
    gap: str | None = None  # why the figure could not be written, in Chinese
    label: str = ""
    approx: bool = False  # the placeholder asked for an approximate figure ({name~})


@dataclass(frozen=True)
class Gap:
    block: int  # index in the document's blocks
    figure: str
    label: str
    reason: str

    def line(self) -> str:
        return f"{self.label}（{self.figure}）：{self.reason}"


@dataclass(frozen=True)
class RenderedBlock:
    kind: str
    part: str
    lead: str
    spans: tuple[Span, ...]
    position: int = 0

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass
class RenderedDocument:
    year: int
    blocks: list[RenderedBlock] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # other problems: plugins that failed …

    @property
    def title_lines(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "title"]


def builtin_words(book: FigureBook, county: str) -> dict[str, str]:
    from .assemble import issuer

    return {
        "year": str(book.year),
        "next_year": str(book.year + 1),
        "town": book.cfg.town,
        "county": county,
        "issuer": issuer(book.cfg.town),
    }


def render_text(text: str, book: FigureBook, words: Mapping[str, str]) -> tuple[list[Span], list[tuple[str, str, str]]]:
    """``text`` with its placeholders filled: spans, and (figure, label, reason) for each gap."""
    spans: list[Span] = []
    gaps: list[tuple[str, str, str]] = []
    at = 0
    known = None
    for p in placeholders(text):
        if p.start > at:
            spans.append(Span(text[at : p.start]))
        at = p.end
        if p.name in BUILTINS:
            spans.append(Span(words[p.name]))
            continue
        value = book.value(p.name)
        if value is None:
            known = known if known is not None else known_figures(book)
            label = known.get(p.name, p.name)
            failed = next((pl for pl in book.failed_plugins if p.name.startswith(pl.removeprefix("fazhi_"))), None)
            if failed is not None:
                reason = f"插件 {failed} 未能加载"
            elif p.name in known:
                reason = "提供该指标的插件未安装"
            else:
                reason = "未知的指标"
        elif value.error is not None:
            label, reason = value.label, f"插件 {value.plugin} 计算出错：{value.error}"
        elif value.value is None:
            label, reason = value.label, f"{book.year}年无数据"
        else:
            unit = value.unit if p.unit is None else p.unit
            number = value.value
            if p.words and float(number).is_integer():
                shown = f"{chinese_count(int(number))}{unit}"
            else:
                shown = phrase_value(number, unit, approximate=p.approx)
            spans.append(Span(shown, figure=p.name, label=value.label, approx=p.approx))
            continue
        spans.append(Span(f"{GAP_OPEN}{label}{GAP_CLOSE}", figure=p.name, gap=reason, label=label, approx=p.approx))
        gaps.append((p.name, label, reason))
    if at < len(text):
        spans.append(Span(text[at:]))
    return spans, gaps


def render_blocks(blocks: Iterable[Block], book: FigureBook, county: str) -> RenderedDocument:
    words = builtin_words(book, county)
    doc = RenderedDocument(book.year, notes=list(book.problems))
    for block in blocks:
        spans, gaps = render_text(block.text, book, words)
        index = len(doc.blocks)
        doc.blocks.append(RenderedBlock(block.kind, block.part, block.lead, tuple(spans), block.position))
        doc.gaps += [Gap(index, name, label, reason) for name, label, reason in gaps]
    return doc


@dataclass(frozen=True)
class Block:
    """One block of a year's report as stored: title line, heading (一、 or （一）) or paragraph."""

    kind: str  # title, heading1, heading2, paragraph
    part: str  # 一 … 五, "" before the first part
    lead: str  # a paragraph's run-in heading, or ""
    text: str
    position: int = 0
    rev: int | None = None  # the stored revision; None: not stored yet (a copy or the default)
    changed_at: dt.datetime | None = None
    changed_by: str = ""


KINDS = ("title", "heading1", "heading2", "paragraph")


__all__ = [
    "BUILTINS",
    "Block",
    "EXPECTED_FIGURES",
    "Gap",
    "KINDS",
    "Placeholder",
    "RenderedBlock",
    "RenderedDocument",
    "Span",
    "UnknownFigureError",
    "check_text",
    "chinese_count",
    "figure_names",
    "known_figures",
    "placeholders",
    "render_blocks",
    "render_text",
]
