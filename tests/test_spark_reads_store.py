"""An engine that is not ours reads a store as it is: Apache Spark (pyspark, local mode) is given
only the store's folder and a table's generation manifest, and gets the program's counts and a
year's figure; then the same from a ``fazhi-tui snapshot`` taken after a write the log still holds.

Slow (a JVM starts) and run in CI, which installs pyspark and Java (``.ci/run``) and sets
FAZHI_REQUIRE_SPARK=1 so that a missing engine fails instead of skipping."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from fazhi_tui.cli import main
from fazhi_tui.config import Config
from fazhi_tui.period import Period
from fazhi_tui.report.figures import FigureBook
from fazhi_tui.runtime import open_runtime
from fazhi_tui.store.layout import MANIFEST, gens_dir
from fazhi_tui.store.snapshot import MANIFEST_NAME

pytestmark = pytest.mark.slow

TABLES = ("hotline", "enforcement_cases", "work_items", "people")


def _spark():
    required = os.environ.get("FAZHI_REQUIRE_SPARK") == "1"
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if required:
            raise
        pytest.skip("pyspark 未安装（pip install -e '.[spark]'；CI 会安装）")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if required:
            raise AssertionError("Spark 需要 Java（Debian：openjdk-17-jre-headless）")
        pytest.skip("没有 Java")
    return (
        SparkSession.builder.master("local[2]")
        .appName("fazhi-tui-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )


@pytest.fixture(scope="module")
def spark():
    session = _spark()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("spark") / "store"
    assert main(["demo", "--store", str(path)]) == 0
    return path


def current_files(store: Path, table: str) -> tuple[Path, list[str]]:
    """What an outside reader needs: the newest generation's manifest, and its current files."""
    gen = max(p for p in gens_dir(store, table).iterdir() if (p / MANIFEST).is_file())
    manifest = json.loads((gen / MANIFEST).read_text("utf-8"))
    return gen / "current", [str(gen / rel) for rel in manifest["files"] if rel.startswith("current/")]


def work_orders_sql(view: str, year: int) -> str:
    # The hotline's figure: 工单 received in the year, for the town (tickets without 所属乡镇 count).
    return (
        f"SELECT count(*) AS n FROM {view} WHERE source = '工单' AND year(received_at) = {year} "
        "AND (town = '赵庄镇' OR town IS NULL)"
    )


def program_figure(store: Path, year: int) -> int:
    rt = open_runtime(Config(), store)
    try:
        book = FigureBook.load(rt.plugins, rt.opened(), rt.config, year, dt.date(2026, 11, 26))
        return book.value("hotline_work_orders").value
    finally:
        rt.close()


def test_spark_reads_the_current_generation_from_its_manifest(spark, demo):
    rt = open_runtime(Config(), demo)
    counts = {t: rt.opened().count(t) for t in TABLES}
    rt.close()
    for table in TABLES:
        base, files = current_files(demo, table)
        df = spark.read.option("basePath", str(base)).parquet(*files)
        assert df.count() == counts[table], table
    base, files = current_files(demo, "hotline")
    spark.read.option("basePath", str(base)).parquet(*files).createOrReplaceTempView("hotline")
    year = Period.year(2025)
    assert spark.sql(work_orders_sql("hotline", year.start.year)).collect()[0]["n"] == program_figure(demo, 2025)


def test_spark_reads_a_snapshot_that_holds_a_write_the_log_still_has(spark, demo, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(demo, store)
    rt = open_runtime(Config(), store)
    s = rt.opened()
    s.auto_fold = False
    t = s.query(
        "SELECT * EXCLUDE (_id, _rev, _op, _at, _by) FROM hotline "
        "WHERE source = '工单' AND year(received_at) = 2025 AND town = '赵庄镇' LIMIT 1"
    ).to_pylist()[0]
    t["ticket_no"] = "SPARK-1"  # a copy of a 2025 ticket under a new number
    s.append("hotline", [t])
    assert s.files("hotline").delta_files  # the new ticket is in the log, not in the generation
    rt.close()
    base, files = current_files(store, "hotline")
    from_gen = spark.read.option("basePath", str(base)).parquet(*files)
    assert from_gen.filter("ticket_no = 'SPARK-1'").count() == 0  # why the log must be folded first

    dest = tmp_path / "snap"
    assert main(["snapshot", str(dest), "hotline", "--store", str(store)]) == 0
    manifest = json.loads((dest / MANIFEST_NAME).read_text("utf-8"))
    df = spark.read.parquet(str(dest / "hotline"))
    assert df.count() == manifest["tables"]["hotline"]["records"]
    assert df.filter("ticket_no = 'SPARK-1'").count() == 1
    df.createOrReplaceTempView("snap_hotline")
    assert spark.sql(work_orders_sql("snap_hotline", 2025)).collect()[0]["n"] == program_figure(store, 2025)
