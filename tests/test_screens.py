"""What a person sees: the installed spnet run in a real pseudo-terminal of a given size.

For every listing at 80 and 120 columns: no line is wider than the terminal, no value
(an id, a date, an e-mail address, a URL, an English word) is split across lines, and no
Japanese line begins with a closing bracket or a full stop. A few screens are kept as
golden text in tests/screens/ (`python -m tests.record_screens` rewrites them after a
deliberate change).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len

from spnet import columns, dates, evidence, glossary
from tests.conftest import DATA

pytestmark = pytest.mark.slow  # spnet on a pseudo-terminal: the slow tier

SCREENS = Path(__file__).parent / "screens"
STYLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NO_START = "、。，．）」』】"
NO_END = "（「『【"


class Screen:
    def __init__(self, raw: str, err: str, code: int) -> None:
        self.raw = raw  # with the terminal's escape codes
        self.text = STYLE.sub("", raw).replace("\r\n", "\n")
        self.lines = self.text.splitlines()
        self.err = err
        self.code = code


def run_on_pty(
    argv: list[str], env: dict[str, str], *, columns: int = 80, rows: int = 500, stream: str = "stdout"
) -> tuple[str, str, int]:
    """Run argv with one stream (stdout or stderr) on a pseudo-terminal of that size and the
    other piped: what the terminal received, what the pipe did, and the exit code."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    other = subprocess.PIPE
    proc = subprocess.Popen(
        argv,
        stdin=follower,
        stdout=follower if stream == "stdout" else other,
        stderr=follower if stream == "stderr" else other,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed once the process and its pager are gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    piped = proc.stderr if stream == "stdout" else proc.stdout
    rest = piped.read().decode("utf-8") if piped else ""
    code = proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8"), rest, code


def spnet_env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "PAGER")}
    return {**base, "TERM": "xterm-256color", "SPNET_PAGER": "", **extra}


def on_terminal(args: list[str], columns: int = 80, rows: int = 500, env: dict[str, str] | None = None) -> Screen:
    """`python -m spnet ARGS` with stdout on a pseudo-terminal of that size; stderr piped."""
    argv = [sys.executable, "-m", "spnet", "--data", str(DATA), *args]
    return Screen(*run_on_pty(argv, spnet_env(**(env or {})), columns=columns, rows=rows))


LISTINGS = [
    ["universities"],
    ["partners"],
    ["partners", "-u", "kyoto"],
    ["institutions"],
    ["timeline"],
    ["meetings"],
    ["symposia"],
    ["contacts"],
    ["search", "UCL"],
    ["stats"],
    ["show", "symposium-2"],
    ["source", "2740-2750"],
    ["source", "780-830", "2267"],
    ["show", "kyoto-zurich", "--source"],
    ["show", "symposium-2", "--source"],
]

TOKEN_FIELDS = {"id", "date", "since", "designated", "email", "url", "report_url", "kind", "university", "time"}
TOKEN_FIELDS |= {"country"}


def _values(args: list[str]) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(DATA), *args, "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    return [data] if isinstance(data, dict) else data


LATIN = re.compile(r"[A-Za-z0-9²@._/:+\-]+")


def _words(rows: list[dict]) -> tuple[set[str], set[str]]:
    """Tokens (never cut or split), and every whole run of Latin letters, digits and the
    like that a screen may show: from the values, field names, headers and legends."""
    tokens, words = set(), set()
    for row in rows:
        for key, value in row.items():
            words.update(LATIN.findall(key))
            if value is None or isinstance(value, bool):
                continue
            text = str(value)
            if key in TOKEN_FIELDS:
                tokens.add(text)
            words.update(LATIN.findall(text))
    for listing in columns.COLUMNS.values():
        for c in listing:
            words.update(LATIN.findall(c.en))
    for en, _ in glossary.LEGEND.values():
        words.update(LATIN.findall(en))
    for hint in glossary.LEGEND_HINT.values():
        words.update(LATIN.findall(hint))
    words |= {f"{w[:3]}0s" for w in words if re.fullmatch(r"\d{3}X", w)}  # a decade's heading
    words |= {w[:4] for w in words if re.match(r"\d{4}-", w)} | {"yes", "no"}  # a year's heading
    words |= {f"FY{w}" for w in words if re.fullmatch(r"\d{4}", w)}  # show's fiscal_year: FY2022 2022年度
    for fy in [w for w in words if re.fullmatch(r"FY\d{4}", w)]:  # a 年度's heading: FY2011 2011年度（平成23年度）
        words.update(LATIN.findall(dates.fiscal_year_label(int(fy[2:]), "both")))
    words |= {"+"}  # the curators' mark
    # The report's lines, of which a table joins the vertically typeset ones (20, 21: 2021).
    report_text = "".join(
        text if len(text) <= evidence.VERTICAL else f" {text} "
        for text in (str(row.get("text") or "").strip() for row in rows if "line" in row)
    )
    words.update(LATIN.findall(report_text))
    # The headings of the report's passages (spnet source, show --source).
    words.update(LATIN.findall(f"{evidence.heading(1, 2)} {evidence.heading(1, 1)} {evidence.NOT_CITED}"))
    return tokens, {w.strip(".:/-") for w in words}


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_a_listing_fits_and_splits_nothing(args: list[str], columns: int) -> None:
    screen = on_terminal(args, columns)
    assert screen.code == 0, screen.err
    assert screen.lines, "nothing on the screen"
    too_wide = [line for line in screen.lines if cell_len(line) > columns]
    assert not too_wide
    tokens, words = _words(_values(args))
    shown = set(screen.text.split())
    # A token either is on the screen whole, or its column gave way (then no piece of it is).
    for token in tokens:
        if token in screen.text or " " in token:
            continue
        pieces = [w for w in shown if len(w) > 2 and w in token and w not in words]
        assert not pieces, f"{token!r} split into {pieces}"
    # Every run of Latin letters and digits on the screen is a whole one of the data (or a
    # header's), unless it was cut with an ellipsis.
    for line in screen.lines:
        for match in LATIN.finditer(line):
            run = match.group().strip(".:/-")
            cut = line[match.end() : match.end() + 1] == "…" or line[max(0, match.start() - 1) : match.start()] == "…"
            assert cut or not run or run in words, (run, line)
    for line in screen.lines:
        text = line.strip()
        if text:
            assert text[0] not in NO_START, line
            assert text[-1] not in NO_END, line


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_a_japanese_listing_fits(args: list[str], columns: int) -> None:
    """--lang ja, with Japanese dates and the glossary's words: it fits, and no line breaks
    the kinsoku rules."""
    screen = on_terminal([*args, "--lang", "ja"], columns)
    assert screen.code == 0, screen.err
    assert screen.lines
    assert not [line for line in screen.lines if cell_len(line) > columns]
    for line in screen.lines:
        text = line.strip()
        if text:
            assert text[0] not in NO_START, line
            assert text[-1] not in NO_END, line


def test_no_word_of_a_title_is_split() -> None:
    """Titles wrap between words: every English word of every title is on one line."""
    screen = on_terminal(["timeline"], 80)
    lines = screen.lines
    for row in _values(["timeline"]):
        for word in (row["title_en"] or "").split():
            assert any(word in line for line in lines), word


GOLDEN = [
    ("universities-80", ["universities"], 80),
    ("partners-kyoto-80", ["partners", "-u", "kyoto"], 80),
    ("meetings-2023-80", ["meetings", "--year", "2023"], 80),
    ("timeline-fy2023-120", ["timeline", "--fy", "2023"], 120),
    ("contacts-ehime-80", ["contacts", "-u", "ehime"], 80),
    ("stats-80", ["stats"], 80),
    # As a Japanese reader types and reads: names, eras and 年度 in, Japanese out.
    ("timeline-fy2023-ja-80", ["timeline", "--fy", "令和5年度", "--lang", "ja"], 80),
    ("timeline-2024-wareki-80", ["timeline", "--year", "R6", "--lang", "ja", "--date-style", "和暦"], 80),
    ("partners-kyoto-ja-80", ["partners", "-u", "京大", "--lang", "ja"], 80),
    ("meetings-2023-ja-80", ["meetings", "--year", "令和5年", "--lang", "ja"], 80),
    ("contacts-ehime-ja-80", ["contacts", "-u", "愛媛大学", "--lang", "日本語"], 80),
    ("universities-ja-80", ["universities", "--lang", "ja"], 80),
    ("stats-fy-ja-80", ["stats", "--group", "年度", "--lang", "ja"], 80),
    ("show-meeting-03-ja-80", ["show", "第3回連携大学会議", "--lang", "ja"], 80),
    # The report itself: a passage, and the programme's vertical lines joined into one row.
    ("source-2740-2750-80", ["source", "2740-2750"], 80),
    ("source-780-830-ja-120", ["source", "780-830", "--lang", "ja"], 120),
]


def golden_text(args: list[str], columns: int) -> str:
    """What a golden screen holds: the text on the terminal (tests/record_screens.py writes it)."""
    return on_terminal(args, columns).text


@pytest.mark.parametrize("name,args,columns", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_screens(name: str, args: list[str], columns: int) -> None:
    assert golden_text(args, columns) == (SCREENS / f"{name}.txt").read_text(encoding="utf-8")


def test_an_empty_result_says_so_on_stderr() -> None:
    screen = on_terminal(["partners", "--country", "fi"])  # Finland: no partner
    assert screen.code == 0
    assert screen.text == ""
    assert screen.err == "spnet: no partners match\n"


def test_a_long_table_goes_through_the_pager_a_short_one_does_not() -> None:
    pager = {"SPNET_PAGER": "sed 's/^/PAGED /'"}
    paged = on_terminal(["timeline"], 100, rows=30, env=pager)
    assert paged.code == 0 and paged.lines and all(line.startswith("PAGED") for line in paged.lines)
    short = on_terminal(["meetings", "--year", "2023"], 100, rows=30, env=pager)
    assert short.lines and not any("PAGED" in line for line in short.lines)
    unpaged = on_terminal(["timeline", "--no-pager"], 100, rows=30, env=pager)
    assert unpaged.lines and not any("PAGED" in line for line in unpaged.lines)
    # PAGER serves when SPNET_PAGER is not set.
    plain = on_terminal(["timeline"], 100, rows=30, env={"SPNET_PAGER": "", "PAGER": "sed 's/^/PAGER /'"})
    assert not any("PAGER" in line for line in plain.lines)  # empty SPNET_PAGER: no pager


@pytest.mark.parametrize("pager", ["false", "'unterminated", "exit 3"])
def test_a_pager_that_fails_loses_no_output(pager: str) -> None:
    """A pager that exits non-zero or that the shell cannot read: the table is printed as
    if there were none."""
    paged = on_terminal(["timeline"], 100, rows=30, env={"SPNET_PAGER": pager})
    direct = on_terminal(["timeline", "--no-pager"], 100, rows=30)
    assert paged.code == 0 and paged.lines and paged.lines[-5:] == direct.lines[-5:]
    assert "2021" in paged.text and "symposium-3" in paged.text


def test_pager_from_pager_variable() -> None:
    env = spnet_env(PAGER="sed 's/^/VIA-PAGER /'")
    del env["SPNET_PAGER"]
    out, _, code = run_on_pty([sys.executable, "-m", "spnet", "--data", str(DATA), "timeline"], env, rows=20)
    assert code == 0 and "VIA-PAGER" in out


def test_marks_are_explained_with_or_without_colour() -> None:
    coloured = on_terminal(["meetings", "--year", "2022"], 120)
    assert re.search(r"^3 +2022-02-10 \? ", coloured.text, re.M)  # disputed: the texts give other dates
    assert coloured.lines[-1].startswith("? the Japanese and English texts disagree")
    assert "\x1b[1;33m?" in coloured.raw  # the mark in colour on a terminal
    plain = on_terminal(["meetings", "--year", "2022"], 120, env={"NO_COLOR": "1"})
    assert plain.text == coloured.text and "\x1b[1;33m" not in plain.raw  # the same marks, no colour


def test_a_mark_is_explained_only_where_its_column_is_shown() -> None:
    """Kyoto's partners' countries are the curators' (+): explained while the country column
    is there, and not once it has given way on a narrow terminal."""
    wide = on_terminal(["partners", "-u", "kyoto"], 120)
    assert "Austria +" in wide.text and wide.lines[-1].startswith("+ added or worded by the archive's curators")
    narrow = on_terminal(["partners", "-u", "kyoto"], 80)
    assert "Austria" not in narrow.text and "+" not in narrow.text, narrow.text
    cards = on_terminal(["partners", "-u", "kyoto"], 30)  # too narrow for a table: every field, its legend
    assert "Austria +" in cards.text and "+ added" in cards.text, cards.text


def test_search_shows_a_snippet_with_the_match_highlighted() -> None:
    screen = on_terminal(["search", "insa-lyon"], 120)
    assert "INSA-Lyon" in screen.text
    assert "\x1b[1;7mINSA-Lyon" in screen.raw  # the match, found case-insensitively, highlighted
    assert max(cell_len(line) for line in screen.lines) <= 120
    # Not the whole paragraph: a snippet, cut with … at its ends.
    assert "…" in screen.text
    assert "ELyT (Engineering and Science Lyon Tohoku) has three pillars" not in screen.text


def test_check_colours_warnings_on_a_terminal_only() -> None:
    argv = [sys.executable, "-m", "spnet", "--data", str(DATA), "check"]
    err, out, code = run_on_pty(argv, spnet_env(), stream="stderr")
    assert code == 0 and out.startswith("ok: ")
    assert "\x1b[33mwarning: " in err
    piped = subprocess.run([*argv, "-q"], capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stdout == "" and piped.stderr == ""


def test_the_recorder_writes_what_the_test_compares(tmp_path: Path) -> None:
    """Golden screens are recorded by a command of their own, never by a test: what it
    writes for a screen is that screen as kept, and a name it does not know is refused."""
    name = GOLDEN[0][0]
    run = [sys.executable, "-m", "tests.record_screens", "--into", str(tmp_path)]
    repo = Path(__file__).parent.parent
    done = subprocess.run([*run, name], capture_output=True, text=True, cwd=repo)
    assert done.returncode == 0, done.stderr
    kept = (SCREENS / f"{name}.txt").read_text(encoding="utf-8")
    assert (tmp_path / f"{name}.txt").read_text(encoding="utf-8") == kept
    unknown = subprocess.run([*run, "no-such-screen"], capture_output=True, text=True, cwd=repo)
    assert unknown.returncode == 2 and "no golden screen named no-such-screen" in unknown.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / f"{name}.txt"]
