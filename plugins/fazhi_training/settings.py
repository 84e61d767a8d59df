"""``[plugin.fazhi_training]``: the year's plan per 类型, the 学时 targets per person, who the
principal leaders are and which units are 机关. Separate because every query module reads it,
and a wrong key must fail with a message naming it, before any query runs. No Textual here.

    [plugin.fazhi_training]
    targets = { "法治培训" = 10, "中心组学习" = 12 }      # sessions a year, by 类型
    hour_targets = { "机关干部" = 40, "班子成员" = 40 }   # 学时 a year, by role, unit or group
    leader_roles = ["党委书记", "镇长"]                  # whose 领学 the report counts
    leaders = ["P0001"]                                  # or name them (人员编号 or 姓名)
    cadre_units = ["赵庄镇人民政府", "中共赵庄镇委员会"]  # who counts as 机关干部
    inactive_days = 90                                   # the review's "no attendance in N days"
    kinds = { "中心组学习" = "理论学习中心组学习" }      # what the office's renamed 类型 mean (kinds.py)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fazhi_tui.api import Context

from .tables import CENTRAL_STUDY, EXAM, KINDS, LECTURE, LEGAL_SERVICE, SEMINAR, TRAINING

SECTION = "[plugin.fazhi_training]"
CADRES = "机关干部"
DEFAULT_TARGETS: dict[str, int] = {
    CENTRAL_STUDY: 12,
    SEMINAR: 2,
    TRAINING: 10,
    EXAM: 2,
    LECTURE: 10,
    LEGAL_SERVICE: 4,
}
DEFAULT_HOUR_TARGETS: dict[str, float] = {CADRES: 40.0}
DEFAULT_LEADER_ROLES = ("党委书记", "镇长")
DEFAULT_INACTIVE_DAYS = 90
_KEYS = {"targets", "hour_targets", "leader_roles", "leaders", "cadre_units", "inactive_days", "kinds"}


@dataclass(frozen=True)
class TrainingSettings:
    targets: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    hour_targets: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_HOUR_TARGETS))
    leader_roles: tuple[str, ...] = DEFAULT_LEADER_ROLES
    leaders: tuple[str, ...] = ()
    # None: the town's own organs, i.e. units whose name holds the town's name and that are not a
    # village's or a neighbourhood's committee (赵庄镇人民政府, 中共赵庄镇委员会, 赵庄镇综治中心 …).
    cadre_units: tuple[str, ...] | None = None
    inactive_days: int = DEFAULT_INACTIVE_DAYS
    # The office's 类型 for each meaning the figures count (a default name), where it renamed them.
    kinds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _kinds(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise ValueError(f'{SECTION} kinds 应为表，如 {{ "中心组学习" = "理论学习中心组学习" }}，实为 {raw!r}')
    out: dict[str, tuple[str, ...]] = {}
    for meaning, names in raw.items():
        if meaning not in KINDS:
            raise ValueError(f"{SECTION} kinds 的“{meaning}”不是统计所用的类型（可用：{'、'.join(KINDS)}）")
        out[meaning] = _texts([names] if isinstance(names, str) else names, f"kinds.{meaning}")
    return out


def _texts(raw: Any, key: str) -> tuple[str, ...]:
    if not isinstance(raw, (list, tuple)) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ValueError(f'{SECTION} {key} 应为文字列表，如 ["党委书记", "镇长"]，实为 {raw!r}')
    return tuple(x.strip() for x in raw)


def _numbers(raw: Any, key: str, *, integer: bool) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValueError(f'{SECTION} {key} 应为表，如 {{ "法治培训" = 10 }}，实为 {raw!r}')
    out: dict[str, Any] = {}
    for k, v in raw.items():
        ok = not isinstance(v, bool) and isinstance(v, int if integer else (int, float)) and v >= 0
        if not ok:
            kind = "非负整数" if integer else "非负数"
            raise ValueError(f"{SECTION} {key}.{k} 应为{kind}，实为 {v!r}")
        out[str(k)] = int(v) if integer else float(v)
    return out


def parse_settings(raw: Mapping[str, Any] | None) -> TrainingSettings:
    """The settings from the config table; a wrong key or value raises ``ValueError`` naming it."""
    raw = dict(raw or {})
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ValueError(f"{SECTION} 不认识的设置：{', '.join(unknown)}（可用：{', '.join(sorted(_KEYS))}）")
    kinds = _kinds(raw["kinds"]) if "kinds" in raw else {}
    if "targets" in raw:
        targets = _numbers(raw["targets"], "targets", integer=True)
    else:  # the default plan, under the office's own names for the types
        targets = {kinds.get(k, (k,))[0]: n for k, n in DEFAULT_TARGETS.items()}
    hours = (
        _numbers(raw["hour_targets"], "hour_targets", integer=False)
        if "hour_targets" in raw
        else dict(DEFAULT_HOUR_TARGETS)
    )
    roles = _texts(raw["leader_roles"], "leader_roles") if "leader_roles" in raw else DEFAULT_LEADER_ROLES
    leaders = _texts(raw["leaders"], "leaders") if "leaders" in raw else ()
    units = _texts(raw["cadre_units"], "cadre_units") if "cadre_units" in raw else None
    days = raw.get("inactive_days", DEFAULT_INACTIVE_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise ValueError(f"{SECTION} inactive_days 应为 1 至 366 的天数，实为 {days!r}")
    return TrainingSettings(targets, hours, roles, leaders, units, days, kinds)


def settings_of(ctx: Context) -> TrainingSettings:
    return parse_settings(ctx.settings)
