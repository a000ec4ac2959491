"""`spnet add`: records added to the archive, validated first and written atomically."""

import sys
from typing import Annotated, NamedTuple

import typer
import typer.main

from spnet import names, render
from spnet.app import CONTEXT, app
from spnet.archive import COUNTRY_BASES, EVENT_KINDS, PARTNER_KINDS
from spnet.boundary import LocalisedGroup, SpnetCommand
from spnet.collection import Archive
from spnet.context import editable_root, open_archive
from spnet.dates import to_partial_date
from spnet.errors import DataError, UsageError
from spnet.i18n import _
from spnet.models import TomlTable
from spnet.options import (
    OneUniversityOpt,
    archive_options,
    complete_event_kind,
    complete_partner_kind,
    complete_university,
)
from spnet.progress import TerminalProgress

# ------------------------------------------------------------------ adding records
add_app = typer.Typer(
    cls=LocalisedGroup,
    help="Add a record to the archive: validated first, written atomically, the file kept canonical.",
    invoke_without_command=True,
    context_settings=CONTEXT,
)
app.add_typer(add_app, name="add")


@add_app.callback()
def add_group(ctx: typer.Context) -> None:
    """Add a record to the archive: validated first, written atomically, the file kept canonical.

    Example: spnet --data ./data add partner --help
    """
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        sys.stdout.write(ctx.get_help() + "\n")


IdOpt = Annotated[str, typer.Option("--id", metavar="ID", help="A new id: lower-case letters, digits, hyphens.")]
SourceOpt = Annotated[
    str, typer.Option("--source", metavar="TEXT", help="Where in the report (or elsewhere) it comes from.")
]
LinesOpt = Annotated[
    str, typer.Option("--lines", metavar="LINES", help="Line numbers of the source text, e.g. 2683,2762.")
]
NoteOpt = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note, in the curator's own words.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the record and the diff; write nothing.")]


def _text(**fields: str | None) -> dict[str, str]:
    """The given text fields, with the empty ones left out (absent stays absent)."""
    return {k: v for k, v in fields.items() if v is not None and v.strip()}


def _lines(text: str) -> list[int]:
    try:
        numbers = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        raise UsageError(_("--lines {text!r}: give line numbers separated by commas").format(text=text)) from None
    if not numbers:
        raise UsageError(_("--lines needs at least one line number"))
    return numbers


class AsItIs(NamedTuple):
    """The archive before the record is added, or why it is not valid."""

    archive: Archive | None
    invalid: DataError | None

    def university(self, typed: str) -> str:
        """A university as typed resolved; its id as typed, with no valid archive to look in
        (the archive with the record, checked whole, tells an unknown one)."""
        return names.resolve_university(self.archive, typed) if self.archive else typed


def _as_it_is(ctx: typer.Context) -> AsItIs:
    """The archive, or why it is not valid as it is: a record can be what makes it valid (a
    partner, and a country the report names only inside that partner's name, need each
    other), so the record is checked with the whole archive before anything is written."""
    try:
        return AsItIs(open_archive(ctx), None)
    except DataError as exc:
        return AsItIs(None, exc)


def _add(
    ctx: typer.Context, kind: str, record: TomlTable, university: str | None, dry_run: bool, before: AsItIs
) -> None:
    """Write the record, checked with the whole archive; when the archive was not valid
    before, only if the record makes it so, else the archive's own error, as any command
    reading it gives."""
    from spnet.archive.edit import add_record

    root = editable_root(ctx)
    cache = (ctx.obj or {}).get("cache", True)
    done = add_record(
        root,
        kind,
        record,
        university=university,
        dry_run=dry_run,
        cache=cache,
        progress=TerminalProgress,
        invalid=before.invalid,
    )
    if dry_run:
        sys.stdout.write(done.record + "\n" + done.diff)  # canonical TOML: nothing in it acts on a terminal
    else:
        sys.stdout.write(
            _("added {kind} {id} to {path}").format(kind=kind, id=record["id"], path=render.visible(str(done.path)))
            + "\n"
        )


@add_app.command("partner", cls=SpnetCommand)
@archive_options
def add_partner(
    ctx: typer.Context,
    university: Annotated[
        str,
        typer.Option(
            "--university",
            "-u",
            metavar="UNIVERSITY",
            autocompletion=complete_university,
            help="The member university.",
        ),
    ],
    record_id: IdOpt,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", metavar="KIND", autocompletion=complete_partner_kind, help="strategic-partner, consortium, ..."
        ),
    ],
    source: SourceOpt,
    lines: LinesOpt,
    name_en: Annotated[str | None, typer.Option("--name-en", metavar="TEXT")] = None,
    name_ja: Annotated[str | None, typer.Option("--name-ja", metavar="TEXT")] = None,
    country: Annotated[str | None, typer.Option("--country", metavar="COUNTRY", help="gb, UK, 英国 ...")] = None,
    country_basis: Annotated[
        str,
        typer.Option(
            "--country-basis",
            metavar="BASIS",
            help="How the report gives the country: stated, implied, name or curator (docs/curators.md).",
        ),
    ] = "stated",
    country_lines: Annotated[
        str | None,
        typer.Option("--country-lines", metavar="LINES", help="The report's lines giving the country, if not --lines."),
    ] = None,
    country_reason: Annotated[
        str | None,
        typer.Option("--country-reason", metavar="TEXT", help="Why the curators give the country (basis curator)."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="DATE", help="2019, 2019-08, 2019-08-01 or 1990s.")
    ] = None,
    designated: Annotated[
        str | None,
        typer.Option("--designated", metavar="DATE", help="When the relation was made strategic: 2019, 2019-08 ..."),
    ] = None,
    note: NoteOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add an overseas partner of a member university.

    Example: spnet add partner -u kyoto --id kyoto-example --name-en "Example University"
    --kind strategic-partner --source "Minutes 2025" --lines 1
    """
    before = _as_it_is(ctx)
    uid = before.university(university)
    record: TomlTable = {"id": record_id, **_text(name_en=name_en, name_ja=name_ja)}
    record["kind"] = names.resolve_choice(_("partner kind"), kind, PARTNER_KINDS)
    if country:
        record["country"] = names.resolve_country(before.archive, country)
        record["country_basis"] = names.resolve_choice(_("country basis"), country_basis, COUNTRY_BASES)
        if country_lines:
            record["country_lines"] = _lines(country_lines)
        record.update(_text(country_reason=country_reason))
    elif country_lines or country_reason:
        raise UsageError(_("--country-lines and --country-reason go with --country"))
    if since:
        record["since"] = to_partial_date(since)
    if designated:
        record["designated"] = to_partial_date(designated)
    record.update(_text(note=note))
    record.update(source=source, lines=_lines(lines))
    _add(ctx, "partner", record, uid, dry_run, before)


@add_app.command("event", cls=SpnetCommand)
@archive_options
def add_event(
    ctx: typer.Context,
    record_id: IdOpt,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            autocompletion=complete_event_kind,
            help="meeting, symposium, workshop, survey, milestone.",
        ),
    ],
    date: Annotated[
        str,
        typer.Option(
            "--date", metavar="DATE", help="2025-03-03, 2025-03, 2025, FY2025 or 1990s (a partial date stays partial)."
        ),
    ],
    source: SourceOpt,
    lines: LinesOpt,
    title_en: Annotated[str | None, typer.Option("--title-en", metavar="TEXT")] = None,
    title_ja: Annotated[str | None, typer.Option("--title-ja", metavar="TEXT")] = None,
    university: OneUniversityOpt = None,
    partner: Annotated[
        list[str] | None, typer.Option("--partner", metavar="PARTNER", help="A partner id; repeat for more.")
    ] = None,
    tentative: Annotated[bool, typer.Option("--tentative", help="Planned when the report was written.")] = False,
    number: Annotated[int | None, typer.Option("--number", metavar="N", help="A meeting's number.")] = None,
    note: NoteOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add a dated event: a university's milestone, or a project event.

    Example: spnet add event --id kyoto-example-2025 --kind milestone --date 2025-06 -u kyoto
    --title-en "Joint symposium" --tentative --source "Minutes 2025" --lines 1
    """
    before = _as_it_is(ctx)
    uid = before.university(university) if university else None
    record: TomlTable = {"id": record_id, "kind": names.resolve_choice(_("event kind"), kind, EVENT_KINDS)}
    if number is not None:
        record["number"] = number
    record["date"] = to_partial_date(date)
    if tentative:
        record["tentative"] = True
    record.update(_text(title_en=title_en, title_ja=title_ja))
    if partner:
        record["partners"] = list(partner)
    record.update(_text(note=note))
    record.update(source=source, lines=_lines(lines))
    _add(ctx, "event", record, uid, dry_run, before)


@add_app.command("person", cls=SpnetCommand)
@archive_options
def add_person(
    ctx: typer.Context,
    record_id: IdOpt,
    source: SourceOpt,
    lines: LinesOpt,
    name_en: Annotated[str | None, typer.Option("--name-en", metavar="TEXT")] = None,
    name_ja: Annotated[str | None, typer.Option("--name-ja", metavar="TEXT")] = None,
    affiliation_en: Annotated[str | None, typer.Option("--affiliation-en", metavar="TEXT")] = None,
    affiliation_ja: Annotated[str | None, typer.Option("--affiliation-ja", metavar="TEXT")] = None,
    role_en: Annotated[str | None, typer.Option("--role-en", metavar="TEXT")] = None,
    role_ja: Annotated[str | None, typer.Option("--role-ja", metavar="TEXT")] = None,
    university: OneUniversityOpt = None,
    note: NoteOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add a named person (to project.toml).

    Example: spnet add person --id example-person --name-ja 例 --source "Minutes 2025" --lines 1
    """
    before = _as_it_is(ctx)
    record: TomlTable = {"id": record_id}
    record.update(
        _text(
            name_en=name_en,
            name_ja=name_ja,
            affiliation_en=affiliation_en,
            affiliation_ja=affiliation_ja,
            role_en=role_en,
            role_ja=role_ja,
        )
    )
    if university:
        record["university"] = before.university(university)
    record.update(_text(note=note))
    record.update(source=source, lines=_lines(lines))
    _add(ctx, "person", record, None, dry_run, before)
