"""The whole archive for other tools: a JSON bundle, one CSV per record type, SQLite.

JSON and CSV carry exactly the listing commands' rows (same fields, same order), so
`spnet export json` equals what `spnet partners --format json` and the others print.
SQLite has one table per record type with primary and foreign keys, and a `label` naming
each row (spnet.datasette); the sqlite3 shell and Datasette open it as it is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from spnet import events, query, render
from spnet.archive import kinds
from spnet.archive.index import APPLICATION_ID  # SQLite's header, offset 68: a database spnet wrote
from spnet.archive.load import ProgressMaker, Unseen
from spnet.archive.tables import DROP_TRIGGERS, TABLES_IN_ORDER, TRIGGERS, create_tables, fill_tables, table_sums
from spnet.collection import Archive
from spnet.columns import COLUMNS, Column
from spnet.dates import DateSpan
from spnet.errors import UsageError
from spnet.fsutil import output, replacing
from spnet.i18n import _
from spnet.models import Row


def bundle(archive: Archive, *, universities: Sequence[str] = (), span: DateSpan | None = None) -> dict[str, list[Row]]:
    """Every record type as the listing commands give it, filtered like them."""
    return {
        "project": query.project(archive),
        "universities": query.universities(archive),
        "partners": query.partners(archive, universities=universities),
        "events": events.timeline(archive, universities=universities, span=span),
        "contacts": query.contacts(archive, universities=universities),
        "links": query.links(archive),
        "countries": query.countries(archive),
    }


def columns(kind: str) -> list[Column]:
    """The listing's fields, as its JSON and CSV carry them by default."""
    return [c for c in COLUMNS[kinds.BUNDLES[kind]] if c.default]


def write_json(data: dict[str, list[Row]], out: Path | None) -> None:
    keyed = {
        kind: [{c.key: render.json_value(row.get(c.key)) for c in columns(kind)} for row in rows]
        for kind, rows in data.items()
    }
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
def write_sqlite(
    archive: Archive,
    out: Path | None,
    *,
    force: bool = False,
    metadata: Path | None = None,
    index: sqlite3.Connection | None = None,
    progress: ProgressMaker | None = None,
) -> None:
    """A new SQLite database at `out` (`-`: standard output), written to a temporary file
    and moved into place: a copy of the archive's index (`index`, when it is current)
    without what only the index needs, when its rows add up to the sums the index keeps of
    them; else (no index, or a spoiled one) the same tables built afresh from the archive,
    `progress` shown."""
    if out is None:
        raise UsageError(_("a SQLite export is a file: give --out FILE"))
    if str(out) == "-":  # SQLite writes a file: one made aside (0700 directory), then copied out
        with tempfile.TemporaryDirectory(prefix="spnet-export-") as aside:
            made = Path(aside) / "spnet.db"
            write_sqlite(archive, made, metadata=metadata, index=index, progress=progress)
            sys.stdout.flush()
            with open(made, "rb") as fh:
                shutil.copyfileobj(fh, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        return
    if not force and _foreign_database(out):
        raise UsageError(_("--out {path}: a file spnet did not write; --force replaces it").format(path=out))
    with replacing(out) as tmp, _sqlite_writing():
        if index is None or not _checked_copy(index, tmp):
            if index is not None:  # a spoiled index: its export's tables filled again next time
                from spnet.archive.dbfile import export_spoiled

                export_spoiled(index)
            tmp.unlink(missing_ok=True)  # what a copy left behind
            db = _scratch(tmp)
            told = progress() if progress is not None else Unseen()
            try:
                create_tables(db)
                fill_tables(db, archive, told)
            finally:
                told.close()
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
    from spnet.archive.dbfile import export_sums

    sums = export_sums(index)
    if sums is None:
        return False
    try:
        with contextlib.closing(_scratch(tmp)) as db:
            create_tables(db)
            db.executescript(DROP_TRIGGERS)  # a table with triggers is copied row by row
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
