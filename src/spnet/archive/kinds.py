"""The kinds of record the archive holds, each declared once: its TOML keys and their
types, where the data files hold it, how the index keeps it, its SQL tables, its listing.
Everything else that is per kind (the schema, the file layouts, the pieces of the index,
the export's tables, search's order) is read from here; what needs code of its own per
kind (a builder, the references it makes) is a dict keyed by these kinds, checked by
`covering` to hold exactly them. tests/test_kinds.py fails when a part of the code names
a kind that is not declared here.

Adding a kind: docs/development.md, "Adding a kind of record".

No `from __future__ import annotations`: NamedTuple would compile each string annotation
at every start (models.py).
"""

from collections.abc import Mapping
from typing import NamedTuple, TypeVar

from spnet.collection import Archive
from spnet.models import Contact, Count, Country, Event, Identified, Link, Partner, Person, Project, Record, University

# ------------------------------------------------------------------ the types of keys
# Each key of a record: (type name, required). Types are checked by schema.TYPE_CHECKS.
STR, INT, BOOL, NUM, STRS, INTS, DATE, TABLES, CITES = (
    "string",
    "integer",
    "boolean",
    "number",
    "list of strings",
    "list of integers",
    "date string",
    "list of tables",
    "table of line lists",
)
Fields = dict[str, tuple[str, bool]]

COUNTRY_BASES = ("stated", "implied", "name", "curator")


class Based(NamedTuple):
    """A value that is the report's or the curators' (docs/curators.md): its keys are
    `{stem}_basis`, `{stem}_lines` (the report's lines that give it, when they are not the
    record's own) and `{stem}_reason` (why the curators give it); a stem "" is the record
    itself (`basis`, `reason`, and the record's `lines`). `bases` are those it may have;
    without a basis (where `required` is False) it is the report's words, on the record's lines."""

    stem: str
    bases: tuple[str, ...]
    required: bool = False

    def key(self, part: str) -> str:
        return f"{self.stem}_{part}" if self.stem else part


def _bi(*names: str, required: bool = False) -> Fields:
    spec: Fields = {}
    for n in names:
        spec[f"{n}_en"] = (STR, required)
        spec[f"{n}_ja"] = (STR, required)
    return spec


def _based(*values: Based) -> Fields:
    """The keys of values that may be the curators'."""
    spec: Fields = {}
    for b in values:
        spec[b.key("basis")] = (STR, False)  # whether it is required is the rule's to say (bases.py)
        if b.stem:
            spec[b.key("lines")] = (INTS, False)
        spec[b.key("reason")] = (STR, False)
    return spec


# `cites`: the lines one field's value begins on, where they are not the record's own
# (a programme page, a heading over a list); every one of them is in `lines` too.
_SOURCE: Fields = {"source": (STR, True), "lines": (INTS, True), "cites": (CITES, False)}
UNCITED = frozenset(("id", "source", "lines", "cites"))  # keys that are no field of the report's
_DISAGREEMENTS: Fields = {"disagreements": (TABLES, False)}

# Tables inside a record (a list of tables under the key that is their plural), checked
# as a record is: no record of their own, no id, no place in the files or the index.
PARTS: dict[str, Fields] = {
    "forum_role": {"university": (STR, False), **_bi("name", "role")},
    "participant": {"person": (STR, True), **_bi("part", "talk", "as_printed", "topic"), "time": (STR, False)},
    "disagreement": {
        "field": (STR, True),
        "en": (STR, True),
        "ja": (STR, True),
        "held": (STR, True),
        "reason": (STR, True),
    },
}


# ------------------------------------------------------------------ the registry
class Kind(NamedTuple):
    """One kind of record, declared once."""

    name: str  # "partner": what the schema, the index's `defines`, `show` and `search` call it
    plural: str  # "partners": the Archive's attribute and piece, its count in `stats`
    model: type[Record]  # the record type its builder (build.BUILDERS) makes
    fields: Fields  # its TOML keys: (type, required)
    files: tuple[tuple[str, str, bool, bool], ...]  # (file, table key, array of tables?, required?)
    # How the index keeps it: "summary" (in its file's summary, which every query reads),
    # "piece" (a piece of its own), "by_university" (partners/<id>), "by_year" (events/<year>),
    # "within" (inside the record of `within`: a university's counts).
    kept: str
    table: str  # its SQL table, in the index and the export (export.SCHEMA)
    owner: str = "id"  # the column of `table` naming the record its rows belong to
    parts: tuple[tuple[str, str], ...] = ()  # other SQL tables of what it holds: (table, owner column)
    based: tuple[Based, ...] = ()  # its values that may be the curators' (bases.py)
    needs: str | None = None  # a pair of texts (name_en, name_ja) of which it must give one
    within: str | None = None  # the kind whose record holds it
    bundle: str | None = None  # its key in `spnet export json` and its CSV's name
    listing: str | None = None  # the listing's columns (columns.COLUMNS) it is shown with

    @property
    def disagreements(self) -> bool:
        """Whether a record of this kind may say where its Japanese and English texts disagree."""
        return "disagreements" in self.fields

    def rows(self) -> list[tuple[str, str]]:
        """The SQL tables holding a record's rows, each with the column that names it."""
        out = [(self.table, self.owner), *self.parts]
        out += [(k.table, k.owner) for k in KINDS if k.within == self.name]
        return out + [("disagreements", "record")] if self.disagreements else out


# The values that may be the curators', by kind: a country, a partner's country and short
# names always say how they are known; a title or a country's name is the report's words
# unless it says it is the curators'.
_COUNTRY = Based("", COUNTRY_BASES, True), Based("name_en", ("curator",)), Based("name_ja", ("curator",))
_UNIVERSITY = (Based("short_names", ("stated", "curator"), True),)
_PARTNER = (Based("country", COUNTRY_BASES, True),)
_EVENT = Based("title_en", ("curator",)), Based("title_ja", ("curator",))

# In the archive's order: `show`'s records and `search`'s answers come in it, and the
# tables of a data file are laid out in it.
KINDS: tuple[Kind, ...] = (
    Kind(
        "project",
        "project",
        Project,
        {
            **_bi("title", "framework", "aim", "definition"),
            "managing": (STR, True),
            "members": (STRS, True),
            **_bi("membership"),
            "forum_roles": (TABLES, False),
            **_bi("meeting_frequency"),
            "meeting_agenda_en": (STRS, False),
            "meeting_agenda_ja": (STRS, False),
            "note": (STR, False),
            **_DISAGREEMENTS,
            **_SOURCE,
        },
        files=(("project", "project", False, True),),
        kept="summary",
        table="project",
        parts=(("forum_roles", "project"),),
        bundle="project",
        listing="project",
    ),
    Kind(
        "university",
        "universities",
        University,
        {
            "id": (STR, True),
            **_bi("name", required=True),
            "aliases": (STRS, False),
            "short_names": (STRS, False),
            **_based(*_UNIVERSITY),
            **_bi("scheme", "concept", "activities", "outlook"),
            "note": (STR, False),
            **_DISAGREEMENTS,
            **_SOURCE,
        },
        files=(("university", "university", False, True),),
        kept="piece",
        table="universities",
        based=_UNIVERSITY,
        bundle="universities",
        listing="universities",
    ),
    Kind(
        "count",
        "counts",
        Count,
        {
            **_bi("what"),
            "value": (NUM, True),
            "qualifier": (STR, False),
            "as_of": (DATE, False),
            "of_partners": (BOOL, False),
            "note": (STR, False),
            **_SOURCE,
        },
        files=(("university", "counts", True, False),),
        needs="what",
        kept="within",
        table="counts",
        owner="university",
        within="university",
    ),
    Kind(
        "partner",
        "partners",
        Partner,
        {
            "id": (STR, True),
            "institution": (STR, False),
            **_bi("name"),
            "kind": (STR, True),
            **_bi("relation"),
            "country": (STR, False),
            **_based(*_PARTNER),
            "since": (DATE, False),
            **_bi("since_what"),
            "designated": (DATE, False),
            **_bi("designated_what"),
            "consortium": (STR, False),
            "members_en": (STRS, False),
            "members_ja": (STRS, False),
            **_bi("activities"),
            "note": (STR, False),
            **_DISAGREEMENTS,
            **_SOURCE,
        },
        files=(("university", "partners", True, False),),
        needs="name",
        kept="by_university",
        table="partners",
        based=_PARTNER,
        bundle="partners",
        listing="partners",
    ),
    Kind(
        "event",
        "events",
        Event,
        {
            "id": (STR, True),
            "kind": (STR, True),
            "number": (INT, False),
            "date": (DATE, True),
            "tentative": (BOOL, False),
            "onward": (BOOL, False),
            "fiscal_year": (INT, False),
            **_bi("weekday"),
            "time": (STR, False),
            **_bi("title", "theme", "aim", "venue", "language", "registration"),
            **_based(*_EVENT),
            "title_ja_referents": (STRS, False),
            "programme_ja": (STR, False),
            "universities": (STRS, False),
            "partners": (STRS, False),
            "participants": (TABLES, False),
            "links": (STRS, False),
            "note": (STR, False),
            **_DISAGREEMENTS,
            **_SOURCE,
        },
        files=(("project", "events", True, False), ("university", "events", True, False)),
        needs="title",
        kept="by_year",
        table="events",
        parts=(("event_universities", "event"), ("event_partners", "event"), ("participants", "event")),
        based=_EVENT,
        bundle="events",
        listing="timeline",
    ),
    Kind(
        "person",
        "people",
        Person,
        {
            "id": (STR, True),
            **_bi("name", "affiliation", "role"),
            "title_en": (STR, False),
            "university": (STR, False),
            "note": (STR, False),
            **_SOURCE,
        },
        files=(("project", "people", True, False),),
        needs="name",
        kept="piece",
        table="people",
        bundle="contacts",  # with the contact points: whom to ask
        listing="contacts",
    ),
    Kind(
        "contact",
        "contacts",
        Contact,
        {
            "id": (STR, True),
            **_bi("name", "department", "affiliation", "purpose"),
            "email": (STR, False),
            "university": (STR, False),
            "note": (STR, False),
            **_SOURCE,
        },
        files=(("project", "contacts", True, False),),
        needs="name",
        kept="piece",
        table="contacts",
        bundle="contacts",
        listing="contacts",
    ),
    Kind(
        "link",
        "links",
        Link,
        {
            "id": (STR, True),
            "url": (STR, True),
            **_bi("about"),
            "cited_in": (STR, True),
            "event": (STR, False),
            "note": (STR, False),
            **_SOURCE,
        },
        files=(("project", "links", True, False),),
        kept="piece",
        table="links",
        bundle="links",
        listing="links",
    ),
    Kind(
        "country",
        "countries",
        Country,
        {"id": (STR, True), **_bi("name"), "note": (STR, False), **_based(*_COUNTRY), **_SOURCE},
        files=(("countries", "countries", True, True),),
        needs="name",
        kept="summary",
        table="countries",
        based=_COUNTRY,
        bundle="countries",
        listing="countries",
    ),
)

KIND: dict[str, Kind] = {k.name: k for k in KINDS}
NAMES = tuple(KIND)
OF_MODEL: dict[type[Record], Kind] = {k.model: k for k in KINDS}
# The kinds that are records of their own (a count is part of its university's), in the archive's order.
RECORDS = tuple(k for k in KINDS if k.within is None)
# The kinds kept in pieces of the index: a piece is named by the plural, then /<university> or /<year>.
PIECES = {k.plural: k for k in KINDS if k.kept in ("piece", "by_university", "by_year")}

# The SQL tables of every kind (Kind.rows), in the index and the export.
SQL_TABLES = tuple(dict.fromkeys(table for k in KINDS for table, _column in k.rows()))
# The export's JSON keys and CSV files: each kind's (people are with the contacts), and its listing's columns.
BUNDLES = {k.bundle: k.listing for k in KINDS if k.bundle is not None and k.listing is not None}

# Every kind of table a data file may hold, records and the tables inside them.
SPEC: dict[str, Fields] = {**{k.name: k.fields for k in KINDS}, **PARTS}
NEEDS: dict[str, str] = {**{k.name: k.needs for k in KINDS if k.needs}, "forum_role": "name"}
BASED: dict[str, tuple[Based, ...]] = {k.name: k.based for k in KINDS if k.based}


def layout(file: str) -> dict[str, tuple[str, bool, bool]]:
    """The tables one kind of data file ("project", "countries", "university") may hold:
    key -> (record kind, array of tables?, required?), in the order they are read."""
    return {key: (k.name, many, required) for k in KINDS for (f, key, many, required) in k.files if f == file}


def kind_of(record: Record) -> str:
    """The kind of a record: "partner", "event", ..."""
    return OF_MODEL[type(record)].name


def records_of(archive: Archive, kind: Kind) -> tuple[Identified, ...]:
    """Every record of one kind, as the archive gives them (Archive.partners, Archive.project)."""
    found: Project | tuple[Identified, ...] = getattr(archive, kind.plural)
    return (found,) if isinstance(found, Project) else found  # the one kind the archive holds one of


PROJECT_FILE = layout("project")
COUNTRIES_FILE = layout("countries")
UNIVERSITY_FILE = layout("university")

V = TypeVar("V")


def covering(table: Mapping[str, V], kinds: tuple[Kind, ...] = KINDS) -> Mapping[str, V]:
    """`table` (per kind code: builders, references), when it has exactly one entry per kind of `kinds`."""
    want = {k.name for k in kinds}
    if set(table) != want:
        raise AssertionError(
            f"a table per kind has {sorted(set(table) - want)} more and misses {sorted(want - set(table))}"
        )
    return table
