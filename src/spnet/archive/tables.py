"""The tables of the archive's SQLite form: the export's tables, indexes, full-text index
and views (`spnet export sqlite` writes them, and the index keeps a copy of them, filled
again after an edit), and each record's rows in them."""

from __future__ import annotations

import itertools
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from spnet.archive.kinds import RECORDS, covering, records_of
from spnet.collection import Archive
from spnet.models import (
    Contact,
    Country,
    Event,
    Identified,
    Link,
    Partner,
    Person,
    Project,
    University,
    disagreements_of,
)

SCHEMA = """
CREATE TABLE project (
    id TEXT PRIMARY KEY, title_en TEXT, title_ja TEXT, framework_en TEXT, framework_ja TEXT, aim_en TEXT, aim_ja TEXT,
    managing TEXT NOT NULL REFERENCES universities(id), members TEXT NOT NULL, membership_en TEXT, membership_ja TEXT,
    definition_en TEXT, definition_ja TEXT,
    meeting_frequency_en TEXT, meeting_frequency_ja TEXT, meeting_agenda_en TEXT, meeting_agenda_ja TEXT,
    note TEXT, source TEXT NOT NULL
);
CREATE TABLE forum_roles (
    project TEXT NOT NULL REFERENCES project(id), position INTEGER NOT NULL,
    university TEXT REFERENCES universities(id), name_en TEXT, name_ja TEXT, role_en TEXT, role_ja TEXT,
    PRIMARY KEY (project, position)
);
CREATE TABLE countries (
    id TEXT PRIMARY KEY, name_en TEXT, name_ja TEXT, basis TEXT, source TEXT NOT NULL, reason TEXT
);
CREATE TABLE universities (
    id TEXT PRIMARY KEY, name_en TEXT NOT NULL, name_ja TEXT NOT NULL, managing INTEGER NOT NULL,
    scheme_en TEXT, scheme_ja TEXT, activities_en TEXT, activities_ja TEXT, outlook_en TEXT, outlook_ja TEXT,
    note TEXT, source TEXT NOT NULL, concept_en TEXT, concept_ja TEXT
);
CREATE TABLE counts (
    id INTEGER PRIMARY KEY, university TEXT NOT NULL REFERENCES universities(id),
    what_en TEXT, what_ja TEXT, value NUMERIC NOT NULL, qualifier TEXT, as_of TEXT, note TEXT, source TEXT NOT NULL
);
CREATE TABLE partners (
    id TEXT PRIMARY KEY, university TEXT NOT NULL REFERENCES universities(id), institution TEXT NOT NULL,
    name_en TEXT, name_ja TEXT, kind TEXT NOT NULL, relation_en TEXT, relation_ja TEXT,
    country TEXT REFERENCES countries(id), country_basis TEXT, since TEXT, since_what_en TEXT, since_what_ja TEXT,
    designated TEXT, designated_what_en TEXT, designated_what_ja TEXT,
    consortium TEXT REFERENCES partners(id), members_en TEXT, members_ja TEXT,
    activities_en TEXT, activities_ja TEXT, note TEXT, source TEXT NOT NULL, country_lines TEXT, country_reason TEXT,
    words TEXT
);
CREATE TABLE events (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, date TEXT NOT NULL, date_start TEXT NOT NULL, date_end TEXT NOT NULL,
    tentative INTEGER NOT NULL, onward INTEGER NOT NULL, fiscal_year INTEGER, number INTEGER, weekday_en TEXT,
    weekday_ja TEXT, time TEXT, title_en TEXT, title_ja TEXT, title_en_basis TEXT, title_ja_basis TEXT,
    theme_en TEXT, theme_ja TEXT, venue_en TEXT, venue_ja TEXT,
    university TEXT REFERENCES universities(id), note TEXT, source TEXT NOT NULL,
    aim_en TEXT, aim_ja TEXT, registration_en TEXT, registration_ja TEXT, title_en_reason TEXT, title_ja_reason TEXT,
    words TEXT
);
CREATE TABLE event_universities (
    event TEXT NOT NULL REFERENCES events(id), university TEXT NOT NULL REFERENCES universities(id),
    PRIMARY KEY (event, university)
);
CREATE TABLE event_partners (
    event TEXT NOT NULL REFERENCES events(id), partner TEXT NOT NULL REFERENCES partners(id),
    PRIMARY KEY (event, partner)
);
CREATE TABLE people (
    id TEXT PRIMARY KEY, name_en TEXT, name_ja TEXT, title_en TEXT, affiliation_en TEXT, affiliation_ja TEXT,
    role_en TEXT, role_ja TEXT, university TEXT REFERENCES universities(id), note TEXT, source TEXT NOT NULL
);
CREATE TABLE participants (
    event TEXT NOT NULL REFERENCES events(id), person TEXT NOT NULL REFERENCES people(id), position INTEGER NOT NULL,
    part_en TEXT, part_ja TEXT, talk_en TEXT, talk_ja TEXT, time TEXT, topic_en TEXT, topic_ja TEXT,
    PRIMARY KEY (event, position)
);
CREATE TABLE contacts (
    id TEXT PRIMARY KEY, name_en TEXT, name_ja TEXT, department_en TEXT, department_ja TEXT,
    affiliation_en TEXT, affiliation_ja TEXT, email TEXT, purpose_en TEXT, purpose_ja TEXT,
    university TEXT REFERENCES universities(id), note TEXT, source TEXT NOT NULL
);
CREATE TABLE links (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, about_en TEXT, about_ja TEXT, cited_in TEXT NOT NULL,
    event TEXT REFERENCES events(id), note TEXT, source TEXT NOT NULL
);
CREATE TABLE disagreements (
    record TEXT NOT NULL, field TEXT NOT NULL, en TEXT NOT NULL, ja TEXT NOT NULL, held TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX counts_by_university ON counts(university);
CREATE INDEX partners_by_university ON partners(university);
CREATE INDEX partners_by_country ON partners(country);
CREATE INDEX partners_by_kind ON partners(kind);
CREATE INDEX partners_by_institution ON partners(institution);
CREATE INDEX events_by_dates ON events(date_start, date_end);
CREATE INDEX events_by_kind ON events(kind);
CREATE INDEX events_by_university ON events(university);
CREATE INDEX event_universities_by_university ON event_universities(university);
CREATE INDEX disagreements_by_record ON disagreements(record);
"""

# Full-text search for the tools that open the export (sqlite3, sqlite-utils, Datasette),
# which cannot analyse Japanese: FTS5's unicode61 tokenizer finds English words, and
# Japanese ones in `words`, which holds each partner's and event's Japanese words and runs of
# words (analysis.terms, _words) with spaces between them. (A trigram tokenizer finds
# nothing under three characters: not 会議, nor 大学.)
_PARTNERS_FTS = "name_en, relation_en, activities_en, words"
_EVENTS_FTS = "title_en, theme_en, note, words"


def _fts_triggers(table: str, columns: str) -> str:
    """Triggers that keep an external-content FTS5 table current as rows come and go."""
    new = ", ".join(f"new.{c}" for c in columns.split(", "))
    old = ", ".join(f"old.{c}" for c in columns.split(", "))
    add = f"INSERT INTO {table}_fts(rowid, {columns}) VALUES (new.rowid, {new});"
    drop = f"INSERT INTO {table}_fts({table}_fts, rowid, {columns}) VALUES ('delete', old.rowid, {old});"
    return (
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN {add} END;\n"
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN {drop} END;\n"
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE ON {table} BEGIN {drop} {add} END;\n"
    )


# Search and the common joins, for Datasette and for anyone with the sqlite3 shell;
# triggers keep the search current as rows come and go. The content table is named in
# double quotes, the form sqlite-utils and Datasette look for (detect_fts) to offer search.
TRIGGERS = _fts_triggers("partners", _PARTNERS_FTS) + _fts_triggers("events", _EVENTS_FTS)
_TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"
SEARCH_AND_VIEWS = f"""
CREATE VIRTUAL TABLE partners_fts USING fts5({_PARTNERS_FTS}, content="partners", {_TOKENIZE});
CREATE VIRTUAL TABLE events_fts USING fts5({_EVENTS_FTS}, content="events", {_TOKENIZE});
{TRIGGERS}
CREATE VIEW partners_with_universities AS
SELECT p.id, p.university, u.name_en AS university_en, u.name_ja AS university_ja, p.name_en, p.name_ja,
       p.kind, p.country, c.name_en AS country_en, c.name_ja AS country_ja, p.country_basis, p.since,
       p.designated
FROM partners p JOIN universities u ON u.id = p.university LEFT JOIN countries c ON c.id = p.country;
CREATE VIEW events_with_universities AS
SELECT e.id, e.kind, e.date, e.date_start, e.date_end, e.tentative, e.title_en, e.title_ja,
       (SELECT group_concat(u.name_en, '; ') FROM universities u
        WHERE u.id = e.university OR u.id IN (SELECT university FROM event_universities WHERE event = e.id))
           AS universities_en,
       (SELECT group_concat(u.name_ja, '; ') FROM universities u
        WHERE u.id = e.university OR u.id IN (SELECT university FROM event_universities WHERE event = e.id))
           AS universities_ja
FROM events e;
"""
DROP_TRIGGERS = "".join(f"DROP TRIGGER IF EXISTS {name};" for name in re.findall(r"CREATE TRIGGER (\w+)", TRIGGERS))


# What a column of the export holds, and one row of a table: (table, values).
SqlValue = str | int | float | None
TableRow = tuple[str, tuple[SqlValue, ...]]


def _country(r: Country) -> list[TableRow]:
    return [("countries", (r.id, r.name.en, r.name.ja, r.basis, str(r.source), r.reason))]


def _project(r: Project) -> list[TableRow]:
    return [
        ("project", (
            r.id, r.title.en, r.title.ja, r.framework.en, r.framework.ja, r.aim.en, r.aim.ja, r.managing,
            ", ".join(r.members), r.membership.en, r.membership.ja, r.definition.en, r.definition.ja,
            r.meeting_frequency.en, r.meeting_frequency.ja, r.meeting_agenda.en, r.meeting_agenda.ja, r.note,
            str(r.source),
        )),
        *(
            ("forum_roles", (r.id, i, f.university, f.name.en, f.name.ja, f.role.en, f.role.ja))
            for i, f in enumerate(r.forum_roles)
        ),
    ]  # fmt: skip


def _university(r: University) -> list[TableRow]:
    """A university's row, and its counts'."""
    return [
        ("universities", (
            r.id, r.name.en, r.name.ja, int(r.managing), r.scheme.en, r.scheme.ja,
            r.activities.en, r.activities.ja, r.outlook.en, r.outlook.ja, r.note, str(r.source),
            r.concept.en, r.concept.ja,
        )),
        *(
            ("counts", (
                None, r.id, n.what.en, n.what.ja, n.value, n.qualifier, n.as_of.iso() if n.as_of else None, n.note,
                str(n.source),
            ))
            for n in r.counts
        ),
    ]  # fmt: skip


def _partner(r: Partner) -> list[TableRow]:
    return [("partners", (
        r.id, r.university, r.institution, r.name.en, r.name.ja, r.kind, r.relation.en, r.relation.ja, r.country,
        r.country_basis, r.since.iso() if r.since else None, r.since_what.en, r.since_what.ja,
        r.designated.iso() if r.designated else None, r.designated_what.en, r.designated_what.ja,
        r.consortium, r.members.en, r.members.ja,
        r.activities.en, r.activities.ja, r.note, str(r.source),
        ", ".join(map(str, r.country_lines)) or None, r.country_reason, _words(r),
    ))]  # fmt: skip


def _event(r: Event) -> list[TableRow]:
    """An event's row, and those of its universities, partners and participants."""
    return [
        ("events", (
            r.id, r.kind, r.date.iso(), r.date.first_day().isoformat(), r.date.last_day().isoformat(),
            int(r.tentative), int(r.onward), r.fiscal_year, r.number, r.weekday.en, r.weekday.ja, r.time,
            r.title.en, r.title.ja, r.title_en_basis, r.title_ja_basis, r.theme.en, r.theme.ja, r.venue.en,
            r.venue.ja, r.university, r.note, str(r.source), r.aim.en, r.aim.ja, r.registration.en, r.registration.ja,
            r.title_en_reason, r.title_ja_reason, _words(r),
        )),
        *(("event_universities", (r.id, uid)) for uid in r.universities),
        *(("event_partners", (r.id, pid)) for pid in r.partners),
        *(
            ("participants", (
                r.id, part.person, i, part.part.en, part.part.ja, part.talk.en, part.talk.ja, part.time,
                part.topic.en, part.topic.ja,
            ))
            for i, part in enumerate(r.participants)
        ),
    ]  # fmt: skip


def _person(r: Person) -> list[TableRow]:
    return [("people", (
        r.id, r.name.en, r.name.ja, r.title_en, r.affiliation.en, r.affiliation.ja, r.role.en, r.role.ja,
        r.university, r.note, str(r.source),
    ))]  # fmt: skip


def _contact(r: Contact) -> list[TableRow]:
    return [("contacts", (
        r.id, r.name.en, r.name.ja, r.department.en, r.department.ja, r.affiliation.en, r.affiliation.ja,
        r.email, r.purpose.en, r.purpose.ja, r.university, r.note, str(r.source),
    ))]  # fmt: skip


def _link(r: Link) -> list[TableRow]:
    return [("links", (r.id, r.url, r.about.en, r.about.ja, r.cited_in, r.event, r.note, str(r.source)))]


# The rows of each kind of record of its own (a count's are its university's). A table per
# kind: each function takes its kind's record type, which a mapping by name cannot say.
ROWS_BY_KIND: Mapping[str, Callable[[Any], list[TableRow]]] = covering(
    {
        "project": _project,
        "university": _university,
        "partner": _partner,
        "event": _event,
        "person": _person,
        "contact": _contact,
        "link": _link,
        "country": _country,
    },
    RECORDS,
)


def record_rows(kind: str, record: Identified) -> list[TableRow]:
    """The export's rows for one record of the archive: its own, and those of what it holds
    (a university's counts, an event's universities, partners and participants, the
    disagreements of each)."""
    return ROWS_BY_KIND[kind](record) + [
        ("disagreements", (record.id, d.field, d.en, d.ja, d.held, d.reason)) for d in disagreements_of(record)
    ]


def analyser_stamp() -> list[int]:
    """The Japanese analyser and its dictionary, by their files' times (neither is imported
    to learn them): the words of the full-text indexes (`words` here, search_rows.py's rows)
    are theirs, so a new dictionary makes them again."""
    import importlib.util

    stamps = []
    for package in ("sudachipy", "sudachidict_small"):
        spec = importlib.util.find_spec(package)
        origin = Path(spec.origin) if spec is not None and spec.origin is not None else None
        stamps.append(origin.stat().st_mtime_ns if origin is not None and origin.exists() else 0)
    return stamps


def current_mark() -> str:
    """What the index's meta says of its export's tables when they are whole and current:
    made by this analyser (analyser_stamp), whose words they hold."""
    return f"current {analyser_stamp()}"


def _words(record: Partner | Event) -> str | None:
    """What the full-text index finds a record's Japanese by: the terms (analysis.terms) of
    every field `spnet search` reads, each once, between spaces."""
    from spnet.analysis import terms
    from spnet.archive.fields import text_fields
    from spnet.names import has_japanese

    found = dict.fromkeys(t for _path, text in text_fields(record) if has_japanese(text) for t in terms(text))
    return " ".join(found) or None


def insert_rows(db: sqlite3.Connection, rows: Iterable[TableRow]) -> None:
    """Rows into the export's tables, a table's run of rows at a time."""
    for table, run in itertools.groupby(rows, key=lambda row: row[0]):
        values = [v for _t, v in run]
        db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({', '.join('?' * len(values[0]))})", values)


def _archive_rows(archive: Archive, told: Callable[[str, int, int], None]) -> Iterator[TableRow]:
    """Every record's rows, kind by kind in the order of their tables' references; `told`
    how many records are done."""
    ordered = [
        (kind, records_of(archive, kind)) for kind in sorted(RECORDS, key=lambda k: TABLES_IN_ORDER.index(k.table))
    ]
    total, done = sum(len(records) for _kind, records in ordered), 0
    for kind, records in ordered:
        for r in records:
            yield from record_rows(kind.name, r)
            done += 1
            told("export", done, total)


def create_tables(db: sqlite3.Connection) -> None:
    """The export's tables, indexes, full-text index (kept current by triggers) and views,
    empty: in the archive's index, and in an export."""
    db.executescript(SCHEMA + SEARCH_AND_VIEWS)


def fill_tables(
    db: sqlite3.Connection, archive: Archive, told: Callable[[str, int, int], None] = lambda *_: None
) -> None:
    """Every record of the archive into the (empty) tables; the full-text index built once
    at the end, which takes a fifth of the time its triggers take row by row. `told` of
    each record put in ("export": done of how many)."""
    db.executescript(DROP_TRIGGERS)
    with db:
        insert_rows(db, _archive_rows(archive, told))
        db.execute("INSERT INTO partners_fts(partners_fts) VALUES ('rebuild')")
        db.execute("INSERT INTO events_fts(events_fts) VALUES ('rebuild')")
    db.executescript(TRIGGERS)
    problems = db.execute("PRAGMA foreign_key_check").fetchall()
    if problems:  # the loader checked every reference; this would be a bug here
        raise AssertionError(f"foreign keys broken in export: {problems[:3]}")


def _in_order_of_references(schema: str) -> tuple[str, ...]:
    """The tables `schema` creates, each after those it references, else in the order it creates them."""
    refs = {
        table: set(re.findall(r"REFERENCES (\w+)", body)) - {table}
        for table, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", schema, re.S)
    }
    done: list[str] = []
    while len(done) < len(refs):
        done.append(next(t for t in refs if t not in done and refs[t] <= set(done)))
    return tuple(done)


# The export's tables (every kind's: kinds.Kind.rows, as a test checks), in the order of their references.
TABLES_IN_ORDER = _in_order_of_references(SCHEMA)


def row_sum(table: str, rows: Iterable[tuple[object, ...]]) -> int:
    """What rows of an export table (rowid first, then its columns, as SQLite gives them
    back) add to the table's sum: each row 2**32 plus a CRC-32 of its values, so that the
    sum, modulo 2**64, counts the rows in its upper half and does not depend on their order."""
    seed = zlib.crc32(table.encode())
    return sum((1 << 32) + zlib.crc32(repr(row).encode("utf-8", "surrogateescape"), seed) for row in rows)


def table_sums(db: sqlite3.Connection) -> dict[str, int]:
    """Each export table's sum (row_sum) over all its rows."""
    return {t: row_sum(t, db.execute(f"SELECT rowid, * FROM {t}")) % (1 << 64) for t in TABLES_IN_ORDER}
