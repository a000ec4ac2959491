"""Time `spnet export sqlite` on the real archive and on archives N times its size.

    python bench/export_sqlite.py --scale 1 --scale 100 --scale 1000 --runs 3

For each archive, in a cache of its own: the first export (reads every file, builds the
index and fills its export tables), the export again (a copy of the index, checked
against the sums the index keeps), the export after one university's file changed (its
rows replaced in the index), the export with a row of the index's export tables spoiled
(the copy found wrong, the tables built afresh from the archive, the index's export
tables marked to be filled again), the export next (which fills them), and `--no-cache`
(everything from the TOML, no index). Wall seconds and peak RSS of each process (a median
where there are several runs). Prints figures only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import MAKE_ARCHIVE, PY, SPNET, machine, run_once  # noqa: E402


def _index(cache: Path) -> Path:
    (path,) = cache.glob("index-*.sqlite")
    return path


def _spoil_a_row(cache: Path) -> None:
    """A partner's name changed inside the index, as a flipped bit would: its sum not kept."""
    with sqlite3.connect(_index(cache)) as db:
        db.execute("UPDATE partners SET name_en = name_en || 'x' WHERE rowid = 1")


def _edit(data: Path) -> None:
    path = data / "universities" / "kyoto.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Kyoto University", "Kyoto Univ.", 1), "utf-8")


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
    _spoil_a_row(cache)
    line("export, a row of the index spoiled", [run_once(export, env)])
    line("export next (the index's export tables filled again)", [run_once(export, env)])
    line(f"export again after it (median of {runs})", [run_once(export, env) for _ in range(runs)])
    no_cache = [*SPNET, "--data", str(data), "--no-cache", "export", "sqlite", "--out", str(out)]
    line("--no-cache export", [run_once(no_cache, env)])
    sizes = f"export {out.stat().st_size / 2**20:.0f} MiB, index {_index(cache).stat().st_size / 2**20:.0f} MiB"
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
