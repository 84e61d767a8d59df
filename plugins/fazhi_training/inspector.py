"""What the inspector takes away: the year's 学法台账 as XLSX (a sheet of sessions, a sheet of
person-hours; Chinese headers under a title row, both frozen) and one session's roster as a
sign-in sheet (签到表). Separate from the panel's ``e`` export, which writes what a tab shows;
these are documents with a layout of their own. No Textual here; no phone in either.

Written with xlsxwriter to a temporary name and renamed into place, so a failed export leaves
no half file. Text Excel would run as a formula gets an apostrophe in front.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from pathlib import Path
from typing import Any

from fazhi_tui.api import Context, Period

from .hours import person_hours
from .kinds import kind_names
from .roster import roster_rows
from .sessions import ROSTER_SQL
from .tables import EXAM

SESSION_HEADERS = (
    "编号",
    "日期",
    "类型",
    "主题",
    "主讲人",
    "领学人",
    "对象",
    "地点",
    "场所类型",
    "网格",
    "学时",
    "参加人数",
    "备注",
)
HOURS_HEADERS = (
    "序号",
    "人员编号",
    "姓名",
    "单位",
    "角色",
    "学时",
    "目标学时",
    "完成情况",
    "出席次数",
    "缺席次数",
    "请假次数",
    "最近考试成绩",
)
SIGN_HEADERS = ("序号", "姓名", "单位", "出勤", "签名", "成绩")
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _text(v: Any) -> str:
    s = "" if v is None else str(v)
    return "'" + s if _FORMULA.match(s) else s


def _names(ctx: Context) -> dict[str, str]:
    return {r["person_id"]: r["name"] for r in ctx.query("SELECT person_id, name FROM people").to_pylist()}


def year_sessions(ctx: Context, year: int) -> list[dict[str, Any]]:
    """The year's sessions for the sheet: 参加人数 by the roster when there is one; people shown
    by name (主讲人 when it is a person id, 领学人), grids by name."""
    rows = ctx.query(
        f"WITH s AS (SELECT * FROM trainings WHERE date >= ? AND date < ?), r AS ({ROSTER_SQL}) "
        "SELECT s.*, coalesce(r.present, s.participants) AS counted, g.name AS grid_name "
        "FROM s LEFT JOIN r USING (training_id) LEFT JOIN grids AS g ON g.code = s.grid "
        "ORDER BY s.date, s.training_id",
        [dt.date(year, 1, 1), dt.date(year + 1, 1, 1)],
    ).to_pylist()
    names = _names(ctx)
    for r in rows:
        r["speaker_name"] = names.get(r["speaker"], r["speaker"]) if r["speaker"] else None
        r["leader_names"] = "、".join(names.get(p, p) for p in r["leaders"] or ())
    return rows


def _workbook(path: Path):
    import xlsxwriter

    return xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )


def _atomic(out: Path, write) -> Path:
    out = Path(out)
    if not out.parent.is_dir():
        raise ValueError(f"目录 {out.parent} 不存在")
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def write_ledger(ctx: Context, year: int, out: Path) -> Path:
    """The 学法台账 of ``year`` (the whole town): sheet 学习培训活动 and sheet 个人学时."""
    sessions = year_sessions(ctx, year)
    people = person_hours(ctx.replace(grid=None, period=Period.year(year)), year)
    town = ctx.town or ""

    def write(path: Path) -> None:
        wb = _workbook(path)
        try:
            title = wb.add_format({"bold": True, "font_size": 14})
            head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
            date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
            ws = wb.add_worksheet("学习培训活动")
            ws.write_string(0, 0, f"{town}{year}年学法培训与普法活动台账", title)
            for j, h in enumerate(SESSION_HEADERS):
                ws.write_string(1, j, h, head)
            ws.freeze_panes(2, 0)
            for i, r in enumerate(sessions, start=2):
                values = [
                    r["training_id"],
                    r["date"],
                    r["kind"],
                    r["topic"],
                    r["speaker_name"],
                    r["leader_names"],
                    "、".join(r["audience"] or ()),
                    r["venue"],
                    r["venue_kind"],
                    r["grid_name"] or r["grid"],
                    r["hours"],
                    r["counted"],
                    r["note"],
                ]
                for j, v in enumerate(values):
                    if v is None or v == "":
                        continue
                    if isinstance(v, dt.date):
                        ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), date_fmt)
                    elif isinstance(v, (int, float)):
                        ws.write_number(i, j, v)
                    else:
                        ws.write_string(i, j, _text(v))
            for j, w in enumerate((12, 11, 12, 36, 14, 12, 16, 20, 8, 14, 6, 8, 16)):
                ws.set_column(j, j, w)
            wh = wb.add_worksheet("个人学时")
            wh.write_string(
                0, 0, f"{town}{year}年个人学法学时统计（截至{min(ctx.today, dt.date(year, 12, 31)):%Y-%m-%d}）", title
            )
            for j, h in enumerate(HOURS_HEADERS):
                wh.write_string(1, j, h, head)
            wh.freeze_panes(2, 0)
            for n, p in enumerate(people, start=1):
                values = [
                    n,
                    p.person_id,
                    p.name,
                    p.unit,
                    "、".join(p.roles),
                    p.hours,
                    p.target,
                    p.status or "无目标",
                    p.attended,
                    p.missed,
                    p.on_leave,
                    p.exam_score,
                ]
                for j, v in enumerate(values):
                    if v is None or v == "":
                        continue
                    if isinstance(v, (int, float)):
                        wh.write_number(n + 1, j, v)
                    else:
                        wh.write_string(n + 1, j, _text(v))
            for j, w in enumerate((6, 10, 10, 24, 20, 8, 10, 10, 10, 10, 10, 12)):
                wh.set_column(j, j, w)
        finally:
            wb.close()

    return _atomic(out, write)


def write_sign_in(ctx: Context, training_id: str, out: Path) -> Path:
    """One session's sign-in sheet: what, when, where and who spoke, then a row per person on its
    roster (name, unit, 出勤, an empty 签名 cell, and the score for an exam)."""
    rows = ctx.query(
        "SELECT t.*, g.name AS grid_name FROM trainings AS t LEFT JOIN grids AS g ON g.code = t.grid "
        "WHERE t.training_id = ?",
        [training_id],
    ).to_pylist()
    if not rows:
        raise ValueError(f"没有编号为 {training_id} 的活动")
    s = rows[0]
    names = _names(ctx)
    roster = roster_rows(ctx, training_id)
    exams = kind_names(ctx, EXAM)

    def write(path: Path) -> None:
        wb = _workbook(path)
        try:
            title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
            label = wb.add_format({"bold": True})
            head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
            cell = wb.add_format({"border": 1})
            ws = wb.add_worksheet("签到表")
            ws.merge_range(0, 0, 0, len(SIGN_HEADERS) - 1, f"{s['kind']}签到表", title)
            info = [
                ("编号", s["training_id"]),
                ("主题", s["topic"]),
                ("日期", f"{s['date']:%Y年%m月%d日}"),
                ("地点", s["venue"] or s["grid_name"]),
                ("主讲人", names.get(s["speaker"], s["speaker"]) if s["speaker"] else None),
                ("领学人", "、".join(names.get(p, p) for p in s["leaders"] or ()) or None),
                ("学时", s["hours"]),
            ]
            info = [(k, v) for k, v in info if v not in (None, "")]
            for i, (k, v) in enumerate(info, start=1):
                ws.write_string(i, 0, k, label)
                if isinstance(v, (int, float)):
                    ws.write_number(i, 1, v)
                else:
                    ws.merge_range(i, 1, i, len(SIGN_HEADERS) - 1, _text(v))
            top = len(info) + 2
            for j, h in enumerate(SIGN_HEADERS):
                ws.write_string(top, j, h, head)
            ws.freeze_panes(top + 1, 0)
            for n, r in enumerate(roster, start=1):
                i = top + n
                ws.write_number(i, 0, n, cell)
                ws.write_string(i, 1, _text(r["name"]), cell)
                ws.write_string(i, 2, _text(r["unit"]), cell)
                ws.write_string(i, 3, r["status"], cell)
                ws.write_blank(i, 4, None, cell)
                if s["kind"] in exams and r["score"] is not None:
                    ws.write_number(i, 5, r["score"], cell)
                else:
                    ws.write_blank(i, 5, None, cell)
            ws.write_string(
                top + len(roster) + 2, 0, f"应到 {len(roster)} 人，实到 {sum(r['status'] == '出席' for r in roster)} 人"
            )
            for j, w in enumerate((6, 12, 26, 8, 16, 8)):
                ws.set_column(j, j, w)
        finally:
            wb.close()

    return _atomic(out, write)
