"""What the training ledger needs today (the daily review): a planned 类型 behind its target for
the time of year, people with a 学时 target and no attendance in ``inactive_days`` (90 by
default), and exam sessions with a roster but no scores. Separate because the review runs
every plugin's checks without a screen. No Textual here; no phone in any item.
"""

from __future__ import annotations

import datetime as dt

from fazhi_tui.api import Context, Period, ReviewItem

from .kinds import kind_names
from .people import hour_target, in_post_condition, in_post_params
from .sessions import plan
from .settings import settings_of
from .tables import ATTENDANCE, EXAM, TRAININGS

MAX_ITEMS = 100


def behind_plan(ctx: Context) -> list[ReviewItem]:
    """Each 类型 with fewer sessions held this year than its target pro rata."""
    year = ctx.today.year
    items = []
    for row in plan(ctx.replace(period=Period.year(year)), year):
        if row.behind:
            items.append(
                ReviewItem(
                    f"{row.kind}进度落后：{year}年已开展 {row.held} 次，按年度计划 {row.target} 次，到今日应达 {row.expected} 次",
                    f"还差 {row.expected - row.held} 次；年度计划见 [plugin.fazhi_training] targets",
                    table=TRAININGS,
                )
            )
    return items


def inactive_people(ctx: Context) -> list[ReviewItem]:
    """People in post with a 学时 target who attended nothing (出席) in the last N days."""
    settings = settings_of(ctx)
    since = ctx.today - dt.timedelta(days=settings.inactive_days)
    params: list = [ctx.today, *in_post_params(ctx.today, ctx.today + dt.timedelta(days=1))]
    grid = ""
    if ctx.grid is not None:
        grid = "AND p.grid = ?"
        params.append(ctx.grid.code)
    rows = ctx.query(
        "WITH last AS (SELECT a.person, max(t.date) AS last_date FROM training_attendance AS a "
        "JOIN trainings AS t USING (training_id) WHERE coalesce(a.status, '出席') = '出席' AND t.date <= ? "
        "GROUP BY a.person) "
        "SELECT p.person_id, p.name, p.unit, p.roles, p.grid, p.start_date, last.last_date FROM people AS p "
        f"LEFT JOIN last ON last.person = p.person_id WHERE {in_post_condition('p')} {grid} ORDER BY p.person_id",
        params,
    ).to_pylist()
    items = []
    for r in rows:
        if hour_target(r, ctx.town, settings) is None:
            continue
        started = r["start_date"] or dt.date.min
        if (r["last_date"] or dt.date.min) >= since or started > since:
            continue  # attended lately, or too new in post to have missed 90 days
        when = f"最近一次出席：{r['last_date']:%Y-%m-%d}" if r["last_date"] else "没有出席记录"
        items.append(
            ReviewItem(
                f"{r['name']}（{r['unit'] or '未填单位'}）{settings.inactive_days} 天内未参加学法",
                when,
                grid=r["grid"],
                table="people",
                record_id=r["person_id"],
            )
        )
    return _capped(items)


def exams_without_scores(ctx: Context) -> list[ReviewItem]:
    """学法考试 sessions held by today whose roster has people present and no score at all."""
    rows = ctx.query(
        "SELECT t.training_id, t.date, t.topic, t.grid, count_if(coalesce(a.status, '出席') = '出席') AS present "
        "FROM trainings AS t JOIN training_attendance AS a USING (training_id) "
        "WHERE list_contains(?::VARCHAR[], t.kind) AND t.date <= ? "
        + ("AND t.grid = ? " if ctx.grid is not None else "")
        + "GROUP BY ALL HAVING count(a.score) = 0 AND present > 0 ORDER BY t.date DESC",
        [list(kind_names(ctx, EXAM)), ctx.today, *([ctx.grid.code] if ctx.grid is not None else [])],
    ).to_pylist()
    return _capped(
        [
            ReviewItem(
                f"学法考试 {r['training_id']}（{r['date']:%Y-%m-%d}）未录入成绩",
                f"{r['topic'] or ''}；出席 {r['present']} 人，成绩均为空",
                due=r["date"],
                grid=r["grid"],
                table=TRAININGS,
                record_id=r["training_id"],
            )
            for r in rows
        ]
    )


def _capped(items: list[ReviewItem]) -> list[ReviewItem]:
    if len(items) <= MAX_ITEMS:
        return items
    rest = len(items) - MAX_ITEMS
    return items[:MAX_ITEMS] + [ReviewItem(f"另有 {rest} 项未列出", "请在学法台账面板中查看", table=ATTENDANCE)]
