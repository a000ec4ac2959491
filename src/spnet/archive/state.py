"""What the index says of the archive as a whole (`meta`'s state) and of each data file
(`files`), each row checked against its checksum."""

from __future__ import annotations

import json
import sqlite3
import typing

from spnet.archive.packed import decode, problems_of, row_crc, unpack
from spnet.archive.rows import Spoiled, bound_to
from spnet.models import ArchiveIndex, Problem


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
    index = decode(raw["index"], ArchiveIndex) if raw["index"] is not None else None
    return State(index, errors, bool(raw["checked"]), dict(raw["parts"]))


def warnings_of(conn: sqlite3.Connection) -> tuple[Problem, ...]:
    """The warnings of every file, in the order of the files."""
    files = files_of(conn)
    blobs = sorted(
        (files[rowid].pos, unpack(blob, files[rowid].bound))
        for rowid, blob in conn.execute("SELECT rowid, problems FROM files")
    )
    return tuple(w for _pos, text in blobs for w in problems_of(json.loads(text))[1])


# The columns of `defines` and `refs` that each row's CRC covers (packed.row_crc).
DEFINES = "file, ord, id, kind, place, university"
REFS = "file, ord, place, key, id, kind, university"
