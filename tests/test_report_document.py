"""The report's text kept in the store: placeholders, edits with history, stale saves, a year copied."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_tui.config import Config
from fazhi_tui.plugins import PluginHost
from fazhi_tui.report.assemble import assemble
from fazhi_tui.report.document import (
    REQUIRED_PARTS,
    TABLE,
    add_fifth_part,
    block_history,
    load_document,
    save_block,
)
from fazhi_tui.report.figures import FigureBook
from fazhi_tui.report.template import UnknownFigureError, chinese_count, placeholders, render_text
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import StaleRevisionError, Store

TODAY = dt.date(2024, 3, 1)


@pytest.fixture
def env(tmp_path):
    host = PluginHost.load()
    cfg = Config()
    store = Store.open(tmp_path / "s", table_specs(host, cfg), create=True, user="文书甲")
    store.append(
        "grids",
        [
            {"code": f"4104211082{i:02d}01", "name": f"{i}村网格", "kind": "综合", "village": f"{i}村"}
            for i in (1, 2, 3)
        ],
    )
    yield host, cfg, store
    store.close()


def book_of(env, year=2023):
    host, cfg, store = env
    return FigureBook.load(host, store, cfg, year, TODAY)


def paragraph_with(doc, needle):
    return next(b for b in doc.blocks if needle in b.text)


def test_placeholders_and_their_phrasing(env):
    book = book_of(env)
    assert [(p.name, p.approx, p.words, p.unit) for p in placeholders("{a~|条}与{b:cn}、{year}")] == [
        ("a", True, False, "条"),
        ("b", False, True, None),
        ("year", False, False, None),
    ]
    spans, gaps = render_text("设置网格{grid_count}、{grid_count|处}，{year}年", book, {"year": "2023"})
    assert "".join(s.text for s in spans) == "设置网格3个、3处，2023年" and gaps == []
    assert [s.figure for s in spans if s.figure] == ["grid_count", "grid_count"]
    spans, gaps = render_text("处理工单{hotline_work_orders~}", book, {})
    assert "".join(s.text for s in spans) == "处理工单【缺：12345处理工单数】"
    assert gaps == [("hotline_work_orders", "12345处理工单数", "2023年无数据")]
    assert (chinese_count(2), chinese_count(1), chinese_count(12), chinese_count(30)) == ("两", "一", "十二", "三十")


def test_the_default_template_has_every_part_and_is_not_stored(env):
    _host, _cfg, store = env
    doc = load_document(store, 2023)
    assert doc.source == "default" and doc.missing_parts() == []
    assert {b.part for b in doc.blocks if b.kind == "heading1"} == set(REQUIRED_PARTS)
    assert store.count(TABLE) == 0


def test_an_edit_is_a_version_with_history_and_a_stale_save_is_refused(env):
    host, cfg, store = env
    book = book_of(env)
    doc = load_document(store, 2023)
    part3 = paragraph_with(doc, "一是法治理念未普遍树立")
    doc = save_block(
        store, doc, part3.position, text="一是学法用法仍有差距。全年设网格{grid_count}。", expected_rev=None, book=book
    )
    assert doc.stored and store.count(TABLE) == len(doc.blocks)  # the whole year copied, then edited
    edited = doc.block_at(part3.position)
    assert edited.rev == 2 and edited.changed_by == "文书甲"
    history = block_history(store, 2023, part3.position).to_pylist()
    assert [h["text"][:6] for h in history] == ["一是法治理念", "一是学法用法"]
    # The report shows the edit with its figure live.
    report = assemble(host, store, cfg, 2023, TODAY, book)
    assert "\n一是学法用法仍有差距。全年设网格3个。\n" in report.markdown()
    # Two people started from revision 2: the first save wins, the second is refused.
    doc = save_block(store, doc, part3.position, text="一是甲的修改。", expected_rev=2, book=book)
    with pytest.raises(StaleRevisionError) as refused:
        save_block(store, doc, part3.position, text="一是乙的修改。", expected_rev=2, book=book)
    assert "文书甲" in str(refused.value) and "第 3 版" in str(refused.value)
    assert load_document(store, 2023).block_at(part3.position).text == "一是甲的修改。"


def test_an_unknown_figure_is_refused_with_the_known_ones_offered(env):
    _host, _cfg, store = env
    book = book_of(env)
    doc = load_document(store, 2023)
    opening = doc.blocks[2]
    with pytest.raises(UnknownFigureError) as refused:
        save_block(store, doc, opening.position, text="共有{grid_cuont}。", expected_rev=None, book=book)
    message = str(refused.value)
    assert "grid_cuont" in message and "镇村两级网格数（grid_count）" in message
    assert "（ledger_surveys）" in message  # a ledger figure: offered whether or not its plugin is installed
    with pytest.raises(ValueError, match="花括号"):
        save_block(store, doc, opening.position, text="共有{grid_count。", expected_rev=None, book=book)
    assert store.count(TABLE) == 0  # nothing written


def test_a_new_year_starts_as_a_copy_of_the_previous_years_text(env):
    host, cfg, store = env
    book = book_of(env)
    doc = load_document(store, 2023)
    opening = doc.blocks[2]
    save_block(
        store, doc, opening.position, text="{year}年度，我镇共设网格{grid_count}。", expected_rev=None, book=book
    )
    doc24 = load_document(store, 2024)
    assert doc24.source == "copy" and doc24.copied_from == 2023 and not doc24.stored
    assert doc24.blocks[2].text == "{year}年度，我镇共设网格{grid_count}。"
    report = assemble(host, store, cfg, 2024, TODAY, book.for_year(2024))
    assert "\n2024年度，我镇共设网格3个。\n" in report.markdown()
    assert "关于2024年法治政府建设情况的报告" in report.markdown()
    # Editing 2024 writes its own copy and leaves 2023 as it was.
    save_block(store, doc24, doc24.blocks[3].position, text="一、新的标题", expected_rev=None, book=book)
    assert load_document(store, 2024).stored and load_document(store, 2023).blocks[3].text.startswith("一、落实")


def test_the_fifth_part_can_be_added(env):
    host, cfg, store = env
    book = book_of(env)
    doc, position = add_fifth_part(store, load_document(store, 2023), book)
    assert doc.has_part("五") and doc.block_at(position).text == "五、其他需要报告的情况"
    after = [b for b in doc.blocks if b.position > position]
    doc = save_block(store, doc, after[0].position, text="无其他需要报告的情况。", expected_rev=1, book=book)
    md = assemble(host, store, cfg, 2023, TODAY, book).markdown()
    assert md.rstrip().endswith("## 五、其他需要报告的情况\n\n无其他需要报告的情况。")
