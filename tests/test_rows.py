"""Records as rows (archive/rows.py): every kind the index keeps apart is written to its
typed tables and read back as the very record it was, its types included (a flag stays a
flag, 3.0 stays a fraction), for records hypothesis makes from the record types and for
every record of the real archive; a value spoiled, a child row lost or moved is never
given back."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import types
import typing
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spnet.archive.load import load_archive
from spnet.archive.rows import Kept, Spoiled, kept, layout
from spnet.collection import Archive
from spnet.partialdate import PartialDate
from tests.conftest import DATA

# What a data file can hold: TOML's 64-bit integers, finite numbers, text without lone
# surrogates (TOML's text is UTF-8), and dates in the forms the schema reads.
TYPES = {
    int: st.integers(-(2**63), 2**63 - 1),
    float: st.floats(allow_nan=False),
    str: st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    PartialDate: st.sampled_from(["2023", "2023-03", "2023-03-03", "199X", "FY2019", "0002", "9998-12-31"]).map(
        PartialDate.parse
    ),
}
KINDS = sorted(kept())
FILES = {1: "data/f.toml"}  # the one file the records are read from


def _round_trip(rows: Kept, records: list[Any]) -> tuple[sqlite3.Connection, list[Any]]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(layout())
    for n, record in enumerate(records):
        for table, values in rows.rows("data/f.toml", n, record):
            conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * (len(values) + 1))})", (1, *values))
    return conn, rows.read(conn, FILES, "1", (), "p.ord")


def _fields_read_back(rows: Kept, conn: sqlite3.Connection, records: list[Any]) -> None:
    """Every field a record's own row holds whole, read from the rows alone (Kept.fields),
    is the record's, of the same type."""
    assert rows.table.node.fields is not None
    names = list(rows.table.node.fields)
    assert "id" in names
    back = rows.fields(conn, FILES, names, "1", (), "p.ord")
    assert [key for key, _values in back] == [(1, n) for n in range(len(records))]
    assert _same([values for _key, values in back], [tuple(getattr(r, n) for n in names) for r in records])


def _same(a: list[Any], b: list[Any]) -> bool:
    """Equal, and of the same types: JSON tells true from 1 and 3.0 from 3."""
    return a == b and json.dumps(a) == json.dumps(b)


@pytest.fixture(scope="module")
def archive() -> Archive:
    return load_archive(DATA, cache=False)


@pytest.mark.parametrize("plural", KINDS)
def test_every_record_of_the_archive_reads_back_from_its_rows(archive: Archive, plural: str) -> None:
    records = list(getattr(archive, plural))
    assert records, f"the archive holds no {plural}"
    conn, back = _round_trip(kept()[plural], records)
    assert _same(back, records)
    _fields_read_back(kept()[plural], conn, records)


@pytest.mark.parametrize("plural", KINDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_record_of_its_type_reads_back_from_its_rows(plural: str, data: st.DataObject) -> None:
    rows = kept()[plural]
    records = data.draw(st.lists(_strategy(rows.kind.model), max_size=3))
    conn, back = _round_trip(rows, records)
    assert _same(back, records)
    _fields_read_back(rows, conn, records)


def _strategy(tp: Any) -> st.SearchStrategy[Any]:
    """Values of a field's type, as a data file can give them (TYPES), records and lists built of them."""
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        return st.one_of(*(_strategy(a) for a in typing.get_args(tp)))
    if tp is type(None):
        return st.none()
    if typing.get_origin(tp) is tuple:
        return st.lists(_strategy(typing.get_args(tp)[0]), max_size=3).map(tuple)
    if tp in TYPES:
        return TYPES[tp]
    if tp is bool:
        return st.booleans()
    fields = {f: _strategy(t) for f, t in tp.__annotations__.items()}
    return st.fixed_dictionaries(fields).map(lambda values: tp(**values))


def _event_rows(archive: Archive) -> tuple[sqlite3.Connection, Kept]:
    rows = kept()["events"]
    conn, back = _round_trip(rows, list(archive.events))
    assert back == list(archive.events)
    return conn, rows


# Spoils of a record's own row, which a read of some of its fields (Kept.fields) sees too,
# and of its child rows, which only a read of whole records reads.
OWN_ROW_SPOILS = [
    "UPDATE r_events SET title_en = title_en || 'x' WHERE title_en IS NOT NULL",
    "UPDATE r_events SET date_year = date_year + 1",
    "UPDATE r_events SET first_day = '1999-01-01'",
    "UPDATE r_events SET ord = ord + 1000 WHERE ord = 0",
    "UPDATE r_events SET file = 2",
]
CHILD_ROW_SPOILS = [
    "UPDATE r_events__participants SET person = person || 'x'",
    "UPDATE r_events__source_lines SET value = value + 1",
    "DELETE FROM r_events__source_lines WHERE p1 = 0",
    "UPDATE r_events__universities SET ord = (ord + 1) % (SELECT count(*) FROM r_events)",
    "UPDATE r_events__source_cites__lines SET p1 = p1 + 1000 WHERE p2 = 0",
]


@pytest.mark.parametrize(
    ("spoil", "whole"),
    [*((s, True) for s in OWN_ROW_SPOILS + CHILD_ROW_SPOILS), *((s, False) for s in OWN_ROW_SPOILS)],
)
def test_a_spoiled_lost_or_moved_row_is_never_given_back(archive: Archive, spoil: str, whole: bool) -> None:
    """Neither in a record read whole nor in fields read from its own row alone."""
    conn, rows = _event_rows(archive)
    assert conn.execute(spoil).rowcount > 0
    files = {**FILES, 2: "data/g.toml"}
    with pytest.raises(Spoiled):
        if whole:
            rows.read(conn, files, "1", (), "p.ord")
        else:
            rows.fields(conn, files, ["date", "title"], "1", (), "p.ord")


def test_a_list_is_no_field_its_record_s_row_holds() -> None:
    with pytest.raises(KeyError):
        kept()["events"].fields(sqlite3.connect(":memory:"), FILES, ["participants"], "1", (), "p.ord")


def test_the_tables_are_derived_from_the_record_types() -> None:
    """A field added to a record type is a column or a child table of its own, with no
    code written for it: each kind's columns and child tables name every field."""
    sql = layout()
    for rows in kept().values():
        for field in rows.kind.model._fields:
            assert f" {field}" in sql or f"__{field} " in sql or f" {field}_" in sql, (rows.kind.name, field)
    assert "CREATE TABLE r_events__participants " in sql
    assert "CREATE TABLE r_universities__counts__source_cites__lines " in sql


def test_an_index_spnet_made_is_brought_up_to_date_in_a_copy_not_made_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index that SQLite's own check finds sound is copied and brought up to date file
    by file; one it does not (SQLite 3.40 reported NULLs in a table without rowids whose
    key was not in the order of its columns) was made anew from every file on each edit."""
    from spnet.archive.dbfile import start_copy
    from spnet.archive.index import index_path

    cache = tmp_path / "cache"
    env = {**os.environ, "SPNET_CACHE_DIR": str(cache)}
    run = [sys.executable, "-m", "spnet", "--data", str(DATA), "timeline", "--format", "json"]
    assert subprocess.run(run, env=env, capture_output=True).returncode == 0
    monkeypatch.setenv("SPNET_CACHE_DIR", str(cache))
    path = index_path(DATA)
    assert path is not None and path.is_file()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    new, conn, copied = start_copy(path)
    conn.close()
    new.discard()
    assert copied


@pytest.mark.parametrize(("column", "to"), [("ord", "ord + 1000"), ("file", "2")])
def test_a_record_moved_whole_to_another_place_or_file_is_never_given_back(
    archive: Archive, column: str, to: str
) -> None:
    """A record's rows moved together (its own and its child rows) keep their values: its
    checksum binds them to their file and place too."""
    conn, rows = _event_rows(archive)
    first = conn.execute("SELECT min(ord) FROM r_events").fetchone()[0]
    for table in rows.tables():
        conn.execute(f"UPDATE {table} SET {column} = {to} WHERE ord = ?", (first,))
    with pytest.raises(Spoiled):
        rows.read(conn, {**FILES, 2: "data/g.toml"}, "1", (), "p.ord")


@pytest.mark.parametrize("run", [1, 50, 1 << 20])
def test_a_file_s_rows_travel_whole_however_they_are_compressed(run: int) -> None:
    """The rows a worker sends (unit._Packed), compressed in runs of any length or at once,
    decompress to every row of every table, in order."""
    from spnet.archive.unit import _Packed

    packed, expected = _Packed(), {}
    packed.RUN = run
    for n, record in enumerate(load_archive(DATA, cache=False).events):
        for table, values in kept()["events"].rows("data/f.toml", n, record):
            packed.add(table, values)
            expected.setdefault(table, []).append(list(values))
    found = {table: json.loads(zlib.decompress(blob)) for table, blob in packed.done().items()}
    assert found == expected
