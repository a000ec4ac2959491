"""The SQLite export as Datasette shows it: every row named (in Japanese where the report
gives only Japanese), facets set up, long text kept to each row's page.

The first tests read the exported file and its metadata; the rest serve them with the real
Datasette on 127.0.0.1 and read what it answers, as a user's browser or script would.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA

SPNET = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it
DATASETTE = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
LONG = 150  # characters: longer than any name or title, shorter than any paragraph
# Long but kept in view: the two texts of a disagreement, quoted sentences that its table
# is there to set side by side.
IN_VIEW = {"disagreements": {"en", "ja"}}


def spnet(*args: str, cache: Path) -> str:
    env = {"PATH": "/usr/bin:/bin", "SPNET_CACHE_DIR": str(cache), "LANG": "C.UTF-8"}
    done = subprocess.run(
        [str(SPNET), "--data", str(DATA), *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout


def japanese_only_people(cache: Path) -> dict[str, str]:
    """The people the report names only in Japanese, by id, from spnet's own listing."""
    rows = json.loads(spnet("contacts", "--format", "json", cache=cache))
    named = {r["id"]: r["name_ja"] for r in rows if r["type"] == "person" and not r["name_en"] and r["name_ja"]}
    assert named, "the archive names someone only in Japanese"
    return named


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The archive exported with `spnet export sqlite --metadata`, as the README says."""
    work = tmp_path_factory.mktemp("datasette")
    db, meta = work / "spnet.db", work / "metadata.json"
    spnet("export", "sqlite", "--out", str(db), "--metadata", str(meta), cache=work / "cache")
    return db, meta


def _tables(db: sqlite3.Connection) -> list[str]:
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
    return [name for (name,) in db.execute(query)]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_xinfo({table})")]


def test_every_table_a_key_points_to_is_labelled_and_no_label_is_empty(export: tuple[Path, Path]) -> None:
    db_path, meta = export
    tables = json.loads(meta.read_text(encoding="utf-8"))["databases"]["spnet"]["tables"]
    with sqlite3.connect(db_path) as db:
        pointed_to = {fk[2] for t in _tables(db) for fk in db.execute(f"PRAGMA foreign_key_list({t})")}
        assert {"universities", "partners", "countries", "events", "people", "project"} <= pointed_to
        for table in pointed_to | {"contacts", "links"}:
            assert tables[table]["label_column"] == "label", table
            assert "label" in _columns(db, table), table
            empty = db.execute(f"SELECT id FROM {table} WHERE label IS NULL OR label = ''").fetchall()
            assert empty == [], table


def test_a_label_is_the_reports_own_name_english_first(export: tuple[Path, Path], tmp_path: Path) -> None:
    """Nothing is translated: the label is the English name where the report gives one,
    else the Japanese, and the Japanese-only people are named by their Japanese names."""
    db_path, _meta = export
    with sqlite3.connect(db_path) as db:
        for table in ("people", "universities", "partners", "countries", "contacts"):
            rows = db.execute(f"SELECT id, name_en, name_ja, label FROM {table}").fetchall()
            for rid, en, ja, label in rows:
                assert label == (en or ja or rid), (table, rid)
        labels = dict(db.execute("SELECT id, label FROM people"))
    japanese = japanese_only_people(tmp_path)
    assert {pid: labels[pid] for pid in japanese} == japanese


def test_the_metadata_names_only_columns_the_export_has(export: tuple[Path, Path]) -> None:
    db_path, meta = export
    tables = json.loads(meta.read_text(encoding="utf-8"))["databases"]["spnet"]["tables"]
    with sqlite3.connect(db_path) as db:
        assert set(tables) == set(_tables(db))
        for table, entry in tables.items():
            columns = set(_columns(db, table))
            named = {entry.get("label_column"), entry.get("sort"), *entry.get("facets", []), *entry.get("columns", {})}
            assert named - {None} <= columns, table
    assert tables["partners"]["facets"] == ["university", "kind", "country"]
    assert tables["events"]["facets"] == ["kind", "year"] and tables["events"]["sort"] == "date_start"


def test_every_paragraph_is_kept_off_the_table_page(export: tuple[Path, Path]) -> None:
    """A column holding any value longer than LONG characters is one the stylesheet hides
    on its table page; a name, a title or a short field stays in view."""
    from spnet.datasette import TABLES

    db_path, _meta = export
    with sqlite3.connect(db_path) as db:
        for table in _tables(db):
            longest = {
                c: db.execute(f"SELECT max(length({c})) FROM {table}").fetchone()[0] for c in _columns(db, table)
            }
            long = {c for c, n in longest.items() if (n or 0) > LONG} - IN_VIEW.get(table, set())
            assert long <= set(TABLES[table].long), table
            assert not {"id", "label", "name_en", "name_ja", "title_en", "title_ja"} & set(TABLES[table].long)


def test_the_extra_columns_are_the_exports_alone(cli, export: tuple[Path, Path], tmp_path: Path) -> None:
    """The index the export is copied from keeps its own layout; the search still finds."""
    db_path, _meta = export
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT year, count(*) FROM events WHERE id = 'symposium-3'").fetchone() == (2023, 1)
        found = db.execute(
            "SELECT p.label FROM partners_fts JOIN partners p ON p.rowid = partners_fts.rowid "
            "WHERE partners_fts MATCH '国立台湾' ORDER BY p.id"
        ).fetchall()
        assert len(found) == 2 and all(label.startswith("National Taiwan University") for (label,) in found)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # An export written again over the first (the index now current) has the same layout.
    again = tmp_path / "again.db"
    assert cli("export", "sqlite", "--out", str(again)).exit_code == 0
    assert cli("export", "sqlite", "--out", str(again)).exit_code == 0
    with sqlite3.connect(again) as db, sqlite3.connect(db_path) as first:
        for table in _tables(first):
            assert _columns(db, table) == _columns(first, table), table


# ------------------------------------------------------------------ served by Datasette
needs_datasette = pytest.mark.skipif(
    not Path(DATASETTE).exists(), reason="Datasette is not installed (pip install datasette)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def datasette_serving(db_path: Path, *options: str) -> Iterator[str]:
    """`datasette serve` of a database on a free local port, with `options`: the database's
    base URL, once it answers; the server stopped after."""
    port = _free_port()
    command = [DATASETTE, "serve", str(db_path), *options, "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/{db_path.stem}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}.json", timeout=2):
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"datasette exited: {server.stderr.read() if server.stderr else ''}")
                if time.monotonic() > deadline:
                    pytest.fail("datasette did not answer within 30 s")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def served(export: tuple[Path, Path]) -> Iterator[str]:
    """The export served by `datasette serve` with its metadata: the database's base URL."""
    db_path, meta = export
    with datasette_serving(db_path, "--metadata", str(meta)) as base:
        yield base


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return str(r.read().decode("utf-8"))


def fetch_json(url: str) -> Any:
    return json.loads(fetch(url))


@pytest.mark.slow
@needs_datasette
def test_datasette_labels_the_japanese_only_people_by_their_names(served: str, tmp_path: Path) -> None:
    japanese = japanese_only_people(tmp_path)
    rows = fetch_json(f"{served}/participants.json?_labels=on&_shape=array&_size=max")
    shown = {r["person"]["value"]: r["person"]["label"] for r in rows}
    assert japanese.keys() & shown.keys(), "someone named only in Japanese took part in an event"
    assert {pid: shown[pid] for pid in japanese.keys() & shown.keys()} == {
        pid: japanese[pid] for pid in japanese.keys() & shown.keys()
    }
    assert all(r["person"]["label"] not in (None, "", r["person"]["value"]) for r in rows)
    people = fetch_json(f"{served}/people.json?_shape=array&_size=max")
    assert {p["id"]: p["label"] for p in people if p["id"] in japanese} == japanese
    pid, name = sorted(japanese.items())[0]
    (row,) = fetch_json(f"{served}/people/{pid}.json?_shape=array")
    assert row["label"] == name and row["name_en"] is None


@pytest.mark.slow
@needs_datasette
def test_datasette_offers_the_facets(served: str) -> None:
    partners = fetch_json(f"{served}/partners.json")
    facets = partners["facet_results"]
    assert list(facets) == ["university", "kind", "country"]
    universities = {f["value"]: f["label"] for f in facets["university"]["results"]}
    assert universities["kyoto"] == "Kyoto University"  # a key's facet shows the label
    assert sum(f["count"] for f in facets["kind"]["results"]) == partners["filtered_table_rows_count"]
    events = fetch_json(f"{served}/events.json?_size=max")
    assert list(events["facet_results"]) == ["kind", "year"]
    years = {f["value"]: f["count"] for f in events["facet_results"]["year"]["results"]}
    starts = [row[events["columns"].index("date_start")] for row in events["rows"]]
    assert years == Counter(int(s[:4]) for s in starts)
    assert starts == sorted(starts)  # the timeline in date order


def _hidden(css: str, body: set[str]) -> set[str]:
    """The columns (by their `col-` class) that `css` hides on a page whose body has the
    classes `body`: enough of CSS for the rules spnet writes, `body.a.b .col-x, ... { display: none; }`."""
    hidden: set[str] = set()
    for rule in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if "display: none" not in rule[1]:
            continue
        for selector in rule[0].split(","):
            scope, column = selector.split()
            if set(scope.split(".")[1:]) <= body:
                hidden.add(column.removeprefix(".col-"))
    return hidden


def _page(url: str) -> tuple[str, set[str], list[str]]:
    """A served page: its stylesheets' text (data: URLs), its body's classes, its table's columns."""
    html = fetch(url)
    css = "".join(
        urllib.parse.unquote(href.removeprefix("data:text/css,"))
        for href in re.findall(r'<link rel="stylesheet" href="(data:text/css,[^"]*)"', html)
    )
    (body,) = re.findall(r'<body class="([^"]*)"', html)
    return css, set(body.split()), re.findall(r'<th [^>]*class="col-([\w-]+)"', html)


@pytest.mark.slow
@needs_datasette
@pytest.mark.parametrize("table", ["partners", "universities", "events", "participants", "people"])
def test_datasette_keeps_long_text_to_the_row_page(served: str, table: str) -> None:
    css, body, columns = _page(f"{served}/{table}")
    hidden = _hidden(css, body)
    assert hidden and hidden <= set(columns)
    visible = [c for c in columns if c not in hidden]
    assert "label" in visible or table == "participants"
    rows = fetch_json(f"{served}/{table}.json?_shape=array&_size=max")
    longest = max(len(str(r[c])) for r in rows for c in visible if r.get(c) is not None)
    assert longest <= LONG, table
    # The row page shows every column, the long ones too.
    pk = ",".join(fetch_json(f"{served}/{table}.json")["primary_keys"])
    first = rows[0]
    path = ",".join(urllib.parse.quote(str(first[k]), safe="") for k in pk.split(","))
    css, body, row_columns = _page(f"{served}/{table}/{path}")
    assert _hidden(css, body) == set() and set(hidden) <= set(row_columns)


@pytest.mark.slow
@needs_datasette
def test_datasette_serves_the_export_with_labels_and_search(served: str) -> None:
    (row,) = fetch_json(f"{served}/partners.json?_labels=on&_shape=array&id=kyoto-ntu")
    assert row["university"] == {"value": "kyoto", "label": "Kyoto University"}
    assert row["country"] == {"value": "tw", "label": "Taiwan"}
    assert {p["id"] for p in fetch_json(f"{served}/partners.json?_search=UCL&_shape=array")} == {
        "osaka-ucl",
        "tohoku-ucl",
    }
    symposia = fetch_json(f"{served}/events.json?_search={urllib.parse.quote('シンポジウム')}&_shape=array")
    assert "symposium-3" in {e["id"] for e in symposia}
    served_meta = fetch_json(served.rsplit("/", 1)[0] + "/-/metadata.json")
    assert served_meta["title"] == "Strategic Partnerships network (2021 to March 2024)"
    assert served_meta["source"].startswith("The project's final report") and "MIT" in served_meta["license"]
