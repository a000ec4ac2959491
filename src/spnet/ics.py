"""The timeline as an iCalendar file (RFC 5545) for calendar programs: each event on its
days, a date the texts disagree on TENTATIVE with both readings, and events known only
to the year or decade left out unless asked for."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from spnet import render
from spnet.fsutil import output
from spnet.i18n import _
from spnet.models import Archive


def _ics_escape(text: str) -> str:
    """RFC 5545 TEXT: a line break as \\n; a lone CR, controls, bidi and zero-width marks
    shown escaped (a CR must not end the line and start a property of its own)."""
    text = render.visible(text.replace("\r\n", "\n"), keep="\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued with CRLF and a space; never
    splitting a UTF-8 character."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def vague(event: Any) -> bool:
    """Known only to the year or the decade: as a calendar entry it would fill a year."""
    return event.date.precision in ("year", "fy", "decade")


def to_ics(archive: Archive, events: list[Any], stamp: str) -> str:
    """The events as an iCalendar file. A day is an all-day event, a month a month-long
    one; an event with a time is timed in Asia/Tokyo; an event known only to its year or
    decade (given only when asked for) is one day, its first, and says so. A date the two
    texts of the report disagree on is TENTATIVE, with both readings. UIDs are the record
    ids, so a re-export gives the same UIDs."""
    people = {p.id: p for p in archive.people}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//spnet//Strategic Partnerships archive//EN",
        "X-WR-CALNAME:Strategic Partnerships network (2021-2024)",
        "CALSCALE:GREGORIAN",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Tokyo",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0900",
        "TZOFFSETTO:+0900",
        "TZNAME:JST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e.id}@spnet", f"DTSTAMP:{stamp}"]
        if e.time and e.date.precision == "day" and "-" in e.time:
            begin, finish = (t.replace(":", "") + "00" for t in e.time.split("-", 1))
            day = e.date.first_day().strftime("%Y%m%d")
            lines += [f"DTSTART;TZID=Asia/Tokyo:{day}T{begin}", f"DTEND;TZID=Asia/Tokyo:{day}T{finish}"]
        else:
            end = (e.date.first_day() if vague(e) else e.date.last_day()) + dt.timedelta(days=1)
            lines += [
                f"DTSTART;VALUE=DATE:{e.date.first_day():%Y%m%d}",
                f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            ]
        title = " / ".join(x for x in (e.title.en, e.title.ja) if x)
        if vague(e):
            title += f" ({e.date.display()}, day unknown)"
        lines.append(f"SUMMARY:{_ics_escape(title)}")
        about = [f"Date: {e.date.display()}" + (" (planned)" if e.tentative else "")]
        if vague(e):
            about.append(f"The report gives only the {e.date.precision}; the calendar shows its first day.")
        disputes = [d for d in e.disagreements if d.field == "date"]
        about += [f"The Japanese text gives {d.ja}, the English {d.en}: {d.reason}" for d in disputes]
        about += [x for x in (e.theme.en, e.theme.ja) if x]
        about += [
            " / ".join(x for x in (people[p.person].name.en, people[p.person].name.ja) if x)
            + (f": {p.part.en or p.part.ja}" if (p.part.en or p.part.ja) else "")
            for p in e.participants
        ]
        about += [f"Note: {e.note}"] if e.note else []
        about.append(f"Source: {e.source}")
        lines.append(f"DESCRIPTION:{_ics_escape(chr(10).join(about))}")
        if e.venue.en or e.venue.ja:
            lines.append(f"LOCATION:{_ics_escape(' / '.join(x for x in (e.venue.en, e.venue.ja) if x))}")
        lines.append(f"CATEGORIES:{e.kind.upper()}")
        lines.append(f"STATUS:{'TENTATIVE' if e.tentative or disputes else 'CONFIRMED'}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(line) for line in lines)


def write_ics(archive: Archive, events: list[Any], out: Path | None, *, vague_too: bool = False) -> None:
    """The calendar; events known only to their year or decade are left out (one line on
    stderr says how many) unless `vague_too`."""
    left_out = [e for e in events if vague(e)] if not vague_too else []
    if left_out:
        sys.stderr.write(
            "spnet: "
            + _("{n} event(s) known only to the year or decade left out (--vague-dates puts them in)").format(
                n=len(left_out)
            )
            + "\n"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = to_ics(archive, [e for e in events if e not in left_out], stamp)
    if out is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        return
    with output(out) as fh:
        fh.write(text)
