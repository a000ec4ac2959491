"""The report beside the archive, as a user sees it: `spnet source` prints any passage of
the shipped report by its line numbers, and `spnet show ID --source` the lines a record
cites, each value it holds marked where it stands (a style on a terminal, columns as data
in JSON). Run as a user runs spnet: Typer's runner for answers, the installed command in a
subprocess for errors, a pseudo-terminal for what a person sees."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import Result

from spnet import provenance
from spnet.provenance import fold
from tests.conftest import DATA, copy_data, json_rows, report_path
from tests.test_screens import on_terminal

REPORT = provenance.report()
LAST = len(REPORT)
MARKED = re.compile(r"\x1b\[1;7m(.*?)\x1b\[0m")  # what the terminal shows in bold reverse


def spnet(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed spnet in a subprocess, as a shell runs it."""
    clean = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    return subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(DATA), *args],
        capture_output=True,
        text=True,
        env={**clean, "SPNET_LANG": "en", **env},
        timeout=60,
    )


def ok(result: Result) -> Result:
    assert result.exception is None, result.exception
    assert result.exit_code == 0, result.stderr
    return result


# ------------------------------------------------------------------ spnet source LINES
def test_one_line_is_the_reports_line_exactly(cli: Callable[..., Result]) -> None:
    lines = report_path().read_text(encoding="utf-8").split("\n")
    assert json_rows(cli, "source", "2687") == [{"line": 2687, "text": lines[2686]}]
    assert lines[2686] == "認定し、翌年の令和2年（2020年）にはチューリヒ"
    # Plain (piped): line number, a tab, the line as printed.
    assert ok(cli("source", "2687")).stdout == f"2687\t{lines[2686]}\n"


@pytest.mark.parametrize(
    "typed,lines",
    [
        (["2687-2690"], [2687, 2688, 2689, 2690]),
        (["2687–2690"], [2687, 2688, 2689, 2690]),  # an en dash, as a page range is written
        (["２６８７～２６８８"], [2687, 2688]),  # full-width, as a Japanese input method types it
        (["2687", "2762-2764"], [2687, 2762, 2763, 2764]),
        (["2762-2763,2687"], [2762, 2763, 2687]),  # in the order asked for
        ([f"{LAST - 2}-"], [LAST - 2, LAST - 1, LAST]),  # to the end
        (["1"], [1]),
        ([str(LAST)], [LAST]),
    ],
)
def test_ranges_as_a_user_types_them(cli: Callable[..., Result], typed: list[str], lines: list[int]) -> None:
    rows = json_rows(cli, "source", *typed)
    assert [r["line"] for r in rows] == lines
    assert all(r["text"] == REPORT.line(r["line"]) for r in rows)


@pytest.mark.parametrize(
    "typed,says",
    [
        ("0", "line 0 is not in the report, which has lines 1 to 3465"),
        (str(LAST + 1), f"line {LAST + 1} is not in the report, which has lines 1 to 3465"),
        (f"3400-{LAST + 1}", f"line 3400-{LAST + 1} is not in the report, which has lines 1 to 3465"),
        ("2700-2687", "the range 2700-2687 runs backwards: give 2687-2700"),
        ("abc", "not a line or a range of lines: 'abc' (give e.g. 2687 or 2687-2700)"),
        ("12.5", "not a line or a range of lines: '12.5' (give e.g. 2687 or 2687-2700)"),
    ],
)
def test_a_bad_range_is_one_line_and_exit_2(typed: str, says: str) -> None:
    result = spnet("source", "2687", typed)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"spnet: error: {says}\n"


def test_a_bad_range_in_japanese() -> None:
    result = spnet("source", "2700-2687", SPNET_LANG="ja")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "spnet: エラー: 範囲 2700-2687 の始めと終わりが逆です: 2687-2700 と指定してください\n"


def test_the_whole_report_has_no_cap(cli: Callable[..., Result]) -> None:
    rows = json_rows(cli, "source", "1-")
    assert [r["line"] for r in rows] == list(range(1, LAST + 1))
    assert "\n".join(r["text"] for r in rows) == report_path().read_text(encoding="utf-8")


def test_source_alone_says_what_the_report_is(cli: Callable[..., Result]) -> None:
    (facts,) = json_rows(cli, "source")
    assert list(facts) == ["title_ja", "title_en", "issued_by", "text", "lines", "sha256", "sections"]
    data = report_path().read_bytes()
    assert facts["sha256"] == hashlib.sha256(data).hexdigest() == provenance.SHA256
    assert facts["lines"] == LAST == data.decode("utf-8").count("\n") + 1
    # Each fact is the README's, which ships beside the report.
    readme = " ".join((report_path().parent / "README.md").read_text(encoding="utf-8").split())
    for key in ("title_ja", "title_en", "sha256"):
        assert fold(str(facts[key])) in fold(readme), key
    assert f"{LAST:,} lines" in readme
    for part in re.split(r"[;,()]| and ", facts["issued_by"]):
        assert fold(part) in fold(readme), part
    for section in facts["sections"]:
        assert f"| {section['first']}–{section['last']} | {section['section']} |" in readme
    # The title is the report's own, on its cover lines.
    assert REPORT.where(facts["title_ja"]) and REPORT.where(facts["title_en"])
    shown = ok(cli("source")).stdout
    assert f"sha256\t{provenance.SHA256}\n" in shown and "title_ja\t国際競争力強化" in shown


def test_text_from_the_report_is_never_markup() -> None:
    """Line 2267 is `[Themes for case presentations and information exchange]`: Rich markup
    would drop it as a tag."""
    assert REPORT.line(2267) == "[Themes for case presentations and information exchange]"
    screen = on_terminal(["source", "2267"], 80)
    assert screen.code == 0, screen.err
    assert "2267  [Themes for case presentations and information exchange]" in screen.lines
    md = spnet("source", "2267", "--format", "md").stdout
    assert md.endswith("| 2267 | [Themes for case presentations and information exchange] |\n")


def test_csv_and_tsv_for_scripts(cli: Callable[..., Result]) -> None:
    assert ok(cli("source", "2687-2688", "--format", "csv")).stdout_bytes.decode() == (
        f"line,text\r\n2687,{REPORT.line(2687)}\r\n2688,\r\n"
    )
    tsv = ok(cli("source", "2687", "--format", "tsv", "--lang", "ja")).stdout
    assert tsv == f"line\ttext\n2687\t{REPORT.line(2687)}\n"
    # The marks of `show --source`: JSON text in a cell.
    row = next(r for r in json_rows(cli, "show", "kyoto-zurich", "--source") if r["marks"])
    shown = ok(cli("show", "kyoto-zurich", "--source", "--format", "tsv")).stdout
    assert shown.startswith("line\ttext\tfields\tmarks\n")
    marks = json.dumps(row["marks"], ensure_ascii=False)
    assert f"{row['line']}\t{row['text']}\t{row['fields']}\t{marks}\n" in shown


# ------------------------------------------------------------------ a person's screen
def test_a_passage_on_a_terminal_fits_and_keeps_its_line_numbers() -> None:
    for columns in (80, 120):
        screen = on_terminal(["source", "2740-2750"], columns)
        assert screen.code == 0, screen.err
        assert max(map(len, screen.lines)) <= columns * 2  # display width is checked in test_screens
        # Each line with text, under its number; the blank lines between them left out.
        for n in range(2740, 2751):
            text = REPORT.line(n).strip()
            if text:
                assert any(line.startswith(f"{n}  ") for line in screen.lines), n
            else:
                assert not any(line.startswith(f"{n} ") for line in screen.lines), n


def test_vertical_lines_are_joined_for_a_reader_and_kept_apart_for_a_script(cli: Callable[..., Result]) -> None:
    """The programmes were typeset vertically: one character per line in the text. On a
    terminal a run of them is one row, 786–808, its text joined; JSON keeps every line."""
    joined = "".join(REPORT.line(n).strip() for n in range(786, 809))
    assert joined.startswith("使用言語:英語もしくは日本語") or "使用言語" in joined
    screen = on_terminal(["source", "786-808"], 120)
    assert screen.code == 0, screen.err
    assert screen.lines[3].startswith("786–808  ")
    shown = "".join(line[9:].strip() for line in screen.lines[3:])
    assert fold(shown) == fold(joined)
    assert [r["line"] for r in json_rows(cli, "source", "786-808")] == list(range(786, 809))


def test_headings_and_labels_in_japanese() -> None:
    screen = on_terminal(["source", "2687", "2762-2764", "--lang", "ja"], 80)
    assert screen.code == 0, screen.err
    assert screen.lines[0].split() == ["行", "報告書の本文"]
    assert "2687行" in screen.lines and "2762～2764行" in screen.lines
    english = on_terminal(["source", "2687", "2762-2764", "--lang", "en"], 80, env={"LANG": "ja_JP.UTF-8"})
    assert "line 2687" in english.lines and "lines 2762–2764" in english.lines
    assert english.lines[0].split() == ["Line", "Report's", "text"]


# ------------------------------------------------------------------ spnet show ID --source
def _pieces(rows: list[dict]) -> dict[str, list[tuple[int, str]]]:
    """For each field marked, its marked pieces in order: (line, text[start:end])."""
    out: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        for mark in row["marks"]:
            out.setdefault(mark["field"], []).append((row["line"], row["text"][mark["start"] : mark["end"]]))
    return out


def test_a_known_record_shows_its_lines_with_each_value_marked(cli: Callable[..., Result]) -> None:
    record = json_rows(cli, "show", "kyoto-zurich")[0]
    rows = json_rows(cli, "show", "kyoto-zurich", "--source")
    assert all(set(r) == {"line", "text", "fields", "marks"} for r in rows)  # the JSON's shape
    cited = {int(n) for n in record["source.lines"].split(", ")}
    pieces = _pieces([r for r in rows if r["line"] is not None])
    # チューリヒ大学 begins at the end of 2687 and ends at the start of 2689.
    assert pieces["name_ja"] == [(2687, "チューリヒ"), (2689, "大学")]
    assert 2687 in cited
    assert "".join(p for _n, p in pieces["name_en"]) == "University of Zurich"
    # Every cited line is shown, whether it holds a value or not.
    assert cited <= {r["line"] for r in rows}
    for row in rows:
        if row["line"] is not None:
            assert row["text"] == REPORT.line(row["line"])
            assert row["fields"] == ", ".join(dict.fromkeys(m["field"] for m in row["marks"]))


def test_a_value_its_lines_do_not_hold_is_listed_without_a_line(data_copy: Path) -> None:
    """A record citing the wrong line: its values are shown as not found there."""
    path = data_copy / "universities" / "kyoto.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('id = "kyoto-zurich"')
    lines_at = text.index("lines = [", start)
    end = text.index("]", lines_at) + 1
    path.write_text(text[:lines_at] + "lines = [2770]" + text[end:], encoding="utf-8")
    result = spnet("--data", str(data_copy), "show", "kyoto-zurich", "--source", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["line"] for r in rows if r["line"] is not None] == [2770]
    assert rows[0]["marks"] == []  # 2770 holds none of its values
    missing = {r["fields"]: r["text"] for r in rows if r["line"] is None}
    assert missing["name_en"] == "University of Zurich" and missing["name_ja"] == "チューリヒ大学"
    assert all(r["marks"] == [] for r in rows if r["line"] is None)


def _value(card: dict, field: str) -> str:
    """A field's value in `show`'s JSON; a list's item (members_en[1]) from its list."""
    from spnet.evidence import LISTS

    item = re.fullmatch(r"(.+)\[(\d+)\]", field)
    if item and item[1] in LISTS:
        return str(card[item[1]]).split(LISTS[item[1]])[int(item[2])]
    return str(card[field])


@pytest.mark.slow
def test_every_record_shows_its_source_and_every_mark_is_its_value(cli: Callable[..., Result]) -> None:
    """For every record of the archive: `show --source` answers, every row's text is the
    report's line, and the pieces marked for a field, joined, are that field's value (in
    the documented normalisation), each piece on the line the row says."""
    from spnet.archive import load_archive
    from spnet.evidence import cited_lines, every_cited_line, quoted_fields, required
    from spnet.records import all_records

    records = list(all_records(load_archive(str(DATA))))
    assert len(records) > 100
    checked = 0
    for record in records:
        card = json_rows(cli, "show", record.id)[0]
        rows = json_rows(cli, "show", record.id, "--source")
        if not every_cited_line(record):
            assert rows == []
            continue
        for row in rows:
            if row["line"] is not None:
                assert row["text"] == REPORT.line(row["line"]), (record.id, row["line"])
        for field, pieces in _pieces([r for r in rows if r["line"] is not None]).items():
            value = _value(card, field).replace("…", "")  # a shortened quotation: its pieces
            assert fold("".join(p for _n, p in pieces)) == fold(value), (record.id, field)
            assert all(p.strip() for _n, p in pieces), (record.id, field)  # no mark on a blank
            checked += 1
        for row in rows:
            if row["line"] is None:
                assert _value(card, row["fields"]) == row["text"] and required(row["fields"])
    # As many as the report holds on the lines cited, found without spnet's command.
    found = sum(
        all(REPORT.locate(part, cited_lines(r, path)) for part in value.split("…") if fold(part))
        for r in records
        if every_cited_line(r)
        for path, value in quoted_fields(r)
    )
    assert checked == found > 0


def test_lang_chooses_the_values_shown(cli: Callable[..., Result]) -> None:
    ja = json_rows(cli, "show", "kyoto-zurich", "--source", "--lang", "ja")
    en = json_rows(cli, "show", "kyoto-zurich", "--source", "--lang", "en")
    ja_fields = {m["field"] for r in ja for m in r["marks"]} | {r["fields"] for r in ja if r["line"] is None}
    en_fields = {m["field"] for r in en for m in r["marks"]} | {r["fields"] for r in en if r["line"] is None}
    assert ja_fields and all(f.endswith("_ja") for f in ja_fields)
    assert en_fields and all(f.endswith("_en") for f in en_fields)


def test_on_a_terminal_the_value_is_marked_where_it_stands() -> None:
    screen = on_terminal(["show", "kyoto-zurich", "--source"], 120)
    assert screen.code == 0, screen.err
    marked = MARKED.findall(screen.raw)
    assert "University of Zurich" in marked and "チューリヒ" in marked
    assert "lines 2685–2689" in screen.lines  # a heading for each passage
    header = screen.lines[0].split()
    assert header == ["Line", "Report's", "text", "Fields"]
    # Without styles (a dumb terminal) the same text, the fields column saying what is where.
    dumb = on_terminal(["show", "kyoto-zurich", "--source"], 120, env={"TERM": "dumb"})
    assert "\x1b[" not in dumb.raw and dumb.text == screen.text


def test_a_marked_value_keeps_its_mark_when_wrapped() -> None:
    """At 80 columns line 2762 wraps inside its cell: the mark follows the words."""
    screen = on_terminal(["show", "kyoto-zurich", "--source"], 80)
    assert screen.code == 0, screen.err
    marked = MARKED.findall(screen.raw)
    assert "University of Zurich" in marked
    text_lines = [line for line in screen.lines if "Zurich" in line]
    assert text_lines and all(len(line) <= 80 for line in text_lines)


def test_every_mark_survives_wrapping_on_a_narrow_terminal(cli: Callable[..., Result]) -> None:
    """At 60 columns Kyoto's paragraphs wrap inside their cells: what the terminal shows in
    bold reverse, read in order, is exactly what the JSON marks, and nothing else."""
    rows = json_rows(cli, "show", "kyoto", "--source")
    expected = ""
    for row in rows:
        stressed = sorted({n for m in row["marks"] for n in range(m["start"], m["end"])})
        expected += "".join(row["text"][n] for n in stressed)
    screen = on_terminal(["show", "kyoto", "--source"], 60)
    assert screen.code == 0, screen.err
    assert max(cell_len(line) for line in screen.lines) <= 60
    assert len(screen.lines) > len(rows)  # it did wrap
    shown = "".join(MARKED.findall(screen.raw))
    assert fold(shown) == fold(expected) and len(fold(expected)) > 1000


def test_in_a_japanese_readers_words() -> None:
    result = spnet("show", "kyoto-zurich", "--source", "--format", "md", SPNET_LANG="ja")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("| 行 | 報告書の本文 | 該当項目 |\n")
    assert "名称（日本語）" in result.stdout
    # Markdown marks the value in bold, the report's text escaped around it.
    marked = "| 2687 | **認定**し、翌年の令和2年（2020年）には**チューリヒ** "
    marked += "| 戦略認定の内容（日本語）、名称（日本語） |\n"
    assert marked in result.stdout


def test_a_vertical_programme_record_is_readable() -> None:
    """symposium-2 cites lines of its vertically typeset flyer: on a terminal the run of
    one-character lines is one row with its text joined, and its value marked in it."""
    screen = on_terminal(["show", "symposium-2", "--source"], 120)
    assert screen.code == 0, screen.err
    rows = [line for line in screen.lines if re.match(r"\d+–\d+ ", line)]
    assert rows, "no joined row"
    assert any("使用言語:" in line for line in rows)
    assert any("英語もしくは日本語（日英の" in m for m in MARKED.findall(screen.raw))


def test_a_record_citing_no_line_says_so(cli: Callable[..., Result]) -> None:
    assert json_rows(cli, "show", "at", "--source") == []
    screen = on_terminal(["show", "at", "--source"], 80)
    assert screen.code == 0 and screen.text == ""
    assert screen.err == "spnet: at cites no line of the report: what it holds is the curators'\n"
    ja = on_terminal(["show", "at", "--source", "--lang", "ja"], 80)
    assert ja.err == "spnet: at は報告書のどの行も典拠としていません。内容はアーカイブ編者によるものです\n"


def test_an_unknown_record_is_exit_2() -> None:
    result = spnet("show", "no-such-record", "--source")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("spnet: error: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("typed", ["9" * 4301, "1-" + "9" * 4301, "9" * 4301 + "-"])
def test_a_line_of_thousands_of_digits_is_past_the_end(typed: str) -> None:
    """Python refuses to convert such a number: spnet says it is not in the report, exit 2."""
    result = spnet("source", typed)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("spnet: error: line ") and " characters)…" in result.stderr
    assert result.stderr.endswith("is not in the report, which has lines 1 to 3465\n")
    assert result.stderr.count("\n") == 1


def test_an_id_of_thousands_of_digits_is_an_unknown_record() -> None:
    result = spnet("show", "9" * 4301)
    assert result.returncode == 2 and result.stderr.startswith("spnet: error: unknown record ")


def test_a_cited_line_past_the_reports_end_shows_no_line(tmp_path: Path) -> None:
    """An archive of one's own may cite lines the report does not have: nothing is shown
    for them, and the values only they would hold are listed as not on the lines cited."""
    data = tmp_path / "data"
    copy_data(data)
    kyoto = data / "universities" / "kyoto.toml"
    text = kyoto.read_text(encoding="utf-8")
    start = text.index('id = "kyoto-zurich"')
    cited = text.index("lines = [\n", start) + len("lines = [\n")
    kyoto.write_text(text[:cited] + "    4000,\n" + text[cited:], encoding="utf-8")
    result = spnet("--data", str(data), "show", "kyoto-zurich", "--source", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(row["line"] is None or 1 <= row["line"] <= LAST for row in rows)


def test_a_record_citing_lines_in_the_other_language_only_says_so() -> None:
    """A person the report names in Japanese only cites no English line: not the curators'."""
    screen = on_terminal(["show", "sym2-closing-remarks", "--source", "--lang", "en"], 120)
    assert screen.code == 0 and screen.text == ""
    assert screen.err == "spnet: sym2-closing-remarks cites no line of the report in that language: try --lang both\n"
    assert json.loads(spnet("show", "sym2-closing-remarks", "--source", "--lang", "ja", "--format", "json").stdout)
