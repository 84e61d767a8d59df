"""办理时限 in working days: China's official holidays and make-up working days (调休), checked
against the State Council's notices for 2023 and 2024, and the weekends-only fallback beyond the
holiday calendar's data."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fazhi_hotline import deadlines

D = dt.date


# 国务院办公厅关于2023年部分节假日安排的通知 (国办发明电〔2022〕16号):
#   春节 1月21日至27日放假调休，共7天。1月28日（周六）、1月29日（周日）上班。
#   中秋节、国庆节 9月29日至10月6日放假调休，共8天。10月7日（周六）、10月8日（周日）上班。
# 国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号):
#   春节 2月10日至17日放假调休，共8天。2月4日（周日）、2月18日（周日）上班。
#   国庆节 10月1日至7日放假调休，共7天。9月29日（周日）、10月12日（周六）上班。
@pytest.mark.parametrize(
    "day, working",
    [
        (D(2023, 1, 27), False),
        (D(2023, 1, 28), True),
        (D(2023, 1, 29), True),  # 春节 2023
        (D(2023, 9, 29), False),
        (D(2023, 10, 6), False),
        (D(2023, 10, 7), True),
        (D(2023, 10, 8), True),
        (D(2024, 2, 4), True),
        (D(2024, 2, 9), True),
        (D(2024, 2, 12), False),
        (D(2024, 2, 18), True),
        (D(2024, 9, 29), True),
        (D(2024, 10, 7), False),
        (D(2024, 10, 12), True),
        (D(2024, 10, 13), False),
    ],
)
def test_official_calendar_days(day, working):
    assert deadlines.day_kind(day) == (working, True)


@pytest.mark.parametrize(
    "received, appeal, expected",
    [
        # Thu 2023-09-28 + 5: 9-29…10-6 off; Sat 10-7 (1), Sun 10-8 (2), 10-9 (3), 10-10 (4), 10-11 (5).
        (dt.datetime(2023, 9, 28, 10, 30), "投诉举报", D(2023, 10, 11)),
        # Wed 2023-09-27 + 2: Thu 9-28 (1), then the holiday, Sat 10-7 is a make-up day (2).
        (dt.datetime(2023, 9, 27, 16, 0), "咨询", D(2023, 10, 7)),
        # Fri 2023-01-20 + 2: 1-21…1-27 off; Sat 1-28 (1), Sun 1-29 (2).
        (dt.datetime(2023, 1, 20, 9, 0), "咨询", D(2023, 1, 29)),
        # Thu 2024-02-08 + 5: Fri 2-9 (1) works, 2-10…2-17 off, Sun 2-18 (2), 2-19 (3), 2-20 (4), 2-21 (5).
        (dt.datetime(2024, 2, 8, 11, 0), "求助", D(2024, 2, 21)),
        # Fri 2024-02-02 + 5: Sun 2-4 is a make-up day (1), 2-5 (2), 2-6 (3), 2-7 (4), 2-8 (5).
        (dt.datetime(2024, 2, 2, 15, 0), "投诉举报", D(2024, 2, 8)),
        # Fri 2024-09-27 + 10: Sun 9-29 (1), Mon 9-30 (2), 10-1…10-7 off, 10-8 (3) … 10-11 (6),
        # Sat 10-12 (7), 10-14 (8), 10-15 (9), 10-16 (10).
        (dt.datetime(2024, 9, 27, 8, 0), "建议", D(2024, 10, 16)),
    ],
)
def test_deadlines_across_national_day_and_spring_festival(received, appeal, expected):
    result = deadlines.compute_deadline(received, appeal)
    assert result.day == expected
    assert result.estimated is False and result.note is None


def test_urgency_caps_and_configured_days():
    received = dt.datetime(2023, 9, 28, 10, 0)
    # 特急 caps any type at one working day: the next working day after Thu 9-28 is Sat 10-7.
    assert deadlines.compute_deadline(received, "投诉举报", "特急").day == D(2023, 10, 7)
    # An office that gives complaints 3 working days: 10-7, 10-8, 10-9.
    settings = {"deadline_days": {"投诉举报": 3}}
    assert deadlines.compute_deadline(received, "投诉举报", "一般", settings).day == D(2023, 10, 9)
    # Types not overridden keep their default (咨询: 2 → 10-8).
    assert deadlines.compute_deadline(received, "咨询", None, settings).day == D(2023, 10, 8)
    with pytest.raises(ValueError, match="deadline_days.投诉举报"):
        deadlines.rules_from_settings({"deadline_days": {"投诉举报": 0}})
    with pytest.raises(ValueError, match="urgent_deadline_days"):
        deadlines.rules_from_settings({"urgent_deadline_days": 3})


def test_beyond_the_calendar_falls_back_to_weekends_and_says_so():
    first, last = deadlines.calendar_years()
    assert first <= 2023 and last >= 2024
    # Wed 2099-12-30 + 5, weekends only: Thu 12-31 (1), Fri 2100-01-01 (2; no 元旦 known),
    # Mon 1-4 (3), 1-5 (4), 1-6 (5).
    far = deadlines.compute_deadline(dt.datetime(2099, 12, 30, 9, 0), "投诉举报")
    assert far == deadlines.Deadline(D(2100, 1, 6), 5, True)
    assert "2100年" in far.note and "仅按周末估算" in far.note
    assert deadlines.day_kind(D(2099, 10, 1)) == (True, False)  # a Thursday; 国庆 unknown that far out
    # The first day past the data: counted by weekday, and flagged even when it starts inside.
    beyond = D(last + 1, 1, 1)
    assert deadlines.day_kind(beyond) == (beyond.weekday() < 5, False)
    start = D(last, 12, 31)
    crossing = deadlines.add_working_days(start, 3)
    assert crossing.estimated and crossing.day.year == last + 1
    expected, counted = start, 0
    while counted < 3:
        expected += dt.timedelta(days=1)
        counted += expected.weekday() < 5
    assert crossing.day == expected
    # Within the data nothing is estimated, and the note names only years beyond it.
    assert deadlines.calendar_note(D(last, 6, 1)) is None
    assert f"{last + 1}年" in deadlines.calendar_note(D(last, 6, 1), beyond)


def test_working_day_helpers():
    assert deadlines.next_working_day(D(2023, 9, 28)).day == D(2023, 10, 7)
    assert deadlines.add_working_days(D(2023, 9, 28), 0).day == D(2023, 9, 28)
    # (9-28, 10-11]: 10-7, 10-8, 10-9, 10-10, 10-11.
    assert deadlines.working_days_between(D(2023, 9, 28), D(2023, 10, 11)) == 5
    assert deadlines.working_days_between(D(2023, 10, 11), D(2023, 9, 28)) == -5
    with pytest.raises(ValueError):
        deadlines.add_working_days(D(2023, 9, 28), -1)


def test_working_days_between_agrees_with_counting_day_by_day_across_years():
    from fazhi_tui.workdays import is_working_day

    def by_day(first: dt.date, last: dt.date) -> int:
        n, day = 0, first
        while day < last:
            day += dt.timedelta(days=1)
            n += is_working_day(day)
        return n

    rng = random.Random(7)
    start = D(2018, 1, 1)
    # Within a year, across year ends, across the calendar's last year, leap days, the same day.
    pairs = [(D(2023, 12, 31), D(2024, 1, 2)), (D(2024, 2, 28), D(2024, 3, 1)), (D(2025, 6, 1), D(2025, 6, 1))]
    pairs += [(D(2026, 12, 30), D(2027, 1, 4)), (D(2019, 1, 1), D(2028, 12, 31))]
    for _ in range(300):
        a = start + dt.timedelta(days=rng.randrange(4000))
        pairs.append((a, a + dt.timedelta(days=rng.randrange(1500))))
    for first, last in pairs:
        assert deadlines.working_days_between(first, last) == by_day(first, last), (first, last)
        assert deadlines.working_days_between(last, first) == -by_day(first, last), (first, last)
