"""Names typed by a user never answer with the wrong records: one table of what is typed
and what it must find, or the error it must give (exit 2, a few candidates at most)."""

from __future__ import annotations

import json
import re

import pytest

from spnet.names import fold, is_kana, match_pattern, resolve_country

# (option, typed, the universities whose partners are listed) -- or an error's words.
UNIVERSITIES = [
    ("kyoto", {"kyoto"}),
    ("KYOTO", {"kyoto"}),
    ("ＫＹＯＴＯ", {"kyoto"}),
    ("Kyoto University", {"kyoto"}),
    ("kyoto univ", {"kyoto"}),
    ("京都大学", {"kyoto"}),
    ("京都", {"kyoto"}),
    ("京大", {"kyoto"}),  # once a piece of 東京大学, so Tokyo's partners
    ("東大", {"tokyo"}),
    ("東京", {"tokyo"}),
    ("UTokyo", {"tokyo"}),
    ("todai", {"tokyo"}),
    ("The University of Tokyo", {"tokyo"}),
    ("Univ of Tok", {"tokyo"}),
    ("of tokyo", {"tokyo"}),
    ("東北大", {"tohoku"}),
    ("東北", {"tohoku"}),
    ("阪大", {"osaka"}),
    ("handai", {"osaka"}),
    ("九大", {"kyushu"}),
    ("早大", {"waseda"}),
    ("早稲田", {"waseda"}),
    ("慶大", {"keio"}),
    ("慶応義塾大学", {"keio"}),
    ("慶應", {"keio"}),
    ("創大", {"soka"}),
    ("愛大", {"ehime"}),
    ("ehi", {"ehime"}),
    ("kyo", {"kyoto"}),  # the start of Kyoto, not a piece of Tokyo
    ("hi", "unknown university 'hi'"),  # once Ehime (a piece of "Ehime")
    ("sa", "unknown university 'sa'"),  # once Osaka
    ("大学", "unknown university '大学'"),  # inside every Japanese name
    ("京", {"kyoto"}),  # the start of 京都大学 only
    ("東", "ambiguous university '東': it could be tokyo (The University of Tokyo), tohoku"),
    ("university", "ambiguous university 'university'"),
    ("nagoya", "unknown university 'nagoya'"),
    ("京都橘大学", "unknown university '京都橘大学'"),  # another university, not 京都大学 informally
    ("kyouto", "did you mean kyoto (Kyoto University)?"),
]

COUNTRIES = [
    ("gb", {"tohoku-ucl", "osaka-ucl", "tokyo-cambridge"}),
    ("GB", {"tohoku-ucl", "osaka-ucl", "tokyo-cambridge"}),
    ("GBR", {"tohoku-ucl", "osaka-ucl", "tokyo-cambridge"}),
    ("UK", {"tohoku-ucl", "osaka-ucl", "tokyo-cambridge"}),
    ("United Kingdom", {"tohoku-ucl", "osaka-ucl", "tokyo-cambridge"}),
    ("英国", {"tohoku-ucl", "osaka-ucl", "tokyo-cambridge"}),
    ("tw", {"kyoto-ntu", "kyushu-ntu"}),
    ("台湾", {"kyoto-ntu", "kyushu-ntu"}),
    ("Sweden", {"tokyo-stockholm-trio"}),
    ("スウェーデン", {"tokyo-stockholm-trio"}),
    ("us", {"kyushu-uiuc", "tokyo-princeton"}),  # once Australia (a piece of "Australia")
    ("USA", {"kyushu-uiuc", "tokyo-princeton"}),
    ("United States", {"kyushu-uiuc", "tokyo-princeton"}),
    ("de", {"kyoto-hamburg", "waseda-bonn"}),  # once Sweden (a piece of "Sweden")
    ("Germany", {"kyoto-hamburg", "waseda-bonn"}),  # once "unknown country"
    ("ドイツ", {"kyoto-hamburg", "waseda-bonn"}),
    ("ch", {"kyoto-zurich", "tokyo-eth-zurich"}),
    ("fi", set()),  # a country with no partner: an empty answer
    ("Finland", set()),
    ("Republic of Korea", {"tokyo-snu"}),  # once North Korea, the end of its official name
    ("Republic of China", {"kyoto-ntu", "kyushu-ntu"}),  # once the People's Republic
    ("中華民国", {"kyoto-ntu", "kyushu-ntu"}),
    ("U.S.", {"kyushu-uiuc", "tokyo-princeton"}),  # once "Virgin Islands, U.S."
    ("Atlantis", "unknown country 'Atlantis'"),
    ("united", "ambiguous country 'united'"),
]

KINDS = [
    (["partners", "--kind", "strategic"], "kind", {"strategic-partner"}),
    (["partners", "--kind", "consortium"], "kind", {"consortium"}),
    (["partners", "--kind", "consortium", "--kind", "exchange"], "kind", {"consortium", "exchange-partner"}),
    (["timeline", "--kind", "symposium", "--kind", "workshop"], "kind", {"symposium", "workshop"}),
    (["partners", "-u", "kyoto", "-u", "阪大"], "university", {"kyoto", "osaka"}),
    (["timeline", "-u", "ehime", "-u", "soka", "--kind", "milestone"], "university", {"ehime", "soka"}),
    (["contacts", "-u", "東大", "-u", "ehime"], "university", {"tokyo", "ehime"}),
]


def test_the_table_is_large() -> None:
    assert len(UNIVERSITIES) + len(COUNTRIES) + len(KINDS) >= 40


def _listed(cli, *args: str) -> list[dict]:
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.exception is None
    return json.loads(result.stdout)


def _refused(cli, *args: str, env: dict[str, str] | None = None) -> str:
    result = cli(*args, "--format", "json", env=env)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(("spnet: error: ", "spnet: エラー: "))
    return lines[0]


@pytest.mark.parametrize("typed,expected", UNIVERSITIES, ids=[t for t, _ in UNIVERSITIES])
def test_university_names(cli, typed: str, expected: set[str] | str) -> None:
    if isinstance(expected, str):
        line = _refused(cli, "partners", "--university", typed)
        assert expected in line
        assert line.count("(") <= 5  # at most five candidates, each with its name
    else:
        assert {p["university"] for p in _listed(cli, "partners", "--university", typed)} == expected


@pytest.mark.parametrize("typed,expected", COUNTRIES, ids=[t for t, _ in COUNTRIES])
def test_country_names(cli, typed: str, expected: set[str] | str) -> None:
    if isinstance(expected, str):
        assert expected in _refused(cli, "partners", "--country", typed)
    else:
        assert {p["id"] for p in _listed(cli, "partners", "--country", typed)} == expected


@pytest.mark.parametrize("args,field,expected", KINDS, ids=[" ".join(a) for a, _, _ in KINDS])
def test_a_repeated_filter_means_any_of_its_values(cli, args: list[str], field: str, expected: set[str]) -> None:
    assert {row[field] for row in _listed(cli, *args)} == expected


def test_short_names_are_marked_as_the_curators(cli) -> None:
    """The report gives no short names: `show` says whose they are."""
    card = json.loads(cli("show", "kyoto", "--format", "json").stdout)
    assert card["short_names"] == "京大"
    assert card["short_names_basis"] == "curator"


# (option, typed, the language, the ids the refusal names, and how it says the rest).
CANDIDATES = [
    ("--country", "french", "en", ["tf", "fr", "gf", "mf", "pf"], ""),  # five: all of them, no " and 0 more"
    ("--country", "french", "ja", ["tf", "fr", "gf", "mf", "pf"], ""),
    ("--university", "university", "en", ["tokyo", "tohoku", "waseda", "soka", "keio"], " and 4 more"),
    ("--university", "university", "ja", ["tokyo", "tohoku", "waseda", "soka", "keio"], " ほか4件"),
]


@pytest.mark.parametrize("option,typed,lang,named,rest", CANDIDATES, ids=[f"{c[1]}-{c[2]}" for c in CANDIDATES])
def test_an_ambiguous_name_names_five_candidates_and_counts_the_rest(
    cli, option: str, typed: str, lang: str, named: list[str], rest: str
) -> None:
    line = _refused(cli, "partners", option, typed, env={"SPNET_LANG": lang})
    assert re.findall(r"\(([a-z]+)\)" if lang == "ja" else r"\b([a-z]{2,})\s\(", line) == named
    assert line.endswith(rest + (" のいずれか" if lang == "ja" else ""))
    assert ("more" in line or "ほか" in line) == bool(rest)


def test_a_hint_names_at_most_five_close_names(cli) -> None:
    """A "did you mean" lists the five names closest to what was typed, never "and N more"."""
    line = _refused(cli, "partners", "--country", "Republic of Zembia")
    assert "did you mean zm (Zambia)" in line
    assert len(re.findall(r"\b[a-z]{2} \(", line)) == 5 and "more" not in line


def test_a_japanese_readers_hint_names_a_record_by_its_english_name_when_it_has_no_japanese(cli) -> None:
    """For a Japanese reader a candidate is its Japanese name and its id (京都大学 (kyoto)),
    or, for a record the report names only in English, its English name."""
    assert "京都大学 (kyoto)" in _refused(cli, "partners", "--university", "kyouto", env={"SPNET_LANG": "ja"})
    assert "INSA-Lyon (tohoku-insa-lyon)" in _refused(cli, "show", "INSA-Lyom", env={"SPNET_LANG": "ja"})


@pytest.mark.parametrize("digits,by_value", [(2, True), (99, True), (100, False), (4400, False)])
def test_a_number_is_compared_by_value_up_to_99_digits_and_longer_ones_as_written(digits: int, by_value: bool) -> None:
    """第07回 is 第7回; a run of 100 digits or more (which int() would take a while over, or
    refuse at 4301) is compared as written, leading zero and all, never an error."""
    typed = f"第0{'7' * (digits - 1)}回"
    assert fold(typed) == (f"第{'7' * (digits - 1)}回" if by_value else typed)


@pytest.mark.parametrize(
    "typed,text",
    [
        ("ふぁいなんす", "ファイナンス"),
        ("霞ヶ関", "霞ヶ関"),
        ("Yes!", "Ｙｅｓ！"),
        ("3~4", "３～４"),
        ("第2回", "第２回"),
        ("ガジャマダ", "ガジャ・マダ"),
    ],
)
def test_search_highlights_the_whole_text_it_found_whatever_its_kana_or_width(typed: str, text: str) -> None:
    """What search found by folding, the highlight finds in the text as written, to its last
    character: either kana to the ends of the ranges (ぁ, ヶ), either width to the ends of
    printable ASCII (!, ~), and a number with what follows it."""
    assert match_pattern(typed).fullmatch(text)


@pytest.mark.parametrize(
    "word,kana",
    [
        *[("きょうと", True), ("らーめん", True), ("ぁぃぅ", True), ("ゝゞゟ", True)],
        *[("", False), ("京都", False), ("kyoto", False)],
    ],
)
def test_a_reading_is_hiragana_from_ぁ_to_ゟ_and_the_long_mark(word: str, kana: bool) -> None:
    """What is read by the Japanese analyser as a name's reading (きょうと for 京都大学):
    a folded word of the hiragana block alone, both its ends included, and ー."""
    assert is_kana(word) is kana


@pytest.mark.parametrize(
    "typed,code",
    [
        *[("UK", "gb"), ("U.K.", "gb"), ("U.S.", "us"), ("Republic of Korea", "kr"), ("Ukraine", "ua")],
        ("Democratic Republic of the Congo", "cd"),  # ISO: "Congo, The Democratic Republic of the"
        ("Republic of the Congo", "cg"),
        ("Turkey", "tr"),  # Türkiye to ISO since 2022
    ],
)
def test_a_country_is_known_without_an_archive_as_spnet_add_knows_it(typed: str, code: str) -> None:
    """`add` to an archive that is not valid as it is reads countries from ISO alone, where
    UK once began UKR (Ukraine); the names of a country without partners, as --country
    reads them, are known only so."""
    assert resolve_country(None, typed) == code
