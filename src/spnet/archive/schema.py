"""The checks of the record spec (kinds.py declares which keys each kind of record has, of
which type, and which tables each data file holds): per-table checks that collect every problem.

Problems are collected, not raised one by one, so that `spnet check` can list them all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from spnet.archive.kinds import BOOL, CITES, DATE, INT, INTS, NEEDS, NUM, SPEC, STR, STRS, TABLES, UNCITED
from spnet.i18n import N_
from spnet.models import Problem, TomlTable
from spnet.provenance import LINES as REPORT_LINES

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


# ------------------------------------------------------------------ schema
# The keys of each kind of record and their types are declared with the kind (kinds.py).
def _int(v: object) -> bool:
    """An integer that fits in 64 bits, as SQLite and every other tool reading spnet's output stores it."""
    return isinstance(v, int) and not isinstance(v, bool) and -(2**63) <= v < 2**63


TYPE_CHECKS: dict[str, Callable[[object], bool]] = {
    STR: lambda v: isinstance(v, str),
    INT: _int,
    BOOL: lambda v: isinstance(v, bool),
    NUM: lambda v: _int(v) or isinstance(v, float) and math.isfinite(v),  # no NaN, no infinity
    STRS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    INTS: lambda v: isinstance(v, list) and all(_int(x) for x in v),
    DATE: lambda v: isinstance(v, str),
    TABLES: lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
    CITES: lambda v: isinstance(v, dict) and all(TYPE_CHECKS[INTS](x) for x in v.values()),
}


# What a record says when it gives neither text of the pair it needs (kinds.NEEDS).
_NEEDS = {
    "name": N_("needs name_en or name_ja"),
    "title": N_("needs title_en or title_ja"),
    "what": N_("needs what_en or what_ja"),
}

# Patterns are compiled on first use (re caches them): a query from the cache uses none.
ID_PATTERN = r"[a-z0-9][a-z0-9-]*"  # the whole id (fullmatch: a trailing newline is not one)
# 17:30 or 17:30-20:00, Japan time, 00:00 to 23:59; an end is after its start (an event past
# midnight gives its start only: a calendar's end on the same day would come before it).
TIME_PATTERN = r"([01]\d|2[0-3]):[0-5]\d(-([01]\d|2[0-3]):[0-5]\d)?"

# The most characters a key may hold where an output has a limit: Graphviz refuses a quoted
# string over 16 KiB, and a graph's label is an id, or a name in both languages (a character
# is up to 4 bytes of UTF-8, and an escape up to 8). The report's longest name has 61.
MAX_CHARS = {"id": 200, "institution": 200, "name_en": 500, "name_ja": 500}


# ------------------------------------------------------------------ problems
class Problems:
    """Errors and warnings found while loading, each naming its file (and record). Each is
    a Problem: an English message and its values, shown in the reader's language."""

    def __init__(self, errors: list[Problem] | None = None, warnings: list[Problem] | None = None) -> None:
        self.errors: list[Problem] = errors if errors is not None else []
        self.warnings: list[Problem] = warnings if warnings is not None else []

    def error(self, where: str, message: str, **params: Any) -> None:
        self.errors.append(Problem(where, message, params))

    def warn(self, where: str, message: str, **params: Any) -> None:
        self.warnings.append(Problem(where, message, params))

    def refused(self, exc: Exception) -> None:
        """A file that could not be read: its DataError, already in the reader's words."""
        self.errors.append(Problem("", str(exc)))


class Raw(NamedTuple):
    """One record as read, with where it came from, before it becomes a model."""

    kind: str
    table: TomlTable
    where: str
    file: str
    university: str | None = None


# ------------------------------------------------------------------ validation
def check_table(table: TomlTable, kind: str, where: str, problems: Problems) -> bool:
    spec = SPEC[kind]
    ok = True
    for key in table:
        if key not in spec:
            problems.error(
                where, "unknown key {key!r} (a {kind} has: {keys})", key=key, kind=kind, keys=", ".join(spec)
            )
            ok = False
    for key, (typ, required) in spec.items():
        if key not in table:
            if required:
                problems.error(where, "missing required key {key!r}", key=key)
                ok = False
            continue
        if not _check_value(key, typ, table[key], where, problems):
            ok = False
    stem = NEEDS.get(kind)
    if ok and stem is not None and not (table.get(f"{stem}_en") or table.get(f"{stem}_ja")):
        problems.error(where, _NEEDS[stem])
        ok = False
    if ok and "lines" in table and not all(n > 0 for n in table["lines"]):
        problems.error(where, "'lines' must be positive line numbers of the report")
        ok = False
    return ok and _check_cites(table, spec, where, problems)


def _check_cites(table: TomlTable, spec: dict[str, tuple[str, bool]], where: str, problems: Problems) -> bool:
    """Each field `cites` names is one the record holds; its lines are the report's and among `lines`."""
    ok = True
    for field, lines in table.get("cites", {}).items():
        if field in UNCITED or field not in spec or field not in table:
            problems.error(where, "'cites' names {field!r}, which is no field of this record", field=field)
            ok = False
        elif not lines or not all(1 <= n <= REPORT_LINES for n in lines):
            text = "'cites' gives {field!r} no lines, or lines outside the report's 1 to {last}"
            problems.error(where, text, field=field, last=REPORT_LINES)
            ok = False
        elif not set(lines) <= set(table["lines"]):
            problems.error(where, "'cites' gives {field!r} lines that are not in 'lines'", field=field)
            ok = False
    return ok


def _check_value(key: str, typ: str, value: object, where: str, problems: Problems) -> bool:
    """Whether one value is of its key's type, not empty and not too long; else an error."""
    if not TYPE_CHECKS[typ](value):
        message = "{key!r} must be an {type}, not {found}" if typ == INT else "{key!r} must be a {type}, not {found}"
        problems.error(where, message, key=key, type=typ, found=type_name(value))
        return False
    if typ != STR or not isinstance(value, str):  # only a text can be empty or too long
        return True
    if not value.strip():
        problems.error(where, "{key!r} is empty: leave a key out rather than empty", key=key)
        return False
    if len(value) > MAX_CHARS.get(key, len(value)):
        problems.error(where, "{key!r} is longer than {max} characters", key=key, max=MAX_CHARS[key])
        return False
    return True


def type_name(value: object) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN or an infinity"
    if isinstance(value, int) and not isinstance(value, bool) and not _int(value):
        return "an integer outside 64 bits"
    if isinstance(value, list) and any(isinstance(x, int) and not isinstance(x, bool) and not _int(x) for x in value):
        return "a list with an integer outside 64 bits"
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def collect(
    doc: TomlTable,
    layout: dict[str, tuple[str, bool, bool]],
    shown: str,
    problems: Problems,
    university: str | None = None,
) -> list[Raw]:
    out: list[Raw] = []
    for key in doc:
        if key not in layout:
            problems.error(
                shown, "unknown table {key!r} (this file may hold: {tables})", key=key, tables=", ".join(layout)
            )
    for key, (kind, many, required) in layout.items():
        if key not in doc:
            if required:
                problems.error(shown, "missing [{key}]", key=key)
            continue
        value = doc[key]
        tables = value if many else [value]
        if many and not TYPE_CHECKS[TABLES](value) or not many and not isinstance(value, dict):
            shape = f"[[{key}]]" if many else f"[{key}]"
            problems.error(shown, "{key!r} must be written as {shape} tables", key=key, shape=shape)
            continue
        for i, table in enumerate(tables):
            where = _where(shown, key, i if many else None, table)
            if check_table(table, kind, where, problems):
                out.append(Raw(kind, table, where, shown, university))
    return out


def _where(shown: str, key: str, i: int | None, table: TomlTable) -> str:
    """Where a table is, for a message: `universities/kyoto.toml: partners[3] (kyoto-ucl)`."""
    label = table.get("id") if isinstance(table.get("id"), str) else None
    if label is not None and not label.isprintable():
        label = repr(label)  # a message stays one readable line
    where = f"{shown}: {key}[{i}]" if i is not None else f"{shown}: [{key}]"
    return f"{where} ({label})" if label else where
