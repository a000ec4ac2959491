"""The archive's records as immutable named tuples. No I/O here.

Every record keeps `source`: where in the report it comes from (a section name and the
line numbers of the report's text, shipped as spnet/source/report.txt, where the statement
stands).
A field the report does not give is None, never an empty string or a guess.

Named tuples rather than frozen dataclasses: as immutable, but a class is several times
quicker to create (spnet makes these at every start, and a script may start it thousands
of times), and a record is smaller and quicker to unpickle.
No `from __future__ import annotations` here: NamedTuple would turn every string
annotation into a ForwardRef, compiling each one, at every start.
"""

import datetime as dt
import functools
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any, NamedTuple, Protocol

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


class Bilingual(NamedTuple):
    """A text the report gives in English, Japanese or both; a missing side is None."""

    en: str | None = None
    ja: str | None = None

    def __bool__(self) -> bool:
        return bool(self.en or self.ja)


class Cite(NamedTuple):
    """The lines of the report one field's value begins on, where they are not the record's own."""

    field: str
    lines: tuple[int, ...]


class Source(NamedTuple):
    """Where a record comes from: a section of the report and line numbers in its text
    (every line any of its values begins on), and the fields that cite lines of their own."""

    section: str
    lines: tuple[int, ...] = ()
    cites: tuple[Cite, ...] = ()

    def __str__(self) -> str:
        where = ", ".join(str(n) for n in self.lines)
        return f"{self.section} (lines {where})" if where else self.section


class Disagreement(NamedTuple):
    """The Japanese and English texts say different things about one field.

    `held` is which text the record follows: "ja", "en", or "undecided" where the
    evidence cannot decide (the record then holds the Japanese original).
    """

    field: str
    en: str
    ja: str
    held: str
    reason: str


class Count(NamedTuple):
    """A figure the report states without names (e.g. 14 universities in 8 countries)."""

    what: Bilingual
    value: int | float
    qualifier: str | None
    as_of: PartialDate | None
    of_partners: bool  # a count of the university's partners (大阪大学: 14校), beside the named ones
    note: str | None
    source: Source


class Country(NamedTuple):
    """A country. `basis` says how the report gives it (docs/curators.md): "stated",
    "implied", only inside an institution's "name", or not at all ("curator": the
    archive's curators added it for a partner, say why in `reason`, and it cites no
    line). A name of it the report does not print is the curators' too
    (`name_en_basis`, with its reason)."""

    id: str
    name: Bilingual
    note: str | None
    basis: str | None
    source: Source
    reason: str | None = None
    name_en_basis: str | None = None
    name_en_reason: str | None = None
    name_ja_basis: str | None = None
    name_ja_reason: str | None = None


class University(NamedTuple):
    """One of the nine: the managing university or a member university."""

    id: str
    name: Bilingual
    managing: bool
    aliases: tuple[str, ...]  # other names the report uses (UTokyo)
    # Short names people use (京大, 東大) that the report does not give: the archive's
    # curators supply them, and short_names_basis says so ("curator", with its reason).
    short_names: tuple[str, ...]
    short_names_basis: str | None
    short_names_reason: str | None
    scheme: Bilingual
    # Its concept (構想) under the Top Global University Project, where the report gives it
    concept: Bilingual
    activities: Bilingual
    outlook: Bilingual
    counts: tuple[Count, ...]
    note: str | None
    disagreements: tuple[Disagreement, ...]
    source: Source


class Partner(NamedTuple):
    """An overseas institution or consortium that the report names for a member university.

    kind: strategic-partner, consortium, consortium-member, joint-fund-partner,
    research-partner, exchange-partner, office-host, framework. `relation` is the report's
    own word. `country_basis` says how the country is known (docs/curators.md): "stated"
    in the report, "implied" by it, only inside the institution's "name" (both on
    `country_lines`, or the record's lines), or added by the archive's "curator" (the report
    does not give it; `country_reason` says why). A framework spanning several countries
    holds none.

    Two dates, each as the report gives it and with the report's words for what it dates:
    `since`, when the relation began (its first agreement, the start of exchange or
    cooperation, the founding of a consortium); `designated`, when it became strategic (the
    strategic partnership agreement or designation, or the special partnership the report
    names). A date the report does not give is None: neither stands in for the other.
    """

    id: str
    university: str
    # The real institution: relations of several member universities with one institution
    # (National Taiwan University, UCL) share it; otherwise it is the relation's own id.
    institution: str
    name: Bilingual
    kind: str
    relation: Bilingual
    country: str | None
    country_basis: str | None
    country_lines: tuple[int, ...]
    country_reason: str | None
    since: PartialDate | None
    since_what: Bilingual
    designated: PartialDate | None
    designated_what: Bilingual
    consortium: str | None
    members: Bilingual  # "; "-joined lists of member names as printed
    activities: Bilingual
    note: str | None
    disagreements: tuple[Disagreement, ...]
    source: Source


class Participant(NamedTuple):
    """A person's part in an event, with the programme's own wording where it gives one."""

    person: str
    part: Bilingual
    talk: Bilingual
    time: str | None
    as_printed: Bilingual
    # What the report's account of the event says a talk was about (a keynote's keyword or angle)
    topic: Bilingual


class Event(NamedTuple):
    """A dated item: the project's survey, symposia, workshop and meetings, its start and
    end, and each university's milestones (kind "milestone", with `university` set)."""

    id: str
    kind: str
    date: PartialDate
    tentative: bool
    onward: bool  # the date is when it began: 「2019年度より」, 「2024年度以降」
    fiscal_year: int | None
    number: int | None
    weekday: Bilingual
    time: str | None
    title: Bilingual
    # "curator" where that side's title is the curators' summary, not the report's words;
    # the reason says why
    title_en_basis: str | None
    title_ja_basis: str | None
    title_en_reason: str | None
    title_ja_reason: str | None
    # Whom the Japanese title's 本学, 同協会, 両大学 mean, as "本学=早大" (the curators')
    title_ja_referents: tuple[str, ...]
    theme: Bilingual
    aim: Bilingual  # what it was held for, in the report's words
    venue: Bilingual
    language: Bilingual
    registration: Bilingual  # what the flyers say about registering (要事前登録)
    programme_ja: str | None
    university: str | None
    universities: tuple[str, ...]
    partners: tuple[str, ...]
    participants: tuple[Participant, ...]
    links: tuple[str, ...]
    note: str | None
    disagreements: tuple[Disagreement, ...]
    source: Source

    def misprinted_weekdays(self) -> list[tuple[str, str]]:
        """Each weekday the report prints for the date held that is not the calendar's, as
        (side, printed): ("Japanese", "金") for the workshop's Saturday 2023-09-09."""
        if self.date.precision != "day":
            return []
        day = self.date.first_day().weekday()
        printed = (("English", self.weekday.en, WEEKDAYS_EN), ("Japanese", self.weekday.ja, WEEKDAYS_JA))
        return [(side, p) for side, p, names in printed if p and p != names[day]]


class Person(NamedTuple):
    """A person the report names, with name, affiliation and role as printed."""

    id: str
    name: Bilingual
    title_en: str | None
    affiliation: Bilingual
    role: Bilingual
    university: str | None
    note: str | None
    source: Source


class Contact(NamedTuple):
    """A contact point: an office, its e-mail, and what to contact it for."""

    id: str
    name: Bilingual
    department: Bilingual
    affiliation: Bilingual
    email: str | None
    purpose: Bilingual
    university: str | None
    note: str | None
    source: Source


class Link(NamedTuple):
    """A URL the report prints; `cited_in` is which text prints it: "ja", "en" or "both"."""

    id: str
    url: str
    about: Bilingual
    cited_in: str
    event: str | None
    note: str | None
    source: Source


class ForumRole(NamedTuple):
    """A university's part in the Japan Forum for Internationalization of Universities, as
    the report names it; `university` is its id where it is one of the project's nine."""

    university: str | None
    name: Bilingual
    role: Bilingual


class Project(NamedTuple):
    """The project itself: what it was, under which framework, who ran it, and how its
    member universities met. Its id is always "project" (`spnet show project`)."""

    id: str
    title: Bilingual
    framework: Bilingual
    aim: Bilingual
    managing: str
    members: tuple[str, ...]
    membership: Bilingual  # what makes a university a member, in the report's words
    definition: Bilingual
    forum_roles: tuple[ForumRole, ...]
    meeting_frequency: Bilingual  # 定期（隔月）: how often the member universities met
    meeting_agenda: Bilingual  # "; "-joined items as printed, each text in its own order
    note: str | None
    disagreements: tuple[Disagreement, ...]
    source: Source


PROJECT_ID = "project"


class UniversityName(NamedTuple):
    """What names a university: enough to resolve a typed name without reading its chapter."""

    id: str
    name: Bilingual
    aliases: tuple[str, ...]
    short_names: tuple[str, ...]


class ArchiveIndex(NamedTuple):
    """The small part of an archive that every query reads; the rest is in named pieces.

    Pieces: "warnings" (what `spnet check` prints), "universities", "people", "contacts",
    "links", "partners/<university id>"
    (one per university with partners), "events/<year>" (the events whose dates
    overlap that year, in date order; an event of a decade is in each of its years), and
    "events" (every event, in date order).
    """

    project: Project
    countries: tuple[Country, ...]
    university_names: tuple[UniversityName, ...]  # managing university, then members
    partner_counts: dict[str, int]  # university id -> how many partners, in file order
    event_years: tuple[int, ...]  # the years that have a piece, ascending
    sizes: dict[str, int]  # record kind (plural) -> how many; and how many values the curators added
    pieces: tuple[str, ...]


class Problem(NamedTuple):
    """One error or warning about the archive: where, and what, as an English message
    whose `{fields}` take `params`; shown in the reader's language (str). A message that
    was already made (params None) is shown as it is."""

    where: str
    message: str
    params: dict[str, Any] | None = None

    def __str__(self) -> str:
        if self.params is None:
            text = self.message
        else:
            from spnet import glossary  # only a problem shown needs the catalogue
            from spnet.i18n import _, language

            text = _(self.message).format(**glossary.in_words(self.params, language()))
        return f"{self.where}: {text}" if self.where else text


# Every record type, by name: what the index may rebuild from JSON, and nothing else.
# A record of any kind, as the archive's builders make it (archive/build.py).
Record = Country | University | Count | Partner | Event | Person | Contact | Link | Project

RECORD_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        PartialDate, Bilingual, Cite, Source, Disagreement, Count, Country, University, Partner,
        Participant, Event, Person, Contact, Link, ForumRole, Project, UniversityName, ArchiveIndex, Problem,
    )
}  # fmt: skip


# What chooses records by some of their fields (Archive.chosen): their values, in the order asked for.
Keep = Callable[[tuple[Any, ...]], bool]


class Pieces(Protocol):
    """What gives an archive its pieces (archive/index.py): the records of a piece by its
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
        self.search: Callable[[list[list[tuple[str, str]]]], Sequence[tuple[Any, ...]] | None] | None = None

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

    def record(self, rid: str) -> Any | None:
        """The record whose id is `rid`, or None: read alone, not with every record."""
        return self.records([rid]).get(rid)

    def records(self, rids: Collection[str]) -> dict[str, Any]:
        """The records of these ids that the archive holds, by id: read alone, not with
        every record."""
        found: dict[str, Any] = {c.id: c for c in self.countries if c.id in rids}
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
