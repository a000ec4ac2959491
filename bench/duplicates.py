"""Time how long spnet takes to refuse an archive holding many copies of one record.

    python bench/duplicates.py             # 8,000 copies of one partner (a file of about 12 MB)
    python bench/duplicates.py --copies 2000 --copies 8000 --note 0

The real archive is copied to a temporary directory and one partner of kyoto.toml is
written again N times with its id unchanged (and a note of --note characters, 900 unless
told: the size of the file the duplicates were first seen in), so that `spnet check` finds N duplicate ids
(exit 1) and a query refuses the archive (exit 3). Each command runs once, with no index
yet (the first reading) and then again with the index of the invalid archive kept. Prints
figures only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import tomli_w

REAL = Path(__file__).resolve().parents[1] / "data"
BIN = Path(sys.executable).parent / "spnet"
SPNET = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "spnet"]


def write_archive(dest: Path, copies: int, note: int) -> int:
    """The real archive with `copies` more copies of kyoto's first partner; the file's size."""
    shutil.copytree(REAL, dest)
    path = dest / "universities" / "kyoto.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    copy = {**doc["partners"][0], **({"note": ("A note. " * note)[:note]} if note else {})}
    doc["partners"] += [dict(copy) for _ in range(copies)]
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path.stat().st_size


def timed(argv: list[str], env: dict[str, str], expected: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != expected:
        raise SystemExit(f"bench: {' '.join(argv)} exited {done.returncode}, not {expected}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description="Time the refusal of many duplicate ids.")
    parser.add_argument("--copies", type=int, action="append", help="copies of one partner (default 8000)")
    parser.add_argument("--note", type=int, default=900, help="characters of a note in each copy (default 900)")
    args = parser.parse_args()
    print("| copies | kyoto.toml MB | check, first s | check, again s | partners (exit 3), again s |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for copies in args.copies or [8000]:
        with tempfile.TemporaryDirectory(prefix="spnet-dups-") as tmp:
            data, cache = Path(tmp) / "data", Path(tmp) / "cache"
            size = write_archive(data, copies, args.note)
            env = {**os.environ, "SPNET_CACHE_DIR": str(cache), "SPNET_DATA": str(data)}
            first = timed([*SPNET, "check"], env, 1)
            again = timed([*SPNET, "check"], env, 1)
            query = timed([*SPNET, "partners"], env, 3)
            print(f"| {copies:,} | {size / 1e6:.1f} | {first:.2f} | {again:.2f} | {query:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
