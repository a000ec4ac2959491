"""Nothing is imported that a command does not use: Rich only to draw a table,
python-dateutil only to parse an English month name, importlib.metadata only for --version,
the Japanese analyser (sudachipy) only to search."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

PROBE = r"""
import json, sys
sys.argv = ["spnet", *json.loads(sys.argv[1])]
from spnet.cli import app  # main() would end the process before the listing below
try:
    app()
except SystemExit:
    pass
sys.stderr.write("\n" + json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in WATCHED)))
"""
WATCHED = ("rich", "dateutil", "importlib", "tomli_w", "tomllib", "toml_rs", "sudachipy", "budoux")


def probe(*args: str, watched: tuple[str, ...] = WATCHED) -> tuple[list[str], str]:
    """The watched modules a run of spnet imported, and what it wrote on stderr."""
    result = subprocess.run(
        [sys.executable, "-c", f"WATCHED = {watched!r}" + PROBE, json.dumps(["--data", str(DATA), *args])],
        capture_output=True,
        text=True,
        check=True,
    )
    *said, modules = result.stderr.splitlines()
    return json.loads(modules), "\n".join(said)


def imported(*args: str, watched: tuple[str, ...] = WATCHED) -> set[str]:
    modules, _said = probe(*args, watched=watched)
    if watched != WATCHED:
        return set(modules)
    return {m.split(".")[0] if not m.startswith("importlib") else m for m in modules}


@pytest.mark.parametrize(
    "args",
    [
        ["meetings", "--year", "2023", "--format", "json"],
        ["partners", "--university", "kyoto", "--format", "tsv"],
        ["timeline", "--from", "2023-03", "--format", "csv"],
        ["search", "UCL", "--format", "plain"],
        ["search", "京都", "U.S.", "--format", "json"],  # no date: dateutil never asked
        ["search", "2023年12月19日（火）", "--format", "json"],  # a date, in Japanese
    ],
)
def test_machine_formats_import_neither_rich_nor_dateutil(args: list[str]) -> None:
    modules = imported(*args)
    assert "rich" not in modules
    assert "budoux" not in modules
    assert "dateutil" not in modules
    assert "tomli_w" not in modules
    assert "importlib.metadata" not in modules


def test_a_table_imports_rich() -> None:
    assert "rich" in imported("meetings", "--format", "table")


def test_japanese_wraps_without_a_phrase_model() -> None:
    """Japanese phrases come from spnet's own rule (linebreak.phrases), not BudouX."""
    modules = imported("timeline", "--lang", "ja", "--format", "table")
    assert "rich" in modules and "budoux" not in modules


def test_an_english_month_imports_dateutil() -> None:
    assert "dateutil" in imported("timeline", "--from", "March 2023", "--format", "json")


def test_a_query_answered_from_the_cache_parses_no_toml(private_cache: Path) -> None:
    args = ("partners", "--university", "kyoto", "--format", "json")
    assert {"tomllib", "toml_rs"} & imported(*args)  # the first run reads the files and fills the cache
    assert not {"tomllib", "toml_rs"} & imported(*args)


def test_the_compiled_reader_reads_the_archive_without_tomllib() -> None:
    """Every file of the archive is one toml-rs reads as tomllib would: tomllib, the slower
    reader it stands in for, is not even imported."""
    pytest.importorskip("toml_rs", reason="toml-rs (the compiled TOML reader) is not installed")
    modules = imported("--no-cache", "meetings", "--year", "2023", "--format", "json")
    assert "toml_rs" in modules and "tomllib" not in modules


def test_check_imports_tomli_w_to_compare_canonical_form(private_cache: Path) -> None:
    """On files it has not seen (a cache of its own): what it knows of seen ones is cached."""
    assert "tomli_w" in imported("check")


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--format", "json"],
        ["partners", "-u", "京大", "--country", "英国", "--kind", "戦略的パートナー", "--format", "json"],
        ["show", "第3回連携大学会議", "--format", "json"],
        ["meetings", "--lang", "ja", "--format", "table"],
    ],
)
def test_only_search_imports_the_japanese_analyser(args: list[str]) -> None:
    assert "sudachipy" not in imported(*args)


def test_only_a_name_in_kana_is_read_by_the_analyser() -> None:
    """A university name that matches nothing is tried as a reading (きょうと) only when it
    is kana: an unknown English or kanji name is refused without loading the analyser."""
    for name in ("nowhere", "東西大学"):
        modules, said = probe("partners", "-u", name, "--format", "json")
        assert f"unknown university '{name}'" in said and "sudachipy" not in modules, name
    assert "sudachipy" in imported("partners", "-u", "きょーと", "--format", "json")


def test_search_imports_the_analyser_for_japanese_words_only() -> None:
    imported("search", "UCL", "--format", "json")  # the search index, made once: every record analysed
    assert "sudachipy" not in imported("search", "UCL", "--format", "json")
    assert "sudachipy" in imported("search", "京都", "--format", "json")


def test_a_query_answered_from_the_index_imports_no_export() -> None:
    """A query answered from the index checks its layout by the mark it was made with: it
    imports neither the tables the layout is made of nor the index's writer, nor the
    export's writers (nor tempfile and secrets, which they would bring)."""
    args = ("meetings", "--year", "2023", "--format", "json")
    imported(*args)  # the index made
    modules = imported(*args, watched=("spnet", "tempfile", "secrets"))
    assert "spnet.archive.index" in modules
    unwanted = {"spnet.archive.tables", "spnet.archive.writer", "spnet.archive.search", "spnet.export"}
    assert modules.isdisjoint(unwanted | {"tempfile", "secrets"})
