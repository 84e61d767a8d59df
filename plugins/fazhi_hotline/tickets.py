"""Writing tickets: intake (validation, number, 办理时限), and the steps of a ticket's life — sign,
close, return, extend, callback — each a new version through ``store.update``. No Textual here;
the panel's form and actions call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fazhi_tui.api import PHONE_HINT, Context, ValidationError, is_phone, parse_date, resolve_reference

from .deadlines import EXTENSION_DAYS, Deadline, add_working_days, compute_deadline, working_days_between
from .settings import settings_of
from .tables import (
    CALLBACKS,
    CLOSED,
    EXTENDED,
    HOTLINE,
    HOTLINE_SPEC,
    IN_PROGRESS,
    OPEN_STATUSES,
    PENDING,
    PHONE_ORDER,
    RETURNED,
    SOURCES,
    UNSATISFIED,
    category_pairs,
)

TICKET_PREFIX = {SOURCES[0]: "GD", PHONE_ORDER: "DH"}  # 工单, 电话单
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S")


class TicketError(ValueError):
    """A ticket that cannot be saved; ``problems`` lists (label, message) for the form."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("；".join(f"{label}：{msg}" if label else msg for label, msg in problems))


@dataclass(frozen=True)
class Intake:
    row: dict  # ready for store.append("hotline", [row])
    deadline: Deadline | None  # the computed 办理时限 (None when one was given)


def now() -> dt.datetime:
    """Local wall-clock time to the second (tickets carry Beijing time, no zone)."""
    return dt.datetime.now().replace(microsecond=0)


def parse_datetime(value: Any) -> dt.datetime | None:
    """A timestamp as typed: 2023-10-09 10:30, 2023/10/9 10:30:00, or a date (midnight)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value).strip()
    if not text:
        return None
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    return dt.datetime.combine(parse_date(text), dt.time())  # raises with a message for people


def _label(name: str) -> str:
    return HOTLINE_SPEC.column(name).label


def validate_ticket(ctx: Context, values: Mapping[str, Any]) -> tuple[dict, list[tuple[str, str]]]:
    """Check a ticket as the form gives it (strings or typed values). Returns the typed row and
    the problems, each (中文列名, message); an empty list means it can be saved."""
    spec = HOTLINE_SPEC
    problems: list[tuple[str, str]] = []
    unknown = [k for k in values if k not in spec.column_names]
    if unknown:
        problems.append(("", f"未知的列 {', '.join(unknown)}"))
    row: dict[str, Any] = {}
    for c in spec.columns:
        v = values.get(c.name)
        if isinstance(v, str):
            v = v.strip() or None
        try:
            if c.name in ("received_at", "signed_at", "closed_at"):
                v = parse_datetime(v)
            elif c.name == "deadline" and v is not None and not isinstance(v, dt.date):
                v = parse_date(str(v))
            elif c.name == "deadline" and isinstance(v, dt.datetime):
                v = v.date()
            elif c.name == "repeat_call" and isinstance(v, str):
                if v not in ("是", "否", "true", "false"):
                    raise ValueError("请填“是”或“否”")
                v = v in ("是", "true")
        except ValueError as exc:
            problems.append((c.label, str(exc)))
            v = None
        row[c.name] = v
    row["status"] = row["status"] or PENDING
    if not row["town"] and ctx.town:
        row["town"] = ctx.town
    for name in ("source", "received_at", "appeal_type"):
        if row[name] is None and not any(label == _label(name) for label, _ in problems):
            problems.append((_label(name), "必填，不能为空"))
    for c in spec.columns:
        if c.codes and row[c.name] is not None and row[c.name] not in spec.code_tables[c.codes]:
            problems.append((c.label, f"“{row[c.name]}”不在可选值中（{'、'.join(spec.code_tables[c.codes])}）"))
    pairs = category_pairs(ctx.settings)
    c1, c2 = row["category1"], row["category2"]
    if c2 is not None:
        parent = next((k for k, v in pairs.items() if c2 in v), None)
        if c1 is None and parent is not None:
            row["category1"] = parent
        elif parent is not None and c1 != parent:
            problems.append((_label("category2"), f"“{c2}”属于一级分类“{parent}”，不属于“{c1}”"))
    if row["phone"] is not None and not is_phone(row["phone"]):
        # The store's own check (import and API say the same).
        problems.append((_label("phone"), f"“{row['phone']}”不是电话号码，{PHONE_HINT}"))
    received, signed, closed = row["received_at"], row["signed_at"], row["closed_at"]
    if received is not None and received > now() + dt.timedelta(minutes=5):
        problems.append((_label("received_at"), "不能晚于现在"))
    if received is not None and signed is not None and signed < received:
        problems.append((_label("signed_at"), "不能早于受理时间"))
    if received is not None and closed is not None and closed < received:
        problems.append((_label("closed_at"), "不能早于受理时间"))
    if row["deadline"] is not None and received is not None and row["deadline"] < received.date():
        problems.append((_label("deadline"), "不能早于受理日期"))
    status = row["status"]
    if status == CLOSED and closed is None:
        problems.append((_label("closed_at"), "状态为已办结时必填"))
    if status != CLOSED and closed is not None:
        problems.append((_label("status"), "填写了办结时间，状态应为已办结"))
    if row["callback"] is not None and status != CLOSED:
        problems.append((_label("callback"), "办结后才能回访"))
    if row["callback"] == UNSATISFIED and not row["unsatisfied_reason"]:
        problems.append((_label("unsatisfied_reason"), "回访不满意时须填写原因"))
    if row["unsatisfied_reason"] and row["callback"] != UNSATISFIED:
        problems.append((_label("unsatisfied_reason"), "仅在回访结果为不满意时填写"))
    if ctx.grid is not None and row["grid"] is None:
        row["grid"] = ctx.grid.code
    if row["grid"] is not None:
        # A code, a grid's name or its village (大黄村, 赵庄镇大黄村委会), as an import takes it.
        try:
            row["grid"] = resolve_reference(ctx.store, HOTLINE, "grid", row["grid"])
        except ValidationError as exc:
            problems += [(p.column or "", p.reason) for p in exc.problems]
    return row, problems


def new_ticket_no(ctx: Context, source: str, day: dt.date) -> str:
    """The next local number for the day: GD/DH + yyyymmdd + three digits (DH20231009001)."""
    prefix = f"{TICKET_PREFIX.get(source, 'RX')}{day:%Y%m%d}"
    rows = ctx.query(
        "SELECT max(ticket_no) AS last FROM hotline_history WHERE starts_with(ticket_no, ?) AND length(ticket_no) = ?",
        [prefix, len(prefix) + 3],
    ).to_pylist()
    last = rows[0]["last"] if rows else None
    seq = int(last[-3:]) + 1 if last and last[-3:].isdigit() else 1
    return f"{prefix}{seq:03d}"


def intake(ctx: Context, values: Mapping[str, Any]) -> Intake:
    """A new ticket ready to append: validated, numbered when no 工单编号 was given, and its
    办理时限 computed from the working-day rules when not given. Raises ``TicketError``."""
    row, problems = validate_ticket(ctx, values)
    if problems:
        raise TicketError(problems)
    computed = None
    if row["deadline"] is None:
        computed = compute_deadline(row["received_at"], row["appeal_type"], row["urgency"], settings_of(ctx).rules)
        row["deadline"] = computed.day
    if row["ticket_no"] is None:
        row["ticket_no"] = new_ticket_no(ctx, row["source"], row["received_at"].date())
    return Intake(row, computed)


def add_ticket(ctx: Context, values: Mapping[str, Any], *, attempts: int = 3) -> Intake:
    """``intake`` then append; a number taken meanwhile by another clerk is retried."""
    for attempt in range(attempts):
        result = intake(ctx, values)
        try:
            ctx.store.append(HOTLINE, [result.row])
            return result
        except ValidationError:
            if values.get("ticket_no") or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# -- the steps of a ticket's life: each one new version ---------------------------------------------
def _current(ctx: Context, ticket_no: str) -> dict:
    record = ctx.store.get(HOTLINE, ticket_no)
    if record is None:
        raise TicketError([("", f"没有工单 {ticket_no}")])
    return record


def sign_ticket(ctx: Context, ticket_no: str, *, expected_rev: int, at: dt.datetime | None = None) -> int:
    """签收: 待签收 → 办理中 with 签收时间. Returns the new revision."""
    record = _current(ctx, ticket_no)
    if record["status"] != PENDING:
        raise TicketError([(_label("status"), f"工单状态为{record['status']}，只有待签收的工单可以签收")])
    at = at or now()
    if at < record["received_at"]:
        raise TicketError([(_label("signed_at"), "不能早于受理时间")])
    return ctx.store.update(HOTLINE, ticket_no, {"status": IN_PROGRESS, "signed_at": at}, expected_rev=expected_rev)


def close_ticket(
    ctx: Context, ticket_no: str, *, expected_rev: int, at: dt.datetime | None = None, result: str | None = None
) -> int:
    """办结: an open ticket → 已办结 with 办结时间 and 办理结果 (signing it too if it was never
    signed). ``late_by`` says whether that was past 办理时限."""
    record = _current(ctx, ticket_no)
    if record["status"] not in OPEN_STATUSES:
        raise TicketError([(_label("status"), f"工单状态为{record['status']}，不能办结")])
    at = at or now()
    if at < record["received_at"]:
        raise TicketError([(_label("closed_at"), "不能早于受理时间")])
    changes: dict[str, Any] = {"status": CLOSED, "closed_at": at}
    if result is not None and result.strip():
        changes["result"] = result.strip()
    if record["signed_at"] is None:
        changes["signed_at"] = at
    return ctx.store.update(HOTLINE, ticket_no, changes, expected_rev=expected_rev)


def late_by(deadline: dt.date | None, closed: dt.datetime) -> int | None:
    """How late a ticket closed at ``closed`` was: None when on time (or no 办理时限), else the
    working days past it (0 when it was closed on a rest day just after)."""
    if deadline is None or closed.date() <= deadline:
        return None
    return working_days_between(deadline, closed.date())


def return_ticket(ctx: Context, ticket_no: str, *, expected_rev: int) -> int:
    """退单: an open ticket that is not the town's to handle goes back to the platform."""
    record = _current(ctx, ticket_no)
    if record["status"] not in OPEN_STATUSES:
        raise TicketError([(_label("status"), f"工单状态为{record['status']}，不能退单")])
    return ctx.store.update(HOTLINE, ticket_no, {"status": RETURNED}, expected_rev=expected_rev)


def extend_ticket(
    ctx: Context, ticket_no: str, *, expected_rev: int, working_days: int = EXTENSION_DAYS
) -> tuple[int, Deadline]:
    """延期: moves 办理时限 by up to ``EXTENSION_DAYS`` working days. Returns (revision, new deadline)."""
    record = _current(ctx, ticket_no)
    if record["status"] not in (PENDING, IN_PROGRESS):
        raise TicketError([(_label("status"), f"工单状态为{record['status']}，不能延期")])
    if not 1 <= working_days <= EXTENSION_DAYS:
        raise TicketError([(_label("deadline"), f"延期应为 1 至 {EXTENSION_DAYS} 个工作日")])
    base = record["deadline"] or record["received_at"].date()
    new = add_working_days(base, working_days)
    rev = ctx.store.update(HOTLINE, ticket_no, {"status": EXTENDED, "deadline": new.day}, expected_rev=expected_rev)
    return rev, new


def record_callback(ctx: Context, ticket_no: str, result: str, reason: str | None = None, *, expected_rev: int) -> int:
    """回访: 满意/基本满意/不满意 on a closed ticket; 不满意 needs its reason."""
    record = _current(ctx, ticket_no)
    problems = []
    if result not in CALLBACKS:
        problems.append((_label("callback"), f"应为{'、'.join(CALLBACKS)}之一"))
    if record["status"] != CLOSED:
        problems.append((_label("callback"), "办结后才能回访"))
    reason = (reason or "").strip() or None
    if result == UNSATISFIED and not reason:
        problems.append((_label("unsatisfied_reason"), "回访不满意时须填写原因"))
    if problems:
        raise TicketError(problems)
    changes = {"callback": result, "unsatisfied_reason": reason if result == UNSATISFIED else None}
    return ctx.store.update(HOTLINE, ticket_no, changes, expected_rev=expected_rev)


def grid_choices(ctx: Context) -> list[tuple[str, str]]:
    """The grids a new ticket may be placed in, as the form lists them: (shown, code)."""
    grids = ctx.query("SELECT code, name, village FROM grids ORDER BY code").to_pylist()
    return [
        (f"{g['name'] or g['code']}（{g['village']}）" if g["village"] else (g["name"] or g["code"]), g["code"])
        for g in grids
    ]
