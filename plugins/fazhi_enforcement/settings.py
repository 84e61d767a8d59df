"""``[plugin.fazhi_enforcement]`` of the config, checked once, in one place: every query module
reads its numbers from here (a wrong key or value names itself in Chinese).

    [plugin.fazhi_enforcement]
    publicity_days = 7      # 处罚决定 published within N working days of 决定日期 (DOMAIN.md §5)
    review_soon_days = 2    # the review lists 复查 due within N working days
    page_size = 50          # rows per page of the panel's lists
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PUBLICITY_DAYS = 7
DEFAULT_REVIEW_SOON_DAYS = 2
DEFAULT_PAGE_SIZE = 50
_KEYS = {"publicity_days": (1, 60), "review_soon_days": (0, 30), "page_size": (1, 10_000)}


@dataclass(frozen=True)
class EnforcementSettings:
    publicity_days: int = DEFAULT_PUBLICITY_DAYS
    review_soon_days: int = DEFAULT_REVIEW_SOON_DAYS
    page_size: int = DEFAULT_PAGE_SIZE


def settings_from(raw: Mapping[str, Any] | None) -> EnforcementSettings:
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise ValueError(
            f"[plugin.fazhi_enforcement] 不认识的设置：{'、'.join(unknown)}（可用：{'、'.join(sorted(_KEYS))}）"
        )
    values: dict[str, int] = {}
    for key, (lo, hi) in _KEYS.items():
        if key not in raw:
            continue
        v = raw[key]
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"[plugin.fazhi_enforcement] {key} 应为 {lo} 至 {hi} 的整数，实为 {v!r}")
        values[key] = v
    return EnforcementSettings(**values)


def settings_of(ctx) -> EnforcementSettings:
    return settings_from(ctx.settings)
