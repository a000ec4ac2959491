"""The marks a table puts after a value (`?` the Japanese and English texts disagree, `+`
the curators' value, `*` a planned date) carry the same information in every format:
as marks and a legend in Markdown, as fields in JSON, CSV, TSV and plain. What each record
should carry is read from its JSON fields, never written down here."""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from typer.testing import Result

from tests.conftest import LISTINGS as RECORD_LISTINGS
from tests.conftest import json_rows

Cli = Callable[..., Result]

LISTINGS = [
    *RECORD_LISTINGS,
    ["search", "2022-02-10"],  # the 3rd meeting's date, which the texts disagree on
    ["search", "Bordeaux"],
]
ORDER = "?+*"  # the one order of marks after a value, as the legend lists them
WIDE = {"COLUMNS": "1000"}  # nothing wraps and no column gives way


def _ok(result: Result) -> str:
    assert result.exception is None, result.exception
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _expected(row: dict[str, Any]) -> str:
    """The marks a record's JSON fields call for, in ORDER."""
    curator = any(row.get(k) == "curator" for k in ("title_en_basis", "title_ja_basis", "country_basis"))
    return "".join(m for m, on in zip(ORDER, (row.get("disputed"), curator, row.get("tentative")), strict=True) if on)


def _marks_in(text: str) -> str:
    return "".join(m for m in ORDER if m in text)


def _cell_marks(cell: str) -> str:
    """The marks that end a Markdown cell as read: after a space, or alone."""
    found = re.search(r"(?:^| )([?+*]+)$", cell)
    return found[1] if found else ""


def _typed(value: str) -> Any:
    """A CSV or TSV cell as JSON has it: true/false a boolean, an empty cell null."""
    return {"true": True, "false": False, "": None}.get(value, value)


# ------------------------------------------------------------------ reading each format back
_TABLE_MARKS = re.compile(r"(?:^|(?<= ))([?+*]+)(?= {2,}|$)")  # after a value: a space before, a gap after


def _table_records(text: str, ids: set[str]) -> list[tuple[str, str]]:
    """(id, the marks on its lines) for each record of a table drawn without wrapping: a
    record begins on the line that holds its id; the legend under the table is left out."""
    found: list[list[str]] = []
    for line in text.splitlines():
        if re.match(r"[?+*] \S", line):  # the legend
            break
        own = [token for token in line.split() if token in ids]
        if own:
            found.append([own[0], ""])
        if found and line.strip():
            found[-1][1] += "".join(_TABLE_MARKS.findall(line))
    return [(rid, _marks_in(marks)) for rid, marks in found]


def _markdown(text: str) -> tuple[list[str], list[list[str]], list[str]]:
    """A Markdown table as a CommonMark reader shows it: the header's cells, each row's
    cells (text only), and the list under the table (the legend), item by item."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    rows: list[list[str]] = []
    legend: list[str] = []
    in_table = False
    for t in tokens:
        if t.type in ("table_open", "table_close"):
            in_table = t.type == "table_open"
        elif t.type == "tr_open":
            rows.append([])
        elif t.type == "inline":
            assert {c.type for c in t.children or ()} <= {"text", "softbreak", "html_inline"}, t.content
            shown = "".join(c.content for c in t.children or ())
            if in_table:
                rows[-1].append(shown)
            else:
                legend.append(shown)
        elif t.type == "bullet_list_open":
            assert not in_table and t.level == 0, "a mark began a list of its own"
    return rows[0], rows[1:], legend


def _delimited(text: str, fmt: str) -> list[dict[str, str]]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text, newline="")))
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


# ------------------------------------------------------------------ every listing, every format
@pytest.mark.parametrize("lang", ["both", "en", "ja"])
@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_every_format_marks_the_records_the_table_marks(cli: Cli, args: list[str], lang: str) -> None:
    rows = json_rows(cli, *args, "--lang", lang)
    expected = Counter((r["id"], _expected(r)) for r in rows)
    ids = {r["id"] for r in rows}

    table = _ok(cli(*args, "--lang", lang, "--format", "table", "--wide", env=WIDE))
    assert Counter(_table_records(table, ids)) == expected

    header, cells, _legend = _markdown(_ok(cli(*args, "--lang", lang, "--format", "md")))
    id_at = header.index("ID")
    assert Counter((row[id_at], _marks_in("".join(map(_cell_marks, row)))) for row in cells) == expected

    for fmt in ("csv", "tsv", "plain"):
        text = _ok(cli(*args, "--lang", lang, "--format", fmt))
        if fmt == "plain" and rows:  # the same columns as JSON, without a header
            text = "\t".join(rows[0]) + "\n" + text
        read = [{k: _typed(v) for k, v in r.items()} for r in _delimited(text, fmt)]
        assert Counter((r["id"], _expected(r)) for r in read) == expected, fmt


@pytest.mark.parametrize("args", [a for a in LISTINGS if a[0] != "search"], ids=" ".join)
def test_markdown_marks_each_cell_as_its_fields_say(cli: Cli, args: list[str]) -> None:
    """Each Markdown cell, every field asked for, carries the marks of its own field: `?`
    where `disputed_fields` names it, `+` where its basis is the curators', `*` on a
    planned date; the legend explains each mark used, once, in the one order."""
    rows = json_rows(cli, *args)
    keys = list(rows[0])
    _header, cells, legend = _markdown(_ok(cli(*args, "--format", "md", "--fields", ",".join(keys))))
    used = set()
    for record, row in zip(rows, cells, strict=True):
        assert row[keys.index("id")] == record["id"]  # Markdown keeps the listing's order
        for key, cell in zip(keys, row, strict=True):
            stem = re.sub(r"_(en|ja)$", "", key)
            want = "?" if stem in (record["disputed_fields"] or "").split("; ") else ""
            if (
                record.get(f"{key}_basis") == "curator"
                or stem == "country"
                and record.get("country_basis") == "curator"
            ):
                want += "+"
            if key == "date" and record.get("tentative"):
                want += "*"
            assert _cell_marks(cell) == want, (record["id"], key, cell)
            used.update(want)
    assert [item[0] for item in legend] == [m for m in ORDER if m in used]


# ------------------------------------------------------------------ the cases a reader saw
def test_the_third_meeting_is_marked_in_markdown(cli: Cli) -> None:
    (m3,) = [r for r in json_rows(cli, "meetings", "--year", "2022") if r["number"] == 3]
    assert m3["disputed_fields"] == "date"  # the English text prints 20 February
    _header, cells, legend = _markdown(_ok(cli("meetings", "--year", "2022", "--format", "md")))
    assert cells[1][:2] == ["3", "2022-02-10 ?"]
    assert legend == ["? the Japanese and English texts disagree / 日英の記述が異なる (spnet show ID)"]
    raw = _ok(cli("meetings", "--year", "2022", "--format", "md", "--lang", "ja"))
    assert "| 3 | 2022年2月10日（木） ? |" in raw
    assert raw.endswith("\n\n- ? 日英の記述が異なる (spnet show ID)\n")


def test_a_planned_date_known_only_to_its_year_is_marked_planned(cli: Cli) -> None:
    """Soka's continuation after 2024: planned, and its date disputed: `?*` in a table and
    in Markdown, in that order, both marks explained."""
    (soka,) = [r for r in json_rows(cli, "timeline", "--fy", "2024") if r["id"] == "soka-continuation-2024"]
    assert (soka["date"], soka["tentative"], soka["disputed_fields"]) == ("FY2024", True, "date")
    table = _ok(cli("timeline", "--fy", "2024", "--format", "table", env=WIDE))
    line = next(line for line in table.splitlines() if "soka-continuation-2024" in line)
    assert re.match(r"FY2024 onward \?\* ", line)
    assert table.endswith("* planned when the report was written / 報告書の時点で予定\n")
    md = _ok(cli("timeline", "--fy", "2024", "--format", "md"))
    assert "| FY2024 onward ?\\* |" in md
    header, cells, legend = _markdown(md)
    row = next(r for r in cells if r[header.index("ID")] == "soka-continuation-2024")
    assert row[header.index("Date")] == "FY2024 onward ?*"
    assert [item[:2] for item in legend] == ["? ", "+ ", "* "]
    ja = _ok(cli("timeline", "--fy", "2024", "--format", "md", "--lang", "ja"))
    assert "| 2024年度以降 ?\\* |" in ja and "\n- \\* 報告書の時点で予定\n" in ja


def test_a_title_both_disputed_and_the_curators_carries_both_marks_in_order(cli: Cli) -> None:
    (bordeaux,) = json_rows(cli, "timeline", "--from", "2024-03", "--to", "2024-03", "-u", "kyoto")
    assert (bordeaux["disputed_fields"], bordeaux["title_en_basis"], bordeaux["tentative"]) == (
        "title",
        "curator",
        True,
    )
    table = _ok(cli("timeline", "--from", "2024-03", "--to", "2024-03", "-u", "kyoto", "--format", "table", env=WIDE))
    assert re.search(r"^2024-03 \* .* Bordeaux \?\+ ", table, re.M)
    md = _ok(cli("timeline", "--from", "2024-03", "--to", "2024-03", "-u", "kyoto", "--format", "md"))
    assert "| 2024-03 \\* |" in md and "Bordeaux ?\\+ |" in md


@pytest.mark.parametrize(
    "title",
    ["A | B", "ends in a mark ?", "+ begins like a list", "* begins like a list", "a *b* c", "x \\| y", "a\\"],
)
def test_markdown_marks_stay_marks_beside_any_title(cli: Cli, data_copy: Path, title: str) -> None:
    """A title with `|`, `*`, `+`, `?` or a backslash in it, on a planned, disputed event:
    Markdown reads back the title as written, then its marks, and the legend as a list."""
    path = data_copy / "universities" / "kyoto.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    (event,) = [e for e in doc["events"] if e["id"] == "kyoto-bordeaux-symposium-2024"]
    event["title_en"] = title
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    args = ["--data", str(data_copy), "timeline", "-u", "kyoto", "--from", "2024-03", "--to", "2024-03"]
    header, cells, legend = _markdown(_ok(cli(*args, "--format", "md")))
    assert len(cells) == 1 and len(cells[0]) == len(header)
    assert cells[0][header.index("Title")] == f"{title} ?+"
    assert cells[0][header.index("Date")] == "2024-03 *"
    assert [item[:2] for item in legend] == ["? ", "+ ", "* "]


# ------------------------------------------------------------------ CSV and TSV columns
# Each listing's columns as a script reads them by position: those of earlier releases keep
# their place, and what a table's marks say comes after them.
STABLE = {
    "universities": "id name_en name_ja managing scheme_en scheme_ja partners disputed partners_stated",
    "partners": "id university name_en name_ja country country_en country_ja kind since disputed institution",
    "institutions": "id name_en name_ja country country_en country_ja universities members relations disputed",
    "timeline": "date tentative kind number title_en title_ja university id disputed onward title_en_basis",
    "meetings": "number date tentative weekday_en weekday_ja theme_en theme_ja kind title_en title_ja university id",
    "symposia": "number date tentative time theme_en theme_ja keynotes_en keynotes_ja report_url kind title_en",
    "contacts": "type name_en name_ja affiliation_en affiliation_ja role_en role_ja email url university id disputed",
}


@pytest.mark.parametrize("listing", sorted(STABLE))
def test_csv_and_tsv_headers_keep_their_columns_and_end_with_the_marks(cli: Cli, listing: str) -> None:
    keys = list(json_rows(cli, listing)[0])
    csv_header = next(csv.reader(io.StringIO(_ok(cli(listing, "--format", "csv")))))
    tsv_header = _ok(cli(listing, "--format", "tsv")).splitlines()[0].split("\t")
    assert csv_header == tsv_header == keys  # header names are the JSON keys
    first = STABLE[listing].split()
    assert keys[: len(first)] == first
    added = keys[len(first) :]
    assert "disputed_fields" in added
    assert ("country_basis" in added) == (listing == "partners")  # the one listing a table marks +country on
    assert ("tentative" in keys) == ("date" in keys)  # every listing of dates says which are planned


def test_disputed_fields_name_what_show_gives_both_readings_of(cli: Cli) -> None:
    """`disputed_fields` lists the fields the record's disagreements are on, as `show` has them."""
    for row in json_rows(cli, "timeline"):
        shown = json.loads(_ok(cli("show", row["id"], "--format", "json")))
        on = {v for k, v in shown.items() if re.fullmatch(r"disagreements\[\d+\]\.field", k)}
        named = set((row["disputed_fields"] or "").split("; ")) - {""}
        assert named <= on and row["disputed"] == bool(named), row["id"]


def test_each_mark_of_a_pair_has_its_own_colour_on_a_terminal() -> None:
    """On a terminal `?*` is two marks, each in its colour; NO_COLOR keeps both characters."""
    from tests.test_screens import on_terminal

    coloured = on_terminal(["timeline", "--fy", "2024"], 120)
    assert re.search(r"^FY2024 onward \?\* ", coloured.text, re.M)
    assert re.search(r"\x1b\[1;33m\?(\x1b\[0m)?\x1b\[36m\*", coloured.raw)  # bold yellow ?, cyan *
    plain = on_terminal(["timeline", "--fy", "2024"], 120, env={"NO_COLOR": "1"})
    assert plain.text == coloured.text and "\x1b[36m" not in plain.raw


def test_the_installed_command_writes_the_marks_in_markdown() -> None:
    """The `spnet` a user runs, piped: Markdown with the 3rd meeting's mark and its legend."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import DATA

    spnet = shutil.which("spnet", path=str(Path(sys.executable).parent))
    assert spnet, "spnet is not installed beside this Python"
    result = subprocess.run(
        [spnet, "--data", str(DATA), "meetings", "--year", "2022", "-f", "md", "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert "| 3 | 2022-02-10 ? | Thursday |" in result.stdout
    assert result.stdout.endswith("\n\n- ? the Japanese and English texts disagree (spnet show ID)\n")


@pytest.mark.parametrize("listing", ["partners", "timeline", "meetings", "symposia"])
def test_every_column_of_a_value_the_curators_may_give_or_plan_says_so(listing: str) -> None:
    """A listing's row says how a value is known (`country_basis`, `title_en_basis`) and
    whether an event is planned (`tentative`): each column showing such a value names that
    key as its basis or its planned flag, so a column added for it is marked + or * too."""
    from spnet import events, query
    from spnet.archive import load_archive
    from spnet.columns import COLUMNS
    from tests.conftest import DATA

    archive = load_archive(DATA)
    listings = {"partners": query.partners, "timeline": events.timeline}
    row = (listings.get(listing) or getattr(events, listing))(archive)[0]
    for c in COLUMNS[listing]:
        stem = c.key.removesuffix("_en").removesuffix("_ja")
        basis = f"{c.key}_basis" if f"{c.key}_basis" in row else f"{stem}_basis" if f"{stem}_basis" in row else None
        assert c.basis == basis, c.key
        assert c.planned == ("tentative" if c.key == "date" else None), c.key
