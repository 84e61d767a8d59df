"""The formula cells of an .xlsx sheet that hold no calculated value.

Excel and WPS save each formula with its result. A file written by a program that never
calculates (openpyxl writing ``=SUM(B2:C2)``, a script, some systems' exports) keeps only the
formula, and a reader that does not calculate (calamine, as every importer) sees an empty cell:
imported as it is, the ledger would lose the value without a word. They are found here so that
the import can refuse them and tell the clerk to open and save the file in Excel or WPS.

Only .xlsx/.xlsm (zipped XML); the sheet is scanned for a formula tag first, so that a sheet
without formulas (most ledgers) costs one pass over its bytes and no XML parsing.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

_FORMULA_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_CELL_REF = re.compile(r"([A-Za-z]+)(\d+)")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Uncalculated:
    row: int  # as Excel numbers it (1 = the first row)
    column: int  # 0 = column A
    formula: str  # without its "=" ("" for a cell of a shared formula that is not its first)


def uncalculated_formulas(path: Path, sheet: str) -> list[Uncalculated]:
    """The sheet's formula cells without a cached value, in sheet order. A file that is not a
    readable zip of XML gives none (the reader has already said what is wrong with it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            member = _sheet_member(zf, sheet)
            if member is None or not _has_formulas(zf, member):
                return []
            with zf.open(member) as fh:
                return _scan(fh)
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError, ValueError):
        return []


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(zf: zipfile.ZipFile, name: str) -> ET.Element:
    return ET.fromstring(zf.read(name))


def _rel_targets(zf: zipfile.ZipFile, rels: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, member name) of a ``.rels`` part, targets resolved from ``base``."""
    out = {}
    for rel in _xml(zf, rels):
        target = rel.get("Target", "")
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), name)
    return out


def _sheet_member(zf: zipfile.ZipFile, sheet: str) -> str | None:
    names = set(zf.namelist())
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for kind, name in _rel_targets(zf, "_rels/.rels", "").values():
            if kind.endswith("/officeDocument"):
                workbook = name
    base = posixpath.dirname(workbook)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
    if workbook not in names or rels_name not in names:
        return None
    targets = _rel_targets(zf, rels_name, base)
    for node in _xml(zf, workbook).iter():
        if _local(node.tag) == "sheet" and node.get("name") == sheet:
            rid = next((v for k, v in node.attrib.items() if _local(k) == "id"), None)
            found = targets.get(rid or "")
            return found[1] if found and found[1] in names else None
    return None


def _has_formulas(zf: zipfile.ZipFile, member: str) -> bool:
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _scan(fh) -> list[Uncalculated]:
    found: list[Uncalculated] = []
    row, column = 0, -1
    parent = None  # sheetData: its finished rows are dropped as the parse goes
    for event, node in ET.iterparse(fh, events=("start", "end")):
        name = _local(node.tag)
        if event == "start":
            if name == "sheetData":
                parent = node
            elif name == "row":
                row = int(node.get("r") or row + 1)
                column = -1
            continue
        if name == "c":
            ref = _CELL_REF.fullmatch(node.get("r") or "")
            column = _column_index(ref.group(1)) if ref else column + 1
            if ref:
                row = int(ref.group(2))
            formula = value = None
            for child in node:
                kind = _local(child.tag)
                if kind == "f":
                    formula = child
                elif kind == "v":
                    value = child
            # A calculated formula whose result is empty text is saved as t="str" with an
            # empty value: that cell is empty, and rightly so.
            if formula is not None and not (value is not None and value.text) and node.get("t") != "str":
                found.append(Uncalculated(row, column, (formula.text or "").strip()))
            node.clear()
        elif name == "row" and parent is not None:
            parent.clear()
    return found


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - ord("A") + 1
    return index - 1
