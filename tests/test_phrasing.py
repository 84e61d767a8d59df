import pytest

from fazhi_tui.report.phrasing import approx, phrase, round_floor


@pytest.mark.parametrize(
    "n, unit, text",
    [
        (14, "次", "10余次"),
        (23, "次", "20余次"),
        (123, "次", "120余次"),
        (317, "次", "310余次"),
        (925, "条", "920余条"),
        (805, "次", "800余次"),
        (1234, "次", "1200余次"),
        (120, "次", "120次"),
        (104, "件", "100余件"),
        (96, "件", "90余件"),
        (9, "次", "9次"),
        (10, "次", "10次"),
        (0, "次", "0次"),
        (100, "件", "100件"),
        (35, "个", "30余个"),
        (155, "条", "150余条"),
    ],
)
def test_approx_matches_the_seed_reports_phrasing(n, unit, text):
    assert approx(n, unit) == text


def test_exact_unless_the_template_says_approximate():
    assert phrase(69, "名") == "69名"
    assert phrase(69, "名", approximate=True) == "60余名"


def test_round_floor_is_below_the_count_and_close_to_it():
    for n in range(0, 20000, 7):
        f = round_floor(n)
        assert f <= n
        assert n - f < 10 if n < 100 else n - f <= n // 10
