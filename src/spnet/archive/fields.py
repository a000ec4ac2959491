"""The text fields of a record as search shows and compares them: what the search index
(search_rows.py) is built from, and what `search` looks through without it."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

from spnet.archive.kinds import kind_of
from spnet.models import Bilingual, Cite, Disputable, Event, Field, Identified, Person, Row
from spnet.names import fold_once, has_japanese
from spnet.partialdate import PartialDate


def called(record: Identified) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What an event is called beyond its fields, as full names and short ones: a numbered
    event by its number and the report's word for its kind (第3回連携大学会議, 第3回会議),
    and by its number alone (第3回) or its kind's words (ワークショップ, アンケート), which
    other records may share."""
    if not isinstance(record, Event):
        return (), ()
    return called_event(record.kind, record.number)


def called_event(kind: str, number: int | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What an event of this kind and number is called (called)."""
    from spnet import glossary

    term = glossary.value(kind)
    words = tuple(dict.fromkeys(glossary.REPORT_WORDS.get(kind, ()) + ((term.ja,) if term else ())))
    japanese = [w for w in words if has_japanese(w)]
    if number is None:
        return (), words
    full = tuple(f"第{number}回{w}" for w in japanese)
    return full, (f"第{number}回", *words)


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A record as (field path, value) pairs, Bilingual split into _en/_ja, None left out."""
    if type(value) in _PLAIN:  # most values, at once: text_fields is a sixth quicker for it
        return [(prefix, value)] if value is not None and value != "" else []
    if isinstance(value, PartialDate):
        return [(prefix, value.iso())]
    if isinstance(value, Bilingual):
        return [(f"{prefix}_{lang}", v) for lang, v in (("en", value.en), ("ja", value.ja)) if v is not None]
    if hasattr(type(value), "_fields"):  # a record (a named tuple)
        out: list[tuple[str, Any]] = []
        for name, item in zip(value._fields, value, strict=True):
            out += flatten(item, f"{prefix}.{name}" if prefix else name)
        return out
    if isinstance(value, tuple):
        return _flatten_tuple(value, prefix)
    if value is None or value == "":
        return []
    return [(prefix, value)]


def _flatten_tuple(value: tuple[Any, ...], prefix: str) -> list[tuple[str, Any]]:
    """A record's list: its cites by field, numbers and ids joined, its tables item by item."""
    if value and all(isinstance(v, Cite) for v in value):  # source.cites.activities_ja: 2776
        return [(f"{prefix}.{c.field}", ", ".join(str(n) for n in c.lines)) for c in value]
    if all(isinstance(v, str | int) for v in value):
        return [(prefix, ", ".join(str(v) for v in value))] if value else []
    out = []
    for i, v in enumerate(value):
        out += flatten(v, f"{prefix}[{i}]")
    return out


_PLAIN = frozenset({str, int, bool, type(None)})


def disputed(record: Disputable, shown: Collection[str]) -> Row:
    """`disputed`: whether the Japanese and English texts disagree on a field the listing
    shows; `disputed_fields`: those fields, `; `-joined (a table marks each `?`)."""
    fields = dict.fromkeys(d.field for d in record.disagreements if d.field in shown)
    return {"disputed": bool(fields), "disputed_fields": "; ".join(fields) or None}


def disputed_field(record: Identified, path: str) -> Row:
    """Whether the field at `path` (name_en, theme_ja, ...) is one the texts disagree on."""
    stem = re.sub(r"_(en|ja)$", "", path)
    if not isinstance(record, Disputable):  # a contact, a person, a link: the report has no two readings
        return {"disputed": False, "disputed_fields": None}
    return disputed(record, (stem,))


class Compared(NamedTuple):
    """How search compares one text field (Field)."""

    folded: str
    words: str
    readings: str


def text_fields(record: Identified) -> list[tuple[str, str]]:
    """Each text field of one record as (path, value): every field search reads, and each
    full name of a numbered event (第3回連携大学会議, 第3回会議), as `show` takes them."""
    full, _short = called(record)
    return [(path, v) for path, v in [*flatten(record), *(("called", n) for n in full)] if isinstance(v, str)]


def searchable_fields(record: Identified) -> list[Field]:
    """Each text field of one record as search shows and compares it."""
    fields = text_fields(record)
    return _shown(record, fields, _compared(record, fields), lambda _compared: True)


def compared_forms(record: Identified) -> list[Compared]:
    """How search compares each text field of one record (text_fields), without how it
    shows them: what the search index stores of a record."""
    return _compared(record, text_fields(record))


def stored_fields(record: Identified, compared: list[Compared], keep: Callable[[Compared], bool]) -> list[Field]:
    """The text fields of one record that `keep` takes by how search compares them, as
    the search index stored that (compared_forms: one for each field, else ValueError),
    with what search shows of them."""
    return _shown(record, text_fields(record), compared, keep)


def _compared(record: Identified, fields: list[tuple[str, str]]) -> list[Compared]:
    from spnet.analysis import joined, romaji_reading, stored

    name = _name(record)
    # A person's reading as the report gives it, in romaji (Akiyoshi Yonezawa: よねざわ
    # あきよし, where the analyser reads 彰純 as あきら じゅん), in place of the analyser's.
    given = romaji_reading(name.en) if isinstance(record, Person) and name.en else None
    report_reading = joined(given) if given else ""
    out = []
    for path, value in fields:
        words, readings = stored(value) if has_japanese(value) else ("", "")
        if path == "name_ja" and report_reading:  # the report's reading, not a guess
            readings = report_reading
        out.append(Compared(fold_once(value), words, readings))
    return out


def _shown(
    record: Identified, fields: list[tuple[str, str]], compared: list[Compared], keep: Callable[[Compared], bool]
) -> list[Field]:
    if len(fields) != len(compared):
        raise ValueError(f"the search index holds {len(compared)} fields of {record.id!r}, not {len(fields)}")
    return [
        Field(record.id, shown_row(record, path, value), *c)
        for (path, value), c in zip(fields, compared, strict=True)
        if keep(c)
    ]


def shown_row(record: Identified, path: str, value: str) -> Row:
    """One text field of a record as search shows it."""
    name = _name(record)
    return {
        "kind": kind_of(record),
        "id": record.id,
        "name_en": name.en,
        "name_ja": name.ja,
        "field": path,
        "value": value,
        **disputed_field(record, path),
    }


def _name(record: Identified) -> Bilingual:
    return getattr(record, "name", None) or getattr(record, "title", None) or Bilingual()
