"""A year's report kept in the store: its blocks as records with history (table ``report_paragraphs``).

Each block is a record keyed by year and position ("2023/0040"); an edit is a new version (who,
when, from which revision), and a save that started from an older revision is refused like every
record's. A year without records of its own reads as a copy of the latest earlier year's text, or
the default template (the seed's); the copy is written, whole, on the first edit of that year, so
the history of each paragraph begins with the text it was copied from.

Positions step by ``STEP`` so a block can be put between two without renumbering the rest.
No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pyarrow as pa

from ..contrib import REPORT_PARTS
from ..store import Store, ValidationError
from ..store.errors import StaleRevisionError
from ..store.spec import AT, BY, REV, Column, TableSpec
from ..store.views import qident
from .figures import FigureBook
from .seed_template import SEED_BLOCKS
from .template import KINDS, Block, check_text

TABLE = "report_paragraphs"
STEP = 10

REPORT_PARAGRAPHS = TableSpec(
    name=TABLE,
    label="报告段落",
    key="para_id",
    columns=(
        Column("para_id", pa.string(), "段落编号", required=True, doc="年度/位置，如 2023/0040"),
        Column("year", pa.int32(), "年度", required=True),
        Column("position", pa.int32(), "位置", required=True, doc="在报告中的先后，步长 10"),
        Column("kind", pa.string(), "类型", required=True, codes="report_block_kind"),
        Column("part", pa.string(), "部分", codes="report_part", doc="一至五；标题与开头为空"),
        Column("lead", pa.string(), "段首标题", doc="段落开头的（一）……。小标题"),
        Column("text", pa.string(), "内容", doc="正文；{指标名} 为指标占位，{指标名~} 为约数"),
    ),
    code_tables={"report_block_kind": KINDS, "report_part": tuple(REPORT_PARTS)},
    doc="年度法治政府建设情况报告的标题、各部分标题与段落；数字以指标占位，随数据更新。",
)

# What a statutory part is called in 《法治政府建设与责任落实督察工作规定》(2019, 第二十五条) and
# which of the seed's parts answers it (DOMAIN.md §2).
STATUTORY_PARTS = {
    "一": "党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设的有关情况",
    "二": "上一年度推进法治政府建设的主要举措和成效",
    "三": "存在的不足和原因",
    "四": "下一年度推进法治政府建设的主要安排",
    "五": "其他需要报告的情况",
}
REQUIRED_PARTS = ("一", "二", "三", "四")
FIFTH_HEADING = "五、其他需要报告的情况"


def para_id(year: int, position: int) -> str:
    return f"{year}/{position:04d}"


@dataclass
class Document:
    """The blocks of a year's report in order, and where they come from."""

    year: int
    blocks: list[Block]
    source: str  # "stored", "copy" (of ``copied_from``) or "default"
    copied_from: int | None = None

    @property
    def stored(self) -> bool:
        return self.source == "stored"

    @property
    def source_text(self) -> str:
        if self.source == "stored":
            return f"{self.year}年的报告文本"
        if self.source == "copy":
            return f"沿用{self.copied_from}年的文本（首次修改时为{self.year}年复制一份）"
        return "默认模板（依据2023年报告）"

    def block_at(self, position: int) -> Block | None:
        return next((b for b in self.blocks if b.position == position), None)

    def missing_parts(self) -> list[str]:
        """The statutory parts 一 … 四 that have no heading: what the 2019 规定 asks for."""
        present = {b.part for b in self.blocks if b.kind == "heading1"}
        return [p for p in REQUIRED_PARTS if p not in present]

    def has_part(self, part: str) -> bool:
        return any(b.kind == "heading1" and b.part == part for b in self.blocks)


def default_blocks(year: int) -> list[Block]:
    return [
        Block(kind, part, lead, text, position=(i + 1) * STEP) for i, (kind, part, lead, text) in enumerate(SEED_BLOCKS)
    ]


def _stored_blocks(store: Store, year: int) -> list[Block]:
    rows = store.query(
        f"SELECT {qident(REV)} AS rev, {qident(AT)} AS at, {qident(BY)} AS by, kind, part, lead, text, position "
        f"FROM {qident(TABLE)} WHERE year = ? ORDER BY position",
        [year],
    ).to_pylist()
    return [
        Block(r["kind"], r["part"] or "", r["lead"] or "", r["text"] or "", r["position"], r["rev"], r["at"], r["by"])
        for r in rows
    ]


def load_document(store: Store, year: int) -> Document:
    """The year's report: its own records, else a copy of the latest earlier year's, else the default."""
    if TABLE not in store.specs:
        return Document(year, default_blocks(year), "default")
    own = _stored_blocks(store, year)
    if own:
        return Document(year, own, "stored")
    earlier = store.query(f"SELECT max(year) FROM {qident(TABLE)} WHERE year < ?", [year]).column(0)[0].as_py()
    if earlier is not None:
        copied = [replace(b, rev=None, changed_at=None, changed_by="") for b in _stored_blocks(store, earlier)]
        return Document(year, copied, "copy", earlier)
    return Document(year, default_blocks(year), "default")


def _row(year: int, block: Block) -> dict:
    return {
        "para_id": para_id(year, block.position),
        "year": year,
        "position": block.position,
        "kind": block.kind,
        "part": block.part or None,
        "lead": block.lead or None,
        "text": block.text,
    }


def materialise(store: Store, doc: Document) -> Document:
    """Write a copied (or default) year as the year's own records, once; returns it as stored.
    Two people doing it at once: the second finds the records written and is refused like any
    stale save (``StaleRevisionError``), so nobody's first edit is lost in the other's copy."""
    if doc.stored:
        return doc
    try:
        store.append(TABLE, [_row(doc.year, b) for b in doc.blocks])
    except ValidationError:
        first = para_id(doc.year, doc.blocks[0].position)
        current = store.get(TABLE, first)
        if current is None:
            raise
        raise StaleRevisionError(TABLE, first, None, current[REV], current[BY], current[AT]) from None
    return load_document(store, doc.year)


def save_block(
    store: Store,
    doc: Document,
    position: int,
    *,
    text: str,
    lead: str | None = None,
    expected_rev: int | None,
    book: FigureBook,
) -> Document:
    """Save a new version of one block, checked first (``check_text``: unknown figures refused).
    ``expected_rev`` is the revision the edit started from (None for a block not stored yet); a
    block that moved on meanwhile raises ``StaleRevisionError`` and nothing is written."""
    check_text(text, book)
    if lead:
        check_text(lead, book)
    if not doc.stored:
        if expected_rev is not None:
            raise ValueError("未保存的文本不应有版本号")
        doc = materialise(store, doc)
        expected_rev = 1
    block = doc.block_at(position)
    if block is None:
        raise KeyError(f"{doc.year}年的报告中没有位置 {position} 的段落")
    if expected_rev is None:
        raise ValueError("需要编辑开始时的版本号")
    new = replace(block, text=text, lead=block.lead if lead is None else lead)
    store.save(TABLE, [_row(doc.year, new)], {para_id(doc.year, position): expected_rev})
    return load_document(store, doc.year)


def insert_block(store: Store, doc: Document, after: int, block: Block, book: FigureBook) -> tuple[Document, int]:
    """Put a new block after position ``after`` (0: at the start); returns the document and the
    new block's position."""
    check_text(block.text, book)
    doc = materialise(store, doc)
    later = [b.position for b in doc.blocks if b.position > after]
    position = (after + later[0]) // 2 if later else after + STEP
    if position in (after, *(later[:1])):
        raise ValueError("此处已无空位；请在相邻段落之间插入")
    store.append(TABLE, [_row(doc.year, replace(block, position=position))])
    return load_document(store, doc.year), position


def add_fifth_part(store: Store, doc: Document, book: FigureBook) -> tuple[Document, int]:
    """The statutory fifth part (其他需要报告的情况): a heading and an empty paragraph at the end."""
    if doc.has_part("五"):
        return doc, next(b.position for b in doc.blocks if b.kind == "heading1" and b.part == "五")
    last = doc.blocks[-1].position if doc.blocks else 0
    doc, position = insert_block(store, doc, last, Block("heading1", "五", "", FIFTH_HEADING), book)
    doc, _ = insert_block(store, doc, position, Block("paragraph", "五", "", "（无）"), book)
    return doc, position


def block_history(store: Store, year: int, position: int) -> pa.Table:
    """Every version of one block, oldest first."""
    return store.history(TABLE, para_id(year, position))


__all__ = [
    "Document",
    "FIFTH_HEADING",
    "REPORT_PARAGRAPHS",
    "REQUIRED_PARTS",
    "STATUTORY_PARTS",
    "TABLE",
    "add_fifth_part",
    "block_history",
    "default_blocks",
    "insert_block",
    "load_document",
    "materialise",
    "para_id",
    "save_block",
]
