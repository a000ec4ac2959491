"""The one loader: data/*.toml -> validated Archive. Also the canonical-form check.

Layout of a data directory:
    project.toml            [project], [[events]], [[people]], [[contacts]], [[links]]
    countries.toml          [[countries]]
    universities/<id>.toml  [university], [[counts]], [[partners]], [[events]]

Problems are collected, not raised one by one, so that `spnet check` can list them all;
`load_archive` raises the first error as a DataError (exit code 3).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from spnet.errors import DataError, UsageError
from spnet.fsutil import write_atomically
from spnet.gcpause import gc_paused

try:  # Reading the cache needs only the C unpickler; `import pickle` would also load its
    # pure-Python twin, ~2.5 ms at every start. Writing imports pickle.
    from _pickle import UnpicklingError
    from _pickle import loads as _loads
except ImportError:  # pragma: no cover - an interpreter without the C module
    from pickle import UnpicklingError
    from pickle import loads as _loads
from spnet.models import (
    Archive,
    ArchiveIndex,
    Bilingual,
    Contact,
    Count,
    Country,
    Disagreement,
    Event,
    Link,
    PartialDate,
    Participant,
    Partner,
    Person,
    Project,
    Source,
    University,
    UniversityName,
)

DATA_ENV = "SPNET_DATA"

EVENT_KINDS = ("survey", "symposium", "workshop", "meeting", "milestone")
PARTNER_KINDS = (
    "strategic-partner",
    "consortium",
    "consortium-member",
    "joint-fund-partner",
    "research-partner",
    "exchange-partner",
    "office-host",
    "framework",
)
COUNTRY_BASES = ("stated", "implied", "name", "curator")

# ------------------------------------------------------------------ schema
# Each key of a record: (type name, required). Types are checked by _TYPE_CHECKS.
STR, INT, BOOL, NUM, STRS, INTS, DATE, TABLES = (
    "string",
    "integer",
    "boolean",
    "number",
    "list of strings",
    "list of integers",
    "date string",
    "list of tables",
)

_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    STR: lambda v: isinstance(v, str),
    INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
    BOOL: lambda v: isinstance(v, bool),
    NUM: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    STRS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    INTS: lambda v: isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v),
    DATE: lambda v: isinstance(v, str),
    TABLES: lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
}


def _bi(*names: str, required: bool = False) -> dict[str, tuple[str, bool]]:
    spec: dict[str, tuple[str, bool]] = {}
    for n in names:
        spec[f"{n}_en"] = (STR, required)
        spec[f"{n}_ja"] = (STR, required)
    return spec


_SOURCE = {"source": (STR, True), "lines": (INTS, True)}
_DISAGREEMENTS = {"disagreements": (TABLES, False)}

SPEC: dict[str, dict[str, tuple[str, bool]]] = {
    "project": {
        **_bi("title", "framework", "definition"),
        "managing": (STR, True),
        "members": (STRS, True),
        "note": (STR, False),
        **_SOURCE,
    },
    "country": {"id": (STR, True), **_bi("name"), "note": (STR, False), "basis": (STR, False), **_SOURCE},
    "university": {
        "id": (STR, True),
        **_bi("name", required=True),
        "aliases": (STRS, False),
        "short_names": (STRS, False),
        "short_names_basis": (STR, False),
        **_bi("scheme", "activities", "outlook"),
        "note": (STR, False),
        **_DISAGREEMENTS,
        **_SOURCE,
    },
    "count": {
        **_bi("what"),
        "value": (NUM, True),
        "qualifier": (STR, False),
        "as_of": (DATE, False),
        "note": (STR, False),
        **_SOURCE,
    },
    "partner": {
        "id": (STR, True),
        "institution": (STR, False),
        **_bi("name"),
        "kind": (STR, True),
        **_bi("relation"),
        "country": (STR, False),
        "country_basis": (STR, False),
        "since": (DATE, False),
        "consortium": (STR, False),
        "members_en": (STRS, False),
        "members_ja": (STRS, False),
        **_bi("activities"),
        "note": (STR, False),
        **_DISAGREEMENTS,
        **_SOURCE,
    },
    "event": {
        "id": (STR, True),
        "kind": (STR, True),
        "number": (INT, False),
        "date": (DATE, True),
        "tentative": (BOOL, False),
        "fiscal_year": (INT, False),
        **_bi("weekday"),
        "time": (STR, False),
        **_bi("title", "theme", "venue", "language"),
        "programme_ja": (STR, False),
        "universities": (STRS, False),
        "partners": (STRS, False),
        "participants": (TABLES, False),
        "links": (STRS, False),
        "note": (STR, False),
        **_DISAGREEMENTS,
        **_SOURCE,
    },
    "participant": {
        "person": (STR, True),
        **_bi("part", "talk", "as_printed"),
        "time": (STR, False),
    },
    "disagreement": {
        "field": (STR, True),
        "en": (STR, True),
        "ja": (STR, True),
        "held": (STR, True),
        "reason": (STR, True),
    },
    "person": {
        "id": (STR, True),
        **_bi("name", "affiliation", "role"),
        "title_en": (STR, False),
        "university": (STR, False),
        "note": (STR, False),
        **_SOURCE,
    },
    "contact": {
        "id": (STR, True),
        **_bi("name", "department", "affiliation", "purpose"),
        "email": (STR, False),
        "university": (STR, False),
        "note": (STR, False),
        **_SOURCE,
    },
    "link": {
        "id": (STR, True),
        "url": (STR, True),
        **_bi("about"),
        "cited_in": (STR, True),
        "event": (STR, False),
        "note": (STR, False),
        **_SOURCE,
    },
}

# The tables each file may hold: key -> (record kind, array of tables?, required?)
_PROJECT_FILE = {
    "project": ("project", False, True),
    "events": ("event", True, False),
    "people": ("person", True, False),
    "contacts": ("contact", True, False),
    "links": ("link", True, False),
}
_COUNTRIES_FILE = {"countries": ("country", True, True)}
_UNIVERSITY_FILE = {
    "university": ("university", False, True),
    "counts": ("count", True, False),
    "partners": ("partner", True, False),
    "events": ("event", True, False),
}

# Patterns are compiled on first use (re caches them): a query from the cache uses none.
_ID = r"[a-z0-9][a-z0-9-]*"  # the whole id (fullmatch: a trailing newline is not one)
_TIME = r"\d\d:\d\d(-\d\d:\d\d)?"  # 17:30 or 17:30-20:00, Japan time
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")


# ------------------------------------------------------------------ problems
class Problems:
    """Errors and warnings found while loading, each one line naming its file."""

    def __init__(self, errors: list[str] | None = None, warnings: list[str] | None = None) -> None:
        self.errors: list[str] = errors if errors is not None else []
        self.warnings: list[str] = warnings if warnings is not None else []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")


class _Raw(NamedTuple):
    """One record as read, with where it came from, before it becomes a model."""

    kind: str
    table: dict[str, Any]
    where: str
    file: str
    university: str | None = None


# ------------------------------------------------------------------ locating data
def default_data_dir() -> Path:
    """The archive shipped with spnet: inside the installed package, else the repo's data/."""
    packaged = Path(__file__).parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def resolve_data_dir(option: str | os.PathLike[str] | None) -> Path:
    """--data DIR, else $SPNET_DATA, else the shipped archive."""
    if option:
        return Path(option)
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    return default_data_dir()


# ------------------------------------------------------------------ reading
def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def read_toml(path: Path, shown: str) -> tuple[str, dict[str, Any]]:
    """Read and parse one file: (its text, its data). DataError names file, line and column."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise DataError(f"{shown}: is a directory, not a TOML file") from None
    except PermissionError:
        raise DataError(f"{shown}: cannot be read: permission denied") from None
    except FileNotFoundError:
        raise DataError(f"{shown}: no such file") from None
    except OSError as exc:
        raise DataError(f"{shown}: cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(f"{shown}: line {line}: not UTF-8 (byte 0x{raw[exc.start]:02x})") from None
    if not text.strip():
        raise DataError(f"{shown}: the file is empty")
    import tomllib  # a query answered from the cache parses no TOML

    try:
        return text, tomllib.loads(text)
    except RecursionError:
        raise DataError(f"{shown}: nested too deeply to read") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", msg)
        if m:
            raise DataError(f"{shown}: line {m[2]}, column {m[3]}: {m[1]}") from None
        m = re.search(r"^(.*) \(at end of document\)$", msg)
        if m:
            raise DataError(f"{shown}: at end of file: {m[1]}") from None
        raise DataError(f"{shown}: {msg}") from None


def is_canonical(text: str, doc: dict[str, Any]) -> bool:
    """True when the text is byte for byte what tomli-w writes for its data."""
    import tomli_w  # only `check` needs it

    return tomli_w.dumps(doc) == text


# ------------------------------------------------------------------ validation
def _check_table(table: dict[str, Any], kind: str, where: str, problems: Problems) -> bool:
    spec = SPEC[kind]
    ok = True
    for key in table:
        if key not in spec:
            problems.error(where, f"unknown key {key!r} (a {kind} has: {', '.join(spec)})")
            ok = False
    for key, (typ, required) in spec.items():
        if key not in table:
            if required:
                problems.error(where, f"missing required key {key!r}")
                ok = False
            continue
        value = table[key]
        if not _TYPE_CHECKS[typ](value):
            problems.error(where, f"{key!r} must be a {typ}, not {_type_name(value)}")
            ok = False
        elif typ == STR and not value.strip():
            problems.error(where, f"{key!r} is empty: leave a key out rather than empty")
            ok = False
    if (
        ok
        and kind in ("person", "contact", "country", "partner")
        and not (table.get("name_en") or table.get("name_ja"))
    ):
        problems.error(where, "needs name_en or name_ja")
        ok = False
    if ok and kind == "event" and not (table.get("title_en") or table.get("title_ja")):
        problems.error(where, "needs title_en or title_ja")
        ok = False
    if ok and kind == "count" and not (table.get("what_en") or table.get("what_ja")):
        problems.error(where, "needs what_en or what_ja")
        ok = False
    if ok and "lines" in table and not all(n > 0 for n in table["lines"]):
        problems.error(where, "'lines' must be positive line numbers of the report")
        ok = False
    return ok


def _type_name(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _collect(
    doc: dict[str, Any],
    layout: dict[str, tuple[str, bool, bool]],
    shown: str,
    problems: Problems,
    university: str | None = None,
) -> list[_Raw]:
    out: list[_Raw] = []
    for key in doc:
        if key not in layout:
            problems.error(shown, f"unknown table {key!r} (this file may hold: {', '.join(layout)})")
    for key, (kind, many, required) in layout.items():
        if key not in doc:
            if required:
                problems.error(shown, f"missing [{key}]")
            continue
        value = doc[key]
        tables = value if many else [value]
        if many and not _TYPE_CHECKS[TABLES](value) or not many and not isinstance(value, dict):
            shape = f"[[{key}]]" if many else f"[{key}]"
            problems.error(shown, f"{key!r} must be written as {shape} tables")
            continue
        for i, table in enumerate(tables):
            label = table.get("id") if isinstance(table.get("id"), str) else None
            if label is not None and not label.isprintable():
                label = repr(label)  # a message stays one readable line
            where = f"{shown}: {key}[{i}]" if many else f"{shown}: [{key}]"
            if label:
                where += f" ({label})"
            if _check_table(table, kind, where, problems):
                out.append(_Raw(kind, table, where, shown, university))
    return out


def _disagreements(raw: _Raw, problems: Problems) -> tuple[Disagreement, ...]:
    out = []
    for i, d in enumerate(raw.table.get("disagreements", [])):
        where = f"{raw.where}: disagreements[{i}]"
        if not _check_table(d, "disagreement", where, problems):
            continue
        if d["held"] not in ("ja", "en", "undecided"):
            problems.error(where, f"'held' must be ja, en or undecided, not {d['held']!r}")
            continue
        out.append(Disagreement(d["field"], d["en"], d["ja"], d["held"], d["reason"]))
    return tuple(out)


def _date(raw: _Raw, key: str, problems: Problems) -> PartialDate | None:
    value = raw.table.get(key)
    if value is None:
        return None
    try:
        return PartialDate.parse(value)
    except ValueError as exc:
        problems.error(raw.where, f"{key!r}: {exc}")
        return None


_NO_TEXT = Bilingual()  # shared, so a large archive's cache holds one, not millions


def _b(t: dict[str, Any], name: str) -> Bilingual:
    en, ja = t.get(f"{name}_en"), t.get(f"{name}_ja")
    return _NO_TEXT if en is None and ja is None else Bilingual(en, ja)


def _source(t: dict[str, Any]) -> Source:
    return Source(t["source"], tuple(t["lines"]))


def _build(raw: _Raw, problems: Problems) -> Any:
    """Turn one checked table into its model, or None (with an error) when a value is bad."""
    t = raw.table
    k = raw.kind
    if "institution" in t and not re.fullmatch(_ID, t["institution"]):
        problems.error(raw.where, f"institution {t['institution']!r} must be lower-case letters, digits and hyphens")
        return None
    if "id" in t and not re.fullmatch(_ID, t["id"]):
        problems.error(raw.where, f"id {t['id']!r} must be lower-case letters, digits and hyphens")
        return None
    times = [t.get("time"), *(p.get("time") for p in t.get("participants", []) if isinstance(p, dict))]
    for time in times:
        if isinstance(time, str) and not re.fullmatch(_TIME, time):
            problems.error(raw.where, f"time {time!r} must be HH:MM or HH:MM-HH:MM")
            return None
    if k == "country":
        if t.get("basis") not in (None, "curator") or (t.get("basis") is None and not t["lines"]):
            problems.error(raw.where, 'a country cites the report\'s lines, or has basis = "curator"')
            return None
        return Country(t["id"], _b(t, "name"), t.get("note"), t.get("basis"), _source(t))
    if k == "university":
        if "short_names" in t and t.get("short_names_basis") != "curator":
            # The report gives no short names: whoever adds them must say they are the curators'.
            problems.error(raw.where, 'short_names needs short_names_basis = "curator"')
            return None
        return University(
            id=t["id"],
            name=_b(t, "name"),
            managing=False,  # set from project.toml once all files are read
            aliases=tuple(t.get("aliases", ())),
            short_names=tuple(t.get("short_names", ())),
            short_names_basis=t.get("short_names_basis"),
            scheme=_b(t, "scheme"),
            activities=_b(t, "activities"),
            outlook=_b(t, "outlook"),
            counts=(),
            note=t.get("note"),
            disagreements=_disagreements(raw, problems),
            source=_source(t),
        )
    if k == "count":
        as_of = _date(raw, "as_of", problems)
        if t.get("as_of") is not None and as_of is None:
            return None
        if t.get("qualifier") not in (None, "about", "more than"):
            problems.error(raw.where, f"'qualifier' must be 'about' or 'more than', not {t['qualifier']!r}")
            return None
        return Count(_b(t, "what"), t["value"], t.get("qualifier"), as_of, t.get("note"), _source(t))
    if k == "partner":
        if t["kind"] not in PARTNER_KINDS:
            problems.error(raw.where, f"unknown partner kind {t['kind']!r} (one of: {', '.join(PARTNER_KINDS)})")
            return None
        if t.get("country_basis") not in (None, *COUNTRY_BASES) or (("country" in t) != ("country_basis" in t)):
            problems.error(raw.where, f"'country' goes with 'country_basis' = one of {', '.join(COUNTRY_BASES)}")
            return None
        since = _date(raw, "since", problems)
        if t.get("since") is not None and since is None:
            return None
        return Partner(
            id=t["id"],
            university=raw.university or "",
            name=_b(t, "name"),
            kind=t["kind"],
            relation=_b(t, "relation"),
            country=t.get("country"),
            country_basis=t.get("country_basis"),
            institution=t.get("institution", t["id"]),
            since=since,
            consortium=t.get("consortium"),
            members=Bilingual(
                "; ".join(t["members_en"]) if "members_en" in t else None,
                "; ".join(t["members_ja"]) if "members_ja" in t else None,
            ),
            activities=_b(t, "activities"),
            note=t.get("note"),
            disagreements=_disagreements(raw, problems),
            source=_source(t),
        )
    if k == "event":
        if t["kind"] not in EVENT_KINDS:
            problems.error(raw.where, f"unknown event kind {t['kind']!r} (one of: {', '.join(EVENT_KINDS)})")
            return None
        date = _date(raw, "date", problems)
        if date is None:
            return None
        participants = []
        for i, p in enumerate(t.get("participants", [])):
            if _check_table(p, "participant", f"{raw.where}: participants[{i}]", problems):
                participants.append(
                    Participant(p["person"], _b(p, "part"), _b(p, "talk"), p.get("time"), _b(p, "as_printed"))
                )
        return Event(
            id=t["id"],
            kind=t["kind"],
            date=date,
            tentative=t.get("tentative", False),
            fiscal_year=t.get("fiscal_year"),
            number=t.get("number"),
            weekday=_b(t, "weekday"),
            time=t.get("time"),
            title=_b(t, "title"),
            theme=_b(t, "theme"),
            venue=_b(t, "venue"),
            language=_b(t, "language"),
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
    if k == "person":
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
    if k == "contact":
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
    if k == "link":
        if t["cited_in"] not in ("ja", "en", "both"):
            problems.error(raw.where, f"'cited_in' must be ja, en or both, not {t['cited_in']!r}")
            return None
        return Link(t["id"], t["url"], _b(t, "about"), t["cited_in"], t.get("event"), t.get("note"), _source(t))
    if k == "project":
        return Project(
            _b(t, "title"),
            _b(t, "framework"),
            t["managing"],
            tuple(t["members"]),
            _b(t, "definition"),
            t.get("note"),
            _source(t),
        )
    raise AssertionError(f"no model for {k}")  # pragma: no cover - SPEC and _build agree


# ------------------------------------------------------------------ cross-checks
_EN_DATE = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{1,2}) ([A-Z][a-z]+),? (\d{4})"
_JA_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日（(.)）"


def _printed_weekday_problems(text: str) -> list[str]:
    """Dates printed with a weekday in `text` whose weekday is not the calendar's."""
    out = []
    for wd, day, month, year in re.findall(_EN_DATE, text):
        try:
            d = dt.datetime.strptime(f"{day} {month} {year}", "%d %B %Y").date()
        except ValueError:
            continue
        if _WEEKDAYS_EN[d.weekday()] != wd:
            out.append(f"{d.isoformat()} is a {_WEEKDAYS_EN[d.weekday()]}, but the text prints {wd}")
    for year, month, day, wd in re.findall(_JA_DATE, text):
        try:
            d = dt.date(int(year), int(month), int(day))
        except ValueError:
            continue
        if _WEEKDAYS_JA[d.weekday()] != wd:
            calendar_day = f"{_WEEKDAYS_EN[d.weekday()]} ({_WEEKDAYS_JA[d.weekday()]})"
            out.append(f"{d.isoformat()} is a {calendar_day}, but the text prints {wd}")
    return out


def _cross_check(
    built: list[tuple[_Raw, Any]],
    project: tuple[_Raw, Project] | None,
    university_files: dict[str, str],
    problems: Problems,
) -> None:
    ids: dict[str, str] = {}
    by_kind: dict[str, dict[str, Any]] = {}
    for raw, model in built:
        rid = getattr(model, "id", None)
        if rid is None:
            continue
        if rid in ids:
            problems.error(raw.where, f"duplicate id {rid!r} (also in {ids[rid]})")
            continue
        ids[rid] = raw.where
        by_kind.setdefault(raw.kind, {})[rid] = model
    universities = by_kind.get("university", {})
    partners = by_kind.get("partner", {})
    events = by_kind.get("event", {})

    def ref(raw: _Raw, key: str, value: str | None, table: dict[str, Any], what: str) -> None:
        if value is not None and value not in table:
            problems.error(raw.where, f"{key} {value!r} is not a known {what}")

    if project is not None:
        where, proj = project[0].where, project[1]
        for uid in (proj.managing, *proj.members):
            if uid not in universities:
                problems.error(where, f"university {uid!r} has no file universities/{uid}.toml")
        for uid, shown in university_files.items():
            if uid not in (proj.managing, *proj.members):
                problems.error(
                    shown, f"university {uid!r} is neither the managing university nor a member in project.toml"
                )

    for raw, model in built:
        if raw.kind == "partner":
            ref(raw, "country", model.country, by_kind.get("country", {}), "country")
            ref(raw, "consortium", model.consortium, partners, "partner")
            if model.consortium in partners and partners[model.consortium].university != model.university:
                problems.error(raw.where, f"consortium {model.consortium!r} belongs to another university")
        elif raw.kind == "event":
            for uid in model.universities:
                ref(raw, "university", uid, universities, "university")
            for pid in model.partners:
                ref(raw, "partner", pid, partners, "partner")
            for lid in model.links:
                ref(raw, "link", lid, by_kind.get("link", {}), "link")
            for p in model.participants:
                ref(raw, "person", p.person, by_kind.get("person", {}), "person")
            if model.weekday and model.date.precision != "day":
                problems.error(raw.where, "a weekday is given but the date has no day")
            elif model.date.precision == "day":
                d = model.date.first_day()
                if model.weekday.en and model.weekday.en != _WEEKDAYS_EN[d.weekday()]:
                    problems.warn(
                        raw.where,
                        f"printed weekday {model.weekday.en} but {d.isoformat()} is a {_WEEKDAYS_EN[d.weekday()]}",
                    )
                if model.weekday.ja and model.weekday.ja != _WEEKDAYS_JA[d.weekday()]:
                    problems.warn(
                        raw.where,
                        f"printed weekday {model.weekday.ja} but {d.isoformat()} is a {_WEEKDAYS_JA[d.weekday()]}",
                    )
            if model.kind == "meeting" and model.number is None:
                problems.error(raw.where, "a meeting needs its number")
        elif raw.kind in ("person", "contact"):
            ref(raw, "university", model.university, universities, "university")
        elif raw.kind == "link":
            ref(raw, "event", model.event, events, "event")
        for d in getattr(model, "disagreements", ()):
            problems.warn(
                raw.where,
                f"Japanese and English disagree on {d.field}: JA {d.ja!r} / EN {d.en!r}; "
                f"holds {d.held if d.held != 'undecided' else 'the Japanese (undecided)'}: {d.reason}",
            )
            # The held side's weekday is checked with the event's own date above.
            side, text = ("Japanese", d.ja) if d.held == "en" else ("English", d.en)
            for msg in _printed_weekday_problems(text):
                problems.warn(raw.where, f"weekday mismatch in the {side} text: {msg}")


# ------------------------------------------------------------------ parsed files
_StatKey = tuple[int, int, int, int]


def _unchanged_if_same(st: os.stat_result) -> _StatKey:
    """What must stay the same for a file to count as unchanged: size, modification and
    change times, inode (an edit within the same second and of the same size still
    changes the change time)."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _stat_key(path: Path) -> _StatKey | None:
    try:
        return _unchanged_if_same(os.stat(path))
    except OSError:
        return None


class ParsedFiles:
    """Each file's parsed data, and whether its text is in canonical form once that is
    known, by path. scan_cached keeps them between runs: a file whose size, modification
    and change times and inode are unchanged is not parsed again, so after an edit to one
    file of a large archive only that file is parsed."""

    def __init__(self, earlier: dict[str, tuple[_StatKey, dict[str, Any], bool | None]] | None = None) -> None:
        self.earlier = earlier or {}
        self.now: dict[str, tuple[_StatKey, dict[str, Any], bool | None]] = {}

    def read(self, path: Path, shown: str) -> tuple[str | None, dict[str, Any]]:
        """(text, data) as read_toml gives them; text is None when the data is from before."""
        key = _stat_key(path)  # taken first: a file changed while being read is read again next time
        kept = self.earlier.get(str(path))
        if key is not None and kept is not None and kept[0] == key:
            self.now[str(path)] = kept
            return None, kept[1]
        text, doc = read_toml(path, shown)
        if key is not None:
            self.now[str(path)] = (key, doc, None)
        return text, doc

    def is_canonical(self, path: Path, text: str | None, doc: dict[str, Any]) -> bool:
        entry = self.now.get(str(path))
        if entry is not None and entry[2] is not None:
            return entry[2]
        if text is None:
            try:
                text = path.read_bytes().decode("utf-8")  # parsed before from these very bytes
            except (OSError, UnicodeDecodeError):
                return True  # gone or changed this instant: the next run reads it afresh
        found = is_canonical(text, doc)
        if entry is not None:
            self.now[str(path)] = (entry[0], doc, found)
        return found

    def changed(self) -> bool:
        return self.now.keys() != self.earlier.keys() or any(self.earlier[k] is not v for k, v in self.now.items())


# ------------------------------------------------------------------ entry points
def _data_files(root: Path, problems: Problems) -> list[tuple[Path, dict[str, tuple[str, bool, bool]]]]:
    if not root.exists():
        raise DataError(f"{root}: data directory does not exist")
    if not root.is_dir():
        raise DataError(f"{root}: not a directory")
    files: list[tuple[Path, dict[str, tuple[str, bool, bool]]]] = []
    for name, layout in (("project.toml", _PROJECT_FILE), ("countries.toml", _COUNTRIES_FILE)):
        path = root / name
        if not path.exists():
            problems.error(_display(path, root), "missing file")
        else:
            files.append((path, layout))
    for extra in sorted(root.glob("*.toml")):
        if extra.name not in ("project.toml", "countries.toml"):
            problems.error(_display(extra, root), "unknown file: put a university's records in universities/<id>.toml")
    unis = root / "universities"
    if not unis.is_dir():
        problems.error(_display(unis, root), "missing directory of university files")
    else:
        files += [(p, _UNIVERSITY_FILE) for p in sorted(unis.glob("*.toml"))]
    return files


def scan(
    root: Path,
    *,
    canonical: bool = False,
    proposed: dict[Path, dict[str, Any]] | None = None,
    files: ParsedFiles | None = None,
) -> tuple[Archive | None, Problems]:
    """Read and validate every file under root, collecting all problems.

    Returns the archive when there are no errors. With canonical=True, a file not in
    canonical form is a warning. `proposed` validates a file's proposed data in place of
    what is on disk (how `spnet add` checks a record before writing it). `files` holds
    what an earlier run parsed (see ParsedFiles); files unchanged since are not parsed.
    """
    files = files if files is not None else ParsedFiles()
    problems = Problems()
    raws: list[_Raw] = []
    university_files: dict[str, str] = {}
    unread = False
    for path, layout in _data_files(root, problems):
        shown = _display(path, root)
        try:
            text, doc = ("", proposed[path]) if proposed and path in proposed else files.read(path, shown)
        except DataError as exc:
            problems.errors.append(str(exc))
            unread = True
            continue
        uid = None
        if layout is _UNIVERSITY_FILE:
            head = doc.get("university")
            uid = head.get("id") if isinstance(head, dict) else None
            if isinstance(uid, str) and uid != path.stem:
                problems.error(shown, f"[university] id {uid!r} does not match the file name {path.name!r}")
            if isinstance(uid, str):
                university_files[uid] = shown
        raws += _collect(doc, layout, shown, problems, university=uid if isinstance(uid, str) else None)
        if canonical and text != "" and not problems.errors and not files.is_canonical(path, text, doc):
            problems.warn(shown, "not in canonical form (as tomli-w writes it); spnet would rewrite it")

    built = [(r, m) for r in raws if (m := _build(r, problems)) is not None]
    projects = [(r, m) for r, m in built if r.kind == "project"]
    if unread:
        # A file that could not be read would make every reference to it look broken.
        return None, problems
    _cross_check(built, projects[0] if projects else None, university_files, problems)
    if problems.errors or not projects:
        return None, problems
    project = projects[0][1]

    counts: dict[str, list[Count]] = {}
    for r, m in built:
        if r.kind == "count" and r.university:
            counts.setdefault(r.university, []).append(m)

    def of(kind: str) -> Iterable[Any]:
        return (m for r, m in built if r.kind == kind)

    universities = {
        u.id: u._replace(managing=u.id == project.managing, counts=tuple(counts.get(u.id, ())))
        for u in of("university")
    }
    order = (project.managing, *project.members)
    pieces: dict[str, tuple[Any, ...]] = {
        "warnings": tuple(problems.warnings),
        "universities": tuple(universities[uid] for uid in order),
        "people": tuple(of("person")),
        "contacts": tuple(of("contact")),
        "links": tuple(of("link")),
    }
    partner_counts: dict[str, int] = {}
    by_university: dict[str, list[Partner]] = {}
    for p in of("partner"):
        by_university.setdefault(p.university, []).append(p)
    for uid, of_one in by_university.items():
        pieces[f"partners/{uid}"] = tuple(of_one)
        partner_counts[uid] = len(of_one)
    events = sorted(of("event"), key=lambda e: e.date.first_day())
    by_year: dict[int, list[Event]] = {}
    for e in events:
        for year in range(e.date.first_day().year, e.date.last_day().year + 1):
            by_year.setdefault(year, []).append(e)
    for year, of_year in by_year.items():
        pieces[f"events/{year}"] = tuple(of_year)
    index = ArchiveIndex(
        project=project,
        countries=tuple(of("country")),
        university_names=tuple(
            UniversityName(u.id, u.name, u.aliases, u.short_names) for u in (universities[uid] for uid in order)
        ),
        partner_counts=partner_counts,
        event_years=tuple(sorted(by_year)),
        sizes={
            "universities": len(universities),
            "partners": sum(partner_counts.values()),
            "events": len(events),
            "people": len(pieces["people"]),
            "contacts": len(pieces["contacts"]),
            "links": len(pieces["links"]),
            # What the archive's curators added, counted here so that `check` need not
            # read every partner to say it (0.5 s at 1000x).
            "curated partner countries": sum(p.country_basis == "curator" for p in of("partner")),
            "curated countries": sum(c.basis == "curator" for c in of("country")),
        },
        pieces=tuple(pieces),
    )
    archive = Archive(index, pieces.__getitem__)
    return archive, problems


def load_archive(data: str | os.PathLike[str] | None = None, *, cache: bool = True) -> Archive:
    """The one loader every command uses. Raises DataError (exit 3) with the first error."""
    root = resolve_data_dir(data)
    archive, problems = scan_cached(root, cache=cache, warnings=False)
    if archive is None:
        raise DataError(problems.errors[0] if problems.errors else f"{root}: no archive")
    return archive


def scan_cached(
    root: Path, *, canonical: bool = False, cache: bool = True, warnings: bool = True
) -> tuple[Archive | None, Problems]:
    """scan(), answered from the cache while every file is unchanged.

    A valid archive is kept in the user's cache directory with the warnings its scan
    found, and whether that scan also checked canonical form (as `check` does). From the
    cache, only the index is read at once; each piece is read when a query first uses it.
    With warnings=False (a query, which does not print them), an answer from the cache
    comes without its warnings.
    """
    key = _fingerprint(root) if cache else None
    if key is not None:
        entry = _read_cache(root, key)
        if entry is not None and (entry[1] or not canonical):
            return entry[0], Problems(warnings=list(entry[0].warnings) if warnings else None)
    with gc_paused():
        archive, problems = _scan_reusing_parsed(root, cache=cache, canonical=canonical)
        if archive is not None and key is not None:
            _write_cache(root, key, archive, checked=canonical)
    return archive, problems


def _scan_reusing_parsed(root: Path, *, cache: bool, **options: Any) -> tuple[Archive | None, Problems]:
    """scan(), taking unchanged files' parsed data from the cache (cache=True) and keeping
    what it parsed there for the next run."""
    files = _read_parsed(root) if cache else ParsedFiles()
    found = scan(root, files=files, **options)
    if cache and files.changed():
        _write_parsed(root, files)
    return found


# ------------------------------------------------------------------ cache
CACHE_ENV = "SPNET_CACHE_DIR"


def cache_dir() -> Path:
    """$SPNET_CACHE_DIR, else $XDG_CACHE_HOME/spnet, else ~/.cache/spnet."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spnet"


def cache_path(root: Path, kind: str = "archive") -> Path:
    """The cache file of one data directory: "archive" (the validated archive) or
    "parsed" (each file's parsed data)."""
    import zlib  # cheaper to import than hashlib; the key inside the file is what must match

    where = str(root.resolve()).encode("utf-8", "surrogateescape")
    digest = f"{zlib.crc32(where):08x}{zlib.adler32(where):08x}"
    return cache_dir() / f"{kind}-{digest}.pickle"


def _fingerprint(root: Path) -> tuple[Any, ...] | None:
    """Everything that must be unchanged for a cached archive to answer; None: don't cache.

    The same files scan() reads (every *.toml at the top and in universities/), with
    their size, modification and change times and inode. Listed with os.scandir and
    sorted as strings: pathlib's sorting costs more than the stat calls in a large archive.
    """

    def tomls(directory: str) -> list[tuple[str, Any]]:
        with os.scandir(directory) as entries:
            return sorted((e.name, e) for e in entries if e.name.endswith(".toml"))

    def stat(name: str, st: os.stat_result) -> tuple[str, _StatKey]:
        return (name, _unchanged_if_same(st))

    try:
        top = str(root)
        found = tomls(top)
        given = {"project.toml", "countries.toml"}  # first, and stat'ed even if missing
        stats = [stat(n, os.stat(os.path.join(top, n))) for n in ("project.toml", "countries.toml")]
        stats += [stat(n, e.stat()) for n, e in found if n not in given]
        stats += [stat(f"universities/{n}", e.stat()) for n, e in tomls(os.path.join(top, "universities"))]
        code = [(m, os.stat(m).st_mtime_ns) for m in (__file__, _models_file())]
    except OSError:
        return None  # a missing file: let scan() say what is wrong
    return (CACHE_FORMAT, sys.version_info[:2], tuple(code), os.path.abspath(top), tuple(stats))


def _models_file() -> str:
    import spnet.models

    return spnet.models.__file__


CACHE_FORMAT = 5
# A cache file: _MAGIC, the header's length (8 bytes), the header, then the pieces, each
# pickled on its own. Header: (key, checked, index, {piece: (offset in the body, length)},
# the body's length).
_MAGIC = b"spnet-cache\n"
_UNREADABLE = (
    OSError,
    EOFError,
    UnpicklingError,
    AttributeError,
    ImportError,
    ValueError,
    TypeError,
    IndexError,
)


class _CachedPieces:
    """Reads an archive's pieces from an open cache file, on demand.

    The file stays open, so a cache rewritten by another process meanwhile is not mixed
    in. A piece that cannot be read (a file cut short, a disk error) is not an error for
    the user: the archive is read again from its files, and the piece taken from that,
    unless the files changed meanwhile so that the pieces read so far no longer fit.
    """

    def __init__(self, root: Path, index: ArchiveIndex, fh: Any, offsets: dict[str, tuple[int, int]]) -> None:
        self.root, self.index, self.fh, self.offsets = root, index, fh, offsets
        self.rescanned: Archive | None = None

    def __call__(self, name: str) -> tuple[Any, ...]:
        if self.rescanned is None:
            try:
                start, length = self.offsets[name]
                self.fh.seek(start)
                data = self.fh.read(length)
                if len(data) != length:
                    raise EOFError(name)
                piece = _unpickle(data)
                if isinstance(piece, tuple):
                    return piece
            except (*_UNREADABLE, KeyError):
                pass
            with gc_paused():
                archive, problems = _scan_reusing_parsed(self.root, cache=True)
            if archive is None:
                raise DataError(problems.errors[0] if problems.errors else f"{self.root}: no archive")
            if archive.index != self.index:
                raise DataError(f"{self.root}: the archive changed while spnet was reading it; run the command again")
            self.rescanned = archive
        return self.rescanned.piece(name)


def _unpickle(data: bytes) -> Any:
    with gc_paused():
        return _loads(data)


def _read_cache(root: Path, key: tuple[Any, ...]) -> tuple[Archive, bool] | None:
    """(archive, checked) when the stored key matches; a missing, stale or unreadable cache is None."""
    try:
        fh = cache_path(root).open("rb")
    except OSError:
        return None
    try:
        if fh.read(len(_MAGIC)) != _MAGIC:
            raise ValueError("not a cache file")
        size = int.from_bytes(fh.read(8), "little")
        stored_key, checked, index, offsets, body = _unpickle(fh.read(size))
        base = len(_MAGIC) + 8 + size
        if stored_key != key or os.fstat(fh.fileno()).st_size != base + body:
            raise ValueError("stale or cut short")
        if not isinstance(index, ArchiveIndex) or not isinstance(checked, bool) or not isinstance(offsets, dict):
            raise ValueError("not a cache file")
    except _UNREADABLE:
        fh.close()
        return None
    pieces = {name: (base + start, length) for name, (start, length) in offsets.items()}
    return Archive(index, _CachedPieces(root, index, fh, pieces)), checked


def _write_cache(root: Path, key: tuple[Any, ...], archive: Archive, *, checked: bool) -> None:
    """Write the archive cache: its index first, then its pieces."""
    import pickle

    offsets: dict[str, tuple[int, int]] = {}
    blobs = []
    body = 0
    for name in archive.index.pieces:
        blob = pickle.dumps(archive.piece(name), protocol=pickle.HIGHEST_PROTOCOL)
        offsets[name] = (body, len(blob))
        blobs.append(blob)
        body += len(blob)
    header = pickle.dumps((key, checked, archive.index, offsets, body), protocol=pickle.HIGHEST_PROTOCOL)
    _write_cache_file(cache_path(root), [_MAGIC + len(header).to_bytes(8, "little") + header, *blobs])


def _read_parsed(root: Path) -> ParsedFiles:
    """The files parsed by an earlier run; none when there is no such cache or it is unreadable."""
    try:
        with cache_path(root, "parsed").open("rb") as fh:
            fmt, version, earlier = _unpickle(fh.read())
    except _UNREADABLE:
        return ParsedFiles()
    if (fmt, version) != (CACHE_FORMAT, sys.version_info[:2]) or not isinstance(earlier, dict):
        return ParsedFiles()
    return ParsedFiles(earlier)


def _write_parsed(root: Path, files: ParsedFiles) -> None:
    import pickle

    data = (CACHE_FORMAT, sys.version_info[:2], files.now)
    _write_cache_file(cache_path(root, "parsed"), [pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)])


def _write_cache_file(target: Path, chunks: list[bytes]) -> None:
    """Write a cache file atomically; a cache that cannot be written is simply not written."""
    import tempfile  # only a cache write needs it (it pulls in shutil)

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        return


# ------------------------------------------------------------------ writing
LOCK_NAME = ".spnet.lock"
LOCK_WAIT_SECONDS = 10.0

# Where a new record goes: (table in its file, record kind for the schema)
_ADD_TABLES = {"partner": ("partners", "partner"), "event": ("events", "event"), "person": ("people", "person")}


class Addition(NamedTuple):
    """What `add_record` did or, with dry_run, would do."""

    path: Path
    record: str  # the new record as TOML
    diff: str  # unified diff of the file
    written: bool


def add_record(
    root: Path,
    kind: str,
    record: dict[str, Any],
    *,
    university: str | None = None,
    dry_run: bool = False,
    cache: bool = True,
) -> Addition:
    """Append one record to the file it belongs in, if the whole archive stays valid.

    A partner, or an event of a university, goes into universities/<id>.toml; other events
    and people into project.toml. Under an exclusive lock on the data directory: validate
    the archive with the record added (refused: UsageError, exit 2, nothing written), then
    write the file canonically to a temporary file, fsync it and move it into place, so a
    failure at any step leaves the old file or the new one, never a part.
    """
    import difflib

    import tomli_w

    table, spec_kind = _ADD_TABLES[kind]
    path = root / ("universities" / Path(f"{university}.toml") if university else Path("project.toml"))
    shown = _display(path, root)
    if university is not None and not path.is_file():
        raise UsageError(f"unknown university {university!r}: no file {shown}")
    problems = Problems()
    if not _check_table(record, spec_kind, f"new {kind}", problems):
        raise UsageError(problems.errors[0])
    with _locked(root):
        # Under the lock no other writer is busy: a temporary file beside ours is left over
        # from a writer that was killed, and is removed.
        for stale in path.parent.glob(f".{path.name}-*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()
        text, doc = read_toml(path, shown)
        if tomli_w.dumps(doc) != text:
            raise DataError(
                f"{shown}: not in canonical form; rewriting it would change other records (spnet fmt rewrites it first)"
            )
        new_doc = {**doc, table: [*doc.get(table, []), record]}
        with gc_paused():
            archive, found = _scan_reusing_parsed(root, cache=cache, proposed={path: new_doc})
        if archive is None:
            raise UsageError(f"refused, nothing written: {found.errors[0]}")
        new_text = tomli_w.dumps(new_doc)
        diff = "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True), new_text.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
            )
        )
        entry = tomli_w.dumps({table: [record]})
        if not dry_run:
            try:
                write_atomically(path, new_text.encode("utf-8"))
            except OSError as exc:
                raise DataError(f"{shown}: cannot write, nothing changed: {exc.strerror or exc}") from None
    return Addition(path, entry, diff, not dry_run)


def format_files(root: Path, *, check: bool) -> list[str]:
    """The data files not in canonical form (as tomli-w writes them), by their shown names.
    Without `check`, each is rewritten so, atomically and under the archive's lock: the
    same data, so a hand edit never stops `spnet add`. A file that is not valid TOML is a
    DataError naming file, line and column, and nothing is written."""
    import tomli_w

    problems = Problems()
    files = [path for path, _ in _data_files(root, problems)]
    unformatted = []
    for path in files:
        text, doc = read_toml(path, _display(path, root))
        canonical = tomli_w.dumps(doc)
        if canonical != text:
            unformatted.append((path, canonical))
    if unformatted and not check:
        with _locked(root):
            for path, text in unformatted:
                write_atomically(path, text.encode("utf-8"))
    return [_display(path, root) for path, _ in unformatted]


@contextlib.contextmanager
def _locked(root: Path) -> Any:
    """An exclusive lock on the data directory, waited for up to LOCK_WAIT_SECONDS."""
    import fcntl
    import time

    try:
        fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DataError(f"{root}: cannot write here: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DataError(
                        f"{root}: another spnet is writing (lock {LOCK_NAME} held for {LOCK_WAIT_SECONDS:.0f} s)"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
