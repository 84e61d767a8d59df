"""A separate process that uses a store, for the concurrency tests.

python store_worker.py STORE append WORKER BATCHES ROWS
python store_worker.py STORE bump RECORD TIMES        (read-modify-write with retry on stale)
python store_worker.py STORE read OUTFILE STOPFILE    (repeat an aggregate, one answer per line, until STOPFILE exists)
python store_worker.py STORE churn ROWS               (write big batches until killed)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fazhi_tui.store import StaleRevisionError, Store  # noqa: E402
from tests.store_specs import SPECS  # noqa: E402

AGGREGATE = (
    "SELECT count(*) AS n, CAST(sum(amount) AS BIGINT) AS total, count(DISTINCT grid) AS grids, "
    "max(case_no) AS last FROM cases"
)


def rows(prefix: str, n: int) -> list[dict]:
    return [
        {
            "case_no": f"{prefix}-{i:06d}",
            "found_on": dt.date(2023, 1 + i % 12, 1 + i % 28),
            "grid": f"G{i % 23:02d}",
            "action": "劝阻",
            "amount": i,
        }
        for i in range(n)
    ]


def main() -> None:
    root, action, *args = sys.argv[1:]
    store = Store.open(root, SPECS)
    if action == "append":
        worker, batches, n = args[0], int(args[1]), int(args[2])
        for b in range(batches):
            store.append("cases", rows(f"W{worker}-B{b:03d}", n))
    elif action == "bump":
        record, times = args[0], int(args[1])
        done = 0
        while done < times:
            current = store.get("cases", record)
            try:
                store.update("cases", record, {"amount": current["amount"] + 1}, expected_rev=current["_rev"])
                done += 1
            except StaleRevisionError:
                continue  # someone else saved first: reload and try again, as a person would
    elif action == "read":
        # Told when to stop, not given a time: on a busy machine the folds it reads beside may take
        # longer than any fixed number of seconds.
        out, stop = Path(args[0]), Path(args[1])
        with out.open("w") as fh:
            while not stop.exists():
                fh.write(json.dumps(store.query(AGGREGATE).to_pylist()[0]) + "\n")
                fh.flush()
    elif action == "churn":
        n = int(args[0])
        b = 0
        print("started", flush=True)
        while True:
            store.append("cases", rows(f"K{b:05d}", n))
            b += 1
    store.close()


if __name__ == "__main__":
    main()
