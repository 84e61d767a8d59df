"""The 学法台账 panel in the real app (pilot): the overview, the session list, the person-hours,
and roster entry by keyboard (filter by typing, space / l / a / x, live counts, ctrl+s saves
versions), as a clerk and as a viewer."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from fazhi_tui.config import Config
from fazhi_tui.plugins import PluginHost

from .shell_fixtures import async_test, settle, text_of
from .training_fixtures import training_store


def training_app(tmp_path, monkeypatch):
    from fazhi_tui.ui.app import FazhiApp

    monkeypatch.setenv("FAZHI_TODAY", "2025-07-02")
    store = training_store(tmp_path / "s")
    return FazhiApp(Config(), PluginHost.load(only=["fazhi_training"]), store), store


def test_panel_roster_entry_by_keyboard(tmp_path, monkeypatch):
    app, store = training_app(tmp_path, monkeypatch)

    @async_test
    async def run():
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("x")
            await settle(pilot)
            panel = app.query_one("TrainingPanel")
            kinds = text_of(panel.query_one("#kinds", Static))
            assert "中心组学习" in kinds and "2025年" in kinds and "2024年" in kinds
            plan = text_of(panel.query_one("#plan-table", Static))
            assert "落后" in plan and "2025年计划完成情况" in plan
            people = panel.query_one("#people", DataTable)
            assert people.row_count == 6
            assert [str(people.get_row_at(i)[0]) for i in range(2)] == ["赵敏", "李镇长"]
            assert all("1381234" not in str(c) for i in range(people.row_count) for c in people.get_row_at(i))
            await pilot.press("t")
            await settle(pilot)
            table = panel.query_one("#sessions", DataTable)
            assert table.row_count == 9 and app.focused is table
            row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[0]) == "S3")
            table.move_cursor(row=row)
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert type(screen).__name__ == "RosterScreen"
            counts = lambda: text_of(screen.query_one("#roster-counts", Static))  # noqa: E731
            assert "出席 5 · 请假 0 · 缺席 0 · 未登记 0" in counts()
            await pilot.press("敏")  # type to filter: only 赵敏 is left
            roster = screen.query_one(DataTable)
            assert roster.row_count == 1 and str(roster.get_row_at(0)[1]) == "赵敏"
            await pilot.press("a")
            assert "出席 4 · 请假 0 · 缺席 1" in counts() and "未保存" in counts()
            await pilot.press("backspace")  # the filter is empty again: everyone
            assert roster.row_count == 5
            roster.move_cursor(row=next(i for i in range(5) if str(roster.get_row_at(i)[1]) == "周村长"))
            await pilot.press("l")
            assert "出席 3 · 请假 1 · 缺席 1" in counts()
            roster.move_cursor(row=next(i for i in range(5) if str(roster.get_row_at(i)[1]) == "周村长"))
            await pilot.press("space")
            assert "出席 4 · 请假 0 · 缺席 1" in counts()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "未保存" not in counts()
            await pilot.press("escape")  # nothing unsaved: closes
            await settle(pilot)
            assert type(app.screen).__name__ != "RosterScreen"
            assert str(table.get_row_at(row)[4]).strip() == "4"  # the list shows the new count

    run()
    assert store.get("training_attendance", "S3/P04")["status"] == "缺席"
    assert store.get("training_attendance", "S3/P04")["_rev"] == 2
    assert store.get("training_attendance", "S3/P06")["_rev"] == 1  # marked 请假 then 出席 again: unchanged
    assert store.get("trainings", "S3")["participants"] == 4
    store.close()


def test_escape_saves_and_ctrl_d_discards(tmp_path, monkeypatch):
    app, store = training_app(tmp_path, monkeypatch)

    @async_test
    async def run():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("x", "t")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("x")  # takes the first person's mark off
            await pilot.press("ctrl+d")  # closes without saving
            await settle(pilot)
            assert type(app.screen).__name__ != "RosterScreen"
            assert store.count("training_attendance") == 19
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("l")
            await pilot.press("escape")  # saves, then closes
            await settle(pilot)
            assert type(app.screen).__name__ != "RosterScreen"

    run()
    assert store.query("SELECT count(*) FROM training_attendance WHERE _rev = 2").column(0)[0].as_py() == 1
    store.close()


def test_the_topic_column_leaves_room_for_the_others():
    """At 120x40 the panel is ~96 cells wide: a long 主题 is cut (with …) so that 参加人数, 名单,
    学时 and 网格 stay on screen, never pushed past the right edge."""
    from rich.cells import cell_len

    from fazhi_training.sessions import SESSION_COLUMNS, SESSION_LABELS
    from fazhi_training.widgets.topic_width import cut as _cut
    from fazhi_training.widgets.topic_width import topic_width as _topic_width

    topic = "学习《党政主要负责人履行推进法治建设第一责任人职责规定》"
    row = {
        "training_id": "XF2026-047",
        "date": "2026-11-10",
        "kind": "法律服务活动",
        "topic": topic,
        "participants": "14",
        "roster": "14人",
        "hours": "2",
        "grid_name": "镇区网格",
    }
    labels = {c: SESSION_LABELS[c] for c in SESSION_COLUMNS}
    width = _topic_width(SESSION_COLUMNS, labels, [row], 96)
    others = sum(max(cell_len(labels[c]), cell_len(row[c])) + 2 for c in SESSION_COLUMNS if c != "topic")
    assert others + width + 2 + 2 <= 96 and width < cell_len(topic)
    cut = _cut(topic, width)
    assert cell_len(cut) <= width and cut.endswith("…") and topic.startswith(cut[:-1])
    assert _topic_width(SESSION_COLUMNS, labels, [dict(row, topic="普法")], 96) == cell_len("主题")
    assert _cut("民法典进企业", 40) == "民法典进企业"


def test_at_80_columns_whole_columns_are_left_out_by_priority_before_the_topic_is_a_stub():
    """At 80x24 the panel is ~62 cells wide: 网格, 学时 and then 编号 go whole, so that 主题 keeps
    at least eight characters; at 120x40 (~102 cells) every column is on screen."""
    from rich.cells import cell_len

    from fazhi_training.sessions import SESSION_COLUMNS, SESSION_LABELS
    from fazhi_training.widgets.topic_width import fit_columns

    def row(date: str) -> dict:
        return {
            "training_id": "XF2026-047",
            "date": date,
            "kind": "法律服务活动",
            "topic": "学习《党政主要负责人履行推进法治建设第一责任人职责规定》",
            "participants": "120",
            "roster": "98人",
            "hours": "2",
            "grid_name": "丁庄村网格",
        }

    labels = {c: SESSION_LABELS[c] for c in SESSION_COLUMNS}
    shown, topic = fit_columns(SESSION_COLUMNS, labels, [row("2026-11-10")], 102)
    assert shown == SESSION_COLUMNS and topic >= 16
    narrow = dict(labels, participants="人数")
    shown, topic = fit_columns(SESSION_COLUMNS, narrow, [row("26-11-10")], 62)
    assert shown == ("date", "kind", "topic", "participants", "roster") and topic >= 16
    others = sum(max(cell_len(narrow[c]), cell_len(row("26-11-10")[c])) + 2 for c in shown if c != "topic")
    assert others + topic + 2 + 2 <= 62  # every column whole, nothing past the edge
    # A short topic takes only what it needs, and nothing is left out for it.
    short = dict(row("26-11-10"), topic="普法")
    assert fit_columns(SESSION_COLUMNS, narrow, [short], 200) == (SESSION_COLUMNS, cell_len("主题"))
