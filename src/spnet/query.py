"""Pure functions over an Archive: the listings and their filters (names typed by a user
are resolved by names.py); the events' are events.py's.

Each listing query returns rows: dicts keyed by the stable field names that JSON, CSV,
TSV and plain output carry (documented in README). Rendering is render.py's job.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from spnet.archive.fields import disputed
from spnet.archive.schema import PARTNER_KINDS
from spnet.collection import Archive, Keep
from spnet.dates import DateSpan
from spnet.i18n import _
from spnet.models import Bilingual, Contact, Identified, Partner, Person, Row
from spnet.names import resolve_choice, resolve_country, resolve_universities
from spnet.partialdate import PartialDate


# ------------------------------------------------------------------ helpers
def days(stem: str, date: PartialDate | None) -> Row:
    """`STEM_start` and `STEM_end`: the first and the last day a date as written can mean
    (2023-03: 2023-03-01 and 2023-03-31; FY2019: 2019-04-01 and 2020-03-31; 199X: the
    decade), as full ISO dates. They sort where the dates as written do not, and every
    spreadsheet reads them as dates; None where there is no date."""
    if date is None:
        return {f"{stem}_start": None, f"{stem}_end": None}
    return {f"{stem}_start": date.first_day().isoformat(), f"{stem}_end": date.last_day().isoformat()}


def _country_name(archive: Archive, cid: str | None) -> Bilingual:
    for c in archive.countries:
        if c.id == cid:
            return c.name
    return Bilingual()


# ------------------------------------------------------------------ listings
def project(archive: Archive) -> list[Row]:
    """The project record as one row: its own fields, its forum roles as "name: role"
    items "; "-joined in each language the report prints them, and where it comes from."""
    p = archive.project
    return [
        {
            "id": p.id,
            "title_en": p.title.en,
            "title_ja": p.title.ja,
            "framework_en": p.framework.en,
            "framework_ja": p.framework.ja,
            "aim_en": p.aim.en,
            "aim_ja": p.aim.ja,
            "managing": p.managing,
            "members": "; ".join(p.members),
            "membership_en": p.membership.en,
            "membership_ja": p.membership.ja,
            "definition_en": p.definition.en,
            "definition_ja": p.definition.ja,
            "forum_roles_en": "; ".join(f"{r.name.en}: {r.role.en}" for r in p.forum_roles if r.name.en and r.role.en)
            or None,
            "forum_roles_ja": "; ".join(f"{r.name.ja}：{r.role.ja}" for r in p.forum_roles if r.name.ja and r.role.ja)
            or None,
            "meeting_frequency_en": p.meeting_frequency.en,
            "meeting_frequency_ja": p.meeting_frequency.ja,
            "meeting_agenda_en": p.meeting_agenda.en,
            "meeting_agenda_ja": p.meeting_agenda.ja,
            "note": p.note,
            "source": p.source.section,
            **cited_lines(p),
        }
    ]


def cited_lines(record: Identified) -> Row:
    """The lines of the report a record cites, and those a field cites of its own, as `show` gives them."""
    source = record.source
    cites = "; ".join(f"{c.field}: {', '.join(str(n) for n in c.lines)}" for c in source.cites)
    return {"lines": ", ".join(str(n) for n in source.lines) or None, "cites": cites or None}


_UNIVERSITY_SHOWN = ("name", "scheme")


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
            "concept_en": u.concept.en,
            "concept_ja": u.concept.ja,
            "partners": counts.get(u.id, 0),
            # The report's own count, where it gives one (大阪大学: 14校), not the named records'.
            "partners_stated": next((c.value for c in u.counts if c.of_partners), None),
            **disputed(u, _UNIVERSITY_SHOWN),
            **cited_lines(u),
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
    designated: DateSpan | None = None,
    shared: bool = False,
) -> list[Row]:
    """Partners, filtered; each filter given several values means any of them. `since`
    keeps those whose relation began (`Partner.since`) in or after the span's start,
    `designated` those made strategic (`Partner.designated`) in or after it: a relation the
    report gives no such date for is left out. `shared` keeps the relations whose
    institution is a partner of more than one member university."""
    uids = resolve_universities(archive, universities)
    cids = {resolve_country(archive, c) for c in countries}
    wanted = {resolve_choice(_("partner kind"), k, PARTNER_KINDS) for k in kinds}
    members = archive.member_universities() if shared else {}

    def keep(values: tuple[Any, ...]) -> bool:
        """Chosen by fields of its own row, before the partner is read whole."""
        country, kind, began, made, institution = values
        if cids and country not in cids or wanted and kind not in wanted:
            return False
        if not (_from(began, since) and _from(made, designated)):
            return False
        return not (shared and len(members.get(institution, ())) < 2)

    fields = ("country", "kind", "since", "designated", "institution")
    found = _partners_of(archive, uids, (fields, keep) if cids or wanted or since or designated or shared else None)
    return [partner_row(archive, p) for p in found if keep(tuple(getattr(p, f) for f in fields))]


def _partners_of(archive: Archive, uids: Collection[str], chosen: tuple[tuple[str, ...], Keep] | None) -> list[Partner]:
    """The partners of these universities (of all, when none), in the archive's order; a
    few of many (`chosen`: Archive.chosen's fields and keep) picked by their rows alone."""
    pieces = [f"partners/{uid}" for uid in sorted(uids, key=_order(archive)) if uid in archive.index.partner_counts]
    if chosen is not None:
        return [p for piece in (pieces if uids else ["partners"]) for p in archive.chosen(piece, *chosen)]
    return [p for piece in pieces for p in archive.piece(piece)] if uids else list(archive.partners)


def _from(date: PartialDate | None, span: DateSpan | None) -> bool:
    """Whether a stored date is in or after a typed span's start (no span: any date)."""
    return span is None or date is not None and date.last_day() >= span.start


def institution_members(archive: Archive) -> dict[str, list[Partner]]:
    """Each real institution's relations, in the archive's order (managing university first)."""
    members: dict[str, list[Partner]] = {}
    for p in archive.partners:
        members.setdefault(p.institution, []).append(p)
    return members


def institutions(archive: Archive, *, shared: bool = False) -> list[Row]:
    """One row per real institution: its names, its member universities and how many."""
    rows = []
    members = archive.member_universities()
    for iid, relations in institution_members(archive).items():
        universities = members[iid]
        if shared and len(universities) < 2:
            continue
        # The fullest name the relations give (National Taiwan University (NTU) over the bare one).
        named = max(relations, key=lambda r: (len(r.name.en or ""), len(r.name.ja or "")))
        name = named.name
        country = _country_name(archive, relations[0].country)
        # Disputed where the relation a shown value comes from has the texts disagree on it.
        marks = [d["disputed_fields"] for d in (disputed(named, ("name",)), disputed(relations[0], ("country",)))]
        rows.append(
            {
                "id": iid,
                "name_en": name.en,
                "name_ja": name.ja,
                "country": relations[0].country,
                "country_en": country.en,
                "country_ja": country.ja,
                "universities": "; ".join(universities),
                "members": len(universities),
                "relations": "; ".join(r.id for r in relations),
                "disputed": any(marks),
                "disputed_fields": "; ".join(m for m in marks if m) or None,
            }
        )
    return rows


def _order(archive: Archive) -> Callable[[str], int]:
    """Sort key: universities in the archive's order (managing university, then members)."""
    position = {u.id: n for n, u in enumerate(archive.index.university_names)}
    return lambda uid: position.get(uid, len(position))


_PARTNER_SHOWN = ("name", "country", "kind", "since", "designated")


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
        "country_reason": p.country_reason,
        "kind": p.kind,
        "since": p.since,
        "designated": p.designated,
        "since_what_en": p.since_what.en,
        "since_what_ja": p.since_what.ja,
        "designated_what_en": p.designated_what.en,
        "designated_what_ja": p.designated_what.ja,
        **days("since", p.since),
        **days("designated", p.designated),
        **disputed(p, _PARTNER_SHOWN),
        **cited_lines(p),
    }


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
            "disputed_fields": None,
            **cited_lines(record),
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
            **cited_lines(lk),
        }
        for lk in archive.links
    ]


def countries(archive: Archive) -> list[Row]:
    return [
        {"id": c.id, "name_en": c.name.en, "name_ja": c.name.ja, "basis": c.basis, "reason": c.reason, **cited_lines(c)}
        for c in archive.countries
    ]
