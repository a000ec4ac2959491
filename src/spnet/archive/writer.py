"""Bringing the index up to date: a copy of it (or a new one) written beside it and moved
into place when whole (Writer), the database files spnet writes the same way
(dbfile.write_database), and the export's tables kept in the index (current). Each is written
through spnet's one atomic writer (fsutil.Replacement) as a derived file: without fsync,
since a crash costs only a rebuild.

What the index holds is index.py's; how a query reads it, pieces.py's and state.py's."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spnet.archive import rows, search_rows, tables
from spnet.archive.dbfile import EXPORT_SUMS, export_sums, stamp, start_copy
from spnet.archive.index import (
    LAYOUT,
    index_path,
    open_for_reading,
)
from spnet.archive.packed import UNREADABLE, decode, pack, row_crc, to_json, unpack
from spnet.archive.rows import Spoiled
from spnet.archive.state import DEFINES, FILE_COLUMNS, REFS, FileRow, State, files_of, read_state
from spnet.collection import Archive
from spnet.fsutil import Replacement
from spnet.models import ArchiveIndex, Country, Project, UniversityName

if TYPE_CHECKING:
    from spnet.archive.load import ProgressMaker
    from spnet.archive.schema import Problems
    from spnet.archive.unit import Unit


def _with_export(root: Path) -> sqlite3.Connection | None:
    path = index_path(root)
    conn = open_for_reading(path) if path is not None else None
    if conn is not None:
        try:
            state = read_state(conn, None)
            export = conn.execute("SELECT value FROM meta WHERE key = 'export'").fetchone()
        except (*UNREADABLE, Spoiled):
            state = export = None
        if (
            state is None
            or state.archive_index is None
            or export != (tables.current_mark(),)
            or export_sums(conn) is None
        ):
            conn.close()
            return None
    return conn


@contextlib.contextmanager
def current(root: Path, archive: Archive, progress: ProgressMaker | None = None) -> Iterator[sqlite3.Connection | None]:
    """The index as it stands, read-only, for a copy of its export's tables (spnet export
    sqlite). The index fills them the first time an export asks (a query never needs
    them: filling them would take a fifth of a first reading), and again after a file
    changed; None when there is no index of this very archive. `progress` is shown while
    they are filled."""
    conn = _with_export(root)
    if conn is None:
        writer = Writer(root, keep=True)
        try:
            try:
                state = read_state(writer.db, None) if writer.copied else None
            except (*UNREADABLE, Spoiled):
                state = None
            if state is not None and state.archive_index == archive.index:
                writer.fill_export(archive, progress)
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
# Every value a query or a check reads from the index carries a CRC-32: the blobs of
# `files` in their packed form (packed.pack, bound to their file), the other columns of
# `files`, `defines` and `refs` in a `crc` column of their own (packed.row_crc), and each
# record's rows in its own table's `crc` (rows.py).


class Writer:
    """The index being brought up to date: a copy of the current index (or a new one) in a
    temporary file of the user's alone beside it, moved into place by commit(), so that
    readers see the old index or the new, never a part; or a database in memory, when no
    index is kept (--no-cache, no safe cache directory, a cache that cannot be written).
    Ctrl-C or an error leaves no part of one."""

    def __init__(self, root: Path, *, keep: bool, scratch: bool = False, fresh: bool = False) -> None:
        self.path = index_path(root) if keep else None
        self.scratch, self.kept, self.copied, self.fresh = scratch, False, False, fresh
        self.parts: dict[str, int] = {}
        # Each file's problems and summary as known() read them back, by its row: units()
        # takes them from here, not from the index again, for every file an edit left alone.
        self._texts: dict[int, tuple[str, str]] = {}
        self.sums: dict[str, int] | None = None
        self.search = False
        self.new: Replacement | None = None
        self.conn: sqlite3.Connection | None = None
        try:  # Ctrl-C here too leaves no temporary file
            if self.path is not None:
                try:
                    self._copy(self.path)
                except (OSError, sqlite3.Error):  # a cache that cannot be written: an index in memory
                    if self.conn is not None:
                        self.conn.close()
                    self.close()
                    self.conn = None
            if self.conn is None:
                self.new = None
                self.conn = sqlite3.connect(":memory:", check_same_thread=False)
                self._create()
            # The export's rows, in an index that is kept, stand while they are whole and no file changed.
            self.export = self.tmp is not None and not scratch and self._export_current()
            # The sums of the export's rows (tables.table_sums), kept with them; tables
            # without sums that read back are filled again when an export asks.
            self.sums = export_sums(self.conn) if self.export else None
            self.export = self.sums is not None
            # The search rows are kept current in an index that is kept, once a search made them.
            self.search = self.tmp is not None and not scratch and search_rows.current(self.conn)
        except BaseException:
            self.close()
            raise

    @property
    def tmp(self) -> Path | None:
        """The file the index is written to; None for one in memory."""
        return self.new.tmp if self.new is not None else None

    @property
    def db(self) -> sqlite3.Connection:
        assert self.conn is not None
        return self.conn

    def _copy(self, path: Path) -> None:
        """Start from a copy of the current index when it is spnet's and of this very code."""
        self.new, self.conn, self.copied = start_copy(path, fresh=self.fresh)
        if not self.copied:
            self._create()
        else:
            # The checks across files look ids up through these tables' indexes, which hold
            # copies of their values that no row's CRC covers: made again from the rows.
            self.conn.executescript("REINDEX files; REINDEX defines; REINDEX refs;")

    def _create(self) -> None:
        """A new index; one in memory, which is never exported, without the export's tables."""
        assert self.conn is not None
        self.conn.executescript(LAYOUT)
        if self.tmp is not None:
            tables.create_tables(self.conn)
        stamp(self.conn)
        self.conn.execute("INSERT INTO meta VALUES ('export', 'empty')")
        self.conn.execute("INSERT INTO meta VALUES ('search', ?)", (search_rows.EMPTY,))
        self.conn.execute("INSERT INTO meta VALUES ('search-rows', 0)")

    def _export_current(self) -> bool:
        assert self.conn is not None
        return bool(
            self.conn.execute("SELECT value FROM meta WHERE key = 'export'").fetchone() == (tables.current_mark(),)
        )

    def known(self) -> dict[str, tuple[tuple[int, ...], bool | None]]:
        """Each file in the index: (its size, times and inode when read, canonical form).
        A file whose row does not read back as it was written is forgotten now, with its
        rows, to be read again: by its name, which may be the spoiled part, `order` would
        forget the rows its file's fresh reading gives the same ids."""
        assert self.conn is not None
        known, spoiled = {}, []
        for rowid, *values, crc, problems, summary in self.conn.execute(
            f"SELECT rowid, {FILE_COLUMNS}, crc, problems, summary FROM files"
        ).fetchall():
            row = FileRow(*values)
            try:
                if row_crc(*values) != crc:
                    raise Spoiled(row.name)
                self._texts[rowid] = (unpack(problems, row.bound), unpack(summary, row.bound))
                known[row.name] = (tuple(json.loads(row.stat)), None if row.canonical is None else bool(row.canonical))
            except (*UNREADABLE, Spoiled):
                spoiled.append(rowid)
        for rowid in spoiled:
            self._forget(rowid)
        return known

    def forget(self, name: str) -> None:
        """A file's rows, gone: its search rows too while they are kept current; the export's
        tables are to be filled again (_export_changed)."""
        assert self.conn is not None
        row = self.conn.execute("SELECT rowid FROM files WHERE name = ?", (name,)).fetchone()
        if row is not None:
            self._forget(row[0])

    def _forget(self, file: int) -> None:
        assert self.conn is not None
        self._texts.pop(file, None)  # a file put after it may be given its rowid
        self._export_changed()
        if self.search and not search_rows.forget(self.conn, file):
            search_rows.clear(self.conn)  # made again by the next search
            self.search = False
        for table in ("defines", "refs", *rows.all_tables()):
            self.conn.execute(f"DELETE FROM {table} WHERE file = ?", (file,))
        self.conn.execute("DELETE FROM files WHERE rowid = ?", (file,))

    def put(self, unit: Unit) -> None:
        """One file's rows, in place of those it had."""
        assert self.conn is not None
        self.forget(unit.name)
        file = self.conn.execute(
            "INSERT INTO files (name, pos, stat, canonical, university, problems, summary, crc) "
            "VALUES (?, -1, ?, ?, ?, ?, ?, 0)",
            (
                unit.name,
                json.dumps(unit.stat),
                unit.canonical,
                unit.university,
                pack(unit.problems, bound=rows.bound_to(unit.name, json.dumps(unit.stat))),
                pack(unit.summary, bound=rows.bound_to(unit.name, json.dumps(unit.stat))),
            ),
        ).lastrowid
        assert file is not None
        self._seal(file)
        for table, blob in unit.records.items():
            found = json.loads(zlib.decompress(blob))
            marks = ", ".join("?" * (len(found[0]) + 1))
            self.conn.executemany(f"INSERT INTO {table} VALUES ({marks})", ((file, *row) for row in found))
        self.conn.executemany(
            "INSERT INTO defines VALUES (?, ?, ?, ?, ?, ?, ?)", ((file, *d, row_crc(file, *d)) for d in unit.defines)
        )
        self.conn.executemany(
            "INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ((file, *r, row_crc(file, *r)) for r in unit.refs)
        )
        if self.search:
            search_rows.put(self.conn, file)
        self._export_changed()

    def _export_changed(self) -> None:
        """The export's tables, once a file's records change, filled again by the next
        export (finish marks them so), not mended in place: a file's rows put again would
        stand after every other file's, a university's counts with new ids, and an export
        would then depend on the cache's history, not be what --no-cache writes."""
        self.export = False

    def _seal(self, file: int) -> None:
        """A file's row given the CRC of what it now holds."""
        assert self.conn is not None
        values = self.conn.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE rowid = ?", (file,)).fetchone()
        self.conn.execute("UPDATE files SET crc = ? WHERE rowid = ?", (row_crc(*values), file))

    def order(self, names: list[str]) -> None:
        """The files in the archive's order (paths.data_files); any other is forgotten."""
        assert self.conn is not None
        keep = set(names)
        for (name,) in self.conn.execute("SELECT name FROM files").fetchall():
            if name not in keep:  # a file gone, or a row whose name does not read back
                self.forget(name)
        places = dict(self.conn.execute("SELECT name, pos FROM files").fetchall())
        for pos, name in enumerate(names):
            if places.get(name, pos) != pos:  # moved, or put (at -1): sealed again at its place
                self._export_changed()
                self.conn.execute("UPDATE files SET pos = ? WHERE name = ?", (pos, name))
                file = self.conn.execute("SELECT rowid FROM files WHERE name = ?", (name,)).fetchone()[0]
                self._seal(file)

    def units(self) -> list[tuple[str, str | None, list[list[Any]], dict[str, Any]]]:
        """Each file in order: (name, university id, problems, summary with its records).
        Spoiled when a row of the index (of a file, an id it defines or one it names) does
        not read back as it was written: the checks across files run over them."""
        assert self.conn is not None
        for table, columns in (("defines", DEFINES), ("refs", REFS)):
            for *values, crc in self.conn.execute(f"SELECT {columns}, crc FROM {table}"):
                if row_crc(*values) != crc:
                    raise Spoiled(f"a row of {table} in the index does not match its checksum")
        out = []
        self.parts = {}
        for row in sorted(files_of(self.conn).values(), key=lambda row: row.pos):
            if row.rowid in self._texts:
                problems, summary = self._texts[row.rowid]
            else:
                blobs = "SELECT problems, summary FROM files WHERE rowid = ?"
                packed = self.conn.execute(blobs, (row.rowid,)).fetchone()
                problems, summary = unpack(packed[0], row.bound), unpack(packed[1], row.bound)
            found = _summary(json.loads(summary))
            for piece, count in found["pieces"].items():
                self.parts[piece] = self.parts.get(piece, 0) + count
            out.append((row.name, row.university, json.loads(problems), found))
        return out

    def fill_export(self, archive: Archive, progress: ProgressMaker | None = None) -> None:
        """The export's tables filled with every record of the archive, `progress` shown.
        Their rows go with the triggers set aside: a row spoiled since the full-text index
        took it would be handed to it to delete, which SQLite then calls a malformed
        database."""
        from spnet.archive.load import Unseen

        self.db.executescript(tables.DROP_TRIGGERS)
        self.db.execute("INSERT INTO partners_fts(partners_fts) VALUES ('delete-all')")
        self.db.execute("INSERT INTO events_fts(events_fts) VALUES ('delete-all')")
        for table in tables.TABLES_IN_ORDER:
            self.db.execute(f"DELETE FROM {table}")
        told = progress() if progress is not None else Unseen()
        try:
            tables.fill_tables(self.db, archive, told)
        finally:
            told.close()
        self.sums = tables.table_sums(self.db)
        self._keep_sums()
        self.db.execute("UPDATE meta SET value = ? WHERE key = 'export'", (tables.current_mark(),))
        self.db.commit()

    def finish(self, key: str | None, index: ArchiveIndex | None, problems: Problems) -> State:
        """The state of the archive recorded (`index`: None when it is invalid, for the
        errors among `problems`). The export's tables stay current while no file changed
        and the archive is valid; else (an edit, or an invalid archive, where an id may
        have been taken twice) they are filled again when an export asks."""
        db = self.db
        self.export = self.export and index is not None
        checked = db.execute("SELECT count(*) FROM files WHERE canonical IS NULL").fetchone() == (0,)
        errors = list(problems.errors)
        text = to_json({"index": index, "errors": [tuple(e) for e in errors], "checked": checked, "parts": self.parts})
        # The state bound to the key it was made for: one copied back from an earlier index does not read back.
        state = pack(text, bound=key or "")
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("key", key or ""), ("state", state)])
        if not self.export:
            db.execute("UPDATE meta SET value = 'stale' WHERE key = 'export' AND value LIKE 'current%'")
        db.commit()
        return State(index, errors, checked, self.parts)

    def _keep_sums(self) -> None:
        assert self.sums is not None
        sums = {table: value % (1 << 64) for table, value in self.sums.items()}
        self.db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('export-sums', ?)", (pack(to_json(sums), bound=EXPORT_SUMS),)
        )

    def commit(self) -> None:
        """The updated index moved into place (unless it is a scratch one); one that cannot
        be is simply not kept."""
        if self.new is not None and not self.scratch:
            try:
                self.new.commit()
                self.kept = True
            except OSError:
                pass
            else:  # the search index an earlier spnet kept in a file of its own: its rows are here now
                assert self.path is not None
                with contextlib.suppress(OSError):
                    os.unlink(self.path.with_name(self.path.name.replace("index-", "search-", 1)))
        self.close()

    def close(self) -> None:
        if self.new is not None:
            self.new.discard()


def _summary(raw: dict[str, Any]) -> dict[str, Any]:
    """A file's summary (unit.py) with its records rebuilt."""
    out = dict(raw)
    out["countries"] = [decode(c, Country) for c in raw["countries"]]
    if "project" in raw:
        out["project"] = decode(raw["project"], Project)
    if "university" in raw:
        out["university"] = decode(raw["university"], UniversityName)
    return out
