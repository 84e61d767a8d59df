"""Deterministic scale stores of 12345 hotline tickets, built through the program's own write path.

A county's hotline: ``rows`` tickets over 13 townships and 5 years (2021-01-01 to ``TODAY``), with
the ``grids`` table of one town (赵庄镇, the office's own: the demo's 23 grids, imported from
``data/grids.geojson`` by the program's importer). Tickets are written with ``Store.append`` in ten
batches in time order (as a platform sync would), folded by ``compact``; then 1% of the records
get a new version through ``Store.save``, left in the log as the delta that current-state reads
must take into account. Two variants of that 1%:

- ``recent``: what really happens. A ticket is signed, closed and called back within weeks of its
  intake, so the versions written since the last compaction belong to tickets received in the
  last six weeks: the compacted file holds the earlier step (待签收 / 办理中 / no callback yet),
  the delta the step after it. The delta replaces versions in two or three months only.
- ``uniform``: the same number of edits spread at random over all five years (a re-classification
  of old tickets: 一级/二级分类 corrected), the worst case for the anti-join: every month touched.

Both variants share one compacted base (hard-linked: files are immutable), so the edits of one
variant are simply absent from the other (the ``uniform`` store keeps its recent tickets at the
earlier step, the ``recent`` store keeps the uncorrected classifications).

Every value is drawn from ``numpy.random.default_rng`` with fixed seeds: the same size gives the
same store, byte for byte in content (file names and write times differ). Used by the benchmark
suite only; the program never imports this.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

import fazhi_tui.store  # noqa: F401  (before fazhi_tui.api: that import order avoids a cycle)
from fazhi_hotline.deadlines import add_working_days, rules_from_settings
from fazhi_hotline.tables import CATEGORIES, HOTLINE, HOTLINE_SPEC, RANKS_SPEC
from fazhi_tui.host_tables import HOST_TABLES
from fazhi_tui.store import Store
from fazhi_tui.store.compact import compact

# Bump when the generated data changes, so cached stores are rebuilt.
GENERATOR_VERSION = 5  # 4: edits written with the store's folding; 5: hotline sorted by town, grid

REPO = Path(__file__).resolve().parent.parent
STORES = Path(__file__).resolve().parent / ".stores"
GRIDS_GEOJSON = REPO / "data" / "grids.geojson"

TOWN = "赵庄镇"  # the office's own town: its grids are in ``grids``; the panels look at it
OTHER_TOWNS = (
    "城关镇",
    "李庄镇",
    "王岗镇",
    "柳营乡",
    "高桥镇",
    "马村乡",
    "石桥镇",
    "杨集镇",
    "龙泉乡",
    "黄坡镇",
    "新安镇",
    "河口乡",
)
TOWNS = (TOWN,) + OTHER_TOWNS  # 13 townships (the others are illustrative names)
FIRST_DAY = dt.date(2021, 1, 1)
TODAY = dt.date(2025, 12, 20)  # FAZHI_TODAY of every measurement: the data runs up to it
YEAR = 2025  # the year the panels show (the dashboard opens on it)
BATCHES = 10  # appends of the initial load, in time order
EDIT_BATCHES = 10  # saves of the 1% edits (a day's sync each, say)
EDIT_SHARE = 0.01
RECENT_WINDOW_DAYS = 42  # the realistic edits fall on tickets received in the last six weeks
USER = "bench"

SOURCES = ("工单", "电话单")
# Stores built before issue 20 hold 其它 for 其他: the hotline table reads both as 其他 (its
# code_aliases), so their answers and GENERATOR_VERSION are unchanged.
APPEALS = ("咨询", "求助", "投诉举报", "建议", "其他")
APPEAL_P = (0.30, 0.20, 0.35, 0.05, 0.10)
URGENCIES = ("一般", "紧急", "特急")
URGENCY_P = (0.90, 0.08, 0.02)
SURNAMES = tuple("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
GIVEN = (
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
)
PHRASES = (
    "反映问题较长时间未解决，希望尽快处理",
    "多次反映无果，要求相关部门到现场核实",
    "影响周边群众正常生活，请求协调解决",
    "咨询相关政策及办理流程",
    "希望有关部门加强管理",
    "要求给予答复并说明处理结果",
    "存在安全隐患，请尽快排查",
    "建议完善相关设施",
)
UNSATISFIED_REASONS = ("问题未解决", "办理时间过长", "未与来电人联系", "答复不清楚", "态度不好")
CATEGORY2 = tuple(c2 for c2s in CATEGORIES.values() for c2 in c2s)
CATEGORY1_OF = tuple(c1 for c1, c2s in CATEGORIES.items() for _ in c2s)


@dataclass(frozen=True)
class Size:
    name: str
    rows: int
    import_rows: int
    scroll_rows: int
    runs: int
    big_import_rows: int = 0  # issue 22: a county's five years, from Parquet and from CSV


SIZES = {
    "smoke": Size("smoke", 20_000, 5_000, 500, 2, 5_000),
    "1m": Size("1m", 1_000_000, 1_000_000, 10_000, 5, 1_000_000),
    "10m": Size("10m", 10_000_000, 1_000_000, 10_000, 5, 10_000_000),
}
VARIANTS = ("recent", "uniform")
# The uniform edits as they stand before the store folds them (written with ``auto_fold=False``):
# the state a store is in for the seconds a fold takes, measured for the current-state rows only.
UNFOLDED = "uniform-unfolded"


def town_grids() -> list[tuple[str, str]]:
    """(code, name) of the town's 23 grids, as in ``data/grids.geojson``."""
    data = json.loads(GRIDS_GEOJSON.read_text("utf-8"))
    return [(f["properties"]["code"], f["properties"]["name"]) for f in data["features"]]


# -- generating tickets -------------------------------------------------------------------------
_DEADLINE_DAYS_CACHE: dict[tuple[dt.date, int], dict[int, np.ndarray]] = {}


def _deadline_table(first: dt.date, days: int) -> dict[int, np.ndarray]:
    """For each working-day count the rules use, the deadline (days since 1970) of a ticket
    received on each day from ``first``: the plugin's own working-day calendar."""
    key = (first, days)
    if key not in _DEADLINE_DAYS_CACHE:
        counts = sorted({rules_from_settings(None).days_for(a, u) for a in APPEALS for u in URGENCIES})
        epoch = dt.date(1970, 1, 1)
        _DEADLINE_DAYS_CACHE[key] = {
            n: np.array(
                [(add_working_days(first + dt.timedelta(days=i), n).day - epoch).days for i in range(days)], np.int64
            )
            for n in counts
        }
    return _DEADLINE_DAYS_CACHE[key]


def _take(values, idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as an Arrow string array (Arrow's take, not a Python object array)."""
    return pa.array(list(values), pa.string()).take(pa.array(idx))


def _pick(rng: np.random.Generator, values: tuple[str, ...], n: int, p=None) -> pa.Array:
    return _take(values, rng.choice(len(values), n, p=p))


def _text_concat(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


@dataclass
class Tickets:
    """A block of generated tickets: their state as of ``TODAY``, and each one's age in days."""

    table: pa.Table  # HOTLINE_SPEC's data columns, the state as of TODAY
    age_days: np.ndarray  # TODAY minus the day received


def generate(start_index: int, n: int, first: dt.date, last: dt.date, seed: int, *, town_weights=None) -> Tickets:
    """``n`` tickets received between ``first`` and ``last`` (inclusive), sorted by 受理时间, their
    numbers running from ``start_index``; each ticket's life (sign, close, callback) follows its
    working-day 办理时限 and is cut at ``TODAY``."""
    rng = np.random.default_rng(seed)
    span_days = (last - first).days + 1
    day = np.sort(rng.integers(0, span_days, n))
    # Office hours mostly; a tenth at any hour.
    sec = np.where(rng.random(n) < 0.9, rng.integers(8 * 3600, 20 * 3600, n), rng.integers(0, 86400, n))
    base = np.datetime64(first.isoformat(), "s")
    received = base + day.astype("timedelta64[D]") + sec.astype("timedelta64[s]")
    order = np.lexsort((sec, day))
    day, sec, received = day[order], sec[order], received[order]
    idx = np.arange(start_index, start_index + n)

    source = rng.choice(2, n, p=(0.54, 0.46))
    appeal = rng.choice(len(APPEALS), n, p=APPEAL_P)
    urgency = rng.choice(len(URGENCIES), n, p=URGENCY_P)
    # Skewed classification: a few second-level classes take most tickets.
    weights = 1.0 / np.arange(1, len(CATEGORY2) + 1) ** 0.8
    c2 = rng.permutation(len(CATEGORY2))[rng.choice(len(CATEGORY2), n, p=weights / weights.sum())]
    tw = np.full(len(TOWNS), 1.0 / len(TOWNS)) if town_weights is None else np.asarray(town_weights, float)
    town = rng.choice(len(TOWNS), n, p=tw / tw.sum())
    grids = town_grids()
    grid_no = rng.integers(0, len(grids), n)
    no_grid = rng.random(n) < 0.03

    # 办理时限: the N-th working day after the day received (chinesecalendar, as the plugin does).
    rules = rules_from_settings(None)
    n_days = np.array([[rules.days_for(a, u) for u in URGENCIES] for a in APPEALS])[appeal, urgency]
    table = _deadline_table(first, span_days)
    deadline = np.empty(n, np.int64)
    for k, arr in table.items():
        m = n_days == k
        deadline[m] = arr[day[m]]
    received_day = (np.datetime64(first.isoformat(), "D") - np.datetime64("1970-01-01", "D")).astype(np.int64) + day
    today = (np.datetime64(TODAY.isoformat(), "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    now_s = np.datetime64(TODAY.isoformat(), "s") + np.timedelta64(18 * 3600, "s")  # 18:00 on TODAY

    # A ticket's life: signed within hours, closed in a share of its time limit (lognormal; about
    # 4% late), called back within ten days of closing. Some are returned (退单) to the platform;
    # a few get stuck (延期 or 办理中 for good).
    sign_after = np.minimum(rng.exponential(5 * 3600, n), 3 * 86400).astype(np.int64) + 600
    limit_s = (deadline - received_day + 1) * 86400 - sec
    close_after = (limit_s * np.exp(rng.normal(np.log(0.42), 0.5, n))).astype(np.int64) + 1800
    callback_after = rng.integers(1, 11, n) * 86400
    returned = rng.random(n) < 0.03
    stuck = rng.random(n) < 0.002
    signed_at = received + sign_after.astype("timedelta64[s]")
    closed_at = signed_at + close_after.astype("timedelta64[s]")
    callback_at = closed_at + callback_after.astype("timedelta64[s]")
    is_signed = signed_at <= now_s
    is_closed = is_signed & ~returned & ~stuck & (closed_at <= now_s)
    is_called = is_closed & (callback_at <= now_s) & (rng.random(n) < 0.9)
    status = np.full(n, 0)  # 待签收
    status[is_signed] = 1  # 办理中
    status[is_signed & (stuck | (closed_at > now_s)) & (deadline < today)] = 4  # 延期 (past 办理时限, still open)
    status[is_closed] = 2  # 已办结
    status[is_signed & returned] = 3  # 退单
    cb = rng.choice(3, n, p=(0.88, 0.08, 0.04))
    ts = pa.timestamp("us")
    to_ts = lambda a: pa.array(a.astype("datetime64[us]"), ts)  # noqa: E731

    c2_arr = _take(CATEGORY2, c2)
    c1_arr = _take(CATEGORY1_OF, c2)
    prefix = _take(("GD", "DH"), source)
    number = pc.utf8_lpad(pa.array(idx).cast(pa.string()), 9, "0")
    grid_codes = np.asarray([g[0] for g in grids], dtype=object)
    own = town == 0
    # Other townships' grids are not in ``grids`` (only the office's own town is): their codes
    # follow the same pattern with the township's number in place of 赵庄镇's.
    other_codes = pa.array(41042110000000 + town * 1_000_000 + grid_no * 100 + 1).cast(pa.string())
    grid_arr = pc.if_else(pa.array(own), pa.array(grid_codes).take(pa.array(grid_no)), other_codes)
    grid_arr = pc.if_else(pa.array(no_grid), pa.scalar(None, pa.string()), grid_arr)
    village = _take([g[1].removesuffix("网格") for g in grids], grid_no)
    village = pc.if_else(pa.array(own), village, _take(TOWNS, town))
    content = _text_concat(village, c2_arr, pa.scalar("方面："), _pick(rng, PHRASES, n))
    caller = _text_concat(_pick(rng, SURNAMES, n), _pick(rng, GIVEN, n))
    phone = _text_concat(pa.scalar("1"), pa.array(rng.integers(3_000_000_000, 9_999_999_999, n)).cast(pa.string()))
    town_arr = _take(TOWNS, town)

    cols = {
        "ticket_no": _text_concat(prefix, number),
        "source": _take(SOURCES, source),
        "received_at": to_ts(received),
        "appeal_type": _take(APPEALS, appeal),
        "category1": c1_arr,
        "category2": c2_arr,
        "content": content,
        "caller": caller,
        "phone": phone,
        "grid": grid_arr,
        "urgency": _take(URGENCIES, urgency),
        "signed_at": pc.if_else(pa.array(is_signed), to_ts(signed_at), pa.scalar(None, ts)),
        "deadline": pa.array(deadline.astype("datetime64[D]"), pa.date32()),
        "closed_at": pc.if_else(pa.array(is_closed), to_ts(closed_at), pa.scalar(None, ts)),
        # 办理结果 came after these stores' shape was fixed: empty, so GENERATOR_VERSION (and the
        # stores already built, read with the column missing) stay as they are.
        "result": pa.nulls(n, pa.string()),
        "status": _take(("待签收", "办理中", "已办结", "退单", "延期"), status),
        "callback": pc.if_else(
            pa.array(is_called), _take(("满意", "基本满意", "不满意"), cb), pa.scalar(None, pa.string())
        ),
        "unsatisfied_reason": pc.if_else(
            pa.array(is_called & (cb == 2)), _pick(rng, UNSATISFIED_REASONS, n), pa.scalar(None, pa.string())
        ),
        "repeat_call": pa.array(rng.random(n) < 0.04),
        "town": town_arr,
    }
    t = pa.table(cols).cast(HOTLINE_SPEC.data_schema)
    return Tickets(t, (today - received_day).astype(np.int64))


def _batches(rows: int, n_batches: int) -> list[tuple[int, int, dt.date, dt.date]]:
    """(start index, rows, first day, last day) of each batch, in time order."""
    total_days = (TODAY - FIRST_DAY).days + 1
    out = []
    for b in range(n_batches):
        d0 = FIRST_DAY + dt.timedelta(days=total_days * b // n_batches)
        d1 = FIRST_DAY + dt.timedelta(days=total_days * (b + 1) // n_batches - 1)
        r0, r1 = rows * b // n_batches, rows * (b + 1) // n_batches
        out.append((r0, r1 - r0, d0, d1))
    return out


def _earlier_step(t: pa.Table) -> pa.Table:
    """The version before a ticket's last step: before its callback, before closing, or before
    signing (a 退单 or 延期 was 办理中 before). What the compacted file holds for a recent edit."""
    status = t.column("status")
    has_cb = pc.is_valid(t.column("callback"))
    closed = pc.equal(status, "已办结")
    in_progress = pc.or_(pc.equal(status, "退单"), pc.equal(status, "延期"))
    signed_only = pc.equal(status, "办理中")
    null_s = pa.scalar(None, pa.string())
    null_ts = pa.scalar(None, pa.timestamp("us"))
    # with a callback -> no callback yet; closed -> 办理中; 退单/延期 -> 办理中; 办理中 -> 待签收
    new_status = pc.if_else(
        has_cb,
        status,
        pc.if_else(
            pc.or_(closed, in_progress), pa.scalar("办理中"), pc.if_else(signed_only, pa.scalar("待签收"), status)
        ),
    )
    cols = {name: t.column(name) for name in t.column_names}
    cols["callback"] = pc.if_else(has_cb, null_s, t.column("callback"))
    cols["unsatisfied_reason"] = pc.if_else(has_cb, null_s, t.column("unsatisfied_reason"))
    cols["closed_at"] = pc.if_else(pc.and_(closed, pc.invert(has_cb)), null_ts, t.column("closed_at"))
    cols["signed_at"] = pc.if_else(pc.and_(signed_only, pc.invert(has_cb)), null_ts, t.column("signed_at"))
    cols["status"] = new_status
    return pa.table(cols, schema=t.schema)


def _misclassified(t: pa.Table, seed: int) -> pa.Table:
    """The uncorrected version of a uniform edit: another 二级分类 (and its 一级)."""
    rng = np.random.default_rng(seed)
    c2 = rng.choice(len(CATEGORY2), t.num_rows)
    cols = {name: t.column(name) for name in t.column_names}
    cols["category2"] = _take(CATEGORY2, c2)
    cols["category1"] = _take(CATEGORY1_OF, c2)
    return pa.table(cols, schema=t.schema)


def _edit_choice(rows: int, ages: np.ndarray, pending: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the recent edits (tickets of the last six weeks that moved on from intake)
    and of the uniform edits (any ticket, not a recent edit)."""
    rng = np.random.default_rng(seed + 1)
    n_edit = int(rows * EDIT_SHARE)
    candidates = np.flatnonzero((ages < RECENT_WINDOW_DAYS) & ~pending)
    recent = np.sort(rng.choice(candidates, min(n_edit, len(candidates)), replace=False))
    pool = np.setdiff1d(np.arange(rows), recent, assume_unique=True)
    uniform = np.sort(rng.choice(pool, n_edit, replace=False))
    return recent, uniform


# -- building -----------------------------------------------------------------------------------
def specs():
    return list(HOST_TABLES) + [HOTLINE_SPEC, RANKS_SPEC]


def store_dir(size: str, variant: str) -> Path:
    return STORES / f"{size}-v{GENERATOR_VERSION}" / variant


def _done(path: Path) -> bool:
    return (path / ".bench-complete").is_file()


def _mark_done(path: Path, info: dict) -> None:
    (path / ".bench-complete").write_text(json.dumps(info, ensure_ascii=False, indent=1, default=str), "utf-8")


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(f"  [store] {msg}", flush=True)


def ensure_stores(size: str, quiet: bool = False) -> dict[str, Path]:
    """The ``recent`` and ``uniform`` stores of a size, built once and cached in ``.stores/``."""
    rows = SIZES[size].rows
    root = STORES / f"{size}-v{GENERATOR_VERSION}"
    paths = {v: store_dir(size, v) for v in (*VARIANTS, UNFOLDED)}
    if all(_done(p) for p in paths.values()):
        return paths
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    t_all = time.perf_counter()
    base = root / "base"
    # The history before the edits is folded by one full compaction below, as an administrator
    # would run it; folding after each of these big appends would only repeat that work.
    store = Store.open(base, specs(), create=True, user=USER, auto_fold=False)
    _import_grids(store)
    recent_rows: list[pa.Table] = []
    uniform_rows: list[pa.Table] = []
    batches = _batches(rows, BATCHES)
    # Which tickets are edited is decided on the whole set, batch by batch (positions are global).
    ages = np.empty(rows, np.int64)
    pending = np.empty(rows, bool)
    generated: list[Tickets] = []
    for b, (r0, n, d0, d1) in enumerate(batches):
        tk = generate(r0, n, d0, d1, seed=1000 + b)
        ages[r0 : r0 + n] = tk.age_days
        pending[r0 : r0 + n] = pc.equal(tk.table.column("status"), "待签收").to_numpy(zero_copy_only=False)
        generated.append(tk)
    recent, uniform = _edit_choice(rows, ages, pending, seed=7)
    t0 = time.perf_counter()
    for b, (r0, n, d0, d1) in enumerate(batches):
        tk = generated[b]
        generated[b] = None
        final = tk.table
        rpos = recent[(recent >= r0) & (recent < r0 + n)] - r0
        upos = uniform[(uniform >= r0) & (uniform < r0 + n)] - r0
        base_t = final
        if len(rpos) or len(upos):
            # The base holds the earlier version of each edited ticket.
            rows_idx = np.arange(n)
            r_mask = np.zeros(n, bool)
            r_mask[rpos] = True
            u_mask = np.zeros(n, bool)
            u_mask[upos] = True
            earlier = _earlier_step(final.take(pa.array(rpos))) if len(rpos) else None
            wrong = _misclassified(final.take(pa.array(upos)), seed=2000 + b) if len(upos) else None
            keep = pa.array(rows_idx[~(r_mask | u_mask)])
            parts = [final.take(keep).append_column("__pos", pa.array(rows_idx[~(r_mask | u_mask)]))]
            if earlier is not None:
                parts.append(earlier.append_column("__pos", pa.array(rpos)))
                recent_rows.append(final.take(pa.array(rpos)))
            if wrong is not None:
                parts.append(wrong.append_column("__pos", pa.array(upos)))
                uniform_rows.append(final.take(pa.array(upos)))
            merged = pa.concat_tables(parts)
            base_t = merged.take(pc.sort_indices(merged.column("__pos"))).drop_columns(["__pos"])
        at = dt.datetime.combine(d1, dt.time(23, 0), tzinfo=dt.UTC)
        store.append(HOTLINE, base_t, at=at, by=USER)
        _log(f"appended batch {b + 1}/{len(batches)}: {n} tickets {d0}..{d1} ({time.perf_counter() - t0:.1f} s)", quiet)
    t1 = time.perf_counter()
    compact(store)
    _log(f"compacted {rows} tickets ({time.perf_counter() - t1:.1f} s)", quiet)
    store.close()
    for variant, edits, auto_fold in (
        ("recent", recent_rows, True),
        ("uniform", uniform_rows, True),
        (UNFOLDED, uniform_rows, False),
    ):
        dest = paths[variant]
        # Hard links: the compacted files are immutable, so the variants share them.
        subprocess.run(["cp", "-al", str(base), str(dest)], check=True)
        st = Store.open(dest, specs(), user=USER, auto_fold=auto_fold)
        t_edit = time.perf_counter()
        edited = pa.concat_tables(edits) if edits else None
        if edited is not None and edited.num_rows:
            # In the order they happened (by 受理时间 for want of better), in a few batches.
            edited = edited.take(pc.sort_indices(edited.column("received_at")))
            for k in range(EDIT_BATCHES):
                part = edited.slice(
                    edited.num_rows * k // EDIT_BATCHES,
                    edited.num_rows * (k + 1) // EDIT_BATCHES - edited.num_rows * k // EDIT_BATCHES,
                )
                if part.num_rows == 0:
                    continue
                expected = {k_: 1 for k_ in part.column("ticket_no").to_pylist()}
                when = dt.datetime.combine(
                    TODAY - dt.timedelta(days=EDIT_BATCHES - 1 - k), dt.time(12, 0), tzinfo=dt.UTC
                )
                st.save(HOTLINE, part, expected, at=when, by=USER)
                # The store folds on a thread of its own when a write makes it due; waiting for
                # it here keeps the build deterministic (the dashboard does not wait).
                st.settle()
        tf = st.files(HOTLINE)
        info = {
            "size": size,
            "variant": variant,
            "rows": rows,
            "edits": 0 if edited is None else edited.num_rows,
            "delta_files": len(tf.delta_files),
            "delta_rows": tf.delta_rows,
            "gen": tf.gen,
            "superseded_months": sorted(m or "" for m in (tf.superseded_months() or [])),
            "folds": [r.describe() for r in st.folds],
            "edits_s": round(time.perf_counter() - t_edit, 1),
            "today": TODAY,
            "generator": GENERATOR_VERSION,
            "built_s": round(time.perf_counter() - t_all, 1),
        }
        st.close()
        _mark_done(dest, info)
        _log(
            f"{variant}: {info['edits']} edits in {info['edits_s']} s, {len(st.folds)} folds; delta now "
            f"{info['delta_rows']} versions in {info['delta_files']} files, months {info['superseded_months'][:3]}…",
            quiet,
        )
    return paths


def _import_grids(store: Store) -> None:
    from fazhi_tui.transfer.importer import plan_import, run_import

    run_import(store, plan_import(store, "grids", GRIDS_GEOJSON))


# -- the CSV to import --------------------------------------------------------------------------
def ensure_import_csv(size: str, quiet: bool = False) -> Path:
    """``import_rows`` tickets of the five years before the store's (2016-2020), county-wide, as
    a CSV with the platform's Chinese headers (UTF-8 with BOM, as Excel saves it). 赵庄镇's
    tickets carry grid codes; other townships' leave 网格 empty (their grids are not in ``grids``)."""
    n = SIZES[size].import_rows
    path = STORES / f"{size}-v{GENERATOR_VERSION}" / f"import-{n}.csv"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tk = generate(10**8, n, dt.date(2016, 1, 1), dt.date(2020, 12, 31), seed=4242)
    t = tk.table
    own = pc.equal(t.column("town"), TOWN)
    t = t.set_column(
        t.schema.get_field_index("grid"), "grid", pc.if_else(own, t.column("grid"), pa.scalar(None, pa.string()))
    )
    out = {}
    for col in HOTLINE_SPEC.columns:
        arr = t.column(col.name)
        if pa.types.is_timestamp(col.type):
            arr = pc.strftime(arr.cast(pa.timestamp("s")), "%Y-%m-%d %H:%M:%S")
        elif pa.types.is_date(col.type):
            arr = pc.strftime(arr, "%Y-%m-%d")
        elif pa.types.is_boolean(col.type):
            arr = pc.if_else(arr, pa.scalar("是"), pa.scalar("否"))
        out[col.label] = arr
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write("\ufeff".encode())
        pacsv.write_csv(pa.table(out), fh, pacsv.WriteOptions(quoting_style="needed"))
    os.replace(tmp, path)
    _log(f"wrote {path.name}: {n} rows, {path.stat().st_size >> 20} MiB ({time.perf_counter() - t0:.1f} s)", quiet)
    return path


def ensure_big_import(size: str, quiet: bool = False) -> dict[str, Path]:
    """``big_import_rows`` tickets of 2016-2020 (the five years before the store's), 13
    townships, as the platform exports them: Chinese headers, one Parquet file (typed columns)
    and the same rows as a CSV (UTF-8 with BOM). Written in ten blocks in time order, so a 10M
    file never sits in memory; 赵庄镇's tickets carry grid codes, the other townships' none."""
    n = SIZES[size].big_import_rows
    folder = STORES / f"{size}-v{GENERATOR_VERSION}"
    paths = {"Parquet": folder / f"county-{n}.parquet", "CSV": folder / f"county-{n}.csv"}
    if all(p.is_file() for p in paths.values()):
        return paths
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    first, days = dt.date(2016, 1, 1), (dt.date(2020, 12, 31) - dt.date(2016, 1, 1)).days + 1
    tmp = {k: p.with_name(p.name + ".tmp") for k, p in paths.items()}
    pw = cw = fh = None
    try:
        for b in range(10):
            d0, d1 = first + dt.timedelta(days=days * b // 10), first + dt.timedelta(days=days * (b + 1) // 10 - 1)
            r0, r1 = n * b // 10, n * (b + 1) // 10
            t = generate(10**8 + r0, r1 - r0, d0, d1, seed=4242 + b).table
            own = pc.equal(t.column("town"), TOWN)
            grid = pc.if_else(own, t.column("grid"), pa.scalar(None, pa.string()))
            t = t.set_column(t.schema.get_field_index("grid"), "grid", grid)
            typed = pa.table({c.label: t.column(c.name) for c in HOTLINE_SPEC.columns})
            if pw is None:
                pw = pq.ParquetWriter(tmp["Parquet"], typed.schema, compression="zstd")
            pw.write_table(typed, row_group_size=100_000)
            text = pa.table({c.label: _as_text(t.column(c.name), c.type) for c in HOTLINE_SPEC.columns})
            if cw is None:
                fh = open(tmp["CSV"], "wb")
                fh.write("\ufeff".encode())
                cw = pacsv.CSVWriter(fh, text.schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
            cw.write_table(text)
    finally:
        for w in (pw, cw, fh):
            if w is not None:
                w.close()
    for k, p in paths.items():
        os.replace(tmp[k], p)
    _log(f"wrote {n:,} tickets of 2016-2020 as Parquet and CSV ({time.perf_counter() - t0:.1f} s)", quiet)
    return paths


def _as_text(arr: pa.ChunkedArray, t: pa.DataType) -> pa.ChunkedArray:
    """A column as the platform's CSV writes it."""
    if pa.types.is_timestamp(t):
        return pc.strftime(arr.cast(pa.timestamp("s")), "%Y-%m-%d %H:%M:%S")
    if pa.types.is_date(t):
        return pc.strftime(arr, "%Y-%m-%d")
    if pa.types.is_boolean(t):
        return pc.if_else(arr, pa.scalar("是"), pa.scalar("否"))
    return arr


def latest_manifest(root: Path, table: str) -> dict | None:
    """The manifest of a table's newest generation (what the last write or fold made of it)."""
    gens = sorted((root / table / "_gen").glob("[0-9]*"))
    for g in reversed(gens):
        m = g / "manifest.json"
        if m.is_file():
            return json.loads(m.read_text("utf-8"))
    return None


def store_info(path: Path) -> dict:
    return json.loads((path / ".bench-complete").read_text("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.scale_store --size 10m``: build (or find) a size's stores and CSV."""
    import argparse

    global STORES
    p = argparse.ArgumentParser()
    p.add_argument("--size", choices=sorted(SIZES), required=True)
    p.add_argument("--stores")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.stores:
        STORES = Path(args.stores).resolve()
    paths = ensure_stores(args.size, quiet=args.quiet)
    csv = ensure_import_csv(args.size, quiet=args.quiet)
    print(json.dumps({"stores": {k: str(v) for k, v in paths.items()}, "csv": str(csv)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
