"""The database files spnet writes beside the kept ones: a new file stamped as spnet's
(stamp), or a checked copy of the kept one (start_copy), filled and moved into place when
whole (write_database); and the sums an index keeps of its export's tables."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from spnet.archive.index import (
    APPLICATION_ID,
    INDEX_FORMAT,
    SCHEMA_SQL,
    code_stamp,
    index_layout,
    layout_mark,
    open_for_reading,
)
from spnet.archive.packed import UNREADABLE, unpack
from spnet.archive.rows import Spoiled
from spnet.fsutil import Replacement

EXPORT_SUMS = "export-sums"


def export_sums(conn: sqlite3.Connection) -> dict[str, int] | None:
    """The sums an index keeps of its export's rows (tables.table_sums); None when it keeps
    none that read back as written."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (EXPORT_SUMS,)).fetchone()
        sums = json.loads(unpack(row[0], EXPORT_SUMS))
        if not isinstance(sums, dict) or not all(isinstance(v, int) for v in sums.values()):
            return None
        return {str(table): value for table, value in sums.items()}
    except (*UNREADABLE, Spoiled):
        return None


def export_spoiled(conn: sqlite3.Connection) -> None:
    """The export's tables of the index open as `conn`, found by an export not to add up to
    their sums, marked to be filled again when the next export asks: in a copy of the
    index moved into place. An index that cannot be copied is left as it is."""
    try:
        path = next(Path(file) for _seq, name, file in conn.execute("PRAGMA database_list") if name == "main")
    except (sqlite3.Error, StopIteration):
        return

    def mark(db: sqlite3.Connection, copied: bool) -> None:
        if not copied:  # not this code's whole index: nothing of it to mark
            raise sqlite3.DatabaseError("the index cannot be copied")
        db.execute("UPDATE meta SET value = 'stale' WHERE key = 'export'")

    write_database(path, mark, index_layout)


def stamp(conn: sqlite3.Connection) -> None:
    """Mark a new database (its `meta` table made) as spnet's, of this layout and this code."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {INDEX_FORMAT}")
    conn.execute("INSERT INTO meta VALUES ('code', ?)", (json.dumps(code_stamp()),))
    conn.execute("INSERT INTO meta VALUES ('layout', ?)", (layout_mark(conn.execute(SCHEMA_SQL).fetchall()),))


def start_copy(
    path: Path, layout: Callable[[], list[tuple[str, ...]]] | None = None, *, fresh: bool = False
) -> tuple[Replacement, sqlite3.Connection, bool]:
    """A new file of the user's alone beside `path`, to be moved into place when whole: a
    copy of `path` when that is spnet's, of this very code and layout (`layout`, the
    index's by default), and whole (True); else, or when `fresh`, empty."""
    new = Replacement(path, derived=True)
    assert new.tmp is not None
    tmp = new.tmp
    try:
        old = None if fresh else open_for_reading(path, layout or index_layout)
        usable = False
        if old is not None:
            with contextlib.closing(old), contextlib.suppress(*UNREADABLE):
                row = old.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
                usable = row is not None and row[0] == json.dumps(code_stamp())
                usable = usable and old.execute("PRAGMA quick_check").fetchone() == ("ok",)
        if usable:
            shutil.copyfile(path, tmp)  # sendfile: a fraction of a second for a large index
        conn = sqlite3.connect(tmp, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = OFF")  # a copy, moved into place only when whole
        conn.execute("PRAGMA synchronous = OFF")
        if usable:  # its layout is the code's, just compared: its mark is made again from it,
            # so that a spoiled mark, which readers would refuse every time, is mended once
            mark = layout_mark(conn.execute(SCHEMA_SQL).fetchall())
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?)", (mark,))
    except BaseException:
        new.discard()
        raise
    return new, conn, usable


def write_database(
    path: Path, fill: Callable[[sqlite3.Connection, bool], None], layout: Callable[[], list[tuple[str, ...]]]
) -> None:
    """A database of spnet's brought up to date by `fill` (given whether it starts from a
    copy of the one at `path`, or empty) in a file beside `path` and moved into place:
    readers see the old file or the new, never a part. One that cannot be written (a full
    disk, a read-only cache) is simply not written; Ctrl-C leaves no part of one."""
    try:
        new, conn, copied = start_copy(path, layout)
    except (OSError, sqlite3.Error):
        return
    try:
        try:
            fill(conn, copied)
            conn.commit()
        finally:
            conn.close()
        new.commit()
    except (OSError, sqlite3.Error):
        pass
    finally:
        new.discard()
