"""One builder per record kind: a checked table becomes its model (models.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from spnet.archive import bases
from spnet.archive.kinds import PIECES, covering
from spnet.archive.schema import (
    EVENT_KINDS,
    ID_PATTERN,
    PARTNER_KINDS,
    TIME_PATTERN,
    Problems,
    Raw,
    check_table,
)
from spnet.models import (
    PROJECT_ID,
    ArchiveIndex,
    Bilingual,
    Cite,
    Contact,
    Count,
    Country,
    Disagreement,
    Event,
    ForumRole,
    Link,
    Participant,
    Partner,
    Person,
    Project,
    Record,
    Source,
    TomlTable,
    University,
)
from spnet.partialdate import FIRST_DAY, LAST_DAY, DateOutOfRange, PartialDate


def _disagreements(raw: Raw, problems: Problems) -> tuple[Disagreement, ...]:
    out = []
    for i, d in enumerate(raw.table.get("disagreements", [])):
        where = f"{raw.where}: disagreements[{i}]"
        if not check_table(d, "disagreement", where, problems):
            continue
        if d["held"] not in ("ja", "en", "undecided"):
            problems.error(where, "'held' must be ja, en or undecided, not {value!r}", value=d["held"])
            continue
        if not {d["field"], f"{d['field']}_en", f"{d['field']}_ja"} & raw.table.keys():
            problems.error(where, "'field' names {field!r}, which is no field of this record", field=d["field"])
            continue
        out.append(Disagreement(d["field"], d["en"], d["ja"], d["held"], d["reason"]))
    return tuple(out)


def _date(raw: Raw, key: str, problems: Problems) -> PartialDate | None:
    value = raw.table.get(key)
    if value is None:
        return None
    try:
        return PartialDate.parse(value)
    except DateOutOfRange:
        problems.error(
            raw.where,
            "{key!r}: {date!r} is outside the dates every output of spnet holds, {first} to {last}",
            key=key,
            date=value,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
        return None
    except ValueError as exc:
        problems.error(raw.where, "{key!r}: {why}", key=key, why=str(exc))
        return None


_NO_TEXT = Bilingual()  # shared: a large archive holds one in memory, not millions


def _b(t: TomlTable, name: str) -> Bilingual:
    en, ja = t.get(f"{name}_en"), t.get(f"{name}_ja")
    return _NO_TEXT if en is None and ja is None else Bilingual(en, ja)


def _source(t: TomlTable) -> Source:
    cites = tuple(Cite(field, tuple(lines)) for field, lines in t.get("cites", {}).items())
    return Source(t["source"], tuple(t["lines"]), cites)


def _country(raw: Raw, problems: Problems) -> Country | None:
    t = raw.table
    names = {k: t.get(k) for k in ("name_en_basis", "name_en_reason", "name_ja_basis", "name_ja_reason")}
    return Country(t["id"], _b(t, "name"), t.get("note"), t["basis"], _source(t), t.get("reason"), **names)


def _university(raw: Raw, problems: Problems) -> University | None:
    t = raw.table
    return University(
        id=t["id"],
        name=_b(t, "name"),
        managing=False,  # set from project.toml once all files are read
        aliases=tuple(t.get("aliases", ())),
        short_names=tuple(t.get("short_names", ())),
        short_names_basis=t.get("short_names_basis"),
        short_names_reason=t.get("short_names_reason"),
        scheme=_b(t, "scheme"),
        concept=_b(t, "concept"),
        activities=_b(t, "activities"),
        outlook=_b(t, "outlook"),
        counts=(),
        note=t.get("note"),
        disagreements=_disagreements(raw, problems),
        source=_source(t),
    )


def _count(raw: Raw, problems: Problems) -> Count | None:
    t = raw.table
    as_of = _date(raw, "as_of", problems)
    if t.get("as_of") is not None and as_of is None:
        return None
    if t.get("qualifier") not in (None, "about", "more than"):
        problems.error(raw.where, "'qualifier' must be 'about' or 'more than', not {value!r}", value=t["qualifier"])
        return None
    return Count(
        _b(t, "what"), t["value"], t.get("qualifier"), as_of, t.get("of_partners", False), t.get("note"), _source(t)
    )


def _partner_dates(raw: Raw, problems: Problems) -> tuple[PartialDate | None, PartialDate | None] | None:
    """A partner's `since` and `designated`, or None when either is wrong. The report's
    words for what a date marks (`since_what_en`, ...) go with that date only."""
    t, dates = raw.table, []
    for key in ("since", "designated"):
        date = _date(raw, key, problems)
        if t.get(key) is not None and date is None:
            return None
        if date is None and (f"{key}_what_en" in t or f"{key}_what_ja" in t):
            problems.error(raw.where, "'{what}' goes with a date in {key!r}", what=f"{key}_what", key=key)
            return None
        dates.append(date)
    return dates[0], dates[1]


def _partner(raw: Raw, problems: Problems) -> Partner | None:
    t = raw.table
    if t["kind"] not in PARTNER_KINDS:
        problems.error(
            raw.where, "unknown partner kind {kind!r} (one of: {kinds})", kind=t["kind"], kinds=", ".join(PARTNER_KINDS)
        )
        return None
    dates = _partner_dates(raw, problems)
    if dates is None:
        return None
    since, designated = dates
    return Partner(
        id=t["id"],
        university=raw.university or "",
        name=_b(t, "name"),
        kind=t["kind"],
        relation=_b(t, "relation"),
        country=t.get("country"),
        country_basis=t.get("country_basis"),
        country_lines=tuple(t.get("country_lines", ())),
        country_reason=t.get("country_reason"),
        institution=t["institution"] if "institution" in t else t["id"],
        since=since,
        since_what=_b(t, "since_what"),
        designated=designated,
        designated_what=_b(t, "designated_what"),
        consortium=t.get("consortium"),
        members=_joined(t, "members"),
        activities=_b(t, "activities"),
        note=t.get("note"),
        disagreements=_disagreements(raw, problems),
        source=_source(t),
    )


def _event(raw: Raw, problems: Problems) -> Event | None:
    t = raw.table
    if t["kind"] not in EVENT_KINDS:
        problems.error(
            raw.where, "unknown event kind {kind!r} (one of: {kinds})", kind=t["kind"], kinds=", ".join(EVENT_KINDS)
        )
        return None
    date = _date(raw, "date", problems)
    if date is None:
        return None
    participants = []
    for i, p in enumerate(t.get("participants", [])):
        if check_table(p, "participant", f"{raw.where}: participants[{i}]", problems):
            participants.append(
                Participant(
                    p["person"], _b(p, "part"), _b(p, "talk"), p.get("time"), _b(p, "as_printed"), _b(p, "topic")
                )
            )
    return Event(
        id=t["id"],
        kind=t["kind"],
        date=date,
        tentative=t.get("tentative", False),
        onward=t.get("onward", False),
        fiscal_year=t.get("fiscal_year", date.year if date.fiscal else None),
        number=t.get("number"),
        weekday=_b(t, "weekday"),
        time=t.get("time"),
        title=_b(t, "title"),
        title_en_basis=t.get("title_en_basis"),
        title_ja_basis=t.get("title_ja_basis"),
        title_en_reason=t.get("title_en_reason"),
        title_ja_reason=t.get("title_ja_reason"),
        title_ja_referents=tuple(t.get("title_ja_referents", ())),
        theme=_b(t, "theme"),
        aim=_b(t, "aim"),
        venue=_b(t, "venue"),
        language=_b(t, "language"),
        registration=_b(t, "registration"),
        programme_ja=t.get("programme_ja"),
        university=raw.university,
        universities=tuple(t.get("universities", ())),
        partners=tuple(t.get("partners", ())),
        participants=tuple(participants),
        links=tuple(t.get("links", ())),
        note=t.get("note"),
        disagreements=_disagreements(raw, problems),
        source=_source(t),
    )


def _person(raw: Raw, problems: Problems) -> Person | None:
    t = raw.table
    return Person(
        t["id"],
        _b(t, "name"),
        t.get("title_en"),
        _b(t, "affiliation"),
        _b(t, "role"),
        t.get("university"),
        t.get("note"),
        _source(t),
    )


def _contact(raw: Raw, problems: Problems) -> Contact | None:
    t = raw.table
    return Contact(
        t["id"],
        _b(t, "name"),
        _b(t, "department"),
        _b(t, "affiliation"),
        t.get("email"),
        _b(t, "purpose"),
        t.get("university"),
        t.get("note"),
        _source(t),
    )


def _link(raw: Raw, problems: Problems) -> Link | None:
    t = raw.table
    if t["cited_in"] not in ("ja", "en", "both"):
        problems.error(raw.where, "'cited_in' must be ja, en or both, not {value!r}", value=t["cited_in"])
        return None
    return Link(t["id"], t["url"], _b(t, "about"), t["cited_in"], t.get("event"), t.get("note"), _source(t))


def _joined(t: TomlTable, name: str) -> Bilingual:
    """A pair of lists of printed items as one Bilingual, each side "; "-joined."""
    en, ja = t.get(f"{name}_en"), t.get(f"{name}_ja")
    if en is None and ja is None:
        return _NO_TEXT
    return Bilingual(None if en is None else "; ".join(en), None if ja is None else "; ".join(ja))


def _project(raw: Raw, problems: Problems) -> Project | None:
    t = raw.table
    roles = []
    for i, r in enumerate(t.get("forum_roles", [])):
        if check_table(r, "forum_role", f"{raw.where}: forum_roles[{i}]", problems):
            roles.append(ForumRole(r.get("university"), _b(r, "name"), _b(r, "role")))
    return Project(
        id=PROJECT_ID,
        title=_b(t, "title"),
        framework=_b(t, "framework"),
        aim=_b(t, "aim"),
        managing=t["managing"],
        members=tuple(t["members"]),
        membership=_b(t, "membership"),
        definition=_b(t, "definition"),
        forum_roles=tuple(roles),
        meeting_frequency=_b(t, "meeting_frequency"),
        meeting_agenda=_joined(t, "meeting_agenda"),
        note=t.get("note"),
        disagreements=_disagreements(raw, problems),
        source=_source(t),
    )


# Each kind's builder: a checked table to its record, or None with an error.
BUILDERS: Mapping[str, Callable[[Raw, Problems], Record | None]] = covering(
    {
        "country": _country,
        "university": _university,
        "count": _count,
        "partner": _partner,
        "event": _event,
        "person": _person,
        "contact": _contact,
        "link": _link,
        "project": _project,
    }
)


def build(raw: Raw, problems: Problems) -> Record | None:
    """Turn one checked table into its model, or None (with an error) when a value is bad."""
    t = raw.table
    if "institution" in t and not re.fullmatch(ID_PATTERN, t["institution"]):
        problems.error(
            raw.where, "institution {id!r} must be lower-case letters, digits and hyphens", id=t["institution"]
        )
        return None
    if "id" in t and not re.fullmatch(ID_PATTERN, t["id"]):
        problems.error(raw.where, "id {id!r} must be lower-case letters, digits and hyphens", id=t["id"])
        return None
    if not bases.form(raw, problems):
        return None
    times = [t.get("time"), *(p.get("time") for p in t.get("participants", []) if isinstance(p, dict))]
    for time in times:
        if isinstance(time, str) and not re.fullmatch(TIME_PATTERN, time):
            problems.error(raw.where, "time {time!r} must be HH:MM or HH:MM-HH:MM, from 00:00 to 23:59", time=time)
            return None
        if isinstance(time, str) and "-" in time and time[6:] <= time[:5]:
            problems.error(raw.where, "time {time!r} does not end after it begins: give the start only", time=time)
            return None
    return BUILDERS[raw.kind](raw, problems)


def archive_index(files: list[tuple[str | None, dict[str, Any]]]) -> ArchiveIndex:
    """The archive's index (what every query reads) from each file's university id and
    summary (unit.py), in the order of the files; the archive is valid."""
    summaries = [summary for _uid, summary in files]
    project: Project = next(s["project"] for s in summaries if "project" in s)
    names = {s["university"].id: s["university"] for s in summaries if "university" in s}
    partner_counts = {uid: s["partners"] for uid, s in files if uid is not None and s["partners"]}
    years = sorted({year for s in summaries for year in s["years"]})
    sizes: dict[str, int] = {}
    for s in summaries:
        for key, n in s["sizes"].items():
            sizes[key] = sizes.get(key, 0) + n
    return ArchiveIndex(
        project=project,
        countries=tuple(c for s in summaries for c in s["countries"]),
        university_names=tuple(names[uid] for uid in (project.managing, *project.members)),
        partner_counts=partner_counts,
        event_years=tuple(years),
        sizes=sizes,
        pieces=(
            "warnings",
            *(plural for plural, kind in PIECES.items() if kind.kept == "piece"),
            *(f"partners/{uid}" for uid in partner_counts),
            *(f"events/{year}" for year in years),
        ),
    )
