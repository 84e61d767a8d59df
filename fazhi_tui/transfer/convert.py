"""Turning a column of cells into a table column's type, vectorised, with the rows that fail.

A million rows must convert in a second or two, so each column is converted with Arrow compute
functions; Python only touches the rows that fail, to say why.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

# The forms of a date offices write (2023-05-06, 2023/5/6, 2023年5月6日, 2023.5.6), with or
# without a time. strptime accepts unpadded months and days.
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d")
TIME_SUFFIXES = ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
EXCEL_MIN, EXCEL_MAX = 1, 2958465  # 1900-01-01 .. 9999-12-31

TRUE_WORDS = ("是", "有", "true", "yes", "y", "1", "√", "对")
FALSE_WORDS = ("否", "无", "false", "no", "n", "0", "×", "不是")
LIST_SEPARATORS = ("、", "，", ",", "；", ";", "|")


class Converted:
    """The converted array and a mask of rows whose cell was given but could not be read."""

    def __init__(self, values: pa.Array, failed: pa.Array, expected: str):
        self.values = values
        self.failed = failed
        self.expected = expected  # what a good cell looks like, for the message


def _trimmed(col: pa.Array) -> pa.Array:
    text = pc.utf8_trim_whitespace(col)
    blank = pc.equal(text, "")
    if not pc.any(blank).as_py():
        return text  # nothing to blank out: no second copy of the column
    return pc.if_else(blank, pa.scalar(None, pa.string()), text)


def convert(col: pa.Array, target: pa.DataType) -> Converted:
    if col.type == target and not pa.types.is_string(target):
        return Converted(col, _none_failed(len(col)), str(target))  # Parquet: already typed
    if pa.types.is_string(target):
        return _to_string(col)
    if pa.types.is_timestamp(target) or pa.types.is_date(target):
        return _to_datetime(col, target)
    if pa.types.is_integer(target):
        return _to_number(col, target, integer=True)
    if pa.types.is_floating(target):
        return _to_number(col, target, integer=False)
    if pa.types.is_boolean(target):
        return _to_bool(col)
    if pa.types.is_list(target) and pa.types.is_string(target.value_type):
        return _to_list(col, target)
    values = col.cast(target)
    return Converted(values, pc.and_(pc.is_valid(col), pc.is_null(values)), str(target))


def _to_string(col: pa.Array) -> Converted:
    if pa.types.is_string(col.type):
        out = _trimmed(col)
    elif pa.types.is_floating(col.type):
        # Excel keeps codes like 41042110820101 as numbers: write them back without ".0".
        is_int = pc.equal(pc.floor(col), col)
        as_int = pc.cast(pc.if_else(is_int, col, pa.scalar(None, col.type)), pa.int64(), safe=False)
        out = pc.if_else(is_int, pc.cast(as_int, pa.string()), pc.cast(col, pa.string()))
    else:
        out = pc.cast(col, pa.string())
    return Converted(out, _none_failed(len(col)), "文本")


def _none_failed(n: int) -> pa.Array:
    return pa.repeat(pa.scalar(False), n)


def _to_datetime(col: pa.Array, target: pa.DataType) -> Converted:
    expected = (
        "日期（如 2023-05-06、2023/5/6、2023年5月6日）"
        if pa.types.is_date(target)
        else "日期时间（如 2023-05-06 08:30）"
    )
    if pa.types.is_timestamp(col.type):
        parsed = col.cast(pa.timestamp("us"))
    elif pa.types.is_date(col.type):
        parsed = col.cast(pa.timestamp("us"))
    elif pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        parsed = _excel_serial(col.cast(pa.float64()))
    else:
        text = _trimmed(col)
        parsed = _parse_dates(text)
        parsed = _reject_rolled_over(text, parsed)
        # Excel serial numbers pasted as text ("45052", "45052.5").
        remaining = pc.and_(pc.is_valid(text), pc.is_null(parsed))
        if pc.any(remaining).as_py():
            numeric = pc.cast(
                pc.if_else(pc.match_substring_regex(text, r"^\d{1,7}(\.\d+)?$"), text, pa.scalar(None, pa.string())),
                pa.float64(),
            )
            parsed = pc.coalesce(parsed, _excel_serial(numeric))
        col = text
    values = parsed.cast(target) if pa.types.is_date(target) else parsed.cast(pa.timestamp("us")).cast(target)
    return Converted(values, pc.and_(pc.is_valid(col), pc.is_null(values)), expected)


FORMATS = tuple(fmt + suffix for fmt in DATE_FORMATS for suffix in TIME_SUFFIXES)


def _parse_dates(text: pa.Array) -> pa.Array:
    """Each cell parsed by the first of ``FORMATS`` that reads it whole.

    The forms differ in their separators, so a cell is read by one form at most and the order
    they are tried in changes nothing. A column is almost always written in one form: the one
    that reads its first cell is tried first, on every cell, then the others on the cells left
    (a million cells written "2023-05-06 08:30:00" were parsed twice: first as a bare date)."""
    parsed = pa.nulls(len(text), pa.timestamp("us"))
    valid = pc.is_valid(text)
    first = pc.index(valid, True).as_py()
    if first < 0:
        return parsed
    sample = text.slice(first, 1)
    likely = next(
        (f for f in FORMATS if pc.strptime(sample, format=f, unit="us", error_is_null=True).is_valid()[0].as_py()),
        None,
    )
    order = ([likely] if likely else []) + [f for f in FORMATS if f != likely]
    for i, fmt in enumerate(order):
        remaining = pc.and_(valid, pc.is_null(parsed))
        left = pc.sum(remaining).as_py() or 0
        if not left:
            break
        if i == 0 or left * 4 > len(text):
            parsed = pc.coalesce(parsed, pc.strptime(text, format=fmt, unit="us", error_is_null=True))
            continue
        # Few cells left: parse only those, and put them back where they were.
        at = pc.indices_nonzero(remaining)
        attempt = pc.strptime(text.take(at), format=fmt, unit="us", error_is_null=True)
        if attempt.null_count == len(attempt):
            continue
        positions = pa.array(range(len(text)), pa.uint64())
        where = pc.index_in(positions, value_set=at)
        parsed = pc.coalesce(parsed, attempt.take(where))
    return parsed


_YMD = r"^(?P<y>\d{4})(?:\D+(?P<m>\d{1,2})\D+(?P<d>\d{1,2})|(?P<m2>\d{2})(?P<d2>\d{2}))"


def _reject_rolled_over(text: pa.Array, parsed: pa.Array) -> pa.Array:
    """strptime rolls 2023-02-30 over to 2023-03-02; a date whose day is not the one written is no date.

    A rolled-over date lands on day 1, 2 or 3 of the next month, so only those rows are checked
    against the text (a million-row import would otherwise spend a second in the regex)."""
    if not pc.any(pc.is_valid(parsed)).as_py():
        return parsed
    suspect = pc.indices_nonzero(pc.fill_null(pc.less_equal(pc.day(parsed), 3), False))
    if not len(suspect):
        return parsed
    parts = pc.extract_regex(text.take(suspect), _YMD)
    month = pc.coalesce(pc.struct_field(parts, "m"), pc.struct_field(parts, "m2"))
    day = pc.coalesce(pc.struct_field(parts, "d"), pc.struct_field(parts, "d2"))
    month = pc.cast(pc.if_else(pc.equal(month, ""), pa.scalar(None, pa.string()), month), pa.int64())
    day = pc.cast(pc.if_else(pc.equal(day, ""), pa.scalar(None, pa.string()), day), pa.int64())
    sub = parsed.take(suspect)
    same = pc.fill_null(pc.and_(pc.equal(pc.month(sub), month), pc.equal(pc.day(sub), day)), False)
    rolled = pc.filter(suspect, pc.invert(same))
    if not len(rolled):
        return parsed
    mask = pc.is_in(pa.array(range(len(parsed)), pa.uint64()), value_set=rolled.cast(pa.uint64()))
    return pc.if_else(mask, pa.scalar(None, parsed.type), parsed)


def _excel_serial(num: pa.Array) -> pa.Array:
    ok = pc.and_(pc.greater_equal(num, EXCEL_MIN), pc.less_equal(num, EXCEL_MAX))
    micros = pc.cast(
        pc.round(pc.multiply(pc.if_else(ok, num, pa.scalar(None, pa.float64())), 86_400_000_000.0)), pa.int64()
    )
    epoch = int((EXCEL_EPOCH - dt.datetime(1970, 1, 1)).total_seconds() * 1_000_000)
    return pc.cast(pc.add(micros, epoch), pa.timestamp("us"))


def _to_number(col: pa.Array, target: pa.DataType, integer: bool) -> Converted:
    expected = "整数" if integer else "数字"
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        num = col.cast(pa.float64())
        src_valid = pc.is_valid(col)
    else:
        text = _trimmed(col)
        # 1,234 and full-width digits are how numbers arrive from Excel on Chinese Windows.
        text = pc.replace_substring(text, ",", "")
        text = pc.utf8_normalize(text, "NFKC")
        good = pc.match_substring_regex(text, r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
        num = pc.cast(pc.if_else(good, text, pa.scalar(None, pa.string())), pa.float64())
        src_valid = pc.is_valid(text)
    if integer:
        whole = pc.equal(pc.floor(num), num)
        num = pc.if_else(whole, num, pa.scalar(None, pa.float64()))
        lo, hi = (-(2**31), 2**31 - 1) if target.bit_width == 32 else (-(2**63), 2**63 - 1)
        num = pc.if_else(pc.and_(pc.greater_equal(num, lo), pc.less_equal(num, hi)), num, pa.scalar(None, pa.float64()))
    values = pc.cast(num, target, safe=False)
    return Converted(values, pc.and_(src_valid, pc.is_null(values)), expected)


def _to_bool(col: pa.Array) -> Converted:
    if pa.types.is_boolean(col.type):
        return Converted(col, pc.and_(pc.is_valid(col), pc.is_null(col)), "是/否")
    text = pc.utf8_lower(_trimmed(col.cast(pa.string())))
    yes = pc.is_in(text, value_set=pa.array(TRUE_WORDS))
    no = pc.is_in(text, value_set=pa.array(FALSE_WORDS))
    values = pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))
    return Converted(values, pc.and_(pc.is_valid(text), pc.is_null(values)), "是/否")


def _to_list(col: pa.Array, target: pa.DataType) -> Converted:
    text = _trimmed(col.cast(pa.string()))
    for sep in LIST_SEPARATORS[1:]:
        text = pc.replace_substring(text, sep, LIST_SEPARATORS[0])
    parts = pc.split_pattern(text, LIST_SEPARATORS[0])
    # Drop empty items ("a、、b") by rebuilding only the lists that have them.
    # List columns live in reference tables (hundreds of rows), so plain Python is fine here.
    cleaned = [[p.strip() for p in v if p.strip()] if v is not None else None for v in parts.to_pylist()]
    values = pa.array(cleaned, type=target)
    return Converted(values, _none_failed(len(values)), "以“、”分隔的列表")
