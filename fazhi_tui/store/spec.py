"""Table specs: what a table holds, declared by the host and by plugins.

A spec is plain data. The store uses it to validate writes and build views; the CLI prints it;
import/export use its Chinese labels as headers; screens use its PII marks to mask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

# Every stored row is one version of a record. These columns come first in every file.
ID = "_id"  # the record's identity: its key value as text
REV = "_rev"  # 1 for the first version, +1 for each edit or deletion
OP = "_op"  # "put" or "delete"
AT = "_at"  # when the version was written (UTC)
BY = "_by"  # the OS user who wrote it

META_FIELDS: tuple[pa.Field, ...] = (
    pa.field(ID, pa.string(), nullable=False),
    pa.field(REV, pa.int32(), nullable=False),
    pa.field(OP, pa.string(), nullable=False),
    pa.field(AT, pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field(BY, pa.string(), nullable=False),
)
META_NAMES = tuple(f.name for f in META_FIELDS)
META_LABELS = {ID: "记录号", REV: "版本", OP: "操作", AT: "时间", BY: "操作人"}

# Kinds of personal information and how screens mask them (DOMAIN.md §6). A ``phone`` column
# is also checked on every write: a mobile or landline number (``store/rules.py``).
PII_KINDS = ("name", "phone", "id_number", "address")

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class SpecError(ValueError):
    """A table spec that cannot be used (a plugin author's mistake)."""


@dataclass(frozen=True)
class Column:
    """One column: an English identifier with the Chinese label users see."""

    name: str
    type: pa.DataType
    label: str
    required: bool = False
    pii: str | None = None  # one of PII_KINDS
    codes: str | None = None  # name of a code table the values must come from
    ref: str | None = None  # "grids" or "people": values are that table's keys
    doc: str = ""
    # Inclusive (low, high) for numbers and dates, either end None for open; a value outside is
    # refused on every write. Dates default to 1900-01-01 … 2099-12-31 (store.content).
    bounds: tuple[Any, Any] | None = None

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise SpecError(f"列名 {self.name!r} 须为小写英文标识符")
        if self.pii is not None and self.pii not in PII_KINDS:
            raise SpecError(f"列 {self.name} 的个人信息类型 {self.pii!r} 未知（可选：{', '.join(PII_KINDS)}）")


@dataclass(frozen=True)
class RowRule:
    """A rule between the columns of one row, checked on every write path (import, forms, API).

    ``check`` is a DuckDB SQL boolean expression over the table's column names that is true for a
    good row, e.g. ``"status <> '已办结' OR closed_at IS NOT NULL"``; a row for which it is NULL
    passes (write ``IS NULL`` tests explicitly). A row that breaks it is refused with ``message``,
    naming the row and ``column`` (the column a person should fix)."""

    name: str
    check: str
    column: str
    message: str


@dataclass(frozen=True)
class ComputedColumn:
    """A default computed from the row's other columns, filled where a row arrives without a
    value (import, forms and the store's API alike): e.g. the hotline's 办理时限 from 受理时间
    and 诉求类型 in working days.

    ``compute(batch, settings)`` gets a batch of rows (a ``pa.Table`` with the table's data
    schema; the column to fill may be null in some rows) and the owning plugin's
    ``[plugin.<name>]`` settings, and returns an array of the column's type, one value per row
    (None where it cannot tell). Only the null cells take its value; a value given is kept.
    It runs on batches of up to 25,000 rows in an import: work on distinct inputs, not row by
    row in Python, where that matters. ``inputs`` names the columns it reads (documentation, and
    checked to exist)."""

    column: str
    compute: Callable[[pa.Table, Mapping[str, Any]], pa.Array | pa.ChunkedArray]
    inputs: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class RefRule:
    """A reference across tables that a per-row ``RowRule`` cannot say: the values of ``columns``
    in a row must exist together in ``table``'s current records as ``keys``, e.g. (执法人员1,
    执法证号1) in ``people`` as (person_id, badge_no). A row with any of ``columns`` NULL passes.
    Checked against the store on every write path (import, forms, API) and refused naming the
    row and ``column``; skipped when ``table`` is not in the store (its plugin is not loaded)."""

    name: str
    columns: tuple[str, ...]
    table: str
    keys: tuple[str, ...]
    column: str
    message: str


@dataclass(frozen=True)
class ImportNote:
    """A warning an import shows before anything is written: the file is valid, but something in
    it disagrees with what the store holds (a roster whose count differs from the session's
    参加人数). Not a refusal: the user reads it in the preview (and the CLI prints it) and decides.

    ``query`` is a DuckDB SELECT over ``incoming`` (the rows the file would write, with the table's
    columns and ``_row``, the row in the file) and the store's views; each row it returns is one
    warning, worded by ``message`` (``str.format`` over the query's columns). Only the first
    ``MAX_IMPORT_NOTES`` of each note are shown, then how many more there are."""

    name: str
    query: str
    message: str


@dataclass(frozen=True)
class TableSpec:
    """A table: columns, key, labels, PII marks, code tables, partitioning.

    ``period_column`` names the date or timestamp that places a record in a period; the panels'
    period filter uses it and compaction partitions files by its year (Hive style: ``year=2023``).
    ``grid_column`` names the column that places a record in a grid.
    """

    name: str
    label: str
    columns: tuple[Column, ...]
    key: str
    period_column: str | None = None
    grid_column: str | None = None
    code_tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    doc: str = ""
    # Columns compaction sorts compacted files by (before the period column), so queries that
    # filter on them skip row groups: e.g. 所属乡镇 in a county-wide hotline store.
    cluster_by: tuple[str, ...] = ()
    # Columns whose values, joined by "/", make the key when a row gives none: a county's
    # published ranking has 季度 and 乡镇 but no key column of its own.
    key_from: tuple[str, ...] = ()
    # Rules between columns of a row (see ``RowRule``), checked on every write.
    rules: tuple[RowRule, ...] = ()
    # Defaults computed from other columns when a row arrives without them (see ``ComputedColumn``).
    computed: tuple[ComputedColumn, ...] = ()
    # References to other tables' records (see ``RefRule``), checked against the store on every write.
    references: tuple[RefRule, ...] = ()
    # Warnings an import shows in its preview (see ``ImportNote``).
    import_notes: tuple[ImportNote, ...] = ()
    # Code values renamed after stores came to hold them: code table -> {old spelling: value now}
    # (the hotline's 诉求类型 其它 -> 其他). See ``code_aliases_of`` for how both are one value.
    code_aliases: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise SpecError(f"表名 {self.name!r} 须为小写英文标识符")
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise SpecError(f"表 {self.name} 有重复的列名")
        for special in (self.key, self.period_column, self.grid_column, *self.cluster_by, *self.key_from):
            if special is not None and special not in names:
                raise SpecError(f"表 {self.name} 引用了不存在的列 {special!r}")
        for rule in self.rules:
            if rule.column not in names:
                raise SpecError(f"表 {self.name} 的规则 {rule.name} 引用了不存在的列 {rule.column!r}")
        for comp in self.computed:
            for name in (comp.column, *comp.inputs):
                if name not in names:
                    raise SpecError(f"表 {self.name} 的计算列引用了不存在的列 {name!r}")
        pii_key = [n for n in {self.key, *self.key_from} if self.column(n).pii]
        if pii_key:
            # A key is shown unmasked everywhere (record numbers, history, messages): a key made
            # of a petitioner's name would show it to every viewer.
            raise SpecError(f"表 {self.name} 的编号（key/key_from）不能含个人信息列：{'、'.join(sorted(pii_key))}")
        for ref in self.references:
            if not ref.columns or len(ref.columns) != len(ref.keys):
                raise SpecError(f"表 {self.name} 的引用规则 {ref.name} 须给出一一对应的列与键")
            for name in (*ref.columns, ref.column):
                if name not in names:
                    raise SpecError(f"表 {self.name} 的引用规则 {ref.name} 引用了不存在的列 {name!r}")
        for c in self.columns:
            if c.codes is not None and c.codes not in self.code_tables:
                raise SpecError(f"表 {self.name} 列 {c.name} 引用了未声明的代码表 {c.codes!r}")
            if c.codes in self.code_aliases and not pa.types.is_string(c.type):
                raise SpecError(f"表 {self.name} 列 {c.name} 不是文本列，其代码表 {c.codes!r} 不能有旧写法")
        for code_table in self.code_aliases:
            if code_table not in self.code_tables:
                raise SpecError(f"表 {self.name} 的旧写法引用了未声明的代码表 {code_table!r}")
        if self.period_column is not None:
            t = self.column(self.period_column).type
            if not (pa.types.is_date(t) or pa.types.is_timestamp(t)):
                raise SpecError(f"表 {self.name} 的期间列 {self.period_column} 须为日期或时间类型")

    # -- lookups -----------------------------------------------------------------------------
    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required or c.name == self.key)

    def code_aliases_of(self, code_table: str) -> dict[str, str]:
        """The old spellings of ``code_table``'s values that are in force: {old: value now}.

        A renamed code value is one value under two spellings, without rewriting any file: a
        write (import, form, API) that gives the old spelling stores the new one (validate.py),
        and the views read rows stored with the old one as the new one (views.py), so figures,
        filters, lists and exports count both as one, whatever the store's age. A migration run
        when a store opens would have to write where many cannot (a viewer's role, read-only
        stores, a snapshot) and race the other processes opening it, and it would rewrite
        history that is kept as written; compaction, which reads through the same views, puts
        the new spelling into the files it writes anyway.

        An old spelling that the code table lists again (an office's own ``[code_tables]`` list
        keeps it), or whose new value it no longer lists, is left alone."""
        values = self.code_tables.get(code_table, ())
        return {
            old: new
            for old, new in self.code_aliases.get(code_table, {}).items()
            if old not in values and new in values
        }

    @property
    def aliased_columns(self) -> dict[str, dict[str, str]]:
        """Columns whose code table has old spellings in force: column -> {old: value now}."""
        out = {}
        for c in self.columns:
            aliases = self.code_aliases_of(c.codes) if c.codes is not None else {}
            if aliases:
                out[c.name] = aliases
        return out

    @property
    def pii_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.pii)

    def label_of(self, name: str) -> str:
        if name in META_LABELS:
            return META_LABELS[name]
        return self.column(name).label

    # -- schemas -----------------------------------------------------------------------------
    @property
    def data_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type) for c in self.columns])

    @property
    def schema(self) -> pa.Schema:
        """The schema of every stored file: version columns, then the data columns."""
        return pa.schema(list(META_FIELDS) + [pa.field(c.name, c.type) for c in self.columns])

    def describe(self) -> dict:
        """A JSON-friendly description (``fazhi-tui tables --json``)."""
        return {
            "name": self.name,
            "label": self.label,
            "key": self.key,
            "period_column": self.period_column,
            "grid_column": self.grid_column,
            "columns": [
                {
                    "name": c.name,
                    "label": c.label,
                    "type": str(c.type),
                    "required": c.required or c.name == self.key,
                    "pii": c.pii,
                    "codes": c.codes,
                    "ref": c.ref,
                }
                for c in self.columns
            ],
            "pii_columns": list(self.pii_columns),
            "code_tables": {k: list(v) for k, v in self.code_tables.items()},
            "code_aliases": {k: aliases for k in self.code_tables if (aliases := self.code_aliases_of(k))},
        }
