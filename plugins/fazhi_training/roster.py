"""One session's roster (参学名单): who may be on it, who is, and saving the marks as versions.
Separate because the roster screen, the sign-in sheet and the tests all read it, and every
write of the ledger's attendance goes through ``save_roster``. No Textual here.

Candidates are the people in post on the session's day (the host's ``people``), and anyone
already on the roster. Saving writes new records and new versions of changed ones in one
batch from the revisions the screen read (someone else's newer save refuses it, naming who),
removes the marks taken off, and sets the session's 参加人数 to the roster's 出席 count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fazhi_tui.api import REV, Context, StaleRevisionError

from .tables import ATTENDANCE, PRESENT, TRAININGS, attendance_id


@dataclass
class RosterEntry:
    person_id: str
    name: str
    unit: str | None
    roles: tuple[str, ...]
    status: str | None  # 出席 / 请假 / 缺席, None: not on the roster
    score: float | None = None
    rev: int | None = None  # the stored revision (None: not stored)
    saved_status: str | None = None
    saved_score: float | None = None

    @property
    def changed(self) -> bool:
        return (self.status, self.score) != (self.saved_status, self.saved_score)


@dataclass
class Roster:
    training_id: str
    date: dt.date
    kind: str
    topic: str | None
    participants: int | None  # as the session has it now
    session_rev: int
    entries: list[RosterEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"出席": 0, "请假": 0, "缺席": 0, "未登记": 0}
        for e in self.entries:
            out[e.status or "未登记"] += 1
        return out

    @property
    def present(self) -> int:
        return sum(1 for e in self.entries if e.status == PRESENT)

    @property
    def dirty(self) -> bool:
        return any(e.changed for e in self.entries)


def load_roster(ctx: Context, training_id: str) -> Roster | None:
    s = ctx.store.get(TRAININGS, training_id)
    if s is None:
        return None
    rows = ctx.query(
        "WITH marks AS (SELECT person, status, score, _rev FROM training_attendance WHERE training_id = ?) "
        "SELECT p.person_id, p.name, p.unit, p.roles, m.status, m.score, m._rev, m.person IS NOT NULL AS marked "
        "FROM people AS p LEFT JOIN marks AS m ON m.person = p.person_id "
        "WHERE m.person IS NOT NULL OR ((p.start_date IS NULL OR p.start_date <= ?) "
        "AND (p.end_date IS NULL OR p.end_date > ?)) "
        # Those on the roster first, then by unit and name, so a session opens on its roster.
        "ORDER BY marked DESC, p.unit NULLS LAST, p.person_id",
        [training_id, s["date"], s["date"]],
    ).to_pylist()
    unknown = ctx.query(
        "SELECT person, status, score, _rev FROM training_attendance WHERE training_id = ? "
        "AND person NOT IN (SELECT person_id FROM people) ORDER BY person",
        [training_id],
    ).to_pylist()
    entries = [
        RosterEntry(
            r["person_id"],
            r["name"],
            r["unit"],
            tuple(r["roles"] or ()),
            (r["status"] or PRESENT) if r["marked"] else None,
            r["score"],
            r["_rev"],
            (r["status"] or PRESENT) if r["marked"] else None,
            r["score"],
        )
        for r in rows
    ]
    # A roster naming someone no longer in ``people`` keeps them, shown by their id.
    entries += [
        RosterEntry(
            u["person"],
            u["person"],
            None,
            (),
            u["status"] or PRESENT,
            u["score"],
            u["_rev"],
            u["status"] or PRESENT,
            u["score"],
        )
        for u in unknown
    ]
    return Roster(training_id, s["date"], s["kind"], s["topic"], s["participants"], s[REV], entries)


@dataclass(frozen=True)
class SaveResult:
    written: int
    removed: int
    present: int


def save_roster(ctx: Context, roster: Roster) -> SaveResult:
    """Write the roster's changed marks (new versions from the revisions read) and the session's
    参加人数. A mark taken off deletes that record (a version too; history keeps the old)."""
    store = ctx.store
    changed = [e for e in roster.entries if e.changed]
    put = [e for e in changed if e.status is not None]
    gone = [e for e in changed if e.status is None and e.rev is not None]
    rows = [
        {
            "attendance_id": attendance_id(roster.training_id, e.person_id),
            "training_id": roster.training_id,
            "person": e.person_id,
            "status": e.status,
            "score": e.score,
        }
        for e in put
    ]
    expected = {attendance_id(roster.training_id, e.person_id): e.rev for e in put if e.rev is not None}
    if rows:
        store.upsert(ATTENDANCE, rows, expected)
    for e in gone:
        if e.rev is not None:  # only stored entries can be gone
            store.delete(ATTENDANCE, attendance_id(roster.training_id, e.person_id), expected_rev=e.rev)
    present = roster.present
    session = store.get(TRAININGS, roster.training_id)
    if session is not None and session["participants"] != present:
        if session[REV] != roster.session_rev and session["participants"] != roster.participants:
            raise StaleRevisionError(
                TRAININGS, roster.training_id, roster.session_rev, session[REV], session["_by"], session["_at"]
            )
        store.update(TRAININGS, roster.training_id, {"participants": present}, expected_rev=session[REV])
    for e in put:
        e.rev = (e.rev or 0) + 1
        e.saved_status, e.saved_score = e.status, e.score
    for e in gone:
        e.rev, e.saved_status, e.saved_score = None, None, None
    roster.participants = present
    return SaveResult(len(put), len(gone), present)


def roster_rows(ctx: Context, training_id: str) -> list[Mapping[str, Any]]:
    """The roster for a sign-in sheet: people on it, by unit then id (no phones)."""
    return ctx.query(
        "SELECT a.person, coalesce(p.name, a.person) AS name, p.unit, coalesce(a.status, '出席') AS status, a.score "
        "FROM training_attendance AS a LEFT JOIN people AS p ON p.person_id = a.person "
        "WHERE a.training_id = ? ORDER BY p.unit NULLS LAST, a.person",
        [training_id],
    ).to_pylist()
