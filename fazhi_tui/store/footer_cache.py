"""The footers of a store's Parquet files, kept between runs in the user's own cache folder.

Opening a store reads every file's footer (schema, rows, the versions it supersedes, the date
range of each date column): at 10M tickets about 80 files, ~0.1 s of Python holding the
interpreter lock while the dashboard starts, every start, for files that never change (a file
is written once under a new name; folds and compactions write new files). So the footers read
in one run are written, at ``Store.close``, to ``<user cache>/fazhi-tui/footers/<store>.json``
and taken back at the next ``Store.open``.

An entry is used only while its file is the same one: path, size, mtime, ctime and inode as
recorded (ctime cannot be set back by a user; a copy keeping the mtime still changes it). A
changed, moved or replaced file is read afresh. Only the user's own cache is trusted: a file
owned by someone else, or that others may write, is ignored, as is anything that does not
parse. Reasons a file cannot be read are never cached: they are looked at again each run.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs
import pyarrow as pa

from .scan import Footer, _footer_cache

VERSION = 1
MAX_ENTRIES = 20_000  # a cache past this is not written (a store of that many files reads them)


def cache_path(root: Path) -> Path:
    key = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:24]
    return Path(platformdirs.user_cache_dir("fazhi-tui")) / "footers" / f"{key}.json"


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _trusted(path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def load(root: Path) -> int:
    """Put the cached footers of ``root``'s files that are still the same files into the
    in-process cache; returns how many. Never raises: a missing or bad cache reads nothing."""
    path = cache_path(root)
    if not _trusted(path):
        return 0
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("version") != VERSION or data.get("root") != str(Path(root).resolve()):
            return 0
        entries = data["files"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0
    taken = 0
    schemas: dict[str, pa.Schema] = {}  # the files of a table mostly share one: decoded once
    for name, entry in entries.items() if isinstance(entries, dict) else ():
        try:
            file = Path(root) / name
            stat, footer = entry["stat"], _decode(entry, schemas)
            st = file.stat()
            if _stat_key(st) != stat:
                continue
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            continue
        _footer_cache.setdefault((str(file), st.st_size, st.st_mtime_ns), footer)
        taken += 1
    return taken


def save(root: Path) -> None:
    """Write the footers of ``root``'s files this process knows (atomically; never raises)."""
    resolved = Path(root).resolve()
    prefix = str(root).rstrip(os.sep) + os.sep
    entries: dict[str, Any] = {}
    for (file, _size, _mtime), footer in list(_footer_cache.items()):
        if not isinstance(footer, Footer) or not file.startswith(prefix):
            continue
        try:
            st = os.stat(file)
        except OSError:
            continue  # gone since (folded away): not worth keeping
        entries[file[len(prefix) :]] = {"stat": _stat_key(st), **_encode(footer)}
    if not entries or len(entries) > MAX_ENTRIES:
        return
    path = cache_path(root)
    with contextlib.suppress(OSError, ValueError, TypeError):
        old = json.loads(path.read_text("utf-8")) if _trusted(path) else None
        if isinstance(old, dict) and old.get("files") == entries:
            return  # nothing new: no write
    text = json.dumps({"version": VERSION, "root": str(resolved), "files": entries}, ensure_ascii=False)
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".footers-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)  # mkstemp made it 0600
        tmp = None
    except OSError:
        pass  # a read-only or full cache folder costs the next start its footers, nothing more
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _encode(footer: Footer) -> dict[str, Any]:
    ranges = {
        col: [_encode_value(lo), _encode_value(hi), bool(nulls)] for col, (lo, hi, nulls) in footer.ranges.items()
    }
    return {
        "schema": base64.b64encode(footer.schema.serialize().to_pybytes()).decode("ascii"),
        "rows": footer.num_rows,
        "supersedes": None if footer.supersedes is None else sorted(footer.supersedes, key=lambda m: (m is None, m)),
        "ranges": ranges,
    }


def _decode(entry: dict[str, Any], schemas: dict[str, pa.Schema]) -> Footer:
    text = entry["schema"]
    schema = schemas.get(text) if isinstance(text, str) else None
    if schema is None:
        schema = schemas[text] = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text, validate=True)))
    supersedes = entry["supersedes"]
    ranges = {
        col: (_decode_value(lo), _decode_value(hi), bool(nulls)) for col, (lo, hi, nulls) in entry["ranges"].items()
    }
    rows = entry["rows"]
    if not isinstance(rows, int):
        raise TypeError("rows")
    return Footer(schema, rows, None if supersedes is None else frozenset(supersedes), ranges)


def _encode_value(value: dt.date | dt.datetime | None) -> list | None:
    if value is None:
        return None
    return ["t" if isinstance(value, dt.datetime) else "d", value.isoformat()]


def _decode_value(value: list | None) -> dt.date | dt.datetime | None:
    if value is None:
        return None
    kind, text = value
    return dt.datetime.fromisoformat(text) if kind == "t" else dt.date.fromisoformat(text)
