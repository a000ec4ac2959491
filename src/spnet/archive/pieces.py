"""The archive's pieces read from an open index when first asked for: the records of a
kind that a piece picks, ordered in SQL, each checked against its checksum."""

from __future__ import annotations

import json
import sqlite3
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from spnet.archive.kinds import KIND
from spnet.archive.packed import UNREADABLE, row_crc, unpack
from spnet.archive.rows import Kept, Spoiled, kept, temp_table
from spnet.archive.state import DEFINES, FileRow, State, files_of, warnings_of
from spnet.collection import Archive, Keep
from spnet.errors import DataError
from spnet.i18n import _
from spnet.models import Event, Identified, University

T = TypeVar("T")


class Pieces:
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
            return warnings_of(self.conn)
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

    def _managing(self, record: Identified) -> Identified:
        """A university's record says whether it is the managing one, as the project does."""
        if not isinstance(record, University):
            return record
        return record._replace(managing=record.id == self.index.project.managing)


# Where a file stands among the archive's files: what orders records of several files.
_POS = "(SELECT pos FROM files WHERE files.rowid = p.file)"
_FILED = "+p.file IN (SELECT rowid FROM files)"  # "+": a check on each row picked, never how rows are picked


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
    return [e for e in read if e.concerns((rid,)) or _names(e, rid)]


def _names(event: Event, rid: str) -> bool:
    """Whether an event names `rid` as a partner or a participant."""
    return rid in event.partners or any(p.person == rid for p in event.participants)


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
