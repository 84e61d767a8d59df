"""Writes of the ledger: a new action, a new case (or one opened from a 12345 ticket), 复查, 结案
and 公示, each one version of the record through the store (which checks the row rules and the
references to people, tickets and actions). No Textual here: the panel's forms call these.

Values arrive as the forms give them (text); each problem is raised as ``EntryError`` with the
label of the field to fix, so a form can show it under that field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from fazhi_tui.api import Context, parse_date

from .tables import (
    ACTIONS,
    AWAITING_REVIEW,
    CASES,
    CLOSED,
    DISSUADE,
    FROM_HOTLINE,
    IN_PROGRESS,
    NOT_RECTIFIED,
    REGISTERED,
)


class EntryError(ValueError):
    """Problems with what was entered, each ``(field label, message)``; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("；".join(f"{label}：{msg}" if label else msg for label, msg in problems))


def _text(values: Mapping[str, Any], name: str) -> str | None:
    v = values.get(name)
    if v is None:
        return None
    v = str(v).strip()
    return v or None


def _date(values: Mapping[str, Any], name: str, label: str, problems: list) -> dt.date | None:
    v = values.get(name)
    if isinstance(v, dt.date):
        return v
    text = _text(values, name)
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        problems.append((label, str(exc)))
        return None


def _datetime(values: Mapping[str, Any], name: str, label: str, problems: list) -> dt.datetime | None:
    v = values.get(name)
    if isinstance(v, dt.datetime):
        return v
    text = _text(values, name)
    if text is None:
        return None
    m = re.match(r"^(.*?)[ T](\d{1,2}):(\d{2})$", text)
    try:
        if m:
            return dt.datetime.combine(parse_date(m.group(1)), dt.time(int(m.group(2)), int(m.group(3))))
        return dt.datetime.combine(parse_date(text), dt.time())
    except ValueError as exc:
        problems.append((label, str(exc)))
        return None


def _number(values: Mapping[str, Any], name: str, label: str, problems: list, integer: bool = True):
    text = _text(values, name)
    if text is None:
        return None
    try:
        n = float(text.replace(",", ""))
    except ValueError:
        problems.append((label, f"“{text}”不是数字"))
        return None
    if integer:
        if n != int(n):
            problems.append((label, f"“{text}”不是整数"))
            return None
        return int(n)
    return n


def _list(values: Mapping[str, Any], name: str) -> list[str]:
    text = _text(values, name) or ""
    return [p.strip() for p in re.split(r"[、，,；;|]", text) if p.strip()]


def _next_no(ctx: Context, table: str, key: str, prefix: str) -> str:
    """``prefix`` + the next two-digit sequence among the keys that start with it."""
    rows = ctx.query(f"SELECT {key} AS k FROM {table} WHERE starts_with({key}, ?)", [prefix]).to_pylist()
    used = {r["k"] for r in rows}
    n = 1
    while f"{prefix}{n:02d}" in used:
        n += 1
    return f"{prefix}{n:02d}"


def _people_ids(ctx: Context, names: list[str], label: str, problems: list) -> list[str]:
    """Names or 人员编号 to 人员编号 (a name held by two people must be given by its 编号)."""
    out = []
    for given in names:
        hits = ctx.query("SELECT person_id FROM people WHERE person_id = ? OR name = ?", [given, given]).to_pylist()
        ids = sorted({h["person_id"] for h in hits})
        if given in ids:
            out.append(given)
        elif len(ids) == 1:
            out.append(ids[0])
        elif ids:
            problems.append((label, f"“{given}”对应多人（{'、'.join(ids)}），请填人员编号"))
        else:
            problems.append((label, f"人员表中没有“{given}”"))
    return out


def _badge(ctx: Context, person_id: str | None) -> str | None:
    if person_id is None:
        return None
    rows = ctx.query("SELECT badge_no FROM people WHERE person_id = ?", [person_id]).to_pylist()
    return rows[0]["badge_no"] if rows else None


def _raise(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise EntryError(problems)


# -- new records ----------------------------------------------------------------------------------
def add_action(ctx: Context, values: Mapping[str, Any]) -> dict:
    problems: list[tuple[str, str]] = []
    day = _date(values, "day", "日期", problems)
    if day is None and not problems:
        problems.append(("日期", "请填写日期"))
    leaders = _people_ids(ctx, _list(values, "leaders"), "带队人员", problems)
    row = {
        "action_no": _text(values, "action_no"),
        "day": day,
        "action_type": _text(values, "action_type"),
        "grid": _text(values, "grid"),
        "place": _text(values, "place"),
        "partners": _list(values, "partners"),
        "leaders": leaders,
        "turnout": _number(values, "turnout", "出动人次", problems),
        "av_record": _text(values, "av_record"),
        "problems_found": _number(values, "problems_found", "发现问题数", problems),
        "dissuaded": _number(values, "dissuaded", "劝阻数", problems),
        "note": _text(values, "note"),
    }
    _raise(problems)
    if row["action_no"] is None and day is not None:
        row["action_no"] = _next_no(ctx, ACTIONS, "action_no", f"XD{day:%Y%m%d}-")
    ctx.store.append(ACTIONS, [row])
    return row


def case_row(ctx: Context, values: Mapping[str, Any]) -> dict:
    """A case row from the form's values: officers by 人员编号 with their 执法证号 filled in from
    ``people`` (the form picks officers, never types a badge), status from what was done."""
    problems: list[tuple[str, str]] = []
    found = _datetime(values, "found_at", "发现时间", problems)
    if found is None and not problems:
        problems.append(("发现时间", "请填写发现时间"))
    officer1, officer2 = _text(values, "officer1"), _text(values, "officer2")
    handling = _text(values, "handling")
    row = {
        "case_no": _text(values, "case_no"),
        "source": _text(values, "source"),
        "ticket_ref": _text(values, "ticket_ref"),
        "action_ref": _text(values, "action_ref"),
        "found_at": found,
        "grid": _text(values, "grid"),
        "place": _text(values, "place"),
        "party": _text(values, "party"),
        "party_phone": _text(values, "party_phone"),
        "party_id": _text(values, "party_id"),
        "violation_type": _text(values, "violation_type"),
        "violation": _text(values, "violation"),
        "legal_basis": _text(values, "legal_basis"),
        "handling": handling,
        "officer1": officer1,
        "badge1": _badge(ctx, officer1),
        "officer2": officer2,
        "badge2": _badge(ctx, officer2),
        "av_record": _text(values, "av_record"),
        "major": bool(values.get("major")),
        "legal_review": _text(values, "legal_review"),
        "decided_on": _date(values, "decided_on", "决定日期", problems),
        "fine": _number(values, "fine", "罚款金额", problems, integer=False),
        "rectify_by": _date(values, "rectify_by", "整改期限", problems),
        "reviewed_on": None,
        "review_result": None,
        "published_on": None,
        "status": _text(values, "status"),
    }
    if row["status"] is None:
        if row["rectify_by"] is not None:
            row["status"] = AWAITING_REVIEW
        elif handling == DISSUADE:
            row["status"] = CLOSED
        else:
            row["status"] = IN_PROGRESS if handling else REGISTERED
    for name, label in (("officer1", "执法人员1"), ("officer2", "执法人员2")):
        if row[name] is not None and row[name.replace("officer", "badge")] is None:
            problems.append((label, "此人在人员表中没有执法证号，不能作为执法人员"))
    _raise(problems)
    if row["case_no"] is None and found is not None:
        row["case_no"] = _next_no(ctx, CASES, "case_no", f"AJ{found:%Y%m%d}-")
    return row


def add_case(ctx: Context, values: Mapping[str, Any]) -> dict:
    row = case_row(ctx, values)
    ctx.store.append(CASES, [row])
    return row


def from_ticket(ctx: Context, ticket_no: str) -> dict[str, Any]:
    """The new-case form's values for a case opened from a 12345 ticket (12345转办): its 工单编号,
    grid, 受理时间 as 发现时间 and its content as 违法行为."""
    if "hotline" not in ctx.store.specs:
        raise EntryError([("关联工单", "未加载12345热线插件，无法按工单新建案件")])
    rows = ctx.query(
        "SELECT ticket_no, grid, received_at, content FROM hotline WHERE ticket_no = ?", [ticket_no.strip()]
    ).to_pylist()
    if not rows:
        raise EntryError([("关联工单", f"没有12345工单 {ticket_no.strip()}")])
    t = rows[0]
    return {
        "source": FROM_HOTLINE,
        "ticket_ref": t["ticket_no"],
        "grid": t["grid"],
        "found_at": t["received_at"].strftime("%Y-%m-%d %H:%M") if t["received_at"] else None,
        "violation": t["content"],
    }


# -- steps of a case --------------------------------------------------------------------------------
def _update(ctx: Context, case_no: str, rev: int, changes: dict) -> int:
    return ctx.store.update(CASES, case_no, changes, expected_rev=rev)


def record_review(ctx: Context, case_no: str, rev: int, values: Mapping[str, Any]) -> int:
    """复查: the day and the result; 未整改 with a new 整改期限 keeps the case 待复查."""
    problems: list[tuple[str, str]] = []
    day = _date(values, "reviewed_on", "复查日期", problems)
    result = _text(values, "review_result")
    new_deadline = _date(values, "rectify_by", "新整改期限", problems)
    if day is None and not problems:
        problems.append(("复查日期", "请填写复查日期"))
    if result is None:
        problems.append(("复查结果", "请选择复查结果"))
    _raise(problems)
    changes: dict[str, Any] = {"reviewed_on": day, "review_result": result}
    if result == NOT_RECTIFIED and new_deadline is not None:
        # Another round: the new deadline is what the next 复查 answers to.
        changes.update(rectify_by=new_deadline, reviewed_on=None, review_result=None, status=AWAITING_REVIEW)
    elif result != NOT_RECTIFIED:
        changes["status"] = IN_PROGRESS
    return _update(ctx, case_no, rev, changes)


def close_case(ctx: Context, case_no: str, rev: int, values: Mapping[str, Any] | None = None) -> int:
    return _update(ctx, case_no, rev, {"status": CLOSED})


def record_publicity(ctx: Context, case_no: str, rev: int, values: Mapping[str, Any]) -> int:
    problems: list[tuple[str, str]] = []
    day = _date(values, "published_on", "公示日期", problems)
    if day is None and not problems:
        problems.append(("公示日期", "请填写公示日期"))
    _raise(problems)
    return _update(ctx, case_no, rev, {"published_on": day})
