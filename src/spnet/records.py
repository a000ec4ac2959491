"""One record in full (`spnet show`), and search through every record (`spnet search`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from spnet.archive.fields import called_event, flatten, searchable_fields
from spnet.archive.kinds import RECORDS, Kind, kind_of, records_of
from spnet.collection import Archive
from spnet.errors import UsageError
from spnet.i18n import _
from spnet.models import Bilingual, Event, Field, Identified, Person, Row, University, UniversityName
from spnet.names import (
    Names,
    fold,
    has_japanese,
    is_informal,
    is_kana,
    match_pattern,
    resolve,
    resolve_university,
    short_forms,
    without_nakaguro,
)

_ORDINAL = re.compile(r"第\d+回")


def all_records(archive: Archive) -> Iterable[Identified]:
    """Every record, kind by kind in the archive's order (kinds.RECORDS); the project's id is
    "project": `spnet show project`."""
    for kind in RECORDS:
        yield from records_of(archive, kind)


def find_record(archive: Archive, typed: str) -> Identified:
    """The record with this id, or with this name in either language (京都大学, 第3回); an
    unknown one exits 2 with close matches, as every name a user types does. An id is
    looked up alone; a name, among every record's names, read without the records."""
    found = archive.record(typed)
    if found is not None:
        return found
    names = record_names(archive)
    rid = resolve(_("record"), typed, set(names), lambda: names)
    # An id the index could not find alone (a spoiled index): among every record.
    return archive.record(rid) or next(r for r in all_records(archive) if r.id == rid)


def record_names(archive: Archive) -> dict[str, Names]:
    """What each record answers to, by id, in the archive's order (all_records): its name
    or title in either language, a university's other names and short ones, what an event
    is called (fields.called)."""
    out: dict[str, Names] = {}
    for kind in RECORDS:
        for rid, text, aliases, short_names, calls in _naming_fields(archive, kind):
            given = [n for n in (text.en, text.ja, *aliases) if n]
            full, short = calls or ((), ())
            # A bare ordinal (the meetings' 第02回) names a record only within its series;
            # text in ASCII letters folds to ASCII, never to one: not folded to see that.
            ordinals = [n for n in given if not n.isascii() and _ORDINAL.fullmatch(fold(n))]
            out[rid] = Names(tuple(n for n in given if n not in ordinals) + full, (*short_names, *ordinals, *short))
    _share_short_names(archive, out)
    return out


def _share_short_names(archive: Archive, out: dict[str, Names]) -> None:
    """Relations with one institution answer to the short names any of them gives it: NTU is
    Kyoto's partner as well as Kyushu's, though only Kyushu's record writes "(NTU)"."""
    institutions: dict[str, list[str]] = {}
    for rid, institution in archive.fields("partners", ("id", "institution")):
        institutions.setdefault(institution, []).append(rid)
    for relations in institutions.values():
        shared = tuple(s for rid in relations for name in out[rid].full for s in short_forms(name))
        for rid in relations:
            out[rid] = out[rid]._replace(short=tuple(dict.fromkeys((*out[rid].short, *shared))))


class _Naming(NamedTuple):
    """What a record answers to (record_names)."""

    id: str
    name: Bilingual  # its name or title
    aliases: tuple[str, ...]
    short_names: tuple[str, ...]
    calls: tuple[tuple[str, ...], tuple[str, ...]] | None  # what an event is called (fields.called)


def _naming_fields(archive: Archive, kind: Kind) -> list[_Naming]:
    """What each record of a kind answers to: universities, countries and the project from
    the archive's index, the other kinds from the fields that name them, read without the
    records."""
    project = archive.project
    if kind.name == "project":
        return [_Naming(project.id, project.title, (), (), None)]
    if kind.name == "university":
        universities = {u.id: u for u in archive.index.university_names}
        heads = [universities[uid] for uid in (project.managing, *project.members)]
        return [_Naming(u.id, u.name, u.aliases, u.short_names, None) for u in heads]
    if kind.name == "country":
        return [_Naming(c.id, c.name, (), (), None) for c in archive.countries]
    named = [f for f in ("name", "title") if f in kind.model._fields]  # a link has neither
    event = issubclass(kind.model, Event)
    asked = ("id", *named, *(("kind", "number") if event else ()))
    return [
        _Naming(v[0], v[1] if named else Bilingual(), (), (), called_event(*v[-2:]) if event else None)
        for v in archive.fields(kind.plural, asked)
    ]


def card(archive: Archive, record: Identified) -> list[tuple[str, Any]]:
    """One record as (field, value) pairs, with what refers to it or it refers to by name:
    the people of an event, the events of a partner or a person, a university's records."""
    pairs: list[tuple[str, Any]] = [("record", kind_of(record)), *flatten(record)]
    rid = record.id
    if isinstance(record, Event):  # each participant's name right after their id
        named: list[tuple[str, Any]] = []
        for key, value in pairs:
            named.append((key, value))
            if key.startswith("participants[") and key.endswith("].person"):
                # Looked up alone; among every person when that finds none, as a spoiled index may.
                found = archive.record(value)
                same = (p for p in archive.people if p.id == value)
                person = found if isinstance(found, Person) else next(same, None)
                name = person.name if person is not None else Bilingual()  # a valid archive names no one unknown
                named += [
                    (f"{key[: -len('person')]}name_{lang}", n) for lang, n in (("en", name.en), ("ja", name.ja)) if n
                ]
        pairs = named
    # A partner's or a person's events, or a university's (named by it, or its file's):
    # ids are the archive's one each, so no event names a university as a partner.
    mentioned_in = [e.id for e in archive.events_naming(rid)]
    if isinstance(record, University):
        pairs.append(("partners", ", ".join(p.id for p in archive.partners_of(rid))))
        people = archive.chosen("people", ("university",), lambda values: values[0] == rid)
        pairs.append(("people", ", ".join(p.id for p in people)))
    if mentioned_in:
        pairs.append(("events", ", ".join(mentioned_in)))
    return [(k, v) for k, v in pairs if v not in ("", None)]


_NAME_FIELDS = {"name_en", "name_ja", "title_en", "title_ja", "aliases", "short_names", "called"}


class Typed(NamedTuple):
    """One word typed to search for, and the forms that find it, each (how, what): "text"
    (a piece of the folded text: English, numbers), "words" (a run of whole Japanese words:
    京大 is not in 東京大学), "kana" (a reading: はやし). A university's short name or alias
    brings the university's every name (京大 -> 京都大学, Kyoto University)."""

    word: str
    forms: tuple[tuple[str, str], ...]
    shown: tuple[str, ...]  # what to highlight: the word, or the names an abbreviation stands for
    alone: tuple[str, ...]  # an abbreviation, highlighted only as a word of its own


class Found(NamedTuple):
    rows: list[Row]
    highlight: re.Pattern[str]


def searchable(archive: Archive) -> Iterator[Field]:
    """Every text field of every record as search shows and compares it: what `search`
    looks through, and what the search index holds how it compares."""
    for record in all_records(archive):
        yield from searchable_fields(record)


def typed_words(archive: Archive, text: str) -> list[Typed]:
    """The words of `text` (split at any space, ideographic too), each with its forms."""
    universities = {
        fold(n): u
        for u in archive.index.university_names
        for n in (u.name.en, u.name.ja, *u.aliases, *u.short_names)
        if n
    }
    # Half-width kana (ｷｮｳﾄ) as the analyser knows them; a zero-width, bidi or control
    # character typed or pasted in is no part of a word.
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isspace() or ch.isprintable())
    out = []
    for word in text.split():
        key = fold(word)
        if not key:
            continue
        typed = _typed(word, key, universities.get(key) or _university_meant(archive, word, key))
        if typed.forms:  # punctuation alone is no word
            out.append(typed)
    return out


def _typed(word: str, key: str, university: UniversityName | None) -> Typed:
    """A word with its forms: a university's word (its name, an informal name, a short
    name) brings the university's other names; a short name is shown as those names."""
    every = [word]
    if university is not None:
        u = university
        every += [n for n in (u.name.ja, u.name.en, *u.aliases, *u.short_names) if n and fold(n) != key]
    if (stored := _stored_date(word)) is not None and fold(stored) != key:
        every.append(stored)
    if (plain := without_nakaguro(word)) != word:  # ガジャ・マダ: the analyser reads ガジャマダ otherwise
        every.append(plain)
    short = university is not None and key in {fold(n) for n in university.short_names}
    forms = tuple(dict.fromkeys(f for name in every for f in _forms(name) if f[1].strip()))
    return Typed(word, forms, tuple(every[1:] if short else every), (word,) if short else ())


# A word search also reads as a date: a number or 元 in Japanese text, or a whole date with
# its separators (R5.3.3, 2023/3/3).
_DATE_TYPED = re.compile(r"(?=.*[0-9元])(?=.*[^\x00-\x7f])|\d[-/.]\d+[-/.]\d")


def _stored_date(word: str) -> str | None:
    """A date typed as a table shows it or a person writes it (2023年12月19日（火）, 令和元年度,
    2023/3/3, H31.4.30) as the archive keeps it in a record's date, where search finds it
    (2023-12-19, FY2019); else None. Only a date in Japanese or a whole date with its
    separators: H2 or H2. may be hydrogen, R5 a room, and FY2019 is already the kept form."""
    from spnet.dates import to_partial_date

    if not _DATE_TYPED.search(unicodedata.normalize("NFKC", word)):
        return None
    try:
        return to_partial_date(word)
    except UsageError:
        return None


def _university_meant(archive: Archive, word: str, key: str) -> UniversityName | None:
    """The one university a word that is none of its names still means: an informal name
    (慶應大学), or the beginning of its Japanese name (京都, 九州, 早稲田: as -u reads them)."""
    informal = {u.id: u for u in archive.index.university_names if is_informal(key, u.name.ja or "")}
    if len(informal) == 1:
        return next(iter(informal.values()))
    if has_japanese(word) and len(key) > 1:
        return _university_begun(archive, word)
    return None


def _forms(name: str) -> list[tuple[str, str]]:
    """How search looks for one name: Japanese by its words, and by its reading when it is
    all kana; anything else by its folded text."""
    from spnet.analysis import analyse, joined, reading_fold

    if not has_japanese(name):
        return [("text", fold(name))]
    forms = [("words", joined(analyse(name)[0]))]
    if is_kana(fold(name)):
        forms.append(("kana", reading_fold(fold(name))))
    return forms


def _university_begun(archive: Archive, word: str) -> UniversityName | None:
    """The one university whose name begins with `word` at a word (京都 -> 京都大学), as
    --university reads it, so that 京都 finds what 京都大学 and Kyoto find; else None."""
    try:
        uid = resolve_university(archive, word)
    except UsageError:
        return None
    return next(u for u in archive.index.university_names if u.id == uid)


def _ranked(entries: list[Field], typed: list[Typed]) -> tuple[int, list[Row]] | None:
    """A record's fields that hold a word, as rows, and its rank (lower first), when its
    fields hold every word; else None."""

    def holds(f: Field, t: Typed) -> bool:
        return any(_holds(f, how, what) for how, what in t.forms)

    if not all(any(holds(f, t) for f in entries) for t in typed):
        return None
    holding = [f for f in entries if any(holds(f, t) for t in typed)]
    rank = max(_rank(f.row, f, typed) for f in holding)
    # What an event is called (第3回連携大学会議, 第3回会議) is one field to a reader: the
    # first of its names that holds a word is shown.
    called = next((f for f in holding if f.row["field"] == "called"), None)
    return -rank, [f.row for f in holding if f.row["field"] != "called" or f is called]


def _holds(field: Field, how: str, what: str) -> bool:
    from spnet.analysis import reads_as

    if how == "text":
        return what in field.folded
    if how == "words":
        return what in field.words
    return reads_as(what, field.readings)


def _rank(row: Row, field: Field, typed: list[Typed]) -> int:
    """How well a field holding a word holds the words: 3 a name that is all of one of
    them, 2 a name holding one, 1 any other field."""
    held = [(how, what) for t in typed for how, what in t.forms if _holds(field, how, what)]
    if row["field"].rsplit(".", 1)[-1] not in _NAME_FIELDS:
        return 1
    whole = any(what == (field.folded if how == "text" else field.words) for how, what in held if how != "kana")
    return 3 if whole else 2


def search(archive: Archive, text: str | Iterable[str]) -> Found:
    """Every record holding each typed word (words are split at any space), best first:
    a record named by a word, then one whose name holds one, then the others, each group
    in the archive's order; one row per field holding a word. English and numbers are
    found as pieces of the folded text; Japanese as runs of whole words (SudachiPy), in
    their normalised form (チューリヒ = チューリッヒ), or by their reading (はやし finds 林).
    From the search index when the archive came from the index; else through every record
    (the same answer: tests compare them)."""
    typed = typed_words(archive, text if isinstance(text, str) else " ".join(text))
    if not typed:
        raise UsageError(_("empty search text"))
    forms = [list(t.forms) for t in typed]
    stored = archive.search(forms) if archive.search is not None else None
    by_record: dict[str, list[Field]] = {}
    for field in stored if stored is not None else searchable(archive):
        by_record.setdefault(field.id, []).append(field)
    ranked = [found for entries in by_record.values() if (found := _ranked(entries, typed)) is not None]
    ranked.sort(key=lambda pair: pair[0])  # stable: the archive's order within a rank
    highlight = match_pattern(
        list(dict.fromkeys(s for t in typed for s in t.shown)), alone=[w for t in typed for w in t.alone]
    )
    return Found([row for _rank_, rows in ranked for row in rows], highlight)
