"""Write a synthetic archive N times the real one, in the real schema (valid for `spnet check`).

Copy k of every record gets the id suffix `-x{k}` (copy 0 keeps the real ids), and its
references point into the same copy, so the result has N times the universities,
partners, events, people, contacts and links of the real archive.

    python bench/make_archive.py 100 /tmp/spnet-100x
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

REAL = Path(__file__).resolve().parents[1] / "data"

# Keys whose values are ids of records that are copied (countries are shared).
_REFS = {"universities", "partners", "links", "person", "event", "consortium", "university", "managing", "members"}


def _suffix(value: Any, k: int) -> Any:
    if k == 0:
        return value
    if isinstance(value, list):
        return [f"{v}-x{k}" for v in value]
    return f"{value}-x{k}"


def _copy(record: dict[str, Any], k: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key in ("id", *_REFS) and isinstance(value, str | list):
            out[key] = _suffix(value, k)
        elif key == "participants":
            out[key] = [_copy(p, k) for p in value]
        else:
            out[key] = value
    return out


def make_archive(factor: int, dest: Path, source: Path = REAL) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "universities").mkdir(parents=True)
    shutil.copy(source / "countries.toml", dest / "countries.toml")

    project = tomllib.loads((source / "project.toml").read_text(encoding="utf-8"))
    head = dict(project["project"])
    ids = [head["managing"], *head["members"]]
    head["members"] = [*head["members"], *(f"{u}-x{k}" for k in range(1, factor) for u in ids)]
    doc: dict[str, Any] = {"project": head}
    for table in ("events", "people", "contacts", "links"):
        doc[table] = [_copy(r, k) for k in range(factor) for r in project[table]]
    (dest / "project.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")

    for path in sorted((source / "universities").glob("*.toml")):
        uni = tomllib.loads(path.read_text(encoding="utf-8"))
        for k in range(factor):
            copy = {
                key: _copy(value, k) if key == "university" else [_copy(r, k) for r in value]
                for key, value in uni.items()
            }
            (dest / "universities" / f"{copy['university']['id']}.toml").write_text(
                tomli_w.dumps(copy), encoding="utf-8"
            )
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("factor", type=int)
    parser.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    make_archive(args.factor, args.dest)
    print(args.dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
