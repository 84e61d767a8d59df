"""How the report writes counts (DOMAIN.md §1).

People, grids and villages are exact ("69名"). Activity counts the template marks approximate are
floored to a round figure plus 余 when the true count is above it: 14 → "10余次", 123 → "120余次",
925 → "920余条", 1234 → "1200余次"; a count that equals its floor, or is below ten, is exact.
"""

from __future__ import annotations


def round_floor(n: int) -> int:
    """The round figure below ``n``: tens under 100, otherwise two significant digits."""
    if n < 10:
        return n
    digits = len(str(n))
    keep = 1 if digits == 2 else 2
    step = 10 ** (digits - keep)
    return n // step * step


def approx(n: int, unit: str = "") -> str:
    """``approx(104, "件") == "100余件"``; ``approx(120, "次") == "120次"``."""
    if n < 0:
        raise ValueError(f"计数不能为负：{n}")
    floor = round_floor(n)
    return f"{floor}余{unit}" if n > floor else f"{n}{unit}"


def exact(n: int, unit: str = "") -> str:
    return f"{n}{unit}"


def phrase(n: int, unit: str = "", *, approximate: bool = False) -> str:
    """The template decides which figures are approximate, not the data."""
    return approx(n, unit) if approximate else exact(n, unit)
