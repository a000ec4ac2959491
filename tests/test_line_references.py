"""Every value in data/ checked against the lines of the report it cites (spnet.citations).

For every record and every field with a value from the report, the value is found whole
(after provenance.fold) beginning on a line cited for that field, in each language the
record cites where both texts print it; and every cited line begins one of the record's
values. The same findings are what `spnet check --against-report` can list; here the real
archive has none, and a real record spoiled in a copy of the data is caught, named by
file, record, field, value and the line where the value does begin.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from spnet import citations, provenance
from spnet.printed import date_forms, values
from tests.conftest import DATA, json_rows

SPNET = [sys.executable, "-m", "spnet"]  # the installed command, as a user runs it


def test_every_value_begins_on_a_line_it_cites() -> None:
    findings = citations.check_data(DATA)
    assert findings == [], "\n".join(findings)


def test_every_record_but_the_curators_is_checked() -> None:
    """Each record that cites the report has values the check looks for; the curators' own
    records (a country the report does not name) cite no line and are the only ones left out."""
    raws = citations.read_records(DATA)
    cited = [r for r in raws if not citations.is_curators(r.table)]
    curators = [r for r in raws if citations.is_curators(r.table)]
    assert {r.kind for r in curators} == {"country"}
    assert all(r.table["lines"] == [] and "curators" in r.table["source"] for r in curators)
    unchecked = [r.where for r in cited if not any(v.required for v in values(r.table))]
    assert unchecked == []
    assert len(cited) == sum(1 for r in raws if r.table.get("lines"))  # nothing else cites no line


@pytest.mark.parametrize(
    "stored,printed",
    [
        ("2022-03-15", "2022年3月15日"),
        ("2021-12-02", "2021年12月02日"),
        ("2022-03-28", "28 March, 2022"),
        ("2023-03", "March of 2023"),
        ("2023-03", "同年3月"),
        ("2019", "令和元年"),
        ("FY2011", "平成23年度"),
        ("FY2023", "2023"),
        ("199X", "1990年代"),
    ],
)
def test_a_date_is_found_as_the_report_prints_it(stored: str, printed: str) -> None:
    assert printed in date_forms(stored)


def test_a_date_under_any_key_is_looked_for() -> None:
    """A date a record keeps under a key of its own (a first agreement, a designation) is
    checked like `date` and `since`; an id or a text that looks like a year is not a date."""
    table = {"id": "2019", "designated": "2023-09", "first_agreement": "FY2001", "name_en": "2019", "lines": [1]}
    dates = {v.field: v.forms[0] for v in values(table) if v.token}
    assert dates == {"designated": "2023年9月", "first_agreement": "2001年度"}


def _spoil(data: Path, record: str, old: str, new: str, file: str = "universities/kyoto.toml") -> None:
    """Replace `old` by `new` in the block of one record (by id) of a data file."""
    path = data / file
    text = path.read_text(encoding="utf-8")
    start = text.index(f'id = "{record}"\n')
    end = text.find("\n[[", start)
    end = len(text) if end == -1 else end
    block = text[start:end]
    assert old in block, (record, old)
    path.write_text(text[:start] + block.replace(old, new, 1) + text[end:], encoding="utf-8")


def _lines(block: list[int]) -> str:
    return "".join(f"    {n},\n" for n in block)


# (record, its lines as the archive has them, the spoiled lines, what the check must say)
SPOILED = [
    (  # a reference one line early: the English date of the Zurich symposium is on 2777
        "kyoto-zurich-symposium-2023",
        [2717, 2777],
        [2717, 2776],
        [
            "kyoto-zurich-symposium-2023): date '2023-03' begins on none of its cited English lines (2776); "
            "it begins on 573, 2250, 2777, 3079",
            "(kyoto-zurich-symposium-2023): line 2776 begins none of the record's values",
        ],
    ),
    (  # one line late
        "kyoto-zurich-symposium-2023",
        [2717, 2777],
        [2717, 2778],
        ["date '2023-03' begins on none of its cited English lines (2778)", "line 2778 begins none"],
    ),
    (  # a line for company: the line before the Japanese one
        "kyoto-zurich-symposium-2023",
        [2717, 2777],
        [2717, 2777, 2716],
        ["(kyoto-zurich-symposium-2023): line 2716 begins none of the record's values"],
    ),
    (  # a value moved to a far line: Vienna's name cited where the report speaks of Kyushu
        "kyoto-vienna",
        [2683, 2762, 2785, 2742, 2763, 2681],
        [2683, 2762, 2785, 2742, 2900, 2681],
        ["(kyoto-vienna): name_en 'University of Vienna' begins on none of its cited lines", "line 2900 begins none"],
    ),
]


@pytest.mark.parametrize("record,lines,spoiled,said", SPOILED, ids=[f"{s[0]}-{s[2][-1]}" for s in SPOILED])
def test_a_spoiled_reference_is_caught_and_named(
    data_copy: Path, record: str, lines: list[int], spoiled: list[int], said: list[str]
) -> None:
    _spoil(data_copy, record, _lines(lines), _lines(spoiled))
    findings = citations.check_data(data_copy)
    assert all(f.startswith("data/universities/kyoto.toml: ") for f in findings), findings
    for words in said:
        assert any(words in f for f in findings), (words, findings)
    assert all(record in f for f in findings), findings


def test_another_events_date_line_is_caught(data_copy: Path) -> None:
    """Line 518 prints the 2nd symposium's date and the same 17:30-20:00 the 3rd's line 532
    prints: a time alone does not make it the 3rd symposium's line."""
    _spoil(data_copy, "symposium-3", "lines = [\n", "lines = [\n    518,\n", file="project.toml")
    findings = citations.check_data(data_copy)
    assert findings == [
        "data/project.toml: events[8] (symposium-3): line 518 begins only a time or weekday, "
        "which line 532 begins too: '開催日時：2023年3月3日（金） 17：30〜20：00（日本時間）'"
    ]


def test_a_reference_in_one_language_only_is_caught(data_copy: Path) -> None:
    """The Japanese line is right, the English one a line early: the year, which both texts
    print, is looked for in each."""
    _spoil(data_copy, "kyoto-designation-2019", _lines([2683, 2763]), _lines([2683, 2762]))
    findings = citations.check_data(data_copy)
    assert any("date '2019' begins on none of its cited English lines (2762)" in f for f in findings), findings


def test_a_number_is_found_whole(data_copy: Path) -> None:
    """23 graduate students dispatched (2816, 2865): line 2864's "As of 2023" prints no 23,
    and no count of 3 either."""
    report = provenance.report()
    assert report.begins_on("23", 2864) and not report.begins_on("23", 2864, number=True)
    assert {2816, 2865} <= set(report.where("23", number=True)) and 2864 not in report.where("23", number=True)
    path = data_copy / "universities" / "ehime.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("value = 23\n", "value = 3\n"), encoding="utf-8")
    findings = citations.check_data(data_copy)
    assert any("counts[2]: value '3' begins on none of its cited" in f for f in findings), findings


def test_a_field_cites_its_own_lines(data_copy: Path) -> None:
    """A meeting's venue is the heading over the list (2191, 2239), not the meeting's line:
    cited there and nowhere else, it is looked for there only."""
    meeting = tomllib.loads((DATA / "project.toml").read_text(encoding="utf-8"))["events"]
    first = next(e for e in meeting if e["id"] == "meeting-01")
    assert first["cites"] == {"venue_ja": [2191], "venue_en": [2239]}
    _spoil(data_copy, "meeting-01", "venue_ja = [\n    2191,\n]", "venue_ja = [\n    2192,\n]", file="project.toml")
    findings = citations.check_data(data_copy)
    assert any("(meeting-01): venue_ja 'オンライン' begins on none of its cited lines (2192)" in f for f in findings)


def test_a_curators_title_that_the_report_prints_is_caught(data_copy: Path) -> None:
    """A title is the report's words, or marked as the curators': not both."""
    _spoil(data_copy, "symposium-1", 'title_en = "1st Strategic Partnership Symposium"\n', "", file="project.toml")
    _spoil(
        data_copy,
        "symposium-1",
        'title_ja = "戦略的パートナーシップシンポジウム（第１回）"\n',
        'title_ja = "戦略的パートナーシップシンポジウム（第１回）"\ntitle_ja_basis = "curator"\n',
        file="project.toml",
    )
    findings = citations.check_data(data_copy)
    assert any(re.search(r"\(symposium-1\): title_ja .* is the report's words \(line [\d, ]+\)", f) for f in findings)


@pytest.mark.parametrize(
    "cites,message",
    [
        ("cites = { venue = [2192] }", "'cites' names 'venue', which is no field of this record"),
        ("cites = { lines = [2192] }", "'cites' names 'lines', which is no field of this record"),
        (
            "cites = { venue_ja = [99999] }",
            "'cites' gives 'venue_ja' no lines, or lines outside the report's 1 to 3465",
        ),
        ("cites = { venue_ja = [] }", "'cites' gives 'venue_ja' no lines"),
        ("cites = { venue_ja = [100] }", "'cites' gives 'venue_ja' lines that are not in 'lines'"),
        ('cites = { venue_ja = ["2192"] }', "'cites' must be a table of line lists"),
    ],
)
def test_check_refuses_a_cites_table_that_is_wrong(data_copy: Path, cites: str, message: str) -> None:
    path = data_copy / "project.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('id = "symposium-3"\n')
    at = text.index("lines = [", start)
    path.write_text(text[:at] + cites + "\n" + text[at:], encoding="utf-8")
    result = subprocess.run([*SPNET, "--data", str(data_copy), "check"], capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr and "(symposium-3)" in result.stderr and "Traceback" not in result.stderr


def test_show_and_its_json_give_a_fields_own_lines(cli) -> None:
    row = json_rows(cli, "show", "meeting-01")[0]
    assert row["source.cites.venue_ja"] == "2191" and row["source.cites.venue_en"] == "2239"
    assert "2191" in row["source.lines"].split(", ")
    md = cli("show", "meeting-01", "--lang", "ja", "-f", "md").stdout
    assert "| 出典.項目別の行.会場（日本語） | 2191 |" in md


def test_a_date_inside_a_cited_text_needs_no_line_of_its_own(data_copy: Path) -> None:
    """sgu-end's title 「SGUが2023年度末で終了」 begins on 59 and holds its 年度 on 61: 61 is
    not cited for it."""
    _spoil(data_copy, "sgu-end", "lines = [\n", "lines = [\n    61,\n", file="project.toml")
    assert citations.check_data(data_copy) == [
        "data/project.toml: events[4] (sgu-end): line 61 begins only a date or count inside a text the record "
        "cites from a line before: '2023年度末で終了し、大学の国際化促進フォーラ'"
    ]


def test_an_affiliation_under_another_name_is_caught(data_copy: Path) -> None:
    """The 1st symposium programme prints the same affiliation under Kobayashi's name (602)
    and under Shimagami's (610): hers is cited at 610."""
    _spoil(data_copy, "shimagami-motoko", _lines([606, 610]), _lines([606, 602]), file="project.toml")
    assert citations.check_data(data_copy) == [
        "data/project.toml: people[10] (shimagami-motoko): affiliation_en 'Asia Africa Center, Institute for "
        "International Relations, …' is cited on line 602, but begins on line 610 too, nearer the name"
    ]


def test_export_json_and_the_listings_give_the_lines_cited(cli) -> None:
    """Every listing's JSON, and so `export json`, carries a record's lines and its fields' own."""
    result = cli("export", "json")
    assert result.exception is None and result.exit_code == 0
    bundle = json.loads(result.stdout)
    meeting = next(e for e in bundle["events"] if e["id"] == "meeting-01")
    assert meeting["lines"] == "2192, 2241, 2191, 2239"
    assert meeting["cites"] == "venue_ja: 2191; venue_en: 2239"
    zurich = next(p for p in bundle["partners"] if p["id"] == "kyoto-zurich")
    assert "2776" in zurich["lines"].split(", ") and zurich["cites"] is None
    for kind, rows in bundle.items():
        records = [r for r in rows if not (kind == "countries" and r["basis"] == "curator")]
        assert records and all(r["lines"] for r in records), kind  # only the curators' countries cite none
