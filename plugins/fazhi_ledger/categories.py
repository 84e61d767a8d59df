"""The ledger's categories (类别): a code table with a unit and a meaning per category, shipped as
data (``categories.toml`` beside this file) and overridden or extended by the office's config
(``[plugin.fazhi_ledger.categories]``). Separate because the table, the figures, the panel and
the review all follow the categories in force, and the config is checked here. No Textual.

Each category has figures (``FigureDef``): what counts (records, sum of 数量, closed, by 级别, by
事项 kind), a name the report quotes, a Chinese label and a unit.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFAULTS_FILE = Path(__file__).with_name("categories.toml")
SETTINGS = "[plugin.fazhi_ledger]"

RECORDS, QUANTITY, CLOSED, LEVEL, KIND = "records", "quantity", "closed", "level", "kind"
COUNTS = {
    RECORDS: "记录条数",
    QUANTITY: "数量之和",
    CLOSED: "已销号条数",
    LEVEL: "按级别的条数",
    KIND: "按事项类别的条数",
}
# 级别 and the suffix of each level's figure name (ledger_model_villages_county …).
LEVELS = {"国家级": "national", "省级": "provincial", "市级": "city", "县级": "county"}

# The form's fields by the Chinese labels offices write in ``fields`` (the table's headers).
FIELD_LABELS = {
    "日期": "date",
    "事项": "title",
    "数量": "quantity",
    "网格": "grid",
    "级别": "level",
    "责任人": "person",
    "期限": "due",
    "完成日期": "done_date",
    "状态": "status",
    "备注": "note",
}

_FIGURE_NAME = re.compile(r"^ledger_[a-z0-9_]+$")
_CATEGORY_KEYS = {
    "unit": "单位，如 次、条、个",
    "fields": '新增记录时先填的字段（表头名称列表，如 ["事项", "数量"]）',
    "grids": "是否按网格统计（true/false）",
    "doc": "说明",
    "target": "第一个指标的全年目标（数字）",
    "enabled": "false 停用此类别",
    "figures": '指标列表：[{ name = "ledger_…", label = …, counts = …, unit = … }]',
    # The short form for a category with one figure:
    "figure": "唯一指标的英文名（ledger_ 开头）",
    "label": "唯一指标的中文名（默认为类别名）",
    "counts": "唯一指标的口径：" + "、".join(COUNTS),
    "approx": "报告默认写作“××余”（true/false）",
    "kind": 'counts = "kind" 时事项所属的类别',
    "match": 'counts = "kind" 时事项中应含的词语列表',
    "cumulative": "计至期间末的全部记录（true/false）",
}
_FIGURE_KEYS = ("name", "label", "counts", "unit", "approx", "kind", "match", "cumulative", "target", "description")
_SETTINGS_KEYS = {"categories": "类别：[plugin.fazhi_ledger.categories.类别名]", "targets": "全年目标：指标名 = 数字"}


class CategoryError(ValueError):
    """Settings that cannot be used; the message names the key."""


@dataclass(frozen=True)
class FigureDef:
    """One figure of a category (a ``level`` figure is one per 级别)."""

    name: str
    label: str
    unit: str
    category: str
    counts: str
    approx: bool = False
    level: str | None = None  # counts == LEVEL: the 级别 counted
    match: tuple[str, ...] = ()  # counts == KIND: words of 事项
    cumulative: bool = False
    target: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Category:
    name: str
    unit: str
    fields: tuple[str, ...]  # column names, the form asks for them first
    grids: bool
    doc: str
    figures: tuple[FigureDef, ...]

    @property
    def closes(self) -> bool:
        """Whether its records are closed (销号): it has a ``closed`` figure, like 整改问题."""
        return any(f.counts == CLOSED for f in self.figures)

    @property
    def primary(self) -> FigureDef | None:
        return self.figures[0] if self.figures else None


@dataclass(frozen=True)
class Categories:
    """The categories in force, in order."""

    items: tuple[Category, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.items)

    def get(self, name: str) -> Category | None:
        return next((c for c in self.items if c.name == name), None)

    @property
    def figures(self) -> tuple[FigureDef, ...]:
        return tuple(f for c in self.items for f in c.figures)

    def figure(self, name: str) -> FigureDef | None:
        return next((f for f in self.figures if f.name == name), None)


# -- reading ---------------------------------------------------------------------------------------
def _where(category: str, key: str | None = None) -> str:
    path = f"[plugin.fazhi_ledger.categories.{category}]"
    return f"{path} 的 {key}" if key else path


def _expect(value: Any, types: type | tuple[type, ...], where: str, want: str) -> Any:
    types_ = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, types_) or (isinstance(value, bool) and bool not in types_):
        raise CategoryError(f"{where} 应为{want}，实为 {value!r}")
    return value


def _figures(category: str, data: Mapping[str, Any], unit: str, target: Any) -> tuple[FigureDef, ...]:
    if "figures" in data:
        if any(k in data for k in ("figure", "label", "counts", "kind", "match", "cumulative", "approx")):
            raise CategoryError(f"{_where(category)}：已有 figures 列表时不能再写 figure/label/counts 等单个指标的键")
        raw = _expect(data["figures"], list, _where(category, "figures"), "列表")
        specs = [_expect(f, dict, _where(category, f"figures 第 {i + 1} 项"), "表") for i, f in enumerate(raw)]
    elif "figure" in data:
        specs = [
            {k: data[k] for k in ("label", "counts", "kind", "match", "cumulative", "approx") if k in data}
            | {"name": data["figure"]}
        ]
    else:
        raise CategoryError(f'{_where(category)}：缺少 figure（指标的英文名，如 figure = "ledger_petitions"）')
    out: list[FigureDef] = []
    for i, spec in enumerate(specs):
        at = _where(category, f"figures 第 {i + 1} 项") if "figures" in data else _where(category)
        for key in spec:
            if key not in _FIGURE_KEYS:
                raise CategoryError(f"{at}：未知的设置项 “{key}”（可用：{'、'.join(_FIGURE_KEYS)}）")
        name = _expect(spec.get("name"), str, f"{at} 的 name" if "figures" in data else f"{at} 的 figure", "文本")
        if not _FIGURE_NAME.match(name):
            raise CategoryError(f"{at}：指标名 “{name}” 须为 ledger_ 开头的小写英文标识符，如 ledger_petitions")
        counts = _expect(spec.get("counts", RECORDS), str, f"{at} 的 counts", "文本")
        if counts not in COUNTS:
            raise CategoryError(
                f"{at}：counts “{counts}” 未知（可选：{'、'.join(f'{k}（{v}）' for k, v in COUNTS.items())}）"
            )
        label = _expect(spec.get("label", category), str, f"{at} 的 label", "文本")
        f_unit = _expect(spec.get("unit", unit), str, f"{at} 的 unit", "文本")
        approx = _expect(spec.get("approx", False), bool, f"{at} 的 approx", "true/false")
        cumulative = _expect(spec.get("cumulative", False), bool, f"{at} 的 cumulative", "true/false")
        f_target = spec.get("target", target if i == 0 else None)
        if f_target is not None:
            _expect(f_target, (int, float), f"{at} 的 target", "数字")
            if f_target <= 0:
                raise CategoryError(f"{at} 的 target 应为正数，实为 {f_target!r}")
        description = _expect(spec.get("description", ""), str, f"{at} 的 description", "文本")
        match: tuple[str, ...] = ()
        if counts == KIND:
            kind = _expect(spec.get("kind"), str, f"{at} 的 kind", '文本（counts = "kind" 时必填）')
            words = _expect(spec.get("match", [kind]), list, f"{at} 的 match", "文本列表")
            match = tuple(_expect(w, str, f"{at} 的 match", "文本列表") for w in words)
            if not all(w.strip() for w in match) or not match:
                raise CategoryError(f"{at} 的 match 不能为空")
        elif "kind" in spec or "match" in spec:
            raise CategoryError(f'{at}：kind 与 match 只用于 counts = "kind"')
        base = FigureDef(name, label, f_unit, category, counts, approx, None, match, cumulative, f_target, description)
        if counts == LEVEL:
            out += [
                replace(base, name=f"{name}_{suffix}", label=f"{level}{label}", level=level, target=None)
                for level, suffix in LEVELS.items()
            ]
        else:
            out.append(base)
    return tuple(out)


def parse_category(name: str, data: Mapping[str, Any]) -> Category:
    for key in data:
        if key not in _CATEGORY_KEYS:
            raise CategoryError(f"{_where(name)}：未知的设置项 “{key}”（可用：{'、'.join(_CATEGORY_KEYS)}）")
    if not name.strip() or name != name.strip():
        raise CategoryError(f"类别名 “{name}” 不能为空，首尾不能有空格")
    unit = _expect(data.get("unit", "条"), str, _where(name, "unit"), "文本")
    raw_fields = _expect(data.get("fields", ["事项"]), list, _where(name, "fields"), "表头名称列表")
    fields = []
    for f in raw_fields:
        if f not in FIELD_LABELS:
            raise CategoryError(
                f"{_where(name, 'fields')}：“{f}” 不是工作台账的字段（可用：{'、'.join(FIELD_LABELS)}）"
            )
        fields.append(FIELD_LABELS[f])
    grids = _expect(data.get("grids", False), bool, _where(name, "grids"), "true/false")
    doc = _expect(data.get("doc", ""), str, _where(name, "doc"), "文本")
    if "target" in data:
        _expect(data["target"], (int, float), _where(name, "target"), "数字")
        if data["target"] <= 0:
            raise CategoryError(f"{_where(name, 'target')} 应为正数，实为 {data['target']!r}")
    return Category(name, unit, tuple(fields), grids, doc, _figures(name, data, unit, data.get("target")))


def load_defaults() -> dict[str, dict[str, Any]]:
    return tomllib.loads(DEFAULTS_FILE.read_text("utf-8"))


def build(settings: Mapping[str, Any] | None = None) -> Categories:
    """The categories in force: the shipped ones, overridden and extended by ``settings`` (the
    plugin's config table). Raises ``CategoryError`` naming the key that is wrong."""
    settings = dict(settings or {})
    for key in settings:
        if key not in _SETTINGS_KEYS:
            raise CategoryError(f"{SETTINGS}：未知的设置项 “{key}”（可用：{'、'.join(_SETTINGS_KEYS)}）")
    merged = load_defaults()
    overrides = _expect(settings.get("categories", {}), dict, f"{SETTINGS} 的 categories", "表")
    for name, data in overrides.items():
        _expect(data, dict, _where(name), "表（[plugin.fazhi_ledger.categories.类别名]）")
        if name in merged:
            if "figures" in data or "figure" in data:
                # New figures replace the shipped ones (both forms at once would be ambiguous).
                base = {k: v for k, v in merged[name].items() if k not in ("figures", "figure")}
            else:
                base = dict(merged[name])
            merged[name] = {**base, **data}
        else:
            merged[name] = dict(data)
    items = []
    for name, data in merged.items():
        enabled = _expect(data.get("enabled", True), bool, _where(name, "enabled"), "true/false")
        if enabled:
            items.append(parse_category(name, {k: v for k, v in data.items() if k != "enabled"}))
    targets = _expect(settings.get("targets", {}), dict, f"{SETTINGS} 的 targets", "表（指标名 = 数字）")
    known = {f.name for c in items for f in c.figures}
    seen: dict[str, str] = {}
    for c in items:
        for f in c.figures:
            if f.name in seen:
                raise CategoryError(f"{_where(c.name)}：指标名 {f.name} 已由类别“{seen[f.name]}”使用")
            seen[f.name] = c.name
    for name, value in targets.items():
        if name not in known:
            raise CategoryError(f"{SETTINGS} 的 targets：没有名为 {name} 的指标（可用：{'、'.join(sorted(known))}）")
        _expect(value, (int, float), f"{SETTINGS} 的 targets.{name}", "数字")
        if value <= 0:
            raise CategoryError(f"{SETTINGS} 的 targets.{name} 应为正数，实为 {value!r}")
    if targets:
        items = [
            replace(c, figures=tuple(replace(f, target=targets.get(f.name, f.target)) for f in c.figures))
            for c in items
        ]
    if not items:
        raise CategoryError(f"{SETTINGS}：停用了所有类别，工作台账至少需要一个类别")
    return Categories(tuple(items))


# The categories in force for this process: set by the plugin's ``fazhi_configure`` hook, which the
# host calls whenever a config is applied (the defaults until then).
_current: Categories | None = None


def configure(settings: Mapping[str, Any] | None) -> Categories:
    global _current
    _current = build(settings)
    return _current


def current() -> Categories:
    global _current
    if _current is None:
        _current = build()
    return _current
