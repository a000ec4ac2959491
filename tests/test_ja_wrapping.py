"""Line breaking a Japanese reader expects, on the screens the installed spnet draws.

Every listing under `--lang ja` at 60, 80, 120 and 160 columns, every `--help` and
`help TOPIC` and `check`'s messages at 60 and 80 in both languages: no line is wider than the terminal; no word is
cut or split across lines (a katakana word, a Latin word, a number with its counter:
2023年, 12名, 第2回); no line of a cell begins with 、。）」ー or the like, none ends with （「.

A screen's cells are found as a reader finds them: the runs of text between gaps of two
spaces or more; a cell that wraps goes on, on the next line, at the column where it began.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import typer
from rich.cells import cell_len

from spnet import topics
from spnet.linebreak import phrases, wrap
from spnet.terminal import topic_lines
from tests.conftest import DATA, REPO
from tests.conftest import LISTINGS as RECORD_LISTINGS
from tests.test_screens import SCREENS, on_terminal, run_on_pty

pytestmark = pytest.mark.slow  # spnet on a pseudo-terminal: the slow tier

SPNET = str(Path(sys.executable).with_name("spnet"))
# Characters a Japanese line may not begin with, and those it may not end with (JIS X 4051).
NO_START = set("、。，．,）)」』】〕〉》］｝・：；？！ーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ々")
NO_END = set("（(「『【〔〈《［｛")
COUNTERS = set("年月日名校回")
KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc-\u30fe]+")
LATIN = re.compile(r"[A-Za-z]+")
CELL = re.compile(r"\S+(?: \S+)*")  # text between gaps of two spaces or more

LISTINGS = [
    *RECORD_LISTINGS,
    ["stats"],
    ["search", "京都"],
    ["show", "symposium-2"],
]
# Every command's help: the listings' (without their arguments), and the rest.
HELP_COMMANDS = [[], ["help"], ["check"], ["fmt"], *([listing[0]] for listing in LISTINGS)]
HELP_COMMANDS += [["export"], ["graph"], ["add"], ["add", "partner"], ["add", "event"], ["add", "person"]]
TOPICS = ["environment", "exit-codes", "formats", "dates"]


@cache
def whole_words() -> tuple[frozenset[str], frozenset[str]]:
    """Every whole katakana word and Latin word spnet may show: from the archive, the
    message catalogue and spnet's own source (headers, kinds, help)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(DATA.rglob("*.toml"))]
    sources = [REPO / "src" / "spnet", Path(typer.__file__).parent]  # click's words: COMMAND, ARGS
    texts += [p.read_text(encoding="utf-8") for d in sources for p in sorted(d.rglob("*.py"))]
    texts.append((REPO / "src/spnet/locale/ja/LC_MESSAGES/spnet.po").read_text(encoding="utf-8"))
    texts.append(str(topics.docs_dir()))  # where the documentation is, which help ends with
    corpus = "\n".join(texts).replace("\\n", "\n")
    return frozenset(KATAKANA.findall(corpus)), frozenset(LATIN.findall(corpus))


def spnet(args: list[str], columns: int, lang: str = "C.UTF-8") -> str:
    """The installed spnet, as a script in a terminal of that width runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "SPNET_"))}
    env["SPNET_CACHE_DIR"] = os.environ.get("SPNET_CACHE_DIR", "")  # the test's own (conftest.private_cache)
    env.update(COLUMNS=str(columns), LINES="500", LANG=lang, SPNET_DATA=str(DATA), SPNET_PAGER="")
    result = subprocess.run([SPNET, *args], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), "nothing on the screen"
    return result.stdout


def cells(line: str) -> list[tuple[int, str]]:
    """The pieces of a line's cells: where each begins (in display columns), and its text."""
    return [(cell_len(line[: m.start()]), m.group()) for m in CELL.finditer(line)]


def broken_lines(screen: str, columns: int) -> list[str]:
    """What a Japanese reader would object to on a screen, one line each."""
    katakana, latin = whole_words()
    problems = []
    lines = screen.splitlines()
    for n, line in enumerate(lines):
        if cell_len(line) > columns:
            problems.append(f"wider than {columns}: {line!r}")
        for word in KATAKANA.findall(line):
            if word not in katakana:
                problems.append(f"katakana word cut ({word}): {line!r}")
        for word in LATIN.findall(line):
            if word not in latin:
                problems.append(f"Latin word cut ({word}): {line!r}")
        above = dict(cells(lines[n - 1])) if n else {}
        for start, text in cells(line):
            if text[0] in NO_START:
                problems.append(f"begins with {text[0]}: {line!r}")
            if text[-1] in NO_END:
                problems.append(f"ends with {text[-1]}: {line!r}")
            before = above.get(start, "")
            if text[0] in COUNTERS and before[-1:].isdigit():
                problems.append(f"number split from its counter ({before[-8:]} / {text[:4]}): {line!r}")
    return problems


# ------------------------------------------------------------------ the checker itself
def test_the_checker_sees_each_kind_of_break() -> None:
    screen = "\n".join(
        [
            "ID   テーマ",
            "1    国際シンポジ",
            "     ウム      2023",
            "               年",
            "     Strategic Partnerships",
            "     Partnersh",
            "     開催の「",
            "     ）です",
        ]
    )
    found = "\n".join(broken_lines(screen, 20))
    for kind in ("katakana word cut", "Latin word cut", "counter", "ends with 「", "begins with ）", "wider than 20"):
        assert kind in found


def test_the_checker_passes_a_well_broken_screen() -> None:
    screen = "ID   テーマ\n1    国際\n     シンポジウム\n     2023年"
    assert broken_lines(screen, 20) == []


# ------------------------------------------------------------------ the rules, on the report's words
def test_a_phrase_wider_than_its_line_breaks_between_words_of_one_script() -> None:
    assert wrap("東京大学グローバルキャンパス推進本部副本部長", 24) == [
        "東京大学",
        "グローバルキャンパス",
        "推進本部副本部長",
    ]
    for width in range(30, 40):  # the katakana compound is one word
        assert "パートナーシップワークショップ" in "".join(wrap("戦略的パートナーシップワークショップ", width)[-1:])


def test_a_word_whose_kana_sit_inside_it_and_a_prefix_stay_with_their_word() -> None:
    text = "本プロジェクトの活動内容や戦略的パートナーシップの新規導入等に関するご相談・お問い合わせ"
    assert ["".join(p) for p in phrases(text)][-2:] == ["関する", "ご相談・お問い合わせ"]
    repeat = ["".join(p) for p in phrases("複数なら繰り返し指定（いずれか）。")]
    assert repeat == ["複数なら", "繰り返し指定", "（いずれか）。"]
    assert ["".join(p) for p in phrases("本学がホスト校となり同協会年次総会を日本で開催")] == [
        "本学が",
        "ホスト校となり",
        "同協会年次総会を",
        "日本で",
        "開催",
    ]


def test_a_number_keeps_its_counter_at_every_width() -> None:
    text = "2023年3月3日に第2回シンポジウムを開催、2022年度は12名が参加"
    for width in range(12, 40):
        lines = wrap(text, width)
        assert "".join(lines) == text
        assert not any(line[0] in COUNTERS or line[0] == "度" for line in lines[1:]), lines


def test_a_topic_keeps_each_example_and_each_command_whole() -> None:
    text = "  2023-03-03   2023/3/3   March 2023   3 Mar 2023\n  PAGER  else `less -FRX` or none at all.\n"
    lines = topic_lines(text, 30)
    assert lines[:2] == ["  2023-03-03   2023/3/3", "  March 2023   3 Mar 2023"]
    assert any("`less -FRX`" in line for line in lines)
    assert all(line.startswith("         ") for line in lines[3:])  # under the meaning


# ------------------------------------------------------------------ listings
@pytest.mark.parametrize("columns", [60, 80, 120, 160])
@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_a_japanese_listing_breaks_no_word(args: list[str], columns: int) -> None:
    screen = spnet([*args, "--lang", "ja", "--format", "table"], columns)
    assert broken_lines(screen, columns) == []


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_a_bilingual_listing_breaks_no_word(args: list[str], columns: int) -> None:
    screen = spnet([*args, "--format", "table"], columns)
    assert broken_lines(screen, columns) == []


@pytest.mark.parametrize("lang", ["ja", "both"])
@pytest.mark.parametrize("text", ["UCL", "パートナー", "Lyon"])
def test_a_search_snippet_begins_and_ends_at_whole_words(text: str, lang: str) -> None:
    """A snippet is widened to whole words and phrases: never …ァンド, …nership or Eve…."""
    screen = spnet(["search", text, "--lang", lang, "--format", "table"], 120)
    assert "…" in screen
    assert broken_lines(screen, 120) == []


@pytest.mark.slow
@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_no_word_is_broken_at_any_width_from_60_to_200(args: list[str]) -> None:
    for lang in ("ja", "both"):
        for columns in range(60, 201):
            screen = spnet([*args, "--lang", lang, "--format", "table"], columns)
            assert broken_lines(screen, columns) == [], (lang, columns)


# ------------------------------------------------------------------ help
@pytest.mark.parametrize("lang", ["C.UTF-8", "ja_JP.UTF-8"])
@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("args", HELP_COMMANDS, ids=[" ".join(a) or "spnet" for a in HELP_COMMANDS])
def test_help_fits_the_terminal(args: list[str], columns: int, lang: str) -> None:
    screen = spnet([*args, "--help"], columns, lang)
    assert broken_lines(screen, columns) == []


@pytest.mark.parametrize("lang", ["C.UTF-8", "ja_JP.UTF-8"])
@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("topic", TOPICS)
def test_a_help_topic_fits_the_terminal(topic: str, columns: int, lang: str) -> None:
    screen = spnet(["help", topic], columns, lang)
    assert broken_lines(screen, columns) == []


# ------------------------------------------------------------------ check
@pytest.mark.parametrize("lang", ["C.UTF-8", "ja_JP.UTF-8"])
@pytest.mark.parametrize("columns", [60, 80])
def test_check_wraps_its_messages_on_a_terminal(columns: int, lang: str) -> None:
    """On a terminal each warning is a paragraph wrapped to its width, its further lines
    indented; the terminal is not left to split words and put 、 at the start of a line."""
    argv = [SPNET, "--data", str(DATA), "check"]
    env = {**os.environ, "LANG": lang, "TERM": "xterm-256color", "NO_COLOR": "1"}
    env.pop("COLUMNS", None)
    err, out, code = run_on_pty(argv, env, columns=columns, stream="stderr")
    ok, warning = ("完了: ", "警告: ") if lang.startswith("ja") else ("ok: ", "warning: ")
    assert code == 0 and out.startswith(ok)
    screen = err.replace("\r\n", "\n")
    assert screen.count(warning) > 5
    assert any(line.startswith("  ") for line in screen.splitlines())  # a message went on
    assert broken_lines(screen, columns) == []


def test_check_piped_writes_one_line_a_message() -> None:
    result = subprocess.run(
        [SPNET, "--data", str(DATA), "check"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "60"}
    )
    lines = result.stderr.splitlines()
    assert result.returncode == 0 and lines
    assert all(line.startswith("warning: ") for line in lines)
    assert max(map(len, lines)) > 60  # not wrapped: a script reads one message a line


# ------------------------------------------------------------------ golden screens
GOLDEN = [
    # The screens the issue was seen on: katakana words, 東京大学, お問い合わせ at 120.
    ("contacts-ja-120", ["contacts", "--lang", "ja"], 120, {}),
    ("partners-ja-120", ["partners", "--lang", "ja"], 120, {}),
    ("symposia-ja-60", ["symposia", "--lang", "ja"], 60, {}),
    ("help-environment-ja-60", ["help", "environment"], 60, {"LANG": "ja_JP.UTF-8"}),
    ("help-dates-60", ["help", "dates"], 60, {"LANG": "C.UTF-8"}),
]


def golden_text(args: list[str], columns: int, env: dict[str, str]) -> str:
    """What a golden screen holds (tests/record_screens.py writes it): the text on the
    terminal, in the language `env` asks for alone, once it ran well and broke no line."""
    screen = on_terminal(args, columns, env={"SPNET_LANG": "", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", **env})
    assert screen.code == 0, screen.err
    assert broken_lines(screen.text, columns) == []
    return screen.text


@pytest.mark.parametrize("name,args,columns,env", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_screens(name: str, args: list[str], columns: int, env: dict[str, str]) -> None:
    """Kept as text in tests/screens/ (`python -m tests.record_screens` rewrites them after
    a deliberate change, to be read before committing)."""
    assert golden_text(args, columns, env) == (SCREENS / f"{name}.txt").read_text(encoding="utf-8")
