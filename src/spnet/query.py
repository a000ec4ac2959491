"""Pure functions over an Archive: name resolution, filters and search.

Each listing query returns rows: dicts keyed by the stable field names that JSON, CSV,
TSV and plain output carry (documented in README). Rendering is render.py's job.
"""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from spnet.dates import DateSpan
from spnet.errors import UsageError
from spnet.models import Archive, Bilingual, Contact, Event, PartialDate, Partner, Person, University, UniversityName
from spnet.store import EVENT_KINDS, PARTNER_KINDS

Row = dict[str, Any]


# ------------------------------------------------------------------ text matching
def fold(text: str) -> str:
    """Case- and width-insensitive form: NFKC, then casefold, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _resolve(what: str, typed: str, ids: Collection[str], names: Callable[[], dict[str, list[str]]]) -> str:
    """Pick one of `ids`; `names()` gives every id's names (id -> names it answers to).

    An id wins; else an exact match of any name; else a unique substring match; otherwise
    an error that lists the candidates (exit 2). Names are only gathered when the typed
    text is not an id: in a large archive that is most of the work.
    """
    key = fold(typed)
    if not key:
        raise UsageError(f"empty {what} name")
    if key in ids:  # an id is unique: it wins over names that several share
        return key
    candidates = names()
    exact = [cid for cid, ns in candidates.items() if key in (fold(n) for n in ns)]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [cid for cid, ns in candidates.items() if any(key in fold(n) for n in ns)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise UsageError(f"ambiguous {what} {typed!r}: did you mean {_some(partial)}?")
    folded = {fold(n): cid for cid, ns in candidates.items() for n in ns}
    close = difflib.get_close_matches(key, list(folded), n=3, cutoff=0.6)
    hint = sorted({folded[c] for c in close}) or list(candidates)
    raise UsageError(f"unknown {what} {typed!r}: did you mean {_some(hint)}?")


def _some(ids: Sequence[str], most: int = 8) -> str:
    """A readable list of candidates: the first few, and how many more."""
    shown = ", ".join(ids[:most])
    return f"{shown} (and {len(ids) - most} more)" if len(ids) > most else shown


def _university_names(u: University | UniversityName) -> list[str]:
    names = [u.id, *u.aliases]
    for n in (u.name.en, u.name.ja):
        if n:
            names.append(n)
    if u.name.en:
        short = u.name.en.removeprefix("The ").removeprefix("University of ").removesuffix(" University")
        names.append(short)
    if u.name.ja:
        names.append(u.name.ja.removesuffix("大学"))
    return names


def resolve_university(archive: Archive, typed: str) -> str:
    """`kyoto`, `Kyoto University`, `京都大学`, `京都` -> "kyoto"."""
    heads = archive.index.university_names
    return _resolve("university", typed, {u.id for u in heads}, lambda: {u.id: _university_names(u) for u in heads})


def resolve_country(archive: Archive, typed: str) -> str:
    """`gb`, `UK`, `英国` -> "gb"."""
    countries = archive.countries
    return _resolve(
        "country",
        typed,
        {c.id for c in countries},
        lambda: {c.id: [c.id, *(n for n in (c.name.en, c.name.ja) if n)] for c in countries},
    )


def resolve_choice(what: str, typed: str, choices: Sequence[str]) -> str:
    """A kind: exact, or a unique prefix/substring (`strategic` -> strategic-partner)."""
    return _resolve(what, typed, choices, lambda: {c: [c] for c in choices})


# ------------------------------------------------------------------ helpers
def _date_in(date: PartialDate, span: DateSpan | None) -> bool:
    return span is None or span.overlaps(date.first_day(), date.last_day())


def _country_name(archive: Archive, cid: str | None) -> Bilingual:
    for c in archive.countries:
        if c.id == cid:
            return c.name
    return Bilingual()


# ------------------------------------------------------------------ listings
def universities(archive: Archive) -> list[Row]:
    counts = archive.index.partner_counts
    return [
        {
            "id": u.id,
            "name_en": u.name.en,
            "name_ja": u.name.ja,
            "managing": u.managing,
            "scheme_en": u.scheme.en,
            "scheme_ja": u.scheme.ja,
            "partners": counts.get(u.id, 0),
        }
        for u in archive.universities
    ]


def partners(
    archive: Archive,
    *,
    university: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    since: DateSpan | None = None,
) -> list[Row]:
    """Partners, filtered. `since` keeps those whose relation began in or after the span's start."""
    uid = resolve_university(archive, university) if university else None
    cid = resolve_country(archive, country) if country else None
    k = resolve_choice("partner kind", kind, PARTNER_KINDS) if kind else None
    rows = []
    for p in archive.partners_of(uid) if uid else archive.partners:
        if cid and p.country != cid or k and p.kind != k:
            continue
        if since and (p.since is None or p.since.last_day() < since.start):
            continue
        rows.append(partner_row(archive, p))
    return rows


def partner_row(archive: Archive, p: Partner) -> Row:
    country = _country_name(archive, p.country)
    return {
        "id": p.id,
        "university": p.university,
        "name_en": p.name.en,
        "name_ja": p.name.ja,
        "country": p.country,
        "country_en": country.en,
        "country_ja": country.ja,
        "kind": p.kind,
        "since": p.since.iso() if p.since else None,
    }


def events(
    archive: Archive,
    *,
    university: str | None = None,
    span: DateSpan | None = None,
    kinds: Iterable[str] = (),
    today: dt.date | None = None,
    upcoming: bool = False,
    past: bool = False,
) -> list[Event]:
    """Events in date order. An event is in a span when its own span of days overlaps it."""
    uid = resolve_university(archive, university) if university else None
    wanted = {resolve_choice("event kind", k, EVENT_KINDS) for k in kinds}
    out = []
    candidates = archive.events_between(span.start.year, span.end.year) if span else archive.events
    for e in candidates:
        if uid and e.university != uid and uid not in e.universities:
            continue
        if wanted and e.kind not in wanted:
            continue
        if not _date_in(e.date, span):
            continue
        if today is not None and upcoming and e.date.last_day() < today:
            continue
        if today is not None and past and e.date.last_day() >= today:
            continue
        out.append(e)
    return out


def event_row(e: Event) -> Row:
    return {
        "id": e.id,
        "date": e.date.iso(),
        "tentative": e.tentative,
        "kind": e.kind,
        "number": e.number,
        "title_en": e.title.en,
        "title_ja": e.title.ja,
        "university": e.university,
    }


def timeline(archive: Archive, **filters: Any) -> list[Row]:
    return [event_row(e) for e in events(archive, **filters)]


def meetings(archive: Archive, *, span: DateSpan | None = None) -> list[Row]:
    return [
        {
            **event_row(e),
            "weekday_en": e.weekday.en,
            "weekday_ja": e.weekday.ja,
            "theme_en": e.theme.en,
            "theme_ja": e.theme.ja,
        }
        for e in events(archive, kinds=["meeting"], span=span)
    ]


def symposia(archive: Archive, *, span: DateSpan | None = None) -> list[Row]:
    people = {p.id: p for p in archive.people}
    links = {lk.id: lk for lk in archive.links}
    rows = []
    for e in events(archive, kinds=["symposium"], span=span):
        keynotes = [people[p.person] for p in e.participants if (p.part.en or "").startswith("keynote")]
        reports = [links[i].url for i in e.links if i.endswith("-report")]
        rows.append(
            {
                **event_row(e),
                "time": e.time,
                "theme_en": e.theme.en,
                "theme_ja": e.theme.ja,
                "keynotes_en": "; ".join(p.name.en or p.name.ja or "" for p in keynotes),
                "keynotes_ja": "; ".join(p.name.ja or p.name.en or "" for p in keynotes),
                "report_url": reports[0] if reports else None,
            }
        )
    return rows


def contacts(archive: Archive, *, university: str | None = None) -> list[Row]:
    """The contact points, then every named person, for one university or all."""
    uid = resolve_university(archive, university) if university else None

    def row(record: Contact | Person, kind: str, affiliation: Bilingual, role: Bilingual, email: str | None) -> Row:
        return {
            "id": record.id,
            "type": kind,
            "name_en": record.name.en,
            "name_ja": record.name.ja,
            "affiliation_en": affiliation.en,
            "affiliation_ja": affiliation.ja,
            "role_en": role.en,
            "role_ja": role.ja,
            "email": email,
            "url": None,  # the report gives no address for a contact or a person
            "university": record.university,
        }

    rows = [
        row(
            c,
            "contact",
            Bilingual(
                ", ".join(x for x in (c.department.en, c.affiliation.en) if x) or None,
                " ".join(x for x in (c.affiliation.ja, c.department.ja) if x) or None,
            ),
            c.purpose,
            c.email,
        )
        for c in archive.contacts
        if not uid or c.university == uid
    ]
    rows += [
        row(
            p,
            "person",
            p.affiliation,
            Bilingual(", ".join(x for x in (p.title_en, p.role.en) if x) or None, p.role.ja),
            None,
        )
        for p in archive.people
        if not uid or p.university == uid
    ]
    return rows


def links(archive: Archive) -> list[Row]:
    return [
        {
            "id": lk.id,
            "url": lk.url,
            "about_en": lk.about.en,
            "about_ja": lk.about.ja,
            "cited_in": lk.cited_in,
            "event": lk.event,
        }
        for lk in archive.links
    ]


def countries(archive: Archive) -> list[Row]:
    return [{"id": c.id, "name_en": c.name.en, "name_ja": c.name.ja} for c in archive.countries]


def stats(archive: Archive) -> list[Row]:
    """Counts: partners by country, kind and decade begun; events by year. Unknown stays unknown."""
    rows: list[Row] = []

    def add(measure: str, counts: dict[str, int]) -> None:
        rows.extend({"measure": measure, "value": k, "count": n} for k, n in counts.items())

    def tally(keys: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for k in keys:
            out[k] = out.get(k, 0) + 1
        return out

    unknown = "(not stated)"
    names = {c.id: c.name.en or c.id for c in archive.countries}
    by_country = tally(names[p.country] if p.country else unknown for p in archive.partners)
    add("partners by country", dict(sorted(by_country.items(), key=lambda kv: (kv[0] == unknown, -kv[1], kv[0]))))
    add("partners by kind", dict(sorted(tally(p.kind for p in archive.partners).items(), key=lambda kv: -kv[1])))
    decades = tally(f"{p.since.year // 10 * 10}s" if p.since else unknown for p in archive.partners)
    add("partners by decade begun", dict(sorted(decades.items())))
    years = tally(e.date.display() if e.date.decade else str(e.date.year) for e in archive.events)
    add("events by year", dict(sorted(years.items())))
    return rows


# ------------------------------------------------------------------ one record, search
def _kind_of(record: Any) -> str:
    return type(record).__name__.lower()


def all_records(archive: Archive) -> Iterable[Any]:
    yield from archive.universities
    yield from archive.partners
    yield from archive.events
    yield from archive.people
    yield from archive.contacts
    yield from archive.links
    yield from archive.countries


def find_record(archive: Archive, rid: str) -> Any:
    """The record with this id, of any kind; unknown ids exit 2 with close matches."""
    records = {r.id: r for r in all_records(archive)}
    if rid in records:
        return records[rid]
    close = difflib.get_close_matches(rid, list(records), n=5, cutoff=0.5)
    hint = f": did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"no record with id {rid!r}{hint}")


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A record as (field path, value) pairs, Bilingual split into _en/_ja, None left out."""
    if isinstance(value, PartialDate):
        return [(prefix, value.iso())]
    if isinstance(value, Bilingual):
        return [(f"{prefix}_{lang}", v) for lang, v in (("en", value.en), ("ja", value.ja)) if v is not None]
    if hasattr(type(value), "_fields"):  # a record (a named tuple)
        out: list[tuple[str, Any]] = []
        for name, item in zip(value._fields, value, strict=True):
            out += flatten(item, f"{prefix}.{name}" if prefix else name)
        return out
    if isinstance(value, tuple):
        if all(isinstance(v, str | int) for v in value):
            return [(prefix, ", ".join(str(v) for v in value))] if value else []
        out = []
        for i, v in enumerate(value):
            out += flatten(v, f"{prefix}[{i}]")
        return out
    if value is None or value == "":
        return []
    return [(prefix, value)]


def card(archive: Archive, record: Any) -> list[tuple[str, Any]]:
    """One record as (field, value) pairs, with what refers to it or it refers to by name:
    the people of an event, the events of a partner or a person, a university's records."""
    pairs: list[tuple[str, Any]] = [("record", _kind_of(record)), *flatten(record)]
    people = {p.id: p for p in archive.people}
    rid = record.id
    if isinstance(record, Event):  # each participant's name right after their id
        named: list[tuple[str, Any]] = []
        for key, value in pairs:
            named.append((key, value))
            if key.startswith("participants[") and key.endswith("].person"):
                name = people[value].name
                named += [
                    (f"{key[: -len('person')]}name_{lang}", n) for lang, n in (("en", name.en), ("ja", name.ja)) if n
                ]
        pairs = named
    mentioned_in = [
        e.id
        for e in archive.events
        if rid in e.partners or rid in e.universities or any(p.person == rid for p in e.participants)
    ]
    if isinstance(record, University):
        mentioned_in = [e.id for e in archive.events if e.university == rid or rid in e.universities]
        pairs.append(("partners", ", ".join(p.id for p in archive.partners if p.university == rid)))
        pairs.append(("people", ", ".join(p.id for p in archive.people if p.university == rid)))
    if mentioned_in:
        pairs.append(("events", ", ".join(mentioned_in)))
    return [(k, v) for k, v in pairs if v not in ("", None)]


def search(archive: Archive, text: str) -> list[Row]:
    """Every record with a field containing `text` (NFKC, case-insensitive), one row per field."""
    key = fold(text)
    if not key:
        raise UsageError("empty search text")
    rows = []
    for record in all_records(archive):
        name = getattr(record, "name", None) or getattr(record, "title", None) or Bilingual()
        for path, value in flatten(record):
            if isinstance(value, str) and key in fold(value):
                rows.append(
                    {
                        "kind": _kind_of(record),
                        "id": record.id,
                        "name_en": name.en,
                        "name_ja": name.ja,
                        "field": path,
                        "value": value,
                    }
                )
    return rows
