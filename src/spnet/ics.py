"""The timeline as an iCalendar file (RFC 5545) that serves a calendar program's agenda:
each event once, on its day. A date known only to its month (or, asked for, its year, 年度
or decade) is one all-day entry on its first day whose title says what is known; a planned
date, or one the two texts of the report disagree on, is TENTATIVE and says so in the title
too. The archive's texts in the language asked for (--lang), spnet's own words in the
reader's (i18n: --lang en or ja chooses that too); a text the report gives in one language
only stands in for the other."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from spnet import cells, dates, glossary, render, stderr
from spnet.collection import Archive
from spnet.dates import DateStyle
from spnet.fsutil import output
from spnet.glossary import Term
from spnet.i18n import _, language
from spnet.models import Bilingual, Disagreement, Event, Person
from spnet.partialdate import PartialDate
from spnet.printed import MONTHS

# The description is one line: khal's agenda prints it after the title, and each line
# break in it would be a line of the agenda; Thunderbird and Google show it as a paragraph.
_PARAGRAPHS = " · "


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


def vague(event: Event) -> bool:
    """Known only to the year, the 年度 or the decade: one all-day entry on the first day,
    its title saying what is known (「2024年度」), or left out with --no-vague-dates."""
    return event.date.precision in ("year", "fy", "decade")


def _texts(text: Bilingual, lang: str) -> list[str]:
    return [words for words, _lang in glossary.in_language(text.en, text.ja, lang)]


def _text(text: Bilingual, lang: str) -> str:
    return glossary.bilingual_label(text.en, text.ja, lang)


def known_as(date: PartialDate, lang: str, *, onward: bool = False) -> str:
    """The date as far as the report knows it: 2023-03-03, March 2023, 2024, FY2024,
    1990s; in Japanese 2023年3月3日, 2023年3月, 2024年, 2024年度, 1990年代; a date
    something began on, as the table says it: FY2024 onward, 2024年度以降."""
    if lang == "ja":
        text = dates.format_date(date, DateStyle.JA, weekday=False)
    elif date.precision == "month" and date.month:
        text = f"{MONTHS[date.month - 1]} {date.year}"
    else:
        text = dates.format_date(date, DateStyle.ISO)
    return (glossary.ONWARD.ja if lang == "ja" else glossary.ONWARD.en).format(text) if onward else text


# The words of the table's marks * and ? (glossary.LEGEND), as a title says them.
PLANNED = Term("planned", "予定")
DATE_DISPUTED = Term("date disputed", "日付に日英相違")


def _title(e: Event, lang: str, disputed: bool) -> str:
    """The title, each language followed in brackets by what a glance at the agenda must
    not miss, in that language: the date known only to its month or year, planned, or
    disputed, unless the title says it already. 3rd Meeting (date disputed) /
    第03回（日付に日英相違）."""
    title = e.title._replace(ja=cells.event_title_ja(e))
    known = [known_as(e.date, lang, onward=e.onward) for lang in ("en", "ja")]
    marks = [Term(*known)] if e.date.precision != "day" or e.onward else []
    marks += [PLANNED] if e.tentative else []
    marks += [DATE_DISPUTED] if disputed else []
    if not marks:
        return _text(title, lang)
    halves = []
    for words, in_lang in glossary.in_language(title.en, title.ja, lang):
        # A title that already says it (ボルドー大学とのシンポジウム（予定）) is not told twice.
        said = [getattr(mark, in_lang) for mark in marks if getattr(mark, in_lang).lower() not in words.lower()]
        if said:
            words += f"（{'、'.join(said)}）" if in_lang == "ja" else f" ({', '.join(said)})"
        halves.append(words)
    return " / ".join(halves)


def _when(e: Event) -> list[str]:
    """DTSTART and DTEND: timed in Asia/Tokyo, else all day on the first day it can be.
    An event known only to its month or year is one all-day VEVENT on its first day, free
    time (TRANSP), not a span: khal repeats a span on each of its days, and neither khal
    nor Google Calendar shows a VTODO (Thunderbird files it among tasks, off the calendar),
    while one all-day event is shown once, on a day, by all three."""
    first = e.date.first_day()
    if e.time and e.date.precision == "day" and "-" in e.time:
        begin, finish = (t.replace(":", "") + "00" for t in e.time.split("-", 1))
        day = _ics_date(first)
        return [f"DTSTART;TZID=Asia/Tokyo:{day}T{begin}", f"DTEND;TZID=Asia/Tokyo:{day}T{finish}"]
    days = [f"DTSTART;VALUE=DATE:{_ics_date(first)}", f"DTEND;VALUE=DATE:{_ics_date(first + dt.timedelta(days=1))}"]
    return days if e.date.precision == "day" else [*days, "TRANSP:TRANSPARENT"]


def _description(e: Event, people: dict[str, Person], lang: str, disputes: list[Disagreement]) -> str:
    when = known_as(e.date, language(), onward=e.onward)
    about = [_("Date: {date}").format(date=when) + (_(" (planned)") if e.tentative else "")]
    if e.date.precision != "day":
        only = {
            "month": _("the month"),
            "year": _("the year"),
            "fy": _("the fiscal year (年度)"),
        }.get(e.date.precision, _("the decade"))
        about.append(_("The report gives only {what}; the calendar shows its first day.").format(what=only))
    about += [
        _("The Japanese text gives “{ja}”, the English “{en}”: {reason}").format(ja=d.ja, en=d.en, reason=d.reason)
        for d in disputes
    ]
    about += _texts(e.theme, lang) + _texts(e.aim, lang) + _texts(e.registration, lang)
    about += [
        _text(people[p.person].name, lang) + (f": {_texts(p.part, lang)[0]}" if p.part else "") for p in e.participants
    ]
    about += [_("Note: {note}").format(note=e.note)] if e.note else []
    where = ", ".join(str(n) for n in e.source.lines)
    about.append(_("Source: {section} (lines {lines})").format(section=e.source.section, lines=where))
    return _PARAGRAPHS.join(" ".join(part.replace("\r\n", "\n").split("\n")) for part in about)


def _vevent(e: Event, people: dict[str, Person], stamp: str, lang: str) -> list[str]:
    """One event. The UID is the record's id, whatever the language: a calendar that
    imports the file again updates its entries instead of adding them twice."""
    disputes = [d for d in e.disagreements if d.field == "date"]
    lines = ["BEGIN:VEVENT", f"UID:{e.id}@spnet", f"DTSTAMP:{stamp}", *_when(e)]
    lines.append(f"SUMMARY:{_ics_escape(_title(e, lang, bool(disputes)))}")
    lines.append(f"DESCRIPTION:{_ics_escape(_description(e, people, lang, disputes))}")
    if e.venue.en or e.venue.ja:
        lines.append(f"LOCATION:{_ics_escape(_text(e.venue, lang))}")
    lines.append(f"CATEGORIES:{e.kind.upper()}")
    lines.append(f"STATUS:{'TENTATIVE' if e.tentative or disputes else 'CONFIRMED'}")
    # What the report knows of the date, as data: day, month, year, fy or decade.
    lines.append(f"X-SPNET-PRECISION:{e.date.precision}")
    lines.append("END:VEVENT")
    return lines


def to_ics(archive: Archive, events: list[Event], stamp: str, lang: str = "both") -> str:
    """The events as an iCalendar file: a VEVENT each (see _when, _title)."""
    people = {p.id: p for p in archive.people}
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
        lines += _vevent(e, people, stamp, lang)
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(line) for line in lines)


def write_ics(
    archive: Archive, events: list[Event], out: Path | None, *, vague_too: bool = False, lang: str = "both"
) -> None:
    """The calendar; without `vague_too`, events known only to their year or decade are left
    out, and one line on stderr says how many."""
    left_out = [e for e in events if vague(e)] if not vague_too else []
    if left_out:
        stderr.note(
            _("{n} event(s) known only to the year, 年度 or decade left out (--vague-dates puts them in)").format(
                n=len(left_out)
            )
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = to_ics(archive, [e for e in events if e not in left_out], stamp, lang)
    if out is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        return
    with output(out) as fh:
        fh.write(text)
