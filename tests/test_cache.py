"""The archive's SQLite index: used while nothing changed, never stale, never trusted when
spoiled or when someone else could have written it; rebuilt, and the answer unchanged.

The tests look at the index from outside, as a user does: what spnet answers (against
`--no-cache`, which reads the files alone), which files the cache directory holds, their
modes, whether SQLite finds them whole, and their `PRAGMA user_version` (the index's
format). Where they spoil the index they do it without knowing its tables (tests/cache_files.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from spnet.archive import load_archive
from tests import cache_files
from tests.cache_files import built, databases, leftovers, whole
from tests.conftest import events_in_files

KYOTO = "universities/kyoto.toml"


def test_a_second_query_is_answered_from_the_index(cli, data_copy: Path, private_cache: Path) -> None:
    args = ("--data", str(data_copy), "timeline", "--format", "json")
    first = cli(*args).stdout
    before = built(private_cache)
    assert cli(*args).stdout == first
    assert built(private_cache) == before  # not rebuilt: the files were not read again
    assert all(whole(db) for db in databases(private_cache))  # a real database: any SQLite reads it
    assert len(json.loads(first)) == events_in_files(data_copy)
    assert first == cli("--data", str(data_copy), "--no-cache", "timeline", "--format", "json").stdout


def test_an_export_from_the_index_is_what_a_fresh_one_writes(cli, data_copy: Path, tmp_path: Path) -> None:
    cli("--data", str(data_copy), "universities")
    out = tmp_path / "spnet.db"
    assert cli("--data", str(data_copy), "export", "sqlite", "--out", str(out)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    result = cli("--data", str(data_copy), "--no-cache", "export", "sqlite", "--out", str(fresh))
    assert result.exit_code == 0

    def dump(path: Path) -> list[str]:
        with sqlite3.connect(path) as db:
            return list(db.iterdump())

    assert dump(out) == dump(fresh)  # nothing of the index but the export's own tables
    with sqlite3.connect(out) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"partners", "events", "partners_fts"} <= tables


def test_after_an_edit_the_export_is_what_a_fresh_one_writes(cli, data_copy: Path, tmp_path: Path) -> None:
    """After an edit, the export is the one a fresh cache writes, row for row and in the
    same order: the edited university's partners where its file stands, not after every
    other's, and its counts with the same ids. An export depends on the archive, never on
    what the cache went through."""
    args = ("--data", str(data_copy))
    assert cli(*args, "export", "sqlite", "--out", str(tmp_path / "before.db")).exit_code == 0
    path = data_copy / KYOTO
    text = path.read_text(encoding="utf-8").replace("Kyoto University", "Kyoto Univ.", 1)
    path.write_text(text.replace("University of Vienna", "University of Wien"), "utf-8")
    out, fresh = tmp_path / "spnet.db", tmp_path / "fresh.db"
    assert cli(*args, "export", "sqlite", "--out", str(out)).exit_code == 0
    assert cli(*args, "--no-cache", "export", "sqlite", "--out", str(fresh)).exit_code == 0
    dump = _export_dump(out)
    assert dump == _export_dump(fresh) and dump != _export_dump(tmp_path / "before.db")
    with contextlib.closing(sqlite3.connect(out)) as db:
        assert db.execute("SELECT count(*) FROM universities WHERE name_en = 'Kyoto Univ.'").fetchone() == (1,)
        assert ("kyoto-vienna",) in _found(db, "Wien")


def test_after_an_edit_a_universitys_counts_keep_their_ids(cli, data_copy: Path, tmp_path: Path) -> None:
    """A count's id in the export is its place among every university's counts, in the
    order of the files: the same in every export of the same archive, an edit to the
    university's file or not."""
    args = ("--data", str(data_copy))
    assert cli(*args, "export", "sqlite", "--out", str(tmp_path / "before.db")).exit_code == 0
    path = data_copy / "universities" / "ehime.toml"
    path.write_text(path.read_text(encoding="utf-8") + "# an edit that changes no record\n", "utf-8")
    out = tmp_path / "spnet.db"
    assert cli(*args, "export", "sqlite", "--out", str(out)).exit_code == 0

    def counts(path: Path) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(path)) as db:
            return db.execute("SELECT id, university, value FROM counts ORDER BY rowid").fetchall()

    assert counts(out) == counts(tmp_path / "before.db")
    assert [n for n, *_ in counts(out)] == list(range(1, len(counts(out)) + 1))


def _found(db: sqlite3.Connection, word: str) -> list[tuple[object, ...]]:
    """The partners the export's full-text index finds for `word`, by id."""
    found = "SELECT rowid FROM partners_fts WHERE partners_fts MATCH ?"
    return db.execute(f"SELECT id FROM partners WHERE rowid IN ({found}) ORDER BY id", (word,)).fetchall()


def test_no_cache_export_leaves_the_cache_as_it_was(cli, data_copy: Path, private_cache: Path, tmp_path: Path) -> None:
    """--no-cache neither uses nor writes the cache: an export with it leaves the index
    of the same archive untouched (it once filled the index's export tables)."""
    assert cli("--data", str(data_copy), "universities").exit_code == 0
    before = {p.name: p.read_bytes() for p in databases(private_cache)}
    result = cli("--data", str(data_copy), "--no-cache", "export", "sqlite", "--out", str(tmp_path / "spnet.db"))
    assert result.exit_code == 0 and result.exception is None, result.stderr
    assert {p.name: p.read_bytes() for p in databases(private_cache)} == before
    assert (tmp_path / "spnet.db").stat().st_size > 0


def test_no_cache_export_after_an_edit_holds_the_edit(cli, data_copy: Path, tmp_path: Path) -> None:
    """An export whose index was filled before an edit, then --no-cache: the files as they
    are now, not the index's rows of before (which it once copied)."""
    assert cli("--data", str(data_copy), "export", "sqlite", "--out", str(tmp_path / "before.db")).exit_code == 0
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace("University of Vienna", "University of Wien"), "utf-8")
    out = tmp_path / "after.db"
    result = cli("--data", str(data_copy), "--no-cache", "export", "sqlite", "--out", str(out))
    assert result.exit_code == 0 and result.exception is None, result.stderr
    with contextlib.closing(sqlite3.connect(out)) as db:
        assert ("kyoto-vienna",) in _found(db, "Wien")  # found by the new name


def test_an_edit_within_the_same_second_is_seen(cli, data_copy: Path) -> None:
    args = ("--data", str(data_copy), "partners", "-u", "kyoto", "--format", "json")
    assert json.loads(cli(*args).stdout)[0]["designated"] == "2019"
    path = data_copy / KYOTO
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('designated = "2019"', 'designated = "2018"', 1), encoding="utf-8")
    # Same size, and the modification time put back to the nanosecond.
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert json.loads(cli(*args).stdout)[0]["designated"] == "2018"


def test_a_new_or_removed_file_is_seen(cli, data_copy: Path) -> None:
    assert cli("--data", str(data_copy), "check").exit_code == 0
    assert cli("--data", str(data_copy), "universities").exit_code == 0
    (data_copy / "extra.toml").write_text("[x]\n", encoding="utf-8")
    result = cli("--data", str(data_copy), "universities")
    assert result.exit_code == 3 and "extra.toml: unknown file" in result.stderr


# ------------------------------------------------------------------ a spoiled index
# Queries that between them read every record: a listing, the cross-checks, a search.
ANSWERS = [("partners", "--format", "json"), ("check",), ("search", "Lurio", "大学", "--format", "json")]


def _truth(data: Path, queries: list[tuple[str, ...]] = ANSWERS) -> dict[tuple[str, ...], tuple[int, str, str]]:
    """What each query answers from the files alone."""
    return {q: _answer(data, "--no-cache", *q) for q in queries}


def _answer(data: Path, *args: str, **env: str) -> tuple[int, str, str]:
    done = _spnet(data, *args, **env)
    return done.returncode, done.stdout, done.stderr


def _raise_version(path: Path) -> None:
    cache_files.set_user_version(path, cache_files.user_version(path) + 1)


def _invert_every_page(path: Path) -> None:
    """Bytes in the middle of each 4 KiB page inverted (page 1 too: its header and schema)."""
    blob = bytearray(path.read_bytes())
    for page in range(0, len(blob), 4096):
        for k in range(page + 2000, min(page + 2064, len(blob))):
            blob[k] ^= 0xFF
    path.write_bytes(bytes(blob))


SPOILS: dict[str, Callable[[Path], None]] = {
    "empty": lambda p: p.write_bytes(b""),
    "text file": cache_files.text_file,
    "only a header": lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200),
    "cut short": cache_files.truncate_half,
    "every page flipped": _invert_every_page,
    "foreign database": cache_files.foreign_database,
    "newer format": _raise_version,
    "older format": lambda p: cache_files.set_user_version(p, 0),
}


# The slow tier tries every spoil; the fast one those that differ most.
FAST_SPOILS = ("cut short", "every page flipped", "foreign database", "newer format")


@pytest.mark.parametrize("spoil", [s if s in FAST_SPOILS else pytest.param(s, marks=pytest.mark.slow) for s in SPOILS])
def test_a_spoiled_index_answers_rightly_and_is_rebuilt(data_copy: Path, private_cache: Path, spoil: str) -> None:
    """Each database in the cache spoiled (a file of another kind, a foreign database, a
    format version of another spnet): every answer is the files' own, with nothing more on
    stderr, and once the queries have run twice the cache holds whole databases of spnet's
    format again, used as they are by the next query."""
    truth = _truth(data_copy)
    for query in ANSWERS:  # the index, and whatever a search keeps
        assert _answer(data_copy, *query) == truth[query]
    made = {db.name: (cache_files.user_version(db), cache_files.schema(db)) for db in databases(private_cache)}
    for db in databases(private_cache):
        SPOILS[spoil](db)
    spoiled = {db.name: db.read_bytes() for db in databases(private_cache)}
    for _round in range(2):  # what the first finds broken and removes, the second makes again
        for query in ANSWERS:
            assert _answer(data_copy, *query) == truth[query], query
    assert leftovers(private_cache) == []
    again = {db.name: (cache_files.user_version(db), cache_files.schema(db)) for db in databases(private_cache)}
    assert again == made  # the same format and layout as a build on an empty cache
    for db in databases(private_cache):
        assert whole(db) and db.read_bytes() != spoiled[db.name], db.name
        assert cache_files.mode(db) == 0o600
    now = built(private_cache)
    assert _answer(data_copy, *ANSWERS[0]) == truth[ANSWERS[0]]
    assert built(private_cache) == now  # kept: not built again


@pytest.mark.slow
def test_bytes_flipped_in_the_middle_never_change_an_answer(data_copy: Path, private_cache: Path) -> None:
    """Bytes in the middle of each database inverted, where spnet may never read (a page it
    has no use for yet): every answer, an export's too, is still the files' own."""
    truth = _truth(data_copy)
    for query in ANSWERS:
        _answer(data_copy, *query)
    for db in databases(private_cache):
        cache_files.flip_middle(db, 256)
    for query in ANSWERS:
        assert _answer(data_copy, *query) == truth[query], query
    exports = [data_copy.parent / f"{name}.db" for name in ("fresh", "spnet")]
    assert _spnet(data_copy, "--no-cache", "export", "sqlite", "--out", str(exports[0])).returncode == 0
    assert _spnet(data_copy, "export", "sqlite", "--out", str(exports[1])).returncode == 0
    assert _export_dump(exports[1]) == _export_dump(exports[0])


# How a hand with the sqlite3 shell could change the index's values, the triggers set aside.
HAND_EDITS = [("Lurio", "Lurix"), ("Lurio", "Forged University"), ("University", "Universitx")]


@pytest.mark.parametrize(
    ("old", "new"), [HAND_EDITS[0], *(pytest.param(*edit, marks=pytest.mark.slow) for edit in HAND_EDITS[1:])]
)
def test_a_value_changed_inside_the_index_never_changes_an_answer(
    data_copy: Path, private_cache: Path, tmp_path: Path, old: str, new: str
) -> None:
    """A text changed in every table of every database of the cache (where it is kept as
    text: not inside a compressed value): no answer shows it, the export neither, and the
    cache no longer holds it once spnet has answered."""
    queries = [("partners", "-u", "ehime", "--format", "json"), *ANSWERS]
    truth = _truth(data_copy, queries)
    fresh, out = tmp_path / "fresh.db", tmp_path / "spnet.db"
    assert _spnet(data_copy, "--no-cache", "export", "sqlite", "--out", str(fresh)).returncode == 0
    for query in queries:
        _answer(data_copy, *query)
    assert _spnet(data_copy, "export", "sqlite", "--out", str(out)).returncode == 0  # the export's rows filled
    changed = sum(cache_files.replace_text(db, old, new) for db in databases(private_cache))
    assert changed > 0
    assert _spnet(data_copy, "export", "sqlite", "--out", str(out)).returncode == 0
    assert _export_dump(out) == _export_dump(fresh)
    for query in queries:
        assert _answer(data_copy, *query) == truth[query], query
    assert sum(cache_files.count_text(db, new) for db in databases(private_cache)) < changed


@pytest.mark.slow
def test_random_corruption_never_changes_an_answer(data_copy: Path, private_cache: Path) -> None:
    """Flip bytes anywhere in the index, 40 times: every answer is the true one, or (when
    SQLite itself finds its file broken) still the true one, read from the files."""
    args = [sys.executable, "-m", "spnet", "--data", str(data_copy)]
    queries = [["partners", "--format", "json"], ["timeline", "--format", "json"], ["check"]]

    def run(query: list[str]) -> tuple[int, str, str]:
        done = subprocess.run([*args, *query], capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr

    truth = {tuple(q): run(q) for q in queries}
    rng = random.Random(11)
    for _ in range(40):
        run(["check"])  # a whole index, built by check
        path = rng.choice(databases(private_cache))
        blob = bytearray(path.read_bytes())
        for _ in range(rng.randint(1, 8)):
            blob[rng.randrange(len(blob))] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(blob))
        query = rng.choice(queries)
        assert run(query) == truth[tuple(query)]


QUERIES = [
    ("partners", "--format", "json"),
    ("timeline", "--format", "json"),
    ("contacts", "--format", "json"),
    ("universities", "--format", "json"),
    ("show", "kyoto", "--format", "json"),  # one record, and the events that name it, read alone
    ("show", "symposium-2", "--format", "json"),
    ("show", "hayashi-kaori", "--format", "json"),
    ("stats", "--format", "json"),  # some fields of every partner and event, read from their own rows
    ("partners", "--country", "ch", "--format", "json"),  # chosen by their rows, then read whole
    ("symposia", "--format", "json"),
    ("timeline", "--university", "kyoto", "--year", "2023", "--format", "json"),  # the events naming it
    ("check",),
]


def _flip_every_page(path: Path, per_page: int, dense: tuple[set[int], int] = (set(), 0)) -> list[bytes]:
    """The file with one bit flipped, at `per_page` offsets spread evenly over each of its
    4 KiB pages (and a different bit at each), one copy per offset; at `dense[1]` offsets
    in each page whose number (from 1, as SQLite counts them) is in `dense[0]`."""
    pristine = path.read_bytes()
    copies = []
    for page in range(0, len(pristine), 4096):
        count = dense[1] if page // 4096 + 1 in dense[0] else per_page
        step = 4096 // count
        for k in range(count):
            offset = min(page + k * step + (page // 4096 * 37) % step, len(pristine) - 1)
            spoiled = bytearray(pristine)
            spoiled[offset] ^= 1 << ((page // 4096 + k) % 8)
            copies.append(bytes(spoiled))
    return copies


@pytest.mark.slow
def test_a_flipped_bit_in_any_page_of_the_index_changes_no_answer(cli, data_copy: Path, private_cache: Path) -> None:
    """One bit flipped in each 4 KiB page of a small index (at 4 places in each, one at a
    time): every query and check answers exactly as from the files (--no-cache), never
    exit 70. Then again (2 places a page) after an edit, so that the index is brought up
    to date from the spoiled one before it answers."""
    args = ("--data", str(data_copy))
    truth = {}
    for query in QUERIES:
        result = cli(*args, "--no-cache", *query)
        truth[query] = (result.exit_code, result.stdout)
    assert cli(*args, "check").exit_code == 0  # the whole index, built by check
    (path,) = databases(private_cache)
    read, update = _flip_every_page(path, 4), _flip_every_page(path, 2)
    assert len(read) >= 4 * 80  # the real archive's index: about 90 pages
    kyoto = data_copy / KYOTO
    for phase, copies in (("read", read), ("update", update)):
        if phase == "update":  # an edit: the index (each spoiled copy of it) is brought up to date first
            os.utime(kyoto, ns=(kyoto.stat().st_atime_ns, kyoto.stat().st_mtime_ns + 1))
        for n, spoiled in enumerate(copies):
            path.write_bytes(spoiled)
            for query in QUERIES:
                result = cli(*args, *query)
                assert result.exception is None or isinstance(result.exception, SystemExit), (phase, n, query)
                assert "a bug in spnet" not in result.stderr, (phase, n, query, result.stderr[-500:])
                assert (result.exit_code, result.stdout) == truth[query], (phase, n, query, result.stderr[-500:])


def _export_pages(path: Path, export: Path) -> set[int]:
    """The pages of an index that hold what the export `export` holds (its tables, their
    indexes and full-text indexes); all of them, where SQLite cannot say (dbstat is an
    option it is built with)."""
    with contextlib.closing(sqlite3.connect(export)) as db:
        exported = [name for (name,) in db.execute("SELECT name FROM sqlite_master")]
    with contextlib.closing(sqlite3.connect(path)) as db:
        try:
            sql = f"SELECT pageno FROM dbstat WHERE name IN ({', '.join('?' * len(exported))})"
            return {page for (page,) in db.execute(sql, exported)}
        except sqlite3.OperationalError:
            return set(range(1, path.stat().st_size // 4096 + 1))


def _record_tables(db: sqlite3.Connection) -> list[str]:
    """A database's tables of rows: neither a full-text index nor one of its own tables."""
    tables = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    virtual = [name for name, sql in tables if sql.upper().startswith("CREATE VIRTUAL")]
    return [name for name, _sql in tables if not any(name == v or name.startswith(f"{v}_") for v in virtual)]


def _export_dump(path: Path) -> dict[str, object]:
    """Every table of an export with its rows in order (the export's tables by rowid, the
    full-text index's own tables sorted), its layout, whether SQLite and FTS5 find it
    whole, and a search's rows."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        out: dict[str, object] = {
            "schema": db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        }
        rows_of = _record_tables(db)
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
            if table in rows_of:
                out[table] = db.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
            else:
                out[table] = sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        out["integrity"] = db.execute("PRAGMA integrity_check").fetchall()
        for fts in ("partners_fts", "events_fts"):
            db.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")  # raises when not
        out["zurich"] = db.execute("SELECT rowid FROM partners_fts WHERE partners_fts MATCH 'Zurich'").fetchall()
        assert out["zurich"], "the search finds Zurich's partners"
        return out


@pytest.mark.slow
def test_a_spoiled_row_of_the_index_is_never_exported(data_copy: Path, private_cache: Path, tmp_path: Path) -> None:
    """A value changed inside the index after an export filled its rows (its triggers set
    aside), or made text that is not UTF-8, or the last row of every table taken away: the
    export holds what a fresh one does, never the index's spoiled copy, and so does the
    next one."""
    fresh, out = tmp_path / "fresh.db", tmp_path / "spnet.db"
    assert _spnet(data_copy, "--no-cache", "export", "sqlite", "--out", str(fresh)).returncode == 0
    truth = _export_dump(fresh)
    assert _spnet(data_copy, "export", "sqlite", "--out", str(out)).returncode == 0
    spoils: list[Callable[[Path], int]] = [
        lambda db: cache_files.replace_text(db, "Zurich", "Zurick"),
        lambda db: cache_files.replace_text(db, "Zurich", b"Z\xffrich"),
        cache_files.delete_last_rows,
    ]
    for n, spoil in enumerate(spoils):
        pristine = {db: db.read_bytes() for db in databases(private_cache)}
        assert sum(spoil(db) for db in pristine) > 0, n
        result = _spnet(data_copy, "export", "sqlite", "--out", str(out))  # a process, as a user runs it
        assert result.returncode == 0, (n, result.stderr[-500:])
        assert _export_dump(out) == truth, n
        assert _spnet(data_copy, "export", "sqlite", "--out", str(out)).returncode == 0  # the index mended first
        assert _export_dump(out) == truth, n
        for db, blob in pristine.items():
            db.write_bytes(blob)


def test_an_export_after_an_edit_and_a_query_is_what_a_fresh_one_writes(cli, data_copy: Path, tmp_path: Path) -> None:
    """The index brought up to date by a query after an edit, its export's rows too: an
    export then is still what a fresh one writes."""
    args = ("--data", str(data_copy))
    assert cli(*args, "export", "sqlite", "--out", str(tmp_path / "a.db")).exit_code == 0
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace("Kyoto University", "Kyoto Univ.", 1), "utf-8")
    assert cli(*args, "partners").exit_code == 0  # the index brought up to date
    out, fresh = tmp_path / "spnet.db", tmp_path / "fresh.db"
    assert cli(*args, "export", "sqlite", "--out", str(out)).exit_code == 0
    assert cli(*args, "--no-cache", "export", "sqlite", "--out", str(fresh)).exit_code == 0
    assert _export_dump(out) == _export_dump(fresh)
    with contextlib.closing(sqlite3.connect(out)) as db:
        assert db.execute("SELECT count(*) FROM universities WHERE name_en = 'Kyoto Univ.'").fetchone() == (1,)


@pytest.mark.slow
def test_a_flipped_bit_in_any_page_of_the_index_changes_no_export(
    cli, data_copy: Path, tmp_path: Path, private_cache: Path
) -> None:
    """One bit flipped in a small index with its export's tables filled, one at a time: at
    8 places spread over each page that holds those tables (their indexes and full-text
    indexes too) and 2 in every other page. `spnet export sqlite` then writes what a fresh
    export does (`--no-cache`), table by table and row by row, and its search finds the
    same rows; never exit 70. Then again (2 places a page, 1 in the others) after an edit,
    so that the index's export tables are brought up to date from the spoiled ones first."""
    args = ("--data", str(data_copy))
    fresh, out = tmp_path / "fresh.db", tmp_path / "spnet.db"
    assert cli(*args, "--no-cache", "export", "sqlite", "--out", str(fresh)).exit_code == 0
    truth = _export_dump(fresh)
    assert cli(*args, "check").exit_code == 0
    assert cli(*args, "export", "sqlite", "--out", str(out)).exit_code == 0
    (path,) = databases(private_cache)  # what check and an export keep
    pages = _export_pages(path, fresh)
    assert len(pages) >= 60  # the real archive's export tables: about 100 pages
    read, update = _flip_every_page(path, 2, (pages, 8)), _flip_every_page(path, 1, (pages, 2))
    kyoto = data_copy / KYOTO
    for phase, copies in (("read", read), ("update", update)):
        if phase == "update":  # an edit: each spoiled copy is brought up to date before the export
            _touch(kyoto)
        for n, spoiled in enumerate(copies):
            path.write_bytes(spoiled)
            out.unlink(missing_ok=True)
            result = cli(*args, "export", "sqlite", "--out", str(out))
            assert result.exception is None or isinstance(result.exception, SystemExit), (phase, n)
            assert result.exit_code == 0 and "a bug in spnet" not in result.stderr, (phase, n, result.stderr[-500:])
            assert _export_dump(out) == truth, (phase, n)


@pytest.mark.slow
def test_a_flipped_bit_in_any_page_of_the_search_index_adds_nothing(cli, data_copy: Path, private_cache: Path) -> None:
    """One bit flipped in each 4 KiB page of the index, its search rows made, one at a time: search never
    exits 70 and never answers a field the files do not hold, each record's fields in the
    files' order. (A flipped bit in the text or the full-text index of a row that is then
    not found can leave that row out: that much is not checked; and a record whose name row
    is left out ranks lower, so the records' order is not checked either.)"""
    args = ("--data", str(data_copy))
    words = [("kyoto",), ("大学",), ("university", "ehime"), ("シンポジウム",)]
    truth = {w: json.loads(cli(*args, "--no-cache", "search", *w, "--format", "json").stdout) for w in words}
    assert cli(*args, "search", "kyoto").exit_code == 0
    for path in databases(private_cache):  # the index, which the first search gave its search rows
        pristine = path.read_bytes()
        for spoiled in _flip_every_page(path, 1):
            path.write_bytes(spoiled)
            for w in words:
                result = cli(*args, "search", *w, "--format", "json")
                assert result.exit_code == 0, (w, result.stderr[-500:])
                found = json.loads(result.stdout)
                for rid in {row["id"] for row in found}:
                    rest = iter([true for true in truth[w] if true["id"] == rid])
                    assert all(any(row == true for true in rest) for row in found if row["id"] == rid), (w, rid)
            path.write_bytes(pristine)


def _touch(path: Path) -> None:
    """An edit that changes no record: the file's times."""
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1))


@pytest.mark.slow
@pytest.mark.parametrize("planted", cache_files.PLANTS)
def test_an_index_of_another_layout_is_built_again(data_copy: Path, private_cache: Path, planted: str) -> None:
    """Something planted in each database of the cache by the same user (a trigger that
    would act on the next update, a view, an index, a column, the indexes taken away): it
    is not the layout spnet writes, so the answer is the files' own, the next query makes
    the database again without it, and after an edit it still has spnet's own layout."""
    queries = [("partners", "--format", "json"), ("search", "Lurio", "--format", "json")]
    truth = _truth(data_copy, queries)
    assert [_answer(data_copy, *q) for q in queries] == list(truth.values())
    layouts = {db.name: cache_files.schema(db) for db in databases(private_cache)}
    for db in databases(private_cache):
        cache_files.plant(db, planted)
    assert [_answer(data_copy, *q) for q in queries] == list(truth.values())
    assert {db.name: cache_files.schema(db) for db in databases(private_cache)} == layouts
    _touch(data_copy / KYOTO)
    assert [_answer(data_copy, *q) for q in queries] == list(truth.values())
    assert {db.name: cache_files.schema(db) for db in databases(private_cache)} == layouts


@pytest.mark.parametrize(
    "spoil", ["UPDATE meta SET value = '00000000' WHERE key = 'layout'", "DELETE FROM meta WHERE key = 'layout'"]
)
def test_a_spoiled_layout_mark_is_mended_once(data_copy: Path, private_cache: Path, spoil: str) -> None:
    """The mark of its layout that a query checks the index against, spoiled or gone: the
    answer is the files' own, the next query makes the index again, and the one after
    reads it as it is, not again and again."""
    query = ("partners", "--format", "json")
    truth = _truth(data_copy, [query])[query]
    assert _answer(data_copy, *query) == truth
    for db in databases(private_cache):
        with contextlib.closing(sqlite3.connect(db)) as conn, conn:
            conn.execute(spoil)
    assert _answer(data_copy, *query) == truth
    mended = built(private_cache)
    assert _answer(data_copy, *query) == truth
    assert built(private_cache) == mended


def test_an_index_sqlite_finds_broken_is_built_again(cli, data_copy: Path, private_cache: Path) -> None:
    args = ("--data", str(data_copy), "partners", "--format", "json")
    expected = cli(*args).stdout
    for path in databases(private_cache):
        blob = bytearray(path.read_bytes())
        blob[4096:8192] = b"\xff" * 4096  # page 2: a b-tree page no longer one
        path.write_bytes(bytes(blob))
    _touch(data_copy / KYOTO)
    result = cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")
    assert all(whole(path) for path in databases(private_cache))


def test_no_cache_neither_reads_nor_writes(cli, data_copy: Path, private_cache: Path) -> None:
    result = cli("--data", str(data_copy), "--no-cache", "universities", "--format", "json")
    assert result.exit_code == 0
    assert list(private_cache.iterdir()) == []
    cli("--data", str(data_copy), "universities")
    before = built(private_cache)
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace("Kyoto University", "Kyoto Univ.", 1), "utf-8")
    shown = cli("--data", str(data_copy), "--no-cache", "universities", "--format", "json").stdout
    assert "Kyoto Univ." in shown and built(private_cache) == before


@pytest.mark.parametrize("inside", [True, False])
def test_a_cache_directory_that_cannot_be_one_is_one_warning(data_copy: Path, tmp_path: Path, inside: bool) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("", encoding="utf-8")
    where = blocked / "cache" if inside else blocked
    expected = _spnet(data_copy, "universities", "--format", "json", "--no-cache").stdout
    done = _spnet(data_copy, "universities", "--format", "json", SPNET_CACHE_DIR=str(where))
    assert done.returncode == 0 and done.stdout == expected
    assert done.stderr == f"spnet: warning: {where}: cannot be used as the cache (not a directory)\n"


def test_an_invalid_archive_is_never_answered_from_the_index(cli, data_copy: Path, private_cache: Path) -> None:
    """The index keeps what it read of an invalid archive (so that fixing one file reads
    only that file), but answers a query with the error, every time, until it is fixed."""
    args = ("--data", str(data_copy), "partners", "--format", "json")
    expected = cli(*args).stdout
    path = data_copy / KYOTO
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('designated = "2019"', "designated = 2019", 1), encoding="utf-8")
    for _ in range(2):
        result = cli(*args)
        assert result.exit_code == 3 and result.stdout == ""
        assert "kyoto.toml" in result.stderr and "'designated' must be a date string" in result.stderr
    assert databases(private_cache)
    path.write_text(text, encoding="utf-8")
    fixed = cli(*args)
    assert (fixed.exit_code, fixed.stdout) == (0, expected)


def test_check_answers_from_the_index_and_sees_an_edit(cli, data_copy: Path, private_cache: Path) -> None:
    first = cli("--data", str(data_copy), "check")
    assert first.exit_code == 0 and "meeting-03" in first.stderr
    before = built(private_cache)
    again = cli("--data", str(data_copy), "check")
    assert (again.exit_code, again.stdout, again.stderr) == (0, first.stdout, first.stderr)
    assert built(private_cache) == before
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace('id = "kyoto"\n', 'id  = "kyoto"\n', 1), encoding="utf-8")
    edited = cli("--data", str(data_copy), "check")
    assert edited.exit_code == 0 and "universities/kyoto.toml: not in canonical form" in edited.stderr


def test_a_query_index_does_not_answer_check(cli, data_copy: Path) -> None:
    """An index built by a query was not checked for canonical form: check reads the files."""
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace('id = "kyoto"\n', 'id  = "kyoto"\n', 1), encoding="utf-8")
    assert cli("--data", str(data_copy), "universities").exit_code == 0
    result = cli("--data", str(data_copy), "check")
    assert "not in canonical form" in result.stderr


# ------------------------------------------------------------------ whose cache
def _spnet(data: Path, *args: str, umask: int | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,  # noqa: PLW1509
    )


def test_the_cache_directory_is_the_users_alone_whatever_the_umask(data_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "deep" / "er" / "spnet"
    done = _spnet(data_copy, "universities", umask=0, SPNET_CACHE_DIR=str(cache))
    assert done.returncode == 0 and done.stderr == ""
    for made in (tmp_path / "deep", tmp_path / "deep" / "er", cache):  # the parents it made too
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
    (index,) = cache.glob("index-*.sqlite")
    assert stat.S_IMODE(index.stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_cache_directory_others_can_write_is_not_used(data_copy: Path, tmp_path: Path, mode: int) -> None:
    cache = tmp_path / "shared"
    cache.mkdir()
    cache.chmod(mode)
    expected = _spnet(data_copy, "universities", "--format", "json", SPNET_CACHE_DIR=str(tmp_path / "own")).stdout
    done = _spnet(data_copy, "universities", "--format", "json", SPNET_CACHE_DIR=str(cache))
    assert done.returncode == 0 and done.stdout == expected
    assert done.stderr.count("\n") == 1 and "is not yours alone" in done.stderr
    assert list(cache.iterdir()) == []


def test_an_index_others_can_write_is_not_read(data_copy: Path, tmp_path: Path) -> None:
    """What another user could write into an index that others may write (a partner's name
    forged in every text value that holds it) is never read: the answers, a search's and
    an export's too, are the files' own."""
    cache = tmp_path / "own"
    queries = [("partners", "-u", "ehime", "--format", "json"), ("search", "Lurio", "--format", "json")]
    expected = [_spnet(data_copy, "--no-cache", *q).stdout for q in queries]
    assert [_spnet(data_copy, *q, SPNET_CACHE_DIR=str(cache)).stdout for q in queries] == expected
    fresh, out = tmp_path / "fresh.db", tmp_path / "spnet.db"
    assert _spnet(data_copy, "--no-cache", "export", "sqlite", "--out", str(fresh)).returncode == 0
    assert _spnet(data_copy, "export", "sqlite", "--out", str(out), SPNET_CACHE_DIR=str(cache)).returncode == 0
    for db in databases(cache):
        cache_files.replace_text(db, "Lurio", "Forged")
        db.chmod(0o666)
    assert sum(cache_files.count_text(db, "Forged") for db in databases(cache)) > 0
    assert [_spnet(data_copy, *q, SPNET_CACHE_DIR=str(cache)).stdout for q in queries] == expected
    assert _spnet(data_copy, "export", "sqlite", "--out", str(out), SPNET_CACHE_DIR=str(cache)).returncode == 0
    assert _export_dump(out) == _export_dump(fresh)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_cache_directory_of_another_user_is_not_used(data_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "theirs"
    cache.mkdir(mode=0o700)
    os.chown(cache, 65534, 65534)
    done = _spnet(data_copy, "universities", SPNET_CACHE_DIR=str(cache))
    assert done.returncode == 0 and "is not yours alone" in done.stderr
    assert list(cache.iterdir()) == []


def test_xdg_cache_home_made_by_spnet_is_the_users_alone_whatever_the_umask(data_copy: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SPNET_CACHE_DIR"}
    xdg = tmp_path / "home" / "cache"
    done = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data_copy), "universities"],
        capture_output=True,
        env={**env, "XDG_CACHE_HOME": str(xdg)},
        preexec_fn=lambda: os.umask(0),  # noqa: PLW1509
    )
    assert done.returncode == 0 and done.stderr == b""
    for made in (tmp_path / "home", xdg, xdg / "spnet"):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert list((xdg / "spnet").glob("index-*.sqlite"))


@pytest.mark.parametrize("name", ["relative-cache", "./cache", "\x1b[31mred"])
def test_a_relative_cache_directory_is_refused_with_one_warning_every_time(
    data_copy: Path, tmp_path: Path, name: str
) -> None:
    """A relative $SPNET_CACHE_DIR would name another directory in each working directory:
    one warning line (the name shown as archive text is), and the answer from the files."""
    args = [sys.executable, "-m", "spnet", "--data", str(data_copy), "partners", "-u", "kyoto", "--format", "json"]
    expected = subprocess.run([*args, "--no-cache"], capture_output=True, text=True).stdout
    shown = str(Path(name)).replace("\x1b", "\\x1b")
    for _run in range(3):
        done = subprocess.run(
            args, capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "SPNET_CACHE_DIR": name}
        )
        assert done.returncode == 0 and done.stdout == expected
        assert done.stderr == (
            f"spnet: warning: environment variable SPNET_CACHE_DIR: {shown} is not an absolute path: "
            "the cache there is not used\n"
        )
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


def test_a_link_of_the_users_own_is_followed(data_copy: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    done = _spnet(data_copy, "universities", SPNET_CACHE_DIR=str(tmp_path / "link" / "spnet"))
    assert done.returncode == 0 and done.stderr == ""
    assert list((real / "spnet").glob("index-*.sqlite"))


def test_a_cache_below_a_directory_others_can_write_is_not_used(data_copy: Path, tmp_path: Path) -> None:
    """Another user could rename the cache directory away and put a link in its place."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    done = _spnet(data_copy, "universities", "--format", "json", SPNET_CACHE_DIR=str(shared / "spnet"))
    assert done.returncode == 0 and done.stdout == _spnet(data_copy, "universities", "--format", "json").stdout
    assert done.stderr.count("\n") == 1 and "a directory or link that others control" in done.stderr
    assert list(shared.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="a link of another user's needs root to make")
@pytest.mark.parametrize("theirs", ["link", "directory"])
def test_root_never_follows_another_users_link_below_a_sticky_directory(
    data_copy: Path, tmp_path: Path, theirs: str
) -> None:
    """root's SPNET_CACHE_DIR=/tmp/x/cache, where /tmp/x is another user's link (or
    directory): nothing is written where it points, and the answer comes from the files."""
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    target = tmp_path / "where-they-point"
    target.mkdir()
    x = sticky / "x"
    if theirs == "link":
        x.symlink_to(target)
    else:
        x.mkdir()
    os.chown(x, 65534, 65534, follow_symlinks=False)
    expected = _spnet(data_copy, "universities", "--format", "json", "--no-cache").stdout
    done = _spnet(data_copy, "universities", "--format", "json", SPNET_CACHE_DIR=str(x / "cache"))
    assert done.returncode == 0 and done.stdout == expected
    assert done.stderr == (
        f"spnet: warning: {x / 'cache'} is reached through a directory or link that others control: "
        "the cache there is not used\n"
    )
    assert list(target.iterdir()) == [] and (theirs == "link" or list(x.iterdir()) == [])
    mine = sticky / "mine"  # a directory of root's own in the same sticky directory is used
    assert _spnet(data_copy, "universities", SPNET_CACHE_DIR=str(mine / "cache")).stderr == ""
    assert list((mine / "cache").glob("index-*.sqlite"))


def test_a_relative_xdg_cache_home_is_ignored(data_copy: Path, tmp_path: Path) -> None:
    """The XDG spec: a relative path in $XDG_CACHE_HOME is invalid and must be ignored."""
    env = {k: v for k, v in os.environ.items() if k != "SPNET_CACHE_DIR"}
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data_copy), "universities"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "HOME": str(home), "XDG_CACHE_HOME": "relative-cache"},
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "relative-cache").exists()
    assert list((home / ".cache" / "spnet").glob("index-*.sqlite"))


@pytest.mark.slow
def test_readers_while_add_writes_always_get_a_whole_archive(data_copy: Path, private_cache: Path) -> None:
    """Queries (a listing, a search) run while `spnet add` adds records one after another:
    every query answers (exit 0) with the archive as it was after some number of the
    additions, never a mix, and never fewer than an earlier answer; then the cache holds
    whole databases and nothing left over."""
    busy = [f"kyoto-busy-{n}" for n in range(6)]
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", _READER, str(data_copy), *query],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for query in READS
        for _ in range(2)
    ]
    for n, rid in enumerate(busy):
        done = _spnet(
            data_copy,
            *("add", "partner", "-u", "kyoto", "--id", rid, "--name-en", f"Busy University {n}"),
            *("--kind", "strategic-partner", "--source", "test", "--lines", "1"),
        )
        assert done.returncode == 0, done.stderr
    (data_copy / "stop").write_text("", encoding="utf-8")
    finals = [json.loads(_spnet(data_copy, "--no-cache", *query).stdout) for query in READS]
    for k, reader in enumerate(readers):
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        final = finals[k // 2]
        states = [[row for row in final if row["id"] not in busy[added:]] for added in range(len(busy) + 1)]
        seen = [states.index(json.loads(line)) for line in out.splitlines()]  # ValueError: a mix
        assert seen and seen == sorted(seen)  # never fewer than an earlier answer
    assert leftovers(private_cache) == [] and all(whole(db) for db in databases(private_cache))


READS = [("partners", "-u", "kyoto", "--format", "json"), ("search", "Busy", "--format", "json")]
_READER = """
import json, subprocess, sys
from pathlib import Path
data = Path(sys.argv[1])
while not (data / "stop").exists():
    done = subprocess.run([sys.executable, "-m", "spnet", "--data", str(data), *sys.argv[2:]],
                          capture_output=True, text=True)
    if done.returncode != 0 or done.stderr:
        sys.exit(done.stderr)
    print(json.dumps(json.loads(done.stdout)), flush=True)
"""


@pytest.mark.parametrize("query", [READS[0], pytest.param(READS[1], marks=pytest.mark.slow)])
def test_builders_at_once_on_an_empty_cache_answer_rightly_and_leave_one_index(
    data_copy: Path, tmp_path: Path, query: tuple[str, ...]
) -> None:
    """Three commands started at once on an empty cache, each building what it needs:
    each answers as the files do, and the cache then holds what one command alone leaves
    (the same files, whole, nothing temporary), kept by the next command as it is."""
    truth = _answer(data_copy, "--no-cache", *query)
    alone = tmp_path / "alone"
    assert _answer(data_copy, *query, SPNET_CACHE_DIR=str(alone)) == truth
    names = [p.name for p in cache_files.cache_files(alone)]
    for attempt in range(2):
        cache = tmp_path / f"busy-{attempt}"
        env = {**os.environ, "SPNET_CACHE_DIR": str(cache)}
        argv = [sys.executable, "-m", "spnet", "--data", str(data_copy), *query]
        builders = [
            subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(3)
        ]
        for builder in builders:
            out, err = builder.communicate(timeout=120)
            assert (builder.returncode, out, err) == truth, attempt
        assert [p.name for p in cache_files.cache_files(cache)] == names, attempt
        assert all(whole(db) and cache_files.mode(db) == 0o600 for db in databases(cache))
        before = built(cache)
        assert _answer(data_copy, *query, SPNET_CACHE_DIR=str(cache)) == truth
        assert built(cache) == before  # what they left is used as it is


# ------------------------------------------------------------------ the search index
SEARCHES = ["林香里", "慶応", "國立台湾", "しんぽじうむ", "第1回", "戦略的 パートナーシップ", "ＵＣＬ"]
SEARCHES += ["kyoto 2023", "京", "ab"]


def test_search_answers_from_its_index_exactly_as_it_looks_itself(cli, data_copy: Path, private_cache: Path) -> None:
    """Searches answer from the cache exactly as a search through every record does
    (--no-cache); what they keep is kept, the user's alone, and not built again."""
    cli("--data", str(data_copy), "universities")
    for text in SEARCHES:
        indexed = cli("--data", str(data_copy), "search", text, "--format", "json")
        looked = cli("--data", str(data_copy), "--no-cache", "search", text, "--format", "json")
        assert indexed.exit_code == looked.exit_code == 0
        assert indexed.stdout == looked.stdout, text
    before = built(private_cache)
    cli("--data", str(data_copy), "search", "UCL")
    assert built(private_cache) == before  # kept, not built again
    assert all(cache_files.mode(db) == 0o600 for db in databases(private_cache))
    assert leftovers(private_cache) == []


def test_a_spoiled_search_row_never_changes_an_answer_and_is_made_again(data_copy: Path, private_cache: Path) -> None:
    """A name changed in every text value of the cache that holds it (the index's records
    and the search index's rows alike): search answers as from the files, and the changed
    values are made again (the search index's, from an index itself spoiled, by the next
    search), after which search answers from the cache without making anything again."""
    query = ("search", "Lurio", "--format", "json")
    expected = _answer(data_copy, "--no-cache", *query)
    assert _answer(data_copy, *query) == expected
    assert sum(cache_files.replace_text(db, "Lurio", "Lurix") for db in databases(private_cache)) > 0
    assert _answer(data_copy, *query) == expected
    assert _answer(data_copy, *query) == expected
    assert sum(cache_files.count_text(db, "Lurix") for db in databases(private_cache)) == 0
    before = built(private_cache)
    assert _answer(data_copy, *query) == expected
    assert built(private_cache) == before


@pytest.mark.slow
def test_a_row_taken_from_any_table_never_changes_a_search(data_copy: Path, private_cache: Path) -> None:
    """A row holding a word taken from any one table of the index (the triggers acting on
    it as for a hand with the sqlite3 shell), after a search made its rows: search answers
    as from the files, for a word found through the full-text index and for one too short
    for it."""
    words = ["Zurich", "大学"]
    truth = {w: _answer(data_copy, "--no-cache", "search", w, "--format", "json") for w in words}
    assert _answer(data_copy, "search", "kyoto")[0] == 0
    (index,) = databases(private_cache)
    pristine = index.read_bytes()
    tables = cache_files.own_tables(index)
    assert len(tables) > 20  # the records' tables, the files', the search rows'...
    taken = 0
    for table in tables:
        for w in words:
            if cache_files.delete_row(index, table, w):
                taken += 1
                assert _answer(data_copy, "search", w, "--format", "json") == truth[w], (table, w)
            for made in cache_files.cache_files(private_cache):  # the index again as it was, alone
                made.unlink()
            index.write_bytes(pristine)
            os.chmod(index, 0o600)
    assert taken > 10


def test_a_spoiled_index_while_the_search_index_is_made_never_changes_an_answer(
    data_copy: Path, private_cache: Path
) -> None:
    """The index spoiled (a name changed in its text values, an export having filled them)
    before the first search: search still answers as from the files."""
    query = ("search", "Lurio", "--format", "json")
    expected = _answer(data_copy, "--no-cache", *query)
    assert _spnet(data_copy, "export", "sqlite", "--out", str(data_copy.parent / "spnet.db")).returncode == 0
    assert sum(cache_files.replace_text(db, "Lurio", "Lurix") for db in databases(private_cache)) > 0
    assert _answer(data_copy, *query) == expected


def test_after_an_edit_search_sees_it(cli, data_copy: Path) -> None:
    cli("--data", str(data_copy), "search", "Kyoto")
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace("Kyoto University", "Kyoto Univerzity", 1), "utf-8")
    shown = json.loads(cli("--data", str(data_copy), "search", "univerzity", "--format", "json").stdout)
    assert {row["id"] for row in shown} == {"kyoto"}


def test_after_an_edit_search_answers_as_it_looks_itself(cli, data_copy: Path) -> None:
    """After an edit the answers are still those of a search through every record, in the
    same order."""
    cli("--data", str(data_copy), "search", "Kyoto")
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace("University of Zurich", "Universität Zürich"), "utf-8")
    for text in ["Zürich", "京都", "university", *SEARCHES]:
        indexed = cli("--data", str(data_copy), "search", text, "--format", "json")
        looked = cli("--data", str(data_copy), "--no-cache", "search", text, "--format", "json")
        assert indexed.exit_code == looked.exit_code == 0
        assert indexed.stdout == looked.stdout, text
    assert "Universität Zürich" in cli("--data", str(data_copy), "search", "Zürich", "--format", "json").stdout


def test_an_edit_keeps_the_search_rows_current_in_the_one_database(cli, data_copy: Path, private_cache: Path) -> None:
    """The first search makes its rows in the archive's one database; after an edit, the
    next query brings them up to date with the edited file's records, so that a search
    after it has nothing to make and answers as a search through every record does."""
    args = ("--data", str(data_copy))
    cli(*args, "timeline")
    (index,) = databases(private_cache)
    assert cli(*args, "search", "Kyoto").exit_code == 0
    assert databases(private_cache) == [index]  # the search rows are in the index: no other database
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace("University of Zurich", "Universität Zürich"), "utf-8")
    assert cli(*args, "timeline").exit_code == 0  # the update after the edit
    updated = built(private_cache)
    for text in ["Zürich", "京都", *SEARCHES]:
        indexed = cli(*args, "search", text, "--format", "json")
        assert indexed.exit_code == 0
        assert indexed.stdout == cli(*args, "--no-cache", "search", text, "--format", "json").stdout, text
    assert built(private_cache) == updated  # no search made anything again


def test_a_search_of_a_thousand_words_keeps_the_index(cli, data_copy: Path, private_cache: Path) -> None:
    """Many words are many queries, none too deep for SQLite: the index is kept, and a word
    typed 1,200 times finds what it finds once."""
    args = ("--data", str(data_copy))
    once = cli(*args, "search", "univ", "--format", "json")
    before = built(private_cache)
    result = cli(*args, "search", *["univ"] * 1200, "--format", "json")
    assert result.exception is None and result.exit_code == once.exit_code == 0
    assert result.stdout == once.stdout and json.loads(once.stdout)
    assert built(private_cache) == before


def test_a_search_index_an_earlier_spnet_kept_apart_is_removed(cli, data_copy: Path, private_cache: Path) -> None:
    """An earlier spnet kept its search index in a database of its own beside the index:
    the next update of the index removes it, and searches answer as before."""
    args = ("--data", str(data_copy))
    cli(*args, "timeline")
    (index,) = databases(private_cache)
    earlier = index.with_name(index.name.replace("index-", "search-", 1))
    earlier.write_bytes(index.read_bytes())
    os.chmod(earlier, 0o600)
    _touch(data_copy / KYOTO)
    assert cli(*args, "search", "Zurich", "--format", "json").stdout == (
        cli(*args, "--no-cache", "search", "Zurich", "--format", "json").stdout
    )
    assert databases(private_cache) == [index]


def test_the_archive_from_the_index_is_the_archive_from_the_files(data_copy: Path, private_cache: Path) -> None:
    """Every record read back from the index equals the one built from the files, field
    for field (dates, bilingual texts, tuples, the disagreements, the warnings)."""
    load_archive(data_copy)
    before = built(private_cache)
    from_index = load_archive(data_copy)
    assert built(private_cache) == before  # read from the index, not built again
    from_files = load_archive(data_copy, cache=False)
    assert from_index == from_files
    assert from_index.index == from_files.index
