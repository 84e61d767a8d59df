"""The report as a .docx laid out to GB/T 9704-2012 (党政机关公文格式, DOMAIN.md §7).

A4; margins top 37 mm, bottom 35 mm, left (binding) 28 mm, right 26 mm; the title in 2号
方正小标宋简体; the body in 3号 仿宋_GB2312 at a fixed 28-point line (22 lines of 28 characters);
一、 headings in 黑体, （一） headings (and a paragraph's run-in heading) in 楷体_GB2312; page
numbers in 4号 宋体 as "— 1 —", a PAGE field, on the right of odd pages and the left of even ones
(one character in from the edge of the text), through odd and even footers.

Word ignores a run's font for Chinese text unless ``w:eastAsia`` is set on its ``rFonts``:
``_font`` sets all four slots. A gap (【缺：…】) is highlighted so nobody prints it unnoticed.
No Textual here.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document as new_docx
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

if TYPE_CHECKING:
    from .assemble import Report
    from .template import RenderedBlock

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LINE = Pt(28)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
EM_DASH = "—"


def _font(run, name: str, size: Pt, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


def _fixed_line(paragraph, *, indent_chars: float = 0, align=None) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent_chars:
        fmt.first_line_indent = Pt(16 * indent_chars)
    if align is not None:
        paragraph.alignment = align


def _page_number(paragraph) -> None:
    """ "— PAGE —" in 4号 宋体: the number is a field, so Word and LibreOffice count the pages."""
    _font(paragraph.add_run(f"{EM_DASH} "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    run = paragraph.add_run()
    _font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)
    _font(paragraph.add_run(f" {EM_DASH}"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _setup(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28)  # the number sits about a line below the text area
    section.header_distance = Mm(15)
    # 22 lines a page: a document grid of 28-point lines.
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE.pt * 20)))
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), BODY_FONT)
    # Odd pages numbered on the right, even on the left (one character in from the text's edge).
    settings = doc.settings.element
    if settings.find(qn("w:evenAndOddHeaders")) is None:
        settings.append(OxmlElement("w:evenAndOddHeaders"))
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(14)
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(14)
    _page_number(even)


def _spans(paragraph, block: RenderedBlock, font: str) -> None:
    for span in block.spans:
        run = paragraph.add_run(span.text)
        _font(run, font, BODY_SIZE)
        if span.gap is not None:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def build_docx(report: Report):
    """The python-docx Document of the report."""
    doc = new_docx()
    _setup(doc)
    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:  # the template's empty first paragraph
        body._element.getparent().remove(body._element)
    blocks = report.blocks()
    titles = [b for b in blocks if b.kind == "title"]
    for i, block in enumerate(titles):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(35)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        if i == len(titles) - 1:
            fmt.space_after = LINE  # a blank line between the title and the text
        _font(p.add_run(block.text), TITLE_FONT, TITLE_SIZE)
    notes = list(report.problems)
    if report.year >= report.today.year:
        notes.insert(0, f"草稿：{report.year}年尚未结束，数字截至 {report.today}。")
    for note in notes:
        p = doc.add_paragraph()
        _fixed_line(p, indent_chars=2)
        run = p.add_run(note if note.startswith("草稿") else f"【缺：插件】{note}")
        _font(run, BODY_FONT, BODY_SIZE)
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    for block in blocks:
        if block.kind == "title":
            continue
        p = doc.add_paragraph()
        _fixed_line(p, indent_chars=2)
        if block.kind == "heading1":
            _spans(p, block, HEADING1_FONT)
        elif block.kind == "heading2":
            _spans(p, block, HEADING2_FONT)
        else:
            if block.lead:
                _font(p.add_run(block.lead), HEADING2_FONT, BODY_SIZE)
            _spans(p, block, BODY_FONT)
    core = doc.core_properties
    core.title = report.title
    core.author = "fazhi-tui"
    return doc


def docx_bytes(report: Report) -> bytes:
    buf = io.BytesIO()
    build_docx(report).save(buf)
    return buf.getvalue()


def write_docx(report: Report, path: Path) -> None:
    """Write the .docx through a temporary file beside it, flushed and renamed: all or nothing."""
    data = docx_bytes(report)
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


__all__ = ["build_docx", "docx_bytes", "write_docx"]
