"""Measure spnet as a script calls it: whole processes, wall time and peak memory.

    python bench/run.py                 # the real archive, then 1x/10x/100x/1000x archives
    python bench/run.py --scale 100     # stop the scale part at 100x
    python bench/run.py --runs 20       # more runs per command
    python bench/run.py --side-by-side-only --scale 100   # the database side by side only

Last it prints "The database side by side" (database.py): the real archive's ratios to
the floor, and the --scale archive's against its peers (sqlite-utils, tomllib), each
with its target.

Each command runs once to warm up (and to fill the archive cache), then --runs times,
the commands taking turns run after run (so that a change in the machine's speed falls
on all of them alike, the floor included); the table gives the median, min and max wall
time, the median peak memory (max RSS of the process), the ratio of the median to the
`python -c "import typer"` floor, and the warm-up run's time (on a synthetic archive:
the first run, which reads every file).
Run it with the Python of a regular (not editable) install, whose modules are byte-compiled.
Prints figures only: nothing here passes or fails.

Linux counts the memory of the process that starts a child in the child's max RSS, so
this script keeps itself small: it imports neither Typer nor spnet, and writes the
synthetic archives in a separate process. It prints its own size, below which a peak
cannot be read.
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import database  # noqa: E402

MAKE_ARCHIVE = Path(__file__).resolve().parent / "make_archive.py"
PY = sys.executable
BIN = Path(PY).parent / "spnet"
SPNET = [str(BIN)] if BIN.exists() else [PY, "-m", "spnet"]


def run_timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall and CPU seconds (user and system, worker processes included) and peak RSS (KiB)
    of one run of argv. On a machine shared with other work the CPU time moves less than
    the wall."""
    with open(os.devnull, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=sink, stderr=sink, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of argv."""
    elapsed, _cpu, peak = run_timed(argv, env)
    return elapsed, peak


def measure(commands: list[list[str]], runs: int, env: dict[str, str]) -> list[tuple[list[float], list[int], float]]:
    """For each command: wall seconds and peak RSS (KiB) of `runs` runs, and the seconds of
    the warm-up run before them. The commands take turns, run after run, so that a change
    in the machine's speed during the bench (a shared or throttled CPU) falls on all of
    them alike and their ratios to the floor stay fair."""
    times: list[list[float]] = [[] for _ in commands]
    peaks: list[list[int]] = [[] for _ in commands]
    first = [0.0 for _ in commands]
    for i in range(runs + 1):
        for k, argv in enumerate(commands):
            elapsed, peak = run_once(argv, env)
            if i:  # the first round is the warm-up
                times[k].append(elapsed)
                peaks[k].append(peak)
            else:
                first[k] = elapsed
    return [(times[k], peaks[k], first[k]) for k in range(len(commands))]


def row(label: str, times: list[float], peaks: list[int], first: float, floor: float | None) -> str:
    med = statistics.median(times)
    ratio = f"{med / floor:5.2f}x" if floor else "    —"
    return (
        f"| {label} | {med * 1000:7.1f} | {min(times) * 1000:7.1f} | {max(times) * 1000:7.1f} "
        f"| {statistics.median(peaks) / 1024:6.1f} | {ratio} | {first * 1000:7.1f} |"
    )


HEAD = (
    "| command | median ms | min ms | max ms | peak MiB | vs import typer | first run ms |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def machine() -> str:
    """The CPU, Python and library versions, asked of a child process (see the docstring)."""
    code = "from importlib.metadata import version as v; print(v('typer'), v('rich'), v('spnet'))"
    typer, rich, spnet = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; typer {typer}, rich {rich}; spnet {spnet}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Measure spnet's speed and memory.")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scale", type=int, default=1000, help="largest synthetic archive (1, 10, 100 or 1000)")
    parser.add_argument("--scale-runs", type=int, default=5)
    parser.add_argument(
        "--side-by-side-only",
        action="store_true",
        help="measure only what the database side by side needs: three commands of the real archive, then --scale",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="spnet-bench-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # a failed command ends the bench too
    env = {**os.environ, "SPNET_CACHE_DIR": str(work / "cache"), "COLUMNS": "120"}
    env.pop("SPNET_DATA", None)
    print(f"machine: {machine()}\n")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(peak memory is read from each process's max RSS; below {own:.1f} MiB, this script's own size,")
    print("a figure shows that size instead)\n")

    floor_cmds = [("python -c pass", [PY, "-c", "pass"]), ('python -c "import typer"', [PY, "-c", "import typer"])]
    out_file = work / "timeline.txt"
    spnet_cmds = [
        ("spnet meetings --year 2023 --format json", [*SPNET, "meetings", "--year", "2023", "--format", "json"]),
        (
            "spnet --no-cache meetings --year 2023 --format json",
            [*SPNET, "--no-cache", "meetings", "--year", "2023", "--format", "json"],
        ),
        (
            "spnet timeline --format table > file",
            ["sh", "-c", f'"$0" "$@" > {out_file}', *SPNET, "timeline", "--format", "table"],
        ),
        (
            "spnet timeline > file (plain)",
            ["sh", "-c", f'"$0" "$@" > {out_file}', *SPNET, "timeline"],
        ),
        (
            "spnet timeline --lang ja --format table > file",
            ["sh", "-c", f'"$0" "$@" > {out_file}', *SPNET, "timeline", "--lang", "ja", "--format", "table"],
        ),
        ("spnet timeline --svg FILE", [*SPNET, "timeline", "--svg", str(work / "timeline.svg")]),
        ("spnet timeline --all --svg FILE", [*SPNET, "timeline", "--all", "--svg", str(work / "timeline.svg")]),
        (
            "spnet partners --university kyoto --format tsv",
            [*SPNET, "partners", "--university", "kyoto", "--format", "tsv"],
        ),
        ("spnet search 京都 --format json", [*SPNET, "search", "京都", "--format", "json"]),
        ("spnet search 連携大学会議 --format json", [*SPNET, "search", "連携大学会議", "--format", "json"]),
        ("spnet source 2687-2700 --format json", [*SPNET, "source", "2687-2700", "--format", "json"]),
        ("spnet show kyoto --source --format json", [*SPNET, "show", "kyoto", "--source", "--format", "json"]),
        (
            "spnet show symposium-2 --source --format table > file",
            ["sh", "-c", f'"$0" "$@" > {out_file}', *SPNET, "show", "symposium-2", "--source", "--format", "table"],
        ),
        (
            "completion of `spnet partners -u ` (bash)",
            ["env", "_SPNET_COMPLETE=complete_bash", "COMP_WORDS=spnet partners -u ", "COMP_CWORD=3", *SPNET],
        ),
        ("spnet --help", [*SPNET, "--help"]),
        ("spnet check", [*SPNET, "check"]),
        ("spnet check --against-report", [*SPNET, "check", "--against-report"]),
    ]
    if args.side_by_side_only:
        spnet_cmds = [c for c in spnet_cmds if c[0] in SIDE_BY_SIDE]
    print(f"The real archive ({args.runs} runs after a warm-up):\n")
    print(HEAD)
    measured = measure([argv for _, argv in floor_cmds + spnet_cmds], args.runs, env)
    floor = statistics.median(measured[1][0])  # python -c "import typer"
    for k, ((label, _), result) in enumerate(zip(floor_cmds + spnet_cmds, measured, strict=True)):
        print(row(label, *result, floor if k else None))
    real = {
        label: statistics.median(times) / floor
        for (label, _), (times, _, _) in zip(spnet_cmds, measured[2:], strict=True)
    }
    targets = [
        database.Target(f"real archive: {label} vs `import typer`", real[label], limit).line()
        for label, limit in SIDE_BY_SIDE.items()
    ]

    factors = [] if args.side_by_side_only else [f for f in (1, 10, 100, 1000) if f <= args.scale]
    if factors:
        print(
            f"\nSynthetic archives ({args.scale_runs} runs after a warm-up that fills the cache; "
            "the ratio is to `import typer` measured in the same rounds):\n"
        )
        print(HEAD)
    growth: dict[str, list[float]] = {}
    after_edit: list[str] = []
    for factor in factors:
        start = time.perf_counter()
        data = make(factor, work / f"data-{factor}x")
        made = time.perf_counter() - start
        size = sum(p.stat().st_size for p in data.rglob("*.toml")) / 2**20
        print(f"| *{factor}x: {size:.1f} MiB of TOML, written in {made:.1f} s* | | | | | | |")
        uid = "kyoto" if factor == 1 else f"kyoto-x{factor - 1}"
        queries = [
            (f"partners --university {uid} --format json", ["partners", "--university", uid, "--format", "json"]),
            ("timeline --year 2023 --format json", ["timeline", "--year", "2023", "--format", "json"]),
            ("check", ["check"]),
            ("timeline --format table (all of it)", ["timeline", "--format", "table"]),
        ]
        # The floor takes its turns with them, so each archive's ratios are of one run.
        floor_argv = floor_cmds[1][1]
        floor_result, *results = measure(
            [floor_argv, *([*SPNET, "--data", str(data), *argv] for _, argv in queries)], args.scale_runs, env
        )
        scale_floor = statistics.median(floor_result[0])
        for (label, _), (times, peaks, first) in zip(queries, results, strict=True):
            growth.setdefault(label.split(" --university")[0], []).append(statistics.median(times) / scale_floor)
            print(row(f"{factor}x {label}", times, peaks, first, scale_floor))
        # A curator edits one file: the next query and the next check read it (only it is
        # parsed again) and validate the whole archive again.
        edited = data / "universities" / f"{uid}.toml"
        figures = []
        for argv in (["partners", "--university", uid, "--format", "json"], ["check"]):
            edited.write_bytes(edited.read_bytes())  # same text, new modification time
            seconds, _ = run_once([*SPNET, "--data", str(data), *argv], env)
            figures.append(f"{seconds:.2f} s")
        after_edit.append(f"| {factor}x | {' | '.join(figures)} |")
        if factor == args.scale:
            targets += side_by_side(data, work, args)
        shutil.rmtree(data)
    if args.scale and args.scale not in factors:
        data = make(args.scale, work / f"data-{args.scale}x")
        targets += side_by_side(data, work, args)
    if after_edit:
        print("\nAfter editing one university's file (one run each):\n")
        print("| archive | partners -u … json | check |\n| --- | ---: | ---: |")
        print("\n".join(after_edit))
    if len(factors) > 1:
        print(
            "\nGrowth from 1x (x the 1x time for x the records; each median taken as a ratio to the floor"
            " of its own rounds, so that a change in the machine's speed between archives cancels out):\n"
        )
        print("| command | " + " | ".join(f"{f}x" for f in factors) + " |")
        print("| --- |" + " ---: |" * len(factors))
        for label, meds in growth.items():
            print(f"| {label} | " + " | ".join(f"{m / meds[0]:.1f}" for m in meds) + " |")
    print(f"\nThe database side by side ({machine()}):\n")
    print("| what | measured | target | |\n| --- | ---: | ---: | --- |")
    print("\n".join(targets))
    return 0


# The real archive's targets: each command's median against the `import typer` floor's.
SIDE_BY_SIDE = {
    "spnet meetings --year 2023 --format json": 1.3,
    "spnet --no-cache meetings --year 2023 --format json": 1.6,
    "spnet timeline --format table > file": 1.6,
}


def make(factor: int, data: Path) -> Path:
    """An archive `factor` times the real one, written by a separate process (see the docstring)."""
    subprocess.run([PY, str(MAKE_ARCHIVE), str(factor), str(data)], check=True, stdout=subprocess.DEVNULL)
    return data


def side_by_side(data: Path, work: Path, args: argparse.Namespace) -> list[str]:
    setup = database.Setup(PY, SPNET, data, work, args.scale_runs, measure)
    print(f"\nThe database side by side at {args.scale}x ({args.scale_runs} runs of each warm command):")
    return database.side_by_side(setup, args.scale)


if __name__ == "__main__":
    sys.exit(main())
