"""What a Japanese reader types, and what they must get: one table of inputs (names,
countries, kinds, dates, eras, 年度, searches, languages) with the expected answer, or the
refusal (exit 2) and its reason."""

from __future__ import annotations

import pytest

from tests.conftest import json_rows

MEETINGS_FY2023 = {11, 12, 13, 14, 15, 16}
MEETINGS_2023 = {9, 10, 11, 12, 13, 14}
UK = {"osaka-ucl", "tohoku-ucl", "tokyo-cambridge"}
KEIO_RECORDS = {"fr", "keio", "keio-g7-hiroshima-2023", "keio-sciences-po", "keio-u7", "keio-u7-launch-2019"}
KEIO_RECORDS |= {"keio-u7-summit-2023", "kishida-fumio", "sym2-keio-presenter", "symposium-2"}

# (arguments, the field to collect from the JSON answer, the values it must hold)
ANSWERS = [
    # universities
    (["partners", "-u", "京都大学"], "university", {"kyoto"}),
    (["partners", "-u", "京大"], "university", {"kyoto"}),
    (["partners", "-u", "京都"], "university", {"kyoto"}),
    (["partners", "-u", "慶応"], "university", {"keio"}),
    (["partners", "-u", "慶應義塾大学"], "university", {"keio"}),
    (["partners", "-u", "慶応義塾"], "university", {"keio"}),
    (["partners", "-u", "九州大学"], "university", {"kyushu"}),
    (["partners", "-u", "東京大学"], "university", {"tokyo"}),
    (["partners", "-u", "早稲田大学"], "university", {"waseda"}),
    (["partners", "-u", "愛媛"], "university", {"ehime"}),
    (["partners", "-u", "阪大", "-u", "東北大学"], "university", {"osaka", "tohoku"}),
    (["partners", "-u", "ＫＹＯＴＯ"], "university", {"kyoto"}),
    # countries
    (["partners", "--country", "英国"], "id", UK),
    (["partners", "--country", "イギリス"], "id", UK),
    (["partners", "--country", "アメリカ"], "id", {"kyushu-uiuc", "tokyo-princeton"}),
    (["partners", "--country", "米国"], "id", {"kyushu-uiuc", "tokyo-princeton"}),
    (["partners", "--country", "台湾"], "id", {"kyoto-ntu", "kyushu-ntu"}),
    (["partners", "--country", "韓国"], "id", {"tokyo-snu"}),
    (["partners", "--country", "スイス"], "id", {"kyoto-zurich", "tokyo-eth-zurich"}),
    (["partners", "--country", "ドイツ"], "id", {"kyoto-hamburg", "waseda-bonn"}),
    # kinds, in the glossary's Japanese
    (["timeline", "--kind", "会議", "--year", "2022"], "kind", {"meeting"}),
    (["timeline", "--kind", "シンポジウム"], "id", {"symposium-1", "symposium-2", "symposium-3"}),
    (["timeline", "--kind", "しんぽじうむ"], "id", {"symposium-1", "symposium-2", "symposium-3"}),
    (["timeline", "--kind", "ワークショップ"], "id", {"workshop"}),
    (["timeline", "--kind", "調査"], "kind", {"survey"}),
    (["partners", "--kind", "戦略的パートナー", "-u", "京大"], "kind", {"strategic-partner"}),
    (["partners", "--kind", "コンソーシアム加盟校"], "kind", {"consortium-member"}),
    # dates, in the report's own form and the eras
    # The project began in 2021年度 (April 2021 to March 2022), which holds 10 February 2022 too.
    (
        ["timeline", "--from", "2022年02月10日（木）", "--to", "2022年02月10日（木）"],
        "id",
        {"meeting-03", "project-start"},
    ),
    (["timeline", "--from", "2023/3/3", "--to", "2023/3/31", "--kind", "会議"], "id", {"meeting-10"}),
    (["timeline", "--from", "R5.3.3", "--to", "R5.3.31", "--kind", "会議"], "id", {"meeting-10"}),
    (["timeline", "--from", "令和5年3月27日", "--to", "令和5年3月27日", "--kind", "会議"], "id", {"meeting-10"}),
    (
        ["timeline", "--from", "２０２３年３月２７日（月）", "--to", "2023-03-27", "--kind", "会議"],
        "id",
        {"meeting-10"},
    ),
    (["timeline", "--from", "2023-03-27 (Mon)", "--to", "2023-03-27", "--kind", "会議"], "id", {"meeting-10"}),
    (["timeline", "--year", "S35"], "id", {"waseda-bonn-1960"}),
    (["timeline", "--year", "昭和35年"], "id", {"waseda-bonn-1960"}),
    (["timeline", "--from", "1990年代", "--to", "1990年代"], "id", {"waseda-bonn-office", "waseda-ulb-1996"}),
    (["timeline", "--from", "1990s", "--to", "1990s"], "id", {"waseda-bonn-office", "waseda-ulb-1996"}),
    (
        ["timeline", "--from", "H31.4.30", "--to", "令和元年12月"],
        "university",
        {"keio", "kyoto", "osaka", "waseda", "kyushu"},
    ),
    (["meetings", "--year", "令和5年"], "number", MEETINGS_2023),
    (["meetings", "--year", "R5"], "number", MEETINGS_2023),
    (["meetings", "--year", "２０２３年"], "number", MEETINGS_2023),
    # 年度
    (["meetings", "--fy", "R5"], "number", MEETINGS_FY2023),
    (["meetings", "--fy", "令和5年"], "number", MEETINGS_FY2023),
    (["meetings", "--fy", "令和5年度"], "number", MEETINGS_FY2023),
    (["meetings", "--fy", "2023年度"], "number", MEETINGS_FY2023),
    (["meetings", "--fy", "FY2023"], "number", MEETINGS_FY2023),
    (["meetings", "--fy", "２０２３"], "number", MEETINGS_FY2023),
    (["meetings", "--fy", "令和3年度"], "number", {1, 2, 3, 4}),
    # searches: variants, kana, spaces, numbers, several words
    (["search", "林香里"], "id", {"hayashi-kaori", "symposium-2"}),
    (["search", "林　香里"], "id", {"hayashi-kaori", "symposium-2"}),
    # 慶応 begins 慶應義塾大学 (a variant apart), so it finds what the university's names find
    (["search", "慶応"], "id", KEIO_RECORDS),
    (["search", "慶應"], "id", KEIO_RECORDS),
    (["search", "慶應義塾大学"], "id", KEIO_RECORDS),
    (["search", "渡辺"], "id", {"symposium-2", "watanabe-satoshi"}),
    (["search", "渡邊"], "id", {"symposium-2", "watanabe-satoshi"}),
    (
        ["search", "國立臺灣大學"],
        "id",
        {"kyoto", "kyoto-designation-2020", "kyoto-ntu", "kyoto-tri-symposium-2024"}
        | {"kyushu", "kyushu-ntu", "kyushu-ntu-2001", "kyushu-ntu-2023", "tw"},
    ),
    (["search", "第1回"], "id", {"keio", "meeting-01", "symposium-1", "symposium-1-report"}),
    (["search", "第01回"], "id", {"keio", "meeting-01", "symposium-1", "symposium-1-report"}),
    (["search", "ＵＣＬ"], "id", {"osaka", "osaka-ucl", "osaka-ucl-seed-fund", "tohoku", "tohoku-ucl"}),
    (["search", "ハンブルク 2023"], "id", {"kyoto", "kyoto-hamburg", "kyoto-hamburg-symposium-2023"}),
    # one record by its name
    (["show", "京都大学"], "id", {"kyoto"}),
    (["show", "第3回連携大学会議"], "id", {"meeting-03"}),
    (["show", "ケンブリッジ大学"], "id", {"tokyo-cambridge"}),
]

REFUSALS = [
    (["timeline", "--year", "令和0年"], "元年"),
    (["timeline", "--year", "R0"], "an era's first year is 1"),
    (["timeline", "--year", "平成32年"], "平成 ended in its year 31 (2019-04-30)"),
    (["timeline", "--year", "昭和65年"], "昭和 ended in its year 64"),
    (["timeline", "--from", "H31.5.1"], "平成 ended on 2019-04-30"),
    (["timeline", "--from", "令和元年4月"], "令和 began on 2019-05-01"),
    (["timeline", "--from", "2023年3月3日（木）"], "2023-03-03 is a 金曜日 (Friday)"),
    (["timeline", "--from", "2023年3月（金）"], "a weekday goes with a whole date"),
    (["timeline", "--from", "2023年13月"], "no such day or month"),
    (["meetings", "--fy", "2023年3月"], "bad fiscal year"),
    (["partners", "--lang", "フランス語"], "unknown --lang"),
    (["timeline", "--date-style", "roman"], "unknown --date-style"),
    (["timeline", "--group", "month"], "unknown --group 'month': give one of year, fy"),
    (["show", "東"], "ambiguous record '東'"),
    (["show", "第3回"], "meeting-03"),  # the 3rd meeting, and the 3rd symposium
]

JA_HEAD = "| ID | 大学 | 名称 | 国 | 種別 | 開始 | 戦略認定 |"
LANGS = [
    ("jp", JA_HEAD),
    ("日本語", JA_HEAD),
    ("JA", JA_HEAD),
    ("英語", "| ID | University | Name | Country | Kind | Since | Designated |"),
    ("両方", "| ID | University | Name | 名称 | Country | 国 | Kind | Since | Designated |"),
]


def test_the_table_is_large() -> None:
    """At least 150 inputs a Japanese reader types, each with the report's answer: this
    table, and those of search and names, of 年度 dates, and of messages."""
    from tests import test_ja_dates, test_ja_messages, test_ja_search

    tables = [
        ANSWERS,
        REFUSALS,
        LANGS,
        test_ja_search.SEARCHES,
        test_ja_search.NAMES,
        test_ja_search.REFUSALS,
        test_ja_dates.ANSWERS,
        test_ja_dates.EMPTY,
        test_ja_dates.REFUSALS,
        test_ja_messages.BAD_INPUT,
        test_ja_messages.SHOW,
    ]
    inputs = {repr(row) for table in tables for row in table}  # each row once, wherever it stands
    assert len(inputs) >= 150


@pytest.mark.parametrize("args,field,expected", ANSWERS, ids=[" ".join(a) for a, _, _ in ANSWERS])
def test_what_a_japanese_reader_types(cli, args: list[str], field: str, expected: set) -> None:
    assert {row[field] for row in json_rows(cli, *args)} == expected


@pytest.mark.parametrize("args,reason", REFUSALS, ids=[" ".join(a) for a, _ in REFUSALS])
def test_what_is_refused_and_why(cli, args: list[str], reason: str) -> None:
    result = cli(*args)
    assert isinstance(result.exception, SystemExit)  # the exit, not an error escaping
    assert result.exit_code == 2
    assert result.stdout == ""
    assert reason in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("typed,header", LANGS)
def test_lang_however_it_is_spelt(cli, typed: str, header: str) -> None:
    result = cli("partners", "-u", "kyoto", "--lang", typed, "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == header


def test_japanese_throughout_under_lang_ja(cli) -> None:
    """Kinds, booleans, plans, decades, universities and dates in Japanese; an English-only
    name stays English rather than blank; the machine formats keep the data as it is."""
    md = cli("timeline", "--year", "2024", "--lang", "ja", "--format", "md").stdout
    assert "| 2024年3月 \\* | 会議 | 16 | 第16回 |  | meeting-16 |" in md
    assert md.endswith("\n- \\* 報告書の時点で予定\n")  # the mark explained in Japanese
    assert "| 2024年2月2日（金） | 会議 | 15 |" in md
    assert "| 出来事 |" in md and "| 九州大学 |" in md
    wareki = cli("timeline", "--year", "2024", "--lang", "ja", "--date-style", "wareki", "--format", "md").stdout
    assert "| 令和6年2月2日（金） |" in wareki
    partners = cli("partners", "-u", "waseda", "--lang", "ja", "--format", "md").stdout
    assert "| 1960年代 |" not in partners and "| 1960年 |" in partners
    contacts = cli("contacts", "--lang", "ja", "--format", "md").stdout
    assert "Schwarzenegger" in contacts  # the report gives this name in English only
    universities = cli("universities", "--lang", "ja", "--format", "md").stdout
    assert "| tokyo | 東京大学 | ✓ |" in universities
    data = json_rows(cli, "timeline", "--year", "2024", "--lang", "ja")
    assert {row["kind"] for row in data} == {"meeting", "milestone"}
    assert "2024-02-02" in {row["date"] for row in data}


def test_stats_in_japanese_and_by_fiscal_year(cli) -> None:
    md = cli("stats", "--lang", "ja", "--group", "fy", "--format", "md").stdout
    assert "| フランス |" in md and "| （記載なし） |" in md and "| 戦略的パートナー |" in md
    rows = json_rows(cli, "stats", "--group", "fy")
    by_fy = {r["value"]: r["count"] for r in rows if r["measure"] == "events by fiscal year"}
    # The events placed in FY2023 are those of the 年度 itself or of a month or day in it
    # (`timeline --fy` also lists a year or a decade that overlaps it).
    in_fy = json_rows(cli, "timeline", "--fy", "2023")
    assert by_fy["FY2023"] == sum(r["date"] == "FY2023" or len(r["date"]) >= 7 for r in in_fy) >= 16
    assert sum(by_fy.values()) == len(json_rows(cli, "timeline"))
    # Scripts get each measure and value in Japanese too, as the table shows them.
    assert list(rows[0]) == ["measure", "value", "count", "measure_ja", "value_ja"]
    in_japanese = {(r["measure"], r["value"]): (r["measure_ja"], r["value_ja"]) for r in rows}
    assert in_japanese["events by fiscal year", "FY2023"] == ("年度別の行事数", "2023年度（令和5年度）")
    assert in_japanese["partners by decade begun", "1990s"] == ("連携開始の年代別", "1990年代")
    assert in_japanese["partners by country", "France"][1] == "フランス" and "| フランス |" in md
    assert all(set(r) == {"measure", "value", "count"} for r in json_rows(cli, "stats", "--lang", "en"))


def test_show_labels_in_japanese(cli) -> None:
    md = cli("show", "meeting-03", "--lang", "ja", "--format", "md").stdout
    assert "| 日英相違[0].理由（英語のみ） |" in md
    assert "| 種別 | 会議 |" in md
    assert "| レコード | 行事 |" in md
