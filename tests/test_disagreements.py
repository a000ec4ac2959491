"""Every disagreement between the report's Japanese and English texts, as the archive
records it: both readings found where the record cites the report, counted and listed by
`check`, and marked disputed by every listing that shows the field the texts disagree on.

Counts are derived from the data files, so that a disagreement added later needs no
change here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spnet.provenance import report
from tests.conftest import DATA, copy_data, json_rows

INSTALLED = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it


def tables(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each record of a data file that may hold disagreements, with its id ("project" for
    the project's own record)."""
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    for key, value in doc.items():
        for table in value if isinstance(value, list) else [value]:
            if isinstance(table, dict) and key != "countries":
                yield table.get("id", key), table


def recorded() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(record id, record, disagreement) for every disagreement in data/."""
    return [
        (rid, table, d)
        for path in sorted(DATA.rglob("*.toml"))
        for rid, table in tables(path)
        for d in table.get("disagreements", [])
    ]


DISAGREEMENTS = recorded()
IDS = [f"{rid}:{d['field']}" for rid, _t, d in DISAGREEMENTS]


def spnet(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(INSTALLED), "--data", str(DATA), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )


# ------------------------------------------------------------------ the records
def test_the_audits_disagreements_are_all_recorded() -> None:
    """Those the audit of the texts found, each on the record that holds the field."""
    fields = {(rid, d["field"]) for rid, _t, d in DISAGREEMENTS}
    assert {
        ("project", "definition"),  # "a limited number" (305/358)
        ("symposium-1", "theme"),  # 新たな (492/543)
        ("meeting-06", "theme"),  # Withコロナ / "post pandemic" (2223/2273)
        ("soka-asaihl", "name"),  # 協会 / "Institution" (3181/3259)
        ("osaka-ucl", "activities"),  # the dementia research (2609/2656)
        ("tohoku", "activities"),  # これまで / "currently" (2377/2329)
        ("kyoto", "activities"),  # 約100名以上 / "More than 100" (2727/2780)
        ("kyoto-bordeaux-symposium-2024", "title"),  # とのシンポジウム / "at" (2742/2786)
        ("kyoto-vienna-symposium-2024", "title"),
        ("ehime-suiji-2012", "title"),  # the national programme's name (2807/2861)
    } <= fields


@pytest.mark.parametrize(("rid", "table", "d"), DISAGREEMENTS, ids=IDS)
def test_both_readings_are_printed_where_the_record_cites_the_report(
    rid: str, table: dict[str, Any], d: dict[str, Any]
) -> None:
    text = report()
    for side in ("en", "ja"):
        found = text.locate(d[side], table["lines"])
        assert found is not None, f"{rid}: the {side} reading begins on {text.where(d[side])}, not {table['lines']}"
    assert d["held"] in ("ja", "en", "undecided") and d["reason"].strip()


@pytest.mark.parametrize(("rid", "table", "d"), DISAGREEMENTS, ids=IDS)
def test_a_disagreement_names_a_field_of_its_record(rid: str, table: dict[str, Any], d: dict[str, Any]) -> None:
    """Only a field the record has can be marked disputed where it is shown."""
    field = d["field"]
    assert field in table or f"{field}_en" in table or f"{field}_ja" in table, (rid, field)


# ------------------------------------------------------------------ check
@pytest.mark.parametrize(
    ("lang", "summary"),
    [
        ("en", "{n} disagreement(s) between the Japanese and English texts of the report"),
        ("ja", "報告書の日本語版と英語版の記述の相違: {n}件"),
    ],
)
def test_check_counts_and_lists_every_disagreement(lang: str, summary: str) -> None:
    result = spnet("check", "--lang", lang)
    assert result.returncode == 0, result.stderr
    assert summary.format(n=len(DISAGREEMENTS)) in result.stdout
    warnings = result.stderr.splitlines()
    for rid, _t, d in DISAGREEMENTS:
        # One warning per disagreement, naming its record, with both readings as printed.
        label = "[project]" if rid == "project" else f"({rid})"
        assert any(label in w and repr(d["ja"]) in w and repr(d["en"]) in w for w in warnings), (rid, d["field"])


# ------------------------------------------------------------------ listings
LISTINGS = [("universities",), ("partners",), ("institutions",), ("timeline",), ("meetings",), ("symposia",)]


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda a: a[0])
def test_every_listing_marks_a_record_disputed_where_it_shows_the_field(cli: Any, listing: tuple[str, ...]) -> None:
    """`disputed` is true exactly where the listing shows a field the texts disagree on;
    every record with a disagreement on a field a listing shows is found so marked."""
    fields: dict[str, set[str]] = {}
    for rid, _t, d in DISAGREEMENTS:
        fields.setdefault(rid, set()).add(d["field"])
    rows = json_rows(cli, *listing)
    assert rows
    for row in rows:
        # An institution shows its relations' names and country (each relation is a record).
        records = row["relations"].split("; ") if listing[0] == "institutions" else [row["id"]]
        told = {f for rid in records for f in fields.get(rid, ())}
        shown = {f for f in told if f in row or f"{f}_en" in row or f"{f}_ja" in row}
        assert row["disputed"] is bool(shown), (listing, row["id"], shown)
    marked = {row["id"] for row in rows if row["disputed"]}
    if listing[0] != "universities":
        assert marked, listing  # the real data has disputed names, dates, themes and titles


# Text fields of the records search goes through (the project's own record is not one).
SEARCHED = [(rid, t, d) for rid, t, d in DISAGREEMENTS if f"{d['field']}_en" in t and rid != "project"]


@pytest.mark.parametrize(("rid", "table", "d"), SEARCHED, ids=[f"{rid}:{d['field']}" for rid, _t, d in SEARCHED])
def test_search_marks_the_field_disputed(cli: Any, rid: str, table: dict[str, Any], d: dict[str, Any]) -> None:
    """Found by a word of it, the field the texts disagree on is disputed."""
    word = max(re.findall(r"[A-Za-z]{4,}", table[f"{d['field']}_en"]), key=len)
    rows = json_rows(cli, "search", word)
    (row,) = [r for r in rows if r["id"] == rid and r["field"] == f"{d['field']}_en"]
    assert row["disputed"] is True


def test_a_universitys_disagreement_on_a_shown_field_marks_it(data_copy: Path, cli: Any) -> None:
    """The universities listing follows the records too: a disagreement on a scheme's name
    marks the university, in JSON and with a `?` in the table."""
    path = data_copy / "universities" / "kyoto.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "[[counts]]",
        '[[university.disagreements]]\nfield = "scheme"\nen = "strategic partners"\n'
        'ja = "戦略的パートナーシップ校"\nheld = "undecided"\nreason = "A test."\n\n[[counts]]',
        1,
    )
    path.write_text(text, encoding="utf-8")
    env = {"SPNET_DATA": str(data_copy)}
    result = cli("universities", "--format", "json", env=env)
    assert result.exception is None and result.exit_code == 0, result.stderr
    disputed = {r["id"]: r["disputed"] for r in json.loads(result.stdout)}
    assert disputed["kyoto"] is True and not any(v for k, v in disputed.items() if k != "kyoto")
    table = cli("universities", "--format", "table", env=env)
    assert table.exception is None
    (line,) = [ln for ln in table.stdout.splitlines() if "Kyoto" in ln]
    assert "?" in line
    check = cli("check", env=env)
    assert check.exit_code == 0
    assert f"{len(DISAGREEMENTS) + 1} disagreement(s)" in check.stdout


def test_the_projects_disagreement_is_on_its_record(cli: Any) -> None:
    from spnet.archive import scan

    archive, problems = scan(DATA, canonical=True)
    assert archive is not None and problems.errors == []
    (d,) = archive.project.disagreements
    assert d.field == "definition" and "a limited number" in d.en and d.ja == archive.project.definition.ja


# ------------------------------------------------------------------ notes on repairs
def test_a_date_the_world_knows_otherwise_keeps_the_reports_value_with_the_curators_note(cli: Any) -> None:
    (card,) = json_rows(cli, "show", "keio-g7-hiroshima-2023")
    assert card["date"] == "2023-07"  # as both texts print it (3027, 3079)
    assert "curators" in card["note"] and "19-21 May 2023" in card["note"]


def test_the_programmes_lost_hour_is_read_17_30_with_a_note(cli: Any) -> None:
    printed = report()
    assert (printed.line(1321), printed.line(1322)) == (" :3", "0")  # the hour lost in the extraction
    (card,) = json_rows(cli, "show", "symposium-2")
    opening = next(k for k, v in card.items() if v == "hayashi-kaori")
    assert card[opening.replace("person", "time")] == "17:30"
    assert "' :30'" in card["note"] and "17:30" in card["note"]


def test_a_disagreement_on_no_field_of_its_record_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    copy_data(data)
    project = data / "project.toml"
    text = project.read_text(encoding="utf-8")
    assert text.count('field = "definition"\n') == 1
    project.write_text(text.replace('field = "definition"\n', 'field = "bogus"\n'), encoding="utf-8")
    result = subprocess.run([str(INSTALLED), "--data", str(data), "check"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "[project]: disagreements[0]: 'field' names 'bogus', which is no field of this record" in result.stderr
