"""spnet export (json, csv, sqlite) and spnet graph (dot, mermaid) on the real archive."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

from spnet.archive import load_archive
from tests.conftest import DATA, json_rows, title_ja_as_read


def test_json_export_equals_the_listings(cli) -> None:
    result = cli("export", "json")
    assert result.exit_code == 0
    bundle = json.loads(result.stdout)
    for kind, command in (("universities", "universities"), ("partners", "partners"), ("events", "timeline")):
        assert bundle[kind] == json.loads(cli(command, "--format", "json").stdout), kind
    assert bundle["contacts"] == json.loads(cli("contacts", "--format", "json").stdout)
    assert {lk["url"] for lk in bundle["links"]} >= {"https://www.u-tokyo.ac.jp/content/400235427.pdf"}


def test_json_export_takes_the_listing_filters(cli, tmp_path: Path) -> None:
    out = tmp_path / "kyoto.json"
    assert cli("export", "json", "--university", "京都", "--year", "2023", "--out", str(out)).exit_code == 0
    bundle = json.loads(out.read_text(encoding="utf-8"))
    assert {p["university"] for p in bundle["partners"]} == {"kyoto"}
    expected = json.loads(cli("timeline", "-u", "kyoto", "--year", "2023", "--format", "json").stdout)
    assert bundle["events"] == expected


def test_csv_export_writes_one_file_per_record_type(cli, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    assert cli("export", "csv", "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "contacts.csv",
        "countries.csv",
        "events.csv",
        "links.csv",
        "partners.csv",
        "project.csv",
        "universities.csv",
    ]
    with (out / "partners.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(load_archive(DATA, cache=False).partners)
    assert rows[0].keys() == json.loads(cli("partners", "--format", "json").stdout)[0].keys()


@pytest.mark.parametrize(
    "args,message",
    [
        (["export", "csv"], "give --out DIRECTORY"),
        (["export", "sqlite"], "give --out FILE"),
        (["export", "sqlite", "--out", "x.db", "--university", "kyoto"], "filter it with SQL"),
        (["export", "yaml"], "Invalid value for 'FORMAT'"),
    ],
)
def test_export_refuses_what_it_cannot_write(cli, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_sqlite_export_has_every_record_and_its_keys(cli, tmp_path: Path) -> None:
    db_path = tmp_path / "spnet.db"
    assert cli("export", "sqlite", "--out", str(db_path)).exit_code == 0
    archive = load_archive(DATA, cache=False)
    db = sqlite3.connect(db_path)
    counts = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("universities", "partners", "events", "people", "contacts", "links", "countries")
    }
    assert counts == {
        "universities": len(archive.universities),
        "partners": len(archive.partners),
        "events": len(archive.events),
        "people": len(archive.people),
        "contacts": len(archive.contacts),
        "links": len(archive.links),
        "countries": len(archive.countries),
    }
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    fks = db.execute("SELECT * FROM pragma_foreign_key_list('partners')").fetchall()
    assert {(row[2], row[3]) for row in fks} >= {("universities", "university"), ("countries", "country")}
    (held,) = db.execute("SELECT held FROM disagreements WHERE record = 'meeting-03'").fetchone()
    assert held == "ja"
    # The curators' facts stay marked as theirs; a university's disagreement is there too.
    curated = {row[0] for row in db.execute("SELECT id FROM countries WHERE basis = 'curator'")}
    assert curated == {c.id for c in archive.countries if c.basis == "curator"} and "de" in curated
    (basis,) = db.execute("SELECT country_basis FROM partners WHERE id = 'kyoto-hamburg'").fetchone()
    assert basis == "curator"
    ehime = next(u for u in archive.universities if u.id == "ehime")
    fields = db.execute("SELECT field FROM disagreements WHERE record = 'ehime'").fetchall()
    assert fields == [(d.field,) for d in ehime.disagreements] and ("outlook",) in fields
    in_2023 = db.execute(
        "SELECT count(*) FROM events WHERE kind = 'meeting' AND date_start >= '2023-01-01' AND date_end <= '2023-12-31'"
    ).fetchone()[0]
    assert in_2023 == 6
    if shutil.which("sqlite3"):  # the shell opens it with no further work
        shell = subprocess.run(
            ["sqlite3", str(db_path), "SELECT name_ja FROM universities WHERE id = 'kyoto';"],
            capture_output=True,
            text=True,
        )
        assert shell.stdout.strip() == "京都大学"


def test_a_failed_sqlite_export_leaves_no_file(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from spnet import export

    def broken(*args: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "replace", broken)
    result = cli("export", "sqlite", "--out", str(tmp_path / "x.db"))
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ graph
_DOT_ID = r'"(?:[^"\\]|\\.)*"'
_ATTR = rf"\w+=(?:{_DOT_ID}|[\w.#-]+)"
_ATTRS = rf"\[{_ATTR}(?:, {_ATTR})*\]"


def _attrs(text: str) -> dict[str, str]:
    return {m[1]: m[2].strip('"') for m in re.finditer(rf"(\w+)=({_DOT_ID}|[\w.#-]+)", text)}


def _dot_structure(text: str) -> tuple[set[str], list[tuple[str, str, dict[str, str]]]]:
    """Check the DOT text line by line against the shapes spnet writes; return the nodes, and
    the edges as the archive has them (from university to partner: an edge drawn leftwards
    is written the other way round, with dir=back), each with its attributes."""
    assert text.startswith("digraph spnet {\n") and text.endswith("}\n")
    assert text.count("{") == text.count("}")
    nodes: set[str] = set()
    edges = []
    for line in text.splitlines()[1:-1]:
        line = line.strip()
        if m := re.fullmatch(rf"({_DOT_ID}) -> ({_DOT_ID}) ({_ATTRS});", line):
            attrs = _attrs(m[3])
            a, b = (m[2], m[1]) if attrs.get("dir") == "back" else (m[1], m[2])
            edges.append((a.strip('"'), b.strip('"'), attrs))
        elif m := re.fullmatch(rf"({_DOT_ID}) \[label={_DOT_ID}(?:, style=bold)?\];", line):
            nodes.add(m[1].strip('"'))
        else:
            assert re.fullmatch(
                rf"(?:graph|node|edge) {_ATTRS};|subgraph cluster_\d+ {{|label={_DOT_ID};(?: {_ATTR};)*|}}|"
                rf"legend \[label=<<TABLE [^\n]*</TABLE>>, shape=plain\];|"
                rf"{{ rank=same;(?: {_DOT_ID};)*(?: legend;)? }}",
                line,
            ), line
    return nodes, edges


def test_dot_graph_of_the_whole_network(cli) -> None:
    from spnet.dot import EDGE_STYLE

    result = cli("graph")
    nodes, edges = _dot_structure(result.stdout)
    archive = load_archive(DATA, cache=False)
    assert len(edges) == len(archive.partners)
    assert all(a in nodes and b in nodes for a, b, _attrs in edges)
    assert 'label="UK / 英国";' in result.stdout
    # A shared institution is one node, with an edge from each member university, in the
    # colour of its kind.
    by_pair = {(a, b): attrs for a, b, attrs in edges}
    assert by_pair["osaka", "university-college-london"]["color"] == EDGE_STYLE["strategic-partner"][0]
    assert by_pair["tohoku", "university-college-london"]["color"] == EDGE_STYLE["joint-fund-partner"][0]
    assert len(re.findall(r'^\s+"national-taiwan-university" \[label=', result.stdout, re.M)) == 1
    assert len(nodes) == len({p.institution for p in archive.partners}) + len(archive.universities)
    # The years are the label; a relation the report dates by neither has none.
    assert by_pair["waseda", "waseda-bonn"]["label"] == "since 1960, designated 2017"
    assert "label" not in by_pair["osaka", "university-college-london"]


def test_graph_of_one_university_and_mermaid(cli) -> None:
    from spnet.dot import EDGE_STYLE

    dot = cli("graph", "--university", "愛媛").stdout
    nodes, edges = _dot_structure(dot)
    member = {(a, b): attrs for a, b, attrs in edges}["ehime-suiji", "ehime-bogor"]
    assert (member["color"], member["style"]) == EDGE_STYLE["consortium-member"][:2]
    assert all(n.startswith("ehime") for n in nodes)
    mermaid = cli("graph", "-u", "ehime", "--format", "mermaid").stdout.splitlines()
    assert mermaid[0] == "flowchart LR"
    assert '  n_ehime_suiji -->|"member"| n_ehime_bogor' in mermaid
    declared = {m[1] for line in mermaid if (m := re.match(r"\s+(n_\w+)[\[(]", line))}
    links = [re.fullmatch(r"\s+(n_\w+) -->\|\"[^\"]*\"\| (n_\w+)", line) for line in mermaid if "-->" in line]
    assert links and all(m and m[1] in declared and m[2] in declared for m in links)


def test_graph_quotes_hostile_names(cli, data_copy: Path) -> None:
    path = data_copy / "universities" / "osaka.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    doc["partners"][0]["name_en"] = 'Evil "quoted" \\ name -> "x" [label=y] #35; end'
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    dot = cli("--data", str(data_copy), "graph", "-u", "osaka").stdout
    _dot_structure(dot)
    mermaid = cli("--data", str(data_copy), "graph", "-u", "osaka", "-f", "mermaid").stdout
    assert "#quot;quoted#quot;" in mermaid and "#35;35;" in mermaid


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_renders_it(cli) -> None:
    svg = subprocess.run(["dot", "-Tsvg"], input=cli("graph").stdout, capture_output=True, text=True, check=True)
    assert svg.stdout.lstrip().startswith("<?xml") and "大阪大学" in svg.stdout


# ------------------------------------------------------------------ stats and pictures
def test_stats_counts_add_up(cli) -> None:
    rows = json.loads(cli("stats", "--format", "json").stdout)
    archive = load_archive(DATA, cache=False)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["measure"]] = totals.get(row["measure"], 0) + row["count"]
    assert totals == {
        "partners by country": len(archive.partners),
        "partners by country, the curators' additions": sum(p.country_basis == "curator" for p in archive.partners),
        "partners by kind": len(archive.partners),
        "institutions": len({p.institution for p in archive.partners}) + 2,  # all, and the shared ones
        "partners by decade begun": len(archive.partners),
        "partners by year designated": len(archive.partners),
        "events by year": len(archive.events),
    }
    shared = {r["value"]: r["count"] for r in rows if r["measure"] == "institutions"}
    assert shared["partner of two or more"] == 2  # National Taiwan University and UCL
    by_country = {r["value"]: r["count"] for r in rows if r["measure"] == "partners by country"}
    assert by_country["UK"] == 2 and by_country["Indonesia"] == 3
    meetings_2023 = next(r for r in rows if r["measure"] == "events by year" and r["value"] == "2023")
    assert meetings_2023["count"] >= 6


def test_stats_table_draws_bars(cli) -> None:
    table = cli("stats", "--format", "table").stdout
    assert "████████████████████ 20" in table  # 20 strategic partners; 20 partners of no stated country


def test_stats_in_both_languages_gives_each_value_its_japanese_beside_it(cli) -> None:
    """With both languages, a value has its Japanese in a column of its own (France,
    フランス), as every listing shows both names; a measure's heading is in both, and
    Markdown, which has no headings, gives the measure a column. One language shows only
    its own."""
    rows = json_rows(cli, "stats")
    france = next(r for r in rows if r["measure"] == "partners by country" and r["value"] == "France")
    md = cli("stats", "--format", "md").stdout.splitlines()
    assert md[0] == "| Measure | 集計 | Value | 区分 | Count |"  # Markdown has no headings: a column
    assert f"| partners by country | {france['measure_ja']} | France | {france['value_ja']} | ███ 3 |" in md
    asked = cli("stats", "--format", "md", "--fields", "value,value_ja").stdout.splitlines()
    assert asked[0] == "| Value | 区分 |"  # the fields asked for, each once
    table = cli("stats", "--format", "table", env={"COLUMNS": "80"}).stdout.splitlines()
    assert f"partners by country / {france['measure_ja']}" in table
    assert any(line.split()[:2] == ["France", france["value_ja"]] for line in table)
    assert "区分" not in cli("stats", "--format", "md", "--lang", "en").stdout
    assert cli("stats", "--format", "md", "--lang", "ja").stdout.splitlines()[0] == "| 集計 | 区分 | 件数 |"


@pytest.mark.parametrize("lang", ["ja", "en", "both"])
def test_stats_value_beside_its_japanese_field_is_the_english_one(cli, lang: str) -> None:
    """`--fields value,value_ja`: the value is its English word and value_ja its Japanese,
    in any language, as name_en beside name_ja is; never the Japanese twice."""
    md = cli("stats", "--format", "md", "--lang", lang, "--fields", "value,value_ja").stdout.splitlines()
    assert "| France | フランス |" in md
    headers = {"ja": "| 区分（英語） | 区分 |", "en": "| Value | Value (Japanese) |", "both": "| Value | 区分 |"}
    assert md[0] == headers[lang]


def test_timeline_as_a_picture(cli, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    svg = tmp_path / "timeline.svg"
    result = cli("timeline", "--from", "2021", "--svg", str(svg))
    assert result.exit_code == 0 and result.stdout == ""  # the picture was asked for, not a listing
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    placed = {el.get("data-id"): el for el in root.iter() if el.get("data-id")}
    archive = load_archive(DATA, cache=False)
    expected = [e for e in archive.events if e.date.last_day().year >= 2021]
    assert list(placed) == [e.id for e in expected]  # every event, in date order
    # A day is a dot, a partial date a bar over its span; a plan is hollow.
    assert placed["meeting-03"].tag.endswith("circle") and placed["meeting-16"].tag.endswith("rect")
    assert placed["meeting-16"].get("fill") == "white" and placed["meeting-15"].get("fill") != "white"
    text = svg.read_text(encoding="utf-8")
    assert "2022-02-10  3rd Meeting / 第03回連携大学会議 ?" in text  # the date the texts disagree on
    assert "planned" in text and "meeting" in text  # the legend
    # Self-contained: nothing fetched from elsewhere.
    assert "href" not in text and "url(" not in text and "@import" not in text
    assert text.count("http") == 1  # only the SVG namespace


def test_timeline_picture_with_a_listing_writes_both(cli, tmp_path: Path) -> None:
    svg = tmp_path / "timeline.svg"
    result = cli("timeline", "--year", "2023", "--svg", str(svg), "--format", "json")
    assert result.exit_code == 0
    assert [e["id"] for e in json.loads(result.stdout)][0] == "soka-asaihl-2023"
    assert svg.read_text(encoding="utf-8").count("data-id=") == len(json.loads(result.stdout))


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert is not installed (librsvg2-bin)")
def test_timeline_picture_renders_with_rsvg(cli, tmp_path: Path) -> None:
    svg, png = tmp_path / "timeline.svg", tmp_path / "timeline.png"
    assert cli("timeline", "--svg", str(svg)).exit_code == 0
    done = subprocess.run(["rsvg-convert", str(svg), "-o", str(png)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# ------------------------------------------------------------------ iCalendar
def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append({"n": "\n", "N": "\n"}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_ics(raw: bytes) -> list[dict[str, tuple[dict[str, str], str]]]:
    """A strict reading of RFC 5545's syntax: CRLF lines of at most 75 octets, folding,
    properties NAME;PARAM=V:VALUE, BEGIN/END nesting. Returns the VEVENTs."""
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical:
        text = line.decode("utf-8")  # folding never split a character
        if text.startswith(" "):
            logical[-1] += text[1:]
        else:
            logical.append(text)
    stack: list[str] = []
    events: list[dict[str, tuple[dict[str, str], str]]] = []
    for line in logical:
        name_params, value = line.split(":", 1)
        name, *params = name_params.split(";")
        assert re.fullmatch(r"[A-Z-]+", name), name
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack and stack[-1] == "VEVENT":
            assert name not in events[-1], f"{name} twice"
            events[-1][name] = (dict(p.split("=", 1) for p in params), value)
    assert stack == []
    return events


def test_ics_export_parses_back_to_the_timeline(cli, tmp_path: Path) -> None:
    import datetime as dt

    out = tmp_path / "spnet.ics"
    result = cli("export", "ics", "--out", str(out), "--vague-dates")
    assert result.exit_code == 0 and result.stderr == ""
    text = out.read_text(encoding="utf-8")
    assert "X-WR-CALNAME:Strategic Partnerships network (2021 to March 2024)" in text
    events = parse_ics(out.read_bytes())
    archive = load_archive(DATA, cache=False)
    assert len(events) == len(archive.events)
    by_uid = {e["UID"][1]: e for e in events}
    assert len(by_uid) == len(events)
    for record in archive.events:
        ev = by_uid[f"{record.id}@spnet"]
        assert {"DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= ev.keys()
        disputed = any(d.field == "date" for d in record.disagreements)
        assert ev["STATUS"][1] == ("TENTATIVE" if record.tentative or disputed else "CONFIRMED")
        params, start = ev["DTSTART"]
        assert ev["X-SPNET-PRECISION"][1] == record.date.precision
        if params.get("VALUE") == "DATE":
            # One day, the first it can be, whatever the precision: a month-long event
            # fills an agenda's every day.
            first = dt.datetime.strptime(start, "%Y%m%d").date()
            end = dt.datetime.strptime(ev["DTEND"][1], "%Y%m%d").date()
            assert first == record.date.first_day() and end == first + dt.timedelta(days=1)
        else:
            assert params == {"TZID": "Asia/Tokyo"} and record.time
        title = _unescape(ev["SUMMARY"][1])
        assert title.startswith(record.title.en or title_ja_as_read(record))
        assert title_ja_as_read(record) in title if record.title.ja else True
    symposium = by_uid["symposium-2@spnet"]
    assert symposium["DTSTART"] == ({"TZID": "Asia/Tokyo"}, "20230303T173000")
    assert symposium["DTEND"] == ({"TZID": "Asia/Tokyo"}, "20230303T200000")
    assert "Geraint Rees" in _unescape(symposium["DESCRIPTION"][1])
    assert by_uid["meeting-16@spnet"]["DTSTART"] == ({"VALUE": "DATE"}, "20240301")
    workshop = _unescape(by_uid["workshop@spnet"]["DESCRIPTION"][1])
    assert "2023年9月9日（金）" in workshop and "Friday, 9 November 2023" in workshop  # both readings


def test_ics_holds_every_event_and_leaves_out_the_vague_ones_when_asked(cli) -> None:
    archive = load_archive(DATA, cache=False)
    every = parse_ics(cli("export", "ics").stdout_bytes)
    assert len(every) == len(archive.events)  # a year, 年度 or decade too: one entry on its first day
    result = cli("export", "ics", "--no-vague-dates")
    vague = [e for e in archive.events if e.date.precision in ("year", "fy", "decade")]
    assert vague and len(parse_ics(result.stdout_bytes)) == len(archive.events) - len(vague)
    assert result.stderr == (
        f"spnet: {len(vague)} event(s) known only to the year, 年度 or decade left out (--vague-dates puts them in)\n"
    )
    symposia = parse_ics(cli("export", "ics", "--kind", "symposium", "--kind", "workshop").stdout_bytes)
    assert sorted(e["UID"][1] for e in symposia) == [
        "symposium-1@spnet",
        "symposium-2@spnet",
        "symposium-3@spnet",
        "workshop@spnet",
    ]


def test_ics_uids_are_stable_and_text_is_escaped(cli, data_copy: Path) -> None:
    first = {e["UID"][1] for e in parse_ics(cli("export", "ics").stdout_bytes)}
    assert first == {e["UID"][1] for e in parse_ics(cli("export", "ics").stdout_bytes)}
    path = data_copy / "project.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    doc["events"][0]["title_en"] = "Semi;colon, comma \\ back\nslash " + "長" * 60
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    events = parse_ics(cli("--data", str(data_copy), "export", "ics", "--year", "2014", "--vague-dates").stdout_bytes)
    (sgu,) = [e for e in events if e["UID"][1] == "sgu-launch@spnet"]
    assert _unescape(sgu["SUMMARY"][1]).startswith("Semi;colon, comma \\ back\nslash 長")


def test_ics_export_reads_back_with_an_independent_parser(cli) -> None:
    """icalendar (test-only) reads the file as a calendar program would."""
    import datetime as dt
    import zoneinfo

    import icalendar

    calendar = icalendar.Calendar.from_ical(cli("export", "ics").stdout_bytes)
    assert str(calendar["X-WR-CALNAME"]) == "Strategic Partnerships network (2021 to March 2024)"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    archive = load_archive(DATA, cache=False)
    assert len(events) == len(archive.events)  # a year, 年度 or decade too: one day, its first
    for record in archive.events:
        event = events[f"{record.id}@spnet"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        if isinstance(start, dt.datetime):
            assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=9)
            assert start.date() == record.date.first_day()
        else:
            assert start == record.date.first_day() and end == start + dt.timedelta(days=1)
        disputed = any(d.field == "date" for d in record.disagreements)
        assert str(event["STATUS"]) == ("TENTATIVE" if record.tentative or disputed else "CONFIRMED")
        assert str(event["SUMMARY"]).startswith(record.title.en or title_ja_as_read(record))  # its marks: test_ics.py
    symposium = events["symposium-3@spnet"]
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert symposium.decoded("DTSTART") == dt.datetime(2023, 12, 19, 17, 30, tzinfo=tokyo)
    assert symposium.decoded("DTEND") == dt.datetime(2023, 12, 19, 20, 0, tzinfo=tokyo)


def test_the_graph_marks_the_curators_countries(cli) -> None:
    dot = cli("graph", "-u", "kyoto").stdout
    assert 'label="Austria / オーストリア";' in dot  # the box is the country's, whoever gives it
    assert '"kyoto-vienna" [label="University of Vienna / ウィーン大学 +"];' in dot
    # The report's own country, by National Taiwan University's name: no mark.
    assert '"national-taiwan-university" [label="National Taiwan University / 国立台湾大学"];' in dot
    assert '<TD>+</TD><TD ALIGN="LEFT">country added by the archive&#x27;s curators</TD>' in dot  # the legend
    ja = cli("graph", "-u", "kyoto", env={"LANG": "ja_JP.UTF-8"}).stdout
    assert '<TD>+</TD><TD ALIGN="LEFT">管理者が国を補ったもの</TD>' in ja


def test_sqlite_export_searches_japanese_and_joins_names(cli, tmp_path: Path) -> None:
    db_path = tmp_path / "spnet.db"
    assert cli("export", "sqlite", "--out", str(db_path)).exit_code == 0
    db = sqlite3.connect(db_path)
    found = db.execute(
        "SELECT p.id FROM partners_fts JOIN partners p ON p.rowid = partners_fts.rowid "
        "WHERE partners_fts MATCH '国立台湾' ORDER BY p.id"
    ).fetchall()
    assert found == [("kyoto-ntu",), ("kyushu-ntu",)]
    (university_en,) = db.execute(
        "SELECT university_en FROM partners_with_universities WHERE id = 'kyoto-ntu'"
    ).fetchone()
    assert university_en == "Kyoto University"
    (names,) = db.execute("SELECT universities_en FROM events_with_universities WHERE id = 'workshop'").fetchone()
    assert names.count(";") == 8  # the nine universities that took part


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (apt-get install graphviz)")
def test_graph_pictures_through_graphviz(cli, tmp_path: Path) -> None:
    svg = tmp_path / "network.svg"
    assert cli("graph", "-u", "kyushu", "--format", "svg", "--out", str(svg)).exit_code == 0
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "国立台湾大学" in text
    assert 'font-family="Noto Sans CJK JP, IPAPGothic, IPAGothic, sans-serif"' in text  # one family throughout
    png = tmp_path / "network.png"
    assert cli("graph", "--format", "png", "--out", str(png)).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def _draw(out: Path, path: str) -> subprocess.CompletedProcess[str]:
    """`spnet graph` drawing `out` (its suffix the format) with only `path` to find dot on."""
    fmt = out.suffix.lstrip(".")
    return subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(DATA), "graph", "--format", fmt, "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
    )


def test_a_picture_needs_graphviz_and_a_file(tmp_path: Path, cli) -> None:
    assert "give --out FILE" in cli("graph", "--format", "svg").stderr
    result = _draw(tmp_path / "g.png", str(tmp_path))  # no dot on this PATH
    assert result.returncode == 2 and result.stderr == (
        "spnet: error: --format png needs Graphviz's dot on PATH (apt-get install graphviz)\n"
    )
    assert not (tmp_path / "g.png").exists()


def test_a_graphviz_failure_is_exit_4_not_a_usage_error(tmp_path: Path) -> None:
    # A dot that fails as an out-of-memory one would: check accepts nothing it cannot draw.
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'out of memory' >&2\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    done = _draw(tmp_path / "g.svg", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    assert done.returncode == 4 and done.stderr == "spnet: error: dot could not draw the graph: out of memory\n"
    assert not (tmp_path / "g.svg").exists()
