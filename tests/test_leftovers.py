"""What a killed process leaves behind, and the next run: on the installed command.

spnet writes every file through one atomic writer (fsutil): a temporary file named with
its maker's pid, moved into place when whole. A process killed with SIGKILL cannot remove
its temporary file; the next writer that finds it does, when no live process made it. A
journal another SQLite writer left beside the index, killed in a transaction, goes with
the index, which the next run makes again once, never on every run.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATA, REPO

SPNET = Path(sys.executable).with_name("spnet")
pytestmark = pytest.mark.skipif(not SPNET.is_file(), reason="the spnet console script is not installed here")

TIMELINE = ["timeline", "--year", "2023", "--format", "json"]
SEARCH = ["search", "Zurich", "--format", "json"]
KILLS = 8
# What a finished run leaves in a cache directory: databases, no temporary file.
FINISHED = re.compile(r"(index|search)-[0-9a-f]{16}\.sqlite")


def spnet(data: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPNET_CACHE_DIR": str(cache)}
    return subprocess.run([str(SPNET), "--data", str(data), *args], capture_output=True, text=True, env=env)


def answer(data: Path, cache: Path, *args: str) -> str:
    done = spnet(data, cache, *args)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return done.stdout


def dead_pid() -> int:
    """The pid of a process that has ended (and been waited for)."""
    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait()
    return proc.pid


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700)
    return path


# ------------------------------------------------------------------ SIGKILL during a first build
@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive 30 times over: its first reading, and its first search, take a second or more."""
    data = tmp_path_factory.mktemp("large") / "data"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_archive.py"), "30", str(data)], check=True)
    return data


def killed(data: Path, cache: Path, command: list[str], after: float) -> None:
    """`command` started and, `after` seconds later, killed with SIGKILL, with its workers."""
    proc = subprocess.Popen(
        [str(SPNET), "--data", str(data), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SPNET_CACHE_DIR": str(cache)},
        start_new_session=True,
    )
    time.sleep(after)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
@pytest.mark.parametrize("command", [TIMELINE, SEARCH], ids=["index", "search-index"])
def test_sigkill_at_random_moments_of_a_first_build_leaves_nothing_after_the_next_run(
    large: Path, tmp_path: Path, command: list[str]
) -> None:
    """Killed again and again while the index (or the search index) is first built, each
    time with whatever was made removed so that the next is a first build too: a killed
    run leaves its temporary file, and removes those of the runs killed before it (they
    piled up before spnet removed them). One ordinary run then answers as `--no-cache`
    does and leaves only finished databases in the cache directory."""
    made = "search-" if command is SEARCH else "index-"
    expected = answer(large, private_dir(tmp_path / "none"), "--no-cache", *command)
    timing = private_dir(tmp_path / "timing")
    if command is SEARCH:
        answer(large, timing, *TIMELINE)  # the search index is what is built: the index is there
    began = time.monotonic()
    assert answer(large, timing, *command) == expected
    cold = time.monotonic() - began

    cache = private_dir(tmp_path / "cache")
    if command is SEARCH:
        answer(large, cache, *TIMELINE)
    rng = random.Random(20261206)
    left = 0
    for _ in range(KILLS):
        killed(large, cache, command, rng.uniform(0.2, cold))
        assert len(leftovers(cache)) <= 1, leftovers(cache)  # its own, at most
        left += len(leftovers(cache))
        for finished in cache.glob(f"{made}*.sqlite"):  # a kill after the build: the next is a first build too
            finished.unlink()
    assert left >= 2, f"the kills ({cold:.2f} s run) should land in the build and leave temporary files"

    assert answer(large, cache, *command) == expected
    assert leftovers(cache) == []
    assert all(FINISHED.fullmatch(p.name) for p in cache.iterdir()), sorted(cache.iterdir())


# ------------------------------------------------------------------ whose temporary file it is
def test_leftovers_of_gone_writers_are_removed_a_live_writers_kept(tmp_path: Path) -> None:
    """In the cache directory a first build removes every temporary file whose maker is
    gone: a dead pid, a pid taken by a process that started after the file was written,
    a file an earlier spnet named without the random part, SQLite's journal of one. A
    live process's file (this test's own pid, written now) and names spnet never makes stay."""
    cache = private_dir(tmp_path / "cache")
    dead, alive = dead_pid(), os.getpid()
    gone = [
        f".index-0123456789abcdef.sqlite.spnet-{dead}-0a1b2c3d.tmp",
        f".search-0123456789abcdef.sqlite.spnet-{dead}-4e5f6a7b.tmp",
        f".index-0123456789abcdef.sqlite-{dead}.tmp",
        f".spnet.db.spnet-{dead}-8c9d0e1f.tmp-journal",
    ]
    reused = f".index-fedcba9876543210.sqlite.spnet-{alive}-11111111.tmp"
    # 8 random hex digits that are all digits: not taken for the pid; and a user's own
    # files named as a temporary file may be, without spnet's mark (a cache directory
    # may be one the user keeps other files in)
    kept = [
        f".index-fedcba9876543210.sqlite.spnet-{alive}-22222222.tmp",
        ".notes.tmp",
        f".x.spnet-{dead}-nothex!.tmp",
        ".bash_history-2024.tmp",
        f".thesis.tex-{dead}-cafebabe.tmp",
        f".report.csv-{dead}.tmp",
    ]
    for name in [*gone, reused, *kept]:
        (cache / name).write_bytes(b"part of a database")
    long_ago = time.time() - 10 * 24 * 3600  # before this test's own process started
    os.utime(cache / reused, (long_ago, long_ago))

    answer(DATA, cache, "universities", "--format", "json")
    assert leftovers(cache) == sorted(kept)


def test_an_export_removes_its_own_targets_leftovers_only(tmp_path: Path) -> None:
    """Beside a file it writes, spnet removes only that file's leftovers whose maker is
    gone: a user's directory holds other programs' files too."""
    cache = private_dir(tmp_path / "cache")
    out = tmp_path / "out"
    out.mkdir()
    dead, alive = dead_pid(), os.getpid()
    gone = f".spnet.json.spnet-{dead}-0a1b2c3d.tmp"
    kept = [
        f".spnet.json.spnet-{alive}-4e5f6a7b.tmp",
        f".other.json.spnet-{dead}-8c9d0e1f.tmp",
        # a user's files named alike, without spnet's mark
        ".spnet.json-2024.tmp",
        f".spnet.json-{dead}-deadbeef.tmp",
        f".spnet.json-{dead}-00000000.tmp-wal",
    ]
    for name in [gone, *kept]:
        (out / name).write_text("{")
    answer(DATA, cache, "export", "json", "--out", str(out / "spnet.json"))
    assert leftovers(out) == sorted(kept)
    assert (out / "spnet.json").read_text(encoding="utf-8").startswith("{\n")


# ------------------------------------------------------------------ a journal left beside the index
def hot_journal(db: Path, *tables: str) -> Path:
    """A writer (another program) killed in a transaction on `db` that empties `tables`:
    the database's pages half rewritten, their old content in `db`-journal, which SQLite
    calls hot."""
    script = (
        "import os, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('PRAGMA journal_mode = DELETE')\n"
        "conn.execute('PRAGMA cache_size = 2')\n"  # changed pages spill into the file at once
        "conn.execute('BEGIN IMMEDIATE')\n"
        "for table in sys.argv[2:]:\n"
        "    conn.execute(f'DELETE FROM {table}')\n"
        "os._exit(0)\n"  # no rollback, no close
    )
    subprocess.run([sys.executable, "-c", script, str(db), *tables], check=True)
    journal = db.with_name(db.name + "-journal")
    assert journal.stat().st_size > 0
    with pytest.raises(sqlite3.OperationalError):  # read-only, SQLite cannot roll it back
        sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True).execute("SELECT count(*) FROM sqlite_master")
    return journal


def index_of(cache: Path) -> Path:
    (index,) = cache.glob("index-*.sqlite")
    return index


def identity(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def test_a_hot_journal_beside_the_index_costs_one_rebuild(tmp_path: Path) -> None:
    """The index, half emptied by another program killed in a transaction: the next query
    answers as `--no-cache` does, from an index made again, and the journal is gone; the
    query after leaves the index as it is."""
    cache = private_dir(tmp_path / "cache")
    expected = answer(DATA, cache, "--no-cache", *TIMELINE)
    assert answer(DATA, cache, *TIMELINE) == expected
    index = index_of(cache)
    journal = hot_journal(index, "r_events", "files", "meta")

    assert answer(DATA, cache, *TIMELINE) == expected
    assert sorted(p.name for p in cache.iterdir()) == [index.name]
    assert not journal.exists()
    after = identity(index)
    assert answer(DATA, cache, *TIMELINE) == expected
    assert identity(index) == after


def test_another_databases_journal_beside_the_index_costs_one_rebuild(tmp_path: Path) -> None:
    """A hot journal that is not the index's own (an index moved into place under it, as
    spnet did before it dealt with journals): rolled back into the index, it would mix
    the pages of two databases. The next query answers from an index made again; the
    query after rewrites nothing."""
    cache = private_dir(tmp_path / "cache")
    expected = answer(DATA, cache, "--no-cache", *TIMELINE)
    assert answer(DATA, cache, *TIMELINE) == expected
    index = index_of(cache)
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x BLOB)")
    db.executemany("INSERT INTO t VALUES (randomblob(3000))", [()] * 400)
    db.commit()
    db.close()
    os.replace(hot_journal(other, "t"), index.with_name(index.name + "-journal"))

    assert answer(DATA, cache, *TIMELINE) == expected
    assert sorted(p.name for p in cache.iterdir()) == [index.name]
    after = identity(index)
    assert answer(DATA, cache, *TIMELINE) == expected
    assert identity(index) == after


def test_a_write_ahead_log_beside_the_index_costs_one_rebuild(tmp_path: Path) -> None:
    """The index switched to WAL by another program killed with changes in its log: the
    next query answers from an index made again, without a log beside it; the query
    after rewrites nothing."""
    cache = private_dir(tmp_path / "cache")
    expected = answer(DATA, cache, "--no-cache", *TIMELINE)
    assert answer(DATA, cache, *TIMELINE) == expected
    index = index_of(cache)
    script = (
        "import os, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('PRAGMA journal_mode = WAL')\n"
        "conn.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "conn.execute(\"INSERT INTO meta VALUES ('another', 'program')\")\n"
        "conn.execute(\"DELETE FROM meta WHERE key = 'another'\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(index)], check=True)
    assert index.with_name(index.name + "-wal").stat().st_size > 0

    assert answer(DATA, cache, *TIMELINE) == expected
    assert sorted(p.name for p in cache.iterdir()) == [index.name]
    after = identity(index)
    assert answer(DATA, cache, *TIMELINE) == expected
    assert identity(index) == after


def test_a_writer_at_work_beside_the_index_is_left_to_it(tmp_path: Path) -> None:
    """Another program in the middle of a transaction on the index, alive, holds its lock:
    its journal is not spnet's to remove. Queries meanwhile answer as `--no-cache` does;
    once it commits, the index is spnet's again."""
    cache = private_dir(tmp_path / "cache")
    expected = answer(DATA, cache, "--no-cache", *TIMELINE)
    assert answer(DATA, cache, *TIMELINE) == expected
    index = index_of(cache)
    writer = sqlite3.connect(index, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO meta VALUES ('another', 'program')")
        journal = index.with_name(index.name + "-journal")
        assert journal.exists()
        assert answer(DATA, cache, *TIMELINE) == expected
        assert journal.exists() and index.exists()
        writer.execute("DELETE FROM meta WHERE key = 'another'")
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert answer(DATA, cache, *TIMELINE) == expected
    after = identity(index)
    assert answer(DATA, cache, *TIMELINE) == expected
    assert identity(index) == after
