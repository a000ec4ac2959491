"""Search through the archive's index: the records that may hold each typed word, by the
search rows (search_rows.py), made by the first search and kept current after; then
the fields of those holding every word, as the records themselves show them."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from spnet.archive import search_rows
from spnet.archive.dbfile import write_database
from spnet.archive.fields import Compared, stored_fields
from spnet.archive.index import discarder, index_layout, index_path, open_for_reading
from spnet.archive.kinds import RECORDS, kind_of
from spnet.archive.load import ProgressMaker, Unseen
from spnet.archive.packed import UNREADABLE
from spnet.archive.rows import Spoiled, temp_table
from spnet.archive.state import FileRow, files_of
from spnet.collection import Archive
from spnet.models import Event, Field, Identified, Partner, University

# The archive's order of kinds (`records.all_records`), which search answers in.
_KINDS = tuple(kind.name for kind in RECORDS)
# How a found record sorts: its kind, then within it (a university's place in the project,
# a partner's university's, an event's first day), its file's place and its own in the file.
_Key = tuple[int, int | dt.date, int, int]


def _candidates(how: str, what: str) -> tuple[str, tuple[str, ...]]:
    """The query for the rows of the records that may hold one form of a word: by the
    trigram index for three characters or more (each of its trigrams: the index keeps no
    positions), by a scan for fewer, and for a reading by a scan of the readings without
    their spaces."""
    if how == "kana":
        return "SELECT rowid FROM search WHERE instr(replace(readings, ' ', ''), ?)", (what,)
    if len(what) >= 3:
        trigrams = dict.fromkeys(what[i : i + 3] for i in range(len(what) - 2))
        query = " AND ".join('"' + t.replace('"', '""') + '"' for t in trigrams)
        return "SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (query,)
    column = "words" if how == "words" else "folded"
    return f"SELECT rowid FROM search WHERE instr({column}, ?)", (what,)


def _holds(forms: list[tuple[str, str]], compared: Compared) -> bool:
    """Whether a field may hold one of the forms of a word (records.search decides)."""
    for how, what in forms:
        if how == "kana":
            if what in compared.readings.replace(" ", ""):
                return True
        elif what in (compared.words if how == "words" else compared.folded):
            return True
    return False


class Search:
    """Search through the index's search rows: each word's records by the trigram index (a
    word under three characters, which trigrams cannot find, by a scan of the folded
    text), then the fields of the records holding every word, in the archive's order. The
    first search makes the search rows, in a copy of the index of these very files
    (`key`) moved into place. A row that does not match its checksum, or an index SQLite
    finds broken, answers nothing (None) and search looks itself; the index is then
    removed, for the next run to make again, as a spoiled index always is."""

    def __init__(
        self,
        root: Path,
        key: str,
        archive: Archive,
        index: sqlite3.Connection,
        progress: ProgressMaker | None = None,
        discard: Callable[[], None] | None = None,
    ) -> None:
        """`index`: the archive's, open in the snapshot it is read from; `discard` removes
        it, when it is found spoiled."""
        self.key, self.archive, self.index = key, archive, index
        self.progress, self.discard = progress, discard
        self.path = index_path(root)
        self.conn: sqlite3.Connection | None = None  # the index holding the search rows

    def _open(self) -> sqlite3.Connection | None:
        if self.conn is None:
            if search_rows.current(self.index):
                self.conn = self.index
            elif self.path is not None:
                write_database(self.path, self._fill, index_layout)
                conn = open_for_reading(self.path)
                if conn is not None and self._of_these_files(conn) and search_rows.current(conn):
                    self.conn, self.discard = conn, discarder(self.path)
                elif conn is not None:
                    conn.close()
        return self.conn

    def _of_these_files(self, conn: sqlite3.Connection) -> bool:
        return bool(conn.execute("SELECT value FROM meta WHERE key = 'key'").fetchone() == (self.key,))

    def _fill(self, conn: sqlite3.Connection, copied: bool) -> None:
        """The search rows made in a copy of the index, when it is of these very files."""
        if not copied or not self._of_these_files(conn):
            raise sqlite3.DatabaseError("not the index of these files")  # nothing written
        told = self.progress() if self.progress is not None else Unseen()
        try:
            search_rows.fill(conn, told)
        finally:
            told.close()

    def __call__(self, typed: list[list[tuple[str, str]]]) -> list[Field] | None:
        """The fields of the records that may hold every typed word (each word a list of
        forms, records.Typed) that may hold one, in the archive's order: a superset that
        records.search narrows, from the forms stored, never analysing a record again."""
        try:
            conn = self._open()
            if conn is None:
                return None
            if not search_rows.whole(conn):
                raise Spoiled("the index does not hold every search row")
            picked = _picked(conn, typed)
            return self._fields(conn, picked, typed) if picked else []
        except (*UNREADABLE, Spoiled):
            self._discard()
            return None

    def _fields(self, conn: sqlite3.Connection, picked: set[int], typed: list[list[tuple[str, str]]]) -> list[Field]:
        """The fields holding a typed word, of the records among the `picked` search rows
        that hold every word, in the archive's order."""
        temp_table(conn, "search_picked", ("rowid INTEGER PRIMARY KEY",), ((rowid,) for rowid in picked))
        files = files_of(conn)
        each = [functools.partial(_holds, forms) for forms in typed]  # whether a field holds a form of a word

        def any_word(c: Compared) -> bool:
            return any(holds(c) for holds in each)

        held = _held(conn, files, each)
        found = self.archive.records(held)
        if any(rid not in found or kind_of(found[rid]) != place[2] for rid, (place, _) in held.items()):
            raise Spoiled("a search row names a record the index does not hold")
        order = _order(self.archive, files)
        fields = []
        for rid, (_place, compared) in sorted(held.items(), key=lambda item: order(item[1][0], found[item[0]])):
            fields += stored_fields(found[rid], compared, any_word)
        return fields

    def _discard(self) -> None:
        """The index found spoiled by search removed, unless another has taken its place:
        the next run makes it again, rather than every search looking itself."""
        if self.conn is not None and self.conn is not self.index:
            self.conn.close()
        self.conn = None
        if self.discard is not None:
            self.discard()


def _picked(conn: sqlite3.Connection, typed: list[list[tuple[str, str]]]) -> set[int] | None:
    """The search rows of the records that may hold every typed word (None: no word typed)."""
    picked: set[int] | None = None
    for forms in typed:
        of_word = {rowid for how, what in forms for (rowid,) in conn.execute(*_candidates(how, what))}
        picked = of_word if picked is None else picked & of_word
        if not picked:
            break
    return picked


# Where a search row's record is: (file, ord, kind, id), its first COLUMNS.
Place = tuple[int, int, str, str]


def _held(
    conn: sqlite3.Connection, files: dict[int, FileRow], each: Sequence[Callable[[Compared], bool]]
) -> dict[str, tuple[Place, list[Compared]]]:
    """By record id, the place and compared fields of each picked search row whose fields
    hold every word (`each`); Spoiled for a row that does not match its checksum."""
    held: dict[str, tuple[Place, list[Compared]]] = {}
    query = f"SELECT {search_rows.COLUMNS}, crc FROM search WHERE rowid IN (SELECT rowid FROM temp.search_picked)"
    for *values, crc in conn.execute(query):
        row: search_rows.SearchRow = tuple(values)
        if row[0] not in files or not search_rows.checked(row, crc, files[row[0]].bound):
            raise Spoiled("a search row does not match its checksum")
        compared = search_rows.compared(row)
        if all(any(holds(c) for c in compared) for holds in each):
            held[row[3]] = (row[:4], compared)
    return held


def _order(archive: Archive, files: dict[int, FileRow]) -> Callable[[Place, Identified], _Key]:
    """Sort key of a record found by its search row's place (file, ord, kind): the
    archive's order of records (records.all_records). Universities in the project's
    order, partners by university, events by date, each kind then in the order of the
    files."""
    project = archive.index.project
    members = {uid: n for n, uid in enumerate((project.managing, *project.members))}
    universities = {uid: n for n, uid in enumerate(archive.index.partner_counts)}

    def key(place: Place, record: Identified) -> _Key:
        file, ord_, kind, _rid = place
        first: int | dt.date = 0
        if isinstance(record, University):
            first = members.get(record.id, len(members))
        elif isinstance(record, Partner):
            first = universities.get(record.university, len(universities))
        elif isinstance(record, Event):
            first = record.date.first_day()
        return (_KINDS.index(kind), first, files[file].pos, ord_)

    return key
