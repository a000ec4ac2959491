"""Every value `check` accepts is one every output holds, and one just past each bound is
refused: dates at the first and last day spnet holds (whole 年度 FY1 to FY9998), times at
00:00 and 23:59, ids and names at their longest, integers at 64 bits, records nested as
deep as the schema goes. An archive holding all of them goes through every format and
export, each read back by its real reader: icalendar, an XML parser, Graphviz, sqlite3,
csv and json."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from spnet.archive import load_archive
from spnet.archive.files import MAX_DEPTH
from spnet.archive.schema import MAX_CHARS
from spnet.partialdate import FIRST_DAY, LAST_DAY
from tests.conftest import DATA, copy_data

INT_MAX, INT_MIN = 2**63 - 1, -(2**63)
LONG_ID = "b" + "-0" * ((MAX_CHARS["id"] - 1) // 2)  # an id at its longest
# A name at its longest: quotes and backslashes (escaped in DOT, doubling them) in
# English, a character of four bytes in UTF-8 in Japanese.
LONG_NAME_EN = '"\\' * (MAX_CHARS["name_en"] // 2)
LONG_NAME_JA = "𠮷" * MAX_CHARS["name_ja"]
# Each stored date at a bound: the event id and its date.
BOUND_DATES = {
    "first-day": FIRST_DAY.isoformat(),
    "last-day": LAST_DAY.isoformat(),
    "first-month": FIRST_DAY.isoformat()[:7],
    "last-month": LAST_DAY.isoformat()[:7],
    "first-year": f"{FIRST_DAY.year + 1:04d}",
    "last-year": f"{LAST_DAY.year - 1:04d}",
    "first-fy": f"FY{FIRST_DAY.year:04d}",
    "last-fy": f"FY{LAST_DAY.year - 1:04d}",
    "first-decade": "001X",
    "last-decade": "998X",
    "in-december": "2023-12-31",
    "in-january": "2024-01-01",
}
BOUND_TIMES = {"first-day": "00:00-23:59", "last-day": "23:59", "in-december": "00:00", "in-january": "23:58-23:59"}


def spnet(data: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The installed command, as a script runs it (no terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), *args], capture_output=True, check=False, timeout=120
    )


def _edit(data: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = data / name
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")


def _bound_event(key: str, date: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": f"bound-{key}",
        "kind": "meeting",
        "number": INT_MAX,
        "date": date,
        "title_en": f"At the bound: {key}",
        "title_ja": LONG_NAME_JA,
        "partners": [LONG_ID],
        "source": "a test",
        "lines": [INT_MAX],
    }
    if key in BOUND_TIMES:
        event["time"] = BOUND_TIMES[key]
    return event


def _at_every_bound(doc: dict[str, Any]) -> None:
    doc["partners"].append(
        {
            "id": LONG_ID,
            "name_en": LONG_NAME_EN,
            "name_ja": LONG_NAME_JA,
            "kind": "research-partner",
            "since": FIRST_DAY.isoformat(),
            "source": "a test",
            "lines": [1],
        }
    )
    doc["counts"] += [
        {"what_en": "most", "value": INT_MAX, "source": "a test", "lines": [INT_MAX]},
        {"what_en": "least", "value": INT_MIN, "as_of": LAST_DAY.isoformat(), "source": "a test", "lines": [1]},
    ]
    doc["events"] += [_bound_event(key, date) for key, date in BOUND_DATES.items()]


@pytest.fixture(scope="module")
def bounds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real archive and, in kyoto.toml, a value at every bound."""
    data = tmp_path_factory.mktemp("bounds") / "data"
    copy_data(data)
    _edit(data, "universities/kyoto.toml", _at_every_bound)
    return data


def _ok(data: Path, *args: str) -> bytes:
    done = spnet(data, *args)
    assert done.returncode == 0 and done.stderr.count(b"error") == 0, (args, done.stderr[:500])
    return done.stdout


def test_check_accepts_every_value_at_a_bound(bounds: Path) -> None:
    done = spnet(bounds, "check")
    assert done.returncode == 0, done.stderr.decode()[-2000:]


def test_the_calendar_reads_back_with_icalendar(bounds: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    calendar = icalendar.Calendar.from_ical(_ok(bounds, "export", "ics", "--vague-dates"))
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    for key in BOUND_DATES:
        event = events[f"bound-{key}@spnet"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert end > start, key
    first = events["bound-first-day@spnet"]
    assert first.decoded("DTSTART") == dt.datetime(1, 4, 1, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert first.decoded("DTEND") == dt.datetime(1, 4, 1, 23, 59, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert events["bound-last-day@spnet"].decoded("DTSTART") == LAST_DAY  # a start time only: all day
    last_month = events["bound-last-month@spnet"]  # one day, the month's first: not a month-long entry
    assert last_month.decoded("DTEND") == last_month.decoded("DTSTART") + dt.timedelta(days=1)
    assert last_month.decoded("DTSTART") == LAST_DAY.replace(day=1)
    assert events["bound-first-fy@spnet"].decoded("DTSTART") == FIRST_DAY


def _axes(root: ET.Element) -> list[tuple[float, float]]:
    """The stretches of the picture's time axis, left to right: the years before the
    project's when they have a band, then the axis."""
    lines = [el for el in root.iter("{http://www.w3.org/2000/svg}line") if el.get("class") == "axis"]
    return sorted((float(el.attrib["x1"]), float(el.attrib["x2"])) for el in lines)


def _on_an_axis(mark: ET.Element, axes: list[tuple[float, float]]) -> bool:
    left = float(mark.attrib.get("cx", mark.attrib.get("x", "nan")))
    right = left + float(mark.attrib.get("width", 0))
    return any(a <= left <= right <= b + 0.05 for a, b in axes)


def test_the_timeline_picture_is_xml_and_everything_is_on_its_axis(bounds: Path, tmp_path: Path) -> None:
    svg = tmp_path / "timeline.svg"
    _ok(bounds, "timeline", "--all", "--svg", str(svg))
    root = ET.parse(svg).getroot()
    marks = [el for el in root.iter() if "data-date" in el.attrib]
    assert {el.attrib["data-id"] for el in marks} >= {f"bound-{key}" for key in BOUND_DATES}
    axes = _axes(root)  # the bound events are meetings: the project's own years run from the first to the last
    assert all(_on_an_axis(el, axes) for el in marks)
    years = [el for el in root.iter("{http://www.w3.org/2000/svg}text") if el.get("class") == "year"]
    for a, b in axes:
        xs = sorted(float(el.attrib["x"]) for el in years if a - 1 <= float(el.attrib["x"]) <= b + 1)
        assert 2 <= len(xs) <= 20 and all(y - x >= 30 for x, y in zip(xs, xs[1:], strict=False)), xs


def test_the_graph_is_drawn_by_graphviz_and_mermaid_keeps_every_node(bounds: Path, tmp_path: Path) -> None:
    mermaid = _ok(bounds, "graph", "--format", "mermaid").decode("utf-8")
    node = "n_" + LONG_ID.replace("-", "_")
    assert sum(line.strip().startswith(f"{node}(") for line in mermaid.splitlines()) == 1
    assert sum(line.strip().endswith(f"| {node}") for line in mermaid.splitlines()) == 1
    dot_text = _ok(bounds, "graph")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed (apt-get install graphviz)")
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot_text, capture_output=True, check=False, timeout=120)
    assert drawn.returncode == 0, drawn.stderr[:300]
    assert LONG_NAME_JA in ET.fromstring(drawn.stdout).findall(".//{*}text")[0].itertext().__next__() or any(
        LONG_NAME_JA in (el.text or "") for el in ET.fromstring(drawn.stdout).iter()
    )
    out = tmp_path / "network.svg"
    _ok(bounds, "graph", "--format", "svg", "--out", str(out))
    ET.parse(out)


def test_the_sqlite_export_holds_every_value_exactly(bounds: Path, tmp_path: Path) -> None:
    path = tmp_path / "spnet.db"
    _ok(bounds, "export", "sqlite", "--out", str(path))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = dict(db.execute("SELECT id, date FROM events WHERE id LIKE 'bound-%'").fetchall())
        numbers = {n for (n,) in db.execute("SELECT number FROM events WHERE id LIKE 'bound-%'")}
        names = db.execute("SELECT name_en, name_ja FROM partners WHERE id = ?", (LONG_ID,)).fetchall()
        counts = {v for (v,) in db.execute("SELECT value FROM counts WHERE what_en IN ('most', 'least')")}
    assert rows == {f"bound-{key}": date for key, date in BOUND_DATES.items()}
    assert numbers == {INT_MAX} and names == [(LONG_NAME_EN, LONG_NAME_JA)]
    assert counts == {INT_MAX, INT_MIN}  # a count is a whole number, not a float near it


def test_json_csv_tsv_and_markdown_keep_every_row_whole(bounds: Path, tmp_path: Path) -> None:
    exported = json.loads(_ok(bounds, "export", "json"))
    events = {e["id"]: e for e in exported["events"]}
    assert {events[f"bound-{key}"]["date"] for key in BOUND_DATES} == set(BOUND_DATES.values())
    assert events["bound-first-day"]["number"] == INT_MAX
    _ok(bounds, "export", "csv", "--out", str(tmp_path / "csv"))
    for path in (tmp_path / "csv").iterdir():
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        assert len({len(row) for row in rows}) == 1, path.name
    timeline = json.loads(_ok(bounds, "timeline", "--format", "json"))
    tsv = _ok(bounds, "timeline", "--format", "tsv").decode("utf-8").split("\n")[:-1]
    assert len(tsv) == len(timeline) + 1 and len({line.count("\t") for line in tsv}) == 1
    md = _ok(bounds, "timeline", "--format", "md", "--date-style", "wareki").decode("utf-8").split("\n")[:-1]
    if "" in md:  # the legend of the marks, under the table
        md, legend = md[: md.index("")], md[md.index("") + 1 :]
        assert legend and all(line.startswith("- ") for line in legend)
    assert len(md) == len(timeline) + 2 and all(line.startswith("|") and line.endswith("|") for line in md)


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--group", "fy", "--format", "table"],
        ["timeline", "--group", "year", "--format", "table", "--lang", "ja", "--date-style", "wareki"],
        ["stats", "--group", "fy", "--format", "json"],
        ["stats", "--format", "table"],
        ["partners", "-u", "kyoto", "--format", "table", "--wide"],
        ["show", LONG_ID],
        ["show", "bound-last-fy", "--lang", "ja"],
        ["search", "bound"],
        ["search", "𠮷𠮷"],
        ["meetings", "--format", "table", "--lang", "both"],
        ["export", "ics"],
    ],
    ids=lambda args: " ".join(a[:20] for a in args),
)
def test_tables_groupings_and_records_at_the_bounds(bounds: Path, args: list[str]) -> None:
    assert _ok(bounds, *args)


def test_stats_counts_the_years_in_time_order_however_few_their_digits(bounds: Path) -> None:
    rows = json.loads(_ok(bounds, "stats", "--format", "json"))
    years = [r["value"] for r in rows if r["measure"] == "events by year"]
    assert years[:4] == ["1", "FY0001", "2", "10s"] and years[-4:] == ["9980s", "9998", "FY9998", "9999"]
    assert years.index("2019") < years.index("FY2019") < years.index("2020")


# ------------------------------------------------------------------ one step past each bound
def _event_with(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["events"].append({**_bound_event("past", "2023-03-03"), "partners": [], **values})

    return change


def _partner_with(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        partner = {"id": "bound-partner", "name_en": "A", "kind": "framework", "source": "a test", "lines": [1]}
        doc["partners"].append({**partner, **values})

    return change


def _participant_time(doc: dict[str, Any]) -> None:
    doc["events"].append(
        {**_bound_event("past", "2023-03-03"), "partners": [], "participants": [{"person": "x", "time": "24:00"}]}
    )


PAST = {
    "day before the first": (_event_with(date="0001-03-31"), "bound-past", "'date'"),
    "day after the last": (_event_with(date="9999-04-01"), "bound-past", "'date'"),
    "month before the first": (_event_with(date="0001-03"), "bound-past", "'date'"),
    "month after the last": (_event_with(date="9999-04"), "bound-past", "'date'"),
    "year 1, partly before": (_event_with(date="0001"), "bound-past", "'date'"),
    "year 9999, partly after": (_event_with(date="9999"), "bound-past", "'date'"),
    "FY9999": (_event_with(date="FY9999"), "bound-past", "'date'"),
    "FY0": (_event_with(date="FY0000"), "bound-past", "'date'"),
    "the 9990s": (_event_with(date="999X"), "bound-past", "'date'"),
    "December 9999": (_event_with(date="9999-12"), "bound-past", "'date'"),
    "a partner since 9999": (_partner_with(since="9999-12-31"), "bound-partner", "'since'"),
    "a partner designated in 9999": (_partner_with(designated="9999-12-31"), "bound-partner", "'designated'"),
    "24:00": (_event_with(time="24:00"), "bound-past", "time '24:00'"),
    "23:60": (_event_with(time="23:60"), "bound-past", "time '23:60'"),
    "99:99-07:00": (_event_with(time="99:99-07:00"), "bound-past", "time '99:99-07:00'"),
    "an end before the start": (_event_with(time="17:30-09:00"), "bound-past", "time '17:30-09:00'"),
    "an end at the start": (_event_with(time="17:30-17:30"), "bound-past", "time '17:30-17:30'"),
    "a participant's 24:00": (_participant_time, "bound-past", "time '24:00'"),
    "a name one too long": (_partner_with(name_en="x" * (MAX_CHARS["name_en"] + 1)), "bound-partner", "'name_en'"),
    "a Japanese name one too long": (
        _partner_with(name_ja="長" * (MAX_CHARS["name_ja"] + 1)),
        "bound-partner",
        "'name_ja'",
    ),
    "an id one too long": (_event_with(id="b" * (MAX_CHARS["id"] + 1)), "events[", "'id'"),
    "an institution one too long": (_partner_with(institution="i" * 201), "bound-partner", "'institution'"),
    "a number past 64 bits": (_event_with(number=INT_MAX + 1), "bound-past", "'number'"),
    "a count below 64 bits": (
        lambda doc: doc["counts"].append({"what_en": "x", "value": INT_MIN - 1, "source": "s", "lines": [1]}),
        "counts[",
        "'value'",
    ),
    "a line number past 64 bits": (_event_with(lines=[INT_MAX + 1]), "bound-past", "'lines'"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(PAST))
def test_one_step_past_a_bound_is_refused_naming_file_record_and_field(data_copy: Path, case: str) -> None:
    change, record, field = PAST[case]
    _edit(data_copy, "universities/kyoto.toml", change)
    checked = spnet(data_copy, "--no-cache", "check")
    errors = [line for line in checked.stderr.decode().splitlines() if line.startswith("error:")]
    assert checked.returncode == 1 and len(errors) == 1, checked.stderr.decode()[-1000:]
    assert "universities/kyoto.toml" in errors[0] and record in errors[0] and field in errors[0]
    refused = spnet(data_copy, "--no-cache", "timeline", "--format", "json")
    message = refused.stderr.decode()
    assert refused.returncode == 3 and refused.stdout == b"" and message.count("\n") == 1, message
    assert message.startswith("spnet: error: ") and "kyoto.toml" in message and record in message and field in message


def test_a_date_past_the_bounds_is_refused_in_the_readers_language(data_copy: Path) -> None:
    _edit(data_copy, "universities/kyoto.toml", _event_with(date="9999-12"))
    done = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data_copy), "--no-cache", "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "SPNET_LANG": "ja"},
        check=False,
    )
    assert done.returncode == 1
    assert "'9999-12' は spnet のすべての出力が扱える日付（0001-04-01 から 9999-03-31 まで）の範囲外です" in done.stderr


# ------------------------------------------------------------------ what TOML reads and spnet does not
def _append(data: Path, text: str) -> None:
    path = data / "universities" / "kyoto.toml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


PARTNER = '\n[[partners]]\nid = "deep"\nname_en = "Deep"\nkind = "framework"\nsource = "s"\nlines = [1]\n'


@pytest.mark.parametrize("arrays", [MAX_DEPTH - 3, MAX_DEPTH - 2, 300, 450])
def test_nesting_past_the_limit_is_refused_and_within_it_is_an_unknown_key(data_copy: Path, arrays: int) -> None:
    # The file is 1 deep, [[partners]] 2, one partner 3: its key's arrays make the rest.
    _append(data_copy, PARTNER + "extra = " + "[" * arrays + "]" * arrays + "\n")
    too_deep = arrays + 3 > MAX_DEPTH
    # fmt --check reads no record: within the limit, it finds the file not in canonical form.
    for args, code in ((["check"], 1), (["fmt", "--check"], 3 if too_deep else 1), (["partners"], 3)):
        done = spnet(data_copy, "--no-cache", *args)
        message = done.stderr.decode()
        assert done.returncode == code, (args, message[-500:])
        if too_deep:
            assert "kyoto.toml: partners[5].extra[0][0]" in message and f"nested more than {MAX_DEPTH} deep" in message
        else:
            assert "unknown key 'extra'" in message or args == ["fmt", "--check"]
        assert "bug in spnet" not in message


@pytest.mark.parametrize("digits", [20, 5000])
def test_an_integer_of_thousands_of_digits_is_a_data_error_not_a_bug(data_copy: Path, digits: int) -> None:
    _append(data_copy, PARTNER.replace("lines = [1]", f"lines = [{'9' * digits}]"))
    done = spnet(data_copy, "--no-cache", "universities")
    message = done.stderr.decode()
    assert done.returncode == 3 and message.count("\n") == 1 and "kyoto.toml" in message, message
    if digits > 4300:
        assert "an integer too long to read" in message
    else:
        assert (
            "partners[5] (deep): 'lines' must be a list of integers, not a list with an integer outside 64 bits"
            in message
        )


# ------------------------------------------------------------------ any date, any time
def _stored(precision: str, year: int, month: int, day: int) -> str:
    """A stored date of the given precision."""
    return {
        "fy": f"FY{year:04d}",
        "decade": f"{year // 10:03d}X",
        "year": f"{year:04d}",
        "month": f"{year:04d}-{month:02d}",
        "day": f"{year:04d}-{month:02d}-{day:02d}",
    }[precision]


def _days_of(precision: str, year: int, month: int, day: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The first and last day a stored date means, as (year, month, day): no date
    arithmetic, so that it holds past the calendar's ends. A month ends on its 28th here:
    the bounds fall on a month's first or last day, so it compares alike."""
    return {
        "fy": ((year, 4, 1), (year + 1, 3, 31)),
        "decade": ((year // 10 * 10, 1, 1), (year // 10 * 10 + 9, 12, 31)),
        "year": ((year, 1, 1), (year, 12, 31)),
        "month": ((year, month, 1), (year, month, 28)),
        "day": ((year, month, day), (year, month, day)),
    }[precision]


stored_dates = st.tuples(
    st.sampled_from(["day", "month", "year", "fy", "decade"]),
    st.one_of(st.integers(1, 9999), st.sampled_from([1, 2, 9998, 9999])),
    st.integers(1, 12),
    st.integers(1, 28),
)


def _event(date: str, time: str | None = None) -> Any:
    from spnet.archive.build import build
    from spnet.archive.schema import Problems, Raw

    table = {"id": "e", "kind": "workshop", "date": date, "title_en": "T", "source": "s", "lines": [1]}
    if time is not None:
        table["time"] = time
    problems = Problems()
    return build(Raw("event", table, "events[0] (e)", "x.toml"), problems), problems


@given(stored_dates)
@settings(max_examples=300, deadline=None)
def test_any_date_check_accepts_is_one_the_calendar_and_the_picture_hold(parts: tuple[str, int, int, int]) -> None:
    from spnet import dates, ics
    from spnet.picture import timeline_svg

    precision, year, month, day = parts
    text = _stored(precision, year, month, day)
    first, last = _days_of(precision, year, month, day)
    event, problems = _event(text)
    inside = first >= (FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day) and last <= (
        LAST_DAY.year,
        LAST_DAY.month,
        LAST_DAY.day,
    )
    if precision == "decade" and year < 10:
        inside = False  # 000X: there is no year 0
    assert (event is not None) == inside, (text, [str(p) for p in problems.errors])
    if event is None:
        assert "'date'" in str(problems.errors[0])
        return
    # Its 年度 and the day after it are days; every style writes it; the calendar and the picture hold it.
    fy = event.date.fiscal_year
    if fy is not None:
        assert dt.date(fy, 4, 1) <= event.date.first_day() <= dt.date(fy + 1, 3, 31)
    assert event.date.last_day() + dt.timedelta(days=1) > event.date.first_day()
    for style in dates.DateStyle.ALL:
        assert dates.format_date(event.date, style)
    icalendar = pytest.importorskip("icalendar")
    calendar = icalendar.Calendar.from_ical(ics.to_ics(load_archive(DATA), [event], "20260101T000000Z"))
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.date.first_day() < vevent.decoded("DTEND")
    root = ET.fromstring(timeline_svg([event]))
    (mark,) = [el for el in root.iter() if "data-date" in el.attrib]
    assert _on_an_axis(mark, _axes(root))


@given(st.integers(0, 30), st.integers(0, 70), st.none() | st.tuples(st.integers(0, 30), st.integers(0, 70)))
@settings(max_examples=300, deadline=None)
def test_any_time_check_accepts_is_a_calendar_time_ending_after_it_begins(
    hour: int, minute: int, end: tuple[int, int] | None
) -> None:
    from spnet import ics

    time = f"{hour:02d}:{minute:02d}" + (f"-{end[0]:02d}:{end[1]:02d}" if end else "")
    event, problems = _event("2023-03-03", time)
    valid = hour < 24 and minute < 60 and (end is None or end[0] < 24 and end[1] < 60 and end > (hour, minute))
    assert (event is not None) == valid, (time, [str(p) for p in problems.errors])
    if event is None:
        assert f"time {time!r}" in str(problems.errors[0])
        return
    icalendar = pytest.importorskip("icalendar")
    (vevent,) = icalendar.Calendar.from_ical(ics.to_ics(load_archive(DATA), [event], "20260101T000000Z")).walk("VEVENT")
    assert vevent.decoded("DTSTART") < vevent.decoded("DTEND")
