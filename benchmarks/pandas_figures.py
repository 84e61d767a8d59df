"""The hotline panel's figures in pandas: what an analyst would otherwise do with the same files.

Each figure starts from the Parquet files, as fazhi-tui's queries do: it reads the columns it
needs (with the period pushed down to the reader as a filter), adds the log files that compaction
has not folded yet, keeps the newest version of each record (the current state), and computes.
``in_memory`` computes the same from frames loaded once (``load_frames``), as in a notebook.

Definitions follow ``plugins/fazhi_hotline/queries.py``; the suite checks every result against
the plugin's own, so a change there that is not made here shows up as a disagreement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .scale_store import TODAY, TOWN, YEAR

CLOSED, RETURNED = "已办结", "退单"
OPEN = ("待签收", "办理中", "延期")
WORK_ORDER, PHONE_ORDER = "工单", "电话单"
SATISFIED, BASIC, UNSATISFIED = "满意", "基本满意", "不满意"
NONE_CLASS, NO_GRID = "未分类", "未指定网格"
META = ["_id", "_rev", "_op"]
FIG_COLS = ["source", "received_at", "status", "deadline", "closed_at", "callback", "repeat_call", "town", "grid"]
WEIGHTS = {
    "completion": 0.20,
    "on_time": 0.25,
    "satisfaction": 0.30,
    "callback": 0.10,
    "returned": 0.10,
    "repeat": 0.05,
}


@dataclass
class Files:
    current: list[str]  # the compacted current files of ``hotline``
    delta: list[str]  # its log files not folded yet
    grids: list[str] = field(default_factory=list)  # every file of ``grids`` (a small table)
    soon: str = ""  # the next working day after TODAY (ISO), from the plugin's calendar


def read(files: Files, columns: list[str], start=None, end=None, filters=None) -> pd.DataFrame:
    """Current state of ``columns`` for tickets received in [start, end) (all when None)."""
    cols = META + [c for c in columns if c not in META]
    pushed = list(filters or [])
    if start is not None:
        pushed += [("received_at", ">=", pd.Timestamp(start)), ("received_at", "<", pd.Timestamp(end))]
    parts = [pd.read_parquet(f, columns=cols, filters=pushed or None) for f in files.current]
    parts += [pd.read_parquet(f, columns=cols) for f in files.delta]
    df = pd.concat(parts, ignore_index=True)
    df = df.sort_values("_rev", kind="stable").drop_duplicates("_id", keep="last")
    df = df[df["_op"] == "put"]
    if start is not None:
        df = df[(df["received_at"] >= pd.Timestamp(start)) & (df["received_at"] < pd.Timestamp(end))]
    return df


def _town(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["town"] == TOWN).fillna(False) | df["town"].isna()]


def _flags(df: pd.DataFrame) -> dict[str, pd.Series]:
    status = df["status"]
    closed = (status == CLOSED).fillna(False).astype(bool)
    returned = (status == RETURNED).fillna(False).astype(bool)
    deadline = pd.to_datetime(df["deadline"])
    closed_day = pd.to_datetime(df["closed_at"]).dt.normalize()
    has_both = deadline.notna() & closed_day.notna()
    late_closed = closed & has_both & (closed_day > deadline)
    open_late = ~closed & ~returned & deadline.notna() & (deadline < pd.Timestamp(TODAY))
    cb = df["callback"]
    return {
        "work_orders": (df["source"] == WORK_ORDER).fillna(False).astype(bool),
        "phone_orders": (df["source"] == PHONE_ORDER).fillna(False).astype(bool),
        "returned": returned,
        "closed": closed,
        "closed_on_time": closed & ~(has_both & (closed_day > deadline)),
        "overdue": late_closed | open_late,
        "called_back": cb.notna(),
        "satisfied": cb.isin([SATISFIED, BASIC]).fillna(False).astype(bool),
        "unsatisfied": (cb == UNSATISFIED).fillna(False).astype(bool),
        "repeat_calls": df["repeat_call"].fillna(False).astype(bool),
        "open": ~closed & ~returned,
    }


def _aggregate(df: pd.DataFrame) -> dict[str, int]:
    out = {"received": int(len(df))}
    out.update({k: int(v.sum()) for k, v in _flags(df).items()})
    return out


# -- the figures, from the files ---------------------------------------------------------------------
def figures(files: Files, frame: pd.DataFrame | None = None) -> dict:
    start, mid, end = dt.date(YEAR - 1, 1, 1), dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1)
    df = _town(frame if frame is not None else read(files, FIG_COLS, start, end))
    df = df[(df["received_at"] >= pd.Timestamp(start)) & (df["received_at"] < pd.Timestamp(end))]
    cur = df["received_at"] >= pd.Timestamp(mid)
    return {"current": _aggregate(df[cur]), "previous": _aggregate(df[~cur])}


def _year(files: Files, frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1)
    df = frame if frame is not None else read(files, columns, start, end)
    return df[(df["received_at"] >= pd.Timestamp(start)) & (df["received_at"] < pd.Timestamp(end))]


def monthly_trend(files: Files, frame: pd.DataFrame | None = None) -> list[dict]:
    df = _town(_year(files, frame, ["source", "received_at", "status", "town", "grid"]))
    month = df["received_at"].dt.month
    g = (
        pd.DataFrame(
            {
                "month": month,
                "work_orders": (df["source"] == WORK_ORDER).fillna(False).astype(int),
                "phone_orders": (df["source"] == PHONE_ORDER).fillna(False).astype(int),
                "received": 1,
                "closed": (df["status"] == CLOSED).fillna(False).astype(int),
            }
        )
        .groupby("month")
        .sum()
    )
    rows = []
    for m in range(1, 13):
        r = g.loc[m] if m in g.index else None
        rows.append(
            {
                "month": dt.date(YEAR, m, 1).isoformat(),
                **{k: int(r[k]) if r is not None else 0 for k in ("work_orders", "phone_orders", "received", "closed")},
            }
        )
    return rows


def category_breakdown(files: Files, frame: pd.DataFrame | None = None) -> list[dict]:
    df = _town(_year(files, frame, ["received_at", "category1", "category2", "town", "grid"]))
    c1 = df["category1"].fillna(NONE_CLASS)
    c2 = df["category2"].fillna(NONE_CLASS)
    counts = pd.DataFrame({"c1": c1, "c2": c2}).value_counts().reset_index(name="n")
    total = int(counts["n"].sum())
    level1 = counts.groupby("c1")["n"].sum().reset_index()
    level1 = level1.sort_values(["n", "c1"], ascending=[False, True])
    rows = []
    for c1_value, n1 in zip(level1["c1"], level1["n"], strict=False):
        rows.append(
            {
                "level": 1,
                "category1": c1_value,
                "category2": None,
                "count": int(n1),
                "share": round(n1 / total if total else 0.0, 6),
            }
        )
        sub = counts[counts["c1"] == c1_value].sort_values(["n", "c2"], ascending=[False, True])
        for c2_value, n2 in zip(sub["c2"], sub["n"], strict=False):
            rows.append(
                {
                    "level": 2,
                    "category1": c1_value,
                    "category2": c2_value,
                    "count": int(n2),
                    "share": round(n2 / total if total else 0.0, 6),
                }
            )
    return rows


def _grids(files: Files) -> pd.DataFrame:
    g = pd.concat([pd.read_parquet(f, columns=META + ["code", "name"]) for f in files.grids], ignore_index=True)
    g = g.sort_values("_rev", kind="stable").drop_duplicates("_id", keep="last")
    return g[g["_op"] == "put"][["code", "name"]]


def grid_breakdown(files: Files, frame: pd.DataFrame | None = None) -> list[dict]:
    df = _town(_year(files, frame, FIG_COLS))
    f = _flags(df)
    t = pd.DataFrame(
        {
            "grid": df["grid"],
            "received": 1,
            "closed": f["closed"].astype(int),
            "overdue": f["overdue"].astype(int),
            "unsatisfied": f["unsatisfied"].astype(int),
        }
    )
    grids = _grids(files)
    known = t["grid"].isin(grids["code"]).fillna(False).astype(bool)
    per = t[known].groupby("grid")[["received", "closed", "overdue", "unsatisfied"]].sum()
    rows = []
    for code, name in zip(grids["code"], grids["name"], strict=False):
        r = per.loc[code] if code in per.index else None
        rows.append(
            {
                "grid": code,
                "grid_name": name,
                **{k: int(r[k]) if r is not None else 0 for k in ("received", "closed", "overdue", "unsatisfied")},
            }
        )
    rows.sort(key=lambda r: (-r["received"], r["grid"]))
    rest = t[~known]
    if len(rest):
        rows.append(
            {
                "grid": None,
                "grid_name": NO_GRID,
                **{k: int(rest[k].sum()) for k in ("received", "closed", "overdue", "unsatisfied")},
            }
        )
    return rows


def _score(f: dict[str, int]) -> float:
    def rate(a, b):
        return a / b if b else 0.0

    handled = f["received"] - f["returned"]
    metrics = {
        "completion": rate(f["closed"], handled),
        "on_time": rate(f["closed_on_time"], f["closed"]),
        "satisfaction": rate(f["satisfied"], f["called_back"]),
        "callback": rate(f["called_back"], f["closed"]),
        "returned": 1.0 - rate(f["returned"], f["received"]),
        "repeat": 1.0 - rate(f["repeat_calls"], f["received"]),
    }
    return round(100 * sum(WEIGHTS[k] * v for k, v in metrics.items()) / sum(WEIGHTS.values()), 2)


def quarter_ranks(files: Files, frame: pd.DataFrame | None = None) -> list[dict]:
    """The town's computed rank among the townships, each quarter of the year (no published ranks)."""
    df = _year(files, frame, FIG_COLS)
    town = df["town"].fillna(TOWN)
    quarter = df["received_at"].dt.quarter
    out = []
    for q in range(1, 5):
        if dt.date(YEAR, 3 * q - 2, 1) > TODAY:
            out.append({"quarter": f"{YEAR}Q{q}", "rank": None, "towns": None, "score": None})
            continue
        in_q = df[quarter == q]
        scored = []
        for name, part in in_q.groupby(town[quarter == q]):
            scored.append((_score(_aggregate(part)), name))
        scored.sort(key=lambda s: (-s[0], s[1]))
        ranks, prev = {}, None
        for i, (score, name) in enumerate(scored):
            rank = prev[1] if prev is not None and prev[0] == score else i + 1
            ranks[name] = (rank, score)
            prev = (score, rank)
        mine = ranks.get(TOWN) if len(scored) >= 2 else None
        out.append(
            {
                "quarter": f"{YEAR}Q{q}",
                "rank": mine[0] if mine else None,
                "towns": len(scored) if mine else None,
                "score": mine[1] if mine else None,
            }
        )
    return out


OPEN_COLS = ["ticket_no", "received_at", "status", "deadline", "town", "grid"]


def _open(files: Files, frame: pd.DataFrame | None, county: bool) -> dict:
    df = frame if frame is not None else read(files, OPEN_COLS, filters=[("status", "in", list(OPEN))])
    df = df[df["status"].isin(OPEN).fillna(False).astype(bool)]
    if not county:
        df = _town(df)
    deadline = pd.to_datetime(df["deadline"])
    today, soon = pd.Timestamp(TODAY), pd.Timestamp(files.soon)
    page = df.assign(_d=deadline).sort_values(["_d", "received_at", "ticket_no"], na_position="last").head(50)
    return {
        "total": int(len(df)),
        "overdue": int((deadline < today).sum()),
        "due_soon": int(((deadline >= today) & (deadline <= soon)).sum()),
        "first_page": page["ticket_no"].tolist(),
    }


def open_tickets_town(files: Files, frame: pd.DataFrame | None = None) -> dict:
    return _open(files, frame, county=False)


def open_tickets_county(files: Files, frame: pd.DataFrame | None = None) -> dict:
    return _open(files, frame, county=True)


def overview(files: Files, frame: pd.DataFrame | None = None) -> dict:
    """The panel's overview: the four figures below from one read of the two years."""
    if frame is None:
        frame = read(files, FIG_COLS + ["category1", "category2"], dt.date(YEAR - 1, 1, 1), dt.date(YEAR + 1, 1, 1))
    return {
        "figures": figures(files, frame),
        "monthly_trend": monthly_trend(files, frame),
        "category_breakdown": category_breakdown(files, frame),
        "grid_breakdown": grid_breakdown(files, frame),
    }


FIGURES = {
    "overview": overview,
    "figures": figures,
    "monthly_trend": monthly_trend,
    "category_breakdown": category_breakdown,
    "grid_breakdown": grid_breakdown,
    "quarter_ranks": quarter_ranks,
    "open_tickets_town": open_tickets_town,
    "open_tickets_county": open_tickets_county,
}


# -- from frames loaded once -------------------------------------------------------------------------
def load_frames(files: Files) -> dict[str, pd.DataFrame]:
    span = read(files, FIG_COLS + ["category1", "category2"], dt.date(YEAR - 1, 1, 1), dt.date(YEAR + 1, 1, 1))
    open_ = read(files, OPEN_COLS, filters=[("status", "in", list(OPEN))])
    return {"span": span, "open": open_}


def in_memory(files: Files) -> dict:
    """Each figure computed from ``load_frames``'s frames (the grids table, small, is read each time)."""
    return {
        name: (lambda frames, fn=fn, key=key: fn(files, frames[key]))
        for name, fn, key in ((n, f, "open" if n.startswith("open") else "span") for n, f in FIGURES.items())
    }


# -- comparing with fazhi-tui's results ---------------------------------------------------------------
def canonical(name: str, result) -> object:
    return result


def compare(got, want, path: str = "") -> tuple[bool, str]:
    """Equal as data (numbers within 1e-6); the first difference, for the report."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got), key=str):
            if k not in got or k not in want:
                return False, f"{path}.{k}: missing on one side"
            ok, diff = compare(got[k], want[k], f"{path}.{k}")
            if not ok:
                return ok, diff
        return True, ""
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return False, f"{path}: {len(got)} items in pandas, {len(want)} in fazhi-tui"
        for i, (a, b) in enumerate(zip(got, want, strict=False)):
            ok, diff = compare(a, b, f"{path}[{i}]")
            if not ok:
                return ok, diff
        return True, ""
    if (
        isinstance(want, (int, float))
        and isinstance(got, (int, float, np.integer, np.floating))
        and not isinstance(want, bool)
    ):
        return (abs(float(got) - float(want)) <= 1e-6, f"{path}: pandas {got}, fazhi-tui {want}")
    return (got == want, f"{path}: pandas {got!r}, fazhi-tui {want!r}")
