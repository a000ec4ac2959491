"""A partner's two dates, each meaning one thing: `since`, when the relation began (its
first agreement, the start of exchange or cooperation, a consortium's founding), and
`designated`, when it was made strategic. Checked against the report's own lines, then
through the installed command: the filters, every format, show, export, stats and graph.

The expected answers are read from the data files with tomllib, not from spnet's model,
so a filter that reads the wrong field, or a loader that drops one, is caught."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from spnet.dates import parse_span
from spnet.provenance import fold, report
from tests.conftest import DATA, json_rows

WHATS = ("since_what_en", "since_what_ja", "designated_what_en", "designated_what_ja")


def _partners() -> dict[str, dict]:
    """Every partner table of the data files, by id, with its university."""
    out = {}
    for path in sorted((DATA / "universities").glob("*.toml")):
        for p in tomllib.loads(path.read_text(encoding="utf-8")).get("partners", []):
            out[p["id"]] = p
    return out


PARTNERS = _partners()
DATED = {pid: p for pid, p in PARTNERS.items() if "since" in p or "designated" in p}


def _in_or_after(key: str, typed: str) -> set[str]:
    """The partners whose `key` date ends in or after the typed date's first day."""
    start = parse_span(typed).start
    return {pid for pid, p in PARTNERS.items() if key in p and parse_span(p[key]).end >= start}


# ------------------------------------------------------------------ the data against the report
def test_the_dates_split_as_the_report_tells_them() -> None:
    """The cases the two meanings were told apart for, as the report prints them."""
    ntu = PARTNERS["kyushu-ntu"]
    assert (ntu["since"], ntu["designated"]) == ("2001", "2023-09")  # lines 2941 and 2945
    bonn = PARTNERS["waseda-bonn"]
    assert (bonn["since"], bonn["designated"]) == ("1960", "2017")  # lines 3364 and 3380
    assert (PARTNERS["waseda-ulb"]["since"], PARTNERS["waseda-ulb"]["designated"]) == ("1996", "2010")
    # Kyoto names its strategic partners (2019, 2020) among universities it already had
    # MOUs with, undated; Kyushu's UIUC agreement (2019-08) is the first the report dates.
    for pid in ("kyoto-vienna", "kyoto-bordeaux", "kyoto-zurich", "kyoto-hamburg", "kyoto-ntu", "kyushu-uiuc"):
        assert "since" not in PARTNERS[pid] and "designated" in PARTNERS[pid], pid
    # What the report gives no date for has none.
    for pid in ("keio-u7", "soka-asaihl", "osaka-ucl", "tokyo-cambridge"):
        assert "since" not in PARTNERS[pid] and "designated" not in PARTNERS[pid], pid


@pytest.mark.parametrize("pid", sorted(DATED))
def test_each_date_and_its_words_are_on_the_lines_the_record_cites(pid: str) -> None:
    """Each date's words are the report's, beginning on a line the record cites, in each
    language; its year is printed within six lines of them (blank lines included) (in a Japanese era's years
    where the Japanese gives one, 平成23年)."""
    record = PARTNERS[pid]
    cited = set(record["lines"])
    text = report()
    for key in ("since", "designated"):
        if key not in record:
            assert not any(w.startswith(key) and w in record for w in WHATS), pid
            continue
        year = parse_span(record[key]).start.year
        for lang in ("en", "ja"):
            what = record[f"{key}_what_{lang}"]
            found = set(text.where(what)) & cited
            assert found, f"{pid}: {key}_what_{lang} {what!r} begins on none of {sorted(cited)}"
            near = "".join(text.line(n) for n in range(min(found) - 6, max(found) + 7))
            years = {int(y) for y in re.findall(r"\d{4}", near)}
            years |= {parse_span(era).start.year for era in re.findall(r"(?:昭和|平成|令和)(?:\d+|元)年", near)}
            assert year in years, f"{pid}: {key} {year} is not printed near {what!r}"
            if "-" in record[key]:  # a month: printed as such in both texts
                month = parse_span(record[key]).start
                assert fold(f"{month.year}年{month.month}月") in fold(near) or month.strftime("%B") in near, pid


# ------------------------------------------------------------------ the filters, as a user runs them
@pytest.mark.parametrize(
    ("args", "kept", "left_out"),
    [
        # Kyushu and National Taiwan University: exchange since 2001, strategic since 2023-09.
        (["--since", "2001"], {"kyushu-ntu"}, set()),
        (["--since", "2002"], set(), {"kyushu-ntu"}),
        (["--designated-since", "2023-09"], {"kyushu-ntu"}, set()),
        (["--designated-since", "2023-10"], set(), {"kyushu-ntu"}),
        (["--designated-since", "令和5年"], {"kyushu-ntu"}, {"kyushu-uiuc"}),
        # Waseda's oldest partner, by the 1960 agreement; its strategic agreement is 2017.
        (["--since", "1960"], {"waseda-bonn", "waseda-ulb"}, set()),
        (["--since", "1961"], {"waseda-ulb"}, {"waseda-bonn"}),
        (["--since", "1990年代"], {"waseda-ulb"}, {"waseda-bonn"}),
        (["--designated-since", "2017"], {"waseda-bonn"}, {"waseda-ulb"}),
        # Kyoto's partners have a designation but no beginning in the report.
        (["--designated-since", "2020"], {"kyoto-zurich", "kyoto-hamburg", "kyoto-ntu"}, {"kyoto-vienna"}),
        (["--since", "1900"], set(), {"kyoto-vienna", "kyoto-ntu", "kyushu-uiuc"}),
    ],
)
def test_each_filter_answers_by_its_own_date(cli, args: list[str], kept: set[str], left_out: set[str]) -> None:
    got = {p["id"] for p in json_rows(cli, "partners", *args)}
    key = "since" if args[0] == "--since" else "designated"
    assert got == _in_or_after(key, args[1])
    assert kept <= got and not left_out & got


def test_the_two_filters_together_keep_what_both_keep(cli) -> None:
    got = {p["id"] for p in json_rows(cli, "partners", "--since", "1990", "--designated-since", "2015")}
    assert got == _in_or_after("since", "1990") & _in_or_after("designated", "2015")
    assert got == {"kyushu-ntu"}  # ULB (1996) was made strategic in 2010; Bonn began in 1960
    one = json_rows(cli, "partners", "-u", "waseda", "--since", "1990", "--designated-since", "2000")
    assert [p["id"] for p in one] == ["waseda-ulb"]


@pytest.mark.parametrize("args", [["--designated-since", "yesterday"], ["--designated-since", "2023-13"]])
def test_a_bad_date_is_a_usage_error(args: list[str]) -> None:
    command = [sys.executable, "-m", "spnet", "partners", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("spnet: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and args[1] in done.stderr


def _env() -> dict[str, str]:
    return {**os.environ, "SPNET_DATA": str(DATA), "LC_ALL": "C.UTF-8", "SPNET_LANG": "en"}


# ------------------------------------------------------------------ every format
def test_json_carries_both_dates_and_their_words(cli) -> None:
    (ntu,) = json_rows(cli, "partners", "-u", "kyushu", "--since", "2001", "--designated-since", "2023")
    record = PARTNERS["kyushu-ntu"]
    assert {k: ntu[k] for k in ("since", "designated", *WHATS)} == {
        k: record[k] for k in ("since", "designated", *WHATS)
    }
    uiuc = next(p for p in json_rows(cli, "partners", "-u", "kyushu") if p["id"] == "kyushu-uiuc")
    assert (uiuc["since"], uiuc["since_what_en"], uiuc["designated"]) == (None, None, "2019-08")


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_have_the_columns(cli, fmt: str) -> None:
    result = cli("partners", "-u", "waseda", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="," if fmt == "csv" else "\t"))
    bonn = next(r for r in rows if r["id"] == "waseda-bonn")
    assert (bonn["since"], bonn["designated"]) == ("1960", "2017")
    assert bonn["designated_what_ja"] == "戦略的パートナーシップ協定"


@pytest.mark.parametrize(
    ("lang", "headers", "dates"),
    [("en", ("Since", "Designated"), ("2001", "2023-09")), ("ja", ("開始", "戦略認定"), ("2001年", "2023年9月"))],
)
def test_the_table_and_markdown_show_both_dates(cli, lang: str, headers: tuple[str, str], dates) -> None:
    args = ("partners", "-u", "kyushu", "--lang", lang)
    table = cli(*args, "--format", "table", "--wide").stdout
    ntu = next(line for line in table.splitlines() if line.startswith("kyushu-ntu"))
    assert all(h in table for h in headers) and all(d in ntu for d in dates), table
    md = cli(*args, "--format", "md").stdout
    row = next(line for line in md.splitlines() if "kyushu-ntu" in line)
    assert all(h in md for h in headers) and all(f" {d} " in row for d in dates), md


def test_show_gives_each_date_with_the_reports_words(cli) -> None:
    (shown,) = json_rows(cli, "show", "kyushu-ntu")
    assert shown["since"] == "2001" and shown["since_what_en"] == "university-wide student exchange agreement"
    assert shown["designated"] == "2023-09" and shown["designated_what_ja"] == "戦略的パートナーシップ協定"
    ja = cli("show", "kyushu-ntu", "--lang", "ja", "--format", "table").stdout
    assert "戦略認定" in ja and "開始の内容" in ja and "大学間の学生交流協定" in ja and "2023年9月" in ja


# ------------------------------------------------------------------ export, stats, graph
def test_export_sqlite_has_both_dates(cli, tmp_path: Path) -> None:
    out = tmp_path / "spnet.sqlite"
    assert cli("export", "sqlite", "--out", str(out)).exit_code == 0
    with sqlite3.connect(out) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(partners)")]
        assert {"since", "designated", *WHATS} <= set(columns)
        got = dict(db.execute("SELECT id, designated FROM partners WHERE designated IS NOT NULL").fetchall())
        view = db.execute("SELECT since, designated FROM partners_with_universities WHERE id = 'waseda-bonn'")
        assert view.fetchone() == ("1960", "2017")
    assert got == {pid: p["designated"] for pid, p in PARTNERS.items() if "designated" in p}


def test_export_json_and_csv_carry_the_listings_fields(cli, tmp_path: Path) -> None:
    bundle = json.loads(cli("export", "json").stdout)
    ntu = next(p for p in bundle["partners"] if p["id"] == "kyushu-ntu")
    assert (ntu["since"], ntu["designated"]) == ("2001", "2023-09")
    assert cli("export", "csv", "--out", str(tmp_path)).exit_code == 0
    with (tmp_path / "partners.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert rows["kyoto-vienna"]["since"] == "" and rows["kyoto-vienna"]["designated"] == "2019"


def test_stats_count_beginnings_by_decade_and_designations_by_year(cli) -> None:
    rows = json_rows(cli, "stats")
    begun = {r["value"]: r["count"] for r in rows if r["measure"] == "partners by decade begun"}
    made = {r["value"]: r["count"] for r in rows if r["measure"] == "partners by year designated"}
    want: dict[str, int] = {}
    for p in PARTNERS.values():
        year = p["designated"][:4] if "designated" in p else "(not stated)"
        want[year] = want.get(year, 0) + 1
    assert made == want and made["2020"] == 3
    assert begun["2000s"] == sum(1 for p in PARTNERS.values() if p.get("since", "")[:3] == "200")
    assert sum(begun.values()) == sum(made.values()) == len(PARTNERS)


def test_the_graph_labels_each_edge_with_both_dates(cli) -> None:
    dot = cli("graph", "-u", "kyushu").stdout
    edge = r'"kyushu" -> "national-taiwan-university" \[[^]]*label="since 2001, designated 2023-09"'
    assert re.search(edge, dot), dot
    ja = cli("graph", "-u", "waseda", "--lang", "ja", env={"SPNET_LANG": "ja"}).stdout
    assert "1960年開始、2017年戦略認定" in ja, ja
