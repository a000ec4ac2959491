"""What a person sees: the installed spnet run in a real pseudo-terminal of a given size.

For every listing at 80 and 120 columns: no line is wider than the terminal, no value
(an id, a date, an e-mail address, a URL, an English word) is split across lines, and no
Japanese line begins with a closing bracket or a full stop. A few screens are kept as
golden text in tests/screens/ (SPNET_UPDATE_SCREENS=1 rewrites them after a deliberate change).
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

from spnet import render
from tests.conftest import DATA

SCREENS = Path(__file__).parent / "screens"
STYLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NO_START = "、。，．）」』】"
NO_END = "（「『【"


class Screen:
    def __init__(self, out: str, err: str, code: int) -> None:
        self.text = STYLE.sub("", out).replace("\r\n", "\n")
        self.lines = self.text.splitlines()
        self.err = err
        self.code = code


def on_terminal(args: list[str], columns: int = 80, rows: int = 500, env: dict[str, str] | None = None) -> Screen:
    """Run `python -m spnet ARGS` with stdout on a pseudo-terminal of that size; stderr piped."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "PAGER")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "spnet", "--data", str(DATA), *args],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**base, "TERM": "xterm-256color", "SPNET_PAGER": "", **(env or {})},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    err = proc.stderr.read().decode("utf-8") if proc.stderr else ""
    code = proc.wait(timeout=60)
    os.close(leader)
    return Screen(b"".join(chunks).decode("utf-8"), err, code)


LISTINGS = [
    ["universities"],
    ["partners"],
    ["partners", "-u", "kyoto"],
    ["timeline"],
    ["meetings"],
    ["symposia"],
    ["contacts"],
    ["search", "UCL"],
    ["stats"],
    ["show", "symposium-2"],
]

TOKEN_FIELDS = {"id", "date", "since", "email", "url", "report_url", "kind", "university", "time", "country"}


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
    for columns in render.COLUMNS.values():
        for c in columns:
            words.update(LATIN.findall(c.en))
    for en, _ in render.LEGEND.values():
        words.update(LATIN.findall(en))
    words |= {f"{w[:3]}0s" for w in words if re.fullmatch(r"\d{3}X", w)}  # a decade's heading
    words |= {w[:4] for w in words if re.match(r"\d{4}-", w)} | {"yes", "no"}  # a year's heading
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
]


@pytest.mark.parametrize("name,args,columns", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_screens(name: str, args: list[str], columns: int) -> None:
    screen = on_terminal(args, columns)
    path = SCREENS / f"{name}.txt"
    if os.environ.get("SPNET_UPDATE_SCREENS"):
        path.write_text(screen.text, encoding="utf-8")
    assert screen.text == path.read_text(encoding="utf-8")


def test_an_empty_result_says_so_on_stderr() -> None:
    screen = on_terminal(["partners", "--country", "de"])
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


def test_pager_from_pager_variable() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SPNET_PAGER"}
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 20, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "spnet", "--data", str(DATA), "timeline"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**env, "TERM": "xterm", "PAGER": "sed 's/^/VIA-PAGER /'"},
    )
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=60) == 0
    assert b"VIA-PAGER" in out


def test_marks_are_explained_and_coloured_only_on_a_terminal() -> None:
    screen = on_terminal(["meetings", "--year", "2022"], 120, env={"NO_COLOR": ""})
    assert re.search(r"^3 +2022-02-10 \? ", screen.text, re.M)  # disputed: the texts give other dates
    assert screen.lines[-1].startswith("? the Japanese and English texts disagree")
    raw = on_terminal(["meetings", "--year", "2022"], 120)
    assert raw.text == screen.text


def test_search_shows_a_snippet_with_the_match_highlighted() -> None:
    leader_screen = on_terminal(["search", "INSA-Lyon"], 120, env={"NO_COLOR": ""})
    assert "INSA-Lyon" in leader_screen.text
    longest = max(len(line) for line in leader_screen.lines)
    assert longest <= 120
    # The whole paragraph is not shown: a snippet, cut with … at its ends.
    assert "…" in leader_screen.text
    assert "ELyT (Engineering and Science Lyon Tohoku) has three pillars" not in leader_screen.text


def test_check_colours_warnings_on_a_terminal_only() -> None:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spnet", "--data", str(DATA), "check"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "TERM": "xterm-256color", "NO_COLOR": ""},
    )
    os.close(follower)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    assert proc.wait(timeout=60) == 0
    assert b"\x1b[33mwarning: " in err
    piped = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(DATA), "check", "-q"], capture_output=True, text=True
    )
    assert piped.returncode == 0 and piped.stdout == "" and piped.stderr == ""
