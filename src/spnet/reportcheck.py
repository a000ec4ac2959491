"""`spnet check --against-report`: what the report prints in a form a rule can read, read
off the shipped report again and compared with the archive.

Nothing here looks at the lines a record cites: each finder reads the whole report by its
own rule, and asks the archive whether it holds what was read.

- dates with a weekday: 2023年3月3日（金） and "Friday, 3 March 2023", in the folded text
  (provenance.fold), so a vertically typeset date, one character a line, is read too;
- URLs and e-mail addresses, in the text with its line breaks joined where the PDF broke
  a word (`joined_text`), in the language of the label printed before them;
- counts of universities in countries: 8か国14校, "14 universities in 8 countries";
- the list of member-university meetings: 第N回 and its date, "Nth Meeting:" and its date.

Last, and apart, every record's own references are checked (spnet.citations).
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from spnet import citations, printed
from spnet.collection import Archive
from spnet.i18n import _
from spnet.models import Count, Event, Partner, University
from spnet.partialdate import WEEKDAYS_EN, WEEKDAYS_JA, PartialDate
from spnet.provenance import COLUMN, Report, fold

MONTHS_EN = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_WEEKDAY_EN = "|".join(w.lower() for w in WEEKDAYS_EN)
_MONTH_EN = "|".join(MONTHS_EN)
# Patterns on the folded text: no spaces, lower case, full-width forms made narrow.
_JA_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\(([月火水木金土日])\)")
_EN_DATE = re.compile(rf"({_WEEKDAY_EN}),(\d{{1,2}})({_MONTH_EN}),?(\d{{4}})")
_JA_COUNT = re.compile(r"(?<!\d)(\d+)か国(\d+)(?:校|大学)")
_EN_COUNT = re.compile(r"(?<!\d)(\d+)(?:universities|institutions)in(\d+)countries")
_JA_MEETING = re.compile(r"第(\d+)回(\d{4})年(\d{1,2})月(?:(\d{1,2})日\([月火水木金土日]\))?(\(予定\))?")
_EN_MEETING = re.compile(
    rf"(\d+)(?:st|nd|rd|th)meeting:(?:(?:{_WEEKDAY_EN}),)?(\d{{1,2}})?({_MONTH_EN}),?(\d{{4}})(\(tbc\))?"
)
# Patterns on the joined text, which keeps case and the spaces between words.
_URL = re.compile(r"https?://[A-Za-z0-9._~/?#=&%+:-]+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class Difference(NamedTuple):
    """One thing the report prints that the archive does not hold as printed (or the other
    way round), as one line in the reader's language; `line` is the report's, 0 if none."""

    line: int
    message: str


class Comparison(NamedTuple):
    """What one finder compared ("39 dates", in the reader's language) and what differs."""

    compared: str
    differences: list[Difference]


Finder = Callable[[Report, Archive], Comparison]


# ------------------------------------------------------------------ reading the report
class Printed(NamedTuple):
    """A value read off the report: the line it begins on, its language, the text as
    printed, and the value itself (a date, a URL, numbers)."""

    line: int
    lang: str
    text: str
    value: Any


def printed_dates(report: Report) -> list[Printed]:
    """Every date printed with a weekday, Japanese then English; value (date or None, weekday)."""
    out = []
    for m, span in report.matches(_JA_DATE):
        out.append(Printed(span.first, "ja", report.printed(span), (_partial(m[1], int(m[2]), m[3]), m[4])))
    for m, span in report.matches(_EN_DATE):
        date, weekday = _partial(m[4], MONTHS_EN.index(m[3]) + 1, m[2]), m[1].capitalize()
        out.append(Printed(span.first, "en", report.printed(span), (date, weekday)))
    return out


def joined_text(report: Report) -> tuple[str, Callable[[int], int]]:
    """The report's text, NFKC, with a line break dropped where the PDF broke a word across
    lines, and what gives each position's line. A break is a word's when neither side of it
    is a space and, if blank lines stand between, one side is a piece of a vertical column
    (`COLUMN` characters or fewer): "https://form" + ".qooker.jp/…", "ht" + "tp" + "s:"."""
    pieces: list[str] = []
    starts: list[int] = []  # where each line's text begins in the joined text
    numbers: list[int] = []  # and which line it is
    size, previous, blank = 0, "", False
    for n, raw in enumerate(report.lines, start=1):
        line = unicodedata.normalize("NFKC", raw)
        if not line.strip():
            blank = True
            continue
        if previous:
            short = len(previous.strip()) <= COLUMN or len(line.strip()) <= COLUMN
            if previous[-1].isspace() or line[0].isspace() or (blank and not short):
                pieces.append("\n")
                size += 1
        starts.append(size)
        numbers.append(n)
        pieces.append(line)
        size += len(line)
        previous, blank = line, False
    return "".join(pieces), lambda at: numbers[bisect.bisect_right(starts, at) - 1]


def _language(text: str, at: int) -> str:
    """The language of the label printed before position `at`: the nearest letter's."""
    for ch in reversed(text[max(0, at - 200) : at]):
        if ch.isalpha():
            return "en" if ch.isascii() else "ja"
    return "en"


@functools.cache
def printed_addresses(report: Report) -> tuple[list[Printed], list[Printed]]:
    """Every URL and every e-mail address printed; a URL's language is its label's."""
    text, line_of = joined_text(report)
    urls = [
        Printed(line_of(m.start()), _language(text, m.start()), m[0].rstrip(".,:"), m[0].rstrip(".,:"))
        for m in _URL.finditer(text)
    ]
    emails = [Printed(line_of(m.start()), "", m[0], m[0].rstrip(".")) for m in _EMAIL.finditer(text)]
    return urls, emails


def printed_counts(report: Report) -> list[Printed]:
    """Every count of universities in countries; value (countries, universities)."""
    out = [Printed(s.first, "ja", report.printed(s), (int(m[1]), int(m[2]))) for m, s in report.matches(_JA_COUNT)]
    out += [Printed(s.first, "en", report.printed(s), (int(m[2]), int(m[1]))) for m, s in report.matches(_EN_COUNT)]
    return out


def printed_meetings(report: Report) -> list[Printed]:
    """The meetings' list in both texts; value (number, date, planned)."""
    out = []
    for m, span in report.matches(_JA_MEETING):
        date = _partial(m[2], int(m[3]), m[4])
        out.append(Printed(span.first, "ja", report.printed(span), (int(m[1]), date, bool(m[5]))))
    for m, span in report.matches(_EN_MEETING):
        date = _partial(m[4], MONTHS_EN.index(m[3]) + 1, m[2])
        out.append(Printed(span.first, "en", report.printed(span), (int(m[1]), date, bool(m[5]))))
    return out


def _partial(year: str, month: int, day: str | None) -> PartialDate | None:
    """The date printed, or None for one the calendar has not (read, and compared as text)."""
    try:
        return PartialDate.parse(f"{int(year):04d}-{month:02d}" + (f"-{int(day):02d}" if day else ""))
    except ValueError:
        return None


# ------------------------------------------------------------------ comparing with the archive
def _side(lang: str) -> str:
    return _("the Japanese text") if lang == "ja" else _("the English text")


def _quoted(archive: Archive) -> dict[str, list[str]]:
    """What the archive's disagreements quote, folded, by language: a printed value quoted
    there is one the archive has recorded and decided on."""
    out: dict[str, list[str]] = {"ja": [], "en": []}
    records: list[University | Partner | Event] = [*archive.universities, *archive.partners, *archive.events]
    for record in records:
        for d in record.disagreements:
            out["ja"].append(fold(d.ja))
            out["en"].append(fold(d.en))
    return out


def compare_dates(report: Report, archive: Archive) -> Comparison:
    """Each date printed with a weekday is an event's date with that weekday for its
    language, or, where no event is on that day, is quoted by a disagreement, which records
    it and says which text is held; and each weekday the calendar contradicts is one
    `spnet check` warns of."""
    printed = printed_dates(report)
    on_day: dict[str, list[Event]] = {}
    for e in archive.events:
        if e.date.precision == "day":
            on_day.setdefault(e.date.iso(), []).append(e)
    quoted = _quoted(archive)
    differences = []
    for p in printed:
        date, weekday = p.value
        held = on_day.get(date.iso(), []) if date else []
        if held and all(getattr(e.weekday, p.lang) != weekday for e in held):
            differences.append(Difference(p.line, _other_weekday(p, held[0])))
        elif not held and not any(fold(p.text) in q for q in quoted[p.lang]):
            message = _(
                "line {line}: the report prints {printed}; the archive has no event on that day, "
                "and no disagreement quotes it"
            )
            differences.append(Difference(p.line, message.format(line=p.line, printed=p.text)))
    misprinted = [p for p in printed if p.value[0] and _calendar(p) != p.value[1]]
    differences += _unwarned(misprinted, archive)
    compared = _("{n} dates ({wrong} with a weekday the calendar contradicts)")
    return Comparison(compared.format(n=len(printed), wrong=len(misprinted)), differences)


def _unwarned(misprinted: list[Printed], archive: Archive) -> list[Difference]:
    """The printed weekdays the calendar contradicts that `spnet check` does not warn of."""
    warned = {(w.params["printed"], w.params["date"]) for w in archive.warnings if w.params and "printed" in w.params}
    message = _(
        "line {line}: the report prints {printed}, but that day is a {weekday}; `spnet check` does not warn of it"
    )
    return [
        Difference(p.line, message.format(line=p.line, printed=p.text, weekday=_calendar(p)))
        for p in misprinted
        if (p.value[1], p.value[0].iso()) not in warned
    ]


def _calendar(p: Printed) -> str:
    """The weekday of a printed date, in the words of its language."""
    day = p.value[0].first_day().weekday()
    return WEEKDAYS_JA[day] if p.lang == "ja" else WEEKDAYS_EN[day]


def _other_weekday(p: Printed, event: Event) -> str:
    message = _(
        "line {line}: the report prints {printed}; the archive's {id} is on that day, "
        "with the weekday {weekday} in {side}"
    )
    weekday = getattr(event.weekday, p.lang) or _("none")
    return message.format(line=p.line, printed=p.text, id=event.id, weekday=weekday, side=_side(p.lang))


def compare_urls(report: Report, archive: Archive) -> Comparison:
    """Each URL printed is a link cited in the language it is printed in, and each link's
    URL is printed in the language(s) the link says."""
    printed, _emails = printed_addresses(report)
    links = {link.url: link for link in archive.links}
    differences = []
    for p in printed:
        link = links.get(str(p.value))
        if link is None:
            message = _("line {line}: the report prints the URL {url} in {side}; the archive has no link to it")
            differences.append(Difference(p.line, message.format(line=p.line, url=p.value, side=_side(p.lang))))
        elif link.cited_in not in (p.lang, "both"):
            message = _(
                "line {line}: the report prints the URL {url} in {side}; "
                "the archive's link {id} is cited in {cited} only"
            )
            differences.append(
                Difference(
                    p.line,
                    message.format(
                        line=p.line, url=p.value, side=_side(p.lang), id=link.id, cited=_side(link.cited_in)
                    ),
                )
            )
    seen = {(p.value, p.lang) for p in printed}
    for link in archive.links:
        for lang in ("ja", "en") if link.cited_in == "both" else (link.cited_in,):
            if (link.url, lang) not in seen:
                message = _("the archive's link {id} says {side} prints {url}; it does not")
                differences.append(Difference(0, message.format(id=link.id, side=_side(lang), url=link.url)))
    return Comparison(_("{n} URLs").format(n=len(printed)), differences)


def compare_emails(report: Report, archive: Archive) -> Comparison:
    """Each e-mail address printed is a contact's, and each contact's address is printed."""
    _urls, printed = printed_addresses(report)
    held = [c for c in archive.contacts if c.email]
    differences = []
    for p in printed:
        if all(c.email != p.value for c in held):
            message = _("line {line}: the report prints the e-mail address {email}; no contact of the archive has it")
            differences.append(Difference(p.line, message.format(line=p.line, email=p.value)))
    seen = {p.value for p in printed}
    for contact in held:
        if contact.email not in seen:
            message = _("the archive's contact {id} has the e-mail address {email}, which the report does not print")
            differences.append(Difference(0, message.format(id=contact.id, email=contact.email)))
    return Comparison(_("{n} e-mail addresses").format(n=len(printed)), differences)


def _of_countries(count: Count) -> bool:
    return "countr" in (count.what.en or "") or (count.what.ja or "").endswith("国")


def compare_counts(report: Report, archive: Archive) -> Comparison:
    """Each count of universities in countries printed is two counts of one university in
    the archive: one of the countries, one of the universities, with those values."""
    printed = printed_counts(report)
    pairs = set()
    for university in archive.universities:
        countries = {c.value for c in university.counts if _of_countries(c)}
        others = {c.value for c in university.counts if not _of_countries(c)}
        pairs |= {(n, m) for n in countries for m in others}
    differences = []
    for p in printed:
        countries, universities = p.value
        if (countries, universities) not in pairs:
            message = _(
                "line {line}: the report prints {printed}; no university of the archive has a count of "
                "{countries} countries and one of {universities} universities"
            )
            differences.append(
                Difference(
                    p.line, message.format(line=p.line, printed=p.text, countries=countries, universities=universities)
                )
            )
    return Comparison(_("{n} counts").format(n=len(printed)), differences)


def _meeting_difference(p: Printed, meeting: Event) -> str | None:
    """What differs between a meeting as printed and the archive's, if anything."""
    _number, date, planned = p.value
    quoted = [fold(d.ja if p.lang == "ja" else d.en) for d in meeting.disagreements]
    if date != meeting.date and not any(q and q in fold(p.text) for q in quoted):
        message = _("line {line}: the report prints {printed}; the archive's {id} is on {date}")
        return message.format(line=p.line, printed=p.text, id=meeting.id, date=meeting.date.display())
    if planned and not meeting.tentative:
        message = _("line {line}: the report prints {printed}, a meeting planned; the archive's {id} is not tentative")
        return message.format(line=p.line, printed=p.text, id=meeting.id)
    return None


def compare_meetings(report: Report, archive: Archive) -> Comparison:
    """The archive's meetings are exactly those of the report's list, each on the date one
    text prints, the other text's date (where it differs) quoted by a disagreement, and
    tentative exactly where the list says planned."""
    printed = printed_meetings(report)
    meetings = {e.number: e for e in archive.events if e.kind == "meeting"}
    differences = []
    for p in printed:
        number = p.value[0]
        meeting = meetings.get(number)
        if meeting is None:
            message = _("line {line}: the report prints {printed}; the archive has no meeting {number}")
            differences.append(Difference(p.line, message.format(line=p.line, printed=p.text, number=number)))
        elif (found := _meeting_difference(p, meeting)) is not None:
            differences.append(Difference(p.line, found))
    numbers = {p.value[0] for p in printed}
    planned = {p.value[0] for p in printed if p.value[2]}
    for number, meeting in meetings.items():
        if number not in numbers:
            message = _("the archive's meeting {number} ({id}) is not in the report's list of meetings")
            differences.append(Difference(0, message.format(number=number, id=meeting.id)))
        elif meeting.tentative and number not in planned:
            message = _("the archive's {id} is tentative; the report's list does not say meeting {number} is planned")
            differences.append(Difference(0, message.format(number=number, id=meeting.id)))
    return Comparison(_("{n} meetings").format(n=len(numbers)), differences)


# The finders `spnet check --against-report` runs, in this order: each takes the report
# and the archive and returns what it compared and the differences it found.
FINDERS: tuple[Finder, ...] = (compare_dates, compare_urls, compare_emails, compare_counts, compare_meetings)


def compare_citations(report: Report, root: Path) -> Comparison:
    """Every value of every record that cites the report, found on the lines it cites
    (spnet.citations): the one comparison that does start from the records' references."""
    raws = [r for r in citations.read_records(root) if "lines" in r.table and not citations.is_curators(r.table)]
    found = citations.check_raws(raws, report)
    compared = _("{n} values on their cited lines").format(n=sum(len(printed.values(raw.table)) for raw in raws))
    return Comparison(compared, [Difference(0, problem) for problem in found])


def against_report(report: Report, archive: Archive, root: Path) -> list[Comparison]:
    """What every finder compared, and found; then the records' own line references."""
    return [*(finder(report, archive) for finder in FINDERS), compare_citations(report, root)]
