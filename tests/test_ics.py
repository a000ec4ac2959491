"""The calendar as an agenda uses it: each event once, on one day; a title that says what
is known of the date (March 2023, 2024年), and whether it is planned or disputed, in the
language asked for; UIDs that let a calendar re-import the file. Read as text from the
installed command, and imported into a real khal (Debian's package) where there is one."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from spnet.archive import load_archive
from tests.conftest import DATA, set_event_fields, title_ja_as_read
from tests.test_export_graph import _unescape, parse_ics

ARCHIVE = load_archive(DATA, cache=False)
EVENTS = {e.id: e for e in ARCHIVE.events}
MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]  # the C locale's: Python never sets one
# The project's years, as a reader lists them in khal.
FIRST, LAST = dt.date(2021, 1, 1), dt.date(2024, 12, 31)


def _calendar(cli, *args: str, reader: str = "en") -> dict[str, dict[str, Any]]:
    """The VEVENTs of `spnet export ics ARGS` (every event: --vague-dates) by record id,
    their values unescaped; the reader's language (SPNET_LANG) fixed."""
    result = cli("export", "ics", "--vague-dates", *args, env={"SPNET_LANG": reader})
    assert result.exception is None and result.exit_code == 0, result.stderr
    events = parse_ics(result.stdout_bytes)
    return {e["UID"][1].removesuffix("@spnet"): {k: (p, _unescape(v)) for k, (p, v) in e.items()} for e in events}


def _said(record: Any, lang: str) -> list[str]:
    """What a title in `lang` must say beside its words, worked out here from the record."""
    d = record.date
    precision = {
        "day": [],
        "month": [f"{MONTHS[(d.month or 1) - 1]} {d.year}" if lang == "en" else f"{d.year}年{d.month}月"],
        "year": [str(d.year) if lang == "en" else f"{d.year}年"],
        "fy": [f"FY{d.year}" if lang == "en" else f"{d.year}年度"],
        "decade": [f"{d.year}s" if lang == "en" else f"{d.year}年代"],
    }[d.precision]
    if record.onward:  # a date something began on, as the table says it
        precision = [f"{precision[0]} onward" if lang == "en" else f"{precision[0]}以降"]
    planned = ["planned" if lang == "en" else "予定"] if record.tentative else []
    disputed = ["date disputed" if lang == "en" else "日付に日英相違"]
    return precision + planned + (disputed if any(x.field == "date" for x in record.disagreements) else [])


def test_month_and_year_events_are_one_all_day_entry_on_their_first_day(cli) -> None:
    events = _calendar(cli)
    assert events.keys() == EVENTS.keys()
    partial = [r for r in ARCHIVE.events if r.date.precision != "day"]
    assert {r.date.precision for r in partial} >= {"month", "year", "fy", "decade"}
    for record in partial:
        event = events[record.id]
        first = record.date.first_day()
        assert event["DTSTART"] == ({"VALUE": "DATE"}, f"{first:%Y%m%d}")
        assert event["DTEND"] == ({"VALUE": "DATE"}, f"{first + dt.timedelta(days=1):%Y%m%d}")
        assert event["TRANSP"][1] == "TRANSPARENT"  # a reminder of the month, not a busy day
        assert event["X-SPNET-PRECISION"][1] == record.date.precision
    for record in ARCHIVE.events:  # no VEVENT spans more than its real days
        start, end = (_day(events[record.id][key][1]) for key in ("DTSTART", "DTEND"))
        assert end == start if "T" in events[record.id]["DTSTART"][1] else end == start + dt.timedelta(days=1)


def _day(value: str) -> dt.date:
    return dt.datetime.strptime(value[:8], "%Y%m%d").date()


def _own(record: Any, lang: str) -> str:
    """The record's title in `lang`, or in the other where the report has only that; the
    Japanese with whom its 本学 means."""
    en, ja = record.title.en, title_ja_as_read(record) if record.title.ja else None
    return (en or ja) if lang == "en" else (ja or en)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_titles_say_the_precision_and_what_is_planned_or_disputed(cli, lang: str) -> None:
    events = _calendar(cli, "--lang", lang)
    marked = 0
    for record in ARCHIVE.events:
        title, own, said = events[record.id]["SUMMARY"][1], _own(record, lang), _said(record, lang)
        assert title.startswith(own), (record.id, title)
        assert all(words.lower() in title.lower() for words in said), (record.id, title, said)
        # The marks in brackets after the title, but none the title says already.
        new = [words for words in said if words.lower() not in own.lower()]
        brackets = (f"（{'、'.join(new)}）" if lang == "ja" else f" ({', '.join(new)})") if new else ""
        assert title == own + brackets, (record.id, title)
        marked += bool(said)
    assert marked > 30
    status = {r.id: events[r.id]["STATUS"][1] for r in ARCHIVE.events}
    for record in ARCHIVE.events:
        shaky = record.tentative or any(d.field == "date" for d in record.disagreements)
        assert status[record.id] == ("TENTATIVE" if shaky else "CONFIRMED")


def test_titles_in_each_language_and_both(cli) -> None:
    meeting, planned = "meeting-03", "meeting-16"  # a disputed day; a meeting planned for a month
    assert any(d.field == "date" for d in EVENTS[meeting].disagreements) and EVENTS[planned].tentative
    assert EVENTS[planned].date.iso() == "2024-03"
    en, ja = _calendar(cli, "--lang", "en"), _calendar(cli, "--lang", "ja")
    assert en[meeting]["SUMMARY"][1] == f"{EVENTS[meeting].title.en} (date disputed)"
    assert ja[meeting]["SUMMARY"][1] == f"{title_ja_as_read(EVENTS[meeting])}（日付に日英相違）"
    assert en[planned]["SUMMARY"][1] == f"{EVENTS[planned].title.en} (March 2024, planned)"
    assert ja[planned]["SUMMARY"][1] == f"{title_ja_as_read(EVENTS[planned])}（2024年3月、予定）"
    # Both: each language with its own marks, the reader's first; the default.
    both = _calendar(cli, "--lang", "both", reader="en")
    assert both[planned]["SUMMARY"][1] == f"{en[planned]['SUMMARY'][1]} / {ja[planned]['SUMMARY'][1]}"
    assert _calendar(cli, reader="en")[planned]["SUMMARY"] == both[planned]["SUMMARY"]
    reader_ja = _calendar(cli, reader="ja")[planned]["SUMMARY"][1]
    assert reader_ja == f"{ja[planned]['SUMMARY'][1]} / {en[planned]['SUMMARY'][1]}"
    # Descriptions follow: spnet's words in the language asked for, on one line.
    assert en[planned]["DESCRIPTION"][1].startswith("Date: March 2024 (planned) · The report gives only the month")
    assert ja[planned]["DESCRIPTION"][1].startswith("日付: 2024年3月（予定） · 報告書には年月しかないため")
    assert not any("\n" in e["DESCRIPTION"][1] for calendar in (en, ja, both) for e in calendar.values())


def test_a_name_in_one_language_only_stands_in_for_the_other(cli) -> None:
    only_ja = [r for r in ARCHIVE.events if r.title.ja and not r.title.en]
    only_en = [r for r in ARCHIVE.events if r.title.en and not r.title.ja]
    en, ja = _calendar(cli, "--lang", "en"), _calendar(cli, "--lang", "ja")
    for record in only_ja:
        assert en[record.id]["SUMMARY"][1].startswith(title_ja_as_read(record))
    for record in only_en:
        assert ja[record.id]["SUMMARY"][1].startswith(record.title.en)
    people = [p for p in ARCHIVE.people if p.name.ja and not p.name.en]
    speakers = {p.person for e in ARCHIVE.events for p in e.participants}
    for person in [p for p in people if p.id in speakers]:
        assert any(person.name.ja in e["DESCRIPTION"][1] for e in en.values()), person.id


def test_a_line_break_in_a_record_keeps_the_description_one_line(cli, data_copy: Path) -> None:
    set_event_fields(data_copy, "workshop", note="first line\r\nsecond\nthird")
    result = cli("--data", str(data_copy), "export", "ics", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    (workshop,) = [e for e in parse_ics(result.stdout_bytes) if e["UID"][1] == "workshop@spnet"]
    assert "Note: first line second third · " in _unescape(workshop["DESCRIPTION"][1])


def test_uids_are_the_same_in_every_language_and_run(cli) -> None:
    runs = [_calendar(cli, "--lang", lang) for lang in ("en", "ja", "both", "en")]
    assert all(run.keys() == EVENTS.keys() for run in runs)
    for record_id in EVENTS:
        assert {run[record_id]["UID"][1] for run in runs} == {f"{record_id}@spnet"}


def test_times_stay_in_tokyo_and_lines_are_folded_with_crlf(cli) -> None:
    raw = cli("export", "ics", "--lang", "ja").stdout_bytes
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    timed = [r for r in ARCHIVE.events if r.time and "-" in r.time and r.date.precision == "day"]
    events = _calendar(cli, "--lang", "ja")
    assert timed
    for record in timed:
        begin = record.time.split("-")[0].replace(":", "")
        assert events[record.id]["DTSTART"] == ({"TZID": "Asia/Tokyo"}, f"{record.date.first_day():%Y%m%d}T{begin}00")


def _installed() -> str:
    beside = Path(sys.executable).with_name("spnet")
    return str(beside) if beside.is_file() else "spnet"


@pytest.mark.parametrize("lang", ["fr", "", "de"])
def test_a_bad_lang_is_one_line_and_exit_2(lang: str) -> None:
    done = subprocess.run(
        [_installed(), "--data", str(DATA), "export", "ics", "--lang", lang],
        capture_output=True,
        text=True,
        env={**os.environ, "SPNET_LANG": "en"},
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("spnet: error: unknown --lang ")
    assert "en, ja, both" in done.stderr


# ------------------------------------------------------------------ khal
def _khal(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """A khal of its own in tmp_path: a vdir calendar, ISO dates, Tokyo time, HOME and the
    XDG directories inside tmp_path."""
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        f"[calendars]\n[[spnet]]\npath = {calendar}\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "local_timezone = Asia/Tokyo\ndefault_timezone = Asia/Tokyo\n"
        "[default]\ndefault_calendar = spnet\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    return ["khal", "-c", str(config)], env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr.lower(), done.stderr
    return done.stdout


DAY_HEADING = re.compile(r"[A-Z][a-z]+day, \d{4}-\d\d-\d\d")
NEEDS_KHAL = pytest.mark.skipif(shutil.which("khal") is None, reason="khal is not installed (apt-get install khal)")


@NEEDS_KHAL
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja", "both"])
def test_khal_lists_each_event_once_on_one_line(tmp_path: Path, cli, lang: str) -> None:
    ics = tmp_path / "spnet.ics"
    result = cli("export", "ics", "--vague-dates", "--lang", lang, "--out", str(ics), env={"SPNET_LANG": "en"})
    assert result.exit_code == 0
    events = parse_ics(ics.read_bytes())
    inside = {}
    for e in events:
        day = dt.datetime.strptime(e["DTSTART"][1][:8], "%Y%m%d").date()
        if FIRST <= day <= LAST:
            inside[e["UID"][1]] = (day, _unescape(e["SUMMARY"][1]))
    assert len(inside) == len([r for r in ARCHIVE.events if FIRST <= r.date.first_day() <= LAST])
    khal, env = _khal(tmp_path)
    _run([*khal, "import", "--batch", str(ics)], env)
    listed = _run([*khal, "list", FIRST.isoformat(), LAST.isoformat()], env).splitlines()
    # Khal's own agenda format: a heading for each day, then one line per event, its
    # description after " :: ". A month-long event was once a line on each of its days:
    # 1,895 lines for 38 events.
    assert len(listed) <= 2 * len(inside)
    entries = [line for line in listed if not DAY_HEADING.fullmatch(line)]
    assert len(entries) == len(inside)
    titles = [re.sub(r"^(\d\d:\d\d-\d\d:\d\d)? ", "", line).split(" :: ")[0] for line in entries]
    assert sorted(titles) == sorted(title for _day, title in inside.values())  # each event once
    for uid, (day, title) in inside.items():
        assert listed.index(f"{day:%A, %Y-%m-%d}") < next(i for i, line in enumerate(listed) if title in line), uid
        record = EVENTS[uid.removesuffix("@spnet")]
        for half in ("en", "ja") if lang == "both" else (lang,):
            assert all(words.lower() in title.lower() for words in _said(record, half)), (title, half)
    symposium = EVENTS["symposium-2"]
    assert any(line.startswith(f"{symposium.time} ") for line in entries)  # Tokyo time as the report gives it


@NEEDS_KHAL
@pytest.mark.slow
def test_khal_updates_the_calendar_it_imports_again_in_another_language(tmp_path: Path, cli) -> None:
    khal, env = _khal(tmp_path)
    for lang in ("en", "ja"):
        ics = tmp_path / f"{lang}.ics"
        assert cli("export", "ics", "--lang", lang, "--out", str(ics)).exit_code == 0
        _run([*khal, "import", "--batch", str(ics)], env)
    stored = list((tmp_path / "calendar").iterdir())
    assert len(stored) == len(parse_ics(ics.read_bytes()))  # updated, not added twice
    listed = _run([*khal, "list", "--format", "{title}", "2022-02-10", "2022-02-10"], env)
    assert f"{title_ja_as_read(EVENTS['meeting-03'])}（日付に日英相違）" in listed.splitlines()
    assert EVENTS["meeting-03"].title.en not in listed
