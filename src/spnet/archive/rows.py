"""Records as rows: each kind of record the index keeps apart from its files' summaries
(kinds.PIECES) has a table of its own, one row per record, in typed columns derived from
its record type (models.py), and a child table for each list it holds (an event's
participants, a record's source lines), nested as deep as the lists are.

Nothing here is written by hand per kind: a field's type says how it is kept.
- a text, number or flag: one column (TEXT, INTEGER, REAL; a flag as 0 or 1; a value that
  may be an integer or a fraction, a count's, in a column without a type, which keeps it as
  it was given);
- a record type inside a record (a Bilingual text, a PartialDate, a Source): its fields
  inline, each column named by the path to it (`name_en`, `date_year`, `source_section`);
  when it may be missing, a column of its own says whether it is there;
- a list (`tuple[X, ...]`): a child table `<table>__<field>`, one row per item in order.

Every row is keyed by its file (the index's `files.rowid`), its place in the file (`ord`),
and for a child its place in each list above it (`p1`, `p2`, ...). A record's own row
carries the CRC-32 of its JSON form, which its child rows' values are part of: a value
spoiled, or a child row lost or moved to another record, is never given back.
A kind kept by year (events) has the first and last day its dates may cover in columns of
their own, which orders them, and a table of the years each falls in (`r_events_years`),
which picks a year's: an index of days cannot find what overlaps a year without reading
every record that began before it.
"""

from __future__ import annotations

import functools
import json
import operator
import sqlite3
import types
import typing
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from spnet.archive.kinds import PIECES, Kind

_SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL", bool: "INTEGER"}
_HEAD = 2  # the columns of a record's row before its own: file, ord (and first_day, last_day: Kept.head)


class Spoiled(Exception):
    """A part of the index that does not read back as it was written."""


# ------------------------------------------------------------------ what a type is kept as
Kids = dict[str, list[tuple[Any, ...]]]  # child rows written: table -> rows
Found = dict[str, dict[tuple[Any, ...], list[tuple[Any, ...]]]]  # child rows read: table -> owner's key -> rows
Write = Callable[[Any, list[Any], tuple[int, ...], Kids], None]
# A value read from its row (at the columns it was compiled for), its lists from the child
# rows read under the owner's key.
Read = Callable[[tuple[Any, ...], tuple[Any, ...], Found], Any]


class Node(NamedTuple):
    columns: list[tuple[str, str]]  # (name, SQL type) of the columns it takes in its owner's row
    children: list[Table]  # the child tables of its lists
    write: Write
    read: Read
    plain: bool = False  # one column, given back as it is
    flat: tuple[type[Any], int, int] | None = None  # a record always there, its fields the columns first..end
    listed: str | None = None  # a list: the child table of its items
    # A record's fields that its own row holds whole (no list inside), each read from the row alone.
    fields: Mapping[str, Read] | None = None


class Table(NamedTuple):
    """One table of rows: a kind's, or a list's inside one."""

    name: str
    depth: int  # the places in lists above it: its key is (file, ord, p1 .. p<depth>)
    node: Node  # what one row holds

    @property
    def key(self) -> list[str]:
        return ["file", "ord", *(f"p{i}" for i in range(1, self.depth + 1))]

    def tables(self) -> Iterator[Table]:
        """It and every table below it."""
        yield self
        for child in self.node.children:
            yield from child.tables()


def _is_record(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


def _optional(tp: Any) -> tuple[Any, bool]:
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        missing = len(args) < len(typing.get_args(tp))
        return (args[0] if len(args) == 1 else tuple(args)), missing
    return tp, False


def _node(tp: Any, name: str, table: str, depth: int, at: int) -> Node:
    """How a value of type `tp` is kept, its columns named from `name` and read from column
    `at` of its row on."""
    inner, optional = _optional(tp)
    if inner == (int, float):
        return _scalar(name, "", at, flag=False)
    if inner in _SQL_TYPES:
        return _scalar(name, _SQL_TYPES[inner], at, flag=inner is bool)
    if typing.get_origin(inner) is tuple:
        if optional:  # a missing list and an empty one would read back alike
            raise TypeError(f"a list that may be missing cannot be kept as rows: {tp!r}")
        return _list(typing.get_args(inner)[0], name, f"{table}__{name}", depth + 1)
    if _is_record(inner):
        return _record(inner, name, table, depth, at, optional)
    raise TypeError(f"a field of type {tp!r} cannot be kept as rows")


def _scalar(name: str, sql: str, at: int, *, flag: bool) -> Node:
    def write(value: Any, row: list[Any], key: tuple[int, ...], kids: Kids) -> None:
        row.append(value)

    def write_flag(value: Any, row: list[Any], key: tuple[int, ...], kids: Kids) -> None:
        row.append(value if value is None else int(value))  # as SQLite gives it back

    def read(row: tuple[Any, ...], key: tuple[Any, ...], found: Found) -> Any:
        return row[at]

    def read_flag(row: tuple[Any, ...], key: tuple[Any, ...], found: Found) -> Any:
        value = row[at]
        return value if value is None else bool(value)

    if flag:
        return Node([(name, sql)], [], write_flag, read_flag)
    return Node([(name, sql)], [], write, read, plain=True)


def _record(tp: type[Any], name: str, table: str, depth: int, at: int, optional: bool) -> Node:
    hints = tp.__annotations__  # the types themselves: models.py does not make them strings
    prefix = f"{name}_" if name else ""
    first = at + optional  # after the column that says whether it is there
    nodes: list[Node] = []
    places: list[int] = []  # where each plain field is; column 0 (the file) for the others
    offset = first
    for f in tp._fields:
        node = _node(hints[f], f"{prefix}{f}", table, depth, offset)
        nodes.append(node)
        places.append(offset if node.plain else 0)
        offset += len(node.columns)
    columns = [c for n in nodes for c in n.columns]
    children = [t for n in nodes for t in n.children]
    writes = [n.write for n in nodes]
    width = len(columns)
    # Its plain fields are taken from the row in one go, then the others made in place, a
    # Bilingual text without a call of its own: a quarter of the time of a call per field.
    take = operator.itemgetter(*places)
    made = [(i, n.flat, n.listed, n.read) for i, n in enumerate(nodes) if not n.plain]
    flat = not made and width == len(tp._fields)  # a Bilingual text: its columns are its fields
    end = first + width
    new = tuple.__new__  # the record types' own constructor, without _make's count of fields

    def write(value: Any, row: list[Any], key: tuple[int, ...], kids: Kids) -> None:
        if optional:
            row.append(int(value is not None))
            if value is None:
                row.extend([None] * width)
                return
        for w, v in zip(writes, value, strict=True):
            w(v, row, key, kids)

    def read(row: tuple[Any, ...], key: tuple[Any, ...], found: Found) -> Any:
        if optional and not row[at]:
            return None
        if flat:
            return new(tp, row[first:end])
        values = list(take(row)) if len(places) > 1 else [row[places[0]]]
        _fill(values, made, row, key, found)
        return new(tp, values)

    if optional:
        columns = [(name, "INTEGER"), *columns]
    inline = {f: n.read for f, n in zip(tp._fields, nodes, strict=True) if not n.children}
    return Node(columns, children, write, read, flat=(tp, first, end) if flat and not optional else None, fields=inline)


def _fill(values: list[Any], made: list[Any], row: tuple[Any, ...], key: tuple[Any, ...], found: Found) -> None:
    """A record's fields that are no plain column, made in place in `values`."""
    for i, inline, listed, read in made:
        if listed is not None:  # most lists are empty: no call for those
            values[i] = read(row, key, found) if listed in found and key in found[listed] else ()
        elif inline is not None:
            values[i] = tuple.__new__(inline[0], row[inline[1] : inline[2]])
        else:
            values[i] = read(row, key, found)


def _list(item: Any, name: str, table: str, depth: int) -> Node:
    first = depth + 2  # an item's first column in its row, after its key
    node = _node(item, "value" if not _is_record(_optional(item)[0]) else "", table, depth, first)
    child = Table(table, depth, node)
    write_item, read_item = node.write, node.read

    def write(value: Any, row: list[Any], key: tuple[int, ...], kids: Kids) -> None:
        for p, v in enumerate(value):
            place = (*key, p)
            item_row: list[Any] = list(place)
            write_item(v, item_row, place, kids)
            kids[table].append(tuple(item_row))

    def read(row: tuple[Any, ...], key: tuple[Any, ...], found: Found) -> Any:
        rows = found[table][key]
        if node.plain:
            return tuple(r[first] for r in rows)
        return tuple(read_item(r, r[:first], found) for r in rows)

    return Node([], [child], write, read, listed=table)


# ------------------------------------------------------------------ the tables of each kind
class Kept(NamedTuple):
    """A kind's tables in the index."""

    kind: Kind
    table: Table
    by_year: bool  # keeps the first and last day of its dates (events)

    def create(self) -> str:
        """The SQL that makes its tables and their indexes."""
        out = []
        for t in self.table.tables():
            extra = ["first_day TEXT NOT NULL", "last_day TEXT NOT NULL"] if t is self.table and self.by_year else []
            columns = [f"{k} INTEGER NOT NULL" for k in t.key] + extra
            columns += [f"{n} {sql}".rstrip() for n, sql in t.node.columns]
            columns += ["crc INTEGER NOT NULL", "row_crc INTEGER NOT NULL"] if t is self.table else []
            out.append(f"CREATE TABLE {t.name} ({', '.join(columns)}, PRIMARY KEY ({', '.join(t.key)})) WITHOUT ROWID;")
        if self.by_year:  # the years each record's days fall in: what picks a year's records
            years = self.years
            # A table with rowids: SQLite 3.40's quick_check finds NULLs that are not there in
            # a table without rowids whose key is not in the order of its columns, and an
            # index spnet finds spoiled is not copied (dbfile.start_copy), but made anew.
            out.append(f"CREATE TABLE {years} (file INTEGER NOT NULL, ord INTEGER NOT NULL, year INTEGER NOT NULL);")
            out.append(f"CREATE INDEX {years}_by_year ON {years}(year, file, ord);")
            out.append(f"CREATE INDEX {years}_by_file ON {years}(file);")
        if "university" in self.kind.model._fields and self.kind.kept == "by_university":
            out.append(f"CREATE INDEX {self.table.name}_by_university ON {self.table.name}(university);")
        return "\n".join(out)

    @property
    def years(self) -> str:
        """The table of the years a kind kept by year falls in (one row for each)."""
        return f"{self.table.name}_years"

    def tables(self) -> list[str]:
        """Every table of its rows, parents before children."""
        return [t.name for t in self.table.tables()] + ([self.years] if self.by_year else [])

    @property
    def head(self) -> int:
        """The columns of the kind's table before the record's own: file, ord (first_day, last_day)."""
        return _HEAD + 2 * self.by_year

    def rows(self, file: str, ord_: int, record: Any) -> list[tuple[str, tuple[Any, ...]]]:
        """A record's rows, each (table, values without the file's rowid): the `ord_`th
        record of the data file `file`."""
        kids: Kids = defaultdict(list)
        row: list[Any] = [ord_]
        if self.by_year:
            row += [record.date.first_day().isoformat(), record.date.last_day().isoformat()]
        self.table.node.write(record, row, (ord_,), kids)
        row.append(_crc(file, row[: self.head - 1], record))
        row.append(_row_crc(file, row))
        out = [(self.table.name, tuple(row)), *((t, r) for t, found in kids.items() for r in found)]
        if self.by_year:
            first, last = record.date.first_day().year, record.date.last_day().year
            out += [(self.years, (ord_, year)) for year in range(first, last + 1)]
        return out

    def read(
        self, conn: sqlite3.Connection, files: Mapping[int, str], where: str, params: tuple[Any, ...], order: str
    ) -> list[Any]:
        """The records whose rows `where` picks (over the kind's table as `p`), in `order`;
        Spoiled when one does not read back as it was written, or as its file's (`files`:
        each file's name by its rowid) at its place."""
        sql = f"SELECT * FROM {self.table.name} p WHERE {where} ORDER BY {order}"
        parents = conn.execute(sql, params).fetchall()
        if len({r[:2] for r in parents}) != len(parents):  # an index entry spoiled into another's key
            raise Spoiled(f"the index gives a record of {self.table.name} twice")
        found: Found = {}
        children = list(self.table.tables())[1:]
        if parents and children:
            # The records' keys, for their child rows to be found by key: picking the records
            # again for each child table cost more than reading the child rows.
            temp_table(conn, "picked", ("file INTEGER", "ord INTEGER"), (r[:2] for r in parents), key=("file", "ord"))
        for t in children if parents else ():
            keys = ", ".join(f"c.{k}" for k in t.key)
            sql = (
                f"SELECT c.* FROM temp.picked p CROSS JOIN {t.name} c ON c.file = p.file AND c.ord = p.ord "
                f"ORDER BY {keys}"
            )
            grouped: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
            owner = t.depth + 1
            for r in conn.execute(sql):
                grouped[r[:owner]].append(r)
            found[t.name] = grouped
        read, head = self.table.node.read, self.head
        out = []
        for r in parents:
            record = read(r, r[:2], found)
            if _crc(files.get(r[0], ""), r[1:head], record) != r[-2]:
                raise Spoiled("a record of the index does not match its checksum")
            out.append(record)
        return out

    def fields(
        self,
        conn: sqlite3.Connection,
        files: Mapping[int, str],
        names: Sequence[str],
        where: str,
        params: tuple[Any, ...],
        order: str,
    ) -> list[tuple[tuple[int, int], tuple[Any, ...]]]:
        """Some fields of the records whose rows `where` picks, in `order`, each with the
        record's key (file, ord): each a field the record's own row holds whole (a text, a
        date; no list), read from that row alone, which its own CRC covers. KeyError for a
        field that is not such."""
        node = self.table.node
        assert node.fields is not None
        readers = [node.fields[n] for n in names]
        sql = f"SELECT * FROM {self.table.name} p WHERE {where} ORDER BY {order}"
        out, seen = [], set()
        for r in conn.execute(sql, params):  # a row at a time: only the fields asked for are kept
            if r[:2] in seen:
                raise Spoiled(f"the index gives a record of {self.table.name} twice")
            seen.add(r[:2])
            if _row_crc(files.get(r[0], ""), r[1:-1]) != r[-1]:
                raise Spoiled("a record's row in the index does not match its checksum")
            out.append(((r[0], r[1]), tuple(read(r, (), {}) for read in readers)))
        return out


def temp_table(
    conn: sqlite3.Connection,
    name: str,
    columns: tuple[str, ...],
    rows: Iterable[Sequence[Any]],
    key: tuple[str, ...] = (),
) -> None:
    """`temp.<name>`, a table of the connection's own (never the index's), holding `rows`
    alone: what a query picks its rows by. Each purpose has a name of its own, since one
    may be read while another is filled (a search's rows picked, then their records read:
    `picked`, which `Kept.read` fills)."""
    primary = f", PRIMARY KEY ({', '.join(key)})) WITHOUT ROWID" if key else ")"
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({', '.join(columns)}{primary}")
    conn.execute(f"DELETE FROM temp.{name}")
    conn.executemany(f"INSERT INTO temp.{name} VALUES ({', '.join('?' * len(columns))})", rows)


def _crc(file: str, place: Any, record: Any) -> int:
    """The CRC-32 of a record's JSON form (its child rows' values with it: a row lost, or
    moved to another record, changes it), of its file and its place there (`ord`, and the
    days it is picked by): a record moved to another place or file is as spoiled as one
    changed."""
    text = json.dumps([file, list(place), record], ensure_ascii=False, separators=(",", ":"))
    return zlib.crc32(text.encode("utf-8", "surrogateescape"))


def bound_to(name: str, stat: str) -> str:
    """What binds a file's records and summaries in the index to that file as it was read:
    its name, and its size, times and inode (the JSON of files.StatKey). A row copied back
    from an earlier reading of the same file does not match its checksum."""
    return f"{name}\n{stat}"


def _row_crc(file: str, values: Sequence[Any]) -> int:
    """The CRC-32 of a record's own row (its texts, numbers and NULLs as SQLite gives them
    back, whose repr tells 'None' from None and 1 from '1') and of its file: what a read of
    some of its fields (Kept.fields) checks, without its child rows."""
    return zlib.crc32(repr((file, *values)).encode("utf-8", "surrogateescape"))


@functools.cache
def kept() -> dict[str, Kept]:
    """The tables of each kind kept apart, by its plural."""
    out = {}
    for plural, kind in PIECES.items():
        by_year = kind.kept == "by_year"
        head = _HEAD + 2 * by_year
        table = Table(f"r_{plural}", 0, _record(kind.model, "", f"r_{plural}", 0, head, optional=False))
        out[plural] = Kept(kind, table, by_year)
    return out


def layout() -> str:
    """The SQL that makes every kind's tables."""
    return "\n".join(k.create() for k in kept().values())


def all_tables() -> list[str]:
    """Every table of rows, parents before children."""
    return [name for k in kept().values() for name in k.tables()]
