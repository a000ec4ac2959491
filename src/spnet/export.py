"""The whole archive for other tools: a JSON bundle, one CSV per record type, SQLite.

JSON and CSV carry exactly the listing commands' rows (same fields, same order), so
`spnet export json` equals what `spnet partners --format json` and the others print.
SQLite has one table per record type with primary and foreign keys, and a `label` naming
each row (spnet.datasette); the sqlite3 shell and Datasette open it as it is.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import sqlite3
import stat
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from spnet import query, render
from spnet.archive import kinds
from spnet.columns import COLUMNS, Column
from spnet.dates import DateSpan
from spnet.errors import UsageError
from spnet.fsutil import output, replacing
from spnet.i18n import _
from spnet.models import Archive

Row = dict[str, Any]


def bundle(archive: Archive, *, universities: Sequence[str] = (), span: DateSpan | None = None) -> dict[str, list[Row]]:
    """Every record type as the listing commands give it, filtered like them."""
    return {
        "project": query.project(archive),
        "universities": query.universities(archive),
        "partners": query.partners(archive, universities=universities),
        "events": query.timeline(archive, universities=universities, span=span),
        "contacts": query.contacts(archive, universities=universities),
        "links": query.links(archive),
        "countries": query.countries(archive),
    }


def columns(kind: str) -> list[Column]:
    """The listing's fields, as its JSON and CSV carry them by default."""
    return [c for c in COLUMNS[kinds.BUNDLES[kind]] if c.default]


def write_json(data: dict[str, list[Row]], out: Path | None) -> None:
    keyed = {kind: [{c.key: row.get(c.key) for c in columns(kind)} for row in rows] for kind, rows in data.items()}
    if out is None:
        render.emit_json(keyed)
        return
    with output(out) as fh:
        render.emit_json(keyed, fh)


def write_csv(data: dict[str, list[Row]], out: Path | None, *, bom: bool = False) -> None:
    """One CSV file per record type in the directory `out`."""
    if out is None or str(out) == "-":
        raise UsageError(_("a CSV export is one file per record type: give --out DIRECTORY"))
    if out.exists() and not out.is_dir():
        raise UsageError(_("--out {path}: not a directory").format(path=out))
    out.mkdir(parents=True, exist_ok=True)
    for kind, rows in data.items():
        with output(out / f"{kind}.csv") as fh:
            render.emit(rows, columns(kind), render.Output(format=render.Format.csv, bom=bom), stream=fh)


# ------------------------------------------------------------------ SQLite
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
    activities_en TEXT, activities_ja TEXT, note TEXT, source TEXT NOT NULL, country_lines TEXT, country_reason TEXT
);
CREATE TABLE events (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, date TEXT NOT NULL, date_start TEXT NOT NULL, date_end TEXT NOT NULL,
    tentative INTEGER NOT NULL, onward INTEGER NOT NULL, fiscal_year INTEGER, number INTEGER, weekday_en TEXT,
    weekday_ja TEXT, time TEXT, title_en TEXT, title_ja TEXT, title_en_basis TEXT, title_ja_basis TEXT,
    theme_en TEXT, theme_ja TEXT, venue_en TEXT, venue_ja TEXT,
    university TEXT REFERENCES universities(id), note TEXT, source TEXT NOT NULL,
    aim_en TEXT, aim_ja TEXT, registration_en TEXT, registration_ja TEXT, title_en_reason TEXT, title_ja_reason TEXT
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

_PARTNERS_FTS = "name_en, name_ja, relation_en, relation_ja, activities_en, activities_ja"
_EVENTS_FTS = "title_en, title_ja, theme_en, theme_ja, note"


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


# Search and the common joins, for Datasette and for anyone with the sqlite3 shell. The
# trigram tokenizer finds Japanese, which has no spaces between words; triggers keep the
# search current as rows come and go.
TRIGGERS = _fts_triggers("partners", _PARTNERS_FTS) + _fts_triggers("events", _EVENTS_FTS)
SEARCH_AND_VIEWS = f"""
CREATE VIRTUAL TABLE partners_fts USING fts5({_PARTNERS_FTS}, content='partners', tokenize='trigram');
CREATE VIRTUAL TABLE events_fts USING fts5({_EVENTS_FTS}, content='events', tokenize='trigram');
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
_DROP_TRIGGERS = "".join(f"DROP TRIGGER {name};" for name in re.findall(r"CREATE TRIGGER (\w+)", TRIGGERS))


def record_rows(kind: str, r: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """The export's rows for one record of the archive: its own, and those of what it holds
    (a university's counts, an event's universities, partners and participants, the
    disagreements of each)."""
    if kind == "country":
        return [("countries", (r.id, r.name.en, r.name.ja, r.basis, str(r.source), r.reason))]
    rows: list[tuple[str, tuple[Any, ...]]] = []
    if kind == "project":
        rows.append(("project", (
            r.id, r.title.en, r.title.ja, r.framework.en, r.framework.ja, r.aim.en, r.aim.ja, r.managing,
            ", ".join(r.members), r.membership.en, r.membership.ja, r.definition.en, r.definition.ja,
            r.meeting_frequency.en, r.meeting_frequency.ja, r.meeting_agenda.en, r.meeting_agenda.ja, r.note,
            str(r.source),
        )))  # fmt: skip
        rows += [
            ("forum_roles", (r.id, i, f.university, f.name.en, f.name.ja, f.role.en, f.role.ja))
            for i, f in enumerate(r.forum_roles)
        ]
    elif kind == "university":
        rows.append(("universities", (
            r.id, r.name.en, r.name.ja, int(r.managing), r.scheme.en, r.scheme.ja,
            r.activities.en, r.activities.ja, r.outlook.en, r.outlook.ja, r.note, str(r.source),
            r.concept.en, r.concept.ja,
        )))  # fmt: skip
        for n in r.counts:
            as_of = n.as_of.iso() if n.as_of else None
            values = (None, r.id, n.what.en, n.what.ja, n.value, n.qualifier, as_of, n.note, str(n.source))
            rows.append(("counts", values))
    elif kind == "partner":
        rows.append(("partners", (
            r.id, r.university, r.institution, r.name.en, r.name.ja, r.kind, r.relation.en, r.relation.ja, r.country,
            r.country_basis, r.since.iso() if r.since else None, r.since_what.en, r.since_what.ja,
            r.designated.iso() if r.designated else None, r.designated_what.en, r.designated_what.ja,
            r.consortium, r.members.en, r.members.ja,
            r.activities.en, r.activities.ja, r.note, str(r.source),
            ", ".join(map(str, r.country_lines)) or None, r.country_reason,
        )))  # fmt: skip
    elif kind == "event":
        rows.append(("events", (
            r.id, r.kind, r.date.iso(), r.date.first_day().isoformat(), r.date.last_day().isoformat(),
            int(r.tentative), int(r.onward), r.fiscal_year, r.number, r.weekday.en, r.weekday.ja, r.time,
            r.title.en, r.title.ja, r.title_en_basis, r.title_ja_basis, r.theme.en, r.theme.ja, r.venue.en,
            r.venue.ja, r.university, r.note, str(r.source), r.aim.en, r.aim.ja, r.registration.en, r.registration.ja,
            r.title_en_reason, r.title_ja_reason,
        )))  # fmt: skip
        rows += [("event_universities", (r.id, uid)) for uid in r.universities]
        rows += [("event_partners", (r.id, pid)) for pid in r.partners]
        rows += [
            (
                "participants",
                (
                    r.id,
                    part.person,
                    i,
                    part.part.en,
                    part.part.ja,
                    part.talk.en,
                    part.talk.ja,
                    part.time,
                    part.topic.en,
                    part.topic.ja,
                ),
            )  # fmt: skip
            for i, part in enumerate(r.participants)
        ]
    elif kind == "person":
        rows.append(("people", (
            r.id, r.name.en, r.name.ja, r.title_en, r.affiliation.en, r.affiliation.ja, r.role.en, r.role.ja,
            r.university, r.note, str(r.source),
        )))  # fmt: skip
    elif kind == "contact":
        rows.append(("contacts", (
            r.id, r.name.en, r.name.ja, r.department.en, r.department.ja, r.affiliation.en, r.affiliation.ja,
            r.email, r.purpose.en, r.purpose.ja, r.university, r.note, str(r.source),
        )))  # fmt: skip
    elif kind == "link":
        rows.append(("links", (r.id, r.url, r.about.en, r.about.ja, r.cited_in, r.event, r.note, str(r.source))))
    rows += [("disagreements", (r.id, d.field, d.en, d.ja, d.held, d.reason)) for d in getattr(r, "disagreements", ())]
    return rows


# Which rows of the export belong to a record of each kind, by the column that names it:
# what the index deletes when the file that held the record changes.
OWNED_ROWS = {k.name: k.rows() for k in kinds.RECORDS}


def insert_rows(db: sqlite3.Connection, rows: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
    """Rows into the export's tables, a table's run of rows at a time."""
    for table, run in itertools.groupby(rows, key=lambda row: row[0]):
        values = [v for _t, v in run]
        db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({', '.join('?' * len(values[0]))})", values)


def _archive_rows(archive: Archive) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every record's rows, kind by kind in the order of their tables' references."""
    for kind in sorted(kinds.RECORDS, key=lambda k: TABLES_IN_ORDER.index(k.table)):
        for r in kinds.records_of(archive, kind):
            yield from record_rows(kind.name, r)


def create_tables(db: sqlite3.Connection) -> None:
    """The export's tables, indexes, full-text index (kept current by triggers) and views,
    empty: in the archive's index, and in an export."""
    db.executescript(SCHEMA + SEARCH_AND_VIEWS)


def fill_tables(db: sqlite3.Connection, archive: Archive) -> None:
    """Every record of the archive into the (empty) tables; the full-text index built once
    at the end, which takes a fifth of the time its triggers take row by row."""
    db.executescript(_DROP_TRIGGERS)
    with db:
        insert_rows(db, _archive_rows(archive))
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


def write_sqlite(
    archive: Archive,
    out: Path | None,
    *,
    force: bool = False,
    metadata: Path | None = None,
    index: sqlite3.Connection | None = None,
) -> None:
    """A new SQLite database at `out`, written to a temporary file and moved into place: a
    copy of the archive's index (`index`, when it is current) without what only the index
    needs, when its rows add up to the sums the index keeps of them; else (no index, or a
    spoiled one) the same tables built afresh from the archive."""
    if out is None:
        raise UsageError(_("a SQLite export is a file: give --out FILE"))
    if not force and _foreign_database(out):
        raise UsageError(_("--out {path}: a file spnet did not write; --force replaces it").format(path=out))
    with replacing(out) as tmp, _sqlite_writing():
        if index is None or not _checked_copy(index, tmp):
            if index is not None:  # a spoiled index: its export's tables filled again next time
                from spnet.archive.writer import export_spoiled

                export_spoiled(index)
            tmp.unlink(missing_ok=True)  # what a copy left behind
            db = _scratch(tmp)
            try:
                create_tables(db)
                fill_tables(db, archive)
            finally:
                db.close()
        from spnet import datasette

        db = sqlite3.connect(tmp)
        try:
            datasette.add_columns(db)  # the export's alone: the index has no use for them
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("PRAGMA user_version = 0")  # an export, not an index
            db.commit()
        finally:
            db.close()
    if metadata is not None:
        import json

        with output(metadata) as fh:
            fh.write(json.dumps(datasette.metadata(out.stem), ensure_ascii=False, indent=2) + "\n")


def _checked_copy(index: sqlite3.Connection, tmp: Path) -> bool:
    """The export's tables of `index` copied into a new database at `tmp` (SQLite copies a
    table whole into an empty one of the same layout, its pages as they are), when every
    row of the copy reads back as the index's writer wrote it (table_sums); its indexes and
    full-text indexes made again from those rows, since no sum covers them. False when
    the copy is not that."""
    from spnet.archive.writer import export_sums

    sums = export_sums(index)
    if sums is None:
        return False
    try:
        with contextlib.closing(_scratch(tmp)) as db:
            create_tables(db)
            db.executescript(_DROP_TRIGGERS)  # a table with triggers is copied row by row
        index.execute("ATTACH ? AS copy", (str(tmp.resolve()),))  # absolute: never read as a URI
        try:
            with index:
                for table in TABLES_IN_ORDER:
                    index.execute(f"INSERT INTO copy.{table} SELECT * FROM main.{table}")
        finally:
            index.execute("DETACH copy")
        with contextlib.closing(_scratch(tmp)) as db:
            if table_sums(db) != sums:
                return False
            db.executescript(
                "REINDEX; INSERT INTO partners_fts(partners_fts) VALUES ('rebuild');"
                f"INSERT INTO events_fts(events_fts) VALUES ('rebuild'); {TRIGGERS}"
            )
    except sqlite3.Error:  # a spoiled index (unreadable pages, text that is not UTF-8); a file
        return False  # that cannot be written fails again, and is reported, as the tables are built
    return True


def _scratch(tmp: Path) -> sqlite3.Connection:
    """The temporary file, written without a journal or a sync of its own at each of the
    layout's statements: `replacing` syncs it once, whole, before it takes its place."""
    db = sqlite3.connect(tmp)
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
    return db


def row_sum(table: str, rows: Iterable[tuple[Any, ...]]) -> int:
    """What rows of an export table (rowid first, then its columns, as SQLite gives them
    back) add to the table's sum: each row 2**32 plus a CRC-32 of its values, so that the
    sum, modulo 2**64, counts the rows in its upper half and does not depend on their order."""
    seed = zlib.crc32(table.encode())
    return sum((1 << 32) + zlib.crc32(repr(row).encode("utf-8", "surrogateescape"), seed) for row in rows)


def table_sums(db: sqlite3.Connection) -> dict[str, int]:
    """Each export table's sum (row_sum) over all its rows."""
    return {t: row_sum(t, db.execute(f"SELECT rowid, * FROM {t}")) % (1 << 64) for t in TABLES_IN_ORDER}


# SQLite's own words for a file it could not write (a full disk, no permission), which spnet
# reports as any output it cannot write (exit 4); any other SQLite error is a bug.
_WRITE_FAILURES = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY}


@contextlib.contextmanager
def _sqlite_writing() -> Iterator[None]:
    """SQLite failing to write its file raises what every writer raises then: an OSError."""
    try:
        yield
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code not in _WRITE_FAILURES:
            raise
        raise OSError(errno.ENOSPC if code == sqlite3.SQLITE_FULL else errno.EIO, str(exc)) from exc


# SQLite's header keeps an application id at offset 68: spnet's says the file is its own.
APPLICATION_ID = 0x73706E74  # "spnt"


def _foreign_database(path: Path) -> bool:
    """An existing, non-empty regular file that is not a database spnet wrote."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) or os.path.getsize(path) == 0:
            return False
        with open(path, "rb") as fh:
            head = fh.read(72)
    except FileNotFoundError:
        return False
    return not (head.startswith(b"SQLite format 3\x00") and int.from_bytes(head[68:72], "big") == APPLICATION_ID)
