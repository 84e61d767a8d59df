"""What the enforcement ledger needs today (the daily review): 整改 past its deadline without a
复查, 复查 due within N working days, 公示 due or late, open cases missing 音像记录号 or their
second officer, and 重大执法决定 without 法制审核. No Textual here; no party's name in an item.

Open cases of any period count (an old case still open needs work); the context's grid applies.
Each check lists at most ``MAX_ITEMS`` and then says how many more there are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fazhi_tui.api import Context, ReviewItem, add_working_days, working_days_between

from .settings import settings_of
from .sql import (
    BEYOND_DISSUASION,
    HAS_AV,
    LEGALLY_REVIEWED,
    MAJOR,
    OPEN,
    PUBLICITY_DUE,
    PUBLICITY_LATE,
    RECTIFY_OVERDUE,
    RECTIFY_PENDING,
    cases_cte,
    run,
    scope,
)
from .tables import CASES

MAX_ITEMS = 100


def _items(
    ctx: Context, cond: str, params: dict[str, Any], order: str, make: Callable[[dict], ReviewItem]
) -> list[ReviewItem]:
    where = scope(ctx, CASES, params, alias="e", in_period=False)
    cte = cases_cte(ctx, where, params)
    params["limit"] = MAX_ITEMS
    rows = run(
        ctx,
        f"{cte} SELECT c.case_no, c.grid, g.name AS grid_name, c.violation_type, c.handling, c.status, "
        "c.rectify_by, c.decided_on, c.publicity_due, c.published_on, c.av_record, c.officer2, c.legal_review, "
        f"count(*) OVER () AS total FROM c LEFT JOIN grids AS g ON g.code = c.grid WHERE {cond} "
        f"ORDER BY {order}, c.case_no LIMIT $limit",
        params,
    ).to_pylist()
    items = [make(r) for r in rows]
    total = rows[0]["total"] if rows else 0
    if total > len(rows):
        items.append(ReviewItem(f"另有 {total - len(rows)} 宗未列出", "请在执法台账面板中查看", table=CASES))
    return items


def _what(r: dict) -> str:
    where = r["grid_name"] or "未指定网格"
    return f"{where}；{r['violation_type']}；{r['handling'] or '未处理'}（{r['status']}）"


def _item(title: str, r: dict, due, overdue: bool) -> ReviewItem:
    return ReviewItem(title, _what(r), due=due, grid=r["grid"], table=CASES, record_id=r["case_no"], overdue=overdue)


def rectify_overdue(ctx: Context) -> list[ReviewItem]:
    """整改期限 passed and no 复查 recorded."""

    def make(r: dict) -> ReviewItem:
        late = working_days_between(r["rectify_by"], ctx.today)
        return _item(
            f"执法案件 {r['case_no']} 整改超期 {late} 个工作日（期限 {r['rectify_by']:%Y-%m-%d}），尚未复查",
            r,
            r["rectify_by"],
            True,
        )

    return _items(ctx, RECTIFY_OVERDUE, {}, "c.rectify_by", make)


def review_due_soon(ctx: Context) -> list[ReviewItem]:
    """整改期限 today or within the next N working days (``review_soon_days``), not yet reviewed."""
    soon = add_working_days(ctx.today, settings_of(ctx).review_soon_days)
    params: dict[str, Any] = {"soon": soon}

    def make(r: dict) -> ReviewItem:
        when = "今日" if r["rectify_by"] == ctx.today else f"{r['rectify_by']:%m月%d日}"
        return _item(f"执法案件 {r['case_no']} {when}整改到期，待复查", r, r["rectify_by"], False)

    return _items(
        ctx, f"{RECTIFY_PENDING} AND c.rectify_by >= $today AND c.rectify_by <= $soon", params, "c.rectify_by", make
    )


def publicity(ctx: Context) -> list[ReviewItem]:
    """处罚决定 not yet published: late (past 公示期限) or due (still within it)."""

    def make(r: dict) -> ReviewItem:
        due = r["publicity_due"]
        if due < ctx.today:
            title = f"执法案件 {r['case_no']} 处罚决定公示超期（期限 {due:%Y-%m-%d}，决定 {r['decided_on']:%Y-%m-%d}）"
            return _item(title, r, due, True)
        return _item(f"执法案件 {r['case_no']} 处罚决定须于 {due:%m月%d日} 前公示", r, due, False)

    return _items(ctx, f"({PUBLICITY_LATE} OR {PUBLICITY_DUE})", {}, "c.publicity_due", make)


def record_missing(ctx: Context) -> list[ReviewItem]:
    """Open cases handled (or still to be handled) beyond 劝阻 without an 音像记录号 or a second officer."""
    beyond = f"({BEYOND_DISSUASION} OR c.handling IS NULL)"

    def make(r: dict) -> ReviewItem:
        missing = [
            w
            for w, gone in (("音像记录号", not (r["av_record"] or "").strip()), ("执法人员2", not r["officer2"]))
            if gone
        ]
        return _item(f"执法案件 {r['case_no']} 缺{'、'.join(missing)}（全过程记录）", r, None, False)

    cond = f"{OPEN} AND {beyond} AND (NOT {HAS_AV} OR c.officer2 IS NULL)"
    return _items(ctx, cond, {}, "c.found_at", make)


def legal_review_missing(ctx: Context) -> list[ReviewItem]:
    """Open 重大执法决定 without 法制审核 已审核 (the rule keeps them from a 决定日期 until reviewed)."""

    def make(r: dict) -> ReviewItem:
        state = r["legal_review"] or "未填"
        return _item(f"执法案件 {r['case_no']} 为重大执法决定，法制审核：{state}", r, None, False)

    return _items(ctx, f"{OPEN} AND {MAJOR} AND NOT coalesce({LEGALLY_REVIEWED}, FALSE)", {}, "c.found_at", make)
