"""The derived index: one SQLite database per data directory, in the user's cache directory.

The TOML files are the truth; the index is rebuilt from them whenever it is missing,
stale, foreign or spoiled, and it never changes an answer. It holds:

- `meta`: what the index was built from (every data file's size, times and inode, and
  spnet's own code), whether that build also checked canonical form, and the archive's
  index (the small part every query reads);
- `pieces`: the rest of the archive in the pieces queries read one at a time (one
  university's partners, one year's events), each as JSON with a CRC-32 of its text, so
  that a spoiled byte is seen and the archive read again from its files;
- `files`: each data file's parsed data, so that after an edit only that file is parsed;
- the tables, views and full-text index of `spnet export sqlite` (export.py), which is a
  copy of them.

Nothing in it is executed: records are rebuilt from JSON by the record types named in
`models.RECORD_TYPES`, and nothing else. A cache directory or index not the user's own,
or writable by others, is not used at all (paths.safe_cache_dir, owned_safely).
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from spnet.archive.paths import owned_safely, safe_cache_dir
from spnet.errors import DataError
from spnet.i18n import _
from spnet.models import (
    RECORD_TYPES,
    Archive,
    ArchiveIndex,
    Contact,
    Event,
    Link,
    Partner,
    Person,
    Problem,
    University,
)

APPLICATION_ID = 0x73706E74  # "spnt": marks a database spnet wrote (index and export)
INDEX_FORMAT = 4  # PRAGMA user_version of the index: a change of layout makes it stale
_UNREADABLE = (sqlite3.Error, OSError, ValueError, TypeError, KeyError, AttributeError, zlib.error, RecursionError)


class Spoiled(Exception):
    """A piece of the index that does not read back as it was written."""


# ------------------------------------------------------------------ records as JSON
# A record is a named tuple, so JSON's own C encoder writes it as an array of its fields;
# reading one back, its type (from the piece's name) says what each field is.
def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def from_json(text: str, of: Any) -> Any:
    """JSON written by to_json, as a value of the type `of`: records, tuples of them,
    optional values and dicts, rebuilt by the record types of models.RECORD_TYPES only."""
    return _decoder(of)(json.loads(text))


def piece_type(name: str) -> Any:
    """The type of one piece of the archive, by its name."""
    kind = name.split("/", 1)[0]
    record = {
        "warnings": Problem,
        "universities": University,
        "people": Person,
        "contacts": Contact,
        "links": Link,
        "partners": Partner,
        "events": Event,
    }[kind]
    return tuple[record, ...]  # type: ignore[valid-type]


def _pack(text: str) -> tuple[bytes, int]:
    """JSON as stored: zlib-compressed (a fifth of the size; reading it back costs less than
    reading five times the bytes), with a CRC-32 of what was compressed."""
    data = text.encode("utf-8")
    return zlib.compress(data, 1), zlib.crc32(data)


def _unpack(blob: bytes, crc: int) -> str:
    data = zlib.decompress(blob)  # zlib.error when spoiled
    if zlib.crc32(data) != crc:
        raise Spoiled("a piece of the index does not match its checksum")
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


# ------------------------------------------------------------------ where, and whether
def index_path(root: Path) -> Path | None:
    """The index of one data directory, or None when no safe cache directory is there."""
    where = safe_cache_dir()
    if where is None:
        return None
    name = str(root.resolve()).encode("utf-8", "surrogateescape")
    return where / f"index-{zlib.crc32(name):08x}{zlib.adler32(name):08x}.sqlite"


def _open_for_reading(path: Path) -> sqlite3.Connection | None:
    """The index, read-only, when it is a regular file of the user's own that nobody else
    may write; else None (a missing index is simply built)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or not owned_safely(st):
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        head = conn.execute("PRAGMA application_id").fetchone()[0], conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error:
        return None
    if head != (APPLICATION_ID, INDEX_FORMAT):
        conn.close()
        return None
    return conn


# ------------------------------------------------------------------ reading
class _Pieces:
    """Reads an archive's pieces from the open index, on demand. The connection stays open
    in one read transaction, so an index rewritten meanwhile is not mixed in. A piece that
    does not read back (a spoiled byte, a disk error) is not an error for the user: the
    archive is read again from its files (`rescan`) and the piece taken from that."""

    def __init__(
        self, conn: sqlite3.Connection, index: ArchiveIndex, rescan: Callable[[], Archive], where: str
    ) -> None:
        self.conn, self.index, self.rescan, self.where = conn, index, rescan, where
        self.rescanned: Archive | None = None

    def __call__(self, name: str) -> tuple[Any, ...]:
        if self.rescanned is None:
            try:
                row = self.conn.execute("SELECT data, crc FROM pieces WHERE name = ?", (name,)).fetchone()
                if row is not None:
                    piece = from_json(_unpack(row[0], row[1]), piece_type(name))
                    if isinstance(piece, tuple):
                        return piece
            except (*_UNREADABLE, Spoiled):
                pass
            archive = self.rescan()
            if archive.index != self.index:
                text = _("{root}: the archive changed while spnet was reading it; run the command again")
                raise DataError(text.format(root=self.where))
            self.rescanned = archive
        return self.rescanned.piece(name)


def read_archive(root: Path, key: str, rescan: Callable[[], Archive]) -> tuple[Archive, bool] | None:
    """(archive, checked) from the index when it was built from these very files (`key`);
    None when there is no usable index."""
    path = index_path(root)
    conn = _open_for_reading(path) if path is not None else None
    if conn is None:
        return None
    try:
        conn.execute("BEGIN")  # one snapshot for every piece read later
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("key") != key:
            raise ValueError("stale")
        index = from_json(meta["index"], ArchiveIndex)
        if zlib.crc32(meta["index"].encode("utf-8")) != int(meta["index_crc"]):
            raise Spoiled("the archive's index does not match its checksum")
        if not isinstance(index, ArchiveIndex):
            raise ValueError("not an index")
    except (*_UNREADABLE, Spoiled):
        conn.close()
        return None
    archive = Archive(index, _Pieces(conn, index, rescan, str(root)))
    archive.search = _Search(root, key, archive)
    return archive, meta.get("checked") == "1"


def read_parsed(root: Path) -> dict[str, tuple[Any, dict[str, Any], bool | None]]:
    """Each file's parsed data from the last build, by path: (stat key, data, canonical)."""
    path = index_path(root)
    conn = _open_for_reading(path) if path is not None else None
    if conn is None:
        return {}
    try:
        with contextlib.closing(conn):
            rows = conn.execute("SELECT name, stat, doc, crc, canonical FROM files").fetchall()
            return {
                name: (tuple(json.loads(st)), json.loads(_unpack(doc, crc)), None if ok is None else bool(ok))
                for name, st, doc, crc, ok in rows
            }
    except (*_UNREADABLE, Spoiled):
        return {}


# ------------------------------------------------------------------ writing
_LAYOUT = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE pieces (name TEXT PRIMARY KEY, data BLOB NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE files (name TEXT PRIMARY KEY, stat TEXT NOT NULL, doc BLOB NOT NULL, crc INTEGER NOT NULL,
                    canonical INTEGER);
"""

# The search index: a database of its own beside the index, built the first time `search`
# runs (building it costs more than the rest of the index together: every field folded).
_SEARCH_LAYOUT = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE search (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, row TEXT NOT NULL, folded TEXT NOT NULL, crc INTEGER NOT NULL
);
CREATE INDEX search_by_id ON search(id);
CREATE VIRTUAL TABLE search_fts USING fts5(folded, content='search', content_rowid='rowid', tokenize='trigram');
"""


def write_index(
    root: Path,
    key: str,
    archive: Archive,
    *,
    checked: bool,
    parsed: dict[str, tuple[Any, dict[str, Any], bool | None]],
    kept: set[str] = frozenset(),  # type: ignore[assignment]
    progress: Callable[[str, int, int], None] | None = None,
) -> None:
    """Build the index in a new file beside the old one and move it into place: readers
    see the old index or the new, never a part. An index that cannot be written (a full
    disk, a read-only cache) is simply not written; Ctrl-C leaves no part of one."""
    path = index_path(root)
    if path is None:
        return
    from spnet import export  # the tables of `spnet export sqlite`

    def fill(conn: sqlite3.Connection) -> None:
        conn.executescript(_LAYOUT)
        export.create_tables(conn)
        names = archive.index.pieces
        for n, name in enumerate(names):
            conn.execute("INSERT INTO pieces VALUES (?, ?, ?)", (name, *_pack(to_json(archive.piece(name)))))
            if progress:
                progress("index", n + 1, len(names))
        copied = _copy_kept_files(conn, path, kept)
        for name, (st, doc, canonical) in parsed.items():
            if name in copied:
                continue
            with contextlib.suppress(TypeError, ValueError):  # data JSON cannot hold (a TOML datetime)
                doc_blob, crc = _pack(json.dumps(doc, ensure_ascii=False))
                conn.execute(
                    "INSERT INTO files VALUES (?, ?, ?, ?, ?)", (name, json.dumps(st), doc_blob, crc, canonical)
                )
        export.fill_tables(conn, archive)
        index = to_json(archive.index)
        meta = {"key": key, "checked": "1" if checked else "0", "index": index}
        meta["index_crc"] = str(zlib.crc32(index.encode("utf-8")))
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())

    _write_database(path, fill)


def _copy_kept_files(conn: sqlite3.Connection, path: Path, kept: set[str]) -> set[str]:
    """The parsed data of the files unchanged since the index at `path` was built, copied
    from it as stored: after one file changes, encoding every other file's data again was
    a fifth of the time a query took at 1000x (bench/README.md)."""
    old = _open_for_reading(path) if kept else None
    if old is None:
        return set()
    old.close()
    try:
        conn.execute("ATTACH DATABASE ? AS old", (str(path),))
        conn.execute("CREATE TEMP TABLE kept (name TEXT PRIMARY KEY)")
        conn.executemany("INSERT INTO kept VALUES (?)", ((name,) for name in kept))
        conn.execute("INSERT INTO files SELECT f.* FROM old.files AS f JOIN kept USING (name)")
        conn.commit()
        conn.execute("DETACH DATABASE old")
        return {name for (name,) in conn.execute("SELECT name FROM files")}
    except sqlite3.Error:
        conn.rollback()
        with contextlib.suppress(sqlite3.Error):
            conn.execute("DETACH DATABASE old")
        conn.execute("DELETE FROM files")
        return set()


def _write_database(path: Path, fill: Callable[[sqlite3.Connection], None]) -> None:
    """A database of spnet's, filled in a new file (the user's alone) beside `path` and
    moved into place: readers see the old file or the new, never a part. One that cannot
    be written (a full disk, a read-only cache) is simply not written; Ctrl-C leaves no
    part of one."""
    tmp = path.with_name(f".{path.name}-{os.getpid()}.tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a new file, moved into place only when whole
            conn.execute("PRAGMA synchronous = OFF")
            fill(conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {INDEX_FORMAT}")
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, path)
    except (OSError, sqlite3.Error):
        with contextlib.suppress(OSError):
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _write_search(path: Path, key: str, archive: Archive) -> None:
    """What search looks through (records.searchable), folded, under a trigram index."""
    from spnet import records

    def fill(conn: sqlite3.Connection) -> None:
        conn.executescript(_SEARCH_LAYOUT)

        def rows() -> Iterator[tuple[str, str, str, int]]:  # streamed: never all in memory
            for row, folded in records.searchable(archive):
                text = json.dumps(row, ensure_ascii=False)
                yield row["id"], text, folded, zlib.crc32(f"{text}\0{folded}".encode())

        conn.executemany("INSERT INTO search (id, row, folded, crc) VALUES (?, ?, ?, ?)", rows())
        conn.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO meta VALUES ('key', ?)", (key,))

    _write_database(path, fill)


class _Search:
    """Search through the search index: each word's records from the trigram index (a
    word under three characters, which trigrams cannot find, by a scan of the folded
    text), then the fields of the records holding every word. The search index is built
    on first use for these very files (`key`); a row that does not match its checksum,
    or an index SQLite finds broken, answers nothing (None) and search looks itself."""

    def __init__(self, root: Path, key: str, archive: Archive) -> None:
        self.root, self.key, self.archive = root, key, archive
        self.conn: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection | None:
        if self.conn is None:
            path = index_path(self.root)
            if path is None:
                return None
            path = path.with_name(path.name.replace("index-", "search-", 1))
            for attempt in range(2):
                conn = _open_for_reading(path)
                try:
                    if conn is not None and conn.execute("SELECT value FROM meta WHERE key = 'key'").fetchone() == (
                        self.key,
                    ):
                        self.conn = conn
                        break
                except sqlite3.Error:
                    pass
                if conn is not None:
                    conn.close()
                if attempt == 0:
                    _write_search(path, self.key, self.archive)
        return self.conn

    def __call__(self, words: list[str]) -> list[dict[str, Any]] | None:
        try:
            if self._open() is None:
                return None
            assert self.conn is not None
            ids: set[str] | None = None
            for word in words:
                if len(word) >= 3:
                    phrase = '"' + word.replace('"', '""') + '"'
                    sql = "SELECT s.id FROM search_fts f JOIN search s ON s.rowid = f.rowid WHERE search_fts MATCH ?"
                    found = self.conn.execute(sql, (phrase,)).fetchall()
                else:
                    found = self.conn.execute("SELECT id FROM search WHERE instr(folded, ?)", (word,)).fetchall()
                of_word = {rid for (rid,) in found}
                ids = of_word if ids is None else ids & of_word
                if not ids:
                    return []
            marks = ", ".join("?" * len(ids or ()))
            sql = f"SELECT row, folded, crc FROM search WHERE id IN ({marks}) ORDER BY rowid"
            rows = []
            for text, folded, crc in self.conn.execute(sql, tuple(ids or ())):
                if zlib.crc32(f"{text}\0{folded}".encode()) != crc:
                    return None
                if any(w in folded for w in words):
                    row = json.loads(text)
                    row["_disputed"] = tuple(row.get("_disputed", ()))
                    rows.append(row)
            return rows
        except (*_UNREADABLE, Spoiled):
            return None


@contextlib.contextmanager
def current(root: Path) -> Iterator[sqlite3.Connection | None]:
    """The index as it stands, read-only, for a copy of its tables (spnet export sqlite)."""
    path = index_path(root)
    conn = _open_for_reading(path) if path is not None else None
    try:
        yield conn
    finally:
        if conn is not None:
            conn.close()


def code_stamp() -> list[Any]:
    """spnet's own code, which the index's layout, records and messages depend on: every
    module of the archive engine, the records, and the export's and search's tables."""
    here = Path(__file__).parent
    files = sorted(here.glob("*.py")) + [here.parent / f"{name}.py" for name in ("models", "export", "query")]
    return [INDEX_FORMAT, list(sys.version_info[:2]), [os.stat(f).st_mtime_ns for f in files]]
