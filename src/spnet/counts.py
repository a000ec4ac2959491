"""What `spnet stats` counts: partners by country, kind, decade begun and year designated,
institutions, and events by year or 年度 (unknown stays unknown); and what `spnet check`
counts of the curators' additions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

from spnet import glossary
from spnet.collection import Archive
from spnet.dates import fiscal_year_label, format_date
from spnet.models import Row
from spnet.partialdate import PartialDate

# One measure: its name (a key of glossary.MEASURES), each value's count in the order
# shown, and the values' Japanese where it is not the value itself.
Measure = tuple[str, dict[str, int], dict[str, str]]
UNKNOWN = glossary.NOT_STATED.en


def stats(archive: Archive, *, fiscal: bool = False) -> list[Row]:
    """Counts: partners by country, kind, decade begun and year designated; events by year,
    or by 年度 with `fiscal`; each measure and value in Japanese too (a country by its
    Japanese name, a measure and spnet's own values in the glossary's words)."""
    measures = [*_partner_measures(archive), _event_measure(archive, fiscal=fiscal)]
    not_stated = {UNKNOWN: glossary.NOT_STATED.ja}
    return [
        {
            "measure": measure,
            "value": value,
            "count": count,
            "measure_ja": glossary.MEASURES[measure].ja,
            "value_ja": (not_stated | ja).get(value, value),
        }
        for measure, counts, ja in measures
        for value, count in counts.items()
    ]


def _by_count(counts: Counter[str]) -> dict[str, int]:
    """Most first, unknown last, ties by name."""
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == UNKNOWN, -kv[1], kv[0])))


class _Counted(NamedTuple):
    """The fields of a partner that stats counts (models.Partner's), read from each
    record's own row: not the records."""

    country: str | None
    country_basis: str | None
    kind: str
    since: PartialDate | None
    designated: PartialDate | None


def _partner_measures(archive: Archive) -> Iterator[Measure]:
    partners = [_Counted._make(values) for values in archive.fields("partners", _Counted._fields)]
    yield from _country_measures(archive, partners)
    kinds = Counter(p.kind for p in partners)
    yield "partners by kind", dict(kinds.most_common()), {k: t.ja for k, t in glossary.VALUES.items()}
    members = archive.member_universities()
    institutions = {"all": len(members), "partner of two or more": sum(len(u) > 1 for u in members.values())}
    yield "institutions", institutions, {k: t.ja for k, t in glossary.MEASURES.items()}
    decades = Counter(f"{p.since.year // 10 * 10}s" if p.since else UNKNOWN for p in partners)
    decades_ja = {d: glossary.DECADE.ja.format(d[:-1]) for d in decades if d != UNKNOWN}
    yield "partners by decade begun", dict(sorted(decades.items())), decades_ja
    years = {str(p.designated.year): PartialDate(p.designated.year) for p in partners if p.designated}
    designations = Counter(str(p.designated.year) if p.designated else UNKNOWN for p in partners)
    designations_ja = {key: format_date(year, "ja") for key, year in years.items()}
    yield "partners by year designated", dict(sorted(designations.items())), designations_ja


def _country_measures(archive: Archive, partners: list[_Counted]) -> Iterator[Measure]:
    """Partners by the report's countries, and apart, by those the curators added: nothing
    curated passes for the report's."""
    names = {c.id: c.name for c in archive.countries}
    in_japanese: dict[str, str] = {}  # of the countries counted only: two may share an English name
    stated, curated = Counter[str](), Counter[str]()
    for p in partners:
        if cid := p.country:
            shown = names[cid].en or cid
            in_japanese[shown] = names[cid].ja or shown
            (curated if p.country_basis == "curator" else stated)[shown] += 1
    stated[UNKNOWN] = len(partners) - stated.total()  # the report gives no country: the curators may have
    yield "partners by country", _by_count(stated), in_japanese
    yield "partners by country, the curators' additions", _by_count(curated), in_japanese


def _event_measure(archive: Archive, *, fiscal: bool) -> Measure:
    """Events by year, or by 年度: in time order (year 2 before 1960, which sorting the text
    would not give; 2019 (a year) before FY2019 before 2020), as timeline groups them.
    An event known only to its year or decade cannot be put in one 年度: it is counted
    under that year or decade, as it was given."""
    keys: list[str] = []
    begins: dict[str, dt.date] = {}
    ja: dict[str, str] = {}
    date: PartialDate
    for (date,) in archive.fields("events", ("date",)):
        fy = date.fiscal_year if fiscal else None
        if fy is not None:
            key, ja[key], begins[key] = fiscal_year_label(fy, "en"), fiscal_year_label(fy, "ja"), dt.date(fy, 4, 1)
        elif fiscal or date.decade or date.fiscal:
            key = date.display()
            ja[key], begins[key] = format_date(date, "ja"), date.first_day()
        else:
            key = str(date.year)
            ja[key], begins[key] = format_date(PartialDate(date.year), "ja"), dt.date(date.year, 1, 1)
        keys.append(key)
    counts = dict(sorted(Counter(keys).items(), key=lambda kv: (begins[kv[0]], kv[0])))
    return ("events by fiscal year" if fiscal else "events by year"), counts, ja


def curated(archive: Archive) -> dict[str, int]:
    """How many values the archive's curators added (the report does not give them)."""
    sizes = archive.index.sizes  # counted when the archive was read: no piece is loaded here
    return {
        "partner countries": sizes["curated partner countries"],
        "countries": sizes["curated countries"],
        "short names": sizes["curated short names"],
        "titles": sizes["curated titles"],
        "referents": sizes["curated referents"],
    }
