"""The search index: a database of its own beside the archive's index (index.py), made the
first time `search` runs (it costs more than the rest of the index together: every field
folded). One row per record holds how search compares each of its text fields (folded,
the analyser's words, their readings: fields.compared_forms), under a trigram full-text
index of the record's text that keeps no positions: it picks the records that may hold a
word, and the stored forms decide. What search shows of a field is the record's own,
read from the archive's index. Like the archive's index, it keeps each data file's rows
apart: after an edit, the next search folds again only the edited file's records."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spnet.archive.fields import Compared, Field, compared_forms, stored_fields
from spnet.archive.index import (
    DEFINES,
    SCHEMA_SQL,
    UNREADABLE,
    Spoiled,
    decode,
    files_of,
    index_path,
    open_for_reading,
    row_crc,
    unpack,
)
from spnet.archive.kinds import RECORDS, kind_of
from spnet.archive.load import Progress, ProgressMaker, Unseen
from spnet.archive.rows import bound_to, kept
from spnet.archive.tables import analyser_stamp
from spnet.models import Archive, Country, Project

_SEARCH_LAYOUT = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (name TEXT PRIMARY KEY, stat TEXT NOT NULL);
CREATE TABLE search (
    rowid INTEGER PRIMARY KEY, file TEXT NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    lead TEXT NOT NULL, folded TEXT NOT NULL, words TEXT NOT NULL, readings TEXT NOT NULL, crc INTEGER NOT NULL
);
CREATE INDEX search_by_file ON search(file);
CREATE VIRTUAL TABLE search_fts USING fts5(text, content='', tokenize='trigram', detail=none);
"""
# What the full-text index holds of a row: the folded text and the words, as one text.
_INDEXED = "{0}.folded || char(10) || {0}.words"
# The full-text index kept current row by row, once it is made: a new search index fills
# it in one go after every row is in: 57 s at 1000x, against 131 s row by row (bench/README.md).
_TRIGGERS = f"""
CREATE TRIGGER search_ai AFTER INSERT ON search BEGIN
    INSERT INTO search_fts(rowid, text) VALUES (new.rowid, {_INDEXED.format("new")});
END;
CREATE TRIGGER search_ad AFTER DELETE ON search BEGIN
    INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.rowid, {_INDEXED.format("old")});
END;
"""
# The archive's order of kinds (`records.all_records`), which search answers in.
_KINDS = tuple(kind.name for kind in RECORDS)
_COLUMNS = "file, ord, kind, id, lead, folded, words, readings"
# A record's fields are kept one after another in each text column, between these.
_BETWEEN = "\n"
# The form of the search index's rows: bump it when search folds, analyses or picks
# text otherwise (names.fold, variants.txt, analysis.py, fields.searchable_fields).
# tests/test_search_format.py fails until it is bumped, and its digests recorded again.
SEARCH_FORMAT = 5
# A new search index's full-text index is filled in this many runs of rows, in the order
# of their rowids, so that its progress can be shown.
_FULL_TEXT_RUNS = 20


@functools.cache
def search_layout() -> list[tuple[str, ...]]:
    """What sqlite_master holds in a search index spnet writes (index.open_for_reading)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(_SEARCH_LAYOUT + _TRIGGERS)
        return conn.execute(SCHEMA_SQL).fetchall()
    finally:
        conn.close()


def folding_stamp() -> str:
    """The form of the stored words beyond spnet's own code (which the archive's index's
    key, kept with the rows, covers: index.BUILT_FROM): SEARCH_FORMAT and the analyser
    and its dictionary (tables.analyser_stamp)."""
    return json.dumps([SEARCH_FORMAT, analyser_stamp()])


def _file_rows(index: sqlite3.Connection, name: str) -> Iterator[tuple[Any, ...]]:
    """The search rows of one data file's records, from the archive's index: each with its
    place in the file (`ord`, as the index's `defines` has it) and in the record (`seq`),
    and `lead`, what orders it before its place in the files: an event's first day, a
    partner's university."""
    rowid, summary, stat = index.execute("SELECT rowid, summary, stat FROM files WHERE name = ?", (name,)).fetchone()
    bound = bound_to(name, stat)
    place = {}
    for *values, crc in index.execute(f"SELECT {DEFINES}, crc FROM defines WHERE file = ?", (rowid,)):
        if row_crc(*values) != crc:
            raise Spoiled("a row of defines in the index does not match its checksum")
        place[values[3], values[2]] = values[1]
    summary_ = json.loads(unpack(summary, bound))
    found: list[Any] = [decode(c, Country) for c in summary_["countries"]]
    if "project" in summary_:  # the project file's own record, kept in its summary
        found.insert(0, decode(summary_["project"], Project))
    for plural, rows in kept().items():
        records = rows.read(index, {rowid: bound}, "p.file = ?", (rowid,), "p.ord")
        if len(records) != summary_["sizes"][plural]:
            raise Spoiled(f"the index holds {len(records)} {plural} of {name}")
        found += records
    for record in found:
        kind = kind_of(record)
        lead = (
            record.date.first_day().isoformat() if kind == "event" else record.university if kind == "partner" else ""
        )
        compared = compared_forms(record)
        if compared:  # a record of no text is found by no word
            texts = [_BETWEEN.join(forms) for forms in zip(*compared, strict=True)]
            row = (name, place[kind, record.id], kind, record.id, lead, *texts)
            yield (*row, row_crc(*row))


def _bring_up_to_date(
    path: Path,
    key: str,
    index: sqlite3.Connection,
    spoiled: str | None = None,
    progress: ProgressMaker | None = None,
) -> None:
    """The search index made to match the archive's index: the rows of each data file
    changed since (or new, or `spoiled`) made again, those of a file gone deleted; every
    file's, when the words were stored in another form (folding_stamp).
    Written beside it and moved into place, as the archive's index is. `progress` is told
    of each file folded ("search") and of the rows put in a new full-text index
    ("fulltext")."""
    from spnet.archive.writer import stamp, write_database

    now = {row.name: row.stat for row in files_of(index).values()}
    told = progress() if progress is not None else Unseen()

    def fill(conn: sqlite3.Connection, copied: bool) -> None:
        folding = folding_stamp()
        if copied and conn.execute("SELECT value FROM meta WHERE key = 'folding'").fetchone() != (folding,):
            # Every row is made again: a new, empty search index, its full-text index filled in one go.
            conn.executescript("DROP TABLE search_fts; DROP TABLE search; DROP TABLE files; DROP TABLE meta;")
            copied = False
        if not copied:
            conn.executescript(_SEARCH_LAYOUT)
            stamp(conn)
        before = dict(conn.execute("SELECT name, stat FROM files").fetchall())
        changed = [name for name, st in now.items() if before.get(name) != st or name == spoiled]
        for name in [*changed, *(before.keys() - now.keys())]:
            conn.execute("DELETE FROM search WHERE file = ?", (name,))
            conn.execute("DELETE FROM files WHERE name = ?", (name,))
        for n, name in enumerate(changed):  # streamed: never every row in memory
            conn.executemany(
                f"INSERT INTO search ({_COLUMNS}, crc) VALUES ({', '.join('?' * 9)})", _file_rows(index, name)
            )
            conn.execute("INSERT INTO files VALUES (?, ?)", (name, now[name]))
            told("search", n + 1, len(changed))
        if not copied:
            _fill_full_text(conn, told)
            conn.executescript(_TRIGGERS)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (key,))
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('folding', ?)", (folding,))

    try:
        write_database(path, fill, search_layout)
    finally:
        told.close()


def _fill_full_text(conn: sqlite3.Connection, told: Progress) -> None:
    """The full-text index of a new search index filled from its rows run by run, in the
    order of their rowids; told of the rows done."""
    low, high = conn.execute("SELECT min(rowid), max(rowid) FROM search").fetchone()
    if low is None:
        return
    step = (high - low) // _FULL_TEXT_RUNS + 1
    for first in range(low, high + 1, step):
        last = min(first + step - 1, high)
        conn.execute(
            f"INSERT INTO search_fts(rowid, text) SELECT rowid, {_INDEXED.format('search')} FROM search"
            " WHERE rowid BETWEEN ? AND ?",
            (first, last),
        )
        told("fulltext", last - low + 1, high - low + 1)


def _candidates(how: str, what: str) -> tuple[str, tuple[str, ...]]:
    """The query for the rows of the records that may hold one form of a word: by the
    trigram index for three characters or more (each of its trigrams: the index keeps no
    positions), by a scan for fewer, and for a reading by a scan of the readings without
    their spaces."""
    if how == "kana":
        return "SELECT rowid FROM search WHERE instr(replace(readings, ' ', ''), ?)", (what,)
    if len(what) >= 3:
        trigrams = dict.fromkeys(what[i : i + 3] for i in range(len(what) - 2))
        query = " AND ".join('"' + t.replace('"', '""') + '"' for t in trigrams)
        return "SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (query,)
    return f"SELECT rowid FROM search WHERE instr({_column(how)}, ?)", (what,)


def _holds(forms: list[tuple[str, str]], compared: Compared) -> bool:
    """Whether a field may hold one of the forms of a word (records.search decides)."""
    for how, what in forms:
        if how == "kana":
            if what in compared.readings.replace(" ", ""):
                return True
        elif what in (compared.words if how == "words" else compared.folded):
            return True
    return False


def _column(how: str) -> str:
    return "words" if how == "words" else "folded"


class Search:
    """Search through the search index: each word's records from the trigram index (a
    word under three characters, which trigrams cannot find, by a scan of the folded
    text), then the fields of the records holding every word, in the archive's order.
    The search index is brought up to date on first use for these very files (`key`),
    from the archive's index (`index`, open in the snapshot the archive is read from); a
    row that does not match its checksum, or an index SQLite finds broken, answers
    nothing (None) and search looks itself; the file of a spoiled row has its rows
    made again, and a search index SQLite finds broken is removed, for the next search
    to make again."""

    def __init__(
        self, root: Path, key: str, archive: Archive, index: sqlite3.Connection, progress: ProgressMaker | None = None
    ) -> None:
        self.root, self.key, self.archive, self.index = root, key, archive, index
        self.progress = progress
        self.conn: sqlite3.Connection | None = None
        self.path = Path()
        self.opened: int | None = None  # the inode of the search index opened

    def _open(self) -> sqlite3.Connection | None:
        if self.conn is None:
            path = index_path(self.root)
            if path is None:
                return None
            path = self.path = path.with_name(path.name.replace("index-", "search-", 1))
            for attempt in range(2):
                conn = open_for_reading(path, search_layout)
                try:
                    meta = dict(conn.execute("SELECT key, value FROM meta")) if conn is not None else {}
                    if meta.get("key") == self.key and meta.get("folding") == folding_stamp():
                        self.conn, self.opened = conn, os.stat(path).st_ino
                        break
                except UNREADABLE:  # sqlite3's errors, and a spoiled byte that is not UTF-8
                    pass
                if conn is not None:
                    conn.close()
                if attempt == 0:
                    _bring_up_to_date(path, self.key, self.index, progress=self.progress)
        return self.conn

    def __call__(self, typed: list[list[tuple[str, str]]]) -> list[Field] | None:
        """The fields of the records that may hold every typed word (each word a list of
        forms, records.Typed), in the archive's order: a superset that records.search
        narrows, from the forms stored, never analysing a record again."""
        try:
            if self._open() is None:
                return None
            assert self.conn is not None
            picked = " AND ".join(
                "rowid IN (" + " UNION ".join(_candidates(how, what)[0] for how, what in forms) + ")" for forms in typed
            )
            params = [p for forms in typed for how, what in forms for p in _candidates(how, what)[1]]
            each = [functools.partial(_holds, forms) for forms in typed]  # whether a field holds a form of a word

            def any_word(c: Compared) -> bool:
                return any(holds(c) for holds in each)

            held: dict[str, tuple[tuple[str, int, str, str, str], list[Compared]]] = {}
            for *row, crc in self.conn.execute(f"SELECT {_COLUMNS}, crc FROM search WHERE {picked}", params):
                if row_crc(*row) != crc:  # that file's rows made again for the next search
                    self._make_again(row[0])
                    return None
                *place, folded, words, readings = row
                compared = [
                    Compared(*c) for c in zip(*(t.split(_BETWEEN) for t in (folded, words, readings)), strict=True)
                ]
                if all(any(holds(c) for c in compared) for holds in each):
                    held[place[3]] = (place, compared)
            found = self._records({rid: place[2] for rid, (place, _) in held.items()})
            if found is None:
                return None
            order = self._order()
            fields = []
            for rid, (_place, compared) in sorted(held.items(), key=lambda item: order(*item[1][0])):
                fields += stored_fields(found[rid], compared, any_word)
            return fields
        except (*UNREADABLE, Spoiled):
            self._discard()
            return None

    def _records(self, kinds: dict[str, str]) -> dict[str, Any] | None:
        """The records of these ids (id -> kind) from the archive; None when one is not
        there (the index spoiled)."""
        found = self.archive.records(kinds)
        if any(rid not in found or kind_of(found[rid]) != kind for rid, kind in kinds.items()):
            return None
        return found

    def _make_again(self, file: str) -> None:
        """The rows of a file, one found spoiled, made again."""
        assert self.conn is not None
        self.conn.close()
        self.conn = None
        _bring_up_to_date(self.path, self.key, self.index, spoiled=file, progress=self.progress)

    def _discard(self) -> None:
        """The search index found unreadable removed, unless another has taken its place:
        the next search makes it again, rather than every search looking itself."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        with contextlib.suppress(OSError):
            if self.opened is not None and os.stat(self.path).st_ino == self.opened:
                os.unlink(self.path)

    def _order(self) -> Any:
        """Sort key of a row: the archive's order of records (records.all_records), then
        the record's order of fields. Universities in the project's order, partners by
        university, events by date, each kind then in the order of the files."""
        pos = {row.name: row.pos for row in files_of(self.index).values()}
        project = self.archive.index.project
        members = {uid: n for n, uid in enumerate((project.managing, *project.members))}
        universities = {uid: n for n, uid in enumerate(self.archive.index.partner_counts)}

        def key(file: str, ord_: int, kind: str, rid: str, lead: str) -> tuple[Any, ...]:
            first: Any = lead
            if kind == "university":
                first = members.get(rid, len(members))
            elif kind == "partner":
                first = universities.get(lead, len(universities))
            return (_KINDS.index(kind), first, pos[file], ord_)

        return key
