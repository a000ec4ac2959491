"""The database side by side: spnet on an archive N times the real one against its peers.

Called by run.py (`--scale N` picks N); each figure is a ratio to a floor or to a peer
measured in the same loop, and a row says the target it is read against:

- a warm `timeline --year 2023 --format json` against `sqlite-utils query` on spnet's own
  export (`spnet export sqlite`) with SQL that gives the same rows (their count and ids
  compared before anything is timed);
- the first run with an empty cache against tomllib alone parsing every file of the
  archive in one process (the floor below), and its peak memory;
- a query right after one file changed against the warm query;
- the first `search` right after the first query against a warm `search` (and against the
  tomllib floor, for search rows made lazily);
- the index, its search rows included (every file of the cache), against the TOML on disk;
- whether each build that takes over a second (the first run, the first search, a query
  after an edit, the first export, which fills the index's export tables) shows a
  progress bar on a terminal: it runs with stderr on a pseudo-terminal, stdout to
  /dev/null, and a bar is Rich's `━`.

Peak memory is given two ways: the largest single process (max RSS, as run.py reads it)
and the whole process tree (the reader's worker processes included), sampled every 50 ms
as the sum of each process's proportional set size, so that pages a worker shares with its
parent count once. Standard library only: this process stays small (see run.py).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import statistics
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Parse every file as spnet's first reading does (the top-level *.toml and universities/),
# with nothing else: the floor a first run is read against.
TOMLLIB_FLOOR = """
import sys, tomllib
from pathlib import Path
root = Path(sys.argv[1])
for path in sorted([*root.glob("*.toml"), *(root / "universities").glob("*.toml")]):
    with path.open("rb") as f:
        tomllib.load(f)
"""

# The rows of `spnet timeline --year 2023 --format json`: the events whose dates (the first
# and the last day a date as written can mean) meet the year, in date order, with the
# timeline's JSON columns the export keeps (`disputed`: the two texts disagree on a field
# the timeline shows; `lines` and `cites` are in no column of the export).
TIMELINE_2023_SQL = """
SELECT date, tentative, kind, number, title_en, title_ja, university, id, disputed_fields IS NOT NULL AS disputed,
       onward, title_en_basis, title_ja_basis, disputed_fields, date_start, date_end
FROM (
    SELECT *, (SELECT group_concat(field, '; ') FROM (
                 SELECT DISTINCT field FROM disagreements d
                 WHERE d.record = e.id AND field IN ('date', 'title', 'kind', 'number'))) AS disputed_fields
    FROM events e
    WHERE date_start <= '2023-12-31' AND date_end >= '2023-01-01'
)
ORDER BY date_start, date_end, id
"""

BAR = "━"  # the bar Rich's progress draws


@dataclass
class Run:
    seconds: float
    max_rss_mib: float  # the largest single process of the run
    tree_mib: float  # the whole process tree, sampled
    shown: str  # what reached the terminal (stderr), when it was one

    @property
    def progress(self) -> bool:
        return BAR in self.shown


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            continue  # gone meanwhile
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _drain(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal is closed once the process is gone
            return
        if not chunk:
            return
        into.append(chunk)


def run_tree(argv: list[str], env: dict[str, str], *, terminal: bool = False) -> Run:
    """One run of argv: wall time, peaks, and (with `terminal`) what its stderr showed on
    a pseudo-terminal of 120 columns. Exits the bench if the command fails."""
    leader = follower = -1
    if terminal:
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
        env = {**env, "TERM": "xterm-256color"}
    chunks: list[bytes] = []
    with open(os.devnull, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=sink, stderr=follower if terminal else sink, env={**env, "COLUMNS": "120"})
        reader = None
        if terminal:
            os.close(follower)
            reader = threading.Thread(target=_drain, args=(leader, chunks), daemon=True)
            reader.start()
        tree = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree = max(tree, sum(_pss_kib(p) for p in _descendants(proc.pid)))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    if reader is not None:
        reader.join(timeout=5)
        os.close(leader)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"bench: {' '.join(argv)} exited {code}")
    return Run(elapsed, usage.ru_maxrss / 1024, tree / 1024, b"".join(chunks).decode("utf-8", "replace"))


def size_mib(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths if p.is_file()) / 2**20


def sqlite_utils(py: str) -> str | None:
    """The sqlite-utils beside this Python (the bench's venv), else on PATH; None if absent."""
    beside = Path(py).parent / "sqlite-utils"
    return str(beside) if beside.exists() else shutil.which("sqlite-utils")


def _ids(out: str) -> list[str]:
    return [r["id"] for r in json.loads(out or "[]")]


class Edit:
    """One university's file changed in turn: its English name shortened, then put back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.long, self.short = "Kyoto University", "Kyoto Univ."

    def __call__(self) -> None:
        text = self.path.read_text(encoding="utf-8")
        old, new = (self.long, self.short) if self.long in text else (self.short, self.long)
        self.path.write_text(text.replace(old, new, 1), encoding="utf-8")


@dataclass
class Target:
    label: str
    measured: float | None
    limit: float
    unit: str = "x"
    note: str = ""

    def line(self) -> str:
        if self.measured is None:
            return f"| {self.label} | — | ≤ {self.limit:g}{self.unit} | not measured{self.note} |"
        figure = f"{self.measured:.2f}{self.unit}" if self.unit == "x" else f"{self.measured:.0f} {self.unit}"
        met = "met" if self.measured <= self.limit else "not met"
        limit = f"{self.limit:g}{self.unit}" if self.unit == "x" else f"{self.limit:g} {self.unit}"
        return f"| {self.label} | {figure} | ≤ {limit} | {met}{self.note} |"


def progress_row(what: str, run: Run) -> str:
    if run.seconds <= 1:
        return f"| {what}: {run.seconds:.1f} s, under a second | — | bar over 1 s | — |"
    shown = "yes" if run.progress else "no"
    return (
        f"| {what}: {run.seconds:.1f} s, progress bar shown | {shown} | yes | {'met' if run.progress else 'not met'} |"
    )


Measure = Callable[[list[list[str]], int, dict[str, str]], list[tuple[list[float], list[int], float]]]


@dataclass
class Setup:
    py: str
    spnet: list[str]
    data: Path
    work: Path
    runs: int
    measure: Measure  # run.measure: commands taking turns with the floor, run after run


def side_by_side(s: Setup, factor: int) -> list[str]:
    """Measure the Nx archive `s.data`; print figures as they come; return the table's rows."""
    cache = s.work / f"cache-side-{factor}x"
    cache.mkdir(mode=0o700)
    env = {**os.environ, "SPNET_CACHE_DIR": str(cache)}
    env.pop("SPNET_DATA", None)
    spnet = [*s.spnet, "--data", str(s.data)]
    query = [*spnet, "timeline", "--year", "2023", "--format", "json"]
    search = [*spnet, "search", "Zurich", "--format", "json"]
    # One record and the events that name it: read alone, whatever the archive's size.
    show = [*spnet, "show", "kyoto-zurich" if factor == 1 else f"kyoto-zurich-x{factor - 1}", "--format", "json"]
    tomls = [*s.data.glob("*.toml"), *(s.data / "universities").glob("*.toml")]
    toml_mib = size_mib(tomls)
    print(f"\n{factor}x: {len(tomls)} files, {toml_mib:.1f} MiB of TOML\n", flush=True)

    floor = run_tree([s.py, "-c", TOMLLIB_FLOOR, str(s.data)], env)
    first = run_tree(query, env, terminal=True)
    first_search = run_tree(search, env, terminal=True)
    floor_again = run_tree([s.py, "-c", TOMLLIB_FLOOR, str(s.data)], env)
    tomllib_s = (floor.seconds + floor_again.seconds) / 2  # one before the builds, one after
    print(f"tomllib parsing every file (one process): {floor.seconds:.2f} s, {floor_again.seconds:.2f} s")
    print(
        f"first run, empty cache: {first.seconds:.2f} s; peak {first.max_rss_mib:.0f} MiB (one process), "
        f"{first.tree_mib:.0f} MiB (process tree); progress bar: {'yes' if first.progress else 'no'}"
    )
    print(f"first search right after it: {first_search.seconds:.2f} s; peak {first_search.tree_mib:.0f} MiB (tree)")
    cache_mib = size_mib(list(cache.iterdir()))
    files = ", ".join(f"{p.name} {size_mib([p]):.0f} MiB" for p in sorted(cache.iterdir()))
    print(f"cache after both: {cache_mib:.0f} MiB ({files})", flush=True)

    # The export fills the index's export tables: a build of its own, on the terminal too.
    db = s.work / "export.db"
    export = run_tree([*spnet, "export", "sqlite", "--out", str(db)], env, terminal=True)
    print(f"spnet export sqlite: {export.seconds:.2f} s, {size_mib([db]):.0f} MiB")
    peer, peer_note = _peer(s, env, db, query)
    commands = [[s.py, "-c", "import typer"], query, search, show, *([peer] if peer else [])]
    measured = s.measure(commands, s.runs, env)
    typer_s, warm_s, search_s, show_s = (statistics.median(m[0]) for m in measured[:4])
    show_mib = statistics.median(measured[3][1]) / 1024
    peer_s = statistics.median(measured[4][0]) if peer else None
    print(
        f"warm, median of {s.runs} taking turns: import typer {typer_s * 1000:.0f} ms, query {warm_s * 1000:.0f} ms, "
    )
    print(f"search {search_s * 1000:.0f} ms" + (f", sqlite-utils query {peer_s * 1000:.0f} ms" if peer_s else ""))
    print(f"show one partner: {show_s * 1000:.0f} ms, peak {show_mib:.0f} MiB")

    edits = _after_edit(s, env, query, factor)
    edit_s = statistics.median(r.seconds for r, _ in edits)
    warm_again = statistics.median(w for _, w in edits)
    slowest = max((r for r, _ in edits), key=lambda r: r.seconds)
    print(f"after one file changed: {[round(r.seconds, 2) for r, _ in edits]} s; warm between: {warm_again:.2f} s")

    return [
        Target(
            f"{factor}x warm `timeline --year 2023 --format json` vs `sqlite-utils query`",
            warm_s / peer_s if peer_s else None,
            1.0,
            note=peer_note,
        ).line(),
        Target(
            f"{factor}x first run, empty cache ({first.seconds:.1f} s) vs tomllib parsing every file "
            f"({tomllib_s:.1f} s)",
            first.seconds / tomllib_s,
            0.5,
        ).line(),
        Target(
            f"{factor}x first run's peak memory (the larger of: its largest process {first.max_rss_mib:.0f} MiB, "
            f"its process tree sampled {first.tree_mib:.0f} MiB)",
            max(first.max_rss_mib, first.tree_mib),
            400,
            "MiB",
        ).line(),
        Target(
            f"{factor}x query right after one file changed ({edit_s:.2f} s) vs the warm query ({warm_again:.2f} s)",
            edit_s / warm_again,
            2.0,
        ).line(),
        Target(
            f"{factor}x first `search` right after the first query ({first_search.seconds:.1f} s) vs a warm "
            f"`search` ({search_s:.2f} s)",
            first_search.seconds / search_s,
            2.0,
        ).line(),
        Target(
            f"{factor}x first `search` (built lazily) vs the tomllib floor", first_search.seconds / tomllib_s, 0.5
        ).line(),
        Target(
            f"{factor}x the index, search rows included ({cache_mib:.0f} MiB) vs the TOML ({toml_mib:.0f} MiB)",
            cache_mib / toml_mib,
            2.0,
        ).line(),
        progress_row(f"{factor}x first run", first),
        progress_row(f"{factor}x first `search`", first_search),
        progress_row(f"{factor}x slowest query after one file changed", slowest),
        progress_row(f"{factor}x first `export sqlite`", export),
    ]


def _peer(s: Setup, env: dict[str, str], db: Path, query: list[str]) -> tuple[list[str] | None, str]:
    """sqlite-utils' query on spnet's export, once its rows are checked to be the query's."""
    tool = sqlite_utils(s.py)
    if tool is None:
        print("sqlite-utils: absent (pip install sqlite-utils): its row is skipped")
        return None, " (sqlite-utils absent)"
    version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"sqlite-utils: {tool} ({version})")
    peer = [tool, "query", str(db), TIMELINE_2023_SQL]
    ours = _ids(subprocess.run(query, capture_output=True, text=True, env=env, check=True).stdout)
    theirs = _ids(subprocess.run(peer, capture_output=True, text=True, env=env, check=True).stdout)
    same = (
        "the same ids in the same order"
        if ours == theirs
        else "the same ids"
        if sorted(ours) == sorted(theirs)
        else "DIFFERENT ids"
    )
    print(f"rows: spnet {len(ours)}, sqlite-utils {len(theirs)}: {same}", flush=True)
    if sorted(ours) != sorted(theirs):
        return None, " (the SQL's rows differ: not compared)"
    return peer, ""


def _after_edit(s: Setup, env: dict[str, str], query: list[str], factor: int) -> list[tuple[Run, float]]:
    """The query right after one file changed (on a terminal, to see its bar), then warm,
    taking turns, `s.runs` times (at least 3)."""
    uid = "kyoto" if factor == 1 else f"kyoto-x{factor - 1}"
    edit = Edit(s.data / "universities" / f"{uid}.toml")
    out = []
    for _ in range(max(3, min(s.runs, 5))):
        edit()
        changed = run_tree(query, env, terminal=True)
        warm = run_tree(query, env)
        out.append((changed, warm.seconds))
    return out
