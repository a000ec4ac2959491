"""What the compiled TOML reader (toml-rs) saves: spnet with it and without it, taking turns.

    python bench/toml_reader.py --scale 100 --scale 1000

Run with the Python of an install that has toml-rs. "Without" is the same install with
`import toml_rs` made to fail (a module of that name that raises ImportError, first on
PYTHONPATH), as on a machine without its wheel: spnet then reads every file with tomllib.

1. Parsing alone: every TOML file of each archive read in one process (its text read
   first, not timed), by tomllib, by toml-rs, and by spnet's reader (toml-rs where it reads
   as tomllib does, tomllib for the rest).
2. `spnet --no-cache meetings --year 2023 --format json` on the real archive, with and
   without, and the `python -c "import typer"` floor, taking turns.
3. The first run on each archive, with an empty cache (`timeline --year 2023 --format json`,
   which reads every file and builds the index), with and without, taking turns.

Wall and CPU seconds (medians where there are several runs) and peak RSS. Prints figures only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import MAKE_ARCHIVE, PY, SPNET, machine, run_timed  # noqa: E402

REAL = Path(__file__).resolve().parents[1] / "data"

PARSE_ALONE = """
import sys, time
from pathlib import Path
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[2]).rglob("*.toml"))]
if sys.argv[1] == "tomllib":
    import tomllib
    read = tomllib.loads
elif sys.argv[1] == "toml-rs":
    import toml_rs
    read = lambda text: toml_rs.loads(text, toml_version="1.0.0")
else:
    from spnet.archive.files import parse_toml as read
start = time.perf_counter()
for text in texts:
    read(text)
print(time.perf_counter() - start)
"""


def parse_alone(reader: str, data: Path) -> float:
    out = subprocess.run([PY, "-c", PARSE_ALONE, reader, str(data)], capture_output=True, text=True, check=True)
    return float(out.stdout)


def turns(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int, fresh: Path | None = None) -> None:
    """Each command `runs` times, taking turns; with `fresh`, each run in an empty cache there."""
    found: dict[str, list[tuple[float, float, int]]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, (argv, env) in commands.items():
            if fresh is not None:
                shutil.rmtree(fresh, ignore_errors=True)
            found[label].append(run_timed(argv, env))
    for label, results in found.items():
        wall, cpu, peak = (statistics.median(r[k] for r in results) for k in range(3))
        low = min(r[0] for r in results)
        print(f"| {label} | {wall * 1000:8.1f} | {low * 1000:8.1f} | {cpu * 1000:8.1f} | {peak / 1024:6.1f} |")


HEAD = "| command | median ms | min ms | median CPU ms | peak MiB |\n| --- | ---: | ---: | ---: | ---: |"


def main() -> int:
    parser = argparse.ArgumentParser(description="spnet with and without toml-rs.")
    parser.add_argument("--scale", type=int, action="append", default=[], help="a synthetic archive N times the real")
    parser.add_argument("--runs", type=int, default=10, help="runs of each command on the real archive")
    parser.add_argument("--first-runs", type=int, default=3, help="first runs at each scale")
    parser.add_argument("--no-parsing", action="store_true", help="skip part 1, parsing alone")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="spnet-toml-reader-"))
    blocked = work / "blocked"
    blocked.mkdir()
    (blocked / "toml_rs.py").write_text('raise ImportError("toml-rs blocked by the bench")\n', encoding="utf-8")
    cache = work / "cache"
    with_rs = {**os.environ, "SPNET_CACHE_DIR": str(cache)}
    with_rs.pop("PYTHONPATH", None)
    without = {**with_rs, "PYTHONPATH": str(blocked)}
    print(f"machine: {machine()}\n")

    archives = [("real", REAL)]
    for factor in args.scale:
        data = work / f"data-{factor}x"
        subprocess.run([PY, str(MAKE_ARCHIVE), str(factor), str(data)], check=True, stdout=subprocess.DEVNULL)
        archives.append((f"{factor}x", data))

    if not args.no_parsing:
        print("Parsing alone, every file in one process (s):\n")
        print("| archive | MiB of TOML | tomllib | toml-rs | spnet's reader | tomllib / spnet's |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, data in archives:
            size = sum(p.stat().st_size for p in data.rglob("*.toml")) / 2**20
            alone = [parse_alone(reader, data) for reader in ("tomllib", "toml-rs", "spnet")]
            figures = " | ".join(f"{seconds:.3f}" for seconds in alone)
            print(f"| {name} | {size:.1f} | {figures} | {alone[0] / alone[2]:.1f}x |")

    query = ["--no-cache", "meetings", "--year", "2023", "--format", "json"]
    print(f"\nThe real archive ({args.runs} runs each, taking turns):\n")
    print(HEAD)
    turns(
        {
            'python -c "import typer"': ([PY, "-c", "import typer"], with_rs),
            "spnet --no-cache meetings --year 2023 --format json (toml-rs)": ([*SPNET, *query], with_rs),
            "spnet --no-cache meetings --year 2023 --format json (tomllib)": ([*SPNET, *query], without),
        },
        args.runs,
    )

    first = ["timeline", "--year", "2023", "--format", "json"]
    for name, data in archives[1:]:
        runs = args.first_runs
        print(f"\nThe first run at {name}, empty cache ({runs} each, taking turns):\n")
        print(HEAD)
        argv = [*SPNET, "--data", str(data), *first]
        turns({f"{name} first timeline (toml-rs)": (argv, with_rs), f"{name} (tomllib)": (argv, without)}, runs, cache)
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
