"""The 工作台账 panel driven as staff would: opened by its letter, each category's figures with the
previous period and the target, an office's own category from the config, Enter listing a
category's records, `n` adding one with the category's fields first, the rectification list
(overdue marked), `c` closing an item with a note and its history, and `e` exporting what is shown.
Hand-made rows (tests/test_ledger.py), so the screen does not change when the demo does."""

from __future__ import annotations

import csv

from rich.style import Style
from textual.widgets import Input, TabbedContent

from fazhi_tui.config import Config
from fazhi_tui.period import Period
from fazhi_tui.store import Store
from fazhi_tui.testing import settle, text_of
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.screens.record_form import RecordForm

from .shell_fixtures import USER
from .test_ledger import OFFICE, ROWS, TODAY, item, ledger_store

OFFICE_ROWS = [
    *ROWS,
    item("X1", "2023-03-03", "信访接待", "来访接待"),
    item("X2", "2026-03-03", "信访接待", "来访接待"),
]


def make_app(tmp_path, config: Config | None = None, rows=OFFICE_ROWS) -> FazhiApp:
    config = config or Config(plugin={"fazhi_ledger": OFFICE})
    host, store = ledger_store(tmp_path, config, rows=rows)
    store.close()
    from fazhi_tui.runtime import table_specs

    return FazhiApp(config, host, Store.open(tmp_path / "store", table_specs(host, config), user=USER))


Y2023 = Period.year(2023)


async def open_ledger(pilot, period=Y2023) -> object:
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    panel = pilot.app.query_one("LedgerPanel")
    while panel.context.period != period:
        await pilot.press("left_square_bracket")
        await settle(pilot)
    return panel


def summary_rows(panel) -> dict[str, tuple]:
    table = panel.query_one("#summary")
    return {key.value: tuple(str(c) for c in table.get_row(key)) for key in table.rows}


async def test_figures_with_previous_period_target_and_the_office_category(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await open_ledger(pilot)
        rows = summary_rows(panel)
        assert rows["党委会/ledger_party_meetings"] == ("党委会 党委会次数", "3", "1", "次", "30 已10%")  # target 30
        assert rows["党委会/ledger_party_matters"][1:3] == ("6", "9")
        # The office's own category, with its target; a category not kept shows a dash, not 0.
        assert rows["信访接待/ledger_petitions"][:3] == ("信访接待 信访接待次数", "1", "—")
        assert rows["法治调研/ledger_surveys"][1] == "—"
        assert "2023年 · 全镇" in text_of(panel.query_one("#summary-title"))
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert summary_rows(panel)["党委会/ledger_party_meetings"][1:3] == ("0", "3")


async def test_enter_lists_a_category_and_n_adds_one_with_its_own_fields_first(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await open_ledger(pilot)
        table = panel.query_one("#summary")
        table.focus()
        table.move_cursor(row=list(k.value for k in table.rows).index("志愿服务/ledger_volunteer_visits"))
        await pilot.press("enter")
        await settle(pilot)
        assert panel.query_one(TabbedContent).active == "tab-records"
        assert panel.view.category == "志愿服务"
        assert sorted(panel.view.records.rows.column("item_no").to_pylist()) == ["V1", "V2"]
        assert "志愿服务" in text_of(panel.query_one("#records-title"))

        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert [f.name for f in form.fields][:4] == ["title", "quantity", "grid", "person"]  # 志愿服务's fields
        form.query_one("#field-title", Input).value = "“平安来敲门”入户走访"
        quantity = form.query_one("#field-quantity", Input)
        quantity.value = "十二"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)  # refused: nothing written
        assert "不是整数" in text_of(app.screen.query_one("#error-quantity"))
        quantity.value = "12"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        written = app.store.query("SELECT * FROM work_items WHERE category = '志愿服务' AND quantity = 12").to_pylist()
        assert len(written) == 1 and written[0]["item_no"].startswith("TZ20261126")


async def test_rectification_list_marks_overdue_and_c_closes_with_a_note_and_history(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await open_ledger(pilot, Period.year(2026))
        panel.query_one(TabbedContent).active = "tab-rectify"
        await settle(pilot)
        rows = panel.view.open_items.rows.to_pylist()
        assert [(r["item_no"], r["flag"]) for r in rows] == [("P3", "【超期】"), ("P4", "")]
        table = panel.query_one("#rectify")
        assert [table.record_at(i)["item_no"] for i in range(2)] == ["P3", "P4"]
        # Overdue: marked in words and in red; the other neither.
        assert table.table.row_styles == [Style.parse("bold red"), None]
        assert "超过期限 1 条" in text_of(panel.query_one("#rectify-title"))

        # e exports what is shown.
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "未销号整改问题-截至2026-11-26.xlsx"
        app.screen.query_one(Input).value = str(tmp_path / "整改.csv")
        await pilot.press("enter")
        await settle(pilot)
        with (tmp_path / "整改.csv").open(encoding="utf-8-sig") as fh:
            exported = list(csv.reader(fh))
        assert exported[0][:3] == ["提示", "期限", "编号"] and exported[1][:3] == ["【超期】", "2026-11-20", "P3"]

        panel.query_one("#rectify").focus()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and "P3" in app.screen.form_title
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)  # a note is needed
        app.screen.query_one(Input).value = "宣传栏已更新，复查到位"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.store.get("work_items", "P3")["status"] == "已销号"
        assert [r["item_no"] for r in panel.view.open_items.rows.to_pylist()] == ["P4"]
        panel.open_detail("P3")
        await settle(pilot)
        history = text_of(panel.query_one("#detail"))
        assert "第2版" in history and "状态：进行中 → 已销号" in history and USER in history


async def test_rectification_list_pages_past_a_thousand_items(tmp_path, monkeypatch):
    """A county's ledgers: 1,250 open items, 1,100 of them overdue. The list counts them all,
    shows the first page, and fetches the rest as the cursor goes down, in 期限 order to the
    last item; the review names how many overdue items it does not list."""
    import datetime as dt

    from fazhi_ledger import review

    monkeypatch.chdir(tmp_path)
    # 期限 rises with the number: the first 1,100 before today, the rest from today on.
    due = [TODAY + dt.timedelta(days=(i - 1100) // 4) for i in range(1250)]
    many = [item(f"Q{i:05d}", "2026-01-05", "整改问题", status="进行中", due=due[i]) for i in range(1250)]
    app = make_app(tmp_path, rows=many)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await open_ledger(pilot, Period.year(2026))
        assert (panel.view.open_items.total, panel.view.open_items.overdue) == (1250, 1100)
        panel.query_one(TabbedContent).active = "tab-rectify"
        await settle(pilot)
        rows = panel.query_one("#rectify")
        assert 0 < rows.loaded < 1250 and rows.total == 1250
        assert "共 1250 条" in text_of(rows.query_one("#paged-note"))
        for _ in range(50):  # each page comes as the cursor nears the end of the last one
            rows.table.move_cursor(row=rows.loaded - 1)
            await settle(pilot)
            if not rows.has_more:
                break
        assert rows.loaded == 1250 and rows.record_at(1249)["item_no"] == "Q01249"
        assert [rows.record_at(i)["item_no"] for i in range(1250)] == [f"Q{i:05d}" for i in range(1250)]
        assert rows.table.row_styles[1099] is not None and rows.table.row_styles[1100] is None
        # e exports the whole list, not the pages loaded.
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = str(tmp_path / "整改.csv")
        await pilot.press("enter")
        await settle(pilot)
        with (tmp_path / "整改.csv").open(encoding="utf-8-sig") as fh:
            assert len(list(csv.reader(fh))) == 1 + 1250
        found = review.rectify_overdue(panel.context)
        assert len(found) == review.MAX_ITEMS + 1 and found[-1].title == "另有 1000 件超期未列出"
