"""Time `spnet export sqlite` on the real archive and on archives N times its size.

    python bench/export_sqlite.py --scale 1 --scale 100 --scale 1000 --runs 3

For each archive, in a cache of its own, measured only through the command as a user runs
it (nothing here opens the cache or knows what it holds): the first export (an empty
cache: every file read, the index built), the export again, the export after one
university's file changed, the export again after it, the export to standard output
(`--out -`, made aside and copied out), and `--no-cache` (everything from the TOML, no
index). Wall seconds and peak RSS of each process (a median where there are several
runs), then the sizes of the export and of the whole cache directory. Prints figures
only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import MAKE_ARCHIVE, PY, SPNET, machine, run_once  # noqa: E402


def _edit(data: Path) -> None:
    path = data / "universities" / "kyoto.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Kyoto University", "Kyoto Univ.", 1), "utf-8")


def _mib(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths if p.is_file()) / 2**20


def bench(scale: int, runs: int, work: Path) -> None:
    data, cache = work / f"data-{scale}x", work / f"cache-{scale}x"
    cache.mkdir(mode=0o700)
    subprocess.run([PY, str(MAKE_ARCHIVE), str(scale), str(data)], check=True, stdout=subprocess.DEVNULL)
    env = {**os.environ, "SPNET_CACHE_DIR": str(cache)}
    out = work / f"export-{scale}x.db"
    export = [*SPNET, "--data", str(data), "export", "sqlite", "--out", str(out)]

    def line(what: str, times: list[tuple[float, int]]) -> None:
        wall = statistics.median(t for t, _ in times)
        peak = statistics.median(p for _, p in times) / 1024
        print(f"| {scale}x | {what} | {wall:.2f} | {peak:.0f} |", flush=True)

    line("first export (empty cache)", [run_once(export, env)])
    line(f"export again (median of {runs})", [run_once(export, env) for _ in range(runs)])
    _edit(data)
    line("export after one file changed", [run_once(export, env)])
    line(f"export again after it (median of {runs})", [run_once(export, env) for _ in range(runs)])
    to_stdout = [*SPNET, "--data", str(data), "export", "sqlite", "--out", "-"]  # run_once sends it to /dev/null
    line(f"`--out -` (median of {runs})", [run_once(to_stdout, env) for _ in range(runs)])
    no_cache = [*SPNET, "--data", str(data), "--no-cache", "export", "sqlite", "--out", str(out)]
    line("--no-cache export", [run_once(no_cache, env)])
    sizes = f"export {_mib([out]):.0f} MiB, cache directory {_mib(list(cache.rglob('*'))):.0f} MiB"
    print(f"| {scale}x | ({sizes}) | | |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", help="archive size, times the real one (repeatable)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the warm export")
    args = parser.parse_args()
    print(machine())
    print("\n| archive | what | wall s | peak MiB |\n| --- | --- | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="spnet-export-bench-") as work:
        for scale in args.scale or [1, 100]:
            bench(scale, args.runs, Path(work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
