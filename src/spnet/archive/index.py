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
import json
import os
import sqlite3
import stat
import sys
import types
import typing
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from spnet.archive.kinds import KIND
from spnet.archive.paths import owned_safely, safe_cache_dir
from spnet.archive.rows import Kept, bound_to, kept, temp_table
from spnet.archive.rows import Spoiled as Spoiled  # where a spoiled part of the index is found, read or written
from spnet.archive.rows import layout as layout_of_rows
from spnet.errors import DataError
from spnet.i18n import _
from spnet.models import RECORD_TYPES, Archive, ArchiveIndex, Keep, Problem, University

if TYPE_CHECKING:
    from spnet.archive.load import ProgressMaker

T = TypeVar("T")
APPLICATION_ID = 0x73706E74  # "spnt": marks a database spnet wrote (index and export)
INDEX_FORMAT = 12  # PRAGMA user_version of the index: a change of layout makes it stale
UNREADABLE = (sqlite3.Error, OSError, ValueError, TypeError, KeyError, AttributeError, zlib.error, RecursionError)


# ------------------------------------------------------------------ records as JSON
# A record is a named tuple, so JSON's own C encoder writes it as an array of its fields;
# reading one back, its type says what each field is.
def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def pack(text: str, bound: str = "") -> bytes:
    """JSON as stored: a CRC-32 of the text, then the text zlib-compressed (to a fifth of
    its size: reading it back costs less than reading five times the bytes). The CRC covers
    `bound` too (what names the value where it is kept: its file), so that a value read
    under another name does not match."""
    data = text.encode("utf-8")
    return _crc(data, bound).to_bytes(4, "big") + zlib.compress(data, 1)


def _crc(data: bytes, bound: str) -> int:
    return zlib.crc32(data, zlib.crc32(bound.encode("utf-8", "surrogateescape")))


def row_crc(*values: str | int | None) -> int:
    """The CRC-32 a row of the index keeps of its other columns (text, integers, NULL: as
    SQLite gives them back; repr tells 'None' from None and 1 from '1', and is quick)."""
    return zlib.crc32(repr(values).encode("utf-8", "surrogateescape"))


def decode(value: Any, of: Any) -> Any:
    """What json.loads gave of a value written by to_json, as a value of the type `of`."""
    return _decoder(of)(value)


def unpack(blob: bytes, bound: str = "") -> str:
    """What pack stored (under the same `bound`); Spoiled (or zlib.error) when it does not
    read back."""
    data = zlib.decompress(blob[4:])
    if _crc(data, bound) != int.from_bytes(blob[:4], "big"):
        raise Spoiled("a part of the index does not match its checksum")
    return data.decode("utf-8")


def _same(value: Any) -> Any:
    return value


@functools.cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if isinstance(tp, type) and tp.__name__ in RECORD_TYPES and RECORD_TYPES[tp.__name__] is tp:
        hints = typing.get_type_hints(tp)
        steps = [(i, d) for i, f in enumerate(tp._fields) if (d := _decoder(hints[f])) is not _same]
        make, size = tp._make, len(tp._fields)

        def record(value: Any) -> Any:
            if type(value) is not list or len(value) != size:
                raise ValueError(f"not a {tp.__name__}")
            for i, decode in steps:
                value[i] = decode(value[i])
            return make(value)

        return record
    if origin is tuple:
        item = _decoder(args[0])
        return lambda value: tuple(item(v) for v in value)
    if origin in (types.UnionType, typing.Union):
        inner = _decoder(next(a for a in args if a is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is dict:
        return dict
    return _same


def problems_of(rows: list[list[Any]]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) as unit.py stores them."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for severity, where, message, params in rows:
        (errors if severity == "error" else warnings).append(Problem(where, message, params))
    return errors, warnings


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
    """What an index keeps of its layout when made (writer.stamp), and again in each copy a
    writer checked (writer.start_copy), for a reader to check the layout it finds against:
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


# ------------------------------------------------------------------ the state of the archive
class State(typing.NamedTuple):
    """What the index says of the archive as a whole, once every file is in it."""

    archive_index: ArchiveIndex | None  # None: the archive is invalid
    errors: list[Problem]  # what makes it invalid
    checked: bool  # every file's canonical form is known (as `check` needs)
    parts: dict[str, int]  # piece name -> how many records it holds


class FileRow(typing.NamedTuple):
    """A data file's row in the index, as its CRC says it was written."""

    rowid: int
    name: str
    pos: int
    stat: str  # JSON: files.StatKey
    canonical: int | None
    university: str | None

    @property
    def bound(self) -> str:
        """What its records and summaries are bound to (rows.bound_to)."""
        return bound_to(self.name, self.stat)


FILE_COLUMNS = "rowid, name, pos, stat, canonical, university"


def files_of(conn: sqlite3.Connection) -> dict[int, FileRow]:
    """Every file's row, by rowid; Spoiled when one does not match its CRC."""
    rows = {}
    for *values, crc in conn.execute(f"SELECT {FILE_COLUMNS}, crc FROM files"):
        if row_crc(*values) != crc:
            raise Spoiled("a file's row in the index does not match its checksum")
        rows[values[0]] = FileRow(*values)
    return rows


def read_state(conn: sqlite3.Connection, key: str | None) -> State | None:
    """The state of the archive in the index, when the index was brought up to date from
    these very files (`key`; None: whatever they were); else None."""
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if key is not None and meta.get("key") != key:
        return None
    raw = json.loads(unpack(meta["state"], meta["key"]))
    errors = [Problem(*p) for p in raw["errors"]]
    index = _decoder(ArchiveIndex)(raw["index"]) if raw["index"] is not None else None
    return State(index, errors, bool(raw["checked"]), dict(raw["parts"]))


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
    pieces = _Pieces(conn, state, rescan, where, discard) if state.archive_index is not None else None
    archive = Archive(state.archive_index, pieces) if state.archive_index is not None and pieces is not None else None
    if archive is not None and root is not None and key is not None:
        archive.search = _searcher(root, key, archive, conn, progress, discard)

    def warnings() -> list[Problem]:
        if pieces is not None:
            return list(pieces("warnings"))
        return list(_warnings(conn))

    return Found(archive, state.errors, warnings, state.checked)


def _warnings(conn: sqlite3.Connection) -> tuple[Problem, ...]:
    """The warnings of every file, in the order of the files."""
    files = files_of(conn)
    blobs = sorted(
        (files[rowid].pos, unpack(blob, files[rowid].bound))
        for rowid, blob in conn.execute("SELECT rowid, problems FROM files")
    )
    return tuple(w for _pos, text in blobs for w in problems_of(json.loads(text))[1])


Searcher = Callable[[list[list[tuple[str, str]]]], Sequence[tuple[Any, ...]] | None]


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

    def search(forms: list[list[tuple[str, str]]]) -> Sequence[tuple[Any, ...]] | None:
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


class _Pieces:
    """Reads an archive's pieces from the open index, on demand: each piece is the records
    of its kind that it picks, from every file (_piece). The connection stays open in
    one read transaction, so an index rewritten meanwhile is not mixed in. A piece that
    does not read back (a spoiled byte, a part missing or one too many, a disk error) is
    not an error for the user: the archive is read again from its files (`rescan`) and the
    piece taken from that, and the index is discarded (`discard`)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        state: State,
        rescan: Callable[[], Archive] | None,
        where: str,
        discard: Callable[[], None] | None = None,
    ) -> None:
        assert state.archive_index is not None
        self.conn, self.index, self.parts = conn, state.archive_index, state.parts
        self.rescan, self.where = rescan, where
        self.discard = discard
        self.rescanned: Archive | None = None
        self._files: tuple[dict[int, FileRow], dict[int, str]] | None = None

    def __call__(self, name: str) -> tuple[Any, ...]:
        if self.rescanned is None:
            found = self._guarded(lambda: self._read(name))
            if found is not None:
                return found
        assert self.rescanned is not None
        return self.rescanned.piece(name)

    def _guarded(self, read: Callable[[], T]) -> T | None:
        """What `read` gives from the index; None when it does not read back, and the
        archive has been read again from its files."""
        try:
            return read()
        except (*UNREADABLE, Spoiled):
            if self.rescan is None:
                raise
        self._read_again()
        return None

    def _read_again(self) -> None:
        """The archive read again from its files, the spoiled index discarded."""
        if self.discard is not None:
            self.discard()
        assert self.rescan is not None
        archive = self.rescan()
        if archive.index != self.index:
            text = _("{root}: the archive changed while spnet was reading it; run the command again")
            raise DataError(text.format(root=self.where))
        self.rescanned = archive

    def _read(self, name: str) -> tuple[Any, ...]:
        if name == "warnings":
            return _warnings(self.conn)
        files, bounds = self._file_rows()
        asked, _, what = name.partition("/")
        if asked == "records":
            return tuple(self._managing(r) for r in _records(self.conn, bounds, what.split("\n")))
        if asked == "naming":
            return tuple(_naming(self.conn, files, bounds, what))
        if asked == "fields":
            plural, _, names = what.partition("/")
            return tuple(values for _key, values in self._fields(plural, names.split(",")))
        records = _piece(self.conn, bounds, name)
        self._counted(name, len(records))
        if name == "universities":
            project = self.index.project
            by_id = {u.id: u for u in records}
            records = [self._managing(by_id[uid]) for uid in (project.managing, *project.members)]
        return tuple(records)

    def chosen(self, name: str, fields: tuple[str, ...], keep: Keep) -> tuple[Any, ...]:
        """The records of a piece whose `fields` `keep` takes (Archive.chosen)."""
        if self.rescanned is None:
            rows = self._guarded(lambda: self._fields(name, list(fields)))
            if rows is not None:
                # The caller's choice, outside the guard: an error of its own is no spoiled index.
                keys = [key for key, values in rows if keep(values)]
                found = self._guarded(lambda: self._by_keys(name, keys))
                if found is not None:
                    return found
        assert self.rescanned is not None
        return self.rescanned.chosen(name, fields, keep)

    def _file_rows(self) -> tuple[dict[int, FileRow], dict[int, str]]:
        """Every file's row by rowid, and what its records are bound to (FileRow.bound);
        Spoiled when a file's row does not match its checksum."""
        if self._files is None:
            files = files_of(self.conn)
            self._files = files, {rowid: row.bound for rowid, row in files.items()}
        return self._files

    def _counted(self, name: str, found: int) -> None:
        """Spoiled unless a piece (or a kind: `partners`) gave as many records as it holds."""
        plural, _, part = name.partition("/")
        if not part and plural in kept() and kept()[plural].kind.kept == "by_university":
            expected = sum(n for piece, n in self.parts.items() if piece.startswith(f"{plural}/"))
        else:  # a kind of one piece, or a piece
            expected = self.parts.get(name, 0)
        if found != expected:
            raise Spoiled(f"the index holds {found} records of {name}")

    def _fields(self, name: str, fields: list[str]) -> list[tuple[tuple[int, int], tuple[Any, ...]]]:
        """Some fields of every record of a piece (or of a kind: `partners`), with its key,
        in the piece's order, read from the records' own rows: as many as the piece holds,
        each of it."""
        plan = _plan(name)
        asked = [*fields, plan.field] if plan.field else fields
        found = plan.rows.fields(self.conn, self._file_rows()[1], asked, plan.where, plan.params, plan.order)
        if plan.field and any(not plan.holds(values[-1]) for _key, values in found):
            raise Spoiled(f"the index holds a record that is not of {name}")
        self._counted(name, len(found))
        return [(key, values[: len(fields)]) for key, values in found]

    def _by_keys(self, name: str, keys: list[tuple[int, int]]) -> tuple[Any, ...]:
        """The records of a piece at these keys (file, ord), read whole, in the piece's order."""
        plan = _plan(name)
        records = _at_keys(self.conn, self._file_rows()[1], plan.rows, keys, plan.order)
        if len(records) != len(keys):
            raise Spoiled(f"the index does not hold every record chosen of {name}")
        return tuple(records)

    def _managing(self, record: Any) -> Any:
        """A university's record says whether it is the managing one, as the project does."""
        if not isinstance(record, University):
            return record
        return record._replace(managing=record.id == self.index.project.managing)


# Where a file stands among the archive's files: what orders records of several files.
_POS = "(SELECT pos FROM files WHERE files.rowid = p.file)"
_FILED = "+p.file IN (SELECT rowid FROM files)"  # "+": a check on each row picked, never how rows are picked


# The columns of `defines` and `refs` that each row's CRC covers (index.row_crc).
DEFINES = "file, ord, id, kind, place, university"
REFS = "file, ord, place, key, id, kind, university"


def _records(conn: sqlite3.Connection, bounds: Mapping[int, str], rids: list[str]) -> list[Any]:
    """The records whose ids are `rids`, read alone, in no order: found by the ids each
    file defines, none for an id no record of a kind kept as rows has (the project and
    the countries are the archive's index's). What the index found is checked: each id's
    row by its CRC and its id (an index's entries carry no checksum), each record by its
    own, and that each was read once."""
    temp_table(conn, "asked", ("id TEXT",), [(rid,) for rid in rids])
    asked = set(rids)
    keys: dict[str, list[tuple[int, int]]] = {}
    named: dict[str, str] = {}  # id -> its plural, each id found
    query = f"SELECT {DEFINES}, crc FROM defines WHERE id IN (SELECT id FROM temp.asked)"
    for *values, crc in conn.execute(query).fetchall():
        file, ord_, defined, kind, _place, _university = values
        if row_crc(*values) != crc or defined not in asked:
            raise Spoiled("an id's row in the index does not match its checksum")
        plural = KIND[kind].plural
        if plural in kept():
            if defined in named:  # ids are the archive's one each
                raise Spoiled(f"the index holds {defined!r} twice")
            named[defined] = plural
            keys.setdefault(plural, []).append((file, ord_))
    found = []
    for plural, at in keys.items():
        records = _at_keys(conn, bounds, kept()[plural], at, f"{_POS}, p.ord")
        if sorted(r.id for r in records) != sorted(rid for rid, of in named.items() if of == plural):
            raise Spoiled(f"the index does not hold the {plural} its ids name")
        found += records
    return found


def _at_keys(
    conn: sqlite3.Connection, bounds: Mapping[int, str], rows: Kept, keys: list[tuple[int, int]], order: str
) -> list[Any]:
    """The records of one kind at these keys (file, ord), in the `order` given (SQL)."""
    temp_table(conn, "chosen", ("file INTEGER", "ord INTEGER"), keys)
    where = f"{_FILED} AND (p.file, p.ord) IN (SELECT file, ord FROM temp.chosen)"
    return rows.read(conn, bounds, where, (), order)


def _naming(conn: sqlite3.Connection, files: Mapping[int, FileRow], bounds: Mapping[int, str], rid: str) -> list[Any]:
    """In date order, as Archive.events gives them, the events that name `rid` as a
    partner, a university or a participant, and those of the university `rid`'s own file.
    Found twice over, so that no one spoiled page hides one: by the events' lists, and by
    the ids each file names (`refs`), whose events must all be read back; an event a
    spoiled value picked that does not name `rid` is left out. The events of a
    university's file are counted against the file's own count of them."""
    events = kept()["events"]
    table = events.table.name
    temp_table(conn, "naming", ("file INTEGER", "ord INTEGER"), ())
    lists = [f"SELECT file, ord FROM {table}__{f} WHERE value = :id" for f in ("partners", "universities")]
    lists.append(f"SELECT file, ord FROM {table}__participants WHERE person = :id")
    refs = "SELECT file, ord FROM refs WHERE id = :id AND key IN ('partner', 'university', 'person')"
    conn.execute(f"INSERT INTO temp.naming {' UNION '.join([*lists, refs])}", {"id": rid})
    own = {rowid: row for rowid, row in files.items() if row.university == rid}
    picked = "(p.file, p.ord) IN (SELECT file, ord FROM temp.naming)"
    where = f"{_FILED} AND ({picked} OR p.file IN ({', '.join('?' * len(own))}))"
    read = events.read(conn, bounds, where, tuple(own), f"p.first_day, {_POS}, p.ord")
    named = "SELECT DISTINCT d.id FROM defines d JOIN temp.naming n USING (file, ord) WHERE d.kind = 'event'"
    if {eid for (eid,) in conn.execute(named)} - {e.id for e in read}:
        raise Spoiled(f"the index does not hold every event that names {rid!r}")
    counted = 0
    for rowid, row in own.items():
        packed = conn.execute("SELECT summary FROM files WHERE rowid = ?", (rowid,)).fetchone()
        counted += json.loads(unpack(packed[0], row.bound))["pieces"].get(events.kind.plural, 0)
    if sum(e.university == rid for e in read) != counted:
        raise Spoiled(f"the index does not hold every event of {rid!r}'s file")
    return [e for e in read if e.university == rid or _names(e, rid)]


def _names(event: Any, rid: str) -> bool:
    return rid in event.partners or rid in event.universities or any(p.person == rid for p in event.participants)


class _Plan(typing.NamedTuple):
    """How SQLite picks and orders the rows of a piece, and the field each record picked
    must show to be of it (picked by an index, whose entries carry no checksum)."""

    rows: Kept
    where: str
    params: tuple[Any, ...]
    order: str
    field: str | None = None  # "date" for a year's piece, "university" for a university's
    part: str = ""

    def holds(self, value: Any) -> bool:
        """Whether a record whose `field` is `value` is of the piece."""
        if self.field == "date":
            return bool(value.first_day().year <= int(self.part) <= value.last_day().year)
        return bool(value == self.part)


def _plan(name: str) -> _Plan:
    """A year's events by the years they fall in, in date order, then in the order of the
    files; a university's partners, and every other piece, in the order of the files."""
    plural, _, part = name.partition("/")
    rows = kept()[plural]  # KeyError: no such piece
    where = _FILED  # a row of no file (its file's row spoiled) is not the archive's: counted out
    if rows.by_year:
        order = f"p.first_day, {_POS}, p.ord"
        if not part:  # every year's
            return _Plan(rows, where, (), order)
        picked = f" AND (p.file, p.ord) IN (SELECT file, ord FROM {rows.years} WHERE year = ?)"
        return _Plan(rows, where + picked, (int(part),), order, "date", part)
    if not part:
        return _Plan(rows, where, (), f"{_POS}, p.ord")
    return _Plan(rows, f"{where} AND p.university = ?", (part,), f"{_POS}, p.ord", "university", part)


def _piece(conn: sqlite3.Connection, files: Mapping[int, str], name: str) -> list[Any]:
    """The records of one piece (models.ArchiveIndex) as their rows give them, picked and
    ordered in SQL (_plan). What an index picked is checked against the records' own
    values, which carry a checksum, as the index's entries do not."""
    plan = _plan(name)
    found = plan.rows.read(conn, files, plan.where, plan.params, plan.order)
    if plan.field and any(not plan.holds(getattr(r, plan.field)) for r in found):
        raise Spoiled(f"the index holds a record that is not of {name}")
    return found


# Every file of spnet's own that the index and its search rows are built from, relative to
# the package: archive/ and each module it imports (inside a function too, and through
# other modules: tests/test_stamp.py traces them), and the files those read. Their times
# and sizes see an edit or an upgrade; INDEX_FORMAT (and search_rows.SEARCH_FORMAT) are the
# key where they say nothing, as in a package that gives every file one date.
BUILT_FROM = (
    "archive/*.py",
    "analysis.py",
    "countries.py",
    "errors.py",
    "fsutil.py",
    "gcpause.py",
    "glossary.py",
    "i18n.py",
    "interrupts.py",
    "models.py",
    "names.py",
    "provenance.py",
    "stderr.py",
    "visible.py",
    "variants.txt",  # names.fold's variants
    "source/report.txt",  # what provenance checks a record's lines against
)


def code_stamp() -> list[Any]:
    """What the index's layout, records and messages, and its search rows, depend
    on besides the data: INDEX_FORMAT, Python's version, and each file of BUILT_FROM by
    its modification time and size."""
    package = Path(__file__).parent.parent
    files = [f for pattern in BUILT_FROM for f in sorted(package.glob(pattern))]
    stats = [os.stat(f) for f in files]
    return [INDEX_FORMAT, list(sys.version_info[:2]), [[st.st_mtime_ns, st.st_size] for st in stats]]
