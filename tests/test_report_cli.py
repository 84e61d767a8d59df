"""``fazhi-tui report``: the year's report from the stored text and live figures, on a real demo store."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from fazhi_tui.cli import main
from fazhi_tui.plugins import PluginHost

SEED_TEXT = (Path(__file__).parent / "data" / "seed-report-2023.txt").read_text("utf-8")
PART_HEADINGS = [
    "## 一、落实党政负责人履行推进法治建设第一责任人情况",
    "## 二、主要举措及成效",
    "## 三、存在的不足、原因和问题整改情况",
    "## 四、下一步计划",
]
GRID_2023 = "设置镇村两级网格23个，设网格长23个，网格员69名，构建了“一核多元、一网统管”的网格化治理格局"
HOTLINE_2023 = "积极回应12345民呼必应，处理工单100余件、电话单90余件，每季度保持乡镇前两名。"
PEOPLE_2023 = "培养法律联络员、法律明白人、人民调解员46名、社会综合治理网格员21名，镇行政综合执法大队队员16名"
GAP_RE = re.compile(r"【缺：[^】]*】")

# A plugin with one section that raises and one in the statutory fifth part, which the seed does not use.
BROKEN = """
    from fazhi_tui.api import ReportSection, hookimpl

    def fails(ctx):
        raise RuntimeError("执法台账缺失")

    def other(ctx):
        return [f"{ctx.period.label}{ctx.town}无其他需要报告的情况。"]

    @hookimpl
    def fazhi_report_sections():
        return [
            ReportSection("broken_ledger", "二", "行政执法", fails, order=260),
            ReportSection("other_matters", "五", "其他事项", other),
        ]
"""

# A section that shows the role it runs as and the first phone number it can read.
WHO = """
    from fazhi_tui.api import ReportSection, hookimpl

    def who(ctx):
        phone = ctx.query("SELECT phone FROM people WHERE phone IS NOT NULL ORDER BY person_id LIMIT 1").column(0)[0].as_py()
        return [f"角色{ctx.role}，电话{phone}，网格{ctx.grid_label}"]

    @hookimpl
    def fazhi_report_sections():
        return [ReportSection("who", "五", "身份", who)]
"""


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("report-demo") / "store"
    assert main(["demo", "--store", str(path), "--today", "2024-03-01"]) == 0
    return path


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    # The report is written in the spring after the year it covers.
    monkeypatch.setenv("FAZHI_TODAY", "2024-03-01")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def plugin_dir(tmp_path, name: str, source: str):
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(source), "utf-8")
    return folder


def positions(text: str, needles: list[str]) -> list[int]:
    found = [text.find(n) for n in needles]
    assert -1 not in found, [n for n, i in zip(needles, found, strict=True) if i == -1]
    return found


def plain_lines(markdown: str) -> list[str]:
    """The report's lines as the seed writes them: no Markdown marks, no blank lines, no notes."""
    out = []
    for line in markdown.splitlines():
        if not line.strip() or line.startswith(">"):
            continue
        out.append(re.sub(r"^#+ ", "", line).replace("**", ""))
    return out


def sentences(line: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；])", line) if s]


def test_the_2023_report_reads_as_the_seed_sentence_by_sentence(demo_store, capsys):
    """Every sentence of the seed in its place; a sentence with a figure reads as the seed's when
    its figure's plugin is installed, and shows a gap only for figures no installed plugin gives."""
    code, out, err = run(capsys, "report", "--store", demo_store)  # 2024-03-01: the year just ended
    figures = {c.value.name for c in PluginHost.load().contributions("fazhi_figures")}
    seed = [ln.strip() for ln in SEED_TEXT.splitlines() if ln.strip()]
    ours = plain_lines(out)
    assert len(ours) == len(seed), (len(ours), len(seed))
    checked = gaps = 0
    for mine, theirs in zip(ours, seed, strict=True):
        assert len(sentences(mine)) == len(sentences(theirs)), (mine, theirs)
        for a, b in zip(sentences(mine), sentences(theirs), strict=True):
            holes = GAP_RE.findall(a)
            if not holes:
                assert a == b
                checked += bool(re.search(r"\d", b))
                continue
            # A gap stands for a number and its unit of the seed's sentence; the rest is the seed's.
            pattern = r"\d+余?\S?".join(re.escape(piece) for piece in GAP_RE.split(a))
            assert re.fullmatch(pattern, b), (a, b)
            gaps += len(holes)
    # The gaps are exactly the figures no installed plugin contributes, and are listed.
    listed = re.findall(r"注意：缺指标 .*?（([a-z_]+)）", err)
    assert all(name not in figures for name in listed)
    assert len(listed) == gaps and (code == 1) == bool(gaps)
    for name in ("grid_count", "people_leaders", "people_village_counsels", "hotline_worst_rank"):
        assert name in figures and name not in listed
    assert checked >= 6  # the built-ins' sentences at least: grids, 15名班子成员, hotline, people, 22个村
    for sentence in (GRID_2023, HOTLINE_2023, PEOPLE_2023, "明确15名班子成员一对一专项指导跟进", "完善22个村法律顾问"):
        assert sentence in out


def test_the_title_and_the_parts(demo_store, capsys):
    code, out, _ = run(capsys, "report", "--store", demo_store, "--year", "2023")
    assert out.startswith("# 宝丰县赵庄镇人民政府\n\n# 关于2023年法治政府建设情况的报告\n\n2023年度，在县委县政府")
    heads = positions(out, PART_HEADINGS)
    assert heads == sorted(heads)
    grid, hotline, people = positions(out, [GRID_2023, HOTLINE_2023, PEOPLE_2023])
    assert heads[0] < grid < heads[1] < hotline < people < heads[2]
    # 12345 in 二(二), the people by role in 二(三), as the seed has them.
    assert positions(out, ["### （二）紧抓", HOTLINE_2023, "### （三）围绕", PEOPLE_2023]) == sorted(
        positions(out, ["### （二）紧抓", HOTLINE_2023, "### （三）围绕", PEOPLE_2023])
    )
    assert "## 五、" not in out and "2024年，我镇将继续贯彻落实" in out


def test_town_and_county_come_from_the_config(demo_store, tmp_path, capsys):
    config = tmp_path / "fazhi-tui.toml"
    config.write_text('town = "李庄乡"\ncounty = "郏县"\n', "utf-8")
    _, out, _ = run(capsys, "report", "--store", demo_store, "--config", config, "--year", "2023")
    assert out.startswith("# 郏县李庄乡人民政府\n\n# 关于2023年法治政府建设情况的报告")
    # the body names the town too, not the seed's 赵庄镇
    assert "为李庄乡法治建设营造良好环境和氛围" in out and "赵庄镇" not in out


def test_output_file_is_written_whole_and_replaced(demo_store, tmp_path, capsys):
    _, stdout_report, _ = run(capsys, "report", "--store", demo_store, "--year", "2023")
    target = tmp_path / "out" / "report.md"
    target.parent.mkdir()
    target.write_text("旧的报告", "utf-8")
    code, out, err = run(capsys, "report", "--store", demo_store, "--year", "2023", "-o", target)
    assert str(target) in out and "2023" in out
    assert target.read_text("utf-8") == stdout_report
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]  # no temporary file left


def test_a_figure_without_data_is_a_visible_gap_and_exit_1(demo_store, tmp_path, capsys):
    # A year before the hotline's data: its figures are gaps, the people are counted.
    code, out, err = run(capsys, "report", "--store", demo_store, "--year", "2018")
    assert code == 1 and "关于2018年法治政府建设情况的报告" in out
    assert "处理工单【缺：12345处理工单数】" in out and "hotline_work_orders）：2018年无数据" in err
    code, out, _ = run(capsys, "report", "--store", demo_store, "--year", "2024")
    assert "2024年尚未结束，数字截至 2024-03-01" in out


def test_a_failing_section_is_a_marked_gap_and_the_rest_is_written(demo_store, tmp_path, capsys):
    plugins = plugin_dir(tmp_path, "broken_report", BROKEN)
    target = tmp_path / "report.md"
    code, out, err = run(
        capsys, "report", "--store", demo_store, "--plugins-dir", plugins, "--year", "2023", "-o", target
    )
    assert code == 1
    text = target.read_text("utf-8")
    for sentence in (GRID_2023, HOTLINE_2023, PEOPLE_2023):
        assert sentence in text
    assert "【缺：章节“行政执法”（插件 broken_report）】" in text
    # At the end of its part, numbered on from the seed's three.
    people, title, part3 = positions(text, [PEOPLE_2023, "### （四）行政执法", PART_HEADINGS[2]])
    assert people < title < part3
    # The fifth part appears because a section uses it.
    assert "## 五、其他需要报告的情况\n\n### （一）其他事项\n\n2023年赵庄镇无其他需要报告的情况。" in text
    assert "broken_ledger" in err and "执法台账缺失" in err and "处缺失" in err
    assert str(target) in out


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # The hook itself raises: the plugin's sections are unknown.
        (
            """
            from fazhi_tui.api import hookimpl

            @hookimpl
            def fazhi_report_sections():
                raise ValueError("配置有误")
            """,
            ["报告章节未能全部加载", "ValueError: 配置有误"],
        ),
        # The plugin does not import: whatever sections it has are missing.
        ("raise ImportError('缺少依赖')\n", ["未能加载", "ImportError: 缺少依赖"]),
    ],
)
def test_a_plugin_whose_sections_are_unknown_is_named_in_the_report(demo_store, tmp_path, capsys, source, expected):
    plugins = plugin_dir(tmp_path, "sections_unknown", source)
    code, out, err = run(capsys, "report", "--store", demo_store, "--plugins-dir", plugins, "--year", "2023")
    assert code == 1
    gap = next(line for line in out.splitlines() if "【缺：插件】" in line and "sections_unknown" in line)
    assert all(e in gap for e in expected)
    assert out.index(gap) < out.index(PART_HEADINGS[0])  # not tied to a part: before the first
    assert HOTLINE_2023 in out and "sections_unknown" in err


def test_sections_run_as_the_user_with_pii_masked_for_a_viewer(demo_store, tmp_path, capsys):
    plugins = plugin_dir(tmp_path, "who", WHO)
    code, out, _ = run(capsys, "report", "--store", demo_store, "--plugins-dir", plugins, "--year", "2023")
    line = next(line for line in out.splitlines() if line.startswith("角色"))
    assert line.startswith("角色管理员，电话1") and "****" not in line and line.endswith("网格全镇")
    viewer_store = tmp_path / "viewer-store"
    shutil.copytree(demo_store, viewer_store)
    (viewer_store / "access.toml").write_text('admin = ["somebody-else"]\n', "utf-8")
    code, out, _ = run(capsys, "report", "--store", viewer_store, "--plugins-dir", plugins, "--year", "2023")
    line = next(line for line in out.splitlines() if line.startswith("角色"))
    assert line.startswith("角色查看，电话1") and "****" in line


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2025", "2025年尚未开始"),
        ("abc", "应为四位数的年份"),
        ("23", "应为四位数的年份"),
        ("1800", "超出范围"),
    ],
)
def test_a_year_out_of_range_is_refused_in_chinese(demo_store, tmp_path, capsys, year, message):
    target = tmp_path / "report.md"
    code, out, err = run(capsys, "report", "--store", demo_store, "--year", year, "-o", target)
    assert code == 2 and out == ""
    assert err.startswith("错误：") and message in err
    assert not target.exists()


def test_an_unwritable_output_is_an_error_that_leaves_nothing(demo_store, tmp_path, capsys):
    code, _, err = run(capsys, "report", "--store", demo_store, "--year", "2023", "-o", tmp_path / "missing" / "r.md")
    assert code == 2 and "不存在" in err
    code, _, err = run(capsys, "report", "--store", demo_store, "--year", "2023", "-o", tmp_path)
    assert code == 2 and "这是一个目录" in err
    assert list(tmp_path.iterdir()) == []


def test_help_documents_the_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "report" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    assert all(opt in out for opt in ("--store", "--year", "-o", "--output", "Markdown", ".docx", "退出码为 1"))
