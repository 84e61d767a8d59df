"""Writing marks: handled (with a note), snoozed to a day, assigned to a colleague, and undone.

Apart from the queue because these write: each is one version of the item's mark record, saved
from the revision the user saw (a colleague's newer mark refuses it, naming them), and noting the
revision of the item's record so a later change of that record lists the item again.
No Textual: the panel calls these in a worker, and tests call them with a store handle.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi_tui.api import Context, StaleRevisionError, StoreError

from .queue import Entry, MarkVersion, record_state
from .tables import HANDLED, MARKS, OPEN, SNOOZED

_KEEP: Any = object()  # "leave this field as the mark has it"


class MarkError(StoreError):
    """A mark that cannot be written as asked (a snooze date in the past, an unknown colleague)."""


def _write(
    ctx: Context,
    entry: Entry,
    *,
    state: str = _KEEP,
    note: str | None = _KEEP,
    snooze_until: dt.date | None = _KEEP,
    assignee: str | None = _KEEP,
) -> int:
    """Write the entry's mark with these fields changed; returns the mark's new revision."""
    mark = entry.mark
    record = record_state(ctx, entry)

    def kept(value: Any, old: Any, default: Any = None) -> Any:
        if value is not _KEEP:
            return value
        return old if mark is not None else default

    row = {
        "mark_id": entry.key,
        "check_name": entry.check,
        "record_table": entry.item.table,
        "record_id": entry.item.record_id,
        "item_title": entry.item.title,
        "state": kept(state, mark.state if mark else None, OPEN),
        "note": kept(note, mark.note if mark else None),
        "snooze_until": kept(snooze_until, mark.snooze_until if mark else None),
        "assignee": kept(assignee, mark.assignee if mark else None),
        "record_rev": record.rev if record is not None else None,
        "record_at": record.at if record is not None else None,
    }
    expected = {entry.key: mark.rev} if mark is not None else {}
    ctx.store.upsert(MARKS, [row], expected)
    return (mark.rev if mark is not None else 0) + 1


def handle(ctx: Context, entry: Entry, note: str | None = None) -> int:
    """已处理, with an optional note. The item leaves the queue until its record changes."""
    return _write(ctx, entry, state=HANDLED, note=(note or "").strip() or None, snooze_until=None)


def snooze(ctx: Context, entry: Entry, until: dt.date, note: str | None = None) -> int:
    """暂缓 until ``until`` (after today): the item comes back that day, or when its record changes."""
    if until <= ctx.today:
        raise MarkError(f"暂缓日期须晚于今日（{ctx.today:%Y-%m-%d}），实为 {until:%Y-%m-%d}")
    return _write(ctx, entry, state=SNOOZED, snooze_until=until, note=(note or "").strip() or None)


def assign(ctx: Context, entry: Entry, user: str | None, note: str | None = None) -> int:
    """指派 to ``user`` (an admin or clerk named in the store's access.toml), or to nobody (None).
    The item stays open: it is now theirs (``fazhi-tui review --user`` lists it for them)."""
    colleagues = ctx.access.colleagues()
    if user is not None and user not in colleagues:
        known = "、".join(colleagues) or "（access.toml 未列出管理员或办事员）"
        raise MarkError(f"不能指派给 {user}：不是数据目录 access.toml 中的管理员或办事员（可选：{known}）")
    return _write(ctx, entry, assignee=user, note=(note or "").strip() or _KEEP)


def undo(ctx: Context, entry: Entry, rev: int) -> int:
    """Undo the version ``rev`` of the entry's mark that this user wrote: the mark returns to the
    version before it (or to 待办 with nobody assigned, when it was the first). Refused when
    someone has changed the mark since."""
    mark = entry.mark
    if mark is None:
        raise MarkError("此事项没有可撤销的标记")
    if mark.rev != rev:
        raise StaleRevisionError(MARKS, entry.key, rev, mark.rev, mark.by, mark.at)
    before: MarkVersion | None = next((v for v in mark.history if v.rev == rev - 1), None)
    if before is None:
        return _write(ctx, entry, state=OPEN, note=None, snooze_until=None, assignee=None)
    return _write(
        ctx, entry, state=before.state, note=before.note, snooze_until=before.snooze_until, assignee=before.assignee
    )


def parse_day(text: str, today: dt.date) -> dt.date:
    """A snooze date as people type it: 2026-11-30, 11-30, 11月30日, or +3 (days from today)."""
    import re

    raw = text.strip()
    if re.fullmatch(r"\+\d{1,3}", raw):
        return today + dt.timedelta(days=int(raw[1:]))
    m = re.fullmatch(r"(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?", raw)
    if m is None:
        raise MarkError(f"日期“{text}”无法识别：请写作 2026-11-30、11-30 或 +3（三天后）")
    year = int(m.group(1)) if m.group(1) else today.year
    try:
        day = dt.date(year, int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise MarkError(f"日期“{text}”不存在") from None
    if not m.group(1) and day <= today:  # 1-05 typed in December means next January
        try:
            day = day.replace(year=year + 1)
        except ValueError:
            pass
    return day
