"""The derived index: one SQLite database per data directory, in the user's cache directory.

The TOML files are the truth; the index is brought up to date from them whenever one
changes, and rebuilt when it is missing, foreign or spoiled; it never changes an answer.
What it holds of each data file (unit.py) is kept apart, so that after an edit only that
file's rows are replaced:

- `files`: each file's size, times and inode, whether it is in canonical form (once
  `check` asked), the problems found in it, and what the archive's index takes from it;
- `pieces`: each file's records in the pieces queries read one at a time (one
  university's partners, one year's events), as JSON with a CRC-32, so that a spoiled byte
  is seen and the archive read again from its files;
- `defines` and `refs`: the ids each file defines and those it names, which the checks
  across files run over in SQL (crosscheck.py);
- `meta`: what the index was last brought up to date from, and the archive's index (the
  small part every query reads) or the errors that make the archive invalid;
- the tables, views and full-text index of `spnet export sqlite` (export.py), which is a
  copy of them.

An update is made in a copy of the index beside it, moved into place when whole: readers
see the old index or the new, never a part. Nothing in it is executed: records are
rebuilt from JSON by the record types named in `models.RECORD_TYPES`, and nothing else.
A cache directory or index not the user's own, or writable by others, is not used at all
(paths.safe_cache_dir, owned_safely).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sqlite3
import stat
import sys
import types
import typing
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spnet.archive.paths import owned_safely, safe_cache_dir
from spnet.errors import DataError
from spnet.i18n import _
from spnet.models import (
    RECORD_TYPES,
    Archive,
    ArchiveIndex,
    Contact,
    Country,
    Event,
    Link,
    Partner,
    Person,
    Problem,
    Project,
    University,
    UniversityName,
)

if TYPE_CHECKING:
    from spnet.archive.unit import Unit

APPLICATION_ID = 0x73706E74  # "spnt": marks a database spnet wrote (index and export)
INDEX_FORMAT = 5  # PRAGMA user_version of the index: a change of layout makes it stale
UNREADABLE = (sqlite3.Error, OSError, ValueError, TypeError, KeyError, AttributeError, zlib.error, RecursionError)


class Spoiled(Exception):
    """A part of the index that does not read back as it was written."""


# ------------------------------------------------------------------ records as JSON
# A record is a named tuple, so JSON's own C encoder writes it as an array of its fields;
# reading one back, its type says what each field is.
def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def pack(text: str, level: int = 1) -> bytes:
    """JSON as stored: a CRC-32 of the text, then the text zlib-compressed (to a fifth of
    its size at level 1: reading it back costs less than reading five times the bytes)."""
    data = text.encode("utf-8")
    return zlib.crc32(data).to_bytes(4, "big") + zlib.compress(data, level)


def from_json(text: str, of: Any) -> Any:
    """JSON written by to_json, as a value of the type `of`: records, tuples of them,
    optional values and dicts, rebuilt by the record types of models.RECORD_TYPES only."""
    return _decoder(of)(json.loads(text))


_PIECE_TYPES = {
    "universities": University,
    "people": Person,
    "contacts": Contact,
    "links": Link,
    "partners": Partner,
    "events": Event,
}


def unpack(blob: bytes) -> str:
    """What pack stored; Spoiled (or zlib.error) when it does not read back."""
    data = zlib.decompress(blob[4:])
    if zlib.crc32(data) != int.from_bytes(blob[:4], "big"):
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


def open_for_reading(path: Path) -> sqlite3.Connection | None:
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


# ------------------------------------------------------------------ the state of the archive
class State(typing.NamedTuple):
    """What the index says of the archive as a whole, once every file is in it."""

    archive_index: ArchiveIndex | None  # None: the archive is invalid
    errors: list[Problem]  # what makes it invalid
    checked: bool  # every file's canonical form is known (as `check` needs)


def _read_state(conn: sqlite3.Connection, key: str | None) -> State | None:
    """The state of the archive in the index, when the index was brought up to date from
    these very files (`key`; None: whatever they were); else None."""
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if key is not None and meta.get("key") != key:
        return None
    raw = json.loads(unpack(meta["state"]))
    errors = [Problem(*p) for p in raw["errors"]]
    index = _decoder(ArchiveIndex)(raw["index"]) if raw["index"] is not None else None
    return State(index, errors, bool(raw["checked"]))


class Found(typing.NamedTuple):
    archive: Archive | None
    errors: list[Problem]
    warnings: Callable[[], list[Problem]]
    checked: bool


def read_archive(root: Path, key: str, rescan: Callable[[], Archive]) -> Found | None:
    """The archive (or the errors that make it invalid) from the index, when the index was
    brought up to date from these very files (`key`); None when there is no usable index."""
    path = index_path(root)
    conn = open_for_reading(path) if path is not None else None
    if conn is None:
        return None
    try:
        conn.execute("BEGIN")  # one snapshot for every piece read later
        state = _read_state(conn, key)
    except (*UNREADABLE, Spoiled):
        state = None
    if state is None:
        conn.close()
        return None
    return found(conn, state, rescan, str(root), root=root, key=key)


def found(
    conn: sqlite3.Connection,
    state: State,
    rescan: Callable[[], Archive],
    where: str,
    *,
    root: Path | None = None,
    key: str | None = None,
) -> Found:
    """The archive in an open index (or its errors), its pieces read when first asked for."""
    pieces = _Pieces(conn, state.archive_index, rescan, where) if state.archive_index is not None else None
    archive = Archive(state.archive_index, pieces) if state.archive_index is not None and pieces is not None else None
    if archive is not None and root is not None and key is not None:
        from spnet.archive.search import Search

        archive.search = Search(root, key, archive)

    def warnings() -> list[Problem]:
        if pieces is not None:
            return list(pieces("warnings"))
        return list(_warnings(conn))

    return Found(archive, state.errors, warnings, state.checked)


def _warnings(conn: sqlite3.Connection) -> tuple[Problem, ...]:
    """The warnings of every file, in the order of the files."""
    blobs = conn.execute("SELECT problems FROM files ORDER BY pos")
    return tuple(w for (blob,) in blobs for w in problems_of(json.loads(unpack(blob)))[1])


class _Pieces:
    """Reads an archive's pieces from the open index, on demand: each piece is the same
    piece of every file, joined in the order of the files. The connection stays open in
    one read transaction, so an index rewritten meanwhile is not mixed in. A piece that
    does not read back (a spoiled byte, a disk error) is not an error for the user: the
    archive is read again from its files (`rescan`) and the piece taken from that."""

    def __init__(
        self, conn: sqlite3.Connection, index: ArchiveIndex, rescan: Callable[[], Archive] | None, where: str
    ) -> None:
        self.conn, self.index, self.rescan, self.where = conn, index, rescan, where
        self.rescanned: Archive | None = None

    def __call__(self, name: str) -> tuple[Any, ...]:
        if self.rescanned is None:
            try:
                return self._read(name)
            except (*UNREADABLE, Spoiled):
                if self.rescan is None:
                    raise
            assert self.rescan is not None
            archive = self.rescan()
            if archive.index != self.index:
                text = _("{root}: the archive changed while spnet was reading it; run the command again")
                raise DataError(text.format(root=self.where))
            self.rescanned = archive
        return self.rescanned.piece(name)

    def _read(self, name: str) -> tuple[Any, ...]:
        if name == "warnings":
            return _warnings(self.conn)
        of = tuple[_PIECE_TYPES[name.split("/", 1)[0]], ...]  # type: ignore[misc,valid-type]
        sql = "SELECT p.data FROM pieces p JOIN files f ON f.rowid = p.file WHERE p.name = ? ORDER BY f.pos"
        parts = [from_json(unpack(blob), of) for (blob,) in self.conn.execute(sql, (name,))]
        records: list[Any] = [r for part in parts for r in part]
        if name.startswith("events/") and len(parts) > 1:
            records.sort(key=lambda e: e.date.first_day())  # each file's are in date order already
        elif name == "universities":
            project = self.index.project
            by_id = {u.id: u for u in records}
            records = [
                by_id[uid]._replace(managing=uid == project.managing) for uid in (project.managing, *project.members)
            ]
        return tuple(records)


def _with_export(root: Path) -> sqlite3.Connection | None:
    path = index_path(root)
    conn = open_for_reading(path) if path is not None else None
    if conn is not None:
        try:
            state = _read_state(conn, None)
        except (*UNREADABLE, Spoiled):
            state = None
        export = conn.execute("SELECT value FROM meta WHERE key = 'export'").fetchone()
        if state is None or state.archive_index is None or export != ("current",):
            conn.close()
            return None
    return conn


@contextlib.contextmanager
def current(root: Path, archive: Archive) -> Iterator[sqlite3.Connection | None]:
    """The index as it stands, read-only, for a copy of its export's tables (spnet export
    sqlite). The index fills them the first time an export asks (a query never needs
    them: filling them would take a fifth of a first reading), and keeps them current
    after; None when there is no index of this very archive."""
    conn = _with_export(root)
    if conn is None:
        writer = Writer(root, keep=True)
        try:
            state = _read_state(writer.db, None) if writer.copied else None
            if state is not None and state.archive_index == archive.index:
                writer.fill_export(archive)
                writer.commit()
        finally:
            writer.close()
        conn = _with_export(root)
    try:
        yield conn
    finally:
        if conn is not None:
            conn.close()


# ------------------------------------------------------------------ writing
LAYOUT = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL);
CREATE TABLE files (
    rowid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, pos INTEGER NOT NULL, stat TEXT NOT NULL,
    canonical INTEGER, university TEXT, problems BLOB NOT NULL, summary BLOB NOT NULL
);
CREATE TABLE pieces (file INTEGER NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX pieces_by_name ON pieces(name, file);
CREATE INDEX pieces_by_file ON pieces(file);
CREATE TABLE defines (
    file INTEGER NOT NULL, ord INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, place TEXT NOT NULL,
    university TEXT
);
CREATE INDEX defines_by_id ON defines(id, kind);
CREATE INDEX defines_by_file ON defines(file);
CREATE TABLE refs (
    file INTEGER NOT NULL, ord INTEGER NOT NULL, place TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
    kind TEXT NOT NULL, university TEXT
);
CREATE INDEX refs_by_file ON refs(file);
"""
# What the archive's index holds beside the export's tables, left out of an export.
INDEX_ONLY = ("meta", "files", "pieces", "defines", "refs")


class Writer:
    """The index being brought up to date: a copy of the current index (or a new one) in a
    temporary file of the user's alone beside it, moved into place by commit(), so that
    readers see the old index or the new, never a part; or a database in memory, when no
    index is kept (--no-cache, no safe cache directory, a cache that cannot be written).
    Ctrl-C or an error leaves no part of one."""

    def __init__(self, root: Path, *, keep: bool, scratch: bool = False) -> None:
        self.path = index_path(root) if keep else None
        self.scratch, self.kept, self.copied = scratch, False, False
        self.tmp: Path | None = None
        self.conn: sqlite3.Connection | None = None
        if self.path is not None:
            try:
                self._copy(self.path)
            except (OSError, sqlite3.Error):  # a cache that cannot be written: an index in memory
                if self.conn is not None:
                    self.conn.close()
                self.close()
                self.conn = None
        if self.conn is None:
            self.tmp = None
            self.conn = sqlite3.connect(":memory:", check_same_thread=False)
            self._create()
        # The export's rows are kept current in an index that is kept, while they are whole.
        self.export = self.tmp is not None and not scratch and self._export_current()

    @property
    def db(self) -> sqlite3.Connection:
        assert self.conn is not None
        return self.conn

    def _copy(self, path: Path) -> None:
        """Start from a copy of the current index when it is spnet's and of this very code."""
        tmp = path.with_name(f".{path.name}-{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self.tmp = tmp
        old = open_for_reading(path)
        usable = False
        if old is not None:
            with contextlib.closing(old), contextlib.suppress(*UNREADABLE):
                row = old.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
                usable = row is not None and row[0] == json.dumps(code_stamp())
                usable = usable and old.execute("PRAGMA quick_check").fetchone() == ("ok",)
        if usable:
            shutil.copyfile(path, tmp)  # sendfile: a fraction of a second for a large index
            self.copied = True
        self.conn = sqlite3.connect(tmp, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode = OFF")  # a copy, moved into place only when whole
        self.conn.execute("PRAGMA synchronous = OFF")
        if not usable:
            self._create()

    def _create(self) -> None:
        """A new index; one in memory, which is never exported, without the export's tables."""
        assert self.conn is not None
        self.conn.executescript(LAYOUT)
        if self.tmp is not None:
            from spnet import export  # the tables of `spnet export sqlite`

            export.create_tables(self.conn)
        self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        self.conn.execute(f"PRAGMA user_version = {INDEX_FORMAT}")
        self.conn.execute("INSERT INTO meta VALUES ('code', ?)", (json.dumps(code_stamp()),))
        self.conn.execute("INSERT INTO meta VALUES ('export', 'empty')")

    def _export_current(self) -> bool:
        assert self.conn is not None
        return bool(self.conn.execute("SELECT value FROM meta WHERE key = 'export'").fetchone() == ("current",))

    def known(self) -> dict[str, tuple[tuple[int, ...], bool | None]]:
        """Each file in the index: (its size, times and inode when read, canonical form)."""
        assert self.conn is not None
        rows = self.conn.execute("SELECT name, stat, canonical FROM files")
        return {name: (tuple(json.loads(st)), None if ok is None else bool(ok)) for name, st, ok in rows}

    def forget(self, name: str) -> None:
        """A file's rows, gone: those of the export too while they are kept current."""
        assert self.conn is not None
        row = self.conn.execute("SELECT rowid, university FROM files WHERE name = ?", (name,)).fetchone()
        if row is None:
            return
        if self.export:
            from spnet.export import OWNED_ROWS

            for kind, owned in OWNED_ROWS.items():
                for table, column in owned:
                    self.conn.execute(
                        f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM defines WHERE file = ? AND kind = ?)",
                        (row[0], kind),
                    )
            self.conn.execute("DELETE FROM counts WHERE university = ?", (row[1],))
        for table in ("pieces", "defines", "refs"):
            self.conn.execute(f"DELETE FROM {table} WHERE file = ?", (row[0],))
        self.conn.execute("DELETE FROM files WHERE rowid = ?", (row[0],))

    def put(self, unit: Unit) -> None:
        """One file's rows, in place of those it had."""
        assert self.conn is not None
        self.forget(unit.name)
        file = self.conn.execute(
            "INSERT INTO files (name, pos, stat, canonical, university, problems, summary) "
            "VALUES (?, -1, ?, ?, ?, ?, ?)",
            (
                unit.name,
                json.dumps(unit.stat),
                unit.canonical,
                unit.university,
                pack(unit.problems),
                pack(unit.summary),
            ),
        ).lastrowid
        self.conn.executemany("INSERT INTO pieces VALUES (?, ?, ?)", ((file, n, d) for n, d in unit.pieces.items()))
        self.conn.executemany("INSERT INTO defines VALUES (?, ?, ?, ?, ?, ?)", ((file, *d) for d in unit.defines))
        self.conn.executemany("INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?, ?)", ((file, *r) for r in unit.refs))
        if self.export:
            from spnet.export import insert_rows

            insert_rows(self.conn, unit.rows)

    def order(self, names: list[str]) -> None:
        """The files in the archive's order (paths.data_files); any other is forgotten."""
        assert self.conn is not None
        for name in set(self.known()) - set(names):
            self.forget(name)
        self.conn.executemany("UPDATE files SET pos = ? WHERE name = ?", enumerate(names))

    def units(self) -> list[tuple[str, str | None, list[list[Any]], dict[str, Any]]]:
        """Each file in order: (name, university id, problems, summary with its records)."""
        assert self.conn is not None
        rows = self.conn.execute("SELECT name, university, problems, summary FROM files ORDER BY pos")
        return [(name, uid, json.loads(unpack(p)), _summary(json.loads(unpack(s)))) for name, uid, p, s in rows]

    def fill_export(self, archive: Archive) -> None:
        """The export's tables filled with every record of the archive."""
        from spnet import export

        for table in export.TABLES_IN_ORDER:
            self.db.execute(f"DELETE FROM {table}")
        self.db.execute("INSERT INTO partners_fts(partners_fts) VALUES ('delete-all')")
        self.db.execute("INSERT INTO events_fts(events_fts) VALUES ('delete-all')")
        export.fill_tables(self.db, archive)
        self.db.execute("UPDATE meta SET value = 'current' WHERE key = 'export'")
        self.db.commit()

    def finish(self, key: str | None, index: ArchiveIndex | None, problems: Any) -> State:
        """The state of the archive recorded (`index`: None when it is invalid, for the
        errors among `problems`). The export's tables stay current while the archive is
        valid; after an invalid one (where an id may have been taken twice) they are
        filled again when an export asks."""
        db = self.db
        if self.export and index is not None:
            db.execute("UPDATE universities SET managing = (id = ?)", (index.project.managing,))
        self.export = self.export and index is not None
        checked = db.execute("SELECT count(*) FROM files WHERE canonical IS NULL").fetchone() == (0,)
        errors = list(problems.errors)
        text = to_json({"index": index, "errors": [tuple(e) for e in errors], "checked": checked})
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("key", key or ""), ("state", pack(text))])
        if not self.export:
            db.execute("UPDATE meta SET value = 'stale' WHERE key = 'export' AND value = 'current'")
        db.commit()
        return State(index, errors, checked)

    def commit(self) -> None:
        """The updated index moved into place (unless it is a scratch one); one that cannot
        be is simply not kept."""
        if self.tmp is not None and self.path is not None and not self.scratch:
            try:
                os.replace(self.tmp, self.path)
                self.tmp, self.kept = None, True
            except OSError:
                pass
        self.close()

    def close(self) -> None:
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                self.tmp.unlink()
            self.tmp = None


def _summary(raw: dict[str, Any]) -> dict[str, Any]:
    """A file's summary (unit.py) with its records rebuilt."""
    out = dict(raw)
    out["countries"] = [_decoder(Country)(c) for c in raw["countries"]]
    if "project" in raw:
        out["project"] = _decoder(Project)(raw["project"])
    if "university" in raw:
        out["university"] = _decoder(UniversityName)(raw["university"])
    return out


def write_database(path: Path, fill: Callable[[sqlite3.Connection], None]) -> None:
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


def code_stamp() -> list[Any]:
    """spnet's own code, which the index's layout, records and messages depend on: every
    module of the archive engine, the records, and the export's and search's tables."""
    here = Path(__file__).parent
    files = sorted(here.glob("*.py")) + [here.parent / f"{name}.py" for name in ("models", "export", "query")]
    return [INDEX_FORMAT, list(sys.version_info[:2]), [os.stat(f).st_mtime_ns for f in files]]
