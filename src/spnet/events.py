"""The events' listings (timeline, meetings, symposia) and which events a filter chooses:
by university, kind, span of dates, and today (upcoming, past). Pure functions over an
Archive; each row as query.py's, with the same trailing fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from spnet.archive.fields import disputed
from spnet.archive.schema import EVENT_KINDS
from spnet.collection import Archive
from spnet.dates import DateSpan
from spnet.i18n import _
from spnet.models import Event, Row
from spnet.names import resolve_choice, resolve_universities
from spnet.partialdate import PartialDate
from spnet.query import cited_lines, days

# The fields of an event every listing shows, on which a disagreement of the texts marks it.
SHOWN = ("date", "title", "kind", "number")


def _in(date: PartialDate, span: DateSpan | None) -> bool:
    """Whether the days a date can mean overlap the span (any date, with no span)."""
    return span is None or span.overlaps(date.first_day(), date.last_day())


def chosen(
    archive: Archive,
    *,
    universities: Iterable[str] = (),
    span: DateSpan | None = None,
    kinds: Iterable[str] = (),
    today: dt.date | None = None,
    upcoming: bool = False,
    past: bool = False,
) -> list[Event]:
    """Events in date order. An event is in a span when its own span of days overlaps it."""
    uids = resolve_universities(archive, universities)
    wanted = {resolve_choice(_("event kind"), k, EVENT_KINDS) for k in kinds}

    def keep(values: tuple[Any, ...]) -> bool:
        """Chosen by its kind and date, before the event is read whole."""
        kind: str
        date: PartialDate
        kind, date = values
        if wanted and kind not in wanted or not _in(date, span):
            return False
        if today is not None and upcoming and date.last_day() < today:
            return False
        return not (today is not None and past and date.last_day() >= today)

    # A few of many, chosen by their rows alone, and only those read whole.
    chosen = (("kind", "date"), keep) if wanted or today is not None and (upcoming or past) else None
    if len(uids) == 1:  # one university's: those that name it or its file holds, in date order
        found = archive.events_naming(next(iter(uids)))
    elif span:
        found = archive.events_between(span.start.year, span.end.year, chosen)
    else:
        found = archive.events if chosen is None else archive.chosen("events", *chosen)
    # Its universities are a list, which the event's own row does not hold.
    named = [e for e in found if not uids or e.concerns(uids)]
    return [e for e in named if keep((e.kind, e.date))]


def project_years(archive: Archive) -> tuple[int, int] | None:
    """The calendar years of the project's own events (its survey, meetings, symposia and
    workshop: every kind but a milestone, which may be a university's or the world's, of
    any year), or None where the archive holds none."""
    own = [date for what, date in archive.fields("events", ("kind", "date")) if what != "milestone"]
    if not own:
        return None
    return min(d.first_day().year for d in own), max(d.last_day().year for d in own)


def row(e: Event, shown: Collection[str] = SHOWN) -> Row:
    return {
        "id": e.id,
        "date": e.date,
        "onward": e.onward,
        "tentative": e.tentative,
        "kind": e.kind,
        "number": e.number,
        "title_en": e.title.en,
        "title_ja": e.title.ja,
        "title_en_basis": e.title_en_basis,
        "title_ja_basis": e.title_ja_basis,
        "title_ja_referents": "; ".join(e.title_ja_referents) or None,
        "university": e.university,
        "weekday_misprinted": bool(e.misprinted_weekdays()),
        **days("date", e.date),
        **disputed(e, shown),
        **cited_lines(e),
    }


def timeline(archive: Archive, *, universities: Iterable[str] = (), span: DateSpan | None = None) -> list[Row]:
    """The export's events: those of these universities (any, with none) in the span."""
    return [row(e) for e in chosen(archive, universities=universities, span=span)]


def meetings(archive: Archive, *, span: DateSpan | None = None) -> list[Row]:
    return [
        {
            **row(e, (*SHOWN, "weekday", "theme")),
            "weekday_en": e.weekday.en,
            "weekday_ja": e.weekday.ja,
            "theme_en": e.theme.en,
            "theme_ja": e.theme.ja,
        }
        for e in chosen(archive, kinds=["meeting"], span=span)
    ]


def symposia(archive: Archive, *, span: DateSpan | None = None) -> list[Row]:
    people = {p.id: p for p in archive.people}
    links = {lk.id: lk for lk in archive.links}
    rows = []
    for e in chosen(archive, kinds=["symposium"], span=span):
        keynotes = [people[p.person] for p in e.participants if (p.part.en or "").startswith("keynote")]
        reports = [links[i].url for i in e.links if i.endswith("-report")]
        rows.append(
            {
                **row(e, (*SHOWN, "time", "theme", "keynotes")),
                "time": e.time,
                "theme_en": e.theme.en,
                "theme_ja": e.theme.ja,
                "keynotes_en": "; ".join(p.name.en or p.name.ja or "" for p in keynotes),
                "keynotes_ja": "; ".join(p.name.ja or p.name.en or "" for p in keynotes),
                "report_url": reports[0] if reports else None,
            }
        )
    return rows
