"""A generation's list of its own files, and checking a folder against it.

Every generation's ``manifest.json`` lists the Parquet files it is made of (path relative to the
generation, rows, bytes, SHA-256), so a file deleted, added or changed by hand is noticed instead
of silently dropping or doubling records. Readers compare names and sizes (a few ``stat`` calls,
on every change of the folder); ``fazhi-tui check`` also reads every byte and compares checksums.
Generations written before the list existed have none and are not compared.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import layout

FILES_KEY = "files"
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _parquet_files(top: Path) -> list[Path]:
    out = []
    for dirpath, _dirs, files in os.walk(top):
        out += [Path(dirpath) / f for f in files if f.endswith(".parquet")]
    return sorted(out)


def file_entries(stage: Path, prev: tuple[int, Path, dict] | None, rows_of) -> dict[str, dict]:
    """The ``files`` list for a generation staged in ``stage``. Files hard-linked from the previous
    generation (a fold shares the months it did not touch) keep that generation's checksum, so a
    fold hashes only what it wrote. ``rows_of(path)`` gives a file's row count (from its footer)."""
    known: dict[tuple[int, int], str] = {}
    if prev is not None:
        for rel, entry in (prev[2].get(FILES_KEY) or {}).items():
            try:
                st = (prev[1] / rel).stat()
            except OSError:
                continue
            if "sha256" in entry and st.st_size == entry.get("bytes"):
                known[(st.st_ino, st.st_dev)] = entry["sha256"]
    entries: dict[str, dict] = {}
    for path in _parquet_files(stage):
        st = path.stat()
        digest = known.get((st.st_ino, st.st_dev)) or sha256_of(path)
        entries[path.relative_to(stage).as_posix()] = {"rows": rows_of(path), "bytes": st.st_size, "sha256": digest}
    return entries


def listing_problems(gen_path: Path, manifest: dict) -> list[str]:
    """What differs between the generation's folder and its list, by name and size (cheap).
    Empty when they agree, or when the manifest predates the list."""
    listed = manifest.get(FILES_KEY)
    if listed is None:
        return []
    present = {p.relative_to(gen_path).as_posix(): p for p in _parquet_files(gen_path)}
    problems = []
    for rel, entry in sorted(listed.items()):
        path = present.get(rel)
        if path is None:
            problems.append(f"缺少文件 {rel}（{entry.get('rows', '?')} 行）")
            continue
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(f"无法访问文件 {rel}")
            continue
        if size != entry.get("bytes"):
            problems.append(f"文件 {rel} 已被改动（{size} 字节，清单记为 {entry.get('bytes')} 字节）")
    for rel in sorted(set(present) - set(listed)):
        problems.append(f"清单之外多出文件 {rel}")
    return problems


def checksum_problems(gen_path: Path, manifest: dict) -> list[tuple[str, Path]]:
    """Files whose bytes differ from the list's checksum (reads every listed file)."""
    out = []
    for rel, entry in sorted((manifest.get(FILES_KEY) or {}).items()):
        path = gen_path / rel
        if "sha256" not in entry or not path.is_file():
            continue
        try:
            digest = sha256_of(path)
        except OSError as exc:
            out.append((f"无法读取文件 {rel}：{exc.strerror or exc}", path))
            continue
        if digest != entry["sha256"]:
            out.append((f"文件 {rel} 的内容与清单的校验和不符（已被改动或损坏）", path))
    return out


def generation_folders(root: Path, table: str) -> list[tuple[int, Path]]:
    """Every generation folder of a table, newest first, whatever state its manifest is in."""
    gdir = layout.gens_dir(root, table)
    try:
        names = os.listdir(gdir)
    except FileNotFoundError:
        return []
    return sorted(((int(n), gdir / n) for n in names if layout.GEN_NAME_RE.match(n)), reverse=True)


def next_gen_number(root: Path, table: str) -> int:
    """The number for a new generation: past every folder there, so a generation whose manifest
    was damaged never blocks the next one (renaming onto it would fail with ENOTEMPTY)."""
    folders = generation_folders(root, table)
    return folders[0][0] + 1 if folders else 1


def read_manifest(gen_path: Path) -> dict | None:
    try:
        manifest = json.loads((gen_path / layout.MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def unreadable_generations(root: Path, table: str) -> list[Path]:
    """Generations newer than the newest readable one whose manifest cannot be read: readers skip
    them (the one before is whole, with the log files it has not folded), ``check`` names them."""
    out = []
    for _n, path in generation_folders(root, table):
        if read_manifest(path) is not None:
            break
        out.append(path)
    return out
