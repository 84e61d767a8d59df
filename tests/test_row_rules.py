"""Row rules, computed defaults, grid references and phone numbers: the same on every write path
(an import, the store's API a form calls, a plugin's own writes), each refusal naming row and column."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import subprocess
import sys

import pyarrow as pa
import pytest

from fazhi_tui.config import Config
from fazhi_tui.host_tables import HOST_TABLES
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_settings, table_specs
from fazhi_tui.store import Column, ComputedColumn, RowRule, SpecError, Store, StoreError, TableSpec, ValidationError
from fazhi_tui.store.rules import is_phone, rule_errors
from fazhi_tui.testing import settle
from fazhi_tui.transfer.importer import plan_import, run_import

from .shell_fixtures import write_plugin

DONE = "已化解"


def _plus_days(batch: pa.Table, settings) -> pa.Array:
    days = int(settings.get("days", 7))
    return pa.array([None if d is None else d + dt.timedelta(days=days) for d in batch.column("opened").to_pylist()])


VISITS = TableSpec(
    name="visits",
    label="走访",
    key="visit_id",
    grid_column="grid",
    columns=(
        Column("visit_id", pa.string(), "走访编号", required=True),
        Column("opened", pa.date32(), "登记日期", required=True),
        Column("status", pa.string(), "状态", codes="status"),
        Column("closed", pa.date32(), "办结日期"),
        Column("due", pa.date32(), "期限"),
        Column("grid", pa.string(), "网格", ref="grids"),
        Column("visitor", pa.string(), "来访人", pii="name"),
        Column("phone", pa.string(), "联系电话", pii="phone"),
    ),
    code_tables={"status": ("办理中", DONE)},
    rules=(
        RowRule("done_has_date", f"status <> '{DONE}' OR closed IS NOT NULL", "closed", "已化解的须填写办结日期"),
        RowRule("closed_after_opened", "closed >= opened", "closed", "办结日期不能早于登记日期"),
    ),
    computed=(ComputedColumn("due", _plus_days, inputs=("opened",)),),
)

GRIDS = [
    {"code": "G01", "name": "赵庄村网格", "kind": "综合", "village": "赵庄村"},
    {"code": "G02", "name": "大黄村网格", "kind": "综合", "village": "大黄村"},
    {"code": "G03", "name": "周营村一网格", "kind": "综合", "village": "周营村委会"},
    {"code": "G04", "name": "周营村二网格", "kind": "综合", "village": "周营村"},
]


@pytest.fixture
def store(tmp_path):
    s = Store.open(
        tmp_path / "store", [*HOST_TABLES, VISITS], create=True, user="测试员", table_settings={"visits": {"days": 3}}
    )
    s.append("grids", GRIDS)
    yield s
    s.close()


def visit(vid: str, **over) -> dict:
    row = {"visit_id": vid, "opened": dt.date(2023, 3, 1), "status": "办理中"}
    row.update(over)
    return row


def write_csv(path, rows: list[dict]):
    headers = ["走访编号", "登记日期", "状态", "办结日期", "期限", "网格", "联系电话"]
    names = ["visit_id", "opened", "status", "closed", "due", "grid", "phone"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for r in rows:
            w.writerow(["" if r.get(n) is None else str(r[n]) for n in names])
    return path


# -- row rules -----------------------------------------------------------------------------------
def test_rules_refuse_rows_through_the_api_naming_row_and_column(store):
    with pytest.raises(ValidationError) as exc:
        store.append(
            "visits",
            [
                visit("V1"),
                visit("V2", status=DONE),  # no 办结日期
                visit("V3", status=DONE, closed=dt.date(2023, 2, 1)),  # before 登记日期
                visit("V4", closed=None, status=None),  # NULL passes: a rule says what it means
            ],
        )
    text = str(exc.value)
    assert "第 2 行，“办结日期”列：已化解的须填写办结日期" in text
    assert "第 3 行，“办结日期”列：办结日期不能早于登记日期" in text
    assert text.startswith("表 visits：2 处错误，未写入任何数据。")
    assert store.count("visits") == 0
    store.append("visits", [visit("V1")])
    with pytest.raises(ValidationError, match="“办结日期”列：已化解的须填写办结日期"):
        store.update("visits", "V1", {"status": DONE}, expected_rev=1)
    assert store.update("visits", "V1", {"status": DONE, "closed": dt.date(2023, 3, 2)}, expected_rev=1) == 2


def test_rules_refuse_rows_of_an_import_by_file_row_across_batches(store, tmp_path):
    rows = [visit(f"V{i}") for i in range(1, 8)]
    rows[4] = visit("V5", status=DONE)  # file row 6 (the header is row 1), in the third batch of two
    path = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path, batch_rows=2)
    assert "v.csv，第 6 行，“办结日期”列：已化解的须填写办结日期" in str(exc.value)
    assert store.count("visits") == 0


def test_checking_the_rules_at_load_does_not_import_pandas():
    """Every command and the dashboard check every table's rules at load. Registering an empty
    Arrow table for it made DuckDB import pandas wherever pandas is installed (~0.2 s at every
    start); the rules are bound against a DuckDB table instead, as the store's own empty tables
    are made. Run in a fresh interpreter: this one has imported pandas already."""
    pytest.importorskip("pandas")  # the test extras install it; without it there is nothing to import
    script = (
        "import sys\n"
        "from fazhi_tui.config import Config\n"
        "from fazhi_tui.plugins import PluginHost\n"
        "from fazhi_tui.runtime import table_specs\n"
        "specs = table_specs(PluginHost.load(), Config())\n"
        "assert any(s.rules for s in specs)\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_rule_that_is_not_sql_is_the_plugins_load_error(tmp_path):
    bad = TableSpec(
        name="t",
        label="表",
        key="k",
        columns=(Column("k", pa.string(), "编号"),),
        rules=(RowRule("typo", "kk IS NOT NULL", "k", "…"),),
    )
    assert "规则 typo 不是可用的 SQL 条件" in rule_errors(bad)[0]
    # The rules are bound together first; a bad one among good ones is still the one named,
    # and a rule that is not a condition is told whether or not another rule is broken.
    good = RowRule("ok", "k IS NOT NULL", "k", "…")
    number = RowRule("number", "length(k)", "k", "…")
    mixed = dataclasses.replace(bad, rules=(good, bad.rules[0], number))
    errors = rule_errors(mixed)
    assert (
        len(errors) == 2 and "规则 typo 不是可用的 SQL 条件" in errors[0] and "规则 number 应为真/假条件" in errors[1]
    )
    assert rule_errors(dataclasses.replace(bad, rules=(good, number))) == [errors[1]]
    assert rule_errors(dataclasses.replace(bad, rules=(good,))) == []
    folder = write_plugin(
        tmp_path / "plugins",
        "bad_rules",
        """
        import pyarrow as pa
        from fazhi_tui.api import Column, RowRule, TableSpec, hookimpl

        @hookimpl
        def fazhi_tables():
            return [TableSpec(name="bad_rules_t", label="表", key="k", columns=(Column("k", pa.string(), "编号"),),
                              rules=(RowRule("typo", "kk > 1", "k", "…"),))]
        """,
    )
    host = PluginHost.load(only=["bad_rules"], plugin_dirs=[folder])
    assert "bad_rules_t" not in {s.name for s in host.table_specs()}
    assert any("规则 typo 不是可用的 SQL 条件" in e for e in host.infos["bad_rules"].errors)


def test_a_pii_column_in_the_key_is_refused_at_load():
    with pytest.raises(SpecError, match="编号（key/key_from）不能含个人信息列：visitor"):
        TableSpec(
            name="p",
            label="信访",
            key="visitor",
            columns=(Column("visitor", pa.string(), "来访人", pii="name"),),
        )
    with pytest.raises(SpecError, match="不能含个人信息列：phone"):
        TableSpec(
            name="p",
            label="信访",
            key="k",
            key_from=("day", "phone"),
            columns=(
                Column("k", pa.string(), "编号"),
                Column("day", pa.string(), "日期"),
                Column("phone", pa.string(), "电话", pii="phone"),
            ),
        )


# -- computed defaults ---------------------------------------------------------------------------
def test_computed_default_fills_only_missing_values_by_api_and_import(store, tmp_path):
    store.append("visits", [visit("V1"), visit("V2", due=dt.date(2023, 12, 31))])
    assert store.get("visits", "V1")["due"] == dt.date(2023, 3, 4)  # settings: days = 3
    assert store.get("visits", "V2")["due"] == dt.date(2023, 12, 31)
    plan = plan_import(store, "visits", write_csv(tmp_path / "v.csv", [visit("V3", opened=dt.date(2023, 5, 1))]))
    run_import(store, plan)
    assert store.get("visits", "V3")["due"] == dt.date(2023, 5, 4)


def test_a_failing_compute_is_a_store_error_naming_the_column(tmp_path):
    def broken(batch, settings):
        raise RuntimeError("boom")

    spec = TableSpec(
        name="b",
        label="表乙",
        key="k",
        columns=(Column("k", pa.string(), "编号"), Column("v", pa.string(), "值")),
        computed=(ComputedColumn("v", broken),),
    )
    with Store.open(tmp_path / "s", [spec], create=True) as s:
        with pytest.raises(StoreError, match="表乙 的“值”无法计算：boom"):
            s.append("b", [{"k": "1"}])
        assert s.count("b") == 0


def _hotline_store(tmp_path, config: Config) -> Store:
    host = PluginHost.load(only=["fazhi_hotline"])
    specs = table_specs(host, config)
    s = Store.open(tmp_path / "hs", specs, create=True, table_settings=table_settings(host, config))
    s.append("grids", GRIDS)
    return s


def test_hotline_ticket_imported_without_deadline_gets_the_configured_working_day_deadline(tmp_path):
    from fazhi_hotline.deadlines import compute_deadline

    config = Config(plugin={"fazhi_hotline": {"deadline_days": {"咨询": 3}}})
    with _hotline_store(tmp_path, config) as s:
        path = tmp_path / "tickets.csv"
        path.write_text(
            "工单编号,来源,受理时间,诉求类型,紧急程度,状态,办理时限\n"
            "GD1,工单,2023-09-28 10:30,咨询,,待签收,\n"  # 3 working days over 国庆: 10-7, 10-8, 10-9 (default 2: 10-8)
            "GD2,工单,2023-09-28 10:30,投诉举报,特急,待签收,\n"  # 特急 caps at 1: 10-7
            "GD3,工单,2023-09-28 10:30,咨询,,待签收,2023-10-30\n",  # given: kept
            "utf-8",
        )
        run_import(s, plan_import(s, "hotline", path))
        got = {r["ticket_no"]: r["deadline"] for r in s.query("SELECT ticket_no, deadline FROM hotline").to_pylist()}
        assert got == {"GD1": dt.date(2023, 10, 9), "GD2": dt.date(2023, 10, 7), "GD3": dt.date(2023, 10, 30)}
        received = dt.datetime(2023, 9, 28, 10, 30)
        assert got["GD1"] == compute_deadline(received, "咨询", None, config.plugin_settings("fazhi_hotline")).day
        # The store's API (what the form and other plugins call) fills it the same way.
        row = {"ticket_no": "GD4", "source": "工单", "received_at": received, "appeal_type": "咨询", "status": "待签收"}
        s.append("hotline", [row])
        assert s.get("hotline", "GD4")["deadline"] == dt.date(2023, 10, 9)


# -- grid references -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "given", ["G02", "大黄村网格", "大黄村", "大黄村委会", "大黄村民委员会", "赵庄镇大黄村", " 赵庄镇大黄村委会 "]
)
def test_a_grid_is_given_by_code_name_or_its_village(store, tmp_path, given):
    store.append("visits", [visit("A1", grid=given)])
    assert store.get("visits", "A1")["grid"] == "G02"
    run_import(store, plan_import(store, "visits", write_csv(tmp_path / "v.csv", [visit("A2", grid=given)])))
    assert store.get("visits", "A2")["grid"] == "G02"


def test_a_village_with_several_grids_is_refused_naming_them(store, tmp_path):
    path = write_csv(tmp_path / "v.csv", [visit("A1"), visit("A2", grid="周营村"), visit("A3", grid="无名村")])
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path)
    text = str(exc.value)
    assert "v.csv，第 3 行，“网格”列：“周营村”有 2 个网格：周营村一网格（G03）、周营村二网格（G04）" in text
    assert "v.csv，第 4 行，“网格”列：网格“无名村”不存在（可填编码、名称或所属村）" in text
    with pytest.raises(ValidationError, match="第 1 行，“网格”列：“赵庄镇周营村委会”有 2 个网格"):
        store.append("visits", [visit("A1", grid="赵庄镇周营村委会")])
    assert store.count("visits") == 0
    # The API keeps a code it does not know (a county store holds other townships' tickets,
    # whose grids are not in its grids table); `check` lists it.
    store.append("visits", [visit("A1", grid="41042111001301")])
    assert store.get("visits", "A1")["grid"] == "41042111001301"


def test_every_table_with_a_grid_reference_resolves_villages(store, tmp_path):
    # The host's people table, imported as a county's sheet writes it.
    path = tmp_path / "people.csv"
    path.write_text("人员编号,姓名,角色,网格\nP1,张三,网格员,赵庄镇大黄村\n", "utf-8")
    run_import(store, plan_import(store, "people", path))
    assert store.get("people", "P1")["grid"] == "G02"


# -- phone numbers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "phone",
    ["13812345678", "138-1234-5678", "138 1234 5678", "+86 13812345678", "0375-6123456", "(0375)6123456",
     "03756123456", "6123456", "0375-61234567-801", "13812345678/0375-6123456"],
)  # fmt: skip
def test_phone_numbers_accepted(phone):
    assert is_phone(phone)


@pytest.mark.parametrize("phone", ["abc", "1381234", "138123456789", "12345", "0375-123", "电话13812345678"])
def test_not_phone_numbers(phone):
    assert not is_phone(phone)


def test_a_column_of_phones_is_checked_as_each_cell_alone():
    """The column check strips spaces and brackets only from cells that do not match as typed:
    it must refuse exactly the cells is_phone refuses, across chunks, nulls and blanks."""
    from fazhi_tui.store.rules import _not_phones

    good = ["13812345678", "138 1234 5678", "(0375)6123456", "+86 13812345678", "13812345678/0375-6123456"]
    bad = ["abc", "1381234", "电话13812345678", "(abc)", "138 1234"]
    blank = ["", " ", "（ ）", None]
    cells = good + bad + blank + bad[::-1] + good[::-1]
    chunked = pa.chunked_array([cells[:7], cells[7:]], pa.string())
    given_but_not = [
        i for i, c in enumerate(cells) if c is not None and re.sub(r"[\s()（）]", "", c) and not is_phone(c)
    ]
    assert _not_phones(chunked).to_pylist() == given_but_not
    assert _not_phones(pa.array(good, pa.string())).to_pylist() == []


def test_phone_columns_refuse_what_is_not_a_number_by_import_and_api(store, tmp_path):
    path = write_csv(tmp_path / "v.csv", [visit("A1", phone="13812345678"), visit("A2", phone="abc"),
                                          visit("A3", phone="1381234")])  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path)
    text = str(exc.value)
    assert "v.csv，第 3 行，“联系电话”列：“abc”不是电话号码" in text
    assert "v.csv，第 4 行，“联系电话”列：“1381234”不是电话号码" in text
    with pytest.raises(ValidationError, match="第 1 行，“联系电话”列：“1381234”不是电话号码，应为手机号"):
        store.append("visits", [visit("A1", phone="1381234")])
    store.append("visits", [visit("A1", phone="0375-6123456")])
    assert store.count("visits") == 1


def test_hotline_form_takes_a_village_and_says_what_an_import_says_of_a_phone(tmp_path):
    from fazhi_hotline import tickets
    from fazhi_tui.context import Context
    from fazhi_tui.period import Period

    with _hotline_store(tmp_path, Config()) as s:
        ctx = Context(s, Period.year(2023), dt.date(2023, 10, 9), town="赵庄镇")
        values = {"source": "工单", "received_at": "2023-10-09 10:00", "appeal_type": "咨询", "grid": "赵庄镇大黄村"}
        assert tickets.add_ticket(ctx, values).row["grid"] == "G02"
        _row, problems = tickets.validate_ticket(ctx, {**values, "phone": "1381234", "grid": "周营村"})
        assert (
            "联系电话",
            "“1381234”不是电话号码，应为手机号（11 位，如 13812345678）或固定电话（如 0375-6123456、6123456）",
        ) in problems
        assert any(label == "网格" and "有 2 个网格" in msg for label, msg in problems)


def test_the_api_exports_what_a_plugin_declares_and_checks_with():
    from fazhi_tui import api

    for name in ("RowRule", "ComputedColumn", "PII_KINDS", "is_phone", "PHONE_HINT", "resolve_reference"):
        assert name in api.__all__ and getattr(api, name) is not None
    assert api.PII_KINDS == ("name", "phone", "id_number", "address")


async def test_a_form_shows_the_stores_refusal_under_its_field(store):
    from textual.app import App
    from textual.widgets import Input, Static

    from fazhi_tui.ui.screens.record_form import FormField, RecordForm

    def submit(values):
        return store.append("visits", [visit("F1", phone=values["phone"], status=values["status"])])

    results = []
    fields = [FormField("phone", "联系电话"), FormField("status", "状态", value=DONE)]

    class FormApp(App):
        def on_mount(self) -> None:
            self.push_screen(RecordForm("登记", fields, submit), results.append)

    app = FormApp()
    async with app.run_test() as pilot:
        await settle(pilot)
        app.screen.query_one("#field-phone", Input).value = "1381234"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm) and not results  # kept open: nothing written
        phone_error = str(app.screen.query_one("#error-phone", Static).render())
        assert "“1381234”不是电话号码" in phone_error
        general = str(app.screen.query_one("#form-general", Static).render())
        assert "办结日期：已化解的须填写办结日期" in general  # a column the form has no field for
    assert store.count("visits") == 0


def test_an_update_that_breaks_a_rule_with_a_column_the_file_lacks_is_refused_at_the_write(store, tmp_path):
    # The plan checks the file's rows alone (状态 missing: NULL passes); the merged row, the file's
    # empty 办结日期 beside the stored 已化解, breaks the rule, so the write checks merged rows again.
    store.append("visits", [visit("V1", status=DONE, closed=dt.date(2023, 3, 5))])
    path = tmp_path / "partial.csv"
    path.write_text("走访编号,登记日期,办结日期\nV1,2023-03-01,\n", encoding="utf-8")
    plan = plan_import(store, "visits", path, update=True)
    assert plan.updates == 1
    with pytest.raises(ValidationError) as exc:
        run_import(store, plan)
    assert "partial.csv，第 2 行，“办结日期”列：已化解的须填写办结日期" in str(exc.value)
    assert store.get("visits", "V1")["_rev"] == 1
