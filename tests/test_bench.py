"""The bench compares spnet with sqlite-utils on the rows its own SQL picks from spnet's
export: that SQL must pick the rows spnet answers with, or the comparison is of two
different answers. (The bench itself prints figures and asserts nothing.)"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import DATA, REPO


def _bench_database() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_database", REPO / "bench" / "database.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _spnet(data: Path, *args: str) -> str:
    argv = [sys.executable, "-m", "spnet", "--data", str(data), *args]
    return subprocess.run(argv, capture_output=True, text=True, check=True, env=os.environ.copy()).stdout


@pytest.fixture(scope="module")
def three_times(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive three times over: copies of an event share its date."""
    dest = tmp_path_factory.mktemp("bench") / "data"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_archive.py"), "3", str(dest)], check=True)
    return dest


@pytest.mark.parametrize("which", ["real", "3x"])
def test_the_bench_sql_picks_the_timeline_s_rows_from_the_export(which: str, three_times: Path, tmp_path: Path) -> None:
    data = DATA if which == "real" else three_times
    db = tmp_path / "spnet.db"
    _spnet(data, "export", "sqlite", "--out", str(db))
    answer = json.loads(_spnet(data, "timeline", "--year", "2023", "--format", "json"))
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute(_bench_database().TIMELINE_2023_SQL)]
    assert len(rows) == len(answer) > 0
    assert sorted(r["id"] for r in rows) == sorted(a["id"] for a in answer)
    if which == "real":  # copies tie on dates, ordered apart; the real archive, in the same order
        assert [r["id"] for r in rows] == [a["id"] for a in answer]
    # The columns both have hold the same values (SQLite's booleans are 0 and 1).
    by_id = {a["id"]: a for a in answer}
    for r in rows:
        assert {k: v for k, v in r.items()} == {k: by_id[r["id"]][k] for k in r}
