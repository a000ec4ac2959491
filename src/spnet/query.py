"""Pure functions over an Archive: name resolution, filters and search.

Each listing query returns rows: dicts keyed by the stable field names that JSON, CSV,
TSV and plain output carry (documented in README). Rendering is render.py's job.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from spnet.archive.schema import EVENT_KINDS, PARTNER_KINDS
from spnet.dates import DateSpan
from spnet.errors import UsageError
from spnet.i18n import _, language
from spnet.models import Archive, Bilingual, Contact, Event, PartialDate, Partner, Person, University, UniversityName

Row = dict[str, Any]


# ------------------------------------------------------------------ text matching
_KATAKANA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ
# Kana, CJK ideographs and the iteration marks: a space between two of them is not a word break.
_CJK = "\u3005\u3006\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_INNER_SPACE = rf"(?<=[{_CJK}])\s+(?=[{_CJK}])"  # compiled on first use, by re's cache


@functools.cache
def _variants() -> dict[int, str]:
    """The character variants folded as one (variants.txt): 應 -> 応, 國 -> 国, 邉 -> 辺 ..."""
    table: dict[int, str] = {}
    for line in (Path(__file__).parent / "variants.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            first, *rest = line.split()
            table.update({ord(v): first for v in rest})
    return table


def fold(text: str, *, numbers: bool = True) -> str:
    """The one form text is compared in, for search and for every name a user types:
    NFKC (full-width as half-width), case-folded, katakana as hiragana, common character
    variants as one (慶應 = 慶応), no space inside Japanese text (林 香里 = 林香里), spaces
    collapsed, and numbers by value (第01回 = 第1回) unless `numbers` is False (ids, which
    are compared as typed)."""
    s = unicodedata.normalize("NFKC", text).casefold()
    if not s.isascii():
        s = re.sub(_INNER_SPACE, "", s.translate(_KATAKANA).translate(_variants()))
    if numbers and not s.isalpha():
        s = re.sub(r"\d+", lambda m: str(int(m[0])), s)
    return " ".join(s.split())


def match_pattern(find: str) -> re.Pattern[str]:
    """Where the words search folds from `find` are in a text as written: the same folding
    as a pattern (either case and width, either kana, a variant, a space inside Japanese,
    leading zeros), for the snippet and the highlight of what was found."""
    back: dict[str, set[str]] = {}
    for code, to in _variants().items():
        back.setdefault(to, set()).add(chr(code))
    words = []
    for word in fold(find).split():
        parts = []
        for token in re.findall(r"\d+|.", word):
            if token.isdigit():
                parts.append(f"0*{token}")
                continue
            alternatives = {token, token.upper()} | back.get(token, set())
            if "ぁ" <= token <= "ゖ":
                alternatives.add(chr(ord(token) + 0x60))
            alternatives |= {chr(ord(a) + 0xFEE0) for a in list(alternatives) if "!" <= a <= "~"}
            pattern = "[" + "".join(re.escape(a) for a in sorted(alternatives)) + "]"
            parts.append(rf"\s*{pattern}" if parts and re.match(f"[{_CJK}]", token) else pattern)
        words.append("".join(parts))
    return re.compile("|".join(words))


def _words(text: str) -> list[str]:
    """Folded words: split at spaces, hyphens and brackets. A Japanese name is one word."""
    return [w for w in re.split(r"[\s\-,()（）/]+", fold(text)) if w]


def _starts_words(typed: list[str], name: str) -> bool:
    """Each typed word begins a word of the name, in order, from some word on:
    "univ of tok" and "tokyo" begin words of "The University of Tokyo"; "kyo" does not."""
    words = _words(name)
    return any(
        all(w.startswith(t) for w, t in zip(words[i : i + len(typed)], typed, strict=True))
        for i in range(len(words) - len(typed) + 1)
    )


class Names(NamedTuple):
    """What one record answers to: its full names, and short names (a curator's, or a code)."""

    full: tuple[str, ...]
    short: tuple[str, ...] = ()


def _resolve(what: str, typed: str, ids: Collection[str], names: Callable[[], dict[str, Names]]) -> str:
    """Pick one of `ids` for what a user typed, or refuse (exit 2) with a few candidates.

    In order: an exact id; an exact name in either language (case-, width- and
    kana-insensitive); a known short name; the start of a name, from the start of one of
    its words ("kyoto", "Univ of Tok", "京都"). Never a piece from inside a word: "京大"
    is not a piece of "東京大学". Several matches at one step are ambiguous, never a guess.
    Names are only gathered when the typed text is not an id.
    """
    key = fold(typed)
    if not key:
        raise UsageError(_("empty {what} name").format(what=what))
    as_id = fold(typed, numbers=False)
    if as_id in ids:
        return as_id
    candidates = names()
    typed_words = _words(typed)
    steps: list[Callable[[Names], bool]] = [
        lambda n: any(fold(x) == key for x in n.full),
        lambda n: any(fold(x) == key for x in n.short),
        lambda n: any(_starts_words(typed_words, x) for x in n.full),
    ]
    for matches in steps:
        found = [cid for cid, n in candidates.items() if matches(n)]
        if len(found) == 1:
            return found[0]
        if found:
            raise UsageError(
                _("ambiguous {what} {typed!r}: it could be {some}").format(
                    what=what, typed=typed, some=_some(found, candidates)
                )
            )
    import difflib  # only an unknown name needs it

    every = {fold(x): cid for cid, n in candidates.items() for x in (cid, *n.full, *n.short)}
    close = dict.fromkeys(every[c] for c in difflib.get_close_matches(key, list(every), n=5, cutoff=0.75))
    hint = _("; did you mean {some}?").format(some=_some(list(close), candidates)) if close else ""
    raise UsageError(_("unknown {what} {typed!r}{hint}").format(what=what, typed=typed, hint=hint))


def _some(ids: Sequence[str], candidates: dict[str, Names], most: int = 5) -> str:
    """At most five candidates, each by id and a name: "kyoto (Kyoto University)", or for a
    Japanese reader "京都大学 (kyoto)"."""
    ja = language() == "ja"
    shown = []
    for cid in ids[:most]:
        full = candidates[cid].full
        name = (
            next((n for n in full if not n.isascii()), full[0] if full else None) if ja else full[0] if full else None
        )
        shown.append(cid if not name else f"{name} ({cid})" if ja else f"{cid} ({name})")
    more = _(" and {n} more").format(n=len(ids) - most) if len(ids) > most else ""
    return ", ".join(shown) + more


def _university_names(u: University | UniversityName) -> Names:
    full = [n for n in (u.name.en, u.name.ja) if n]
    return Names(tuple(full + list(u.aliases)), u.short_names)


def resolve_university(archive: Archive, typed: str) -> str:
    """`kyoto`, `Kyoto University`, `京都大学`, `京都`, `京大` -> "kyoto"."""
    heads = archive.index.university_names
    return _resolve(_("university"), typed, {u.id for u in heads}, lambda: {u.id: _university_names(u) for u in heads})


def resolve_universities(archive: Archive, typed: Iterable[str]) -> set[str]:
    """Each typed university (a repeated --university means any of them)."""
    return {resolve_university(archive, t) for t in typed}


def resolve_country(archive: Archive, typed: str) -> str:
    """`gb`, `GBR`, `UK`, `United Kingdom`, `英国`, `イギリス` -> "gb". Every ISO 3166 country
    is known, not only those of the archive: a country with no partners is an empty answer,
    not an error."""
    own = {c.id: Names(tuple(n for n in (c.name.en, c.name.ja) if n)) for c in archive.countries}

    def names() -> dict[str, Names]:
        from spnet.countries import iso_countries  # pycountry: only when a country is typed

        every = iso_countries()
        for cid, n in own.items():
            iso = every.get(cid, Names(()))
            every[cid] = Names(n.full + iso.full, iso.short)
        return every

    if fold(typed) in own:
        return fold(typed)
    return _resolve(_("country"), typed, _iso_codes(), names)


def _iso_codes() -> set[str]:
    from spnet.countries import iso_countries

    return set(iso_countries())


def resolve_choice(what: str, typed: str, choices: Sequence[str]) -> str:
    """A kind: exact, in the glossary's Japanese (会議), or the start of one (`strategic`
    -> strategic-partner, シンポ -> symposium)."""
    from spnet import glossary

    def names() -> dict[str, Names]:
        return {c: Names((c, *((t.ja,) if (t := glossary.value(c)) else ()))) for c in choices}

    return _resolve(what, typed, choices, names)


# ------------------------------------------------------------------ helpers
def _date_in(date: PartialDate, span: DateSpan | None) -> bool:
    return span is None or span.overlaps(date.first_day(), date.last_day())


def _country_name(archive: Archive, cid: str | None) -> Bilingual:
    for c in archive.countries:
        if c.id == cid:
            return c.name
    return Bilingual()


# ------------------------------------------------------------------ listings
def universities(archive: Archive) -> list[Row]:
    counts = archive.index.partner_counts
    return [
        {
            "id": u.id,
            "name_en": u.name.en,
            "name_ja": u.name.ja,
            "managing": u.managing,
            "scheme_en": u.scheme.en,
            "scheme_ja": u.scheme.ja,
            "partners": counts.get(u.id, 0),
            "disputed": False,  # a university record holds no disagreement
        }
        for u in archive.universities
    ]


def partners(
    archive: Archive,
    *,
    universities: Iterable[str] = (),
    countries: Iterable[str] = (),
    kinds: Iterable[str] = (),
    since: DateSpan | None = None,
    shared: bool = False,
) -> list[Row]:
    """Partners, filtered; each filter given several values means any of them. `since`
    keeps those whose relation began in or after the span's start; `shared`, the relations
    whose institution is a partner of more than one member university."""
    uids = resolve_universities(archive, universities)
    cids = {resolve_country(archive, c) for c in countries}
    wanted = {resolve_choice(_("partner kind"), k, PARTNER_KINDS) for k in kinds}
    members = institution_members(archive) if shared else {}
    rows = []
    chosen = [p for uid in sorted(uids, key=_order(archive)) for p in archive.partners_of(uid)]
    for p in chosen if uids else archive.partners:
        if cids and p.country not in cids or wanted and p.kind not in wanted:
            continue
        if since and (p.since is None or p.since.last_day() < since.start):
            continue
        if shared and len(members[p.institution]) < 2:
            continue
        rows.append(partner_row(archive, p))
    return rows


def institution_members(archive: Archive) -> dict[str, list[Partner]]:
    """Each real institution's relations, in the archive's order (managing university first)."""
    members: dict[str, list[Partner]] = {}
    for p in archive.partners:
        members.setdefault(p.institution, []).append(p)
    return members


def institutions(archive: Archive, *, shared: bool = False) -> list[Row]:
    """One row per real institution: its names, its member universities and how many."""
    rows = []
    for iid, relations in institution_members(archive).items():
        if shared and len(relations) < 2:
            continue
        # The fullest name the relations give (National Taiwan University (NTU) over the bare one).
        name = max((r.name for r in relations), key=lambda n: (len(n.en or ""), len(n.ja or "")))
        country = _country_name(archive, relations[0].country)
        rows.append(
            {
                "id": iid,
                "name_en": name.en,
                "name_ja": name.ja,
                "country": relations[0].country,
                "country_en": country.en,
                "country_ja": country.ja,
                "universities": "; ".join(r.university for r in relations),
                "members": len(relations),
                "relations": "; ".join(r.id for r in relations),
            }
        )
    return rows


def _order(archive: Archive) -> Callable[[str], int]:
    """Sort key: universities in the archive's order (managing university, then members)."""
    position = {u.id: n for n, u in enumerate(archive.index.university_names)}
    return lambda uid: position.get(uid, len(position))


def curated(archive: Archive) -> dict[str, int]:
    """How many values the archive's curators added (the report does not give them)."""
    sizes = archive.index.sizes  # counted when the archive was read: no piece is loaded here
    return {
        "partner countries": sizes["curated partner countries"],
        "countries": sizes["curated countries"],
        "short names": sum(len(u.short_names) for u in archive.index.university_names),
    }


def disputed(record: Partner | Event, shown: Collection[str]) -> Row:
    """`disputed`: whether the Japanese and English texts disagree on a field the listing
    shows; `_disputed`: those fields, for the table's marks (no machine format has it)."""
    fields = tuple(d.field for d in record.disagreements if d.field in shown)
    return {"disputed": bool(fields), "_disputed": fields}


_PARTNER_SHOWN = ("name", "country", "kind", "since")
_EVENT_SHOWN = ("date", "title", "kind", "number")


def partner_row(archive: Archive, p: Partner) -> Row:
    country = _country_name(archive, p.country)
    return {
        "id": p.id,
        "university": p.university,
        "institution": p.institution,
        "name_en": p.name.en,
        "name_ja": p.name.ja,
        "country": p.country,
        "country_en": country.en,
        "country_ja": country.ja,
        "country_basis": p.country_basis,
        "kind": p.kind,
        "since": p.since.iso() if p.since else None,
        **disputed(p, _PARTNER_SHOWN),
    }


def events(
    archive: Archive,
    *,
    universities: Iterable[str] = (),
    span: DateSpan | None = None,
    kinds: Iterable[str] = (),
    today: dt.date | None = None,
    upcoming: bool = False,
    past: bool = False,
) -> list[Event]:
    """Events in date order. An event is in a span when its own span of days overlaps it."""
    uids = resolve_universities(archive, universities)
    wanted = {resolve_choice(_("event kind"), k, EVENT_KINDS) for k in kinds}
    out = []
    candidates = archive.events_between(span.start.year, span.end.year) if span else archive.events
    for e in candidates:
        if uids and e.university not in uids and not uids.intersection(e.universities):
            continue
        if wanted and e.kind not in wanted:
            continue
        if not _date_in(e.date, span):
            continue
        if today is not None and upcoming and e.date.last_day() < today:
            continue
        if today is not None and past and e.date.last_day() >= today:
            continue
        out.append(e)
    return out


def event_row(e: Event, shown: Collection[str] = _EVENT_SHOWN) -> Row:
    return {
        "id": e.id,
        "date": e.date.iso(),
        "tentative": e.tentative,
        "kind": e.kind,
        "number": e.number,
        "title_en": e.title.en,
        "title_ja": e.title.ja,
        "university": e.university,
        **disputed(e, shown),
    }


def timeline(archive: Archive, **filters: Any) -> list[Row]:
    return [event_row(e) for e in events(archive, **filters)]


def meetings(archive: Archive, *, span: DateSpan | None = None) -> list[Row]:
    return [
        {
            **event_row(e, (*_EVENT_SHOWN, "weekday", "theme")),
            "weekday_en": e.weekday.en,
            "weekday_ja": e.weekday.ja,
            "theme_en": e.theme.en,
            "theme_ja": e.theme.ja,
        }
        for e in events(archive, kinds=["meeting"], span=span)
    ]


def symposia(archive: Archive, *, span: DateSpan | None = None) -> list[Row]:
    people = {p.id: p for p in archive.people}
    links = {lk.id: lk for lk in archive.links}
    rows = []
    for e in events(archive, kinds=["symposium"], span=span):
        keynotes = [people[p.person] for p in e.participants if (p.part.en or "").startswith("keynote")]
        reports = [links[i].url for i in e.links if i.endswith("-report")]
        rows.append(
            {
                **event_row(e, (*_EVENT_SHOWN, "time", "theme", "keynotes")),
                "time": e.time,
                "theme_en": e.theme.en,
                "theme_ja": e.theme.ja,
                "keynotes_en": "; ".join(p.name.en or p.name.ja or "" for p in keynotes),
                "keynotes_ja": "; ".join(p.name.ja or p.name.en or "" for p in keynotes),
                "report_url": reports[0] if reports else None,
            }
        )
    return rows


def contacts(archive: Archive, *, universities: Iterable[str] = ()) -> list[Row]:
    """The contact points, then every named person, for the universities named or all."""
    uids = resolve_universities(archive, universities)

    def row(record: Contact | Person, kind: str, affiliation: Bilingual, role: Bilingual, email: str | None) -> Row:
        return {
            "id": record.id,
            "type": kind,
            "name_en": record.name.en,
            "name_ja": record.name.ja,
            "affiliation_en": affiliation.en,
            "affiliation_ja": affiliation.ja,
            "role_en": role.en,
            "role_ja": role.ja,
            "email": email,
            "url": None,  # the report gives no address for a contact or a person
            "university": record.university,
            "disputed": False,  # nor does a contact or a person
        }

    rows = [
        row(
            c,
            "contact",
            Bilingual(
                ", ".join(x for x in (c.department.en, c.affiliation.en) if x) or None,
                " ".join(x for x in (c.affiliation.ja, c.department.ja) if x) or None,
            ),
            c.purpose,
            c.email,
        )
        for c in archive.contacts
        if not uids or c.university in uids
    ]
    rows += [
        row(
            p,
            "person",
            p.affiliation,
            Bilingual(", ".join(x for x in (p.title_en, p.role.en) if x) or None, p.role.ja),
            None,
        )
        for p in archive.people
        if not uids or p.university in uids
    ]
    return rows


def links(archive: Archive) -> list[Row]:
    return [
        {
            "id": lk.id,
            "url": lk.url,
            "about_en": lk.about.en,
            "about_ja": lk.about.ja,
            "cited_in": lk.cited_in,
            "event": lk.event,
        }
        for lk in archive.links
    ]


def countries(archive: Archive) -> list[Row]:
    return [{"id": c.id, "name_en": c.name.en, "name_ja": c.name.ja, "basis": c.basis} for c in archive.countries]


def stats(archive: Archive, *, fiscal: bool = False) -> list[Row]:
    """Counts: partners by country, kind and decade begun; events by year, or by 年度 with
    `fiscal`. Unknown stays unknown. Each row also carries its measure and value in the
    glossary's Japanese (`_measure_ja`, `_value_ja`), which no machine format writes."""
    from spnet import glossary
    from spnet.dates import fiscal_year_label, fiscal_year_of, format_date

    rows: list[Row] = []
    unknown = glossary.NOT_STATED.en
    names = {c.id: c.name for c in archive.countries}
    ja_of: dict[str, str] = {unknown: glossary.NOT_STATED.ja}

    def add(measure: str, counts: dict[str, int]) -> None:
        rows.extend(
            {
                "measure": measure,
                "value": k,
                "count": n,
                "_measure_ja": glossary.MEASURES[measure].ja,
                "_value_ja": ja_of.get(k, k),
            }
            for k, n in counts.items()
        )

    def tally(keys: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for k in keys:
            out[k] = out.get(k, 0) + 1
        return out

    def by_count(counts: dict[str, int]) -> dict[str, int]:
        return dict(sorted(counts.items(), key=lambda kv: (kv[0] == unknown, -kv[1], kv[0])))

    def country(cid: str) -> str:
        name = names[cid]
        ja_of[name.en or cid] = name.ja or name.en or cid
        return name.en or cid

    # The report's countries apart from those the curators added: nothing curated passes
    # for the report's.
    stated = [country(p.country) for p in archive.partners if p.country and p.country_basis != "curator"]
    curated = [country(p.country) for p in archive.partners if p.country and p.country_basis == "curator"]
    by_country = tally(stated)
    by_country[unknown] = len(archive.partners) - len(stated)
    add("partners by country", by_count(by_country))
    add("partners by country, the curators' additions", by_count(tally(curated)))
    ja_of.update({k: t.ja for k, t in glossary.VALUES.items()})
    add("partners by kind", dict(sorted(tally(p.kind for p in archive.partners).items(), key=lambda kv: -kv[1])))
    members = institution_members(archive)
    ja_of.update({k: t.ja for k, t in glossary.MEASURES.items()})
    add("institutions", {"all": len(members), "partner of two or more": sum(len(r) > 1 for r in members.values())})
    decades = tally(f"{p.since.year // 10 * 10}s" if p.since else unknown for p in archive.partners)
    ja_of.update({d: glossary.DECADE.ja.format(d[:-1]) for d in decades if d != unknown})
    add("partners by decade begun", dict(sorted(decades.items())))
    if fiscal:
        # An event known only to its year or decade cannot be put in one 年度: it is counted
        # under that year or decade, as it was given.
        keys = []
        for e in archive.events:
            fy = fiscal_year_of(e.date.iso())
            key = fiscal_year_label(fy, "en") if fy is not None else e.date.display()
            ja_of[key] = fiscal_year_label(fy, "ja") if fy is not None else format_date(e.date.iso(), "ja")
            keys.append(key)
        add("events by fiscal year", dict(sorted(tally(keys).items())))
    else:
        years = tally(e.date.display() if e.date.decade else str(e.date.year) for e in archive.events)
        ja_of.update({y: format_date(y.replace("0s", "X") if y.endswith("0s") else y, "ja") for y in years})
        add("events by year", dict(sorted(years.items())))
    return rows
