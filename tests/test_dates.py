"""Dates typed by users: every accepted form, and refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from spnet.dates import parse_fiscal_year, parse_span, parse_year
from spnet.errors import UsageError
from spnet.partialdate import PartialDate

D = dt.date


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("2023", D(2023, 1, 1), D(2023, 12, 31)),
        ("2023-03", D(2023, 3, 1), D(2023, 3, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2023-03-03", D(2023, 3, 3), D(2023, 3, 3)),
        ("March 2023", D(2023, 3, 1), D(2023, 3, 31)),
        ("3 Mar 2023", D(2023, 3, 3), D(2023, 3, 3)),
        ("2023年3月3日", D(2023, 3, 3), D(2023, 3, 3)),
        ("２０２３年３月", D(2023, 3, 1), D(2023, 3, 31)),
        ("2023年", D(2023, 1, 1), D(2023, 12, 31)),
        ("令和5年", D(2023, 1, 1), D(2023, 12, 31)),
        ("令和元年", D(2019, 5, 1), D(2019, 12, 31)),  # the part of 2019 in 令和
        ("平成23年", D(2011, 1, 1), D(2011, 12, 31)),
        ("H23", D(2011, 1, 1), D(2011, 12, 31)),
        ("R5", D(2023, 1, 1), D(2023, 12, 31)),
        ("令和5年3月", D(2023, 3, 1), D(2023, 3, 31)),
        ("FY2022", D(2022, 4, 1), D(2023, 3, 31)),
        ("FY 2022", D(2022, 4, 1), D(2023, 3, 31)),
        ("2022年度", D(2022, 4, 1), D(2023, 3, 31)),
        ("令和4年度", D(2022, 4, 1), D(2023, 3, 31)),
        ("1990年代", D(1990, 1, 1), D(1999, 12, 31)),
        ("1990s", D(1990, 1, 1), D(1999, 12, 31)),
        ("199X", D(1990, 1, 1), D(1999, 12, 31)),  # the decade as the archive stores and prints it
        ("１９９Ｘ", D(1990, 1, 1), D(1999, 12, 31)),
    ],
)
def test_accepted_forms(text: str, start: dt.date, end: dt.date) -> None:
    span = parse_span(text)
    assert (span.start, span.end) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        *["1 Apr", "April", "2023-02-30", "2023-13", "March 32 2023", "abc", "", "99999", "2023/3/3/3", "令和", "0999"],
        *["1995年代", "199", "19XX", "099X", "300X"],  # a decade: three digits of a year from 1000 to 2999, then X
    ],
)
def test_refused_forms(text: str) -> None:
    with pytest.raises(UsageError, match="bad date"):
        parse_span(text)


def test_year_and_fiscal_year_helpers() -> None:
    assert parse_year("令和5年") == (D(2023, 1, 1), D(2023, 12, 31))
    # An era year is the era's part of it: 平成31年 ended on 30 April 2019.
    assert parse_year("平成31年") == (D(2019, 1, 1), D(2019, 4, 30))
    assert parse_year("令和元年") == (D(2019, 5, 1), D(2019, 12, 31))
    with pytest.raises(UsageError, match="bad year"):
        parse_year("2023-03")
    with pytest.raises(UsageError, match="use --fy 2022年度"):
        parse_year("2022年度")
    assert parse_fiscal_year("2023").start == D(2023, 4, 1)
    with pytest.raises(UsageError, match="bad fiscal year"):
        parse_fiscal_year("2023-03")


@pytest.mark.parametrize(
    "stored,display,first,last",
    [
        ("2023-03-03", "2023-03-03", D(2023, 3, 3), D(2023, 3, 3)),
        ("2024-03", "2024-03", D(2024, 3, 1), D(2024, 3, 31)),
        ("2019", "2019", D(2019, 1, 1), D(2019, 12, 31)),
        ("199X", "1990s", D(1990, 1, 1), D(1999, 12, 31)),
    ],
)
def test_partial_dates_round_trip(stored: str, display: str, first: dt.date, last: dt.date) -> None:
    d = PartialDate.parse(stored)
    assert (d.iso(), d.display(), d.first_day(), d.last_day()) == (stored, display, first, last)


@pytest.mark.parametrize("stored", ["2023-02-30", "2023-3", "23", "2023-00", "19XX", "2023-03-03T10:00"])
def test_bad_stored_dates(stored: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(stored)


def test_month_end_agrees_with_the_calendar_module() -> None:
    import calendar

    from spnet.partialdate import month_end

    for year in (1, 1900, 2000, 2023, 2024, 2100, 9999):
        for month in range(1, 13):
            assert month_end(year, month).day == calendar.monthrange(year, month)[1]
