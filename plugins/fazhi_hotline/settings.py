"""``[plugin.fazhi_hotline]`` read and checked: deadlines, scope, rank weights, review window, page size.

Separate because every other module reads the settings and none of them should parse the config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fazhi_tui.api import Context

from .deadlines import DeadlineRules, rules_from_settings

# Composite score for the computed ranking: 100 × Σ weight × metric, each metric in [0, 1]:
# completion 办结率, on_time 按期办结率, satisfaction 满意率, callback 回访率,
# returned (1 − 退单率), repeat (1 − 重复来电 ÷ 受理量). A rate with nothing to divide by counts 0.
DEFAULT_RANK_WEIGHTS: dict[str, float] = {
    "completion": 0.20,
    "on_time": 0.25,
    "satisfaction": 0.30,
    "callback": 0.10,
    "returned": 0.10,
    "repeat": 0.05,
}
WEIGHT_LABELS = {
    "completion": "办结率",
    "on_time": "按期办结率",
    "satisfaction": "满意率",
    "callback": "回访率",
    "returned": "退单率",
    "repeat": "重复来电",
}
SCOPES = ("town", "all")
DEFAULT_UNSATISFIED_DAYS = 30
DEFAULT_PAGE_SIZE = 50
_SETTING_KEYS = {
    "deadline_days",
    "urgent_deadline_days",
    "scope",
    "rank_weights",
    "unsatisfied_days",
    "categories",
    "page_size",
}


@dataclass(frozen=True)
class HotlineSettings:
    """``[plugin.fazhi_hotline]`` of the config, checked."""

    rules: DeadlineRules
    scope: str = "town"
    rank_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RANK_WEIGHTS))
    unsatisfied_days: int = DEFAULT_UNSATISFIED_DAYS  # how far back the review lists 不满意 callbacks
    page_size: int = DEFAULT_PAGE_SIZE


def settings_of(ctx: Context) -> HotlineSettings:
    """The plugin's settings; a wrong key or value raises ``ValueError`` naming it."""
    raw = dict(ctx.settings or {})
    unknown = sorted(set(raw) - _SETTING_KEYS)
    if unknown:
        raise ValueError(
            f"[plugin.fazhi_hotline] 不认识的设置：{', '.join(unknown)}（可用：{', '.join(sorted(_SETTING_KEYS))}）"
        )
    scope = raw.get("scope", "town")
    if scope not in SCOPES:
        raise ValueError(f'[plugin.fazhi_hotline] scope 应为 "town"（本镇）或 "all"（全部乡镇），实为 {scope!r}')
    weights = dict(DEFAULT_RANK_WEIGHTS)
    given = raw.get("rank_weights")
    if given is not None:
        if not isinstance(given, Mapping):
            raise ValueError("[plugin.fazhi_hotline] rank_weights 应为表，如 { satisfaction = 0.3 }")
        for k, v in given.items():
            if k not in DEFAULT_RANK_WEIGHTS:
                raise ValueError(
                    f"[plugin.fazhi_hotline] rank_weights.{k} 未知（可用：{', '.join(f'{n}（{WEIGHT_LABELS[n]}）' for n in DEFAULT_RANK_WEIGHTS)}）"
                )
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ValueError(f"[plugin.fazhi_hotline] rank_weights.{k} 应为非负数，实为 {v!r}")
            weights[k] = float(v)
        if sum(weights.values()) <= 0:
            raise ValueError("[plugin.fazhi_hotline] rank_weights 的权重之和须大于 0")
    days = raw.get("unsatisfied_days", DEFAULT_UNSATISFIED_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise ValueError(f"[plugin.fazhi_hotline] unsatisfied_days 应为 1 至 366 的天数，实为 {days!r}")
    page = raw.get("page_size", DEFAULT_PAGE_SIZE)
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 10_000:
        raise ValueError(f"[plugin.fazhi_hotline] page_size 应为 1 至 10000，实为 {page!r}")
    return HotlineSettings(rules_from_settings(raw), scope, weights, days, page)
