"""The activity store: Parquet files in a folder, read through DuckDB."""

from .cache import TableCache
from .core import Store, Version, WriteResult, current_user, read_marker, write_marker
from .errors import (
    NotAStoreError,
    ReadOnlySQLError,
    RecordNotFoundError,
    RowProblem,
    StaleRevisionError,
    StoreError,
    UnknownTableError,
    ValidationError,
)
from .spec import AT, BY, ID, META_NAMES, OP, PII_KINDS, REV, Column, ComputedColumn, RowRule, SpecError, TableSpec

__all__ = [
    "AT",
    "BY",
    "ID",
    "META_NAMES",
    "OP",
    "REV",
    "Column",
    "ComputedColumn",
    "PII_KINDS",
    "NotAStoreError",
    "ReadOnlySQLError",
    "RecordNotFoundError",
    "RowProblem",
    "SpecError",
    "StaleRevisionError",
    "Store",
    "StoreError",
    "TableCache",
    "TableSpec",
    "RowRule",
    "UnknownTableError",
    "ValidationError",
    "Version",
    "WriteResult",
    "current_user",
    "read_marker",
    "write_marker",
]
