"""The archive as a whole (Archive): its index, and its pieces read when first asked for,
from memory after a scan or from the cache's index. No I/O here: what reads the pieces
is handed to it (Pieces)."""

import functools
from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

from spnet.models import (
    ArchiveIndex,
    Contact,
    Country,
    Event,
    Field,
    Identified,
    Link,
    Partner,
    Person,
    Problem,
    Project,
    University,
)

# What chooses records by some of their fields (Archive.chosen): their values, in the order asked for.
Keep = Callable[[tuple[Any, ...]], bool]


class Pieces(Protocol):
    """What gives an archive its pieces (archive/pieces.py): the records of a piece by its
    name, and those of a piece that some of their fields choose."""

    def __call__(self, name: str) -> tuple[Any, ...]: ...

    def chosen(self, name: str, fields: tuple[str, ...], keep: Keep) -> tuple[Any, ...]: ...


class Archive:
    """Everything in data/, validated. Records keep the order of the files; events are in
    date order.

    The parts a query does not use are never read: `load(name)` gives a piece of the
    archive when it is first asked for (from memory after a scan, or from the cache file),
    so one university's partners or one year's events cost what they hold, not what the
    whole archive holds.
    """

    def __init__(self, index: ArchiveIndex, load: Pieces) -> None:
        self.index = index
        self._load = load
        self._pieces: dict[str, tuple[Any, ...]] = {}
        # A full-text search of the index (each typed word's forms -> the fields of the
        # records that may hold them), when the archive came from one; None when it
        # answered nothing, and search looks itself.
        self.search: Callable[[list[list[tuple[str, str]]]], Sequence[Field] | None] | None = None

    def piece(self, name: str) -> tuple[Any, ...]:
        if name not in self._pieces:
            self._pieces[name] = self._load(name)
        return self._pieces[name]

    @property
    def project(self) -> Project:
        return self.index.project

    @property
    def countries(self) -> tuple[Country, ...]:
        return self.index.countries

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.piece("warnings")

    @property
    def universities(self) -> tuple[University, ...]:
        return self.piece("universities")

    @property
    def people(self) -> tuple[Person, ...]:
        return self.piece("people")

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return self.piece("contacts")

    @property
    def links(self) -> tuple[Link, ...]:
        return self.piece("links")

    def partners_of(self, university: str) -> tuple[Partner, ...]:
        return self.piece(f"partners/{university}") if university in self.index.partner_counts else ()

    @functools.cached_property
    def partners(self) -> tuple[Partner, ...]:
        return tuple(p for uid in self.index.partner_counts for p in self.partners_of(uid))

    def events_between(
        self,
        first_year: int | None = None,
        last_year: int | None = None,
        chosen: tuple[tuple[str, ...], Keep] | None = None,
    ) -> tuple[Event, ...]:
        """In date order, every event whose dates overlap the years first_year..last_year;
        those that `chosen` (fields, keep: Archive.chosen) takes."""
        out: list[Event] = []
        seen: set[str] = set()
        for year in self.index.event_years:
            if (first_year is None or year >= first_year) and (last_year is None or year <= last_year):
                # Each year's events are in date order, and an event not in an earlier
                # year's piece begins in this year, so joining the pieces keeps the order.
                name = f"events/{year}"
                for e in self.piece(name) if chosen is None else self.chosen(name, *chosen):
                    if e.id not in seen:
                        seen.add(e.id)
                        out.append(e)
        return tuple(out)

    def record(self, rid: str) -> Identified | None:
        """The record whose id is `rid`, or None: read alone, not with every record."""
        return self.records([rid]).get(rid)

    def records(self, rids: Collection[str]) -> dict[str, Identified]:
        """The records of these ids that the archive holds, by id: read alone, not with
        every record."""
        found: dict[str, Identified] = {c.id: c for c in self.countries if c.id in rids}
        if self.project.id in rids:
            found[self.project.id] = self.project
        rest = sorted({*rids} - found.keys())
        return found | {r.id: r for r in (self.piece("records/" + "\n".join(rest)) if rest else ())}

    def chosen(self, name: str, fields: tuple[str, ...], keep: Keep) -> tuple[Any, ...]:
        """The records of the piece `name` (`events/2023`, `partners`: every partner) whose
        `fields` (those a record holds whole, no list) `keep` takes, in the piece's order:
        the others are never built."""
        if name in self._pieces:  # already read whole
            return tuple(r for r in self._pieces[name] if keep(tuple(getattr(r, f) for f in fields)))
        return self._load.chosen(name, fields, keep)

    def member_universities(self) -> dict[str, tuple[str, ...]]:
        """Each real institution's member universities, once each, in the archive's order:
        one university's two relations with an institution make it no shared one."""
        found: dict[str, dict[str, None]] = {}
        for institution, university in self.fields("partners", ("institution", "university")):
            found.setdefault(institution, {})[university] = None
        return {institution: tuple(universities) for institution, universities in found.items()}

    def fields(self, plural: str, names: tuple[str, ...]) -> tuple[tuple[Any, ...], ...]:
        """Some fields of every record of a kind (`partners`), as tuples, in the order the
        archive gives the records: each a field the record holds whole, no list (a text, a
        date), read without the rest of the record."""
        return self.piece(f"fields/{plural}/{','.join(names)}")

    def events_naming(self, rid: str) -> tuple[Event, ...]:
        """In date order, the events that name `rid` as a partner, a university or a
        participant, and, for a university, those of its own file."""
        return self.piece(f"naming/{rid}")

    @functools.cached_property
    def events(self) -> tuple[Event, ...]:
        """Every event, in date order: one piece, each event once (an event of a decade is
        in ten years' pieces)."""
        return self.piece("events")

    def _records(self) -> tuple[Any, ...]:
        """Everything the archive holds: its index (the project, the countries) and every piece."""
        return (self.index, *(self.piece(name) for name in self.index.pieces))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Archive) and self._records() == other._records()

    __hash__ = None  # type: ignore[assignment]  # compared by content, and mutable (its pieces)
