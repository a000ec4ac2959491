"""Every value of a record checked against the lines of the report it cites.

A record's `lines` are the lines of the report its values begin on; a field may cite its
own (`cites = { venue_ja = [2191] }`) where its value stands apart from the record's other
values. Each value the report gives (a name, a quoted text, an address, a count, a date as
the report prints it, a weekday, a time, what a participant said) must be found whole,
after the documented normalisation (`provenance.fold`), beginning on a line cited for its
field; a value with an ellipsis is its parts, each found so. A value both texts print (a
date, a time, a count) is found in each language the record cites. And each cited line
must begin one of the record's values: none is there for company.

The findings are plain strings naming file, record, field and line, so that a test and
`spnet check --against-report` report the same. docs/provenance.md is the curator's guide.
What a record's values are, and the forms the report prints each in, is printed.py's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from spnet.archive.files import read_toml
from spnet.archive.paths import data_files, display
from spnet.archive.schema import Problems, Raw, collect
from spnet.models import TomlTable
from spnet.printed import ELLIPSIS, Value, values
from spnet.provenance import Report, report


def _parts(form: str) -> list[str]:
    """A form's pieces between ellipses, each to be found."""
    return [p for p in form.split(ELLIPSIS) if p.strip()]


def begins_on_lines(text: Report, value: Value, form: str, lines: Iterable[int]) -> set[int]:
    """Those of `lines` a part of `form` begins on."""
    number = bool(value.token)
    return {n for part in _parts(form) for n in lines if text.begins_on(part, n, number=number)}


def found_on(text: Report, value: Value, form: str, lines: list[int]) -> bool:
    """Each part of `form` begins on one of `lines`."""
    parts = _parts(form)
    return bool(parts) and all(text.locate(part, lines, number=bool(value.token)) for part in parts)


def where(text: Report, value: Value) -> list[int]:
    """Every line of the report a part of one of the value's forms begins on."""
    number = bool(value.token)
    return sorted({n for form in value.forms for part in _parts(form) for n in text.where(part, number=number)})


def cited(table: TomlTable, field: str) -> list[int]:
    """The lines cited for `field` (participants[2].talk_en is a participants' field): its
    own, in `cites`, or the record's."""
    own = table.get("cites", {})
    stem = field.split(".")[0].split("[")[0]
    return list(own.get(field, own.get(stem, table.get("lines", []))))


@functools.cache
def japanese_lines(text: Report) -> frozenset[int]:
    """The lines of the Japanese text: those with kana or kanji, and a line of digits or
    signs alone (a vertical programme's 20, a URL) in the language of the line before it."""
    found: set[int] = set()
    japanese = True
    for n, line in enumerate(text.lines, 1):
        if any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in line):
            japanese = True
        elif any(ch.isascii() and ch.isalpha() for ch in line):
            japanese = False
        if japanese:
            found.add(n)
    return frozenset(found)


def groups(text: Report, value: Value, lines: list[int]) -> list[tuple[str, list[int]]]:
    """The cited lines `value` must be found on: all of them; or, for a value both texts
    print, those of each language among them."""
    if not value.shared:
        return [("", lines)]
    ja_lines = japanese_lines(text)
    ja = [n for n in lines if n in ja_lines]
    en = [n for n in lines if n not in ja_lines]
    return [(label, group) for label, group in (("Japanese ", ja), ("English ", en)) if group] or [("", lines)]


class _Seen:
    """What each cited line was found to begin: a text, an anchor (a date, a count), or
    details (a time, a weekday) with the other cited lines that begin them too."""

    def __init__(self) -> None:
        self.held: set[int] = set()
        self.details: dict[int, set[int]] = {}
        self.covered: set[int] = set()  # lines with a date or count inside a text cited from a line before

    def add(self, value: Value, on: set[int]) -> None:
        if value.token != "detail":
            self.held |= on
            return
        for n in on:
            if len(on) == 1:
                self.held.add(n)  # the one line that prints it
            else:
                self.details.setdefault(n, set()).update(on - {n})

    def padding(self, text: Report, n: int) -> str | None:
        """Why cited line n is there for company, if it is."""
        if not 1 <= n <= len(text):
            return f"is not in the report, which has {len(text)} lines"
        if n in self.held:
            return None
        shown = _short(text.line(n).strip())
        if n in self.covered:
            return f"begins only a date or count inside a text the record cites from a line before: {shown}"
        if n in self.details:
            others = ", ".join(map(str, sorted(self.details[n])))
            return f"begins only a time or weekday, which line {others} begins too: {shown}"
        return f"begins none of the record's values: {shown}"


class _Passages:
    """The lines a record's texts cover, from the line each begins on to the line it ends
    on: a date or a count inside one of them is cited by it (sgu-end's 2023年度末 is in its
    title, which begins two lines before)."""

    def __init__(self) -> None:
        self.spans: dict[str, set[int]] = {}  # a text -> the lines it covers where it is cited

    def add(self, text: Report, value: Value, form: str, on: set[int]) -> None:
        covered = self.spans.setdefault(value.text, set())
        for part in _parts(form):
            for n in on:
                span = text.begins_on(part, n)
                if span is not None:
                    covered.update(range(span.first, span.last + 1))

    def inside(self, n: int) -> bool:
        """Line n is covered by a text that begins on a line before it."""
        return any(n in lines and n - 1 in lines for lines in self.spans.values())

    def lines(self) -> set[int]:
        return set().union(*self.spans.values()) if self.spans else set()


def check_record(table: TomlTable, where_: str, text: Report | None = None) -> list[str]:
    """What is wrong with one record's citations, each a line naming file, record, field and line."""
    text = text or report()
    out: list[str] = []
    seen, passages = _Seen(), _Passages()
    texts = [v for v in values(table) if not v.token]
    for value in [*texts, *(v for v in values(table) if v.token)]:  # texts first: they cover the tokens
        out += _find_value(text, table, value, seen, passages, where_)
        out += _curators_but_printed(text, table, value, where_)
    for value in texts:
        out += _a_nearer_line(text, table, value, passages, where_)
    for n in table.get("lines", []):
        problem = seen.padding(text, n)
        if problem:
            out.append(f"{where_}: line {n} {problem}")
    return out


def _find_value(
    text: Report, table: TomlTable, value: Value, seen: _Seen, passages: _Passages, where_: str
) -> list[str]:
    """Where one value stands on the lines its field cites, in each language: noted in
    `seen` and, for a text, in `passages`; a required value on none, as a problem."""
    out = []
    for lang, lines in groups(text, value, cited(table, value.field)):
        within = lines if not value.token else sorted(set(lines) | _same_language(text, passages.lines(), lang))
        hit = [form for form in value.forms if found_on(text, value, form, within)]
        for form in hit:
            on = begins_on_lines(text, value, form, lines)
            if not value.token:
                passages.add(text, value, form, on)
            inside = {n for n in on if value.token and passages.inside(n)}
            seen.add(value, on - inside)
            seen.covered |= inside
        if value.required and not hit:
            out.append(_missing(text, value, lang, lines, where_))
    return out


def _same_language(text: Report, lines: set[int], lang: str) -> set[int]:
    if not lang:
        return lines
    ja = japanese_lines(text)
    return {n for n in lines if (n in ja) == (lang == "Japanese ")}


def _curators_but_printed(text: Report, table: TomlTable, value: Value, where_: str) -> list[str]:
    """A text marked the curators' that the report prints: it is the report's."""
    if table.get(f"{value.field}_basis") != "curator" or not (printed := where(text, value)):
        return []
    shown = ", ".join(map(str, printed))
    return [f"{where_}: {value.field} {_short(value.text)} is the report's words (line {shown}), not the curators'"]


NEIGHBOURS = 8  # lines apart within which two printings of a text are a choice between neighbours
UNDER_A_NAME = ("affiliation_en", "affiliation_ja", "role_en", "role_ja")  # a programme prints them under it


def _a_nearer_line(text: Report, table: TomlTable, value: Value, passages: _Passages, where_: str) -> list[str]:
    """A person's affiliation or role printed under two names a few lines apart, cited under
    the other's (Shimagami's affiliation is under her name at 610, not Kobayashi's at 602)."""
    names = [name for key in ("name_en", "name_ja") if isinstance(name := table.get(key), str)]
    if value.field not in UNDER_A_NAME or not names:
        return []
    on = {n for form in value.forms for n in begins_on_lines(text, value, form, cited(table, value.field))}
    under = set().union(*(passages.spans.get(name, set()) for name in names))  # the lines the names cover
    if not on or not under:
        return []

    def distance(n: int) -> int:
        return min(abs(n - m) for m in under)

    nearest = min(distance(n) for n in on)
    nearer = sorted(n for n in where(text, value) if n not in on and distance(n) < nearest)
    if nearest > NEIGHBOURS or not nearer:
        return []
    shown = ", ".join(map(str, sorted(on)))
    return [
        f"{where_}: {value.field} {_short(value.text)} is cited on line {shown}, but begins on line "
        f"{', '.join(map(str, nearer))} too, nearer the name"
    ]


def _missing(text: Report, value: Value, lang: str, lines: list[int], where_: str) -> str:
    elsewhere = sorted(_same_language(text, set(where(text, value)), lang))
    at = ", ".join(map(str, elsewhere[:12])) + (" …" if len(elsewhere) > 12 else "") if elsewhere else "no line"
    cited_lines = ", ".join(map(str, lines)) or "none"
    return (
        f"{where_}: {value.field} {_short(value.text)} begins on none of its cited {lang}lines "
        f"({cited_lines}); it begins on {at}"
    )


def _short(text: str, size: int = 60) -> str:
    return repr(text if len(text) <= size else text[: size - 1] + ELLIPSIS)


def is_curators(table: TomlTable) -> bool:
    """A record the curators add, which cites no line: the report does not hold it."""
    return table.get("basis") == "curator" and not table.get("lines")


def check_raws(raws: Iterable[Raw], text: Report | None = None) -> list[str]:
    """The findings for every record that cites the report."""
    text = text or report()
    out: list[str] = []
    for raw in raws:
        if "lines" in raw.table and not is_curators(raw.table):
            out += check_record(raw.table, raw.where, text)
    return out


def read_records(root: Path) -> list[Raw]:
    """Every record of the data directory as read, before it becomes a model; a file or a
    table that does not read is left to `spnet check`, which says why."""
    problems = Problems()
    raws: list[Raw] = []
    for path, layout in data_files(root, problems):
        shown = display(path, root)
        _text, doc = read_toml(path, shown)
        raws += collect(doc, layout, shown, problems)
    return raws


def check_data(root: Path) -> list[str]:
    """The findings for every record in the data directory `root`."""
    return check_raws(read_records(root))
