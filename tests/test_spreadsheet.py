"""CSV for spreadsheets (--bom) as LibreOffice Calc opens it.

A CSV cell has no type: a spreadsheet guesses one. Calc reads 2019 as a number, 2023-03-03
as a date and 2023-03 as text, so a column of dates as written (2019, 2023-03, FY2019,
199X) neither keeps one type nor sorts. Every date as written therefore comes with the
first and the last day it can mean (`date_start`, `date_end`; `since_start`, ...), full
ISO dates that every spreadsheet reads as dates in any locale. These tests open spnet's
own --bom CSV in Calc (headless, a fresh profile) and read every cell back with its type
from the flat OpenDocument file Calc writes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

import pytest

from spnet.columns import COLUMNS
from tests.conftest import DATA, json_rows

SPNET = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_calc = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)"
)

# Dates as written; each has the pair STEM_start and STEM_end beside it.
AS_WRITTEN = ("date", "since", "designated")
# The listings that hold dates, and the files of `export csv` that do.
LISTINGS = ("timeline", "meetings", "symposia", "partners")
EXPORTED = ("events", "partners")
# Calc's CSV import (the filter options of its Text Import dialog): comma, double quote,
# UTF-8 (76), from line 1, then column types (N/2: column N as Text) and the language.
LANGUAGES = {"en-US": 1033, "ja-JP": 1041, "de-DE": 1031}

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


class Cell(NamedTuple):
    """A cell as Calc holds it: its type (string, float, date, boolean; None when empty),
    its value for a number or a date, and the text it shows."""

    type: str | None
    value: str | None
    shown: str


def _shown(p: ET.Element) -> str:
    """A paragraph's text, with the spaces and tabs ODF writes as elements."""
    out = [p.text or ""]
    for child in p:
        if child.tag == _TEXT + "s":
            out.append(" " * int(child.get(_TEXT + "c", "1")))
        elif child.tag == _TEXT + "tab":
            out.append("\t")
        else:
            out.append(_shown(child))
        out.append(child.tail or "")
    return "".join(out)


def read_fods(path: Path) -> list[list[Cell]]:
    """The first sheet's rows of a flat OpenDocument spreadsheet, cell by cell."""
    sheet = next(ET.parse(path).iter(_TABLE + "table"))
    rows = []
    for row in sheet.iter(_TABLE + "table-row"):
        cells: list[Cell] = []
        for cell in row.findall(_TABLE + "table-cell"):
            value = cell.get(_OFFICE + "value") or cell.get(_OFFICE + "date-value")
            shown = "\n".join(_shown(p) for p in cell.findall(_TEXT + "p"))
            repeat = int(cell.get(_TABLE + "number-columns-repeated", "1"))
            cells += [Cell(cell.get(_OFFICE + "value-type"), value, shown)] * min(repeat, 64)
        rows.append(cells)
    return rows


def open_in_calc(
    csvs: list[Path], profile: Path, *, language: str = "en-US", text: tuple[int, ...] = ()
) -> dict[Path, list[list[Cell]]]:
    """Each CSV as Calc imports it (text: the 1-based columns imported as Text), saved
    headless as flat ODF (one start of Calc for them all) and read back."""
    assert SOFFICE is not None
    types = "/".join(f"{n}/2" for n in text)
    options = f"CSV:44,34,76,1,{types},{LANGUAGES[language]}"
    out = csvs[0].parent / f"calc-{language}-{'-'.join(map(str, text))}"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
        + [f"--infilter={options}", "--convert-to", "fods", "--outdir", str(out), *map(str, csvs)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    cells = {}
    for csv in csvs:
        converted = out / f"{csv.stem}.fods"
        assert converted.exists(), (result.returncode, result.stdout, result.stderr)
        cells[csv] = read_fods(converted)
    return cells


def spnet(*args: str, cache: Path, out: Path | None = None) -> str:
    """The installed spnet's stdout (or, with out, written to that file), caching in `cache`
    (a module's fixture runs before each test's private cache is set)."""
    env = {**os.environ, "SPNET_DATA": str(DATA), "SPNET_CACHE_DIR": str(cache)}
    result = subprocess.run([str(SPNET), *args], capture_output=True, env=env, timeout=120)
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    if out is not None:
        out.write_bytes(result.stdout)
    return result.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[dict]]]:
    """Each listing's and each exported file's --bom CSV, with the JSON of the same command."""
    root = tmp_path_factory.mktemp("sheets")
    cache = tmp_path_factory.mktemp("cache")
    made = {}
    for listing in LISTINGS:
        csv = root / f"{listing}.csv"
        spnet(listing, "--format", "csv", "--bom", cache=cache, out=csv)
        made[listing] = (csv, json.loads(spnet(listing, "--format", "json", cache=cache)))
    spnet("export", "csv", "--bom", "--out", str(root / "export"), cache=cache)
    bundle = json.loads(spnet("export", "json", cache=cache))
    for kind in EXPORTED:
        csv = root / f"export-{kind}.csv"
        csv.write_bytes((root / "export" / f"{kind}.csv").read_bytes())
        made[f"export {kind}"] = (csv, bundle[kind])
    return made


@pytest.fixture(scope="module")
def default_import(sheets, profile: Path) -> dict[Path, list[list[Cell]]]:
    """Every CSV as Calc's Text Import dialog takes it as it opens (English)."""
    return open_in_calc([csv for csv, _rows in sheets.values()], profile)


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh LibreOffice profile: nothing of a user's settings changes the import."""
    return tmp_path_factory.mktemp("lo-profile")


def _date_columns(header: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """The columns of dates as written and of their first and last days, by key."""
    written = {key: i for i, key in enumerate(header) if key in AS_WRITTEN}
    days = {
        key: i
        for i, key in enumerate(header)
        if key.endswith(("_start", "_end")) and key.rsplit("_", 1)[0] in AS_WRITTEN
    }
    return written, days


def _check_days(cells: list[list[Cell]], rows: list[dict], days: dict[str, int]) -> None:
    """Each first or last day is a real date holding the JSON's day (empty where the JSON
    has none), and as Calc's dates a start never comes after its end."""
    for cell_row, row in zip(cells[1:], rows, strict=True):
        for key, i in days.items():
            cell = cell_row[i] if i < len(cell_row) else Cell(None, None, "")
            if row[key] is None:
                assert cell == Cell(None, None, ""), (row["id"], key, cell)
            else:
                assert (cell.type, cell.value) == ("date", row[key]), (row["id"], key, cell)
        for key in days:
            if key.endswith("_start") and row[key] is not None:
                end = cell_row[days[key.removesuffix("_start") + "_end"]]
                assert dt.date.fromisoformat(cell_row[days[key]].value or "") <= dt.date.fromisoformat(end.value or "")


# ------------------------------------------------------------------ without Calc
def test_every_date_as_written_has_its_days() -> None:
    """A listing that shows a date as written carries its first and last day too, in every
    machine format (a table shows the date as written)."""
    for listing, columns in COLUMNS.items():
        keys = {c.key: c for c in columns}
        for stem in AS_WRITTEN:
            if stem in keys and keys[stem].default:
                pair = [keys.get(f"{stem}_start"), keys.get(f"{stem}_end")]
                assert all(c is not None and c.default and not c.in_table for c in pair), (listing, stem)


def _first_and_last(written: str) -> tuple[str, str]:
    """The days a date as written spans, worked out here without spnet's own date code."""
    if m := re.fullmatch(r"FY(\d{4})", written):
        year = int(m[1])
        return f"{year}-04-01", f"{year + 1}-03-31"
    if m := re.fullmatch(r"(\d{3})X", written):
        return f"{m[1]}0-01-01", f"{m[1]}9-12-31"
    if re.fullmatch(r"\d{4}", written):
        return f"{written}-01-01", f"{written}-12-31"
    if re.fullmatch(r"\d{4}-\d{2}", written):
        first = dt.date.fromisoformat(written + "-01")
        after = (first + dt.timedelta(days=31)).replace(day=1)
        return first.isoformat(), (after - dt.timedelta(days=1)).isoformat()
    dt.date.fromisoformat(written)
    return written, written


@pytest.mark.parametrize("listing", LISTINGS)
def test_days_are_the_first_and_last_a_date_can_mean(cli, listing: str) -> None:
    rows = json_rows(cli, listing)
    seen = set()
    for row in rows:
        for stem in AS_WRITTEN:
            if stem not in row:
                continue
            pair = (row[f"{stem}_start"], row[f"{stem}_end"])
            assert pair == ((None, None) if row[stem] is None else _first_and_last(row[stem])), (row["id"], stem)
            if row[stem] is not None:
                seen.add(re.sub(r"\d", "9", row[stem]))
    if listing == "timeline":  # every precision the archive holds: decade, 年度, year, month, day
        assert seen >= {"999X", "FY9999", "9999", "9999-99", "9999-99-99"}
        starts = [row["date_start"] for row in rows]
        assert starts == sorted(starts)  # the timeline is in the order its first days sort in


def test_days_follow_the_date_in_the_other_formats(cli) -> None:
    """The plain and TSV rows carry the pair in the JSON's place; a table leaves it out."""
    rows = json_rows(cli, "partners", "-u", "waseda")
    bonn = next(r for r in rows if r["id"] == "waseda-bonn")
    assert (bonn["since"], bonn["since_start"], bonn["designated_end"]) == ("1960", "1960-01-01", "2017-12-31")
    tsv = cli("partners", "-u", "waseda", "--format", "tsv").stdout.splitlines()
    header = tsv[0].split("\t")
    assert header == list(rows[0])
    line = next(line.split("\t") for line in tsv[1:] if line.startswith("waseda-bonn\t"))
    assert dict(zip(header, line, strict=True))["since_end"] == "1960-12-31"
    table = cli("timeline", "--to", "1999", "--format", "table", env={"COLUMNS": "200"}).stdout
    assert "199X" in table or "1990s" in table
    assert "1990-01-01" not in table and "1999-12-31" not in table


# ------------------------------------------------------------------ in LibreOffice Calc
@needs_calc
@pytest.mark.slow
@pytest.mark.parametrize("source", [*LISTINGS, *(f"export {k}" for k in EXPORTED)])
def test_calc_reads_each_day_as_a_date_and_shows_each_date_as_written(sheets, default_import, source: str) -> None:
    """Calc's default import: the first and last days are dates with the JSON's day, the
    dates as written show exactly as in the JSON (whatever type Calc gives them), and the
    Japanese text arrives whole."""
    csv, rows = sheets[source]
    cells = default_import[csv]
    header = [c.shown for c in cells[0]]
    assert header == list(rows[0])
    written, days = _date_columns(header)
    assert written and len(days) == 2 * len(written)
    assert len(cells) == len(rows) + 1
    _check_days(cells, rows, days)
    for cell_row, row in zip(cells[1:], rows, strict=True):
        for key, i in written.items():
            assert cell_row[i].shown == (row[key] or ""), (row["id"], key, cell_row[i])
        for key in ("title_ja", "name_ja"):
            if key in header and row[key]:
                assert cell_row[header.index(key)] == Cell("string", None, row[key])
    # Why the pair is there: Calc gives the dates as written no one type.
    if "date" in written:
        # Sorted on Calc's own dates, the rows keep the listing's order (the timeline's is by first day).
        starts = [dt.date.fromisoformat(row[days["date_start"]].value or "") for row in cells[1:]]
        assert starts == sorted(starts)
    if source in ("timeline", "export events"):
        # Why the pair is there: Calc gives the dates as written no one type, so they cannot sort.
        assert {cell_row[written["date"]].type for cell_row in cells[1:]} == {"float", "string", "date"}


@needs_calc
@pytest.mark.slow
@pytest.mark.parametrize("language", ["ja-JP", "de-DE"])
def test_days_are_dates_in_every_locale(sheets, profile, language: str) -> None:
    """ISO days are dates whatever the language Calc imports in (Japanese writes dates
    2023/03/03, German 03.03.2023)."""
    opened = open_in_calc([csv for csv, _rows in sheets.values()], profile, language=language)
    for csv, rows in sheets.values():
        cells = opened[csv]
        _check_days(cells, rows, _date_columns([c.shown for c in cells[0]])[1])


@needs_calc
@pytest.mark.slow
@pytest.mark.parametrize("source", ["timeline", "partners"])  # one date column; two, some empty
def test_dates_as_written_imported_as_text_are_the_json_text(sheets, profile, source: str) -> None:
    """With the date columns imported as Text (the column type in Calc's import dialog),
    every date as written is a string cell with exactly the JSON's text, and the days
    beside them are still dates."""
    csv, rows = sheets[source]
    header = list(rows[0])
    written, days = _date_columns(header)
    cells = open_in_calc([csv], profile, text=tuple(i + 1 for i in written.values()))[csv]
    for cell_row, row in zip(cells[1:], rows, strict=True):
        for key, i in written.items():
            expected = Cell("string", None, row[key]) if row[key] is not None else Cell(None, None, "")
            assert cell_row[i] == expected, (row["id"], key)
    _check_days(cells, rows, days)
