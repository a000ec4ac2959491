"""年度 as the report means it, era years as their era's part, whose 本学 a title means, the
curators' titles marked, and the report's own counts: each input with the answer the report
gives (the lines are in the records' `lines`)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, json_rows

SPNET = [sys.executable, "-m", "spnet"]  # the installed command, as a user runs it

# (arguments, the field to collect from the JSON answer, the values it must hold)
ANSWERS = [
    # A date the report gives as a 年度 is in that 年度 and no other (April to March).
    (["timeline", "--fy", "令和6年度", "-u", "soka"], "id", {"soka-continuation-2024"}),  # 2024年度以降
    (["timeline", "--fy", "令和5年度", "-u", "soka"], "id", {"soka-asaihl-2023", "workshop"}),
    (["timeline", "--fy", "令和元年度", "-u", "osaka"], "id", {"osaka-ucl-seed-fund"}),  # 2019年度より
    (["timeline", "--fy", "2014年度", "-u", "tokyo"], "id", {"tokyo-spup-launch"}),  # 2014年度
    (["timeline", "--fy", "平成23年度", "-u", "ehime"], "id", {"ehime-suiji-2011"}),  # 平成23年度
    (["timeline", "--fy", "H24", "-u", "ehime"], "id", {"ehime-suiji-2012"}),  # 平成24年度
    # 2021年度 holds the project's start (2021年度), and what the report dates 2021 or November 2021.
    (["timeline", "--fy", "R3", "--kind", "milestone"], "id", {"jfiu-launch", "project-start", "kyushu-vision-2030"}),
    # An era year is that era's part of the year: 平成31年 ended on 30 April 2019.
    (["timeline", "--year", "令和元年", "-u", "kyushu"], "id", {"kyushu-uiuc-2019"}),  # 2019年8月
    (["timeline", "--from", "2019年4月", "--to", "2019年4月", "-u", "osaka"], "id", {"osaka-ucl-seed-fund"}),
    # The fields that say so, in JSON.
    (["timeline", "--fy", "2019年度", "-u", "osaka"], "onward", {True}),
    (["timeline", "--fy", "2019年度", "-u", "osaka"], "date", {"FY2019"}),
    (["timeline", "-u", "waseda", "--to", "1999"], "title_ja_basis", {"curator", None}),
    (["timeline", "--year", "2020", "-u", "soka"], "title_ja_referents", {"本学=創大; 同協会=ASAIHL"}),
    (["universities"], "partners_stated", {14, 5, None}),  # 大阪大学 8か国14校, 京都大学 5校
]

EMPTY = [
    ["timeline", "--fy", "平成30年度", "-u", "osaka"],  # the seed fund began in 2019年度
    ["timeline", "--fy", "2013年度", "-u", "tokyo"],  # the project was launched in 2014年度
    ["timeline", "--fy", "平成22年度", "-u", "ehime"],  # SUIJI was founded in 平成23年度
    ["timeline", "--year", "平成31年", "-u", "kyushu"],  # August 2019 is 令和元年
]

REFUSALS = [
    (["timeline", "--year", "2022年度"], "use --fy 2022年度"),
    (["meetings", "--year", "令和4年度"], "use --fy 令和4年度"),
    (["timeline", "--year", "FY2022"], "use --fy FY2022"),
]


@pytest.mark.parametrize("args,field,expected", ANSWERS, ids=[" ".join(a) for a, _, _ in ANSWERS])
def test_a_japanese_reader_gets_the_reports_answer(cli, args: list[str], field: str, expected: set) -> None:
    assert {row[field] for row in json_rows(cli, *args)} == expected


@pytest.mark.parametrize("args", EMPTY, ids=[" ".join(a) for a in EMPTY])
def test_nothing_outside_its_year(cli, args: list[str]) -> None:
    assert json_rows(cli, *args) == []


@pytest.mark.parametrize("args,hint", REFUSALS, ids=[" ".join(a) for a, _ in REFUSALS])
def test_a_fiscal_year_given_to_year_points_to_fy(cli, args: list[str], hint: str) -> None:
    result = cli(*args)
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 2 and result.stdout == ""
    assert hint in result.stderr and result.stderr.count("\n") == 1


def test_a_fiscal_year_date_is_shown_as_one(cli) -> None:
    md = cli("timeline", "-u", "osaka", "--lang", "ja", "--format", "md").stdout
    assert "| 2019年度以降 ? |" in md  # disputed, marked as in a table
    wareki = cli("timeline", "-u", "ehime", "--lang", "ja", "--date-style", "wareki", "--format", "md").stdout
    assert "| 平成23年度 ? |" in wareki and "| 平成24年度 ? |" in wareki
    english = cli("timeline", "-u", "soka", "--lang", "en", "--format", "md").stdout
    assert "| FY2024 onward ?\\* |" in english  # planned and disputed: both marks, in their order


def test_the_fiscal_year_grouping_puts_them_under_their_year(cli) -> None:
    stats = {r["value"]: r["count"] for r in json_rows(cli, "stats", "--group", "fy") if "fiscal" in r["measure"]}
    timeline = json_rows(cli, "timeline", "--fy", "2019")
    # A date known to its month or day, or as the 年度 itself, is counted there; one known only
    # to a calendar year is listed by --fy 2019 (it may be in it) but counted under its year.
    in_fy = [r for r in timeline if r["date"] == "FY2019" or (len(r["date"]) >= 7 and r["date"] >= "2019-04")]
    assert stats["FY2019"] == len(in_fy) == 2
    by_year = {r["value"]: r["count"] for r in json_rows(cli, "stats") if r["measure"] == "events by year"}
    assert by_year["FY2011"] == 1 and "2011" not in by_year  # no calendar year holds a 年度


def test_exports_carry_the_fiscal_years_span(cli, tmp_path: Path) -> None:
    db = tmp_path / "spnet.db"
    assert cli("export", "sqlite", "--out", str(db)).exit_code == 0
    with sqlite3.connect(db) as conn:
        rows = dict(
            (r[0], r[1:])
            for r in conn.execute("SELECT id, date, date_start, date_end, fiscal_year, onward FROM events")
        )
    assert rows["osaka-ucl-seed-fund"] == ("FY2019", "2019-04-01", "2020-03-31", 2019, 1)
    assert rows["ehime-suiji-2011"] == ("FY2011", "2011-04-01", "2012-03-31", 2011, 0)
    assert rows["symposium-1"][3] == 2021  # a day's 年度, as the report prints it: FY 2021


def _event_with(data: Path, event: str, **fields: object) -> None:
    path = data / "project.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f'id = "{event}"\n')
    block_end = text.index("\n[[", start)
    block = text[start:block_end]
    for key, value in fields.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}\n"
        block = re.sub(rf"^{key} = .*\n", line, block, flags=re.M) if f"\n{key} = " in block else block + "\n" + line
    path.write_text(text[:start] + block + text[block_end:], encoding="utf-8")


@pytest.mark.parametrize(
    "event,fields,message",
    [
        (
            "symposium-1",
            {"fiscal_year": 2022},
            "fiscal_year 2022 disagrees with the date 2022-03-15, which is in FY2021",
        ),
        ("project-start", {"date": "2021", "fiscal_year": 2021}, 'write the 年度 as date = "FY2021"'),
        # 1 April begins the next 年度; 31 March ends the last one
        ("project-end", {"date": "2024-04-01", "fiscal_year": 2023}, "which is in FY2024"),
        ("project-end", {"date": "2024-03", "fiscal_year": 2024}, "which is in FY2023"),
        ("project-start", {"fiscal_year": 2022}, "disagrees with the date FY2021, which is in FY2021"),
        ("symposium-1", {"title_ja_referents": ["本学=東大"]}, "is not WORD=WHOM with WORD in the Japanese title"),
        ("symposium-1", {"title_en_basis": "report"}, "title_en_basis must be one of curator, not 'report'"),
    ],
)
def test_check_refuses_what_disagrees(data_copy: Path, event: str, fields: dict, message: str) -> None:
    _event_with(data_copy, event, **fields)
    result = subprocess.run([*SPNET, "--data", str(data_copy), "check"], capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr  # check's "errors found"
    assert message in result.stderr and "Traceback" not in result.stderr


def test_whose_hongaku_a_title_means_is_shown_and_the_record_keeps_the_reports_words(cli) -> None:
    md = cli("timeline", "-u", "waseda", "-u", "soka", "--lang", "ja", "--format", "md").stdout
    assert "本学〔早大〕がボンオフィスを設置" in md
    assert "本学〔創大〕学長が同協会〔ASAIHL〕会長に就任" in md
    rows = json_rows(cli, "timeline", "-u", "waseda")
    assert "本学がボンオフィスを設置" in {r["title_ja"] for r in rows}  # the report's words, untouched


def test_whose_hongaku_is_shown_even_when_the_university_column_gives_way() -> None:
    result = subprocess.run(
        [*SPNET, "--data", str(DATA), "timeline", "-u", "soka", "--lang", "ja", "--format", "table"],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "60", "PATH": os.environ["PATH"], "LANG": "C.UTF-8"},
    )
    assert result.returncode == 0, result.stderr
    assert "本学〔創大〕" in result.stdout and "創価大学" not in result.stdout.splitlines()[0]


# A title is the report's words or marked as the curators' (not both): tests/test_line_references.py.


def test_a_curators_title_carries_their_mark(cli) -> None:
    md = cli("timeline", "-u", "waseda", "--to", "1999", "--lang", "ja", "--format", "md").stdout
    assert "| ボン大学と学術交流協定締結 \\+ |" in md  # Markdown marks it as a table does
    table = subprocess.run(
        [*SPNET, "--data", str(DATA), "timeline", "-u", "waseda", "--to", "1999", "--lang", "ja", "-f", "table"],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "100", "PATH": os.environ["PATH"]},
    ).stdout
    assert "ボン大学と学術交流協定締結 +" in table and "本学がボンオフィスを設置 +" not in table
    assert "管理者が補足・要約したもの" in table


def test_universities_shows_the_reports_count_beside_the_named_records(cli) -> None:
    rows = {r["id"]: r for r in json_rows(cli, "universities")}
    assert (rows["osaka"]["partners"], rows["osaka"]["partners_stated"]) == (1, 14)  # 8か国14校
    assert rows["waseda"]["partners_stated"] is None  # the report gives no count
    md = cli("universities", "--lang", "ja", "--format", "md").stdout
    assert "| 記録された相手校 | 報告書の相手校数 |" in md
    assert re.search(r"^\| osaka \| 大阪大学 \|.*\| 1 \| 14 \|$", md, re.M)


def test_no_weekday_of_spnets_own_where_the_report_prints_another(cli) -> None:
    """The workshop's 2023年9月9日 is a Saturday; the report prints （金）. A table gives
    no weekday for it rather than one the report never states; a date whose printed
    weekday is the calendar's keeps it."""
    md = cli("timeline", "--kind", "workshop", "--kind", "meeting", "--year", "2023", "--lang", "ja", "-f", "md").stdout
    assert "| 2023年9月9日 ? |" in md and "（土）" not in md  # disputed: the texts print 金
    assert "| 2023年12月11日（月） ? |" in md  # meeting-14: held as printed, 月
    show = cli("show", "workshop", "--lang", "ja", "-f", "md").stdout
    assert "| 日付 | 2023年9月9日 |" in show


def test_each_languages_title_carries_its_own_mark() -> None:
    """Bilingual cells: the report's English title unmarked, the curators' Japanese under it
    with its +."""
    result = subprocess.run(
        [*SPNET, "--data", str(DATA), "timeline", "-u", "ehime", "-f", "table"],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "100", "PATH": os.environ["PATH"], "LANG": "C.UTF-8"},
    )
    assert "SUIJIコンソーシアム設立 +" in result.stdout
    assert "The SUIJI consortium was +" not in result.stdout
    both = subprocess.run(  # both titles the curators': each has its +
        [*SPNET, "--data", str(DATA), "timeline", "-u", "kyoto", "--year", "2023", "-f", "table"],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "100", "PATH": os.environ["PATH"], "LANG": "C.UTF-8"},
    ).stdout.splitlines()
    zurich = next(i for i, line in enumerate(both) if "kyoto-zurich-symposium-2023" in line)
    cell = both[zurich : zurich + 4]
    assert " +" in cell[0] and any("チューリヒ大学と京都大学で" in line and " +" in line for line in cell)


def test_the_fiscal_year_counts_come_in_time_order(cli) -> None:
    rows = [r["value"] for r in json_rows(cli, "stats", "--group", "fy") if "fiscal" in r["measure"]]
    begins = [int(v[2:]) + 0.25 if v.startswith("FY") else int(v[:4]) for v in rows]
    assert begins == sorted(begins) and rows.index("FY2011") < rows.index("2014") < rows.index("FY2014")


def test_show_names_a_curators_title_in_japanese(cli) -> None:
    md = cli("show", "ehime-suiji-2011", "--lang", "ja", "-f", "md").stdout
    assert "| 件名の根拠（日本語） | 管理者による要約 |" in md
    assert json_rows(cli, "show", "ehime-suiji-2011")[0]["title_ja_basis"] == "curator"


@pytest.mark.parametrize("typed", ["ｷｮｳﾄ", "京\u200b都", "\u202e京都", "\x01京都"])
def test_search_reads_half_width_kana_and_drops_invisible_characters(cli, typed: str) -> None:
    assert {r["id"] for r in json_rows(cli, "search", typed)} == {r["id"] for r in json_rows(cli, "search", "京都")}


@pytest.mark.parametrize(
    "stored,fiscal_year",
    [("2024-03-31", 2023), ("2024-04-01", 2024), ("2024-03", 2023), ("2024-04", 2024), ("FY2019", 2019)]
    + [("2024", None), ("199X", None)],
)
def test_the_fiscal_year_of_a_stored_date(stored: str, fiscal_year: int | None) -> None:
    """The 年度 a date is in, as check, --fy's grouping and stats read it: 1 April is the
    first day of one; a year or a decade is in none alone."""
    from spnet.partialdate import PartialDate

    assert PartialDate.parse(stored).fiscal_year == fiscal_year


def test_a_date_on_the_last_day_of_a_fiscal_year_passes_check(data_copy: Path) -> None:
    _event_with(data_copy, "project-end", date="2024-03-31", fiscal_year=2023)
    result = subprocess.run([*SPNET, "--data", str(data_copy), "check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
