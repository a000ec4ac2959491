"""A date as the report gives it: known to the day, the month, the year, the 年度 or the
decade (PartialDate), and the days a stored date may fall on. No I/O here.

No `from __future__ import annotations` here: NamedTuple would turn every string
annotation into a ForwardRef, compiling each one, at every start.
"""

import datetime as dt
import re
from typing import NamedTuple

_PARTIAL = r"^(\d{3})X$|^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$|^FY(\d{4})$"  # compiled on first use


# The days a stored date may fall on: whole 年度 (April to March), FY1 to FY9998. Every
# output holds them: a date's 年度 and the day after it (an iCalendar end, the edge of the
# timeline picture) are days Python's calendar has (years 1 to 9999).
FIRST_DAY = dt.date(1, 4, 1)
LAST_DAY = dt.date(9999, 3, 31)

WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month (what calendar.monthrange gives, without importing calendar)."""
    if month == 12:
        return dt.date(year, 12, 31)  # also for 9999, which has no next year
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


class DateOutOfRange(ValueError):
    """A date of the calendar outside FIRST_DAY to LAST_DAY."""


class PartialDate(NamedTuple):
    """A date known to the day, the month, the year, the 年度 or the decade.

    Written as ISO 8601 with reduced precision ("2023-03-03", "2024-03", "2019"), for a
    decade the EDTF form "199X", and for a Japanese fiscal year (年度, 1 April to 31 March)
    "FY2019", which is how the report's 「2019年度」 is kept. Never padded to an invented
    first of the month.
    """

    year: int
    month: int | None = None
    day: int | None = None
    decade: bool = False
    fiscal: bool = False  # the 年度 `year`: 1 April `year` to 31 March `year + 1`

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        """Parse the stored form; raises ValueError naming what is wrong."""
        m = re.fullmatch(_PARTIAL, text)
        if not m:
            raise ValueError(f"not a date in the form YYYY, YYYY-MM, YYYY-MM-DD, YYYX or FYYYYY (a 年度): {text!r}")
        if m.group(5):
            if int(m.group(5)) == 0:
                raise ValueError(f"year 0 does not exist: {text!r}")
            return cls(int(m.group(5)), fiscal=True)._within(text)
        if m.group(1):
            if int(m.group(1)) == 0:
                raise ValueError(f"year 0 does not exist: {text!r}")
            return cls(int(m.group(1)) * 10, decade=True)._within(text)
        year, month, day = int(m.group(2)), m.group(3), m.group(4)
        if year == 0:
            raise ValueError(f"year 0 does not exist: {text!r}")
        if month is None:
            return cls(year)._within(text)
        if not 1 <= int(month) <= 12:
            raise ValueError(f"month {month} out of range in {text!r}")
        if day is None:
            return cls(year, int(month))._within(text)
        dt.date(year, int(month), int(day))  # raises ValueError for 2023-02-30
        return cls(year, int(month), int(day))._within(text)

    def _within(self, text: str) -> "PartialDate":
        """Itself, when every day of it lies from FIRST_DAY to LAST_DAY; else ValueError."""
        if self.fiscal and self.year >= LAST_DAY.year or self.first_day() < FIRST_DAY or self.last_day() > LAST_DAY:
            raise DateOutOfRange(f"{text!r} is outside the dates spnet holds, {FIRST_DAY} to {LAST_DAY}")
        return self

    @property
    def precision(self) -> str:
        if self.decade:
            return "decade"
        if self.fiscal:
            return "fy"
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        """The stored, machine-readable form."""
        if self.decade:
            return f"{self.year // 10:03d}X"
        if self.fiscal:
            return f"FY{self.year:04d}"
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def display(self) -> str:
        """The form a person reads: "1990s" for a decade, otherwise the ISO form."""
        return f"{self.year}s" if self.decade else self.iso()

    @property
    def fiscal_year(self) -> int | None:
        """The 年度 (April to March) the date is in, or None where it cannot say: a year or
        a decade spans more than one."""
        if self.fiscal:
            return self.year
        if self.month is None or self.decade:
            return None
        return self.year if self.month >= 4 else self.year - 1

    def first_day(self) -> dt.date:
        if self.fiscal:
            return dt.date(self.year, 4, 1)
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        if self.fiscal:
            return dt.date(self.year + 1, 3, 31)
        if self.decade:
            return dt.date(self.year + 9, 12, 31)
        if self.day:
            return self.first_day()
        if self.month:
            return month_end(self.year, self.month)
        return dt.date(self.year, 12, 31)

    def __str__(self) -> str:
        return self.display()
