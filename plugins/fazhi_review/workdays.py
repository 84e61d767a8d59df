"""The next working day, for the default of 暂缓 (snooze): China's official calendar with its
make-up working weekends (chinesecalendar, as the hotline's deadlines use), weekends alone for a
year beyond the package's data. Separate because the CLI and the panel both need it, without Textual.
"""

from __future__ import annotations

import datetime as dt

try:  # a missing package costs the holidays only
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - the package is a dependency
    _cc = None


def is_working_day(day: dt.date) -> bool:
    if _cc is not None:
        try:
            return bool(_cc.is_workday(day))
        except NotImplementedError:  # beyond the official notices the package holds
            pass
    return day.weekday() < 5


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    nxt = day + dt.timedelta(days=1)
    while not is_working_day(nxt):
        nxt += dt.timedelta(days=1)
    return nxt
