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

from collections.abc import Collection
from typing import Any, NamedTuple

from spnet.partialdate import WEEKDAYS_EN, WEEKDAYS_JA, PartialDate

# A TOML table as tomllib reads it (a record's file, or a record proposed by `add`): its
# values' types are the schema's to check (archive/schema.py), and are known only once
# archive/build.py has made a record of it.
TomlTable = dict[str, Any]
# A listing's row: each of its columns' keys (columns.py) to a value of any type a record
# holds (str, int, bool, PartialDate, None), as cells.py and render.py show it.
Row = dict[str, Any]


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

    def concerns(self, universities: Collection[str]) -> bool:
        """Whether the event is about one of these universities: its own (a milestone in
        its file) or one it names among its universities."""
        return self.university in universities or any(u in universities for u in self.universities)

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


class Field(NamedTuple):
    """One text field of a record as search shows it (`row`), and as search compares it:
    folded (names.fold), as the Japanese analyser's words and their readings (analysis.joined)."""

    id: str
    row: Row
    folded: str
    words: str
    readings: str


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
# A record with an id of its own, one file's or a table's: what Archive.record finds by id.
Identified = Country | University | Partner | Event | Person | Contact | Link | Project
# A record whose Japanese and English texts may disagree: one with `disagreements`.
Disputable = University | Partner | Event | Project


def disagreements_of(record: Record) -> tuple[Disagreement, ...]:
    """Where the report's two texts disagree on a record: none for a kind they cannot."""
    return record.disagreements if isinstance(record, Disputable) else ()


RECORD_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        PartialDate, Bilingual, Cite, Source, Disagreement, Count, Country, University, Partner,
        Participant, Event, Person, Contact, Link, ForumRole, Project, UniversityName, ArchiveIndex, Problem,
    )
}  # fmt: skip
