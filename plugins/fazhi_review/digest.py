"""The morning digest: today's queue as text, JSON or Markdown, for ``fazhi-tui review`` (cron,
mail). Separate from the queue because it only formats; no Textual, no rich.

Exit status for scripts: 0 when nothing is open for the user, 1 when something is (a check that
failed counts: the list may be incomplete, and someone should look).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .queue import FAILED, Entry, Queue, groups

FORMATS = ("text", "json", "md")
WEEKDAYS = "一二三四五六日"


def day_label(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}（周{WEEKDAYS[day.weekday()]}）"


def when_label(entry: Entry, today: dt.date) -> str:
    """超期 / 今日 / 明日 / 11-30 / ''."""
    due = entry.item.due
    if entry.item.overdue:
        return "超期"
    if due is None:
        return ""
    if due == today:
        return "今日"
    if due == today + dt.timedelta(days=1):
        return "明日"
    return f"{due:%m-%d}" if due.year == today.year else f"{due:%Y-%m-%d}"


def headline(queue: Queue, town: str = "", user: str | None = None) -> str:
    n, late = queue.open_count(user), queue.overdue_count(user)
    who = f"（{user} 的待办与未指派事项）" if user else ""
    head = f"{town}每日待办 {day_label(queue.today)} {queue.grid_label}{who}："
    if not n:
        return head + "没有待办事项"
    return head + f"待办 {n} 项" + (f"，其中超期 {late} 项" if late else "")


def _facts(e: Entry, today: dt.date) -> list[str]:
    facts = []
    # The marker before the title gives the due day, except for an overdue item ([超期]): then
    # the date, unless the title says it already (the hotline's do).
    if e.item.due is not None and e.item.overdue and e.item.due.isoformat() not in e.item.title:
        facts.append(f"时限 {e.item.due:%Y-%m-%d}")
    if e.grid_name or e.item.grid:
        facts.append(e.grid_name or e.item.grid or "")
    if e.assignee:
        facts.append(f"指派给 {e.assignee}")
    if e.reappeared:
        facts.append("记录已更新，重新列出")
    return facts


def as_text(queue: Queue, town: str = "", user: str | None = None) -> str:
    lines = [headline(queue, town, user)]
    for g in groups(queue.open_entries(user)):
        if g.failed:
            lines += ["", f"【{g.check_title}】检查出错（插件 {g.plugin}），以下列表可能不全："]
            lines += [f"  {e.error}" for e in g.entries]
            continue
        lines += ["", f"【{g.check_title}】{len(g.entries)} 项（插件 {g.plugin}）"]
        for e in g.entries:
            when = when_label(e, queue.today)
            facts = _facts(e, queue.today)
            lines.append(
                f"  - {'[' + when + '] ' if when else ''}{e.item.title}" + (f"（{'；'.join(facts)}）" if facts else "")
            )
            if e.item.detail:
                lines.append(f"    {e.item.detail}")
    lines += _footer(queue)
    return "\n".join(lines) + "\n"


def _footer(queue: Queue) -> list[str]:
    done = [(queue.count(s), s) for s in ("已处理", "暂缓")]
    said = "，".join(f"{s} {n} 项" for n, s in done if n)
    return (["", f"另有{said}，未列出"] if said else []) + [f"注意：{err}" for err in queue.errors]


def _md_escape(text: str) -> str:
    # Store text is data, never Markdown: a title with * or [ ] must not become emphasis or a link.
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>" else ch for ch in text)


def as_markdown(queue: Queue, town: str = "", user: str | None = None) -> str:
    lines = [f"# {_md_escape(headline(queue, town, user))}"]
    for g in groups(queue.open_entries(user)):
        if g.failed:
            lines += ["", f"## {_md_escape(g.check_title)}：检查出错（插件 {_md_escape(g.plugin)}）", ""]
            lines += [f"> {_md_escape(e.error or '')}" for e in g.entries]
            continue
        lines += ["", f"## {_md_escape(g.check_title)}（{len(g.entries)} 项，插件 {_md_escape(g.plugin)}）", ""]
        for e in g.entries:
            when = when_label(e, queue.today)
            facts = _facts(e, queue.today)
            line = f"- {'**' + when + '** ' if when else ''}{_md_escape(e.item.title)}"
            if facts:
                line += f"（{_md_escape('；'.join(facts))}）"
            if e.item.detail:
                line += f"  \n  {_md_escape(e.item.detail)}"
            lines.append(line)
    lines += [_md_escape(x) if x else x for x in _footer(queue)]
    return "\n".join(lines) + "\n"


def _entry_json(e: Entry, today: dt.date) -> dict[str, Any]:
    return {
        "title": e.item.title,
        "detail": e.item.detail,
        "due": e.item.due.isoformat() if e.item.due else None,
        "overdue": e.item.overdue,
        "grid": e.item.grid,
        "grid_name": e.grid_name,
        "table": e.item.table,
        "record_id": e.item.record_id,
        "assignee": e.assignee,
        "reappeared": e.reappeared,
        "key": e.key,
    }


def as_json(queue: Queue, town: str = "", user: str | None = None) -> str:
    out = {
        "town": town,
        "date": queue.today.isoformat(),
        "grid": queue.grid_label,
        "user": user,
        "open": queue.open_count(user),
        "overdue": queue.overdue_count(user),
        "handled": queue.count("已处理"),
        "snoozed": queue.count("暂缓"),
        "checks": [
            {
                "check": g.check,
                "title": g.check_title,
                "plugin": g.plugin,
                "error": next((e.error for e in g.entries if e.status == FAILED), None),
                "items": [] if g.failed else [_entry_json(e, queue.today) for e in g.entries],
            }
            for g in groups(queue.open_entries(user))
        ],
        "notes": list(queue.errors),
    }
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"


def render(queue: Queue, fmt: str, town: str = "", user: str | None = None) -> str:
    if fmt == "json":
        return as_json(queue, town, user)
    if fmt == "md":
        return as_markdown(queue, town, user)
    return as_text(queue, town, user)


def exit_status(queue: Queue, user: str | None = None) -> int:
    return 1 if queue.open_count(user) else 0
