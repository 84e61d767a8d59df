"""每日待办 (fazhi_review): the merged queue, marks with history seen by a colleague's store
handle, an item coming back when its record changes, a failing check, the CLI's formats and exit
codes, and the panel driven with the keyboard (Enter opens the ticket in the hotline panel).

The demo store (hotline, fixed today 2026-11-26) is built once and copied for each test; a small
folder plugin (``review_probe``) adds checks whose items and failure the tests control.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, Select, TabbedContent

from fazhi_tui import cli
from fazhi_tui.access import ADMIN, CLERK, VIEWER, Access, Policy
from fazhi_tui.config import Config
from fazhi_tui.context import Context, Grid
from fazhi_tui.demo import build_demo
from fazhi_tui.period import Period
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import review_checks, table_specs
from fazhi_tui.store import StaleRevisionError, Store
from fazhi_tui.testing import settle
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.screens.record_form import RecordForm

from .shell_fixtures import write_plugin

TODAY = dt.date(2026, 11, 26)
POLICY = Policy(admins=frozenset({"li"}), clerks=frozenset({"wang", "zhao"}), clerk_tables=frozenset({"review_marks"}))
LI = Access("li", ADMIN, POLICY)
WANG = Access("wang", CLERK, POLICY)

PROBE = """
    import datetime as dt
    from fazhi_tui.api import ReviewCheck, ReviewItem, hookimpl

    def late(ctx):
        grid = ctx.query("SELECT min(code) AS code FROM grids").column(0)[0].as_py()
        return [
            ReviewItem("乙事项 后天到期", "探针", due=ctx.today + dt.timedelta(days=2), grid=grid),
            ReviewItem("甲事项 已超期", "探针", due=ctx.today - dt.timedelta(days=90), overdue=True),
            ReviewItem("丙事项 无期限"),
        ]

    def broken(ctx):
        if ctx.settings.get("fail"):
            raise RuntimeError("探针故障")
        return []

    @hookimpl
    def fazhi_review_checks():
        return [ReviewCheck("probe_late", "探针事项", late, order=50), ReviewCheck("probe_broken", "探针故障", broken)]
"""

PLUGINS = ["fazhi_hotline", "fazhi_review", "review_probe"]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    host = PluginHost.load(only=["fazhi_hotline", "fazhi_review"])
    root = tmp_path_factory.mktemp("review-demo") / "store"
    build_demo(root, host, table_specs(host, Config()), TODAY)
    return root


@pytest.fixture
def probe_dir(tmp_path) -> Path:
    return write_plugin(tmp_path / "plugins", "review_probe", PROBE)


def copy_store(demo_store: Path, tmp_path: Path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(demo_store, root)
    return root


def runtime(root: Path, probe_dir: Path | None, *, access: Access = LI, config: Config | None = None):
    config = config or Config()
    only = PLUGINS if probe_dir is not None else PLUGINS[:2]
    host = PluginHost.load(only=only, plugin_dirs=[probe_dir] if probe_dir else [])
    store = Store.open(root, table_specs(host, config), user=access.user, access=access)
    return host, store, config


def context(host, store, config, *, day: dt.date = TODAY, grid: Grid | None = None) -> Context:
    return Context(
        store=store,
        period=Period.year(day.year),
        today=day,
        grid=grid,
        user=store.user,
        role=store.access.role_label,
        review_checks=review_checks(host, config),
    )


def queue_of(host, store, config, **kwargs):
    from fazhi_review.queue import build_queue

    return build_queue(context(host, store, config, **kwargs))


def first(queue, check: str):
    return next(e for e in queue.entries if e.check == check)


# -- the queue -------------------------------------------------------------------------------------
def test_items_of_two_plugins_merged_grouped_and_ordered(demo_store, tmp_path, probe_dir):
    from fazhi_review.queue import groups

    host, store, config = runtime(copy_store(demo_store, tmp_path), probe_dir)
    queue = queue_of(host, store, config)
    plugins = {e.plugin for e in queue.entries}
    assert {"fazhi_hotline", "review_probe"} <= plugins
    gs = groups(queue.entries)
    # One group per check, each check's items together.
    assert len({g.check for g in gs}) == len(gs)
    names = [g.check for g in gs]
    # Checks with overdue items first, by their earliest due date: the probe's item is 90 days
    # late, older than any overdue ticket of the demo; then the checks without overdue items by
    # their first due date (today/tomorrow before none at all).
    oldest_ticket = min(e.item.due for g in gs if g.check == "hotline_overdue" for e in g.entries)
    assert oldest_ticket > TODAY - dt.timedelta(days=90)
    assert names.index("probe_late") < names.index("hotline_overdue") < names.index("hotline_due_soon")
    assert names.index("hotline_due_soon") < names.index("hotline_unsatisfied")
    probe = next(g for g in gs if g.check == "probe_late")
    assert [e.item.title for e in probe.entries] == ["甲事项 已超期", "乙事项 后天到期", "丙事项 无期限"]
    for g in gs:
        keys = [(not e.item.overdue, e.item.due or dt.date.max) for e in g.entries]
        assert keys == sorted(keys), g.check
    overdue = next(g for g in gs if g.check == "hotline_overdue")
    assert overdue.entries and all(e.item.overdue and e.item.table == "hotline" for e in overdue.entries)
    # The grid's name is looked up for the item's code.
    named = store.query("SELECT name FROM grids ORDER BY code LIMIT 1").column(0)[0].as_py()
    assert probe.entries[1].grid_name == named
    assert queue.open_count() == len(queue.entries)


def test_the_grid_narrows_the_hotline_items(demo_store, tmp_path):
    host, store, config = runtime(copy_store(demo_store, tmp_path), None)
    town = queue_of(host, store, config)
    code = town.entries[0].item.grid
    row = store.query("SELECT code, name, village FROM grids WHERE code = ?", [code]).to_pylist()[0]
    grid = Grid(row["code"], row["name"], row["village"] or "")
    narrow = queue_of(host, store, config, grid=grid)
    assert narrow.entries and all(e.item.grid == code for e in narrow.entries if e.item.record_id)
    assert len(narrow.entries) < len(town.entries)
    assert narrow.grid_label == row["name"]


def test_a_failing_check_is_one_failed_row_naming_its_plugin(demo_store, tmp_path, probe_dir):
    from fazhi_review.queue import FAILED

    config = Config(plugin={"review_probe": {"fail": True}})
    host, store, config = runtime(copy_store(demo_store, tmp_path), probe_dir, config=config)
    queue = queue_of(host, store, config)
    failed = [e for e in queue.entries if e.status == FAILED]
    assert len(failed) == 1
    assert failed[0].plugin == "review_probe" and "探针故障" in failed[0].error
    assert "review_probe" in failed[0].item.title
    assert queue.entries[0] is failed[0]  # first, so nobody misses that the list is incomplete
    # The rest stands: the probe's other check and the hotline's.
    assert any(e.check == "probe_late" for e in queue.entries)
    assert any(e.plugin == "fazhi_hotline" for e in queue.entries)
    assert queue.open_count() == len(queue.entries)


# -- marks -----------------------------------------------------------------------------------------
def test_handled_snoozed_and_assigned_with_history_seen_by_a_colleague(demo_store, tmp_path, probe_dir):
    from fazhi_review import marks
    from fazhi_review.queue import build_queue
    from fazhi_review.tables import HANDLED, SNOOZED

    root = copy_store(demo_store, tmp_path)
    host, li_store, config = runtime(root, probe_dir, access=LI)
    ctx = context(host, li_store, config)
    queue = build_queue(ctx)
    ticket = first(queue, "hotline_overdue")
    late = next(e for e in queue.entries if e.item.title == "甲事项 已超期")
    soon = first(queue, "hotline_due_soon")

    marks.handle(ctx, ticket, "已电话催办")
    marks.snooze(ctx, late, dt.date(2026, 11, 27), "等材料")
    marks.assign(ctx, soon, "wang", "请核实")
    with pytest.raises(marks.MarkError, match="不能指派给 nobody"):
        marks.assign(ctx, soon, "nobody")
    with pytest.raises(marks.MarkError, match="暂缓日期须晚于今日"):
        marks.snooze(ctx, late, TODAY)

    # A colleague's own store handle (another process would see the same files).
    _h, wang_store, _c = runtime(root, probe_dir, access=WANG)
    seen = queue_of(host, wang_store, config)
    t = seen.entry(ticket.key)
    assert t.status == HANDLED and t.mark.by == "li" and t.mark.note == "已电话催办"
    assert [v.describe() for v in t.mark.history] == ["已处理，备注：已电话催办"]
    assert seen.entry(late.key).status == SNOOZED and seen.entry(late.key).mark.snooze_until == dt.date(2026, 11, 27)
    s = seen.entry(soon.key)
    assert s.is_open and s.assignee == "wang" and s.mark.note == "请核实"
    assert ticket.key not in {e.key for e in seen.open_entries()}
    assert late.key not in {e.key for e in seen.open_entries()}
    # Assigned items are wang's and nobody else's; unassigned ones are everyone's.
    assert soon.key in {e.key for e in seen.open_entries(user="wang")}
    assert soon.key not in {e.key for e in seen.open_entries(user="zhao")}
    assert seen.open_count(user="zhao") == seen.open_count() - 1
    # The store's history says who did what and when.
    history = wang_store.history("review_marks", ticket.key).to_pylist()
    assert [(v["_by"], v["state"], v["note"]) for v in history] == [("li", HANDLED, "已电话催办")]

    # The snooze ends on its day: the item is listed again then.
    assert queue_of(host, wang_store, config, day=dt.date(2026, 11, 27)).entry(late.key).is_open

    # wang hands the ticket back to nobody; li's undo of the handling is refused only if wang
    # changed that mark meanwhile. wang undoes their own change of the assignment.
    wctx = context(host, wang_store, config)
    rev = marks.assign(wctx, build_queue(wctx).entry(soon.key), None, "已核实，无需指派")
    after = queue_of(host, li_store, config).entry(soon.key)
    assert after.assignee is None and [v.by for v in after.mark.history] == ["li", "wang"]
    marks.undo(wctx, build_queue(wctx).entry(soon.key), rev)
    again = queue_of(host, li_store, config).entry(soon.key)
    assert again.assignee == "wang" and again.mark.rev == 3
    with pytest.raises(StaleRevisionError):
        marks.undo(ctx, build_queue(ctx).entry(soon.key), 1)
    # Undoing the first version leaves the item as it was: open, nobody assigned.
    marks.undo(ctx, build_queue(ctx).entry(ticket.key), 1)
    back = queue_of(host, wang_store, config).entry(ticket.key)
    assert back.is_open and back.mark.rev == 2 and back.mark.history[-1].by == "li"


def test_a_handled_item_comes_back_when_its_record_changes(demo_store, tmp_path):
    from fazhi_review import marks
    from fazhi_review.queue import build_queue
    from fazhi_review.tables import HANDLED

    host, store, config = runtime(copy_store(demo_store, tmp_path), None)
    ctx = context(host, store, config)
    ticket = first(build_queue(ctx), "hotline_overdue")
    marks.handle(ctx, ticket, "已催办")
    handled = build_queue(ctx).entry(ticket.key)
    assert handled.status == HANDLED and not handled.reappeared
    # Unrelated writes do not bring it back…
    other = first(build_queue(ctx), "hotline_due_soon")
    marks.handle(ctx, other)
    assert build_queue(ctx).entry(ticket.key).status == HANDLED
    # …a new version of the ticket does.
    record = store.get("hotline", ticket.item.record_id)
    store.update(
        "hotline", ticket.item.record_id, {"content": record["content"] + "（补充）"}, expected_rev=record["_rev"]
    )
    back = build_queue(ctx).entry(ticket.key)
    assert back.is_open and back.reappeared and back.record.rev == record["_rev"] + 1
    # Handled again, it stays handled until the next change.
    marks.handle(ctx, back, "已再次催办")
    assert build_queue(ctx).entry(ticket.key).status == HANDLED


def test_snooze_dates_as_people_type_them():
    from fazhi_review.marks import MarkError, parse_day
    from fazhi_tui.api import add_working_days

    assert parse_day("2026-12-03", TODAY) == dt.date(2026, 12, 3)
    assert parse_day("12-3", TODAY) == dt.date(2026, 12, 3)
    assert parse_day("12月3日", TODAY) == dt.date(2026, 12, 3)
    assert parse_day("1-5", TODAY) == dt.date(2027, 1, 5)
    assert parse_day("+3", TODAY) == dt.date(2026, 11, 29)
    with pytest.raises(MarkError):
        parse_day("下周", TODAY)
    # The default of z, the next working day (the host's official calendar): 2026-11-27 is a
    # Friday; after it comes Monday. Before 国庆 2025, the make-up Sunday 9-28 is a working day.
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)
    assert add_working_days(dt.date(2025, 9, 27), 1) == dt.date(2025, 9, 28)
    assert add_working_days(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)


def test_colleagues_come_from_access_toml(tmp_path):
    (tmp_path / "access.toml").write_text('admin = ["li"]\nclerk = ["wang", "zhao", "@nosuchgroup"]\n', "utf-8")
    from fazhi_tui.access import resolve_access

    assert resolve_access(tmp_path).colleagues() == ["li", "wang", "zhao"]
    assert Access("x", VIEWER).colleagues() == []


# -- the CLI ---------------------------------------------------------------------------------------
def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_formats_and_exit_codes(demo_store, tmp_path, probe_dir, capsys, monkeypatch):
    monkeypatch.setenv("FAZHI_PLUGINS", "fazhi_hotline,fazhi_review,review_probe")
    root = copy_store(demo_store, tmp_path)
    base = ["review", "--store", str(root), "--plugins-dir", str(probe_dir)]
    code, out, _ = run_cli(capsys, *base)
    assert code == 1
    assert out.splitlines()[0].startswith("赵庄镇每日待办 2026-11-26（周四） 全镇：待办")
    assert "【探针事项】3 项（插件 review_probe）" in out
    assert "  - [超期] 甲事项 已超期（时限 2026-08-28）" in out and "  - [11-28] 乙事项 后天到期（" in out
    assert "【12345工单超期】" in out

    code, out, _ = run_cli(capsys, *base, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["date"] == "2026-11-26" and data["grid"] == "全镇"
    assert data["open"] == sum(len(c["items"]) for c in data["checks"])
    checks = {c["check"]: c for c in data["checks"]}
    assert checks["probe_late"]["plugin"] == "review_probe"
    assert checks["probe_late"]["items"][0] == {
        "title": "甲事项 已超期",
        "detail": "探针",
        "due": "2026-08-28",
        "overdue": True,
        "grid": None,
        "grid_name": None,
        "table": None,
        "record_id": None,
        "assignee": None,
        "reappeared": False,
        "key": "probe_late:甲事项 已超期",
    }
    assert all(i["table"] == "hotline" and i["record_id"] for i in checks["hotline_overdue"]["items"])

    code, out, _ = run_cli(capsys, *base, "--format", "md")
    assert code == 1
    assert out.startswith("# 赵庄镇每日待办")
    assert "## 探针事项（3 项，插件 review\\_probe）" in out
    assert "- **超期** 甲事项 已超期" in out

    # A grid by name: only its items (the probe's grid-less items are the whole town's: they stay).
    code, out, _ = run_cli(capsys, *base, "--grid", "赵庄村网格", "--format", "json")
    data = json.loads(out)
    assert data["grid"] == "赵庄村网格"
    _host, raw, _config = runtime(root, None)
    code_of = raw.query("SELECT code FROM grids WHERE name = '赵庄村网格'").column(0)[0].as_py()
    raw.close()
    hotline = [i for c in data["checks"] if c["plugin"] == "fazhi_hotline" for i in c["items"] if i["record_id"]]
    assert hotline and {i["grid"] for i in hotline} == {code_of}
    code, _out, err = run_cli(capsys, *base, "--grid", "没有的网格")
    assert code == 2 and "没有编号或名称为“没有的网格”的网格" in err


def test_cli_exit_0_when_nothing_is_open_and_user_filter(tmp_path, capsys, monkeypatch, probe_dir):
    monkeypatch.setenv("FAZHI_PLUGINS", "fazhi_hotline,fazhi_review")
    root = tmp_path / "empty"
    assert cli.main(["init", "--store", str(root)]) == 0
    capsys.readouterr()
    code, out, _ = run_cli(capsys, "review", "--store", str(root))
    assert code == 0 and "没有待办事项" in out
    code, out, _ = run_cli(capsys, "review", "--store", str(root), "--format", "json")
    assert code == 0 and json.loads(out)["open"] == 0 and json.loads(out)["checks"] == []

    # --user: what is assigned to them, and what is assigned to nobody.
    monkeypatch.setenv("FAZHI_PLUGINS", "fazhi_hotline,fazhi_review,review_probe")
    host, store, config = runtime(root, probe_dir, access=LI)
    from fazhi_review import marks
    from fazhi_review.queue import build_queue

    ctx = context(host, store, config)
    queue = build_queue(ctx)
    for e in queue.entries:
        marks.assign(ctx, e, "wang")
    store.close()
    base = ["review", "--store", str(root), "--plugins-dir", str(probe_dir)]
    code, out, _ = run_cli(capsys, *base, "--user", "zhao")
    assert code == 0 and "没有待办事项" in out
    code, out, _ = run_cli(capsys, *base, "--user", "wang", "--format", "json")
    assert code == 1 and json.loads(out)["open"] == 3
    assert {i["assignee"] for c in json.loads(out)["checks"] for i in c["items"]} == {"wang"}


def test_cli_failing_check_exits_1_and_says_so(tmp_path, capsys, monkeypatch, probe_dir):
    monkeypatch.setenv("FAZHI_PLUGINS", "fazhi_review,review_probe")
    cfg = tmp_path / "fazhi-tui.toml"
    cfg.write_text("[plugin.review_probe]\nfail = true\n", "utf-8")
    root = tmp_path / "s"
    assert cli.main(["init", "--store", str(root)]) == 0
    capsys.readouterr()
    code, out, err = run_cli(
        capsys, "review", "--store", str(root), "--plugins-dir", str(probe_dir), "--config", str(cfg)
    )
    assert code == 1
    assert "【探针故障】检查出错（插件 review_probe）" in out and "RuntimeError: 探针故障" in out
    assert "插件 review_probe 的检查“探针故障”出错" in err


def test_cli_without_the_review_plugin_says_why(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FAZHI_PLUGINS", "fazhi_hotline")
    root = tmp_path / "s"
    assert cli.main(["init", "--store", str(root)]) == 0
    capsys.readouterr()
    code, _out, err = run_cli(capsys, "review", "--store", str(root))
    assert code == 2 and "每日待办插件 fazhi_review 未加载" in err


# -- the panel -------------------------------------------------------------------------------------
def review_app(root: Path, probe_dir: Path | None = None, *, access: Access = LI, **ui) -> FazhiApp:
    config = Config(start_panel="review", **ui)
    host, store, config = runtime(root, probe_dir, access=access, config=config)
    return FazhiApp(config, host, store)


def notices(app) -> list[str]:
    """Every notice the app showed (kept here: a notice's own timeout may pass on a busy machine)."""
    if not hasattr(app, "_told"):
        app._told = []
        shown = app.notify

        def notify(message, *args, **kwargs):
            app._told.append(str(message))
            return shown(message, *args, **kwargs)

        app.notify = notify
    return app._told


def listing(app):
    return app.query_one("ReviewList")


def badge(app) -> int | None:
    index = next(i for i, c in enumerate(app.panels) if c.value.name == "review")
    return app.query_one("PanelList").badge(index)


async def test_the_dashboard_opens_on_the_review_with_its_count(demo_store, tmp_path):
    app = review_app(copy_store(demo_store, tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.visible_panel().panel_name == "review"
        queue = app.visible_panel().queue
        assert queue.open_count() > 0
        assert badge(app) == queue.open_count()
        assert listing(app).highlighted_entry() is not None


def test_start_panel_is_validated(tmp_path):
    from fazhi_tui.config import ConfigError, parse_config

    good = tmp_path / "good.toml"
    good.write_text('[ui]\nstart_panel = "review"\n', "utf-8")
    assert parse_config(good).start_panel == "review"
    bad = tmp_path / "bad.toml"
    bad.write_text('[ui]\nstart_panel = "每日待办"\n', "utf-8")
    with pytest.raises(ConfigError, match="ui.start_panel"):
        parse_config(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[ui]\nstart_panel = 3\n", "utf-8")
    with pytest.raises(ConfigError, match="ui.start_panel"):
        parse_config(wrong)


async def test_an_unknown_start_panel_is_told_and_the_first_shown(demo_store, tmp_path):
    config = Config(start_panel="nosuch")
    host, store, config = runtime(copy_store(demo_store, tmp_path), None, config=config)
    app = FazhiApp(config, host, store)
    told = notices(app)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.current_panel == 0
        assert any("start_panel" in n and "nosuch" in n for n in told)


async def test_enter_opens_the_ticket_in_the_hotline_panel(demo_store, tmp_path):
    app = review_app(copy_store(demo_store, tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        entry = listing(app).highlighted_entry()
        assert entry.item.table == "hotline" and entry.item.record_id
        await pilot.press("enter")
        await settle(pilot)
        panel = app.visible_panel()
        assert panel.panel_name == "hotline"
        assert panel.query_one("#hotline-tabs", TabbedContent).active == "tab-detail"
        assert panel.detail is not None and panel.detail.record["ticket_no"] == entry.item.record_id
        # Back to the review and again, now that the hotline panel has data: the same path.
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("j")
        other = listing(app).highlighted_entry()
        await pilot.press("enter")
        await settle(pilot)
        assert app.visible_panel().detail.record["ticket_no"] == other.item.record_id


async def test_keys_mark_handled_snooze_assign_and_undo(demo_store, tmp_path):
    from fazhi_review.tables import HANDLED, SNOOZED

    root = copy_store(demo_store, tmp_path)
    app = review_app(root)
    told = notices(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = badge(app)
        target = listing(app).highlighted_entry()
        following = listing(app).key_after(target.key)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        app.screen.query_one(Input).value = "已电话联系"
        await pilot.press("ctrl+s")
        await settle(pilot)
        panel = app.visible_panel()
        assert panel.queue.entry(target.key).status == HANDLED
        assert target.key not in listing(app).entries
        assert listing(app).highlighted_entry().key == following  # the cursor moved on
        assert badge(app) == before - 1  # the count beside the title followed the write

        # z: the next working day by default (2026-11-26 is a Thursday: Friday).
        snoozed = listing(app).highlighted_entry()
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.query(Input).first().value == "2026-11-27"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert panel.queue.entry(snoozed.key).status == SNOOZED
        assert panel.queue.entry(snoozed.key).mark.snooze_until == dt.date(2026, 11, 27)

        # a: to a colleague of access.toml.
        assigned = listing(app).highlighted_entry()
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Select).value = "wang"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert panel.queue.entry(assigned.key).assignee == "wang"
        assert assigned.key in listing(app).entries  # still open: now wang's

        # u, three times: the assignment, the snooze, the handling, newest first.
        for _ in range(3):
            await pilot.press("u")
            await settle(pilot)
        for key in (target.key, snoozed.key, assigned.key):
            e = panel.queue.entry(key)
            assert e.is_open and e.assignee is None, key
        assert badge(app) == before
        await pilot.press("u")
        await settle(pilot)
        assert any("没有可撤销" in n for n in told)
    # Every step is a version in the store, with who and when.
    with Store.open(root, app.store.specs.values(), user="wang", access=WANG) as other:
        history = other.history("review_marks", target.key).to_pylist()
    assert [(v["_by"], v["state"], v["note"]) for v in history] == [("li", HANDLED, "已电话联系"), ("li", "待办", None)]


async def test_filter_and_a_colleagues_mark_arriving(demo_store, tmp_path):
    from fazhi_review import marks
    from fazhi_review.queue import build_queue

    root = copy_store(demo_store, tmp_path)
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        panel = app.visible_panel()
        total = len(listing(app).entries)
        await pilot.press("slash")
        await pilot.press(*"回访不满意")
        await settle(pilot)
        shown = list(listing(app).entries.values())
        assert shown and len(shown) < total and all(e.check == "hotline_unsatisfied" for e in shown)
        await pilot.press("escape")
        await settle(pilot)
        assert len(listing(app).entries) == total and panel.filter_text == ""

        # wang, in another session, handles an item: this dashboard notices the write on its
        # next look at the files (a timer; called here at once) and the item goes.
        host, wang_store, config = runtime(root, None, access=WANG)
        ctx = context(host, wang_store, config)
        victim = build_queue(ctx).open_entries()[-1]
        marks.handle(ctx, victim, "wang 已处理")
        wang_store.close()
        app._watch_writes()
        await settle(pilot)
        assert victim.key not in listing(app).entries
        assert badge(app) == total - 1


async def test_a_viewer_sees_the_queue_but_cannot_mark(demo_store, tmp_path):
    app = review_app(copy_store(demo_store, tmp_path), access=Access("guest", VIEWER, POLICY))
    told = notices(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert listing(app).entries
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
        assert any("不能修改" in n for n in told)


async def test_a_failed_check_shows_as_its_row(demo_store, tmp_path, probe_dir):
    from fazhi_review.queue import FAILED

    config_ui = {"plugin": {"review_probe": {"fail": True}}}
    app = review_app(copy_store(demo_store, tmp_path), probe_dir, **config_ui)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        entries = list(listing(app).entries.values())
        assert entries[0].status == FAILED and entries[0].plugin == "review_probe"
        assert any(e.plugin == "fazhi_hotline" for e in entries)
        assert "探针故障" in str(app.query_one("EntryDetail").render())


def test_the_queue_and_the_digest_import_no_textual():
    import subprocess
    import sys

    code = (
        "import sys; import fazhi_review, fazhi_review.queue, fazhi_review.marks, fazhi_review.digest; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_fastdatatable')); "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


async def test_e_exports_the_open_queue(demo_store, tmp_path):
    from fazhi_tui.transfer.exporter import export_rows

    app = review_app(copy_store(demo_store, tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        panel = app.visible_panel()
        assert panel.check_action("export", ())
        view = panel.export_view()
        rows, spec = view.prepared(view.fetch())
        assert rows.num_rows == panel.queue.open_count()
        assert view.file_stem == "每日待办-2026-11-26"
        result = export_rows(rows, spec, tmp_path / "q.csv", "csv", may_see_pii=False)
    head = (tmp_path / "q.csv").read_text("utf-8-sig").splitlines()[0]
    assert head.startswith("检查项,插件,事项,说明,时限,超期,网格,指派给") and result.rows == rows.num_rows
