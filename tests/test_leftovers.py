"""What a killed process leaves behind, and the next run: on the installed command.

spnet writes every file through one atomic writer (fsutil): a temporary file named with
its maker's pid and a mark of its pid namespace and boot, moved into place when whole. A
process killed with SIGKILL cannot remove its temporary file; the next writer that finds
it does, when no live process made it: one with this namespace's mark as soon as its pid
is gone, one with another's (a container, a host, another machine sharing the directory,
where the pid means nothing here) once untouched for a day. A journal another SQLite
writer left beside the index, killed in a transaction, goes with the index, which the
next run makes again once, never on every run.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATA, REPO

SPNET = Path(sys.executable).with_name("spnet")
pytestmark = [
    pytest.mark.skipif(not SPNET.is_file(), reason="the spnet console script is not installed here"),
    pytest.mark.slow,  # processes killed at random: the slow tier
]

TIMELINE = ["timeline", "--year", "2023", "--format", "json"]
SEARCH = ["search", "Zurich", "--format", "json"]
KILLS = 8
# What a finished run leaves in a cache directory: databases, no temporary file.
FINISHED = re.compile(r"index-[0-9a-f]{16}\.sqlite")


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


# ------------------------------------------------------------------ a writer held at work
# The name of a temporary file: `.<file>.spnet-<pid>-<mark>-<random>.tmp`.
MARKED = re.compile(r"\.(?P<file>.+)\.spnet-(?P<pid>[0-9]+)-(?P<mark>[0-9a-f]{8})-[0-9a-f]{8}\.tmp")
DAY = 24 * 3600


def held_writer(shared: Path, out: Path, *, inside: list[str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """`spnet export sqlite --out out` with `out` a FIFO nobody reads yet: it writes the
    database to a temporary file in `shared` (its TMPDIR) and then waits to copy it into
    the FIFO. `inside`: a command to run it under (another pid namespace). The writer, in
    a session of its own, and its temporary file's name."""
    os.mkfifo(out)
    proc = subprocess.Popen(
        [*(inside or []), str(SPNET), "--data", str(DATA), "--no-cache", "export", "sqlite", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(shared)},
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        made = [p.name for p in shared.iterdir() if p.name.startswith(f".{out.name}.spnet-") and p.suffix == ".tmp"]
        if made:
            return proc, made[0]
        if proc.poll() is not None:
            pytest.fail(f"the writer ended before it made its file: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("the writer made no temporary file in a minute")


def released(proc: subprocess.Popen[str], out: Path) -> bytes:
    """What a held writer writes once its FIFO is read, after it ended well."""
    with open(out, "rb") as fh:
        written = fh.read()
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, "")
    return written


def killed_writer(proc: subprocess.Popen[str]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def whole_database(blob: bytes, where: Path) -> bool:
    where.write_bytes(blob)
    db = sqlite3.connect(where)
    try:
        return db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()


def export_beside(shared: Path, name: str) -> None:
    """An export as a user runs it, whose temporary file is made in `shared` for a file
    named `name`: the next writer of that name, which removes that name's leftovers there."""
    sink = shared.parent / "sink"
    sink.mkdir(exist_ok=True)
    (sink / name).unlink(missing_ok=True)
    (sink / name).symlink_to(os.devnull)  # a device: its temporary file is made in TMPDIR
    done = subprocess.run(
        [str(SPNET), "--data", str(DATA), "--no-cache", "export", "sqlite", "--out", str(sink / name)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(shared)},
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr


@pytest.fixture(scope="module")
def mark(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The mark spnet gives its temporary files in this pid namespace, as a writer at work
    shows it in its file's name."""
    shared = tmp_path_factory.mktemp("shared")
    proc, name = held_writer(shared, shared.parent / "mark.db")
    released(proc, shared.parent / "mark.db")
    found = MARKED.fullmatch(name)
    assert found, name
    return found["mark"]


def foreign(mark: str) -> str:
    """A mark that is not this namespace's."""
    return f"{int(mark, 16) ^ 0x5A5A5A5A:08x}"


def aged(path: Path, seconds: float) -> None:
    """`path` last written `seconds` ago."""
    when = time.time() - seconds
    os.utime(path, (when, when))


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
    expected = answer(large, private_dir(tmp_path / "none"), "--no-cache", *command)
    timing = private_dir(tmp_path / "timing")
    if command is SEARCH:
        answer(large, timing, *TIMELINE)  # the search index is what is built: the index is there
    began = time.monotonic()
    assert answer(large, timing, *command) == expected
    cold = time.monotonic() - began

    cache = private_dir(tmp_path / "cache")
    if command is SEARCH:  # the index without its search rows, put back after each kill
        answer(large, cache, *TIMELINE)
        (index,) = cache.glob("index-*.sqlite")
        without = tmp_path / "without-search.sqlite"
        shutil.copy2(index, without)
    rng = random.Random(20261206)
    left = 0
    for _ in range(KILLS):
        killed(large, cache, command, rng.uniform(0.2, cold))
        assert len(leftovers(cache)) <= 1, leftovers(cache)  # its own, at most
        left += len(leftovers(cache))
        if command is SEARCH:  # a kill after the build: the next is a first build too
            shutil.copy2(without, index)
        else:
            for finished in cache.glob("index-*.sqlite"):
                finished.unlink()
    assert left >= 2, f"the kills ({cold:.2f} s run) should land in the build and leave temporary files"

    assert answer(large, cache, *command) == expected
    assert leftovers(cache) == []
    assert all(FINISHED.fullmatch(p.name) for p in cache.iterdir()), sorted(cache.iterdir())


# ------------------------------------------------------------------ whose temporary file it is
def test_leftovers_of_gone_writers_are_removed_a_live_writers_kept(tmp_path: Path, mark: str) -> None:
    """In the cache directory a first build removes every temporary file of this pid
    namespace whose maker is gone: a dead pid, a pid taken by a process that started after
    the file was written, SQLite's journal of one; so it does with the names earlier
    spnets gave, without the mark or the random part. A live process's file (this test's
    own pid, written now) and names spnet never makes stay."""
    cache = private_dir(tmp_path / "cache")
    dead, alive = dead_pid(), os.getpid()
    gone = [
        f".index-0123456789abcdef.sqlite.spnet-{dead}-{mark}-0a1b2c3d.tmp",
        f".search-0123456789abcdef.sqlite.spnet-{dead}-{mark}-4e5f6a7b.tmp",
        f".spnet.db.spnet-{dead}-{mark}-8c9d0e1f.tmp-journal",
        f".index-0123456789abcdef.sqlite.spnet-{dead}-0a1b2c3d.tmp",
        f".index-0123456789abcdef.sqlite-{dead}.tmp",
        f".spnet.db.spnet-{dead}-8c9d0e1f.tmp-journal",
    ]
    reused = [
        f".index-fedcba9876543210.sqlite.spnet-{alive}-{mark}-11111111.tmp",
        f".index-fedcba9876543210.sqlite.spnet-{alive}-33333333.tmp",
    ]
    # 8 random hex digits that are all digits: not taken for the pid; and a user's own
    # files named as a temporary file may be, without spnet's mark (a cache directory
    # may be one the user keeps other files in)
    kept = [
        f".index-fedcba9876543210.sqlite.spnet-{alive}-{mark}-22222222.tmp",
        f".index-fedcba9876543210.sqlite.spnet-{alive}-22222222.tmp",
        ".notes.tmp",
        f".x.spnet-{dead}-nothex!.tmp",
        ".bash_history-2024.tmp",
        f".thesis.tex-{dead}-cafebabe.tmp",
        f".report.csv-{dead}.tmp",
    ]
    for name in [*gone, *reused, *kept]:
        (cache / name).write_bytes(b"part of a database")
    for name in reused:
        aged(cache / name, 10 * DAY)  # before this test's own process started

    answer(DATA, cache, "universities", "--format", "json")
    assert leftovers(cache) == sorted(kept)


def test_an_export_removes_its_own_targets_leftovers_only(tmp_path: Path, mark: str) -> None:
    """Beside a file it writes, spnet removes only that file's leftovers whose maker is
    gone: a user's directory holds other programs' files too."""
    cache = private_dir(tmp_path / "cache")
    out = tmp_path / "out"
    out.mkdir()
    dead, alive = dead_pid(), os.getpid()
    gone = [f".spnet.json.spnet-{dead}-{mark}-0a1b2c3d.tmp", f".spnet.json.spnet-{dead}-1a2b3c4d.tmp"]
    kept = [
        f".spnet.json.spnet-{alive}-{mark}-4e5f6a7b.tmp",
        f".spnet.json.spnet-{alive}-5e6f7a8b.tmp",
        f".other.json.spnet-{dead}-{mark}-8c9d0e1f.tmp",
        # a user's files named alike, without spnet's mark
        ".spnet.json-2024.tmp",
        f".spnet.json-{dead}-deadbeef.tmp",
        f".spnet.json-{dead}-00000000.tmp-wal",
    ]
    for name in [*gone, *kept]:
        (out / name).write_text("{")
    answer(DATA, cache, "export", "json", "--out", str(out / "spnet.json"))
    assert leftovers(out) == sorted(kept)
    assert (out / "spnet.json").read_text(encoding="utf-8").startswith("{\n")


# ------------------------------------------------------------------ another pid namespace's files
def test_a_writer_names_its_file_with_its_pid_and_this_namespaces_mark(tmp_path: Path, mark: str) -> None:
    """Two writers at work in this pid namespace: each file's name holds its writer's pid
    and the same mark. One killed leaves its file, which the next writer of that name
    removes at once: its pid is gone, and the mark says the pid is one of this namespace."""
    shared = private_dir(tmp_path / "shared")
    first, first_name = held_writer(shared, tmp_path / "out.db")
    second, second_name = held_writer(shared, tmp_path / "also.db")
    for proc, name in [(first, first_name), (second, second_name)]:
        found = MARKED.fullmatch(name)
        assert found and (int(found["pid"]), found["mark"]) == (proc.pid, mark), name
    killed_writer(first)  # its database's journal too, when killed while SQLite wrote it
    left = {re.sub(r"-(journal|wal|shm)$", "", name) for name in leftovers(shared)}
    assert sorted(left) == sorted([first_name, second_name])

    export_beside(shared, "out.db")
    assert leftovers(shared) == [second_name]
    assert whole_database(released(second, tmp_path / "also.db"), tmp_path / "copy.db")
    assert leftovers(shared) == []


def test_a_leftover_of_another_namespace_is_judged_by_its_age_alone(tmp_path: Path, mark: str) -> None:
    """Temporary files with another pid namespace's (or boot's) mark: their pids, dead
    here or not, say nothing of their writers. One written up to a day ago is kept, in the
    cache directory and beside a file being written; one untouched for longer is removed
    by the next writer that finds it, and so is a kept one once it is as old."""
    cache = private_dir(tmp_path / "cache")
    other, dead = foreign(mark), dead_pid()
    fresh = [
        f".index-0123456789abcdef.sqlite.spnet-{dead}-{other}-0a1b2c3d.tmp",
        f".search-0123456789abcdef.sqlite.spnet-{dead}-{other}-4e5f6a7b.tmp-journal",
        f".spnet.db.spnet-{os.getpid()}-{other}-8c9d0e1f.tmp",
        f".spnet.db.spnet-1-{other}-9d0e1f2a.tmp",
    ]
    almost = f".index-0123456789abcdef.sqlite.spnet-{dead}-{other}-11111111.tmp"
    old = [
        f".index-0123456789abcdef.sqlite.spnet-{dead}-{other}-22222222.tmp",
        f".spnet.db.spnet-1-{other}-33333333.tmp-wal",
    ]
    for name in [*fresh, almost, *old]:
        (cache / name).write_bytes(b"part of a database")
    aged(cache / almost, DAY - 3600)
    for name in old:
        aged(cache / name, DAY + 3600)

    answer(DATA, cache, "universities", "--format", "json")
    assert leftovers(cache) == sorted([*fresh, almost])

    for name in [*fresh, almost]:
        aged(cache / name, DAY + 60)
    for finished in cache.glob("*.sqlite"):  # the next run builds again, and so looks
        finished.unlink()
    answer(DATA, cache, "universities", "--format", "json")
    assert leftovers(cache) == []

    shared = private_dir(tmp_path / "shared")
    beside = [f".out.db.spnet-{dead}-{other}-44444444.tmp", f".out.db.spnet-{dead}-{other}-55555555.tmp"]
    for name in beside:
        (shared / name).write_bytes(b"part of a database")
    aged(shared / beside[1], DAY + 3600)
    export_beside(shared, "out.db")
    assert leftovers(shared) == [beside[0]]


def unshare_pid() -> list[str]:
    """The command that runs a program as pid `N` of a new pid namespace (`N` its first
    argument), or skips the test where this system allows no unprivileged one."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    inside = [unshare, "--user", "--map-root-user", "--pid", "--fork", "--mount-proc"]
    as_pid = (
        "import subprocess, sys\n"
        "with open('/proc/sys/kernel/ns_last_pid', 'w') as fh:\n"
        "    fh.write(str(int(sys.argv[1]) - 1))\n"
        "sys.exit(subprocess.run(sys.argv[2:]).returncode)\n"
    )
    probe = subprocess.run([*inside, sys.executable, "-c", as_pid, "300", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"no unprivileged pid namespace here: {probe.stderr.strip()}")
    return [*inside, sys.executable, "-c", as_pid]


def test_a_writer_in_another_pid_namespace_keeps_its_file_while_it_works(tmp_path: Path, mark: str) -> None:
    """A real spnet in a pid namespace of its own (a container's, as `unshare` makes it),
    writing into a directory this namespace writes into too, with a pid that no process
    has here: its temporary file has another mark and is left to it while it works; its
    export is whole. Killed, its leftover stays while fresh, and goes once a day old."""
    inside = unshare_pid()
    shared = private_dir(tmp_path / "shared")
    pid = dead_pid()
    proc, name = held_writer(shared, tmp_path / "out.db", inside=[*inside, str(pid)])
    found = MARKED.fullmatch(name)
    assert found and int(found["pid"]) == pid and found["mark"] != mark, (name, pid, mark)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # by its pid alone, its writer looks gone here

    export_beside(shared, "out.db")
    assert leftovers(shared) == [name]
    assert whole_database(released(proc, tmp_path / "out.db"), tmp_path / "copy.db")
    assert leftovers(shared) == []

    (tmp_path / "out.db").unlink()
    proc, name = held_writer(shared, tmp_path / "out.db", inside=[*inside, str(pid)])
    killed_writer(proc)
    export_beside(shared, "out.db")
    assert leftovers(shared) == [name]
    aged(shared / name, DAY + 60)
    export_beside(shared, "out.db")
    assert leftovers(shared) == []


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
