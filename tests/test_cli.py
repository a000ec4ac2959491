"""The commands as a user or a script runs them, on the real archive."""

from __future__ import annotations

import csv
import io
import json
import re
from importlib.metadata import version

import pytest
from rich.cells import cell_len

ANSI = re.compile(r"\x1b\[")


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# ------------------------------------------------------------------ basics
def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"spnet {version('spnet')}\n"


def test_check_on_the_shipped_archive(cli) -> None:
    result = cli("check")
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: ")
    assert "9 universities" in result.stdout
    warnings = result.stderr.splitlines()
    assert all(line.startswith("warning: ") for line in warnings)
    assert any("meeting-14" in w and "2023-12-22 is a Friday" in w for w in warnings)


@pytest.mark.parametrize(
    "command",
    [
        "check",
        "universities",
        "partners",
        "timeline",
        "meetings",
        "symposia",
        "contacts",
        "show",
        "search",
        "export",
        "graph",
        "stats",
        "institutions",
        "fmt",
        "help",
    ],
)
def test_every_command_has_help_with_an_example(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "Example: spnet " in result.stdout


# ------------------------------------------------------------------ universities, partners
def test_universities_json(cli) -> None:
    data = rows(cli("universities", "--format", "json"))
    assert [u["id"] for u in data][:2] == ["tokyo", "tohoku"]
    kyoto = next(u for u in data if u["id"] == "kyoto")
    assert kyoto["name_ja"] == "京都大学" and kyoto["partners"] == 5 and kyoto["managing"] is False


@pytest.mark.parametrize("name", ["kyoto", "Kyoto University", "kyoto university", "京都大学", "京都", "ＫＹＯＴＯ"])
def test_university_names_resolve(cli, name: str) -> None:
    data = rows(cli("partners", "--university", name, "--format", "json"))
    assert {p["university"] for p in data} == {"kyoto"}
    assert [p["id"] for p in data] == ["kyoto-vienna", "kyoto-bordeaux", "kyoto-zurich", "kyoto-hamburg", "kyoto-ntu"]


def test_partner_json_fields(cli) -> None:
    data = rows(cli("partners", "-u", "osaka", "--format", "json"))
    assert data == [
        {
            "id": "osaka-ucl",
            "university": "osaka",
            "name_en": "University College London (UCL)",
            "name_ja": "ユニバーシティ・カレッジ・ロンドン（UCL）",
            "country": "gb",
            "country_en": "UK",
            "country_ja": "英国",
            "kind": "strategic-partner",
            "since": None,
            "disputed": False,
            "institution": "university-college-london",  # Tohoku's partner too
            "designated": None,  # the report dates no agreement with UCL
            "since_what_en": None,
            "since_what_ja": None,
            "designated_what_en": None,
            "designated_what_ja": None,
            "lines": "2652, 2647, 2653, 2655, 2605, 2365, 2609, 2656",
            "cites": "name_ja: 2365",  # the name as Osaka's text does not print it: （以下、UCL）
            "disputed_fields": None,
            "country_basis": "stated",  # the report says where UCL is: no + in a table
            "since_start": None,
            "since_end": None,
            "designated_start": None,
            "designated_end": None,
        }
    ]


def test_partner_filters(cli) -> None:
    assert {p["id"] for p in rows(cli("partners", "--country", "英国", "--format", "json"))} == {
        "tohoku-ucl",
        "osaka-ucl",
        "tokyo-cambridge",  # the curators': the report does not say where Cambridge is
    }
    consortia = rows(cli("partners", "--kind", "consortium", "--format", "json"))
    assert {p["kind"] for p in consortia} == {"consortium"}
    recent = rows(cli("partners", "--since", "2019", "--format", "json"))
    assert recent and all(p["since"] >= "2019" for p in recent)
    assert "waseda-bonn" not in {p["id"] for p in recent}


# ------------------------------------------------------------------ timeline and dates
def test_meetings_in_2023_are_exactly_those_held_in_2023(cli) -> None:
    data = rows(cli("meetings", "--year", "2023", "--format", "json"))
    assert [m["number"] for m in data] == [9, 10, 11, 12, 13, 14]
    assert all(m["date"].startswith("2023-") for m in data)
    assert data[-1] == {
        "number": 14,
        "date": "2023-12-11",
        "tentative": False,
        "weekday_en": "Monday",
        "weekday_ja": "月",
        "theme_en": None,
        "theme_ja": None,
        "kind": "meeting",
        "title_en": "14th Meeting",
        "title_ja": "第14回",
        "university": None,
        "id": "meeting-14",
        "disputed": True,  # the printed weekday and the date disagree between the texts
        "disputed_fields": "date",
        "date_start": "2023-12-11",
        "date_end": "2023-12-11",
    }


@pytest.mark.parametrize("year", ["2023", "2023年", "令和5年", "R5"])
def test_year_forms_agree(cli, year: str) -> None:
    assert [m["number"] for m in rows(cli("meetings", "--year", year, "--format", "json"))] == [9, 10, 11, 12, 13, 14]


@pytest.mark.parametrize("fy", ["2022", "FY2022", "FY 2022", "2022年度", "令和4年度"])
def test_fiscal_year_is_april_to_march(cli, fy: str) -> None:
    numbers = [m["number"] for m in rows(cli("meetings", "--fy", fy, "--format", "json"))]
    assert numbers == [5, 6, 7, 8, 9, 10]  # 2022-05-24 .. 2023-03-27
    symposia = rows(cli("symposia", "--fy", fy, "--format", "json"))
    assert [s["number"] for s in symposia] == [2]


def test_partial_dates_mean_their_whole_span(cli) -> None:
    march = rows(
        cli(
            "timeline",
            "--from",
            "2023-03",
            "--to",
            "2023-03",
            "--kind",
            "meeting",
            "--kind",
            "symposium",
            "--format",
            "json",
        )
    )
    assert [e["id"] for e in march] == ["symposium-2", "meeting-10"]
    assert (
        rows(cli("timeline", "--from", "March 2023", "--to", "2023年3月", "--kind", "meeting", "--format", "json"))[0][
            "id"
        ]
        == "meeting-10"
    )
    # An event is in a span when its own span overlaps it: "2023" may have been on that day.
    day = rows(cli("timeline", "--from", "3 Mar 2023", "--to", "2023年3月3日", "--format", "json"))
    assert [(e["id"], e["date"]) for e in day] == [
        ("soka-asaihl-2023", "2023"),
        ("keio-u7-summit-2023", "2023-03"),
        ("kyoto-zurich-symposium-2023", "2023-03"),
        ("symposium-2", "2023-03-03"),
    ]


def test_timeline_keeps_partial_and_tentative_dates(cli) -> None:
    data = rows(cli("timeline", "--from", "2024-03", "--format", "json"))
    m16 = next(e for e in data if e["id"] == "meeting-16")
    assert m16 == {
        "id": "meeting-16",
        "date": "2024-03",
        "tentative": True,
        "kind": "meeting",
        "number": 16,
        "title_en": "16th Meeting",
        "title_ja": "第16回",
        "university": None,
        "disputed": False,
        "onward": False,
        "title_en_basis": None,
        "title_ja_basis": None,
        "title_ja_referents": None,
        "lines": "2208, 2257, 2191, 2239",
        "cites": "venue_ja: 2191; venue_en: 2239",
        "disputed_fields": None,
        "date_start": "2024-03-01",  # March 2024, the month the report gives
        "date_end": "2024-03-31",
    }
    bonn = rows(cli("timeline", "-u", "waseda", "--to", "1999", "--format", "json"))
    assert [(e["id"], e["date"]) for e in bonn] == [
        ("waseda-bonn-1960", "1960"),
        ("waseda-bonn-office", "199X"),
        ("waseda-ulb-1996", "1996"),
    ]


def test_upcoming_and_past_are_relative_to_today(cli) -> None:
    upcoming = rows(cli("timeline", "--upcoming", "--today", "2024-05-01", "--format", "json"))
    assert [e["id"] for e in upcoming] == [
        "soka-continuation-2024",  # "2024 (planned)": not over on 1 May 2024
        "kyoto-vienna-symposium-2024",
        "kyoto-tri-symposium-2024",
    ]
    past = rows(cli("timeline", "--past", "--format", "json", env={"SPNET_TODAY": "2021-12-03"}))
    assert past[-1]["id"] == "meeting-01"


def test_timeline_table_groups_by_year_and_marks_plans(cli) -> None:
    result = cli("timeline", "--format", "table", "--from", "2024")
    assert result.exit_code == 0
    assert re.search(r"^2024-03 \*  ", result.stdout, re.M)  # planned: marked, and explained below
    assert result.stdout.endswith("\n* planned when the report was written / 報告書の時点で予定\n")
    assert re.search(r"^2024$", result.stdout, re.M)  # the year's heading
    # A date known only to the year is not repeated under its year's heading.
    assert not re.search(r"^2024 ", result.stdout, re.M)
    assert not ANSI.search(result.stdout)


def test_symposia(cli) -> None:
    data = rows(cli("symposia", "--format", "json"))
    assert [(s["date"], s["time"]) for s in data] == [
        ("2022-03-15", "17:00-20:00"),
        ("2023-03-03", "17:30-20:00"),
        ("2023-12-19", "17:30-20:00"),
    ]
    assert data[1]["keynotes_en"] == "Akiyoshi Yonezawa; Geraint Rees"
    assert data[1]["keynotes_ja"] == "米澤彰純; Geraint Rees"
    assert data[2]["report_url"] == "https://www.u-tokyo.ac.jp/content/400184826.pdf"


def test_contacts(cli) -> None:
    data = rows(cli("contacts", "--university", "tokyo", "--format", "json"))
    contact = data[0]
    assert contact["type"] == "contact" and contact["email"] == "intl-project.adm@gs.mail.u-tokyo.ac.jp"
    assert contact["name_ja"] == "国際研究推進課"
    hayashi = next(p for p in data if p["id"] == "hayashi-kaori")
    assert (hayashi["name_en"], hayashi["name_ja"]) == ("Kaori HAYASHI", "林 香里")
    assert {p["university"] for p in data} == {"tokyo"}


def test_a_contacts_affiliation_reads_in_each_languages_order(cli) -> None:
    """The department, then the university in English; the university, then the department
    in Japanese, as the report writes each; none at all is null, never an empty text."""
    contacts = {c["id"]: c for c in rows(cli("contacts", "--format", "json")) if c["type"] == "contact"}
    card = rows(cli("show", "project-contact", "--format", "json"))
    project = contacts["project-contact"]
    assert project["affiliation_en"] == f"{card['department_en']}, {card['affiliation_en']}"
    # 国立大学法人東京大学 研究推進部
    assert project["affiliation_ja"] == f"{card['affiliation_ja']} {card['department_ja']}"
    organizer = contacts["symposium-organizer"]
    assert (organizer["affiliation_en"], organizer["affiliation_ja"]) == (None, None)


# ------------------------------------------------------------------ show and search
def test_show_a_record_with_its_disagreement(cli) -> None:
    result = cli("show", "meeting-03", "--format", "json")
    card = rows(result)
    assert card["record"] == "event" and card["date"] == "2022-02-10"
    assert card["disagreements[0].en"] == "Thursday, 20 February 2022"
    assert card["source.section"].startswith("3-3 Member universities meetings")
    table = cli("show", "meeting-03", "--format", "table")
    assert "disagreements[0].reason" in table.stdout and "Sunday" in table.stdout


def test_search_is_width_and_case_insensitive(cli) -> None:
    ucl = rows(cli("search", "ＵＣＬ", "--format", "json"))
    assert {r["id"] for r in ucl} >= {"tohoku-ucl", "osaka-ucl"}
    kyoto = rows(cli("search", "京都", "--format", "json"))
    assert any(r["id"] == "kyoto" and r["field"] == "name_ja" for r in kyoto)
    assert rows(cli("search", "ucl", "--format", "json")) == ucl


# ------------------------------------------------------------------ output formats
def test_plain_is_the_default_when_piped(cli) -> None:
    result = cli("meetings", "--year", "2022")
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["2", "3", "4", "5", "6", "7", "8"]
    assert lines[0].split("\t")[:3] == ["2", "2022-01-13", "false"]
    assert all(len(line.split("\t")) == 16 for line in lines)
    # disputed: the 3rd and 8th meetings' dates, the 6th meeting's theme; then which field; then the days
    assert [line.split("\t")[12:14] for line in lines] == [
        ["false", ""],
        ["true", "date"],
        ["false", ""],
        ["false", ""],
        ["true", "theme"],
        ["false", ""],
        ["true", "date"],
    ]
    assert all(line.split("\t")[1] == line.split("\t")[14] == line.split("\t")[15] for line in lines)  # days


def test_csv_tsv_headers_bom_and_fields(cli) -> None:
    csv_out = cli("partners", "-u", "soka", "--format", "csv", "--bom")
    assert csv_out.stdout.startswith("\ufeffid,university,name_en")
    parsed = list(csv.DictReader(io.StringIO(csv_out.stdout.lstrip("\ufeff"))))
    assert parsed[0]["name_ja"] == "東南アジア高等教育協会（ASAIHL）"
    tsv = cli("partners", "-u", "soka", "--format", "tsv", "--fields", "name_ja,id", "--no-header")
    assert tsv.stdout.splitlines()[0] == "東南アジア高等教育協会（ASAIHL）\tsoka-asaihl"


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "plain"])
def test_machine_formats_have_the_same_columns(cli, fmt: str) -> None:
    keys = list(rows(cli("timeline", "--format", "json"))[0])
    result = cli("timeline", "--format", fmt)
    first = result.stdout.splitlines()[0]
    if fmt == "json":
        assert list(json.loads(result.stdout)[0]) == keys
    elif fmt == "plain":
        assert len(first.split("\t")) == len(keys)
    else:
        assert first.split("," if fmt == "csv" else "\t") == keys


def test_lang_selects_columns(cli) -> None:
    en = rows(cli("universities", "--format", "json", "--lang", "en"))
    assert "name_ja" not in en[0] and en[0]["name_en"] == "The University of Tokyo"
    ja = cli("universities", "--format", "table", "--lang", "ja")
    assert "東京大学" in ja.stdout and "The University of Tokyo" not in ja.stdout


def test_markdown(cli) -> None:
    result = cli("meetings", "--year", "2024", "--format", "md")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| No. | Date |") and lines[1].startswith("| --- |")
    assert "| 2024-03 \\* |" in result.stdout  # planned: marked as in a table, and explained below it
    assert result.stdout.endswith("|\n\n- \\* planned when the report was written / 報告書の時点で予定\n")


@pytest.mark.parametrize(
    "args", [["universities"], ["partners"], ["meetings"], ["contacts"], ["timeline", "-u", "ehime"]]
)
@pytest.mark.parametrize("ascii_", [False, True])
def test_tables_fit_the_width_with_japanese_in_them(cli, args: list[str], ascii_: bool) -> None:
    """CJK text counts two cells: no line of a table is wider than the terminal."""
    result = cli(*args, "--format", "table", *(["--ascii"] if ascii_ else []), env={"COLUMNS": "100"})
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 100
    assert any("\u3000" <= ch <= "\u9fff" for ch in result.stdout)
    box_drawing = [ch for ch in result.stdout if "\u2500" <= ch <= "\u257f" or ch in "…✓█"]
    assert (box_drawing == []) == ascii_


HOSTILE = "Kyoto University [strategic] [bold red]x[/] :smile:"


def test_archive_text_is_not_markup(cli, data_copy) -> None:
    path = data_copy / "universities" / "kyoto.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('name_en = "Kyoto University"', f'name_en = "{HOSTILE}"'), encoding="utf-8")
    for fmt in ("table", "md", "plain"):
        result = cli("--data", str(data_copy), "universities", "--format", fmt, "--fields", "id,name_en")
        shown = re.sub(r"\\(.)", r"\1", result.stdout) if fmt == "md" else result.stdout  # Markdown's escapes read
        assert HOSTILE in shown, fmt
        assert not ANSI.search(result.stdout)
    data = rows(cli("--data", str(data_copy), "universities", "--format", "json"))
    assert data[5]["name_en"] == HOSTILE


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the installed command under a pseudo-terminal and return what it drew."""
    import os
    import sys

    from tests.test_screens import run_on_pty

    screen, _, _ = run_on_pty([sys.executable, "-m", "spnet", *args], {**os.environ, "COLUMNS": "120", **env})
    return screen


# SGR sequences that set a colour (30-37, 38;..., 40-47, 48;..., 90-97, 100-107).
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]")
ANY_STYLE = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize(
    "env,styled,coloured",
    [
        ({"TERM": "xterm-256color", "NO_COLOR": ""}, True, None),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, True, False),
        ({"TERM": "dumb", "NO_COLOR": ""}, False, False),
    ],
)
def test_terminal_output_follows_no_color_and_term(env: dict[str, str], styled: bool, coloured: bool | None) -> None:
    from tests.conftest import DATA

    screen = _run_on_a_terminal(["--data", str(DATA), "meetings", "--year", "2023"], env)
    assert "meeting-14" in screen  # a table is the default on a terminal
    assert bool(ANY_STYLE.search(screen)) == styled  # bold headers, unless TERM=dumb
    if coloured is not None:
        assert bool(COLOUR.search(screen)) == coloured


def test_no_colour_when_piped_even_for_tables(cli) -> None:
    result = cli("symposia", "--format", "table")
    assert result.exit_code == 0 and not ANSI.search(result.stdout)


@pytest.mark.parametrize(
    "argv,code,out,err",
    [
        (["meetings", "--year", "2024", "--format", "tsv", "--no-header", "--fields", "number"], 0, "15\n16\n", ""),
        (["--help"], 0, "timeline", ""),
        (["meetngs"], 2, "", "spnet: error: no such command 'meetngs'; did you mean 'meetings'?"),
        (["partners", "-u", "nagoya"], 2, "", "spnet: error: unknown university 'nagoya'"),
    ],
)
def test_the_console_script_as_a_user_runs_it(argv: list[str], code: int, out: str, err: str) -> None:
    """Through main(), which registers only the command named (the others are not built)."""
    import subprocess
    import sys

    from tests.conftest import DATA

    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(DATA), *argv], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == code
    assert out in result.stdout if out else result.stdout == ""
    assert result.stderr.startswith(err) if err else result.stderr == ""
    if argv == ["--help"]:
        for command in ("universities", "partners", "meetings", "symposia", "contacts", "show", "search", "check"):
            assert command in result.stdout


def test_show_names_related_records(cli) -> None:
    card = rows(cli("show", "symposium-2", "--format", "json"))
    keys = list(card)
    assert card["participants[0].person"] == "hayashi-kaori"
    assert keys.index("participants[0].name_en") == keys.index("participants[0].person") + 1
    assert card["participants[0].name_ja"] == "林 香里" and card["participants[1].name_ja"] == "小林 洋介"
    assert "participants[1].name_en" not in card  # the report gives that name in Japanese only
    assert rows(cli("show", "kyoto-zurich", "--format", "json"))["events"] == (
        "kyoto-designation-2020, kyoto-zurich-symposium-2023"
    )
    kyoto = rows(cli("show", "kyoto", "--format", "json"))
    assert kyoto["partners"] == "kyoto-vienna, kyoto-bordeaux, kyoto-zurich, kyoto-hamburg, kyoto-ntu"
    assert "workshop" in kyoto["events"].split(", ")


def test_show_lists_every_event_that_names_a_record_in_date_order(cli) -> None:
    """What `show` lists under "events", for every partner, person and university: each
    event that names it (a university: that names it or is in its file), in the timeline's
    order, as the events' own cards say."""
    cards = [rows(cli("show", e["id"], "--format", "json")) for e in rows(cli("timeline", "--format", "json"))]
    ids = {r["id"] for r in rows(cli("partners", "--format", "json"))}
    universities = {r["id"] for r in rows(cli("universities", "--format", "json"))}

    def named(card: dict, key: str) -> list[str]:
        if key in card:  # a list of ids, as a card gives it
            return card[key].split(", ")
        return [v for k, v in card.items() if k.startswith(f"{key}[") and k.endswith("].person")]

    ids |= {person for c in cards for person in named(c, "participants")}
    assert len(ids) > 40 and len(universities) == 9
    for rid in sorted(ids | universities):
        if rid in universities:
            expected = [c["id"] for c in cards if c.get("university") == rid or rid in named(c, "universities")]
        else:
            expected = [c["id"] for c in cards if rid in named(c, "partners") + named(c, "participants")]
        card = rows(cli("show", rid, "--format", "json"))
        assert card.get("events", "") == ", ".join(expected), rid
