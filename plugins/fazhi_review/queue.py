"""The queue: every plugin's checks run for today and the grid, merged, ordered and matched with
the marks in the store. No Textual: the panel, its count in the panel list and the CLI's digest
all build the same ``Queue`` here.

A check that raises (or returns something that is not a list of ``ReviewItem``) becomes one
failed entry naming its plugin; the other checks stand. An item handled or snoozed comes back
when its record has a newer revision than the one the mark noted, and a snoozed one on the day
it was snoozed to.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from fazhi_tui.api import AT, BY, REV, Context, PluginCheck, ReviewCheck, ReviewItem, StoreError

from .tables import HANDLED, MARKS, OPEN, SNOOZED

# What an entry is, as the screen and the digest say it.
FAILED = "检查出错"
MAX_ERROR = 300  # characters of a check's error shown in its row
CHECK_THREADS = 4


@dataclass(frozen=True)
class MarkVersion:
    """One version of a mark: who changed it, when, to what."""

    rev: int
    at: dt.datetime
    by: str
    state: str
    note: str | None = None
    snooze_until: dt.date | None = None
    assignee: str | None = None

    def describe(self) -> str:
        """One line for the history: 已处理（备注） / 暂缓至 11月30日 / 指派给 li / 撤销为待办."""
        parts = [f"暂缓至 {self.snooze_until:%Y-%m-%d}" if self.state == SNOOZED and self.snooze_until else self.state]
        if self.assignee:
            parts.append(f"指派给 {self.assignee}")
        if self.note:
            parts.append(f"备注：{self.note}")
        return "，".join(parts)


@dataclass(frozen=True)
class Mark:
    """The newest version of an item's mark, with every version (oldest first)."""

    mark_id: str
    state: str
    rev: int
    at: dt.datetime
    by: str
    note: str | None = None
    snooze_until: dt.date | None = None
    assignee: str | None = None
    record_rev: int | None = None
    record_at: dt.datetime | None = None
    history: tuple[MarkVersion, ...] = ()


@dataclass(frozen=True)
class RecordState:
    """The record an item points at, as it is now."""

    rev: int
    at: dt.datetime
    by: str


@dataclass(frozen=True)
class Entry:
    """One row of the queue: an item of a check (or a check's failure), with its mark."""

    key: str
    plugin: str
    check: str
    check_title: str
    order: int
    position: int  # where the check put it (its own order within the check)
    item: ReviewItem
    status: str = OPEN  # OPEN, HANDLED, SNOOZED or FAILED
    error: str | None = None
    grid_name: str | None = None
    mark: Mark | None = None
    record: RecordState | None = None
    # Handled or snoozed, then the record changed: listed again, saying so.
    reappeared: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in (OPEN, FAILED)

    @property
    def assignee(self) -> str | None:
        return self.mark.assignee if self.mark is not None else None

    @property
    def opens_record(self) -> bool:
        return self.item.table is not None and self.status != FAILED

    def matches(self, text: str) -> bool:
        """Whether the filter ``text`` (words, all of them) is in the entry's title, detail,
        grid, check, plugin or assignee."""
        hay = " ".join(
            filter(
                None,
                (
                    self.item.title,
                    self.item.detail,
                    self.grid_name,
                    self.item.grid,
                    self.check_title,
                    self.plugin,
                    self.assignee,
                    self.error,
                ),
            )
        ).lower()
        return all(word in hay for word in text.lower().split())

    def for_user(self, user: str | None) -> bool:
        """Whether the entry is ``user``'s to do: assigned to them or to nobody (None: everyone's)."""
        return user is None or self.assignee in (None, user)


@dataclass(frozen=True)
class Group:
    check: str
    check_title: str
    plugin: str
    entries: tuple[Entry, ...]

    @property
    def failed(self) -> bool:
        return any(e.status == FAILED for e in self.entries)


@dataclass(frozen=True)
class Queue:
    today: dt.date
    grid_label: str
    entries: tuple[Entry, ...]  # every entry, open or not, in the queue's order
    checks: int = 0
    errors: tuple[str, ...] = field(default_factory=tuple)  # what went wrong beside the checks

    def open_entries(self, user: str | None = None, text: str = "") -> list[Entry]:
        return [e for e in self.entries if e.is_open and e.for_user(user) and (not text or e.matches(text))]

    def open_count(self, user: str | None = None) -> int:
        return sum(1 for e in self.entries if e.is_open and e.for_user(user))

    def overdue_count(self, user: str | None = None) -> int:
        return sum(1 for e in self.open_entries(user) if e.item.overdue)

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    def entry(self, key: str) -> Entry | None:
        return next((e for e in self.entries if e.key == key), None)


def groups(entries: Iterable[Entry]) -> list[Group]:
    """Entries (already in queue order) grouped by check, keeping that order."""
    out: list[Group] = []
    index: dict[str, list[Entry]] = {}
    firsts: list[Entry] = []
    for e in entries:
        if e.check not in index:
            index[e.check] = []
            firsts.append(e)
        index[e.check].append(e)
    for first in firsts:
        out.append(Group(first.check, first.check_title, first.plugin, tuple(index[first.check])))
    return out


def entry_key(check: str, item: ReviewItem) -> str:
    """The identity of an item across days: the check and the record, or the check and the
    title for an item without a record (a title such as 今日（2026-11-27）镇机关未安排值班)."""
    if item.table and item.record_id:
        return f"{check}:{item.table}:{item.record_id}"
    return f"{check}:{item.title}"


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR] + "…"


def run_check(ctx: Context, source: PluginCheck) -> tuple[list[ReviewItem], str | None]:
    """One check's items for ``ctx`` (with its plugin's settings), or why it failed."""
    check: ReviewCheck = source.check
    try:
        found = check.find(ctx.replace(settings=source.settings))
        items = list(found) if found is not None else []
        bad = [i for i in items if not isinstance(i, ReviewItem)]
        if bad:
            raise TypeError(f"find 返回了非 ReviewItem 的对象：{bad[0]!r:.100}")
    except Exception as exc:  # one plugin's check costs only its own rows
        return [], _error_text(exc)
    return items, None


# Queues already built, by (store, today, grid, the store's files): the panel and its count in the
# panel list ask for the same queue, and a period change (which the queue ignores) asks again. Any
# write, here or by a colleague, changes the files' signature and so builds a new one.
_CACHE: OrderedDict[tuple, Queue] = OrderedDict()
_CACHE_SIZE = 8
_CACHE_LOCK = threading.Lock()


def build_queue(ctx: Context, checks: Sequence[PluginCheck] | None = None, *, cached: bool = True) -> Queue:
    """Today's queue for ``ctx.grid``: every check run, merged and ordered, with the marks."""
    sources = list(ctx.review_checks if checks is None else checks)
    if not cached:
        return _build(ctx, sources)
    key = (
        id(ctx.store),
        ctx.today,
        ctx.grid.code if ctx.grid is not None else None,
        tuple((s.plugin, s.check.name, id(s.check)) for s in sources),
        ctx.store.state_signature(),
    )
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    queue = _build(ctx, sources)
    with _CACHE_LOCK:
        _CACHE[key] = queue
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return queue


def _build(ctx: Context, sources: list[PluginCheck]) -> Queue:
    raw: list[Entry] = []
    # The checks side by side: each is a query or a few, too small to keep both cores busy alone
    # (the store gives every thread its own DuckDB cursor). Results are taken in load order.
    with ThreadPoolExecutor(max_workers=max(1, min(CHECK_THREADS, len(sources))), thread_name_prefix="review") as pool:
        results = list(pool.map(lambda source: run_check(ctx, source), sources))
    for source, (items, error) in zip(sources, results, strict=True):
        check = source.check
        if error is not None:
            item = ReviewItem(f"“{check.title}”检查出错（插件 {source.plugin}）", error)
            raw.append(
                Entry(f"{check.name}:!", source.plugin, check.name, check.title, check.order, 0, item, FAILED, error)
            )
            continue
        seen: set[str] = set()
        for position, item in enumerate(items):
            key = entry_key(check.name, item)
            if key in seen:  # a check listing one record twice: the first stands
                continue
            seen.add(key)
            raw.append(Entry(key, source.plugin, check.name, check.title, check.order, position, item))
    errors: list[str] = []
    marks = _read_marks(ctx, [e.key for e in raw if e.status != FAILED], errors)
    records = _read_records(ctx, [e for e in raw if e.key in marks], errors)
    names = _grid_names(ctx, {e.item.grid for e in raw if e.item.grid})
    entries = [_with_mark(e, marks.get(e.key), records, names, ctx.today) for e in raw]
    return Queue(ctx.today, ctx.grid_label, tuple(order_entries(entries)), len(sources), tuple(errors))


def open_count(ctx: Context) -> int:
    """The count beside 每日待办 in the panel list: the open items, failed checks included."""
    return build_queue(ctx).open_count()


def order_entries(entries: Iterable[Entry]) -> list[Entry]:
    """Failed checks first (so nobody misses that the list is incomplete); then the checks with
    overdue items, then by the earliest due date, then the checks' own ``order``. Within a check:
    overdue first, then by due date (none last), then as the check listed them."""
    by_check: dict[str, list[Entry]] = {}
    for e in entries:
        by_check.setdefault(e.check, []).append(e)

    def item_key(e: Entry) -> tuple:
        return (not e.item.overdue, e.item.due or dt.date.max, e.position)

    def group_key(name: str) -> tuple:
        group = by_check[name]
        live = [e for e in group if e.is_open] or group
        failed = any(e.status == FAILED for e in group)
        overdue = any(e.item.overdue for e in live)
        first_due = min((e.item.due for e in live if e.item.due), default=dt.date.max)
        return (not failed, not overdue, first_due, group[0].order, name)

    out: list[Entry] = []
    for name in sorted(by_check, key=group_key):
        out += sorted(by_check[name], key=item_key)
    return out


def _with_mark(
    e: Entry, mark: Mark | None, records: dict[tuple[str, str], RecordState], names: dict[str, str], today: dt.date
) -> Entry:
    grid_name = names.get(e.item.grid or "")
    if e.status == FAILED:
        return replace(e, grid_name=grid_name)
    record = records.get((e.item.table or "", e.item.record_id or "")) if e.item.record_id else None
    status, reappeared = OPEN, False
    if mark is not None and mark.state in (HANDLED, SNOOZED):
        changed = record is not None and mark.record_rev is not None and record.rev > mark.record_rev
        woke = mark.state == SNOOZED and (mark.snooze_until is None or mark.snooze_until <= today)
        if changed or woke:
            reappeared = True
        else:
            status = mark.state
    return replace(e, status=status, grid_name=grid_name, mark=mark, record=record, reappeared=reappeared)


def _read_marks(ctx: Context, keys: list[str], errors: list[str]) -> dict[str, Mark]:
    """The marks of these items (newest version of each, with its history)."""
    if not keys or MARKS not in ctx.store.specs:
        return {}
    try:
        rows = ctx.query(
            f"SELECT mark_id, {REV}, {AT}, {BY}, state, note, snooze_until, assignee, record_rev, record_at "
            f"FROM {MARKS}_history WHERE _op = 'put' AND mark_id IN (SELECT unnest(?::VARCHAR[])) "
            f"ORDER BY mark_id, {REV}",
            [keys],
        ).to_pylist()
    except StoreError as exc:
        errors.append(f"读取待办标记出错：{exc}")
        return {}
    versions: dict[str, list[dict]] = {}
    for r in rows:
        versions.setdefault(r["mark_id"], []).append(r)
    current = (
        {
            r["mark_id"]
            for r in ctx.query(
                f"SELECT mark_id FROM {MARKS} WHERE mark_id IN (SELECT unnest(?::VARCHAR[]))", [list(versions)]
            ).to_pylist()
        }
        if versions
        else set()
    )
    out: dict[str, Mark] = {}
    for mark_id, vs in versions.items():
        if mark_id not in current:
            continue  # deleted (by hand, through the store): no mark
        last = vs[-1]
        history = tuple(
            MarkVersion(v[REV], v[AT], v[BY], v["state"], v["note"], v["snooze_until"], v["assignee"]) for v in vs
        )
        out[mark_id] = Mark(
            mark_id,
            last["state"],
            last[REV],
            last[AT],
            last[BY],
            last["note"],
            last["snooze_until"],
            last["assignee"],
            last["record_rev"],
            last["record_at"],
            history,
        )
    return out


def _read_records(ctx: Context, entries: list[Entry], errors: list[str]) -> dict[tuple[str, str], RecordState]:
    """The current revision of each marked item's record (only those: most items have no mark)."""
    ids: dict[str, set[str]] = {}
    for e in entries:
        if e.item.table and e.item.record_id:
            ids.setdefault(e.item.table, set()).add(e.item.record_id)
    out: dict[tuple[str, str], RecordState] = {}
    for table, wanted in ids.items():
        try:
            versions = ctx.store.latest_versions(table, sorted(wanted))
        except StoreError as exc:
            errors.append(f"读取表 {table} 的记录版本出错：{exc}")
            continue
        for rid, v in versions.items():
            out[(table, rid)] = RecordState(v.rev, v.at, v.by)
    return out


def _grid_names(ctx: Context, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    try:
        rows = ctx.query(
            "SELECT code, name FROM grids WHERE code IN (SELECT unnest(?::VARCHAR[]))", [sorted(codes)]
        ).to_pylist()
    except StoreError:
        return {}
    return {r["code"]: r["name"] or r["code"] for r in rows}


def record_state(ctx: Context, entry: Entry) -> RecordState | None:
    """The item's record as it is now (for a mark written now), or None."""
    if not (entry.item.table and entry.item.record_id):
        return None
    versions = ctx.store.latest_versions(entry.item.table, [entry.item.record_id])
    v = versions.get(entry.item.record_id)
    return RecordState(v.rev, v.at, v.by) if v is not None else None
