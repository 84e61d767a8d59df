"""What the ledger needs today (the daily review): rectification items past 期限, and figures
behind their yearly target for the time of year. Separate because the review asks these of
today, not of the period on screen. No Textual.
"""

from __future__ import annotations

import datetime as dt
import math

from fazhi_tui.api import Context, Period, ReviewItem

from .categories import current
from .figures import compute
from .lists import open_items
from .tables import WORK_ITEMS

MAX_ITEMS = 100


def rectify_overdue(ctx: Context) -> list[ReviewItem]:
    """Open items of the categories that close (整改问题) whose 期限 has passed, oldest first: the
    list's order puts them first, so its first page holds the ones listed."""
    found = open_items(ctx, limit=MAX_ITEMS)
    items = []
    for r in found.rows.to_pylist():
        if not r["flag"]:
            continue
        days = (ctx.today - r["due"]).days
        who = f"，责任人 {r['person_name']}" if r["person_name"] else ""
        where = f"{r['grid_name']}；" if r["grid_name"] else ""
        items.append(
            ReviewItem(
                f"{r['category']} {r['item_no']} 超过整改期限 {days} 天",
                f"{where}{r['title']}（期限 {r['due']:%Y-%m-%d}{who}）",
                due=r["due"],
                table=WORK_ITEMS,
                record_id=r["item_no"],
                overdue=True,
            )
        )
    if found.overdue > len(items):
        rest = found.overdue - len(items)
        items.append(ReviewItem(f"另有 {rest} 件超期未列出", "请在工作台账面板中查看", table=WORK_ITEMS))
    return items


def expected_by(target: float, today: dt.date) -> int:
    """How much of a yearly target should be done by the end of ``today``, pro rata by days, floored."""
    start = dt.date(today.year, 1, 1)
    days = (dt.date(today.year + 1, 1, 1) - start).days
    return math.floor(target * ((today - start).days + 1) / days)


def behind_target(ctx: Context) -> list[ReviewItem]:
    """Figures with a yearly target whose value this year so far is below the target pro rata."""
    year = Period.between(dt.date(ctx.today.year, 1, 1), ctx.today)
    items = []
    for f in current().figures:
        if f.target is None:
            continue
        value = compute(f, ctx.replace(period=year)) or 0
        expected = expected_by(f.target, ctx.today)
        if value >= expected:
            continue
        target = int(f.target) if float(f.target).is_integer() else f.target
        items.append(
            ReviewItem(
                f"{f.category}：{f.label}进度落后",
                f"截至 {ctx.today:%m月%d日} {value}{f.unit}，全年目标 {target}{f.unit}，按时间进度应达 {expected}{f.unit}",
                table=WORK_ITEMS,
            )
        )
    return items
