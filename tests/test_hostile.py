"""Records are data, never instructions to the terminal: markup, escape sequences, control,
bidirectional and zero-width characters and very long text, through every output format.

The strings and the sweep over every record kind, command and format come from
tests/hostile.py; the tests named for a behaviour below are the cases found by hand."""

from __future__ import annotations

import atexit
import contextlib
import csv
import functools
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from rich.cells import cell_len
from typer.testing import CliRunner, Result

from spnet import export, render
from spnet.archive.kinds import STR
from spnet.cli import app
from tests import hostile as corpus
from tests.conftest import DATA, copy_data, english_names_made_the_curators, set_event_fields

HOSTILE = {
    name: corpus.STRINGS[name]
    for name in ("rich-markup", "csi", "osc8-link", "osc52-clipboard", "c0-controls", "c1-controls", "bidi")
}
HOSTILE |= {name: corpus.STRINGS[name] for name in ("zero-width", "line-breaks", "long-japanese")}
RAW_CONTROL = sorted(corpus.raw_characters("".join(chr(c) for c in range(0x10000)) + "\U0001fffe", "\n"))


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


# The partners listing's fields, as every machine format carries them.
FIELDS = len(export.columns("partners"))


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
    assert {len(line.split("\t")) for line in lines} == {FIELDS}
    assert not any(ch in out for ch in RAW_CONTROL if ch != "\t")


def test_csv_quotes_what_it_must_and_escapes_terminal_controls(cli, hostile) -> None:
    text, data = hostile
    # The raw bytes: the test runner's .stdout turns \r\n into \n.
    out = _partners(cli, data, "--format", "csv").stdout_bytes.decode("utf-8")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 6 and {len(r) for r in rows} == {FIELDS}
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    if text == HOSTILE["line-breaks"]:
        assert rows[1][2] == render.visible(text, keep="\n\r")  # CSV carries CR and LF inside quotes


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_human_formats_show_the_text_literally(cli, hostile, fmt: str) -> None:
    text, data = hostile
    out = _partners(cli, data, "--format", fmt, "--fields", "id,name_en,name_ja").stdout
    assert not any(ch in out for ch in RAW_CONTROL)
    flat = out.replace("\n", "").replace(" ", "").replace("|", "")
    if fmt == "md":  # as it reads: Markdown's backslash escapes undone
        flat = re.sub(r"\\([\\`*_~\]|$])", r"\1", flat)
    if text == HOSTILE["rich-markup"]:
        assert "[bold" in out and "[/link]" in out and ":smile:" in out
    if text == HOSTILE["csi"]:
        assert "\\x1b[2J" in flat
    if text == HOSTILE["bidi"]:
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

    from spnet import render, visible

    for cp in range(0x110000):
        ch = chr(cp)
        if ch.isprintable():
            assert unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") and ch not in visible._BIDI, hex(cp)
    assert render.visible("京都\u3000大学\u202e") == "京都\u3000大学\\u202e"  # the slow path still escapes


@pytest.mark.slow
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
    set_event_fields(data_copy, "workshop", title_en="Workshop\rATTACH:https://evil.example/x")
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

    set_event_fields(data_copy, "symposium-2", time=value)
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


# ------------------------------------------------------------------ the sweep
# Every hostile string of tests/hostile.py in every free-text field of every record kind,
# through every command that shows records and every format it offers (see hostile.py).
# The fast tier runs one compact string through a sample of the runs; the slow tier every
# string through every run.


def _sweep_cases() -> list[Any]:
    cases = []
    every = corpus.runs()
    fast = corpus.sample(every)
    for name, text in corpus.STRINGS.items():
        for run in every:
            if not corpus.in_toml(text) and "{text}" not in run.args:
                continue  # text no archive can hold reaches spnet only as an argument
            marks = [] if name in corpus.FAST and run in fast else [pytest.mark.slow]
            cases.append(pytest.param(name, run, marks=marks, id=f"{name}-{run.name}"))
    return cases


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Callable[[str], Path]:
    """The archive with one hostile string in every free-text field, made once a string."""
    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in made:
            data = tmp_path_factory.mktemp(f"hostile-{name}") / "data"
            copy_data(data)
            text = corpus.STRINGS[name]
            if corpus.in_toml(text):
                kinds = corpus.plant(
                    data, text, set(corpus.free_text_fields(DATA, getattr(pytestconfig, "cache", None)).free)
                )
                assert kinds == set(corpus.SPEC), f"no record of kind {set(corpus.SPEC) - kinds} to plant text in"
            made[name] = data
        return made[name]

    return make


@functools.cache
def _cache_dir(data: Path) -> Path:
    path = Path(tempfile.mkdtemp(prefix="spnet-hostile-cache-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _invoke(data: Path, run: corpus.Run, text: str, out: Path) -> Result:
    """Run a command on an archive, with an index of its own: built once, read by every run."""
    args = [a.replace("{text}", text).replace("{out}", str(out)) for a in run.args]
    env = {"COLUMNS": str(WIDTH), "SPNET_CACHE_DIR": str(_cache_dir(data))}
    result = CliRunner().invoke(app, ["--data", str(data), *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


WIDTH = 120  # the terminal's, for tables
_BASELINES: dict[str, Any] = {}
_RECORDS: dict[tuple[str, tuple[str, ...]], int] = {}


def _baseline(run: corpus.Run) -> Any:
    """The structure of a run's output on the real archive: what hostile text may not change."""
    if run.name not in _BASELINES:
        out = Path(tempfile.mkdtemp(prefix="spnet-baseline-")) / "out"
        result = _invoke(DATA, run, "Kyoto", out)
        assert result.exit_code == 0, result.stderr
        _BASELINES[run.name] = [READERS[run.reader](raw, None) for raw in _written(run, result, out)]
        shutil.rmtree(out.parent)
    return _BASELINES[run.name]


def _records(data: Path, name: str, run: corpus.Run) -> int:
    """How many records the same command answers in JSON: the rows every other format has."""
    at = run.args.index("--format") + 1
    args = (*run.args[:at], "json", *run.args[at + 1 :])
    key = (name, args)
    if key not in _RECORDS:
        result = _invoke(data, run._replace(args=args), corpus.STRINGS[name], data.parent / "unused")
        assert result.exit_code == 0, result.stderr
        _RECORDS[key] = len(json.loads(result.stdout))
    return _RECORDS[key]


def _written(run: corpus.Run, result: Result, out: Path) -> list[bytes]:
    """What a run wrote: standard output, its --out file, or each file of its --out directory."""
    if "{out}" not in run.args:
        return [result.stdout_bytes]
    if out.is_dir():  # a CSV export: one file per record type
        return [p.read_bytes() for p in sorted(out.iterdir())]
    return [out.read_bytes()]


def _terminal_safe(text: str, allowed: str = "\n") -> None:
    raw = corpus.raw_characters(text, allowed)
    assert not raw, f"raw {sorted(raw)!r} in the output"


def _read_json(raw: bytes, _base: Any) -> Any:
    text = raw.decode("utf-8")
    _terminal_safe(text)
    data = json.loads(text)
    return len(data) if isinstance(data, list) else sorted(data) if isinstance(data, dict) else None


def _read_delimited(raw: bytes, records: int | None, *, sep: str = "\t", header: bool = True) -> Any:
    text = raw.decode("utf-8-sig")
    if sep == ",":
        _terminal_safe(text, "\t\n\r")  # inside quotes, as CSV carries them
        rows = list(csv.reader(io.StringIO(text, newline="")))
    else:
        _terminal_safe(text, "\t\n")
        rows = [line.split("\t") for line in text.split("\n")[:-1]]
    assert len({len(r) for r in rows}) <= 1, "a record's text added a column"
    if records is not None:
        assert len(rows) == records + header, "a record's text added or removed a row"
    return len(rows)


def _read_markdown(raw: bytes, records: int | None) -> Any:
    from markdown_it import MarkdownIt

    text = raw.decode("utf-8")
    _terminal_safe(text)
    text = _without_legend(text)
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    inline = [t for t in tokens for t in [t, *(t.children or [])]]
    active = {t.type for t in inline if t.content != "<br>"} & MARKDOWN_ACTIVE  # spnet's own line break
    assert not active, f"archive text made Markdown {sorted(active)}"
    rows = _markdown_rows(tokens)
    assert len({len(row) for row in rows}) <= 1, "a record's text added a cell"
    if records is not None:
        assert len(rows) == records + 1, "a record's text added or removed a row"
    return len(rows)


def _without_legend(text: str) -> str:
    """The table of spnet's Markdown, its legend of marks checked and set apart: after a
    blank line (a cell holds none), one list, an item a mark, nothing else active in it."""
    from markdown_it import MarkdownIt

    table, blank, legend = text.partition("\n\n")
    if blank:
        tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(legend)
        blocks = [t.type for t in tokens if t.level == 0 and t.nesting == 1]
        assert blocks == ["bullet_list_open"], f"archive text made the legend {blocks}"
        items = [t for t in tokens if t.type == "inline"]
        assert all(re.match(r"[?+*] \S", t.content.replace("\\", "")) for t in items), legend
        assert not {c.type for t in items for c in t.children or ()} - {"text"}, legend
    return table + "\n"


def _markdown_rows(tokens: list[Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for t in tokens:
        if t.type == "tr_open":
            rows.append([])
        elif t.type in ("th_open", "td_open"):
            rows[-1].append(t)
    return rows


MARKDOWN_ACTIVE = {"link_open", "image", "code_inline", "em_open", "strong_open", "s_open", "html_inline"}
MARKDOWN_ACTIVE |= {"html_block", "heading_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "hr"}


def _read_table(raw: bytes, _base: Any) -> Any:
    text = raw.decode("utf-8")
    _terminal_safe(text)
    assert max(map(cell_len, text.splitlines()), default=0) <= WIDTH, (
        "a record's text made a line wider than the terminal"
    )


def _read_ics(raw: bytes, base: Any) -> Any:
    import icalendar

    text = raw.decode("utf-8")
    _terminal_safe(text.replace("\r\n", "\n"))
    events = len(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    assert base is None or events == base, "a title added or removed an event"
    return events


def _read_sqlite(raw: bytes, base: Any) -> Any:
    import sqlite3

    path = Path(tempfile.mkdtemp()) / "copy.db"
    path.write_bytes(raw)
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # Full-text search's own tables grow with the words indexed: the records' tables are compared.
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") if "_fts" not in r[0]]
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    shutil.rmtree(path.parent)
    assert base is None or counts == base, "archive text added or removed rows"
    return counts


def _read_dot(raw: bytes, base: Any) -> Any:
    """DOT as Graphviz reads and draws it (where dot is installed): the same nodes and edges
    as on the real archive, and labels drawn as the text they are (no entity decoded)."""
    import xml.etree.ElementTree as ET

    text = raw.decode("utf-8")
    _terminal_safe(text)
    lines = len(text.splitlines())
    assert base is None or lines == base[0], "a name added or removed a DOT statement"
    if shutil.which("dot") is None:
        return (lines, None)
    drawn = subprocess.run(["dot", "-Tsvg"], input=raw, capture_output=True, timeout=60)
    assert drawn.returncode == 0, drawn.stderr.decode(errors="replace")
    svg = drawn.stdout.decode("utf-8")
    _terminal_safe(svg)
    groups = [g for g in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g") if g.get("class") in ("node", "edge")]
    shape = sorted((g.get("class"), g.findtext("{http://www.w3.org/2000/svg}title")) for g in groups)
    assert base is None or base[1] is None or shape == base[1], "a name changed the graph's nodes or edges"
    return (lines, shape)


MERMAID_LINE = re.compile(
    r'flowchart LR|  (n_[a-z0-9_]+[\[(]"[^"]*"[\])]|subgraph g\d+\["[^"]*"\]|end)|'
    r'    n_[a-z0-9_]+\("[^"]*"\)|  n_[a-z0-9_]+ -->\|"[^"]*"\| n_[a-z0-9_]+'
)


def _read_mermaid(raw: bytes, base: Any) -> Any:
    text = raw.decode("utf-8")
    _terminal_safe(text)
    lines = text.splitlines()
    bad = [line for line in lines if not MERMAID_LINE.fullmatch(line) or "`" in line or "<" in line]
    assert not bad, f"a name broke a Mermaid statement: {bad[0][:200]!r}"
    assert base is None or len(lines) == base, "a name added or removed a Mermaid statement"
    return len(lines)


def _read_svg(raw: bytes, base: Any) -> Any:
    import xml.etree.ElementTree as ET

    text = raw.decode("utf-8")
    _terminal_safe(text)
    root = ET.fromstring(text)  # valid XML, or this raises
    # A Graphviz node, edge or box is one label, however many lines a long name wraps to.
    labelled = {"node", "edge", "cluster"}
    parent = {child: el for el in root.iter() for child in el}
    texts = len({id(parent[e]) if parent[e].get("class") in labelled else id(e) for e in root.iter("{*}text")})
    assert base is None or texts == base, "archive text added or removed a text element"
    return texts


def _read_png(raw: bytes, _base: Any) -> Any:
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")


READERS: dict[str, Callable[[bytes, Any], Any]] = {
    "json": _read_json,
    "csv": functools.partial(_read_delimited, sep=","),
    "tsv": _read_delimited,
    "plain": functools.partial(_read_delimited, header=False),
    "md": _read_markdown,
    "table": _read_table,
    "ics": _read_ics,
    "sqlite": _read_sqlite,
    "dot": _read_dot,
    "mermaid": _read_mermaid,
    "svg": _read_svg,
    "png": _read_png,
    "messages": lambda raw, _base: _terminal_safe(raw.decode("utf-8")),
}
NEEDS_DOT = {"png"}
ROWS = {"csv", "tsv", "plain", "md"}


def test_the_sweep_reaches_every_command_and_format() -> None:
    """Every command is run or named as printing no records; every format has a reader."""
    assert corpus.unsampled() == []
    ran = {run.args[0] for run in corpus.runs()}
    assert ran | corpus.NOT_RECORDS == set(corpus.command_names())
    assert {run.reader for run in corpus.runs()} <= set(READERS)
    assert {f.value for f in render.Format} <= set(READERS)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for inner in value.values() if isinstance(value, dict) else value:
            yield from _strings(inner)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=[] if n in corpus.FAST else [pytest.mark.slow])
        for n, t in corpus.STRINGS.items()
        if corpus.in_toml(t)
    ],
)
def test_json_carries_the_planted_text_exactly(planted: Callable[[str], Path], name: str) -> None:
    """What is shown escaped everywhere else reads back from JSON as the archive holds it."""
    text, data = corpus.STRINGS[name], planted(name)
    run = corpus.Run("export json", ("export", "json"), "json")
    everything = list(_strings(json.loads(_invoke(data, run, text, data.parent / "unused").stdout)))
    head = text[:40]  # what every field holds of it, names with a longest length included
    # Free text is much of the archive; ids, dates, their first and last days and bases the rest.
    assert sum(head in s for s in everything) >= len(everything) // 5
    run = corpus.Run("show", ("show", "kyoto-vienna", "--format", "json"), "json")
    shown = json.loads(_invoke(data, run, text, data.parent / "unused").stdout)
    assert shown["name_en"] == corpus.planted("University of Vienna", text, STR, "name_en")


@pytest.mark.slow
@pytest.mark.parametrize("name,run", _sweep_cases())
def test_hostile_text_is_data_in_every_command_and_format(
    planted: Callable[[str], Path], tmp_path: Path, name: str, run: corpus.Run
) -> None:
    if (run.reader in NEEDS_DOT or "graph svg" in run.name) and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    text = corpus.STRINGS[name]
    data = DATA if "{text}" in run.args else planted(name)  # typed text: asked of the real archive
    out = tmp_path / "out"
    result = _invoke(data, run, text, out)
    if not corpus.in_toml(text):  # typed as bytes that were not UTF-8: refused, naming the option
        assert result.exit_code == 2 and result.stderr.count("\n") == 1 and not result.stdout, result.stderr
        _terminal_safe(result.stderr)
        return
    assert result.exit_code == 0, result.stderr
    _terminal_safe(result.stderr)
    if run.reader in ROWS:  # as many rows as the command's records
        expected = _records(data, name, run) if "--format" in run.args else None
    else:  # the same structure as on the real archive
        expected = _baseline(run) if "{text}" not in run.args else None
    written = _written(run, result, out)
    assert not isinstance(expected, list) or len(written) == len(expected)
    for i, raw in enumerate(written):
        READERS[run.reader](raw, expected[i] if isinstance(expected, list) else expected)


# ------------------------------------------------------------------ named cases
def _partner_names(data: Path, text: str) -> None:
    """Every Kyoto partner named text (in English), the rest of the archive as it is."""
    path = data / "universities" / "kyoto.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    for partner in doc["partners"]:
        partner["name_en"] = text
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")


def _markdown_cells(text: str) -> list[list[str]]:
    """The cells of a Markdown table as a CommonMark reader shows them (text only)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    active = {t.type for t in tokens for t in [t, *(t.children or [])] if t.content != "<br>"} & MARKDOWN_ACTIVE
    assert not active, f"archive text made Markdown {sorted(active)}"
    rows: list[list[str]] = []
    for t in tokens:
        if t.type == "tr_open":
            rows.append([])
        elif t.type == "inline" and rows:
            rows[-1].append("".join(c.content for c in t.children or []))
    return rows


@pytest.mark.parametrize(
    "name",
    [
        "[click me](javascript:alert(1))",
        "![pixel](http://evil.example/track.png)",
        "<http://evil.example/> <a href='x'>a</a>",
        "`code` *em* _em_ **strong** __strong__ a*b*c snake_case_name ~~gone~~ $x^2$",
        "trailing backslash \\",
        "a | b | c",
    ],
)
def test_a_name_cannot_add_a_link_or_markup_to_markdown(cli, data_copy: Path, name: str) -> None:
    _partner_names(data_copy, name)
    out = _partners(cli, data_copy, "--format", "md", "--fields", "id,name_en").stdout
    rows = _markdown_cells(out)
    assert [len(row) for row in rows] == [2] * 6  # the header and five partners, two cells each
    assert {row[1] for row in rows[1:]} == {name}  # read as the text it is


@pytest.mark.parametrize(
    "name",
    [
        'quote" ] ; evil [label="x',
        'backslash quote \\" ; x -> y',
        "trailing backslash \\",
        "escapes \\N \\G \\L \\l \\r \\n",
        "<b>html-like</b> label",
        "&#x202e;entity &amp; &lt;",
        "line\nbreak\r\nand\u2028separator",
    ],
)
def test_a_name_cannot_break_out_of_a_dot_label(cli, data_copy: Path, name: str) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    import xml.etree.ElementTree as ET

    _partner_names(data_copy, name)
    result = cli("--data", str(data_copy), "graph", "-u", "kyoto", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    plain = cli("graph", "-u", "kyoto", "--lang", "en").stdout
    assert len(result.stdout.splitlines()) == len(plain.splitlines())  # one statement a line, as many
    drawn = subprocess.run(["dot", "-Tsvg"], input=result.stdout_bytes, capture_output=True, timeout=60)
    assert drawn.returncode == 0, drawn.stderr
    svg = ET.fromstring(drawn.stdout)
    nodes = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]
    assert len(nodes) == len(re.findall(r"\[label=", plain))  # every node (the legend too), no more
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    shown = render.visible(name)
    assert sum(t in (shown, f"{shown} +") for t in texts) == 5  # each partner's label, as written (+: curators')


def test_a_name_cannot_become_markdown_or_html_in_a_mermaid_label(cli, data_copy: Path) -> None:
    _partner_names(data_copy, '`**bold**` <img src=x onerror=alert(1)> "] --> x["y" & #35;')
    out = cli("--data", str(data_copy), "graph", "-u", "kyoto", "--format", "mermaid").stdout
    labels = re.findall(r'"([^"]*)"', out)
    assert labels and not any(ch in label for label in labels for ch in "`<>&")
    assert "#96;#42;#42;bold#42;#42;#96;" not in out and "#96;**bold**#96;" in out
    assert out.count("-->") == cli("graph", "-u", "kyoto", "--format", "mermaid").stdout.count("-->")


def test_the_timeline_svg_is_valid_xml_whatever_the_titles(cli, data_copy: Path, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    path = data_copy / "project.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    title = "\ufffe\x00\x1b\u202e" + "".join(chr(c) for c in range(0x20)) + "\x7f\x85\x9b\u200b\uffff ]]> <x> &amp;"
    for event in doc["events"]:
        event["title_en"] = title
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    svg = tmp_path / "timeline.svg"
    # Every year: the events before the project's years too, in their band.
    result = cli("--data", str(data_copy), "timeline", "--all", "--svg", str(svg))
    assert result.exit_code == 0, result.stderr
    text = svg.read_text(encoding="utf-8")
    assert not corpus.raw_characters(text)
    labels = ["".join(t.itertext()) for t in ET.fromstring(text).iter("{http://www.w3.org/2000/svg}text")]
    assert sum("\\ufffe\\x00\\x1b\\u202e\\x00\\x01" in label for label in labels) == len(doc["events"])


def _complete(shell: str, words: str, data: Path) -> subprocess.CompletedProcess[str]:
    """Ask the installed spnet for completions the way each shell's script does."""
    env = {**os.environ, "SPNET_DATA": str(data), "_SPNET_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": words}
    env |= {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split())), "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    return subprocess.run([sys.executable, "-m", "spnet"], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_shows_archive_names_as_text_in_every_shell(data_copy: Path, shell: str) -> None:
    path = data_copy / "countries.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    plain = [c["id"] for c in doc["countries"]]
    names = ["\x1b]8;;http://e/\x1b\\x\x1b]8;;\x1b\\", "[/bold] [red]", "\u202eRLO", "a\nb\tc", "X" * 300, "end\\"]
    # The curators' countries first: no partner's country rests on what their names print.
    renamed = sorted(doc["countries"], key=lambda c: c["basis"] != "curator")[: len(names) + 1]
    for country, name in zip(renamed, [*names, ":smile: face"], strict=True):
        country["name_en"] = name
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    english_names_made_the_curators(data_copy, [c["id"] for c in renamed])  # names the report does not print
    uni = data_copy / "universities" / "kyoto.toml"
    udoc = tomllib.loads(uni.read_text(encoding="utf-8"))
    udoc["university"]["short_names"] = ["\x1b[31mred", "京大"]
    uni.write_text(tomli_w.dumps(udoc), encoding="utf-8")

    result = _complete(shell, "spnet partners --country ", data_copy)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert not corpus.raw_characters(result.stdout, "\t\n")
    lines = result.stdout.removeprefix("_arguments '*: :((").splitlines()  # zsh: one call, a line a value
    assert len(lines) == len(plain)  # one line a country: no name wraps or splits one
    assert all(line.startswith((f'"{c}"', f"{c}\t", f"{c}:::", f"{c}")) for c, line in zip(plain, lines, strict=False))
    if shell != "bash":  # bash shows the values only
        assert "\\x1b]8;;http" in result.stdout and "[/bold] [red]" in result.stdout and "\\u202eRLO" in result.stdout
        assert ":smile:" not in result.stdout and "😄" not in result.stdout  # Rich would make it a picture: no help
    offered = _complete(shell, "spnet partners -u ", data_copy).stdout
    assert "京大" in offered and "red" not in offered  # a name that cannot be typed back is not offered


def _refusals_quote_text_escaped(refused: list[tuple[str, str]], tmp_path: Path) -> None:
    text = corpus.STRINGS["sampler"]
    for field in refused:
        data = tmp_path / "-".join(field)
        copy_data(data)
        corpus.plant(data, text, {field})
        for args, code in ((["check"], 1), (["partners"], 3)):
            result = CliRunner().invoke(app, ["--data", str(data), "--no-cache", *args])
            assert result.exit_code == code, (field, args, result.stderr[-500:])
            assert not corpus.raw_characters(result.stderr), field
            lines = result.stderr.splitlines()
            assert all(line.startswith(("error: ", "warning: ", "spnet: ")) for line in lines), (field, lines[:3])
            assert code != 3 or len(lines) == 1, field


def test_a_refused_value_is_quoted_escaped_in_every_message(tmp_path: Path, pytestconfig: pytest.Config) -> None:
    """Fields that take no free text (ids, references, kinds, times): the loader refuses the
    hostile string, and its messages quote it escaped, one line each (a sample of the fields)."""
    refused = sorted(corpus.free_text_fields(DATA, getattr(pytestconfig, "cache", None)).refused)
    assert refused
    _refusals_quote_text_escaped(refused[:: max(1, len(refused) // 4)], tmp_path)


@pytest.mark.slow
def test_every_refused_field_quotes_its_value_escaped(tmp_path: Path, pytestconfig: pytest.Config) -> None:
    _refusals_quote_text_escaped(
        sorted(corpus.free_text_fields(DATA, getattr(pytestconfig, "cache", None)).refused), tmp_path
    )


@pytest.mark.parametrize("name", ["sampler", "bidi", "zero-width", "line-breaks"])
def test_add_shows_typed_text_escaped_and_keeps_it_exactly(data_copy: Path, name: str) -> None:
    """`add --dry-run` shows the record and the diff (TOML escapes controls, not bidi or
    zero-width marks: spnet does); what `add` writes reads back as typed, and the file
    holds it escaped, as `cat` shows it, and stays canonical."""
    text = corpus.STRINGS[name]
    args = ["--data", str(data_copy), "add", "partner", "--id", "kyoto-hostile", "-u", "kyoto", "--kind"]
    args += ["strategic-partner", "--source", text, "--lines", "5", "--name-en", text, "--note", text]
    dry = CliRunner().invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.stderr
    assert not corpus.raw_characters(dry.stdout, "\t\n") and "kyoto-hostile" in dry.stdout
    assert tomllib.loads(dry.stdout.split("\n--- ")[0])["partners"][0]["name_en"] == text  # still TOML, same text
    added = CliRunner().invoke(app, args)
    assert added.exit_code == 0 and not corpus.raw_characters(added.stdout + added.stderr)
    shown = CliRunner().invoke(app, ["--data", str(data_copy), "show", "kyoto-hostile", "--format", "json"])
    assert json.loads(shown.stdout)["name_en"] == text
    assert not corpus.raw_characters((data_copy / "universities" / "kyoto.toml").read_text(encoding="utf-8"), "\t\n")
    assert CliRunner().invoke(app, ["--data", str(data_copy), "fmt", "--check"]).exit_code == 0
    refused = CliRunner().invoke(app, [*args[:8], text, *args[9:]])  # the text as a kind
    assert refused.exit_code == 2 and len(refused.stderr.splitlines()) == 1
    assert not corpus.raw_characters(refused.stderr)


@pytest.mark.parametrize(
    "args,code",
    [
        pytest.param(["--no-cache", "partners"], 3, id="a refusal naming a file"),
        pytest.param(["--no-cache", "check"], 0, id="check"),
        pytest.param(
            ["add", "person", "--id", "hostile-person", "--source", "s", "--lines", "1", "--name-en", "n"],
            0,
            id="add",
        ),
    ],
)
def test_messages_quote_a_hostile_data_directory_escaped(tmp_path: Path, args: list[str], code: int) -> None:
    data = tmp_path / "d\x1b[31mx\u202e"
    copy_data(data)
    if code == 3:
        (data / "countries.toml").unlink()
    result = CliRunner().invoke(app, ["--data", str(data), *args])
    assert result.exit_code == code, result.stderr
    assert not corpus.raw_characters(result.stdout + result.stderr)


STYLE = re.compile(r"\x1b\[[0-9;]*m")  # Select Graphic Rendition: bold, dim, colour


@pytest.mark.parametrize(
    "args",
    [
        ["partners", "-u", "kyoto"],
        ["timeline", "-u", "kyoto"],
        ["show", "kyoto-vienna"],
        ["search", "Vienna"],  # each match highlighted
        ["contacts", "--lang", "ja"],
    ],
    ids=lambda args: " ".join(args),
)
def test_on_a_terminal_the_only_escape_sequences_are_spnets_own_styles(
    planted: Callable[[str], Path], args: list[str]
) -> None:
    """Styles are applied after the layout, on a real terminal: the archive's escapes stay text."""
    from tests.test_screens import run_on_pty

    data = planted("sampler")
    env = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": "", "SPNET_CACHE_DIR": str(_cache_dir(data))}
    argv = [sys.executable, "-m", "spnet", "--data", str(data), *args, "--no-pager"]
    screen, errors, code = run_on_pty(argv, env, columns=120)
    assert code == 0, errors
    assert STYLE.search(screen)  # styled: this is the terminal path
    assert not corpus.raw_characters(STYLE.sub("", screen), "\r\n") and not corpus.raw_characters(errors)
    assert "\\x1b]8;;http" in screen  # the archive's link, shown as text
