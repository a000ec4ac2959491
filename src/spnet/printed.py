"""The values of a record that the report prints, each with the forms it may be printed in:
its texts, a date as each language writes it (2023年3月3日（金）, Friday, 3 March 2023,
令和5年), a time, a count in figures or words, and the texts a note quotes. citations.py
finds them on the lines a record cites."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from spnet.models import TomlTable

# Every text field (KEY_en, KEY_ja) is the report's own words, found whole, except these
# stems, which may still quote it: a line they begin on is cited for them, and they need not be
# found (what a count counts, a participant's part, a programme's summary); nor need a text its
# basis gives to the curators (title_ja_basis = "curator").
LOOSE = frozenset(f"{stem}_{lang}" for stem in ("what", "part", "programme") for lang in ("en", "ja"))
TEXT_FIELD = re.compile(r"[a-z_]+_(en|ja)")
LIST_FIELDS = frozenset(("members_en", "members_ja", "aliases", "meeting_agenda_en", "meeting_agenda_ja"))
# A stored date (2023-03-03, 2023-03, 2019, FY2019, 199X), whatever its key: date, since, as_of...
STORED_DATE = re.compile(r"\d{4}(-\d\d){0,2}|FY\d{4}|\d{3}X")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
ERAS = ((2019, "令和"), (1989, "平成"), (1926, "昭和"))
ELLIPSIS = "…"
# A note's quotations of the report: 'ran for three years', ‘…’, 「2024年03月（予定）」, “…”.
QUOTED = re.compile(r"'([^']{3,})'|‘([^’]{3,})’|「([^」]{2,})」|“([^”]{3,})”")


class Value(NamedTuple):
    """One value of a record to find in the report: the field it is in, the text as the
    record holds it, and the ways the report may print it (any one of them will do)."""

    field: str
    text: str
    forms: tuple[str, ...]
    required: bool = True  # False: the archive's words, which justify a line they begin on
    shared: bool = False  # both texts print it: found in each language the record cites
    token: str = ""  # "anchor" (a date, a count) or "detail" (a time, a weekday): found whole, 23 not in 2023


def _era(year: int, suffix: str) -> list[str]:
    for start, era in ERAS:
        if year >= start:
            return [f"{era}{'元' if year == start else year - start + 1}{suffix}"]
    return []


def date_forms(stored: str) -> tuple[str, ...]:
    """The ways the report prints a stored date: 2023年3月3日, 3 March 2023, 28 March, 2022, March 3, 2023;
    2023年3月, March 2023, March of 2023, 同年3月, March of the same year; 2019, 令和元年;
    FY2019, 2019年度, 令和元年度 (and 2019: the English often gives a 年度 as its calendar
    year); 1990年代, 1990s."""
    if stored.startswith("FY"):
        year = int(stored[2:])
        return (f"{year}年度", f"FY{year}", *_era(year, "年度"), str(year))
    if stored.endswith("X"):
        return (f"{stored[:3]}0年代", f"{stored[:3]}0s")
    parts = [int(p) for p in stored.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return (f"{year}年", str(year), *_era(year, "年"))
    month, name = parts[1], MONTHS[parts[1] - 1]
    if len(parts) == 2:
        same_year = (f"同年{month}月", f"{name} of the same year")  # a year the sentence has just named
        return (f"{year}年{month}月", f"{year}年{month:02}月", f"{name} {year}", f"{name} of {year}", *same_year)
    day = parts[2]
    return (
        f"{year}年{month}月{day}日",
        f"{year}年{month:02}月{day:02}日",
        f"{day} {name} {year}",
        f"{day} {name}, {year}",
        f"{name} {day}, {year}",
    )


def fiscal_forms(year: int) -> tuple[str, ...]:
    """A 年度 as printed: FY 2021 (the English label), 2023年度, 令和5年度."""
    return (f"FY{year}", f"{year}年度", *_era(year, "年度"))


def time_forms(stored: str) -> tuple[str, ...]:
    """A time as printed: 17:30, and a span with its dash or wave dash: 17:30-20:00, 17：30〜20：00."""
    if "-" not in stored:
        return (stored,)
    start, end = stored.split("-")
    return tuple(f"{start}{dash}{end}" for dash in ("-", "〜", "~", "–"))


def _texts(table: TomlTable, prefix: str = "") -> Iterator[Value]:
    """The values of one table given as text: names, quotations, addresses, weekdays, times."""
    for key, value in table.items():
        field = prefix + key
        if key in LIST_FIELDS:
            yield from (Value(f"{field}[{i}]", item, (item,)) for i, item in enumerate(value))
        elif isinstance(value, str):
            found = _text(table, key, field, value, prefix)
            if found:
                yield found


def _text(table: TomlTable, key: str, field: str, value: str, prefix: str) -> Value | None:
    if key in ("weekday_ja", "weekday_en"):
        forms = (f"({value})", f"{value}曜") if key == "weekday_ja" else (value,)
        return Value(field, value, forms, token="detail")
    if key == "time":  # an event's time is in both texts; a programme prints a participant's once
        return Value(field, value, time_forms(value), shared=not prefix, token="detail")
    if key in ("email", "url"):  # on a line of its own, in neither language
        return Value(field, value, (value,))
    if not TEXT_FIELD.fullmatch(key):
        return None
    required = key not in LOOSE and table.get(f"{key}_basis") != "curator"
    return Value(field, value, (value,), required=required)


def values(table: TomlTable) -> list[Value]:
    """Every value of a record that comes from the report, with the ways it may be printed."""
    found = list(_texts(table))
    disputed = {d.get("field") for d in table.get("disagreements", ())}  # printed differently: in one text
    fiscal: tuple[str, ...] = ()
    if isinstance(table.get("fiscal_year"), int):  # the English labels it (FY 2021), the Japanese 2023年度末
        fiscal = fiscal_forms(table["fiscal_year"])
        found.append(Value("fiscal_year", str(table["fiscal_year"]), fiscal, token="anchor"))
    for key, stored in table.items():
        if key != "id" and isinstance(stored, str) and STORED_DATE.fullmatch(stored) and not TEXT_FIELD.fullmatch(key):
            forms = date_forms(stored) + (fiscal if key == "date" else ())
            found.append(Value(key, stored, forms, shared=key not in disputed, token="anchor"))
    found += _count(table.get("value"), disputed)
    for nested in ("participants", "forum_roles"):  # tables of a record, cited by it
        for i, part in enumerate(table.get(nested, ())):
            found += _texts(part, f"{nested}[{i}].")
    for quoted in QUOTED.findall(table.get("note", "")):
        text = next(q for q in quoted if q)
        found.append(Value("note", text, (text,), required=False))
    found += _readings(table.get("disagreements", ()))
    return found


def _count(number: object, disputed: set[object]) -> list[Value]:
    """A count's value (`value`), as a number and in words where the report writes it so
    (five partners)."""
    if not isinstance(number, int | float) or isinstance(number, bool):
        return []
    whole = float(number).is_integer()
    shown = str(int(number)) if whole else str(number)
    words = (NUMBERS[int(number) - 1],) if whole and 1 <= number <= len(NUMBERS) else ()
    return [Value("value", shown, (shown, *words), shared="value" not in disputed, token="anchor")]


def _readings(disagreements: list[TomlTable]) -> list[Value]:
    """Each reading of a disagreement, in each language: the report prints both."""
    return [
        Value(f"disagreements[{i}].{lang}", reading[lang], (reading[lang],))
        for i, reading in enumerate(disagreements)
        for lang in ("en", "ja")
        if isinstance(reading.get(lang), str)
    ]
