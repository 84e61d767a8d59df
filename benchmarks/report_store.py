"""The store the whole report is measured on (issue 15): every ledger of the demo, with the 10M-ticket
hotline and the 1M-case enforcement ledger of the scale stores in place of the demo's own.

    python -m benchmarks.report_store --size smoke|1m|10m [--stores DIR]

The report reads every figure of every plugin, so a store of hotline tickets alone would leave most
figures as gaps and measure little. The demo gives every other table (people, grids, trainings, the
work ledger, the report's template) at a township's own size for the scale store's today; its
``hotline``, ``enforcement_actions`` and ``enforcement_cases`` folders are then replaced by hard links
to the scale stores' folders. A table is its folder (generations, manifest, log), so the swap keeps
each table whole; nothing in the copy is ever rewritten in place (the store only adds files), so the
hard links cannot change the stores they come from. Built once and cached, like the scale stores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from . import enforcement, scale_store
from .scale_store import TODAY

VERSION = 1
SWAPPED = ("hotline", "enforcement_actions", "enforcement_cases")


def store_dir(size: str, stores: Path) -> Path:
    return stores / f"report-{size}-v{VERSION}"


def _cli(*args: str) -> None:
    env = dict(os.environ, FAZHI_TODAY=TODAY.isoformat())
    env.pop("FAZHI_PLUGINS", None)
    subprocess.run([sys.executable, "-m", "fazhi_tui", *args], env=env, check=True, stdout=subprocess.DEVNULL)


def build(size: str, stores: Path) -> Path:
    """The report store of a size (cached), built from the hotline and enforcement scale stores."""
    root = store_dir(size, stores)
    if (root / ".built").is_file():
        return root
    scale_store.STORES = stores
    hotline = scale_store.ensure_stores(size, quiet=True)["recent"]
    cases = enforcement.build("smoke" if size == "smoke" else "1m", stores)
    stage = stores / f".report-{size}.building-{uuid.uuid4().hex[:8]}"
    try:
        _cli("demo", "--store", str(stage), "--today", TODAY.isoformat())
        for table, source in (("hotline", hotline), ("enforcement_actions", cases), ("enforcement_cases", cases)):
            shutil.rmtree(stage / table)
            subprocess.run(["cp", "-al", str(source / table), str(stage / table)], check=True)
        (stage / ".built").write_text(
            json.dumps({"built": dt.datetime.now().isoformat(), "hotline": str(hotline), "enforcement": str(cases)}),
            "utf-8",
        )
        shutil.rmtree(root, ignore_errors=True)
        stage.rename(root)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return root


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.report_store")
    p.add_argument("--size", choices=sorted(scale_store.SIZES), default="smoke")
    p.add_argument("--stores", default=str(scale_store.STORES))
    args = p.parse_args(argv)
    print(build(args.size, Path(args.stores).resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
