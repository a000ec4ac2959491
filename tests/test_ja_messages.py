"""Wholly Japanese for a Japanese reader: every message a user can bring about, click's
own among them, and the words of `show`, `check`, the calendar and the graph, run on the
installed `spnet` as a user runs it. English is left only where the user typed it, or
where the report gives English only (and then it says so). JSON keys stay English."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.conftest import DATA

_LOCALE = ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "SPNET_LANG")


def _installed() -> str:
    """The `spnet` script installed beside this Python, as a user's shell finds it."""
    beside = Path(sys.executable).with_name("spnet")
    found = str(beside) if beside.is_file() else shutil.which("spnet")
    assert found, "spnet is not installed"
    return found


def spnet(*args: str, lang: str = "ja_JP.UTF-8", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in _LOCALE}
    return subprocess.run(
        [_installed(), "--data", str(DATA), *args],
        capture_output=True,
        text=True,
        env={**clean, "LANG": lang, "COLUMNS": "100", **env},
        timeout=60,
    )


def english_left(text: str, typed: Sequence[str], allowed: Sequence[str] = ()) -> list[str]:
    """The English words in `text` that are not the user's: not what was typed, not a
    quoted value or choice ('xls', 'json'), not an option's name (--kind), not a usage
    line's placeholder (OPTIONS, {FORMAT}), not the program's name."""
    for token in sorted(typed, key=len, reverse=True):
        text = text.replace(token, " ")
    text = re.sub(r"'[^']*'", " ", text)
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", text)
    text = re.sub(r"\b[A-Z]{2,}\b", " ", text)
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w != "spnet" and w not in allowed]


# Every kind of bad command line a user can type: (what, arguments, English allowed).
BAD_INPUT = [
    ("unknown option, a close one named", ["timeline", "--bogus"], ()),
    ("unknown option, none close", ["timeline", "--zzzz"], ()),
    ("unknown option before the command", ["--bogus", "timeline"], ()),
    ("option without its value", ["timeline", "--kind"], ()),
    ("short option without its value", ["partners", "-u"], ()),
    ("bad choice of an option", ["graph", "--format", "xls"], ()),
    ("bad choice of an argument", ["export", "xls"], ()),
    ("missing argument", ["show"], ()),
    ("missing argument with choices", ["export"], ()),
    ("extra argument", ["timeline", "extra"], ()),
    ("unknown command", ["timelin"], ()),
    ("unknown command of a group", ["add", "evnt"], ()),
    ("not a whole number", ["add", "event", "--number", "x"], ()),
    ("a flag given a value", ["timeline", "--upcoming=yes"], ()),
    ("an option given twice", ["timeline", "--year", "2022", "--year", "2023"], ()),
    ("bad --lang", ["timeline", "--lang", "xx"], ("en", "ja", "both")),
    ("unknown university", ["partners", "-u", "nagoya"], ()),
    ("unknown help topic", ["help", "colours"], ("environment", "exit", "codes", "formats", "dates")),
    # The forms a date may take are listed as the user may type them (March 2023, FY2022).
    ("wrong weekday in a date", ["timeline", "--from", "2023-09-07(金)"], ("March", "FY")),
    ("bad date", ["timeline", "--year", "foo"], ("March", "FY")),
]


@pytest.mark.parametrize("what,args,allowed", BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_every_bad_command_line_is_answered_in_japanese(what: str, args: list[str], allowed: tuple[str, ...]) -> None:
    done = spnet(*args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("spnet: エラー: ") and done.stderr.count("\n") == 1, done.stderr
    assert english_left(done.stderr, args, allowed) == [], done.stderr


def test_the_weekday_in_a_date_error_is_japanese_only() -> None:
    done = spnet("timeline", "--from", "2023-09-07(金)")
    assert "2023-09-07 は 木曜日 です" in done.stderr
    assert "Thursday" not in done.stderr
    english = spnet("timeline", "--from", "2023-09-07(金)", lang="C.UTF-8")
    assert "2023-09-07 is a 木曜日 (Thursday)" in english.stderr


def test_the_english_reader_keeps_clicks_words() -> None:
    done = spnet("timeline", "--kind", lang="C.UTF-8")
    assert done.stderr == "spnet: error: Option '--kind' requires an argument.\n"


@pytest.mark.parametrize(
    "args,allowed",
    [
        (["timeline", "--lang", "ja", "--format", "xls"], ()),
        (["partners", "--lang", "ja", "-u", "nagoya"], ()),
        (["show", "nope", "--lang", "ja"], ()),
        (["export", "json", "--lang", "ja"], ("ics",)),
        # Refused by click before --lang is read: in the language it asks for all the same.
        (["timeline", "--lang", "ja", "--kind"], ()),
        (["timeline", "--lang=ja", "--bogus"], ()),
        (["graph", "--lang", "ja", "--format", "xls"], ()),
    ],
)
def test_lang_ja_speaks_japanese_under_an_english_locale(args: list[str], allowed: tuple[str, ...]) -> None:
    done = spnet(*args, lang="C.UTF-8")
    assert done.returncode == 2
    assert done.stderr.startswith("spnet: エラー: "), done.stderr
    assert english_left(done.stderr, args, allowed) == [], done.stderr


def test_lang_en_speaks_english_under_a_japanese_locale() -> None:
    done = spnet("partners", "--lang", "en", "-u", "nagoya")
    assert done.stderr == "spnet: error: unknown university 'nagoya'\n"
    refused = spnet("timeline", "--lang", "en", "--kind")
    assert refused.stderr == "spnet: error: Option '--kind' requires an argument.\n"


def test_lang_ja_lasts_one_command(cli) -> None:
    """Commands run one after another in one process (a test, a script's loop) each start
    from the locale: --lang ja of one is not the language of the next."""
    assert cli("partners", "--lang", "ja", "-u", "nagoya").stderr.startswith("spnet: エラー: ")
    assert cli("partners", "-u", "nagoya").stderr.startswith("spnet: error: unknown university")


# `show` as a Japanese reader sees it: (record, arguments, lines shown, words that must not be).
SHOW = [
    (
        "ehime-lurio",
        [],
        [
            "| 項目 | 値 |",
            "| 日英相違[0].採用した読み | 日本語 |",
            "| 日英相違[0].英語 | the National University of Mozambique, Lurio University |",
            "| 国 | モザンビーク |",
            "| 国の根拠 | 報告書に記載 |",
        ],
        ["開催形態", "| ja |", "| mz |", "| Field |"],
    ),
    ("workshop", ["--lang", "ja"], ["| 日英相違[0].採用した読み | 未決定（日本語の原文のまま） |"], ["undecided"]),
    ("kyoto", ["--lang", "ja"], ["| 略称の根拠 | 管理者が追加 |"], ["| curator |"]),
]


@pytest.mark.parametrize("record,args,shown,absent", SHOW, ids=[row[0] for row in SHOW])
def test_show_in_a_japanese_readers_words(record: str, args: list[str], shown: list[str], absent: list[str]) -> None:
    done = spnet("show", record, *args, "--format", "md")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for line in shown:
        assert line in lines
    for word in absent:
        assert word not in done.stdout


def test_show_says_which_texts_are_english_only() -> None:
    """A curator's note, a disagreement's reason and the report's section are English in
    the archive: shown as written, and labelled so, never passed off as Japanese."""
    md = spnet("show", "ehime-lurio", "--lang", "ja", "--format", "md").stdout.splitlines()[2:]
    rows = dict(line.removeprefix("| ").removesuffix(" |").split(" | ", 1) for line in md)
    assert rows["注記（英語のみ）"].startswith("Exchange developed over about 15 years")
    assert rows["日英相違[0].理由（英語のみ）"].startswith("The Japanese reads 'Lurio University")
    assert rows["出典.章節（英語のみ）"] == "Chapter 4, Ehime University"
    assert rows["活動内容（日本語）"].startswith("平成20年から")  # a text in Japanese is not so labelled
    assert not {"注記", "日英相違[0].理由", "出典.章節"} & set(rows)


def test_json_keys_stay_english_in_japanese() -> None:
    card = json.loads(spnet("show", "meeting-03", "--lang", "ja", "--format", "json").stdout)
    assert card["disagreements[0].held"] == "ja"
    assert all(key.isascii() for key in card)
    rows = json.loads(spnet("timeline", "--lang", "ja", "--format", "json").stdout)
    assert rows and all(key.isascii() for row in rows for key in row)


def test_check_warns_in_the_readers_words() -> None:
    done = spnet("check")
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("警告: ") for line in lines)
    workshop = "警告: data/project.toml: events[9] (workshop): "
    assert workshop + "英語の記述では曜日が Friday ですが、2023-09-09 は土曜日です" in lines
    assert workshop + "日本語の記述では曜日が 金 ですが、2023-09-09 は土曜日です" in lines
    weekdays = [line for line in lines if "の記述では曜日が" in line]
    assert len(weekdays) == 6
    for line in weekdays:  # the calendar's weekday in Japanese; the text's as printed
        assert re.search(r": (英語|日本語)の記述では曜日が \S+ ですが、[-\d]{10} は[月火水木金土日]曜日です$", line)
    assert "「日付」について日本語と英語が異なります" in done.stderr
    assert "日本語を採用。理由（英語のみ）: 2022-02-10 is a Thursday" in done.stderr
    assert done.stdout.startswith("完了: ")


def test_check_takes_lang() -> None:
    japanese = spnet("check", "--lang", "ja", lang="C.UTF-8")
    assert japanese.returncode == 0 and japanese.stdout.startswith("完了: ")
    assert "英語の記述では曜日が Friday ですが、2023-09-09 は土曜日です" in japanese.stderr
    english = spnet("check", "--lang", "en")
    assert english.stdout.startswith("ok: ")
    assert "the English text prints the weekday Friday, but 2023-09-09 is a Saturday" in english.stderr


def _events(calendar: str) -> dict[str, dict[str, str]]:
    """Each VEVENT's properties by UID, lines unfolded and TEXT unescaped (RFC 5545)."""
    unfolded = calendar.replace("\r\n", "\n").replace("\n ", "")
    events: dict[str, dict[str, str]] = {}
    for block in unfolded.split("BEGIN:VEVENT\n")[1:]:
        props = dict(line.split(":", 1) for line in block.split("END:VEVENT")[0].splitlines() if ":" in line)
        props = {k: v.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";") for k, v in props.items()}
        events[props["UID"].removesuffix("@spnet")] = props
    return events


def test_the_calendar_in_japanese() -> None:
    done = spnet("export", "ics", "--lang", "ja", "--no-vague-dates", lang="C.UTF-8")
    assert done.returncode == 0, done.stderr
    unfolded = done.stdout.replace("\r\n", "\n").replace("\n ", "")
    assert "X-WR-CALNAME:「戦略的パートナーシップ」大学ネットワーク（2021年〜2023年度末）" in unfolded
    meeting = _events(done.stdout)["meeting-03"]
    assert meeting["SUMMARY"] == "第03回連携大学会議（日付に日英相違）"
    assert meeting["LOCATION"] == "オンライン"
    about = meeting["DESCRIPTION"].split(" · ")  # one line: khal's agenda prints it after the title
    assert about[0] == "日付: 2022年2月10日"
    dispute = "日本語の記述では「2022年02月10日（木）」、英語では「Thursday, 20 February 2022」。理由（英語のみ）: "
    assert about[1].startswith(dispute)
    assert about[2] == "戦略的パートナーシップにおける課題の共有"
    assert about[-1].startswith("出典（英語のみ）: 3-3 Member universities meetings")
    assert done.stderr == "spnet: 年・年度・年代しか分からない行事 28件を除きました（--vague-dates で含めます）\n"


def test_the_calendar_in_english_and_in_both() -> None:
    english = _events(spnet("export", "ics", "--lang", "en").stdout)["meeting-03"]
    assert english["SUMMARY"] == "3rd Meeting (date disputed)"
    assert english["DESCRIPTION"].startswith("Date: 2022-02-10 · The Japanese text gives")
    both = _events(spnet("export", "ics").stdout)["meeting-03"]
    # The reader's language first.
    assert both["SUMMARY"] == "第03回連携大学会議（日付に日英相違） / 3rd Meeting (date disputed)"
    assert both["DESCRIPTION"].startswith("日付: 2022年2月10日 · ")
    in_english = _events(spnet("export", "ics", lang="C.UTF-8").stdout)["meeting-03"]["SUMMARY"]
    assert in_english == "3rd Meeting (date disputed) / 第03回連携大学会議（日付に日英相違）"


def test_the_graph_in_japanese_and_in_english() -> None:
    japanese = spnet("graph", "-u", "ehime", "--lang", "ja", lang="C.UTF-8").stdout
    assert '"ehime" [label="愛媛大学", style=bold];' in japanese
    edge = r'"(?:ehime" -> "ehime-lurio|ehime-lurio" -> "ehime)" \[[^]]*label="{}"'  # drawn right or left
    assert re.search(edge.format("2008年開始"), japanese)
    assert '<TD ALIGN="LEFT">交流協定校</TD>' in japanese  # the kind, in the legend
    assert 'label="モザンビーク";' in japanese
    assert "exchange-partner" not in japanese and "Ehime University" not in japanese
    english = spnet("graph", "-u", "ehime", "--lang", "en").stdout
    assert '"ehime" [label="Ehime University", style=bold];' in english
    assert re.search(edge.format("since 2008"), english)
    assert '<TD ALIGN="LEFT">exchange-partner</TD>' in english


def test_help_says_when_the_project_ended_and_how_scripts_get_english() -> None:
    top = spnet("-h").stdout
    assert "2023年度末" in top and "2024年度" not in top
    assert "March 2024" in spnet("-h", lang="C.UTF-8").stdout
    assert "LC_ALL=C" in spnet("help", "environment").stdout
    assert "LC_ALL=C" in spnet("help", "environment", lang="C.UTF-8").stdout


@pytest.mark.parametrize(
    "env", [{"LC_ALL": "C"}, {"LANGUAGE": "ja", "LC_ALL": "C"}, {"LANGUAGE": "ja", "LANG": "C.UTF-8"}]
)
def test_a_script_gets_english_with_the_c_locale(env: dict[str, str]) -> None:
    """`LC_ALL=C` (as `spnet help environment` tells scripts) is English, whatever the
    LANG, and whatever LANGUAGE says: gettext does not read LANGUAGE under the C locale."""
    done = spnet("partners", "-u", "nagoya", **env)
    assert done.stderr == "spnet: error: unknown university 'nagoya'\n"
