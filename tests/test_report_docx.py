"""The report as .docx to GB/T 9704-2012, read back with python-docx: page, margins, fonts, page numbers."""

from __future__ import annotations

import zipfile

import docx
import pytest
from docx.shared import Mm, Pt

from fazhi_tui.cli import main

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory):
    root = tmp_path_factory.mktemp("docx")
    store = root / "store"
    assert main(["demo", "--store", str(store), "--today", "2024-03-01"]) == 0
    target = root / "report.docx"
    main(["report", "--store", str(store), "--year", "2023", "-o", str(target)])
    return target


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("FAZHI_TODAY", "2024-03-01")


def east_asia(run) -> str | None:
    fonts = run._element.rPr.find(f"{W}rFonts")
    return None if fonts is None else fonts.get(f"{W}eastAsia")


def test_a4_and_the_margins(report_docx):
    assert zipfile.is_zipfile(report_docx)  # a real .docx, not Markdown in a file of that name
    section = docx.Document(str(report_docx)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)


def test_title_headings_and_body_fonts(report_docx):
    d = docx.Document(str(report_docx))
    paragraphs = [p for p in d.paragraphs if p.text]
    title1, title2 = paragraphs[0], paragraphs[1]
    assert (title1.text, title2.text) == ("宝丰县赵庄镇人民政府", "关于2023年法治政府建设情况的报告")
    for p in (title1, title2):
        assert east_asia(p.runs[0]) == "方正小标宋简体" and p.runs[0].font.size == Pt(22)
    heading1 = next(p for p in paragraphs if p.text.startswith("一、"))
    assert east_asia(heading1.runs[0]) == "黑体" and heading1.runs[0].font.size == Pt(16)
    heading2 = next(p for p in paragraphs if p.text.startswith("（一）突出"))
    assert east_asia(heading2.runs[0]) == "楷体_GB2312"
    run_in = next(p for p in paragraphs if p.text.startswith("（一）高度重视"))
    assert (
        run_in.runs[0].text == "（一）高度重视，全面加强法治建设组织领导。"
        and east_asia(run_in.runs[0]) == "楷体_GB2312"
    )
    assert east_asia(run_in.runs[1]) == "仿宋_GB2312" and run_in.runs[1].font.size == Pt(16)
    body = next(p for p in paragraphs if "处理工单100余件、电话单90余件，每季度保持乡镇前两名" in p.text)
    assert {east_asia(r) for r in body.runs} == {"仿宋_GB2312"}
    fmt = body.paragraph_format
    assert fmt.line_spacing == Pt(28) and fmt.first_line_indent == Pt(32)
    # Gaps stand out: highlighted where a figure is missing.
    gaps = [r for p in paragraphs for r in p.runs if r.text.startswith("【缺：")]
    assert all(r.font.highlight_color is not None for r in gaps)


def test_page_numbers_odd_right_even_left_as_a_page_field(report_docx):
    d = docx.Document(str(report_docx))
    assert d.settings.element.find(f"{W}evenAndOddHeaders") is not None
    section = d.sections[0]
    for footer, alignment in ((section.footer, 2), (section.even_page_footer, 0)):  # RIGHT, LEFT
        p = footer.paragraphs[0]
        assert p.alignment == alignment
        xml = p._element.xml
        assert 'fldCharType="begin"' in xml and " PAGE " in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert all(r.font.size == Pt(14) for r in p.runs)
