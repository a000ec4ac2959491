"""Edges a small change could move without another test seeing it: the first day of a 年度
and of an era, today between past and upcoming, a year's partner against a month or a
day, the institutions of two member universities, the intersection of date options, the
university column with two universities, cells Excel would run, TSV's backslashes, and
SPNET_LANG's spellings. Each test is named for what it holds."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w
from click.testing import Result

from spnet.dates import DateStyle, format_date, to_partial_date
from spnet.partialdate import PartialDate
from tests.conftest import DATA, copy_data, replace_text

INSTALLED = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it


def ids(cli: Callable[..., Result], *args: str) -> list[str]:
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0 and result.exception is None, result.stderr
    return [row["id"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(
    "day,shown",
    [
        ("2019-05-01", "令和元年5月1日（水）"),  # the first day of 令和
        ("2019-04-30", "平成31年4月30日（火）"),  # the last of 平成
        ("1989-01-08", "平成元年1月8日（日）"),
        ("1989-01-07", "昭和64年1月7日（土）"),
        ("1926-12-25", "昭和元年12月25日（土）"),
        ("1912-07-30", "大正元年7月30日（火）"),
        ("1912-07-29", "明治45年7月29日（月）"),
        ("1868-10-23", "明治元年10月23日（金）"),
        ("2023-03", "令和5年3月"),  # a month, in its era too
    ],
)
def test_an_eras_first_day_is_shown_in_that_era(day: str, shown: str) -> None:
    assert format_date(PartialDate.parse(day), DateStyle.WAREKI) == shown


@pytest.mark.parametrize("decade,style,shown", [("199X", DateStyle.ISO, "1990s"), ("199X", DateStyle.JA, "1990年代")])
def test_a_decade_reads_as_the_1990s_or_1990年代(decade: str, style: str, shown: str) -> None:
    assert format_date(PartialDate.parse(decade), style) == shown


@pytest.mark.parametrize("nendo,shown", [("FY2019", "令和元年度"), ("FY2020", "令和2年度"), ("FY1989", "平成元年度")])
def test_the_first_nendo_of_an_era_is_its_gannendo(nendo: str, shown: str) -> None:
    """A 年度 is named by the era of its 31 December: FY2019 began in 平成 but is 令和元年度."""
    assert format_date(PartialDate.parse(nendo), DateStyle.WAREKI) == shown


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("2023-03-03", "2023-03-03"),
        ("令和5年3月3日", "2023-03-03"),
        ("2023年3月", "2023-03"),
        ("R5", "2023"),
        ("1990年代", "199X"),
        ("2022年度", "FY2022"),
    ],
)
def test_spnet_add_stores_a_date_as_precise_as_it_was_typed(typed: str, stored: str) -> None:
    assert to_partial_date(typed) == stored


def refusal(typed: str) -> str:
    """What the installed spnet says of a date given to --from, which it must refuse as a
    usage error, in one line."""
    env = {**os.environ, "SPNET_LANG": "en", "SPNET_DATA": str(DATA)}
    done = subprocess.run(
        [INSTALLED, "timeline", "--from", typed, "--format", "json"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done
    return done.stderr


@pytest.mark.parametrize(
    "typed,said",
    [
        ("令和0年", "an era's first year is 1 (元年), not 0"),
        ("平成32年", "平成 ended in its year 31 (2019-04-30)"),
        ("昭和64年2月", "昭和 ended on 1989-01-07"),
        ("平成元年1月1日", "平成 began on 1989-01-08"),
        ("大正元年7月29日", "大正 began on 1912-07-30"),
        ("大正元年1月", "大正 began on 1912-07-30"),  # a month wholly before it
        ("明治元年10月22日", "明治 began on 1868-10-23"),
        ("3000", "year 3000 is out of range"),
        ("2023年3月3日（土）", "2023-03-03 is a 金曜日 (Friday)"),
        ("2023-03-03 (Sat)", "2023-03-03 is a 金曜日 (Friday)"),
        ("2023年3月（金）", "a weekday goes with a whole date"),
        ("Sunday, 2023", "a weekday goes with a whole date"),  # not "some Sunday of 2023"
        ("Monday 3 March 2023", "2023-03-03 is a 金曜日 (Friday)"),
        ("Mons 3 March 2023", "bad date 'Mons 3 March 2023'; use"),  # no weekday's spelling
        ("March", "no year given"),
    ],
)
def test_a_date_outside_its_era_or_with_the_wrong_weekday_is_refused_saying_why(typed: str, said: str) -> None:
    assert said in refusal(typed)


@pytest.mark.parametrize("year", ["1000", "2999"])
def test_the_first_and_last_years_spnet_takes_are_taken(cli, year: str) -> None:
    result = cli("timeline", "--year", year, "--format", "json")
    assert result.exit_code == 0 and result.exception is None and json.loads(result.stdout) == [], result.stderr


@pytest.mark.parametrize(
    "typed",
    [
        *["2023年3月3日（金）", "2023-03-03 (Fri)", "令和5年3月3日(金)"],
        *["Friday, 3 March 2023", "Fri. 3 Mar 2023", "3 Mar 2023 (Fri)", "3 Mar 2023 (Fri.)"],
    ],
)
def test_a_date_given_with_its_own_weekday_is_taken(cli, typed: str) -> None:
    assert "symposium-2" in ids(cli, "timeline", "--from", typed, "--to", typed)


def test_since_a_month_keeps_a_partner_of_that_year(cli) -> None:
    """ehime-suiji began in 2011, month unknown: it may have begun after June 2011."""
    assert "ehime-suiji" in ids(cli, "partners", "--since", "2011-06")
    assert "ehime-suiji" not in ids(cli, "partners", "--since", "2012")


def test_since_the_last_day_of_a_partners_year_keeps_it(cli) -> None:
    """ehime-suiji began in 2011, day unknown: it may have begun on 31 December."""
    assert "ehime-suiji" in ids(cli, "partners", "--since", "2011-12-31")
    assert "ehime-suiji" not in ids(cli, "partners", "--since", "2012-01-01")


@pytest.mark.parametrize("command,key", [("partners", "institution"), ("institutions", "id")])
def test_shared_keeps_exactly_the_institutions_of_two_or_more_member_universities(cli, command: str, key: str) -> None:
    """National Taiwan University (Kyoto, Kyushu) and UCL (Tohoku, Osaka) are each a partner of
    two member universities; every other institution of one."""
    relations: dict[str, set[str]] = {}
    for row in json.loads(cli("partners", "--format", "json").stdout):
        relations.setdefault(row["institution"], set()).add(row["university"])
    twice = {i for i, universities in relations.items() if len(universities) >= 2}
    assert twice == {"national-taiwan-university", "university-college-london"}
    every = cli(command, "--format", "json").stdout
    shared = cli(command, "--shared", "--format", "json").stdout
    assert {row[key] for row in json.loads(shared)} == twice < {row[key] for row in json.loads(every)}


def test_two_relations_of_one_university_with_an_institution_do_not_make_it_shared(cli, data_copy: Path) -> None:
    """Kyoto's relation with Hamburg made one with Zurich's institution: two relations, one
    member university. Zurich is no shared institution, for --shared and stats alike, and
    counts one member."""
    replace_text(
        data_copy / "universities" / "kyoto.toml",
        'id = "kyoto-hamburg"\n',
        'id = "kyoto-hamburg"\ninstitution = "kyoto-zurich"\n',
    )
    env = {"SPNET_DATA": str(data_copy)}
    shared = json.loads(cli("partners", "--shared", "--format", "json", env=env).stdout)
    assert {row["university"] for row in shared} == {"kyoto", "kyushu", "osaka", "tohoku"}
    assert not {"kyoto-zurich", "kyoto-hamburg"} & {row["id"] for row in shared}
    rows = {row["id"]: row for row in json.loads(cli("institutions", "--format", "json", env=env).stdout)}
    zurich = rows["kyoto-zurich"]
    assert (zurich["universities"], zurich["members"], zurich["relations"]) == (
        "kyoto",
        1,
        "kyoto-zurich; kyoto-hamburg",
    )
    shared_institutions = json.loads(cli("institutions", "--shared", "-f", "json", env=env).stdout)
    assert {row["id"] for row in shared_institutions} == {"national-taiwan-university", "university-college-london"}
    counted = {row["value"]: row["count"] for row in json.loads(cli("stats", "-f", "json", env=env).stdout)}
    assert counted["partner of two or more"] == len(shared_institutions)


def test_an_event_today_is_upcoming_not_past(cli) -> None:
    """The 2nd symposium was held on 2023-03-03."""
    assert "symposium-2" in ids(cli, "timeline", "--upcoming", "--today", "2023-03-03")
    assert "symposium-2" not in ids(cli, "timeline", "--past", "--today", "2023-03-03")
    assert "symposium-2" in ids(cli, "timeline", "--past", "--today", "2023-03-04")


def test_year_and_from_keep_only_what_both_allow(cli) -> None:
    found = ids(cli, "timeline", "--year", "2023", "--from", "2023-06")
    assert "meeting-12" in found  # 2023-07-18
    assert "meeting-11" not in found and "meeting-15" not in found  # 2023-05-26, 2024-02-02
    assert ids(cli, "timeline", "--to", "2023-03", "--year", "2023") == ids(
        cli, "timeline", "--from", "2023-01", "--to", "2023-03-31"
    )


def test_two_universities_keep_the_university_column(cli) -> None:
    def header(*universities: str) -> str:
        args = [a for u in universities for a in ("-u", u)]
        result = cli("partners", *args, "--lang", "en", "--format", "table")
        assert result.exit_code == 0, result.stderr
        return result.stdout.splitlines()[0]

    assert "University" in header("kyoto", "osaka")
    assert "University" not in header("kyoto")
    assert "University" not in header("kyoto", "京大")  # one university, named twice


def _first_partner_of_kyoto_named(tmp_path: Path, name: str) -> Path:
    """A copy of the archive whose first partner of Kyoto (kyoto-vienna) has this English name."""
    data = tmp_path / "data"
    copy_data(data)
    path = data / "universities" / "kyoto.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    doc["partners"][0]["name_en"] = name
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return data


@pytest.mark.parametrize("name,cell", [("C:\\new", "C:\\\\new"), ("a\tb", "a\\tb"), ("a\\tb", "a\\\\tb")])
def test_tsv_doubles_a_backslash_so_a_tab_and_a_written_backslash_t_differ(
    tmp_path: Path, name: str, cell: str
) -> None:
    data = _first_partner_of_kyoto_named(tmp_path, name)
    run = [str(INSTALLED), "--data", str(data), "partners", "-u", "kyoto", "--format", "tsv", "--fields", "id,name_en"]
    done = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert f"kyoto-vienna\t{cell}\n" in done


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_bom_guards_every_cell_excel_would_read_as_a_formula(tmp_path: Path, lead: str) -> None:
    data = _first_partner_of_kyoto_named(tmp_path, f"{lead}1+2")
    run = [str(INSTALLED), "--data", str(data), "partners", "-u", "kyoto", "--format", "csv", "--fields", "id,name_en"]

    def names(*more: str) -> dict[str, str]:
        done = subprocess.run([*run, *more], capture_output=True, check=True).stdout.decode("utf-8-sig")
        return dict(csv.reader(io.StringIO(done, newline="")))  # a carriage return inside a cell kept

    assert names()["kyoto-vienna"] == f"{lead}1+2"
    assert names("--bom")["kyoto-vienna"] == f"'{lead}1+2"


@pytest.mark.parametrize("spelling", ["ja", "jp", "JP", "ja_JP.UTF-8", "日本語"])
def test_spnet_lang_spellings_of_japanese_speak_japanese(spelling: str) -> None:
    env = {**os.environ, "SPNET_LANG": spelling, "SPNET_DATA": str(DATA), "LANG": "C.UTF-8"}
    env.update(LC_ALL="", LC_MESSAGES="", LANGUAGE="")
    result = subprocess.run([str(INSTALLED), "timeline", "--year", "20233"], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("spnet: エラー: 日付 '20233' は読めません。")


def test_source_json_is_the_reports_facts_whatever_fields_are_given(cli) -> None:
    """The facts of the report are one object with keys of its own: --fields chooses among
    a listing's columns, which it has none of."""
    result = cli("source", "--format", "json", "--fields", "line,text")
    assert result.exit_code == 0 and result.exception is None, result.stderr
    assert json.loads(result.stdout)["title_en"].startswith("Building a Network")


def test_stats_names_a_country_by_the_one_its_partners_have(tmp_path: Path) -> None:
    """Two countries may share an English name (the curators' us renamed Germany here): the
    Japanese shown is that of the country the partners counted have, not of any namesake."""
    data = tmp_path / "data"
    copy_data(data)
    path = data / "countries.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"United States"', '"Germany"'), encoding="utf-8")
    env = {**os.environ, "SPNET_DATA": str(data), "SPNET_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [INSTALLED, "stats", "--lang", "ja", "--format", "md"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "| ドイツ | ████ 4 |" in done.stdout and "米国" not in done.stdout


@pytest.mark.parametrize(
    "lang,planned,onward",
    [("en", "| tentative | yes |", "| onward | no |"), ("ja", "| 予定 | ○ |", None)],
)
def test_a_yes_or_no_reads_as_the_word_of_its_language(
    cli: Callable[..., Result], lang: str, planned: str, onward: str | None
) -> None:
    """The 16th meeting is planned, and not an event that began then and went on: yes and no
    in English, ○ in Japanese (a Japanese form's mark), never the other way round."""
    result = cli("show", "meeting-16", "--format", "md", "--lang", lang)
    assert result.exit_code == 0 and result.exception is None, result.stderr
    assert planned in result.stdout.splitlines()
    assert onward is None or onward in result.stdout.splitlines()


def test_a_word_for_a_university_is_explained_at_its_first_use_only() -> None:
    """本学〔早大〕: the brackets an editor adds, once, after the first 本学 of a title."""
    from spnet.cells import with_referents

    assert with_referents("本学と本学の協定", ["本学=早大"]) == "本学〔早大〕と本学の協定"
    assert (
        with_referents("本学が同協会に加盟", ["本学=早大", "同協会=ASAIHL"]) == "本学〔早大〕が同協会〔ASAIHL〕に加盟"
    )


def test_a_listings_yes_or_no_is_japanese_with_lang_ja(cli: Callable[..., Result]) -> None:
    """A boolean asked for by --fields in a listing reads as ○ or — in Japanese."""
    result = cli("timeline", "--lang", "ja", "--fields", "id,tentative", "--format", "md", "--year", "2024")
    assert result.exit_code == 0 and result.exception is None, result.stderr
    assert "| meeting-16 | ○ |" in result.stdout.splitlines() and "| meeting-15 | — |" in result.stdout.splitlines()


def test_a_value_inside_a_list_of_a_record_reads_in_the_readers_words(cli: Callable[..., Result]) -> None:
    """show reads a nested field by its own name (disagreements[0].held is a `held`): which
    field the texts dispute and which reading the archive holds, in Japanese words."""
    result = cli("show", "meeting-03", "--lang", "ja", "--format", "md")
    assert result.exit_code == 0 and result.exception is None, result.stderr
    lines = result.stdout.splitlines()
    assert "| 日英相違[0].項目 | 日付 |" in lines and "| 日英相違[0].採用した読み | 日本語 |" in lines
