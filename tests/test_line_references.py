"""Every line reference in data/ checked against the report, record by record.

A record's `lines` are the lines of the report's text on which its facts begin: its
names, its quoted texts, its address, its count, the year of its date. For every record:
- each fact begins on a line it cites, in at least one of the two languages (and goes
  on over the following lines as the report's line breaks take it);
- each cited line begins a fact, or ends one (a paragraph is cited by its first and its
  last line): none is there for company, and none is a neighbour of the right one.
The report's spaces and line breaks are ignored, and so are case and width.
"""

from __future__ import annotations

import bisect
import re
import tomllib
import unicodedata
from typing import Any

import pytest

from tests.conftest import DATA, report_path

# The fields whose text is the report's own (notes, reasons and most event titles are the
# archive's words).
QUOTED = re.compile(
    r"^(name|theme|talk|activities|outlook|affiliation|role|scheme|relation|definition|framework|about|purpose"
    r"|members|language|department|since_what|designated_what)_(en|ja)$"
)
TOKENS = ("email", "url")
ENDS = 14  # a longer text is found by its first characters
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def squash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text.replace("\u20dd", "").replace("\ufffd", "")).casefold()


def year_forms(table: dict[str, Any]) -> list[list[str]]:
    """For each date of a record, the ways the report writes its year: 2023, 2022年度 or
    FY2022 for the fiscal year, and the era (令和5年, 平成23年)."""
    out = []
    for key in ("date", "since", "designated", "as_of"):
        value = table.get(key)
        fiscal_date = bool(value) and value.startswith("FY")  # the report's 2019年度, kept as FY2019
        if fiscal_date:
            value = value[2:]
        if not value or not value[:3].isdigit():
            continue
        if value.endswith("X"):
            out.append([value[:3] + "0"])
            continue
        year = int(value[:4])
        forms = [str(year)]
        for start, era in ((2019, "令和"), (1989, "平成"), (1926, "昭和")):
            if year >= start:
                forms.append(f"{era}{'元' if year == start else year - start + 1}年")
                break
        fiscal = table.get("fiscal_year") or (year - 1 if len(value) >= 7 and int(value[5:7]) <= 3 else year)
        forms += [f"{fiscal}年度", f"fy{fiscal}"]
        if fiscal_date:  # 平成23年度, and the year as the English gives it
            forms += [f"{f[:-1]}年度" for f in forms[1:2] if f.endswith("年")]
        out.append([squash(f) for f in forms])
    date = table.get("date", "")
    if re.fullmatch(r"\d{4}-\d\d-\d\d", date):  # a day: the line that prints it
        y, m, d = (int(x) for x in date.split("-"))
        month = MONTHS[m - 1]
        forms = [
            f"{y}年{m}月{d}日",
            f"{y}年{m:02}月{d:02}日",
            f"{d}{month}{y}",
            f"{month}{d},{y}",
            f"{d}{month[:3]}{y}",
        ]
        out.append([squash(f) for f in forms])
    return out


class Record:
    def __init__(self, where: str, table: dict[str, Any]) -> None:
        self.where = where
        self.id = table.get("id", where)
        self.lines: list[int] = table["lines"]
        # fact -> its values (one per language); a fact holds if one of them is found
        self.facts: dict[str, list[str]] = {}
        for key, value in table.items():
            if QUOTED.match(key) or key in TOKENS:
                stem = key.removesuffix("_en").removesuffix("_ja")
                for n, text in enumerate(value if isinstance(value, list) else [value]):
                    if squash(text):
                        self.facts.setdefault(f"{stem}[{n}]", []).append(text)
        if "value" in table:
            self.facts["value"] = [str(table["value"])]
        numbers = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
        if "time" in table:  # a symposium's start, "17:30" (printed 17：30〜20：00 or 17:30-20:00)
            self.facts["time"] = [table["time"][:5]]
        self.years = year_forms(table)
        # Text a record may cite lines for, and need not: a title or what a count counts (the report's or the
        # archive's words), both readings of a disagreement, what its participants said.
        parts = [table.get(k) for k in ("title_en", "title_ja", "what_en", "what_ja")]
        parts += [d.get(k) for d in table.get("disagreements", []) for k in ("en", "ja")]
        parts += [
            value
            for part in table.get("participants", [])
            for key, value in part.items()
            if re.match(r"^(talk|as_printed|part)_(en|ja)$", key)
        ]
        if isinstance(table.get("value"), int) and 1 <= table["value"] <= len(numbers):
            parts.append(numbers[table["value"] - 1])  # "five strategic partners"
        date = table.get("date", "")
        if len(date) >= 7:  # the month of a dated record: 3月, March
            month = int(date[5:7])
            parts += [f"{month}月", MONTHS[month - 1]]
        self.parts = [squash(p) for p in parts if isinstance(p, str) and squash(p)]
        self.note = squash(table.get("note", ""))


def records() -> list[Record]:
    found: list[Record] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "lines" in node and "source" in node and node.get("basis") != "curator":
                found.append(Record(where, node))
            for key, value in node.items():
                if key not in ("disagreements", "participants"):  # parts of a record, cited by it
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for n, item in enumerate(node):
                walk(item, f"{where}[{item.get('id', n) if isinstance(item, dict) else n}]")

    for path in sorted(DATA.rglob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")), str(path.relative_to(DATA)))
    return found


RECORDS = records()


class Report:
    """The report's text squashed into one string, with where each line begins in it."""

    def __init__(self, text: str) -> None:
        self.lines = [squash(line) for line in text.split("\n")]
        self.text = "".join(self.lines)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def begins_on(self, fact: str, n: int) -> bool:
        """Whether `fact` begins on line n (and goes on over the following lines as it must)."""
        if not 1 <= n < len(self.starts):
            return False
        at = self.text.find(fact, self.starts[n - 1])
        return at != -1 and at < self.starts[n]

    def ends_on(self, fact: str, n: int) -> bool:
        """Whether `fact` ends on line n."""
        if not 1 <= n < len(self.starts):
            return False
        at = self.text.find(fact, max(0, self.starts[n - 1] - len(fact) + 1))
        return at != -1 and self.starts[n - 1] <= at + len(fact) - 1 < self.starts[n]

    def where(self, fact: str) -> list[int]:
        """Every line on which `fact` begins."""
        found, at = [], self.text.find(fact)
        while at != -1:
            found.append(bisect.bisect_right(self.starts, at))
            at = self.text.find(fact, at + 1)
        return found


def head(value: str) -> str:
    """What must begin on a cited line: a short fact whole, a long one's beginning."""
    return squash(value)[:ENDS] if len(squash(value)) > ENDS else squash(value)


def problems(record: Record, report: Report) -> list[str]:
    out = []
    for fact, values in record.facts.items():
        if not any(report.begins_on(head(v), n) for v in values for n in record.lines):
            out.append(f"{fact} {values[0][:50]!r} begins on none of the cited lines")
    for forms in record.years:
        if not any(report.begins_on(f, n) for f in forms for n in record.lines):
            out.append(f"year {forms[0]!r} begins on none of the cited lines")
    pieces = [squash(v) for values in record.facts.values() for v in values]
    pieces += [f for forms in record.years for f in forms] + record.parts
    for n in record.lines:
        if not _supports(n, pieces, report) and not _in_note(n, record.note, report):
            out.append(f"line {n} holds none of its facts: {report.lines[n - 1][:50]!r}")
    return out


def _supports(n: int, pieces: list[str], report: Report) -> bool:
    """Line n begins a fact, or ends one (a paragraph cited from its first line to its last)."""
    if not 1 <= n < len(report.starts) or not report.lines[n - 1]:
        return False
    return any(report.begins_on(piece[:ENDS], n) or report.ends_on(piece[-ENDS:], n) for piece in pieces)


def _in_note(n: int, note: str, report: Report, k: int = 12) -> bool:
    """Line n is what the record's note says in the report's own words ("ran for three years")."""
    line = report.lines[n - 1] if 1 <= n < len(report.starts) else ""
    return len(line) >= k and any(line[i : i + k] in note for i in range(len(line) - k + 1))


@pytest.fixture(scope="module")
def report() -> Report:
    return Report(report_path().read_text(encoding="utf-8"))


def test_every_record_is_checked() -> None:
    """All but the curators' records, which cite no line: the report does not hold them."""
    assert len(RECORDS) >= 170
    assert all(r.facts or r.years for r in RECORDS), [r.id for r in RECORDS if not (r.facts or r.years)]


def test_the_curators_records_cite_no_line() -> None:
    countries = tomllib.loads((DATA / "countries.toml").read_text(encoding="utf-8"))["countries"]
    curated = [c for c in countries if c.get("basis") == "curator"]
    assert curated and all(c["lines"] == [] and "curators" in c["source"] for c in curated)


@pytest.mark.parametrize("record", RECORDS, ids=[r.where for r in RECORDS])
def test_cited_lines_hold_the_record(record: Record, report: Report) -> None:
    assert problems(record, report) == []


def test_a_record_citing_the_wrong_lines_is_caught(report: Report) -> None:
    good = next(r for r in RECORDS if r.id == "kyoto-vienna")
    assert problems(good, report) == []
    fields = {"id": "x", "name_en": "University of Vienna", "name_ja": "ウィーン大学", "source": "s"}
    assert problems(Record("moved", {**fields, "lines": [2000]}), report)
    neighbour = Record("neighbour", {**fields, "lines": [n - 1 for n in good.lines]})
    assert any("begins on none" in p for p in problems(neighbour, report))
    padded = Record("padded", {**fields, "lines": [*good.lines, 1]})
    assert any("line 1 holds none" in p for p in problems(padded, report))
