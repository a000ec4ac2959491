"""Checks across records: references between them, printed weekdays, and the
disagreements between the Japanese and English texts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from spnet.archive.schema import Problems, Raw
from spnet.i18n import N_
from spnet.models import WEEKDAYS_EN, WEEKDAYS_JA, Project

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
        if WEEKDAYS_EN[d.weekday()] != wd:
            out.append(f"{d.isoformat()} is a {WEEKDAYS_EN[d.weekday()]}, but the text prints {wd}")
    for year, month, day, wd in re.findall(_JA_DATE, text):
        try:
            d = dt.date(int(year), int(month), int(day))
        except ValueError:
            continue
        if WEEKDAYS_JA[d.weekday()] != wd:
            calendar_day = f"{WEEKDAYS_EN[d.weekday()]} ({WEEKDAYS_JA[d.weekday()]})"
            out.append(f"{d.isoformat()} is a {calendar_day}, but the text prints {wd}")
    return out


class _Refs:
    """The records by kind and id, for checking what one record names."""

    def __init__(self, built: list[tuple[Raw, Any]], problems: Problems) -> None:
        self.problems = problems
        self.by_kind: dict[str, dict[str, Any]] = {}
        where: dict[str, str] = {}
        for raw, model in built:
            rid = getattr(model, "id", None)
            if rid is None:
                continue
            if rid in where:
                problems.error(raw.where, "duplicate id {id!r} (also in {other})", id=rid, other=where[rid])
                continue
            where[rid] = raw.where
            self.by_kind.setdefault(raw.kind, {})[rid] = model

    def of(self, kind: str) -> dict[str, Any]:
        return self.by_kind.get(kind, {})

    def check(self, raw: Raw, key: str, value: str | None, kind: str) -> None:
        if value is not None and value not in self.of(kind):
            self.problems.error(raw.where, "{key} {value!r} is not a known {kind}", key=key, value=value, kind=kind)


def cross_check(
    built: list[tuple[Raw, Any]],
    project: tuple[Raw, Project] | None,
    university_files: dict[str, str],
    problems: Problems,
) -> None:
    """Every check that needs more than one record; each problem names its record."""
    refs = _Refs(built, problems)
    if project is not None:
        _members(project, refs, university_files, problems)
    for raw, model in built:
        if raw.kind == "partner":
            _partner(raw, model, refs, problems)
        elif raw.kind == "event":
            _event(raw, model, refs, problems)
        elif raw.kind in ("person", "contact"):
            refs.check(raw, "university", model.university, "university")
        elif raw.kind == "link":
            refs.check(raw, "event", model.event, "event")
        _disagreements(raw, model, problems)


def _members(project: tuple[Raw, Project], refs: _Refs, university_files: dict[str, str], problems: Problems) -> None:
    where, proj = project[0].where, project[1]
    for uid in (proj.managing, *proj.members):
        if uid not in refs.of("university"):
            problems.error(where, "university {id!r} has no file universities/{id}.toml", id=uid)
    for uid, shown in university_files.items():
        if uid not in (proj.managing, *proj.members):
            problems.error(
                shown, "university {id!r} is neither the managing university nor a member in project.toml", id=uid
            )


def _partner(raw: Raw, model: Any, refs: _Refs, problems: Problems) -> None:
    refs.check(raw, "country", model.country, "country")
    refs.check(raw, "consortium", model.consortium, "partner")
    partners = refs.of("partner")
    if model.consortium in partners and partners[model.consortium].university != model.university:
        problems.error(raw.where, "consortium {id!r} belongs to another university", id=model.consortium)


def _event(raw: Raw, model: Any, refs: _Refs, problems: Problems) -> None:
    for uid in model.universities:
        refs.check(raw, "university", uid, "university")
    for pid in model.partners:
        refs.check(raw, "partner", pid, "partner")
    for lid in model.links:
        refs.check(raw, "link", lid, "link")
    for p in model.participants:
        refs.check(raw, "person", p.person, "person")
    if model.weekday and model.date.precision != "day":
        problems.error(raw.where, "a weekday is given but the date has no day")
    elif model.date.precision == "day":
        d = model.date.first_day()
        for printed, calendar in ((model.weekday.en, WEEKDAYS_EN), (model.weekday.ja, WEEKDAYS_JA)):
            if printed and printed != calendar[d.weekday()]:
                problems.warn(
                    raw.where,
                    "printed weekday {printed} but {date} is a {weekday}",
                    printed=printed,
                    date=d.isoformat(),
                    weekday=calendar[d.weekday()],
                )
    if model.kind == "meeting" and model.number is None:
        problems.error(raw.where, "a meeting needs its number")


def _disagreements(raw: Raw, model: Any, problems: Problems) -> None:
    for d in getattr(model, "disagreements", ()):
        held = {
            "ja": N_("Japanese and English disagree on {field}: JA {ja!r} / EN {en!r}; holds ja: {reason}"),
            "en": N_("Japanese and English disagree on {field}: JA {ja!r} / EN {en!r}; holds en: {reason}"),
        }
        undecided = N_(
            "Japanese and English disagree on {field}: JA {ja!r} / EN {en!r}; holds the Japanese (undecided): {reason}"
        )
        problems.warn(raw.where, held.get(d.held, undecided), field=d.field, ja=d.ja, en=d.en, reason=d.reason)
        # The held side's weekday is checked with the event's own date above.
        side, text = ("Japanese", d.ja) if d.held == "en" else ("English", d.en)
        for msg in _printed_weekday_problems(text):
            problems.warn(raw.where, "weekday mismatch in the {side} text: {why}", side=side, why=msg)
