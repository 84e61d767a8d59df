"""The 执法台账 panel driven as a user would (Textual's pilot, a real store in tmp_path with the
hand-worked rows of test_enforcement): the 三项制度 rates with the failing cases one key away,
the case list marked in words and colour, the forms, and PII for a viewer."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, TabbedContent

from fazhi_tui.api import Access
from fazhi_tui.config import Config
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle, text_of
from fazhi_tui.ui.screens.record_form import RecordForm

from .shell_fixtures import GRIDS, USER
from .test_enforcement import ACTIONS, CASES, PEOPLE

pytest.importorskip("fazhi_enforcement")


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("FAZHI_TODAY", "2023-11-20")


def make_app(tmp_path, access: Access | None = None):
    from fazhi_tui.ui.app import FazhiApp

    config = Config()
    host = PluginHost.load(only=["fazhi_enforcement"])
    specs = table_specs(host, config)
    root = tmp_path / "store"
    with Store.open(root, specs, create=True, user=USER) as s:
        s.append("grids", GRIDS)
        s.append("people", PEOPLE)
        s.append("enforcement_actions", ACTIONS)
        s.append("enforcement_cases", CASES)
    return FazhiApp(config, host, Store.open(root, specs, user=USER, access=access))


async def opened(pilot):
    await settle(pilot)
    await pilot.press("f")
    await settle(pilot)
    return pilot.app.query_one("EnforcementPanel")


def shown_cases(panel, list_id: str) -> list[str]:
    return panel.query_one(list_id).rows.column("case_no").to_pylist()


async def test_rates_beside_the_previous_period_and_failing_cases_one_key_away(tmp_path):
    async with make_app(tmp_path).run_test(size=(120, 40)) as pilot:
        panel = await opened(pilot)
        rates = text_of(panel.query_one("#compliance"))
        assert "71.4%（5/7）" in rates and "33.3%（1/3）" in rates and "2宗" in rates
        figures = text_of(panel.query_one("#figures"))
        assert "2023年 · 全镇" in figures and "2022年" in figures and "20,350" in figures
        await pilot.press("c")  # the first rate with failing cases: 全过程记录（音像）
        await settle(pilot)
        assert panel.query_one(TabbedContent).active == "tab-failing"
        assert sorted(shown_cases(panel, "#failing-list")) == ["A3", "A6"]
        await pilot.press("c")  # 两名执法人员持证: none fail
        await settle(pilot)
        assert panel.query_one("#failing-list").rows.num_rows == 0
        assert "两名执法人员持证" in text_of(panel.query_one("#failing-summary"))
        await pilot.press("c")  # 重大决定法制审核
        await settle(pilot)
        assert shown_cases(panel, "#failing-list") == ["A6"]


async def test_a_period_change_fetches_only_the_open_tab(tmp_path):
    from fazhi_tui.testing import set_view

    async with make_app(tmp_path).run_test(size=(120, 40)) as pilot:
        panel = await opened(pilot)
        view = panel.view
        assert view is not None and view.comparison is not None
        assert (view.actions, view.cases, view.failing) == (None, None, None)  # lists wait for their tab
        await pilot.press("t")  # 整治行动: its list now, the figures kept
        await settle(pilot)
        assert panel.view.actions is not None and panel.view.comparison is view.comparison
        assert panel.query_one("#actions-list").rows.num_rows == len([a for a in ACTIONS if a["day"].year == 2023])
        await set_view(pilot, period=2022)
        await settle(pilot)
        view = panel.view
        assert view.ctx.period.label == "2022年" and view.actions is not None and view.comparison is None
        await pilot.press("T")  # back to 概况: fetched for 2022 now
        await settle(pilot)
        assert panel.view.comparison is not None and panel.view.comparison.period.label == "2022年"


async def test_case_list_marks_in_words_and_colour_and_pages(tmp_path):
    async with make_app(tmp_path).run_test(size=(120, 40)) as pilot:
        panel = await opened(pilot)
        await pilot.press("m")  # 待办案件, most urgent first
        await settle(pilot)
        assert panel.query_one(TabbedContent).active == "tab-cases"
        paged = panel.query_one("#cases-list")
        assert paged.rows.column("flag").to_pylist() == ["整改超期", "公示超期", "公示待办", "待复查"]
        styles = paged.table.row_styles
        assert styles[0] is not None and styles[0].color is not None and styles[0].color.name == "red"
        assert "整改超期 1 宗" in text_of(panel.query_one("#cases-summary"))


async def choose(form, name: str, value) -> None:
    form.query_one(f"#field-{name}", Select).value = value


async def test_new_case_picks_officers_from_people_and_fills_their_badges(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await opened(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm) and form.form_title == "新建执法案件"
        officer_choices = dict((v, s) for s, v in next(f for f in form.fields if f.name == "officer1").options())
        assert officer_choices == {
            "P1": "王执法（豫平执04210001）",
            "P2": "李执法（豫平执04210002）",
            "P3": "张执法（豫平执04210003）",
        }
        form.query_one("#field-found_at", Input).value = "2023-11-20 09:00"
        await choose(form, "violation_type", "乱摆乱卖")
        await choose(form, "handling", "简易程序处罚")
        await choose(form, "officer1", "P1")
        await choose(form, "officer2", "P3")
        form.query_one("#field-decided_on", Input).value = "2023-11-20"
        form.query_one("#field-fine", Input).value = "100"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        row = app.store.get("enforcement_cases", "AJ20231120-01")
        assert (row["badge1"], row["badge2"], row["status"]) == ("豫平执04210001", "豫平执04210003", "处理中")
        assert panel.view is not None and panel.view.comparison.current.cases == len(CASES)  # B1 is 2022


async def test_review_and_publish_from_the_list(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await opened(pilot)
        await pilot.press("m")
        await settle(pilot)
        panel.query_one("#cases-list").table.focus()
        await pilot.press("down", "down")  # 公示待办: A7
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm) and app.screen.intro == "案件 A7"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(app.store.get("enforcement_cases", "A7")["published_on"]) == "2023-11-20"
        assert "公示待办" not in panel.query_one("#cases-list").rows.column("flag").to_pylist()


async def test_a_viewer_sees_parties_masked_in_the_list_and_the_export_and_no_forms(tmp_path):
    from fazhi_tui.transfer.exporter import export_rows

    app = make_app(tmp_path, access=Access("查看员", "viewer"))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await opened(pilot)
        assert not panel.check_action("new_case", ())
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        await pilot.press("t", "t")
        await settle(pilot)
        assert set(panel.query_one("#cases-list").rows.column("party").to_pylist()) == {"张**"}
        view = panel.export_view()
        assert view is not None and view.title == "执法案件"
        rows, spec = view.prepared(view.fetch())
        result = export_rows(rows, spec, tmp_path / "out.csv", "csv", may_see_pii=False)
        text = (tmp_path / "out.csv").read_text("utf-8-sig")
        assert result.rows == 8 and "当事人" in text and "张**" in text and "张三丰" not in text
