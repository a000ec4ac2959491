"""Records are data, never instructions to the terminal: markup, escape sequences, control,
bidirectional and zero-width characters and very long text, through every output format."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import pytest
import tomli_w
from rich.cells import cell_len

HOSTILE = {
    "markup": "[bold red]x[/] [link=file:///etc/passwd]y[/link] :smile:",
    "clear screen": "before\x1b[2Jafter",
    "osc 8 link": "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "osc 52 clipboard": "\x1b]52;c;ZXZpbA==\x07copied",
    "controls": "bell\x07back\x08nul\x00del\x7fcsi\x9b",
    "bidi override": "abc\u202edcba\u202c end",
    "zero width": "zero\u200bwidth\u200djoin\ufeffbom",
    "tab and newline": "one\ttwo\nthree\r\nfour",
    "long": "長" * 250 + "L" * 250,  # the most a name holds (schema.MAX_CHARS)
}
RAW_CONTROL = [chr(c) for c in range(0x20) if chr(c) not in "\n"] + ["\x7f", "\x9b", "\u202e", "\u200b"]


def _archive_with(data: Path, text: str) -> None:
    path = data / "universities" / "kyoto.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    doc["partners"][0]["name_en"] = text
    doc["partners"][1]["name_ja"] = text
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")


@pytest.fixture(params=list(HOSTILE), ids=list(HOSTILE))
def hostile(request: pytest.FixtureRequest, data_copy: Path) -> tuple[str, Path]:
    text = HOSTILE[request.param]
    _archive_with(data_copy, text)
    return text, data_copy


def _partners(cli, data: Path, *args: str):
    result = cli("--data", str(data), "partners", "-u", "kyoto", *args)
    assert result.exit_code == 0, result.stderr
    return result


def test_json_carries_the_text_exactly(cli, hostile) -> None:
    text, data = hostile
    out = _partners(cli, data, "--format", "json").stdout
    assert not any(ch in out for ch in RAW_CONTROL if ch != "\t")  # JSON escapes them
    rows = json.loads(out)
    assert rows[0]["name_en"] == text and rows[1]["name_ja"] == text


@pytest.mark.parametrize("fmt", ["tsv", "plain"])
def test_tsv_and_plain_keep_one_line_per_record_and_their_columns(cli, hostile, fmt: str) -> None:
    text, data = hostile
    out = _partners(cli, data, "--format", fmt).stdout
    lines = out.split("\n")[:-1]
    assert len(lines) == 5 + (fmt == "tsv")
    assert {len(line.split("\t")) for line in lines} == {11}
    assert not any(ch in out for ch in RAW_CONTROL if ch != "\t")


def test_csv_quotes_what_it_must_and_escapes_terminal_controls(cli, hostile) -> None:
    text, data = hostile
    # The raw bytes: the test runner's .stdout turns \r\n into \n.
    out = _partners(cli, data, "--format", "csv").stdout_bytes.decode("utf-8")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 6 and {len(r) for r in rows} == {11}
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    if text == HOSTILE["tab and newline"]:
        assert rows[1][2] == text  # CSV carries tab and newline inside quotes


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_human_formats_show_the_text_literally(cli, hostile, fmt: str) -> None:
    text, data = hostile
    out = _partners(cli, data, "--format", fmt, "--fields", "id,name_en,name_ja").stdout
    assert not any(ch in out for ch in RAW_CONTROL)
    flat = out.replace("\n", "").replace(" ", "").replace("|", "")
    if text == HOSTILE["markup"]:
        assert "[bold" in out and "[/link]" in out and ":smile:" in out
    if text == HOSTILE["clear screen"]:
        assert "\\x1b[2J" in flat
    if text == HOSTILE["bidi override"]:
        assert "\\u202e" in flat
    if fmt == "table":  # fits the terminal (COLUMNS=200 in the test runner)
        assert max(cell_len(line) for line in out.splitlines()) <= 200
    else:
        assert len(out.splitlines()) == 2 + 5


@pytest.mark.parametrize(
    "typed",
    ["\x1b[2Jkyoto", "[bold]kyoto[/bold]", "\u202ekyoto", "x" * 10_000],
)
def test_hostile_command_line_input_is_one_escaped_line_on_stderr(cli, typed: str) -> None:
    result = cli("partners", "--university", typed)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "Traceback" not in result.stderr


def test_unicode_line_separators_do_not_split_a_row(cli, data_copy: Path) -> None:
    """U+2028/U+2029 break lines for some readers (Python's splitlines, JavaScript): escaped,
    found by the property-based tests."""
    _archive_with(data_copy, "line\u2028separator\u2029paragraph")
    for fmt in ("table", "plain", "tsv", "md", "json"):
        out = _partners(cli, data_copy, "--format", fmt).stdout
        assert "\u2028" not in out and "\u2029" not in out, fmt
    rows = json.loads(_partners(cli, data_copy, "--format", "json").stdout)
    assert rows[0]["name_en"] == "line\u2028separator\u2029paragraph"


def test_visible_passes_printable_text_through_untouched() -> None:
    """visible() returns printable text as it is, unchecked; no printable character is one
    it would escape (every code point is tried)."""
    import unicodedata

    from spnet import render

    for cp in range(0x110000):
        ch = chr(cp)
        if ch.isprintable():
            assert unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") and ch not in render._BIDI, hex(cp)
    assert render.visible("京都\u3000大学\u202e") == "京都\u3000大学\\u202e"  # the slow path still escapes


@pytest.mark.parametrize("args", [["graph"], ["graph", "--format", "mermaid"], ["export", "ics"]])
def test_graphs_and_calendars_show_hostile_text_escaped(cli, hostile, args: list[str]) -> None:
    text, data = hostile
    result = cli("--data", str(data), *args)
    assert result.exit_code == 0, result.stderr
    out = result.stdout_bytes.decode("utf-8")
    controls = [ch for ch in RAW_CONTROL if ch not in "\t\r"]  # iCalendar ends its lines with CRLF
    assert not any(ch in out for ch in controls)
    if args == ["export", "ics"]:
        assert "\r" not in out.replace("\r\n", "")  # no lone CR: it would end a line


def test_a_lone_cr_cannot_inject_a_calendar_property(cli, data_copy: Path) -> None:
    path = data_copy / "project.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    event = next(e for e in doc["events"] if e["id"] == "workshop")
    event["title_en"] = "Workshop\rATTACH:https://evil.example/x"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    result = cli("--data", str(data_copy), "export", "ics")
    assert result.exit_code == 0
    lines = result.stdout_bytes.decode("utf-8").split("\r\n")
    assert not any(line.startswith("ATTACH") for line in lines)
    assert any("Workshop\\\\rATTACH:https://evil.example/x" in line for line in lines)


def test_markdown_is_text_never_html(cli, data_copy: Path) -> None:
    _archive_with(data_copy, "<script>alert(1)</script> & co")
    out = _partners(cli, data_copy, "--format", "md").stdout
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in out


@pytest.mark.parametrize(
    "value,message",
    [("17:30\r\nATTACH:x", "time '17:30\\r\\nATTACH:x' must be HH:MM or HH:MM-HH:MM"), ("evening", "must be HH:MM")],
)
def test_the_loader_refuses_a_time_that_is_not_one(data_copy: Path, value: str, message: str) -> None:
    import subprocess
    import sys

    path = data_copy / "project.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    next(e for e in doc["events"] if e["id"] == "symposium-2")["time"] = value
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data_copy), "--no-cache", "symposia"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3 and message in result.stderr and result.stderr.count("\n") == 1


def test_an_id_with_a_trailing_newline_is_refused(data_copy: Path) -> None:
    import subprocess
    import sys

    path = data_copy / "universities" / "kyoto.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    doc["partners"][0]["id"] = "kyoto-vienna\n"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data_copy), "--no-cache", "partners"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3 and "must be lower-case letters, digits and hyphens" in result.stderr
