"""Search that understands Japanese, and names that ask instead of guessing: one table of
what a Japanese reader types and what the CLI must answer (the records, best first), or
the refusal (exit 2) and what it names."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, json_rows

MEETINGS = {f"meeting-{n:02}" for n in range(1, 17)}
KYOTO_RECORDS = {
    "kyoto",
    "kyoto-vienna",
    "kyoto-bordeaux",
    "kyoto-zurich",
    "kyoto-hamburg",
    "kyoto-ntu",
    "kyoto-designation-2019",
    "kyoto-designation-2020",
    "kyoto-zurich-symposium-2023",
    "kyoto-hamburg-symposium-2023",
    "kyoto-bordeaux-symposium-2024",
    "kyoto-vienna-symposium-2024",
    "kyoto-tri-symposium-2024",
}
ZURICH = {
    "kyoto-zurich",
    "tokyo-eth-zurich",
    "kyoto-designation-2020",
    "kyoto-zurich-symposium-2023",
    "tokyo",
    "kyoto",
    "kyoto-hamburg",
    "tokyo-stockholm-trio",
    "schwarzenegger-christian",
    "ch",
}
HAYASHI = {"hayashi-kaori", "symposium-2"}
# 京都 and 早稲田 begin a university's name, so they bring its names as 京大 does.
KYOTO_SYMPOSIA = {"kyoto", "kyoto-bordeaux", "kyoto-bordeaux-symposium-2024", "kyoto-hamburg"}
KYOTO_SYMPOSIA |= {"kyoto-hamburg-symposium-2023", "kyoto-ntu", "kyoto-tri-symposium-2024", "kyoto-vienna"}
KYOTO_SYMPOSIA |= {"kyoto-vienna-symposium-2024", "kyoto-zurich-symposium-2023"}
BONN_WASEDA = {"waseda", "waseda-bonn", "waseda-bonn-1960", "waseda-bonn-day-2010", "waseda-bonn-sp-2017"}
BONN_WASEDA |= {"waseda-day-2019"}

# (search words, the ids found, the id found first or None)
SEARCHES = [
    # several words, by any space, quoted or not
    (["京都 シンポジウム"], KYOTO_SYMPOSIA, "kyoto"),
    (["京都", "シンポジウム"], KYOTO_SYMPOSIA, "kyoto"),
    (["京都\u3000シンポジウム"], KYOTO_SYMPOSIA, "kyoto"),
    (["ボン 早稲田"], BONN_WASEDA, "waseda"),
    (["ボン", "早稲田"], BONN_WASEDA, "waseda"),
    # 九州 begins 九州大学, as -u reads it: its relation with NTU and their agreements too
    (["国立台湾大学", "九州"], {"kyushu", "kyushu-ntu", "kyushu-ntu-2001", "kyushu-ntu-2023"}, "kyushu"),
    # whole words: 京大 is not in 東京大学 or 北京大学; a short name brings its university's names
    (["京大"], KYOTO_RECORDS, "kyoto"),
    (
        ["京大", "ハンブルク"],
        {"kyoto", "kyoto-hamburg", "kyoto-designation-2020", "kyoto-hamburg-symposium-2023"}
        | {"kyoto-tri-symposium-2024", "kyoto-ntu"},
        "kyoto",
    ),
    (["北京大学"], {"tokyo-peking", "tokyo", "tokyo-anu"}, "tokyo-peking"),
    (["京"], set(), None),  # a piece of 京都 and of 東京, a word of neither
    # a word that is part of a compound is found; the meetings by the report's name for them
    (["連携大学会議"], MEETINGS, "meeting-01"),
    (["第3回連携大学会議"], {"meeting-03"}, "meeting-03"),
    (["第03回", "連携大学会議"], {"meeting-03"}, "meeting-03"),
    (["会議"], MEETINGS | {"keio-u7-summit-2023", "keio", "ehime", "ehime-lurio-2008"}, "meeting-01"),
    (["第2回"], {"meeting-02", "symposium-2", "symposium-2-report"}, "meeting-02"),
    # each name `show` takes for a numbered event: its shorter ones too
    (["第3回会議"], {"meeting-03"}, "meeting-03"),
    (["第2回シンポジウム"], {"symposium-2", "symposium-2-report"}, "symposium-2"),
    # a date as a Japanese table shows it, or as a person writes it: in the record's date
    (["2023年12月19日（火）"], {"symposium-3"}, "symposium-3"),
    (["R5.3.3"], {"symposium-2"}, "symposium-2"),
    (["令和元年度"], {"osaka-ucl-seed-fund"}, "osaka-ucl-seed-fund"),  # kept as FY2019
    (["H2"], set(), None),  # letters and digits alone are text: no 1990 (平成2年)
    (["H2."], set(), None),  # nor with a stop after them
    # katakana spelling variants
    (["チューリッヒ"], ZURICH, "kyoto-zurich"),
    (["チューリヒ"], ZURICH, "kyoto-zurich"),
    (["ヴェトナム"], {"vn", "tokyo-vnu-hanoi", "tokyo", "tokyo-stockholm-trio"}, "vn"),
    (["ユニバーシティー"], {"osaka-ucl", "tohoku-ucl", "tohoku", "osaka", "rees-geraint"}, "osaka-ucl"),
    (["ユニバーシティカレッジロンドン"], {"osaka-ucl", "tohoku-ucl", "tohoku", "osaka", "rees-geraint"}, None),
    # a 中黒 between katakana typed where the report writes none (ガジャマダ大学)
    (["ガジャ・マダ"], {"ehime", "ehime-bogor", "ehime-gadjah-mada", "ehime-hasanuddin", "ehime-suiji"}, None),
    # and one the report writes, where the analyser reads two words (アフリカ・エチオピア)
    (["エチオピア"], {"et", "soka", "soka-bahir-dar", "soka-injibara"}, "et"),
    # readings in kana, from the analyser
    (["はやし"], HAYASHI, "hayashi-kaori"),
    (["はやしかおり"], HAYASHI, "hayashi-kaori"),
    (["はやし", "かおり"], HAYASHI, "hayashi-kaori"),
    (["林 香里"], HAYASHI, "hayashi-kaori"),
    # the report's reading (its romaji) before the analyser's guess (あきら じゅん for 彰純)
    (["あきよし"], {"yonezawa-akiyoshi"}, "yonezawa-akiyoshi"),
    (["よねざわ", "あきよし"], {"yonezawa-akiyoshi"}, "yonezawa-akiyoshi"),
    (["おおばやし"], {"obayashi-saori", "symposium-2"}, "obayashi-saori"),  # Obayashi: no long vowel in romaji
    (["きしもと"], {"kishimoto-orie"}, "kishimoto-orie"),
    (["きょうと"], KYOTO_RECORDS, "kyoto"),  # the reading of 京都, which begins 京都大学
    (["アンケート"], {"survey"}, "survey"),
    # an informal name of a university is one too
    (
        ["慶應大学"],
        {"keio", "keio-u7-summit-2023", "keio-u7", "keio-sciences-po", "keio-u7-launch-2019", "symposium-2"}
        | {"keio-g7-hiroshima-2023", "sym2-keio-presenter", "kishida-fumio", "fr"},
        "keio",
    ),
    # English and numbers stay pieces of the text
    (["UCL", "2019"], {"osaka-ucl", "osaka-ucl-seed-fund", "osaka"}, "osaka-ucl"),
]

# (arguments, the field of the JSON answer to collect, the values it must hold)
NAMES = [
    (["show", "第3回連携大学会議"], "id", {"meeting-03"}),
    (["show", "第16回連携大学会議"], "id", {"meeting-16"}),
    (["show", "第2回会議"], "id", {"meeting-02"}),
    (["show", "ワークショップ"], "id", {"workshop"}),
    (["show", "アンケート"], "id", {"survey"}),
    (["show", "はやし"], "id", {"hayashi-kaori"}),
    (["show", "ガジャ・マダ大学"], "id", {"ehime-gadjah-mada"}),  # the report: ガジャマダ大学
    (["show", "meeting-02"], "id", {"meeting-02"}),  # an exact id
    (["show", "京都大学"], "id", {"kyoto"}),  # an exact full name
    (["show", "国立台湾大学（NTU）"], "id", {"kyushu-ntu"}),
    (["show", "ULB"], "id", {"waseda-ulb"}),  # the short name its full name gives in brackets,
    # before the events that name it
    (["timeline", "--kind", "連携大学会議"], "id", MEETINGS),
    (["timeline", "--kind", "アンケート"], "id", {"survey"}),
    (["timeline", "--kind", "アンケート調査"], "id", {"survey"}),
    (["partners", "--kind", "戦略的パートナーシップ", "-u", "京大"], "kind", {"strategic-partner"}),
    (["partners", "--kind", "戦略的パートナーシップ校", "-u", "kyoto"], "kind", {"strategic-partner"}),
    (["partners", "-u", "慶應大学"], "university", {"keio"}),
    (["partners", "-u", "慶応大学"], "university", {"keio"}),
    (["partners", "-u", "きょうと"], "university", {"kyoto"}),
    (["partners", "-u", "けいおう"], "university", {"keio"}),
    (["partners", "-u", "とうきょうだいがく"], "university", {"tokyo"}),
    (["partners", "-u", "きょーと"], "university", {"kyoto"}),  # a long vowel typed as ー
    (["partners", "--country", "中華人民共和国"], "id", {"tokyo-tsinghua", "tokyo-peking"}),
    (["partners", "--country", "中国"], "id", {"tokyo-tsinghua", "tokyo-peking"}),
    (["partners", "--country", "豪州"], "id", {"tokyo-anu"}),
    (["partners", "--country", "オーストラリア"], "id", {"tokyo-anu"}),
    (["partners", "--country", "北朝鮮"], "id", set()),  # a country, with no partners
    (["partners", "--country", "朝鮮民主主義人民共和国"], "id", set()),
    (["partners", "--country", "仏"], "country", {"fr"}),
    (["partners", "--country", "フランス共和国"], "country", {"fr"}),
]

REFUSALS = [
    (["show", "第2回"], ["meeting-02", "symposium-2"]),
    (["show", "第3回"], ["meeting-03", "symposium-3"]),
    (["show", "国立台湾大学"], ["kyoto-ntu", "kyushu-ntu"]),
    (["show", "NTU"], ["kyoto-ntu", "kyushu-ntu"]),  # Kyushu's name gives it, for the institution of both
    (["show", "連携大学会議"], ["meeting-01", "meeting-05", "and 11 more"]),
    (["show", "シンポジウム"], ["symposium-1", "symposium-2", "symposium-3"]),
    (["timeline", "--year", "2022年度"], ["--fy 2022年度"]),
    (["timeline", "--year", "FY2022"], ["--fy FY2022"]),
    (["meetings", "--year", "令和4年度"], ["--fy 令和4年度"]),
    (["timeline", "--year", "2022年13月度"], ["'2022年13月度'"]),  # no 年度 either: no hint
    (["timeline", "--kind", "戦略的パートナーシップ"], ["symposium", "workshop"]),
    (["partners", "-u", "大学"], ["unknown university '大学'"]),
    (["search", "\u3000"], ["empty search text"]),
]


def test_the_table_is_large() -> None:
    assert len(SEARCHES) + len(NAMES) + len(REFUSALS) >= 60


@pytest.mark.parametrize("words,ids,first", SEARCHES, ids=[" ".join(w) for w, _, _ in SEARCHES])
def test_search_understands_japanese(cli, words: list[str], ids: set[str], first: str | None) -> None:
    rows = json_rows(cli, "search", *words)
    assert {row["id"] for row in rows} == ids
    if first is not None:
        assert rows[0]["id"] == first


@pytest.mark.parametrize("args,field,expected", NAMES, ids=[" ".join(a) for a, _, _ in NAMES])
def test_names_a_japanese_reader_types(cli, args: list[str], field: str, expected: set[str]) -> None:
    assert {row[field] for row in json_rows(cli, *args)} == expected


@pytest.mark.parametrize("args,named", REFUSALS, ids=[" ".join(a) for a, _ in REFUSALS])
def test_asks_instead_of_guessing(args: list[str], named: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(DATA), *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200"},
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for words in named:
        assert words in result.stderr


def test_an_ambiguous_name_lists_five_at_most(cli) -> None:
    result = cli("show", "連携大学会議")
    assert result.exit_code == 2
    assert len(re.findall(r"meeting-\d\d", result.stderr)) == 5


def test_the_best_match_comes_first_then_the_archive_order(cli) -> None:
    """A record named by the word (its name is the word) before one whose text holds it."""
    ids = list(dict.fromkeys(row["id"] for row in json_rows(cli, "search", "シンポジウム")))
    assert ids[:3] == ["symposium-1", "kyoto-zurich-symposium-2023", "symposium-2"]
    assert ids.index("kyoto") > ids.index("kyoto-tri-symposium-2024")


def test_the_highlight_is_where_the_match_really_is(cli, data_copy: Path) -> None:
    """京大 is highlighted as a word of its own and as the names it stands for, never
    inside 東京大学."""
    kyoto = data_copy / "universities" / "kyoto.toml"
    kyoto.write_text(kyoto.read_text(encoding="utf-8").replace("本学では", "東京大学と同じく本学（京大）では", 1))
    env = {"FORCE_COLOR": "1", "TERM": "xterm", "COLUMNS": "200"}
    result = cli("--data", str(data_copy), "search", "京大", "--format", "table", "--no-pager", env=env)
    assert result.exit_code == 0, result.stderr
    assert "東京大学と同じく本学（\x1b[1;7m京大\x1b[0m）" in result.stdout  # the row of the edited text
    assert "東\x1b[1;7m京大" not in result.stdout
    marked = set(re.findall(r"\x1b\[1;7m(.*?)\x1b\[0m", result.stdout))
    assert marked == {"京都大学", "Kyoto University", "京大"}


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("慶応", "慶應"),
        ("ぱーとなー", "パートナー"),
        ("第3回", "第03回"),
        ("第2回", "第２回"),  # a number in full-width digits
        ("[フィリピン]", "［フィリピン］"),
    ],
)
def test_a_match_written_another_way_is_highlighted_as_written(cli, typed: str, written: str) -> None:
    """search finds 慶應 for 慶応 and katakana for hiragana: the highlight (and the snippet
    around it) finds the match as the text writes it."""
    env = {"FORCE_COLOR": "1", "TERM": "xterm", "COLUMNS": "200"}
    result = cli("search", typed, "--format", "table", "--no-pager", env=env)
    assert result.exception is None and result.exit_code == 0, result.stderr
    assert written in set(re.findall(r"\x1b\[1;7m(.*?)\x1b\[0m", result.stdout))


def test_a_number_too_long_to_be_a_value_is_searched_as_typed(cli) -> None:
    """Numbers are compared by value (第02回 is 第2回), but one of 100 digits or more is
    kept as typed: no record holds it, whatever digit it ends with."""
    assert json_rows(cli, "search", "1" * 149 + "2") == []


def test_the_search_index_answers_as_a_search_without_it(cli, data_copy) -> None:
    cli("--data", str(data_copy), "universities")
    for words in (["京大"], ["はやし"], ["チューリヒ"], ["第3回連携大学会議"], ["京都", "シンポジウム"], ["UCL"]):
        indexed = cli("--data", str(data_copy), "search", *words, "--format", "json")
        looked = cli("--data", str(data_copy), "--no-cache", "search", *words, "--format", "json")
        assert indexed.exit_code == looked.exit_code == 0
        assert indexed.stdout == looked.stdout, words


def test_an_events_names_are_one_field_of_its_search_rows(cli) -> None:
    """Each of meeting-03's names holds 第3回: search shows the first, once."""
    rows = json_rows(cli, "search", "第3回")
    assert [r["value"] for r in rows if r["id"] == "meeting-03" and r["field"] == "called"] == ["第3回連携大学会議"]
    assert [r["value"] for r in json_rows(cli, "search", "第3回会議") if r["field"] == "called"] == ["第3回会議"]
