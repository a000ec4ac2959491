"""Checks across records: references between them, printed weekdays, and the
disagreements between the Japanese and English texts."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from spnet.archive import bases
from spnet.archive.kinds import covering
from spnet.archive.schema import Problems, Raw
from spnet.i18n import N_
from spnet.models import Contact, Event, Link, Partner, Person, Project, Record, disagreements_of
from spnet.partialdate import WEEKDAYS_EN, WEEKDAYS_JA

# ------------------------------------------------------------------ cross-checks
_EN_DATE = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{1,2}) ([A-Z][a-z]+),? (\d{4})"
# English month names, as the report prints them (strptime's %B would follow the locale,
# and its import would be paid by every reading of the files).
_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_JA_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日（(.)）"


def _printed_weekday_problems(text: str) -> list[tuple[str, str, str]]:
    """Dates printed with a weekday in `text` whose weekday is not the calendar's: (the
    weekday as printed, the date, the calendar's weekday in English)."""
    out = []
    for wd, day, month, year in re.findall(_EN_DATE, text):
        try:
            d = dt.date(int(year), _MONTHS.index(month) + 1, int(day))
        except ValueError:  # not a month's name, or no such day
            continue
        if WEEKDAYS_EN[d.weekday()] != wd:
            out.append((wd, d.isoformat(), WEEKDAYS_EN[d.weekday()]))
    for year, month, day, wd in re.findall(_JA_DATE, text):
        try:
            d = dt.date(int(year), int(month), int(day))
        except ValueError:
            continue
        if WEEKDAYS_JA[d.weekday()] != wd:
            out.append((wd, d.isoformat(), WEEKDAYS_EN[d.weekday()]))
    return out


Reference = tuple[str, str, str, str | None]


def _partner_refs(p: Partner) -> list[Reference]:
    out: list[Reference] = []
    if p.country is not None:
        out.append(("country", p.country, "country", None))
    if p.consortium is not None:
        out.append(("consortium", p.consortium, "partner", p.university))
    return out


def _event_refs(e: Event) -> list[Reference]:
    return [
        *(("university", uid, "university", None) for uid in e.universities),
        *(("partner", pid, "partner", None) for pid in e.partners),
        *(("link", lid, "link", None) for lid in e.links),
        *(("person", p.person, "person", None) for p in e.participants),
    ]


def _university_of(r: Person | Contact) -> list[Reference]:
    return [] if r.university is None else [("university", r.university, "university", None)]


def _project_refs(p: Project) -> list[Reference]:
    return [("forum_roles.university", r.university, "university", None) for r in p.forum_roles if r.university]


def _link_refs(lk: Link) -> list[Reference]:
    return [] if lk.event is None else [("event", lk.event, "event", None)]


def _nothing(_r: Record) -> list[Reference]:
    return []


# What a record of each kind names: (key, id, kind of record it must be, and for a
# consortium the university it must belong to). A table per kind: each function takes its
# kind's record type, which a mapping by name cannot say.
_NAMED: Mapping[str, Callable[[Any], list[Reference]]] = covering(
    {
        "project": _project_refs,
        "university": _nothing,
        "count": _nothing,
        "partner": _partner_refs,
        "event": _event_refs,
        "person": _university_of,
        "contact": _university_of,
        "link": _link_refs,
        "country": _nothing,
    }
)


def references(kind: str, model: Record) -> list[Reference]:
    """What one record names: (key, id, kind of record it must be, and for a consortium
    the university it must belong to)."""
    return _NAMED[kind](model)


def check_record(raw: Raw, model: Record, problems: Problems) -> None:
    """The checks of one record that need no other: an event's weekday and number, what its
    bases claim (bases.py), and the disagreements between its Japanese and English texts."""
    if isinstance(model, Event):
        _event(raw, model, problems)
    bases.evidence(raw, problems)
    _disagreements(raw, model, problems)


# Each id defined again after its first definition; each reference to no record of its
# kind, and each consortium of another university: over the ids and references of every
# file in the index (index.py), in the order of the files and of their records.
_FIRST = (
    "SELECT {column} FROM defines f JOIN files ff ON ff.rowid = f.file WHERE {where} ORDER BY ff.pos, f.ord LIMIT 1"
)
# The first definition of each id is kept in a dict as the rows go by, in one pass: a
# subquery for it, row by row, took 13 s over 8,000 copies of one id (bench/duplicates.py).
_DUPLICATES = """
SELECT d.place, d.id FROM defines d JOIN files ON files.rowid = d.file
WHERE d.id IN (SELECT id FROM defines GROUP BY id HAVING count(*) > 1)
ORDER BY files.pos, d.ord
"""
_REFERENCES = f"""
SELECT files.pos, r.ord, 0, r.place, r.key, r.id, r.kind FROM refs r JOIN files ON files.rowid = r.file
WHERE NOT EXISTS (SELECT 1 FROM defines d WHERE d.id = r.id AND d.kind = r.kind)
UNION ALL
SELECT files.pos, r.ord, 1, r.place, r.key, r.id, r.kind FROM refs r JOIN files ON files.rowid = r.file
WHERE r.university IS NOT NULL
  AND r.university IS NOT ({_FIRST.format(column="f.university", where="f.id = r.id AND f.kind = 'partner'")})
  AND EXISTS (SELECT 1 FROM defines d WHERE d.id = r.id AND d.kind = 'partner')
ORDER BY 1, 2, 3
"""


def cross_check(
    db: sqlite3.Connection,
    project: tuple[str, Project] | None,
    university_files: dict[str, str],
    problems: Problems,
) -> None:
    """Every check that needs more than one file, over the index's ids and references
    (the tables `defines` and `refs`); each problem names its record."""
    first: dict[str, str] = {}
    for place, rid in db.execute(_DUPLICATES):
        if rid in first:
            problems.error(place, "duplicate id {id!r} (also in {other})", id=rid, other=first[rid])
        else:
            first[rid] = place
    if project is not None:
        where, proj = project
        known = {uid for (uid,) in db.execute("SELECT id FROM defines WHERE kind = 'university'")}
        named = (proj.managing, *proj.members)
        for uid in named:
            if uid not in known:
                problems.error(where, "university {id!r} has no file universities/{id}.toml", id=uid)
        in_project = set(named)  # looked up once per university file: a tuple made it quadratic
        for uid, shown in university_files.items():
            if uid not in in_project:
                problems.error(
                    shown, "university {id!r} is neither the managing university nor a member in project.toml", id=uid
                )
    for _pos, _ord, belongs, place, key, value, kind in db.execute(_REFERENCES):
        if belongs:
            problems.error(place, "consortium {id!r} belongs to another university", id=value)
        else:
            problems.error(place, "{key} {value!r} is not a known {kind}", key=key, value=value, kind=kind)


# `side` (English, Japanese) and `weekday` (the calendar's, in English) are spnet's words:
# shown in the reader's language (models.Problem); `printed` is the report's, as printed.
_WRONG_WEEKDAY = N_("the {side} text prints the weekday {printed}, but {date} is a {weekday}")


def _event(raw: Raw, model: Event, problems: Problems) -> None:
    if model.weekday and model.date.precision != "day":
        problems.error(raw.where, "a weekday is given but the date has no day")
    day = model.date.first_day()
    for side, printed in model.misprinted_weekdays():
        calendar = WEEKDAYS_EN[day.weekday()]
        problems.warn(raw.where, _WRONG_WEEKDAY, side=side, printed=printed, date=day.isoformat(), weekday=calendar)
    if model.kind == "meeting" and model.number is None:
        problems.error(raw.where, "a meeting needs its number")
    _fiscal_year(raw, model, problems)
    _title(raw, model, problems)


def _title(raw: Raw, model: Event, problems: Problems) -> None:
    """Each referent names a word of the Japanese title and whom it means: 本学=早大 (a
    title's basis is checked with every other basis: bases.py)."""
    for pair in model.title_ja_referents:
        word, sep, who = pair.partition("=")
        if not (sep and word and who) or word not in (model.title.ja or ""):
            problems.error(raw.where, "referent {pair!r} is not WORD=WHOM with WORD in the Japanese title", pair=pair)


def _fiscal_year(raw: Raw, model: Event, problems: Problems) -> None:
    """`fiscal_year` names the 年度 (April to March) the date falls in; a date known only to
    its calendar year falls in two, so the report's 「2014年度」 is written date = "FY2014"."""
    stated = raw.table.get("fiscal_year")
    if stated is None:
        return
    date = model.date
    if date.fiscal_year is None:  # a year or a decade
        problems.error(
            raw.where,
            'fiscal_year {fy} with a date known only to its year or decade: write the 年度 as date = "FY{fy}"',
            fy=stated,
        )
        return
    actual = date.fiscal_year
    if actual != stated:
        problems.error(
            raw.where,
            "fiscal_year {fy} disagrees with the date {date}, which is in FY{actual}",
            fy=stated,
            date=date.iso(),
            actual=actual,
        )


def _disagreements(raw: Raw, model: Record, problems: Problems) -> None:
    for d in disagreements_of(model):
        held = {
            "ja": N_("Japanese and English disagree on {field}: JA {ja!r} / EN {en!r}; holds ja: {reason}"),
            "en": N_("Japanese and English disagree on {field}: JA {ja!r} / EN {en!r}; holds en: {reason}"),
        }
        undecided = N_(
            "Japanese and English disagree on {field}: JA {ja!r} / EN {en!r}; holds the Japanese (undecided): {reason}"
        )
        problems.warn(raw.where, held.get(d.held, undecided), field=d.field, ja=d.ja, en=d.en, reason=d.reason)
        # The held side's weekday is checked with the event's own date above.
        side, text = ("Japanese", d.ja) if d.held == "en" else ("English", d.en)
        for printed, date, weekday in _printed_weekday_problems(text):
            problems.warn(raw.where, _WRONG_WEEKDAY, side=side, printed=printed, date=date, weekday=weekday)
