"""The rule of the curators' layer (docs/curators.md): a value is the report's when the
report states it, implies it in words or gives it inside a name, each on lines of the
report; otherwise it is the curators', with a reason. `form` checks how a record writes
its bases, `evidence` finds what one record's bases claim in the report, and `across`
what needs a record of another file (a partner's country is named in countries.toml).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from spnet.archive.kinds import BASED, Based
from spnet.archive.schema import Problems, Raw
from spnet.models import TomlTable
from spnet.provenance import fold, report


class Claim(NamedTuple):
    """What `across` needs of one record, kept in its file's summary (unit.py), which
    holds it as a JSON array: a partner's name, or a country's own."""

    kind: str  # "partner" or "country"
    where: str
    country: str  # the country's id
    basis: str | None
    lines: Sequence[int]
    name_en: str | None
    name_ja: str | None

    @property
    def names(self) -> tuple[str | None, str | None]:
        return self.name_en, self.name_ja


def _has_value(t: TomlTable, b: Based) -> bool:
    return not b.stem or b.stem in t


def form(raw: Raw, problems: Problems) -> bool:
    """Whether each value of the record that may be the curators' says so as the rule asks."""
    ok = True
    for b in BASED.get(raw.kind, ()):
        ok = _form(raw, b, problems) and ok
    return ok


def _form(raw: Raw, b: Based, problems: Problems) -> bool:
    t, where = raw.table, raw.where
    basis_key, lines_key, reason_key = b.key("basis"), b.key("lines"), b.key("reason")
    basis, lines = t.get(basis_key), t.get(lines_key)
    own = [k for k in (basis_key, lines_key, reason_key) if b.stem and k in t]
    if not _has_value(t, b):
        if own:
            problems.error(where, "{key!r} without {stem!r}", key=own[0], stem=b.stem)
        return not own
    if basis is None:
        if b.required:
            problems.error(
                where,
                "{stem} needs {key} = one of {bases}",
                stem=b.stem or raw.kind,
                key=basis_key,
                bases=", ".join(b.bases),
            )
            return False
        extra = [k for k in (lines_key, reason_key) if k in t and k != "lines"]
        if extra:
            problems.error(where, "{key!r} without {basis!r}", key=extra[0], basis=basis_key)
        return not extra
    if basis not in b.bases:
        problems.error(
            where, "{key} must be one of {bases}, not {value!r}", key=basis_key, bases=", ".join(b.bases), value=basis
        )
        return False
    if basis == "curator":
        return _curator(raw, b, problems)
    if reason_key in t:
        problems.error(where, '{key!r} goes with {basis} = "curator" only', key=reason_key, basis=basis_key)
        return False
    if (basis in ("implied", "name") or not b.stem) and not lines:
        problems.error(
            where,
            '{basis} = "{value}" needs {lines}: the report\'s lines that give it',
            basis=basis_key,
            value=basis,
            lines=lines_key,
        )
        return False
    return _lines_in_report(raw, lines_key, problems)


def _curator(raw: Raw, b: Based, problems: Problems) -> bool:
    t, where = raw.table, raw.where
    basis_key, lines_key, reason_key = b.key("basis"), b.key("lines"), b.key("reason")
    if reason_key not in t:
        problems.error(
            where, '{basis} = "curator" needs {reason}: why the curators give it', basis=basis_key, reason=reason_key
        )
        return False
    if t.get(lines_key):
        problems.error(
            where,
            '{basis} = "curator" cites no line of the report: leave {lines} out (or empty)',
            basis=basis_key,
            lines=lines_key,
        )
        return False
    return True


def _lines_in_report(raw: Raw, key: str, problems: Problems) -> bool:
    size = len(report())
    wrong = [n for n in raw.table.get(key, ()) if not 1 <= n <= size]
    if wrong:
        problems.error(
            raw.where, "{key}: {line} is not a line of the report (1-{last})", key=key, line=wrong[0], last=size
        )
    return not wrong


def _lines(t: TomlTable, b: Based) -> list[int]:
    """The lines a value is found on: its own, or else the record's."""
    return list(t.get(b.key("lines")) or t.get("lines") or ())


def evidence(raw: Raw, problems: Problems) -> None:
    """What a record's bases claim, found in the report where the record alone says it: a
    country's names on its lines (and a country of the curators' named nowhere), stated
    short names on theirs. A partner's country is found by `across`."""
    t = raw.table
    if raw.kind == "country":
        _country(raw, problems)
    elif raw.kind == "university" and t.get("short_names_basis") == "stated":
        b = BASED["university"][0]
        for name in t["short_names"]:
            _on_lines(raw, "short_names", name, _lines(t, b), problems)


def _country(raw: Raw, problems: Problems) -> None:
    t = raw.table
    for lang in ("en", "ja"):
        name = t.get(f"name_{lang}")
        if name is None:
            continue
        if t["basis"] == "curator" or t.get(f"name_{lang}_basis") == "curator":
            printed = _printed(name)
            if printed:
                problems.error(
                    raw.where,
                    "the report prints {field} {value!r} (line {line}): it is not the curators'; cite the lines",
                    field=f"name_{lang}",
                    value=name,
                    line=printed[0],
                )
        else:
            _on_lines(raw, f"name_{lang}", name, t["lines"], problems)


def _printed(name: str) -> list[int]:
    """The lines a name is printed on; a name in Latin letters as a word of its own, in its
    own case (UK is not in Tsukuba), on one line."""
    if not name.isascii():
        return report().where(name)
    word = re.compile(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])")
    return [n for n in report().where(name) if word.search(report().line(n))]


def _on_lines(raw: Raw, field: str, value: str, lines: Sequence[int], problems: Problems) -> None:
    if report().locate(value, lines) is None:
        problems.error(
            raw.where,
            "{field} {value!r} stands on none of its lines {lines} (the report prints it on: {found})",
            field=field,
            value=value,
            lines=_shown(lines),
            found=_shown(report().where(value)),
        )


def _shown(lines: Sequence[int]) -> str:
    return ", ".join(str(n) for n in sorted(set(lines))) or "-"


def claim(raw: Raw) -> Claim | None:
    """What `across` needs of a partner with a country, or of a country."""
    t = raw.table
    if raw.kind == "partner" and "country" in t:
        lines = _lines(t, BASED["partner"][0])
        return Claim("partner", raw.where, t["country"], t["country_basis"], lines, t.get("name_en"), t.get("name_ja"))
    if raw.kind == "country":
        return Claim("country", raw.where, t["id"], t["basis"], t["lines"], t.get("name_en"), t.get("name_ja"))
    return None


class _Finder:
    """`fold` and `Report.locate`, each worked out once for a value (and its lines): the
    records of a large archive repeat names and lines, and across runs after every edit."""

    def __init__(self) -> None:
        self._folded: dict[str, str] = {}
        self._found: dict[tuple[str, tuple[int, ...]], bool] = {}

    def inside(self, country: str | None, name: str | None) -> bool:
        """Whether a country's name stands inside an institution's name."""
        if not (country and name):
            return False
        for text in (country, name):
            if text not in self._folded:
                self._folded[text] = fold(text)
        return self._folded[country] in self._folded[name]

    def on(self, value: str | None, lines: Sequence[int]) -> bool:
        """Whether `value` begins on one of `lines` of the report."""
        if not value:
            return False
        key = (value, tuple(lines))
        if key not in self._found:
            self._found[key] = report().locate(value, lines) is not None
        return self._found[key]


def across(kept: Iterable[Sequence[object]], problems: Problems) -> None:
    """Each partner's country found as its basis says, with the country's names; a country
    given only inside a name ("name") found inside a partner's name on its lines. `kept`:
    the claims, as claim made them or as the index's JSON gives them back."""
    claims = [Claim._make(c) for c in kept]
    countries = {c.country: c for c in claims if c.kind == "country"}
    partners = [c for c in claims if c.kind == "partner"]
    find = _Finder()
    for partner in partners:
        _partner_country(partner, countries, find, problems)
    named: dict[str, list[Claim]] = {}
    for q in partners:
        if q.basis == "name":
            named.setdefault(q.country, []).append(q)
    for country in countries.values():
        pairs = [(c, p) for q in named.get(country.country, ()) for c, p in zip(country.names, q.names, strict=True)]
        if country.basis == "name" and not any(find.inside(c, p) and find.on(p, country.lines) for c, p in pairs):
            problems.error(
                country.where,
                'basis = "name", but no partner of this country has a name with {names} in it on lines {lines}',
                names=_names(country),
                lines=_shown(country.lines),
            )


def _partner_country(partner: Claim, countries: dict[str, Claim], find: _Finder, problems: Problems) -> None:
    """One partner's country found as its basis says: in its name ("name"), on its lines
    ("stated", "implied"), and never in its name when the curators say they added it."""
    where, cid, basis, lines = partner.where, partner.country, partner.basis, partner.lines
    country = countries.get(cid)
    if country is None:  # an unknown country: the references say so
        return
    inside = [p for c, p in zip(country.names, partner.names, strict=True) if find.inside(c, p)]
    if basis == "curator" and inside:
        problems.error(
            where,
            'the country {id!r} is in the partner\'s name {name!r}: its country_basis is "name", '
            "with the lines that print it",
            id=cid,
            name=inside[0],
        )
    elif basis == "name" and not any(find.on(p, lines) for p in inside):
        problems.error(
            where,
            'country_basis = "name", but no name of {id!r} ({names}) stands inside the '
            "partner's name on lines {lines}",
            id=cid,
            names=_names(country),
            lines=_shown(lines),
        )
    elif basis in ("stated", "implied") and not any(find.on(c, lines) for c in country.names):
        problems.error(
            where,
            'country_basis = "{basis}", but no name of {id!r} ({names}) stands on lines {lines}',
            basis=basis,
            id=cid,
            names=_names(country),
            lines=_shown(lines),
        )


def _names(country: Claim) -> str:
    return " / ".join(n for n in country.names if n)
