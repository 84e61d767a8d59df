"""References to the grids and people tables: given by code or by name, stored as the code.

Separate from ``validate`` because resolving reads the referenced table from the store. Import,
forms and the store's API resolve through the same ``RefResolver``, so a 网格 column takes the
same values wherever a row comes from:

- the code (``41042110820201``) or the name (``大黄村网格``) of a grid, a person's 人员编号 or
  姓名 (a name that several records share is refused, naming their codes);
- for grids also a village (``大黄村``, ``大黄村委会``, ``大黄村民委员会``, ``赵庄镇大黄村``), when
  that village has exactly one grid; with several the message names them.

A reference into a table that is still empty is not checked (grids name their heads and people
their grids: one of the two must come first; ``fazhi-tui check`` checks both once both are in).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from .errors import RowProblem, ValidationError
from .spec import TableSpec
from .views import qident

MAX_PROBLEMS = 1000
GRIDS = "grids"

# How a village committee is written after the village's own name: 大黄村委会, 大黄村民委员会,
# 大黄村村民委员会 all name 大黄村; a 居委会 names its 社区.
_COMMITTEE_SUFFIXES = (
    ("村村民委员会", "村"),
    ("村民委员会", "村"),
    ("村委员会", "村"),
    ("村委会", "村"),
    ("村委", "村"),
    ("社区居民委员会", "社区"),
    ("居民委员会", ""),
    ("社区居委会", "社区"),
    ("居委会", ""),
)
# Levels above a village that a sheet may write before it: 河南省…市…县赵庄镇大黄村.
_ABOVE_VILLAGE = re.compile(r"(?:省|市|县|区|镇|乡|街道|办事处)")


def _norm(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text)))


def village_key(text: str) -> str:
    """A village as written without its committee suffix: 大黄村委会, 大黄村民委员会 → 大黄村."""
    base = _norm(text)
    for suffix, repl in _COMMITTEE_SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)] + repl
    return base


def village_candidates(text: str) -> list[str]:
    """The villages ``text`` may name, most literal first: itself, then without each level
    above the village (``河南省…县赵庄镇大黄村委会`` → … → ``大黄村``), each as ``village_key``."""
    base = _norm(text)
    out = [village_key(base)]
    for m in _ABOVE_VILLAGE.finditer(base):
        key = village_key(base[m.end() :])
        if key and key not in out:
            out.append(key)
    return out


class RefResolver:
    """One reference column's values resolved to codes, reading the referenced table once.

    Each distinct value is resolved (and, if wrong, reported at its first row) once, whichever
    batch it appears in: an import keeps one resolver for the whole file."""

    def __init__(self, store, col, src: str | None = None):
        self.col, self.src = col, src
        self.ref_spec: TableSpec = store.spec(col.ref)
        names = self.ref_spec.column_names
        name_col = "name" if "name" in names else None
        village_col = "village" if self.ref_spec.name == GRIDS and "village" in names else None
        rows = store.query(
            f"SELECT CAST({qident(self.ref_spec.key)} AS VARCHAR) AS k, "
            + (f"{qident(name_col)} AS n, " if name_col else "NULL AS n, ")
            + (f"{qident(village_col)} AS v" if village_col else "NULL AS v")
            + f" FROM {qident(self.ref_spec.name)} ORDER BY 1"
        ).to_pylist()
        self.codes = {r["k"] for r in rows}
        self.by_name: dict[str, list[str]] = {}
        self.by_village: dict[str, list[str]] = {}
        self.names: dict[str, str] = {}
        for r in rows:
            if r["n"]:
                self.by_name.setdefault(_norm(r["n"]), []).append(r["k"])
                self.names[r["k"]] = r["n"]
            if r["v"]:
                self.by_village.setdefault(village_key(r["v"]), []).append(r["k"])
        self.resolved: dict[str, str | None] = {}
        # The store's API keeps a value that names no record (see ``resolve_references``).
        self.keep_unknown = False

    def _named(self, codes: list[str]) -> str:
        shown = [f"{self.names[c]}（{c}）" if c in self.names else c for c in codes[:6]]
        return "、".join(shown) + ("等" if len(codes) > 6 else "")

    def lookup(self, value: str) -> tuple[str | None, str | None]:
        """``(code, None)``, or ``(None, why)`` when ``value`` names no record or several."""
        if value in self.codes:
            return value, None
        text = _norm(value)
        if text in self.codes:
            return text, None
        hits = self.by_name.get(text, [])
        if len(hits) == 1:
            return hits[0], None
        if hits:
            return None, f"“{value}”对应多个{self.ref_spec.label}（{'、'.join(hits[:5])}），请改用编码"
        if self.by_village:
            for form in village_candidates(text):
                grids = self.by_village.get(form)
                if not grids:
                    continue
                if len(grids) == 1:
                    return grids[0], None
                return None, f"“{value}”有 {len(grids)} 个网格：{self._named(grids)}，请填写其中一个的名称或编码"
        what = "编码、名称或所属村" if self.by_village else "编码或名称"
        return None, f"{self.ref_spec.label}“{value}”不存在（可填{what}）"

    def _names_nothing(self, value: str) -> bool:
        text = _norm(value)
        return text not in self.by_name and not any(form in self.by_village for form in village_candidates(text))

    def _one(self, v: str, row: int | None, problems: list[RowProblem], room: Callable[[], bool]) -> str | None:
        code, why = self.lookup(v)
        if code is None and self.keep_unknown and self._names_nothing(v):
            return v  # ambiguous names and villages are still refused
        if why is not None and room():
            problems.append(RowProblem(row, self.col.label, why, self.src))
        return code

    def resolve(self, values, rows: pa.Array, problems: list[RowProblem], room: Callable[[], bool]):
        """``values`` with names replaced by codes; a value that resolves to nothing becomes
        null and adds a problem at its row (``rows``: each value's row as the user counts it)."""
        col = self.col
        if pa.types.is_list(col.type):
            out = []
            for i, items in enumerate(values.to_pylist()):
                out.append(None if items is None else [self._one(v, rows[i].as_py(), problems, room) for v in items])
            return pa.array(out, type=col.type)
        distinct = pc.unique(values).drop_null().to_pylist()
        unknown = [v for v in distinct if v not in self.codes]
        if not unknown:
            return values
        first = [v for v in unknown if v not in self.resolved]
        if first:
            at = pc.index_in(pa.array(first, values.type), value_set=values)  # first row of each in this batch
            for v, i in zip(first, at.to_pylist(), strict=True):
                self.resolved[v] = self._one(v, rows[i].as_py(), problems, room)
        names = pa.array(unknown, values.type)
        codes = pa.array([self.resolved[v] for v in unknown], col.type)
        where = pc.index_in(values, value_set=names)
        return pc.if_else(pc.is_null(where), values, codes.take(where))


def resolvers(store, spec: TableSpec, columns=None, src: str | None = None) -> tuple[dict[str, RefResolver], list]:
    """A resolver for each reference column of ``spec`` (among ``columns`` when given) whose
    table is loaded and not empty; and the columns left unchecked because their table is empty."""
    out: dict[str, RefResolver] = {}
    empty = []
    for col in spec.columns:
        if not col.ref or col.ref not in store.specs or (columns is not None and col.name not in columns):
            continue
        if store.count(col.ref) == 0:
            empty.append(col)
            continue
        out[col.name] = RefResolver(store, col, src)
    return out, empty


def resolve_references(store, spec: TableSpec, table: pa.Table, first_row: int = 1) -> pa.Table:
    """The batch with every reference given by name or village resolved to its code (the
    store's API, and so every form); raises ``ValidationError`` naming the row and column of a
    name that several records share. A value that names nothing is kept as given: a county-wide
    store holds tickets of other townships whose grids are not in its grids table (an import, a
    clerk's file, refuses it; ``fazhi-tui check`` lists those left)."""
    found = resolvers(store, spec)[0]
    if not found:
        return table
    problems: list[RowProblem] = []
    rows = pa.array(range(first_row, first_row + table.num_rows), pa.int64())
    for name, resolver in found.items():
        i = table.schema.get_field_index(name)
        resolver.keep_unknown = True
        resolved = resolver.resolve(
            table.column(i).combine_chunks(), rows, problems, room=lambda: len(problems) < MAX_PROBLEMS
        )
        table = table.set_column(i, table.schema.field(i), resolved)
    if problems:
        raise ValidationError(spec.name, sorted(problems, key=lambda p: p.row or 0))
    return table


def resolve_reference(store, table: str, column: str, value: str) -> str:
    """One value of ``table.column`` resolved to the referenced code (for a form field); raises
    ``ValidationError`` with the reason under the column's label."""
    spec = store.spec(table)
    col = spec.column(column)
    if not col.ref or col.ref not in store.specs or store.count(col.ref) == 0:
        return value
    code, why = RefResolver(store, col).lookup(value)
    if code is None:
        raise ValidationError(spec.name, [RowProblem(None, col.label, why or f"“{value}”无法识别")])
    return code
