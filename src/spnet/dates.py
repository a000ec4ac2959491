"""Dates typed by a user, as spans of days.

Accepted: 2023, 2023-03, 2023-03-03, March 2023, 3 Mar 2023, 2023年3月3日, 2023年3月,
2023年, the eras the report uses (令和5年, 令和元年, 平成23年, H23, R5, with 月/日 after them),
and fiscal years (FY2022, FY 2022, 2022年度, 令和4年度: April to March). A partial date
means its whole span. A date without a year is refused rather than given this year.
python-dateutil is imported only for the English month forms.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import NamedTuple

from spnet.errors import UsageError
from spnet.models import month_end

ACCEPTED = (
    "2023, 2023-03, 2023-03-03, March 2023, 3 Mar 2023, 2023年3月3日, 2023年3月, "
    "令和5年, 令和元年, 平成23年, R5, H23, FY2022 or 2022年度"
)

_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988}
_MIN_YEAR, _MAX_YEAR = 1000, 2999


class DateSpan(NamedTuple):
    """The days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return start <= self.end and end >= self.start


def _year_span(year: int) -> DateSpan:
    return DateSpan(dt.date(year, 1, 1), dt.date(year, 12, 31))


def fiscal_year_span(year: int) -> DateSpan:
    """Japanese fiscal (academic) year `year`: 1 April `year` to 31 March `year + 1`."""
    _check_year(year, str(year))
    return DateSpan(dt.date(year, 4, 1), dt.date(year + 1, 3, 31))


def _check_year(year: int, text: str) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise UsageError(f"bad date {text!r}: year {year} is out of range; use {ACCEPTED}")


def _span(year: int, month: int | None, day: int | None, text: str) -> DateSpan:
    _check_year(year, text)
    try:
        if month is None:
            return _year_span(year)
        if day is None:
            return DateSpan(dt.date(year, month, 1), month_end(year, month))
        d = dt.date(year, month, day)
    except ValueError as exc:
        raise UsageError(f"bad date {text!r}: {exc}; use {ACCEPTED}") from None
    return DateSpan(d, d)


_ISO = r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$"
_JA = r"^(?:(令和|平成|r|h)(元|\d{1,2})|(\d{4}))年?(?:(\d{1,2})月(?:(\d{1,2})日)?)?$"
_FY = r"^(?:fy(\d{4})|(\d{4})年度|(令和|平成)(元|\d{1,2})年度)$"


def _era_year(era: str, number: str) -> int:
    return _ERAS[era] + (1 if number == "元" else int(number))


def parse_span(text: str) -> DateSpan:
    """Parse one user-typed date into the span of days it means. Raises UsageError."""
    raw = text
    s = unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "") if text else ""
    if not s:
        raise UsageError(f"bad date {raw!r}: empty; use {ACCEPTED}")
    if m := re.match(_ISO, s):
        return _span(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None, raw)
    if m := re.match(_FY, s):
        year = int(m[1] or m[2]) if (m[1] or m[2]) else _era_year(m[3], m[4])
        return fiscal_year_span(year)
    if m := re.match(_JA, s):
        year = _era_year(m[1], m[2]) if m[1] else int(m[3])
        if m[1] is None and not s.endswith(("年", "月", "日")) and m[4] is None:
            raise UsageError(f"bad date {raw!r}; use {ACCEPTED}")
        return _span(year, int(m[4]) if m[4] else None, int(m[5]) if m[5] else None, raw)
    return _parse_english(raw)


def _parse_english(text: str) -> DateSpan:
    from dateutil import parser  # type: ignore[import-untyped]  # only English month forms need it

    if not re.search(r"[A-Za-z]{3}", text):
        raise UsageError(f"bad date {text!r}; use {ACCEPTED}")
    # Parse twice with different defaults: a component that differs was not typed.
    try:
        a = parser.parse(text, default=dt.datetime(1, 1, 1))
        b = parser.parse(text, default=dt.datetime(2, 2, 2))
    except (ValueError, OverflowError):
        raise UsageError(f"bad date {text!r}; use {ACCEPTED}") from None
    if a.year != b.year:
        raise UsageError(f"bad date {text!r}: no year given; use {ACCEPTED}")
    month = a.month if a.month == b.month else None
    day = a.day if a.day == b.day else None
    if day is not None and month is None:
        raise UsageError(f"bad date {text!r}; use {ACCEPTED}")
    return _span(a.year, month, day, text)


def parse_year(text: str) -> int:
    """A calendar year: 2023, 2023年, 令和5年, R5, H23."""
    span = parse_span(text)
    if (span.start.month, span.start.day, span.end.month, span.end.day) != (
        1,
        1,
        12,
        31,
    ) or span.start.year != span.end.year:
        raise UsageError(f"bad year {text!r}: give a year such as 2023, 令和5年 or R5")
    return span.start.year


def parse_fiscal_year(text: str) -> DateSpan:
    """A fiscal year: 2022, FY2022, 2022年度, 令和4年度."""
    s = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{4}", s):
        return fiscal_year_span(int(s))
    span = parse_span(text)
    if span.start.month == 4 and span.start.day == 1 and span.end == dt.date(span.start.year + 1, 3, 31):
        return span
    raise UsageError(f"bad fiscal year {text!r}: give one such as 2022, FY2022 or 2022年度")


def to_partial_date(text: str) -> str:
    """A user-typed date as the archive stores it: 2023-03-03, 2023-03 or 2023."""
    span = parse_span(text)
    start, end = span.start, span.end
    if start == end:
        return start.isoformat()
    if start.day == 1 and (start.year, start.month) == (end.year, end.month) and end == month_end(end.year, end.month):
        return f"{start.year:04d}-{start.month:02d}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year:04d}"
    raise UsageError(f"bad date {text!r}: the archive stores a day, a month or a year, not {start} to {end}")
