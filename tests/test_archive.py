"""The shipped archive: its counts, facts from several chapters, fidelity to the report,
and the canonical form of every file."""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from pathlib import Path

import pytest
import tomli_w

from spnet import provenance
from spnet.archive import load_archive, scan
from spnet.collection import Archive
from spnet.partialdate import PartialDate
from spnet.records import all_records
from tests.conftest import DATA, events_in_files, report_path


@pytest.fixture(scope="module")
def archive() -> Archive:
    return load_archive(DATA, cache=False)


def by_id(archive: Archive, rid: str):
    for r in all_records(archive):
        if r.id == rid:
            return r
    raise KeyError(rid)


def test_counts(archive: Archive) -> None:
    assert len(archive.universities) == 9
    assert [u.id for u in archive.universities] == [
        "tokyo",
        "tohoku",
        "waseda",
        "soka",
        "keio",
        "kyoto",
        "osaka",
        "ehime",
        "kyushu",
    ]
    assert [u.id for u in archive.universities if u.managing] == ["tokyo"]
    meetings = [e for e in archive.events if e.kind == "meeting"]
    assert [e.number for e in meetings] == list(range(1, 17))
    assert len([e for e in archive.events if e.kind == "symposium"]) == 3
    assert len([e for e in archive.events if e.kind == "workshop"]) == 1


def test_meeting_dates_follow_the_weekday_evidence(archive: Archive) -> None:
    """The three EN/JA date disagreements hold the Japanese date, whose weekday matches."""
    for rid, iso in (("meeting-03", "2022-02-10"), ("meeting-08", "2022-11-22"), ("meeting-14", "2023-12-11")):
        event = by_id(archive, rid)
        assert event.date.iso() == iso
        (d,) = event.disagreements
        assert (d.field, d.held) == ("date", "ja")
        assert d.en in {"Thursday, 20 February 2022", "Tuesday, 11 November 2022", "Monday, 22 December 2023"}
    for e in archive.events:
        if e.kind == "meeting" and e.date.precision == "day":
            weekday = e.date.first_day().strftime("%A")
            assert e.weekday.en == weekday, e.id


def test_planned_meeting_and_workshop(archive: Archive) -> None:
    last = by_id(archive, "meeting-16")
    assert last.date == PartialDate(2024, 3) and last.tentative and last.weekday.en is None
    workshop = by_id(archive, "workshop")
    assert workshop.date.iso() == "2023-09-09"
    assert workshop.disagreements[0].held == "undecided"
    assert workshop.time == "15:00-16:30"


def test_survey_keeps_the_2011_misprint_as_a_disagreement(archive: Archive) -> None:
    survey = by_id(archive, "survey")
    assert survey.date.iso() == "2021-11"
    assert "2011" in survey.disagreements[0].en
    urls = {lk.cited_in: lk.url for lk in archive.links if lk.event == "survey"}
    assert urls == {
        "ja": "https://www.u-tokyo.ac.jp/content/400235426.pdf",
        "en": "https://www.u-tokyo.ac.jp/content/400235423.pdf",
    }


def test_symposia(archive: Archive) -> None:
    s1, s2, s3 = (by_id(archive, f"symposium-{n}") for n in (1, 2, 3))
    assert (s1.date.iso(), s1.time, s1.weekday.ja) == ("2022-03-15", "17:00-20:00", "火")
    assert (s2.date.iso(), s2.time) == ("2023-03-03", "17:30-20:00")
    assert (s3.date.iso(), s3.weekday.en) == ("2023-12-19", "Tuesday")
    assert s1.universities == ("tokyo", "kyoto", "osaka", "ehime", "waseda", "soka")
    keynotes = [p.person for p in s3.participants if p.part.en.startswith("keynote")]
    assert keynotes == ["kuroda-kazuo", "ferrao-jorge"]


def test_facts_from_the_chapters(archive: Archive) -> None:
    osaka = by_id(archive, "osaka")
    gkp = {c.value: c for c in osaka.counts}
    assert gkp[14].as_of == PartialDate(2024, 2) and gkp[8].as_of == PartialDate(2024, 2)
    zurich, uiuc, ntu = (by_id(archive, pid) for pid in ("kyoto-zurich", "kyushu-uiuc", "kyushu-ntu"))
    assert (zurich.since, zurich.designated) == (None, PartialDate(2020))
    assert (uiuc.since, uiuc.designated) == (None, PartialDate(2019, 8))
    assert (ntu.since, ntu.designated) == (PartialDate(2001), PartialDate(2023, 9))
    assert ntu.since_what.en == "university-wide student exchange agreement"
    bonn_office = by_id(archive, "waseda-bonn-office")
    assert bonn_office.date.precision == "decade" and bonn_office.date.display() == "1990s"
    lurio = by_id(archive, "ehime-lurio")
    assert (lurio.country, lurio.since) == ("mz", PartialDate(2008))
    suiji = by_id(archive, "ehime-suiji")
    assert suiji.members.en.split("; ")[:3] == [
        "Gadjah Mada University",
        "Bogor Agricultural University",
        "Hasanuddin University",
    ]
    assert {p.consortium for p in archive.partners if p.kind == "consortium-member"} == {"ehime-suiji"}
    keio = by_id(archive, "keio")
    assert [(c.value, c.qualifier) for c in keio.counts] == [(340, "more than")]


def test_names_given_in_one_language_have_no_other(archive: Archive) -> None:
    """A name printed only in Japanese has no English field, and the reverse."""
    assert by_id(archive, "sym2-keio-presenter").name.en is None
    assert by_id(archive, "sym2-keio-presenter").name.ja == "土屋 大洋"
    assert by_id(archive, "rees-geraint").name.ja is None
    assert by_id(archive, "kobayashi-osamu").name.ja is None
    assert by_id(archive, "tohoku-ecl").name.ja is None


def test_every_record_names_its_source(archive: Archive) -> None:
    for r in all_records(archive):
        curated = getattr(r, "basis", None) == "curator"  # a country the report does not name
        assert r.source.section and (bool(r.source.lines) != curated), r.id
    for u in archive.universities:
        for c in u.counts:
            assert c.source.lines, (u.id, c.what.en)


# Each quoted field, name and date found on the lines it cites: tests/test_line_references.py.


def test_symposium_dates_are_printed_in_the_report(report_text: str) -> None:
    assert "開催日時：2022年3月15日（火） 17：00〜20：00" in report_text
    assert "D a t e : Friday, 3 March 2023, 17:30-20:00" in report_text
    assert "第14回　2023年12月11日（月）" in report_text


@pytest.mark.parametrize("path", sorted(DATA.rglob("*.toml")), ids=lambda p: p.name)
def test_files_are_canonical(path: Path) -> None:
    raw = path.read_bytes()
    assert tomli_w.dumps(tomllib.loads(raw.decode("utf-8"))).encode("utf-8") == raw


def test_check_lists_the_disagreements_as_warnings() -> None:
    archive, problems = scan(DATA, canonical=True)
    assert archive is not None and problems.errors == []
    warnings = [str(w) for w in problems.warnings]
    disagreements = [w for w in warnings if "disagree on" in w]
    in_files = [
        d
        for path in DATA.rglob("*.toml")
        for value in tomllib.loads(path.read_text(encoding="utf-8")).values()
        for table in (value if isinstance(value, list) else [value])
        for d in table.get("disagreements", [])
    ]
    assert len(disagreements) == len(in_files) > 16
    assert any("meeting-03" in w and "2022-02-20 is a Sunday" in w for w in warnings)
    assert not any("canonical" in w for w in warnings)


def test_events_are_in_date_order(archive: Archive) -> None:
    days = [e.date.first_day() for e in archive.events]
    assert days == sorted(days)
    assert days[0] < dt.date(2000, 1, 1)  # the 1960 Bonn agreement


@pytest.mark.parametrize(
    "first,last", [(None, None), (2023, 2023), (2021, 2022), (1995, 1995), (2024, None), (None, 1999)]
)
def test_events_between_years_are_the_events_overlapping_them(archive: Archive, first, last) -> None:
    """Events are kept in one piece per year; joining the pieces loses and repeats nothing."""
    lo, hi = first or 1, last or 9999
    expected = tuple(e for e in archive.events if e.date.first_day().year <= hi and e.date.last_day().year >= lo)
    assert archive.events_between(first, last) == expected
    assert len({e.id for e in archive.events}) == len(archive.events) == events_in_files()


def test_the_shipped_report_is_the_report_unchanged() -> None:
    """The copy spnet ships and reads is the report's text byte for byte, as its README states."""
    data = report_path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == provenance.SHA256
    assert provenance.SHA256 in (report_path().parent / "README.md").read_text(encoding="utf-8")
    assert len(provenance.report()) == data.count(b"\n") + 1 == 3465  # the last line, a space, has no newline
