"""The 12345热线 panel driven as staff would: figures for the period and grid, the open list's
flags and keyset paging, a ticket's detail and history, the new-ticket form's validation,
签收/办结/回访 as new versions, a stale save refused, `e` export, and what a viewer may not do.

The demo store (fixed today 2026-11-26) is built once and copied for each test.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, Select, TabbedContent

from fazhi_tui.access import CLERK, VIEWER, Access, Policy
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.period import Period
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle, text_of
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.screens.export_dialog import ExportDialog
from fazhi_tui.ui.screens.help import HelpScreen
from fazhi_tui.ui.screens.record_form import RecordForm

from .shell_fixtures import USER

TODAY = dt.date(2026, 11, 26)
PENDING_TICKET = "DH20261122001"  # 待签收 in the demo, due 2026-11-27


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    host = PluginHost.load(only=["fazhi_hotline"])
    root = tmp_path_factory.mktemp("hotline-demo") / "store"
    build_demo(root, host, table_specs(host, Config()), TODAY)
    return root


def make_app(
    demo_store: Path, tmp_path: Path, *, access: Access | None = None, config: Config | None = None, user: str = USER
) -> FazhiApp:
    root = tmp_path / "store"
    shutil.copytree(demo_store, root)
    config = config or Config()
    host = PluginHost.load(only=["fazhi_hotline"])
    store = Store.open(root, table_specs(host, config), user=user, access=access)
    return FazhiApp(config, host, store)


def panel_of(app):
    return app.query_one("HotlinePanel")


def notices(app) -> str:
    return "\n".join(n.message for n in app._notifications)


async def open_by_number(pilot, ticket_no: str) -> None:
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RecordForm)
    pilot.app.screen.query_one(Input).value = ticket_no
    await pilot.press("enter")
    await settle(pilot)


async def submit(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_figures_follow_the_period_and_the_grid(demo_store, tmp_path):
    from fazhi_hotline import queries

    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = panel_of(app)
        assert panel.context.period == Period.year(2026)
        want = queries.figures(panel.context)
        shown = text_of(panel.query_one("#figures"))
        assert "2026年（截至11月26日） · 全镇" in shown and "2025年" in shown
        assert f"{want.current.received}件" in shown and f"{want.previous.received}件" in shown
        assert want.current.satisfaction.text in shown and want.previous.satisfaction.text in shown
        assert "季度排名" in text_of(panel.query_one("#ranks"))
        assert sum(panel.query_one("#trend").values) == want.current.received  # the year's twelve months

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert panel.context.period == Period.year(2025)
        want_2025 = queries.figures(panel.context)
        shown = text_of(panel.query_one("#figures"))
        assert "2025年 · 全镇" in shown and "2024年" in shown
        assert f"{want_2025.current.received}件" in shown
        assert want_2025.current.received != want.current.received

        await pilot.press("g", *"镇区", "enter")
        await settle(pilot)
        assert panel.context.grid is not None and panel.context.grid.name == "镇区网格"
        in_grid = queries.figures(panel.context)
        assert 0 < in_grid.current.received < want_2025.current.received
        shown = text_of(panel.query_one("#figures"))
        assert "2025年 · 镇区网格" in shown and f"{in_grid.current.received}件" in shown
        assert [r["grid_name"] for r in panel.view.grids.to_pylist()] == ["镇区网格"]


async def test_open_list_flags_pages_by_keyset_and_opens_a_ticket(demo_store, tmp_path):
    from fazhi_hotline import queries
    from fazhi_hotline.open_list import OPEN_CACHE

    config = Config(plugin={"fazhi_hotline": {"page_size": 3}})
    app = make_app(demo_store, tmp_path, config=config)
    OPEN_CACHE.clear()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = panel_of(app)
        # The first screen came from the files; the town's open tickets were read after it was
        # drawn and are kept for the pages, grids and periods that follow.
        assert OPEN_CACHE.peek(app.store, panel.context.town) is not None
        everything = queries.open_tickets(panel.context, limit=1000)
        assert everything.total == 10 and everything.overdue == 4 and everything.due_soon == 5
        panel.query_one(TabbedContent).active = "tab-open"
        await settle(pilot)
        listing = panel.query_one("#open-list")
        summary = text_of(panel.query_one("#open-summary"))
        assert "超期 4 件" in summary and "即将到期 5 件" in summary and "11-27" in summary
        # Pages of 3 are fetched (rows after the last one shown) until a screenful is loaded.
        assert listing.loaded == 10 and not listing.has_more and listing.pages == 4
        rows = listing.rows.to_pylist()
        assert [r["ticket_no"] for r in rows] == everything.rows.column("ticket_no").to_pylist()
        for r in rows:
            if r["deadline"] < TODAY:
                assert r["flag"] == "超期"
            elif r["deadline"] <= dt.date(2026, 11, 27):
                assert r["flag"] == "即将到期"
            else:
                assert r["flag"] is None
        assert "共 10 条" in text_of(listing.query_one("#paged-note"))

        listing.table.focus()  # Enter on a row opens the ticket with its history
        await pilot.press("enter")
        await settle(pilot)
        assert panel.active_tab == "tab-detail"
        head = text_of(panel.query_one("#detail-head"))
        assert rows[0]["ticket_no"] in head and "【超期】" in head and "当前第 1 版" in head
        assert "主要内容" in text_of(panel.query_one("#detail-fields"))
        history = text_of(panel.query_one("#detail-history"))
        assert "修改记录" in history and "第1版" in history and "演示数据" in history
        assert {"s", "c", "v"} <= set(app.screen.active_bindings)  # the focus stayed in the panel


async def test_sign_close_and_callback_each_write_a_version(demo_store, tmp_path):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = panel_of(app)
        await open_by_number(pilot, PENDING_TICKET)
        assert panel.active_tab == "tab-detail" and panel.detail.record["status"] == "待签收"

        await pilot.press("s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm) and form.form_title == "签收工单"
        form.query_one("#field-signed_at", Input).value = "2026-11-26 09:00"
        await submit(pilot)
        assert panel.detail.record["status"] == "办理中" and panel.detail.record["_rev"] == 2
        history = text_of(panel.query_one("#detail-history"))
        assert "第2版" in history and "状态：待签收 → 办理中" in history and USER in history

        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#field-closed_at", Input).value = "2026-11-26 16:30"
        await submit(pilot)  # without 办理结果: told under the field, nothing written
        assert "请写明办理结果" in text_of(app.screen.query_one("#error-result"))
        app.screen.query_one("#field-result", Input).value = "已协调供电所更换路灯"
        await submit(pilot)
        assert panel.detail.record["status"] == "已办结" and panel.detail.record["_rev"] == 3
        assert "超过办理时限" not in notices(app)  # closed before 11-27: on time

        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one("#field-callback", Select).value = "不满意"
        await submit(pilot)  # 不满意 without a reason: told under the field
        assert "须填写原因" in text_of(app.screen.query_one("#error-unsatisfied_reason"))
        app.screen.query_one("#field-unsatisfied_reason", Input).value = "路灯仍不亮"
        await submit(pilot)
        assert not isinstance(app.screen, RecordForm)
        history = app.store.history("hotline", PENDING_TICKET).to_pylist()
        assert [v["_rev"] for v in history] == [1, 2, 3, 4]
        assert [v["status"] for v in history] == ["待签收", "办理中", "已办结", "已办结"]
        assert history[-1]["callback"] == "不满意" and history[-1]["unsatisfied_reason"] == "路灯仍不亮"
        assert history[2]["closed_at"] == dt.datetime(2026, 11, 26, 16, 30)
        assert history[2]["result"] == "已协调供电所更换路灯"
        assert "第4版" in text_of(panel.query_one("#detail-history"))


async def test_closing_past_the_deadline_is_said(demo_store, tmp_path):
    """Issue 20: 办结 records 办理结果 and says when it is past 办理时限."""
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = panel_of(app)
        await open_by_number(pilot, "GD20261118001")  # 办理时限 2026-11-20 in the demo
        deadline = panel.detail.record["deadline"]
        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#field-closed_at", Input).value = "2026-11-26 10:00"
        app.screen.query_one("#field-result", Input).value = "已清理占道摊点"
        await submit(pilot)
        assert panel.detail.record["status"] == "已办结" and panel.detail.record["result"] == "已清理占道摊点"
        from fazhi_hotline.deadlines import working_days_between

        days = working_days_between(deadline, dt.date(2026, 11, 26))
        assert days > 0
        assert f"超过办理时限 {days} 个工作日（时限 {deadline:%Y-%m-%d}），计入超期件数" in notices(app)


async def test_new_ticket_form_validates_and_writes_nothing_until_right(demo_store, tmp_path):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.store.count("hotline")
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#field-phone", Input).value = "12345"
        form.query_one("#field-received_at", Input).value = "2026-13-01 09:00"
        form.query_one("#field-deadline", Input).value = "下周"
        form.query_one("#field-category", Select).value = "城市管理/市容市政"
        await submit(pilot)
        assert app.screen is form  # still open
        error = lambda name: text_of(form.query_one(f"#error-{name}"))  # noqa: E731
        assert "必填" in error("appeal_type")
        assert "“12345”不是电话号码" in error("phone")  # the store's check: an import says the same
        assert error("received_at") and error("deadline")
        assert app.store.count("hotline") == before

        form.query_one("#field-received_at", Input).value = "2026-11-26 09:30"
        form.query_one("#field-deadline", Input).value = ""
        form.query_one("#field-phone", Input).value = "13812345678"
        form.query_one("#field-appeal_type", Select).value = "投诉举报"
        form.query_one("#field-caller", Input).value = "王五"
        form.query_one("#field-content", Input).value = "主街路灯不亮"
        await submit(pilot)
        assert not isinstance(app.screen, RecordForm)
        assert app.store.count("hotline") == before + 1
        added = app.store.get("hotline", "DH20261126001")
        assert added["status"] == "待签收" and added["category1"] == "城市管理" and added["category2"] == "市容市政"
        assert added["deadline"] == dt.date(2026, 12, 3)  # 5 working days for 投诉举报
        assert "已新建工单 DH20261126001" in notices(app)
        assert panel_of(app).detail_no == "DH20261126001"


async def test_a_stale_save_is_refused_with_who_and_when_and_the_record_reloaded(demo_store, tmp_path):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = panel_of(app)
        await open_by_number(pilot, PENDING_TICKET)
        assert panel.detail.record["_rev"] == 1
        # Meanwhile a colleague edits the same ticket from another session.
        other = Store.open(app.store.root, list(app.store.specs.values()), user="李四")
        other.update("hotline", PENDING_TICKET, {"content": "补充：村口路灯"}, expected_rev=1)
        other.close()
        await pilot.press("s")
        await pilot.pause()
        await submit(pilot)
        assert not isinstance(app.screen, RecordForm)
        told = notices(app)
        assert "李四" in told and "第 2 版" in told and "未写入" in told
        assert "未保存" in text_of(panel.query_one("#detail-status"))
        assert panel.detail.record["_rev"] == 2 and panel.detail.record["content"] == "补充：村口路灯"
        assert "当前第 2 版，李四" in text_of(panel.query_one("#detail-head"))
        assert app.store.get("hotline", PENDING_TICKET)["status"] == "待签收"  # nothing written


async def export_to(pilot, path: Path) -> None:
    await pilot.press("e")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one(Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)


async def test_e_exports_the_open_list_as_shown(demo_store, tmp_path, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    monkeypatch.chdir(tmp_path)
    app = make_app(demo_store, tmp_path, config=Config(plugin={"fazhi_hotline": {"page_size": 3}}))
    async with app.run_test() as pilot:
        await settle(pilot)
        panel = panel_of(app)
        panel.query_one(TabbedContent).active = "tab-open"
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "热线未办结工单-截至2026-11-26.xlsx"  # in the current folder
        await pilot.press("enter")
        await settle(pilot)
        out = tmp_path / "热线未办结工单-截至2026-11-26.xlsx"
        sheet = openpyxl.load_workbook(out).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:4] == ("提示", "办理时限", "工单编号", "状态")
        assert len(rows) == 1 + 10  # every open ticket, not only the page loaded
        caller = rows[0].index("来电人")
        assert all(r[caller] and "*" not in r[caller] for r in rows[1:])  # an admin's export is whole
        assert str(out) in notices(app) and "未脱敏" in notices(app)

        # Each tab exports what it shows.
        tabs = panel.query_one(TabbedContent)
        exported = {}
        for tab in ("tab-overview", "tab-categories", "tab-grids", "tab-detail"):
            tabs.active = tab
            exported[tab] = panel.export_view()
        assert exported["tab-overview"].title == "热线指标" and exported["tab-overview"].rows.num_rows == 10
        assert exported["tab-categories"].title == "热线分类统计"
        rows, spec = exported["tab-grids"].prepared(exported["tab-grids"].fetch())
        assert [c.label for c in spec.columns][:3] == ["网格编码", "网格", "受理量"] and rows.num_rows == 23
        assert exported["tab-detail"] is None  # no ticket opened: `e` is hidden there
        await pilot.pause()
        assert "e" not in app.screen.active_bindings


def footer_keys(app) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show}


async def test_a_viewer_sees_no_write_actions_is_told_when_forcing_one_and_exports_masked(demo_store, tmp_path):
    app = make_app(demo_store, tmp_path, access=Access("查看员", VIEWER))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = panel_of(app)
        assert "e" in footer_keys(app)
        assert not {"n", "s", "c", "v"} & set(app.screen.active_bindings)
        titles = [a.title for a in panel.palette_actions()]
        assert "导出" in titles and not {"新建工单", "签收", "办结", "回访"} & set(titles)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {r.binding_id for r in app.screen.rows}
        assert "panel.export" in ids and not {"hotline.new", "hotline.sign", "hotline.close", "hotline.callback"} & ids
        await pilot.press("escape")

        await pilot.press("n")  # forced: refused, naming the role needed, no form
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
        assert "查看员（查看）不能修改“12345热线工单”：需要办事员或管理员角色" in notices(app)
        app._notifications.clear()
        panel.action_sign()  # called directly (a keymap, a script): the same refusal
        await pilot.pause()
        assert "需要办事员或管理员角色" in notices(app)
        # The store refuses as well: the screen is not the only gate.
        from fazhi_tui.access import AccessError

        with pytest.raises(AccessError, match="需要办事员或管理员角色"):
            app.store.update("hotline", PENDING_TICKET, {"status": "办理中"}, expected_rev=1)

        # What a viewer may do, export, is masked.
        panel.query_one(TabbedContent).active = "tab-open"
        await settle(pilot)
        await export_to(pilot, tmp_path / "open.csv")
        with open(tmp_path / "open.csv", encoding="utf-8-sig") as fh:
            table = list(csv.reader(fh))
        header = table[0]
        assert "来电人（已脱敏）" in header and "联系电话（已脱敏）" in header
        caller, phone = header.index("来电人（已脱敏）"), header.index("联系电话（已脱敏）")
        assert len(table) == 11 and all(r[caller].endswith("*") and "****" in r[phone] for r in table[1:])
        assert "已脱敏" in notices(app)


async def test_a_clerk_writes_the_hotline_only_when_the_store_allows_it(demo_store, tmp_path):
    other_tables = Access("李四", CLERK, Policy(clerk_tables=frozenset({"enforcement"})))
    app = make_app(demo_store, tmp_path, access=other_tables)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert "n" not in app.screen.active_bindings
        await pilot.press("n")
        await pilot.pause()
        assert "不在办事员可编辑的范围内" in notices(app)
        # The same clerk once access.toml lists the hotline among clerk_tables.
        app.store.access = Access("李四", CLERK, Policy(clerk_tables=frozenset({"hotline"})))
        panel_of(app).refresh_bindings()
        await pilot.pause()
        assert {"n", "s", "c", "v"} <= footer_keys(app)
