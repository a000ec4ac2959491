"""The environment variables spnet reads, as the installed command answers them (a
subprocess, standard output piped): a value spnet cannot use is one line on stderr naming
the variable and its value, with its exit code, in English and in Japanese; a value that
convention says to ignore is ignored; CLICOLOR_FORCE styles what a pipe receives."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, copy_data

INSTALLED = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it
# What the caller's own shell may have set, which would decide a test's answer for it.
_OURS = ("SPNET_", "CLICOLOR", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "TERM", "LANG", "LC_", "_SPNET")


def spnet(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    return subprocess.run(
        [str(INSTALLED), *args],
        capture_output=True,
        text=True,
        env={**base, "SPNET_DATA": str(DATA), "LC_ALL": "C.UTF-8", "TERM": "xterm-256color", **env},
        timeout=120,
    )


# (variable, value, command line, exit code, what the message says after the value)
REFUSED = [
    ("SPNET_TODAY", "bad", ["timeline", "--upcoming"], 2, "give a full date, such as 2023-03-03"),
    ("SPNET_TODAY", "tomorrow", ["timeline", "--past"], 2, "give a full date"),
    ("SPNET_TODAY", "2023", ["timeline", "--upcoming"], 2, "give a full date, such as 2023-03-03"),
    ("SPNET_TODAY", "2023-02-30", ["timeline", "--past"], 2, "give a full date"),
    ("SPNET_LANG", "fr", ["meetings"], 2, "give ja or en"),
    ("SPNET_LANG", "de_DE.UTF-8", ["help", "dates"], 2, "give ja or en"),
    ("SPNET_DATA", "{tmp}/nowhere", ["meetings"], 3, "no such directory"),
    ("SPNET_DATA", "{tmp}/a-file", ["partners"], 3, "not a directory"),
    ("SPNET_LOCK_WAIT", "soon", ["fmt", "--data", "{tmp}/data"], 2, "give a number of seconds from 0 to 3600"),
    ("SPNET_LOCK_WAIT", "-1", ["fmt", "--data", "{tmp}/data"], 2, "give a number of seconds from 0 to 3600"),
    ("SPNET_LOCK_WAIT", "nan", ["fmt", "--data", "{tmp}/data"], 2, "give a number of seconds from 0 to 3600"),
]


@pytest.mark.parametrize("name,value,args,code,why", REFUSED, ids=[f"{name}={value}" for name, value, *_ in REFUSED])
def test_a_bad_value_is_one_line_naming_the_variable(
    tmp_path: Path, name: str, value: str, args: list[str], code: int, why: str
) -> None:
    (tmp_path / "a-file").write_text("not a directory\n")
    copy_data(tmp_path / "data")
    before = sorted((p.relative_to(tmp_path), p.read_bytes()) for p in (tmp_path / "data").rglob("*.toml"))
    value = value.format(tmp=tmp_path)
    result = spnet(*(a.format(tmp=tmp_path) for a in args), **{name: value})
    assert result.returncode == code and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"spnet: error: environment variable {name}={value!r}: {why}")
    after = sorted((p.relative_to(tmp_path), p.read_bytes()) for p in (tmp_path / "data").rglob("*.toml"))
    assert after == before  # nothing was written


@pytest.mark.parametrize(
    "name,value,args,said",
    [
        ("SPNET_TODAY", "2023", ["timeline", "--upcoming"], "環境変数 SPNET_TODAY='2023': 2023-03-03、2023年3月3日"),
        ("SPNET_LANG", "fr", ["meetings"], "環境変数 SPNET_LANG='fr': ja または en を指定してください"),
        (
            "SPNET_DATA",
            "/nonexistent/spnet",
            ["meetings"],
            "環境変数 SPNET_DATA='/nonexistent/spnet': そのディレクトリ",
        ),
        ("SPNET_LOCK_WAIT", "soon", ["fmt", "--data", "{tmp}"], "環境変数 SPNET_LOCK_WAIT='soon': 0 から 3600 まで"),
    ],
)
def test_the_message_is_japanese_under_a_japanese_locale(
    data_copy: Path, name: str, value: str, args: list[str], said: str
) -> None:
    """A bad SPNET_LANG is left aside for the locale's language, which then says so."""
    result = spnet(*(a.format(tmp=data_copy) for a in args), LANG="ja_JP.UTF-8", LC_ALL="", **{name: value})
    assert result.returncode in (2, 3) and result.stdout == ""
    assert result.stderr.startswith(f"spnet: エラー: {said}") and result.stderr.count("\n") == 1


def test_the_today_option_keeps_its_own_message() -> None:
    """--today is on the command line: its message names the option, not the variable."""
    result = spnet("timeline", "--upcoming", "--today", "2023", SPNET_TODAY="2021-12-03")
    assert result.returncode == 2
    assert result.stderr == "spnet: error: --today needs a full date, not '2023'\n"


@pytest.mark.parametrize("name", ["SPNET_TODAY", "SPNET_LANG", "SPNET_LOCK_WAIT", "SPNET_DATA", "NO_COLOR"])
def test_a_variable_set_empty_is_as_if_unset(data_copy: Path, name: str) -> None:
    args = ["--data", str(data_copy), "meetings", "--year", "2023", "--format", "table"]
    unset, empty = spnet(*args), spnet(*args, **{name: ""})
    assert empty.returncode == unset.returncode == 0 and empty.stderr == unset.stderr == ""
    assert empty.stdout == unset.stdout
    fmt = spnet("fmt", "--data", str(data_copy), **{name: ""})
    assert fmt.returncode == 0, fmt.stderr


def test_a_valid_today_and_language_are_taken() -> None:
    past = spnet("timeline", "--past", "--format", "tsv", "--fields", "id", "--no-header", SPNET_TODAY="2021-12-03")
    assert past.returncode == 0 and "meeting-01" in past.stdout.split() and "meeting-02" not in past.stdout.split()
    for value in ("ja", "ja_JP.UTF-8", "日本語"):
        result = spnet("meetings", "--bogus", SPNET_LANG=value)
        assert result.returncode == 2 and result.stderr.startswith("spnet: エラー:"), value
    for value in ("en", "en_GB.UTF-8", "C"):
        result = spnet("meetings", "--bogus", SPNET_LANG=value, LANG="ja_JP.UTF-8")
        assert result.returncode == 2 and result.stderr.startswith("spnet: error:"), value


@pytest.mark.parametrize("value", ["relative-cache", "./cache"])
def test_a_relative_cache_directory_names_its_variable(tmp_path: Path, value: str) -> None:
    result = subprocess.run(
        [str(INSTALLED), "--data", str(DATA), "universities", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "SPNET_CACHE_DIR": value},
    )
    assert result.returncode == 0 and result.stdout.startswith("[")
    assert result.stderr.startswith(f"spnet: warning: environment variable SPNET_CACHE_DIR: {Path(value)} ")
    assert list(tmp_path.iterdir()) == []  # nothing made under the working directory


@pytest.mark.parametrize("columns", ["abc", "0", "-5", "80x", "²", ""])
def test_columns_that_is_not_a_width_is_ignored(columns: str) -> None:
    """COLUMNS that is not a whole number above 0 is ignored, as Python's shutil and less do
    (GNU ls warns): off a terminal the table is then 80 columns wide, as with no COLUMNS."""
    args = ["meetings", "--year", "2023", "--format", "table"]
    ignored, default = spnet(*args, COLUMNS=columns), spnet(*args)
    assert ignored.returncode == 0 and ignored.stderr == ""
    assert ignored.stdout == default.stdout
    assert max(len(line) for line in default.stdout.splitlines()) <= 80
    assert spnet(*args, COLUMNS="60").stdout != default.stdout  # a real width is taken


# SGR sequences that set a colour (30-37, 38;..., 40-47, 48;..., 90-97, 100-107), and any style.
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]")
ANY_STYLE = re.compile(r"\x1b\[[0-9;]*m")
TABLE = ["timeline", "--from", "2023", "--format", "table"]  # marks: * planned (cyan), ? disputed


@pytest.mark.parametrize(
    "env,styled,coloured",
    [
        ({}, False, False),
        ({"CLICOLOR_FORCE": "1"}, True, True),
        ({"CLICOLOR_FORCE": "yes"}, True, True),
        ({"CLICOLOR_FORCE": "0"}, False, False),
        ({"CLICOLOR_FORCE": ""}, False, False),
        ({"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, True, False),  # no-color.org: colour out, bold stays
        ({"CLICOLOR_FORCE": "1", "TERM": "dumb"}, True, True),  # "no matter what" (bixense.com/clicolors)
        ({"FORCE_COLOR": "1"}, True, True),
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, False, False),
    ],
)
def test_clicolor_force_styles_a_table_into_a_pipe(env: dict[str, str], styled: bool, coloured: bool) -> None:
    plain = spnet(*TABLE)
    result = spnet(*TABLE, **env)
    assert result.returncode == 0 and result.stderr == ""
    assert bool(ANY_STYLE.search(result.stdout)) == styled
    assert bool(COLOUR.search(result.stdout)) == coloured
    assert ANY_STYLE.sub("", result.stdout) == plain.stdout  # the same table, only styled


@pytest.mark.parametrize("fmt", ["plain", "tsv", "csv", "json", "md"])
def test_clicolor_force_leaves_machine_formats_alone(fmt: str) -> None:
    forced = spnet("timeline", "--format", fmt, CLICOLOR_FORCE="1")
    assert forced.returncode == 0 and "\x1b" not in forced.stdout
    assert forced.stdout == spnet("timeline", "--format", fmt).stdout


def test_clicolor_force_styles_warnings_into_a_pipe() -> None:
    forced, piped = spnet("check", CLICOLOR_FORCE="1"), spnet("check")
    assert forced.returncode == piped.returncode == 0
    assert "\x1b" not in piped.stderr and COLOUR.search(forced.stderr)
    assert ANY_STYLE.sub("", forced.stderr) == piped.stderr
