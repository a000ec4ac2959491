"""A value as a person reads it, in a table or Markdown: in the language of --lang, a date
in --date-style, spnet's own values in the glossary's words, with the marks (? + *) it
carries; and each column's header.

What every format shares (the rows, the columns, Output) is render.py's."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from spnet import glossary
from spnet.columns import Column
from spnet.dates import fiscal_year_label, format_date
from spnet.models import Event, Row
from spnet.partialdate import PartialDate
from spnet.render import Lang, Output, plain_text, visible


def header(c: Column, lang: Lang) -> str:
    """English headers, Japanese ones with --lang ja; with both, a Japanese column's is Japanese."""
    if lang is Lang.ja or (lang is Lang.both and c.lang == "ja"):
        return c.ja
    return c.en


_VALUE_FIELDS = {"kind", "type", "basis", "country_basis", "short_names_basis", "title_en_basis", "title_ja_basis"}
_VALUE_FIELDS |= {"name_en_basis", "name_ja_basis", "record", "held"}


def value_of(c: Column, row: Row, out: Output) -> Any:
    """The field's value; with one language chosen, a text the archive has only in the
    other stands in for it (a contact known only by an English name keeps a name)."""
    value = row.get(c.key)
    if c.lang and value in (None, "") and out.lang is not Lang.both:
        value = row.get(f"{c.key[:-3]}_{'en' if c.lang == 'ja' else 'ja'}")
    if out.lang is Lang.ja and c.in_japanese:
        value = row.get(c.in_japanese, value)
    return value


def cell(c: Column, row: Row, out: Output) -> str:
    """A value as a person reads it, in the language of --lang: a date in --date-style
    (its marks, `marks_of`, go after it), a boolean as yes/no or ○/—,
    spnet's own values (kinds, bases) and the university in the glossary's words. Where
    the archive has a text in one language only, that text stands for the other."""
    value = value_of(c, row, out)
    # In `show`, a value is read by its field: a date as a date, a kind in the glossary's words.
    key = row["field"].rsplit(".", 1)[-1] if c.key == "value" and "field" in row and not out.highlight else c.key
    if c.display:
        text = c.display(row)
    elif key == "fiscal_year" and type(value) is int:
        text = fiscal_year_label(value, out.lang.value)  # FY2022 2022年度（令和4年度）
    elif key in ("date", "since", "designated", "as_of") and isinstance(value, PartialDate | str):
        text = _date(value, c, row, out)
    elif isinstance(value, bool):
        answer = glossary.YES if value else glossary.NO
        text = answer.ja if out.lang is Lang.ja or out.words_ja else answer.en
    else:
        text = _words(key, value, out)
    if refs := row.get(f"{c.key}_referents"):
        text = with_referents(text, refs.split("; ")) or text
    return visible(text, keep="\n")


def _date(value: PartialDate | str, c: Column, row: Row, out: Output) -> str:
    """A date in --date-style. No weekday where the report prints another for this date
    (the workshop's 9 September 2023 is a Saturday, printed 金): the calendar's would be
    spnet's claim, not the report's. A listing's row carries the date; `show` gives a
    record's fields as their stored text (2023-03-03, FY2019), read here."""
    date = PartialDate.parse(value) if isinstance(value, str) else value
    misprinted = c.misprinted_weekday and row.get(c.misprinted_weekday)
    text = format_date(date, out.date_style, weekday=out.weekday and not misprinted)
    if c.key == "date" and row.get("onward"):
        text = (glossary.ONWARD.ja if out.lang is Lang.ja else glossary.ONWARD.en).format(text)
    return text


def _words(key: str, value: Any, out: Output) -> str:
    """Any other value: spnet's own in the glossary's Japanese when the reader's words are
    Japanese, else as it is."""
    said = _in_japanese_words(key, value, out) if (out.lang is Lang.ja or out.words_ja) and value else None
    return said if said is not None else plain_text(value)


def _in_japanese_words(key: str, value: Any, out: Output) -> str | None:
    """spnet's own values in the glossary's Japanese (kinds, bases, field names), and the
    universities' and countries' names for their ids; None for any other value."""
    if key in ("university", "universities", "country") and out.names:
        ids = str(value)
        sep = ", " if ", " in ids and "; " not in ids else "; "  # `show` joins ids with commas
        return ("、" if sep == ", " else sep).join((out.names[u].ja if u in out.names else u) for u in ids.split(sep))
    if key == "field":
        return glossary.field_label(str(value), "ja")
    if key == "fields":  # `show --source`: the fields a line holds
        return "、".join(glossary.field_label(path, "ja") for path in str(value).split(", "))
    if key in _VALUE_FIELDS:
        term = glossary.value(str(value), key)
        return term.ja if term else str(value)
    return None


def with_referents(text: str | None, referents: Sequence[str]) -> str | None:
    """本学がボンオフィスを設置 as 本学〔早大〕がボンオフィスを設置: whom a word that stands for
    a university means, in the brackets Japanese uses for an editor's insertion, after its
    first use. `referents` are the curators' "本学=早大", "同協会=ASAIHL"."""
    if text is None:
        return None
    for pair in referents:
        word, _sep, who = pair.partition("=")
        text = text.replace(word, f"{word}〔{who}〕", 1)
    return text


_NUMBER_ONLY = re.compile(r"第\d+回")


def event_title_ja(event: Event) -> str | None:
    """An event's Japanese title as a reader needs it away from a table (a calendar, a
    picture): whom 本学 or 同協会 means, and a meeting's bare number with the report's word
    for the meetings (第01回 as 第01回連携大学会議), as the table's kind column says it."""
    title = with_referents(event.title.ja, event.title_ja_referents)
    if title and event.kind == "meeting" and _NUMBER_ONLY.fullmatch(title):
        title += glossary.REPORT_WORDS["meeting"][0]
    return title


# The marks a value can carry, in the one order every format writes them and its legend lists them.
MARK_ORDER = "?+*"


def marks_of(c: Column, row: Row) -> str:
    """The characters after a value, in MARK_ORDER: disputed (?) on any field the row's
    disputed_fields names; added by the curators (+) where the column's basis says so (a
    country, a title in the curators' words); planned (*) on a date the column's `planned`
    says is, whatever its precision. A row that is one field of a record (search) marks its value."""
    if "field" in row:
        stem = re.sub(r"_(en|ja)$", "", str(row["field"])) if c.key == "value" else None
    else:
        stem = c.key.removesuffix("_en").removesuffix("_ja")
    disputed = row.get("disputed_fields")
    marks = "?" if disputed and stem in str(disputed).split("; ") else ""
    if c.basis and row.get(c.basis) == "curator":
        marks += "+"
    if c.planned and row.get(c.planned):
        marks += "*"
    return marks


def legend(used: Collection[str], lang: Lang) -> list[tuple[str, str]]:
    """Each mark used, in MARK_ORDER, with the line that explains it in the language of --lang."""
    legend = []
    for mark in (m for m in MARK_ORDER if m in used):
        en, ja = glossary.LEGEND[mark]
        words = ja if lang is Lang.ja else en if lang is Lang.en else f"{en} / {ja}"
        legend.append((mark, f"{mark} {words}{glossary.LEGEND_HINT.get(mark, '')}"))
    return legend
