"""The timeline as an iCalendar file (RFC 5545) for calendar programs: each event on its
days, a date the texts disagree on TENTATIVE with both readings, and events known only
to the year or decade left out unless asked for. The archive's texts in the language
asked for (--lang), spnet's own words in the reader's (i18n: --lang en or ja chooses
that too); a text the report gives in one language only stands in for the other."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from spnet import dates, render
from spnet.dates import DateStyle
from spnet.fsutil import output
from spnet.i18n import _, language
from spnet.models import Archive, Bilingual


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


def _ics_date(day: dt.date) -> str:
    """RFC 5545 DATE, four digits of year always (strftime's %Y writes year 5 as 5)."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def vague(event: Any) -> bool:
    """Known only to the year or the decade: as a calendar entry it would fill a year."""
    return event.date.precision in ("year", "fy", "decade")


def _texts(text: Bilingual, lang: str) -> list[str]:
    """The text in `lang` (en, ja), or in the other where the report has only that; with
    both, both, the reader's language first."""
    if lang in ("en", "ja"):
        chosen = (text.en or text.ja) if lang == "en" else (text.ja or text.en)
        return [chosen] if chosen else []
    first, second = (text.ja, text.en) if language() == "ja" else (text.en, text.ja)
    return [x for x in (first, second) if x]


def _text(text: Bilingual, lang: str) -> str:
    return " / ".join(_texts(text, lang))


def to_ics(archive: Archive, events: list[Any], stamp: str, lang: str = "both") -> str:
    """The events as an iCalendar file. A day is an all-day event, a month a month-long
    one; an event with a time is timed in Asia/Tokyo; an event known only to its year or
    decade (given only when asked for) is one day, its first, and says so. A date the two
    texts of the report disagree on is TENTATIVE, with both readings. UIDs are the record
    ids, so a re-export gives the same UIDs."""
    people = {p.id: p for p in archive.people}
    style = DateStyle.JA if language() == "ja" else DateStyle.ISO
    calendar_name = _("Strategic Partnerships network (2021 to March 2024)")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//spnet//Strategic Partnerships archive//EN",
        f"X-WR-CALNAME:{_ics_escape(calendar_name)}",
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
            day = _ics_date(e.date.first_day())
            lines += [f"DTSTART;TZID=Asia/Tokyo:{day}T{begin}", f"DTEND;TZID=Asia/Tokyo:{day}T{finish}"]
        else:
            end = (e.date.first_day() if vague(e) else e.date.last_day()) + dt.timedelta(days=1)
            lines += [
                f"DTSTART;VALUE=DATE:{_ics_date(e.date.first_day())}",
                f"DTEND;VALUE=DATE:{_ics_date(end)}",
            ]
        date = dates.format_date(e.date.iso(), style, weekday=False)
        title = _text(e.title._replace(ja=render.with_referents(e.title.ja, e.title_ja_referents)), lang)
        if vague(e):
            title += _(" ({date}, day unknown)").format(date=date)
        lines.append(f"SUMMARY:{_ics_escape(title)}")
        about = [_("Date: {date}").format(date=date) + (_(" (planned)") if e.tentative else "")]
        if vague(e):
            only = {"year": _("the year"), "fy": _("the fiscal year (年度)")}.get(e.date.precision, _("the decade"))
            about.append(_("The report gives only {what}; the calendar shows its first day.").format(what=only))
        disputes = [d for d in e.disagreements if d.field == "date"]
        about += [
            _("The Japanese text gives {ja}, the English {en}: {reason}").format(ja=d.ja, en=d.en, reason=d.reason)
            for d in disputes
        ]
        about += _texts(e.theme, lang) + _texts(e.aim, lang) + _texts(e.registration, lang)
        about += [
            _text(people[p.person].name, lang) + (f": {_texts(p.part, lang)[0]}" if p.part else "")
            for p in e.participants
        ]
        about += [_("Note: {note}").format(note=e.note)] if e.note else []
        where = ", ".join(str(n) for n in e.source.lines)
        about.append(_("Source: {section} (lines {lines})").format(section=e.source.section, lines=where))
        lines.append(f"DESCRIPTION:{_ics_escape(chr(10).join(about))}")
        if e.venue.en or e.venue.ja:
            lines.append(f"LOCATION:{_ics_escape(_text(e.venue, lang))}")
        lines.append(f"CATEGORIES:{e.kind.upper()}")
        lines.append(f"STATUS:{'TENTATIVE' if e.tentative or disputes else 'CONFIRMED'}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(line) for line in lines)


def write_ics(
    archive: Archive, events: list[Any], out: Path | None, *, vague_too: bool = False, lang: str = "both"
) -> None:
    """The calendar; events known only to their year or decade are left out (one line on
    stderr says how many) unless `vague_too`."""
    left_out = [e for e in events if vague(e)] if not vague_too else []
    if left_out:
        sys.stderr.write(
            "spnet: "
            + _("{n} event(s) known only to the year, 年度 or decade left out (--vague-dates puts them in)").format(
                n=len(left_out)
            )
            + "\n"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = to_ics(archive, [e for e in events if e not in left_out], stamp, lang)
    if out is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        return
    with output(out) as fh:
        fh.write(text)
