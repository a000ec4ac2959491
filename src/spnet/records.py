"""One record in full (`spnet show`), and search through every record (`spnet search`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from spnet.errors import UsageError
from spnet.i18n import _
from spnet.models import Archive, Bilingual, Event, PartialDate, University
from spnet.names import Names, fold, resolve
from spnet.query import Row, disputed


def _kind_of(record: Any) -> str:
    return type(record).__name__.lower()


def all_records(archive: Archive) -> Iterable[Any]:
    yield from archive.universities
    yield from archive.partners
    yield from archive.events
    yield from archive.people
    yield from archive.contacts
    yield from archive.links
    yield from archive.countries


def find_record(archive: Archive, typed: str) -> Any:
    """The record with this id, or with this name in either language (京都大学, 第3回); an
    unknown one exits 2 with close matches, as every name a user types does."""
    records = {r.id: r for r in all_records(archive)}
    if typed in records:
        return records[typed]

    def names() -> dict[str, Names]:
        out = {}
        for r in records.values():
            text = getattr(r, "name", None) or getattr(r, "title", None) or Bilingual()
            short = getattr(r, "short_names", ())
            out[r.id] = Names(tuple(n for n in (text.en, text.ja, *getattr(r, "aliases", ())) if n), tuple(short))
        return out

    return records[resolve(_("record"), typed, set(records), names)]


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A record as (field path, value) pairs, Bilingual split into _en/_ja, None left out."""
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
        if all(isinstance(v, str | int) for v in value):
            return [(prefix, ", ".join(str(v) for v in value))] if value else []
        out = []
        for i, v in enumerate(value):
            out += flatten(v, f"{prefix}[{i}]")
        return out
    if value is None or value == "":
        return []
    return [(prefix, value)]


def card(archive: Archive, record: Any) -> list[tuple[str, Any]]:
    """One record as (field, value) pairs, with what refers to it or it refers to by name:
    the people of an event, the events of a partner or a person, a university's records."""
    pairs: list[tuple[str, Any]] = [("record", _kind_of(record)), *flatten(record)]
    people = {p.id: p for p in archive.people}
    rid = record.id
    if isinstance(record, Event):  # each participant's name right after their id
        named: list[tuple[str, Any]] = []
        for key, value in pairs:
            named.append((key, value))
            if key.startswith("participants[") and key.endswith("].person"):
                name = people[value].name
                named += [
                    (f"{key[: -len('person')]}name_{lang}", n) for lang, n in (("en", name.en), ("ja", name.ja)) if n
                ]
        pairs = named
    mentioned_in = [
        e.id
        for e in archive.events
        if rid in e.partners or rid in e.universities or any(p.person == rid for p in e.participants)
    ]
    if isinstance(record, University):
        mentioned_in = [e.id for e in archive.events if e.university == rid or rid in e.universities]
        pairs.append(("partners", ", ".join(p.id for p in archive.partners if p.university == rid)))
        pairs.append(("people", ", ".join(p.id for p in archive.people if p.university == rid)))
    if mentioned_in:
        pairs.append(("events", ", ".join(mentioned_in)))
    return [(k, v) for k, v in pairs if v not in ("", None)]


def disputed_field(record: Any, path: str) -> Row:
    """Whether the field at `path` (name_en, theme_ja, ...) is one the texts disagree on."""
    stem = re.sub(r"_(en|ja)$", "", path)
    return disputed(record, (stem,)) if hasattr(record, "disagreements") else {"disputed": False}


def searchable(archive: Archive) -> Iterator[tuple[Row, str]]:
    """Every text field of every record as search shows it, with its folded text: what
    `search` looks through, and what the search index holds."""
    for record in all_records(archive):
        yield from searchable_fields(record)


def searchable_fields(record: Any) -> Iterator[tuple[Row, str]]:
    """Each text field of one record as search shows it, with its folded text."""
    name = getattr(record, "name", None) or getattr(record, "title", None) or Bilingual()
    for path, value in flatten(record):
        if isinstance(value, str):
            row = {
                "kind": _kind_of(record),
                "id": record.id,
                "name_en": name.en,
                "name_ja": name.ja,
                "field": path,
                "value": value,
                **disputed_field(record, path),
            }
            yield row, fold(value)


def search(archive: Archive, text: str) -> list[Row]:
    """Every record holding each word of `text` (folded as `fold` does), one row per field
    that holds one of them. Japanese needs no spaces: 林香里 finds 林 香里. From the
    index's full-text table when the archive came from the index; else through every
    record (the same answer: tests compare them)."""
    words = fold(text).split()
    if not words:
        raise UsageError(_("empty search text"))
    found = archive.search(words) if archive.search is not None else None
    if found is not None:
        return found
    fields: dict[str, list[tuple[Row, str]]] = {}
    for row, folded in searchable(archive):
        fields.setdefault(row["id"], []).append((row, folded))
    return [
        row
        for entries in fields.values()
        if all(any(w in folded for _row, folded in entries) for w in words)
        for row, folded in entries
        if any(w in folded for w in words)
    ]
