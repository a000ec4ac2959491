"""The derived index: one SQLite database per data directory, in the user's cache directory.

The TOML files are the truth; the index is brought up to date from them whenever one
changes, and rebuilt when it is missing, foreign or spoiled; it never changes an answer.
What it holds of each data file (unit.py) is kept apart, so that after an edit only that
file's rows are replaced:

- `files`: each file's size, times and inode, whether it is in canonical form (once
  `check` asked), the problems found in it, and what the archive's index takes from it;
- the records' rows (rows.py): one row per record in typed columns of its kind's table,
  child tables for its lists, each record with a CRC-32, so that a spoiled byte is seen
  and the archive read again from its files; a piece of the archive (one university's
  partners, one year's events) is a query that SQLite picks and orders;
- `defines` and `refs`: the ids each file defines and those it names, which the checks
  across files run over in SQL (crosscheck.py);
- `meta`: what the index was last brought up to date from, and the archive's index (the
  small part every query reads) or the errors that make the archive invalid;
- the search rows (search_rows.py): how search compares each record's text, under a
  full-text index, made by the first search and kept current by every update after;
- the tables, views and full-text index of `spnet export sqlite` (tables.py), which is a
  copy of them.

An update is made in a copy of the index beside it, moved into place when whole
(writer.py): readers see the old index or the new, never a part. Nothing in it is executed: records are
rebuilt from their rows, and the summaries from JSON, by the record types named in
`models.RECORD_TYPES`, and nothing else.
A cache directory or index not the user's own, or writable by others, is not used at all
(paths.safe_cache_dir, owned_safely).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import stat
import sys
import typing
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from spnet.archive.packed import UNREADABLE
from spnet.archive.paths import owned_safely, safe_cache_dir
from spnet.archive.pieces import Pieces
from spnet.archive.rows import Spoiled as Spoiled  # where a spoiled part of the index is found, read or written
from spnet.archive.rows import layout as layout_of_rows
from spnet.archive.state import State, read_state, warnings_of
from spnet.collection import Archive
from spnet.models import Field, Problem

if TYPE_CHECKING:
    from spnet.archive.load import ProgressMaker

T = TypeVar("T")
APPLICATION_ID = 0x73706E74  # "spnt": marks a database spnet wrote (index and export)
INDEX_FORMAT = 12  # PRAGMA user_version of the index: a change of layout makes it stale


# ------------------------------------------------------------------ where, and whether
def index_path(root: Path) -> Path | None:
    """The index of one data directory, or None when no safe cache directory is there."""
    where = safe_cache_dir()
    if where is None:
        return None
    name = str(root.resolve()).encode("utf-8", "surrogateescape")
    return where / f"index-{zlib.crc32(name):08x}{zlib.adler32(name):08x}.sqlite"


def open_for_reading(
    path: Path, layout: Callable[[], list[tuple[str, ...]]] | None = None
) -> sqlite3.Connection | None:
    """The index, read-only, when it is a regular file of the user's own that nobody else
    may write, marked as spnet's, and of exactly the layout spnet writes: no table, column,
    index, trigger or view more or less, so nothing planted in it acts on a later update;
    else None (a missing index is simply built, as is one that another program left a
    journal beside: it is removed first). A writer gives the `layout` it writes, made by
    its code in memory; a reader checks the layout against the mark the index was made
    with (`layout_mark`), and leaves that to the writer, whom a change would act on."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or not owned_safely(st) or _left_by_another(path):
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        head = conn.execute("PRAGMA application_id").fetchone()[0], conn.execute("PRAGMA user_version").fetchone()[0]
        schema = conn.execute(SCHEMA_SQL).fetchall()
        # A spoiled byte in the schema's text is not UTF-8: a ValueError, not sqlite3's.
        same = schema == layout() if layout is not None else _marked(conn, schema)
    except UNREADABLE:
        conn.close()
        return None
    if head != (APPLICATION_ID, INDEX_FORMAT) or not same:
        conn.close()
        return None
    return conn


def layout_mark(schema: list[tuple[str, ...]]) -> str:
    """What an index keeps of its layout when made (dbfile.stamp), and again in each copy a
    writer checked (dbfile.start_copy), for a reader to check the layout it finds against:
    making spnet's own in memory (index_layout) would cost every query a good part of its
    time on the real archive (bench/README.md). Like the rows' checksums it finds what an
    accident or another program changed; someone who rewrites the mark as well, as they
    could rewrite a row with its checksum, gets their index read, but never acted on by an
    update: a writer compares the whole layout with its code's."""
    return f"{zlib.crc32(repr(schema).encode('utf-8', 'surrogateescape')):08x}"


def _marked(conn: sqlite3.Connection, schema: list[tuple[str, ...]]) -> bool:
    return bool(conn.execute("SELECT value FROM meta WHERE key = 'layout'").fetchone() == (layout_mark(schema),))


SCHEMA_SQL = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


def _left_by_another(path: Path) -> bool:
    """Whether another program left a journal (`-journal`, `-wal`) beside a database of
    spnet's, which writes none (a copy is moved into place): one killed in a transaction,
    say (the sqlite3 shell). The database then goes with it, unless a writer is at work on
    it (its lock is taken), and is made again, once. Whose pages a journal holds cannot
    be told: rolled back into a file it was not written for, it would mix the two. Left
    beside it, a hot journal makes every read-only open fail, and the database would be
    rebuilt on every run with the journal still there."""
    if not any(os.path.exists(f"{path}{suffix}") for suffix in ("-journal", "-wal")):
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=0)) as conn:
            conn.execute("BEGIN IMMEDIATE")  # no other writer is at work; SQLite rolls a hot journal back
            for suffix in ("-journal", "-wal", "-shm", ""):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{path}{suffix}")
            conn.rollback()
    except (sqlite3.Error, OSError):
        return False
    return True


# What the full-text index of the search rows (search_rows.py) holds of one: its folded
# text and words, as one text. It keeps no positions: it picks the records that may hold a
# word, and the stored forms decide. Once made, these triggers keep it current.
SEARCH_INDEXED = "{0}.folded || char(10) || {0}.words"
SEARCH_TRIGGERS = f"""
CREATE TRIGGER search_ai AFTER INSERT ON search BEGIN
    INSERT INTO search_fts(rowid, text) VALUES (new.rowid, {SEARCH_INDEXED.format("new")});
END;
CREATE TRIGGER search_ad AFTER DELETE ON search BEGIN
    INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.rowid, {SEARCH_INDEXED.format("old")});
END;
"""

# What an index holds besides the export's tables (tables.py): made here, where it is read,
# so that a query need not import the writer (writer.py) to check it.
LAYOUT = (
    """
CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL);
CREATE TABLE files (
    rowid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, pos INTEGER NOT NULL, stat TEXT NOT NULL,
    canonical INTEGER, university TEXT, problems BLOB NOT NULL, summary BLOB NOT NULL, crc INTEGER NOT NULL
);
CREATE TABLE defines (
    file INTEGER NOT NULL, ord INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, place TEXT NOT NULL,
    university TEXT, crc INTEGER NOT NULL
);
CREATE INDEX defines_by_id ON defines(id, kind);
CREATE INDEX defines_by_file ON defines(file);
CREATE TABLE refs (
    file INTEGER NOT NULL, ord INTEGER NOT NULL, place TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
    kind TEXT NOT NULL, university TEXT, crc INTEGER NOT NULL
);
CREATE INDEX refs_by_file ON refs(file);
CREATE TABLE search (
    rowid INTEGER PRIMARY KEY, file INTEGER NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    folded TEXT NOT NULL, words TEXT NOT NULL, readings TEXT NOT NULL, crc INTEGER NOT NULL
);
CREATE INDEX search_by_file ON search(file);
CREATE VIRTUAL TABLE search_fts USING fts5(text, content='', tokenize='trigram', detail=none);
"""
    + SEARCH_TRIGGERS
    + layout_of_rows()
)


@functools.cache
def index_layout() -> list[tuple[str, ...]]:
    """What sqlite_master holds in an index spnet writes: made once, in memory, by the
    code that makes one."""
    from spnet.archive.tables import create_tables

    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(LAYOUT)
        create_tables(conn)
        return conn.execute(SCHEMA_SQL).fetchall()
    finally:
        conn.close()


class Found(typing.NamedTuple):
    archive: Archive | None
    errors: list[Problem]
    warnings: Callable[[], list[Problem]]
    checked: bool


def read_archive(
    root: Path, key: str, rescan: Callable[[], Archive], progress: ProgressMaker | None = None
) -> Found | None:
    """The archive (or the errors that make it invalid) from the index, when the index was
    brought up to date from these very files (`key`); None when there is no usable index.
    `progress` is shown while the search index is built (found)."""
    path = index_path(root)
    conn = open_for_reading(path) if path is not None else None
    if conn is None:
        return None
    try:
        conn.execute("BEGIN")  # one snapshot for every piece read later
        state = read_state(conn, key)
    except (*UNREADABLE, Spoiled):
        state = None
    if state is None:
        conn.close()
        return None
    return found(conn, state, rescan, str(root), root=root, key=key, progress=progress)


def found(
    conn: sqlite3.Connection,
    state: State,
    rescan: Callable[[], Archive] | None,
    where: str,
    *,
    root: Path | None = None,
    key: str | None = None,
    progress: ProgressMaker | None = None,
) -> Found:
    """The archive in an open index (or its errors), its pieces read when first asked for.
    A kept index (`root` and `key`) found spoiled is removed, then made again from the
    files (`rescan`), if it can be written. `progress` is shown while the search index of
    a kept index is built, on the first search."""
    discard = discarder(index_path(root)) if root is not None and key is not None else None
    pieces = Pieces(conn, state, rescan, where, discard) if state.archive_index is not None else None
    archive = Archive(state.archive_index, pieces) if state.archive_index is not None and pieces is not None else None
    if archive is not None and root is not None and key is not None:
        archive.search = _searcher(root, key, archive, conn, progress, discard)

    def warnings() -> list[Problem]:
        if pieces is not None:
            return list(pieces("warnings"))
        return list(warnings_of(conn))

    return Found(archive, state.errors, warnings, state.checked)


Searcher = Callable[[list[list[tuple[str, str]]]], Sequence[Field] | None]


def _searcher(
    root: Path,
    key: str,
    archive: Archive,
    conn: sqlite3.Connection,
    progress: ProgressMaker | None,
    discard: Callable[[], None] | None,
) -> Searcher:
    """The archive's search through this index, made when first asked: a query that does
    not search never imports it, nor the writer and the fields it needs."""
    made: list[Searcher] = []

    def search(forms: list[list[tuple[str, str]]]) -> Sequence[Field] | None:
        if not made:
            from spnet.archive.search import Search

            made.append(Search(root, key, archive, conn, progress, discard))
        return made[0](forms)

    return search


def discarder(path: Path | None) -> Callable[[], None] | None:
    """What removes the index at `path` found spoiled, unless another has taken its place."""
    if path is None:
        return None
    try:
        ino = os.stat(path).st_ino
    except OSError:
        return None

    def discard() -> None:
        try:
            if os.stat(path).st_ino == ino:
                os.unlink(path)
        except OSError:
            pass

    return discard


# Every file of spnet's own that the index and its search rows are built from, relative to
# the package: archive/ and each module it imports (inside a function too, and through
# other modules: tests/test_stamp.py traces them), and the files those read. Their times
# and sizes see an edit or an upgrade; INDEX_FORMAT (and search_rows.SEARCH_FORMAT) are the
# key where they say nothing, as in a package that gives every file one date.
BUILT_FROM = (
    "archive/*.py",
    "analysis.py",
    "collection.py",
    "countries.py",
    "errors.py",
    "fsutil.py",
    "gcpause.py",
    "glossary.py",
    "i18n.py",
    "interrupts.py",
    "models.py",
    "names.py",
    "partialdate.py",
    "provenance.py",
    "stderr.py",
    "visible.py",
    "variants.txt",  # names.fold's variants
    "source/report.txt",  # what provenance checks a record's lines against
)


def code_stamp() -> list[object]:
    """What the index's layout, records and messages, and its search rows, depend
    on besides the data: INDEX_FORMAT, Python's version, and each file of BUILT_FROM by
    its modification time and size."""
    package = Path(__file__).parent.parent
    files = [f for pattern in BUILT_FROM for f in sorted(package.glob(pattern))]
    stats = [os.stat(f) for f in files]
    return [INDEX_FORMAT, list(sys.version_info[:2]), [[st.st_mtime_ns, st.st_size] for st in stats]]
