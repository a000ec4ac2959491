"""The search index's rows, kept in the archive's index (index.py) beside the records they
come from: one row per record, holding how search compares each of its text fields
(folded, the analyser's words, their readings: fields.compared_forms), under a trigram
full-text index of the record's text that keeps no positions. They cost more than the rest
of the index together (every field folded, the Japanese ones analysed), so the first
search makes them (fill), and every update of the index after keeps them current, file by
file, in the same transaction as the file's records (Writer.put and forget). What search
does with them is search.py's."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

from spnet.archive.fields import Compared, compared_forms
from spnet.archive.index import SEARCH_INDEXED, SEARCH_TRIGGERS
from spnet.archive.kinds import kind_of
from spnet.archive.packed import decode, row_crc, unpack
from spnet.archive.rows import Spoiled, bound_to, kept
from spnet.archive.state import DEFINES, files_of
from spnet.archive.tables import analyser_stamp
from spnet.models import Country, Identified, Project

if TYPE_CHECKING:
    from spnet.archive.load import Progress

# The form of the search rows: bump it when search folds, analyses or picks text otherwise
# (names.fold, variants.txt, analysis.py, fields.text_fields and compared_forms).
# tests/test_search_format.py fails until it is bumped, and its digests recorded again.
SEARCH_FORMAT = 8
_DROP_TRIGGERS = "DROP TRIGGER search_ai; DROP TRIGGER search_ad;"
COLUMNS = "file, ord, kind, id, folded, words, readings"
SearchRow = tuple[int, int, str, str, str, str, str]  # a search row's COLUMNS
# A record's fields are kept one after another in each text column, between these.
BETWEEN = "\n"
# The full-text index of the first search is filled in this many runs of rows, in the order
# of their rowids, so that its progress can be shown.
_FULL_TEXT_RUNS = 20
EMPTY = "empty"  # the meta 'search' of an index whose search rows are not made


def folding_stamp() -> str:
    """The form of the stored words beyond spnet's own code (which the index's key covers:
    index.BUILT_FROM): SEARCH_FORMAT and the analyser and its dictionary
    (tables.analyser_stamp). An index whose meta 'search' says it has its search rows."""
    return json.dumps([SEARCH_FORMAT, analyser_stamp()])


def current(conn: sqlite3.Connection) -> bool:
    """Whether the index open as `conn` holds the search rows of every record."""
    return bool(conn.execute("SELECT value FROM meta WHERE key = 'search'").fetchone() == (folding_stamp(),))


def checked(row: SearchRow, crc: int, bound: str) -> bool:
    """Whether a search row (its COLUMNS) matches its CRC, which covers what its file's
    records are bound to (rows.bound_to): a row of another file's, or of the file before
    it changed, does not."""
    return row_crc(bound, *row) == crc


def compared(row: SearchRow) -> list[Compared]:
    """How search compares each field of the record of a search row (its COLUMNS);
    ValueError when the texts do not hold as many fields each."""
    *_place, folded, words, readings = row
    return [Compared(*c) for c in zip(*(t.split(BETWEEN) for t in (folded, words, readings)), strict=True)]


def _rows(conn: sqlite3.Connection, file: int) -> Iterator[tuple[*SearchRow, int]]:
    """The search rows of one data file's records (its row `file` in `files`), from the
    records the index holds: each with its place in the file (`ord`, as `defines` has it)."""
    name: str
    summary: bytes
    stat: str
    name, summary, stat = conn.execute("SELECT name, summary, stat FROM files WHERE rowid = ?", (file,)).fetchone()
    bound = bound_to(name, stat)
    place: dict[tuple[str, str], int] = {}
    for *values, crc in conn.execute(f"SELECT {DEFINES}, crc FROM defines WHERE file = ?", (file,)):
        if row_crc(*values) != crc:
            raise Spoiled("a row of defines in the index does not match its checksum")
        place[values[3], values[2]] = values[1]
    held = json.loads(unpack(summary, bound))
    found: list[Identified] = [decode(c, Country) for c in held["countries"]]
    if "project" in held:  # the project file's own record, kept in its summary
        found.insert(0, decode(held["project"], Project))
    for plural, rows in kept().items():
        records = rows.read(conn, {file: bound}, "p.file = ?", (file,), "p.ord")
        if len(records) != held["sizes"][plural]:
            raise Spoiled(f"the index holds {len(records)} {plural} of {name}")
        found += records
    for record in found:
        kind = kind_of(record)
        forms = compared_forms(record)
        if forms:  # a record of no text is found by no word
            folded, words, readings = (BETWEEN.join(f) for f in zip(*forms, strict=True))
            row: SearchRow = (file, place[kind, record.id], kind, record.id, folded, words, readings)
            yield (*row, row_crc(bound, *row))


def put(conn: sqlite3.Connection, file: int) -> None:
    """The search rows of one data file's records, as the index now holds them."""
    made = conn.executemany(f"INSERT INTO search ({COLUMNS}, crc) VALUES ({', '.join('?' * 8)})", _rows(conn, file))
    _count(conn, made.rowcount)


def forget(conn: sqlite3.Connection, file: int) -> bool:
    """One data file's search rows deleted, before its own row; False, deleting nothing,
    when one does not match its CRC: the full-text index, told to forget a text it was
    never given, would be spoiled (then clear them all)."""
    found = conn.execute("SELECT name, stat FROM files WHERE rowid = ?", (file,)).fetchone()
    bound = bound_to(*found) if found is not None else ""
    for *row, crc in conn.execute(f"SELECT {COLUMNS}, crc FROM search WHERE file = ?", (file,)):
        if not checked(tuple(row), crc, bound):
            return False
    _count(conn, -conn.execute("DELETE FROM search WHERE file = ?", (file,)).rowcount)
    return True


def clear(conn: sqlite3.Connection) -> None:
    """No search rows, and none to be kept current: the next search makes them all."""
    conn.executescript(_DROP_TRIGGERS)
    conn.execute("DELETE FROM search")
    conn.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
    conn.executescript(SEARCH_TRIGGERS)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('search', ?)", (EMPTY,))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('search-rows', 0)")


def _count(conn: sqlite3.Connection, more: int) -> None:
    """The count of search rows the index keeps, `more` (or fewer) than it was."""
    conn.execute("UPDATE meta SET value = value + ? WHERE key = 'search-rows'", (more,))


def whole(conn: sqlite3.Connection) -> bool:
    """Whether the index holds as many search rows as were put in it, and its full-text
    index as many texts: a row or a text deleted is seen, which no row's CRC could show
    (a count each, read in a few milliseconds at 1000x). Damage inside the full-text
    index that leaves its count whole is not (docs/database.md)."""
    kept = conn.execute("SELECT value FROM meta WHERE key = 'search-rows'").fetchone()
    counts = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("search", "search_fts")]
    return kept is not None and counts == [kept[0], kept[0]]


def fill(conn: sqlite3.Connection, told: Progress) -> None:
    """The search rows of every record made, and their full-text index in one go after,
    told of the files folded ("search") and of the rows put in the full-text index
    ("fulltext")."""
    clear(conn)
    conn.executescript(_DROP_TRIGGERS)
    files = sorted(files_of(conn))
    for n, file in enumerate(files):  # streamed: never every row in memory
        put(conn, file)
        told("search", n + 1, len(files))
    low, high = conn.execute("SELECT min(rowid), max(rowid) FROM search").fetchone()
    if low is not None:
        step = (high - low) // _FULL_TEXT_RUNS + 1
        for first in range(low, high + 1, step):
            last = min(first + step - 1, high)
            conn.execute(
                f"INSERT INTO search_fts(rowid, text) SELECT rowid, {SEARCH_INDEXED.format('search')} FROM search"
                " WHERE rowid BETWEEN ? AND ?",
                (first, last),
            )
            told("fulltext", last - low + 1, high - low + 1)
    conn.executescript(SEARCH_TRIGGERS)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'search'", (folding_stamp(),))
