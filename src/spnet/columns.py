"""What each listing shows: its columns, their headers in English and Japanese (from the
glossary), and how a table treats each (a token never wrapped, the order in which
columns give way on a narrow terminal). cells.py shows their values, drawing.py lays them out."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from spnet import glossary
from spnet.models import Row


class Column(NamedTuple):
    """One output field: its key, its EN/JA headers, and which language its text is in."""

    key: str
    en: str
    ja: str
    lang: str | None = None
    # How a person reads the value in a table or Markdown; machine formats use the raw value.
    display: Callable[[Row], str] | None = None
    # False for a column a table shows another way (e.g. `tentative` as a mark on the date).
    in_table: bool = True
    # Identifiers, dates, numbers, addresses: never wrapped or cut in a table.
    token: bool = False
    # 0: always in a table; otherwise the order in which columns give way on a narrow terminal.
    give_way: int = 0
    # A table's main text (a title, a theme): other columns give way before it is this narrow.
    least: int = 16
    # False for a field shown only when --fields names it.
    default: bool = True
    # The row's key holding [start, end) ranges of this text to stress on a terminal.
    marks: str | None = None
    # The row's key holding this value in Japanese, shown in its place with --lang ja (a
    # measure of stats, and what it counts: 国・地域別の連携先, 1990年代).
    in_japanese: str | None = None
    # The row's key saying how the value is known: `curator` marks it + (the curators' words,
    # not the report's). The + stands once a cell for each such key.
    basis: str | None = None
    # The row's key that is true where this date is planned, not yet held: marked *.
    planned: str | None = None
    # The row's key that is true where the report prints a weekday for this date that is not
    # the calendar's: the date is shown without one (the calendar's would be spnet's claim).
    misprinted_weekday: str | None = None
    # True for the field a table shows as its groups' heading (stats' measure), not in_table:
    # Markdown, which has no headings, shows it as a column.
    heading: bool = False


TOKENS = {"id", "date", "since", "designated", "number", "email", "url", "report_url", "kind", "university"}
TOKENS |= {"country", "time", "date_start", "date_end", "since_start", "since_end", "designated_start"}
TOKENS |= {"designated_end"}
TOKENS |= {"type", "field", "managing", "partners", "count", "weekday_en", "weekday_ja", "disputed", "tentative"}
TOKENS |= {"members", "universities", "relations", "institution", "partners_stated", "lines", "cites"}


def _c(
    key: str,
    word: str | None = None,
    lang: str | None = None,
    display: Callable[[Row], str] | None = None,
    in_table: bool = True,
    give_way: int = 0,
    least: int = 16,
    default: bool = True,
) -> Column:
    """A column headed by the glossary's words for `word` (the key, unless named)."""
    term = glossary.FIELDS[word or key]
    en, ja = term
    if lang == "en":
        ja += glossary.ENGLISH.ja
    elif lang == "ja":
        en += glossary.JAPANESE.en
    return Column(key, en, ja, lang, display, in_table, key in TOKENS, give_way, least, default)


def _names(
    stem: str, word: str | None = None, give_way: int = 0, least: int = 16, basis: str | None = None
) -> list[Column]:
    """The English and the Japanese column of one bilingual field; `basis` is the row's key
    saying how each is known (`{key}`: each its own, title_en_basis and title_ja_basis)."""
    return [
        _c(key, word or stem, lang, give_way=give_way, least=least)._replace(basis=basis and basis.format(key=key))
        for lang, key in (("en", f"{stem}_en"), ("ja", f"{stem}_ja"))
    ]


# A title's basis: each language's title its own (the curators may have worded one).
_OWN = "{key}_basis"
# An event's date, marked * where the event is planned.
_DATE = _c("date")._replace(planned="tentative", misprinted_weekday="weekday_misprinted")

_DISPUTED = _c("disputed", in_table=False)
# Which fields a table marks `?`: after every other column (added after the first release), for
# scripts that read by position.
_DISPUTED_FIELDS = _c("disputed_fields", in_table=False)


def _days(stem: str) -> list[Column]:
    """A date's first and last day (2023-03: 2023-03-01, 2023-03-31), which sort and which a
    spreadsheet reads as dates; a table shows the date as written instead."""
    return [_c(f"{stem}_start", in_table=False), _c(f"{stem}_end", in_table=False)]


# The events' own dates, as days: added after the first release, at the end for scripts reading by position.
_EVENT_DAYS = _days("date")
# Where in the report a record stands: after the other columns, for scripts that read by position.
_CITED = [_c("lines", in_table=False), _c("cites", in_table=False)]

# The event fields every event listing carries; meetings and symposia show them elsewhere in a table.
_EVENT_KEYS = [
    _c("kind", in_table=False),
    *(c._replace(in_table=False) for c in _names("title", basis=_OWN)),
    _c("university", in_table=False),
    _c("id", give_way=1),
]


def line_label(row: Row) -> str:
    """A line of the report: 2687, or 1245–1290 for lines a table joins, or a dash for a
    value its cited lines do not hold."""
    if row.get("line") is None:
        return "—"
    last = row.get("last", row["line"])
    return f"{row['line']}–{last}" if last != row["line"] else str(row["line"])


# A line of the report: a token, never wrapped.
_LINE = _c("line", display=line_label)._replace(token=True)

COLUMNS: dict[str, list[Column]] = {
    "project": [
        _c("id"),
        *_names("title"),
        *_names("framework"),
        *_names("aim"),
        _c("managing"),
        _c("members", "member_universities"),
        *_names("membership"),
        *_names("definition"),
        *_names("forum_roles"),
        *_names("meeting_frequency"),
        *_names("meeting_agenda"),
        _c("note"),
        _c("source"),
        *_CITED,
    ],
    "universities": [
        _c("id"),
        *_names("name"),
        _c("managing", display=lambda row: "✓" if row.get("managing") else ""),
        *_names("scheme", give_way=1),
        _c("partners", "partner_count"),
        _DISPUTED,
        _c("partners_stated"),
        # Added after the first release: at the end, so that scripts reading by position still work.
        *(c._replace(in_table=False) for c in _names("concept")),
        *_CITED,
        _DISPUTED_FIELDS,
    ],
    "partners": [
        _c("id"),
        _c("university", give_way=1),
        *_names("name", least=24),
        _c("country", in_table=False)._replace(basis="country_basis"),
        *_names("country", give_way=2, basis="country_basis"),
        _c("kind", give_way=4),
        _c("since", give_way=3),
        _DISPUTED,
        _c("institution", in_table=False),
        _c("country_reason", in_table=False, default=False),
        # Added after the first release: at the end, so that scripts reading by position still work.
        _c("designated", give_way=3),
        *(c._replace(in_table=False) for c in _names("since_what")),
        *(c._replace(in_table=False) for c in _names("designated_what")),
        *_CITED,
        _DISPUTED_FIELDS,
        # Whether the country is the curators' (a table marks it +): at the end, for scripts reading by position.
        _c("country_basis", in_table=False),
        *_days("since"),
        *_days("designated"),
    ],
    "institutions": [
        _c("id", give_way=2),
        *_names("name", least=24),
        _c("country", in_table=False),
        *_names("country", give_way=1),
        _c("universities"),
        _c("members", "member_count"),
        _c("relations", in_table=False),
        _DISPUTED,  # added after the first release: at the end, for scripts reading by position
        _DISPUTED_FIELDS,
    ],
    "timeline": [
        _DATE,
        _c("tentative", in_table=False),
        _c("kind", give_way=3),
        _c("number", give_way=1),
        *_names("title", least=30, basis=_OWN),
        _c("university", give_way=2),
        _c("id"),
        _DISPUTED,
        # Added after the first release: at the end, so that scripts reading by position still work.
        _c("onward", in_table=False),
        _c("title_en_basis", "title_basis", "en", in_table=False),
        _c("title_ja_basis", "title_basis", "ja", in_table=False),
        _c("title_ja_referents", lang="ja", in_table=False),
        *_CITED,
        _DISPUTED_FIELDS,
        *_EVENT_DAYS,
    ],
    "meetings": [
        _c("number"),
        _DATE,
        _c("tentative", in_table=False),
        *_names("weekday", give_way=2),
        *_names("theme", least=30),
        *_EVENT_KEYS,
        _DISPUTED,
        _DISPUTED_FIELDS,
        *_EVENT_DAYS,
    ],
    "symposia": [
        _c("number"),
        _DATE,
        _c("tentative", in_table=False),
        _c("time"),
        *_names("theme"),
        *_names("keynotes"),
        _c("report_url"),
        *_EVENT_KEYS,
        _DISPUTED,
        _DISPUTED_FIELDS,
        *_EVENT_DAYS,
    ],
    "contacts": [
        _c("type", give_way=2),
        *_names("name", "person_name"),
        *_names("affiliation"),
        *_names("role"),
        _c("email"),
        _c("url"),
        _c("university", give_way=1),
        _c("id", give_way=3),
        _DISPUTED,
        *_CITED,
        _DISPUTED_FIELDS,
    ],
    "search": [
        _c("kind", give_way=2),
        _c("id"),
        *_names("name", give_way=3),
        _c("field", give_way=1),
        _c("value", "matched", least=30),
        _DISPUTED,
        _DISPUTED_FIELDS,
    ],
    "links": [
        _c("id"),
        _c("url"),
        *_names("about"),
        _c("cited_in"),
        _c("event"),
        *_CITED,
    ],
    "countries": [_c("id"), *_names("name"), _c("basis"), _c("reason", in_table=False, default=False), *_CITED],
    "stats": [
        _c("measure", in_table=False)._replace(in_japanese="measure_ja", heading=True),
        _c("value", "category")._replace(in_japanese="value_ja"),
        _c("count", display=lambda row: f"{'█' * min(row['count'], 40)} {row['count']}"),
        # Added after the first release: at the end, for scripts reading by position.
        _c("measure_ja", "measure", "ja", in_table=False),
        _c("value_ja", "category", "ja", in_table=False),
    ],
    "card": [_c("field"), _c("value")._replace(misprinted_weekday="weekday_misprinted")],
    # `spnet source`: the report's lines; `spnet show ID --source`: with the values each holds.
    "source": [_LINE, _c("text", least=30)],
    "evidence": [
        _LINE,
        _c("text", least=30)._replace(marks="marks"),
        _c("fields", give_way=1),
        _c("marks", in_table=False),
    ],
}
