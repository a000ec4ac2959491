"""The SQLite export's search in the programs it is for, run as a user runs them: the
sqlite3 shell (a plain MATCH), `sqlite-utils search` and Datasette with no metadata find
what `spnet search` finds among partners and events, two-character Japanese words
(会議, 大学) and runs of words typed without spaces (国立台湾大学) too. Each program that is
not installed skips its tests, saying so."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from spnet.archive.fields import text_fields
from spnet.archive.load import load_archive
from spnet.names import has_japanese
from spnet.records import search, typed_words
from tests.conftest import DATA

SPNET = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it


def _program(name: str) -> str | None:
    """An installed program: on PATH, or beside this Python (a virtual environment's)."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


SQLITE_UTILS, DATASETTE, SQLITE3 = _program("sqlite-utils"), _program("datasette"), shutil.which("sqlite3")
needs_sqlite_utils = pytest.mark.skipif(
    SQLITE_UTILS is None, reason="sqlite-utils is not installed (pip install sqlite-utils)"
)
needs_datasette = pytest.mark.skipif(DATASETTE is None, reason="Datasette is not installed (pip install datasette)")
needs_sqlite3 = pytest.mark.skipif(
    SQLITE3 is None, reason="the sqlite3 shell is not installed (apt-get install sqlite3)"
)

# Words each table must find as `spnet search` does: English, two-character Japanese words,
# a katakana word, and runs of words typed without spaces.
WORDS = {
    "partners": ["Zurich", "大学", "国立台湾大学", "チューリッヒ"],
    "events": ["会議", "大学", "連携大学会議", "シンポジウム"],
}
KIND = {"partners": "partner", "events": "event"}


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "SPNET_CACHE_DIR": str(cwd or Path.cwd())}
    return subprocess.run(list(command), capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive exported by the installed `spnet export sqlite`, with no metadata."""
    work = tmp_path_factory.mktemp("export-search")
    done = run(str(SPNET), "--data", str(DATA), "export", "sqlite", "--out", "spnet.db", cwd=work)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return work / "spnet.db"


@pytest.fixture(scope="module")
def spnet_finds(exported: Path) -> dict[tuple[str, str], set[str]]:
    """What the installed `spnet search` finds of each word of WORDS, by table."""
    found = {}
    for table, words in WORDS.items():
        for word in words:
            done = run(str(SPNET), "--data", str(DATA), "search", word, "--format", "json", cwd=exported.parent)
            assert done.returncode == 0, done.stderr
            found[table, word] = {r["id"] for r in json.loads(done.stdout) if r["kind"] == KIND[table]}
            assert found[table, word], f"spnet search finds {table} holding {word}"
    return found


def _match(db: Path, table: str, query: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        sql = f"SELECT id FROM {table} WHERE rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?)"
        return {rid for (rid,) in conn.execute(sql, (query,))}


def _cases() -> list[tuple[str, str]]:
    return [(table, word) for table, words in WORDS.items() for word in words]


@pytest.mark.parametrize(("table", "word"), _cases())
def test_a_plain_match_finds_what_spnet_search_finds(
    exported: Path, spnet_finds: dict[tuple[str, str], set[str]], table: str, word: str
) -> None:
    assert _match(exported, table, word) == spnet_finds[table, word]


@needs_sqlite3
def test_the_sqlite3_shell_finds_two_character_words(
    exported: Path, spnet_finds: dict[tuple[str, str], set[str]]
) -> None:
    assert SQLITE3 is not None
    for table, word in [("events", "会議"), ("partners", "大学")]:
        sql = f"SELECT id FROM {table} WHERE rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH '{word}');"
        done = run(SQLITE3, str(exported), sql)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert set(done.stdout.split()) == spnet_finds[table, word]


@needs_sqlite3
def test_the_export_is_whole_to_the_sqlite3_shell(exported: Path) -> None:
    assert SQLITE3 is not None
    done = run(SQLITE3, str(exported), "PRAGMA integrity_check; PRAGMA foreign_key_check;")
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


def test_the_full_text_indexes_match_their_tables(exported: Path) -> None:
    with sqlite3.connect(exported) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in WORDS:
            db.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('integrity-check')")  # raises when not
            rows, indexed = db.execute(f"SELECT count(*), count(words) FROM {table}").fetchone()
            assert indexed > rows / 2, f"most {table} have Japanese words to find"


@needs_sqlite_utils
@pytest.mark.parametrize(("table", "word"), _cases())
def test_sqlite_utils_search_finds_what_spnet_search_finds(
    exported: Path, spnet_finds: dict[tuple[str, str], set[str]], table: str, word: str
) -> None:
    assert SQLITE_UTILS is not None
    done = run(SQLITE_UTILS, "search", str(exported), table, word, "--csv", "-c", "id")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert {row["id"] for row in csv.DictReader(io.StringIO(done.stdout))} == spnet_finds[table, word]


@pytest.fixture(scope="module")
def served(exported: Path) -> Iterator[str]:
    """The export served by `datasette serve` as it is, with no metadata: its base URL."""
    if DATASETTE is None:
        pytest.skip("Datasette is not installed (pip install datasette)")
    from tests.test_datasette import datasette_serving

    with datasette_serving(exported) as base:
        yield base


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return str(r.read().decode("utf-8"))


@pytest.mark.slow
@needs_datasette
def test_datasette_offers_a_search_box_and_finds_what_spnet_search_finds(
    served: str, spnet_finds: dict[tuple[str, str], set[str]]
) -> None:
    for table in WORDS:
        assert 'name="_search"' in _get(f"{served}/{table}"), f"a search box on the {table} page"
    for table, word in _cases():
        rows = json.loads(_get(f"{served}/{table}.json?_search={urllib.parse.quote(word)}&_shape=array&_size=max"))
        assert {r["id"] for r in rows} == spnet_finds[table, word], (table, word)


def test_export_to_standard_output_writes_the_database_when_piped(exported: Path, tmp_path: Path) -> None:
    """`--out -` writes the database to a pipe (or a file the shell opened), made aside in
    $TMPDIR and removed; never a file named `-`. It is the database `--out FILE` writes."""
    work, aside = tmp_path / "work", tmp_path / "tmp"
    work.mkdir(), aside.mkdir()
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "SPNET_CACHE_DIR": str(tmp_path / "cache"), "TMPDIR": str(aside)}
    with sqlite3.connect(exported) as db:
        expected = list(db.iterdump())
    command = [str(SPNET), "--data", str(DATA), "export", "sqlite", "--out", "-"]
    done = subprocess.run(command, capture_output=True, env=env, cwd=work, timeout=120)
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.startswith(b"SQLite format 3\x00")
    assert list(work.iterdir()) == [] and list(aside.iterdir()) == []
    piped = tmp_path / "piped.db"
    piped.write_bytes(done.stdout)
    with sqlite3.connect(piped) as db:
        assert list(db.iterdump()) == expected
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_export_to_standard_output_on_a_terminal_is_refused(tmp_path: Path) -> None:
    from tests.test_screens import run_on_pty

    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "SPNET_CACHE_DIR": str(tmp_path), "TERM": "xterm"}
    shown, err, code = run_on_pty([str(SPNET), "--data", str(DATA), "export", "sqlite", "--out", "-"], env)
    assert (code, shown) == (2, "")
    assert err == "spnet: error: a SQLite database is not for a terminal: give --out FILE, or pipe it\n"


@pytest.mark.slow
def test_every_word_of_two_kanji_or_more_is_found_as_spnet_search_finds_it(exported: Path) -> None:
    """Each word written in kanji alone (会議, 協定, 国立) in the partners' and events' text,
    as SudachiPy splits it, finds the same partners and events by a plain MATCH as `spnet
    search` finds: but a word that names a university (京都, 早大), which search widens to
    the university's every name, English too."""
    archive = load_archive(DATA)
    from spnet.analysis import analyse

    words = {
        w
        for record in (*archive.partners, *archive.events)
        for _path, text in text_fields(record)
        if has_japanese(text)
        for w in analyse(text)[0]
        if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)
    }
    plain = sorted(w for w in words if len(typed_words(archive, w)[0].forms) == 1)
    assert len(plain) > 100  # 238 words in the archive as it is
    differ = []
    for word in plain:
        found = search(archive, word).rows
        for table, kind in KIND.items():
            spnet = {r["id"] for r in found if r["kind"] == kind}
            if _match(exported, table, f'"{word}"') != spnet:
                differ.append((table, word))
    assert differ == []


def test_the_terms_of_a_text_are_its_words_as_written_and_runs_within_a_stretch() -> None:
    from spnet.analysis import terms

    found = terms("慶應義塾大学と、連携大学会議をUCLで")
    assert {"慶應", "慶応", "慶應義塾大学", "慶応義塾大学", "連携大学会議", "UCL", "で"} <= set(found)
    assert not {"と連携", "大学と連携", "をUCL", "UCLで"} & set(found)  # a stretch ends at 、 and at Latin letters


def test_after_an_edit_the_export_finds_the_new_words(cli, data_copy: Path, tmp_path: Path) -> None:
    """The index keeps the export's words current file by file: after an edit, the export
    (a copy of the index) finds a new two-character word, and holds the very words a fresh
    export does."""
    from tests.conftest import replace_text

    args = ("--data", str(data_copy), "export", "sqlite", "--out")
    assert cli(*args, str(tmp_path / "before.db")).exit_code == 0
    assert _match(tmp_path / "before.db", "partners", "州立") == set()
    replace_text(data_copy / "universities/kyoto.toml", 'name_ja = "チューリヒ大学"', 'name_ja = "チューリヒ州立大学"')
    out, fresh = tmp_path / "after.db", tmp_path / "fresh.db"
    assert cli(*args, str(out)).exit_code == 0
    assert cli("--data", str(data_copy), "--no-cache", "export", "sqlite", "--out", str(fresh)).exit_code == 0
    assert _match(out, "partners", "州立") == {"kyoto-zurich"}
    with sqlite3.connect(out) as a, sqlite3.connect(fresh) as b:
        query = "SELECT id, words FROM partners ORDER BY id"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        a.execute("INSERT INTO partners_fts(partners_fts) VALUES ('integrity-check')")
