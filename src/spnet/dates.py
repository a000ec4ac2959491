"""Dates typed by a user, as spans of days; and dates written for a person to read.

Accepted: 2023, 2023-03, 2023-03-03, 2023/3/3, March 2023, 3 Mar 2023, 2023年3月3日, 2023年3月,
2023年, 1990年代, 1990s, 199X (a decade as the archive stores it); the Japanese eras (令和5年,
令和元年, 平成31年4月30日, 昭和35年, R5, R5.3.3, H31.4.30, S35), full-width digits anywhere;
the report's own form with a weekday in brackets (2022年02月10日（木）), or an English
weekday written out (Friday, 3 March 2023): the weekday is checked; fiscal years (FY2022,
2022年度, 令和4年度, and for --fy any year: R5, 令和5年). A partial date means its whole
span; an era year only the part of it in that era. A date without a year is refused rather
than given this year. python-dateutil is imported only for the English month forms.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import NamedTuple

from spnet import glossary
from spnet.errors import UsageError
from spnet.i18n import _, language
from spnet.partialdate import WEEKDAYS_EN, WEEKDAYS_JA, PartialDate, month_end


def accepted() -> str:
    return _(
        "2023, 2023-03, 2023-03-03, 2023/3/3, March 2023, 2023年3月3日（金）, 令和5年, R5.3.3, "
        "H31.4.30, 1990年代, FY2022 or 2022年度"
    )


_MIN_YEAR, _MAX_YEAR = 1000, 2999


class Era(NamedTuple):
    name: str
    letter: str
    first: dt.date  # its first day (Gregorian)


ERAS = (
    Era("明治", "m", dt.date(1868, 10, 23)),
    Era("大正", "t", dt.date(1912, 7, 30)),
    Era("昭和", "s", dt.date(1926, 12, 25)),
    Era("平成", "h", dt.date(1989, 1, 8)),
    Era("令和", "r", dt.date(2019, 5, 1)),
)
_ERA_BY_KEY = {key: n for n, era in enumerate(ERAS) for key in (era.name, era.letter)}
_WEEKDAYS_EN = tuple(w[:3].lower() for w in WEEKDAYS_EN)  # mon, tue ...


class DateSpan(NamedTuple):
    """The days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return start <= self.end and end >= self.start


class Parsed(NamedTuple):
    span: DateSpan
    precision: str  # day, month, year, decade or fy
    year: int  # the calendar (or fiscal) year it names; a decade's first year


def _era_end(n: int) -> dt.date:
    return ERAS[n + 1].first - dt.timedelta(days=1) if n + 1 < len(ERAS) else dt.date.max


def fiscal_year_span(year: int) -> DateSpan:
    """Japanese fiscal (academic) year `year`: 1 April `year` to 31 March `year + 1`."""
    _check_year(year, str(year))
    return DateSpan(dt.date(year, 4, 1), dt.date(year + 1, 3, 31))


def _bad(text: str, why: str = "") -> UsageError:
    if why:
        return UsageError(_("bad date {text!r}: {why}; use {forms}").format(text=text, why=why, forms=accepted()))
    return UsageError(_("bad date {text!r}; use {forms}").format(text=text, forms=accepted()))


def _check_year(year: int, text: str) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _bad(text, _("year {year} is out of range").format(year=year))


def _span(year: int, month: int | None, day: int | None, text: str) -> Parsed:
    _check_year(year, text)
    try:
        if month is None:
            return Parsed(DateSpan(dt.date(year, 1, 1), dt.date(year, 12, 31)), "year", year)
        if day is None:
            return Parsed(DateSpan(dt.date(year, month, 1), month_end(year, month)), "month", year)
        d = dt.date(year, month, day)
    except ValueError:
        raise _bad(text, _("no such day or month")) from None
    return Parsed(DateSpan(d, d), "day", year)


_SEP = r"[-/.]"
_WESTERN = rf"(\d{{4}})(?:{_SEP}(\d{{1,2}})(?:{_SEP}(\d{{1,2}}))?)?"
_JA = r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?"
_ERA_NAME = r"(明治|大正|昭和|平成|令和|[mtshr])(元|\d{1,2})"
_ERA = rf"{_ERA_NAME}(?:(?:年|{_SEP})(?:(\d{{1,2}})(?:月|{_SEP})?(?:(\d{{1,2}})日?)?)?)?"
_DECADE = r"(\d{3})(?:0年代|0s|x)"  # 1990年代, 1990s, 199X
_FY = rf"fy(\d{{4}})|(\d{{4}})年度|{_ERA_NAME}年度"
_WEEKDAY = r"(.*?)\(\s*(月|火|水|木|金|土|日|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?(?:曜日|曜)?\s*\)"
# Written out anywhere: Friday, Fri., Tues, Thurs (dateutil itself would read "Monday 2023"
# as some Monday of 2023, and take a weekday that is not the date's).
_ENGLISH_WEEKDAY = (
    r"\b(?:mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs?|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b\.?,?"
)


def _normal(text: str) -> str:
    """Full-width digits and brackets as ASCII, lower case, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _era_year(era: str, number: str, text: str) -> tuple[int, int]:
    """(era index, calendar year) of an era year; year 0 and years past the era's end refused."""
    n = _ERA_BY_KEY[era]
    years = 1 if number == "元" else int(number)
    name = ERAS[n].name
    if years == 0:
        raise _bad(text, _("an era's first year is 1 (元年), not 0"))
    year = ERAS[n].first.year + years - 1
    if year > _era_end(n).year:
        last = _era_end(n).year - ERAS[n].first.year + 1
        raise _bad(text, _("{era} ended in its year {last} ({end})").format(era=name, last=last, end=_era_end(n)))
    return n, year


def _parse(text: str) -> Parsed:
    if not _normal(text):
        raise _bad(text, _("empty"))
    spaced = unicodedata.normalize("NFKC", text).lower().strip()  # the English forms, their words apart
    weekday = None
    if m := re.fullmatch(_WEEKDAY, spaced):
        spaced, weekday = m[1], m[2]
    elif m := re.search(_ENGLISH_WEEKDAY, spaced):
        spaced, weekday = f"{spaced[: m.start()]} {spaced[m.end() :]}", m[0][:3]
    parsed = _parse_plain(_normal(spaced), spaced, text)
    if weekday is not None:
        _check_weekday(parsed, weekday, text)
    return parsed


def _check_weekday(parsed: Parsed, weekday: str, text: str) -> None:
    """Refuse a weekday given with less than a whole date, or not the date's own."""
    if parsed.precision != "day":
        raise _bad(text, _("a weekday goes with a whole date"))
    actual = parsed.span.start.weekday()
    given = WEEKDAYS_JA.index(weekday) if weekday in WEEKDAYS_JA else _WEEKDAYS_EN.index(weekday)
    if given != actual:
        raise _bad(
            text,
            _("{date} is a {weekday}").format(
                date=parsed.span.start.isoformat(),
                weekday=glossary.WEEKDAYS[actual].ja
                if language() == "ja"
                else f"{glossary.WEEKDAYS[actual].ja} ({glossary.WEEKDAYS[actual].en})",
            ),
        )


def _parse_plain(s: str, spaced: str, text: str) -> Parsed:
    """`s` folded (no spaces), `spaced` as the English forms are read, `text` as typed."""
    if m := re.fullmatch(_WESTERN, s) or re.fullmatch(_JA, s):
        return _span(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None, text)
    if m := re.fullmatch(_DECADE, s):
        first = int(m[1]) * 10
        _check_year(first, text)
        return Parsed(DateSpan(dt.date(first, 1, 1), dt.date(first + 9, 12, 31)), "decade", first)
    if m := re.fullmatch(_FY, s):
        year = int(m[1] or m[2]) if (m[1] or m[2]) else _era_year(m[3], m[4], text)[1]
        return Parsed(fiscal_year_span(year), "fy", year)
    if m := re.fullmatch(_ERA, s):
        n, year = _era_year(m[1], m[2], text)
        parsed = _span(year, int(m[3]) if m[3] else None, int(m[4]) if m[4] else None, text)
        lo, hi = max(parsed.span.start, ERAS[n].first), min(parsed.span.end, _era_end(n))
        if lo > hi and parsed.span.start > hi:
            raise _bad(text, _("{era} ended on {last}").format(era=ERAS[n].name, last=hi))
        if lo > hi:
            raise _bad(text, _("{era} began on {first}").format(era=ERAS[n].name, first=ERAS[n].first))
        return parsed._replace(span=DateSpan(lo, hi))
    return _parse_english(spaced, text)


def _parse_english(spaced: str, text: str) -> Parsed:
    if not re.search(r"[a-z]{3}", spaced):
        raise _bad(text)
    from dateutil import parser  # type: ignore[import-untyped]  # only English month forms need it

    # Parse twice with different defaults: a component that differs was not typed.
    try:
        a = parser.parse(spaced, default=dt.datetime(1, 1, 1))
        b = parser.parse(spaced, default=dt.datetime(2, 2, 2))
    except (ValueError, OverflowError):
        raise _bad(text) from None
    if a.year != b.year:
        raise _bad(text, _("no year given"))
    month = a.month if a.month == b.month else None
    day = a.day if a.day == b.day else None
    if day is not None and month is None:
        raise _bad(text)
    return _span(a.year, month, day, text)


def parse_span(text: str) -> DateSpan:
    """Parse one user-typed date into the span of days it means. Raises UsageError."""
    return _parse(text).span


def parse_year(text: str) -> DateSpan:
    """A calendar year as its days: 2023, 2023年; an era year only the era's part of it
    (平成31年 is 1 January to 30 April 2019, 令和元年 1 May to 31 December)."""
    parsed = _parse(text)
    if parsed.precision == "fy":
        raise UsageError(
            _("--year takes a calendar year; {text!r} is a fiscal year (年度): use --fy {text}").format(text=text)
        )
    if parsed.precision != "year":
        raise UsageError(_("bad year {text!r}: give a year such as 2023, 令和5年 or R5").format(text=text))
    return parsed.span


def parse_fiscal_year(text: str) -> DateSpan:
    """A fiscal year: 2022, FY2022, 2022年度, 令和4年度, and any year (R5, 令和5年) as its 年度."""
    parsed = _parse(text)
    if parsed.precision not in ("fy", "year"):
        raise UsageError(_("bad fiscal year {text!r}: give one such as 2022, FY2022, 2022年度 or R4").format(text=text))
    return fiscal_year_span(parsed.year)


def to_partial_date(text: str) -> str:
    """A user-typed date as the archive stores it: 2023-03-03, 2023-03, 2023, FY2023 or 199X,
    as precise as it was typed (PartialDate's own form)."""
    parsed = _parse(text)
    start, precision = parsed.span.start, parsed.precision
    return PartialDate(
        parsed.year,
        start.month if precision in ("month", "day") else None,
        start.day if precision == "day" else None,
        decade=precision == "decade",
        fiscal=precision == "fy",
    ).iso()


# ------------------------------------------------------------------ dates for a person
class DateStyle:
    ISO, JA, WAREKI = "iso", "ja", "wareki"
    ALL = ("iso", "ja", "wareki")


def _era_of(day: dt.date) -> tuple[str, int]:
    """The era and its year on a day: 令和, 5."""
    for era in reversed(ERAS):
        if day >= era.first:
            return era.name, day.year - era.first.year + 1
    return "", day.year


def _era_year_text(first: dt.date, last: dt.date) -> str:
    """令和5年; 平成31年／令和元年 for a span across a change of era."""
    names = []
    for day in (first, last):
        era, n = _era_of(day)
        text = f"{era}{'元' if n == 1 else n}年" if era else f"{day.year}年"
        if text not in names:
            names.append(text)
    return "／".join(names)


def format_date(date: PartialDate, style: str, *, weekday: bool = True) -> str:
    """A date as a person reads it: iso 2023-03-03, FY2019 and 1990s; ja 2023年3月3日（金）,
    2023年3月, 2023年, 2019年度, 1990年代; wareki 令和5年3月3日（金）, 令和5年3月, 令和5年,
    令和元年度."""
    year = date.year
    if date.fiscal:
        if style == DateStyle.ISO:
            return date.iso()
        return f"{year}年度" if style == DateStyle.JA else _era_fiscal_year(year)
    if date.decade:
        return f"{year}s" if style == DateStyle.ISO else f"{year}年代"
    if style == DateStyle.ISO:
        return date.iso()
    first, last = date.first_day(), date.last_day()
    head = _era_year_text(first, last) if style == DateStyle.WAREKI else f"{year}年"
    if date.day:
        tail = f"（{WEEKDAYS_JA[first.weekday()]}）" if weekday else ""
        return f"{head}{date.month}月{date.day}日{tail}"
    return f"{head}{date.month}月" if date.month else head


def _era_fiscal_year(year: int) -> str:
    """令和元年度: the era of a 年度 is the era of its December (1988年度 is 昭和63年度)."""
    era, n = _era_of(dt.date(year, 12, 31))
    return f"{era}{'元' if n == 1 else n}年度"


def fiscal_year_label(year: int, lang: str) -> str:
    """FY2022; 2022年度（令和4年度）; both."""
    ja = f"{year}年度（{_era_fiscal_year(year)}）"
    return {"en": f"FY{year}", "ja": ja}.get(lang, f"FY{year} {ja}")
