"""Values an earlier index of the same archive wrote, copied back into the index with SQL
(as a red-team pass did): the archive's state in `meta`, a record's own row. Each is bound
to what it was made from (the files' fingerprint; its file's name and size, times and
inode when read), so it does not read back, and spnet answers as `--no-cache` does.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import replace_text

KYOTO = "universities/kyoto.toml"


def _spnet(data: Path, *args: str, cache: bool = True) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), *([] if cache else ["--no-cache"]), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SPNET_TODAY": "2023-06-01"},
    )
    assert "Traceback" not in done.stderr
    return done.returncode, done.stdout


def _index(cache: Path) -> Path:
    (index,) = cache.glob("index-*.sqlite")
    return index


def _same_as_files(data: Path, *args: str) -> bool:
    return _spnet(data, *args) == _spnet(data, *args, cache=False)


QUERIES = [
    ("partners", "--country", "ch", "--format", "json"),
    ("stats", "--format", "json"),
    ("show", "kyoto-zurich", "--format", "json"),
]


@pytest.mark.slow
def test_the_archives_state_from_an_earlier_index_is_not_taken(data_copy: Path, private_cache: Path) -> None:
    assert _spnet(data_copy, "stats")[0] == 0
    with sqlite3.connect(_index(private_cache)) as db:
        (old,) = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
    db.close()
    replace_text(data_copy / "countries.toml", 'name_en = "Switzerland"', 'name_en = "Swiss Confederation"')
    assert _spnet(data_copy, "stats")[0] == 0  # the index brought up to date
    with sqlite3.connect(_index(private_cache)) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'state'", (old,))
    db.close()
    assert all(_same_as_files(data_copy, *q) for q in [*QUERIES, ("show", "ch", "--format", "json")])


@pytest.mark.slow
def test_a_records_row_from_an_earlier_index_is_not_taken(data_copy: Path, private_cache: Path) -> None:
    assert _spnet(data_copy, "stats")[0] == 0
    with sqlite3.connect(_index(private_cache)) as db:
        old = db.execute("SELECT * FROM r_partners WHERE id = 'kyoto-zurich'").fetchone()
    db.close()
    text = (data_copy / KYOTO).read_text(encoding="utf-8")
    start = text.index('id = "kyoto-zurich"')
    at = text.index('country = "ch"', start)
    (data_copy / KYOTO).write_text(text[:at] + 'country = "at"' + text[at + len('country = "ch"') :], encoding="utf-8")
    assert _spnet(data_copy, "stats")[0] == 0  # the index brought up to date: kyoto's file has a new rowid
    with sqlite3.connect(_index(private_cache)) as db:
        (file,) = db.execute("SELECT file FROM r_partners WHERE id = 'kyoto-zurich'").fetchone()
        db.execute("DELETE FROM r_partners WHERE id = 'kyoto-zurich'")
        db.execute(f"INSERT INTO r_partners VALUES ({', '.join('?' * len(old))})", (file, *old[1:]))
    db.close()
    assert all(_same_as_files(data_copy, *q) for q in QUERIES)
