"""The report's own text beside the archive: any passage by its line numbers (`spnet
source`), and the passages a record cites with its values marked where they stand (`spnet
show ID --source`).

Rows are report lines: `line`, the line as printed (`text`), and for a record the fields
whose values stand on it (`fields`) and where (`marks`, each field with [start, end) in
columns of `text`). A value the record holds but its cited lines do not is a row of its
own, with no line. For a person (`readable`), a run of the programmes' vertically
typeset lines (one character, or a piece of a word, per line) is joined into one row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from spnet import provenance
from spnet.errors import UsageError
from spnet.i18n import N_, _
from spnet.models import Row
from spnet.provenance import fold

if TYPE_CHECKING:
    from spnet.models import Identified


# What spnet/source/README.md states about the report; a test holds the two together.
TITLE_JA = "国際競争力強化に向けた「戦略的パートナーシップ」のネットワーク構築"
TITLE_EN = (
    "Building a Network of ‘Strategic Partnerships’ to Strengthen International Competitiveness "
    "among Japanese Universities"
)
ISSUER = (
    "the project: the University of Tokyo as managing university and eight member universities "
    "(Tohoku, Waseda, Soka, Keio, Kyoto, Osaka, Ehime, Kyushu), under the Japan Forum for "
    "Internationalization of Universities (大学の国際化促進フォーラム), 2021 to March 2024"
)
SECTIONS = (
    (1, 159, "Remarks from the Project Managing University (greeting, JA then EN)"),
    (160, 432, "Project Summary (JA and EN)"),
    (433, 489, "3-1 Questionnaire survey"),
    (490, 590, "3-2 The three Strategic Partnership Symposia (JA, then EN)"),
    (590, 2165, "symposium programmes and flyers (vertical Japanese, split English)"),
    (2166, 2300, "3-3 Workshop and the member-university meetings (JA and EN)"),
    (2301, 3446, "Chapter 4: each member university's activities and outlook"),
    (3447, 3464, "Contact information"),
)

# Fields that are not the report's words: spnet's ids and kinds, the curators' additions
# and notes, and values the archive keeps normalised (ISO dates, 24-hour times).
NOT_QUOTED = frozenset(
    {
        *("record", "id", "kind", "university", "universities", "institution", "country", "consortium"),
        *("country_basis", "short_names", "short_names_basis", "title_en_basis", "title_ja_basis", "basis"),
        *("title_ja_referents", "since", "designated", "date", "as_of", "tentative", "onward", "fiscal_year"),
        *("number", "time"),
        *("note", "reason", "held", "field", "section", "lines", "events", "partners", "people", "links"),
        *("person", "managing", "members", "of_partners", "value", "qualifier", "cited_in", "event", "programme_ja"),
    }
)
NOT_CITED = N_("not on the lines cited")  # the heading of the values a record's lines do not hold
LOOSE = frozenset({"what", "part"})  # may be the curators' words (`required`)
# List fields, as flattened: their separators.
LISTS = {"members_en": "; ", "members_ja": "; ", "meeting_agenda_en": "; ", "meeting_agenda_ja": "; ", "aliases": ", "}
_RANGE = re.compile(r"(\d+)(?:\s*(?:-|–|—|~|～|\.\.)\s*(\d*))?")


def about() -> dict[str, Any]:
    """What the report is: its title, who issued it, how its text was made, its size and checksum."""
    report = provenance.report()
    return {
        "title_ja": TITLE_JA,
        "title_en": TITLE_EN,
        "issued_by": ISSUER,
        "text": _("extracted from the report's PDF by the archive's curators; UTF-8, unchanged"),
        "lines": len(report),
        "sha256": provenance.SHA256,
        "sections": [{"first": a, "last": b, "section": s} for a, b, s in SECTIONS],
    }


def about_rows(facts: dict[str, Any]) -> list[Row]:
    """`about` as a card's (field, value) rows: the sections one per line."""
    rows = [{"field": k, "value": v} for k, v in facts.items() if k != "sections"]
    sections = "\n".join(f"{s['first']}–{s['last']}: {s['section']}" for s in facts["sections"])
    return [*rows, {"field": "sections", "value": sections}]


def parse_ranges(typed: Iterable[str]) -> list[tuple[int, int]]:
    """Lines as a user types them: 2687, 2687-2700 (or – ~ ..), 3450- (to the end), several
    apart or comma-separated. Outside 1 to the report's last line, or backwards: exit 2."""
    last = len(provenance.report())
    out = []
    for word in typed:
        for piece in unicodedata.normalize("NFKC", word).split(","):
            match = _RANGE.fullmatch(piece.strip())
            if match is None:
                raise UsageError(
                    _("not a line or a range of lines: {typed!r} (give e.g. 2687 or 2687-2700)").format(typed=piece)
                )
            first = _number(match[1], last)
            end = last if match[2] == "" else _number(match[2], last) if match[2] else first
            if not (1 <= first <= last and 1 <= end <= last):
                raise UsageError(
                    _("line {typed} is not in the report, which has lines 1 to {last}").format(
                        typed=piece.strip(), last=last
                    )
                )
            if end < first:
                raise UsageError(
                    _("the range {typed} runs backwards: give {end}-{first}").format(
                        typed=piece.strip(), first=first, end=end
                    )
                )
            out.append((first, end))
    return out


def _number(digits: str, last: int) -> int:
    """A typed line number; one of more digits than any report has lines is past its end
    (Python refuses to convert a number of thousands of digits)."""
    return int(digits) if len(digits) <= len(str(last)) else last + 1


def heading(first: int, last: int) -> str:
    """A passage's heading: lines 2685–2689."""
    if first == last:
        return _("line {n}").format(n=first)
    return _("lines {first}–{last}").format(first=first, last=last)


def passage_rows(ranges: Sequence[tuple[int, int]]) -> list[Row]:
    """Each range's lines as printed, each row under its range's heading."""
    report = provenance.report()
    return [
        {"line": n, "text": report.line(n), "_passage": heading(first, last)}
        for first, last in ranges
        for n in range(first, last + 1)
    ]


def cited_lines(record: Identified, path: str) -> tuple[int, ...]:
    """The lines the field at `path` cites: its own where the record gives it some (by its
    path, or the list it is in: participants), else the record's; and a count's own."""
    own = {cite.field: tuple(cite.lines) for cite in getattr(record.source, "cites", ())}
    lines = own.get(path, own.get(re.split(r"[.\[]", path)[0], tuple(record.source.lines)))
    from spnet.models import University  # loaded with the record

    count = re.match(r"counts\[(\d+)\]\.", path)
    if count is not None and isinstance(record, University):
        lines += tuple(record.counts[int(count[1])].source.lines)
    return tuple(n for n in lines if 1 <= n <= provenance.LINES)  # a line past the report's end holds nothing


def every_cited_line(record: Identified) -> set[int]:
    """Every line the record, or one of its fields, cites, within the report."""
    lines = set(record.source.lines).union(*(cite.lines for cite in getattr(record.source, "cites", ())))
    return {n for n in lines if 1 <= n <= provenance.LINES}


def quoted_fields(record: Identified) -> list[tuple[str, str]]:
    """The record's values in the report's words, as (field path, text); a list's items
    each on its own (members_en[0], aliases[1])."""
    from spnet.archive.fields import flatten  # `spnet source` alone has no record to read

    out = []
    for path, value in flatten(record):
        word = re.sub(r"\[\d+\]", "", path).rsplit(".", 1)[-1]
        if not isinstance(value, str) or word in NOT_QUOTED or path.startswith("source.") or ".source." in path:
            continue  # spnet's and the curators' words, and where a value comes from
        if word.endswith(("_basis", "_reason", "_lines")):
            continue  # how a value is known (docs/curators.md): the curators' words
        if word in ("title_en", "title_ja") and getattr(record, f"{word}_basis", None) == "curator":
            continue  # a title in the curators' words
        if word in LISTS:
            out += [(f"{path}[{n}]", item) for n, item in enumerate(value.split(LISTS[word]))]
        else:
            out.append((path, value))
    return out


def required(path: str) -> bool:
    """Whether the report must hold the value: a count's `what` and a participant's `part`
    may be the curators' words for it (marked where the report has them, not missed)."""
    return re.sub(r"_(en|ja)$", "", path.rsplit(".", 1)[-1]) not in LOOSE


def _language(path: str) -> str | None:
    end = re.search(r"[._](en|ja)$", path)
    return end[1] if end else None


def cited(record: Identified, lang: str = "both") -> list[Row]:
    """The passages `record` cites: every line it cites, and every line a value it holds
    (in `lang`, en or ja, or both) stands on, in passages of consecutive lines, each value
    marked; then each such value its cited lines do not hold (that the report must,
    `required`), as a row with no line. A record that cites no line (the curators') has none."""
    if not every_cited_line(record):
        return []  # the curators' record: nothing of it is the report's
    report = provenance.report()
    marks, missing = _marks_and_missing(report, record, lang)
    shown = set(marks)
    # A cited line that holds no value is shown all the same: it is what the record cites.
    shown |= {n for n in every_cited_line(record) if not _holds_other_language(record, n, lang)}
    shown = {k for n in shown for k in _column(report, n)}
    rows = []
    for first, last in _runs(sorted(shown)):
        for n in sorted(k for k in range(first, last + 1) if report.line(k).strip() or k in shown):
            found = sorted(marks.get(n, []), key=lambda m: (m["start"], m["field"]))
            fields = ", ".join(dict.fromkeys(m["field"] for m in found))
            row = {"line": n, "text": report.line(n), "fields": fields, "marks": found}
            rows.append({**row, "_passage": heading(first, last)})
    return rows + [{**row, "_passage": _(NOT_CITED)} for row in missing]


def _marks_and_missing(
    report: provenance.Report, record: Identified, lang: str
) -> tuple[dict[int, list[dict[str, Any]]], list[Row]]:
    """Where each value the record holds (in `lang`) stands, by line; and each value that
    the report must hold (`required`) but its cited lines do not, as a row with no line."""
    marks: dict[int, list[dict[str, Any]]] = {}
    missing: list[Row] = []
    for path, value in quoted_fields(record):
        if lang != "both" and _language(path) not in (None, lang):
            continue
        # A quotation the archive shortened (…) is found piece by piece.
        spans = [report.locate(part, cited_lines(record, path)) for part in value.split("…") if fold(part)]
        if not spans or None in spans:
            if required(path):
                missing.append({"line": None, "text": value, "fields": path, "marks": []})
            continue
        for mark in (m for span in spans if span for m in span.marks):
            marks.setdefault(mark.line, []).append({"field": path, "start": mark.start, "end": mark.end})
    return marks, missing


def _holds_other_language(record: Identified, n: int, lang: str) -> bool:
    """Whether cited line n holds a value in the language not asked for (--lang en or ja)."""
    if lang == "both":
        return False
    report = provenance.report()
    return any(
        _language(path) not in (None, lang) and report.begins_on(value, n) is not None
        for path, value in quoted_fields(record)
    )


def _column(report: provenance.Report, n: int) -> range:
    """Line n, or, where it is a piece of a vertically typeset column (20 of 2023; （ of
    （金）), the lines of that column: a reader sees the piece in its place."""
    if not _vertical(report.line(n)):
        return range(n, n + 1)
    first, last = n, n
    while first > 1 and _vertical(report.line(first - 1)):
        first -= 1
    while last < len(report) and _vertical(report.line(last + 1)):
        last += 1
    return range(first, last + 1)


def _vertical(line: str) -> bool:
    return 0 < len(line.strip()) <= VERTICAL


def _runs(lines: Sequence[int]) -> list[tuple[int, int]]:
    """Lines as (first, last) runs of lines that follow each other, blank lines between
    them (the extraction left one between most lines) taken in."""
    report = provenance.report()
    runs: list[tuple[int, int]] = []
    for n in lines:
        if runs and all(not report.line(k).strip() for k in range(runs[-1][1] + 1, n)):
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


VERTICAL = 3  # a line with no more than this many characters may be one of a vertical column
RUN = 2  # and it takes this many such lines in a row to make one; a blank line ends it


def readable(rows: Sequence[Row]) -> list[Row]:
    """Rows as a person reads them: a run of vertically typeset lines (each at most three
    characters; a blank line ends a column of the page) within one passage is one row, its
    lines' text joined (小, 林, 傳, 司: 小林傳司; in, tl-, pr, oj: intl-proj), its marks
    moved with it; `last` is the run's last line. Blank lines are left out (the line
    numbers show where they were), unless there is nothing else."""
    out = _readable(rows)
    return [row for row in out if row["line"] is None or row["text"].strip()] or out


def _readable(rows: Sequence[Row]) -> list[Row]:
    out: list[Row] = []
    n = 0
    while n < len(rows):
        end = n
        while end < len(rows) and _short(rows[end]) and rows[end]["_passage"] == rows[n]["_passage"]:
            end += 1
        if end - n >= RUN:
            out.append(_joined(rows[n:end]))
            n = end
        else:
            out.append(rows[n])
            n += 1
    return out


def _short(row: Row) -> bool:
    return row.get("line") is not None and _vertical(row["text"])


def _joined(rows: Sequence[Row]) -> Row:
    text, marks = "", []
    for row in rows:
        line = row["text"]
        lead = len(line) - len(line.lstrip())
        piece = line.strip()
        for m in row.get("marks", ()):
            start, end = max(m["start"] - lead, 0), min(m["end"] - lead, len(piece))
            if start < end:
                marks.append({**m, "start": len(text) + start, "end": len(text) + end})
        text += piece
    joined = {**rows[0], "last": rows[-1]["line"], "text": text, "marks": marks}
    if "fields" in rows[0]:
        joined["fields"] = ", ".join(dict.fromkeys(m["field"] for m in marks))
    return joined
